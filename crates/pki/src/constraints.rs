//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c), §6.1.4 (g)).
//!
//! Processed forms: dNSName, iPAddress and directoryName. For any other form (rfc822Name,
//! URI, otherName, ...) a constraint cannot be checked, so RFC 5280 §4.2.1.10 leaves two
//! choices: process it or reject the certificate. A certificate below such a constraint
//! that carries a name of that form is rejected; certificates without such names pass.

use alloc::vec::Vec;

use der::asn1::{AnyRef, Ia5StringRef};
use der::{Decode, Encode};
use x509_cert::ext::pkix::NameConstraints;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;

use crate::Error;
use crate::cert::Cert;
use crate::names::is_hostname;

/// Structural rules for a nameConstraints value (RFC 5280 §4.2.1.10): not empty,
/// `minimum` 0 and `maximum` absent, iPAddress bases of 8 or 32 octets with a contiguous
/// mask, dNSName bases that are host names or empty.
pub(crate) fn check_well_formed(nc: &NameConstraints) -> Result<(), Error> {
    let lists = [&nc.permitted_subtrees, &nc.excluded_subtrees];
    if lists.iter().all(|l| l.is_none()) {
        return Err(Error::Malformed("empty nameConstraints"));
    }
    for list in lists.into_iter().flatten() {
        if list.is_empty() {
            return Err(Error::Malformed("empty GeneralSubtrees"));
        }
        for subtree in list {
            if subtree.minimum != 0 || subtree.maximum.is_some() {
                return Err(Error::Malformed("name constraint minimum/maximum"));
            }
            match &subtree.base {
                GeneralName::IpAddress(b) if ip_subtree(b.as_bytes()).is_none() => {
                    return Err(Error::Malformed("iPAddress name constraint"));
                }
                GeneralName::DnsName(d) => {
                    // RFC 5280 §4.2.1.10: a DNS constraint is a host name ("host.example.com");
                    // the leading period is a URI-constraint form, and wildcards are not
                    // names at all.
                    let base = Ia5StringRef::from(d).as_str().as_bytes();
                    if !base.is_empty() && !is_hostname(base) {
                        return Err(Error::Malformed("dNSName name constraint"));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
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
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Dns,
    Ip,
    Directory,
    Other(u8),
}

fn form(name: &GeneralName) -> Form {
    match name {
        GeneralName::DnsName(_) => Form::Dns,
        GeneralName::IpAddress(_) => Form::Ip,
        GeneralName::DirectoryName(_) => Form::Directory,
        GeneralName::OtherName(_) => Form::Other(0),
        GeneralName::Rfc822Name(_) => Form::Other(1),
        GeneralName::EdiPartyName(_) => Form::Other(5),
        GeneralName::UniformResourceIdentifier(_) => Form::Other(6),
        GeneralName::RegisteredId(_) => Form::Other(8),
    }
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

/// Whether the subject (raw DER Name) lies below the directoryName `base`: the base's
/// RDNs are the first RDNs of the subject. Since RDNs are self-delimiting DER, a byte
/// prefix of the contents is an RDN prefix.
fn dn_in_subtree(subject: &[u8], base: &x509_cert::name::Name) -> bool {
    let Ok(base_der) = base.to_der() else {
        return false;
    };
    match (name_contents(subject), name_contents(&base_der)) {
        (Some(s), Some(b)) => s.starts_with(b),
        _ => false,
    }
}

/// Whether `name` lies in `subtree` (same form assumed). `excluded` selects the
/// wildcard-aware intersection test for DNS names.
fn in_subtree(name: Name<'_>, subtree: &GeneralSubtree, excluded: bool) -> bool {
    match (name, &subtree.base) {
        (Name::Dns(n), GeneralName::DnsName(b)) => {
            let b = Ia5StringRef::from(b).as_str().as_bytes();
            if excluded {
                dns_may_intersect(n, b)
            } else {
                dns_in_subtree(n, b)
            }
        }
        (Name::Ip(ip), GeneralName::IpAddress(b)) => ip_in_subtree(ip, b.as_bytes()),
        (Name::Directory(subject), GeneralName::DirectoryName(b)) => dn_in_subtree(subject, b),
        _ => false,
    }
}

/// A name of a certificate, as checked against constraints.
#[derive(Clone, Copy)]
enum Name<'n> {
    Dns(&'n [u8]),
    Ip(&'n [u8]),
    Directory(&'n [u8]),
    Other(Form),
}

impl Name<'_> {
    fn form(self) -> Form {
        match self {
            Name::Dns(_) => Form::Dns,
            Name::Ip(_) => Form::Ip,
            Name::Directory(_) => Form::Directory,
            Name::Other(f) => f,
        }
    }
}

fn check_name(nc: &NameConstraints, name: Name<'_>, budget: &mut u32) -> Result<(), Error> {
    let f = name.form();
    // One unit per subtree this name may be compared with.
    let cost = nc.permitted_subtrees.as_ref().map_or(0, Vec::len)
        + nc.excluded_subtrees.as_ref().map_or(0, Vec::len);
    *budget = budget
        .checked_sub(u32::try_from(cost).unwrap_or(u32::MAX))
        .ok_or(Error::BudgetExceeded)?;
    if let Name::Dns(n) = name {
        let constrained = nc
            .permitted_subtrees
            .iter()
            .chain(nc.excluded_subtrees.iter())
            .flatten()
            .any(|s| form(&s.base) == Form::Dns);
        if constrained && !dns_checkable(n) {
            return Err(Error::NameConstraintViolated);
        }
    }
    if let Some(excluded) = &nc.excluded_subtrees {
        for s in excluded.iter().filter(|s| form(&s.base) == f) {
            if matches!(name, Name::Other(_)) || in_subtree(name, s, true) {
                return Err(Error::NameConstraintViolated);
            }
        }
    }
    if let Some(permitted) = &nc.permitted_subtrees {
        let mut of_form = permitted.iter().filter(|s| form(&s.base) == f).peekable();
        if of_form.peek().is_some() {
            if matches!(name, Name::Other(_)) {
                return Err(Error::NameConstraintViolated);
            }
            if !of_form.any(|s| in_subtree(name, s, false)) {
                return Err(Error::NameConstraintViolated);
            }
        }
    }
    Ok(())
}

/// Check `cert`'s subject and subjectAltName against `nc` (the caller skips the
/// self-issued intermediates RFC 5280 §6.1.3 (b) exempts).
pub(crate) fn check(nc: &NameConstraints, cert: &Cert<'_>, budget: &mut u32) -> Result<(), Error> {
    if cert.subject != crate::cert::EMPTY_NAME {
        check_name(nc, Name::Directory(cert.subject), budget)?;
    }
    for gn in cert.san.iter().flatten() {
        let name = match gn {
            GeneralName::DnsName(d) => Name::Dns(Ia5StringRef::from(d).as_str().as_bytes()),
            GeneralName::IpAddress(ip) => Name::Ip(ip.as_bytes()),
            GeneralName::DirectoryName(dn) => {
                // A directoryName in the SAN is checked like the subject.
                let der = dn.to_der().map_err(|_| Error::NameConstraintViolated)?;
                check_name(nc, Name::Directory(&der), budget)?;
                continue;
            }
            other => Name::Other(form(other)),
        };
        check_name(nc, name, budget)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn malformed_constraints_are_refused() {
        use der::asn1::{Ia5String, OctetString};
        let dns = |s: &str| GeneralSubtree {
            base: GeneralName::DnsName(Ia5String::new(s).unwrap()),
            minimum: 0,
            maximum: None,
        };
        let nc = |subtrees: alloc::vec::Vec<GeneralSubtree>| NameConstraints {
            permitted_subtrees: Some(subtrees),
            excluded_subtrees: None,
        };
        assert!(check_well_formed(&nc(alloc::vec![dns("example.com")])).is_ok());
        assert!(check_well_formed(&nc(alloc::vec![dns("")])).is_ok());
        for bad in [".example.com", "*.example.com", "exa mple.com"] {
            assert!(
                check_well_formed(&nc(alloc::vec![dns(bad)])).is_err(),
                "{bad}"
            );
        }
        let ip = |b: &[u8]| GeneralSubtree {
            base: GeneralName::IpAddress(OctetString::new(b).unwrap()),
            minimum: 0,
            maximum: None,
        };
        assert!(check_well_formed(&nc(alloc::vec![ip(&[10, 0, 0, 0, 255, 0, 0, 0])])).is_ok());
        assert!(check_well_formed(&nc(alloc::vec![ip(&[127, 0, 0, 1])])).is_err());
        let mut max = dns("example.com");
        max.maximum = Some(1);
        assert!(check_well_formed(&nc(alloc::vec![max])).is_err());
        assert!(check_well_formed(&nc(alloc::vec![])).is_err());
        assert!(
            check_well_formed(&NameConstraints {
                permitted_subtrees: None,
                excluded_subtrees: None
            })
            .is_err()
        );
    }

    #[test]
    fn comparisons_are_budgeted() {
        use der::asn1::Ia5String;
        let dns = |s: &str| GeneralSubtree {
            base: GeneralName::DnsName(Ia5String::new(s).unwrap()),
            minimum: 0,
            maximum: None,
        };
        let nc = NameConstraints {
            permitted_subtrees: Some(alloc::vec![dns("example.com"), dns("example.org")]),
            excluded_subtrees: Some(alloc::vec![dns("bad.example.com")]),
        };
        let mut budget = 3;
        assert_eq!(
            check_name(&nc, Name::Dns(b"www.example.com"), &mut budget),
            Ok(())
        );
        assert_eq!(budget, 0);
        assert_eq!(
            check_name(&nc, Name::Dns(b"www.example.com"), &mut budget),
            Err(Error::BudgetExceeded)
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
    }

    #[test]
    fn directory_subtrees() {
        use core::str::FromStr;
        use x509_cert::name::Name as DerName;
        let name = |s: &str| DerName::from_str(s).unwrap();
        let der = |s: &str| name(s).to_der().unwrap();
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
