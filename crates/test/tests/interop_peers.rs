//! sanstls against real peers on 127.0.0.1 ephemeral ports: OpenSSL 3's `s_server` and
//! `s_client` (every suite, with and without extended master secret and
//! encrypt-then-MAC, ALPN, SNI, certificate failures, renegotiation requests), `curl`,
//! and Python's `ssl` module as client and server. Each test starts and stops its own
//! peer. A missing peer binary fails the test loudly; nothing passes silently.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::TrustAnchors;
use sanstls_proto::{
    CertifiedKey, ClientConfig, Connection, Direction, Error, ServerConfig, Trace, TraceKind,
};
use sanstls_test::fixtures;
use sanstls_test::peers::{
    self, HANG_GUARD, Outcome, Peer, SServer, accept, drive, drive_traced, now, openssl, serve_one,
    td, tool,
};
use sanstls_wire::enums::{AlertDescription, AlertLevel, CipherSuite, HandshakeType};

const SUITES: [(CipherSuite, &str); 9] = [
    // The default choice of two sanstls peers, and of sanstls and OpenSSL or Python
    // (the ECDHE/AEAD suites are covered one by one in tests/interop_ecdhe.rs).
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA"),
    (CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA"),
    (
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        "AES128-SHA256",
    ),
    (
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        "AES256-SHA256",
    ),
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        "DHE-RSA-AES128-SHA",
    ),
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        "DHE-RSA-AES256-SHA",
    ),
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        "DHE-RSA-AES128-SHA256",
    ),
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        "DHE-RSA-AES256-SHA256",
    ),
];

/// Which optional features OpenSSL is allowed to use.
#[derive(Clone, Copy, Debug)]
struct Variant {
    ems: bool,
    etm: bool,
}

const VARIANTS: [Variant; 3] = [
    Variant {
        ems: true,
        etm: true,
    },
    Variant {
        ems: true,
        etm: false,
    },
    Variant {
        ems: false,
        etm: true,
    },
];

/// An OPENSSL_CONF file that switches the extended master secret off.
fn no_ems_conf() -> PathBuf {
    let p = std::env::temp_dir().join(format!("sanstls-no-ems-{}.cnf", std::process::id()));
    std::fs::write(
        &p,
        "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n\
         [ssl_sect]\nsystem_default = sd\n[sd]\nOptions = -ExtendedMasterSecret\n",
    )
    .unwrap();
    p
}

/// `s_client -tls1_2 -connect 127.0.0.1:PORT` with the options of `v`.
fn s_client(port: u16, v: Variant) -> std::process::Command {
    let mut c = peers::s_client(port);
    if !v.ems {
        c.env("OPENSSL_CONF", no_ems_conf());
    }
    if !v.etm {
        c.arg("-no_etm");
    }
    c
}

/// `s_server -www -cipher CIPHER` with the options of `v` (not yet started).
fn s_server_www(cipher: &str, v: Variant) -> SServer {
    let mut s = peers::s_server().args(["-www", "-cipher", cipher]);
    if !v.ems {
        s = s.env("OPENSSL_CONF", no_ems_conf());
    }
    if !v.etm {
        s = s.args(["-no_etm"]);
    }
    s
}

/// Starts `s_server -www` and returns it with its port.
fn s_server(cipher: &str, v: Variant, extra: &[&str]) -> (Peer, u16) {
    s_server_www(cipher, v).args(extra).start()
}

/// Waits for s_server to log that it received `alert` (at most [`HANG_GUARD`]), then
/// stops it; whether the alert was there, and what it logged on stderr.
fn alert_logged(peer: &mut Peer, alert: AlertDescription) -> (bool, String) {
    let expect = format!("SSL alert number {}", alert.0);
    let seen = peer.wait_for_stderr(&expect, HANG_GUARD);
    peer.kill();
    (seen, peer.stderr())
}

fn client_config(suite: CipherSuite) -> sanstls_proto::ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    ClientConfig::builder()
        .trust_anchors(anchors)
        .cipher_suites(&[suite])
}

fn connect_client(config: ClientConfig, port: u16, name: &str) -> Result<Outcome, Error> {
    peers::http_get(config, port, name, 7)
}

/// [`connect_client`] to `localhost` with TLS_RSA_WITH_AES_128_CBC_SHA256 only.
fn connect_rsa_aes128_sha256(port: u16) -> Result<Outcome, Error> {
    let suite = CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256;
    connect_client(client_config(suite).build().unwrap(), port, "localhost")
}

#[test]
fn sanstls_client_against_s_server_every_suite() {
    for (suite, name) in SUITES {
        for v in VARIANTS {
            let (_peer, port) = s_server(name, v, &[]);
            let out = connect_client(client_config(suite).build().unwrap(), port, "localhost")
                .unwrap_or_else(|e| panic!("{name} {v:?}: {e}"));
            assert!(out.complete, "{name} {v:?}");
            let n = out.negotiated.unwrap();
            assert_eq!(n.suite, suite);
            assert_eq!(n.extended_master_secret, v.ems, "{name} {v:?}");
            // RFC 7366 §3: never with an AEAD suite.
            let aead = name.contains("GCM");
            assert_eq!(n.encrypt_then_mac, v.etm && !aead, "{name} {v:?}");
            let page = String::from_utf8_lossy(&out.data);
            assert!(page.starts_with("HTTP/1.0 200 ok"), "{name} {v:?}: {page}");
            assert!(
                page.contains(&format!("Cipher is {name}")),
                "{name}: {page}"
            );
        }
    }
}

#[test]
fn sanstls_client_alpn_with_s_server() {
    let (_peer, port) = s_server("AES128-SHA256", VARIANTS[0], &["-alpn", "h2,http/1.1"]);
    let config = client_config(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256)
        .alpn_protocols(&[b"http/1.1"])
        .build()
        .unwrap();
    let out = connect_client(config, port, "localhost").unwrap();
    assert_eq!(
        out.negotiated.unwrap().alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
}

/// Starts a sanstls server on an ephemeral port, runs `s_client` against it with
/// `args`, and returns the server's outcome and s_client's stdout.
fn against_s_client(
    config: ServerConfig,
    v: Variant,
    args: &[&str],
) -> (Result<Outcome, Error>, String) {
    let (result, peer) = serve_one(
        config,
        9,
        |port| {
            Peer::spawn_with_input(
                s_client(port, v)
                    .args(["-CAfile", &td("ca-root.cert.pem")])
                    .args(["-verify_return_error", "-ign_eof"])
                    .args(args),
                b"hello from s_client\n",
            )
        },
        b"\n",
        b"hello from sanstls\n",
    );
    (result, peer.stdout())
}

fn server_config() -> sanstls_proto::ServerConfigBuilder {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    ServerConfig::builder().single_cert(key)
}

#[test]
fn sanstls_server_against_s_client_every_suite() {
    for (suite, name) in SUITES {
        for v in VARIANTS {
            let config = server_config().build().unwrap();
            let (out, stdout) =
                against_s_client(config, v, &["-cipher", name, "-servername", "localhost"]);
            let out = out.unwrap_or_else(|e| panic!("{name} {v:?}: {e}\n{stdout}"));
            let n = out.negotiated.unwrap();
            assert_eq!(n.suite, suite);
            assert_eq!(n.extended_master_secret, v.ems, "{name} {v:?}");
            let aead = name.contains("GCM");
            assert_eq!(n.encrypt_then_mac, v.etm && !aead, "{name} {v:?}");
            assert_eq!(n.server_name.as_deref(), Some("localhost"));
            assert_eq!(out.data, b"hello from s_client\n");
            assert!(
                stdout.contains("hello from sanstls"),
                "{name} {v:?}: {stdout}"
            );
            assert!(stdout.contains("Verify return code: 0 (ok)"), "{stdout}");
        }
    }
}

#[test]
fn sanstls_server_alpn_with_s_client() {
    let config = server_config()
        .alpn_protocols(&[b"h2", b"http/1.1"])
        .build()
        .unwrap();
    let (out, stdout) = against_s_client(config, VARIANTS[0], &["-alpn", "http/1.1,h2"]);
    let out = out.unwrap();
    assert_eq!(out.negotiated.unwrap().alpn.as_deref(), Some(&b"h2"[..]));
    assert!(stdout.contains("ALPN protocol: h2"), "{stdout}");
}

fn temp_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sanstls-{tag}-{}.log", std::process::id()))
}

#[test]
fn sanstls_client_refuses_bad_certificates_and_tells_s_server() {
    let cases: [(&str, &str, sanstls_pki::Error, AlertDescription); 3] = [
        (
            "server-rsa2048",
            "wrong.example.org",
            sanstls_pki::Error::NameMismatch,
            AlertDescription::BAD_CERTIFICATE,
        ),
        (
            "ca-root2-signed",
            "localhost",
            sanstls_pki::Error::UnknownIssuer,
            AlertDescription::UNKNOWN_CA,
        ),
        (
            "bad-expired",
            "localhost",
            sanstls_pki::Error::Expired,
            AlertDescription::CERTIFICATE_EXPIRED,
        ),
    ];
    for (cert, name, want, alert) in cases {
        let server = s_server_www("AES128-SHA256", VARIANTS[0]);
        let (mut peer, port) = if cert == "ca-root2-signed" {
            // The good certificate, but a client that trusts only another root.
            server.start()
        } else {
            server.cert(cert).start()
        };
        let config = if cert == "ca-root2-signed" {
            let other =
                TrustAnchors::from_pem_bundle(&fixtures::read("ca-root2.cert.pem")).unwrap();
            ClientConfig::builder()
                .trust_anchors(other)
                .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256])
                .build()
                .unwrap()
        } else {
            client_config(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256)
                .build()
                .unwrap()
        };
        let err = connect_client(config, port, name).unwrap_err();
        assert_eq!(err, Error::Certificate(want), "{cert}");
        assert_eq!(err.alert(), Some(alert));
        // Give s_server a moment to log the alert, then stop it.
        let (seen, log) = alert_logged(&mut peer, alert);
        assert!(seen, "{cert}: s_server said {log}");
    }
}

#[test]
fn curl_against_sanstls_server() {
    for suite in [
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
    ] {
        let config = server_config().cipher_suites(&[suite]).build().unwrap();
        let (out, curl) = serve_one(
            config,
            11,
            |port| {
                Peer::spawn(
                    tool("curl")
                        .args(["--silent", "--show-error", "--tlsv1.2", "--tls-max", "1.2"])
                        .args(["--cacert", &td("ca-root.cert.pem")])
                        .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
                        .arg(format!("https://localhost:{port}/")),
                )
            },
            b"\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\nhello from tls\n",
        );
        let out = out.unwrap_or_else(|e| panic!("{e}\ncurl said: {}", curl.stderr()));
        let stdout = curl.stdout();
        let n = out.negotiated.unwrap();
        assert_eq!(n.suite, suite);
        assert_eq!(n.server_name.as_deref(), Some("localhost"));
        assert!(out.data.starts_with(b"GET / HTTP/1.1\r\n"));
        assert_eq!(stdout, "hello from tls\n");
    }
}

const PY_CLIENT: &str = r#"
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_alpn_protocols(["x-test", "http/1.1"])
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as s:
    s.sendall(b"hello from python\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print(s.version(), s.cipher()[0], s.selected_alpn_protocol(), data.decode().strip(), flush=True)
    s.unwrap()  # answer the server's close_notify with ours
"#;

#[test]
fn python_ssl_client_against_sanstls_server() {
    let config = server_config()
        .alpn_protocols(&[b"http/1.1"])
        .build()
        .unwrap();
    let (out, python) = serve_one(
        config,
        11,
        |port| {
            Peer::spawn(tool("python3").args([
                "-c",
                PY_CLIENT,
                &port.to_string(),
                &td("ca-root.cert.pem"),
            ]))
        },
        b"\n",
        b"hello from sanstls\n",
    );
    let out = out.unwrap_or_else(|e| panic!("{e}\npython said: {}", python.stderr()));
    let stdout = python.stdout();
    assert_eq!(out.data, b"hello from python\n");
    assert_eq!(out.closed_clean, Some(true));
    let n = out.negotiated.unwrap();
    assert_eq!(n.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(
        stdout.trim(),
        format!(
            "TLSv1.2 {} http/1.1 hello from sanstls",
            SUITES.iter().find(|s| s.0 == n.suite).unwrap().1
        )
    );
}

const PY_SERVER: &str = r#"
import socket, ssl, sys
chain, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(chain, key)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
# Python's ssl sets no DH parameters, so only RSA key exchange is possible here.
ctx.set_ciphers("AES256-SHA256")
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
with ctx.wrap_socket(conn, server_side=True) as t:
    data = t.recv(4096)
    t.sendall(b"echo: " + data)
    agreed = (t.version(), t.cipher()[0])
    t.unwrap()
print(*agreed, flush=True)
"#;

#[test]
fn sanstls_client_against_python_ssl_server() {
    let mut peer = Peer::spawn(tool("python3").args([
        "-c",
        PY_SERVER,
        &td("server-rsa2048.chain.pem"),
        &td("server-rsa2048.rsa.pem"),
    ]));
    // Its first line is the port it bound.
    let line = peer.line_containing("");
    let port: u16 = line.trim().parse().expect("python server port");

    let config = ClientConfig::builder()
        .trust_anchors(TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap())
        .build()
        .unwrap();
    let (mut conn, mut sock) = peers::connect(config, port, "localhost", 13).unwrap();
    let result = drive(
        &mut conn,
        &mut sock,
        |c| {
            c.send(b"ping").unwrap();
        },
        |c, _| c.close(),
    )
    .unwrap();
    assert_eq!(result.data, b"echo: ping");
    let n = result.negotiated.unwrap();
    assert_eq!(n.suite, CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256);
    assert!(n.extended_master_secret);
    peer.wait();
    let stdout = peer.stdout();
    let rest = stdout.split_once('\n').map_or("", |(_, rest)| rest);
    assert_eq!(rest.trim(), "TLSv1.2 AES256-SHA256", "{}", peer.stderr());
}

#[test]
fn sanstls_server_refuses_renegotiation_from_s_client() {
    // `R` on s_client's stdin starts a renegotiation: a ClientHello inside the
    // protected channel. sanstls answers with a no_renegotiation warning (RFC 5746
    // §4.4); OpenSSL, having asked, then gives up with a fatal alert.
    let config = server_config().trace(true).build().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (mut peer, mut stdin) = Peer::spawn_with_stdin(
        s_client(port, VARIANTS[0])
            // No -ign_eof: it also turns the command letters off. Stdin stays open
            // (held by the writer thread) until the test is done.
            .args(["-CAfile", &td("ca-root.cert.pem")]),
    );
    // s_client reads commands only once connected; give the handshake time to finish.
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        let _ = stdin.write_all(b"R\n");
        stdin
    });
    let mut sock = accept(&listener, &mut peer);
    let mut rng = SeededRng::from_seed([15; 32]);
    let mut conn = Connection::server(Arc::new(config), now(), &mut rng).unwrap();
    let mut traces = Vec::new();
    let result = drive_traced(&mut conn, &mut sock, &mut traces, |_| {}, |_, _| {});
    peer.kill();
    drop(writer.join());
    let sent_warning = Trace {
        direction: Direction::Sent,
        kind: TraceKind::Alert(AlertLevel::WARNING, AlertDescription::NO_RENEGOTIATION),
        length: 2,
        protected: true,
    };
    let received_hello = traces
        .iter()
        .position(|t| {
            t.direction == Direction::Received
                && t.kind == TraceKind::Handshake(HandshakeType::CLIENT_HELLO)
                && t.protected
        })
        .expect("a protected ClientHello");
    assert_eq!(traces[received_hello + 1], sent_warning);
    assert_eq!(
        result.unwrap_err(),
        Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE)
    );
}

#[test]
fn sanstls_client_without_certificate_answers_a_certificate_request() {
    // `-verify 1` asks for a client certificate without requiring one: RFC 5246 §7.4.6
    // has the client send an empty Certificate message, and the handshake completes.
    for (suite, name) in [SUITES[2], SUITES[6]] {
        let (_peer, port) = s_server(name, VARIANTS[0], &["-verify", "1"]);
        let out = connect_client(client_config(suite).build().unwrap(), port, "localhost")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(out.complete);
        assert!(String::from_utf8_lossy(&out.data).starts_with("HTTP/1.0 200 ok"));
    }
    // `-Verify 1` requires one: OpenSSL refuses the empty Certificate.
    let (_peer, port) = s_server("AES128-SHA256", VARIANTS[0], &["-Verify", "1"]);
    let err = connect_rsa_aes128_sha256(port).unwrap_err();
    assert!(matches!(err, Error::AlertReceived(_)), "{err:?}");
}

#[test]
fn sanstls_client_checks_key_usage_against_the_key_exchange() {
    // A leaf with keyUsage digitalSignature only may sign DHE parameters but must not
    // receive an RSA-encrypted premaster (RFC 5280 §4.2.1.3).
    let (mut peer, port) = s_server_www("AES128-SHA256", VARIANTS[0])
        .cert("server-ku-sign")
        .start();
    let err = connect_rsa_aes128_sha256(port).unwrap_err();
    assert_eq!(err, Error::CertificateKeyUsage);
    let (seen, log) = alert_logged(&mut peer, AlertDescription::UNSUPPORTED_CERTIFICATE);
    assert!(seen, "s_server said {log}");

    let (_peer, port) = s_server_www("DHE-RSA-AES128-SHA256", VARIANTS[0])
        .cert("server-ku-sign")
        .start();
    let out = connect_client(
        client_config(CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256)
            .build()
            .unwrap(),
        port,
        "localhost",
    )
    .unwrap();
    assert!(out.complete);
}

/// A fresh DH group (safe prime) of `bits`: not an RFC 7919 group.
fn dh_params(bits: u32) -> PathBuf {
    let p = temp_path(&format!("dh{bits}"));
    let ok = openssl()
        .args(["dhparam", "-out"])
        .arg(&p)
        .arg(bits.to_string())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl dhparam failed");
    p
}

#[test]
fn sanstls_client_with_server_chosen_dh_groups() {
    let suite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256;
    let p1024 = dh_params(1024);
    let dh_arg = ["-dhparam", p1024.to_str().unwrap()];
    // A client that accepts at least 8192 bits lists no RFC 7919 group sanstls has, so
    // s_server uses its configured 1024-bit group: insufficient_security, and s_server
    // is told.
    let (mut peer, port) = s_server("DHE-RSA-AES128-SHA256:@SECLEVEL=0", VARIANTS[0], &dh_arg);
    let strict = client_config(suite).min_dh_bits(8192).build().unwrap();
    let err = connect_client(strict, port, "localhost").unwrap_err();
    assert_eq!(
        err,
        Error::PeerIncompatible(sanstls_proto::PeerIncompatible::DhGroupTooSmall { bits: 1024 })
    );
    let (seen, log) = alert_logged(&mut peer, AlertDescription::INSUFFICIENT_SECURITY);
    assert!(seen, "s_server said {log}");

    // A client that accepts 1024 bits completes with that server-chosen group (its
    // supported_groups does not steer OpenSSL 3.0's TLS 1.2 DHE).
    let (_peer, port) = s_server("DHE-RSA-AES128-SHA256:@SECLEVEL=0", VARIANTS[0], &dh_arg);
    let lenient = client_config(suite).min_dh_bits(1024).build().unwrap();
    let out = connect_client(lenient, port, "localhost").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.negotiated.unwrap().dh_bits, Some(1024));
    let _ = std::fs::remove_file(p1024);
}

#[test]
fn sanstls_client_refuses_renegotiation_from_s_server() {
    // `r` on s_server's stdin sends a HelloRequest; the sanstls client answers with a
    // no_renegotiation warning (RFC 5246 §7.4.1.1, RFC 5746 §4.2). (`Q` would end the
    // session if OpenSSL carried on, so the test cannot hang.)
    let (mut peer, port, mut stdin) = peers::s_server().start_with_stdin();

    let config = client_config(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256)
        .trace(true)
        .build()
        .unwrap();
    let (mut conn, mut sock) = peers::connect(config, port, "localhost", 17).unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        let _ = stdin.write_all(b"r\n");
        std::thread::sleep(Duration::from_millis(700));
        let _ = stdin.write_all(b"Q\n");
        stdin
    });
    let mut traces = Vec::new();
    let result = drive_traced(
        &mut conn,
        &mut sock,
        &mut traces,
        |c| {
            c.send(b"hello from sanstls\n").unwrap();
        },
        |_, _| {},
    );
    peer.kill();
    drop(writer.join());
    let stdout = peer.stdout();
    assert!(stdout.contains("hello from sanstls"), "{stdout}");
    let hello_request = traces
        .iter()
        .position(|t| {
            t.direction == Direction::Received
                && t.kind == TraceKind::Handshake(HandshakeType::HELLO_REQUEST)
        })
        .unwrap_or_else(|| panic!("no HelloRequest seen; result {result:?}"));
    assert_eq!(
        traces[hello_request + 1],
        Trace {
            direction: Direction::Sent,
            kind: TraceKind::Alert(AlertLevel::WARNING, AlertDescription::NO_RENEGOTIATION),
            length: 2,
            protected: true,
        }
    );
    // OpenSSL, having asked, gives up on the connection.
    assert_eq!(
        result.unwrap_err(),
        Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE)
    );
}

/// SHA-1 signatures for legacy peers (RFC 9155 opt-in): `s_server` that signs only
/// with rsa_pkcs1_sha1 (security level 0, as OpenSSL 3 refuses SHA-1 above it).
#[test]
fn sha1_signatures_with_openssl_only_when_allowed() {
    let legacy = ["-sigalgs", "RSA+SHA1"];
    let cipher = "DHE-RSA-AES128-SHA:@SECLEVEL=0";
    let suite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA;
    // The sanstls client, allowed: a DHE handshake signed with SHA-1.
    let (_peer, port) = s_server(cipher, VARIANTS[0], &legacy);
    let config = client_config(suite)
        .allow_sha1_signatures(true)
        .build()
        .unwrap();
    let out = connect_client(config, port, "localhost").unwrap();
    assert!(out.complete);
    assert_eq!(out.negotiated.unwrap().suite, suite);
    // Not allowed (the default): it offers no SHA-1, and the server has nothing to
    // sign with.
    let (mut peer, port) = s_server(cipher, VARIANTS[0], &legacy);
    let e = connect_client(client_config(suite).build().unwrap(), port, "localhost");
    assert!(
        matches!(
            &e,
            Err(Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
        ),
        "{:?}",
        e.map(|o| o.negotiated)
    );
    peer.kill();

    // `s_client` offering only SHA-1 against a sanstls server that allows it.
    let config = server_config().allow_sha1_signatures(true).build().unwrap();
    let (out, stdout) = against_s_client(
        config,
        VARIANTS[0],
        &["-cipher", cipher, "-sigalgs", "RSA+SHA1"],
    );
    let out = out.unwrap_or_else(|e| panic!("{e}\n{stdout}"));
    assert_eq!(out.negotiated.unwrap().suite, suite);
    assert!(stdout.contains("Peer signing digest: SHA1"), "{stdout}");
    // And against one that does not: handshake_failure for the DHE-only client.
    let (out, stdout) = against_s_client(
        server_config().build().unwrap(),
        VARIANTS[0],
        &["-cipher", cipher, "-sigalgs", "RSA+SHA1"],
    );
    assert_eq!(
        out.unwrap_err(),
        Error::PeerIncompatible(sanstls_proto::PeerIncompatible::NoCommonCipherSuite),
        "{stdout}"
    );
}
