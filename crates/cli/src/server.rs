//! `sanstls server`: an `openssl s_server`-like TLS server.
//!
//! Each client gets its own thread, up to `--max-connections` at once (then new
//! connections wait in the kernel's accept queue). A client whose first bytes look like
//! an HTTP/1.x request gets a small page describing its session (`Connection: close`);
//! anything else is echoed back until the client closes. One connection's failure is
//! logged on stderr and does not stop the server.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sanstls_pki::WebPkiClientVerifier;
use sanstls_proto::{Negotiated, ServerConfig, Side};
use sanstls_std::{TlsStream, load};

use crate::certinfo::CertSummary;
use crate::client::{alpn_list, config_failure};
use crate::{Failure, exit, explain, suites, trace};

/// Options of `sanstls server`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Certificate chain to present (PEM, leaf first).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// Private key of --cert (PEM, PKCS#1 or PKCS#8).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:4433")]
    addr: SocketAddr,
    /// Accept this ALPN protocol (repeat the option or give a comma-separated list, in
    /// preference order).
    #[arg(long, value_name = "PROTO")]
    alpn: Vec<String>,
    /// Accept only this cipher suite (repeatable or comma-separated; IANA or OpenSSL
    /// name).
    #[arg(long, value_name = "NAME")]
    suite: Vec<String>,
    /// Print each handshake message on stderr, with an explanation.
    #[arg(long)]
    trace: bool,
    /// Ask clients for a certificate and verify it against the CA certificates in this
    /// PEM file (clients without one are still served unless --require-client-cert).
    #[arg(long, value_name = "FILE")]
    client_ca: Option<PathBuf>,
    /// Refuse clients without a valid certificate (needs --client-ca).
    #[arg(long, requires = "client_ca")]
    require_client_cert: bool,
    /// Serve at most N connections at once (a thread each). Beyond N the server stops
    /// accepting: new connections wait in the kernel's accept queue (they are not
    /// refused) and are served as soon as a connection closes; the server logs on
    /// stderr when it reaches the limit. When the queue is full too, the kernel makes
    /// new clients retry or time out.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 256,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    max_connections: u32,
}

/// How many connections are being served, shared by the accept loop and the
/// connection threads.
struct Slots {
    open: Mutex<u32>,
    freed: Condvar,
}

impl Slots {
    fn lock(&self) -> MutexGuard<'_, u32> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until fewer than `max` connections are open, then takes a slot. Logs
    /// once each time the limit stops the accept loop.
    fn take(self: &Arc<Self>, max: u32) -> Slot {
        let mut open = self.lock();
        if *open >= max {
            eprintln!(
                "{} open (--max-connections {max}): new connections wait in the accept \
                 queue until one closes",
                crate::trace::count(
                    usize::try_from(*open).unwrap_or(usize::MAX),
                    "connection",
                    "connections"
                )
            );
            while *open >= max {
                open = self
                    .freed
                    .wait(open)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        *open += 1;
        Slot(Arc::clone(self))
    }
}

/// One open connection; dropping it (the connection's thread ends, or could not start)
/// frees the slot, also when the thread panics.
struct Slot(Arc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.0.lock();
        *open = open.saturating_sub(1);
        drop(open);
        self.0.freed.notify_one();
    }
}

fn build_config(a: &Args) -> Result<Arc<ServerConfig>, Failure> {
    let accepted = suites::parse_list(&a.suite).map_err(|m| Failure::new(exit::USAGE, m))?;
    let key = load::certified_key(&a.cert, &a.key).map_err(|e| config_failure(&e))?;
    let mut b = sanstls_std::server_config_builder()
        .single_cert(key)
        .trace(a.trace);
    if !accepted.is_empty() {
        b = b.cipher_suites(&accepted);
    }
    let alpn = alpn_list(&a.alpn);
    if !alpn.is_empty() {
        if alpn.iter().any(|p| p == b"h2") {
            eprintln!(
                "note: --alpn h2: this server answers HTTP/1.x requests only; an HTTP/2 \
                 client that agrees on h2 will just get its bytes echoed"
            );
        }
        let refs: Vec<&[u8]> = alpn.iter().map(Vec::as_slice).collect();
        b = b.alpn_protocols(&refs);
    }
    if let Some(ca) = &a.client_ca {
        let anchors = load::trust_anchors(ca).map_err(|e| config_failure(&e))?;
        let mut v = WebPkiClientVerifier::new(anchors);
        if !a.require_client_cert {
            v = v.allow_unauthenticated();
        }
        b = b.client_verifier(Arc::new(v));
    }
    b.build().map(Arc::new).map_err(|e| {
        Failure::new(
            exit::CONFIG,
            format!(
                "the server configuration was refused: {e} (files {} and {})",
                a.cert.display(),
                a.key.display()
            ),
        )
    })
}

/// Runs the server until it is killed.
pub(crate) fn run(a: &Args) -> Result<(), Failure> {
    let config = build_config(a)?;
    let listener = TcpListener::bind(a.addr).map_err(|e| {
        let hint = match e.kind() {
            ErrorKind::AddrInUse => {
                " Another program uses that port: pick another with --addr \
                                     (port 0 picks a free one)."
            }
            ErrorKind::PermissionDenied => " Ports below 1024 need privileges: use a higher port.",
            _ => "",
        };
        Failure::new(
            exit::NETWORK,
            format!("cannot listen on {}: {e}.{hint}", a.addr),
        )
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::new(exit::NETWORK, format!("cannot read the bound address: {e}")))?;
    println!("listening on {local}");
    let _ = io::stdout().flush();

    let slots = Arc::new(Slots {
        open: Mutex::new(0),
        freed: Condvar::new(),
    });
    let mut next_id: u64 = 0;
    loop {
        // At the limit, stop accepting: the connections wait in the kernel's queue.
        let slot = slots.take(a.max_connections);
        let (sock, peer) = match listener.accept() {
            Ok(x) => x,
            Err(e) => {
                // EMFILE and friends: report and keep serving.
                eprintln!("accept failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        next_id += 1;
        let id = next_id;
        let config = Arc::clone(&config);
        let trace = a.trace;
        let spawned = std::thread::Builder::new()
            .name(format!("conn-{id}"))
            .spawn(move || {
                let _slot = slot;
                let label = format!("[#{id} {peer}]");
                if let Err(msg) = serve(sock, config, trace, &label) {
                    eprintln!("{label} {msg}");
                }
            });
        if let Err(e) = spawned {
            eprintln!("[#{id} {peer}] cannot start a thread for the connection: {e}");
        }
    }
}

/// How long a connection may sit idle before the server gives up on it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// The most HTTP request header bytes read before answering.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// Serves one connection; the error is a message for the log.
fn serve(
    sock: TcpStream,
    config: Arc<ServerConfig>,
    trace_on: bool,
    label: &str,
) -> Result<(), String> {
    let _ = sock.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = sock.set_nodelay(true);
    let mut tls = TlsStream::server(sock, config).map_err(|e| e.to_string())?;
    if trace_on {
        tls.set_event_hook(trace::stderr_hook(Side::Server, format!("{label} ")));
    }
    match tls.handshake() {
        Ok(()) => {}
        Err(e) => return Err(handshake_message(&e, &tls)),
    }
    if let Some(n) = tls.negotiated() {
        eprintln!("{label} {}", one_line(n));
    }

    let mut buf = vec![0u8; 16 * 1024];
    let mut first = true;
    let mut head: Vec<u8> = Vec::new();
    loop {
        let n = match tls.read(&mut buf) {
            Ok(0) => {
                // The client's close_notify: answer with ours (RFC 5246 §7.2.1).
                let _ = tls.close();
                return Ok(());
            }
            Ok(n) => n,
            // A client that just drops the TCP connection after the handshake (s_time,
            // many HTTP clients) has left, and nothing was lost on this side.
            Err(e) if client_left(&e) => return Ok(()),
            Err(e) => return Err(stream_message(&e)),
        };
        let data = &buf[..n];
        if (first && looks_like_http(data)) || !head.is_empty() {
            first = false;
            head.extend_from_slice(data);
            if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > MAX_REQUEST_HEAD {
                let Some(neg) = tls.negotiated().cloned() else {
                    return Err("no session after the handshake".to_string());
                };
                let page = http_page(&neg);
                return match tls
                    .write_all(&page)
                    .and_then(|()| tls.flush())
                    .and_then(|()| tls.close())
                {
                    // The client closed right behind its request (see below).
                    Err(e) if closed_by_peer(&e) => {
                        let _ = tls.close();
                        Ok(())
                    }
                    r => r.map_err(|e| stream_message(&e)),
                };
            }
            continue;
        }
        first = false;
        match tls.write_all(data).and_then(|()| tls.flush()) {
            Ok(()) => {}
            // The client's close_notify came right behind this data: the connection
            // has answered it and sends nothing more (RFC 5246 §7.2.1: pending writes
            // are discarded). A clean end, not a failure; make sure the answer leaves.
            Err(e) if closed_by_peer(&e) => {
                let _ = tls.close();
                return Ok(());
            }
            Err(e) => return Err(stream_message(&e)),
        }
    }
}

/// Whether a write failed because the connection had already answered the peer's
/// close_notify.
fn closed_by_peer(e: &io::Error) -> bool {
    matches!(
        sanstls_std::tls_error(e),
        Some(sanstls_proto::Error::ApiMisuse(
            sanstls_proto::ApiMisuse::Closed
        ))
    )
}

/// Whether a read error means the client went away without close_notify (an unclean
/// end, RFC 5246 §7.2.1, that a server which sent everything can ignore).
fn client_left(e: &io::Error) -> bool {
    sanstls_std::tls_error(e).is_none()
        && matches!(
            e.kind(),
            ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
        )
}

fn handshake_message(e: &io::Error, tls: &TlsStream<TcpStream>) -> String {
    match sanstls_std::tls_error(e) {
        Some(t) => format!(
            "handshake failed: {}",
            explain::server_error(t, tls.connection().peer_certificates(), crate::now())
        ),
        None => format!("handshake failed: {e}"),
    }
}

fn stream_message(e: &io::Error) -> String {
    match sanstls_std::tls_error(e) {
        Some(t) => format!("connection failed: {t}"),
        None => format!("connection failed: {e}"),
    }
}

/// Whether `data` starts like an HTTP/1.x request line (`GET / HTTP/1.1`).
fn looks_like_http(data: &[u8]) -> bool {
    const METHODS: &[&[u8]] = &[
        b"GET ",
        b"HEAD ",
        b"POST ",
        b"PUT ",
        b"DELETE ",
        b"OPTIONS ",
        b"PATCH ",
        b"TRACE ",
        b"CONNECT ",
    ];
    if !METHODS.iter().any(|m| data.starts_with(m)) {
        return false;
    }
    // The request line may be incomplete in this first read; if it is complete, it
    // must end with the HTTP/1.x version.
    match data.iter().position(|&b| b == b'\n') {
        Some(end) => {
            let line = data[..end].strip_suffix(b"\r").unwrap_or(&data[..end]);
            line.windows(7).any(|w| w == b"HTTP/1.")
        }
        None => true,
    }
}

fn one_line(n: &Negotiated) -> String {
    use std::fmt::Write as _;
    let mut s = format!(
        "{} EMS={} EtM={}",
        suites::iana_name(n.suite),
        if n.extended_master_secret {
            "yes"
        } else {
            "no"
        },
        if n.encrypt_then_mac { "yes" } else { "no" }
    );
    if let Some(a) = &n.alpn {
        let _ = write!(s, " ALPN={}", String::from_utf8_lossy(a));
    }
    if let Some(sni) = &n.server_name {
        let _ = write!(s, " SNI={sni}");
    }
    if let Some(c) = n
        .peer_certificates
        .first()
        .and_then(|c| CertSummary::parse(c))
    {
        let _ = write!(s, " client={}", c.subject);
    }
    s
}

/// The HTTP response describing the session.
fn http_page(n: &Negotiated) -> Vec<u8> {
    use std::fmt::Write as _;
    let yes = |b: bool| if b { "yes" } else { "no" };
    let mut body = String::new();
    let _ = writeln!(body, "sanstls server: your TLS session");
    let _ = writeln!(body);
    let _ = writeln!(body, "protocol:               TLS 1.2");
    let _ = writeln!(
        body,
        "cipher suite:           {} ({})",
        suites::iana_name(n.suite),
        suites::openssl_name(n.suite).unwrap_or("?")
    );
    if let Some(bits) = n.dh_bits {
        let _ = writeln!(body, "DH group:               {bits} bits");
    }
    let _ = writeln!(
        body,
        "extended master secret: {}",
        yes(n.extended_master_secret)
    );
    let _ = writeln!(body, "encrypt-then-MAC:       {}", yes(n.encrypt_then_mac));
    let _ = writeln!(
        body,
        "ALPN:                   {}",
        n.alpn.as_deref().map_or_else(
            || "(none)".to_string(),
            |a| String::from_utf8_lossy(a).into_owned()
        )
    );
    let _ = writeln!(
        body,
        "SNI:                    {}",
        n.server_name.as_deref().unwrap_or("(none)")
    );
    match n
        .peer_certificates
        .first()
        .and_then(|c| CertSummary::parse(c))
    {
        Some(c) => {
            let _ = writeln!(body, "client certificate:     verified");
            body.push_str(&c.describe("  "));
        }
        None => {
            let _ = writeln!(body, "client certificate:     (none)");
        }
    }
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\nServer: sanstls\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_detection() {
        assert!(looks_like_http(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(looks_like_http(b"HEAD /a"));
        assert!(!looks_like_http(b"GET / SPDY/3\r\n"));
        assert!(!looks_like_http(b"hello\n"));
        assert!(!looks_like_http(b"GETX / HTTP/1.1\r\n"));
    }
}
