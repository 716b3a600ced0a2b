//! Session resumption between a sanstls client and server in memory: session IDs
//! (RFC 5246 §7.4.1.2) and tickets (RFC 5077), the rules a resumption must keep
//! (suite, server name, extended master secret, client certificate state), and every
//! way a resumption is refused becoming a full handshake.

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
    for info in SUITES {
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
    for info in SUITES {
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
