//! Real flights with bytes flipped, truncated or repeated, fed to fresh connections:
//! every outcome is a clean `Ok` or a sticky `Err` with an alert, never a panic.

// The harness lives in sanstls-test (src/pair.rs); included by path so that these
// tests need no dependency on that crate.
#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::Arc;

use pair::{NOW, Pair, client_builder, server_builder};
use sanstls_crypto::rng::{Rng as _, SeededRng};
use sanstls_proto::{Connection, Error};
use sanstls_wire::enums::CipherSuite;

fn flights() -> (Vec<u8>, Vec<u8>) {
    let c = client_builder()
        .cipher_suites(&[
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        ])
        .build()
        .unwrap();
    let s = server_builder()
        .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("");
    p.send(true, b"some application data");
    (p.sent_by_client.clone(), p.sent_by_server.clone())
}

fn mutate(rng: &mut SeededRng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    match rng.next_u32() % 4 {
        0 => {
            for _ in 0..=(rng.next_u32() % 4) {
                let i = rng.next_u32() as usize % v.len();
                v[i] ^= 1 << (rng.next_u32() % 8);
            }
        }
        1 => v.truncate(rng.next_u32() as usize % v.len()),
        2 => {
            let i = rng.next_u32() as usize % v.len();
            let j = (i + rng.next_u32() as usize % 64).min(v.len());
            let dup = v[i..j].to_vec();
            v.splice(i..i, dup);
        }
        _ => {
            let i = rng.next_u32() as usize % v.len();
            v[i] = rng.next_u32() as u8;
        }
    }
    v
}

fn feed_all(conn: &mut Connection, bytes: &[u8], chunk: usize) {
    let mut first_err: Option<Error> = None;
    for piece in bytes.chunks(chunk) {
        let mut at = 0;
        while at < piece.len() {
            match conn.handle_recv_bytes(&piece[at..], NOW) {
                Ok(0) => {
                    // Application data waits: poll it.
                    while conn.poll_event().is_some() {}
                }
                Ok(n) => at += n,
                Err(e) => {
                    if let Some(prev) = &first_err {
                        assert_eq!(prev, &e, "errors are sticky");
                    }
                    assert!(e.is_fatal());
                    first_err = Some(e);
                    break;
                }
            }
        }
        while conn.poll_event().is_some() {}
    }
    if let Some(e) = first_err {
        assert!(conn.is_closed() || !conn.poll_transmit().is_empty());
        assert_eq!(conn.error(), Some(&e));
    }
}

#[test]
fn mutated_flights_never_panic() {
    let (to_server, to_client) = flights();
    let mut rng = SeededRng::from_seed([42; 32]);
    for i in 0..300u32 {
        let chunk = 1 + rng.next_u32() as usize % 600;
        let m = mutate(&mut rng, &to_server);
        let mut srng = SeededRng::from_seed([(i % 256) as u8; 32]);
        let mut server =
            Connection::server(Arc::new(server_builder().build().unwrap()), NOW, &mut srng)
                .unwrap();
        feed_all(&mut server, &m, chunk);

        let m = mutate(&mut rng, &to_client);
        let mut crng = SeededRng::from_seed([1; 32]);
        let mut client = Connection::client(
            Arc::new(client_builder().build().unwrap()),
            "localhost".try_into().unwrap(),
            NOW,
            &mut crng,
        )
        .unwrap();
        feed_all(&mut client, &m, chunk);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = SeededRng::from_seed([43; 32]);
    for _ in 0..300 {
        let mut junk = vec![0u8; 3 + rng.next_u32() as usize % 300];
        rng.fill_bytes(&mut junk);
        // Make most of them look like records, to get past the header.
        if junk[0].is_multiple_of(2) {
            junk[0] = 20 + junk[0] % 4;
            junk[1] = 3;
            junk[2] = 3;
        }
        let mut srng = SeededRng::from_seed([7; 32]);
        let mut server =
            Connection::server(Arc::new(server_builder().build().unwrap()), NOW, &mut srng)
                .unwrap();
        feed_all(&mut server, &junk, 17);
    }
}
