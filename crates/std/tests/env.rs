//! What the adapter reads from the environment: `SSL_CERT_FILE` and the system bundles
//! (`load::system_trust_anchors`), `SSLKEYLOGFILE` (`client_config_builder`,
//! `server_config_builder`).
//!
//! Environment variables are process-global (and setting them is `unsafe` in edition
//! 2024, which this workspace forbids), so each check runs in a child process: the test
//! re-runs this test binary on one `#[ignore]`d `child_*` test with the environment it
//! needs, and fails if that child fails or did not run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use sanstls_std::{Error, TlsStream, client_config_builder, connect, load, server_config_builder};
use sanstls_test::fixtures;

const CHILD: &str = "SANSTLS_STD_TEST_CHILD";

/// Runs the `#[ignore]`d test `name` of this binary in a child process with `env` set
/// (an empty value removes the variable).
fn run_child(name: &str, env: &[(&str, &str)]) {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        name,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, "1");
    for (k, v) in env {
        if v.is_empty() {
            c.env_remove(k);
        } else {
            c.env(k, v);
        }
    }
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child test {name} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "child test {name} did not run:\n{stdout}"
    );
}

/// Refuses to run a `child_*` test outside [`run_child`].
fn require_child() {
    assert_eq!(
        std::env::var(CHILD).as_deref(),
        Ok("1"),
        "this test needs an environment prepared by its parent test; run the tests \
         without --ignored"
    );
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanstls-std-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

// ---- system trust anchors ----------------------------------------------------------

#[test]
fn system_bundle_of_this_machine() {
    run_child("child_system_bundle", &[("SSL_CERT_FILE", "")]);
}

#[test]
#[ignore = "runs in a child process started by system_bundle_of_this_machine"]
fn child_system_bundle() {
    require_child();
    let anchors = load::system_trust_anchors().unwrap();
    assert!(
        anchors.len() > 100,
        "only {} anchors in the system bundle",
        anchors.len()
    );
}

#[test]
fn ssl_cert_file_is_honoured() {
    let root = fixtures::path("ca-root.cert.pem");
    run_child(
        "child_ssl_cert_file",
        &[("SSL_CERT_FILE", root.to_str().unwrap())],
    );
}

#[test]
#[ignore = "runs in a child process started by ssl_cert_file_is_honoured"]
fn child_ssl_cert_file() {
    require_child();
    let anchors = load::system_trust_anchors().unwrap();
    let root = load::trust_anchors(&fixtures::path("ca-root.cert.pem")).unwrap();
    assert_eq!(anchors.len(), 1);
    assert_eq!(
        anchors.iter().next().unwrap().subject(),
        root.iter().next().unwrap().subject()
    );
}

#[test]
fn ssl_cert_file_that_is_missing_is_an_error_naming_it() {
    run_child(
        "child_ssl_cert_file_missing",
        &[("SSL_CERT_FILE", "/nonexistent/sanstls-bundle.pem")],
    );
}

#[test]
#[ignore = "runs in a child process started by ssl_cert_file_that_is_missing_is_an_error_naming_it"]
fn child_ssl_cert_file_missing() {
    require_child();
    let e = load::system_trust_anchors().unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Load { .. }), "{e:?}");
    assert!(msg.contains("/nonexistent/sanstls-bundle.pem"), "{msg}");
    assert!(msg.contains("SSL_CERT_FILE"), "{msg}");
}

// ---- SSLKEYLOGFILE ---------------------------------------------------------------------

fn openssl() -> String {
    let bin = std::env::var("OPENSSL").unwrap_or_else(|_| "/usr/bin/openssl".into());
    assert!(
        std::path::Path::new(&bin).exists(),
        "the OpenSSL command line is not at {bin}: install it (package openssl) or set OPENSSL"
    );
    bin
}

struct Peer(Child);
impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn td(name: &str) -> String {
    fixtures::path(name).display().to_string()
}

/// The CLIENT_RANDOM lines of a key log file.
fn client_random_lines(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read key log {}: {e}", path.display()));
    text.lines()
        .filter(|l| l.starts_with("CLIENT_RANDOM "))
        .map(str::to_owned)
        .collect()
}

/// Runs the child test `child` with `SSLKEYLOGFILE` set to a fresh temporary file `file`.
fn run_keylog_child(child: &str, file: &str) {
    let ours = temp_path(file);
    let _ = std::fs::remove_file(&ours);
    run_child(child, &[("SSLKEYLOGFILE", ours.to_str().unwrap())]);
}

/// In a key log child: our key log (from `SSLKEYLOGFILE`) and a fresh path `theirs` for
/// OpenSSL's.
fn keylog_child_paths(theirs: &str) -> (PathBuf, PathBuf) {
    require_child();
    let ours = PathBuf::from(std::env::var_os("SSLKEYLOGFILE").unwrap());
    let theirs = temp_path(theirs);
    let _ = std::fs::remove_file(&theirs);
    (ours, theirs)
}

/// Our key log holds exactly one CLIENT_RANDOM line, and OpenSSL logged the same line.
fn assert_same_client_random(ours: &std::path::Path, theirs: &std::path::Path) {
    let our_lines = client_random_lines(ours);
    assert_eq!(our_lines.len(), 1, "{our_lines:?}");
    let their_lines = client_random_lines(theirs);
    assert!(
        their_lines.contains(&our_lines[0]),
        "OpenSSL logged {their_lines:?}, sanstls logged {our_lines:?}"
    );
}

#[test]
fn sslkeylogfile_client_matches_openssl_server() {
    run_keylog_child("child_keylog_client", "client.keys");
}

#[test]
#[ignore = "runs in a child process started by sslkeylogfile_client_matches_openssl_server"]
fn child_keylog_client() {
    let (ours, theirs) = keylog_child_paths("s_server.keys");
    let mut child = Command::new(openssl())
        .args(["s_server", "-tls1_2", "-accept", "127.0.0.1:0", "-www"])
        .args(["-cert", &td("server-rsa2048.cert.pem")])
        .args(["-key", &td("server-rsa2048.rsa.pem")])
        .args(["-cert_chain", &td("ca-int.cert.pem")])
        .args(["-keylogfile", theirs.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_server");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let _peer = Peer(child);
    let mut line = String::new();
    let port: u16 = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "s_server exited");
        if let Some(addr) = line.trim().strip_prefix("ACCEPT ") {
            break addr.rsplit(':').next().unwrap().parse().unwrap();
        }
    };
    thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = out.read_to_end(&mut sink);
    });

    let anchors = load::trust_anchors(&fixtures::path("ca-root.cert.pem")).unwrap();
    let cfg = Arc::new(
        client_config_builder()
            .trust_anchors(anchors)
            .build()
            .unwrap(),
    );
    let mut s = connect(("127.0.0.1", port), "localhost", cfg).unwrap();
    s.get_ref()
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut page = Vec::new();
    s.read_to_end(&mut page).unwrap();
    assert!(page.starts_with(b"HTTP/1.0 200 ok"));

    assert_same_client_random(&ours, &theirs);
}

#[test]
fn sslkeylogfile_server_matches_openssl_client() {
    run_keylog_child("child_keylog_server", "server.keys");
}

#[test]
#[ignore = "runs in a child process started by sslkeylogfile_server_matches_openssl_client"]
fn child_keylog_server() {
    let (ours, theirs) = keylog_child_paths("s_client.keys");
    let key = load::certified_key(
        &fixtures::path("server-rsa2048.chain.pem"),
        &fixtures::path("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    let cfg = Arc::new(server_config_builder().single_cert(key).build().unwrap());
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let child = Command::new(openssl())
        .args(["s_client", "-tls1_2", "-quiet", "-no_ign_eof"])
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .args(["-keylogfile", theirs.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_client");
    let mut peer = Peer(child);
    let (sock, _) = l.accept().unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut s = TlsStream::server(sock, cfg).unwrap();
    s.handshake().unwrap();
    // s_client's stdin is empty: it closes once the handshake is done.
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    peer.0.wait().unwrap();

    assert_same_client_random(&ours, &theirs);
}
