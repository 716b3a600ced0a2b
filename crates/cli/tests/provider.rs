//! `--provider`: `builtin` works in every build; `openssl` is a usage error naming the
//! cargo feature in a binary built without it, and with it serves (and connects) with
//! the OpenSSL provider: a sanstls client and `openssl s_client` against `sanstls
//! server --provider openssl`, over an RSA key exchange, DHE and ECDHE suite.

mod common;

use common::{assert_exit, cert_server, run, trusted_client};

#[test]
fn builtin_provider_is_the_default_and_can_be_named() {
    let srv = cert_server(&["--provider", "builtin"]);
    let mut c = trusted_client(srv.port);
    c.args(["--provider", "builtin"]);
    let o = run(c, b"hello\n");
    assert_exit(&o, 0, &[]);
    assert_eq!(o.stdout, "hello\n");
}

#[cfg(not(feature = "openssl"))]
#[test]
fn openssl_provider_without_the_feature_is_a_usage_error() {
    for cmd in ["server", "client"] {
        let mut c = common::bin();
        c.arg(cmd);
        if cmd == "server" {
            c.args(common::server_cert_args())
                .args(["--addr", "127.0.0.1:0"]);
        } else {
            c.arg(format!("127.0.0.1:{}", common::closed_port()));
        }
        c.args(["--provider", "openssl"]);
        let o = run(c, b"");
        assert_exit(&o, 2, &["--provider openssl", "feature `openssl`"]);
    }
}

#[cfg(feature = "openssl")]
#[test]
fn openssl_provider_serves_and_connects() {
    let srv = cert_server(&["--provider", "openssl"]);
    for (cipher, iana) in [
        ("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        (
            "DHE-RSA-AES128-SHA256",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        ),
        (
            "ECDHE-RSA-AES128-GCM-SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ),
        (
            "ECDHE-RSA-CHACHA20-POLY1305",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ),
    ] {
        // openssl s_client: a line goes out and comes back while it is connected.
        common::s_client_echo(srv.port, cipher);
        srv.wait_for_log(iana);
        // The sanstls client, with the provider too.
        let mut c = trusted_client(srv.port);
        c.args(["--provider", "openssl", "--suite", cipher]);
        let o = run(c, b"hello\n");
        assert_exit(&o, 0, &[iana]);
        assert_eq!(o.stdout, "hello\n", "{cipher}");
    }
}
