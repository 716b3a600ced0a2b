//! Decoding and encoding errors, and the alert each decoding error asks for.

use core::fmt;

use crate::enums::{AlertDescription, ContentType, ExtensionType, HandshakeType};

/// Why bytes from the peer could not be decoded.
///
/// Every variant maps to the alert the RFCs ask a receiver to send, through
/// [`DecodeError::alert`]. Length and syntax problems map to `decode_error` (RFC 5246
/// §7.2.2: "a message could not be decoded because some field was out of the specified
/// range or the length of the message was incorrect"); values that are well-formed but not
/// allowed map to `illegal_parameter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before a field, or a length prefix overruns its container.
    Truncated,
    /// Bytes were left over after a message, an extension body or a vector.
    TrailingBytes,
    /// A vector is shorter than the minimum its definition allows (often: empty where the
    /// RFC says `<1..>` or `<2..>`).
    VectorTooShort,
    /// A vector is longer than the maximum its definition allows (e.g. a session id of more
    /// than 32 bytes).
    VectorTooLong,
    /// A vector of fixed-size elements has a length that is not a multiple of the element
    /// size (e.g. an odd-length list of `u16`).
    OddLength,
    /// A fixed-length body has the wrong length (ChangeCipherSpec, Alert, Finished,
    /// an extension that must be empty, ...).
    InvalidLength,
    /// A ChangeCipherSpec message whose single byte is not `0x01` (RFC 5246 §7.1).
    InvalidChangeCipherSpec,
    /// The same extension type appears twice in one block (RFC 5246 §7.4.1.4).
    DuplicateExtension(ExtensionType),
    /// An extension that this message may not carry.
    ExtensionNotAllowed(ExtensionType),
    /// The server_name list names the same name type twice (RFC 6066 §3).
    DuplicateServerName,
    /// A max_fragment_length value outside 1..=4 (RFC 6066 §4).
    InvalidMaxFragmentLength(u8),
    /// A record_size_limit below 64 (RFC 8449 §4).
    RecordSizeLimitTooSmall(u16),
    /// An ALPN extension in a ServerHello whose list does not hold exactly one name
    /// (RFC 7301 §3.1).
    AlpnNotSingleProtocol,
    /// A ClientHello whose compression methods do not include `null` (RFC 5246 §7.4.1.2).
    NoNullCompression,
    /// A record longer than the limit for its stage (RFC 5246 §6.2).
    RecordOverflow,
    /// A record with a zero-length Handshake, Alert or ChangeCipherSpec fragment
    /// (RFC 5246 §6.2.1).
    EmptyFragment,
    /// A record with a content type this implementation does not know (RFC 5246 §6).
    UnknownContentType(ContentType),
    /// A handshake message type that is not part of TLS 1.2 as implemented here.
    UnknownHandshakeType(HandshakeType),
    /// A key-exchange message that the negotiated key exchange does not have, e.g. a
    /// ServerKeyExchange with RSA key exchange (RFC 5246 §7.4.3), or one decoded before a
    /// key exchange was negotiated.
    UnexpectedKeyExchangeMessage,
    /// A `ServerECDHParams` whose curve type is not named_curve(3) (RFC 8422 §5.4: the
    /// explicit curve types are deprecated and never offered).
    UnsupportedCurveType(u8),
    /// A handshake message longer than the configured bound of the reassembler.
    MessageTooLarge {
        /// The message type.
        typ: HandshakeType,
        /// The length announced in its header.
        length: u32,
        /// The configured maximum for that type.
        max: u32,
    },
    /// A partial handshake message was pending when a record of another content type
    /// (e.g. ChangeCipherSpec) arrived (RFC 5246 §6.2.1, §7.4).
    MessageInterrupted,
}

impl DecodeError {
    /// The alert the RFCs ask the receiver of the offending bytes to send.
    pub fn alert(self) -> AlertDescription {
        match self {
            Self::Truncated
            | Self::TrailingBytes
            | Self::VectorTooShort
            | Self::VectorTooLong
            | Self::OddLength
            | Self::InvalidLength
            | Self::InvalidChangeCipherSpec => AlertDescription::DECODE_ERROR,
            // RFC 8446 §4.2 spells out illegal_parameter for an extension that is known but
            // not specified for the message; TLS 1.2 says nothing more precise, so the same
            // alert is used here. Duplicates likewise (RFC 5246 §7.4.1.4 forbids them).
            Self::DuplicateExtension(_)
            | Self::ExtensionNotAllowed(_)
            | Self::DuplicateServerName
            | Self::InvalidMaxFragmentLength(_)
            | Self::RecordSizeLimitTooSmall(_)
            | Self::AlpnNotSingleProtocol
            | Self::NoNullCompression
            | Self::UnsupportedCurveType(_)
            | Self::MessageTooLarge { .. } => AlertDescription::ILLEGAL_PARAMETER,
            Self::RecordOverflow => AlertDescription::RECORD_OVERFLOW,
            Self::EmptyFragment
            | Self::UnknownContentType(_)
            | Self::UnknownHandshakeType(_)
            | Self::UnexpectedKeyExchangeMessage
            | Self::MessageInterrupted => AlertDescription::UNEXPECTED_MESSAGE,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("input truncated or length overruns its container"),
            Self::TrailingBytes => f.write_str("trailing bytes after a message or vector"),
            Self::VectorTooShort => f.write_str("vector shorter than its minimum length"),
            Self::VectorTooLong => f.write_str("vector longer than its maximum length"),
            Self::OddLength => f.write_str("vector length not a multiple of its element size"),
            Self::InvalidLength => f.write_str("fixed-length body has the wrong length"),
            Self::InvalidChangeCipherSpec => f.write_str("ChangeCipherSpec byte is not 1"),
            Self::DuplicateExtension(t) => write!(f, "duplicate extension {t:?}"),
            Self::ExtensionNotAllowed(t) => write!(f, "extension {t:?} not allowed here"),
            Self::DuplicateServerName => f.write_str("server_name lists a name type twice"),
            Self::InvalidMaxFragmentLength(v) => write!(f, "invalid max_fragment_length {v}"),
            Self::RecordSizeLimitTooSmall(v) => write!(f, "record_size_limit {v} below 64"),
            Self::AlpnNotSingleProtocol => f.write_str("ServerHello ALPN must name one protocol"),
            Self::NoNullCompression => f.write_str("ClientHello lacks null compression"),
            Self::RecordOverflow => f.write_str("record longer than allowed"),
            Self::EmptyFragment => f.write_str("zero-length fragment"),
            Self::UnknownContentType(t) => write!(f, "unknown content type {t:?}"),
            Self::UnknownHandshakeType(t) => write!(f, "unknown handshake type {t:?}"),
            Self::UnexpectedKeyExchangeMessage => {
                f.write_str("key exchange message not used by the key exchange")
            }
            Self::UnsupportedCurveType(t) => {
                write!(f, "EC curve type {t} (only named_curve(3) is supported)")
            }
            Self::MessageTooLarge { typ, length, max } => {
                write!(f, "{typ:?} of {length} bytes exceeds the bound of {max}")
            }
            Self::MessageInterrupted => f.write_str("handshake message interrupted"),
        }
    }
}

impl core::error::Error for DecodeError {}

impl From<DecodeError> for AlertDescription {
    fn from(e: DecodeError) -> Self {
        e.alert()
    }
}

/// Why a value could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is full.
    BufferFull,
    /// A body is longer than its length prefix can express.
    TooLong,
    /// A message type the caller's set of encodable messages leaves out
    /// ([`crate::handshake::HandshakeMessage::to_vec_in`]).
    LeftOut,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferFull => f.write_str("output buffer full"),
            Self::TooLong => f.write_str("body too long for its length prefix"),
            Self::LeftOut => f.write_str("a message type left out of this build"),
        }
    }
}

impl core::error::Error for EncodeError {}
