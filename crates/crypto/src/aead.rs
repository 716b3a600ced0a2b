//! AEAD ciphers for TLS 1.2 records: AES-128-GCM, AES-256-GCM (RFC 5288, NIST SP 800-38D)
//! and ChaCha20-Poly1305 (RFC 8439, RFC 7905).
//!
//! Thin wrappers over RustCrypto's `aes-gcm` and `chacha20poly1305`: a key is expanded
//! once ([`AesGcmKey::new`], [`ChaCha20Poly1305Key::new`]) and seals or opens buffers in
//! place with a 12-byte nonce, associated data and a detached 16-byte tag. The record
//! layer builds nonce and associated data (RFC 5246 §6.2.3.3); nothing here allocates.
//!
//! Opening checks the tag in constant time before decrypting anything; a wrong tag is
//! [`Error::BadTag`](crate::Error::BadTag) and leaves the buffer as it was.
//!
//! Timing: `aes` uses hardware AES where the CPU has it and a bitsliced, constant-time
//! software implementation otherwise; GHASH (`polyval`) uses carry-less multiplication
//! where available and a constant-time software multiply otherwise; ChaCha20 and
//! Poly1305 are constant time by construction.
//!
//! Features: `aes-gcm` and `chacha20poly1305` (both default) each bring one cipher.
//!
//! ```
//! # #[cfg(feature = "aes-gcm")] {
//! use sanstls_crypto::aead::{AesGcmKey, NONCE_LEN};
//!
//! let key = AesGcmKey::new(&[0x42; 16]).unwrap();
//! let nonce = [7u8; NONCE_LEN];
//! let mut buf = *b"some plaintext";
//! let tag = key.seal_in_place(&nonce, b"header", &mut buf).unwrap();
//! assert_ne!(&buf, b"some plaintext");
//! key.open_in_place(&nonce, b"header", &mut buf, &tag).unwrap();
//! assert_eq!(&buf, b"some plaintext");
//! # }
//! ```

/// The nonce length of every AEAD here (RFC 5116 §3.2 `N_MIN = N_MAX = 12`).
pub const NONCE_LEN: usize = 12;
/// The tag length of every AEAD here (16 bytes: full-length GCM and Poly1305 tags).
pub const TAG_LEN: usize = 16;

#[cfg(feature = "aes-gcm")]
pub use gcm::AesGcmKey;

#[cfg(feature = "chacha20poly1305")]
pub use chacha::ChaCha20Poly1305Key;

#[cfg(feature = "aes-gcm")]
mod gcm {
    use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
    use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};

    use super::{NONCE_LEN, TAG_LEN};
    use crate::Error;

    // The key schedules and GHASH keys must wipe themselves on drop: `aes-gcm` marks
    // `AesGcm` `ZeroizeOnDrop` only with its `zeroize` feature (enabled in Cargo.toml),
    // which also turns on that of `aes` and `ghash`. This fails to compile if it is lost.
    const _: () = {
        const fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        assert_zeroize_on_drop::<Aes128Gcm>();
        assert_zeroize_on_drop::<Aes256Gcm>();
    };

    // Inline rather than boxed, as `cipher::AesCbcKey`: the key lives as long as the
    // record state and construction stays allocation-free.
    #[allow(clippy::large_enum_variant)]
    enum Inner {
        Aes128(Aes128Gcm),
        Aes256(Aes256Gcm),
    }

    /// An AES-128-GCM or AES-256-GCM key with its key schedule and GHASH key expanded.
    ///
    /// Both are zeroized on drop.
    pub struct AesGcmKey {
        inner: Inner,
    }

    impl core::fmt::Debug for AesGcmKey {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("AesGcmKey")
                .field("key_len", &self.key_len())
                .finish_non_exhaustive()
        }
    }

    impl AesGcmKey {
        /// Expand `key`: 16 bytes for AES-128-GCM, 32 bytes for AES-256-GCM.
        ///
        /// Any other length is [`Error::InvalidLength`].
        pub fn new(key: &[u8]) -> Result<Self, Error> {
            let inner = match key.len() {
                16 => {
                    Inner::Aes128(Aes128Gcm::new_from_slice(key).map_err(|_| Error::InvalidLength)?)
                }
                32 => {
                    Inner::Aes256(Aes256Gcm::new_from_slice(key).map_err(|_| Error::InvalidLength)?)
                }
                _ => return Err(Error::InvalidLength),
            };
            Ok(AesGcmKey { inner })
        }

        /// The key length in bytes: 16 or 32.
        pub fn key_len(&self) -> usize {
            match self.inner {
                Inner::Aes128(_) => 16,
                Inner::Aes256(_) => 32,
            }
        }

        /// Encrypt `buf` in place under `nonce`, authenticating `aad` too; returns the
        /// tag.
        ///
        /// The caller must never use a nonce twice under one key (RFC 5116 §3.1; the TLS
        /// record layer uses the sequence number, RFC 5288 §3). [`Error::InvalidLength`]
        /// for inputs over GCM's limits (about 64 GiB), which records never reach.
        pub fn seal_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<[u8; TAG_LEN], Error> {
            let nonce = Nonce::from(*nonce);
            let tag = match &self.inner {
                Inner::Aes128(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
                Inner::Aes256(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
            }
            .map_err(|_| Error::InvalidLength)?;
            Ok(tag.into())
        }

        /// Check `tag` over `aad` and the ciphertext in `buf`, then decrypt `buf` in
        /// place.
        ///
        /// A wrong tag is [`Error::BadTag`] (checked in constant time) and `buf` is left
        /// undecrypted.
        pub fn open_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
            tag: &[u8; TAG_LEN],
        ) -> Result<(), Error> {
            let nonce = Nonce::from(*nonce);
            let tag = Tag::from(*tag);
            match &self.inner {
                Inner::Aes128(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
                Inner::Aes256(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
            }
            .map_err(|_| Error::BadTag)
        }
    }
}

#[cfg(feature = "chacha20poly1305")]
mod chacha {
    use chacha20poly1305::aead::{AeadInOut as _, KeyInit as _};
    use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};

    use super::{NONCE_LEN, TAG_LEN};
    use crate::Error;

    // `ChaChaPoly1305` zeroizes its key on drop with the `zeroize` feature (enabled in
    // Cargo.toml); this fails to compile if that feature is lost.
    const _: () = {
        const fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        assert_zeroize_on_drop::<ChaCha20Poly1305>();
    };

    /// A ChaCha20-Poly1305 key (RFC 8439 §2.8), 32 bytes, zeroized on drop.
    pub struct ChaCha20Poly1305Key {
        inner: ChaCha20Poly1305,
    }

    impl core::fmt::Debug for ChaCha20Poly1305Key {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("ChaCha20Poly1305Key")
                .finish_non_exhaustive()
        }
    }

    impl ChaCha20Poly1305Key {
        /// The key length in bytes.
        pub const KEY_LEN: usize = 32;

        /// Take a 32-byte key; any other length is [`Error::InvalidLength`].
        pub fn new(key: &[u8]) -> Result<Self, Error> {
            if key.len() != Self::KEY_LEN {
                return Err(Error::InvalidLength);
            }
            let inner = ChaCha20Poly1305::new_from_slice(key).map_err(|_| Error::InvalidLength)?;
            Ok(ChaCha20Poly1305Key { inner })
        }

        /// Encrypt `buf` in place under `nonce`, authenticating `aad` too; returns the
        /// tag.
        ///
        /// The caller must never use a nonce twice under one key (RFC 8439 §4; the TLS
        /// record layer mixes in the sequence number, RFC 7905 §2).
        /// [`Error::InvalidLength`] for inputs over the cipher's limit (256 GiB).
        pub fn seal_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
        ) -> Result<[u8; TAG_LEN], Error> {
            let tag = self
                .inner
                .encrypt_inout_detached(&Nonce::from(*nonce), aad, buf.into())
                .map_err(|_| Error::InvalidLength)?;
            Ok(tag.into())
        }

        /// Check `tag` over `aad` and the ciphertext in `buf`, then decrypt `buf` in
        /// place.
        ///
        /// A wrong tag is [`Error::BadTag`] (checked in constant time) and `buf` is left
        /// undecrypted.
        pub fn open_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
            tag: &[u8; TAG_LEN],
        ) -> Result<(), Error> {
            self.inner
                .decrypt_inout_detached(&Nonce::from(*nonce), aad, buf.into(), &Tag::from(*tag))
                .map_err(|_| Error::BadTag)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use std::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// NIST GCM test case 4 (McGrew & Viega, "The Galois/Counter Mode of Operation"),
    /// AES-128 with AAD and a 60-byte plaintext.
    #[cfg(feature = "aes-gcm")]
    #[test]
    fn gcm_spec_test_case_4() {
        let key = AesGcmKey::new(&h("feffe9928665731c6d6a8f9467308308")).unwrap();
        let nonce: [u8; 12] = h("cafebabefacedbaddecaf888").try_into().unwrap();
        let aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let pt = h(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                    1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        );
        let ct = h(
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
                    21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        );
        let mut buf = pt.clone();
        let tag = key.seal_in_place(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(buf, ct);
        assert_eq!(tag.to_vec(), h("5bc94fbc3221a5db94fae95ae7121a47"));
        let mut bad = tag;
        bad[15] ^= 1;
        assert_eq!(
            key.open_in_place(&nonce, &aad, &mut buf, &bad),
            Err(Error::BadTag)
        );
        assert_eq!(buf, ct, "a refused record is left undecrypted");
        key.open_in_place(&nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, pt);
    }

    /// RFC 8439 §2.8.2.
    #[cfg(feature = "chacha20poly1305")]
    #[test]
    fn chacha_rfc8439_2_8_2() {
        let key = ChaCha20Poly1305Key::new(&h(
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
        ))
        .unwrap();
        let nonce: [u8; 12] = h("070000004041424344454647").try_into().unwrap();
        let aad = h("50515253c0c1c2c3c4c5c6c7");
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let mut buf = pt.to_vec();
        let tag = key.seal_in_place(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(&buf[..16], &h("d31a8d34648e60db7b86afbc53ef7ec2")[..]);
        assert_eq!(tag.to_vec(), h("1ae10b594f09e26a7e902ecbd0600691"));
        key.open_in_place(&nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(&buf[..], &pt[..]);
    }

    #[test]
    fn key_lengths() {
        #[cfg(feature = "aes-gcm")]
        for (len, ok) in [(16, true), (32, true), (0, false), (24, false), (31, false)] {
            assert_eq!(AesGcmKey::new(&std::vec![0; len]).is_ok(), ok, "{len}");
        }
        #[cfg(feature = "chacha20poly1305")]
        for (len, ok) in [(32, true), (0, false), (16, false), (33, false)] {
            assert_eq!(
                ChaCha20Poly1305Key::new(&std::vec![0; len]).is_ok(),
                ok,
                "{len}"
            );
        }
    }
}
