//! The fragment-limit harness works: the tlslite-ng peers (`crates/test/peers`) against
//! each other with record_size_limit, against OpenSSL, and against sanstls at default
//! settings; [`RecordSizeProxy`] measures the records of any pair, here what
//! `openssl s_client -maxfraglen N` gets from `openssl s_server`. The last tests use it
//! on sanstls's own limits, each role each way: the pattern for more. A missing python3
//! or tlslite-ng fails these tests loudly (`.ci/run` installs tlslite-ng).
//!
//! Record lengths are the record header's length field: for the AES-CBC suites a
//! record of `n` plaintext bytes is at most `n + 64` long ([`cbc_record_len`]).

use std::io::Write;
use std::time::Duration;

use sanstls_pki::TrustAnchors;
use sanstls_proto::{CertifiedKey, ClientConfig, ServerConfig};
use sanstls_test::fixtures;
use sanstls_test::peers::{
    self, HANG_GUARD, Peer, RecordLog, RecordSizeProxy, cbc_record_len, largest_record_received,
    s_client, s_server, send_all, serve_one, td, tlslite_client, tlslite_records, tlslite_report,
    tlslite_server,
};
use sanstls_wire::enums::{CipherSuite, ExtensionType};

/// One report field of a tlslite peer's stderr, e.g. `field(&err, "NEGOTIATED", "ems")`.
fn field(stderr: &str, what: &str, key: &str) -> String {
    tlslite_report(stderr, what)
        .and_then(|f| f.get(key).cloned())
        .unwrap_or_else(|| panic!("no {what} {key}= in:\n{stderr}"))
}

/// Waits for `peer` to exit and checks that it succeeded; its stderr.
fn succeeded(peer: &mut Peer) -> String {
    let status = peer.wait();
    assert!(status.success(), "{status}\n{}", peer.output());
    peer.stderr()
}

/// A sanstls client trusting `ca-root` and offering `suite` only.
fn client_config(suite: CipherSuite) -> ClientConfig {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    ClientConfig::builder()
        .trust_anchors(anchors)
        .cipher_suites(&[suite])
        .build()
        .unwrap()
}

fn server_config() -> ServerConfig {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    ServerConfig::builder().single_cert(key).build().unwrap()
}

/// Both tlslite peers advertise 512 (through the proxy, which must see what they
/// measured): every protected record either way carries at most 512 bytes.
#[test]
fn tlslite_both_ways_with_record_size_limit_512() {
    let (mut server, port) = tlslite_server(["--record-size-limit", "512"]);
    let (proxy, proxy_port) = RecordSizeProxy::start(port);
    let message = vec![b'a'; 5000];
    let mut client = tlslite_client(
        proxy_port,
        [
            "--record-size-limit",
            "512",
            "--suite",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
        ],
        &message,
    );
    let client_err = succeeded(&mut client);
    let server_err = succeeded(&mut server);
    assert_eq!(client.stdout().len(), message.len());
    assert!(proxy.wait_closed(HANG_GUARD));

    let bound = cbc_record_len(512, 32, true);
    assert_eq!(bound, 576);
    for err in [&client_err, &server_err] {
        assert_eq!(field(err, "HELLO received", "record_size_limit"), "512");
        assert_eq!(field(err, "LIMITS", "send"), "512");
        assert_eq!(field(err, "LIMITS", "recv"), "512");
        assert_eq!(
            field(err, "NEGOTIATED", "cipher"),
            "TLS_RSA_WITH_AES_128_CBC_SHA256"
        );
        assert_eq!(field(err, "NEGOTIATED", "etm"), "yes");
        let got = tlslite_records(err, "received");
        assert_eq!(got.largest_protected, bound, "{err}");
        assert_eq!(got.largest_app_data, bound, "{err}");
    }
    // The proxy saw the same records as the peers measured.
    let (to_server, to_client) = (proxy.to_server(), proxy.to_client());
    assert_eq!(
        to_client.largest_protected(),
        largest_record_received(&client_err)
    );
    assert_eq!(
        to_server.largest_protected(),
        largest_record_received(&server_err)
    );
    assert_eq!(
        to_client.records.len(),
        tlslite_records(&client_err, "received").count
    );
    assert_eq!(
        to_server.records.len(),
        tlslite_records(&server_err, "received").count
    );
    // 5000 bytes in records of at most 512: at least ten each way.
    assert!(to_server.app_data_records() >= 10, "{to_server:?}");
    assert!(to_client.app_data_records() >= 10, "{to_client:?}");
    // The server's first flight is unprotected and bigger: not subject to the limit.
    assert!(to_client.largest() > 1000, "{to_client:?}");
}

/// Only the client advertises a limit (256): the server keeps to it, the client does
/// not have to keep to anything smaller than 2^14.
#[test]
fn tlslite_client_limit_only() {
    let (mut server, port) = tlslite_server(["--suite", "AES128-SHA", "--no-etm"]);
    let mut client = tlslite_client(port, ["--record-size-limit", "256"], &[b'b'; 3000]);
    let client_err = succeeded(&mut client);
    let server_err = succeeded(&mut server);
    assert_eq!(field(&client_err, "NEGOTIATED", "etm"), "no");
    // tlslite-ng's server answers the client's extension with its own limit, 2^14.
    assert_eq!(
        field(&client_err, "HELLO received", "record_size_limit"),
        "16384"
    );
    assert_eq!(field(&server_err, "LIMITS", "send"), "256");
    assert_eq!(
        largest_record_received(&client_err),
        cbc_record_len(256, 20, false)
    );
    assert_eq!(
        largest_record_received(&server_err),
        cbc_record_len(3000, 20, false)
    );
}

/// tlslite-ng enforces its limit: a client that ignores the server's 512 gets a fatal
/// record_overflow (what sanstls must do too).
#[test]
fn tlslite_server_enforces_its_limit() {
    let (mut server, port) = tlslite_server(["--record-size-limit", "512"]);
    let mut client = tlslite_client(port, ["--ignore-record-size-limit"], &[b'c'; 3000]);
    assert!(!client.wait().success());
    assert!(!server.wait().success());
    let (client_err, server_err) = (client.stderr(), server.stderr());
    assert!(
        server_err.contains("ERROR TLSLocalAlert: record_overflow"),
        "{server_err}"
    );
    assert!(
        client_err.contains("ERROR TLSRemoteAlert: record_overflow"),
        "{client_err}"
    );
}

/// tlslite client against `openssl s_server -www`: OpenSSL 3.0 ignores
/// record_size_limit, so its page comes in one big record.
#[test]
fn tlslite_client_against_s_server() {
    let (_server, port) = s_server().args(["-www"]).start();
    let mut client = tlslite_client(
        port,
        ["--read-until-close", "--record-size-limit", "512"],
        b"GET / HTTP/1.0\r\n\r\n",
    );
    let err = succeeded(&mut client);
    let page = client.stdout();
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
    assert!(err.contains("tlslite: VERIFIED chain of 2"), "{err}");
    assert_eq!(field(&err, "HELLO received", "record_size_limit"), "none");
    assert_eq!(field(&err, "LIMITS", "peer_record_size_limit"), "none");
    assert_eq!(field(&err, "NEGOTIATED", "ems"), "yes");
    assert!(largest_record_received(&err) > 4000, "{err}");
}

/// `openssl s_client -maxfraglen 512` against the tlslite server: tlslite-ng ignores
/// max_fragment_length (no extension in its ServerHello) and echoes as usual.
#[test]
fn s_client_against_tlslite_server() {
    let (mut server, port) = tlslite_server(["--record-size-limit", "512"]);
    let (mut client, mut stdin) = Peer::spawn_with_stdin(
        s_client(port)
            .args(["-CAfile", &td("ca-root.cert.pem")])
            .args(["-verify_return_error", "-maxfraglen", "512"]),
    );
    stdin.write_all(b"hello from s_client\n").unwrap();
    client.line_containing("hello from s_client");
    drop(stdin); // s_client sends close_notify
    let server_err = succeeded(&mut server);
    client.wait();
    assert!(
        server_err.contains("ECHOED 20 bytes; client sent close_notify"),
        "{server_err}"
    );
    assert_eq!(
        field(&server_err, "HELLO received", "max_fragment_length"),
        "512"
    );
    assert_eq!(
        field(&server_err, "HELLO sent", "max_fragment_length"),
        "none"
    );
    assert_eq!(
        field(&server_err, "HELLO received", "record_size_limit"),
        "none"
    );
    assert_eq!(field(&server_err, "LIMITS", "send"), "16384");
}

/// The sanstls client against the tlslite server, every suite: the server answers a
/// request with 20,000 bytes in one write; without a limit they come as 16 KiB records.
#[test]
fn sanstls_client_against_tlslite_server() {
    for suite in [
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
    ] {
        let (mut server, port) = tlslite_server(["--http", "--body-size", "20000"]);
        let (proxy, proxy_port) = RecordSizeProxy::start(port);
        let out = peers::http_get(client_config(suite), proxy_port, "localhost", 7)
            .unwrap_or_else(|e| panic!("{suite:?}: {e}\n{}", server.output()));
        let err = succeeded(&mut server);
        assert!(out.complete);
        let n = out.negotiated.unwrap();
        assert_eq!(n.suite, suite);
        assert!(n.extended_master_secret && n.encrypt_then_mac, "{suite:?}");
        let page = String::from_utf8_lossy(&out.data);
        assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
        assert!(page.contains("tlslite-ng: cipher is TLS_"), "{page}");
        assert_eq!(out.closed_clean, Some(true));
        assert_eq!(field(&err, "NEGOTIATED", "etm"), "yes");
        assert!(proxy.wait_closed(HANG_GUARD));
        let to_client = proxy.to_client();
        // 20,000 bytes and more of body: a full 2^14 record and a rest.
        assert!(to_client.largest_app_data() > 16384, "{to_client:?}");
        assert!(to_client.largest_app_data() <= 16384 + 64, "{to_client:?}");
        assert_eq!(
            to_client.largest_protected(),
            tlslite_records(&err, "sent").largest_protected
        );
    }
}

/// The tlslite client against the sanstls server: tlslite-ng offers
/// record_size_limit 16385 by default (the TLS 1.3 value, even when it offers only
/// TLS 1.2), which a server must accept (RFC 8449 §4).
#[test]
fn tlslite_client_against_sanstls_server() {
    let (result, mut client) = serve_one(
        server_config(),
        9,
        |port| tlslite_client(port, ["--read-until-close"], b"hello from tlslite\n"),
        b"\n",
        b"hello from sanstls\n",
    );
    let out = result.unwrap_or_else(|e| panic!("{e}\n{}", client.output()));
    assert!(out.complete);
    assert_eq!(out.data, b"hello from tlslite\n");
    let err = succeeded(&mut client);
    assert_eq!(client.stdout(), "hello from sanstls\n");
    assert_eq!(field(&err, "HELLO sent", "record_size_limit"), "16385");
    assert!(
        err.contains("tlslite: SERVER closed (close_notify)"),
        "{err}"
    );
    assert_eq!(field(&err, "NEGOTIATED", "ems"), "yes");
    assert_eq!(field(&err, "NEGOTIATED", "etm"), "yes");
}

/// The records `openssl s_client -maxfraglen` (`None`: without it) gets from
/// `openssl s_server -www`, through the proxy: (to the server, to the client).
fn openssl_pair(maxfraglen: Option<u16>) -> (RecordLog, RecordLog, String) {
    let (_server, port) = s_server().args(["-www"]).start();
    let (proxy, proxy_port) = RecordSizeProxy::start(port);
    let mut cmd = s_client(proxy_port);
    cmd.args(["-ign_eof", "-tlsextdebug", "-cipher", "AES128-SHA256"]);
    if let Some(n) = maxfraglen {
        cmd.args(["-maxfraglen", &n.to_string()]);
    }
    let mut client = Peer::spawn_with_input(&mut cmd, b"GET / HTTP/1.0\r\n\r\n");
    client.wait();
    assert!(proxy.wait_closed(Duration::from_secs(10)));
    (proxy.to_server(), proxy.to_client(), client.stdout())
}

/// What OpenSSL 3.0 does with max_fragment_length, measured: s_server fragments
/// everything after its ServerHello (Certificate included) to the negotiated length,
/// and s_client does the same with its own records.
#[test]
fn openssl_maxfraglen_record_sizes() {
    let (to_server, to_client, page) = openssl_pair(None);
    assert!(page.contains("HTTP/1.0 200 ok"), "{page}");
    let page_record = to_client.largest_app_data();
    assert!(page_record > 4096 + 64, "{to_client:?}");
    eprintln!(
        "no maxfraglen: largest to client {} (after hello {}), to server {}",
        to_client.largest(),
        to_client.largest_after_hello(),
        to_server.largest()
    );
    for n in [512, 1024, 2048, 4096] {
        let (to_server, to_client, page) = openssl_pair(Some(n));
        assert!(page.contains("HTTP/1.0 200 ok"), "{n}: {page}");
        // s_server acknowledged it (-tlsextdebug shows the ServerHello's extensions).
        let code = [512, 1024, 2048, 4096]
            .iter()
            .position(|&m| m == n)
            .unwrap()
            + 1;
        let ack = format!("\"max fragment length\" (id=1), len=1\n0000 - 0{code}");
        assert!(page.contains(&ack), "{n}: {page}");
        let n = usize::from(n);
        eprintln!(
            "maxfraglen {n}: to client largest {} after hello {} protected {} app data {} \
             ({} records); to server largest {} after hello {}",
            to_client.largest(),
            to_client.largest_after_hello(),
            to_client.largest_protected(),
            to_client.largest_app_data(),
            to_client.app_data_records(),
            to_server.largest(),
            to_server.largest_after_hello(),
        );
        // Unprotected records carry at most n bytes; protected ones at most n + 64.
        let unprotected = to_client.records.iter().filter(|r| !r.protected);
        assert!(unprotected.map(|r| r.len).max().unwrap() <= n, "{n}");
        assert!(to_client.largest_protected() <= n + 64, "{n}");
        assert_eq!(to_client.largest_app_data(), cbc_record_len(n, 32, true));
        assert!(to_server.largest_after_hello() <= n + 64, "{n}");
    }
}

/// `openssl s_client -maxfraglen N` against the sanstls server, for every N RFC 6066
/// allows, through the proxy (started in the spawn closure, between the server's port
/// and the client): sanstls acknowledges it and fragments everything after its
/// ServerHello, Certificate included, to N bytes; s_client does the same with its line.
#[test]
fn s_client_maxfraglen_against_sanstls_server() {
    for n in [512usize, 1024, 2048, 4096] {
        let mut proxy = None;
        let line = [vec![b'l'; 2 * n + 7], b"\n".to_vec()].concat();
        let reply = [vec![b'x'; 3 * n + 9], b"\n".to_vec()].concat();
        let (result, client) = serve_one(
            server_config(),
            9,
            |port| {
                let (p, proxy_port) = RecordSizeProxy::start(port);
                proxy = Some(p);
                Peer::spawn_with_input(
                    s_client(proxy_port)
                        .args(["-CAfile", &td("ca-root.cert.pem"), "-verify_return_error"])
                        .args(["-ign_eof", "-tlsextdebug", "-maxfraglen", &n.to_string()])
                        // A CBC suite: the record bounds below are CBC's.
                        .args(["-cipher", "ECDHE-RSA-AES128-SHA256"]),
                    &line,
                )
            },
            b"\n",
            &reply,
        );
        let out = result.unwrap_or_else(|e| panic!("{n}: {e}\n{}", client.output()));
        let neg = out.negotiated.unwrap();
        assert_eq!(
            neg.fragment_limit_by,
            Some(ExtensionType::MAX_FRAGMENT_LENGTH),
            "{n}"
        );
        assert_eq!((neg.max_fragment_sent, neg.max_fragment_received), (n, n));
        assert_eq!(out.data, line, "{n}");
        let stdout = client.stdout();
        let code = n.trailing_zeros() - 8; // 512 -> 1 ... 4096 -> 4
        assert!(
            stdout.contains(&format!(
                "\"max fragment length\" (id=1), len=1\n0000 - 0{code}"
            )),
            "{n}: {stdout}"
        );
        assert!(
            stdout.contains(&"x".repeat(3 * n + 9)),
            "{}",
            client.stderr()
        );
        let proxy = proxy.unwrap();
        assert!(proxy.wait_closed(HANG_GUARD));
        let (to_server, to_client) = (proxy.to_server(), proxy.to_client());
        let unprotected = to_client
            .records
            .iter()
            .filter(|r| r.index > 0 && !r.protected);
        assert!(
            unprotected.map(|r| r.len).max().unwrap() <= n,
            "{n}: {to_client:?}"
        );
        let bound = cbc_record_len(n, 32, true);
        assert_eq!(to_client.largest_after_hello(), bound, "{n}: {to_client:?}");
        assert_eq!(to_server.largest_after_hello(), bound, "{n}: {to_server:?}");
        assert!(to_client.app_data_records() >= 4, "{n}: {to_client:?}");
    }
}

/// The sanstls client asking for N against `openssl s_server -www` (OpenSSL 3.0 knows
/// max_fragment_length, not record_size_limit): the server answers max_fragment_length
/// and sends records of at most N bytes, the 4 KiB status page included.
#[test]
fn sanstls_client_maxfraglen_against_s_server() {
    for n in [512usize, 1024, 2048, 4096] {
        let (_server, port) = s_server().args(["-www"]).start();
        let (proxy, proxy_port) = RecordSizeProxy::start(port);
        let suite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256;
        let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
        let config = ClientConfig::builder()
            .trust_anchors(anchors)
            .cipher_suites(&[suite])
            .max_fragment_len(n)
            .build()
            .unwrap();
        let out = peers::http_get(config, proxy_port, "localhost", 7).unwrap();
        assert!(String::from_utf8_lossy(&out.data).starts_with("HTTP/1.0 200 ok"));
        let neg = out.negotiated.unwrap();
        assert_eq!(
            neg.fragment_limit_by,
            Some(ExtensionType::MAX_FRAGMENT_LENGTH),
            "{n}"
        );
        assert_eq!((neg.max_fragment_sent, neg.max_fragment_received), (n, n));
        assert!(proxy.wait_closed(HANG_GUARD));
        let to_client = proxy.to_client();
        assert!(
            to_client.largest_after_hello() <= cbc_record_len(n, 32, true),
            "{n}: {to_client:?}"
        );
    }
}

/// The tlslite client advertising 512 against the sanstls server: sanstls sends
/// its 4,000-byte reply in records of at most 512 bytes (tlslite-ng would fail with
/// record_overflow otherwise), and tlslite-ng keeps to the limit sanstls announced
/// (2^14 by default).
#[test]
fn tlslite_client_record_size_limit_512_against_sanstls_server() {
    let message = [vec![b'm'; 3000], b"\n".to_vec()].concat();
    let reply = [vec![b'r'; 4000], b"\n".to_vec()].concat();
    let (result, mut client) = serve_one(
        server_config(),
        9,
        |port| {
            tlslite_client(
                port,
                ["--read-until-close", "--record-size-limit", "512"],
                &message,
            )
        },
        b"\n",
        &reply,
    );
    let out = result.unwrap_or_else(|e| panic!("{e}\n{}", client.output()));
    assert_eq!(out.data, message);
    let n = out.negotiated.unwrap();
    assert_eq!(n.fragment_limit_by, Some(ExtensionType::RECORD_SIZE_LIMIT));
    assert_eq!(n.max_fragment_sent, 512);
    let err = succeeded(&mut client);
    assert_eq!(client.stdout().as_bytes(), reply);
    assert_eq!(field(&err, "HELLO received", "record_size_limit"), "16384");
    assert_eq!(field(&err, "LIMITS", "recv"), "512");
    let received = tlslite_records(&err, "received");
    assert_eq!(received.largest_protected, cbc_record_len(512, 32, true));
    assert!(received.count > 8, "{received:?}");
    assert_eq!(
        tlslite_records(&err, "sent").largest_app_data,
        cbc_record_len(3001, 32, true)
    );
}

/// The sanstls server with a 512-byte limit of its own against the tlslite client
/// (which offers 16385): sanstls answers record_size_limit 512 and tlslite-ng keeps to
/// it with the 3,000-byte message.
#[test]
fn sanstls_server_limit_512_against_tlslite_client() {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    let config = ServerConfig::builder()
        .single_cert(key)
        .max_fragment_len(512)
        .build()
        .unwrap();
    let message = [vec![b'm'; 3000], b"\n".to_vec()].concat();
    let (result, mut client) = serve_one(
        config,
        9,
        |port| tlslite_client(port, ["--read-until-close"], &message),
        b"\n",
        b"ok\n",
    );
    let out = result.unwrap_or_else(|e| panic!("{e}\n{}", client.output()));
    assert_eq!(out.data, message);
    assert_eq!(out.negotiated.unwrap().max_fragment_received, 512);
    let err = succeeded(&mut client);
    assert_eq!(field(&err, "HELLO sent", "record_size_limit"), "16385");
    assert_eq!(field(&err, "HELLO received", "record_size_limit"), "512");
    assert_eq!(field(&err, "LIMITS", "send"), "512");
    let sent = tlslite_records(&err, "sent");
    assert_eq!(sent.largest_protected, cbc_record_len(512, 32, true));
}

/// [`peers::connect`]s through a new proxy to `port`, sends `request` once the
/// handshake is done (with [`send_all`]) and drives the connection to its end; the
/// outcome and the proxy.
fn sanstls_request(
    config: ClientConfig,
    port: u16,
    request: &[u8],
) -> (peers::Outcome, RecordSizeProxy) {
    let (proxy, proxy_port) = RecordSizeProxy::start(port);
    let (mut conn, mut sock) = peers::connect(config, proxy_port, "localhost", 7).unwrap();
    let mut writer = sock.try_clone().unwrap();
    let mut sent = false;
    let out = peers::drive(
        &mut conn,
        &mut sock,
        |c| {
            if !sent {
                sent = true;
                send_all(c, &mut writer, request).expect("sending the request");
            }
        },
        |_, _| {},
    )
    .unwrap();
    drop(sock);
    drop(writer);
    assert!(proxy.wait_closed(HANG_GUARD));
    (out, proxy)
}

/// The sanstls client against the tlslite server advertising 512: sanstls sends its
/// 3,000-byte request in records of at most 512 bytes (tlslite-ng enforces its limit),
/// while the 20,000-byte answer comes in 2^14-byte records (sanstls offers 16384).
#[test]
fn sanstls_client_against_tlslite_server_limit_512() {
    let (mut server, port) = tlslite_server([
        "--http",
        "--body-size",
        "20000",
        "--record-size-limit",
        "512",
    ]);
    let request = [
        b"GET / HTTP/1.0\r\nX-Pad: ".to_vec(),
        vec![b'p'; 3000],
        b"\r\n\r\n".to_vec(),
    ]
    .concat();
    let suite = CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256;
    let (out, proxy) = sanstls_request(client_config(suite), port, &request);
    let err = succeeded(&mut server);
    assert!(String::from_utf8_lossy(&out.data).starts_with("HTTP/1.0 200 ok"));
    let n = out.negotiated.unwrap();
    assert_eq!(n.fragment_limit_by, Some(ExtensionType::RECORD_SIZE_LIMIT));
    assert_eq!((n.max_fragment_sent, n.max_fragment_received), (512, 16384));
    assert_eq!(field(&err, "HELLO received", "record_size_limit"), "16384");
    let bound = cbc_record_len(512, 32, true);
    assert_eq!(proxy.to_server().largest_protected(), bound);
    assert_eq!(largest_record_received(&err), bound);
    assert_eq!(
        proxy.to_client().largest_app_data(),
        cbc_record_len(16384, 32, true)
    );
}

/// The sanstls client asking for 512 (max_fragment_length and record_size_limit)
/// against the tlslite server: tlslite-ng ignores max_fragment_length, answers
/// record_size_limit and sends its 20,000-byte answer in records of at most 512 bytes.
#[test]
fn sanstls_client_limit_512_against_tlslite_server() {
    let (mut server, port) = tlslite_server(["--http", "--body-size", "20000"]);
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    let config = ClientConfig::builder()
        .trust_anchors(anchors)
        .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA])
        .max_fragment_len(512)
        .build()
        .unwrap();
    let (out, proxy) = sanstls_request(config, port, b"GET / HTTP/1.0\r\n\r\n");
    let err = succeeded(&mut server);
    assert!(String::from_utf8_lossy(&out.data).starts_with("HTTP/1.0 200 ok"));
    assert!(out.data.len() > 20000);
    let n = out.negotiated.unwrap();
    assert_eq!(n.fragment_limit_by, Some(ExtensionType::RECORD_SIZE_LIMIT));
    assert_eq!(n.max_fragment_received, 512);
    assert_eq!(field(&err, "HELLO received", "record_size_limit"), "512");
    assert_eq!(field(&err, "HELLO received", "max_fragment_length"), "512");
    assert_eq!(field(&err, "HELLO sent", "max_fragment_length"), "none");
    assert_eq!(field(&err, "LIMITS", "send"), "512");
    let to_client = proxy.to_client();
    // AES-128-CBC-SHA (20-byte MAC) with encrypt-then-MAC: 16 + 528 + 20.
    assert_eq!(to_client.largest_protected(), cbc_record_len(512, 20, true));
    assert!(to_client.app_data_records() >= 40, "{to_client:?}");
}
