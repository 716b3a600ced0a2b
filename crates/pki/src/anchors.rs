//! Trust anchors (RFC 5280 §6.1.1 (d)): a subject name and a public key, plus the
//! constraints this crate honours when the anchor comes from a certificate.

use alloc::vec::Vec;

use der::asn1::ObjectIdentifier;

use crate::Error;
use crate::cert::Cert;
use crate::constraints::Constraints;
use crate::key::{PublicKey, parse_spki};

/// One trusted CA: its subject, its key and, when loaded from a certificate, its name
/// constraints, pathLenConstraint and extendedKeyUsage (applied to every path that ends
/// at it, as OpenSSL and pyca/cryptography do, although RFC 5280 §6.1.1 makes that
/// optional: a root whose extendedKeyUsage lists only clientAuth anchors no server
/// certificate).
///
/// When the anchor comes from a certificate, its validity period is enforced too: RFC
/// 5280 §6.1.1 (d) leaves that to the implementation, and an expired root is refused by
/// browsers and OpenSSL alike. The anchor's signature is not checked.
///
/// A certificate loaded as an anchor is also trusted as itself: when a peer presents
/// exactly that certificate (same DER) as its end-entity certificate, it is accepted
/// without a path (a self-signed server certificate passed to `--cafile`, as `curl
/// --cacert` allows), still subject to its validity period, the name and
/// extendedKeyUsage checks.
#[derive(Clone, Debug)]
pub struct TrustAnchor {
    subject: Vec<u8>,
    spki: Vec<u8>,
    /// `Err` for keys this crate cannot use (for example an Ed25519 or P-521 root in a
    /// system bundle, or an EC root in a build without `ecdsa`): the anchor loads, but
    /// nothing verifies under it.
    key: Result<PublicKey, Error>,
    name_constraints: Option<Constraints>,
    path_len: Option<u8>,
    /// The anchor certificate's extendedKeyUsage, if it has one.
    eku: Option<Vec<ObjectIdentifier>>,
    /// SHA-256 of the anchor certificate's DER, to recognise it as an end entity.
    cert_sha256: Option<[u8; 32]>,
    /// (notBefore, notAfter) of the anchor certificate, seconds since the epoch.
    validity: Option<(u64, u64)>,
    /// Whether the anchor certificate may issue certificates at all (see
    /// [`TrustAnchor::from_cert_der`]).
    usable: Result<(), Error>,
}

impl TrustAnchor {
    /// An anchor from a DER certificate (usually self-signed).
    ///
    /// The certificate loads if it parses; it then issues nothing (every path through
    /// it fails with the reason) when it has an unknown critical extension, is a v3
    /// certificate that is not a CA (basicConstraints absent or `cA` false, RFC 5280
    /// §4.2.1.9), or has a keyUsage without keyCertSign (§4.2.1.3). It can still be
    /// trusted as itself (see [`TrustAnchor`]), which is how a self-signed server
    /// certificate with `cA` false is trusted.
    ///
    /// Version 1 roots, which cannot carry extensions, are accepted as plain
    /// name-and-key anchors. A basicConstraints that asserts `cA` but is not marked
    /// critical is accepted on an anchor, unlike on an intermediate: RFC 5280 §4.2.1.9's
    /// "MUST ... critical" binds the CA that issues the certificate, an anchor is trusted
    /// because the user configured it (§6.1.1 (d) takes only its name and key), and
    /// long-lived roots of the public bundles have it non-critical (Go Daddy Class 2,
    /// Starfield Class 2, Chunghwa ePKI). OpenSSL accepts them too, except with
    /// `-x509_strict`; pyca/cryptography refuses them.
    pub fn from_cert_der(der: &[u8]) -> Result<Self, Error> {
        let cert = Cert::parse(der)?;
        let digest = sanstls_crypto::hash::sha256(der);
        Ok(TrustAnchor {
            subject: cert.subject.to_vec(),
            spki: cert.spki.to_vec(),
            key: parse_spki(cert.spki),
            name_constraints: cert.name_constraints.clone(),
            path_len: cert.basic.and_then(|b| b.1),
            eku: cert.eku.clone(),
            cert_sha256: Some(digest),
            validity: Some((cert.not_before, cert.not_after)),
            usable: anchor_usable(&cert),
        })
    }

    /// An anchor from a DER subject Name and a DER SubjectPublicKeyInfo, without
    /// constraints.
    pub fn from_subject_and_spki(subject_der: &[u8], spki_der: &[u8]) -> Result<Self, Error> {
        crate::cert::name(subject_der).map_err(|()| Error::Malformed("trust anchor subject"))?;
        crate::cert::subject_public_key_info(spki_der)
            .map_err(|()| Error::Malformed("trust anchor SubjectPublicKeyInfo"))?;
        Ok(TrustAnchor {
            subject: subject_der.to_vec(),
            spki: spki_der.to_vec(),
            key: parse_spki(spki_der),
            name_constraints: None,
            path_len: None,
            eku: None,
            cert_sha256: None,
            validity: None,
            usable: Ok(()),
        })
    }

    /// The subject Name, DER-encoded (for CertificateRequest certificate_authorities).
    pub fn subject(&self) -> &[u8] {
        &self.subject
    }

    /// The SubjectPublicKeyInfo, DER-encoded.
    pub fn subject_public_key_info(&self) -> &[u8] {
        &self.spki
    }

    /// The anchor's public key (RSA, or EC on P-256/P-384 with the `ecdsa` feature),
    /// or why it cannot be used (the anchor then issues nothing).
    pub fn public_key(&self) -> Result<&PublicKey, Error> {
        self.key.as_ref().map_err(|e| *e)
    }

    pub(crate) fn name_constraints(&self) -> Option<&Constraints> {
        self.name_constraints.as_ref()
    }

    /// The anchor certificate's extendedKeyUsage, if any.
    pub(crate) fn eku(&self) -> Option<&[ObjectIdentifier]> {
        self.eku.as_deref()
    }

    /// Whether the anchor was loaded from a certificate whose SHA-256 is `digest`.
    pub(crate) fn is_cert(&self, digest: &[u8]) -> bool {
        self.cert_sha256.is_some_and(|d| d == digest)
    }

    /// Whether the anchor was loaded from a certificate.
    pub(crate) fn has_cert(&self) -> bool {
        self.cert_sha256.is_some()
    }

    pub(crate) fn path_len(&self) -> Option<u8> {
        self.path_len
    }

    /// Whether the anchor may issue certificates (see [`TrustAnchor::from_cert_der`]).
    pub(crate) fn usable(&self) -> Result<(), Error> {
        self.usable
    }

    /// Whether `now` is inside the anchor certificate's validity period (always true
    /// for anchors built from a name and a key).
    pub(crate) fn check_validity(&self, now: u64) -> Result<(), Error> {
        match self.validity {
            Some((from, _)) if now < from => Err(Error::NotYetValid),
            Some((_, to)) if now > to => Err(Error::Expired),
            _ => Ok(()),
        }
    }
}

fn anchor_usable(cert: &Cert<'_>) -> Result<(), Error> {
    if cert.unknown_critical {
        Err(Error::UnknownCriticalExtension)
    } else if cert.v3 && !cert.is_ca() {
        // basicConstraints absent, or present with cA FALSE (RFC 5280 §4.2.1.9). Its
        // criticality is not checked here (see from_cert_der).
        Err(Error::IssuerNotCa)
    } else if cert.key_usage.is_some_and(|ku| !ku.key_cert_sign()) {
        Err(Error::IssuerLacksKeyCertSign)
    } else {
        Ok(())
    }
}

/// A set of trust anchors.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    anchors: Vec<TrustAnchor>,
}

/// PEM blocks labelled `CERTIFICATE` in `pem`, in order, with anything between blocks
/// (comments, other labels) skipped. Yields `Err` for a block that does not decode.
fn pem_certificates(pem: &str) -> impl Iterator<Item = Result<Vec<u8>, Error>> + '_ {
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "-----END ";
    let mut rest = pem;
    core::iter::from_fn(move || {
        loop {
            let start = rest.find(BEGIN)?;
            let after = &rest[start..];
            let Some(end) = after.find(END) else {
                rest = "";
                return Some(Err(Error::Malformed("PEM block without an END line")));
            };
            let tail = &after[end..];
            let line_end = tail.find('\n').map_or(tail.len(), |i| i + 1);
            let block = &after[..end + line_end];
            rest = &tail[line_end..];
            match pem_rfc7468::decode_vec(block.as_bytes()) {
                Ok(("CERTIFICATE", der)) => return Some(Ok(der)),
                Ok(_) => {}
                Err(_) => return Some(Err(Error::Malformed("PEM"))),
            }
        }
    })
}

impl TrustAnchors {
    /// An empty set.
    pub fn new() -> Self {
        TrustAnchors::default()
    }

    /// Every `CERTIFICATE` block of a PEM bundle; fails on the first block that does not
    /// decode or parse.
    pub fn from_pem_bundle(pem: &str) -> Result<Self, Error> {
        let mut anchors = TrustAnchors::new();
        anchors.add_pem_bundle(pem)?;
        Ok(anchors)
    }

    /// DER certificates; fails on the first one that does not parse.
    pub fn from_der_certs<'d>(certs: impl IntoIterator<Item = &'d [u8]>) -> Result<Self, Error> {
        let mut anchors = TrustAnchors::new();
        for der in certs {
            anchors.add_cert_der(der)?;
        }
        Ok(anchors)
    }

    /// Add every `CERTIFICATE` block of `pem`, failing on the first bad one (nothing is
    /// added then). Returns how many were added.
    pub fn add_pem_bundle(&mut self, pem: &str) -> Result<usize, Error> {
        let mut new = Vec::new();
        for der in pem_certificates(pem) {
            new.push(TrustAnchor::from_cert_der(&der?)?);
        }
        let n = new.len();
        self.anchors.extend(new);
        Ok(n)
    }

    /// Add every `CERTIFICATE` block of `pem` that parses, skipping the rest (for system
    /// bundles, which may hold certificates this crate cannot parse). Returns
    /// `(added, skipped)`.
    pub fn add_pem_bundle_lossy(&mut self, pem: &str) -> (usize, usize) {
        let (mut added, mut skipped) = (0, 0);
        for der in pem_certificates(pem) {
            match der.and_then(|d| TrustAnchor::from_cert_der(&d)) {
                Ok(a) => {
                    self.anchors.push(a);
                    added += 1;
                }
                Err(_) => skipped += 1,
            }
        }
        (added, skipped)
    }

    /// Add one DER certificate.
    pub fn add_cert_der(&mut self, der: &[u8]) -> Result<(), Error> {
        self.anchors.push(TrustAnchor::from_cert_der(der)?);
        Ok(())
    }

    /// Add an anchor.
    pub fn add(&mut self, anchor: TrustAnchor) {
        self.anchors.push(anchor);
    }

    /// The anchors.
    pub fn iter(&self) -> core::slice::Iter<'_, TrustAnchor> {
        self.anchors.iter()
    }

    /// How many anchors there are.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    pub(crate) fn as_slice(&self) -> &[TrustAnchor] {
        &self.anchors
    }
}

impl<'a> IntoIterator for &'a TrustAnchors {
    type Item = &'a TrustAnchor;
    type IntoIter = core::slice::Iter<'a, TrustAnchor>;

    fn into_iter(self) -> Self::IntoIter {
        self.anchors.iter()
    }
}

/// Decode every `CERTIFICATE` block of a PEM text into DER (a chain file, a bundle).
pub fn pem_to_der_certs(pem: &str) -> Result<Vec<Vec<u8>>, Error> {
    pem_certificates(pem).collect()
}
