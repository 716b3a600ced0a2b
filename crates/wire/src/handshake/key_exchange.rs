//! ServerKeyExchange and ClientKeyExchange (RFC 5246 §7.4.3, §7.4.7; the ECDHE forms of
//! RFC 8422 §5.4 and §5.7).

use core::fmt;

use crate::codec::Codec;
use crate::enums::{KeyExchange, NamedGroup};
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

/// `ECCurveType` named_curve(3) (RFC 8422 §5.4); explicit_prime(1) and
/// explicit_char2(2) are deprecated and refused.
pub const NAMED_CURVE: u8 = 3;

/// `ServerECDHParams` (RFC 8422 §5.4): `curve_params` restricted to named_curve, and the
/// server's ephemeral public point `<1..2^8-1>`. Whether the point is valid for the group
/// is for the key agreement to check.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ServerEcdhParams<'a> {
    /// The named group (curve) of the point.
    pub group: NamedGroup,
    /// The server's public point (`ECPoint.point`).
    pub point: &'a [u8],
}

impl fmt::Debug for ServerEcdhParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerEcdhParams")
            .field("group", &self.group)
            .field("point", &Hex(self.point))
            .finish()
    }
}

impl<'a> Codec<'a> for ServerEcdhParams<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let curve_type = r.u8()?;
        if curve_type != NAMED_CURVE {
            // RFC 8422 §5.4: explicit curves are deprecated; sanstls never offers them.
            return Err(DecodeError::UnsupportedCurveType(curve_type));
        }
        Ok(Self {
            group: NamedGroup::read(r)?,
            point: r.vector(LengthPrefix::U8, 1, 0xff)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u8(NAMED_CURVE)?;
        self.group.write(w)?;
        w.vector(LengthPrefix::U8, self.point)
    }
}

/// The parameters of a ServerKeyExchange: finite-field or elliptic-curve DH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyExchangeParams<'a> {
    /// `ServerDHParams` (DHE_RSA, RFC 5246 §7.4.3).
    Dh(ServerDhParams<'a>),
    /// `ServerECDHParams` (ECDHE_RSA / ECDHE_ECDSA, RFC 8422 §5.4).
    Ecdh(ServerEcdhParams<'a>),
}

impl KeyExchangeParams<'_> {
    /// The encoded length of the parameters.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Dh(p) => 6 + p.p.len() + p.g.len() + p.ys.len(),
            Self::Ecdh(p) => 4 + p.point.len(),
        }
    }

    /// Writes the parameters as they are signed (RFC 5246 §7.4.3, RFC 8422 §5.4).
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::Dh(p) => p.write(w),
            Self::Ecdh(p) => p.write(w),
        }
    }
}

/// The ServerKeyExchange of the DHE and ECDHE key exchanges: the parameters and their
/// signature. (With RSA key exchange the server sends no ServerKeyExchange at all, RFC
/// 5246 §7.4.3; decoding one then is [`DecodeError::UnexpectedKeyExchangeMessage`].)
///
/// The signature covers `client_random + server_random + params` as encoded; re-encode
/// `params` with [`KeyExchangeParams::write`] to get those bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange<'a> {
    /// The DH or ECDH parameters.
    pub params: KeyExchangeParams<'a>,
    /// Their signature.
    pub signed: DigitallySigned<'a>,
}

impl<'a> ServerKeyExchange<'a> {
    /// Reads the body for the negotiated key exchange.
    pub fn read_for(r: &mut Reader<'a>, kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        let params = match kx {
            Some(KeyExchange::DheRsa) => KeyExchangeParams::Dh(ServerDhParams::read(r)?),
            Some(KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa) => {
                KeyExchangeParams::Ecdh(ServerEcdhParams::read(r)?)
            }
            // (The PSK key exchanges have their own, unsigned form:
            // [`PskServerKeyExchange`].)
            Some(
                KeyExchange::Rsa | KeyExchange::Psk | KeyExchange::DhePsk | KeyExchange::EcdhePsk,
            )
            | None => {
                return Err(DecodeError::UnexpectedKeyExchangeMessage);
            }
        };
        Ok(Self {
            params,
            signed: DigitallySigned::read(r)?,
        })
    }

    /// Decodes a whole body for the negotiated key exchange.
    pub fn decode_for(body: &'a [u8], kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let v = Self::read_for(&mut r, kx)?;
        r.finish()?;
        Ok(v)
    }

    /// Writes the body.
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.params.write(w)?;
        self.signed.write(w)
    }
}

/// The longest PSK identity or identity hint on the wire (`<0..2^16-1>`, RFC 4279 §2).
/// How long an identity a server accepts is its own configuration.
pub const MAX_PSK_IDENTITY_LEN: usize = 0xffff;

/// The ServerKeyExchange of the PSK key exchanges: an identity hint and, for DHE_PSK
/// and ECDHE_PSK, the ephemeral parameters, with no signature (RFC 4279 §2, §3; RFC
/// 5489 §2):
///
/// ```text
/// struct {
///     opaque psk_identity_hint<0..2^16-1>;
///     ServerDHParams params;     /* DHE_PSK only */
///     ServerECDHParams params;   /* ECDHE_PSK only */
/// } ServerKeyExchange;
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PskServerKeyExchange<'a> {
    /// The identity hint (possibly empty: RFC 4279 §2 lets a server send none).
    pub identity_hint: &'a [u8],
    /// The DH or ECDH parameters; `None` for plain PSK.
    pub params: Option<KeyExchangeParams<'a>>,
}

impl fmt::Debug for PskServerKeyExchange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskServerKeyExchange")
            .field("identity_hint", &Hex(self.identity_hint))
            .field("params", &self.params)
            .finish()
    }
}

impl<'a> PskServerKeyExchange<'a> {
    /// Reads the body for the negotiated key exchange (one of the PSK ones; any other
    /// is [`DecodeError::UnexpectedKeyExchangeMessage`]).
    pub fn read_for(r: &mut Reader<'a>, kx: Option<KeyExchange>) -> Result<Self, DecodeError> {
        let identity_hint = match kx {
            Some(KeyExchange::Psk | KeyExchange::DhePsk | KeyExchange::EcdhePsk) => {
                r.vector(LengthPrefix::U16, 0, MAX_PSK_IDENTITY_LEN)?
            }
            _ => return Err(DecodeError::UnexpectedKeyExchangeMessage),
        };
        let params = match kx {
            Some(KeyExchange::DhePsk) => Some(KeyExchangeParams::Dh(ServerDhParams::read(r)?)),
            Some(KeyExchange::EcdhePsk) => {
                Some(KeyExchangeParams::Ecdh(ServerEcdhParams::read(r)?))
            }
            _ => None,
        };
        Ok(Self {
            identity_hint,
            params,
        })
    }

    /// Writes the body.
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.vector(LengthPrefix::U16, self.identity_hint)?;
        match &self.params {
            Some(p) => p.write(w),
            None => Ok(()),
        }
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
    /// `ClientECDiffieHellmanPublic` (explicit, RFC 8422 §5.7): `ECPoint`, the
    /// client's ephemeral point `<1..2^8-1>`.
    Ecdhe {
        /// The client's public point.
        point: &'a [u8],
    },
    /// PSK (RFC 4279 §2): `psk_identity<0..2^16-1>`.
    Psk {
        /// The PSK identity.
        identity: &'a [u8],
    },
    /// DHE_PSK (RFC 4279 §3): the identity, then `ClientDiffieHellmanPublic`.
    DhePsk {
        /// The PSK identity.
        identity: &'a [u8],
        /// The client's public value.
        yc: &'a [u8],
    },
    /// ECDHE_PSK (RFC 5489 §2): the identity, then `ClientECDiffieHellmanPublic`.
    EcdhePsk {
        /// The PSK identity.
        identity: &'a [u8],
        /// The client's public point.
        point: &'a [u8],
    },
}

impl<'a> ClientKeyExchange<'a> {
    /// The PSK identity, for the PSK key exchanges.
    pub fn psk_identity(&self) -> Option<&'a [u8]> {
        match *self {
            Self::Psk { identity }
            | Self::DhePsk { identity, .. }
            | Self::EcdhePsk { identity, .. } => Some(identity),
            _ => None,
        }
    }
}

impl fmt::Debug for ClientKeyExchange<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa {
                encrypted_pre_master_secret: e,
            } => f.debug_tuple("Rsa").field(&Hex(e)).finish(),
            Self::Dhe { yc } => f.debug_tuple("Dhe").field(&Hex(yc)).finish(),
            Self::Ecdhe { point } => f.debug_tuple("Ecdhe").field(&Hex(point)).finish(),
            Self::Psk { identity } => f.debug_tuple("Psk").field(&Hex(identity)).finish(),
            Self::DhePsk { identity, yc } => f
                .debug_tuple("DhePsk")
                .field(&Hex(identity))
                .field(&Hex(yc))
                .finish(),
            Self::EcdhePsk { identity, point } => f
                .debug_tuple("EcdhePsk")
                .field(&Hex(identity))
                .field(&Hex(point))
                .finish(),
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
            Some(KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa) => Ok(Self::Ecdhe {
                point: r.vector(LengthPrefix::U8, 1, 0xff)?,
            }),
            Some(KeyExchange::Psk) => Ok(Self::Psk {
                identity: r.vector(LengthPrefix::U16, 0, MAX_PSK_IDENTITY_LEN)?,
            }),
            Some(KeyExchange::DhePsk) => Ok(Self::DhePsk {
                identity: r.vector(LengthPrefix::U16, 0, MAX_PSK_IDENTITY_LEN)?,
                yc: r.vector(LengthPrefix::U16, 1, 0xffff)?,
            }),
            Some(KeyExchange::EcdhePsk) => Ok(Self::EcdhePsk {
                identity: r.vector(LengthPrefix::U16, 0, MAX_PSK_IDENTITY_LEN)?,
                point: r.vector(LengthPrefix::U8, 1, 0xff)?,
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

    /// Writes the body.
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::Rsa {
                encrypted_pre_master_secret: b,
            }
            | Self::Dhe { yc: b } => w.vector(LengthPrefix::U16, b),
            Self::Ecdhe { point } => w.vector(LengthPrefix::U8, point),
            Self::Psk { identity } => w.vector(LengthPrefix::U16, identity),
            Self::DhePsk { identity, yc } => {
                w.vector(LengthPrefix::U16, identity)?;
                w.vector(LengthPrefix::U16, yc)
            }
            Self::EcdhePsk { identity, point } => {
                w.vector(LengthPrefix::U16, identity)?;
                w.vector(LengthPrefix::U8, point)
            }
        }
    }
}
