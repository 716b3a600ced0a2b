//! Sending more than one transmit buffer holds: [`Connection::send`] takes only what
//! fits (one record of the negotiated size once the handshake is done), so a reply
//! larger than that is sent piece by piece, transmitting in between. And a sanstls
//! server on an ephemeral port for a client that connects once ([`serve_one`]) or
//! several times ([`serve_many`], for session resumption).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{Connection, Direction, Error, ServerConfig, Trace, TraceKind};
use sanstls_wire::enums::HandshakeType;

use super::{Outcome, Peer, accept, drive_traced, now};

/// Sends all of `data` on `conn`, writing its transmit buffer to `sock` whenever it
/// fills (and once more at the end, so nothing is left queued).
///
/// # Panics
/// On a socket write error, or if `conn` takes nothing while it has nothing to
/// transmit (it could never make progress).
pub fn send_all(
    conn: &mut Connection,
    sock: &mut impl Write,
    mut data: &[u8],
) -> Result<(), Error> {
    loop {
        let n = conn.send(data)?;
        data = &data[n..];
        assert!(
            n > 0 || data.is_empty() || !conn.poll_transmit().is_empty(),
            "send took nothing and there is nothing to transmit"
        );
        while !conn.poll_transmit().is_empty() {
            let n = sock.write(conn.poll_transmit()).expect("socket write");
            conn.handle_transmitted(n)?;
        }
        if data.is_empty() {
            return Ok(());
        }
    }
}

/// Serves one connection on a 127.0.0.1 ephemeral port, with a server seeded with
/// `seed`, to the client `spawn` starts (given the port). Once the data received ends
/// with `until` it sends `reply` (with [`send_all`]: it may be longer than the transmit
/// buffer, as under a negotiated max_fragment_length or record_size_limit) and closes.
/// When the connection is over the client is waited for (so its output is complete)
/// and returned with the server's outcome.
///
/// # Panics
/// If the listener cannot be bound, the client never connects, or it does not exit
/// within [`HANG_GUARD`](super::HANG_GUARD) after the connection ended.
pub fn serve_one(
    config: impl Into<Arc<ServerConfig>>,
    seed: u8,
    spawn: impl FnOnce(u16) -> Peer,
    until: &[u8],
    reply: &[u8],
) -> (Result<Outcome, Error>, Peer) {
    let (mut served, peer) = serve_many(config, seed, 1, spawn, until, reply);
    let one = served.pop().expect("serve_many serves as many as asked");
    (one.result, peer)
}

/// What [`serve_many`] saw of one connection.
#[derive(Debug)]
pub struct Served {
    /// The server's outcome.
    pub result: Result<Outcome, Error>,
    /// The trace events of the connection (empty unless the configuration asked for
    /// them with `trace(true)`), also when it failed: e.g. whether the server sent a
    /// NewSessionTicket.
    pub traces: Vec<Trace>,
}

impl Served {
    /// Whether the server sent a handshake message of type `kind` on this connection
    /// (from [`Served::traces`], so only with a configuration that traces).
    pub fn sent(&self, kind: HandshakeType) -> bool {
        self.traces
            .iter()
            .any(|t| t.direction == Direction::Sent && t.kind == TraceKind::Handshake(kind))
    }

    /// Whether the handshake completed and resumed a session
    /// ([`Negotiated::resumed`](sanstls_proto::Negotiated::resumed)).
    pub fn resumed(&self) -> bool {
        self.result
            .as_ref()
            .ok()
            .and_then(|o| o.negotiated.as_ref())
            .is_some_and(|n| n.resumed)
    }
}

/// [`serve_one`] for a client that connects `connections` times, one after another
/// (`openssl s_client -reconnect`, a script that resumes its first session): every
/// connection is accepted on the same port and served by a [`Connection`] of the same
/// `config` (so they share its session cache and ticket keys), seeded with `seed`,
/// `seed + 1`, ... Each one answers `reply` once its data ends with `until`, as
/// [`serve_one`] does, and keeps its trace events. Once the last connection is over
/// the client is waited for and returned with what each connection saw, in order.
///
/// # Panics
/// As [`serve_one`]; also if the client exits before it has made `connections`
/// connections (the message holds what it printed).
pub fn serve_many(
    config: impl Into<Arc<ServerConfig>>,
    seed: u8,
    connections: usize,
    spawn: impl FnOnce(u16) -> Peer,
    until: &[u8],
    reply: &[u8],
) -> (Vec<Served>, Peer) {
    let config = config.into();
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
    let port = listener.local_addr().expect("listener address").port();
    let mut peer = spawn(port);
    let mut served = Vec::with_capacity(connections);
    for i in 0..connections {
        let mut sock = accept(&listener, &mut peer);
        let mut writer: TcpStream = sock.try_clone().expect("cloning the socket");
        // Seeds go up by one per connection (wrapping): distinct randoms each time.
        let seed = seed.wrapping_add(u8::try_from(i % 256).expect("below 256"));
        let mut rng = SeededRng::from_seed([seed; 32]);
        let mut conn =
            Connection::server(Arc::clone(&config), now(), &mut rng).expect("a server connection");
        let mut got = Vec::new();
        let mut failed = None;
        let mut traces = Vec::new();
        let result = drive_traced(
            &mut conn,
            &mut sock,
            &mut traces,
            |_| {},
            |c, data| {
                got.extend_from_slice(data);
                if failed.is_none() && got.ends_with(until) {
                    match send_all(c, &mut writer, reply) {
                        Ok(()) => c.close(),
                        Err(e) => failed = Some(e),
                    }
                }
            },
        );
        drop(sock);
        drop(writer);
        let result = match (result, failed) {
            (Ok(_), Some(e)) => Err(e),
            (result, _) => result,
        };
        served.push(Served { result, traces });
    }
    peer.wait();
    (served, peer)
}
