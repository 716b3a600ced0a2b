//! The per-connection buffers are reserved fallibly: a heap that cannot hold them gives
//! `Error::OutOfMemory` naming the size, never an abort. Measured with an allocator whose
//! limit the test sets (`cap`), just below what a connection needs.
//!
//! One test in this file on purpose: the limit applies to every thread of the process.

#[path = "../../test/src/pair.rs"]
mod pair;

use std::alloc::System;
use std::sync::Arc;

use cap::Cap;
use pair::{NOW, Pair, client_builder, server_builder};
use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{Connection, Error};

#[global_allocator]
static ALLOC: Cap<System> = Cap::new(System, usize::MAX);

/// Runs `make` with at most `room` more bytes of heap than are in use now.
fn with_room<T>(room: usize, make: impl FnOnce() -> T) -> T {
    ALLOC.set_limit(ALLOC.allocated() + room).unwrap();
    let out = make();
    ALLOC.set_limit(usize::MAX).unwrap();
    out
}

#[test]
fn a_heap_too_small_for_the_buffers_is_an_error_not_an_abort() {
    let client = Arc::new(client_builder().build().unwrap());
    let server = Arc::new(server_builder().build().unwrap());
    let name = || "localhost".try_into().unwrap();
    let mut rng = SeededRng::from_seed([7; 32]);

    // A server's receive buffer holds a full record (16 KiB + 5) before the ClientHello
    // says anything: 8 KiB of heap cannot take it.
    let err = with_room(8 * 1024, || {
        Connection::server(Arc::clone(&server), NOW, &mut rng)
    })
    .unwrap_err();
    let Error::OutOfMemory { bytes } = err else {
        panic!("expected OutOfMemory, got {err:?}");
    };
    assert!(bytes > 8 * 1024, "{bytes}");
    assert!(err.to_string().contains("could not be allocated"), "{err}");
    assert_eq!(
        err.alert(),
        Some(sanstls_wire::enums::AlertDescription::INTERNAL_ERROR)
    );

    // A client's transmit buffer (its largest flight) does not fit in 1 KiB.
    let err = with_room(1024, || {
        Connection::client(Arc::clone(&client), name(), NOW, &mut rng)
    })
    .unwrap_err();
    assert!(matches!(err, Error::OutOfMemory { .. }), "{err:?}");

    // With room enough, the same configurations make connections that complete a
    // handshake: the failures above changed nothing shared.
    let _ = with_room(256 * 1024, || {
        Connection::server(Arc::clone(&server), NOW, &mut rng).unwrap()
    });
    let mut pair = Pair::with_defaults();
    pair.run_handshake("after the refusals");
    assert!(pair.handshake_done());
}
