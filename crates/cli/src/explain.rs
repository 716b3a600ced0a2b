//! Turning a failed handshake into a sentence that says what failed and what to try.

use sanstls_pki::UnixTime;
use sanstls_proto::{Error, PeerIncompatible};
use sanstls_wire::enums::AlertDescription;

use crate::certinfo::{self, CertSummary};
use crate::trace::alert_name;

/// Explains a client-side failure. `chain` is what the server sent
/// (`Connection::peer_certificates`), `asked` the name the client checked.
pub(crate) fn client_error(e: &Error, chain: &[Vec<u8>], asked: &str, now: UnixTime) -> String {
    let certs = certinfo::chain(chain);
    let leaf = certs.first();
    match e {
        Error::Certificate(pe) => certificate(pe, &certs, asked, now, Role::Server),
        Error::AlertReceived(a) => client_alert(*a),
        Error::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCommonCipherSuite => {
                "no cipher suite in common with the server. Try another --suite \
                 (sanstls implements AES-CBC suites with RSA or DHE_RSA key exchange)."
                    .to_string()
            }
            PeerIncompatible::DhGroupTooSmall { bits } => format!(
                "the server's Diffie-Hellman group has only {bits} bits; sanstls requires at \
                 least 2048. Ask the server operator for a larger group, or try an RSA suite \
                 (--suite AES128-SHA256)."
            ),
            PeerIncompatible::ServerVersionNotTls12(v) => {
                format!("the server chose protocol version {v:?}; sanstls speaks TLS 1.2 only.")
            }
            PeerIncompatible::NoCommonAlpnProtocol => {
                "the server accepts none of the --alpn protocols offered.".to_string()
            }
            PeerIncompatible::SecureRenegotiationRequired => {
                "the server does not support secure renegotiation (RFC 5746), which sanstls \
                 requires; the server is outdated."
                    .to_string()
            }
            other => format!("the server is incompatible: {other:?}."),
        },
        Error::CertificateKeyUsage => format!(
            "the server's certificate{} may not be used for the negotiated key exchange (its \
             keyUsage forbids it). Try the other key exchange with --suite.",
            leaf.map(|l| format!(" ({})", l.subject))
                .unwrap_or_default()
        ),
        Error::InvalidMessage(d) => format!(
            "the server sent something that is not valid TLS ({d}). Is this port really a \
             TLS server (not plain HTTP, not another protocol)?"
        ),
        // The caller says "handshake failed: " already.
        other => sentence(other.to_string()),
    }
}

/// Explains a server-side failure with one client (for the server's log).
pub(crate) fn server_error(e: &Error, chain: &[Vec<u8>], now: UnixTime) -> String {
    let certs = certinfo::chain(chain);
    match e {
        Error::Certificate(pe) => certificate(pe, &certs, "", now, Role::Client),
        Error::AlertReceived(a) => match *a {
            AlertDescription::UNKNOWN_CA | AlertDescription::BAD_CERTIFICATE => format!(
                "the client refused this server's certificate (alert {}): it does not trust \
                 the issuing CA or the certificate does not fit the name it asked for",
                alert_name(*a)
            ),
            AlertDescription::CERTIFICATE_EXPIRED => {
                "the client says this server's certificate is expired (alert certificate_expired)"
                    .to_string()
            }
            a => format!("the client sent alert {}", alert_name(a)),
        },
        Error::PeerIncompatible(PeerIncompatible::ClientCertificateRequired) => {
            "the client sent no certificate, and --require-client-cert demands one".to_string()
        }
        Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite) => {
            "no cipher suite in common with the client (see --suite)".to_string()
        }
        other => format!("{other}"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Server,
    Client,
}

fn certificate(
    e: &sanstls_pki::Error,
    certs: &[CertSummary],
    asked: &str,
    now: UnixTime,
    whose: Role,
) -> String {
    use sanstls_pki::Error as P;
    let who = if whose == Role::Server {
        "server"
    } else {
        "client"
    };
    let leaf = certs.first();
    let subject = leaf
        .map(|l| format!(" ({})", l.subject))
        .unwrap_or_default();
    let now_s = certinfo::now_string(now);
    match e {
        P::Expired => {
            let expired = certs
                .iter()
                .enumerate()
                .find(|(_, c)| c.not_after < now.as_secs());
            match expired {
                Some((i, c)) => format!(
                    "the {who}'s {} certificate expired at {} (now {now_s}); subject {}. \
                     The {who} must renew it{}.",
                    if i == 0 { "leaf" } else { "intermediate CA" },
                    certinfo::date(c.not_after),
                    c.subject,
                    if whose == Role::Server {
                        " (or check this machine's clock)"
                    } else {
                        ""
                    }
                ),
                None => format!(
                    "a certificate on the {who}'s path (possibly the trusted root) has \
                     expired (now {now_s})."
                ),
            }
        }
        P::NotYetValid => {
            let early = certs.iter().find(|c| c.not_before > now.as_secs());
            match early {
                Some(c) => format!(
                    "the {who}'s certificate {} is not valid before {} (now {now_s}). Check \
                     this machine's clock.",
                    c.subject,
                    certinfo::date(c.not_before)
                ),
                None => format!(
                    "a certificate on the {who}'s path is not yet valid (now {now_s}). Check \
                     this machine's clock."
                ),
            }
        }
        P::NameMismatch => format!(
            "name mismatch: you asked for {asked}, the certificate is for {} — try \
             --servername with one of those names.",
            leaf.map_or_else(|| "(unreadable)".to_string(), CertSummary::names_list)
        ),
        P::UnknownIssuer => {
            let issuer = certs
                .last()
                .map_or_else(|| "(unreadable)".to_string(), |c| c.issuer.clone());
            if whose == Role::Server {
                format!(
                    "unknown issuer: the {who}'s chain does not lead to a trusted root (the \
                     last certificate it sent was issued by {issuer}) — pass --cafile with \
                     that CA's certificate (PEM), or --no-verify to connect without \
                     authentication."
                )
            } else {
                format!(
                    "unknown issuer: the client's certificate{subject} does not lead to a \
                     root in --client-ca (issued by {issuer})."
                )
            }
        }
        P::InvalidExtendedKeyUsage => format!(
            "the {who}'s certificate{subject} is not allowed for TLS {who} authentication \
             (its extendedKeyUsage lacks {}).",
            if whose == Role::Server {
                "serverAuth"
            } else {
                "clientAuth"
            }
        ),
        other => sentence(format!(
            "the {who}'s certificate{subject} was refused: {other}"
        )),
    }
}

/// `s` ending with a full stop (unless it ends with one, or with `?` or `!`, already).
fn sentence(mut s: String) -> String {
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

fn client_alert(a: AlertDescription) -> String {
    let name = alert_name(a);
    match a {
        AlertDescription::HANDSHAKE_FAILURE => format!(
            "the server sent alert {name}: no cipher suite in common? Try --suite \
             (e.g. --suite AES128-SHA256 or --suite DHE-RSA-AES128-SHA256). If the server \
             requires a client certificate, pass --cert and --key."
        ),
        AlertDescription::CERTIFICATE_REQUIRED
        | AlertDescription::BAD_CERTIFICATE
        | AlertDescription::UNKNOWN_CA
        | AlertDescription::UNSUPPORTED_CERTIFICATE
        | AlertDescription::CERTIFICATE_EXPIRED
        | AlertDescription::ACCESS_DENIED => format!(
            "the server sent alert {name}: it refused our client certificate (or wanted one). \
             Pass --cert and --key with a certificate the server trusts."
        ),
        AlertDescription::PROTOCOL_VERSION => {
            format!("the server sent alert {name}: it does not accept TLS 1.2.")
        }
        AlertDescription::NO_APPLICATION_PROTOCOL => format!(
            "the server sent alert {name}: none of the --alpn protocols is acceptable to it."
        ),
        AlertDescription::UNRECOGNIZED_NAME => format!(
            "the server sent alert {name}: it has no certificate for that name; try \
             --servername."
        ),
        AlertDescription::INSUFFICIENT_SECURITY => format!(
            "the server sent alert {name}: it considers our offer too weak (cipher suites or \
             Diffie-Hellman groups); try another --suite."
        ),
        _ => format!("the server sent alert {name}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(name: &str) -> Vec<Vec<u8>> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata")
            .join(name);
        sanstls_pki::pem_to_der_certs(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    const NOW: UnixTime = UnixTime::from_secs(1_800_000_000); // 2027-01-15

    #[test]
    fn expired_names_both_dates() {
        let e = Error::Certificate(sanstls_pki::Error::Expired);
        let m = client_error(&e, &chain("bad-expired.cert.pem"), "localhost", NOW);
        assert!(m.contains("expired at 2021-01-01"), "{m}");
        assert!(m.contains("now 2027-01-15"), "{m}");
    }

    #[test]
    fn name_mismatch_lists_the_names_and_the_flag() {
        let e = Error::Certificate(sanstls_pki::Error::NameMismatch);
        let m = client_error(&e, &chain("server-rsa2048.chain.pem"), "wrong.example", NOW);
        assert!(m.contains("you asked for wrong.example"), "{m}");
        assert!(m.contains("localhost"), "{m}");
        assert!(m.contains("127.0.0.1"), "{m}");
        assert!(m.contains("--servername"), "{m}");
    }

    #[test]
    fn unknown_issuer_names_the_issuer_and_cafile() {
        let e = Error::Certificate(sanstls_pki::Error::UnknownIssuer);
        let m = client_error(&e, &chain("server-rsa2048.chain.pem"), "localhost", NOW);
        assert!(m.contains("--cafile"), "{m}");
        assert!(m.contains("CN="), "{m}");
    }

    #[test]
    fn handshake_failure_suggests_suite() {
        let m = client_error(
            &Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE),
            &[],
            "x",
            NOW,
        );
        assert!(
            m.contains("handshake_failure") && m.contains("--suite"),
            "{m}"
        );
    }
}
