//! The client's handshake states (RFC 5246 §7.3, full handshake):
//!
//! ```text
//! ClientHello  -->
//!                  <-- ServerHello, Certificate, [ServerKeyExchange],
//!                      [CertificateRequest], ServerHelloDone
//! [Certificate], ClientKeyExchange, [CertificateVerify],
//! ChangeCipherSpec, Finished  -->
//!                  <-- ChangeCipherSpec, Finished
//! ```
//!
//! With a session to resume (RFC 5246 §7.3 abbreviated; RFC 5077 §3.1 with a
//! ticket), from the configuration's session store under the server name:
//!
//! ```text
//! ClientHello (session ID or ticket)  -->
//!                  <-- ServerHello (same session ID), [NewSessionTicket],
//!                      ChangeCipherSpec, Finished
//! ChangeCipherSpec, Finished  -->
//! ```
//!
//! A ServerHello with another session ID is a full handshake (the session offered is
//! dropped from the store); a full handshake whose ServerHello answered
//! session_ticket has a NewSessionTicket before the server's ChangeCipherSpec. A
//! completed handshake leaves its session in the store.
//!
//! Client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8): when the server sends a
//! CertificateRequest, the client answers with the configured chain
//! ([`crate::ClientConfigBuilder::client_certificate`]) if the server accepts rsa_sign
//! certificates and both sides share a signature scheme, and proves its key with a
//! CertificateVerify after ClientKeyExchange; otherwise it sends an empty Certificate
//! and the server decides whether to continue. The server's certificate_authorities
//! list is not used to filter: many servers send none, and the server judges the chain.
//!
//! With a PSK suite (RFC 4279 §2, RFC 5489 §2) there are no certificates: the server's
//! flight is ServerHello, [ServerKeyExchange] (the identity hint, and the (EC)DH
//! parameters for DHE_PSK and ECDHE_PSK; plain PSK may leave it out), ServerHelloDone;
//! the client's ClientKeyExchange names its PSK identity, and a CertificateRequest is
//! refused ("the Certificate and CertificateRequest payloads are omitted").
//!
//! Each `Expect*` struct is one state: it consumes itself on a message and returns the
//! next.

mod hello;

use crate::Shared;
use alloc::boxed::Box;
use alloc::vec::Vec;

#[cfg(feature = "dhe")]
use sanstls_crypto::dh::DhGroup;
#[cfg(feature = "ecdhe")]
use sanstls_crypto::ecdh::EcGroup;
use sanstls_crypto::hash::HashAlgorithm;
#[cfg(feature = "dhe")]
use sanstls_crypto::provider::DhEphemeral;
#[cfg(feature = "ecdhe")]
use sanstls_crypto::provider::EcEphemeral;
use sanstls_crypto::rng::Rng as _;
use sanstls_keys::MasterSecret;
use sanstls_keys::transcript::Transcript;
use sanstls_pki::ServerName;
use sanstls_record::{Fragmenter, Opener};
use sanstls_wire::codec::List;
use sanstls_wire::enums::ClientCertificateType;
use sanstls_wire::enums::{HandshakeType, KeyExchange, SignatureScheme};
use sanstls_wire::handshake::{
    Certificate, CertificateDer, CertificateRequest, ClientKeyExchange, DigitallySigned,
    HandshakeMessage, KeyExchangeParams,
};
use zeroize::Zeroizing;

use crate::config::{CertifiedKey, ClientConfig};
use crate::core::Core;
use crate::error::{Error, InternalError, PeerIncompatible, PeerMisbehaved};
use crate::hs::{Hs, Input, Keys, Transition, new_session, unexpected};
use crate::session::{DEFAULT_SESSION_LIFETIME, MAX_SESSION_ID_LEN, Session};
use crate::sig::{KeyKind, PeerKey, scheme_parts, sign_digest, signed_params};
use core::time::Duration;
use sanstls_record::Sealer;

/// The client's states. (Moved by value, their large parts boxed: see
/// [`crate::state::State`].)
#[allow(clippy::large_enum_variant)]
pub(crate) enum State {
    ServerHello(ExpectServerHello),
    #[cfg(feature = "resumption")]
    NewSessionTicket(ExpectNewSessionTicket),
    #[cfg(feature = "x509")]
    Certificate(ExpectCertificate),
    #[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
    ServerKeyExchange(ExpectServerKeyExchange),
    #[cfg(feature = "psk")]
    PskServerKeyExchange(ExpectPskServerKeyExchange),
    ServerHelloDone(ExpectServerHelloDone),
    ChangeCipherSpec(ExpectChangeCipherSpec),
    Finished(ExpectFinished),
}

/// Sends the ClientHello (RFC 5246 §7.4.1.2) and waits for the ServerHello.
pub(crate) fn start(
    core: &mut Core,
    config: &ClientConfig,
    server_name: ServerName,
) -> Result<State, Error> {
    // §7.4.1.2: "random: A client-generated random structure." All 32 bytes come from
    // the generator (the gmt_unix_time convention is not needed, §7.4.1.2 note).
    let mut random = [0u8; 32];
    core.rng.fill_bytes(&mut random);
    // The session to offer, by server name (also the name a fatal alert removes).
    let offered = if config.session_store().is_some() {
        let name = store_key(&server_name);
        let offered = session_to_offer(core, config, &name);
        core.session_name = name.into_bytes();
        offered
    } else {
        None
    };
    let (session_id, ticket) = match &offered {
        // RFC 5077 §3.4: with a ticket, a session ID, which the server echoes if it
        // accepts the ticket: that is how the client tells. The server's own ID for the
        // session when it gave one (a server that can no longer read the ticket may
        // still resume by ID from its cache), else a fresh random one.
        Some(s) if s.ticket.is_some() && hello::offers_tickets(config) => {
            let id = if s.session_id.is_empty() {
                let mut id = alloc::vec![0u8; MAX_SESSION_ID_LEN];
                core.rng.fill_bytes(&mut id);
                id
            } else {
                s.session_id.clone()
            };
            (id, s.ticket.as_deref())
        }
        Some(s) => (s.session_id.clone(), None),
        None => (Vec::new(), None),
    };
    let bytes = hello::encode_client_hello(config, &server_name, random, &session_id, ticket)?;
    let mut transcript = Transcript::new();
    core.send_handshake_bytes(HandshakeType::CLIENT_HELLO, &bytes, &mut transcript)?;
    Ok(State::ServerHello(ExpectServerHello(Box::new(
        AwaitServerHello {
            transcript,
            client_random: random,
            server_name,
            offered: offered.map(|s| (s, session_id)),
        },
    ))))
}

/// The name a server's sessions are stored under: its DNS name, or its IP address as
/// text.
fn store_key(name: &ServerName) -> alloc::string::String {
    match name {
        ServerName::Dns(d) => d.as_str().into(),
        ServerName::Ip(_) => alloc::string::ToString::to_string(name),
    }
}

/// The stored session for `name` if it can be offered now: valid at `core.now`, with
/// the extended master secret (RFC 7627 §5.3: a client "SHOULD NOT" offer one
/// without it), a suite still configured, and a session ID or (with tickets on) a
/// ticket to name it by. One that cannot is removed.
fn session_to_offer(core: &Core, config: &ClientConfig, name: &str) -> Option<Box<Session>> {
    let store = config.session_store()?;
    let bytes = store.get(name)?;
    let usable = |s: &Session| {
        s.is_valid_at(core.now)
            && s.extended_master_secret
            && config.common.ems
            && config.common.suites.contains(&s.suite)
            && (!s.session_id.is_empty() || (s.ticket.is_some() && hello::offers_tickets(config)))
    };
    match Session::from_bytes(&bytes) {
        Ok(s) if usable(&s) => Some(Box::new(s)),
        _ => {
            store.remove(name);
            None
        }
    }
}

impl State {
    pub(crate) fn key_exchange(&self) -> Option<KeyExchange> {
        let hs = match self {
            State::ServerHello(_) => return None,
            #[cfg(feature = "resumption")]
            State::NewSessionTicket(s) => &s.hs,
            #[cfg(feature = "x509")]
            State::Certificate(s) => &s.hs,
            #[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
            State::ServerKeyExchange(s) => &s.hs,
            #[cfg(feature = "psk")]
            State::PskServerKeyExchange(s) => &s.hs,
            State::ServerHelloDone(s) => &s.hs,
            State::ChangeCipherSpec(s) => &s.hs,
            State::Finished(s) => &s.hs,
        };
        Some(hs.suite.key_exchange)
    }

    pub(crate) fn is_initial(&self) -> bool {
        matches!(self, State::ServerHello(_))
    }

    /// Whether a handshake message of type `typ` may come now (RFC 5246 §7.3 order).
    /// Checked before the body is decoded: a message out of order is
    /// unexpected_message whatever its contents. A HelloRequest may come at any time
    /// and is ignored while the handshake runs (§7.4.1.1).
    pub(crate) fn expects(&self, typ: HandshakeType) -> bool {
        typ == HandshakeType::HELLO_REQUEST
            || match self {
                State::ServerHello(_) => typ == HandshakeType::SERVER_HELLO,
                #[cfg(feature = "resumption")]
                State::NewSessionTicket(_) => typ == HandshakeType::NEW_SESSION_TICKET,
                #[cfg(feature = "x509")]
                State::Certificate(_) => typ == HandshakeType::CERTIFICATE,
                #[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
                State::ServerKeyExchange(_) => typ == HandshakeType::SERVER_KEY_EXCHANGE,
                // RFC 4279 §2: the ServerKeyExchange of plain PSK is left out when the
                // server has no identity hint.
                #[cfg(feature = "psk")]
                State::PskServerKeyExchange(s) => {
                    typ == HandshakeType::SERVER_KEY_EXCHANGE
                        || (typ == HandshakeType::SERVER_HELLO_DONE
                            && s.hs.suite.key_exchange == KeyExchange::Psk)
                }
                // RFC 4279 §2: no CertificateRequest in a PSK suite.
                State::ServerHelloDone(s) => {
                    typ == HandshakeType::SERVER_HELLO_DONE
                        || (typ == HandshakeType::CERTIFICATE_REQUEST
                            && matches!(s.cert_request, CertRequest::NotRequested)
                            && !s.hs.suite.key_exchange.is_psk())
                }
                State::ChangeCipherSpec(_) => false,
                State::Finished(_) => typ == HandshakeType::FINISHED,
            }
    }

    /// The next state after `input`, with the server's record protection once its
    /// ChangeCipherSpec arrived (RFC 5246 §7.1).
    pub(crate) fn handle(
        self,
        core: &mut Core,
        config: &ClientConfig,
        input: Input<'_>,
    ) -> Result<Transition<State>, Error> {
        let (msg, raw) = match input {
            Input::ChangeCipherSpec => {
                return match self {
                    State::ChangeCipherSpec(s) => Ok(Transition::installing(
                        State::Finished(ExpectFinished {
                            hs: s.hs,
                            master: s.master,
                            sealer: s.sealer,
                            ticket: s.ticket,
                        }),
                        s.opener,
                    )),
                    _ => Err(input.unexpected()),
                };
            }
            Input::Handshake(msg, raw) => (msg, raw),
        };
        // RFC 5246 §7.4.1.1: a HelloRequest "will be ignored by the client if the client
        // is currently negotiating a session"; it is not part of the transcript.
        if matches!(msg, HandshakeMessage::HelloRequest) {
            return Ok(Transition::to(self));
        }
        let next = match self {
            State::ServerHello(s) => return s.handle(core, config, &msg, raw),
            #[cfg(feature = "resumption")]
            State::NewSessionTicket(s) => s.handle(&msg, raw)?,
            #[cfg(feature = "x509")]
            State::Certificate(s) => s.handle(core, config, &msg, raw)?,
            #[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
            State::ServerKeyExchange(s) => s.handle(core, config, &msg, raw)?,
            #[cfg(feature = "psk")]
            State::PskServerKeyExchange(s) => s.handle(core, config, &msg, raw)?,
            State::ServerHelloDone(s) => s.handle(core, config, &msg, raw)?,
            State::ChangeCipherSpec(_) => return Err(unexpected(msg.typ())),
            State::Finished(s) => {
                s.handle(core, config, &msg, raw)?;
                return Ok(Transition::traffic());
            }
        };
        Ok(Transition::to(next))
    }
}

/// Waiting for the ServerHello.
/// (Boxed: the transcript's running hash is the largest part of any client state, and
/// every state moves by value through the dispatch frames; see [`crate::state::State`].)
pub(crate) struct ExpectServerHello(Box<AwaitServerHello>);

/// What waits for the ServerHello.
pub(crate) struct AwaitServerHello {
    transcript: Transcript,
    client_random: [u8; 32],
    server_name: ServerName,
    /// The session offered, and the session ID the ClientHello carried for it.
    offered: Option<(Box<Session>, Vec<u8>)>,
}

impl ExpectServerHello {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        self,
        core: &mut Core,
        config: &ClientConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<Transition<State>, Error> {
        let mut this = *self.0;
        let HandshakeMessage::ServerHello(sh) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let r = hello::check_server_hello(config, &this.server_name, sh)?;
        // RFC 6066 §4: with max_fragment_length, fragment everything from now on,
        // handshake messages included; RFC 8449: no protected record above the server's
        // record_size_limit (applied to every record: smaller is always allowed).
        core.fragmenter = Fragmenter::new(r.limits.send);
        this.transcript.add(raw);
        // The suite fixes the PRF hash. Without a client certificate nothing else is ever
        // hashed and the message buffer can go; with one, the buffer stays until the
        // CertificateRequest names the hashes the server accepts for the
        // CertificateVerify (or until ServerHelloDone, if it does not ask).
        this.transcript
            .start_hash(r.suite.prf_hash)
            .map_err(|_| InternalError::HandshakeState)?;
        // §7.4.1.3 / RFC 5077 §3.4: the server resumes by echoing the session ID the
        // client offered; any other ID is a full handshake.
        let resumed = this.offered.take().and_then(|(session, id)| {
            if !id.is_empty() && sh.session_id == id.as_slice() {
                Some(session)
            } else {
                // The server would not resume it: do not offer it again.
                if let Some(store) = config.session_store() {
                    store.remove(&alloc::string::ToString::to_string(&this.server_name));
                }
                None
            }
        });
        if config.client_cert().is_none() || resumed.is_some() {
            this.transcript.release_buffer();
        }
        let hs = Box::new(Hs {
            transcript: this.transcript,
            client_random: this.client_random,
            server_random: r.server_random,
            suite: r.suite,
            ems: r.ems,
            etm: r.etm,
            alpn: r.alpn,
            server_name: r.server_name,
            dh_bits: None,
            ec_group: None,
            limits: r.limits,
            session_id: sh.session_id.to_vec(),
            ticket: r.ticket,
            resumed: resumed.is_some(),
            psk_identity: None,
        });
        let next = match resumed {
            #[cfg(feature = "resumption")]
            Some(session) => resume(core, hs, &session)?,
            // (Without feature `resumption` nothing is offered, so nothing resumes.)
            #[cfg(not(feature = "resumption"))]
            Some(_) => return Err(InternalError::HandshakeState.into()),
            // RFC 4279 §2: no Certificate in a PSK suite.
            #[cfg(feature = "psk")]
            None if hs.suite.key_exchange.is_psk() => {
                State::PskServerKeyExchange(ExpectPskServerKeyExchange { hs })
            }
            #[cfg(feature = "x509")]
            None => State::Certificate(ExpectCertificate {
                hs,
                server_name: this.server_name,
            }),
            // (Without `x509` the client offers only PSK suites, and
            // `check_server_hello` refuses a suite it did not offer.)
            #[cfg(not(feature = "x509"))]
            None => return Err(InternalError::HandshakeState.into()),
        };
        Ok(Transition::limiting(next, &r.limits))
    }
}

#[cfg(feature = "resumption")]
/// The server resumed `session`: checks that it kept the session's terms, and makes
/// the keys from its master secret and the new randoms (RFC 5246 §7.3).
fn resume(core: &mut Core, mut hs: Box<Hs>, session: &Session) -> Result<State, Error> {
    // §7.4.1.3: "For resumed sessions, this field is the value from the state of the
    // session being resumed."
    if hs.suite.suite != session.suite {
        return Err(PeerMisbehaved::ResumedWithDifferentSuite.into());
    }
    // RFC 7627 §5.3: the client "MUST abort the handshake" if the extended master
    // secret state differs from the session's (either way).
    if hs.ems != session.extended_master_secret {
        return Err(PeerMisbehaved::ResumedWithDifferentExtendedMasterSecret.into());
    }
    // The server's identity is the session's: its leaf, validated in the full
    // handshake.
    core.received_chain = session.peer_certificate.iter().cloned().collect();
    hs.psk_identity.clone_from(&session.psk_identity);
    let master = MasterSecret::from_bytes(hs.suite.prf_hash, *session.master_secret());
    let Keys {
        master,
        sealer,
        opener,
    } = hs.keys(core, master)?;
    Ok(if hs.ticket {
        State::NewSessionTicket(ExpectNewSessionTicket {
            hs,
            master,
            opener,
            sealer: Some(sealer),
        })
    } else {
        State::ChangeCipherSpec(ExpectChangeCipherSpec {
            hs,
            master,
            opener,
            sealer: Some(sealer),
            ticket: None,
        })
    })
}

/// Waiting for the server's Certificate (RFC 5246 §7.4.2; every suite here
/// authenticates the server).
#[cfg(feature = "x509")]
pub(crate) struct ExpectCertificate {
    hs: Box<Hs>,
    server_name: ServerName,
}

#[cfg(feature = "x509")]
impl ExpectCertificate {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ClientConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakeMessage::Certificate(cert) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let chain: Vec<&[u8]> = cert.certificates.iter().map(|c| c.as_bytes()).collect();
        // Kept before validation so that a caller can explain a rejection (which name
        // the certificate has, when it expired).
        core.received_chain = chain.iter().map(|c| c.to_vec()).collect();
        // 1. The server's certificate "MUST" be present for these key exchanges
        //    (§7.4.2: "whenever the agreed-upon key exchange method uses certificates").
        let (leaf, intermediates) = chain
            .split_first()
            .ok_or(PeerMisbehaved::NoServerCertificate)?;
        // 2. Path validation, validity at `now`, and the name (RFC 5280, RFC 6125).
        // (A client without a verifier offers only PSK suites, which have no
        // Certificate: `expects` lets none through.)
        let verifier = config
            .verifier
            .as_ref()
            .ok_or(InternalError::HandshakeState)?;
        let path = verifier.verify_server_cert(leaf, intermediates, &self.server_name, core.now)?;
        // 3. §7.4.2: the key must fit the key exchange (RSA for RSA, DHE_RSA and
        //    ECDHE_RSA; EC for ECDHE_ECDSA, RFC 8422 §2) and be usable for it:
        //    keyEncipherment for RSA key exchange, digitalSignature for the others
        //    (RFC 5280 §4.2.1.3).
        //    (The client offers only the key exchanges this build has, so the server
        //    cannot have chosen another: `check_server_hello` refuses unoffered suites.)
        let server_key = PeerKey::of(&path)?;
        let kx = self.hs.suite.key_exchange;
        let rsa = server_key.kind() == KeyKind::Rsa;
        if rsa == kx.is_ecdsa() {
            return Err(PeerMisbehaved::WrongCertificateKeyType.into());
        }
        let usable = match kx {
            KeyExchange::Rsa => path.allows_key_encipherment(),
            _ => path.allows_digital_signature(),
        };
        if !usable {
            return Err(Error::CertificateKeyUsage);
        }
        self.hs.transcript.add(raw);
        Ok(match kx {
            #[cfg(feature = "rsa-kx")]
            KeyExchange::Rsa => State::ServerHelloDone(ExpectServerHelloDone {
                hs: self.hs,
                server_key: Some(Box::new(server_key)),
                kx: ClientKx::Rsa,
                cert_request: CertRequest::NotRequested,
            }),
            #[cfg(any(feature = "dhe", feature = "ecdhe"))]
            KeyExchange::DheRsa | KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa => {
                State::ServerKeyExchange(ExpectServerKeyExchange {
                    hs: self.hs,
                    server_key,
                })
            }
            #[allow(unreachable_patterns)]
            _ => return Err(InternalError::HandshakeState.into()),
        })
    }
}

/// Waiting for the ServerKeyExchange of DHE_RSA (RFC 5246 §7.4.3) or ECDHE (RFC 8422
/// §5.4).
#[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
pub(crate) struct ExpectServerKeyExchange {
    hs: Box<Hs>,
    server_key: PeerKey,
}

#[cfg(all(feature = "x509", any(feature = "dhe", feature = "ecdhe")))]
impl ExpectServerKeyExchange {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ClientConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakeMessage::ServerKeyExchange(ske) = msg else {
            return Err(unexpected(msg.typ()));
        };
        // 1. §7.4.1.4.1: the server's signature must use a pair the client listed, of
        //    the certificate key's algorithm (RFC 8422 §5.4).
        let scheme = ske.signed.scheme;
        if !config.common.signature_schemes.contains(&scheme) {
            return Err(PeerMisbehaved::UnofferedSignatureScheme.into());
        }
        let (hash, alg) = scheme_parts(scheme).ok_or(PeerMisbehaved::UnofferedSignatureScheme)?;
        // 2. §7.4.3: verify the signature over both randoms and the parameters.
        let signed = signed_params(&self.hs.client_random, &self.hs.server_random, &ske.params)?;
        crate::sig::verify(
            &self.server_key,
            hash,
            alg,
            crate::sig::Signed::Message(&signed),
            ske.signed.signature,
        )?;
        // 3. The key exchange itself; the premaster is computed now so that a bad
        //    value fails on this message.
        let kx = match ske.params {
            #[cfg(feature = "dhe")]
            KeyExchangeParams::Dh(params) if self.hs.suite.key_exchange == KeyExchange::DheRsa => {
                let (yc, premaster) = client_dhe(core, config, &mut self.hs, &params)?;
                ClientKx::Dhe { yc, premaster }
            }
            #[cfg(feature = "ecdhe")]
            KeyExchangeParams::Ecdh(params) if self.hs.suite.key_exchange.is_ecdhe() => {
                let (point, premaster) = client_ecdhe(core, config, &mut self.hs, &params)?;
                ClientKx::Ecdhe { point, premaster }
            }
            // (Decoding used the negotiated key exchange: the forms always match.)
            #[allow(unreachable_patterns)]
            _ => return Err(InternalError::HandshakeState.into()),
        };
        self.hs.transcript.add(raw);
        Ok(State::ServerHelloDone(ExpectServerHelloDone {
            hs: self.hs,
            server_key: Some(Box::new(self.server_key)),
            kx,
            cert_request: CertRequest::NotRequested,
        }))
    }
}

/// The client's DHE share and the shared secret (DHE_RSA, RFC 5246 §7.4.3; DHE_PSK,
/// RFC 4279 §3), after checking the server's group.
#[cfg(feature = "dhe")]
fn client_dhe(
    core: &mut Core,
    config: &ClientConfig,
    hs: &mut Hs,
    params: &sanstls_wire::handshake::ServerDhParams<'_>,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
    // The group: an RFC 7919 group, or one of at least the configured size (RFC 7919
    // §3 lets a client accept other groups at its discretion).
    let group =
        DhGroup::from_bytes(params.p, params.g).map_err(|_| PeerMisbehaved::BadDhParameters)?;
    let bits = group.p_bits();
    if bits < config.min_dh_bits {
        return Err(PeerIncompatible::DhGroupTooSmall { bits }.into());
    }
    // RFC 7919 §3: check 1 < dh_Ys < p - 1 (done by `agree`) before using it.
    let key = DhEphemeral::generate(
        crate::core::provider(core.provider.as_ref()),
        &group,
        &mut core.rng,
    )
    .map_err(|_| InternalError::KeyExchange)?;
    let premaster = key
        .agree(params.ys)
        .map_err(|_| PeerMisbehaved::BadDhPublicValue)?;
    hs.dh_bits = Some(bits);
    Ok((key.public_value(), premaster))
}

/// The client's ECDHE point and the shared secret (RFC 8422 §5.4, §5.7; ECDHE_PSK, RFC
/// 5489 §2), after checking the server's curve.
#[cfg(feature = "ecdhe")]
fn client_ecdhe(
    core: &mut Core,
    config: &ClientConfig,
    hs: &mut Hs,
    params: &sanstls_wire::handshake::ServerEcdhParams<'_>,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
    // RFC 8422 §5.4: the curve must be one the client offered.
    if !config.common.groups.contains(&params.group) {
        return Err(PeerMisbehaved::UnofferedGroup.into());
    }
    let group = EcGroup::from_code_point(params.group.0).ok_or(PeerMisbehaved::UnofferedGroup)?;
    // RFC 8422 §5.11: the point is validated (length, on the curve, not the identity)
    // by `agree`; RFC 7748 §6.1: an all-zero X25519 secret is refused.
    let key = EcEphemeral::generate(
        crate::core::provider(core.provider.as_ref()),
        group,
        &mut core.rng,
    )
    .map_err(|_| InternalError::KeyExchange)?;
    let premaster = key
        .agree(params.point)
        .map_err(|_| PeerMisbehaved::BadEcPoint)?;
    hs.ec_group = Some(params.group);
    Ok((key.public_value(), premaster))
}

/// Waiting for the ServerKeyExchange of a PSK suite (RFC 4279 §2, §3; RFC 5489 §2), or,
/// for plain PSK, the ServerHelloDone of a server without an identity hint.
#[cfg(feature = "psk")]
pub(crate) struct ExpectPskServerKeyExchange {
    hs: Box<Hs>,
}

#[cfg(feature = "psk")]
impl ExpectPskServerKeyExchange {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ClientConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let ske = match msg {
            HandshakeMessage::PskServerKeyExchange(ske) => ske,
            // Plain PSK without a hint (`expects` lets ServerHelloDone through only
            // then): the client's flight follows at once.
            HandshakeMessage::ServerHelloDone => {
                let kx = choose_psk(config, &mut self.hs, None, PskShare::None, None)?;
                let done = ExpectServerHelloDone {
                    hs: self.hs,
                    server_key: None,
                    kx,
                    cert_request: CertRequest::NotRequested,
                };
                return done.handle(core, config, msg, raw);
            }
            other => return Err(unexpected(other.typ())),
        };
        // RFC 4279 §5.2: an empty hint is no hint.
        let hint = (!ske.identity_hint.is_empty()).then_some(ske.identity_hint);
        let kx = match ske.params {
            None => choose_psk(config, &mut self.hs, hint, PskShare::None, None)?,
            #[cfg(feature = "dhe")]
            Some(KeyExchangeParams::Dh(params)) => {
                let (yc, z) = client_dhe(core, config, &mut self.hs, &params)?;
                choose_psk(config, &mut self.hs, hint, PskShare::Dh(yc), Some(&z))?
            }
            #[cfg(feature = "ecdhe")]
            Some(KeyExchangeParams::Ecdh(params)) => {
                let (point, z) = client_ecdhe(core, config, &mut self.hs, &params)?;
                choose_psk(config, &mut self.hs, hint, PskShare::Ec(point), Some(&z))?
            }
            // (Decoding used the negotiated key exchange, which this build has.)
            #[allow(unreachable_patterns)]
            _ => return Err(InternalError::HandshakeState.into()),
        };
        self.hs.transcript.add(raw);
        Ok(State::ServerHelloDone(ExpectServerHelloDone {
            hs: self.hs,
            server_key: None,
            kx,
            cert_request: CertRequest::NotRequested,
        }))
    }
}

/// The client's PSK for `hint` (its identity recorded in `hs`), and the premaster
/// secret from it and `other` (the (EC)DH result; RFC 4279 §2 for `None`).
#[cfg(feature = "psk")]
fn choose_psk(
    config: &ClientConfig,
    hs: &mut Hs,
    hint: Option<&[u8]>,
    share: PskShare,
    other: Option<&[u8]>,
) -> Result<ClientKx, Error> {
    let psk = config
        .psk
        .as_ref()
        .and_then(|c| c.choose(hint))
        .ok_or(PeerIncompatible::NoPsk)?;
    hs.psk_identity = Some(psk.identity().to_vec());
    Ok(ClientKx::Psk {
        identity: psk.identity().to_vec(),
        share,
        premaster: crate::psk::premaster(other, psk.key()),
    })
}

/// The client's ephemeral share in a PSK key exchange.
#[cfg(feature = "psk")]
enum PskShare {
    /// Plain PSK: none.
    None,
    /// DHE_PSK: `dh_Yc`.
    #[cfg(feature = "dhe")]
    Dh(Vec<u8>),
    /// ECDHE_PSK: the point.
    #[cfg(feature = "ecdhe")]
    Ec(Vec<u8>),
}

/// The client's side of the key exchange, decided before ServerHelloDone.
enum ClientKx {
    #[cfg(feature = "rsa-kx")]
    Rsa,
    #[cfg(feature = "dhe")]
    Dhe {
        yc: Vec<u8>,
        premaster: Zeroizing<Vec<u8>>,
    },
    #[cfg(feature = "ecdhe")]
    Ecdhe {
        point: Vec<u8>,
        premaster: Zeroizing<Vec<u8>>,
    },
    /// A PSK suite: the identity to name, the share to send, the premaster.
    #[cfg(feature = "psk")]
    Psk {
        identity: Vec<u8>,
        share: PskShare,
        premaster: Zeroizing<Vec<u8>>,
    },
}

/// What the client answers to the server's CertificateRequest.
enum CertRequest {
    /// No CertificateRequest (yet).
    NotRequested,
    /// Asked, but nothing usable to offer: an empty Certificate (RFC 5246 §7.4.6).
    Empty,
    /// Asked: this chain, proven by a CertificateVerify signed with this scheme.
    #[cfg(feature = "client-auth")]
    Send(Shared<CertifiedKey>, SignatureScheme),
}

/// Without feature `client-auth` the client has no certificate: it answers every
/// CertificateRequest with an empty Certificate (RFC 5246 §7.4.6).
#[cfg(not(feature = "client-auth"))]
fn choose_client_auth(
    _config: &ClientConfig,
    _prf_hash: HashAlgorithm,
    _req: &CertificateRequest<'_>,
) -> CertRequest {
    CertRequest::Empty
}

/// Whether the client's certificate can answer `req`, and with which signature scheme
/// (RFC 5246 §7.4.4, §7.4.6, §7.4.8).
#[cfg(feature = "client-auth")]
fn choose_client_auth(
    config: &ClientConfig,
    prf_hash: HashAlgorithm,
    req: &CertificateRequest<'_>,
) -> CertRequest {
    let Some(key) = config.client_cert() else {
        return CertRequest::Empty;
    };
    // §7.4.6: "The end-entity certificate's public key (and associated restrictions)
    // MUST be compatible with the certificate types listed in CertificateRequest": an
    // RSA key that may sign (keyUsage digitalSignature, RFC 5280 §4.2.1.3) is rsa_sign,
    // an ECDSA key ecdsa_sign (RFC 8422 §5.5).
    let kind = key.kind();
    let wanted = match kind {
        KeyKind::Rsa => ClientCertificateType::RSA_SIGN,
        #[cfg(feature = "ecdsa")]
        KeyKind::Ecdsa(_) => ClientCertificateType::ECDSA_SIGN,
    };
    if !req.certificate_types.contains(&wanted) || !key.may_sign() {
        return CertRequest::Empty;
    }
    // §7.4.8: the CertificateVerify's algorithms "MUST be one of those present in the
    // supported_signature_algorithms field of the CertificateRequest message". Among
    // the schemes both sides list, one hashing with the PRF hash comes first (its
    // running transcript hash is already there), then this side's order. RSA-PSS
    // (rsae) schemes are allowed in TLS 1.2 when both sides list them (RFC 8446
    // §4.2.3), as OpenSSL 3 does.
    let common: Vec<SignatureScheme> = config
        .common
        .signature_schemes
        .iter()
        .copied()
        .filter(|s| req.signature_algorithms.contains(s) && kind.fits(*s))
        .collect();
    // (For an ECDSA key, the scheme named after its curve first: see
    // `negotiate::signature_scheme`.)
    let chosen = common
        .iter()
        .find(|s| kind.curve_scheme() == Some(**s))
        .or_else(|| {
            common
                .iter()
                .find(|s| scheme_parts(**s).is_some_and(|(h, _)| h == prf_hash))
        })
        .or_else(|| common.first());
    match chosen {
        Some(&scheme) => CertRequest::Send(Shared::clone(key), scheme),
        None => CertRequest::Empty,
    }
}

/// Waiting for ServerHelloDone, or a CertificateRequest before it (RFC 5246 §7.4.4,
/// §7.4.5).
pub(crate) struct ExpectServerHelloDone {
    hs: Box<Hs>,
    /// The certificate's key (none in a PSK suite; boxed, see [`ExpectServerHello`]).
    server_key: Option<Box<PeerKey>>,
    kx: ClientKx,
    cert_request: CertRequest,
}

impl ExpectServerHelloDone {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ClientConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        match msg {
            HandshakeMessage::CertificateRequest(req)
                if matches!(self.cert_request, CertRequest::NotRequested) =>
            {
                self.hs.transcript.add(raw);
                self.cert_request = choose_client_auth(config, self.hs.suite.prf_hash, req);
                // The CertificateVerify hash runs from here on (it covers every message
                // so far), so the buffered messages can go.
                #[cfg(feature = "client-auth")]
                if let CertRequest::Send(_, scheme) = &self.cert_request {
                    let (hash, _) = scheme_parts(*scheme).ok_or(InternalError::HandshakeState)?;
                    self.hs
                        .transcript
                        .also_hash(hash)
                        .map_err(|_| InternalError::HandshakeState)?;
                }
                self.hs.transcript.release_buffer();
                Ok(State::ServerHelloDone(self))
            }
            HandshakeMessage::ServerHelloDone => {
                self.hs.transcript.add(raw);
                self.hs.transcript.release_buffer();
                self.send_second_flight(core)
            }
            other => Err(unexpected(other.typ())),
        }
    }

    /// The client's second flight (RFC 5246 §7.3): [Certificate], ClientKeyExchange,
    /// [CertificateVerify], ChangeCipherSpec, Finished. Every choice was made when the
    /// server's messages arrived; this only sends.
    fn send_second_flight(mut self, core: &mut Core) -> Result<State, Error> {
        // 1. §7.4.6: asked for a certificate, the client sends its chain, sender's
        //    certificate first; a client without a suitable one "MUST send a
        //    certificate message containing no certificates".
        match &self.cert_request {
            CertRequest::NotRequested => {}
            CertRequest::Empty => {
                let empty = HandshakeMessage::Certificate(Certificate {
                    certificates: List::from_items(&[]),
                });
                core.send_handshake(&empty, &mut self.hs.transcript)?;
            }
            #[cfg(feature = "client-auth")]
            CertRequest::Send(key, _) => {
                let ders: Vec<CertificateDer<'_>> =
                    key.chain().iter().map(|c| CertificateDer::new(c)).collect();
                let cm = HandshakeMessage::Certificate(Certificate {
                    certificates: List::from_items(&ders),
                });
                core.send_handshake(&cm, &mut self.hs.transcript)?;
            }
        }

        // 2. §7.4.7: ClientKeyExchange.
        let premaster = self.send_client_key_exchange(core)?;

        // 3. §8.1 / RFC 7627 §4: the master secret. The extended master secret's session
        //    hash ends with ClientKeyExchange, so it is derived before CertificateVerify.
        let Keys {
            master,
            sealer,
            opener,
        } = self.hs.derive(core, &premaster)?;

        // 4. §7.4.8: CertificateVerify, a signature with the certificate's key over
        //    "all handshake messages sent or received, starting at client hello and up
        //    to, but not including, this message", with the chosen scheme's hash.
        #[cfg(feature = "client-auth")]
        if let CertRequest::Send(key, scheme) = &self.cert_request {
            let (hash, _) = scheme_parts(*scheme).ok_or(InternalError::HandshakeState)?;
            let digest = self
                .hs
                .transcript
                .hash_with(hash)
                .map_err(|_| InternalError::HandshakeState)?;
            let sig = sign_digest(key.key(), &mut core.rng, *scheme, digest.as_slice())?;
            let cv = HandshakeMessage::CertificateVerify(DigitallySigned {
                scheme: *scheme,
                signature: &sig,
            });
            core.send_handshake(&cv, &mut self.hs.transcript)?;
        }

        // 5. §7.4.9: ChangeCipherSpec and Finished under the new keys.
        core.send_ccs(sealer)?;
        self.hs.send_finished(core, &master)?;
        // (Without feature `resumption` the client offers no ticket, and a server
        // that announces one anyway was refused at its ServerHello.)
        #[cfg(feature = "resumption")]
        if self.hs.ticket {
            return Ok(State::NewSessionTicket(ExpectNewSessionTicket {
                hs: self.hs,
                master,
                opener,
                sealer: None,
            }));
        }
        Ok(State::ChangeCipherSpec(ExpectChangeCipherSpec {
            hs: self.hs,
            master,
            opener,
            sealer: None,
            ticket: None,
        }))
    }

    /// Sends ClientKeyExchange (RFC 5246 §7.4.7) and returns the premaster.
    fn send_client_key_exchange(&mut self, core: &mut Core) -> Result<Zeroizing<Vec<u8>>, Error> {
        match &self.kx {
            #[cfg(feature = "rsa-kx")]
            ClientKx::Rsa => {
                // §7.4.7.1: the premaster is client_version (the version offered, 1.2)
                // followed by 46 random bytes, RSA-encrypted to the server's key.
                let mut pm = Zeroizing::new(alloc::vec![0u8; 48]);
                pm[0] = 3;
                pm[1] = 3;
                core.rng.fill_bytes(&mut pm[2..]);
                // (The certificate's key was checked to be RSA.)
                let ct = self
                    .server_key
                    .as_deref()
                    .and_then(PeerKey::rsa)
                    .ok_or(InternalError::HandshakeState)?
                    .encrypt_pkcs1v15(&mut core.rng, &pm)
                    .map_err(|_| InternalError::RsaOperation)?;
                let cke = HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Rsa {
                    encrypted_pre_master_secret: &ct,
                });
                core.send_handshake(&cke, &mut self.hs.transcript)?;
                Ok(pm)
            }
            #[cfg(feature = "dhe")]
            ClientKx::Dhe { yc, premaster } => {
                let cke = HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Dhe { yc });
                core.send_handshake(&cke, &mut self.hs.transcript)?;
                Ok(premaster.clone())
            }
            // RFC 8422 §5.7: the client's ephemeral point.
            #[cfg(feature = "ecdhe")]
            ClientKx::Ecdhe { point, premaster } => {
                let cke = HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Ecdhe { point });
                core.send_handshake(&cke, &mut self.hs.transcript)?;
                Ok(premaster.clone())
            }
            // RFC 4279 §2, §3; RFC 5489 §2: the identity, then the share.
            #[cfg(feature = "psk")]
            ClientKx::Psk {
                identity,
                share,
                premaster,
            } => {
                let cke = match share {
                    PskShare::None => ClientKeyExchange::Psk { identity },
                    #[cfg(feature = "dhe")]
                    PskShare::Dh(yc) => ClientKeyExchange::DhePsk { identity, yc },
                    #[cfg(feature = "ecdhe")]
                    PskShare::Ec(point) => ClientKeyExchange::EcdhePsk { identity, point },
                };
                core.send_handshake(
                    &HandshakeMessage::ClientKeyExchange(cke),
                    &mut self.hs.transcript,
                )?;
                Ok(premaster.clone())
            }
        }
    }
}

/// Waiting for the NewSessionTicket the ServerHello announced (RFC 5077 §3.3).
#[cfg(feature = "resumption")]
pub(crate) struct ExpectNewSessionTicket {
    hs: Box<Hs>,
    master: MasterSecret,
    opener: Box<Opener>,
    /// This side's protection when resuming (its ChangeCipherSpec follows the
    /// server's Finished); `None` in a full handshake, where it went already.
    sealer: Option<Box<Sealer>>,
}

#[cfg(feature = "resumption")]
impl ExpectNewSessionTicket {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(mut self, msg: &HandshakeMessage<'_>, raw: &[u8]) -> Result<State, Error> {
        let HandshakeMessage::NewSessionTicket(nst) = msg else {
            return Err(unexpected(msg.typ()));
        };
        self.hs.transcript.add(raw);
        // RFC 5077 §3.3: an empty ticket means none this time. A lifetime hint of 0
        // leaves the lifetime to the client; a longer one is capped (the session
        // store is not a place for week-old secrets).
        let ticket = (!nst.ticket.is_empty()).then(|| Ticket {
            ticket: nst.ticket.to_vec(),
            lifetime: match nst.lifetime_hint {
                0 => DEFAULT_SESSION_LIFETIME,
                s => Duration::from_secs(u64::from(s)).min(MAX_CLIENT_SESSION_LIFETIME),
            },
        });
        Ok(State::ChangeCipherSpec(ExpectChangeCipherSpec {
            hs: self.hs,
            master: self.master,
            opener: self.opener,
            sealer: self.sealer,
            ticket,
        }))
    }
}

/// The longest a client keeps a ticket, whatever the server's hint: 7 days (the
/// bound RFC 8446 §4.6.1 sets on ticket lifetimes).
const MAX_CLIENT_SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// A ticket the server sent.
pub(crate) struct Ticket {
    ticket: Vec<u8>,
    lifetime: Duration,
}

/// Waiting for the server's ChangeCipherSpec.
pub(crate) struct ExpectChangeCipherSpec {
    hs: Box<Hs>,
    master: MasterSecret,
    /// The server's protection, installed when its ChangeCipherSpec arrives.
    opener: Box<Opener>,
    sealer: Option<Box<Sealer>>,
    ticket: Option<Ticket>,
}

/// Waiting for the server's Finished.
pub(crate) struct ExpectFinished {
    hs: Box<Hs>,
    master: MasterSecret,
    sealer: Option<Box<Sealer>>,
    ticket: Option<Ticket>,
}

impl ExpectFinished {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ClientConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<(), Error> {
        self.hs.check_finished(core, &self.master, msg, raw)?;
        // Resuming, the client's ChangeCipherSpec and Finished come last (§7.3).
        if let Some(sealer) = self.sealer.take() {
            core.send_ccs(sealer)?;
            self.hs.send_finished(core, &self.master)?;
        }
        self.hs.complete(core);
        self.remember(core, config);
        Ok(())
    }

    /// Keeps the session for the next connection to this server: after a full
    /// handshake that the server made resumable (a session ID or a ticket), or a
    /// resumption that brought a new ticket. Only sessions with the extended master
    /// secret (RFC 7627 §5.3).
    fn remember(self, core: &Core, config: &ClientConfig) {
        let Some(store) = config.session_store() else {
            return;
        };
        let Ok(name) = core::str::from_utf8(&core.session_name) else {
            return;
        };
        if !self.hs.ems
            || (self.hs.resumed && self.ticket.is_none())
            || (self.hs.session_id.is_empty() && self.ticket.is_none())
        {
            return;
        }
        let lifetime = self
            .ticket
            .as_ref()
            .map_or(DEFAULT_SESSION_LIFETIME, |t| t.lifetime);
        let mut session = new_session(&self.hs, core, &self.master, lifetime);
        session.session_id.clone_from(&self.hs.session_id);
        session.ticket = self.ticket.map(|t| t.ticket);
        store.put(name, &session.to_bytes());
    }
}

#[cfg(all(test, feature = "client-auth", feature = "pss", feature = "sha512"))]
mod tests {
    use super::*;
    use sanstls_pki::TrustAnchors;

    fn config(with_cert: bool, schemes: &[SignatureScheme]) -> ClientConfig {
        let anchors =
            TrustAnchors::from_pem_bundle(include_str!("../../../../testdata/ca-root.cert.pem"))
                .unwrap();
        let b = ClientConfig::builder()
            .trust_anchors(anchors)
            .signature_schemes(schemes);
        let b = if with_cert {
            b.client_certificate(
                CertifiedKey::from_pem(
                    include_str!("../../../../testdata/client.chain.pem"),
                    include_str!("../../../../testdata/client.rsa.pem"),
                )
                .unwrap(),
            )
        } else {
            b
        };
        b.build().unwrap()
    }

    fn request<'a>(
        types: &'a [ClientCertificateType],
        schemes: &'a [SignatureScheme],
    ) -> CertificateRequest<'a> {
        CertificateRequest {
            certificate_types: List::from_items(types),
            signature_algorithms: List::from_items(schemes),
            certificate_authorities: List::from_items(&[]),
        }
    }

    fn chosen(r: &CertRequest) -> Option<SignatureScheme> {
        match r {
            CertRequest::Send(_, s) => Some(*s),
            _ => None,
        }
    }

    #[test]
    fn the_client_answers_only_what_it_can_sign() {
        use ClientCertificateType as T;
        use SignatureScheme as S;
        let sha256 = HashAlgorithm::Sha256;
        let all = crate::config::DEFAULT_SIGNATURE_SCHEMES;
        let rsa = [T::RSA_SIGN];
        // No certificate configured: empty.
        let r = choose_client_auth(&config(false, all), sha256, &request(&rsa, all));
        assert!(matches!(r, CertRequest::Empty));
        // The server takes only ECDSA (or DSS) certificates: empty.
        let ecdsa = [T::ECDSA_SIGN, T::DSS_SIGN];
        let r = choose_client_auth(&config(true, all), sha256, &request(&ecdsa, all));
        assert!(matches!(r, CertRequest::Empty));
        // No scheme in common (ECDSA and SHA-1 only on the server's side): empty.
        let server = [S::ECDSA_SECP256R1_SHA256, S::RSA_PKCS1_SHA1];
        let r = choose_client_auth(&config(true, all), sha256, &request(&rsa, &server));
        assert!(matches!(r, CertRequest::Empty));
        // rsa_sign among others; the PRF hash first, then the client's order.
        let mixed = [T::ECDSA_SIGN, T::RSA_SIGN];
        let server = [
            S::RSA_PKCS1_SHA512,
            S::RSA_PKCS1_SHA256,
            S::RSA_PSS_RSAE_SHA256,
        ];
        let r = choose_client_auth(&config(true, all), sha256, &request(&mixed, &server));
        assert_eq!(chosen(&r), Some(S::RSA_PSS_RSAE_SHA256));
        let client = [S::RSA_PKCS1_SHA512, S::RSA_PKCS1_SHA256];
        let r = choose_client_auth(&config(true, &client), sha256, &request(&rsa, &server));
        assert_eq!(chosen(&r), Some(S::RSA_PKCS1_SHA256));
        let r = choose_client_auth(
            &config(true, &client),
            HashAlgorithm::Sha384,
            &request(&rsa, &server),
        );
        assert_eq!(chosen(&r), Some(S::RSA_PKCS1_SHA512));
    }
}
