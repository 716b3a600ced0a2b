//! [`Negotiated`]: what a completed handshake agreed on.

use alloc::string::String;
use alloc::vec::Vec;

use sanstls_wire::enums::{CipherSuite, ExtensionType, NamedGroup, ProtocolVersion};

/// What was agreed in the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The protocol version (always TLS 1.2).
    pub version: ProtocolVersion,
    /// The cipher suite.
    pub suite: CipherSuite,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// Whether encrypt-then-MAC (RFC 7366) is in use.
    pub encrypt_then_mac: bool,
    /// The ALPN protocol, if one was agreed.
    pub alpn: Option<Vec<u8>>,
    /// The host name the client sent in server_name.
    pub server_name: Option<String>,
    /// The peer's certificate chain (DER, leaf first), validated: on a client the
    /// server's chain; on a server the client's chain, empty when it asked for none
    /// ([`crate::ServerConfigBuilder::client_verifier`] not set) or the client sent none
    /// under optional client authentication.
    pub peer_certificates: Vec<Vec<u8>>,
    /// The size in bits of the DH prime, for DHE_RSA suites.
    pub dh_bits: Option<u32>,
    /// The ECDHE group (curve), for ECDHE suites.
    pub ec_group: Option<NamedGroup>,
    /// The largest record plaintext this side sends: its configured `max_fragment_len`,
    /// or less if the peer asked for less.
    pub max_fragment_sent: usize,
    /// The largest record plaintext the peer may send (2^14 unless negotiated).
    pub max_fragment_received: usize,
    /// The extension that negotiated the record sizes: max_fragment_length (RFC 6066
    /// §4: every record from the hellos on) or record_size_limit (RFC 8449: protected
    /// records); `None` for full-size records both ways.
    pub fragment_limit_by: Option<ExtensionType>,
    /// Whether the handshake resumed a session (RFC 5246 §7.3, the abbreviated
    /// handshake; by session ID or RFC 5077 ticket). A resumed connection keeps the
    /// suite, the master secret and the peer's identity of the full handshake that
    /// made the session: `peer_certificates` then holds the leaf certificate validated
    /// then, and `dh_bits` and `ec_group` are `None`.
    pub resumed: bool,
    /// The PSK identity, for a PSK suite (RFC 4279): the one the client named, which
    /// the server found in its store. A resumed session keeps that of the full
    /// handshake.
    pub psk_identity: Option<Vec<u8>>,
}
