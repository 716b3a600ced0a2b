//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).
//!
//! Processed forms: dNSName, iPAddress, directoryName and rfc822Name (e-mail addresses:
//! the subjectAltName entries and, always, the emailAddress attributes of the subject
//! name; RFC 5280 §4.2.1.10 requires the latter when there is no subjectAltName, and
//! OpenSSL checks them in every case, as this crate does). For any other form (URI,
//! otherName, ...) a constraint cannot be checked, so RFC 5280 §4.2.1.10 leaves two
//! choices: process it or reject the certificate. A certificate below such a constraint
//! that carries a name of that form is rejected; certificates without such names pass.
//!
//! The extension is decoded once, when its certificate is parsed, into [`Constraints`]
//! (bases pre-encoded as bytes), so a check is a byte comparison per subtree. Every name
//! checked is charged the cost of one pass over the subtrees, so the total work of a
//! validation is bounded by [`VerifyOptions::max_name_constraint_work`].
//!
//! [`VerifyOptions::max_name_constraint_work`]: crate::VerifyOptions::max_name_constraint_work

use alloc::vec::Vec;

use der::asn1::AnyRef;
use der::{Decode, Reader, Tag};

use crate::Error;
use crate::cert::{Cert, GeneralName, context, expect, general_name, next, only, reader, uint32};
use crate::names::is_hostname;

/// One subtree base, in the form it is compared in.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Base {
    /// A host name (or empty: every DNS name).
    Dns(Vec<u8>),
    /// Address then mask, 4 + 4 or 16 + 16 octets, the mask a CIDR prefix.
    Ip(Vec<u8>),
    /// The contents (RDNs, without the outer tag and length) of a DER Name.
    Directory(Vec<u8>),
    /// `local@host` (one mailbox), `host` (every mailbox on the host), `.domain` (every
    /// mailbox on a host under the domain), or empty (every mailbox).
    Email(Vec<u8>),
    /// A form this crate does not compare.
    Other(Form),
}

impl Base {
    fn form(&self) -> Form {
        match self {
            Base::Dns(_) => Form::Dns,
            Base::Ip(_) => Form::Ip,
            Base::Directory(_) => Form::Directory,
            Base::Email(_) => Form::Email,
            Base::Other(f) => *f,
        }
    }

    fn len(&self) -> usize {
        match self {
            Base::Dns(b) | Base::Ip(b) | Base::Directory(b) | Base::Email(b) => b.len(),
            Base::Other(_) => 0,
        }
    }
}

/// A decoded, checked nameConstraints extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Constraints {
    /// permittedSubtrees (empty when absent: the extension never has an empty list).
    permitted: Vec<Base>,
    /// excludedSubtrees (empty when absent).
    excluded: Vec<Base>,
    /// The work units one name costs: one per subtree plus one per 32 octets of base.
    per_name_cost: u32,
}

/// Work units for comparing with `len` octets.
fn bytes_cost(len: usize) -> u32 {
    u32::try_from(len / 32).unwrap_or(u32::MAX)
}

/// One GeneralSubtree, structurally checked: its base, and whether `minimum` is 0 and
/// `maximum` absent (the only values RFC 5280 §4.2.1.10 allows).
type Subtree<'a> = (GeneralName<'a>, bool);

/// GeneralSubtrees (the contents of `[0]` or `[1]`): `SEQUENCE OF GeneralSubtree ::=
/// SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }`.
fn subtrees(contents: &[u8]) -> Result<Vec<Subtree<'_>>, ()> {
    let mut out = Vec::new();
    let mut r = reader(contents)?;
    while !r.is_finished() {
        let mut st = reader(expect(next(&mut r)?, Tag::Sequence)?)?;
        let base = general_name(next(&mut st)?)?;
        let mut plain = true;
        let mut last = None;
        while !st.is_finished() {
            let item = next(&mut st)?;
            let n = match context(item) {
                Some((n @ (0 | 1), false)) if last < Some(n) => n,
                _ => return Err(()),
            };
            let value = uint32(item.value())?;
            plain &= n == 0 && value == 0;
            last = Some(n);
        }
        out.push((base, plain));
    }
    Ok(out)
}

/// `NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1]
/// OPTIONAL }` (IMPLICIT GeneralSubtrees), structurally checked.
type Parsed<'a> = (Option<Vec<Subtree<'a>>>, Option<Vec<Subtree<'a>>>);

fn walk(v: &[u8]) -> Result<Parsed<'_>, ()> {
    let (mut permitted, mut excluded) = (None, None);
    let mut r = reader(only(v, Tag::Sequence)?)?;
    while !r.is_finished() {
        let item = next(&mut r)?;
        match context(item) {
            Some((0, true)) if permitted.is_none() && excluded.is_none() => {
                permitted = Some(subtrees(item.value())?);
            }
            Some((1, true)) if excluded.is_none() => excluded = Some(subtrees(item.value())?),
            _ => return Err(()),
        }
    }
    Ok((permitted, excluded))
}

impl Constraints {
    /// Decode a nameConstraints extension value, enforcing the structural rules of RFC
    /// 5280 §4.2.1.10: not empty, `minimum` 0 and `maximum` absent, iPAddress bases of 8
    /// or 32 octets with a contiguous mask, dNSName bases that are host names or empty,
    /// rfc822Name bases that are a mailbox, a host, `.` and a domain, or empty.
    pub(crate) fn parse(v: &[u8]) -> Result<Self, Error> {
        let (permitted, excluded) = walk(v).map_err(|()| Error::Malformed("nameConstraints"))?;
        if permitted.is_none() && excluded.is_none() {
            return Err(Error::Malformed("empty nameConstraints"));
        }
        let convert = |list: Option<Vec<Subtree<'_>>>| -> Result<Vec<Base>, Error> {
            let Some(list) = list else {
                return Ok(Vec::new());
            };
            if list.is_empty() {
                return Err(Error::Malformed("empty GeneralSubtrees"));
            }
            list.into_iter().map(base).collect()
        };
        let permitted = convert(permitted)?;
        let excluded = convert(excluded)?;
        let per_name_cost = permitted.iter().chain(&excluded).fold(0u32, |acc, b| {
            acc.saturating_add(1).saturating_add(bytes_cost(b.len()))
        });
        Ok(Constraints {
            permitted,
            excluded,
            per_name_cost,
        })
    }

    fn constrains(&self, f: Form) -> bool {
        self.permitted
            .iter()
            .chain(&self.excluded)
            .any(|b| b.form() == f)
    }
}

fn base((name, plain): Subtree<'_>) -> Result<Base, Error> {
    if !plain {
        return Err(Error::Malformed("name constraint minimum/maximum"));
    }
    Ok(match name {
        GeneralName::Ip(b) => {
            if ip_subtree(b).is_none() {
                return Err(Error::Malformed("iPAddress name constraint"));
            }
            Base::Ip(b.to_vec())
        }
        GeneralName::Dns(b) => {
            // RFC 5280 §4.2.1.10: a DNS constraint is a host name ("host.example.com");
            // the leading period is a URI-constraint form, and wildcards are not names
            // at all.
            if !b.is_empty() && !is_hostname(b) {
                return Err(Error::Malformed("dNSName name constraint"));
            }
            Base::Dns(b.to_vec())
        }
        GeneralName::Email(b) => {
            if !email_base_well_formed(b) {
                return Err(Error::Malformed("rfc822Name name constraint"));
            }
            Base::Email(b.to_vec())
        }
        GeneralName::Directory(contents) => Base::Directory(contents.to_vec()),
        GeneralName::Other(tag) => Base::Other(Form::Other(tag)),
    })
}

/// RFC 5280 §4.2.1.10: "a particular mailbox, all addresses at a particular host, or all
/// mailboxes in a domain" — `local@host`, `host`, `.domain`.
fn email_base_well_formed(b: &[u8]) -> bool {
    if b.is_empty() {
        return true;
    }
    if b.contains(&b'@') {
        return mailbox(b).is_some();
    }
    is_hostname(b.strip_prefix(b".").unwrap_or(b))
}

/// Split an e-mail address at its last `@` into (local part, host), if the local part
/// is not empty and the host is a host name. (A quoted local part may itself hold `@`.)
fn mailbox(addr: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = addr.iter().rposition(|&b| b == b'@')?;
    let (local, host) = (&addr[..at], &addr[at + 1..]);
    (!local.is_empty() && is_hostname(host)).then_some((local, host))
}

/// Whether the mailbox `addr` lies in the rfc822Name subtree `base` (RFC 5280
/// §4.2.1.10); never when `addr` is not a mailbox.
#[cfg(test)]
fn email_in_subtree(addr: &[u8], base: &[u8]) -> bool {
    mailbox(addr).is_some_and(|(local, host)| mailbox_in_subtree(local, host, base))
}

/// Whether the mailbox `local@host` lies in the rfc822Name subtree `base` (RFC 5280
/// §4.2.1.10). Hosts compare case-insensitively; the local part exactly (RFC 5280 §7.5:
/// "a case-sensitive comparison for the local-part"). The work is linear in `base`.
fn mailbox_in_subtree(local: &[u8], host: &[u8], base: &[u8]) -> bool {
    if base.is_empty() {
        return true;
    }
    if let Some((base_local, base_host)) = mailbox(base) {
        return local == base_local && host.eq_ignore_ascii_case(base_host);
    }
    if base[0] == b'.' {
        // Any host under the domain, not the domain itself.
        return host.len() > base.len()
            && host[host.len() - base.len()..].eq_ignore_ascii_case(base);
    }
    host.eq_ignore_ascii_case(base)
}

/// Split an iPAddress constraint into (address, mask), both 4 or 16 octets, if the mask
/// is a contiguous run of one bits (a CIDR prefix).
fn ip_subtree(b: &[u8]) -> Option<(&[u8], &[u8])> {
    if b.len() != 8 && b.len() != 32 {
        return None;
    }
    let (addr, mask) = b.split_at(b.len() / 2);
    let mut seen_zero = false;
    for byte in mask {
        for bit in (0..8).rev() {
            let one = byte >> bit & 1 == 1;
            if one && seen_zero {
                return None;
            }
            seen_zero |= !one;
        }
    }
    Some((addr, mask))
}

/// The name forms, for "is there a constraint of this form".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Dns,
    Ip,
    Directory,
    Email,
    Other(u8),
}

/// Whether DNS name `name` lies in the subtree `base` (RFC 5280 §4.2.1.10: any name
/// formed by adding zero or more labels to the left of the base).
fn dns_in_subtree(name: &[u8], base: &[u8]) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    if base.is_empty() {
        return true;
    }
    if name.len() == base.len() {
        return name.eq_ignore_ascii_case(base);
    }
    name.len() > base.len()
        && name[name.len() - base.len() - 1] == b'.'
        && name[name.len() - base.len()..].eq_ignore_ascii_case(base)
}

/// Whether any name the (possibly wildcard) presented DNS name stands for could lie in
/// `base`: a wildcard `*.rest` also covers `label.rest`, so an excluded `foo.rest`
/// excludes it.
fn dns_may_intersect(name: &[u8], base: &[u8]) -> bool {
    if dns_in_subtree(name, base) {
        return true;
    }
    let name = name.strip_suffix(b".").unwrap_or(name);
    let Some(rest) = name.strip_prefix(b"*.") else {
        return false;
    };
    // base == "<one label>." + rest
    base.len() > rest.len() + 1
        && base[base.len() - rest.len() - 1] == b'.'
        && base[base.len() - rest.len()..].eq_ignore_ascii_case(rest)
        && !base[..base.len() - rest.len() - 1].contains(&b'.')
}

/// Whether a presented dNSName can be checked at all (host name, or `*.` + host name).
fn dns_checkable(name: &[u8]) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    let name = name.strip_prefix(b"*.").unwrap_or(name);
    is_hostname(name)
}

fn ip_in_subtree(ip: &[u8], base: &[u8]) -> bool {
    let Some((addr, mask)) = ip_subtree(base) else {
        return false;
    };
    ip.len() == addr.len()
        && ip
            .iter()
            .zip(addr)
            .zip(mask)
            .all(|((i, a), m)| i & m == a & m)
}

/// The contents (without tag and length) of a DER Name.
fn name_contents(der: &[u8]) -> Option<&[u8]> {
    AnyRef::from_der(der).ok().map(AnyRef::value)
}

/// Whether `name` lies in the subtree `base` (same form assumed). `excluded` selects
/// the wildcard-aware intersection test for DNS names.
fn in_subtree(name: Name<'_>, base: &Base, excluded: bool) -> bool {
    match (name, base) {
        (Name::Dns(n), Base::Dns(b)) => {
            if excluded {
                dns_may_intersect(n, b)
            } else {
                dns_in_subtree(n, b)
            }
        }
        (Name::Ip(ip), Base::Ip(b)) => ip_in_subtree(ip, b),
        // The base's RDNs are the first RDNs of the name. RDNs are self-delimiting DER,
        // so a byte prefix of the contents is an RDN prefix.
        (Name::Directory(contents), Base::Directory(b)) => contents.starts_with(b),
        (Name::Mailbox(local, host), Base::Email(b)) => mailbox_in_subtree(local, host, b),
        _ => false,
    }
}

/// A name of a certificate, as checked against constraints.
#[derive(Clone, Copy)]
enum Name<'n> {
    Dns(&'n [u8]),
    Ip(&'n [u8]),
    /// The contents of a DER Name (its RDNs).
    Directory(&'n [u8]),
    /// An e-mail address as found in the certificate.
    Email(&'n [u8]),
    /// An e-mail address split into local part and host (see [`mailbox`]).
    Mailbox(&'n [u8], &'n [u8]),
    Other(Form),
}

impl Name<'_> {
    fn form(self) -> Form {
        match self {
            Name::Dns(_) => Form::Dns,
            Name::Ip(_) => Form::Ip,
            Name::Directory(_) => Form::Directory,
            Name::Email(_) | Name::Mailbox(..) => Form::Email,
            Name::Other(f) => f,
        }
    }

    fn len(self) -> usize {
        match self {
            Name::Dns(b) | Name::Ip(b) | Name::Directory(b) | Name::Email(b) => b.len(),
            Name::Mailbox(l, h) => l.len() + 1 + h.len(),
            Name::Other(_) => 0,
        }
    }

    /// Whether the name can be compared at all: a host name (or `*.` and one) for DNS,
    /// a mailbox (already split) for e-mail.
    fn checkable(self) -> bool {
        match self {
            Name::Dns(n) => dns_checkable(n),
            Name::Ip(_) | Name::Directory(_) | Name::Mailbox(..) => true,
            Name::Email(_) | Name::Other(_) => false,
        }
    }
}

fn check_name(nc: &Constraints, name: Name<'_>, budget: &mut u32) -> Result<(), Error> {
    // One pass over the subtrees, plus the name's own length.
    let cost = nc
        .per_name_cost
        .saturating_add(1)
        .saturating_add(bytes_cost(name.len()));
    *budget = budget
        .checked_sub(cost)
        .ok_or(Error::NameConstraintWorkExceeded)?;
    // Split an e-mail address once, not once per subtree.
    let name = match name {
        Name::Email(addr) => mailbox(addr).map_or(name, |(l, h)| Name::Mailbox(l, h)),
        other => other,
    };
    let f = name.form();
    // A name of a constrained form that cannot be interpreted (a malformed DNS name or
    // mailbox, a form this crate does not compare) cannot be shown to be inside the
    // permitted or outside the excluded subtrees.
    if !name.checkable() && nc.constrains(f) {
        return Err(Error::NameConstraintViolated);
    }
    if nc
        .excluded
        .iter()
        .any(|b| b.form() == f && in_subtree(name, b, true))
    {
        return Err(Error::NameConstraintViolated);
    }
    let mut of_form = nc.permitted.iter().filter(|b| b.form() == f).peekable();
    if of_form.peek().is_some() && !of_form.any(|b| in_subtree(name, b, false)) {
        return Err(Error::NameConstraintViolated);
    }
    Ok(())
}

/// Check `cert`'s subject, its emailAddress attributes and its subjectAltName against
/// `nc` (the caller skips the self-issued intermediates RFC 5280 §6.1.3 (b) exempts).
pub(crate) fn check(nc: &Constraints, cert: &Cert<'_>, budget: &mut u32) -> Result<(), Error> {
    if cert.subject != crate::cert::EMPTY_NAME {
        let contents = name_contents(cert.subject).ok_or(Error::NameConstraintViolated)?;
        check_name(nc, Name::Directory(contents), budget)?;
    }
    // RFC 5280 §4.2.1.10: with rfc822Name constraints and no subjectAltName, the
    // constraint MUST be applied to the emailAddress attributes of the subject. They are
    // checked in every case here (as OpenSSL does): an address outside the constraints
    // is no better for sitting beside a subjectAltName.
    for &email in &cert.subject_emails {
        check_name(nc, Name::Email(email), budget)?;
    }
    for gn in cert.san_names() {
        let name = match gn {
            GeneralName::Dns(d) => Name::Dns(d),
            GeneralName::Ip(ip) => Name::Ip(ip),
            GeneralName::Email(m) => Name::Email(m),
            // A directoryName in the SAN is checked like the subject.
            GeneralName::Directory(contents) => Name::Directory(contents),
            GeneralName::Other(tag) => Name::Other(Form::Other(tag)),
        };
        check_name(nc, name, budget)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use x509_cert::ext::pkix::NameConstraints;
    use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
    use x509_cert::ext::pkix::name::GeneralName;

    /// Parse through the DER encoding, as a certificate carries it.
    fn parse(nc: &NameConstraints) -> Result<Constraints, Error> {
        Constraints::parse(&nc.to_der().unwrap())
    }

    #[test]
    fn dns_subtrees() {
        let table: [(&str, &str, bool); 12] = [
            ("example.com", "example.com", true),
            ("www.example.com", "example.com", true),
            ("a.b.example.com", "example.com", true),
            ("WWW.EXAMPLE.COM", "example.com", true),
            ("badexample.com", "example.com", false),
            ("example.com.evil", "example.com", false),
            ("example.org", "example.com", false),
            ("anything.test", "", true),
            ("*.example.com", "example.com", true),
            ("*.example.com", "foo.example.com", false),
            ("com", "example.com", false),
            ("example.com.", "example.com", true),
        ];
        for (name, base, want) in table {
            assert_eq!(
                dns_in_subtree(name.as_bytes(), base.as_bytes()),
                want,
                "{name} in {base}"
            );
        }
        // A wildcard intersects an excluded single label under it, not deeper names.
        assert!(dns_may_intersect(b"*.example.com", b"foo.example.com"));
        assert!(dns_may_intersect(b"*.example.com", b"example.com"));
        assert!(!dns_may_intersect(b"*.example.com", b"a.foo.example.com"));
        assert!(!dns_may_intersect(b"*.example.com", b"example.org"));
        assert!(!dns_may_intersect(b"www.example.com", b"foo.example.com"));
    }

    fn subtree(base: GeneralName) -> GeneralSubtree {
        GeneralSubtree {
            base,
            minimum: 0,
            maximum: None,
        }
    }

    fn dns(s: &str) -> GeneralSubtree {
        subtree(GeneralName::DnsName(der::asn1::Ia5String::new(s).unwrap()))
    }

    fn email(s: &str) -> GeneralSubtree {
        subtree(GeneralName::Rfc822Name(
            der::asn1::Ia5String::new(s).unwrap(),
        ))
    }

    fn permitted(subtrees: Vec<GeneralSubtree>) -> NameConstraints {
        NameConstraints {
            permitted_subtrees: Some(subtrees),
            excluded_subtrees: None,
        }
    }

    #[test]
    fn malformed_constraints_are_refused() {
        use der::asn1::OctetString;
        assert!(parse(&permitted(alloc::vec![dns("example.com")])).is_ok());
        assert!(parse(&permitted(alloc::vec![dns("")])).is_ok());
        for bad in [".example.com", "*.example.com", "exa mple.com"] {
            assert!(parse(&permitted(alloc::vec![dns(bad)])).is_err(), "{bad}");
        }
        for good in [
            "",
            "example.com",
            ".example.com",
            "alice@example.com",
            "a@b@example.com",
        ] {
            assert!(
                parse(&permitted(alloc::vec![email(good)])).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "@example.com",
            "alice@",
            "alice@.example.com",
            "..example.com",
            "a b.com",
        ] {
            assert_eq!(
                parse(&permitted(alloc::vec![email(bad)])),
                Err(Error::Malformed("rfc822Name name constraint")),
                "{bad}"
            );
        }
        let ip = |b: &[u8]| subtree(GeneralName::IpAddress(OctetString::new(b).unwrap()));
        assert!(parse(&permitted(alloc::vec![ip(&[10, 0, 0, 0, 255, 0, 0, 0])])).is_ok());
        assert!(parse(&permitted(alloc::vec![ip(&[127, 0, 0, 1])])).is_err());
        let mut max = dns("example.com");
        max.maximum = Some(1);
        assert!(parse(&permitted(alloc::vec![max])).is_err());
        assert!(parse(&permitted(alloc::vec![])).is_err());
        assert!(
            parse(&NameConstraints {
                permitted_subtrees: None,
                excluded_subtrees: None
            })
            .is_err()
        );
    }

    #[test]
    fn comparisons_are_budgeted() {
        let nc = parse(&NameConstraints {
            permitted_subtrees: Some(alloc::vec![dns("example.com"), dns("example.org")]),
            excluded_subtrees: Some(alloc::vec![dns("bad.example.com")]),
        })
        .unwrap();
        // Three subtrees, each shorter than 32 octets, and a short name: 3 + 1 units.
        let mut budget = 4;
        assert_eq!(
            check_name(&nc, Name::Dns(b"www.example.com"), &mut budget),
            Ok(())
        );
        assert_eq!(budget, 0);
        assert_eq!(
            check_name(&nc, Name::Dns(b"www.example.com"), &mut budget),
            Err(Error::NameConstraintWorkExceeded)
        );
        let mut budget = 100;
        assert_eq!(
            check_name(&nc, Name::Dns(b"bad.example.com"), &mut budget),
            Err(Error::NameConstraintViolated)
        );
        assert_eq!(
            check_name(&nc, Name::Dns(b"www.example.net"), &mut budget),
            Err(Error::NameConstraintViolated)
        );
        // DNS constraints do not restrict names of another form.
        assert_eq!(
            check_name(&nc, Name::Ip(&[10, 0, 0, 1]), &mut budget),
            Ok(())
        );
        assert_eq!(
            check_name(&nc, Name::Email(b"a@example.net"), &mut budget),
            Ok(())
        );
        // Long bases and names cost more: 64 octets of base are 2 more units.
        let long = "a".repeat(60) + ".test";
        let nc = parse(&permitted(alloc::vec![dns(&long)])).unwrap();
        let mut budget = 100;
        check_name(&nc, Name::Dns(long.as_bytes()), &mut budget).unwrap();
        assert_eq!(budget, 100 - (1 + 2) - (1 + 2));
    }

    #[test]
    fn email_subtrees() {
        // (address, base, inside)
        let table = [
            // A mailbox: that one only; local part exact, host case-insensitive.
            ("alice@example.com", "alice@example.com", true),
            ("alice@EXAMPLE.com", "alice@example.com", true),
            ("Alice@example.com", "alice@example.com", false),
            ("bob@example.com", "alice@example.com", false),
            ("alice@mail.example.com", "alice@example.com", false),
            // A host: every mailbox on it, not below it.
            ("alice@example.com", "example.com", true),
            ("bob@Example.Com", "example.com", true),
            ("alice@mail.example.com", "example.com", false),
            ("alice@badexample.com", "example.com", false),
            // A domain: every host below it, not the domain itself.
            ("alice@mail.example.com", ".example.com", true),
            ("alice@a.b.example.com", ".example.com", true),
            ("alice@example.com", ".example.com", false),
            ("alice@badexample.com", ".example.com", false),
            // Everything.
            ("alice@example.com", "", true),
            // A quoted local part with an @: the host is after the last one.
            ("\"a@evil.test\"@example.com", "example.com", true),
            ("\"a@example.com\"@evil.test", "example.com", false),
            // Not a mailbox: never inside.
            ("example.com", "example.com", false),
            ("@example.com", "", false),
            ("alice@", "", false),
        ];
        for (addr, base, want) in table {
            assert_eq!(
                email_in_subtree(addr.as_bytes(), base.as_bytes()),
                want,
                "{addr} in {base:?}"
            );
        }
        // Check whole names: an unparsable address under an e-mail constraint fails.
        let nc = parse(&NameConstraints {
            permitted_subtrees: Some(alloc::vec![email(".example.com")]),
            excluded_subtrees: Some(alloc::vec![email("bad.example.com")]),
        })
        .unwrap();
        let mut budget = 1000;
        let mut run = |a: &str| check_name(&nc, Name::Email(a.as_bytes()), &mut budget);
        assert_eq!(run("x@mail.example.com"), Ok(()));
        assert_eq!(run("x@bad.example.com"), Err(Error::NameConstraintViolated));
        assert_eq!(run("x@example.com"), Err(Error::NameConstraintViolated));
        assert_eq!(run("not-an-address"), Err(Error::NameConstraintViolated));
    }

    #[test]
    fn directory_subtrees() {
        use core::str::FromStr;
        use x509_cert::name::Name as DerName;
        let name = |s: &str| DerName::from_str(s).unwrap();
        let der = |s: &str| name(s).to_der().unwrap();
        let dn_in_subtree = |subject: &[u8], base: &DerName| {
            let nc = parse(&permitted(alloc::vec![subtree(
                GeneralName::DirectoryName(base.clone(),)
            )]))
            .unwrap();
            let b = &nc.permitted[0];
            in_subtree(Name::Directory(name_contents(subject).unwrap()), b, false)
        };
        // RFC 4514 strings list the most specific RDN first; DER order is the reverse.
        let subject = der("CN=leaf,OU=unit,O=org,C=XX");
        assert!(dn_in_subtree(&subject, &name("O=org,C=XX")));
        assert!(dn_in_subtree(&subject, &name("C=XX")));
        assert!(dn_in_subtree(&subject, &name("CN=leaf,OU=unit,O=org,C=XX")));
        assert!(!dn_in_subtree(&subject, &name("O=other,C=XX")));
        assert!(!dn_in_subtree(&subject, &name("OU=unit,O=org")));
        assert!(!dn_in_subtree(&der("C=XX"), &name("O=org,C=XX")));
    }

    #[test]
    fn ip_subtrees() {
        let net = [192, 168, 0, 0, 255, 255, 0, 0];
        assert!(ip_in_subtree(&[192, 168, 7, 9], &net));
        assert!(!ip_in_subtree(&[192, 169, 0, 1], &net));
        assert!(!ip_in_subtree(&[0; 16], &net));
        let all = [0u8; 8];
        assert!(ip_in_subtree(&[1, 2, 3, 4], &all));
        let mut v6 = [0u8; 32];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[16] = 0xff;
        v6[17] = 0xff;
        let mut inside = [0u8; 16];
        inside[0] = 0x20;
        inside[1] = 0x01;
        inside[15] = 7;
        assert!(ip_in_subtree(&inside, &v6));
        inside[1] = 2;
        assert!(!ip_in_subtree(&inside, &v6));
        // Non-contiguous masks and odd lengths are refused.
        assert!(ip_subtree(&[10, 0, 0, 0, 255, 0, 255, 0]).is_none());
        assert!(ip_subtree(&[10, 0, 0, 0, 255]).is_none());
        assert!(ip_subtree(&[10, 0, 0, 0, 255, 255, 255, 254]).is_some());
    }
}
