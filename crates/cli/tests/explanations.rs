//! The command tells the truth (issue 11, item 5): HTTP is recognised however the
//! request is split or ended, and failures are explained by what actually happened
//! (a CertificateRequest left unanswered, a refused renegotiation, a missing
//! intermediate certificate, a certificate without names, an old protocol version).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{
    HANG_GUARD, Peer, assert_exit, cert_server, client_cmd, run, sanstls_server, td, trust_args,
    trusted_client,
};
use sanstls_std::{TlsStream, load};
use sanstls_test::peers;

/// A TLS connection to `sanstls server` on `port`, trusting the test root.
fn connect(port: u16) -> TlsStream<TcpStream> {
    let anchors = load::trust_anchors(Path::new(&td("ca-root.cert.pem"))).unwrap();
    let config = Arc::new(
        sanstls_std::client_config_builder()
            .trust_anchors(anchors)
            .build()
            .unwrap(),
    );
    let t = sanstls_std::connect(("127.0.0.1", port), "localhost", config).unwrap();
    // Short: a server that waits for a different head end would hang here.
    t.get_ref()
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    t
}

/// Reads the answer to the end (the server closes after its page).
fn answer(t: &mut TlsStream<TcpStream>) -> String {
    let mut got = Vec::new();
    let r = t.read_to_end(&mut got);
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(r.is_ok(), "{r:?}; got so far: {text:?}");
    text
}

/// RFC 9112 §2.2: a bare LF ends a line, so `\n\n` ends the head.
#[test]
fn server_answers_a_request_whose_head_ends_with_bare_lf() {
    let srv = cert_server(&[]);
    let mut t = connect(srv.port);
    t.write_all(b"GET / HTTP/1.1\nHost: localhost\n\n").unwrap();
    t.flush().unwrap();
    let page = answer(&mut t);
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("cipher suite:"), "{page}");
}

/// A request sent one byte per TLS record: the server waits for the whole first line
/// before it chooses between HTTP and echo.
#[test]
fn server_recognises_a_request_split_into_one_byte_records() {
    let srv = cert_server(&[]);
    let mut t = connect(srv.port);
    for &b in b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" {
        // One write, one record.
        assert_eq!(t.write(&[b]).unwrap(), 1);
        t.flush().unwrap();
    }
    let page = answer(&mut t);
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");

    // Anything that cannot start a request line is echoed at once.
    let mut t = connect(srv.port);
    t.write_all(b"h").unwrap();
    t.flush().unwrap();
    let mut b = [0u8; 1];
    t.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"h");
}

/// `openssl s_server -Verify 1` asks for a client certificate; without --cert the
/// client sends none, and the explanation says so (not "no cipher suite in common").
#[test]
fn client_explains_an_unanswered_certificate_request() {
    let (_s, port, _stdin) = peers::s_server()
        .args(["-Verify", "1", "-CAfile", &td("ca-root.cert.pem")])
        .start_with_stdin();
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    let o = run(c, b"hello\n");
    assert_exit(
        &o,
        1,
        &[
            "asked for a client certificate (CertificateRequest)",
            "no client certificate was configured",
            "--cert and --key",
        ],
    );
    assert!(!o.stderr.contains("cipher suite"), "{}", o.stderr);
}

/// The server accepts only ECDSA signatures from clients: the RSA client certificate
/// cannot answer, and the explanation names the missing signature scheme.
#[test]
fn client_explains_a_certificate_request_without_a_common_scheme() {
    let (_s, port, _stdin) = peers::s_server()
        .args(["-Verify", "1", "-CAfile", &td("ca-root.cert.pem")])
        .args(["-client_sigalgs", "ECDSA+SHA256"])
        .start_with_stdin();
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-root.cert.pem", "localhost")).args([
        "--cert",
        &td("client.chain.pem"),
        "--key",
        &td("client.rsa.pem"),
    ]);
    let o = run(c, b"hello\n");
    assert_exit(
        &o,
        1,
        &[
            "asked for a client certificate",
            "no signature scheme in common",
        ],
    );
}

/// s_server's `r` command asks to renegotiate; sanstls declines with a warning, which
/// OpenSSL answers with a fatal handshake_failure. The client names that, not "no
/// cipher suite in common".
#[test]
fn client_names_a_server_that_refuses_our_refusal_to_renegotiate() {
    let (mut server, port, mut server_in) = peers::s_server().start_with_stdin();
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    let (mut client, _client_in) = Peer::spawn_with_stdin(&mut c);
    assert!(
        client.wait_for_stderr("verification: OK", HANG_GUARD),
        "{}",
        client.output()
    );
    // s_server reads its stdin line by line: "r" alone renegotiates.
    server_in.write_all(b"r\n").unwrap();
    server_in.flush().unwrap();
    let status = client.wait();
    let err = client.stderr();
    assert_eq!(
        status.code(),
        Some(1),
        "{err}\nserver:\n{}",
        server.output()
    );
    for words in [
        "asked to renegotiate (HelloRequest)",
        "no_renegotiation",
        "alert handshake_failure",
        "insists on renegotiation",
    ] {
        assert!(err.contains(words), "{words:?} missing from:\n{err}");
    }
    assert!(!err.contains("--suite"), "{err}");
    server.kill();
}

/// A server that sends its leaf without the intermediate: the hint says so.
#[test]
fn client_suspects_a_missing_intermediate_certificate() {
    let srv = sanstls_server(&[
        "--cert",
        &td("server-rsa2048.cert.pem"),
        "--key",
        &td("server-rsa2048.rsa.pem"),
    ]);
    let o = run(trusted_client(srv.port), b"hello\n");
    assert_exit(
        &o,
        1,
        &[
            "unknown issuer",
            "sent only its own certificate",
            "may not be sending its intermediate certificate",
            "CN=sanstls test intermediate CA",
        ],
    );
}

/// A certificate without subjectAltName: no suggestion to pick one of its names.
#[test]
fn client_does_not_suggest_names_a_certificate_does_not_have() {
    let srv = sanstls_server(&[
        "--cert",
        &td("bad-no-san.chain.pem"),
        "--key",
        &td("bad-no-san.rsa.pem"),
    ]);
    let o = run(trusted_client(srv.port), b"hello\n");
    assert_exit(&o, 1, &["name mismatch", "has no subjectAltName"]);
    assert!(!o.stderr.contains("one of those names"), "{}", o.stderr);
    assert!(!o.stderr.contains("--servername"), "{}", o.stderr);
}

/// `openssl s_server -tls1_1` (security level 0, which OpenSSL 3 needs for TLS 1.1).
fn s_server_tls11() -> (Peer, u16, std::process::ChildStdin) {
    let (mut peer, stdin) = Peer::spawn_with_stdin(
        peers::openssl()
            .args(["s_server", "-accept", "127.0.0.1:0", "-tls1_1"])
            .args(["-cipher", "DEFAULT:@SECLEVEL=0"])
            .args(["-cert", &td("server-rsa2048.cert.pem")])
            .args(["-key", &td("server-rsa2048.rsa.pem")]),
    );
    let line = peer.line_containing("ACCEPT ");
    let port = line.rsplit(':').next().unwrap().trim().parse().unwrap();
    (peer, port, stdin)
}

/// Versions are printed as "TLS 1.1", not "TLS11": the client's message ...
#[test]
fn client_names_an_old_protocol_version_readably() {
    let (_s, port, _stdin) = s_server_tls11();
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    let o = run(c, b"hello\n");
    assert_exit(&o, 1, &["the server chose protocol version TLS 1.1;"]);
    assert!(!o.stderr.contains("TLS11"), "{}", o.stderr);
}

/// ... and the server's log.
#[test]
fn server_names_an_old_protocol_version_readably() {
    let srv = cert_server(&[]);
    let mut c = peers::openssl();
    c.args(["s_client", "-connect", &format!("127.0.0.1:{}", srv.port)])
        .args(["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let mut p = Peer::spawn_with_input(&mut c, b"");
    let _ = p.wait();
    srv.wait_for_log("handshake failed: the client offers only TLS 1.1");
    assert!(!srv.log().contains("TLS11"), "{}", srv.log());
}
