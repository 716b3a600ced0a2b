//! A custom event loop: one thread, one `mio::Poll`, a sanstls server accepting many
//! connections and as many sanstls clients, all non-blocking `TlsStream`s.
//!
//! Each client sends a message, reads the server's echo, checks it, and closes with
//! close_notify; the server echoes until it reads end of stream. The program prints a
//! summary and exits non-zero if any connection failed.
//!
//! ```text
//! cargo run -p sanstls-std --example event_loop -- --connections 64 --silent 8
//! ```
//!
//! `--silent N` adds N TCP connections that never send a byte, as an attacker holding
//! connections open would: the server drops each at its handshake deadline
//! (`--handshake-timeout-ms`, default 2000), while the real clients are served. The
//! loop arms its poll timeout from the earliest `connection().poll_timeout()` and, when
//! that passes, calls the connection again, which then fails with the timeout.
//!
//! How a `TlsStream` fits an edge-triggered loop: register the socket for both
//! readable and writable events; on every event, call the stream's methods until each
//! one either finishes its work or returns `WouldBlock` (then the socket will report
//! readiness again). A `WouldBlock` never loses bytes: calling the same method later
//! resumes where it stopped.
#![allow(unreachable_pub)] // `run` and `Summary` are used by tests/event_loop.rs.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use sanstls_std::{ClientConfig, ServerConfig, ServerName, TlsStream, load};

/// How long the loop waits without any event before it gives up (a stall guard, so a
/// bug ends the program instead of hanging it; not a performance limit).
const STALL: Duration = Duration::from_secs(60);
const LISTENER: Token = Token(0);

/// What a run did.
#[derive(Debug)]
pub struct Summary {
    /// Clients that completed: handshake, message echoed intact, clean close.
    pub completed: usize,
    /// Handshakes completed, client side.
    pub client_handshakes: usize,
    /// Handshakes completed, server side.
    pub server_handshakes: usize,
    /// Application bytes the clients sent (each one came back as an echo).
    pub bytes: u64,
    /// Server sides ended by their handshake deadline (the silent connections).
    pub timed_out: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// One line per failed connection.
    pub failures: Vec<String>,
}

enum Kind {
    Client {
        msg: Vec<u8>,
        sent: usize,
        flushed: bool,
        echo: Vec<u8>,
        close_sent: bool,
        eof: bool,
        connected: bool,
    },
    Server {
        /// Received bytes not yet echoed.
        pending: Vec<u8>,
        eof: bool,
    },
}

struct Conn {
    name: String,
    tls: TlsStream<TcpStream>,
    kind: Kind,
    handshake_counted: bool,
}

/// `Ok(Some(v))`, `Ok(None)` for WouldBlock, or the error as a sentence.
fn ready<T>(what: &str, r: io::Result<T>) -> Result<Option<T>, String> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// Does everything the connection can do now; `Ok(true)` when it is finished.
fn drive(conn: &mut Conn, buf: &mut [u8]) -> Result<bool, String> {
    let Conn { tls, kind, .. } = conn;
    loop {
        let mut progress = false;
        match kind {
            Kind::Client {
                msg,
                sent,
                flushed,
                echo,
                close_sent,
                eof,
                connected,
            } => {
                if !*connected {
                    // A non-blocking connect is done when the socket has a peer.
                    if let Some(e) = tls.get_ref().take_error().map_err(|e| e.to_string())? {
                        return Err(format!("connect: {e}"));
                    }
                    match tls.get_ref().peer_addr() {
                        Ok(_) => *connected = true,
                        Err(e) if e.kind() == ErrorKind::NotConnected => return Ok(false),
                        Err(e) => return Err(format!("connect: {e}")),
                    }
                }
                if *sent < msg.len() {
                    if let Some(n) = ready("write", tls.write(&msg[*sent..]))? {
                        *sent += n;
                        progress = true;
                    }
                } else if !*flushed && ready("flush", tls.flush())?.is_some() {
                    *flushed = true;
                    progress = true;
                }
                if !*eof {
                    match ready("read", tls.read(buf))? {
                        Some(0) => {
                            *eof = true;
                            progress = true;
                        }
                        Some(n) => {
                            echo.extend_from_slice(&buf[..n]);
                            progress = true;
                        }
                        None => {}
                    }
                }
                if echo.len() > msg.len() || !msg.starts_with(echo) {
                    return Err("the echo differs from the message".into());
                }
                if *eof && !*close_sent {
                    return Err(format!(
                        "the server closed after {} of {} echoed bytes",
                        echo.len(),
                        msg.len()
                    ));
                }
                if *flushed
                    && echo.len() == msg.len()
                    && !*close_sent
                    && ready("close", tls.close())?.is_some()
                {
                    *close_sent = true;
                    progress = true;
                }
                if *close_sent && *eof {
                    return Ok(true);
                }
            }
            Kind::Server { pending, eof } => {
                if !pending.is_empty() {
                    if let Some(n) = ready("write", tls.write(pending))? {
                        pending.drain(..n);
                        progress = true;
                    }
                } else if tls.wants_write() && ready("flush", tls.flush())?.is_some() {
                    progress = true;
                }
                // Read only while the echo backlog is small: back-pressure.
                if !*eof && pending.len() < 64 * 1024 {
                    match ready("read", tls.read(buf))? {
                        Some(0) => {
                            *eof = true;
                            progress = true;
                        }
                        Some(n) => {
                            pending.extend_from_slice(&buf[..n]);
                            progress = true;
                        }
                        None => {}
                    }
                }
                if *eof && pending.is_empty() && !tls.wants_write() {
                    return Ok(true);
                }
            }
        }
        if !progress {
            return Ok(false);
        }
    }
}

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata")).join(name)
}

/// The message client `i` sends: a few records' worth, different for every client.
fn message(i: usize) -> Vec<u8> {
    let mut m = format!("hello from client {i}\n").into_bytes();
    m.extend((0..20_000 + i * 97).map(|j| (j * (i + 3) % 251) as u8));
    m
}

/// The earliest handshake deadline among `conns`.
fn next_deadline(conns: &HashMap<Token, Conn>) -> Option<sanstls_std::UnixTime> {
    conns
        .values()
        .filter_map(|c| c.tls.connection().poll_timeout())
        .min()
}

/// Runs `connections` clients and `silent` connections that never speak against one
/// server whose handshakes time out after `handshake_timeout`, all in this thread.
pub fn run(
    connections: usize,
    silent: usize,
    handshake_timeout: Duration,
) -> Result<Summary, Box<dyn std::error::Error>> {
    let key = load::certified_key(
        &testdata("server-rsa2048.chain.pem"),
        &testdata("server-rsa2048.rsa.pem"),
    )?;
    let server_config = Arc::new(
        ServerConfig::builder()
            .single_cert(key)
            .handshake_timeout(handshake_timeout)
            .build()?,
    );
    let anchors = load::trust_anchors(&testdata("ca-root.cert.pem"))?;
    let client_config = Arc::new(ClientConfig::builder().trust_anchors(anchors).build()?);

    let start = Instant::now();
    let mut poll = Poll::new()?;
    let mut listener = TcpListener::bind("127.0.0.1:0".parse()?)?;
    let addr = listener.local_addr()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;

    let mut conns: HashMap<Token, Conn> = HashMap::new();
    let mut next_token = 1;
    let mut summary = Summary {
        completed: 0,
        client_handshakes: 0,
        server_handshakes: 0,
        bytes: 0,
        timed_out: 0,
        elapsed: Duration::ZERO,
        failures: Vec::new(),
    };
    for i in 0..connections {
        let mut sock = TcpStream::connect(addr)?;
        let token = Token(next_token);
        next_token += 1;
        poll.registry()
            .register(&mut sock, token, Interest::READABLE | Interest::WRITABLE)?;
        let tls = TlsStream::client(
            sock,
            Arc::clone(&client_config),
            ServerName::new("localhost")?,
        )?;
        let msg = message(i);
        summary.bytes += msg.len() as u64;
        conns.insert(
            token,
            Conn {
                name: format!("client {i}"),
                tls,
                kind: Kind::Client {
                    msg,
                    sent: 0,
                    flushed: false,
                    echo: Vec::new(),
                    close_sent: false,
                    eof: false,
                    connected: false,
                },
                handshake_counted: false,
            },
        );
    }

    // Held open, never read or written: the server must not wait for them for ever.
    let silent: Vec<TcpStream> = (0..silent)
        .map(|_| TcpStream::connect(addr))
        .collect::<Result<_, _>>()?;

    let mut events = Events::with_capacity(256);
    let mut buf = vec![0u8; 16 * 1024];
    let mut clients_left = connections;
    while clients_left > 0 || !conns.is_empty() {
        // Wake up for the earliest handshake deadline too (never later than STALL).
        let deadline = next_deadline(&conns);
        let wait = deadline.map_or(STALL, |t| {
            t.saturating_duration_since(sanstls_std::now()).min(STALL)
        });
        poll.poll(&mut events, Some(wait))?;
        if events.is_empty() && deadline.is_none() {
            return Err(format!(
                "no event for {STALL:?} with {} connections open: the loop is stuck",
                conns.len()
            )
            .into());
        }
        // Connections whose deadline passed are called again: they fail with the timeout.
        let now = sanstls_std::now();
        let mut touched: Vec<Token> = conns
            .iter()
            .filter(|(_, c)| c.tls.connection().poll_timeout().is_some_and(|t| t <= now))
            .map(|(t, _)| *t)
            .collect();
        for ev in &events {
            if ev.token() == LISTENER {
                loop {
                    match listener.accept() {
                        Ok((mut sock, peer)) => {
                            let token = Token(next_token);
                            next_token += 1;
                            poll.registry().register(
                                &mut sock,
                                token,
                                Interest::READABLE | Interest::WRITABLE,
                            )?;
                            let tls = TlsStream::server(sock, Arc::clone(&server_config))?;
                            conns.insert(
                                token,
                                Conn {
                                    name: format!("server side of {peer}"),
                                    tls,
                                    kind: Kind::Server {
                                        pending: Vec::new(),
                                        eof: false,
                                    },
                                    handshake_counted: false,
                                },
                            );
                            touched.push(token);
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e.into()),
                    }
                }
            } else {
                touched.push(ev.token());
            }
        }
        for token in touched {
            let Some(conn) = conns.get_mut(&token) else {
                continue;
            };
            let result = drive(conn, &mut buf);
            let is_client = matches!(conn.kind, Kind::Client { .. });
            if !conn.handshake_counted && conn.tls.negotiated().is_some() {
                conn.handshake_counted = true;
                if is_client {
                    summary.client_handshakes += 1;
                } else {
                    summary.server_handshakes += 1;
                }
            }
            let finished = match result {
                Ok(false) => continue,
                Ok(true) => {
                    if is_client {
                        summary.completed += 1;
                    }
                    true
                }
                Err(_)
                    if matches!(
                        conn.tls.connection().error(),
                        Some(sanstls_std::proto::Error::HandshakeTimeout { .. })
                    ) && !is_client =>
                {
                    summary.timed_out += 1;
                    true
                }
                Err(e) => {
                    summary.failures.push(format!("{}: {e}", conn.name));
                    true
                }
            };
            if finished {
                if let Some(mut conn) = conns.remove(&token) {
                    poll.registry().deregister(conn.tls.get_mut())?;
                }
                if is_client {
                    clients_left -= 1;
                }
            }
        }
    }
    summary.elapsed = start.elapsed();
    drop(silent);
    Ok(summary)
}

#[allow(dead_code)] // the test includes this file as a module and calls `run` only
fn main() {
    let mut connections = 64;
    let mut silent = 0;
    let mut timeout_ms = 2000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().map(|v| v.parse::<usize>())) {
            ("--connections", Some(Ok(n))) if n > 0 => connections = n,
            ("--silent", Some(Ok(n))) => silent = n,
            ("--handshake-timeout-ms", Some(Ok(n))) if n > 0 => timeout_ms = n as u64,
            _ => {
                eprintln!(
                    "usage: event_loop [--connections N] [--silent N] [--handshake-timeout-ms MS]\n\
                     (defaults: 64 clients, no silent connection, 2000 ms)"
                );
                std::process::exit(2);
            }
        }
    }
    match run(connections, silent, Duration::from_millis(timeout_ms)) {
        Ok(s) => {
            println!(
                "connections: {}/{connections} completed\n\
                 handshakes:  {} client, {} server\n\
                 bytes:       {} sent and echoed back\n\
                 timed out:   {} of {silent} silent connections (server side)\n\
                 elapsed:     {:.3} s\n\
                 failed:      {}",
                s.completed,
                s.client_handshakes,
                s.server_handshakes,
                s.bytes,
                s.timed_out,
                s.elapsed.as_secs_f64(),
                s.failures.len()
            );
            for f in &s.failures {
                println!("  {f}");
            }
            if !s.failures.is_empty() || s.completed != connections || s.timed_out != silent {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("event_loop: {e}");
            std::process::exit(1);
        }
    }
}
