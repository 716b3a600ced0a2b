//! Encoding into a caller's buffer, or a `Vec` behind the `alloc` feature.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use crate::error::EncodeError;
use crate::reader::LengthPrefix;

enum Out<'b> {
    Slice {
        buf: &'b mut [u8],
        len: usize,
    },
    #[cfg(feature = "alloc")]
    Vec(&'b mut Vec<u8>),
}

/// Writes encoded values into `&mut [u8]` (failing with [`EncodeError::BufferFull`] when it
/// is full) or appends to a `Vec<u8>` (feature `alloc`).
///
/// Length-prefixed vectors are written by [`Writer::prefixed`]: a zero prefix is
/// reserved, the body is written, and the prefix is patched with the body's length
/// afterwards, so no body needs to be measured twice.
pub struct Writer<'b> {
    out: Out<'b>,
}

impl<'b> Writer<'b> {
    /// A writer that fills `buf` from its start.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            out: Out::Slice { buf, len: 0 },
        }
    }

    /// A writer that appends to `vec`.
    #[cfg(feature = "alloc")]
    pub fn vec(vec: &'b mut Vec<u8>) -> Self {
        Self { out: Out::Vec(vec) }
    }

    /// The bytes in the output (for a `Vec` writer, including what it held before).
    pub fn written(&self) -> &[u8] {
        match &self.out {
            Out::Slice { buf, len } => &buf[..*len],
            #[cfg(feature = "alloc")]
            Out::Vec(v) => v,
        }
    }

    /// The number of bytes in the output.
    pub fn len(&self) -> usize {
        self.written().len()
    }

    /// Whether the output is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `data`.
    pub fn put(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        match &mut self.out {
            Out::Slice { buf, len } => {
                let end = len.checked_add(data.len()).ok_or(EncodeError::BufferFull)?;
                let dst = buf.get_mut(*len..end).ok_or(EncodeError::BufferFull)?;
                dst.copy_from_slice(data);
                *len = end;
            }
            #[cfg(feature = "alloc")]
            Out::Vec(v) => v.extend_from_slice(data),
        }
        Ok(())
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) -> Result<(), EncodeError> {
        self.put(&[v])
    }

    /// Appends a big-endian `u16`.
    pub fn u16(&mut self, v: u16) -> Result<(), EncodeError> {
        self.put(&v.to_be_bytes())
    }

    /// Appends a big-endian 24-bit integer; values above 2^24-1 are [`EncodeError::TooLong`].
    pub fn u24(&mut self, v: u32) -> Result<(), EncodeError> {
        if v > 0x00ff_ffff {
            return Err(EncodeError::TooLong);
        }
        self.put(&v.to_be_bytes()[1..])
    }

    /// Appends a big-endian `u32`.
    pub fn u32(&mut self, v: u32) -> Result<(), EncodeError> {
        self.put(&v.to_be_bytes())
    }

    fn patch(&mut self, at: usize, bytes: &[u8]) {
        match &mut self.out {
            Out::Slice { buf, .. } => buf[at..at + bytes.len()].copy_from_slice(bytes),
            #[cfg(feature = "alloc")]
            Out::Vec(v) => v[at..at + bytes.len()].copy_from_slice(bytes),
        }
    }

    /// Writes a length-prefixed body: reserves the prefix, runs `body`, then patches the
    /// prefix with the number of bytes `body` wrote. A body longer than the prefix can
    /// express is [`EncodeError::TooLong`].
    pub fn prefixed<F>(&mut self, prefix: LengthPrefix, body: F) -> Result<(), EncodeError>
    where
        F: FnOnce(&mut Self) -> Result<(), EncodeError>,
    {
        let at = self.len();
        self.put(&[0u8; 3][..prefix.size()])?;
        body(self)?;
        let n = self.len() - at - prefix.size();
        if n > prefix.max() {
            return Err(EncodeError::TooLong);
        }
        let be = (n as u32).to_be_bytes();
        self.patch(at, &be[4 - prefix.size()..]);
        Ok(())
    }

    /// Writes `data` behind a length prefix.
    pub fn vector(&mut self, prefix: LengthPrefix, data: &[u8]) -> Result<(), EncodeError> {
        self.prefixed(prefix, |w| w.put(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_writer_fills_and_stops() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        w.u16(0x0102).unwrap();
        assert_eq!(w.u24(1), Err(EncodeError::BufferFull));
        w.u8(3).unwrap();
        w.u8(4).unwrap();
        assert_eq!(w.u8(5), Err(EncodeError::BufferFull));
        assert_eq!(w.written(), &[1, 2, 3, 4]);
    }

    #[test]
    fn prefixes_are_patched() {
        let mut buf = [0u8; 16];
        let mut w = Writer::new(&mut buf);
        w.prefixed(LengthPrefix::U16, |w| {
            w.u8(9)?;
            w.vector(LengthPrefix::U8, &[7, 7])
        })
        .unwrap();
        w.prefixed(LengthPrefix::U24, |_| Ok(())).unwrap();
        assert_eq!(w.written(), &[0, 4, 9, 2, 7, 7, 0, 0, 0]);
        assert!(!w.is_empty());
    }

    #[test]
    fn too_long_for_prefix() {
        let mut buf = [0u8; 300];
        let mut w = Writer::new(&mut buf);
        assert_eq!(
            w.vector(LengthPrefix::U8, &[0; 256]),
            Err(EncodeError::TooLong)
        );
        assert_eq!(w.u24(1 << 24), Err(EncodeError::TooLong));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn vec_writer_appends() {
        let mut v = alloc::vec![0xee];
        let mut w = Writer::vec(&mut v);
        w.vector(LengthPrefix::U16, &[1, 2, 3]).unwrap();
        w.u32(0xdead_beef).unwrap();
        assert_eq!(w.len(), 10);
        assert_eq!(v, [0xee, 0, 3, 1, 2, 3, 0xde, 0xad, 0xbe, 0xef]);
    }
}
