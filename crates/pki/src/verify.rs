//! The verifier traits, the WebPKI-style default verifiers and their options.

use alloc::vec::Vec;

#[cfg(doc)]
use sanstls_crypto::rsa::RsaPublicKey;

use crate::anchors::{TrustAnchor, TrustAnchors};
use crate::cert::{Cert, GeneralName, KeyUsage, oid};
use crate::key::PublicKey;
use crate::names::{ServerName, dns_name_matches, ip_matches};
use crate::path::{Builder, check_eku, check_key_size};
use crate::{Error, UnixTime};

/// Limits and policy for validation. Start from [`VerifyOptions::default`] and change
/// fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// The most certificates a path may hold, end entity and trust anchor included
    /// (default 8).
    pub max_depth: usize,
    /// The most signature verifications one validation may perform while searching for
    /// a path (default 64). Running out is [`Error::BudgetExceeded`].
    pub max_signature_checks: u32,
    /// The most work the signature verifications of one validation may cost, in
    /// word-multiplication units (about 3 ns each on a current x86-64 core; default
    /// 6,000,000, under 20 ms). Each verification is charged its RSA public operation
    /// ([`RsaPublicKey::public_op_cost`]: the number of multiplications, one per bit of
    /// the public exponent and more, times the squared modulus size in words), each key
    /// its set-up the first time it is used ([`RsaPublicKey::setup_cost`]), and each
    /// certificate one unit per octet of its signed part, hashed once. An ECDSA
    /// verification is charged a fixed cost per curve, measured against RSA: 120,000
    /// units on P-256 and 400,000 on P-384 (an EC key's set-up, 500). Running out is
    /// [`Error::SignatureWorkExceeded`].
    ///
    /// For scale: a check under a 2048-bit key with e = 65537 costs 19,456 units, under
    /// a 4096-bit one 77,824, under an 8192-bit one 311,296, and under the costliest key
    /// accepted at all (8192 bits, e = 2^33 - 1) 1,081,344; so the default covers about
    /// 300 checks under usual 2048-bit keys, 50 under P-256 keys, 19 under 8192-bit keys
    /// with e = 65537, 15 under P-384 keys, and 5 under the costliest keys.
    pub max_signature_work: u64,
    /// The most work name-constraint checks may cost in one validation, in comparison
    /// units (default 2^18, a few milliseconds): each name checked against a CA's
    /// constraints costs one unit per subtree, one per 32 octets of the subtrees and
    /// one per 32 octets of the name. Running out is
    /// [`Error::NameConstraintWorkExceeded`].
    pub max_name_constraint_work: u32,
    /// The smallest RSA modulus accepted anywhere in the path, in bits (default 2048).
    /// EC keys (P-256 and P-384) are accepted whatever this is.
    pub min_rsa_bits: u32,
    /// Accept SHA-1 signatures on certificates (default false: SHA-1 is broken for
    /// collision resistance, and the CA/B Forum stopped SHA-1 issuance in 2016).
    pub allow_sha1: bool,
    /// Accept anyExtendedKeyUsage in place of serverAuth / clientAuth (default false,
    /// as the CA/B Forum forbids it in subscriber certificates; RFC 5280 §4.2.1.12 lets
    /// applications refuse it).
    pub allow_any_eku: bool,
    /// Refuse an end-entity certificate without extendedKeyUsage (default false: RFC
    /// 5280 §4.2.1.12 treats the absence as "any purpose", as OpenSSL and most
    /// validators do; set it for the CA/B Forum profile, BR §7.1.2.7.10, which requires
    /// the extension in subscriber certificates).
    pub require_eku: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_depth: 8,
            max_signature_checks: 64,
            max_signature_work: 6_000_000,
            max_name_constraint_work: 1 << 18,
            min_rsa_bits: 2048,
            allow_sha1: false,
            allow_any_eku: false,
            require_eku: false,
        }
    }
}

/// What the end-entity certificate must be good for (its extendedKeyUsage).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// id-kp-serverAuth: a TLS server certificate.
    ServerAuth,
    /// id-kp-clientAuth: a TLS client certificate.
    ClientAuth,
}

impl KeyPurpose {
    fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            KeyPurpose::ServerAuth => oid::SERVER_AUTH,
            KeyPurpose::ClientAuth => oid::CLIENT_AUTH,
        }
    }
}

/// The outcome of a successful validation: what the handshake needs from the
/// end-entity certificate, and the path that was found.
#[derive(Clone, Debug)]
pub struct VerifiedPath {
    key_usage: Option<KeyUsage>,
    public_key: PublicKey,
    spki: Vec<u8>,
    certificates: Vec<Vec<u8>>,
    anchor_subject: Option<Vec<u8>>,
}

impl VerifiedPath {
    /// For verifiers that establish trust some other way (pinning, a private
    /// directory): parse the end-entity certificate and expose its key and usage, with
    /// no path. The key must be one this crate parses: RSA, or EC on P-256 or P-384
    /// (feature `ecdsa`).
    pub fn from_trusted_end_entity(end_entity_der: &[u8]) -> Result<Self, Error> {
        let leaf = Cert::parse(end_entity_der)?;
        Ok(VerifiedPath {
            key_usage: leaf.key_usage,
            public_key: leaf.public_key()?.clone(),
            spki: leaf.spki.to_vec(),
            certificates: alloc::vec![end_entity_der.to_vec()],
            anchor_subject: None,
        })
    }

    /// The end-entity certificate's keyUsage, if it has the extension. The state
    /// machine checks it against the key exchange: digitalSignature to sign a
    /// ServerKeyExchange (DHE_RSA), keyEncipherment to decrypt an RSA premaster.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.key_usage
    }

    /// Whether the end-entity key may sign (keyUsage absent, or digitalSignature set).
    pub fn allows_digital_signature(&self) -> bool {
        self.key_usage.is_none_or(KeyUsage::digital_signature)
    }

    /// Whether the end-entity key may receive an encrypted premaster secret (keyUsage
    /// absent, or keyEncipherment set).
    pub fn allows_key_encipherment(&self) -> bool {
        self.key_usage.is_none_or(KeyUsage::key_encipherment)
    }

    /// The end-entity public key: RSA (to verify ServerKeyExchange / CertificateVerify
    /// signatures and to encrypt the premaster secret) or, with the `ecdsa` feature, EC
    /// on P-256 or P-384 (to verify ECDSA signatures). See [`PublicKey::as_rsa`] and
    /// `PublicKey::as_ecdsa`.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The end-entity SubjectPublicKeyInfo, DER-encoded.
    pub fn subject_public_key_info(&self) -> &[u8] {
        &self.spki
    }

    /// The certificates of the path, end entity first, trust anchor excluded.
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// The subject (DER Name) of the trust anchor the path ends at, if a path was built.
    pub fn anchor_subject(&self) -> Option<&[u8]> {
        self.anchor_subject.as_deref()
    }
}

/// Decides whether a server's certificate chain is trusted for a name. Implement it to
/// replace or wrap [`WebPkiServerVerifier`] (pinning, a private PKI).
pub trait ServerCertVerifier: Send + Sync {
    /// Validate `end_entity` (DER) with the `intermediates` the server sent (DER, any
    /// order, extras allowed) for `server_name` at time `now`.
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &ServerName,
        now: UnixTime,
    ) -> Result<VerifiedPath, Error>;
}

/// Decides whether a client's certificate chain is trusted. Implement it to replace or
/// wrap [`WebPkiClientVerifier`].
pub trait ClientCertVerifier: Send + Sync {
    /// Validate `end_entity` (DER) with the `intermediates` the client sent at `now`.
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
    ) -> Result<VerifiedPath, Error>;

    /// The DER subject names a server lists in CertificateRequest.certificate_authorities
    /// (RFC 5246 §7.4.4). Empty by default.
    fn acceptable_issuers(&self) -> Vec<&[u8]> {
        Vec::new()
    }

    /// Whether a client without a certificate is refused (default true).
    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

/// The default server-certificate verifier: RFC 5280 path validation to one of its
/// trust anchors, serverAuth, and RFC 6125 name matching.
#[derive(Clone, Debug)]
pub struct WebPkiServerVerifier {
    anchors: TrustAnchors,
    options: VerifyOptions,
}

impl WebPkiServerVerifier {
    /// A verifier with default options.
    pub fn new(anchors: TrustAnchors) -> Self {
        Self::with_options(anchors, VerifyOptions::default())
    }

    /// A verifier with `options`.
    pub fn with_options(anchors: TrustAnchors, options: VerifyOptions) -> Self {
        WebPkiServerVerifier { anchors, options }
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// The options.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }
}

impl ServerCertVerifier for WebPkiServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &ServerName,
        now: UnixTime,
    ) -> Result<VerifiedPath, Error> {
        verify_chain(
            &self.anchors,
            end_entity,
            intermediates,
            KeyPurpose::ServerAuth,
            Some(server_name),
            now,
            &self.options,
        )
    }
}

/// The default client-certificate verifier: RFC 5280 path validation to one of its
/// trust anchors, and clientAuth. Client names are not checked.
#[derive(Clone, Debug)]
pub struct WebPkiClientVerifier {
    anchors: TrustAnchors,
    options: VerifyOptions,
    mandatory: bool,
}

impl WebPkiClientVerifier {
    /// A verifier with default options that requires a client certificate.
    pub fn new(anchors: TrustAnchors) -> Self {
        Self::with_options(anchors, VerifyOptions::default())
    }

    /// A verifier with `options` that requires a client certificate.
    pub fn with_options(anchors: TrustAnchors, options: VerifyOptions) -> Self {
        WebPkiClientVerifier {
            anchors,
            options,
            mandatory: true,
        }
    }

    /// Let clients without a certificate through (they are then anonymous).
    #[must_use]
    pub fn allow_unauthenticated(mut self) -> Self {
        self.mandatory = false;
        self
    }
}

impl ClientCertVerifier for WebPkiClientVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
    ) -> Result<VerifiedPath, Error> {
        verify_chain(
            &self.anchors,
            end_entity,
            intermediates,
            KeyPurpose::ClientAuth,
            None,
            now,
            &self.options,
        )
    }

    fn acceptable_issuers(&self) -> Vec<&[u8]> {
        self.anchors
            .iter()
            .map(crate::TrustAnchor::subject)
            .collect()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }
}

/// Whether the end-entity certificate is valid for `name`: a subjectAltName dNSName or
/// iPAddress entry must match (RFC 6125 §6.4, no common-name fallback).
pub(crate) fn check_name(leaf: &Cert<'_>, name: &ServerName) -> Result<(), Error> {
    let found = leaf.san_names().any(|gn| match (gn, name) {
        (GeneralName::Dns(d), ServerName::Dns(reference)) => dns_name_matches(d, reference),
        (GeneralName::Ip(ip), ServerName::Ip(reference)) => ip_matches(ip, reference),
        _ => false,
    });
    if found {
        Ok(())
    } else {
        Err(Error::NameMismatch)
    }
}

/// Checks on the end-entity certificate that do not involve its issuers.
fn check_end_entity(
    leaf: &Cert<'_>,
    purpose: KeyPurpose,
    now: UnixTime,
    opts: &VerifyOptions,
) -> Result<(), Error> {
    if leaf.unknown_critical {
        return Err(Error::UnknownCriticalExtension);
    }
    leaf.check_validity(now.as_secs())?;
    // CA/B Forum BR §7.1.2.7.8: subscriber certificates are not CAs. RFC 5280 §4.2.1.3:
    // keyCertSign requires cA.
    if leaf.is_ca() || leaf.key_usage.is_some_and(KeyUsage::key_cert_sign) {
        return Err(Error::EndEntityIsCa);
    }
    // CA/B Forum BR §7.1.2.7.12: the subjectAltName MUST NOT be critical when the
    // subject is not empty (and RFC 5280 §4.2.1.6 requires it critical when it is).
    if leaf.san_critical && leaf.subject != crate::cert::EMPTY_NAME {
        return Err(Error::Malformed(
            "critical subjectAltName with a non-empty subject",
        ));
    }
    // RFC 5280 §4.2.1.10: name constraints MUST be used only in a CA certificate.
    if leaf.name_constraints.is_some() {
        return Err(Error::Malformed(
            "nameConstraints in an end-entity certificate",
        ));
    }
    check_eku(leaf.eku.as_deref(), purpose.oid(), opts, true)?;
    check_key_size(leaf.public_key()?, opts)
}

/// An end-entity certificate that is a trust anchor itself (exact DER match): no path,
/// no issuer checks (it may be a CA certificate, as `openssl req -x509` makes them, or
/// a self-signed certificate with `cA` false); its unknown critical extensions,
/// validity, extendedKeyUsage, key size and name are still checked.
fn trusted_directly(
    leaf: &Cert<'_>,
    anchor: &TrustAnchor,
    purpose: KeyPurpose,
    server_name: Option<&ServerName>,
    now: UnixTime,
    opts: &VerifyOptions,
) -> Result<VerifiedPath, Error> {
    if leaf.unknown_critical {
        return Err(Error::UnknownCriticalExtension);
    }
    leaf.check_validity(now.as_secs())?;
    check_eku(leaf.eku.as_deref(), purpose.oid(), opts, true)?;
    check_key_size(leaf.public_key()?, opts)?;
    if let Some(name) = server_name {
        check_name(leaf, name)?;
    }
    Ok(VerifiedPath {
        key_usage: leaf.key_usage,
        public_key: leaf.public_key()?.clone(),
        spki: leaf.spki.to_vec(),
        certificates: alloc::vec![leaf.der.to_vec()],
        anchor_subject: Some(anchor.subject().to_vec()),
    })
}

/// Intermediates beyond this many are ignored (real chains carry two or three).
pub const MAX_INTERMEDIATES: usize = 64;

/// Intermediates past this many octets in total are ignored (real ones are one or two
/// kilobytes each), so that decoding them costs a bounded time however large the
/// peer's list is. (sanstls's own TLS layer already refuses a Certificate message over
/// 128 KiB.)
pub const MAX_INTERMEDIATES_LEN: usize = 256 * 1024;

/// Validate a chain: the end-entity certificate, the intermediates the peer sent, the
/// purpose, the name (servers only) and the time. This is what the default verifiers
/// call; custom verifiers can call it too.
///
/// Order of checks: an end-entity certificate that is itself one of the trust anchors
/// (the same DER) is trusted directly (see [`TrustAnchor`]); otherwise the end-entity
/// certificate alone (decoding, extensions, validity, basicConstraints, EKU, key), then
/// the path search, then the name.
pub fn verify_chain(
    anchors: &TrustAnchors,
    end_entity: &[u8],
    intermediates: &[&[u8]],
    purpose: KeyPurpose,
    server_name: Option<&ServerName>,
    now: UnixTime,
    opts: &VerifyOptions,
) -> Result<VerifiedPath, Error> {
    let leaf = Cert::parse(end_entity)?;
    if anchors.iter().any(TrustAnchor::has_cert) {
        let digest = sanstls_crypto::hash::sha256(end_entity);
        if let Some(anchor) = anchors.iter().find(|a| a.is_cert(&digest)) {
            return trusted_directly(&leaf, anchor, purpose, server_name, now, opts);
        }
    }
    match check_end_entity(&leaf, purpose, now, opts) {
        // A self-signed CA certificate (what `openssl req -x509` makes) that is not in
        // the trust store: what is wrong is that nobody vouches for it ("self-signed
        // certificate", OpenSSL says), not that it is a CA.
        Err(Error::EndEntityIsCa) if leaf.is_self_issued() => return Err(Error::UnknownIssuer),
        r => r?,
    }

    // Parse the intermediates once (at most MAX_INTERMEDIATES of them and
    // MAX_INTERMEDIATES_LEN octets, in the order given, so that the work stays bounded
    // however long the peer's list is), dropping exact duplicates and the end entity
    // itself.
    // One that does not parse cannot be on a path; it is remembered so that a failed
    // search reports it rather than a bare "unknown issuer".
    let mut pool: Vec<Cert<'_>> = Vec::with_capacity(intermediates.len().min(MAX_INTERMEDIATES));
    let mut unparsable = None;
    let mut room = MAX_INTERMEDIATES_LEN;
    for der in intermediates.iter().take(MAX_INTERMEDIATES) {
        if *der == end_entity || pool.iter().any(|c| c.der == *der) {
            continue;
        }
        match room.checked_sub(der.len()) {
            Some(left) => room = left,
            None => break,
        }
        match Cert::parse(der) {
            Ok(c) => pool.push(c),
            Err(e) => unparsable = unparsable.or(Some(e)),
        }
    }

    let builder = Builder::new(
        opts,
        now.as_secs(),
        purpose.oid(),
        anchors.as_slice(),
        &pool,
        &leaf,
    );
    let found = match builder.build() {
        Ok(found) => found,
        Err(Error::UnknownIssuer) => return Err(unparsable.unwrap_or(Error::UnknownIssuer)),
        // A self-issued end-entity certificate whose signature no certificate of its
        // name verifies is a self-signed certificate nobody here vouches for (a
        // same-named anchor is another certificate, not its issuer).
        Err(Error::BadSignature) if leaf.is_self_issued() => return Err(Error::UnknownIssuer),
        Err(e) => return Err(e),
    };
    if let Some(name) = server_name {
        check_name(&leaf, name)?;
    }

    let mut certificates = Vec::with_capacity(found.intermediates.len() + 1);
    certificates.push(end_entity.to_vec());
    certificates.extend(found.intermediates.iter().map(|&i| pool[i].der.to_vec()));
    Ok(VerifiedPath {
        key_usage: leaf.key_usage,
        public_key: leaf.public_key()?.clone(),
        spki: leaf.spki.to_vec(),
        certificates,
        anchor_subject: Some(anchors.as_slice()[found.anchor].subject().to_vec()),
    })
}
