//! What the blocking and the async adapter share: the connection, the caller's clock, and
//! the bookkeeping of received plaintext the caller has not read yet.
//!
//! The adapters only add the IO calls around it (`write`/`read` on the transport, with or
//! without `.await`), so the two behave the same by construction.
//!
//! Unread plaintext stays in the connection's own buffer: `read` copies straight from
//! the slice [`Event::AppData`] lends into the caller's buffer and reports how much it
//! took with [`Connection::app_data_used`], so the connection hands out the rest at its
//! next `poll_event` (by offset, without moving it). The adapter has no plaintext buffer
//! of its own.

use sanstls_proto::{Connection, Error as TlsError, Event, UnixTime};

use crate::Error;

/// Where a handshake stands after the events were polled.
pub(crate) enum HandshakeStep {
    /// It completed.
    Done,
    /// It failed or was ended by the peer.
    Failed,
    /// More bytes are needed from the peer.
    Continue,
}

/// The application data the last [`Connection::poll_event`] returned: `len` bytes, of
/// which the caller has used the first `used`.
///
/// While it is lent, the connection counts all `len` bytes as taken; [`Engine::settle`]
/// tells it `used` before anything polls it again.
#[derive(Clone, Copy)]
struct Lent {
    len: usize,
    used: usize,
}

pub(crate) struct Engine {
    pub(crate) conn: Connection,
    /// The time last set; used when there is no clock.
    pub(crate) now: UnixTime,
    /// The caller's clock, read before every input when set.
    pub(crate) clock: Option<fn() -> UnixTime>,
    lent: Option<Lent>,
    handshake_done: bool,
    /// `Some(clean)` once the peer's close (or the transport's end) was polled.
    peer_closed: Option<bool>,
}

impl Engine {
    pub(crate) fn new(conn: Connection, now: UnixTime) -> Self {
        Engine {
            conn,
            now,
            clock: None,
            lent: None,
            handshake_done: false,
            peer_closed: None,
        }
    }

    /// The time: the clock's, if there is one (remembered as the time set), else the
    /// time last set.
    pub(crate) fn now(&mut self) -> UnixTime {
        if let Some(clock) = self.clock {
            self.now = clock();
        }
        self.now
    }

    /// Checks the handshake's deadline against [`Engine::now`]; the error is the
    /// connection's (sticky) [`TlsError::HandshakeTimeout`] once it has passed.
    pub(crate) fn check_deadline(&mut self) -> Result<(), TlsError> {
        let now = self.now();
        self.conn.handle_timeout(now)
    }

    pub(crate) fn handshake_done(&self) -> bool {
        self.handshake_done
    }

    pub(crate) fn peer_closed(&self) -> Option<bool> {
        self.peer_closed
    }

    /// Whether received plaintext waits to be read.
    pub(crate) fn has_pending(&self) -> bool {
        self.lent.is_some_and(|l| l.used < l.len)
    }

    /// The connection, with every byte the caller used reported to it: its next
    /// `poll_event` hands out exactly the plaintext not read yet. For the adapters'
    /// `connection_mut` and `into_parts`.
    pub(crate) fn settled_conn(&mut self) -> &mut Connection {
        self.settle();
        &mut self.conn
    }

    /// Reports the used part of the lent application data to the connection, which
    /// forgets that much and hands out the rest at its next `poll_event`.
    fn settle(&mut self) {
        if let Some(l) = self.lent.take() {
            // `used <= len`, and `len` is what the last `poll_event` handed out (every
            // path to the connection's events goes through `settle` first), so this
            // cannot be refused.
            let accepted = self.conn.app_data_used(l.used);
            debug_assert!(accepted.is_ok(), "{accepted:?}");
        }
    }

    /// Notes an event that is not application data: completion and the peer's close
    /// are remembered, warnings and traces are dropped.
    fn note(handshake_done: &mut bool, peer_closed: &mut Option<bool>, ev: &Event<'_>) {
        match ev {
            Event::HandshakeComplete => *handshake_done = true,
            Event::PeerClosed { clean } => *peer_closed = Some(*clean),
            // Warning alerts (no_renegotiation, user_canceled) and traces change
            // nothing here; a caller that wants them drives the Connection itself.
            _ => {}
        }
    }

    /// Polls the connection's events up to the first application data, which stays in
    /// the connection, lent and unused (so [`Engine::has_pending`] is then true).
    /// Does nothing while plaintext is still pending: the connection keeps the rest
    /// until then, and its receive room stays small, which is the back-pressure.
    pub(crate) fn poll(&mut self) {
        if self.has_pending() {
            return;
        }
        self.settle();
        while let Some(ev) = self.conn.poll_event() {
            if let Event::AppData(data) = ev {
                // Events come in order (completion and alerts, then data, then the
                // peer's close), so stopping here skips nothing that came before.
                self.lent = Some(Lent {
                    len: data.len(),
                    used: 0,
                });
                return;
            }
            Self::note(&mut self.handshake_done, &mut self.peer_closed, &ev);
        }
    }

    /// Polls up to the application data and gives it back unused, so that the next
    /// `poll_event` returns it; returns its length (0: there is none).
    fn rewind_to_data(&mut self) -> usize {
        self.settle();
        while let Some(ev) = self.conn.poll_event() {
            if let Event::AppData(data) = ev {
                let len = data.len();
                let accepted = self.conn.app_data_used(0);
                debug_assert!(accepted.is_ok(), "{accepted:?}");
                return len;
            }
            // Events queued since the data was first polled (traces of records this
            // side sent in between).
            Self::note(&mut self.handshake_done, &mut self.peer_closed, &ev);
        }
        0
    }

    /// Copies pending plaintext straight from the connection into `buf`; returns how
    /// many bytes (0 when none is pending).
    pub(crate) fn read_pending(&mut self, buf: &mut [u8]) -> usize {
        if !self.has_pending() {
            return 0;
        }
        self.settle();
        while let Some(ev) = self.conn.poll_event() {
            if let Event::AppData(data) = ev {
                let n = buf.len().min(data.len());
                buf[..n].copy_from_slice(&data[..n]);
                self.lent = Some(Lent {
                    len: data.len(),
                    used: n,
                });
                return n;
            }
            Self::note(&mut self.handshake_done, &mut self.peer_closed, &ev);
        }
        0
    }

    /// The pending plaintext, lent straight from the connection's buffer (empty when
    /// none is pending). [`Engine::consume`] marks parts of it as read.
    pub(crate) fn pending(&mut self) -> Result<&[u8], TlsError> {
        if !self.has_pending() {
            return Ok(&[]);
        }
        let len = self.rewind_to_data();
        if len == 0 {
            self.lent = None;
            return Ok(&[]);
        }
        self.lent = Some(Lent { len, used: 0 });
        // Nothing ran since `rewind_to_data` gave the data back, so this event is it.
        match self.conn.poll_event() {
            Some(Event::AppData(data)) => Ok(data),
            _ => Err(TlsError::Internal(
                "received application data vanished between two polls",
            )),
        }
    }

    /// Marks `n` more bytes of the pending plaintext as read (at most all of them).
    pub(crate) fn consume(&mut self, n: usize) {
        if let Some(l) = &mut self.lent {
            l.used = l.used.saturating_add(n).min(l.len);
        }
    }

    /// The handshake's state after [`Engine::poll`].
    pub(crate) fn handshake_step(&self) -> HandshakeStep {
        if self.handshake_done {
            HandshakeStep::Done
        } else if self.conn.error().is_some() || self.peer_closed.is_some() {
            HandshakeStep::Failed
        } else {
            HandshakeStep::Continue
        }
    }

    /// The error to report for a failed handshake or a failed connection.
    ///
    /// The peer ending the handshake is no TLS failure (no alert was exchanged), so it
    /// gets this adapter's own variants, the same as an end after the handshake:
    /// [`Error::ClosedDuringHandshake`] after its close_notify, [`Error::Truncated`]
    /// when the transport ended.
    pub(crate) fn failure<E>(&self) -> Error<E> {
        match (self.conn.error(), self.peer_closed) {
            (Some(TlsError::PeerClosedDuringHandshake { clean: true }), _) => {
                Error::ClosedDuringHandshake
            }
            (Some(TlsError::PeerClosedDuringHandshake { clean: false }), _) => Error::Truncated,
            (Some(e), _) => Error::Tls(e.clone()),
            (None, Some(true)) => Error::ClosedDuringHandshake,
            (None, _) => Error::Truncated,
        }
    }

    /// Room to read transport bytes into. Never empty once events were polled and no
    /// plaintext is pending; if it were, reading into it would look like end of file, so
    /// that is an error instead.
    pub(crate) fn recv_buf<E>(&mut self) -> Result<&mut [u8], Error<E>> {
        self.settle();
        let buf = self.conn.recv_buf();
        if buf.is_empty() {
            return Err(Error::Tls(TlsError::Internal(
                "no room to receive while no data is pending",
            )));
        }
        Ok(buf)
    }
}

/// The time methods both adapters have, over their `engine` field: the same code and
/// docs in one place.
macro_rules! time_methods {
    () => {
        /// The time used for certificate checks.
        pub fn now(&self) -> UnixTime {
            self.engine.now
        }

        /// Corrects the time used from now on (for certificate checks, and as the base of
        /// later [`Self::handle_timeout`] calls): the device learned it from the network or
        /// an RTC. A correction is not time passing: the handshake's deadline moves with it
        /// ([`Connection::handle_clock_step`]), so a device that starts with its firmware's
        /// build date and then learns the real date does not time out at once.
        pub fn set_time(&mut self, now: UnixTime) {
            let from = self.engine.now;
            self.engine.now = now;
            self.engine.conn.handle_clock_step(from, now);
        }

        /// Reads the time from `clock` before every input from now on, instead of the time
        /// set: the certificate checks use it, and the handshake's deadline is checked
        /// against it whenever the transport returns. A plain function (not a closure) so
        /// the connection stays `Send` and costs no allocation; on a device whose
        /// monotonic timer starts at boot, add the Unix time learned at start-up to it.
        pub fn set_clock(&mut self, clock: fn() -> UnixTime) {
            self.engine.clock = Some(clock);
        }

        /// When the handshake must have completed (the deadline
        /// [`Connection::poll_timeout`] gives), while it runs; `None` after.
        pub fn poll_timeout(&self) -> Option<UnixTime> {
            self.engine.conn.poll_timeout()
        }

        /// The time is `now`: past the handshake's deadline, the connection fails with the
        /// sticky [`sanstls_proto::Error::HandshakeTimeout`], which every later call
        /// returns. For an event loop or executor with a timer: race the handshake (or a
        /// `read`) against a timer for [`Self::poll_timeout`]; when the timer wins, drop
        /// the other future (that loses nothing) and call this.
        pub fn handle_timeout(&mut self, now: UnixTime) -> Result<(), TlsError> {
            self.engine.now = now;
            self.engine.conn.handle_timeout(now)
        }
    };
}
pub(crate) use time_methods;
