//! The record path, receiving side: records out of the receive buffer, opened in place,
//! turned into handshake inputs, alerts and application data.
//!
//! Application data is never copied: a record is decrypted where it arrived, and its
//! plaintext is lent to the caller from there ([`Rx::app_data`]) until consumed. While
//! it is, no further record is processed (they wait, complete or not, behind it in the
//! buffer) and the buffer is not compacted, so the plaintext stays put.
//!
//! The buffer follows the largest record the peer may send ([`Opener::max_record_len`]:
//! the negotiated plaintext limit plus what the protection adds). During the handshake
//! it may start smaller and grow, within that bound, when a longer record's header
//! arrives; when the hellos settle a limit or the peer's ChangeCipherSpec installs its
//! protection, it is set to the bound, so the record path never allocates.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use sanstls_record::{Deframer, Opener};
use sanstls_wire::alert::{Alert, ChangeCipherSpec};
use sanstls_wire::codec::Codec;
use sanstls_wire::enums::{
    AlertDescription, AlertLevel, ContentType, KeyExchange, ProtocolVersion,
};
use sanstls_wire::handshake::HandshakeMessage;
use sanstls_wire::reassembler::{Limits, Reassembler};

use crate::core::{Core, MAX_QUEUED_EVENTS, Queued};
use crate::error::{Error, PeerMisbehaved};
use crate::event::{Direction, TraceKind};
use crate::hs::Input;
use crate::state::{Effects, Role, State};

/// How many empty records in a row are tolerated before the peer is considered to be
/// wasting our time.
const MAX_EMPTY_RECORDS: u8 = 32;
/// How many warning alerts in a row are tolerated.
const MAX_WARNING_ALERTS: u8 = 4;

/// The receiving side of a connection.
pub(crate) struct Rx {
    deframer: Deframer<Box<[u8]>>,
    /// Inline, as the transmit side's sealer (see `Core::sealer`).
    opener: Opener,
    /// Whether the peer's records are protected (after its ChangeCipherSpec).
    protected: bool,
    hs_in: Reassembler<Vec<u8>>,
    /// Received application data not consumed yet: a range of the deframer's buffer.
    app: Range<usize>,
    empty_records: u8,
    warning_alerts: u8,
    /// The transport ended ([`crate::Connection::handle_eof`]).
    eof: bool,
    /// `Some(clean)` once the peer will send nothing more: its close_notify was
    /// processed (`true`), or the transport ended and every record before the end was
    /// (`false`).
    pub(crate) peer_closed: Option<bool>,
}

impl Rx {
    /// A receiving side with `buf` (zeroed) to start with (it grows, up to
    /// a full record, while the handshake needs it) and handshake messages bounded by
    /// `limits`.
    pub(crate) fn new(buf: Box<[u8]>, limits: Limits) -> Self {
        Rx {
            deframer: Deframer::new(buf),
            opener: Opener::null(),
            protected: false,
            hs_in: Reassembler::new(limits),
            app: 0..0,
            empty_records: 0,
            warning_alerts: 0,
            eof: false,
            peer_closed: None,
        }
    }

    /// The application data waiting for the caller.
    pub(crate) fn app_data(&self) -> &[u8] {
        &self.deframer.buffer()[self.app.clone()]
    }

    /// Marks `n` bytes of the application data as used (at most all of them); `true`
    /// when none is left, so that processing may go on.
    pub(crate) fn consume(&mut self, n: usize) -> bool {
        self.app.start = (self.app.start + n).min(self.app.end);
        if self.app.is_empty() {
            self.app = 0..0;
            true
        } else {
            false
        }
    }

    /// Room to read transport bytes into. While application data is lent out the
    /// buffer is not compacted (the data must stay where it is), so the room may be
    /// smaller, or empty until the data is consumed.
    pub(crate) fn recv_buf(&mut self) -> &mut [u8] {
        if self.app.is_empty() {
            // A record longer than the buffer is arriving: make room for it, if the
            // peer may send it (otherwise processing refuses it as soon as its header
            // is here, before this is called again).
            if let Ok(Some(len)) = self.deframer.pending_record_len()
                && len > self.deframer.capacity()
                && len <= self.opener.max_record_len()
            {
                // If the heap cannot hold it, the buffer stays as it is and processing
                // reports the error when the record's header is looked at again.
                let _ = self.deframer.resize(len);
            }
            self.deframer.recv_buf()
        } else {
            self.deframer.recv_buf_in_place()
        }
    }

    /// Applies what a transition changed: new protection (the buffer is set to the
    /// largest record it admits) or a limit on the peer's records. (A function of the
    /// fields it changes, so that it can run while a handshake message borrows the
    /// reassembler.)
    fn apply(
        deframer: &mut Deframer<Box<[u8]>>,
        opener: &mut Opener,
        protected: &mut bool,
        effects: Effects,
    ) -> Result<(), Error> {
        let resize = |deframer: &mut Deframer<Box<[u8]>>, len: usize| {
            deframer
                .resize(len)
                .map_err(|_| Error::OutOfMemory { bytes: len })
        };
        if let Some(limit) = effects.receive_limit {
            opener.set_max_plaintext_len(limit);
            let max = opener.max_record_len();
            if deframer.capacity() > max {
                // Pending bytes beyond it belong to a record that is too long: refused
                // when processed (the resize is then refused and changes nothing).
                resize(deframer, max)?;
            }
        }
        if let Some(new) = effects.opener {
            *opener = *new;
            *protected = true;
            resize(deframer, opener.max_record_len())?;
        }
        Ok(())
    }

    /// `n` bytes were read into [`Rx::recv_buf`].
    pub(crate) fn handle_recv(&mut self, n: usize) {
        self.deframer.handle_recv(n);
    }

    /// The transport ended. During the handshake every complete record was processed
    /// already, so the end is the peer's last word at once; after it, once the
    /// records still waiting behind application data are.
    pub(crate) fn handle_eof(&mut self, handshaking: bool) {
        self.eof = true;
        if handshaking && self.peer_closed.is_none() {
            self.peer_closed = Some(false);
        }
    }

    /// Frees the handshake reassembly buffer (it grows again if a handshake message
    /// comes, within its limits).
    pub(crate) fn release_handshake_buffer(&mut self) {
        self.hs_in = Reassembler::new(self.hs_in.limits());
    }

    /// Processes every complete record until application data arrives for the caller
    /// (or none is left), moving `state` along.
    pub(crate) fn process(
        &mut self,
        state: &mut State,
        core: &mut Core,
        role: &Role,
    ) -> Result<(), Error> {
        while self.app.is_empty() {
            if self.peer_closed.is_some() {
                // Nothing after close_notify is read (RFC 5246 §7.2.1); complete records
                // are dropped so that the receive buffer does not fill up.
                while let Ok(Some(_)) = self.deframer.next_record() {}
                return Ok(());
            }
            if !self.next_record(state, core, role)? {
                if self.eof {
                    // Every record before the end was read: the end is now the peer's
                    // last word, without a close_notify.
                    self.peer_closed = Some(false);
                }
                break;
            }
        }
        if matches!(state, State::Traffic) && !self.hs_in.has_partial() {
            // The handshake is over (or a refused renegotiation request was handled):
            // what the reassembler grew to for the peer's flight is not needed on the
            // record path.
            self.release_handshake_buffer();
        }
        Ok(())
    }

    /// Processes the next complete record; `false` when there is none.
    fn next_record(
        &mut self,
        state: &mut State,
        core: &mut Core,
        role: &Role,
    ) -> Result<bool, Error> {
        // A record longer than the peer may send is record_overflow (RFC 5246 §6.2.3,
        // RFC 6066 §4, RFC 8449 §4) as soon as its header is here; one that may be sent
        // but does not fit the buffer yet (during the handshake) makes it grow.
        if let Some(len) = self.deframer.pending_record_len()? {
            if len > self.opener.max_record_len() {
                return Err(PeerMisbehaved::RecordOverflow.into());
            }
            if len > self.deframer.capacity() {
                self.deframer
                    .resize(len)
                    .map_err(|_| Error::OutOfMemory { bytes: len })?;
            }
        }
        let Some((at, record)) = self.deframer.next_record_at()? else {
            return Ok(false);
        };
        let opened = self.opener.open_in_place(record).map_err(|e| {
            // RFC 4279 §2: in a PSK suite the first protected record (the peer's
            // Finished) fails to open when the keys differ, which "MUST" be answered
            // with decrypt_error rather than bad_record_mac.
            let psk = state.key_exchange().is_some_and(KeyExchange::is_psk);
            match e {
                sanstls_record::Error::BadRecordMac if psk => PeerMisbehaved::PskKeyMismatch.into(),
                e => Error::from(e),
            }
        })?;
        // RFC 5246 §6.2.1 / Appendix E.1: once the hellos settled on TLS 1.2, every
        // record carries that version. (A ClientHello record may carry any 3.x.)
        if state.version_fixed() && opened.version != ProtocolVersion::TLS12 {
            return Err(PeerMisbehaved::WrongRecordVersion.into());
        }
        let ct = opened.content_type;
        let payload_at = at + opened.payload_offset;
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
                self.process_handshake(state, core, role)?;
            }
            ContentType::CHANGE_CIPHER_SPEC => {
                // RFC 5246 §7.1: ChangeCipherSpec comes between handshake messages,
                // never inside one (it changes the keys under the rest of it). Alerts
                // and, after the first handshake, application data may come between the
                // records of a fragmented handshake message (§6.2.1: "Data of
                // different TLS record layer content types MAY be interleaved").
                self.hs_in.check_boundary()?;
                ChangeCipherSpec::decode(payload)?;
                self.process_ccs(state, core, role)?;
            }
            ContentType::ALERT => {
                let alert = Alert::decode(payload)?;
                self.handle_alert(alert, state, core)?;
            }
            ContentType::APPLICATION_DATA => {
                if !matches!(state, State::Traffic) {
                    return Err(PeerMisbehaved::UnexpectedApplicationData.into());
                }
                self.app = payload_at..payload_at + payload.len();
            }
            _ => {
                return Err(Error::InvalidMessage(
                    sanstls_wire::DecodeError::UnknownContentType(ct),
                ));
            }
        }
        Ok(true)
    }

    fn handle_alert(&mut self, alert: Alert, state: &State, core: &mut Core) -> Result<(), Error> {
        core.trace_event(
            Direction::Received,
            TraceKind::Alert(alert.level, alert.description),
            2,
            self.protected,
        );
        if alert.description == AlertDescription::CLOSE_NOTIFY {
            // RFC 5246 §7.2.1: respond with our own close_notify.
            self.peer_closed = Some(true);
            if !core.sent_close {
                core.send_alert(AlertLevel::WARNING, AlertDescription::CLOSE_NOTIFY);
                core.sent_close = true;
            }
            if state.is_handshaking() {
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
            // Only waiting alerts count against the queue's bound: traces (opt-in) must not
            // change how a connection ends, or a traced replay would differ from the run.
            let waiting_alerts = core
                .events
                .iter()
                .filter(|e| matches!(e, Queued::Alert(_)))
                .count();
            if self.warning_alerts > MAX_WARNING_ALERTS || waiting_alerts >= MAX_QUEUED_EVENTS {
                return Err(PeerMisbehaved::TooManyWarningAlerts.into());
            }
            core.events.push_back(Queued::Alert(alert.description));
            return Ok(());
        }
        // RFC 5246 §7.2: a fatal alert closes the connection at once; nothing is sent
        // back.
        Err(Error::AlertReceived(alert.description))
    }

    /// The peer's ChangeCipherSpec: the state installs its protection. (Never inlined,
    /// as [`Rx::process_handshake`]: each keeps its state moves in its own frame, not in
    /// that of the record loop.)
    #[inline(never)]
    fn process_ccs(
        &mut self,
        state: &mut State,
        core: &mut Core,
        role: &Role,
    ) -> Result<(), Error> {
        let (next, effects) =
            core::mem::replace(state, State::Failed).handle(core, role, Input::ChangeCipherSpec)?;
        *state = next;
        core.trace_event(
            Direction::Received,
            TraceKind::ChangeCipherSpec,
            1,
            self.protected,
        );
        Self::apply(
            &mut self.deframer,
            &mut self.opener,
            &mut self.protected,
            effects,
        )
    }

    #[inline(never)]
    fn process_handshake(
        &mut self,
        state: &mut State,
        core: &mut Core,
        role: &Role,
    ) -> Result<(), Error> {
        while let Some(frame) = self.hs_in.next_message()? {
            // RFC 5246 §7.3 / §7.2.2: a message out of order is unexpected_message,
            // decided on its type alone, before its body is read.
            if !state.expects(frame.typ, core.side) {
                return Err(PeerMisbehaved::UnexpectedHandshake(frame.typ).into());
            }
            let msg = HandshakeMessage::decode_body_in::<{ crate::core::RECEIVED }>(
                frame.typ,
                frame.body,
                state.key_exchange(),
            )?;
            core.trace_event(
                Direction::Received,
                TraceKind::Handshake(frame.typ),
                frame.raw.len(),
                self.protected,
            );
            let (next, effects) = core::mem::replace(state, State::Failed).handle(
                core,
                role,
                Input::Handshake(msg, frame.raw),
            )?;
            *state = next;
            // Only a ChangeCipherSpec installs protection; a limit applies to the next
            // records at once.
            debug_assert!(effects.opener.is_none());
            Self::apply(
                &mut self.deframer,
                &mut self.opener,
                &mut self.protected,
                effects,
            )?;
        }
        Ok(())
    }
}
