//! What both roles share in the handshake: the inputs a state reacts to and what it
//! returns, the data gathered along the way, the key derivation, and the
//! ChangeCipherSpec / Finished exchange (RFC 5246 §7.1, §7.4.9).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use sanstls_keys::suite::SuiteInfo;
use sanstls_keys::transcript::Transcript;
use sanstls_keys::{MasterSecret, Side, VerifyData, verify_data_eq};
use sanstls_record::{CbcMode, Opener, Sealer};
use sanstls_wire::enums::{HandshakeType, ProtocolVersion};
use sanstls_wire::handshake::{Finished, HandshakeMessage};

use crate::core::Core;
use crate::error::{Error, InternalError, PeerMisbehaved};
use crate::limits::RecordLimits;
use crate::negotiated::Negotiated;
use crate::session::Session;

/// What a handshake state reacts to: the records of the handshake, in order.
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    /// A whole handshake message, decoded, with its encoding (header included) for the
    /// transcript.
    Handshake(HandshakeMessage<'a>, &'a [u8]),
    /// A ChangeCipherSpec (RFC 5246 §7.1): the peer's next record is protected.
    ChangeCipherSpec,
}

impl Input<'_> {
    /// The error for an input the current state does not accept (RFC 5246 §7.3: the
    /// handshake messages "MUST be sent in the order specified"; §7.1: a
    /// ChangeCipherSpec out of place).
    pub(crate) fn unexpected(&self) -> Error {
        match self {
            Input::Handshake(msg, _) => unexpected(msg.typ()),
            Input::ChangeCipherSpec => PeerMisbehaved::UnexpectedChangeCipherSpec.into(),
        }
    }
}

/// Where a handshake state goes after an input.
pub(crate) enum Next<S> {
    /// Another state of the same role's handshake.
    Handshake(S),
    /// The handshake is complete: application data flows.
    Traffic,
}

/// A state's answer to an input: the next state and, when a ChangeCipherSpec made the
/// peer's protection current, the [`Opener`] for its records from now on.
pub(crate) struct Transition<S> {
    pub(crate) next: Next<S>,
    pub(crate) opener: Option<Box<Opener>>,
    /// The largest plaintext the peer may send from now on, when the hellos settled one
    /// that applies at once (max_fragment_length, RFC 6066 §4).
    pub(crate) receive_limit: Option<usize>,
}

impl<S> Transition<S> {
    /// On to `state`, protection unchanged.
    pub(crate) fn to(state: S) -> Self {
        Transition {
            next: Next::Handshake(state),
            opener: None,
            receive_limit: None,
        }
    }

    /// On to `state` after the hellos: the record limits they settled, if they apply at
    /// once, bound the peer's records from now on.
    pub(crate) fn limiting(state: S, limits: &RecordLimits) -> Self {
        Transition {
            next: Next::Handshake(state),
            opener: None,
            receive_limit: limits.immediate().then_some(limits.receive),
        }
    }

    /// On to `state`, the peer's records protected by `opener` from now on.
    pub(crate) fn installing(state: S, opener: Box<Opener>) -> Self {
        Transition {
            next: Next::Handshake(state),
            opener: Some(opener),
            receive_limit: None,
        }
    }

    /// The handshake is complete.
    pub(crate) fn traffic() -> Self {
        Transition {
            next: Next::Traffic,
            opener: None,
            receive_limit: None,
        }
    }
}

/// The keys a handshake derived: the master secret (for Finished), and the record
/// protection of each direction, installed when each side's ChangeCipherSpec goes by.
pub(crate) struct Keys {
    pub(crate) master: MasterSecret,
    /// This side's: installed when it sends ChangeCipherSpec. (Boxed, as the
    /// peer's: the handshake states that carry them move by value, and a kilobyte of
    /// key schedule in each would be copied, and take stack, at every move.)
    pub(crate) sealer: Box<Sealer>,
    /// The peer's: installed when its ChangeCipherSpec arrives.
    pub(crate) opener: Box<Opener>,
}

/// The handshake so far, once the hellos fixed the suite.
#[allow(clippy::struct_excessive_bools)] // what the hellos agreed, one flag each
pub(crate) struct Hs {
    pub(crate) transcript: Transcript,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
    pub(crate) suite: &'static SuiteInfo,
    pub(crate) ems: bool,
    pub(crate) etm: bool,
    pub(crate) alpn: Option<Vec<u8>>,
    pub(crate) server_name: Option<String>,
    pub(crate) dh_bits: Option<u32>,
    /// The ECDHE group of a full ECDHE handshake.
    pub(crate) ec_group: Option<sanstls_wire::enums::NamedGroup>,
    /// The record sizes the hellos settled.
    pub(crate) limits: RecordLimits,
    /// The session ID of the ServerHello (empty: the session cannot be resumed by ID).
    pub(crate) session_id: Vec<u8>,
    /// Whether a NewSessionTicket comes before the server's ChangeCipherSpec (the
    /// ServerHello answered session_ticket, RFC 5077 §3.2).
    pub(crate) ticket: bool,
    /// Whether this handshake resumed a session (RFC 5246 §7.3, abbreviated).
    pub(crate) resumed: bool,
    /// The PSK identity of a PSK suite (the client's, as it named it).
    pub(crate) psk_identity: Option<Vec<u8>>,
}

impl Hs {
    fn mode(&self) -> CbcMode {
        if self.etm {
            CbcMode::EncryptThenMac
        } else {
            CbcMode::MacThenEncrypt
        }
    }

    /// Derives the master secret from `premaster` (after ClientKeyExchange is in the
    /// transcript), logs it if asked, and prepares both directions' protection.
    ///
    /// Never inlined, nor are the two functions that build the protection: each
    /// direction's key schedule (a kilobyte) then lives on the stack only while it is
    /// built and boxed, not in the frame of the state machine, nor both at once.
    #[inline(never)]
    pub(crate) fn derive(&self, core: &mut Core, premaster: &[u8]) -> Result<Keys, Error> {
        #[cfg(feature = "fuzzing")]
        {
            core.fuzz_premaster = Some(zeroize::Zeroizing::new(premaster.to_vec()));
        }
        let master = self.master_secret(premaster)?;
        self.keys(core, master)
    }

    /// The master secret from `premaster` (RFC 5246 §8.1, or RFC 7627 §4 with the
    /// extended master secret).
    fn master_secret(&self, premaster: &[u8]) -> Result<MasterSecret, Error> {
        let prf = self.suite.prf_hash;
        if self.ems {
            // RFC 7627 §4: the session hash covers the messages up to and including
            // ClientKeyExchange.
            let session_hash = self
                .transcript
                .current_hash()
                .map_err(|_| InternalError::HandshakeState)?;
            MasterSecret::derive_extended(prf, premaster, &session_hash)
        } else {
            // RFC 5246 §8.1.
            MasterSecret::derive(prf, premaster, &self.client_random, &self.server_random)
        }
        .map_err(|_| InternalError::HandshakeState)
        .map_err(Error::from)
    }

    /// Both directions' protection from `master` and this handshake's randoms (after
    /// a full handshake's key exchange, or from a resumed session's master secret:
    /// RFC 5246 §7.3, the abbreviated handshake keeps the master secret and makes new
    /// keys), logged if asked.
    #[inline(never)]
    pub(crate) fn keys(&self, core: &mut Core, master: MasterSecret) -> Result<Keys, Error> {
        core.log_key(&self.client_random, &master);
        // (The key derivation fails only for a PRF hash this build leaves out, and the
        // configuration holds no suite that needs one: a bug if it happens.)
        let keys = master
            .key_block(self.suite, &self.client_random, &self.server_random)
            .map_err(|_| InternalError::HandshakeState)?;
        let side = core.side;
        let sealer = boxed_sealer(
            crate::core::provider(core.provider.as_ref()),
            &keys.write_keys(side),
            self.mode(),
            &mut core.rng,
        )?;
        // RFC 6066 §4 / RFC 8449 §4: a protected record over the negotiated limit is
        // record_overflow.
        let opener = boxed_opener(
            crate::core::provider(core.provider.as_ref()),
            &keys.write_keys(peer_of(side)),
            self.mode(),
            self.limits.receive,
        )?;
        Ok(Keys {
            master,
            sealer,
            opener,
        })
    }

    /// Sends this side's Finished (RFC 5246 §7.4.9) over the transcript so far.
    pub(crate) fn send_finished(
        &mut self,
        core: &mut Core,
        master: &MasterSecret,
    ) -> Result<(), Error> {
        let hash = self
            .transcript
            .current_hash()
            .map_err(|_| InternalError::HandshakeState)?;
        let vd = master
            .verify_data(core.side, &hash)
            .map_err(|_| InternalError::HandshakeState)?;
        let msg = HandshakeMessage::Finished(Finished {
            verify_data: vd.as_bytes(),
        });
        core.send_handshake(&msg, &mut self.transcript)
    }

    /// Checks the peer's Finished in constant time and adds it to the transcript.
    pub(crate) fn check_finished(
        &mut self,
        core: &Core,
        master: &MasterSecret,
        msg: &HandshakeMessage<'_>,
        raw: &[u8],
    ) -> Result<(), Error> {
        let HandshakeMessage::Finished(fin) = msg else {
            return Err(PeerMisbehaved::UnexpectedHandshake(msg.typ()).into());
        };
        let hash = self
            .transcript
            .current_hash()
            .map_err(|_| InternalError::HandshakeState)?;
        let expected = master
            .verify_data(peer_of(core.side), &hash)
            .map_err(|_| InternalError::HandshakeState)?;
        // The wire crate accepts exactly 12 bytes; anything else is a decode error here too.
        let got: [u8; sanstls_keys::VERIFY_DATA_LEN] = fin
            .verify_data
            .try_into()
            .map_err(|_| Error::InvalidMessage(sanstls_wire::DecodeError::InvalidLength))?;
        // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the contents
        // are correct."
        if !bool::from(verify_data_eq(&expected, &VerifyData(got))) {
            return Err(PeerMisbehaved::BadFinished.into());
        }
        self.transcript.add(raw);
        Ok(())
    }

    /// The handshake is over: record what was agreed. The peer's chain moves from
    /// [`Core::received_chain`] into [`Negotiated::peer_certificates`], so that one copy
    /// is kept: a handshake only completes once that chain was validated (or, on a
    /// server, when the client sent none and none was required).
    pub(crate) fn complete(&self, core: &mut Core) {
        let peer_certificates = core::mem::take(&mut core.received_chain);
        core.handshake_complete(Negotiated {
            version: ProtocolVersion::TLS12,
            suite: self.suite.suite,
            extended_master_secret: self.ems,
            encrypt_then_mac: self.etm,
            alpn: self.alpn.clone(),
            server_name: self.server_name.clone(),
            peer_certificates,
            dh_bits: self.dh_bits,
            ec_group: self.ec_group,
            max_fragment_sent: self.limits.send,
            max_fragment_received: self.limits.receive,
            fragment_limit_by: self.limits.by,
            resumed: self.resumed,
            psk_identity: self.psk_identity.clone(),
        });
    }
}

pub(crate) fn peer_of(side: Side) -> Side {
    match side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    }
}

/// The session a full handshake made: its master secret and what a resumption must
/// keep, the peer's leaf certificate (from [`Core::received_chain`]), made at
/// `core.now` for `lifetime`.
pub(crate) fn new_session(
    hs: &Hs,
    core: &Core,
    master: &MasterSecret,
    lifetime: core::time::Duration,
) -> Session {
    Session {
        suite: hs.suite.suite,
        master: zeroize::Zeroizing::new(*master.secret_bytes()),
        extended_master_secret: hs.ems,
        server_name: hs.server_name.clone(),
        // (Before the handshake completes the chain is in `received_chain`; after, in
        // what was negotiated.)
        peer_certificate: core
            .received_chain
            .first()
            .or_else(|| core.negotiated.as_ref()?.peer_certificates.first())
            .cloned(),
        created: core.now,
        lifetime,
        session_id: Vec::new(),
        ticket: None,
        psk_identity: hs.psk_identity.clone(),
    }
}

/// The error for a message the current state does not accept (RFC 5246 §7.3: the
/// handshake messages "MUST be sent in the order specified").
pub(crate) fn unexpected(typ: HandshakeType) -> Error {
    PeerMisbehaved::UnexpectedHandshake(typ).into()
}

/// This side's record protection from `keys`, boxed (see [`Hs::derive`]).
#[inline(never)]
fn boxed_sealer(
    provider: &dyn sanstls_crypto::provider::CryptoProvider,
    keys: &sanstls_keys::DirectionKeys<'_>,
    mode: CbcMode,
    rng: &mut sanstls_crypto::rng::SeededRng,
) -> Result<Box<Sealer>, Error> {
    Ok(Box::new(Sealer::for_suite_with(provider, keys, mode, rng)?))
}

/// The peer's record protection from `keys`, boxed, its records limited to `limit`
/// bytes of plaintext (see [`Hs::derive`]).
#[inline(never)]
fn boxed_opener(
    provider: &dyn sanstls_crypto::provider::CryptoProvider,
    keys: &sanstls_keys::DirectionKeys<'_>,
    mode: CbcMode,
    limit: usize,
) -> Result<Box<Opener>, Error> {
    let mut opener = Opener::for_suite_with(provider, keys, mode)?;
    opener.set_max_plaintext_len(limit);
    Ok(Box::new(opener))
}
