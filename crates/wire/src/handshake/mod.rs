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
        let mut r = Reader::new(body);
        let msg = match typ {
            HandshakeType::HELLO_REQUEST => {
                read_empty(&mut r)?;
                Self::HelloRequest
            }
            HandshakeType::CLIENT_HELLO => Self::ClientHello(ClientHello::read(&mut r)?),
            HandshakeType::SERVER_HELLO => Self::ServerHello(ServerHello::read(&mut r)?),
            HandshakeType::CERTIFICATE => Self::Certificate(Certificate::read(&mut r)?),
            HandshakeType::SERVER_KEY_EXCHANGE if kx.is_some_and(KeyExchange::is_psk) => {
                Self::PskServerKeyExchange(PskServerKeyExchange::read_for(&mut r, kx)?)
            }
            HandshakeType::SERVER_KEY_EXCHANGE => {
                Self::ServerKeyExchange(ServerKeyExchange::read_for(&mut r, kx)?)
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                Self::CertificateRequest(CertificateRequest::read(&mut r)?)
            }
            HandshakeType::SERVER_HELLO_DONE => {
                read_empty(&mut r)?;
                Self::ServerHelloDone
            }
            HandshakeType::CERTIFICATE_VERIFY => {
                Self::CertificateVerify(DigitallySigned::read(&mut r)?)
            }
            HandshakeType::CLIENT_KEY_EXCHANGE => {
                Self::ClientKeyExchange(ClientKeyExchange::read_for(&mut r, kx)?)
            }
            HandshakeType::FINISHED => Self::Finished(Finished::read(&mut r)?),
            HandshakeType::NEW_SESSION_TICKET => {
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
        match self {
            Self::HelloRequest | Self::ServerHelloDone => Ok(()),
            Self::ClientHello(m) => m.write(w),
            Self::ServerHello(m) => m.write(w),
            Self::Certificate(m) => m.write(w),
            Self::ServerKeyExchange(m) => m.write(w),
            Self::PskServerKeyExchange(m) => m.write(w),
            Self::CertificateRequest(m) => m.write(w),
            Self::CertificateVerify(m) => m.write(w),
            Self::ClientKeyExchange(m) => m.write(w),
            Self::Finished(m) => m.write(w),
            Self::NewSessionTicket(m) => m.write(w),
        }
    }

    /// Writes the header and the body (the bytes that also go into the transcript).
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.typ().write(w)?;
        w.prefixed(LengthPrefix::U24, |w| self.write_body(w))
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
        let mut v = alloc::vec::Vec::new();
        self.write(&mut Writer::vec(&mut v))?;
        Ok(v)
    }
}
