//! The one error type of the std adapter, and its conversion to and from `std::io::Error`.

use std::fmt;
use std::io;
use std::path::PathBuf;

use sanstls_proto::ApiMisuse;
use sanstls_proto::{ConfigError, Error as TlsError};

/// Everything that can go wrong in the std adapter.
///
/// Its `Display` is a sentence meant for a person: it names the file, the peer's alert
/// or the OS error, and where it helps, what to try.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed (connect, read, write).
    Io(io::Error),
    /// The handshake or the connection failed; the fatal alert (if any) was sent to the
    /// peer before this error was returned.
    Tls(TlsError),
    /// The configuration was refused.
    Config(ConfigError),
    /// A file could not be used.
    Load {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, as a sentence fragment ("it holds no CERTIFICATE
        /// block ...").
        problem: String,
    },
    /// The server name is neither a DNS name nor an IP address.
    InvalidServerName(String),
    /// No system trust store was found.
    NoSystemTrustAnchors {
        /// The files that were tried, in order.
        tried: Vec<PathBuf>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Tls(TlsError::AlertReceived(a)) => write!(
                f,
                "the peer ended the connection with the fatal alert {a:?} \
                 (its own log may say why)"
            ),
            Error::Tls(TlsError::Certificate(e)) => {
                use sanstls_proto::CertificateError as P;
                let hint = match e {
                    P::UnknownIssuer => "is its CA among the trust anchors?",
                    P::NameMismatch => "is the server name the one in the certificate?",
                    P::Expired | P::NotYetValid => "is this machine's clock right?",
                    _ => "`openssl x509 -text -noout` shows what the certificate holds",
                };
                write!(f, "the peer's certificate was refused: {e} ({hint})")
            }
            Error::Tls(e) => match e.alert() {
                Some(a) => write!(f, "TLS failed: {e} (alert {a:?} sent to the peer)"),
                None => write!(f, "TLS failed: {e}"),
            },
            Error::Config(e) => write!(f, "the TLS configuration was refused: {e}"),
            Error::Load { path, problem } => write!(f, "{}: {problem}", path.display()),
            Error::InvalidServerName(name) => write!(
                f,
                "{name:?} is not a valid server name: give a DNS name \
                 (letters, digits, '-', '.') or an IP address"
            ),
            Error::NoSystemTrustAnchors { tried } => {
                f.write_str("no system trust store found (tried ")?;
                for (i, p) in tried.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", p.display())?;
                }
                f.write_str("); set SSL_CERT_FILE to a PEM bundle of CA certificates")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Tls(e) => Some(e),
            Error::Config(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    /// An `io::Error` that carries an [`Error`] (as made by `From<Error> for
    /// io::Error`) gives that error back; any other becomes [`Error::Io`].
    fn from(e: io::Error) -> Self {
        if e.get_ref()
            .is_some_and(<dyn std::error::Error + Send + Sync>::is::<Error>)
        {
            if let Some(inner) = e.into_inner() {
                return match inner.downcast::<Error>() {
                    Ok(err) => *err,
                    // Unreachable (checked above), but stay total.
                    Err(other) => Error::Io(io::Error::other(other)),
                };
            }
            return Error::Io(io::Error::other("lost inner error"));
        }
        Error::Io(e)
    }
}

impl From<TlsError> for Error {
    fn from(e: TlsError) -> Self {
        Error::Tls(e)
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl From<Error> for io::Error {
    /// [`Error::Io`] gives back the original `io::Error`; every other variant becomes an
    /// `io::Error` whose inner error is the [`Error`] (recover it with [`tls_error`] or
    /// `get_ref()?.downcast_ref::<Error>()`). Kinds: `ConnectionAborted` for a fatal
    /// alert from the peer or its close_notify during the handshake, `UnexpectedEof`
    /// for the transport ending during the handshake, `BrokenPipe` for a write after
    /// close, `InvalidInput` for a bad server name, `NotFound` for a missing system
    /// trust store, `InvalidData` for the rest. ([`crate::TlsStream`] itself reports the
    /// peer closing during the handshake as a plain transport error of those kinds.)
    fn from(e: Error) -> Self {
        if let Error::Io(io) = e {
            return io;
        }
        let kind = match &e {
            Error::Tls(
                TlsError::AlertReceived(_) | TlsError::PeerClosedDuringHandshake { clean: true },
            ) => io::ErrorKind::ConnectionAborted,
            Error::Tls(TlsError::PeerClosedDuringHandshake { clean: false }) => {
                io::ErrorKind::UnexpectedEof
            }
            Error::Tls(TlsError::HandshakeTimeout { .. }) => io::ErrorKind::TimedOut,
            Error::Tls(TlsError::ApiMisuse(ApiMisuse::Closed)) => io::ErrorKind::BrokenPipe,
            Error::Tls(TlsError::ApiMisuse(_)) | Error::InvalidServerName(_) => {
                io::ErrorKind::InvalidInput
            }
            Error::NoSystemTrustAnchors { .. } => io::ErrorKind::NotFound,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// The TLS error inside an `io::Error` returned by [`crate::TlsStream`]'s `Read`,
/// `Write`, `handshake` or `close`, if that is what it carries.
///
/// ```
/// # fn demo(stream: &mut sanstls_std::TlsStream<std::net::TcpStream>) {
/// use std::io::Read;
/// let mut buf = [0u8; 100];
/// if let Err(e) = stream.read(&mut buf) {
///     match sanstls_std::tls_error(&e) {
///         Some(tls) => eprintln!("TLS failed: {tls} (alert: {:?})", tls.alert()),
///         None => eprintln!("transport failed: {e}"),
///     }
/// }
/// # }
/// ```
pub fn tls_error(e: &io::Error) -> Option<&TlsError> {
    match e.get_ref()?.downcast_ref::<Error>()? {
        Error::Tls(t) => Some(t),
        _ => None,
    }
}
