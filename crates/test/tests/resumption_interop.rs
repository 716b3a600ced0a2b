//! Session resumption against real peers on 127.0.0.1 ephemeral ports: session IDs
//! (RFC 5246 §7.4.1.2) and tickets (RFC 5077) with OpenSSL 3's `s_client -reconnect`
//! and `s_server`, tlslite-ng's client and server (`crates/test/peers`, with
//! `--connections`) and Python's `ssl` module, each way where the peer has that role.
//!
//! Every test asserts that resumption happened (or, where none can, that it did not) on
//! both sides: the peer's own account (s_client's and s_server's `Reused`, tlslite-ng's
//! `resumed=yes`, Python's `session_reused`) and sanstls's [`Negotiated::resumed`]. Which
//! mechanism was used is checked too: a server that has only a ticketer (no session
//! cache) can resume by ticket alone, a client that offers no ticket by session ID
//! alone, and the sanstls server's trace shows whether it sent a NewSessionTicket.
//!
//! A missing peer (openssl, python3, tlslite-ng) fails these tests loudly, as in the
//! other interop tests; `.ci/run` installs them.
//!
//! [`Negotiated::resumed`]: sanstls_proto::Negotiated::resumed

use std::sync::Arc;
use std::time::Duration;

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::TrustAnchors;
use sanstls_proto::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, ServerConfig, ServerConfigBuilder, Session,
    SessionCache, StoresClientSessions, TicketKeys, Ticketer,
};
use sanstls_test::fixtures;
use sanstls_test::peers::{
    self, Outcome, Peer, Served, serve_many, td, tlslite_client, tlslite_connections,
    tlslite_report, tlslite_server, tool,
};
use sanstls_wire::enums::HandshakeType;

/// How many connections `s_client -reconnect` makes: the first and five more.
const RECONNECT_CONNECTIONS: usize = 6;

const HOUR: Duration = Duration::from_secs(3600);

/// A server configuration builder serving `server-rsa2048`, tracing (so that
/// [`Served::sent`] can tell whether it sent a NewSessionTicket).
fn server() -> ServerConfigBuilder {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    ServerConfig::builder().single_cert(key).trace(true)
}

/// Ticket keys for a server: [`TicketKeys`] rotating hourly.
fn ticketer(seed: u8) -> Arc<dyn Ticketer> {
    Arc::new(TicketKeys::new(&mut SeededRng::from_seed([seed; 32]), HOUR))
}

/// A client configuration builder trusting `ca-root`.
fn client() -> ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    ClientConfig::builder().trust_anchors(anchors)
}

/// A client configuration from `b` with a session store of its own, and the store.
fn client_with_store(b: ClientConfigBuilder) -> (Arc<ClientConfig>, Arc<SessionCache>) {
    let store = Arc::new(SessionCache::new(4));
    let config = b.session_store(Some(store.clone() as _)).build().unwrap();
    (Arc::new(config), store)
}

/// The session the client's store holds for `localhost`.
#[track_caller]
fn stored(store: &SessionCache) -> Session {
    let bytes = StoresClientSessions::get(store, "localhost")
        .expect("the client stored no session for localhost");
    Session::from_bytes(&bytes).unwrap()
}

/// Whether each connection resumed, from the sanstls server's side.
fn resumed(served: &[Served]) -> Vec<bool> {
    served.iter().map(Served::resumed).collect()
}

/// Whether the sanstls server sent a NewSessionTicket on each connection.
fn sent_tickets(served: &[Served]) -> Vec<bool> {
    served
        .iter()
        .map(|s| s.sent(HandshakeType::NEW_SESSION_TICKET))
        .collect()
}

/// `[false, true, true, ...]`: a full handshake, then `n - 1` resumptions.
fn first_full_then_resumed(n: usize) -> Vec<bool> {
    (0..n).map(|i| i > 0).collect()
}

/// Every connection completed without an error; the outcomes.
#[track_caller]
fn completed<'a>(served: &'a [Served], peer: &Peer) -> Vec<&'a Outcome> {
    served
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let out = s.result.as_ref().unwrap_or_else(|e| {
                panic!("connection {}: {e}\n{}", i + 1, peer.output());
            });
            assert!(out.complete, "connection {}", i + 1);
            out
        })
        .collect()
}

// ---- openssl s_client -reconnect against the sanstls server ----------------------------

/// What `s_client -reconnect` did against a sanstls server of `config`: what the server
/// saw of each of the six connections, s_client's `New`/`Reused` line of each (in
/// order) and its whole stdout.
fn s_client_reconnect(config: ServerConfig, extra: &[&str]) -> (Vec<Served>, Vec<String>, String) {
    let (served, peer) = serve_many(
        config,
        21,
        RECONNECT_CONNECTIONS,
        |port| {
            Peer::spawn(
                peers::s_client(port)
                    .args(["-CAfile", &td("ca-root.cert.pem"), "-verify_return_error"])
                    .args(["-servername", "localhost", "-reconnect"])
                    .args(extra),
            )
        },
        b"\n",
        b"",
    );
    let stdout = peer.stdout();
    completed(&served, &peer);
    let lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("New, ") || l.starts_with("Reused, "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines.len(),
        RECONNECT_CONNECTIONS,
        "one New/Reused line per connection:\n{stdout}\n{}",
        peer.stderr()
    );
    assert!(stdout.contains("Verify return code: 0 (ok)"), "{stdout}");
    (served, lines, stdout)
}

/// Whether each of s_client's lines says `Reused`.
fn reused(lines: &[String]) -> Vec<bool> {
    lines.iter().map(|l| l.starts_with("Reused, ")).collect()
}

/// The sanstls server with a ticketer and its default session cache: s_client offers a
/// ticket, gets one with the full handshake (and a renewed one with each resumption),
/// and resumes all five reconnections.
#[test]
fn s_client_reconnect_resumes_with_tickets() {
    let config = server().ticketer(Some(ticketer(1))).build().unwrap();
    let (served, lines, stdout) = s_client_reconnect(config, &[]);
    let want = first_full_then_resumed(RECONNECT_CONNECTIONS);
    assert_eq!(reused(&lines), want, "{lines:?}");
    assert_eq!(resumed(&served), want);
    assert_eq!(sent_tickets(&served), [true; RECONNECT_CONNECTIONS]);
    assert!(stdout.contains("TLS session ticket:"), "{stdout}");
    // The resumptions keep the first handshake's suite.
    let suite = |s: &Served| {
        s.result
            .as_ref()
            .unwrap()
            .negotiated
            .as_ref()
            .unwrap()
            .suite
    };
    assert!(served.iter().all(|s| suite(s) == suite(&served[0])));
}

/// A ticketer and no session cache: the ServerHello carries no session ID, so s_client
/// can resume by ticket only, and does.
#[test]
fn s_client_reconnect_resumes_by_ticket_alone() {
    let config = server()
        .session_cache(0)
        .ticketer(Some(ticketer(2)))
        .build()
        .unwrap();
    let (served, lines, stdout) = s_client_reconnect(config, &[]);
    let want = first_full_then_resumed(RECONNECT_CONNECTIONS);
    assert_eq!(reused(&lines), want, "{stdout}");
    assert_eq!(resumed(&served), want);
    assert_eq!(sent_tickets(&served), [true; RECONNECT_CONNECTIONS]);
}

/// `s_client -no_ticket` against a server with a ticketer and its session cache: no
/// ticket is offered or sent, and the reconnections resume by session ID.
#[test]
fn s_client_reconnect_no_ticket_resumes_by_session_id() {
    let config = server().ticketer(Some(ticketer(3))).build().unwrap();
    let (served, lines, stdout) = s_client_reconnect(config, &["-no_ticket"]);
    let want = first_full_then_resumed(RECONNECT_CONNECTIONS);
    assert_eq!(reused(&lines), want, "{stdout}");
    assert_eq!(resumed(&served), want);
    assert_eq!(sent_tickets(&served), [false; RECONNECT_CONNECTIONS]);
    assert!(!stdout.contains("TLS session ticket"), "{stdout}");
    // One session ID throughout: the one the full handshake made.
    let ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Session-ID: "))
        .collect();
    assert_eq!(ids.len(), RECONNECT_CONNECTIONS, "{stdout}");
    assert_eq!(ids[0].len(), 64, "{stdout}");
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
}

/// The sanstls server as `sanstls server` runs it today (the default session cache, no
/// ticketer) against s_client offering tickets: none is given, and the reconnections
/// resume by session ID.
#[test]
fn s_client_reconnect_resumes_by_session_id_with_the_default_server() {
    let (served, lines, stdout) = s_client_reconnect(server().build().unwrap(), &[]);
    let want = first_full_then_resumed(RECONNECT_CONNECTIONS);
    assert_eq!(reused(&lines), want, "{stdout}");
    assert_eq!(resumed(&served), want);
    assert_eq!(sent_tickets(&served), [false; RECONNECT_CONNECTIONS]);
    assert!(!stdout.contains("TLS session ticket:"), "{stdout}");
}

/// No session cache and no ticketer: nothing to resume with, every connection is new.
#[test]
fn s_client_reconnect_without_cache_or_tickets_is_always_new() {
    let config = server().session_cache(0).build().unwrap();
    let (served, lines, stdout) = s_client_reconnect(config, &[]);
    assert_eq!(reused(&lines), [false; RECONNECT_CONNECTIONS], "{stdout}");
    assert_eq!(resumed(&served), [false; RECONNECT_CONNECTIONS]);
    assert_eq!(sent_tickets(&served), [false; RECONNECT_CONNECTIONS]);
}

// ---- the sanstls client against openssl s_server -------------------------------------

/// Two `GET /` from one sanstls client configuration to `s_server -www` started with
/// `args`: both outcomes (each with s_server's status page, which says `New` or
/// `Reused`), and the session the client stored after the first.
fn two_gets_from_s_server(
    args: &[&str],
    client: ClientConfigBuilder,
) -> (Outcome, Outcome, Session) {
    let (_server, port) = peers::s_server().args(["-www"]).args(args).start();
    let (config, store) = client_with_store(client);
    let first = peers::http_get(Arc::clone(&config), port, "localhost", 31).unwrap();
    let session = stored(&store);
    let second = peers::http_get(config, port, "localhost", 32).unwrap();
    (first, second, session)
}

/// s_server's status page says whether it resumed: `---\nReused, ` or `---\nNew, `.
#[track_caller]
fn page_says(out: &Outcome, what: &str) {
    let page = String::from_utf8_lossy(&out.data);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
    assert!(page.contains(&format!("\n{what}, ")), "not {what}:\n{page}");
}

#[track_caller]
fn check_resumed_pair(first: &Outcome, second: &Outcome) {
    let (n1, n2) = (
        first.negotiated.as_ref().unwrap(),
        second.negotiated.as_ref().unwrap(),
    );
    assert!(!n1.resumed, "the first connection resumed nothing");
    assert!(n2.resumed, "the second connection did not resume");
    assert_eq!(n1.suite, n2.suite);
    assert!(n1.extended_master_secret && n2.extended_master_secret);
    // The server's certificate of the full handshake stands for the resumption.
    assert_eq!(n2.peer_certificates[..], n1.peer_certificates[..1]);
    page_says(first, "New");
    page_says(second, "Reused");
}

/// `s_server` as it comes (a session cache and tickets): the client keeps the ticket
/// and the session ID and resumes.
#[test]
fn sanstls_client_resumes_with_s_server() {
    let (first, second, session) = two_gets_from_s_server(&[], client());
    assert!(session.ticket().is_some(), "{session:?}");
    check_resumed_pair(&first, &second);
}

/// `s_server -no_cache`: tickets only (its ServerHello has no session ID), so the
/// resumption is by ticket.
#[test]
fn sanstls_client_resumes_with_s_server_by_ticket() {
    let (first, second, session) = two_gets_from_s_server(&["-no_cache"], client());
    assert!(session.ticket().is_some(), "{session:?}");
    assert!(session.session_id().is_empty(), "{session:?}");
    check_resumed_pair(&first, &second);
}

/// `s_server -no_ticket`, and a client that offers no tickets against the default
/// s_server: both resume by session ID.
#[test]
fn sanstls_client_resumes_with_s_server_by_session_id() {
    for (args, client) in [
        (&["-no_ticket"][..], client()),
        (&[][..], client().session_tickets(false)),
    ] {
        let (first, second, session) = two_gets_from_s_server(args, client);
        assert!(session.ticket().is_none(), "{args:?}: {session:?}");
        assert_eq!(session.session_id().len(), 32, "{args:?}: {session:?}");
        check_resumed_pair(&first, &second);
    }
}

// ---- tlslite-ng ---------------------------------------------------------------------

/// One report field of one connection of a tlslite peer.
#[track_caller]
fn field(connection: &str, what: &str, key: &str) -> String {
    tlslite_report(connection, what)
        .and_then(|f| f.get(key).cloned())
        .unwrap_or_else(|| panic!("no {what} {key}= in:\n{connection}"))
}

/// Waits for a tlslite peer and checks that it succeeded; its stderr cut per
/// connection (owned).
#[track_caller]
fn tlslite_succeeded(peer: &mut Peer, connections: usize) -> Vec<String> {
    let status = peer.wait();
    assert!(status.success(), "{status}\n{}", peer.output());
    let err = peer.stderr();
    let cut: Vec<String> = tlslite_connections(&err)
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(cut.len(), connections, "{err}");
    cut
}

/// Two `GET /` from one sanstls client configuration to the tlslite server started
/// with `args` (plus `--http --connections 2`): both outcomes, the session the client
/// stored after the first, and the server's report of each connection.
fn two_gets_from_tlslite(args: &[&str]) -> (Outcome, Outcome, Session, Vec<String>) {
    let (mut server, port) = tlslite_server(["--http", "--connections", "2"].iter().chain(args));
    let (config, store) = client_with_store(client());
    let first = peers::http_get(Arc::clone(&config), port, "localhost", 41)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
    let session = stored(&store);
    let second = peers::http_get(config, port, "localhost", 42)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output()));
    let report = tlslite_succeeded(&mut server, 2);
    let n1 = first.negotiated.as_ref().unwrap();
    let n2 = second.negotiated.as_ref().unwrap();
    assert!(!n1.resumed, "{}", report[0]);
    assert!(n2.resumed, "{}", report[1]);
    assert_eq!(n1.suite, n2.suite);
    assert_eq!(field(&report[0], "NEGOTIATED", "resumed"), "no");
    assert_eq!(field(&report[1], "NEGOTIATED", "resumed"), "yes");
    for out in [&first, &second] {
        let page = String::from_utf8_lossy(&out.data);
        assert!(page.contains("tlslite-ng: cipher is TLS_"), "{page}");
    }
    (first, second, session, report)
}

/// The tlslite server with a session cache: the sanstls client offers the session ID
/// the full handshake gave (and an empty ticket extension, which tlslite-ng without
/// ticket keys ignores), and resumes.
#[test]
fn sanstls_client_resumes_with_tlslite_server_by_session_id() {
    let (_, _, session, report) = two_gets_from_tlslite(&["--session-cache"]);
    assert!(session.ticket().is_none(), "{session:?}");
    assert_eq!(session.session_id().len(), 32);
    let id = hex::encode(session.session_id());
    assert_eq!(field(&report[0], "HELLO sent", "session_id"), id);
    assert_eq!(field(&report[1], "HELLO received", "session_id"), id);
    assert_eq!(field(&report[1], "HELLO sent", "session_id"), id);
}

/// The tlslite server with ticket keys and no session cache: it can resume by ticket
/// only, and does.
#[test]
fn sanstls_client_resumes_with_tlslite_server_by_ticket() {
    let (_, _, session, report) = two_gets_from_tlslite(&["--tickets"]);
    let ticket = session.ticket().expect("tlslite-ng gave a ticket");
    assert_eq!(field(&report[0], "HELLO sent", "session_id"), "none");
    assert_eq!(
        field(&report[0], "HELLO received", "session_ticket"),
        "empty"
    );
    assert_eq!(field(&report[0], "HELLO sent", "session_ticket"), "empty");
    assert_eq!(
        field(&report[1], "HELLO received", "session_ticket"),
        ticket.len().to_string()
    );
}

/// The tlslite client connecting twice (`--connections 2`) to a sanstls server of
/// `config`: what the server saw of each connection, and the client's report of each.
fn tlslite_client_twice(config: ServerConfig) -> (Vec<Served>, Vec<String>) {
    let (served, mut client) = serve_many(
        config,
        51,
        2,
        |port| {
            tlslite_client(
                port,
                [
                    "--read-until-close",
                    "--connections",
                    "2",
                    "--server-name",
                    "localhost",
                ],
                b"hello from tlslite\n",
            )
        },
        b"\n",
        b"hello from sanstls\n",
    );
    for out in completed(&served, &client) {
        assert_eq!(out.data, b"hello from tlslite\n");
    }
    let report = tlslite_succeeded(&mut client, 2);
    assert_eq!(client.stdout(), "hello from sanstls\n".repeat(2));
    assert_eq!(resumed(&served), [false, true]);
    assert_eq!(field(&report[0], "NEGOTIATED", "resumed"), "no");
    assert_eq!(field(&report[1], "NEGOTIATED", "resumed"), "yes");
    (served, report)
}

/// The tlslite client against the sanstls server's session cache (no ticketer): the
/// second connection offers the first one's session ID and resumes.
#[test]
fn tlslite_client_resumes_with_sanstls_server_by_session_id() {
    let (served, report) = tlslite_client_twice(server().build().unwrap());
    assert_eq!(sent_tickets(&served), [false, false]);
    let id = field(&report[0], "HELLO received", "session_id");
    assert_eq!(id.len(), 64, "{}", report[0]);
    assert_eq!(field(&report[1], "HELLO sent", "session_id"), id);
    assert_eq!(field(&report[1], "HELLO received", "session_id"), id);
    assert_eq!(field(&report[1], "HELLO sent", "session_ticket"), "empty");
}

/// The tlslite client against a sanstls server with a ticketer and no session cache:
/// it can resume by ticket only, and does; sanstls renews the ticket.
#[test]
fn tlslite_client_resumes_with_sanstls_server_by_ticket() {
    let config = server()
        .session_cache(0)
        .ticketer(Some(ticketer(4)))
        .build()
        .unwrap();
    let (served, report) = tlslite_client_twice(config);
    assert_eq!(sent_tickets(&served), [true, true]);
    assert_eq!(
        field(&report[0], "HELLO received", "session_ticket"),
        "empty"
    );
    let sent = field(&report[1], "HELLO sent", "session_ticket");
    assert!(sent.parse::<usize>().is_ok_and(|n| n > 0), "{}", report[1]);
}

// ---- Python's ssl module --------------------------------------------------------------

/// Connects twice, the second time with the first connection's session; prints one
/// line per connection and fails unless the second resumed.
const PY_RESUMING_CLIENT: &str = r#"
import socket, ssl, sys
port, ca, tickets = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if tickets == "no-ticket":
    ctx.options |= ssl.OP_NO_TICKET
session = None
for i in (1, 2):
    sock = socket.create_connection(("127.0.0.1", port))
    with ctx.wrap_socket(sock, server_hostname="localhost", session=session) as s:
        s.sendall(b"hello %d from python\n" % i)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        session = s.session
        print(i, "reused=%s" % s.session_reused, "ticket=%s" % session.has_ticket,
              "id=%d" % len(session.id), s.cipher()[0], data.decode().strip(), flush=True)
        reused = s.session_reused
        s.unwrap()  # answer the server's close_notify with ours
    if reused != (i == 2):
        sys.exit("connection %d: session_reused is %s" % (i, reused))
"#;

/// Python's client connecting twice to a sanstls server of `config` (`tickets`:
/// `"tickets"`, or `"no-ticket"` for `ssl.OP_NO_TICKET`): what the server saw of each
/// connection, and the client's two lines.
fn python_twice(config: ServerConfig, tickets: &str) -> (Vec<Served>, Vec<String>) {
    let (served, python) = serve_many(
        config,
        61,
        2,
        |port| {
            Peer::spawn(tool("python3").args([
                "-c",
                PY_RESUMING_CLIENT,
                &port.to_string(),
                &td("ca-root.cert.pem"),
                tickets,
            ]))
        },
        b"\n",
        b"hello from sanstls\n",
    );
    let outs = completed(&served, &python);
    assert_eq!(outs[0].data, b"hello 1 from python\n");
    assert_eq!(outs[1].data, b"hello 2 from python\n");
    assert_eq!(resumed(&served), [false, true], "{}", python.output());
    let stdout = python.stdout();
    let lines: Vec<String> = stdout.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{}", python.output());
    for (i, line) in lines.iter().enumerate() {
        // Python's spelling of the flag: the second connection resumed.
        let want = if i == 1 { "True" } else { "False" };
        assert!(
            line.starts_with(&format!("{} reused={want} ", i + 1)),
            "{line}"
        );
        assert!(line.ends_with(" hello from sanstls"), "{line}");
    }
    (served, lines)
}

/// Python with tickets against a sanstls server with a ticketer and no session cache:
/// the second connection resumes by ticket (`session_reused`).
#[test]
fn python_ssl_client_resumes_with_sanstls_server_by_ticket() {
    let config = server()
        .session_cache(0)
        .ticketer(Some(ticketer(5)))
        .build()
        .unwrap();
    let (served, lines) = python_twice(config, "tickets");
    assert_eq!(sent_tickets(&served), [true, true]);
    for line in &lines {
        assert!(line.contains(" ticket=True "), "{line}");
    }
}

/// Python with `OP_NO_TICKET` against a sanstls server with a ticketer and a session
/// cache: no ticket is offered or given, and the second connection resumes by
/// session ID.
#[test]
fn python_ssl_client_resumes_with_sanstls_server_by_session_id() {
    let config = server().ticketer(Some(ticketer(6))).build().unwrap();
    let (served, lines) = python_twice(config, "no-ticket");
    assert_eq!(sent_tickets(&served), [false, false]);
    for line in &lines {
        assert!(line.contains(" ticket=False id=32 "), "{line}");
    }
}
