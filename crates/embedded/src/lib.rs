//! The embedded-io adapter of sanstls: TLS 1.2 over any [`embedded_io`] transport
//! (a TCP socket of an embedded network stack, a UART, a modem), on `no_std` targets
//! with an allocator.
//!
//! - [`TlsConnection`] wraps a blocking transport (`embedded_io::Read + Write`) and is
//!   itself one, so code written against embedded-io works unchanged over TLS.
//! - [`asynch::AsyncTlsConnection`] (feature `async`, on by default) is the same over
//!   `embedded_io_async`, with no executor dependency.
//!
//! Both roles are covered: `client` checks the server's certificate against the
//! [`ClientConfig`]'s trust anchors and name, `server` presents the [`ServerConfig`]'s
//! certificate. Errors are [`Error`]: a transport error, a TLS error
//! ([`sanstls_proto::Error`]; fatal alerts are written to the peer before it is
//! returned) or an early end.
//!
//! ```no_run
//! use std::sync::Arc;
//! use embedded_io::{Read, Write};
//! use sanstls_embedded::{ClientConfig, TlsConnection, TrustAnchors, UnixTime};
//!
//! # fn demo<T: Read + Write>(socket: T, ca_pem: &str, rng: &mut dyn sanstls_embedded::CryptoRng)
//! #     -> Result<(), sanstls_embedded::Error<T::Error>> {
//! // Once, at start-up: the trust anchors and the configuration.
//! let anchors = TrustAnchors::from_pem_bundle(ca_pem).expect("a valid CA bundle");
//! let config = Arc::new(ClientConfig::builder().trust_anchors(anchors).build().expect("a valid config"));
//!
//! // Per connection: the transport, the server's name, the time (for certificate
//! // validity: from an RTC, or a build-time lower bound) and the hardware RNG.
//! let now = UnixTime::from_secs(1_780_000_000);
//! let name = "example.com".try_into().expect("a valid DNS name");
//! let mut tls = TlsConnection::client(socket, config, name, now, rng)?;
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")?;
//! let mut buf = [0u8; 512];
//! loop {
//!     let n = tls.read(&mut buf)?;     // Ok(0): the server sent close_notify
//!     if n == 0 { break; }
//!     // ... use buf[..n]
//! }
//! tls.close()?;
//! # Ok(()) }
//! ```
//!
//! # Time
//!
//! No crate of sanstls below the std adapter reads a clock, and a device may not have
//! one. The caller passes a [`UnixTime`] when it makes a connection and may update it
//! with [`TlsConnection::set_time`] (a correction, which moves the handshake deadline
//! with it); it is used to check certificate validity periods
//! and starts the handshake's deadline (`handshake_timeout` on the configuration
//! builders: 30 s for a client, 10 s for a server by default). A value is the simplest
//! form, costs nothing when the time is known, and a device without a real-time clock
//! can pass a lower bound such as its firmware's build date.
//!
//! To hold the handshake to its deadline, the adapter needs to see time pass: either
//! give it a clock ([`TlsConnection::set_clock`], a plain `fn() -> UnixTime`, read
//! before every input; the deadline is then checked on every call and whenever the
//! transport returns, so a transport with a read timeout is enough), or drive it from
//! your executor's timer: race `handshake()` against a timer for
//! [`TlsConnection::poll_timeout`], and when the timer wins drop the handshake future
//! (that loses nothing) and call [`TlsConnection::handle_timeout`]. A missed deadline
//! is [`Error::Tls`] with [`sanstls_proto::Error::HandshakeTimeout`], for good.
//!
//! # Memory
//!
//! A connection holds two buffers: the receive buffer, which takes one record of the
//! largest size the peer may send (records are decrypted in it, and `read` copies
//! plaintext straight from it; `fill_buf` lends it), and the transmit buffer. This
//! adapter adds none of its own. Both follow what is negotiated: a client that asks for
//! small records (`max_fragment_len(1024)`: max_fragment_length and record_size_limit,
//! RFC 6066 §4 and RFC 8449) gets them from a server that agrees, and both buffers
//! shrink to one such record plus the suite's expansion. The handshake allocates (the
//! transcript, the peer's certificates, RSA and DH values, a full-size receive buffer
//! while the peer's first flight may still come in full-size records) and frees it when
//! done, except the peer's certificate chain, which it keeps (one copy, for
//! [`Connection::peer_certificates`](sanstls_proto::Connection::peer_certificates)).
//! Reading and writing application data after the handshake allocates nothing.
//!
//! Measured by `tests/memory.rs` with a counting allocator (run it with `--nocapture`),
//! each side alone, default configuration otherwise (every suite, no ALPN, no client
//! certificate; DHE_RSA with AES-128-CBC-SHA256 chosen), the server with the test
//! RSA-2048 leaf and intermediate, in bytes on x86_64 (the heap; the `Connection` value
//! itself adds 336 bytes wherever the caller keeps it: its record states and buffers
//! are on the heap, so that it is cheap to move and to keep on a device's stack):
//!
//! | | new | peak during the handshake | held after it |
//! |---|---|---|---|
//! | client, 16 KiB records both ways | 36 715 | 59 318 | **37 990** |
//! | server, 16 KiB records both ways | 42 034 | 63 981 | **36 208** |
//! | client, 1 KiB records negotiated both ways | 6 138 | 16 038 | **7 270** |
//! | server, 1 KiB records negotiated both ways | 27 157 | 31 705 | **5 488** |
//! | client, 16 KiB, 3-certificate chain | 36 715 | 61 095 | 38 889 |
//! | client, 1 KiB, 3-certificate chain | 6 138 | 21 399 | 8 169 |
//!
//! (Before the record state moved to the heap the value was 3 328 bytes and the heap
//! held 3 to 3.6 KB less: 4 382 bytes for the client with 1 KiB records. The sum is
//! about 100 bytes smaller now.)
//!
//! A client with full-size records holds a receive buffer of 16 693 bytes (2^14 bytes of
//! plaintext, 5 of header, and the most a CBC record may add: a 16-byte IV, a 32-byte
//! MAC and 256 bytes of padding) and a transmit buffer of one record and an alert
//! (16 522); the rest is the server's chain (about 1.8 KB of DER), its name and
//! bookkeeping. With 1 KiB records the two buffers take 1 333 and 1 162 bytes. A client
//! asking for small records from a server that ignores the request falls back to
//! full-size records (or refuses the server, with
//! [`ClientConfigBuilder::require_fragment_limit`](sanstls_proto::ClientConfigBuilder::require_fragment_limit)).

//! # Code size, stack and heap on a device
//!
//! `cargo xtask embedded` measures them: probe firmwares for a Cortex-M4
//! (`thumbv7em-none-eabihf`, opt-level "z", LTO, one codegen unit, panic abort, sha2's
//! compact backend, certificates stored as DER) with their sections and largest
//! symbols, each run in QEMU through a handshake with the RSA-2048 test chain and a
//! 4 KiB echo. The README quotes its latest figures. Roughly, at the commit of this
//! text: a client with only `client`, `rsa-kx` and `cbc` (1 KiB records) is 90 KB of
//! `.text`, touches 9.1 KB of stack and holds 5.9 KB of heap after the handshake; one
//! with only `client`, `ecdhe`, `ecdsa` and `aes-gcm` (ECDHE-ECDSA with AES-128-GCM, the
//! smallest modern client) 129 KB, 16.6 KB of stack (the P-256 and X25519 arithmetic)
//! and 4.7 KB of heap; one with only `client`, `psk` and `aes-ccm` (a pre-shared key,
//! no certificate code at all, 512-byte records) 47 KB, 7.0 KB of stack and 2.2 KB of
//! heap; with every feature, 240 KB (formatting every error type with `Debug` adds
//! about 12 KB). Leave out what you do not use (features `server`, `dhe`, `rsa-kx`,
//! `ecdhe`, `ecdsa`, `x509`, `psk`, `cbc`, `aes-gcm`, `aes-ccm`, `chacha20poly1305`,
//! `client-auth`, `pss`, `sha512`, `resumption`: see [`sanstls_proto`]'s "Features"),
//! build with `--cfg sha2_backend_soft="compact"`, and store certificates as DER.
//!
//! A [`TlsConnection`] is about 200 bytes on a 32-bit target (its parts are on the
//! heap), so moving it costs little; building it once and lending it (`&mut`) is still
//! the way to keep one copy. On targets without atomic
//! compare-and-swap (Cortex-M0/M0+, RV32IMC) the configurations are shared through
//! [`Shared`], an `Rc` there.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

#[cfg(feature = "async")]
pub mod asynch;
mod blocking;
mod engine;
mod error;

pub use blocking::TlsConnection;
pub use error::Error;
pub use sanstls_proto::CryptoRng;
pub use sanstls_proto::TrustAnchors;
pub use sanstls_proto::{self as proto, Connection, Negotiated, ServerName, Shared, UnixTime};
#[cfg(feature = "client")]
pub use sanstls_proto::{ClientConfig, ClientConfigBuilder};
#[cfg(feature = "server")]
pub use sanstls_proto::{ServerConfig, ServerConfigBuilder};
