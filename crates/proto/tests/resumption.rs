//! Session resumption between a sanstls client and server in memory: session IDs
//! (RFC 5246 §7.4.1.2) and tickets (RFC 5077), the rules a resumption must keep
//! (suite, server name, extended master secret, client certificate state), and every
//! way a resumption is refused becoming a full handshake.

#![cfg(feature = "resumption")]

#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::Arc;
use std::time::Duration;

use pair::{Dir, Ev, NOW, Pair, client_builder, server_builder};
use sanstls_crypto::rng::SeededRng;
use sanstls_keys::suite::SUITES;
use sanstls_proto::{
    ClientConfig, Error, PeerMisbehaved, ServerConfig, SessionCache, StoresClientSessions,
    StoresServerSessions, TicketKeys, Ticketer, UnixTime,
};
use sanstls_wire::enums::{AlertDescription, CipherSuite, HandshakeType};

const HOUR: Duration = Duration::from_secs(3600);

/// `secs` seconds after [`NOW`].
fn later(secs: u64) -> UnixTime {
    UnixTime::from_secs(NOW.as_secs() + secs)
}

fn ticketer() -> Arc<dyn Ticketer> {
    Arc::new(TicketKeys::new(&mut SeededRng::from_seed([9; 32]), HOUR))
}

/// A client with its own store, and the store.
fn client(b: sanstls_proto::ClientConfigBuilder) -> (Arc<ClientConfig>, Arc<SessionCache>) {
    let store = Arc::new(SessionCache::new(8));
    let config = b.session_store(Some(store.clone() as _)).build().unwrap();
    (Arc::new(config), store)
}

/// Runs a handshake; returns the pair after it completed.
#[track_caller]
fn connect(
    c: &Arc<ClientConfig>,
    s: &Arc<ServerConfig>,
    name: &str,
    now: UnixTime,
    seed: u8,
) -> Pair {
    let mut p = Pair::shared(c, s, name, now, seed);
    p.run_handshake(&format!("seed {seed}"));
    p
}

/// The handshake messages `bytes` carried in clear (before any ChangeCipherSpec).
fn clear_messages(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (ct, _, frag) in pair::records(bytes) {
        if ct == 20 {
            break;
        }
        if ct == 22 {
            out.push(frag[0]);
        }
    }
    out
}

#[test]
fn session_ids_resume_every_suite() {
    // (With the RSA certificate: every suite but ECDHE_ECDSA, resumed in tests/ecdhe.rs.)
    for info in SUITES
        .iter()
        .filter(|i| !i.key_exchange.is_ecdsa() && !i.key_exchange.is_psk())
    {
        let suite = info.suite;
        let (c, store) = client(client_builder().cipher_suites(&[suite]));
        let s = Arc::new(server_builder().cipher_suites(&[suite]).build().unwrap());
        let first = connect(&c, &s, "localhost", NOW, 1);
        assert!(!first.resumed(), "{suite:?}");
        assert_eq!(store.len(), 1);
        let mut second = connect(&c, &s, "localhost", NOW, 3);
        assert!(second.resumed(), "{suite:?}");
        let (cn, sn) = (
            second.client.negotiated().unwrap(),
            second.server.negotiated().unwrap(),
        );
        assert_eq!(cn.suite, suite);
        assert!(cn.extended_master_secret && sn.extended_master_secret);
        // The abbreviated handshake: ServerHello only in clear (no Certificate), and
        // the server's leaf is the one of the full handshake.
        assert_eq!(
            clear_messages(&second.sent_by_server),
            [HandshakeType::SERVER_HELLO.0]
        );
        assert_eq!(
            cn.peer_certificates,
            first.client.negotiated().unwrap().peer_certificates[..1]
        );
        assert!(second.client_events.contains(&Ev::HandshakeComplete));
        // Data flows under the new keys.
        second.send(true, b"ping");
        second.send(false, b"pong");
        assert_eq!(Pair::app_data(&second.server_events), b"ping");
        assert_eq!(Pair::app_data(&second.client_events), b"pong");
        // And again.
        assert!(connect(&c, &s, "localhost", NOW, 5).resumed());
    }
}

#[test]
fn tickets_resume_every_suite_without_a_cache() {
    for info in SUITES
        .iter()
        .filter(|i| !i.key_exchange.is_ecdsa() && !i.key_exchange.is_psk())
    {
        let suite = info.suite;
        let (c, store) = client(client_builder().cipher_suites(&[suite]));
        let s = Arc::new(
            server_builder()
                .cipher_suites(&[suite])
                .session_cache(0)
                .ticketer(Some(ticketer()))
                .build()
                .unwrap(),
        );
        let first = connect(&c, &s, "localhost", NOW, 1);
        assert!(!first.resumed());
        // The full handshake's server flight ends NewSessionTicket, ChangeCipherSpec,
        // Finished; the ServerHello had no session ID.
        let stored = sanstls_proto::Session::from_bytes(
            &StoresClientSessions::get(&*store, "localhost").unwrap(),
        )
        .unwrap();
        assert!(stored.session_id().is_empty());
        assert!(stored.ticket().is_some());
        let second = connect(&c, &s, "localhost", later(60), 3);
        assert!(second.resumed(), "{suite:?}");
        assert_eq!(
            clear_messages(&second.sent_by_server),
            [
                HandshakeType::SERVER_HELLO.0,
                HandshakeType::NEW_SESSION_TICKET.0
            ]
        );
        assert!(connect(&c, &s, "localhost", later(120), 5).resumed());
    }
}

#[test]
fn tickets_are_preferred_and_renewed_and_ids_work_without_tickets() {
    let (c, store) = client(client_builder());
    let s = Arc::new(server_builder().ticketer(Some(ticketer())).build().unwrap());
    let first = connect(&c, &s, "localhost", NOW, 1);
    let stored = |store: &SessionCache| {
        sanstls_proto::Session::from_bytes(&StoresClientSessions::get(store, "localhost").unwrap())
            .unwrap()
    };
    let s1 = stored(&store);
    // Both: a session ID (the cache) and a ticket.
    assert_eq!(s1.session_id().len(), 32);
    assert!(s1.ticket().is_some());
    drop(first);
    let second = connect(&c, &s, "localhost", later(10), 3);
    assert!(second.resumed());
    // The ticket was used (renewed with the resumption); the client sent the
    // server's session ID with it, which the server echoed.
    let s2 = stored(&store);
    assert_ne!(s2.ticket(), s1.ticket());
    assert_eq!(s2.session_id(), s1.session_id());
    // A server that cannot read the ticket any more (new ticket keys) resumes by that
    // session ID from its cache.
    let rekeyed = Arc::new(
        server_builder()
            .ticketer(Some(Arc::new(TicketKeys::new(
                &mut SeededRng::from_seed([10; 32]),
                HOUR,
            ))))
            .session_store(s.session_store().cloned())
            .build()
            .unwrap(),
    );
    let p = connect(&c, &rekeyed, "localhost", later(20), 21);
    assert!(p.resumed());
    // A client that does not offer tickets resumes by ID alone.
    let (c2, store2) = client(client_builder().session_tickets(false));
    connect(&c2, &s, "localhost", NOW, 5);
    let s3 = stored(&store2);
    assert!(s3.ticket().is_none());
    let p = connect(&c2, &s, "localhost", later(10), 7);
    assert!(p.resumed());
    assert_eq!(
        clear_messages(&p.sent_by_server),
        [HandshakeType::SERVER_HELLO.0]
    );
}

#[test]
fn resumption_keeps_the_suite_and_renegotiates_alpn_and_etm() {
    let store = Arc::new(SessionCache::new(4));
    let c1 = Arc::new(
        client_builder()
            .session_store(Some(store.clone() as _))
            .build()
            .unwrap(),
    );
    // CBC suites first, so that encrypt-then-MAC applies (RFC 7366 §3).
    let s = Arc::new(
        server_builder()
            .alpn_protocols(&[b"h2", b"http/1.1"])
            .cipher_suites(&[
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
                CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            ])
            .build()
            .unwrap(),
    );
    let first = connect(&c1, &s, "localhost", NOW, 1);
    let suite = first.client.negotiated().unwrap().suite;
    assert_eq!(first.client.negotiated().unwrap().alpn, None);
    assert!(first.client.negotiated().unwrap().encrypt_then_mac);
    // Same store, another configuration: ALPN on, EtM off, the same suites.
    let c2 = Arc::new(
        client_builder()
            .session_store(Some(store.clone() as _))
            .alpn_protocols(&[b"http/1.1"])
            .encrypt_then_mac(false)
            .build()
            .unwrap(),
    );
    let p = connect(&c2, &s, "localhost", later(5), 3);
    assert!(p.resumed());
    let n = p.client.negotiated().unwrap();
    assert_eq!(n.suite, suite);
    assert_eq!(n.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert!(!n.encrypt_then_mac);
    assert_eq!(
        p.server.negotiated().unwrap().alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
    // A client that no longer offers the session's suite: a full handshake (the
    // client does not even offer the session).
    let other = CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA;
    assert_ne!(other, suite);
    let c3 = Arc::new(
        client_builder()
            .session_store(Some(store.clone() as _))
            .cipher_suites(&[other])
            .build()
            .unwrap(),
    );
    let p = connect(&c3, &s, "localhost", later(6), 5);
    assert!(!p.resumed());
    assert_eq!(p.client.negotiated().unwrap().suite, other);
}

/// The session ID in a ClientHello, and where it starts.
fn offered_session_id(bytes: &[u8]) -> (usize, Vec<u8>) {
    // Record header 5, handshake header 4, version 2, random 32, then the ID.
    let at = 5 + 4 + 2 + 32;
    let len = bytes[at] as usize;
    (at + 1, bytes[at + 1..at + 1 + len].to_vec())
}

/// A filter that renames, in the first record `dir` sends, the empty extension of
/// type `ext` to an unknown type (so that the peer no longer sees it).
fn drop_empty_extension(dir: Dir, ext: u16) -> pair::Filter {
    let mut done = false;
    Box::new(move |d, bytes| {
        if d != dir || done {
            return;
        }
        done = true;
        let pattern = [(ext >> 8) as u8, ext as u8, 0, 0];
        let at = bytes
            .windows(4)
            .rposition(|w| w == pattern)
            .expect("extension present");
        bytes[at] = 0xfe;
    })
}

/// A filter that removes the empty extension `ext` from the ServerHello (the first
/// record to the client), fixing the lengths around it.
fn strip_from_server_hello(ext: u16) -> pair::Filter {
    let mut done = false;
    Box::new(move |d, bytes| {
        if d != Dir::ToClient || done {
            return;
        }
        done = true;
        let sid = bytes[5 + 4 + 2 + 32] as usize;
        let exts = 5 + 4 + 2 + 32 + 1 + sid + 2 + 1;
        let record_end = 5 + u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        let pattern = [(ext >> 8) as u8, ext as u8, 0, 0];
        let at = exts
            + 2
            + bytes[exts + 2..record_end]
                .windows(4)
                .position(|w| w == pattern)
                .expect("extension present");
        bytes.drain(at..at + 4);
        let dec = |b: &mut [u8]| {
            let v = u16::from_be_bytes([b[0], b[1]]) - 4;
            b.copy_from_slice(&v.to_be_bytes());
        };
        dec(&mut bytes[3..5]);
        dec(&mut bytes[7..9]); // the u24 length's low two bytes (a short message)
        dec(&mut bytes[exts..exts + 2]);
    })
}

#[test]
fn the_extended_master_secret_must_match_the_session() {
    const EMS: u16 = 23;
    let (c, _) = client(client_builder());
    let store = Arc::new(SessionCache::new(4));
    let s = Arc::new(
        server_builder()
            .session_store(Some(store.clone() as _))
            .build()
            .unwrap(),
    );
    connect(&c, &s, "localhost", NOW, 1);
    // RFC 7627 §5.3, server: a client resuming an EMS session without the extension is
    // refused with handshake_failure.
    let mut p = Pair::shared(&c, &s, "localhost", later(1), 3);
    p.filter = Some(drop_empty_extension(Dir::ToServer, EMS));
    p.expect_failure(
        false,
        &Error::PeerMisbehaved(PeerMisbehaved::ResumptionWithoutExtendedMasterSecret),
        AlertDescription::HANDSHAKE_FAILURE,
    );
    // The fatal alert invalidated the session on both sides (RFC 5246 §7.2).
    assert!(store.is_empty());
    let p = connect(&c, &s, "localhost", later(2), 5);
    assert!(!p.resumed());
    // Client: a server that resumes without the extension is refused
    // (handshake_failure).
    let mut p = Pair::shared(&c, &s, "localhost", later(3), 7);
    p.filter = Some(strip_from_server_hello(EMS));
    p.expect_failure(
        true,
        &Error::PeerMisbehaved(PeerMisbehaved::ResumedWithDifferentExtendedMasterSecret),
        AlertDescription::HANDSHAKE_FAILURE,
    );
    // A session without the extended master secret is never resumed: the server
    // holds one (its flag cleared), the client offers it, a full handshake follows.
    connect(&c, &s, "localhost", later(4), 9);
    let (id, mut bytes) = {
        let p = connect(&c, &s, "localhost", later(5), 11);
        assert!(p.resumed());
        let (_, id) = offered_session_id(&p.sent_by_server);
        let bytes = StoresServerSessions::get(&*store, &id).unwrap().to_vec();
        (id, bytes)
    };
    // The format: version (1), suite (2), then the flag.
    bytes[3] = 0;
    assert!(
        !sanstls_proto::Session::from_bytes(&bytes)
            .unwrap()
            .extended_master_secret()
    );
    StoresServerSessions::put(&*store, &id, &bytes);
    let p = connect(&c, &s, "localhost", later(6), 13);
    assert!(!p.resumed());
    // A server without the extension, sharing the cache of one with it: the client
    // offers an EMS session with the extension, so nothing is aborted; the server just
    // does not resume it (and negotiates without EMS, which this client allows).
    connect(&c, &s, "localhost", later(7), 15);
    let no_ems = Arc::new(
        server_builder()
            .extended_master_secret(false)
            .session_store(Some(store.clone() as _))
            .build()
            .unwrap(),
    );
    let p = connect(&c, &no_ems, "localhost", later(8), 17);
    assert!(!p.resumed());
    assert!(!p.client.negotiated().unwrap().extended_master_secret);
}

#[test]
fn a_server_that_changes_the_suite_on_resumption_is_refused() {
    let (c, _) = client(client_builder().cipher_suites(&[
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
    ]));
    let s = Arc::new(server_builder().build().unwrap());
    let first = connect(&c, &s, "localhost", NOW, 1);
    let suite = first.client.negotiated().unwrap().suite;
    let other = if suite == CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256 {
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256
    } else {
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256
    };
    let mut p = Pair::shared(&c, &s, "localhost", later(1), 3);
    let mut done = false;
    p.filter = Some(Box::new(move |d, bytes| {
        if d == Dir::ToClient && !done {
            done = true;
            // After the 32-byte session ID: the suite.
            let at = 5 + 4 + 2 + 32 + 1 + 32;
            bytes[at..at + 2].copy_from_slice(&other.0.to_be_bytes());
        }
    }));
    p.run();
    assert_eq!(
        p.client_error,
        Some(Error::PeerMisbehaved(
            PeerMisbehaved::ResumedWithDifferentSuite
        ))
    );
    assert_eq!(
        p.server_error,
        Some(Error::AlertReceived(AlertDescription::ILLEGAL_PARAMETER))
    );
}

#[test]
fn a_different_server_name_gets_a_full_handshake() {
    let (c, store) = client(client_builder());
    let s = Arc::new(server_builder().ticketer(Some(ticketer())).build().unwrap());
    connect(&c, &s, "a.example.test", NOW, 1);
    assert!(connect(&c, &s, "a.example.test", later(1), 3).resumed());
    // The client keys sessions by name: b.example.test has none.
    assert!(!connect(&c, &s, "b.example.test", later(2), 5).resumed());
    // Offered anyway (the session of a.example.test under b's name), by ID and by
    // ticket: RFC 6066 §3, the server does not resume it.
    for tickets in [false, true] {
        let a = StoresClientSessions::get(&*store, "a.example.test").unwrap();
        StoresClientSessions::put(&*store, "b.example.test", &a);
        let (c2, store2) = client(client_builder().session_tickets(tickets));
        StoresClientSessions::put(&*store2, "b.example.test", &a);
        let p = connect(&c2, &s, "b.example.test", later(3), 7);
        assert!(!p.resumed(), "tickets {tickets}");
    }
}

#[test]
fn expired_tampered_and_rotated_tickets() {
    let (c, store) = client(client_builder());
    let s = Arc::new(
        server_builder()
            .session_cache(0)
            .ticketer(Some(ticketer()))
            .build()
            .unwrap(),
    );
    let first_ticket = || {
        sanstls_proto::Session::from_bytes(
            &StoresClientSessions::get(&*store, "localhost").unwrap(),
        )
        .unwrap()
    };
    connect(&c, &s, "localhost", NOW, 1);
    let saved = StoresClientSessions::get(&*store, "localhost")
        .unwrap()
        .to_vec();
    assert_eq!(first_ticket().expires(), later(3600));
    // Under the next period's key (the ticket's key rotated out of encryption), still
    // within its lifetime: resumed, and the new ticket is under the new key.
    let p = connect(&c, &s, "localhost", later(3599), 3);
    assert!(p.resumed());
    // Tampered: one bit of the ticket flipped. A full handshake, no error.
    StoresClientSessions::put(&*store, "localhost", &saved);
    let mut bad = saved.clone();
    let n = bad.len();
    bad[n - 10] ^= 1;
    StoresClientSessions::put(&*store, "localhost", &bad);
    let p = connect(&c, &s, "localhost", later(10), 5);
    assert!(!p.resumed());
    assert!(p.client_error.is_none() && p.server_error.is_none());
    // Expired: the client would not offer it past its lifetime hint; offered anyway
    // (its lifetime stretched in the client's copy), the server refuses it.
    let mut stretched = saved.clone();
    // The format: version 1, suite 2, flag 1, master 48, created 8, lifetime 4.
    stretched[60..64].copy_from_slice(&u32::MAX.to_be_bytes());
    StoresClientSessions::put(&*store, "localhost", &stretched);
    let p = connect(&c, &s, "localhost", later(3601), 7);
    assert!(!p.resumed());
    // Two periods on, the key is gone too.
    StoresClientSessions::put(&*store, "localhost", &stretched);
    let p = connect(&c, &s, "localhost", later(7300), 9);
    assert!(!p.resumed());
}

#[test]
fn evicted_and_refused_sessions_get_a_full_handshake() {
    // A cache of one: the second client's session evicts the first's.
    let s = Arc::new(server_builder().session_cache(1).build().unwrap());
    let (a, a_store) = client(client_builder());
    let (b, _) = client(client_builder());
    connect(&a, &s, "localhost", NOW, 1);
    connect(&b, &s, "localhost", NOW, 3);
    assert!(connect(&b, &s, "localhost", later(1), 5).resumed());
    let p = connect(&a, &s, "localhost", later(1), 7);
    assert!(!p.resumed());
    // The failed resumption removed the old session; the full handshake stored a new
    // one, which resumes.
    assert_eq!(a_store.len(), 1);
    assert!(connect(&a, &s, "localhost", later(2), 9).resumed());
    // A server with neither cache nor tickets: never resumed, and nothing is kept.
    let plain = Arc::new(server_builder().session_cache(0).build().unwrap());
    let p = connect(&a, &plain, "localhost", later(3), 11);
    assert!(!p.resumed());
    assert!(a_store.is_empty());
    assert!(!connect(&a, &plain, "localhost", later(4), 13).resumed());
    // Past the cache's lifetime: full.
    let short = Arc::new(
        server_builder()
            .session_lifetime(Duration::from_secs(60))
            .build()
            .unwrap(),
    );
    connect(&a, &short, "localhost", later(5), 15);
    assert!(connect(&a, &short, "localhost", later(65), 17).resumed());
    assert!(!connect(&a, &short, "localhost", later(66), 19).resumed());
}

#[test]
fn client_certificates_carry_over_and_their_state_must_match() {
    let (c, _) = client(pair::client_builder_with_cert());
    let s = Arc::new(pair::server_builder_asking_cert(true).build().unwrap());
    let first = connect(&c, &s, "localhost", NOW, 1);
    let leaf = first.server.negotiated().unwrap().peer_certificates[0].clone();
    let p = connect(&c, &s, "localhost", later(1), 3);
    assert!(p.resumed());
    assert_eq!(p.server.negotiated().unwrap().peer_certificates, [leaf]);
    // Optional client authentication: a client without a certificate resumes
    // anonymously.
    let (anon, _) = client(client_builder());
    let optional = Arc::new(pair::server_builder_asking_cert(false).build().unwrap());
    connect(&anon, &optional, "localhost", NOW, 5);
    let p = connect(&anon, &optional, "localhost", later(1), 7);
    assert!(p.resumed());
    assert!(p.server.negotiated().unwrap().peer_certificates.is_empty());
    // A server that stops asking for certificates does not resume sessions that
    // carry one: share one cache between an asking and a non-asking server.
    let shared = Arc::new(SessionCache::new(8));
    let asking = Arc::new(
        pair::server_builder_asking_cert(true)
            .session_store(Some(shared.clone() as _))
            .build()
            .unwrap(),
    );
    let not_asking = Arc::new(
        server_builder()
            .session_store(Some(shared.clone() as _))
            .build()
            .unwrap(),
    );
    let required = Arc::new(
        pair::server_builder_asking_cert(true)
            .session_store(Some(shared.clone() as _))
            .build()
            .unwrap(),
    );
    let (cc, _) = client(pair::client_builder_with_cert());
    connect(&cc, &asking, "localhost", NOW, 11);
    assert!(!connect(&cc, &not_asking, "localhost", later(1), 13).resumed());
    // And the reverse: a session without a certificate, then a server that requires
    // one: a full handshake, which asks for the certificate.
    let (nc, _) = client(pair::client_builder_with_cert());
    connect(&nc, &not_asking, "localhost", NOW, 15);
    let p = connect(&nc, &required, "localhost", later(1), 17);
    assert!(!p.resumed());
    assert!(!p.server.negotiated().unwrap().peer_certificates.is_empty());
}

#[test]
fn a_fatal_alert_invalidates_the_session_on_both_sides() {
    let (c, store) = client(client_builder());
    let cache = Arc::new(SessionCache::new(4));
    let s = Arc::new(
        server_builder()
            .session_store(Some(cache.clone() as _))
            .build()
            .unwrap(),
    );
    connect(&c, &s, "localhost", NOW, 1);
    assert_eq!((store.len(), cache.len()), (1, 1));
    // A resumption whose server Finished is corrupted: bad_record_mac.
    let mut p = Pair::shared(&c, &s, "localhost", later(1), 3);
    let mut n = 0;
    p.filter = Some(Box::new(move |d, bytes| {
        if d == Dir::ToClient {
            n += 1;
            if n == 1 {
                let last = bytes.len() - 1;
                bytes[last] ^= 1;
            }
        }
    }));
    p.run();
    assert_eq!(
        p.client_error,
        Some(Error::PeerMisbehaved(PeerMisbehaved::BadRecordMac))
    );
    assert_eq!((store.len(), cache.len()), (0, 0));
    assert!(!connect(&c, &s, "localhost", later(2), 5).resumed());
}

#[test]
fn resumed_handshakes_log_keys_and_trace_the_short_flight() {
    let log = Arc::new(pair::Collect::default());
    let (c, _) = client(client_builder().key_log(log.clone()).trace(true));
    let s = Arc::new(server_builder().ticketer(Some(ticketer())).build().unwrap());
    connect(&c, &s, "localhost", NOW, 1);
    let p = connect(&c, &s, "localhost", later(1), 3);
    assert!(p.resumed());
    // The same master secret, with each connection's client random.
    let lines = log.0.lock().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].rsplit(' ').next(), lines[1].rsplit(' ').next());
    assert_ne!(lines[0], lines[1]);
    let kinds: Vec<String> = p
        .client_events
        .iter()
        .filter_map(|e| match e {
            Ev::Trace(t) => Some(format!("{:?} {:?}", t.direction, t.kind)),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Sent Handshake(CLIENT_HELLO)",
            "Received Handshake(SERVER_HELLO)",
            "Received Handshake(NEW_SESSION_TICKET)",
            "Received ChangeCipherSpec",
            "Received Handshake(FINISHED)",
            "Sent ChangeCipherSpec",
            "Sent Handshake(FINISHED)",
        ]
    );
}
