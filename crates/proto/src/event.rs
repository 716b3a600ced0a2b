//! What a connection reports to its caller through [`crate::Connection::poll_event`].

use sanstls_wire::enums::{AlertDescription, AlertLevel, HandshakeType};

/// Something that happened on the connection. (Received application data is not an
/// event: it waits in the connection's receive buffer, [`crate::Connection::app_data`].)
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The handshake finished; [`crate::Connection::negotiated`] now tells what was agreed.
    HandshakeComplete {
        /// Whether it resumed a session ([`crate::Negotiated::resumed`]).
        resumed: bool,
    },
    /// The peer will send nothing more (any application data it sent before has been
    /// consumed).
    PeerClosed {
        /// `true` after a close_notify alert; `false` when the transport ended without
        /// one (a truncation an attacker could have caused, RFC 5246 §7.2.1).
        clean: bool,
    },
    /// The peer sent a warning alert other than close_notify (for example
    /// `no_renegotiation` or `user_canceled`); the connection continues.
    Alert(AlertDescription),
    /// A trace of one protocol message, when [`crate::config::Common::trace`] is on.
    Trace(Trace),
}

/// Which way a traced message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Sent by this side.
    Sent,
    /// Received from the peer.
    Received,
}

/// What kind of message a [`Trace`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceKind {
    /// A handshake message of this type.
    Handshake(HandshakeType),
    /// A ChangeCipherSpec message.
    ChangeCipherSpec,
    /// An alert.
    Alert(AlertLevel, AlertDescription),
}

/// One traced protocol message: the teaching view of the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Sent or received.
    pub direction: Direction,
    /// What it was.
    pub kind: TraceKind,
    /// Its length in bytes (for a handshake message: header and body).
    pub length: usize,
    /// Whether it travelled under record protection (after ChangeCipherSpec).
    pub protected: bool,
}
