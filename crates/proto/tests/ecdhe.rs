//! ECDHE key exchange (RFC 8422), ECDSA certificates and signatures, and the AEAD suites
//! (RFC 5288, RFC 5289, RFC 7905) between a sanstls client and a sanstls server in
//! memory: every suite with every group and certificate type it can use, and the
//! failures, each with its error and the alert on the wire.

mod forge;
#[path = "../../test/src/pair.rs"]
mod pair;

use forge::{find_message, on_chunk};
use pair::{Dir, Pair, client_builder_both_roots, records, server_key};
use sanstls_keys::suite::SUITES;
use sanstls_proto::{
    ClientConfig, Error, NamedGroup, PeerIncompatible, PeerMisbehaved, ServerConfig,
    SignatureScheme,
};
use sanstls_wire::codec::List;
use sanstls_wire::enums::{AlertDescription as A, CipherSuite, KeyExchange};
use sanstls_wire::extensions::{ClientExtension, ClientExtensions};
use sanstls_wire::handshake::{ClientHello, HandshakeMessage};

const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

/// The test certificates that can serve `kx`: RSA leaves for RSA and ECDHE_RSA, the
/// P-256 and P-384 leaves (and the P-256 leaf under the RSA intermediate) for
/// ECDHE_ECDSA.
fn certs_for(kx: KeyExchange) -> &'static [&'static str] {
    match kx {
        KeyExchange::EcdheEcdsa => &[
            "server-ecdsa-p256",
            "server-ecdsa-p384",
            "server-ecdsa-rsaca",
        ],
        _ => &["server-rsa2048", "server-rsa-ecdsaca"],
    }
}

fn server(cert: &str) -> ServerConfig {
    ServerConfig::builder()
        .single_cert(server_key(cert))
        .build()
        .unwrap()
}

/// The group of an ECDSA test certificate's curve (RFC 8422 §5.1.1: the client must
/// list it for the server to use the certificate).
fn cert_group(cert: &str) -> Option<NamedGroup> {
    if cert.contains("p384") {
        Some(NamedGroup::SECP384R1)
    } else if cert.contains("ecdsa-p256") || cert.contains("ecdsa-rsaca") {
        Some(NamedGroup::SECP256R1)
    } else {
        None
    }
}

/// Exchanges data both ways and closes.
fn exchange(p: &mut Pair) {
    p.send(true, b"ping over ECDHE");
    p.send(false, b"pong over ECDHE");
    assert_eq!(Pair::app_data(&p.server_events), b"ping over ECDHE");
    assert_eq!(Pair::app_data(&p.client_events), b"pong over ECDHE");
}

#[test]
fn every_suite_group_and_certificate() {
    let mut runs = 0;
    for s in SUITES.iter().filter(|s| !s.key_exchange.is_psk()) {
        let groups: &[NamedGroup] = if s.key_exchange.is_ecdhe() {
            &GROUPS
        } else {
            &GROUPS[..1]
        };
        for &cert in certs_for(s.key_exchange) {
            for &g in groups {
                // The client lists `g` (and the certificate's curve); the server uses
                // `g` alone.
                let mut client_groups = vec![g];
                client_groups.extend(cert_group(cert).filter(|&c| c != g));
                let c = client_builder_both_roots()
                    .cipher_suites(&[s.suite])
                    .groups(&client_groups)
                    .build()
                    .unwrap();
                let srv = ServerConfig::builder()
                    .single_cert(server_key(cert))
                    .cipher_suites(&[s.suite])
                    .groups(&[g])
                    .build()
                    .unwrap();
                let mut p = Pair::new(c, srv);
                let what = format!("{:?} / {g:?} / {cert}", s.suite);
                p.run_handshake(&what);
                let cn = p.client.negotiated().unwrap().clone();
                let sn = p.server.negotiated().unwrap().clone();
                assert_eq!(cn.suite, s.suite, "{what}");
                assert_eq!(sn.suite, s.suite, "{what}");
                let ec = s.key_exchange.is_ecdhe().then_some(g);
                assert_eq!(cn.ec_group, ec, "{what}");
                assert_eq!(sn.ec_group, ec, "{what}");
                assert!(cn.extended_master_secret, "{what}");
                // RFC 7366 §3: no encrypt-then-MAC with an AEAD suite.
                assert_eq!(cn.encrypt_then_mac, !s.is_aead(), "{what}");
                assert_eq!(sn.encrypt_then_mac, !s.is_aead(), "{what}");
                assert_eq!(cn.peer_certificates.len(), 2, "{what}");
                exchange(&mut p);
                runs += 1;
            }
        }
    }
    // 16 ECDHE suites: 9 ECDSA (2 of them CCM) x 3 certificates x 3 groups + 7 RSA x
    // 2 x 3; and 12 other suites x 2 certificates.
    assert_eq!(runs, 9 * 3 * 3 + 7 * 2 * 3 + 12 * 2);
}

#[test]
fn default_configurations_choose_ecdhe_with_aead() {
    for (cert, want) in [
        (
            "server-rsa2048",
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            "server-ecdsa-p256",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            "server-ecdsa-p384",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
    ] {
        let mut p = Pair::new(client_builder_both_roots().build().unwrap(), server(cert));
        p.run_handshake(cert);
        assert_eq!(p.client.negotiated().unwrap().suite, want, "{cert}");
        exchange(&mut p);
    }
}

#[test]
fn the_servers_group_preference_wins() {
    let c = client_builder_both_roots()
        .groups(&[NamedGroup::X25519, NamedGroup::SECP384R1])
        .build()
        .unwrap();
    let s = ServerConfig::builder()
        .single_cert(server_key("server-rsa2048"))
        .groups(&[NamedGroup::SECP384R1, NamedGroup::X25519])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("");
    // The group is visible in the ServerKeyExchange: named_curve(3), secp384r1(24).
    let flight = &p.sent_by_server;
    let at = find_message(flight, 12);
    assert_eq!(&flight[at + 4..at + 7], &[3, 0, 24]);
    // A 97-byte uncompressed P-384 point.
    assert_eq!(flight[at + 7], 97);
    assert_eq!(flight[at + 8], 4);
}

#[test]
fn no_common_group_leaves_the_other_suites() {
    let c = client_builder_both_roots()
        .groups(&[NamedGroup::SECP256R1])
        .build()
        .unwrap();
    let s = ServerConfig::builder()
        .single_cert(server_key("server-rsa2048"))
        .groups(&[NamedGroup::X25519])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("");
    let kx = p.client.negotiated().unwrap().suite.key_exchange().unwrap();
    assert_eq!(kx, KeyExchange::DheRsa);

    // With ECDHE suites alone: handshake_failure.
    let c = client_builder_both_roots()
        .cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
        .groups(&[NamedGroup::SECP256R1])
        .build()
        .unwrap();
    let s = ServerConfig::builder()
        .single_cert(server_key("server-rsa2048"))
        .groups(&[NamedGroup::X25519])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    let e = Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite);
    p.expect_failure(false, &e, A::HANDSHAKE_FAILURE);
}

#[test]
fn an_ecdsa_server_needs_a_client_that_offers_ecdsa() {
    // Only RSA signature schemes: the ECDSA certificate cannot sign.
    let c = client_builder_both_roots()
        .signature_schemes(&[SignatureScheme::RSA_PKCS1_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server("server-ecdsa-p256"));
    let e = Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite);
    p.expect_failure(false, &e, A::HANDSHAKE_FAILURE);
    // Only ECDHE_RSA suites: same.
    let c = client_builder_both_roots()
        .cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server("server-ecdsa-p256"));
    p.expect_failure(false, &e, A::HANDSHAKE_FAILURE);
    // RFC 8422 §5.1.1: the certificate's curve must be one the client lists.
    let c = client_builder_both_roots()
        .groups(&[NamedGroup::X25519, NamedGroup::SECP256R1])
        .cipher_suites(&[CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server("server-ecdsa-p384"));
    p.expect_failure(false, &e, A::HANDSHAKE_FAILURE);
}

/// The client's ClientKeyExchange point, replaced by `f` (the second flight of the
/// client, in plaintext before its ChangeCipherSpec).
fn with_client_point(group: NamedGroup, f: fn(&mut Vec<u8>)) -> Pair {
    let c = client_builder_both_roots()
        .cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
        .groups(&[group])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server("server-rsa2048"));
    p.filter = Some(on_chunk(Dir::ToServer, 2, move |b| {
        // Rebuild the ClientKeyExchange record: header, u8 length, point.
        let at = find_message(b, 16);
        let len = b[at + 4] as usize;
        let mut point = b[at + 5..at + 5 + len].to_vec();
        f(&mut point);
        let mut body = vec![point.len() as u8];
        body.extend_from_slice(&point);
        let mut msg = vec![16, 0, (body.len() >> 8) as u8, body.len() as u8];
        msg.extend_from_slice(&body);
        let rec_start = at - 5;
        let rec_len = u16::from_be_bytes([b[rec_start + 3], b[rec_start + 4]]) as usize;
        let mut out = b[..rec_start].to_vec();
        out.extend_from_slice(&[22, 3, 3]);
        out.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        out.extend_from_slice(&msg);
        out.extend_from_slice(&b[rec_start + 5 + rec_len..]);
        *b = out;
    }));
    p
}

#[test]
fn invalid_client_points_are_illegal_parameter() {
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadEcPoint);
    // Not on the curve (one coordinate byte changed).
    let mut p = with_client_point(NamedGroup::SECP256R1, |pt| pt[40] ^= 1);
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
    let mut p = with_client_point(NamedGroup::SECP384R1, |pt| pt[90] ^= 1);
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
    // The identity (the one-byte SEC 1 encoding of the point at infinity).
    let mut p = with_client_point(NamedGroup::SECP256R1, |pt| *pt = vec![0]);
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
    // Compressed (RFC 8422 §5.1.2: uncompressed only).
    let mut p = with_client_point(NamedGroup::SECP256R1, |pt| {
        let y_odd = pt[64] & 1;
        *pt = pt[..33].to_vec();
        pt[0] = 2 + y_odd;
    });
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
    // Wrong length for X25519.
    let mut p = with_client_point(NamedGroup::X25519, |pt| pt.push(0));
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
    // RFC 7748 §6.1: a small-order X25519 point (here 0) makes an all-zero secret.
    let mut p = with_client_point(NamedGroup::X25519, |pt| pt.fill(0));
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
    let mut p = with_client_point(NamedGroup::X25519, |pt| {
        pt.fill(0);
        pt[0] = 1;
    });
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
}

/// Changes the server's ServerKeyExchange signature (the last bytes of the message).
fn tamper_signature(cert: &str, f: fn(&mut [u8])) -> Pair {
    let c = client_builder_both_roots().build().unwrap();
    let mut p = Pair::new(c, server(cert));
    p.filter = Some(on_chunk(Dir::ToClient, 1, move |b| {
        let at = find_message(b, 12);
        let len = u32::from_be_bytes([0, b[at + 1], b[at + 2], b[at + 3]]) as usize;
        let body = &mut b[at + 4..at + 4 + len];
        // named_curve(1) group(2) point(1 + n) scheme(2) signature(2 + m)
        let sig_at = 3 + 1 + body[3] as usize + 2 + 2;
        f(&mut body[sig_at..]);
    }));
    p
}

#[test]
fn bad_ecdsa_signatures_are_decrypt_error() {
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadSignature);
    for cert in ["server-ecdsa-p256", "server-ecdsa-p384"] {
        // The last byte of s.
        let mut p = tamper_signature(cert, |sig| {
            let n = sig.len();
            sig[n - 1] ^= 1;
        });
        p.expect_failure(true, &e, A::DECRYPT_ERROR);
        // Not a DER SEQUENCE.
        let mut p = tamper_signature(cert, |sig| sig[0] = 0x31);
        p.expect_failure(true, &e, A::DECRYPT_ERROR);
        // A BER (long-form) length where DER needs the short form.
        let mut p = tamper_signature(cert, |sig| sig[1] |= 0x80);
        p.expect_failure(true, &e, A::DECRYPT_ERROR);
    }
    // An RSA certificate's signature mangled likewise.
    let mut p = tamper_signature("server-rsa2048", |sig| sig[7] ^= 0x40);
    p.expect_failure(true, &e, A::DECRYPT_ERROR);
}

#[test]
fn a_certificate_of_the_wrong_key_type_is_unsupported_certificate() {
    // The server picks ECDHE_ECDSA; the ServerHello is changed to ECDHE_RSA (both were
    // offered), so the client expects an RSA key and gets an EC one.
    let c = client_builder_both_roots()
        .cipher_suites(&[
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server("server-ecdsa-p256"));
    p.filter = Some(on_chunk(Dir::ToClient, 1, |b| {
        // Record header 5, handshake header 4, version 2, random 32, session ID.
        let sid = b[5 + 4 + 2 + 32] as usize;
        let at = 5 + 4 + 2 + 32 + 1 + sid;
        assert_eq!(&b[at..at + 2], &[0xc0, 0x2b]);
        b[at + 1] = 0x2f;
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::WrongCertificateKeyType);
    p.expect_failure(true, &e, A::UNSUPPORTED_CERTIFICATE);
}

#[test]
fn aead_records_use_the_sequence_number_as_explicit_nonce() {
    let c = client_builder_both_roots()
        .cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server("server-rsa2048"));
    p.run_handshake("");
    for i in 0..5u8 {
        p.send(true, &[i; 100]);
    }
    // RFC 5288 §3: each protected record carries its 8-byte explicit nonce first; with
    // the sequence number as nonce, none can repeat under one key. The client's
    // protected records: Finished (0), then the five application records (1..=5).
    let recs = records(&p.sent_by_client);
    let protected: Vec<&(u8, u16, Vec<u8>)> = recs
        .iter()
        .skip_while(|(ct, _, _)| *ct != 20)
        .skip(1)
        .collect();
    assert_eq!(protected.len(), 6);
    for (seq, (_, _, frag)) in protected.iter().enumerate() {
        assert_eq!(frag[..8], (seq as u64).to_be_bytes());
        // explicit nonce + plaintext + 16-byte tag
        let plain = if seq == 0 { 16 } else { 100 };
        assert_eq!(frag.len(), 8 + plain + 16);
    }
}

#[test]
fn a_flipped_gcm_or_poly1305_tag_is_bad_record_mac() {
    for suite in [
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let c = client_builder_both_roots()
            .cipher_suites(&[suite])
            .build()
            .unwrap();
        let mut p = Pair::new(c, server("server-rsa2048"));
        p.filter = Some(on_chunk(Dir::ToServer, 2, |b| {
            let last = b.len() - 1;
            b[last] ^= 0x01;
        }));
        let e = Error::PeerMisbehaved(PeerMisbehaved::BadRecordMac);
        p.expect_failure(false, &e, A::BAD_RECORD_MAC);
    }
}

/// A filter that re-encodes the client's ClientHello (its first record) with each
/// extension passed through `f`.
fn replace_client_extension(
    f: impl for<'a> Fn(ClientExtension<'a>) -> ClientExtension<'a> + 'static,
) -> pair::Filter {
    on_chunk(Dir::ToServer, 1, move |chunk| {
        forge::rewrite_first_record(chunk, |msg| {
            let HandshakeMessage::ClientHello(ch) = HandshakeMessage::decode(msg, None).unwrap()
            else {
                panic!("not a ClientHello");
            };
            let exts: Vec<ClientExtension<'_>> = ch.extensions.iter().flatten().map(&f).collect();
            HandshakeMessage::ClientHello(ClientHello {
                extensions: Some(ClientExtensions::from_items(&exts)),
                ..ch
            })
            .to_vec()
            .unwrap()
        });
    })
}

#[test]
fn ec_point_formats_without_uncompressed_is_illegal_parameter() {
    use sanstls_wire::enums::EcPointFormat;
    let mut p = Pair::new(
        client_builder_both_roots().build().unwrap(),
        server("server-rsa2048"),
    );
    p.filter = Some(replace_client_extension(|e| match e {
        ClientExtension::EcPointFormats(_) => ClientExtension::EcPointFormats(List::from_items(&[
            EcPointFormat::ANSIX962_COMPRESSED_PRIME,
        ])),
        other => other,
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::UncompressedPointsRefused);
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
}

#[test]
fn ecdsa_client_certificates() {
    for (client_cert, scheme) in [("client-ecdsa", [4u8, 3]), ("client", [8, 4])] {
        for server_cert in ["server-ecdsa-p256", "server-rsa2048"] {
            let c = client_builder_both_roots()
                .client_certificate(server_key(client_cert))
                .build()
                .unwrap();
            let s = ServerConfig::builder()
                .single_cert(server_key(server_cert))
                .client_verifier(pair::client_verifier_both_roots(true))
                .build()
                .unwrap();
            let mut p = Pair::new(c, s);
            p.run_handshake(&format!("{client_cert} -> {server_cert}"));
            let sn = p.server.negotiated().unwrap();
            assert_eq!(sn.peer_certificates.len(), 2);
            // The CertificateVerify is signed with the client key's algorithm.
            let at = find_message(&p.sent_by_client, 15);
            assert_eq!(p.sent_by_client[at + 4..at + 6], scheme, "{client_cert}");
            exchange(&mut p);
        }
    }
}

#[test]
fn groups_and_schemes_are_checked_by_build() {
    let err = client_builder_both_roots().groups(&[]).build().unwrap_err();
    assert_eq!(err, sanstls_proto::ConfigError::NoGroups);
    // Without ECDHE suites no group is needed.
    client_builder_both_roots()
        .groups(&[])
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .build()
        .unwrap();
    let err = ClientConfig::builder()
        .groups(&[NamedGroup::FFDHE2048])
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        sanstls_proto::ConfigError::UnsupportedGroup(NamedGroup::FFDHE2048)
    );
    // An EC key with an RSA certificate (and the reverse) is a mismatch.
    let err = sanstls_proto::CertifiedKey::from_pem(
        &pair::testdata("server-rsa2048.chain.pem"),
        &pair::testdata("server-ecdsa-p256.ec.pem"),
    )
    .unwrap_err();
    assert_eq!(err, sanstls_proto::ConfigError::KeyMismatch);
    let err = sanstls_proto::CertifiedKey::from_pem(
        &pair::testdata("server-ecdsa-p256.chain.pem"),
        &pair::testdata("server-ecdsa-p384.pkcs8.pem"),
    )
    .unwrap_err();
    assert_eq!(err, sanstls_proto::ConfigError::KeyMismatch);
}

#[test]
fn a_group_the_client_did_not_offer_is_illegal_parameter() {
    // The client offers x25519 and secp256r1; its ClientHello is changed to list
    // secp384r1 instead of x25519, and the server, which has only secp384r1, picks it.
    let c = client_builder_both_roots()
        .groups(&[NamedGroup::X25519, NamedGroup::SECP256R1])
        .build()
        .unwrap();
    let s = ServerConfig::builder()
        .single_cert(server_key("server-rsa2048"))
        .groups(&[NamedGroup::SECP384R1])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.filter = Some(replace_client_extension(|e| match e {
        ClientExtension::SupportedGroups(_) => {
            ClientExtension::SupportedGroups(List::from_items(&[
                NamedGroup::SECP384R1,
                NamedGroup::SECP256R1,
            ]))
        }
        other => other,
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::UnofferedGroup);
    p.expect_failure(true, &e, A::ILLEGAL_PARAMETER);
}

#[test]
fn ecdsa_sessions_resume_by_ticket_and_by_id() {
    use sanstls_proto::{SessionCache, TicketKeys};
    use std::sync::Arc;
    for tickets in [true, false] {
        for suite in [
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ] {
            let cert = if suite.key_exchange() == Some(KeyExchange::EcdheEcdsa) {
                "server-ecdsa-p384"
            } else {
                "server-rsa2048"
            };
            let c = Arc::new(
                client_builder_both_roots()
                    .cipher_suites(&[suite])
                    .session_store(Some(Arc::new(SessionCache::new(4)) as _))
                    .session_tickets(tickets)
                    .build()
                    .unwrap(),
            );
            let mut s = ServerConfig::builder().single_cert(server_key(cert));
            if tickets {
                s = s.session_cache(0).ticketer(Some(Arc::new(TicketKeys::new(
                    &mut sanstls_crypto::rng::SeededRng::from_seed([9; 32]),
                    std::time::Duration::from_secs(3600),
                )) as _));
            }
            let s = Arc::new(s.build().unwrap());
            let what = format!("{suite:?}, tickets {tickets}");
            let mut first = Pair::shared(&c, &s, "localhost", pair::NOW, 1);
            first.run_handshake(&what);
            assert!(!first.resumed(), "{what}");
            let mut second = Pair::shared(&c, &s, "localhost", pair::NOW, 3);
            second.run_handshake(&what);
            assert!(second.resumed(), "{what}");
            let n = second.client.negotiated().unwrap();
            assert_eq!(n.suite, suite, "{what}");
            assert_eq!(n.ec_group, None, "{what}");
            assert_eq!(
                n.encrypt_then_mac,
                suite == CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384
            );
            exchange(&mut second);
        }
    }
}

#[test]
fn an_ecdsa_server_signs_with_its_curves_scheme() {
    for (cert, scheme) in [
        ("server-ecdsa-p256", SignatureScheme::ECDSA_SECP256R1_SHA256),
        ("server-ecdsa-p384", SignatureScheme::ECDSA_SECP384R1_SHA384),
    ] {
        let mut p = Pair::new(client_builder_both_roots().build().unwrap(), server(cert));
        p.run_handshake(cert);
        let flight = &p.sent_by_server;
        let body = find_message(flight, 12) + 4;
        let at = body + 4 + flight[body + 3] as usize;
        assert_eq!(
            SignatureScheme(u16::from_be_bytes([flight[at], flight[at + 1]])),
            scheme,
            "{cert}"
        );
        // A client that lists only the other curve's scheme still gets a signature it
        // can check (TLS 1.2: an ECDSA scheme names the hash, RFC 8422 §5.1.3).
        let other = if scheme == SignatureScheme::ECDSA_SECP256R1_SHA256 {
            SignatureScheme::ECDSA_SECP384R1_SHA384
        } else {
            SignatureScheme::ECDSA_SECP256R1_SHA256
        };
        let c = client_builder_both_roots()
            .signature_schemes(&[other])
            .build()
            .unwrap();
        let mut p = Pair::new(c, server(cert));
        p.run_handshake(cert);
    }
}

#[test]
fn the_server_order_wins_unless_configured_otherwise() {
    let chacha = CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
    let gcm = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    for (client_order, want) in [(false, gcm), (true, chacha)] {
        let c = client_builder_both_roots()
            .cipher_suites(&[chacha, gcm])
            .build()
            .unwrap();
        let s = ServerConfig::builder()
            .single_cert(server_key("server-rsa2048"))
            .prefer_client_suite_order(client_order)
            .build()
            .unwrap();
        let mut p = Pair::new(c, s);
        p.run_handshake("");
        assert_eq!(p.server.negotiated().unwrap().suite, want);
    }
}
