//! Failures give the documented messages and exit codes (1 TLS, 2 usage, 3 file or
//! configuration, 4 network).

mod common;

use common::{
    assert_exit, bin, cert_server, client_cmd, closed_port, run, td, temp_path, trust_args,
    trusted_client,
};

fn client<S: AsRef<std::ffi::OsStr>>(port: u16, args: &[S]) -> common::Output {
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(args);
    run(c, b"hello\n")
}

fn server_cmd(args: &[&str]) -> common::Output {
    let mut c = bin();
    c.args(["server", "--addr", "127.0.0.1:0"]).args(args);
    run(c, b"")
}

#[test]
fn wrong_ca_names_the_issuer_and_cafile() {
    let srv = cert_server(&[]);
    let o = client(srv.port, &trust_args("ca-root2.cert.pem", "localhost"));
    assert_exit(
        &o,
        1,
        &["unknown issuer", "CN=sanstls test root CA", "--cafile"],
    );

    // That client's failure is logged by the server, which goes on serving.
    let o = run(trusted_client(srv.port), b"hello\n");
    assert_exit(&o, 0, &[]);
    assert_eq!(o.stdout, "hello\n");
    srv.wait_for_log("handshake failed: the client refused this server's certificate");
}

#[test]
fn name_mismatch_lists_the_certificate_names() {
    let srv = cert_server(&[]);
    let o = client(srv.port, &trust_args("ca-root.cert.pem", "wrong.example"));
    assert_exit(
        &o,
        1,
        &[
            "name mismatch",
            "you asked for wrong.example",
            "localhost, *.example.test, 127.0.0.1",
            "--servername",
        ],
    );
}

#[test]
fn expired_certificate_gives_both_dates_and_no_verify_connects() {
    let srv = common::sanstls_server(&[
        "--cert",
        &td("bad-expired.chain.pem"),
        "--key",
        &td("bad-expired.rsa.pem"),
    ]);
    let o = run(trusted_client(srv.port), b"hello\n");
    assert_exit(&o, 1, &["expired at 2021-01-01", "(now 20"]);

    // --no-verify connects anyway, and says loudly that nothing was checked.
    let o = client(srv.port, &["--no-verify"]);
    assert_exit(&o, 0, &["WARNING", "NOT authenticated"]);
    assert_eq!(o.stdout, "hello\n");
}

#[test]
fn missing_cert_file_is_named_with_exit_3() {
    let missing = temp_path("no-such-cert.pem");
    let missing = missing.display().to_string();
    let o = server_cmd(&["--cert", &missing, "--key", &td("server-rsa2048.rsa.pem")]);
    assert_exit(&o, 3, &[&missing]);
}

#[test]
fn file_that_is_not_pem_exit_3() {
    let junk = temp_path("junk.pem");
    std::fs::write(&junk, "this is not a certificate\n").unwrap();
    let junk = junk.display().to_string();
    let o = server_cmd(&["--cert", &junk, "--key", &td("server-rsa2048.rsa.pem")]);
    assert_exit(&o, 3, &[&junk]);

    let o = server_cmd(&["--cert", &td("server-rsa2048.chain.pem"), "--key", &junk]);
    assert_exit(&o, 3, &[&junk]);

    let o = client(closed_port(), &["--cafile", &junk]);
    assert_exit(&o, 3, &[&junk]);
}

#[test]
fn a_port_that_does_not_speak_tls_is_named_as_such() {
    // A plain HTTP server answers the ClientHello with an HTTP error.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 512];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let o = client(port, &["--cafile", &td("ca-root.cert.pem")]);
    t.join().unwrap();
    assert_exit(&o, 1, &["not valid TLS", "plain HTTP"]);
}

#[test]
fn key_that_does_not_match_the_certificate_exit_3() {
    let o = server_cmd(&[
        "--cert",
        &td("server-rsa2048.chain.pem"),
        "--key",
        &td("client.rsa.pem"),
    ]);
    assert_exit(&o, 3, &["client.rsa.pem", "does not belong"]);
}

#[test]
fn connection_refused_exit_4() {
    let port = closed_port();
    let o = client(port, &["--cafile", &td("ca-root.cert.pem")]);
    assert_exit(&o, 4, &["refused", &port.to_string()]);
}

#[test]
fn unknown_suite_lists_the_valid_names_exit_2() {
    let o = client(closed_port(), &["--suite", "RC4-MD5"]);
    assert_exit(
        &o,
        2,
        &[
            "unknown cipher suite 'RC4-MD5'",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "DHE-RSA-AES256-SHA256",
        ],
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let mut c = bin();
    c.arg("--help");
    let o = run(c, b"");
    assert_eq!(o.code(), 0);
    for line in [
        "Exit status:",
        "1  TLS failure",
        "3  configuration or file",
        "4  network",
    ] {
        assert!(o.stdout.contains(line), "{line}: {}", o.stdout);
    }
}
