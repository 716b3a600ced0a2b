//! The adapter's error: a transport error, a TLS error, or an ending the caller must hear
//! about.

use core::fmt;

use embedded_io::ErrorKind;
use sanstls_proto::{ApiMisuse, Error as TlsError};

/// Why a call on a [`crate::TlsConnection`] or [`crate::asynch::AsyncTlsConnection`]
/// failed.
///
/// `E` is the transport's error type. TLS errors are sticky (see [`sanstls_proto::Error`]):
/// once one is returned, every later call returns it again. Before a TLS error is
/// returned, the fatal alert it implies has already been written to the transport (as far
/// as the transport would take it), so the peer learns why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error<E> {
    /// The transport failed. The TLS connection itself is intact, but a transport that
    /// failed mid-record rarely recovers; close it.
    Transport(E),
    /// The TLS layer failed: the peer misbehaved, its certificate was refused, it sent a
    /// fatal alert, or the caller misused the API. Match on [`sanstls_proto::Error`] for
    /// the details; [`sanstls_proto::Error::Certificate`] is a certificate the
    /// configured trust anchors do not accept.
    Tls(TlsError),
    /// The transport ended (a read returned 0 bytes) without the peer's close_notify
    /// alert. After the handshake, what was received may have been cut short by an
    /// attacker (RFC 5246 §7.2.1): everything read before this error is authentic, but
    /// possibly incomplete. During the handshake, the peer hung up without an alert (it
    /// may not speak TLS 1.2, or it refused the connection silently); the connection's
    /// own error ([`TlsConnection::connection`](crate::TlsConnection::connection)`.error()`)
    /// is then [`sanstls_proto::Error::PeerClosedDuringHandshake`] `{ clean: false }`.
    Truncated,
    /// The peer sent close_notify before the handshake finished: it refused the
    /// connection without saying why (look at its logs). This side has answered with
    /// its own close_notify. The connection's own error is
    /// [`sanstls_proto::Error::PeerClosedDuringHandshake`] `{ clean: true }`; this
    /// adapter reports it as this variant, never as [`Error::Tls`], because no fatal
    /// alert was exchanged.
    ClosedDuringHandshake,
    /// The transport's `write` accepted no bytes of a non-empty buffer (which embedded-io
    /// forbids; its `WriteZero` error is the proper signal). The connection cannot make
    /// progress.
    WriteZero,
}

impl<E> Error<E> {
    /// The TLS error, if this is one.
    pub fn tls(&self) -> Option<&TlsError> {
        match self {
            Error::Tls(e) => Some(e),
            _ => None,
        }
    }
}

impl<E> From<TlsError> for Error<E> {
    fn from(e: TlsError) -> Self {
        Error::Tls(e)
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Tls(e) => write!(f, "TLS error: {e}"),
            Error::Truncated => f.write_str(
                "the transport ended without a TLS close_notify: during the handshake the \
                 peer hung up without an alert (it may not speak TLS 1.2, or refused the \
                 connection silently); after it, the data may have been cut short (the peer \
                 or something in between closed the connection early)",
            ),
            Error::ClosedDuringHandshake => f.write_str(
                "the peer closed the connection (close_notify) before the TLS handshake \
                 finished; its logs say why",
            ),
            Error::WriteZero => f.write_str(
                "the transport accepted no bytes; it should have returned an error \
                 (embedded-io's ErrorKind::WriteZero)",
            ),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}

impl<E: embedded_io::Error> embedded_io::Error for Error<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::Transport(e) => e.kind(),
            Error::Tls(e) => tls_kind(e),
            Error::Truncated | Error::ClosedDuringHandshake => ErrorKind::ConnectionAborted,
            Error::WriteZero => ErrorKind::WriteZero,
        }
    }
}

/// The embedded-io kind closest to a TLS error.
fn tls_kind(e: &TlsError) -> ErrorKind {
    match e {
        TlsError::InvalidMessage(_)
        | TlsError::PeerMisbehaved(_)
        | TlsError::Certificate(_)
        | TlsError::CertificateKeyUsage => ErrorKind::InvalidData,
        TlsError::PeerIncompatible(_) => ErrorKind::Unsupported,
        TlsError::AlertReceived(_) | TlsError::PeerClosedDuringHandshake { .. } => {
            ErrorKind::ConnectionAborted
        }
        TlsError::ApiMisuse(ApiMisuse::Closed) => ErrorKind::BrokenPipe,
        TlsError::ApiMisuse(_) => ErrorKind::InvalidInput,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use embedded_io::Error as _;
    use sanstls_proto::{PeerIncompatible, PeerMisbehaved};

    use super::*;

    type E = Error<ErrorKind>;

    #[test]
    fn kinds_follow_the_cause() {
        assert_eq!(
            E::Transport(ErrorKind::TimedOut).kind(),
            ErrorKind::TimedOut
        );
        assert_eq!(
            E::Tls(PeerMisbehaved::BadRecordMac.into()).kind(),
            ErrorKind::InvalidData
        );
        assert_eq!(
            E::Tls(sanstls_proto::CertificateError::Expired.into()).kind(),
            ErrorKind::InvalidData
        );
        assert_eq!(
            E::Tls(PeerIncompatible::NoCommonCipherSuite.into()).kind(),
            ErrorKind::Unsupported
        );
        assert_eq!(
            E::Tls(ApiMisuse::Closed.into()).kind(),
            ErrorKind::BrokenPipe
        );
        assert_eq!(
            E::Tls(ApiMisuse::HandshakeNotComplete.into()).kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(E::Truncated.kind(), ErrorKind::ConnectionAborted);
        assert_eq!(
            E::ClosedDuringHandshake.kind(),
            ErrorKind::ConnectionAborted
        );
        assert_eq!(
            E::Tls(TlsError::PeerClosedDuringHandshake { clean: true }).kind(),
            ErrorKind::ConnectionAborted
        );
        assert_eq!(E::WriteZero.kind(), ErrorKind::WriteZero);
    }

    #[test]
    fn messages_name_the_layer() {
        let s = E::Transport(ErrorKind::BrokenPipe).to_string();
        assert!(s.starts_with("transport error: "), "{s}");
        let s = E::Tls(sanstls_proto::CertificateError::Expired.into()).to_string();
        assert!(s.starts_with("TLS error: "), "{s}");
        assert!(E::Truncated.to_string().contains("close_notify"));
        assert_eq!(
            E::Tls(PeerMisbehaved::BadFinished.into()).tls(),
            Some(&TlsError::PeerMisbehaved(PeerMisbehaved::BadFinished))
        );
        assert_eq!(E::Truncated.tls(), None);
    }
}
