//! The server's handshake states (RFC 5246 §7.3, full handshake):
//!
//! ```text
//!                  <-- ClientHello
//! ServerHello, Certificate, [ServerKeyExchange],
//! [CertificateRequest], ServerHelloDone  -->
//!                  <-- [Certificate], ClientKeyExchange, [CertificateVerify],
//!                      ChangeCipherSpec, Finished
//! ChangeCipherSpec, Finished  -->
//! ```
//!
//! Resumed (RFC 5246 §7.3, abbreviated; by session ID, or by ticket, RFC 5077 §3.1):
//!
//! ```text
//!                  <-- ClientHello (session ID or ticket)
//! ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished  -->
//!                  <-- ChangeCipherSpec, Finished
//! ```
//!
//! A full handshake sends a NewSessionTicket before its ChangeCipherSpec when the
//! client asked for one, and leaves its session in the cache under the ServerHello's
//! session ID.
//!
//! The bracketed client messages exist with client authentication
//! ([`crate::ServerConfigBuilder::client_verifier`]): the CertificateRequest is sent,
//! the client's Certificate is required, and its CertificateVerify follows when that
//! Certificate was not empty.

mod hello;

use crate::Shared;

use alloc::boxed::Box;
use alloc::vec::Vec;

#[cfg(feature = "dhe")]
use sanstls_crypto::provider::DhEphemeral;
#[cfg(feature = "ecdhe")]
use sanstls_crypto::provider::EcEphemeral;
use sanstls_keys::MasterSecret;
use sanstls_record::{Opener, Sealer};
use sanstls_wire::enums::{HandshakeType, KeyExchange};
use sanstls_wire::handshake::{ClientKeyExchange, HandshakeMessage, NewSessionTicket};
use zeroize::Zeroizing;

use crate::config::{CertifiedKey, ServerConfig};
use crate::core::Core;
use crate::error::{Error, InternalError, PeerIncompatible, PeerMisbehaved};
use crate::hs::{Hs, Input, Keys, Transition, new_session, unexpected};
use crate::session::Session;
use crate::sig::{PeerKey, scheme_parts};

/// The server's states.
pub(crate) enum State {
    ClientHello(ExpectClientHello),
    #[cfg(feature = "client-auth")]
    ClientCertificate(ExpectClientCertificate),
    ClientKeyExchange(ExpectClientKeyExchange),
    #[cfg(feature = "client-auth")]
    CertificateVerify(ExpectCertificateVerify),
    ChangeCipherSpec(ExpectChangeCipherSpec),
    Finished(ExpectFinished),
}

/// The initial state.
pub(crate) fn start() -> State {
    State::ClientHello(ExpectClientHello)
}

impl State {
    pub(crate) fn key_exchange(&self) -> Option<KeyExchange> {
        let hs = match self {
            State::ClientHello(_) => return None,
            #[cfg(feature = "client-auth")]
            State::ClientCertificate(s) => &s.hs,
            State::ClientKeyExchange(s) => &s.hs,
            #[cfg(feature = "client-auth")]
            State::CertificateVerify(s) => &s.hs,
            State::ChangeCipherSpec(s) => &s.hs,
            State::Finished(s) => &s.hs,
        };
        Some(hs.suite.key_exchange)
    }

    pub(crate) fn is_initial(&self) -> bool {
        matches!(self, State::ClientHello(_))
    }

    /// Whether a handshake message of type `typ` may come now (RFC 5246 §7.3 order).
    /// Checked before the body is decoded: a message out of order is
    /// unexpected_message whatever its contents.
    pub(crate) fn expects(&self, typ: HandshakeType) -> bool {
        typ == match self {
            State::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            #[cfg(feature = "client-auth")]
            State::ClientCertificate(_) => HandshakeType::CERTIFICATE,
            State::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            #[cfg(feature = "client-auth")]
            State::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            State::ChangeCipherSpec(_) => return false,
            State::Finished(_) => HandshakeType::FINISHED,
        }
    }

    /// The next state after `input`, with the client's record protection once its
    /// ChangeCipherSpec arrived (RFC 5246 §7.1).
    pub(crate) fn handle(
        self,
        core: &mut Core,
        config: &ServerConfig,
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
                        }),
                        s.opener,
                    )),
                    _ => Err(input.unexpected()),
                };
            }
            Input::Handshake(msg, raw) => (msg, raw),
        };
        let next = match self {
            State::ClientHello(ExpectClientHello) => {
                return ExpectClientHello::handle(core, config, &msg, raw);
            }
            #[cfg(feature = "client-auth")]
            State::ClientCertificate(s) => s.handle(core, config, &msg, raw)?,
            State::ClientKeyExchange(s) => s.handle(core, config, &msg, raw)?,
            #[cfg(feature = "client-auth")]
            State::CertificateVerify(s) => s.handle(config, &msg, raw)?,
            State::ChangeCipherSpec(_) => return Err(unexpected(msg.typ())),
            State::Finished(s) => {
                s.handle(core, config, &msg, raw)?;
                return Ok(Transition::traffic());
            }
        };
        Ok(Transition::to(next))
    }
}

/// Waiting for the ClientHello.
pub(crate) struct ExpectClientHello;

impl ExpectClientHello {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        core: &mut Core,
        config: &ServerConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<Transition<State>, Error> {
        let HandshakeMessage::ClientHello(ch) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let (hs, kx) = match hello::respond(core, config, ch, raw)? {
            hello::Response::Full(hs, kx) => (hs, kx),
            hello::Response::Resumed(hs, master, opener) => {
                let limits = hs.limits;
                let next = State::ChangeCipherSpec(ExpectChangeCipherSpec {
                    hs,
                    master,
                    sealer: None,
                    opener,
                });
                return Ok(Transition::limiting(next, &limits));
            }
        };
        let limits = hs.limits;
        #[cfg(feature = "client-auth")]
        // (RFC 4279 §2: no CertificateRequest in a PSK suite, so no Certificate.)
        let next = if config.client_verifier().is_some() && !hs.suite.key_exchange.is_psk() {
            State::ClientCertificate(ExpectClientCertificate { hs, kx })
        } else {
            State::ClientKeyExchange(ExpectClientKeyExchange {
                hs,
                kx,
                client_key: None,
            })
        };
        #[cfg(not(feature = "client-auth"))]
        let next = State::ClientKeyExchange(ExpectClientKeyExchange { hs, kx });
        Ok(Transition::limiting(next, &limits))
    }
}

/// Waiting for the client's Certificate, after a CertificateRequest (RFC 5246 §7.4.6).
#[cfg(feature = "client-auth")]
pub(crate) struct ExpectClientCertificate {
    hs: Box<Hs>,
    kx: ServerKx,
}

#[cfg(feature = "client-auth")]
impl ExpectClientCertificate {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ServerConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        // §7.4.6: "This is the first message the client can send after receiving a
        // ServerHelloDone message. This message is only sent if the server requests a
        // certificate." Anything else here is out of order.
        let HandshakeMessage::Certificate(cert) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let verifier = config
            .client_verifier()
            .ok_or(InternalError::HandshakeState)?;
        let chain: Vec<&[u8]> = cert.certificates.iter().map(|c| c.as_bytes()).collect();
        // Kept before validation, so that a caller can explain a rejection.
        core.received_chain = chain.iter().map(|c| c.to_vec()).collect();
        let client_key = match chain.split_first() {
            // 1. An empty Certificate: the client has no suitable certificate. §7.4.6:
            //    the server "MAY at its discretion either continue the handshake without
            //    client authentication, or respond with a fatal handshake_failure alert".
            None if verifier.client_auth_mandatory() => {
                return Err(PeerIncompatible::ClientCertificateRequired.into());
            }
            None => None,
            Some((leaf, intermediates)) => {
                // 2. RFC 5280 path validation at `now` (an expired or untrusted chain
                //    fails with the alert of its pki error: certificate_expired,
                //    unknown_ca, bad_certificate ...).
                let path = verifier.verify_client_cert(leaf, intermediates, core.now)?;
                // 3. §7.4.6 (rsa_sign) and RFC 5280 §4.2.1.3: the key must be allowed to
                //    sign, as it signs the CertificateVerify.
                if !path.allows_digital_signature() {
                    return Err(Error::CertificateKeyUsage);
                }
                Some(PeerKey::of(&path)?)
            }
        };
        self.hs.transcript.add(raw);
        Ok(State::ClientKeyExchange(ExpectClientKeyExchange {
            hs: self.hs,
            kx: self.kx,
            client_key,
        }))
    }
}

/// The server's side of the key exchange, kept until ClientKeyExchange.
pub(crate) enum ServerKx {
    #[cfg(feature = "rsa-kx")]
    Rsa {
        cert: Shared<CertifiedKey>,
        /// ClientHello.client_version, which the premaster must start with.
        client_version: [u8; 2],
    },
    #[cfg(feature = "dhe")]
    Dhe { key: DhEphemeral },
    #[cfg(feature = "ecdhe")]
    Ecdhe { key: EcEphemeral },
    /// Plain PSK (RFC 4279 §2): nothing but the client's identity to come.
    #[cfg(feature = "psk")]
    Psk,
    #[cfg(all(feature = "psk", feature = "dhe"))]
    DhePsk { key: DhEphemeral },
    #[cfg(all(feature = "psk", feature = "ecdhe"))]
    EcdhePsk { key: EcEphemeral },
}

/// Waiting for ClientKeyExchange (RFC 5246 §7.4.7).
pub(crate) struct ExpectClientKeyExchange {
    hs: Box<Hs>,
    kx: ServerKx,
    /// The client certificate's key, when the client sent a certificate.
    #[cfg(feature = "client-auth")]
    client_key: Option<PeerKey>,
}

impl ExpectClientKeyExchange {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ServerConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakeMessage::ClientKeyExchange(cke) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let premaster: Zeroizing<alloc::vec::Vec<u8>> = match (&self.kx, cke) {
            #[cfg(feature = "rsa-kx")]
            (
                ServerKx::Rsa {
                    cert,
                    client_version,
                },
                ClientKeyExchange::Rsa {
                    encrypted_pre_master_secret: ct,
                },
            ) => {
                // §7.4.7.1: a bad ciphertext, bad padding, wrong length or wrong version
                // silently becomes a random premaster, so the failure shows only as a
                // bad Finished; the returned `Choice` is deliberately ignored.
                let mut pm = Zeroizing::new([0u8; 48]);
                // (RSA key exchange is chosen only with an RSA certificate.)
                let key = cert.key().rsa().ok_or(InternalError::HandshakeState)?;
                let _ = key.decrypt_tls_premaster(&mut core.rng, ct, *client_version, &mut pm);
                Zeroizing::new(pm.to_vec())
            }
            #[cfg(feature = "dhe")]
            (ServerKx::Dhe { key }, ClientKeyExchange::Dhe { yc }) => {
                // RFC 7919 §4 / §5.1: the client's value must satisfy 1 < Yc < p - 1.
                key.agree(yc)
                    .map_err(|_| PeerMisbehaved::BadDhPublicValue)?
            }
            #[cfg(feature = "ecdhe")]
            (ServerKx::Ecdhe { key }, ClientKeyExchange::Ecdhe { point }) => {
                // RFC 8422 §5.11 / RFC 7748 §6.1: a point of the wrong length, off the
                // curve or the identity, or an all-zero X25519 secret, is refused.
                key.agree(point).map_err(|_| PeerMisbehaved::BadEcPoint)?
            }
            // RFC 4279 §2: the premaster from the identity's key alone.
            #[cfg(feature = "psk")]
            (ServerKx::Psk, ClientKeyExchange::Psk { identity }) => {
                psk_premaster(core, config, &mut self.hs, identity, None)?
            }
            // RFC 4279 §3: the client's value checked as for DHE_RSA.
            #[cfg(all(feature = "psk", feature = "dhe"))]
            (ServerKx::DhePsk { key }, ClientKeyExchange::DhePsk { identity, yc }) => {
                check_psk_identity(config, identity)?;
                let z = key
                    .agree(yc)
                    .map_err(|_| PeerMisbehaved::BadDhPublicValue)?;
                psk_premaster(core, config, &mut self.hs, identity, Some(&z))?
            }
            // RFC 5489 §2: the client's point checked as for ECDHE.
            #[cfg(all(feature = "psk", feature = "ecdhe"))]
            (ServerKx::EcdhePsk { key }, ClientKeyExchange::EcdhePsk { identity, point }) => {
                check_psk_identity(config, identity)?;
                let z = key.agree(point).map_err(|_| PeerMisbehaved::BadEcPoint)?;
                psk_premaster(core, config, &mut self.hs, identity, Some(&z))?
            }
            // Decoding used the negotiated key exchange, so the forms always match.
            #[allow(unreachable_patterns)]
            _ => return Err(unexpected(msg.typ())),
        };
        self.hs.transcript.add(raw);
        // RFC 7627 §4: the session hash ends with ClientKeyExchange, so the master
        // secret is derived before any CertificateVerify.
        let Keys {
            master,
            sealer,
            opener,
        } = self.hs.derive(core, &premaster)?;
        #[cfg(not(feature = "client-auth"))]
        return Ok(State::ChangeCipherSpec(ExpectChangeCipherSpec {
            hs: self.hs,
            master,
            sealer: Some(sealer),
            opener,
        }));
        #[cfg(feature = "client-auth")]
        Ok(match self.client_key {
            // RFC 5246 §7.4.8: "This message is used to provide explicit verification
            // of a client certificate. This message is only sent following a client
            // certificate that has signing capability"; it must come now, before the
            // ChangeCipherSpec (§7.3).
            Some(client_key) => State::CertificateVerify(ExpectCertificateVerify {
                hs: self.hs,
                master,
                sealer,
                opener,
                client_key,
            }),
            None => State::ChangeCipherSpec(ExpectChangeCipherSpec {
                hs: self.hs,
                master,
                sealer: Some(sealer),
                opener,
            }),
        })
    }
}

/// Refuses an identity that is empty or longer than the server accepts, before the
/// store is asked (RFC 4279 §5.3 sets no upper bound below the wire's 65535 bytes; a
/// server need not look up what it never issued).
#[cfg(feature = "psk")]
fn check_psk_identity(config: &ServerConfig, identity: &[u8]) -> Result<(), Error> {
    if identity.is_empty() || identity.len() > config.max_psk_identity_len {
        return Err(PeerMisbehaved::BadPskIdentity.into());
    }
    Ok(())
}

/// The premaster of a PSK suite (RFC 4279 §2) from the key of `identity` and the
/// (EC)DH result `other`.
///
/// An unknown identity is, by default, given a random key of
/// [`crate::psk::HIDDEN_KEY_LEN`] bytes (RFC 4279 §2 lets a server hide that it does not
/// know an identity by going on "as if the PSK identity existed but the key was
/// incorrect"): the handshake then fails where a wrong key fails, at the client's
/// Finished, with decrypt_error, after the same work. With
/// [`crate::psk::UnknownPskIdentity::Alert`] it fails now with unknown_psk_identity.
#[cfg(feature = "psk")]
fn psk_premaster(
    core: &mut Core,
    config: &ServerConfig,
    hs: &mut Hs,
    identity: &[u8],
    other: Option<&[u8]>,
) -> Result<Zeroizing<alloc::vec::Vec<u8>>, Error> {
    use sanstls_crypto::rng::Rng as _;
    check_psk_identity(config, identity)?;
    let store = config
        .psk_store
        .as_ref()
        .ok_or(InternalError::HandshakeState)?;
    let key = match store.key(identity) {
        Some(key) => key,
        None if config.unknown_psk_identity == crate::psk::UnknownPskIdentity::Alert => {
            return Err(PeerIncompatible::UnknownPskIdentity.into());
        }
        None => {
            let mut key = Zeroizing::new(alloc::vec![0u8; crate::psk::HIDDEN_KEY_LEN]);
            core.rng.fill_bytes(&mut key);
            key
        }
    };
    hs.psk_identity = Some(identity.to_vec());
    Ok(crate::psk::premaster(other, &key))
}

/// Waiting for the client's CertificateVerify (RFC 5246 §7.4.8).
#[cfg(feature = "client-auth")]
pub(crate) struct ExpectCertificateVerify {
    hs: Box<Hs>,
    master: MasterSecret,
    sealer: Box<Sealer>,
    opener: Box<Opener>,
    client_key: PeerKey,
}

#[cfg(feature = "client-auth")]
impl ExpectCertificateVerify {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        config: &ServerConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakeMessage::CertificateVerify(cv) = msg else {
            return Err(unexpected(msg.typ()));
        };
        // 1. §7.4.8: "The hash and signature algorithms used in the signature MUST be
        //    one of those present in the supported_signature_algorithms field of the
        //    CertificateRequest message" (illegal_parameter otherwise).
        if !config.common.signature_schemes.contains(&cv.scheme) {
            return Err(PeerMisbehaved::UnofferedSignatureScheme.into());
        }
        let (hash, alg) =
            scheme_parts(cv.scheme).ok_or(PeerMisbehaved::UnofferedSignatureScheme)?;
        // 2. The signature covers every handshake message from ClientHello up to, but
        //    not including, this one; a signature that does not verify is decrypt_error
        //    (§7.2.2).
        let digest = self
            .hs
            .transcript
            .hash_with(hash)
            .map_err(|_| InternalError::HandshakeState)?;
        crate::sig::verify(
            &self.client_key,
            hash,
            alg,
            crate::sig::Signed::Digest(digest.as_slice()),
            cv.signature,
        )?;
        self.hs.transcript.add(raw);
        Ok(State::ChangeCipherSpec(ExpectChangeCipherSpec {
            hs: self.hs,
            master: self.master,
            sealer: Some(self.sealer),
            opener: self.opener,
        }))
    }
}

/// Waiting for the client's ChangeCipherSpec.
pub(crate) struct ExpectChangeCipherSpec {
    hs: Box<Hs>,
    master: MasterSecret,
    /// This side's protection, for its ChangeCipherSpec after the client's Finished
    /// (`None` when resuming: the server's went first).
    sealer: Option<Box<Sealer>>,
    /// The client's protection, installed when its ChangeCipherSpec arrives.
    opener: Box<Opener>,
}

/// Waiting for the client's Finished.
pub(crate) struct ExpectFinished {
    hs: Box<Hs>,
    master: MasterSecret,
    sealer: Option<Box<Sealer>>,
}

impl ExpectFinished {
    // (Never inlined: only the current state's frame is on the stack; see `State`.)
    #[inline(never)]
    fn handle(
        mut self,
        core: &mut Core,
        config: &ServerConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<(), Error> {
        // 1. §7.4.9: verify the client's Finished.
        self.hs.check_finished(core, &self.master, msg, raw)?;
        if let Some(sealer) = self.sealer {
            // A full handshake: its session, for the cache and a ticket.
            let session = new_session(&self.hs, core, &self.master, config.session_lifetime);
            // 2. RFC 5077 §3.3: NewSessionTicket before ChangeCipherSpec.
            if self.hs.ticket {
                send_ticket(core, config, &mut self.hs, &session)?;
            }
            // 3. §7.1 / §7.4.9: ChangeCipherSpec, then Finished under the new keys.
            core.send_ccs(sealer)?;
            self.hs.send_finished(core, &self.master)?;
            // 4. §7.4.1.3: the session is now resumable under the ServerHello's ID.
            if let Some(store) = config.session_store()
                && !self.hs.session_id.is_empty()
            {
                store.put(&self.hs.session_id, &session.to_bytes());
            }
        }
        self.hs.complete(core);
        Ok(())
    }
}

/// Sends a NewSessionTicket (RFC 5077 §3.3) for `session`, its lifetime the
/// ticketer's; a ticketer that makes no ticket gets an empty one, which the RFC allows
/// once the ServerHello has promised one ("If the server determines that it does not
/// want to include a ticket ... it sends a zero-length ticket").
pub(super) fn send_ticket(
    core: &mut Core,
    config: &ServerConfig,
    hs: &mut Hs,
    session: &Session,
) -> Result<(), Error> {
    let ticketer = config.ticketer().ok_or(InternalError::HandshakeState)?;
    let lifetime = ticketer.lifetime();
    let mut state = session.clone();
    state.lifetime = lifetime;
    let ticket = ticketer.encrypt(&state.to_bytes(), core.now);
    let msg = HandshakeMessage::NewSessionTicket(NewSessionTicket {
        lifetime_hint: lifetime.as_secs().min(u64::from(u32::MAX)) as u32,
        ticket: ticket
            .as_deref()
            .filter(|t| t.len() <= 0xffff)
            .unwrap_or(&[]),
    });
    core.send_handshake(&msg, &mut hs.transcript)
}
