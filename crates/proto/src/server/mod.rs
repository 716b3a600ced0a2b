//! The server's handshake states (RFC 5246 §7.3, full handshake, no client
//! authentication yet):
//!
//! ```text
//!                  <-- ClientHello
//! ServerHello, Certificate, [ServerKeyExchange], ServerHelloDone  -->
//!                  <-- ClientKeyExchange, ChangeCipherSpec, Finished
//! ChangeCipherSpec, Finished  -->
//! ```

mod hello;

use alloc::sync::Arc;

use sanstls_crypto::dh::DhPrivateKey;
use sanstls_keys::MasterSecret;
use sanstls_record::Sealer;
use sanstls_wire::enums::KeyExchange;
use sanstls_wire::handshake::{ClientKeyExchange, HandshakeMessage};
use zeroize::Zeroizing;

use crate::config::{CertifiedKey, ServerConfig};
use crate::conn::{self, Core};
use crate::error::{Error, PeerMisbehaved};
use crate::hs::{Hs, unexpected};

/// The server's states.
pub(crate) enum State {
    ClientHello(ExpectClientHello),
    ClientKeyExchange(ExpectClientKeyExchange),
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
            State::ClientKeyExchange(s) => &s.hs,
            State::ChangeCipherSpec(s) => &s.hs,
            State::Finished(s) => &s.hs,
        };
        Some(hs.suite.key_exchange)
    }

    pub(crate) fn is_initial(&self) -> bool {
        matches!(self, State::ClientHello(_))
    }

    pub(crate) fn expects_ccs(&self) -> bool {
        matches!(self, State::ChangeCipherSpec(_))
    }

    /// The client's ChangeCipherSpec arrived (the connection installed its keys).
    pub(crate) fn after_ccs(self) -> State {
        match self {
            State::ChangeCipherSpec(s) => State::Finished(ExpectFinished {
                hs: s.hs,
                master: s.master,
                sealer: s.sealer,
            }),
            other => other,
        }
    }

    pub(crate) fn handle(
        self,
        core: &mut Core,
        config: &Arc<ServerConfig>,
        msg: HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<conn::State, Error> {
        let next = match self {
            State::ClientHello(ExpectClientHello) => {
                ExpectClientHello::handle(core, config, &msg, raw)?
            }
            State::ClientKeyExchange(s) => s.handle(core, &msg, raw)?,
            State::ChangeCipherSpec(_) => return Err(unexpected(msg.typ())),
            State::Finished(s) => return s.handle(core, &msg, raw),
        };
        Ok(conn::State::Server(next))
    }
}

/// Waiting for the ClientHello.
pub(crate) struct ExpectClientHello;

impl ExpectClientHello {
    fn handle(
        core: &mut Core,
        config: &ServerConfig,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakeMessage::ClientHello(ch) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let (hs, kx) = hello::respond(core, config, ch, raw)?;
        Ok(State::ClientKeyExchange(ExpectClientKeyExchange { hs, kx }))
    }
}

/// The server's side of the key exchange, kept until ClientKeyExchange.
pub(crate) enum ServerKx {
    Rsa {
        cert: Arc<CertifiedKey>,
        /// ClientHello.client_version, which the premaster must start with.
        client_version: [u8; 2],
    },
    Dhe {
        key: DhPrivateKey,
    },
}

/// Waiting for ClientKeyExchange (RFC 5246 §7.4.7).
pub(crate) struct ExpectClientKeyExchange {
    hs: Hs,
    kx: ServerKx,
}

impl ExpectClientKeyExchange {
    fn handle(
        mut self,
        core: &mut Core,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HandshakeMessage::ClientKeyExchange(cke) = msg else {
            return Err(unexpected(msg.typ()));
        };
        let premaster: Zeroizing<alloc::vec::Vec<u8>> = match (&self.kx, cke) {
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
                let _ =
                    cert.key()
                        .decrypt_tls_premaster(&mut core.rng, ct, *client_version, &mut pm);
                Zeroizing::new(pm.to_vec())
            }
            (ServerKx::Dhe { key }, ClientKeyExchange::Dhe { yc }) => {
                // RFC 7919 §4 / §5.1: the client's value must satisfy 1 < Yc < p - 1.
                let secret = key
                    .agree(yc)
                    .map_err(|_| PeerMisbehaved::BadDhPublicValue)?;
                Zeroizing::new(secret.as_bytes().to_vec())
            }
            // Decoding used the negotiated key exchange, so the forms always match.
            _ => return Err(unexpected(msg.typ())),
        };
        self.hs.transcript.add(raw);
        let (master, sealer) = self.hs.derive(core, &premaster)?;
        Ok(State::ChangeCipherSpec(ExpectChangeCipherSpec {
            hs: self.hs,
            master,
            sealer,
        }))
    }
}

/// Waiting for the client's ChangeCipherSpec.
pub(crate) struct ExpectChangeCipherSpec {
    hs: Hs,
    master: MasterSecret,
    sealer: Sealer,
}

/// Waiting for the client's Finished.
pub(crate) struct ExpectFinished {
    hs: Hs,
    master: MasterSecret,
    sealer: Sealer,
}

impl ExpectFinished {
    fn handle(
        mut self,
        core: &mut Core,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<conn::State, Error> {
        // 1. §7.4.9: verify the client's Finished.
        self.hs.check_finished(core, &self.master, msg, raw)?;
        // 2. §7.1 / §7.4.9: ChangeCipherSpec, then Finished under the new keys.
        core.send_ccs(self.sealer)?;
        self.hs.send_finished(core, &self.master)?;
        self.hs.complete(core);
        Ok(conn::State::Traffic)
    }
}
