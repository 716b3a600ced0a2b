//! The extensions of a ClientHello.

use crate::codec::{Codec, List};
use crate::enums::{
    EcPointFormat, ExtensionType, MaxFragmentLength, NameType, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

use super::{
    CertificateStatusRequest, EC_POINT_FORMATS, ExtensionKind, Extensions, PROTOCOL_NAMES,
    ProtocolName, SIGNATURE_ALGORITHMS, SUPPORTED_GROUPS, SUPPORTED_VERSIONS, ServerName,
    UnknownExtension, read_empty, read_record_size_limit, read_server_names,
};

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

extension_codec!(ClientExtension);

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
