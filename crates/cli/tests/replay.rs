//! `--record` and `sanstls replay`: a connection recorded against OpenSSL replays to the
//! identical trace; fuzz inputs replay; damaged recordings are clear errors.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{HANG_GUARD, Output, Peer, bin, cert_server, client_cmd, run, td, temp_path};
use sanstls_test::peers;

/// The lines `--trace` prints, from a run's whole stderr (or a replay's stdout): each
/// message line (`client → server  ...`), its indented explanation, and the event lines
/// (`handshake complete`, `peer sent ...`). `prefix` (a server connection's label) is
/// removed; lines of other connections are left out.
fn trace_lines(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_message = false;
    for line in text.lines() {
        let Some(line) = line.strip_prefix(prefix) else {
            in_message = false;
            continue;
        };
        let head = ["client → server", "server → client"]
            .iter()
            .any(|a| line.starts_with(a));
        let event = ["handshake complete", "peer sent ", "peer closed "]
            .iter()
            .any(|e| line.starts_with(e));
        if head || event || (in_message && line.starts_with("    ")) {
            out.push(line.to_string());
            in_message = head || (in_message && line.starts_with("    "));
        } else {
            in_message = false;
        }
    }
    out
}

/// The replay's trace section (between `--- trace` and the next `---` line).
fn replay_trace(stdout: &str, prefix: &str) -> Vec<String> {
    let section: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "--- trace")
        .skip(1)
        .take_while(|l| !l.starts_with("--- "))
        .collect();
    trace_lines(&section.join("\n"), prefix)
}

fn replay(args: &[&str]) -> Output {
    let mut c = bin();
    c.arg("replay").args(args);
    run(c, b"")
}

/// A recording of `sanstls client` against `openssl s_server`, with the client's output.
fn record_client(dir: &Path, extra: &[&str]) -> (PathBuf, Output) {
    let (_peer, port) = peers::s_server().args(["-rev"]).start();
    let file = dir.join("client.rec");
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args([
        "--cafile",
        &td("ca-root.cert.pem"),
        "--servername",
        "localhost",
    ])
    .args(["--trace", "--record"])
    .arg(&file)
    .args(extra);
    let o = run(c, b"hello from the recorded client\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(file.is_file(), "{o:#?}");
    (file, o)
}

fn fresh_dir(tag: &str) -> PathBuf {
    let d = temp_path(tag);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn client_recording_against_s_server_replays_to_the_same_trace() {
    let dir = fresh_dir("rec-client");
    for extra in [
        &[][..],
        &["--suite", "DHE-RSA-AES128-SHA256"],
        &["--suite", "AES256-SHA"],
    ] {
        let (file, live) = record_client(&dir, extra);
        let live_trace = trace_lines(&live.stderr, "");
        assert!(
            live_trace
                .iter()
                .any(|l| l.starts_with("server → client  Finished")),
            "{live_trace:#?}"
        );
        let o = replay(&[file.to_str().unwrap()]);
        assert_eq!(o.code(), 0, "{o:#?}");
        assert_eq!(replay_trace(&o.stdout, ""), live_trace, "{}", o.stdout);
        assert!(
            o.stdout.contains("replay: identical to the recording"),
            "{}",
            o.stdout
        );
        // The outcome names the suite the live run printed in its summary.
        let suite = live
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("  suite:      "))
            .and_then(|s| s.split(' ').next())
            .unwrap()
            .to_string();
        assert!(
            o.stdout
                .contains(&format!("handshake: complete, {suite} session=new")),
            "{suite}: {}",
            o.stdout
        );
        assert!(o.stdout.contains("error: none"), "{}", o.stdout);
        // The client sent close_notify at the end of stdin.
        assert!(o.stdout.contains("close_notify sent"), "{}", o.stdout);
        // --events lists the calls.
        let ev = replay(&["--events", file.to_str().unwrap()]);
        assert_eq!(ev.code(), 0, "{ev:#?}");
        assert!(ev.stdout.contains("sanstls client"), "{}", ev.stdout);
        assert!(ev.stdout.contains(" recv "), "{}", ev.stdout);
        assert!(ev.stdout.contains(" send "), "{}", ev.stdout);
        std::fs::remove_file(&file).unwrap();
    }
}

/// Waits until `dir` holds a finished recording (a guard, not a timing assertion).
fn wait_for_recording(dir: &Path) -> PathBuf {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "sanstls-rec"));
        if let Some(p) = found {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "no recording appeared in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn server_recording_of_s_client_replays_to_the_same_trace() {
    let dir = fresh_dir("rec-server");
    let rec_dir = dir.join("recordings");
    let srv = cert_server(&["--trace", "--record", rec_dir.to_str().unwrap()]);
    let (mut peer, mut stdin) = Peer::spawn_with_stdin(
        peers::s_client(srv.port)
            .args(["-CAfile", &td("ca-root.cert.pem")])
            .args(["-servername", "localhost", "-verify_return_error"])
            .args(["-quiet", "-no_ign_eof"]),
    );
    writeln!(stdin, "echo me, recorded").unwrap();
    peer.line_containing("echo me, recorded");
    // s_client ends the connection at the end of its input.
    drop(stdin);
    let file = wait_for_recording(&rec_dir);
    srv.wait_for_log("recorded to ");
    drop(peer);
    let log = srv.log();
    // The connection's label starts its trace lines, live and replayed.
    let label = log
        .lines()
        .find_map(|l| l.split_once("] ").map(|(a, _)| format!("{a}] ")))
        .unwrap();
    let live_trace = trace_lines(&log, &label);
    assert!(
        live_trace
            .iter()
            .any(|l| l.starts_with("client → server  Finished")),
        "{log}"
    );
    let o = replay(&[file.to_str().unwrap()]);
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{log}");
    assert_eq!(replay_trace(&o.stdout, &label), live_trace, "{}", o.stdout);
    assert!(o.stdout.contains("replay: identical"), "{}", o.stdout);
    assert!(
        o.stdout.contains("handshake: complete, TLS_"),
        "{}",
        o.stdout
    );
    // The server issued a ticket: the ticketer's answer came from the recording.
    let ev = replay(&["--events", file.to_str().unwrap()]);
    assert!(ev.stdout.contains("ticket encrypt"), "{}", ev.stdout);
}

#[test]
fn a_fuzz_seed_replays_to_a_handshake_and_close_notify() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds/proto_client/ecdhe_rsa_aes128_gcm_x25519");
    let out = temp_path("fuzz-rec");
    let o = replay(&[
        "--fuzz",
        "proto_client",
        seed.to_str().unwrap(),
        "--write-recording",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code(), 0, "{o:#?}");
    let trace = replay_trace(&o.stdout, "");
    assert!(
        trace.iter().any(|l| l == "handshake complete"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("peer sent close_notify"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("handshake: complete, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("replay: identical"), "{}", o.stdout);
    // The written recording replays to the same output.
    let again = replay(&[out.to_str().unwrap()]);
    assert_eq!(again.code(), 0, "{again:#?}");
    assert_eq!(replay_trace(&again.stdout, ""), trace);

    // Every recorded server seed replays too (not the `cmin-` inputs a campaign's
    // minimized corpus added, which need not complete a handshake).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/proto_server");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("cmin-")
        {
            continue;
        }
        let o = replay(&["--fuzz", "proto_server", path.to_str().unwrap()]);
        assert_eq!(o.code(), 0, "{path:?}: {o:#?}");
        assert!(
            o.stdout.contains("handshake: complete"),
            "{path:?}: {}",
            o.stdout
        );
    }
}

#[test]
fn damaged_recordings_are_clear_errors() {
    let dir = fresh_dir("rec-bad");
    let (file, _) = record_client(&dir, &[]);
    let bytes = std::fs::read(&file).unwrap();
    let bad = dir.join("bad.rec");
    let check = |data: &[u8], needle: &str| {
        std::fs::write(&bad, data).unwrap();
        let o = replay(&[bad.to_str().unwrap()]);
        assert_eq!(o.code(), 3, "{needle}: {o:#?}");
        assert!(o.stderr.contains(needle), "{needle}: {o:#?}");
        assert!(!o.stderr.contains("panicked"), "{o:#?}");
    };
    check(b"", "not a sanstls recording");
    check(b"GET / HTTP/1.1\r\n\r\n", "not a sanstls recording");
    // Cut in the header, and in the middle of the last event.
    check(&bytes[..20], "truncated");
    check(&bytes[..bytes.len() - 3], "truncated");
    // Another version.
    let mut v = bytes.clone();
    v[8] = 99;
    check(&v, "version 99");
    // An event that claims to be 4 GiB long.
    let mut huge = bytes.clone();
    huge.extend_from_slice(&[2, 0xff, 0xff, 0xff, 0xff]);
    check(&huge, "at most");
    // An unknown event.
    let mut unknown = bytes.clone();
    unknown.extend_from_slice(&[200, 0, 0, 0, 0]);
    check(&unknown, "damaged");
    // A recording written by hand from docs/RECORDING.md whose command line names a
    // device as its CA file: refused before anything reads it.
    let mut hand = b"STLS-REC\x01\x01".to_vec();
    hand.extend_from_slice(&[7; 32]);
    let args = ["127.0.0.1:1", "--cafile", "/dev/zero"];
    hand.extend_from_slice(&(args.len() as u16).to_be_bytes());
    for a in args.iter().chain(&["/", ""]) {
        hand.extend_from_slice(&(a.len() as u16).to_be_bytes());
        hand.extend_from_slice(a.as_bytes());
    }
    check(&hand, "/dev/zero, which is not a regular file");
    // Answers without end before a call: refused (a divergence) after a bound.
    let mut answers = bytes.clone();
    for _ in 0..100 {
        answers.extend_from_slice(&[16, 0, 0, 0, 1, 0]);
    }
    std::fs::write(&bad, &answers).unwrap();
    let o = replay(&[bad.to_str().unwrap()]);
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(o.stderr.contains("answers recorded for one call"), "{o:#?}");
    // One answer after the last call: nothing asked for it.
    let mut trailing = bytes.clone();
    trailing.extend_from_slice(&[16, 0, 0, 0, 1, 0]);
    std::fs::write(&bad, &trailing).unwrap();
    let o = replay(&[bad.to_str().unwrap()]);
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(
        o.stderr.contains("DIVERGED from the recording at its end"),
        "{o:#?}"
    );
    // A missing file, and a recording whose --cafile is gone.
    let o = replay(&[dir.join("nothing-here").to_str().unwrap()]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains("cannot open the recording"), "{o:#?}");
    let moved = dir.join("ca-moved.pem");
    std::fs::copy(td("ca-root.cert.pem"), &moved).unwrap();
    let (_peer, port) = peers::s_server().args(["-rev"]).start();
    let file2 = dir.join("moved.rec");
    let mut c = client_cmd(&format!("127.0.0.1:{port}"));
    c.args([
        "--cafile",
        moved.to_str().unwrap(),
        "--servername",
        "localhost",
    ])
    .args(["--record", file2.to_str().unwrap()]);
    assert_eq!(run(c, b"x\n").code(), 0);
    std::fs::remove_file(&moved).unwrap();
    let o = replay(&[file2.to_str().unwrap()]);
    assert_eq!(o.code(), 3, "{o:#?}");
    assert!(o.stderr.contains("ca-moved.pem"), "{o:#?}");
}

#[test]
fn a_tampered_received_byte_makes_the_replay_diverge() {
    let dir = fresh_dir("rec-tamper");
    let (file, _) = record_client(&dir, &["--suite", "ECDHE-RSA-AES128-GCM-SHA256"]);
    let listing = replay(&["--events", file.to_str().unwrap()]).stdout;
    // The last chunk received with data: an encrypted record (the server's Finished,
    // its close_notify, or application data).
    let (at, len) = listing
        .lines()
        .filter(|l| l.contains(" recv ") && !l.contains("recv eof"))
        .filter_map(|l| {
            let (_, rest) = l.split_once(" recv ")?;
            let words: Vec<&str> = rest.split_whitespace().collect();
            let len: usize = words.get(1)?.parse().ok()?;
            let at_pos = words.iter().rposition(|w| *w == "byte")?;
            let at: usize = words.get(at_pos + 1)?.parse().ok()?;
            Some((at, len))
        })
        .next_back()
        .unwrap_or_else(|| panic!("{listing}"));
    let mut bytes = std::fs::read(&file).unwrap();
    // A byte of the last record's ciphertext.
    bytes[at + len - 1] ^= 0x01;
    let tampered = dir.join("tampered.rec");
    std::fs::write(&tampered, &bytes).unwrap();
    let o = replay(&[tampered.to_str().unwrap()]);
    assert_eq!(o.code(), 1, "{o:#?}");
    assert!(o.stdout.contains("DIVERGED"), "{}", o.stdout);
    assert!(o.stderr.contains("DIVERGED"), "{}", o.stderr);
    assert!(o.stdout.contains("bad_record_mac"), "{}", o.stdout);
}

#[test]
fn resumed_connections_replay_from_the_recorded_store_and_ticketer_answers() {
    // Both sides recorded: the client resumes by ticket, then (--no-tickets) by
    // session ID; the replays get the session from the recorded answers, not from a
    // live store or the server's ticket keys (which the recording does not hold).
    for no_tickets in [false, true] {
        let dir = fresh_dir("rec-resume");
        let server_dir = dir.join("server");
        let mut extra = vec!["--record", server_dir.to_str().unwrap()];
        if no_tickets {
            extra.push("--no-tickets");
        }
        let srv = cert_server(&extra);
        let file = dir.join("c.rec");
        let mut c = common::trusted_client(srv.port);
        c.args(["--reconnect", "1", "--record", file.to_str().unwrap()]);
        if no_tickets {
            c.arg("--no-tickets");
        }
        let o = run(c, b"again\n");
        assert_eq!(o.code(), 0, "{o:#?}");
        assert!(o.stderr.contains("Reused, TLS 1.2"), "{}", o.stderr);
        let second = format!("{}.2", file.display());
        let r = replay(&[&second]);
        assert_eq!(r.code(), 0, "{r:#?}");
        assert!(
            r.stdout.contains("handshake complete (session resumed)"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("session=resumed"), "{}", r.stdout);
        assert!(r.stdout.contains("replay: identical"), "{}", r.stdout);
        // The server's recordings, one per connection: each replays identically, the
        // second as a resumption.
        srv.wait_for_log("[#2 ");
        let deadline = Instant::now() + HANG_GUARD;
        let files = loop {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&server_dir)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "sanstls-rec"))
                .collect();
            if files.len() == 2 {
                files.sort();
                break files;
            }
            assert!(Instant::now() < deadline, "{files:?}\n{}", srv.log());
            std::thread::sleep(Duration::from_millis(20));
        };
        let resumed: Vec<bool> = files
            .iter()
            .map(|f| {
                let r = replay(&[f.to_str().unwrap()]);
                assert_eq!(r.code(), 0, "{r:#?}");
                assert!(r.stdout.contains("replay: identical"), "{}", r.stdout);
                r.stdout.contains("session=resumed")
            })
            .collect();
        assert_eq!(resumed.iter().filter(|r| **r).count(), 1, "{files:?}");
        let listing = replay(&["--events", files[0].to_str().unwrap()]).stdout
            + &replay(&["--events", files[1].to_str().unwrap()]).stdout;
        let answer = if no_tickets {
            "session cache get"
        } else {
            "ticket decrypt"
        };
        assert!(listing.contains(answer), "{listing}");
    }
}
