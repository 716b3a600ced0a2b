//! Session resumption from the command line, on 127.0.0.1: `sanstls client
//! --reconnect` against `sanstls server` with tickets, session IDs, both or neither;
//! session files (`--sess-out`, `--sess-in`) across processes; the server's page; and
//! `openssl s_client -reconnect` against `sanstls server`.

mod common;

use std::os::unix::fs::PermissionsExt as _;

use common::{Peer, assert_exit, cert_server, closed_port, run, td, temp_path, trusted_client};
use sanstls_test::peers;

/// The lines of `stderr` that start with `New` or `Reused`, as those words.
/// Asserts that `text` (a client's stderr) contains `needle`, showing all of it if not.
#[track_caller]
fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "no {needle:?} in:\n{text}");
}

fn new_or_reused(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| {
            if l.starts_with("New, TLS 1.2, cipher TLS_") {
                Some("New")
            } else if l.starts_with("Reused, TLS 1.2, cipher TLS_") {
                Some("Reused")
            } else {
                None
            }
        })
        .collect()
}

/// `sanstls client --reconnect 2` to a server started with `server_args`, sending a
/// line (echoed on the last connection): the New/Reused words, and the output.
fn reconnect_twice(server_args: &[&str], client_args: &[&str]) -> (Vec<String>, common::Output) {
    let srv = cert_server(server_args);
    let mut c = trusted_client(srv.port);
    c.args(["--reconnect", "2"]).args(client_args);
    let o = run(c, b"hello again\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    // The last connection carries stdin; the ones before only shake hands.
    assert_eq!(o.stdout, "hello again\n", "{o:#?}");
    let words = new_or_reused(&o.stderr)
        .into_iter()
        .map(str::to_string)
        .collect();
    // The server saw three connections and logged each one's session.
    srv.wait_for_log("[#3 ");
    (words, o)
}

#[test]
fn reconnect_resumes_by_ticket_without_a_session_cache() {
    let (words, o) = reconnect_twice(&["--session-cache", "0"], &[]);
    assert_eq!(words, ["New", "Reused", "Reused"], "{}", o.stderr);
    has(
        &o.stderr,
        "session:    new (full handshake; resumable by ticket)",
    );
    has(&o.stderr, "session:    resumed by session ticket");
    has(&o.stderr, "(connection 3 of 3)");
    // Verification happened in the full handshake and is not repeated.
    has(
        &o.stderr,
        "verification: OK in this session's full handshake",
    );
}

#[test]
fn reconnect_resumes_by_session_id_without_tickets() {
    let (words, o) = reconnect_twice(&["--no-tickets"], &[]);
    assert_eq!(words, ["New", "Reused", "Reused"], "{}", o.stderr);
    has(
        &o.stderr,
        "session:    new (full handshake; resumable by session ID)",
    );
    has(&o.stderr, "session:    resumed by session ID");

    // A client that offers no tickets resumes by ID from a server that has both.
    let (words, o) = reconnect_twice(&[], &["--no-tickets"]);
    assert_eq!(words, ["New", "Reused", "Reused"], "{}", o.stderr);
    has(&o.stderr, "session:    resumed by session ID");
}

#[test]
fn reconnect_with_neither_cache_nor_tickets_is_new_each_time() {
    let (words, o) = reconnect_twice(&["--session-cache", "0", "--no-tickets"], &[]);
    assert_eq!(words, ["New", "New", "New"], "{}", o.stderr);
    has(
        &o.stderr,
        "not resumable (the server gave neither a session ID nor a ticket)",
    );
}

#[test]
fn server_log_and_page_say_whether_the_session_was_resumed() {
    let srv = cert_server(&[]);
    let mut c = trusted_client(srv.port);
    c.args(["--reconnect", "1"]);
    let o = run(c, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(o.code(), 0, "{o:#?}\nserver log:\n{}", srv.log());
    assert_eq!(new_or_reused(&o.stderr), ["New", "Reused"], "{}", o.stderr);
    // The page went to the last, resumed, connection.
    assert!(
        o.stdout.contains(
            "session:                resumed (abbreviated handshake: no certificate, no key \
             exchange)"
        ),
        "{}",
        o.stdout
    );
    srv.wait_for_log("session=new");
    srv.wait_for_log("session=resumed");

    // A single connection gets a full handshake, and the page says so.
    let o = run(trusted_client(srv.port), b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_eq!(new_or_reused(&o.stderr), ["New"], "{}", o.stderr);
    assert!(
        o.stdout
            .contains("session:                new (full handshake)"),
        "{}",
        o.stdout
    );
}

#[test]
fn sess_out_then_sess_in_resumes_in_another_process() {
    let srv = cert_server(&[]);
    let file = temp_path("session.pem");
    let path = file.display().to_string();
    let mut c = trusted_client(srv.port);
    c.args(["--sess-out", &path]);
    let o = run(c, b"first\n");
    assert_exit(&o, 0, &["session written to", &path]);
    assert_eq!(new_or_reused(&o.stderr), ["New"], "{}", o.stderr);

    // The file: private, PEM with the label, 64-column base64.
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "-----BEGIN SANSTLS SESSION-----", "{text}");
    assert_eq!(
        lines[lines.len() - 1],
        "-----END SANSTLS SESSION-----",
        "{text}"
    );
    assert!(
        lines[1..lines.len() - 1].iter().all(|l| l.len() <= 64),
        "{text}"
    );
    assert_eq!(lines[1].len(), 64, "{text}");

    // Another process resumes it, and says where the session came from.
    let mut c = trusted_client(srv.port);
    c.args(["--sess-in", &path]);
    let o = run(c, b"second\n");
    assert_exit(&o, 0, &["verification: not repeated", &path]);
    assert_eq!(o.stdout, "second\n");
    assert_eq!(new_or_reused(&o.stderr), ["Reused"], "{}", o.stderr);

    // --sess-in and --sess-out on the same file, with reconnections: every connection
    // resumes, and the file is rewritten (still private even if it was not).
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut c = trusted_client(srv.port);
    c.args(["--sess-in", &path, "--sess-out", &path, "--reconnect", "1"]);
    let o = run(c, b"third\n");
    assert_exit(&o, 0, &["session written to"]);
    assert_eq!(
        new_or_reused(&o.stderr),
        ["Reused", "Reused"],
        "{}",
        o.stderr
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    srv.wait_for_log("session=resumed");
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn sess_in_for_another_name_says_why_it_is_not_resumed() {
    let srv = cert_server(&[]);
    let file = temp_path("session-name.pem");
    let path = file.display().to_string();
    let mut c = trusted_client(srv.port);
    c.args(["--sess-out", &path]);
    assert_exit(&run(c, b""), 0, &[]);
    // The session was made for "localhost"; this client asks for the IP address.
    let mut c = common::client_cmd(&format!("127.0.0.1:{}", srv.port));
    c.args(["--cafile", &td("ca-root.cert.pem"), "--sess-in", &path]);
    let o = run(c, b"x\n");
    assert_exit(
        &o,
        0,
        &[
            "note: the session in",
            "was made for \"localhost\"",
            "the server did not resume the session offered",
        ],
    );
    assert_eq!(new_or_reused(&o.stderr), ["New"], "{}", o.stderr);
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn sess_in_refuses_what_is_not_a_session_and_names_the_file() {
    // The file is read before connecting: nothing listens on the port.
    let port = closed_port();
    let client = |file: &str| {
        let mut c = trusted_client(port);
        c.args(["--sess-in", file]);
        run(c, b"")
    };

    let missing = temp_path("no-such-session.pem").display().to_string();
    assert_exit(&client(&missing), 3, &[&missing, "does not exist"]);

    let garbage = temp_path("garbage.pem");
    std::fs::write(&garbage, b"\x00\x01 this is not a session\n").unwrap();
    let g = garbage.display().to_string();
    assert_exit(&client(&g), 3, &[&g, "not PEM", "--sess-out"]);

    let cert = td("ca-root.cert.pem");
    assert_exit(
        &client(&cert),
        3,
        &[&cert, "labelled \"CERTIFICATE\"", "not \"SANSTLS SESSION\""],
    );

    // The right label around bytes that are not a session.
    std::fs::write(
        &garbage,
        "-----BEGIN SANSTLS SESSION-----\naGVsbG8gd29ybGQ=\n-----END SANSTLS SESSION-----\n",
    )
    .unwrap();
    assert_exit(&client(&g), 3, &[&g, "not a sanstls session"]);
    std::fs::remove_file(&garbage).unwrap();
}

#[test]
fn sess_out_without_a_session_fails_and_writes_nothing() {
    let srv = cert_server(&["--session-cache", "0", "--no-tickets"]);
    let file = temp_path("never-written.pem");
    let path = file.display().to_string();
    let mut c = trusted_client(srv.port);
    c.args(["--sess-out", &path]);
    let o = run(c, b"data\n");
    assert_exit(
        &o,
        1,
        &[
            "no session to write to",
            &path,
            "neither a session ID nor a session ticket",
        ],
    );
    // The data still went through.
    assert_eq!(o.stdout, "data\n");
    assert!(!file.exists());
}

/// `openssl s_client -reconnect` (one connection and five reconnections, each
/// printing `New` or `Reused`) against `sanstls server` started with `server_args`.
fn s_client_reconnect(server_args: &[&str], client_args: &[&str]) {
    let srv = cert_server(server_args);
    let mut cmd = peers::s_client(srv.port);
    cmd.args(["-servername", "localhost", "-reconnect"])
        .args(client_args);
    let mut peer = Peer::spawn_with_input(&mut cmd, b"");
    let status = peer.wait();
    let out = peer.stdout();
    let words: Vec<&str> = out
        .lines()
        .filter_map(|l| {
            if l.starts_with("New, TLSv1.2") {
                Some("New")
            } else if l.starts_with("Reused, TLSv1.2") {
                Some("Reused")
            } else {
                None
            }
        })
        .collect();
    assert!(status.success(), "{status:?}\n{}", peer.output());
    assert_eq!(
        words,
        ["New", "Reused", "Reused", "Reused", "Reused", "Reused"],
        "{}\nserver log:\n{}",
        peer.output(),
        srv.log()
    );
    srv.wait_for_log("session=resumed");
}

#[test]
fn s_client_reconnect_resumes_by_ticket() {
    // No session cache: only the ticket can resume.
    s_client_reconnect(&["--session-cache", "0"], &[]);
}

#[test]
fn s_client_reconnect_resumes_by_session_id_with_no_ticket() {
    s_client_reconnect(&["--no-tickets"], &[]);
    // A server with both, and a client that asks for no ticket.
    s_client_reconnect(&[], &["-no_ticket"]);
}

/// `sanstls client --reconnect 2` against `openssl s_server -www` (which answers with a
/// page that says `New` or `Reused` too), with tickets and with session IDs only.
#[test]
fn client_reconnect_resumes_with_s_server() {
    for (server_args, by) in [
        (&[][..], "resumed by session ticket"),
        (&["-no_ticket"][..], "resumed by session ID"),
    ] {
        let (_peer, port) = peers::s_server().args(["-www"]).args(server_args).start();
        let mut c = common::client_cmd(&format!("localhost:{port}"));
        c.args(["--cafile", &td("ca-root.cert.pem"), "--reconnect", "2"]);
        let o = run(c, b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(o.code(), 0, "{o:#?}");
        assert_eq!(
            new_or_reused(&o.stderr),
            ["New", "Reused", "Reused"],
            "{}",
            o.stderr
        );
        assert!(o.stderr.contains(by), "{by}: {}", o.stderr);
        // s_server's page, on the last connection, agrees.
        assert!(o.stdout.contains("Reused, TLSv1.2, Cipher is"), "{o:#?}");
    }
}
