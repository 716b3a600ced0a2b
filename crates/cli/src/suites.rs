//! Cipher suite names: the IANA names (`TLS_RSA_WITH_AES_128_CBC_SHA256`) and the
//! OpenSSL names (`AES128-SHA256`) of the suites sanstls implements.

use std::fmt::Write as _;

use sanstls_wire::enums::{CipherSuite, KeyExchange};

/// IANA name, OpenSSL name, code point, in the library's default order of preference.
const NAMES: &[(&str, &str, CipherSuite)] = &[
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-RSA-CHACHA20-POLY1305",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-RSA-AES128-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-ECDSA-AES256-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-RSA-AES256-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "ECDHE-ECDSA-AES128-SHA",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "ECDHE-RSA-AES128-SHA",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "ECDHE-ECDSA-AES256-SHA",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    ),
    (
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "ECDHE-RSA-AES256-SHA",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    ),
    (
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "DHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "DHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        "DHE-RSA-AES128-SHA256",
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
    ),
    (
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        "DHE-RSA-AES256-SHA256",
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
    ),
    (
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        "DHE-RSA-AES128-SHA",
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
    ),
    (
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        "DHE-RSA-AES256-SHA",
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    ),
    (
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "AES128-GCM-SHA256",
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "AES256-GCM-SHA384",
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "AES128-SHA256",
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
    ),
    (
        "TLS_RSA_WITH_AES_256_CBC_SHA256",
        "AES256-SHA256",
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
    ),
    (
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "AES128-SHA",
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
    ),
    (
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "AES256-SHA",
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
    ),
];

/// Every suite sanstls implements, in its default order of preference.
pub(crate) fn all() -> Vec<CipherSuite> {
    NAMES.iter().map(|&(_, _, s)| s).collect()
}

/// The suites of one key exchange, in preference order.
pub(crate) fn with_key_exchange(kx: KeyExchange) -> Vec<CipherSuite> {
    NAMES
        .iter()
        .map(|&(_, _, s)| s)
        .filter(|s| s.key_exchange() == Some(kx))
        .collect()
}

/// Looks a suite up by its IANA name (with or without the `TLS_` prefix) or its
/// OpenSSL name, ignoring case. The error is a message listing the valid names.
pub(crate) fn parse(name: &str) -> Result<CipherSuite, String> {
    let n = name.trim();
    let with_prefix = if n.len() >= 4 && n[..4].eq_ignore_ascii_case("TLS_") {
        n.to_string()
    } else {
        format!("TLS_{n}")
    };
    NAMES
        .iter()
        .find(|(iana, openssl, _)| {
            iana.eq_ignore_ascii_case(&with_prefix) || openssl.eq_ignore_ascii_case(n)
        })
        .map(|&(_, _, s)| s)
        .ok_or_else(|| {
            let mut msg = format!(
                "unknown cipher suite '{name}'. sanstls implements these suites \
                 (IANA name, or the OpenSSL name):\n"
            );
            for (iana, openssl, _) in NAMES {
                let _ = writeln!(msg, "  {iana:<38} {openssl}");
            }
            msg
        })
}

/// Parses repeatable, comma-separated `--suite` values.
pub(crate) fn parse_list(values: &[String]) -> Result<Vec<CipherSuite>, String> {
    let mut out = Vec::new();
    for v in values {
        for part in v.split(',').filter(|p| !p.trim().is_empty()) {
            let s = parse(part)?;
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// The IANA name of a suite (its hex code point for one without a name).
pub(crate) fn iana_name(suite: CipherSuite) -> String {
    match suite.name() {
        Some(n) => n.to_string(),
        None => format!("{suite:?}"),
    }
}

/// The OpenSSL name of an implemented suite.
pub(crate) fn openssl_name(suite: CipherSuite) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|&&(_, _, s)| s == suite)
        .map(|&(_, o, _)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_both_styles_and_any_case() {
        assert_eq!(
            parse("AES128-SHA256"),
            Ok(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256)
        );
        assert_eq!(
            parse("dhe-rsa-aes256-sha"),
            Ok(CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA)
        );
        assert_eq!(
            parse("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
            Ok(CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256)
        );
        assert_eq!(
            parse("rsa_with_aes_256_cbc_sha256"),
            Ok(CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256)
        );
        assert_eq!(
            parse("ECDHE-RSA-AES128-GCM-SHA256"),
            Ok(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
        );
        assert_eq!(
            parse("ecdhe-ecdsa-chacha20-poly1305"),
            Ok(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
        );
        let err = parse("ECDHE-RSA-DES-CBC3-SHA").unwrap_err();
        assert!(err.contains("ECDHE-RSA-DES-CBC3-SHA"));
        assert!(err.contains("DHE-RSA-AES128-SHA256"));
        assert!(err.contains("ECDHE-ECDSA-AES256-GCM-SHA384"));
    }

    #[test]
    fn lists_split_on_commas_without_duplicates() {
        let l = parse_list(&["AES128-SHA,AES256-SHA".into(), "aes128-sha".into()]).unwrap();
        assert_eq!(
            l,
            [
                CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA
            ]
        );
        assert_eq!(with_key_exchange(KeyExchange::Rsa).len(), 6);
        assert_eq!(with_key_exchange(KeyExchange::EcdheEcdsa).len(), 7);
        // The same suites, in the same order, as the library's default.
        let anchors = sanstls_proto::TrustAnchors::from_pem_bundle(include_str!(
            "../../../testdata/ca-root.cert.pem"
        ))
        .unwrap();
        let config = sanstls_proto::ClientConfig::builder()
            .trust_anchors(anchors)
            .build()
            .unwrap();
        assert_eq!(all(), config.common().suites());
    }
}
