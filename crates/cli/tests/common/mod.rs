//! Helpers shared by the command-line tests: the binary, and `sanstls server` on a
//! 127.0.0.1 ephemeral port. Peers (openssl, curl), testdata paths and process guards
//! come from `sanstls_test::peers`.

#![allow(dead_code, unreachable_pub)]

use std::io::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, ExitStatus};

pub use sanstls_test::peers::{HANG_GUARD, Peer, td};

/// The `sanstls` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sanstls"))
}

/// curl; a missing one fails the test loudly.
pub fn curl() -> Command {
    sanstls_test::peers::tool("curl")
}

/// A unique temporary file path.
pub fn temp_path(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("sanstls-cli-{}-{tag}-{n}", std::process::id()))
}

/// A port that was free a moment ago (nothing listens on it now).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A running `sanstls server` with its port; its stderr is its log.
pub struct Server {
    pub peer: Peer,
    pub port: u16,
}

impl Server {
    /// The server's stderr so far.
    pub fn log(&self) -> String {
        self.peer.stderr()
    }

    /// Waits (a minute at most: a hang guard) until the server's stderr contains
    /// `needle`.
    pub fn wait_for_log(&self, needle: &str) {
        assert!(
            self.peer.wait_for_stderr(needle, HANG_GUARD),
            "the server never logged {needle:?}:\n{}",
            self.log()
        );
    }
}

/// Starts `sanstls server --addr 127.0.0.1:0 ARGS` and waits for "listening on".
pub fn sanstls_server(args: &[&str]) -> Server {
    let mut peer = Peer::spawn(bin().args(["server", "--addr", "127.0.0.1:0"]).args(args));
    let line = peer.line_containing("listening on ");
    let port = line.rsplit(':').next().unwrap().trim().parse().unwrap();
    Server { peer, port }
}

/// The default server certificate options.
pub fn server_cert_args() -> Vec<String> {
    vec![
        "--cert".into(),
        td("server-rsa2048.chain.pem"),
        "--key".into(),
        td("server-rsa2048.rsa.pem"),
    ]
}

/// What a finished process produced.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The exit code (panics on death by signal).
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {self:#?}"))
    }
}

/// Runs `cmd` with `input` on stdin to the end (a minute at most, then it is killed and
/// the test fails: a hang guard).
pub fn run(mut cmd: Command, input: &[u8]) -> Output {
    let mut peer = Peer::spawn_with_input(&mut cmd, input);
    let status = peer.wait();
    Output {
        status,
        stdout: peer.stdout(),
        stderr: peer.stderr(),
    }
}

/// `sanstls server` with the default certificate and `extra` options.
pub fn cert_server(extra: &[&str]) -> Server {
    let mut args = server_cert_args();
    args.extend(extra.iter().map(|s| (*s).to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    sanstls_server(&refs)
}

/// `sanstls client ADDR` (nothing run yet).
pub fn client_cmd(addr: &str) -> Command {
    let mut c = bin();
    c.args(["client", addr]);
    c
}

/// Client options that trust `ca` (a testdata file) and ask for `name`.
pub fn trust_args(ca: &str, name: &str) -> [String; 4] {
    [
        "--cafile".into(),
        td(ca),
        "--servername".into(),
        name.into(),
    ]
}

/// Asserts the exit code, then that stderr contains every one of `needles` (each failure
/// prints the whole output).
pub fn assert_exit(o: &Output, code: i32, needles: &[&str]) {
    assert_eq!(o.code(), code, "{o:#?}");
    for n in needles {
        assert!(o.stderr.contains(n), "stderr lacks {n:?}: {}", o.stderr);
    }
}

/// `sanstls client 127.0.0.1:PORT` trusting the test root and asking for `localhost`.
pub fn trusted_client(port: u16) -> Command {
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args(trust_args("ca-root.cert.pem", "localhost"));
    c
}

/// `openssl s_client` against the server: a line goes out and comes back (the server
/// echoes), read while the client is still connected.
pub fn s_client_echo(port: u16, cipher: &str) {
    let (mut peer, mut stdin) = Peer::spawn_with_stdin(
        sanstls_test::peers::s_client(port)
            .args(["-cipher", cipher, "-CAfile", &td("ca-root.cert.pem")])
            .args(["-servername", "localhost", "-verify_return_error"])
            .args(["-quiet", "-no_ign_eof"]),
    );
    let msg = format!("echo me {cipher}");
    writeln!(stdin, "{msg}").unwrap();
    peer.line_containing(&msg);
    drop(stdin);
    drop(peer);
}
