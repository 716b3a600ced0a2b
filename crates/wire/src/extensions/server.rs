//! The extensions of a TLS 1.2 ServerHello.

use crate::codec::{Codec, List};
use crate::enums::{EcPointFormat, ExtensionType, MaxFragmentLength, ProtocolVersion};
use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

use super::{
    EC_POINT_FORMATS, ExtensionKind, Extensions, PROTOCOL_NAMES, ProtocolName, UnknownExtension,
    read_empty, read_record_size_limit,
};

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

extension_codec!(ServerExtension);

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
