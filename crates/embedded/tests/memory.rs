//! Per-connection memory, measured with a counting allocator, and the rule that the
//! record path allocates nothing once the handshake is done.
//!
//! One test in this file on purpose: the allocator counts every thread, so nothing else
//! may run beside it. Run with `--nocapture` to see the figures.

#![cfg(feature = "async")]

mod common;

use std::alloc::System;
use std::sync::Arc;

use embedded_io_async::{Read, Write};
use sanstls_embedded::asynch::AsyncTlsConnection;
use sanstls_embedded::{ClientConfig, ServerConfig};
use sanstls_test::fixtures;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use common::{
    AsyncPipeEnd, async_client, async_pipe, async_server, client_builder, join, pattern,
    server_builder,
};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The largest record (RFC 5246 §6.2.3: header and 2^14 + 2048 bytes of ciphertext):
/// the size of the receive buffer and of the received-data buffer. (The adapter has no
/// plaintext buffer of its own: it reads straight from the connection's received-data
/// buffer.)
const RECORD: usize = 5 + 16_384 + 2_048;
/// The most a record sent by sanstls adds to its plaintext: header, IV, MAC, padding.
const OVERHEAD: usize = 69;
/// The transmit buffer of a client with the default suites and no client certificate,
/// sending records of at most `frag` bytes: 2 560 bytes of flight, the overhead of
/// `ceil(2 560 / frag) + 8` records (one partial record per message, and an alert), and
/// one record of `frag` bytes.
const fn client_tx(frag: usize) -> usize {
    2_560 + (2_560usize.div_ceil(frag) + 8) * OVERHEAD + frag + OVERHEAD
}
/// The documented client total (lib.rs, "Memory"): two record-sized buffers and the
/// transmit buffer, with the default `max_fragment_len` (2^14) ...
const CLIENT_BUFFERS: usize = 2 * RECORD + client_tx(16_384);
/// ... and with `max_fragment_len(1024)`.
const SMALL_CLIENT_BUFFERS: usize = 2 * RECORD + client_tx(1024);

/// The DER size of testdata/server-rsa2048.chain.pem (leaf and intermediate).
const SERVER_CHAIN_DER: usize = 1_766;

/// Bytes held on the heap: allocated minus freed, since the region started. (stats_alloc
/// already counts a reallocation's growth in `bytes_allocated` and its shrinking in
/// `bytes_deallocated`; `bytes_reallocated` is the same change again, not to be added.)
fn held(r: &Region<'_, System>) -> isize {
    let c = r.change();
    c.bytes_allocated.cast_signed() - c.bytes_deallocated.cast_signed()
}

fn client_config(max_fragment_len: Option<usize>) -> Arc<ClientConfig> {
    let mut b = client_builder("ca-root.cert.pem");
    if let Some(n) = max_fragment_len {
        b = b.max_fragment_len(n);
    }
    Arc::new(b.build().unwrap())
}

fn new_client(end: AsyncPipeEnd, config: Arc<ClientConfig>) -> AsyncTlsConnection<AsyncPipeEnd> {
    async_client(end, config, 5)
}

fn new_server(end: AsyncPipeEnd, config: Arc<ServerConfig>) -> AsyncTlsConnection<AsyncPipeEnd> {
    async_server(end, config, 6)
}

#[test]
fn per_connection_memory_and_no_allocation_on_the_record_path() {
    let server_config = Arc::new(server_builder().build().unwrap());
    let chain_len: usize = fixtures::read("server-rsa2048.chain.pem").len(); // PEM, only a hint
    let default_config = client_config(None);
    let small_config = client_config(Some(1024));
    let (a, b, moved) = async_pipe(4096, 4096);
    let (a2, _b2, _) = async_pipe(16, 16);

    // A first handshake with these configs: whatever is cached on first use (by the
    // configs or process-wide, shared by every connection) is not per-connection memory.
    let warm = Region::new(GLOBAL);
    {
        let (a, b, moved) = async_pipe(4096, 4096);
        let mut c = new_client(a, Arc::clone(&default_config));
        let mut s = new_server(b, Arc::clone(&server_config));
        let (rc, rs) = join(&moved, c.handshake(), s.handshake());
        rc.unwrap();
        rs.unwrap();
    }
    let cached_by_configs = held(&warm);

    // The record path's data, made before anything is counted.
    let request = pattern(40_000, 0x55);
    let response = pattern(40_000, 0x66);
    let mut client_buf = [0u8; 97];
    let mut server_buf = [0u8; 1000];

    // Construction: the buffers a connection keeps for its life.
    let all = Region::new(GLOBAL);
    let r = Region::new(GLOBAL);
    let mut client = new_client(a, Arc::clone(&default_config));
    let client_bytes = held(&r);
    let small = new_client(a2, Arc::clone(&small_config));
    let small_bytes = held(&r) - client_bytes;
    drop(small);
    let r = Region::new(GLOBAL);
    let mut server = new_server(b, Arc::clone(&server_config));
    let server_bytes = held(&r);

    // The handshake allocates (transcript, certificates, big integers); what stays
    // afterwards is measured for both connections together.
    let r = Region::new(GLOBAL);
    let (c, s) = join(&moved, client.handshake(), server.handshake());
    c.unwrap();
    s.unwrap();
    let after_handshake = held(&r);

    // The record path: 40 000 bytes each way, in odd-sized writes and reads.
    let r = Region::new(GLOBAL);
    let client_side = async {
        for piece in request.chunks(3001) {
            client.write_all(piece).await.unwrap();
        }
        let mut got = 0;
        let mut same = true;
        while got < response.len() {
            let n = client.read(&mut client_buf).await.unwrap();
            assert!(n > 0);
            same &= client_buf[..n] == response[got..got + n];
            got += n;
        }
        same
    };
    let server_side = async {
        let mut got = 0;
        let mut same = true;
        while got < request.len() {
            let n = server.read(&mut server_buf).await.unwrap();
            assert!(n > 0);
            same &= server_buf[..n] == request[got..got + n];
            got += n;
        }
        for piece in response.chunks(7000) {
            server.write_all(piece).await.unwrap();
        }
        same
    };
    let (client_same, server_same) = join(&moved, client_side, server_side);
    let record_path = r.change();

    // What each connection keeps after the handshake: drop one, then the other.
    let both = held(&all);
    drop(server);
    let client_after = held(&all);
    drop(client);
    let leftover = held(&all);

    println!(
        "kept after a first handshake:     {cached_by_configs} bytes (config and process-wide caches)"
    );
    println!("client, default config:           {client_bytes} bytes");
    println!("client, max_fragment_len 1024:    {small_bytes} bytes");
    println!("server, RSA-2048 leaf + int:      {server_bytes} bytes (chain PEM {chain_len})");
    println!("both, retained by the handshake:  {after_handshake} bytes");
    println!("client after the handshake:       {client_after} bytes");
    println!(
        "server after the handshake:       {} bytes",
        both - client_after
    );
    // Negative: the pipes, made before counting started, are freed with the second end.
    println!("after dropping both:              {leftover} bytes");
    println!("record path, 80 000 bytes:        {record_path:?}");

    assert!(client_same && server_same, "data corrupted on the way");
    assert_eq!(
        (record_path.allocations, record_path.reallocations),
        (0, 0),
        "the record path allocated: {record_path:?}"
    );
    // The documented buffers, plus a little bookkeeping (the event queue).
    let client_bytes = usize::try_from(client_bytes).unwrap();
    assert!(
        (CLIENT_BUFFERS..CLIENT_BUFFERS + 4096).contains(&client_bytes),
        "client holds {client_bytes} bytes; the crate docs say {CLIENT_BUFFERS} + bookkeeping: \
         update them"
    );
    // After the handshake the client keeps only the server's chain (1 766 bytes of DER in
    // two certificates, plus the list holding them) and the server name; the server, the
    // name. Nothing the handshake alone needed (reassembly buffer, a second copy of the
    // chain) stays.
    let kept = usize::try_from(client_after).unwrap() - client_bytes;
    assert!(
        kept <= SERVER_CHAIN_DER + 256,
        "the client keeps {kept} bytes after the handshake; the crate docs say the server's \
         chain ({SERVER_CHAIN_DER} bytes) and its name: update them, or find what stayed"
    );
    // max_fragment_len shortens outgoing records and the transmit buffer with them.
    let small_bytes = usize::try_from(small_bytes).unwrap();
    assert!(
        (SMALL_CLIENT_BUFFERS..SMALL_CLIENT_BUFFERS + 4096).contains(&small_bytes),
        "a client with max_fragment_len 1024 holds {small_bytes} bytes; the crate docs say \
         {SMALL_CLIENT_BUFFERS} + bookkeeping: update them"
    );
}
