//! The std adapter of sanstls (documentation being written).
#![forbid(unsafe_code)]

mod error;
mod keylog;
pub mod load;
mod stream;

use std::time::{SystemTime, UNIX_EPOCH};

pub use sanstls_pki::TrustAnchors;
pub use sanstls_proto::{
    self as proto, CertifiedKey, ClientConfig, ClientConfigBuilder, ConfigError, Connection,
    Direction, Event, Negotiated, ServerConfig, ServerConfigBuilder, ServerName, Trace, TraceKind,
    UnixTime,
};
pub use sanstls_wire::enums::{AlertDescription, CipherSuite};

pub use error::{Error, tls_error};
pub use keylog::{KeyLogFile, client_config_builder, server_config_builder};
pub use stream::{EventHook, TlsStream, accept, connect};

/// The current time as Unix seconds (`SystemTime::now()`; 0 if the clock is set before
/// 1970).
pub fn now() -> UnixTime {
    UnixTime(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}

/// The operating system's random generator (`getrandom`), for
/// [`Connection::client`] and [`Connection::server`].
pub fn os_rng() -> sanstls_crypto::rng::OsRng {
    sanstls_crypto::rng::os_rng()
}
