//! Failures give the documented messages and exit codes (1 TLS, 2 usage, 3 file or
//! configuration, 4 network).

mod common;

use common::{bin, closed_port, run, sanstls_server, server_cert_args, td, temp_path};

fn client(port: u16, args: &[&str]) -> common::Output {
    let mut c = bin();
    c.args(["client", &format!("127.0.0.1:{port}")]).args(args);
    run(c, b"hello\n")
}

fn server_cmd(args: &[&str]) -> common::Output {
    let mut c = bin();
    c.args(["server", "--addr", "127.0.0.1:0"]).args(args);
    run(c, b"")
}

#[test]
fn wrong_ca_names_the_issuer_and_cafile() {
    let args = server_cert_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let srv = sanstls_server(&refs);
    let o = client(
        srv.port,
        &[
            "--cafile",
            &td("ca-root2.cert.pem"),
            "--servername",
            "localhost",
        ],
    );
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(o.stderr.contains("unknown issuer"), "{}", o.stderr);
    assert!(o.stderr.contains("CN=sanstls test root CA"), "{}", o.stderr);
    assert!(o.stderr.contains("--cafile"), "{}", o.stderr);

    // That client's failure is logged by the server, which goes on serving.
    let o = client(
        srv.port,
        &[
            "--cafile",
            &td("ca-root.cert.pem"),
            "--servername",
            "localhost",
        ],
    );
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_eq!(o.stdout, "hello\n");
    srv.wait_for_log("handshake failed: the client refused this server's certificate");
}

#[test]
fn name_mismatch_lists_the_certificate_names() {
    let args = server_cert_args();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let srv = sanstls_server(&refs);
    let o = client(
        srv.port,
        &[
            "--cafile",
            &td("ca-root.cert.pem"),
            "--servername",
            "wrong.example",
        ],
    );
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(o.stderr.contains("name mismatch"), "{}", o.stderr);
    assert!(
        o.stderr.contains("you asked for wrong.example"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("localhost, *.example.test, 127.0.0.1"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("--servername"), "{}", o.stderr);
}

#[test]
fn expired_certificate_gives_both_dates_and_no_verify_connects() {
    let srv = sanstls_server(&[
        "--cert",
        &td("bad-expired.chain.pem"),
        "--key",
        &td("bad-expired.rsa.pem"),
    ]);
    let o = client(
        srv.port,
        &[
            "--cafile",
            &td("ca-root.cert.pem"),
            "--servername",
            "localhost",
        ],
    );
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(o.stderr.contains("expired at 2021-01-01"), "{}", o.stderr);
    assert!(o.stderr.contains("(now 20"), "{}", o.stderr);

    // --no-verify connects anyway, and says loudly that nothing was checked.
    let o = client(srv.port, &["--no-verify"]);
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(o.stderr.contains("WARNING"), "{}", o.stderr);
    assert!(o.stderr.contains("NOT authenticated"), "{}", o.stderr);
    assert_eq!(o.stdout, "hello\n");
}

#[test]
fn missing_cert_file_is_named_with_exit_3() {
    let missing = temp_path("no-such-cert.pem");
    let missing = missing.display().to_string();
    let o = server_cmd(&["--cert", &missing, "--key", &td("server-rsa2048.rsa.pem")]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains(&missing), "{}", o.stderr);
}

#[test]
fn file_that_is_not_pem_exit_3() {
    let junk = temp_path("junk.pem");
    std::fs::write(&junk, "this is not a certificate\n").unwrap();
    let junk = junk.display().to_string();
    let o = server_cmd(&["--cert", &junk, "--key", &td("server-rsa2048.rsa.pem")]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains(&junk), "{}", o.stderr);

    let o = server_cmd(&["--cert", &td("server-rsa2048.chain.pem"), "--key", &junk]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains(&junk), "{}", o.stderr);

    let o = client(closed_port(), &["--cafile", &junk]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains(&junk), "{}", o.stderr);
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
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(o.stderr.contains("not valid TLS"), "{}", o.stderr);
    assert!(o.stderr.contains("plain HTTP"), "{}", o.stderr);
}

#[test]
fn key_that_does_not_match_the_certificate_exit_3() {
    let o = server_cmd(&[
        "--cert",
        &td("server-rsa2048.chain.pem"),
        "--key",
        &td("client.rsa.pem"),
    ]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains("client.rsa.pem"), "{}", o.stderr);
    assert!(o.stderr.contains("does not belong"), "{}", o.stderr);
}

#[test]
fn connection_refused_exit_4() {
    let port = closed_port();
    let o = client(port, &["--cafile", &td("ca-root.cert.pem")]);
    assert_eq!(o.code(), 4, "{o:#?}");
    assert!(o.stderr.contains("refused"), "{}", o.stderr);
    assert!(o.stderr.contains(&port.to_string()), "{}", o.stderr);
}

#[test]
fn unknown_suite_lists_the_valid_names_exit_2() {
    let o = client(closed_port(), &["--suite", "RC4-MD5"]);
    assert_eq!(o.code(), 2, "{o:#?}");
    assert!(
        o.stderr.contains("unknown cipher suite 'RC4-MD5'"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("TLS_RSA_WITH_AES_128_CBC_SHA256"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("DHE-RSA-AES256-SHA256"), "{}", o.stderr);
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
