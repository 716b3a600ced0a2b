//! TLS 1.2 record protection for sanstls.
//!
//! - [`Sealer`] and [`Opener`] protect the records of one direction: NULL protection
//!   before ChangeCipherSpec, then AES-CBC with HMAC-SHA1, HMAC-SHA256 or HMAC-SHA384
//!   (RFC 5289, feature `sha384`) in MAC-then-encrypt (RFC 5246 §6.2.3.2) or
//!   encrypt-then-MAC (RFC 7366) mode ([`CbcMode`]), or an AEAD cipher ([`AeadAlgorithm`]:
//!   AES-128/256-GCM, RFC 5288; AES-128-CCM and AES-128-CCM_8, RFC 6655 and RFC 7251;
//!   ChaCha20-Poly1305, RFC 7905; see the [`aead`] module). CBC's explicit per-record
//!   IVs come from a per-direction generator seeded from the connection's; GCM's and
//!   CCM's explicit nonces are the sequence numbers; 64-bit sequence numbers never wrap.
//! - MAC-then-encrypt records are opened in constant time with respect to padding and
//!   MAC (Lucky Thirteen); the [`cbc`] module documentation explains how.
//! - [`Deframer`] cuts the incoming byte stream into records in one fixed buffer;
//!   [`Fragmenter`] cuts outgoing data into fragments of the negotiated size.
//!
//! Records are sealed and opened in place: no copies of the payload, no allocation per
//! record. The crate is `no_std` and needs `alloc` only for
//! [`Deframer::with_max_record_len`] (feature `alloc`, on by default).
//!
//! ```
//! use sanstls_crypto::rng::SeededRng;
//! use sanstls_keys::{MasterSecret, suite};
//! use sanstls_record::{CbcMode, Opener, Sealer};
//! use sanstls_wire::enums::{CipherSuite, ContentType, ProtocolVersion};
//!
//! let suite = suite::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256).unwrap();
//! let master = MasterSecret::from_bytes(suite.prf_hash, [7; 48]);
//! let keys = master.key_block(suite, &[1; 32], &[2; 32]).unwrap();
//! let mut rng = SeededRng::from_seed([9; 32]); // the connection's generator
//!
//! let mut client = Sealer::cbc(&keys.client_write(), CbcMode::MacThenEncrypt, &mut rng)?;
//! let mut server = Opener::cbc(&keys.client_write(), CbcMode::MacThenEncrypt)?;
//!
//! let mut buf = [0u8; 128];
//! let at = client.payload_offset();
//! buf[at..at + 5].copy_from_slice(b"hello");
//! let n = client.seal_in_place(ContentType::APPLICATION_DATA, ProtocolVersion::TLS12, &mut buf, 5)?;
//!
//! let opened = server.open_in_place(&mut buf[..n])?;
//! assert_eq!(opened.payload, b"hello");
//! # Ok::<(), sanstls_record::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
// A build without every AEAD cipher leaves parts of the AEAD code unreachable or unused;
// the full build is the linted one (docs/DESIGN.md, "On a device").
#![cfg_attr(
    not(all(feature = "aes-gcm", feature = "aes-ccm", feature = "chacha20poly1305")),
    allow(unreachable_code, unused)
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod aead;
pub mod cbc;
#[cfg(feature = "cbc")]
mod ct;
mod deframe;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "cbc")]
mod mac;
mod protect;

/// Where a record state keeps its key schedule (the AES round keys, the HMAC states):
/// on the heap with feature `alloc`, inline without. The key schedule is the bulk of a
/// record state (a few hundred bytes to a kilobyte); held by pointer, a [`Sealer`] or
/// [`Opener`] is small, so the frames that build it, return it and box it do not each
/// hold a copy of the schedule (on a device that was a kilobyte and more of stack during
/// the handshake). Allocated once per direction and handshake, never on the record path.
#[cfg(feature = "alloc")]
pub(crate) type Held<T> = alloc::boxed::Box<T>;
#[cfg(not(feature = "alloc"))]
pub(crate) type Held<T> = T;

/// `value`, held (see [`Held`]).
#[cfg(feature = "alloc")]
#[allow(clippy::unnecessary_box_returns)] // the point: a small handle to a large state
pub(crate) fn hold<T>(value: T) -> Held<T> {
    alloc::boxed::Box::new(value)
}
/// `value`, held (see [`Held`]).
#[cfg(not(feature = "alloc"))]
pub(crate) fn hold<T>(value: T) -> Held<T> {
    value
}

/// The length of the MAC header and of the AEAD additional data (RFC 5246 §6.2.3.1,
/// §6.2.3.3): `seq_num(8) + type(1) + version(2) + length(2)`.
pub(crate) const MAC_HEADER_LEN: usize = 13;

pub use aead::AeadAlgorithm;
pub use cbc::CbcMode;
pub use deframe::{Deframer, Fragmenter, MAX_RECORD_LEN};
pub use error::Error;
pub use protect::{OpenedRecord, Opener, Sealer};
