//! Errors: layered by who is at fault, each mapping to the alert sent to the peer.
//!
//! A protocol error is sticky: once a `handle_*` call returns one, the connection queues
//! the fatal alert of [`Error::alert`] (if any) for [`crate::Connection::poll_transmit`],
//! stops processing input and returns the same error from every later input or command.
//! [`Error::ApiMisuse`] is the exception: it reports a caller mistake and leaves the
//! connection as it was.

use core::fmt;
use core::time::Duration;

use sanstls_wire::DecodeError;
use sanstls_wire::enums::{AlertDescription, ExtensionType, HandshakeType, ProtocolVersion};

/// Why a connection failed (or, for [`Error::ApiMisuse`], why a call was refused).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not decode (a record, an alert, a handshake message or
    /// an extension); the alert is the one sanstls-wire assigns to the decode error.
    InvalidMessage(DecodeError),
    /// The peer broke a rule of the protocol: a message out of order, a failed MAC or
    /// Finished, a value it was not allowed to choose.
    PeerMisbehaved(PeerMisbehaved),
    /// The peer is well-behaved but has nothing in common with this configuration
    /// (version, suites, groups, ALPN, required extensions).
    PeerIncompatible(PeerIncompatible),
    /// The peer's certificate chain was refused by the verifier.
    Certificate(sanstls_pki::Error),
    /// The peer's certificate is valid but cannot be used for the negotiated key exchange
    /// (its keyUsage forbids it).
    CertificateKeyUsage,
    /// The peer sent a fatal alert (or a warning this connection treats as fatal).
    AlertReceived(AlertDescription),
    /// Something failed on this side, not the peer's doing (a fault detected in an RSA
    /// signature, a message too large to encode, the record sequence number exhausted);
    /// `internal_error` is sent.
    Internal(InternalError),
    /// The caller used the API wrongly; nothing was changed and nothing is sent.
    ApiMisuse(ApiMisuse),
    /// The peer ended the connection before the handshake completed: with a
    /// close_notify alert (`clean: true`), or by ending the transport
    /// ([`crate::Connection::handle_eof`], `clean: false`).
    ///
    /// Neither is a protocol violation, so this is not [`Error::PeerMisbehaved`]: RFC 5246
    /// §7.2.1 lets either side close at any time, and §7.2.2 describes a cancelled
    /// handshake as `user_canceled` followed by close_notify. But the handshake cannot
    /// complete, so the connection fails. No fatal alert is sent ([`Error::alert`] is
    /// `None`): after a close_notify the answering close_notify required by §7.2.1 is
    /// already queued; after the transport ended nothing is queued, because the peer
    /// has stopped and most likely closed its socket entirely, and bytes written now
    /// would at best be discarded.
    PeerClosedDuringHandshake {
        /// `true` after a close_notify; `false` when the transport ended without one.
        clean: bool,
    },
    /// The handshake did not complete within the configured
    /// [`handshake_timeout`](crate::ClientConfigBuilder::handshake_timeout): the peer is
    /// too slow, sends nothing, or holds the connection open on purpose. Reported by
    /// [`crate::Connection::handle_timeout`] (or by an input that arrives after the
    /// deadline). No alert is sent: the peer is not known to be listening, and
    /// nothing it did was a protocol violation.
    HandshakeTimeout {
        /// The configured timeout that ran out.
        after: Duration,
    },
    /// The heap could not hold a buffer of this connection: the receive, transmit or
    /// handshake reassembly buffer (each is reserved fallibly, so that a device whose
    /// heap is too small gets this error rather than an abort). From
    /// [`crate::Connection::client`] or [`crate::Connection::server`] nothing was made;
    /// during the handshake, `internal_error` is sent. The crate documentation
    /// ("Memory") gives the sizes a configuration needs.
    OutOfMemory {
        /// The size of the buffer that could not be allocated, in bytes.
        bytes: usize,
    },
}

/// Protocol rules the peer broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerMisbehaved {
    /// A handshake message that is not allowed in the current state (RFC 5246 §7.3).
    UnexpectedHandshake(HandshakeType),
    /// A ChangeCipherSpec where none is allowed (RFC 5246 §7.1).
    UnexpectedChangeCipherSpec,
    /// Application data before the handshake finished (RFC 5246 §7.4.9).
    UnexpectedApplicationData,
    /// A record whose version is not TLS 1.2 after the hellos fixed the version
    /// (RFC 5246 §6.2.1, Appendix E.1).
    WrongRecordVersion,
    /// A protected record failed its MAC or padding check.
    BadRecordMac,
    /// A record longer than allowed.
    RecordOverflow,
    /// More consecutive empty records than allowed.
    TooManyEmptyRecords,
    /// More consecutive warning alerts than allowed.
    TooManyWarningAlerts,
    /// The server chose a cipher suite the client did not offer.
    UnofferedCipherSuite,
    /// The server chose a compression method other than null.
    UnofferedCompression,
    /// The server answered an extension the client did not send (RFC 5246 §7.4.1.4).
    UnsolicitedExtension(ExtensionType),
    /// The server chose an ALPN protocol the client did not offer (RFC 7301 §3.1).
    UnofferedAlpnProtocol,
    /// renegotiation_info with a wrong value (RFC 5746 §3.4, §3.6).
    BadRenegotiationInfo,
    /// The server answered max_fragment_length with another value than requested
    /// (RFC 6066 §4), or sent both max_fragment_length and record_size_limit (RFC 8449
    /// §5).
    BadFragmentLimit,
    /// The server's ServerKeyExchange was signed with a scheme the client did not offer.
    UnofferedSignatureScheme,
    /// A signature that does not verify.
    BadSignature,
    /// The peer's Finished verify_data is wrong.
    BadFinished,
    /// The server's DH group parameters are unusable.
    BadDhParameters,
    /// The peer's DH public value is outside `1 < Y < p - 1`.
    BadDhPublicValue,
    /// The server's ECDHE group is not one the client offered in supported_groups
    /// (RFC 8422 §5.4).
    UnofferedGroup,
    /// The peer's EC point is not a valid public value for the group: the wrong length,
    /// not on the curve, the identity, or an X25519 value with an all-zero shared
    /// secret (RFC 8422 §5.11, RFC 7748 §6.1).
    BadEcPoint,
    /// An ec_point_formats extension without the uncompressed format (RFC 8422
    /// §5.1.2, §5.2).
    UncompressedPointsRefused,
    /// A signature whose algorithm does not fit the signer's key (an RSA scheme with
    /// an EC certificate or the reverse, RFC 5246 §7.4.3, RFC 8422 §5.4).
    SignatureKeyMismatch,
    /// The server's certificate key does not fit the key exchange (an RSA key for
    /// ECDHE_ECDSA, an EC key for RSA or ECDHE_RSA; RFC 8422 §2, RFC 5246 §7.4.2).
    WrongCertificateKeyType,
    /// The server sent an empty certificate list.
    NoServerCertificate,
    /// A server_name HostName that is not an ASCII LDH host name without a trailing
    /// dot (RFC 6066 §3).
    InvalidServerName,
    /// The client asked to resume a session that used the extended master secret
    /// without offering the extension (RFC 7627 §5.3: the server "MUST abort").
    ResumptionWithoutExtendedMasterSecret,
    /// The server resumed the offered session with another cipher suite (RFC 5246
    /// §7.4.1.3: "For resumed sessions, this field is the value from the state of the
    /// session being resumed").
    ResumedWithDifferentSuite,
    /// The server resumed the offered session with a different extended master secret
    /// state than the session had (RFC 7627 §5.3: the client "MUST abort").
    ResumedWithDifferentExtendedMasterSecret,
    /// In a PSK suite, the peer's first protected record did not open: the two sides
    /// hold different keys (RFC 4279 §2: "the server MUST respond with a
    /// decrypt_error alert message" when the key is wrong; a server that hides unknown
    /// identities answers them the same way).
    PskKeyMismatch,
    /// A PSK identity that is empty or longer than the server accepts.
    BadPskIdentity,
}

/// What the peer and this configuration do not share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerIncompatible {
    /// The client offered only versions below TLS 1.2 (RFC 5246 Appendix E.1).
    ClientVersionTooLow(ProtocolVersion),
    /// The server chose a version other than TLS 1.2.
    ServerVersionNotTls12(ProtocolVersion),
    /// No cipher suite in common.
    NoCommonCipherSuite,
    /// The client listed RFC 7919 groups, none of which this server supports, and no
    /// other suite fits (RFC 7919 §4).
    NoCommonDhGroup,
    /// The server's DH group is smaller than the configured minimum.
    DhGroupTooSmall {
        /// Size of the server's prime in bits.
        bits: u32,
    },
    /// Both sides use ALPN but share no protocol (RFC 7301 §3.2).
    NoCommonAlpnProtocol,
    /// The server has no certificate for the name the client asked for (RFC 6066 §3).
    UnrecognizedName,
    /// The peer does not support secure renegotiation (RFC 5746) and this side requires
    /// it.
    SecureRenegotiationRequired,
    /// The peer does not support the extended master secret (RFC 7627) and this side
    /// requires it.
    ExtendedMasterSecretRequired,
    /// The server requires a client certificate and the client sent none (RFC 5246
    /// §7.4.6).
    ClientCertificateRequired,
    /// The server agreed to neither max_fragment_length nor record_size_limit, and the
    /// client requires a fragment limit
    /// ([`crate::ClientConfigBuilder::require_fragment_limit`]).
    FragmentLimitRefused,
    /// The client's PSK chooser has no key for the server's identity hint.
    NoPsk,
    /// The server does not know the client's PSK identity and is configured to say so
    /// ([`crate::psk::UnknownPskIdentity::Alert`]; RFC 4279 §2: unknown_psk_identity).
    UnknownPskIdentity,
}

/// Failures on this side ([`Error::Internal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InternalError {
    /// A message this side built does not fit its encoding (a field over its length
    /// limit, e.g. a ClientHello with thousands of ALPN names).
    Encoding,
    /// The transmit buffer cannot take what must be sent now (a sizing bug).
    TransmitBufferFull,
    /// An RSA operation of this side failed: encrypting the premaster, or a signature
    /// the verify-after-sign check caught as faulty.
    RsaOperation,
    /// The crypto provider could not make an ephemeral (EC)DH key.
    KeyExchange,
    /// 2^64 records were protected or opened under one key (RFC 5246 §6.1: the sequence
    /// number must not wrap).
    SequenceExhausted,
    /// Record protection could not be set up from the derived keys.
    RecordKeys,
    /// The handshake's own bookkeeping is inconsistent (a bug): a transcript hash that
    /// is not running, a suite chosen without its parameters.
    HandshakeState,
}

/// Caller mistakes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiMisuse {
    /// `send` before the handshake completed.
    HandshakeNotComplete,
    /// `send` after `close`, or after the connection ended.
    Closed,
    /// `handle_recv(n)` with `n` larger than the `recv_buf()` that was handed out.
    RecvOverflow,
    /// `handle_transmitted(n)` with `n` larger than the pending output.
    TransmitOverflow,
    /// `consume(n)` with `n` larger than [`crate::Connection::app_data`].
    AppDataOverrun,
}

impl Error {
    /// The fatal alert this error sends to the peer, or `None` when nothing is sent (the
    /// peer's own fatal alert, the peer's close during the handshake, a caller mistake).
    pub fn alert(&self) -> Option<AlertDescription> {
        Some(match self {
            Error::InvalidMessage(e) => e.alert(),
            Error::PeerMisbehaved(p) => p.alert(),
            Error::PeerIncompatible(p) => p.alert(),
            Error::Certificate(e) => AlertDescription(e.alert().0),
            Error::CertificateKeyUsage => AlertDescription::UNSUPPORTED_CERTIFICATE,
            Error::Internal(_) | Error::OutOfMemory { .. } => AlertDescription::INTERNAL_ERROR,
            Error::AlertReceived(_)
            | Error::ApiMisuse(_)
            | Error::PeerClosedDuringHandshake { .. }
            | Error::HandshakeTimeout { .. } => return None,
        })
    }

    /// Whether the error ends the connection (everything except [`Error::ApiMisuse`]).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Error::ApiMisuse(_))
    }
}

impl PeerMisbehaved {
    /// The alert for this violation.
    pub fn alert(self) -> AlertDescription {
        use PeerMisbehaved as P;
        match self {
            P::UnexpectedHandshake(_)
            | P::UnexpectedChangeCipherSpec
            | P::UnexpectedApplicationData
            | P::TooManyEmptyRecords
            | P::TooManyWarningAlerts => AlertDescription::UNEXPECTED_MESSAGE,
            P::BadRecordMac => AlertDescription::BAD_RECORD_MAC,
            P::RecordOverflow => AlertDescription::RECORD_OVERFLOW,
            P::UnofferedCipherSuite
            | P::UnofferedCompression
            | P::UnofferedAlpnProtocol
            | P::UnofferedSignatureScheme
            | P::BadDhParameters
            | P::BadDhPublicValue
            | P::UnofferedGroup
            | P::BadEcPoint
            | P::UncompressedPointsRefused
            | P::SignatureKeyMismatch
            | P::InvalidServerName
            | P::BadFragmentLimit
            | P::BadPskIdentity
            | P::ResumedWithDifferentSuite => AlertDescription::ILLEGAL_PARAMETER,
            P::UnsolicitedExtension(_) => AlertDescription::UNSUPPORTED_EXTENSION,
            // RFC 5746 §3.4 / §3.6: "MUST abort the handshake (by sending a fatal
            // handshake_failure alert)".
            // RFC 7627 §5.3 names no alert for its "abort"; handshake_failure (what
            // OpenSSL sends) says the parameters cannot be agreed on.
            P::BadRenegotiationInfo
            | P::NoServerCertificate
            | P::ResumptionWithoutExtendedMasterSecret
            | P::ResumedWithDifferentExtendedMasterSecret => AlertDescription::HANDSHAKE_FAILURE,
            // RFC 5246 §7.2.2: decrypt_error for a signature or Finished that fails.
            // RFC 4279 §2: decrypt_error for a wrong PSK too.
            P::BadSignature | P::BadFinished | P::PskKeyMismatch => AlertDescription::DECRYPT_ERROR,
            P::WrongRecordVersion => AlertDescription::PROTOCOL_VERSION,
            // RFC 5246 §7.2.2: "A certificate was of an unsupported type."
            P::WrongCertificateKeyType => AlertDescription::UNSUPPORTED_CERTIFICATE,
        }
    }
}

impl PeerIncompatible {
    /// The alert for this mismatch.
    pub fn alert(self) -> AlertDescription {
        use PeerIncompatible as P;
        match self {
            P::ClientVersionTooLow(_) | P::ServerVersionNotTls12(_) => {
                AlertDescription::PROTOCOL_VERSION
            }
            // RFC 5246 §7.4.6: a server that requires client authentication "MAY ...
            // respond with a fatal handshake_failure alert" to an empty Certificate.
            P::NoCommonCipherSuite
            | P::SecureRenegotiationRequired
            | P::ExtendedMasterSecretRequired
            | P::ClientCertificateRequired
            | P::NoPsk
            | P::FragmentLimitRefused => AlertDescription::HANDSHAKE_FAILURE,
            // RFC 4279 §2.
            P::UnknownPskIdentity => AlertDescription::UNKNOWN_PSK_IDENTITY,
            // RFC 7919 §4: "insufficient_security".
            P::NoCommonDhGroup | P::DhGroupTooSmall { .. } => {
                AlertDescription::INSUFFICIENT_SECURITY
            }
            // RFC 7301 §3.2.
            P::NoCommonAlpnProtocol => AlertDescription::NO_APPLICATION_PROTOCOL,
            P::UnrecognizedName => AlertDescription::UNRECOGNIZED_NAME,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::InvalidMessage(e)
    }
}

impl From<PeerMisbehaved> for Error {
    fn from(e: PeerMisbehaved) -> Self {
        Error::PeerMisbehaved(e)
    }
}

impl From<PeerIncompatible> for Error {
    fn from(e: PeerIncompatible) -> Self {
        Error::PeerIncompatible(e)
    }
}

impl From<sanstls_wire::reassembler::PushError> for Error {
    fn from(e: sanstls_wire::reassembler::PushError) -> Self {
        match e {
            sanstls_wire::reassembler::PushError::Decode(d) => Error::InvalidMessage(d),
            sanstls_wire::reassembler::PushError::OutOfMemory { needed } => {
                Error::OutOfMemory { bytes: needed }
            }
            // The connection's reassembly buffer is sized for its limits: a bug.
            _ => InternalError::HandshakeState.into(),
        }
    }
}

impl From<InternalError> for Error {
    fn from(e: InternalError) -> Self {
        Error::Internal(e)
    }
}

impl From<ApiMisuse> for Error {
    fn from(e: ApiMisuse) -> Self {
        Error::ApiMisuse(e)
    }
}

impl From<sanstls_pki::Error> for Error {
    fn from(e: sanstls_pki::Error) -> Self {
        Error::Certificate(e)
    }
}

impl From<sanstls_record::Error> for Error {
    fn from(e: sanstls_record::Error) -> Self {
        use sanstls_record::Error as R;
        match e {
            R::BadRecordMac => PeerMisbehaved::BadRecordMac.into(),
            // One overflow for every way a record is too long: its header's length, the
            // negotiated plaintext limit, a ciphertext limit.
            R::RecordOverflow | R::Decode(DecodeError::RecordOverflow) => {
                PeerMisbehaved::RecordOverflow.into()
            }
            R::Decode(d) => Error::InvalidMessage(d),
            R::SequenceExhausted => InternalError::SequenceExhausted.into(),
            // This side's own mistakes in what it asked the record layer to do.
            R::BufferTooSmall => InternalError::TransmitBufferFull.into(),
            R::InvalidPayload => InternalError::Encoding.into(),
            R::InvalidKeys => InternalError::RecordKeys.into(),
        }
    }
}

impl From<Error> for Option<AlertDescription> {
    fn from(e: Error) -> Self {
        e.alert()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidMessage(e) => write!(f, "invalid message from peer: {e}"),
            Error::PeerMisbehaved(p) => write!(f, "the peer broke the protocol: {p}"),
            Error::PeerIncompatible(p) => write!(f, "the peer is incompatible: {p}"),
            Error::Certificate(e) => write!(f, "peer certificate refused: {e}"),
            Error::CertificateKeyUsage => {
                f.write_str("peer certificate's keyUsage does not allow the key exchange")
            }
            Error::AlertReceived(a) => write!(f, "peer sent fatal alert {a:?}"),
            Error::Internal(e) => write!(f, "internal error: {e}"),
            Error::ApiMisuse(m) => write!(f, "API misuse: {m}"),
            Error::PeerClosedDuringHandshake { clean: true } => f.write_str(
                "the peer closed the connection (close_notify) during the handshake: \
                 it gave up before the handshake completed",
            ),
            Error::PeerClosedDuringHandshake { clean: false } => f.write_str(
                "the peer closed the connection during the handshake, without a TLS alert \
                 (it may not speak TLS 1.2, or it refused this connection silently)",
            ),
            Error::HandshakeTimeout { after } => {
                write!(f, "handshake timed out after {}", DurationText(*after))
            }
            Error::OutOfMemory { bytes } => write!(
                f,
                "out of memory: a connection buffer of {bytes} bytes could not be allocated"
            ),
        }
    }
}

/// A duration for people: "10 s", "1.5 s", "250 ms".
struct DurationText(Duration);

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms < 1000 {
            write!(f, "{ms} ms")
        } else if ms.is_multiple_of(1000) {
            write!(f, "{} s", ms / 1000)
        } else {
            // Tenths are precise enough for a timeout someone configured.
            write!(f, "{}.{} s", ms / 1000, (ms % 1000) / 100)
        }
    }
}

impl core::error::Error for Error {}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PeerMisbehaved as P;
        match self {
            P::UnexpectedHandshake(t) => write!(f, "a {t:?} handshake message out of order"),
            P::UnexpectedChangeCipherSpec => f.write_str("a ChangeCipherSpec out of order"),
            P::UnexpectedApplicationData => {
                f.write_str("application data before the handshake completed")
            }
            P::WrongRecordVersion => f.write_str("a record with a version other than TLS 1.2"),
            P::BadRecordMac => f.write_str(
                "a record failed its integrity check (bad MAC or padding: corrupted or forged)",
            ),
            P::RecordOverflow => f.write_str("a record longer than the protocol allows"),
            P::TooManyEmptyRecords => f.write_str("too many empty records in a row"),
            P::TooManyWarningAlerts => f.write_str("too many warning alerts in a row"),
            P::UnofferedCipherSuite => {
                f.write_str("the server chose a cipher suite the client did not offer")
            }
            P::UnofferedCompression => f.write_str("the server chose compression"),
            P::UnsolicitedExtension(e) => {
                write!(
                    f,
                    "the server answered extension {e:?}, which was not offered"
                )
            }
            P::UnofferedAlpnProtocol => {
                f.write_str("the server chose an ALPN protocol the client did not offer")
            }
            P::BadRenegotiationInfo => f.write_str("a wrong renegotiation_info value"),
            P::BadFragmentLimit => f.write_str(
                "a max_fragment_length other than requested, or both max_fragment_length \
                 and record_size_limit",
            ),
            P::UnofferedSignatureScheme => {
                f.write_str("a signature with a scheme that was not offered")
            }
            P::BadSignature => f.write_str("a signature that does not verify"),
            P::BadFinished => f.write_str(
                "a wrong Finished message (different keys, or the handshake was altered)",
            ),
            P::BadDhParameters => f.write_str("unusable Diffie-Hellman parameters"),
            P::BadDhPublicValue => f.write_str("an invalid Diffie-Hellman public value"),
            P::UnofferedGroup => f.write_str("an ECDHE group that was not offered"),
            P::BadEcPoint => f.write_str(
                "an invalid elliptic-curve public value (wrong length, not on the curve, \
                 the identity, or an all-zero X25519 secret)",
            ),
            P::UncompressedPointsRefused => {
                f.write_str("an ec_point_formats extension without the uncompressed format")
            }
            P::SignatureKeyMismatch => {
                f.write_str("a signature algorithm that does not fit the certificate's key")
            }
            P::WrongCertificateKeyType => {
                f.write_str("a certificate whose key type does not fit the key exchange")
            }
            P::NoServerCertificate => f.write_str("the server sent no certificate"),
            P::InvalidServerName => f.write_str(
                "a server_name that is not a host name (bytes other than letters, digits, \
                 '-' and '.', an empty label, or a trailing dot)",
            ),
            P::ResumptionWithoutExtendedMasterSecret => {
                f.write_str("a resumption of a session with the extended master secret, without it")
            }
            P::ResumedWithDifferentSuite => {
                f.write_str("the server resumed the session with another cipher suite")
            }
            P::ResumedWithDifferentExtendedMasterSecret => f.write_str(
                "the server resumed the session without its extended master secret state",
            ),
            P::PskKeyMismatch => f.write_str(
                "the peer's first protected record did not decrypt: the two sides hold \
                 different pre-shared keys (or the server does not know the identity)",
            ),
            P::BadPskIdentity => {
                f.write_str("the PSK identity is empty or longer than this server accepts")
            }
        }
    }
}

impl fmt::Display for PeerIncompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PeerIncompatible as P;
        match self {
            P::ClientVersionTooLow(v) => {
                write!(f, "the client offers only {v}; TLS 1.2 is the minimum")
            }
            P::ServerVersionNotTls12(v) => write!(f, "the server chose {v}, not TLS 1.2"),
            P::NoCommonCipherSuite => f.write_str("no cipher suite in common"),
            P::NoCommonDhGroup => f.write_str("no Diffie-Hellman group in common"),
            P::DhGroupTooSmall { bits } => write!(
                f,
                "the server's Diffie-Hellman group has {bits} bits, fewer than the configured minimum"
            ),
            P::NoCommonAlpnProtocol => f.write_str("no ALPN protocol in common"),
            P::UnrecognizedName => f.write_str("no certificate for the requested server name"),
            P::SecureRenegotiationRequired => f.write_str(
                "the peer does not support secure renegotiation (RFC 5746), which is required",
            ),
            P::ExtendedMasterSecretRequired => f.write_str(
                "the peer does not support the extended master secret (RFC 7627), which is required",
            ),
            P::ClientCertificateRequired => {
                f.write_str("a client certificate is required and the client sent none")
            }
            P::FragmentLimitRefused => f.write_str(
                "the server agreed to no smaller record size (neither max_fragment_length \
                 nor record_size_limit), which this client requires",
            ),
            P::NoPsk => f.write_str("no pre-shared key for the server's identity hint"),
            P::UnknownPskIdentity => f.write_str("the server does not know the PSK identity"),
        }
    }
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InternalError::Encoding => "a message to send does not fit its encoding",
            InternalError::TransmitBufferFull => "the transmit buffer is too small",
            InternalError::RsaOperation => "an RSA operation failed",
            InternalError::KeyExchange => "the crypto provider could not make an ephemeral key",
            InternalError::SequenceExhausted => "the record sequence number is exhausted",
            InternalError::RecordKeys => "record protection could not be set up",
            InternalError::HandshakeState => "the handshake state is inconsistent",
        })
    }
}

impl fmt::Display for ApiMisuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiMisuse::HandshakeNotComplete => "send before the handshake completed",
            ApiMisuse::Closed => "send after close or after the connection ended",
            ApiMisuse::RecvOverflow => "handle_recv(n) with n larger than recv_buf()",
            ApiMisuse::TransmitOverflow => {
                "handle_transmitted(n) with n larger than the pending output"
            }
            ApiMisuse::AppDataOverrun => {
                "consume(n) with n larger than the application data waiting"
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_are_sentences_not_debug_output() {
        assert_eq!(
            Error::from(PeerIncompatible::NoCommonCipherSuite).to_string(),
            "the peer is incompatible: no cipher suite in common"
        );
        assert_eq!(
            Error::from(PeerMisbehaved::BadRecordMac).to_string(),
            "the peer broke the protocol: a record failed its integrity check (bad MAC or \
             padding: corrupted or forged)"
        );
        assert_eq!(
            Error::from(PeerIncompatible::ClientVersionTooLow(
                sanstls_wire::enums::ProtocolVersion::TLS11
            ))
            .to_string(),
            "the peer is incompatible: the client offers only TLS 1.1; TLS 1.2 is the minimum"
        );
        assert_eq!(
            Error::from(ApiMisuse::Closed).to_string(),
            "API misuse: send after close or after the connection ended"
        );
        for (after, text) in [
            (Duration::from_secs(10), "handshake timed out after 10 s"),
            (
                Duration::from_millis(1500),
                "handshake timed out after 1.5 s",
            ),
            (
                Duration::from_millis(250),
                "handshake timed out after 250 ms",
            ),
        ] {
            assert_eq!(Error::HandshakeTimeout { after }.to_string(), text);
        }
        assert_eq!(
            Error::HandshakeTimeout {
                after: Duration::from_secs(1)
            }
            .alert(),
            None
        );
        assert!(
            Error::from(PeerIncompatible::DhGroupTooSmall { bits: 1024 })
                .to_string()
                .contains("1024 bits")
        );
    }
}
