//! A cursor over borrowed bytes with length-prefixed sub-readers.

use crate::error::DecodeError;

/// The width of a vector's length prefix (RFC 5246 §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthPrefix {
    /// One byte, vectors up to 255 bytes.
    U8,
    /// Two bytes, vectors up to 65 535 bytes.
    U16,
    /// Three bytes, vectors up to 16 777 215 bytes.
    U24,
}

impl LengthPrefix {
    /// The number of bytes of the prefix.
    pub const fn size(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U24 => 3,
        }
    }

    /// The largest length the prefix can express.
    pub const fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0x00ff_ffff,
        }
    }
}

/// A cursor over `&'a [u8]`.
///
/// Every read checks the remaining length first and returns
/// [`DecodeError::Truncated`] rather than reading out of bounds; slices handed out borrow
/// from the input, so decoding allocates nothing.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub const fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub const fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Whether every byte has been read.
    pub const fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Bytes read so far.
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// The unread bytes, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Consumes and returns every unread byte.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.buf[self.pos..];
        self.pos = self.buf.len();
        rest
    }

    /// Consumes `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::Truncated);
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Consumes exactly `N` bytes into an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// Reads a big-endian `u16`.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian 24-bit integer.
    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Reads a big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a length of the given width.
    pub fn length(&mut self, prefix: LengthPrefix) -> Result<usize, DecodeError> {
        Ok(match prefix {
            LengthPrefix::U8 => usize::from(self.u8()?),
            LengthPrefix::U16 => usize::from(self.u16()?),
            LengthPrefix::U24 => self.u24()? as usize,
        })
    }

    /// Reads a length prefix and returns a reader over exactly that many following bytes.
    ///
    /// A length that overruns the remaining input is [`DecodeError::Truncated`].
    pub fn sub(&mut self, prefix: LengthPrefix) -> Result<Reader<'a>, DecodeError> {
        let len = self.length(prefix)?;
        Ok(Reader::new(self.take(len)?))
    }

    /// Reads a length-prefixed vector of bytes whose length must lie in `min..=max`
    /// (the `<min..max>` of RFC 5246 §4.3).
    pub fn vector(
        &mut self,
        prefix: LengthPrefix,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], DecodeError> {
        let len = self.length(prefix)?;
        let body = self.take(len)?;
        if len < min {
            return Err(DecodeError::VectorTooShort);
        }
        if len > max {
            return Err(DecodeError::VectorTooLong);
        }
        Ok(body)
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte has been read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_bounds() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16(), Ok(0x0203));
        assert_eq!(r.u24(), Ok(0x04_0506));
        assert_eq!(r.remaining(), 4);
        assert_eq!(r.u32(), Ok(0x0708_090a));
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(DecodeError::Truncated));
        assert_eq!(r.finish(), Ok(()));
    }

    #[test]
    fn short_reads_do_not_consume() {
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(r.u24(), Err(DecodeError::Truncated));
        assert_eq!(r.position(), 0);
        assert_eq!(r.take(3), Err(DecodeError::Truncated));
        assert_eq!(r.u16(), Ok(0x0102));
    }

    #[test]
    fn sub_readers() {
        let mut r = Reader::new(&[0, 2, 0xaa, 0xbb, 1, 0xcc, 9]);
        let mut s = r.sub(LengthPrefix::U16).unwrap();
        assert_eq!(s.rest(), &[0xaa, 0xbb]);
        let mut s = r.sub(LengthPrefix::U8).unwrap();
        assert_eq!(s.u8(), Ok(0xcc));
        assert_eq!(r.finish(), Err(DecodeError::TrailingBytes));
        // Overrunning prefix.
        let mut r = Reader::new(&[3, 1, 2]);
        assert_eq!(r.sub(LengthPrefix::U8).unwrap_err(), DecodeError::Truncated);
        let mut r = Reader::new(&[0, 0, 4, 1, 2, 3]);
        assert_eq!(
            r.sub(LengthPrefix::U24).unwrap_err(),
            DecodeError::Truncated
        );
    }

    #[test]
    fn vector_bounds() {
        let mut r = Reader::new(&[0]);
        assert_eq!(
            r.vector(LengthPrefix::U8, 1, 255),
            Err(DecodeError::VectorTooShort)
        );
        let mut r = Reader::new(&[3, 1, 2, 3]);
        assert_eq!(
            r.vector(LengthPrefix::U8, 0, 2),
            Err(DecodeError::VectorTooLong)
        );
        let mut r = Reader::new(&[2, 1, 2]);
        assert_eq!(r.vector(LengthPrefix::U8, 0, 2), Ok(&[1u8, 2][..]));
    }

    #[test]
    fn prefix_sizes() {
        assert_eq!(LengthPrefix::U8.size(), 1);
        assert_eq!(LengthPrefix::U16.size(), 2);
        assert_eq!(LengthPrefix::U24.size(), 3);
        assert_eq!(LengthPrefix::U24.max(), 16_777_215);
    }
}
