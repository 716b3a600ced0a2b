//! The client's hello exchange: building the ClientHello (RFC 5246 §7.4.1.2) and checking
//! the ServerHello against it (§7.4.1.3, §7.4.1.4).

use alloc::string::String;
use alloc::vec::Vec;

use sanstls_crypto::dh::NamedDhGroup;
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_pki::ServerName as PkiServerName;
use sanstls_wire::codec::List;
use sanstls_wire::enums::{
    CipherSuite, CompressionMethod, EcPointFormat, KeyExchange, NameType, NamedGroup,
    ProtocolVersion,
};
use sanstls_wire::extensions::{
    ClientExtension, ClientExtensions, ExtensionKind as _, ProtocolName, ServerExtension,
    ServerName,
};
use sanstls_wire::handshake::{ClientHello, HandshakeMessage, Random, ServerHello};

use crate::config::ClientConfig;
use crate::error::{Error, InternalError, PeerIncompatible, PeerMisbehaved};
use crate::limits::{self, RecordLimits};

/// Encodes the ClientHello.
pub(super) fn encode_client_hello(
    config: &ClientConfig,
    server_name: &PkiServerName,
    random: [u8; 32],
    session_id: &[u8],
    ticket: Option<&[u8]>,
) -> Result<Vec<u8>, Error> {
    let common = &config.common;
    // RFC 5746 §3.4: the client signals secure renegotiation with the SCSV (rather than
    // an empty renegotiation_info; sending both is NOT RECOMMENDED).
    let mut suites = common.suites.clone();
    suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    let offers_dhe = common
        .suites
        .iter()
        .any(|&s| s.key_exchange() == Some(KeyExchange::DheRsa));
    let offers_ecdhe = offers_ecdhe(config);

    let host = match server_name {
        // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName."
        PkiServerName::Dns(d) => Some(d.as_str().as_bytes()),
        PkiServerName::Ip(_) => None,
    };
    let sni = host.map(|name| ServerName {
        name_type: NameType::HOST_NAME,
        name,
    });
    let sni_list = sni.as_ref().map(core::slice::from_ref);
    let alpn: Vec<ProtocolName<'_>> = common.alpn.iter().map(|p| ProtocolName::new(p)).collect();

    let mut exts: Vec<ClientExtension<'_>> = Vec::new();
    if let Some(list) = sni_list {
        exts.push(ClientExtension::ServerName(List::from_items(list)));
    }
    // RFC 8422 §5.1.1: the EC groups, in preference order, when ECDHE suites are
    // offered; RFC 7919 §3: then the FFDHE groups the client accepts, i.e. those of at
    // least the configured minimum size, when DHE suites are.
    let mut groups: Vec<NamedGroup> = Vec::new();
    if offers_ecdhe {
        groups.extend_from_slice(&common.groups);
    }
    if offers_dhe {
        groups.extend(
            NamedDhGroup::ALL
                .iter()
                .filter(|g| g.p_bits() >= config.min_dh_bits)
                .map(|g| NamedGroup(g.code_point())),
        );
    }
    if !groups.is_empty() {
        exts.push(ClientExtension::SupportedGroups(List::from_items(&groups)));
    }
    // RFC 8422 §5.1.2: uncompressed points only (the only format RFC 8422 keeps).
    if offers_ecdhe {
        exts.push(ClientExtension::EcPointFormats(List::from_items(&[
            EcPointFormat::UNCOMPRESSED,
        ])));
    }
    exts.push(ClientExtension::SignatureAlgorithms(List::from_items(
        &common.signature_schemes,
    )));
    if !alpn.is_empty() {
        exts.push(ClientExtension::Alpn(List::from_items(&alpn)));
    }
    if common.etm {
        exts.push(ClientExtension::EncryptThenMac);
    }
    if common.ems {
        exts.push(ClientExtension::ExtendedMasterSecret);
    }
    // RFC 6066 §4 and RFC 8449 §4: the record sizes this client accepts. Both are sent
    // for a limit that max_fragment_length can express (servers without RFC 8449 know
    // only that one; a server with both answers record_size_limit, §5); the
    // record_size_limit always (unless configured off), so that a constrained server can
    // state its own.
    if let Some(m) = limits::requested_mfl(common.max_fragment_len) {
        exts.push(ClientExtension::MaxFragmentLength(m));
    }
    if config.offer_record_size_limit {
        exts.push(ClientExtension::RecordSizeLimit(limits::advertised_rsl(
            common.max_fragment_len,
        )));
    }
    // RFC 5077 §3.2: empty to ask for a ticket, or the ticket of the session offered.
    if offers_tickets(config) {
        exts.push(ClientExtension::SessionTicket(ticket.unwrap_or(&[])));
    }

    let hello = ClientHello {
        client_version: ProtocolVersion::TLS12,
        random: Random(random),
        session_id,
        cipher_suites: List::from_items(&suites),
        compression_methods: List::from_items(&[CompressionMethod::NULL]),
        extensions: Some(ClientExtensions::from_items(&exts)),
    };
    HandshakeMessage::ClientHello(hello)
        .to_vec()
        .map_err(|_| InternalError::Encoding.into())
}

/// Whether the client offers ECDHE suites (and so supported_groups' EC groups and
/// ec_point_formats).
fn offers_ecdhe(config: &ClientConfig) -> bool {
    config
        .common
        .suites
        .iter()
        .any(|&s| s.key_exchange().is_some_and(KeyExchange::is_ecdhe))
}

/// Whether the client offers session_ticket: tickets on, and somewhere to keep them.
pub(super) fn offers_tickets(config: &ClientConfig) -> bool {
    config.tickets && config.session_store().is_some()
}

/// What the ServerHello settled.
pub(super) struct HelloResult {
    pub(super) suite: &'static SuiteInfo,
    pub(super) server_random: [u8; 32],
    pub(super) ems: bool,
    pub(super) etm: bool,
    pub(super) alpn: Option<Vec<u8>>,
    pub(super) server_name: Option<String>,
    pub(super) limits: RecordLimits,
    /// Whether the server will send a NewSessionTicket (RFC 5077 §3.2).
    pub(super) ticket: bool,
}

/// Checks the ServerHello against what the client offered.
pub(super) fn check_server_hello(
    config: &ClientConfig,
    server_name: &PkiServerName,
    sh: &ServerHello<'_>,
) -> Result<HelloResult, Error> {
    let common = &config.common;
    // 1. RFC 5246 §7.4.1.3 / Appendix E.1: the client offered only TLS 1.2, so any other
    //    server_version ends the handshake with protocol_version. (The RFC 8446 §4.1.3
    //    downgrade sentinels concern servers that negotiate below what the client offers;
    //    a TLS 1.2-only client never accepts less than 1.2, so "DOWNGRD\x00" cannot
    //    apply, and "DOWNGRD\x01" in a TLS 1.2 ServerHello is correct behaviour of a
    //    TLS 1.3 server talking to this 1.2 client.)
    if sh.server_version != ProtocolVersion::TLS12 {
        return Err(PeerIncompatible::ServerVersionNotTls12(sh.server_version).into());
    }
    // 2. §7.4.1.3: "cipher_suite: The single cipher suite selected by the server from
    //    the list in ClientHello.cipher_suites."
    if !common.suites.contains(&sh.cipher_suite) {
        return Err(PeerMisbehaved::UnofferedCipherSuite.into());
    }
    let suite = suite::lookup(sh.cipher_suite).ok_or(PeerMisbehaved::UnofferedCipherSuite)?;
    // 3. The compression method must be one offered: only null.
    if sh.compression_method != CompressionMethod::NULL {
        return Err(PeerMisbehaved::UnofferedCompression.into());
    }
    // 4. §7.4.1.4: "If a client receives an extension type in ServerHello that it did not
    //    request in the associated ClientHello, it MUST abort the handshake with an
    //    unsupported_extension fatal alert."
    let sent_sni = matches!(server_name, PkiServerName::Dns(_));
    let mut reneg_info = None;
    let mut ems = false;
    let mut etm = false;
    let mut alpn = None;
    let mut mfl = None;
    let mut rsl = None;
    let mut ticket = false;
    let requested_mfl = limits::requested_mfl(common.max_fragment_len);
    for ext in sh.extensions.iter().flatten() {
        match ext {
            // RFC 5746 §3.4: the SCSV counts as requesting the extension.
            ServerExtension::RenegotiationInfo(v) => reneg_info = Some(v),
            ServerExtension::ServerName if sent_sni => {}
            ServerExtension::ExtendedMasterSecret if common.ems => ems = true,
            ServerExtension::EncryptThenMac if common.etm => etm = true,
            ServerExtension::Alpn(name) if !common.alpn.is_empty() => {
                // RFC 7301 §3.1: the server selects one of the client's protocols.
                let name = name.as_bytes();
                if !common.alpn.iter().any(|p| p.as_slice() == name) {
                    return Err(PeerMisbehaved::UnofferedAlpnProtocol.into());
                }
                alpn = Some(name.to_vec());
            }
            ServerExtension::MaxFragmentLength(m) if requested_mfl.is_some() => mfl = Some(m),
            ServerExtension::RecordSizeLimit(v) if config.offer_record_size_limit => {
                rsl = Some(v);
            }
            ServerExtension::SessionTicket if offers_tickets(config) => ticket = true,
            // RFC 8422 §5.2: the server's list, if sent, must allow uncompressed
            // points (the only ones this client sends or reads).
            ServerExtension::EcPointFormats(formats) if offers_ecdhe(config) => {
                if !formats.contains(&EcPointFormat::UNCOMPRESSED) {
                    return Err(PeerMisbehaved::UncompressedPointsRefused.into());
                }
            }
            other => {
                return Err(PeerMisbehaved::UnsolicitedExtension(other.ext_type()).into());
            }
        }
    }
    // 5. RFC 5746 §3.4: on the initial handshake, renegotiated_connection MUST be empty,
    //    else handshake_failure; without the extension the client MAY abort (it does,
    //    unless configured otherwise).
    match reneg_info {
        Some(v) if !v.is_empty() => return Err(PeerMisbehaved::BadRenegotiationInfo.into()),
        None if config.require_secure_renegotiation => {
            return Err(PeerIncompatible::SecureRenegotiationRequired.into());
        }
        Some(_) | None => {}
    }
    // 6. RFC 7627 §5.2: without the server's extended_master_secret the client uses the
    //    legacy derivation, or aborts if it requires the extension.
    if !ems && common.require_ems {
        return Err(PeerIncompatible::ExtendedMasterSecretRequired.into());
    }
    // 7. RFC 6066 §4, RFC 8449: the record sizes.
    let limits = limits::client(
        common.max_fragment_len,
        mfl,
        rsl,
        config.require_fragment_limit,
    )?;
    let server_name = match server_name {
        PkiServerName::Dns(d) => Some(String::from(d.as_str())),
        PkiServerName::Ip(_) => None,
    };
    Ok(HelloResult {
        limits,
        suite,
        server_random: sh.random.0,
        ems,
        // RFC 7366 §3: encrypt-then-MAC does not apply to AEAD suites; a server that
        // answers it anyway with one is not followed (nothing changes on the wire).
        etm: etm && !suite.is_aead(),
        alpn,
        server_name,
        ticket,
    })
}
