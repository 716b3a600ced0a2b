//! A sanstls server whose RSA key, ephemeral keys and record keys are the OpenSSL
//! provider's, against a real peer: `openssl s_client -tls1_2` on 127.0.0.1, for an
//! RSA key exchange suite, a DHE suite and ECDHE suites (each AEAD); and a sanstls
//! client with the provider against `openssl s_server`. Each side sends a line.

use std::sync::Arc;

use sanstls_openssl::OpensslProvider;
use sanstls_proto::{
    CertifiedKey, CipherSuite, ClientConfig, NamedGroup, ServerConfig, TrustAnchors,
};
use sanstls_test::peers::{self, Peer, serve_one, td};

fn provider() -> Arc<OpensslProvider> {
    Arc::new(OpensslProvider::new())
}

fn server_config(suite: CipherSuite) -> ServerConfig {
    let p = provider();
    let read = |f: &str| std::fs::read_to_string(td(f)).unwrap();
    let key = CertifiedKey::from_pem_with(
        &read("server-rsa2048.chain.pem"),
        &read("server-rsa2048.rsa.pem"),
        &*p,
    )
    .unwrap();
    ServerConfig::builder()
        .single_cert(key)
        .cipher_suites(&[suite])
        .crypto_provider(p)
        .build()
        .unwrap()
}

/// (suite, OpenSSL name, `-groups` for s_client, the "Server Temp Key" s_client
/// prints, if any).
const CASES: [(CipherSuite, &str, Option<&str>, Option<&str>); 5] = [
    (
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        "AES128-GCM-SHA256",
        None,
        None,
    ),
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        "DHE-RSA-AES256-GCM-SHA384",
        None,
        Some("DH, 2048 bits"),
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        Some("X25519"),
        Some("X25519, 253 bits"),
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        Some("P-256"),
        Some("ECDH, prime256v1, 256 bits"),
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        Some("P-384"),
        Some("ECDH, secp384r1, 384 bits"),
    ),
];

#[test]
fn s_client_against_sanstls_server_with_openssl_provider() {
    for (suite, name, groups, temp_key) in CASES {
        let (result, peer) = serve_one(
            server_config(suite),
            31,
            |port| {
                let mut cmd = peers::s_client(port);
                cmd.args(["-CAfile", &td("ca-root.cert.pem"), "-verify_return_error"])
                    .args(["-ign_eof", "-servername", "localhost", "-cipher", name]);
                if let Some(g) = groups {
                    cmd.args(["-groups", g]);
                }
                Peer::spawn_with_input(&mut cmd, b"hello from s_client\n")
            },
            b"\n",
            b"hello from sanstls\n",
        );
        let stdout = peer.output();
        let out = result.unwrap_or_else(|e| panic!("{name}: {e}\ns_client said {stdout}"));
        assert_eq!(out.negotiated.as_ref().unwrap().suite, suite, "{name}");
        assert_eq!(out.data, b"hello from s_client\n", "{name}");
        assert!(stdout.contains("hello from sanstls"), "{name}: {stdout}");
        assert!(
            stdout.contains(&format!("Cipher is {name}")),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains("Verify return code: 0 (ok)"),
            "{name}: {stdout}"
        );
        if let Some(k) = temp_key {
            assert!(
                stdout.contains(&format!("Server Temp Key: {k}")),
                "{name}: {stdout}"
            );
        }
    }
}

#[test]
fn sanstls_client_with_openssl_provider_against_s_server() {
    let anchors =
        TrustAnchors::from_pem_bundle(&std::fs::read_to_string(td("ca-root.cert.pem")).unwrap())
            .unwrap();
    for (suite, name, groups, _) in CASES {
        let mut server = peers::s_server()
            .cert("server-rsa2048")
            .args(["-www", "-cipher", name]);
        if let Some(g) = groups {
            server = server.args(["-groups", g]);
        }
        let (_peer, port) = server.start();
        let mut client = ClientConfig::builder()
            .trust_anchors(anchors.clone())
            .cipher_suites(&[suite])
            .crypto_provider(provider());
        if let Some(g) = groups {
            let g = match g {
                "X25519" => NamedGroup::X25519,
                "P-256" => NamedGroup::SECP256R1,
                _ => NamedGroup::SECP384R1,
            };
            client = client.groups(&[g]);
        }
        let out = peers::http_get(client.build().unwrap(), port, "localhost", 5)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(out.complete, "{name}");
        assert_eq!(out.negotiated.as_ref().unwrap().suite, suite, "{name}");
        let page = String::from_utf8_lossy(&out.data);
        assert!(page.contains(name), "{name}: {page}");
    }
}
