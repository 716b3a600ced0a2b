//! Real peers for interop tests: finding `openssl`, `curl` or `python3`, starting them
//! on 127.0.0.1, capturing what they print, and killing them when the test ends (also
//! when it fails).
//!
//! - [`tool`] finds a peer binary (an environment variable such as `OPENSSL` overrides
//!   the search) and fails the test loudly, naming the package to install, when it is
//!   missing.
//! - [`Peer`] owns a spawned process: its stdout and stderr are read on threads into
//!   buffers (so it never blocks on a full pipe, and the test can look at them at any
//!   time), and dropping it kills and reaps the process.
//! - [`s_server`] starts `openssl s_server -tls1_2` on `127.0.0.1:0` with the test
//!   certificate and returns once it listens, with the port it bound.
//! - [`drive`] runs a sanstls [`Connection`] over a [`TcpStream`] to such a peer and
//!   reports what happened in an [`Outcome`]; [`serve_one`] does that for one client
//!   on an ephemeral port, [`serve_many`] for a client that connects several times
//!   (session resumption: every connection shares one server configuration, and so
//!   its session cache and ticket keys).
//!
//! Every wait here is bounded ([`HANG_GUARD`]): a hung peer fails the test with what it
//! printed, instead of hanging the test run. These bounds are guards, not timing
//! assertions.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::UnixTime;
use sanstls_proto::{ClientConfig, Connection, Error, Event, Negotiated, Trace};
use sanstls_wire::enums::AlertDescription;

use crate::fixtures;

/// How long any wait on a peer may take before the test fails: a guard against a hung
/// peer, not a timing assertion.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// The absolute path of `testdata/<name>`, as a string for a peer's command line.
pub fn td(name: &str) -> String {
    fixtures::path(name).display().to_string()
}

/// The wall clock as a [`UnixTime`] (the testdata certificates are valid 2025 to 2045).
pub fn now() -> UnixTime {
    UnixTime::from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the system clock is before 1970"),
    )
}

/// A [`Command`] for the peer binary `name` (`openssl`, `curl`, `python3`, ...).
///
/// The environment variable named after it in upper case (`OPENSSL`, `CURL`, `PYTHON3`)
/// overrides the search; otherwise `/usr/bin`, `/usr/local/bin` and then `PATH` are
/// searched (python3 may come from a version manager on `PATH`).
///
/// # Panics
/// If the binary cannot be found, or the environment variable names a file that does
/// not exist: the message names the package to install. A test never passes silently
/// without its peer.
pub fn tool(name: &str) -> Command {
    Command::new(tool_path(name))
}

/// The path [`tool`] uses for `name`.
///
/// # Panics
/// As [`tool`].
pub fn tool_path(name: &str) -> PathBuf {
    let var: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if let Some(path) = std::env::var_os(&var) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{var}={} does not name a file: point it at the {name} binary, or unset it \
             to search /usr/bin, /usr/local/bin and PATH",
            path.display()
        );
        return path;
    }
    let path_dirs = std::env::var_os("PATH").unwrap_or_default();
    let found = [PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")]
        .into_iter()
        .chain(std::env::split_paths(&path_dirs))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            // The Debian/Ubuntu packages of openssl, curl and python3 have their names.
            "{name} not found in /usr/bin, /usr/local/bin or PATH: install it \
             (apt-get install {name}) or set {var} to its path; the interop tests need it"
        )
    })
}

/// The OpenSSL command line ([`tool`]`("openssl")`; `OPENSSL` overrides it).
pub fn openssl() -> Command {
    tool("openssl")
}

/// What a peer printed so far, and whether its pipes are still open.
#[derive(Default)]
struct Captured {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    stdout_open: bool,
    stderr_open: bool,
}

/// The buffers the reader threads fill, with a condition variable that is signalled on
/// every change.
#[derive(Default)]
struct Shared {
    captured: Mutex<Captured>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Captured> {
        self.captured.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `done` holds for the captured output, or `limit` has passed; whether
    /// it holds.
    fn wait_until(&self, limit: Duration, mut done: impl FnMut(&Captured) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        let mut captured = self.lock();
        loop {
            if done(&captured) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            captured = self
                .changed
                .wait_timeout(captured, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Reads `pipe` to its end into the stdout or stderr buffer of `shared`.
fn drain(mut pipe: impl Read, shared: &Shared, is_stderr: bool) {
    let mut buf = [0u8; 4096];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let mut c = shared.lock();
                if is_stderr {
                    c.stderr.extend_from_slice(&buf[..n]);
                } else {
                    c.stdout.extend_from_slice(&buf[..n]);
                }
                drop(c);
                shared.changed.notify_all();
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let mut c = shared.lock();
    if is_stderr {
        c.stderr_open = false;
    } else {
        c.stdout_open = false;
    }
    drop(c);
    shared.changed.notify_all();
}

/// A spawned peer process. Its stdout and stderr are read on threads into buffers
/// ([`Peer::stdout`], [`Peer::stderr`]); dropping it kills and reaps the process, also
/// when the test panics.
pub struct Peer {
    child: Child,
    shared: Arc<Shared>,
    name: String,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("name", &self.name)
            .field("pid", &self.child.id())
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Spawns `cmd` with stdin closed (`/dev/null`) and stdout and stderr captured.
    ///
    /// # Panics
    /// If the process cannot be started.
    pub fn spawn(cmd: &mut Command) -> Peer {
        cmd.stdin(Stdio::null());
        Peer::start(cmd)
    }

    /// Spawns `cmd` like [`Peer::spawn`], with a pipe to its stdin that the caller
    /// writes to (dropping the [`ChildStdin`] closes it).
    ///
    /// # Panics
    /// If the process cannot be started.
    pub fn spawn_with_stdin(cmd: &mut Command) -> (Peer, ChildStdin) {
        cmd.stdin(Stdio::piped());
        let mut peer = Peer::start(cmd);
        let stdin = peer.child.stdin.take().expect("stdin was piped");
        (peer, stdin)
    }

    /// Spawns `cmd` like [`Peer::spawn`], writes `input` to its stdin (on a thread, so
    /// a peer that does not read cannot block the test) and then closes it.
    ///
    /// # Panics
    /// If the process cannot be started.
    pub fn spawn_with_input(cmd: &mut Command, input: &[u8]) -> Peer {
        let (peer, mut stdin) = Peer::spawn_with_stdin(cmd);
        let input = input.to_vec();
        std::thread::spawn(move || {
            // A peer that exits early closes the pipe; that is its business.
            let _ = stdin.write_all(&input);
        });
        peer
    }

    fn start(cmd: &mut Command) -> Peer {
        let name = Path::new(cmd.get_program())
            .file_name()
            .unwrap_or(OsStr::new("peer"))
            .to_string_lossy()
            .into_owned();
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", cmd.get_program().display()));
        let shared = Arc::new(Shared {
            captured: Mutex::new(Captured {
                stdout_open: true,
                stderr_open: true,
                ..Captured::default()
            }),
            changed: Condvar::new(),
        });
        let out = child.stdout.take().expect("stdout was piped");
        let err = child.stderr.take().expect("stderr was piped");
        let s = Arc::clone(&shared);
        std::thread::spawn(move || drain(out, &s, false));
        let s = Arc::clone(&shared);
        std::thread::spawn(move || drain(err, &s, true));
        Peer {
            child,
            shared,
            name,
        }
    }

    /// The process, e.g. for its id.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// What it has printed on stdout so far (lossy UTF-8).
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.shared.lock().stdout).into_owned()
    }

    /// What it has printed on stderr so far (lossy UTF-8).
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.shared.lock().stderr).into_owned()
    }

    /// Its stdout, then its stderr, so far.
    pub fn output(&self) -> String {
        let c = self.shared.lock();
        let mut s = String::from_utf8_lossy(&c.stdout).into_owned();
        s.push_str(&String::from_utf8_lossy(&c.stderr));
        s
    }

    /// The first complete stdout line (without its line end) that contains `needle`,
    /// waiting for it if need be. Lines are searched from the start of the output each
    /// time (nothing is consumed), so an empty `needle` gives the first line.
    ///
    /// # Panics
    /// If stdout ends, or [`HANG_GUARD`] passes, without such a line: the message holds
    /// everything the peer printed.
    pub fn line_containing(&mut self, needle: &str) -> String {
        let mut hit = None;
        let mut ended = false;
        self.shared.wait_until(HANG_GUARD, |c| {
            let text = String::from_utf8_lossy(&c.stdout);
            // Only complete lines count while the pipe is open: a line may be half
            // written.
            let complete = if c.stdout_open {
                text.rfind('\n').map_or("", |end| &text[..end])
            } else {
                &text
            };
            hit = complete
                .lines()
                .find(|l| l.contains(needle))
                .map(|l| l.trim_end_matches('\r').to_owned());
            ended = !c.stdout_open;
            hit.is_some() || ended
        });
        if let Some(line) = hit {
            return line;
        }
        let why = if ended {
            // It is probably exiting: let it, so that its stderr is read to the end.
            let status = self.wait_timeout(Duration::from_secs(5));
            format!("{} closed its stdout (exit status {status:?})", self.name)
        } else {
            format!("{} printed nothing like it in {HANG_GUARD:?}", self.name)
        };
        panic!(
            "no line containing {needle:?} from {}: {why}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.name,
            self.stdout(),
            self.stderr()
        );
    }

    /// Waits until its stderr contains `needle` (or it closes stderr, or `limit`
    /// passes); whether it does. For a peer that logs what it received there, such as
    /// `s_server`'s `SSL alert number N`.
    pub fn wait_for_stderr(&self, needle: &str, limit: Duration) -> bool {
        let needle = needle.as_bytes();
        let mut found = false;
        self.shared.wait_until(limit, |c| {
            found = needle.is_empty() || c.stderr.windows(needle.len()).any(|w| w == needle);
            found || !c.stderr_open
        });
        found
    }

    /// Waits for the process to exit, at most `limit`; its status, or `None` if it is
    /// still running. Once it has exited, its output is read to the end (waiting for
    /// what is left of `limit`, and at least a second) before this returns.
    pub fn wait_timeout(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().ok().flatten() {
                break status;
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1));
        self.shared
            .wait_until(left, |c| !c.stdout_open && !c.stderr_open);
        Some(status)
    }

    /// Waits for the process to exit; its status. Its output is then complete.
    ///
    /// # Panics
    /// If it is still running after [`HANG_GUARD`] (it is then killed by the drop).
    pub fn wait(&mut self) -> ExitStatus {
        self.wait_timeout(HANG_GUARD).unwrap_or_else(|| {
            panic!(
                "{} did not exit within {HANG_GUARD:?}\n--- stdout:\n{}\n--- stderr:\n{}",
                self.name,
                self.stdout(),
                self.stderr()
            )
        })
    }

    /// Kills the process (if it still runs) and reaps it; its output is then complete.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.wait_timeout(HANG_GUARD);
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server -tls1_2 -accept 127.0.0.1:0` with `testdata/server-rsa2048`
/// (leaf, key, and `ca-int` as its chain), to be given more options and started. Its
/// stdin is closed unless [`SServer::start_with_stdin`] is used.
pub fn s_server() -> SServer {
    SServer {
        cmd: openssl(),
        cert: "server-rsa2048".into(),
        key: None,
        chain: None,
        args: Vec::new(),
    }
}

/// A configured `openssl s_server`, see [`s_server`].
#[derive(Debug)]
pub struct SServer {
    cmd: Command,
    cert: String,
    key: Option<String>,
    chain: Option<String>,
    args: Vec<String>,
}

impl SServer {
    /// Presents `testdata/<stem>.cert.pem` with the key `<stem>.rsa.pem` (the chain
    /// stays `ca-int.cert.pem`) instead of `server-rsa2048`.
    #[must_use]
    pub fn cert(mut self, stem: &str) -> Self {
        stem.clone_into(&mut self.cert);
        self
    }

    /// Presents `testdata/<stem>.cert.pem` with the key file `testdata/<key>` and the
    /// intermediates of `testdata/<chain>`: for the EC leaves, e.g.
    /// `("server-ecdsa-p256", "server-ecdsa-p256.ec.pem", "ca-ecdsa-int.cert.pem")`.
    #[must_use]
    pub fn cert_files(mut self, stem: &str, key: &str, chain: &str) -> Self {
        stem.clone_into(&mut self.cert);
        self.key = Some(key.to_owned());
        self.chain = Some(chain.to_owned());
        self
    }

    /// Adds s_server options (`-www`, `-cipher X`, `-Verify 1`, ...).
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for it (e.g. `OPENSSL_CONF`).
    #[must_use]
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    fn command(mut self) -> Command {
        self.cmd
            .args(["s_server", "-tls1_2", "-accept", "127.0.0.1:0"])
            .args(["-cert", &td(&format!("{}.cert.pem", self.cert))])
            .args([
                "-key",
                &td(&self.key.unwrap_or_else(|| format!("{}.rsa.pem", self.cert))),
            ])
            .args([
                "-cert_chain",
                &td(self.chain.as_deref().unwrap_or("ca-int.cert.pem")),
            ])
            .args(&self.args);
        self.cmd
    }

    /// Starts it and returns once it listens: the peer and its port.
    ///
    /// # Panics
    /// If it cannot be started or exits before listening (the message holds what it
    /// printed, e.g. an option it does not know).
    pub fn start(self) -> (Peer, u16) {
        let mut peer = Peer::spawn(&mut self.command());
        let port = listening_port(&mut peer);
        (peer, port)
    }

    /// [`SServer::start`], with a pipe to its stdin (s_server's command letters: `r`
    /// renegotiates, `Q` ends it).
    ///
    /// # Panics
    /// As [`SServer::start`].
    pub fn start_with_stdin(self) -> (Peer, u16, ChildStdin) {
        let (mut peer, stdin) = Peer::spawn_with_stdin(&mut self.command());
        let port = listening_port(&mut peer);
        (peer, port, stdin)
    }
}

/// `openssl s_client -tls1_2 -connect 127.0.0.1:PORT`, to be given more options and
/// spawned (with [`Peer::spawn_with_input`] for a line to send, say).
pub fn s_client(port: u16) -> Command {
    let mut c = openssl();
    c.args(["s_client", "-tls1_2", "-connect"])
        .arg(format!("127.0.0.1:{port}"));
    c
}

/// The port from s_server's `ACCEPT 127.0.0.1:PORT` line.
fn listening_port(peer: &mut Peer) -> u16 {
    let line = peer.line_containing("ACCEPT ");
    line.rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("s_server said it listens, but on what port? {line:?}"))
}

/// What [`drive`] saw of a connection.
#[derive(Debug, Default)]
pub struct Outcome {
    /// All application data received.
    pub data: Vec<u8>,
    /// Whether the handshake completed.
    pub complete: bool,
    /// `Some(clean)` once the peer closed (see [`Event::PeerClosed`]).
    pub closed_clean: Option<bool>,
    /// The alerts the peer sent.
    pub alerts: Vec<AlertDescription>,
    /// The parameters, once the handshake completed.
    pub negotiated: Option<Negotiated>,
    /// The peer's certificate chain (DER) when the connection ended.
    pub peer_certificates: Vec<Vec<u8>>,
}

/// Runs `conn` over `sock` to the end: `on_complete` is called once the handshake is
/// done, `on_data` for each piece of application data received. On a protocol error
/// the queued fatal alert is delivered before the error is returned.
///
/// The socket gets a 20 s read timeout (a hang guard).
///
/// # Panics
/// On a socket error other than a reset (a reset counts as the end of the stream).
pub fn drive(
    conn: &mut Connection,
    sock: &mut TcpStream,
    on_complete: impl FnMut(&mut Connection),
    on_data: impl FnMut(&mut Connection, &[u8]),
) -> Result<Outcome, Error> {
    drive_traced(conn, sock, &mut Vec::new(), on_complete, on_data)
}

/// [`drive`], keeping the trace events (if the config asked for them) in `traces`,
/// which the caller still has when the connection fails.
///
/// # Panics
/// As [`drive`].
pub fn drive_traced(
    conn: &mut Connection,
    sock: &mut TcpStream,
    traces: &mut Vec<Trace>,
    mut on_complete: impl FnMut(&mut Connection),
    mut on_data: impl FnMut(&mut Connection, &[u8]),
) -> Result<Outcome, Error> {
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("setting a read timeout");
    let mut out = Outcome::default();
    loop {
        while !conn.poll_transmit().is_empty() {
            let n = sock.write(conn.poll_transmit()).expect("socket write");
            conn.handle_transmitted(n)?;
        }
        let mut complete = false;
        let mut data = Vec::new();
        loop {
            while let Some(ev) = conn.poll_event() {
                match ev {
                    Event::HandshakeComplete { .. } => complete = true,
                    Event::PeerClosed { clean } => out.closed_clean = Some(clean),
                    Event::Alert(a) => out.alerts.push(a),
                    Event::Trace(t) => traces.push(t),
                    _ => {}
                }
            }
            if conn.app_data().is_empty() {
                break;
            }
            data.extend_from_slice(conn.app_data());
            conn.consume(conn.app_data().len())?;
        }
        if complete {
            out.complete = true;
            out.negotiated = conn.negotiated().cloned();
            on_complete(conn);
        }
        if !data.is_empty() {
            out.data.extend_from_slice(&data);
            on_data(conn, &data);
        }
        if !conn.poll_transmit().is_empty() {
            continue;
        }
        if conn.is_closed() {
            out.peer_certificates = conn.peer_certificates().to_vec();
            return Ok(out);
        }
        let n = match sock.read(conn.recv_buf()) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => 0,
            Err(e) => panic!("socket read: {e}"),
        };
        if let Err(e) = conn.handle_recv(n, now()) {
            // The fatal alert is queued: deliver it before giving up.
            let _ = sock.write_all(conn.poll_transmit());
            return Err(e);
        }
        if n == 0 && out.closed_clean.is_some() {
            // Drain the final events (PeerClosed) and stop.
            while conn.poll_event().is_some() {}
            out.peer_certificates = conn.peer_certificates().to_vec();
            return Ok(out);
        }
    }
}

/// A sanstls client for `server_name` (seeded with `seed`) and its TCP connection to
/// `127.0.0.1:port`, ready for [`drive`].
///
/// `config` may be a [`ClientConfig`] or an `Arc` of one: connections that share an
/// `Arc` share its session store, so a later one can resume the session an earlier one
/// left there.
///
/// # Panics
/// If the TCP connection fails or `server_name` is not a valid name.
pub fn connect(
    config: impl Into<Arc<ClientConfig>>,
    port: u16,
    server_name: &str,
    seed: u8,
) -> Result<(Connection, TcpStream), Error> {
    let sock = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connecting to 127.0.0.1:{port}: {e}"));
    let name = server_name
        .try_into()
        .unwrap_or_else(|e| panic!("{server_name:?} is not a server name: {e:?}"));
    let mut rng = SeededRng::from_seed([seed; 32]);
    let conn = Connection::client(config.into(), name, now(), &mut rng)?;
    Ok((conn, sock))
}

/// [`connect`]s, sends `GET / HTTP/1.0` once the handshake is done (what `s_server
/// -www` answers, with a status page that names the suite, and then closes) and
/// [`drive`]s the connection to its end. `config` as for [`connect`].
///
/// # Panics
/// As [`connect`] and [`drive`].
pub fn http_get(
    config: impl Into<Arc<ClientConfig>>,
    port: u16,
    server_name: &str,
    seed: u8,
) -> Result<Outcome, Error> {
    let (mut conn, mut sock) = connect(config, port, server_name, seed)?;
    let mut sent = false;
    drive(
        &mut conn,
        &mut sock,
        |c| {
            if !sent {
                sent = true;
                c.send(b"GET / HTTP/1.0\r\n\r\n")
                    .expect("sending the request");
            }
        },
        |_, _| {},
    )
}

/// Accepts one connection on `listener` from `peer`.
///
/// # Panics
/// If `peer` exits without connecting, or does not connect within [`HANG_GUARD`]: the
/// message holds what it printed.
pub fn accept(listener: &TcpListener, peer: &mut Peer) -> TcpStream {
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let deadline = Instant::now() + HANG_GUARD;
    let sock = loop {
        match listener.accept() {
            Ok((sock, _)) => break sock,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("accepting {}'s connection: {e}", peer.name),
        }
        // Once it has exited, its output is read to the end before it is shown.
        let exited = peer.wait_timeout(Duration::ZERO);
        if exited.is_some() || Instant::now() >= deadline {
            let why = exited.map_or_else(
                || format!("did not connect within {HANG_GUARD:?}"),
                |s| format!("exited ({s}) without connecting"),
            );
            panic!(
                "{} {why}\n--- stdout:\n{}\n--- stderr:\n{}",
                peer.name,
                peer.stdout(),
                peer.stderr()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    sock.set_nonblocking(false)
        .expect("a blocking accepted socket");
    sock
}

// The tlslite-ng peers (record_size_limit), the record-measuring relay, and sending
// more than one transmit buffer holds.
mod record_proxy;
mod send_all;
mod tlslite;

pub use record_proxy::{ProxiedRecord, RecordLog, RecordSizeProxy};
pub use send_all::{Served, send_all, serve_many, serve_one};
pub use tlslite::{
    RecordFigures, cbc_record_len, largest_record_received, peer_script, tlslite_client,
    tlslite_connections, tlslite_python, tlslite_records, tlslite_report, tlslite_server,
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    /// The message of the panic `f` raises.
    fn panic_message(f: impl FnOnce()) -> String {
        let err = catch_unwind(AssertUnwindSafe(f)).expect_err("it should panic");
        err.downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    }

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn a_missing_tool_names_the_package_and_the_variable() {
        let msg = panic_message(|| drop(tool("sanstls-no-such-tool")));
        assert!(msg.contains("sanstls-no-such-tool not found"), "{msg}");
        assert!(
            msg.contains("apt-get install sanstls-no-such-tool"),
            "{msg}"
        );
        assert!(msg.contains("SANSTLS_NO_SUCH_TOOL"), "{msg}");
    }

    #[test]
    fn a_present_tool_is_found() {
        // sh is on every system these tests run on.
        assert!(tool_path("sh").is_file());
    }

    #[test]
    fn output_is_captured_while_the_peer_runs_and_kill_ends_it() {
        let mut peer = Peer::spawn(&mut sh(
            "echo first; echo to-stderr >&2; echo 'ACCEPT 127.0.0.1:4242'; exec sleep 600",
        ));
        assert_eq!(peer.line_containing("ACCEPT "), "ACCEPT 127.0.0.1:4242");
        assert_eq!(peer.line_containing(""), "first");
        assert!(peer.wait_for_stderr("to-stderr", HANG_GUARD));
        assert_eq!(listening_port(&mut peer), 4242);
        assert!(peer.child().try_wait().unwrap().is_none(), "still running");
        peer.kill();
        let status = peer.child().try_wait().unwrap().expect("reaped");
        assert!(!status.success());
        assert_eq!(peer.output(), "first\nACCEPT 127.0.0.1:4242\nto-stderr\n");
    }

    #[test]
    fn a_peer_that_exits_without_the_line_fails_with_what_it_said() {
        let mut peer = Peer::spawn(&mut sh("echo unknown option -foo >&2; exit 3"));
        let msg = panic_message(|| drop(peer.line_containing("ACCEPT ")));
        assert!(msg.contains("closed its stdout"), "{msg}");
        assert!(msg.contains("unknown option -foo"), "{msg}");
        assert_eq!(peer.wait().code(), Some(3));
        // stderr closed without the needle: no waiting for the limit.
        assert!(!peer.wait_for_stderr("never printed", HANG_GUARD));
        assert!(peer.wait_for_stderr("", HANG_GUARD));
    }

    #[test]
    fn input_is_written_and_stdin_closed() {
        let mut peer = Peer::spawn_with_input(&mut Command::new("cat"), b"line one\nline two\n");
        assert!(peer.wait().success());
        assert_eq!(peer.stdout(), "line one\nline two\n");
        assert_eq!(peer.stderr(), "");
    }

    #[test]
    fn wait_timeout_returns_none_for_a_running_peer() {
        let mut peer = Peer::spawn(&mut sh("exec sleep 600"));
        assert!(peer.wait_timeout(Duration::from_millis(50)).is_none());
        // The drop kills it; the test run does not wait ten minutes.
    }

    #[test]
    fn accept_fails_when_the_peer_exits_without_connecting() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut peer = Peer::spawn(&mut sh("echo cannot connect >&2; exit 1"));
        let msg = panic_message(|| drop(accept(&listener, &mut peer)));
        assert!(msg.contains("without connecting"), "{msg}");
        assert!(msg.contains("cannot connect"), "{msg}");
    }
}
