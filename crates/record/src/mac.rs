//! HMAC-SHA1 and HMAC-SHA256 on the raw compression functions, and the constant-time
//! MAC-then-encrypt check.
//!
//! The record MAC is computed here rather than through `sanstls_crypto::hmac` for two
//! reasons:
//!
//! - Speed: the key pads are absorbed once per connection direction ([`MacKey::new`]),
//!   and a record's MAC input (`seq_num + type + version + length + fragment`, RFC 5246
//!   §6.2.3.1) is hashed straight from the record buffer, 64-byte blocks at a time, with
//!   no copy of the fragment.
//! - Lucky Thirteen: [`MacKey::verify_padded`] must make the same number of
//!   compression-function calls whatever the (secret) plaintext length, which needs
//!   block-level control. See the `cbc` module docs for the whole method.

use subtle::{Choice, ConstantTimeEq as _};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::ct;

/// The hash block length (both SHA-1 and SHA-256).
const BLOCK: usize = 64;
/// The length of the MAC header: `seq_num(8) + type(1) + version(2) + length(2)`.
pub(crate) const MAC_HEADER_LEN: usize = 13;
/// The longest MAC (HMAC-SHA256).
pub(crate) const MAX_MAC_LEN: usize = 32;

const SHA1_IV: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Which hash the MAC runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacHash {
    Sha1,
    Sha256,
}

impl MacHash {
    pub(crate) const fn len(self) -> usize {
        match self {
            MacHash::Sha1 => 20,
            MacHash::Sha256 => 32,
        }
    }

    fn iv(self) -> State {
        let mut s = [0u32; 8];
        match self {
            MacHash::Sha1 => s[..5].copy_from_slice(&SHA1_IV),
            MacHash::Sha256 => s = SHA256_IV,
        }
        s
    }

    fn compress(self, state: &mut State, blocks: &[[u8; BLOCK]]) {
        #[cfg(test)]
        tests::COMPRESSED.with(|c| c.set(c.get() + blocks.len()));
        match self {
            MacHash::Sha1 => {
                let mut s5 = [state[0], state[1], state[2], state[3], state[4]];
                sha1::block_api::compress(&mut s5, blocks);
                state[..5].copy_from_slice(&s5);
                s5.zeroize();
            }
            MacHash::Sha256 => sha2::block_api::compress256(state, blocks),
        }
    }

    /// The digest bytes of a final state.
    fn output(self, state: &State) -> Tag {
        let mut tag = Tag {
            bytes: [0; MAX_MAC_LEN],
            len: self.len(),
        };
        for (chunk, word) in tag.bytes[..self.len()].chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        tag
    }
}

/// A hash state; SHA-1 uses the first five words.
type State = [u32; 8];

/// A MAC value.
#[derive(Clone, Copy, Zeroize)]
pub(crate) struct Tag {
    bytes: [u8; MAX_MAC_LEN],
    len: usize,
}

impl Tag {
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// An HMAC key with both pads absorbed (RFC 2104): the states after `K ^ ipad` and
/// `K ^ opad`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct MacKey {
    #[zeroize(skip)]
    hash: MacHash,
    inner: State,
    outer: State,
}

impl MacKey {
    pub(crate) fn new(hash: MacHash, key: &[u8]) -> Self {
        // TLS MAC keys are as long as the MAC (RFC 5246 §6.3), always under one block.
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            let alg = match hash {
                MacHash::Sha1 => sanstls_crypto::hash::HashAlgorithm::Sha1,
                MacHash::Sha256 => sanstls_crypto::hash::HashAlgorithm::Sha256,
            };
            let mut digest = alg
                .hash(key)
                .expect("SHA-1 and SHA-256 are in every build of sanstls-crypto");
            block[..digest.len()].copy_from_slice(digest.as_slice());
            zeroize::Zeroize::zeroize(&mut digest);
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut inner = hash.iv();
        let mut outer = hash.iv();
        for b in &mut block {
            *b ^= 0x36;
        }
        hash.compress(&mut inner, &[block]);
        for b in &mut block {
            *b ^= 0x36 ^ 0x5c;
        }
        hash.compress(&mut outer, &[block]);
        block.zeroize();
        MacKey { hash, inner, outer }
    }

    pub(crate) fn hash(&self) -> MacHash {
        self.hash
    }

    /// HMAC over `header` followed by `parts`, all public-length.
    pub(crate) fn compute(&self, header: &[u8; MAC_HEADER_LEN], parts: &[&[u8]]) -> Tag {
        let mut run = self.start(header);
        for part in parts {
            run.update(part);
        }
        self.finish(run)
    }

    /// Start a MAC whose input is fed piecewise (the sealer interleaves it with
    /// encryption).
    pub(crate) fn start(&self, header: &[u8; MAC_HEADER_LEN]) -> Running {
        let mut run = Running {
            hash: self.hash,
            state: self.inner,
            buf: [0; BLOCK],
            buf_len: 0,
            total: BLOCK as u64,
        };
        run.update(header);
        run
    }

    /// The MAC of everything fed to `run`.
    pub(crate) fn finish(&self, run: Running) -> Tag {
        let inner = run.finish();
        self.outer_hash(&inner)
    }

    fn outer_hash(&self, inner: &Tag) -> Tag {
        let len = self.hash.len();
        let mut block = [0u8; BLOCK];
        block[..len].copy_from_slice(inner.as_slice());
        block[len] = 0x80;
        block[BLOCK - 8..].copy_from_slice(&(((BLOCK + len) as u64) * 8).to_be_bytes());
        let mut state = self.outer;
        self.hash.compress(&mut state, &[block]);
        block.zeroize();
        let tag = self.hash.output(&state);
        state.zeroize();
        tag
    }

    /// The constant-time check of a decrypted MAC-then-encrypt record (Lucky Thirteen).
    ///
    /// `prefix` is `seq_num + type + version` (11 bytes) and `plaintext` the decrypted
    /// fragment without its explicit IV: `content + MAC + padding + padding_length`, a
    /// whole number of blocks and at least `mac_len + 1` bytes long (the caller checks
    /// these public facts). Returns whether padding and MAC are both valid and the content
    /// length; the length is meaningful only when the choice is true.
    ///
    /// Time and memory accesses depend on `plaintext.len()` and the hash only.
    pub(crate) fn verify_padded(&self, prefix: &[u8; 11], plaintext: &[u8]) -> (Choice, usize) {
        let len = plaintext.len();
        let mac_len = self.hash.len();
        debug_assert!(len > mac_len);

        // 1. Padding: the last byte is padding_length; the padding_length + 1 bytes
        //    ending the record must all equal it (RFC 5246 §6.2.3.2), and they must
        //    leave room for the MAC. Scan a fixed window of 256 bytes (every possible
        //    padding) or the whole record if shorter, masking rather than branching.
        let pad = usize::from(plaintext[len - 1]);
        let mut good = ct::lt(pad, len - mac_len); // pad + 1 + mac_len <= len
        let window = len.min(256);
        for i in 0..window {
            let b = usize::from(plaintext[len - 1 - i]);
            let in_pad = ct::le(i, pad);
            good &= !in_pad | ct::eq(b, pad);
        }
        // With bad padding, go on as if there were none: the work below is the same for
        // every length, and the result is rejected anyway.
        // `black_box` keeps the optimiser from reasoning about the secret values (and,
        // say, turning a mask back into a branch).
        let good = core::hint::black_box(good);
        let pad = ct::select(good, pad, 0);
        let data_len = core::hint::black_box(len - mac_len - 1 - pad);

        // 2. The MAC over `prefix + length + content[..data_len]`, with the same
        //    compression calls for every data_len in the possible range.
        let min_data = len.saturating_sub(mac_len + 256);
        let max_data = len - mac_len - 1;
        let ours = self.ct_inner_outer(prefix, plaintext, data_len, min_data, max_data);

        // 3. The received MAC at plaintext[data_len..data_len + mac_len], extracted
        //    without an index that depends on data_len.
        let mut theirs = [0u8; MAX_MAC_LEN];
        ct_extract_mac(plaintext, data_len, mac_len, min_data, &mut theirs);

        let mac_ok = ours.as_slice().ct_eq(&theirs[..mac_len]);
        theirs.zeroize();
        (Choice::from((good & 1) as u8) & mac_ok, data_len)
    }

    /// HMAC whose inner hash runs over a secret-length message in constant time.
    fn ct_inner_outer(
        &self,
        prefix: &[u8; 11],
        plaintext: &[u8],
        data_len: usize,
        min_data: usize,
        max_data: usize,
    ) -> Tag {
        let hash = self.hash;
        let mut header = [0u8; MAC_HEADER_LEN];
        header[..11].copy_from_slice(prefix);
        header[11..].copy_from_slice(&(data_len as u16).to_be_bytes());
        // The inner message m = header + content; its length is secret.
        let m_len = MAC_HEADER_LEN + data_len;
        let byte_at = |o: usize| -> u8 {
            if o < MAC_HEADER_LEN {
                header[o]
            } else {
                // `o` is a public position; reading it does not depend on the secret.
                plaintext.get(o - MAC_HEADER_LEN).copied().unwrap_or(0)
            }
        };

        let mut state = self.inner;
        // Blocks that lie wholly inside m for every possible data_len are hashed as they
        // are; the first holds the header, the rest come straight from `plaintext`.
        let fixed = (MAC_HEADER_LEN + min_data) / BLOCK;
        if fixed > 0 {
            let mut first = [0u8; BLOCK];
            for (o, b) in first.iter_mut().enumerate() {
                *b = byte_at(o);
            }
            hash.compress(&mut state, &[first]);
            first.zeroize();
            let from = BLOCK - MAC_HEADER_LEN;
            let body = &plaintext[from..from + (fixed - 1) * BLOCK];
            let (blocks, rest) = body.as_chunks::<BLOCK>();
            debug_assert!(rest.is_empty());
            hash.compress(&mut state, blocks);
        }

        // The remaining blocks, up to the last one the longest message needs. The real
        // message ends (0x80, zeros, 64-bit bit length) in block `last`; each block is
        // built with masks, hashed, and its state kept only if it is that block.
        let last = (m_len + 8) / BLOCK;
        let last_max = (MAC_HEADER_LEN + max_data + 8) / BLOCK;
        let bit_len = (((BLOCK + m_len) as u64) * 8).to_be_bytes();
        let mut result = [0u32; 8];
        let mut block = [0u8; BLOCK];
        for j in fixed..=last_max {
            let is_last = ct::eq(j, last);
            for (p, out) in block.iter_mut().enumerate() {
                let o = j * BLOCK + p;
                let mut b = byte_at(o) & ct::lt(o, m_len) as u8;
                b |= 0x80 & ct::eq(o, m_len) as u8;
                if p >= BLOCK - 8 {
                    b = ct::select_u8(is_last, bit_len[p - (BLOCK - 8)], b);
                }
                *out = b;
            }
            hash.compress(&mut state, &[block]);
            for (r, s) in result.iter_mut().zip(&state) {
                *r = ct::select_u32(is_last, *s, *r);
            }
        }
        block.zeroize();
        state.zeroize();
        header.zeroize();
        let inner = hash.output(&result);
        result.zeroize();
        self.outer_hash(&inner)
    }
}

/// Copy `plaintext[data_len..data_len + mac_len]` into `out` without a secret index:
/// scan every byte that could belong to the MAC into a rotating buffer, then undo the
/// rotation with a full `mac_len * mac_len` masked selection.
fn ct_extract_mac(
    plaintext: &[u8],
    data_len: usize,
    mac_len: usize,
    scan_start: usize,
    out: &mut [u8; MAX_MAC_LEN],
) {
    let mut rotated = [0u8; MAX_MAC_LEN];
    let mut offset = 0usize;
    let mut j = 0usize;
    let mac_end = data_len + mac_len;
    for (i, &b) in plaintext.iter().enumerate().skip(scan_start) {
        offset = ct::select(ct::eq(i, data_len), j, offset);
        let in_mac = ct::le(data_len, i) & ct::lt(i, mac_end);
        rotated[j] |= b & in_mac as u8;
        j += 1;
        if j == mac_len {
            j = 0;
        }
    }
    // The MAC's first byte sits at rotated[offset]; out[k] = rotated[(k + offset) % len].
    for (k, o) in out[..mac_len].iter_mut().enumerate() {
        let mut idx = k + offset;
        idx -= mac_len & ct::le(mac_len, idx);
        let mut v = 0u8;
        for (jj, &r) in rotated[..mac_len].iter().enumerate() {
            v |= r & ct::eq(jj, idx) as u8;
        }
        *o = v;
    }
    rotated.zeroize();
}

/// A running inner hash over public-length data, hashing whole blocks in place.
pub(crate) struct Running {
    hash: MacHash,
    state: State,
    buf: [u8; BLOCK],
    buf_len: usize,
    total: u64,
}

impl Running {
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.buf_len > 0 {
            let n = data.len().min(BLOCK - self.buf_len);
            self.buf[self.buf_len..self.buf_len + n].copy_from_slice(&data[..n]);
            self.buf_len += n;
            data = &data[n..];
            if self.buf_len < BLOCK {
                return;
            }
            self.hash.compress(&mut self.state, &[self.buf]);
            self.buf_len = 0;
        }
        let (blocks, rest) = data.as_chunks::<BLOCK>();
        if !blocks.is_empty() {
            self.hash.compress(&mut self.state, blocks);
        }
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    fn finish(mut self) -> Tag {
        let bits = (self.total * 8).to_be_bytes();
        self.buf[self.buf_len] = 0x80;
        self.buf[self.buf_len + 1..].fill(0);
        if self.buf_len + 1 > BLOCK - 8 {
            self.hash.compress(&mut self.state, &[self.buf]);
            self.buf.fill(0);
        }
        self.buf[BLOCK - 8..].copy_from_slice(&bits);
        self.hash.compress(&mut self.state, &[self.buf]);
        let tag = self.hash.output(&self.state);
        self.state.zeroize();
        self.buf.zeroize();
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanstls_crypto::hash::HashAlgorithm;
    use sanstls_crypto::hmac::hmac;
    use std::vec::Vec;

    std::thread_local! {
        /// Compression-function calls (blocks) made by this thread.
        pub(super) static COMPRESSED: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    fn blocks_for(f: impl FnOnce()) -> usize {
        let before = COMPRESSED.with(core::cell::Cell::get);
        f();
        COMPRESSED.with(core::cell::Cell::get) - before
    }

    /// Lucky Thirteen: for one record length, the number of compressed blocks is the same
    /// for every padding byte value, valid or not, and for good and bad MACs.
    #[test]
    fn compression_calls_do_not_depend_on_the_plaintext() {
        for h in [MacHash::Sha1, MacHash::Sha256] {
            let k = MacKey::new(h, &[1; 20]);
            for len in [48usize, 64, 80, 288, 1024, 16_416] {
                let mut counts = std::collections::BTreeSet::new();
                for last in 0..=255u8 {
                    for fill in [last, last ^ 1, 0] {
                        let mut rec = std::vec![fill; len];
                        rec[len - 1] = last;
                        counts.insert(blocks_for(|| {
                            let _ = k.verify_padded(&[0; 11], &rec);
                        }));
                    }
                }
                assert_eq!(counts.len(), 1, "{h:?} len {len}: {counts:?}");
            }
        }
    }

    fn alg(h: MacHash) -> HashAlgorithm {
        match h {
            MacHash::Sha1 => HashAlgorithm::Sha1,
            MacHash::Sha256 => HashAlgorithm::Sha256,
        }
    }

    #[test]
    fn streaming_hmac_matches_crypto_hmac() {
        for h in [MacHash::Sha1, MacHash::Sha256] {
            for key_len in [0, 20, 32, 64, 65, 100] {
                let key: Vec<u8> = (0..key_len).map(|i: usize| i as u8).collect();
                let k = MacKey::new(h, &key);
                for len in [0, 1, 50, 51, 52, 55, 56, 63, 64, 115, 200, 1000] {
                    let data: Vec<u8> = (0..len).map(|i: usize| (i * 7) as u8).collect();
                    let header = [9u8; MAC_HEADER_LEN];
                    let mut joined = header.to_vec();
                    joined.extend_from_slice(&data);
                    let want = hmac(alg(h), &key, &joined).unwrap();
                    let split = data.len() / 3;
                    let got = k.compute(&header, &[&data[..split], &data[split..]]);
                    assert_eq!(got.as_slice(), want.as_slice(), "{h:?} {key_len} {len}");
                }
            }
        }
    }

    /// Build `content + MAC + padding` as a MAC-then-encrypt sender would and check
    /// `verify_padded` against it for every padding length that fits.
    #[test]
    fn verify_padded_accepts_valid_and_rejects_invalid() {
        let prefix = [3u8; 11];
        for h in [MacHash::Sha1, MacHash::Sha256] {
            let k = MacKey::new(h, &[0x5a; 32]);
            let mac_len = h.len();
            for content_len in [0usize, 1, 13, 50, 51, 64, 100, 300, 600] {
                for pad in [0usize, 1, 5, 15, 16, 100, 255] {
                    let total = content_len + mac_len + pad + 1;
                    if total % 16 != 0 {
                        continue;
                    }
                    let content: Vec<u8> = (0..content_len).map(|i| i as u8).collect();
                    let mut header = [0u8; MAC_HEADER_LEN];
                    header[..11].copy_from_slice(&prefix);
                    header[11..].copy_from_slice(&(content_len as u16).to_be_bytes());
                    let mut rec = content.clone();
                    rec.extend_from_slice(k.compute(&header, &[&content]).as_slice());
                    rec.extend(core::iter::repeat_n(pad as u8, pad + 1));
                    let (ok, n) = k.verify_padded(&prefix, &rec);
                    assert!(bool::from(ok), "{h:?} {content_len} {pad}");
                    assert_eq!(n, content_len);
                    // Any single-bit change anywhere is rejected.
                    for i in (0..rec.len()).step_by(7).chain([rec.len() - 1]) {
                        let mut bad = rec.clone();
                        bad[i] ^= 0x10;
                        let (ok, _) = k.verify_padded(&prefix, &bad);
                        assert!(!bool::from(ok), "{h:?} {content_len} {pad} byte {i}");
                    }
                    let mut other = prefix;
                    other[7] ^= 1;
                    assert!(!bool::from(k.verify_padded(&other, &rec).0));
                }
            }
        }
    }
}
