//! [`Core`]: what the handshake states act on — the transmit side (buffer, record
//! protection, fragmentation), the queue of events for the caller, the generator, the
//! time, and what the handshake learned.

use crate::Shared;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

use sanstls_crypto::provider::{BuiltIn, CryptoProvider};
use sanstls_crypto::rng::SeededRng;
use sanstls_keys::Side;
use sanstls_keys::transcript::Transcript;
use sanstls_pki::UnixTime;
use sanstls_record::{Fragmenter, Sealer};
use sanstls_wire::alert::{Alert, ChangeCipherSpec};
use sanstls_wire::codec::Codec;
use sanstls_wire::enums::{
    AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion,
};
use sanstls_wire::handshake::HandshakeMessage;

use crate::config::KeyLog;
use crate::error::{Error, InternalError};
use crate::event::{Direction, Trace, TraceKind};
use crate::negotiated::Negotiated;
use crate::txbuf::TxBuf;

/// How many unpolled alert events may wait; more means the caller is not polling while
/// the peer keeps sending alerts, and the connection ends rather than grow without
/// bound. Trace events do not count (tracing must not change the outcome).
pub(crate) const MAX_QUEUED_EVENTS: usize = 64;

/// An event waiting for [`crate::Connection::poll_event`].
pub(crate) enum Queued {
    HandshakeComplete,
    Alert(AlertDescription),
    Trace(Trace),
}

/// The handshake messages this build receives and sends, as sets for
/// [`HandshakeMessage::decode_body_in`] and [`HandshakeMessage::to_vec_in`]: the decoders
/// and encoders of the others (a client's of a ClientHello, a build without `x509` of
/// every certificate message) are left out of the build.
mod messages {
    use sanstls_wire::enums::HandshakeType as T;
    use sanstls_wire::handshake::{HandshakeMessage, PSK_KEY_EXCHANGE, SIGNED_KEY_EXCHANGE};

    const fn bit(t: T) -> u64 {
        HandshakeMessage::bit(t)
    }
    const fn on(feature: bool, set: u64) -> u64 {
        if feature { set } else { 0 }
    }
    const CLIENT: bool = cfg!(feature = "client");
    const SERVER: bool = cfg!(feature = "server");
    const X509: bool = cfg!(feature = "x509");
    const PSK: bool = cfg!(feature = "psk");
    const CLIENT_AUTH: bool = cfg!(feature = "client-auth");
    const RESUMPTION: bool = cfg!(feature = "resumption");
    const SKE: u64 = bit(T::SERVER_KEY_EXCHANGE);

    /// What a client receives: the server's flight; what a server receives: the
    /// client's.
    pub(crate) const RECEIVED: u64 = bit(T::FINISHED)
        | on(
            CLIENT,
            bit(T::HELLO_REQUEST)
                | bit(T::SERVER_HELLO)
                | bit(T::SERVER_HELLO_DONE)
                | on(X509, bit(T::CERTIFICATE) | bit(T::CERTIFICATE_REQUEST))
                | on(X509, SKE | SIGNED_KEY_EXCHANGE)
                | on(PSK, SKE | PSK_KEY_EXCHANGE)
                | on(RESUMPTION, bit(T::NEW_SESSION_TICKET)),
        )
        | on(
            SERVER,
            bit(T::CLIENT_HELLO)
                | bit(T::CLIENT_KEY_EXCHANGE)
                | on(
                    CLIENT_AUTH,
                    bit(T::CERTIFICATE) | bit(T::CERTIFICATE_VERIFY),
                ),
        );

    /// What each role sends: the mirror of [`RECEIVED`].
    pub(crate) const SENT: u64 = bit(T::FINISHED)
        | on(
            CLIENT,
            bit(T::CLIENT_HELLO)
                | bit(T::CLIENT_KEY_EXCHANGE)
                | on(
                    CLIENT_AUTH,
                    bit(T::CERTIFICATE) | bit(T::CERTIFICATE_VERIFY),
                ),
        )
        | on(
            SERVER,
            bit(T::SERVER_HELLO)
                | bit(T::SERVER_HELLO_DONE)
                | on(X509, bit(T::CERTIFICATE) | bit(T::CERTIFICATE_REQUEST))
                | on(X509, SKE | SIGNED_KEY_EXCHANGE)
                | on(PSK, SKE | PSK_KEY_EXCHANGE)
                | on(RESUMPTION, bit(T::NEW_SESSION_TICKET)),
        );
}
pub(crate) use messages::{RECEIVED, SENT};

/// Everything the handshake states act on: output, keys, events.
pub(crate) struct Core {
    pub(crate) side: Side,
    pub(crate) rng: SeededRng,
    /// The time of the latest input.
    pub(crate) now: UnixTime,
    pub(crate) tx: TxBuf,
    /// Inline, not boxed: what a connection holds after its handshake is measured as
    /// heap (issue 12's targets), and a box would add its kilobyte there. The cost is
    /// a larger `Connection` (about 3 KB on a 32-bit device): build it once and pass it
    /// by reference.
    pub(crate) sealer: Sealer,
    pub(crate) fragmenter: Fragmenter,
    /// Whether this side's records are protected (after its ChangeCipherSpec).
    pub(crate) tx_protected: bool,
    /// Whether this side sent close_notify (or the transport ended): nothing more is
    /// sent.
    pub(crate) sent_close: bool,
    pub(crate) events: VecDeque<Queued>,
    trace: bool,
    key_log: Option<Shared<dyn KeyLog>>,
    /// The configuration's crypto provider; `None`: the built-in code.
    pub(crate) provider: Option<Shared<dyn CryptoProvider>>,
    pub(crate) negotiated: Option<Negotiated>,
    /// The certificate chain the peer sent (DER, leaf first), as received: set before
    /// validation, so it is there also when validation failed. When the handshake
    /// completes it moves to [`Negotiated::peer_certificates`] (one copy, not two).
    pub(crate) received_chain: Vec<Vec<u8>>,
    /// What names this connection's session in its role's store, so that a fatal
    /// alert can invalidate it (RFC 5246 §7.2): a client's server name, a server's
    /// session ID. Empty: nothing to invalidate.
    pub(crate) session_name: Vec<u8>,
    /// The premaster secret of the latest key exchange, kept only in fuzzing builds:
    /// the structure-aware targets (`fuzzing::actions`) compute the keys the connection
    /// under test derives from a handshake they altered, which needs the real peer's
    /// premaster.
    #[cfg(feature = "fuzzing")]
    pub(crate) fuzz_premaster: Option<zeroize::Zeroizing<Vec<u8>>>,
}

impl Core {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        side: Side,
        rng: SeededRng,
        now: UnixTime,
        tx: TxBuf,
        fragmenter: Fragmenter,
        trace: bool,
        key_log: Option<Shared<dyn KeyLog>>,
        provider: Option<Shared<dyn CryptoProvider>>,
    ) -> Self {
        Core {
            side,
            rng,
            now,
            tx,
            sealer: Sealer::null(),
            fragmenter,
            tx_protected: false,
            sent_close: false,
            // Traces are few (a handshake's worth); warnings are bounded by
            // MAX_QUEUED_EVENTS. The queue grows only when the caller does not poll.
            events: VecDeque::new(),
            trace,
            key_log,
            provider,
            negotiated: None,
            received_chain: Vec::new(),
            session_name: Vec::new(),
            #[cfg(feature = "fuzzing")]
            fuzz_premaster: None,
        }
    }

    /// Seals `payload` as records of `content_type` into the transmit buffer.
    pub(crate) fn write_records(
        &mut self,
        content_type: ContentType,
        payload: &[u8],
    ) -> Result<(), Error> {
        for frag in self.fragmenter.fragments(payload) {
            self.write_record(content_type, frag)?;
        }
        Ok(())
    }

    /// Seals `fragment` as one record into the transmit buffer.
    pub(crate) fn write_record(
        &mut self,
        content_type: ContentType,
        fragment: &[u8],
    ) -> Result<(), Error> {
        // RFC 5246 §7.2.1: after close_notify "the sender will not send any more
        // messages on this connection". A handshake the caller closed goes on reading
        // (the peer's answer may still come) but writes nothing more: no handshake
        // messages, no alerts.
        if self.sent_close {
            return Ok(());
        }
        let need = self.sealer.sealed_len(fragment.len());
        let free = self.tx.free();
        if free.len() < need {
            return Err(InternalError::TransmitBufferFull.into());
        }
        let n = self
            .sealer
            .seal(content_type, ProtocolVersion::TLS12, fragment, free)?;
        self.tx.filled(n);
        Ok(())
    }

    pub(crate) fn trace_event(
        &mut self,
        direction: Direction,
        kind: TraceKind,
        length: usize,
        protected: bool,
    ) {
        if self.trace {
            self.events.push_back(Queued::Trace(Trace {
                direction,
                kind,
                length,
                protected,
            }));
        }
    }

    /// Encodes `msg`, adds it to `transcript` and sends it.
    pub(crate) fn send_handshake(
        &mut self,
        msg: &HandshakeMessage<'_>,
        transcript: &mut Transcript,
    ) -> Result<(), Error> {
        let bytes = msg
            .to_vec_in::<SENT>()
            .map_err(|_| InternalError::Encoding)?;
        self.send_handshake_bytes(msg.typ(), &bytes, transcript)
    }

    /// Sends an encoded handshake message (header included) of type `typ` and adds it to
    /// `transcript`.
    pub(crate) fn send_handshake_bytes(
        &mut self,
        typ: HandshakeType,
        bytes: &[u8],
        transcript: &mut Transcript,
    ) -> Result<(), Error> {
        transcript.add(bytes);
        self.trace_event(
            Direction::Sent,
            TraceKind::Handshake(typ),
            bytes.len(),
            self.tx_protected,
        );
        self.write_records(ContentType::HANDSHAKE, bytes)
    }

    /// Sends ChangeCipherSpec and switches outgoing protection to `sealer` (RFC 5246
    /// §7.1: the sender's write state becomes current right after the message).
    // (The handshake keeps the pending protection boxed, as it moves through the states
    // by value; it is unboxed here, once, into its place.)
    #[allow(clippy::boxed_local)]
    pub(crate) fn send_ccs(&mut self, sealer: alloc::boxed::Box<Sealer>) -> Result<(), Error> {
        let mut b = [0u8; 1];
        ChangeCipherSpec
            .encode_into(&mut b)
            .map_err(|_| InternalError::Encoding)?;
        self.trace_event(
            Direction::Sent,
            TraceKind::ChangeCipherSpec,
            1,
            self.tx_protected,
        );
        self.write_records(ContentType::CHANGE_CIPHER_SPEC, &b)?;
        self.sealer = *sealer;
        self.tx_protected = true;
        Ok(())
    }

    pub(crate) fn send_alert(&mut self, level: AlertLevel, description: AlertDescription) {
        let alert = Alert { level, description };
        let mut b = [0u8; 2];
        if alert.encode_into(&mut b).is_ok() {
            self.trace_event(
                Direction::Sent,
                TraceKind::Alert(level, description),
                2,
                self.tx_protected,
            );
            // A failure here (no room) only loses the alert; the connection is ending or
            // the caller is not draining output.
            // One record whatever the configured fragment length: two bytes never need
            // splitting, and receivers refuse a split alert (sanstls does; RFC 8446 §5.1
            // forbids it outright).
            let _ = self.write_record(ContentType::ALERT, &b);
        }
    }

    pub(crate) fn log_key(&self, client_random: &[u8; 32], master: &sanstls_keys::MasterSecret) {
        if let Some(log) = &self.key_log {
            log.log(master.key_log_line(client_random).as_str());
        }
    }

    pub(crate) fn handshake_complete(&mut self, negotiated: Negotiated) {
        self.negotiated = Some(negotiated);
        self.events.push_back(Queued::HandshakeComplete);
    }
}

/// The provider of `field` (a [`Core`]'s or a configuration's): the built-in code when
/// none is set. A function of the field, not a method, so that callers can borrow the
/// core's generator mutably beside it.
pub(crate) fn provider(field: Option<&Shared<dyn CryptoProvider>>) -> &dyn CryptoProvider {
    match field {
        Some(p) => &**p,
        None => &BuiltIn,
    }
}
