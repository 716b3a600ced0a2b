//! The record layer's error type.

use core::fmt;

use sanstls_wire::DecodeError;
use sanstls_wire::enums::AlertDescription;

/// Why a record could not be sealed or opened.
///
/// Not `#[non_exhaustive]`: callers map every variant to an alert or an error of their
/// own, and a new variant must make them decide about it (a compile error), not fall
/// into a catch-all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A protected record failed its check: wrong MAC, bad padding, a length that cannot
    /// hold IV, MAC and padding, or a wrong sequence number. One variant for every cause,
    /// so that the peer learns nothing about which check failed (RFC 5246 §6.2.3.2,
    /// §7.2.2).
    BadRecordMac,
    /// A record longer than allowed: ciphertext over 2^14 + 2048 bytes, or plaintext over
    /// the negotiated limit (RFC 5246 §6.2.3, RFC 6066 §4, RFC 8449 §4).
    RecordOverflow,
    /// A record header or plaintext that breaks a record-layer rule (unknown content
    /// type, empty Handshake/Alert/ChangeCipherSpec fragment, ...).
    Decode(DecodeError),
    /// 2^64 records were sent or received under one key; RFC 5246 §6.1 forbids wrapping
    /// the sequence number, so the connection must end (or renegotiate).
    SequenceExhausted,
    /// The caller's buffer is too small for the sealed record.
    BufferTooSmall,
    /// The caller asked to seal a payload the record layer may not send: longer than the
    /// fragment limit, or empty for a content type other than application data
    /// (RFC 5246 §6.2.1).
    InvalidPayload,
    /// Keys that do not fit the suite (wrong lengths) or a suite this crate cannot
    /// protect records for.
    InvalidKeys,
}

impl Error {
    /// The alert to send for this error.
    pub fn alert(self) -> AlertDescription {
        match self {
            Error::BadRecordMac => AlertDescription::BAD_RECORD_MAC,
            Error::RecordOverflow => AlertDescription::RECORD_OVERFLOW,
            Error::Decode(e) => e.alert(),
            Error::SequenceExhausted
            | Error::BufferTooSmall
            | Error::InvalidPayload
            | Error::InvalidKeys => AlertDescription::INTERNAL_ERROR,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::RecordOverflow => Error::RecordOverflow,
            other => Error::Decode(other),
        }
    }
}

impl From<Error> for AlertDescription {
    fn from(e: Error) -> Self {
        e.alert()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRecordMac => f.write_str("record failed authentication (bad_record_mac)"),
            Error::RecordOverflow => f.write_str("record longer than allowed (record_overflow)"),
            Error::Decode(e) => write!(f, "invalid record: {e}"),
            Error::SequenceExhausted => f.write_str("record sequence number exhausted"),
            Error::BufferTooSmall => f.write_str("buffer too small for the sealed record"),
            Error::InvalidPayload => {
                f.write_str("payload too long, or empty for a non-application-data record")
            }
            Error::InvalidKeys => f.write_str("record keys do not fit the cipher suite"),
        }
    }
}

impl core::error::Error for Error {}
