//! sanstls against OpenSSL 3's `s_server` and `s_client` on 127.0.0.1 ephemeral ports:
//! every suite, with and without extended master secret and encrypt-then-MAC, ALPN and
//! SNI. Each test starts and stops its own peer. Without `/usr/bin/openssl` (or
//! `$OPENSSL`) the tests fail loudly rather than pass.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::{TrustAnchors, UnixTime};
use sanstls_proto::{
    CertifiedKey, ClientConfig, Connection, Error, Event, Negotiated, ServerConfig,
};
use sanstls_test::fixtures;
use sanstls_wire::enums::{AlertDescription, CipherSuite};

const SUITES: [(CipherSuite, &str); 8] = [
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

fn openssl() -> String {
    let bin = std::env::var("OPENSSL").unwrap_or_else(|_| "/usr/bin/openssl".into());
    assert!(
        std::path::Path::new(&bin).exists(),
        "OpenSSL CLI not found at {bin}: install it (the interop tests need it)"
    );
    bin
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

struct Peer(Child);
impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(v: Variant) -> Command {
    let mut c = Command::new(openssl());
    if !v.ems {
        c.env("OPENSSL_CONF", no_ems_conf());
    }
    c
}

/// Starts `s_server -www` and returns it with its port.
fn s_server(cipher: &str, v: Variant, extra: &[&str]) -> (Peer, u16) {
    let mut c = command(v);
    c.args([
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
    .args(extra);
    if !v.etm {
        c.arg("-no_etm");
    }
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
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
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = out.read_to_end(&mut sink);
    });
    (Peer(child), port)
}

#[derive(Debug, Default)]
struct Outcome {
    data: Vec<u8>,
    complete: bool,
    closed_clean: Option<bool>,
    alerts: Vec<AlertDescription>,
    negotiated: Option<Negotiated>,
}

/// Runs `conn` over `sock` to the end: `on_complete` is called once the handshake is
/// done, `on_data` for each piece of application data.
fn drive(
    conn: &mut Connection,
    sock: &mut TcpStream,
    mut on_complete: impl FnMut(&mut Connection),
    mut on_data: impl FnMut(&mut Connection, &[u8]),
) -> Result<Outcome, Error> {
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut out = Outcome::default();
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
                Event::PeerClosed { clean } => out.closed_clean = Some(clean),
                Event::Alert(a) => out.alerts.push(a),
                _ => {}
            }
        }
        if complete {
            out.complete = true;
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
            return Ok(out);
        }
        let n = match sock.read(conn.recv_buf()) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => 0,
            Err(e) => panic!("socket read: {e}"),
        };
        conn.handle_recv(n, now())?;
        if n == 0 && out.closed_clean.is_some() {
            // Drain the final events (PeerClosed) and stop.
            while conn.poll_event().is_some() {}
            return Ok(out);
        }
    }
}

fn client_config(suite: CipherSuite) -> sanstls_proto::ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    ClientConfig::builder()
        .trust_anchors(anchors)
        .cipher_suites(&[suite])
}

fn connect_client(config: ClientConfig, port: u16, name: &str) -> Result<Outcome, Error> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut rng = SeededRng::from_seed([7; 32]);
    let mut conn = Connection::client(Arc::new(config), name.try_into().unwrap(), now(), &mut rng)?;
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
            assert_eq!(n.encrypt_then_mac, v.etm, "{name} {v:?}");
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
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut c = command(v);
    c.args([
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
    ])
    .args([
        "-CAfile",
        &td("ca-root.cert.pem"),
        "-verify_return_error",
        "-ign_eof",
    ])
    .args(args);
    if !v.etm {
        c.arg("-no_etm");
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello from s_client\n")
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let peer = Peer(child);
    let (mut sock, _) = listener.accept().unwrap();
    let mut rng = SeededRng::from_seed([9; 32]);
    let mut conn = Connection::server(Arc::new(config), now(), &mut rng).unwrap();
    let result = drive(
        &mut conn,
        &mut sock,
        |_| {},
        |c, data| {
            if data.ends_with(b"\n") {
                c.send(b"hello from sanstls\n").unwrap();
                c.close();
            }
        },
    );
    drop(sock);
    let mut peer = peer;
    let _ = peer.0.wait();
    (result, reader.join().unwrap())
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
            assert_eq!(n.encrypt_then_mac, v.etm, "{name} {v:?}");
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
