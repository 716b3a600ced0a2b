//! One connection of `sanstls server`: the handshake, then an HTTP page or an echo,
//! each wait bounded.
//!
//! The bounds (see `Limits`):
//! - the handshake must complete within `--handshake-timeout` of the moment the server
//!   starts serving the connection (a connection held at `--max-connections` starts
//!   later): the configuration's handshake deadline, which the stream checks, and each
//!   socket read and write bounded by the time left, so a silent or dripping client
//!   cannot outwait it;
//! - after the handshake, the client must send application data within
//!   `--idle-timeout`. Progress is counted in whole records of application data, not
//!   bytes: the deadline is fixed when the server starts waiting and every socket read
//!   gets only the time left, so a client dripping one byte of a record at a time
//!   does not extend it. An HTTP request head (or a first line that may become one)
//!   must be complete within `--idle-timeout` of its first byte, however it is split;
//! - every socket write must make progress (the kernel takes at least one byte) within
//!   `--write-timeout`, so a client that stops reading while the server writes (an
//!   echo, the page) frees its slot.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sanstls_proto::{Error as TlsError, ServerConfig, Side};
use sanstls_std::TlsStream;

use super::http::{self, Kind, MAX_REQUEST_HEAD};
use super::one_line;
use super::slots::{Phase, Tracker};
use crate::recording::{self, SharedTape, format};
use crate::{explain, trace};

/// The time bounds of one connection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// `--handshake-timeout`.
    pub handshake: Duration,
    /// `--idle-timeout`.
    pub idle: Duration,
    /// `--write-timeout`.
    pub write: Duration,
}

/// `d` for a log line ("10 s"; "1.5 s"; "250 ms").
pub(crate) fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Which deadline a read or write ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expired {
    Handshake,
    Idle,
    Request,
    Write,
}

/// The connection's socket with deadlines: a read fails with `TimedOut` once the
/// current read deadline has passed (each read waits at most the time left, however
/// few bytes it returns), a write once the kernel took nothing for the write timeout
/// (or the handshake's deadline passed).
struct Guarded {
    sock: TcpStream,
    /// The current read deadline and what it bounds.
    read_deadline: Option<(Instant, Expired)>,
    /// The handshake's deadline while it runs (bounds writes too).
    handshake_deadline: Option<Instant>,
    write_timeout: Duration,
    /// The socket timeouts last set (to skip redundant system calls).
    set_read: Option<Duration>,
    set_write: Option<Duration>,
    /// Which deadline stopped the last failed call.
    expired: Option<Expired>,
    /// Bytes received, for the handshake timeout's log line.
    received: u64,
}

/// At least this much: a zero timeout means "none" to the socket API.
const MIN_WAIT: Duration = Duration::from_millis(1);

impl Guarded {
    fn timed_out(&mut self, what: Expired) -> io::Error {
        self.expired = Some(what);
        io::Error::new(ErrorKind::TimedOut, "deadline passed")
    }
}

impl Read for Guarded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let timeout = match self.read_deadline {
                Some((at, what)) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(self.timed_out(what));
                    }
                    Some(left.max(MIN_WAIT))
                }
                None => None,
            };
            if timeout != self.set_read {
                self.sock.set_read_timeout(timeout)?;
                self.set_read = timeout;
            }
            match self.sock.read(buf) {
                Ok(n) => {
                    self.received += n as u64;
                    return Ok(n);
                }
                // The socket's timeout: the loop checks the deadline.
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Write for Guarded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (limit, what) = match self.handshake_deadline {
            Some(at) => {
                let left = at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(self.timed_out(Expired::Handshake));
                }
                if left < self.write_timeout {
                    (left.max(MIN_WAIT), Expired::Handshake)
                } else {
                    (self.write_timeout, Expired::Write)
                }
            }
            None => (self.write_timeout, Expired::Write),
        };
        if Some(limit) != self.set_write {
            self.sock.set_write_timeout(Some(limit))?;
            self.set_write = Some(limit);
        }
        match self.sock.write(buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(self.timed_out(what))
            }
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

/// `--record DIR`: where the server writes its connections' recordings, and what
/// goes into their headers.
pub(crate) struct Record {
    pub dir: PathBuf,
    /// The command line after `server`, without `--record`.
    pub args: Vec<String>,
    pub cwd: String,
}

/// The recording of connection `id`, if the server records: its tape, also the
/// thread's current one (for the session cache and ticketer), until it is finished.
fn start_recording(
    record: Option<(&Record, u64)>,
    seed: [u8; 32],
    label: &str,
) -> Result<Option<SharedTape>, String> {
    let Some((r, id)) = record else {
        return Ok(None);
    };
    let path = r.dir.join(format!(
        "conn-{id}-{}.sanstls-rec",
        recording::millis(sanstls_std::now())
    ));
    let header = format::Header {
        role: format::Role::Server,
        seed,
        args: r.args.clone(),
        cwd: r.cwd.clone(),
        label: format!("{label} "),
    };
    let tape = recording::Tape::create(&path, &header)?;
    recording::set_current(Some(Arc::clone(&tape)));
    Ok(Some(tape))
}

/// Serves one connection to its end; the error is the log line for a failure.
#[allow(clippy::too_many_arguments)]
pub(crate) fn serve(
    sock: TcpStream,
    config: Arc<ServerConfig>,
    server_key: &str,
    limits: Limits,
    trace: Option<trace::Known>,
    label: &str,
    tracker: &Tracker,
    record: Option<(&Record, u64)>,
) -> Result<(), String> {
    // Always from a seed (see `recording::fresh_seed`), which a recording keeps.
    let seed = recording::fresh_seed();
    let tape = start_recording(record, seed, label).unwrap_or_else(|e| {
        eprintln!("{label} {e}: serving the connection without recording it");
        None
    });
    let result = serve_recorded(
        sock,
        config,
        server_key,
        limits,
        trace,
        label,
        tracker,
        seed,
        tape.as_ref(),
    );
    if let Some(tape) = tape {
        recording::finish(&tape, &format!("{label} "));
        recording::set_current(None);
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn serve_recorded(
    sock: TcpStream,
    config: Arc<ServerConfig>,
    server_key: &str,
    limits: Limits,
    trace: Option<trace::Known>,
    label: &str,
    tracker: &Tracker,
    seed: [u8; 32],
    tape: Option<&SharedTape>,
) -> Result<(), String> {
    let _ = sock.set_nodelay(true);
    let guarded = Guarded {
        sock,
        read_deadline: None,
        handshake_deadline: None,
        write_timeout: limits.write,
        set_read: None,
        set_write: None,
        expired: None,
        received: 0,
    };
    let now = sanstls_std::now();
    let conn = sanstls_std::Connection::server(
        config,
        now,
        &mut sanstls_crypto::rng::SeededRng::from_seed(seed),
    )
    .map_err(|e| e.to_string())?;
    let mut tls = TlsStream::from_connection(guarded, conn);
    if let Some(tape) = tape {
        recording::append(
            tape,
            &format::Ev::Open {
                now: recording::millis(now),
            },
        );
        tls.set_call_hook(recording::call_hook(Arc::clone(tape)));
    }
    if let Some(known) = trace {
        tls.set_event_hook(trace::stderr_hook(Side::Server, format!("{label} "), known));
    }
    // The configuration's deadline (counted from the stream's creation, just now),
    // as an instant for the socket.
    let deadline = tls.connection().poll_timeout().map_or_else(
        || Instant::now() + limits.handshake,
        |at| Instant::now() + at.saturating_duration_since(sanstls_std::now()),
    );
    let g = tls.get_mut();
    g.handshake_deadline = Some(deadline);
    g.read_deadline = Some((deadline, Expired::Handshake));

    let handshake = tls.handshake();
    let g = tls.get_mut();
    g.handshake_deadline = None;
    g.read_deadline = None;
    if let Err(e) = handshake {
        return Err(ended(&e, &tls, limits, tracker, true));
    }
    tracker.progress(Phase::Waiting);
    if let Some(n) = tls.negotiated() {
        eprintln!("{label} {}", one_line(n));
    }
    let Err(e) = talk(&mut tls, server_key, limits, tracker) else {
        return Ok(());
    };
    if tracker.evicted().is_none() {
        if closed_by_peer(&e) {
            // The client's close_notify came right behind its data: the connection
            // answered it and sends nothing more (RFC 5246 §7.2.1: pending writes are
            // discarded). A clean end; make sure the answer leaves.
            let _ = tls.close();
            return Ok(());
        }
        if client_left(&e) {
            // A client that drops the TCP connection after the handshake (s_time,
            // many HTTP clients) has left, and nothing was lost on this side.
            return Ok(());
        }
        if matches!(
            tls.get_ref().expired,
            Some(Expired::Idle | Expired::Request)
        ) {
            // Say goodbye (close_notify), without waiting long for a peer that may
            // not read either.
            let g = tls.get_mut();
            g.write_timeout = g.write_timeout.min(Duration::from_secs(1));
            let _ = tls.close();
        }
    }
    Err(ended(&e, &tls, limits, tracker, false))
}

/// After the handshake: the first bytes decide between an HTTP page and an echo.
fn talk(
    tls: &mut TlsStream<Guarded>,
    server_key: &str,
    limits: Limits,
    tracker: &Tracker,
) -> io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    // The first bytes until they tell HTTP from anything else, then the request head.
    let mut head: Vec<u8> = Vec::new();
    let mut kind = Kind::Undecided;
    // When the first byte of a request (or a possible one) came.
    let mut head_started: Option<Instant> = None;
    loop {
        tls.get_mut().read_deadline = Some(match head_started {
            Some(at) => (at + limits.idle, Expired::Request),
            None => (Instant::now() + limits.idle, Expired::Idle),
        });
        let n = match tls.read(&mut buf) {
            Ok(0) => {
                // The client's close_notify: answer with ours (RFC 5246 §7.2.1).
                let _ = tls.close();
                return Ok(());
            }
            Ok(n) => n,
            Err(e) => return Err(e),
        };
        tracker.progress(Phase::Waiting);
        let data = &buf[..n];
        if kind == Kind::Echo {
            echo(tls, data, tracker)?;
            continue;
        }
        head.extend_from_slice(data);
        if kind == Kind::Undecided {
            kind = http::classify(&head);
        }
        match kind {
            Kind::Undecided => {
                head_started.get_or_insert_with(Instant::now);
                tracker.set_phase(Phase::Request);
            }
            Kind::Echo => {
                let first = std::mem::take(&mut head);
                head_started = None;
                echo(tls, &first, tracker)?;
            }
            Kind::Http => {
                head_started.get_or_insert_with(Instant::now);
                tracker.set_phase(Phase::Request);
                if http::head_complete(&head) || head.len() > MAX_REQUEST_HEAD {
                    return answer_http(tls, server_key, tracker);
                }
            }
        }
    }
}

/// Echoes `data`.
fn echo(tls: &mut TlsStream<Guarded>, data: &[u8], tracker: &Tracker) -> io::Result<()> {
    tracker.set_phase(Phase::Writing);
    match tls.write_all(data).and_then(|()| tls.flush()) {
        Ok(()) => {
            tracker.progress(Phase::Waiting);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Sends the session page and closes.
fn answer_http(
    tls: &mut TlsStream<Guarded>,
    server_key: &str,
    tracker: &Tracker,
) -> io::Result<()> {
    let Some(neg) = tls.negotiated().cloned() else {
        return Err(io::Error::other("no session after the handshake"));
    };
    tracker.set_phase(Phase::Writing);
    let page = http::page(&neg, server_key);
    tls.write_all(&page)
        .and_then(|()| tls.flush())
        .and_then(|()| tls.close())
}

/// Whether a write failed because the connection had already answered the peer's
/// close_notify.
fn closed_by_peer(e: &io::Error) -> bool {
    matches!(
        sanstls_std::tls_error(e),
        Some(TlsError::ApiMisuse(sanstls_proto::ApiMisuse::Closed))
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

/// What to log for a connection that ended with `e` (`Ok` for a clean end: the client
/// left, or closed right behind its data), naming a timeout rather than the socket's
/// error text.
fn ended(
    e: &io::Error,
    tls: &TlsStream<Guarded>,
    limits: Limits,
    tracker: &Tracker,
    in_handshake: bool,
) -> String {
    let g = tls.get_ref();
    if let Some((stalled, phase)) = tracker.evicted() {
        return format!(
            "closed to make room for a new connection (all --max-connections slots \
             taken): no progress for {} ({})",
            secs(Duration::from_secs(stalled.as_secs())),
            phase.doing()
        );
    }
    let hs_timeout = matches!(
        sanstls_std::tls_error(e),
        Some(TlsError::HandshakeTimeout { .. })
    );
    let received = || match g.received {
        0 => "the client sent nothing".to_string(),
        n => format!(
            "the client sent {} in that time",
            trace::count(usize::try_from(n).unwrap_or(usize::MAX), "byte", "bytes")
        ),
    };
    if hs_timeout || (e.kind() == ErrorKind::TimedOut && g.expired == Some(Expired::Handshake)) {
        return format!(
            "handshake timed out after {} ({})",
            secs(limits.handshake),
            received()
        );
    }
    if e.kind() == ErrorKind::TimedOut {
        match g.expired {
            Some(Expired::Idle) => return format!("idle for {}: closing", secs(limits.idle)),
            Some(Expired::Request) => {
                return format!(
                    "request incomplete {} after its first byte: closing",
                    secs(limits.idle)
                );
            }
            Some(Expired::Write) => {
                return format!(
                    "peer not reading: no write progress for {}",
                    secs(limits.write)
                );
            }
            _ => {}
        }
    }
    match sanstls_std::tls_error(e) {
        Some(t) if in_handshake => format!(
            "handshake failed: {}",
            explain::server_error(t, tls.connection().peer_certificates(), crate::now())
        ),
        Some(t) => format!(
            "connection failed: {}",
            explain::server_error(t, tls.connection().peer_certificates(), crate::now())
        ),
        None if in_handshake => format!("handshake failed: {}", crate::io_text(e, "client")),
        None => format!("connection failed: {}", crate::io_text(e, "client")),
    }
}
