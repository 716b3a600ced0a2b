//! Structure-aware, encrypting fuzz targets: the input is a script of actions, and the
//! harness plays the peer with the real key schedule, so inputs reach the protected
//! states (Finished checking, alerts and application data under protection,
//! renegotiation attempts, close_notify) that random bytes almost never get past.
//!
//! [`client`] fuzzes the fuzzed client of the other targets ([`super::client_config`],
//! its seed and time); [`server`] the fuzzed server. The peer is a real sanstls
//! connection of the other role, in one of eight configurations the first input byte
//! picks (suites, key exchanges, client authentication, resumption, tickets), with a
//! harness in the middle that holds the keys of both sides:
//!
//! - before the peer's ChangeCipherSpec, its handshake messages go to the connection
//!   under test as plaintext, each one altered by the mutation armed for its type, if
//!   any (a byte set, a truncation, an insertion, an extension added, dropped or
//!   repeated, the version or the suite changed, the type changed);
//! - the harness keeps two transcripts: what the peer sent and saw ("peer view") and
//!   what the connection under test was given ("target view"). From the peer's
//!   premaster secret ([`Connection::fuzz_premaster`], fuzzing builds only) it derives
//!   the master secret and keys of each view (RFC 5246 §8.1, or RFC 7627 §4 with the
//!   extended master secret, whose session hash covers the altered messages);
//! - after a ChangeCipherSpec, every record is opened under the sender's view and
//!   sealed again under the receiver's, and each Finished is recomputed for the
//!   receiver's view (RFC 5246 §7.4.9): a handshake whose alterations the connection
//!   tolerates completes, and the fuzzer goes on into the protected states;
//! - actions inject records from the peer's side (alerts, ChangeCipherSpec, application
//!   data, any handshake message, a renegotiation attempt), sealed under the current
//!   keys once the peer's ChangeCipherSpec went through; or change the next record
//!   delivered (split it in two writes, flip a bit, drop it, change its version); or
//!   split the next handshake message over several records; or make either side send
//!   data, close, or see the transport end.
//!
//! Checks: no panic, no hang (every loop is bounded), errors are sticky and equal
//! [`Connection::error`]; and a Finished the harness altered after computing it never
//! completes a handshake (the connection's Finished check, RFC 5246 §7.4.9).
//!
//! The input: one byte picking the peer's configuration, then actions, each an opcode
//! byte and its operands (see `Action::read`); [`Action::write`] writes them, for the
//! seeds. When the actions run out, up to [`DRAIN_ROUNDS`] rounds let both sides finish
//! what they started, so a short input is a whole connection.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use once_cell::race::OnceBox;

use sanstls_crypto::rng::SeededRng;
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_keys::{KeyBlock, MasterSecret, Side};
use sanstls_record::{CbcMode, Opener, Sealer};
use sanstls_wire::enums::{CipherSuite, ContentType, HandshakeType, NamedGroup, ProtocolVersion};
use sanstls_wire::handshake::HandshakeMessage;

use super::{NOW, SERVER_NAME, resumable_session, server_cert_verifier, verify_options};
use crate::session::{Session, SessionCache, StoresServerSessions};
use crate::sig::{PrivateKey, scheme_parts, sign_digest, signed_params};
use crate::{
    CertifiedKey, ClientConfig, Connection, Error, Event, ServerConfig, Shared,
    WebPkiClientVerifier,
};
use sanstls_wire::handshake::{DigitallySigned, ServerKeyExchange};

// The test certificates and keys of the entry points (`super`).
use super::{
    CHAIN_PEM as RSA_CHAIN, CLIENT_CHAIN_PEM as CLIENT_CHAIN, CLIENT_KEY_PEM as CLIENT_KEY,
    ECDSA_CHAIN_PEM as ECDSA_CHAIN, ECDSA_KEY_PEM as ECDSA_KEY, KEY_PEM as RSA_KEY,
    ROOT_PEM as ROOTS,
};

/// The peers' signing keys, parsed once: the RSA and ECDSA server keys, the client's.
fn signing_keys() -> &'static [Option<PrivateKey>; 3] {
    static KEYS: OnceBox<[Option<PrivateKey>; 3]> = OnceBox::new();
    KEYS.get_or_init(|| {
        Box::new([
            PrivateKey::from_pem(RSA_KEY).ok(),
            PrivateKey::from_pem(ECDSA_KEY).ok(),
            PrivateKey::from_pem(CLIENT_KEY).ok(),
        ])
    })
}

/// The peer's generator seed.
const PEER_SEED: [u8; 32] = [7; 32];
/// Rounds of delivery both ways after the last action.
pub const DRAIN_ROUNDS: usize = 6;
/// The most records one delivery round passes on (a bound, never reached by sanstls).
const MAX_RECORDS_PER_ROUND: usize = 64;
/// The most times one write is offered to a connection that takes no bytes.
const MAX_STALLS: usize = 4;
/// The number of peer configurations.
pub const PEER_VARIANTS: u8 = 8;

/// The peers of the fuzzed client: servers.
fn peer_servers() -> &'static [Shared<ServerConfig>] {
    static CONFIGS: OnceBox<Vec<Shared<ServerConfig>>> = OnceBox::new();
    CONFIGS.get_or_init(|| {
        let rsa = || CertifiedKey::from_pem(RSA_CHAIN, RSA_KEY).ok();
        let ecdsa = || CertifiedKey::from_pem(ECDSA_CHAIN, ECDSA_KEY).ok();
        let asking = || {
            crate::TrustAnchors::from_pem_bundle(ROOTS).ok().map(|a| {
                Shared::new(
                    WebPkiClientVerifier::with_options(a, verify_options()).allow_unauthenticated(),
                ) as Shared<dyn crate::ClientCertVerifier>
            })
        };
        let base = |key: Option<CertifiedKey>| {
            key.map(|k| ServerConfig::builder().single_cert(k).session_cache(0))
        };
        let cache = || {
            let cache = SessionCache::new(1);
            StoresServerSessions::put(&cache, &[0x11; 32], &resumable_session());
            Shared::new(cache) as Shared<dyn StoresServerSessions>
        };
        let builders = [
            // 0: the defaults (ECDHE_RSA with AES-128-GCM first).
            base(rsa()),
            // 1: ECDHE_ECDSA.
            base(ecdsa()),
            // 2: DHE_RSA, CBC with encrypt-then-MAC, asking for a certificate.
            base(rsa()).zip(asking()).map(|(b, v)| {
                b.cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256])
                    .client_verifier(v)
            }),
            // 3: RSA key transport, MAC-then-encrypt, no extended master secret.
            base(rsa()).map(|b| {
                b.cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA])
                    .encrypt_then_mac(false)
                    .extended_master_secret(false)
            }),
            // 4: ChaCha20-Poly1305 over P-384, asking for a certificate.
            base(rsa()).zip(asking()).map(|(b, v)| {
                b.cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256])
                    .groups(&[NamedGroup::SECP384R1])
                    .client_verifier(v)
            }),
            // 5: resumes the fuzzed client's fixed session (abbreviated handshake).
            base(rsa()).map(|b| {
                b.cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256])
                    .session_store(Some(cache()))
            }),
            // 6: SHA-384 CBC, and a NewSessionTicket.
            base(rsa()).map(|b| {
                b.cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384])
                    .ticketer(Some(super::ticketer()))
            }),
            // 7: RSA key transport with AES-256-GCM.
            base(rsa()).map(|b| b.cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384])),
        ];
        Box::new(
            builders
                .into_iter()
                .filter_map(|b| b.and_then(|b| b.build().ok()).map(Shared::new))
                .collect(),
        )
    })
}

/// The peers of the fuzzed server: clients.
fn peer_clients() -> &'static [Shared<ClientConfig>] {
    static CONFIGS: OnceBox<Vec<Shared<ClientConfig>>> = OnceBox::new();
    CONFIGS.get_or_init(|| {
        let cert = || CertifiedKey::from_pem(CLIENT_CHAIN, CLIENT_KEY).ok();
        let base = || {
            server_cert_verifier().map(|v| ClientConfig::builder().verifier(v).session_store(None))
        };
        let builders = [
            // 0: the defaults.
            base(),
            // 1: with a certificate.
            base().zip(cert()).map(|(b, c)| b.client_certificate(c)),
            // 2: DHE_RSA, CBC with encrypt-then-MAC.
            base().map(|b| b.cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256])),
            // 3: RSA key transport, MAC-then-encrypt, no extended master secret.
            base().map(|b| {
                b.cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA])
                    .encrypt_then_mac(false)
                    .extended_master_secret(false)
            }),
            // 4: ChaCha20-Poly1305 over P-384.
            base().map(|b| {
                b.cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256])
                    .groups(&[NamedGroup::SECP384R1])
            }),
            // 5: SHA-384 CBC with a certificate.
            base().zip(cert()).map(|(b, c)| {
                b.cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384])
                    .client_certificate(c)
            }),
            // 6: RSA key transport with AES-256-GCM.
            base().map(|b| b.cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384])),
            // 7: ECDHE_RSA, AES-128-CBC-SHA with encrypt-then-MAC, no extended master
            // secret, X25519 only.
            base().map(|b| {
                b.cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA])
                    .extended_master_secret(false)
                    .groups(&[NamedGroup::X25519])
            }),
        ];
        Box::new(
            builders
                .into_iter()
                .filter_map(|b| b.and_then(|b| b.build().ok()).map(Shared::new))
                .collect(),
        )
    })
}

/// The handshake message types a mutation can be armed for.
const MUTABLE: [HandshakeType; 9] = [
    HandshakeType::CLIENT_HELLO,
    HandshakeType::SERVER_HELLO,
    HandshakeType::CERTIFICATE,
    HandshakeType::SERVER_KEY_EXCHANGE,
    HandshakeType::CERTIFICATE_REQUEST,
    HandshakeType::SERVER_HELLO_DONE,
    HandshakeType::CERTIFICATE_VERIFY,
    HandshakeType::CLIENT_KEY_EXCHANGE,
    HandshakeType::FINISHED,
];

/// How a handshake message is altered (offsets are taken modulo the body's length).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldOp {
    /// Set the body byte at `at` to `value`.
    SetByte { at: u16, value: u8 },
    /// Keep `len` bytes of the body (modulo its length plus one).
    Truncate(u16),
    /// Insert bytes at `at`.
    Insert { at: u16, bytes: Vec<u8> },
    /// Leave the body, but write `len` into the message header's length.
    HeaderLength(u16),
    /// Append an extension to a hello's extensions block (creating it if absent).
    AddExtension { typ: u16, body: Vec<u8> },
    /// Remove the extension at this index of a hello's extensions block.
    DropExtension(u8),
    /// Repeat the extension at this index of a hello's extensions block.
    RepeatExtension(u8),
    /// Set the version of a hello.
    Version(u16),
    /// Set a ServerHello's suite, or put this suite first in a ClientHello's list.
    Suite(u16),
    /// Change the message type.
    Retype(u8),
}

/// A mutation armed for the next handshake message of type `on` the peer sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    /// The type (one of the types `MUTABLE` lists: the hellos, Certificate, the key
    /// exchanges, CertificateRequest, ServerHelloDone, CertificateVerify, Finished).
    pub on: HandshakeType,
    /// What is changed.
    pub op: FieldOp,
}

/// One step of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Deliver what the peer has sent so far (through the harness).
    Pump,
    /// Arm a mutation.
    Mutate(Mutation),
    /// Inject an alert record.
    Alert { level: u8, description: u8 },
    /// Inject a ChangeCipherSpec record.
    ChangeCipherSpec,
    /// Inject an application data record.
    AppData(Vec<u8>),
    /// Inject a handshake message of any type and body.
    Handshake { typ: u8, body: Vec<u8> },
    /// Inject a renegotiation attempt: a HelloRequest to a client, the peer's
    /// ClientHello again to a server.
    Renegotiate,
    /// Deliver the next record in two writes, cut at this offset.
    Split(u16),
    /// Send the next handshake message of the peer in this many records.
    Fragment(u8),
    /// Flip this bit of the next record delivered.
    FlipBit(u16),
    /// Drop the next record.
    Drop,
    /// Set the version in the next record's header.
    RecordVersion(u16),
    /// The peer sends application data.
    PeerWrite(Vec<u8>),
    /// The connection under test sends application data.
    TargetWrite(Vec<u8>),
    /// The peer closes (close_notify).
    PeerClose,
    /// The connection under test closes.
    TargetClose,
    /// The transport ends (the connection under test sees end of file).
    Eof,
}

/// A little reader over the input: what runs out reads as zero and empty.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8().unwrap_or(0), self.u8().unwrap_or(0)])
    }
    /// A length byte, then that many bytes (fewer if the input ends).
    fn bytes(&mut self) -> Vec<u8> {
        let len = usize::from(self.u8().unwrap_or(0)).min(self.0.len());
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        head.to_vec()
    }
}

impl Action {
    /// Reads one action: an opcode byte and its operands. `None` at the end of input.
    fn read(input: &mut Input<'_>) -> Option<Action> {
        let op = input.u8()?;
        Some(match op % 17 {
            0 => Action::Pump,
            1 => {
                let on = MUTABLE[usize::from(input.u8().unwrap_or(0)) % MUTABLE.len()];
                let kind = input.u8().unwrap_or(0);
                let at = input.u16();
                let bytes = input.bytes();
                let op = match kind % 10 {
                    0 => FieldOp::SetByte {
                        at,
                        value: bytes.first().copied().unwrap_or(0),
                    },
                    1 => FieldOp::Truncate(at),
                    2 => FieldOp::Insert { at, bytes },
                    3 => FieldOp::HeaderLength(at),
                    4 => FieldOp::AddExtension {
                        typ: at,
                        body: bytes,
                    },
                    5 => FieldOp::DropExtension(at as u8),
                    6 => FieldOp::RepeatExtension(at as u8),
                    7 => FieldOp::Version(at),
                    8 => FieldOp::Suite(at),
                    _ => FieldOp::Retype(at as u8),
                };
                Action::Mutate(Mutation { on, op })
            }
            2 => Action::Alert {
                level: input.u8().unwrap_or(0),
                description: input.u8().unwrap_or(0),
            },
            3 => Action::ChangeCipherSpec,
            4 => Action::AppData(input.bytes()),
            5 => Action::Handshake {
                typ: input.u8().unwrap_or(0),
                body: input.bytes(),
            },
            6 => Action::Renegotiate,
            7 => Action::Split(input.u16()),
            8 => Action::Fragment(input.u8().unwrap_or(0)),
            9 => Action::FlipBit(input.u16()),
            10 => Action::Drop,
            11 => Action::RecordVersion(input.u16()),
            12 => Action::PeerWrite(input.bytes()),
            13 => Action::TargetWrite(input.bytes()),
            14 => Action::PeerClose,
            15 => Action::TargetClose,
            _ => Action::Eof,
        })
    }

    /// Writes the action as `Action::read` reads it (byte strings up to 255 bytes).
    pub fn write(&self, out: &mut Vec<u8>) {
        let bytes = |out: &mut Vec<u8>, b: &[u8]| {
            let b = &b[..b.len().min(255)];
            out.push(b.len() as u8);
            out.extend_from_slice(b);
        };
        match self {
            Action::Pump => out.push(0),
            Action::Mutate(m) => {
                out.push(1);
                out.push(MUTABLE.iter().position(|&t| t == m.on).unwrap_or(0) as u8);
                let (kind, at, data): (u8, u16, Vec<u8>) = match &m.op {
                    FieldOp::SetByte { at, value } => (0, *at, vec![*value]),
                    FieldOp::Truncate(at) => (1, *at, Vec::new()),
                    FieldOp::Insert { at, bytes } => (2, *at, bytes.clone()),
                    FieldOp::HeaderLength(at) => (3, *at, Vec::new()),
                    FieldOp::AddExtension { typ, body } => (4, *typ, body.clone()),
                    FieldOp::DropExtension(i) => (5, u16::from(*i), Vec::new()),
                    FieldOp::RepeatExtension(i) => (6, u16::from(*i), Vec::new()),
                    FieldOp::Version(v) => (7, *v, Vec::new()),
                    FieldOp::Suite(s) => (8, *s, Vec::new()),
                    FieldOp::Retype(t) => (9, u16::from(*t), Vec::new()),
                };
                out.push(kind);
                out.extend_from_slice(&at.to_be_bytes());
                bytes(out, &data);
            }
            Action::Alert { level, description } => {
                out.extend_from_slice(&[2, *level, *description]);
            }
            Action::ChangeCipherSpec => out.push(3),
            Action::AppData(d) => {
                out.push(4);
                bytes(out, d);
            }
            Action::Handshake { typ, body } => {
                out.extend_from_slice(&[5, *typ]);
                bytes(out, body);
            }
            Action::Renegotiate => out.push(6),
            Action::Split(k) => {
                out.push(7);
                out.extend_from_slice(&k.to_be_bytes());
            }
            Action::Fragment(n) => out.extend_from_slice(&[8, *n]),
            Action::FlipBit(b) => {
                out.push(9);
                out.extend_from_slice(&b.to_be_bytes());
            }
            Action::Drop => out.push(10),
            Action::RecordVersion(v) => {
                out.push(11);
                out.extend_from_slice(&v.to_be_bytes());
            }
            Action::PeerWrite(d) => {
                out.push(12);
                bytes(out, d);
            }
            Action::TargetWrite(d) => {
                out.push(13);
                bytes(out, d);
            }
            Action::PeerClose => out.push(14),
            Action::TargetClose => out.push(15),
            Action::Eof => out.push(16),
        }
    }
}

/// A script as bytes: the peer's configuration, then the actions.
pub fn script(peer: u8, actions: &[Action]) -> Vec<u8> {
    let mut out = vec![peer];
    for a in actions {
        a.write(&mut out);
    }
    out
}

/// What one side of the harness knows of a handshake: its transcript and the hellos'
/// parameters.
#[derive(Default)]
struct View {
    transcript: Vec<u8>,
    /// The transcript's length after ClientKeyExchange (the session hash's end).
    after_key_exchange: Option<usize>,
    client_random: Option<[u8; 32]>,
    server_random: Option<[u8; 32]>,
    suite: Option<&'static SuiteInfo>,
    ems: bool,
    etm: bool,
}

impl View {
    fn add(&mut self, msg: &[u8]) {
        let Some(&typ) = msg.first() else { return };
        let typ = HandshakeType(typ);
        if typ == HandshakeType::HELLO_REQUEST {
            return; // RFC 5246 §7.4.1.1: not in the transcript.
        }
        if typ == HandshakeType::CLIENT_HELLO {
            self.client_random = msg.get(6..38).and_then(|r| r.try_into().ok());
        }
        if typ == HandshakeType::SERVER_HELLO {
            self.server_random = msg.get(6..38).and_then(|r| r.try_into().ok());
            if let Ok(HandshakeMessage::ServerHello(sh)) = HandshakeMessage::decode(msg, None) {
                self.suite = suite::lookup(sh.cipher_suite);
                self.ems = sh.extensions.is_some_and(|e| e.extended_master_secret());
                self.etm = sh.extensions.is_some_and(|e| e.encrypt_then_mac());
            }
        }
        self.transcript.extend_from_slice(msg);
        if typ == HandshakeType::CLIENT_KEY_EXCHANGE {
            self.after_key_exchange = Some(self.transcript.len());
        }
    }

    fn mode(&self) -> CbcMode {
        if self.etm {
            CbcMode::EncryptThenMac
        } else {
            CbcMode::MacThenEncrypt
        }
    }

    /// The master secret of this view: from the premaster after a full key exchange,
    /// or the fuzzed client's fixed session's for an abbreviated handshake.
    fn master(&self, premaster: Option<&[u8]>) -> Option<MasterSecret> {
        let suite = self.suite?;
        let prf = suite.prf_hash;
        match (self.after_key_exchange, premaster) {
            (Some(end), Some(pm)) if self.ems => {
                let hash = prf.hash(self.transcript.get(..end)?).ok()?;
                MasterSecret::derive_extended(prf, pm, &hash).ok()
            }
            (Some(_), Some(pm)) => MasterSecret::derive(
                prf,
                pm,
                self.client_random.as_ref()?,
                self.server_random.as_ref()?,
            )
            .ok(),
            (Some(_), None) => None,
            (None, _) => {
                let session = Session::from_bytes(&resumable_session()).ok()?;
                (session.suite == suite.suite)
                    .then(|| MasterSecret::from_bytes(prf, *session.master))
            }
        }
    }

    fn key_block(&self, master: &MasterSecret) -> Option<KeyBlock> {
        master
            .key_block(
                self.suite?,
                self.client_random.as_ref()?,
                self.server_random.as_ref()?,
            )
            .ok()
    }

    /// The Finished body `sender` sends now, under `master`.
    fn finished(&self, master: &MasterSecret, sender: Side) -> Option<[u8; 12]> {
        let hash = master.prf_hash().hash(&self.transcript).ok()?;
        master
            .verify_data(sender, &hash)
            .ok()
            .map(|v| *v.as_bytes())
    }
}

/// Keys of one direction as the harness relays it: opened under the sender's view,
/// sealed under the receiver's.
struct Relay {
    opener: Opener,
    sealer: Sealer,
}

/// What is done to the next record delivered to the connection under test.
#[derive(Default)]
struct NextRecord {
    split: Option<u16>,
    flip: Option<u16>,
    drop: bool,
    version: Option<u16>,
}

/// Feeds bytes to a connection until they are taken, checking that errors are sticky.
#[derive(Default)]
struct Fed {
    first_error: Option<Error>,
    /// The application data taken (the first [`MAX_KEPT`] bytes).
    received: Vec<u8>,
}

/// How much received application data an outcome keeps.
const MAX_KEPT: usize = 1 << 12;

impl Fed {
    fn feed(&mut self, conn: &mut Connection, bytes: &[u8]) {
        let mut at = 0;
        let mut stalls = 0;
        while at < bytes.len() && stalls < MAX_STALLS {
            match conn.handle_recv_bytes(&bytes[at..], NOW) {
                Ok(0) => {
                    stalls += 1;
                    let waiting = conn.app_data().len();
                    if waiting > 0 {
                        self.keep(conn.app_data());
                        if let Err(e) = conn.consume(waiting) {
                            self.note(conn, e);
                            return;
                        }
                    } else {
                        // Only a closed connection may refuse input for good.
                        assert!(conn.is_closed(), "no progress and nothing to consume");
                        return;
                    }
                }
                Ok(n) => {
                    stalls = 0;
                    at += n;
                }
                Err(e) => {
                    self.note(conn, e);
                    return;
                }
            }
        }
        let waiting = conn.app_data().len();
        self.keep(conn.app_data());
        if let Err(e) = conn.consume(waiting) {
            self.note(conn, e);
        }
    }

    fn keep(&mut self, data: &[u8]) {
        let room = MAX_KEPT - self.received.len().min(MAX_KEPT);
        self.received
            .extend_from_slice(&data[..data.len().min(room)]);
    }

    fn note(&mut self, conn: &Connection, e: Error) {
        if let Some(prev) = &self.first_error {
            assert_eq!(prev, &e, "errors must be sticky");
        }
        assert_eq!(
            conn.error(),
            Some(&e),
            "the error returned is the connection's"
        );
        self.first_error = Some(e);
    }
}

/// Takes one whole record off the front of `buf`.
fn take_record(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let len = usize::from(u16::from_be_bytes([*buf.get(3)?, *buf.get(4)?]));
    if buf.len() < 5 + len {
        return None;
    }
    Some(buf.drain(..5 + len).collect())
}

/// Takes whole handshake messages off the front of `buf`.
fn take_messages(buf: &mut Vec<u8>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while buf.len() >= 4 {
        let len = usize::from(buf[1]) << 16 | usize::from(buf[2]) << 8 | usize::from(buf[3]);
        if buf.len() < 4 + len {
            break;
        }
        out.push(buf.drain(..4 + len).collect());
    }
    out
}

fn plaintext_record(ct: ContentType, payload: &[u8]) -> Vec<u8> {
    let payload = &payload[..payload.len().min(1 << 14)];
    let mut rec = vec![ct.0, 3, 3];
    rec.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    rec.extend_from_slice(payload);
    rec
}

/// Where a hello's extensions block starts (its two length bytes), in the message.
fn extensions_at(msg: &[u8]) -> Option<usize> {
    let typ = HandshakeType(*msg.first()?);
    let sid = 4 + 2 + 32;
    let mut at = sid + 1 + usize::from(*msg.get(sid)?);
    if typ == HandshakeType::CLIENT_HELLO {
        at += 2 + usize::from(u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]));
        at += 1 + usize::from(*msg.get(at)?);
    } else if typ == HandshakeType::SERVER_HELLO {
        at += 3;
    } else {
        return None;
    }
    (at <= msg.len()).then_some(at)
}

/// Applies `op` to the handshake message `msg` (header included), fixing up the header
/// length unless the op is about it.
fn mutate(msg: &mut Vec<u8>, op: &FieldOp) {
    if msg.len() < 4 {
        return;
    }
    let body_len = msg.len() - 4;
    let pos = |at: u16, len: usize| usize::from(at) % len.max(1);
    match op {
        FieldOp::SetByte { at, value } if body_len > 0 => msg[4 + pos(*at, body_len)] = *value,
        FieldOp::Truncate(len) => msg.truncate(4 + usize::from(*len) % (body_len + 1)),
        FieldOp::Insert { at, bytes } => {
            let at = 4 + pos(*at, body_len + 1);
            msg.splice(at..at, bytes.iter().copied());
        }
        FieldOp::HeaderLength(len) => {
            msg[1] = 0;
            msg[2..4].copy_from_slice(&len.to_be_bytes());
            return;
        }
        FieldOp::AddExtension { .. } | FieldOp::DropExtension(_) | FieldOp::RepeatExtension(_) => {
            mutate_extensions(msg, op);
        }
        FieldOp::Version(v) if body_len >= 2 => msg[4..6].copy_from_slice(&v.to_be_bytes()),
        FieldOp::SetByte { .. } | FieldOp::Version(_) => {}
        FieldOp::Suite(s) => {
            let typ = HandshakeType(msg[0]);
            let sid = 4 + 2 + 32;
            if let Some(&sid_len) = msg.get(sid) {
                let at = sid + 1 + usize::from(sid_len);
                if typ == HandshakeType::SERVER_HELLO && msg.len() >= at + 2 {
                    msg[at..at + 2].copy_from_slice(&s.to_be_bytes());
                } else if typ == HandshakeType::CLIENT_HELLO && msg.len() >= at + 2 {
                    let list = u16::from_be_bytes([msg[at], msg[at + 1]]).wrapping_add(2);
                    msg[at..at + 2].copy_from_slice(&list.to_be_bytes());
                    msg.splice(at + 2..at + 2, s.to_be_bytes());
                }
            }
        }
        FieldOp::Retype(t) => msg[0] = *t,
    }
    let len = msg.len() - 4;
    msg[1] = (len >> 16) as u8;
    msg[2] = (len >> 8) as u8;
    msg[3] = len as u8;
}

/// The extension ops of [`mutate`]: the block is parsed as (type, body) pairs, changed,
/// and written back with its length.
fn mutate_extensions(msg: &mut Vec<u8>, op: &FieldOp) {
    let Some(at) = extensions_at(msg) else { return };
    let mut exts: Vec<(u16, Vec<u8>)> = Vec::new();
    if msg.len() >= at + 2 {
        let mut rest = &msg[at + 2..];
        while rest.len() >= 4 {
            let typ = u16::from_be_bytes([rest[0], rest[1]]);
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]])).min(rest.len() - 4);
            exts.push((typ, rest[4..4 + len].to_vec()));
            rest = &rest[4 + len..];
        }
    }
    match op {
        FieldOp::AddExtension { typ, body } => exts.push((*typ, body.clone())),
        FieldOp::DropExtension(i) if !exts.is_empty() => {
            exts.remove(usize::from(*i) % exts.len());
        }
        FieldOp::RepeatExtension(i) if !exts.is_empty() => {
            let e = exts[usize::from(*i) % exts.len()].clone();
            exts.push(e);
        }
        _ => return,
    }
    let mut block = Vec::new();
    for (typ, body) in &exts {
        block.extend_from_slice(&typ.to_be_bytes());
        block.extend_from_slice(&(body.len().min(0xffff) as u16).to_be_bytes());
        block.extend_from_slice(body);
    }
    msg.truncate(at);
    msg.extend_from_slice(&(block.len().min(0xffff) as u16).to_be_bytes());
    msg.extend_from_slice(&block);
}

/// The harness: the connection under test, the peer, and the keys of both views.
#[allow(clippy::struct_excessive_bools)] // one flag per direction and check
struct Harness {
    target: Connection,
    peer: Connection,
    target_side: Side,
    target_fed: Fed,
    peer_fed: Fed,
    /// What the peer sent and saw, and what the connection under test was given.
    peer_view: View,
    target_view: View,
    /// Peer to target: bytes not yet a record, handshake bytes not yet a message, the
    /// relay once the peer's ChangeCipherSpec went through.
    p2t_bytes: Vec<u8>,
    p2t_handshake: Vec<u8>,
    p2t_protected: bool,
    p2t: Option<Relay>,
    /// Target to peer, the same.
    t2p_bytes: Vec<u8>,
    t2p_handshake: Vec<u8>,
    t2p_protected: bool,
    t2p: Option<Relay>,
    /// The masters (peer view, target view) are derived once, at the first
    /// ChangeCipherSpec either way.
    keyed: bool,
    masters: Option<(MasterSecret, MasterSecret)>,
    armed: Vec<Mutation>,
    fragment: Option<u8>,
    next: NextRecord,
    /// The peer's first ClientHello (for a renegotiation attempt).
    peer_hello: Option<Vec<u8>>,
    /// A Finished was delivered that differs from the one the harness computed.
    wrong_finished: bool,
    /// The connection under test completed its handshake.
    completed: bool,
    /// The key the peer signs with (ServerKeyExchange or CertificateVerify), with which
    /// the harness signs again what it changed or what the target view changed.
    peer_key: Option<&'static PrivateKey>,
    rng: SeededRng,
}

/// How a script ended (for tests and the seeds' checks).
#[derive(Debug)]
pub struct Outcome {
    /// The connection under test completed its handshake.
    pub completed: bool,
    /// Its error, if it failed.
    pub error: Option<Error>,
    /// Whether it is closed (close_notify received or sent and the transport done).
    pub closed: bool,
    /// The application data it received (the first 4 KiB).
    pub received: Vec<u8>,
    /// The application data the peer received (the first 4 KiB).
    pub peer_received: Vec<u8>,
    /// Whether the peer completed its handshake, and its error.
    pub peer_completed: bool,
    /// The peer's error.
    pub peer_error: Option<Error>,
}

impl Harness {
    /// Derives both views' masters and the relays of both directions.
    fn key(&mut self) {
        if self.keyed {
            return;
        }
        self.keyed = true;
        let premaster = self.peer.fuzz_premaster();
        let (Some(pm), Some(tm)) = (
            self.peer_view.master(premaster),
            self.target_view.master(premaster),
        ) else {
            return;
        };
        let (Some(pk), Some(tk)) = (
            self.peer_view.key_block(&pm),
            self.target_view.key_block(&tm),
        ) else {
            return;
        };
        let peer_side = match self.target_side {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        };
        let relay =
            |from: &KeyBlock, from_mode, to: &KeyBlock, to_mode, side, rng: &mut SeededRng| {
                Some(Relay {
                    opener: Opener::for_suite(&from.write_keys(side), from_mode).ok()?,
                    sealer: Sealer::for_suite(&to.write_keys(side), to_mode, rng).ok()?,
                })
            };
        let (pmode, tmode) = (self.peer_view.mode(), self.target_view.mode());
        self.p2t = relay(&pk, pmode, &tk, tmode, peer_side, &mut self.rng);
        self.t2p = relay(&tk, tmode, &pk, pmode, self.target_side, &mut self.rng);
        self.masters = Some((pm, tm));
    }

    /// Signs a ServerKeyExchange or CertificateVerify again for the target view, when
    /// the message or what its signature covers differs from what the peer signed, so
    /// that altered key exchange parameters and signature schemes reach the checks
    /// behind the signature. A message that no longer decodes goes as it is.
    fn sign_again(&mut self, msg: &mut Vec<u8>, original: &[u8]) {
        let Some(key) = self.peer_key else { return };
        let typ = HandshakeType(msg[0]);
        if typ == HandshakeType::SERVER_KEY_EXCHANGE {
            let (Some(cr), Some(sr)) = (
                self.target_view.client_random,
                self.target_view.server_random,
            ) else {
                return;
            };
            if msg.as_slice() == original
                && Some(cr) == self.peer_view.client_random
                && Some(sr) == self.peer_view.server_random
            {
                return;
            }
            let kx = self.target_view.suite.map(|s| s.key_exchange);
            let Ok(HandshakeMessage::ServerKeyExchange(ske)) = HandshakeMessage::decode(msg, kx)
            else {
                return;
            };
            let scheme = ske.signed.scheme;
            let Some((hash, _)) = scheme_parts(scheme) else {
                return;
            };
            let Ok(signed) = signed_params(&cr, &sr, &ske.params) else {
                return;
            };
            let Ok(digest) = hash.hash(&signed) else {
                return;
            };
            let Ok(sig) = sign_digest(key, &mut self.rng, scheme, digest.as_slice()) else {
                return;
            };
            let again = HandshakeMessage::ServerKeyExchange(ServerKeyExchange {
                params: ske.params,
                signed: DigitallySigned {
                    scheme,
                    signature: &sig,
                },
            });
            if let Ok(bytes) = again.to_vec() {
                *msg = bytes;
            }
        } else if typ == HandshakeType::CERTIFICATE_VERIFY {
            if msg.as_slice() == original
                && self.target_view.transcript == self.peer_view.transcript
            {
                return;
            }
            let Ok(HandshakeMessage::CertificateVerify(cv)) = HandshakeMessage::decode(msg, None)
            else {
                return;
            };
            let scheme = cv.scheme;
            let Some((hash, _)) = scheme_parts(scheme) else {
                return;
            };
            let Ok(digest) = hash.hash(&self.target_view.transcript) else {
                return;
            };
            let Ok(sig) = sign_digest(key, &mut self.rng, scheme, digest.as_slice()) else {
                return;
            };
            let again = HandshakeMessage::CertificateVerify(DigitallySigned {
                scheme,
                signature: &sig,
            });
            if let Ok(bytes) = again.to_vec() {
                *msg = bytes;
            }
        }
    }

    fn peer_side(&self) -> Side {
        match self.target_side {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }

    /// Delivers one record to the connection under test, as the armed record changes
    /// say, then passes on what it answers.
    fn deliver(&mut self, mut rec: Vec<u8>) {
        let next = core::mem::take(&mut self.next);
        if next.drop {
            return;
        }
        if let Some(v) = next.version
            && rec.len() >= 3
        {
            rec[1..3].copy_from_slice(&v.to_be_bytes());
        }
        if let Some(bit) = next.flip
            && !rec.is_empty()
        {
            let bit = usize::from(bit) % (rec.len() * 8);
            rec[bit / 8] ^= 1 << (bit % 8);
        }
        let cut = next
            .split
            .map_or(rec.len(), |k| usize::from(k) % (rec.len() + 1));
        let (a, b) = rec.split_at(cut);
        for piece in [a, b] {
            if !piece.is_empty() {
                self.target_fed.feed(&mut self.target, piece);
                self.check_events();
            }
        }
        self.relay_target();
    }

    /// Drains the events of the connection under test; a handshake completed on a
    /// Finished the harness altered is a failed Finished check.
    fn check_events(&mut self) {
        while let Some(ev) = self.target.poll_event() {
            if let Event::HandshakeComplete { .. } = ev {
                assert!(
                    !self.wrong_finished,
                    "a handshake completed on an altered Finished"
                );
                self.completed = true;
            }
        }
    }

    /// Records (plaintext or sealed under the current keys) from the peer's side.
    fn inject(&mut self, ct: ContentType, payload: &[u8]) {
        self.send_to_target(ct, &payload[..payload.len().min(1 << 14)]);
    }

    /// Sends on what the peer has written, through the harness.
    fn pump(&mut self) {
        let out = self.peer.poll_transmit().to_vec();
        let _ = self.peer.handle_transmitted(out.len());
        self.p2t_bytes.extend_from_slice(&out);
        for _ in 0..MAX_RECORDS_PER_ROUND {
            let Some(rec) = take_record(&mut self.p2t_bytes) else {
                break;
            };
            self.relay_peer_record(rec);
        }
    }

    /// One record from the peer: handshake messages altered and re-framed before its
    /// ChangeCipherSpec, everything opened and sealed again after it.
    fn relay_peer_record(&mut self, rec: Vec<u8>) {
        let ct = ContentType(rec[0]);
        if ct == ContentType::CHANGE_CIPHER_SPEC {
            self.key();
            self.p2t_protected = true;
            self.deliver(rec);
            return;
        }
        let payload = if self.p2t_protected {
            let Some(relay) = &mut self.p2t else {
                self.deliver(rec);
                return;
            };
            let mut copy = rec.clone();
            if let Ok(opened) = relay.opener.open_in_place(&mut copy) {
                opened.payload.to_vec()
            } else {
                self.deliver(rec);
                return;
            }
        } else {
            rec[5..].to_vec()
        };
        if ct != ContentType::HANDSHAKE {
            self.send_to_target(ct, &payload);
            return;
        }
        self.p2t_handshake.extend_from_slice(&payload);
        for original in take_messages(&mut self.p2t_handshake) {
            let mut msg = original.clone();
            if HandshakeType(msg[0]) == HandshakeType::CLIENT_HELLO && self.peer_hello.is_none() {
                self.peer_hello = Some(original.clone());
            }
            let mut computed = None;
            if HandshakeType(msg[0]) == HandshakeType::FINISHED
                && let Some((_, tm)) = &self.masters
                && let Some(v) = self.target_view.finished(tm, self.peer_side())
                && msg.len() == 16
            {
                msg[4..].copy_from_slice(&v);
                computed = Some(msg.clone());
            }
            if let Some(i) = self.armed.iter().position(|m| m.on.0 == msg[0]) {
                let m = self.armed.remove(i);
                mutate(&mut msg, &m.op);
            }
            self.sign_again(&mut msg, &original);
            if let Some(c) = computed
                && c != msg
            {
                self.wrong_finished = true;
            }
            self.peer_view.add(&original);
            self.target_view.add(&msg);
            let pieces = usize::from(self.fragment.take().unwrap_or(1).max(1));
            let size = msg.len().div_ceil(pieces).max(1);
            for chunk in msg.chunks(size) {
                self.send_to_target(ContentType::HANDSHAKE, chunk);
            }
        }
    }

    /// Frames (and seals, once protected) a fragment for the connection under test.
    fn send_to_target(&mut self, ct: ContentType, payload: &[u8]) {
        let rec = match (&mut self.p2t, self.p2t_protected) {
            (Some(relay), true) => {
                let mut out = vec![0u8; payload.len() + 512];
                match relay
                    .sealer
                    .seal(ct, ProtocolVersion::TLS12, payload, &mut out)
                {
                    Ok(n) => {
                        out.truncate(n);
                        out
                    }
                    Err(_) => return,
                }
            }
            _ => plaintext_record(ct, payload),
        };
        self.deliver(rec);
    }

    /// Passes what the connection under test wrote to the peer: unchanged before its
    /// ChangeCipherSpec (both transcripts take the messages), opened under the target
    /// view and sealed under the peer view after it, its Finished recomputed for the
    /// peer's transcript.
    fn relay_target(&mut self) {
        let out = self.target.poll_transmit().to_vec();
        let _ = self.target.handle_transmitted(out.len());
        self.t2p_bytes.extend_from_slice(&out);
        for _ in 0..MAX_RECORDS_PER_ROUND {
            let Some(rec) = take_record(&mut self.t2p_bytes) else {
                break;
            };
            self.relay_target_record(&rec);
        }
    }

    fn relay_target_record(&mut self, rec: &[u8]) {
        let ct = ContentType(rec[0]);
        if ct == ContentType::CHANGE_CIPHER_SPEC {
            self.key();
            self.t2p_protected = true;
            self.peer_fed.feed(&mut self.peer, rec);
            return;
        }
        if !self.t2p_protected {
            if ct == ContentType::HANDSHAKE {
                self.t2p_handshake.extend_from_slice(&rec[5..]);
                for msg in take_messages(&mut self.t2p_handshake) {
                    self.target_view.add(&msg);
                    self.peer_view.add(&msg);
                }
            }
            self.peer_fed.feed(&mut self.peer, rec);
            return;
        }
        let Some(relay) = &mut self.t2p else {
            self.peer_fed.feed(&mut self.peer, rec);
            return;
        };
        let mut copy = rec.to_vec();
        let mut payload = if let Ok(opened) = relay.opener.open_in_place(&mut copy) {
            opened.payload.to_vec()
        } else {
            self.peer_fed.feed(&mut self.peer, rec);
            return;
        };
        if ct == ContentType::HANDSHAKE {
            self.t2p_handshake.extend_from_slice(&payload);
            let mut rewritten = Vec::new();
            for msg in take_messages(&mut self.t2p_handshake) {
                let mut forwarded = msg.clone();
                if HandshakeType(msg[0]) == HandshakeType::FINISHED
                    && msg.len() == 16
                    && let Some((pm, _)) = &self.masters
                    && let Some(v) = self.peer_view.finished(pm, self.target_side)
                {
                    forwarded[4..].copy_from_slice(&v);
                }
                self.target_view.add(&msg);
                self.peer_view.add(&forwarded);
                rewritten.extend_from_slice(&forwarded);
            }
            payload = rewritten;
        }
        let Some(relay) = &mut self.t2p else { return };
        let mut out = vec![0u8; payload.len() + 512];
        if let Ok(n) = relay
            .sealer
            .seal(ct, ProtocolVersion::TLS12, &payload, &mut out)
        {
            self.peer_fed.feed(&mut self.peer, &out[..n]);
        }
    }

    fn act(&mut self, action: Action) {
        match action {
            Action::Pump => self.pump(),
            Action::Mutate(m) => self.armed.push(m),
            Action::Alert { level, description } => {
                self.inject(ContentType::ALERT, &[level, description]);
            }
            Action::ChangeCipherSpec => self.inject(ContentType::CHANGE_CIPHER_SPEC, &[1]),
            Action::AppData(d) => self.inject(ContentType::APPLICATION_DATA, &d),
            Action::Handshake { typ, body } => {
                let mut msg = vec![typ, 0];
                msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
                msg.extend_from_slice(&body);
                self.inject(ContentType::HANDSHAKE, &msg);
            }
            Action::Renegotiate => {
                let msg = match self.target_side {
                    Side::Client => vec![0, 0, 0, 0],
                    Side::Server => self.peer_hello.clone().unwrap_or_default(),
                };
                self.inject(ContentType::HANDSHAKE, &msg);
            }
            Action::Split(k) => self.next.split = Some(k),
            Action::Fragment(n) => self.fragment = Some(n),
            Action::FlipBit(b) => self.next.flip = Some(b),
            Action::Drop => self.next.drop = true,
            Action::RecordVersion(v) => self.next.version = Some(v),
            Action::PeerWrite(d) => {
                let _ = self.peer.send(&d);
            }
            Action::TargetWrite(d) => {
                if let Err(e) = self.target.send(&d) {
                    // Sending before the handshake completes is the caller's mistake,
                    // not a connection error; anything else must be the sticky one.
                    if let Some(prev) = &self.target_fed.first_error {
                        assert_eq!(prev, &e, "errors must be sticky");
                    }
                }
            }
            Action::PeerClose => self.peer.close(),
            Action::TargetClose => self.target.close(),
            Action::Eof => {
                if let Err(e) = self.target.handle_eof() {
                    self.target_fed.note(&self.target, e);
                }
                self.check_events();
            }
        }
        self.relay_target();
    }
}

/// Runs the script `data` against `target`, with `peer` playing the other side.
fn run(
    target: Connection,
    peer: Connection,
    target_side: Side,
    peer_key: Option<&'static PrivateKey>,
    data: &[u8],
) -> Outcome {
    let mut h = Harness {
        target,
        peer,
        target_side,
        target_fed: Fed::default(),
        peer_fed: Fed::default(),
        peer_view: View::default(),
        target_view: View::default(),
        p2t_bytes: Vec::new(),
        p2t_handshake: Vec::new(),
        p2t_protected: false,
        p2t: None,
        t2p_bytes: Vec::new(),
        t2p_handshake: Vec::new(),
        t2p_protected: false,
        t2p: None,
        keyed: false,
        masters: None,
        armed: Vec::new(),
        fragment: None,
        next: NextRecord::default(),
        peer_hello: None,
        wrong_finished: false,
        completed: false,
        peer_key,
        rng: SeededRng::from_seed([9; 32]),
    };
    h.relay_target();
    let mut input = Input(data);
    while let Some(action) = Action::read(&mut input) {
        h.act(action);
    }
    for _ in 0..DRAIN_ROUNDS {
        h.pump();
        h.relay_target();
    }
    if let Some(e) = &h.target_fed.first_error {
        assert_eq!(h.target.error(), Some(e));
    }
    while h.peer.poll_event().is_some() {}
    Outcome {
        completed: h.completed,
        error: h.target.error().cloned(),
        closed: h.target.is_closed(),
        received: h.target_fed.received,
        peer_received: h.peer_fed.received,
        peer_completed: !h.peer.is_handshaking() && h.peer.negotiated().is_some(),
        peer_error: h.peer.error().cloned(),
    }
}

/// The fuzzed client ([`super::client_config`]) against a scripted server.
pub fn client(data: &[u8]) {
    let _ = client_outcome(data);
}

/// The fuzzed server ([`super::server_config`]) against a scripted client.
pub fn server(data: &[u8]) {
    let _ = server_outcome(data);
}

/// [`client`], returning how it ended (`None` for an empty input).
pub fn client_outcome(data: &[u8]) -> Option<Outcome> {
    outcome(Side::Client, data)
}

/// [`server`], returning how it ended (`None` for an empty input).
pub fn server_outcome(data: &[u8]) -> Option<Outcome> {
    outcome(Side::Server, data)
}

/// The connection under test on `target_side` (the fuzzed client or server of the
/// byte-fed targets, with their seeds) against the peer the first byte picks.
fn outcome(target_side: Side, data: &[u8]) -> Option<Outcome> {
    let (&variant, script) = data.split_first()?;
    let name = SERVER_NAME.try_into().ok()?;
    let mut rng = SeededRng::from_seed(match target_side {
        Side::Client => super::CLIENT_SEED,
        Side::Server => super::SERVER_SEED,
    });
    let mut peer_rng = SeededRng::from_seed(PEER_SEED);
    let (target, peer, key) = match target_side {
        Side::Client => {
            let peers = peer_servers();
            let peer_config = peers.get(usize::from(variant) % peers.len().max(1))?;
            (
                Connection::client(super::client_config()?, name, NOW, &mut rng).ok()?,
                Connection::server(Shared::clone(peer_config), NOW, &mut peer_rng).ok()?,
                // Peer 1 serves the ECDSA certificate; the others the RSA one.
                &signing_keys()[usize::from(variant % PEER_VARIANTS == 1)],
            )
        }
        Side::Server => {
            let peers = peer_clients();
            let peer_config = peers.get(usize::from(variant) % peers.len().max(1))?;
            (
                Connection::server(super::server_config()?, NOW, &mut rng).ok()?,
                Connection::client(Shared::clone(peer_config), name, NOW, &mut peer_rng).ok()?,
                &signing_keys()[2],
            )
        }
    };
    Some(run(target, peer, target_side, key.as_ref(), script))
}

/// The committed seeds of the action targets, by name: for each peer configuration a
/// whole conversation (handshake, request, reply, close_notify), and a few scripts that
/// alter the handshake, inject records after it, or cut records; `completes` says
/// whether the connection under test must complete its handshake.
pub fn seeds(target_side: Side) -> Vec<(alloc::string::String, Vec<u8>, bool)> {
    use alloc::format;
    let conversation = |extra_first: Vec<Action>| {
        let (target_says, peer_says): (&[u8], &[u8]) = match target_side {
            Side::Client => (b"GET / HTTP/1.0\r\n\r\n", b"HTTP/1.0 200 OK\r\n\r\nhi"),
            Side::Server => (b"HTTP/1.0 200 OK\r\n\r\nhi", b"GET / HTTP/1.0\r\n\r\n"),
        };
        let mut script = extra_first;
        script.extend(vec![Action::Pump; 4]);
        script.extend([
            Action::TargetWrite(target_says.to_vec()),
            Action::PeerWrite(peer_says.to_vec()),
            Action::Pump,
            Action::PeerClose,
            Action::Pump,
        ]);
        script
    };
    let mut out = Vec::new();
    for variant in 0..PEER_VARIANTS {
        out.push((
            format!("peer{variant}_conversation"),
            script(variant, &conversation(Vec::new())),
            true,
        ));
    }
    let hello = match target_side {
        Side::Client => HandshakeType::SERVER_HELLO,
        Side::Server => HandshakeType::CLIENT_HELLO,
    };
    let mutate = |on, op| Action::Mutate(Mutation { on, op });
    let extra: [(&str, u8, Vec<Action>, bool); 6] = [
        (
            "peer0_unknown_extension",
            0,
            vec![mutate(
                hello,
                FieldOp::AddExtension {
                    typ: 0x7a7a,
                    body: vec![1, 2, 3],
                },
            )],
            target_side == Side::Server,
        ),
        (
            "peer1_fragmented_hellos",
            1,
            vec![Action::Fragment(3), Action::Split(3)],
            true,
        ),
        (
            "peer2_altered_finished",
            2,
            vec![mutate(
                HandshakeType::FINISHED,
                FieldOp::SetByte { at: 0, value: 0 },
            )],
            false,
        ),
        (
            "peer4_altered_key_exchange",
            4,
            vec![mutate(
                match target_side {
                    Side::Client => HandshakeType::SERVER_KEY_EXCHANGE,
                    Side::Server => HandshakeType::CLIENT_KEY_EXCHANGE,
                },
                FieldOp::SetByte { at: 4, value: 5 },
            )],
            false,
        ),
        (
            "peer0_renegotiation_then_alert",
            0,
            {
                let mut s = vec![Action::Pump; 4];
                s.extend([
                    Action::Renegotiate,
                    Action::AppData(b"data".to_vec()),
                    Action::ChangeCipherSpec,
                    Action::Alert {
                        level: 1,
                        description: 0,
                    },
                ]);
                s
            },
            true,
        ),
        (
            "peer3_flipped_record",
            3,
            {
                let mut s = vec![Action::Pump; 4];
                s.extend([Action::FlipBit(300), Action::AppData(b"flipped".to_vec())]);
                s
            },
            true,
        ),
    ];
    for (name, variant, actions, completes) in extra {
        let actions =
            if name.ends_with("renegotiation_then_alert") || name.ends_with("flipped_record") {
                actions
            } else {
                conversation(actions)
            };
        out.push((name.into(), script(variant, &actions), completes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
    const REPLY: &[u8] = b"HTTP/1.0 200 OK\r\n\r\nhi";

    /// A whole connection: the handshake, a request, a reply, close_notify.
    fn conversation(target_side: Side) -> Vec<Action> {
        let (target_says, peer_says) = match target_side {
            Side::Client => (HELLO, REPLY),
            Side::Server => (REPLY, HELLO),
        };
        let mut script = vec![Action::Pump; 4];
        script.extend([
            Action::TargetWrite(target_says.to_vec()),
            Action::PeerWrite(peer_says.to_vec()),
            Action::Pump,
            Action::PeerClose,
            Action::Pump,
        ]);
        script
    }

    #[test]
    fn every_peer_completes_a_conversation() {
        for variant in 0..PEER_VARIANTS {
            let c = client_outcome(&script(variant, &conversation(Side::Client))).unwrap();
            assert!(
                c.completed && c.peer_completed,
                "client, peer {variant}: {c:?}"
            );
            assert_eq!(c.received, REPLY, "client, peer {variant}");
            assert_eq!(c.peer_received, HELLO, "client, peer {variant}");
            assert!(
                c.error.is_none() && c.closed,
                "client, peer {variant}: {c:?}"
            );
            let s = server_outcome(&script(variant, &conversation(Side::Server))).unwrap();
            assert!(
                s.completed && s.peer_completed,
                "server, peer {variant}: {s:?}"
            );
            assert_eq!(s.received, HELLO, "server, peer {variant}");
            assert_eq!(s.peer_received, REPLY, "server, peer {variant}");
            assert!(
                s.error.is_none() && s.closed,
                "server, peer {variant}: {s:?}"
            );
        }
    }

    #[test]
    fn an_empty_script_is_a_whole_handshake() {
        for variant in 0..PEER_VARIANTS {
            assert!(client_outcome(&[variant]).unwrap().completed);
            assert!(server_outcome(&[variant]).unwrap().completed);
        }
    }

    /// A ClientHello with an extension the server does not know (which it must ignore,
    /// RFC 5246 §7.4.1.4) completes: the harness recomputes the keys (the extended
    /// master secret's session hash covers the altered hello) and both Finished.
    #[test]
    fn a_tolerated_alteration_still_completes() {
        for variant in 0..PEER_VARIANTS {
            let mut s = vec![Action::Mutate(Mutation {
                on: HandshakeType::CLIENT_HELLO,
                op: FieldOp::AddExtension {
                    typ: 0x7a7a,
                    body: vec![1, 2, 3],
                },
            })];
            s.extend(conversation(Side::Server));
            let o = server_outcome(&script(variant, &s)).unwrap();
            assert!(o.completed && o.peer_completed, "peer {variant}: {o:?}");
            assert_eq!(o.received, HELLO, "peer {variant}");
        }
    }

    /// An altered Finished fails, with decrypt_error on the wire (RFC 5246 §7.4.9).
    #[test]
    fn an_altered_finished_fails() {
        for (side, variant) in [(Side::Client, 0u8), (Side::Server, 0), (Side::Client, 5)] {
            let mut s = vec![Action::Mutate(Mutation {
                on: HandshakeType::FINISHED,
                op: FieldOp::SetByte { at: 3, value: 0 },
            })];
            s.extend(conversation(side));
            let o = match side {
                Side::Client => client_outcome(&script(variant, &s)),
                Side::Server => server_outcome(&script(variant, &s)),
            }
            .unwrap();
            assert!(!o.completed, "{side:?} {variant}: {o:?}");
            assert_eq!(
                o.error.as_ref().and_then(Error::alert),
                Some(sanstls_wire::enums::AlertDescription::DECRYPT_ERROR),
                "{side:?} {variant}: {o:?}"
            );
        }
    }

    /// Scripts survive writing and reading.
    #[test]
    fn scripts_round_trip() {
        let actions = vec![
            Action::Mutate(Mutation {
                on: HandshakeType::SERVER_HELLO,
                op: FieldOp::Insert {
                    at: 7,
                    bytes: vec![9; 3],
                },
            }),
            Action::Alert {
                level: 1,
                description: 0,
            },
            Action::Handshake {
                typ: 0,
                body: Vec::new(),
            },
            Action::FlipBit(77),
            Action::Eof,
        ];
        let bytes = script(3, &actions);
        let mut input = Input(&bytes[1..]);
        let mut back = Vec::new();
        while let Some(a) = Action::read(&mut input) {
            back.push(a);
        }
        assert_eq!(back, actions);
    }

    /// The harness signs an altered ServerKeyExchange again, so the client's point
    /// check (RFC 8422 §5.4), not its signature check, refuses a bad P-384 point.
    #[test]
    fn altered_key_exchange_parameters_reach_the_point_check() {
        let mut s = vec![Action::Mutate(Mutation {
            on: HandshakeType::SERVER_KEY_EXCHANGE,
            op: FieldOp::SetByte { at: 4, value: 5 },
        })];
        s.extend(conversation(Side::Client));
        let o = client_outcome(&script(4, &s)).unwrap();
        assert_eq!(
            o.error,
            Some(Error::PeerMisbehaved(crate::PeerMisbehaved::BadEcPoint)),
            "{o:?}"
        );
    }

    /// Records injected after the handshake are sealed under the live keys: a
    /// HelloRequest reaches the client's renegotiation refusal and the connection goes
    /// on; a fatal alert ends it as the alert received.
    #[test]
    fn injected_records_reach_the_protected_states() {
        let mut s = vec![Action::Pump; 4];
        s.extend([
            Action::Renegotiate,
            Action::PeerWrite(REPLY.to_vec()),
            Action::Pump,
            Action::Alert {
                level: 2,
                description: 10,
            },
        ]);
        let o = client_outcome(&script(0, &s)).unwrap();
        assert!(o.completed, "{o:?}");
        assert_eq!(o.received, REPLY);
        assert_eq!(
            o.error,
            Some(Error::AlertReceived(
                sanstls_wire::enums::AlertDescription::UNEXPECTED_MESSAGE
            ))
        );
    }
}
