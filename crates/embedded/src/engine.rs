//! What the blocking and the async adapter share: the connection, the caller's clock, and
//! what the adapter remembers of the connection's events.
//!
//! The adapters only add the IO calls around it (`write`/`read` on the transport, with or
//! without `.await`), so the two behave the same by construction.
//!
//! Received plaintext stays in the connection's receive buffer, where it was decrypted:
//! `read` copies it from there ([`Connection::read`]) and `fill_buf` lends it
//! ([`Connection::app_data`]). The adapter has no plaintext buffer of its own.

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

pub(crate) struct Engine {
    pub(crate) conn: Connection,
    /// The time last set; used when there is no clock.
    pub(crate) now: UnixTime,
    /// The caller's clock, read before every input when set.
    pub(crate) clock: Option<fn() -> UnixTime>,
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
        !self.conn.app_data().is_empty()
    }

    /// Polls the connection's events: completion and the peer's close are remembered,
    /// warnings and traces are dropped (a caller that wants them drives the
    /// [`Connection`] itself).
    pub(crate) fn poll(&mut self) {
        while let Some(ev) = self.conn.poll_event() {
            match ev {
                Event::HandshakeComplete { .. } => self.handshake_done = true,
                Event::PeerClosed { clean } => self.peer_closed = Some(clean),
                _ => {}
            }
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
