//! Server names and matching them against a certificate's subjectAltName (RFC 6125 §6,
//! RFC 5280 §4.2.1.6, CA/Browser Forum Baseline Requirements §7.1.4.2).
//!
//! Only subjectAltName dNSName and iPAddress entries are consulted: the subject common
//! name is never used (RFC 6125 §6.4.4 allows it only when no SAN is present; the CA/B
//! Forum requires the SAN, and browsers dropped the fallback). DNS names compare as ASCII,
//! case-insensitively, with one trailing dot ignored; internationalized names must be
//! given as A-labels (`xn--...`). A wildcard is accepted only as the entire left-most label
//! of a presented name with at least two labels after it (`*.example.com`), and matches
//! exactly one non-empty label of the reference name; it never matches an IP address.

use alloc::string::String;
use core::fmt;
use core::net::IpAddr;

use crate::Error;

/// The maximum length of a DNS name in text form, without the trailing dot
/// (RFC 1035 §2.3.4: 255 octets on the wire).
const MAX_NAME_LEN: usize = 253;
/// The maximum length of one label (RFC 1035 §2.3.4).
const MAX_LABEL_LEN: usize = 63;

/// The name a client expects the server's certificate to be valid for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServerName {
    /// A DNS name: ASCII (A-labels for internationalized names), lowercase, without a
    /// trailing dot.
    Dns(DnsName),
    /// An IPv4 or IPv6 address, matched only against iPAddress SAN entries.
    Ip(IpAddr),
}

/// A validated DNS host name: LDH labels (underscores tolerated), 1 to 63 characters
/// each, at most 253 characters, stored lowercase without a trailing dot.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DnsName(String);

impl DnsName {
    /// Validate `name` as a reference DNS name. A single trailing dot is removed;
    /// uppercase ASCII is folded to lowercase; anything outside letters, digits, `-` and
    /// `_` (including `*` and non-ASCII: use A-labels) is refused, as is an all-numeric
    /// last label (which would be an IP address in disguise).
    pub fn new(name: &str) -> Result<Self, Error> {
        let name = name.strip_suffix('.').unwrap_or(name);
        if !is_hostname(name.as_bytes()) {
            return Err(Error::InvalidServerName);
        }
        let last = name.rsplit('.').next().unwrap_or(name);
        if last.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidServerName);
        }
        Ok(DnsName(name.to_ascii_lowercase()))
    }

    /// The name, lowercase, without a trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ServerName {
    /// Parse `name`: an IPv4 address in dotted-quad form, an IPv6 address (optionally in
    /// brackets), or a DNS name (see [`DnsName::new`]).
    pub fn new(name: &str) -> Result<Self, Error> {
        let unbracketed = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        if let Ok(ip) = unbracketed.parse::<IpAddr>() {
            return Ok(ServerName::Ip(ip));
        }
        DnsName::new(name).map(ServerName::Dns)
    }
}

impl TryFrom<&str> for ServerName {
    type Error = Error;

    fn try_from(name: &str) -> Result<Self, Error> {
        ServerName::new(name)
    }
}

impl From<IpAddr> for ServerName {
    fn from(ip: IpAddr) -> Self {
        ServerName::Ip(ip)
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerName::Dns(d) => d.fmt(f),
            ServerName::Ip(ip) => ip.fmt(f),
        }
    }
}

/// Whether `label` is an LDH label (underscore tolerated: it occurs in real host names).
fn is_label(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && label[0] != b'-'
        && label[label.len() - 1] != b'-'
}

/// Whether `name` (without trailing dot) is a syntactically valid host name.
pub(crate) fn is_hostname(name: &[u8]) -> bool {
    !name.is_empty() && name.len() <= MAX_NAME_LEN && name.split(|&b| b == b'.').all(is_label)
}

/// Whether the presented dNSName `presented` (from a certificate) matches `reference`
/// (RFC 6125 §6.4.1 and §6.4.3, restricted by the CA/B Forum wildcard definition).
pub(crate) fn dns_name_matches(presented: &[u8], reference: &DnsName) -> bool {
    let presented = presented.strip_suffix(b".").unwrap_or(presented);
    let reference = reference.0.as_bytes();
    if let Some(rest) = presented.strip_prefix(b"*.") {
        // The wildcard must be the whole left-most label, followed by at least two
        // labels ("*.com" is refused: it would span a whole top-level domain).
        if !is_hostname(rest) || !rest.contains(&b'.') {
            return false;
        }
        // It matches exactly one non-empty left-most label of the reference.
        let Some(dot) = reference.iter().position(|&b| b == b'.') else {
            return false;
        };
        dot > 0 && reference[dot + 1..].eq_ignore_ascii_case(rest)
    } else {
        // Anything else containing `*` (partial-label wildcards such as `f*.example.com`,
        // wildcards in other labels, `xn--*`) never matches: the reference name cannot
        // contain `*`, and is_hostname refuses it.
        is_hostname(presented) && presented.eq_ignore_ascii_case(reference)
    }
}

/// Whether an iPAddress SAN entry (4 or 16 octets) is `ip` (RFC 5280 §4.2.1.6).
pub(crate) fn ip_matches(presented: &[u8], ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => presented == v4.octets(),
        IpAddr::V6(v6) => presented == v6.octets(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn dns(s: &str) -> DnsName {
        DnsName::new(s).unwrap()
    }

    #[test]
    fn reference_names() {
        let ok = [
            ("example.com", "example.com"),
            ("Example.COM", "example.com"),
            ("example.com.", "example.com"),
            ("localhost", "localhost"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("a_b.example.com", "a_b.example.com"),
            ("1.example.com", "1.example.com"),
        ];
        for (input, want) in ok {
            assert_eq!(DnsName::new(input).unwrap().as_str(), want, "{input}");
        }
        let long_label = "a".repeat(64);
        let long_name = ["a".repeat(63).as_str(); 4].join(".") + ".com";
        let bad = [
            "",
            ".",
            "example..com",
            ".example.com",
            "example.com..",
            "*.example.com",
            "exa mple.com",
            "-example.com",
            "example-.com",
            "bücher.example",
            "1.2.3",
            "example.123",
            long_label.as_str(),
            long_name.as_str(),
        ];
        for input in bad {
            assert_eq!(
                DnsName::new(input),
                Err(Error::InvalidServerName),
                "{input:?}"
            );
        }
    }

    #[test]
    fn server_names() {
        assert_eq!(
            ServerName::new("127.0.0.1").unwrap(),
            ServerName::Ip("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            ServerName::new("[::1]").unwrap(),
            ServerName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            ServerName::new("::1").unwrap(),
            ServerName::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            ServerName::try_from("LocalHost.").unwrap(),
            ServerName::Dns(dns("localhost"))
        );
        assert!(ServerName::new("256.1.1.1").is_err());
        assert_eq!(
            ServerName::new("localhost").unwrap().to_string(),
            "localhost"
        );
    }

    #[test]
    fn dns_matching_table() {
        // (presented in the certificate, reference name, matches)
        let table = [
            ("example.com", "example.com", true),
            ("EXAMPLE.com", "example.COM", true),
            ("example.com.", "example.com", true),
            ("example.com", "example.com.", true),
            ("example.com", "www.example.com", false),
            ("www.example.com", "example.com", false),
            ("abc.example.com", "def.example.com", false),
            ("example.com", "example2.com", false),
            ("*.example.com", "foo.example.com", true),
            ("*.example.com", "FOO.Example.Com", true),
            ("*.example.com.", "foo.example.com", true),
            ("*.example.com", "example.com", false),
            ("*.example.com", "foo.bar.example.com", false),
            ("*.example.com", "xn--bcher-kva.example.com", true),
            ("*.com", "example.com", false),
            ("*", "example", false),
            ("*.", "example", false),
            ("f*.example.com", "foo.example.com", false),
            ("*o.example.com", "foo.example.com", false),
            ("ba*.example.com", "baz.example.com", false),
            ("foo.*.example.com", "foo.bar.example.com", false),
            ("*.*.example.com", "a.b.example.com", false),
            ("**.example.com", "foo.example.com", false),
            (
                "xn--*-1b3c148a.example.com",
                "xn--bliss-1b3c148a.example.com",
                false,
            ),
            ("*.example..com", "a.example.com", false),
            ("", "example.com", false),
            (".example.com", "a.example.com", false),
            ("example.com ", "example.com", false),
        ];
        for (presented, reference, want) in table {
            let Ok(r) = DnsName::new(reference) else {
                panic!("bad reference {reference}");
            };
            assert_eq!(
                dns_name_matches(presented.as_bytes(), &r),
                want,
                "{presented} vs {reference}"
            );
        }
        // Non-ASCII bytes in a presented name never match.
        assert!(!dns_name_matches(
            "😜.example.com".as_bytes(),
            &dns("xn--628h.example.com")
        ));
    }

    #[test]
    fn ip_matching_table() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(ip_matches(&[127, 0, 0, 1], &v4));
        assert!(!ip_matches(&[127, 0, 0, 2], &v4));
        assert!(!ip_matches(&[127, 0, 0, 1, 0], &v4));
        let mut one = [0u8; 16];
        one[15] = 1;
        assert!(ip_matches(&one, &v6));
        assert!(!ip_matches(&one, &v4));
        assert!(!ip_matches(&[127, 0, 0, 1], &mapped));
    }
}
