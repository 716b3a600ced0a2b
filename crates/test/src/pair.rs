//! A deterministic in-memory client/server pair for sanstls-proto: fixed seeds, fixed
//! time, and hooks to inspect, fragment, drop and corrupt the traffic between the two.
//!
//! [`Pair::run`] moves bytes both ways until neither side has anything to send; a
//! [`Filter`] sees (and may change) every chunk in flight, [`Pair::read_chunk`] limits
//! how many bytes each `handle_recv` call gets, and every byte each side sent is kept
//! for inspection. The sanstls-proto tests include this file by path, so it uses only
//! crates both packages depend on.
//!
//! ```
//! use sanstls_test::pair::{Pair, client_builder, refragment, server_builder};
//!
//! let mut p = Pair::new(client_builder().build().unwrap(), server_builder().build().unwrap());
//! p.read_chunk = 1; // one byte per read
//! p.filter = Some(refragment(1)); // one byte per handshake record
//! p.run();
//! assert!(p.handshake_done());
//! ```
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::{ClientCertVerifier, TrustAnchors, WebPkiClientVerifier};
use sanstls_proto::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, Connection, Error, Event, KeyLog,
    ServerConfig, ServerConfigBuilder, Trace, UnixTime,
};
use sanstls_wire::enums::AlertDescription;

/// 2027-01-15: inside the validity of every good test certificate.
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// The text of `testdata/<name>`; panics (naming the file) if it is missing.
pub fn testdata(name: &str) -> String {
    let p = format!("{}/../../testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}"))
}

/// A client configuration builder trusting the test root CA.
pub fn client_builder() -> ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&testdata("ca-root.cert.pem")).unwrap();
    ClientConfig::builder().trust_anchors(anchors)
}

/// The certificate chain and key `testdata/<name>.chain.pem` and
/// `testdata/<name>.rsa.pem` (RSA) or `testdata/<name>.ec.pem` (EC).
pub fn server_key(name: &str) -> CertifiedKey {
    let dir = format!("{}/../../testdata", env!("CARGO_MANIFEST_DIR"));
    let key = if std::path::Path::new(&format!("{dir}/{name}.rsa.pem")).exists() {
        testdata(&format!("{name}.rsa.pem"))
    } else {
        testdata(&format!("{name}.ec.pem"))
    };
    CertifiedKey::from_pem(&testdata(&format!("{name}.chain.pem")), &key).unwrap()
}

/// A client configuration builder trusting both test roots: `ca-root` (RSA) and
/// `ca-ecdsa-root` (ECDSA P-384).
pub fn client_builder_both_roots() -> ClientConfigBuilder {
    let pem = testdata("ca-root.cert.pem") + &testdata("ca-ecdsa-root.cert.pem");
    let anchors = TrustAnchors::from_pem_bundle(&pem).unwrap();
    ClientConfig::builder().trust_anchors(anchors)
}

/// A server configuration builder serving `server-rsa2048`.
pub fn server_builder() -> ServerConfigBuilder {
    ServerConfig::builder().single_cert(server_key("server-rsa2048"))
}

/// The client certificate `testdata/client.{chain,rsa}.pem` (clientAuth, issued under
/// the test root) and its key.
pub fn client_key() -> CertifiedKey {
    server_key("client")
}

/// A client configuration builder trusting the test root CA and offering the client
/// certificate [`client_key`] when a server asks for one.
pub fn client_builder_with_cert() -> ClientConfigBuilder {
    client_builder().client_certificate(client_key())
}

/// A server configuration builder serving `server-rsa2048` that asks for a client
/// certificate issued under the test root (`ca-root`); `mandatory` decides whether a
/// client without a certificate is refused.
pub fn server_builder_asking_cert(mandatory: bool) -> ServerConfigBuilder {
    server_builder().client_verifier(client_verifier("ca-root", mandatory))
}

/// A client-certificate verifier trusting `testdata/<root>.cert.pem`; `mandatory`
/// decides whether a client without a certificate is refused.
pub fn client_verifier(root: &str, mandatory: bool) -> Arc<dyn ClientCertVerifier> {
    let anchors = TrustAnchors::from_pem_bundle(&testdata(&format!("{root}.cert.pem"))).unwrap();
    let v = WebPkiClientVerifier::new(anchors);
    Arc::new(if mandatory {
        v
    } else {
        v.allow_unauthenticated()
    })
}

/// A client-certificate verifier trusting both test roots (`ca-root` and
/// `ca-ecdsa-root`); `mandatory` decides whether a client without a certificate is
/// refused.
pub fn client_verifier_both_roots(mandatory: bool) -> Arc<dyn ClientCertVerifier> {
    let pem = testdata("ca-root.cert.pem") + &testdata("ca-ecdsa-root.cert.pem");
    let v = WebPkiClientVerifier::new(TrustAnchors::from_pem_bundle(&pem).unwrap());
    Arc::new(if mandatory {
        v
    } else {
        v.allow_unauthenticated()
    })
}

/// An event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    /// [`Event::HandshakeComplete`].
    HandshakeComplete,
    /// Application data read from [`Connection::app_data`] (one record's worth),
    /// copied, in its place among the events.
    AppData(Vec<u8>),
    /// [`Event::PeerClosed`].
    PeerClosed {
        /// After close_notify.
        clean: bool,
    },
    /// [`Event::Alert`].
    Alert(AlertDescription),
    /// [`Event::Trace`].
    Trace(Trace),
}

/// Which way bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    ToServer,
    /// Server to client.
    ToClient,
}

/// A hook that sees (and may change) every chunk of bytes in flight.
pub type Filter = Box<dyn FnMut(Dir, &mut Vec<u8>)>;

/// A key log that keeps its lines.
#[derive(Default)]
pub struct Collect(pub Mutex<Vec<String>>);
impl KeyLog for Collect {
    fn log(&self, line: &str) {
        self.0.lock().unwrap().push(line.to_string());
    }
}

/// A client and a server connected in memory.
pub struct Pair {
    /// The client.
    pub client: Connection,
    /// The server.
    pub server: Connection,
    /// The time passed to every input.
    pub now: UnixTime,
    /// Everything the client reported.
    pub client_events: Vec<Ev>,
    /// Everything the server reported.
    pub server_events: Vec<Ev>,
    /// The client's error, once it failed.
    pub client_error: Option<Error>,
    /// The server's error, once it failed.
    pub server_error: Option<Error>,
    /// Every byte the client transmitted, before any filter.
    pub sent_by_client: Vec<u8>,
    /// Every byte the server transmitted, before any filter.
    pub sent_by_server: Vec<u8>,
    /// Bytes delivered per `handle_recv` call.
    pub read_chunk: usize,
    /// Sees and may change every chunk in flight.
    pub filter: Option<Filter>,
}

impl Pair {
    /// A pair whose client connects to `localhost`, at [`NOW`].
    pub fn new(client: ClientConfig, server: ServerConfig) -> Self {
        Self::with_name(client, server, "localhost")
    }

    /// A pair of default configurations ([`client_builder`], [`server_builder`]) whose
    /// client connects to `localhost`, at [`NOW`].
    pub fn with_defaults() -> Self {
        Self::new(
            client_builder().build().unwrap(),
            server_builder().build().unwrap(),
        )
    }

    /// A pair whose client connects to `name`, at [`NOW`].
    pub fn with_name(client: ClientConfig, server: ServerConfig, name: &str) -> Self {
        Self::at(client, server, name, NOW)
    }

    /// A pair whose client connects to `name`, at `now`. The client's generator is
    /// seeded with `[1; 32]`, the server's with `[2; 32]`.
    pub fn at(client: ClientConfig, server: ServerConfig, name: &str, now: UnixTime) -> Self {
        Self::shared(&Arc::new(client), &Arc::new(server), name, now, 1)
    }

    /// A pair of connections made from shared configurations (so that a later pair
    /// can resume the sessions an earlier one left in their stores), the client
    /// connecting to `name` at `now`. The client's generator is seeded with `[seed;
    /// 32]`, the server's with `[seed + 1; 32]`.
    pub fn shared(
        client: &Arc<ClientConfig>,
        server: &Arc<ServerConfig>,
        name: &str,
        now: UnixTime,
        seed: u8,
    ) -> Self {
        let mut crng = SeededRng::from_seed([seed; 32]);
        let mut srng = SeededRng::from_seed([seed.wrapping_add(1); 32]);
        let client =
            Connection::client(Arc::clone(client), name.try_into().unwrap(), now, &mut crng)
                .unwrap();
        let server = Connection::server(Arc::clone(server), now, &mut srng).unwrap();
        Pair {
            client,
            server,
            now,
            client_events: Vec::new(),
            server_events: Vec::new(),
            client_error: None,
            server_error: None,
            sent_by_client: Vec::new(),
            sent_by_server: Vec::new(),
            read_chunk: usize::MAX,
            filter: None,
        }
    }

    /// Appends every event `conn` has ready to `out`, owned, with the application
    /// data it received consumed in between (as [`Ev::AppData`]); returns the error
    /// that consuming ran into (the records after the data), if any.
    pub fn drain_events(conn: &mut Connection, out: &mut Vec<Ev>) -> Result<(), Error> {
        loop {
            while let Some(ev) = conn.poll_event() {
                out.push(match ev {
                    Event::HandshakeComplete { .. } => Ev::HandshakeComplete,
                    Event::PeerClosed { clean } => Ev::PeerClosed { clean },
                    Event::Alert(a) => Ev::Alert(a),
                    Event::Trace(t) => Ev::Trace(t),
                    other => panic!("unknown event {other:?}"),
                });
            }
            let data = conn.app_data().to_vec();
            if data.is_empty() {
                return Ok(());
            }
            out.push(Ev::AppData(data));
            conn.consume(conn.app_data().len())?;
        }
    }

    /// Moves one side's output to the other; returns whether any byte moved.
    fn step(&mut self, dir: Dir) -> bool {
        let (from, to, sent, events, err) = match dir {
            Dir::ToServer => (
                &mut self.client,
                &mut self.server,
                &mut self.sent_by_client,
                &mut self.server_events,
                &mut self.server_error,
            ),
            Dir::ToClient => (
                &mut self.server,
                &mut self.client,
                &mut self.sent_by_server,
                &mut self.client_events,
                &mut self.client_error,
            ),
        };
        let mut chunk = from.poll_transmit().to_vec();
        if chunk.is_empty() {
            return false;
        }
        from.handle_transmitted(chunk.len()).unwrap();
        sent.extend_from_slice(&chunk);
        if let Some(f) = &mut self.filter {
            f(dir, &mut chunk);
        }
        if err.is_some() {
            return true;
        }
        let mut at = 0;
        while at < chunk.len() {
            let end = at + self.read_chunk.min(chunk.len() - at);
            let result = to
                .handle_recv_bytes(&chunk[at..end], self.now)
                .and_then(|n| Self::drain_events(to, events).map(|()| n));
            match result {
                Ok(n) => at += n,
                Err(e) => {
                    *err = Some(e);
                    break;
                }
            }
        }
        if let Err(e) = Self::drain_events(to, events) {
            err.get_or_insert(e);
        }
        true
    }

    /// Runs both sides until no bytes move.
    pub fn run(&mut self) {
        if let Err(e) = Self::drain_events(&mut self.client, &mut self.client_events) {
            self.client_error.get_or_insert(e);
        }
        if let Err(e) = Self::drain_events(&mut self.server, &mut self.server_events) {
            self.server_error.get_or_insert(e);
        }
        for _ in 0..10_000 {
            let a = self.step(Dir::ToServer);
            let b = self.step(Dir::ToClient);
            if !a && !b {
                return;
            }
        }
        panic!("pair did not settle");
    }

    /// Sends all of `data` from one side, running the pair as needed. Panics if `send`
    /// fails, or takes nothing while the transmit buffer is empty (the buffer cannot
    /// hold one record: running the pair would never make room, so this would spin).
    #[track_caller]
    pub fn send(&mut self, from_client: bool, data: &[u8]) {
        let mut at = 0;
        while at < data.len() {
            let conn = if from_client {
                &mut self.client
            } else {
                &mut self.server
            };
            let empty = conn.poll_transmit().is_empty();
            let n = conn.send(&data[at..]).unwrap();
            assert!(
                n > 0 || !empty,
                "send took nothing with an empty transmit buffer"
            );
            at += n;
            self.run();
        }
    }

    /// Runs the pair and panics unless both sides reported [`Ev::HandshakeComplete`];
    /// the panic message starts with `what` (say which case failed, or leave it empty)
    /// and shows both sides' errors.
    #[track_caller]
    pub fn run_handshake(&mut self, what: &str) {
        self.run();
        assert!(
            self.handshake_done(),
            "{what}{}the handshake did not complete: client error {:?}, server error {:?}",
            if what.is_empty() { "" } else { ": " },
            self.client_error,
            self.server_error
        );
    }

    /// Runs the pair and checks that one side (the client if `client_fails`, else the
    /// server) failed with `err`, that `err` maps to the fatal alert `alert`, that the
    /// other side failed on receiving that alert, and that the handshake did not
    /// complete.
    #[track_caller]
    pub fn expect_failure(&mut self, client_fails: bool, err: &Error, alert: AlertDescription) {
        self.run();
        let (mine, theirs) = if client_fails {
            (&self.client_error, &self.server_error)
        } else {
            (&self.server_error, &self.client_error)
        };
        assert_eq!(mine.as_ref(), Some(err), "other side: {theirs:?}");
        assert_eq!(err.alert(), Some(alert));
        assert_eq!(theirs.as_ref(), Some(&Error::AlertReceived(alert)));
        assert!(!self.handshake_done());
    }

    /// Whether both sides completed a handshake that resumed a session (each side's
    /// [`sanstls_proto::Negotiated::resumed`]); panics if either did not complete.
    #[track_caller]
    pub fn resumed(&self) -> bool {
        let c = self
            .client
            .negotiated()
            .expect("client handshake not complete");
        let s = self
            .server
            .negotiated()
            .expect("server handshake not complete");
        assert_eq!(c.resumed, s.resumed, "the two sides disagree on resumption");
        c.resumed
    }

    /// Whether both sides reported [`Ev::HandshakeComplete`].
    pub fn handshake_done(&self) -> bool {
        self.client_events.contains(&Ev::HandshakeComplete)
            && self.server_events.contains(&Ev::HandshakeComplete)
    }

    /// All application data in `events`, concatenated.
    pub fn app_data(events: &[Ev]) -> Vec<u8> {
        events
            .iter()
            .filter_map(|e| match e {
                Ev::AppData(d) => Some(d.as_slice()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }
}

/// The records in `bytes`: (content type, version, fragment).
pub fn records(mut bytes: &[u8]) -> Vec<(u8, u16, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        let end = (5 + len).min(bytes.len());
        out.push((
            bytes[0],
            u16::from_be_bytes([bytes[1], bytes[2]]),
            bytes[5..end].to_vec(),
        ));
        bytes = &bytes[end..];
    }
    out
}

/// Re-encodes records.
pub fn encode_records(recs: &[(u8, u16, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (ct, v, frag) in recs {
        out.push(*ct);
        out.extend_from_slice(&v.to_be_bytes());
        out.extend_from_slice(&(frag.len() as u16).to_be_bytes());
        out.extend_from_slice(frag);
    }
    out
}

/// A filter that splits every unprotected handshake record into records of `n` bytes
/// (records after a ChangeCipherSpec are protected and pass unchanged). It assumes each
/// chunk holds whole records, which holds for this pair.
pub fn refragment(n: usize) -> Filter {
    let mut protected = [false, false];
    Box::new(move |dir, bytes| {
        let i = dir as usize;
        let mut out = Vec::new();
        for (ct, v, frag) in records(bytes) {
            if ct == 22 && !protected[i] {
                for piece in frag.chunks(n) {
                    out.push((ct, v, piece.to_vec()));
                }
            } else {
                if ct == 20 {
                    protected[i] = true;
                }
                out.push((ct, v, frag));
            }
        }
        *bytes = encode_records(&out);
    })
}
