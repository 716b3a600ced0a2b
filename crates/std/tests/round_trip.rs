//! sanstls-std against itself over 127.0.0.1: a blocking client and server, each end's
//! view of close_notify, truncation, and a failed handshake.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use sanstls_std::{
    AlertDescription, CertifiedKey, CipherSuite, ClientConfig, ClientConfigBuilder, Direction,
    Error, Event, HandshakeType, ServerConfig, ServerName, TlsStream, Trace, TraceKind,
    TrustAnchors, accept, connect, proto, tls_error,
};

use sanstls_test::fixtures;

fn server_config() -> Arc<ServerConfig> {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    Arc::new(ServerConfig::builder().single_cert(key).build().unwrap())
}

/// A client configuration builder that trusts the roots in the testdata file `root`.
fn client_builder(root: &str) -> ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read(root)).unwrap();
    ClientConfig::builder().trust_anchors(anchors)
}

fn client_config() -> Arc<ClientConfig> {
    Arc::new(client_builder("ca-root.cert.pem").build().unwrap())
}

/// A thread that accepts one TLS connection with `cfg` on a fresh 127.0.0.1 listener
/// and runs `f` on it; the listener's address and the thread.
fn tls_server<T: Send + 'static>(
    cfg: Arc<ServerConfig>,
    f: impl FnOnce(TlsStream<TcpStream>, SocketAddr) -> T + Send + 'static,
) -> (SocketAddr, thread::JoinHandle<T>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = thread::spawn(move || {
        let (s, peer) = accept(&l, cfg).unwrap();
        f(s, peer)
    });
    (addr, h)
}

/// A thread that accepts one plain TCP connection on a fresh 127.0.0.1 listener and
/// runs `f` on it: a peer that does not (fully) speak TLS.
fn tcp_server<T: Send + 'static>(
    f: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> (SocketAddr, thread::JoinHandle<T>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = thread::spawn(move || f(l.accept().unwrap().0));
    (addr, h)
}

/// Reads the client's first record (its ClientHello) whole, and returns its header.
fn read_first_record(s: &mut TcpStream) -> [u8; 5] {
    let mut b = [0u8; 5];
    s.read_exact(&mut b).unwrap();
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([b[3], b[4]]))];
    s.read_exact(&mut body).unwrap();
    b
}

/// A client stream to `addr` for `localhost`, its handshake not yet run.
fn client_stream(addr: SocketAddr, cfg: Arc<ClientConfig>) -> TlsStream<TcpStream> {
    let sock = TcpStream::connect(addr).unwrap();
    TlsStream::client(sock, cfg, ServerName::new("localhost").unwrap()).unwrap()
}

/// Joins a server thread, failing the test with the thread's panic.
fn join<T>(h: thread::JoinHandle<T>) -> T {
    h.join().expect("server thread panicked")
}

#[test]
fn echo_round_trip_and_clean_close() {
    let (addr, server) = tls_server(server_config(), move |mut s, peer| {
        assert!(peer.ip().is_loopback());
        s.get_ref()
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1000];
        // Read until the client's close_notify: Ok(0).
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            s.write_all(&buf[..n]).unwrap();
            s.flush().unwrap();
        }
        assert!(!s.is_handshaking());
        // Our close_notify was sent in answer; a second read stays at end of stream.
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        got
    });

    let mut c = connect(addr, "localhost", client_config()).unwrap();
    c.get_ref()
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    assert!(!c.is_handshaking());
    let neg = c.negotiated().expect("negotiated after connect").clone();
    assert_eq!(neg.server_name.as_deref(), Some("localhost"));
    assert_eq!(neg.peer_certificates.len(), 2);

    // 40 KB, more than two records, echoed back in full.
    let msg: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    c.write_all(&msg).unwrap();
    c.flush().unwrap();
    let mut echo = vec![0u8; msg.len()];
    c.read_exact(&mut echo).unwrap();
    assert_eq!(echo, msg);

    c.close().unwrap();
    // The server answers our close_notify with its own: end of stream.
    let mut rest = Vec::new();
    assert_eq!(c.read_to_end(&mut rest).unwrap(), 0);
    assert_eq!(join(server), msg);
}

#[test]
fn small_reads_get_every_byte() {
    let (addr, server) = tls_server(server_config(), move |mut s, _| {
        let msg: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
        s.write_all(&msg).unwrap();
        s.close().unwrap();
        msg
    });
    let mut c = connect(addr, "127.0.0.1", client_config()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 7];
    let mut max_buffered = 0;
    loop {
        // What waits in the connection comes first, without the transport.
        let before = c.buffered_plaintext();
        max_buffered = max_buffered.max(before);
        let n = c.read(&mut buf).unwrap();
        if before > 0 {
            assert_eq!(n, before.min(buf.len()));
            assert_eq!(c.buffered_plaintext(), before - n);
        }
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, join(server));
    // A record's plaintext waited in the connection between reads.
    assert!(max_buffered > 1000, "{max_buffered}");
}

#[test]
fn eof_without_close_notify_is_unexpected_eof() {
    let (addr, server) = tls_server(server_config(), move |mut s, _| {
        s.write_all(b"partial").unwrap();
        s.flush().unwrap();
        // End the TCP connection without close_notify.
        s.get_ref().shutdown(Shutdown::Both).unwrap();
    });
    let mut c = connect(addr, "localhost", client_config()).unwrap();
    let mut buf = [0u8; 100];
    let n = c.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"partial");
    join(server);
    let e = c.read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    // It stays that way.
    let e = c.read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
}

#[test]
fn failed_handshake_carries_the_tls_error_and_the_peer_gets_the_alert() {
    let (addr, server) = tls_server(server_config(), move |mut s, _| s.handshake().unwrap_err());
    // The client trusts a different root: the server's certificate is refused.
    let cfg = Arc::new(client_builder("ca-root2.cert.pem").build().unwrap());
    let mut c = client_stream(addr, cfg);
    let e = c.handshake().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}");
    let tls = tls_error(&e).expect("a TLS error inside the io::Error");
    assert!(
        matches!(tls, proto::Error::Certificate(_)),
        "unexpected error {tls:?}"
    );
    assert_eq!(tls.alert(), Some(AlertDescription::UNKNOWN_CA));
    // Sticky: the same error again.
    let e2 = c.handshake().unwrap_err();
    assert_eq!(tls_error(&e2), Some(tls));

    // The server received that alert.
    let se = join(server);
    assert_eq!(se.kind(), std::io::ErrorKind::ConnectionAborted, "{se}");
    assert_eq!(
        tls_error(&se),
        Some(&proto::Error::AlertReceived(AlertDescription::UNKNOWN_CA))
    );
    // The io::Error converts back into the adapter's Error.
    let back = Error::from(se);
    assert!(matches!(
        back,
        Error::Tls(proto::Error::AlertReceived(AlertDescription::UNKNOWN_CA))
    ));
    assert!(back.to_string().contains("fatal alert"), "{back}");
}

#[test]
fn connect_refuses_a_bad_server_name() {
    let e = connect("127.0.0.1:9", "not a name!", client_config()).unwrap_err();
    assert!(matches!(&e, Error::InvalidServerName(n) if n == "not a name!"));
    assert!(e.to_string().contains("not a valid server name"), "{e}");
}

#[test]
fn socket_timeout_passes_through_and_the_read_resumes() {
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let (addr, server) = tls_server(server_config(), move |mut s, _| {
        s.handshake().unwrap();
        // Send only once the client's read has timed out.
        go_rx.recv().unwrap();
        s.write_all(b"late but whole").unwrap();
        s.close().unwrap();
    });
    let mut c = connect(addr, "localhost", client_config()).unwrap();
    c.get_ref()
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut buf = [0u8; 64];
    let e = c.read(&mut buf).unwrap_err();
    assert!(
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{e}"
    );
    assert!(tls_error(&e).is_none());
    go_tx.send(()).unwrap();
    c.get_ref()
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"late but whole");
    join(server);
}

#[test]
fn write_after_close_is_broken_pipe() {
    let (addr, server) = tls_server(server_config(), move |mut s, _| {
        let mut v = Vec::new();
        s.read_to_end(&mut v).unwrap();
        v
    });
    let mut c = connect(addr, "localhost", client_config()).unwrap();
    c.write_all(b"bye").unwrap();
    c.close().unwrap();
    let e = c.write(b"more").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    assert!(matches!(
        tls_error(&e),
        Some(proto::Error::ApiMisuse(proto::ApiMisuse::Closed))
    ));
    assert_eq!(join(server), b"bye");
}

#[test]
fn server_refusal_reaches_the_client_as_an_alert() {
    let key = sanstls_std::load::certified_key(
        &fixtures::path("server-rsa2048.chain.pem"),
        &fixtures::path("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    let cfg = Arc::new(
        ServerConfig::builder()
            .single_cert(key)
            .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256])
            .build()
            .unwrap(),
    );
    let (addr, server) = tls_server(cfg, move |mut s, _| {
        let mut b = [0u8; 1];
        s.read(&mut b).unwrap_err()
    });
    let ccfg = Arc::new(
        client_builder("ca-root.cert.pem")
            .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA])
            .build()
            .unwrap(),
    );
    let e = connect(addr, "localhost", ccfg).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Tls(proto::Error::AlertReceived(
                AlertDescription::HANDSHAKE_FAILURE
            ))
        ),
        "{e:?}"
    );
    let se = join(server);
    assert!(matches!(
        tls_error(&se),
        Some(proto::Error::PeerIncompatible(
            proto::PeerIncompatible::NoCommonCipherSuite
        ))
    ));
}

#[test]
fn event_hook_sees_the_handshake_traces() {
    let (addr, server) = tls_server(server_config(), move |mut s, _| {
        let mut v = Vec::new();
        s.read_to_end(&mut v).unwrap();
    });
    let ccfg = Arc::new(
        client_builder("ca-root.cert.pem")
            .trace(true)
            .build()
            .unwrap(),
    );
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let mut c = client_stream(addr, ccfg);
    c.set_event_hook(Box::new(move |e: &Event| {
        sink.lock().unwrap().push(seen_event(e));
    }));
    c.handshake().unwrap();
    c.close().unwrap();
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).unwrap();
    join(server);
    let seen = seen.lock().unwrap();
    let first = seen.first().expect("no events");
    assert!(
        matches!(first, Seen::Trace(t) if t.direction == Direction::Sent
            && t.kind == TraceKind::Handshake(HandshakeType::CLIENT_HELLO)),
        "{seen:?}"
    );
    let complete = seen
        .iter()
        .position(|e| matches!(e, Seen::Complete))
        .expect("no HandshakeComplete");
    // The server's Finished arrived (protected) before completion.
    assert!(seen[..complete].iter().any(|e| matches!(e, Seen::Trace(t)
        if t.direction == Direction::Received
            && t.kind == TraceKind::Handshake(HandshakeType::FINISHED)
            && t.protected)));
    assert!(matches!(seen.last(), Some(Seen::Closed(true))), "{seen:?}");
}

/// An owned copy of the events the hook saw.
#[derive(Debug)]
enum Seen {
    Trace(Trace),
    Complete,
    Closed(bool),
    Other,
}

fn seen_event(e: &Event) -> Seen {
    match e {
        Event::Trace(t) => Seen::Trace(*t),
        Event::HandshakeComplete { .. } => Seen::Complete,
        Event::PeerClosed { clean } => Seen::Closed(*clean),
        _ => Seen::Other,
    }
}

#[test]
fn peer_gone_during_the_handshake_is_unexpected_eof() {
    let (addr, server) = tcp_server(move |mut s| {
        // Accept, read the ClientHello record whole (unread data would make the close
        // a reset), hang up without a word.
        read_first_record(&mut s)
    });
    let e = connect(addr, "localhost", client_config()).unwrap_err();
    match &e {
        Error::Io(io) => assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof, "{io}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert!(e.to_string().contains("during the TLS handshake"), "{e}");
    // A handshake record header: content type 22, version 3.x.
    let hdr = join(server);
    assert_eq!(hdr[0], 22);
    assert_eq!(hdr[1], 3);
}

#[test]
fn a_peer_that_does_not_speak_tls() {
    let (addr, server) = tcp_server(move |mut s| {
        s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap();
        // Keep the socket open until the client is done, and return what it sent last.
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        all
    });
    let e = connect(addr, "localhost", client_config()).unwrap_err();
    let Error::Tls(tls) = &e else {
        panic!("expected a TLS error, got {e:?}")
    };
    assert!(matches!(tls, proto::Error::InvalidMessage(_)), "{tls:?}");
    assert!(e.to_string().contains("sent to the peer"), "{e}");
    // The client's fatal alert is the last record it sent: type 21, level fatal.
    let sent = join(server);
    let alert = &sent[sent.len() - 7..];
    assert_eq!(&alert[..3], &[21, 3, 3], "{sent:?}");
    assert_eq!(alert[5], 2, "not a fatal alert");
    assert_eq!(Some(AlertDescription(alert[6])), tls.alert());
}

/// A server that reads the ClientHello and answers with a plaintext close_notify: the
/// client's handshake ends with `ConnectionAborted` (no TLS error inside: no fatal
/// alert was exchanged), again on every later call, and the client answers with its own
/// close_notify (RFC 5246 §7.2.1).
#[test]
fn close_notify_during_the_handshake_is_connection_aborted() {
    let (addr, server) = tcp_server(move |mut s| {
        read_first_record(&mut s);
        // Alert record: warning (1), close_notify (0).
        s.write_all(&[21, 3, 3, 0, 2, 1, 0]).unwrap();
        let mut answer = [0u8; 7];
        s.read_exact(&mut answer).unwrap();
        answer
    });
    let mut c = client_stream(addr, client_config());
    let e = c.handshake().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");
    assert!(tls_error(&e).is_none(), "{e:?}");
    assert!(e.to_string().contains("close_notify"), "{e}");
    assert!(!c.is_handshaking());
    assert_eq!(
        c.connection().error(),
        Some(&proto::Error::PeerClosedDuringHandshake { clean: true })
    );
    // Sticky, through every entry point.
    let e = c.handshake().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");
    let mut buf = [0u8; 10];
    let e = c.read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");
    let e = c.write(b"x").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");
    // The client's answer: its own close_notify, in plaintext (it had not switched to
    // protection yet).
    assert_eq!(join(server), [21, 3, 3, 0, 2, 1, 0]);
}
