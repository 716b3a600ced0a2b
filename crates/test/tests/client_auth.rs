//! Client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8) against real peers on
//! 127.0.0.1 ephemeral ports: a sanstls client with a certificate against OpenSSL 3's
//! `s_server -Verify 1`, a sanstls server with a client verifier against `s_client
//! -cert` and against Python's `ssl` with `load_cert_chain`, and the refusals (no
//! certificate where one is required). Every spawned peer is killed when the test ends,
//! also on failure. A missing peer binary fails the test loudly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::{TrustAnchors, UnixTime, WebPkiClientVerifier, pem_to_der_certs};
use sanstls_proto::{
    CertifiedKey, ClientConfig, Connection, Error, Event, Negotiated, PeerIncompatible,
    ServerConfig,
};
use sanstls_test::fixtures;
use sanstls_wire::enums::{AlertDescription, CipherSuite, SignatureScheme};

fn openssl() -> Command {
    let bin = std::env::var("OPENSSL").unwrap_or_else(|_| "/usr/bin/openssl".into());
    assert!(
        std::path::Path::new(&bin).exists(),
        "OpenSSL CLI not found at {bin}: install it (the interop tests need it)"
    );
    Command::new(bin)
}

fn python3() -> Command {
    for p in ["/usr/bin/python3", "/usr/local/bin/python3"] {
        if std::path::Path::new(p).exists() {
            return Command::new(p);
        }
    }
    assert!(
        Command::new("python3").arg("--version").output().is_ok(),
        "python3 not found: install it (the interop tests need it)"
    );
    Command::new("python3")
}

fn now() -> UnixTime {
    UnixTime(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
}

fn td(name: &str) -> String {
    fixtures::path(name).display().to_string()
}

/// A spawned peer, killed and reaped when dropped.
struct Peer(Child);
impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads `pipe` to the end on a thread (so the peer never blocks on a full pipe).
fn collect(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = pipe.read_to_string(&mut s);
        s
    })
}

fn client_key() -> CertifiedKey {
    CertifiedKey::from_pem(
        &fixtures::read("client.chain.pem"),
        &fixtures::read("client.rsa.pem"),
    )
    .unwrap()
}

fn client_chain() -> Vec<Vec<u8>> {
    pem_to_der_certs(&fixtures::read("client.chain.pem")).unwrap()
}

fn client_config(suite: CipherSuite) -> sanstls_proto::ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    ClientConfig::builder()
        .trust_anchors(anchors)
        .cipher_suites(&[suite])
}

fn server_config(mandatory: bool) -> sanstls_proto::ServerConfigBuilder {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    let verifier = WebPkiClientVerifier::new(anchors);
    let verifier = if mandatory {
        verifier
    } else {
        verifier.allow_unauthenticated()
    };
    ServerConfig::builder()
        .single_cert(key)
        .client_verifier(Arc::new(verifier))
}

#[derive(Debug, Default)]
struct Outcome {
    data: Vec<u8>,
    negotiated: Option<Negotiated>,
    peer_certificates: Vec<Vec<u8>>,
}

/// Runs `conn` over `sock` until it is closed: `on_complete` once the handshake is
/// done, `on_data` for each piece of application data. On a protocol error the queued
/// fatal alert is delivered before the error is returned.
fn drive(
    conn: &mut Connection,
    sock: &mut TcpStream,
    mut on_complete: impl FnMut(&mut Connection),
    mut on_data: impl FnMut(&mut Connection, &[u8]),
) -> Result<Outcome, Error> {
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut out = Outcome::default();
    let mut peer_closed = false;
    loop {
        while !conn.poll_transmit().is_empty() {
            let n = sock.write(conn.poll_transmit()).expect("socket write");
            conn.handle_transmitted(n)?;
        }
        let mut complete = false;
        let mut data = Vec::new();
        while let Some(ev) = conn.poll_event() {
            match ev {
                Event::HandshakeComplete => complete = true,
                Event::AppData(d) => data.extend_from_slice(d),
                Event::PeerClosed { .. } => peer_closed = true,
                _ => {}
            }
        }
        if complete {
            out.negotiated = conn.negotiated().cloned();
            on_complete(conn);
        }
        if !data.is_empty() {
            out.data.extend_from_slice(&data);
            on_data(conn, &data);
        }
        if !conn.poll_transmit().is_empty() {
            continue;
        }
        if conn.is_closed() {
            out.peer_certificates = conn.peer_certificates().to_vec();
            return Ok(out);
        }
        let n = match sock.read(conn.recv_buf()) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => 0,
            Err(e) => panic!("socket read: {e}"),
        };
        if let Err(e) = conn.handle_recv(n, now()) {
            let _ = sock.write_all(conn.poll_transmit());
            return Err(e);
        }
        if n == 0 && peer_closed {
            while conn.poll_event().is_some() {}
            out.peer_certificates = conn.peer_certificates().to_vec();
            return Ok(out);
        }
    }
}

// ---- sanstls client, OpenSSL server ------------------------------------------------

/// Starts `s_server -www -Verify 1` (a client certificate is required and checked
/// against the test root) and returns it with its port.
fn s_server_requiring_client_cert(cipher: &str) -> (Peer, u16) {
    let mut child = openssl()
        .args([
            "s_server",
            "-tls1_2",
            "-accept",
            "127.0.0.1:0",
            "-www",
            "-cipher",
            cipher,
        ])
        .args(["-cert", &td("server-rsa2048.cert.pem")])
        .args(["-key", &td("server-rsa2048.rsa.pem")])
        .args(["-cert_chain", &td("ca-int.cert.pem")])
        .args(["-Verify", "1", "-CAfile", &td("ca-root.cert.pem")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let peer = Peer(child);
    let mut line = String::new();
    let port = loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "s_server exited early"
        );
        if let Some(addr) = line.trim().strip_prefix("ACCEPT ") {
            break addr.rsplit(':').next().unwrap().parse().unwrap();
        }
    };
    drop(collect(out));
    (peer, port)
}

fn connect(config: ClientConfig, port: u16) -> Result<Outcome, Error> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut rng = SeededRng::from_seed([21; 32]);
    let mut conn = Connection::client(
        Arc::new(config),
        "localhost".try_into().unwrap(),
        now(),
        &mut rng,
    )?;
    let mut sent = false;
    drive(
        &mut conn,
        &mut sock,
        |c| {
            if !sent {
                sent = true;
                c.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
            }
        },
        |_, _| {},
    )
}

#[test]
fn sanstls_client_certificate_accepted_by_s_server() {
    // (suite, OpenSSL name, the schemes the client may sign with)
    let cases: [(CipherSuite, &str, &[SignatureScheme]); 5] = [
        (
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
            "AES128-SHA256",
            sanstls_proto::config::DEFAULT_SIGNATURE_SCHEMES,
        ),
        (
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            "DHE-RSA-AES128-SHA256",
            sanstls_proto::config::DEFAULT_SIGNATURE_SCHEMES,
        ),
        (
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
            "DHE-RSA-AES256-SHA",
            &[SignatureScheme::RSA_PKCS1_SHA256],
        ),
        (
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
            "AES256-SHA",
            &[SignatureScheme::RSA_PSS_RSAE_SHA384],
        ),
        (
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            "AES128-SHA",
            &[SignatureScheme::RSA_PKCS1_SHA512],
        ),
    ];
    for (suite, name, schemes) in cases {
        let (_peer, port) = s_server_requiring_client_cert(name);
        let config = client_config(suite)
            .signature_schemes(schemes)
            .client_certificate(client_key())
            .build()
            .unwrap();
        let out = connect(config, port).unwrap_or_else(|e| panic!("{name} {schemes:?}: {e}"));
        assert_eq!(out.negotiated.unwrap().suite, suite);
        let page = String::from_utf8_lossy(&out.data);
        assert!(page.starts_with("HTTP/1.0 200 ok"), "{name}: {page}");
        // s_server -www prints the certificate the client presented.
        assert!(page.contains("Client certificate"), "{name}: {page}");
        assert!(
            page.contains("Subject: CN=sanstls test client"),
            "{name}: {page}"
        );
    }
}

#[test]
fn sanstls_client_without_certificate_refused_by_s_server() {
    let (_peer, port) = s_server_requiring_client_cert("AES128-SHA256");
    let config = client_config(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256)
        .build()
        .unwrap();
    let err = connect(config, port).unwrap_err();
    // OpenSSL's answer to an empty Certificate under -Verify (TLS 1.2).
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE)
    );
}

// ---- sanstls server, OpenSSL and Python clients ------------------------------------

/// Serves one connection to the client `spawn` starts (given the port); answers with
/// `reply` and closes once the received data ends with `until`. Returns the server's
/// outcome and the client's stdout and stderr together.
fn serve_one(
    config: ServerConfig,
    spawn: impl FnOnce(u16) -> Child,
    until: &'static [u8],
    reply: &'static [u8],
) -> (Result<Outcome, Error>, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut child = spawn(port);
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = child.stderr.take().map(collect);
    let mut peer = Peer(child);
    let (mut sock, _) = listener.accept().unwrap();
    let mut rng = SeededRng::from_seed([23; 32]);
    let mut conn = Connection::server(Arc::new(config), now(), &mut rng).unwrap();
    let mut got = Vec::new();
    let result = drive(
        &mut conn,
        &mut sock,
        |_| {},
        |c, data| {
            got.extend_from_slice(data);
            if got.ends_with(until) {
                c.send(reply).unwrap();
                c.close();
            }
        },
    );
    drop(sock);
    let _ = peer.0.wait();
    let mut text = stdout.join().unwrap();
    if let Some(e) = stderr {
        text.push_str(&e.join().unwrap());
    }
    (result, text)
}

fn s_client(port: u16, with_cert: bool, cipher: &str) -> Child {
    let mut c = openssl();
    c.args([
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-cipher",
        cipher,
        "-CAfile",
        &td("ca-root.cert.pem"),
        "-verify_return_error",
        "-ign_eof",
    ]);
    if with_cert {
        c.args(["-cert", &td("client.cert.pem")])
            .args(["-key", &td("client.rsa.pem")])
            .args(["-cert_chain", &td("ca-int.cert.pem")]);
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello from s_client\n")
        .unwrap();
    child
}

#[test]
fn s_client_certificate_accepted_by_sanstls_server() {
    // The server's scheme list decides what OpenSSL may sign its CertificateVerify
    // with: PSS, PKCS#1, or its own choice among the defaults.
    let cases: [(&str, &[SignatureScheme]); 4] = [
        (
            "AES128-SHA256",
            sanstls_proto::config::DEFAULT_SIGNATURE_SCHEMES,
        ),
        (
            "DHE-RSA-AES128-SHA256",
            sanstls_proto::config::DEFAULT_SIGNATURE_SCHEMES,
        ),
        ("DHE-RSA-AES256-SHA", &[SignatureScheme::RSA_PKCS1_SHA256]),
        ("AES256-SHA256", &[SignatureScheme::RSA_PSS_RSAE_SHA512]),
    ];
    for (cipher, schemes) in cases {
        let config = server_config(true)
            .signature_schemes(schemes)
            .build()
            .unwrap();
        let (out, text) = serve_one(
            config,
            |port| s_client(port, true, cipher),
            b"\n",
            b"hello from sanstls\n",
        );
        let out = out.unwrap_or_else(|e| panic!("{cipher} {schemes:?}: {e}\n{text}"));
        assert_eq!(out.data, b"hello from s_client\n");
        let n = out.negotiated.unwrap();
        assert_eq!(n.peer_certificates, client_chain(), "{cipher}");
        assert_eq!(out.peer_certificates, client_chain());
        assert!(text.contains("hello from sanstls"), "{cipher}: {text}");
        assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
    }
}

#[test]
fn s_client_without_certificate() {
    // Mandatory: refused with handshake_failure, which s_client reports.
    let config = server_config(true).build().unwrap();
    let (out, text) = serve_one(
        config,
        |port| s_client(port, false, "AES128-SHA256"),
        b"\n",
        b"unreachable\n",
    );
    assert_eq!(
        out.unwrap_err(),
        Error::PeerIncompatible(PeerIncompatible::ClientCertificateRequired)
    );
    assert!(
        text.contains("alert handshake failure") && text.contains("alert number 40"),
        "s_client said: {text}"
    );

    // Optional: an anonymous client gets through.
    let config = server_config(false).build().unwrap();
    let (out, text) = serve_one(
        config,
        |port| s_client(port, false, "DHE-RSA-AES128-SHA256"),
        b"\n",
        b"hello anonymous\n",
    );
    let out = out.unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(out.data, b"hello from s_client\n");
    assert!(out.negotiated.unwrap().peer_certificates.is_empty());
    assert!(out.peer_certificates.is_empty());
    assert!(text.contains("hello anonymous"), "{text}");
}

const PY_CLIENT: &str = r#"
import socket, ssl, sys
port, ca, chain, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.load_cert_chain(chain, key)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as s:
    s.sendall(b"hello from python\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print(s.version(), data.decode().strip(), flush=True)
    s.unwrap()
"#;

#[test]
fn python_ssl_client_certificate_accepted_by_sanstls_server() {
    let config = server_config(true).build().unwrap();
    let (out, text) = serve_one(
        config,
        |port| {
            python3()
                .args(["-c", PY_CLIENT, &port.to_string()])
                .args([td("ca-root.cert.pem"), td("client.chain.pem")])
                .arg(td("client.rsa.pem"))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        },
        b"\n",
        b"hello from sanstls\n",
    );
    let out = out.unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(out.data, b"hello from python\n");
    assert_eq!(out.negotiated.unwrap().peer_certificates, client_chain());
    assert_eq!(text.trim(), "TLSv1.2 hello from sanstls");
}
