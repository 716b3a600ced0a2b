//! AEAD record protection (RFC 5246 §6.2.3.3): AES-GCM (RFC 5288), AES-128-CCM and
//! AES-128-CCM_8 (RFC 6655, RFC 7251) and ChaCha20-Poly1305 (RFC 7905).
//!
//! # Record layouts
//!
//! ```text
//! AES-GCM:            nonce_explicit(8) | E(content) | tag(16)
//! AES-128-CCM:        nonce_explicit(8) | E(content) | tag(16)
//! AES-128-CCM_8:      nonce_explicit(8) | E(content) | tag(8)
//! ChaCha20-Poly1305:  E(content) | tag(16)
//! additional_data = seq_num(8) | type(1) | version(2) | length(2)   (plaintext length)
//! ```
//!
//! The tag length depends on the algorithm ([`AeadAlgorithm::tag_len`]), and so does what
//! a record adds to its plaintext ([`AeadAlgorithm::expansion`]: 24, 24, 16, 16 bytes).
//!
//! # Nonces
//!
//! - AES-GCM (RFC 5288 §3) and AES-CCM (RFC 6655 §3, the same construction): `salt(4) |
//!   nonce_explicit(8)`, the salt being the 4-byte `*_write_IV` of the key block. The
//!   sender's explicit nonce is its 64-bit sequence number, which never repeats under a
//!   key (sequence numbers do not wrap) and is sent in the record; the receiver takes the
//!   explicit nonce from the record, as RFC 5288 asks. With a 12-byte nonce CCM's length
//!   field is `L = 15 - 12 = 3` bytes (RFC 6655 §3), ample for a record.
//! - ChaCha20-Poly1305 (RFC 7905 §2): the 12-byte `*_write_IV` XORed with the sequence
//!   number, left-padded with zeros to 12 bytes; nothing is sent.
//!
//! Encrypt-then-MAC (RFC 7366) does not apply to AEAD suites (RFC 7366 §3), so there is
//! no mode to choose. The tag is checked in constant time and no plaintext of a refused
//! record is released (GCM and ChaCha20-Poly1305 check before decrypting; CCM, whose MAC
//! covers the plaintext, decrypts, checks, and wipes the fragment on failure); every
//! failure is [`Error::BadRecordMac`].
//!
//! A crypto provider (`sanstls_crypto::provider`) may supply the GCM and ChaCha20-Poly1305
//! keys; its AEAD interface has 16-byte tags only, so CCM keys are always built in.

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
#[cfg(feature = "aes-ccm")]
use sanstls_crypto::aead::AesCcmKey;
#[cfg(feature = "aes-gcm")]
use sanstls_crypto::aead::AesGcmKey;
#[cfg(feature = "chacha20poly1305")]
use sanstls_crypto::aead::ChaCha20Poly1305Key;
use sanstls_crypto::aead::{NONCE_LEN, TAG_LEN};
#[cfg(feature = "alloc")]
use sanstls_crypto::provider::{
    AeadAlgorithm as ProviderAlg, AeadKey as ProvidedAeadKey, CryptoProvider,
};
use zeroize::Zeroize as _;

use crate::Error;
use crate::MAC_HEADER_LEN;
use crate::{Held, hold};

/// The tag length of AES-128-CCM_8 (RFC 6655 §4; `sanstls_crypto::aead::CCM_8_TAG_LEN`,
/// which exists only with feature `aes-ccm`).
const CCM_8_TAG_LEN: usize = 8;

/// An AEAD cipher for TLS 1.2 records.
///
/// All variants exist in every build; one whose cargo feature (`aes-gcm`, `aes-ccm`,
/// `chacha20poly1305`, all default) is off is refused by the constructors with
/// [`Error::InvalidKeys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-128-GCM (RFC 5288): 16-byte key, 4-byte salt, 8-byte explicit nonce.
    Aes128Gcm,
    /// AES-256-GCM (RFC 5288): 32-byte key, 4-byte salt, 8-byte explicit nonce.
    Aes256Gcm,
    /// AES-128-CCM (RFC 6655, RFC 7251): 16-byte key, 4-byte salt, 8-byte explicit
    /// nonce, 16-byte tag.
    Aes128Ccm,
    /// AES-128-CCM_8 (RFC 6655, RFC 7251): 16-byte key, 4-byte salt, 8-byte explicit
    /// nonce, 8-byte tag.
    Aes128Ccm8,
    /// ChaCha20-Poly1305 (RFC 7905): 32-byte key, 12-byte IV, no explicit nonce.
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// The key length in bytes (`enc_key_length`).
    pub const fn key_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes128Ccm | AeadAlgorithm::Aes128Ccm8 => 16,
            AeadAlgorithm::Aes256Gcm | AeadAlgorithm::ChaCha20Poly1305 => 32,
        }
    }

    /// The length of the `*_write_IV` in the key block (`fixed_iv_length`): 4 for GCM
    /// (RFC 5288 §3) and CCM (RFC 6655 §3), 12 for ChaCha20-Poly1305 (RFC 7905 §2).
    pub const fn fixed_iv_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm
            | AeadAlgorithm::Aes256Gcm
            | AeadAlgorithm::Aes128Ccm
            | AeadAlgorithm::Aes128Ccm8 => 4,
            AeadAlgorithm::ChaCha20Poly1305 => NONCE_LEN,
        }
    }

    /// The length of the explicit nonce sent in each record (`record_iv_length`): 8 for
    /// GCM and CCM, 0 for ChaCha20-Poly1305.
    pub const fn explicit_nonce_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm
            | AeadAlgorithm::Aes256Gcm
            | AeadAlgorithm::Aes128Ccm
            | AeadAlgorithm::Aes128Ccm8 => 8,
            AeadAlgorithm::ChaCha20Poly1305 => 0,
        }
    }

    /// The tag length: 8 for AES-128-CCM_8 (RFC 6655 §4), 16 for the others.
    pub const fn tag_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 => CCM_8_TAG_LEN,
            AeadAlgorithm::Aes128Gcm
            | AeadAlgorithm::Aes256Gcm
            | AeadAlgorithm::Aes128Ccm
            | AeadAlgorithm::ChaCha20Poly1305 => TAG_LEN,
        }
    }

    /// What a record adds to its plaintext: explicit nonce and tag (24 for GCM and
    /// CCM, 16 for CCM_8 and ChaCha20-Poly1305).
    pub const fn expansion(self) -> usize {
        self.explicit_nonce_len() + self.tag_len()
    }
}

#[allow(clippy::large_enum_variant)]
enum Key {
    #[cfg(feature = "aes-gcm")]
    Gcm(AesGcmKey),
    /// AES-128-CCM with the tag length of the algorithm; never a provider's.
    #[cfg(feature = "aes-ccm")]
    Ccm(AesCcmKey),
    #[cfg(feature = "chacha20poly1305")]
    ChaCha(ChaCha20Poly1305Key),
    /// A crypto provider's key (16-byte tags: GCM and ChaCha20-Poly1305 only) (`sanstls_crypto::provider`).
    #[cfg(feature = "alloc")]
    Provided(Box<dyn ProvidedAeadKey>),
}

/// The keyed state of one direction.
pub(crate) struct AeadState {
    alg: AeadAlgorithm,
    key: Held<Key>,
    /// The salt (first 4 bytes, GCM and CCM) or the whole 12-byte IV
    /// (ChaCha20-Poly1305).
    iv: [u8; NONCE_LEN],
}

impl Drop for AeadState {
    fn drop(&mut self) {
        self.iv.zeroize();
    }
}

impl AeadState {
    pub(crate) fn new(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Self::build(alg, key, iv, None)
    }

    /// The state with the key from `provider`, or built in if it declines.
    ///
    /// The provider is asked for GCM and ChaCha20-Poly1305 keys only: its AEAD interface
    /// (`sanstls_crypto::provider::AeadKey`) has 16-byte tags and no CCM, so AES-128-CCM
    /// and AES-128-CCM_8 always run on the built-in key, whatever the provider.
    #[cfg(feature = "alloc")]
    pub(crate) fn new_with(
        provider: &dyn CryptoProvider,
        alg: AeadAlgorithm,
        key: &[u8],
        iv: &[u8],
    ) -> Result<Self, Error> {
        if key.len() != alg.key_len() || iv.len() != alg.fixed_iv_len() {
            return Err(Error::InvalidKeys);
        }
        let which = match alg {
            AeadAlgorithm::Aes128Gcm => ProviderAlg::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm => ProviderAlg::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305 => ProviderAlg::ChaCha20Poly1305,
            AeadAlgorithm::Aes128Ccm | AeadAlgorithm::Aes128Ccm8 => {
                return Self::build(alg, key, iv, None);
            }
        };
        let provided = provider
            .aead_key(which, key)
            .transpose()
            .map_err(|_| Error::InvalidKeys)?;
        Self::build(alg, key, iv, provided.map(Key::Provided))
    }

    fn build(
        alg: AeadAlgorithm,
        key: &[u8],
        iv: &[u8],
        provided: Option<Key>,
    ) -> Result<Self, Error> {
        if key.len() != alg.key_len() || iv.len() != alg.fixed_iv_len() {
            return Err(Error::InvalidKeys);
        }
        let key = match (provided, alg) {
            (Some(k), _) => k,
            #[cfg(feature = "aes-gcm")]
            (None, AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm) => {
                Key::Gcm(AesGcmKey::new(key).map_err(|_| Error::InvalidKeys)?)
            }
            #[cfg(feature = "aes-ccm")]
            (None, AeadAlgorithm::Aes128Ccm | AeadAlgorithm::Aes128Ccm8) => {
                Key::Ccm(AesCcmKey::new(key, alg.tag_len()).map_err(|_| Error::InvalidKeys)?)
            }
            #[cfg(feature = "chacha20poly1305")]
            (None, AeadAlgorithm::ChaCha20Poly1305) => {
                Key::ChaCha(ChaCha20Poly1305Key::new(key).map_err(|_| Error::InvalidKeys)?)
            }
            #[allow(unreachable_patterns)]
            _ => return Err(Error::InvalidKeys),
        };
        let mut fixed = [0u8; NONCE_LEN];
        fixed[..iv.len()].copy_from_slice(iv);
        Ok(AeadState {
            alg,
            key: hold(key),
            iv: fixed,
        })
    }

    pub(crate) fn algorithm(&self) -> AeadAlgorithm {
        self.alg
    }

    /// Bytes between the record header and the payload: the explicit nonce.
    pub(crate) fn payload_offset(&self) -> usize {
        self.alg.explicit_nonce_len()
    }

    /// The fragment length of a sealed payload of `n` bytes.
    pub(crate) fn sealed_fragment_len(&self, n: usize) -> usize {
        n + self.alg.expansion()
    }

    /// The most a record can add to its plaintext.
    pub(crate) fn max_expansion(&self) -> usize {
        self.alg.expansion()
    }

    /// The per-record nonce; `explicit` is the GCM or CCM explicit nonce (the sender's
    /// sequence number, or what the received record carries), ignored for
    /// ChaCha20-Poly1305.
    fn nonce(&self, seq: u64, explicit: [u8; 8]) -> [u8; NONCE_LEN] {
        let mut nonce = self.iv;
        match self.alg {
            // RFC 5288 §3 (GCM), RFC 6655 §3 (CCM): salt || nonce_explicit.
            AeadAlgorithm::Aes128Gcm
            | AeadAlgorithm::Aes256Gcm
            | AeadAlgorithm::Aes128Ccm
            | AeadAlgorithm::Aes128Ccm8 => {
                nonce[4..].copy_from_slice(&explicit);
            }
            // RFC 7905 §2: the padded sequence number XORed with the IV.
            AeadAlgorithm::ChaCha20Poly1305 => {
                for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                    *n ^= s;
                }
            }
        }
        nonce
    }

    /// Seal `buf` in place and write the tag into `tag`, which is
    /// `self.alg.tag_len()` bytes long.
    fn seal_raw(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &mut [u8],
    ) -> Result<(), Error> {
        let key: &Key = &self.key;
        match *key {
            #[cfg(feature = "aes-gcm")]
            Key::Gcm(ref k) => put_tag(k.seal_in_place(nonce, aad, buf), tag),
            #[cfg(feature = "aes-ccm")]
            Key::Ccm(ref k) => k
                .seal_in_place(nonce, aad, buf, tag)
                .map_err(|_| Error::InvalidPayload),
            #[cfg(feature = "chacha20poly1305")]
            Key::ChaCha(ref k) => put_tag(k.seal_in_place(nonce, aad, buf), tag),
            #[cfg(feature = "alloc")]
            Key::Provided(ref k) => put_tag(k.seal_in_place(nonce, aad, buf), tag),
        }
    }

    /// Open `buf` in place under `tag`, which is `self.alg.tag_len()` bytes long.
    fn open_raw(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        // The 16-byte-tag ciphers take an array; any other length cannot be theirs.
        let full = <&[u8; TAG_LEN]>::try_from(tag);
        let key: &Key = &self.key;
        let opened: Result<(), sanstls_crypto::Error> = match *key {
            #[cfg(feature = "aes-gcm")]
            Key::Gcm(ref k) => full
                .map_err(|_| sanstls_crypto::Error::BadTag)
                .and_then(|t| k.open_in_place(nonce, aad, buf, t)),
            #[cfg(feature = "aes-ccm")]
            Key::Ccm(ref k) => k.open_in_place(nonce, aad, buf, tag),
            #[cfg(feature = "chacha20poly1305")]
            Key::ChaCha(ref k) => full
                .map_err(|_| sanstls_crypto::Error::BadTag)
                .and_then(|t| k.open_in_place(nonce, aad, buf, t)),
            #[cfg(feature = "alloc")]
            Key::Provided(ref k) => full
                .map_err(|_| sanstls_crypto::Error::BadTag)
                .and_then(|t| k.open_in_place(nonce, aad, buf, t)),
        };
        opened.map_err(|_| Error::BadRecordMac)
    }

    /// Seal the payload at `frag[payload_offset()..][..n]` in place; `frag` is at least
    /// `sealed_fragment_len(n)` long. `prefix` is `type + version`. Returns the fragment
    /// length.
    pub(crate) fn seal(
        &self,
        seq: u64,
        prefix: [u8; 3],
        frag: &mut [u8],
        n: usize,
    ) -> Result<usize, Error> {
        let explicit = seq.to_be_bytes();
        let at = self.payload_offset();
        frag[..at].copy_from_slice(&explicit[..at]);
        let nonce = self.nonce(seq, explicit);
        let aad = additional_data(seq, prefix, n);
        let end = at + n + self.alg.tag_len();
        let (body, tag) = frag[at..end].split_at_mut(n);
        self.seal_raw(&nonce, &aad, body, tag)?;
        Ok(end)
    }

    /// Open the fragment in place; the payload's range within `frag` on success.
    pub(crate) fn open(
        &self,
        seq: u64,
        prefix: [u8; 3],
        frag: &mut [u8],
    ) -> Result<core::ops::Range<usize>, Error> {
        let at = self.payload_offset();
        // Public check: room for the explicit nonce and the tag (of this algorithm's
        // length); a shorter fragment is bad_record_mac (RFC 5246 §6.2.3.3).
        let Some(n) = frag.len().checked_sub(self.alg.expansion()) else {
            return Err(Error::BadRecordMac);
        };
        let (head, rest) = frag.split_at_mut(at);
        let (body, tag) = rest.split_at_mut(n);
        let mut explicit = [0u8; 8];
        explicit[..at].copy_from_slice(head);
        let nonce = self.nonce(seq, explicit);
        self.open_raw(&nonce, &additional_data(seq, prefix, n), body, tag)?;
        Ok(at..at + n)
    }
}

/// Copy the tag a 16-byte-tag cipher returned into `out` (16 bytes for those ciphers).
fn put_tag(
    sealed: Result<[u8; TAG_LEN], sanstls_crypto::Error>,
    out: &mut [u8],
) -> Result<(), Error> {
    let tag = sealed.map_err(|_| Error::InvalidPayload)?;
    let out: &mut [u8; TAG_LEN] = out.try_into().map_err(|_| Error::InvalidPayload)?;
    *out = tag;
    Ok(())
}

/// RFC 5246 §6.2.3.3: `seq_num + TLSCompressed.type + TLSCompressed.version +
/// TLSCompressed.length`, the length being that of the plaintext.
fn additional_data(seq: u64, prefix: [u8; 3], len: usize) -> [u8; MAC_HEADER_LEN] {
    let mut h = [0u8; MAC_HEADER_LEN];
    h[..8].copy_from_slice(&seq.to_be_bytes());
    h[8..11].copy_from_slice(&prefix);
    h[11..].copy_from_slice(&(len as u16).to_be_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chacha_nonce_xors_the_sequence_number() {
        let Ok(s) = AeadState::new(AeadAlgorithm::ChaCha20Poly1305, &[1; 32], &[0xff; 12]) else {
            return; // left out of this build
        };
        let n = s.nonce(0x0102_0304_0506_0708, [0; 8]);
        assert_eq!(
            n,
            [
                0xff, 0xff, 0xff, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7
            ]
        );
    }

    #[test]
    fn gcm_nonce_is_salt_and_explicit() {
        let Ok(s) = AeadState::new(AeadAlgorithm::Aes128Gcm, &[1; 16], &[9, 8, 7, 6]) else {
            return;
        };
        let n = s.nonce(5, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(n, [9, 8, 7, 6, 1, 2, 3, 4, 5, 6, 7, 8]);
    }

    /// RFC 6655 §3: `salt(4) | nonce_explicit(8)`, as GCM; the sequence number does not
    /// enter the nonce except as the sender's explicit nonce.
    #[test]
    fn ccm_nonce_is_salt_and_explicit() {
        for alg in [AeadAlgorithm::Aes128Ccm, AeadAlgorithm::Aes128Ccm8] {
            let Ok(s) = AeadState::new(alg, &[1; 16], &[9, 8, 7, 6]) else {
                return; // left out of this build
            };
            let n = s.nonce(5, [1, 2, 3, 4, 5, 6, 7, 8]);
            assert_eq!(n, [9, 8, 7, 6, 1, 2, 3, 4, 5, 6, 7, 8], "{alg:?}");
            assert_eq!(s.payload_offset(), 8);
        }
    }

    /// The sealer's explicit nonce is its sequence number, written before the payload.
    #[test]
    fn ccm_explicit_nonce_is_the_sequence_number() {
        let Ok(s) = AeadState::new(AeadAlgorithm::Aes128Ccm8, &[1; 16], &[9, 8, 7, 6]) else {
            return;
        };
        let mut frag = [0u8; 8 + 3 + 8];
        frag[8..11].copy_from_slice(b"abc");
        let len = s
            .seal(0x0102_0304_0506_0708, [23, 3, 3], &mut frag, 3)
            .unwrap();
        assert_eq!(len, 19);
        assert_eq!(frag[..8], [1, 2, 3, 4, 5, 6, 7, 8]);
        let r = s
            .open(0x0102_0304_0506_0708, [23, 3, 3], &mut frag)
            .unwrap();
        assert_eq!(&frag[r], b"abc");
    }

    #[test]
    fn lengths_per_algorithm() {
        use AeadAlgorithm as A;
        // (alg, key, fixed IV, explicit nonce, tag, expansion)
        for (alg, k, iv, e, t, x) in [
            (A::Aes128Gcm, 16, 4, 8, 16, 24),
            (A::Aes256Gcm, 32, 4, 8, 16, 24),
            (A::Aes128Ccm, 16, 4, 8, 16, 24),
            (A::Aes128Ccm8, 16, 4, 8, 8, 16),
            (A::ChaCha20Poly1305, 32, 12, 0, 16, 16),
        ] {
            assert_eq!(
                (
                    alg.key_len(),
                    alg.fixed_iv_len(),
                    alg.explicit_nonce_len(),
                    alg.tag_len(),
                    alg.expansion()
                ),
                (k, iv, e, t, x),
                "{alg:?}"
            );
            if let Ok(s) = AeadState::new(alg, &std::vec![0; k], &std::vec![0; iv]) {
                assert_eq!(s.max_expansion(), x);
                assert_eq!(s.sealed_fragment_len(100), 100 + x);
            }
        }
    }

    /// Fragments shorter than explicit nonce + tag are bad_record_mac, for every length
    /// below the minimum; the minimum itself (an empty payload) opens.
    #[test]
    fn short_fragments_are_bad_record_mac() {
        for alg in [AeadAlgorithm::Aes128Ccm, AeadAlgorithm::Aes128Ccm8] {
            let Ok(s) = AeadState::new(alg, &[1; 16], &[2; 4]) else {
                return;
            };
            let mut sealed = std::vec![0u8; alg.expansion()];
            assert_eq!(s.seal(0, [23, 3, 3], &mut sealed, 0), Ok(alg.expansion()));
            for len in 0..alg.expansion() {
                let mut frag = sealed[..len].to_vec();
                assert_eq!(
                    s.open(0, [23, 3, 3], &mut frag),
                    Err(Error::BadRecordMac),
                    "{alg:?} {len}"
                );
            }
            assert_eq!(s.open(0, [23, 3, 3], &mut sealed), Ok(8..8));
        }
    }

    #[test]
    fn wrong_lengths_are_invalid_keys() {
        for (alg, k, iv) in [
            (AeadAlgorithm::Aes128Ccm, 32, 4),
            (AeadAlgorithm::Aes128Ccm, 16, 12),
            (AeadAlgorithm::Aes128Ccm8, 24, 4),
            (AeadAlgorithm::Aes128Ccm8, 16, 0),
            (AeadAlgorithm::Aes128Gcm, 32, 4),
            (AeadAlgorithm::Aes128Gcm, 16, 12),
            (AeadAlgorithm::Aes256Gcm, 16, 4),
            (AeadAlgorithm::ChaCha20Poly1305, 32, 4),
            (AeadAlgorithm::ChaCha20Poly1305, 16, 12),
        ] {
            assert!(matches!(
                AeadState::new(alg, &std::vec![0; k], &std::vec![0; iv]),
                Err(Error::InvalidKeys)
            ));
        }
    }
}
