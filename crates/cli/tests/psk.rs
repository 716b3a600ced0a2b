//! Pre-shared keys on the command line (RFC 4279, RFC 5489): `sanstls client` against
//! `openssl s_server -nocert -psk`, `sanstls server` against `openssl s_client -psk`,
//! for every PSK suite both implement, on 127.0.0.1 ephemeral ports; wrong keys and
//! unknown identities on the wire; the ECDHE_ECDSA AES-CCM suites against s_server;
//! the PSK options' errors; `sanstls demo --kx psk`.
//!
//! The AES-CCM cases (test names with `ccm`) need the AES-CCM record protection; until
//! it is in, they fail with "record protection could not be set up".

mod common;

use std::io::Write as _;

use common::{
    HANG_GUARD, Peer, Server, assert_exit, bin, cert_server, client_cmd, closed_port, run,
    sanstls_server, td, temp_path, trust_args,
};
use sanstls_test::peers;

/// The identity and key both sides are given.
const ID: &str = "client1";
const KEY: &str = "0123456789abcdef0123456789abcdef";
/// A key that is not `KEY`.
const WRONG_KEY: &str = "fedcba9876543210fedcba9876543210";

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// The OpenSSL cipher string for `name`: the CCM_8 suites (8-byte tags) need security
/// level 0 in OpenSSL 3.2 and later (3.0 accepts them either way).
fn openssl_cipher(name: &str) -> String {
    if name.ends_with("CCM8") {
        format!("{name}:@SECLEVEL=0")
    } else {
        name.to_string()
    }
}

/// `openssl s_server -tls1_2 -nocert -psk KEY -psk_identity ID -cipher NAME -rev` on
/// 127.0.0.1, an ephemeral port: it reverses each line it receives and logs the suite
/// (`Ciphersuite: NAME`) on stderr.
fn psk_s_server(cipher: &str, key: &str) -> (Peer, u16) {
    let mut peer = Peer::spawn(
        peers::openssl()
            .args(["s_server", "-tls1_2", "-accept", "127.0.0.1:0", "-nocert"])
            .args(["-psk", key, "-psk_identity", ID])
            .args(["-cipher", &openssl_cipher(cipher), "-rev"]),
    );
    let line = peer.line_containing("ACCEPT ");
    let port = line
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("s_server listens, but on what port? {line:?}"));
    (peer, port)
}

/// `openssl s_client -tls1_2 -psk KEY -psk_identity ID -cipher NAME -brief` against
/// `port`, its stdin open (`-brief` puts the suite on stderr, the data alone on
/// stdout).
fn psk_s_client(
    port: u16,
    cipher: &str,
    identity: &str,
    key: &str,
) -> (Peer, std::process::ChildStdin) {
    Peer::spawn_with_stdin(
        peers::s_client(port)
            .args(["-psk", key, "-psk_identity", identity])
            .args(["-cipher", &openssl_cipher(cipher)])
            .args(["-brief", "-no_ign_eof"]),
    )
}

/// `sanstls client 127.0.0.1:PORT --psk-identity ID --psk KEY`.
fn psk_client(port: u16, key: &str) -> std::process::Command {
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(["--psk-identity", ID, "--psk", key]);
    c
}

fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{n:?} missing from:\n{text}");
    }
}

/// `sanstls client --suite NAME` (no --cafile: PSK only) against s_server: a line
/// goes out and comes back reversed; both sides name the suite; the summary names the
/// identity and says the key, not a certificate, authenticated the server.
fn client_against_s_server(openssl: &str, iana: &str) {
    let (server, port) = psk_s_server(openssl, KEY);
    let mut c = psk_client(port, KEY);
    c.args(["--suite", openssl]);
    let line = format!("psk says {openssl}");
    let o = run(c, format!("{line}\n").as_bytes());
    assert_eq!(o.code(), 0, "{o:#?}\ns_server:\n{}", server.output());
    let reversed: String = line.chars().rev().collect();
    assert!(o.stdout.contains(&reversed), "{o:#?}");
    assert_has(
        &o.stderr,
        &[
            &format!("New, TLS 1.2, cipher {iana} ({openssl})"),
            &format!("PSK identity: {ID}"),
            "verification: by the pre-shared key (no certificate)",
        ],
    );
    assert!(!o.stderr.contains("server certificate:"), "{}", o.stderr);
    assert!(
        server.wait_for_stderr(&format!("Ciphersuite: {openssl}"), HANG_GUARD),
        "s_server did not log the suite:\n{}",
        server.output()
    );
}

/// `openssl s_client -cipher NAME` against a certificate-less `sanstls server` with
/// one PSK: a line goes out and is echoed back; s_client names the suite, the server's
/// log the suite and the identity.
fn server_against_s_client(openssl: &str, iana: &str) {
    let mut args = vec!["--psk-identity", ID, "--psk", KEY];
    // The CCM_8 suites are served only when named.
    if openssl.ends_with("CCM8") {
        args.extend(["--suite", openssl]);
    }
    let srv = sanstls_server(&args);
    let (mut client, mut stdin) = psk_s_client(srv.port, openssl, ID, KEY);
    let line = format!("echo me over {openssl}");
    writeln!(stdin, "{line}").unwrap();
    client.line_containing(&line);
    assert!(
        client.wait_for_stderr(&format!("Ciphersuite: {openssl}"), HANG_GUARD),
        "s_client did not name the suite:\n{}",
        client.output()
    );
    drop(stdin);
    drop(client);
    srv.wait_for_log(&format!("{iana} session=new"));
    srv.wait_for_log(&format!("PSK={ID}"));
}

/// One module per suite, each with the client and the server case.
macro_rules! suite_tests {
    ($($name:ident: $openssl:literal, $iana:literal;)*) => {$(
        mod $name {
            #[test]
            fn sanstls_client_against_s_server() {
                super::client_against_s_server($openssl, $iana);
            }

            #[test]
            fn sanstls_server_against_s_client() {
                super::server_against_s_client($openssl, $iana);
            }
        }
    )*};
}

suite_tests! {
    psk_aes128_cbc_sha256: "PSK-AES128-CBC-SHA256", "TLS_PSK_WITH_AES_128_CBC_SHA256";
    psk_aes128_gcm_sha256: "PSK-AES128-GCM-SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256";
    psk_aes256_gcm_sha384: "PSK-AES256-GCM-SHA384", "TLS_PSK_WITH_AES_256_GCM_SHA384";
    psk_aes128_ccm: "PSK-AES128-CCM", "TLS_PSK_WITH_AES_128_CCM";
    psk_aes128_ccm8: "PSK-AES128-CCM8", "TLS_PSK_WITH_AES_128_CCM_8";
    dhe_psk_aes128_cbc_sha256: "DHE-PSK-AES128-CBC-SHA256", "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256";
    ecdhe_psk_aes128_cbc_sha256:
        "ECDHE-PSK-AES128-CBC-SHA256", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256";
    ecdhe_psk_chacha20_poly1305:
        "ECDHE-PSK-CHACHA20-POLY1305", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256";
}

/// `sanstls client --suite NAME` against s_server with the ECDSA P-256 certificate, for
/// the ECDHE_ECDSA AES-CCM suites.
fn ecdsa_ccm_client_against_s_server(openssl: &str, iana: &str) {
    let (server, port) = peers::s_server()
        .cert_files(
            "server-ecdsa-p256",
            "server-ecdsa-p256.ec.pem",
            "ca-ecdsa-int.cert.pem",
        )
        .args(["-cipher", &openssl_cipher(openssl), "-rev"])
        .start();
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-ecdsa-root.cert.pem", "localhost"))
        .args(["--suite", openssl]);
    let o = run(c, b"ccm over ecdsa\n");
    assert_eq!(o.code(), 0, "{o:#?}\ns_server:\n{}", server.output());
    assert!(o.stdout.contains("asdce revo mcc"), "{o:#?}");
    assert_has(
        &o.stderr,
        &[
            &format!("New, TLS 1.2, cipher {iana} ({openssl})"),
            "signed with ECDSA",
            "verification: OK",
        ],
    );
    assert!(
        server.wait_for_stderr(&format!("Ciphersuite: {openssl}"), HANG_GUARD),
        "s_server did not log the suite:\n{}",
        server.output()
    );
}

#[test]
fn ecdhe_ecdsa_aes128_ccm_against_s_server() {
    ecdsa_ccm_client_against_s_server("ECDHE-ECDSA-AES128-CCM", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM");
}

#[test]
fn ecdhe_ecdsa_aes128_ccm8_against_s_server() {
    ecdsa_ccm_client_against_s_server(
        "ECDHE-ECDSA-AES128-CCM8",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
    );
}

/// s_client with the wrong key: the sanstls server answers its Finished with
/// decrypt_error (RFC 4279 §2), which s_client reports; the server's log says why.
#[test]
fn wrong_key_from_s_client_gets_decrypt_error() {
    let srv = sanstls_server(&["--psk-identity", ID, "--psk", KEY]);
    let (mut client, stdin) = psk_s_client(srv.port, "PSK-AES128-GCM-SHA256", ID, WRONG_KEY);
    let status = client.wait();
    drop(stdin);
    assert!(!status.success(), "{}", client.output());
    assert!(
        client.stderr().contains("alert decrypt error")
            && client.stderr().contains("SSL alert number 51"),
        "s_client did not report decrypt_error:\n{}",
        client.output()
    );
    srv.wait_for_log("different pre-shared keys");
}

/// An identity the sanstls server does not know is answered like a wrong key (hidden,
/// the default): decrypt_error at the Finished, not unknown_psk_identity.
#[test]
fn unknown_identity_from_s_client_is_hidden_as_decrypt_error() {
    let srv = sanstls_server(&["--psk-identity", ID, "--psk", KEY]);
    let (mut client, stdin) = psk_s_client(srv.port, "ECDHE-PSK-AES128-CBC-SHA256", "mallory", KEY);
    let status = client.wait();
    drop(stdin);
    assert!(!status.success(), "{}", client.output());
    assert!(
        client.stderr().contains("SSL alert number 51"),
        "s_client did not report decrypt_error:\n{}",
        client.output()
    );
    assert!(
        !client.stderr().contains("unknown psk identity"),
        "{}",
        client.output()
    );
    srv.wait_for_log("different pre-shared keys");
}

/// The sanstls client with the wrong key against s_server: OpenSSL cannot open our
/// Finished and sends bad_record_mac; the client fails (exit 1) and says to check the
/// key.
#[test]
fn wrong_key_against_s_server_fails_with_the_alert() {
    let (server, port) = psk_s_server("PSK-AES128-GCM-SHA256", KEY);
    let o = run(psk_client(port, WRONG_KEY), b"never sent\n");
    assert_exit(
        &o,
        1,
        &["handshake failed", "alert bad_record_mac", "Check --psk"],
    );
    assert!(!o.stdout.contains("tnes reven"), "{o:#?}");
    assert!(
        server.wait_for_stderr("bad record mac", HANG_GUARD),
        "s_server did not fail on our Finished:\n{}",
        server.output()
    );
}

/// The sanstls client and server with different keys, and with an identity the
/// server does not know: both fail the handshake with decrypt_error, and the client
/// says what to check.
#[test]
fn wrong_key_and_unknown_identity_between_sanstls_client_and_server() {
    let srv = sanstls_server(&["--psk-identity", ID, "--psk", KEY]);
    let o = run(psk_client(srv.port, WRONG_KEY), b"x\n");
    assert_exit(
        &o,
        1,
        &["alert decrypt_error", "different keys", "Check --psk"],
    );
    let mut c = client_cmd(&format!("127.0.0.1:{}", srv.port));
    c.args(["--psk-identity", "mallory", "--psk", KEY]);
    let o = run(c, b"x\n");
    assert_exit(
        &o,
        1,
        &["alert decrypt_error", "does not know the identity"],
    );
    srv.wait_for_log("different pre-shared keys");
}

/// A PSK file with several identities, an identity hint, and the session page: the
/// server knows every identity in the file, the client uses the file's first line.
#[test]
fn psk_files_on_both_sides_and_the_session_page() {
    let server_file = temp_path("psk-server");
    std::fs::write(
        &server_file,
        format!("# identities\nalice:{WRONG_KEY}\n\nbob:{KEY}\n"),
    )
    .unwrap();
    let client_file = temp_path("psk-client");
    std::fs::write(&client_file, format!("bob:{KEY}\nalice:{KEY}\n")).unwrap();
    let srv = sanstls_server(&[
        "--psk-file",
        server_file.to_str().unwrap(),
        "--psk-hint",
        "sanstls test server",
    ]);
    let mut c = client_cmd(&format!("127.0.0.1:{}", srv.port));
    c.args(["--psk-file", client_file.to_str().unwrap()]);
    let o = run(c, REQUEST);
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_has(&o.stderr, &["PSK identity: bob", "with a pre-shared key"]);
    assert_has(
        &o.stdout,
        &[
            "PSK identity:           bob",
            "server key:             (none: pre-shared keys only)",
            // The server's first choice among the PSK suites: forward secret.
            "cipher suite:           TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        ],
    );
    srv.wait_for_log("PSK=bob");
    // s_client with the other identity in the file, and its key.
    let (mut client, mut stdin) =
        psk_s_client(srv.port, "PSK-AES128-CBC-SHA256", "alice", WRONG_KEY);
    writeln!(stdin, "alice here").unwrap();
    client.line_containing("alice here");
    drop(stdin);
    drop(client);
    srv.wait_for_log("TLS_PSK_WITH_AES_128_CBC_SHA256 session=new");
    srv.wait_for_log("PSK=alice");
    // The hint reaches the client (s_client prints it with -debug).
    let (mut client, stdin) = Peer::spawn_with_stdin(
        peers::s_client(srv.port)
            .args(["-psk", KEY, "-psk_identity", "bob"])
            .args(["-cipher", "PSK-AES128-GCM-SHA256", "-brief", "-debug"]),
    );
    let line = client.line_containing("Received PSK identity hint");
    assert!(line.contains("'sanstls test server'"), "{line}");
    drop(stdin);
    drop(client);
    let _ = std::fs::remove_file(server_file);
    let _ = std::fs::remove_file(client_file);
}

/// A server with a certificate and a PSK: a client with only a PSK gets a PSK suite, a
/// client with only --cafile a certificate suite, and a client with both the
/// certificate suite (offered first).
#[test]
fn certificates_and_psks_on_one_server() {
    let srv = cert_server(&["--psk-identity", ID, "--psk", KEY]);
    let o = run(psk_client(srv.port, KEY), b"psk only\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_has(&o.stderr, &["TLS_ECDHE_PSK_", "PSK identity: client1"]);

    let mut c = client_cmd(&format!("127.0.0.1:{}", srv.port));
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    let o = run(c, b"certificates\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_has(&o.stderr, &["TLS_ECDHE_RSA_", "verification: OK"]);
    assert!(!o.stderr.contains("PSK identity"), "{}", o.stderr);

    let mut c = psk_client(srv.port, KEY);
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    let o = run(c, b"both\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_has(&o.stderr, &["TLS_ECDHE_RSA_", "verification: OK (chain"]);
}

/// Bad PSK options: each a usage (2) or configuration (3) error that names the option,
/// found before any connection is made.
#[test]
fn bad_psk_options_name_the_flag() {
    let addr = format!("127.0.0.1:{}", closed_port());
    let client = |args: &[&str]| {
        let mut c = client_cmd(&addr);
        c.args(args);
        run(c, b"")
    };
    assert_exit(
        &client(&["--psk-identity", ID, "--psk", "0123zz"]),
        2,
        &["--psk is not a usable key", "'z' at position 5"],
    );
    assert_exit(
        &client(&["--psk-identity", ID, "--psk", "abc"]),
        2,
        &["--psk", "odd number of hex digits"],
    );
    assert_exit(&client(&["--psk", KEY]), 2, &["--psk-identity"]);
    assert_exit(&client(&["--psk-identity", ID]), 2, &["--psk <HEX>"]);
    let too_long = "ab".repeat(513);
    assert_exit(
        &client(&["--psk-identity", ID, "--psk", &too_long]),
        2,
        &["--psk", "513 bytes", "1 to 512"],
    );
    let file = temp_path("psk-bad");
    std::fs::write(&file, format!("ok:{KEY}\nno-colon-here\n")).unwrap();
    assert_exit(
        &client(&["--psk-file", file.to_str().unwrap()]),
        3,
        &["--psk-file", "line 2", "identity:hexkey"],
    );
    let _ = std::fs::remove_file(&file);
    assert_exit(
        &client(&["--psk-file", "/nonexistent/psk.txt"]),
        3,
        &["--psk-file /nonexistent/psk.txt", "cannot read it"],
    );
    // A PSK suite without a PSK; a certificate suite with a PSK alone.
    assert_exit(
        &client(&[
            "--cafile",
            &td("ca-root.cert.pem"),
            "--suite",
            "PSK-AES128-CCM8",
        ]),
        2,
        &[
            "--suite PSK-AES128-CCM8 is a pre-shared-key suite",
            "--psk-file",
        ],
    );
    assert_exit(
        &client(&[
            "--psk-identity",
            ID,
            "--psk",
            KEY,
            "--suite",
            "AES128-SHA256",
        ]),
        2,
        &["--suite AES128-SHA256 needs certificates", "--cafile"],
    );
    // Good options get as far as connecting: the network error (4).
    assert_exit(
        &client(&[
            "--psk-identity",
            ID,
            "--psk",
            KEY,
            "--suite",
            "DHE-PSK-AES128-CBC-SHA256",
        ]),
        4,
        &["refused"],
    );

    let server = |args: &[&str]| {
        let mut c = bin();
        c.args(["server", "--addr", "127.0.0.1:0"]).args(args);
        run(c, b"")
    };
    assert_exit(&server(&[]), 2, &["--cert", "--psk-identity", "--psk-file"]);
    assert_exit(
        &server(&[
            "--cert",
            &td("server-rsa2048.chain.pem"),
            "--key",
            &td("server-rsa2048.rsa.pem"),
            "--psk-hint",
            "h",
        ]),
        2,
        &["--psk-hint needs a PSK"],
    );
    assert_exit(
        &server(&[
            "--psk-identity",
            ID,
            "--psk",
            KEY,
            "--suite",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ]),
        2,
        &["needs certificates", "--cert FILE and --key FILE"],
    );
}

/// `sanstls demo --kx psk` (and the DHE_PSK and ECDHE_PSK variants): a handshake with
/// the demo's pre-shared key and no certificate, explained as such.
#[test]
fn demo_shows_a_psk_handshake_without_certificates() {
    let mut c = bin();
    c.args(["demo", "--kx", "psk"]);
    let o = run(c, b"");
    assert_eq!(o.code(), 0, "{o:#?}");
    let words = o.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_has(
        &words,
        &[
            "No certificate is involved",
            "identity \"sanstls-demo\"",
            "suite: TLS_PSK_WITH_AES_128_GCM_SHA256",
            "key exchange: PSK: the premaster secret is the pre-shared key alone",
            "PSK identity: \"sanstls-demo\"",
            "The PSK identity hint (RFC 4279 §5.2)",
            "The PSK identity: which pre-shared key the client holds",
            "the session was resumed",
        ],
    );
    assert!(!words.contains("validates the server's chain"), "{words}");
    assert!(!words.contains(" Certificate "), "{words}");

    for (kx, text) in [
        ("dhe-psk", "key exchange: DHE_PSK: ephemeral Diffie-Hellman"),
        ("ecdhe-psk", "key exchange: ECDHE_PSK x25519"),
    ] {
        let mut c = bin();
        c.args(["demo", "--kx", kx]);
        let o = run(c, b"");
        assert_eq!(o.code(), 0, "{o:#?}");
        let words = o.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_has(&words, &[text, "No certificate is involved"]);
    }
}

/// A server with only PSKs and a client with only a trust store have no suite in
/// common: the server refuses the ClientHello with handshake_failure.
#[test]
fn certificate_client_against_a_psk_only_server_fails() {
    let srv: Server = sanstls_server(&["--psk-identity", ID, "--psk", KEY]);
    let mut c = client_cmd(&format!("127.0.0.1:{}", srv.port));
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    let o = run(c, b"");
    assert_exit(&o, 1, &["handshake_failure"]);
}

/// PSK connections are recorded and replayed: the replay reads --psk-file again (the
/// server) or takes --psk from the recorded command line (the client), and makes the
/// same connection.
#[test]
fn psk_connections_replay_identically() {
    let file = temp_path("psk-rec-file");
    std::fs::write(&file, format!("{ID}:{KEY}\n")).unwrap();
    let dir = temp_path("psk-rec-dir");
    let srv = sanstls_server(&[
        "--psk-file",
        file.to_str().unwrap(),
        "--record",
        dir.to_str().unwrap(),
    ]);
    let client_rec = temp_path("psk-rec-client");
    let mut c = psk_client(srv.port, KEY);
    c.args(["--record", client_rec.to_str().unwrap()]);
    let o = run(c, b"recorded\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    srv.wait_for_log("PSK=client1");
    drop(srv);
    let mut recordings = vec![client_rec.clone()];
    recordings.extend(std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()));
    assert_eq!(recordings.len(), 2, "{recordings:?}");
    for rec in &recordings {
        let mut c = bin();
        c.args(["replay", rec.to_str().unwrap()]);
        let o = run(c, b"");
        assert_eq!(o.code(), 0, "{o:#?}");
        assert_has(
            &o.stdout,
            &[
                "handshake: complete, TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
                "replay: identical to the recording",
            ],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&client_rec);
    let _ = std::fs::remove_file(&file);
}
