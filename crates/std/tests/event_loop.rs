//! Runs the `event_loop` example (one thread, mio, a server and 48 clients) and checks
//! that every connection completed with its echo intact and a clean close.

#[path = "../examples/event_loop.rs"]
mod event_loop;

#[test]
fn forty_eight_connections_in_one_thread() {
    let s = event_loop::run(48).unwrap();
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
