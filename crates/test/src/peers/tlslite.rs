//! tlslite-ng peers: `crates/test/peers/tlslite_server.py` and `tlslite_client.py`
//! (TLS 1.2, the AES-CBC suites sanstls has, record_size_limit both ways), started like
//! the OpenSSL peers, and the parsing of the report they print on stderr.
//!
//! tlslite-ng (0.8.2, `pip install tlslite-ng==0.8.2`, which `.ci/run` does) is the one
//! record_size_limit (RFC 8449) peer: OpenSSL 3.0 does not implement it. It does not
//! implement max_fragment_length (RFC 6066 §4): it ignores a client's request and never
//! sends one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{Peer, td, tool_path};

/// The path of a committed peer script, `crates/test/peers/<name>`.
pub fn peer_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("peers")
        .join(name)
}

/// Whether `python` imports tlslite: its version, or why not.
fn tlslite_version(python: &Path) -> Result<String, String> {
    let out = Command::new(python)
        .args(["-c", "import tlslite; print(tlslite.__version__)"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// A [`Command`] for `python3 -B` (the one [`tool`](super::tool) finds; `PYTHON3`
/// overrides it) once it is known to import tlslite-ng.
///
/// # Panics
/// If python3 is missing, or tlslite-ng is not installed for it: the message says
/// how to install it. A test never passes silently without its peer.
pub fn tlslite_python() -> Command {
    static CHECKED: OnceLock<Result<String, String>> = OnceLock::new();
    let python = tool_path("python3");
    if let Err(why) = CHECKED.get_or_init(|| tlslite_version(&python)) {
        panic!(
            "tlslite-ng is not installed for {py} ({why}): install it with \
             `{py} -m pip install tlslite-ng==0.8.2` (add --break-system-packages for \
             Debian's python3), as .ci/run does; the record_size_limit interop tests need it",
            py = python.display()
        );
    }
    let mut cmd = Command::new(python);
    // No __pycache__ beside the committed scripts.
    cmd.arg("-B");
    cmd
}

/// Starts `tlslite_server.py` on a 127.0.0.1 ephemeral port with
/// `testdata/server-rsa2048` (chain and key) and a 20 s socket timeout, plus `args`
/// (a later `--cert`/`--key`/`--timeout` overrides these). Returns once it listens:
/// the peer and its port.
///
/// It serves one connection and exits: it echoes until the client's close_notify
/// (default), or with `--http` answers one request with a page naming the suite
/// (`--body-size N` adds N bytes, sent with one write). Other options:
/// `--suite NAME` (IANA or OpenSSL name, repeatable; default all eight
/// RSA/DHE_RSA AES-CBC suites), `--record-size-limit N`, `--no-record-size-limit`,
/// `--ignore-record-size-limit`, `--no-ems`, `--require-ems`, `--no-etm`; for
/// session resumption `--connections N` (serve N connections one after another, each
/// report after a `CONNECTION i` line: see [`tlslite_connections`]),
/// `--session-cache` (resume by session ID) and `--tickets` (issue and accept TLS 1.2
/// session tickets). Its `NEGOTIATED` line says `resumed=yes|no`.
///
/// ```no_run
/// # use sanstls_test::peers::{tlslite_server, tlslite_records};
/// let (mut server, port) = tlslite_server(["--http", "--body-size", "20000", "--record-size-limit", "512"]);
/// // ... a client connects to port ...
/// server.wait();
/// let received = tlslite_records(&server.stderr(), "received");
/// ```
///
/// # Panics
/// As [`tlslite_python`], or if it exits before listening (with what it printed).
pub fn tlslite_server<I, S>(args: I) -> (Peer, u16)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = tlslite_python();
    cmd.arg(peer_script("tlslite_server.py"))
        .args(["--cert", &td("server-rsa2048.chain.pem")])
        .args(["--key", &td("server-rsa2048.rsa.pem")])
        .args(["--timeout", "20"])
        .args(args);
    let mut peer = Peer::spawn(&mut cmd);
    "tlslite_server.py".clone_into(&mut peer.name);
    let line = peer.line_containing("PORT ");
    let port = line
        .strip_prefix("PORT ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("tlslite_server.py said it listens, but on what port? {line:?}"));
    (peer, port)
}

/// Starts `tlslite_client.py` against `127.0.0.1:port`, trusting
/// `testdata/ca-root.cert.pem` (it checks the chain's signatures; names and dates are
/// not checked), with a 20 s socket timeout, plus `args`. It sends `input` in one
/// write, reads as many bytes back (`--read-until-close`: until the server closes),
/// prints them on stdout and closes with close_notify. Other options as
/// [`tlslite_server`]'s, and `--server-name NAME` (SNI). With `--connections N` it
/// does that N times, each later connection offering to resume the session of the one
/// before (by session ID, or by ticket when the server gave one).
///
/// ```no_run
/// # use sanstls_test::peers::{tlslite_server, tlslite_client, tlslite_records};
/// let (_server, port) = tlslite_server(["--record-size-limit", "512"]);
/// let mut client = tlslite_client(port, ["--record-size-limit", "512"], &[b'a'; 5000]);
/// assert!(client.wait().success(), "{}", client.stderr());
/// assert!(tlslite_records(&client.stderr(), "received").largest_protected <= 512 + 64);
/// ```
///
/// # Panics
/// As [`tlslite_python`].
pub fn tlslite_client<I, S>(port: u16, args: I, input: &[u8]) -> Peer
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = tlslite_python();
    cmd.arg(peer_script("tlslite_client.py"))
        .args(["--port", &port.to_string()])
        .args(["--cafile", &td("ca-root.cert.pem")])
        .args(["--timeout", "20"])
        .args(args);
    let mut peer = Peer::spawn_with_input(&mut cmd, input);
    "tlslite_client.py".clone_into(&mut peer.name);
    peer
}

/// The `key=value` fields of the report line `tlslite: <what> ...` in a tlslite
/// peer's stderr (the last such line), or `None` if there is none. `what` is e.g.
/// `"NEGOTIATED"` (version, cipher, ems, etm, resumed), `"LIMITS"` (send, recv,
/// peer_record_size_limit: the limits in force after the handshake), `"HELLO received"`
/// / `"HELLO sent"` (record_size_limit, max_fragment_length, ems, etm: the extensions
/// in the peer's / its own hello, `none` when absent; session_id: in hex, `none` when
/// empty; session_ticket: `none`, `empty` or the ticket's length) or `"RECORDS received"` /
/// `"RECORDS sent"` (see [`RecordFigures`]).
pub fn tlslite_report(stderr: &str, what: &str) -> Option<BTreeMap<String, String>> {
    let prefix = format!("tlslite: {what} ");
    let line = stderr.lines().rev().find_map(|l| l.strip_prefix(&prefix))?;
    Some(
        line.split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}

/// A tlslite peer's stderr cut into one piece per connection, for a peer that made or
/// served several (`--connections N`): each piece starts at its `tlslite: CONNECTION i`
/// line and holds that connection's report, to be read with [`tlslite_report`]; what
/// comes before the first (a server's `SUITES` line) belongs to none. A stderr
/// without such a line gives the whole of it as the one piece.
pub fn tlslite_connections(stderr: &str) -> Vec<&str> {
    const MARK: &str = "tlslite: CONNECTION ";
    let starts: Vec<usize> = stderr
        .match_indices(MARK)
        .map(|(at, _)| at)
        .filter(|&at| at == 0 || stderr.as_bytes()[at - 1] == b'\n')
        .collect();
    if starts.is_empty() {
        return vec![stderr];
    }
    starts
        .iter()
        .zip(starts.iter().skip(1).copied().chain([stderr.len()]))
        .map(|(&from, to)| &stderr[from..to])
        .collect()
}

/// Record sizes a tlslite peer measured on its socket (record header's length
/// field, the 5-byte header not counted; 0 when there was no such record).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordFigures {
    /// How many records.
    pub count: usize,
    /// The longest record of any kind (including unprotected handshake records,
    /// which record_size_limit does not bound).
    pub largest: usize,
    /// The longest record after the ChangeCipherSpec of that direction: what
    /// record_size_limit bounds (plus the protection's expansion, see
    /// [`cbc_record_len`]).
    pub largest_protected: usize,
    /// The longest application_data record.
    pub largest_app_data: usize,
}

/// The records a tlslite peer `"received"` or `"sent"` (its `RECORDS` report line).
///
/// # Panics
/// If `stderr` has no such line (the peer did not get that far, or is not a tlslite
/// peer): the message holds the stderr.
pub fn tlslite_records(stderr: &str, direction: &str) -> RecordFigures {
    let fields = tlslite_report(stderr, &format!("RECORDS {direction}"))
        .unwrap_or_else(|| panic!("no 'RECORDS {direction}' line in:\n{stderr}"));
    let get = |k: &str| -> usize {
        fields
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no number {k}= in 'RECORDS {direction}' of:\n{stderr}"))
    };
    RecordFigures {
        count: get("count"),
        largest: get("largest"),
        largest_protected: get("largest_protected"),
        largest_app_data: get("largest_app_data"),
    }
}

/// The longest protected record a tlslite peer received: whether its peer (sanstls,
/// say) kept to the record_size_limit it advertised. Shorthand for
/// [`tlslite_records`]`(stderr, "received").largest_protected`.
///
/// # Panics
/// As [`tlslite_records`].
pub fn largest_record_received(stderr: &str) -> usize {
    tlslite_records(stderr, "received").largest_protected
}

/// The length field of an AES-CBC record carrying `plaintext` bytes with a MAC of
/// `mac_len` bytes (20 for `_SHA`, 32 for `_SHA256`), with the least padding (what
/// OpenSSL and tlslite-ng send): explicit IV (16) + the encrypted plaintext, MAC and
/// padding (MAC-then-encrypt), or IV + encrypted plaintext and padding + MAC
/// (encrypt-then-MAC). At most `plaintext + 64` for the sanstls suites.
pub fn cbc_record_len(plaintext: usize, mac_len: usize, encrypt_then_mac: bool) -> usize {
    let padded = |n: usize| (n / 16 + 1) * 16; // at least one byte of padding
    if encrypt_then_mac {
        16 + padded(plaintext) + mac_len
    } else {
        16 + padded(plaintext + mac_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_without_tlslite_says_why() {
        let err = tlslite_version(Path::new("/nonexistent/python3")).unwrap_err();
        assert!(err.contains("cannot run /nonexistent/python3"), "{err}");
        let err = tlslite_version(Path::new("false")).unwrap_err();
        assert_eq!(err, "");
    }

    #[test]
    fn report_lines_are_parsed() {
        let stderr = "tlslite: NEGOTIATED version=TLS1.2 cipher=TLS_RSA_WITH_AES_128_CBC_SHA ems=yes etm=no\n\
                      tlslite: RECORDS received count=9 largest=1779 largest_protected=576 largest_app_data=560\n\
                      tlslite: RECORDS sent count=3 largest=100 largest_protected=80 largest_app_data=0\n";
        let n = tlslite_report(stderr, "NEGOTIATED").unwrap();
        assert_eq!(n["cipher"], "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert_eq!(n["etm"], "no");
        assert!(tlslite_report(stderr, "LIMITS").is_none());
        assert_eq!(
            tlslite_records(stderr, "received"),
            RecordFigures {
                count: 9,
                largest: 1779,
                largest_protected: 576,
                largest_app_data: 560
            }
        );
        assert_eq!(largest_record_received(stderr), 576);
        assert_eq!(tlslite_records(stderr, "sent").count, 3);
    }

    #[test]
    fn connections_are_cut_at_their_marks() {
        let one = "tlslite: NEGOTIATED resumed=no\n";
        assert_eq!(tlslite_connections(one), [one]);
        let two = "tlslite: SUITES x\ntlslite: CONNECTION 1\ntlslite: NEGOTIATED resumed=no\n\
                   tlslite: CONNECTION 2\ntlslite: NEGOTIATED resumed=yes\n";
        let cut = tlslite_connections(two);
        assert_eq!(cut.len(), 2);
        assert_eq!(
            tlslite_report(cut[0], "NEGOTIATED").unwrap()["resumed"],
            "no"
        );
        assert_eq!(
            tlslite_report(cut[1], "NEGOTIATED").unwrap()["resumed"],
            "yes"
        );
        assert!(cut[1].starts_with("tlslite: CONNECTION 2\n"));
    }

    #[test]
    fn cbc_record_lengths() {
        // AES-256-CBC-SHA256 with EtM, 512 bytes: what tlslite-ng sends at a 512 limit.
        assert_eq!(cbc_record_len(512, 32, true), 576);
        assert_eq!(cbc_record_len(512, 32, false), 576);
        assert_eq!(cbc_record_len(512, 20, false), 560);
        assert_eq!(cbc_record_len(256, 32, false), 320);
        assert!(cbc_record_len(16384, 32, false) <= 16384 + 64);
    }
}
