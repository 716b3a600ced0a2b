//! `sanstls client HOST:PORT`: an `openssl s_client`-like TLS client.
//!
//! stdin goes to the server and the server's data to stdout; the session (suite, EMS,
//! EtM, ALPN, the server's certificate and its verification) is described on stderr.
//! At the end of stdin the client waits until the server has been quiet for a moment
//! (its answer to the last input would be cut otherwise: TLS 1.2 has no half-close),
//! sends close_notify and keeps reading until the server closes too, for at most
//! [`CLOSE_WAIT`].
//!
//! Time is bounded: connecting and the handshake each get `--timeout` seconds, the
//! server's close_notify [`CLOSE_WAIT`], and output the server does not take
//! `--timeout` seconds without progress.
//!
//! The socket is non-blocking and one thread drives it with a `mio` event loop; a
//! second thread reads stdin into a small bounded queue and wakes the loop.
//!
//! Sessions (RFC 5246 §7.3, RFC 5077): the client keeps the session each handshake
//! leaves in its own store, by server name. `--reconnect N` connects N more times with
//! the same configuration, so each connection offers the session the one before left
//! (like `openssl s_client -reconnect`: every connection but the last closes right
//! after its handshake, the last carries stdin); each summary starts with a line `New,
//! ...` or `Reused, ...`. `--sess-out FILE` writes the session held after the last
//! connection to a file, `--sess-in FILE` puts one into the store before the first
//! ([`session_file`]).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token, Waker};
use sanstls_pki::{ServerCertVerifier, VerifiedPath};
use sanstls_proto::{
    Negotiated, ServerName, Session, SessionCache, Side, StoresClientSessions, UnixTime,
};
use sanstls_std::{TlsStream, load};

use crate::certinfo::{self, CertSummary};
use crate::explain::{ClientView, OwnCert, Seen};
use crate::recording::{self, SharedTape, format};
use crate::{Failure, exit, explain, session_file, suites, trace};

/// Options of `sanstls client`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The server: HOST:PORT (HOST a name, an IPv4 address or a bracketed IPv6 address).
    #[arg(value_name = "HOST:PORT")]
    address: String,
    /// The name to ask for (SNI) and to check the certificate against (default: HOST).
    #[arg(long, value_name = "NAME")]
    servername: Option<String>,
    /// Trust the CA certificates in this PEM file (default: the system trust store).
    #[arg(long, value_name = "FILE")]
    cafile: Option<PathBuf>,
    /// Client certificate chain (PEM, leaf first), sent if the server asks for one.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Private key of --cert (PEM): RSA (PKCS#1 `RSA PRIVATE KEY`), EC on P-256 or
    /// P-384 (SEC 1 `EC PRIVATE KEY`), or either as PKCS#8 (`PRIVATE KEY`).
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Offer this ALPN protocol (repeat the option or give a comma-separated list).
    #[arg(long, value_name = "PROTO")]
    alpn: Vec<String>,
    /// Offer only this cipher suite (repeatable or comma-separated; IANA or OpenSSL
    /// name, e.g. ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305,
    /// DHE-RSA-AES128-SHA256, AES128-SHA256, PSK-AES128-GCM-SHA256,
    /// ECDHE-PSK-CHACHA20-POLY1305). Default: the library's list (the certificate
    /// suites; with a PSK also the PSK suites, and without --cafile only them; the
    /// CCM_8 suites only when named).
    #[arg(long, value_name = "NAME")]
    suite: Vec<String>,
    /// Offer only these ECDHE groups, in preference order (repeatable or
    /// comma-separated; any case): x25519, secp256r1 (also P-256, prime256v1),
    /// secp384r1 (also P-384). Default: x25519,secp256r1,secp384r1. They also bound
    /// the curve of an ECDSA server certificate (RFC 8422 §5.1).
    #[arg(long, value_name = "LIST")]
    groups: Vec<String>,
    /// Accept any server certificate. The connection is then NOT authenticated: anyone
    /// on the path can read and change the data.
    #[arg(long, conflicts_with = "cafile")]
    no_verify: bool,
    /// Print each handshake message on stderr, with an explanation.
    #[arg(long)]
    trace: bool,
    /// Give up when connecting takes longer than SECS seconds, and again when the
    /// handshake does (exit status 1); also the longest the server may leave our
    /// output untaken ("not reading").
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    timeout: u64,
    /// After the first connection, connect N more times with the same configuration,
    /// offering the session the last one left (like `openssl s_client -reconnect`).
    /// Every connection but the last completes its handshake and closes
    /// (close_notify); the last one carries stdin. Each prints a line on stderr that
    /// starts with `New` (a full handshake) or `Reused` (the session was resumed).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=1000)
    )]
    reconnect: u32,
    /// After the last connection, write the session held for the server to FILE (PEM
    /// text labelled SANSTLS SESSION, mode 0600), for --sess-in. The file holds the
    /// session's master secret: whoever reads it can decrypt the connections made with
    /// the session, and resume it.
    #[arg(long, value_name = "FILE")]
    sess_out: Option<PathBuf>,
    /// Offer the session in FILE (written by --sess-out) on the first connection. A
    /// resumption does not check the server's certificate again (the server proves it
    /// holds the session's master secret): the file is trusted as it was written, so
    /// use only files written by a client that verified the server.
    #[arg(long, value_name = "FILE")]
    sess_in: Option<PathBuf>,
    /// Do not offer session tickets (RFC 5077): sessions are resumed by session ID
    /// only.
    #[arg(long)]
    no_tickets: bool,
    /// Record the connection to FILE for `sanstls replay` (with --reconnect, connection
    /// i to FILE.i): the seed of its random generator, the times, every byte received,
    /// and this command line (files such as --cafile and --psk-file are named, not
    /// copied; a key given with --psk is in it). Whoever
    /// has the file can decrypt the connection: treat it like SSLKEYLOGFILE. See
    /// docs/RECORDING.md.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Where the RSA private operations of --key, the ephemeral (EC)DH keys and the
    /// AEAD record keys run: builtin (sanstls's own code) or openssl (the system's
    /// libcrypto; needs a sanstls built with the cargo feature `openssl`).
    #[arg(long, value_enum, value_name = "NAME", default_value = "builtin")]
    provider: crate::provider::ProviderName,
    #[command(flatten)]
    records: crate::RecordArgs,
    #[command(flatten)]
    psk: crate::psk::PskArgs,
}

impl Args {
    /// Makes the relative paths of the options that a replay reads again relative to
    /// `base` (the directory the recorded command ran in); returns those paths.
    pub(crate) fn resolve_paths(&mut self, base: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for p in [&mut self.cafile, &mut self.cert, &mut self.key]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
            files.push(p.clone());
        }
        files.extend(self.psk.resolve_path(base));
        files
    }
}

/// How many sessions the client keeps: it talks to one server name.
const SESSION_STORE_CAPACITY: usize = 1;

/// Accepts any certificate: trust "established elsewhere" (here: not at all).
struct NoVerifier;

impl ServerCertVerifier for NoVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        _intermediates: &[&[u8]],
        _server_name: &ServerName,
        _now: UnixTime,
    ) -> Result<VerifiedPath, sanstls_pki::Error> {
        // Only parses the leaf (its key is needed for the key exchange); no path, no
        // name, no validity check: the user asked for that with --no-verify.
        VerifiedPath::from_trusted_end_entity(end_entity)
    }
}

/// Splits `HOST:PORT`; HOST may be `[v6]`. Returns the host without brackets.
fn split_address(addr: &str) -> Result<(String, u16), Failure> {
    let usage = || {
        Failure::new(
            exit::USAGE,
            format!("'{addr}' is not HOST:PORT (for example localhost:4433 or [::1]:443)"),
        )
    };
    let (host, port) = addr.rsplit_once(':').ok_or_else(usage)?;
    let port: u16 = port.parse().map_err(|_| usage())?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        return Err(usage());
    }
    Ok((host.to_string(), port))
}

/// The ALPN list from repeatable, comma-separated values.
pub(crate) fn alpn_list(values: &[String]) -> Vec<Vec<u8>> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.as_bytes().to_vec())
        .collect()
}

/// A file or configuration problem as a failure (exit 3).
pub(crate) fn config_failure(e: &sanstls_std::Error) -> Failure {
    let hint = match e {
        sanstls_std::Error::NoSystemTrustAnchors { .. } => {
            " Pass --cafile FILE with the CA certificate(s) to trust."
        }
        _ => "",
    };
    Failure::new(exit::CONFIG, format!("{e}{hint}"))
}

/// The configuration, keeping its sessions in `store`, and what the client
/// certificate (if any) can do.
///
/// `mode`: whether the store's answers are recorded (`--record`) or replayed.
fn build_config(
    a: &Args,
    store: &Arc<SessionCache>,
    mode: Option<recording::Mode>,
) -> Result<(Arc<sanstls_std::ClientConfig>, OwnCert), Failure> {
    let offered = suites::parse_list(&a.suite).map_err(|m| Failure::new(exit::USAGE, m))?;
    let groups = suites::parse_groups(&a.groups).map_err(|m| Failure::new(exit::USAGE, m))?;
    // Traces always: they tell what the handshake got to when it fails (see
    // `explain::Seen`); they are printed only with --trace.
    let store: Arc<dyn StoresClientSessions> = match mode {
        Some(mode) => Arc::new(recording::Oracle {
            mode,
            inner: Arc::clone(store),
        }),
        None => Arc::clone(store) as _,
    };
    let provider = crate::provider::provider(a.provider)?;
    let mut b = sanstls_std::client_config_builder()
        .trace(true)
        .session_store(Some(store))
        .session_tickets(!a.no_tickets)
        .handshake_timeout(Duration::from_secs(a.timeout))
        .max_fragment_len(a.records.max_fragment_len());
    if !offered.is_empty() {
        b = b.cipher_suites(&offered);
    }
    if !groups.is_empty() {
        b = b.groups(&groups);
    }
    let alpn = alpn_list(&a.alpn);
    if !alpn.is_empty() {
        let refs: Vec<&[u8]> = alpn.iter().map(Vec::as_slice).collect();
        b = b.alpn_protocols(&refs);
    }
    // A PSK without --cafile (or --no-verify): the PSK suites only, no certificate to
    // check, so no trust store either.
    let psk = a.psk.first()?;
    b = if a.no_verify {
        b.verifier(Arc::new(NoVerifier))
    } else if let Some(ca) = &a.cafile {
        b.trust_anchors(load::trust_anchors(ca).map_err(|e| config_failure(&e))?)
    } else if psk.is_some() {
        b
    } else {
        b.trust_anchors(load::system_trust_anchors().map_err(|e| config_failure(&e))?)
    };
    crate::psk::check_suites(
        &offered,
        psk.is_some(),
        a.no_verify || a.cafile.is_some() || psk.is_none(),
        "add --cafile FILE to check the server's certificate",
    )?;
    if let Some(psk) = psk {
        b = b.psk(psk);
    }
    let mut own_cert = OwnCert::None;
    if let (Some(cert), Some(key)) = (&a.cert, &a.key) {
        let ck = load::certified_key(cert, key).map_err(|e| config_failure(&e))?;
        let ck = crate::provider::with_provider(ck, cert, key, provider.as_deref())?;
        own_cert = if ck.may_sign() {
            OwnCert::Usable
        } else {
            OwnCert::CannotSign
        };
        b = b.client_certificate(ck);
    }
    if let Some(provider) = provider {
        b = b.crypto_provider(provider);
    }
    let config = b.build().map(Arc::new).map_err(|e| {
        Failure::new(
            exit::CONFIG,
            format!("the client configuration was refused: {e}"),
        )
    })?;
    Ok((config, own_cert))
}

/// What `sanstls replay` needs to make a recorded client connection again: its
/// configuration (the store answering from the recording), the server name, and what
/// the trace may explain.
pub(crate) fn replay_parts(
    a: &Args,
    answers: Arc<recording::Answers>,
) -> Result<(Arc<sanstls_std::ClientConfig>, ServerName, trace::Known), Failure> {
    let (host, _) = split_address(&a.address)?;
    let name_str = a.servername.clone().unwrap_or(host);
    let name = ServerName::new(&name_str).map_err(|_| {
        Failure::new(
            exit::USAGE,
            format!("'{name_str}' is not a valid server name"),
        )
    })?;
    let store = Arc::new(SessionCache::new(SESSION_STORE_CAPACITY));
    let (config, _) = build_config(a, &store, Some(recording::Mode::Replay(answers)))?;
    let known = trace::Known::common(config.common().suites());
    Ok((config, name, known))
}

/// Connects to the first address of `host` that answers, all of them within `limit`.
fn connect_tcp(host: &str, port: u16, limit: Duration) -> Result<TcpStream, Failure> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Failure::new(
                exit::NETWORK,
                format!("cannot resolve {host}: {e}. Check the host name."),
            )
        })?
        .collect();
    let deadline = Instant::now() + limit;
    let timed_out = || {
        Failure::new(
            exit::TLS,
            format!(
                "connect to {host}:{port} timed out after {}",
                seconds(limit)
            ),
        )
    };
    let mut last = None;
    for addr in &addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((addr, e)),
        }
    }
    Err(match last {
        Some((_, e)) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            timed_out()
        }
        Some((addr, e)) if e.kind() == ErrorKind::ConnectionRefused => Failure::new(
            exit::NETWORK,
            format!(
                "cannot connect to {addr}: connection refused. Is a server listening on port \
                 {port}?"
            ),
        ),
        Some((addr, e)) => Failure::new(exit::NETWORK, format!("cannot connect to {addr}: {e}")),
        None => Failure::new(exit::NETWORK, format!("{host} resolves to no address")),
    })
}

/// The socket's token in the event loop.
const SOCK: Token = Token(0);
/// The stdin thread's token: it wakes the loop when a chunk (or the end) is ready.
const STDIN: Token = Token(1);
/// The size of one stdin chunk.
const CHUNK: usize = 16 * 1024;
/// At the end of stdin, how long the server must have sent nothing before the client
/// sends close_notify.
const CLOSE_QUIET: Duration = Duration::from_millis(300);
/// At the end of stdin, the longest the client waits for the server to go quiet before
/// it sends close_notify anyway.
const CLOSE_LINGER_MAX: Duration = Duration::from_secs(3);
/// How many stdin chunks may wait for the loop: with the chunk in hand and the TLS
/// transmit buffer, this bounds the client's memory whatever stdin holds.
const STDIN_QUEUE: usize = 2;
/// After our close_notify, how long the client waits for the server's.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// `d` in whole seconds for a message ("30 s").
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs())
}

/// The client's non-blocking socket with the event loop that waits for it.
struct Net {
    tls: TlsStream<mio::net::TcpStream>,
    poll: Poll,
    events: Events,
    /// What the client saw of the handshake (filled by the stream's event hook).
    seen: Arc<Mutex<Seen>>,
    /// The configured client certificate, for explanations.
    own_cert: OwnCert,
    /// `--timeout`.
    timeout: Duration,
    /// `--record`: the connection's recording, finished when the connection is
    /// dropped.
    tape: Option<SharedTape>,
}

impl Drop for Net {
    fn drop(&mut self) {
        if let Some(tape) = self.tape.take() {
            recording::finish(&tape, "");
            recording::set_current(None);
        }
    }
}

impl Net {
    /// Waits until the socket (or stdin) has something for us. Readiness is reported
    /// by edges: call it only after an operation returned `WouldBlock`.
    /// `timeout`: at most this long.
    fn wait(&mut self, timeout: Option<Duration>) -> Result<(), Failure> {
        loop {
            match self.poll.poll(&mut self.events, timeout) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Failure::new(
                        exit::NETWORK,
                        format!("waiting for the socket failed: {e}"),
                    ));
                }
            }
        }
    }

    /// How to explain a failure of this connection.
    fn view<'a>(&'a self, asked: &'a str) -> ClientView<'a> {
        ClientView {
            chain: self.tls.connection().peer_certificates(),
            asked,
            now: crate::now(),
            seen: *self.seen.lock().unwrap_or_else(PoisonError::into_inner),
            own_cert: self.own_cert,
        }
    }
}

/// How the client offered a session in its ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Offer {
    /// In the session_ticket extension (RFC 5077 §3.4).
    Ticket,
    /// By its session ID (RFC 5246 §7.4.1.2).
    SessionId,
}

impl Offer {
    /// How the offer names the session, for a sentence ("resumed by ...").
    fn name(self) -> &'static str {
        match self {
            Offer::Ticket => "session ticket",
            Offer::SessionId => "session ID",
        }
    }
}

/// Whether and how a connection made now offers `session` (what the library does: a
/// valid session with the extended master secret and a suite still offered, by its
/// ticket when `tickets` are offered, else by its session ID).
fn offer(
    session: &Session,
    config: &sanstls_std::ClientConfig,
    tickets: bool,
    now: UnixTime,
) -> Option<Offer> {
    let usable = session.is_valid_at(now)
        && session.extended_master_secret()
        && config.common().suites().contains(&session.suite());
    if !usable {
        None
    } else if session.ticket().is_some() && tickets {
        Some(Offer::Ticket)
    } else if !session.session_id().is_empty() {
        Some(Offer::SessionId)
    } else {
        None
    }
}

/// The session the store holds for `key`, decoded.
fn held(store: &SessionCache, key: &str) -> Option<Session> {
    StoresClientSessions::get(store, key).and_then(|b| Session::from_bytes(&b).ok())
}

/// What one connection's summary says about its session, beyond [`Negotiated`].
struct SessionView<'a> {
    /// "connected to HOST:PORT", with the connection's number when there are several.
    header: String,
    /// How the client offered a session, if it did.
    offered: Option<Offer>,
    /// The session the client holds for the server after the handshake.
    held: Option<Session>,
    /// The session file whose session this connection resumed: its full handshake
    /// (and the check of the server's certificate) happened elsewhere.
    from_file: Option<&'a Path>,
}

/// Runs the client: the connections (one, or 1 + `--reconnect`), then `--sess-out`.
pub(crate) fn run(a: &Args) -> Result<(), Failure> {
    let (host, port) = split_address(&a.address)?;
    let name_str = a.servername.clone().unwrap_or_else(|| host.clone());
    let name = ServerName::new(&name_str).map_err(|_| {
        Failure::new(
            exit::USAGE,
            format!(
                "'{name_str}' is not a valid server name (a DNS name or an IP address); \
                 use --servername"
            ),
        )
    })?;
    let store = Arc::new(SessionCache::new(SESSION_STORE_CAPACITY));
    let mode = a.record.is_some().then_some(recording::Mode::Record);
    let (config, own_cert) = build_config(a, &store, mode)?;
    if a.no_verify {
        eprintln!(
            "WARNING: --no-verify: the server's certificate is NOT checked. This connection \
             is NOT authenticated: anyone on the path can read and change the data."
        );
    }
    // The library keeps a client's sessions under the server name as text.
    let key = name.to_string();
    // The session file whose session the store holds (until a full handshake replaces
    // it).
    let mut from_file = None;
    if let Some(path) = &a.sess_in {
        let (session, bytes) = session_file::read(path)?;
        let sni = matches!(name, ServerName::Dns(_)).then_some(key.as_str());
        for why in session_file::obstacles(
            &session,
            path,
            sni,
            crate::now(),
            config.common().suites(),
            !a.no_tickets,
        ) {
            eprintln!("note: {why}; expect a full handshake");
        }
        StoresClientSessions::put(&*store, &key, &bytes);
        from_file = Some(path.as_path());
    }
    let addr = format!("{host}:{port}");
    let total = u64::from(a.reconnect) + 1;
    for i in 1..=total {
        let offered =
            held(&store, &key).and_then(|s| offer(&s, &config, !a.no_tickets, crate::now()));
        let record = a.record.as_ref().map(|p| {
            if total > 1 {
                let mut s = p.as_os_str().to_owned();
                s.push(format!(".{i}"));
                PathBuf::from(s)
            } else {
                p.clone()
            }
        });
        let mut net = connect(a, &host, port, &config, &name, own_cert, record.as_deref())?;
        if let Some(n) = net.tls.negotiated() {
            if !n.resumed {
                from_file = None;
            }
            let header = if total > 1 {
                format!("connected to {addr} (connection {i} of {total})")
            } else {
                format!("connected to {addr}")
            };
            let view = SessionView {
                header,
                offered,
                held: held(&store, &key),
                from_file,
            };
            eprint!("{}", describe_session(n, a.no_verify, &view));
        }
        if i < total {
            close_after_handshake(&mut net, &name_str)?;
            continue;
        }
        let result = pump(&mut net, &name_str);
        // The session is written even when the last connection ended badly after its
        // handshake (the library forgets a session that ended in a fatal alert).
        let saved = match &a.sess_out {
            Some(path) => save_session(path, &store, &key, net.tls.negotiated()),
            None => Ok(()),
        };
        return result.and(saved);
    }
    Ok(())
}

/// Connects and completes the handshake (each within `--timeout`).
fn connect(
    a: &Args,
    host: &str,
    port: u16,
    config: &Arc<sanstls_std::ClientConfig>,
    name: &ServerName,
    own_cert: OwnCert,
    record: Option<&Path>,
) -> Result<Net, Failure> {
    let timeout = Duration::from_secs(a.timeout);
    let asked = name.to_string();
    let mut net = open(
        connect_tcp(host, port, timeout)?,
        Arc::clone(config),
        name.clone(),
        record,
    )?;
    net.own_cert = own_cert;
    net.timeout = timeout;
    let seen = Arc::clone(&net.seen);
    let mut printer = a.trace.then(|| {
        trace::stderr_hook(
            Side::Client,
            String::new(),
            trace::Known::common(config.common().suites()),
        )
    });
    net.tls.set_event_hook(Box::new(move |ev| {
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .observe(ev);
        if let Some(p) = &mut printer {
            p(ev);
        }
    }));
    loop {
        match net.tls.handshake() {
            Ok(()) => return Ok(net),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                // Wake up at the handshake's deadline at the latest: `handshake` then
                // fails with the timeout.
                let left = net
                    .tls
                    .connection()
                    .poll_timeout()
                    .map(|at| at.saturating_duration_since(sanstls_std::now()));
                net.wait(left)?;
            }
            Err(e) => return Err(handshake_failure(&e, &net, &asked)),
        }
    }
}

/// Ends a connection right after its handshake (each one before the last with
/// `--reconnect`): close_notify, then whatever the server still sends (to stdout) until
/// its close_notify, for at most [`CLOSE_WAIT`].
fn close_after_handshake(net: &mut Net, asked: &str) -> Result<(), Failure> {
    let deadline = Instant::now() + CLOSE_WAIT;
    let mut out = io::stdout();
    let mut buf = vec![0u8; CHUNK];
    // A transport error after our close_notify loses nothing: the handshake is done and
    // the session kept. A TLS error (an alert) is reported.
    let fail = |e: &io::Error, net: &Net| {
        sanstls_std::tls_error(e)
            .is_some()
            .then(|| stream_failure(e, net, asked, "closing"))
    };
    match net.tls.close() {
        Ok(()) => {}
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
        Err(e) => return fail(&e, net).map_or(Ok(()), Err),
    }
    loop {
        if net.tls.wants_write() {
            match net.tls.flush() {
                Ok(()) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                Err(e) => return fail(&e, net).map_or(Ok(()), Err),
            }
        }
        loop {
            match net.tls.read(&mut buf) {
                // The server's close_notify: done.
                Ok(0) => return Ok(()),
                Ok(n) => {
                    to_stdout(&mut out, &buf[..n])?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return fail(&e, net).map_or(Ok(()), Err),
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            eprintln!(
                "the server did not answer our close_notify within {}: reconnecting anyway",
                seconds(CLOSE_WAIT)
            );
            return Ok(());
        }
        net.wait(Some(left))?;
    }
}

/// `--sess-out`: writes the session the client holds for the server to `path`.
fn save_session(
    path: &Path,
    store: &SessionCache,
    key: &str,
    negotiated: Option<&Negotiated>,
) -> Result<(), Failure> {
    let Some(bytes) = StoresClientSessions::get(store, key) else {
        let why = match negotiated {
            Some(n) if !n.extended_master_secret => {
                "the server did not use the extended master secret (RFC 7627), and sanstls \
                 keeps no session without it"
            }
            Some(_) => {
                "the server gave neither a session ID nor a session ticket: it does not let \
                 this session be resumed"
            }
            None => "the connection ended before its handshake completed",
        };
        return Err(Failure::new(
            exit::TLS,
            format!("no session to write to {}: {why}", path.display()),
        ));
    };
    session_file::write(path, &bytes)?;
    eprintln!("session written to {}", path.display());
    Ok(())
}

/// Makes the connected socket non-blocking and registers it with a new event loop.
fn open(
    sock: TcpStream,
    config: Arc<sanstls_std::ClientConfig>,
    name: ServerName,
    record: Option<&Path>,
) -> Result<Net, Failure> {
    let net = |what: &str, e: &io::Error| Failure::new(exit::NETWORK, format!("{what}: {e}"));
    sock.set_nonblocking(true)
        .map_err(|e| net("making the socket non-blocking", &e))?;
    let _ = sock.set_nodelay(true);
    let mut sock = mio::net::TcpStream::from_std(sock);
    let poll = Poll::new().map_err(|e| net("creating the event loop", &e))?;
    poll.registry()
        .register(&mut sock, SOCK, Interest::READABLE | Interest::WRITABLE)
        .map_err(|e| net("registering the socket", &e))?;
    // Always from a seed (see `recording::fresh_seed`), which a recording keeps.
    let seed = recording::fresh_seed();
    let tape = match record {
        Some(path) => {
            let header = format::Header {
                role: format::Role::Client,
                seed,
                args: recording::command_args(),
                cwd: recording::cwd(),
                label: String::new(),
            };
            Some(
                recording::Tape::create(path, &header)
                    .map_err(|m| Failure::new(exit::CONFIG, m))?,
            )
        }
        None => None,
    };
    // The store's answers while the connection is made and runs go to its tape.
    recording::set_current(tape.clone());
    let now = sanstls_std::now();
    let conn = sanstls_std::Connection::client(
        config,
        name,
        now,
        &mut sanstls_crypto::rng::SeededRng::from_seed(seed),
    );
    let conn = match conn {
        Ok(c) => c,
        Err(e) => {
            if let Some(tape) = &tape {
                recording::finish(tape, "");
                recording::set_current(None);
            }
            return Err(Failure::new(exit::TLS, format!("{e}")));
        }
    };
    let mut net = Net {
        tls: TlsStream::from_connection(sock, conn),
        poll,
        events: Events::with_capacity(8),
        seen: Arc::default(),
        own_cert: OwnCert::None,
        timeout: Duration::from_secs(30),
        tape,
    };
    if let Some(tape) = &net.tape {
        recording::append(
            tape,
            &format::Ev::Open {
                now: recording::millis(now),
            },
        );
        net.tls
            .set_call_hook(recording::call_hook(Arc::clone(tape)));
    }
    Ok(net)
}

fn handshake_failure(e: &io::Error, net: &Net, asked: &str) -> Failure {
    match sanstls_std::tls_error(e) {
        // "handshake timed out after 30 s: ..." says it already.
        Some(t @ sanstls_proto::Error::HandshakeTimeout { .. }) => {
            Failure::new(exit::TLS, explain::client_error(t, &net.view(asked)))
        }
        Some(t) => Failure::new(
            exit::TLS,
            format!(
                "handshake failed: {}",
                explain::client_error(t, &net.view(asked))
            ),
        ),
        None => Failure::new(
            exit::TLS,
            format!("handshake failed: {}", crate::io_text(e, "server")),
        ),
    }
}

/// The negotiated record sizes for people: "sent <= 1024, received <= 1024 bytes
/// (record_size_limit)".
pub(crate) fn record_sizes(n: &Negotiated) -> String {
    let by = match n.fragment_limit_by {
        Some(sanstls_std::proto::ExtensionType::MAX_FRAGMENT_LENGTH) => " (max_fragment_length)",
        Some(sanstls_std::proto::ExtensionType::RECORD_SIZE_LIMIT) => " (record_size_limit)",
        _ => "",
    };
    format!(
        "sent <= {}, received <= {} bytes{by}",
        n.max_fragment_sent, n.max_fragment_received
    )
}

/// The session summary printed on stderr after each handshake: a headline, the line
/// that starts `New` or `Reused` (like `openssl s_client`, for scripts to grep), then
/// the parameters.
fn describe_session(n: &Negotiated, no_verify: bool, v: &SessionView<'_>) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let yes = |b: bool| if b { "yes" } else { "no" };
    let suite = format!(
        "{} ({})",
        suites::iana_name(n.suite),
        suites::openssl_name(n.suite).unwrap_or("?")
    );
    let _ = writeln!(s, "{}", v.header);
    let _ = writeln!(
        s,
        "{}, TLS 1.2, cipher {suite}",
        if n.resumed { "Reused" } else { "New" }
    );
    let _ = writeln!(s, "  protocol:   TLS 1.2");
    let _ = writeln!(s, "  suite:      {suite}");
    let _ = writeln!(s, "  key exchange: {}", suites::key_exchange_text(n));
    if let (Some(bits), false) = (n.dh_bits, n.resumed) {
        let _ = writeln!(s, "  DH group:   {bits} bits");
    }
    let _ = writeln!(s, "  session:    {}", session_line(n, v));
    let _ = writeln!(
        s,
        "  extended master secret: {}",
        yes(n.extended_master_secret)
    );
    let _ = writeln!(s, "  encrypt-then-MAC:       {}", suites::etm_text(n));
    let _ = writeln!(s, "  record sizes:           {}", record_sizes(n));
    let alpn = n.alpn.as_deref().map_or_else(
        || "(none)".to_string(),
        |p| String::from_utf8_lossy(p).into_owned(),
    );
    let _ = writeln!(s, "  ALPN:       {alpn}");
    if let Some(id) = &n.psk_identity {
        let _ = writeln!(s, "  PSK identity: {}", crate::psk::identity_text(id));
    }
    if let Some(leaf) = n
        .peer_certificates
        .first()
        .and_then(|c| CertSummary::parse(c))
    {
        let _ = writeln!(s, "  server certificate:");
        s.push_str(&leaf.describe("    "));
    }
    if let (Some(id), false) = (&n.psk_identity, n.resumed) {
        let _ = writeln!(
            s,
            "  verification: by the pre-shared key (no certificate): the server proved it \
             holds the key of identity {} (its Finished decrypted and verified)",
            crate::psk::identity_text(id)
        );
    } else if no_verify {
        let _ = writeln!(
            s,
            "  verification: NOT DONE (--no-verify): the server is NOT authenticated"
        );
    } else if let (true, Some(file)) = (n.resumed, v.from_file) {
        let _ = writeln!(
            s,
            "  verification: not repeated: the session from {} was resumed (the server \
             proved it holds the session's master secret; its certificate was checked by \
             the client that wrote the file)",
            file.display()
        );
    } else if n.resumed {
        let _ = writeln!(
            s,
            "  verification: OK in this session's full handshake (not repeated: the server \
             proved it holds the session's master secret)"
        );
    } else {
        let _ = writeln!(
            s,
            "  verification: OK (chain to a trusted root, name matches, valid at {})",
            certinfo::now_string(crate::now())
        );
    }
    s.push_str("---\n");
    s
}

/// The `session:` line of the summary: resumed (and how), or a full handshake and
/// whether the server let the session be resumed.
fn session_line(n: &Negotiated, v: &SessionView<'_>) -> String {
    if n.resumed {
        let by = v
            .offered
            .map_or_else(String::new, |o| format!(" by {}", o.name()));
        return format!("resumed{by} (abbreviated handshake: no certificate, no key exchange)");
    }
    let refused = if v.offered.is_some() {
        "the server did not resume the session offered; "
    } else {
        ""
    };
    let resumable = match &v.held {
        Some(h) => match (h.session_id().is_empty(), h.ticket().is_some()) {
            (false, true) => "resumable by session ID and ticket",
            (false, false) => "resumable by session ID",
            (true, true) => "resumable by ticket",
            (true, false) => "not resumable",
        },
        None if !n.extended_master_secret => "not resumable (no extended master secret, RFC 7627)",
        None => "not resumable (the server gave neither a session ID nor a ticket)",
    };
    format!("new (full handshake; {refused}{resumable})")
}

/// Reads stdin on its own thread, in chunks, into a bounded queue (the thread waits
/// while the queue is full); `None` marks its end. Each chunk wakes the event loop.
fn spawn_stdin(waker: Arc<Waker>) -> mpsc::Receiver<Option<Vec<u8>>> {
    let (tx, rx) = mpsc::sync_channel(STDIN_QUEUE);
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let item = match stdin.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => Some(buf[..n].to_vec()),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    eprintln!("reading stdin failed: {e}; ending the input here");
                    None
                }
            };
            let end = item.is_none();
            if tx.send(item).is_err() {
                return;
            }
            let _ = waker.wake();
            if end {
                return;
            }
        }
    });
    rx
}

/// Copies stdin to the server and the server's data to stdout until both are done.
///
/// One thread, a non-blocking socket: each turn reads everything the socket has (to
/// stdout), then sends as much of stdin as the socket takes, then waits for the socket
/// or stdin. It never blocks in a write while the server's data waits to be read (a
/// server that echoes would otherwise block writing to us while we block writing to
/// it), and it takes no more stdin while TLS output waits for the socket.
///
/// Bounds: output the server leaves untaken for `--timeout` fails the connection ("not
/// reading"); after our close_notify the server's is awaited for [`CLOSE_WAIT`].
fn pump(net: &mut Net, asked: &str) -> Result<(), Failure> {
    // The loop keeps a handle on the waker: the stdin thread's ends when the thread
    // does, and a waker closed before the loop saw its last wake-up would lose it.
    let waker = Arc::new(Waker::new(net.poll.registry(), STDIN).map_err(|e| {
        Failure::new(
            exit::NETWORK,
            format!("creating the event loop's waker failed: {e}"),
        )
    })?);
    let input = spawn_stdin(Arc::clone(&waker));
    let mut out = io::stdout();
    let mut buf = vec![0u8; CHUNK];
    // The stdin chunk being sent, and how much of it the connection took.
    let mut chunk: Vec<u8> = Vec::new();
    let mut taken = 0;
    let mut stdin_open = true;
    let mut close_pending = false;
    // When our close_notify was queued.
    let mut close_sent: Option<Instant> = None;
    // When the server last sent data, and when our last input had left.
    let mut last_rx = Instant::now();
    let mut flushed_at: Option<Instant> = None;
    // When output last moved to the socket (or there was none to move).
    let mut write_progress = Instant::now();
    loop {
        // The server's data, until the socket has no more.
        loop {
            match net.tls.read(&mut buf) {
                Ok(0) => {
                    // The server's close_notify; the connection queued its answer (RFC
                    // 5246 §7.2.1): make sure it leaves.
                    let _ = out.flush();
                    if stdin_open {
                        eprintln!("the server closed the connection (close_notify)");
                    }
                    return finish_close(net);
                }
                Ok(n) => {
                    last_rx = Instant::now();
                    to_stdout(&mut out, &buf[..n])?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    let _ = out.flush();
                    eprintln!("{TRUNCATION_WARNING}");
                    return Ok(());
                }
                Err(e) => return Err(stream_failure(&e, net, asked, "reading")),
            }
        }
        // stdin to the server, while the socket takes it.
        let mut timeout = None;
        loop {
            let pending_before = net.tls.connection().poll_transmit().len();
            let step = if net.tls.wants_write() {
                net.tls.flush().map(|()| true)
            } else if taken < chunk.len() {
                net.tls.write(&chunk[taken..]).map(|n| {
                    taken += n;
                    true
                })
            } else if close_pending {
                // End of input, and all of it has left: close_notify (RFC 5246 §7.2.1)
                // once the server has been quiet for a moment, then read on until it
                // closes too. TLS 1.2 has no half-close: a server answers close_notify
                // at once and drops what it has not sent yet, so closing right behind
                // the last input would cut its answer to it.
                let now = Instant::now();
                let since = *flushed_at.get_or_insert(now);
                let due = (last_rx.max(since) + CLOSE_QUIET).min(since + CLOSE_LINGER_MAX);
                if now >= due {
                    close_pending = false;
                    close_sent = Some(now);
                    net.tls.close().map(|()| false)
                } else {
                    timeout = Some(due - now);
                    Ok(false)
                }
            } else if stdin_open {
                match input.try_recv() {
                    Ok(Some(data)) => {
                        chunk = data;
                        taken = 0;
                        Ok(true)
                    }
                    Ok(None) | Err(mpsc::TryRecvError::Disconnected) => {
                        stdin_open = false;
                        close_pending = true;
                        Ok(true)
                    }
                    Err(mpsc::TryRecvError::Empty) => Ok(false),
                }
            } else {
                Ok(false)
            };
            let pending_after = net.tls.connection().poll_transmit().len();
            if pending_after == 0 || pending_after < pending_before {
                write_progress = Instant::now();
            }
            match step {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    let what = if stdin_open { "sending" } else { "closing" };
                    return Err(stream_failure(&e, net, asked, what));
                }
            }
        }
        let now = Instant::now();
        if net.tls.wants_write() {
            // Output waits for the server to read it.
            let stalled = now.saturating_duration_since(write_progress);
            if stalled >= net.timeout {
                return Err(Failure::new(
                    exit::TLS,
                    format!(
                        "the server is not reading: no write progress for {}",
                        seconds(net.timeout)
                    ),
                ));
            }
            let left = net.timeout.saturating_sub(stalled);
            timeout = Some(timeout.map_or(left, |t: Duration| t.min(left)));
        }
        if let Some(at) = close_sent {
            let waited = now.saturating_duration_since(at);
            if waited >= CLOSE_WAIT {
                let _ = out.flush();
                eprintln!(
                    "the server did not answer our close_notify within {}: closing the \
                     connection anyway",
                    seconds(CLOSE_WAIT)
                );
                return Ok(());
            }
            let left = CLOSE_WAIT.saturating_sub(waited);
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        net.wait(timeout)?;
    }
}

/// What `sanstls client` says when the server ends the TCP connection without a TLS
/// close_notify (RFC 5246 §7.2.1): the exit status stays 0, like `openssl s_client`.
const TRUNCATION_WARNING: &str = "WARNING: the server ended the connection without a TLS \
     close_notify. The data above may be incomplete: the server may have stopped early, \
     or an attacker on the path may have cut the connection (TLS cannot tell these \
     apart). Do not rely on having received everything.";

/// Writes what the server sent to stdout, flushed (a failed write exits as a network
/// failure).
fn to_stdout(out: &mut impl Write, data: &[u8]) -> Result<(), Failure> {
    out.write_all(data)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::new(exit::NETWORK, format!("writing to stdout: {e}")))
}

/// Delivers our answering close_notify after the server's (best effort, for at most
/// [`CLOSE_WAIT`]: the server may already be gone, or not reading).
fn finish_close(net: &mut Net) -> Result<(), Failure> {
    let deadline = Instant::now() + CLOSE_WAIT;
    while net.tls.wants_write() {
        match net.tls.flush() {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                net.wait(Some(left))?;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    Ok(())
}

fn stream_failure(e: &io::Error, net: &Net, asked: &str, what: &str) -> Failure {
    match sanstls_std::tls_error(e) {
        Some(t) => Failure::new(
            exit::TLS,
            format!(
                "the connection failed while {what}: {}",
                explain::client_error(t, &net.view(asked))
            ),
        ),
        None => Failure::new(
            exit::NETWORK,
            format!(
                "the connection failed while {what}: {}",
                crate::io_text(e, "server")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            split_address("localhost:4433").unwrap(),
            ("localhost".to_string(), 4433)
        );
        assert_eq!(
            split_address("[::1]:443").unwrap(),
            ("::1".to_string(), 443)
        );
        assert_eq!(split_address("localhost").unwrap_err().code, exit::USAGE);
        assert_eq!(split_address(":443").unwrap_err().code, exit::USAGE);
        assert_eq!(split_address("h:99999").unwrap_err().code, exit::USAGE);
    }

    #[test]
    fn alpn_values() {
        assert_eq!(
            alpn_list(&["h2,http/1.1".into(), " x ".into()]),
            [b"h2".to_vec(), b"http/1.1".to_vec(), b"x".to_vec()]
        );
    }
}
