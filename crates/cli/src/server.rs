//! `sanstls server`: an `openssl s_server`-like TLS server.
//!
//! Each client gets its own thread (kept for the next client when done: [`workers`]),
//! up to `--max-connections` at once; then the server
//! accepts one more connection and holds it (unread) until a slot frees, closing a
//! stalled connection to make room ([`slots`]), while the kernel's accept queue holds
//! the ones behind it. Every wait of a connection is bounded ([`serve`]): the
//! handshake, idle time and write progress. A client whose first line is an HTTP/1.x
//! request line gets a small page describing its session (`Connection: close`);
//! anything else is echoed back until the client closes. One connection's failure is
//! logged on stderr and does not stop the server.
//!
//! Sessions are resumable by default (RFC 5246 §7.3): a session cache for session IDs
//! (`--session-cache N`, 0 for none) and session tickets (RFC 5077) under keys of this
//! process, rotated every 12 hours (`--no-tickets` for none). The log line and the page
//! say whether a connection resumed its session.

mod http;
mod serve;
mod slots;
mod workers;

use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sanstls_pki::WebPkiClientVerifier;
use sanstls_proto::{
    DEFAULT_SERVER_SESSION_CAPACITY, DEFAULT_TICKET_PERIOD, Negotiated, PrivateKey, ServerConfig,
    SessionCache, StoresServerSessions, TicketKeys, Ticketer,
};
use sanstls_std::load;
use sanstls_wire::enums::KeyExchange;

use crate::certinfo::CertSummary;
use crate::client::{alpn_list, config_failure};
use crate::{Failure, exit, recording, suites};

/// Options of `sanstls server`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Certificate chain to present (PEM, leaf first). Required unless a PSK is given
    /// (--psk-identity/--psk or --psk-file): the server then serves the PSK suites
    /// only.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Private key of --cert (PEM): RSA (PKCS#1 `RSA PRIVATE KEY`), EC on P-256 or
    /// P-384 (SEC 1 `EC PRIVATE KEY`), or either as PKCS#8 (`PRIVATE KEY`). An RSA key
    /// serves the ECDHE_RSA, DHE_RSA and RSA suites, an EC key the ECDHE_ECDSA suites.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:4433")]
    addr: SocketAddr,
    /// Accept this ALPN protocol (repeat the option or give a comma-separated list, in
    /// preference order).
    #[arg(long, value_name = "PROTO")]
    alpn: Vec<String>,
    /// Accept only this cipher suite (repeatable or comma-separated; IANA or OpenSSL
    /// name, e.g. ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305,
    /// DHE-RSA-AES128-SHA256, AES128-SHA256, PSK-AES128-GCM-SHA256,
    /// ECDHE-PSK-CHACHA20-POLY1305). Default: the library's list (the certificate
    /// suites the key fits; with a PSK also the PSK suites, and without --cert only
    /// them; the CCM_8 suites only when named).
    #[arg(long, value_name = "NAME")]
    suite: Vec<String>,
    /// Accept only these ECDHE groups, in preference order (repeatable or
    /// comma-separated; any case): x25519, secp256r1 (also P-256, prime256v1),
    /// secp384r1 (also P-384). The server picks its first group the client offers.
    /// Default: x25519,secp256r1,secp384r1.
    #[arg(long, value_name = "LIST")]
    groups: Vec<String>,
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
    /// Serve at most N connections at once (a thread each). At the limit the server
    /// accepts one more connection and holds it, unread, until a slot frees: the
    /// connection that has made no progress for the longest time is closed to make
    /// room if that is at least 5 s (an idle client, a stalled handshake, a client
    /// that does not read); otherwise the new one waits until a connection closes.
    /// Connections behind it wait in the kernel's accept queue. The server logs on
    /// stderr when it reaches the limit.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 256,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    max_connections: u32,
    /// Close a connection whose TLS handshake has not completed SECS seconds after it
    /// was accepted.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    handshake_timeout: u64,
    /// Close a connection after SECS seconds without application data from the
    /// client (counted in whole TLS records, not bytes); an HTTP request head must
    /// also be complete within SECS seconds of its first byte.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    idle_timeout: u64,
    /// Close a connection when the client takes none of the server's data for SECS
    /// seconds (it stopped reading while the server writes, e.g. an echo).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    write_timeout: u64,
    /// Issue no session tickets (RFC 5077). By default the server gives clients that ask
    /// a ticket: the session's state encrypted under a key of this process (a new
    /// random key at start, rotated every 12 hours), which the client presents to
    /// resume it.
    #[arg(long)]
    no_tickets: bool,
    /// Keep up to N sessions for session-ID resumption (RFC 5246 §7.4.1.2), the least
    /// recently used going first; 0 keeps none (the ServerHello's session ID is then
    /// empty).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SERVER_SESSION_CAPACITY)]
    session_cache: usize,
    /// Record every connection into DIR for `sanstls replay`, one file each
    /// (conn-N-UNIXMS.sanstls-rec): the seed of its random generator, the times, every
    /// byte received, the session cache's and ticketer's answers, and this command
    /// line. The private key is NOT in the recording: the replay reads --key (and
    /// --psk-file) again; a key given with --psk is, as part of the command line.
    /// Whoever has a recording can decrypt its connection. See docs/RECORDING.md.
    #[arg(long, value_name = "DIR")]
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
    /// The PSK identity hint sent to clients in the ServerKeyExchange (RFC 4279 §5.2),
    /// to help them pick a key; default none. Needs a PSK.
    #[arg(long, value_name = "HINT")]
    psk_hint: Option<String>,
}

impl Args {
    /// Makes the relative paths of the options that a replay reads again relative to
    /// `base` (the directory the recorded command ran in); returns those paths.
    pub(crate) fn resolve_paths(&mut self, base: &std::path::Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for p in [
            self.cert.as_mut(),
            self.key.as_mut(),
            self.client_ca.as_mut(),
        ]
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

/// What [`build_config`] makes: the configuration, the server's key in words, and
/// whether the key is EC (`None`: no key).
type Built = (Arc<ServerConfig>, Arc<str>, Option<bool>);

/// The configuration, the server's key in words ("RSA 2048 bits", "EC P-256
/// (secp256r1)", or that there is none) for the session page, and whether the key is
/// EC (`None`: no certificate, PSK suites only). `mode`: whether the session cache's
/// and the ticketer's answers are recorded (`--record`) or replayed; either way traces
/// are on (a recording counts the events).
fn build_config(a: &Args, mode: Option<&recording::Mode>) -> Result<Built, Failure> {
    let accepted = suites::parse_list(&a.suite).map_err(|m| Failure::new(exit::USAGE, m))?;
    let groups = suites::parse_groups(&a.groups).map_err(|m| Failure::new(exit::USAGE, m))?;
    let psks = a.psk.table()?;
    if a.psk_hint.is_some() && psks.is_none() {
        return Err(Failure::new(
            exit::USAGE,
            "--psk-hint needs a PSK: give --psk-identity and --psk, or --psk-file",
        ));
    }
    if a.cert.is_none() && psks.is_none() {
        return Err(Failure::new(
            exit::USAGE,
            "give --cert FILE and --key FILE, or a pre-shared key (--psk-identity ID --psk \
             HEX, or --psk-file PATH) to serve the PSK suites without a certificate",
        ));
    }
    crate::psk::check_suites(
        &accepted,
        psks.is_some(),
        a.cert.is_some(),
        "add --cert FILE and --key FILE",
    )?;
    let provider = crate::provider::provider(a.provider)?;
    let key = match (&a.cert, &a.key) {
        (Some(cert), Some(key_file)) => {
            let key = load::certified_key(cert, key_file).map_err(|e| config_failure(&e))?;
            Some(crate::provider::with_provider(
                key,
                cert,
                key_file,
                provider.as_deref(),
            )?)
        }
        _ => None,
    };
    let key_text: Arc<str> = match &key {
        Some(key) => key
            .chain()
            .first()
            .and_then(|c| CertSummary::parse(c))
            .map_or_else(|| "(unreadable)".to_string(), |c| c.key),
        None => "(none: pre-shared keys only)".to_string(),
    }
    .into();
    let key_is_ec = key
        .as_ref()
        .map(|k| matches!(k.key(), PrivateKey::Ecdsa(_)));
    // Tickets are protected by keys from this process's random generator, which
    // rotate every DEFAULT_TICKET_PERIOD: a restart forgets them (its tickets then get
    // a full handshake), as it forgets the session cache.
    let ticketer = (!a.no_tickets).then(|| {
        let keys = Arc::new(TicketKeys::new(
            &mut sanstls_std::os_rng(),
            DEFAULT_TICKET_PERIOD,
        )) as Arc<dyn Ticketer>;
        match mode {
            Some(mode) => Arc::new(recording::Oracle {
                mode: mode.clone(),
                inner: keys,
            }) as Arc<dyn Ticketer>,
            None => keys,
        }
    });
    let store = (a.session_cache > 0).then(|| {
        let cache = Arc::new(SessionCache::new(a.session_cache));
        match mode {
            Some(mode) => Arc::new(recording::Oracle {
                mode: mode.clone(),
                inner: cache,
            }) as Arc<dyn StoresServerSessions>,
            None => cache as Arc<dyn StoresServerSessions>,
        }
    });
    let mut b = sanstls_std::server_config_builder()
        .trace(a.trace || mode.is_some())
        .session_store(store)
        .ticketer(ticketer)
        .handshake_timeout(Duration::from_secs(a.handshake_timeout))
        .max_fragment_len(a.records.max_fragment_len());
    if let Some(key) = key {
        b = b.single_cert(key);
    }
    if let Some((table, longest)) = psks {
        // Identities longer than the library's default limit (128 bytes) are
        // accepted when the table holds one.
        b = b
            .psk_store(Arc::new(table))
            .max_psk_identity_len(longest.max(sanstls_proto::psk::DEFAULT_MAX_PSK_IDENTITY_LEN));
        if let Some(hint) = &a.psk_hint {
            b = b.psk_identity_hint(hint.as_bytes());
        }
    }
    if let Some(provider) = provider {
        b = b.crypto_provider(provider);
    }
    if !accepted.is_empty() {
        b = b.cipher_suites(&accepted);
    }
    if !groups.is_empty() {
        b = b.groups(&groups);
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
    let config = b.build().map(Arc::new).map_err(|e| {
        let files = match (&a.cert, &a.key) {
            (Some(c), Some(k)) => format!(" (files {} and {})", c.display(), k.display()),
            _ => String::new(),
        };
        Failure::new(
            exit::CONFIG,
            format!("the server configuration was refused: {e}{files}"),
        )
    })?;
    Ok((config, key_text, key_is_ec))
}

/// What `--trace` may explain for `config`: what is common to the suites this server
/// can choose with its key (an EC key only the ECDHE_ECDSA ones, an RSA key the
/// others; `None`, no key: the PSK suites only) and its PSKs; a failure when there are
/// none.
fn trace_known(
    config: &ServerConfig,
    key_is_ec: Option<bool>,
) -> Result<crate::trace::Known, Failure> {
    let usable: Vec<_> = config
        .common()
        .suites()
        .iter()
        .copied()
        .filter(|s| match s.key_exchange() {
            Some(kx) if kx.is_psk() => true,
            kx => key_is_ec.is_some_and(|ec| kx.is_some_and(KeyExchange::is_ecdsa) == ec),
        })
        .collect();
    if usable.is_empty() {
        let why = if key_is_ec == Some(true) {
            "the key of --cert is EC, which serves only the ECDHE_ECDSA suites, and --suite \
             names none (e.g. --suite ECDHE-ECDSA-AES128-GCM-SHA256)"
        } else {
            "the key of --cert is RSA, which serves the ECDHE_RSA, DHE_RSA and RSA suites, \
             and --suite names only ECDHE_ECDSA suites (e.g. --suite \
             ECDHE-RSA-AES128-GCM-SHA256)"
        };
        return Err(Failure::new(
            exit::CONFIG,
            format!("no cipher suite can be served: {why}"),
        ));
    }
    Ok(crate::trace::Known::common(&usable))
}

/// What `sanstls replay` needs to make a recorded server connection again: its
/// configuration (the session cache and ticketer answering from the recording) and
/// what the trace may explain.
pub(crate) fn replay_parts(
    a: &Args,
    answers: Arc<recording::Answers>,
) -> Result<(Arc<ServerConfig>, crate::trace::Known), Failure> {
    let (config, _, key_is_ec) = build_config(a, Some(&recording::Mode::Replay(answers)))?;
    let known = trace_known(&config, key_is_ec)?;
    Ok((config, known))
}

/// Runs the server until it is killed.
pub(crate) fn run(a: &Args) -> Result<(), Failure> {
    let mode = a.record.is_some().then_some(recording::Mode::Record);
    let (config, key_text, key_is_ec) = build_config(a, mode.as_ref())?;
    let known = trace_known(&config, key_is_ec)?;
    let record = match &a.record {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::new(
                    exit::CONFIG,
                    format!(
                        "cannot create the recording directory {}: {e}",
                        dir.display()
                    ),
                )
            })?;
            Some(Arc::new(serve::Record {
                dir: dir.clone(),
                args: recording::command_args(),
                cwd: recording::cwd(),
            }))
        }
        None => None,
    };
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

    let limits = serve::Limits {
        handshake: Duration::from_secs(a.handshake_timeout),
        idle: Duration::from_secs(a.idle_timeout),
        write: Duration::from_secs(a.write_timeout),
    };
    let slots = slots::Slots::new(slots::PRESSURE_GRACE);
    let mut workers = workers::Workers::new(workers::KEEP_IDLE);
    let mut next_id: u64 = 0;
    loop {
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
        // At the limit this waits, holding the new connection unread, until a slot
        // frees (a stalled connection may be closed to make room); the kernel's accept
        // queue holds the connections behind it.
        let slot = match slots.take(a.max_connections, id, &sock) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("[#{id} {peer}] cannot track the connection ({e}): closing it");
                continue;
            }
        };
        let config = Arc::clone(&config);
        let key_text = Arc::clone(&key_text);
        let trace = a.trace.then_some(known);
        let record = record.clone();
        let spawned = workers.run(Box::new(move || {
            let label = format!("[#{id} {peer}]");
            if let Err(msg) = serve::serve(
                sock,
                config,
                &key_text,
                limits,
                trace,
                &label,
                slot.tracker(),
                record.as_deref().map(|r| (r, id)),
            ) {
                eprintln!("{label} {msg}");
            }
            drop(slot);
        }));
        if let Err(e) = spawned {
            eprintln!("[#{id} {peer}] cannot start a thread for the connection: {e}");
        }
    }
}

/// The session in one log line: the suite, whether the session was resumed
/// (`session=resumed`) or made by a full handshake (`session=new`), the key exchange's
/// group (`group=x25519`, `DH=2048`), EMS, EtM (`n/a` for AEAD suites), ALPN, SNI, the
/// client's PSK identity (`PSK=client1`), the client's certificate.
pub(crate) fn one_line(n: &Negotiated) -> String {
    use std::fmt::Write as _;
    let mut s = format!(
        "{} {}",
        suites::iana_name(n.suite),
        if n.resumed {
            "session=resumed"
        } else {
            "session=new"
        }
    );
    if !n.resumed {
        if let Some(g) = n.ec_group {
            let _ = write!(s, " group={}", suites::group_name(g));
        } else if let Some(bits) = n.dh_bits {
            let _ = write!(s, " DH={bits}");
        }
    }
    let _ = write!(
        s,
        " EMS={} EtM={}",
        if n.extended_master_secret {
            "yes"
        } else {
            "no"
        },
        if suites::is_aead(n.suite) {
            "n/a"
        } else if n.encrypt_then_mac {
            "yes"
        } else {
            "no"
        }
    );
    if let Some(a) = &n.alpn {
        let _ = write!(s, " ALPN={}", String::from_utf8_lossy(a));
    }
    if let Some(sni) = &n.server_name {
        let _ = write!(s, " SNI={sni}");
    }
    if let Some(id) = &n.psk_identity {
        let _ = write!(s, " PSK={}", crate::psk::identity_text(id));
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
