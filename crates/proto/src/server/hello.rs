//! The server's answer to a ClientHello: ServerHello, Certificate, ServerKeyExchange
//! (DHE_RSA, ECDHE_RSA, ECDHE_ECDSA), CertificateRequest (with a client verifier) and
//! ServerHelloDone (RFC 5246 §7.4.1.3-§7.4.5, RFC 8422 §5.2-§5.4).

use crate::Shared;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use sanstls_crypto::dh::{DhGroup, NamedDhGroup};
#[cfg(feature = "ecdhe")]
use sanstls_crypto::ecdh::EcGroup;
#[cfg(feature = "dhe")]
use sanstls_crypto::provider::DhEphemeral;
#[cfg(feature = "ecdhe")]
use sanstls_crypto::provider::EcEphemeral;
use sanstls_crypto::rng::Rng as _;
use sanstls_keys::suite::SuiteInfo;
use sanstls_keys::transcript::Transcript;
use sanstls_record::Fragmenter;
use sanstls_wire::codec::List;
use sanstls_wire::enums::{
    CipherSuite, ClientCertificateType, CompressionMethod, EcPointFormat, KeyExchange, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use sanstls_wire::extensions::{ProtocolName, ServerExtension, ServerExtensions};
use sanstls_wire::handshake::{
    Certificate, CertificateDer, CertificateRequest, ClientHello, DigitallySigned,
    DistinguishedName, HandshakeMessage, KeyExchangeParams, Random, ServerDhParams,
    ServerEcdhParams, ServerHello, ServerKeyExchange,
};

use sanstls_crypto::rng::SeededRng;
use sanstls_keys::MasterSecret;
use sanstls_keys::suite;
use sanstls_pki::UnixTime;
use sanstls_record::Opener;

use super::ServerKx;
use crate::config::{CertifiedKey, ServerConfig};
use crate::core::Core;
use crate::error::{Error, InternalError, PeerIncompatible, PeerMisbehaved};
use crate::hs::Hs;
use crate::hs::Keys;
use crate::limits::{self, RecordLimits};
use crate::negotiate;
use crate::session::{MAX_SESSION_ID_LEN, Session};
use crate::sig::{KeyKind, scheme_parts, sign_digest, signed_params};

/// RFC 8446 §4.1.3: the last eight bytes of a TLS 1.3 server's random when it
/// negotiates TLS 1.2 ("DOWNGRD" 01) or below ("DOWNGRD" 00).
const DOWNGRADE_SENTINELS: [[u8; 8]; 2] = [*b"DOWNGRD\x01", *b"DOWNGRD\x00"];

/// The longest host name (RFC 1035 §2.3.4: 255 octets on the wire, 253 in text).
const MAX_HOST_NAME_LEN: usize = 253;
/// The longest label of a host name (RFC 1035 §2.3.4).
const MAX_LABEL_LEN: usize = 63;

/// Checks a server_name HostName and returns it in lowercase. RFC 6066 §3: the name is
/// "the fully qualified DNS hostname of the server ... represented as a byte string
/// using ASCII encoding without a trailing dot"; host names are LDH labels (letters,
/// digits, hyphen; RFC 1123 §2.1, RFC 5890 §2.3.1; internationalized names travel as
/// A-labels). A NUL, a control character, any other byte, an empty label (a leading,
/// doubled or trailing dot) or an over-long name or label is illegal_parameter:
/// passing such a name on to certificate selection or to the application invites
/// confusion between what the client asked for and what is logged or matched.
pub(crate) fn check_host_name(name: &[u8]) -> Result<String, Error> {
    let ldh = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    let ok = !name.is_empty()
        && name.len() <= MAX_HOST_NAME_LEN
        && name.split(|&b| b == b'.').all(|label| {
            !label.is_empty() && label.len() <= MAX_LABEL_LEN && label.iter().all(ldh)
        });
    if !ok {
        return Err(PeerMisbehaved::InvalidServerName.into());
    }
    // All ASCII: each byte is one char.
    Ok(name
        .iter()
        .map(|&b| char::from(b.to_ascii_lowercase()))
        .collect())
}

/// Whether the leaf of `cert` is valid for the host name `name` (RFC 6125 matching).
fn covers(cert: &CertifiedKey, name: &str) -> bool {
    let (Ok(reference), Some(leaf)) = (sanstls_pki::ServerName::new(name), cert.chain().first())
    else {
        return false;
    };
    sanstls_pki::certificate_covers_name(leaf, &reference).unwrap_or(false)
}

/// What the server decided from a ClientHello (RFC 5246 §7.4.1.2-§7.4.1.4): nothing
/// is sent until every choice is made, so a ClientHello that cannot be served fails
/// with the right alert before any output.
#[allow(clippy::struct_excessive_bools)] // what the hellos agreed, one flag each
struct Choice {
    suite: &'static SuiteInfo,
    /// The certificate for the client's server name (none on a PSK-only server).
    cert: Option<Shared<CertifiedKey>>,
    kx: KxChoice,
    /// Whether to answer renegotiation_info (RFC 5746 §3.6).
    secure_renegotiation: bool,
    server_name: Option<String>,
    ems: bool,
    etm: bool,
    alpn: Option<Vec<u8>>,
    limits: RecordLimits,
    limits_answer: limits::Answer,
    /// The session ID of the ServerHello: the client's, when resuming; a new one when
    /// the server has a session cache; else empty (§7.4.1.3).
    session_id: Vec<u8>,
    /// Whether to send a NewSessionTicket (RFC 5077 §3.2: the client sent
    /// session_ticket and the server has a ticketer).
    ticket: bool,
    /// Whether to answer ec_point_formats (RFC 8422 §5.2: an ECC suite was chosen and
    /// the client sent the extension).
    ec_point_formats: bool,
}

/// The key exchange of the chosen suite, with what DHE needs; or the session resumed.
enum KxChoice {
    /// An abbreviated handshake (RFC 5246 §7.3) with this session.
    Resume(Box<Session>),
    #[cfg(feature = "rsa-kx")]
    Rsa,
    #[cfg(all(feature = "x509", feature = "dhe"))]
    Dhe {
        scheme: SignatureScheme,
        group: NamedDhGroup,
    },
    #[cfg(all(feature = "x509", feature = "ecdhe"))]
    Ecdhe {
        scheme: SignatureScheme,
        group: EcGroup,
    },
    /// A PSK suite (RFC 4279 §2), with the group of DHE_PSK or ECDHE_PSK.
    #[cfg(feature = "psk")]
    Psk(PskGroup),
}

/// The ephemeral group of a PSK key exchange.
#[cfg(feature = "psk")]
#[derive(Clone, Copy)]
enum PskGroup {
    /// Plain PSK (RFC 4279 §2).
    None,
    /// DHE_PSK (RFC 4279 §3).
    #[cfg(feature = "dhe")]
    Dh(NamedDhGroup),
    /// ECDHE_PSK (RFC 5489 §2).
    #[cfg(feature = "ecdhe")]
    Ec(EcGroup),
}

/// Decides everything a ClientHello leaves to the server. Pure: no output, no
/// randomness.
fn choose(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    now: UnixTime,
    rng: &mut SeededRng,
) -> Result<Choice, Error> {
    let common = &config.common;
    let exts = ch.extensions;

    // 1. Version (RFC 5246 §E.1): a client offering TLS 1.2 or higher gets TLS 1.2 (the
    //    highest this server speaks); one offering less gets protocol_version. A TLS 1.3
    //    client offers 1.2 in legacy_version and 1.3 in supported_versions (RFC 8446
    //    §4.2.1), which a TLS 1.2 server ignores.
    if ch.client_version.0 < ProtocolVersion::TLS12.0 {
        return Err(PeerIncompatible::ClientVersionTooLow(ch.client_version).into());
    }

    // 2. RFC 5746 §3.6: the SCSV or an empty renegotiation_info signals support; a
    //    non-empty one on an initial handshake is handshake_failure.
    let reneg_ext = exts.and_then(|e| e.renegotiation_info());
    if reneg_ext.is_some_and(|v| !v.is_empty()) {
        return Err(PeerMisbehaved::BadRenegotiationInfo.into());
    }
    let secure_renegotiation =
        reneg_ext.is_some() || ch.offers(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);

    // 3. RFC 6066 §3: the host name, checked, picks the certificate.
    let server_name = match exts.and_then(|e| e.host_name()) {
        Some(name) => Some(check_host_name(name)?),
        None => None,
    };
    // (A server with PSKs may have no certificate: then only a PSK suite can be
    // chosen.)
    let cert = config.certs.resolve(server_name.as_deref());
    if cert.is_none() && config.psk_store.is_none() {
        return Err(PeerIncompatible::UnrecognizedName.into());
    }
    // RFC 6066 §3: a server that "does not recognize the server name ... SHOULD ...
    // either abort the handshake by sending a fatal-level unrecognized_name(112) alert
    // or continue the handshake"; continuing is the default, aborting the option.
    if config.refuse_unknown_server_names
        && let Some(name) = &server_name
        && let Some(cert) = &cert
        && !covers(cert, name)
    {
        return Err(PeerIncompatible::UnrecognizedName.into());
    }

    // 4. RFC 7627 §5.1: the extended master secret, which a resumption must match.
    let ems = common.ems && exts.is_some_and(|e| e.extended_master_secret());
    if !ems && common.require_ems {
        return Err(PeerIncompatible::ExtendedMasterSecretRequired.into());
    }

    ec_point_formats_ok(ch)?;

    // 5. A session to resume (by ticket or session ID), or the suite, signature scheme
    //    and group of a full handshake (negotiate.rs).
    let (suite, kx) = match resumable(config, ch, server_name.as_deref(), ems, now)? {
        Some(session) => {
            let suite = suite::lookup(session.suite).ok_or(InternalError::HandshakeState)?;
            (suite, KxChoice::Resume(Box::new(session)))
        }
        None => full_handshake_suite(config, ch, cert.as_deref())?,
    };
    let resuming = matches!(kx, KxChoice::Resume(_));
    // RFC 5077 §3.4: a resumption answers with the client's session ID; a full
    // handshake gets a fresh one when there is a cache to find it in later.
    let session_id = if resuming {
        ch.session_id.to_vec()
    } else if config.session_store().is_some() {
        let mut id = alloc::vec![0u8; MAX_SESSION_ID_LEN];
        rng.fill_bytes(&mut id);
        id
    } else {
        Vec::new()
    };
    let ticket = config.ticketer().is_some() && exts.is_some_and(|e| e.session_ticket().is_some());
    // RFC 7366 §3: encrypt-then-MAC applies to block-cipher suites; a server that
    // selects an AEAD suite "MUST NOT send an encrypt-then-MAC response extension".
    let etm = common.etm && !suite.is_aead() && exts.is_some_and(|e| e.encrypt_then_mac());
    // RFC 8422 §5.2: the server answers ec_point_formats when it chose an ECC suite
    // and the client sent the extension (whose contents `ec_point_formats_ok` checked).
    let ec_point_formats =
        suite.key_exchange.is_ecdhe() && exts.is_some_and(|e| e.ec_point_formats().is_some());
    let alpn = negotiate::alpn(&common.alpn, exts.and_then(|e| e.alpn()))?.map(<[u8]>::to_vec);

    // 6. RFC 6066 §4, RFC 8449: the record sizes.
    let (limits, limits_answer) = limits::server(
        common.max_fragment_len,
        exts.and_then(|e| e.max_fragment_length()),
        exts.and_then(|e| e.record_size_limit()),
    );

    Ok(Choice {
        suite,
        cert,
        kx,
        secure_renegotiation,
        server_name,
        ems,
        etm,
        alpn,
        limits,
        limits_answer,
        session_id,
        ticket,
        ec_point_formats,
    })
}

/// RFC 8422 §5.1.2: "If the client sends the extension and the extension does not
/// contain the uncompressed point format, and the client has used the Supported Groups
/// extension to indicate support for any of the curves defined in this document, then
/// the server MUST abort the handshake and return an illegal_parameter alert."
fn ec_point_formats_ok(ch: &ClientHello<'_>) -> Result<(), Error> {
    let Some(exts) = ch.extensions else {
        return Ok(());
    };
    let Some(formats) = exts.ec_point_formats() else {
        return Ok(());
    };
    // (The curves RFC 8422 defines: secp256r1, secp384r1, secp521r1, x25519, x448.)
    let ec_curves = exts.supported_groups().is_some_and(|g| {
        g.iter().any(|g| {
            matches!(
                g,
                NamedGroup::SECP256R1
                    | NamedGroup::SECP384R1
                    | NamedGroup::SECP521R1
                    | NamedGroup::X25519
                    | NamedGroup::X448
            )
        })
    });
    if ec_curves && !formats.contains(&EcPointFormat::UNCOMPRESSED) {
        return Err(PeerMisbehaved::UncompressedPointsRefused.into());
    }
    Ok(())
}

/// The suite and key exchange of a full handshake: the server's preference among the
/// client's suites that the certificate and the client's signature schemes and groups
/// allow (negotiate.rs).
fn full_handshake_suite(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    cert: Option<&CertifiedKey>,
) -> Result<(&'static SuiteInfo, KxChoice), Error> {
    let common = &config.common;
    let exts = ch.extensions;
    let client_groups = exts.and_then(|e| e.supported_groups());
    let group = negotiate::dh_group(config.dh_group, client_groups);
    let ec_group = negotiate::ec_group(&common.groups, client_groups);
    let psk = config.psk_store.is_some();
    // A PSK-only server (or one without a certificate for this name) can do PSK suites
    // only; with a certificate, what its key and the client's schemes and groups allow.
    let (can, scheme) = match cert {
        None => (
            negotiate::Abilities {
                rsa_sign: false,
                ecdsa_sign: false,
                decrypt: false,
                dh_group: group,
                ec_group,
                psk,
            },
            None,
        ),
        Some(cert) => {
            let kind = cert.kind();
            let scheme = negotiate::signature_scheme(
                &common.signature_schemes,
                exts.and_then(|e| e.signature_algorithms()),
                kind,
            );
            let signs = scheme.is_some() && cert.may_sign();
            // RFC 8422 §5.1.1 (and RFC 4492 §5.1 before it): the client's
            // supported_groups also bounds the curve of an ECDSA certificate.
            #[cfg(feature = "ecdsa")]
            let ecdsa_sign = match kind {
                KeyKind::Ecdsa(curve) => {
                    let code = match curve {
                        sanstls_crypto::ecdsa::EcdsaCurve::P256 => NamedGroup::SECP256R1,
                        _ => NamedGroup::SECP384R1,
                    };
                    signs && client_groups.is_none_or(|g| g.contains(&code))
                }
                KeyKind::Rsa => false,
            };
            #[cfg(not(feature = "ecdsa"))]
            let ecdsa_sign = false;
            let can = negotiate::Abilities {
                rsa_sign: signs && kind == KeyKind::Rsa,
                ecdsa_sign,
                decrypt: cert.may_encipher(),
                dh_group: group,
                ec_group,
                psk,
            };
            (can, scheme)
        }
    };
    let suite = negotiate::cipher_suite(
        &common.suites,
        ch.cipher_suites,
        can,
        config.client_suite_order,
    )?;
    // (The configuration holds only suites whose key exchange this build has.)
    let kx = match (suite.key_exchange, scheme) {
        #[cfg(feature = "rsa-kx")]
        (KeyExchange::Rsa, _) => KxChoice::Rsa,
        // `cipher_suite` picks DHE only with a scheme and a group.
        #[cfg(all(feature = "x509", feature = "dhe"))]
        (KeyExchange::DheRsa, Some(scheme)) => KxChoice::Dhe {
            scheme,
            group: group.map_err(|()| InternalError::HandshakeState)?,
        },
        // ... and ECDHE only with a scheme for the key and a common group.
        #[cfg(all(feature = "x509", feature = "ecdhe"))]
        (KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa, Some(scheme)) => KxChoice::Ecdhe {
            scheme,
            group: ec_group
                .and_then(|g| EcGroup::from_code_point(g.0))
                .ok_or(InternalError::HandshakeState)?,
        },
        (kx, _) if kx.is_psk() => psk_choice(*suite, group, ec_group)?,
        _ => return Err(InternalError::HandshakeState.into()),
    };
    Ok((suite, kx))
}

/// The key exchange of a PSK suite `suite`, with the group `cipher_suite` checked it
/// has.
#[allow(unused_variables)] // `group`, `ec_group` without features dhe, ecdhe
fn psk_choice(
    suite: SuiteInfo,
    group: Result<NamedDhGroup, ()>,
    ec_group: Option<NamedGroup>,
) -> Result<KxChoice, Error> {
    Ok(match suite.key_exchange {
        #[cfg(feature = "psk")]
        KeyExchange::Psk => KxChoice::Psk(PskGroup::None),
        #[cfg(all(feature = "psk", feature = "dhe"))]
        KeyExchange::DhePsk => KxChoice::Psk(PskGroup::Dh(
            group.map_err(|()| InternalError::HandshakeState)?,
        )),
        #[cfg(all(feature = "psk", feature = "ecdhe"))]
        KeyExchange::EcdhePsk => KxChoice::Psk(PskGroup::Ec(
            ec_group
                .and_then(|g| EcGroup::from_code_point(g.0))
                .ok_or(InternalError::HandshakeState)?,
        )),
        _ => return Err(InternalError::HandshakeState.into()),
    })
}

/// The session the ClientHello asks to resume, if the server has it and may resume
/// it now; `None` means a full handshake. A ticket is tried first (RFC 5077 §3.4),
/// then the session ID in the cache (RFC 5246 §7.4.1.2). A ticket that does not
/// decrypt, an unknown ID, an expired session, or one whose terms the ClientHello
/// does not meet is never an error, only a full handshake; the one error is a client
/// that drops the extended master secret of the session (RFC 7627 §5.3).
fn resumable(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    server_name: Option<&str>,
    ems: bool,
    now: UnixTime,
) -> Result<Option<Session>, Error> {
    let exts = ch.extensions;
    let from_ticket = match (
        config.ticketer(),
        exts.and_then(|e| e.session_ticket())
            .filter(|t| !t.is_empty()),
    ) {
        (Some(ticketer), Some(ticket)) => ticketer.decrypt(ticket, now),
        _ => None,
    };
    let from_cache = || match (config.session_store(), ch.session_id) {
        (Some(store), id) if !id.is_empty() => store.get(id),
        _ => None,
    };
    let Some(session) = from_ticket
        .or_else(from_cache)
        .and_then(|bytes| Session::from_bytes(&bytes).ok())
    else {
        return Ok(None);
    };
    // RFC 7627 §5.3: "If the original session used the "extended_master_secret"
    // extension but the new ClientHello does not contain it, the server MUST abort the
    // abbreviated handshake." A session without it is not resumed at all: "If the
    // original session did not use the extension but the new ClientHello does", a
    // full handshake follows; if neither did, the server "SHOULD" abort, and a full
    // handshake (which derives a fresh master secret) is the safe way to do so
    // without failing the client.
    // (The client's offer decides the abort; a server configured without the
    // extension, sharing a cache or ticket keys with one that has it, just does not
    // resume such a session.)
    let client_offers_ems = ch.extensions.is_some_and(|e| e.extended_master_secret());
    if session.extended_master_secret && !client_offers_ems {
        return Err(PeerMisbehaved::ResumptionWithoutExtendedMasterSecret.into());
    }
    let ok = session.extended_master_secret
        && ems
        && session.is_valid_at(now)
        // RFC 5246 §7.4.1.2: the client's suites "MUST include at least the
        // cipher_suite from that session"; it must also still be one this server uses.
        && ch.offers(session.suite)
        && config.common.suites.contains(&session.suite)
        // RFC 6066 §3: a server "MUST NOT accept the request to resume the session if
        // the server_name extension contains a different name".
        && session.server_name.as_deref() == server_name
        // The same client authentication state: a session without a client
        // certificate does not resume where one is now required, nor one with a
        // certificate where none is asked for any more.
        && match (config.client_verifier(), &session.peer_certificate) {
            (Some(v), None) => !v.client_auth_mandatory() || session.psk_identity.is_some(),
            (None, Some(_)) => false,
            _ => true,
        }
        // A PSK session only while its identity still has a key (a PSK withdrawn
        // from the store ends its sessions too).
        && session.psk_identity.as_deref().is_none_or(|id| {
            config.psk_store.as_ref().is_some_and(|s| s.key(id).is_some())
        });
    Ok(ok.then_some(session))
}

/// What the server did with a ClientHello.
pub(super) enum Response {
    /// A full handshake: its first flight went out, the key exchange waits for the
    /// client's.
    Full(Box<Hs>, ServerKx),
    /// An abbreviated handshake (RFC 5246 §7.3): ServerHello, [NewSessionTicket],
    /// ChangeCipherSpec and Finished went out; the client's ChangeCipherSpec and
    /// Finished come next.
    Resumed(Box<Hs>, MasterSecret, Box<Opener>),
}

/// Processes the ClientHello and sends the server's first flight.
pub(super) fn respond(
    core: &mut Core,
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    raw: &[u8],
) -> Result<Response, Error> {
    let choice = match choose(config, ch, core.now, &mut core.rng) {
        Ok(c) => c,
        Err(e) => {
            // The session found for a resumption that must fail is invalidated
            // with the fatal alert (RFC 5246 §7.2). (Only then: a ClientHello that
            // fails for another reason does not evict the session it names, which
            // anyone who saw the ID on the wire could send.)
            if e == PeerMisbehaved::ResumptionWithoutExtendedMasterSecret.into() {
                core.session_name = ch.session_id.to_vec();
            }
            return Err(e);
        }
    };
    // A fatal alert on this connection invalidates its session (RFC 5246 §7.2).
    core.session_name.clone_from(&choice.session_id);
    if matches!(choice.kx, KxChoice::Resume(_)) {
        return resume(core, config, ch, raw, choice);
    }
    let (hs, kx) = send_first_flight(core, config, ch, raw, choice)?;
    Ok(Response::Full(hs, kx))
}

/// The server's part of the abbreviated handshake (RFC 5246 §7.3): ServerHello with
/// the client's session ID, [NewSessionTicket], ChangeCipherSpec, Finished, with keys
/// from the session's master secret and the new randoms.
fn resume(
    core: &mut Core,
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    raw: &[u8],
    choice: Choice,
) -> Result<Response, Error> {
    core.fragmenter = Fragmenter::new(choice.limits.send);
    let (transcript, server_random) = send_server_hello(core, config, raw, &choice)?;
    let KxChoice::Resume(session) = choice.kx else {
        return Err(InternalError::HandshakeState.into());
    };
    let mut hs = Box::new(Hs {
        transcript,
        client_random: ch.random.0,
        server_random,
        suite: choice.suite,
        ems: choice.ems,
        etm: choice.etm,
        alpn: choice.alpn,
        server_name: choice.server_name,
        dh_bits: None,
        ec_group: None,
        limits: choice.limits,
        session_id: choice.session_id,
        ticket: choice.ticket,
        resumed: true,
        psk_identity: session.psk_identity.clone(),
    });
    // The peer's identity is the session's (its leaf certificate, validated then).
    core.received_chain = session.peer_certificate.iter().cloned().collect();
    let master = MasterSecret::from_bytes(choice.suite.prf_hash, *session.master_secret());
    let Keys {
        master,
        sealer,
        opener,
    } = hs.keys(core, master)?;
    if hs.ticket {
        // RFC 5077 §3.3: a fresh ticket for the same session (its expiry unchanged).
        super::send_ticket(core, config, &mut hs, &session)?;
    }
    core.send_ccs(sealer)?;
    hs.send_finished(core, &master)?;
    Ok(Response::Resumed(hs, master, opener))
}

/// The server's first flight (RFC 5246 §7.3): ServerHello, Certificate,
/// [ServerKeyExchange], [CertificateRequest], ServerHelloDone.
fn send_first_flight(
    core: &mut Core,
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    raw: &[u8],
    choice: Choice,
) -> Result<(Box<Hs>, ServerKx), Error> {
    // RFC 6066 §4: with max_fragment_length "the client and server MUST immediately
    // begin fragmenting messages (including handshake messages)", so from the
    // ServerHello on; RFC 8449: no protected record above the client's limit (applied
    // to every record: smaller is always allowed).
    core.fragmenter = Fragmenter::new(choice.limits.send);

    // 1. ServerHello, and the transcript from the ClientHello on.
    let (transcript, server_random) = send_server_hello(core, config, raw, &choice)?;
    let Choice {
        suite,
        cert,
        kx,
        server_name,
        ems,
        etm,
        alpn,
        limits,
        session_id,
        ticket,
        ..
    } = choice;
    // (Changed here only by the PSK flight; the certificate flight takes it.)
    #[cfg_attr(not(feature = "psk"), allow(unused_mut))]
    let mut hs = Box::new(Hs {
        transcript,
        client_random: ch.random.0,
        server_random,
        suite,
        ems,
        etm,
        alpn,
        server_name,
        dh_bits: None,
        ec_group: None,
        limits,
        session_id,
        ticket,
        resumed: false,
        psk_identity: None,
    });

    // (RFC 4279 §2: a PSK suite has no Certificate nor CertificateRequest.)
    #[cfg(feature = "psk")]
    if let KxChoice::Psk(group) = kx {
        let kx = send_psk_server_key_exchange(core, config, &mut hs, group)?;
        core.send_handshake(&HandshakeMessage::ServerHelloDone, &mut hs.transcript)?;
        return Ok((hs, kx));
    }
    // (Without `x509` the configuration has no certificates and only PSK suites.)
    #[cfg(not(feature = "x509"))]
    return Err(InternalError::HandshakeState.into());
    #[cfg(feature = "x509")]
    send_certificate_flight(core, config, ch, hs, cert, &kx)
}

/// The rest of the first flight of a certificate suite: Certificate, [ServerKeyExchange],
/// [CertificateRequest], ServerHelloDone.
#[cfg(feature = "x509")]
fn send_certificate_flight(
    core: &mut Core,
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    mut hs: Box<Hs>,
    cert: Option<Shared<CertifiedKey>>,
    kx: &KxChoice,
) -> Result<(Box<Hs>, ServerKx), Error> {
    let cert = cert.ok_or(InternalError::HandshakeState)?;

    // 2. §7.4.2: the certificate chain, leaf first.
    let ders: Vec<CertificateDer<'_>> = cert
        .chain()
        .iter()
        .map(|c| CertificateDer::new(c))
        .collect();
    let cm = HandshakeMessage::Certificate(Certificate {
        certificates: List::from_items(&ders),
    });
    core.send_handshake(&cm, &mut hs.transcript)?;

    // 3. §7.4.3: the signed DH parameters for DHE_RSA.
    let kx = match *kx {
        #[cfg(feature = "rsa-kx")]
        KxChoice::Rsa => ServerKx::Rsa {
            cert,
            client_version: ch.client_version.0.to_be_bytes(),
        },
        #[cfg(all(feature = "x509", feature = "dhe"))]
        KxChoice::Dhe { scheme, group } => {
            send_server_key_exchange(core, &mut hs, &cert, scheme, group)?
        }
        #[cfg(all(feature = "x509", feature = "ecdhe"))]
        KxChoice::Ecdhe { scheme, group } => {
            send_ecdhe_server_key_exchange(core, &mut hs, &cert, scheme, group)?
        }
        KxChoice::Resume(_) => return Err(InternalError::HandshakeState.into()),
        #[cfg(feature = "psk")]
        KxChoice::Psk(_) => return Err(InternalError::HandshakeState.into()),
    };

    // 4. §7.4.4: with a client verifier, CertificateRequest: rsa_sign and (with
    //    feature `ecdsa`) ecdsa_sign (RFC 8422 §5.5), the schemes it accepts in
    //    CertificateVerify,
    //    and the verifier's acceptable issuers (their sizes were checked when the config
    //    was built).
    #[cfg(feature = "client-auth")]
    if let Some(verifier) = config.client_verifier() {
        let issuers = verifier.acceptable_issuers();
        let names: Vec<DistinguishedName<'_>> =
            issuers.iter().map(|n| DistinguishedName::new(n)).collect();
        let types: &[ClientCertificateType] = if cfg!(feature = "ecdsa") {
            &[
                ClientCertificateType::RSA_SIGN,
                ClientCertificateType::ECDSA_SIGN,
            ]
        } else {
            &[ClientCertificateType::RSA_SIGN]
        };
        let cr = HandshakeMessage::CertificateRequest(CertificateRequest {
            certificate_types: List::from_items(types),
            signature_algorithms: List::from_items(&config.common.signature_schemes),
            certificate_authorities: List::from_items(&names),
        });
        core.send_handshake(&cr, &mut hs.transcript)?;
    }

    // 5. §7.4.5: ServerHelloDone.
    core.send_handshake(&HandshakeMessage::ServerHelloDone, &mut hs.transcript)?;
    Ok((hs, kx))
}

/// Sends the ServerHello (RFC 5246 §7.4.1.3) with the extensions `choice` answers;
/// returns the transcript (from the ClientHello `raw` on) and the server random.
fn send_server_hello(
    core: &mut Core,
    config: &ServerConfig,
    raw: &[u8],
    choice: &Choice,
) -> Result<(Transcript, [u8; 32]), Error> {
    // The random is fresh; it must not end in a TLS 1.3 downgrade sentinel, which this
    // TLS 1.2-only server has no business sending.
    let mut server_random = [0u8; 32];
    loop {
        core.rng.fill_bytes(&mut server_random);
        if !DOWNGRADE_SENTINELS
            .iter()
            .any(|s| server_random[24..] == *s)
        {
            break;
        }
    }
    // §7.4.1.4: only extensions the client sent are answered.
    let mut sh_exts: Vec<ServerExtension<'_>> = Vec::new();
    if choice.secure_renegotiation {
        sh_exts.push(ServerExtension::RenegotiationInfo(&[]));
    }
    let resuming = matches!(choice.kx, KxChoice::Resume(_));
    // RFC 6066 §3: "When resuming a session, the server MUST NOT include a
    // server_name extension in the server hello."
    if choice.server_name.is_some() && !resuming {
        sh_exts.push(ServerExtension::ServerName);
    }
    if choice.ems {
        sh_exts.push(ServerExtension::ExtendedMasterSecret);
    }
    if choice.etm {
        sh_exts.push(ServerExtension::EncryptThenMac);
    }
    if let Some(name) = &choice.alpn {
        sh_exts.push(ServerExtension::Alpn(ProtocolName::new(name)));
    }
    match choice.limits_answer {
        limits::Answer::None => {}
        limits::Answer::MaxFragmentLength(m) => {
            sh_exts.push(ServerExtension::MaxFragmentLength(m));
        }
        limits::Answer::RecordSizeLimit(v) => sh_exts.push(ServerExtension::RecordSizeLimit(v)),
    }
    // RFC 5077 §3.2: an empty session_ticket says a NewSessionTicket will come.
    if choice.ticket {
        sh_exts.push(ServerExtension::SessionTicket);
    }
    // RFC 8422 §5.2: uncompressed points only.
    if choice.ec_point_formats {
        sh_exts.push(ServerExtension::EcPointFormats(List::from_items(&[
            EcPointFormat::UNCOMPRESSED,
        ])));
    }
    let sh = HandshakeMessage::ServerHello(ServerHello {
        server_version: ProtocolVersion::TLS12,
        random: Random(server_random),
        // §7.4.1.3: the ID under which the session is cached, the client's when it is
        // resumed; empty when this session cannot be resumed by ID.
        session_id: &choice.session_id,
        cipher_suite: choice.suite.suite,
        compression_method: CompressionMethod::NULL,
        extensions: (!sh_exts.is_empty()).then(|| ServerExtensions::from_items(&sh_exts)),
    });
    let mut transcript = Transcript::new();
    transcript.add(raw);
    transcript
        .start_hash(choice.suite.prf_hash)
        .map_err(|_| InternalError::HandshakeState)?;
    // With client authentication, the client's CertificateVerify may use the hash of any
    // scheme offered in the CertificateRequest (RFC 5246 §7.4.8): one running hash each
    // (at most four), so the message buffer can go either way.
    if config.client_verifier().is_some() {
        for &s in &config.common.signature_schemes {
            if let Some((hash, _)) = scheme_parts(s) {
                transcript
                    .also_hash(hash)
                    .map_err(|_| InternalError::HandshakeState)?;
            }
        }
    }
    transcript.release_buffer();
    core.send_handshake(&sh, &mut transcript)?;
    Ok((transcript, server_random))
}

/// A fresh key in `group`, its parameters (RFC 5246 §7.4.3 `ServerDHParams`) sent by
/// `send` (signed, or after a PSK identity hint), the group's size recorded.
#[cfg(feature = "dhe")]
fn send_dh_params(
    core: &mut Core,
    hs: &mut Hs,
    group: NamedDhGroup,
    send: impl FnOnce(&mut Core, &mut Hs, KeyExchangeParams<'_>) -> Result<(), Error>,
) -> Result<DhEphemeral, Error> {
    let group = DhGroup::named(group);
    let key = DhEphemeral::generate(
        crate::core::provider(core.provider.as_ref()),
        &group,
        &mut core.rng,
    )
    .map_err(|_| InternalError::KeyExchange)?;
    let ys = key.public_value();
    let params = KeyExchangeParams::Dh(ServerDhParams {
        p: group.p_bytes(),
        g: group.g_bytes(),
        ys: &ys,
    });
    send(core, hs, params)?;
    hs.dh_bits = Some(group.p_bits());
    Ok(key)
}

/// A fresh key in `group`, as a named curve and an uncompressed point (or the X25519
/// u-coordinate; RFC 8422 §5.4 `ServerECDHParams`) sent by `send`, the group recorded.
#[cfg(feature = "ecdhe")]
fn send_ecdh_params(
    core: &mut Core,
    hs: &mut Hs,
    group: EcGroup,
    send: impl FnOnce(&mut Core, &mut Hs, KeyExchangeParams<'_>) -> Result<(), Error>,
) -> Result<EcEphemeral, Error> {
    let key = EcEphemeral::generate(
        crate::core::provider(core.provider.as_ref()),
        group,
        &mut core.rng,
    )
    .map_err(|_| InternalError::KeyExchange)?;
    let point = key.public_value();
    let params = KeyExchangeParams::Ecdh(ServerEcdhParams {
        group: NamedGroup(group.code_point()),
        point: &point,
    });
    send(core, hs, params)?;
    hs.ec_group = Some(NamedGroup(group.code_point()));
    Ok(key)
}

/// Sends the DHE_RSA ServerKeyExchange (RFC 5246 §7.4.3): a fresh key in `group`, the
/// parameters signed with the certificate's key under `scheme`.
#[cfg(all(feature = "x509", feature = "dhe"))]
fn send_server_key_exchange(
    core: &mut Core,
    hs: &mut Hs,
    cert: &CertifiedKey,
    scheme: SignatureScheme,
    group: NamedDhGroup,
) -> Result<ServerKx, Error> {
    let key = send_dh_params(core, hs, group, |core, hs, params| {
        send_signed_params(core, hs, cert, scheme, params)
    })?;
    Ok(ServerKx::Dhe { key })
}

/// Sends the ECDHE ServerKeyExchange (RFC 8422 §5.4): a fresh key in `group`, signed
/// with the certificate's key under `scheme`.
#[cfg(all(feature = "x509", feature = "ecdhe"))]
fn send_ecdhe_server_key_exchange(
    core: &mut Core,
    hs: &mut Hs,
    cert: &CertifiedKey,
    scheme: SignatureScheme,
    group: EcGroup,
) -> Result<ServerKx, Error> {
    let key = send_ecdh_params(core, hs, group, |core, hs, params| {
        send_signed_params(core, hs, cert, scheme, params)
    })?;
    Ok(ServerKx::Ecdhe { key })
}

/// Sends the ServerKeyExchange of a PSK suite: the identity hint, and a fresh key in
/// the group of DHE_PSK (RFC 4279 §3) or ECDHE_PSK (RFC 5489 §2), unsigned. Plain PSK
/// sends it only with a hint (RFC 4279 §2: "If no hint is provided, the
/// ServerKeyExchange message is omitted").
#[cfg(feature = "psk")]
fn send_psk_server_key_exchange(
    core: &mut Core,
    config: &ServerConfig,
    hs: &mut Hs,
    group: PskGroup,
) -> Result<ServerKx, Error> {
    use sanstls_wire::handshake::PskServerKeyExchange;
    let identity_hint = config.psk_identity_hint.as_slice();
    let send = |core: &mut Core, hs: &mut Hs, params: Option<KeyExchangeParams<'_>>| {
        let ske = HandshakeMessage::PskServerKeyExchange(PskServerKeyExchange {
            identity_hint,
            params,
        });
        core.send_handshake(&ske, &mut hs.transcript)
    };
    Ok(match group {
        PskGroup::None => {
            if !identity_hint.is_empty() {
                send(core, hs, None)?;
            }
            ServerKx::Psk
        }
        #[cfg(feature = "dhe")]
        PskGroup::Dh(group) => ServerKx::DhePsk {
            key: send_dh_params(core, hs, group, |core, hs, params| {
                send(core, hs, Some(params))
            })?,
        },
        #[cfg(feature = "ecdhe")]
        PskGroup::Ec(group) => ServerKx::EcdhePsk {
            key: send_ecdh_params(core, hs, group, |core, hs, params| {
                send(core, hs, Some(params))
            })?,
        },
    })
}

/// Signs `params` with both randoms (RFC 5246 §7.4.3, RFC 8422 §5.4) and sends them
/// in a ServerKeyExchange.
#[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
fn send_signed_params(
    core: &mut Core,
    hs: &mut Hs,
    cert: &CertifiedKey,
    scheme: SignatureScheme,
    params: KeyExchangeParams<'_>,
) -> Result<(), Error> {
    let signed = signed_params(&hs.client_random, &hs.server_random, &params)?;
    let (hash, _) = scheme_parts(scheme).ok_or(InternalError::HandshakeState)?;
    let digest = hash
        .hash(&signed)
        .map_err(|_| InternalError::HandshakeState)?;
    let sig = sign_digest(cert.key(), &mut core.rng, scheme, digest.as_slice())?;
    let ske = HandshakeMessage::ServerKeyExchange(ServerKeyExchange {
        params,
        signed: DigitallySigned {
            scheme,
            signature: &sig,
        },
    });
    core.send_handshake(&ske, &mut hs.transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_ldh_ascii_without_a_trailing_dot() {
        for good in [
            &b"localhost"[..],
            b"LocalHost",
            b"www.example.com",
            b"xn--bcher-kva.example",
            b"a-b.c-d.e",
            b"127.0.0.1",
            &[b'a'; 63],
        ] {
            let name = check_host_name(good).unwrap();
            assert_eq!(name.as_bytes(), good.to_ascii_lowercase(), "{good:?}");
        }
        let long_label = [b'a'; 64];
        let long_name: Vec<u8> = core::iter::repeat_n(&b"abcdefghi."[..], 26)
            .flatten()
            .copied()
            .collect();
        for bad in [
            &b""[..],
            b"local\0host",
            b"local\x01host",
            b"local\x7fhost",
            b"local host",
            b"local_host",
            b"localhost.",
            b".localhost",
            b"local..host",
            b"*.example.com",
            b"caf\xc3\xa9.example",
            b"example.com/evil",
            &long_label,
            &long_name[..long_name.len() - 1],
        ] {
            assert_eq!(
                check_host_name(bad),
                Err(PeerMisbehaved::InvalidServerName.into()),
                "{bad:?}"
            );
        }
    }
}
