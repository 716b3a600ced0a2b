//! AES-CBC with HMAC: MAC-then-encrypt (RFC 5246 §6.2.3.2) and encrypt-then-MAC
//! (RFC 7366).
//!
//! The MAC is the suite's: HMAC-SHA1 or HMAC-SHA256 (RFC 5246 Appendix C), or
//! HMAC-SHA384 for the AES-256-CBC `_SHA384` suites of RFC 5289 (§3.1; crate feature
//! `sha384`, on by default; without it those suites are [`Error::InvalidKeys`](crate::Error::InvalidKeys)). The MAC
//! length (20, 32 or 48 bytes) is the only thing that changes in the layouts below.
//!
//! # Record layouts
//!
//! ```text
//! MAC-then-encrypt:  IV(16) | E(content | MAC(hdr | content) | padding | padding_length)
//! encrypt-then-MAC:  IV(16) | E(content | padding | padding_length) | MAC(hdr | IV | E(..))
//! hdr = seq_num(8) | type(1) | version(2) | length(2)
//! ```
//!
//! The IV is explicit and fresh for every record (RFC 5246 §6.2.3.2: "The Initialization
//! Vector (IV) SHOULD be chosen at random, and MUST be unpredictable"): it comes from a
//! [`SeededRng`](sanstls_crypto::rng::SeededRng) seeded once per direction from the connection's generator. The padding
//! is the shortest that fills the last block.
//!
//! # Opening MAC-then-encrypt records in constant time (Lucky Thirteen)
//!
//! After decryption the receiver has `content | MAC | padding`, and where the content ends
//! depends on the last byte, which the attacker can steer (CVE-2013-0169). Everything the
//! receiver does from here on takes the same time, and touches the same memory, whatever
//! that byte is and whether padding or MAC are right; only the public record length
//! matters:
//!
//! 1. **Padding.** `padding_length` is read, then the last `min(256, len)` bytes, the
//!    longest possible padding, are all visited; a mask `i <= padding_length` decides
//!    whether each byte counts, and a running mask records whether every counted byte
//!    equals `padding_length` and whether the padding leaves room for the MAC. If it is
//!    bad, the computation continues as if `padding_length` were 0.
//! 2. **MAC.** The content length is one of at most 256 values, known to lie between
//!    `len - mac_len - 256` and `len - mac_len - 1`. The inner HMAC hash runs on the raw
//!    SHA-1/SHA-256/SHA-512 compression function, block by block (64-byte blocks for
//!    SHA-1 and SHA-256, 128-byte ones for SHA-384): blocks that lie inside the message
//!    for every candidate length are hashed directly; then every block up to the one the
//!    *longest* candidate would end in is built with masks (message byte, `0x80`
//!    terminator, zeros, and the bit-length field, 8 bytes or SHA-384's 16 (FIPS 180-4
//!    §5.1), when this is the block where the real message ends), hashed, and its state
//!    kept only if it is that block. So the number of compression calls is a function of
//!    `len` and the hash alone. The outer hash is one more call.
//! 3. **Received MAC.** Every byte where the MAC could start is scanned into a rotating
//!    buffer of `mac_len` bytes, and the rotation is undone with a full `mac_len^2` masked
//!    selection, so no memory index depends on the content length.
//! 4. **Verdict.** The two MACs are compared in constant time and combined with the
//!    padding mask; every failure is the same [`Error::BadRecordMac`](crate::Error::BadRecordMac). Only then is the
//!    content length used.
//!
//! Lengths that cannot hold IV, MAC and padding, or are not whole blocks, are public and
//! rejected before decryption, with the same error.
//!
//! # Encrypt-then-MAC
//!
//! RFC 7366 §3: the MAC covers the IV and ciphertext, and is checked before anything is
//! decrypted; a record with a wrong MAC is never decrypted. Padding is checked after
//! decryption (an authenticated record's padding reveals nothing to an attacker), and a
//! bad one is also `bad_record_mac`.

#[cfg(feature = "cbc")]
pub(crate) use state::CbcState;

/// How MAC and encryption are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CbcMode {
    /// RFC 5246 §6.2.3.2: MAC the plaintext, then encrypt plaintext, MAC and padding.
    MacThenEncrypt,
    /// RFC 7366: encrypt plaintext and padding, then MAC IV and ciphertext. Used when
    /// both sides sent the encrypt_then_mac extension.
    EncryptThenMac,
}

// The state itself is left out without feature `cbc` (a device with AEAD suites only
// then carries no CBC, HMAC or SHA-1 code, and a smaller record state).
#[cfg(feature = "cbc")]
mod state {
    use sanstls_crypto::cipher::{AES_BLOCK_LEN, AesCbcKey};
    use sanstls_crypto::rng::{Rng as _, SeededRng};
    use sanstls_keys::DirectionKeys;
    use sanstls_keys::suite::MacAlgorithm;
    use subtle::ConstantTimeEq as _;

    use super::CbcMode;
    use crate::Error;
    use crate::ct;
    use crate::mac::{Interleave, MAC_HEADER_LEN, MacHash, MacKey};

    const IV_LEN: usize = AES_BLOCK_LEN;

    /// The keyed state of one direction.
    pub(crate) struct CbcState {
        aes: AesCbcKey,
        mac: MacKey,
        mode: CbcMode,
    }

    fn round_up(n: usize) -> usize {
        n.div_ceil(AES_BLOCK_LEN) * AES_BLOCK_LEN
    }

    fn mac_header(seq: u64, prefix: [u8; 3], len: usize) -> [u8; MAC_HEADER_LEN] {
        let mut h = [0u8; MAC_HEADER_LEN];
        h[..8].copy_from_slice(&seq.to_be_bytes());
        h[8..11].copy_from_slice(&prefix);
        h[11..].copy_from_slice(&(len as u16).to_be_bytes());
        h
    }

    impl CbcState {
        pub(crate) fn new(keys: &DirectionKeys<'_>, mode: CbcMode) -> Result<Self, Error> {
            let hash = match keys.suite.mac {
                MacAlgorithm::HmacSha1 => MacHash::Sha1,
                MacAlgorithm::HmacSha256 => MacHash::Sha256,
                #[cfg(feature = "sha384")]
                MacAlgorithm::HmacSha384 => MacHash::Sha384,
                _ => return Err(Error::InvalidKeys),
            };
            if keys.mac_key.len() != keys.suite.mac.key_len()
                || keys.enc_key.len() != keys.suite.cipher.key_len()
            {
                return Err(Error::InvalidKeys);
            }
            let aes = AesCbcKey::new(keys.enc_key).map_err(|_| Error::InvalidKeys)?;
            Ok(CbcState {
                aes,
                mac: MacKey::new(hash, keys.mac_key),
                mode,
            })
        }

        /// The most a peer's record of this protection can add to its plaintext: the IV,
        /// the MAC and the longest padding a sender may choose (256 bytes with its length
        /// byte, RFC 5246 §6.2.3.2).
        pub(crate) fn max_expansion(&self) -> usize {
            IV_LEN + self.mac_len() + 256
        }

        fn mac_len(&self) -> usize {
            self.mac.hash().len()
        }

        /// Bytes between the record header and the payload: the explicit IV.
        pub(crate) fn payload_offset() -> usize {
            IV_LEN
        }

        /// The fragment length of a sealed payload of `n` bytes.
        pub(crate) fn sealed_fragment_len(&self, n: usize) -> usize {
            match self.mode {
                CbcMode::MacThenEncrypt => IV_LEN + round_up(n + self.mac_len() + 1),
                CbcMode::EncryptThenMac => IV_LEN + round_up(n + 1) + self.mac_len(),
            }
        }

        /// Seal the payload at `frag[IV_LEN..IV_LEN + n]` in place; `frag` is at least
        /// `sealed_fragment_len(n)` long. `prefix` is `type + version`.
        ///
        /// MAC and encryption run interleaved one hash block at a time
        /// ([`MacKey::interleaved`]): each step compresses one 64-byte (SHA-384: 128-byte)
        /// block and CBC-encrypts the 4 (8) AES blocks next to it, so the CPU overlaps the
        /// hash with the serial CBC chain. (With 1 KiB steps it ran one after the other: the
        /// seal cost the sum of both.)
        pub(crate) fn seal(
            &self,
            rng: &mut SeededRng,
            seq: u64,
            prefix: [u8; 3],
            frag: &mut [u8],
            n: usize,
        ) -> usize {
            let mac_len = self.mac_len();
            let mut iv = [0u8; IV_LEN];
            rng.fill_bytes(&mut iv);
            frag[..IV_LEN].copy_from_slice(&iv);
            let (_, body) = frag.split_at_mut(IV_LEN);
            let mut enc = self.aes.encryptor(&iv);
            let mut encrypt = |blocks: &mut [u8]| {
                let done = enc.encrypt_blocks(blocks);
                debug_assert!(done.is_ok());
            };
            match self.mode {
                CbcMode::MacThenEncrypt => {
                    // MAC the payload and encrypt its blocks as they are MACed, then encrypt
                    // the tail: rest of payload, MAC, padding.
                    let (tag, done) = self.mac.interleaved(
                        &mac_header(seq, prefix, n),
                        &mut body[..n],
                        Interleave::MacThenCipher,
                        &mut encrypt,
                    );
                    body[n..n + mac_len].copy_from_slice(tag.as_slice());
                    let padded = round_up(n + mac_len + 1);
                    body[n + mac_len..padded].fill((padded - n - mac_len - 1) as u8);
                    encrypt(&mut body[done..padded]);
                    IV_LEN + padded
                }
                CbcMode::EncryptThenMac => {
                    let padded = round_up(n + 1);
                    body[n..padded].fill((padded - n - 1) as u8);
                    // The MAC input is header | IV | ciphertext.
                    let mut pre = [0u8; MAC_HEADER_LEN + IV_LEN];
                    pre[..MAC_HEADER_LEN].copy_from_slice(&mac_header(
                        seq,
                        prefix,
                        IV_LEN + padded,
                    ));
                    pre[MAC_HEADER_LEN..].copy_from_slice(&iv);
                    let (tag, _) = self.mac.interleaved(
                        &pre,
                        &mut body[..padded],
                        Interleave::CipherThenMac,
                        &mut encrypt,
                    );
                    body[padded..padded + mac_len].copy_from_slice(tag.as_slice());
                    IV_LEN + padded + mac_len
                }
            }
        }

        /// Open the fragment in place; the payload's range within `frag` on success.
        pub(crate) fn open(
            &self,
            seq: u64,
            prefix: [u8; 3],
            frag: &mut [u8],
        ) -> Result<core::ops::Range<usize>, Error> {
            let mac_len = self.mac_len();
            let f = frag.len();
            match self.mode {
                CbcMode::MacThenEncrypt => {
                    // Public checks: whole blocks, room for IV, MAC and one padding byte.
                    if !f.is_multiple_of(AES_BLOCK_LEN) || f < IV_LEN + round_up(mac_len + 1) {
                        return Err(Error::BadRecordMac);
                    }
                    let (iv, body) = frag.split_at_mut(IV_LEN);
                    let iv: [u8; IV_LEN] = iv.try_into().map_err(|_| Error::BadRecordMac)?;
                    self.aes
                        .decrypt_in_place(&iv, body)
                        .map_err(|_| Error::BadRecordMac)?;
                    let mut head = [0u8; 11];
                    head[..8].copy_from_slice(&seq.to_be_bytes());
                    head[8..].copy_from_slice(&prefix);
                    let (ok, n) = self.mac.verify_padded(&head, body);
                    if bool::from(ok) {
                        Ok(IV_LEN..IV_LEN + n)
                    } else {
                        Err(Error::BadRecordMac)
                    }
                }
                CbcMode::EncryptThenMac => {
                    if f < IV_LEN + AES_BLOCK_LEN + mac_len
                        || !(f - mac_len).is_multiple_of(AES_BLOCK_LEN)
                    {
                        return Err(Error::BadRecordMac);
                    }
                    let (authed, tag) = frag.split_at_mut(f - mac_len);
                    let ours = self
                        .mac
                        .compute(&mac_header(seq, prefix, authed.len()), &[authed]);
                    if !bool::from(ours.as_slice().ct_eq(tag)) {
                        return Err(Error::BadRecordMac);
                    }
                    let (iv, body) = authed.split_at_mut(IV_LEN);
                    let iv: [u8; IV_LEN] = iv.try_into().map_err(|_| Error::BadRecordMac)?;
                    self.aes
                        .decrypt_in_place(&iv, body)
                        .map_err(|_| Error::BadRecordMac)?;
                    let len = body.len();
                    let pad = usize::from(body[len - 1]);
                    let mut good = ct::lt(pad, len);
                    for (i, &b) in body.iter().rev().enumerate().take(256) {
                        good &= !ct::le(i, pad) | ct::eq(usize::from(b), pad);
                    }
                    if good == 0 {
                        return Err(Error::BadRecordMac);
                    }
                    Ok(IV_LEN..IV_LEN + len - pad - 1)
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use sanstls_crypto::hmac::hmac;
        use std::vec::Vec;

        fn hashes() -> Vec<MacHash> {
            #[allow(unused_mut)]
            let mut v = std::vec![MacHash::Sha1, MacHash::Sha256];
            #[cfg(feature = "sha384")]
            v.push(MacHash::Sha384);
            v
        }

        /// The seal as RFC 5246 §6.2.3.2 / RFC 7366 §3 write it, one step after the other:
        /// HMAC (sanstls-crypto's, not the record MAC code), padding, one CBC call.
        #[allow(clippy::too_many_arguments)] // a test oracle: every input of a seal, spelt out
        fn straightforward(
            enc_key: &[u8],
            mac_key: &[u8],
            hash: MacHash,
            mode: CbcMode,
            seq: u64,
            prefix: [u8; 3],
            iv: &[u8; IV_LEN],
            payload: &[u8],
        ) -> Vec<u8> {
            let aes = AesCbcKey::new(enc_key).unwrap();
            let n = payload.len();
            let mut out = iv.to_vec();
            match mode {
                CbcMode::MacThenEncrypt => {
                    let mut mac_in = mac_header(seq, prefix, n).to_vec();
                    mac_in.extend_from_slice(payload);
                    let mut body = payload.to_vec();
                    body.extend_from_slice(
                        hmac(hash.algorithm(), mac_key, &mac_in).unwrap().as_slice(),
                    );
                    let pad = 15 - body.len() % 16;
                    body.extend(core::iter::repeat_n(pad as u8, pad + 1));
                    aes.encrypt_in_place(iv, &mut body).unwrap();
                    out.extend_from_slice(&body);
                }
                CbcMode::EncryptThenMac => {
                    let mut body = payload.to_vec();
                    let pad = 15 - n % 16;
                    body.extend(core::iter::repeat_n(pad as u8, pad + 1));
                    aes.encrypt_in_place(iv, &mut body).unwrap();
                    out.extend_from_slice(&body);
                    let mut mac_in = mac_header(seq, prefix, out.len()).to_vec();
                    mac_in.extend_from_slice(&out);
                    out.extend_from_slice(
                        hmac(hash.algorithm(), mac_key, &mac_in).unwrap().as_slice(),
                    );
                }
            }
            out
        }

        /// The interleaved seal is byte for byte the straightforward one: every payload length
        /// 0..=300 (every position of the payload's end relative to the AES and hash blocks,
        /// through several hash blocks) and some long ones, both modes, every MAC, both AES
        /// key sizes; and the result opens.
        #[test]
        fn interleaved_seal_is_the_straightforward_seal() {
            let lens = (0..=300usize).chain([1000, 1023, 1024, 1025, 4096, 4099, 16_383, 16_384]);
            for hash in hashes() {
                for key_len in [16usize, 32] {
                    for mode in [CbcMode::MacThenEncrypt, CbcMode::EncryptThenMac] {
                        let enc_key: Vec<u8> = (0..key_len).map(|i| (i * 3 + 1) as u8).collect();
                        let mac_key: Vec<u8> = (0..hash.len()).map(|i| (i * 5 + 2) as u8).collect();
                        let state = CbcState {
                            aes: AesCbcKey::new(&enc_key).unwrap(),
                            mac: MacKey::new(hash, &mac_key),
                            mode,
                        };
                        let mut rng = SeededRng::from_seed([7; 32]);
                        for n in lens.clone() {
                            let payload: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
                            let seq = 0x0102_0304_0506_0708 ^ n as u64;
                            let prefix = [23, 3, 3];
                            let mut frag = std::vec![0u8; state.sealed_fragment_len(n)];
                            frag[IV_LEN..IV_LEN + n].copy_from_slice(&payload);
                            let len = state.seal(&mut rng, seq, prefix, &mut frag, n);
                            assert_eq!(len, frag.len(), "{hash:?} {mode:?} {n}");
                            let iv: [u8; IV_LEN] = frag[..IV_LEN].try_into().unwrap();
                            let want = straightforward(
                                &enc_key, &mac_key, hash, mode, seq, prefix, &iv, &payload,
                            );
                            assert!(
                                frag == want,
                                "{hash:?} AES-{} {mode:?} length {n}",
                                key_len * 8
                            );
                            let range = state.open(seq, prefix, &mut frag).unwrap();
                            assert_eq!(&frag[range], &payload[..], "{hash:?} {mode:?} {n}");
                        }
                    }
                }
            }
        }
    }
}
