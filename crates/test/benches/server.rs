//! `cargo xtask bench server`: TLS handshakes per second of the `sanstls server` command
//! beside `openssl s_server`, both measured over loopback TCP by `openssl s_time`.
//!
//! # What is measured
//!
//! The release `sanstls` binary is built first (`cargo build --release -p sanstls-cli`,
//! honouring `CARGO_TARGET_DIR`). Then two servers run side by side on 127.0.0.1
//! ephemeral ports, both presenting `testdata/server-rsa2048` (leaf and intermediate,
//! RSA 2048):
//!
//! - `sanstls server --cert server-rsa2048.chain.pem --key server-rsa2048.rsa.pem`
//!   (a thread per connection, every suite, EMS and EtM on, ffdhe2048 for DHE);
//! - `openssl s_server -tls1_2 -quiet` with the same files (one connection at a time,
//!   its automatic DH group: ffdhe2048 for a 2048-bit key; the check below prints it).
//!
//! `openssl s_time -connect 127.0.0.1:PORT -new -cipher X -time SECS` then opens as
//! many new connections as it can, one after another: TCP connect, full handshake
//! (no session reuse), TCP close without a request. The rate reported is the number
//! of connections s_time counted divided by the wall time of the s_time process
//! (s_time's own "real seconds" figure is rounded to whole seconds). The client side
//! is OpenSSL in both cases, so each rate includes the same client cost: the ratio is
//! of whole connections, not of server CPU alone.
//!
//! Rounds alternate sanstls / OpenSSL; the median of each side is reported with the
//! ratio sanstls / OpenSSL, for TLS_RSA_WITH_AES_128_CBC_SHA256 (AES128-SHA256) and
//! TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 (DHE-RSA-AES128-SHA256).
//!
//! Settings: `SANSTLS_BENCH_SECS` (seconds per round, default 3) and
//! `SANSTLS_BENCH_ROUNDS` (rounds per side, default 5). `OPENSSL` names the openssl
//! binary (default `/usr/bin/openssl`).

// Rates are floating point by nature.
#![allow(clippy::cast_precision_loss)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sanstls_test::peers::{self, Peer, openssl, td};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&v| v > 0)
        .unwrap_or(default)
}

/// Builds the release `sanstls` binary and returns its path (from cargo's JSON
/// messages, so any `CARGO_TARGET_DIR` works).
fn build_sanstls() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "sanstls-cli",
            "--bin",
            "sanstls",
        ])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .expect("running cargo build");
    assert!(
        out.status.success(),
        "cargo build --release -p sanstls-cli failed"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        if !line.contains("\"reason\":\"compiler-artifact\"") || !line.contains("sanstls-cli") {
            continue;
        }
        if let Some(start) = line.find("\"executable\":\"") {
            let rest = &line[start + "\"executable\":\"".len()..];
            if let Some(end) = rest.find('"') {
                return PathBuf::from(&rest[..end]);
            }
        }
    }
    panic!("cargo build did not report the sanstls executable");
}

/// Starts `sanstls server` on an ephemeral port; returns it and the port.
fn start_sanstls(bin: &PathBuf) -> (Peer, u16) {
    let mut peer = Peer::spawn(
        Command::new(bin)
            .args(["server", "--addr", "127.0.0.1:0"])
            .args(["--cert", &td("server-rsa2048.chain.pem")])
            .args(["--key", &td("server-rsa2048.rsa.pem")]),
    );
    let line = peer.line_containing("listening on ");
    let port = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected line from sanstls server: {line:?}"));
    (peer, port)
}

/// Starts `openssl s_server` on a port that was free a moment ago (with `-quiet` it
/// does not print the port it bound, so port 0 cannot be used).
fn start_openssl() -> (Peer, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("finding a free port")
        .port();
    let peer = Peer::spawn(
        openssl()
            .args(["s_server", "-tls1_2", "-quiet"])
            .args(["-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", &td("server-rsa2048.cert.pem")])
            .args(["-key", &td("server-rsa2048.rsa.pem")])
            .args(["-cert_chain", &td("ca-int.cert.pem")]),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "openssl s_server did not start listening on port {port}: {}",
            peer.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (peer, port)
}

/// One handshake with `s_client` to check what the server negotiates; returns the
/// "Cipher is" and "Server Temp Key" lines.
fn check(port: u16, cipher: &str) -> String {
    let out = peers::s_client(port)
        .args(["-cipher", cipher, "-CAfile", &td("ca-root.cert.pem")])
        .args(["-servername", "localhost", "-verify_return_error"])
        .stdin(Stdio::null())
        .output()
        .expect("running openssl s_client");
    let text = String::from_utf8_lossy(&out.stdout);
    let cipher_line = text
        .lines()
        .find(|l| l.contains("Cipher is"))
        .unwrap_or_else(|| panic!("s_client could not connect with {cipher}:\n{text}"));
    assert!(
        cipher_line.contains(cipher),
        "the server did not choose {cipher}: {cipher_line}"
    );
    assert!(
        text.contains("Verify return code: 0 (ok)"),
        "the certificate did not verify:\n{text}"
    );
    let temp = text
        .lines()
        .find(|l| l.contains("Server Temp Key"))
        .map_or("no temporary key (RSA key transport)", str::trim);
    format!("{} / {temp}", cipher_line.trim())
}

/// Runs s_time for `secs` seconds; returns connections per second of wall time.
fn s_time(port: u16, cipher: &str, secs: u64) -> f64 {
    let t = Instant::now();
    let out = openssl()
        .args(["s_time", "-connect", &format!("127.0.0.1:{port}"), "-new"])
        .args(["-cipher", cipher, "-time", &secs.to_string()])
        .stdin(Stdio::null())
        .output()
        .expect("running openssl s_time");
    let wall = t.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    let count: u64 = text
        .lines()
        .find(|l| l.contains("connections in") && l.contains("real seconds"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no connection count from s_time against port {port}:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert!(
        count > 0,
        "s_time made no connection to port {port}:\n{text}"
    );
    count as f64 / wall
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; any other argument is a filter we do not use.
    let secs = env_num("SANSTLS_BENCH_SECS", 3);
    let rounds = env_num("SANSTLS_BENCH_ROUNDS", 5) as usize;
    let bin = build_sanstls();
    let (_sanstls, sport) = start_sanstls(&bin);
    let (_openssl, oport) = start_openssl();

    let suites = [
        ("TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"),
        (
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "DHE-RSA-AES128-SHA256",
        ),
    ];
    println!("\n## TCP handshakes per second: sanstls server vs openssl s_server\n");
    println!("binary: {}", bin.display());
    for (_, cipher) in suites {
        println!("check sanstls {cipher}: {}", check(sport, cipher));
        println!("check openssl {cipher}: {}", check(oport, cipher));
    }
    println!(
        "\nopenssl s_time -new, {rounds} alternating rounds of {secs} s per side, median; \
         ratio = sanstls / OpenSSL\n"
    );
    println!(
        "| {:<44} | {:>14} | {:>14} | {:>6} |",
        "suite (new connection per handshake)", "sanstls", "OpenSSL", "ratio"
    );
    println!("|{:-<46}|{:->16}|{:->16}|{:->8}|", "", "", "", "");
    for (iana, cipher) in suites {
        let mut s = Vec::with_capacity(rounds);
        let mut o = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            s.push(s_time(sport, cipher, secs));
            o.push(s_time(oport, cipher, secs));
        }
        let (ms, mo) = (median(s), median(o));
        println!(
            "| {:<44} | {:>14} | {:>14} | {:>5.2}x |",
            iana,
            format!("{ms:.0} conn/s"),
            format!("{mo:.0} conn/s"),
            ms / mo
        );
    }
}
