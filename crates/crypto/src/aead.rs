//! AEAD ciphers for TLS 1.2 records: AES-128-GCM, AES-256-GCM (RFC 5288, NIST SP 800-38D),
//! AES-128-CCM with a 16- or 8-byte tag (RFC 3610, NIST SP 800-38C; RFC 6655, RFC 7251)
//! and ChaCha20-Poly1305 (RFC 8439, RFC 7905).
//!
//! Thin wrappers over RustCrypto's `aes-gcm`, `ccm` and `chacha20poly1305`: a key is
//! expanded once ([`AesGcmKey::new`], [`AesCcmKey::new`], [`ChaCha20Poly1305Key::new`])
//! and seals or opens buffers in place with a 12-byte nonce, associated data and a
//! detached tag (16 bytes; 16 or 8 for CCM, chosen when the key is made). The record
//! layer builds nonce and associated data (RFC 5246 §6.2.3.3); nothing here allocates.
//!
//! Opening checks the tag in constant time and releases no plaintext on failure: a wrong
//! tag is [`Error::BadTag`](crate::Error::BadTag). GCM and ChaCha20-Poly1305 check before
//! decrypting and leave the buffer as it was; CCM authenticates the plaintext, so it
//! decrypts first and, on a wrong tag, zeroes the buffer before returning.
//!
//! Timing: `aes` uses hardware AES where the CPU has it and a bitsliced, constant-time
//! software implementation otherwise; GHASH (`polyval`) uses carry-less multiplication
//! where available and a constant-time software multiply otherwise; CCM's CBC-MAC and CTR
//! are AES calls and XORs, its tag comparison is `ctutils`' constant-time equality;
//! ChaCha20 and Poly1305 are constant time by construction.
//!
//! Features: `aes-gcm`, `aes-ccm` and `chacha20poly1305` (all default) each bring one
//! cipher.
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
//!
//! CCM writes its tag into a slice of the length chosen at construction:
//!
//! ```
//! # #[cfg(feature = "aes-ccm")] {
//! use sanstls_crypto::aead::{AesCcmKey, NONCE_LEN};
//!
//! let key = AesCcmKey::new(&[0x42; 16], 8).unwrap(); // AES-128-CCM_8
//! let nonce = [7u8; NONCE_LEN];
//! let mut buf = *b"some plaintext";
//! let mut tag = [0u8; 8];
//! key.seal_in_place(&nonce, b"header", &mut buf, &mut tag).unwrap();
//! key.open_in_place(&nonce, b"header", &mut buf, &tag).unwrap();
//! assert_eq!(&buf, b"some plaintext");
//! # }
//! ```

/// The nonce length of every AEAD here (RFC 5116 §3.2 `N_MIN = N_MAX = 12`).
pub const NONCE_LEN: usize = 12;
/// The tag length of GCM and ChaCha20-Poly1305 here, and the longer of CCM's two (16
/// bytes: full-length tags).
pub const TAG_LEN: usize = 16;

#[cfg(feature = "aes-gcm")]
pub use gcm::AesGcmKey;

#[cfg(feature = "aes-ccm")]
pub use ccm_key::{AesCcmKey, CCM_8_TAG_LEN};

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

#[cfg(feature = "aes-ccm")]
mod ccm_key {
    use aes::Aes128;
    use ccm::aead::{AeadInOut as _, KeyInit as _};
    use ccm::consts::{U8, U12, U16};
    use ccm::{Ccm, Nonce, Tag};

    use super::{NONCE_LEN, TAG_LEN};
    use crate::Error;

    /// The tag length of the `_CCM_8` suites (RFC 6655 §4).
    pub const CCM_8_TAG_LEN: usize = 8;

    /// CCM's message length limit with a 12-byte nonce: the length field is
    /// `L = 15 - 12 = 3` bytes (RFC 3610 §2.1, RFC 6655 §3), so at most 2^24 - 1 bytes.
    const MAX_LEN: usize = (1 << 24) - 1;

    // `ccm` 0.6 has no `zeroize` feature, and `Ccm` no `Drop` of its own: a
    // `Ccm<Aes128, M, N>` is the `Aes128` it wraps and a `PhantomData` (ccm 0.6.1
    // src/lib.rs), so dropping it drops the `Aes128`, whose `Drop` wipes the key
    // schedule with `aes`'s `zeroize` feature (enabled in Cargo.toml). This fails to
    // compile if that feature is lost. (The counter blocks, CBC-MAC state and keystream
    // that `ccm` keeps on the stack during one call are not wiped; no key material is.)
    const _: () = {
        const fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        assert_zeroize_on_drop::<Aes128>();
    };

    /// AES-128-CCM, 12-byte nonce, 16-byte tag (`TLS_*_WITH_AES_128_CCM`).
    type Ccm16 = Ccm<Aes128, U16, U12>;
    /// AES-128-CCM, 12-byte nonce, 8-byte tag (`TLS_*_WITH_AES_128_CCM_8`).
    type Ccm8 = Ccm<Aes128, U8, U12>;

    // Inline rather than boxed, as `AesGcmKey`: no allocation.
    enum Inner {
        Tag16(Ccm16),
        Tag8(Ccm8),
    }

    /// An AES-128-CCM key (RFC 3610, NIST SP 800-38C) with its key schedule expanded, for
    /// 12-byte nonces (RFC 6655 §3: a 4-byte salt and an 8-byte explicit nonce, so the
    /// length field is `L = 3` bytes) and a tag of 16 or 8 bytes chosen at construction.
    ///
    /// AES-128 only: TLS defines AES-256-CCM suites too (RFC 6655), but sanstls offers
    /// none of them. The key schedule is zeroized on drop.
    pub struct AesCcmKey {
        inner: Inner,
    }

    impl core::fmt::Debug for AesCcmKey {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("AesCcmKey")
                .field("tag_len", &self.tag_len())
                .finish_non_exhaustive()
        }
    }

    impl AesCcmKey {
        /// The key length in bytes (AES-128).
        pub const KEY_LEN: usize = 16;

        /// Expand a 16-byte `key` for tags of `tag_len` bytes: 16 ([`TAG_LEN`], AES-128-CCM)
        /// or 8 ([`CCM_8_TAG_LEN`], AES-128-CCM_8).
        ///
        /// Any other key or tag length is [`Error::InvalidLength`].
        pub fn new(key: &[u8], tag_len: usize) -> Result<Self, Error> {
            if key.len() != Self::KEY_LEN {
                return Err(Error::InvalidLength);
            }
            let inner = match tag_len {
                TAG_LEN => {
                    Inner::Tag16(Ccm16::new_from_slice(key).map_err(|_| Error::InvalidLength)?)
                }
                CCM_8_TAG_LEN => {
                    Inner::Tag8(Ccm8::new_from_slice(key).map_err(|_| Error::InvalidLength)?)
                }
                _ => return Err(Error::InvalidLength),
            };
            Ok(AesCcmKey { inner })
        }

        /// The tag length in bytes: 16 or 8.
        pub fn tag_len(&self) -> usize {
            match self.inner {
                Inner::Tag16(_) => TAG_LEN,
                Inner::Tag8(_) => CCM_8_TAG_LEN,
            }
        }

        /// Encrypt `buf` in place under `nonce`, authenticating `aad` too, and write the
        /// tag into `tag`, which must be [`AesCcmKey::tag_len`] bytes long.
        ///
        /// The caller must never use a nonce twice under one key (RFC 6655 §3; the TLS
        /// record layer uses the sequence number as explicit nonce). [`Error::InvalidLength`]
        /// for a `tag` of the wrong length or a `buf` over 2^24 - 1 bytes (the limit of
        /// `L = 3`), which records never reach; `buf` is then untouched.
        pub fn seal_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
            tag: &mut [u8],
        ) -> Result<(), Error> {
            if buf.len() > MAX_LEN || tag.len() != self.tag_len() {
                return Err(Error::InvalidLength);
            }
            let nonce = Nonce::<U12>::from(*nonce);
            match &self.inner {
                Inner::Tag16(c) => {
                    let t = c
                        .encrypt_inout_detached(&nonce, aad, buf.into())
                        .map_err(|_| Error::InvalidLength)?;
                    tag.copy_from_slice(&t);
                }
                Inner::Tag8(c) => {
                    let t = c
                        .encrypt_inout_detached(&nonce, aad, buf.into())
                        .map_err(|_| Error::InvalidLength)?;
                    tag.copy_from_slice(&t);
                }
            }
            Ok(())
        }

        /// Decrypt `buf` in place and check `tag` (of [`AesCcmKey::tag_len`] bytes) over
        /// `aad` and the plaintext.
        ///
        /// A wrong tag is [`Error::BadTag`], compared in constant time; `buf` is then all
        /// zeros (CCM's MAC covers the plaintext, so it must be decrypted to be checked;
        /// it is wiped, never released). A `tag` of the wrong length, or a `buf` over
        /// 2^24 - 1 bytes, is [`Error::BadTag`] too and leaves `buf` as it was.
        pub fn open_in_place(
            &self,
            nonce: &[u8; NONCE_LEN],
            aad: &[u8],
            buf: &mut [u8],
            tag: &[u8],
        ) -> Result<(), Error> {
            // Checked here, before `ccm` decrypts: its own length check comes after the
            // decryption and would return the plaintext of an unauthenticated buffer.
            if buf.len() > MAX_LEN {
                return Err(Error::BadTag);
            }
            let nonce = Nonce::<U12>::from(*nonce);
            match &self.inner {
                Inner::Tag16(c) => {
                    let tag = Tag::<U16>::try_from(tag).map_err(|_| Error::BadTag)?;
                    c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
                }
                Inner::Tag8(c) => {
                    let tag = Tag::<U8>::try_from(tag).map_err(|_| Error::BadTag)?;
                    c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
                }
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

    /// NIST SP 800-38C Appendix C, Example 3: AES-128, 12-byte nonce, 20 bytes of
    /// associated data, 24-byte payload, 8-byte tag.
    #[cfg(feature = "aes-ccm")]
    #[test]
    fn ccm_sp800_38c_example_3() {
        let key = AesCcmKey::new(&h("404142434445464748494a4b4c4d4e4f"), 8).unwrap();
        assert_eq!(key.tag_len(), 8);
        let nonce: [u8; 12] = h("101112131415161718191a1b").try_into().unwrap();
        let aad = h("000102030405060708090a0b0c0d0e0f10111213");
        let pt = h("202122232425262728292a2b2c2d2e2f3031323334353637");
        let mut buf = pt.clone();
        let mut tag = [0u8; 8];
        key.seal_in_place(&nonce, &aad, &mut buf, &mut tag).unwrap();
        assert_eq!(buf, h("e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5"));
        assert_eq!(tag.to_vec(), h("484392fbc1b09951"));
        let ct = buf.clone();
        let mut bad = tag;
        bad[7] ^= 1;
        assert_eq!(
            key.open_in_place(&nonce, &aad, &mut buf, &bad),
            Err(Error::BadTag)
        );
        assert!(buf.iter().all(|&b| b == 0), "a refused buffer is wiped");
        let mut buf = ct.clone();
        // A tag of the other length is refused, the buffer untouched.
        assert_eq!(
            key.open_in_place(&nonce, &aad, &mut buf, &[0; 16]),
            Err(Error::BadTag)
        );
        assert_eq!(buf, ct);
        assert_eq!(
            key.seal_in_place(&nonce, &aad, &mut buf, &mut [0; 16]),
            Err(Error::InvalidLength)
        );
        assert_eq!(buf, ct);
        key.open_in_place(&nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, pt);
    }

    /// The 16-byte tag variant agrees with the 8-byte one on the ciphertext (same CTR
    /// stream) and differs in the tag (the tag length is in CCM's first block).
    #[cfg(feature = "aes-ccm")]
    #[test]
    fn ccm_tag_lengths() {
        let k = [3u8; 16];
        let nonce = [9u8; 12];
        let (k16, k8) = (
            AesCcmKey::new(&k, 16).unwrap(),
            AesCcmKey::new(&k, 8).unwrap(),
        );
        let (mut a, mut b) = (*b"record payload", *b"record payload");
        let (mut t16, mut t8) = ([0u8; 16], [0u8; 8]);
        k16.seal_in_place(&nonce, b"aad", &mut a, &mut t16).unwrap();
        k8.seal_in_place(&nonce, b"aad", &mut b, &mut t8).unwrap();
        assert_eq!(a, b);
        assert_ne!(t16[..8], t8[..]);
        k16.open_in_place(&nonce, b"aad", &mut a, &t16).unwrap();
        assert_eq!(&a, b"record payload");
        // Empty payload and empty associated data.
        let mut empty = [0u8; 0];
        k8.seal_in_place(&nonce, b"", &mut empty, &mut t8).unwrap();
        k8.open_in_place(&nonce, b"", &mut empty, &t8).unwrap();
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
        #[cfg(feature = "aes-ccm")]
        for (len, tag, ok) in [
            (16, 16, true),
            (16, 8, true),
            (32, 16, false),
            (24, 8, false),
            (0, 16, false),
            (16, 12, false),
            (16, 4, false),
            (16, 0, false),
        ] {
            assert_eq!(
                AesCcmKey::new(&std::vec![0; len], tag).is_ok(),
                ok,
                "{len} {tag}"
            );
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
