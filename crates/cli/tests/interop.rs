//! `sanstls server` and `sanstls client` against OpenSSL and curl, on 127.0.0.1.

mod common;

use std::io::Write;

use common::{
    Peer, assert_exit, cert_server as server, client_cmd, curl, run, s_client_echo, td,
    trusted_client,
};
use sanstls_test::peers;

#[test]
fn server_echoes_to_s_client_rsa_dhe_and_ecdhe() {
    let srv = server(&[]);
    for (cipher, iana) in [
        ("AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256"),
        (
            "DHE-RSA-AES128-SHA256",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        ),
        (
            "ECDHE-RSA-AES128-GCM-SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 session=new group=",
        ),
        (
            "ECDHE-RSA-CHACHA20-POLY1305",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 session=new group=",
        ),
    ] {
        s_client_echo(srv.port, cipher);
        // The server logs each session on stderr.
        srv.wait_for_log(iana);
    }
}

#[test]
fn server_answers_curl_with_a_session_page() {
    // The server speaks HTTP/1.x only: it accepts http/1.1 (and a protocol curl does not
    // offer) but not h2.
    let srv = server(&["--alpn", "x-other,http/1.1", "--trace"]);
    let mut c = curl();
    c.args(["-sS", "--cacert", &td("ca-root.cert.pem")])
        .arg(format!("https://localhost:{}/", srv.port));
    let o = run(c, b"");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert!(o.stdout.contains("cipher suite:"), "{}", o.stdout);
    // curl's OpenSSL prefers the ECDHE suites: an ECDHE key exchange, signed with the
    // server's RSA key.
    assert!(
        o.stdout.contains("cipher suite:           TLS_ECDHE_RSA_"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("key exchange:           ECDHE "),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("server key:             RSA 2048 bits"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("SNI:                    localhost"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("extended master secret: yes"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("ALPN:                   http/1.1"),
        "{}",
        o.stdout
    );
    // --trace logs each handshake message.
    srv.wait_for_log("server → client  ServerHelloDone");
    srv.wait_for_log("client → server  Finished");

    // The suite the page names is the one curl chose.
    let mut c = curl();
    c.args(["-sS", "--cacert", &td("ca-root.cert.pem")])
        .args(["--ciphers", "AES256-SHA"])
        .arg(format!("https://localhost:{}/", srv.port));
    let o = run(c, b"");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(
        o.stdout
            .contains("TLS_RSA_WITH_AES_256_CBC_SHA (AES256-SHA)"),
        "{}",
        o.stdout
    );
}

#[test]
fn server_serves_clients_concurrently() {
    let srv = server(&[]);
    // Three clients connect and stay connected; each gets its echo while the others are
    // still open, which a server handling one client at a time could not do.
    let mut clients = Vec::new();
    for i in 0..3 {
        let (peer, stdin) = Peer::spawn_with_stdin(&mut trusted_client(srv.port));
        clients.push((i, stdin, peer));
    }
    for (i, stdin, peer) in &mut clients {
        writeln!(stdin, "client {i} says hello").unwrap();
        peer.line_containing(&format!("client {i} says hello"));
    }
    for (_, stdin, mut peer) in clients {
        drop(stdin);
        let status = peer.wait();
        assert!(status.success(), "{status:?}");
    }
}

#[test]
fn client_against_s_server_rev_with_alpn_and_suite() {
    let (_peer, port) = peers::s_server()
        .args(["-rev", "-alpn", "h2,http/1.1"])
        .start();
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(["--cafile", &td("ca-root.cert.pem")]).args([
        "--alpn",
        "x-none,http/1.1",
        "--suite",
        "AES256-SHA256",
    ]);
    let o = run(c, b"hello sanstls\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(o.stdout.contains("sltsnas olleh"), "{o:#?}");
    assert!(
        o.stderr.contains("TLS_RSA_WITH_AES_256_CBC_SHA256"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("ALPN:       http/1.1"), "{}", o.stderr);
    assert!(o.stderr.contains("verification: OK"), "{}", o.stderr);
    assert!(o.stderr.contains("CN=localhost"), "{}", o.stderr);
}

#[test]
fn client_against_s_server_www_with_trace() {
    let (_peer, port) = peers::s_server().args(["-www"]).start();
    let mut c = client_cmd(&format!("localhost:{port}"));
    c.args(["--cafile", &td("ca-root.cert.pem"), "--trace"])
        .args(["--suite", "DHE-RSA-AES128-SHA256"]);
    let o = run(c, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(o.stdout.contains("HTTP/1.0 200 ok"), "{o:#?}");
    assert!(o.stdout.contains("DHE-RSA-AES128-SHA256"), "{o:#?}");
    for step in [
        "client → server  ClientHello",
        "server → client  ServerKeyExchange",
        "client → server  ClientKeyExchange",
        "server → client  Finished",
    ] {
        assert!(o.stderr.contains(step), "{step}: {}", o.stderr);
    }
}

#[test]
fn client_certificate_end_to_end() {
    let srv = server(&[
        "--client-ca",
        &td("ca-root.cert.pem"),
        "--require-client-cert",
    ]);
    let mut c = trusted_client(srv.port);
    c.args([
        "--cert",
        &td("client.chain.pem"),
        "--key",
        &td("client.rsa.pem"),
    ]);
    let o = run(c, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert!(
        o.stdout.contains("client certificate:     verified"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("CN=sanstls test client"), "{}", o.stdout);
    assert!(o.stdout.contains("client.example.test"), "{}", o.stdout);

    // Without a certificate the server refuses, and both sides say so.
    let o = run(trusted_client(srv.port), b"x");
    assert_exit(&o, 1, &["--cert"]);
}

#[test]
fn client_uses_the_system_trust_store_without_cafile() {
    let srv = server(&[]);
    // SSL_CERT_FILE stands in for the system bundle.
    let mut c = client_cmd(&format!("127.0.0.1:{}", srv.port));
    c.args(["--servername", "localhost"])
        .env("SSL_CERT_FILE", td("ca-root.cert.pem"));
    let o = run(c, b"trusted\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_eq!(o.stdout, "trusted\n");
    assert!(o.stderr.contains("verification: OK"), "{}", o.stderr);
}

/// `--max-fragment-len` against `openssl s_server` (which knows max_fragment_length,
/// not record_size_limit) and against `sanstls server` (record_size_limit).
#[test]
fn max_fragment_len_against_s_server_and_sanstls_server() {
    let (_peer, port) = peers::s_server().args(["-www"]).start();
    let mut c = client_cmd(&format!("localhost:{port}"));
    c.args([
        "--cafile",
        &td("ca-root.cert.pem"),
        "--max-fragment-len",
        "1024",
    ]);
    let o = run(c, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(o.stdout.contains("HTTP/1.0 200 ok"), "{o:#?}");
    assert!(
        o.stderr.contains(
            "record sizes:           sent <= 1024, received <= 1024 bytes (max_fragment_length)"
        ),
        "{}",
        o.stderr
    );

    let srv = server(&["--max-fragment-len", "2048"]);
    let mut c = trusted_client(srv.port);
    c.args(["--max-fragment-len", "512"]);
    let o = run(c, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    // The client receives at most its 512, sends at most the server's 2048 and its own
    // 512; the page shows the server's view.
    assert!(
        o.stderr.contains(
            "record sizes:           sent <= 512, received <= 512 bytes (record_size_limit)"
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stdout.contains(
            "record sizes:           sent <= 512, received <= 2048 bytes (record_size_limit)"
        ),
        "{}",
        o.stdout
    );
    // Out of range: a usage error.
    let mut c = trusted_client(srv.port);
    c.args(["--max-fragment-len", "63"]);
    assert_exit(&run(c, b""), 2, &["--max-fragment-len"]);
}
