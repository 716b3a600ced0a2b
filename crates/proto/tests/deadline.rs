//! The handshake deadline: `poll_timeout` says when, `handle_timeout` enforces it, and a
//! missed deadline is a sticky error with no alert (issue 11: a peer that sends nothing,
//! or one byte now and then, must not hold a connection forever).

#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::Arc;
use std::time::Duration;

use pair::{NOW, Pair, client_builder, server_builder};
use sanstls_crypto::rng::SeededRng;
use sanstls_pki::UnixTime;
use sanstls_proto::{ApiMisuse, Connection, Error};

fn at(ms_after_now: u64) -> UnixTime {
    UnixTime::from_millis(NOW.as_millis() + ms_after_now)
}

fn server_with(timeout: Option<Duration>) -> Connection {
    let config = Arc::new(server_builder().handshake_timeout(timeout).build().unwrap());
    Connection::server(config, NOW, &mut SeededRng::from_seed([2; 32])).unwrap()
}

#[test]
fn defaults_are_30_s_for_a_client_and_10_s_for_a_server() {
    let client = client_builder().build().unwrap();
    let server = server_builder().build().unwrap();
    assert_eq!(
        client.common().handshake_timeout(),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        server.common().handshake_timeout(),
        Some(Duration::from_secs(10))
    );
    let p = Pair::new(client, server);
    assert_eq!(p.client.poll_timeout(), Some(at(30_000)));
    assert_eq!(p.server.poll_timeout(), Some(at(10_000)));
}

#[test]
fn a_silent_peer_times_out_at_the_deadline_not_before() {
    let mut server = server_with(Some(Duration::from_millis(1500)));
    assert_eq!(server.poll_timeout(), Some(at(1500)));
    // Early and repeated calls are harmless.
    server.handle_timeout(NOW).unwrap();
    server.handle_timeout(at(1499)).unwrap();
    assert!(server.is_handshaking());
    assert_eq!(server.poll_timeout(), Some(at(1500)));

    let err = server.handle_timeout(at(1500)).unwrap_err();
    let expected = Error::HandshakeTimeout {
        after: Duration::from_millis(1500),
    };
    assert_eq!(err, expected);
    assert_eq!(err.to_string(), "handshake timed out after 1.5 s");
    // Sticky, no alert, nothing more to do.
    assert_eq!(server.error(), Some(&expected));
    assert!(server.poll_transmit().is_empty(), "no alert is queued");
    assert!(!server.is_handshaking());
    assert!(server.is_closed());
    assert_eq!(server.poll_timeout(), None);
    assert_eq!(server.handle_timeout(at(99_999)), Err(expected.clone()));
    assert_eq!(server.handle_recv_bytes(&[22, 3, 3], at(0)), Err(expected));
}

#[test]
fn a_server_that_stalls_after_its_hello_times_the_client_out() {
    // The server answers the ClientHello, then the client hears nothing more (its
    // flight is dropped on the way): the client gives up at its deadline.
    let mut p = Pair::with_defaults();
    let hello = p.client.poll_transmit().to_vec();
    p.client.handle_transmitted(hello.len()).unwrap();
    p.server.handle_recv_bytes(&hello, NOW).unwrap();
    let flight = p.server.poll_transmit().to_vec();
    p.client.handle_recv_bytes(&flight, at(100)).unwrap();
    let queued = p.client.poll_transmit().len();
    assert!(queued > 0, "the client answered the server's flight");
    assert!(p.client.is_handshaking());

    assert_eq!(
        p.client.handle_timeout(at(30_000)),
        Err(Error::HandshakeTimeout {
            after: Duration::from_secs(30)
        })
    );
    // What was queued before stays (it is the peer's to read), and no alert is added.
    assert_eq!(p.client.poll_transmit().len(), queued);
}

#[test]
fn bytes_that_arrive_after_the_deadline_fail_the_handshake() {
    // A peer dripping one byte at a time is held to the deadline even by a caller that
    // never arms a timer: every input checks it.
    let mut server = server_with(Some(Duration::from_secs(10)));
    let client = Pair::with_defaults().client;
    let hello = client.poll_transmit().to_vec();
    for (i, b) in hello.iter().take(20).enumerate() {
        server.handle_recv_bytes(&[*b], at(i as u64 * 400)).unwrap();
    }
    assert_eq!(
        server.handle_recv_bytes(&hello[20..21], at(10_000)),
        Err(Error::HandshakeTimeout {
            after: Duration::from_secs(10)
        })
    );
}

#[test]
fn a_completed_handshake_has_no_deadline() {
    let mut p = Pair::with_defaults();
    p.run_handshake("");
    assert_eq!(p.client.poll_timeout(), None);
    assert_eq!(p.server.poll_timeout(), None);
    // Long after the handshake's deadline, the connection lives on.
    p.client.handle_timeout(at(3_600_000)).unwrap();
    p.server.handle_timeout(at(3_600_000)).unwrap();
    p.now = at(3_600_000);
    p.send(true, b"still here");
    assert_eq!(Pair::app_data(&p.server_events), b"still here");
}

#[test]
fn no_timeout_means_no_deadline() {
    let mut server = server_with(None);
    assert_eq!(server.poll_timeout(), None);
    server
        .handle_timeout(UnixTime::from_millis(u64::MAX))
        .unwrap();
    assert!(server.is_handshaking());
}

#[test]
fn a_deadline_far_in_the_future_saturates() {
    let config = Arc::new(
        server_builder()
            .handshake_timeout(Duration::MAX)
            .build()
            .unwrap(),
    );
    let mut server = Connection::server(config, NOW, &mut SeededRng::from_seed([2; 32])).unwrap();
    assert_eq!(server.poll_timeout(), Some(UnixTime::from_millis(u64::MAX)));
    server.handle_timeout(at(1 << 40)).unwrap();
}

#[test]
fn send_after_a_timeout_reports_the_timeout() {
    let mut server = server_with(Some(Duration::from_secs(1)));
    server.handle_timeout(at(1000)).unwrap_err();
    assert_eq!(
        server.send(b"x"),
        Err(Error::HandshakeTimeout {
            after: Duration::from_secs(1)
        })
    );
    // A caller mistake is still reported as one, not as the timeout.
    assert_eq!(
        server.handle_transmitted(1),
        Err(ApiMisuse::TransmitOverflow.into())
    );
}

#[test]
fn a_clock_correction_moves_the_deadline_with_it() {
    let mut server = server_with(Some(Duration::from_secs(10)));
    // The device learns that it is a year later than it thought: no time has passed.
    let year = Duration::from_secs(365 * 86_400);
    let corrected = NOW.saturating_add(year);
    server.handle_clock_step(NOW, corrected);
    assert_eq!(
        server.poll_timeout(),
        Some(corrected.saturating_add(Duration::from_secs(10)))
    );
    server
        .handle_timeout(corrected.saturating_add(Duration::from_millis(9_999)))
        .unwrap();
    // And back: the deadline follows a backward correction too.
    server.handle_clock_step(corrected, NOW);
    assert_eq!(server.poll_timeout(), Some(at(10_000)));
    assert!(server.handle_timeout(at(10_000)).is_err());
}
