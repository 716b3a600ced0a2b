//! Pre-shared keys (RFC 4279, RFC 5489) between a sanstls client and a sanstls server in
//! memory: every PSK suite, hints, resumption, configurations that mix certificates and
//! PSKs, and the failures (unknown identity, wrong key, bad identities, no key for a
//! hint), each with its error and the alert on the wire.

mod forge;
#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::{Arc, Mutex};

use pair::{Pair, client_builder, records, server_builder};
use sanstls_keys::suite::{BulkCipher, SUITES};
use sanstls_proto::psk::{MAX_PSK_LEN, UnknownPskIdentity};
use sanstls_proto::{
    ChoosesPsk, ClientConfig, ConfigError, Error, NamedGroup, PeerIncompatible, PeerMisbehaved,
    Psk, PskTable, ServerConfig, SessionCache,
};
use sanstls_wire::enums::{AlertDescription as A, CipherSuite, HandshakeType, KeyExchange};

const IDENTITY: &[u8] = b"device-0042";
const KEY: [u8; 16] = [
    0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09,
];

fn psk() -> Psk {
    Psk::new(IDENTITY, KEY).unwrap()
}

fn table() -> PskTable {
    PskTable::new()
        .with(Psk::new("someone-else", [9u8; 32]).unwrap())
        .with(psk())
}

fn psk_client(suites: &[CipherSuite]) -> ClientConfig {
    ClientConfig::builder()
        .psk(psk())
        .cipher_suites(suites)
        .build()
        .unwrap()
}

fn psk_server() -> sanstls_proto::ServerConfigBuilder {
    ServerConfig::builder().psk_store(Arc::new(table()))
}

fn psk_suites() -> impl Iterator<Item = &'static sanstls_keys::suite::SuiteInfo> {
    SUITES.iter().filter(|s| s.key_exchange.is_psk())
}

/// The handshake message types in clear in `bytes` (before ChangeCipherSpec).
fn clear_messages(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (ct, _, frag) in records(bytes) {
        if ct == 20 {
            break;
        }
        if ct == 22 {
            out.push(frag[0]);
        }
    }
    out
}

#[test]
fn every_psk_suite_completes_and_carries_data() {
    let mut runs = 0;
    for s in psk_suites() {
        let groups: &[NamedGroup] = if s.key_exchange == KeyExchange::EcdhePsk {
            &[NamedGroup::X25519, NamedGroup::SECP256R1]
        } else {
            &[NamedGroup::X25519]
        };
        for &g in groups {
            for hint in [&b""[..], b"sanstls-test-hint"] {
                let client = ClientConfig::builder()
                    .psk(psk())
                    .cipher_suites(&[s.suite])
                    .groups(&[g])
                    .build()
                    .unwrap();
                let server = psk_server()
                    .cipher_suites(&[s.suite])
                    .groups(&[g])
                    .psk_identity_hint(hint)
                    .build()
                    .unwrap();
                let what = format!("{:?} / {g:?} / hint {hint:?}", s.suite);
                let mut p = Pair::new(client, server);
                p.run_handshake(&what);
                let (cn, sn) = (
                    p.client.negotiated().unwrap().clone(),
                    p.server.negotiated().unwrap().clone(),
                );
                assert_eq!(cn.suite, s.suite, "{what}");
                assert_eq!(sn.suite, s.suite, "{what}");
                assert_eq!(cn.psk_identity.as_deref(), Some(IDENTITY), "{what}");
                assert_eq!(sn.psk_identity.as_deref(), Some(IDENTITY), "{what}");
                assert!(cn.peer_certificates.is_empty() && sn.peer_certificates.is_empty());
                assert!(cn.extended_master_secret && sn.extended_master_secret);
                // RFC 7366 §3: encrypt-then-MAC for the CBC suites only.
                assert_eq!(cn.encrypt_then_mac, !s.is_aead(), "{what}");
                let ec = (s.key_exchange == KeyExchange::EcdhePsk).then_some(g);
                assert_eq!(cn.ec_group, ec, "{what}");
                let dh = (s.key_exchange == KeyExchange::DhePsk).then_some(2048);
                assert_eq!(cn.dh_bits, dh, "{what}");
                // RFC 4279 §2: no Certificate, no CertificateRequest; plain PSK sends
                // a ServerKeyExchange only with a hint.
                let ske = s.key_exchange != KeyExchange::Psk || !hint.is_empty();
                let mut want = vec![HandshakeType::SERVER_HELLO.0];
                if ske {
                    want.push(HandshakeType::SERVER_KEY_EXCHANGE.0);
                }
                want.push(HandshakeType::SERVER_HELLO_DONE.0);
                assert_eq!(clear_messages(&p.sent_by_server), want, "{what}");
                p.send(true, b"reading: 21.5 C");
                p.send(false, b"ack");
                assert_eq!(Pair::app_data(&p.server_events), b"reading: 21.5 C");
                assert_eq!(Pair::app_data(&p.client_events), b"ack");
                runs += 1;
            }
        }
    }
    // 8 PSK suites, each with and without a hint; ECDHE_PSK's two with two groups.
    assert_eq!(runs, (8 + 2) * 2);
}

/// A chooser that records the hints it is asked about and knows one.
struct ByHint {
    seen: Mutex<Vec<Option<Vec<u8>>>>,
}

impl ChoosesPsk for ByHint {
    fn choose(&self, hint: Option<&[u8]>) -> Option<Psk> {
        self.seen.lock().unwrap().push(hint.map(<[u8]>::to_vec));
        (hint == Some(b"gateway-7")).then(psk)
    }
}

#[test]
fn the_client_picks_its_key_by_the_servers_hint() {
    let chooser = Arc::new(ByHint {
        seen: Mutex::new(Vec::new()),
    });
    let client = || {
        ClientConfig::builder()
            .psk_chooser(chooser.clone())
            .build()
            .unwrap()
    };
    let server = psk_server()
        .psk_identity_hint(b"gateway-7")
        .build()
        .unwrap();
    let mut p = Pair::new(client(), server);
    p.run_handshake("hint");
    assert_eq!(*chooser.seen.lock().unwrap(), [Some(b"gateway-7".to_vec())]);
    // Another hint: the chooser has no key, the client gives up (handshake_failure).
    let server = psk_server()
        .psk_identity_hint(b"gateway-8")
        .build()
        .unwrap();
    let mut p = Pair::new(client(), server);
    p.expect_failure(
        true,
        &Error::PeerIncompatible(PeerIncompatible::NoPsk),
        A::HANDSHAKE_FAILURE,
    );
    // No hint (plain PSK without a ServerKeyExchange): asked with `None`.
    let client = ClientConfig::builder()
        .psk_chooser(chooser.clone())
        .cipher_suites(&[CipherSuite::TLS_PSK_WITH_AES_128_CCM])
        .build()
        .unwrap();
    let mut p = Pair::new(client, psk_server().build().unwrap());
    p.run();
    assert_eq!(chooser.seen.lock().unwrap().last(), Some(&None));
    assert_eq!(
        p.client_error,
        Some(Error::PeerIncompatible(PeerIncompatible::NoPsk))
    );
}

#[test]
fn a_wrong_key_fails_with_decrypt_error() {
    // RFC 4279 §2: the server "MUST respond with a decrypt_error alert" when the key
    // is wrong: its Finished check is where it learns, as the client's Finished does
    // not open under its keys.
    for s in psk_suites() {
        let client = ClientConfig::builder()
            .psk(Psk::new(IDENTITY, [0x55; 16]).unwrap())
            .cipher_suites(&[s.suite])
            .build()
            .unwrap();
        let server = psk_server().cipher_suites(&[s.suite]).build().unwrap();
        let mut p = Pair::new(client, server);
        p.expect_failure(
            false,
            &Error::PeerMisbehaved(PeerMisbehaved::PskKeyMismatch),
            A::DECRYPT_ERROR,
        );
    }
}

#[test]
fn an_unknown_identity_looks_like_a_wrong_key_unless_told_otherwise() {
    let client = || {
        ClientConfig::builder()
            .psk(Psk::new("stranger", KEY).unwrap())
            .build()
            .unwrap()
    };
    // Hidden (the default): decrypt_error at the client's Finished, as a wrong key.
    let mut hidden = Pair::new(client(), psk_server().build().unwrap());
    hidden.expect_failure(
        false,
        &Error::PeerMisbehaved(PeerMisbehaved::PskKeyMismatch),
        A::DECRYPT_ERROR,
    );
    // The same messages as for a wrong key: the client got as far (its whole second
    // flight went out).
    let mut wrong = Pair::new(
        ClientConfig::builder()
            .psk(Psk::new(IDENTITY, [0x55; 16]).unwrap())
            .build()
            .unwrap(),
        psk_server().build().unwrap(),
    );
    wrong.run();
    let shape = |b: &[u8]| records(b).iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(shape(&hidden.sent_by_client), shape(&wrong.sent_by_client));
    assert_eq!(shape(&hidden.sent_by_server), shape(&wrong.sent_by_server));
    // Told to say so: unknown_psk_identity at once.
    let server = psk_server()
        .unknown_psk_identity(UnknownPskIdentity::Alert)
        .build()
        .unwrap();
    let mut p = Pair::new(client(), server);
    p.expect_failure(
        false,
        &Error::PeerIncompatible(PeerIncompatible::UnknownPskIdentity),
        A::UNKNOWN_PSK_IDENTITY,
    );
}

#[test]
fn identities_longer_than_the_server_accepts_are_refused() {
    // The default bound is 128 bytes (RFC 4279 §5.3's minimum).
    for (len, server_max, ok) in [
        (128, None, true),
        (129, None, false),
        (300, Some(300), true),
    ] {
        let id = vec![b'x'; len];
        let mut table = table();
        table = table.with(Psk::new(id.clone(), KEY).unwrap());
        let mut server = ServerConfig::builder().psk_store(Arc::new(table));
        if let Some(m) = server_max {
            server = server.max_psk_identity_len(m);
        }
        let client = ClientConfig::builder()
            .psk(Psk::new(id, KEY).unwrap())
            .build()
            .unwrap();
        let mut p = Pair::new(client, server.build().unwrap());
        if ok {
            p.run_handshake(&format!("{len}-byte identity"));
        } else {
            p.expect_failure(
                false,
                &Error::PeerMisbehaved(PeerMisbehaved::BadPskIdentity),
                A::ILLEGAL_PARAMETER,
            );
        }
    }
}

#[test]
fn an_empty_identity_on_the_wire_is_refused() {
    // No configuration makes an empty identity (`Psk::new` refuses it), so the
    // ClientKeyExchange is rewritten in flight: identity length 0.
    let client = psk_client(&[CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256]);
    let mut p = Pair::new(client, psk_server().build().unwrap());
    p.filter = Some(forge::on_chunk(pair::Dir::ToServer, 2, |bytes| {
        let mut out = Vec::new();
        for (ct, v, frag) in records(bytes) {
            let frag = if ct == 22 && frag[0] == HandshakeType::CLIENT_KEY_EXCHANGE.0 {
                vec![HandshakeType::CLIENT_KEY_EXCHANGE.0, 0, 0, 2, 0, 0]
            } else {
                frag
            };
            out.push((ct, v, frag));
        }
        *bytes = pair::encode_records(&out);
    }));
    p.expect_failure(
        false,
        &Error::PeerMisbehaved(PeerMisbehaved::BadPskIdentity),
        A::ILLEGAL_PARAMETER,
    );
}

#[test]
fn psk_sessions_resume_by_id_and_by_ticket() {
    for tickets in [false, true] {
        let store = Arc::new(SessionCache::new(4));
        let client = Arc::new(
            ClientConfig::builder()
                .psk(psk())
                .session_store(Some(store.clone()))
                .build()
                .unwrap(),
        );
        let mut server = psk_server();
        if tickets {
            server =
                server
                    .session_cache(0)
                    .ticketer(Some(Arc::new(sanstls_proto::TicketKeys::new(
                        &mut sanstls_proto::SeededRng::from_seed([3; 32]),
                        std::time::Duration::from_secs(3600),
                    ))));
        }
        let server = Arc::new(server.build().unwrap());
        let mut first = Pair::shared(&client, &server, "localhost", pair::NOW, 1);
        first.run_handshake("first");
        assert!(!first.resumed());
        let mut second = Pair::shared(&client, &server, "localhost", pair::NOW, 3);
        second.run_handshake("second");
        assert!(second.resumed(), "tickets {tickets}");
        for n in [second.client.negotiated(), second.server.negotiated()] {
            assert_eq!(n.unwrap().psk_identity.as_deref(), Some(IDENTITY));
        }
        second.send(true, b"again");
        assert_eq!(Pair::app_data(&second.server_events), b"again");
    }
}

#[test]
fn a_withdrawn_psk_ends_its_sessions() {
    let store = Arc::new(SessionCache::new(4));
    let client = Arc::new(
        ClientConfig::builder()
            .psk(psk())
            .session_store(Some(store))
            .build()
            .unwrap(),
    );
    let cache: Arc<SessionCache> = Arc::new(SessionCache::new(8));
    let with_key = Arc::new(
        psk_server()
            .session_store(Some(cache.clone()))
            .build()
            .unwrap(),
    );
    Pair::shared(&client, &with_key, "localhost", pair::NOW, 1).run_handshake("first");
    // The same cache, the identity gone from the store: no resumption, and the full
    // handshake fails as for an unknown identity.
    let without = Arc::new(
        ServerConfig::builder()
            .psk_store(Arc::new(
                PskTable::new().with(Psk::new("someone-else", [9u8; 32]).unwrap()),
            ))
            .session_store(Some(cache))
            .build()
            .unwrap(),
    );
    let mut p = Pair::shared(&client, &without, "localhost", pair::NOW, 3);
    p.run();
    assert_eq!(
        p.server_error,
        Some(Error::PeerMisbehaved(PeerMisbehaved::PskKeyMismatch))
    );
}

#[test]
fn certificates_and_psks_mix_in_one_configuration() {
    // Both sides have both: the server's order decides (certificate suites first by
    // default).
    let client = || client_builder().psk(psk()).build().unwrap();
    let server = server_builder()
        .psk_store(Arc::new(table()))
        .build()
        .unwrap();
    let mut p = Pair::new(client(), server);
    p.run_handshake("mixed");
    let n = p.client.negotiated().unwrap();
    assert!(!n.suite.key_exchange().unwrap().is_psk());
    assert_eq!(n.psk_identity, None);
    assert_eq!(n.peer_certificates.len(), 2);
    // A server that prefers PSK gets it from the same client.
    let server = server_builder()
        .psk_store(Arc::new(table()))
        .cipher_suites(&[
            CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ])
        .build()
        .unwrap();
    let mut p = Pair::new(client(), server);
    p.run_handshake("psk preferred");
    let n = p.client.negotiated().unwrap();
    assert_eq!(
        n.suite,
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256
    );
    assert!(n.peer_certificates.is_empty());
    // A PSK-only server and a certificate-only client share nothing.
    let mut p = Pair::new(
        client_builder().build().unwrap(),
        psk_server().build().unwrap(),
    );
    p.expect_failure(
        false,
        &Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite),
        A::HANDSHAKE_FAILURE,
    );
    // A server asking for client certificates sends no CertificateRequest in a PSK
    // suite (RFC 4279 §2), and the handshake completes without one.
    let server = psk_server()
        .client_verifier(pair::client_verifier("ca-root", true))
        .build()
        .unwrap();
    let mut p = Pair::new(psk_client(&[CipherSuite::TLS_PSK_WITH_AES_128_CCM]), server);
    p.run_handshake("psk with a client verifier");
    assert!(!clear_messages(&p.sent_by_server).contains(&HandshakeType::CERTIFICATE_REQUEST.0));
}

#[test]
fn psk_suites_are_offered_only_with_a_psk() {
    let is_psk = |s: &CipherSuite| s.key_exchange().is_some_and(KeyExchange::is_psk);
    // Certificates only: no PSK suite, no CCM_8 (8-byte tags are asked for by name).
    let c = client_builder().build().unwrap();
    assert!(!c.common().suites().iter().any(is_psk));
    let ccm8 = |s: &CipherSuite| {
        sanstls_keys::suite::lookup(*s).is_some_and(|i| i.cipher == BulkCipher::Aes128Ccm8)
    };
    assert!(!c.common().suites().iter().any(ccm8));
    // Both: the certificate suites, then the PSK suites.
    let c = client_builder().psk(psk()).build().unwrap();
    let suites = c.common().suites();
    let first_psk = suites.iter().position(is_psk).unwrap();
    assert!(suites[first_psk..].iter().all(is_psk));
    assert!(first_psk > 0);
    // A PSK alone: only PSK suites.
    let c = ClientConfig::builder().psk(psk()).build().unwrap();
    assert!(c.common().suites().iter().all(is_psk));
    let s = psk_server().build().unwrap();
    assert!(s.common().suites().iter().all(is_psk));
    // PSK suites named without a PSK, certificate suites without a verifier or a
    // certificate, neither at all: refused with what is missing.
    let err = client_builder()
        .cipher_suites(&[CipherSuite::TLS_PSK_WITH_AES_128_CBC_SHA256])
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::NoPsk);
    assert!(err.to_string().contains("psk"));
    let err = ClientConfig::builder()
        .psk(psk())
        .cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::NoVerifier);
    assert_eq!(
        ClientConfig::builder().build().unwrap_err(),
        ConfigError::NoVerifier
    );
    assert_eq!(
        ServerConfig::builder().build().unwrap_err(),
        ConfigError::NoCertificate
    );
    assert_eq!(
        server_builder()
            .cipher_suites(&[CipherSuite::TLS_PSK_WITH_AES_128_CCM_8])
            .build()
            .unwrap_err(),
        ConfigError::NoPsk
    );
    // Bad PSKs and identity settings.
    assert_eq!(Psk::new("", KEY), Err(ConfigError::InvalidPskIdentity));
    assert_eq!(
        Psk::new("id", vec![1; MAX_PSK_LEN + 1]),
        Err(ConfigError::InvalidPsk)
    );
    assert_eq!(
        psk_server().max_psk_identity_len(0).build().unwrap_err(),
        ConfigError::InvalidPskIdentity
    );
    assert_eq!(
        psk_server()
            .psk_identity_hint(&vec![b'h'; 0x1_0000])
            .build()
            .unwrap_err(),
        ConfigError::InvalidPskIdentity
    );
}

#[test]
fn ccm_8_is_negotiated_when_both_name_it() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_CCM_8;
    let mut p = Pair::new(
        psk_client(&[suite]),
        psk_server().cipher_suites(&[suite]).build().unwrap(),
    );
    p.run_handshake("ccm8");
    assert_eq!(p.client.negotiated().unwrap().suite, suite);
    // RFC 6655 §3: 8-byte explicit nonce and 8-byte tag on each protected record.
    p.send(true, &[0xab; 100]);
    let last = records(&p.sent_by_client).pop().unwrap();
    assert_eq!(last.0, 23);
    assert_eq!(last.2.len(), 8 + 100 + 8);
}
