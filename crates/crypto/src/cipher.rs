//! AES-128 and AES-256 in CBC mode, without padding, in place.
//!
//! The TLS 1.2 record layer (RFC 5246 §6.2.3.2) does its own padding and MAC checks, so
//! this module only encrypts and decrypts whole blocks. The key schedule is expanded once,
//! in [`AesCbcKey::new`], and is reused for every record; nothing here allocates.
//!
//! Decryption hands all blocks of a record to the `cbc` crate in one call, so the AES
//! backend can decrypt several blocks in parallel (AES-NI / ARMv8 pipelines); CBC
//! encryption is inherently sequential.
//!
//! Timing: the `aes` crate uses hardware AES where the CPU has it and a bitsliced,
//! constant-time software implementation otherwise.
//!
//! ```
//! use sanstls_crypto::cipher::{AesCbcKey, AES_BLOCK_LEN};
//!
//! let key = AesCbcKey::new(&[0x42; 16]).unwrap();
//! let iv = [7u8; AES_BLOCK_LEN];
//! let plaintext = *b"two AES blocks: thirty-two bytes";
//! let mut record = plaintext;
//! key.encrypt_in_place(&iv, &mut record).unwrap();
//! assert_ne!(record, plaintext);
//! key.decrypt_in_place(&iv, &mut record).unwrap();
//! assert_eq!(record, plaintext);
//! ```

use aes::{Aes128, Aes256};
use cbc::cipher::array::Array;
use cbc::cipher::{BlockModeDecrypt as _, BlockModeEncrypt as _, InnerIvInit as _, KeyInit as _};

use crate::Error;

/// The AES block length in bytes (also the CBC IV length).
pub const AES_BLOCK_LEN: usize = 16;

// Inline rather than boxed: a key lives as long as a connection's record state, the
// variants differ by a few hundred bytes, and construction stays allocation-free.
#[allow(clippy::large_enum_variant)]
enum Schedule {
    Aes128(Aes128),
    Aes256(Aes256),
}

// The expanded key schedules must wipe themselves on drop: the `aes` crate does so in its
// `Drop` when its `zeroize` feature is on (enabled in Cargo.toml). This fails to compile
// if that feature is ever lost.
const _: () = {
    const fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    assert_zeroize_on_drop::<Aes128>();
    assert_zeroize_on_drop::<Aes256>();
};

/// An AES-128 or AES-256 key for CBC mode, with its key schedule expanded.
///
/// The expanded schedule is zeroized on drop.
pub struct AesCbcKey {
    schedule: Schedule,
}

impl core::fmt::Debug for AesCbcKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AesCbcKey")
            .field("key_len", &self.key_len())
            .finish_non_exhaustive()
    }
}

impl AesCbcKey {
    /// Expand `key`: 16 bytes for AES-128, 32 bytes for AES-256.
    ///
    /// Any other length is [`Error::InvalidLength`] (TLS 1.2 has no AES-192 suites).
    pub fn new(key: &[u8]) -> Result<Self, Error> {
        let schedule = match key.len() {
            16 => Schedule::Aes128(Aes128::new_from_slice(key).map_err(|_| Error::InvalidLength)?),
            32 => Schedule::Aes256(Aes256::new_from_slice(key).map_err(|_| Error::InvalidLength)?),
            _ => return Err(Error::InvalidLength),
        };
        Ok(AesCbcKey { schedule })
    }

    /// The key length in bytes: 16 or 32.
    pub fn key_len(&self) -> usize {
        match self.schedule {
            Schedule::Aes128(_) => 16,
            Schedule::Aes256(_) => 32,
        }
    }

    /// CBC-encrypt `buf` in place under `iv`.
    ///
    /// `buf` must be a whole number of blocks (possibly none), else
    /// [`Error::InvalidLength`] and `buf` is untouched. No padding is added.
    pub fn encrypt_in_place(&self, iv: &[u8; AES_BLOCK_LEN], buf: &mut [u8]) -> Result<(), Error> {
        let blocks = as_blocks(buf)?;
        let iv = Array::from(*iv);
        match &self.schedule {
            Schedule::Aes128(c) => {
                cbc::Encryptor::<&Aes128>::inner_iv_init(c, &iv).encrypt_blocks(blocks);
            }
            Schedule::Aes256(c) => {
                cbc::Encryptor::<&Aes256>::inner_iv_init(c, &iv).encrypt_blocks(blocks);
            }
        }
        Ok(())
    }

    /// CBC-decrypt `buf` in place under `iv`.
    ///
    /// `buf` must be a whole number of blocks (possibly none), else
    /// [`Error::InvalidLength`] and `buf` is untouched. No padding is checked or removed;
    /// that is the record layer's job and must be done in constant time there.
    pub fn decrypt_in_place(&self, iv: &[u8; AES_BLOCK_LEN], buf: &mut [u8]) -> Result<(), Error> {
        let blocks = as_blocks(buf)?;
        let iv = Array::from(*iv);
        // One call over all blocks: the `cbc` decryptor feeds the cipher's parallel
        // backend (several blocks per AES pass), which a per-block loop would defeat.
        match &self.schedule {
            Schedule::Aes128(c) => {
                cbc::Decryptor::<&Aes128>::inner_iv_init(c, &iv).decrypt_blocks(blocks);
            }
            Schedule::Aes256(c) => {
                cbc::Decryptor::<&Aes256>::inner_iv_init(c, &iv).decrypt_blocks(blocks);
            }
        }
        Ok(())
    }
}

/// A CBC encryption in progress: [`CbcEncryptor::encrypt_blocks`] encrypts whole blocks
/// and carries the chain on to the next call, so a caller can encrypt a buffer a few
/// blocks at a time (the record layer interleaves it with its MAC) with the same result
/// as one [`AesCbcKey::encrypt_in_place`] over all of it.
pub struct CbcEncryptor<'a> {
    inner: EncryptorInner<'a>,
}

enum EncryptorInner<'a> {
    Aes128(cbc::Encryptor<&'a Aes128>),
    Aes256(cbc::Encryptor<&'a Aes256>),
}

impl core::fmt::Debug for CbcEncryptor<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CbcEncryptor").finish_non_exhaustive()
    }
}

impl AesCbcKey {
    /// Start a CBC encryption under `iv`, continued by [`CbcEncryptor::encrypt_blocks`].
    pub fn encryptor(&self, iv: &[u8; AES_BLOCK_LEN]) -> CbcEncryptor<'_> {
        let iv = Array::from(*iv);
        let inner = match &self.schedule {
            Schedule::Aes128(c) => {
                EncryptorInner::Aes128(cbc::Encryptor::<&Aes128>::inner_iv_init(c, &iv))
            }
            Schedule::Aes256(c) => {
                EncryptorInner::Aes256(cbc::Encryptor::<&Aes256>::inner_iv_init(c, &iv))
            }
        };
        CbcEncryptor { inner }
    }
}

impl CbcEncryptor<'_> {
    /// CBC-encrypt `buf` in place, chaining on from the previous call (or the IV).
    ///
    /// `buf` must be a whole number of blocks (possibly none), else
    /// [`Error::InvalidLength`] and `buf` is untouched.
    pub fn encrypt_blocks(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let blocks = as_blocks(buf)?;
        match &mut self.inner {
            EncryptorInner::Aes128(e) => e.encrypt_blocks(blocks),
            EncryptorInner::Aes256(e) => e.encrypt_blocks(blocks),
        }
        Ok(())
    }
}

/// View `buf` as AES blocks, or [`Error::InvalidLength`] if it is not a whole number.
fn as_blocks(buf: &mut [u8]) -> Result<&mut [Array<u8, aes::cipher::consts::U16>], Error> {
    let (blocks, rest) = Array::slice_as_chunks_mut(buf);
    if rest.is_empty() {
        Ok(blocks)
    } else {
        Err(Error::InvalidLength)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    // NIST SP 800-38A Appendix F.2: the four-block plaintext shared by all CBC examples.
    const SP800_38A_PT: &str = "6bc1bee22e409f96e93d7e117393172a\
                                ae2d8a571e03ac9c9eb76fac45af8e51\
                                30c81c46a35ce411e5fbc1191a0a52ef\
                                f69f2445df4f9b17ad2b417be66c3710";
    const SP800_38A_IV: &str = "000102030405060708090a0b0c0d0e0f";

    /// SP 800-38A F.2.1/F.2.2 (CBC-AES128) and F.2.5/F.2.6 (CBC-AES256).
    #[test]
    fn sp800_38a_vectors() {
        let cases = [
            (
                "2b7e151628aed2a6abf7158809cf4f3c",
                "7649abac8119b246cee98e9b12e9197d\
                 5086cb9b507219ee95db113a917678b2\
                 73bed6b8e3c1743b7116e69e22229516\
                 3ff1caa1681fac09120eca307586e1a7",
            ),
            (
                "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
                "f58c4c04d6e5f1ba779eabfb5f7bfbd6\
                 9cfc4e967edb808d679f777bc6702c7d\
                 39f23369a9d9bacfa530e26304231461\
                 b2eb05e2c39be9fcda6c19078c6a9d1b",
            ),
        ];
        let iv: [u8; 16] = h(SP800_38A_IV).try_into().unwrap();
        for (key, ct) in cases {
            let key = AesCbcKey::new(&h(key)).unwrap();
            let mut buf = h(SP800_38A_PT);
            key.encrypt_in_place(&iv, &mut buf).unwrap();
            assert_eq!(buf, h(ct), "encrypt, key_len {}", key.key_len());
            key.decrypt_in_place(&iv, &mut buf).unwrap();
            assert_eq!(buf, h(SP800_38A_PT), "decrypt, key_len {}", key.key_len());
        }
    }

    /// The encryptor, fed any split of whole blocks, gives what one call gives.
    #[test]
    fn encryptor_in_pieces_matches_one_call() {
        for key in [[3u8; 16].as_slice(), [4u8; 32].as_slice()] {
            let key = AesCbcKey::new(key).unwrap();
            let iv = [9u8; 16];
            let plain: Vec<u8> = (0..64 * 16).map(|i: usize| (i * 31) as u8).collect();
            let mut want = plain.clone();
            key.encrypt_in_place(&iv, &mut want).unwrap();
            for step in [1usize, 3, 4, 7, 64] {
                let mut got = plain.clone();
                let mut e = key.encryptor(&iv);
                for chunk in got.chunks_mut(step * 16) {
                    e.encrypt_blocks(chunk).unwrap();
                }
                assert_eq!(got, want, "step {step}");
            }
            let mut e = key.encryptor(&iv);
            let mut odd = [0u8; 17];
            assert_eq!(e.encrypt_blocks(&mut odd), Err(Error::InvalidLength));
            assert_eq!(odd, [0u8; 17]);
        }
    }

    #[test]
    fn key_lengths() {
        assert_eq!(AesCbcKey::new(&[0; 16]).unwrap().key_len(), 16);
        assert_eq!(AesCbcKey::new(&[0; 32]).unwrap().key_len(), 32);
        for bad in [0, 1, 15, 17, 24, 31, 33, 64] {
            assert_eq!(
                AesCbcKey::new(&std::vec![0; bad]).unwrap_err(),
                Error::InvalidLength,
                "{bad}"
            );
        }
    }

    #[test]
    fn partial_blocks_are_rejected_untouched() {
        let key = AesCbcKey::new(&[1; 16]).unwrap();
        for len in [1, 15, 17, 31, 33, 100] {
            let mut buf = std::vec![0xa5; len];
            assert_eq!(
                key.encrypt_in_place(&[0; 16], &mut buf),
                Err(Error::InvalidLength)
            );
            assert_eq!(
                key.decrypt_in_place(&[0; 16], &mut buf),
                Err(Error::InvalidLength)
            );
            assert!(buf.iter().all(|&b| b == 0xa5));
        }
        let mut empty = [0u8; 0];
        key.encrypt_in_place(&[0; 16], &mut empty).unwrap();
        key.decrypt_in_place(&[0; 16], &mut empty).unwrap();
    }
}
