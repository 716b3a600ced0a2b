//! Client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8) against real peers on
//! 127.0.0.1 ephemeral ports: a sanstls client with a certificate against OpenSSL 3's
//! `s_server -Verify 1`, a sanstls server with a client verifier against `s_client
//! -cert` and against Python's `ssl` with `load_cert_chain`, and the refusals (no
//! certificate where one is required). Every spawned peer is killed when the test ends,
//! also on failure. A missing peer binary fails the test loudly.

use std::sync::Arc;

use sanstls_pki::{TrustAnchors, WebPkiClientVerifier, pem_to_der_certs};
use sanstls_proto::{CertifiedKey, ClientConfig, Error, PeerIncompatible, ServerConfig};
use sanstls_test::fixtures;
use sanstls_test::peers::{self, Outcome, Peer, serve_one, td, tool};
use sanstls_wire::enums::{AlertDescription, CipherSuite, SignatureScheme};

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

// ---- sanstls client, OpenSSL server ------------------------------------------------

/// Starts `s_server -www -Verify 1` (a client certificate is required and checked
/// against the test root) and returns it with its port.
fn s_server_requiring_client_cert(cipher: &str) -> (Peer, u16) {
    peers::s_server()
        .args(["-www", "-cipher", cipher])
        .args(["-Verify", "1", "-CAfile", &td("ca-root.cert.pem")])
        .start()
}

fn connect(config: ClientConfig, port: u16) -> Result<Outcome, Error> {
    peers::http_get(config, port, "localhost", 21)
}

#[test]
fn sanstls_client_certificate_accepted_by_s_server() {
    // (suite, OpenSSL name, the schemes the client may sign with)
    let cases: [(CipherSuite, &str, &[SignatureScheme]); 5] = [
        (
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
            "AES128-SHA256",
            sanstls_proto::DEFAULT_SIGNATURE_SCHEMES,
        ),
        (
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            "DHE-RSA-AES128-SHA256",
            sanstls_proto::DEFAULT_SIGNATURE_SCHEMES,
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
fn serve_one_client(
    config: ServerConfig,
    spawn: impl FnOnce(u16) -> Peer,
    until: &[u8],
    reply: &[u8],
) -> (Result<Outcome, Error>, String) {
    let (result, peer) = serve_one(config, 23, spawn, until, reply);
    (result, peer.output())
}

fn s_client(port: u16, with_cert: bool, cipher: &str) -> Peer {
    let mut c = peers::s_client(port);
    c.args([
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
    Peer::spawn_with_input(&mut c, b"hello from s_client\n")
}

#[test]
fn s_client_certificate_accepted_by_sanstls_server() {
    // The server's scheme list decides what OpenSSL may sign its CertificateVerify
    // with: PSS, PKCS#1, or its own choice among the defaults.
    let cases: [(&str, &[SignatureScheme]); 4] = [
        ("AES128-SHA256", sanstls_proto::DEFAULT_SIGNATURE_SCHEMES),
        (
            "DHE-RSA-AES128-SHA256",
            sanstls_proto::DEFAULT_SIGNATURE_SCHEMES,
        ),
        ("DHE-RSA-AES256-SHA", &[SignatureScheme::RSA_PKCS1_SHA256]),
        ("AES256-SHA256", &[SignatureScheme::RSA_PSS_RSAE_SHA512]),
    ];
    for (cipher, schemes) in cases {
        let config = server_config(true)
            .signature_schemes(schemes)
            .build()
            .unwrap();
        let (out, text) = serve_one_client(
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
    let (out, text) = serve_one_client(
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
    let (out, text) = serve_one_client(
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
    let (out, text) = serve_one_client(
        config,
        |port| {
            Peer::spawn(
                tool("python3")
                    .args(["-c", PY_CLIENT, &port.to_string()])
                    .args([td("ca-root.cert.pem"), td("client.chain.pem")])
                    .arg(td("client.rsa.pem")),
            )
        },
        b"\n",
        b"hello from sanstls\n",
    );
    let out = out.unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(out.data, b"hello from python\n");
    assert_eq!(out.negotiated.unwrap().peer_certificates, client_chain());
    assert_eq!(text.trim(), "TLSv1.2 hello from sanstls");
}
