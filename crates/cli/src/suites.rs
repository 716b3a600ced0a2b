//! Cipher suite names: the IANA names (`TLS_RSA_WITH_AES_128_CBC_SHA256`) and the
//! OpenSSL names (`AES128-SHA256`) of the suites sanstls implements.

use std::fmt::Write as _;

use sanstls_proto::Negotiated;
use sanstls_wire::enums::{CipherSuite, KeyExchange, NamedGroup};

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
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        "ECDHE-ECDSA-AES128-CCM",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
    ),
    (
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        "ECDHE-ECDSA-AES128-CCM8",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
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
    (
        "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        "ECDHE-PSK-CHACHA20-POLY1305",
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
        "ECDHE-PSK-AES128-CBC-SHA256",
        CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
    ),
    (
        "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
        "DHE-PSK-AES128-CBC-SHA256",
        CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
    ),
    (
        "TLS_PSK_WITH_AES_128_GCM_SHA256",
        "PSK-AES128-GCM-SHA256",
        CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
    ),
    (
        "TLS_PSK_WITH_AES_256_GCM_SHA384",
        "PSK-AES256-GCM-SHA384",
        CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
    ),
    (
        "TLS_PSK_WITH_AES_128_CCM",
        "PSK-AES128-CCM",
        CipherSuite::TLS_PSK_WITH_AES_128_CCM,
    ),
    (
        "TLS_PSK_WITH_AES_128_CCM_8",
        "PSK-AES128-CCM8",
        CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
    ),
    (
        "TLS_PSK_WITH_AES_128_CBC_SHA256",
        "PSK-AES128-CBC-SHA256",
        CipherSuite::TLS_PSK_WITH_AES_128_CBC_SHA256,
    ),
];

/// Whether a suite is in the library's default list: not the CCM_8 suites (named
/// only), and the PSK suites only with a PSK (see `with_psk`).
fn by_default(suite: CipherSuite) -> bool {
    !is_ccm8(suite) && !suite.key_exchange().is_some_and(KeyExchange::is_psk)
}

/// The library's default suites (certificate suites, without CCM_8), in its order of
/// preference.
pub(crate) fn all() -> Vec<CipherSuite> {
    NAMES
        .iter()
        .map(|&(_, _, s)| s)
        .filter(|&s| by_default(s))
        .collect()
}

/// The pre-shared-key suites offered by default with a PSK (without CCM_8), in the
/// library's order of preference.
#[cfg(test)]
pub(crate) fn with_psk() -> Vec<CipherSuite> {
    NAMES
        .iter()
        .map(|&(_, _, s)| s)
        .filter(|&s| !is_ccm8(s) && s.key_exchange().is_some_and(KeyExchange::is_psk))
        .collect()
}

/// The suites of one key exchange, in preference order (CCM_8 left out, as by default).
pub(crate) fn with_key_exchange(kx: KeyExchange) -> Vec<CipherSuite> {
    NAMES
        .iter()
        .map(|&(_, _, s)| s)
        .filter(|&s| s.key_exchange() == Some(kx) && !is_ccm8(s))
        .collect()
}

/// Whether a suite's AEAD is AES-CCM with the short 8-byte tag (RFC 6655 §3).
pub(crate) fn is_ccm8(suite: CipherSuite) -> bool {
    suite.name().is_some_and(|n| n.ends_with("_CCM_8"))
}

/// Whether a suite's AEAD is AES-CCM (16- or 8-byte tag: RFC 6655, RFC 7251).
pub(crate) fn is_ccm(suite: CipherSuite) -> bool {
    suite
        .name()
        .is_some_and(|n| n.ends_with("_CCM") || n.ends_with("_CCM_8"))
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

/// Whether a suite protects records with an AEAD cipher (AES-GCM, AES-CCM,
/// ChaCha20-Poly1305: RFC 5246 §6.2.3.3) rather than CBC and HMAC.
pub(crate) fn is_aead(suite: CipherSuite) -> bool {
    is_ccm(suite)
        || suite
            .name()
            .is_some_and(|n| n.contains("_GCM_") || n.contains("_CHACHA20_POLY1305_"))
}

/// Whether a suite's AEAD is ChaCha20-Poly1305 (RFC 7905: no explicit nonce).
pub(crate) fn is_chacha(suite: CipherSuite) -> bool {
    suite
        .name()
        .is_some_and(|n| n.contains("_CHACHA20_POLY1305_"))
}

/// The ECDHE groups sanstls implements: the name the CLI prints, the names it
/// accepts (lower case), the code point.
const GROUPS: &[(&str, &[&str], NamedGroup)] = &[
    ("x25519", &["x25519"], NamedGroup::X25519),
    (
        "secp256r1",
        &["secp256r1", "p-256", "p256", "prime256v1"],
        NamedGroup::SECP256R1,
    ),
    (
        "secp384r1",
        &["secp384r1", "p-384", "p384"],
        NamedGroup::SECP384R1,
    ),
];

/// Looks an ECDHE group up by name, ignoring case: `x25519`, `secp256r1` (`P-256`,
/// `prime256v1`), `secp384r1` (`P-384`). The error is a message listing the valid
/// names.
pub(crate) fn parse_group(name: &str) -> Result<NamedGroup, String> {
    let n = name.trim().to_ascii_lowercase();
    GROUPS
        .iter()
        .find(|(_, names, _)| names.contains(&n.as_str()))
        .map(|&(_, _, g)| g)
        .ok_or_else(|| {
            let mut msg = format!(
                "unknown ECDHE group '{name}'. sanstls implements these groups (any case):\n"
            );
            msg.push_str("  x25519\n");
            msg.push_str("  secp256r1  (also P-256, prime256v1)\n");
            msg.push_str("  secp384r1  (also P-384)\n");
            msg
        })
}

/// Parses repeatable, comma-separated `--groups` values (in preference order, without
/// duplicates).
pub(crate) fn parse_groups(values: &[String]) -> Result<Vec<NamedGroup>, String> {
    let mut out = Vec::new();
    for v in values {
        for part in v.split(',').filter(|p| !p.trim().is_empty()) {
            let g = parse_group(part)?;
            if !out.contains(&g) {
                out.push(g);
            }
        }
    }
    Ok(out)
}

/// The name of an ECDHE group as the CLI prints it (`x25519`, `secp256r1`).
pub(crate) fn group_name(group: NamedGroup) -> String {
    GROUPS.iter().find(|&&(_, _, g)| g == group).map_or_else(
        || {
            group
                .name()
                .map_or_else(|| format!("group {}", group.0), str::to_ascii_lowercase)
        },
        |&(n, _, _)| n.to_string(),
    )
}

/// The key exchange of a session in a few words: "ECDHE x25519, signed with ECDSA",
/// "DHE 2048 bits, signed with RSA", "RSA key transport (no forward secrecy)"; for a
/// resumed session, that none took place.
pub(crate) fn key_exchange_text(n: &Negotiated) -> String {
    if n.resumed {
        return "none (resumed: the session's master secret is used again)".to_string();
    }
    match n.suite.key_exchange() {
        Some(KeyExchange::Rsa) => "RSA key transport (no forward secrecy)".to_string(),
        Some(KeyExchange::DheRsa) => match n.dh_bits {
            Some(bits) => format!("DHE {bits} bits, signed with RSA"),
            None => "DHE, signed with RSA".to_string(),
        },
        Some(kx @ (KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa)) => {
            let group = n.ec_group.map_or_else(|| "?".to_string(), group_name);
            let sig = if kx.is_ecdsa() { "ECDSA" } else { "RSA" };
            format!("ECDHE {group}, signed with {sig}")
        }
        Some(KeyExchange::Psk) => "pre-shared key (no forward secrecy)".to_string(),
        Some(KeyExchange::DhePsk) => match n.dh_bits {
            Some(bits) => format!("DHE {bits} bits, with a pre-shared key"),
            None => "DHE, with a pre-shared key".to_string(),
        },
        Some(KeyExchange::EcdhePsk) => {
            let group = n.ec_group.map_or_else(|| "?".to_string(), group_name);
            format!("ECDHE {group}, with a pre-shared key")
        }
        None => "(unknown)".to_string(),
    }
}

/// The encrypt-then-MAC state in a word: "yes", "no", or "not applicable (AEAD)" for
/// an AEAD suite (RFC 7366 §3: the extension concerns block ciphers only).
pub(crate) fn etm_text(n: &Negotiated) -> &'static str {
    if is_aead(n.suite) {
        "not applicable (AEAD)"
    } else if n.encrypt_then_mac {
        "yes"
    } else {
        "no"
    }
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
        for (name, suite) in [
            ("PSK-AES128-CCM8", CipherSuite::TLS_PSK_WITH_AES_128_CCM_8),
            (
                "psk_with_aes_128_ccm_8",
                CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
            ),
            ("PSK-AES128-CCM", CipherSuite::TLS_PSK_WITH_AES_128_CCM),
            (
                "PSK-AES128-CBC-SHA256",
                CipherSuite::TLS_PSK_WITH_AES_128_CBC_SHA256,
            ),
            (
                "PSK-AES128-GCM-SHA256",
                CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
            ),
            (
                "TLS_PSK_WITH_AES_256_GCM_SHA384",
                CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
            ),
            (
                "ECDHE-PSK-CHACHA20-POLY1305",
                CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
            ),
            (
                "ECDHE-PSK-AES128-CBC-SHA256",
                CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
            ),
            (
                "DHE-PSK-AES128-CBC-SHA256",
                CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
            ),
            (
                "ECDHE-ECDSA-AES128-CCM",
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
            ),
            (
                "ECDHE-ECDSA-AES128-CCM8",
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            ),
        ] {
            assert_eq!(parse(name), Ok(suite), "{name}");
            // Each name maps back to the OpenSSL name it was given (or the IANA one).
            assert!(
                openssl_name(suite).is_some_and(|o| o.eq_ignore_ascii_case(name))
                    || iana_name(suite).eq_ignore_ascii_case(name)
                    || iana_name(suite).eq_ignore_ascii_case(&format!("TLS_{name}")),
                "{name}"
            );
        }
        assert!(is_aead(CipherSuite::TLS_PSK_WITH_AES_128_CCM_8));
        assert!(is_ccm8(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8));
        assert!(!is_ccm8(CipherSuite::TLS_PSK_WITH_AES_128_CCM));
        assert!(!is_aead(CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256));
        let err = parse("ECDHE-RSA-DES-CBC3-SHA").unwrap_err();
        assert!(err.contains("ECDHE-RSA-DES-CBC3-SHA"));
        assert!(err.contains("DHE-RSA-AES128-SHA256"));
        assert!(err.contains("ECDHE-ECDSA-AES256-GCM-SHA384"));
    }

    #[test]
    fn group_names() {
        assert_eq!(parse_group("X25519"), Ok(NamedGroup::X25519));
        assert_eq!(parse_group("p-256"), Ok(NamedGroup::SECP256R1));
        assert_eq!(parse_group("prime256v1"), Ok(NamedGroup::SECP256R1));
        assert_eq!(parse_group("P-384"), Ok(NamedGroup::SECP384R1));
        let err = parse_group("secp521r1").unwrap_err();
        assert!(
            err.contains("'secp521r1'") && err.contains("x25519"),
            "{err}"
        );
        assert_eq!(
            parse_groups(&["secp384r1,x25519".into(), "P-384".into()]).unwrap(),
            [NamedGroup::SECP384R1, NamedGroup::X25519]
        );
        assert_eq!(group_name(NamedGroup::SECP256R1), "secp256r1");
        assert!(is_aead(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
        assert!(is_aead(
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        ));
        assert!(!is_aead(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
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
        assert_eq!(with_key_exchange(KeyExchange::EcdheEcdsa).len(), 8);
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
        // With a PSK the library adds the PSK suites, last; with a PSK alone, only them.
        let psk = sanstls_proto::Psk::new("id", [1u8; 16]).unwrap();
        let both = sanstls_proto::ClientConfig::builder()
            .trust_anchors(
                sanstls_proto::TrustAnchors::from_pem_bundle(include_str!(
                    "../../../testdata/ca-root.cert.pem"
                ))
                .unwrap(),
            )
            .psk(psk.clone())
            .build()
            .unwrap();
        assert_eq!([all(), with_psk()].concat(), both.common().suites());
        let only = sanstls_proto::ClientConfig::builder()
            .psk(psk)
            .build()
            .unwrap();
        assert_eq!(with_psk(), only.common().suites());
        assert_eq!(with_psk().len(), 7);
    }
}
