//! What a person wants to know about a certificate: subject, issuer, validity, names,
//! key.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use der::{DateTime, Decode};
use sanstls_pki::UnixTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// The readable fields of one certificate.
#[derive(Clone, Debug)]
pub(crate) struct CertSummary {
    /// The subject, as an RFC 4514 string.
    pub subject: String,
    /// The issuer, as an RFC 4514 string.
    pub issuer: String,
    /// Start of validity (Unix seconds).
    pub not_before: u64,
    /// End of validity (Unix seconds).
    pub not_after: u64,
    /// DNS names and IP addresses of subjectAltName, in certificate order.
    pub names: Vec<String>,
    /// The subject public key: "RSA 2048 bits", "EC P-256 (secp256r1)", or its
    /// algorithm OID and why sanstls cannot use it.
    pub key: String,
}

impl CertSummary {
    /// Parses one DER certificate; `None` if it does not decode.
    pub(crate) fn parse(der: &[u8]) -> Option<Self> {
        let cert = Certificate::from_der(der).ok()?;
        let tbs = cert.tbs_certificate();
        let validity = tbs.validity();
        let mut names = Vec::new();
        if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
            for n in san.0 {
                match n {
                    GeneralName::DnsName(d) => names.push(d.to_string()),
                    GeneralName::IpAddress(ip) => names.push(ip_string(ip.as_bytes())),
                    _ => {}
                }
            }
        }
        Some(CertSummary {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
            names,
            key: key_string(der, &tbs.subject_public_key_info().algorithm.oid),
        })
    }

    /// The names joined for a sentence ("localhost, *.example.test, 127.0.0.1"), or a
    /// note that there are none.
    pub(crate) fn names_list(&self) -> String {
        if self.names.is_empty() {
            "(no subjectAltName: no host name at all)".to_string()
        } else {
            self.names.join(", ")
        }
    }

    /// Multi-line description, each line starting with `indent`.
    pub(crate) fn describe(&self, indent: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{indent}subject:  {}", self.subject);
        let _ = writeln!(s, "{indent}issuer:   {}", self.issuer);
        let _ = writeln!(
            s,
            "{indent}valid:    {} to {}",
            date(self.not_before),
            date(self.not_after)
        );
        let _ = writeln!(s, "{indent}names:    {}", self.names_list());
        let _ = writeln!(s, "{indent}key:      {}", self.key);
        s
    }
}

/// The certificate's key as sanstls-pki sees it, or its algorithm OID and the reason.
fn key_string(der: &[u8], algorithm: &der::asn1::ObjectIdentifier) -> String {
    use sanstls_crypto::ecdsa::EcdsaCurve;
    let path = match sanstls_pki::VerifiedPath::from_trusted_end_entity(der) {
        Ok(p) => p,
        Err(e) => return format!("{algorithm} ({e})"),
    };
    let key = path.public_key();
    if let Some(rsa) = key.as_rsa() {
        format!("RSA {} bits", rsa.modulus_bits())
    } else if let Some(ec) = key.as_ecdsa() {
        match ec.curve() {
            EcdsaCurve::P256 => "EC P-256 (secp256r1)".to_string(),
            EcdsaCurve::P384 => "EC P-384 (secp384r1)".to_string(),
            other => format!("EC {other:?}"),
        }
    } else {
        algorithm.to_string()
    }
}

/// Every certificate of a chain, parsed (unparsable ones are skipped).
pub(crate) fn chain(ders: &[Vec<u8>]) -> Vec<CertSummary> {
    ders.iter().filter_map(|d| CertSummary::parse(d)).collect()
}

/// Unix seconds as `2025-01-01 00:00:00 UTC`.
pub(crate) fn date(secs: u64) -> String {
    match DateTime::from_unix_duration(Duration::from_secs(secs)) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minutes(),
            d.seconds()
        ),
        Err(_) => format!("{secs} (Unix seconds)"),
    }
}

/// The current time in the form `date` prints.
pub(crate) fn now_string(now: UnixTime) -> String {
    date(now.as_secs())
}

fn ip_string(b: &[u8]) -> String {
    match b.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(b).expect("length checked")).to_string(),
        16 => IpAddr::from(<[u8; 16]>::try_from(b).expect("length checked")).to_string(),
        _ => format!(
            "(IP address of {})",
            crate::trace::count(b.len(), "byte", "bytes")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata(name: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata")
            .join(name);
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn server_leaf_fields() {
        let der = sanstls_pki::pem_to_der_certs(&testdata("server-rsa2048.cert.pem")).unwrap();
        let s = CertSummary::parse(&der[0]).unwrap();
        assert!(s.names.contains(&"localhost".to_string()), "{s:?}");
        assert!(s.names.contains(&"127.0.0.1".to_string()), "{s:?}");
        assert!(s.names.contains(&"*.example.test".to_string()), "{s:?}");
        assert_eq!(date(s.not_before), "2025-01-01 00:00:00 UTC");
        assert!(s.issuer.contains("CN="), "{s:?}");
        assert_eq!(s.key, "RSA 2048 bits");
        assert!(s.describe("").contains("key:      RSA 2048 bits\n"));
    }

    #[test]
    fn ec_keys_name_their_curve() {
        for (file, want) in [
            ("server-ecdsa-p256.cert.pem", "EC P-256 (secp256r1)"),
            ("server-ecdsa-p384.cert.pem", "EC P-384 (secp384r1)"),
        ] {
            let der = sanstls_pki::pem_to_der_certs(&testdata(file)).unwrap();
            assert_eq!(CertSummary::parse(&der[0]).unwrap().key, want);
        }
    }

    #[test]
    fn garbage_is_none() {
        assert!(CertSummary::parse(b"\x30\x03\x02\x01\x00").is_none());
        assert!(CertSummary::parse(&[]).is_none());
    }
}
