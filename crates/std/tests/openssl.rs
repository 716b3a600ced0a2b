//! sanstls-std against OpenSSL 3's command line on 127.0.0.1 ephemeral ports: a
//! `TlsStream` client against `openssl s_server` (two suites; the protocol itself is
//! covered suite by suite in sanstls-test's interop tests) and a `TlsStream` server
//! against `openssl s_client`. A missing `openssl` binary fails the tests.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use sanstls_std::{CipherSuite, ClientConfig, ServerConfig, accept, connect, load};
use sanstls_test::fixtures;
use sanstls_test::peers::{self, Peer, td};

/// `openssl s_server -www` on an ephemeral port with the given cipher; its port.
fn s_server(cipher: &str) -> (Peer, u16) {
    peers::s_server().args(["-www", "-cipher", cipher]).start()
}

fn client_config(suite: CipherSuite) -> Arc<ClientConfig> {
    let anchors = load::trust_anchors(&fixtures::path("ca-root.cert.pem")).unwrap();
    Arc::new(
        ClientConfig::builder()
            .trust_anchors(anchors)
            .cipher_suites(&[suite])
            .build()
            .unwrap(),
    )
}

fn get_from_s_server(suite: CipherSuite, openssl_name: &str) {
    let (_peer, port) = s_server(openssl_name);
    let mut s = connect(("127.0.0.1", port), "localhost", client_config(suite)).unwrap();
    s.get_ref()
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    assert_eq!(s.negotiated().unwrap().suite, suite);
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    s.flush().unwrap();
    let mut page = Vec::new();
    // s_server -www ends the page with close_notify: read_to_end returns Ok.
    s.read_to_end(&mut page).unwrap();
    let page = String::from_utf8_lossy(&page);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
    assert!(
        page.contains(&format!("Cipher is {openssl_name}")),
        "s_server did not report {openssl_name}:\n{page}"
    );
}

#[test]
fn client_against_s_server_rsa_aes128_sha256() {
    get_from_s_server(
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        "AES128-SHA256",
    );
}

#[test]
fn client_against_s_server_dhe_rsa_aes256_sha() {
    get_from_s_server(
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        "DHE-RSA-AES256-SHA",
    );
}

#[test]
fn server_against_s_client() {
    let key = load::certified_key(
        &fixtures::path("server-rsa2048.chain.pem"),
        &fixtures::path("server-rsa2048.pkcs8.pem"),
    )
    .unwrap();
    let cfg = Arc::new(ServerConfig::builder().single_cert(key).build().unwrap());
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (mut s, _) = accept(&l, cfg).unwrap();
        s.get_ref()
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while !line.ends_with(b"\n") {
            assert_eq!(s.read(&mut b).unwrap(), 1, "s_client ended early");
            line.push(b[0]);
        }
        s.write_all(b"echo: ").unwrap();
        s.write_all(&line).unwrap();
        s.flush().unwrap();
        // s_client closes with close_notify when its stdin ends.
        let mut rest = Vec::new();
        let end = s.read_to_end(&mut rest);
        (
            line,
            end.map_err(|e| e.to_string()),
            s.negotiated().cloned(),
        )
    });

    let (mut peer, mut stdin) = Peer::spawn_with_stdin(
        peers::s_client(port)
            .args(["-quiet", "-no_ign_eof"])
            .args(["-servername", "localhost", "-verify_hostname", "localhost"])
            .args(["-CAfile", &td("ca-root.cert.pem"), "-verify_return_error"]),
    );
    stdin.write_all(b"hello from s_client\n").unwrap();
    stdin.flush().unwrap();
    assert_eq!(peer.line_containing(""), "echo: hello from s_client");
    drop(stdin);
    let status = peer.wait();
    assert!(
        status.success(),
        "s_client failed: {status}\n{}",
        peer.stderr()
    );

    let (line, end, negotiated) = server.join().expect("server thread panicked");
    assert_eq!(line, b"hello from s_client\n");
    assert_eq!(end, Ok(0), "the server did not see a clean close_notify");
    let n = negotiated.unwrap();
    assert_eq!(n.server_name.as_deref(), Some("localhost"));
    assert!(n.extended_master_secret);
}
