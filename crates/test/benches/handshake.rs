//! `cargo xtask bench handshake`: full and resumed TLS 1.2 handshakes per second, sanstls
//! beside OpenSSL, both in memory in the same run, with the client's and the server's
//! cost reported separately.
//!
//! # What one handshake is
//!
//! A full handshake (no resumption) between a client and a server in the same thread,
//! with extended master secret on, for:
//!
//! - TLS_RSA_WITH_AES_128_CBC_SHA256 and TLS_DHE_RSA_WITH_AES_128_CBC_SHA256
//!   (ffdhe2048), encrypt-then-MAC on;
//! - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 with x25519, and with secp256r1 (P-256);
//! - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with x25519, and with P-256.
//!
//! (The GCM suites have no encrypt-then-MAC: RFC 7366 §3.) The RSA, DHE and ECDHE-RSA
//! rows' server presents `testdata/server-rsa2048.chain.pem` (leaf and intermediate,
//! RSA 2048) and the client trusts `ca-root.cert.pem`; the ECDHE-ECDSA rows' server
//! presents `server-ecdsa-p256.chain.pem` (ECDSA P-256 leaf, ECDSA intermediate) and the
//! client trusts `ca-ecdsa-root.cert.pem`. The client builds and checks the chain and
//! checks the name `localhost` (sent in server_name too).
//!
//! The ECDHE group is pinned the same way in both libraries: the server's groups are the
//! row's group alone (sanstls `ServerConfigBuilder::groups`, OpenSSL
//! `SSL_CTX_set1_groups_list`), and the client offers that group, plus P-256 after it
//! in the ECDHE-ECDSA x25519 row (RFC 8422 §5.1: a server uses an ECDSA certificate only
//! on a curve the client lists, which OpenSSL's server enforces; sanstls is given the
//! same list). Configurations and contexts are built once;
//! every handshake creates both connections, runs them to completion and drops them.
//! For the full handshakes neither side keeps sessions: sanstls's client has no session
//! store and its server no session cache (both have one by default) nor ticketer.
//!
//! - sanstls: two `sanstls_proto::Connection`s; each flight goes from `poll_transmit` of
//!   one side straight into `handle_recv_bytes` of the other (no copy in between), whose
//!   events are then polled. Each connection draws its 32-byte seed from the operating
//!   system (`os_rng()`), so every handshake has fresh randoms, premaster secrets and DH
//!   exponents.
//! - OpenSSL: two `SslStream`s (`Ssl::new` on a client and a server `SslContext`, TLS 1.2
//!   only, the same single cipher, `set_tmp_dh` with the ffdhe2048 prime or
//!   `set_groups_list` with the ECDHE groups, session cache
//!   off and `SSL_OP_NO_TICKET` on both sides, `SSL_VERIFY_PEER` with the host name set)
//!   over an in-memory pipe of two `VecDeque<u8>`s that reads `WouldBlock` when empty;
//!   each side is driven by `SSL_do_handshake`. libssl uses its own DRBG.
//!
//! # Timing
//!
//! Each side's calls are timed with `Instant` and summed over a round of handshakes:
//! - client: creating the connection (sanstls `Connection::client`, which writes the
//!   ClientHello; OpenSSL `Ssl::new`, SNI, host name, `SslStream::new`), every call that
//!   feeds it the server's bytes (sanstls `handle_recv_bytes` plus polling its events;
//!   OpenSSL `SSL_do_handshake`, which reads from and writes to the pipe itself), taking
//!   its output (sanstls `poll_transmit` and `handle_transmitted`), and dropping it;
//! - server: the same for the server side.
//!
//! # Resumed handshakes
//!
//! The same pair resuming a session (RFC 5246 §7.3's abbreviated handshake: ServerHello,
//! ChangeCipherSpec and Finished each way, no certificate, no key exchange), for
//! TLS_RSA_WITH_AES_128_CBC_SHA256 only (without a key exchange an RSA and a DHE suite
//! with the same record protection do the same work). One full handshake, not timed,
//! makes the session; every timed handshake then resumes it, which is checked after
//! each one (outside the timed calls): a full handshake is never counted as a resumed
//! one. Two ways:
//!
//! - by session ID: sanstls's client with its default session store (a `SessionCache`
//!   of 32) and tickets off, its server with its default session cache (1,024);
//!   OpenSSL's server with its session cache (`SSL_SESS_CACHE_SERVER`) and
//!   `SSL_OP_NO_TICKET` on both sides.
//! - by ticket (RFC 5077): sanstls's server with a `TicketKeys` ticketer and no session
//!   cache (so it can resume by ticket only), its client with its default store;
//!   OpenSSL with tickets on and the server's session cache off (the full handshake's
//!   ServerHello then has no session ID, so the same holds). sanstls's server renews
//!   the ticket with every resumption (RFC 5077 §3.1 allows it), and its client stores
//!   the new one for the next;
//!   OpenSSL's does not renew a ticket that is still good, and its client resumes the
//!   first session every time (the check before timing prints the flights).
//!
//! The OpenSSL client resumes with `SSL_set_session` on the session of the first
//! handshake (`SslRef::set_session`, `unsafe` for the reason that the session must come
//! from the same context, which it does). Before a resumable OpenSSL connection is
//! dropped, both ends are marked shut down (`SSL_set_shutdown`, what `s_time -reuse`
//! does): OpenSSL invalidates the session of a connection freed without a shutdown,
//! sanstls does not (TLS 1.1 and later allow either).
//!
//! # Rates
//!
//! "client side" is handshakes / client time, "server side" handshakes / server time, and
//! "(client+server)" handshakes / wall time of the whole round, which also covers the
//! little glue between the calls (for OpenSSL, making the pipe). Rounds alternate between
//! sanstls and OpenSSL and the medians are reported, as in the other benchmarks.
//!
//! Before timing, one handshake per library and suite is checked: the suite, extended
//! master secret and encrypt-then-MAC (CBC suites; its absence for GCM) in the
//! ServerHello, no session ticket, for DHE the ffdhe2048 prime in the ServerKeyExchange,
//! for ECDHE its named curve (the pinned group; also sanstls's `Negotiated::ec_group` on
//! both sides and OpenSSL's client's `SSL_get_peer_tmp_key`), and the SKE's signature
//! scheme (printed); for
//! the resumed handshakes, that both sides resumed and what the server's first flight
//! held (printed).
//!
//! # Known differences in the work done
//!
//! - Both sign the ServerKeyExchange with rsa_pss_rsae_sha256 (the check prints it), and
//!   both use short DH exponents (225 bits for ffdhe2048, RFC 7919 §5.2; OpenSSL's
//!   server value is printed by the check).
//! - OpenSSL 3.0 validates the peer's DH public value fully when deriving
//!   (`EVP_PKEY_derive_set_peer` runs `EVP_PKEY_public_check`, which for a group with a
//!   known q computes `Y^q mod p`, a full-length exponentiation) on both sides; sanstls
//!   checks `1 < Y < p - 1`, which is what RFC 7919 requires. A good part of OpenSSL's
//!   DHE cost is that check.

// Rates are floating point by nature.
#![allow(clippy::cast_precision_loss)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use openssl::bn::BigNum;
use openssl::dh::Dh;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey};
use openssl::ssl::{
    ErrorCode, ShutdownState, Ssl, SslContext, SslMethod, SslOptions, SslRef, SslSession,
    SslSessionCacheMode, SslSessionRef, SslStream, SslVerifyMode, SslVersion,
};
use openssl::x509::X509;

use sanstls_crypto::dh::{DhGroup, NamedDhGroup};
use sanstls_crypto::rng::{OsRng, os_rng};
use sanstls_pki::TrustAnchors;
use sanstls_proto::{
    CertifiedKey, ClientConfig, Connection, DEFAULT_TICKET_PERIOD, Event, ServerConfig, ServerName,
    TicketKeys,
};
use sanstls_test::bench::{Table, Unit};
use sanstls_test::fixtures;
use sanstls_test::pair::NOW;
use sanstls_test::pipe::{PipeEnd, pipe};
use sanstls_wire::enums::{CipherSuite, NamedGroup};

const HOST: &str = "localhost";

/// A server certificate: its chain and key (testdata/), and the root the client trusts.
struct Cert {
    chain: &'static str,
    key: &'static str,
    root: &'static str,
}

/// The RSA 2048 leaf and its intermediate.
const RSA_2048: Cert = Cert {
    chain: "server-rsa2048.chain.pem",
    key: "server-rsa2048.rsa.pem",
    root: "ca-root.cert.pem",
};

/// The ECDSA P-256 leaf and its (ECDSA) intermediate.
const ECDSA_P256: Cert = Cert {
    chain: "server-ecdsa-p256.chain.pem",
    key: "server-ecdsa-p256.ec.pem",
    root: "ca-ecdsa-root.cert.pem",
};

/// A suite's key exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kx {
    /// RSA key transport.
    Rsa,
    /// Finite-field DHE, ffdhe2048.
    Dhe,
    /// ECDHE on this group, pinned on both sides.
    Ecdhe(NamedGroup),
}

/// The OpenSSL name (`SSL_CTX_set1_groups_list`) of an ECDHE group.
fn openssl_group(group: NamedGroup) -> &'static str {
    if group == NamedGroup::X25519 {
        "X25519"
    } else if group == NamedGroup::SECP256R1 {
        "P-256"
    } else if group == NamedGroup::SECP384R1 {
        "P-384"
    } else {
        panic!("no OpenSSL name for group {group:?}")
    }
}

/// One suite: row label, sanstls suite, OpenSSL cipher name, key exchange, whether the
/// record protection is CBC with encrypt-then-MAC (AEAD suites have no EtM, RFC 7366
/// §3), and the server's certificate.
struct Suite {
    label: &'static str,
    code: CipherSuite,
    openssl: &'static str,
    kx: Kx,
    etm: bool,
    cert: &'static Cert,
}

impl Suite {
    /// The groups the client offers: the pinned ECDHE group, and for an ECDSA
    /// certificate on another curve that curve too (after it): RFC 8422 §5.1 has a
    /// server use an ECDSA certificate only on a curve the client lists in
    /// supported_groups, which OpenSSL's server enforces. The server's list is the pinned
    /// group alone, so it picks that one. Empty for non-ECDHE suites.
    fn client_groups(&self) -> Vec<NamedGroup> {
        let Kx::Ecdhe(group) = self.kx else {
            return Vec::new();
        };
        let mut groups = vec![group];
        if std::ptr::eq(self.cert, &ECDSA_P256) && group != NamedGroup::SECP256R1 {
            groups.push(NamedGroup::SECP256R1);
        }
        groups
    }
}

const SUITES: [Suite; 6] = [
    Suite {
        label: "RSA",
        code: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        openssl: "AES128-SHA256",
        kx: Kx::Rsa,
        etm: true,
        cert: &RSA_2048,
    },
    Suite {
        label: "DHE",
        code: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        openssl: "DHE-RSA-AES128-SHA256",
        kx: Kx::Dhe,
        etm: true,
        cert: &RSA_2048,
    },
    Suite {
        label: "ECDHE-RSA x25519",
        code: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        openssl: "ECDHE-RSA-AES128-GCM-SHA256",
        kx: Kx::Ecdhe(NamedGroup::X25519),
        etm: false,
        cert: &RSA_2048,
    },
    Suite {
        label: "ECDHE-RSA P-256",
        code: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        openssl: "ECDHE-RSA-AES128-GCM-SHA256",
        kx: Kx::Ecdhe(NamedGroup::SECP256R1),
        etm: false,
        cert: &RSA_2048,
    },
    Suite {
        label: "ECDHE-ECDSA x25519",
        code: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        openssl: "ECDHE-ECDSA-AES128-GCM-SHA256",
        kx: Kx::Ecdhe(NamedGroup::X25519),
        etm: false,
        cert: &ECDSA_P256,
    },
    Suite {
        label: "ECDHE-ECDSA P-256",
        code: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        openssl: "ECDHE-ECDSA-AES128-GCM-SHA256",
        kx: Kx::Ecdhe(NamedGroup::SECP256R1),
        etm: false,
        cert: &ECDSA_P256,
    },
];

/// What the handshakes of a case resume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resume {
    /// Nothing: full handshakes, neither side keeping sessions.
    Full,
    /// The session of a first full handshake, by session ID.
    SessionId,
    /// The session of a first full handshake, by ticket.
    Ticket,
}

impl Resume {
    /// How the rows of a case start.
    fn label(self) -> &'static str {
        match self {
            Resume::Full => "full handshake",
            Resume::SessionId => "resumed by session ID",
            Resume::Ticket => "resumed by ticket",
        }
    }
}

/// Time spent in each side's calls.
#[derive(Default)]
struct Split {
    client: Duration,
    server: Duration,
}

/// Runs `f`, adding its duration to `acc`.
fn timed<T>(acc: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    *acc += t.elapsed();
    r
}

// ---- sanstls --------------------------------------------------------------------------

struct Sanstls {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    name: ServerName,
    rng: OsRng,
}

impl Sanstls {
    fn new(suite: &Suite, resume: Resume) -> Self {
        let mut rng = os_rng();
        let anchors =
            TrustAnchors::from_pem_bundle(&fixtures::read(suite.cert.root)).expect("trust anchor");
        let key = CertifiedKey::from_pem(
            &fixtures::read(suite.cert.chain),
            &fixtures::read(suite.cert.key),
        )
        .expect("server key");
        let code = suite.code;
        // Both sides keep sessions by default: a client store of 32, a server cache of
        // 1,024, tickets offered by the client; no ticketer on the server.
        let mut client = ClientConfig::builder()
            .trust_anchors(anchors)
            .cipher_suites(&[code]);
        let mut server = ServerConfig::builder()
            .single_cert(key)
            .cipher_suites(&[code])
            .dh_group(NamedDhGroup::Ffdhe2048);
        if let Kx::Ecdhe(group) = suite.kx {
            client = client.groups(&suite.client_groups());
            server = server.groups(&[group]);
        }
        match resume {
            Resume::Full => {
                client = client.session_store(None);
                server = server.session_cache(0);
            }
            Resume::SessionId => client = client.session_tickets(false),
            Resume::Ticket => {
                let keys = TicketKeys::new(&mut rng, DEFAULT_TICKET_PERIOD);
                server = server.session_cache(0).ticketer(Some(Arc::new(keys)));
            }
        }
        Sanstls {
            client: Arc::new(client.build().expect("client config")),
            server: Arc::new(server.build().expect("server config")),
            name: HOST.try_into().expect("server name"),
            rng,
        }
    }

    /// One full handshake; each side's time is added to `split`. The server's first
    /// flight is copied into `flight` if one is given. Returns (client, server).
    fn handshake(
        &mut self,
        split: &mut Split,
        mut flight: Option<&mut Vec<u8>>,
    ) -> (Connection, Connection) {
        let mut client = timed(&mut split.client, || {
            Connection::client(
                Arc::clone(&self.client),
                self.name.clone(),
                NOW,
                &mut self.rng,
            )
            .expect("client")
        });
        let mut server = timed(&mut split.server, || {
            Connection::server(Arc::clone(&self.server), NOW, &mut self.rng).expect("server")
        });
        let (mut client_done, mut server_done) = (false, false);
        for _ in 0..8 {
            deliver(
                &mut client,
                &mut server,
                &mut split.client,
                &mut split.server,
                &mut server_done,
                None,
            );
            deliver(
                &mut server,
                &mut client,
                &mut split.server,
                &mut split.client,
                &mut client_done,
                flight.take(),
            );
            if client_done && server_done {
                return (client, server);
            }
        }
        panic!(
            "sanstls handshake did not finish: client {:?}, server {:?}",
            client.error(),
            server.error()
        );
    }
}

/// Moves everything `from` has to send into `to` and polls `to`'s events; `done` is set
/// when `to` reports the handshake complete. `from_time` covers taking the bytes out of
/// `from`, `to_time` feeding them to `to` and polling its events.
fn deliver(
    from: &mut Connection,
    to: &mut Connection,
    from_time: &mut Duration,
    to_time: &mut Duration,
    done: &mut bool,
    copy: Option<&mut Vec<u8>>,
) {
    let t = Instant::now();
    let out = from.poll_transmit();
    *from_time += t.elapsed();
    if out.is_empty() {
        return;
    }
    if let Some(copy) = copy {
        copy.extend_from_slice(out);
    }
    let len = out.len();
    let t = Instant::now();
    let mut at = 0;
    while at < len {
        let n = to
            .handle_recv_bytes(&out[at..], NOW)
            .unwrap_or_else(|e| panic!("sanstls {:?} failed: {e:?}", to.side()));
        assert!(n > 0, "sanstls {:?} took no bytes", to.side());
        at += n;
    }
    while let Some(ev) = to.poll_event() {
        if matches!(ev, Event::HandshakeComplete { .. }) {
            *done = true;
        }
    }
    *to_time += t.elapsed();
    timed(from_time, || {
        from.handle_transmitted(len).expect("transmitted");
    });
}

// ---- OpenSSL --------------------------------------------------------------------------

/// The ffdhe2048 group (RFC 7919), from sanstls's copy of the prime.
fn ffdhe2048() -> Dh<openssl::pkey::Params> {
    let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let p = BigNum::from_slice(group.p_bytes()).expect("p");
    let g = BigNum::from_slice(group.g_bytes()).expect("g");
    Dh::from_pqg(p, None, g).expect("ffdhe2048")
}

struct Openssl {
    client: SslContext,
    server: SslContext,
    resume: Resume,
    /// The client's session of the first handshake, which the others resume.
    session: Option<SslSession>,
}

impl Openssl {
    fn new(suite: &Suite, resume: Resume) -> Self {
        let cipher = suite.openssl;
        let root = X509::from_pem(fixtures::read(suite.cert.root).as_bytes()).expect("root");
        let key =
            PKey::private_key_from_pem(fixtures::read(suite.cert.key).as_bytes()).expect("key");
        let common = |method| {
            let mut b = SslContext::builder(method).expect("context");
            b.set_min_proto_version(Some(SslVersion::TLS1_2))
                .expect("min version");
            b.set_max_proto_version(Some(SslVersion::TLS1_2))
                .expect("max version");
            b.set_cipher_list(cipher).expect("cipher");
            // The session cache: OpenSSL's default, SERVER, keeps a server's sessions
            // by ID (a client's are not looked up anywhere: it resumes the session it
            // is given).
            if resume != Resume::SessionId {
                b.set_session_cache_mode(SslSessionCacheMode::OFF);
            }
            if resume != Resume::Ticket {
                b.set_options(SslOptions::NO_TICKET);
            }
            b
        };
        let mut c = common(SslMethod::tls_client());
        c.set_verify(SslVerifyMode::PEER);
        c.cert_store_mut().add_cert(root).expect("trust root");
        let mut s = common(SslMethod::tls_server());
        s.set_certificate_chain_file(fixtures::path(suite.cert.chain))
            .expect("chain");
        s.set_private_key(&key).expect("private key");
        s.check_private_key().expect("key matches");
        match suite.kx {
            Kx::Dhe => s.set_tmp_dh(&ffdhe2048()).expect("tmp dh"),
            Kx::Ecdhe(group) => {
                let offered: Vec<&str> = suite
                    .client_groups()
                    .into_iter()
                    .map(openssl_group)
                    .collect();
                c.set_groups_list(&offered.join(":"))
                    .expect("client groups");
                s.set_groups_list(openssl_group(group))
                    .expect("server groups");
            }
            Kx::Rsa => {}
        }
        s.set_session_id_context(b"sanstls bench")
            .expect("session id context");
        Openssl {
            client: c.build(),
            server: s.build(),
            resume,
            session: None,
        }
    }

    /// Drops both ends of a handshake, each in its side's time; for resumable sessions
    /// after marking them shut down, as `s_time -reuse` does (OpenSSL invalidates the
    /// session of a connection freed without a shutdown).
    fn drop_pair(&self, split: &mut Split, c: SslStream<PipeEnd>, s: SslStream<PipeEnd>) {
        let done = ShutdownState::SENT | ShutdownState::RECEIVED;
        let resumable = self.resume != Resume::Full;
        for (mut stream, time) in [(c, &mut split.client), (s, &mut split.server)] {
            timed(time, || {
                if resumable {
                    stream.set_shutdown(done);
                }
                drop(stream);
            });
        }
    }

    /// One full handshake; each side's time is added to `split`. The server's first
    /// flight is copied into `flight`, and the bit length of the server's DH private
    /// exponent is written to `dh_bits`, if they are given. Returns (client, server).
    fn handshake(
        &self,
        split: &mut Split,
        mut flight: Option<&mut Vec<u8>>,
        mut dh_bits: Option<&mut i32>,
    ) -> (SslStream<PipeEnd>, SslStream<PipeEnd>) {
        let (cp, sp) = pipe(8192);
        let mut client = timed(&mut split.client, || {
            let mut ssl = Ssl::new(&self.client).expect("ssl");
            ssl.set_hostname(HOST).expect("sni");
            ssl.param_mut().set_host(HOST).expect("host");
            if let Some(session) = &self.session {
                resume_session(&mut ssl, session);
            }
            ssl.set_connect_state();
            SslStream::new(ssl, cp).expect("stream")
        });
        let mut server = timed(&mut split.server, || {
            let mut ssl = Ssl::new(&self.server).expect("ssl");
            ssl.set_accept_state();
            SslStream::new(ssl, sp).expect("stream")
        });
        let (mut client_done, mut server_done) = (false, false);
        for _ in 0..8 {
            if !client_done {
                client_done = timed(&mut split.client, || step(&mut client));
            }
            if !server_done {
                server_done = timed(&mut split.server, || step(&mut server));
                if let Some(copy) = flight.take() {
                    copy.extend(server.get_ref().outgoing());
                }
                if let Some(bits) = dh_bits.as_deref_mut()
                    && let Ok(key) = server.ssl().tmp_key()
                {
                    *bits = key.dh().expect("DH key").private_key().num_bits();
                }
            }
            if client_done && server_done {
                return (client, server);
            }
        }
        panic!("OpenSSL handshake did not finish");
    }
}

/// Offers `session` on the client `ssl` (`SSL_set_session`).
#[allow(unsafe_code)] // the only unsafe of the crate: see the module docs
fn resume_session(ssl: &mut SslRef, session: &SslSessionRef) {
    // SAFETY: `SSL_set_session` requires a session of the same context as `ssl`:
    // [`Openssl::session`] is taken from a client of `Openssl::client`, the only
    // context whose connections this is called for.
    unsafe { ssl.set_session(session) }.expect("SSL_set_session");
}

/// One `SSL_do_handshake`; whether the handshake is complete.
fn step(s: &mut SslStream<PipeEnd>) -> bool {
    match s.do_handshake() {
        Ok(()) => true,
        Err(e) if e.code() == ErrorCode::WANT_READ => false,
        Err(e) => panic!("OpenSSL handshake failed: {e}"),
    }
}

// ---- Checks ---------------------------------------------------------------------------

/// The handshake messages in a flight of plaintext records: (type, body).
fn handshake_messages(mut records: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut stream = Vec::new();
    while records.len() >= 5 && records[0] == 22 {
        let len = usize::from(u16::from_be_bytes([records[3], records[4]]));
        stream.extend_from_slice(&records[5..5 + len]);
        records = &records[5 + len..];
    }
    let mut out = Vec::new();
    let mut s = stream.as_slice();
    while s.len() >= 4 {
        let len = usize::from(s[1]) << 16 | usize::from(s[2]) << 8 | usize::from(s[3]);
        out.push((s[0], s[4..4 + len].to_vec()));
        s = &s[4 + len..];
    }
    out
}

/// A `u16` at `at`.
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// The ServerHello of a flight's messages: its session ID length, and its extension
/// types. Checks the suite, extended master secret, and encrypt-then-MAC: present for a
/// CBC suite, absent for an AEAD one.
fn server_hello(lib: &str, msgs: &[(u8, Vec<u8>)], suite: &Suite) -> (usize, Vec<u16>) {
    let (_, hello) = msgs
        .iter()
        .find(|(t, _)| *t == 2)
        .unwrap_or_else(|| panic!("{lib}: no ServerHello"));
    // version, random, session id, suite, compression, extensions.
    let sid = usize::from(hello[34]);
    let mut at = 35 + sid;
    let chosen = u16_at(hello, at);
    assert_eq!(chosen, suite.code.0, "{lib}: suite");
    at += 3;
    let end = at + 2 + usize::from(u16_at(hello, at));
    at += 2;
    let mut exts = Vec::new();
    while at < end {
        exts.push(u16_at(hello, at));
        at += 4 + usize::from(u16_at(hello, at + 2));
    }
    assert!(exts.contains(&0x0017), "{lib}: no extended_master_secret");
    assert_eq!(
        exts.contains(&0x0016),
        suite.etm,
        "{lib}: encrypt_then_mac in the ServerHello"
    );
    (sid, exts)
}

/// Checks the server's first flight: the suite, EMS and EtM (CBC suites only), no
/// ticket, for DHE the ffdhe2048 prime and generator, and for ECDHE a named curve that
/// is the pinned group. Returns a description.
fn check_flight(lib: &str, flight: &[u8], suite: &Suite) -> String {
    let msgs = handshake_messages(flight);
    let (sid, exts) = server_hello(lib, &msgs, suite);
    let chosen = suite.code.0;
    assert!(!exts.contains(&0x0023), "{lib}: session ticket offered");
    let mut desc = format!(
        "suite {chosen:#06x}, EMS, {}, no ticket, session id {sid} bytes, {} certificates",
        if suite.etm { "EtM" } else { "no EtM (AEAD)" },
        msgs.iter()
            .find(|(t, _)| *t == 11)
            .map_or(0, |(_, c)| count_certs(c))
    );
    let ske = || {
        let (_, body) = msgs
            .iter()
            .find(|(t, _)| *t == 12)
            .unwrap_or_else(|| panic!("{lib}: no ServerKeyExchange"));
        body.as_slice()
    };
    if let Kx::Ecdhe(group) = suite.kx {
        // ECParameters (curve_type named_curve(3), the curve), ECPoint, the signature.
        let ske = ske();
        assert_eq!(ske[0], 3, "{lib}: ECDHE parameters are not a named curve");
        let curve = u16_at(ske, 1);
        assert_eq!(curve, group.0, "{lib}: ECDHE group");
        let point = usize::from(ske[3]);
        desc = format!(
            "{desc}, ECDHE group {curve:#06x} ({}, {point}-byte point), SKE signed with {:#06x}",
            openssl_group(group),
            u16_at(ske, 4 + point)
        );
    }
    if suite.kx == Kx::Dhe {
        let ske = ske();
        let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
        let mut at = 0;
        let mut field = || {
            let len = usize::from(u16_at(ske, at));
            let f = &ske[at + 2..at + 2 + len];
            at += 2 + len;
            f
        };
        let (p, g, _) = (field(), field(), field());
        assert_eq!(p, group.p_bytes(), "{lib}: DH prime is not ffdhe2048");
        assert_eq!(g, group.g_bytes(), "{lib}: DH generator");
        desc = format!(
            "{desc}, ffdhe2048, SKE signed with {:#06x}",
            u16_at(ske, at)
        );
    }
    desc
}

fn count_certs(body: &[u8]) -> usize {
    let mut at = 3;
    let mut n = 0;
    while at + 3 <= body.len() {
        at += 3
            + (usize::from(body[at]) << 16 | usize::from(body[at + 1]) << 8)
            + usize::from(body[at + 2]);
        n += 1;
    }
    n
}

fn check(suite: &Suite, sanstls: &mut Sanstls, openssl: &Openssl) {
    let mut flight = Vec::new();
    let (c, s) = sanstls.handshake(&mut Split::default(), Some(&mut flight));
    for conn in [&c, &s] {
        let n = conn.negotiated().expect("negotiated");
        assert_eq!(n.suite, suite.code, "sanstls suite");
        assert!(n.extended_master_secret, "sanstls EMS");
        assert_eq!(n.encrypt_then_mac, suite.etm, "sanstls EtM");
        assert_eq!(
            n.dh_bits,
            (suite.kx == Kx::Dhe).then_some(2048),
            "sanstls DH bits"
        );
        let group = match suite.kx {
            Kx::Ecdhe(group) => Some(group),
            Kx::Rsa | Kx::Dhe => None,
        };
        assert_eq!(n.ec_group, group, "sanstls ECDHE group");
        assert!(!n.resumed, "sanstls resumed");
    }
    println!(
        "sanstls {}: {}",
        suite.label,
        check_flight("sanstls", &flight, suite)
    );

    let mut flight = Vec::new();
    let mut dh_bits = 0;
    let dhe = suite.kx == Kx::Dhe;
    let (c, s) = openssl.handshake(
        &mut Split::default(),
        Some(&mut flight),
        dhe.then_some(&mut dh_bits),
    );
    for stream in [&c, &s] {
        let ssl = stream.ssl();
        assert_eq!(ssl.version_str(), "TLSv1.2");
        assert_eq!(
            ssl.current_cipher().map(openssl::ssl::SslCipherRef::name),
            Some(suite.openssl),
            "OpenSSL cipher"
        );
        assert_eq!(ssl.extms_support(), Some(true), "OpenSSL EMS");
        assert!(!ssl.session_reused(), "OpenSSL resumed");
    }
    assert_eq!(
        c.ssl().verify_result(),
        openssl::x509::X509VerifyResult::OK,
        "OpenSSL verification"
    );
    if let Kx::Ecdhe(group) = suite.kx {
        // The client's view of the server's ephemeral key (`SSL_get_peer_tmp_key`).
        let key = c.ssl().peer_tmp_key().expect("OpenSSL peer temp key");
        let ok = if group == NamedGroup::X25519 {
            key.id() == Id::X25519
        } else {
            let want = if group == NamedGroup::SECP256R1 {
                Nid::X9_62_PRIME256V1
            } else {
                Nid::SECP384R1
            };
            key.ec_key()
                .is_ok_and(|k| k.group().curve_name() == Some(want))
        };
        assert!(ok, "OpenSSL ECDHE group is not {}", openssl_group(group));
    }
    let mut desc = check_flight("OpenSSL", &flight, suite);
    if dhe {
        desc = format!("{desc}, server DH private value of {dh_bits} bits");
    }
    println!("OpenSSL {}: {desc}", suite.label);
}

/// The handshake types of a resumed handshake's first server flight (what came before
/// its ChangeCipherSpec), checked: a ServerHello naming the suite with EMS and EtM, no
/// certificate, and a NewSessionTicket only by ticket. Returns a description.
fn check_resumed_flight(lib: &str, flight: &[u8], suite: &Suite, resume: Resume) -> String {
    let msgs = handshake_messages(flight);
    let (sid, exts) = server_hello(lib, &msgs, suite);
    let types: Vec<u8> = msgs.iter().map(|(t, _)| *t).collect();
    let ticket = types.contains(&4);
    assert!(
        types == [2] || types == [2, 4],
        "{lib}: the server's resuming flight holds handshake types {types:?}"
    );
    assert_eq!(ticket, exts.contains(&0x0023), "{lib}: ticket extension");
    if resume == Resume::SessionId {
        assert!(!ticket, "{lib}: a ticket came with a session ID resumption");
        assert_eq!(sid, 32, "{lib}: session ID");
    }
    format!(
        "ServerHello (session id {sid} bytes, EMS, EtM{}){}, ChangeCipherSpec, Finished",
        if ticket { ", session_ticket" } else { "" },
        if ticket { ", NewSessionTicket" } else { "" },
    )
}

/// Whether a sanstls handshake resumed, on both sides.
fn sanstls_resumed(c: &Connection, s: &Connection) -> bool {
    let resumed = |conn: &Connection| conn.negotiated().is_some_and(|n| n.resumed);
    resumed(c) && resumed(s)
}

/// Whether an OpenSSL handshake resumed, on both sides.
fn openssl_resumed(c: &SslStream<PipeEnd>, s: &SslStream<PipeEnd>) -> bool {
    c.ssl().session_reused() && s.ssl().session_reused()
}

/// Makes the session the timed handshakes resume (one full handshake each), then checks
/// one resumed handshake per library and prints its server flight.
fn prime_and_check_resumed(
    suite: &Suite,
    resume: Resume,
    ours: &mut Sanstls,
    theirs: &mut Openssl,
) {
    let mut split = Split::default();
    let (c, s) = ours.handshake(&mut split, None);
    let full = |conn: &Connection| conn.negotiated().is_some_and(|n| !n.resumed);
    assert!(full(&c) && full(&s), "sanstls resumed a first handshake");
    let mut flight = Vec::new();
    let (c, s) = ours.handshake(&mut split, Some(&mut flight));
    assert!(sanstls_resumed(&c, &s), "sanstls did not resume {resume:?}");
    println!(
        "sanstls {}: {}",
        resume.label(),
        check_resumed_flight("sanstls", &flight, suite, resume)
    );

    let (c, s) = theirs.handshake(&mut split, None, None);
    assert!(
        !c.ssl().session_reused(),
        "OpenSSL resumed a first handshake"
    );
    theirs.session = Some(
        c.ssl()
            .session()
            .expect("OpenSSL's client has a session")
            .to_owned(),
    );
    theirs.drop_pair(&mut split, c, s);
    let mut flight = Vec::new();
    let (c, s) = theirs.handshake(&mut split, Some(&mut flight), None);
    assert!(openssl_resumed(&c, &s), "OpenSSL did not resume {resume:?}");
    assert_eq!(
        c.ssl()
            .current_cipher()
            .map(openssl::ssl::SslCipherRef::name),
        Some(suite.openssl),
        "OpenSSL cipher"
    );
    println!(
        "OpenSSL {}: {}",
        resume.label(),
        check_resumed_flight("OpenSSL", &flight, suite, resume)
    );
    theirs.drop_pair(&mut split, c, s);
}

// ---- Measurement ----------------------------------------------------------------------

/// Runs handshakes for `round`; returns (total, client, server) handshakes per second.
fn one_round(round: Duration, mut handshake: impl FnMut(&mut Split)) -> [f64; 3] {
    let mut split = Split::default();
    let mut n = 0u32;
    let start = Instant::now();
    loop {
        handshake(&mut split);
        n += 1;
        let wall = start.elapsed();
        if wall >= round {
            let n = f64::from(n);
            return [
                n / wall.as_secs_f64(),
                n / split.client.as_secs_f64(),
                n / split.server.as_secs_f64(),
            ];
        }
    }
}

/// One measured case: a suite and what its handshakes resume.
struct Case {
    suite: &'static Suite,
    resume: Resume,
    sanstls: Sanstls,
    openssl: Openssl,
}

fn main() {
    // Full handshakes with every suite; resumed ones with the RSA suite only (an
    // abbreviated handshake has no key exchange).
    let mut cases: Vec<Case> = SUITES
        .iter()
        .map(|suite| (suite, Resume::Full))
        .chain([
            (&SUITES[0], Resume::SessionId),
            (&SUITES[0], Resume::Ticket),
        ])
        .map(|(suite, resume)| Case {
            suite,
            resume,
            sanstls: Sanstls::new(suite, resume),
            openssl: Openssl::new(suite, resume),
        })
        .collect();
    println!("\nChecked before timing (one handshake each):");
    for case in &mut cases {
        if case.resume == Resume::Full {
            check(case.suite, &mut case.sanstls, &case.openssl);
        } else {
            prime_and_check_resumed(
                case.suite,
                case.resume,
                &mut case.sanstls,
                &mut case.openssl,
            );
        }
    }

    let mut table = Table::new(
        "TLS 1.2 handshakes, full and resumed, in memory (RSA 2048 certificate; ECDSA P-256 \
         for ECDHE-ECDSA)",
    );
    let (rounds, round) = table.rounds();
    for case in &mut cases {
        let want = case.resume != Resume::Full;
        let (ours, theirs) = (&mut case.sanstls, &case.openssl);
        let mut s: [Vec<f64>; 3] = Default::default();
        let mut o: [Vec<f64>; 3] = Default::default();
        for _ in 0..rounds {
            let r = one_round(round, |split| {
                let (c, sv) = ours.handshake(split, None);
                // Outside the timed calls: every handshake resumed, or none did.
                assert_eq!(sanstls_resumed(&c, &sv), want, "sanstls {:?}", case.resume);
                timed(&mut split.client, || drop(c));
                timed(&mut split.server, || drop(sv));
            });
            for (v, x) in s.iter_mut().zip(r) {
                v.push(x);
            }
            let r = one_round(round, |split| {
                let (c, sv) = theirs.handshake(split, None, None);
                assert_eq!(openssl_resumed(&c, &sv), want, "OpenSSL {:?}", case.resume);
                theirs.drop_pair(split, c, sv);
            });
            for (v, x) in o.iter_mut().zip(r) {
                v.push(x);
            }
        }
        let [st, sc, ss] = s;
        let [ot, oc, os] = o;
        let what = case.resume.label();
        let l = if want {
            String::new()
        } else {
            format!(" {}", case.suite.label)
        };
        table.row_from_rates(&format!("{what}{l} (client+server)"), Unit::Ops, st, ot);
        table.row_from_rates(&format!("{what}{l}, client side"), Unit::Ops, sc, oc);
        table.row_from_rates(&format!("{what}{l}, server side"), Unit::Ops, ss, os);
    }
}
