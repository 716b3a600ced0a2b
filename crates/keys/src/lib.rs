//! The TLS 1.2 key schedule for sanstls.
//!
//! This crate turns the premaster secret of a handshake into the keys that protect its
//! records, and computes the values that bind the handshake together:
//!
//! - [`prf`]: the TLS 1.2 pseudo-random function (RFC 5246 §5) over the suite's PRF hash.
//! - [`suite`]: the one table of the cipher suites sanstls implements (code point, key
//!   exchange, cipher, MAC, PRF hash, key sizes); everything else reads it.
//! - [`MasterSecret`]: derived from the premaster and the randoms (RFC 5246 §8.1) or, with
//!   the extended master secret extension, from the session hash (RFC 7627 §4); it expands
//!   into a [`KeyBlock`] (RFC 5246 §6.3), computes Finished `verify_data` (RFC 5246
//!   §7.4.9) and, only when asked, an NSS key log line.
//! - [`transcript::Transcript`]: the running handshake hash, which can start before the
//!   PRF hash is known and can keep the messages for a CertificateVerify hash.
//!
//! Every secret (premaster input aside, which the caller owns) is zeroized on drop.
//!
//! ```
//! use sanstls_keys::{MasterSecret, Side, suite};
//! use sanstls_keys::transcript::Transcript;
//! use sanstls_wire::enums::CipherSuite;
//!
//! let suite = suite::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256).unwrap();
//! let (client_random, server_random) = ([1u8; 32], [2u8; 32]);
//! let premaster = [3u8; 48];
//!
//! let mut transcript = Transcript::new();
//! transcript.add(b"\x01\x00\x00\x00"); // the ClientHello, say
//! transcript.start_hash(suite.prf_hash).unwrap();
//!
//! let master = MasterSecret::derive(suite.prf_hash, &premaster, &client_random, &server_random)?;
//! let keys = master.key_block(suite, &client_random, &server_random)?;
//! assert_eq!(keys.client_write().mac_key.len(), 32);
//! assert_eq!(keys.client_write().enc_key.len(), 16);
//!
//! let hash = transcript.current_hash().unwrap();
//! let finished = master.verify_data(Side::Client, &hash)?;
//! assert!(bool::from(sanstls_keys::verify_data_eq(&finished, &finished)));
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod prf;
mod secrets;
pub mod suite;
pub mod transcript;

pub use secrets::{
    DirectionKeys, KeyBlock, KeyLogLine, MASTER_SECRET_LEN, MasterSecret, Side, VERIFY_DATA_LEN,
    VerifyData, verify_data_eq,
};
