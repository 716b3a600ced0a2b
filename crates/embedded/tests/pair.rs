//! The blocking adapter on both ends of an in-memory pipe with small, bounded buffers:
//! data both ways in sizes that span many records and partial reads, close_notify both
//! ways, and a refused certificate whose alert reaches the server.

mod common;

use std::sync::Arc;
use std::thread;

use embedded_io::{Read, Write};
use sanstls_embedded::{ClientConfig, Error, TlsConnection};
use sanstls_proto::Error as TlsError;

use common::{
    PipeEnd, blocking_client, blocking_server, client_builder, client_config, pattern, pipe,
    server_builder, server_config,
};

/// Reads exactly `len` bytes with reads of at most `step` bytes.
fn read_len<T: Read>(r: &mut T, len: usize, step: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut buf = vec![0u8; step];
    while out.len() < len {
        let want = step.min(len - out.len());
        let n = r.read(&mut buf[..want]).expect("read");
        assert!(n > 0, "end of stream after {} of {len} bytes", out.len());
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// Reads until `Ok(0)` with reads of at most `step` bytes.
fn read_to_end<T: Read>(r: &mut T, step: usize) -> Result<Vec<u8>, T::Error> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; step];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn client(end: PipeEnd, config: Arc<ClientConfig>) -> TlsConnection<PipeEnd> {
    blocking_client(end, config, 1)
}

fn server(end: PipeEnd, config: Arc<sanstls_embedded::ServerConfig>) -> TlsConnection<PipeEnd> {
    blocking_server(end, config, 2)
}

const REQUEST: usize = 40_000;
const RESPONSE: usize = 50_000;

#[test]
fn data_both_ways_then_the_server_closes() {
    // 300-byte queues, 37-byte chunks: every record crosses the pipe in pieces.
    let (a, b) = pipe(300, 37);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        tls.handshake().expect("server handshake");
        // 100-byte reads: most of each 16 KiB record waits in the adapter.
        let request = read_len(&mut tls, REQUEST, 100);
        assert_eq!(request, pattern(REQUEST, 0x11));
        tls.write_all(&pattern(RESPONSE, 0x22)).unwrap();
        tls.close().unwrap();
        // The client answers our close_notify with its own.
        let rest = read_to_end(&mut tls, 64).expect("clean close from the client");
        assert!(rest.is_empty());
        assert_eq!(tls.peer_closed(), Some(true));
        tls.negotiated().unwrap().suite
    });
    let mut tls = client(a, client_config());
    assert!(!tls.is_handshake_complete());
    // The first write runs the handshake.
    tls.write_all(&pattern(REQUEST, 0x11)).unwrap();
    assert!(tls.is_handshake_complete());
    // 7-byte reads, until the server's close_notify gives Ok(0).
    let response = read_to_end(&mut tls, 7).expect("response and clean close");
    assert_eq!(response.len(), RESPONSE);
    assert_eq!(response, pattern(RESPONSE, 0x22));
    assert_eq!(tls.peer_closed(), Some(true));
    // Our answering close_notify went out; writing now is refused.
    assert!(matches!(
        tls.write(b"late"),
        Err(Error::Tls(TlsError::ApiMisuse(_)))
    ));
    let server_suite = srv.join().unwrap();
    assert_eq!(tls.negotiated().unwrap().suite, server_suite);
}

#[test]
fn the_client_closes_first_with_small_fragments() {
    let (a, b) = pipe(512, 53);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        let got = read_to_end(&mut tls, 1000).expect("data, then the client's close_notify");
        assert_eq!(got, pattern(5000, 0x33));
        assert_eq!(tls.peer_closed(), Some(true));
        // The connection answered with close_notify by itself: nothing more to send.
        assert!(tls.write(b"x").is_err());
    });
    let config = client_builder("ca-root.cert.pem")
        .max_fragment_len(512)
        .build()
        .unwrap();
    let mut tls = client(a, Arc::new(config));
    tls.handshake().unwrap();
    tls.write_all(&pattern(5000, 0x33)).unwrap();
    tls.flush().unwrap();
    tls.close().unwrap();
    // The server's answering close_notify ends our read side cleanly.
    let rest = read_to_end(&mut tls, 16).expect("clean close from the server");
    assert!(rest.is_empty());
    assert_eq!(tls.peer_closed(), Some(true));
    srv.join().unwrap();
}

#[test]
fn truncation_is_an_error_not_an_end_of_stream() {
    let (a, b) = pipe(4096, 4096);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        tls.write_all(b"partial").unwrap();
        // Drop the transport without close_notify.
        drop(tls.into_parts());
    });
    let mut tls = client(a, client_config());
    let mut buf = [0u8; 64];
    let n = tls.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"partial");
    srv.join().unwrap();
    assert!(matches!(tls.read(&mut buf), Err(Error::Truncated)));
    assert_eq!(tls.peer_closed(), Some(false));
}

#[test]
fn untrusted_certificate_fails_and_the_server_hears_why() {
    let (a, b) = pipe(1024, 200);
    let srv = thread::spawn(move || {
        let mut tls = server(b, Arc::new(server_builder().build().unwrap()));
        tls.handshake().unwrap_err()
    });
    // A client that trusts only another root.
    let config = client_builder("ca-root2.cert.pem").build().unwrap();
    let mut tls = client(a, Arc::new(config));
    let err = tls.handshake().unwrap_err();
    let Error::Tls(TlsError::Certificate(pki)) = &err else {
        panic!("expected a certificate error, got {err:?}");
    };
    assert_eq!(*pki, sanstls_proto::CertificateError::UnknownIssuer);
    let alert = err.tls().unwrap().alert().expect("a fatal alert");
    // The error is sticky, and so are reads and writes.
    assert_eq!(tls.handshake().unwrap_err(), err);
    assert_eq!(tls.write(b"x").unwrap_err(), err);
    let server_err = srv.join().unwrap();
    assert_eq!(server_err, Error::Tls(TlsError::AlertReceived(alert)));
    assert_eq!(
        embedded_io::Error::kind(&err),
        embedded_io::ErrorKind::InvalidData
    );
}

#[test]
fn the_callers_time_decides_certificate_validity() {
    // The test certificates are valid until 2045-01-01; in 2046 they have expired.
    let (a, b) = pipe(1024, 200);
    let srv = thread::spawn(move || server(b, server_config()).handshake().unwrap_err());
    let mut tls = client(a, client_config());
    tls.set_time(sanstls_embedded::UnixTime::from_secs(2_398_377_600)); // 2046-01-01
    assert_eq!(tls.now().as_secs(), 2_398_377_600);
    let err = tls.handshake().unwrap_err();
    assert_eq!(
        err,
        Error::Tls(TlsError::Certificate(
            sanstls_proto::CertificateError::Expired
        ))
    );
    let alert = err.tls().unwrap().alert().unwrap();
    assert_eq!(
        srv.join().unwrap(),
        Error::Tls(TlsError::AlertReceived(alert))
    );
}

#[test]
fn an_empty_read_or_write_does_no_io() {
    // Nothing on the other end: any transport IO would block until the pipe's guard
    // timeout and fail; empty buffers must return at once, before the handshake.
    let (a, _b) = pipe(16, 16);
    let mut tls = client(a, client_config());
    assert_eq!(tls.read(&mut []).unwrap(), 0);
    assert_eq!(tls.write(&[]).unwrap(), 0);
    assert!(!tls.is_handshake_complete());
}

#[test]
fn a_peer_that_does_not_speak_tls_gets_a_fatal_alert() {
    let (mut raw, b) = pipe(4096, 4096);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        let mut buf = [0u8; 16];
        let err = tls.read(&mut buf).unwrap_err();
        // Keep the transport open until the client has read the alert.
        (err, tls)
    });
    raw.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut alert = [0u8; 7];
    raw.read_exact(&mut alert).unwrap();
    let (err, _tls) = srv.join().unwrap();
    let Error::Tls(tls_err) = &err else {
        panic!("expected a TLS error, got {err:?}");
    };
    let desc = tls_err.alert().expect("an error with a fatal alert");
    // A plaintext alert record: type 21, version 3.x, length 2, level fatal (2).
    assert_eq!(alert[0], 21, "{alert:?}");
    assert_eq!(alert[1], 3, "{alert:?}");
    assert_eq!(&alert[3..6], &[0, 2, 2], "{alert:?}");
    assert_eq!(alert[6], desc.0, "{alert:?}");
}

#[test]
fn bufread_lends_the_pending_plaintext() {
    use embedded_io::BufRead;
    let (a, b) = pipe(2048, 512);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        tls.write_all(b"first line\nsecond line\n").unwrap();
        tls.close().unwrap();
        tls
    });
    let mut tls = client(a, client_config());
    let mut lines = Vec::new();
    let mut line = Vec::new();
    loop {
        let buf = tls.fill_buf().unwrap();
        if buf.is_empty() {
            break; // close_notify
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        tls.consume(take);
        if done {
            lines.push(std::mem::take(&mut line));
        }
    }
    assert_eq!(lines, [&b"first line\n"[..], b"second line\n"]);
    assert!(line.is_empty());
    assert_eq!(tls.peer_closed(), Some(true));
    drop(srv.join().unwrap());
}

/// The adapter keeps no plaintext of its own: `fill_buf`, `consume` and `read` all work
/// on the connection's buffer, in any mix, and what was not read stays in the
/// connection when the adapter is taken apart.
#[test]
fn reads_mix_with_bufread_and_unread_data_stays_in_the_connection() {
    use embedded_io::BufRead;
    let (a, b) = pipe(2048, 7);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        tls.write_all(b"0123456789abcdef").unwrap();
        // The second message only after the client has read all of the first, so it
        // cannot arrive in the same batch of plaintext.
        assert_eq!(read_len(&mut tls, 2, 2), b"go");
        tls.write_all(b"second message").unwrap();
        tls
    });
    let mut tls = client(a, client_config());
    assert_eq!(tls.fill_buf().unwrap(), b"0123456789abcdef");
    // fill_buf without consume lends the same bytes again.
    assert_eq!(tls.fill_buf().unwrap(), b"0123456789abcdef");
    tls.consume(3);
    assert_eq!(tls.fill_buf().unwrap(), b"3456789abcdef");
    // consume adds up.
    tls.consume(2);
    tls.consume(1);
    let mut four = [0u8; 4];
    assert_eq!(tls.read(&mut four).unwrap(), 4);
    assert_eq!(&four, b"6789");
    // Borrowing the connection loses nothing and repeats nothing.
    assert!(tls.connection_mut().negotiated().is_some());
    assert_eq!(tls.fill_buf().unwrap(), b"abcdef");
    // Consuming more than was lent consumes what was lent, not the next message.
    tls.consume(100);
    tls.write_all(b"go").unwrap();
    let mut two = [0u8; 2];
    assert_eq!(tls.read(&mut two).unwrap(), 2);
    assert_eq!(&two, b"se");
    let (_transport, conn) = tls.into_parts();
    assert_eq!(conn.app_data(), b"cond message", "the unread plaintext");
    drop(srv.join().unwrap());
}

/// Events queued while plaintext is lent (here the trace of our own close_notify, with
/// tracing on) come before the data in the connection's event order; reading still
/// resumes at the first unread byte.
#[test]
fn events_queued_while_data_is_pending_do_not_disturb_reads() {
    use embedded_io::BufRead;
    let (a, b) = pipe(2048, 512);
    let srv = thread::spawn(move || {
        let mut tls = server(b, server_config());
        tls.write_all(b"hello, traced world").unwrap();
        // The client's close_notify ends what we read; ours answers it.
        let got = read_to_end(&mut tls, 64).expect("the client's close_notify");
        assert!(got.is_empty(), "{got:?}");
    });
    let config = client_builder("ca-root.cert.pem")
        .trace(true)
        .build()
        .unwrap();
    let mut tls = client(a, Arc::new(config));
    let mut five = [0u8; 5];
    assert_eq!(tls.read(&mut five).unwrap(), 5);
    assert_eq!(&five, b"hello");
    // Queues a trace event for the close_notify sent.
    tls.close().unwrap();
    assert_eq!(tls.fill_buf().unwrap(), b", traced world");
    tls.consume(2);
    let rest = read_to_end(&mut tls, 3).expect("the server's close_notify");
    assert_eq!(rest, b"traced world");
    assert_eq!(tls.peer_closed(), Some(true));
    srv.join().unwrap();
}

/// Reads one whole record from a raw pipe end (header and body).
fn read_record(raw: &mut PipeEnd) -> Vec<u8> {
    let mut record = vec![0u8; 5];
    raw.read_exact(&mut record).unwrap();
    let len = usize::from(u16::from_be_bytes([record[3], record[4]]));
    record.resize(5 + len, 0);
    raw.read_exact(&mut record[5..]).unwrap();
    record
}

/// A server that takes the ClientHello and hangs up: the adapter reports
/// `Error::Truncated` (the transport ended without close_notify), on every later call
/// too, and nothing is sent to the peer.
#[test]
fn a_peer_that_hangs_up_during_the_handshake_is_a_truncation() {
    let (a, mut raw) = pipe(4096, 4096);
    let srv = thread::spawn(move || {
        let hello = read_record(&mut raw);
        assert_eq!(hello[0], 22, "a handshake record: {:?}", &hello[..5]);
        drop(raw);
    });
    let mut tls = client(a, client_config());
    let err = tls.handshake().unwrap_err();
    srv.join().unwrap();
    assert!(matches!(err, Error::Truncated), "{err:?}");
    assert_eq!(
        embedded_io::Error::kind(&err),
        embedded_io::ErrorKind::ConnectionAborted
    );
    assert!(err.to_string().contains("during the handshake"), "{err}");
    // Sticky: the connection failed, and says why.
    assert!(matches!(tls.handshake(), Err(Error::Truncated)));
    assert!(matches!(tls.write(b"x"), Err(Error::Truncated)));
    assert!(!tls.is_handshake_complete());
    assert_eq!(
        tls.connection().error(),
        Some(&TlsError::PeerClosedDuringHandshake { clean: false })
    );
}

/// A server that answers the ClientHello with close_notify: the adapter reports
/// `Error::ClosedDuringHandshake`, and the client answers with its own close_notify
/// (RFC 5246 §7.2.1).
#[test]
fn a_close_notify_during_the_handshake_is_reported_as_such() {
    let (a, mut raw) = pipe(4096, 4096);
    let srv = thread::spawn(move || {
        read_record(&mut raw);
        // A plaintext warning-level close_notify alert record.
        raw.write_all(&[21, 3, 3, 0, 2, 1, 0]).unwrap();
        let answer = read_record(&mut raw);
        (answer, raw)
    });
    let mut tls = client(a, client_config());
    let err = tls.handshake().unwrap_err();
    let (answer, _raw) = srv.join().unwrap();
    assert!(matches!(err, Error::ClosedDuringHandshake), "{err:?}");
    assert!(err.to_string().contains("close_notify"), "{err}");
    assert_eq!(answer[0], 21, "{answer:?}");
    assert_eq!(&answer[3..], &[0, 2, 1, 0], "{answer:?}");
    assert!(matches!(
        tls.read(&mut [0u8; 8]),
        Err(Error::ClosedDuringHandshake)
    ));
    assert_eq!(
        tls.connection().error(),
        Some(&TlsError::PeerClosedDuringHandshake { clean: true })
    );
}
