//! Full handshakes in memory (sanstls-test's pair harness) with the OpenSSL provider on
//! the server only, on the client only, and on both: RSA key exchange, DHE_RSA,
//! ECDHE_RSA and ECDHE_ECDSA with AES-GCM, ChaCha20-Poly1305 (the ECDHE suites: sanstls
//! has no RSA or DHE ChaCha suite) and AES-CBC, every ECDHE group and every RFC 7919 group; application data
//! both ways after each handshake. A provider that counts its calls shows that the
//! provider really ran the operations. Then the failures: a client's bad ECDH point or
//! DH value must fail the handshake on a server whose ephemeral keys are OpenSSL's.

mod common;

use std::sync::Arc;

use common::{Counting, Counts};
use sanstls_crypto::provider::CryptoProvider;
use sanstls_proto::{
    AlertDescription, CertifiedKey, CipherSuite, ClientConfig, Error, NamedDhGroup, NamedGroup,
    PeerMisbehaved, ServerConfig,
};
use sanstls_test::pair::{
    Dir, Pair, client_builder_both_roots, client_verifier, encode_records, records, testdata,
};

/// Where the provider runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Server,
    Client,
    Both,
}

const PLACES: [Place; 3] = [Place::Server, Place::Client, Place::Both];

impl Place {
    fn server(self) -> bool {
        self != Place::Client
    }
    fn client(self) -> bool {
        self != Place::Server
    }
}

/// `testdata/<name>.chain.pem` and its key (`.rsa.pem` or `.ec.pem`), the key loaded
/// through `provider` if there is one.
fn certified_key(name: &str, provider: Option<&dyn CryptoProvider>) -> CertifiedKey {
    let dir = format!("{}/../../testdata", env!("CARGO_MANIFEST_DIR"));
    let key = if std::path::Path::new(&format!("{dir}/{name}.rsa.pem")).exists() {
        testdata(&format!("{name}.rsa.pem"))
    } else {
        testdata(&format!("{name}.ec.pem"))
    };
    let chain = testdata(&format!("{name}.chain.pem"));
    match provider {
        Some(p) => CertifiedKey::from_pem_with(&chain, &key, p).unwrap(),
        None => CertifiedKey::from_pem(&chain, &key).unwrap(),
    }
}

/// One handshake case.
#[derive(Clone, Copy, Debug)]
struct Case {
    suite: CipherSuite,
    cert: &'static str,
    /// The ECDHE group (server and client both list only it, and P-256 for an
    /// ECDSA certificate on the client).
    group: Option<NamedGroup>,
    /// The server's DHE group.
    dh: Option<NamedDhGroup>,
    /// The client presents `testdata/client` (RSA), loaded through its provider.
    client_auth: bool,
}

fn case(suite: CipherSuite, cert: &'static str) -> Case {
    Case {
        suite,
        cert,
        group: None,
        dh: None,
        client_auth: false,
    }
}

/// The configurations of `case` with the provider at `place`, and the two counting
/// providers (server, client).
fn configs(c: Case, place: Place) -> (ClientConfig, ServerConfig, Arc<Counting>, Arc<Counting>) {
    let (sp, cp) = (Arc::new(Counting::default()), Arc::new(Counting::default()));
    let s_provider: Option<&dyn CryptoProvider> = place.server().then_some(&*sp);
    let mut s = ServerConfig::builder()
        .single_cert(certified_key(c.cert, s_provider))
        .cipher_suites(&[c.suite]);
    if place.server() {
        s = s.crypto_provider(sp.clone());
    }
    let mut cl = client_builder_both_roots().cipher_suites(&[c.suite]);
    if place.client() {
        cl = cl.crypto_provider(cp.clone());
    }
    if let Some(g) = c.group {
        s = s.groups(&[g]);
        let mut groups = vec![g];
        if c.cert.contains("ecdsa-p256") && g != NamedGroup::SECP256R1 {
            groups.push(NamedGroup::SECP256R1);
        }
        cl = cl.groups(&groups);
    }
    if let Some(g) = c.dh {
        s = s.dh_group(g);
    }
    if c.client_auth {
        let c_provider: Option<&dyn CryptoProvider> = place.client().then_some(&*cp);
        cl = cl.client_certificate(certified_key("client", c_provider));
        s = s.client_verifier(client_verifier("ca-root", true));
    }
    (cl.build().unwrap(), s.build().unwrap(), sp, cp)
}

fn is_aead(suite: CipherSuite) -> bool {
    let name = format!("{suite:?}");
    name.contains("GCM") || name.contains("CHACHA20")
}

/// Runs `c` with the provider at `place`: the handshake, the negotiated parameters,
/// 40,000 bytes each way, and what each provider was asked for.
fn run(c: Case, place: Place) {
    let what = format!("{c:?} provider on {place:?}");
    let (client, server, sp, cp) = configs(c, place);
    let mut p = Pair::new(client, server);
    p.run_handshake(&what);
    for conn in [&p.client, &p.server] {
        let n = conn.negotiated().unwrap();
        assert_eq!(n.suite, c.suite, "{what}");
        assert_eq!(n.ec_group, c.group, "{what}");
        if let Some(dh) = c.dh {
            let bits = match dh {
                NamedDhGroup::Ffdhe2048 => 2048,
                NamedDhGroup::Ffdhe3072 => 3072,
                _ => 4096,
            };
            assert_eq!(n.dh_bits, Some(bits), "{what}");
        }
    }
    let up: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    let down: Vec<u8> = (0..40_000u32).map(|i| (i % 241) as u8).collect();
    p.send(true, &up);
    p.send(false, &down);
    assert_eq!(Pair::app_data(&p.server_events), up, "{what}");
    assert_eq!(Pair::app_data(&p.client_events), down, "{what}");
    assert_eq!(
        (p.client_error.as_ref(), p.server_error.as_ref()),
        (None, None),
        "{what}"
    );

    // (RSA keys, DH keys, ECDH keys, AEAD keys) each provider made.
    let name = format!("{:?}", c.suite);
    let dh = usize::from(name.contains("_DHE_"));
    let ecdh = usize::from(name.contains("_ECDHE_"));
    let aead = if is_aead(c.suite) { 2 } else { 0 };
    let rsa_cert = usize::from(!c.cert.contains("ecdsa"));
    let expect_server: Counts = (rsa_cert, dh, ecdh, aead);
    let expect_client: Counts = (usize::from(c.client_auth), dh, ecdh, aead);
    let none: Counts = (0, 0, 0, 0);
    let want = (
        if place.server() { expect_server } else { none },
        if place.client() { expect_client } else { none },
    );
    assert_eq!(
        (sp.counts(), cp.counts()),
        want,
        "{what}: (server, client) counts"
    );
}

const RSA_KX: [CipherSuite; 3] = [
    CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
];

// (sanstls has no DHE_RSA ChaCha20-Poly1305 suite.)
const DHE_RSA: [CipherSuite; 3] = [
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
];

const ECDHE_RSA: [CipherSuite; 4] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
];

const ECDHE_ECDSA: [CipherSuite; 4] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
];

const EC_GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

#[test]
fn rsa_key_exchange() {
    for place in PLACES {
        for suite in RSA_KX {
            run(case(suite, "server-rsa2048"), place);
        }
    }
}

#[test]
fn dhe_rsa_every_suite() {
    for place in PLACES {
        for suite in DHE_RSA {
            run(
                Case {
                    dh: Some(NamedDhGroup::Ffdhe2048),
                    ..case(suite, "server-rsa2048")
                },
                place,
            );
        }
    }
}

#[test]
fn dhe_rsa_every_group() {
    for place in PLACES {
        for dh in [NamedDhGroup::Ffdhe3072, NamedDhGroup::Ffdhe4096] {
            run(
                Case {
                    dh: Some(dh),
                    ..case(DHE_RSA[0], "server-rsa2048")
                },
                place,
            );
        }
    }
}

#[test]
fn ecdhe_rsa_every_suite_and_group() {
    for place in PLACES {
        for suite in ECDHE_RSA {
            for group in EC_GROUPS {
                run(
                    Case {
                        group: Some(group),
                        ..case(suite, "server-rsa2048")
                    },
                    place,
                );
            }
        }
    }
}

#[test]
fn ecdhe_ecdsa_every_suite_and_group() {
    for place in PLACES {
        for suite in ECDHE_ECDSA {
            for group in EC_GROUPS {
                run(
                    Case {
                        group: Some(group),
                        ..case(suite, "server-ecdsa-p256")
                    },
                    place,
                );
            }
        }
    }
}

/// An RSA client certificate whose key is OpenSSL's (the client signs its
/// CertificateVerify with the provider), with ECDHE and with DHE.
#[test]
fn client_certificate_with_provider_key() {
    for place in PLACES {
        for c in [
            Case {
                group: Some(NamedGroup::X25519),
                client_auth: true,
                ..case(ECDHE_RSA[0], "server-rsa2048")
            },
            Case {
                dh: Some(NamedDhGroup::Ffdhe2048),
                client_auth: true,
                ..case(DHE_RSA[2], "server-rsa2048")
            },
        ] {
            run(c, place);
        }
    }
}

// ----- Failures -------------------------------------------------------------------

/// A filter that hands the client's ClientKeyExchange body to `f` (in its plaintext
/// record, before the client's ChangeCipherSpec); `f` keeps its length.
fn on_client_key_exchange(f: impl Fn(&mut [u8]) + 'static) -> sanstls_test::pair::Filter {
    let mut done = false;
    Box::new(move |dir, bytes| {
        if dir != Dir::ToServer || done {
            return;
        }
        let mut recs = records(bytes);
        for (ct, _, frag) in &mut recs {
            if *ct != 22 {
                continue;
            }
            // The handshake messages of the record: type(1) length(3) body.
            let mut at = 0;
            while at + 4 <= frag.len() {
                let len =
                    u32::from_be_bytes([0, frag[at + 1], frag[at + 2], frag[at + 3]]) as usize;
                if frag[at] == 16 {
                    f(&mut frag[at + 4..at + 4 + len]);
                    done = true;
                }
                at += 4 + len;
            }
        }
        *bytes = encode_records(&recs);
    })
}

/// A server with the provider at `place` facing a client whose ClientKeyExchange body
/// `f` changes; the server must fail with `err` and illegal_parameter.
fn bad_client_value(c: Case, place: Place, f: impl Fn(&mut [u8]) + 'static, err: &Error) {
    let (client, server, sp, _) = configs(c, place);
    let mut p = Pair::new(client, server);
    p.filter = Some(on_client_key_exchange(f));
    p.expect_failure(false, err, AlertDescription::ILLEGAL_PARAMETER);
    if place.server() {
        let name = format!("{:?}", c.suite);
        let counts = sp.counts();
        assert_eq!(
            (counts.1, counts.2),
            (
                usize::from(name.contains("_DHE_")),
                usize::from(name.contains("_ECDHE_"))
            ),
            "{c:?}: the server's ephemeral key was not the provider's"
        );
    }
}

#[test]
fn bad_client_ec_points_are_refused() {
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadEcPoint);
    let with = |group| Case {
        group: Some(group),
        ..case(ECDHE_RSA[0], "server-rsa2048")
    };
    for place in [Place::Server, Place::Both] {
        // body: u8 length, point.
        // Off the curve: one byte of y changed.
        bad_client_value(with(NamedGroup::SECP256R1), place, |b| b[50] ^= 1, &e);
        bad_client_value(with(NamedGroup::SECP384R1), place, |b| b[90] ^= 1, &e);
        // Compressed prefix on an uncompressed-length point, and the hybrid form.
        bad_client_value(with(NamedGroup::SECP256R1), place, |b| b[1] = 2, &e);
        bad_client_value(with(NamedGroup::SECP384R1), place, |b| b[1] = 6, &e);
        // All-zero coordinates (not on the curve).
        bad_client_value(with(NamedGroup::SECP256R1), place, |b| b[2..].fill(0), &e);
        // X25519 low-order points: 0 and 1 (the all-zero secret).
        bad_client_value(with(NamedGroup::X25519), place, |b| b[1..].fill(0), &e);
        bad_client_value(
            with(NamedGroup::X25519),
            place,
            |b| {
                b[1..].fill(0);
                b[1] = 1;
            },
            &e,
        );
    }
}

#[test]
fn bad_client_dh_values_are_refused() {
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadDhPublicValue);
    let c = Case {
        dh: Some(NamedDhGroup::Ffdhe2048),
        ..case(DHE_RSA[0], "server-rsa2048")
    };
    let p = sanstls_crypto::dh::DhGroup::named(NamedDhGroup::Ffdhe2048)
        .p_bytes()
        .to_vec();
    for place in [Place::Server, Place::Both] {
        // body: u16 length, Yc (256 bytes, left-padded).
        // Yc = 1, Yc = 0, Yc = p - 1, Yc = p.
        bad_client_value(
            c,
            place,
            |b| {
                b[2..].fill(0);
                b[257] = 1;
            },
            &e,
        );
        bad_client_value(c, place, |b| b[2..].fill(0), &e);
        let pm1 = {
            let mut v = p.clone();
            *v.last_mut().unwrap() -= 1;
            v
        };
        bad_client_value(c, place, move |b| b[2..].copy_from_slice(&pm1), &e);
        let p2 = p.clone();
        bad_client_value(c, place, move |b| b[2..].copy_from_slice(&p2), &e);
    }
}
