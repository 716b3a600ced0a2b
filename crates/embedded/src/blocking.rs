//! [`TlsConnection`]: a TLS connection over a blocking embedded-io transport.

#[cfg(any(feature = "client", feature = "server"))]
use sanstls_proto::{CryptoRng, Shared};

use embedded_io::{BufRead, ErrorType, Read, Write};
#[cfg(feature = "server")]
use sanstls_proto::ServerConfig;
#[cfg(feature = "client")]
use sanstls_proto::{ClientConfig, ServerName};
use sanstls_proto::{Connection, Error as TlsError, Negotiated, UnixTime};

use crate::Error;
use crate::engine::{Engine, HandshakeStep};

/// A TLS 1.2 connection (client or server) over a blocking embedded-io transport `T`.
///
/// It is itself an embedded-io [`Read`] + [`BufRead`] + [`Write`], so it slots in
/// wherever the bare transport did. The handshake runs on the first `read` or `write`, or explicitly with
/// [`TlsConnection::handshake`].
///
/// - **Reading**: `read` returns plaintext; `Ok(0)` means the peer sent close_notify.
///   A transport that ends without close_notify gives [`Error::Truncated`]. Plaintext
///   is copied straight from the [`Connection`]'s receive-side buffer into the
///   caller's; when the caller's buffer is smaller than what arrived, the rest stays
///   in the connection until the next `read` (this adapter keeps no plaintext buffer
///   of its own). `BufRead::fill_buf` lends the connection's buffer out directly.
/// - **Writing**: `write` seals as much of the buffer as fits in the transmit buffer
///   (records of at most the configured fragment size) and writes it all to the
///   transport before returning, so no plaintext lingers unsent; `flush` also flushes
///   the transport.
/// - **Closing**: [`TlsConnection::close`] sends close_notify; reading afterwards still
///   returns what the peer sends until its own close_notify.
/// - **Time**: the device has no clock this crate may read. The time given at
///   construction is used to check certificate validity and starts the handshake's
///   deadline (the configuration's `handshake_timeout`: 30 s for a client, 10 s for a
///   server by default). Update it with [`TlsConnection::set_time`], or give the
///   connection a clock with [`TlsConnection::set_clock`]: the deadline is checked
///   on every call and whenever the transport returns, and a missed one fails the
///   handshake with [`sanstls_proto::Error::HandshakeTimeout`]. A transport read that
///   blocks for ever cannot be cut short by a check: give the transport a read timeout
///   (its error is returned, and the call can be repeated), or drive the deadline
///   yourself with [`TlsConnection::poll_timeout`] and [`TlsConnection::handle_timeout`].
/// - **Memory**: see the crate documentation; nothing is allocated once the handshake
///   is done.
pub struct TlsConnection<T> {
    transport: T,
    engine: Engine,
}

impl<T> core::fmt::Debug for TlsConnection<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsConnection")
            .field("conn", &self.engine.conn)
            .finish_non_exhaustive()
    }
}

impl<T> TlsConnection<T> {
    #[cfg(feature = "client")]
    /// A client connection to `server_name` over `transport`. Nothing is sent yet: the
    /// ClientHello goes out with the handshake.
    ///
    /// `now` is checked against the server certificate's validity period; `rng` seeds the
    /// connection's own generator (32 bytes are drawn from it, here, and never again).
    // Not inlined: its temporaries (the connection, before it is moved in) would stay
    // in the caller's frame for as long as the caller runs.
    #[inline(never)]
    pub fn client(
        transport: T,
        config: Shared<ClientConfig>,
        server_name: ServerName,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, TlsError> {
        let conn = Connection::client(config, server_name, now, rng)?;
        Ok(Self::from_connection(transport, conn, now))
    }

    #[cfg(feature = "server")]
    /// A server connection over `transport` (a client just connected); it waits for the
    /// ClientHello.
    // Not inlined: its temporaries (the connection, before it is moved in) would stay
    // in the caller's frame for as long as the caller runs.
    #[inline(never)]
    pub fn server(
        transport: T,
        config: Shared<ServerConfig>,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, TlsError> {
        let conn = Connection::server(config, now, rng)?;
        Ok(Self::from_connection(transport, conn, now))
    }

    /// Wraps a connection made elsewhere (for example with a trace-enabled config),
    /// before any of its bytes were exchanged.
    pub fn from_connection(transport: T, conn: Connection, now: UnixTime) -> Self {
        TlsConnection {
            transport,
            engine: Engine::new(conn, now),
        }
    }

    // ---- Getters -------------------------------------------------------------------

    /// The protocol state machine underneath.
    pub fn connection(&self) -> &Connection {
        &self.engine.conn
    }

    /// The protocol state machine, mutably: for what the adapter does not wrap. Moving
    /// bytes through it behind the adapter's back desynchronises nothing, but events
    /// polled here are not seen by the adapter (its handshake or close state).
    /// Plaintext received but not read yet is [`Connection::app_data`].
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.engine.conn
    }

    /// What the handshake agreed on, once it completed.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.engine.conn.negotiated()
    }

    /// Whether the handshake has completed.
    pub fn is_handshake_complete(&self) -> bool {
        self.engine.handshake_done()
    }

    /// `Some(true)` once the peer's close_notify arrived, `Some(false)` once the
    /// transport ended without one, `None` while the peer may still send.
    pub fn peer_closed(&self) -> Option<bool> {
        self.engine.peer_closed()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably. Reading or writing it directly corrupts the TLS stream.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    crate::engine::time_methods!();

    /// The transport and the connection, taking the adapter apart. Plaintext that was
    /// received but not read yet stays in the connection ([`Connection::app_data`]).
    pub fn into_parts(self) -> (T, Connection) {
        (self.transport, self.engine.conn)
    }
}

impl<T: Read + Write> TlsConnection<T> {
    // ---- Commands ------------------------------------------------------------------

    /// Runs the handshake to its end (returns at once if it already completed).
    ///
    /// On failure the fatal alert has been written to the transport; the error is
    /// [`Error::Tls`] (for example [`sanstls_proto::Error::Certificate`] when the
    /// peer's certificate is not trusted), [`Error::ClosedDuringHandshake`],
    /// [`Error::Truncated`] or a transport error.
    pub fn handshake(&mut self) -> Result<(), Error<T::Error>> {
        loop {
            self.check_failed()?;
            if self.engine.check_deadline().is_err() {
                return Err(self.fail());
            }
            self.transmit_all()?;
            self.engine.poll();
            match self.engine.handshake_step() {
                HandshakeStep::Done => return Ok(()),
                HandshakeStep::Failed => return Err(self.fail()),
                HandshakeStep::Continue => self.recv_once()?,
            }
        }
    }

    /// Sends close_notify (RFC 5246 §7.2.1) and flushes the transport. Nothing more can
    /// be written; `read` still returns the peer's data until its close_notify (then
    /// `Ok(0)`). The transport stays open: drop or close it when done.
    pub fn close(&mut self) -> Result<(), Error<T::Error>> {
        self.engine.conn.close();
        self.transmit_all()?;
        self.transport.flush().map_err(Error::Transport)
    }

    // ---- Internals -----------------------------------------------------------------

    /// Returns the sticky TLS error, after writing its alert (as far as the transport
    /// takes it: the error is what the caller needs to see, not a transport failure).
    fn check_failed(&mut self) -> Result<(), Error<T::Error>> {
        if self.engine.conn.error().is_some() {
            return Err(self.fail());
        }
        Ok(())
    }

    fn fail(&mut self) -> Error<T::Error> {
        let _ = self.transmit_all();
        self.engine.failure()
    }

    /// Writes every pending output byte to the transport.
    fn transmit_all(&mut self) -> Result<(), Error<T::Error>> {
        loop {
            let out = self.engine.conn.poll_transmit();
            if out.is_empty() {
                return Ok(());
            }
            let n = self.transport.write(out).map_err(Error::Transport)?;
            if n == 0 {
                return Err(Error::WriteZero);
            }
            self.engine.conn.handle_transmitted(n)?;
        }
    }

    /// One transport read, processed. A protocol error is returned after its alert was
    /// written.
    fn recv_once(&mut self) -> Result<(), Error<T::Error>> {
        // Only called when no plaintext waits: the connection then always has room.
        let buf = self.engine.conn.recv_buf();
        let read = self.transport.read(buf);
        let now = self.engine.now();
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                // A transport with a read timeout comes back here: past the handshake's
                // deadline, that is the error to report.
                if self.engine.conn.handle_timeout(now).is_err() {
                    return Err(self.fail());
                }
                return Err(Error::Transport(e));
            }
        };
        match self.engine.conn.handle_recv(n, now) {
            Ok(()) => Ok(()),
            Err(e) if e.is_fatal() => Err(self.fail()),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes plaintext pending, running the handshake first if needed: `true` when
    /// there is some, `false` after the peer's close_notify, [`Error::Truncated`] when
    /// the transport ended without one.
    fn fill(&mut self) -> Result<bool, Error<T::Error>> {
        self.handshake()?;
        loop {
            if self.engine.has_pending() {
                return Ok(true);
            }
            self.check_failed()?;
            self.engine.poll();
            if self.engine.has_pending() {
                continue;
            }
            if let Some(clean) = self.engine.peer_closed() {
                // Our close_notify answer is queued; the peer may already have shut the
                // transport, so its delivery is best effort.
                let _ = self.transmit_all();
                return if clean {
                    Ok(false)
                } else {
                    Err(Error::Truncated)
                };
            }
            // Whatever the connection queued (a no_renegotiation warning) goes first.
            self.transmit_all()?;
            self.recv_once()?;
        }
    }
}

impl<T: ErrorType> ErrorType for TlsConnection<T> {
    type Error = Error<T::Error>;
}

impl<T: Read + Write> Read for TlsConnection<T> {
    /// Reads plaintext, running the handshake first if needed. `Ok(0)` after the peer's
    /// close_notify; [`Error::Truncated`] if the transport ended without one.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.fill()? {
            match self.engine.conn.read(buf) {
                Ok(n) => Ok(n),
                Err(_) => Err(self.fail()),
            }
        } else {
            Ok(0)
        }
    }
}

impl<T: Read + Write> BufRead for TlsConnection<T> {
    /// The received plaintext not read yet, receiving more if there is none; empty
    /// after the peer's close_notify.
    fn fill_buf(&mut self) -> Result<&[u8], Self::Error> {
        self.fill()?;
        Ok(self.engine.conn.app_data())
    }

    fn consume(&mut self, amt: usize) {
        // An error of the records behind the data (processed now) is sticky: the next
        // call returns it.
        let amt = amt.min(self.engine.conn.app_data().len());
        let _ = self.engine.conn.consume(amt);
    }
}

impl<T: Read + Write> Write for TlsConnection<T> {
    /// Seals as much of `buf` as fits into records and writes them to the transport,
    /// running the handshake first if needed.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.handshake()?;
        self.check_failed()?;
        // What waits goes out first: with the transmit buffer empty, `send` takes at
        // least one record's worth.
        self.transmit_all()?;
        let n = match self.engine.conn.send(buf) {
            Ok(n) => n,
            Err(e) if e.is_fatal() => return Err(self.fail()),
            Err(e) => return Err(e.into()),
        };
        self.transmit_all()?;
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.transmit_all()?;
        self.transport.flush().map_err(Error::Transport)
    }
}
