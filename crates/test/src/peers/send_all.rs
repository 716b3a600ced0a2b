//! Sending more than one transmit buffer holds: [`Connection::send`] takes only what
//! fits (one record of the negotiated size once the handshake is done), so a reply
//! larger than that is sent piece by piece, transmitting in between.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{Connection, Error, ServerConfig};

use super::{Outcome, Peer, accept, drive, now};

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
    config: ServerConfig,
    seed: u8,
    spawn: impl FnOnce(u16) -> Peer,
    until: &[u8],
    reply: &[u8],
) -> (Result<Outcome, Error>, Peer) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
    let port = listener.local_addr().expect("listener address").port();
    let mut peer = spawn(port);
    let mut sock = accept(&listener, &mut peer);
    let mut writer: TcpStream = sock.try_clone().expect("cloning the socket");
    let mut rng = SeededRng::from_seed([seed; 32]);
    let mut conn =
        Connection::server(Arc::new(config), now(), &mut rng).expect("a server connection");
    let mut got = Vec::new();
    let mut failed = None;
    let result = drive(
        &mut conn,
        &mut sock,
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
    peer.wait();
    let result = match (result, failed) {
        (Ok(_), Some(e)) => Err(e),
        (result, _) => result,
    };
    (result, peer)
}
