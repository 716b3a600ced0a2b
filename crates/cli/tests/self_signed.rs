//! A self-signed server certificate passed to `--cafile` is trusted, as with
//! `curl --cacert`: both what `openssl req -x509` makes (cA TRUE) and a cA FALSE one.
//! A different self-signed certificate is refused as "unknown issuer".

mod common;

use std::path::{Path, PathBuf};

use common::{assert_exit, client_cmd, run, sanstls_server, temp_path};

/// A self-signed RSA-2048 certificate for `localhost` and its key, made by the openssl
/// command in `dir`, with `extra` `-addext` options. Returns (cert.pem, key.pem).
fn self_signed(dir: &Path, tag: &str, extra: &[&str]) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{tag}.pem"));
    let key = dir.join(format!("{tag}.key"));
    let mut cmd = sanstls_test::peers::tool("openssl");
    cmd.args([
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
    ])
    .args([
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
    ])
    .arg("-keyout")
    .arg(&key)
    .arg("-out")
    .arg(&cert);
    for e in extra {
        cmd.args(["-addext", e]);
    }
    let out = cmd.output().expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl req failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

fn basic_constraints(cert: &Path) -> String {
    let out = sanstls_test::peers::tool("openssl")
        .args(["x509", "-noout", "-ext", "basicConstraints", "-in"])
        .arg(cert)
        .output()
        .expect("openssl runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn client(port: u16, cafile: &Path) -> common::Output {
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.arg("--cafile")
        .arg(cafile)
        .args(["--servername", "localhost"]);
    run(c, b"hello\n")
}

#[test]
fn self_signed_server_certificates_in_cafile() {
    let dir = temp_path("self-signed");
    std::fs::create_dir_all(&dir).unwrap();
    let ca_true = self_signed(&dir, "ca-true", &[]);
    let ca_false = self_signed(&dir, "ca-false", &["basicConstraints=critical,CA:FALSE"]);
    let stranger = self_signed(&dir, "stranger", &[]);
    assert!(basic_constraints(&ca_true.0).contains("CA:TRUE"));
    assert!(basic_constraints(&ca_false.0).contains("CA:FALSE"));

    for (what, (cert, key)) in [("CA:TRUE", &ca_true), ("CA:FALSE", &ca_false)] {
        let srv = sanstls_server(&[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ]);
        // Trusting exactly that certificate: the handshake completes, data flows.
        let o = client(srv.port, cert);
        assert_exit(&o, 0, &[]);
        assert_eq!(o.stdout, "hello\n", "{what}: {o:#?}");
        // Trusting another self-signed certificate with the same name: unknown issuer.
        let o = client(srv.port, &stranger.0);
        assert_exit(&o, 1, &["unknown issuer"]);
        assert!(o.stdout.is_empty(), "{what}: {o:#?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
