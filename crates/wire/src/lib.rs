//! The byte formats of TLS 1.2 for sanstls.
//!
//! Every byte sanstls reads from a peer passes through this crate first: record headers,
//! alerts, ChangeCipherSpec, every TLS 1.2 handshake message and the extensions sanstls
//! understands (RFC 5246, RFC 5746, RFC 6066, RFC 7301, RFC 7366, RFC 7627, RFC 7919,
//! RFC 8449, RFC 5077, and RFC 8446's supported_versions to recognise a TLS 1.3 client).
//!
//! - Decoding borrows from the input: a [`handshake::ClientHello`] holds slices and
//!   [`codec::List`] views of the received bytes, validated once when decoded; nothing is
//!   allocated and nothing is sized from a length field before its bytes are there.
//! - Decoding is strict: overrunning lengths, trailing bytes, empty vectors the RFC says
//!   are non-empty, odd-length `u16` lists, duplicate or misplaced extensions are each a
//!   [`DecodeError`] whose [`DecodeError::alert`] is the alert the RFCs ask for.
//! - Encoding writes into a caller's buffer or, with the `alloc` feature (default), a
//!   `Vec`; length prefixes are patched after their body is written.
//! - Protocol enums are open ([`enums::CipherSuite`] is a `u16` newtype): unknown values
//!   round-trip and print in hex.
//! - [`reassembler::Reassembler`] joins handshake messages that span records and splits
//!   records that hold several, within a configured bound.
//!
//! The crate is `no_std`, forbids `unsafe`, and builds without `alloc`.
//!
//! ```
//! use sanstls_wire::codec::Codec;
//! use sanstls_wire::enums::{AlertDescription, ContentType};
//! use sanstls_wire::record::{Record, RecordStage};
//! use sanstls_wire::alert::Alert;
//!
//! // A fatal handshake_failure alert record, as a peer might send it.
//! let bytes = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];
//! let (record, used) = Record::split(&bytes)?.expect("a whole record");
//! assert_eq!(used, bytes.len());
//! assert_eq!(record.header.content_type, ContentType::ALERT);
//! record.header.check_length(RecordStage::Plaintext)?;
//! let alert = Alert::decode(record.fragment)?;
//! assert_eq!(alert.description, AlertDescription::HANDSHAKE_FAILURE);
//!
//! // Encoding into a caller's buffer.
//! let mut out = [0u8; 2];
//! assert_eq!(alert.encode_into(&mut out), Ok(2));
//! assert_eq!(out, [0x02, 0x28]);
//! # Ok::<(), sanstls_wire::DecodeError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod alert;
pub mod codec;
pub mod enums;
pub mod error;
pub mod extensions;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod handshake;
pub mod reader;
pub mod reassembler;
pub mod record;
pub mod writer;

pub use codec::Codec;
pub use error::{DecodeError, EncodeError};
pub use reader::{LengthPrefix, Reader};
pub use writer::Writer;
