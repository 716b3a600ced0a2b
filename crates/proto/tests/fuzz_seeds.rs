//! Seeds for the `proto_client` and `proto_server` fuzz targets (`fuzz/seeds/`), recorded
//! from real handshakes of the in-memory pair.
//!
//! The fuzzing entry points (`src/fuzzing.rs`) build a client with the `client` test
//! certificate (seeded `[2; 32]`, to `localhost`) and a server with optional client
//! authentication (seeded `[1; 32]`) and feed them peer bytes; the
//! input is one byte choosing the write size (value + 1) followed by those bytes. So the
//! pair here is built with the same seeds the other way round: with the client's
//! configuration left at its default, every byte the server sent is a complete, valid
//! input for the fuzzed client whatever the server's configuration (suite, EtM, EMS),
//! and the same holds for the client's bytes and the fuzzed server.
//!
//! `fuzz_seeds_match_the_pair` checks that the committed seeds equal freshly recorded
//! ones; `SANSTLS_BLESS_SEEDS=1 cargo test -p sanstls-proto --test fuzz_seeds` rewrites
//! them. `seeds_drive_a_fresh_connection_to_the_end` replays each seed the way the
//! entry point does and checks that it gets through the handshake, the application
//! data and close_notify, so the seeds stay deep if either side changes.

#[path = "../../test/src/pair.rs"]
mod pair;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pair::{
    Ev, NOW, Pair, client_builder, client_builder_with_cert, client_key, client_verifier,
    server_builder, server_builder_asking_cert,
};
use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{ClientConfigBuilder, Connection, ServerConfigBuilder};
use sanstls_wire::enums::{CipherSuite, SignatureScheme};

/// The fuzzed client's generator seed (`fuzzing::client`).
const CLIENT_SEED: [u8; 32] = [2; 32];
/// The fuzzed server's generator seed (`fuzzing::server`).
const SERVER_SEED: [u8; 32] = [1; 32];

const CLIENT_SAYS: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
const SERVER_SAYS: &[u8] = b"HTTP/1.0 200 OK\r\n\r\nhello";

/// One recorded handshake: which side's configuration differs from the default, how.
struct Case {
    /// The file name in `fuzz/seeds/proto_<side>/`.
    name: &'static str,
    /// The first byte of the seed: each write is this plus one bytes long.
    chunk: u8,
    suite: CipherSuite,
    etm: bool,
    ems: bool,
    /// Client authentication: for a fuzzed client, the server asks for a certificate;
    /// for a fuzzed server, the client has one to send (without, it sends an empty
    /// Certificate, the fuzzed server always asking).
    client_auth: bool,
}

/// The fuzzed client's configuration (`fuzzing::client_config`).
fn fuzz_client_builder() -> ClientConfigBuilder {
    client_builder_with_cert()
}

/// The fuzzed server's configuration (`fuzzing::server_config`).
fn fuzz_server_builder() -> ServerConfigBuilder {
    server_builder_asking_cert(false)
}

/// Seeds for the fuzzed client: the server's configuration varies.
const CLIENT_CASES: &[Case] = &[
    Case {
        name: "dhe_aes128_sha256_etm",
        chunk: 255,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
    },
    Case {
        name: "dhe_aes256_sha_noetm",
        chunk: 99,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: false,
    },
    Case {
        name: "rsa_aes128_sha256_etm_noems",
        chunk: 31,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: false,
        client_auth: false,
    },
    Case {
        name: "rsa_aes256_sha_noetm",
        chunk: 4,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: false,
    },
    Case {
        name: "dhe_aes128_sha256_client_auth",
        chunk: 127,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: true,
    },
];

/// Seeds for the fuzzed server: the client's configuration varies.
const SERVER_CASES: &[Case] = &[
    Case {
        name: "dhe_aes256_sha256_etm",
        chunk: 255,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
    },
    Case {
        name: "dhe_aes128_sha_noetm_noems",
        chunk: 63,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        etm: false,
        ems: false,
        client_auth: false,
    },
    Case {
        name: "rsa_aes256_sha256_etm",
        chunk: 16,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
    },
    Case {
        name: "rsa_aes128_sha_noetm",
        chunk: 0,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: false,
    },
    Case {
        name: "dhe_aes128_sha256_client_auth",
        chunk: 200,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: true,
    },
    Case {
        name: "rsa_aes256_sha_client_auth_pkcs1",
        chunk: 47,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: true,
    },
];

/// The peer of a fuzzed server. With client authentication it signs with the PRF
/// hash (PSS), except for a `_pkcs1` case (PKCS#1 v1.5 with SHA-512: a second transcript
/// hash on the server).
fn client_variant(c: &Case) -> ClientConfigBuilder {
    let b = client_builder()
        .cipher_suites(&[c.suite])
        .encrypt_then_mac(c.etm)
        .extended_master_secret(c.ems);
    match (c.client_auth, c.name.ends_with("_pkcs1")) {
        (false, _) => b,
        (true, false) => b.client_certificate(client_key()),
        (true, true) => b
            .client_certificate(client_key())
            .signature_schemes(&[SignatureScheme::RSA_PKCS1_SHA512]),
    }
}

/// The peer of a fuzzed client.
fn server_variant(c: &Case) -> ServerConfigBuilder {
    let b = server_builder()
        .cipher_suites(&[c.suite])
        .encrypt_then_mac(c.etm)
        .extended_master_secret(c.ems);
    if c.client_auth {
        b.client_verifier(client_verifier("ca-root", true))
    } else {
        b
    }
}

/// A full connection (handshake, a request, a reply, close_notify both ways) between
/// the given configurations, the client seeded as the fuzzed client and the server as
/// the fuzzed server; returns the pair after checking what was negotiated.
fn record(client: ClientConfigBuilder, server: ServerConfigBuilder, case: &Case) -> Pair {
    let mut p = Pair::with_defaults();
    let mut crng = SeededRng::from_seed(CLIENT_SEED);
    let mut srng = SeededRng::from_seed(SERVER_SEED);
    p.client = Connection::client(
        Arc::new(client.build().unwrap()),
        "localhost".try_into().unwrap(),
        NOW,
        &mut crng,
    )
    .unwrap();
    p.server = Connection::server(Arc::new(server.build().unwrap()), NOW, &mut srng).unwrap();
    p.run();
    assert!(p.handshake_done(), "{}: {:?}", case.name, p.client_error);
    let n = p.client.negotiated().unwrap();
    assert_eq!(n.suite, case.suite, "{}", case.name);
    assert_eq!(n.encrypt_then_mac, case.etm, "{}", case.name);
    assert_eq!(n.extended_master_secret, case.ems, "{}", case.name);
    p.send(true, CLIENT_SAYS);
    p.send(false, SERVER_SAYS);
    p.client.close();
    p.run();
    assert!(
        p.client.is_closed() && p.server.is_closed(),
        "{}",
        case.name
    );
    assert!(p.client_error.is_none() && p.server_error.is_none());
    assert_eq!(
        p.server.negotiated().unwrap().peer_certificates.is_empty(),
        !case.client_auth,
        "{}",
        case.name
    );
    p
}

fn seed(case: &Case, peer_bytes: &[u8]) -> Vec<u8> {
    let mut s = vec![case.chunk];
    s.extend_from_slice(peer_bytes);
    s
}

/// `(target, file, bytes)` for every seed.
fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for c in CLIENT_CASES {
        let p = record(fuzz_client_builder(), server_variant(c), c);
        out.push(("proto_client", c.name, seed(c, &p.sent_by_server)));
    }
    for c in SERVER_CASES {
        let p = record(client_variant(c), fuzz_server_builder(), c);
        out.push(("proto_server", c.name, seed(c, &p.sent_by_client)));
    }
    out
}

fn seed_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target)
}

#[test]
fn fuzz_seeds_match_the_pair() {
    let bless = std::env::var_os("SANSTLS_BLESS_SEEDS").is_some();
    for (target, file, data) in seeds() {
        let dir = seed_dir(target);
        let p = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&p, &data).unwrap();
        }
        let on_disk = std::fs::read(&p)
            .unwrap_or_else(|e| panic!("{}: {e} (run with SANSTLS_BLESS_SEEDS=1)", p.display()));
        assert_eq!(on_disk, data, "{} is stale", p.display());
    }
}

/// What a connection made the entry point's way reported when fed a seed.
struct Replay {
    events: Vec<Ev>,
    conn: Connection,
}

/// Feeds `seed` as `fuzzing::feed` does: the first byte sets the write size.
fn replay(mut conn: Connection, seed: &[u8]) -> Replay {
    let (&first, rest) = seed.split_first().unwrap();
    let mut events = Vec::new();
    for piece in rest.chunks(usize::from(first) + 1) {
        let mut at = 0;
        while at < piece.len() {
            let n = conn.handle_recv_bytes(&piece[at..], NOW).unwrap();
            at += n;
            let before = events.len();
            Pair::drain_events(&mut conn, &mut events).unwrap();
            assert!(n > 0 || events.len() > before, "no progress");
        }
        let pending = conn.poll_transmit().len();
        conn.handle_transmitted(pending).unwrap();
    }
    Replay { events, conn }
}

fn check_replay(r: &Replay, name: &str, expect_data: &[u8]) {
    assert_eq!(r.events.first(), Some(&Ev::HandshakeComplete), "{name}");
    assert_eq!(Pair::app_data(&r.events), expect_data, "{name}");
    assert_eq!(
        r.events.last(),
        Some(&Ev::PeerClosed { clean: true }),
        "{name}"
    );
    assert!(r.conn.error().is_none(), "{name}");
}

#[test]
fn seeds_drive_a_fresh_connection_to_the_end() {
    for c in CLIENT_CASES {
        let data = std::fs::read(seed_dir("proto_client").join(c.name)).unwrap();
        let mut rng = SeededRng::from_seed(CLIENT_SEED);
        let conn = Connection::client(
            Arc::new(fuzz_client_builder().build().unwrap()),
            "localhost".try_into().unwrap(),
            NOW,
            &mut rng,
        )
        .unwrap();
        let r = replay(conn, &data);
        check_replay(&r, c.name, SERVER_SAYS);
        assert_eq!(r.conn.negotiated().unwrap().suite, c.suite);
    }
    for c in SERVER_CASES {
        let data = std::fs::read(seed_dir("proto_server").join(c.name)).unwrap();
        let mut rng = SeededRng::from_seed(SERVER_SEED);
        let conn = Connection::server(
            Arc::new(fuzz_server_builder().build().unwrap()),
            NOW,
            &mut rng,
        )
        .unwrap();
        let r = replay(conn, &data);
        check_replay(&r, c.name, CLIENT_SAYS);
        let n = r.conn.negotiated().unwrap();
        assert_eq!(n.suite, c.suite);
        assert_eq!(n.peer_certificates.is_empty(), !c.client_auth, "{}", c.name);
    }
}

/// The entry points themselves take every seed (with `--features fuzzing`).
#[cfg(feature = "fuzzing")]
#[test]
fn entry_points_take_the_seeds() {
    for c in CLIENT_CASES {
        sanstls_proto::fuzzing::client(
            &std::fs::read(seed_dir("proto_client").join(c.name)).unwrap(),
        );
    }
    for c in SERVER_CASES {
        sanstls_proto::fuzzing::server(
            &std::fs::read(seed_dir("proto_server").join(c.name)).unwrap(),
        );
    }
}
