//! The differential pair target (`proto_pair`): a sanstls client and a sanstls server
//! talk through a channel the input controls, as a network attacker could: it cuts the
//! byte stream of each direction anywhere (fragmentation), drops bytes, changes bytes,
//! and ends the transport; it never reorders (TCP does not). Either both sides complete
//! and the application data arrives intact, or they fail, and when they fail the
//! alerts match.
//!
//! The input ([`Input`], parsed with `arbitrary`; an input that does not parse is
//! skipped) chooses one of the fixed configurations [`VARIANTS`] (built once per
//! process), then one or two connections ([`Exchange`]) between a client and a server
//! of that configuration: what each side writes once its handshake completed (at most
//! [`MAX_DATA`] bytes a side, in writes of 1 to 1024 bytes; the bytes are a fixed
//! pattern of the side and the offset), whether and when each side closes, and a
//! script of channel operations for each direction ([`Op`]). The second connection
//! uses the same client configuration and session store as the first, so it resumes
//! the first's session (by ticket, from the server's fixed ticketer) when there is one.
//! Everything is deterministic: fixed generator seeds, fixed time, a session store
//! made for the input.
//!
//! Driving: in each step the client acts (its next write, or its close), then the
//! server; each side's output goes into its channel; each channel applies its next
//! operation to the bytes in flight (a Deliver or Drop longer than what is in flight
//! takes what is there and the rest of it waits for more bytes, so that the script
//! addresses stream offsets whatever the timing); once a script is used up its channel
//! delivers everything it holds in each step. The run stops when a step changes
//! nothing (the channels are then empty); it must stop within [`MAX_STEPS`] steps.
//! Received application data is consumed as it arrives, and events are polled after
//! every call.
//!
//! # Rules checked (a violation panics)
//!
//! Always, whatever the channel did:
//! - no panic, no hang: the run settles within [`MAX_STEPS`], and a connection refuses
//!   input (`handle_recv_bytes` taking 0 bytes) only while application data waits or
//!   after its peer closed;
//! - errors are sticky: once a call returned an error every later call returns the same
//!   error, [`Connection::error`] equals it from then on (and is `None` before), and
//!   the connection is no longer handshaking;
//! - integrity: the application data a side received is a prefix of what the other side
//!   sent (corruption never surfaces as data), and only after its handshake completed;
//! - `HandshakeComplete` is reported at most once, with the `resumed` flag of
//!   [`Connection::negotiated`]; if both sides completed, they agree on the suite, the
//!   extended master secret, encrypt-then-MAC and resumption;
//! - a local failure whose [`Error::alert`] is `Some(x)` appends one record, last, to
//!   the side's output: its alert (checked byte for byte when it is not encrypted);
//!   unless the side sent close_notify before (it closed, or answered its peer's), in
//!   which case nothing at all follows (RFC 5246 §7.2.1: "the sender will not send any
//!   more messages on this connection");
//! - matching alerts: let side A fail on a local error with alert `x`, its alert record
//!   ending at offset `end` of A's output. If A had not sent close_notify before (the
//!   peer ignores every record after a close_notify), and the channel delivered A's
//!   output up to `end` with no byte before `end` dropped or changed and no end of
//!   transport injected before it, then either the other side B had already failed
//!   when the alert record began to arrive, or B fails with
//!   [`Error::AlertReceived`]`(x)`. (Deliveries are cut where such an alert record
//!   begins, so that "before" is exact; an alert sent under record protection counts
//!   the same: intact bytes up to it mean B reads it with the keys A wrote it with.)
//!   Conversely, if B fails with `AlertReceived(x)` and nothing in A's direction was
//!   touched, A failed on a local error with alert `x`;
//! - sessions: a client that failed with a fatal alert (sent or received) holds no
//!   session; one that completed with the extended master secret and no error holds
//!   one; after the first connection it holds one only then.
//!
//! When the channel was clean in both directions (no operation dropped, changed or cut
//! a byte; exactly tracked, an operation on nothing or a xor with 0 does not count):
//! - if neither side closed before its handshake: both complete without error, with the
//!   configured suite, extended master secret and encrypt-then-MAC (CBC suites), the
//!   first connection as a full handshake and the second resumed exactly when the
//!   client held a session; every byte each side meant to write was sent (unless the
//!   peer's close came first: a side stops writing then) and arrived, in order; a side
//!   that closed saw its close answered, and its peer saw it
//!   (`PeerClosed { clean: true }` on both), and no side saw a close otherwise;
//! - if a side closed before its handshake (close_notify at once): no application data
//!   arrives; a side that did not close that way fails with
//!   [`Error::PeerClosedDuringHandshake`] `{ clean: true }`; one that did fails the same
//!   way, or completes its handshake (when the peer's Finished comes before the answer
//!   to its close_notify: a resumption) and sees `PeerClosed { clean: true }`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use once_cell::race::OnceBox;

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::{TrustAnchors, WebPkiClientVerifier};
use sanstls_wire::enums::{AlertDescription, CipherSuite};

use super::{NOW, SERVER_NAME, server_cert_verifier, ticketer, verify_options};
use crate::session::{SessionCache, StoresClientSessions};
use crate::{CertifiedKey, ClientConfig, Connection, Error, Event, ServerConfig, Shared};

// The test certificates and keys of the entry points (`super`).
use super::{
    CHAIN_PEM as RSA_CHAIN_PEM, CLIENT_CHAIN_PEM, CLIENT_KEY_PEM, ECDSA_CHAIN_PEM, ECDSA_KEY_PEM,
    KEY_PEM as RSA_KEY_PEM, ROOT_PEM,
};

/// The most application data one side writes in one connection.
pub const MAX_DATA: usize = 2048;
/// The most steps a connection may take to settle (a hang otherwise).
pub const MAX_STEPS: usize = 20_000;
/// The generator seeds of the client and the server: of the first connection, then of
/// the second.
pub const SEEDS: [([u8; 32], [u8; 32]); 2] = [([3; 32], [4; 32]), ([5; 32], [6; 32])];

/// One configuration of both sides.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::struct_excessive_bools)] // one switch per configuration difference
pub struct Variant {
    /// A name for seeds and messages.
    pub name: &'static str,
    /// The only suite both sides have.
    pub suite: CipherSuite,
    /// A CBC suite (encrypt-then-MAC applies).
    pub cbc: bool,
    /// The server has the ECDSA P-256 certificate (else the 1024-bit RSA one).
    pub ecdsa: bool,
    /// The server requires a client certificate (the client has the ECDSA one).
    pub client_auth: bool,
    /// Both sides offer the extended master secret.
    pub ems: bool,
    /// Both sides offer encrypt-then-MAC.
    pub etm: bool,
}

/// A PSK variant (RFC 4279: no certificate used; both sides have the PSK).
const fn psk_variant(name: &'static str, suite: CipherSuite, cbc: bool) -> Variant {
    Variant {
        name,
        suite,
        cbc,
        ecdsa: false,
        client_auth: false,
        ems: true,
        etm: true,
    }
}

/// The configurations an input chooses from (`variant % VARIANTS.len()`).
pub const VARIANTS: &[Variant] = &[
    Variant {
        name: "ecdhe_rsa_aes128_gcm",
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        cbc: false,
        ecdsa: false,
        client_auth: false,
        ems: true,
        etm: true,
    },
    Variant {
        name: "ecdhe_rsa_chacha20_client_auth",
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        cbc: false,
        ecdsa: false,
        client_auth: true,
        ems: true,
        etm: true,
    },
    Variant {
        name: "ecdhe_ecdsa_aes256_gcm_noems",
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        cbc: false,
        ecdsa: true,
        client_auth: false,
        ems: false,
        etm: true,
    },
    Variant {
        name: "dhe_rsa_aes128_sha256_etm",
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        cbc: true,
        ecdsa: false,
        client_auth: false,
        ems: true,
        etm: true,
    },
    Variant {
        name: "rsa_aes256_sha_noetm_client_auth",
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        cbc: true,
        ecdsa: false,
        client_auth: true,
        ems: true,
        etm: false,
    },
    Variant {
        name: "ecdhe_rsa_aes256_sha384_etm_client_auth",
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        cbc: true,
        ecdsa: false,
        client_auth: true,
        ems: true,
        etm: true,
    },
    Variant {
        name: "rsa_aes128_sha256_noetm_noems",
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        cbc: true,
        ecdsa: false,
        client_auth: false,
        ems: false,
        etm: false,
    },
    Variant {
        name: "ecdhe_ecdsa_chacha20_client_auth",
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        cbc: false,
        ecdsa: true,
        client_auth: true,
        ems: true,
        etm: true,
    },
    psk_variant(
        "ecdhe_psk_chacha20",
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        false,
    ),
    psk_variant(
        "psk_aes128_ccm8",
        CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
        false,
    ),
    psk_variant(
        "dhe_psk_aes128_sha256",
        CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
        true,
    ),
];

/// A fuzz input: a configuration and one or two connections.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Index into [`VARIANTS`], modulo its length.
    pub variant: u8,
    /// The first connection (a full handshake).
    pub first: Exchange,
    /// A second connection, with the client's session store as the first left it.
    pub second: Option<Exchange>,
}

/// One connection: what each side does, and what the channel does to each direction.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// What the client does.
    pub client: Plan,
    /// What the server does.
    pub server: Plan,
    /// The channel's script for the client's bytes.
    pub to_server: Vec<Op>,
    /// The channel's script for the server's bytes.
    pub to_client: Vec<Op>,
}

/// What one side does.
#[derive(Arbitrary, Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Application data writes once the handshake completed: each `w % 1024 + 1` bytes,
    /// [`MAX_DATA`] bytes in all at most.
    pub writes: Vec<u16>,
    /// Whether and when the side closes.
    pub close: Close,
}

/// When a side sends close_notify.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// Never.
    Never,
    /// At once, before the handshake (its writes are not made).
    Early,
    /// After its first `n` writes (and before the others, which are not made).
    AfterWrites(u8),
}

/// One operation of a channel on the bytes in flight, at the current position. An
/// operation waits until there are bytes in flight.
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Deliver the next `n + 1` bytes (in one `handle_recv_bytes` call per step).
    Deliver(u16),
    /// Drop the next `n + 1` bytes.
    Drop(u16),
    /// Xor the next byte with this value (0 changes nothing).
    Xor(u8),
    /// End the transport: the receiver gets end of file, and nothing more arrives.
    Eof,
}

impl Input {
    /// The bytes that `arbitrary` parses back into this input (the seeds are made with
    /// it): fields in order, integers little-endian, a bool as one byte, an `Option` as
    /// a bool and the value, a `Vec` as a `true` before each element and a `false`
    /// after the last, an enum variant `i` of `n` as a `u32` `t` with `t * n >> 32 == i`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.push(self.variant);
        self.first.encode(&mut out);
        match &self.second {
            None => out.push(0),
            Some(e) => {
                out.push(1);
                e.encode(&mut out);
            }
        }
        out
    }

    /// Parses `data` as `arbitrary` does for the fuzz target.
    pub fn parse(data: &[u8]) -> Option<Self> {
        Input::arbitrary(&mut Unstructured::new(data)).ok()
    }
}

/// The `u32` that the derived `Arbitrary` turns into variant `i` of `n`.
fn tag(out: &mut Vec<u8>, i: u64, n: u64) {
    let t = (i << 32).div_ceil(n);
    out.extend_from_slice(&(t as u32).to_le_bytes());
}

impl Exchange {
    fn encode(&self, out: &mut Vec<u8>) {
        self.client.encode(out);
        self.server.encode(out);
        for ops in [&self.to_server, &self.to_client] {
            for op in ops {
                out.push(1);
                match *op {
                    Op::Deliver(n) => {
                        tag(out, 0, 4);
                        out.extend_from_slice(&n.to_le_bytes());
                    }
                    Op::Drop(n) => {
                        tag(out, 1, 4);
                        out.extend_from_slice(&n.to_le_bytes());
                    }
                    Op::Xor(x) => {
                        tag(out, 2, 4);
                        out.push(x);
                    }
                    Op::Eof => tag(out, 3, 4),
                }
            }
            out.push(0);
        }
    }
}

impl Plan {
    fn encode(&self, out: &mut Vec<u8>) {
        for w in &self.writes {
            out.push(1);
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.push(0);
        match self.close {
            Close::Never => tag(out, 0, 3),
            Close::Early => tag(out, 1, 3),
            Close::AfterWrites(n) => {
                tag(out, 2, 3);
                out.push(n);
            }
        }
    }

    /// The sizes of the writes made, and whether the side closes after them.
    fn writes(&self) -> (Vec<usize>, bool) {
        let (count, close) = match self.close {
            Close::Never => (self.writes.len(), false),
            Close::Early => (0, false),
            Close::AfterWrites(n) => (usize::from(n).min(self.writes.len()), true),
        };
        let mut total = 0;
        let mut sizes = Vec::new();
        for w in &self.writes[..count] {
            let n = (usize::from(*w) % 1024 + 1).min(MAX_DATA - total);
            if n == 0 {
                break;
            }
            total += n;
            sizes.push(n);
        }
        (sizes, close)
    }
}

/// Byte `i` of the application data of the side with `salt`.
fn pattern(salt: u8, i: usize) -> u8 {
    let x = (i as u32)
        .wrapping_mul(0x9e37_79b1)
        .wrapping_add(u32::from(salt).wrapping_mul(0x0101_0101));
    (x >> 24) as u8 ^ (i as u8)
}

const CLIENT_SALT: u8 = 0x11;
const SERVER_SALT: u8 = 0xa7;

/// The configurations of [`VARIANTS`], built once per process.
struct Configs {
    clients: Vec<Shared<ClientConfig>>,
    servers: Vec<Shared<ServerConfig>>,
}

fn build_configs() -> Option<Configs> {
    let mut clients = Vec::new();
    let mut servers = Vec::new();
    for v in VARIANTS {
        let client = ClientConfig::builder()
            .cipher_suites(&[v.suite])
            .extended_master_secret(v.ems)
            .encrypt_then_mac(v.etm)
            .verifier(server_cert_verifier()?)
            .client_certificate(CertifiedKey::from_pem(CLIENT_CHAIN_PEM, CLIENT_KEY_PEM).ok()?)
            .psk(super::psk()?)
            .build()
            .ok()?;
        let key = if v.ecdsa {
            CertifiedKey::from_pem(ECDSA_CHAIN_PEM, ECDSA_KEY_PEM)
        } else {
            CertifiedKey::from_pem(RSA_CHAIN_PEM, RSA_KEY_PEM)
        }
        .ok()?;
        let mut server = ServerConfig::builder()
            .single_cert(key)
            .cipher_suites(&[v.suite])
            .extended_master_secret(v.ems)
            .encrypt_then_mac(v.etm)
            .psk_store(super::psk_store()?)
            .psk_identity_hint(super::PSK_HINT)
            .session_cache(0)
            .ticketer(Some(ticketer()));
        if v.client_auth {
            let anchors = TrustAnchors::from_pem_bundle(ROOT_PEM).ok()?;
            server = server.client_verifier(Shared::new(WebPkiClientVerifier::with_options(
                anchors,
                verify_options(),
            )));
        }
        clients.push(Shared::new(client));
        servers.push(Shared::new(server.build().ok()?));
    }
    Some(Configs { clients, servers })
}

fn configs() -> Option<&'static Configs> {
    static CONFIGS: OnceBox<Option<Configs>> = OnceBox::new();
    CONFIGS.get_or_init(|| Box::new(build_configs())).as_ref()
}

/// `base` with `store` as its session store: a store for one input, so that nothing
/// carries from one input to the next (the rest is shared, built once).
fn with_store(base: &ClientConfig, store: Shared<dyn StoresClientSessions>) -> ClientConfig {
    ClientConfig {
        common: base.common.clone(),
        verifier: base.verifier.clone(),
        min_dh_bits: base.min_dh_bits,
        require_secure_renegotiation: base.require_secure_renegotiation,
        client_cert: base.client_cert.clone(),
        require_fragment_limit: base.require_fragment_limit,
        offer_record_size_limit: base.offer_record_size_limit,
        session_store: Some(store),
        tickets: base.tickets,
        psk: base.psk.clone(),
    }
}

/// A local failure's alert record in its side's output.
#[derive(Clone, Debug)]
struct AlertMark {
    /// Where the record starts and ends in the side's output.
    start: usize,
    end: usize,
    alert: AlertDescription,
    /// Whether the side had sent close_notify before.
    after_close: bool,
    /// The receiver's error when the record began to arrive (`None`: it did not).
    #[allow(clippy::option_option)] // not arrived, arrived to a live side, to a failed one
    receiver_error: Option<Option<Error>>,
}

/// One side and everything the checks need about it.
#[allow(clippy::struct_excessive_bools)] // independent facts the checks use
struct Party {
    conn: Connection,
    name: &'static str,
    /// Whose data this side receives.
    peer_salt: u8,
    /// This side's data.
    data: Vec<u8>,
    /// The sizes of the writes still to make (the first one possibly begun).
    writes: Vec<usize>,
    write_at: usize,
    close_after_writes: bool,
    error: Option<Error>,
    completed: bool,
    peer_closed: Option<bool>,
    closed: bool,
    /// It closed before its handshake (`Close::Early`).
    early: bool,
    /// Application data taken by `send`.
    sent: usize,
    /// Application data consumed.
    received: usize,
    /// Every byte transmitted.
    stream: Vec<u8>,
    /// Where the next record of the output starts (the output parsed so far).
    parsed: usize,
    /// The start of the last record parsed.
    last_record: usize,
    mark: Option<AlertMark>,
}

impl Party {
    fn new(conn: Connection, name: &'static str, salt: u8, peer_salt: u8, plan: &Plan) -> Self {
        let (writes, close_after_writes) = plan.writes();
        let total: usize = writes.iter().sum();
        let mut p = Party {
            conn,
            name,
            peer_salt,
            data: (0..total).map(|i| pattern(salt, i)).collect(),
            writes,
            write_at: 0,
            close_after_writes,
            error: None,
            completed: false,
            peer_closed: None,
            closed: false,
            early: plan.close == Close::Early,
            sent: 0,
            received: 0,
            stream: Vec::new(),
            parsed: 0,
            last_record: 0,
            mark: None,
        };
        if plan.close == Close::Early {
            p.conn.close();
            p.closed = true;
        }
        p
    }

    /// The length of everything this side output: transmitted and pending.
    fn output_len(&self) -> usize {
        self.stream.len() + self.conn.poll_transmit().len()
    }

    fn output_byte(&self, i: usize) -> u8 {
        match self.stream.get(i) {
            Some(b) => *b,
            None => self.conn.poll_transmit()[i - self.stream.len()],
        }
    }

    /// Parses the record headers of the output up to its end (it is whole records).
    fn parse_records(&mut self) {
        let total = self.output_len();
        while self.parsed + 5 <= total {
            let len = usize::from(u16::from_be_bytes([
                self.output_byte(self.parsed + 3),
                self.output_byte(self.parsed + 4),
            ]));
            self.last_record = self.parsed;
            self.parsed += 5 + len;
        }
        assert_eq!(
            self.parsed, total,
            "{}: output is not whole records",
            self.name
        );
    }

    /// Runs one call on the connection, checking that errors are sticky; a new error
    /// with an alert is marked in the output.
    fn call<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> Option<T> {
        let before = self.output_len();
        let result = f(&mut self.conn);
        let e = match result {
            Ok(v) => {
                assert!(
                    self.error.is_none(),
                    "{}: a call succeeded after {:?}",
                    self.name,
                    self.error
                );
                assert_eq!(
                    self.conn.error(),
                    None,
                    "{}: error() without an error",
                    self.name
                );
                return Some(v);
            }
            Err(e) => e,
        };
        assert!(
            !matches!(e, Error::ApiMisuse(_)),
            "{}: the driver misused the API: {e:?}",
            self.name
        );
        assert_eq!(
            self.conn.error(),
            Some(&e),
            "{}: error() differs",
            self.name
        );
        assert!(
            !self.conn.is_handshaking(),
            "{}: failed but handshaking",
            self.name
        );
        if let Some(prev) = &self.error {
            assert_eq!(prev, &e, "{}: errors must be sticky", self.name);
            assert_eq!(
                self.output_len(),
                before,
                "{}: output after failing",
                self.name
            );
            return None;
        }
        self.error = Some(e.clone());
        if self.closed || self.peer_closed.is_some() {
            // RFC 5246 §7.2.1: nothing follows close_notify, not even a fatal alert.
            assert_eq!(
                self.output_len(),
                before,
                "{}: {e:?} sent after close_notify",
                self.name
            );
        } else if let Some(alert) = e.alert() {
            assert!(
                self.output_len() > before,
                "{}: {e:?} queued no alert",
                self.name
            );
            self.parse_records();
            let start = self.last_record;
            assert!(start >= before, "{}: the alert is not last", self.name);
            let end = self.output_len();
            if end - start == 7 {
                let rec: Vec<u8> = (start..end).map(|i| self.output_byte(i)).collect();
                assert_eq!(rec[0], 21, "{}: the last record is not an alert", self.name);
                assert_eq!(&rec[3..], &[0, 2, 2, alert.0], "{}: wrong alert", self.name);
            }
            self.mark = Some(AlertMark {
                start,
                end,
                alert,
                after_close: self.closed || self.peer_closed.is_some(),
                receiver_error: None,
            });
        }
        None
    }

    /// Polls the events, checking them.
    fn events(&mut self) {
        while let Some(ev) = self.conn.poll_event() {
            match ev {
                Event::HandshakeComplete { resumed } => {
                    assert!(!self.completed, "{}: HandshakeComplete twice", self.name);
                    self.completed = true;
                    let n = self
                        .conn
                        .negotiated()
                        .expect("completed without negotiated");
                    assert_eq!(n.resumed, resumed, "{}: resumed flag differs", self.name);
                    assert!(!self.conn.is_handshaking());
                }
                Event::PeerClosed { clean } => {
                    assert!(
                        self.peer_closed.is_none(),
                        "{}: PeerClosed twice",
                        self.name
                    );
                    self.peer_closed = Some(clean);
                }
                _ => {}
            }
        }
    }

    /// Consumes the application data waiting, checking it; `true` if there was some.
    fn drain(&mut self) -> bool {
        let mut any = false;
        loop {
            self.events();
            let data = self.conn.app_data();
            if data.is_empty() || self.error.is_some() {
                return any;
            }
            assert!(self.completed, "{}: data before the handshake", self.name);
            for (k, b) in data.iter().enumerate() {
                assert_eq!(
                    *b,
                    pattern(self.peer_salt, self.received + k),
                    "{}: received data differs from what was sent, at {}",
                    self.name,
                    self.received + k
                );
            }
            let n = data.len();
            self.received += n;
            any = true;
            self.call(|c| c.consume(n));
        }
    }

    /// Delivers `data` from the channel.
    fn receive(&mut self, data: &[u8]) {
        if self.error.is_some() {
            self.call(|c| c.handle_recv_bytes(data, NOW));
            return;
        }
        let mut at = 0;
        while at < data.len() {
            let Some(n) = self.call(|c| c.handle_recv_bytes(&data[at..], NOW)) else {
                return;
            };
            at += n;
            let drained = self.drain();
            if n == 0 && !drained {
                if self.error.is_some() {
                    return;
                }
                assert!(
                    self.peer_closed.is_some(),
                    "{}: input refused with no data waiting",
                    self.name
                );
                return;
            }
        }
    }

    /// The transport ended.
    fn eof(&mut self) {
        self.call(|c| c.handle_recv_bytes(&[], NOW));
        self.drain();
    }

    /// The side's next action: a write, or its close; `true` if it did something.
    fn act(&mut self) -> bool {
        if let Some(e) = self.error.clone() {
            assert_eq!(self.conn.send(b"late"), Err(e), "{}: not sticky", self.name);
            return false;
        }
        if !self.completed || self.closed || self.peer_closed.is_some() {
            return false;
        }
        if self.write_at < self.writes.len() {
            let end: usize = self.writes[..=self.write_at].iter().sum();
            let chunk = self.data[self.sent..end].to_vec();
            let Some(n) = self.call(|c| c.send(&chunk)) else {
                return true;
            };
            self.sent += n;
            if self.sent == end {
                self.write_at += 1;
            }
            return n > 0;
        }
        if self.close_after_writes {
            self.conn.close();
            self.closed = true;
            return true;
        }
        false
    }

    /// The sides' view for the report.
    fn report(&self) -> SideReport {
        SideReport {
            completed: self.completed,
            resumed: self.conn.negotiated().map(|n| n.resumed),
            error: self.error.clone(),
            sent: self.sent,
            planned: self.data.len(),
            received: self.received,
            closed: self.closed,
            peer_closed: self.peer_closed,
        }
    }
}

/// One direction of the channel.
struct Channel {
    in_flight: Vec<u8>,
    /// The offset in the sender's output of `in_flight[0]`.
    pos: usize,
    ops: Vec<Op>,
    next: usize,
    /// The rest of a Deliver or Drop that was longer than what was in flight.
    pending: Option<Op>,
    /// The first offset an operation dropped, changed or cut.
    taint: Option<usize>,
    /// The transport ended: nothing more is delivered.
    dead: bool,
}

impl Channel {
    fn new(ops: &[Op]) -> Self {
        Channel {
            in_flight: Vec::new(),
            pos: 0,
            ops: ops.to_vec(),
            next: 0,
            pending: None,
            taint: None,
            dead: false,
        }
    }

    /// Moves `from`'s output in; `true` if there was some.
    fn pump(&mut self, from: &mut Party) -> bool {
        let out = from.conn.poll_transmit();
        if out.is_empty() {
            return false;
        }
        let n = out.len();
        from.stream.extend_from_slice(out);
        if !self.dead {
            self.in_flight.extend_from_slice(out);
        }
        from.conn
            .handle_transmitted(n)
            .expect("handle_transmitted of the pending length");
        true
    }

    /// Applies the next operation; `true` if it touched bytes.
    fn step(&mut self, mark: &mut Option<AlertMark>, to: &mut Party) -> bool {
        if self.in_flight.is_empty() {
            return false;
        }
        let op = if let Some(op) = self.pending.take() {
            Some(op)
        } else {
            let op = self.ops.get(self.next).copied();
            self.next += usize::from(op.is_some());
            op
        };
        let len = self.in_flight.len();
        match op {
            None => self.deliver(len, mark, to),
            Some(Op::Deliver(k)) => {
                let k = usize::from(k) + 1;
                self.deliver(k.min(len), mark, to);
                if k > len {
                    self.pending = Some(Op::Deliver((k - len - 1) as u16));
                }
            }
            Some(Op::Drop(k)) => {
                let k = usize::from(k) + 1;
                self.taint.get_or_insert(self.pos);
                let n = k.min(len);
                self.in_flight.drain(..n);
                self.pos += n;
                if k > len {
                    self.pending = Some(Op::Drop((k - len - 1) as u16));
                }
            }
            Some(Op::Xor(x)) => {
                if x != 0 {
                    self.taint.get_or_insert(self.pos);
                    self.in_flight[0] ^= x;
                }
            }
            Some(Op::Eof) => {
                self.taint.get_or_insert(self.pos);
                self.in_flight.clear();
                self.dead = true;
                to.eof();
            }
        }
        true
    }

    /// Delivers the next `n` bytes to `to`, cut where the sender's alert record begins.
    fn deliver(&mut self, n: usize, mark: &mut Option<AlertMark>, to: &mut Party) {
        let mut left = n;
        while left > 0 {
            let mut seg = left;
            if let Some(m) = mark.as_mut() {
                if m.start > self.pos && m.start < self.pos + seg {
                    seg = m.start - self.pos;
                }
                if m.start == self.pos && m.receiver_error.is_none() {
                    m.receiver_error = Some(to.error.clone());
                }
            }
            let bytes: Vec<u8> = self.in_flight.drain(..seg).collect();
            self.pos += seg;
            left -= seg;
            to.receive(&bytes);
        }
    }

    /// Whether the sender's output up to `end` arrived untouched.
    fn intact_to(&self, end: usize) -> bool {
        self.pos >= end && self.taint.is_none_or(|t| t >= end)
    }
}

/// What one side did, for tests and seeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideReport {
    /// Its handshake completed.
    pub completed: bool,
    /// [`crate::Negotiated::resumed`], once completed.
    pub resumed: Option<bool>,
    /// Its error.
    pub error: Option<Error>,
    /// Application data bytes sent.
    pub sent: usize,
    /// Application data bytes it meant to send.
    pub planned: usize,
    /// Application data bytes received.
    pub received: usize,
    /// It sent close_notify (by `close`).
    pub closed: bool,
    /// Its `PeerClosed` event.
    pub peer_closed: Option<bool>,
}

/// What one connection did.
#[derive(Clone, Debug)]
pub struct ExchangeReport {
    /// The client.
    pub client: SideReport,
    /// The server.
    pub server: SideReport,
    /// Neither direction was touched.
    pub clean: bool,
    /// Every byte the client sent (before the channel).
    pub client_output: Vec<u8>,
    /// Every byte the server sent.
    pub server_output: Vec<u8>,
}

/// The fuzz target: parses `data` and runs it (an input that does not parse is
/// skipped).
pub fn run(data: &[u8]) {
    if let Some(input) = Input::parse(data) {
        run_input(&input);
    }
}

/// Runs `input`, checking the rules of the module documentation; the connections'
/// reports (`None` if the configurations could not be built).
pub fn run_input(input: &Input) -> Option<Vec<ExchangeReport>> {
    let configs = configs()?;
    let i = usize::from(input.variant) % VARIANTS.len();
    let variant = VARIANTS[i];
    let store = Shared::new(SessionCache::new(1));
    let client_config = Shared::new(with_store(&configs.clients[i], store.clone()));
    let server_config = configs.servers[i].clone();
    let mut reports = Vec::new();
    let exchanges = [Some(&input.first), input.second.as_ref()];
    for (k, exchange) in exchanges.into_iter().enumerate() {
        let Some(exchange) = exchange else {
            break;
        };
        let had_session = StoresClientSessions::get(&*store, SERVER_NAME).is_some();
        let (client_seed, server_seed) = SEEDS[k];
        let name = SERVER_NAME.try_into().ok()?;
        let client = Connection::client(
            client_config.clone(),
            name,
            NOW,
            &mut SeededRng::from_seed(client_seed),
        )
        .ok()?;
        let server = Connection::server(
            server_config.clone(),
            NOW,
            &mut SeededRng::from_seed(server_seed),
        )
        .ok()?;
        let report = run_exchange(
            variant,
            exchange,
            client,
            server,
            had_session,
            k == 0,
            &*store,
        );
        reports.push(report);
    }
    Some(reports)
}

fn run_exchange(
    variant: Variant,
    exchange: &Exchange,
    client: Connection,
    server: Connection,
    had_session: bool,
    first: bool,
    store: &dyn StoresClientSessions,
) -> ExchangeReport {
    let mut c = Party::new(client, "client", CLIENT_SALT, SERVER_SALT, &exchange.client);
    let mut s = Party::new(server, "server", SERVER_SALT, CLIENT_SALT, &exchange.server);
    let mut to_server = Channel::new(&exchange.to_server);
    let mut to_client = Channel::new(&exchange.to_client);
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps <= MAX_STEPS, "the pair did not settle");
        let mut progress = false;
        progress |= c.act();
        progress |= s.act();
        progress |= to_server.pump(&mut c);
        progress |= to_server.step(&mut c.mark, &mut s);
        progress |= to_client.pump(&mut s);
        progress |= to_client.step(&mut s.mark, &mut c);
        if !progress {
            break;
        }
    }
    check(
        variant,
        &c,
        &s,
        &to_server,
        &to_client,
        had_session,
        first,
        store,
    );
    ExchangeReport {
        client: c.report(),
        server: s.report(),
        clean: to_server.taint.is_none() && to_client.taint.is_none(),
        client_output: c.stream,
        server_output: s.stream,
    }
}

/// The rules checked once a connection settled.
#[allow(clippy::too_many_arguments)]
fn check(
    variant: Variant,
    c: &Party,
    s: &Party,
    to_server: &Channel,
    to_client: &Channel,
    had_session: bool,
    first: bool,
    store: &dyn StoresClientSessions,
) {
    // Integrity: nothing received beyond what was sent.
    assert!(
        c.received <= s.sent,
        "client received more than the server sent"
    );
    assert!(
        s.received <= c.sent,
        "server received more than the client sent"
    );
    // Agreement.
    if let (Some(cn), Some(sn)) = (c.conn.negotiated(), s.conn.negotiated()) {
        assert_eq!(cn.suite, sn.suite, "suites differ");
        assert_eq!(
            cn.extended_master_secret, sn.extended_master_secret,
            "EMS differs"
        );
        assert_eq!(cn.encrypt_then_mac, sn.encrypt_then_mac, "EtM differs");
        assert_eq!(cn.resumed, sn.resumed, "resumption differs");
    }
    // Matching alerts, both ways.
    for (a, b, ch) in [(c, s, to_server), (s, c, to_client)] {
        if let Some(m) = &a.mark
            && !m.after_close
            && ch.intact_to(m.end)
        {
            let at_start = m
                .receiver_error
                .as_ref()
                .unwrap_or_else(|| panic!("{}'s alert arrived uncut", a.name));
            if at_start.is_none() {
                assert_eq!(
                    b.error,
                    Some(Error::AlertReceived(m.alert)),
                    "{} failed with {:?} (alert {:?}), which arrived intact at the {}",
                    a.name,
                    a.error,
                    m.alert,
                    b.name
                );
            }
        }
        if let Some(Error::AlertReceived(x)) = &b.error
            && ch.taint.is_none()
        {
            assert_eq!(
                a.mark.as_ref().map(|m| m.alert),
                Some(*x),
                "{} received alert {x:?} over an untouched channel, but the {} failed with {:?}",
                b.name,
                a.name,
                a.error
            );
        }
    }
    // Sessions.
    let holds = store.get(SERVER_NAME).is_some();
    let fatal = c
        .error
        .as_ref()
        .is_some_and(|e| e.alert().is_some() || matches!(e, Error::AlertReceived(_)));
    if fatal {
        assert!(!holds, "the client kept its session after a fatal alert");
    }
    let keeps = c.completed && c.error.is_none() && variant.ems;
    if keeps {
        assert!(holds, "the client holds no session after a good handshake");
    }
    if first {
        assert_eq!(
            holds, keeps,
            "the client's session after the first connection"
        );
    }
    // A clean channel.
    if to_server.taint.is_some() || to_client.taint.is_some() {
        return;
    }
    if c.early || s.early {
        for p in [c, s] {
            assert_eq!(
                p.received, 0,
                "{} received data after an early close",
                p.name
            );
            let failed =
                !p.completed && p.error == Some(Error::PeerClosedDuringHandshake { clean: true });
            // The side that closed goes on with its handshake; it completes when the
            // peer's Finished comes before the peer's answering close_notify (a
            // resumption).
            let completed =
                p.early && p.completed && p.error.is_none() && p.peer_closed == Some(true);
            assert!(
                failed || completed,
                "{} after an early close: completed {}, error {:?}",
                p.name,
                p.completed,
                p.error
            );
        }
        return;
    }
    for p in [c, s] {
        assert!(
            p.completed && p.error.is_none(),
            "{}: clean channel, but completed {} with error {:?}",
            p.name,
            p.completed,
            p.error
        );
        // (A side stops writing once its peer closed.)
        assert!(
            p.sent == p.data.len() || p.peer_closed.is_some(),
            "{} could not send everything",
            p.name
        );
    }
    let n = c.conn.negotiated().expect("completed");
    assert_eq!(n.suite, variant.suite);
    assert_eq!(n.extended_master_secret, variant.ems);
    assert_eq!(n.encrypt_then_mac, variant.etm && variant.cbc);
    assert_eq!(n.resumed, !first && had_session, "resumption");
    assert_eq!(c.received, s.sent, "the client did not receive everything");
    assert_eq!(s.received, c.sent, "the server did not receive everything");
    let closed = c.closed || s.closed;
    for p in [c, s] {
        let want = closed.then_some(true);
        assert_eq!(p.peer_closed, want, "{}'s view of the close", p.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn plan(writes: &[u16], close: Close) -> Plan {
        Plan {
            writes: writes.to_vec(),
            close,
        }
    }

    fn clean(variant: u8, second: bool) -> Input {
        let exchange = Exchange {
            client: plan(&[17, 1200], Close::AfterWrites(2)),
            server: plan(&[600], Close::Never),
            to_server: vec![],
            to_client: vec![],
        };
        Input {
            variant,
            first: exchange.clone(),
            second: second.then_some(exchange),
        }
    }

    #[test]
    fn a_clean_channel_completes_for_every_variant() {
        for (i, v) in VARIANTS.iter().enumerate() {
            let input = clean(i as u8, true);
            assert_eq!(Input::parse(&input.to_bytes()), Some(input.clone()));
            let reports = run_input(&input).unwrap();
            assert_eq!(reports.len(), 2);
            for (k, r) in reports.iter().enumerate() {
                assert!(r.clean);
                assert!(r.client.completed && r.server.completed, "{}", v.name);
                assert_eq!(r.client.received, 601);
                assert_eq!(r.server.received, 18 + 177);
                assert_eq!(r.client.resumed, Some(k == 1 && v.ems), "{}", v.name);
                assert_eq!(r.server.peer_closed, Some(true));
            }
        }
    }

    /// The offset in `output` of the first record after the first ChangeCipherSpec:
    /// the Finished.
    fn finished_at(output: &[u8]) -> usize {
        let mut at = 0;
        let mut after_ccs = false;
        loop {
            if after_ccs {
                return at;
            }
            after_ccs = output[at] == 20;
            at += 5 + usize::from(u16::from_be_bytes([output[at + 3], output[at + 4]]));
        }
    }

    #[test]
    fn a_flipped_byte_in_the_server_finished_fails_both_with_matching_alerts() {
        for (i, v) in VARIANTS.iter().enumerate() {
            let reports = run_input(&clean(i as u8, false)).unwrap();
            let at = finished_at(&reports[0].server_output);
            // Inside the protected Finished: its last byte (a tag or MAC, or padding).
            let len = usize::from(u16::from_be_bytes([
                reports[0].server_output[at + 3],
                reports[0].server_output[at + 4],
            ]));
            let target = at + 5 + len - 1;
            let mut input = clean(i as u8, false);
            input.first.to_client = vec![Op::Deliver((target - 1) as u16), Op::Xor(0x40)];
            let r = &run_input(&input).unwrap()[0];
            assert!(!r.clean);
            assert!(!r.client.completed, "{}", v.name);
            let alert = r.client.error.as_ref().and_then(Error::alert);
            assert!(
                matches!(
                    alert,
                    Some(AlertDescription::BAD_RECORD_MAC | AlertDescription::DECRYPT_ERROR)
                ),
                "{}: {:?}",
                v.name,
                r.client.error
            );
            assert_eq!(r.server.error, Some(Error::AlertReceived(alert.unwrap())));
            assert_eq!((r.client.received, r.server.received), (0, 0));
        }
    }

    #[test]
    fn junk_inputs_run() {
        let mut rng = SeededRng::from_seed([7; 32]);
        for len in [0usize, 1, 5, 40, 300, 2000] {
            for _ in 0..4 {
                let mut junk = vec![0u8; len];
                sanstls_crypto::rng::Rng::fill_bytes(&mut rng, &mut junk);
                run(&junk);
            }
        }
    }
}
