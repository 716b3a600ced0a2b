//! A handshake that the peer ends (transport end of file, or close_notify) fails with
//! [`Error::PeerClosedDuringHandshake`]: sticky, no alert of our own, not handshaking
//! any more. After the handshake, end of file stays a truncation event, not an error.

// The harness lives in sanstls-test (src/pair.rs); included by path so that these
// tests need no dependency on that crate.
#[path = "../../test/src/pair.rs"]
mod pair;

use pair::{Pair, records};
use sanstls_pki::UnixTime;
use sanstls_proto::{ApiMisuse, Connection, Error};

const UNCLEAN: Error = Error::PeerClosedDuringHandshake { clean: false };
const CLEAN: Error = Error::PeerClosedDuringHandshake { clean: true };

fn pair() -> Pair {
    Pair::with_defaults()
}

/// Moves everything `from` has to send into `to`; returns `to`'s result.
fn deliver(from: &mut Connection, to: &mut Connection, now: UnixTime) -> Result<(), Error> {
    let out = from.poll_transmit().to_vec();
    from.handle_transmitted(out.len()).unwrap();
    let mut at = 0;
    while at < out.len() {
        at += to.handle_recv_bytes(&out[at..], now)?;
        while to.poll_event().is_some() {}
    }
    Ok(())
}

fn events(conn: &mut Connection) -> Vec<String> {
    let mut v = Vec::new();
    while let Some(e) = conn.poll_event() {
        v.push(format!("{e:?}"));
    }
    v
}

/// What every failed-by-close connection looks like afterwards.
fn assert_failed(conn: &mut Connection, expected: &Error, now: UnixTime) {
    assert!(!conn.is_handshaking());
    assert_eq!(conn.error(), Some(expected));
    assert!(conn.negotiated().is_none());
    // Sticky: every input and command returns it again.
    assert_eq!(
        conn.handle_recv_bytes(&[22, 3, 3, 0, 1, 1], now),
        Err(expected.clone())
    );
    assert_eq!(conn.handle_recv(0, now), Err(expected.clone()));
    assert_eq!(conn.handle_eof(), Err(expected.clone()));
    assert_eq!(conn.send(b"x"), Err(expected.clone()));
    // Nothing of ours is fatal: no alert for this error.
    assert_eq!(expected.alert(), None);
    assert!(expected.is_fatal());
}

#[test]
fn client_eof_right_after_client_hello() {
    let mut p = pair();
    let hello = p.client.poll_transmit().len();
    p.client.handle_transmitted(hello).unwrap();
    assert!(p.client.is_handshaking());

    assert_eq!(p.client.handle_recv_bytes(&[], p.now), Err(UNCLEAN));
    // No alert queued: the peer has gone.
    assert!(p.client.poll_transmit().is_empty());
    assert!(p.client.is_closed());
    assert_failed(&mut p.client, &UNCLEAN, p.now);
    // The close itself is still reported as an event.
    let evs = events(&mut p.client);
    assert_eq!(evs, ["PeerClosed { clean: false }"], "{evs:?}");
    assert_eq!(
        UNCLEAN.to_string(),
        "the peer closed the connection during the handshake, without a TLS alert \
         (it may not speak TLS 1.2, or it refused this connection silently)"
    );
}

#[test]
fn server_eof_in_the_middle_of_a_client_hello_via_handle_recv_zero() {
    let mut p = pair();
    let hello = p.client.poll_transmit().to_vec();
    // Half a ClientHello, then the transport ends.
    let half = hello.len() / 2;
    let buf = p.server.recv_buf();
    buf[..half].copy_from_slice(&hello[..half]);
    p.server.handle_recv(half, p.now).unwrap();
    assert!(p.server.is_handshaking());
    assert!(p.server.error().is_none());

    assert_eq!(p.server.handle_recv(0, p.now), Err(UNCLEAN));
    assert!(p.server.poll_transmit().is_empty());
    assert!(p.server.is_closed());
    assert_failed(&mut p.server, &UNCLEAN, p.now);
}

#[test]
fn client_eof_after_its_finished_before_the_servers() {
    let mut p = pair();
    let now = p.now;
    deliver(&mut p.client, &mut p.server, now).unwrap(); // ClientHello
    deliver(&mut p.server, &mut p.client, now).unwrap(); // ServerHello .. ServerHelloDone
    // The client's second flight (ClientKeyExchange, CCS, Finished) goes nowhere.
    let flight = p.client.poll_transmit().len();
    assert!(flight > 0);
    p.client.handle_transmitted(flight).unwrap();
    assert!(p.client.is_handshaking());

    assert_eq!(p.client.handle_eof(), Err(UNCLEAN));
    assert!(p.client.poll_transmit().is_empty());
    assert_failed(&mut p.client, &UNCLEAN, now);
}

#[test]
fn close_notify_from_the_client_during_the_handshake() {
    let mut p = pair();
    let now = p.now;
    deliver(&mut p.client, &mut p.server, now).unwrap(); // ClientHello
    // The client gives up while the server's flight is on its way.
    p.client.close();
    let server_flight = p.server.poll_transmit().len();
    assert!(server_flight > 0);
    p.server.handle_transmitted(server_flight).unwrap();

    assert_eq!(deliver(&mut p.client, &mut p.server, now), Err(CLEAN));
    // The server answers with its own close_notify (RFC 5246 §7.2.1), a warning, and
    // with no fatal alert.
    let recs = records(p.server.poll_transmit());
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!((recs[0].0, recs[0].2.as_slice()), (21, &[1u8, 0][..]));
    assert_failed(&mut p.server, &CLEAN, now);
    assert!(
        !p.server.is_closed(),
        "its close_notify still waits to be sent"
    );
    let n = p.server.poll_transmit().len();
    p.server.handle_transmitted(n).unwrap();
    assert!(p.server.is_closed());
    assert_eq!(
        CLEAN.to_string(),
        "the peer closed the connection (close_notify) during the handshake: \
         it gave up before the handshake completed"
    );
}

#[test]
fn close_notify_from_the_server_during_the_handshake() {
    let mut p = pair();
    let now = p.now;
    deliver(&mut p.client, &mut p.server, now).unwrap(); // ClientHello
    // The server's flight, then its close_notify: the client processes the flight
    // (and queues its own second flight), then sees the close.
    p.server.close();
    assert_eq!(deliver(&mut p.server, &mut p.client, now), Err(CLEAN));
    // The client's second flight, then one alert: its answering close_notify,
    // protected (the client sent ChangeCipherSpec), so only its type shows here.
    let recs = records(p.client.poll_transmit());
    let types: Vec<u8> = recs.iter().map(|r| r.0).collect();
    assert_eq!(types, [22, 20, 22, 21], "{recs:?}");
    assert_failed(&mut p.client, &CLEAN, now);
}

#[test]
fn after_the_handshake_eof_is_a_truncation_not_an_error() {
    let mut p = pair();
    p.run_handshake("");
    p.client_events.clear();
    assert_eq!(p.client.handle_recv(0, p.now), Ok(()));
    assert!(p.client.error().is_none());
    assert!(!p.client.is_handshaking());
    assert!(p.client.is_closed());
    assert_eq!(events(&mut p.client), ["PeerClosed { clean: false }"]);
    // A command after the end is a caller mistake, not the sticky close.
    assert_eq!(p.client.send(b"x"), Err(ApiMisuse::Closed.into()));
}
