//! The [`Connection`]: the public API. What it holds is in [`crate::core`] (the
//! transmit side and what the handshake acts on), [`crate::records`] (the receive side)
//! and [`crate::state`] (where the handshake stands).
//!
//! Buffers:
//! - the receive buffer holds one record of the largest size the peer may send; records
//!   are opened in it, and application data is lent to the caller from it
//!   ([`Connection::app_data`], [`Connection::read`]). It starts at the size of this
//!   side's own `max_fragment_len` (a server's at a full record), grows during the
//!   handshake up to what the peer may still send, and is set to the negotiated size
//!   (max_fragment_length, record_size_limit, or a full record of the suite) when the
//!   peer's protection starts;
//! - the transmit buffer holds the largest flight this side can send (sized from the
//!   configured certificates and the fragment size) plus one record of the configured
//!   `max_fragment_len`, the longest this side ever sends; once the handshake is over and
//!   its flight transmitted it shrinks to one record of the negotiated size and an alert.
//!
//! After the handshake nothing is allocated. Handshake messages are reassembled in a
//! growable buffer bounded by [`sanstls_wire::reassembler::Limits`]; it grows only while
//! handshake messages arrive, and is freed when the handshake ends.

use crate::Shared;
use alloc::vec::Vec;
use core::time::Duration;

use sanstls_crypto::rng::{CryptoRng, SeededRng};
use sanstls_keys::Side;
use sanstls_pki::{ServerName, UnixTime};
use sanstls_record::Fragmenter;
use sanstls_wire::enums::{AlertDescription, AlertLevel, ContentType};
use sanstls_wire::record::{HEADER_LEN, MAX_PLAINTEXT_LEN};

#[cfg(feature = "client")]
use crate::config::ClientConfig;
use crate::config::Common;
#[cfg(feature = "server")]
use crate::config::ServerConfig;
use crate::core::{Core, Queued};
use crate::error::{ApiMisuse, Error};
use crate::event::Event;
use crate::limits;
use crate::negotiated::Negotiated;
use crate::records::Rx;
use crate::state::{Role, State};
use crate::txbuf::TxBuf;

/// Per-record expansion under CBC protection, an upper bound: header, IV, MAC (at most
/// SHA-256's 32 bytes) and padding (at most 16 bytes with its length byte).
const MAX_RECORD_OVERHEAD: usize = HEADER_LEN + 16 + 32 + 16;
/// The most records beyond `flight / max_fragment_len` that the transmit buffer may
/// hold at once if the caller does not transmit between flights: each message of a
/// handshake (a server's ServerHello, Certificate, ServerKeyExchange,
/// CertificateRequest, ServerHelloDone, ChangeCipherSpec, Finished; a client's six are
/// fewer) may end in a partial record, and a fatal alert may follow.
const MAX_MESSAGES_BUFFERED: usize = 8;

/// A TLS 1.2 connection, client or server, without IO.
///
/// The caller moves bytes between the connection and its transport, reads received
/// application data, and polls events; the methods come in four groups, in this order:
/// getters, inputs (`handle_*`), commands (`send`, `read`, `consume`, `close`) and
/// outputs (`poll_*`).
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
    /// (The large parts live on the heap: see [`crate::txbuf::Boxed`].)
    core: crate::txbuf::Boxed<Core>,
    rx: crate::txbuf::Boxed<Rx>,
    peer_closed_reported: bool,
    /// Whether the transmit buffer was cut to its size for application data.
    tx_trimmed: bool,
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
            .field("app_data", &self.rx.app_data().len())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A client connection to `server_name`; the ClientHello is ready in
    /// [`Connection::poll_transmit`] on return. `server_name` is checked against the
    /// server's certificate, and sent in server_name (RFC 6066 §3) when it is a DNS name.
    #[cfg(feature = "client")]
    pub fn client(
        config: Shared<ClientConfig>,
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
        let common = &config.common;
        let alpn: usize = common.alpn.iter().map(|p| p.len() + 1).sum();
        let client_auth = config
            .client_cert()
            .map_or(0, |k| k.encoded_len() + k.key().max_signature_len() + 8);
        let flight = 2048 + alpn + 64 * common.suites.len() + client_auth;
        Self::new(Role::Client(config), Some(server_name), flight, now, rng)
    }

    /// A server connection; it waits for a ClientHello.
    #[cfg(feature = "server")]
    pub fn server(
        config: Shared<ServerConfig>,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, Error> {
        // The first flight: ServerHello (< 1 KiB with ALPN), Certificate, a
        // ServerKeyExchange with an 8192-bit group and signature (< 4 KiB),
        // ServerHelloDone.
        // With client authentication, a CertificateRequest too.
        let flight = config.max_chain_len + config.cert_request_len + 6 * 1024;
        Self::new(Role::Server(config), None, flight, now, rng)
    }

    /// Makes the connection and enters its first state (a client sends its
    /// ClientHello). The buffers are reserved fallibly ([`Error::OutOfMemory`]). (One
    /// function, building the connection where it is returned: a connection is a few
    /// KB, and every move of it would be a copy on the stack.) Never inlined: its frame
    /// (the parts before they are moved in) would otherwise stay in the caller's frame
    /// for as long as the caller runs, on a device for the connection's whole life.
    #[inline(never)]
    fn new(
        role: Role,
        server_name: Option<ServerName>,
        flight: usize,
        now: UnixTime,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, Error> {
        let common: &Common = role.common();
        let frag = common.max_fragment_len;
        // Every handshake message is fragmented on its own, so a flight of `flight`
        // bytes takes at most `flight / frag` records plus one per message; add the
        // alerts that may follow it.
        let records = flight.div_ceil(frag) + MAX_MESSAGES_BUFFERED;
        // The "one record" part: the largest record this side sends is `frag` bytes of
        // plaintext (the fragmenter and `send` never make a longer one), so a device
        // that sends small records does not pay for a full 2^14-byte record here.
        let tx_len = flight + records * MAX_RECORD_OVERHEAD + frag + MAX_RECORD_OVERHEAD;
        let tx = TxBuf::new(tx_len)?;
        // A client that asks for small records starts with a small receive buffer; it
        // grows if the server ignores the request. A server cannot know before the
        // ClientHello.
        let first = match role.side() {
            Side::Client => usize::from(limits::advertised_rsl(frag)),
            Side::Server => MAX_PLAINTEXT_LEN,
        };
        let rx_buf = crate::txbuf::zeroed(HEADER_LEN + first.min(MAX_PLAINTEXT_LEN))?;
        let deadline = common
            .handshake_timeout
            .map(|after| (now.saturating_add(after), after));
        // The large parts go to the heap, so that the connection itself is small.
        let mut conn = Connection {
            core: crate::txbuf::Boxed::new(Core::new(
                role.side(),
                SeededRng::from_rng(rng),
                now,
                tx,
                Fragmenter::new(frag),
                common.trace,
                common.key_log.clone(),
                common.provider.clone(),
            ))?,
            rx: crate::txbuf::Boxed::new(Rx::new(rx_buf, common.limits()))?,
            role,
            state: State::Failed,
            peer_closed_reported: false,
            tx_trimmed: false,
            error: None,
            deadline,
        };
        conn.state = State::start(&conn.role, &mut conn.core, server_name)?;
        Ok(conn)
    }

    // ---- Getters -------------------------------------------------------------------

    /// Whether this is the client or the server.
    pub fn side(&self) -> Side {
        self.core.side
    }

    /// Whether the handshake is still running (false once it completed or failed).
    pub fn is_handshaking(&self) -> bool {
        self.state.is_handshaking()
    }

    /// Whether the connection has nothing more to do: it failed, or both sides closed
    /// (or the transport ended), and every pending byte was transmitted.
    pub fn is_closed(&self) -> bool {
        let done = self.error.is_some() || (self.core.sent_close && self.rx.peer_closed.is_some());
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

    /// The premaster secret of the latest key exchange (fuzzing builds only; for the
    /// structure-aware fuzz targets, which play a peer that alters the handshake).
    #[cfg(feature = "fuzzing")]
    #[doc(hidden)]
    pub fn fuzz_premaster(&self) -> Option<&[u8]> {
        self.core.fuzz_premaster.as_deref().map(Vec::as_slice)
    }

    /// Received application data the caller has not consumed: the plaintext of one
    /// record, lent straight from the receive buffer where it was decrypted (no copy).
    /// Empty when none is waiting. Mark what was used with [`Connection::consume`]; the
    /// next record is processed only once all of it is.
    pub fn app_data(&self) -> &[u8] {
        self.rx.app_data()
    }

    /// Room to read transport bytes into; report how many were written with
    /// [`Connection::handle_recv`]. While application data waits to be consumed it may
    /// be smaller than usual, or empty.
    pub fn recv_buf(&mut self) -> &mut [u8] {
        self.rx.recv_buf()
    }

    // ---- Inputs --------------------------------------------------------------------

    /// `n` bytes were read into [`Connection::recv_buf`]; processes every complete
    /// record, up to the first application data. `n == 0` means the transport reached
    /// end of file ([`Connection::handle_eof`]: an error during the handshake).
    ///
    /// On a protocol error the fatal alert for the peer is queued: transmit
    /// [`Connection::poll_transmit`] before closing the transport.
    pub fn handle_recv(&mut self, n: usize, now: UnixTime) -> Result<(), Error> {
        self.check_sticky()?;
        self.check_deadline(now)?;
        if n == 0 {
            return self.handle_eof();
        }
        if n > self.rx.recv_buf().len() {
            return Err(ApiMisuse::RecvOverflow.into());
        }
        self.rx.handle_recv(n);
        self.core.now = now;
        self.process()
    }

    /// Copies transport bytes in (for completion-style IO) and processes them. Returns
    /// how many bytes were taken: fewer than `data.len()` only while received
    /// application data waits to be consumed. An empty `data` is end of file
    /// ([`Connection::handle_eof`]).
    pub fn handle_recv_bytes(&mut self, data: &[u8], now: UnixTime) -> Result<usize, Error> {
        self.check_sticky()?;
        self.check_deadline(now)?;
        if data.is_empty() {
            self.handle_eof()?;
            return Ok(0);
        }
        let buf = self.rx.recv_buf();
        let n = buf.len().min(data.len());
        buf[..n].copy_from_slice(&data[..n]);
        self.rx.handle_recv(n);
        self.core.now = now;
        self.process()?;
        Ok(n)
    }

    /// The transport ended. Without a prior close_notify this is a truncation:
    /// [`Event::PeerClosed`] with `clean: false`, once the records received before the
    /// end were read.
    ///
    /// During the handshake it is also a failure: the connection records
    /// [`Error::PeerClosedDuringHandshake`] `{ clean: false }` as its sticky error and
    /// returns it (no alert is queued: see that variant), and
    /// [`Connection::is_handshaking`] is false from then on.
    pub fn handle_eof(&mut self) -> Result<(), Error> {
        self.check_sticky()?;
        let handshaking = self.is_handshaking();
        self.rx.handle_eof(handshaking);
        self.core.sent_close = true;
        if self.is_handshaking() {
            return Err(self.fail(Error::PeerClosedDuringHandshake { clean: false }));
        }
        self.process()
    }

    /// `n` bytes of [`Connection::poll_transmit`] were written to the transport.
    pub fn handle_transmitted(&mut self, n: usize) -> Result<(), Error> {
        if !self.core.tx.transmitted(n) {
            return Err(ApiMisuse::TransmitOverflow.into());
        }
        self.trim_tx();
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
    /// end the handshake early, unless the step is reported with
    /// [`Connection::handle_clock_step`].
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

    // ---- Commands ------------------------------------------------------------------

    /// Queues application data; returns how many bytes were taken (all of them unless
    /// the transmit buffer is full: transmit and call again).
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.check_sticky()?;
        if self.core.sent_close {
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

    /// Marks the first `n` bytes of [`Connection::app_data`] as used. Once all of it is,
    /// the records received after it are processed (they may bring more application
    /// data, alerts, the peer's close); an error they cause is returned here, and is
    /// sticky as always. `n` larger than what is waiting is an
    /// [`ApiMisuse::AppDataOverrun`] (nothing is consumed).
    pub fn consume(&mut self, n: usize) -> Result<(), Error> {
        if n > self.rx.app_data().len() {
            return Err(ApiMisuse::AppDataOverrun.into());
        }
        if n > 0 && self.rx.consume(n) {
            self.check_sticky()?;
            self.process()?;
        }
        Ok(())
    }

    /// Copies received application data into `buf` and consumes it
    /// ([`Connection::app_data`] + [`Connection::consume`]); returns how many bytes were
    /// copied: 0 when none is waiting (see [`Event::PeerClosed`] for the end of the
    /// stream). Reads stop at record boundaries.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let data = self.rx.app_data();
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        self.consume(n)?;
        Ok(n)
    }

    /// Sends close_notify (RFC 5246 §7.2.1); nothing more can be sent. Received data
    /// is still delivered until the peer closes too.
    pub fn close(&mut self) {
        if !self.core.sent_close && self.error.is_none() {
            self.core
                .send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY);
            self.core.sent_close = true;
        }
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
    /// happened, then the peer's close (after the application data received before it
    /// was consumed).
    pub fn poll_event(&mut self) -> Option<Event> {
        if let Some(q) = self.core.events.pop_front() {
            return Some(match q {
                Queued::HandshakeComplete => Event::HandshakeComplete {
                    resumed: self.core.negotiated.as_ref().is_some_and(|n| n.resumed),
                },
                Queued::Alert(a) => Event::Alert(a),
                Queued::Trace(t) => Event::Trace(t),
            });
        }
        if let Some(clean) = self.rx.peer_closed
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
        if e.alert().is_some() || matches!(e, Error::AlertReceived(_)) {
            self.invalidate_session();
        }
        self.state = State::Failed;
        // Nothing is read any more: free the reassembly buffer.
        self.rx.release_handshake_buffer();
        self.error = Some(e.clone());
        e
    }

    /// RFC 5246 §7.2: after a fatal alert, sent or received, "the session identifier
    /// MUST be invalidated, preventing the failed session from being used to
    /// establish new connections": the client forgets its session with this server,
    /// the server drops this connection's session ID from its cache. (A ticket cannot
    /// be recalled; the client no longer holds it.)
    fn invalidate_session(&mut self) {
        let name = core::mem::take(&mut self.core.session_name);
        if name.is_empty() {
            return;
        }
        match &self.role {
            #[cfg(feature = "client")]
            Role::Client(c) => {
                if let (Some(store), Ok(name)) = (c.session_store(), core::str::from_utf8(&name)) {
                    store.remove(name);
                }
            }
            #[cfg(feature = "server")]
            Role::Server(s) => {
                if let Some(store) = s.session_store() {
                    store.take(&name);
                }
            }
        }
    }

    /// Processes the received records; a protocol error is fatal.
    fn process(&mut self) -> Result<(), Error> {
        match self.rx.process(&mut self.state, &mut self.core, &self.role) {
            Ok(()) => {
                self.trim_tx();
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Once the handshake is over and its flights are out, cuts the transmit buffer to
    /// what application data needs: one record of the negotiated size and an alert.
    /// (Here and not on the record path: the first input or transmission after the
    /// handshake does it.)
    fn trim_tx(&mut self) {
        if !self.tx_trimmed
            && matches!(self.state, State::Traffic)
            && self.core.tx.pending().is_empty()
        {
            let record = self
                .core
                .sealer
                .sealed_len(self.core.fragmenter.max_fragment_len());
            let alert = self.core.sealer.sealed_len(2);
            // A shrink: if even the smaller buffer cannot be had, the larger one keeps
            // working, and nothing is lost by keeping it.
            let _ = self.core.tx.resize(record + alert);
            self.tx_trimmed = true;
        }
    }
}

/// The most plaintext one record may carry, for callers sizing their own buffers.
pub const MAX_FRAGMENT_LEN: usize = MAX_PLAINTEXT_LEN;

#[cfg(all(test, feature = "client", feature = "server"))]
mod tests {
    use super::*;
    use crate::config::CertifiedKey;

    const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

    fn configs() -> (Shared<ClientConfig>, Shared<ServerConfig>) {
        let root = include_str!("../../../testdata/ca-root.cert.pem");
        let anchors = sanstls_pki::TrustAnchors::from_pem_bundle(root).unwrap();
        let client = ClientConfig::builder()
            .trust_anchors(anchors)
            .build()
            .unwrap();
        let key = CertifiedKey::from_pem(
            include_str!("../../../testdata/server-rsa2048.chain.pem"),
            include_str!("../../../testdata/server-rsa2048.rsa.pem"),
        )
        .unwrap();
        let server = ServerConfig::builder().single_cert(key).build().unwrap();
        (Shared::new(client), Shared::new(server))
    }

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
            // (An empty slice would be end of file.)
            if !ab.is_empty() {
                b.handle_recv_bytes(&ab, NOW).unwrap();
            }
            if !ba.is_empty() {
                a.handle_recv_bytes(&ba, NOW).unwrap();
            }
            while a.poll_event().is_some() {}
            while b.poll_event().is_some() {}
        }
    }

    #[test]
    fn a_failed_send_is_sticky_and_fatal() {
        let (client_config, server_config) = configs();
        let mut rng = SeededRng::from_seed([1; 32]);
        let mut client = Connection::client(
            client_config,
            ServerName::try_from("localhost").unwrap(),
            NOW,
            &mut rng,
        )
        .unwrap();
        let mut server = Connection::server(server_config, NOW, &mut rng).unwrap();
        settle(&mut client, &mut server);
        assert!(matches!(client.state, State::Traffic));
        // The last sequence number is used; the next record cannot be protected
        // (RFC 5246 §6.1: sequence numbers "MUST NOT wrap").
        client.core.sealer.set_sequence_number(u64::MAX);
        client.send(b"last").unwrap();
        let sent = client.poll_transmit().len();
        let err = client.send(b"one too many").unwrap_err();
        assert_eq!(
            err,
            Error::Internal(crate::error::InternalError::SequenceExhausted)
        );
        assert_eq!(client.error(), Some(&err));
        assert_eq!(client.send(b"again"), Err(err.clone()));
        assert_eq!(client.handle_recv_bytes(&[23], NOW), Err(err));
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
