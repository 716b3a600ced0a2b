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
//!
//! Some seeds are resumed connections (RFC 5246 §7.3, abbreviated): for the fuzzed
//! client, a server that has the client's fixed session in its cache
//! (`fuzzing::resumable_session`); for the fuzzed server, a client holding a ticket
//! the server's fixed ticketer made (`fuzzing::ticketer`). The test needs the entry
//! points' configurations, so it builds with feature `fuzzing` (as `cargo xtask ci`
//! runs it, with `--all-features`).
#![cfg(feature = "fuzzing")]

#[path = "../../test/src/pair.rs"]
mod pair;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pair::{Ev, NOW, Pair, client_builder, client_key, client_verifier, server_key};
use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{
    ClientConfig, ClientConfigBuilder, Connection, ServerConfig, ServerConfigBuilder, SessionCache,
    StoresServerSessions, fuzzing,
};
use sanstls_wire::enums::{CipherSuite, NamedGroup, SignatureScheme};

/// The fuzzed client's generator seed (`fuzzing::client`).
const CLIENT_SEED: [u8; 32] = [2; 32];
/// The fuzzed server's generator seed (`fuzzing::server`).
const SERVER_SEED: [u8; 32] = [1; 32];

const CLIENT_SAYS: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
const SERVER_SAYS: &[u8] = b"HTTP/1.0 200 OK\r\n\r\nhello";

/// One recorded handshake: which side's configuration differs from the default, how.
#[allow(clippy::struct_excessive_bools)] // one switch per configuration difference
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
    /// A resumed connection (the fuzzed client's fixed session, or a ticket from the
    /// fuzzed server).
    resumed: bool,
    /// For a fuzzed client: the server issues tickets (a NewSessionTicket).
    ticket: bool,
    /// The ECDHE group the peer restricts itself to (its default list if `None`).
    group: Option<NamedGroup>,
    /// For a fuzzed client: the server has the ECDSA P-256 certificate; for a fuzzed
    /// server: the client's certificate (with `client_auth`) is the ECDSA one.
    ecdsa: bool,
}

/// The fuzzed client's configuration.
fn fuzz_client() -> Arc<ClientConfig> {
    fuzzing::client_config().unwrap()
}

/// The fuzzed server's configuration.
fn fuzz_server() -> Arc<ServerConfig> {
    fuzzing::server_config().unwrap()
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
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_aes256_sha_noetm",
        chunk: 99,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "rsa_aes128_sha256_etm_noems",
        chunk: 31,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: false,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "rsa_aes256_sha_noetm",
        chunk: 4,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_aes128_sha256_client_auth",
        chunk: 127,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: true,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_aes256_sha256_ticket",
        chunk: 77,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: true,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "resumed_rsa_aes128_sha256_id",
        chunk: 255,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: true,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "resumed_rsa_aes128_sha256_id_new_ticket",
        chunk: 21,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: true,
        ticket: true,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "ecdhe_rsa_aes128_gcm_x25519",
        chunk: 255,
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::X25519),
        ecdsa: false,
    },
    Case {
        name: "ecdhe_rsa_chacha20_p256_ticket",
        chunk: 50,
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: true,
        group: Some(NamedGroup::SECP256R1),
        ecdsa: false,
    },
    Case {
        name: "ecdhe_ecdsa_aes256_gcm_p384_client_auth",
        chunk: 130,
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        etm: false,
        ems: true,
        client_auth: true,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::SECP384R1),
        ecdsa: true,
    },
    Case {
        name: "ecdhe_ecdsa_aes256_cbc_sha384_etm",
        chunk: 23,
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::X25519),
        ecdsa: true,
    },
    Case {
        name: "ecdhe_psk_chacha20_x25519",
        chunk: 77,
        suite: CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::X25519),
        ecdsa: false,
    },
    Case {
        name: "psk_aes128_ccm_hint",
        chunk: 120,
        suite: CipherSuite::TLS_PSK_WITH_AES_128_CCM,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_psk_aes128_sha256_etm",
        chunk: 200,
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
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
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_aes128_sha_noetm_noems",
        chunk: 63,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        etm: false,
        ems: false,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "rsa_aes256_sha256_etm",
        chunk: 16,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "rsa_aes128_sha_noetm",
        chunk: 0,
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_aes128_sha256_client_auth",
        chunk: 200,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: true,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "rsa_aes256_sha_client_auth_pkcs1",
        chunk: 47,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        etm: false,
        ems: true,
        client_auth: true,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "resumed_dhe_aes128_sha_ticket",
        chunk: 255,
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: true,
        ticket: true,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "resumed_rsa_aes256_sha256_ticket_client_auth",
        chunk: 9,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        etm: false,
        ems: true,
        client_auth: true,
        resumed: true,
        ticket: true,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "ecdhe_rsa_aes128_gcm_x25519",
        chunk: 255,
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::X25519),
        ecdsa: false,
    },
    Case {
        name: "ecdhe_rsa_chacha20_p384",
        chunk: 60,
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::SECP384R1),
        ecdsa: false,
    },
    Case {
        name: "ecdhe_rsa_aes128_cbc_sha256_p256_ecdsa_client",
        chunk: 111,
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: true,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::SECP256R1),
        ecdsa: true,
    },
    Case {
        name: "rsa_aes256_gcm_sha384",
        chunk: 8,
        suite: CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "ecdhe_psk_aes128_sha256_p256",
        chunk: 63,
        suite: CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
        etm: true,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: Some(NamedGroup::SECP256R1),
        ecdsa: false,
    },
    Case {
        name: "psk_aes256_gcm",
        chunk: 150,
        suite: CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
    Case {
        name: "dhe_psk_aes128_sha256_noetm",
        chunk: 40,
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
        etm: false,
        ems: true,
        client_auth: false,
        resumed: false,
        ticket: false,
        group: None,
        ecdsa: false,
    },
];

/// The peer of a fuzzed server. With client authentication it signs with the PRF
/// hash (PSS), except for a `_pkcs1` case (PKCS#1 v1.5 with SHA-512: a second transcript
/// hash on the server).
fn client_variant(c: &Case) -> ClientConfigBuilder {
    // The fuzzed server's certificate has a 1024-bit key (fuzzing::verify_options).
    let mut b = client_builder()
        .verifier(fuzzing::server_cert_verifier().unwrap())
        .cipher_suites(&[c.suite])
        .encrypt_then_mac(c.etm)
        .extended_master_secret(c.ems)
        .psk(fuzzing::psk().unwrap());
    if let Some(g) = c.group {
        b = b.groups(&[g]);
    }
    match (c.client_auth, c.name.ends_with("_pkcs1")) {
        (false, _) => b,
        (true, false) if c.ecdsa => b.client_certificate(server_key("client-ecdsa")),
        (true, false) => b.client_certificate(client_key()),
        (true, true) => b
            .client_certificate(client_key())
            .signature_schemes(&[SignatureScheme::RSA_PKCS1_SHA512]),
    }
}

/// The peer of a fuzzed client: with tickets if the case has them, and with the
/// client's fixed session in its cache if it resumes.
fn server_variant(c: &Case) -> ServerConfigBuilder {
    let cert = if c.ecdsa {
        "server-ecdsa-p256"
    } else {
        "server-rsa2048"
    };
    let mut b = ServerConfig::builder()
        .single_cert(server_key(cert))
        .cipher_suites(&[c.suite])
        .encrypt_then_mac(c.etm)
        .extended_master_secret(c.ems)
        .psk_store(fuzzing::psk_store().unwrap())
        .psk_identity_hint(b"peer-hint");
    if let Some(g) = c.group {
        b = b.groups(&[g]);
    }
    if c.client_auth {
        // The fuzzed client's certificate is `client-ecdsa`.
        b = b.client_verifier(client_verifier("ca-ecdsa-root", true));
    }
    if c.ticket {
        b = b.ticketer(Some(fuzzing::ticketer()));
    }
    if c.resumed {
        let cache = SessionCache::new(1);
        StoresServerSessions::put(&cache, &[0x11; 32], &fuzzing::resumable_session());
        b = b.session_store(Some(Arc::new(cache)));
    }
    b
}

/// A full connection (handshake, a request, a reply, close_notify both ways) between
/// the given configurations, the client seeded as the fuzzed client and the server as
/// the fuzzed server; returns the pair after checking what was negotiated.
fn record(client: Arc<ClientConfig>, server: Arc<ServerConfig>, case: &Case) -> Pair {
    let mut p = Pair::with_defaults();
    let mut crng = SeededRng::from_seed(CLIENT_SEED);
    let mut srng = SeededRng::from_seed(SERVER_SEED);
    p.client = Connection::client(client, "localhost".try_into().unwrap(), NOW, &mut crng).unwrap();
    p.server = Connection::server(server, NOW, &mut srng).unwrap();
    p.run();
    assert!(p.handshake_done(), "{}: {:?}", case.name, p.client_error);
    let n = p.client.negotiated().unwrap();
    assert_eq!(n.resumed, case.resumed, "{}", case.name);
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
        let p = record(
            fuzz_client(),
            Arc::new(server_variant(c).build().unwrap()),
            c,
        );
        out.push(("proto_client", c.name, seed(c, &p.sent_by_server)));
    }
    for c in SERVER_CASES {
        let store = Arc::new(SessionCache::new(1));
        let client = Arc::new(
            client_variant(c)
                .session_store(Some(store.clone() as _))
                .build()
                .unwrap(),
        );
        if c.resumed {
            // A full handshake first, for the ticket (the fixed ticketer's).
            let mut first = Pair::shared(&client, &fuzz_server(), "localhost", NOW, 7);
            first.run_handshake(c.name);
            assert_eq!(store.len(), 1, "{}", c.name);
        }
        let p = record(client, fuzz_server(), c);
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
            fuzz_client(),
            "localhost".try_into().unwrap(),
            NOW,
            &mut rng,
        )
        .unwrap();
        let r = replay(conn, &data);
        check_replay(&r, c.name, SERVER_SAYS);
        assert_eq!(r.conn.negotiated().unwrap().suite, c.suite);
        assert_eq!(
            r.conn.negotiated().unwrap().resumed,
            c.resumed,
            "{}",
            c.name
        );
    }
    for c in SERVER_CASES {
        let data = std::fs::read(seed_dir("proto_server").join(c.name)).unwrap();
        let mut rng = SeededRng::from_seed(SERVER_SEED);
        let conn = Connection::server(fuzz_server(), NOW, &mut rng).unwrap();
        let r = replay(conn, &data);
        check_replay(&r, c.name, CLIENT_SAYS);
        let n = r.conn.negotiated().unwrap();
        assert_eq!(n.suite, c.suite);
        assert_eq!(n.resumed, c.resumed, "{}", c.name);
        assert_eq!(n.peer_certificates.is_empty(), !c.client_auth, "{}", c.name);
    }
}

/// The entry points themselves take every seed.
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

/// The seeds of the action targets (`fuzz/seeds/proto_{client,server}_actions/`) equal
/// `fuzzing::actions::seeds`, and each drives the connection under test as it says
/// (completing its handshake or not); `SANSTLS_BLESS_SEEDS=1` rewrites them.
#[test]
fn action_seeds_match_the_scripts() {
    use sanstls_proto::Side;
    use sanstls_proto::fuzzing::actions;
    let bless = std::env::var_os("SANSTLS_BLESS_SEEDS").is_some();
    for (side, target) in [
        (Side::Client, "proto_client_actions"),
        (Side::Server, "proto_server_actions"),
    ] {
        let dir = seed_dir(target);
        // Files named `cmin-*` are a campaign's minimized corpus, kept beside the
        // scripted seeds.
        let scripted = |dir: &Path| -> Vec<PathBuf> {
            std::fs::read_dir(dir)
                .map(|d| {
                    d.flatten()
                        .map(|e| e.path())
                        .filter(|p| {
                            !p.file_name()
                                .unwrap()
                                .to_string_lossy()
                                .starts_with("cmin-")
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            for old in scripted(&dir) {
                std::fs::remove_file(old).unwrap();
            }
        }
        let seeds = actions::seeds(side);
        for (name, bytes, completes) in &seeds {
            let path = dir.join(name);
            if bless {
                std::fs::write(&path, bytes).unwrap();
            }
            assert_eq!(&std::fs::read(&path).unwrap(), bytes, "{}", path.display());
            let outcome = match side {
                Side::Client => actions::client_outcome(bytes),
                Side::Server => actions::server_outcome(bytes),
            }
            .unwrap();
            assert_eq!(
                outcome.completed, *completes,
                "{target}/{name}: {outcome:?}"
            );
        }
        assert_eq!(scripted(&dir).len(), seeds.len(), "{target}");
    }
}
