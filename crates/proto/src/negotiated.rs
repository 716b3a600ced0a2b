//! [`Negotiated`]: what a completed handshake agreed on.

use alloc::string::String;
use alloc::vec::Vec;

use sanstls_wire::enums::{CipherSuite, ProtocolVersion};

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
}
