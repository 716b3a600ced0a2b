//! Hello extensions (RFC 5246 §7.4.1.4) and the blocks that carry them.
//!
//! [`ClientExtension`] and [`ServerExtension`] list what each hello may carry; a known
//! extension in the wrong message is [`DecodeError::ExtensionNotAllowed`], a repeated type
//! is [`DecodeError::DuplicateExtension`], and any other type is kept as
//! [`UnknownExtension`] (type and bytes).

use core::fmt;

use crate::codec::{Codec, List, Opaque, OpaqueSpec, VecSpec};
use crate::enums::{
    CertificateStatusType, EcPointFormat, ExtensionType, MaxFragmentLength, NameType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
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

// Vector shapes shared by the extensions below.
const SUPPORTED_GROUPS: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xffff);
const EC_POINT_FORMATS: VecSpec = VecSpec::new(LengthPrefix::U8, 1, 0xff);
const SIGNATURE_ALGORITHMS: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xfffe);
const PROTOCOL_NAMES: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xffff);
const SERVER_NAMES: VecSpec = VecSpec::new(LengthPrefix::U16, 1, 0xffff);
const SUPPORTED_VERSIONS: VecSpec = VecSpec::new(LengthPrefix::U8, 2, 254);

/// RFC 8449 §4: a record_size_limit below 64 MUST be answered with illegal_parameter.
fn read_record_size_limit(r: &mut Reader<'_>) -> Result<u16, DecodeError> {
    let v = r.u16()?;
    if v < 64 {
        return Err(DecodeError::RecordSizeLimitTooSmall(v));
    }
    Ok(v)
}

/// The server_name list of a ClientHello, with no name type twice (RFC 6066 §3: "The
/// ServerNameList MUST NOT contain more than one name of the same name_type").
fn read_server_names<'a>(r: &mut Reader<'a>) -> Result<List<'a, ServerName<'a>>, DecodeError> {
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
fn read_empty(r: &mut Reader<'_>) -> Result<(), DecodeError> {
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

/// An extension a ClientHello may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientExtension<'a> {
    /// server_name (RFC 6066 §3): `server_name_list<1..2^16-1>`.
    ServerName(List<'a, ServerName<'a>>),
    /// max_fragment_length (RFC 6066 §4).
    MaxFragmentLength(MaxFragmentLength),
    /// status_request (RFC 6066 §8).
    StatusRequest(CertificateStatusRequest<'a>),
    /// supported_groups (RFC 7919 / RFC 8422): `named_group_list<2..2^16-1>`.
    SupportedGroups(List<'a, NamedGroup>),
    /// ec_point_formats (RFC 8422 §5.1.2): `ec_point_format_list<1..2^8-1>`.
    EcPointFormats(List<'a, EcPointFormat>),
    /// signature_algorithms (RFC 5246 §7.4.1.4.1): `<2..2^16-2>`.
    SignatureAlgorithms(List<'a, SignatureScheme>),
    /// signature_algorithms_cert (RFC 8446 §4.2.3): `<2..2^16-2>`.
    SignatureAlgorithmsCert(List<'a, SignatureScheme>),
    /// application_layer_protocol_negotiation (RFC 7301): `protocol_name_list<2..2^16-1>`.
    Alpn(List<'a, ProtocolName<'a>>),
    /// encrypt_then_mac (RFC 7366), empty.
    EncryptThenMac,
    /// extended_master_secret (RFC 7627), empty.
    ExtendedMasterSecret,
    /// record_size_limit (RFC 8449): at least 64.
    RecordSizeLimit(u16),
    /// session_ticket (RFC 5077 §3.2): empty, or a ticket to resume.
    SessionTicket(&'a [u8]),
    /// supported_versions (RFC 8446 §4.2.1): `versions<2..254>`; its presence marks a
    /// client that offers TLS 1.3.
    SupportedVersions(List<'a, ProtocolVersion>),
    /// renegotiation_info (RFC 5746 §3.2): `renegotiated_connection<0..255>`.
    RenegotiationInfo(&'a [u8]),
    /// Any other type.
    Unknown(UnknownExtension<'a>),
}

impl ExtensionKind for ClientExtension<'_> {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::ServerName(_) => ExtensionType::SERVER_NAME,
            Self::MaxFragmentLength(_) => ExtensionType::MAX_FRAGMENT_LENGTH,
            Self::StatusRequest(_) => ExtensionType::STATUS_REQUEST,
            Self::SupportedGroups(_) => ExtensionType::SUPPORTED_GROUPS,
            Self::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            Self::SignatureAlgorithms(_) => ExtensionType::SIGNATURE_ALGORITHMS,
            Self::SignatureAlgorithmsCert(_) => ExtensionType::SIGNATURE_ALGORITHMS_CERT,
            Self::Alpn(_) => ExtensionType::ALPN,
            Self::EncryptThenMac => ExtensionType::ENCRYPT_THEN_MAC,
            Self::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            Self::RecordSizeLimit(_) => ExtensionType::RECORD_SIZE_LIMIT,
            Self::SessionTicket(_) => ExtensionType::SESSION_TICKET,
            Self::SupportedVersions(_) => ExtensionType::SUPPORTED_VERSIONS,
            Self::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            Self::Unknown(u) => u.typ,
        }
    }
}

impl<'a> ClientExtension<'a> {
    fn read_body(typ: ExtensionType, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(match typ {
            ExtensionType::SERVER_NAME => Self::ServerName(read_server_names(r)?),
            ExtensionType::MAX_FRAGMENT_LENGTH => {
                Self::MaxFragmentLength(MaxFragmentLength::read(r)?)
            }
            ExtensionType::STATUS_REQUEST => {
                Self::StatusRequest(CertificateStatusRequest::read(r)?)
            }
            ExtensionType::SUPPORTED_GROUPS => {
                Self::SupportedGroups(List::read_spec(r, SUPPORTED_GROUPS)?)
            }
            ExtensionType::EC_POINT_FORMATS => {
                Self::EcPointFormats(List::read_spec(r, EC_POINT_FORMATS)?)
            }
            ExtensionType::SIGNATURE_ALGORITHMS => {
                Self::SignatureAlgorithms(List::read_spec(r, SIGNATURE_ALGORITHMS)?)
            }
            ExtensionType::SIGNATURE_ALGORITHMS_CERT => {
                Self::SignatureAlgorithmsCert(List::read_spec(r, SIGNATURE_ALGORITHMS)?)
            }
            ExtensionType::ALPN => Self::Alpn(List::read_spec(r, PROTOCOL_NAMES)?),
            ExtensionType::ENCRYPT_THEN_MAC => {
                read_empty(r)?;
                Self::EncryptThenMac
            }
            ExtensionType::EXTENDED_MASTER_SECRET => {
                read_empty(r)?;
                Self::ExtendedMasterSecret
            }
            ExtensionType::RECORD_SIZE_LIMIT => Self::RecordSizeLimit(read_record_size_limit(r)?),
            ExtensionType::SESSION_TICKET => Self::SessionTicket(r.rest()),
            ExtensionType::SUPPORTED_VERSIONS => {
                Self::SupportedVersions(List::read_spec(r, SUPPORTED_VERSIONS)?)
            }
            ExtensionType::RENEGOTIATION_INFO => {
                Self::RenegotiationInfo(r.vector(LengthPrefix::U8, 0, 0xff)?)
            }
            _ => Self::Unknown(UnknownExtension {
                typ,
                data: r.rest(),
            }),
        })
    }

    fn write_body(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::ServerName(l) => l.write_prefixed(w, LengthPrefix::U16),
            Self::MaxFragmentLength(m) => m.write(w),
            Self::StatusRequest(s) => s.write(w),
            Self::SupportedGroups(l) => l.write_prefixed(w, LengthPrefix::U16),
            Self::EcPointFormats(l) => l.write_prefixed(w, LengthPrefix::U8),
            Self::SignatureAlgorithms(l) | Self::SignatureAlgorithmsCert(l) => {
                l.write_prefixed(w, LengthPrefix::U16)
            }
            Self::Alpn(l) => l.write_prefixed(w, LengthPrefix::U16),
            Self::EncryptThenMac | Self::ExtendedMasterSecret => Ok(()),
            Self::RecordSizeLimit(v) => w.u16(*v),
            Self::SessionTicket(t) => w.put(t),
            Self::SupportedVersions(l) => l.write_prefixed(w, LengthPrefix::U8),
            Self::RenegotiationInfo(b) => w.vector(LengthPrefix::U8, b),
            Self::Unknown(u) => w.put(u.data),
        }
    }
}

impl<'a> Codec<'a> for ClientExtension<'a> {
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

/// An extension a TLS 1.2 ServerHello may carry.
///
/// The client-only extensions (supported_groups, signature_algorithms,
/// signature_algorithms_cert, padding) and the TLS 1.3 extensions other than
/// supported_versions are [`DecodeError::ExtensionNotAllowed`] here. Whether the client
/// asked for an extension (RFC 5246 §7.4.1.4: otherwise `unsupported_extension`) is for
/// the handshake to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerExtension<'a> {
    /// server_name, empty (RFC 6066 §3: the server's acknowledgement).
    ServerName,
    /// max_fragment_length, echoing the client's value (RFC 6066 §4).
    MaxFragmentLength(MaxFragmentLength),
    /// status_request, empty (RFC 6066 §8).
    StatusRequest,
    /// ec_point_formats (RFC 8422 §5.2).
    EcPointFormats(List<'a, EcPointFormat>),
    /// ALPN: exactly one protocol name (RFC 7301 §3.1).
    Alpn(ProtocolName<'a>),
    /// encrypt_then_mac, empty.
    EncryptThenMac,
    /// extended_master_secret, empty.
    ExtendedMasterSecret,
    /// record_size_limit, at least 64.
    RecordSizeLimit(u16),
    /// session_ticket, empty (RFC 5077 §3.2).
    SessionTicket,
    /// supported_versions with one selected version: only a TLS 1.3 ServerHello has it,
    /// so a TLS 1.2 client that sees it knows it was not talking TLS 1.2.
    SupportedVersions(ProtocolVersion),
    /// renegotiation_info (RFC 5746 §3.2).
    RenegotiationInfo(&'a [u8]),
    /// Any type this crate does not interpret.
    Unknown(UnknownExtension<'a>),
}

impl ExtensionKind for ServerExtension<'_> {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::ServerName => ExtensionType::SERVER_NAME,
            Self::MaxFragmentLength(_) => ExtensionType::MAX_FRAGMENT_LENGTH,
            Self::StatusRequest => ExtensionType::STATUS_REQUEST,
            Self::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            Self::Alpn(_) => ExtensionType::ALPN,
            Self::EncryptThenMac => ExtensionType::ENCRYPT_THEN_MAC,
            Self::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            Self::RecordSizeLimit(_) => ExtensionType::RECORD_SIZE_LIMIT,
            Self::SessionTicket => ExtensionType::SESSION_TICKET,
            Self::SupportedVersions(_) => ExtensionType::SUPPORTED_VERSIONS,
            Self::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            Self::Unknown(u) => u.typ,
        }
    }
}

impl<'a> ServerExtension<'a> {
    fn read_body(typ: ExtensionType, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(match typ {
            ExtensionType::SERVER_NAME => {
                read_empty(r)?;
                Self::ServerName
            }
            ExtensionType::MAX_FRAGMENT_LENGTH => {
                Self::MaxFragmentLength(MaxFragmentLength::read(r)?)
            }
            ExtensionType::STATUS_REQUEST => {
                read_empty(r)?;
                Self::StatusRequest
            }
            ExtensionType::EC_POINT_FORMATS => {
                Self::EcPointFormats(List::read_spec(r, EC_POINT_FORMATS)?)
            }
            ExtensionType::ALPN => {
                let names: List<'a, ProtocolName<'a>> = List::read_spec(r, PROTOCOL_NAMES)?;
                let mut it = names.iter();
                match (it.next(), it.next()) {
                    (Some(name), None) => Self::Alpn(name),
                    _ => return Err(DecodeError::AlpnNotSingleProtocol),
                }
            }
            ExtensionType::ENCRYPT_THEN_MAC => {
                read_empty(r)?;
                Self::EncryptThenMac
            }
            ExtensionType::EXTENDED_MASTER_SECRET => {
                read_empty(r)?;
                Self::ExtendedMasterSecret
            }
            ExtensionType::RECORD_SIZE_LIMIT => Self::RecordSizeLimit(read_record_size_limit(r)?),
            ExtensionType::SESSION_TICKET => {
                read_empty(r)?;
                Self::SessionTicket
            }
            ExtensionType::SUPPORTED_VERSIONS => Self::SupportedVersions(ProtocolVersion::read(r)?),
            ExtensionType::RENEGOTIATION_INFO => {
                Self::RenegotiationInfo(r.vector(LengthPrefix::U8, 0, 0xff)?)
            }
            ExtensionType::SUPPORTED_GROUPS
            | ExtensionType::SIGNATURE_ALGORITHMS
            | ExtensionType::SIGNATURE_ALGORITHMS_CERT
            | ExtensionType::PADDING
            | ExtensionType::PRE_SHARED_KEY
            | ExtensionType::EARLY_DATA
            | ExtensionType::COOKIE
            | ExtensionType::PSK_KEY_EXCHANGE_MODES
            | ExtensionType::CERTIFICATE_AUTHORITIES
            | ExtensionType::OID_FILTERS
            | ExtensionType::POST_HANDSHAKE_AUTH
            | ExtensionType::KEY_SHARE => return Err(DecodeError::ExtensionNotAllowed(typ)),
            _ => Self::Unknown(UnknownExtension {
                typ,
                data: r.rest(),
            }),
        })
    }

    fn write_body(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Self::ServerName
            | Self::StatusRequest
            | Self::EncryptThenMac
            | Self::ExtendedMasterSecret
            | Self::SessionTicket => Ok(()),
            Self::MaxFragmentLength(m) => m.write(w),
            Self::EcPointFormats(l) => l.write_prefixed(w, LengthPrefix::U8),
            Self::Alpn(name) => w.prefixed(LengthPrefix::U16, |w| name.write(w)),
            Self::RecordSizeLimit(v) => w.u16(*v),
            Self::SupportedVersions(v) => v.write(w),
            Self::RenegotiationInfo(b) => w.vector(LengthPrefix::U8, b),
            Self::Unknown(u) => w.put(u.data),
        }
    }
}

impl<'a> Codec<'a> for ServerExtension<'a> {
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
        // RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the same
        // type." One bit per possible type keeps this linear (8 KiB of stack).
        let mut seen = [0u64; 1024];
        for e in &list {
            let t = usize::from(e.ext_type().0);
            let bit = 1u64 << (t % 64);
            if seen[t / 64] & bit != 0 {
                return Err(DecodeError::DuplicateExtension(e.ext_type()));
            }
            seen[t / 64] |= bit;
        }
        Ok(Self { list })
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

impl<'a> Extensions<'a, ClientExtension<'a>> {
    getter!(
        /// The server_name list.
        server_names, ClientExtension::ServerName, List<'a, ServerName<'a>>
    );
    getter!(
        /// The max_fragment_length request.
        max_fragment_length, ClientExtension::MaxFragmentLength, MaxFragmentLength
    );
    getter!(
        /// The status_request.
        status_request, ClientExtension::StatusRequest, CertificateStatusRequest<'a>
    );
    getter!(
        /// The supported_groups list.
        supported_groups, ClientExtension::SupportedGroups, List<'a, NamedGroup>
    );
    getter!(
        /// The ec_point_formats list.
        ec_point_formats, ClientExtension::EcPointFormats, List<'a, EcPointFormat>
    );
    getter!(
        /// The signature_algorithms list.
        signature_algorithms, ClientExtension::SignatureAlgorithms, List<'a, SignatureScheme>
    );
    getter!(
        /// The signature_algorithms_cert list.
        signature_algorithms_cert,
        ClientExtension::SignatureAlgorithmsCert,
        List<'a, SignatureScheme>
    );
    getter!(
        /// The ALPN protocol list.
        alpn, ClientExtension::Alpn, List<'a, ProtocolName<'a>>
    );
    getter!(
        /// The record_size_limit.
        record_size_limit, ClientExtension::RecordSizeLimit, u16
    );
    getter!(
        /// The session_ticket body (empty: the client asks for a ticket).
        session_ticket, ClientExtension::SessionTicket, &'a [u8]
    );
    getter!(
        /// The supported_versions list.
        supported_versions, ClientExtension::SupportedVersions, List<'a, ProtocolVersion>
    );
    getter!(
        /// The renegotiation_info body.
        renegotiation_info, ClientExtension::RenegotiationInfo, &'a [u8]
    );
    flag!(
        /// Whether encrypt_then_mac is present.
        encrypt_then_mac, ClientExtension::EncryptThenMac
    );
    flag!(
        /// Whether extended_master_secret is present.
        extended_master_secret, ClientExtension::ExtendedMasterSecret
    );

    /// The host_name entry of server_name, if any.
    pub fn host_name(&self) -> Option<&'a [u8]> {
        self.server_names()?
            .iter()
            .find(|n| n.name_type == NameType::HOST_NAME)
            .map(|n| n.name)
    }
}

impl<'a> Extensions<'a, ServerExtension<'a>> {
    getter!(
        /// The echoed max_fragment_length.
        max_fragment_length, ServerExtension::MaxFragmentLength, MaxFragmentLength
    );
    getter!(
        /// The ec_point_formats list.
        ec_point_formats, ServerExtension::EcPointFormats, List<'a, EcPointFormat>
    );
    getter!(
        /// The selected ALPN protocol.
        alpn, ServerExtension::Alpn, ProtocolName<'a>
    );
    getter!(
        /// The record_size_limit.
        record_size_limit, ServerExtension::RecordSizeLimit, u16
    );
    getter!(
        /// The selected version of a TLS 1.3 ServerHello.
        supported_versions, ServerExtension::SupportedVersions, ProtocolVersion
    );
    getter!(
        /// The renegotiation_info body.
        renegotiation_info, ServerExtension::RenegotiationInfo, &'a [u8]
    );
    flag!(
        /// Whether the server acknowledged server_name.
        server_name, ServerExtension::ServerName
    );
    flag!(
        /// Whether the server will staple an OCSP response.
        status_request, ServerExtension::StatusRequest
    );
    flag!(
        /// Whether encrypt_then_mac is present.
        encrypt_then_mac, ServerExtension::EncryptThenMac
    );
    flag!(
        /// Whether extended_master_secret is present.
        extended_master_secret, ServerExtension::ExtendedMasterSecret
    );
    flag!(
        /// Whether the server will send a NewSessionTicket.
        session_ticket, ServerExtension::SessionTicket
    );
}
