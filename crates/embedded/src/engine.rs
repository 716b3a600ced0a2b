//! What the blocking and the async adapter share: the connection, the caller's clock, and
//! the buffer that keeps plaintext the caller's read buffer had no room for.
//!
//! The adapters only add the IO calls around it (`write`/`read` on the transport, with or
//! without `.await`), so the two behave the same by construction.

use alloc::boxed::Box;
use alloc::vec;

use sanstls_proto::{Connection, Error as TlsError, Event, UnixTime};
use sanstls_record::MAX_RECORD_LEN;

use crate::Error;

/// The largest [`Event::AppData`] a connection can hand out at once: its
/// application-data buffer holds one record of the largest legal size (a few records'
/// worth of plaintext may be gathered in it, never more than fits).
pub(crate) const PENDING_LEN: usize = MAX_RECORD_LEN;

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
    pub(crate) now: UnixTime,
    /// Plaintext received but not yet read: `pending[start..end]`. Allocated once, at
    /// construction; it is filled only from the connection's own buffer, which is no
    /// larger.
    pending: Box<[u8]>,
    start: usize,
    end: usize,
    handshake_done: bool,
    /// `Some(clean)` once the peer's close (or the transport's end) was polled.
    peer_closed: Option<bool>,
}

impl Engine {
    pub(crate) fn new(conn: Connection, now: UnixTime) -> Self {
        Engine {
            conn,
            now,
            pending: vec![0u8; PENDING_LEN].into_boxed_slice(),
            start: 0,
            end: 0,
            handshake_done: false,
            peer_closed: None,
        }
    }

    pub(crate) fn handshake_done(&self) -> bool {
        self.handshake_done
    }

    pub(crate) fn peer_closed(&self) -> Option<bool> {
        self.peer_closed
    }

    pub(crate) fn has_pending(&self) -> bool {
        self.start < self.end
    }

    /// The buffered plaintext.
    pub(crate) fn pending(&self) -> &[u8] {
        &self.pending[self.start..self.end]
    }

    /// Marks `n` bytes of [`Engine::pending`] as read (at most all of them).
    pub(crate) fn consume(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Copies buffered plaintext into `buf`; returns how many bytes.
    pub(crate) fn read_pending(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.end - self.start);
        buf[..n].copy_from_slice(&self.pending[self.start..self.start + n]);
        self.consume(n);
        n
    }

    /// Polls the connection's events: application data moves into the pending buffer,
    /// completion and the peer's close are remembered, warnings and traces are dropped.
    /// Does nothing while plaintext is still pending (the connection keeps the rest until
    /// then; its receive room stays small, which is the back-pressure).
    pub(crate) fn poll<E>(&mut self) -> Result<(), Error<E>> {
        if self.has_pending() {
            return Ok(());
        }
        while let Some(ev) = self.conn.poll_event() {
            match ev {
                Event::HandshakeComplete => self.handshake_done = true,
                Event::AppData(data) => {
                    // `data` is at most the connection's application buffer, which is
                    // PENDING_LEN long; refuse rather than panic should that change.
                    let dst = self
                        .pending
                        .get_mut(..data.len())
                        .ok_or(TlsError::Internal("application data larger than expected"))?;
                    dst.copy_from_slice(data);
                    self.start = 0;
                    self.end = data.len();
                }
                Event::PeerClosed { clean } => self.peer_closed = Some(clean),
                // Warning alerts (no_renegotiation, user_canceled) and traces change
                // nothing here; a caller that wants them drives the Connection itself.
                _ => {}
            }
        }
        Ok(())
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
    pub(crate) fn failure<E>(&self) -> Error<E> {
        match (self.conn.error(), self.peer_closed) {
            (Some(e), _) => Error::Tls(e.clone()),
            (None, Some(true)) => Error::ClosedDuringHandshake,
            (None, _) => Error::Truncated,
        }
    }

    /// Room to read transport bytes into. Never empty once events were polled and no
    /// plaintext is pending; if it were, reading into it would look like end of file, so
    /// that is an error instead.
    pub(crate) fn recv_buf<E>(&mut self) -> Result<&mut [u8], Error<E>> {
        let buf = self.conn.recv_buf();
        if buf.is_empty() {
            return Err(Error::Tls(TlsError::Internal(
                "no room to receive while no data is pending",
            )));
        }
        Ok(buf)
    }
}
