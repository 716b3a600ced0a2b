//! The command under load: bulk data through `sanstls client` and `sanstls server`,
//! and the server's connection limit.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::{
    HANG_GUARD, Peer, bin, cert_server as server, server_cert_args, td,
    trusted_client as client_cmd,
};
use sanstls_std::{TlsStream, load};
use sanstls_test::peers;

/// Printable pseudo-random bytes (so the lossy-UTF-8 capture is exact), one line per
/// 64 bytes.
fn bulk(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|i| {
            if i % 64 == 63 {
                return b'\n';
            }
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            b'!' + u8::try_from(x % 94).unwrap()
        })
        .collect()
}

/// Kills and reaps the child when dropped, also when the test fails.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The most bytes the kernel's socket buffers may hold in one direction of a loopback
/// TCP connection: the sender's send buffer and the receiver's receive buffer at their
/// autotuning maximums (Linux: the third field of `tcp_wmem` and `tcp_rmem`); 8 MiB
/// where these are not readable.
fn socket_buffers_max() -> usize {
    let third = |path: &str| {
        std::fs::read_to_string(path)
            .ok()?
            .split_whitespace()
            .nth(2)?
            .parse::<usize>()
            .ok()
    };
    match (
        third("/proc/sys/net/ipv4/tcp_wmem"),
        third("/proc/sys/net/ipv4/tcp_rmem"),
    ) {
        (Some(w), Some(r)) => w + r,
        _ => 8 << 20,
    }
}

/// Bulk data from stdin to the echo server and back: at least 8 MiB, and more than the
/// socket buffers of both directions can hold (with a margin), so a client that blocks
/// in a write while the echo waits to be read (the server then blocks writing the echo
/// to it) hangs until the hang guard fails the test. Compared byte for byte.
///
/// stdin stays open until the whole echo is back: in TLS 1.2 the server answers the
/// close_notify that the end of stdin sends at once and drops what it had not sent
/// yet (RFC 5246 §7.2.1), so closing earlier would cut the echo's tail.
#[test]
fn client_pipes_bulk_data_through_the_echo_server() {
    let srv = server(&[]);
    // Capped at 256 MiB: where the buffers are larger still, the test checks the
    // echo but can no longer show a deadlock.
    let len = (2 * socket_buffers_max() + (8 << 20)).min(256 << 20);
    let data = Arc::new(bulk(len));
    let mut child = KillOnDrop(
        client_cmd(srv.port)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start sanstls"),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    let mut stdout = child.0.stdout.take().unwrap();
    let mut stderr = child.0.stderr.take().unwrap();
    let (close_tx, close_rx) = mpsc::channel::<()>();
    let input = Arc::clone(&data);
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
        // Keep stdin open until the echo is complete (or the test gave up).
        let _ = close_rx.recv();
    });
    let (done_tx, done_rx) = mpsc::channel();
    let want = data.len();
    std::thread::spawn(move || {
        let mut got = Vec::with_capacity(want);
        let mut buf = vec![0u8; 64 * 1024];
        let mut close = Some(close_tx);
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if got.len() >= want {
                // Ends stdin: the client sends close_notify.
                close.take();
            }
        }
        let _ = done_tx.send(got);
    });
    let err_log = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let Ok(got) = done_rx.recv_timeout(HANG_GUARD) else {
        drop(child);
        panic!(
            "sanstls client did not echo {len} bytes back within {HANG_GUARD:?} (a deadlock?)\n\
             client stderr:\n{}\nserver log:\n{}",
            err_log.join().unwrap_or_default(),
            srv.log()
        );
    };
    let status = child.0.wait().unwrap();
    let log = err_log.join().unwrap_or_default();
    assert!(
        status.success(),
        "{status:?}\nclient stderr:\n{log}\nserver log:\n{}",
        srv.log()
    );
    assert_eq!(
        got.len(),
        data.len(),
        "client stderr:\n{log}\nserver log:\n{}",
        srv.log()
    );
    assert!(got == *data, "the echo differs from the input");
}

/// A server that sends data and then ends the TCP connection without close_notify:
/// the client prints the data, exits 0 (like `openssl s_client`) and warns on stderr
/// that the data may be incomplete and why (RFC 5246 §7.2.1: an attacker can end the
/// TCP connection, only close_notify proves the end).
#[test]
fn client_warns_when_the_server_ends_without_close_notify() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // stdin stays open: the client does not close first.
    let (mut peer, stdin) = Peer::spawn_with_stdin(&mut client_cmd(port));
    let sock = peers::accept(&listener, &mut peer);
    let key = load::certified_key(
        Path::new(&td("server-rsa2048.chain.pem")),
        Path::new(&td("server-rsa2048.rsa.pem")),
    )
    .unwrap();
    let config = sanstls_std::server_config_builder()
        .single_cert(key)
        .build()
        .unwrap();
    let mut tls = TlsStream::server(sock, Arc::new(config)).unwrap();
    tls.write_all(b"the first half of the answer\n").unwrap();
    tls.flush().unwrap();
    // The TCP connection ends here, with no close_notify.
    drop(tls);
    let status = peer.wait();
    drop(stdin);
    let err = peer.stderr();
    assert!(status.success(), "{status:?}\n{err}");
    assert_eq!(peer.stdout(), "the first half of the answer\n");
    for words in [
        "without a TLS close_notify",
        "may be incomplete",
        "attacker",
        "Do not rely on having received everything",
    ] {
        assert!(err.contains(words), "{words:?} missing from:\n{err}");
    }
}

/// A `sanstls client` to the server that stays connected (stdin open).
fn open_client(port: u16) -> (Peer, std::process::ChildStdin) {
    Peer::spawn_with_stdin(&mut client_cmd(port))
}

/// With `--max-connections 2`, a third client waits (the server holds it unread) while
/// two are open and making progress, and is served once one of them closes. (Two that
/// have been stalled for 5 s would make room for it: tests/timeouts.rs.)
#[test]
fn server_holds_connections_beyond_max_connections() {
    let srv = server(&["--max-connections", "2"]);
    let mut first = open_client(srv.port);
    let mut second = open_client(srv.port);
    for (i, (peer, stdin)) in [&mut first, &mut second].into_iter().enumerate() {
        writeln!(stdin, "client {i} is served").unwrap();
        peer.line_containing(&format!("client {i} is served"));
    }
    // Two open: the accept loop stops and says so.
    srv.wait_for_log("2 connections open (--max-connections 2)");

    let (mut third, mut third_in) = open_client(srv.port);
    writeln!(third_in, "the third client").unwrap();
    // Not served while the two others are open (their echo was less than 5 s ago, so
    // neither is stalled enough to make room): no handshake, so no echo and no
    // session line in the server's log. (A wrong server would usually echo within
    // this second; a right one never does, so this cannot fail spuriously.)
    std::thread::sleep(Duration::from_secs(1));
    assert!(third.stdout().is_empty(), "{}", third.output());
    assert!(!srv.log().contains("[#3 "), "{}", srv.log());

    // One closes: the third is served.
    drop(first.1);
    assert!(first.0.wait().success(), "{}", first.0.output());
    third.line_containing("the third client");
    srv.wait_for_log("[#3 ");
    drop(third_in);
    assert!(third.wait().success(), "{}", third.output());
    drop(second.1);
    assert!(second.0.wait().success(), "{}", second.0.output());
}

/// `--max-connections 0` would never serve anyone: a usage error.
#[test]
fn server_refuses_max_connections_zero() {
    let mut c = bin();
    c.args(["server", "--addr", "127.0.0.1:0", "--max-connections", "0"])
        .args(server_cert_args());
    let mut peer = Peer::spawn(&mut c);
    let status = peer.wait();
    assert_eq!(status.code(), Some(2), "{}", peer.output());
    assert!(
        peer.stderr().contains("--max-connections"),
        "{}",
        peer.stderr()
    );
}

/// A client whose close_notify follows its last data at once: the server cannot echo
/// that data any more (it answered the close_notify, RFC 5246 §7.2.1), but it must
/// still deliver its own close_notify, so the client sees a clean end (`Ok(0)`), not a
/// truncated connection, and the server logs no failure for it.
#[test]
fn server_answers_close_notify_right_behind_data_cleanly() {
    let srv = server(&[]);
    let anchors = load::trust_anchors(Path::new(&td("ca-root.cert.pem"))).unwrap();
    let config = Arc::new(
        sanstls_std::client_config_builder()
            .trust_anchors(anchors)
            .build()
            .unwrap(),
    );
    for round in 0..3 {
        let mut tls =
            sanstls_std::connect(("127.0.0.1", srv.port), "localhost", Arc::clone(&config))
                .unwrap();
        // Data and close_notify queued together and written with one write call, so
        // that they arrive together.
        let data = format!("last words {round}\n");
        let conn = tls.connection_mut();
        assert_eq!(conn.send(data.as_bytes()).unwrap(), data.len());
        conn.close();
        tls.flush().unwrap();
        tls.get_ref().set_read_timeout(Some(HANG_GUARD)).unwrap();
        let mut echoed = Vec::new();
        match tls.read_to_end(&mut echoed) {
            Ok(_) => {}
            Err(e) => panic!(
                "round {round}: the server did not close cleanly: {e}\nserver log:\n{}",
                srv.log()
            ),
        }
    }
    // A later connection's session line comes after the three are over; none of them
    // was logged as a failure.
    let o = common::run(client_cmd(srv.port), b"");
    assert_eq!(o.code(), 0, "{o:#?}");
    srv.wait_for_log("[#4 ");
    assert!(!srv.log().contains("failed"), "{}", srv.log());
}
