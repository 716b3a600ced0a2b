//! ECDSA (FIPS 186-5 §6, SEC 1 §4.1) on P-256 and P-384 for TLS 1.2 (RFC 8422 §5.10,
//! RFC 5246 §4.7), on RustCrypto's `p256` and `p384`.
//!
//! - Public keys ([`EcdsaPublicKey`]) come from the uncompressed SEC 1 point of a
//!   certificate's SubjectPublicKeyInfo (RFC 5480 §2.2); the point is checked to be on the
//!   curve and not the identity.
//! - Signatures are the DER `ECDSA-Sig-Value` of RFC 3279 §2.2.3 (RFC 8422 §5.4), parsed
//!   strictly: non-minimal integers, negative or zero values, BER lengths and trailing
//!   bytes are refused.
//! - The message is hashed with the caller's [`HashAlgorithm`]: TLS 1.2 lets any hash go
//!   with any curve (SHA-256 with P-256 and SHA-384 with P-384 are the usual pairs). A
//!   digest longer than the group order is truncated (FIPS 186-5 §6.4.1).
//! - Private keys ([`EcdsaPrivateKey`]) come from PKCS#8 (RFC 5208/5958, "PRIVATE KEY")
//!   or SEC 1 (RFC 5915, "EC PRIVATE KEY"), DER or PEM. Signing is RFC 6979
//!   deterministic, or hedged with the caller's generator (RFC 6979 §3.6 additional
//!   data), and returns DER.
//!
//! Signing runs in constant time in the private scalar and the nonce; private keys are
//! zeroized on drop. Verification handles public data only.
//!
//! ```
//! use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPrivateKey};
//! use sanstls_crypto::hash::HashAlgorithm;
//! use sanstls_crypto::rng::SeededRng;
//!
//! let mut rng = SeededRng::from_seed([3; 32]);
//! let key = EcdsaPrivateKey::generate(EcdsaCurve::P256, &mut rng);
//! let sig = key.sign(HashAlgorithm::Sha256, b"hello")?;
//! key.public_key().verify(HashAlgorithm::Sha256, b"hello", &sig)?;
//! assert!(key.public_key().verify(HashAlgorithm::Sha256, b"hellO", &sig).is_err());
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```

use alloc::vec::Vec;

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier, RandomizedPrehashSigner};
use p256::elliptic_curve::Generate;
use pkcs8::DecodePrivateKey;
use pkcs8::der::asn1::ObjectIdentifier;
use zeroize::ZeroizeOnDrop;

use crate::Error;
use crate::hash::{HashAlgorithm, Output};
use crate::rng::CryptoRng;

/// id-ecPublicKey (RFC 5480 §2.1.1), the PKCS#8 algorithm of every EC key.
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (RFC 5480 §2.1.1.1).
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

const OFF_CURVE: &str = "EC public key is not a point on the curve";
const BAD_PKCS8: Error = Error::KeyEncoding("malformed PKCS#8 EC private key");
const BAD_SEC1: Error = Error::KeyEncoding("malformed SEC 1 EC private key");

/// A curve for ECDSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcdsaCurve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
}

impl EcdsaCurve {
    /// Both curves.
    pub const ALL: [EcdsaCurve; 2] = [EcdsaCurve::P256, EcdsaCurve::P384];

    /// The curve's named-curve OID (RFC 5480 §2.1.1.1), as found in a SubjectPublicKeyInfo.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            EcdsaCurve::P256 => SECP256R1,
            EcdsaCurve::P384 => SECP384R1,
        }
    }

    /// The curve with this named-curve OID, if this module has it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        if *oid == SECP256R1 {
            Some(EcdsaCurve::P256)
        } else if *oid == SECP384R1 {
            Some(EcdsaCurve::P384)
        } else {
            None
        }
    }

    /// The hash that matches the curve's strength: SHA-256 for P-256, SHA-384 for P-384
    /// (the TLS 1.2 `ecdsa_secp256r1_sha256` / `ecdsa_secp384r1_sha384` pairs).
    pub const fn natural_hash(self) -> HashAlgorithm {
        match self {
            EcdsaCurve::P256 => HashAlgorithm::Sha256,
            EcdsaCurve::P384 => HashAlgorithm::Sha384,
        }
    }

    /// The length of an uncompressed public point: 65 or 97 bytes.
    pub const fn public_len(self) -> usize {
        match self {
            EcdsaCurve::P256 => 65,
            EcdsaCurve::P384 => 97,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verifying {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

/// An ECDSA public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EcdsaPublicKey(Verifying);

impl core::fmt::Debug for EcdsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaPublicKey")
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

impl EcdsaPublicKey {
    /// A public key from its uncompressed SEC 1 encoding `0x04 || X || Y` (the
    /// subjectPublicKey bits of a certificate, RFC 5480 §2.2). Compressed points are
    /// refused (RFC 8422 §5.1.2 deprecates them), as are points off the curve and the
    /// identity ([`Error::InvalidKey`]).
    pub fn from_sec1(curve: EcdsaCurve, point: &[u8]) -> Result<Self, Error> {
        if point.len() != curve.public_len() {
            return Err(Error::InvalidKey(
                "EC public key is not an uncompressed point of the curve's length",
            ));
        }
        if point[0] != 0x04 {
            return Err(Error::InvalidKey(
                "EC public key is not an uncompressed point",
            ));
        }
        Ok(EcdsaPublicKey(match curve {
            EcdsaCurve::P256 => Verifying::P256(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|_| Error::InvalidKey(OFF_CURVE))?,
            ),
            EcdsaCurve::P384 => Verifying::P384(
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                    .map_err(|_| Error::InvalidKey(OFF_CURVE))?,
            ),
        }))
    }

    /// The key's curve.
    pub fn curve(&self) -> EcdsaCurve {
        match self.0 {
            Verifying::P256(_) => EcdsaCurve::P256,
            Verifying::P384(_) => EcdsaCurve::P384,
        }
    }

    /// The uncompressed SEC 1 encoding `0x04 || X || Y`.
    pub fn to_sec1(&self) -> Vec<u8> {
        match &self.0 {
            Verifying::P256(k) => k.to_sec1_bytes().into_vec(),
            Verifying::P384(k) => k.to_sec1_bytes().into_vec(),
        }
    }

    /// Verifies the DER signature `signature` over `message` hashed with `hash`.
    ///
    /// Any malformed, non-DER or wrong signature gives [`Error::BadSignature`]; a hash
    /// left out of the build gives [`Error::LeftOut`].
    pub fn verify(
        &self,
        hash: HashAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let digest = hash.hash(message)?;
        self.verify_prehashed(digest.as_slice(), signature)
    }

    /// Verifies the DER signature `signature` over an already computed digest.
    pub fn verify_prehashed(&self, digest: &[u8], signature: &[u8]) -> Result<(), Error> {
        match &self.0 {
            Verifying::P256(k) => {
                let sig =
                    p256::ecdsa::Signature::from_der(signature).map_err(|_| Error::BadSignature)?;
                k.verify_prehash(digest, &sig)
            }
            Verifying::P384(k) => {
                let sig =
                    p384::ecdsa::Signature::from_der(signature).map_err(|_| Error::BadSignature)?;
                k.verify_prehash(digest, &sig)
            }
        }
        .map_err(|_| Error::BadSignature)
    }
}

enum Signing {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// An ECDSA private key (zeroized on drop).
pub struct EcdsaPrivateKey(Signing);

impl core::fmt::Debug for EcdsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaPrivateKey")
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

// Both `SigningKey`s zeroize their scalar on drop.
impl ZeroizeOnDrop for EcdsaPrivateKey {}

impl EcdsaPrivateKey {
    /// A new random key on `curve`.
    pub fn generate<R: CryptoRng + ?Sized>(curve: EcdsaCurve, rng: &mut R) -> Self {
        EcdsaPrivateKey(match curve {
            EcdsaCurve::P256 => Signing::P256(
                <p256::ecdsa::SigningKey as Generate>::generate_from_rng(rng),
            ),
            EcdsaCurve::P384 => Signing::P384(
                <p384::ecdsa::SigningKey as Generate>::generate_from_rng(rng),
            ),
        })
    }

    /// A key from its big-endian private scalar (exactly the field length, in `1..n`).
    pub fn from_scalar(curve: EcdsaCurve, scalar: &[u8]) -> Result<Self, Error> {
        const BAD: Error = Error::InvalidKey("EC private scalar is zero or not below n");
        let want = curve.public_len() / 2;
        if scalar.len() != want {
            return Err(Error::InvalidKey(
                "EC private scalar does not have the curve's length",
            ));
        }
        Ok(EcdsaPrivateKey(match curve {
            EcdsaCurve::P256 => {
                Signing::P256(p256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| BAD)?)
            }
            EcdsaCurve::P384 => {
                Signing::P384(p384::ecdsa::SigningKey::from_slice(scalar).map_err(|_| BAD)?)
            }
        }))
    }

    /// A key from a PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5958) holding an EC
    /// key (RFC 5915 §1, algorithm id-ecPublicKey with a named curve).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der)
            .map_err(|_| Error::KeyEncoding("not a PKCS#8 PrivateKeyInfo"))?;
        if info.algorithm.oid != ID_EC_PUBLIC_KEY {
            return Err(Error::InvalidKey(
                "not an EC key (PKCS#8 algorithm is not id-ecPublicKey)",
            ));
        }
        let curve_oid = info
            .algorithm
            .parameters_oid()
            .map_err(|_| Error::KeyEncoding("EC key without a named-curve parameter"))?;
        let curve = EcdsaCurve::from_oid(&curve_oid).ok_or(Error::Unsupported(
            "EC key on a curve other than P-256 or P-384",
        ))?;
        Ok(EcdsaPrivateKey(match curve {
            EcdsaCurve::P256 => {
                Signing::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| BAD_PKCS8)?)
            }
            EcdsaCurve::P384 => {
                Signing::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| BAD_PKCS8)?)
            }
        }))
    }

    /// A key from a SEC 1 `ECPrivateKey` (RFC 5915 §3). The structure must name its
    /// curve (the parameters field), as OpenSSL writes it.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, Error> {
        let key = sec1::EcPrivateKey::try_from(der)
            .map_err(|_| Error::KeyEncoding("not a SEC 1 ECPrivateKey"))?;
        let curve_oid = key
            .parameters
            .and_then(sec1::EcParameters::named_curve)
            .ok_or(Error::KeyEncoding(
                "SEC 1 EC private key does not name its curve",
            ))?;
        let curve = EcdsaCurve::from_oid(&curve_oid).ok_or(Error::Unsupported(
            "EC key on a curve other than P-256 or P-384",
        ))?;
        Ok(EcdsaPrivateKey(match curve {
            EcdsaCurve::P256 => Signing::P256(
                p256::SecretKey::from_sec1_der(der)
                    .map_err(|_| BAD_SEC1)?
                    .into(),
            ),
            EcdsaCurve::P384 => Signing::P384(
                p384::SecretKey::from_sec1_der(der)
                    .map_err(|_| BAD_SEC1)?
                    .into(),
            ),
        }))
    }

    /// A key from DER, PKCS#8 or SEC 1 (tried in that order).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        match Self::from_pkcs8_der(der) {
            Err(Error::KeyEncoding(_)) => Self::from_sec1_der(der).map_err(|e| match e {
                Error::KeyEncoding(_) => {
                    Error::KeyEncoding("neither a PKCS#8 nor a SEC 1 EC private key")
                }
                other => other,
            }),
            other => other,
        }
    }

    /// A key from PEM: a "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY" (SEC 1) block.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = pkcs8::der::pem::decode_vec(pem.as_bytes())
            .map_err(|_| Error::KeyEncoding("malformed PEM"))?;
        let der = zeroize::Zeroizing::new(der);
        match label {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            _ => Err(Error::KeyEncoding(
                "PEM label is neither PRIVATE KEY nor EC PRIVATE KEY",
            )),
        }
    }

    /// The key's curve.
    pub fn curve(&self) -> EcdsaCurve {
        match self.0 {
            Signing::P256(_) => EcdsaCurve::P256,
            Signing::P384(_) => EcdsaCurve::P384,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> EcdsaPublicKey {
        EcdsaPublicKey(match &self.0 {
            Signing::P256(k) => Verifying::P256(*k.verifying_key()),
            Signing::P384(k) => Verifying::P384(*k.verifying_key()),
        })
    }

    /// Signs `message` hashed with `hash`, with the RFC 6979 deterministic nonce;
    /// returns the DER signature.
    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        let digest = hash.hash(message)?;
        self.sign_prehashed(&digest)
    }

    /// Signs `message` hashed with `hash`, with an RFC 6979 nonce hedged with fresh
    /// randomness from `rng` (RFC 6979 §3.6), which protects against fault attacks on
    /// the deterministic nonce; returns the DER signature.
    pub fn sign_hedged<R: CryptoRng + ?Sized>(
        &self,
        hash: HashAlgorithm,
        message: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        let digest = hash.hash(message)?;
        self.sign_prehashed_hedged(digest.as_slice(), rng)
    }

    /// Signs a digest made by the caller (a TLS CertificateVerify signs the transcript
    /// hash) with a hedged RFC 6979 nonce, as [`EcdsaPrivateKey::sign_hedged`] does;
    /// returns the DER signature. A digest shorter than the curve's order is refused.
    pub fn sign_prehashed_hedged<R: CryptoRng + ?Sized>(
        &self,
        digest: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        let d = digest;
        let der = match &self.0 {
            Signing::P256(k) => {
                let s: p256::ecdsa::Signature = k
                    .sign_prehash_with_rng(rng, d)
                    .map_err(|_| Error::Unsupported("digest too short for the curve"))?;
                s.to_der().as_bytes().to_vec()
            }
            Signing::P384(k) => {
                let s: p384::ecdsa::Signature = k
                    .sign_prehash_with_rng(rng, d)
                    .map_err(|_| Error::Unsupported("digest too short for the curve"))?;
                s.to_der().as_bytes().to_vec()
            }
        };
        Ok(der)
    }

    fn sign_prehashed(&self, digest: &Output) -> Result<Vec<u8>, Error> {
        let d = digest.as_slice();
        let der = match &self.0 {
            Signing::P256(k) => {
                let s: p256::ecdsa::Signature = k
                    .sign_prehash(d)
                    .map_err(|_| Error::Unsupported("digest too short for the curve"))?;
                s.to_der().as_bytes().to_vec()
            }
            Signing::P384(k) => {
                let s: p384::ecdsa::Signature = k
                    .sign_prehash(d)
                    .map_err(|_| Error::Unsupported("digest too short for the curve"))?;
                s.to_der().as_bytes().to_vec()
            }
        };
        Ok(der)
    }
}
