//! The transmit buffer is sized from the configured `max_fragment_len`, not from the
//! largest legal record: these tests check that everything a connection writes still
//! fits with small fragments (application data, handshake flights with and without a
//! client certificate, alerts), also when the caller transmits nothing until the
//! handshake is over, and that the buffer really is smaller.
//!
//! They also check what a connection keeps after its handshake: one copy of the peer's
//! chain, reachable through both `Connection::peer_certificates` and
//! `Negotiated::peer_certificates`.

#[path = "../../test/src/pair.rs"]
mod pair;

use pair::{
    Ev, NOW, Pair, client_builder, client_builder_with_cert, records, server_builder,
    server_builder_asking_cert, server_key,
};
use sanstls_crypto::dh::NamedDhGroup;
use sanstls_pki::pem_to_der_certs;
use sanstls_proto::{
    ClientConfigBuilder, Connection, Error, MAX_FRAGMENT_LEN, ServerConfig, ServerConfigBuilder,
};
use sanstls_wire::enums::CipherSuite;

use std::sync::Arc;

use sanstls_crypto::rng::SeededRng;

const ALERT: u8 = 21;
const APPLICATION_DATA: u8 = 23;

/// The most a CBC record adds to its plaintext (IV 16, MAC at most 32, padding at most
/// 16): RFC 5246 §6.2.3.2.
const MAX_EXPANSION: usize = 16 + 32 + 16;

fn data(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ salt)
        .collect()
}

/// Checks that every application-data record in `bytes` carries at most `frag` bytes of
/// plaintext (its ciphertext is at most `frag` + the CBC expansion).
fn assert_records_at_most(bytes: &[u8], frag: usize, who: &str) {
    let recs = records(bytes);
    let app: Vec<_> = recs.iter().filter(|r| r.0 == APPLICATION_DATA).collect();
    assert!(!app.is_empty(), "{who}: no application data record");
    for (_, _, body) in app {
        assert!(
            body.len() <= frag + MAX_EXPANSION,
            "{who}: a {}-byte record with max_fragment_len {frag}",
            body.len()
        );
    }
}

#[test]
fn large_data_with_small_fragments() {
    for (frag, len) in [(1, 3_000), (100, 60_000), (1024, 200_000), (4000, 200_000)] {
        let mut p = Pair::new(
            client_builder().max_fragment_len(frag).build().unwrap(),
            server_builder().max_fragment_len(frag).build().unwrap(),
        );
        p.run_handshake(&format!("frag {frag}"));
        let up = data(len, 0x5a);
        let down = data(len, 0xa5);
        p.send(true, &up);
        p.send(false, &down);
        assert_eq!(p.client_error, None, "frag {frag}");
        assert_eq!(p.server_error, None, "frag {frag}");
        assert!(
            Pair::app_data(&p.server_events) == up,
            "frag {frag}: upload"
        );
        assert!(
            Pair::app_data(&p.client_events) == down,
            "frag {frag}: download"
        );
        assert_records_at_most(&p.sent_by_client, frag, "client");
        assert_records_at_most(&p.sent_by_server, frag, "server");
    }
}

/// With an empty transmit buffer, one `send` takes whole records only, at least one,
/// and, with small fragments, less than a full-size record: the buffer keeps room for a
/// record of `max_fragment_len`, not for one of 2^14 bytes.
#[test]
fn the_transmit_buffer_follows_max_fragment_len() {
    for frag in [512, 1024, 4000] {
        let mut p = Pair::new(
            client_builder().max_fragment_len(frag).build().unwrap(),
            server_builder().max_fragment_len(frag).build().unwrap(),
        );
        p.run_handshake("");
        let big = data(100_000, 1);
        for (who, conn) in [("client", &mut p.client), ("server", &mut p.server)] {
            assert!(conn.poll_transmit().is_empty());
            let taken = conn.send(&big).unwrap();
            assert!(taken >= frag, "{who}, frag {frag}: took {taken}");
            assert_eq!(taken % frag, 0, "{who}, frag {frag}: took {taken}");
            assert!(
                taken < MAX_FRAGMENT_LEN,
                "{who}, frag {frag}: took {taken}: the buffer still has room for a \
                 full-size record"
            );
        }
    }
    // The default still takes a full-size record at once.
    let mut p = Pair::with_defaults();
    p.run();
    assert!(p.client.send(&data(100_000, 2)).unwrap() >= MAX_FRAGMENT_LEN);
}

/// One side of a connection whose output is delivered to its peer but never reported
/// as transmitted: the transmit buffer holds every byte written since it was made.
struct Hoarder {
    conn: Connection,
    delivered: usize,
    events: Vec<Ev>,
    error: Option<Error>,
}

impl Hoarder {
    fn new(conn: Connection) -> Self {
        Hoarder {
            conn,
            delivered: 0,
            events: Vec::new(),
            error: None,
        }
    }

    fn drain(&mut self) {
        if let Err(e) = Pair::drain_events(&mut self.conn, &mut self.events) {
            self.error.get_or_insert(e);
        }
    }
}

/// Hands `from`'s output not yet delivered to `to`; returns whether any byte moved.
fn forward(from: &mut Hoarder, to: &mut Hoarder) -> bool {
    let fresh = from.conn.poll_transmit()[from.delivered..].to_vec();
    from.delivered += fresh.len();
    if fresh.is_empty() || to.error.is_some() {
        return !fresh.is_empty();
    }
    let mut at = 0;
    while at < fresh.len() {
        match to.conn.handle_recv_bytes(&fresh[at..], NOW) {
            Ok(n) => at += n,
            Err(e) => {
                to.error = Some(e);
                break;
            }
        }
        to.drain();
    }
    to.drain();
    true
}

/// Runs a handshake in which neither side reports a byte transmitted, then closes both
/// sides: the close_notify must still fit behind both flights.
fn hoarding_handshake(client: ClientConfigBuilder, server: ServerConfigBuilder, what: &str) {
    let mut crng = SeededRng::from_seed([3; 32]);
    let mut srng = SeededRng::from_seed([4; 32]);
    let c = Connection::client(
        Arc::new(client.build().unwrap()),
        "localhost".try_into().unwrap(),
        NOW,
        &mut crng,
    )
    .unwrap();
    let s = Connection::server(Arc::new(server.build().unwrap()), NOW, &mut srng).unwrap();
    let (mut c, mut s) = (Hoarder::new(c), Hoarder::new(s));
    for _ in 0..100 {
        let a = forward(&mut c, &mut s);
        let b = forward(&mut s, &mut c);
        if !a && !b {
            break;
        }
    }
    assert_eq!((&c.error, &s.error), (&None, &None), "{what}");
    assert!(c.events.contains(&Ev::HandshakeComplete), "{what}: client");
    assert!(s.events.contains(&Ev::HandshakeComplete), "{what}: server");
    for (who, h) in [("client", &mut c), ("server", &mut s)] {
        let before = h.conn.poll_transmit().len();
        h.conn.close();
        let out = h.conn.poll_transmit();
        assert!(
            out.len() > before,
            "{what}: the {who}'s close_notify did not fit"
        );
        let last = records(&out[before..]);
        assert_eq!(last.len(), 1, "{what}: {who}");
        assert_eq!(last[0].0, ALERT, "{what}: {who}");
    }
}

#[test]
fn flights_fit_with_small_fragments_and_no_transmission() {
    for frag in [1, 5, 64, 1024] {
        for suite in [
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        ] {
            // The largest server flight the fixtures allow: an RSA-4096 chain and
            // ffdhe4096, and many ALPN names on the client.
            let names: Vec<Vec<u8>> = (0..40u8).map(|i| vec![b'a' + i % 26; 200]).collect();
            let names: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
            hoarding_handshake(
                client_builder()
                    .max_fragment_len(frag)
                    .cipher_suites(&[suite])
                    .alpn_protocols(&names),
                ServerConfig::builder()
                    .single_cert(server_key("server-rsa4096"))
                    .dh_group(NamedDhGroup::Ffdhe4096)
                    .max_fragment_len(frag),
                &format!("frag {frag}, {suite:?}, no client auth"),
            );
        }
    }
}

#[test]
fn client_auth_flights_fit_with_small_fragments_and_no_transmission() {
    for frag in [1, 5, 64, 1024] {
        for suite in [
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        ] {
            hoarding_handshake(
                client_builder_with_cert()
                    .max_fragment_len(frag)
                    .cipher_suites(&[suite]),
                server_builder_asking_cert(true)
                    .dh_group(NamedDhGroup::Ffdhe4096)
                    .max_fragment_len(frag),
                &format!("frag {frag}, {suite:?}, client auth"),
            );
        }
    }
}

#[test]
fn client_auth_with_small_fragments_moves_large_data() {
    let frag = 1024;
    let mut p = Pair::new(
        client_builder_with_cert()
            .max_fragment_len(frag)
            .build()
            .unwrap(),
        server_builder_asking_cert(true)
            .max_fragment_len(frag)
            .build()
            .unwrap(),
    );
    p.run_handshake("");
    let up = data(150_000, 0x11);
    let down = data(150_000, 0x22);
    p.send(true, &up);
    p.send(false, &down);
    assert!(Pair::app_data(&p.server_events) == up);
    assert!(Pair::app_data(&p.client_events) == down);
    assert_records_at_most(&p.sent_by_client, frag, "client");
    assert_records_at_most(&p.sent_by_server, frag, "server");
}

/// The peer's chain after a successful handshake: the same through both getters, on
/// both sides.
#[test]
fn peer_certificates_after_the_handshake() {
    let mut p = Pair::new(
        client_builder_with_cert().build().unwrap(),
        server_builder_asking_cert(true).build().unwrap(),
    );
    p.run_handshake("");
    let server_chain = pem_to_der_certs(&pair::testdata("server-rsa2048.chain.pem")).unwrap();
    let client_chain = pem_to_der_certs(&pair::testdata("client.chain.pem")).unwrap();
    assert_eq!(p.client.peer_certificates(), server_chain.as_slice());
    assert_eq!(
        p.client.negotiated().unwrap().peer_certificates,
        server_chain
    );
    assert_eq!(p.server.peer_certificates(), client_chain.as_slice());
    assert_eq!(
        p.server.negotiated().unwrap().peer_certificates,
        client_chain
    );
    // Still there once the connection is closed.
    p.client.close();
    p.run();
    assert_eq!(p.client.peer_certificates(), server_chain.as_slice());
    assert_eq!(p.server.peer_certificates(), client_chain.as_slice());
}
