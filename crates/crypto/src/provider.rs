//! Crypto providers: where the heavy operations run.
//!
//! sanstls's own code (this crate, on RustCrypto and `crypto-bigint`) is the default and
//! the only provider a `no_std` build needs. A [`CryptoProvider`] lets a user move the
//! operations that dominate a handshake or a bulk transfer elsewhere:
//!
//! - the RSA private operation (RSADP / RSASP1 of RFC 8017 §5.1.2 and §5.2.1) of a loaded
//!   key: [`CryptoProvider::rsa_private_key`] returns an [`RsaPrivateOperation`] that a
//!   [`RsaPrivateKey`] then forwards to ([`RsaPrivateKey::from_pem_with`]);
//! - ephemeral finite-field and elliptic-curve Diffie-Hellman:
//!   [`CryptoProvider::start_dh`] and `start_ecdh` return a [`KeyExchange`];
//! - AEAD record protection: [`CryptoProvider::aead_key`] returns an [`AeadKey`].
//!
//! [`RsaPrivateKey`]: crate::rsa::RsaPrivateKey
//! [`RsaPrivateKey::from_pem_with`]: crate::rsa::RsaPrivateKey::from_pem_with
//!
//! Every method has a default that declines (`None`), and a declined operation runs on
//! the built-in code, so a provider implements only what it accelerates:
//! [`BuiltIn`] declines everything. A server with a native library plugs in the
//! `sanstls-openssl` crate's provider; a microcontroller with an RSA engine implements
//! [`hardware::RsaAccelerator`] and uses [`hardware::AcceleratedRsa`].
//!
//! What stays with sanstls whatever the provider, because it is where the protocol's
//! security lives and not where the time goes: the PKCS#1 v1.5 and PSS encodings, the
//! constant-time TLS premaster decoding (RFC 5246 §7.4.7.1), the check that every
//! private result re-encrypts to its input (a fault withholds it), the check of a peer's
//! DH value (`1 < Y < p - 1`, RFC 7919 §3) before a provider sees it, the record layer's
//! framing, nonces and sequence numbers, and the RSA public operation (with e = 65537 it
//! is 17 squarings, a few percent of a handshake; certificate validation in sanstls-pki
//! uses it too). Hashes, HMAC and the AES-CBC suites also stay built in: SHA-2 and
//! AES-NI are already at OpenSSL's speed there (`cargo xtask bench record`).

use alloc::boxed::Box;
use alloc::vec::Vec;

use zeroize::Zeroizing;

use crate::Error;
use crate::dh::{DhGroup, DhPrivateKey};
#[cfg(feature = "ec")]
use crate::ecdh::{EcGroup, EcPrivateKey};
use crate::rng::CryptoRng;

pub mod hardware;

/// `Send + Sync` on targets with atomic compare-and-swap, nothing on the others: the
/// bound of the provider traits, so that a key or configuration holding a provider's
/// objects can be shared between threads on a host, while a single-core device without
/// atomics (where sanstls shares through `Rc`) may hold a peripheral handle that is
/// neither. Implemented for every type that qualifies.
#[cfg(target_has_atomic = "ptr")]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(target_has_atomic = "ptr")]
impl<T: Send + Sync + ?Sized> MaybeSendSync for T {}
/// `Send + Sync` on targets with atomic compare-and-swap, nothing here (see the twin).
#[cfg(not(target_has_atomic = "ptr"))]
pub trait MaybeSendSync {}
#[cfg(not(target_has_atomic = "ptr"))]
impl<T: ?Sized> MaybeSendSync for T {}

/// Where the heavy operations run. Every method declines by default (`None`): the
/// built-in code then does the work.
pub trait CryptoProvider: MaybeSendSync {
    /// A short name for logs and benchmarks (`"built-in"`, `"openssl"`, ...).
    fn name(&self) -> &'static str;

    /// The raw private operation of the RSA key `pkcs1_der` (a PKCS#1
    /// `RSAPrivateKey`, RFC 8017 Appendix A.1.2, already validated by sanstls), or
    /// `None` to keep it built in.
    fn rsa_private_key(
        &self,
        pkcs1_der: &[u8],
    ) -> Option<Result<Box<dyn RsaPrivateOperation>, Error>> {
        let _ = pkcs1_der;
        None
    }

    /// A fresh ephemeral key in the finite-field group `group` (its exponent as long as
    /// [`DhGroup::min_exponent_bits`] at least), or `None` to keep it built in.
    fn start_dh(
        &self,
        group: &DhGroup,
        rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
        let _ = (group, rng);
        None
    }

    /// A fresh ephemeral key on the curve `group`, or `None` to keep it built in. The
    /// provider checks the peer's point (on the curve, not the identity; RFC 8422
    /// §5.11) and refuses an all-zero X25519 secret (RFC 7748 §6.1).
    #[cfg(feature = "ec")]
    fn start_ecdh(
        &self,
        group: EcGroup,
        rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
        let _ = (group, rng);
        None
    }

    /// An AEAD key for record protection, or `None` to keep it built in.
    fn aead_key(&self, alg: AeadAlgorithm, key: &[u8]) -> Option<Result<Box<dyn AeadKey>, Error>> {
        let _ = (alg, key);
        None
    }
}

/// The built-in provider: declines everything, so every operation runs on this crate's
/// own code. The default of every sanstls configuration.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltIn;

impl CryptoProvider for BuiltIn {
    fn name(&self) -> &'static str {
        "built-in"
    }
}

/// The raw RSA private operation of one key, from a provider.
///
/// sanstls calls it with the encoded block (`k` bytes, the modulus length, already
/// checked to be less than `n`) and re-encrypts the result with the public key before
/// using it: a wrong result is withheld as [`Error::FaultDetected`].
///
/// An implementation must run in time independent of the input and the key (blinding
/// as it sees fit: the built-in one blinds with a fresh random value per operation).
pub trait RsaPrivateOperation: MaybeSendSync {
    /// `input^d mod n` into `out`; both are `k` bytes, big-endian.
    fn private(&self, rng: &mut dyn CryptoRng, input: &[u8], out: &mut [u8]) -> Result<(), Error>;
}

/// An ephemeral Diffie-Hellman key from a provider (finite field or elliptic curve).
pub trait KeyExchange: MaybeSendSync {
    /// The public value as TLS 1.2 sends it: `dh_Y` left-padded to the length of `p`, an
    /// uncompressed SEC 1 point, or an X25519 u-coordinate.
    fn public_value(&self) -> Vec<u8>;

    /// The shared secret with `peer` (for finite-field DH without its leading zero
    /// bytes, RFC 5246 §8.1.2). A point off the curve or the identity is
    /// [`Error::InvalidEcPoint`], an all-zero X25519 result [`Error::ZeroSharedSecret`].
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error>;
}

/// The AEAD algorithms of the TLS 1.2 suites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlgorithm {
    /// AES-128-GCM (RFC 5116, RFC 5288).
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439, RFC 7905).
    ChaCha20Poly1305,
}

/// An AEAD key from a provider: 12-byte nonces, 16-byte tags, in place.
pub trait AeadKey: MaybeSendSync {
    /// Encrypts `buf` in place and returns the tag over `aad` and the ciphertext.
    fn seal_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; 16], Error>;

    /// Checks `tag` over `aad` and `buf` and decrypts `buf` in place; on a bad tag
    /// returns [`Error::BadTag`] (and `buf` may hold garbage the caller discards).
    fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<(), Error>;
}

/// An ephemeral finite-field DH key for one handshake: built in, or a provider's.
///
/// (DH and ECDH are two types, not one enum, so that a build with only one of the key
/// exchanges links only its code.)
pub enum DhEphemeral {
    /// On the built-in code.
    BuiltIn(DhPrivateKey),
    /// From a provider, with the group's `p` (big-endian) for the check of the peer's
    /// value.
    Provided(Box<dyn KeyExchange>, Vec<u8>),
}

impl core::fmt::Debug for DhEphemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DhEphemeral::BuiltIn(_) => "DhEphemeral::BuiltIn",
            DhEphemeral::Provided(..) => "DhEphemeral::Provided",
        })
    }
}

impl DhEphemeral {
    /// A fresh key in `group` from `provider`, or on the built-in code if it declines.
    pub fn generate<R: CryptoRng>(
        provider: &dyn CryptoProvider,
        group: &DhGroup,
        rng: &mut R,
    ) -> Result<Self, Error> {
        match provider.start_dh(group, rng) {
            Some(kx) => Ok(DhEphemeral::Provided(kx?, group.p_bytes().to_vec())),
            None => Ok(DhEphemeral::BuiltIn(DhPrivateKey::generate(group, rng))),
        }
    }

    /// The public value to send (`dh_Y`, left-padded to the length of `p`).
    pub fn public_value(&self) -> Vec<u8> {
        match self {
            DhEphemeral::BuiltIn(k) => k.public_value(),
            DhEphemeral::Provided(k, _) => k.public_value(),
        }
    }

    /// The shared secret with the peer's public value. A value outside `1 < Y < p - 1`
    /// is [`Error::InvalidDhPublicValue`] (RFC 7919 §3, checked here before a provider
    /// sees it), as is a result of 1.
    pub fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        match self {
            DhEphemeral::BuiltIn(k) => Ok(Zeroizing::new(k.agree(peer)?.as_bytes().to_vec())),
            DhEphemeral::Provided(k, p) => {
                if !dh_value_in_range(peer, p) {
                    return Err(Error::InvalidDhPublicValue);
                }
                let secret = k.agree(peer)?;
                if secret.is_empty() || secret[..] == [1] {
                    return Err(Error::InvalidDhPublicValue);
                }
                Ok(secret)
            }
        }
    }
}

/// An ephemeral ECDH key for one handshake: built in, or a provider's.
#[cfg(feature = "ec")]
pub enum EcEphemeral {
    /// On the built-in code.
    BuiltIn(EcPrivateKey),
    /// From a provider.
    Provided(Box<dyn KeyExchange>),
}

#[cfg(feature = "ec")]
impl core::fmt::Debug for EcEphemeral {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            EcEphemeral::BuiltIn(_) => "EcEphemeral::BuiltIn",
            EcEphemeral::Provided(_) => "EcEphemeral::Provided",
        })
    }
}

#[cfg(feature = "ec")]
impl EcEphemeral {
    /// A fresh key on the curve `group` from `provider`, or on the built-in code if it
    /// declines.
    pub fn generate<R: CryptoRng>(
        provider: &dyn CryptoProvider,
        group: EcGroup,
        rng: &mut R,
    ) -> Result<Self, Error> {
        match provider.start_ecdh(group, rng) {
            Some(kx) => Ok(EcEphemeral::Provided(kx?)),
            None => Ok(EcEphemeral::BuiltIn(EcPrivateKey::generate(group, rng))),
        }
    }

    /// The public value to send (an uncompressed point, or the X25519 u-coordinate).
    pub fn public_value(&self) -> Vec<u8> {
        match self {
            EcEphemeral::BuiltIn(k) => k.public_value(),
            EcEphemeral::Provided(k) => k.public_value(),
        }
    }

    /// The shared secret with the peer's public value (validated by the built-in code
    /// or the provider: RFC 8422 §5.11, RFC 7748 §6.1).
    pub fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        match self {
            EcEphemeral::BuiltIn(k) => Ok(Zeroizing::new(k.agree(peer)?.as_bytes().to_vec())),
            EcEphemeral::Provided(k) => k.agree(peer),
        }
    }
}

/// Whether the big-endian `y` (leading zeros allowed) satisfies `1 < y < p - 1` for the
/// odd big-endian `p` without leading zeros. `y` is public, so this may branch.
fn dh_value_in_range(y: &[u8], p: &[u8]) -> bool {
    let first = y.iter().position(|&b| b != 0).unwrap_or(y.len());
    let y = &y[first..];
    if y.is_empty() || y == [1] {
        return false;
    }
    // p - 1: p is odd, so only its last byte changes.
    let Some((&last, head)) = p.split_last() else {
        return false;
    };
    if y.len() != p.len() {
        return y.len() < p.len();
    }
    let (y_head, y_last) = y.split_at(head.len());
    match y_head.cmp(head) {
        core::cmp::Ordering::Less => true,
        core::cmp::Ordering::Greater => false,
        core::cmp::Ordering::Equal => y_last[0] < last - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dh::NamedDhGroup;
    use crate::rng::SeededRng;

    #[test]
    fn dh_range_check() {
        let p = [0x17u8]; // 23
        assert!(!dh_value_in_range(&[], &p));
        assert!(!dh_value_in_range(&[0], &p));
        assert!(!dh_value_in_range(&[0, 1], &p));
        assert!(dh_value_in_range(&[2], &p));
        assert!(dh_value_in_range(&[0, 0, 21], &p));
        assert!(!dh_value_in_range(&[22], &p));
        assert!(!dh_value_in_range(&[23], &p));
        assert!(!dh_value_in_range(&[1, 0], &p));
        let p = [0x01u8, 0x01]; // 257
        assert!(dh_value_in_range(&[0xff], &p));
        assert!(!dh_value_in_range(&[1, 0], &p)); // p - 1
        assert!(dh_value_in_range(&[0, 0xfe], &p));
        assert!(!dh_value_in_range(&[1, 0, 0], &p));
        assert!(!dh_value_in_range(&[1, 0xff], &p));
    }

    /// A provider that runs finite-field DH on the built-in code behind the trait: the
    /// provided path must agree with the built-in one, and the range check must refuse
    /// what the built-in refuses.
    struct DhThroughTrait;
    struct BoxedDh(DhPrivateKey);
    impl KeyExchange for BoxedDh {
        fn public_value(&self) -> Vec<u8> {
            self.0.public_value()
        }
        fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
            Ok(Zeroizing::new(self.0.agree(peer)?.as_bytes().to_vec()))
        }
    }
    impl CryptoProvider for DhThroughTrait {
        fn name(&self) -> &'static str {
            "test"
        }
        fn start_dh(
            &self,
            group: &DhGroup,
            mut rng: &mut dyn CryptoRng,
        ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
            Some(Ok(Box::new(BoxedDh(DhPrivateKey::generate(
                group, &mut rng,
            )))))
        }
    }

    #[test]
    fn provided_dh_agrees_with_built_in_and_checks_the_peer() {
        let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
        let mut rng = SeededRng::from_seed([3; 32]);
        let a = DhEphemeral::generate(&DhThroughTrait, &group, &mut rng).unwrap();
        let b = DhEphemeral::generate(&BuiltIn, &group, &mut rng).unwrap();
        assert!(matches!(a, DhEphemeral::Provided(..)));
        assert!(matches!(b, DhEphemeral::BuiltIn(_)));
        let s1 = a.agree(&b.public_value()).unwrap();
        let s2 = b.agree(&a.public_value()).unwrap();
        assert_eq!(s1, s2);
        let mut p_minus_1 = group.p_bytes().to_vec();
        *p_minus_1.last_mut().unwrap() -= 1;
        for bad in [&[1u8][..], &[0, 0], group.p_bytes(), &p_minus_1] {
            assert_eq!(a.agree(bad).unwrap_err(), Error::InvalidDhPublicValue);
            assert_eq!(b.agree(bad).unwrap_err(), Error::InvalidDhPublicValue);
        }
    }
}
