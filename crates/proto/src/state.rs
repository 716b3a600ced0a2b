//! The connection's state: a handshake state of either role, then traffic, or failure.
//! Every transition happens here or in the role's states; the record path only turns
//! records into [`Input`]s and installs the record protection a transition returns.

use crate::Shared;

use alloc::boxed::Box;

use sanstls_keys::Side;
use sanstls_record::Opener;
use sanstls_wire::enums::{AlertDescription, AlertLevel, HandshakeType, KeyExchange};

#[cfg(feature = "client")]
use crate::client;
#[cfg(feature = "client")]
use crate::config::ClientConfig;
use crate::config::Common;
#[cfg(feature = "server")]
use crate::config::ServerConfig;
use crate::core::Core;
use crate::error::{Error, InternalError};
use crate::hs::{Input, Next, Transition};
#[cfg(feature = "server")]
use crate::server;

/// What a transition changes for the peer's records.
#[derive(Default)]
pub(crate) struct Effects {
    /// New protection: the peer's ChangeCipherSpec went by (RFC 5246 §7.1).
    pub(crate) opener: Option<Box<Opener>>,
    /// A limit on the plaintext of the peer's records from now on (max_fragment_length,
    /// RFC 6066 §4).
    pub(crate) receive_limit: Option<usize>,
}

/// Which role, with its configuration.
pub(crate) enum Role {
    #[cfg(feature = "client")]
    Client(Shared<ClientConfig>),
    #[cfg(feature = "server")]
    Server(Shared<ServerConfig>),
}

impl Role {
    pub(crate) fn side(&self) -> Side {
        match self {
            #[cfg(feature = "client")]
            Role::Client(_) => Side::Client,
            #[cfg(feature = "server")]
            Role::Server(_) => Side::Server,
        }
    }

    /// The settings both roles share.
    pub(crate) fn common(&self) -> &Common {
        match self {
            #[cfg(feature = "client")]
            Role::Client(c) => &c.common,
            #[cfg(feature = "server")]
            Role::Server(s) => &s.common,
        }
    }
}

/// The handshake state of either role, or what comes after. States move by value from
/// one input to the next (the state itself is not boxed, so no input allocates one);
/// what they carry that is large lives in boxes made once per handshake and moved
/// along: the handshake data ([`crate::hs::Hs`], with the transcript hashes) and the
/// record protection waiting for its ChangeCipherSpec (a kilobyte of key schedule
/// each). A state is then a few hundred bytes, and the frames that move it stay small
/// (the issue that measured 26 KB of stack in `State::handle` had them inline).
pub(crate) enum State {
    #[cfg(feature = "client")]
    Client(client::State),
    #[cfg(feature = "server")]
    Server(server::State),
    /// The handshake is done: application data flows. A HelloRequest (to a client) or a
    /// ClientHello (to a server) asks for renegotiation, which is refused with a
    /// `no_renegotiation` warning (RFC 5246 §7.4.1.1, §7.2.2; RFC 5746 §4.2, §4.4).
    Traffic,
    /// After a fatal error: nothing more is read.
    Failed,
}

impl State {
    /// The first state of `role`; a client sends its ClientHello now.
    pub(crate) fn start(
        role: &Role,
        core: &mut Core,
        server_name: Option<sanstls_pki::ServerName>,
    ) -> Result<State, Error> {
        Ok(match (role, server_name) {
            #[cfg(feature = "client")]
            (Role::Client(cfg), Some(name)) => State::Client(client::start(core, cfg, name)?),
            #[cfg(feature = "server")]
            (Role::Server(_), _) => State::Server(server::start()),
            #[allow(unreachable_patterns)]
            _ => return Err(InternalError::HandshakeState.into()),
        })
    }

    pub(crate) fn is_handshaking(&self) -> bool {
        !matches!(self, State::Traffic | State::Failed)
    }

    /// The negotiated key exchange, once the hellos fixed the suite (the
    /// ClientKeyExchange and ServerKeyExchange formats depend on it).
    pub(crate) fn key_exchange(&self) -> Option<KeyExchange> {
        match self {
            #[cfg(feature = "client")]
            State::Client(s) => s.key_exchange(),
            #[cfg(feature = "server")]
            State::Server(s) => s.key_exchange(),
            _ => None,
        }
    }

    /// Whether the protocol version is settled: the server has seen the ClientHello, the
    /// client the ServerHello. (Before that, a server that does not speak TLS 1.2 may
    /// answer with an older record version, and its alert should still be read.)
    pub(crate) fn version_fixed(&self) -> bool {
        match self {
            State::Traffic | State::Failed => true,
            #[cfg(feature = "client")]
            State::Client(s) => !s.is_initial(),
            #[cfg(feature = "server")]
            State::Server(s) => !s.is_initial(),
        }
    }

    /// Whether a handshake message of type `typ` may come now: checked before its body
    /// is decoded, so a message out of order is unexpected_message whatever its
    /// contents (RFC 5246 §7.3, §7.2.2).
    pub(crate) fn expects(&self, typ: HandshakeType, side: Side) -> bool {
        match self {
            #[cfg(feature = "client")]
            State::Client(s) => s.expects(typ),
            #[cfg(feature = "server")]
            State::Server(s) => s.expects(typ),
            State::Traffic => match side {
                Side::Client => typ == HandshakeType::HELLO_REQUEST,
                Side::Server => typ == HandshakeType::CLIENT_HELLO,
            },
            State::Failed => false,
        }
    }

    /// The state after `input`, and what changes for the peer's records.
    pub(crate) fn handle(
        self,
        core: &mut Core,
        role: &Role,
        input: Input<'_>,
    ) -> Result<(State, Effects), Error> {
        match (self, role) {
            #[cfg(feature = "client")]
            (State::Client(s), Role::Client(cfg)) => {
                Ok(Self::lift(s.handle(core, cfg, input)?, State::Client))
            }
            #[cfg(feature = "server")]
            (State::Server(s), Role::Server(cfg)) => {
                Ok(Self::lift(s.handle(core, cfg, input)?, State::Server))
            }
            (State::Traffic, _) => match input {
                // Only the two renegotiation requests get here (`expects`).
                Input::Handshake(..) => {
                    core.send_alert(AlertLevel::WARNING, AlertDescription::NO_RENEGOTIATION);
                    Ok((State::Traffic, Effects::default()))
                }
                Input::ChangeCipherSpec => Err(input.unexpected()),
            },
            (State::Failed, _) => Err(input.unexpected()),
            #[allow(unreachable_patterns)]
            _ => Err(InternalError::HandshakeState.into()),
        }
    }

    fn lift<S>(t: Transition<S>, wrap: impl FnOnce(S) -> State) -> (State, Effects) {
        let state = match t.next {
            Next::Handshake(s) => wrap(s),
            Next::Traffic => State::Traffic,
        };
        (
            state,
            Effects {
                opener: t.opener,
                receive_limit: t.receive_limit,
            },
        )
    }
}
