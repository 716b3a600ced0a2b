//! `cargo xtask bench server`: TLS handshakes per second of the `sanstls server` command
//! beside `openssl s_server`, both measured over loopback TCP by `openssl s_time`.
//!
//! # What is measured
//!
//! The release `sanstls` binary is built first (`cargo build --release -p sanstls-cli
//! --features openssl`, honouring `CARGO_TARGET_DIR`; the feature adds `--provider
//! openssl` and links the system's libssl, which the benchmark needs anyway). Then two servers run side by side on 127.0.0.1
//! ephemeral ports, both presenting `testdata/server-rsa2048` (leaf and intermediate,
//! RSA 2048), and a second pair presenting `testdata/server-ecdsa-p256` (ECDSA P-256
//! leaf and ECDSA intermediate) for the ECDHE-ECDSA suite:
//!
//! - `sanstls server --cert server-rsa2048.chain.pem --key server-rsa2048.rsa.pem`
//!   (a thread per connection, reused for the next, every suite, EMS and EtM on, ffdhe2048 for DHE,
//!   its default groups for ECDHE), and the same with `--cert server-ecdsa-p256.chain.pem
//!   --key server-ecdsa-p256.ec.pem`;
//! - `openssl s_server -tls1_2 -quiet` with the same files (one connection at a time,
//!   its automatic DH group: ffdhe2048 for a 2048-bit key; the check below prints it),
//!   and the same with `-cert server-ecdsa-p256.cert.pem -key server-ecdsa-p256.ec.pem
//!   -cert_chain ca-ecdsa-int.cert.pem`.
//!
//! For ECDHE the group is what s_time's client offers first (x25519, OpenSSL's default
//! list) and both servers take it; the check below prints the "Server Temp Key".
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
//! ratio sanstls / OpenSSL, for TLS_RSA_WITH_AES_128_CBC_SHA256 (AES128-SHA256),
//! TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 (DHE-RSA-AES128-SHA256),
//! TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256) and
//! TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (ECDHE-ECDSA-AES128-GCM-SHA256, the P-256
//! certificate).
//!
//! # The OpenSSL crypto provider
//!
//! A third server, `sanstls server --provider openssl` with the RSA 2048 certificate,
//! runs its RSA private operations, ephemeral DH (ffdhe2048) and ECDH keys and AEAD
//! record keys on the system's libcrypto through the `sanstls-openssl` provider
//! (hashes, HMAC, AES-CBC and the protocol stay sanstls's). Its rows, in a table of
//! their own, are full handshakes (`s_time -new`) for AES128-SHA256 (RSA key
//! exchange), DHE-RSA-AES128-SHA256 and ECDHE-RSA-AES128-GCM-SHA256, alternating with
//! the same `openssl s_server` as the first table, with the same columns and ratios.
//!
//! # Resumed handshakes
//!
//! `openssl s_time ... -reuse -cipher AES128-SHA256` makes one full handshake (not
//! counted) and then resumes its session on every connection: TCP connect, abbreviated
//! handshake, TCP close (s_time marks each connection shut down without sending
//! close_notify, so that its session stays resumable). Same rounds, alternation and
//! rates as above, in two ways:
//!
//! - tickets offered (s_time's default): each server resumes as it is configured, by
//!   ticket if it issues tickets, else by session ID. `openssl s_server` issues tickets;
//!   `sanstls server` resumes by session ID from its session cache as long as it has no
//!   ticketer, and by ticket once it has one. Which one each server used is checked
//!   before timing (`s_client -reconnect`: whether a ticket came) and printed in the
//!   row's label.
//! - tickets off in s_time (`OPENSSL_CONF` with `Options = -SessionTicket`): both
//!   servers resume by session ID, from their session caches.
//!
//! s_time prints one character per counted connection, `r` for a resumed one; every
//! counted connection must have resumed (and with `-new`, none), or the benchmark
//! stops: a rate of full handshakes is never reported as one of resumptions. Only
//! AES128-SHA256 is measured resumed: an abbreviated handshake has no key exchange,
//! so an RSA and a DHE suite with the same record protection do the same work.
//!
//! # Server CPU per connection
//!
//! On 2 cores the client (s_time's own handshakes, TCP connect and close) takes most of
//! each connection's time, which hides the servers' difference in the rates. So each
//! row also gives each server's CPU time per connection: the user + system time of the
//! server process (all its threads, `/proc/PID/stat`, in clock ticks) over the round,
//! divided by the connections s_time counted; the median of the rounds, and the ratio
//! OpenSSL / sanstls (above 1: sanstls spends less CPU per connection).
//!
//! Settings: `SANSTLS_BENCH_SECS` (seconds per round, default 3) and
//! `SANSTLS_BENCH_ROUNDS` (rounds per side, default 5). `SANSTLS_BENCH_TABLES`: which
//! tables to measure, a comma-separated subset of `full` (full handshakes, built-in
//! provider), `provider` (full handshakes, `--provider openssl`) and `resumed`
//! (default: all three). `OPENSSL` names the openssl binary (default
//! `/usr/bin/openssl`).

// Rates are floating point by nature.
#![allow(clippy::cast_precision_loss)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
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
            "--features",
            "openssl",
            "--bin",
            "sanstls",
        ])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .expect("running cargo build");
    assert!(
        out.status.success(),
        "cargo build --release -p sanstls-cli --features openssl failed"
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

/// A server certificate (testdata/): the leaf, its chain (leaf and intermediate), the
/// intermediate alone, the key, and the root a client trusts.
struct Cert {
    leaf: &'static str,
    chain: &'static str,
    intermediate: &'static str,
    key: &'static str,
    root: &'static str,
}

/// RSA 2048 leaf and intermediate.
const RSA_2048: Cert = Cert {
    leaf: "server-rsa2048.cert.pem",
    chain: "server-rsa2048.chain.pem",
    intermediate: "ca-int.cert.pem",
    key: "server-rsa2048.rsa.pem",
    root: "ca-root.cert.pem",
};

/// ECDSA P-256 leaf and its ECDSA intermediate.
const ECDSA_P256: Cert = Cert {
    leaf: "server-ecdsa-p256.cert.pem",
    chain: "server-ecdsa-p256.chain.pem",
    intermediate: "ca-ecdsa-int.cert.pem",
    key: "server-ecdsa-p256.ec.pem",
    root: "ca-ecdsa-root.cert.pem",
};

/// Starts `sanstls server` with `cert` and the options `extra` on an ephemeral port;
/// returns it and the port.
fn start_sanstls(bin: &PathBuf, cert: &Cert, extra: &[&str]) -> (Peer, u16) {
    let mut peer = Peer::spawn(
        Command::new(bin)
            .args(["server", "--addr", "127.0.0.1:0"])
            .args(["--cert", &td(cert.chain)])
            .args(["--key", &td(cert.key)])
            .args(extra),
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
/// does not print the port it bound, so port 0 cannot be used), with `cert`.
fn start_openssl(cert: &Cert) -> (Peer, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("finding a free port")
        .port();
    let peer = Peer::spawn(
        openssl()
            .args(["s_server", "-tls1_2", "-quiet"])
            .args(["-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", &td(cert.leaf)])
            .args(["-key", &td(cert.key)])
            .args(["-cert_chain", &td(cert.intermediate)]),
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
/// "Cipher is" and "Server Temp Key" lines. `root`: the CA the server's chain ends at.
fn check(port: u16, cipher: &str, root: &str) -> String {
    let out = peers::s_client(port)
        .args(["-cipher", cipher, "-CAfile", &td(root)])
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

/// How s_time connects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `-new`: a full handshake on every connection.
    New,
    /// `-reuse`, tickets offered: every connection resumes one session, by ticket if
    /// the server issues tickets, else by session ID.
    Reuse,
    /// `-reuse` with tickets off in s_time: every connection resumes by session ID.
    ReuseNoTicket,
}

/// An `OPENSSL_CONF` file that turns session tickets off (`SSL_OP_NO_TICKET`) in
/// every TLS context an openssl command makes.
fn no_ticket_conf() -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "sanstls-bench-no-ticket-{}.cnf",
        std::process::id()
    ));
    std::fs::write(
        &p,
        "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n\
         [ssl_sect]\nsystem_default = sd\n[sd]\nOptions = -SessionTicket\n",
    )
    .expect("writing the no-ticket OPENSSL_CONF");
    p
}

/// Runs s_time for `secs` seconds in `mode` (`conf`: the no-ticket `OPENSSL_CONF`, for
/// [`Mode::ReuseNoTicket`]); returns connections per second of wall time.
///
/// # Panics
/// If s_time counted no connection, or a connection did not resume in a `-reuse` mode
/// (or did with `-new`).
/// The CPU time (user + system, seconds) process `pid` has used so far, its threads
/// included, from `/proc/PID/stat` (fields 14 and 15, in clock ticks).
fn cpu_secs(pid: u32, ticks_per_sec: f64) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/stat: {e}"));
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').expect("a /proc stat line") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / ticks_per_sec
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`; 100 if that fails).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// One s_time round against the server on `port` (process `pid`): connections per
/// second of wall time, and the server's CPU seconds per connection.
fn round(
    (port, pid): (u16, u32),
    cipher: &str,
    secs: u64,
    mode: Mode,
    conf: &Path,
    ticks: f64,
) -> (f64, f64) {
    let before = cpu_secs(pid, ticks);
    let (rate, count) = s_time(port, cipher, secs, mode, conf);
    let cpu = cpu_secs(pid, ticks) - before;
    (rate, cpu / count as f64)
}

fn s_time(port: u16, cipher: &str, secs: u64, mode: Mode, conf: &Path) -> (f64, u64) {
    let mut cmd = openssl();
    cmd.args(["s_time", "-connect", &format!("127.0.0.1:{port}")])
        .arg(if mode == Mode::New { "-new" } else { "-reuse" })
        .args(["-cipher", cipher, "-time", &secs.to_string()])
        .stdin(Stdio::null());
    if mode == Mode::ReuseNoTicket {
        cmd.env("OPENSSL_CONF", conf);
    }
    let t = Instant::now();
    let out = cmd.output().expect("running openssl s_time");
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
    // One character per counted connection: `r` resumed, `*` a new TLS 1.2 session.
    let marks: String = text
        .lines()
        .filter(|l| !l.is_empty() && l.chars().all(|c| matches!(c, 'r' | '*' | 't' | '3')))
        .collect();
    let reused = marks.chars().filter(|&c| c == 'r').count() as u64;
    assert_eq!(
        marks.len() as u64,
        count,
        "s_time's marks do not match its count against port {port}"
    );
    let want = if mode == Mode::New { 0 } else { count };
    assert_eq!(
        reused, want,
        "{mode:?} against port {port}: {reused} of {count} connections resumed"
    );
    (count as f64 / wall, count)
}

/// How a server resumes s_client's session: `s_client -reconnect` (six connections)
/// with AES128-SHA256, offering tickets unless `no_ticket`; returns "ticket" when the
/// server issued one, else "ID" (session ID).
///
/// # Panics
/// Unless all five reconnections resumed.
fn check_resumption(port: u16, no_ticket: bool) -> &'static str {
    let mut cmd = peers::s_client(port);
    cmd.args([
        "-cipher",
        "AES128-SHA256",
        "-CAfile",
        &td("ca-root.cert.pem"),
    ])
    .args([
        "-servername",
        "localhost",
        "-verify_return_error",
        "-reconnect",
    ])
    .stdin(Stdio::null());
    if no_ticket {
        cmd.arg("-no_ticket");
    }
    let out = cmd.output().expect("running openssl s_client");
    let text = String::from_utf8_lossy(&out.stdout);
    let reused = text.lines().filter(|l| l.starts_with("Reused, ")).count();
    let new = text.lines().filter(|l| l.starts_with("New, ")).count();
    assert_eq!(
        (new, reused),
        (1, 5),
        "s_client -reconnect against port {port} did not resume:\n{text}"
    );
    if text.contains("TLS session ticket:") {
        "ticket"
    } else {
        "ID"
    }
}

/// The medians of alternating rounds of s_time against both servers (each a port and
/// a process ID): rates (sanstls, OpenSSL) and server CPU seconds per connection
/// (sanstls, OpenSSL).
fn measure(
    servers: ((u16, u32), (u16, u32)),
    cipher: &str,
    secs: u64,
    rounds: usize,
    mode: Mode,
) -> ((f64, f64), (f64, f64)) {
    let conf = no_ticket_conf();
    let ticks = clock_ticks();
    let (mut s, mut o, mut s_cpu, mut o_cpu) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        let (rate, cpu) = round(servers.0, cipher, secs, mode, &conf, ticks);
        s.push(rate);
        s_cpu.push(cpu);
        let (rate, cpu) = round(servers.1, cipher, secs, mode, &conf, ticks);
        o.push(rate);
        o_cpu.push(cpu);
    }
    let _ = std::fs::remove_file(conf);
    ((median(s), median(o)), (median(s_cpu), median(o_cpu)))
}

/// A table row: the label, both rates and their ratio, both servers' CPU per connection
/// and the ratio OpenSSL / sanstls.
fn row(label: &str, (ms, mo): (f64, f64), (cs, co): (f64, f64)) {
    println!(
        "| {:<54} | {:>11} | {:>11} | {:>5.2}x | {:>9} | {:>9} | {:>5.2}x |",
        label,
        format!("{ms:.0} /s"),
        format!("{mo:.0} /s"),
        ms / mo,
        format!("{:.0} us", cs * 1e6),
        format!("{:.0} us", co * 1e6),
        co / cs
    );
}

/// The table's header.
fn header(first: &str) {
    println!(
        "| {:<54} | {:>11} | {:>11} | {:>6} | {:>9} | {:>9} | {:>6} |",
        first, "sanstls", "OpenSSL", "ratio", "CPU sans", "CPU ossl", "ratio"
    );
    println!(
        "|{:-<56}|{:->13}|{:->13}|{:->8}|{:->11}|{:->11}|{:->8}|",
        "", "", "", "", "", "", ""
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Which tables `SANSTLS_BENCH_TABLES` asks for (all when unset or empty).
struct Tables {
    full: bool,
    provider: bool,
    resumed: bool,
}

fn tables() -> Tables {
    let v = std::env::var("SANSTLS_BENCH_TABLES").unwrap_or_default();
    let names: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    for n in &names {
        assert!(
            matches!(*n, "full" | "provider" | "resumed"),
            "SANSTLS_BENCH_TABLES: unknown table {n:?} (full, provider, resumed)"
        );
    }
    let on = |n: &str| names.is_empty() || names.contains(&n);
    Tables {
        full: on("full"),
        provider: on("provider"),
        resumed: on("resumed"),
    }
}

fn main() {
    // `cargo bench` passes --bench; any other argument is a filter we do not use.
    let secs = env_num("SANSTLS_BENCH_SECS", 3);
    let rounds = env_num("SANSTLS_BENCH_ROUNDS", 5) as usize;
    let tables = tables();
    let bin = build_sanstls();
    let (sanstls, sport) = start_sanstls(&bin, &RSA_2048, &[]);
    let (openssl_server, oport) = start_openssl(&RSA_2048);
    let servers = ((sport, sanstls.pid()), (oport, openssl_server.pid()));
    // A second pair with the ECDSA P-256 certificate, for the ECDHE-ECDSA suite.
    let (sanstls_ec, sport_ec) = start_sanstls(&bin, &ECDSA_P256, &[]);
    let (openssl_ec, oport_ec) = start_openssl(&ECDSA_P256);
    let servers_ec = ((sport_ec, sanstls_ec.pid()), (oport_ec, openssl_ec.pid()));

    // (IANA name, OpenSSL name, certificate, servers.)
    let suites = [
        (
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "AES128-SHA256",
            &RSA_2048,
            servers,
        ),
        (
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "DHE-RSA-AES128-SHA256",
            &RSA_2048,
            servers,
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            &RSA_2048,
            servers,
        ),
        (
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            &ECDSA_P256,
            servers_ec,
        ),
    ];
    println!("\n## TCP handshakes per second: sanstls server vs openssl s_server\n");
    println!("binary: {}", bin.display());
    if tables.full {
        for (_, cipher, cert, ((sport, _), (oport, _))) in suites {
            println!(
                "check sanstls {cipher}: {}",
                check(sport, cipher, cert.root)
            );
            println!(
                "check openssl {cipher}: {}",
                check(oport, cipher, cert.root)
            );
        }
        println!(
            "\nopenssl s_time -new, {rounds} alternating rounds of {secs} s per side, median; \
             connections per second (ratio sanstls / OpenSSL) and server CPU per connection \
             (ratio OpenSSL / sanstls)\n"
        );
        header("suite (new connection per handshake)");
        for (iana, cipher, cert, servers) in suites {
            let (rates, cpu) = measure(servers, cipher, secs, rounds, Mode::New);
            let iana = if std::ptr::eq(cert, &ECDSA_P256) {
                format!("{iana} (P-256 cert)")
            } else {
                iana.to_owned()
            };
            row(&iana, rates, cpu);
        }
    }

    if tables.provider {
        provider_table(&bin, servers.1, secs, rounds);
    }

    if tables.resumed {
        resumed_table(servers, secs, rounds);
    }
}

/// Full handshakes against `sanstls server --provider openssl` (the RSA certificate;
/// RSA private operations, ephemeral DH and ECDH, AEAD record keys on OpenSSL) beside
/// `openssl s_server` (`openssl`: its port and process ID).
fn provider_table(bin: &PathBuf, openssl: (u16, u32), secs: u64, rounds: usize) {
    let (provided, pport) = start_sanstls(bin, &RSA_2048, &["--provider", "openssl"]);
    let servers = ((pport, provided.pid()), openssl);
    let suites = [
        ("TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"),
        (
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "DHE-RSA-AES128-SHA256",
        ),
        (
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ),
    ];
    println!();
    for (_, cipher) in suites {
        println!(
            "check sanstls --provider openssl {cipher}: {}",
            check(pport, cipher, RSA_2048.root)
        );
    }
    println!(
        "\nsanstls server --provider openssl (the sanstls-openssl crypto provider: RSA, \
         DH, ECDH and AEAD on the system's libcrypto) vs openssl s_server; openssl s_time \
         -new, {rounds} alternating rounds of {secs} s per side, median; ratios as above\n"
    );
    header("suite (new connection, --provider openssl)");
    for (iana, cipher) in suites {
        let (rates, cpu) = measure(servers, cipher, secs, rounds, Mode::New);
        row(iana, rates, cpu);
    }
    drop(provided);
}

/// Resumed handshakes against the built-in `sanstls server` and `openssl s_server`
/// (`servers`): how each server resumes, then the rates.
fn resumed_table(servers: ((u16, u32), (u16, u32)), secs: u64, rounds: usize) {
    let ((sport, _), (oport, _)) = servers;
    let (s_default, o_default) = (
        check_resumption(sport, false),
        check_resumption(oport, false),
    );
    let (s_id, o_id) = (check_resumption(sport, true), check_resumption(oport, true));
    assert_eq!(
        (s_id, o_id),
        ("ID", "ID"),
        "a server gave a ticket to a client that offered none"
    );
    println!(
        "\ncheck resumption, tickets offered: sanstls resumes by {s_default}, OpenSSL by \
         {o_default}; tickets off: both by ID (s_client -reconnect, 5 of 5 reused)"
    );
    println!(
        "\nopenssl s_time -reuse -cipher AES128-SHA256 (one full handshake, not counted, \
         then every connection resumes its session), {rounds} alternating rounds of {secs} s \
         per side, median; ratio = sanstls / OpenSSL\n"
    );
    header("resumed handshakes (AES128-SHA256)");
    let rows = [
        (
            format!("tickets offered: sanstls by {s_default}, OpenSSL by {o_default}"),
            Mode::Reuse,
        ),
        (
            "tickets off in s_time: both by session ID".to_owned(),
            Mode::ReuseNoTicket,
        ),
    ];
    for (label, mode) in rows {
        let (rates, cpu) = measure(servers, "AES128-SHA256", secs, rounds, mode);
        row(&label, rates, cpu);
    }
}
