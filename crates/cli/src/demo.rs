//! `sanstls demo`: a sanstls client and a sanstls server talk over 127.0.0.1, and every
//! step of their TLS 1.2 handshake is printed with a short explanation.
//!
//! Both [`Connection`]s are driven from this one thread over two non-blocking loopback
//! sockets: the sans-IO design at work (the protocol code never sees the sockets), and a
//! deterministic order of lines.
//!
//! Then a second connection between the same two configurations resumes the session
//! of the first (RFC 5246 §7.3, Figure 2; RFC 5077: the server has a ticket key, so the
//! first handshake ends with a NewSessionTicket): its shorter trace is printed, with
//! what the resumption skipped.
//!
//! The server presents the demo's RSA certificate, or its ECDSA (P-256) certificate
//! when only ECDHE_ECDSA suites are offered (`--kx ecdhe-ecdsa`, or `--suite` with such
//! a suite); the client trusts the matching test root. When only pre-shared-key suites
//! are offered (`--kx psk`, `dhe-psk`, `ecdhe-psk`, or `--suite` with a PSK suite) no
//! certificate is involved: both sides hold the demo's PSK identity and key.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sanstls_pki::TrustAnchors;
use sanstls_proto::{
    CertifiedKey, ClientConfig, Connection, DEFAULT_TICKET_PERIOD, Direction, Event, Psk, PskTable,
    ServerConfig, ServerName, Side, TicketKeys, Ticketer, Trace, TraceKind,
};
use sanstls_wire::enums::{AlertDescription, CipherSuite, HandshakeType, KeyExchange, NamedGroup};

use crate::certinfo::{self, CertSummary};
use crate::{Failure, exit, explain, suites, trace};

/// The demo's test PKI, compiled in so the demo runs anywhere: an RSA chain ...
const CA_ROOT: &str = include_str!("../../../testdata/ca-root.cert.pem");
const SERVER_CHAIN: &str = include_str!("../../../testdata/server-rsa2048.chain.pem");
const SERVER_KEY: &str = include_str!("../../../testdata/server-rsa2048.rsa.pem");
/// ... and an ECDSA one (P-384 root, P-256 intermediate and leaf), for ECDHE_ECDSA.
const ECDSA_CA_ROOT: &str = include_str!("../../../testdata/ca-ecdsa-root.cert.pem");
const ECDSA_SERVER_CHAIN: &str = include_str!("../../../testdata/server-ecdsa-p256.chain.pem");
const ECDSA_SERVER_KEY: &str = include_str!("../../../testdata/server-ecdsa-p256.ec.pem");

/// The demo's pre-shared key (RFC 4279), for the PSK suites: an identity and a key
/// both sides are configured with. A fixed, public key: for showing only.
const DEMO_PSK_IDENTITY: &str = "sanstls-demo";
const DEMO_PSK_KEY: &[u8; 32] = b"sanstls-demo-psk-not-a-secret!!!";
/// The identity hint the demo's server sends (RFC 4279 §5.2).
const DEMO_PSK_HINT: &str = "sanstls demo server";

/// The demo's PKI for one run: the root the client trusts, the server's chain and key;
/// or, for the PSK suites, no PKI at all (`psk`).
#[derive(Clone, Copy, Debug)]
struct Pki {
    root: &'static str,
    chain: &'static str,
    key: &'static str,
    /// The server key in words, for the summary.
    key_text: &'static str,
    /// No certificates: both sides hold the demo's pre-shared key.
    psk: bool,
}

const RSA_PKI: Pki = Pki {
    root: CA_ROOT,
    chain: SERVER_CHAIN,
    key: SERVER_KEY,
    key_text: "2048-bit RSA key",
    psk: false,
};

const ECDSA_PKI: Pki = Pki {
    root: ECDSA_CA_ROOT,
    chain: ECDSA_SERVER_CHAIN,
    key: ECDSA_SERVER_KEY,
    key_text: "P-256 ECDSA key",
    psk: false,
};

const PSK_ONLY: Pki = Pki {
    root: "",
    chain: "",
    key: "",
    key_text: "pre-shared key",
    psk: true,
};

/// The ECDSA PKI when every offered suite needs it (ECDHE_ECDSA), none when every one
/// is a PSK suite, else the RSA one.
fn pki_for(offered: &[CipherSuite]) -> Pki {
    let all = |f: fn(KeyExchange) -> bool| {
        !offered.is_empty() && offered.iter().all(|s| s.key_exchange().is_some_and(f))
    };
    if all(|k| k == KeyExchange::EcdheEcdsa) {
        ECDSA_PKI
    } else if all(KeyExchange::is_psk) {
        PSK_ONLY
    } else {
        RSA_PKI
    }
}

/// What the demo should show.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    /// Offer only this suite.
    pub suite: Option<CipherSuite>,
    /// Offer only suites of this key exchange.
    pub kx: Option<KeyExchange>,
    /// Offer only these ECDHE groups (empty: the library's default).
    pub groups: Vec<NamedGroup>,
}

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 18\r\n\r\nhello over TLS 1.2";
const WIDTH: usize = 80;
/// How many bytes of application data are quoted.
const QUOTE_MAX: usize = 28;
/// Gives up if the two sides make no progress for this long (they never should).
const STALL_LIMIT: Duration = Duration::from_secs(30);

struct Peer {
    side: Side,
    conn: Connection,
    sock: TcpStream,
    complete: bool,
    saw_close: bool,
}

/// What one side's events asked the demo to do next.
enum Reaction {
    None,
    Respond,
    Close,
}

fn suites_for(opts: &Options) -> Result<Vec<CipherSuite>, Failure> {
    match (opts.suite, opts.kx) {
        (Some(s), Some(kx)) if s.key_exchange() != Some(kx) => Err(Failure::new(
            exit::USAGE,
            format!(
                "--suite {} does not use the key exchange chosen by --kx; \
                 give only one of them",
                suites::iana_name(s)
            ),
        )),
        (Some(s), _) => Ok(vec![s]),
        (None, Some(kx)) => Ok(suites::with_key_exchange(kx)),
        (None, None) => Ok(suites::all()),
    }
}

fn configs(
    offered: &[CipherSuite],
    groups: &[NamedGroup],
    pki: Pki,
) -> Result<(Arc<ClientConfig>, Arc<ServerConfig>), Failure> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        Failure::new(
            exit::CONFIG,
            format!("the demo's built-in {what} was refused: {e}"),
        )
    };
    let mut client = ClientConfig::builder().cipher_suites(offered).trace(true);
    let psk = Psk::new(DEMO_PSK_IDENTITY, DEMO_PSK_KEY.to_vec())
        .map_err(|e| internal("pre-shared key", &e))?;
    if pki.psk {
        client = client.psk(psk.clone());
    } else {
        let anchors =
            TrustAnchors::from_pem_bundle(pki.root).map_err(|e| internal("trust anchor", &e))?;
        client = client.trust_anchors(anchors);
    }
    if !groups.is_empty() {
        client = client.groups(groups);
    }
    let client = client
        .build()
        .map_err(|e| internal("client configuration", &e))?;
    // Tickets (RFC 5077) besides the default session cache, so that the trace shows
    // NewSessionTicket; the key comes from the operating system's generator.
    let ticketer: Arc<dyn Ticketer> = Arc::new(TicketKeys::new(
        &mut sanstls_crypto::rng::os_rng(),
        DEFAULT_TICKET_PERIOD,
    ));
    let mut server = ServerConfig::builder()
        .cipher_suites(offered)
        .ticketer(Some(ticketer))
        .trace(true);
    if pki.psk {
        server = server
            .psk_store(Arc::new(PskTable::new().with(psk)))
            .psk_identity_hint(DEMO_PSK_HINT.as_bytes());
    } else {
        let key = CertifiedKey::from_pem(pki.chain, pki.key)
            .map_err(|e| internal("server certificate", &e))?;
        server = server.single_cert(key);
    }
    if !groups.is_empty() {
        server = server.groups(groups);
    }
    let server = server
        .build()
        .map_err(|e| internal("server configuration", &e))?;
    Ok((Arc::new(client), Arc::new(server)))
}

fn net(what: &str, e: &std::io::Error) -> Failure {
    Failure::new(exit::NETWORK, format!("demo: {what}: {e}"))
}

/// Runs the demo, printing to stdout.
pub(crate) fn run(opts: &Options) -> Result<(), Failure> {
    let offered = suites_for(opts)?;
    let pki = pki_for(&offered);
    if pki.root == ECDSA_CA_ROOT
        && !opts.groups.is_empty()
        && !opts.groups.contains(&NamedGroup::SECP256R1)
    {
        // RFC 8422 §5.1: the client's supported_groups also bound the curve of an
        // ECDSA certificate, and the demo's is P-256.
        return Err(Failure::new(
            exit::USAGE,
            "the ECDHE_ECDSA demo's certificate is on secp256r1 (P-256), and in TLS 1.2 the \
             client's groups also limit the curve of an ECDSA certificate (RFC 8422 §5.1): \
             include secp256r1 in --groups (e.g. --groups secp384r1,secp256r1)",
        ));
    }
    let (client_cfg, server_cfg) = configs(&offered, &opts.groups, pki)?;

    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| net("binding 127.0.0.1", &e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| net("reading the bound address", &e))?;

    println!("sanstls demo: a TLS 1.2 client and server on {addr} (loopback TCP)");
    println!();
    let names: Vec<String> = offered
        .iter()
        .map(|&s| suites::openssl_name(s).map_or_else(|| suites::iana_name(s), str::to_string))
        .collect();
    let intro = if pki.psk {
        format!(
            "Both sides run sanstls in this one thread; the program moves bytes between the \
             sockets and the two connections. No certificate is involved: client and server \
             were both given the same pre-shared key (RFC 4279), {} bytes under the identity \
             \"{DEMO_PSK_IDENTITY}\" (a demo key, built in and public). Knowing the key is \
             what authenticates each side: only a holder can compute the Finished messages. \
             Suites offered: {}. Then the client connects a second time and resumes the \
             session of the first.",
            DEMO_PSK_KEY.len(),
            names.join(", ")
        )
    } else {
        format!(
            "Both sides run sanstls in this one thread; the program moves bytes between \
             the sockets and the two connections. The client trusts the demo's test \
             root CA{} and connects to \"localhost\"; the server has a certificate \
             for it with a {}. Suites offered: {}. Then the client connects a second \
             time and resumes the session of the first.",
            if pki.root == ECDSA_CA_ROOT {
                " (ECDSA)"
            } else {
                ""
            },
            pki.key_text,
            names.join(", ")
        )
    };
    print!("{}", trace::wrap(&intro, "", WIDTH));
    println!();

    let start = Instant::now();
    let first = connection(&listener, &client_cfg, &server_cfg, Round::Full, pki)?;
    println!();
    println!("Resuming the session (RFC 5246 §7.3, RFC 5077)");
    println!();
    print!(
        "{}",
        trace::wrap(
            "The client kept the session: the suite, the master secret and the ticket the \
             server gave it. With tickets the server needs to keep nothing: the ticket \
             carries the session, encrypted and MACed under the server's ticket key (this \
             server also keeps it in its cache under the session ID, for clients without \
             tickets). Now a new TCP connection and new Connection objects, from the same \
             two configurations:",
            "",
            WIDTH
        )
    );
    println!();
    let second = connection(&listener, &client_cfg, &server_cfg, Round::Resumed, pki)?;
    let total = start.elapsed();
    println!();
    println!("Timing");
    if let Some(h) = first.handshake {
        println!(
            "  full handshake:     {:>8.2} ms  (both sides, in this one thread)",
            ms(h)
        );
    }
    if let Some(h) = second.handshake {
        println!(
            "  resumed handshake:  {:>8.2} ms  (no certificate, no key exchange)",
            ms(h)
        );
    }
    println!(
        "  total:              {:>8.2} ms  (two connections: handshake, request,",
        ms(total)
    );
    println!("                                    response, close)");
    Ok(())
}

/// Which of the demo's two connections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Round {
    /// The first: a full handshake.
    #[default]
    Full,
    /// The second: resumes the first's session (RFC 5246 §7.3, Figure 2).
    Resumed,
}

/// How long one connection took.
struct Timing {
    /// From the start of the connection to both sides' HandshakeComplete.
    handshake: Option<Duration>,
}

/// One connection between the two configurations over a new loopback TCP
/// connection: handshake, request, response, close_notify both ways, all printed.
fn connection(
    listener: &TcpListener,
    client_cfg: &Arc<ClientConfig>,
    server_cfg: &Arc<ServerConfig>,
    round: Round,
    pki: Pki,
) -> Result<Timing, Failure> {
    let addr = listener
        .local_addr()
        .map_err(|e| net("reading the bound address", &e))?;
    let csock = TcpStream::connect(addr).map_err(|e| net("connecting over loopback", &e))?;
    let (ssock, _) = listener
        .accept()
        .map_err(|e| net("accepting over loopback", &e))?;
    for s in [&csock, &ssock] {
        s.set_nonblocking(true)
            .map_err(|e| net("making the socket non-blocking", &e))?;
        let _ = s.set_nodelay(true);
    }

    let start = Instant::now();
    let mut rng = sanstls_crypto::rng::os_rng();
    let now = crate::now();
    let server_name = ServerName::try_from("localhost")
        .map_err(|e| Failure::new(exit::CONFIG, format!("demo server name: {e}")))?;
    let client_conn = Connection::client(Arc::clone(client_cfg), server_name, now, &mut rng)
        .map_err(|e| tls_fail(&e))?;
    let server_conn =
        Connection::server(Arc::clone(server_cfg), now, &mut rng).map_err(|e| tls_fail(&e))?;
    let mut peers = [
        Peer {
            side: Side::Client,
            conn: client_conn,
            sock: csock,
            complete: false,
            saw_close: false,
        },
        Peer {
            side: Side::Server,
            conn: server_conn,
            sock: ssock,
            complete: false,
            saw_close: false,
        },
    ];

    let mut state = Shown {
        round,
        pki: Some(pki),
        ..Shown::default()
    };
    let mut handshake_time = None;
    let mut last_progress = Instant::now();
    while !(peers[0].conn.is_closed() && peers[1].conn.is_closed()) {
        let mut progress = false;
        for p in &mut peers {
            progress |= step(p, &mut state, now)?;
        }
        if handshake_time.is_none() && peers.iter().all(|p| p.complete) {
            let t = start.elapsed();
            handshake_time = Some(t);
            match round {
                Round::Full => summary(&peers[0].conn, t, pki),
                Round::Resumed => resumed_summary(&peers[0].conn, t)?,
            }
            send_request(&mut peers[0])?;
            if let (Round::Full, Some(n)) = (round, peers[0].conn.negotiated()) {
                print!(
                    "{}",
                    trace::wrap(
                        trace::record_protection(n.suite, n.encrypt_then_mac),
                        "    ",
                        WIDTH
                    )
                );
            }
            progress = true;
        }
        if progress {
            last_progress = Instant::now();
        } else if last_progress.elapsed() > STALL_LIMIT {
            return Err(Failure::new(
                exit::TLS,
                "demo: the two sides stopped making progress (this is a bug in sanstls)",
            ));
        } else {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    for p in &mut peers {
        let _ = events(p, &mut state);
    }
    println!();
    println!("Both sides sent close_notify and the TCP connection is closed.");
    Ok(Timing {
        handshake: handshake_time,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn tls_fail(e: &sanstls_proto::Error) -> Failure {
    Failure::new(exit::TLS, format!("demo: {e}"))
}

/// Which one-off explanations were already printed, and what the handshake showed.
#[derive(Default)]
struct Shown {
    /// The connection being shown.
    round: Round,
    /// The demo's PKI in this run.
    pki: Option<Pki>,
    chain: bool,
    message_count: usize,
    /// The suite the server chose, read from its ServerHello on the wire.
    suite: Option<CipherSuite>,
}

/// The cipher suite in a ServerHello at the start of `wire` (plaintext TLS records,
/// the ServerHello first, as a server's first flight is; RFC 5246 §7.4.1.3):
/// record header (5 bytes), handshake header (4), version (2), random (32), session ID
/// (length byte and ID), then the suite.
fn server_hello_suite(wire: &[u8]) -> Option<CipherSuite> {
    const HANDSHAKE: u8 = 22;
    if wire.first() != Some(&HANDSHAKE) || wire.get(5) != Some(&HandshakeType::SERVER_HELLO.0) {
        return None;
    }
    let sid_len = usize::from(*wire.get(5 + 4 + 2 + 32)?);
    let at = 5 + 4 + 2 + 32 + 1 + sid_len;
    let suite = wire.get(at..at + 2)?;
    Some(CipherSuite(u16::from_be_bytes([suite[0], suite[1]])))
}

/// One round for one side: print its events and react to them, transmit, read and
/// process what arrived. Returns whether anything happened.
fn step(p: &mut Peer, shown: &mut Shown, now: sanstls_pki::UnixTime) -> Result<bool, Failure> {
    let reaction = events(p, shown);
    let mut progress = !matches!(reaction, Reaction::None);
    match reaction {
        Reaction::None => {}
        Reaction::Respond => {
            let before = p.conn.poll_transmit().len();
            p.conn.send(RESPONSE).map_err(|e| tls_fail(&e))?;
            let wire = p.conn.poll_transmit().len() - before;
            app_data_line(Side::Server, RESPONSE, wire);
        }
        Reaction::Close => p.conn.close(),
    }
    // Print what closing queued (the close_notify trace).
    let _ = events(p, shown);

    while !p.conn.poll_transmit().is_empty() {
        match p.sock.write(p.conn.poll_transmit()) {
            Ok(n) => {
                p.conn.handle_transmitted(n).map_err(|e| tls_fail(&e))?;
                progress = true;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => return Err(net("writing to the loopback socket", &e)),
        }
    }
    if p.conn.is_closed() {
        let _ = p.sock.shutdown(std::net::Shutdown::Write);
        return Ok(progress);
    }
    if p.conn.recv_buf().is_empty() {
        return Ok(progress);
    }
    let n = match p.sock.read(p.conn.recv_buf()) {
        Ok(n) => n,
        Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(progress),
        Err(e) => return Err(net("reading from the loopback socket", &e)),
    };
    if let Err(e) = p.conn.handle_recv(n, now) {
        // Deliver the fatal alert to the other side before giving up (best effort).
        let _ = p.sock.write_all(p.conn.poll_transmit());
        let _ = events(p, shown);
        let role = if p.side == Side::Client {
            "client"
        } else {
            "server"
        };
        let mut msg = format!("demo: the {role} failed: {e}");
        if p.side == Side::Client {
            msg = explain::client_error(
                &e,
                &explain::ClientView::new(p.conn.peer_certificates(), "localhost", now),
            );
        }
        return Err(Failure::new(exit::TLS, msg));
    }
    Ok(true)
}

/// Polls and prints one side's events; says what the demo should do about them.
fn events(p: &mut Peer, shown: &mut Shown) -> Reaction {
    let mut traces: Vec<Trace> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    let mut closed = None;
    let mut complete = false;
    let mut alerts = Vec::new();
    loop {
        while let Some(ev) = p.conn.poll_event() {
            match ev {
                Event::Trace(t) => traces.push(t),
                Event::HandshakeComplete { .. } => complete = true,
                Event::PeerClosed { clean } => closed = Some(clean),
                Event::Alert(a) => alerts.push(a),
                _ => {}
            }
        }
        // Received application data waits in the connection's receive buffer, where
        // it was decrypted; consuming it lets the connection read on.
        if p.conn.app_data().is_empty() {
            break;
        }
        data.extend_from_slice(p.conn.app_data());
        if p.conn.consume(p.conn.app_data().len()).is_err() {
            // Sticky: the connection's error is reported by its next input.
            break;
        }
    }
    // The demo reads the server's choice from its ServerHello, still in the server's
    // transmit buffer, as anyone on the path could: it tells the key exchange and the
    // record protection the explanations describe.
    if p.side == Side::Server && shown.suite.is_none() {
        shown.suite = server_hello_suite(p.conn.poll_transmit());
    }
    for t in &traces {
        if t.direction == Direction::Sent {
            print_message(t, p.side, shown);
            continue;
        }
        match t.kind {
            TraceKind::Handshake(HandshakeType::CERTIFICATE)
                if p.side == Side::Client && !shown.chain =>
            {
                shown.chain = true;
                print_chain(p.conn.peer_certificates(), shown.pki.unwrap_or(RSA_PKI));
            }
            TraceKind::Handshake(HandshakeType::FINISHED) => println!(
                "    The {} checked it: same master secret, untampered handshake.",
                role(p.side)
            ),
            TraceKind::Alert(_, AlertDescription::CLOSE_NOTIFY) => println!(
                "    The {} got close_notify{}",
                role(p.side),
                if p.conn.is_closed() || p.side == Side::Client {
                    "."
                } else {
                    " and answers with its own (RFC 5246 §7.2.1)."
                }
            ),
            _ => {}
        }
    }
    for a in alerts {
        println!(
            "    (the {} received a warning alert: {})",
            role(p.side),
            trace::alert_name(a)
        );
    }
    if complete {
        p.complete = true;
    }
    if !data.is_empty() {
        println!(
            "    The {} decrypted and checked it: {}",
            role(p.side),
            quote(&data)
        );
        return match p.side {
            Side::Server => Reaction::Respond,
            Side::Client => Reaction::Close,
        };
    }
    if let Some(clean) = closed
        && !p.saw_close
    {
        p.saw_close = true;
        if !clean {
            println!(
                "    The {} saw the transport end WITHOUT close_notify (a truncation).",
                role(p.side)
            );
        }
        if p.side == Side::Server {
            return Reaction::Close;
        }
    }
    Reaction::None
}

fn role(side: Side) -> &'static str {
    match side {
        Side::Client => "client",
        Side::Server => "server",
    }
}

fn print_message(t: &Trace, sender: Side, shown: &mut Shown) {
    shown.message_count += 1;
    if t.kind == TraceKind::Handshake(HandshakeType::CLIENT_HELLO) {
        match shown.round {
            Round::Full => println!("The handshake (RFC 5246 §7.3)"),
            Round::Resumed => println!("The abbreviated handshake (RFC 5246 §7.3, Figure 2)"),
        }
        println!();
    }
    // The ServerKeyExchange, ClientKeyExchange and ChangeCipherSpec explanations depend
    // on the suite the server chose.
    let known = shown.suite.map(trace::Known::suite).unwrap_or_default();
    println!("{:>2}. {}", shown.message_count, trace::line(t, sender));
    // In the resumption only what differs from the full handshake is explained.
    let text = match shown.round {
        Round::Full => Some(trace::explain(t.kind, sender, known)),
        Round::Resumed => trace::explain_resumed(t.kind, sender),
    };
    if let Some(text) = text {
        print!("{}", trace::wrap(text, "    ", WIDTH));
    }
}

fn print_chain(chain: &[Vec<u8>], pki: Pki) {
    println!("    The client validates the server's chain (RFC 5280 path, RFC 6125 name):");
    let summaries = certinfo::chain(chain);
    for (i, c) in summaries.iter().enumerate() {
        let what = if i == 0 { "leaf" } else { "intermediate CA" };
        println!("    [{i}] {what}");
        print!("{}", c.describe("        "));
    }
    let root = sanstls_pki::pem_to_der_certs(pki.root)
        .ok()
        .and_then(|d| d.first().and_then(|c| CertSummary::parse(c)));
    if let Some(root) = root {
        println!("    trusted root: {}", root.subject);
    }
    println!("    -> chain leads to the trusted root, valid now, and names \"localhost\".");
}

fn summary(client: &Connection, elapsed: Duration, pki: Pki) {
    let Some(n) = client.negotiated() else {
        return;
    };
    println!();
    println!(
        "Handshake complete after {:.2} ms. What was agreed:",
        ms(elapsed)
    );
    print_suite(n.suite);
    match n.suite.key_exchange() {
        Some(KeyExchange::Rsa) => {
            println!("  key exchange:  RSA: the client encrypted a 48-byte premaster secret");
            println!(
                "                 to the server's {} (no forward secrecy)",
                pki.key_text
            );
        }
        Some(KeyExchange::DheRsa) => {
            let bits = n.dh_bits.map_or_else(|| "?".to_string(), |b| b.to_string());
            let group = match n.dh_bits {
                Some(2048) => " (ffdhe2048, RFC 7919)",
                Some(3072) => " (ffdhe3072, RFC 7919)",
                _ => "",
            };
            println!("  key exchange:  ephemeral Diffie-Hellman, {bits}-bit prime{group},");
            println!("                 signed with the server's RSA key (forward secrecy)");
        }
        Some(KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa) => {
            let group = n
                .ec_group
                .map_or_else(|| "?".to_string(), suites::group_name);
            println!("  key exchange:  ECDHE {group}: ephemeral elliptic-curve Diffie-Hellman,");
            println!(
                "                 signed with the server's {} (forward secrecy)",
                pki.key_text
            );
        }
        Some(KeyExchange::Psk) => {
            println!("  key exchange:  PSK: the premaster secret is the pre-shared key alone");
            println!("                 (no certificates; no forward secrecy)");
        }
        Some(KeyExchange::DhePsk) => {
            let bits = n.dh_bits.map_or_else(|| "?".to_string(), |b| b.to_string());
            println!("  key exchange:  DHE_PSK: ephemeral Diffie-Hellman, {bits}-bit prime,");
            println!("                 mixed with the pre-shared key (forward secrecy)");
        }
        Some(KeyExchange::EcdhePsk) => {
            let group = n
                .ec_group
                .map_or_else(|| "?".to_string(), suites::group_name);
            println!("  key exchange:  ECDHE_PSK {group}: ephemeral elliptic-curve Diffie-Hellman");
            println!("                 mixed with the pre-shared key (forward secrecy)");
        }
        None => println!("  key exchange:  (unknown)"),
    }
    if let Some(id) = &n.psk_identity {
        println!(
            "  PSK identity:  \"{}\" (sent by the client in its ClientKeyExchange;",
            crate::psk::identity_text(id)
        );
        println!("                 the server looked its key up)");
        println!("  authentication: the pre-shared key alone, no certificate: each side's");
        println!("                 Finished proves it holds the same key");
    }
    let yes = |b: bool| if b { "yes" } else { "no" };
    println!(
        "  extended master secret (RFC 7627): {}  (master secret bound to this",
        yes(n.extended_master_secret)
    );
    println!("                                         handshake's transcript)");
    let aead = suites::is_aead(n.suite);
    if aead {
        println!("  encrypt-then-MAC (RFC 7366):       not applicable (AEAD: the cipher");
        println!("                                         authenticates what it encrypts)");
    } else {
        println!(
            "  encrypt-then-MAC (RFC 7366):       {}  (the MAC covers the ciphertext,",
            yes(n.encrypt_then_mac)
        );
        println!("                                         closing CBC padding oracles)");
    }
    println!(
        "  server name sent (SNI):            {}",
        n.server_name.as_deref().unwrap_or("(none)")
    );
    println!();
    if aead {
        println!("Application data (RFC 5246 §6.2.3.3: every record now AEAD-protected)");
    } else {
        println!("Application data (RFC 5246 §6.2.3: every record now encrypted and MACed)");
    }
    println!();
}

/// The `suite:` line of a summary: the IANA name, then the OpenSSL name on the same
/// line if both fit in [`WIDTH`] columns, else on the next.
fn print_suite(suite: CipherSuite) {
    let iana = suites::iana_name(suite);
    let openssl = suites::openssl_name(suite).unwrap_or("");
    let line = format!("  suite:         {iana} ({openssl})");
    if line.chars().count() <= WIDTH {
        println!("{line}");
    } else {
        println!("  suite:         {iana}");
        println!("                 ({openssl})");
    }
}

/// After the resumed handshake: what was agreed, and what the resumption skipped.
fn resumed_summary(client: &Connection, elapsed: Duration) -> Result<(), Failure> {
    let Some(n) = client.negotiated() else {
        return Ok(());
    };
    if !n.resumed {
        return Err(Failure::new(
            exit::TLS,
            "demo: the second connection made a full handshake instead of resuming the \
             session (this is a bug in sanstls)",
        ));
    }
    println!();
    println!(
        "Handshake complete after {:.2} ms: the session was resumed.",
        ms(elapsed)
    );
    print_suite(n.suite);
    println!("                 (the session's: a resumption keeps it)");
    println!();
    println!("What the resumption skipped (RFC 5246 §7.3, RFC 5077):");
    let psk = n.suite.key_exchange().is_some_and(KeyExchange::is_psk);
    let key_exchange = match n.suite.key_exchange() {
        Some(KeyExchange::Psk) => {
            "no key exchange (no ServerKeyExchange with the identity hint, no \
             ClientKeyExchange with the identity) and no ServerHelloDone: the server does \
             not look the pre-shared key up again."
        }
        Some(KeyExchange::DhePsk | KeyExchange::EcdhePsk) => {
            "no key exchange (no ServerKeyExchange, no ClientKeyExchange) and no \
             ServerHelloDone: no (elliptic-curve) Diffie-Hellman, and the pre-shared key \
             is not used again (the session's master secret already depends on it)."
        }
        Some(KeyExchange::DheRsa) => {
            "no key exchange (no ServerKeyExchange, no ClientKeyExchange) and no \
             ServerHelloDone: no Diffie-Hellman, and no RSA operation on either side (no \
             signature, no chain check)."
        }
        Some(KeyExchange::EcdheRsa) => {
            "no key exchange (no ServerKeyExchange, no ClientKeyExchange) and no \
             ServerHelloDone: no elliptic-curve Diffie-Hellman (no ephemeral key pair, no \
             point multiplication), and no RSA operation on either side (no signature, no \
             chain check)."
        }
        Some(KeyExchange::EcdheEcdsa) => {
            "no key exchange (no ServerKeyExchange, no ClientKeyExchange) and no \
             ServerHelloDone: no elliptic-curve Diffie-Hellman (no ephemeral key pair, no \
             point multiplication), and no ECDSA operation on either side (no signature to \
             make or verify, no chain check)."
        }
        _ => {
            "no key exchange (no ClientKeyExchange) and no ServerHelloDone: no RSA \
             operation on either side (no premaster secret to encrypt or decrypt, no \
             chain check)."
        }
    };
    let certificate = if psk {
        "no certificate either way, as in the first handshake: the server now proves it \
         is the same server by knowing the session's master secret, which came from the \
         pre-shared key (its Finished could not be computed otherwise)."
    } else {
        "no Certificate: the client validated the chain in the first handshake; the \
         server now proves it is the same server by knowing the session's master secret \
         (its Finished could not be computed otherwise)."
    };
    for item in [
        certificate,
        key_exchange,
        "no new master secret: the session's is used again. The new connection keys come \
         from it and the two new randoms (RFC 5246 §6.3: PRF(master secret, \"key \
         expansion\", server random + client random)), so no two connections share keys.",
        "a round trip: the server sends its Finished first, and the client may send data \
         right after its own.",
    ] {
        let wrapped = trace::wrap(item, "    ", WIDTH);
        print!("  -{}", &wrapped[3..]);
    }
    println!();
    println!("Application data, under the new connection keys");
    println!();
    Ok(())
}

fn send_request(p: &mut Peer) -> Result<(), Failure> {
    let before = p.conn.poll_transmit().len();
    p.conn.send(REQUEST).map_err(|e| tls_fail(&e))?;
    let wire = p.conn.poll_transmit().len() - before;
    app_data_line(Side::Client, REQUEST, wire);
    Ok(())
}

fn app_data_line(sender: Side, data: &[u8], wire: usize) {
    println!(
        "    {}  {:<30} {}  encrypted",
        trace::arrow(sender),
        "application data",
        trace::size_column(wire)
    );
    println!(
        "    {} of plaintext in one record",
        trace::count(data.len(), "byte", "bytes")
    );
}

/// Shows bytes as a quoted string with escapes, shortened.
fn quote(data: &[u8]) -> String {
    let mut s: String = data
        .iter()
        .take(QUOTE_MAX)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if data.len() > QUOTE_MAX {
        s.push_str("...");
    }
    format!("\"{s}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicting_suite_and_kx_is_a_usage_error() {
        let o = Options {
            suite: Some(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
            kx: Some(KeyExchange::DheRsa),
            groups: Vec::new(),
        };
        assert_eq!(suites_for(&o).unwrap_err().code, exit::USAGE);
        let o = Options {
            suite: None,
            kx: Some(KeyExchange::DheRsa),
            groups: Vec::new(),
        };
        assert!(
            suites_for(&o)
                .unwrap()
                .iter()
                .all(|s| s.key_exchange() == Some(KeyExchange::DheRsa))
        );
    }

    #[test]
    fn built_in_pki_loads() {
        configs(&suites::all(), &[], RSA_PKI).unwrap();
        let ecdsa = suites::with_key_exchange(KeyExchange::EcdheEcdsa);
        assert_eq!(pki_for(&ecdsa).key_text, ECDSA_PKI.key_text);
        assert_eq!(pki_for(&suites::all()).key_text, RSA_PKI.key_text);
        configs(&ecdsa, &[NamedGroup::SECP384R1], ECDSA_PKI).unwrap();
        for kx in [KeyExchange::Psk, KeyExchange::DhePsk, KeyExchange::EcdhePsk] {
            let offered = suites::with_key_exchange(kx);
            assert!(!offered.is_empty(), "{kx:?}");
            assert!(pki_for(&offered).psk, "{kx:?}");
            configs(&offered, &[], PSK_ONLY).unwrap();
        }
        assert!(!pki_for(&suites::all()).psk);
    }

    #[test]
    fn the_suite_is_read_from_a_server_hello() {
        let mut wire = vec![22, 3, 3, 0, 0, 2, 0, 0, 0, 3, 3];
        wire.extend_from_slice(&[7; 32]);
        wire.push(2);
        wire.extend_from_slice(&[1, 2, 0xc0, 0x2f, 0]);
        assert_eq!(
            server_hello_suite(&wire),
            Some(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
        );
        assert_eq!(server_hello_suite(&wire[..45]), None);
        assert_eq!(server_hello_suite(&[23, 3, 3]), None);
    }
}
