//! Session resumption (RFC 5246 §7.3, §7.4.1.2, §F.1.4; RFC 5077): what a full
//! handshake leaves for the next one, where each side keeps it, and how a server
//! protects it in a ticket.
//!
//! - [`Session`]: the resumable state (suite, master secret, extended-master-secret
//!   flag, the server name, the peer's certificate, the times) and, on a client, the
//!   session ID and ticket that name it to the server. It encodes to bytes
//!   ([`Session::to_bytes`]) for a store or a file, and back ([`Session::from_bytes`]).
//! - [`StoresServerSessions`]: a server's cache, by session ID; [`StoresClientSessions`]:
//!   a client's, by server name. Both take and return encoded sessions, so that a
//!   database, a shared cache (memcached, Redis) or a file can back them; [`SessionCache`]
//!   is the bounded in-memory one (least recently used goes first) that implements both.
//! - [`Ticketer`]: protects a server's session state in a ticket (RFC 5077 §4) and
//!   recovers it; [`TicketKeys`] is the default, rotating its keys as the caller's time
//!   passes.
//!
//! A fleet of servers resumes each other's sessions when they share the state: the
//! same [`TicketKeys::shared`] secret (every server derives the same key for the same
//! period, with no coordination), or a [`Ticketer`] of their own that fetches keys
//! from where the fleet keeps them; and for session IDs a [`StoresServerSessions`]
//! backed by a shared store (its `put` writes through, `get` reads through; the values
//! are opaque bytes that hold a master secret, so the store must be as private as the
//! servers' keys).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use sanstls_crypto::cipher::AesCbcKey;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::hmac::Hmac;
use sanstls_crypto::rng::{CryptoRng, Rng as _, SeededRng};
use sanstls_keys::MASTER_SECRET_LEN;
use sanstls_pki::UnixTime;
use sanstls_wire::enums::CipherSuite;
use sanstls_wire::{LengthPrefix, Reader, Writer};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::MaybeSendSync;

/// The longest session ID (RFC 5246 §7.4.1.2: `opaque SessionID<0..32>`).
pub const MAX_SESSION_ID_LEN: usize = 32;

/// How long a client keeps a session when the server gave no ticket lifetime, and the
/// longest a server keeps one in its cache by default: RFC 5246 §F.1.4 suggests "an
/// upper limit of 24 hours" for session ID lifetimes.
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The format of [`Session::to_bytes`]; a session in another format does not decode.
const SESSION_FORMAT: u8 = 2;

/// A resumable TLS 1.2 session: what an abbreviated handshake needs from the full one.
///
/// The master secret is zeroized when the session is dropped; the encoded form
/// ([`Session::to_bytes`]) holds it too, and must be kept as privately.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub(crate) suite: CipherSuite,
    pub(crate) master: Zeroizing<[u8; MASTER_SECRET_LEN]>,
    pub(crate) extended_master_secret: bool,
    /// The host name the client sent (RFC 6066 §3: a server resumes only for the
    /// same name).
    pub(crate) server_name: Option<String>,
    /// The peer's leaf certificate (DER), validated in the full handshake: the
    /// server's on a client; the client's on a server, when it sent one.
    pub(crate) peer_certificate: Option<Vec<u8>>,
    /// The PSK identity of a PSK suite's session (RFC 4279).
    pub(crate) psk_identity: Option<Vec<u8>>,
    /// When the full handshake completed.
    pub(crate) created: UnixTime,
    /// How long the session may be resumed after `created`.
    pub(crate) lifetime: Duration,
    /// On a client: the ID the server gave the session (empty when it gave none).
    #[allow(clippy::struct_field_names)] // the protocol's name for it
    pub(crate) session_id: Vec<u8>,
    /// On a client: the server's ticket (RFC 5077), if it sent one.
    pub(crate) ticket: Option<Vec<u8>>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("suite", &self.suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .field("server_name", &self.server_name)
            .field("created", &self.created)
            .field("lifetime", &self.lifetime)
            .field("session_id_len", &self.session_id.len())
            .field("ticket_len", &self.ticket.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// Why [`Session::from_bytes`] refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionDecodeError {
    /// Not a session in the format this version writes (another format, truncated, or
    /// bytes after the end).
    Malformed,
}

impl fmt::Display for SessionDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a sanstls session (wrong format, truncated or corrupted)")
    }
}

impl core::error::Error for SessionDecodeError {}

impl Session {
    /// The cipher suite, which a resumption keeps (RFC 5246 §7.4.1.3).
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Whether the master secret is the extended one (RFC 7627); a resumption keeps
    /// this too (§5.3).
    pub fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }

    /// The host name of the full handshake.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The PSK identity of a PSK suite's session (RFC 4279).
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// The peer's leaf certificate (DER) from the full handshake.
    pub fn peer_certificate(&self) -> Option<&[u8]> {
        self.peer_certificate.as_deref()
    }

    /// When the full handshake completed.
    pub fn created(&self) -> UnixTime {
        self.created
    }

    /// The last instant at which the session may be resumed.
    pub fn expires(&self) -> UnixTime {
        self.created.saturating_add(self.lifetime)
    }

    /// Whether the session may still be resumed at `now` (not after its lifetime, and
    /// not from a time before it was made: a clock that jumped back is not trusted).
    pub fn is_valid_at(&self, now: UnixTime) -> bool {
        now >= self.created && now <= self.expires()
    }

    /// The session ID the server gave (a client's session; empty if none).
    pub fn session_id(&self) -> &[u8] {
        &self.session_id
    }

    /// The ticket the server gave (a client's session), if any.
    pub fn ticket(&self) -> Option<&[u8]> {
        self.ticket.as_deref()
    }

    pub(crate) fn master_secret(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.master
    }

    /// The session as bytes, for a store or a file. The bytes hold the master secret.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(
            96 + self.peer_certificate.as_ref().map_or(0, Vec::len)
                + self.ticket.as_ref().map_or(0, Vec::len)
                + self.psk_identity.as_ref().map_or(0, Vec::len),
        ));
        // Every field fits its length prefix: the name is at most 253 bytes (checked
        // when it was received), the ID 32, a certificate below 2^24 (the handshake's
        // message limit), a ticket below 2^16 (its wire encoding); a longer one would
        // be a bug, and the encoding then fails rather than writing a wrong prefix.
        let mut w = Writer::vec(&mut out);
        let ok = (|| {
            w.u8(SESSION_FORMAT)?;
            w.u16(self.suite.0)?;
            w.u8(u8::from(self.extended_master_secret))?;
            w.put(&self.master[..])?;
            w.u32((self.created.as_secs() >> 32) as u32)?;
            w.u32(self.created.as_secs() as u32)?;
            w.u32(self.lifetime.as_secs().min(u64::from(u32::MAX)) as u32)?;
            w.vector(
                LengthPrefix::U8,
                self.server_name.as_deref().unwrap_or("").as_bytes(),
            )?;
            w.vector(LengthPrefix::U8, &self.session_id)?;
            w.vector(
                LengthPrefix::U24,
                self.peer_certificate.as_deref().unwrap_or(&[]),
            )?;
            w.vector(LengthPrefix::U16, self.ticket.as_deref().unwrap_or(&[]))?;
            w.vector(
                LengthPrefix::U16,
                self.psk_identity.as_deref().unwrap_or(&[]),
            )
        })();
        if ok.is_err() {
            out.clear();
        }
        out
    }

    /// A session from [`Session::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SessionDecodeError> {
        Self::decode(bytes).ok_or(SessionDecodeError::Malformed)
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader::new(bytes);
        if r.u8().ok()? != SESSION_FORMAT {
            return None;
        }
        let suite = CipherSuite(r.u16().ok()?);
        let extended_master_secret = match r.u8().ok()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let master = Zeroizing::new(r.array::<MASTER_SECRET_LEN>().ok()?);
        let created = (u64::from(r.u32().ok()?) << 32) | u64::from(r.u32().ok()?);
        let lifetime = Duration::from_secs(u64::from(r.u32().ok()?));
        let name = r.vector(LengthPrefix::U8, 0, 0xff).ok()?;
        let server_name = if name.is_empty() {
            None
        } else {
            Some(String::from(core::str::from_utf8(name).ok()?))
        };
        let session_id = r
            .vector(LengthPrefix::U8, 0, MAX_SESSION_ID_LEN)
            .ok()?
            .to_vec();
        let cert = r.vector(LengthPrefix::U24, 0, 0x00ff_ffff).ok()?;
        let ticket = r.vector(LengthPrefix::U16, 0, 0xffff).ok()?;
        let psk_identity = r.vector(LengthPrefix::U16, 0, 0xffff).ok()?;
        r.finish().ok()?;
        Some(Session {
            suite,
            master,
            extended_master_secret,
            server_name,
            peer_certificate: (!cert.is_empty()).then(|| cert.to_vec()),
            created: UnixTime::from_secs(created),
            lifetime,
            session_id,
            ticket: (!ticket.is_empty()).then(|| ticket.to_vec()),
            psk_identity: (!psk_identity.is_empty()).then(|| psk_identity.to_vec()),
        })
    }
}

/// A server's session cache (RFC 5246 §7.4.1.2: the session ID names a session the
/// server keeps): encoded [`Session`]s by session ID.
///
/// Back it with whatever the servers share: the values are opaque and self-contained
/// (they carry their own expiry, checked on resumption). They hold master secrets.
pub trait StoresServerSessions: MaybeSendSync {
    /// Keeps `session` under `id` (at most 32 bytes); returns whether it was kept.
    fn put(&self, id: &[u8], session: &[u8]) -> bool;
    /// The session under `id`, if any.
    fn get(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
    /// Removes and returns the session under `id`, if any (a session that ended in a
    /// fatal alert is removed: RFC 5246 §7.2).
    fn take(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
}

/// A client's session store: encoded [`Session`]s by server name (the DNS name, or the
/// IP address as text, that the connection was made to).
pub trait StoresClientSessions: MaybeSendSync {
    /// Keeps `session` for `server_name`, replacing any other.
    fn put(&self, server_name: &str, session: &[u8]);
    /// The session for `server_name`, if any.
    fn get(&self, server_name: &str) -> Option<Zeroizing<Vec<u8>>>;
    /// Forgets the session for `server_name` (after a failed resumption or a fatal
    /// alert).
    fn remove(&self, server_name: &str);
}

/// The lock of the in-memory stores: a spin lock where the target has atomics (the
/// critical sections are a map lookup or insert), a `RefCell` on single-core targets
/// without them (where [`crate::Shared`] is `Rc` and nothing is shared across
/// threads).
#[cfg(target_has_atomic = "ptr")]
struct Lock<T>(spin::Mutex<T>);
#[cfg(target_has_atomic = "ptr")]
impl<T> Lock<T> {
    fn new(v: T) -> Self {
        Lock(spin::Mutex::new(v))
    }
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.lock())
    }
}
#[cfg(not(target_has_atomic = "ptr"))]
struct Lock<T>(core::cell::RefCell<T>);
#[cfg(not(target_has_atomic = "ptr"))]
impl<T> Lock<T> {
    fn new(v: T) -> Self {
        Lock(core::cell::RefCell::new(v))
    }
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

/// The bounded in-memory session store of either role: at most `capacity` sessions;
/// when full, the least recently used goes. Lookups and inserts cost O(log n).
pub struct SessionCache {
    capacity: usize,
    inner: Lock<Lru>,
}

/// Entries by key, each with the value of a use counter when it was last used. One
/// map: a lookup or an insert costs O(log n); eviction, only when the cache is full,
/// finds the least recently used by a scan, O(n) (for a server's 1024 entries a few
/// microseconds against the milliseconds of the full handshake that made the new
/// session). A second map ordered by use would make eviction O(log n) at the cost of
/// its code (several KB on a device) and a second copy of every key.
#[derive(Default)]
struct Lru {
    entries: BTreeMap<Vec<u8>, (u64, Zeroizing<Vec<u8>>)>,
    clock: u64,
}

impl Lru {
    fn touch(&mut self, key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.clock += 1;
        let (used, value) = self.entries.get_mut(key)?;
        *used = self.clock;
        Some(value.clone())
    }

    fn put(&mut self, key: &[u8], value: &[u8], capacity: usize) {
        self.entries.remove(key);
        while self.entries.len() >= capacity {
            let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.clock += 1;
        self.entries
            .insert(key.to_vec(), (self.clock, Zeroizing::new(value.to_vec())));
    }

    fn remove(&mut self, key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.entries.remove(key).map(|(_, v)| v)
    }
}

impl fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl SessionCache {
    /// A store for at most `capacity` sessions (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        SessionCache {
            capacity,
            inner: Lock::new(Lru::default()),
        }
    }

    /// How many sessions it holds.
    pub fn len(&self) -> usize {
        self.inner.with(|l| l.entries.len())
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most sessions it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl StoresServerSessions for SessionCache {
    fn put(&self, id: &[u8], session: &[u8]) -> bool {
        if self.capacity == 0 || id.is_empty() || id.len() > MAX_SESSION_ID_LEN {
            return false;
        }
        self.inner.with(|l| l.put(id, session, self.capacity));
        true
    }
    fn get(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.inner.with(|l| l.touch(id))
    }
    fn take(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.inner.with(|l| l.remove(id))
    }
}

impl StoresClientSessions for SessionCache {
    fn put(&self, server_name: &str, session: &[u8]) {
        if self.capacity > 0 {
            self.inner
                .with(|l| l.put(server_name.as_bytes(), session, self.capacity));
        }
    }
    fn get(&self, server_name: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.inner.with(|l| l.touch(server_name.as_bytes()))
    }
    fn remove(&self, server_name: &str) {
        self.inner.with(|l| l.remove(server_name.as_bytes()));
    }
}

/// Protects a server's session state in a ticket (RFC 5077) and recovers it.
///
/// A ticket that does not decrypt, names a key no longer held, or is older than
/// [`Ticketer::lifetime`] gets a full handshake, never an error: implementations return
/// `None` for all of them.
pub trait Ticketer: MaybeSendSync {
    /// How long a ticket may be used: sent as the lifetime hint (RFC 5077 §3.3), and
    /// the age past which a session from a ticket is not resumed.
    fn lifetime(&self) -> Duration;
    /// A ticket protecting `state`, made at `now`; `None` to send none this time.
    fn encrypt(&self, state: &[u8], now: UnixTime) -> Option<Vec<u8>>;
    /// The state protected in `ticket`, if this ticketer made it and still holds its
    /// key at `now`.
    fn decrypt(&self, ticket: &[u8], now: UnixTime) -> Option<Zeroizing<Vec<u8>>>;
}

/// One ticket key (RFC 5077 §4's recommended construction): a 16-byte name that the
/// ticket carries in clear, an AES-128 key and an HMAC-SHA-256 key.
#[derive(Clone)]
pub struct TicketKey {
    name: [u8; 16],
    aes: Zeroizing<[u8; 16]>,
    mac: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketKey")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The ticket layout (RFC 5077 §4): key_name, IV, the encrypted state with its 2-byte
/// length, then the MAC over all of those.
const TICKET_NAME_LEN: usize = 16;
const TICKET_IV_LEN: usize = 16;
const TICKET_MAC_LEN: usize = 32;
const TICKET_OVERHEAD: usize = TICKET_NAME_LEN + TICKET_IV_LEN + 2 + TICKET_MAC_LEN;

impl TicketKey {
    /// A key from 64 bytes of secret material: the name from the first 16, AES-128
    /// from the next 16, HMAC-SHA-256 from the last 32.
    pub fn from_bytes(material: &[u8; 64]) -> Self {
        let mut name = [0u8; 16];
        let mut aes = Zeroizing::new([0u8; 16]);
        let mut mac = Zeroizing::new([0u8; 32]);
        name.copy_from_slice(&material[..16]);
        aes.copy_from_slice(&material[16..32]);
        mac.copy_from_slice(&material[32..]);
        TicketKey { name, aes, mac }
    }

    /// A fresh key from `rng`.
    pub fn generate(rng: &mut dyn CryptoRng) -> Self {
        let mut m = Zeroizing::new([0u8; 64]);
        rng.fill_bytes(&mut m[..]);
        Self::from_bytes(&m)
    }

    /// The key's name, which its tickets start with.
    pub fn name(&self) -> &[u8; 16] {
        &self.name
    }

    /// `state` sealed under this key with `iv`: name ‖ IV ‖ length ‖ AES-128-CBC(state,
    /// PKCS#7 padding) ‖ HMAC-SHA-256 over everything before it.
    pub fn seal(&self, state: &[u8], iv: [u8; 16]) -> Option<Vec<u8>> {
        let padded = (state.len() / 16 + 1) * 16;
        if padded > 0xffff {
            return None;
        }
        let mut out = Vec::with_capacity(TICKET_OVERHEAD + padded);
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&iv);
        out.extend_from_slice(&(padded as u16).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(state);
        let pad = (padded - state.len()) as u8;
        out.resize(start + padded, pad);
        let cipher = AesCbcKey::new(&self.aes[..]).ok()?;
        cipher.encrypt_in_place(&iv, &mut out[start..]).ok()?;
        let mut h = Hmac::new(HashAlgorithm::Sha256, &self.mac[..]).ok()?;
        h.update(&out);
        out.extend_from_slice(h.finish().as_slice());
        Some(out)
    }

    /// The state sealed in `ticket`, if it was sealed under this key and not altered.
    /// The MAC is checked (in constant time) before anything is decrypted.
    pub fn open(&self, ticket: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if ticket.len() < TICKET_OVERHEAD || !bool::from(ticket[..16].ct_eq(&self.name)) {
            return None;
        }
        let (body, tag) = ticket.split_at(ticket.len() - TICKET_MAC_LEN);
        let len = usize::from(u16::from_be_bytes([body[32], body[33]]));
        let enc = &body[TICKET_NAME_LEN + TICKET_IV_LEN + 2..];
        if len != enc.len() || len == 0 || !len.is_multiple_of(16) {
            return None;
        }
        let mut h = Hmac::new(HashAlgorithm::Sha256, &self.mac[..]).ok()?;
        h.update(body);
        if !bool::from(h.verify(tag)) {
            return None;
        }
        let iv: [u8; 16] = body[16..32].try_into().ok()?;
        let mut plain = Zeroizing::new(enc.to_vec());
        AesCbcKey::new(&self.aes[..])
            .ok()?
            .decrypt_in_place(&iv, &mut plain)
            .ok()?;
        // The MAC held, so this is our own padding; still checked, not trusted.
        let pad = usize::from(*plain.last()?);
        if pad == 0
            || pad > 16
            || plain[plain.len() - pad..]
                .iter()
                .any(|&b| b as usize != pad)
        {
            return None;
        }
        let n = plain.len() - pad;
        plain.truncate(n);
        Some(plain)
    }
}

/// Where [`TicketKeys`] gets the key of each period.
enum KeySource {
    /// A forward-secure chain: each period's key material comes from the chain value,
    /// which is then replaced by a one-way function of itself, so that the keys of
    /// past periods cannot be recomputed from what is held now.
    Ratchet { chain: Zeroizing<[u8; 32]> },
    /// Derived from a secret the fleet shares, by period number: every server holds
    /// the same key in the same period, with no coordination.
    Shared { secret: Zeroizing<[u8; 32]> },
}

struct Rotation {
    source: KeySource,
    /// The period whose key encrypts, and that key; the previous period's key, which
    /// still decrypts.
    current: Option<(u64, TicketKey)>,
    previous: Option<(u64, TicketKey)>,
    /// For the IVs.
    rng: SeededRng,
}

/// The default [`Ticketer`]: a key per period of the caller's time; the current
/// period's key encrypts, the previous period's still decrypts, older ones are gone.
/// A ticket is accepted for [`Ticketer::lifetime`] (the period) after it was made,
/// which the key of the period after it still covers.
///
/// - [`TicketKeys::new`]: keys from a forward-secure chain seeded by the caller's
///   generator, for one server (a key that rotated out cannot be recomputed).
/// - [`TicketKeys::shared`]: keys derived from a secret that a fleet of servers
///   shares, so that each resumes the others' tickets; replace the secret (new
///   configurations) to end the chain.
pub struct TicketKeys {
    period: Duration,
    inner: Lock<Rotation>,
}

impl fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TicketKeys")
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

/// The default rotation period of [`TicketKeys`]: keys (and tickets) last 12 hours.
pub const DEFAULT_TICKET_PERIOD: Duration = Duration::from_secs(12 * 3600);

impl TicketKeys {
    /// Keys for one server, rotated every `period` (at least one second), seeded from
    /// `rng`.
    pub fn new(rng: &mut dyn CryptoRng, period: Duration) -> Self {
        let mut chain = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut chain[..]);
        Self::with_source(KeySource::Ratchet { chain }, rng, period)
    }

    /// Keys derived from `secret`, shared by a fleet of servers, rotated every
    /// `period` of the (synchronised) clock; `rng` only makes IVs.
    pub fn shared(secret: [u8; 32], rng: &mut dyn CryptoRng, period: Duration) -> Self {
        Self::with_source(
            KeySource::Shared {
                secret: Zeroizing::new(secret),
            },
            rng,
            period,
        )
    }

    fn with_source(source: KeySource, rng: &mut dyn CryptoRng, period: Duration) -> Self {
        TicketKeys {
            period: period.max(Duration::from_secs(1)),
            inner: Lock::new(Rotation {
                source,
                current: None,
                previous: None,
                rng: SeededRng::from_rng(rng),
            }),
        }
    }

    fn period_of(&self, now: UnixTime) -> u64 {
        now.as_secs() / self.period.as_secs().max(1)
    }
}

impl KeySource {
    /// The key of `period`.
    fn key(&mut self, period: u64) -> TicketKey {
        let mut material = Zeroizing::new([0u8; 64]);
        match self {
            KeySource::Ratchet { chain } => {
                expand(&chain[..], b"sanstls ticket key", &[], &mut material[..]);
                let mut next = Zeroizing::new([0u8; 32]);
                expand(&chain[..], b"sanstls ticket chain", &[], &mut next[..]);
                chain.zeroize();
                *chain = next;
            }
            KeySource::Shared { secret } => {
                let context = period.to_be_bytes();
                expand(
                    &secret[..],
                    b"sanstls ticket key",
                    &context,
                    &mut material[..],
                );
            }
        }
        TicketKey::from_bytes(&material)
    }
}

impl Rotation {
    /// Moves the keys on to period `p` (never back: a clock that steps back keeps the
    /// newest key).
    fn advance(&mut self, p: u64) {
        if matches!(&self.current, Some((c, _)) if *c >= p) {
            return;
        }
        let previous = match self.current.take() {
            // The period right before `p`: its key still decrypts.
            Some((c, k)) if c + 1 == p => Some((c, k)),
            // A shared secret's key of any period can be recomputed (a server that
            // starts, or idled, keeps reading the fleet's tickets of the last period);
            // a ratchet's cannot.
            _ if p > 0 && matches!(self.source, KeySource::Shared { .. }) => {
                Some((p - 1, self.source.key(p - 1)))
            }
            _ => None,
        };
        let key = self.source.key(p);
        self.previous = previous;
        self.current = Some((p, key));
    }
}

/// HMAC-SHA-256 in counter mode: `out` from `key`, a label and a context.
fn expand(key: &[u8], label: &[u8], context: &[u8], out: &mut [u8]) {
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        if let Ok(mut h) = Hmac::new(HashAlgorithm::Sha256, key) {
            h.update(&[i as u8]);
            h.update(label);
            h.update(context);
            let t = h.finish();
            chunk.copy_from_slice(&t.as_slice()[..chunk.len()]);
        }
    }
}

impl Ticketer for TicketKeys {
    fn lifetime(&self) -> Duration {
        self.period
    }

    fn encrypt(&self, state: &[u8], now: UnixTime) -> Option<Vec<u8>> {
        let p = self.period_of(now);
        self.inner.with(|r| {
            r.advance(p);
            let mut iv = [0u8; 16];
            r.rng.fill_bytes(&mut iv);
            r.current.as_ref()?.1.seal(state, iv)
        })
    }

    fn decrypt(&self, ticket: &[u8], now: UnixTime) -> Option<Zeroizing<Vec<u8>>> {
        let p = self.period_of(now);
        self.inner.with(|r| {
            r.advance(p);
            [&r.current, &r.previous]
                .into_iter()
                .flatten()
                .find_map(|(_, k)| k.open(ticket))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
            master: Zeroizing::new([7; 48]),
            extended_master_secret: true,
            server_name: Some("example.com".into()),
            peer_certificate: Some(alloc::vec![1, 2, 3]),
            created: UnixTime::from_secs(1_800_000_000),
            lifetime: Duration::from_secs(7200),
            session_id: alloc::vec![9; 32],
            ticket: Some(alloc::vec![5; 100]),
            psk_identity: Some(b"device-17".to_vec()),
        }
    }

    #[test]
    fn sessions_round_trip_and_refuse_anything_else() {
        let s = session();
        let b = s.to_bytes();
        assert_eq!(Session::from_bytes(&b).unwrap(), s);
        let mut bare = session();
        bare.server_name = None;
        bare.peer_certificate = None;
        bare.ticket = None;
        bare.psk_identity = None;
        bare.session_id.clear();
        assert_eq!(Session::from_bytes(&bare.to_bytes()).unwrap(), bare);
        // Every truncation, a byte more, another format or flag value: refused.
        for n in 0..b.len() {
            assert!(Session::from_bytes(&b[..n]).is_err(), "{n}");
        }
        let mut longer = b.to_vec();
        longer.push(0);
        assert!(Session::from_bytes(&longer).is_err());
        let mut other = b.to_vec();
        // Format 1 (before PSK identities) and 3 are not this one.
        other[0] = 1;
        assert!(Session::from_bytes(&other).is_err());
        other[0] = 3;
        assert!(Session::from_bytes(&other).is_err());
        other[0] = SESSION_FORMAT;
        other[3] = 2;
        assert!(Session::from_bytes(&other).is_err());
        assert!(s.is_valid_at(UnixTime::from_secs(1_800_007_200)));
        assert!(!s.is_valid_at(UnixTime::from_secs(1_800_007_201)));
        assert!(!s.is_valid_at(UnixTime::from_secs(1_799_999_999)));
    }

    #[test]
    fn the_cache_keeps_the_most_recently_used() {
        let c = SessionCache::new(2);
        assert!(StoresServerSessions::put(&c, b"a", b"1"));
        assert!(StoresServerSessions::put(&c, b"b", b"2"));
        // "a" used: "b" is now the oldest and goes when "c" comes.
        assert_eq!(
            StoresServerSessions::get(&c, b"a").unwrap().as_slice(),
            b"1"
        );
        assert!(StoresServerSessions::put(&c, b"c", b"3"));
        assert_eq!(c.len(), 2);
        assert!(StoresServerSessions::get(&c, b"b").is_none());
        assert_eq!(
            StoresServerSessions::take(&c, b"c").unwrap().as_slice(),
            b"3"
        );
        assert!(StoresServerSessions::get(&c, b"c").is_none());
        // Replacing keeps one entry per key; IDs over 32 bytes and a 0 capacity refuse.
        assert!(StoresServerSessions::put(&c, b"a", b"4"));
        assert_eq!(c.len(), 1);
        assert!(!StoresServerSessions::put(&c, &[0; 33], b"x"));
        assert!(!StoresServerSessions::put(
            &SessionCache::new(0),
            b"a",
            b"x"
        ));
        // The client side, by name.
        StoresClientSessions::put(&c, "example.com", b"s");
        assert_eq!(
            StoresClientSessions::get(&c, "example.com")
                .unwrap()
                .as_slice(),
            b"s"
        );
        StoresClientSessions::remove(&c, "example.com");
        assert!(StoresClientSessions::get(&c, "example.com").is_none());
        // Many entries: bounded.
        let big = SessionCache::new(100);
        for i in 0u32..1000 {
            StoresServerSessions::put(&big, &i.to_be_bytes(), b"v");
        }
        assert_eq!(big.len(), 100);
        assert!(StoresServerSessions::get(&big, &999u32.to_be_bytes()).is_some());
        assert!(StoresServerSessions::get(&big, &899u32.to_be_bytes()).is_none());
    }

    #[test]
    fn tickets_open_only_unaltered_under_their_key() {
        let mut rng = SeededRng::from_seed([3; 32]);
        let key = TicketKey::generate(&mut rng);
        for len in [0, 1, 15, 16, 17, 200] {
            let state = alloc::vec![0xa5u8; len];
            let t = key.seal(&state, [1; 16]).unwrap();
            assert_eq!(t.len(), TICKET_OVERHEAD + (len / 16 + 1) * 16);
            assert_eq!(key.open(&t).unwrap().as_slice(), &state[..]);
            // Any flipped bit, any truncation: refused.
            for i in 0..t.len() {
                let mut bad = t.clone();
                bad[i] ^= 1;
                assert!(key.open(&bad).is_none(), "{len} {i}");
            }
            for n in 0..t.len() {
                assert!(key.open(&t[..n]).is_none());
            }
        }
        let other = TicketKey::generate(&mut rng);
        assert!(other.open(&key.seal(b"x", [0; 16]).unwrap()).is_none());
    }

    #[test]
    fn ticket_keys_rotate_with_the_callers_time() {
        let mut rng = SeededRng::from_seed([4; 32]);
        let period = Duration::from_secs(3600);
        let keys = TicketKeys::new(&mut rng, period);
        let t0 = UnixTime::from_secs(1_800_000_000);
        let at = |s: u64| UnixTime::from_secs(t0.as_secs() + s);
        let ticket = keys.encrypt(b"state", t0).unwrap();
        assert_eq!(keys.decrypt(&ticket, at(10)).unwrap().as_slice(), b"state");
        // The next period's key encrypts; the old one still decrypts.
        let newer = keys.encrypt(b"newer", at(3600)).unwrap();
        assert_ne!(newer[..16], ticket[..16]);
        assert_eq!(
            keys.decrypt(&ticket, at(3600)).unwrap().as_slice(),
            b"state"
        );
        // Two periods on, the first key is gone (and cannot be recomputed).
        assert!(keys.decrypt(&ticket, at(7200)).is_none());
        assert_eq!(keys.decrypt(&newer, at(7200)).unwrap().as_slice(), b"newer");
        // A fleet: two servers with the same secret read each other's tickets, also
        // across a rotation, and a third with another secret does not.
        let a = TicketKeys::shared([9; 32], &mut rng, period);
        let b = TicketKeys::shared([9; 32], &mut rng, period);
        let c = TicketKeys::shared([8; 32], &mut rng, period);
        let t = a.encrypt(b"fleet", t0).unwrap();
        assert_eq!(b.decrypt(&t, t0).unwrap().as_slice(), b"fleet");
        assert_eq!(b.decrypt(&t, at(3600)).unwrap().as_slice(), b"fleet");
        assert!(c.decrypt(&t, t0).is_none());
    }
}
