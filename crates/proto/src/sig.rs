//! Signatures in the handshake, shared by both roles: which hash a scheme uses, what a
//! ServerKeyExchange signature covers, and signing with a scheme (RFC 5246 §7.4.1.4.1,
//! §7.4.3, §7.4.8).

use alloc::vec::Vec;

use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;
use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use sanstls_wire::codec::Codec as _;
use sanstls_wire::enums::SignatureScheme;
use sanstls_wire::writer::Writer;

use crate::error::{Error, InternalError, PeerMisbehaved};

/// The hash of a signature scheme sanstls verifies, and whether it is PSS; `None` for
/// a scheme it does not implement or this build leaves out (RSA-PSS without feature
/// `pss`, SHA-384/512 without feature `sha512`), which is then treated as unknown
/// everywhere: never offered, never chosen, refused when the peer uses it.
pub(crate) fn scheme_parts(scheme: SignatureScheme) -> Option<(HashAlgorithm, bool)> {
    Some(match scheme {
        // Only when the configuration allows it (its schemes list it then).
        SignatureScheme::RSA_PKCS1_SHA1 => (HashAlgorithm::Sha1, false),
        SignatureScheme::RSA_PKCS1_SHA256 => (HashAlgorithm::Sha256, false),
        #[cfg(feature = "sha512")]
        SignatureScheme::RSA_PKCS1_SHA384 => (HashAlgorithm::Sha384, false),
        #[cfg(feature = "sha512")]
        SignatureScheme::RSA_PKCS1_SHA512 => (HashAlgorithm::Sha512, false),
        #[cfg(feature = "pss")]
        SignatureScheme::RSA_PSS_RSAE_SHA256 => (HashAlgorithm::Sha256, true),
        #[cfg(all(feature = "pss", feature = "sha512"))]
        SignatureScheme::RSA_PSS_RSAE_SHA384 => (HashAlgorithm::Sha384, true),
        #[cfg(all(feature = "pss", feature = "sha512"))]
        SignatureScheme::RSA_PSS_RSAE_SHA512 => (HashAlgorithm::Sha512, true),
        _ => return None,
    })
}

/// What a signature covers: a message (a ServerKeyExchange's parameters, hashed by the
/// verification) or a digest made by the caller (a CertificateVerify's transcript hash).
#[cfg(any(feature = "dhe", all(feature = "server", feature = "client-auth")))]
pub(crate) enum Signed<'a> {
    Message(&'a [u8]),
    Digest(&'a [u8]),
}

/// Verifies `sig` over `signed` as `scheme_parts` described the scheme; a signature that
/// does not verify is [`PeerMisbehaved::BadSignature`] (decrypt_error, RFC 5246 §7.2.2).
/// (`pss` is never true in a build without RSA-PSS: `scheme_parts` knows no such scheme
/// there, and the crypto crate refuses PSS too.)
#[cfg(any(feature = "dhe", all(feature = "server", feature = "client-auth")))]
pub(crate) fn verify(
    key: &RsaPublicKey,
    hash: HashAlgorithm,
    pss: bool,
    signed: Signed<'_>,
    sig: &[u8],
) -> Result<(), Error> {
    match (signed, pss) {
        (Signed::Message(m), false) => key.verify_pkcs1v15(hash, m, sig),
        (Signed::Message(m), true) => key.verify_pss(hash, m, sig),
        (Signed::Digest(d), false) => key.verify_pkcs1v15_prehashed(hash, d, sig),
        (Signed::Digest(d), true) => key.verify_pss_prehashed(hash, d, sig),
    }
    .map_err(|_| PeerMisbehaved::BadSignature.into())
}

/// Signs `digest` (made with the hash of `scheme`) with `key` as `scheme` says: RSA-PSS
/// or PKCS#1 v1.5, SHA-1 included (the configuration lists rsa_pkcs1_sha1 only when it
/// allows SHA-1 signatures).
pub(crate) fn sign_digest(
    key: &RsaPrivateKey,
    rng: &mut SeededRng,
    scheme: SignatureScheme,
    digest: &[u8],
) -> Result<Vec<u8>, Error> {
    let (hash, pss) = scheme_parts(scheme).ok_or(InternalError::HandshakeState)?;
    if pss {
        #[cfg(feature = "pss")]
        return key
            .sign_pss_prehashed(rng, hash, digest)
            .map_err(|_| InternalError::RsaOperation.into());
        #[cfg(not(feature = "pss"))]
        return Err(InternalError::HandshakeState.into());
    }
    if hash == HashAlgorithm::Sha1 {
        key.sign_pkcs1v15_sha1_legacy_prehashed(rng, digest)
    } else {
        key.sign_pkcs1v15_prehashed(rng, hash, digest)
    }
    .map_err(|_| InternalError::RsaOperation.into())
}

/// The bytes a ServerKeyExchange signature covers (RFC 5246 §7.4.3):
/// `client_random + server_random + ServerDHParams`.
pub(crate) fn signed_params(
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    params: &sanstls_wire::handshake::ServerDhParams<'_>,
) -> Result<Vec<u8>, Error> {
    let mut v = Vec::with_capacity(64 + params.p.len() + params.g.len() + params.ys.len() + 6);
    v.extend_from_slice(client_random);
    v.extend_from_slice(server_random);
    params
        .write(&mut Writer::vec(&mut v))
        .map_err(|_| InternalError::Encoding)?;
    Ok(v)
}
