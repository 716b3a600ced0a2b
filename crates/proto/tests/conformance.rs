//! Protocol conformance fixes of issue 11: records of other types between the fragments
//! of one handshake message (RFC 5246 §6.2.1), messages out of order refused on their
//! type alone (§7.3), and configurable handshake message size bounds.

mod forge;
#[path = "../../test/src/pair.rs"]
mod pair;

use forge::{feed, forge, sent_alerts, server_and_hello, traced_client_after_handshake};
use pair::{Dir, Ev, Filter, NOW, Pair, client_builder, encode_records, records, server_builder};
use sanstls_proto::{Error, PeerMisbehaved};
use sanstls_wire::DecodeError;
use sanstls_wire::enums::{AlertDescription as A, AlertLevel, ContentType, HandshakeType};

/// A filter that splits the client's first handshake record in two and puts `between`
/// (whole records) between the halves.
fn split_client_hello_around(between: Vec<u8>) -> Filter {
    let mut done = false;
    Box::new(move |dir, bytes| {
        if dir != Dir::ToServer || done {
            return;
        }
        done = true;
        let mut recs = records(bytes);
        let (ct, v, frag) = recs.remove(0);
        assert_eq!(ct, 22, "the first record is the ClientHello");
        let half = frag.len() / 2;
        let mut out = encode_records(&[(ct, v, frag[..half].to_vec())]);
        out.extend_from_slice(&between);
        out.extend_from_slice(&encode_records(&[(ct, v, frag[half..].to_vec())]));
        out.extend_from_slice(&encode_records(&recs));
        *bytes = out;
    })
}

#[test]
fn a_warning_alert_between_client_hello_fragments_is_delivered_and_the_handshake_goes_on() {
    // RFC 5246 §6.2.1: "Data of different TLS record layer content types MAY be
    // interleaved." Before the fix the server failed with "handshake message
    // interrupted".
    let mut p = Pair::with_defaults();
    p.filter = Some(split_client_hello_around(vec![
        21,
        3,
        3,
        0,
        2,
        AlertLevel::WARNING.0,
        A::UNRECOGNIZED_NAME.0,
    ]));
    p.run_handshake("warning alert inside the ClientHello");
    assert!(p.server_events.contains(&Ev::Alert(A::UNRECOGNIZED_NAME)));
}

#[test]
fn a_change_cipher_spec_inside_a_handshake_message_stays_fatal() {
    let mut p = Pair::with_defaults();
    p.filter = Some(split_client_hello_around(vec![20, 3, 3, 0, 1, 1]));
    p.run();
    assert_eq!(
        p.server_error,
        Some(Error::InvalidMessage(DecodeError::MessageInterrupted))
    );
    assert_eq!(
        p.client_error,
        Some(Error::AlertReceived(A::UNEXPECTED_MESSAGE))
    );
}

#[test]
fn application_data_between_fragments_of_a_renegotiation_request_is_delivered() {
    // §6.2.1: "Recipients MUST receive and process interleaved application layer
    // traffic during handshakes subsequent to the first one on a connection."
    let (mut p, log) = traced_client_after_handshake();
    let first = forge(&p, &log, false, 1, ContentType::HANDSHAKE, &[0, 0]);
    let data = forge(&p, &log, false, 2, ContentType::APPLICATION_DATA, b"hi");
    let alert = forge(
        &p,
        &log,
        false,
        3,
        ContentType::ALERT,
        &[AlertLevel::WARNING.0, A::USER_CANCELED.0],
    );
    let second = forge(&p, &log, false, 4, ContentType::HANDSHAKE, &[0, 0]);
    for rec in [&first, &data, &alert, &second] {
        p.client.handle_recv_bytes(rec, NOW).unwrap();
    }
    p.run();
    assert_eq!(Pair::app_data(&p.client_events), b"hi");
    assert!(p.client_events.contains(&Ev::Alert(A::USER_CANCELED)));
    // The HelloRequest, once whole, is refused as before.
    assert_eq!(
        sent_alerts(&p.client_events),
        vec![(AlertLevel::WARNING, A::NO_RENEGOTIATION)]
    );
}

#[test]
fn application_data_inside_the_first_handshake_is_still_refused() {
    let (mut s, hello) = server_and_hello();
    let recs = records(&hello);
    let frag = &recs[0].2;
    feed(
        &mut s,
        &encode_records(&[(22, 0x0303, frag[..10].to_vec())]),
    )
    .unwrap();
    let e = feed(&mut s, &[23, 3, 3, 0, 2, b'h', b'i']).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedApplicationData)
    );
}

/// A handshake record holding one message of type `typ` with `body`.
fn message(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ, 0, 0, body.len() as u8];
    m.extend_from_slice(body);
    encode_records(&[(22, 0x0303, m)])
}

#[test]
fn messages_out_of_order_are_unexpected_before_their_body_is_read() {
    // Each of these has a body that does not decode; out of order, the type alone
    // decides (unexpected_message), not the body (decode_error, before the fix).
    let cases: [(u8, &[u8]); 4] = [
        (HandshakeType::SERVER_HELLO_DONE.0, &[1, 2, 3]),
        (HandshakeType::FINISHED.0, &[1]),
        (HandshakeType::CERTIFICATE.0, &[0xff]),
        (HandshakeType::CLIENT_KEY_EXCHANGE.0, &[0, 9, 1]),
    ];
    for (typ, body) in cases {
        let (mut s, _) = server_and_hello();
        let e = feed(&mut s, &message(typ, body)).unwrap_err();
        assert_eq!(
            e,
            Error::PeerMisbehaved(PeerMisbehaved::UnexpectedHandshake(HandshakeType(typ))),
            "type {typ}"
        );
        assert_eq!(e.alert(), Some(A::UNEXPECTED_MESSAGE));
    }
    // The client, waiting for ServerHello, gets a CertificateRequest whose body is cut.
    let mut p = Pair::with_defaults();
    let e = p
        .client
        .handle_recv_bytes(&message(HandshakeType::CERTIFICATE_REQUEST.0, &[5]), NOW)
        .unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedHandshake(
            HandshakeType::CERTIFICATE_REQUEST
        ))
    );
    // A message the server would take, with a broken body, is still decode_error.
    let (mut s, _) = server_and_hello();
    let e = feed(&mut s, &message(HandshakeType::CLIENT_HELLO.0, &[3, 3, 0])).unwrap_err();
    assert_eq!(e.alert(), Some(A::DECODE_ERROR));
}

#[test]
fn after_the_handshake_only_renegotiation_requests_are_read() {
    // A Finished (garbage body) to the client after its handshake: unexpected_message.
    let (mut p, log) = traced_client_after_handshake();
    let rec = forge(
        &p,
        &log,
        false,
        1,
        ContentType::HANDSHAKE,
        &[20, 0, 0, 1, 0],
    );
    let e = p.client.handle_recv_bytes(&rec, NOW).unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved(PeerMisbehaved::UnexpectedHandshake(HandshakeType::FINISHED))
    );
}

#[test]
fn handshake_message_size_bounds_are_configuration() {
    // The defaults: 64 KiB, and 128 KiB for a Certificate to a client.
    let c = client_builder().build().unwrap();
    assert_eq!(c.common().max_handshake_message_len(), 64 * 1024);
    assert_eq!(c.common().max_certificate_message_len(), 128 * 1024);
    // A server reads a client's Certificate: 16 KiB by default.
    let s = server_builder().build().unwrap();
    assert_eq!(s.common().max_handshake_message_len(), 64 * 1024);
    assert_eq!(s.common().max_certificate_message_len(), 16 * 1024);

    // A server that takes ClientHellos of at most 1 KiB refuses a bigger one.
    let s = server_builder()
        .max_handshake_message_len(1024)
        .build()
        .unwrap();
    let c = client_builder()
        .alpn_protocols(&[&[b'x'; 255], &[b'y'; 255], &[b'z'; 255], &[b'w'; 255]])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run();
    assert!(matches!(
        p.server_error,
        Some(Error::InvalidMessage(DecodeError::MessageTooLarge {
            typ: HandshakeType::CLIENT_HELLO,
            max: 1024,
            ..
        }))
    ));
    // A client that takes certificate chains of at most 1 KiB refuses the test chain
    // (about 1.8 KiB).
    let c = client_builder()
        .max_certificate_message_len(1024)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run();
    assert!(matches!(
        p.client_error,
        Some(Error::InvalidMessage(DecodeError::MessageTooLarge {
            typ: HandshakeType::CERTIFICATE,
            max: 1024,
            ..
        }))
    ));
}

#[test]
fn message_size_bounds_that_cannot_work_are_refused() {
    use sanstls_proto::ConfigError;
    assert_eq!(
        client_builder()
            .max_handshake_message_len(100)
            .build()
            .unwrap_err(),
        ConfigError::MessageLimitOutOfRange
    );
    assert_eq!(
        server_builder()
            .max_certificate_message_len(1 << 24)
            .build()
            .unwrap_err(),
        ConfigError::MessageLimitOutOfRange
    );
}

/// A filter that overwrites the client's server_name ("localhost", 9 bytes) in its
/// ClientHello with `name` (also 9 bytes).
fn rename_sni(name: &'static [u8; 9]) -> Filter {
    let mut done = false;
    Box::new(move |dir, bytes| {
        if dir != Dir::ToServer || done {
            return;
        }
        done = true;
        let at = bytes
            .windows(9)
            .position(|w| w == b"localhost")
            .expect("the ClientHello names localhost");
        bytes[at..at + 9].copy_from_slice(name);
    })
}

#[test]
fn server_names_that_are_not_host_names_are_illegal_parameter() {
    for name in [
        b"local\0ost",
        b"local\nost",
        b"local_ost",
        b"local ost",
        b"localhos.",
        b"loc..host",
        b"loc\xc3\xa9host",
    ] {
        let mut p = Pair::with_defaults();
        p.filter = Some(rename_sni(name));
        p.expect_failure(
            false,
            &Error::PeerMisbehaved(PeerMisbehaved::InvalidServerName),
            A::ILLEGAL_PARAMETER,
        );
    }
}

#[test]
fn unknown_server_names_are_refused_only_when_asked() {
    // The test certificate covers localhost, *.example.test and 127.0.0.1.
    let strict = || {
        server_builder()
            .refuse_unknown_server_names(true)
            .build()
            .unwrap()
    };
    // A name it does not cover: unrecognized_name, before anything else happens.
    let mut p = Pair::with_name(client_builder().build().unwrap(), strict(), "other.test");
    p.expect_failure(
        false,
        &Error::PeerIncompatible(sanstls_proto::PeerIncompatible::UnrecognizedName),
        A::UNRECOGNIZED_NAME,
    );
    // Names it covers, exactly or by its wildcard: served.
    for name in ["localhost", "www.example.test"] {
        let mut p = Pair::with_name(client_builder().build().unwrap(), strict(), name);
        p.run_handshake(name);
    }
    // A client that sends no host name (an IP address) is not affected.
    let mut p = Pair::with_name(client_builder().build().unwrap(), strict(), "127.0.0.1");
    p.run_handshake("no server_name");
    // By default the server goes on, and the client refuses the certificate's name.
    let mut p = Pair::with_name(
        client_builder().build().unwrap(),
        server_builder().build().unwrap(),
        "other.test",
    );
    p.run();
    assert_eq!(
        p.server_error,
        Some(Error::AlertReceived(A::BAD_CERTIFICATE))
    );
}
