//! ECDHE, ECDSA and the AEAD suites against real peers on 127.0.0.1 ephemeral ports:
//! OpenSSL 3's `s_server` and `s_client` (every new suite, every group, the RSA and both
//! ECDSA certificates), `curl`, Python's `ssl`, and tlslite-ng (through the small
//! script [`TLSLITE_PEER`]), each way; client certificates with an ECDSA key; mixed
//! RSA/ECDSA chains, ECDSA signature hashes, full-size AEAD records and resumption over
//! ECDHE suites; and the refusals (no common group, no suite for the certificate, an
//! ECDSA certificate on a curve the client does not list). Each s_server serves a whole
//! loop of suites for one certificate and group. A missing peer fails the test loudly;
//! nothing passes silently.

use std::sync::Arc;

use sanstls_pki::{TrustAnchors, WebPkiClientVerifier};
use sanstls_proto::{CertifiedKey, ClientConfig, Error, ServerConfig};
use sanstls_test::fixtures;
use sanstls_test::peers::{self, Outcome, Peer, drive, serve_one, td, tlslite_python, tool};
use sanstls_wire::enums::{AlertDescription, CipherSuite, KeyExchange, NamedGroup};

type Suite = (CipherSuite, &'static str);

/// The ECDHE_ECDSA suites sanstls has, with their OpenSSL names.
const ECDHE_ECDSA: [Suite; 7] = [
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        "ECDHE-ECDSA-AES128-SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "ECDHE-ECDSA-AES128-SHA",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        "ECDHE-ECDSA-AES256-SHA",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        "ECDHE-ECDSA-AES256-SHA384",
    ),
];

/// The ECDHE_RSA suites sanstls has, with their OpenSSL names.
const ECDHE_RSA: [Suite; 7] = [
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        "ECDHE-RSA-AES128-SHA256",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        "ECDHE-RSA-AES128-SHA",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        "ECDHE-RSA-AES256-SHA",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        "ECDHE-RSA-AES256-SHA384",
    ),
];

/// The new AES-GCM suites without ECDHE (DHE_RSA and RSA key exchange).
const GCM_RSA_DHE: [Suite; 4] = [
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        "DHE-RSA-AES128-GCM-SHA256",
    ),
    (
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        "DHE-RSA-AES256-GCM-SHA384",
    ),
    (
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        "AES128-GCM-SHA256",
    ),
    (
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        "AES256-GCM-SHA384",
    ),
];

/// A group, its OpenSSL `-groups` name, and how `s_client` describes the server's
/// ephemeral key on it (`Server Temp Key: ...`).
type Group = (NamedGroup, &'static str, &'static str);

const GROUPS: [Group; 3] = [
    (NamedGroup::X25519, "X25519", "X25519, 253 bits"),
    (NamedGroup::SECP256R1, "P-256", "ECDH, prime256v1, 256 bits"),
    (NamedGroup::SECP384R1, "P-384", "ECDH, secp384r1, 384 bits"),
];

/// A server certificate of testdata: its stem, key file, the issuer s_server sends
/// after it, and the root that anchors it.
#[derive(Clone, Copy, Debug)]
struct Cert {
    stem: &'static str,
    key: &'static str,
    issuer: &'static str,
    anchor: &'static str,
    /// The curve of an EC key.
    curve: Option<NamedGroup>,
}

const RSA: Cert = Cert {
    stem: "server-rsa2048",
    key: "server-rsa2048.rsa.pem",
    issuer: "ca-int.cert.pem",
    anchor: "ca-root.cert.pem",
    curve: None,
};
// The SEC 1 key for P-256 and the PKCS#8 key for P-384: both encodings in use.
const P256: Cert = Cert {
    stem: "server-ecdsa-p256",
    key: "server-ecdsa-p256.ec.pem",
    issuer: "ca-ecdsa-int.cert.pem",
    anchor: "ca-ecdsa-root.cert.pem",
    curve: Some(NamedGroup::SECP256R1),
};
const P384: Cert = Cert {
    stem: "server-ecdsa-p384",
    key: "server-ecdsa-p384.pkcs8.pem",
    issuer: "ca-ecdsa-int.cert.pem",
    anchor: "ca-ecdsa-root.cert.pem",
    curve: Some(NamedGroup::SECP384R1),
};

/// The groups a client offers to get `group` from a sanstls server with `cert` that
/// has only that group configured: `group`, and the curve of an EC certificate when it
/// is another (RFC 8422 §5.1: in TLS 1.2 supported_groups also lists the curves the
/// client can verify ECDSA signatures on; a server, sanstls as OpenSSL, refuses
/// ECDHE_ECDSA when the certificate's curve is not among them). The groups' names in
/// `names` (a table like [`GROUPS`]' or [`TLSLITE_CURVES`]'), joined with `sep`.
fn offered_groups(
    cert: Cert,
    group: NamedGroup,
    names: &[(NamedGroup, &str)],
    sep: &str,
) -> String {
    let name = |g: NamedGroup| names.iter().find(|n| n.0 == g).unwrap().1;
    match cert.curve {
        Some(c) if c != group => format!("{}{sep}{}", name(group), name(c)),
        _ => name(group).to_owned(),
    }
}

/// [`GROUPS`] as (group, OpenSSL name).
fn openssl_group_names() -> Vec<(NamedGroup, &'static str)> {
    GROUPS.iter().map(|g| (g.0, g.1)).collect()
}

/// The suites a certificate serves.
fn suites_for(cert: Cert) -> &'static [Suite] {
    if cert.stem == RSA.stem {
        &ECDHE_RSA
    } else {
        &ECDHE_ECDSA
    }
}

/// The OpenSSL name of any suite in the tables above.
fn openssl_name(suite: CipherSuite) -> &'static str {
    ECDHE_ECDSA
        .iter()
        .chain(&ECDHE_RSA)
        .chain(&GCM_RSA_DHE)
        .find(|s| s.0 == suite)
        .unwrap_or_else(|| panic!("{suite:?} is not a new suite"))
        .1
}

/// Both test roots, RSA and ECDSA.
fn anchors() -> TrustAnchors {
    let mut pem = fixtures::read("ca-root.cert.pem");
    pem.push_str(&fixtures::read("ca-ecdsa-root.cert.pem"));
    TrustAnchors::from_pem_bundle(&pem).unwrap()
}

fn client_config(suites: &[CipherSuite]) -> sanstls_proto::ClientConfigBuilder {
    ClientConfig::builder()
        .trust_anchors(anchors())
        .cipher_suites(suites)
}

fn certified_key(cert: Cert) -> CertifiedKey {
    CertifiedKey::from_pem(
        &fixtures::read(&format!("{}.chain.pem", cert.stem)),
        &fixtures::read(cert.key),
    )
    .unwrap_or_else(|e| panic!("{cert:?}: {e:?}"))
}

/// A sanstls server with `cert` and every suite (the default).
fn server_config(cert: Cert) -> sanstls_proto::ServerConfigBuilder {
    ServerConfig::builder().single_cert(certified_key(cert))
}

/// `s_server -www` with `cert`, to be given more options and started.
fn s_server(cert: Cert) -> peers::SServer {
    peers::s_server()
        .cert_files(cert.stem, cert.key, cert.issuer)
        .args(["-www"])
}

/// The suites' OpenSSL names joined for `-cipher`.
fn cipher_list(suites: &[Suite]) -> String {
    suites.iter().map(|s| s.1).collect::<Vec<_>>().join(":")
}

/// Checks the outcome of [`peers::http_get`] against `s_server -www`.
fn check_page(out: &Outcome, suite: Suite, group: Option<NamedGroup>, what: &str) {
    assert!(out.complete, "{what}");
    let n = out.negotiated.as_ref().unwrap();
    assert_eq!(n.suite, suite.0, "{what}");
    assert_eq!(n.ec_group, group, "{what}");
    assert!(n.extended_master_secret, "{what}");
    let page = String::from_utf8_lossy(&out.data);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{what}: {page}");
    assert!(
        page.contains(&format!("Cipher is {}", suite.1)),
        "{what}: {page}"
    );
}

// ---- sanstls client, OpenSSL server --------------------------------------------------

/// Every ECDHE suite, every group, and for ECDHE_ECDSA both ECDSA certificates: one
/// `s_server` per certificate and group, pinned to the group with `-groups` and
/// offering all the suites of its certificate; the client offers one suite at a time
/// (and its default groups).
#[test]
fn sanstls_client_against_s_server_every_ecdhe_suite_and_group() {
    let mut cases = 0;
    for cert in [RSA, P256, P384] {
        let suites = suites_for(cert);
        for (group, group_name, _) in GROUPS {
            let (mut peer, port) = s_server(cert)
                .args(["-cipher", &cipher_list(suites), "-groups", group_name])
                .start();
            for &suite in suites {
                let what = format!("{} {group_name} {}", suite.1, cert.stem);
                let out = peers::http_get(
                    client_config(&[suite.0]).build().unwrap(),
                    port,
                    "localhost",
                    7,
                )
                .unwrap_or_else(|e| panic!("{what}: {e}\ns_server said {}", peer.output()));
                check_page(&out, suite, Some(group), &what);
                // The server's chain: leaf and intermediate.
                assert_eq!(out.peer_certificates.len(), 2, "{what}");
                cases += 1;
            }
            peer.kill();
        }
    }
    assert_eq!(cases, 63);
}

/// The AES-GCM suites with DHE_RSA and RSA key exchange (no EC group).
#[test]
fn sanstls_client_against_s_server_gcm_dhe_and_rsa() {
    let (_peer, port) = s_server(RSA)
        .args(["-cipher", &cipher_list(&GCM_RSA_DHE)])
        .start();
    for suite in GCM_RSA_DHE {
        let out = peers::http_get(
            client_config(&[suite.0]).build().unwrap(),
            port,
            "localhost",
            7,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", suite.1));
        check_page(&out, suite, None, suite.1);
        let dhe = suite.0.key_exchange() == Some(KeyExchange::DheRsa);
        assert_eq!(
            out.negotiated.unwrap().dh_bits.is_some(),
            dhe,
            "{}",
            suite.1
        );
    }
}

/// The issue's case: `s_server -cipher ECDHE-RSA-AES128-GCM-SHA256` (its default
/// groups) and a sanstls client with nothing but trust anchors configured.
#[test]
fn default_client_against_s_server_ecdhe_rsa_aes128_gcm() {
    let (_peer, port) = s_server(RSA)
        .args(["-cipher", "ECDHE-RSA-AES128-GCM-SHA256"])
        .start();
    let config = ClientConfig::builder()
        .trust_anchors(anchors())
        .build()
        .unwrap();
    let out = peers::http_get(config, port, "localhost", 7).unwrap();
    // OpenSSL takes the client's first group it has: X25519.
    check_page(
        &out,
        ECDHE_RSA[0],
        Some(NamedGroup::X25519),
        "default client",
    );
}

// ---- sanstls server, OpenSSL client --------------------------------------------------

/// Runs `s_client -tls1_2` with `args` (and trusting `anchor`) against a sanstls
/// server: it sends a line, the server answers one and closes. The server's outcome
/// and s_client's stdout.
fn against_s_client(
    config: ServerConfig,
    anchor: &str,
    args: &[&str],
) -> (Result<Outcome, Error>, String) {
    let (result, peer) = serve_one(
        config,
        9,
        |port| {
            Peer::spawn_with_input(
                peers::s_client(port)
                    .args(["-CAfile", &td(anchor), "-verify_return_error", "-ign_eof"])
                    .args(["-servername", "localhost"])
                    .args(args),
                b"hello from s_client\n",
            )
        },
        b"\n",
        b"hello from sanstls\n",
    );
    (result, peer.output())
}

/// Checks a connection of [`against_s_client`].
fn check_s_client(
    result: Result<Outcome, Error>,
    stdout: &str,
    suite: Suite,
    group: Option<Group>,
    what: &str,
) -> Outcome {
    let out = result.unwrap_or_else(|e| panic!("{what}: {e}\ns_client said {stdout}"));
    let n = out.negotiated.as_ref().unwrap();
    assert_eq!(n.suite, suite.0, "{what}");
    assert_eq!(n.ec_group, group.map(|g| g.0), "{what}");
    assert_eq!(n.server_name.as_deref(), Some("localhost"), "{what}");
    assert_eq!(out.data, b"hello from s_client\n", "{what}");
    assert!(stdout.contains("hello from sanstls"), "{what}: {stdout}");
    assert!(
        stdout.contains(&format!("Cipher is {}", suite.1)),
        "{what}: {stdout}"
    );
    assert!(
        stdout.contains("Verify return code: 0 (ok)"),
        "{what}: {stdout}"
    );
    if let Some((_, _, temp_key)) = group {
        assert!(
            stdout.contains(&format!("Server Temp Key: {temp_key}")),
            "{what}: {stdout}"
        );
    }
    out
}

/// Every ECDHE suite and group against a sanstls server with the RSA certificate, then
/// with the P-256 and the P-384 ECDSA certificates: `s_client -cipher NAME -groups G`.
#[test]
fn s_client_against_sanstls_server_every_ecdhe_suite_and_group() {
    let mut cases = 0;
    for cert in [RSA, P256, P384] {
        for &suite in suites_for(cert) {
            for group in GROUPS {
                let what = format!("{} {} {}", suite.1, group.1, cert.stem);
                let offered = offered_groups(cert, group.0, &openssl_group_names(), ":");
                let (result, stdout) = against_s_client(
                    server_config(cert).groups(&[group.0]).build().unwrap(),
                    cert.anchor,
                    &["-cipher", suite.1, "-groups", &offered],
                );
                check_s_client(result, &stdout, suite, Some(group), &what);
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 63);
}

/// The AES-GCM suites with DHE_RSA and RSA key exchange against a sanstls server.
#[test]
fn s_client_against_sanstls_server_gcm_dhe_and_rsa() {
    for suite in GCM_RSA_DHE {
        let (result, stdout) = against_s_client(
            server_config(RSA).build().unwrap(),
            RSA.anchor,
            &["-cipher", suite.1],
        );
        check_s_client(result, &stdout, suite, None, suite.1);
    }
}

/// Full-size records each way with the AEAD suites: s_client sends 40,000 bytes (in
/// records of up to 2^14 bytes), the sanstls server answers 50,000.
#[test]
fn s_client_full_size_aead_records() {
    let line = [vec![b'a'; 40_000], b"\n".to_vec()].concat();
    let reply = [vec![b'b'; 50_000], b"\n".to_vec()].concat();
    for (cert, suite) in [
        (RSA, ECDHE_RSA[0]),
        (P256, ECDHE_ECDSA[1]),
        (P384, ECDHE_ECDSA[2]),
        (RSA, GCM_RSA_DHE[0]),
    ] {
        let (result, client) = serve_one(
            server_config(cert).build().unwrap(),
            9,
            |port| {
                Peer::spawn_with_input(
                    peers::s_client(port)
                        .args(["-CAfile", &td(cert.anchor), "-verify_return_error"])
                        .args(["-ign_eof", "-quiet", "-cipher", suite.1]),
                    &line,
                )
            },
            b"\n",
            &reply,
        );
        let out = result.unwrap_or_else(|e| panic!("{}: {e}\n{}", suite.1, client.stderr()));
        assert_eq!(out.negotiated.unwrap().suite, suite.0);
        assert!(out.data == line, "{}: {} bytes", suite.1, out.data.len());
        assert!(
            client.stdout().as_bytes() == reply,
            "{}: {}",
            suite.1,
            client.stderr()
        );
    }
}

/// curl with `--ciphers NAME` (and `--curves` for some) against a sanstls server.
#[test]
fn curl_against_sanstls_server() {
    let cases: [(Cert, Suite, Option<Group>); 4] = [
        (RSA, ECDHE_RSA[1], None),
        (RSA, ECDHE_RSA[0], Some(GROUPS[2])),
        (P256, ECDHE_ECDSA[2], None),
        (P384, ECDHE_ECDSA[1], Some(GROUPS[1])),
    ];
    for (cert, suite, group) in cases {
        let what = format!("{} {:?} {}", suite.1, group.map(|g| g.1), cert.stem);
        let config = match group {
            Some(g) => server_config(cert).groups(&[g.0]),
            None => server_config(cert),
        };
        let (out, curl) = serve_one(
            config.build().unwrap(),
            11,
            |port| {
                let mut cmd = tool("curl");
                cmd.args(["--silent", "--show-error", "--tlsv1.2", "--tls-max", "1.2"])
                    .args(["--cacert", &td(cert.anchor), "--ciphers", suite.1])
                    .args(["--resolve", &format!("localhost:{port}:127.0.0.1")]);
                if let Some(g) = group {
                    cmd.args([
                        "--curves",
                        &offered_groups(cert, g.0, &openssl_group_names(), ":"),
                    ]);
                }
                Peer::spawn(cmd.arg(format!("https://localhost:{port}/")))
            },
            b"\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\nhello from tls\n",
        );
        let out = out.unwrap_or_else(|e| panic!("{what}: {e}\ncurl said: {}", curl.stderr()));
        let n = out.negotiated.unwrap();
        assert_eq!(n.suite, suite.0, "{what}");
        // curl offers X25519 first by default.
        let want = group.map_or(NamedGroup::X25519, |g| g.0);
        assert_eq!(n.ec_group, Some(want), "{what}");
        assert!(out.data.starts_with(b"GET / HTTP/1.1\r\n"), "{what}");
        assert_eq!(curl.stdout(), "hello from tls\n", "{what}");
    }
}

const PY_CLIENT: &str = r#"
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as s:
    s.sendall(b"hello from python\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print(s.version(), s.cipher()[0], data.decode().strip(), flush=True)
    s.unwrap()
"#;

/// Python's `ssl` with a default context (TLS 1.2 at most) against a sanstls server
/// with every suite, an ECDSA and then an RSA certificate: the suite it reports is
/// the one sanstls chose, an ECDHE one of the certificate's kind.
#[test]
fn python_ssl_client_against_sanstls_server() {
    for (cert, kx) in [
        (P256, KeyExchange::EcdheEcdsa),
        (RSA, KeyExchange::EcdheRsa),
    ] {
        let (out, python) = serve_one(
            server_config(cert).build().unwrap(),
            13,
            |port| {
                Peer::spawn(tool("python3").args([
                    "-c",
                    PY_CLIENT,
                    &port.to_string(),
                    &td(cert.anchor),
                ]))
            },
            b"\n",
            b"hello from sanstls\n",
        );
        let out =
            out.unwrap_or_else(|e| panic!("{}: {e}\npython said: {}", cert.stem, python.output()));
        assert_eq!(out.data, b"hello from python\n");
        assert_eq!(out.closed_clean, Some(true));
        let n = out.negotiated.unwrap();
        assert_eq!(
            n.suite.key_exchange(),
            Some(kx),
            "{}: {:?}",
            cert.stem,
            n.suite
        );
        assert!(n.ec_group.is_some());
        assert_eq!(
            python.stdout().trim(),
            format!("TLSv1.2 {} hello from sanstls", openssl_name(n.suite)),
            "{}: {}",
            cert.stem,
            python.stderr()
        );
    }
}

// ---- client certificates with an ECDSA key --------------------------------------------

/// A sanstls server requiring a client certificate under `ca-ecdsa-root`, and
/// `s_client -cert client-ecdsa.cert.pem -key client-ecdsa.ec.pem` with its
/// intermediate, over an ECDHE_ECDSA and an ECDHE_RSA suite.
#[test]
fn s_client_ecdsa_certificate_accepted_by_sanstls_server() {
    for (cert, suite, group) in [
        (P256, ECDHE_ECDSA[0], GROUPS[1]),
        (RSA, ECDHE_RSA[2], GROUPS[0]),
    ] {
        let roots =
            TrustAnchors::from_pem_bundle(&fixtures::read("ca-ecdsa-root.cert.pem")).unwrap();
        let config = server_config(cert)
            .client_verifier(Arc::new(WebPkiClientVerifier::new(roots)))
            .build()
            .unwrap();
        let (result, stdout) = against_s_client(
            config,
            cert.anchor,
            &[
                "-cipher",
                suite.1,
                "-groups",
                group.1,
                "-cert",
                &td("client-ecdsa.cert.pem"),
                "-key",
                &td("client-ecdsa.ec.pem"),
                "-cert_chain",
                &td("ca-ecdsa-int.cert.pem"),
            ],
        );
        let out = check_s_client(result, &stdout, suite, Some(group), suite.1);
        let n = out.negotiated.unwrap();
        let chain =
            sanstls_pki::pem_to_der_certs(&fixtures::read("client-ecdsa.chain.pem")).unwrap();
        assert_eq!(n.peer_certificates, chain, "{}", suite.1);
    }
}

/// A sanstls client with the client-ecdsa certificate against `s_server -Verify 1
/// -CAfile ca-ecdsa-root.cert.pem` (a certificate is required), RSA and ECDSA servers.
#[test]
fn sanstls_client_ecdsa_certificate_accepted_by_s_server() {
    let key = || {
        CertifiedKey::from_pem(
            &fixtures::read("client-ecdsa.chain.pem"),
            &fixtures::read("client-ecdsa.ec.pem"),
        )
        .unwrap()
    };
    for (cert, suite) in [(P384, ECDHE_ECDSA[2]), (RSA, ECDHE_RSA[1])] {
        let (peer, port) = s_server(cert)
            .args(["-cipher", suite.1])
            .args(["-Verify", "1", "-CAfile", &td("ca-ecdsa-root.cert.pem")])
            .start();
        let config = client_config(&[suite.0])
            .client_certificate(key())
            .build()
            .unwrap();
        let out = peers::http_get(config, port, "localhost", 21)
            .unwrap_or_else(|e| panic!("{}: {e}\ns_server said {}", suite.1, peer.output()));
        check_page(&out, suite, Some(NamedGroup::X25519), suite.1);
        let page = String::from_utf8_lossy(&out.data);
        assert!(page.contains("Client certificate"), "{}: {page}", suite.1);
    }
}

// ---- mixed chains, pinned client groups, resumption ----------------------------------

/// The mixed chains both ways: a P-256 leaf under the RSA CAs (ECDHE_ECDSA) and an RSA
/// leaf under the ECDSA CAs (ECDHE_RSA).
#[test]
fn mixed_chains_both_ways() {
    const EC_UNDER_RSA: Cert = Cert {
        stem: "server-ecdsa-rsaca",
        key: "server-ecdsa-rsaca.pkcs8.pem",
        issuer: "ca-int.cert.pem",
        anchor: "ca-root.cert.pem",
        curve: Some(NamedGroup::SECP256R1),
    };
    const RSA_UNDER_EC: Cert = Cert {
        stem: "server-rsa-ecdsaca",
        key: "server-rsa-ecdsaca.rsa.pem",
        issuer: "ca-ecdsa-int.cert.pem",
        anchor: "ca-ecdsa-root.cert.pem",
        curve: None,
    };
    for (cert, suite) in [(EC_UNDER_RSA, ECDHE_ECDSA[0]), (RSA_UNDER_EC, ECDHE_RSA[1])] {
        let what = format!("{} {}", cert.stem, suite.1);
        let (peer, port) = s_server(cert).args(["-cipher", suite.1]).start();
        let out = peers::http_get(
            client_config(&[suite.0]).build().unwrap(),
            port,
            "localhost",
            7,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}\n{}", peer.output()));
        check_page(&out, suite, Some(NamedGroup::X25519), &what);

        let (result, stdout) = against_s_client(
            server_config(cert).build().unwrap(),
            cert.anchor,
            &["-cipher", suite.1],
        );
        check_s_client(result, &stdout, suite, Some(GROUPS[0]), &what);
    }
}

/// A sanstls client offering one group at a time (`ClientConfigBuilder::groups`; for
/// an ECDSA server, the certificate's curve after it) against one `s_server` with its
/// default groups: it gets that group.
#[test]
fn sanstls_client_with_pinned_groups_against_s_server() {
    for cert in [RSA, P384] {
        let suite = suites_for(cert)[0];
        let (peer, port) = s_server(cert).args(["-cipher", suite.1]).start();
        for (group, name, _) in GROUPS {
            let what = format!("{} {name}", cert.stem);
            // The certificate's curve too (RFC 8422 §5.1, see
            // `ecdsa_certificate_curve_must_be_among_the_clients_groups`), after it.
            let mut groups = vec![group];
            groups.extend(cert.curve.filter(|&c| c != group));
            let config = client_config(&[suite.0]).groups(&groups).build().unwrap();
            let out = peers::http_get(config, port, "localhost", 7)
                .unwrap_or_else(|e| panic!("{what}: {e}\n{}", peer.output()));
            check_page(&out, suite, Some(group), &what);
        }
    }
}

/// Session resumption over ECDHE suites (SHA-384 PRF included): the sanstls client
/// resumes with `s_server` (a shared client configuration keeps the session), and
/// `s_client -reconnect` resumes with the sanstls server. A resumed connection has no
/// `ec_group` (no key exchange).
#[test]
fn resumption_over_ecdhe_suites() {
    for (cert, suite) in [(P384, ECDHE_ECDSA[2]), (RSA, ECDHE_RSA[1])] {
        let what = format!("{} {}", cert.stem, suite.1);
        let (peer, port) = s_server(cert).args(["-cipher", suite.1]).start();
        let config = Arc::new(client_config(&[suite.0]).build().unwrap());
        let first = peers::http_get(Arc::clone(&config), port, "localhost", 7)
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", peer.output()));
        check_page(&first, suite, Some(NamedGroup::X25519), &what);
        assert!(!first.negotiated.unwrap().resumed, "{what}");
        let second = peers::http_get(config, port, "localhost", 8)
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", peer.output()));
        check_page(&second, suite, None, &what);
        assert!(second.negotiated.unwrap().resumed, "{what}");
        let page = String::from_utf8_lossy(&second.data);
        assert!(page.contains("Reused, TLSv1.2"), "{what}: {page}");

        let (served, client) = peers::serve_many(
            server_config(cert).build().unwrap(),
            21,
            // -reconnect: the first connection and five more.
            6,
            |port| {
                Peer::spawn(
                    peers::s_client(port)
                        .args(["-CAfile", &td(cert.anchor), "-verify_return_error"])
                        .args(["-servername", "localhost", "-reconnect"])
                        .args(["-cipher", suite.1]),
                )
            },
            b"\n",
            b"",
        );
        let resumed: Vec<_> = served
            .iter()
            .map(|s| {
                let out = s
                    .result
                    .as_ref()
                    .unwrap_or_else(|e| panic!("{what}: {e}\n{}", client.output()));
                let n = out.negotiated.as_ref().unwrap();
                assert_eq!(n.suite, suite.0, "{what}");
                assert_eq!(n.ec_group.is_some(), !n.resumed, "{what}");
                n.resumed
            })
            .collect();
        assert_eq!(
            resumed,
            [false, true, true, true, true, true],
            "{what}: {}",
            client.stdout()
        );
    }
}

// ---- refusals -------------------------------------------------------------------------

/// `s_server` with ECDHE suites only and only X448, which the sanstls client does not
/// offer: OpenSSL has no suite it can use and sends handshake_failure, which the
/// client reports as such. And `s_client -groups X448` against a sanstls server with
/// ECDHE suites only: sanstls sends handshake_failure.
#[test]
fn no_common_group_fails_with_handshake_failure() {
    let (mut peer, port) = s_server(RSA)
        .args(["-cipher", &cipher_list(&ECDHE_RSA), "-groups", "X448"])
        .start();
    let config = ClientConfig::builder()
        .trust_anchors(anchors())
        .build()
        .unwrap();
    let err = peers::http_get(config, port, "localhost", 7).unwrap_err();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert!(
        peer.wait_for_stderr("no shared cipher", peers::HANG_GUARD),
        "{}",
        peer.output()
    );
    peer.kill();

    let config = server_config(RSA)
        .cipher_suites(&ECDHE_RSA.map(|s| s.0))
        .build()
        .unwrap();
    let (result, stdout) = against_s_client(config, RSA.anchor, &["-groups", "X448"]);
    let err = result.unwrap_err();
    assert!(matches!(err, Error::PeerIncompatible(_)), "{err:?}");
    assert_eq!(err.alert(), Some(AlertDescription::HANDSHAKE_FAILURE));
    assert!(stdout.contains("handshake failure"), "{stdout}");
}

/// A sanstls client offering ECDHE_ECDSA suites only against an RSA-only `s_server`
/// (its default suites): no suite in common, handshake_failure.
#[test]
fn ecdsa_only_client_against_rsa_only_s_server() {
    let (peer, port) = s_server(RSA).start();
    let config = client_config(&ECDHE_ECDSA.map(|s| s.0)).build().unwrap();
    let err = peers::http_get(config, port, "localhost", 7).unwrap_err();
    assert_eq!(
        err,
        Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert!(
        peer.wait_for_stderr("no shared cipher", peers::HANG_GUARD),
        "{}",
        peer.output()
    );
}

/// RFC 8422 §5.1: a TLS 1.2 client's supported_groups also names the curves it can
/// verify ECDSA signatures on. `s_client -groups X25519` against a server with only a
/// P-256 ECDSA certificate: the sanstls server refuses (no suite it can use,
/// handshake_failure), as `s_server` does in the same place.
#[test]
fn ecdsa_certificate_curve_must_be_among_the_clients_groups() {
    let args = ["-cipher", ECDHE_ECDSA[0].1, "-groups", "X25519"];
    let (result, stdout) =
        against_s_client(server_config(P256).build().unwrap(), P256.anchor, &args);
    let err = result.unwrap_err();
    assert_eq!(
        err,
        Error::PeerIncompatible(sanstls_proto::PeerIncompatible::NoCommonCipherSuite)
    );
    assert_eq!(err.alert(), Some(AlertDescription::HANDSHAKE_FAILURE));
    assert!(stdout.contains("handshake failure"), "{stdout}");

    // OpenSSL's server, for reference.
    let (peer, port) = s_server(P256).start();
    let mut client = Peer::spawn(
        peers::s_client(port)
            .args(["-CAfile", &td(P256.anchor)])
            .args(args),
    );
    client.wait();
    assert!(
        client.output().contains("handshake failure"),
        "{}",
        client.output()
    );
    assert!(
        peer.wait_for_stderr("no shared cipher", peers::HANG_GUARD),
        "{}",
        peer.output()
    );
}

// ---- tlslite-ng ------------------------------------------------------------------------

/// A tlslite-ng peer for one TLS 1.2 ECDHE AEAD suite (IANA name) on one curve (or
/// a comma-separated list):
/// `server SUITE CURVE CHAIN KEY` prints its port, serves one connection (echoes a line
/// as `echo: LINE`, then closes); `client SUITE CURVE PORT` sends a line and prints what
/// comes back until the server closes. Both print `CIPHER <name>` on stderr.
const TLSLITE_PEER: &str = r#"
import socket, sys
from tlslite.api import TLSConnection, HandshakeSettings, X509CertChain, parsePEMKey
from tlslite.constants import CipherSuite
role, suite, curve = sys.argv[1], sys.argv[2], sys.argv[3]
s = HandshakeSettings()
s.minVersion = s.maxVersion = (3, 3)
kx = suite[len("TLS_"):suite.index("_WITH_")]
s.keyExchangeNames = [kx.lower()]
ciphers = {"AES_128_GCM": "aes128gcm", "AES_256_GCM": "aes256gcm",
           "CHACHA20_POLY1305": "chacha20-poly1305", "AES_128_CBC": "aes128",
           "AES_256_CBC": "aes256"}
s.cipherNames = [next(v for k, v in ciphers.items() if k in suite)]
s.macNames = ["aead" if s.cipherNames[0] in ("aes128gcm", "aes256gcm", "chacha20-poly1305")
              else "sha256" if suite.endswith("_SHA256")
              else "sha384" if suite.endswith("_SHA384") else "sha"]
s.eccCurves = curve.split(",")
s.keyShares = []
def report(conn):
    sys.stderr.write("CIPHER %s\n" % CipherSuite.ietfNames[conn.session.cipherSuite])
    sys.stderr.flush()
if role == "server":
    chain = X509CertChain()
    chain.parsePemList(open(sys.argv[4]).read())
    key = parsePEMKey(open(sys.argv[5]).read(), private=True)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    print(srv.getsockname()[1], flush=True)
    raw, _ = srv.accept()
    raw.settimeout(20)
    conn = TLSConnection(raw)
    conn.handshakeServer(certChain=chain, privateKey=key, settings=s)
    report(conn)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.read()
        if not chunk:
            break
        data += chunk
    conn.write(b"echo: " + data)
    conn.close()
else:
    raw = socket.create_connection(("127.0.0.1", int(sys.argv[4])), timeout=20)
    conn = TLSConnection(raw)
    conn.handshakeClientCert(settings=s, serverName="localhost")
    report(conn)
    conn.write(b"hello from tlslite\n")
    data = b""
    while True:
        chunk = conn.read()
        if not chunk:
            break
        data += chunk
    sys.stdout.write(data.decode())
    sys.stdout.flush()
    conn.close()
"#;

/// The IANA names of the new suites, which tlslite-ng 0.8.2 all has (with
/// encrypt-then-MAC for the CBC ones), and its curve names.
const TLSLITE_SUITES: [(CipherSuite, &str); 18] = [
    (ECDHE_ECDSA[6].0, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    (ECDHE_RSA[6].0, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    (ECDHE_ECDSA[0].0, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    (
        ECDHE_ECDSA[1].0,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (ECDHE_ECDSA[2].0, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    (ECDHE_ECDSA[3].0, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    (ECDHE_ECDSA[4].0, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    (ECDHE_ECDSA[5].0, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    (ECDHE_RSA[0].0, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    (
        ECDHE_RSA[1].0,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (ECDHE_RSA[2].0, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    (ECDHE_RSA[3].0, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    (ECDHE_RSA[4].0, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    (ECDHE_RSA[5].0, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    (GCM_RSA_DHE[0].0, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    (GCM_RSA_DHE[1].0, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    (GCM_RSA_DHE[2].0, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
    (GCM_RSA_DHE[3].0, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
];
const TLSLITE_CURVES: [(NamedGroup, &str); 3] = [
    (NamedGroup::X25519, "x25519"),
    (NamedGroup::SECP256R1, "secp256r1"),
    (NamedGroup::SECP384R1, "secp384r1"),
];

/// One tlslite case: a suite (IANA name), the group (`None` without ECDHE), and the
/// server certificate: RSA but for ECDHE_ECDSA, there P-384 on the P-384 curve and
/// P-256 otherwise.
struct TlsliteCase {
    suite: CipherSuite,
    iana: &'static str,
    group: Option<(NamedGroup, &'static str)>,
    cert: Cert,
}

/// Every ECDHE suite on every curve, and the others once.
fn tlslite_cases() -> Vec<TlsliteCase> {
    let mut cases = Vec::new();
    for (suite, iana) in TLSLITE_SUITES {
        let kx = suite.key_exchange().unwrap();
        let groups: Vec<_> = if kx.is_ecdhe() {
            TLSLITE_CURVES.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for group in groups {
            let cert = match (kx, group) {
                (KeyExchange::EcdheEcdsa, Some((NamedGroup::SECP384R1, _))) => P384,
                (KeyExchange::EcdheEcdsa, _) => P256,
                _ => RSA,
            };
            cases.push(TlsliteCase {
                suite,
                iana,
                group,
                cert,
            });
        }
    }
    cases
}

impl TlsliteCase {
    fn what(&self) -> String {
        format!(
            "{} {:?} {}",
            self.iana,
            self.group.map(|g| g.1),
            self.cert.stem
        )
    }
}

/// The CIPHER line of a tlslite peer's stderr.
fn tlslite_cipher(peer: &Peer) -> String {
    let err = peer.stderr();
    err.lines()
        .find_map(|l| l.strip_prefix("CIPHER "))
        .unwrap_or_else(|| panic!("no CIPHER line in:\n{}", peer.output()))
        .to_owned()
}

#[test]
fn sanstls_client_against_tlslite_server() {
    let cases = tlslite_cases();
    assert_eq!(cases.len(), 46);
    for case in cases {
        let (cert, what) = (case.cert, case.what());
        let mut server = Peer::spawn(tlslite_python().args([
            "-c",
            TLSLITE_PEER,
            "server",
            case.iana,
            case.group.map_or("x25519", |g| g.1),
            &td(&format!("{}.chain.pem", cert.stem)),
            &td(&format!("{}.pkcs8.pem", cert.stem)),
        ]));
        let port: u16 = server
            .line_containing("")
            .trim()
            .parse()
            .expect("tlslite server port");
        let (mut conn, mut sock) = peers::connect(
            client_config(&[case.suite]).build().unwrap(),
            port,
            "localhost",
            5,
        )
        .unwrap();
        let out = drive(
            &mut conn,
            &mut sock,
            |c| {
                c.send(b"hello from sanstls\n").unwrap();
            },
            |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{what}: {e}\ntlslite said {}", server.output()));
        let status = server.wait();
        assert!(status.success(), "{what}: {}", server.output());
        assert_eq!(out.data, b"echo: hello from sanstls\n", "{what}");
        let n = out.negotiated.unwrap();
        assert_eq!(n.suite, case.suite, "{what}");
        assert_eq!(n.ec_group, case.group.map(|g| g.0), "{what}");
        assert_eq!(tlslite_cipher(&server), case.iana, "{what}");
    }
}

#[test]
fn tlslite_client_against_sanstls_server() {
    for case in tlslite_cases() {
        let (cert, what) = (case.cert, case.what());
        let (config, offered) = match case.group {
            Some((g, _)) => (
                server_config(cert).groups(&[g]),
                offered_groups(cert, g, &TLSLITE_CURVES, ","),
            ),
            None => (server_config(cert), "x25519".to_owned()),
        };
        let (result, client) = serve_one(
            config.build().unwrap(),
            3,
            |port| {
                Peer::spawn(tlslite_python().args([
                    "-c",
                    TLSLITE_PEER,
                    "client",
                    case.iana,
                    &offered,
                    &port.to_string(),
                ]))
            },
            b"\n",
            b"hello from sanstls\n",
        );
        let out =
            result.unwrap_or_else(|e| panic!("{what}: {e}\ntlslite said {}", client.output()));
        assert_eq!(out.data, b"hello from tlslite\n", "{what}");
        let n = out.negotiated.unwrap();
        assert_eq!(n.suite, case.suite, "{what}");
        assert_eq!(n.ec_group, case.group.map(|g| g.0), "{what}");
        assert_eq!(
            client.stdout(),
            "hello from sanstls\n",
            "{what}: {}",
            client.stderr()
        );
        assert_eq!(tlslite_cipher(&client), case.iana, "{what}");
    }
}

/// In TLS 1.2 an ECDSA key signs the ServerKeyExchange with any hash the client offers
/// (the curve does not fix it, unlike TLS 1.3's scheme names): SHA-256 with the P-384
/// key and SHA-384 with the P-256 key work both ways; SHA-512 only, which sanstls does
/// not do with ECDSA, fails with handshake_failure.
#[test]
fn ecdsa_signature_hash_is_not_bound_to_the_curve() {
    let suite = ECDHE_ECDSA[0];
    for (cert, sigalgs, digest) in [
        (P384, "ECDSA+SHA256", Some("SHA256")),
        (P256, "ECDSA+SHA384", Some("SHA384")),
        (P256, "ECDSA+SHA512", None),
    ] {
        let what = format!("sanstls server {} {sigalgs}", cert.stem);
        let (result, stdout) = against_s_client(
            server_config(cert).build().unwrap(),
            cert.anchor,
            &["-cipher", suite.1, "-sigalgs", sigalgs],
        );
        if let Some(d) = digest {
            check_s_client(result, &stdout, suite, Some(GROUPS[0]), &what);
            assert!(
                stdout.contains(&format!("Peer signing digest: {d}")),
                "{what}: {stdout}"
            );
        } else {
            let err = result.unwrap_err();
            assert_eq!(
                err.alert(),
                Some(AlertDescription::HANDSHAKE_FAILURE),
                "{what}"
            );
            assert!(stdout.contains("handshake failure"), "{what}: {stdout}");
        }
    }
    for (cert, sigalgs, ok) in [
        (P384, "ECDSA+SHA256", true),
        (P256, "ECDSA+SHA384", true),
        (P384, "ECDSA+SHA512", false),
    ] {
        let what = format!("sanstls client, s_server {} {sigalgs}", cert.stem);
        let (peer, port) = s_server(cert)
            .args(["-cipher", suite.1, "-sigalgs", sigalgs])
            .start();
        let config = client_config(&[suite.0]).build().unwrap();
        let result = peers::http_get(config, port, "localhost", 7);
        if ok {
            let out = result.unwrap_or_else(|e| panic!("{what}: {e}\n{}", peer.output()));
            check_page(&out, suite, Some(NamedGroup::X25519), &what);
        } else {
            assert_eq!(
                result.unwrap_err(),
                Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE),
                "{what}"
            );
        }
    }
}

/// The ECDSA client key signs its CertificateVerify with the hash `s_server
/// -client_sigalgs` asks for (SHA-384 or SHA-256 with the P-256 key; TLS 1.2 does not
/// bind the hash to the curve). With SHA-512 only, which sanstls does not do with
/// ECDSA, the client sends no certificate (RFC 5246 §7.4.6) and `s_server -Verify 1`
/// refuses with handshake_failure.
#[test]
fn sanstls_client_ecdsa_certificate_verify_hashes() {
    let suite = ECDHE_RSA[0];
    for (sigalgs, ok) in [
        ("ECDSA+SHA384", true),
        ("ECDSA+SHA256", true),
        ("ECDSA+SHA512", false),
    ] {
        let (mut peer, port) = s_server(RSA)
            .args(["-cipher", suite.1, "-client_sigalgs", sigalgs])
            .args(["-Verify", "1", "-CAfile", &td("ca-ecdsa-root.cert.pem")])
            .start();
        let key = CertifiedKey::from_pem(
            &fixtures::read("client-ecdsa.chain.pem"),
            &fixtures::read("client-ecdsa.ec.pem"),
        )
        .unwrap();
        let config = client_config(&[suite.0])
            .client_certificate(key)
            .build()
            .unwrap();
        let result = peers::http_get(config, port, "localhost", 21);
        if ok {
            let out = result.unwrap_or_else(|e| panic!("{sigalgs}: {e}\n{}", peer.output()));
            check_page(&out, suite, Some(NamedGroup::X25519), sigalgs);
            let page = String::from_utf8_lossy(&out.data);
            assert!(page.contains("Client certificate"), "{sigalgs}: {page}");
        } else {
            assert_eq!(
                result.unwrap_err(),
                Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE),
                "{sigalgs}"
            );
            assert!(
                peer.wait_for_stderr("peer did not return a certificate", peers::HANG_GUARD),
                "{sigalgs}: {}",
                peer.output()
            );
            peer.kill();
        }
    }
}
