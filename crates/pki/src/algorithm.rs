//! Certificate signature algorithms (RFC 4055, RFC 8017, RFC 5758) and their
//! verification under an issuer's [`PublicKey`] (see `key.rs` for the keys).
//!
//! Supported: sha{256,384,512}WithRSAEncryption, sha1WithRSAEncryption when allowed,
//! RSASSA-PSS whose parameters name SHA-256/384/512 (or SHA-1 when allowed), MGF1 with
//! the same hash, a salt as long as the hash and the trailer field 1, and
//! ecdsa-with-SHA256/384/512 (RFC 5758 §3.2, parameters absent) under P-256 or P-384
//! keys, any hash with any curve. Everything else (EdDSA, DSA, ECDSA with SHA-1 or
//! SHA-224, SHA-224, MD5, other PSS parameters) is reported as unsupported. A signature
//! algorithm for another key type than the issuer's (ECDSA under an RSA key or the
//! reverse) does not verify ([`Error::BadSignature`]).
//!
//! Cargo features leave some out: without `sha512`, SHA-384 and SHA-512 (PKCS#1 v1.5,
//! PSS or ECDSA); without `pss`, RSASSA-PSS (its parameters are then not even decoded);
//! without `ecdsa`, ECDSA. Those are reported as [`Error::SignatureAlgorithmLeftOut`],
//! and no code path of theirs in sanstls-crypto is referenced.

use der::asn1::ObjectIdentifier as Oid;
use sanstls_crypto::hash::HashAlgorithm;

use crate::Error;
use crate::cert::algorithm_identifier;
use crate::error::LeftOut;
use crate::key::{PublicKey, null_or_absent};

const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");

/// A certificate signature algorithm this crate can verify.
///
/// Builds without the `sha512` feature never produce SHA-384 or SHA-512 here, builds
/// without `pss` never produce [`SignatureAlgorithm::RsaPss`], and builds without
/// `ecdsa` never produce [`SignatureAlgorithm::Ecdsa`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with the hash.
    RsaPkcs1(HashAlgorithm),
    /// RSASSA-PSS with the hash, MGF1 with the same hash, salt length = hash length.
    RsaPss(HashAlgorithm),
    /// ECDSA with the hash (ecdsa-with-SHA256/384/512), under a P-256 or P-384 key.
    Ecdsa(HashAlgorithm),
}

impl SignatureAlgorithm {
    /// The hash the signature is computed over.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureAlgorithm::RsaPkcs1(h)
            | SignatureAlgorithm::RsaPss(h)
            | SignatureAlgorithm::Ecdsa(h) => h,
        }
    }

    /// Whether a signature of this algorithm can be made with `key` (RSA algorithms
    /// under RSA keys, ECDSA under EC keys).
    pub(crate) fn fits(self, key: &PublicKey) -> bool {
        match self {
            SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_) => {
                key.as_rsa().is_some()
            }
            #[cfg(feature = "ecdsa")]
            SignatureAlgorithm::Ecdsa(_) => key.as_ecdsa().is_some(),
            #[cfg(not(feature = "ecdsa"))]
            SignatureAlgorithm::Ecdsa(_) => false,
        }
    }
}

/// `hash` when the build has it (sanstls-crypto's feature `sha512` for SHA-384/512),
/// else the "left out" error naming it.
fn built_in(hash: HashAlgorithm, left_out: LeftOut) -> Result<HashAlgorithm, Error> {
    if hash.is_available() {
        Ok(hash)
    } else {
        Err(Error::SignatureAlgorithmLeftOut(left_out))
    }
}

/// SHA-384, if built in.
fn sha384() -> Result<HashAlgorithm, Error> {
    built_in(HashAlgorithm::Sha384, LeftOut::Sha384)
}

/// SHA-512, if built in.
fn sha512() -> Result<HashAlgorithm, Error> {
    built_in(HashAlgorithm::Sha512, LeftOut::Sha512)
}

/// Decode a certificate's signatureAlgorithm (the raw AlgorithmIdentifier TLV).
pub(crate) fn parse_signature_algorithm(raw: &[u8]) -> Result<SignatureAlgorithm, Error> {
    let (oid, parameters) = algorithm_identifier(raw)
        .map_err(|()| Error::Malformed("signature AlgorithmIdentifier"))?;
    // RFC 5758 §3.2: for ecdsa-with-SHA256/384/512 the parameters field MUST be absent.
    #[cfg(feature = "ecdsa")]
    let ecdsa = |h: Result<HashAlgorithm, Error>| {
        let h = h?;
        if parameters.is_none() {
            Ok(SignatureAlgorithm::Ecdsa(h))
        } else {
            Err(Error::Malformed(
                "ECDSA signature algorithm with parameters (RFC 5758 §3.2: MUST be absent)",
            ))
        }
    };
    #[cfg(not(feature = "ecdsa"))]
    let ecdsa = |_: Result<HashAlgorithm, Error>| {
        Err::<SignatureAlgorithm, _>(Error::SignatureAlgorithmLeftOut(LeftOut::Ecdsa))
    };
    let pkcs1 = |h: Result<HashAlgorithm, Error>| {
        let h = h?;
        if null_or_absent(parameters) {
            Ok(SignatureAlgorithm::RsaPkcs1(h))
        } else {
            Err(Error::Malformed("RSA PKCS#1 v1.5 parameters are not NULL"))
        }
    };
    match oid {
        SHA256_WITH_RSA => pkcs1(Ok(HashAlgorithm::Sha256)),
        SHA384_WITH_RSA => pkcs1(sha384()),
        SHA512_WITH_RSA => pkcs1(sha512()),
        SHA1_WITH_RSA => pkcs1(Ok(HashAlgorithm::Sha1)),
        #[cfg(feature = "pss")]
        RSASSA_PSS => pss::parse(parameters),
        #[cfg(not(feature = "pss"))]
        RSASSA_PSS => Err(Error::SignatureAlgorithmLeftOut(LeftOut::RsaPss)),
        ECDSA_WITH_SHA256 => ecdsa(Ok(HashAlgorithm::Sha256)),
        ECDSA_WITH_SHA384 => ecdsa(sha384()),
        ECDSA_WITH_SHA512 => ecdsa(sha512()),
        _ => Err(Error::UnsupportedSignatureAlgorithm),
    }
}

/// RSASSA-PSS parameters (compiled with the `pss` feature only).
#[cfg(feature = "pss")]
mod pss {
    use der::asn1::{AnyRef, ObjectIdentifier as Oid};
    use der::{Reader, Tag};
    use sanstls_crypto::hash::HashAlgorithm;

    use super::{null_or_absent, sha384, sha512};
    use crate::Error;
    use crate::cert::{
        algorithm_identifier, algorithm_identifier_fields, context, expect, next, only, reader,
        uint32,
    };

    const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

    /// An AlgorithmIdentifier's (algorithm, parameters).
    type Alg<'a> = (Oid, Option<AnyRef<'a>>);

    /// `RSASSA-PSS-params` (RFC 4055 §3.1). Every field has a DEFAULT; absent means
    /// SHA-1, MGF1-SHA-1, salt 20, trailer 1.
    #[derive(Default)]
    pub(super) struct PssParams<'a> {
        pub(super) hash: Option<Alg<'a>>,
        pub(super) mask_gen: Option<Alg<'a>>,
        pub(super) salt_len: Option<u32>,
        pub(super) trailer: Option<u32>,
    }

    /// The fields, from the parameters' contents: `[0]` to `[3]`, each EXPLICIT and
    /// OPTIONAL, in order.
    pub(super) fn pss_params(contents: &[u8]) -> Result<PssParams<'_>, ()> {
        let mut r = reader(contents)?;
        let mut p = PssParams::default();
        let mut last = None;
        while !r.is_finished() {
            let item = next(&mut r)?;
            let n = match context(item) {
                Some((n @ 0..=3, true)) if last < Some(n) => n,
                _ => return Err(()),
            };
            let inner = item.value();
            match n {
                0 => p.hash = Some(algorithm_identifier(inner)?),
                1 => p.mask_gen = Some(algorithm_identifier(inner)?),
                2 => p.salt_len = Some(uint32(only(inner, Tag::Integer)?)?),
                _ => p.trailer = Some(uint32(only(inner, Tag::Integer)?)?),
            }
            last = Some(n);
        }
        Ok(p)
    }

    fn hash_from_oid(&(oid, parameters): &Alg<'_>) -> Result<HashAlgorithm, Error> {
        if !null_or_absent(parameters) {
            return Err(Error::UnsupportedSignatureAlgorithm);
        }
        match oid {
            SHA1 => Ok(HashAlgorithm::Sha1),
            SHA256 => Ok(HashAlgorithm::Sha256),
            SHA384 => sha384(),
            SHA512 => sha512(),
            _ => Err(Error::UnsupportedSignatureAlgorithm),
        }
    }

    /// RFC 4055 §3.1 parameters, restricted to the one shape `verify_pss` implements
    /// (and the one RFC 8446 / CA/B Forum profiles use): MGF1 with the signature hash,
    /// salt length equal to the hash length, trailer 1.
    pub(super) fn parse(params: Option<AnyRef<'_>>) -> Result<super::SignatureAlgorithm, Error> {
        let params = params.ok_or(Error::Malformed("RSASSA-PSS without parameters"))?;
        let p = expect(params, Tag::Sequence)
            .and_then(pss_params)
            .map_err(|()| Error::Malformed("RSASSA-PSS parameters"))?;
        let hash = match &p.hash {
            Some(h) => hash_from_oid(h)?,
            None => HashAlgorithm::Sha1,
        };
        let mgf_hash = match &p.mask_gen {
            Some((oid, parameters)) => {
                if *oid != MGF1 {
                    return Err(Error::UnsupportedSignatureAlgorithm);
                }
                let inner = parameters.ok_or(Error::Malformed("MGF1 without a hash"))?;
                let inner = expect(inner, Tag::Sequence)
                    .and_then(algorithm_identifier_fields)
                    .map_err(|()| Error::Malformed("MGF1 parameters"))?;
                hash_from_oid(&inner)?
            }
            None => HashAlgorithm::Sha1,
        };
        let salt = p.salt_len.unwrap_or(20);
        let trailer = p.trailer.unwrap_or(1);
        if trailer != 1 {
            return Err(Error::Malformed("RSASSA-PSS trailerField is not 1"));
        }
        if mgf_hash != hash || salt as usize != hash.output_len() {
            return Err(Error::UnsupportedSignatureAlgorithm);
        }
        Ok(super::SignatureAlgorithm::RsaPss(hash))
    }
}

/// Verify `signature` over the to-be-signed bytes, given as their `digest` under
/// `alg.hash()`, with `key`, refusing SHA-1 unless `allow_sha1`. An algorithm for
/// another key type than `key`'s fails as [`Error::BadSignature`].
pub(crate) fn verify_signature(
    key: &PublicKey,
    alg: SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
    allow_sha1: bool,
) -> Result<(), Error> {
    if alg.hash() == HashAlgorithm::Sha1 && !allow_sha1 {
        return Err(Error::Sha1Refused);
    }
    let result = match (alg, key) {
        (SignatureAlgorithm::RsaPkcs1(h), PublicKey::Rsa(k)) => {
            k.verify_pkcs1v15_prehashed(h, digest, signature)
        }
        #[cfg(feature = "pss")]
        (SignatureAlgorithm::RsaPss(h), PublicKey::Rsa(k)) => {
            k.verify_pss_prehashed(h, digest, signature)
        }
        // Never parsed in this build (see parse_signature_algorithm).
        #[cfg(not(feature = "pss"))]
        (SignatureAlgorithm::RsaPss(_), _) => {
            return Err(Error::SignatureAlgorithmLeftOut(LeftOut::RsaPss));
        }
        // The digest was computed with the algorithm's hash; a digest longer than the
        // group order is truncated by the verifier (FIPS 186-5 §6.4.2).
        #[cfg(feature = "ecdsa")]
        (SignatureAlgorithm::Ecdsa(_), PublicKey::Ecdsa(k)) => {
            k.verify_prehashed(digest, signature)
        }
        #[cfg(not(feature = "ecdsa"))]
        (SignatureAlgorithm::Ecdsa(_), _) => {
            return Err(Error::SignatureAlgorithmLeftOut(LeftOut::Ecdsa));
        }
        // An algorithm of another key type (ECDSA under an RSA key, or the reverse):
        // this key did not make the signature.
        #[allow(unreachable_patterns)]
        _ => return Err(Error::BadSignature),
    };
    result.map_err(|e| match e {
        // An algorithm sanstls-crypto was built without (its features can be off while
        // this crate's are on only if a build is inconsistent): unsupported, not "bad".
        sanstls_crypto::Error::Unsupported(_) => Error::UnsupportedSignatureAlgorithm,
        _ => Error::BadSignature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use der::asn1::AnyRef;
    use der::{Decode, Encode};
    use spki::AlgorithmIdentifierRef;

    fn alg_der(oid: &str, params: Option<&[u8]>) -> Vec<u8> {
        let params = params.map(|p| AnyRef::from_der(p).unwrap());
        AlgorithmIdentifierRef {
            oid: Oid::new_unwrap(oid),
            parameters: params,
        }
        .to_der()
        .unwrap()
    }

    const NULL: &[u8] = &[5, 0];

    /// SHA-384 / SHA-512 when the build has them, else the error naming them.
    fn big(h: HashAlgorithm) -> Result<HashAlgorithm, Error> {
        match h {
            HashAlgorithm::Sha384 => sha384(),
            HashAlgorithm::Sha512 => sha512(),
            other => Ok(other),
        }
    }

    #[test]
    fn pkcs1_hashes() {
        let cases = [
            ("1.2.840.113549.1.1.11", HashAlgorithm::Sha256),
            ("1.2.840.113549.1.1.12", HashAlgorithm::Sha384),
            ("1.2.840.113549.1.1.13", HashAlgorithm::Sha512),
            ("1.2.840.113549.1.1.5", HashAlgorithm::Sha1),
        ];
        for (oid, h) in cases {
            let Ok(h) = big(h) else {
                // Left out: refused by name, whatever the parameters.
                for params in [Some(NULL), None, Some(&[2, 1, 0][..])] {
                    assert_eq!(
                        parse_signature_algorithm(&alg_der(oid, params)),
                        big(h).map(SignatureAlgorithm::RsaPkcs1)
                    );
                }
                continue;
            };
            assert_eq!(
                parse_signature_algorithm(&alg_der(oid, Some(NULL))),
                Ok(SignatureAlgorithm::RsaPkcs1(h))
            );
            assert_eq!(
                parse_signature_algorithm(&alg_der(oid, None)),
                Ok(SignatureAlgorithm::RsaPkcs1(h))
            );
            assert!(matches!(
                parse_signature_algorithm(&alg_der(oid, Some(&[2, 1, 0]))),
                Err(Error::Malformed(_))
            ));
        }
    }

    #[test]
    fn left_out_algorithms_are_named() {
        let sha384 = parse_signature_algorithm(&alg_der("1.2.840.113549.1.1.12", Some(NULL)));
        let sha512 = parse_signature_algorithm(&alg_der("1.2.840.113549.1.1.13", Some(NULL)));
        if cfg!(feature = "sha512") {
            assert!(sha384.is_ok() && sha512.is_ok());
        } else {
            assert_eq!(
                sha384,
                Err(Error::SignatureAlgorithmLeftOut(LeftOut::Sha384))
            );
            assert_eq!(
                sha512,
                Err(Error::SignatureAlgorithmLeftOut(LeftOut::Sha512))
            );
            assert_eq!(
                alloc::format!("{}", sha384.unwrap_err()),
                "certificate signature uses SHA-384, which this build leaves out (feature \
                 `sha512`)"
            );
        }
        // PSS without parameters: malformed when PSS is built in, left out otherwise
        // (its parameters are not decoded at all).
        let pss = parse_signature_algorithm(&alg_der("1.2.840.113549.1.1.10", None));
        if cfg!(feature = "pss") {
            assert!(matches!(pss, Err(Error::Malformed(_))));
        } else {
            assert_eq!(pss, Err(Error::SignatureAlgorithmLeftOut(LeftOut::RsaPss)));
            assert_eq!(
                alloc::format!("{}", pss.unwrap_err()),
                "certificate signature uses RSASSA-PSS, which this build leaves out (feature \
                 `pss`)"
            );
        }
    }

    #[test]
    fn other_algorithms_are_unsupported() {
        for oid in [
            "1.2.840.10045.4.1",      // ecdsa-with-SHA1
            "1.2.840.10045.4.3.1",    // ecdsa-with-SHA224
            "1.3.101.112",            // Ed25519
            "1.2.840.113549.1.1.14",  // sha224WithRSAEncryption
            "1.2.840.113549.1.1.4",   // md5WithRSAEncryption
            "2.16.840.1.101.3.4.3.2", // dsa-with-sha256
        ] {
            assert_eq!(
                parse_signature_algorithm(&alg_der(oid, None)),
                Err(Error::UnsupportedSignatureAlgorithm),
                "{oid}"
            );
        }
    }

    #[test]
    fn ecdsa_hashes_and_parameters() {
        let cases = [
            ("1.2.840.10045.4.3.2", HashAlgorithm::Sha256),
            ("1.2.840.10045.4.3.3", HashAlgorithm::Sha384),
            ("1.2.840.10045.4.3.4", HashAlgorithm::Sha512),
        ];
        for (oid, h) in cases {
            let absent = parse_signature_algorithm(&alg_der(oid, None));
            let null = parse_signature_algorithm(&alg_der(oid, Some(NULL)));
            if !cfg!(feature = "ecdsa") {
                // Left out, whatever the hash and the parameters.
                for r in [absent, null] {
                    assert_eq!(r, Err(Error::SignatureAlgorithmLeftOut(LeftOut::Ecdsa)));
                }
                continue;
            }
            let Ok(h) = big(h) else {
                assert_eq!(absent, big(h).map(SignatureAlgorithm::Ecdsa));
                continue;
            };
            assert_eq!(absent, Ok(SignatureAlgorithm::Ecdsa(h)), "{oid}");
            // RFC 5758 §3.2: the parameters MUST be absent; NULL is not absent.
            for params in [NULL, &[2, 1, 0][..]] {
                assert!(
                    matches!(
                        parse_signature_algorithm(&alg_der(oid, Some(params))),
                        Err(Error::Malformed(m)) if m.contains("RFC 5758")
                    ),
                    "{oid} {params:?}"
                );
            }
        }
    }

    #[test]
    fn algorithms_of_another_key_type_do_not_verify() {
        let pem = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/ca-root.cert.pem"
        ))
        .unwrap();
        let der = crate::pem_to_der_certs(&pem).unwrap().remove(0);
        let rsa = crate::key::parse_spki(crate::cert::Cert::parse(&der).unwrap().spki).unwrap();
        let digest = [0u8; 32];
        let ecdsa = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
        assert!(!ecdsa.fits(&rsa));
        let want = if cfg!(feature = "ecdsa") {
            Error::BadSignature
        } else {
            Error::SignatureAlgorithmLeftOut(LeftOut::Ecdsa)
        };
        assert_eq!(
            verify_signature(&rsa, ecdsa, &digest, &[0x30, 0], false),
            Err(want)
        );
        #[cfg(feature = "ecdsa")]
        {
            let pem = std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../testdata/ca-ecdsa-root.cert.pem"
            ))
            .unwrap();
            let der = crate::pem_to_der_certs(&pem).unwrap().remove(0);
            let ec = crate::key::parse_spki(crate::cert::Cert::parse(&der).unwrap().spki).unwrap();
            let pkcs1 = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);
            assert!(!pkcs1.fits(&ec) && ecdsa.fits(&ec) && pkcs1.fits(&rsa));
            assert_eq!(
                verify_signature(&ec, pkcs1, &digest, &[0; 256], false),
                Err(Error::BadSignature)
            );
            // And a garbage signature of the right type: bad, not a panic.
            assert_eq!(
                verify_signature(&ec, ecdsa, &digest, &[0x30, 0], false),
                Err(Error::BadSignature)
            );
        }
    }

    #[cfg(feature = "pss")]
    fn pss_params(hash: &str, mgf_hash: &str, salt: u8, trailer: Option<u8>) -> Vec<u8> {
        let h = alg_der(hash, None);
        let mh = alg_der(mgf_hash, None);
        let mgf = alg_der("1.2.840.113549.1.1.8", Some(&mh));
        let mut body = Vec::new();
        let mut explicit = |tag: u8, inner: &[u8]| {
            body.push(tag);
            body.push(inner.len() as u8);
            body.extend_from_slice(inner);
        };
        explicit(0xa0, &h);
        explicit(0xa1, &mgf);
        explicit(0xa2, &[2, 1, salt]);
        if let Some(t) = trailer {
            explicit(0xa3, &[2, 1, t]);
        }
        let mut seq = alloc::vec![0x30, body.len() as u8];
        seq.extend_from_slice(&body);
        alg_der("1.2.840.113549.1.1.10", Some(&seq))
    }

    #[cfg(feature = "pss")]
    #[test]
    fn pss_parameters() {
        let s256 = "2.16.840.1.101.3.4.2.1";
        let s384 = "2.16.840.1.101.3.4.2.2";
        let s512 = "2.16.840.1.101.3.4.2.3";
        let ok = [
            (s256, 32, HashAlgorithm::Sha256),
            (s384, 48, HashAlgorithm::Sha384),
            (s512, 64, HashAlgorithm::Sha512),
        ];
        for (h, salt, want) in ok {
            let Ok(want) = big(want) else {
                assert_eq!(
                    parse_signature_algorithm(&pss_params(h, h, salt, None)),
                    big(want).map(SignatureAlgorithm::RsaPss)
                );
                continue;
            };
            assert_eq!(
                parse_signature_algorithm(&pss_params(h, h, salt, None)),
                Ok(SignatureAlgorithm::RsaPss(want))
            );
            assert_eq!(
                parse_signature_algorithm(&pss_params(h, h, salt, Some(1))),
                Ok(SignatureAlgorithm::RsaPss(want))
            );
        }
        // Salt length other than the hash length, mismatched MGF1 hash: unsupported.
        assert_eq!(
            parse_signature_algorithm(&pss_params(s256, s256, 20, None)),
            Err(Error::UnsupportedSignatureAlgorithm)
        );
        assert_eq!(
            parse_signature_algorithm(&pss_params(s256, s384, 32, None)),
            big(HashAlgorithm::Sha384).and(Err(Error::UnsupportedSignatureAlgorithm))
        );
        // Trailer field other than 1: malformed (RFC 4055 §3.1 allows only 1).
        assert!(matches!(
            parse_signature_algorithm(&pss_params(s256, s256, 32, Some(2))),
            Err(Error::Malformed(_))
        ));
        // PSS without parameters is malformed.
        assert!(matches!(
            parse_signature_algorithm(&alg_der("1.2.840.113549.1.1.10", None)),
            Err(Error::Malformed(_))
        ));
    }

    /// The SubjectPublicKeyInfo decoding before the DER walker: spki's decoder, then
    /// sanstls-crypto's.
    fn parse_rsa_spki_before(spki: &[u8]) -> Result<sanstls_crypto::rsa::RsaPublicKey, Error> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(spki)
            .map_err(|_| Error::Malformed("SubjectPublicKeyInfo"))?;
        if info.algorithm.oid != crate::key::RSA_ENCRYPTION {
            return Err(Error::UnsupportedPublicKey);
        }
        sanstls_crypto::rsa::RsaPublicKey::from_public_key_der(spki).map_err(|e| match e {
            sanstls_crypto::Error::UnsupportedKeySize { bits } if bits < 1024 => {
                Error::WeakKey { bits }
            }
            sanstls_crypto::Error::UnsupportedKeySize { .. }
            | sanstls_crypto::Error::UnsupportedPublicExponent { .. } => {
                Error::UnsupportedPublicKey
            }
            _ => Error::Malformed("RSA public key"),
        })
    }

    #[test]
    fn spki_edits_give_the_same_verdicts_as_before() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");
        for name in [
            "server-rsa2048",
            "ca-root",
            "bad-rsa1024",
            "ecdsa-leaf",
            "server-ecdsa-p384",
        ] {
            let pem = std::fs::read_to_string(alloc::format!("{dir}{name}.cert.pem")).unwrap();
            let der = crate::pem_to_der_certs(&pem).unwrap().remove(0);
            let spki = crate::cert::Cert::parse(&der).unwrap().spki.to_vec();
            let same = |s: &[u8], what: &dyn core::fmt::Display| {
                let new = crate::key::parse_spki(s);
                let old = parse_rsa_spki_before(s).map(|k| k.n_bytes());
                // The former decoder took RSA keys only; EC keys now get their own
                // verdicts (key.rs), never an RSA key.
                let ec = crate::cert::subject_public_key_info(s)
                    .is_ok_and(|(oid, _, _)| oid == crate::key::ID_EC_PUBLIC_KEY);
                if ec {
                    assert_eq!(old, Err(Error::UnsupportedPublicKey), "{name}: {what}");
                    assert!(!matches!(new, Ok(PublicKey::Rsa(_))), "{name}: {what}");
                    return;
                }
                let new = new.map(|k| k.as_rsa().map(sanstls_crypto::rsa::RsaPublicKey::n_bytes));
                assert_eq!(new, old.map(Some), "{name}: {what}");
            };
            same(&spki, &"unchanged");
            // The header, the algorithm and the start of the key: where the structure is.
            for i in 0..spki.len().min(48) {
                for x in [0x01u8, 0x80, 0xff] {
                    let mut m = spki.clone();
                    m[i] ^= x;
                    same(&m, &alloc::format!("byte {i} ^ {x:#x}"));
                }
                same(&spki[..i], &alloc::format!("truncated to {i}"));
            }
        }
    }

    /// The RSASSA-PSS parameter decoding before the DER walker (der's derive).
    #[cfg(feature = "pss")]
    fn parse_pss_before(params: Option<AnyRef<'_>>) -> Result<SignatureAlgorithm, Error> {
        #[derive(der::Sequence)]
        struct PssParams<'a> {
            #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
            hash: Option<AlgorithmIdentifierRef<'a>>,
            #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
            mask_gen: Option<AlgorithmIdentifierRef<'a>>,
            #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
            salt_len: Option<u32>,
            #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
            trailer: Option<u32>,
        }
        let hash_from_oid = |alg: &AlgorithmIdentifierRef<'_>| {
            if !null_or_absent(alg.parameters) {
                return Err(Error::UnsupportedSignatureAlgorithm);
            }
            let is = |dotted| alg.oid == Oid::new_unwrap(dotted);
            if is("1.3.14.3.2.26") {
                Ok(HashAlgorithm::Sha1)
            } else if is("2.16.840.1.101.3.4.2.1") {
                Ok(HashAlgorithm::Sha256)
            } else if is("2.16.840.1.101.3.4.2.2") {
                sha384()
            } else if is("2.16.840.1.101.3.4.2.3") {
                sha512()
            } else {
                Err(Error::UnsupportedSignatureAlgorithm)
            }
        };
        let params = params.ok_or(Error::Malformed("RSASSA-PSS without parameters"))?;
        let p: PssParams<'_> = params
            .decode_as()
            .map_err(|_| Error::Malformed("RSASSA-PSS parameters"))?;
        let hash = match &p.hash {
            Some(h) => hash_from_oid(h)?,
            None => HashAlgorithm::Sha1,
        };
        let mgf_hash = match &p.mask_gen {
            Some(m) => {
                if m.oid != Oid::new_unwrap("1.2.840.113549.1.1.8") {
                    return Err(Error::UnsupportedSignatureAlgorithm);
                }
                let inner = m
                    .parameters
                    .ok_or(Error::Malformed("MGF1 without a hash"))?
                    .decode_as::<AlgorithmIdentifierRef<'_>>()
                    .map_err(|_| Error::Malformed("MGF1 parameters"))?;
                hash_from_oid(&inner)?
            }
            None => HashAlgorithm::Sha1,
        };
        let salt = p.salt_len.unwrap_or(20);
        if p.trailer.unwrap_or(1) != 1 {
            return Err(Error::Malformed("RSASSA-PSS trailerField is not 1"));
        }
        if mgf_hash != hash || salt as usize != hash.output_len() {
            return Err(Error::UnsupportedSignatureAlgorithm);
        }
        Ok(SignatureAlgorithm::RsaPss(hash))
    }

    #[cfg(feature = "pss")]
    #[test]
    fn pss_parameter_edits_give_the_same_verdicts_as_before() {
        use alloc::string::ToString;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");
        let mut algs: Vec<Vec<u8>> = ["server-pss", "server-pss-sha512", "bad-pss-salt20"]
            .iter()
            .map(|name| {
                let pem = std::fs::read_to_string(alloc::format!("{dir}{name}.cert.pem")).unwrap();
                let der = crate::pem_to_der_certs(&pem).unwrap().remove(0);
                crate::cert::Cert::parse(&der).unwrap().sig_alg.to_vec()
            })
            .collect();
        let (s1, s256) = ("1.3.14.3.2.26", "2.16.840.1.101.3.4.2.1");
        algs.push(pss_params(s256, s256, 32, Some(1)));
        algs.push(pss_params(s256, s1, 32, Some(2)));
        algs.push(pss_params(s1, s1, 20, None));
        let mut cases = 0;
        for alg in &algs {
            let same = |a: &[u8], what: &dyn core::fmt::Display| {
                let Ok((oid, params)) = crate::cert::algorithm_identifier(a) else {
                    return;
                };
                if oid != RSASSA_PSS {
                    return;
                }
                assert_eq!(pss::parse(params), parse_pss_before(params), "{what}");
            };
            for i in 0..alg.len() {
                for x in [0x01u8, 0x02, 0x20, 0x80, 0xff] {
                    let mut m = alg.clone();
                    m[i] ^= x;
                    same(&m, &alloc::format!("{alg:02x?} byte {i} ^ {x:#x}"));
                    cases += 1;
                }
                same(&alg[..i], &"truncated".to_string());
            }
        }
        assert!(cases > 1000);
    }
}
