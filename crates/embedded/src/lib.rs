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
//! A connection allocates its buffers once, when it is made; reading and writing
//! application data after the handshake allocates nothing. The handshake itself
//! allocates (the transcript, the peer's certificates, RSA and DH values) and frees it
//! when done, except the peer's certificate chain, which it keeps (one copy, for
//! [`Connection::peer_certificates`](sanstls_proto::Connection::peer_certificates)).
//! With the default configuration (every suite, no ALPN, no client certificate,
//! `max_fragment_len` 2^14) the long-lived buffers are, in bytes:
//!
//! | buffer | client | server |
//! |---|---|---|
//! | receive (one record of the largest legal size, RFC 5246 §6.2.3) | 18 437 | 18 437 |
//! | received application data (same size) | 18 437 | 18 437 |
//! | transmit (largest flight + record overheads + one record of `max_fragment_len`) | 19 634 | 23 218 + chain |
//! | **total** | **56 508** | **60 092 + chain** |
//!
//! where *chain* is the encoded size of the server's certificate chain (1 779 bytes for
//! the test leaf and intermediate, RSA-2048). This adapter adds no buffer of its own:
//! `read` copies plaintext straight from the connection's received-data buffer into the
//! caller's, and leaves what did not fit there for the next `read`
//! ([`Connection::app_data_used`](sanstls_proto::Connection::app_data_used)); `fill_buf`
//! lends that buffer. Bookkeeping adds about 1.5 KB (the event queue). Measured by
//! `tests/memory.rs` with a counting allocator (run it with `--nocapture`): a new client
//! holds **58 172 bytes**, a new server with that chain 63 407; after the handshake the
//! client holds 59 867 (the server's chain, 1 766 bytes of DER, and the server name) and
//! the server 63 416; 80 000 bytes of application data then move with no allocation at
//! all.
//!
//! Lowering
//! [`ClientConfigBuilder::max_fragment_len`](sanstls_proto::ClientConfigBuilder::max_fragment_len)
//! shortens the records this side sends and the transmit buffer with them (its
//! one-record part is `max_fragment_len` + 69 bytes of overhead): `max_fragment_len(1024)`
//! gives a client of 42 950 bytes (transmit buffer 4 412). The receive side still
//! accepts a full-size record from the peer (nothing negotiates a smaller one yet), so
//! the two receive buffers stay at 18 437 bytes each.
//!
//! # Code size
//!
//! A firmware-like probe (a client that connects, writes and reads through this crate,
//! `--no-default-features`, `thumbv7em-none-eabihf`, `opt-level = "s"`, LTO,
//! `codegen-units = 1`, `panic = "abort"`, a bump allocator, the transport and seed
//! behind volatile reads and writes) links to 277 280 bytes of `.text` and 6 659 bytes
//! of `.rodata` (which holds its 1.2 KB CA certificate). The server's state machine is
//! part of that figure: both roles share the one `Connection` type. (An earlier probe,
//! with other settings and an older state machine, measured 293 564 bytes of `.text`;
//! the same probe as above measured 277 308 before this adapter dropped its own
//! plaintext buffer.)
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
pub use sanstls_proto::{
    self as proto, ClientConfig, ClientConfigBuilder, Connection, Negotiated, ServerConfig,
    ServerConfigBuilder, ServerName, UnixTime,
};
