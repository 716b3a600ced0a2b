//! Turning a failed handshake into a sentence that says what failed and what to try.
//!
//! The client's explanations use what the client saw of the handshake ([`Seen`],
//! gathered from the connection's trace events): whether the server's ServerHello and
//! CertificateRequest came, whether a client certificate was sent, whether the
//! handshake had completed, whether the server asked to renegotiate. An alert means
//! different things at each of those points.

use sanstls_pki::UnixTime;
use sanstls_proto::{Direction, Error, Event, PeerIncompatible, TraceKind};
use sanstls_wire::enums::{AlertDescription, AlertLevel, HandshakeType, ProtocolVersion};

use crate::certinfo::{self, CertSummary};
use crate::trace::alert_name;

/// The length of a Certificate handshake message with an empty chain: the 4-byte
/// header and the 3-byte length of the empty list (RFC 5246 §7.4.6).
const EMPTY_CERTIFICATE_LEN: usize = 7;

/// What the client saw of its handshake, from trace events ([`Seen::observe`]).
// Independent observations, each a yes or no: no state machine hides in them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    /// The last complete handshake message received (during the handshake).
    pub last_received: Option<HandshakeType>,
    /// The server's ServerHello came: a suite was agreed.
    pub server_hello: bool,
    /// The server sent a CertificateRequest.
    pub cert_request: bool,
    /// Our Certificate message: `Some(true)` with a chain, `Some(false)` empty.
    pub cert_sent: Option<bool>,
    /// The handshake completed.
    pub completed: bool,
    /// After the handshake the server sent a HelloRequest (it asked to renegotiate).
    pub hello_request: bool,
    /// We answered a renegotiation request with a no_renegotiation warning.
    pub refused_renegotiation: bool,
}

impl Seen {
    /// Records what `ev` tells about the handshake (the connection's configuration must
    /// have `trace` on for handshake messages to show).
    pub(crate) fn observe(&mut self, ev: &Event) {
        match ev {
            Event::HandshakeComplete { .. } => self.completed = true,
            Event::Trace(t) => match (t.direction, t.kind) {
                (Direction::Received, TraceKind::Handshake(h)) => {
                    if self.completed {
                        if h == HandshakeType::HELLO_REQUEST {
                            self.hello_request = true;
                        }
                        return;
                    }
                    if h == HandshakeType::HELLO_REQUEST {
                        return;
                    }
                    self.last_received = Some(h);
                    match h {
                        HandshakeType::SERVER_HELLO => self.server_hello = true,
                        HandshakeType::CERTIFICATE_REQUEST => self.cert_request = true,
                        _ => {}
                    }
                }
                (Direction::Sent, TraceKind::Handshake(HandshakeType::CERTIFICATE)) => {
                    self.cert_sent = Some(t.length > EMPTY_CERTIFICATE_LEN);
                }
                (Direction::Sent, TraceKind::Alert(level, desc))
                    if level == AlertLevel::WARNING
                        && desc == AlertDescription::NO_RENEGOTIATION =>
                {
                    self.refused_renegotiation = true;
                }
                _ => {}
            },
            _ => {}
        }
    }
}

/// The client certificate the client was configured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnCert {
    /// No --cert/--key.
    None,
    /// A certificate whose keyUsage does not allow signing.
    CannotSign,
    /// A certificate that may sign.
    Usable,
}

/// Everything a client-side explanation uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClientView<'a> {
    /// What the server sent (`Connection::peer_certificates`).
    pub chain: &'a [Vec<u8>],
    /// The name the client checked.
    pub asked: &'a str,
    /// The time of the check.
    pub now: UnixTime,
    /// What the client saw of the handshake.
    pub seen: Seen,
    /// The configured client certificate.
    pub own_cert: OwnCert,
}

impl<'a> ClientView<'a> {
    /// A view with nothing seen and no client certificate (the demo's).
    pub(crate) fn new(chain: &'a [Vec<u8>], asked: &'a str, now: UnixTime) -> Self {
        ClientView {
            chain,
            asked,
            now,
            seen: Seen::default(),
            own_cert: OwnCert::None,
        }
    }
}

/// A protocol version as people write it: "TLS 1.1", "SSL 3.0" (sanstls-wire's Display).
pub(crate) fn version_name(v: ProtocolVersion) -> String {
    v.to_string()
}

/// A handshake message's name for a sentence ("ServerHello").
fn message(h: HandshakeType) -> String {
    crate::trace::message_name(TraceKind::Handshake(h))
}

/// Explains a client-side failure.
pub(crate) fn client_error(e: &Error, v: &ClientView<'_>) -> String {
    let certs = certinfo::chain(v.chain);
    let leaf = certs.first();
    match e {
        Error::Certificate(pe) => certificate(pe, &certs, v.asked, v.now, Role::Server),
        Error::AlertReceived(a) => client_alert(*a, v),
        Error::HandshakeTimeout { .. } => {
            let what = match v.seen.last_received {
                None => "the server accepted the TCP connection but sent no handshake message \
                         (is it a TLS server? is it overloaded?)"
                    .to_string(),
                Some(h) => format!("the server stopped answering after its {}", message(h)),
            };
            format!("{e}: {what}. Try again later, or a larger --timeout.")
        }
        Error::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCommonCipherSuite => {
                "no cipher suite in common with the server. Try another --suite \
                 (sanstls implements ECDHE_ECDSA and ECDHE_RSA suites with AES-GCM, \
                 ChaCha20-Poly1305 or AES-CBC, and DHE_RSA and RSA suites with AES-GCM or \
                 AES-CBC; an unknown name lists them all)."
                    .to_string()
            }
            PeerIncompatible::DhGroupTooSmall { bits } => format!(
                "the server's Diffie-Hellman group has only {bits} bits; sanstls requires at \
                 least 2048. Ask the server operator for a larger group, or try an RSA suite \
                 (--suite AES128-SHA256)."
            ),
            PeerIncompatible::ServerVersionNotTls12(ver) => format!(
                "the server chose protocol version {}; sanstls speaks TLS 1.2 only.",
                version_name(*ver)
            ),
            PeerIncompatible::NoCommonAlpnProtocol => {
                "the server accepts none of the --alpn protocols offered.".to_string()
            }
            PeerIncompatible::SecureRenegotiationRequired => {
                "the server does not support secure renegotiation (RFC 5746), which sanstls \
                 requires; the server is outdated."
                    .to_string()
            }
            other => sentence(format!("the server is incompatible: {other}")),
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
            "no cipher suite in common with the client (see --suite and --groups; an EC \
             key serves only the ECDHE_ECDSA suites, an RSA key the others, and the ECDHE \
             suites need a group both sides have)"
                .to_string()
        }
        Error::PeerIncompatible(PeerIncompatible::ClientVersionTooLow(v)) => format!(
            "the client offers only {} (sanstls requires TLS 1.2)",
            version_name(*v)
        ),
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
        P::NameMismatch => name_mismatch(leaf, asked),
        P::UnknownIssuer => unknown_issuer(certs, whose),
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

/// The server's certificate is not valid for the name the client asked for.
fn name_mismatch(leaf: Option<&CertSummary>, asked: &str) -> String {
    match leaf {
        Some(l) if l.names.is_empty() => format!(
            "name mismatch: you asked for {asked}, but the server's certificate ({}) has no \
             subjectAltName, so it is valid for no host name at all (sanstls, like browsers, \
             does not fall back to the subject's common name). The server needs a \
             certificate that lists its names in subjectAltName.",
            l.subject
        ),
        Some(l) => format!(
            "name mismatch: you asked for {asked}, the certificate is for {} — try \
             --servername with one of those names.",
            l.names_list()
        ),
        None => format!(
            "name mismatch: the server's certificate is not valid for {asked} (and its names \
             could not be read)."
        ),
    }
}

/// No path from the peer's chain to a trusted root. When the last certificate the peer
/// sent is not self-signed, the missing link may be an intermediate CA certificate the
/// peer should have sent.
fn unknown_issuer(certs: &[CertSummary], whose: Role) -> String {
    let Some(last) = certs.last() else {
        return "unknown issuer: the peer's certificate does not lead to a trusted root \
                (and it could not be read)."
            .to_string();
    };
    let (s, i) = (&last.subject, &last.issuer);
    let self_signed = s == i;
    let alone = certs.len() == 1;
    match whose {
        Role::Server if self_signed => format!(
            "unknown issuer: the server's chain ends at {s}, a self-signed certificate that is \
             not trusted here. Pass --cafile with that certificate (PEM) if you trust it, or \
             --no-verify to connect without authentication."
        ),
        Role::Server if alone => format!(
            "unknown issuer: the server sent only its own certificate ({s}), issued by {i}, \
             which is not a trusted root here. The server may not be sending its \
             intermediate certificate: a server must send its whole chain (leaf first, then \
             the intermediates), as most clients do not fetch missing ones. If that issuer \
             is a root CA you trust, pass --cafile with its certificate (PEM); --no-verify \
             connects without authentication."
        ),
        Role::Server => format!(
            "unknown issuer: the server's chain does not lead to a trusted root: the last \
             certificate it sent ({s}) was issued by {i}. Pass --cafile with that CA's \
             certificate (PEM) if you trust it; if it is an intermediate CA, the server may \
             not be sending its intermediate certificate. --no-verify connects without \
             authentication."
        ),
        Role::Client if self_signed => format!(
            "unknown issuer: the client's chain ends at {s}, a self-signed certificate that is \
             not in --client-ca."
        ),
        Role::Client => format!(
            "unknown issuer: the client's certificate does not lead to a root in --client-ca: \
             the last certificate it sent ({s}) was issued by {i}. If that is an intermediate \
             CA, the client may not be sending its intermediate certificate; otherwise add \
             that CA to --client-ca."
        ),
    }
}

/// `s` ending with a full stop (unless it ends with one, or with `?` or `!`, already).
fn sentence(mut s: String) -> String {
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

/// Alerts a server sends about a client certificate it refuses or misses.
fn is_certificate_alert(a: AlertDescription) -> bool {
    matches!(
        a,
        AlertDescription::HANDSHAKE_FAILURE
            | AlertDescription::CERTIFICATE_REQUIRED
            | AlertDescription::BAD_CERTIFICATE
            | AlertDescription::UNKNOWN_CA
            | AlertDescription::UNSUPPORTED_CERTIFICATE
            | AlertDescription::CERTIFICATE_EXPIRED
            | AlertDescription::CERTIFICATE_REVOKED
            | AlertDescription::CERTIFICATE_UNKNOWN
            | AlertDescription::ACCESS_DENIED
            | AlertDescription::DECRYPT_ERROR
    )
}

fn client_alert(a: AlertDescription, v: &ClientView<'_>) -> String {
    let name = alert_name(a);
    let seen = &v.seen;
    if seen.completed {
        return if seen.refused_renegotiation {
            format!(
                "the server asked to renegotiate (HelloRequest); sanstls does not \
                 renegotiate and declined with a no_renegotiation warning, and the server \
                 treated that as fatal: it ended the connection with alert {name}. This \
                 server insists on renegotiation (some servers use it to ask for a client \
                 certificate later), which sanstls does not support."
            )
        } else {
            format!(
                "the server ended the connection with fatal alert {name} after the \
                 handshake had completed (so not over cipher suites or certificates)."
            )
        };
    }
    if seen.cert_request
        && seen.cert_sent == Some(false)
        && is_certificate_alert(a)
        && a != AlertDescription::DECRYPT_ERROR
    {
        let why = match v.own_cert {
            OwnCert::None => {
                "no client certificate was configured. Pass --cert and --key with a \
                 certificate the server trusts."
            }
            OwnCert::CannotSign => {
                "the --cert certificate may not sign (its keyUsage lacks digitalSignature), \
                 and a client certificate must sign the handshake. Use a certificate that \
                 allows digitalSignature."
            }
            OwnCert::Usable => {
                "the --cert certificate does not fit the request: no signature scheme in \
                 common (the server's CertificateRequest lists none that the key can make: \
                 RSA PKCS#1 v1.5 or PSS with SHA-256/384/512 for an RSA key, ECDSA with \
                 the key's curve for an EC key), or the server does not accept \
                 certificates of this key type. Check the server's client-certificate \
                 settings."
            }
        };
        return format!(
            "the server asked for a client certificate (CertificateRequest) and sanstls sent \
             none, then the server ended the handshake with alert {name}. No certificate \
             was sent because {why}"
        );
    }
    if seen.cert_request && seen.cert_sent == Some(true) && is_certificate_alert(a) {
        let what = match a {
            AlertDescription::UNKNOWN_CA => "it does not trust the CA that issued it",
            AlertDescription::CERTIFICATE_EXPIRED => "it says the certificate has expired",
            AlertDescription::DECRYPT_ERROR => {
                "the signature proving we hold its key did not verify"
            }
            _ => "it does not accept it",
        };
        return format!(
            "the server refused our client certificate (alert {name}): {what}. Pass --cert \
             and --key with a certificate the server trusts."
        );
    }
    match a {
        AlertDescription::UNKNOWN_PSK_IDENTITY => format!(
            "the server does not know our PSK identity (alert {name}, RFC 4279 §2). Check \
             --psk-identity (or the first line of --psk-file) against the identities the \
             server holds."
        ),
        // No server certificate came: a pre-shared-key suite, and the server could not
        // open our Finished.
        AlertDescription::DECRYPT_ERROR | AlertDescription::BAD_RECORD_MAC
            if seen.server_hello && v.chain.is_empty() =>
        {
            format!(
                "the server could not verify our Finished (alert {name}): in a \
                 pre-shared-key suite the two sides then hold different keys for the \
                 identity, or the server does not know the identity (RFC 4279 §2 lets a \
                 server hide unknown identities this way). Check --psk / --psk-file against \
                 the server's key."
            )
        }
        AlertDescription::HANDSHAKE_FAILURE if seen.server_hello => format!(
            "the server ended the handshake with alert {name} after its {}: it had agreed on \
             a cipher suite, so it refused something later in the handshake (the key \
             exchange, or the extended master secret or renegotiation checks).",
            seen.last_received
                .map_or_else(|| "ServerHello".to_string(), message)
        ),
        AlertDescription::HANDSHAKE_FAILURE => format!(
            "the server refused our ClientHello (alert {name}): most often no cipher suite \
             in common (or, for ECDHE, no curve in common: see --groups). Try --suite \
             (e.g. --suite ECDHE-RSA-AES128-GCM-SHA256, --suite AES128-SHA256 or --suite \
             DHE-RSA-AES128-SHA256)."
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
             Diffie-Hellman groups); try another --suite or --groups."
        ),
        AlertDescription::CERTIFICATE_REQUIRED => format!(
            "the server sent alert {name}: it wants a client certificate. Pass --cert and \
             --key with a certificate the server trusts."
        ),
        _ => format!("the server sent alert {name}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanstls_proto::Trace;

    fn chain(name: &str) -> Vec<Vec<u8>> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata")
            .join(name);
        sanstls_pki::pem_to_der_certs(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    const NOW: UnixTime = UnixTime::from_secs(1_800_000_000); // 2027-01-15

    fn client(e: &Error, chain: &[Vec<u8>], asked: &str) -> String {
        client_error(e, &ClientView::new(chain, asked, NOW))
    }

    fn received(h: HandshakeType) -> Event {
        Event::Trace(Trace {
            direction: Direction::Received,
            kind: TraceKind::Handshake(h),
            length: 4,
            protected: false,
        })
    }

    fn sent(kind: TraceKind, length: usize) -> Event {
        Event::Trace(Trace {
            direction: Direction::Sent,
            kind,
            length,
            protected: false,
        })
    }

    /// What the client sees of a handshake up to its Certificate message (`None`: the
    /// server sent no CertificateRequest, so the client sent no Certificate).
    fn seen_until_certificate(cert_len: Option<usize>) -> Seen {
        let mut s = Seen::default();
        s.observe(&sent(
            TraceKind::Handshake(HandshakeType::CLIENT_HELLO),
            200,
        ));
        for h in [HandshakeType::SERVER_HELLO, HandshakeType::CERTIFICATE] {
            s.observe(&received(h));
        }
        if cert_len.is_some() {
            s.observe(&received(HandshakeType::CERTIFICATE_REQUEST));
        }
        s.observe(&received(HandshakeType::SERVER_HELLO_DONE));
        if let Some(len) = cert_len {
            s.observe(&sent(TraceKind::Handshake(HandshakeType::CERTIFICATE), len));
        }
        s
    }

    fn alert_with(seen: Seen, own_cert: OwnCert, a: AlertDescription) -> String {
        let v = ClientView {
            seen,
            own_cert,
            ..ClientView::new(&[], "localhost", NOW)
        };
        client_error(&Error::AlertReceived(a), &v)
    }

    #[test]
    fn expired_names_both_dates() {
        let e = Error::Certificate(sanstls_pki::Error::Expired);
        let m = client(&e, &chain("bad-expired.cert.pem"), "localhost");
        assert!(m.contains("expired at 2021-01-01"), "{m}");
        assert!(m.contains("now 2027-01-15"), "{m}");
    }

    #[test]
    fn name_mismatch_lists_the_names_and_the_flag() {
        let e = Error::Certificate(sanstls_pki::Error::NameMismatch);
        let m = client(&e, &chain("server-rsa2048.chain.pem"), "wrong.example");
        assert!(m.contains("you asked for wrong.example"), "{m}");
        assert!(m.contains("localhost"), "{m}");
        assert!(m.contains("127.0.0.1"), "{m}");
        assert!(m.contains("--servername"), "{m}");
    }

    /// A certificate without names: no suggestion to pick "one of those names".
    #[test]
    fn name_mismatch_without_names_does_not_suggest_servername() {
        let e = Error::Certificate(sanstls_pki::Error::NameMismatch);
        let m = client(&e, &chain("bad-no-san.chain.pem"), "localhost");
        assert!(m.contains("no subjectAltName"), "{m}");
        assert!(m.contains("valid for no host name"), "{m}");
        assert!(!m.contains("one of those names"), "{m}");
        assert!(!m.contains("--servername"), "{m}");
    }

    #[test]
    fn unknown_issuer_names_the_issuer_and_cafile() {
        let e = Error::Certificate(sanstls_pki::Error::UnknownIssuer);
        let m = client(&e, &chain("server-rsa2048.chain.pem"), "localhost");
        assert!(m.contains("--cafile"), "{m}");
        assert!(m.contains("CN="), "{m}");
    }

    /// Only the leaf, issued by an intermediate: the hint says the server may not be
    /// sending its intermediate certificate.
    #[test]
    fn unknown_issuer_with_the_leaf_alone_suspects_a_missing_intermediate() {
        let e = Error::Certificate(sanstls_pki::Error::UnknownIssuer);
        let m = client(&e, &chain("server-rsa2048.cert.pem"), "localhost");
        assert!(m.contains("sent only its own certificate"), "{m}");
        assert!(
            m.contains("may not be sending its intermediate certificate"),
            "{m}"
        );
        // A self-signed end of chain is a different story.
        let m = client(&e, &chain("ca-root2.cert.pem"), "localhost");
        assert!(m.contains("self-signed"), "{m}");
        assert!(!m.contains("intermediate"), "{m}");
    }

    #[test]
    fn handshake_failure_to_the_client_hello_suggests_suite() {
        let m = client(
            &Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE),
            &[],
            "x",
        );
        assert!(
            m.contains("handshake_failure") && m.contains("--suite"),
            "{m}"
        );
        assert!(!m.contains("--cert"), "{m}");
    }

    /// After the ServerHello a suite was agreed: not "no cipher suite in common".
    #[test]
    fn handshake_failure_after_server_hello_is_not_about_suites() {
        let m = alert_with(
            seen_until_certificate(None),
            OwnCert::None,
            AlertDescription::HANDSHAKE_FAILURE,
        );
        assert!(m.contains("after its ServerHelloDone"), "{m}");
        assert!(m.contains("had agreed on a cipher suite"), "{m}");
        assert!(!m.contains("Try --suite"), "{m}");
    }

    /// A CertificateRequest came and no certificate went: say so, and why.
    #[test]
    fn certificate_request_without_a_certificate_says_why() {
        let seen = seen_until_certificate(Some(EMPTY_CERTIFICATE_LEN));
        assert!(
            seen.cert_request && seen.cert_sent == Some(false),
            "{seen:?}"
        );
        let m = alert_with(seen, OwnCert::None, AlertDescription::HANDSHAKE_FAILURE);
        assert!(m.contains("asked for a client certificate"), "{m}");
        assert!(m.contains("no client certificate was configured"), "{m}");
        assert!(m.contains("--cert and --key"), "{m}");
        assert!(!m.contains("cipher suite"), "{m}");

        let m = alert_with(seen, OwnCert::Usable, AlertDescription::HANDSHAKE_FAILURE);
        assert!(m.contains("no signature scheme in common"), "{m}");

        let m = alert_with(
            seen,
            OwnCert::CannotSign,
            AlertDescription::HANDSHAKE_FAILURE,
        );
        assert!(m.contains("digitalSignature"), "{m}");
    }

    #[test]
    fn a_refused_client_certificate_is_named() {
        let seen = seen_until_certificate(Some(1500));
        assert_eq!(seen.cert_sent, Some(true));
        let m = alert_with(seen, OwnCert::Usable, AlertDescription::UNKNOWN_CA);
        assert!(m.contains("refused our client certificate"), "{m}");
        assert!(m.contains("does not trust the CA"), "{m}");
    }

    /// An alert after the handshake completed is not about the handshake's choices.
    #[test]
    fn alert_after_the_handshake_is_not_no_common_suite() {
        let mut seen = seen_until_certificate(None);
        seen.observe(&Event::HandshakeComplete { resumed: false });
        let m = alert_with(seen, OwnCert::None, AlertDescription::HANDSHAKE_FAILURE);
        assert!(m.contains("after the handshake had completed"), "{m}");
        assert!(!m.contains("--suite"), "{m}");
        assert!(!m.contains("in common"), "{m}");
    }

    /// The server asked to renegotiate, sanstls declined, the server ended it.
    #[test]
    fn a_server_that_refuses_our_refusal_to_renegotiate_is_named() {
        let mut seen = seen_until_certificate(None);
        seen.observe(&Event::HandshakeComplete { resumed: false });
        seen.observe(&received(HandshakeType::HELLO_REQUEST));
        seen.observe(&sent(
            TraceKind::Alert(AlertLevel::WARNING, AlertDescription::NO_RENEGOTIATION),
            2,
        ));
        assert!(seen.hello_request && seen.refused_renegotiation, "{seen:?}");
        let m = alert_with(seen, OwnCert::None, AlertDescription::HANDSHAKE_FAILURE);
        assert!(m.contains("asked to renegotiate"), "{m}");
        assert!(m.contains("no_renegotiation"), "{m}");
        assert!(m.contains("insists on renegotiation"), "{m}");
        assert!(!m.contains("--suite"), "{m}");
    }

    #[test]
    fn handshake_timeout_says_where_the_server_stopped() {
        let e = Error::HandshakeTimeout {
            after: core::time::Duration::from_secs(30),
        };
        let m = client(&e, &[], "x");
        assert!(m.starts_with("handshake timed out after 30 s"), "{m}");
        assert!(m.contains("sent no handshake message"), "{m}");
        let mut seen = Seen::default();
        seen.observe(&received(HandshakeType::SERVER_HELLO));
        let v = ClientView {
            seen,
            ..ClientView::new(&[], "x", NOW)
        };
        let m = client_error(&e, &v);
        assert!(m.contains("stopped answering after its ServerHello"), "{m}");
    }

    #[test]
    fn versions_are_written_as_people_write_them() {
        assert_eq!(version_name(ProtocolVersion::TLS11), "TLS 1.1");
        assert_eq!(version_name(ProtocolVersion::SSL3), "SSL 3.0");
        assert_eq!(version_name(ProtocolVersion(0x7f1c)), "version 0x7f1c");
        let m = client(
            &Error::PeerIncompatible(PeerIncompatible::ServerVersionNotTls12(
                ProtocolVersion::TLS11,
            )),
            &[],
            "x",
        );
        assert!(m.contains("protocol version TLS 1.1;"), "{m}");
        assert!(!m.contains("TLS11"), "{m}");
        let m = server_error(
            &Error::PeerIncompatible(PeerIncompatible::ClientVersionTooLow(
                ProtocolVersion::TLS10,
            )),
            &[],
            NOW,
        );
        assert!(m.contains("offers only TLS 1.0"), "{m}");
        assert!(!m.contains("TLS10"), "{m}");
    }
}
