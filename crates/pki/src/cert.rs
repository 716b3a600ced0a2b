//! Certificate parsing, borrowed and decoded only as far as validation needs.
//!
//! `der` hands out the raw slices (to-be-signed bytes, names, key) that path building
//! compares and verifies; the structure is checked by one small walker over `der`'s
//! [`AnyRef`] TLVs instead of decoding an owned `x509_cert::Certificate` (which
//! monomorphised a decoder for every extension type, most of them unused, and cost
//! ~40 KB of firmware). The rules are the ones `der` and `x509-cert` applied: every
//! SEQUENCE consumed exactly, DER lengths and tags (by `der`), OBJECT IDENTIFIERs (by
//! `const-oid`), minimal INTEGERs, BOOLEANs, BIT STRINGs, and times in the RFC 5280
//! forms from 1970 on. The test oracle `cert_legacy.rs` (the former x509-cert
//! parser) checks that hundreds of thousands of edits of the testdata certificates get
//! the same verdicts and fields.
//!
//! Extensions decoded: basicConstraints, keyUsage, extendedKeyUsage, subjectAltName and
//! nameConstraints. subjectKeyIdentifier, authorityKeyIdentifier, authorityInfoAccess,
//! cRLDistributionPoints and certificatePolicies, whose values validation does not use,
//! are checked as x509-cert checked them (every inner field, the same certificates
//! refused) and their values dropped; any other extension is skipped. A critical
//! extension outside the five decoded ones makes the certificate unusable (RFC 5280
//! §4.2).

use alloc::vec::Vec;
use core::cell::OnceCell;

use der::asn1::{AnyRef, BitStringRef, IntRef, ObjectIdentifier};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use sanstls_crypto::hash::{HashAlgorithm, Output};

use crate::constraints::Constraints;

use crate::Error;
use crate::key::{self, PublicKey};

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

/// One parsed certificate. Every slice borrows the input.
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
    /// The contents of the subjectAltName SEQUENCE, if present (checked at parse time:
    /// [`Cert::san_names`] walks it).
    san: Option<&'a [u8]>,
    /// nameConstraints, if present.
    pub(crate) name_constraints: Option<Constraints>,
    /// The values of the subject's emailAddress attributes (checked against rfc822Name
    /// constraints).
    pub(crate) subject_emails: Vec<&'a [u8]>,
    /// Set when the certificate has a critical extension this crate does not process.
    pub(crate) unknown_critical: bool,
    /// Whether basicConstraints is marked critical.
    pub(crate) basic_critical: bool,
    /// Whether subjectAltName is marked critical.
    pub(crate) san_critical: bool,
    /// Whether this is a v3 certificate.
    pub(crate) v3: bool,
    /// The RSA key, parsed on first use.
    key: OnceCell<Result<PublicKey, Error>>,
    /// The digest of `tbs` under the signature's hash, computed on first use (every
    /// candidate issuer checks the same digest).
    digest: OnceCell<Output>,
}

/// A GeneralName (RFC 5280 §4.2.1.6), borrowed: the forms this crate compares, and the
/// tag number of the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GeneralName<'a> {
    /// rfc822Name \[1\]: an e-mail address (IA5String).
    Email(&'a [u8]),
    /// dNSName \[2\] (IA5String).
    Dns(&'a [u8]),
    /// directoryName \[4\]: the contents (RDNs) of the Name.
    Directory(&'a [u8]),
    /// iPAddress \[7\]: the octets.
    Ip(&'a [u8]),
    /// otherName \[0\], ediPartyName \[5\], uniformResourceIdentifier \[6\],
    /// registeredID \[8\]: the tag number (x400Address \[3\] is refused, as x509-cert
    /// refused it).
    Other(u8),
}

/// `Err(())` for any structural defect; callers say which structure it was.
type Walk<T> = Result<T, ()>;

/// A reader over DER contents.
pub(crate) fn reader(contents: &[u8]) -> Walk<SliceReader<'_>> {
    SliceReader::new(contents).map_err(drop)
}

/// The next TLV of `r`.
pub(crate) fn next<'a>(r: &mut SliceReader<'a>) -> Walk<AnyRef<'a>> {
    AnyRef::decode(r).map_err(drop)
}

/// The next TLV of `r` with its whole encoding.
fn next_tlv<'a>(r: &mut SliceReader<'a>) -> Walk<(AnyRef<'a>, &'a [u8])> {
    let raw = r.tlv_bytes().map_err(drop)?;
    Ok((AnyRef::try_from(raw).map_err(drop)?, raw))
}

/// The contents of `bytes`, which must be exactly one TLV tagged `tag`.
pub(crate) fn only(bytes: &[u8], tag: Tag) -> Walk<&[u8]> {
    let any = AnyRef::try_from(bytes).map_err(drop)?;
    if any.tag() == tag {
        Ok(any.value())
    } else {
        Err(())
    }
}

/// The contents of `any`, which must be tagged `tag`.
pub(crate) fn expect(any: AnyRef<'_>, tag: Tag) -> Walk<&[u8]> {
    if any.tag() == tag {
        Ok(any.value())
    } else {
        Err(())
    }
}

fn oid(value: &[u8]) -> Walk<ObjectIdentifier> {
    ObjectIdentifier::from_bytes(value).map_err(drop)
}

/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY
/// OPTIONAL } (RFC 5280 §4.1.1.2), from its TLV.
pub(crate) fn algorithm_identifier(tlv: &[u8]) -> Walk<(ObjectIdentifier, Option<AnyRef<'_>>)> {
    algorithm_identifier_fields(only(tlv, Tag::Sequence)?)
}

/// The fields of an AlgorithmIdentifier from the contents of its SEQUENCE.
pub(crate) fn algorithm_identifier_fields(
    contents: &[u8],
) -> Walk<(ObjectIdentifier, Option<AnyRef<'_>>)> {
    let mut r = reader(contents)?;
    let id = oid(expect(next(&mut r)?, Tag::ObjectIdentifier)?)?;
    let params = if r.is_finished() {
        None
    } else {
        Some(next(&mut r)?)
    };
    if r.is_finished() {
        Ok((id, params))
    } else {
        Err(())
    }
}

/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey
/// BIT STRING } (RFC 5280 §4.1.2.7), from its TLV.
pub(crate) type Spki<'a> = (ObjectIdentifier, Option<AnyRef<'a>>, BitStringRef<'a>);

pub(crate) fn subject_public_key_info(tlv: &[u8]) -> Walk<Spki<'_>> {
    let mut r = reader(only(tlv, Tag::Sequence)?)?;
    let (_, alg) = next_tlv(&mut r)?;
    let (id, params) = algorithm_identifier(alg)?;
    let key = bit_string(expect(next(&mut r)?, Tag::BitString)?)?;
    if r.is_finished() {
        Ok((id, params, key))
    } else {
        Err(())
    }
}

/// A DER BOOLEAN.
fn boolean(any: AnyRef<'_>) -> Walk<bool> {
    match expect(any, Tag::Boolean)? {
        [0] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(()),
    }
}

/// Validity ::= SEQUENCE { notBefore Time, notAfter Time }, in seconds since the epoch.
fn validity(tlv: &[u8]) -> Walk<(u64, u64)> {
    let mut r = reader(only(tlv, Tag::Sequence)?)?;
    let not_before = time(next(&mut r)?)?;
    let not_after = time(next(&mut r)?)?;
    if r.is_finished() {
        Ok((not_before, not_after))
    } else {
        Err(())
    }
}

/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }, in the only forms
/// DER and RFC 5280 §4.1.2.5 allow (`YYMMDDHHMMSSZ`, years 1950 to 2049;
/// `YYYYMMDDHHMMSSZ`), as seconds since the epoch. Times before 1970 are refused, as
/// `der` refuses them.
fn time(any: AnyRef<'_>) -> Walk<u64> {
    // Days before each month in a common year, and each month's length.
    const BEFORE: [u64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    const LENGTH: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let v = any.value();
    let two = |i: usize| -> Walk<u64> {
        match (v[i], v[i + 1]) {
            (h @ b'0'..=b'9', l @ b'0'..=b'9') => {
                Ok(u64::from(h - b'0') * 10 + u64::from(l - b'0'))
            }
            _ => Err(()),
        }
    };
    let (year, at) = match (any.tag(), v.len()) {
        (Tag::UtcTime, 13) => {
            let yy = two(0)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (Tag::GeneralizedTime, 15) => (two(0)? * 100 + two(2)?, 4),
        _ => return Err(()),
    };
    if v[at + 10] != b'Z' {
        return Err(());
    }
    let (month, day) = (two(at)?, two(at + 2)?);
    let (hour, minute, second) = (two(at + 4)?, two(at + 6)?, two(at + 8)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if year < 1970 || !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return Err(());
    }
    let m = (month - 1) as usize;
    let length = LENGTH[m] + u64::from(leap && month == 2);
    if day == 0 || day > length {
        return Err(());
    }
    let leap_days = (year - 1 - 1968) / 4 - (year - 1 - 1900) / 100 + (year - 1 - 1600) / 400;
    let year_day = BEFORE[m] + day - 1 + u64::from(leap && month > 2);
    let days = (year - 1970) * 365 + leap_days + year_day;
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// An unsigned DER INTEGER that fits `u32` (no superfluous leading zero, not negative).
pub(crate) fn uint32(v: &[u8]) -> Walk<u32> {
    let digits = match v {
        [] => return Err(()),
        [0, next, ..] if *next < 0x80 => return Err(()),
        [first, ..] if *first >= 0x80 => return Err(()),
        [0, rest @ ..] if !rest.is_empty() => rest,
        all => all,
    };
    if digits.len() > 4 {
        return Err(());
    }
    Ok(digits
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
}

pub(crate) fn context(any: AnyRef<'_>) -> Option<(u32, bool)> {
    match any.tag() {
        Tag::ContextSpecific {
            constructed,
            number,
        } => Some((number.value(), constructed)),
        _ => None,
    }
}

/// Check a Name's contents (RDNSequence: SEQUENCE OF SET OF AttributeTypeAndValue),
/// collecting the values of emailAddress attributes into `emails` when given.
fn walk_name<'a>(contents: &'a [u8], mut emails: Option<&mut Vec<&'a [u8]>>) -> Walk<()> {
    let mut rdns = reader(contents)?;
    while !rdns.is_finished() {
        walk_rdn(expect(next(&mut rdns)?, Tag::Set)?, emails.as_deref_mut())?;
    }
    Ok(())
}

/// Check a RelativeDistinguishedName's contents (SET OF AttributeTypeAndValue; `der`
/// sorted the set rather than checking its order, and allowed it empty), collecting
/// the values of emailAddress attributes into `emails` when given.
fn walk_rdn<'a>(contents: &'a [u8], mut emails: Option<&mut Vec<&'a [u8]>>) -> Walk<()> {
    let mut atvs = reader(contents)?;
    while !atvs.is_finished() {
        let mut atv = reader(expect(next(&mut atvs)?, Tag::Sequence)?)?;
        let id = oid(expect(next(&mut atv)?, Tag::ObjectIdentifier)?)?;
        let value = next(&mut atv)?;
        if !atv.is_finished() {
            return Err(());
        }
        if let Some(emails) = emails.as_deref_mut()
            && id == oid::EMAIL_ADDRESS
        {
            emails.push(value.value());
        }
    }
    Ok(())
}

/// An EXPLICIT-tagged DirectoryString: PrintableString, TeletexString (ASCII only),
/// UTF8String or BMPString (Basic Multilingual Plane only), as `der` checks them.
fn explicit_directory_string(explicit: AnyRef<'_>) -> Walk<()> {
    let mut r = reader(explicit.value())?;
    let s = next(&mut r)?;
    let v = s.value();
    let valid = match s.tag() {
        Tag::PrintableString => v
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&c)),
        Tag::TeletexString => v.is_ascii(),
        Tag::Utf8String => core::str::from_utf8(v).is_ok(),
        Tag::BmpString => {
            v.len() % 2 == 0
                && v.chunks_exact(2).all(|u| {
                    let u = u16::from_be_bytes([u[0], u[1]]);
                    !(0xd800..=0xdfff).contains(&u) && u != 0xffff
                })
        }
        _ => false,
    };
    if valid && r.is_finished() {
        Ok(())
    } else {
        Err(())
    }
}

/// Check a Name TLV (RFC 5280 §4.1.2.4).
pub(crate) fn name(tlv: &[u8]) -> Walk<()> {
    walk_name(only(tlv, Tag::Sequence)?, None)
}

/// Decode one GeneralName. The compared forms are checked (IA5String text is ASCII, a
/// directoryName holds one Name); the others only need the right tag form.
pub(crate) fn general_name<'a>(any: AnyRef<'a>) -> Walk<GeneralName<'a>> {
    let v = any.value();
    let ia5 = |v: &'a [u8]| if v.is_ascii() { Ok(v) } else { Err(()) };
    match context(any).ok_or(())? {
        (1, false) => ia5(v).map(GeneralName::Email),
        (2, false) => ia5(v).map(GeneralName::Dns),
        (6, false) => ia5(v).map(|_| GeneralName::Other(6)),
        (7, false) => Ok(GeneralName::Ip(v)),
        (4, true) => {
            let name = only(v, Tag::Sequence)?;
            walk_name(name, None)?;
            Ok(GeneralName::Directory(name))
        }
        (8, false) => oid(v).map(|_| GeneralName::Other(8)),
        (0, true) => {
            // OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
            let mut r = reader(v)?;
            oid(expect(next(&mut r)?, Tag::ObjectIdentifier)?)?;
            let value = next(&mut r)?;
            if context(value) != Some((0, true)) || !r.is_finished() {
                return Err(());
            }
            let mut inner = reader(value.value())?;
            next(&mut inner)?;
            if !inner.is_finished() {
                return Err(());
            }
            Ok(GeneralName::Other(0))
        }
        (5, true) => {
            // EDIPartyName ::= SEQUENCE { nameAssigner [0] DirectoryString OPTIONAL,
            //                             partyName [1] DirectoryString }
            let mut r = reader(v)?;
            let mut item = next(&mut r)?;
            if context(item) == Some((0, true)) {
                explicit_directory_string(item)?;
                item = next(&mut r)?;
            }
            if context(item) != Some((1, true)) || !r.is_finished() {
                return Err(());
            }
            explicit_directory_string(item)?;
            Ok(GeneralName::Other(5))
        }
        // x400Address [3] is not supported (x509-cert never decoded it either).
        _ => Err(()),
    }
}

/// The GeneralNames of a SEQUENCE's contents, already checked by [`check_general_names`].
pub(crate) fn general_names(contents: &[u8]) -> impl Iterator<Item = GeneralName<'_>> {
    let mut r = reader(contents).ok();
    core::iter::from_fn(move || {
        let r = r.as_mut()?;
        if r.is_finished() {
            return None;
        }
        next(r).and_then(general_name).ok()
    })
}

/// Check a GeneralNames SEQUENCE's contents; returns how many names it holds.
pub(crate) fn check_general_names(contents: &[u8]) -> Walk<usize> {
    let mut r = reader(contents)?;
    let mut n = 0;
    while !r.is_finished() {
        general_name(next(&mut r)?)?;
        n += 1;
    }
    Ok(n)
}

/// The fields of a tbsCertificate, structurally checked.
struct Tbs<'a> {
    version: u32,
    signature: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    spki: &'a [u8],
    validity: &'a [u8],
    subject_emails: Vec<&'a [u8]>,
    unique_ids: bool,
    /// The contents of the Extensions SEQUENCE, if present.
    extensions: Option<&'a [u8]>,
}

/// Walk `TBSCertificate` (RFC 5280 §4.1): version `[0]` (v1 to v3), serialNumber (an
/// INTEGER of at most 21 octets, as x509-cert allowed), signature, issuer, validity,
/// subject, subjectPublicKeyInfo, the unique identifiers `[1]` `[2]` and the
/// extensions `[3]`, in order and nothing else.
fn walk_tbs(tbs: &[u8]) -> Walk<Tbs<'_>> {
    let mut r = reader(only(tbs, Tag::Sequence)?)?;
    let mut field = next_tlv(&mut r)?;
    let mut version = 0;
    if context(field.0) == Some((0, true)) {
        version = uint32(only(field.0.value(), Tag::Integer)?)?;
        if version > 2 {
            return Err(());
        }
        field = next_tlv(&mut r)?;
    }
    let serial = IntRef::from_der(field.1).map_err(drop)?;
    if serial.as_bytes().len() > 21 {
        return Err(());
    }
    let (_, signature) = next_tlv(&mut r)?;
    algorithm_identifier(signature)?;
    let (issuer, issuer_raw) = next_tlv(&mut r)?;
    walk_name(expect(issuer, Tag::Sequence)?, None)?;
    let (_, validity) = next_tlv(&mut r)?;
    let (subject, subject_raw) = next_tlv(&mut r)?;
    let mut subject_emails = Vec::new();
    walk_name(expect(subject, Tag::Sequence)?, Some(&mut subject_emails))?;
    let (_, spki) = next_tlv(&mut r)?;
    subject_public_key_info(spki)?;
    let mut unique_ids = false;
    let mut extensions = None;
    // issuerUniqueID [1], subjectUniqueID [2] (IMPLICIT BIT STRING), extensions [3].
    let mut last = 0;
    while !r.is_finished() {
        let any = next(&mut r)?;
        match context(any) {
            Some((n @ (1 | 2), false)) if n > last => {
                bit_string(any.value())?;
                unique_ids = true;
                last = n;
            }
            Some((3, true)) if last < 3 => {
                extensions = Some(only(any.value(), Tag::Sequence)?);
                last = 3;
            }
            _ => return Err(()),
        }
    }
    Ok(Tbs {
        version,
        signature,
        issuer: issuer_raw,
        subject: subject_raw,
        spki,
        validity,
        subject_emails,
        unique_ids,
        extensions,
    })
}

/// One Extension: (extnID, critical, the contents of extnValue).
fn walk_extension(any: AnyRef<'_>) -> Walk<(ObjectIdentifier, bool, &[u8])> {
    let mut r = reader(expect(any, Tag::Sequence)?)?;
    let id = oid(expect(next(&mut r)?, Tag::ObjectIdentifier)?)?;
    let mut item = next(&mut r)?;
    let mut critical = false;
    if item.tag() == Tag::Boolean {
        critical = boolean(item)?;
        item = next(&mut r)?;
    }
    let value = expect(item, Tag::OctetString)?;
    if !r.is_finished() {
        return Err(());
    }
    Ok((id, critical, value))
}

fn malformed<E>(what: &'static str) -> impl FnOnce(E) -> Error {
    move |_| Error::Malformed(what)
}

impl<'a> Cert<'a> {
    /// Parse one DER certificate (RFC 5280 §4.1), checking the structural MUSTs that do
    /// not depend on the path.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, Error> {
        // Any structural defect of the certificate is "certificate DER"; the texts of
        // the checks below name the rule.
        let (tbs, sig_alg, signature) = split_certificate(der)?;
        algorithm_identifier(sig_alg).map_err(malformed("certificate DER"))?;
        let fields = walk_tbs(tbs).map_err(malformed("certificate DER"))?;
        let (not_before, not_after) =
            validity(fields.validity).map_err(malformed("certificate DER"))?;
        let extensions = match fields.extensions {
            Some(contents) => Some(walk_extensions(contents)?),
            None => None,
        };
        let signature = signature
            .as_bytes()
            .ok_or(Error::Malformed("signature BIT STRING has unused bits"))?;
        // RFC 5280 §4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature.
        if fields.signature != sig_alg {
            return Err(Error::Malformed(
                "signatureAlgorithm differs from tbsCertificate.signature",
            ));
        }
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
            subject_emails: fields.subject_emails,
            unknown_critical: false,
            basic_critical: false,
            san_critical: false,
            v3: fields.version == 2,
            key: OnceCell::new(),
            digest: OnceCell::new(),
        };
        // RFC 5280 §4.1.2.8: unique identifiers only in v2 or v3.
        if fields.unique_ids && fields.version == 0 {
            return Err(Error::Malformed("unique identifier in a v1 certificate"));
        }
        if let Some(exts) = extensions {
            // RFC 5280 §4.1.2.9: extensions only in v3.
            if !out.v3 {
                return Err(Error::Malformed("extensions in a non-v3 certificate"));
            }
            if exts.is_empty() {
                return Err(Error::Malformed("empty extensions"));
            }
            for (i, (id, critical, value)) in exts.iter().enumerate() {
                // RFC 5280 §4.2: at most one instance of each extension.
                if exts[..i].iter().any(|e| e.0 == *id) {
                    return Err(Error::Malformed("duplicate extension"));
                }
                out.extension(id, *critical, value)?;
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

    fn extension(
        &mut self,
        id: &ObjectIdentifier,
        critical: bool,
        v: &'a [u8],
    ) -> Result<(), Error> {
        match *id {
            oid::BASIC_CONSTRAINTS => {
                let (ca, path_len) = basic_constraints(v).map_err(malformed("basicConstraints"))?;
                if path_len.is_some() && !ca {
                    // RFC 5280 §4.2.1.9: pathLenConstraint only when cA is asserted.
                    return Err(Error::Malformed("pathLenConstraint without cA"));
                }
                self.basic = Some((ca, path_len));
                self.basic_critical = critical;
            }
            oid::KEY_USAGE => {
                let bits = key_usage_bits(v).map_err(malformed("keyUsage"))?;
                // RFC 5280 §4.2.1.3: at least one bit MUST be set.
                if bits == 0 {
                    return Err(Error::Malformed("keyUsage with no bit set"));
                }
                self.key_usage = Some(KeyUsage(bits));
            }
            oid::EXT_KEY_USAGE => {
                let eku = ext_key_usage(v).map_err(malformed("extKeyUsage"))?;
                if eku.is_empty() {
                    return Err(Error::Malformed("empty extKeyUsage"));
                }
                self.eku = Some(eku);
            }
            oid::SAN => {
                let names = only(v, Tag::Sequence)
                    .and_then(|c| check_general_names(c).map(|n| (c, n)))
                    .map_err(malformed("subjectAltName"))?;
                if names.1 == 0 {
                    return Err(Error::Malformed("empty subjectAltName"));
                }
                self.san = Some(names.0);
                self.san_critical = critical;
            }
            oid::NAME_CONSTRAINTS => {
                self.name_constraints = Some(Constraints::parse(v)?);
            }
            // Not used by validation: decoded only as x509-cert decoded them. RFC 5280
            // §4.2.1.1, §4.2.1.2: key identifiers MUST be non-critical, so a critical
            // one is not an extension this crate understands; policy processing (RFC
            // 5280 §6.1.3 (d)) is not implemented, so a critical policies extension is
            // not "processed" either.
            oid::SKI => {
                only(v, Tag::OctetString).map_err(malformed("subjectKeyIdentifier"))?;
                self.unknown_critical |= critical;
            }
            oid::AKI => {
                authority_key_identifier(v).map_err(malformed("authorityKeyIdentifier"))?;
                self.unknown_critical |= critical;
            }
            oid::AIA => {
                if authority_info_access(v).map_err(malformed("authorityInfoAccess"))? == 0 {
                    return Err(Error::Malformed("empty authorityInfoAccess"));
                }
                self.unknown_critical |= critical;
            }
            oid::CRL_DP => {
                crl_distribution_points(v).map_err(malformed("cRLDistributionPoints"))?;
                self.unknown_critical |= critical;
            }
            oid::CERT_POLICIES => {
                certificate_policies(v).map_err(malformed("certificatePolicies"))?;
                self.unknown_critical |= critical;
            }
            _ => self.unknown_critical |= critical,
        }
        Ok(())
    }

    /// The subjectAltName entries (none when the extension is absent).
    pub(crate) fn san_names(&self) -> impl Iterator<Item = GeneralName<'a>> + use<'a> {
        general_names(self.san.unwrap_or(&[]))
    }

    /// Whether subject and issuer are the same name (RFC 5280 §6.1: "self-issued").
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// Whether basicConstraints says this is a CA.
    pub(crate) fn is_ca(&self) -> bool {
        matches!(self.basic, Some((true, _)))
    }

    /// The certificate's public key, parsed once.
    pub(crate) fn public_key(&self) -> Result<&PublicKey, Error> {
        self.key
            .get_or_init(|| key::parse_spki(self.spki))
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
    ///
    /// Fails only for a hash this build leaves out, which the signature algorithm's
    /// decoding refuses first ([`Error::SignatureAlgorithmLeftOut`]).
    pub(crate) fn tbs_digest(&self, hash: HashAlgorithm) -> Result<(&Output, bool), Error> {
        if let Some(d) = self.digest.get() {
            return Ok((d, false));
        }
        let d = hash.hash(self.tbs).map_err(|_| {
            Error::SignatureAlgorithmLeftOut(if hash == HashAlgorithm::Sha384 {
                crate::error::LeftOut::Sha384
            } else {
                crate::error::LeftOut::Sha512
            })
        })?;
        Ok((self.digest.get_or_init(|| d), true))
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

/// (tbsCertificate TLV, signatureAlgorithm TLV, signatureValue).
type RawParts<'a> = (&'a [u8], &'a [u8], BitStringRef<'a>);

/// Split `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`
/// into raw TLVs.
fn split_certificate(der: &[u8]) -> Result<RawParts<'_>, Error> {
    let walk = || -> Walk<RawParts<'_>> {
        let mut r = reader(only(der, Tag::Sequence)?)?;
        let (_, tbs) = next_tlv(&mut r)?;
        let (_, alg) = next_tlv(&mut r)?;
        let sig = bit_string(expect(next(&mut r)?, Tag::BitString)?)?;
        if !r.is_finished() {
            return Err(());
        }
        Ok((tbs, alg, sig))
    };
    walk().map_err(malformed("certificate DER"))
}

/// A BIT STRING from its contents (unused-bit count, then the bits).
fn bit_string(contents: &[u8]) -> Walk<BitStringRef<'_>> {
    let (&unused, bits) = contents.split_first().ok_or(())?;
    BitStringRef::new(unused, bits).map_err(drop)
}

/// Every Extension of an Extensions SEQUENCE's contents, framing checked.
type Extensions<'a> = Vec<(ObjectIdentifier, bool, &'a [u8])>;

fn walk_extensions(contents: &[u8]) -> Result<Extensions<'_>, Error> {
    let walk = || -> Walk<Extensions<'_>> {
        let mut r = reader(contents)?;
        let mut out = Vec::new();
        while !r.is_finished() {
            out.push(walk_extension(next(&mut r)?)?);
        }
        Ok(out)
    };
    walk().map_err(malformed("certificate DER"))
}

/// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
/// (0..MAX) OPTIONAL } (a pathLenConstraint over 255 is refused).
fn basic_constraints(v: &[u8]) -> Walk<(bool, Option<u8>)> {
    let mut r = reader(only(v, Tag::Sequence)?)?;
    let mut ca = false;
    let mut path_len = None;
    if !r.is_finished() {
        let mut item = next(&mut r)?;
        if item.tag() == Tag::Boolean {
            ca = boolean(item)?;
            if r.is_finished() {
                return Ok((ca, None));
            }
            item = next(&mut r)?;
        }
        let n = uint32(expect(item, Tag::Integer)?)?;
        path_len = Some(u8::try_from(n).map_err(drop)?);
    }
    if r.is_finished() {
        Ok((ca, path_len))
    } else {
        Err(())
    }
}

/// KeyUsage ::= BIT STRING, at most 16 bits; bit 0 (digitalSignature) is the first.
/// Bits past decipherOnly (8) are ignored, as x509-cert's flag set did.
fn key_usage_bits(v: &[u8]) -> Walk<u16> {
    let bits = bit_string(only(v, Tag::BitString)?)?;
    if bits.bit_len() > 16 {
        return Err(());
    }
    let mut flags = 0u16;
    for (i, bit) in bits.bits().enumerate() {
        flags |= u16::from(bit) << i;
    }
    Ok(flags & 0x1ff)
}

/// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (OIDs).
fn ext_key_usage(v: &[u8]) -> Walk<Vec<ObjectIdentifier>> {
    let mut r = reader(only(v, Tag::Sequence)?)?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(oid(expect(next(&mut r)?, Tag::ObjectIdentifier)?)?);
    }
    Ok(out)
}

/// The fields of a SEQUENCE whose components are all `[n]` context-tagged and OPTIONAL,
/// as `der`'s derive decoded them: in increasing tag order, each at most once, nothing
/// else; `check(n, constructed, contents)` checks each (and refuses unknown numbers).
fn tagged_fields(contents: &[u8], check: impl Fn(u32, bool, &[u8]) -> Walk<()>) -> Walk<()> {
    let mut r = reader(contents)?;
    let mut after = 0;
    while !r.is_finished() {
        let any = next(&mut r)?;
        let (n, constructed) = context(any).ok_or(())?;
        if n < after {
            return Err(());
        }
        check(n, constructed, any.value())?;
        after = n + 1;
    }
    Ok(())
}

/// A GeneralNames SEQUENCE's contents under an IMPLICIT tag, which must be constructed.
fn implicit_general_names(constructed: bool, v: &[u8]) -> Walk<()> {
    if constructed {
        check_general_names(v).map(drop)
    } else {
        Err(())
    }
}

/// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING
/// OPTIONAL, authorityCertIssuer [1] IMPLICIT GeneralNames OPTIONAL,
/// authorityCertSerialNumber [2] IMPLICIT CertificateSerialNumber OPTIONAL }
/// (RFC 5280 §4.2.1.1). The serial number as x509-cert's `SerialNumber` took it: a
/// minimal INTEGER (either sign) of at most 21 octets.
fn authority_key_identifier(v: &[u8]) -> Walk<()> {
    tagged_fields(only(v, Tag::Sequence)?, |n, constructed, v| match n {
        0 if !constructed => Ok(()),
        1 => implicit_general_names(constructed, v),
        2 if !constructed => match v {
            [] | [0, 0..=0x7f, ..] | [0xff, 0x80..=0xff, ..] => Err(()),
            _ if v.len() > 21 => Err(()),
            _ => Ok(()),
        },
        _ => Err(()),
    })
}

/// AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription,
/// AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation
/// GeneralName } (RFC 5280 §4.2.2.1); returns how many descriptions it holds.
fn authority_info_access(v: &[u8]) -> Walk<usize> {
    let mut r = reader(only(v, Tag::Sequence)?)?;
    let mut n = 0;
    while !r.is_finished() {
        let mut d = reader(expect(next(&mut r)?, Tag::Sequence)?)?;
        oid(expect(next(&mut d)?, Tag::ObjectIdentifier)?)?;
        general_name(next(&mut d)?)?;
        if !d.is_finished() {
            return Err(());
        }
        n += 1;
    }
    Ok(n)
}

/// CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint,
/// DistributionPoint ::= SEQUENCE { distributionPoint [0] EXPLICIT DistributionPointName
/// OPTIONAL, reasons [1] IMPLICIT ReasonFlags OPTIONAL, cRLIssuer [2] IMPLICIT
/// GeneralNames OPTIONAL }, DistributionPointName ::= CHOICE { fullName [0] IMPLICIT
/// GeneralNames, nameRelativeToCRLIssuer [1] IMPLICIT RelativeDistinguishedName } (RFC
/// 5280 §4.2.1.13). As `der` decoded it: the list and each point may be empty, the
/// reasons BIT STRING holds at most 16 bits.
fn crl_distribution_points(v: &[u8]) -> Walk<()> {
    let mut r = reader(only(v, Tag::Sequence)?)?;
    while !r.is_finished() {
        let point = expect(next(&mut r)?, Tag::Sequence)?;
        tagged_fields(point, |n, constructed, v| match n {
            0 if constructed => {
                let mut inner = reader(v)?;
                let name = next(&mut inner)?;
                if !inner.is_finished() {
                    return Err(());
                }
                match context(name) {
                    Some((0, true)) => check_general_names(name.value()).map(drop),
                    Some((1, true)) => walk_rdn(name.value(), None),
                    _ => Err(()),
                }
            }
            1 if !constructed => {
                if bit_string(v)?.bit_len() > 16 {
                    Err(())
                } else {
                    Ok(())
                }
            }
            2 => implicit_general_names(constructed, v),
            _ => Err(()),
        })?;
    }
    Ok(())
}

/// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation,
/// PolicyInformation ::= SEQUENCE { policyIdentifier OBJECT IDENTIFIER, policyQualifiers
/// SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }, PolicyQualifierInfo ::=
/// SEQUENCE { policyQualifierId OBJECT IDENTIFIER, qualifier ANY OPTIONAL } (RFC 5280
/// §4.2.1.4), as x509-cert decoded it (the lists may be empty, a qualifier is any one
/// TLV).
fn certificate_policies(v: &[u8]) -> Walk<()> {
    let mut r = reader(only(v, Tag::Sequence)?)?;
    while !r.is_finished() {
        let mut info = reader(expect(next(&mut r)?, Tag::Sequence)?)?;
        oid(expect(next(&mut info)?, Tag::ObjectIdentifier)?)?;
        if !info.is_finished() {
            let mut qualifiers = reader(expect(next(&mut info)?, Tag::Sequence)?)?;
            while !qualifiers.is_finished() {
                let mut q = reader(expect(next(&mut qualifiers)?, Tag::Sequence)?)?;
                oid(expect(next(&mut q)?, Tag::ObjectIdentifier)?)?;
                if !q.is_finished() {
                    next(&mut q)?;
                }
                if !q.is_finished() {
                    return Err(());
                }
            }
        }
        if !info.is_finished() {
            return Err(());
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "cert_legacy.rs"]
mod legacy;

#[cfg(test)]
#[path = "cert_differential.rs"]
mod differential;
