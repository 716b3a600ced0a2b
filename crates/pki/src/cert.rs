//! Certificate parsing: `x509-cert` decodes the structure, `der` hands out the raw
//! slices (to-be-signed bytes, names, key) that path building compares and verifies.

use alloc::vec::Vec;
use core::cell::OnceCell;

use der::asn1::{BitStringRef, ObjectIdentifier};
use der::{Decode, Reader, SliceReader};
use sanstls_crypto::rsa::RsaPublicKey;
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};

use sanstls_crypto::hash::{HashAlgorithm, Output};

use crate::constraints::Constraints;

use crate::Error;
use crate::algorithm;

/// Object identifiers this crate recognises.
pub(crate) mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    /// id-ce-subjectKeyIdentifier.
    pub(crate) const SKI: Oid = Oid::new_unwrap("2.5.29.14");
    /// id-ce-keyUsage.
    pub(crate) const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
    /// id-ce-subjectAltName.
    pub(crate) const SAN: Oid = Oid::new_unwrap("2.5.29.17");
    /// id-ce-basicConstraints.
    pub(crate) const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
    /// id-ce-nameConstraints.
    pub(crate) const NAME_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.30");
    /// id-ce-cRLDistributionPoints.
    pub(crate) const CRL_DP: Oid = Oid::new_unwrap("2.5.29.31");
    /// id-ce-certificatePolicies.
    pub(crate) const CERT_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
    /// id-ce-authorityKeyIdentifier.
    pub(crate) const AKI: Oid = Oid::new_unwrap("2.5.29.35");
    /// id-ce-extKeyUsage.
    pub(crate) const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
    /// id-pe-authorityInfoAccess.
    pub(crate) const AIA: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
    /// anyExtendedKeyUsage.
    pub(crate) const ANY_EKU: Oid = Oid::new_unwrap("2.5.29.37.0");
    /// id-kp-serverAuth.
    pub(crate) const SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
    /// id-kp-clientAuth.
    pub(crate) const CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// emailAddress (PKCS #9), an attribute of legacy subject names.
    pub(crate) const EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
}

/// The keyUsage bits of a certificate (RFC 5280 §4.2.1.3), bit 0 = digitalSignature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyUsage(u16);

impl KeyUsage {
    /// digitalSignature (bit 0): the key may sign, e.g. a ServerKeyExchange (DHE_RSA).
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation / contentCommitment (bit 1).
    pub const NON_REPUDIATION: u16 = 1 << 1;
    /// keyEncipherment (bit 2): the key may decrypt an RSA premaster secret.
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment (bit 3).
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement (bit 4).
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign (bit 5): the key may sign certificates.
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (bit 6).
    pub const CRL_SIGN: u16 = 1 << 6;

    /// The bits, bit 0 = digitalSignature (use the associated constants).
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Whether every bit of `mask` is set.
    pub fn contains(self, mask: u16) -> bool {
        self.0 & mask == mask
    }

    /// Whether digitalSignature is set.
    pub fn digital_signature(self) -> bool {
        self.contains(Self::DIGITAL_SIGNATURE)
    }

    /// Whether keyEncipherment is set.
    pub fn key_encipherment(self) -> bool {
        self.contains(Self::KEY_ENCIPHERMENT)
    }

    /// Whether keyCertSign is set.
    pub fn key_cert_sign(self) -> bool {
        self.contains(Self::KEY_CERT_SIGN)
    }
}

/// The DER encoding of an empty Name (an empty SEQUENCE).
pub(crate) const EMPTY_NAME: [u8; 2] = [0x30, 0x00];

/// One parsed certificate. Raw slices borrow the input; decoded extensions are owned.
// The flags mirror independent facts of the encoding (criticality bits, version).
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct Cert<'a> {
    /// The whole certificate.
    pub(crate) der: &'a [u8],
    /// The tbsCertificate TLV: the signed bytes.
    pub(crate) tbs: &'a [u8],
    /// The signatureAlgorithm TLV.
    pub(crate) sig_alg: &'a [u8],
    /// The signature value.
    pub(crate) signature: &'a [u8],
    /// Issuer Name TLV.
    pub(crate) issuer: &'a [u8],
    /// Subject Name TLV.
    pub(crate) subject: &'a [u8],
    /// SubjectPublicKeyInfo TLV.
    pub(crate) spki: &'a [u8],
    /// notBefore, seconds since the epoch.
    pub(crate) not_before: u64,
    /// notAfter, seconds since the epoch.
    pub(crate) not_after: u64,
    /// basicConstraints: (cA, pathLenConstraint).
    pub(crate) basic: Option<(bool, Option<u8>)>,
    /// keyUsage, if present.
    pub(crate) key_usage: Option<KeyUsage>,
    /// extendedKeyUsage purposes, if present.
    pub(crate) eku: Option<Vec<ObjectIdentifier>>,
    /// subjectAltName entries, if present.
    pub(crate) san: Option<Vec<GeneralName>>,
    /// nameConstraints, if present.
    pub(crate) name_constraints: Option<Constraints>,
    /// The values of the subject's emailAddress attributes (checked against rfc822Name
    /// constraints).
    pub(crate) subject_emails: Vec<Vec<u8>>,
    /// Set when the certificate has a critical extension this crate does not process.
    pub(crate) unknown_critical: bool,
    /// Whether basicConstraints is marked critical.
    pub(crate) basic_critical: bool,
    /// Whether subjectAltName is marked critical.
    pub(crate) san_critical: bool,
    /// Whether this is a v3 certificate.
    pub(crate) v3: bool,
    /// The RSA key, parsed on first use.
    key: OnceCell<Result<RsaPublicKey, Error>>,
    /// The digest of `tbs` under the signature's hash, computed on first use (every
    /// candidate issuer checks the same digest).
    digest: OnceCell<Output>,
}

fn malformed<E>(what: &'static str) -> impl FnOnce(E) -> Error {
    move |_| Error::Malformed(what)
}

impl<'a> Cert<'a> {
    /// Parse one DER certificate (RFC 5280 §4.1), checking the structural MUSTs that do
    /// not depend on the path.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, Error> {
        let cert = Certificate::from_der(der).map_err(malformed("certificate DER"))?;
        let (tbs, sig_alg, signature) = split_certificate(der)?;
        let fields = split_tbs(tbs)?;
        // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature.
        if fields.signature != sig_alg {
            return Err(Error::Malformed(
                "signatureAlgorithm differs from tbsCertificate.signature",
            ));
        }
        let tbs_cert = cert.tbs_certificate();
        let validity = tbs_cert.validity();
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();

        let mut out = Cert {
            der,
            tbs,
            sig_alg,
            signature,
            issuer: fields.issuer,
            subject: fields.subject,
            spki: fields.spki,
            not_before,
            not_after,
            basic: None,
            key_usage: None,
            eku: None,
            san: None,
            name_constraints: None,
            subject_emails: Vec::new(),
            unknown_critical: false,
            basic_critical: false,
            san_critical: false,
            v3: tbs_cert.version() == Version::V3,
            key: OnceCell::new(),
            digest: OnceCell::new(),
        };
        for rdn in tbs_cert.subject().as_ref().iter() {
            for atv in rdn.iter().filter(|atv| atv.oid == oid::EMAIL_ADDRESS) {
                out.subject_emails.push(atv.value.value().to_vec());
            }
        }
        if tbs_cert.issuer_unique_id().is_some() || tbs_cert.subject_unique_id().is_some() {
            // RFC 5280 §4.1.2.8: unique identifiers only in v2 or v3.
            if tbs_cert.version() == Version::V1 {
                return Err(Error::Malformed("unique identifier in a v1 certificate"));
            }
        }
        if let Some(exts) = tbs_cert.extensions() {
            // RFC 5280 §4.1.2.9: extensions only in v3.
            if tbs_cert.version() != Version::V3 {
                return Err(Error::Malformed("extensions in a non-v3 certificate"));
            }
            if exts.is_empty() {
                return Err(Error::Malformed("empty extensions"));
            }
            for (i, ext) in exts.iter().enumerate() {
                // RFC 5280 §4.2: at most one instance of each extension.
                if exts[..i].iter().any(|e| e.extn_id == ext.extn_id) {
                    return Err(Error::Malformed("duplicate extension"));
                }
                out.extension(&ext.extn_id, ext.critical, ext.extn_value.as_bytes())?;
            }
        }
        // RFC 5280 §4.1.2.4: the issuer MUST be a non-empty name.
        if out.issuer == EMPTY_NAME {
            return Err(Error::Malformed("empty issuer name"));
        }
        // RFC 5280 §4.1.2.6: a CA's subject MUST be a non-empty name.
        if out.subject == EMPTY_NAME && out.is_ca() {
            return Err(Error::Malformed("CA certificate with an empty subject"));
        }
        // RFC 5280 §4.2.1.6: with an empty subject, the SAN MUST be present and critical.
        if out.subject == EMPTY_NAME && (out.san.is_none() || !out.san_critical) {
            return Err(Error::Malformed(
                "empty subject without a critical subjectAltName",
            ));
        }
        Ok(out)
    }

    fn extension(&mut self, id: &ObjectIdentifier, critical: bool, v: &[u8]) -> Result<(), Error> {
        match *id {
            oid::BASIC_CONSTRAINTS => {
                let bc = BasicConstraints::from_der(v).map_err(malformed("basicConstraints"))?;
                if bc.path_len_constraint.is_some() && !bc.ca {
                    // RFC 5280 §4.2.1.9: pathLenConstraint only when cA is asserted.
                    return Err(Error::Malformed("pathLenConstraint without cA"));
                }
                self.basic = Some((bc.ca, bc.path_len_constraint));
                self.basic_critical = critical;
            }
            oid::KEY_USAGE => {
                let ku =
                    x509_cert::ext::pkix::KeyUsage::from_der(v).map_err(malformed("keyUsage"))?;
                let bits = ku.0.bits();
                // RFC 5280 §4.2.1.3: at least one bit MUST be set.
                if bits == 0 {
                    return Err(Error::Malformed("keyUsage with no bit set"));
                }
                self.key_usage = Some(KeyUsage(bits));
            }
            oid::EXT_KEY_USAGE => {
                let eku = ExtendedKeyUsage::from_der(v).map_err(malformed("extKeyUsage"))?;
                if eku.0.is_empty() {
                    return Err(Error::Malformed("empty extKeyUsage"));
                }
                self.eku = Some(eku.0);
            }
            oid::SAN => {
                let san = SubjectAltName::from_der(v).map_err(malformed("subjectAltName"))?;
                if san.0.is_empty() {
                    return Err(Error::Malformed("empty subjectAltName"));
                }
                self.san = Some(san.0);
                self.san_critical = critical;
            }
            oid::NAME_CONSTRAINTS => {
                let nc = NameConstraints::from_der(v).map_err(malformed("nameConstraints"))?;
                self.name_constraints = Some(Constraints::parse(&nc)?);
            }
            // Decoded only to refuse malformed contents; the values are not used. RFC 5280
            // §4.2.1.1, §4.2.1.2: both MUST be non-critical, so a critical one is not an
            // extension this crate understands.
            oid::SKI => {
                SubjectKeyIdentifier::from_der(v).map_err(malformed("subjectKeyIdentifier"))?;
                self.unknown_critical |= critical;
            }
            oid::AKI => {
                AuthorityKeyIdentifier::from_der(v).map_err(malformed("authorityKeyIdentifier"))?;
                self.unknown_critical |= critical;
            }
            oid::AIA => {
                let aia = AuthorityInfoAccessSyntax::from_der(v)
                    .map_err(malformed("authorityInfoAccess"))?;
                if aia.0.is_empty() {
                    return Err(Error::Malformed("empty authorityInfoAccess"));
                }
                self.unknown_critical |= critical;
            }
            oid::CRL_DP => {
                CrlDistributionPoints::from_der(v).map_err(malformed("cRLDistributionPoints"))?;
                self.unknown_critical |= critical;
            }
            oid::CERT_POLICIES => {
                CertificatePolicies::from_der(v).map_err(malformed("certificatePolicies"))?;
                // Policy processing (RFC 5280 §6.1.3 (d)) is not implemented, so a
                // critical policies extension is not "processed".
                self.unknown_critical |= critical;
            }
            _ => self.unknown_critical |= critical,
        }
        Ok(())
    }

    /// Whether subject and issuer are the same name (RFC 5280 §6.1: "self-issued").
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// Whether basicConstraints says this is a CA.
    pub(crate) fn is_ca(&self) -> bool {
        matches!(self.basic, Some((true, _)))
    }

    /// The certificate's RSA public key, parsed once.
    pub(crate) fn public_key(&self) -> Result<&RsaPublicKey, Error> {
        self.key
            .get_or_init(|| algorithm::parse_rsa_spki(self.spki))
            .as_ref()
            .map_err(|e| *e)
    }

    /// Whether [`Cert::public_key`] has been called (its set-up cost already paid).
    pub(crate) fn key_parsed(&self) -> bool {
        self.key.get().is_some()
    }

    /// The digest of the to-be-signed bytes under `hash`, computed once (the signature
    /// algorithm, hence `hash`, is fixed per certificate), and whether this call
    /// computed it.
    pub(crate) fn tbs_digest(&self, hash: HashAlgorithm) -> (&Output, bool) {
        let mut fresh = false;
        let d = self.digest.get_or_init(|| {
            fresh = true;
            hash.hash(self.tbs)
        });
        (d, fresh)
    }

    /// Check the validity period against `now` (inclusive at both ends, RFC 5280 §4.1.2.5).
    pub(crate) fn check_validity(&self, now: u64) -> Result<(), Error> {
        if now < self.not_before {
            Err(Error::NotYetValid)
        } else if now > self.not_after {
            Err(Error::Expired)
        } else {
            Ok(())
        }
    }
}

/// (tbsCertificate TLV, signatureAlgorithm TLV, signature bytes).
type RawParts<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Split `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`
/// into raw TLVs.
fn split_certificate(der: &[u8]) -> Result<RawParts<'_>, Error> {
    let bad = malformed("certificate DER");
    let mut r = SliceReader::new(der).map_err(malformed("certificate DER"))?;
    let parts = r
        .sequence(|r| {
            let tbs = r.tlv_bytes()?;
            let alg = r.tlv_bytes()?;
            let sig = BitStringRef::decode(r)?;
            Ok::<_, der::Error>((tbs, alg, sig))
        })
        .map_err(malformed("certificate DER"))?;
    r.finish().map_err(bad)?;
    let sig = parts
        .2
        .as_bytes()
        .ok_or(Error::Malformed("signature BIT STRING has unused bits"))?;
    Ok((parts.0, parts.1, sig))
}

struct TbsFields<'a> {
    signature: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    spki: &'a [u8],
}

/// The raw TLVs of the tbsCertificate fields path building needs.
fn split_tbs(tbs: &[u8]) -> Result<TbsFields<'_>, Error> {
    let mut r = SliceReader::new(tbs).map_err(malformed("tbsCertificate"))?;
    r.sequence(|r| {
        // version [0] EXPLICIT, optional.
        if r.peek_byte() == Some(0xa0) {
            r.tlv_bytes()?;
        }
        let _serial = r.tlv_bytes()?;
        let signature = r.tlv_bytes()?;
        let issuer = r.tlv_bytes()?;
        let _validity = r.tlv_bytes()?;
        let subject = r.tlv_bytes()?;
        let spki = r.tlv_bytes()?;
        while !r.is_finished() {
            r.tlv_bytes()?;
        }
        Ok::<_, der::Error>(TbsFields {
            signature,
            issuer,
            subject,
            spki,
        })
    })
    .map_err(malformed("tbsCertificate"))
}
