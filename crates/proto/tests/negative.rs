//! Failures, each with the error the failing side reports and the alert the other side
//! receives.

// The harness lives in sanstls-test (src/pair.rs); included by path so that these
// tests need no dependency on that crate.
mod forge;
#[path = "../../test/src/pair.rs"]
mod pair;

use forge::{
    feed, find_message, forge, last_plain_alert, on_chunk, sent_alerts, sent_alerts_of,
    server_and_hello, traced_client_after_handshake,
};

use std::sync::Arc;

use pair::{Dir, Ev, NOW, Pair, client_builder, records, server_builder};
use sanstls_pki::{TrustAnchors, UnixTime};
use sanstls_proto::{
    ApiMisuse, CertifiedKey, ClientConfig, ConfigError, Connection, Error, PeerIncompatible,
    PeerMisbehaved, ServerConfig,
};
use sanstls_wire::enums::{
    AlertDescription as A, AlertLevel, CipherSuite, ContentType, ProtocolVersion,
};

/// [`Pair::expect_failure`], and then both sides are closed.
#[track_caller]
fn expect_failure(p: &mut Pair, client_fails: bool, err: &Error, alert: A) {
    p.expect_failure(client_fails, err, alert);
    assert!(p.client.is_closed() && p.server.is_closed());
}

#[test]
fn wrong_name_unknown_ca_expired() {
    let mut p = Pair::with_name(
        client_builder().build().unwrap(),
        server_builder().build().unwrap(),
        "wrong.example.org",
    );
    let e = Error::Certificate(sanstls_pki::Error::NameMismatch);
    expect_failure(&mut p, true, &e, A::BAD_CERTIFICATE);

    let other_root = TrustAnchors::from_pem_bundle(&pair::testdata("ca-root2.cert.pem")).unwrap();
    let c = ClientConfig::builder()
        .trust_anchors(other_root)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    let e = Error::Certificate(sanstls_pki::Error::UnknownIssuer);
    expect_failure(&mut p, true, &e, A::UNKNOWN_CA);

    let s = ServerConfig::builder()
        .single_cert(pair::server_key("bad-expired"))
        .build()
        .unwrap();
    let mut p = Pair::new(client_builder().build().unwrap(), s);
    let e = Error::Certificate(sanstls_pki::Error::Expired);
    expect_failure(&mut p, true, &e, A::CERTIFICATE_EXPIRED);

    // A good certificate at a time after its notAfter (2045).
    let mut p = Pair::at(
        client_builder().build().unwrap(),
        server_builder().build().unwrap(),
        "localhost",
        UnixTime::from_secs(2_400_000_000),
    );
    expect_failure(&mut p, true, &e, A::CERTIFICATE_EXPIRED);
}

#[test]
fn client_version_below_tls12_gets_protocol_version() {
    let mut p = Pair::with_defaults();
    p.filter = Some(on_chunk(Dir::ToServer, 1, |b| {
        b[9..11].copy_from_slice(&[3, 2]);
    }));
    let e = Error::PeerIncompatible(PeerIncompatible::ClientVersionTooLow(
        ProtocolVersion::TLS11,
    ));
    expect_failure(&mut p, false, &e, A::PROTOCOL_VERSION);
}

#[test]
fn client_version_above_tls12_negotiates_tls12() {
    // A ClientHello claiming TLS 1.3 gets a TLS 1.2 ServerHello. (The change to the
    // hello is then caught, as it should be: the extended master secret binds the
    // hello, so the client's Finished does not even open.)
    let mut p = Pair::with_defaults();
    p.filter = Some(on_chunk(Dir::ToServer, 1, |b| {
        b[9..11].copy_from_slice(&[3, 4]);
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadRecordMac);
    expect_failure(&mut p, false, &e, A::BAD_RECORD_MAC);
    assert_eq!(&p.sent_by_server[9..11], &[3, 3]);
    // Not a downgrade sentinel either.
    assert_ne!(&p.sent_by_server[35..43], b"DOWNGRD\x01");

    // Without EMS and with DHE the keys agree, and the Finished check catches it.
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA])
        .extended_master_secret(false)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.filter = Some(on_chunk(Dir::ToServer, 1, |b| {
        b[9..11].copy_from_slice(&[3, 4]);
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadFinished);
    expect_failure(&mut p, false, &e, A::DECRYPT_ERROR);
}

#[test]
fn server_version_other_than_tls12_is_refused() {
    let mut p = Pair::with_defaults();
    p.filter = Some(on_chunk(Dir::ToClient, 1, |b| {
        b[9..11].copy_from_slice(&[3, 2]);
    }));
    let e = Error::PeerIncompatible(PeerIncompatible::ServerVersionNotTls12(
        ProtocolVersion::TLS11,
    ));
    expect_failure(&mut p, true, &e, A::PROTOCOL_VERSION);
}

#[test]
fn server_choosing_an_unoffered_suite_is_illegal_parameter() {
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA])
        .build()
        .unwrap();
    // (No session cache: the session ID stays empty.)
    let mut p = Pair::new(c, server_builder().session_cache(0).build().unwrap());
    // ServerHello body: version 2, random 32, session_id length 1 (empty), then the suite.
    p.filter = Some(on_chunk(Dir::ToClient, 1, |b| {
        b[44..46].copy_from_slice(&0x0035u16.to_be_bytes());
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::UnofferedCipherSuite);
    expect_failure(&mut p, true, &e, A::ILLEGAL_PARAMETER);
}

#[test]
fn bad_server_key_exchange_signature_is_decrypt_error() {
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.filter = Some(on_chunk(Dir::ToClient, 1, |b| {
        let at = find_message(b, 12);
        let len = u32::from_be_bytes([0, b[at + 1], b[at + 2], b[at + 3]]) as usize;
        b[at + 4 + len - 1] ^= 1;
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadSignature);
    expect_failure(&mut p, true, &e, A::DECRYPT_ERROR);
}

#[test]
fn corrupted_finished_is_bad_record_mac() {
    for etm in [true, false] {
        let c = client_builder().encrypt_then_mac(etm).build().unwrap();
        let mut p = Pair::new(c, server_builder().build().unwrap());
        // The client's second flight ends with its encrypted Finished.
        p.filter = Some(on_chunk(Dir::ToServer, 2, |b| {
            let last = b.len() - 1;
            b[last] ^= 0x80;
        }));
        let e = Error::PeerMisbehaved(PeerMisbehaved::BadRecordMac);
        expect_failure(&mut p, false, &e, A::BAD_RECORD_MAC);
    }
}

#[test]
fn corrupted_rsa_premaster_fails_only_at_finished() {
    // RFC 5246 §7.4.7.1: a bad ciphertext becomes a random premaster; the server notices
    // nothing until the client's Finished does not open under the keys it derived.
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.filter = Some(on_chunk(Dir::ToServer, 2, |b| {
        let recs = records(b);
        assert_eq!(recs[0].0, 22);
        assert_eq!(recs[0].2[0], 16, "ClientKeyExchange first");
        b[5 + 4 + 2 + 100] ^= 0x55;
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadRecordMac);
    expect_failure(&mut p, false, &e, A::BAD_RECORD_MAC);
}

#[test]
fn no_common_suite_alpn_or_dh_group() {
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA])
        .build()
        .unwrap();
    let s = server_builder()
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    let e = Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite);
    expect_failure(&mut p, false, &e, A::HANDSHAKE_FAILURE);

    let c = client_builder().alpn_protocols(&[b"h2"]).build().unwrap();
    let s = server_builder()
        .alpn_protocols(&[b"http/1.1"])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    let e = Error::PeerIncompatible(PeerIncompatible::NoCommonAlpnProtocol);
    expect_failure(&mut p, false, &e, A::NO_APPLICATION_PROTOCOL);

    // A client that only accepts groups of 8192 bits lists none of the RFC 7919 groups
    // sanstls has, and gets a 2048-bit group it refuses.
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA])
        .min_dh_bits(8192)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    let e = Error::PeerIncompatible(PeerIncompatible::DhGroupTooSmall { bits: 2048 });
    expect_failure(&mut p, true, &e, A::INSUFFICIENT_SECURITY);
}

#[test]
fn client_minimum_dh_size_steers_the_group() {
    let c = client_builder()
        .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA])
        .min_dh_bits(3072)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run_handshake("");
    assert_eq!(p.client.negotiated().unwrap().dh_bits, Some(3072));
}

#[test]
fn ems_required_but_absent() {
    let c = client_builder()
        .require_extended_master_secret(true)
        .build()
        .unwrap();
    let s = server_builder()
        .extended_master_secret(false)
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    let e = Error::PeerIncompatible(PeerIncompatible::ExtendedMasterSecretRequired);
    expect_failure(&mut p, true, &e, A::HANDSHAKE_FAILURE);
}

/// A server connection and the client's first flight (its ClientHello record).
#[test]
fn messages_out_of_order_are_unexpected() {
    // ChangeCipherSpec before ClientKeyExchange.
    let (mut s, hello) = server_and_hello();
    feed(&mut s, &hello).unwrap();
    let e = feed(&mut s, &[20, 3, 3, 0, 1, 1]).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedChangeCipherSpec)
    );
    assert_eq!(last_plain_alert(&s), (2, A::UNEXPECTED_MESSAGE.0));
    // Sticky.
    assert_eq!(feed(&mut s, &[1]).unwrap_err(), e);

    // Application data before Finished.
    let (mut s, hello) = server_and_hello();
    feed(&mut s, &hello).unwrap();
    let e = feed(&mut s, &[23, 3, 3, 0, 2, b'h', b'i']).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedApplicationData)
    );
    assert_eq!(last_plain_alert(&s), (2, A::UNEXPECTED_MESSAGE.0));

    // A ServerHelloDone instead of a ClientHello.
    let (mut s, _) = server_and_hello();
    let e = feed(&mut s, &[22, 3, 3, 0, 4, 14, 0, 0, 0]).unwrap_err();
    assert_eq!(e.alert(), Some(A::UNEXPECTED_MESSAGE));

    // A second ClientHello during the handshake.
    let (mut s, hello) = server_and_hello();
    feed(&mut s, &hello).unwrap();
    let e = feed(&mut s, &hello).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedHandshake(
            sanstls_wire::enums::HandshakeType::CLIENT_HELLO
        ))
    );

    // A handshake message cut by a ChangeCipherSpec.
    let (mut s, hello) = server_and_hello();
    let mut cut = hello[..5].to_vec();
    cut[3..5].copy_from_slice(&10u16.to_be_bytes());
    cut.extend_from_slice(&hello[5..15]);
    feed(&mut s, &cut).unwrap();
    let e = feed(&mut s, &[20, 3, 3, 0, 1, 1]).unwrap_err();
    assert_eq!(e.alert(), Some(A::UNEXPECTED_MESSAGE));
}

#[test]
fn bounded_warnings_and_fatal_alerts() {
    let (mut s, hello) = server_and_hello();
    feed(&mut s, &hello).unwrap();
    for _ in 0..4 {
        feed(&mut s, &[21, 3, 3, 0, 2, 1, A::USER_CANCELED.0]).unwrap();
    }
    let e = feed(&mut s, &[21, 3, 3, 0, 2, 1, A::USER_CANCELED.0]).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::TooManyWarningAlerts)
    );

    let (mut s, hello) = server_and_hello();
    feed(&mut s, &hello).unwrap();
    let before = s.poll_transmit().len();
    let e = feed(&mut s, &[21, 3, 3, 0, 2, 2, A::INTERNAL_ERROR.0]).unwrap_err();
    assert_eq!(e, Error::AlertReceived(A::INTERNAL_ERROR));
    // Nothing is sent in answer to a fatal alert.
    assert_eq!(s.poll_transmit().len(), before);
}

#[test]
fn oversized_handshake_message_is_refused() {
    let (mut s, _) = server_and_hello();
    // A ClientHello header announcing 16 MiB - 1.
    let e = feed(&mut s, &[22, 3, 3, 0, 4, 1, 0xff, 0xff, 0xff]).unwrap_err();
    assert!(matches!(e, Error::InvalidMessage(_)), "{e:?}");
    assert!(e.alert().is_some());
}

#[test]
fn api_misuse_is_not_fatal() {
    let mut p = Pair::with_defaults();
    assert_eq!(
        p.client.send(b"too early").unwrap_err(),
        Error::ApiMisuse(ApiMisuse::HandshakeNotComplete)
    );
    let pending = p.client.poll_transmit().len();
    assert_eq!(
        p.client.handle_transmitted(pending + 1).unwrap_err(),
        Error::ApiMisuse(ApiMisuse::TransmitOverflow)
    );
    p.run_handshake("");
    p.client.close();
    assert_eq!(
        p.client.send(b"late").unwrap_err(),
        Error::ApiMisuse(ApiMisuse::Closed)
    );
}

#[test]
fn configs_that_cannot_work_are_refused() {
    assert_eq!(
        client_builder().cipher_suites(&[]).build().unwrap_err(),
        ConfigError::NoCipherSuites
    );
    assert_eq!(
        client_builder()
            .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256])
            .build()
            .unwrap_err(),
        ConfigError::UnsupportedCipherSuite(CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256)
    );
    assert_eq!(
        ClientConfig::builder()
            .trust_anchors(TrustAnchors::new())
            .build()
            .unwrap_err(),
        ConfigError::NoTrustAnchors
    );
    assert_eq!(
        ClientConfig::builder().build().unwrap_err(),
        ConfigError::NoVerifier
    );
    assert_eq!(
        client_builder().alpn_protocols(&[b""]).build().unwrap_err(),
        ConfigError::InvalidAlpnProtocol
    );
    assert_eq!(
        ServerConfig::builder().build().unwrap_err(),
        ConfigError::NoCertificate
    );
    let mismatch = CertifiedKey::from_pem(
        &pair::testdata("server-rsa2048.chain.pem"),
        &pair::testdata("server-rsa3072.rsa.pem"),
    );
    assert_eq!(mismatch.unwrap_err(), ConfigError::KeyMismatch);
}

#[test]
fn renegotiation_is_refused_with_a_warning() {
    // A HelloRequest to the client.
    let (mut p, log) = traced_client_after_handshake();
    let hello_request = forge(&p, &log, false, 1, ContentType::HANDSHAKE, &[0, 0, 0, 0]);
    p.client.handle_recv_bytes(&hello_request, NOW).unwrap();
    p.run();
    assert_eq!(
        sent_alerts(&p.client_events),
        vec![(AlertLevel::WARNING, A::NO_RENEGOTIATION)]
    );
    assert!(p.server_events.contains(&Ev::Alert(A::NO_RENEGOTIATION)));
    // The client still sends.
    p.send(true, b"still here");
    assert_eq!(pair::Pair::app_data(&p.server_events), b"still here");

    // A ClientHello to the server, inside the protected channel.
    let log = Arc::new(pair::Collect::default());
    let c = client_builder().key_log(log.clone()).build().unwrap();
    let s = server_builder().trace(true).build().unwrap();
    let mut p = Pair::new(c, s);
    let hello = p.client.poll_transmit()[5..].to_vec();
    p.run_handshake("");
    let again = forge(&p, &log, true, 1, ContentType::HANDSHAKE, &hello);
    p.server.handle_recv_bytes(&again, NOW).unwrap();
    p.run();
    assert_eq!(
        sent_alerts(&p.server_events),
        vec![(AlertLevel::WARNING, A::NO_RENEGOTIATION)]
    );
    assert!(p.client_events.contains(&Ev::Alert(A::NO_RENEGOTIATION)));
    p.send(false, b"server still here");
    assert_eq!(pair::Pair::app_data(&p.client_events), b"server still here");
}

/// After the handshake the connection frees its handshake reassembly buffer; a
/// HelloRequest split over two records, then a whole one, must still be put together
/// (and refused) afterwards, and the record path must go on working.
#[test]
fn a_split_hello_request_after_the_handshake_is_reassembled() {
    let (mut p, log) = traced_client_after_handshake();
    let first = forge(&p, &log, false, 1, ContentType::HANDSHAKE, &[0, 0]);
    let second = forge(&p, &log, false, 2, ContentType::HANDSHAKE, &[0, 0]);
    let whole = forge(&p, &log, false, 3, ContentType::HANDSHAKE, &[0, 0, 0, 0]);
    p.client.handle_recv_bytes(&first, NOW).unwrap();
    assert!(
        sent_alerts_of(&mut p).is_empty(),
        "half a HelloRequest was answered"
    );
    p.client.handle_recv_bytes(&second, NOW).unwrap();
    p.client.handle_recv_bytes(&whole, NOW).unwrap();
    p.run();
    assert_eq!(
        sent_alerts(&p.client_events),
        vec![
            (AlertLevel::WARNING, A::NO_RENEGOTIATION),
            (AlertLevel::WARNING, A::NO_RENEGOTIATION)
        ]
    );
    p.send(true, b"still here");
    assert_eq!(pair::Pair::app_data(&p.server_events), b"still here");
}

#[test]
fn empty_records_are_bounded() {
    let log = Arc::new(pair::Collect::default());
    let c = client_builder().key_log(log.clone()).build().unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run();
    for seq in 1..=32 {
        let rec = forge(&p, &log, true, seq, ContentType::APPLICATION_DATA, &[]);
        p.server.handle_recv_bytes(&rec, NOW).unwrap();
    }
    let rec = forge(&p, &log, true, 33, ContentType::APPLICATION_DATA, &[]);
    let e = p.server.handle_recv_bytes(&rec, NOW).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::TooManyEmptyRecords)
    );
}

#[test]
fn record_version_is_checked_once_settled() {
    let (mut s, hello) = server_and_hello();
    // The ClientHello record may carry any 3.x version.
    let mut old = hello.clone();
    old[1..3].copy_from_slice(&[3, 1]);
    feed(&mut s, &old).unwrap();
    let e = feed(&mut s, &[21, 3, 1, 0, 2, 1, A::USER_CANCELED.0]).unwrap_err();
    assert_eq!(e, Error::PeerMisbehaved(PeerMisbehaved::WrongRecordVersion));
    assert_eq!(last_plain_alert(&s), (2, A::PROTOCOL_VERSION.0));
}

#[test]
fn unpolled_warnings_are_bounded() {
    // Warnings separated by data do not trip the consecutive limit, but a caller that
    // reads the data and never polls events cannot be made to queue them without
    // bound. (One that does not even read the data stops the connection's reading:
    // nothing behind unread data is processed.) Tracing, which queues trace events
    // too, ends the connection at the same alert: traces do not count.
    let ended_at = |trace: bool| {
        let log = Arc::new(pair::Collect::default());
        let c = client_builder().key_log(log.clone()).build().unwrap();
        let mut p = Pair::new(c, server_builder().trace(trace).build().unwrap());
        p.run();
        let mut seq = 1;
        for n in 0..100 {
            let alert = forge(
                &p,
                &log,
                true,
                seq,
                ContentType::ALERT,
                &[1, A::USER_CANCELED.0],
            );
            let data = forge(&p, &log, true, seq + 1, ContentType::APPLICATION_DATA, b"x");
            seq += 2;
            if let Err(e) = p.server.handle_recv_bytes(&alert, NOW) {
                assert_eq!(
                    e,
                    Error::PeerMisbehaved(PeerMisbehaved::TooManyWarningAlerts)
                );
                return n;
            }
            p.server.handle_recv_bytes(&data, NOW).unwrap();
            assert_eq!(p.server.app_data(), b"x");
            p.server.consume(1).unwrap();
        }
        panic!("100 unpolled warnings were queued (trace {trace})");
    };
    assert_eq!(ended_at(false), ended_at(true));
}

#[test]
fn key_usage_must_fit_the_key_exchange() {
    let server = |name: &str| {
        ServerConfig::builder()
            .single_cert(pair::server_key(name))
            .build()
            .unwrap()
    };
    let rsa = || {
        client_builder()
            .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256])
            .build()
            .unwrap()
    };
    let dhe = || {
        client_builder()
            .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256])
            .build()
            .unwrap()
    };
    // digitalSignature only: fine for DHE_RSA (the key signs), not for RSA key
    // exchange (the key would decrypt the premaster: keyEncipherment).
    let mut p = Pair::new(dhe(), server("server-ku-sign"));
    p.run_handshake("");
    // The sanstls server knows and does not pick RSA key exchange for that certificate
    // (the client-side check is exercised against OpenSSL in sanstls-test's interop).
    let mut p = Pair::new(rsa(), server("server-ku-sign"));
    expect_failure(
        &mut p,
        false,
        &Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite),
        A::HANDSHAKE_FAILURE,
    );
    // No keyUsage at all: any use.
    for c in [rsa(), dhe()] {
        let mut p = Pair::new(c, server("server-no-ku"));
        p.run_handshake("");
    }
}

#[test]
fn unknown_server_name_without_default_is_unrecognized_name() {
    let resolver = sanstls_proto::SniResolver::new().with(
        "www.example.test",
        Arc::new(pair::server_key("server-rsa2048")),
    );
    let s = ServerConfig::builder()
        .cert_resolver(Arc::new(resolver))
        .build()
        .unwrap();
    let mut p = Pair::with_name(client_builder().build().unwrap(), s, "localhost");
    let e = Error::PeerIncompatible(PeerIncompatible::UnrecognizedName);
    expect_failure(&mut p, false, &e, A::UNRECOGNIZED_NAME);
}

/// Re-encodes the first record of `chunk` (a ServerHello) without renegotiation_info.
fn strip_renegotiation_info(chunk: &mut Vec<u8>) {
    use sanstls_wire::extensions::{ServerExtension, ServerExtensions};
    use sanstls_wire::handshake::{HandshakeMessage, ServerHello};
    forge::rewrite_first_record(chunk, |msg| {
        let HandshakeMessage::ServerHello(sh) = HandshakeMessage::decode(msg, None).unwrap() else {
            panic!("not a ServerHello");
        };
        let kept: Vec<ServerExtension<'_>> = sh
            .extensions
            .iter()
            .flatten()
            .filter(|e| !matches!(e, ServerExtension::RenegotiationInfo(_)))
            .collect();
        HandshakeMessage::ServerHello(ServerHello {
            extensions: Some(ServerExtensions::from_items(&kept)),
            ..sh
        })
        .to_vec()
        .unwrap()
    });
}

#[test]
fn server_without_renegotiation_info_is_refused_by_default() {
    let mut p = Pair::with_defaults();
    p.filter = Some(on_chunk(Dir::ToClient, 1, strip_renegotiation_info));
    let e = Error::PeerIncompatible(PeerIncompatible::SecureRenegotiationRequired);
    expect_failure(&mut p, true, &e, A::HANDSHAKE_FAILURE);

    // Allowed: the hello is accepted (and the edit is then caught by the MAC of the
    // server's Finished, since the extended master secret covers the hello).
    let c = client_builder()
        .require_secure_renegotiation(false)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.filter = Some(on_chunk(Dir::ToClient, 1, strip_renegotiation_info));
    p.run();
    assert_eq!(
        p.server_error,
        Some(Error::PeerMisbehaved(PeerMisbehaved::BadRecordMac))
    );
}

/// The renegotiation_info of the ServerHello `s` is about to send.
fn server_hello_reneg_info(s: &Connection) -> Option<Vec<u8>> {
    use sanstls_wire::handshake::HandshakeMessage;
    let sh = records(s.poll_transmit()).remove(0).2;
    let HandshakeMessage::ServerHello(sh) = HandshakeMessage::decode(&sh, None).unwrap() else {
        panic!("not a ServerHello");
    };
    sh.extensions
        .and_then(|e| e.renegotiation_info())
        .map(<[u8]>::to_vec)
}

#[test]
fn client_hello_renegotiation_signals() {
    use sanstls_wire::codec::List;
    use sanstls_wire::enums::CompressionMethod;
    use sanstls_wire::extensions::{ClientExtension, ClientExtensions};
    use sanstls_wire::handshake::{ClientHello, HandshakeMessage, Random};
    let hello = |suites: &[CipherSuite], exts: &[ClientExtension<'_>]| {
        let body = HandshakeMessage::ClientHello(ClientHello {
            client_version: ProtocolVersion::TLS12,
            random: Random([7; 32]),
            session_id: &[],
            cipher_suites: List::from_items(suites),
            compression_methods: List::from_items(&[CompressionMethod::NULL]),
            extensions: Some(ClientExtensions::from_items(exts)),
        })
        .to_vec()
        .unwrap();
        let mut rec = vec![22, 3, 3];
        rec.extend_from_slice(&(body.len() as u16).to_be_bytes());
        rec.extend_from_slice(&body);
        rec
    };
    let rsa = [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA];
    // RFC 5746 §3.6: a non-empty renegotiation_info in an initial ClientHello.
    let (mut s, _) = server_and_hello();
    let e = feed(
        &mut s,
        &hello(&rsa, &[ClientExtension::RenegotiationInfo(&[1; 12])]),
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::BadRenegotiationInfo)
    );
    assert_eq!(last_plain_alert(&s), (2, A::HANDSHAKE_FAILURE.0));

    // Neither SCSV nor extension: a legacy client, answered without the extension.
    let (mut s, _) = server_and_hello();
    feed(&mut s, &hello(&rsa, &[])).unwrap();
    assert_eq!(server_hello_reneg_info(&s), None);

    // An empty extension (instead of the SCSV) is answered with an empty one.
    let (mut s, _) = server_and_hello();
    feed(
        &mut s,
        &hello(&rsa, &[ClientExtension::RenegotiationInfo(&[])]),
    )
    .unwrap();
    assert_eq!(server_hello_reneg_info(&s), Some(vec![]));
}
