//! Elliptic-curve Diffie-Hellman for the TLS 1.2 ECDHE key exchange (RFC 8422).
//!
//! - Groups ([`EcGroup`]): X25519 (RFC 7748, on `x25519-dalek`), secp256r1 and secp384r1
//!   (on RustCrypto's `p256` and `p384`).
//! - Keys: [`EcPrivateKey::generate`] draws an ephemeral key from the caller's generator;
//!   [`EcPrivateKey::public_value`] is the TLS encoding of the public key (RFC 8422 §5.4:
//!   the 32-byte u-coordinate for X25519, the uncompressed point `0x04 || X || Y` for the
//!   NIST curves).
//! - Agreement: [`EcPrivateKey::agree`] checks the peer's value and returns the premaster
//!   secret (RFC 8422 §5.10): for the NIST curves only the uncompressed form of the right
//!   length is accepted, and the point must be on the curve and not the identity; for
//!   X25519 an all-zero result (a small-order peer value) is refused (RFC 7748 §6.1).
//!   The secret is the x-coordinate (NIST curves, full field length, leading zeros kept)
//!   or the 32-byte X25519 output.
//!
//! Scalar multiplications run in constant time in the secret scalar (both libraries are
//! written for it). Private scalars and shared secrets are zeroized on drop; the scratch
//! values inside the curve libraries are not under this crate's control.
//!
//! ```
//! use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
//! use sanstls_crypto::rng::SeededRng;
//!
//! let mut rng = SeededRng::from_seed([1; 32]);
//! for group in EcGroup::ALL {
//!     let client = EcPrivateKey::generate(group, &mut rng);
//!     let server = EcPrivateKey::generate(group, &mut rng);
//!     let a = client.agree(&server.public_value()).unwrap();
//!     let b = server.agree(&client.public_value()).unwrap();
//!     assert_eq!(a.as_bytes(), b.as_bytes());
//! }
//! ```

use alloc::vec::Vec;

use p256::elliptic_curve::Generate;
use subtle::ConstantTimeEq;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::rng::CryptoRng;

/// An elliptic-curve group for ECDHE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcGroup {
    /// X25519 (RFC 7748 §5), Supported Groups code point 29 (RFC 8422 §5.1.1).
    X25519,
    /// secp256r1 (NIST P-256), code point 23.
    Secp256r1,
    /// secp384r1 (NIST P-384), code point 24.
    Secp384r1,
}

impl EcGroup {
    /// Every supported group, in a sensible order of preference (X25519 first).
    pub const ALL: [EcGroup; 3] = [EcGroup::X25519, EcGroup::Secp256r1, EcGroup::Secp384r1];

    /// The group's code point in the TLS Supported Groups registry (RFC 8422 §5.1.1).
    pub const fn code_point(self) -> u16 {
        match self {
            EcGroup::X25519 => 29,
            EcGroup::Secp256r1 => 23,
            EcGroup::Secp384r1 => 24,
        }
    }

    /// The group with this Supported Groups code point, if this module has it.
    pub const fn from_code_point(code_point: u16) -> Option<Self> {
        match code_point {
            29 => Some(EcGroup::X25519),
            23 => Some(EcGroup::Secp256r1),
            24 => Some(EcGroup::Secp384r1),
            _ => None,
        }
    }

    /// The length of a public value in its TLS encoding: 32 for X25519, 65 for
    /// secp256r1 and 97 for secp384r1 (uncompressed points, RFC 8422 §5.4).
    pub const fn public_len(self) -> usize {
        match self {
            EcGroup::X25519 => 32,
            EcGroup::Secp256r1 => 65,
            EcGroup::Secp384r1 => 97,
        }
    }

    /// The length of the shared secret (and of a private scalar): 32, 32 and 48 bytes.
    pub const fn secret_len(self) -> usize {
        match self {
            EcGroup::X25519 | EcGroup::Secp256r1 => 32,
            EcGroup::Secp384r1 => 48,
        }
    }
}

/// The private scalar, per group. Each variant zeroizes itself on drop.
enum Scalar {
    X25519(Zeroizing<[u8; 32]>),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

/// An ephemeral ECDH private key with its public value.
///
/// Meant for one handshake: generate a fresh key for each (ECDHE).
pub struct EcPrivateKey {
    scalar: Scalar,
    public: Vec<u8>,
}

impl core::fmt::Debug for EcPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcPrivateKey")
            .field("group", &self.group())
            .finish_non_exhaustive()
    }
}

impl ZeroizeOnDrop for EcPrivateKey {}

impl EcPrivateKey {
    /// A new random key in `group`.
    pub fn generate<R: CryptoRng + ?Sized>(group: EcGroup, rng: &mut R) -> Self {
        match group {
            EcGroup::X25519 => {
                // RFC 7748 §5: 32 random bytes; clamping happens in the scalar
                // multiplication (`x25519_dalek::x25519` clamps its scalar).
                let mut k = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(k.as_mut());
                Self::from_x25519(k)
            }
            EcGroup::Secp256r1 => {
                Self::from_p256(<p256::SecretKey as Generate>::generate_from_rng(rng))
            }
            EcGroup::Secp384r1 => {
                Self::from_p384(<p384::SecretKey as Generate>::generate_from_rng(rng))
            }
        }
    }

    /// A key from a fixed private scalar (big-endian for the NIST curves, RFC 7748's
    /// little-endian 32 bytes for X25519), for known-answer tests. A NIST scalar must be
    /// exactly [`EcGroup::secret_len`] bytes and in `1..n`.
    pub fn from_bytes(group: EcGroup, scalar: &[u8]) -> Result<Self, Error> {
        if scalar.len() != group.secret_len() {
            return Err(Error::InvalidLength);
        }
        match group {
            EcGroup::X25519 => {
                let mut k = Zeroizing::new([0u8; 32]);
                k.copy_from_slice(scalar);
                Ok(Self::from_x25519(k))
            }
            EcGroup::Secp256r1 => p256::SecretKey::from_slice(scalar)
                .map(Self::from_p256)
                .map_err(|_| Error::InvalidKey("EC private scalar is zero or not below n")),
            EcGroup::Secp384r1 => p384::SecretKey::from_slice(scalar)
                .map(Self::from_p384)
                .map_err(|_| Error::InvalidKey("EC private scalar is zero or not below n")),
        }
    }

    fn from_x25519(k: Zeroizing<[u8; 32]>) -> Self {
        let public = x25519_dalek::x25519(*k, x25519_dalek::X25519_BASEPOINT_BYTES).to_vec();
        EcPrivateKey {
            scalar: Scalar::X25519(k),
            public,
        }
    }

    fn from_p256(k: p256::SecretKey) -> Self {
        let public = k.public_key().to_sec1_bytes().into_vec();
        EcPrivateKey {
            scalar: Scalar::P256(k),
            public,
        }
    }

    fn from_p384(k: p384::SecretKey) -> Self {
        let public = k.public_key().to_sec1_bytes().into_vec();
        EcPrivateKey {
            scalar: Scalar::P384(k),
            public,
        }
    }

    /// The key's group.
    pub fn group(&self) -> EcGroup {
        match self.scalar {
            Scalar::X25519(_) => EcGroup::X25519,
            Scalar::P256(_) => EcGroup::Secp256r1,
            Scalar::P384(_) => EcGroup::Secp384r1,
        }
    }

    /// The public value in its TLS encoding (RFC 8422 §5.4): 32 bytes for X25519,
    /// `0x04 || X || Y` for the NIST curves.
    pub fn public_value(&self) -> Vec<u8> {
        self.public.clone()
    }

    /// The shared secret with the peer's public value `peer` (TLS encoding).
    ///
    /// Errors: [`Error::InvalidLength`] if `peer` is not [`EcGroup::public_len`] bytes;
    /// [`Error::InvalidEcPoint`] if a NIST point is not uncompressed, not on the curve, or
    /// the identity; [`Error::ZeroSharedSecret`] for an all-zero X25519 result
    /// (RFC 7748 §6.1). A TLS peer gets `illegal_parameter` for any of them.
    pub fn agree(&self, peer: &[u8]) -> Result<SharedSecret, Error> {
        if peer.len() != self.group().public_len() {
            return Err(Error::InvalidLength);
        }
        match &self.scalar {
            Scalar::X25519(k) => {
                let mut u = [0u8; 32];
                u.copy_from_slice(peer);
                // RFC 7748 §5: the most significant bit of the u-coordinate is masked
                // (x25519-dalek ignores it); non-canonical values are accepted.
                let out = Zeroizing::new(x25519_dalek::x25519(**k, u));
                // RFC 7748 §6.1: check for the all-zero value, in constant time.
                if bool::from(out.ct_eq(&[0u8; 32])) {
                    return Err(Error::ZeroSharedSecret);
                }
                Ok(SharedSecret(Zeroizing::new(out.to_vec())))
            }
            Scalar::P256(k) => {
                // RFC 8422 §5.4: uncompressed only (0x04 and the length checked above);
                // `from_sec1_bytes` checks the curve equation and refuses the identity.
                if peer[0] != 0x04 {
                    return Err(Error::InvalidEcPoint);
                }
                let pk =
                    p256::PublicKey::from_sec1_bytes(peer).map_err(|_| Error::InvalidEcPoint)?;
                let s = k.diffie_hellman(&pk);
                Ok(SharedSecret(Zeroizing::new(s.raw_secret_bytes().to_vec())))
            }
            Scalar::P384(k) => {
                if peer[0] != 0x04 {
                    return Err(Error::InvalidEcPoint);
                }
                let pk =
                    p384::PublicKey::from_sec1_bytes(peer).map_err(|_| Error::InvalidEcPoint)?;
                let s = k.diffie_hellman(&pk);
                Ok(SharedSecret(Zeroizing::new(s.raw_secret_bytes().to_vec())))
            }
        }
    }
}

/// An ECDH shared secret (the TLS 1.2 premaster secret, RFC 8422 §5.10), zeroized on
/// drop.
pub struct SharedSecret(Zeroizing<Vec<u8>>);

impl SharedSecret {
    /// The secret: the x-coordinate, full field length (NIST curves), or the 32-byte
    /// X25519 output.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SharedSecret { .. }")
    }
}

impl ZeroizeOnDrop for SharedSecret {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeededRng;

    #[test]
    fn code_points_round_trip() {
        for g in EcGroup::ALL {
            assert_eq!(EcGroup::from_code_point(g.code_point()), Some(g));
        }
        assert_eq!(EcGroup::from_code_point(25), None);
    }

    #[test]
    fn public_values_have_tls_lengths() {
        let mut rng = SeededRng::from_seed([2; 32]);
        for g in EcGroup::ALL {
            let k = EcPrivateKey::generate(g, &mut rng);
            assert_eq!(k.public_value().len(), g.public_len());
            assert_eq!(k.group(), g);
        }
    }
}
