//! Non-blocking correctness: both ends of a connection are non-blocking `TlsStream`s
//! driven by ONE thread over 127.0.0.1. `WouldBlock` from the transport must come out of
//! every method unchanged, and calling again must resume exactly where it stopped —
//! with partial records written and read one byte at a time, and data arriving while
//! the caller writes.

use std::cell::Cell;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use sanstls_std::{ClientConfig, Event, ServerConfig, ServerName, TlsStream, load};
use sanstls_test::fixtures;

fn server_config() -> Arc<ServerConfig> {
    let key = load::certified_key(
        &fixtures::path("server-rsa2048.chain.pem"),
        &fixtures::path("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    Arc::new(ServerConfig::builder().single_cert(key).build().unwrap())
}

fn client_config() -> Arc<ClientConfig> {
    let anchors = load::trust_anchors(&fixtures::path("ca-root.cert.pem")).unwrap();
    Arc::new(
        ClientConfig::builder()
            .trust_anchors(anchors)
            .build()
            .unwrap(),
    )
}

/// Two connected non-blocking sockets.
fn socket_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    for sock in [&c, &s] {
        sock.set_nonblocking(true).unwrap();
        sock.set_nodelay(true).unwrap();
    }
    (c, s)
}

/// A hostile transport: every other call returns `WouldBlock`, every successful call
/// moves at most one byte, and writes can be blocked entirely from outside.
struct Flaky {
    inner: TcpStream,
    flip: bool,
    writes_blocked: Rc<Cell<bool>>,
    /// Bytes the transport accepted from the TLS stream.
    written: usize,
}

impl Flaky {
    fn new(inner: TcpStream) -> Self {
        Flaky {
            inner,
            flip: false,
            writes_blocked: Rc::new(Cell::new(false)),
            written: 0,
        }
    }

    fn turn(&mut self) -> bool {
        self.flip = !self.flip;
        self.flip
    }
}

impl Read for Flaky {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.turn() || buf.is_empty() {
            return Err(ErrorKind::WouldBlock.into());
        }
        self.inner.read(&mut buf[..1])
    }
}

impl Write for Flaky {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.turn() || self.writes_blocked.get() || buf.is_empty() {
            return Err(ErrorKind::WouldBlock.into());
        }
        let n = self.inner.write(&buf[..1])?;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.turn() {
            return Err(ErrorKind::WouldBlock.into());
        }
        Ok(())
    }
}

/// One end of the exchange: sends `out`, expects `expect`, then closes.
struct End<S> {
    name: &'static str,
    tls: TlsStream<S>,
    out: Vec<u8>,
    sent: usize,
    flushed: bool,
    received: Vec<u8>,
    expect: Vec<u8>,
    close_sent: bool,
    eof: bool,
    would_blocks: usize,
}

impl<S: Read + Write> End<S> {
    fn new(name: &'static str, tls: TlsStream<S>, out: Vec<u8>, expect: Vec<u8>) -> Self {
        End {
            name,
            tls,
            out,
            sent: 0,
            flushed: false,
            received: Vec::new(),
            expect,
            close_sent: false,
            eof: false,
            would_blocks: 0,
        }
    }

    /// Where this end stands, for a failure message.
    fn progress(&self) -> String {
        format!(
            "{}: sent {}/{} received {}/{} close {} eof {}",
            self.name,
            self.sent,
            self.out.len(),
            self.received.len(),
            self.expect.len(),
            self.close_sent,
            self.eof
        )
    }

    fn done(&self) -> bool {
        self.close_sent && self.eof
    }

    /// `Ok` with WouldBlock counted; any other error fails the test.
    fn check<T>(&mut self, what: &str, r: io::Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.would_blocks += 1;
                None
            }
            Err(e) => panic!("{}: {what} failed: {e}", self.name),
        }
    }

    /// One round of everything this end may do now.
    fn step(&mut self, read_buf: &mut [u8]) {
        if self.sent < self.out.len() {
            let r = self.tls.write(&self.out[self.sent..]);
            if let Some(n) = self.check("write", r) {
                assert!(n > 0, "{}: write returned Ok(0)", self.name);
                self.sent += n;
            }
        } else if !self.flushed {
            let r = self.tls.flush();
            self.flushed = self.check("flush", r).is_some();
        }
        if !self.eof {
            let r = self.tls.read(read_buf);
            if let Some(n) = self.check("read", r) {
                if n == 0 {
                    self.eof = true;
                } else {
                    self.received.extend_from_slice(&read_buf[..n]);
                    assert!(
                        self.received.len() <= self.expect.len(),
                        "{}: more data than the peer sent",
                        self.name
                    );
                }
            }
        }
        if self.flushed && self.received.len() == self.expect.len() && !self.close_sent {
            let r = self.tls.close();
            self.close_sent = self.check("close", r).is_some();
        }
    }
}

fn pattern(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(seed) >> 3) as u8)
        .collect()
}

/// Runs both ends in this thread until both are done, with a bound on the rounds.
fn run<A: Read + Write, B: Read + Write>(
    a: &mut End<A>,
    b: &mut End<B>,
    max_rounds: usize,
    read_len: usize,
) -> usize {
    let mut buf = vec![0u8; read_len];
    for round in 0..max_rounds {
        a.step(&mut buf);
        b.step(&mut buf);
        if a.done() && b.done() {
            return round;
        }
    }
    panic!(
        "no progress after {max_rounds} rounds: {}; {}",
        a.progress(),
        b.progress()
    );
}

#[test]
fn both_ends_non_blocking_in_one_thread() {
    let (c, s) = socket_pair();
    let client =
        TlsStream::client(c, client_config(), ServerName::new("localhost").unwrap()).unwrap();
    let server = TlsStream::server(s, server_config()).unwrap();
    // Enough in both directions to fill the socket buffers, so that both ends see
    // WouldBlock on writes while the other end's data is arriving.
    let to_server = pattern(3 << 20, 7);
    let to_client = pattern(3 << 20, 13);
    let mut a = End::new("client", client, to_server.clone(), to_client.clone());
    let mut b = End::new("server", server, to_client, to_server);
    run(&mut a, &mut b, 50_000_000, 5000);
    assert_eq!(a.received, a.expect);
    assert_eq!(b.received, b.expect);
    assert!(
        a.would_blocks > 0 && b.would_blocks > 0,
        "WouldBlock never happened"
    );
    assert!(a.tls.negotiated().is_some() && b.tls.negotiated().is_some());
}

#[test]
fn one_byte_at_a_time_with_would_block_on_every_other_call() {
    let (c, s) = socket_pair();
    let client = TlsStream::client(
        Flaky::new(c),
        client_config(),
        ServerName::new("localhost").unwrap(),
    )
    .unwrap();
    let mut server = TlsStream::server(Flaky::new(s), server_config()).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let ev = Arc::clone(&events);
    server.set_event_hook(Box::new(move |e: &Event| {
        ev.lock().unwrap().push(format!("{e:?}"));
    }));
    // Several records each way, and odd read sizes.
    let to_server = pattern(40_000, 7);
    let to_client = pattern(50_000, 13);
    let mut a = End::new("client", client, to_server.clone(), to_client.clone());
    let mut b = End::new("server", server, to_client, to_server);
    run(&mut a, &mut b, 5_000_000, 333);
    assert_eq!(a.received, a.expect);
    assert_eq!(b.received, b.expect);
    assert!(a.would_blocks > 1000 && b.would_blocks > 1000);
    // The hook saw the handshake complete once and the clean close, and no data.
    let events = events.lock().unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.starts_with("HandshakeComplete"))
            .count(),
        1,
        "{events:?}"
    );
    assert_eq!(
        events.last().map(String::as_str),
        Some("PeerClosed { clean: true }"),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| e.starts_with("AppData")));
}

#[test]
fn write_is_bounded_and_reports_only_what_was_taken() {
    let (c, s) = socket_pair();
    let mut client = TlsStream::client(
        Flaky::new(c),
        client_config(),
        ServerName::new("localhost").unwrap(),
    )
    .unwrap();
    let mut server = TlsStream::server(s, server_config()).unwrap();
    // Handshake, non-blocking on both ends.
    for _ in 0..1_000_000 {
        let c = client.handshake();
        let s = server.handshake();
        for r in [&c, &s] {
            if let Err(e) = r {
                assert_eq!(e.kind(), ErrorKind::WouldBlock, "{e}");
            }
        }
        if c.is_ok() && s.is_ok() {
            break;
        }
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());

    // The transport refuses every write: the stream takes a bounded amount, then says
    // WouldBlock, and keeps saying it.
    let blocked = Rc::clone(&client.get_ref().writes_blocked);
    blocked.set(true);
    let data = pattern(1 << 20, 5);
    let mut taken = 0;
    let mut refusals = 0;
    while refusals < 3 {
        match client.write(&data[taken..]) {
            Ok(n) => {
                assert!(n > 0);
                taken += n;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => refusals += 1,
            Err(e) => panic!("write: {e}"),
        }
        assert!(taken < 256 * 1024, "write buffers without bound");
    }
    assert!(taken > 0, "the connection took nothing");
    let e = client.flush().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock);
    assert!(client.wants_write());

    // Unblock: flush delivers exactly the `taken` bytes, nothing more.
    blocked.set(false);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let mut flushed = false;
    for _ in 0..10_000_000 {
        if !flushed {
            match client.flush() {
                Ok(()) => flushed = true,
                Err(e) => assert_eq!(e.kind(), ErrorKind::WouldBlock, "{e}"),
            }
        }
        match server.read(&mut buf) {
            Ok(n) => {
                assert!(n > 0);
                got.extend_from_slice(&buf[..n]);
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::WouldBlock, "{e}"),
        }
        if flushed && got.len() >= taken {
            break;
        }
    }
    assert!(flushed && !client.wants_write());
    assert_eq!(got.len(), taken);
    assert_eq!(got, data[..taken]);
    assert!(client.get_ref().written > taken, "records carry overhead");
}
