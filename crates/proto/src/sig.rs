//! Signatures in the handshake, shared by both roles: which hash a scheme uses, what a
//! ServerKeyExchange signature covers, and signing with a scheme (RFC 5246 §7.4.1.4.1,
//! §7.4.3, §7.4.8; ECDSA per RFC 8422 §5.4 and §5.10).

use alloc::vec::Vec;

#[cfg(feature = "ecdsa")]
use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPrivateKey, EcdsaPublicKey};
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::provider::CryptoProvider;
use sanstls_crypto::rng::SeededRng;
use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use sanstls_wire::enums::SignatureScheme;
use sanstls_wire::writer::Writer;

use crate::error::{Error, InternalError, PeerMisbehaved};

/// The signature algorithm of a scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SigAlg {
    /// RSASSA-PKCS1-v1_5.
    Pkcs1,
    /// RSASSA-PSS with an rsaEncryption key (rsa_pss_rsae_*).
    Pss,
    /// ECDSA, the DER `ECDSA-Sig-Value` (RFC 8422 §5.4).
    Ecdsa,
}

/// The hash of a signature scheme sanstls verifies, and its algorithm; `None` for a
/// scheme it does not implement or this build leaves out (RSA-PSS without feature
/// `pss`, ECDSA without feature `ecdsa`, SHA-384/512 without feature `sha512`), which is
/// then treated as unknown everywhere: never offered, never chosen, refused when the
/// peer uses it.
///
/// In TLS 1.2 an ECDSA scheme names a hash, not a curve (RFC 8422 §5.1.3 keeps the
/// `{hash, ecdsa}` pairs of RFC 5246): `ecdsa_secp256r1_sha256` is SHA-256 with any
/// curve the certificate has.
pub(crate) fn scheme_parts(scheme: SignatureScheme) -> Option<(HashAlgorithm, SigAlg)> {
    Some(match scheme {
        // Only when the configuration allows it (its schemes list it then).
        SignatureScheme::RSA_PKCS1_SHA1 => (HashAlgorithm::Sha1, SigAlg::Pkcs1),
        SignatureScheme::RSA_PKCS1_SHA256 => (HashAlgorithm::Sha256, SigAlg::Pkcs1),
        #[cfg(feature = "sha512")]
        SignatureScheme::RSA_PKCS1_SHA384 => (HashAlgorithm::Sha384, SigAlg::Pkcs1),
        #[cfg(feature = "sha512")]
        SignatureScheme::RSA_PKCS1_SHA512 => (HashAlgorithm::Sha512, SigAlg::Pkcs1),
        #[cfg(feature = "pss")]
        SignatureScheme::RSA_PSS_RSAE_SHA256 => (HashAlgorithm::Sha256, SigAlg::Pss),
        #[cfg(all(feature = "pss", feature = "sha512"))]
        SignatureScheme::RSA_PSS_RSAE_SHA384 => (HashAlgorithm::Sha384, SigAlg::Pss),
        #[cfg(all(feature = "pss", feature = "sha512"))]
        SignatureScheme::RSA_PSS_RSAE_SHA512 => (HashAlgorithm::Sha512, SigAlg::Pss),
        // Only when the configuration allows SHA-1.
        #[cfg(feature = "ecdsa")]
        SignatureScheme::ECDSA_SHA1 => (HashAlgorithm::Sha1, SigAlg::Ecdsa),
        #[cfg(feature = "ecdsa")]
        SignatureScheme::ECDSA_SECP256R1_SHA256 => (HashAlgorithm::Sha256, SigAlg::Ecdsa),
        #[cfg(all(feature = "ecdsa", feature = "sha512"))]
        SignatureScheme::ECDSA_SECP384R1_SHA384 => (HashAlgorithm::Sha384, SigAlg::Ecdsa),
        _ => return None,
    })
}

/// The kind of key a certificate holds, as far as signing goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    #[cfg(feature = "ecdsa")]
    Ecdsa(EcdsaCurve),
}

impl KeyKind {
    /// Whether `alg` signs with this kind of key.
    pub(crate) fn signs_with(self, alg: SigAlg) -> bool {
        match self {
            KeyKind::Rsa => matches!(alg, SigAlg::Pkcs1 | SigAlg::Pss),
            #[cfg(feature = "ecdsa")]
            KeyKind::Ecdsa(_) => alg == SigAlg::Ecdsa,
        }
    }

    /// Whether `scheme` is one this build implements for this kind of key.
    pub(crate) fn fits(self, scheme: SignatureScheme) -> bool {
        scheme_parts(scheme).is_some_and(|(_, alg)| self.signs_with(alg))
    }

    /// For an ECDSA key, the scheme named after its curve (RFC 8446 §4.2.3 names;
    /// preferred when both sides list it).
    pub(crate) fn curve_scheme(self) -> Option<SignatureScheme> {
        match self {
            KeyKind::Rsa => None,
            #[cfg(feature = "ecdsa")]
            KeyKind::Ecdsa(EcdsaCurve::P256) => Some(SignatureScheme::ECDSA_SECP256R1_SHA256),
            #[cfg(feature = "ecdsa")]
            KeyKind::Ecdsa(_) => Some(SignatureScheme::ECDSA_SECP384R1_SHA384),
        }
    }
}

/// The peer's public key, from its end-entity certificate.
#[derive(Clone, Debug)]
pub(crate) enum PeerKey {
    Rsa(RsaPublicKey),
    #[cfg(feature = "ecdsa")]
    Ecdsa(EcdsaPublicKey),
}

impl PeerKey {
    /// The key of a validated path's end entity; a key this build cannot use (an EC key
    /// without feature `ecdsa`) is an unsupported certificate.
    pub(crate) fn of(path: &sanstls_pki::VerifiedPath) -> Result<Self, Error> {
        match path.public_key() {
            sanstls_pki::PublicKey::Rsa(k) => Ok(PeerKey::Rsa(k.clone())),
            #[cfg(feature = "ecdsa")]
            sanstls_pki::PublicKey::Ecdsa(k) => Ok(PeerKey::Ecdsa(*k)),
            #[allow(unreachable_patterns)]
            _ => Err(PeerMisbehaved::WrongCertificateKeyType.into()),
        }
    }

    /// The kind of key.
    pub(crate) fn kind(&self) -> KeyKind {
        match self {
            PeerKey::Rsa(_) => KeyKind::Rsa,
            #[cfg(feature = "ecdsa")]
            PeerKey::Ecdsa(k) => KeyKind::Ecdsa(k.curve()),
        }
    }

    /// The RSA key, for RSA key transport.
    #[cfg(feature = "rsa-kx")]
    pub(crate) fn rsa(&self) -> Option<&RsaPublicKey> {
        match self {
            PeerKey::Rsa(k) => Some(k),
            #[cfg(feature = "ecdsa")]
            PeerKey::Ecdsa(_) => None,
        }
    }
}

/// A certificate's private key: RSA, or ECDSA on P-256 or P-384 (feature `ecdsa`).
#[derive(Debug)]
#[non_exhaustive]
pub enum PrivateKey {
    /// An RSA key.
    Rsa(RsaPrivateKey),
    /// An ECDSA key (P-256 or P-384).
    #[cfg(feature = "ecdsa")]
    Ecdsa(EcdsaPrivateKey),
}

impl From<RsaPrivateKey> for PrivateKey {
    fn from(k: RsaPrivateKey) -> Self {
        PrivateKey::Rsa(k)
    }
}

#[cfg(feature = "ecdsa")]
impl From<EcdsaPrivateKey> for PrivateKey {
    fn from(k: EcdsaPrivateKey) -> Self {
        PrivateKey::Ecdsa(k)
    }
}

impl PrivateKey {
    /// Reads a PEM private key: RSA (PKCS#1 `RSA PRIVATE KEY` or PKCS#8), or with feature
    /// `ecdsa` an EC key (SEC 1 `EC PRIVATE KEY` or PKCS#8) on P-256 or P-384.
    pub fn from_pem(pem: &str) -> Result<Self, sanstls_crypto::Error> {
        #[cfg(feature = "ecdsa")]
        if pem.contains("-----BEGIN EC PRIVATE KEY-----") {
            return EcdsaPrivateKey::from_pem(pem).map(PrivateKey::Ecdsa);
        }
        match RsaPrivateKey::from_pem(pem) {
            Ok(k) => Ok(PrivateKey::Rsa(k)),
            // A PKCS#8 key that is not RSA may be EC; if it is neither, the EC parser's
            // error says more ("a curve other than P-256 or P-384", "not
            // id-ecPublicKey") than "not rsaEncryption" does.
            #[cfg(feature = "ecdsa")]
            Err(rsa) => EcdsaPrivateKey::from_pem(pem)
                .map(PrivateKey::Ecdsa)
                .map_err(|ec| match rsa {
                    sanstls_crypto::Error::KeyEncoding(m) if m.contains("rsaEncryption") => ec,
                    other => other,
                }),
            #[cfg(not(feature = "ecdsa"))]
            Err(e) => Err(e),
        }
    }

    /// [`PrivateKey::from_pem`], with an RSA key's private operation run by `provider` if
    /// it takes the key ([`RsaPrivateKey::from_pem_with`]); EC keys stay built in.
    pub fn from_pem_with(
        pem: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<Self, sanstls_crypto::Error> {
        match Self::from_pem(pem)? {
            PrivateKey::Rsa(_) => RsaPrivateKey::from_pem_with(pem, provider).map(PrivateKey::Rsa),
            other => Ok(other),
        }
    }

    /// [`PrivateKey::from_der`], with an RSA key's private operation run by `provider`
    /// if it takes the key.
    pub fn from_der_with(
        der: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<Self, sanstls_crypto::Error> {
        match Self::from_der(der)? {
            PrivateKey::Rsa(_) => RsaPrivateKey::from_pkcs8_der_with(der, provider)
                .or_else(|_| RsaPrivateKey::from_pkcs1_der_with(der, provider))
                .map(PrivateKey::Rsa),
            other => Ok(other),
        }
    }

    /// Reads a DER private key (PKCS#1 or PKCS#8 RSA; with feature `ecdsa`, SEC 1 or
    /// PKCS#8 EC).
    pub fn from_der(der: &[u8]) -> Result<Self, sanstls_crypto::Error> {
        match RsaPrivateKey::from_pkcs8_der(der).or_else(|_| RsaPrivateKey::from_pkcs1_der(der)) {
            Ok(k) => Ok(PrivateKey::Rsa(k)),
            #[cfg(feature = "ecdsa")]
            Err(e) => EcdsaPrivateKey::from_der(der)
                .map(PrivateKey::Ecdsa)
                .map_err(|_| e),
            #[cfg(not(feature = "ecdsa"))]
            Err(e) => Err(e),
        }
    }

    /// The RSA key, if this is one.
    pub fn rsa(&self) -> Option<&RsaPrivateKey> {
        match self {
            PrivateKey::Rsa(k) => Some(k),
            #[cfg(feature = "ecdsa")]
            PrivateKey::Ecdsa(_) => None,
        }
    }

    /// The kind of key.
    pub(crate) fn kind(&self) -> KeyKind {
        match self {
            PrivateKey::Rsa(_) => KeyKind::Rsa,
            #[cfg(feature = "ecdsa")]
            PrivateKey::Ecdsa(k) => KeyKind::Ecdsa(k.curve()),
        }
    }

    /// The longest signature this key makes, in bytes (to size buffers).
    pub(crate) fn max_signature_len(&self) -> usize {
        match self {
            PrivateKey::Rsa(k) => k.public_key().modulus_len(),
            // A DER ECDSA-Sig-Value: SEQUENCE of two INTEGERs of up to one byte more
            // than the order (a leading zero), with their headers.
            #[cfg(feature = "ecdsa")]
            PrivateKey::Ecdsa(k) => match k.curve() {
                EcdsaCurve::P256 => 72,
                _ => 104,
            },
        }
    }
}

/// What a signature covers: a message (a ServerKeyExchange's parameters, hashed by the
/// verification) or a digest made by the caller (a CertificateVerify's transcript hash).
#[cfg(any(
    feature = "dhe",
    feature = "ecdhe",
    all(feature = "server", feature = "client-auth")
))]
pub(crate) enum Signed<'a> {
    Message(&'a [u8]),
    Digest(&'a [u8]),
}

/// Verifies `sig` over `signed` as `scheme_parts` described the scheme; a signature that
/// does not verify is [`PeerMisbehaved::BadSignature`] (decrypt_error, RFC 5246 §7.2.2),
/// one whose algorithm does not fit the key [`PeerMisbehaved::SignatureKeyMismatch`].
/// (`Pss` is never given in a build without RSA-PSS: `scheme_parts` knows no such
/// scheme there, and the crypto crate refuses PSS too.)
#[cfg(any(
    feature = "dhe",
    feature = "ecdhe",
    all(feature = "server", feature = "client-auth")
))]
pub(crate) fn verify(
    key: &PeerKey,
    hash: HashAlgorithm,
    alg: SigAlg,
    signed: Signed<'_>,
    sig: &[u8],
) -> Result<(), Error> {
    let ok = match (key, alg, signed) {
        (PeerKey::Rsa(k), SigAlg::Pkcs1, Signed::Message(m)) => k.verify_pkcs1v15(hash, m, sig),
        (PeerKey::Rsa(k), SigAlg::Pss, Signed::Message(m)) => k.verify_pss(hash, m, sig),
        (PeerKey::Rsa(k), SigAlg::Pkcs1, Signed::Digest(d)) => {
            k.verify_pkcs1v15_prehashed(hash, d, sig)
        }
        (PeerKey::Rsa(k), SigAlg::Pss, Signed::Digest(d)) => k.verify_pss_prehashed(hash, d, sig),
        // RFC 8422 §5.4: the DER signature is checked strictly by the crypto crate.
        #[cfg(feature = "ecdsa")]
        (PeerKey::Ecdsa(k), SigAlg::Ecdsa, Signed::Message(m)) => k.verify(hash, m, sig),
        #[cfg(feature = "ecdsa")]
        (PeerKey::Ecdsa(k), SigAlg::Ecdsa, Signed::Digest(d)) => k.verify_prehashed(d, sig),
        _ => return Err(PeerMisbehaved::SignatureKeyMismatch.into()),
    };
    ok.map_err(|_| PeerMisbehaved::BadSignature.into())
}

/// Signs `digest` (made with the hash of `scheme`) with `key` as `scheme` says: RSA-PSS
/// or PKCS#1 v1.5, SHA-1 included (the configuration lists rsa_pkcs1_sha1 only when it
/// allows SHA-1 signatures), or ECDSA with a hedged RFC 6979 nonce.
pub(crate) fn sign_digest(
    key: &PrivateKey,
    rng: &mut SeededRng,
    scheme: SignatureScheme,
    digest: &[u8],
) -> Result<Vec<u8>, Error> {
    let (hash, alg) = scheme_parts(scheme).ok_or(InternalError::HandshakeState)?;
    match (key, alg) {
        #[cfg(feature = "pss")]
        (PrivateKey::Rsa(k), SigAlg::Pss) => k
            .sign_pss_prehashed(rng, hash, digest)
            .map_err(|_| InternalError::RsaOperation.into()),
        (PrivateKey::Rsa(k), SigAlg::Pkcs1) => if hash == HashAlgorithm::Sha1 {
            k.sign_pkcs1v15_sha1_legacy_prehashed(rng, digest)
        } else {
            k.sign_pkcs1v15_prehashed(rng, hash, digest)
        }
        .map_err(|_| InternalError::RsaOperation.into()),
        #[cfg(feature = "ecdsa")]
        (PrivateKey::Ecdsa(k), SigAlg::Ecdsa) => k
            .sign_prehashed_hedged(digest, rng)
            .map_err(|_| InternalError::RsaOperation.into()),
        _ => Err(InternalError::HandshakeState.into()),
    }
}

/// The bytes a ServerKeyExchange signature covers (RFC 5246 §7.4.3, RFC 8422 §5.4):
/// `client_random + server_random + ServerDHParams` (or `ServerECDHParams`).
pub(crate) fn signed_params(
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    params: &sanstls_wire::handshake::KeyExchangeParams<'_>,
) -> Result<Vec<u8>, Error> {
    let mut v = Vec::with_capacity(64 + params.encoded_len());
    v.extend_from_slice(client_random);
    v.extend_from_slice(server_random);
    params
        .write(&mut Writer::vec(&mut v))
        .map_err(|_| InternalError::Encoding)?;
    Ok(v)
}
