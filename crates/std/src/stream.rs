//! [`TlsStream`]: a [`Connection`] driven over any `Read + Write` transport.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use sanstls_proto::{
    ClientConfig, Connection, Error as TlsError, Event, Negotiated, ServerConfig, ServerName,
    UnixTime,
};

use crate::{Error, now, os_rng};

/// The hook type of [`TlsStream::set_event_hook`].
pub type EventHook = Box<dyn FnMut(&Event) + Send>;

/// The hook type of [`TlsStream::set_call_hook`].
pub type CallHook = Box<dyn FnMut(Call<'_>) + Send>;

/// A call the stream made into its [`Connection`], reported to the hook of
/// [`TlsStream::set_call_hook`] right after it returned, in order. Together with the
/// connection's construction (time, random generator) these are everything that
/// changes the connection's state: applying them in order to a connection made the
/// same way repeats it exactly (a recording and its replay).
#[derive(Debug)]
#[non_exhaustive]
pub enum Call<'a> {
    /// `handle_recv(data.len(), now)` with `data` in the receive buffer (as it was
    /// read from the transport, before the connection processed it); an empty `data`
    /// is the transport's end of file.
    Recv {
        /// The bytes read.
        data: &'a [u8],
        /// The time passed.
        now: UnixTime,
        /// What the call returned.
        result: Result<(), &'a TlsError>,
    },
    /// `handle_timeout(now)`.
    Timeout {
        /// The time passed.
        now: UnixTime,
        /// What the call returned.
        result: Result<(), &'a TlsError>,
    },
    /// `handle_transmitted(data.len())`: `data` (the start of `poll_transmit`) went to
    /// the transport. Reported just before the call (it cannot fail for these bytes).
    Transmitted {
        /// The bytes written.
        data: &'a [u8],
    },
    /// `send(data)`, where `data` is the part of the caller's buffer the connection
    /// took (`send` of only these bytes takes them all, so this is what a replay
    /// passes); on an error, empty.
    Send {
        /// The bytes taken.
        data: &'a [u8],
        /// What the call returned.
        result: Result<usize, &'a TlsError>,
    },
    /// `read(buf)` with a buffer of `len` bytes (that is, `consume` of
    /// `min(len, app_data().len())` bytes).
    Read {
        /// The buffer's length.
        len: usize,
        /// What the call returned.
        result: Result<usize, &'a TlsError>,
    },
    /// `close()`.
    Close,
    /// `count` (at least one) events were polled, one after the other.
    Events {
        /// How many.
        count: usize,
    },
}

/// A TLS connection over a transport `S` (a `TcpStream`, a Unix socket, anything
/// `Read + Write`), blocking or non-blocking.
///
/// It implements [`Read`] and [`Write`]; the handshake runs on first use, or explicitly
/// with [`TlsStream::handshake`].
///
/// **Non-blocking transports.** When the transport returns
/// [`io::ErrorKind::WouldBlock`], every method ([`TlsStream::handshake`], `read`,
/// `write`, `flush`, [`TlsStream::close`]) returns it unchanged, having recorded exactly
/// how far it got: call the same method again when the transport is ready
/// ([`TlsStream::wants_write`] says whether output is waiting, so an event loop knows
/// which readiness to wait for). `write` never reports bytes as written that the
/// connection did not take, and never buffers more than one transmit buffer's worth.
///
/// **Memory.** The stream adds no buffer to the connection's: `read` copies received
/// plaintext straight from the connection's receive buffer, where the record was
/// decrypted, into the caller's buffer, and what does not fit stays there
/// ([`Connection::app_data`]) for the next `read`.
///
/// **Timeouts.** The handshake has a deadline (the configuration's
/// `handshake_timeout`: 30 s for a client, 10 s for a server by default, counted from the
/// stream's creation). The stream checks it whenever the transport returns during the
/// handshake (data, `WouldBlock` or `TimedOut`) and on every call; once it has passed,
/// the call fails with an `io::Error` of kind `TimedOut` carrying
/// [`sanstls_proto::Error::HandshakeTimeout`] ("handshake timed out after 10 s"), and so
/// does every later call. A blocking read that never returns cannot be cut short by a
/// check, so for transports with a read timeout ([`ReadTimeout`]: `TcpStream`, Unix
/// sockets) [`TlsStream::bound_reads`] makes each handshake read wait no longer than the
/// time left; [`connect`] and [`accept`] do that for you. On a non-blocking transport
/// arm your timer from `connection().poll_timeout()` and call `handshake` (or `read`)
/// again when it fires. After the handshake there is no deadline: set read and write
/// timeouts on the socket for an idle bound; a `WouldBlock` or `TimedOut` from them
/// passes through unchanged and the call can be repeated.
///
/// **Errors.** A TLS failure is returned as an `io::Error` (kind `InvalidData`, or
/// `ConnectionAborted` when the peer sent a fatal alert) that carries an
/// [`Error::Tls`]; recover it with [`crate::tls_error`]. Before returning it the stream
/// has tried to send the fatal alert to the peer. The peer ending the connection during
/// the handshake is a plain transport error with no TLS error inside (no alert was
/// exchanged): `UnexpectedEof` when the transport ended, `ConnectionAborted` after its
/// close_notify (the connection's own error is
/// [`sanstls_proto::Error::PeerClosedDuringHandshake`]). The failure is sticky: every
/// later call returns it again.
pub struct TlsStream<S> {
    sock: S,
    conn: Connection,
    /// Set by [`TlsStream::bound_reads`]: how to read and set the transport's timeout.
    read_bound: Option<ReadBound<S>>,
    /// `Some(clean)` once the connection reported [`Event::PeerClosed`].
    peer_closed: Option<bool>,
    hook: Option<EventHook>,
    calls: Option<CallHook>,
}

impl<S: fmt::Debug> fmt::Debug for TlsStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("sock", &self.sock)
            .field("conn", &self.conn)
            .field("buffered_plaintext", &self.conn.app_data().len())
            .field("peer_closed", &self.peer_closed)
            .finish_non_exhaustive()
    }
}

impl<S: Read + Write> TlsStream<S> {
    /// A client stream to `server_name` over `sock`. No IO happens yet: the handshake
    /// runs on first use or on [`TlsStream::handshake`].
    pub fn client(
        sock: S,
        config: Arc<ClientConfig>,
        server_name: ServerName,
    ) -> Result<Self, Error> {
        let conn = Connection::client(config, server_name, now(), &mut os_rng())?;
        Ok(Self::new(sock, conn))
    }

    /// A server stream over `sock`. No IO happens yet: the handshake runs on first use
    /// or on [`TlsStream::handshake`].
    pub fn server(sock: S, config: Arc<ServerConfig>) -> Result<Self, Error> {
        let conn = Connection::server(config, now(), &mut os_rng())?;
        Ok(Self::new(sock, conn))
    }

    /// Wraps an existing connection (made with a caller-chosen random generator or
    /// clock, for example) around `sock`.
    pub fn from_connection(sock: S, conn: Connection) -> Self {
        Self::new(sock, conn)
    }

    fn new(sock: S, conn: Connection) -> Self {
        TlsStream {
            sock,
            conn,
            read_bound: None,
            peer_closed: None,
            hook: None,
            calls: None,
        }
    }

    // ---- Getters -------------------------------------------------------------------

    /// The TLS connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The TLS connection, mutably (to read its state; moving bytes yourself while the
    /// stream also does is not supported).
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// What the handshake agreed on, once it completed.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.conn.negotiated()
    }

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    /// Whether TLS bytes wait to be written to the transport (an event loop should then
    /// wait for the transport to become writable, and call `flush`, `write`,
    /// `handshake` or `close` again).
    pub fn wants_write(&self) -> bool {
        !self.conn.poll_transmit().is_empty()
    }

    /// How many bytes of received plaintext `read` can return without touching the
    /// transport (they wait in the connection: [`Connection::app_data`]).
    pub fn buffered_plaintext(&self) -> usize {
        self.conn.app_data().len()
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        &self.sock
    }

    /// The transport, mutably (reading or writing it directly corrupts the TLS stream).
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.sock
    }

    /// The transport, dropping the TLS state.
    pub fn into_inner(self) -> S {
        self.sock
    }

    /// Calls `hook` for every event other than application data as the stream polls
    /// them: traces (when the configuration asks for them), warning alerts,
    /// `HandshakeComplete`, `PeerClosed`.
    pub fn set_event_hook(&mut self, hook: EventHook) {
        self.hook = Some(hook);
    }

    /// Calls `hook` with every call the stream makes into the connection, right after
    /// it (see [`Call`]): to record a connection for a replay. Set it before the first
    /// IO. (Moving bytes through [`TlsStream::connection_mut`] is not reported.)
    pub fn set_call_hook(&mut self, hook: CallHook) {
        self.calls = Some(hook);
    }

    // ---- Commands ------------------------------------------------------------------

    /// Makes every read the handshake does on the transport wait no longer than the time
    /// left before the handshake's deadline, by lowering the transport's read timeout
    /// for that read (and putting the caller's own timeout back afterwards; when the
    /// caller's is shorter, it applies, and its `WouldBlock`/`TimedOut` is returned as
    /// usual). Without it a blocking transport with no timeout can wait for a silent
    /// peer beyond the deadline. [`connect`] and [`accept`] call it.
    pub fn bound_reads(&mut self)
    where
        S: ReadTimeout,
    {
        self.read_bound = Some(ReadBound {
            get: S::read_timeout,
            set: S::set_read_timeout,
        });
    }

    /// Drives the handshake until it completes. Called implicitly by the first `read` or
    /// `write`; calling it after completion does nothing. On a non-blocking transport
    /// it returns `WouldBlock` when it has to wait: call it again.
    pub fn handshake(&mut self) -> io::Result<()> {
        self.sticky()?;
        loop {
            self.check_deadline()?;
            self.write_pending()?;
            self.poll_events();
            if !self.conn.is_handshaking() {
                // Ended: completed (data that arrived right behind the peer's Finished
                // stays in the connection for `read`), or failed with the connection's
                // sticky error (which includes the peer closing during the handshake).
                return self.sticky();
            }
            self.read_tls()?;
        }
    }

    /// Sends close_notify (RFC 5246 §7.2.1) and flushes it. Nothing can be written
    /// afterwards; data the peer still sends can be read until its own close_notify
    /// (`read` returns `Ok(0)` then). On a non-blocking transport it returns
    /// `WouldBlock` when it has to wait: call it again. The transport itself stays open
    /// (drop the stream, or shut the socket down, to close it).
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.close();
        if let Some(calls) = &mut self.calls {
            calls(Call::Close);
        }
        self.write_pending()?;
        self.sticky()?;
        self.sock.flush()
    }

    // ---- Internals -----------------------------------------------------------------

    /// Writes every pending TLS byte to the transport.
    fn write_pending(&mut self) -> io::Result<()> {
        loop {
            let out = self.conn.poll_transmit();
            if out.is_empty() {
                return Ok(());
            }
            match self.sock.write(out) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the transport accepted no bytes",
                    ));
                }
                Ok(n) => {
                    if let (Some(calls), Some(data)) = (&mut self.calls, out.get(..n)) {
                        calls(Call::Transmitted { data });
                    }
                    self.conn
                        .handle_transmitted(n)
                        .map_err(|e| io::Error::from(Error::Tls(e)))?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// After a TLS error: try to deliver the queued fatal alert (RFC 5246 §7.2.2 asks for
    /// it), without waiting for the transport, and turn the error into an `io::Error`.
    ///
    /// The peer closing during the handshake is reported as a transport error
    /// ([`Error::Io`], no TLS error inside): no alert was exchanged, and [`connect`]
    /// promises `Error::Tls` only when one was. Kinds: `UnexpectedEof` when the
    /// transport ended, `ConnectionAborted` after a close_notify.
    fn fail(&mut self, e: TlsError) -> io::Error {
        let _ = self.write_pending();
        match e {
            TlsError::PeerClosedDuringHandshake { clean: false } => io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the peer closed the transport during the TLS handshake \
                 (it may not speak TLS 1.2, or refused this connection without an alert)",
            ),
            TlsError::PeerClosedDuringHandshake { clean: true } => io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the peer closed the connection (close_notify) during the handshake",
            ),
            e => Error::Tls(e).into(),
        }
    }

    /// The connection's sticky error, if it has one (its alert is retried first).
    fn sticky(&mut self) -> io::Result<()> {
        match self.conn.error() {
            Some(e) => {
                let e = e.clone();
                Err(self.fail(e))
            }
            None => Ok(()),
        }
    }

    /// Fails with the handshake's timeout once its deadline has passed.
    fn check_deadline(&mut self) -> io::Result<()> {
        let at = now();
        let result = self.conn.handle_timeout(at);
        if let Some(calls) = &mut self.calls {
            calls(Call::Timeout {
                now: at,
                result: result.as_ref().copied(),
            });
        }
        match result {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Before a read during the handshake: with [`TlsStream::bound_reads`], lowers the
    /// transport's read timeout to the time left. Returns the caller's timeout to put
    /// back after the read, when it was changed.
    fn bound_read(&mut self) -> io::Result<Option<Restore>> {
        let (Some(bound), Some(deadline)) = (&self.read_bound, self.conn.poll_timeout()) else {
            return Ok(None);
        };
        let (get, set) = (bound.get, bound.set);
        // At least 1 ms: a zero timeout means "none" to the socket API.
        let left = deadline
            .saturating_duration_since(now())
            .max(Duration::from_millis(1));
        let theirs = get(&self.sock)?;
        if theirs.is_some_and(|t| t <= left) {
            return Ok(None);
        }
        set(&self.sock, Some(left))?;
        Ok(Some(Restore(theirs)))
    }

    /// Reads once from the transport into the connection and processes what came.
    /// Returns the number of bytes read (0: end of file).
    fn read_tls(&mut self) -> io::Result<usize> {
        loop {
            self.check_deadline()?;
            let restore = self.bound_read()?;
            // The stream reads from the transport only when no application data waits
            // in the connection, and then the connection always has room (it holds at
            // most a partial record).
            let buf = self.conn.recv_buf();
            let read = self.sock.read(buf);
            // For the call hook: the bytes as read (processing decrypts them in place).
            let copy = match (&read, &self.calls) {
                (Ok(n), Some(_)) => buf.get(..*n).map(<[u8]>::to_vec),
                _ => None,
            };
            if let (Some(Restore(theirs)), Some(bound)) = (restore, &self.read_bound) {
                (bound.set)(&self.sock, theirs)?;
            }
            match read {
                Ok(n) => {
                    let at = now();
                    let result = self.conn.handle_recv(n, at);
                    if let (Some(calls), Some(data)) = (&mut self.calls, &copy) {
                        calls(Call::Recv {
                            data,
                            now: at,
                            result: result.as_ref().copied(),
                        });
                    }
                    return match result {
                        Ok(()) => Ok(n),
                        Err(e) => Err(self.fail(e)),
                    };
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    // The deadline may be what stopped the wait (the timeout this stream
                    // set, or the caller's own, or a non-blocking socket polled late).
                    self.check_deadline()?;
                    if restore.is_none() {
                        return Err(e);
                    }
                    // Our own bound ran out a little before the deadline: wait the rest.
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Polls every event: they go to the hook; `PeerClosed` is remembered.
    fn poll_events(&mut self) {
        let mut count = 0;
        while let Some(ev) = self.conn.poll_event() {
            count += 1;
            if let Event::PeerClosed { clean } = ev {
                self.peer_closed = Some(clean);
            }
            if let Some(hook) = &mut self.hook {
                hook(&ev);
            }
        }
        if let (Some(calls), true) = (&mut self.calls, count > 0) {
            calls(Call::Events { count });
        }
    }

    /// Copies waiting application data into `buf` (and consumes it from the
    /// connection, which then processes the records behind it). Returns the number of
    /// bytes copied: 0 when none is waiting.
    fn read_app_data(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = self.conn.read(buf);
        if let Some(calls) = &mut self.calls {
            calls(Call::Read {
                len: buf.len(),
                result: result.as_ref().copied(),
            });
        }
        match result {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e)),
        }
    }
}

impl<S: Read + Write> Read for TlsStream<S> {
    /// Reads plaintext. Returns `Ok(0)` after the peer's close_notify; a transport that
    /// ends without one is an `UnexpectedEof` error (the data may have been truncated,
    /// RFC 5246 §7.2.1).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.conn.is_handshaking() {
                self.handshake()?;
                continue;
            }
            self.sticky()?;
            self.poll_events();
            let n = self.read_app_data(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // Consuming may have brought the peer's close.
            self.poll_events();
            match self.peer_closed {
                Some(true) => {
                    // Our answering close_notify is queued: deliver it if we can.
                    let _ = self.write_pending();
                    return Ok(0);
                }
                Some(false) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the peer closed the transport without a TLS close_notify: \
                         the data may have been truncated",
                    ));
                }
                None => {}
            }
            // Deliver what is queued (a no_renegotiation warning, say) without waiting
            // for it: reading must not stall on a full send buffer, and a write error
            // shows up again on the next write or flush.
            let _ = self.write_pending();
            self.read_tls()?;
        }
    }
}

impl<S: Read + Write> Write for TlsStream<S> {
    /// Encrypts as much of `buf` as the connection takes and returns that count (at
    /// least one byte, or an error), then writes what the transport accepts without
    /// waiting; `flush` writes the rest.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.conn.is_handshaking() {
            self.handshake()?;
        }
        self.sticky()?;
        // Make room first: on a non-blocking transport this is where WouldBlock shows.
        let drained = match self.write_pending() {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Err(e) => return Err(e),
        };
        let sent = self.conn.send(buf);
        if let Some(calls) = &mut self.calls {
            let taken = sent.as_ref().map_or(0, |&n| n);
            calls(Call::Send {
                data: buf.get(..taken).unwrap_or_default(),
                result: sent.as_ref().copied(),
            });
        }
        let n = match sent {
            Ok(n) => n,
            Err(e @ TlsError::ApiMisuse(_)) => return Err(Error::Tls(e).into()),
            Err(e) => return Err(self.fail(e)),
        };
        if n == 0 {
            // The transport did not take everything pending, so the transmit buffer has
            // no room for a record yet (with nothing pending, `send` always takes at
            // least one record's worth).
            debug_assert!(!drained);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        // The bytes are taken: report them whatever the transport says now (an error
        // shows up again on the next write or flush).
        let _ = self.write_pending();
        Ok(n)
    }

    /// Writes every pending TLS byte to the transport, then flushes the transport.
    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        self.sticky()?;
        self.sock.flush()
    }
}

/// Connects to `addr` over TCP and completes a TLS handshake with `server_name` (a DNS
/// name or an IP address, checked against the server's certificate).
///
/// A failed handshake is an [`Error::Tls`] (the fatal alert was sent to the server, or
/// received from it); a transport problem is an [`Error::Io`]. To watch the handshake's
/// events (traces), make the stream with [`TlsStream::client`] over your own
/// `TcpStream`, call [`TlsStream::set_event_hook`], then [`TlsStream::handshake`].
pub fn connect(
    addr: impl ToSocketAddrs,
    server_name: &str,
    config: Arc<ClientConfig>,
) -> Result<TlsStream<TcpStream>, Error> {
    let name =
        ServerName::new(server_name).map_err(|_| Error::InvalidServerName(server_name.into()))?;
    let sock = TcpStream::connect(addr)?;
    let mut stream = TlsStream::client(sock, config, name)?;
    stream.bound_reads();
    stream.handshake()?;
    Ok(stream)
}

/// Accepts one TCP connection from `listener` and wraps it in a server [`TlsStream`].
/// The handshake runs on first use (or [`TlsStream::handshake`]), so the caller can hand
/// the stream to a thread first.
pub fn accept(
    listener: &TcpListener,
    config: Arc<ServerConfig>,
) -> Result<(TlsStream<TcpStream>, SocketAddr), Error> {
    let (sock, addr) = listener.accept()?;
    let mut stream = TlsStream::server(sock, config)?;
    stream.bound_reads();
    Ok((stream, addr))
}

/// A transport whose blocking reads can time out, so that [`TlsStream::bound_reads`]
/// can hold the handshake to its deadline.
pub trait ReadTimeout {
    /// The current read timeout (`None`: reads block until data comes).
    fn read_timeout(&self) -> io::Result<Option<Duration>>;
    /// Sets the read timeout (`None`: none; never called with a zero duration).
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl ReadTimeout for TcpStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        TcpStream::read_timeout(self)
    }
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

#[cfg(unix)]
impl ReadTimeout for std::os::unix::net::UnixStream {
    fn read_timeout(&self) -> io::Result<Option<Duration>> {
        std::os::unix::net::UnixStream::read_timeout(self)
    }
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }
}

/// The caller's read timeout, to put back after a read this stream bounded.
#[derive(Clone, Copy)]
struct Restore(Option<Duration>);

/// [`ReadTimeout`]'s functions for the transport of one stream.
struct ReadBound<S> {
    get: fn(&S) -> io::Result<Option<Duration>>,
    set: fn(&S, Option<Duration>) -> io::Result<()>,
}
