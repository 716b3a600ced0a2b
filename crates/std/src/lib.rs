//! The std adapter of sanstls: TLS 1.2 over `std::io`.
//!
//! [`sanstls_proto`] is a TLS 1.2 state machine without IO; this crate connects it to
//! the operating system. It gives you:
//!
//! - [`TlsStream`]: a TLS connection over any `Read + Write` transport (a `TcpStream`,
//!   a Unix socket, a mio socket), itself `Read + Write`, blocking or non-blocking;
//!   [`connect`] and [`accept`] for the TCP case;
//! - the OS clock ([`now`]) and random generator ([`os_rng`]) the state machine takes
//!   as arguments;
//! - [`load`]: certificates, private keys (PKCS#1 or PKCS#8) and trust anchors from PEM
//!   files, including the system's CA bundle;
//! - [`KeyLogFile`] and `SSLKEYLOGFILE` support for Wireshark;
//! - [`TlsStream::set_call_hook`]: every call the stream makes into its connection
//!   ([`Call`]), to record a connection and replay it (`sanstls replay`);
//! - one error type, [`Error`], and its round trip through `std::io::Error`
//!   ([`tls_error`]).
//!
//! Everything a std user needs is re-exported here ([`ClientConfig`], [`ServerConfig`],
//! [`Connection`], [`Event`], ...; the whole state machine as [`proto`]).
//!
//! # A client
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//!
//! fn main() -> Result<(), sanstls_std::Error> {
//!     let anchors = sanstls_std::load::system_trust_anchors()?;
//!     let config = Arc::new(
//!         sanstls_std::client_config_builder() // honours SSLKEYLOGFILE
//!             .trust_anchors(anchors)
//!             .build()?,
//!     );
//!     let mut tls = sanstls_std::connect("example.com:443", "example.com", config)?;
//!     println!("negotiated {:?}", tls.negotiated().map(|n| n.suite));
//!     tls.write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")?;
//!     let mut response = Vec::new();
//!     // Ok at the server's close_notify; an UnexpectedEof error if the TCP connection
//!     // ended without one (the response may have been truncated).
//!     tls.read_to_end(&mut response)?;
//!     tls.close()?; // our close_notify
//!     print!("{}", String::from_utf8_lossy(&response));
//!     Ok(())
//! }
//! ```
//!
//! # A server, one thread per connection
//!
//! [`accept`] only accepts the TCP connection; the handshake runs on the stream's first
//! use, in the connection's own thread.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpListener;
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! fn main() -> Result<(), sanstls_std::Error> {
//!     let key = sanstls_std::load::certified_key(
//!         Path::new("server.chain.pem"), // leaf first, then intermediates
//!         Path::new("server.key.pem"),
//!     )?;
//!     let config = Arc::new(sanstls_std::server_config_builder().single_cert(key).build()?);
//!     let listener = TcpListener::bind("127.0.0.1:8443")?;
//!     loop {
//!         let (mut tls, peer) = sanstls_std::accept(&listener, Arc::clone(&config))?;
//!         std::thread::spawn(move || {
//!             let mut buf = [0u8; 4096];
//!             loop {
//!                 match tls.read(&mut buf) {
//!                     Ok(0) => break, // the client's close_notify
//!                     Ok(n) => {
//!                         if tls.write_all(&buf[..n]).is_err() {
//!                             break;
//!                         }
//!                     }
//!                     Err(e) => {
//!                         match sanstls_std::tls_error(&e) {
//!                             Some(tls_err) => eprintln!("{peer}: TLS: {tls_err}"),
//!                             None => eprintln!("{peer}: {e}"),
//!                         }
//!                         return;
//!                     }
//!                 }
//!             }
//!             let _ = tls.close();
//!         });
//!     }
//! }
//! ```
//!
//! # Non-blocking use
//!
//! A [`TlsStream`] over a non-blocking transport returns the transport's
//! `io::ErrorKind::WouldBlock` from `handshake`, `read`, `write`, `flush` and `close`,
//! after recording exactly how far it got (a record half written, half a record read):
//! call the same method again when the transport is ready. `write` reports only the
//! bytes the connection took (and takes at most one transmit buffer's worth before
//! saying `WouldBlock`); [`TlsStream::wants_write`] tells an event loop whether TLS
//! bytes wait for a writable socket. The crate's `examples/event_loop.rs` drives a
//! server and dozens of clients in one thread with mio.
//!
//! # Timeouts
//!
//! The handshake has a deadline: `handshake_timeout` on either configuration builder
//! (30 s for a client, 10 s for a server by default), counted from the stream's
//! creation. Past it, `handshake`, `read` and `write` fail with an `io::Error` of kind
//! `TimedOut` carrying [`proto::Error::HandshakeTimeout`] ("handshake timed out after
//! 10 s"). [`connect`] and [`accept`] make each blocking handshake read wait no longer
//! than the time left ([`TlsStream::bound_reads`], for any [`ReadTimeout`] transport);
//! on a non-blocking transport, arm the event loop's timer from
//! `stream.connection().poll_timeout()` and call `handshake` again when it fires. A
//! peer that drips bytes is cut off at the deadline in both cases. After the handshake
//! the stream has no timer of its own: an idle bound is the socket's read timeout
//! (`set_read_timeout`), whose `WouldBlock`/`TimedOut` passes through unchanged.
//!
//! # Errors
//!
//! [`Error`]'s messages are sentences for a person: a file problem names the file and
//! says what is wrong with it (the OS error, the PEM labels found instead of the
//! expected one, which certificate of a bundle is broken, which key does not match
//! which certificate); a TLS failure says which alert was sent or received. Through
//! `Read`/`Write` the same errors arrive as `io::Error`s carrying the [`Error`]
//! ([`tls_error`] gets the TLS error back; `Error::from(io_error)` the whole [`Error`]).
#![forbid(unsafe_code)]

mod error;
mod keylog;
pub mod load;
mod stream;

use std::time::{SystemTime, UNIX_EPOCH};

pub use sanstls_proto::TrustAnchors;
pub use sanstls_proto::{
    self as proto, CertifiedKey, ClientConfig, ClientConfigBuilder, ConfigError, Connection,
    Direction, Event, Negotiated, ServerConfig, ServerConfigBuilder, ServerName, Trace, TraceKind,
    UnixTime,
};
pub use sanstls_proto::{AlertDescription, AlertLevel, CipherSuite, HandshakeType};

pub use error::{Error, tls_error};
pub use keylog::{KeyLogFile, client_config_builder, server_config_builder};
pub use stream::{Call, CallHook, EventHook, ReadTimeout, TlsStream, accept, connect};

/// The current time (`SystemTime::now()`, in milliseconds; the epoch if the clock is
/// set before 1970).
pub fn now() -> UnixTime {
    UnixTime::from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default(),
    )
}

/// The operating system's random generator (`getrandom`), for
/// [`Connection::client`] and [`Connection::server`].
pub fn os_rng() -> sanstls_proto::OsRng {
    sanstls_proto::os_rng()
}
