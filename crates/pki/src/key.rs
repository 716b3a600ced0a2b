//! Subject public keys: RSA (rsaEncryption, RFC 3279 §2.3.1) and, with the `ecdsa`
//! feature, EC keys on P-256 and P-384 (id-ecPublicKey with a named curve, RFC 5480
//! §2.1.1 and §2.2).
//!
//! An EC key must name its curve (RFC 5480 §2.1.1: `implicitCurve` and `specifiedCurve`
//! MUST NOT be used); other curves, explicit parameters and absent parameters are
//! refused as [`Error::UnsupportedEcKey`], naming what was found. The point must be
//! uncompressed (RFC 5480 §2.2 makes only that form mandatory; a compressed one is
//! refused as unsupported) and on the curve (else [`Error::Malformed`]). A build without
//! `ecdsa` refuses every EC key with [`Error::PublicKeyLeftOut`] and links no EC code.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier as Oid};
#[cfg(feature = "ecdsa")]
use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPublicKey};
use sanstls_crypto::rsa::RsaPublicKey;

use crate::Error;
use crate::cert::subject_public_key_info;

/// rsaEncryption (RFC 3279 §2.3.1).
pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey (RFC 5480 §2.1.1).
pub(crate) const ID_EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");

/// The work (in the units of [`crate::VerifyOptions::max_signature_work`], about 3 ns
/// each) of one ECDSA verification on P-256: two scalar multiplications, measured at
/// about 6 times an RSA-2048 check (19,456 units) on x86-64 with the `p256` crate
/// without precomputed tables.
#[cfg(feature = "ecdsa")]
pub(crate) const ECDSA_P256_VERIFY_COST: u64 = 120_000;
/// The same on P-384 (measured at about 3.3 times P-256).
#[cfg(feature = "ecdsa")]
pub(crate) const ECDSA_P384_VERIFY_COST: u64 = 400_000;
/// The work of decoding an EC point and checking that it is on the curve (a few
/// field multiplications).
#[cfg(feature = "ecdsa")]
pub(crate) const EC_SETUP_COST: u64 = 500;

/// A certificate's subject public key.
///
/// Builds without the `ecdsa` feature have only [`PublicKey::Rsa`]: EC keys are refused
/// with [`Error::PublicKeyLeftOut`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An RSA key (rsaEncryption).
    Rsa(RsaPublicKey),
    /// An EC key on P-256 or P-384, for ECDSA (id-ecPublicKey with a named curve).
    #[cfg(feature = "ecdsa")]
    Ecdsa(EcdsaPublicKey),
}

impl PublicKey {
    /// The RSA key, if this is one.
    pub fn as_rsa(&self) -> Option<&RsaPublicKey> {
        match self {
            PublicKey::Rsa(k) => Some(k),
            #[cfg(feature = "ecdsa")]
            PublicKey::Ecdsa(_) => None,
        }
    }

    /// The ECDSA key (its curve is [`EcdsaPublicKey::curve`]), if this is one.
    #[cfg(feature = "ecdsa")]
    pub fn as_ecdsa(&self) -> Option<&EcdsaPublicKey> {
        match self {
            PublicKey::Ecdsa(k) => Some(k),
            PublicKey::Rsa(_) => None,
        }
    }

    /// The work of setting the key up for verification, charged once per key.
    pub(crate) fn setup_cost(&self) -> u64 {
        match self {
            PublicKey::Rsa(k) => k.setup_cost(),
            #[cfg(feature = "ecdsa")]
            PublicKey::Ecdsa(_) => EC_SETUP_COST,
        }
    }

    /// The work of one signature verification under the key (hashing excluded).
    pub(crate) fn verify_cost(&self) -> u64 {
        match self {
            PublicKey::Rsa(k) => k.public_op_cost(),
            #[cfg(feature = "ecdsa")]
            PublicKey::Ecdsa(k) => match k.curve() {
                EcdsaCurve::P256 => ECDSA_P256_VERIFY_COST,
                _ => ECDSA_P384_VERIFY_COST,
            },
        }
    }
}

impl From<RsaPublicKey> for PublicKey {
    fn from(k: RsaPublicKey) -> Self {
        PublicKey::Rsa(k)
    }
}

#[cfg(feature = "ecdsa")]
impl From<EcdsaPublicKey> for PublicKey {
    fn from(k: EcdsaPublicKey) -> Self {
        PublicKey::Ecdsa(k)
    }
}

/// Parameters that must be NULL or absent (RFC 4055 §2.1 asks verifiers to accept both
/// for the SHA-2 hash identifiers; RFC 4055 §5 requires NULL for the PKCS#1 v1.5 ones,
/// and absent is accepted as most implementations do).
pub(crate) fn null_or_absent(params: Option<AnyRef<'_>>) -> bool {
    params.is_none_or(|p| p == AnyRef::NULL)
}

/// Parse a SubjectPublicKeyInfo (its TLV): an RSA key, or an EC key with `ecdsa`.
pub(crate) fn parse_spki(spki: &[u8]) -> Result<PublicKey, Error> {
    let (oid, parameters, key) =
        subject_public_key_info(spki).map_err(|()| Error::Malformed("SubjectPublicKeyInfo"))?;
    match oid {
        RSA_ENCRYPTION => rsa_key(parameters, key).map(PublicKey::Rsa),
        ID_EC_PUBLIC_KEY => ec_key(parameters, key),
        _ => Err(Error::UnsupportedPublicKey),
    }
}

/// An rsaEncryption key.
fn rsa_key(parameters: Option<AnyRef<'_>>, key: BitStringRef<'_>) -> Result<RsaPublicKey, Error> {
    // RFC 3279 §2.3.1: the parameters MUST be NULL (absent is accepted, as
    // sanstls-crypto does); the key is the BIT STRING's whole octets.
    let rsa_public_key = key
        .as_bytes()
        .filter(|_| null_or_absent(parameters))
        .ok_or(Error::Malformed("RSA public key"))?;
    RsaPublicKey::from_pkcs1_der(rsa_public_key).map_err(|e| match e {
        sanstls_crypto::Error::UnsupportedKeySize { bits } if bits < 1024 => {
            Error::WeakKey { bits }
        }
        // Over 8192 bits, or e >= 2^33: valid RSA, refused because every signature
        // check under such a key costs too much (see RsaPublicKey::public_op_cost).
        sanstls_crypto::Error::UnsupportedKeySize { .. }
        | sanstls_crypto::Error::UnsupportedPublicExponent { .. } => Error::UnsupportedPublicKey,
        _ => Error::Malformed("RSA public key"),
    })
}

/// An id-ecPublicKey key, left out of this build.
#[cfg(not(feature = "ecdsa"))]
fn ec_key(_: Option<AnyRef<'_>>, _: BitStringRef<'_>) -> Result<PublicKey, Error> {
    Err(Error::PublicKeyLeftOut(crate::LeftOut::Ecdsa))
}

/// An id-ecPublicKey key (RFC 5480 §2.1.1, §2.2).
#[cfg(feature = "ecdsa")]
fn ec_key(parameters: Option<AnyRef<'_>>, key: BitStringRef<'_>) -> Result<PublicKey, Error> {
    use der::{Tag, Tagged};

    const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");

    // ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, implicitCurve NULL,
    // specifiedCurve SpecifiedECDomain }; RFC 5480 §2.1.1: the parameters MUST be
    // present, and in PKIX only namedCurve may be used.
    let params = parameters.ok_or(Error::UnsupportedEcKey(
        "no curve parameters (RFC 5480 §2.1.1 requires a named curve)",
    ))?;
    let curve_oid = match params.tag() {
        Tag::ObjectIdentifier => Oid::from_bytes(params.value())
            .map_err(|_| Error::Malformed("EC key curve OBJECT IDENTIFIER"))?,
        Tag::Null => {
            return Err(Error::UnsupportedEcKey(
                "implicitCurve parameters (RFC 5480 §2.1.1 requires a named curve)",
            ));
        }
        Tag::Sequence => {
            return Err(Error::UnsupportedEcKey(
                "explicit curve parameters (specifiedCurve; RFC 5480 §2.1.1 requires a \
                 named curve)",
            ));
        }
        _ => return Err(Error::Malformed("EC key parameters")),
    };
    let curve = match curve_oid {
        SECP256R1 => EcdsaCurve::P256,
        SECP384R1 => EcdsaCurve::P384,
        other => return Err(Error::UnsupportedEcKey(curve_name(&other))),
    };
    // RFC 5480 §2.2: the ECPoint OCTET STRING is the BIT STRING's whole octets; the
    // uncompressed form (0x04) MUST be supported, the compressed ones MAY.
    let point = key
        .as_bytes()
        .ok_or(Error::Malformed("EC public key BIT STRING has unused bits"))?;
    if matches!(point.first(), Some(0x02 | 0x03)) {
        return Err(Error::UnsupportedEcKey(
            "compressed point (only the uncompressed form is supported)",
        ));
    }
    EcdsaPublicKey::from_sec1(curve, point)
        .map(PublicKey::Ecdsa)
        .map_err(|_| Error::Malformed("EC public key is not an uncompressed point on its curve"))
}

/// What to call a curve this crate does not support, in an error.
#[cfg(feature = "ecdsa")]
fn curve_name(oid: &Oid) -> &'static str {
    const NAMES: [(&str, &str); 10] = [
        ("1.3.132.0.35", "curve secp521r1 (P-521)"),
        ("1.3.132.0.10", "curve secp256k1"),
        ("1.3.132.0.33", "curve secp224r1 (P-224)"),
        ("1.2.840.10045.3.1.1", "curve secp192r1 (P-192)"),
        ("1.3.36.3.3.2.8.1.1.7", "curve brainpoolP256r1"),
        ("1.3.36.3.3.2.8.1.1.11", "curve brainpoolP384r1"),
        ("1.3.36.3.3.2.8.1.1.13", "curve brainpoolP512r1"),
        ("1.2.156.10197.1.301", "curve SM2"),
        ("1.3.101.110", "curve X25519 (not a signature key)"),
        ("1.3.101.111", "curve X448 (not a signature key)"),
    ];
    NAMES
        .iter()
        .find(|(dotted, _)| Oid::new(dotted).is_ok_and(|o| o == *oid))
        .map_or("a named curve other than P-256 and P-384", |&(_, name)| {
            name
        })
}

#[cfg(all(test, feature = "ecdsa"))]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// A SubjectPublicKeyInfo with id-ecPublicKey, raw parameters and a point.
    fn ec_spki(params: Option<&[u8]>, point: &[u8]) -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            assert!(body.len() < 128);
            let mut v = alloc::vec![tag, body.len() as u8];
            v.extend_from_slice(body);
            v
        }
        let mut alg = tlv(0x06, ID_EC_PUBLIC_KEY.as_bytes());
        if let Some(p) = params {
            alg.extend_from_slice(p);
        }
        let mut bits = alloc::vec![0];
        bits.extend_from_slice(point);
        let mut body = tlv(0x30, &alg);
        body.extend_from_slice(&tlv(0x03, &bits));
        tlv(0x30, &body)
    }

    fn oid_tlv(dotted: &str) -> Vec<u8> {
        let o = Oid::new_unwrap(dotted);
        let mut v = alloc::vec![0x06, o.as_bytes().len() as u8];
        v.extend_from_slice(o.as_bytes());
        v
    }

    /// The P-256 generator, uncompressed.
    fn p256_g() -> Vec<u8> {
        let hex = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296\
                   4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn ec_keys() {
        let g = p256_g();
        let p256 = oid_tlv("1.2.840.10045.3.1.7");
        let key = parse_spki(&ec_spki(Some(&p256), &g)).unwrap();
        assert_eq!(key.as_ecdsa().unwrap().curve(), EcdsaCurve::P256);
        assert!(key.as_rsa().is_none());
        assert_eq!(key.verify_cost(), ECDSA_P256_VERIFY_COST);

        // The right length for P-384, but not its point.
        let p384 = oid_tlv("1.3.132.0.34");
        assert_eq!(
            parse_spki(&ec_spki(Some(&p384), &g)),
            Err(Error::Malformed(
                "EC public key is not an uncompressed point on its curve"
            ))
        );
        // Off the curve.
        let mut off = g.clone();
        off[64] ^= 1;
        assert!(matches!(
            parse_spki(&ec_spki(Some(&p256), &off)),
            Err(Error::Malformed(_))
        ));
        // Compressed.
        let mut compressed = g[..33].to_vec();
        compressed[0] = 0x02 | (g[64] & 1);
        assert_eq!(
            parse_spki(&ec_spki(Some(&p256), &compressed)),
            Err(Error::UnsupportedEcKey(
                "compressed point (only the uncompressed form is supported)"
            ))
        );
        // Other curves, by name.
        for (oid, name) in [
            ("1.3.132.0.35", "curve secp521r1 (P-521)"),
            ("1.3.132.0.10", "curve secp256k1"),
            ("1.2.3.4", "a named curve other than P-256 and P-384"),
        ] {
            assert_eq!(
                parse_spki(&ec_spki(Some(&oid_tlv(oid)), &g)),
                Err(Error::UnsupportedEcKey(name))
            );
        }
        // No parameters, implicitCurve, specifiedCurve, something else.
        assert!(matches!(
            parse_spki(&ec_spki(None, &g)),
            Err(Error::UnsupportedEcKey(s)) if s.starts_with("no curve parameters")
        ));
        assert!(matches!(
            parse_spki(&ec_spki(Some(&[5, 0]), &g)),
            Err(Error::UnsupportedEcKey(s)) if s.starts_with("implicitCurve")
        ));
        assert!(matches!(
            parse_spki(&ec_spki(Some(&[0x30, 3, 2, 1, 1]), &g)),
            Err(Error::UnsupportedEcKey(s)) if s.starts_with("explicit curve parameters")
        ));
        assert_eq!(
            parse_spki(&ec_spki(Some(&[2, 1, 1]), &g)),
            Err(Error::Malformed("EC key parameters"))
        );
    }
}
