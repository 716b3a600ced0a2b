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

/// A value on the heap, placed there fallibly ([`Error::OutOfMemory`] when the heap
/// cannot hold it). The connection keeps its large parts (its record states, a few
/// hundred bytes to a kilobyte each) this way, so that a `Connection` is small to move
/// and to keep on a device's stack. (`Box::try_new` is not stable; a one-element boxed
/// array reserves fallibly through `Vec`, without unsafe code.)
pub(crate) struct Boxed<T>(Box<[T; 1]>);

impl<T> Boxed<T> {
    pub(crate) fn new(value: T) -> Result<Self, Error> {
        let bytes = core::mem::size_of::<T>();
        let mut v = Vec::new();
        v.try_reserve_exact(1)
            .map_err(|_| Error::OutOfMemory { bytes })?;
        v.push(value);
        let one: Box<[T; 1]> = v
            .into_boxed_slice()
            .try_into()
            .map_err(|_| Error::OutOfMemory { bytes })?;
        Ok(Boxed(one))
    }
}

impl<T> core::ops::Deref for Boxed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0[0]
    }
}

impl<T> core::ops::DerefMut for Boxed<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0[0]
    }
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
