//! An in-memory duplex byte pipe for driving OpenSSL's `SslStream` without sockets.
//!
//! Each end reads what the other wrote; a read of an empty pipe is `WouldBlock`, so a
//! non-blocking handshake loop can alternate between the two ends.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::rc::Rc;

/// One end of the pipe.
#[derive(Clone, Debug, Default)]
pub struct PipeEnd {
    rx: Rc<RefCell<VecDeque<u8>>>,
    tx: Rc<RefCell<VecDeque<u8>>>,
}

impl PipeEnd {
    /// Bytes written by the other end and not yet read.
    pub fn pending(&self) -> usize {
        self.rx.borrow().len()
    }

    /// A copy of what this end wrote that the other end has not read yet.
    pub fn outgoing(&self) -> Vec<u8> {
        self.tx.borrow().iter().copied().collect()
    }

    /// Take what this end wrote that the other end has not read yet (the other end will
    /// not see it).
    pub fn take_outgoing(&self) -> Vec<u8> {
        self.tx.borrow_mut().drain(..).collect()
    }
}

impl Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut rx = self.rx.borrow_mut();
        if rx.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        // `VecDeque<u8>`'s own `Read` copies slices, not bytes one at a time.
        rx.read(buf)
    }
}

impl Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx.borrow_mut().extend(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A connected pair of ends, (a, b), each with `capacity` bytes reserved per direction.
pub fn pipe(capacity: usize) -> (PipeEnd, PipeEnd) {
    let a = Rc::new(RefCell::new(VecDeque::with_capacity(capacity)));
    let b = Rc::new(RefCell::new(VecDeque::with_capacity(capacity)));
    (
        PipeEnd {
            rx: Rc::clone(&a),
            tx: Rc::clone(&b),
        },
        PipeEnd { rx: b, tx: a },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_end_reads_what_the_other_wrote() {
        let (mut a, mut b) = pipe(16);
        let mut buf = [0u8; 8];
        assert_eq!(
            a.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.write_all(b"hello").unwrap();
        assert_eq!(b.pending(), 5);
        assert_eq!(a.pending(), 0);
        assert_eq!(b.read(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        a.write_all(b"xy").unwrap();
        assert_eq!(a.outgoing(), b"xy");
        assert_eq!(a.take_outgoing(), b"xy");
        assert_eq!(b.pending(), 0);
        b.write_all(b"back").unwrap();
        assert_eq!(a.read(&mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"back");
    }
}
