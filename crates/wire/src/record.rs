//! The record header and the record length limits of RFC 5246 §6.2.

use crate::codec::Codec;
use crate::enums::{ContentType, ProtocolVersion};
use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;
use crate::writer::Writer;

/// The size of a record header: type, version, length.
pub const HEADER_LEN: usize = 5;
/// The largest `TLSPlaintext.length`: 2^14 (RFC 5246 §6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// The largest `TLSCompressed.length`: 2^14 + 1024 (RFC 5246 §6.2.2).
pub const MAX_COMPRESSED_LEN: usize = MAX_PLAINTEXT_LEN + 1024;
/// The largest `TLSCiphertext.length`: 2^14 + 2048 (RFC 5246 §6.2.3).
pub const MAX_CIPHERTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 2048;

/// Which stage of the record layer a length is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStage {
    /// `TLSPlaintext`: at most [`MAX_PLAINTEXT_LEN`].
    Plaintext,
    /// `TLSCompressed`: at most [`MAX_COMPRESSED_LEN`].
    Compressed,
    /// `TLSCiphertext`: at most [`MAX_CIPHERTEXT_LEN`].
    Ciphertext,
}

impl RecordStage {
    /// The largest fragment length of this stage.
    pub const fn max_len(self) -> usize {
        match self {
            Self::Plaintext => MAX_PLAINTEXT_LEN,
            Self::Compressed => MAX_COMPRESSED_LEN,
            Self::Ciphertext => MAX_CIPHERTEXT_LEN,
        }
    }
}

/// A record header (RFC 5246 §6.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// The content type.
    pub content_type: ContentType,
    /// The record-layer version.
    pub version: ProtocolVersion,
    /// The length of the fragment that follows.
    pub length: u16,
}

impl RecordHeader {
    /// Checks the length against a stage's limit. RFC 5246 §6.2.1–§6.2.3: a record
    /// longer than the limit MUST be answered with `record_overflow`.
    pub fn check_length(&self, stage: RecordStage) -> Result<(), DecodeError> {
        if usize::from(self.length) > stage.max_len() {
            Err(DecodeError::RecordOverflow)
        } else {
            Ok(())
        }
    }

    /// Checks a plaintext (or decrypted) fragment: within [`MAX_PLAINTEXT_LEN`], and not
    /// empty for Handshake, Alert and ChangeCipherSpec (RFC 5246 §6.2.1: "Implementations
    /// MUST NOT send zero-length fragments of Handshake, Alert, or ChangeCipherSpec
    /// content types").
    pub fn check_plaintext(content_type: ContentType, len: usize) -> Result<(), DecodeError> {
        if len > MAX_PLAINTEXT_LEN {
            return Err(DecodeError::RecordOverflow);
        }
        if len == 0 && content_type != ContentType::APPLICATION_DATA {
            return Err(DecodeError::EmptyFragment);
        }
        Ok(())
    }
}

impl<'a> Codec<'a> for RecordHeader {
    const FIXED_SIZE: Option<usize> = Some(HEADER_LEN);

    /// Reads a header. A content type other than the four of TLS 1.2 and heartbeat is
    /// `unexpected_message` (RFC 5246 §6: "If a TLS implementation receives an unexpected
    /// record type, it MUST send an unexpected_message alert"), and a length above the
    /// ciphertext limit is `record_overflow`; the caller narrows the limit with
    /// [`RecordHeader::check_length`] once it knows the stage.
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let content_type = ContentType::read(r)?;
        let version = ProtocolVersion::read(r)?;
        let length = r.u16()?;
        if !content_type.is_known() {
            return Err(DecodeError::UnknownContentType(content_type));
        }
        let h = Self {
            content_type,
            version,
            length,
        };
        h.check_length(RecordStage::Ciphertext)?;
        Ok(h)
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.content_type.write(w)?;
        self.version.write(w)?;
        w.u16(self.length)
    }
}

/// A complete record borrowed from a buffer: its header and fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The header.
    pub header: RecordHeader,
    /// The fragment, `header.length` bytes.
    pub fragment: &'a [u8],
}

impl<'a> Record<'a> {
    /// Splits one record off the front of `buf`: `Ok(None)` if `buf` does not yet hold a
    /// whole record, otherwise the record and the number of bytes it took.
    pub fn split(buf: &'a [u8]) -> Result<Option<(Self, usize)>, DecodeError> {
        let Some(head) = buf.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let header = RecordHeader::decode(head)?;
        let total = HEADER_LEN + usize::from(header.length);
        Ok(buf
            .get(HEADER_LEN..total)
            .map(|fragment| (Self { header, fragment }, total)))
    }

    /// Writes a record with `fragment` (whose length must fit a `u16`).
    pub fn write_parts(
        w: &mut Writer<'_>,
        content_type: ContentType,
        version: ProtocolVersion,
        fragment: &[u8],
    ) -> Result<(), EncodeError> {
        let length = u16::try_from(fragment.len()).map_err(|_| EncodeError::TooLong)?;
        RecordHeader {
            content_type,
            version,
            length,
        }
        .write(w)?;
        w.put(fragment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_limits() {
        let h = RecordHeader::decode(&[22, 3, 3, 0x40, 0x00]).unwrap();
        assert_eq!(h.content_type, ContentType::HANDSHAKE);
        assert_eq!(h.version, ProtocolVersion::TLS12);
        assert_eq!(h.length, 16384);
        assert_eq!(h.check_length(RecordStage::Plaintext), Ok(()));
        let mut buf = [0u8; 5];
        assert_eq!(h.encode_into(&mut buf), Ok(5));
        assert_eq!(buf, [22, 3, 3, 0x40, 0x00]);

        let h = RecordHeader::decode(&[23, 3, 3, 0x40, 0x01]).unwrap();
        assert_eq!(
            h.check_length(RecordStage::Plaintext),
            Err(DecodeError::RecordOverflow)
        );
        assert_eq!(h.check_length(RecordStage::Compressed), Ok(()));
        let h = RecordHeader::decode(&[23, 3, 3, 0x44, 0x01]).unwrap();
        assert_eq!(
            h.check_length(RecordStage::Compressed),
            Err(DecodeError::RecordOverflow)
        );
        assert_eq!(h.check_length(RecordStage::Ciphertext), Ok(()));
        // 2^14 + 2048 is the last accepted length.
        assert!(RecordHeader::decode(&[23, 3, 3, 0x48, 0x00]).is_ok());
        assert_eq!(
            RecordHeader::decode(&[23, 3, 3, 0x48, 0x01]),
            Err(DecodeError::RecordOverflow)
        );
    }

    #[test]
    fn header_rejects() {
        assert_eq!(
            RecordHeader::decode(&[22, 3, 3, 0]),
            Err(DecodeError::Truncated)
        );
        assert_eq!(
            RecordHeader::decode(&[22, 3, 3, 0, 0, 0]),
            Err(DecodeError::TrailingBytes)
        );
        assert_eq!(
            RecordHeader::decode(&[99, 3, 3, 0, 1]),
            Err(DecodeError::UnknownContentType(ContentType(99)))
        );
        assert_eq!(
            RecordHeader::check_plaintext(ContentType::ALERT, 0),
            Err(DecodeError::EmptyFragment)
        );
        assert_eq!(
            RecordHeader::check_plaintext(ContentType::APPLICATION_DATA, 0),
            Ok(())
        );
        assert_eq!(
            RecordHeader::check_plaintext(ContentType::HANDSHAKE, MAX_PLAINTEXT_LEN + 1),
            Err(DecodeError::RecordOverflow)
        );
    }

    #[test]
    fn split_records() {
        let buf = [21, 3, 3, 0, 2, 1, 0, 20, 3, 3, 0, 1];
        let (rec, n) = Record::split(&buf).unwrap().unwrap();
        assert_eq!(n, 7);
        assert_eq!(rec.fragment, &[1, 0]);
        assert_eq!(Record::split(&buf[n..]), Ok(None));
        assert_eq!(Record::split(&buf[..3]), Ok(None));
        let mut out = [0u8; 7];
        let mut w = Writer::new(&mut out);
        Record::write_parts(&mut w, ContentType::ALERT, ProtocolVersion::TLS12, &[1, 0]).unwrap();
        assert_eq!(out, buf[..7]);
    }
}
