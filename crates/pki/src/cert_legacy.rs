//! Test oracle: the certificate parser this crate had before `cert` walked the DER
//! itself (an owned `x509_cert::Certificate`, every known extension decoded into its
//! x509-cert type). `differential` runs both over the testdata certificates and many
//! edits of them and requires the same verdict and the same decoded fields.

use alloc::vec::Vec;

use der::Decode;
use der::asn1::{BitStringRef, ObjectIdentifier};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::name::GeneralName as X509Name;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};

use super::{EMPTY_NAME, GeneralName, KeyUsage, oid};
use crate::Error;
use crate::constraints::Constraints;

/// What either parser decoded; owned so that the two can be compared.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Summary {
    pub(super) raw: [Vec<u8>; 7],
    pub(super) validity: (u64, u64),
    pub(super) basic: Option<(bool, Option<u8>)>,
    pub(super) key_usage: Option<KeyUsage>,
    pub(super) eku: Option<Vec<ObjectIdentifier>>,
    pub(super) san: Option<Vec<(u8, Vec<u8>)>>,
    pub(super) name_constraints: Option<Constraints>,
    pub(super) subject_emails: Vec<Vec<u8>>,
    pub(super) flags: [bool; 4],
}

pub(super) fn owned_name(gn: GeneralName<'_>) -> (u8, Vec<u8>) {
    match gn {
        GeneralName::Email(b) => (1, b.to_vec()),
        GeneralName::Dns(b) => (2, b.to_vec()),
        GeneralName::Directory(b) => (4, b.to_vec()),
        GeneralName::Ip(b) => (7, b.to_vec()),
        GeneralName::Other(t) => (t, Vec::new()),
    }
}

fn legacy_name(gn: &X509Name) -> (u8, Vec<u8>) {
    use der::Encode;
    match gn {
        X509Name::Rfc822Name(m) => (1, m.as_bytes().to_vec()),
        X509Name::DnsName(d) => (2, d.as_bytes().to_vec()),
        X509Name::DirectoryName(dn) => {
            let der = dn.to_der().unwrap();
            (
                4,
                der::asn1::AnyRef::from_der(&der).unwrap().value().to_vec(),
            )
        }
        X509Name::IpAddress(ip) => (7, ip.as_bytes().to_vec()),
        X509Name::OtherName(_) => (0, Vec::new()),
        X509Name::EdiPartyName(_) => (5, Vec::new()),
        X509Name::UniformResourceIdentifier(_) => (6, Vec::new()),
        X509Name::RegisteredId(_) => (8, Vec::new()),
    }
}

fn malformed<E>(what: &'static str) -> impl FnOnce(E) -> Error {
    move |_| Error::Malformed(what)
}

/// The old `Cert::parse`, returning what it decoded.
#[allow(clippy::too_many_lines)]
pub(super) fn parse(der: &[u8]) -> Result<Summary, Error> {
    let cert = Certificate::from_der(der).map_err(malformed("certificate DER"))?;
    let mut r = der::SliceReader::new(der).unwrap();
    let (tbs, sig_alg, sig) = der::Reader::sequence(&mut r, |r| {
        let tbs = der::Reader::tlv_bytes(r)?;
        let alg = der::Reader::tlv_bytes(r)?;
        let sig = BitStringRef::decode(r)?;
        Ok::<_, der::Error>((tbs, alg, sig))
    })
    .unwrap();
    let signature = sig
        .as_bytes()
        .ok_or(Error::Malformed("signature BIT STRING has unused bits"))?;
    let tbs_cert = cert.tbs_certificate();
    let [tbs_sig, issuer, subject, spki] = split_tbs(tbs);
    if tbs_sig != sig_alg {
        return Err(Error::Malformed(
            "signatureAlgorithm differs from tbsCertificate.signature",
        ));
    }
    let validity = tbs_cert.validity();
    let mut out = Summary {
        raw: [
            der.to_vec(),
            tbs.to_vec(),
            sig_alg.to_vec(),
            signature.to_vec(),
            issuer.to_vec(),
            subject.to_vec(),
            spki.to_vec(),
        ],
        validity: (
            validity.not_before.to_unix_duration().as_secs(),
            validity.not_after.to_unix_duration().as_secs(),
        ),
        basic: None,
        key_usage: None,
        eku: None,
        san: None,
        name_constraints: None,
        subject_emails: Vec::new(),
        flags: [false, false, false, tbs_cert.version() == Version::V3],
    };
    for rdn in tbs_cert.subject().as_ref().iter() {
        for atv in rdn.iter().filter(|atv| atv.oid == oid::EMAIL_ADDRESS) {
            out.subject_emails.push(atv.value.value().to_vec());
        }
    }
    if (tbs_cert.issuer_unique_id().is_some() || tbs_cert.subject_unique_id().is_some())
        && tbs_cert.version() == Version::V1
    {
        return Err(Error::Malformed("unique identifier in a v1 certificate"));
    }
    let [unknown_critical, basic_critical, san_critical, _] = &mut out.flags;
    if let Some(exts) = tbs_cert.extensions() {
        if tbs_cert.version() != Version::V3 {
            return Err(Error::Malformed("extensions in a non-v3 certificate"));
        }
        if exts.is_empty() {
            return Err(Error::Malformed("empty extensions"));
        }
        for (i, ext) in exts.iter().enumerate() {
            if exts[..i].iter().any(|e| e.extn_id == ext.extn_id) {
                return Err(Error::Malformed("duplicate extension"));
            }
            let (critical, v) = (ext.critical, ext.extn_value.as_bytes());
            match ext.extn_id {
                oid::BASIC_CONSTRAINTS => {
                    let bc =
                        BasicConstraints::from_der(v).map_err(malformed("basicConstraints"))?;
                    if bc.path_len_constraint.is_some() && !bc.ca {
                        return Err(Error::Malformed("pathLenConstraint without cA"));
                    }
                    out.basic = Some((bc.ca, bc.path_len_constraint));
                    *basic_critical = critical;
                }
                oid::KEY_USAGE => {
                    let ku = x509_cert::ext::pkix::KeyUsage::from_der(v)
                        .map_err(malformed("keyUsage"))?;
                    let bits = ku.0.bits();
                    if bits == 0 {
                        return Err(Error::Malformed("keyUsage with no bit set"));
                    }
                    out.key_usage = Some(KeyUsage(bits));
                }
                oid::EXT_KEY_USAGE => {
                    let eku = ExtendedKeyUsage::from_der(v).map_err(malformed("extKeyUsage"))?;
                    if eku.0.is_empty() {
                        return Err(Error::Malformed("empty extKeyUsage"));
                    }
                    out.eku = Some(eku.0);
                }
                oid::SAN => {
                    let san = SubjectAltName::from_der(v).map_err(malformed("subjectAltName"))?;
                    if san.0.is_empty() {
                        return Err(Error::Malformed("empty subjectAltName"));
                    }
                    out.san = Some(san.0.iter().map(legacy_name).collect());
                    *san_critical = critical;
                }
                oid::NAME_CONSTRAINTS => {
                    // The structure as x509-cert decodes it; the rules on top are the
                    // same code in both parsers.
                    NameConstraints::from_der(v).map_err(malformed("nameConstraints"))?;
                    out.name_constraints = Some(Constraints::parse(v)?);
                }
                oid::SKI => {
                    SubjectKeyIdentifier::from_der(v).map_err(malformed("subjectKeyIdentifier"))?;
                    *unknown_critical |= critical;
                }
                oid::AKI => {
                    AuthorityKeyIdentifier::from_der(v)
                        .map_err(malformed("authorityKeyIdentifier"))?;
                    *unknown_critical |= critical;
                }
                oid::AIA => {
                    let aia = AuthorityInfoAccessSyntax::from_der(v)
                        .map_err(malformed("authorityInfoAccess"))?;
                    if aia.0.is_empty() {
                        return Err(Error::Malformed("empty authorityInfoAccess"));
                    }
                    *unknown_critical |= critical;
                }
                oid::CRL_DP => {
                    CrlDistributionPoints::from_der(v)
                        .map_err(malformed("cRLDistributionPoints"))?;
                    *unknown_critical |= critical;
                }
                oid::CERT_POLICIES => {
                    CertificatePolicies::from_der(v).map_err(malformed("certificatePolicies"))?;
                    *unknown_critical |= critical;
                }
                _ => *unknown_critical |= critical,
            }
        }
    }
    let is_ca = matches!(out.basic, Some((true, _)));
    if out.raw[4] == EMPTY_NAME {
        return Err(Error::Malformed("empty issuer name"));
    }
    if out.raw[5] == EMPTY_NAME && is_ca {
        return Err(Error::Malformed("CA certificate with an empty subject"));
    }
    if out.raw[5] == EMPTY_NAME && (out.san.is_none() || !out.flags[2]) {
        return Err(Error::Malformed(
            "empty subject without a critical subjectAltName",
        ));
    }
    Ok(out)
}

/// The raw TLVs of signature, issuer, subject and subjectPublicKeyInfo.
fn split_tbs(tbs: &[u8]) -> [&[u8]; 4] {
    let mut r = der::SliceReader::new(tbs).unwrap();
    der::Reader::sequence(&mut r, |r| {
        use der::Reader;
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
        Ok::<_, der::Error>([signature, issuer, subject, spki])
    })
    .unwrap()
}
