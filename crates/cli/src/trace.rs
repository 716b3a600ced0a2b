//! The teaching view of a handshake: one line per protocol message, with a short
//! explanation of what it carries and why it is there.

use sanstls_proto::{Direction, Event, Side, Trace, TraceKind};
use sanstls_wire::enums::{AlertDescription, AlertLevel, CipherSuite, HandshakeType, KeyExchange};

use crate::suites;

/// What the explanations may rely on about the connection: its key exchange and
/// whether its records are AEAD-protected, when known (the demo knows the suite the
/// server chose; `client --trace` and `server --trace` know only what was configured).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Known {
    /// The key exchange.
    pub kx: Option<KeyExchange>,
    /// Whether the suite is AEAD (AES-GCM, AES-CCM, ChaCha20-Poly1305) rather than
    /// CBC+HMAC.
    pub aead: Option<bool>,
    /// Whether a plain PSK suite may be chosen (one without a ServerKeyExchange when
    /// the server sends no identity hint, like RSA).
    pub may_psk: bool,
    /// Whether an RSA key transport suite may be chosen.
    pub may_rsa: bool,
}

impl Known {
    /// What one suite tells.
    pub(crate) fn suite(suite: CipherSuite) -> Self {
        Known {
            kx: suite.key_exchange(),
            aead: Some(suites::is_aead(suite)),
            may_psk: suite.key_exchange() == Some(KeyExchange::Psk),
            may_rsa: suite.key_exchange() == Some(KeyExchange::Rsa),
        }
    }

    /// What is common to all of `offered` (the handshake picks one of them).
    pub(crate) fn common(offered: &[CipherSuite]) -> Self {
        let mut known = match offered.first() {
            Some(&s) => Known::suite(s),
            None => return Known::default(),
        };
        for &s in &offered[1..] {
            let k = Known::suite(s);
            if k.kx != known.kx {
                known.kx = None;
            }
            if k.aead != known.aead {
                known.aead = None;
            }
            known.may_psk |= k.may_psk;
            known.may_rsa |= k.may_rsa;
        }
        known
    }

    /// The key exchange once a ServerKeyExchange did (`true`) or did not (`false`)
    /// come before the ClientKeyExchange: none means RSA (RFC 5246 §7.4.3), or plain
    /// PSK without an identity hint (RFC 4279 §2) when that may be chosen.
    fn with_server_key_exchange(self, seen: bool) -> Self {
        let kx = if seen {
            self.kx.filter(|&k| k != KeyExchange::Rsa)
        } else {
            match (self.may_rsa, self.may_psk) {
                (false, true) => Some(KeyExchange::Psk),
                // RSA or PSK: the ClientKeyExchange does not say which here.
                (true, true) => None,
                (_, false) => Some(KeyExchange::Rsa),
            }
        };
        Known { kx, ..self }
    }
}

/// Who sent a message, as an arrow between the two roles.
pub(crate) fn arrow(sender: Side) -> &'static str {
    match sender {
        Side::Client => "client → server",
        Side::Server => "server → client",
    }
}

/// The side that sent a traced message, given the side that traced it.
pub(crate) fn sender(trace: &Trace, local: Side) -> Side {
    match (trace.direction, local) {
        (Direction::Sent, s) => s,
        (Direction::Received, Side::Client) => Side::Server,
        (Direction::Received, Side::Server) => Side::Client,
    }
}

/// The message name as the RFC spells it in prose (`ClientHello`).
pub(crate) fn message_name(kind: TraceKind) -> String {
    match kind {
        TraceKind::Handshake(t) => handshake_name(t).to_string(),
        TraceKind::ChangeCipherSpec => "ChangeCipherSpec".to_string(),
        TraceKind::Alert(level, desc) => {
            let level = if level == AlertLevel::FATAL {
                "fatal"
            } else {
                "warning"
            };
            format!("Alert {} ({level})", alert_name(desc))
        }
        _ => "(unknown message)".to_string(),
    }
}

fn handshake_name(t: HandshakeType) -> &'static str {
    match t {
        HandshakeType::HELLO_REQUEST => "HelloRequest",
        HandshakeType::CLIENT_HELLO => "ClientHello",
        HandshakeType::SERVER_HELLO => "ServerHello",
        HandshakeType::NEW_SESSION_TICKET => "NewSessionTicket",
        HandshakeType::CERTIFICATE => "Certificate",
        HandshakeType::SERVER_KEY_EXCHANGE => "ServerKeyExchange",
        HandshakeType::CERTIFICATE_REQUEST => "CertificateRequest",
        HandshakeType::SERVER_HELLO_DONE => "ServerHelloDone",
        HandshakeType::CERTIFICATE_VERIFY => "CertificateVerify",
        HandshakeType::CLIENT_KEY_EXCHANGE => "ClientKeyExchange",
        HandshakeType::FINISHED => "Finished",
        HandshakeType::CERTIFICATE_STATUS => "CertificateStatus",
        _ => "HandshakeMessage",
    }
}

/// An alert's RFC name in lower case (`handshake_failure`).
pub(crate) fn alert_name(a: AlertDescription) -> String {
    match a.name() {
        Some(n) => n.to_ascii_lowercase(),
        None => format!("alert {}", a.0),
    }
}

/// `n` and the noun in the singular or the plural: "1 byte", "2 bytes".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The size column of a message line: right-aligned count, "byte" or "bytes", always
/// the same width.
pub(crate) fn size_column(n: usize) -> String {
    format!("{n:>6} {:<5}", if n == 1 { "byte" } else { "bytes" })
}

/// One line for a traced message: direction, name, size, protection. Fits in 80
/// columns.
pub(crate) fn line(trace: &Trace, sender: Side) -> String {
    let prot = if trace.protected {
        "encrypted"
    } else {
        "plaintext"
    };
    format!(
        "{}  {:<30} {}  {prot}",
        arrow(sender),
        message_name(trace.kind),
        size_column(trace.length)
    )
}

/// What a message is for, in a sentence or two, as far as `known` tells.
pub(crate) fn explain(kind: TraceKind, sender: Side, known: Known) -> &'static str {
    let kx = known.kx;
    match kind {
        TraceKind::Handshake(t) => match t {
            HandshakeType::CLIENT_HELLO => {
                "The client's offer: TLS 1.2, 32 fresh random bytes, the cipher suites it \
                 accepts (best first) and extensions: server_name, extended_master_secret, \
                 encrypt_then_mac, renegotiation_info, signature_algorithms, \
                 session_ticket, and for ECDHE supported_groups (the curves it accepts) \
                 and ec_point_formats."
            }
            HandshakeType::SERVER_HELLO => {
                "The server's choice: one suite from the client's list, its own 32 random \
                 bytes, the extensions it agrees to use, and a session ID if it keeps the \
                 session for a later resumption."
            }
            HandshakeType::CERTIFICATE if sender == Side::Server => match kx {
                Some(KeyExchange::EcdheEcdsa) => {
                    "The server's certificate chain, leaf first: its EC (ECDSA) public key \
                     and host names, signed by a CA. The client checks the chain up to a \
                     root it trusts."
                }
                Some(_) => {
                    "The server's certificate chain, leaf first: its RSA public key and \
                     host names, signed by a CA. The client checks the chain up to a root it \
                     trusts."
                }
                None => {
                    "The server's certificate chain, leaf first: its public key (RSA or EC) \
                     and host names, signed by a CA. The client checks the chain up to a \
                     root it trusts."
                }
            },
            HandshakeType::CERTIFICATE => {
                "The client's certificate chain, sent because the server asked for one."
            }
            HandshakeType::SERVER_KEY_EXCHANGE => match kx {
                Some(KeyExchange::DheRsa) => {
                    "Diffie-Hellman parameters (prime p, generator g) and the server's public \
                     value g^x mod p, signed with the certificate's RSA key so the client \
                     knows who chose them."
                }
                Some(KeyExchange::EcdheRsa) => {
                    "ECDHE parameters (RFC 8422 §5.4): the named curve the server chose from \
                     the client's supported_groups and its ephemeral public point xG (a fresh \
                     secret x for this connection), signed with the certificate's RSA key \
                     over both randoms so the client knows who chose them."
                }
                Some(KeyExchange::EcdheEcdsa) => {
                    "ECDHE parameters (RFC 8422 §5.4): the named curve the server chose from \
                     the client's supported_groups and its ephemeral public point xG (a fresh \
                     secret x for this connection), signed with the certificate's ECDSA key \
                     over both randoms so the client knows who chose them."
                }
                Some(KeyExchange::Psk) => {
                    "The PSK identity hint (RFC 4279 §5.2): a name the server gives to help \
                     the client pick which pre-shared key to use. Nothing is signed: there \
                     is no certificate; the Finished messages, keyed from the pre-shared \
                     key, authenticate the whole handshake."
                }
                Some(KeyExchange::DhePsk) => {
                    "The PSK identity hint and Diffie-Hellman parameters (prime p, generator \
                     g) with the server's public value g^x mod p (RFC 4279 §3). Not signed \
                     (no certificate): the pre-shared key joins the Diffie-Hellman result in \
                     the premaster secret, so only a holder of the key can finish the \
                     handshake."
                }
                Some(KeyExchange::EcdhePsk) => {
                    "The PSK identity hint, the named curve the server chose and its \
                     ephemeral public point xG (RFC 5489 §2). Not signed (no certificate): \
                     the pre-shared key joins the ECDH result in the premaster secret, so \
                     only a holder of the key can finish the handshake."
                }
                _ => {
                    "The server's ephemeral Diffie-Hellman share, signed with the \
                     certificate's key (RSA or ECDSA) over both randoms: for ECDHE a named \
                     curve and the public point xG (RFC 8422 §5.4), for DHE the prime p, \
                     generator g and g^x mod p."
                }
            },
            HandshakeType::CERTIFICATE_REQUEST => {
                "The server asks the client to prove who it is with a certificate."
            }
            HandshakeType::SERVER_HELLO_DONE => {
                "The server has said everything for now; it is the client's turn."
            }
            HandshakeType::CLIENT_KEY_EXCHANGE => match kx {
                Some(KeyExchange::Rsa) => {
                    "48 random bytes (the premaster secret) encrypted with the server's RSA \
                     public key: only the certificate's owner can read them. Both sides now \
                     derive the master secret from the premaster secret and the two randoms."
                }
                Some(KeyExchange::DheRsa) => {
                    "The client's public value g^y mod p. Each side combines it with its own \
                     secret exponent into the same premaster g^xy mod p, and derives the \
                     master secret from it and the two randoms."
                }
                Some(KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa) => {
                    "The client's ephemeral public point yG on the server's curve (its \
                     secret y fresh for this connection). Each side multiplies the other's \
                     point by its own secret scalar into the same shared point xyG, whose \
                     x-coordinate (for x25519, the 32-byte shared value) is the premaster \
                     secret; the master secret follows from it and the two randoms."
                }
                Some(KeyExchange::Psk) => {
                    "The PSK identity: which pre-shared key the client holds (RFC 4279 §2). \
                     The premaster secret is built from that key alone; both sides derive \
                     the master secret from it and the two randoms."
                }
                Some(KeyExchange::DhePsk | KeyExchange::EcdhePsk) => {
                    "The PSK identity and the client's ephemeral share (g^y mod p for \
                     DHE_PSK, a point yG for ECDHE_PSK). The premaster secret joins the \
                     Diffie-Hellman result and the pre-shared key (RFC 4279 §3, RFC 5489 \
                     §2), so only a holder of the key can complete the handshake."
                }
                None => {
                    "The client's Diffie-Hellman share: its public point yG (ECDHE) or g^y \
                     mod p (DHE). Each side combines the other's share with its own secret \
                     into the same premaster secret, and derives the master secret from it \
                     and the two randoms."
                }
            },
            HandshakeType::CERTIFICATE_VERIFY => {
                "The client signs the handshake so far with its private key: proof that it \
                 owns the certificate it sent."
            }
            HandshakeType::FINISHED => {
                "A MAC over every handshake message, keyed with the master secret: proves \
                 the sender derived the same keys and that nobody altered the handshake. It \
                 is the first message under the new keys."
            }
            HandshakeType::NEW_SESSION_TICKET => {
                "A session ticket: the session (suite, master secret) protected under a key \
                 only the server holds (RFC 5077 §4). The client keeps it and presents it \
                 later to resume the session without a full handshake; the server need not \
                 remember anything."
            }
            HandshakeType::HELLO_REQUEST => {
                "The server asks for a renegotiation (sanstls refuses renegotiation)."
            }
            _ => "A handshake message.",
        },
        TraceKind::ChangeCipherSpec => match known.aead {
            Some(true) => {
                "From the next record on, this side protects everything it sends with the \
                 suite's AEAD cipher under keys derived from the master secret: each record \
                 is encrypted and authenticated in one step (a nonce per record, a 16-byte \
                 tag; no separate MAC, no padding)."
            }
            Some(false) => {
                "From the next record on, this side encrypts (CBC) and MACs (HMAC) \
                 everything it sends with the keys derived from the master secret."
            }
            None => {
                "From the next record on, this side encrypts and authenticates everything it \
                 sends with the keys derived from the master secret."
            }
        },
        TraceKind::Alert(_, AlertDescription::CLOSE_NOTIFY) => {
            "This side will send nothing more. Closing with an alert (not just ending the \
             TCP stream) lets the peer tell a clean end from a truncation attack."
        }
        TraceKind::Alert(level, _) if level == AlertLevel::FATAL => {
            "A fatal alert: the connection ends here."
        }
        TraceKind::Alert(..) => "A warning alert; the connection continues.",
        _ => "",
    }
}

/// How one application data record is built under `suite` (RFC 5246 §6.2.3), for the
/// first record the demo shows.
pub(crate) fn record_protection(suite: CipherSuite, encrypt_then_mac: bool) -> &'static str {
    if suites::is_chacha(suite) {
        "AEAD record (ChaCha20-Poly1305, RFC 7905): the ciphertext, as long as the \
         plaintext, then a 16-byte Poly1305 tag over it and the record header; the nonce \
         is the key block's IV XOR the record sequence number, so nothing extra is sent. \
         No MAC, no padding."
    } else if suites::is_ccm(suite) {
        if suites::is_ccm8(suite) {
            "AEAD record (AES-CCM_8, RFC 6655): an 8-byte explicit nonce (with the 4-byte \
             implicit salt from the key block it forms the CCM nonce), the ciphertext, as \
             long as the plaintext, then a short 8-byte tag over it and the record header. \
             No MAC, no padding."
        } else {
            "AEAD record (AES-CCM, RFC 6655): an 8-byte explicit nonce (with the 4-byte \
             implicit salt from the key block it forms the CCM nonce), the ciphertext, as \
             long as the plaintext, then a 16-byte tag over it and the record header. No \
             MAC, no padding."
        }
    } else if suites::is_aead(suite) {
        "AEAD record (AES-GCM, RFC 5288): an 8-byte explicit nonce (with the 4-byte \
         implicit salt from the key block it forms the GCM nonce), the ciphertext, as long \
         as the plaintext, then a 16-byte tag over it and the record header. No MAC, no \
         padding."
    } else if encrypt_then_mac {
        "CBC record with encrypt-then-MAC (RFC 7366): a fresh 16-byte IV, the plaintext \
         padded to the AES block size and encrypted, then an HMAC over the ciphertext."
    } else {
        "CBC record (RFC 5246 §6.2.3.2): a fresh 16-byte IV, then the plaintext, its HMAC \
         and the padding, encrypted together (MAC-then-encrypt)."
    }
}

/// What a message is for in an abbreviated handshake (RFC 5246 §7.3, Figure 2), where
/// it differs from the full handshake ([`explain`]); `None` where it does not.
pub(crate) fn explain_resumed(kind: TraceKind, sender: Side) -> Option<&'static str> {
    Some(match (kind, sender) {
        (TraceKind::Handshake(HandshakeType::CLIENT_HELLO), _) => {
            "The same offer, now carrying the ticket from the first connection in its \
             session_ticket extension, and a fresh session ID that the server echoes if it \
             accepts the ticket (RFC 5077 §3.4). Without a ticket the client would offer \
             the session ID the server gave it."
        }
        (TraceKind::Handshake(HandshakeType::SERVER_HELLO), _) => {
            "The server decrypted the ticket and accepts the session: it echoes the \
             client's session ID, which tells the client this is a resumption (RFC 5246 \
             §7.4.1.3), keeps the session's suite, and sends 32 fresh random bytes."
        }
        (TraceKind::Handshake(HandshakeType::NEW_SESSION_TICKET), _) => {
            "A fresh ticket for the next resumption (RFC 5077 §3.3)."
        }
        (TraceKind::ChangeCipherSpec, Side::Server) => {
            "The server switches to the new keys at once: they come from the session's \
             master secret and the two new randoms, so nothing else is needed."
        }
        (TraceKind::Handshake(HandshakeType::FINISHED), Side::Server) => {
            "The server's Finished comes first in a resumption: a MAC over ClientHello, \
             ServerHello and the ticket, keyed with the session's master secret."
        }
        (TraceKind::Handshake(HandshakeType::FINISHED), Side::Client) => {
            "The client's proof that it holds the same master secret: one round trip in \
             all, where the full handshake took two."
        }
        _ => return None,
    })
}

/// Word-wraps `text` to `width` columns, each line prefixed with `indent`.
pub(crate) fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Turns a connection's events into the lines `--trace` prints: each traced message
/// as the demo shows it (`prefix` starts every line: a connection's label, or
/// nothing), warning alerts, the handshake's end and the peer's close. `sanstls
/// replay` prints a replayed connection's events with the same printer.
pub(crate) struct Printer {
    local: Side,
    prefix: String,
    known: Known,
    saw_server_key_exchange: bool,
}

impl Printer {
    /// A printer for the events of the `local` side. `known`: what the configuration
    /// tells about the suite the handshake will choose ([`Known::common`] of the
    /// configured suites).
    pub(crate) fn new(local: Side, prefix: String, known: Known) -> Self {
        Printer {
            local,
            prefix,
            known,
            saw_server_key_exchange: false,
        }
    }

    /// The text for `ev` (whole lines), or `None` for an event not shown.
    pub(crate) fn text(&mut self, ev: &Event) -> Option<String> {
        let prefix = &self.prefix;
        Some(match ev {
            Event::Trace(t) => {
                if t.kind == TraceKind::Handshake(HandshakeType::SERVER_KEY_EXCHANGE) {
                    self.saw_server_key_exchange = true;
                }
                // The ClientKeyExchange tells RSA (no ServerKeyExchange before it) from
                // the Diffie-Hellman kinds.
                let k = if t.kind == TraceKind::Handshake(HandshakeType::CLIENT_KEY_EXCHANGE) {
                    self.known
                        .with_server_key_exchange(self.saw_server_key_exchange)
                } else {
                    self.known
                };
                let from = sender(t, self.local);
                format!(
                    "{prefix}{}\n{}",
                    line(t, from),
                    wrap(explain(t.kind, from, k), &format!("{prefix}    "), 80)
                )
            }
            Event::Alert(a) => format!("{prefix}peer sent warning alert {}\n", alert_name(*a)),
            Event::PeerClosed { clean: true } => format!("{prefix}peer sent close_notify\n"),
            Event::PeerClosed { clean: false } => {
                format!("{prefix}peer closed the transport without close_notify\n")
            }
            Event::HandshakeComplete { resumed: false } => {
                format!("{prefix}handshake complete\n")
            }
            Event::HandshakeComplete { resumed: true } => {
                format!("{prefix}handshake complete (session resumed)\n")
            }
            _ => return None,
        })
    }
}

/// An event hook for `TlsStream::set_event_hook` that prints each event on stderr as
/// [`Printer`] shows it.
pub(crate) fn stderr_hook(
    local: Side,
    prefix: String,
    known: Known,
) -> Box<dyn FnMut(&Event) + Send> {
    let mut printer = Printer::new(local, prefix, known);
    Box::new(move |ev| {
        if let Some(text) = printer.text(ev) {
            eprint!("{text}");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_short() {
        let text = explain(
            TraceKind::Handshake(HandshakeType::CLIENT_HELLO),
            Side::Client,
            Known::default(),
        );
        let w = wrap(text, "    ", 80);
        assert!(w.lines().count() > 1);
        assert!(w.lines().all(|l| l.chars().count() <= 80), "{w}");
        assert!(w.contains("extended_master_secret"));
    }

    #[test]
    fn server_key_exchange_follows_the_key_exchange() {
        let ske = TraceKind::Handshake(HandshakeType::SERVER_KEY_EXCHANGE);
        let all = Known::common(&suites::all());
        assert_eq!((all.kx, all.aead), (None, None));
        assert!(explain(ske, Side::Server, all).contains("for ECDHE a named curve"));
        let ecdhe = Known::suite(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        let t = explain(ske, Side::Server, ecdhe);
        assert!(t.contains("named curve") && t.contains("RSA key"), "{t}");
        let ecdsa = Known::suite(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA);
        assert!(explain(ske, Side::Server, ecdsa).contains("ECDSA key"));
        assert_eq!(ecdsa.aead, Some(false));
        let dhe = Known::suite(CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256);
        assert!(explain(ske, Side::Server, dhe).contains("g^x mod p"));
        let ccs = explain(TraceKind::ChangeCipherSpec, Side::Client, ecdhe);
        assert!(ccs.contains("AEAD") && ccs.contains("no padding"), "{ccs}");
        let psk = Known::suite(CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
        assert!(explain(ske, Side::Server, psk).contains("identity hint"));
        let ecdhe_psk = Known::suite(CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256);
        let t = explain(ske, Side::Server, ecdhe_psk);
        assert!(t.contains("Not signed") && t.contains("xG"), "{t}");
    }

    #[test]
    fn no_server_key_exchange_means_rsa_or_plain_psk() {
        let cke = TraceKind::Handshake(HandshakeType::CLIENT_KEY_EXCHANGE);
        // Certificate suites only: RSA.
        let k = Known::common(&suites::all()).with_server_key_exchange(false);
        assert_eq!(k.kx, Some(KeyExchange::Rsa));
        // PSK suites only: plain PSK without a hint.
        let k = Known::common(&suites::with_psk()).with_server_key_exchange(false);
        assert_eq!(k.kx, Some(KeyExchange::Psk));
        assert!(explain(cke, Side::Client, k).contains("PSK identity"));
        // Both: it cannot tell.
        let both = [suites::all(), suites::with_psk()].concat();
        let k = Known::common(&both).with_server_key_exchange(false);
        assert_eq!(k.kx, None);
    }

    #[test]
    fn lines_name_the_message_and_direction() {
        let t = Trace {
            direction: Direction::Received,
            kind: TraceKind::Handshake(HandshakeType::SERVER_HELLO_DONE),
            length: 4,
            protected: false,
        };
        let l = line(&t, sender(&t, Side::Client));
        assert!(l.starts_with("server → client  ServerHelloDone"), "{l}");
        assert!(l.contains("4 bytes  plaintext"), "{l}");
        assert!(l.chars().count() <= 80);
    }

    #[test]
    fn one_byte_is_singular_and_the_column_stays_aligned() {
        let ccs = Trace {
            direction: Direction::Sent,
            kind: TraceKind::ChangeCipherSpec,
            length: 1,
            protected: false,
        };
        let l = line(&ccs, Side::Client);
        assert!(l.contains("     1 byte   plaintext"), "{l}");
        assert!(!l.contains("1 bytes"), "{l}");
        let two = Trace { length: 2, ..ccs };
        let m = line(&two, Side::Client);
        assert!(m.contains("     2 bytes  plaintext"), "{m}");
        assert_eq!(l.find("plaintext"), m.find("plaintext"));
        assert_eq!(count(1, "connection", "connections"), "1 connection");
        assert_eq!(count(0, "byte", "bytes"), "0 bytes");
    }
}
