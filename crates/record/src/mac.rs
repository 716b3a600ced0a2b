//! HMAC-SHA1, HMAC-SHA256 and HMAC-SHA384 on the raw compression functions, and the
//! constant-time MAC-then-encrypt check.
//!
//! The record MAC is computed here rather than through `sanstls_crypto::hmac` for two
//! reasons:
//!
//! - Speed: the key pads are absorbed once per connection direction ([`MacKey::new`]),
//!   and a record's MAC input (`seq_num + type + version + length + fragment`, RFC 5246
//!   §6.2.3.1) is hashed straight from the record buffer, whole hash blocks at a time,
//!   with no copy of the fragment. Sealing interleaves it with the CBC encryption one
//!   hash block at a time ([`MacKey::interleaved`]), so that the CPU runs the hash's
//!   compression while the serial CBC chain waits on its AES rounds.
//! - Lucky Thirteen: [`MacKey::verify_padded`] must make the same number of
//!   compression-function calls whatever the (secret) plaintext length, which needs
//!   block-level control. See the `cbc` module docs for the whole method.
//!
//! # The three hashes
//!
//! HMAC (RFC 2104 §2) is `H(K ^ opad | H(K ^ ipad | text))`, the key zero-padded to the
//! hash's block length `B`. What the block-level code needs to know of each hash
//! (FIPS 180-4):
//!
//! | MAC | `B` | length field ending the padded message | state words | MAC length |
//! |---|---|---|---|---|
//! | HMAC-SHA1 (§6.1) | 64 | 8 bytes (§5.1.1) | 5 × 32 bits | 20 |
//! | HMAC-SHA256 (§6.2) | 64 | 8 bytes (§5.1.1) | 8 × 32 bits | 32 |
//! | HMAC-SHA384 (§6.5) | 128 | 16 bytes (§5.1.2) | 8 × 64 bits | 48 |
//!
//! HMAC-SHA384 is the MAC of the `_CBC_SHA384` suites (RFC 5289 §3.1). SHA-384 is
//! SHA-512's compression function (`sha2::block_api::compress512`) started from its own
//! initial value (FIPS 180-4 §5.3.4), its digest the first 384 bits of the final state
//! (§6.5). It is compiled with the crate feature `sha384` (which turns on
//! `sanstls-crypto/sha512`); without it `MacAlgorithm::HmacSha384` is refused as
//! `Error::InvalidKeys`, and the buffers below are sized for 64-byte blocks and 32-byte
//! MACs.
//!
//! Every size the code below depends on ([`MacHash::block_len`],
//! [`MacHash::len_field`], [`MacHash::len`]) is a property of the hash, which is public;
//! none depends on the record's content.

use subtle::{Choice, ConstantTimeEq as _};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::ct;

/// The longest hash block: 128 bytes (SHA-384), 64 in a build without SHA-384.
const MAX_BLOCK: usize = if cfg!(feature = "sha384") { 128 } else { 64 };
/// The longest length field that ends a padded message (SHA-384's 128-bit length).
const MAX_LEN_FIELD: usize = 16;
pub(crate) use crate::MAC_HEADER_LEN;
/// The longest MAC: HMAC-SHA384 (48 bytes), or HMAC-SHA256 (32) in a build without it.
pub(crate) const MAX_MAC_LEN: usize = if cfg!(feature = "sha384") { 48 } else { 32 };

/// FIPS 180-4 §5.3.1.
const SHA1_IV: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];
/// FIPS 180-4 §5.3.3.
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
/// FIPS 180-4 §5.3.4.
#[cfg(feature = "sha384")]
const SHA384_IV: [u64; 8] = [
    0xcbbb_9d5d_c105_9ed8,
    0x629a_292a_367c_d507,
    0x9159_015a_3070_dd17,
    0x152f_ecd8_f70e_5939,
    0x6733_2667_ffc0_0b31,
    0x8eb4_4a87_6858_1511,
    0xdb0c_2e0d_64f9_8fa7,
    0x47b5_481d_befa_4fa4,
];

/// Which hash the MAC runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacHash {
    Sha1,
    Sha256,
    #[cfg(feature = "sha384")]
    Sha384,
}

impl MacHash {
    /// The MAC length (the digest length; SHA-384's is its truncation, FIPS 180-4 §6.5).
    pub(crate) const fn len(self) -> usize {
        match self {
            MacHash::Sha1 => 20,
            MacHash::Sha256 => 32,
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => 48,
        }
    }

    /// The block length `B` of RFC 2104 §2: 512 bits for SHA-1 and SHA-256, 1024 for
    /// SHA-384 (FIPS 180-4 §1, Figure 1).
    pub(crate) const fn block_len(self) -> usize {
        match self {
            MacHash::Sha1 | MacHash::Sha256 => 64,
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => 128,
        }
    }

    /// The big-endian bit-length field that ends the padded message: 64 bits for SHA-1
    /// and SHA-256 (FIPS 180-4 §5.1.1), 128 for SHA-384 (§5.1.2).
    pub(crate) const fn len_field(self) -> usize {
        match self {
            MacHash::Sha1 | MacHash::Sha256 => 8,
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => 16,
        }
    }

    /// The same hash in sanstls-crypto (for keys longer than a block, and tests).
    pub(crate) fn algorithm(self) -> sanstls_crypto::hash::HashAlgorithm {
        use sanstls_crypto::hash::HashAlgorithm;
        match self {
            MacHash::Sha1 => HashAlgorithm::Sha1,
            MacHash::Sha256 => HashAlgorithm::Sha256,
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => HashAlgorithm::Sha384,
        }
    }

    /// The length field for a message of `bytes` bytes, right-aligned in
    /// [`MAX_LEN_FIELD`] bytes: the field itself is the last [`len_field`] of them.
    ///
    /// [`len_field`]: MacHash::len_field
    fn bit_len(bytes: usize) -> [u8; MAX_LEN_FIELD] {
        ((bytes as u128) * 8).to_be_bytes()
    }

    fn iv(self) -> State {
        let mut s = [[0u32; 8]; STATE_HALVES];
        match self {
            MacHash::Sha1 => s[0][..5].copy_from_slice(&SHA1_IV),
            MacHash::Sha256 => s[0] = SHA256_IV,
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => split_words(&SHA384_IV, &mut s),
        }
        s
    }

    /// Run the compression function over `blocks`, a whole number of this hash's
    /// blocks.
    fn compress(self, state: &mut State, blocks: &[u8]) {
        #[cfg(test)]
        tests::COMPRESSED.with(|c| c.set(c.get() + blocks.len() / self.block_len()));
        match self {
            MacHash::Sha1 => {
                let (blocks, rest) = blocks.as_chunks::<64>();
                debug_assert!(rest.is_empty());
                let s = &mut state[0];
                let mut s5 = [s[0], s[1], s[2], s[3], s[4]];
                sha1::block_api::compress(&mut s5, blocks);
                s[..5].copy_from_slice(&s5);
                s5.zeroize();
            }
            MacHash::Sha256 => {
                let (blocks, rest) = blocks.as_chunks::<64>();
                debug_assert!(rest.is_empty());
                sha2::block_api::compress256(&mut state[0], blocks);
            }
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => {
                let (blocks, rest) = blocks.as_chunks::<128>();
                debug_assert!(rest.is_empty());
                let mut w = join_words(state);
                sha2::block_api::compress512(&mut w, blocks);
                split_words(&w, state);
                w.zeroize();
            }
        }
    }

    /// The digest bytes of a final state: its first `len()` bytes, the words taken
    /// big-endian (FIPS 180-4 §6.1.2, §6.2.2, §6.5).
    fn output(self, state: &State) -> Tag {
        let mut tag = Tag {
            bytes: [0; MAX_MAC_LEN],
            len: self.len(),
        };
        for (chunk, word) in tag.bytes[..self.len()]
            .chunks_exact_mut(4)
            .zip(state.as_flattened())
        {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        tag
    }
}

/// A hash state, as 32-bit words: SHA-1 uses the first five words of the first half,
/// SHA-256 the first half, SHA-384 all sixteen, each of its eight 64-bit words as a
/// (high, low) pair in order. For every hash the digest is then the leading words,
/// big-endian. Without feature `sha384` there is only the first half (a device that
/// leaves SHA-384 out does not carry, copy and zeroize the other: the states live on
/// the stack of the constant-time check).
type State = [[u32; 8]; STATE_HALVES];

/// Halves of 8 words in a [`State`]: two with SHA-384, one without.
const STATE_HALVES: usize = if cfg!(feature = "sha384") { 2 } else { 1 };

/// SHA-384's 64-bit words out of a [`State`].
#[cfg(feature = "sha384")]
fn join_words(s: &State) -> [u64; 8] {
    let mut w = [0u64; 8];
    for (w, pair) in w.iter_mut().zip(s.as_flattened().chunks_exact(2)) {
        *w = (u64::from(pair[0]) << 32) | u64::from(pair[1]);
    }
    w
}

/// SHA-384's 64-bit words into a [`State`].
#[cfg(feature = "sha384")]
fn split_words(w: &[u64; 8], s: &mut State) {
    for (pair, w) in s.as_flattened_mut().chunks_exact_mut(2).zip(w) {
        pair[0] = (w >> 32) as u32;
        pair[1] = *w as u32;
    }
}

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

/// An HMAC key with both pads absorbed (RFC 2104 §2): the states after `K ^ ipad` and
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
        let b = hash.block_len();
        // TLS MAC keys are as long as the MAC (RFC 5246 §6.3), always under one block;
        // a longer key would be hashed first (RFC 2104 §2).
        let mut block = [0u8; MAX_BLOCK];
        if key.len() > b {
            let mut digest = hash
                .algorithm()
                .hash(key)
                .expect("every MacHash is in this build of sanstls-crypto");
            block[..digest.len()].copy_from_slice(digest.as_slice());
            zeroize::Zeroize::zeroize(&mut digest);
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let block = &mut block[..b];
        let mut inner = hash.iv();
        let mut outer = hash.iv();
        for x in block.iter_mut() {
            *x ^= 0x36;
        }
        hash.compress(&mut inner, block);
        for x in block.iter_mut() {
            *x ^= 0x36 ^ 0x5c;
        }
        hash.compress(&mut outer, block);
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
            buf: [0; MAX_BLOCK],
            buf_len: 0,
            total: self.hash.block_len(),
        };
        run.update(header);
        run
    }

    /// HMAC over `prefix | data` (`prefix` public, shorter than a hash block, `data`
    /// a whole number of AES blocks up to its last partial one), interleaved with
    /// `cipher`, which is called on consecutive runs of whole 16-byte blocks of `data`
    /// from its start:
    ///
    /// - [`Interleave::MacThenCipher`] (MAC-then-encrypt sealing): each block is hashed
    ///   before `cipher` sees it; `cipher` is called on the blocks the hash has consumed,
    ///   up to the last whole AES block before the end of the last whole hash block, and
    ///   the returned offset says how far it got (the caller encrypts the rest with the
    ///   MAC and padding).
    /// - [`Interleave::CipherThenMac`] (encrypt-then-MAC sealing): `cipher` runs on each
    ///   block before it is hashed; `data` must be whole AES blocks and all of it is passed
    ///   to `cipher` (the returned offset is `data.len()`).
    ///
    /// One hash block is compressed per step, with the AES blocks it covers (4 for
    /// SHA-1/SHA-256, 8 for SHA-384), so the CPU overlaps the hash's compression with the
    /// latency-bound CBC chain: with 1 KiB steps the two ran one after the other. The
    /// hash state stays in the hash's own word type across the loop. Every branch and
    /// loop bound depends on `data.len()` and `prefix.len()` only.
    pub(crate) fn interleaved(
        &self,
        prefix: &[u8],
        data: &mut [u8],
        order: Interleave,
        cipher: impl FnMut(&mut [u8]),
    ) -> (Tag, usize) {
        match self.hash {
            MacHash::Sha1 => self.interleaved_with::<Sha1Words, 64, 8>(prefix, data, order, cipher),
            MacHash::Sha256 => {
                self.interleaved_with::<Sha256Words, 64, 8>(prefix, data, order, cipher)
            }
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => {
                self.interleaved_with::<Sha384Words, 128, 16>(prefix, data, order, cipher)
            }
        }
    }

    fn interleaved_with<W: Words<B>, const B: usize, const LF: usize>(
        &self,
        prefix: &[u8],
        data: &mut [u8],
        order: Interleave,
        mut cipher: impl FnMut(&mut [u8]),
    ) -> (Tag, usize) {
        const AES: usize = 16;
        let down = |x: usize| x - x % AES;
        let up = |x: usize| x.div_ceil(AES) * AES;
        let n = data.len();
        let h = prefix.len();
        debug_assert!(h < B);
        debug_assert!(order == Interleave::MacThenCipher || n.is_multiple_of(AES));
        let mut state = W::load(&self.inner);
        let mut buf = [0u8; B];
        buf[..h].copy_from_slice(prefix);
        // Bytes of `data` hashed (through whole blocks) and bytes given to `cipher`.
        let (mut hashed, mut ciphered) = (0usize, 0usize);
        let first = B - h;
        let mut buf_len = h;
        if n >= first {
            if order == Interleave::CipherThenMac {
                ciphered = up(first);
                cipher(&mut data[..ciphered]);
            }
            buf[h..].copy_from_slice(&data[..first]);
            W::compress(&mut state, &buf);
            hashed = first;
            buf_len = 0;
            while hashed + B <= n {
                match order {
                    Interleave::MacThenCipher => {
                        let to = down(hashed);
                        cipher(&mut data[ciphered..to]);
                        ciphered = to;
                        let block: &[u8; B] =
                            data[hashed..hashed + B].try_into().expect("a whole block");
                        W::compress(&mut state, block);
                    }
                    Interleave::CipherThenMac => {
                        let to = up(hashed + B);
                        cipher(&mut data[ciphered..to]);
                        ciphered = to;
                        let block: &[u8; B] =
                            data[hashed..hashed + B].try_into().expect("a whole block");
                        W::compress(&mut state, block);
                    }
                }
                hashed += B;
            }
        }
        match order {
            Interleave::MacThenCipher => {
                let to = down(hashed);
                cipher(&mut data[ciphered..to]);
                ciphered = to;
            }
            Interleave::CipherThenMac => {
                cipher(&mut data[ciphered..]);
                ciphered = n;
            }
        }
        // The rest of `data` (under a block), then the padding (FIPS 180-4 §5.1).
        let rest = n - hashed;
        buf[buf_len..buf_len + rest].copy_from_slice(&data[hashed..]);
        buf_len += rest;
        buf[buf_len] = 0x80;
        buf[buf_len + 1..].fill(0);
        if buf_len + 1 > B - LF {
            W::compress(&mut state, &buf);
            buf.fill(0);
        }
        let bits = MacHash::bit_len(B + h + n);
        buf[B - LF..].copy_from_slice(&bits[MAX_LEN_FIELD - LF..]);
        W::compress(&mut state, &buf);
        let mut words: State = [[0; 8]; STATE_HALVES];
        W::store(&state, &mut words);
        let inner = self.hash.output(&words);
        state.zeroize();
        words.zeroize();
        buf.zeroize();
        (self.outer_hash(&inner), ciphered)
    }

    /// The MAC of everything fed to `run`.
    pub(crate) fn finish(&self, run: Running) -> Tag {
        let inner = run.finish();
        self.outer_hash(&inner)
    }

    fn outer_hash(&self, inner: &Tag) -> Tag {
        let (b, lf, len) = (
            self.hash.block_len(),
            self.hash.len_field(),
            self.hash.len(),
        );
        // `K ^ opad` is one block, and the inner digest with its padding fits in the next.
        let mut block = [0u8; MAX_BLOCK];
        block[..len].copy_from_slice(inner.as_slice());
        block[len] = 0x80;
        block[b - lf..b].copy_from_slice(&MacHash::bit_len(b + len)[MAX_LEN_FIELD - lf..]);
        let mut state = self.outer;
        self.hash.compress(&mut state, &block[..b]);
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
        // Block and length-field sizes as constants, so the per-byte masking loop is
        // compiled for each block size (as fast for SHA-1/SHA-256 as with one size).
        let ours = match self.hash {
            MacHash::Sha1 | MacHash::Sha256 => {
                self.ct_inner_outer::<64, 8>(prefix, plaintext, data_len, min_data, max_data)
            }
            #[cfg(feature = "sha384")]
            MacHash::Sha384 => {
                self.ct_inner_outer::<128, 16>(prefix, plaintext, data_len, min_data, max_data)
            }
        };

        // 3. The received MAC at plaintext[data_len..data_len + mac_len], extracted
        //    without an index that depends on data_len.
        let mut theirs = [0u8; MAX_MAC_LEN];
        ct_extract_mac(plaintext, data_len, mac_len, min_data, &mut theirs);

        let mac_ok = ours.as_slice().ct_eq(&theirs[..mac_len]);
        theirs.zeroize();
        (Choice::from((good & 1) as u8) & mac_ok, data_len)
    }

    /// HMAC whose inner hash runs over a secret-length message in constant time.
    ///
    /// `B` is the hash's block length and `LF` the size of its length field, both
    /// public; the block arithmetic below holds for any of them.
    fn ct_inner_outer<const B: usize, const LF: usize>(
        &self,
        prefix: &[u8; 11],
        plaintext: &[u8],
        data_len: usize,
        min_data: usize,
        max_data: usize,
    ) -> Tag {
        let hash = self.hash;
        debug_assert_eq!((B, LF), (hash.block_len(), hash.len_field()));
        let (b, lf) = (B, LF);
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
        let fixed = (MAC_HEADER_LEN + min_data) / b;
        if fixed > 0 {
            let mut first = [0u8; B];
            for (o, x) in first.iter_mut().enumerate() {
                *x = byte_at(o);
            }
            hash.compress(&mut state, &first);
            first.zeroize();
            let from = b - MAC_HEADER_LEN;
            hash.compress(&mut state, &plaintext[from..from + (fixed - 1) * b]);
        }

        // The remaining blocks, up to the last one the longest message needs. The real
        // message ends (0x80, zeros, then the `lf`-byte bit length: FIPS 180-4 §5.1) in
        // block `last`; each block is built with masks, hashed, and its state kept only
        // if it is that block.
        let last = (m_len + lf) / b;
        let last_max = (MAC_HEADER_LEN + max_data + lf) / b;
        let bit_len = MacHash::bit_len(b + m_len);
        let bit_len = &bit_len[MAX_LEN_FIELD - lf..];
        let mut result: State = [[0; 8]; STATE_HALVES];
        let mut block = [0u8; B];
        for j in fixed..=last_max {
            let is_last = ct::eq(j, last);
            for (p, out) in block.iter_mut().enumerate() {
                let o = j * b + p;
                let mut x = byte_at(o) & ct::lt(o, m_len) as u8;
                x |= 0x80 & ct::eq(o, m_len) as u8;
                if p >= b - lf {
                    x = ct::select_u8(is_last, bit_len[p - (b - lf)], x);
                }
                *out = x;
            }
            hash.compress(&mut state, &block);
            for (r, s) in result
                .as_flattened_mut()
                .iter_mut()
                .zip(state.as_flattened())
            {
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

/// Which of MAC and cipher sees each block first in [`MacKey::interleaved`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interleave {
    /// Hash a block, then hand it to the cipher (MAC-then-encrypt).
    MacThenCipher,
    /// Hand a block to the cipher, then hash it (encrypt-then-MAC).
    CipherThenMac,
}

/// A hash's state in its own words, with its compression function on one block of `B`
/// bytes: [`MacKey::interleaved`] keeps it across a record instead of converting a
/// [`State`] at every call.
trait Words<const B: usize>: Zeroize {
    fn load(s: &State) -> Self;
    fn store(&self, s: &mut State);
    fn compress(&mut self, block: &[u8; B]);
}

struct Sha1Words([u32; 5]);
struct Sha256Words([u32; 8]);
#[cfg(feature = "sha384")]
struct Sha384Words([u64; 8]);

impl Zeroize for Sha1Words {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}
impl Zeroize for Sha256Words {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}
#[cfg(feature = "sha384")]
impl Zeroize for Sha384Words {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Words<64> for Sha1Words {
    fn load(s: &State) -> Self {
        Sha1Words([s[0][0], s[0][1], s[0][2], s[0][3], s[0][4]])
    }
    fn store(&self, s: &mut State) {
        s[0][..5].copy_from_slice(&self.0);
    }
    fn compress(&mut self, block: &[u8; 64]) {
        #[cfg(test)]
        tests::COMPRESSED.with(|c| c.set(c.get() + 1));
        sha1::block_api::compress(&mut self.0, core::slice::from_ref(block));
    }
}

impl Words<64> for Sha256Words {
    fn load(s: &State) -> Self {
        Sha256Words(s[0])
    }
    fn store(&self, s: &mut State) {
        s[0] = self.0;
    }
    fn compress(&mut self, block: &[u8; 64]) {
        #[cfg(test)]
        tests::COMPRESSED.with(|c| c.set(c.get() + 1));
        sha2::block_api::compress256(&mut self.0, core::slice::from_ref(block));
    }
}

#[cfg(feature = "sha384")]
impl Words<128> for Sha384Words {
    fn load(s: &State) -> Self {
        Sha384Words(join_words(s))
    }
    fn store(&self, s: &mut State) {
        split_words(&self.0, s);
    }
    fn compress(&mut self, block: &[u8; 128]) {
        #[cfg(test)]
        tests::COMPRESSED.with(|c| c.set(c.get() + 1));
        sha2::block_api::compress512(&mut self.0, core::slice::from_ref(block));
    }
}

/// A running inner hash over public-length data, hashing whole blocks in place.
pub(crate) struct Running {
    hash: MacHash,
    state: State,
    buf: [u8; MAX_BLOCK],
    buf_len: usize,
    /// Bytes hashed so far, the `K ^ ipad` block included.
    total: usize,
}

impl Running {
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        let b = self.hash.block_len();
        self.total += data.len();
        if self.buf_len > 0 {
            let n = data.len().min(b - self.buf_len);
            self.buf[self.buf_len..self.buf_len + n].copy_from_slice(&data[..n]);
            self.buf_len += n;
            data = &data[n..];
            if self.buf_len < b {
                return;
            }
            self.hash.compress(&mut self.state, &self.buf[..b]);
            self.buf_len = 0;
        }
        // `b` is a power of two.
        let whole = data.len() & !(b - 1);
        if whole > 0 {
            self.hash.compress(&mut self.state, &data[..whole]);
        }
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// Pad (FIPS 180-4 §5.1) and hash the last block or two; the inner digest.
    fn finish(mut self) -> Tag {
        let (b, lf) = (self.hash.block_len(), self.hash.len_field());
        let bits = MacHash::bit_len(self.total);
        self.buf[self.buf_len] = 0x80;
        self.buf[self.buf_len + 1..b].fill(0);
        if self.buf_len + 1 > b - lf {
            self.hash.compress(&mut self.state, &self.buf[..b]);
            self.buf[..b].fill(0);
        }
        self.buf[b - lf..b].copy_from_slice(&bits[MAX_LEN_FIELD - lf..]);
        self.hash.compress(&mut self.state, &self.buf[..b]);
        let tag = self.hash.output(&self.state);
        self.state.zeroize();
        self.buf.zeroize();
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanstls_crypto::hmac::hmac;
    use std::vec::Vec;

    std::thread_local! {
        /// Compression-function calls (blocks) made by this thread.
        pub(super) static COMPRESSED: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    /// Every hash of this build.
    fn hashes() -> Vec<MacHash> {
        #[allow(unused_mut)]
        let mut v = std::vec![MacHash::Sha1, MacHash::Sha256];
        #[cfg(feature = "sha384")]
        v.push(MacHash::Sha384);
        v
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
        for h in hashes() {
            let k = MacKey::new(h, &[1; 20]);
            for len in [48usize, 64, 80, 128, 144, 256, 288, 1024, 16_416] {
                if len <= h.len() {
                    continue;
                }
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

    /// The constant count is what the longest candidate message needs, not more: the
    /// outer hash (one block) plus the inner blocks of `13 + max_data` bytes of content.
    #[test]
    fn compression_calls_are_those_of_the_longest_message() {
        for h in hashes() {
            let k = MacKey::new(h, &[2; 32]);
            for len in [64usize, 80, 128, 272, 1024, 16_416] {
                let max_data = len - h.len() - 1;
                let inner = (MAC_HEADER_LEN + max_data + h.len_field()) / h.block_len() + 1;
                let got = blocks_for(|| {
                    let _ = k.verify_padded(&[0; 11], &std::vec![0; len]);
                });
                assert_eq!(got, inner + 1, "{h:?} len {len}");
            }
        }
    }

    /// Known answers: test case 2 (key "Jefe") of RFC 2202 §3 (HMAC-SHA1) and RFC 4231
    /// §4.3 (HMAC-SHA256, HMAC-SHA384); the record header is simply the first 13 bytes
    /// of the message.
    #[test]
    fn rfc_known_answers() {
        let msg = b"what do ya want for nothing?";
        let header: &[u8; MAC_HEADER_LEN] = msg[..MAC_HEADER_LEN].try_into().unwrap();
        let mut cases = std::vec![
            (MacHash::Sha1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (
                MacHash::Sha256,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
        ];
        #[cfg(feature = "sha384")]
        cases.push((
            MacHash::Sha384,
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649",
        ));
        for (h, want) in cases {
            let got = MacKey::new(h, b"Jefe").compute(header, &[&msg[MAC_HEADER_LEN..]]);
            assert_eq!(hex::encode(got.as_slice()), want, "{h:?}");
        }
    }

    #[test]
    fn streaming_hmac_matches_crypto_hmac() {
        for h in hashes() {
            let b = h.block_len();
            // Every message length up to three blocks (so every position of the end of
            // the message and of the length field relative to a block boundary), and
            // some long ones.
            let lens = (0..3 * b).chain([1000, 4096, 16_384]);
            for key_len in [0, 20, 32, 48, 64, 65, 100, 128, 129, 200] {
                let key: Vec<u8> = (0..key_len).map(|i: usize| i as u8).collect();
                let k = MacKey::new(h, &key);
                for len in lens.clone() {
                    let data: Vec<u8> = (0..len).map(|i: usize| (i * 7) as u8).collect();
                    let header = [9u8; MAC_HEADER_LEN];
                    let mut joined = header.to_vec();
                    joined.extend_from_slice(&data);
                    let want = hmac(h.algorithm(), &key, &joined).unwrap();
                    let split = data.len() / 3;
                    let got = k.compute(&header, &[&data[..split], &data[split..]]);
                    assert_eq!(got.as_slice(), want.as_slice(), "{h:?} {key_len} {len}");
                    // Fed in uneven pieces, across block boundaries.
                    let mut run = k.start(&header);
                    for piece in data.chunks(b / 2 + 3) {
                        run.update(piece);
                    }
                    let got = k.finish(run);
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
        for h in hashes() {
            let k = MacKey::new(h, &[0x5a; 32]);
            let mac_len = h.len();
            for content_len in [0usize, 1, 13, 50, 51, 64, 66, 100, 115, 128, 300, 600] {
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
