//! Time is bounded everywhere (issue 11): `sanstls server` frees the slot of a client
//! that sends nothing, stops after its ClientHello, drips bytes, idles after the
//! handshake or stops reading, and logs which bound it hit; with more attackers than
//! slots a normal client is still served. `sanstls client` gives up on a server that
//! sends nothing or stalls after its ServerHello, and does not wait forever for a
//! close_notify. Every deadline here is short (1-2 s).

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{HANG_GUARD, Peer, Server, cert_server, td, trusted_client};
use sanstls_std::{ClientConfig, Connection, ServerName, TlsStream, load};
use sanstls_test::peers;

/// Slack for a loaded machine (2 cores shared with other builds) beyond a bound.
const SLACK: Duration = Duration::from_secs(3);

fn client_config() -> Arc<ClientConfig> {
    let anchors = load::trust_anchors(Path::new(&td("ca-root.cert.pem"))).unwrap();
    Arc::new(
        sanstls_std::client_config_builder()
            .trust_anchors(anchors)
            .build()
            .unwrap(),
    )
}

/// A ClientHello (one record), as a client sends it first.
fn client_hello() -> Vec<u8> {
    let conn = Connection::client(
        client_config(),
        ServerName::new("localhost").unwrap(),
        sanstls_std::now(),
        &mut sanstls_std::os_rng(),
    )
    .unwrap();
    conn.poll_transmit().to_vec()
}

/// A raw TCP connection to the server.
fn raw(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    s
}

/// Reads (and drops) what the server sends until it closes the connection; how long
/// that took from `since`.
fn until_closed(sock: &mut TcpStream, since: Instant) -> Duration {
    let mut buf = [0u8; 4096];
    loop {
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => return since.elapsed(),
            Ok(_) => {}
        }
        assert!(since.elapsed() < HANG_GUARD, "the server never closed");
    }
}

/// A completed TLS connection to the server (blocking, with a hang guard).
fn tls(port: u16) -> TlsStream<TcpStream> {
    let t = sanstls_std::connect(("127.0.0.1", port), "localhost", client_config()).unwrap();
    t.get_ref().set_read_timeout(Some(HANG_GUARD)).unwrap();
    t
}

/// Asserts `took` is within `bound` (not much earlier, at most `SLACK` later).
/// A thread writing `bytes` to `sock` one at a time, `every` apart, until the peer
/// closes.
fn drip(sock: &TcpStream, bytes: Vec<u8>, every: Duration) -> JoinHandle<()> {
    let mut w = sock.try_clone().unwrap();
    std::thread::spawn(move || {
        for b in bytes {
            if w.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(every);
        }
    })
}

fn assert_within(took: Duration, bound: Duration, what: &str, srv: &Server) {
    assert!(
        took + Duration::from_millis(150) >= bound && took <= bound + SLACK,
        "{what}: closed after {took:?}, the bound is {bound:?}\nserver log:\n{}",
        srv.log()
    );
}

/// The server's log has no operating-system error text.
fn assert_no_errno(srv: &Server) {
    let log = srv.log();
    assert!(!log.contains("os error"), "{log}");
    assert!(!log.contains("temporarily unavailable"), "{log}");
}

#[test]
fn server_frees_a_connection_that_sends_nothing() {
    let srv = cert_server(&["--handshake-timeout", "1"]);
    let start = Instant::now();
    let mut s = raw(srv.port);
    let took = until_closed(&mut s, start);
    assert_within(took, Duration::from_secs(1), "silent client", &srv);
    srv.wait_for_log("handshake timed out after 1 s (the client sent nothing)");
    assert_no_errno(&srv);
}

#[test]
fn server_frees_a_connection_that_stops_after_its_client_hello() {
    let srv = cert_server(&["--handshake-timeout", "1"]);
    let hello = client_hello();
    let start = Instant::now();
    let mut s = raw(srv.port);
    s.write_all(&hello).unwrap();
    // The server's flight arrives, then nothing: the handshake cannot complete.
    let took = until_closed(&mut s, start);
    assert_within(
        took,
        Duration::from_secs(1),
        "ClientHello then nothing",
        &srv,
    );
    srv.wait_for_log(&format!(
        "handshake timed out after 1 s (the client sent {} bytes in that time)",
        hello.len()
    ));
    assert_no_errno(&srv);
}

/// One byte of the ClientHello every 200 ms: bytes keep coming, the handshake
/// deadline still holds.
#[test]
fn server_frees_a_client_that_drips_its_handshake() {
    let srv = cert_server(&["--handshake-timeout", "2"]);
    let hello = client_hello();
    let start = Instant::now();
    let mut s = raw(srv.port);
    let drip = drip(&s, hello, Duration::from_millis(200));
    let took = until_closed(&mut s, start);
    assert_within(took, Duration::from_secs(2), "dripping client", &srv);
    srv.wait_for_log("handshake timed out after 2 s (the client sent ");
    assert_no_errno(&srv);
    drop(s);
    let _ = drip.join();
}

/// After the handshake, nothing: closed after the idle timeout, with close_notify.
#[test]
fn server_closes_an_idle_connection_with_close_notify() {
    let srv = cert_server(&["--idle-timeout", "1"]);
    let mut t = tls(srv.port);
    let start = Instant::now();
    let mut buf = [0u8; 64];
    // Ok(0): the server's close_notify, not a dropped connection.
    assert_eq!(t.read(&mut buf).unwrap(), 0, "{}", srv.log());
    assert_within(start.elapsed(), Duration::from_secs(1), "idle client", &srv);
    srv.wait_for_log("idle for 1 s: closing");
    assert_no_errno(&srv);
}

/// After the handshake, a record dripped one byte every 150 ms: the idle bound counts
/// whole records, so the bytes do not extend it.
#[test]
fn server_counts_idle_time_in_records_not_bytes() {
    let srv = cert_server(&["--idle-timeout", "2"]);
    let mut t = tls(srv.port);
    let start = Instant::now();
    // One application-data record (about 70 bytes), queued but not written.
    let conn = t.connection_mut();
    assert_eq!(conn.send(b"slow\n").unwrap(), 5);
    let record = conn.poll_transmit().to_vec();
    assert!(record.len() > 30, "{}", record.len());
    let drip = drip(t.get_ref(), record, Duration::from_millis(150));
    let took = until_closed(t.get_mut(), start);
    assert_within(
        took,
        Duration::from_secs(2),
        "record dripped after the handshake",
        &srv,
    );
    srv.wait_for_log("idle for 2 s: closing");
    assert_no_errno(&srv);
    drop(t);
    let _ = drip.join();
}

/// An HTTP request head dripped in one-byte records: each record is application data,
/// but the head must be complete within the idle timeout of its first byte.
#[test]
fn server_bounds_a_request_head_dripped_in_records() {
    let srv = cert_server(&["--idle-timeout", "2"]);
    let mut t = tls(srv.port);
    let start = Instant::now();
    let mut closed = None;
    for &b in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1234567890\r\n\r\n" {
        if t.write_all(&[b]).and_then(|()| t.flush()).is_err() {
            closed = Some(start.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(150));
        if start.elapsed() > Duration::from_secs(2) + SLACK {
            break;
        }
    }
    let took = closed.unwrap_or_else(|| until_closed(t.get_mut(), start));
    assert!(
        took <= Duration::from_secs(2) + SLACK,
        "{took:?}\n{}",
        srv.log()
    );
    srv.wait_for_log("request incomplete 2 s after its first byte: closing");
    assert_no_errno(&srv);
}

/// The client sends a lot to the echo server and never reads: the server's writes stop
/// making progress and it gives up after the write timeout.
#[test]
fn server_frees_a_client_that_does_not_read() {
    let srv = cert_server(&["--write-timeout", "1"]);
    let mut t = tls(srv.port);
    t.get_ref()
        .set_write_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let chunk = vec![b'x'; 16 * 1024];
    let start = Instant::now();
    // Writes until the server stops taking data (its own writes are blocked) and then
    // closes the connection.
    while t.write_all(&chunk).and_then(|()| t.flush()).is_ok() {
        assert!(start.elapsed() < HANG_GUARD, "{}", srv.log());
    }
    srv.wait_for_log("peer not reading: no write progress for 1 s");
    assert_no_errno(&srv);
    println!("non-reading client freed after {:?}", start.elapsed());
}

/// What an attacker does to hold a slot.
#[derive(Clone, Copy, Debug)]
enum Attack {
    /// Connects and sends nothing.
    Silent,
    /// Sends a ClientHello, then nothing.
    HelloOnly,
    /// Completes the handshake, then sends nothing.
    Idle,
    /// Completes the handshake, then sends without reading.
    NoRead,
}

/// Runs `attack` against the server until the server closes the connection.
fn attacker(port: u16, attack: Attack) -> JoinHandle<()> {
    std::thread::spawn(move || match attack {
        Attack::Silent => {
            let mut s = raw(port);
            until_closed(&mut s, Instant::now());
        }
        Attack::HelloOnly => {
            let mut s = raw(port);
            let _ = s.write_all(&client_hello());
            until_closed(&mut s, Instant::now());
        }
        Attack::Idle => {
            let Ok(mut t) = sanstls_std::connect(("127.0.0.1", port), "localhost", client_config())
            else {
                return;
            };
            let _ = t.get_ref().set_read_timeout(Some(HANG_GUARD));
            until_closed(t.get_mut(), Instant::now());
        }
        Attack::NoRead => {
            let Ok(mut t) = sanstls_std::connect(("127.0.0.1", port), "localhost", client_config())
            else {
                return;
            };
            let _ = t.get_ref().set_write_timeout(Some(HANG_GUARD));
            let chunk = vec![b'x'; 16 * 1024];
            let start = Instant::now();
            while t.write_all(&chunk).and_then(|()| t.flush()).is_ok()
                && start.elapsed() < HANG_GUARD
            {}
        }
    })
}

/// Starts `attacks` (each on its own connection, in this order), waits until the
/// server has taken all its slots and queued the rest, then a normal `sanstls client`:
/// how long until its line came back.
fn normal_client_after(srv: &Server, attacks: &[Attack]) -> (Duration, Vec<JoinHandle<()>>) {
    let mut handles = Vec::new();
    for &a in attacks {
        handles.push(attacker(srv.port, a));
        // In order: the kernel's accept queue is first come, first served.
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let (mut peer, mut stdin) = Peer::spawn_with_stdin(&mut trusted_client(srv.port));
    writeln!(stdin, "a normal client").unwrap();
    peer.line_containing("a normal client");
    let took = start.elapsed();
    drop(stdin);
    let status = peer.wait();
    assert!(status.success(), "{}", peer.output());
    (took, handles)
}

/// Short bounds, four slots, eight attackers of every kind queued before a normal
/// client: the attackers' slots are freed by the bounds and the normal client is
/// served after at most two rounds of them.
#[test]
fn server_serves_a_normal_client_behind_more_attackers_than_slots() {
    let srv = cert_server(&[
        "--max-connections",
        "4",
        "--handshake-timeout",
        "2",
        "--idle-timeout",
        "2",
        "--write-timeout",
        "2",
    ]);
    let attacks = [
        Attack::Silent,
        Attack::HelloOnly,
        Attack::Idle,
        Attack::NoRead,
        Attack::NoRead,
        Attack::Idle,
        Attack::HelloOnly,
        Attack::Silent,
    ];
    let (took, handles) = normal_client_after(&srv, &attacks);
    println!("normal client served after {took:?} behind 8 attackers on 4 slots");
    // Two rounds of 2 s bounds (plus filling the non-readers' socket buffers).
    assert!(
        took < Duration::from_secs(15),
        "{took:?}\nserver log:\n{}",
        srv.log()
    );
    for words in [
        "handshake timed out after 2 s",
        "idle for 2 s: closing",
        "peer not reading: no write progress for 2 s",
    ] {
        srv.wait_for_log(words);
    }
    assert_no_errno(&srv);
    for h in handles {
        let _ = h.join();
    }
}

/// Default bounds (10 s handshake, 60 s idle, 30 s write), four slots, six attackers:
/// the full server closes the connections stalled longest to make room, so the normal
/// client is served within seconds, long before any bound would free a slot.
#[test]
fn a_full_server_closes_stalled_connections_to_make_room() {
    let srv = cert_server(&["--max-connections", "4"]);
    let attacks = [
        Attack::Idle,
        Attack::Silent,
        Attack::NoRead,
        Attack::Idle,
        Attack::HelloOnly,
        Attack::Idle,
    ];
    let (took, handles) = normal_client_after(&srv, &attacks);
    println!("normal client served after {took:?} behind 6 attackers on 4 full slots");
    // The pressure grace is 5 s; the handshake timeout (10 s) must not be what freed
    // the slots.
    assert!(
        took < Duration::from_secs(9),
        "{took:?}\nserver log:\n{}",
        srv.log()
    );
    srv.wait_for_log("closed to make room for a new connection");
    assert!(!srv.log().contains("timed out"), "{}", srv.log());
    drop(srv);
    for h in handles {
        let _ = h.join();
    }
}

// ---- sanstls client ------------------------------------------------------------------

/// Runs `sanstls client [--timeout SECS]` against `listener`, with `serve` on the
/// connection it accepted, and `input` (then the end) on stdin (`None`: stdin stays
/// open); returns the output and how long the client ran.
fn client_against(
    listener: &TcpListener,
    timeout: Option<&str>,
    input: Option<&[u8]>,
    serve: impl FnOnce(TcpStream) + Send + 'static,
) -> (common::Output, Duration) {
    let port = listener.local_addr().unwrap().port();
    let mut cmd = trusted_client(port);
    if let Some(t) = timeout {
        cmd.args(["--timeout", t]);
    }
    let start = Instant::now();
    let (mut peer, stdin) = Peer::spawn_with_stdin(&mut cmd);
    let sock = peers::accept(listener, &mut peer);
    let mut stdin = Some(stdin);
    if let (Some(data), Some(s)) = (input, stdin.as_mut()) {
        s.write_all(data).unwrap();
        // The end of stdin: the client closes when it is done.
        stdin = None;
    }
    let server = std::thread::spawn(move || serve(sock));
    let status = peer.wait();
    let took = start.elapsed();
    drop(stdin);
    let _ = server.join();
    (
        common::Output {
            status,
            stdout: peer.stdout(),
            stderr: peer.stderr(),
        },
        took,
    )
}

/// A TCP listener that accepts and sends nothing: the handshake times out.
#[test]
fn client_gives_up_on_a_server_that_sends_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (o, took) = client_against(&listener, Some("1"), None, |mut s| {
        let mut buf = [0u8; 1024];
        s.set_read_timeout(Some(HANG_GUARD)).unwrap();
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    common::assert_exit(
        &o,
        1,
        &["handshake timed out after 1 s", "sent no handshake message"],
    );
    assert!(took < Duration::from_secs(1) + SLACK, "{took:?}");
}

/// The server's first message, ServerHello, then nothing: the handshake times out and
/// the message says where the server stopped.
#[test]
fn client_gives_up_on_a_server_that_stalls_after_server_hello() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (o, took) = client_against(&listener, Some("1"), None, |mut s| {
        s.set_read_timeout(Some(HANG_GUARD)).unwrap();
        let key = load::certified_key(
            Path::new(&td("server-rsa2048.chain.pem")),
            Path::new(&td("server-rsa2048.rsa.pem")),
        )
        .unwrap();
        let config = Arc::new(
            sanstls_std::server_config_builder()
                .single_cert(key)
                .build()
                .unwrap(),
        );
        let mut conn =
            Connection::server(config, sanstls_std::now(), &mut sanstls_std::os_rng()).unwrap();
        // Feed the ClientHello until the server's flight is ready.
        let mut buf = [0u8; 4096];
        while conn.poll_transmit().is_empty() {
            let n = s.read(&mut buf).unwrap();
            assert!(
                n > 0,
                "the client closed before its ClientHello was complete"
            );
            let used = conn
                .handle_recv_bytes(&buf[..n], sanstls_std::now())
                .unwrap();
            assert_eq!(used, n);
        }
        // Only the ServerHello: the first handshake message of the first record.
        let flight = conn.poll_transmit();
        assert_eq!(flight[0], 22, "a handshake record");
        assert_eq!(flight[5], 2, "a ServerHello");
        let len = 4 + usize::from(flight[7]) * 256 + usize::from(flight[8]);
        let mut record = vec![22, flight[1], flight[2]];
        record.extend_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
        record.extend_from_slice(&flight[5..5 + len]);
        s.write_all(&record).unwrap();
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
    });
    common::assert_exit(
        &o,
        1,
        &[
            "handshake timed out after 1 s",
            "stopped answering after its ServerHello",
        ],
    );
    assert!(took < Duration::from_secs(1) + SLACK, "{took:?}");
}

/// A server that echoes, then never answers the client's close_notify (nor closes the
/// TCP connection): the client waits 2 s for it, says so, and exits 0.
#[test]
fn client_does_not_wait_forever_for_the_servers_close_notify() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (o, took) = client_against(&listener, None, Some(b"hello\n"), |s| {
        s.set_read_timeout(Some(HANG_GUARD)).unwrap();
        let key = load::certified_key(
            Path::new(&td("server-rsa2048.chain.pem")),
            Path::new(&td("server-rsa2048.rsa.pem")),
        )
        .unwrap();
        let config = Arc::new(
            sanstls_std::server_config_builder()
                .single_cert(key)
                .build()
                .unwrap(),
        );
        let mut t = TlsStream::server(s, config).unwrap();
        let mut line = [0u8; 6];
        t.read_exact(&mut line).unwrap();
        t.write_all(&line).unwrap();
        t.flush().unwrap();
        // From here on raw TCP: the close_notify is read and never answered.
        let mut buf = [0u8; 1024];
        while matches!(t.get_mut().read(&mut buf), Ok(n) if n > 0) {}
    });
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_eq!(o.stdout, "hello\n");
    assert!(
        o.stderr
            .contains("the server did not answer our close_notify within 2 s"),
        "{}",
        o.stderr
    );
    // The quiet wait before close_notify (0.3 s) and the 2 s for the answer.
    assert!(took < Duration::from_secs(2) + SLACK, "{took:?}");
}

/// A listener whose accept queue is full (Python, with a backlog of 0, and two
/// connections already waiting): the kernel drops further SYNs, so connecting times
/// out.
#[test]
fn client_connect_times_out() {
    let (mut py, py_in) = Peer::spawn_with_stdin(peers::tool("python3").args([
        "-c",
        "import socket,sys\n\
         l=socket.socket(); l.bind(('127.0.0.1',0)); l.listen(0)\n\
         print(l.getsockname()[1], flush=True)\n\
         sys.stdin.read()\n",
    ]));
    let port: u16 = py.line_containing("").trim().parse().unwrap();
    // Fill the queue (its length is the backlog + 1); the first connect that does not
    // complete at once shows it is full.
    let mut held = Vec::new();
    loop {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(s) => held.push(s),
            Err(e) if e.kind() == ErrorKind::TimedOut => break,
            Err(e) => panic!("{e}"),
        }
        assert!(held.len() < 64, "the accept queue never filled");
    }
    let mut c = trusted_client(port);
    c.args(["--timeout", "1"]);
    let start = Instant::now();
    let o = common::run(c, b"");
    let took = start.elapsed();
    common::assert_exit(
        &o,
        1,
        &[&format!("connect to 127.0.0.1:{port} timed out after 1 s")],
    );
    assert!(took < Duration::from_secs(1) + SLACK, "{took:?}");
    drop(py_in);
    py.kill();
}
