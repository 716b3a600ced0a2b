//! HTTP or echo: telling an HTTP/1.x request from anything else, and the page that
//! answers it.

use sanstls_proto::Negotiated;

use crate::certinfo::CertSummary;
use crate::suites;

/// The most request-line bytes the server waits for before it decides a client is not
/// sending HTTP (it is then echoed).
pub(crate) const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The most HTTP request head bytes read before answering.
pub(crate) const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// The methods that start an HTTP/1.x request line.
const METHODS: &[&[u8]] = &[
    b"GET ",
    b"HEAD ",
    b"POST ",
    b"PUT ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"TRACE ",
    b"CONNECT ",
];

/// What the first bytes of a connection are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An HTTP/1.x request line (complete).
    Http,
    /// Anything else: echoed.
    Echo,
    /// Cannot tell yet: the bytes so far could start a request line (`G`, `GET /a`).
    Undecided,
}

/// Classifies the first bytes a client sent, however they were split into records:
/// the answer is [`Kind::Undecided`] while they are the start of a possible request
/// line, so one byte per record decides nothing too early. A complete first line
/// (ended by LF, RFC 9112 §2.2 allows a bare LF) is HTTP when it is
/// `METHOD SP target SP HTTP/1.x`; a first line longer than [`MAX_REQUEST_LINE`]
/// without its end is not HTTP.
pub(crate) fn classify(data: &[u8]) -> Kind {
    let Some(end) = data.iter().position(|&b| b == b'\n') else {
        let could_start = METHODS
            .iter()
            .any(|m| m.starts_with(data) || data.starts_with(m));
        return if could_start && data.len() <= MAX_REQUEST_LINE {
            Kind::Undecided
        } else {
            Kind::Echo
        };
    };
    let line = data[..end].strip_suffix(b"\r").unwrap_or(&data[..end]);
    let method = METHODS.iter().any(|m| line.starts_with(m));
    let version = line
        .rsplit(|&b| b == b' ')
        .next()
        .is_some_and(|v| v.len() == 8 && v.starts_with(b"HTTP/1.") && v[7].is_ascii_digit());
    if method && version {
        Kind::Http
    } else {
        Kind::Echo
    }
}

/// Whether `head` holds a complete request head: a line that is empty (after an
/// optional CR) ends it, so `\r\n\r\n`, `\n\n` and `\r\n\n` all do (RFC 9112 §2.2: a
/// recipient may take a bare LF as a line end and ignore a CR before it).
pub(crate) fn head_complete(head: &[u8]) -> bool {
    head.windows(2).any(|w| w == b"\n\n") || head.windows(3).any(|w| w == b"\n\r\n")
}

/// The HTTP response describing the session; `server_key` is the server's key in
/// words ("EC P-256 (secp256r1)").
pub(crate) fn page(n: &Negotiated, server_key: &str) -> Vec<u8> {
    use std::fmt::Write as _;
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut body = String::new();
    let _ = writeln!(body, "sanstls server: your TLS session");
    let _ = writeln!(body);
    let _ = writeln!(body, "protocol:               TLS 1.2");
    let _ = writeln!(
        body,
        "session:                {}",
        if n.resumed {
            "resumed (abbreviated handshake: no certificate, no key exchange)"
        } else {
            "new (full handshake)"
        }
    );
    let _ = writeln!(
        body,
        "cipher suite:           {} ({})",
        suites::iana_name(n.suite),
        suites::openssl_name(n.suite).unwrap_or("?")
    );
    let _ = writeln!(
        body,
        "key exchange:           {}",
        suites::key_exchange_text(n)
    );
    if let (Some(bits), false) = (n.dh_bits, n.resumed) {
        let _ = writeln!(body, "DH group:               {bits} bits");
    }
    let _ = writeln!(body, "server key:             {server_key}");
    let _ = writeln!(
        body,
        "extended master secret: {}",
        yes(n.extended_master_secret)
    );
    let _ = writeln!(body, "encrypt-then-MAC:       {}", suites::etm_text(n));
    let _ = writeln!(
        body,
        "record sizes:           {}",
        crate::client::record_sizes(n)
    );
    let _ = writeln!(
        body,
        "ALPN:                   {}",
        n.alpn.as_deref().map_or_else(
            || "(none)".to_string(),
            |a| String::from_utf8_lossy(a).into_owned()
        )
    );
    let _ = writeln!(
        body,
        "SNI:                    {}",
        n.server_name.as_deref().unwrap_or("(none)")
    );
    if let Some(id) = &n.psk_identity {
        let _ = writeln!(
            body,
            "PSK identity:           {}",
            crate::psk::identity_text(id)
        );
    }
    match n
        .peer_certificates
        .first()
        .and_then(|c| CertSummary::parse(c))
    {
        Some(c) => {
            let _ = writeln!(body, "client certificate:     verified");
            body.push_str(&c.describe("  "));
        }
        None => {
            let _ = writeln!(body, "client certificate:     (none)");
        }
    }
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\nServer: sanstls\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(classify(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Kind::Http);
        assert_eq!(classify(b"GET / HTTP/1.0\n\n"), Kind::Http);
        assert_eq!(classify(b"DELETE /x HTTP/1.1\n"), Kind::Http);
        assert_eq!(classify(b"GET / SPDY/3\r\n"), Kind::Echo);
        assert_eq!(classify(b"GET / HTTP/2.0\r\n"), Kind::Echo);
        assert_eq!(classify(b"hello\n"), Kind::Echo);
        assert_eq!(classify(b"GETX / HTTP/1.1\r\n"), Kind::Echo);
    }

    /// A request arriving one byte at a time is undecided until its line is complete;
    /// other input is echoed as soon as it cannot start a request line.
    #[test]
    fn one_byte_at_a_time_decides_nothing_early() {
        let req = b"GET / HTTP/1.1\n";
        for end in 1..req.len() {
            assert_eq!(
                classify(&req[..end]),
                Kind::Undecided,
                "{:?}",
                String::from_utf8_lossy(&req[..end])
            );
        }
        assert_eq!(classify(req), Kind::Http);
        for end in 1..=4 {
            assert_eq!(classify(&b"DELETE"[..end]), Kind::Undecided);
        }
        assert_eq!(classify(b"h"), Kind::Echo);
        assert_eq!(classify(b"GEx"), Kind::Echo);
        assert_eq!(classify(b"GETX"), Kind::Echo);
        assert_eq!(classify(b""), Kind::Undecided);
        let long = [b"GET /".as_slice(), &[b'a'; MAX_REQUEST_LINE]].concat();
        assert_eq!(classify(&long), Kind::Echo);
    }

    #[test]
    fn head_ends() {
        assert!(head_complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(head_complete(b"GET / HTTP/1.1\nHost: x\n\n"));
        assert!(head_complete(b"GET / HTTP/1.1\r\n\n"));
        assert!(head_complete(b"GET / HTTP/1.1\n\r\n"));
        assert!(!head_complete(b"GET / HTTP/1.1\r\nHost: x\r\n"));
        assert!(!head_complete(b"GET / HTTP/1.1\r\n\r"));
    }
}
