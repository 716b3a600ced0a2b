//! Runs the `event_loop` example (one thread, mio, a server and 48 clients) and checks
//! that every connection completed with its echo intact and a clean close, and that
//! connections that never speak are dropped at the server's handshake deadline.

#[path = "../examples/event_loop.rs"]
mod event_loop;

use std::time::Duration;

#[test]
fn forty_eight_connections_in_one_thread() {
    let s = event_loop::run(48, 0, Duration::from_secs(10)).unwrap();
    assert!(s.failures.is_empty(), "failures: {:#?}", s.failures);
    // `completed` counts clients whose echo matched byte for byte and that saw the
    // server's close_notify.
    assert_eq!(s.completed, 48);
    assert_eq!(s.client_handshakes, 48);
    assert_eq!(s.server_handshakes, 48);
    let expected: u64 = (0..48u64)
        .map(|i| 19 + i.to_string().len() as u64 + 20_000 + i * 97)
        .sum();
    assert_eq!(s.bytes, expected);
}

#[test]
fn silent_connections_are_dropped_at_the_handshake_deadline() {
    // Eight connections that never send a byte, beside eight real clients: the server
    // side of each silent one ends at its 300 ms deadline, and the loop does not wait
    // for the 60 s stall guard to notice.
    let s = event_loop::run(8, 8, Duration::from_millis(300)).unwrap();
    assert!(s.failures.is_empty(), "failures: {:#?}", s.failures);
    assert_eq!(s.completed, 8);
    assert_eq!(s.timed_out, 8);
    assert!(s.elapsed >= Duration::from_millis(300), "{:?}", s.elapsed);
    assert!(s.elapsed < Duration::from_secs(10), "{:?}", s.elapsed);
}
