//! Hello extensions (RFC 5246 §7.4.1.4) and the blocks that carry them.
//!
//! [`ClientExtension`] and [`ServerExtension`] list what each hello may carry; a known
//! extension in the wrong message is [`DecodeError::ExtensionNotAllowed`], a repeated type
//! is [`DecodeError::DuplicateExtension`], and any other type is kept as
//! [`UnknownExtension`] (type and bytes).

use core::fmt;

macro_rules! getter {
    ($(#[$m:meta])* $name:ident, $enum:ident :: $var:ident, $out:ty) => {
        $(#[$m])*
        pub fn $name(&self) -> Option<$out> {
            self.iter().find_map(|e| match e {
                $enum::$var(v) => Some(v),
                _ => None,
            })
        }
    };
}

macro_rules! flag {
    ($(#[$m:meta])* $name:ident, $enum:ident :: $var:ident) => {
        $(#[$m])*
        pub fn $name(&self) -> bool {
            self.iter().any(|e| matches!(e, $enum::$var))
        }
    };
}

/// The framing every extension shares (RFC 5246 §7.4.1.4): its type, a u16 length and a
/// body that must be consumed exactly. `$t` provides `read_body`, `write_body` and
/// `ext_type`.
macro_rules! extension_codec {
    ($t:ident) => {
        impl<'a> Codec<'a> for $t<'a> {
            fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                let typ = ExtensionType::read(r)?;
                let mut body = r.sub(LengthPrefix::U16)?;
                let ext = Self::read_body(typ, &mut body)?;
                body.finish()?;
                Ok(ext)
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
                self.ext_type().write(w)?;
                w.prefixed(LengthPrefix::U16, |w| self.write_body(w))
            }
        }
    };
}

mod client;
mod server;

pub use client::ClientExtension;
pub use server::ServerExtension;

use crate::codec::{Codec, List, Opaque, OpaqueSpec, VecSpec};
use crate::enums::{CertificateStatusType, ExtensionType, NameType};
use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

/// One entry of a server_name list (RFC 6066 §3). Every defined name type carries a
/// `HostName<1..2^16-1>`; the same shape is assumed for unknown types.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ServerName<'a> {
    /// The name type (host_name for DNS names).
    pub name_type: NameType,
    /// The name, as sent (ASCII for host_name; not validated here).
    pub name: &'a [u8],
}

impl fmt::Debug for ServerName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerName")
            .field("name_type", &self.name_type)
            .field(
                "name",
                &core::str::from_utf8(self.name).unwrap_or("<not utf-8>"),
            )
            .finish()
    }
}

impl<'a> Codec<'a> for ServerName<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            name_type: NameType::read(r)?,
            name: r.vector(LengthPrefix::U16, 1, 0xffff)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.name_type.write(w)?;
        w.vector(LengthPrefix::U16, self.name)
    }
}

/// The shape of an ALPN `ProtocolName<1..2^8-1>` (RFC 7301 §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolNameSpec;
impl OpaqueSpec for ProtocolNameSpec {
    const PREFIX: LengthPrefix = LengthPrefix::U8;
    const MIN: usize = 1;
}
/// An ALPN protocol name, non-empty (RFC 7301 §3.1: "Empty strings MUST NOT be included").
pub type ProtocolName<'a> = Opaque<'a, ProtocolNameSpec>;

/// The shape of an OCSP `ResponderID<1..2^16-1>` (RFC 6066 §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponderIdSpec;
impl OpaqueSpec for ResponderIdSpec {
    const PREFIX: LengthPrefix = LengthPrefix::U16;
    const MIN: usize = 1;
}
/// A DER ResponderID of an OCSP status request.
pub type ResponderId<'a> = Opaque<'a, ResponderIdSpec>;

/// The body of a status_request extension in a ClientHello (RFC 6066 §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateStatusRequest<'a> {
    /// An OCSP request.
    Ocsp {
        /// `responder_id_list<0..2^16-1>`.
        responder_ids: List<'a, ResponderId<'a>>,
        /// `request_extensions<0..2^16-1>`: DER-encoded OCSP extensions.
        extensions: &'a [u8],
    },
    /// Another status type, with its body kept as bytes.
    Other {
        /// The status type.
        status_type: CertificateStatusType,
        /// Everything after the type byte.
        data: &'a [u8],
    },
}

impl<'a> Codec<'a> for CertificateStatusRequest<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let status_type = CertificateStatusType::read(r)?;
        if status_type == CertificateStatusType::OCSP {
            Ok(Self::Ocsp {
                responder_ids: List::read_spec(r, VecSpec::new(LengthPrefix::U16, 0, 0xffff))?,
                extensions: r.vector(LengthPrefix::U16, 0, 0xffff)?,
            })
        } else {
            Ok(Self::Other {
                status_type,
                data: r.rest(),
            })
        }
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::Ocsp {
                responder_ids,
                extensions,
            } => {
                CertificateStatusType::OCSP.write(w)?;
                responder_ids.write_prefixed(w, LengthPrefix::U16)?;
                w.vector(LengthPrefix::U16, extensions)
            }
            Self::Other { status_type, data } => {
                status_type.write(w)?;
                w.put(data)
            }
        }
    }
}

/// An extension this crate does not interpret: its type and body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UnknownExtension<'a> {
    /// The extension type.
    pub typ: ExtensionType,
    /// The extension body.
    pub data: &'a [u8],
}

impl fmt::Debug for UnknownExtension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {} bytes", self.typ, self.data.len())
    }
}

// Vector shapes shared by the extensions.
pub(crate) const SUPPORTED_GROUPS: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xffff);
pub(crate) const EC_POINT_FORMATS: VecSpec = VecSpec::new(LengthPrefix::U8, 1, 0xff);
pub(crate) const SIGNATURE_ALGORITHMS: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xfffe);
pub(crate) const PROTOCOL_NAMES: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xffff);
pub(crate) const SERVER_NAMES: VecSpec = VecSpec::new(LengthPrefix::U16, 1, 0xffff);
pub(crate) const SUPPORTED_VERSIONS: VecSpec = VecSpec::new(LengthPrefix::U8, 2, 254);

/// RFC 8449 §4: a record_size_limit below 64 MUST be answered with illegal_parameter.
pub(crate) fn read_record_size_limit(r: &mut Reader<'_>) -> Result<u16, DecodeError> {
    let v = r.u16()?;
    if v < 64 {
        return Err(DecodeError::RecordSizeLimitTooSmall(v));
    }
    Ok(v)
}

/// The server_name list of a ClientHello, with no name type twice (RFC 6066 §3: "The
/// ServerNameList MUST NOT contain more than one name of the same name_type").
pub(crate) fn read_server_names<'a>(
    r: &mut Reader<'a>,
) -> Result<List<'a, ServerName<'a>>, DecodeError> {
    let list: List<'a, ServerName<'a>> = List::read_spec(r, SERVER_NAMES)?;
    let mut seen = [0u64; 4];
    for name in &list {
        let t = usize::from(name.name_type.0);
        if seen[t / 64] & (1 << (t % 64)) != 0 {
            return Err(DecodeError::DuplicateServerName);
        }
        seen[t / 64] |= 1 << (t % 64);
    }
    Ok(list)
}

/// Reads the body of an extension that must be empty.
pub(crate) fn read_empty(r: &mut Reader<'_>) -> Result<(), DecodeError> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(DecodeError::InvalidLength)
    }
}

/// A type that knows its extension type.
pub trait ExtensionKind {
    /// The extension type.
    fn ext_type(&self) -> ExtensionType;
}

/// A block of extensions, `Extension extensions<0..2^16-1>`, with no type twice.
///
/// Like [`List`], a decoded block is a validated view of the received bytes (in their
/// order), and a block for encoding wraps the caller's slice.
pub struct Extensions<'a, E> {
    list: List<'a, E>,
}

impl<E> Clone for Extensions<'_, E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Extensions<'_, E> {}

impl<'a, E: Codec<'a> + Clone + PartialEq> PartialEq for Extensions<'a, E> {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}
impl<'a, E: Codec<'a> + Clone + Eq> Eq for Extensions<'a, E> {}

/// The extensions of a ClientHello.
pub type ClientExtensions<'a> = Extensions<'a, ClientExtension<'a>>;
/// The extensions of a ServerHello.
pub type ServerExtensions<'a> = Extensions<'a, ServerExtension<'a>>;

impl<'a, E: Codec<'a> + Clone + ExtensionKind> Extensions<'a, E> {
    /// A block of the caller's extensions (for encoding). The caller keeps the types
    /// distinct; the peer will reject a duplicate.
    pub const fn from_items(items: &'a [E]) -> Self {
        Self {
            list: List::from_items(items),
        }
    }

    /// The extensions, in order.
    pub fn iter(&self) -> crate::codec::ListIter<'a, E> {
        self.list.iter()
    }

    /// The number of extensions.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether the block is empty.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The extension of type `typ`, if present.
    pub fn get(&self, typ: ExtensionType) -> Option<E> {
        self.iter().find(|e| e.ext_type() == typ)
    }

    /// Whether an extension of type `typ` is present.
    pub fn contains(&self, typ: ExtensionType) -> bool {
        self.get(typ).is_some()
    }

    /// Validates `body` (the bytes inside the block's `u16` prefix).
    pub fn from_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let list: List<'a, E> = List::from_body(body)?;
        check_no_duplicates(body)?;
        Ok(Self { list })
    }
}

/// RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the same type."
///
/// `body` is a well-formed extension block (each entry a `u16` type, a `u16` length and
/// that many bytes; `List::from_body` checked it). The 2^16 possible types are taken in
/// 64 windows of 1024, each with a 128-byte bitmap, one walk over the block's headers per
/// window that some extension falls in: linear in the block (at most 64 walks over at
/// most 16 383 headers), with 136 bytes of stack. (A bitmap of every type would be 8 KiB
/// of stack, too much for a device; a pairwise comparison would be quadratic in what the
/// peer sends.)
fn check_no_duplicates(body: &[u8]) -> Result<(), DecodeError> {
    // The type and the offset of the next entry, for a well-formed block.
    let entries = || {
        let mut at = 0usize;
        core::iter::from_fn(move || {
            let head = body.get(at..at + 4)?;
            at += 4 + usize::from(u16::from_be_bytes([head[2], head[3]]));
            Some(u16::from_be_bytes([head[0], head[1]]))
        })
    };
    let mut windows = 0u64;
    for t in entries() {
        windows |= 1 << (t >> 10);
    }
    // The error names the type of the first entry that repeats an earlier one, in the
    // block's order, whichever window finds it.
    let mut first: Option<(usize, u16)> = None;
    while windows != 0 {
        let window = windows.trailing_zeros();
        windows &= windows - 1;
        let mut seen = [0u64; 16];
        for (at, t) in entries()
            .enumerate()
            .filter(|(_, t)| u32::from(t >> 10) == window)
        {
            let i = usize::from(t & 1023);
            let bit = 1u64 << (i % 64);
            if seen[i / 64] & bit != 0 {
                if first.is_none_or(|(f, _)| at < f) {
                    first = Some((at, t));
                }
                break;
            }
            seen[i / 64] |= bit;
        }
    }
    match first {
        Some((_, t)) => Err(DecodeError::DuplicateExtension(ExtensionType(t))),
        None => Ok(()),
    }
}

impl<'a, E: Codec<'a> + Clone + ExtensionKind> IntoIterator for &Extensions<'a, E> {
    type Item = E;
    type IntoIter = crate::codec::ListIter<'a, E>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, E: Codec<'a> + Clone + ExtensionKind> Codec<'a> for Extensions<'a, E> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let body = r.vector(LengthPrefix::U16, 0, 0xffff)?;
        Self::from_body(body)
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.list.write_prefixed(w, LengthPrefix::U16)
    }
}

impl<'a, E: Codec<'a> + Clone + fmt::Debug> fmt::Debug for Extensions<'a, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.list.fmt(f)
    }
}
