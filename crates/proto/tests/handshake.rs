//! Full handshakes between a sanstls client and a sanstls server in memory.

// The harness lives in sanstls-test (src/pair.rs); included by path so that these
// tests need no dependency on that crate.
#[path = "../../test/src/pair.rs"]
mod pair;

use pair::{Ev, Pair, client_builder, refragment, server_builder, server_key};
use sanstls_keys::suite::SUITES;
use sanstls_proto::{Negotiated, SniResolver};
use sanstls_wire::enums::{CipherSuite, ProtocolVersion};
use std::sync::Arc;

fn negotiated(p: &Pair) -> (Negotiated, Negotiated) {
    (
        p.client.negotiated().unwrap().clone(),
        p.server.negotiated().unwrap().clone(),
    )
}

fn exchange_and_close(p: &mut Pair) {
    p.send(true, b"ping from client");
    p.send(false, b"pong from server");
    assert_eq!(Pair::app_data(&p.server_events), b"ping from client");
    assert_eq!(Pair::app_data(&p.client_events), b"pong from server");
    p.client.close();
    p.run();
    assert!(p.server_events.contains(&Ev::PeerClosed { clean: true }));
    assert!(p.client_events.contains(&Ev::PeerClosed { clean: true }));
    assert!(p.client.is_closed());
    assert!(p.server.is_closed());
}

#[test]
fn every_suite_handshakes_and_exchanges_data() {
    // (The ECDHE_ECDSA suites need an EC certificate: tests/ecdhe.rs.)
    for s in SUITES
        .iter()
        .filter(|s| !s.key_exchange.is_ecdsa() && !s.key_exchange.is_psk())
    {
        let c = client_builder().cipher_suites(&[s.suite]).build().unwrap();
        let mut p = Pair::new(c, server_builder().build().unwrap());
        p.run_handshake(&format!("{:?}", s.suite));
        let (cn, sn) = negotiated(&p);
        assert_eq!(cn.suite, s.suite);
        assert_eq!(sn.suite, s.suite);
        assert_eq!(cn.version, ProtocolVersion::TLS12);
        assert!(cn.extended_master_secret && sn.extended_master_secret);
        // RFC 7366 §3: encrypt-then-MAC for the CBC suites only.
        assert_eq!(cn.encrypt_then_mac, !s.is_aead());
        assert_eq!(sn.encrypt_then_mac, !s.is_aead());
        assert_eq!(cn.server_name.as_deref(), Some("localhost"));
        assert_eq!(sn.server_name.as_deref(), Some("localhost"));
        assert_eq!(cn.peer_certificates.len(), 2);
        assert_eq!(
            cn.dh_bits.is_some(),
            s.suite.name().unwrap().contains("_DHE_")
        );
        exchange_and_close(&mut p);
    }
}

#[test]
fn server_preference_wins_and_dhe_is_first_by_default() {
    let mut p = Pair::new(
        client_builder()
            .cipher_suites(&[
                CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
            ])
            .build()
            .unwrap(),
        server_builder().build().unwrap(),
    );
    p.run();
    assert_eq!(
        negotiated(&p).0.suite,
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256
    );
}

#[test]
fn ems_and_etm_off_on_either_side() {
    for (c_ems, s_ems, c_etm, s_etm) in [
        (false, true, true, true),
        (true, false, true, true),
        (true, true, false, true),
        (true, true, true, false),
        (false, false, false, false),
    ] {
        // (A CBC suite: encrypt-then-MAC does not apply to the AEAD ones.)
        let c = client_builder()
            .cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256])
            .extended_master_secret(c_ems)
            .encrypt_then_mac(c_etm)
            .build()
            .unwrap();
        let s = server_builder()
            .extended_master_secret(s_ems)
            .encrypt_then_mac(s_etm)
            .build()
            .unwrap();
        let mut p = Pair::new(c, s);
        p.run();
        let (cn, sn) = negotiated(&p);
        assert_eq!(cn.extended_master_secret, c_ems && s_ems);
        assert_eq!(sn.extended_master_secret, c_ems && s_ems);
        assert_eq!(cn.encrypt_then_mac, c_etm && s_etm);
        assert_eq!(sn.encrypt_then_mac, c_etm && s_etm);
        exchange_and_close(&mut p);
    }
}

#[test]
fn alpn_is_negotiated_in_server_order() {
    let c = client_builder()
        .alpn_protocols(&[b"http/1.1", b"h2"])
        .build()
        .unwrap();
    let s = server_builder()
        .alpn_protocols(&[b"h2", b"http/1.1"])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run();
    let (cn, sn) = negotiated(&p);
    assert_eq!(cn.alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(sn.alpn.as_deref(), Some(&b"h2"[..]));

    // Only one side configured: no ALPN.
    let c = client_builder().alpn_protocols(&[b"h2"]).build().unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run();
    assert_eq!(negotiated(&p).0.alpn, None);
}

#[test]
fn sni_picks_the_certificate() {
    let s = || {
        sanstls_proto::ServerConfig::builder()
            .cert_resolver(Arc::new(
                SniResolver::new()
                    .with("www.example.test", Arc::new(server_key("server-rsa3072")))
                    .with_default(Arc::new(server_key("server-rsa2048"))),
            ))
            .build()
            .unwrap()
    };
    let mut p = Pair::with_name(client_builder().build().unwrap(), s(), "www.example.test");
    p.run();
    let (cn, sn) = negotiated(&p);
    assert_eq!(sn.server_name.as_deref(), Some("www.example.test"));
    let leaf3072 =
        sanstls_pki::pem_to_der_certs(&pair::testdata("server-rsa3072.cert.pem")).unwrap();
    assert_eq!(cn.peer_certificates[0], leaf3072[0]);

    let mut p = Pair::with_name(client_builder().build().unwrap(), s(), "localhost");
    p.run();
    let leaf2048 =
        sanstls_pki::pem_to_der_certs(&pair::testdata("server-rsa2048.cert.pem")).unwrap();
    assert_eq!(negotiated(&p).0.peer_certificates[0], leaf2048[0]);

    // An IP address is checked against the certificate but not sent as SNI.
    let mut p = Pair::with_name(client_builder().build().unwrap(), s(), "127.0.0.1");
    p.run_handshake("");
    assert_eq!(negotiated(&p).1.server_name, None);
}

#[test]
fn one_byte_reads_and_one_byte_records() {
    for suite in [
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
    ] {
        let mut p = Pair::new(
            client_builder().cipher_suites(&[suite]).build().unwrap(),
            server_builder().build().unwrap(),
        );
        p.read_chunk = 1;
        p.filter = Some(refragment(1));
        p.run_handshake("");
        exchange_and_close(&mut p);
    }
}

#[test]
fn small_outgoing_fragments() {
    let c = client_builder().max_fragment_len(7).build().unwrap();
    let s = server_builder().max_fragment_len(5).build().unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("");
    exchange_and_close(&mut p);
}

#[test]
fn large_application_data_both_ways() {
    let mut p = Pair::with_defaults();
    p.run();
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    p.send(true, &big);
    p.send(false, &big);
    assert_eq!(Pair::app_data(&p.server_events), big);
    assert_eq!(Pair::app_data(&p.client_events), big);
}

#[test]
fn key_log_lines_match() {
    let log = Arc::new(pair::Collect::default());
    let c = client_builder().key_log(log.clone()).build().unwrap();
    let s = server_builder().key_log(log.clone()).build().unwrap();
    let mut p = Pair::new(c, s);
    p.run();
    let lines = log.0.lock().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], lines[1]);
    assert!(lines[0].starts_with("CLIENT_RANDOM "));
}

#[test]
fn trace_events_follow_the_rfc_order() {
    use Direction::{Received as R, Sent as S};
    use sanstls_proto::{Direction, TraceKind};
    use sanstls_wire::enums::HandshakeType as H;
    let c = client_builder()
        .trace(true)
        .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run();
    let seen: Vec<(Direction, TraceKind, bool)> = p
        .client_events
        .iter()
        .filter_map(|e| match e {
            Ev::Trace(t) => Some((t.direction, t.kind, t.protected)),
            _ => None,
        })
        .collect();
    let hs = TraceKind::Handshake;
    assert_eq!(
        seen,
        vec![
            (S, hs(H::CLIENT_HELLO), false),
            (R, hs(H::SERVER_HELLO), false),
            (R, hs(H::CERTIFICATE), false),
            (R, hs(H::SERVER_KEY_EXCHANGE), false),
            (R, hs(H::SERVER_HELLO_DONE), false),
            (S, hs(H::CLIENT_KEY_EXCHANGE), false),
            (S, TraceKind::ChangeCipherSpec, false),
            (S, hs(H::FINISHED), true),
            (R, TraceKind::ChangeCipherSpec, false),
            (R, hs(H::FINISHED), true),
        ]
    );
    // The server did not ask for traces.
    assert!(!p.server_events.iter().any(|e| matches!(e, Ev::Trace(_))));
}

#[test]
fn truncation_is_reported() {
    let mut p = Pair::with_defaults();
    p.run();
    p.client.handle_recv_bytes(&[], p.now).unwrap();
    let mut evs = Vec::new();
    while let Some(e) = p.client.poll_event() {
        evs.push(format!("{e:?}"));
    }
    assert!(
        evs.iter()
            .any(|e| e.contains("PeerClosed { clean: false }")),
        "{evs:?}"
    );
}

#[test]
fn bytes_after_close_notify_are_dropped_not_buffered() {
    let mut p = Pair::with_defaults();
    p.run();
    p.server.close();
    p.run();
    assert!(p.client_events.contains(&Ev::PeerClosed { clean: true }));
    // Well past the receive buffer's size: every byte is taken, none is read.
    let junk: Vec<u8> = [23u8, 3, 3, 0, 100]
        .into_iter()
        .chain([0u8; 100])
        .cycle()
        .take(105 * 500)
        .collect();
    let mut at = 0;
    while at < junk.len() {
        let n = p.client.handle_recv_bytes(&junk[at..], p.now).unwrap();
        assert!(n > 0);
        at += n;
    }
    assert!(p.client.poll_event().is_none());
}

/// A reader with a small buffer takes a record's plaintext piece by piece with `read`,
/// while more records keep arriving; nothing is lost or repeated.
#[test]
fn application_data_read_in_small_pieces() {
    let mut p = Pair::with_defaults();
    p.run_handshake("");
    let data: Vec<u8> = (0..40_000u32).map(|i| (i % 253) as u8).collect();
    let mut sent = 0;
    let mut wire = Vec::new();
    let mut got = Vec::new();
    let mut fed = 0;
    let mut rounds = 0;
    while got.len() < data.len() {
        rounds += 1;
        assert!(rounds < 100_000, "no progress");
        if sent < data.len() {
            sent += p.server.send(&data[sent..]).unwrap();
            let out = p.server.poll_transmit().to_vec();
            p.server.handle_transmitted(out.len()).unwrap();
            wire.extend_from_slice(&out);
        }
        // Feed whatever the client has room for (room shrinks while plaintext waits).
        if fed < wire.len() {
            let n = p.client.handle_recv_bytes(&wire[fed..], p.now).unwrap();
            fed += n;
        }
        // Read at most 100 bytes at a time, as a `Read` with a small buffer would.
        let mut buf = [0u8; 100];
        let n = p.client.read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, data);
    // Nothing more is delivered, and consuming more than is waiting is refused.
    assert!(p.client.poll_event().is_none());
    assert!(p.client.app_data().is_empty());
    assert_eq!(
        p.client.consume(1),
        Err(sanstls_proto::ApiMisuse::AppDataOverrun.into())
    );
}

/// With one-byte fragments, alerts still travel whole: a close_notify split over two
/// records would be refused by the receiver.
#[test]
fn alerts_are_never_fragmented() {
    let c = client_builder().max_fragment_len(1).build().unwrap();
    let s = server_builder().max_fragment_len(1).build().unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("");
    p.send(true, b"ping");
    assert_eq!(Pair::app_data(&p.server_events), b"ping");
    p.client.close();
    p.run();
    assert_eq!(p.client_error, None);
    assert_eq!(p.server_error, None);
    assert!(p.server_events.contains(&Ev::PeerClosed { clean: true }));
    assert!(p.client_events.contains(&Ev::PeerClosed { clean: true }));
}

/// Application data stays in the receive buffer until consumed: `app_data` lends it,
/// `consume` marks a part as used, and the next record is processed only once all of it
/// is (the records behind it wait, also a close_notify).
#[test]
fn app_data_is_lent_until_consumed() {
    let mut p = Pair::with_defaults();
    p.run_handshake("");
    assert!(p.client.app_data().is_empty());
    let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(p.server.send(&data[..600]).unwrap(), 600);
    assert_eq!(p.server.send(&data[600..]).unwrap(), 400);
    p.server.close();
    let out = p.server.poll_transmit().to_vec();
    p.server.handle_transmitted(out.len()).unwrap();
    // All three records are taken in; only the first is opened.
    assert_eq!(p.client.handle_recv_bytes(&out, p.now).unwrap(), out.len());
    assert_eq!(p.client.app_data(), &data[..600]);
    assert!(
        p.client.poll_event().is_none(),
        "the close_notify waits behind the data"
    );
    p.client.consume(300).unwrap();
    assert_eq!(p.client.app_data(), &data[300..600]);
    assert_eq!(
        p.client.consume(301),
        Err(sanstls_proto::ApiMisuse::AppDataOverrun.into())
    );
    p.client.consume(300).unwrap();
    assert_eq!(p.client.app_data(), &data[600..]);
    let mut buf = [0u8; 1000];
    assert_eq!(p.client.read(&mut buf).unwrap(), 400);
    assert_eq!(&buf[..400], &data[600..]);
    assert_eq!(
        p.client.poll_event(),
        Some(sanstls_proto::Event::PeerClosed { clean: true })
    );
    assert_eq!(p.client.read(&mut buf).unwrap(), 0);
    // The client answered the close_notify.
    assert!(!p.client.poll_transmit().is_empty());
}
