//! ECDHE and ECDSA on the command line: `--groups`, EC keys for `server --key` and
//! `client --key`, the ECDHE suites, and what the summaries say about them.

mod common;

use std::io::Write;

use common::{
    Peer, assert_exit, bin, cert_server, client_cmd, closed_port, run, sanstls_server, td,
    trust_args, trusted_client,
};
use sanstls_test::peers;

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// `sanstls server` with the ECDSA P-256 chain and `key` (a testdata file).
fn ecdsa_server(key: &str, extra: &[&str]) -> common::Server {
    let cert = td("server-ecdsa-p256.chain.pem");
    let key = td(key);
    let mut args = vec!["--cert", cert.as_str(), "--key", key.as_str()];
    args.extend_from_slice(extra);
    sanstls_server(&args)
}

/// `sanstls client 127.0.0.1:PORT` trusting the ECDSA root, asking for localhost.
fn ecdsa_client(port: u16) -> std::process::Command {
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-ecdsa-root.cert.pem", "localhost"));
    c
}

fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{n:?} missing from:\n{text}");
    }
}

/// The server with an EC key (SEC 1 PEM): the default handshake is ECDHE_ECDSA with
/// AES-128-GCM over x25519, and the client's summary, the page and the log say so.
#[test]
fn client_and_server_with_an_ec_key() {
    let srv = ecdsa_server("server-ecdsa-p256.ec.pem", &[]);
    let o = run(ecdsa_client(srv.port), REQUEST);
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_has(
        &o.stderr,
        &[
            "New, TLS 1.2, cipher TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 \
             (ECDHE-ECDSA-AES128-GCM-SHA256)",
            "key exchange: ECDHE x25519, signed with ECDSA",
            "encrypt-then-MAC:       not applicable (AEAD)",
            "key:      EC P-256 (secp256r1)",
            "verification: OK",
        ],
    );
    assert!(!o.stderr.contains("DH group"), "{}", o.stderr);
    assert_has(
        &o.stdout,
        &[
            "cipher suite:           TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "key exchange:           ECDHE x25519, signed with ECDSA",
            "server key:             EC P-256 (secp256r1)",
            "encrypt-then-MAC:       not applicable (AEAD)",
        ],
    );
    srv.wait_for_log("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 session=new group=x25519");
    srv.wait_for_log("EtM=n/a");
}

/// `--suite ECDHE-ECDSA-CHACHA20-POLY1305` and `--groups` on both sides (the server's
/// key PKCS#8): the server picks its first group the client offers.
#[test]
fn chacha20_suite_and_client_groups() {
    let srv = ecdsa_server(
        "server-ecdsa-p256.pkcs8.pem",
        &["--groups", "secp384r1,x25519,P-256"],
    );
    let mut c = ecdsa_client(srv.port);
    // The P-256 certificate's curve must be offered too (RFC 8422 §5.1); the server
    // prefers secp256r1 (its default order), so P-384 alone is the ECDHE group only
    // if the server is told to prefer it.
    c.args([
        "--suite",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "--groups",
        "P-384,P-256",
    ]);
    let o = run(c, b"chacha\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_eq!(o.stdout, "chacha\n");
    assert_has(
        &o.stderr,
        &[
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (ECDHE-ECDSA-CHACHA20-POLY1305)",
            "key exchange: ECDHE secp384r1, signed with ECDSA",
        ],
    );
    srv.wait_for_log("group=secp384r1");
}

/// `--groups` on the server: its first group the client offers wins; with the RSA
/// certificate the default suite is ECDHE_RSA with AES-128-GCM.
#[test]
fn server_groups_and_the_default_suite_with_an_rsa_key() {
    let srv = cert_server(&["--groups", "prime256v1,x25519"]);
    let o = run(trusted_client(srv.port), REQUEST);
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_has(
        &o.stderr,
        &[
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)",
            "key exchange: ECDHE secp256r1, signed with RSA",
        ],
    );
    assert_has(
        &o.stdout,
        &[
            "key exchange:           ECDHE secp256r1, signed with RSA",
            "server key:             RSA 2048 bits",
        ],
    );
    // A client with none of the server's groups gets no ECDHE suite: with all suites
    // offered, the server falls back to the next key exchange it has (DHE_RSA).
    let mut c = trusted_client(srv.port);
    c.args(["--groups", "secp384r1"]);
    let o = run(c, b"fallback\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert!(!o.stderr.contains("key exchange: ECDHE"), "{}", o.stderr);
}

/// Bad and good `--groups` values: an unknown name is a usage error (2) listing the
/// valid names, for the client, the server and the demo; names are case-insensitive.
#[test]
fn groups_parsing() {
    let names = [
        "unknown ECDHE group 'brainpool'",
        "x25519",
        "secp256r1",
        "secp384r1",
    ];
    let mut c = client_cmd(&format!("127.0.0.1:{}", closed_port()));
    c.args(["--groups", "x25519,brainpool"]);
    assert_exit(&run(c, b""), 2, &names);

    let mut c = bin();
    c.args(["server", "--addr", "127.0.0.1:0"])
        .args(["--cert", &td("server-rsa2048.chain.pem")])
        .args(["--key", &td("server-rsa2048.rsa.pem")])
        .args(["--groups", "brainpool"]);
    assert_exit(&run(c, b""), 2, &names);

    let mut c = bin();
    c.args(["demo", "--groups", "brainpool"]);
    assert_exit(&run(c, b""), 2, &names);

    // Good names in any case, repeated or comma-separated: parsed before connecting,
    // so a closed port gives the network error (4), not a usage error.
    let mut c = client_cmd(&format!("127.0.0.1:{}", closed_port()));
    c.args(["--cafile", &td("ca-root.cert.pem")]).args([
        "--groups",
        "X25519,p-256",
        "--groups",
        "SECP384R1",
    ]);
    assert_exit(&run(c, b""), 4, &["refused"]);
}

/// The ECDHE suites are accepted by name on the command line (IANA or OpenSSL).
#[test]
fn ecdhe_suite_names_are_accepted() {
    for suite in [
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ecdhe-rsa-aes128-sha",
    ] {
        let mut c = client_cmd(&format!("127.0.0.1:{}", closed_port()));
        c.args(["--cafile", &td("ca-root.cert.pem"), "--suite", suite]);
        assert_exit(&run(c, b""), 4, &["refused"]);
    }
}

/// `client --trace` with an ECDHE_ECDSA suite explains the ECDHE ServerKeyExchange.
#[test]
fn client_trace_explains_the_ecdhe_server_key_exchange() {
    let srv = ecdsa_server("server-ecdsa-p256.ec.pem", &[]);
    let mut c = ecdsa_client(srv.port);
    c.args(["--trace", "--suite", "ECDHE-ECDSA-AES256-GCM-SHA384"]);
    let o = run(c, b"traced\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    let words = o.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_has(
        &words,
        &[
            "server → client ServerKeyExchange",
            "the named curve the server chose",
            "signed with the certificate's ECDSA key",
            "client → server ClientKeyExchange",
            "public point yG on the server's curve",
            "AEAD cipher",
        ],
    );
    assert!(!words.contains("g^x mod p"), "{words}");
}

/// `client --key` with an EC key: an ECDSA client certificate the server verifies.
#[test]
fn client_certificate_with_an_ec_key() {
    let srv = cert_server(&[
        "--client-ca",
        &td("ca-ecdsa-root.cert.pem"),
        "--require-client-cert",
    ]);
    let mut c = trusted_client(srv.port);
    c.args([
        "--cert",
        &td("client-ecdsa.chain.pem"),
        "--key",
        &td("client-ecdsa.ec.pem"),
    ]);
    let o = run(c, REQUEST);
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_has(
        &o.stdout,
        &["client certificate:     verified", "EC P-256 (secp256r1)"],
    );
}

/// `openssl s_client` against the server with a P-384 key, with the P-384 group.
#[test]
fn s_client_against_the_ec_key_server() {
    let srv = sanstls_server(&[
        "--cert",
        &td("server-ecdsa-p384.chain.pem"),
        "--key",
        &td("server-ecdsa-p384.ec.pem"),
    ]);
    let (mut peer, mut stdin) = Peer::spawn_with_stdin(
        peers::s_client(srv.port)
            .args(["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"])
            .args(["-groups", "secp384r1"])
            .args(["-CAfile", &td("ca-ecdsa-root.cert.pem")])
            .args(["-servername", "localhost", "-verify_return_error"])
            .args(["-quiet", "-no_ign_eof"]),
    );
    writeln!(stdin, "echo over P-384").unwrap();
    peer.line_containing("echo over P-384");
    drop(stdin);
    drop(peer);
    srv.wait_for_log("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 session=new group=secp384r1");
}

/// `server --trace` with an EC key: it can only choose ECDHE_ECDSA suites, so its
/// trace explains the ECDHE ServerKeyExchange whatever the client offers.
#[test]
fn server_trace_with_an_ec_key_explains_ecdhe() {
    let srv = ecdsa_server("server-ecdsa-p256.ec.pem", &["--trace"]);
    let o = run(ecdsa_client(srv.port), b"hello\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    srv.wait_for_log("client → server  Finished");
    // The log without its connection labels, as one line of words.
    let log = srv.log();
    let words = log
        .lines()
        .map(|l| l.split_once("] ").map_or(l, |(_, rest)| rest))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ");
    assert_has(
        &words,
        &[
            "its EC (ECDSA) public key",
            "server → client ServerKeyExchange",
            "ECDHE parameters (RFC 8422 §5.4)",
            "signed with the certificate's ECDSA key",
            "public point yG on the server's curve",
        ],
    );
    assert!(!words.contains("g^x mod p"), "{log}");
}

/// A key that fits none of the `--suite` suites is a configuration error (3).
#[test]
fn server_key_that_serves_none_of_the_suites_exit_3() {
    let mut c = bin();
    c.args(["server", "--addr", "127.0.0.1:0"])
        .args(["--cert", &td("server-ecdsa-p256.chain.pem")])
        .args(["--key", &td("server-ecdsa-p256.ec.pem")])
        .args(["--suite", "AES128-SHA256,ECDHE-RSA-AES128-GCM-SHA256"]);
    assert_exit(&run(c, b""), 3, &["key of --cert is EC", "ECDHE_ECDSA"]);

    let mut c = bin();
    c.args(["server", "--addr", "127.0.0.1:0"])
        .args(["--cert", &td("server-rsa2048.chain.pem")])
        .args(["--key", &td("server-rsa2048.rsa.pem")])
        .args(["--suite", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
    assert_exit(&run(c, b""), 3, &["key of --cert is RSA"]);
}
