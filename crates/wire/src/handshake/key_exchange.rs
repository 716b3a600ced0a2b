//! ServerKeyExchange and ClientKeyExchange (RFC 5246 §7.4.3, §7.4.7).

use core::fmt;

use crate::codec::Codec;
use crate::enums::KeyExchange;
use crate::error::{DecodeError, EncodeError};
use crate::handshake::certificate::DigitallySigned;
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

struct Hex<'a>(&'a [u8]);
impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// `ServerDHParams`: the group and the server's public value, each `<1..2^16-1>`,
/// big-endian without sign.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ServerDhParams<'a> {
    /// The prime modulus `dh_p`.
    pub p: &'a [u8],
    /// The generator `dh_g`.
    pub g: &'a [u8],
    /// The server's public value `dh_Ys`.
    pub ys: &'a [u8],
}

impl fmt::Debug for ServerDhParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerDhParams")
            .field("p", &Hex(self.p))
            .field("g", &Hex(self.g))
            .field("ys", &Hex(self.ys))
            .finish()
    }
}

impl<'a> Codec<'a> for ServerDhParams<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            p: r.vector(LengthPrefix::U16, 1, 0xffff)?,
            g: r.vector(LengthPrefix::U16, 1, 0xffff)?,
            ys: r.vector(LengthPrefix::U16, 1, 0xffff)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.vector(LengthPrefix::U16, self.p)?;
        w.vector(LengthPrefix::U16, self.g)?;
        w.vector(LengthPrefix::U16, self.ys)
    }
}

/// The ServerKeyExchange of DHE_RSA: the parameters and their signature. (With RSA key
/// exchange the server sends no ServerKeyExchange at all, RFC 5246 §7.4.3; decoding one
/// then is [`DecodeError::UnexpectedKeyExchangeMessage`].)
///
/// The signature covers `client_random + server_random + params` as encoded; re-encode
/// `params` with [`Codec::write`] to get those bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange<'a> {
    /// The DH parameters.
    pub params: ServerDhParams<'a>,
    /// Their signature.
    pub signed: DigitallySigned<'a>,
}

impl<'a> ServerKeyExchange<'a> {
    /// Reads the body for the negotiated key exchange.
    pub fn read_for(r: &mut Reader<'a>, kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        match kx {
            Some(KeyExchange::DheRsa) => Self::read(r),
            Some(KeyExchange::Rsa) | None => Err(DecodeError::UnexpectedKeyExchangeMessage),
        }
    }
}

impl<'a> Codec<'a> for ServerKeyExchange<'a> {
    /// Reads the DHE_RSA form (the only one sanstls knows); prefer
    /// [`ServerKeyExchange::read_for`].
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            params: ServerDhParams::read(r)?,
            signed: DigitallySigned::read(r)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.params.write(w)?;
        self.signed.write(w)
    }
}

/// The ClientKeyExchange, whose form depends on the negotiated key exchange.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ClientKeyExchange<'a> {
    /// `EncryptedPreMasterSecret`: the RSA-encrypted premaster, `<0..2^16-1>`.
    Rsa {
        /// The ciphertext.
        encrypted_pre_master_secret: &'a [u8],
    },
    /// `ClientDiffieHellmanPublic` (explicit): `dh_Yc<1..2^16-1>`.
    Dhe {
        /// The client's public value.
        yc: &'a [u8],
    },
}

impl fmt::Debug for ClientKeyExchange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa {
                encrypted_pre_master_secret: e,
            } => f.debug_tuple("Rsa").field(&Hex(e)).finish(),
            Self::Dhe { yc } => f.debug_tuple("Dhe").field(&Hex(yc)).finish(),
        }
    }
}

impl<'a> ClientKeyExchange<'a> {
    /// Reads the body for the negotiated key exchange; `None` (nothing negotiated yet) is
    /// [`DecodeError::UnexpectedKeyExchangeMessage`].
    pub fn read_for(r: &mut Reader<'a>, kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        match kx {
            Some(KeyExchange::Rsa) => Ok(Self::Rsa {
                encrypted_pre_master_secret: r.vector(LengthPrefix::U16, 0, 0xffff)?,
            }),
            Some(KeyExchange::DheRsa) => Ok(Self::Dhe {
                yc: r.vector(LengthPrefix::U16, 1, 0xffff)?,
            }),
            None => Err(DecodeError::UnexpectedKeyExchangeMessage),
        }
    }

    /// Decodes a whole body.
    pub fn decode_for(body: &'a [u8], kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let v = Self::read_for(&mut r, kx)?;
        r.finish()?;
        Ok(v)
    }

    /// The key exchange this body belongs to.
    pub const fn key_exchange(&self) -> KeyExchange {
        match self {
            Self::Rsa { .. } => KeyExchange::Rsa,
            Self::Dhe { .. } => KeyExchange::DheRsa,
        }
    }

    /// Writes the body.
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::Rsa {
                encrypted_pre_master_secret: b,
            }
            | Self::Dhe { yc: b } => w.vector(LengthPrefix::U16, b),
        }
    }
}
