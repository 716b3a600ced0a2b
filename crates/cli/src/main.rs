//! `sanstls`: the command line of the sanstls TLS 1.2 library.
//!
//! # Commands
//!
//! - `sanstls demo [--kx rsa|dhe|ecdhe|ecdhe-ecdsa|psk|dhe-psk|ecdhe-psk] [--suite NAME]
//!   [--groups LIST]`: a
//!   sanstls client and a sanstls server talk over 127.0.0.1 (an ephemeral port) with a
//!   compiled-in test PKI, and every handshake message is printed with its direction,
//!   size, protection and a one-line explanation; then the negotiated parameters, the
//!   validated certificate chain, one request and response (and how its record is
//!   protected: AEAD or CBC+HMAC), the close_notify exchange; then a second connection
//!   that resumes the session (the abbreviated handshake, and what it skipped), and the
//!   timing. Without options it negotiates the library's default, ECDHE_RSA with
//!   AES-128-GCM over x25519. `--kx ecdhe` offers the ECDHE_RSA suites, `--kx
//!   ecdhe-ecdsa` the ECDHE_ECDSA suites: the server then presents the test ECDSA
//!   (P-256) certificate, under the test ECDSA root (so does `--suite` with an
//!   ECDHE_ECDSA suite). `--kx psk`, `dhe-psk` and `ecdhe-psk` (or `--suite` with a PSK
//!   suite) show a pre-shared-key handshake: both sides hold the demo's identity and
//!   key, and no certificate is involved. `--groups` as for `client`. Needs nothing
//!   but the binary.
//! - `sanstls client HOST:PORT` (like `openssl s_client`): connects, verifies the server
//!   (against `--cafile FILE` or the system trust store), prints the negotiated
//!   parameters on stderr, copies stdin to the server and the server's data to stdout.
//!   At the end of stdin it waits until the server has been quiet for 0.3 s (at most
//!   3 s), sends close_notify and keeps reading until the server closes (at most 2 s
//!   more). Connecting and the handshake each get `--timeout SECS` (default 30).
//!   Options: `--servername`, `--cert`/`--key` (an RSA or EC key), `--alpn`, `--suite`,
//!   `--groups LIST` (the ECDHE groups to offer, in preference order: `x25519`,
//!   `secp256r1` (`P-256`, `prime256v1`), `secp384r1` (`P-384`); comma-separated or
//!   repeated, any case; default all three, x25519 first), `--no-verify`, `--trace`,
//!   `--timeout`. The summary names the key exchange (`ECDHE x25519, signed with
//!   RSA`) and the server certificate's key. Sessions: `--reconnect N` connects N more times, resuming
//!   the session (each summary starts with a line `New, ...` or `Reused, ...`; every
//!   connection but the last closes after its handshake, the last carries stdin);
//!   `--sess-out FILE` writes the session after the last connection (PEM, mode 0600),
//!   `--sess-in FILE` offers it on the first; `--no-tickets` resumes by session ID only.
//!   `--record FILE` records the connection for `sanstls replay` (with `--reconnect`,
//!   connection i to `FILE.i`). Pre-shared keys: `--psk-identity ID --psk HEX` or
//!   `--psk-file PATH` (its first `identity:hexkey` line); without `--cafile` the
//!   client then offers only the PSK suites and needs no trust store, with it the
//!   certificate suites first, then the PSK suites. The summary names the PSK
//!   identity.
//! - `sanstls server --cert FILE --key FILE` and/or a PSK (like `openssl s_server`; the key RSA, or
//!   EC on P-256 or P-384, in PKCS#1, SEC 1 or PKCS#8 PEM): serves clients
//!   concurrently (a thread each) on `--addr` (default 127.0.0.1:4433) and prints
//!   `listening on ADDR` on stdout. A client whose first line is an HTTP/1.x request
//!   line gets an HTTP page describing the session; anything else is echoed back.
//!   Every wait is bounded: `--handshake-timeout` (10 s), `--idle-timeout` (60 s
//!   without application data), `--write-timeout` (30 s without write progress).
//!   Options: `--alpn`, `--suite`, `--groups LIST` (as for `client`; the server picks
//!   its first group the client offers), `--trace`, `--client-ca FILE`,
//!   `--require-client-cert`, `--max-connections N` (default 256; beyond it the server
//!   closes a connection stalled for 5 s to make room, or new connections wait until
//!   one closes). Sessions are resumable by default, by session ID (`--session-cache N`,
//!   default 1024, 0 for none) and by ticket (`--no-tickets` for none); the page and the
//!   log say whether a connection resumed its session. The page and the log name the
//!   key exchange and its group, the page the server's key. `--record DIR` records
//!   every connection into DIR for `sanstls replay` (one file each; the key is not in
//!   them). Pre-shared keys: `--psk-identity ID --psk HEX`, or `--psk-file PATH` (every
//!   `identity:hexkey` line), and `--psk-hint HINT` (the identity hint, RFC 4279
//!   §5.2); without `--cert`/`--key` the server serves only the PSK suites. The log
//!   line and the page name the client's PSK identity.
//!
//! - `client` and `server` take `--provider builtin|openssl`: where the RSA private
//!   operations of `--key`, the ephemeral (EC)DH keys and the AEAD record keys run.
//!   `builtin` (the default) is sanstls's own code; `openssl` the system's libcrypto
//!   through the `sanstls-openssl` crate, in a binary built with this crate's cargo
//!   feature `openssl` (off by default; without it `--provider openssl` is a usage
//!   error naming the feature).
//!
//! - `sanstls replay FILE`: runs a connection recorded with `client --record FILE` or
//!   `server --record DIR` again, from the recorded command line, seed, times and
//!   received bytes, prints its trace (as `--trace` does) and outcome, and reports
//!   where it diverges from the recording. `--fuzz proto_client|proto_server FILE`
//!   runs a cargo-fuzz input of those targets the same way (`--write-recording OUT`
//!   keeps it as a recording); `--events` lists a recording's events. Format and use:
//!   docs/RECORDING.md.
//!
//! Suite names may be IANA names (`TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`) or OpenSSL
//! names (`ECDHE-ECDSA-AES128-GCM-SHA256`). sanstls implements 36 suites: ECDHE_ECDSA
//! and ECDHE_RSA with AES-GCM, ChaCha20-Poly1305 and AES-CBC (ECDHE_ECDSA also with
//! AES-CCM and AES-CCM_8); DHE_RSA and RSA with AES-GCM and AES-CBC; the pre-shared-key
//! suites PSK (AES-GCM, AES-CCM, AES-CCM_8, AES-CBC), DHE_PSK (AES-CBC) and ECDHE_PSK
//! (ChaCha20-Poly1305, AES-CBC). The CCM_8 suites are used only when named. An unknown
//! suite or group name is a usage error (exit status 2) that lists the valid names.
//! A bad `--psk` (not hex, too long) is a usage error; a bad `--psk-file` line a
//! configuration error (3) naming the line.
//!
//! # Environment
//!
//! - `SSLKEYLOGFILE`: client and server append each session's secrets to this file (NSS
//!   key log format, for Wireshark). Anyone with the file can decrypt the traffic.
//! - `SSL_CERT_FILE`: the trust store `sanstls client` uses without `--cafile` (else the
//!   usual system bundle locations are tried).
//!
//! # Exit status
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | TLS failure or timeout: the handshake failed or timed out, the connection broke (the reason is printed); the server left no session for `--sess-out` |
//! | 2 | usage: a bad command line (unknown option, unknown suite or group name, conflicting options) |
//! | 3 | configuration or file problem: a certificate, key, CA or session file is missing, not PEM, or does not fit; a session file cannot be written |
//! | 4 | network: the address does not resolve, the connection is refused, the port cannot be bound |
#![forbid(unsafe_code)]

mod certinfo;
mod client;
mod demo;
mod explain;
mod provider;
mod psk;
mod recording;
mod replay;
mod server;
mod session_file;
mod suites;
mod trace;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sanstls_wire::enums::KeyExchange;

/// Exit statuses (documented in `--help` and the crate doc).
pub(crate) mod exit {
    /// The handshake failed or the connection broke.
    pub(crate) const TLS: u8 = 1;
    /// A bad command line.
    pub(crate) const USAGE: u8 = 2;
    /// A configuration or file problem.
    pub(crate) const CONFIG: u8 = 3;
    /// A network problem: resolve, connect, bind.
    pub(crate) const NETWORK: u8 = 4;
}

/// Why a command failed: the exit status and the message for the user.
#[derive(Debug)]
pub(crate) struct Failure {
    /// One of [`exit`].
    pub code: u8,
    /// What went wrong and what to try.
    pub message: String,
}

impl Failure {
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

/// The record size option both `client` and `server` take.
#[derive(clap::Args, Debug)]
pub(crate) struct RecordArgs {
    /// Largest record to send and to ask the peer for, in bytes (512, 1024, 2048 or
    /// 4096 are also asked for with max_fragment_length; 64 to 16384 with
    /// record_size_limit). Default: full-size records (16384).
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = 16_384,
        value_parser = clap::value_parser!(u64).range(64..=16_384)
    )]
    max_fragment_len: u64,
}

impl RecordArgs {
    /// The value for `max_fragment_len` (the parser keeps it within 64..=16384).
    pub(crate) fn max_fragment_len(&self) -> usize {
        usize::try_from(self.max_fragment_len).unwrap_or(16_384)
    }
}

/// The current time (the system clock; the epoch if it is set before 1970).
pub(crate) fn now() -> sanstls_pki::UnixTime {
    sanstls_pki::UnixTime::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default(),
    )
}

/// A transport error for a message: what happened, in words, rather than the operating
/// system's text ("Connection reset by peer (os error 104)"). `peer`: "client" or
/// "server".
pub(crate) fn io_text(e: &std::io::Error, peer: &str) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionReset => format!("the {peer} reset the TCP connection"),
        ErrorKind::BrokenPipe => format!("the {peer} closed the TCP connection"),
        ErrorKind::TimedOut | ErrorKind::WouldBlock => "a socket operation timed out".to_string(),
        // The operating system's text ends with "(os error N)": say what kind it is.
        kind if e.raw_os_error().is_some() => format!("socket error: {kind}"),
        // sanstls-std's own texts are sentences.
        _ => e.to_string(),
    }
}

const EXIT_HELP: &str = "\
Exit status:
  0  success
  1  TLS failure or timeout: the handshake failed or timed out, or the
     connection broke (reason printed); no session for --sess-out
  2  usage: bad command line (unknown option, suite or group name, conflicting
     options)
  3  configuration or file problem: a certificate, key, CA, PSK or session file
     is missing, not PEM (or not `identity:hexkey`), or does not fit; a session
     file cannot be written
  4  network: cannot resolve, connection refused, cannot bind

Suite names: IANA (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) or OpenSSL
(ECDHE-RSA-AES128-GCM-SHA256); ECDHE_ECDSA and ECDHE_RSA with AES-GCM,
ChaCha20-Poly1305 or AES-CBC (ECDHE_ECDSA also AES-CCM, AES-CCM_8), DHE_RSA and
RSA with AES-GCM or AES-CBC; with a PSK: PSK (AES-GCM, AES-CCM, AES-CCM_8,
AES-CBC), DHE_PSK (AES-CBC), ECDHE_PSK (ChaCha20-Poly1305, AES-CBC), e.g.
PSK-AES128-GCM-SHA256, ECDHE-PSK-CHACHA20-POLY1305, DHE-PSK-AES128-CBC-SHA256,
PSK-AES128-CCM8. CCM_8 suites are offered only when named.
Group names (--groups): x25519, secp256r1 (P-256, prime256v1), secp384r1 (P-384).

Environment:
  SSLKEYLOGFILE  append each session's secrets to this file (NSS key log format,
                 for Wireshark); anyone with the file can decrypt the traffic
  SSL_CERT_FILE  the system trust store to use when --cafile is not given";

/// `client` and `server` help: the PSK options and file format, then [`EXIT_HELP`].
static CLIENT_SERVER_HELP: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{}\n\n{EXIT_HELP}", psk::PSK_HELP));

/// sanstls: a sans-IO TLS 1.2 library, as a command line.
#[derive(Parser, Debug)]
#[command(name = "sanstls", version, about, after_help = EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show a TLS 1.2 handshake step by step, then a resumption: a sanstls client and
    /// server on 127.0.0.1.
    #[command(after_help = EXIT_HELP)]
    Demo(DemoArgs),
    /// Connect to a TLS server, like `openssl s_client`: stdin to the server, its data
    /// to stdout, the session on stderr.
    ///
    /// At the end of stdin the client waits until the server has sent nothing for
    /// 0.3 s (at most 3 s), so that its answer to the last input is not cut off, then
    /// sends close_notify and prints what the server still sends until it closes (at
    /// most 2 s: then it says the server's close_notify did not come, and exits 0).
    /// Connecting and the handshake each get --timeout seconds.
    #[command(after_help = CLIENT_SERVER_HELP.as_str())]
    Client(client::Args),
    /// Serve TLS clients, like `openssl s_server`: echo, or an HTTP page for HTTP
    /// requests.
    ///
    /// Every wait is bounded: the handshake (--handshake-timeout), a client that sends
    /// no application data (--idle-timeout), a client that does not read
    /// (--write-timeout). The log names the bound that closed a connection.
    #[command(after_help = CLIENT_SERVER_HELP.as_str())]
    Server(server::Args),
    /// Run a recorded connection again (`client --record`, `server --record`, or a
    /// fuzz input with --fuzz) and print its trace and outcome.
    ///
    /// The connection is made again with the recorded configuration (the recorded
    /// command line: --cafile, --cert, --key and the like are read again from their
    /// files), seed and time, and every recorded call (bytes received, timeouts, data
    /// sent and read, close) is made again in order. Each call's result and every byte
    /// sent is compared with the recording: the first difference is reported as a
    /// divergence (exit status 1). The format: docs/RECORDING.md.
    #[command(after_help = REPLAY_HELP)]
    Replay(replay::Args),
}

const REPLAY_HELP: &str = "\
Exit status:
  0  the replay did what the recording did (whatever the connection's outcome)
  1  the replay diverged from the recording (the message says where and how)
  2  usage: bad command line
  3  the recording cannot be read (missing, not a recording, truncated, damaged),
     or a file its configuration names cannot be read (--cafile, --cert, --key)";

#[derive(clap::Args, Debug)]
struct DemoArgs {
    /// Offer only this cipher suite (IANA or OpenSSL name). An ECDHE_ECDSA suite makes
    /// the server present the demo's ECDSA certificate; a PSK suite (e.g.
    /// PSK-AES128-GCM-SHA256) makes both sides use the demo's pre-shared key and no
    /// certificate.
    #[arg(long, value_name = "NAME")]
    suite: Option<String>,
    /// Offer only suites with this key exchange. Default: the library's default suites,
    /// so its first choice for the RSA certificate, ECDHE_RSA with AES-128-GCM. psk,
    /// dhe-psk and ecdhe-psk use the demo's pre-shared key (identity and key built in)
    /// and no certificate.
    #[arg(long, value_enum)]
    kx: Option<Kx>,
    /// Offer only these ECDHE groups, in preference order (comma-separated or repeated;
    /// x25519, secp256r1 / P-256, secp384r1 / P-384). With ECDHE_ECDSA they must include
    /// secp256r1, the curve of the demo's ECDSA certificate (RFC 8422 §5.1).
    #[arg(long, value_name = "LIST")]
    groups: Vec<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Kx {
    /// RSA key transport: the client encrypts the premaster to the server's RSA key.
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman, signed with the RSA certificate.
    Dhe,
    /// Ephemeral elliptic-curve Diffie-Hellman, signed with the RSA certificate.
    Ecdhe,
    /// Ephemeral elliptic-curve Diffie-Hellman, signed with an ECDSA (P-256)
    /// certificate.
    EcdheEcdsa,
    /// A pre-shared key alone (RFC 4279 §2): no certificate, no forward secrecy.
    Psk,
    /// Ephemeral Diffie-Hellman authenticated by a pre-shared key (RFC 4279 §3).
    DhePsk,
    /// Ephemeral elliptic-curve Diffie-Hellman authenticated by a pre-shared key (RFC
    /// 5489).
    EcdhePsk,
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Demo(a) => {
            let suite = a
                .suite
                .as_deref()
                .map(suites::parse)
                .transpose()
                .map_err(|m| Failure::new(exit::USAGE, m))?;
            let kx = a.kx.map(|k| match k {
                Kx::Rsa => KeyExchange::Rsa,
                Kx::Dhe => KeyExchange::DheRsa,
                Kx::Ecdhe => KeyExchange::EcdheRsa,
                Kx::EcdheEcdsa => KeyExchange::EcdheEcdsa,
                Kx::Psk => KeyExchange::Psk,
                Kx::DhePsk => KeyExchange::DhePsk,
                Kx::EcdhePsk => KeyExchange::EcdhePsk,
            });
            let groups =
                suites::parse_groups(&a.groups).map_err(|m| Failure::new(exit::USAGE, m))?;
            demo::run(&demo::Options { suite, kx, groups })
        }
        Command::Client(a) => client::run(&a),
        Command::Server(a) => server::run(&a),
        Command::Replay(a) => replay::run(&a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let msg = f.message.trim_end();
            eprintln!("sanstls: {msg}");
            ExitCode::from(f.code)
        }
    }
}
