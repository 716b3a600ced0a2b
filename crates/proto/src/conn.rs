//! The [`Connection`]: buffers, record input and output, and the public API.
//!
//! Buffers are allocated once, in the constructor:
//! - the receive buffer (a [`Deframer`]) holds one record of the largest legal size;
//! - the application-data buffer holds opened application data until the caller polls
//!   it as [`Event::AppData`]; [`Connection::recv_buf`] never hands out more room than
//!   this buffer can absorb, so the record path never has to stop half-way;
//! - the transmit buffer holds the largest flight this side can send (sized from the
//!   configured certificates and the fragment size) plus one record of the configured
//!   `max_fragment_len`, the longest this side ever sends.
//!
//! Handshake messages are reassembled in a growable buffer bounded by
//! [`sanstls_wire::reassembler::Limits`]; it grows only while handshake messages arrive,
//! and is freed when the handshake ends.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use sanstls_crypto::rng::{CryptoRng, SeededRng};
use sanstls_keys::Side;
use sanstls_pki::{ServerName, UnixTime};
use sanstls_record::{Deframer, Fragmenter, MAX_RECORD_LEN, Opener, Sealer};
use sanstls_wire::alert::{Alert, ChangeCipherSpec};
use sanstls_wire::codec::Codec;
use sanstls_wire::enums::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, ProtocolVersion,
};
use sanstls_wire::handshake::HandshakeMessage;
use sanstls_wire::reassembler::{Limits, Reassembler};
use sanstls_wire::record::{HEADER_LEN, MAX_PLAINTEXT_LEN};

use crate::config::{ClientConfig, KeyLog, ServerConfig};
use crate::error::{ApiMisuse, Error, PeerMisbehaved};
use crate::event::{Direction, Event, Trace, TraceKind};
use crate::{client, server};

/// How many empty records in a row are tolerated before the peer is considered to be
/// wasting our time.
const MAX_EMPTY_RECORDS: u8 = 32;
/// How many warning alerts in a row are tolerated.
const MAX_WARNING_ALERTS: u8 = 4;
/// How many unpolled events may wait; more means the caller is not polling while the
/// peer keeps sending alerts, and the connection ends rather than grow without bound.
const MAX_QUEUED_EVENTS: usize = 64;
/// Per-record expansion under CBC protection, an upper bound: header, IV, MAC (at most
/// SHA-256's 32 bytes) and padding (at most 16 bytes with its length byte).
const MAX_RECORD_OVERHEAD: usize = HEADER_LEN + 16 + 32 + 16;
/// The most records beyond `flight / max_fragment_len` that the transmit buffer may
/// hold at once if the caller does not transmit between flights: each message of a
/// handshake (a server's ServerHello, Certificate, ServerKeyExchange,
/// CertificateRequest, ServerHelloDone, ChangeCipherSpec, Finished; a client's six are
/// fewer) may end in a partial record, and a fatal alert may follow.
const MAX_MESSAGES_BUFFERED: usize = 8;

/// What was agreed in the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The protocol version (always TLS 1.2).
    pub version: ProtocolVersion,
    /// The cipher suite.
    pub suite: CipherSuite,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// Whether encrypt-then-MAC (RFC 7366) is in use.
    pub encrypt_then_mac: bool,
    /// The ALPN protocol, if one was agreed.
    pub alpn: Option<Vec<u8>>,
    /// The host name the client sent in server_name.
    pub server_name: Option<String>,
    /// The peer's certificate chain (DER, leaf first), validated: on a client the
    /// server's chain; on a server the client's chain, empty when it asked for none
    /// ([`crate::ServerConfigBuilder::client_verifier`] not set) or the client sent none
    /// under optional client authentication.
    pub peer_certificates: Vec<Vec<u8>>,
    /// The size in bits of the DH prime, for DHE_RSA suites.
    pub dh_bits: Option<u32>,
}

enum Queued {
    HandshakeComplete,
    Alert(AlertDescription),
    Trace(Trace),
}

/// The outgoing byte buffer: `buf[start..end]` waits for the transport.
struct TxBuf {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl TxBuf {
    fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn free(&mut self) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf[self.end..]
    }
}

/// Everything the handshake states act on: output, keys, events.
pub(crate) struct Core {
    pub(crate) side: Side,
    pub(crate) rng: SeededRng,
    pub(crate) now: UnixTime,
    tx: TxBuf,
    sealer: Sealer,
    fragmenter: Fragmenter,
    tx_protected: bool,
    pub(crate) pending_opener: Option<Opener>,
    events: VecDeque<Queued>,
    trace: bool,
    key_log: Option<Arc<dyn KeyLog>>,
    pub(crate) negotiated: Option<Negotiated>,
    /// The certificate chain the peer sent (DER, leaf first), as received: set before
    /// validation, so it is there also when validation failed. When the handshake
    /// completes it moves to [`Negotiated::peer_certificates`] (one copy, not two).
    pub(crate) received_chain: Vec<Vec<u8>>,
}

impl Core {
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
    fn write_record(&mut self, content_type: ContentType, fragment: &[u8]) -> Result<(), Error> {
        let need = self.sealer.sealed_len(fragment.len());
        let free = self.tx.free();
        if free.len() < need {
            return Err(Error::Internal("transmit buffer too small for the flight"));
        }
        let n = self
            .sealer
            .seal(content_type, ProtocolVersion::TLS12, fragment, free)?;
        self.tx.end += n;
        Ok(())
    }

    fn trace_event(
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
        transcript: &mut sanstls_keys::transcript::Transcript,
    ) -> Result<(), Error> {
        let bytes = msg
            .to_vec()
            .map_err(|_| Error::Internal("handshake message too long to encode"))?;
        self.send_handshake_bytes(msg.typ(), &bytes, transcript)
    }

    /// Sends an encoded handshake message (header included) of type `typ` and adds it to
    /// `transcript`.
    pub(crate) fn send_handshake_bytes(
        &mut self,
        typ: HandshakeType,
        bytes: &[u8],
        transcript: &mut sanstls_keys::transcript::Transcript,
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
    pub(crate) fn send_ccs(&mut self, sealer: Sealer) -> Result<(), Error> {
        let mut b = [0u8; 1];
        ChangeCipherSpec
            .encode_into(&mut b)
            .map_err(|_| Error::Internal("encode ChangeCipherSpec"))?;
        self.trace_event(
            Direction::Sent,
            TraceKind::ChangeCipherSpec,
            1,
            self.tx_protected,
        );
        self.write_records(ContentType::CHANGE_CIPHER_SPEC, &b)?;
        self.sealer = sealer;
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

/// The handshake state of either role. States move by value from one message to the
/// next; they are not boxed to keep the handshake free of per-message allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum State {
    Client(client::State),
    Server(server::State),
    /// The handshake is done: application data flows.
    Traffic,
    /// After a fatal error.
    Failed,
}

impl State {
    fn key_exchange(&self) -> Option<sanstls_wire::enums::KeyExchange> {
        match self {
            State::Client(s) => s.key_exchange(),
            State::Server(s) => s.key_exchange(),
            _ => None,
        }
    }

    /// Whether a handshake message of type `typ` may come now. After the handshake a
    /// client may get a HelloRequest and a server a ClientHello: requests to
    /// renegotiate, which are refused ([`Connection::handshake_in_traffic`]).
    fn expects(&self, typ: HandshakeType, side: Side) -> bool {
        match self {
            State::Client(s) => s.expects(typ),
            State::Server(s) => s.expects(typ),
            State::Traffic => match side {
                Side::Client => typ == HandshakeType::HELLO_REQUEST,
                Side::Server => typ == HandshakeType::CLIENT_HELLO,
            },
            State::Failed => false,
        }
    }

    fn expects_ccs(&self) -> bool {
        match self {
            State::Client(s) => s.expects_ccs(),
            State::Server(s) => s.expects_ccs(),
            _ => false,
        }
    }

    /// Whether the protocol version is settled: the server has seen the ClientHello, the
    /// client the ServerHello. (Before that, a server that does not speak TLS 1.2 may
    /// answer with an older record version, and its alert should still be read.)
    fn version_fixed(&self) -> bool {
        match self {
            State::Traffic | State::Failed => true,
            State::Client(s) => !s.is_initial(),
            State::Server(s) => !s.is_initial(),
        }
    }
}

enum Role {
    Client(Arc<ClientConfig>),
    Server(Arc<ServerConfig>),
}

/// A TLS 1.2 connection, client or server, without IO.
///
/// The caller moves bytes between the connection and its transport and reads events;
/// the methods come in four groups, in this order: getters, inputs (`handle_*`),
/// commands (`send`, `close`) and outputs (`poll_*`).
///
/// Randomness enters once, at construction: the connection seeds its own generator
/// (SHA-256 in counter mode, [`SeededRng`]) with 32 bytes from the caller's
/// [`CryptoRng`]. Time enters at construction and with every `handle_recv*` and
/// [`Connection::handle_timeout`] call, as a [`UnixTime`]: it is used for certificate
/// validity (whole seconds) and for the handshake deadline (milliseconds; see
/// [`Connection::poll_timeout`]).
pub struct Connection {
    role: Role,
    state: State,
    core: Core,
    rx: Deframer<Box<[u8]>>,
    opener: Opener,
    rx_protected: bool,
    hs_in: Reassembler<Vec<u8>>,
    /// Received plaintext waiting for the caller: `app_in[app_start..app_len]`.
    app_in: Box<[u8]>,
    app_start: usize,
    app_len: usize,
    /// Bytes from `app_start` handed out by the last `poll_event`, consumed at the next
    /// call (fewer after [`Connection::app_data_used`]).
    app_taken: usize,
    empty_records: u8,
    warning_alerts: u8,
    /// `Some(clean)` once the peer will send nothing more.
    peer_closed: Option<bool>,
    peer_closed_reported: bool,
    sent_close: bool,
    error: Option<Error>,
    /// When the handshake must have completed, and the configured timeout it came from.
    deadline: Option<(UnixTime, Duration)>,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.core.side)
            .field("handshaking", &self.is_handshaking())
            .field("closed", &self.is_closed())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A client connection to `server_name`; the ClientHello is ready in
    /// [`Connection::poll_transmit`] on return. `server_name` is checked against the
    /// server's certificate, and sent in server_name (RFC 6066 §3) when it is a DNS name.
    pub fn client(
        config: Arc<ClientConfig>,
        server_name: ServerName,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, Error> {
        // The client's largest flight: a Certificate, a ClientKeyExchange of at
        // most 1 KiB (an 8192-bit RSA or DH value), ChangeCipherSpec and Finished; a
        // ClientHello is smaller than 2 KiB with 255-byte ALPN names... unless there are
        // many of them, hence the sum.
        // With a client certificate, the flight adds its chain and a CertificateVerify
        // (a signature as long as the key's modulus, plus 8 bytes of headers).
        let common = config.common.clone();
        let cfg = Arc::clone(&config);
        let alpn: usize = common.alpn.iter().map(|p| p.len() + 1).sum();
        let client_auth = config.client_cert.as_ref().map_or(0, |k| {
            k.encoded_len() + k.key().public_key().modulus_len() + 8
        });
        let flight = 2048 + alpn + 64 * common.suites.len() + client_auth;
        let mut conn = Self::new(
            Side::Client,
            Role::Client(config),
            &common,
            flight,
            common.limits(),
            now,
            rng,
        );
        let state = client::start(&mut conn.core, &cfg, server_name);
        conn.state_result(state);
        match &conn.error {
            Some(e) => Err(e.clone()),
            None => Ok(conn),
        }
    }

    /// A server connection; it waits for a ClientHello.
    pub fn server(
        config: Arc<ServerConfig>,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, Error> {
        let common = config.common.clone();
        // The first flight: ServerHello (< 1 KiB with ALPN), Certificate, a
        // ServerKeyExchange with an 8192-bit group and signature (< 4 KiB),
        // ServerHelloDone.
        // With client authentication, a CertificateRequest too.
        let flight = config.max_chain_len + config.cert_request_len + 6 * 1024;
        let conn = Self::new(
            Side::Server,
            Role::Server(config),
            &common,
            flight,
            common.limits(),
            now,
            rng,
        );
        let mut conn = conn;
        conn.state = State::Server(server::start());
        Ok(conn)
    }

    #[allow(clippy::too_many_arguments)]
    fn new(
        side: Side,
        role: Role,
        common: &crate::config::Common,
        flight: usize,
        limits: Limits,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Self {
        let frag = common.max_fragment_len;
        // Every handshake message is fragmented on its own, so a flight of `flight`
        // bytes takes at most `flight / frag` records plus one per message; add the
        // alerts that may follow it.
        let records = flight.div_ceil(frag) + MAX_MESSAGES_BUFFERED;
        // The "one record" part: the largest record this side sends is `frag` bytes of
        // plaintext (the fragmenter and `send` never make a longer one), so a device
        // that sends small records does not pay for a full 2^14-byte record here.
        let tx_len = flight + records * MAX_RECORD_OVERHEAD + frag + MAX_RECORD_OVERHEAD;
        Connection {
            role,
            state: State::Failed,
            core: Core {
                side,
                rng: SeededRng::from_rng(rng),
                now,
                tx: TxBuf {
                    buf: vec![0u8; tx_len].into_boxed_slice(),
                    start: 0,
                    end: 0,
                },
                sealer: Sealer::null(),
                fragmenter: Fragmenter::new(frag),
                tx_protected: false,
                pending_opener: None,
                // Room for a handshake's traces and the most alerts ever queued, so the
                // queue does not grow on the record path.
                events: VecDeque::with_capacity(MAX_QUEUED_EVENTS + 32),
                trace: common.trace,
                key_log: common.key_log.clone(),
                negotiated: None,
                received_chain: Vec::new(),
            },
            rx: Deframer::with_max_record_len(),
            opener: Opener::null(),
            rx_protected: false,
            hs_in: Reassembler::new(limits),
            app_in: vec![0u8; MAX_RECORD_LEN].into_boxed_slice(),
            app_start: 0,
            app_len: 0,
            app_taken: 0,
            empty_records: 0,
            warning_alerts: 0,
            peer_closed: None,
            peer_closed_reported: false,
            sent_close: false,
            error: None,
            deadline: common
                .handshake_timeout
                .map(|after| (now.saturating_add(after), after)),
        }
    }

    // ---- Getters -------------------------------------------------------------------

    /// Whether this is the client or the server.
    pub fn side(&self) -> Side {
        self.core.side
    }

    /// Whether the handshake is still running (false once it completed or failed).
    pub fn is_handshaking(&self) -> bool {
        matches!(self.state, State::Client(_) | State::Server(_))
    }

    /// Whether the connection has nothing more to do: it failed, or both sides closed
    /// (or the transport ended), and every pending byte was transmitted.
    pub fn is_closed(&self) -> bool {
        let done = self.error.is_some() || (self.sent_close && self.peer_closed.is_some());
        done && self.core.tx.pending().is_empty()
    }

    /// What the handshake agreed on, once it completed.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.core.negotiated.as_ref()
    }

    /// The certificate chain the peer sent (DER, leaf first), as soon as its Certificate
    /// message arrived, whether or not it was accepted: after a
    /// [`Error::Certificate`] failure this is the chain that was refused, so a caller
    /// can say why (its names, its validity period). Empty until then, and for a server
    /// whose client sent no certificate. Trust only [`Negotiated::peer_certificates`].
    ///
    /// Once the handshake completed this is the same chain as
    /// [`Negotiated::peer_certificates`], and the connection keeps only that copy: both
    /// getters return it for the rest of the connection's life, also after it closed or
    /// failed. After a failed handshake it is the chain as received.
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        match &self.core.negotiated {
            Some(n) => &n.peer_certificates,
            None => &self.core.received_chain,
        }
    }

    /// The error that ended the connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// How many bytes of received application data the connection holds that the
    /// caller has not used yet: not yet handed out by [`Connection::poll_event`], or
    /// handed back with [`Connection::app_data_used`]. (Bytes handed out by the last
    /// `poll_event` and not handed back count as used.)
    pub fn app_data_pending(&self) -> usize {
        (self.app_len - self.app_start).saturating_sub(self.app_taken)
    }

    /// Room to read transport bytes into; report how many were written with
    /// [`Connection::handle_recv`]. It is empty only while received application data
    /// waits to be polled.
    pub fn recv_buf(&mut self) -> &mut [u8] {
        if self.app_start > 0 {
            // Move what the caller has not read yet to the front, so that the room
            // behind it can take a whole record again.
            self.app_in.copy_within(self.app_start..self.app_len, 0);
            self.app_len -= self.app_start;
            self.app_start = 0;
        }
        let room = self.app_room();
        let buf = self.rx.recv_buf();
        let n = buf.len().min(room);
        &mut buf[..n]
    }

    fn app_room(&self) -> usize {
        (self.app_in.len() - self.app_len).saturating_sub(self.rx.buffered_len())
    }

    // ---- Inputs --------------------------------------------------------------------

    /// `n` bytes were read into [`Connection::recv_buf`]; processes every complete
    /// record. `n == 0` means the transport reached end of file
    /// ([`Connection::handle_eof`]: an error during the handshake).
    ///
    /// On a protocol error the fatal alert for the peer is queued: transmit
    /// [`Connection::poll_transmit`] before closing the transport.
    pub fn handle_recv(&mut self, n: usize, now: UnixTime) -> Result<(), Error> {
        self.check_sticky()?;
        self.check_deadline(now)?;
        if n == 0 {
            return self.handle_eof();
        }
        if n > self.recv_buf().len() {
            return Err(ApiMisuse::RecvOverflow.into());
        }
        self.rx.handle_recv(n);
        self.core.now = now;
        self.process()
    }

    /// Copies transport bytes in (for completion-style IO) and processes them. Returns
    /// how many bytes were taken: fewer than `data.len()` only while received
    /// application data waits to be polled. An empty `data` is end of file
    /// ([`Connection::handle_eof`]: an error during the handshake).
    pub fn handle_recv_bytes(&mut self, data: &[u8], now: UnixTime) -> Result<usize, Error> {
        self.check_sticky()?;
        self.check_deadline(now)?;
        if data.is_empty() {
            self.handle_eof()?;
            return Ok(0);
        }
        let buf = self.recv_buf();
        let n = buf.len().min(data.len());
        buf[..n].copy_from_slice(&data[..n]);
        self.rx.handle_recv(n);
        self.core.now = now;
        self.process()?;
        Ok(n)
    }

    /// The transport ended. Without a prior close_notify this is a truncation:
    /// [`Event::PeerClosed`] with `clean: false`.
    ///
    /// During the handshake it is also a failure: the connection records
    /// [`Error::PeerClosedDuringHandshake`] `{ clean: false }` as its sticky error and
    /// returns it (no alert is queued: see that variant), and
    /// [`Connection::is_handshaking`] is false from then on.
    pub fn handle_eof(&mut self) -> Result<(), Error> {
        self.check_sticky()?;
        if self.peer_closed.is_none() {
            self.peer_closed = Some(false);
        }
        self.sent_close = true;
        if self.is_handshaking() {
            return Err(self.fail(Error::PeerClosedDuringHandshake { clean: false }));
        }
        Ok(())
    }

    /// The time is `now`: if the handshake is still running and its deadline
    /// ([`Connection::poll_timeout`]) has passed, the connection fails with the sticky
    /// [`Error::HandshakeTimeout`] (no alert is queued). Calling it early, late, or
    /// when no deadline is pending is harmless; a caller that never calls it gets no
    /// deadline beyond the check every `handle_recv*` makes.
    ///
    /// The deadline is absolute, counted from the `now` given to the constructor. A
    /// clock that steps backwards delays it by the step; one that steps forwards (a
    /// device setting its clock from the network in the middle of a handshake) can
    /// end the handshake early.
    pub fn handle_timeout(&mut self, now: UnixTime) -> Result<(), Error> {
        self.check_sticky()?;
        self.check_deadline(now)
    }

    /// The caller's clock was corrected from `from` to `to` (a device that learned the
    /// time from the network, say): time did not pass, so the handshake's deadline
    /// moves by the same step and stays as far ahead as it was. Later inputs must use
    /// the corrected clock. Without a deadline pending this does nothing.
    pub fn handle_clock_step(&mut self, from: UnixTime, to: UnixTime) {
        if let Some((at, _)) = &mut self.deadline {
            *at = if to >= from {
                at.saturating_add(to.saturating_duration_since(from))
            } else {
                UnixTime::from_millis(
                    at.as_millis()
                        .saturating_sub(from.as_millis() - to.as_millis()),
                )
            };
        }
    }

    /// `n` bytes of [`Connection::poll_transmit`] were written to the transport.
    pub fn handle_transmitted(&mut self, n: usize) -> Result<(), Error> {
        if n > self.core.tx.pending().len() {
            return Err(ApiMisuse::TransmitOverflow.into());
        }
        self.core.tx.start += n;
        Ok(())
    }

    // ---- Commands ------------------------------------------------------------------

    /// Queues application data; returns how many bytes were taken (all of them unless
    /// the transmit buffer is full: transmit and call again).
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.check_sticky()?;
        if self.sent_close {
            return Err(ApiMisuse::Closed.into());
        }
        if !matches!(self.state, State::Traffic) {
            return Err(ApiMisuse::HandshakeNotComplete.into());
        }
        let max = self.core.fragmenter.max_fragment_len();
        let mut taken = 0;
        while taken < data.len() {
            let chunk = &data[taken..(taken + max).min(data.len())];
            if self.core.tx.free().len() < self.core.sealer.sealed_len(chunk.len()) {
                break;
            }
            // A failure here (the sequence number exhausted) is fatal like any other:
            // sticky, with its alert queued.
            if let Err(e) = self
                .core
                .write_records(ContentType::APPLICATION_DATA, chunk)
            {
                return Err(self.fail(e));
            }
            taken += chunk.len();
        }
        Ok(taken)
    }

    /// Sends close_notify (RFC 5246 §7.2.1); nothing more can be sent. Received data
    /// is still delivered until the peer closes too.
    pub fn close(&mut self) {
        if !self.sent_close && self.error.is_none() {
            self.core
                .send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY);
            self.sent_close = true;
        }
    }

    /// Only the first `used` bytes of the last [`Event::AppData`] were used: the rest
    /// is delivered again, by the next [`Connection::poll_event`] that returns
    /// application data. For callers that read into a buffer smaller than a record (a
    /// `Read` adapter), so they need no buffer of their own. `used` larger than what
    /// the last event handed out is an [`ApiMisuse::AppDataOverrun`].
    pub fn app_data_used(&mut self, used: usize) -> Result<(), Error> {
        if used > self.app_taken {
            return Err(ApiMisuse::AppDataOverrun.into());
        }
        self.app_taken = used;
        Ok(())
    }

    // ---- Outputs -------------------------------------------------------------------

    /// Bytes to write to the transport; report progress with
    /// [`Connection::handle_transmitted`].
    pub fn poll_transmit(&self) -> &[u8] {
        self.core.tx.pending()
    }

    /// When the caller must next call [`Connection::handle_timeout`]: the handshake's
    /// deadline (the constructor's `now` plus the configured
    /// [`handshake_timeout`](crate::ClientConfigBuilder::handshake_timeout)) while the
    /// handshake runs; `None` once it completed or failed, or when no timeout is
    /// configured. quinn-proto's model: arm a timer for this instant, and on expiry
    /// call `handle_timeout(now)`; ask again after every input, as the answer changes
    /// when the handshake ends.
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        if self.is_handshaking() && self.error.is_none() {
            self.deadline.map(|(at, _)| at)
        } else {
            None
        }
    }

    /// The next event, in order: handshake completion, alerts and traces as they
    /// happened, then received application data, then the peer's close.
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        if self.app_taken > 0 {
            self.app_start += self.app_taken;
            self.app_taken = 0;
            if self.app_start == self.app_len {
                self.app_start = 0;
                self.app_len = 0;
            }
        }
        if let Some(q) = self.core.events.pop_front() {
            return Some(match q {
                Queued::HandshakeComplete => Event::HandshakeComplete,
                Queued::Alert(a) => Event::Alert(a),
                Queued::Trace(t) => Event::Trace(t),
            });
        }
        if self.app_len > self.app_start {
            self.app_taken = self.app_len - self.app_start;
            return Some(Event::AppData(&self.app_in[self.app_start..self.app_len]));
        }
        if let Some(clean) = self.peer_closed
            && !self.peer_closed_reported
        {
            self.peer_closed_reported = true;
            return Some(Event::PeerClosed { clean });
        }
        None
    }

    // ---- Internals -----------------------------------------------------------------

    fn check_sticky(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Fails with [`Error::HandshakeTimeout`] if the handshake runs past its deadline.
    fn check_deadline(&mut self, now: UnixTime) -> Result<(), Error> {
        match self.deadline {
            Some((at, after)) if self.is_handshaking() && now >= at => {
                Err(self.fail(Error::HandshakeTimeout { after }))
            }
            _ => Ok(()),
        }
    }

    /// Records a fatal error: queue its alert and stop.
    fn fail(&mut self, e: Error) -> Error {
        if let Some(alert) = e.alert() {
            self.core.send_alert(AlertLevel::FATAL, alert);
        }
        self.state = State::Failed;
        // Nothing is read any more: free the reassembly buffer.
        self.release_handshake_buffer();
        self.error = Some(e.clone());
        e
    }

    fn state_result(&mut self, r: Result<State, Error>) {
        match r {
            Ok(s) => self.state = s,
            Err(e) => {
                self.fail(e);
            }
        }
    }

    fn process(&mut self) -> Result<(), Error> {
        match self.process_records() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn process_records(&mut self) -> Result<(), Error> {
        loop {
            if self.peer_closed.is_some() {
                // Nothing after close_notify is read (RFC 5246 §7.2.1); complete records
                // are dropped so that the receive buffer does not fill up.
                while let Ok(Some(_)) = self.rx.next_record() {}
                return Ok(());
            }
            let Some(record) = self.rx.next_record()? else {
                break;
            };
            let opened = self.opener.open_in_place(record)?;
            // RFC 5246 §6.2.1 / Appendix E.1: once the hellos settled on TLS 1.2, every
            // record carries that version. (A ClientHello record may carry any 3.x.)
            if self.state.version_fixed() && opened.version != ProtocolVersion::TLS12 {
                return Err(PeerMisbehaved::WrongRecordVersion.into());
            }
            let ct = opened.content_type;
            let payload: &[u8] = opened.payload;
            if payload.is_empty() {
                self.empty_records += 1;
                if self.empty_records > MAX_EMPTY_RECORDS {
                    return Err(PeerMisbehaved::TooManyEmptyRecords.into());
                }
            } else {
                self.empty_records = 0;
            }
            if ct != ContentType::ALERT {
                self.warning_alerts = 0;
            }
            match ct {
                ContentType::HANDSHAKE => {
                    self.hs_in.push(payload)?;
                    self.process_handshake()?;
                }
                ContentType::CHANGE_CIPHER_SPEC => {
                    // RFC 5246 §7.1: ChangeCipherSpec comes between handshake messages,
                    // never inside one (it changes the keys under the rest of it).
                    // Alerts and, after the first handshake, application data may come
                    // between the records of a fragmented handshake message
                    // (§6.2.1: "Data of different TLS record layer content types MAY
                    // be interleaved").
                    self.hs_in.check_boundary()?;
                    ChangeCipherSpec::decode(payload)?;
                    if !self.state.expects_ccs() {
                        return Err(PeerMisbehaved::UnexpectedChangeCipherSpec.into());
                    }
                    self.core.trace_event(
                        Direction::Received,
                        TraceKind::ChangeCipherSpec,
                        1,
                        self.rx_protected,
                    );
                    let opener = self
                        .core
                        .pending_opener
                        .take()
                        .ok_or(PeerMisbehaved::UnexpectedChangeCipherSpec)?;
                    self.opener = opener;
                    self.rx_protected = true;
                    let state = core::mem::replace(&mut self.state, State::Failed);
                    self.state = match state {
                        State::Client(s) => State::Client(s.after_ccs()),
                        State::Server(s) => State::Server(s.after_ccs()),
                        other => other,
                    };
                }
                ContentType::ALERT => {
                    let alert = Alert::decode(payload)?;
                    self.handle_alert(alert)?;
                }
                ContentType::APPLICATION_DATA => {
                    if !matches!(self.state, State::Traffic) {
                        return Err(PeerMisbehaved::UnexpectedApplicationData.into());
                    }
                    let n = payload.len();
                    // `recv_buf` never lets in more ciphertext than fits here.
                    let dst = self
                        .app_in
                        .get_mut(self.app_len..self.app_len + n)
                        .ok_or(Error::Internal("application buffer overrun"))?;
                    dst.copy_from_slice(payload);
                    self.app_len += n;
                }
                _ => {
                    return Err(Error::InvalidMessage(
                        sanstls_wire::DecodeError::UnknownContentType(ct),
                    ));
                }
            }
        }
        Ok(())
    }

    fn handle_alert(&mut self, alert: Alert) -> Result<(), Error> {
        self.core.trace_event(
            Direction::Received,
            TraceKind::Alert(alert.level, alert.description),
            2,
            self.rx_protected,
        );
        if alert.description == AlertDescription::CLOSE_NOTIFY {
            // RFC 5246 §7.2.1: respond with our own close_notify and discard pending
            // writes' future.
            self.peer_closed = Some(true);
            if !self.sent_close {
                self.core
                    .send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY);
                self.sent_close = true;
            }
            if self.is_handshaking() {
                // A close during the handshake ends it without success: the peer gave
                // up (RFC 5246 §7.2.2 describes a cancelled handshake as user_canceled
                // followed by close_notify). The connection fails with no alert of its
                // own; the close_notify above is the answer §7.2.1 requires.
                return Err(Error::PeerClosedDuringHandshake { clean: true });
            }
            return Ok(());
        }
        if alert.level == AlertLevel::WARNING {
            self.warning_alerts += 1;
            if self.warning_alerts > MAX_WARNING_ALERTS {
                return Err(PeerMisbehaved::TooManyWarningAlerts.into());
            }
            if self.core.events.len() >= MAX_QUEUED_EVENTS {
                return Err(PeerMisbehaved::TooManyWarningAlerts.into());
            }
            self.core.events.push_back(Queued::Alert(alert.description));
            return Ok(());
        }
        // RFC 5246 §7.2: a fatal alert closes the connection at once; nothing is sent
        // back.
        Err(Error::AlertReceived(alert.description))
    }

    fn process_handshake(&mut self) -> Result<(), Error> {
        while let Some(frame) = self.hs_in.next_message()? {
            // RFC 5246 §7.3 / §7.2.2: a message out of order is unexpected_message,
            // decided on its type alone, before its body is read.
            if !self.state.expects(frame.typ, self.core.side) {
                return Err(PeerMisbehaved::UnexpectedHandshake(frame.typ).into());
            }
            let kx = self.state.key_exchange();
            let msg = HandshakeMessage::decode_body(frame.typ, frame.body, kx)?;
            self.core.trace_event(
                Direction::Received,
                TraceKind::Handshake(frame.typ),
                frame.raw.len(),
                self.rx_protected,
            );
            let state = core::mem::replace(&mut self.state, State::Failed);
            self.state = match (state, &self.role) {
                (State::Client(s), Role::Client(cfg)) => {
                    s.handle(&mut self.core, cfg, msg, frame.raw)?
                }
                (State::Server(s), Role::Server(cfg)) => {
                    s.handle(&mut self.core, cfg, msg, frame.raw)?
                }
                (State::Traffic, _) => {
                    Self::handshake_in_traffic(&mut self.core);
                    State::Traffic
                }
                _ => return Err(PeerMisbehaved::UnexpectedHandshake(frame.typ).into()),
            };
        }
        if matches!(self.state, State::Traffic) && !self.hs_in.has_partial() {
            // The handshake is over (or a refused renegotiation request was handled):
            // what the reassembler grew to for the peer's flight is not needed on the
            // record path. A later handshake message makes it grow again, within its
            // limits.
            self.release_handshake_buffer();
        }
        Ok(())
    }

    /// Replaces the handshake reassembler by an empty one, which holds no allocation.
    fn release_handshake_buffer(&mut self) {
        self.hs_in = Reassembler::new(self.hs_in.limits());
    }

    /// A handshake message after the handshake: a HelloRequest to a client or a
    /// ClientHello to a server asks for renegotiation, which sanstls refuses with a
    /// `no_renegotiation` warning (RFC 5246 §7.4.1.1, §7.2.2; RFC 5746 §4.2, §4.4).
    /// Anything else is unexpected.
    /// (Only those two types get here: [`State::expects`] refused the others.)
    fn handshake_in_traffic(core: &mut Core) {
        core.send_alert(AlertLevel::WARNING, AlertDescription::NO_RENEGOTIATION);
    }
}

/// The most plaintext one record may carry, for callers sizing their own buffers.
pub const MAX_FRAGMENT_LEN: usize = MAX_PLAINTEXT_LEN;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{client_config, server_config};

    /// Moves bytes both ways until neither side has anything to send.
    fn settle(a: &mut Connection, b: &mut Connection) {
        for _ in 0..100 {
            let ab = a.poll_transmit().to_vec();
            a.handle_transmitted(ab.len()).unwrap();
            let ba = b.poll_transmit().to_vec();
            b.handle_transmitted(ba.len()).unwrap();
            if ab.is_empty() && ba.is_empty() {
                return;
            }
            let now = UnixTime::from_secs(1_800_000_000);
            // (An empty slice would be end of file.)
            if !ab.is_empty() {
                b.handle_recv_bytes(&ab, now).unwrap();
            }
            if !ba.is_empty() {
                a.handle_recv_bytes(&ba, now).unwrap();
            }
            while a.poll_event().is_some() {}
            while b.poll_event().is_some() {}
        }
    }

    #[test]
    fn a_failed_send_is_sticky_and_queues_its_alert() {
        let now = UnixTime::from_secs(1_800_000_000);
        let mut rng = SeededRng::from_seed([1; 32]);
        let mut client = Connection::client(
            client_config().unwrap(),
            ServerName::try_from("localhost").unwrap(),
            now,
            &mut rng,
        )
        .unwrap();
        let mut server = Connection::server(server_config().unwrap(), now, &mut rng).unwrap();
        settle(&mut client, &mut server);
        assert!(
            matches!(client.state, State::Traffic),
            "{:?} {:?}",
            client.error(),
            server.error()
        );
        // The last sequence number is used; the next record cannot be protected
        // (RFC 5246 §6.1: sequence numbers "MUST NOT wrap").
        client.core.sealer.set_sequence_number(u64::MAX);
        client.send(b"last").unwrap();
        let sent = client.poll_transmit().len();
        let err = client.send(b"one too many").unwrap_err();
        assert_eq!(err, Error::Internal("record sequence number exhausted"));
        assert_eq!(client.error(), Some(&err));
        assert_eq!(client.send(b"again"), Err(err.clone()));
        assert_eq!(client.handle_recv_bytes(&[23], now), Err(err));
        // The connection failed as it does on any fatal error. Its internal_error
        // alert cannot go out here: sealing it needs a sequence number too, and
        // nothing may be sent unprotected now (so the output is unchanged).
        assert!(matches!(client.state, State::Failed));
        assert_eq!(client.poll_transmit().len(), sent);
        assert!(
            !client.is_closed(),
            "the last record still waits to be sent"
        );
        client.handle_transmitted(sent).unwrap();
        assert!(client.is_closed());
    }
}
