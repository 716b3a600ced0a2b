//! `cargo xtask bench handshake`: full TLS 1.2 handshakes per second, sanstls beside
//! OpenSSL, both in memory in the same run, with the client's and the server's cost
//! reported separately.
//!
//! # What one handshake is
//!
//! A full handshake (no resumption) between a client and a server in the same thread,
//! for TLS_RSA_WITH_AES_128_CBC_SHA256 and TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 (ffdhe2048),
//! with extended master secret and encrypt-then-MAC on. The server presents
//! `testdata/server-rsa2048.chain.pem` (leaf and intermediate, RSA 2048); the client
//! trusts `ca-root.cert.pem`, builds and checks the chain and checks the name
//! `localhost` (sent in server_name too). Configurations and contexts are built once;
//! every handshake creates both connections, runs them to completion and drops them.
//!
//! - sanstls: two `sanstls_proto::Connection`s; each flight goes from `poll_transmit` of
//!   one side straight into `handle_recv_bytes` of the other (no copy in between), whose
//!   events are then polled. Each connection draws its 32-byte seed from the operating
//!   system (`os_rng()`), so every handshake has fresh randoms, premaster secrets and DH
//!   exponents.
//! - OpenSSL: two `SslStream`s (`Ssl::new` on a client and a server `SslContext`, TLS 1.2
//!   only, the same single cipher, `set_tmp_dh` with the ffdhe2048 prime, session cache
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
//! "client side" is handshakes / client time, "server side" handshakes / server time, and
//! "(client+server)" handshakes / wall time of the whole round, which also covers the
//! little glue between the calls (for OpenSSL, making the pipe). Rounds alternate between
//! sanstls and OpenSSL and the medians are reported, as in the other benchmarks.
//!
//! Before timing, one handshake per library and suite is checked: the suite, extended
//! master secret and encrypt-then-MAC in the ServerHello, no session ticket, and for DHE
//! the ffdhe2048 prime in the ServerKeyExchange (and its signature scheme, printed).
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
use openssl::pkey::PKey;
use openssl::ssl::{
    ErrorCode, Ssl, SslContext, SslMethod, SslOptions, SslSessionCacheMode, SslStream,
    SslVerifyMode, SslVersion,
};
use openssl::x509::X509;

use sanstls_crypto::dh::{DhGroup, NamedDhGroup};
use sanstls_crypto::rng::{OsRng, os_rng};
use sanstls_pki::TrustAnchors;
use sanstls_proto::{CertifiedKey, ClientConfig, Connection, Event, ServerConfig, ServerName};
use sanstls_test::bench::{Table, Unit};
use sanstls_test::fixtures;
use sanstls_test::pair::NOW;
use sanstls_test::pipe::{PipeEnd, pipe};
use sanstls_wire::enums::CipherSuite;

const HOST: &str = "localhost";

/// One suite: row label, sanstls suite, OpenSSL cipher name, whether it is DHE.
struct Suite {
    label: &'static str,
    code: CipherSuite,
    openssl: &'static str,
    dhe: bool,
}

const SUITES: [Suite; 2] = [
    Suite {
        label: "RSA",
        code: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        openssl: "AES128-SHA256",
        dhe: false,
    },
    Suite {
        label: "DHE",
        code: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        openssl: "DHE-RSA-AES128-SHA256",
        dhe: true,
    },
];

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
    fn new(suite: CipherSuite) -> Self {
        let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem"))
            .expect("trust anchor");
        let client = ClientConfig::builder()
            .trust_anchors(anchors)
            .cipher_suites(&[suite])
            .build()
            .expect("client config");
        let key = CertifiedKey::from_pem(
            &fixtures::read("server-rsa2048.chain.pem"),
            &fixtures::read("server-rsa2048.rsa.pem"),
        )
        .expect("server key");
        let server = ServerConfig::builder()
            .single_cert(key)
            .cipher_suites(&[suite])
            .dh_group(NamedDhGroup::Ffdhe2048)
            .build()
            .expect("server config");
        Sanstls {
            client: Arc::new(client),
            server: Arc::new(server),
            name: HOST.try_into().expect("server name"),
            rng: os_rng(),
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
}

impl Openssl {
    fn new(cipher: &str, dhe: bool) -> Self {
        let root = X509::from_pem(fixtures::read("ca-root.cert.pem").as_bytes()).expect("root");
        let key = PKey::private_key_from_pem(fixtures::read("server-rsa2048.rsa.pem").as_bytes())
            .expect("key");
        let common = |method| {
            let mut b = SslContext::builder(method).expect("context");
            b.set_min_proto_version(Some(SslVersion::TLS1_2))
                .expect("min version");
            b.set_max_proto_version(Some(SslVersion::TLS1_2))
                .expect("max version");
            b.set_cipher_list(cipher).expect("cipher");
            b.set_session_cache_mode(SslSessionCacheMode::OFF);
            b.set_options(SslOptions::NO_TICKET);
            b
        };
        let mut c = common(SslMethod::tls_client());
        c.set_verify(SslVerifyMode::PEER);
        c.cert_store_mut().add_cert(root).expect("trust root");
        let mut s = common(SslMethod::tls_server());
        s.set_certificate_chain_file(fixtures::path("server-rsa2048.chain.pem"))
            .expect("chain");
        s.set_private_key(&key).expect("private key");
        s.check_private_key().expect("key matches");
        if dhe {
            s.set_tmp_dh(&ffdhe2048()).expect("tmp dh");
        }
        Openssl {
            client: c.build(),
            server: s.build(),
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

/// Checks the server's first flight: the suite, EMS and EtM, no ticket, and for DHE the
/// ffdhe2048 prime and generator. Returns a description.
fn check_flight(lib: &str, flight: &[u8], suite: &Suite) -> String {
    let msgs = handshake_messages(flight);
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
    assert!(exts.contains(&0x0016), "{lib}: no encrypt_then_mac");
    assert!(!exts.contains(&0x0023), "{lib}: session ticket offered");
    let mut desc = format!(
        "suite {chosen:#06x}, EMS, EtM, no ticket, session id {sid} bytes, {} certificates",
        msgs.iter()
            .find(|(t, _)| *t == 11)
            .map_or(0, |(_, c)| count_certs(c))
    );
    if suite.dhe {
        let (_, ske) = msgs
            .iter()
            .find(|(t, _)| *t == 12)
            .unwrap_or_else(|| panic!("{lib}: no ServerKeyExchange"));
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
        assert!(
            n.extended_master_secret && n.encrypt_then_mac,
            "sanstls EMS/EtM"
        );
        assert_eq!(n.dh_bits, suite.dhe.then_some(2048), "sanstls DH bits");
    }
    println!(
        "sanstls {}: {}",
        suite.label,
        check_flight("sanstls", &flight, suite)
    );

    let mut flight = Vec::new();
    let mut dh_bits = 0;
    let (c, s) = openssl.handshake(&mut Split::default(), Some(&mut flight), Some(&mut dh_bits));
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
    let mut desc = check_flight("OpenSSL", &flight, suite);
    if suite.dhe {
        desc = format!("{desc}, server DH private value of {dh_bits} bits");
    }
    println!("OpenSSL {}: {desc}", suite.label);
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

fn main() {
    let mut libs: Vec<(Sanstls, Openssl)> = SUITES
        .iter()
        .map(|s| (Sanstls::new(s.code), Openssl::new(s.openssl, s.dhe)))
        .collect();
    println!("\nChecked before timing (one handshake each):");
    for (suite, (ours, theirs)) in SUITES.iter().zip(libs.iter_mut()) {
        check(suite, ours, theirs);
    }

    let mut table = Table::new("Full TLS 1.2 handshakes, in memory (RSA 2048 certificate)");
    let (rounds, round) = table.rounds();
    for (suite, (ours, theirs)) in SUITES.iter().zip(libs.iter_mut()) {
        let mut s: [Vec<f64>; 3] = Default::default();
        let mut o: [Vec<f64>; 3] = Default::default();
        for _ in 0..rounds {
            let r = one_round(round, |split| {
                let (c, sv) = ours.handshake(split, None);
                timed(&mut split.client, || drop(c));
                timed(&mut split.server, || drop(sv));
            });
            for (v, x) in s.iter_mut().zip(r) {
                v.push(x);
            }
            let r = one_round(round, |split| {
                let (c, sv) = theirs.handshake(split, None, None);
                timed(&mut split.client, || drop(c));
                timed(&mut split.server, || drop(sv));
            });
            for (v, x) in o.iter_mut().zip(r) {
                v.push(x);
            }
        }
        let [st, sc, ss] = s;
        let [ot, oc, os] = o;
        let l = suite.label;
        table.row_from_rates(
            &format!("full handshake {l} (client+server)"),
            Unit::Ops,
            st,
            ot,
        );
        table.row_from_rates(
            &format!("full handshake {l}, client side"),
            Unit::Ops,
            sc,
            oc,
        );
        table.row_from_rates(
            &format!("full handshake {l}, server side"),
            Unit::Ops,
            ss,
            os,
        );
    }
}
