//! Helpers shared by the command-line tests: the binary, testdata paths, child processes
//! that are killed on drop, and peers on 127.0.0.1 ephemeral ports.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The `sanstls` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sanstls"))
}

/// A file of testdata/.
pub fn td(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
        .display()
        .to_string()
}

/// The OpenSSL command line; a missing one fails the test loudly.
pub fn openssl() -> String {
    let bin = std::env::var("OPENSSL").unwrap_or_else(|_| "/usr/bin/openssl".into());
    assert!(
        Path::new(&bin).exists(),
        "OpenSSL CLI not found at {bin}: install it (these tests need it)"
    );
    bin
}

/// curl; a missing one fails the test loudly.
pub fn curl() -> Command {
    let ok = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "curl not found on PATH: install it (this test needs it)"
    );
    Command::new("curl")
}

/// A child process that is killed (and reaped) when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

/// Reads a child's stdout lines on a thread.
pub fn lines(out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (at most a minute: a hang guard, not a timing assertion) for a line that
/// contains `needle`; returns every line read so far.
pub fn wait_for_line(rx: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => {
                let hit = l.contains(needle);
                seen.push(l);
                if hit {
                    return seen;
                }
            }
            Err(e) => panic!("no line containing {needle:?} ({e}); got {seen:#?}"),
        }
    }
}

/// A running `sanstls server` with its port and a file holding its stderr.
pub struct Server {
    pub guard: Guard,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    /// The server's stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (a minute at most: a hang guard) until the server's stderr contains
    /// `needle`.
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "the server never logged {needle:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts `sanstls server --addr 127.0.0.1:0 ARGS` and waits for "listening on".
pub fn sanstls_server(args: &[&str]) -> Server {
    let log = temp_path("server-log");
    let mut child = bin()
        .args(["server", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let guard = Guard(child);
    let rx = lines(out);
    let seen = wait_for_line(&rx, "listening on ");
    let line = seen.last().unwrap();
    let port = line.rsplit(':').next().unwrap().trim().parse().unwrap();
    // Keep draining stdout.
    std::thread::spawn(move || while rx.recv().is_ok() {});
    Server { guard, port, log }
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

/// Starts `openssl s_server` on 127.0.0.1 with testdata's server-rsa2048 and `extra`
/// options; returns it and its port.
pub fn s_server(extra: &[&str], cert: &str) -> (Guard, u16) {
    let mut child = Command::new(openssl())
        .args(["s_server", "-tls1_2", "-accept", "127.0.0.1:0"])
        .args(["-cert", &td(&format!("{cert}.cert.pem"))])
        .args(["-key", &td(&format!("{cert}.rsa.pem"))])
        .args(["-cert_chain", &td("ca-int.cert.pem")])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let guard = Guard(child);
    let rx = lines(out);
    let seen = wait_for_line(&rx, "ACCEPT ");
    let port = seen
        .last()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::spawn(move || while rx.recv().is_ok() {});
    (guard, port)
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
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin: ChildStdin = child.stdin.take().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut guard = Guard(child);
    let input = input.to_vec();
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = guard.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not finish within a minute"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    }
}
