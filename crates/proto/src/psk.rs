//! Pre-shared keys (RFC 4279, RFC 5489): certificate-free TLS 1.2.
//!
//! A client holds one [`Psk`] (an identity and a key), or a [`ChoosesPsk`] that picks
//! one from the server's identity hint; a server looks identities up in a [`PskStore`]
//! (the bounded in-memory [`PskTable`], or the application's own). The PSK suites are
//! offered and chosen only when a PSK is configured; a configuration may hold
//! certificates and PSKs at once.
//!
//! The premaster secret of every PSK key exchange (RFC 4279 §2) is
//!
//! ```text
//! uint16 len(other_secret) | other_secret | uint16 len(psk) | psk
//! ```
//!
//! with `other_secret` `len(psk)` zero bytes for plain PSK, the Diffie-Hellman result
//! for DHE_PSK (RFC 4279 §3, leading zeros stripped as in RFC 5246 §8.1.2) and the
//! ECDH result for ECDHE_PSK (RFC 5489 §2).
//!
//! An identity the server does not know is, by default, treated as a known one with the
//! wrong key (RFC 4279 §2 allows this to hide which identities exist): the handshake
//! goes on with a random key of [`HIDDEN_KEY_LEN`] bytes and fails at the client's
//! Finished with decrypt_error, as a wrong key does, after the same messages and the
//! same key derivation.
//! [`UnknownPskIdentity::Alert`] sends unknown_psk_identity at once instead.
//!
//! ```
//! # #[cfg(all(feature = "client", feature = "server", feature = "psk"))]
//! # fn main() -> Result<(), sanstls_proto::ConfigError> {
//! use sanstls_proto::{ClientConfig, Psk, PskTable, ServerConfig, Shared};
//!
//! let key = [0x3c; 16];
//! // A device with a provisioned key and no certificates at all: it offers only the
//! // PSK suites.
//! let client = ClientConfig::builder()
//!     .psk(Psk::new("sensor-17", key)?)
//!     .max_fragment_len(512)
//!     .build()?;
//! assert!(client.common().suites().iter().all(|s| {
//!     s.key_exchange().is_some_and(|kx| kx.is_psk())
//! }));
//! // Its gateway: the keys of every device, and a hint naming the key generation.
//! let server = ServerConfig::builder()
//!     .psk_store(Shared::new(PskTable::new().with(Psk::new("sensor-17", key)?)))
//!     .psk_identity_hint(b"fleet-2026")
//!     .build()?;
//! # let _ = server;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "client", feature = "server", feature = "psk")))]
//! # fn main() {}
//! ```

use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::MaybeSendSync;
use crate::config::ConfigError;

/// The longest PSK a configuration takes: 512 bytes (RFC 4279 §5.3 asks for at least
/// 64; OpenSSL allows 512).
pub const MAX_PSK_LEN: usize = 512;

/// The longest identity a server accepts by default (RFC 4279 §5.3: implementations
/// "MUST support arbitrary PSK identities up to 128 octets in length").
pub const DEFAULT_MAX_PSK_IDENTITY_LEN: usize = 128;

/// The length of the random key a server uses in place of an unknown identity's key: 16
/// bytes, the usual PSK size. Any key of up to 30 bytes makes a premaster of up to 64
/// bytes, a single HMAC key block, so the PRF does the same work for the stand-in as
/// for such a real key.
pub const HIDDEN_KEY_LEN: usize = 16;

/// A PSK identity and its key. The key is zeroized on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk {
    identity: Vec<u8>,
    key: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Psk")
            .field(
                "identity",
                &alloc::string::String::from_utf8_lossy(&self.identity),
            )
            .field("key_len", &self.key.len())
            .finish()
    }
}

impl Psk {
    /// An identity (1 to 65535 bytes: RFC 4279 §5.1 expects UTF-8 text, which is not
    /// enforced) and its key (1 to [`MAX_PSK_LEN`] bytes).
    pub fn new(identity: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let identity = identity.into();
        let key = Zeroizing::new(key.into());
        if identity.is_empty() || identity.len() > sanstls_wire::handshake::MAX_PSK_IDENTITY_LEN {
            return Err(ConfigError::InvalidPskIdentity);
        }
        if key.is_empty() || key.len() > MAX_PSK_LEN {
            return Err(ConfigError::InvalidPsk);
        }
        Ok(Psk { identity, key })
    }

    /// The identity.
    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    /// The key.
    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

/// How a client picks its PSK from the server's identity hint (RFC 4279 §5.2: the
/// hint may help the client choose among several).
pub trait ChoosesPsk: MaybeSendSync {
    /// The PSK for a server that sent `hint` (`None`: no ServerKeyExchange, or an empty
    /// hint); `None` if the client has none for it, which fails the handshake with
    /// [`crate::PeerIncompatible::NoPsk`].
    fn choose(&self, hint: Option<&[u8]>) -> Option<Psk>;
}

/// A single PSK, whatever the hint.
impl ChoosesPsk for Psk {
    fn choose(&self, _hint: Option<&[u8]>) -> Option<Psk> {
        Some(self.clone())
    }
}

/// Where a server finds the key of an identity.
pub trait PskStore: MaybeSendSync {
    /// The key of `identity`, if it has one. Called with identities up to the
    /// configured maximum length only.
    fn key(&self, identity: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
}

/// An in-memory [`PskStore`]: a list of identities and keys, zeroized on drop.
#[derive(Clone, Debug, Default)]
pub struct PskTable {
    entries: Vec<Psk>,
}

impl PskTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table with `psk` added (replacing an entry with the same identity).
    #[must_use]
    pub fn with(mut self, psk: Psk) -> Self {
        self.entries.retain(|p| p.identity != psk.identity);
        self.entries.push(psk);
        self
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl PskStore for PskTable {
    fn key(&self, identity: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        // (Identities are not secret: they cross the wire in the clear.)
        self.entries
            .iter()
            .find(|p| p.identity == identity)
            .map(|p| p.key.clone())
    }
}

/// What a server does with an identity its store does not know (RFC 4279 §2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnknownPskIdentity {
    /// Go on with a random key, so that the handshake fails at the client's Finished
    /// with decrypt_error, exactly as with a wrong key: a client cannot tell which
    /// identities exist (the default).
    #[default]
    Hide,
    /// Send unknown_psk_identity at once.
    Alert,
}

/// The premaster secret of a PSK key exchange (RFC 4279 §2): `other` is the
/// (EC)DH result, or `None` for plain PSK (whose other secret is `psk.len()` zeros).
pub(crate) fn premaster(other: Option<&[u8]>, psk: &[u8]) -> Zeroizing<Vec<u8>> {
    let other_len = other.map_or(psk.len(), <[u8]>::len);
    let mut pm = Zeroizing::new(Vec::with_capacity(4 + other_len + psk.len()));
    // (Both lengths fit in 16 bits: a PSK is at most MAX_PSK_LEN, a DH result at most
    // the size of the largest group's prime, 8192 bits.)
    pm.extend_from_slice(&(other_len as u16).to_be_bytes());
    match other {
        Some(o) => pm.extend_from_slice(o),
        None => pm.resize(2 + other_len, 0),
    }
    pm.extend_from_slice(&(psk.len() as u16).to_be_bytes());
    pm.extend_from_slice(psk);
    pm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn premaster_layouts_follow_rfc4279() {
        // §2: N zeros then the PSK, each with a 16-bit length.
        let pm = premaster(None, &[0xaa, 0xbb, 0xcc]);
        assert_eq!(&pm[..], &[0, 3, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc]);
        // §3 / RFC 5489 §2: the (EC)DH result in place of the zeros.
        let pm = premaster(Some(&[1, 2]), &[9]);
        assert_eq!(&pm[..], &[0, 2, 1, 2, 0, 1, 9]);
    }

    #[test]
    fn bad_psks_are_refused() {
        assert_eq!(Psk::new("", [1]), Err(ConfigError::InvalidPskIdentity));
        assert_eq!(Psk::new("id", []), Err(ConfigError::InvalidPsk));
        assert_eq!(
            Psk::new("id", alloc::vec![1; MAX_PSK_LEN + 1]),
            Err(ConfigError::InvalidPsk)
        );
        let long = alloc::vec![b'a'; 0x1_0000];
        assert_eq!(Psk::new(long, [1]), Err(ConfigError::InvalidPskIdentity));
        let p = Psk::new("id", [7; 16]).unwrap();
        assert!(!alloc::format!("{p:?}").contains("7, 7"));
    }

    #[test]
    fn the_table_finds_keys_by_identity() {
        let t = PskTable::new()
            .with(Psk::new("a", [1]).unwrap())
            .with(Psk::new("b", [2]).unwrap())
            .with(Psk::new("a", [3]).unwrap());
        assert_eq!(t.len(), 2);
        assert_eq!(t.key(b"a").as_deref().map(Vec::as_slice), Some(&[3u8][..]));
        assert_eq!(t.key(b"b").as_deref().map(Vec::as_slice), Some(&[2u8][..]));
        assert!(t.key(b"c").is_none());
    }
}
