//! Handshake messages (RFC 5246 §7.4): the header and every TLS 1.2 message body.
//!
//! ```
//! use sanstls_wire::codec::List;
//! use sanstls_wire::enums::{CipherSuite, CompressionMethod, ProtocolVersion};
//! use sanstls_wire::extensions::{ClientExtension, ClientExtensions};
//! use sanstls_wire::handshake::{ClientHello, HandshakeMessage, Random};
//!
//! let suites = [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256];
//! let exts = [ClientExtension::ExtendedMasterSecret];
//! let hello = HandshakeMessage::ClientHello(ClientHello {
//!     client_version: ProtocolVersion::TLS12,
//!     random: Random([0; 32]),
//!     session_id: &[],
//!     cipher_suites: List::from_items(&suites),
//!     compression_methods: List::from_items(&[CompressionMethod::NULL]),
//!     extensions: Some(ClientExtensions::from_items(&exts)),
//! });
//! let mut buf = [0u8; 128];
//! let n = hello.encode_into(&mut buf).unwrap();
//!
//! // Decoding borrows from `buf`; the suite list is a view over its bytes.
//! let HandshakeMessage::ClientHello(ch) = HandshakeMessage::decode(&buf[..n], None)? else {
//!     unreachable!()
//! };
//! assert!(ch.offers(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256));
//! assert!(ch.extensions.unwrap().extended_master_secret());
//! assert_eq!(HandshakeMessage::ClientHello(ch), hello);
//! # Ok::<(), sanstls_wire::DecodeError>(())
//! ```

mod certificate;
mod hello;
mod key_exchange;
mod session;

pub use certificate::{
    Certificate, CertificateDer, CertificateRequest, CertificateSpec, DigitallySigned,
    DistinguishedName, DistinguishedNameSpec,
};
pub use hello::{ClientHello, Random, ServerHello};
pub use key_exchange::{
    ClientKeyExchange, KeyExchangeParams, MAX_PSK_IDENTITY_LEN, NAMED_CURVE, PskServerKeyExchange,
    ServerDhParams, ServerEcdhParams, ServerKeyExchange,
};
pub use session::{Finished, NewSessionTicket, VERIFY_DATA_LEN};

use crate::codec::Codec;
use crate::enums::{HandshakeType, KeyExchange};
use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

/// The size of a handshake header: type and `u24` length.
pub const HEADER_LEN: usize = 4;

/// A handshake header (RFC 5246 §7.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeHeader {
    /// The message type.
    pub typ: HandshakeType,
    /// The body length, below 2^24.
    pub length: u32,
}

impl<'a> Codec<'a> for HandshakeHeader {
    const FIXED_SIZE: Option<usize> = Some(HEADER_LEN);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            typ: HandshakeType::read(r)?,
            length: r.u24()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.typ.write(w)?;
        w.u24(self.length)
    }
}

/// A decoded handshake message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeMessage<'a> {
    /// HelloRequest, empty.
    HelloRequest,
    /// ClientHello.
    ClientHello(ClientHello<'a>),
    /// ServerHello.
    ServerHello(ServerHello<'a>),
    /// Certificate.
    Certificate(Certificate<'a>),
    /// ServerKeyExchange of the signed key exchanges (DHE_RSA, ECDHE_RSA, ECDHE_ECDSA).
    ServerKeyExchange(ServerKeyExchange<'a>),
    /// ServerKeyExchange of the PSK key exchanges (RFC 4279, RFC 5489): unsigned.
    PskServerKeyExchange(PskServerKeyExchange<'a>),
    /// CertificateRequest.
    CertificateRequest(CertificateRequest<'a>),
    /// ServerHelloDone, empty.
    ServerHelloDone,
    /// CertificateVerify.
    CertificateVerify(DigitallySigned<'a>),
    /// ClientKeyExchange.
    ClientKeyExchange(ClientKeyExchange<'a>),
    /// Finished.
    Finished(Finished<'a>),
    /// NewSessionTicket (RFC 5077).
    NewSessionTicket(NewSessionTicket<'a>),
}

/// Every message type, both ServerKeyExchange forms: what
/// [`HandshakeMessage::decode_body`] and [`HandshakeMessage::write_body`] handle.
pub const ALL_MESSAGES: u64 = u64::MAX;
/// In a set of message types: the signed ServerKeyExchange (DHE_RSA, ECDHE_RSA,
/// ECDHE_ECDSA).
pub const SIGNED_KEY_EXCHANGE: u64 = 1 << 63;
/// In a set of message types: the PSK ServerKeyExchange (RFC 4279, RFC 5489).
pub const PSK_KEY_EXCHANGE: u64 = 1 << 62;

fn read_empty(r: &mut Reader<'_>) -> Result<(), DecodeError> {
    r.finish()
}

impl<'a> HandshakeMessage<'a> {
    /// The message type.
    pub const fn typ(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HELLO_REQUEST,
            Self::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            Self::ServerHello(_) => HandshakeType::SERVER_HELLO,
            Self::Certificate(_) => HandshakeType::CERTIFICATE,
            Self::ServerKeyExchange(_) | Self::PskServerKeyExchange(_) => {
                HandshakeType::SERVER_KEY_EXCHANGE
            }
            Self::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            Self::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            Self::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            Self::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            Self::Finished(_) => HandshakeType::FINISHED,
            Self::NewSessionTicket(_) => HandshakeType::NEW_SESSION_TICKET,
        }
    }

    /// The bit of message type `typ` in a set of message types (the `TYPES` of
    /// [`HandshakeMessage::decode_body_in`] and [`HandshakeMessage::to_vec_in`]).
    pub const fn bit(typ: HandshakeType) -> u64 {
        if typ.0 < 62 { 1 << typ.0 } else { 0 }
    }

    /// Decodes a message body of type `typ`, all of `body`.
    ///
    /// `kx` is the negotiated key exchange, needed for ServerKeyExchange and
    /// ClientKeyExchange; `None` before a suite is chosen (those two messages are then
    /// [`DecodeError::UnexpectedKeyExchangeMessage`]). A type outside TLS 1.2 as
    /// implemented here is [`DecodeError::UnknownHandshakeType`] (`unexpected_message`).
    pub fn decode_body(
        typ: HandshakeType,
        body: &'a [u8],
        kx: Option<KeyExchange>,
    ) -> Result<Self, DecodeError> {
        Self::decode_body_in::<ALL_MESSAGES>(typ, body, kx)
    }

    /// [`HandshakeMessage::decode_body`] for the message types in `TYPES` only (a set
    /// of [`HandshakeMessage::bit`]s, with [`SIGNED_KEY_EXCHANGE`] and
    /// [`PSK_KEY_EXCHANGE`] for the two forms of ServerKeyExchange); any other is
    /// [`DecodeError::UnknownHandshakeType`]. A caller that receives only some messages
    /// (a client never a ClientHello; a client without certificates never a
    /// Certificate) names them, and the decoders of the others are left out of its
    /// build: `TYPES` is a constant, so their branches compile to nothing.
    pub fn decode_body_in<const TYPES: u64>(
        typ: HandshakeType,
        body: &'a [u8],
        kx: Option<KeyExchange>,
    ) -> Result<Self, DecodeError> {
        let has = |t: HandshakeType| TYPES & Self::bit(t) != 0;
        let mut r = Reader::new(body);
        let msg = match typ {
            t @ HandshakeType::HELLO_REQUEST if has(t) => {
                read_empty(&mut r)?;
                Self::HelloRequest
            }
            t @ HandshakeType::CLIENT_HELLO if has(t) => {
                Self::ClientHello(ClientHello::read(&mut r)?)
            }
            t @ HandshakeType::SERVER_HELLO if has(t) => {
                Self::ServerHello(ServerHello::read(&mut r)?)
            }
            t @ HandshakeType::CERTIFICATE if has(t) => {
                Self::Certificate(Certificate::read(&mut r)?)
            }
            HandshakeType::SERVER_KEY_EXCHANGE
                if TYPES & PSK_KEY_EXCHANGE != 0 && kx.is_some_and(KeyExchange::is_psk) =>
            {
                Self::PskServerKeyExchange(PskServerKeyExchange::read_for(&mut r, kx)?)
            }
            HandshakeType::SERVER_KEY_EXCHANGE if TYPES & SIGNED_KEY_EXCHANGE != 0 => {
                Self::ServerKeyExchange(ServerKeyExchange::read_for(&mut r, kx)?)
            }
            t @ HandshakeType::CERTIFICATE_REQUEST if has(t) => {
                Self::CertificateRequest(CertificateRequest::read(&mut r)?)
            }
            t @ HandshakeType::SERVER_HELLO_DONE if has(t) => {
                read_empty(&mut r)?;
                Self::ServerHelloDone
            }
            t @ HandshakeType::CERTIFICATE_VERIFY if has(t) => {
                Self::CertificateVerify(DigitallySigned::read(&mut r)?)
            }
            t @ HandshakeType::CLIENT_KEY_EXCHANGE if has(t) => {
                Self::ClientKeyExchange(ClientKeyExchange::read_for(&mut r, kx)?)
            }
            t @ HandshakeType::FINISHED if has(t) => Self::Finished(Finished::read(&mut r)?),
            t @ HandshakeType::NEW_SESSION_TICKET if has(t) => {
                Self::NewSessionTicket(NewSessionTicket::read(&mut r)?)
            }
            other => return Err(DecodeError::UnknownHandshakeType(other)),
        };
        r.finish()?;
        Ok(msg)
    }

    /// Reads a header and its body from `r`.
    pub fn read(r: &mut Reader<'a>, kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        let header = HandshakeHeader::read(r)?;
        let body = r.take(header.length as usize)?;
        Self::decode_body(header.typ, body, kx)
    }

    /// Decodes one whole message (header and body) spanning all of `bytes`.
    pub fn decode(bytes: &'a [u8], kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let msg = Self::read(&mut r, kx)?;
        r.finish()?;
        Ok(msg)
    }

    /// Writes the body only.
    pub fn write_body(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.write_body_in::<ALL_MESSAGES>(w)
    }

    /// [`HandshakeMessage::write_body`] for the message types in `TYPES` only (see
    /// [`HandshakeMessage::decode_body_in`]); any other is [`EncodeError::LeftOut`], and
    /// its encoder is left out of the caller's build.
    pub fn write_body_in<const TYPES: u64>(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        // (Each arm's guard is a constant: the encoders of the types left out are not
        // compiled in.)
        let has = |t: HandshakeType| TYPES & Self::bit(t) != 0;
        match self {
            Self::HelloRequest if has(HandshakeType::HELLO_REQUEST) => Ok(()),
            Self::ServerHelloDone if has(HandshakeType::SERVER_HELLO_DONE) => Ok(()),
            Self::ClientHello(m) if has(HandshakeType::CLIENT_HELLO) => m.write(w),
            Self::ServerHello(m) if has(HandshakeType::SERVER_HELLO) => m.write(w),
            Self::Certificate(m) if has(HandshakeType::CERTIFICATE) => m.write(w),
            Self::ServerKeyExchange(m) if TYPES & SIGNED_KEY_EXCHANGE != 0 => m.write(w),
            Self::PskServerKeyExchange(m) if TYPES & PSK_KEY_EXCHANGE != 0 => m.write(w),
            Self::CertificateRequest(m) if has(HandshakeType::CERTIFICATE_REQUEST) => m.write(w),
            Self::CertificateVerify(m) if has(HandshakeType::CERTIFICATE_VERIFY) => m.write(w),
            Self::ClientKeyExchange(m) if has(HandshakeType::CLIENT_KEY_EXCHANGE) => m.write(w),
            Self::Finished(m) if has(HandshakeType::FINISHED) => m.write(w),
            Self::NewSessionTicket(m) if has(HandshakeType::NEW_SESSION_TICKET) => m.write(w),
            _ => Err(EncodeError::LeftOut),
        }
    }

    /// Writes the header and the body (the bytes that also go into the transcript).
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.write_in::<ALL_MESSAGES>(w)
    }

    fn write_in<const TYPES: u64>(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.typ().write(w)?;
        w.prefixed(LengthPrefix::U24, |w| self.write_body_in::<TYPES>(w))
    }

    /// Encodes header and body into `buf`, returning the length.
    pub fn encode_into(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        let mut w = Writer::new(buf);
        self.write(&mut w)?;
        Ok(w.len())
    }

    /// Encodes header and body into a new `Vec`.
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, EncodeError> {
        self.to_vec_in::<ALL_MESSAGES>()
    }

    /// [`HandshakeMessage::to_vec`] for the message types in `TYPES` only (see
    /// [`HandshakeMessage::write_body_in`]).
    #[cfg(feature = "alloc")]
    pub fn to_vec_in<const TYPES: u64>(&self) -> Result<alloc::vec::Vec<u8>, EncodeError> {
        let mut v = alloc::vec::Vec::new();
        self.write_in::<TYPES>(&mut Writer::vec(&mut v))?;
        Ok(v)
    }
}
