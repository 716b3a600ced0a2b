//! The transmit buffer: sealed records waiting for the transport.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::error::Error;

/// A zeroed buffer of `len` bytes, reserved fallibly: [`Error::OutOfMemory`] when the
/// heap cannot hold it (the per-connection buffers must not abort a device).
pub(crate) fn zeroed(len: usize) -> Result<Box<[u8]>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| Error::OutOfMemory { bytes: len })?;
    v.resize(len, 0);
    Ok(v.into_boxed_slice())
}

/// The outgoing bytes: `buf[start..end]` waits for the transport. Allocated once; room
/// is made by moving the pending bytes to the front when the caller transmitted some.
pub(crate) struct TxBuf {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl TxBuf {
    /// An empty buffer of `len` bytes.
    pub(crate) fn new(len: usize) -> Result<Self, Error> {
        Ok(TxBuf {
            buf: zeroed(len)?,
            start: 0,
            end: 0,
        })
    }

    /// The bytes waiting for the transport.
    pub(crate) fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// `n` pending bytes went out; `false` if there were fewer.
    pub(crate) fn transmitted(&mut self, n: usize) -> bool {
        if n > self.end - self.start {
            return false;
        }
        self.start += n;
        true
    }

    /// The free room behind the pending bytes (moved to the front first).
    pub(crate) fn free(&mut self) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf[self.end..]
    }

    /// `n` bytes were written at the start of [`TxBuf::free`].
    pub(crate) fn filled(&mut self, n: usize) {
        debug_assert!(self.end + n <= self.buf.len());
        self.end = (self.end + n).min(self.buf.len());
    }

    /// Replaces the buffer by one of `len` bytes (at least the pending bytes), keeping
    /// what is pending: after the handshake, the room for a whole flight goes.
    /// Fails (keeping the old buffer) when the heap cannot hold the new one.
    pub(crate) fn resize(&mut self, len: usize) -> Result<(), Error> {
        let pending = self.end - self.start;
        let mut buf = zeroed(len.max(pending))?;
        buf[..pending].copy_from_slice(self.pending());
        self.buf = buf;
        self.start = 0;
        self.end = pending;
        Ok(())
    }
}
