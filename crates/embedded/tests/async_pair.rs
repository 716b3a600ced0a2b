//! The async adapter on both ends of an in-memory async pipe, driven by the minimal
//! executor in `common` (a no-op waker and a poll loop): data both ways, close_notify
//! both ways, and a refused certificate.

#![cfg(feature = "async")]

mod common;

use std::sync::Arc;

use embedded_io_async::{Read, Write};
use sanstls_embedded::asynch::AsyncTlsConnection;
use sanstls_embedded::{ClientConfig, Error};
use sanstls_proto::Error as TlsError;

use common::{
    AsyncPipeEnd, async_client, async_pipe, async_server, client_builder, client_config, join,
    pattern, server_config,
};

async fn read_to_end<T: Read>(r: &mut T, step: usize) -> Result<Vec<u8>, T::Error> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; step];
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn client(end: AsyncPipeEnd, config: Arc<ClientConfig>) -> AsyncTlsConnection<AsyncPipeEnd> {
    async_client(end, config, 3)
}

fn server(end: AsyncPipeEnd) -> AsyncTlsConnection<AsyncPipeEnd> {
    async_server(end, server_config(), 4)
}

#[test]
fn async_data_both_ways_and_close_both_ways() {
    let (a, b, moved) = async_pipe(256, 41);
    let mut c = client(a, client_config());
    let mut s = server(b);
    let client_side = async {
        c.handshake().await.expect("client handshake");
        c.write_all(&pattern(30_000, 0x44)).await.unwrap();
        c.flush().await.unwrap();
        // Read the echo in 9-byte steps until the server's close_notify.
        let echo = read_to_end(&mut c, 9)
            .await
            .expect("echo, then a clean close");
        assert_eq!(c.peer_closed(), Some(true));
        (echo, c.negotiated().unwrap().suite)
    };
    let server_side = async {
        // Read the 30 000 bytes in pieces of at most 333 bytes, then send them back (the
        // client writes everything before it reads, so echoing piece by piece would
        // deadlock on the bounded pipe).
        let mut got = Vec::new();
        let mut buf = [0u8; 333];
        while got.len() < 30_000 {
            let n = s.read(&mut buf).await.expect("server read");
            assert!(n > 0, "early end after {} bytes", got.len());
            got.extend_from_slice(&buf[..n]);
        }
        s.write_all(&got).await.unwrap();
        s.close().await.unwrap();
        let rest = read_to_end(&mut s, 64)
            .await
            .expect("the client's close_notify");
        assert!(rest.is_empty());
        assert_eq!(s.peer_closed(), Some(true));
        s.negotiated().unwrap().suite
    };
    let ((echo, client_suite), server_suite) = join(&moved, client_side, server_side);
    assert_eq!(echo, pattern(30_000, 0x44));
    assert_eq!(client_suite, server_suite);
}

#[test]
fn async_client_closes_first() {
    let (a, b, moved) = async_pipe(1000, 100);
    let mut c = client(a, client_config());
    let mut s = server(b);
    let client_side = async {
        c.write_all(b"hello, then goodbye").await.unwrap();
        c.close().await.unwrap();
        read_to_end(&mut c, 16).await
    };
    let server_side = async { read_to_end(&mut s, 5).await };
    let (c_rest, s_got) = join(&moved, client_side, server_side);
    assert_eq!(s_got.unwrap(), b"hello, then goodbye");
    assert!(c_rest.unwrap().is_empty());
    assert_eq!(c.peer_closed(), Some(true));
    assert_eq!(s.peer_closed(), Some(true));
}

#[test]
fn async_untrusted_certificate() {
    let (a, b, moved) = async_pipe(1000, 100);
    let config = client_builder("ca-root2.cert.pem").build().unwrap();
    let mut c = client(a, Arc::new(config));
    let mut s = server(b);
    let (c_err, s_err) = join(&moved, c.handshake(), s.handshake());
    let c_err = c_err.unwrap_err();
    assert!(
        matches!(c_err, Error::Tls(TlsError::Certificate(_))),
        "{c_err:?}"
    );
    let alert = c_err.tls().unwrap().alert().unwrap();
    assert_eq!(
        s_err.unwrap_err(),
        Error::Tls(TlsError::AlertReceived(alert))
    );
}

/// The same exchange over many pipe shapes and read sizes: one-byte chunks, queues
/// smaller than a record header, reads larger than a record, small fragments.
#[test]
fn async_exchange_over_many_pipe_shapes() {
    // (queue capacity, chunk, client read size, server read size, client fragment).
    // Not a fragment of 1: proto would then split the 2-byte close_notify alert over
    // two records, which its own receiver refuses (reported to the proto owner).
    let shapes: [(usize, usize, usize, usize, Option<usize>); 6] = [
        (1, 1, 1, 2, None),
        (3, 2, 5, 17_000, None),
        (64, 64, 16_384, 1, Some(100)),
        (70_000, 70_000, 40_000, 40_000, None),
        (1000, 999, 18_437, 333, Some(16_384)),
        (17, 5, 2, 7, Some(2)),
    ];
    for (cap, chunk, c_read, s_read, frag) in shapes {
        let label = format!("cap {cap} chunk {chunk} reads {c_read}/{s_read} frag {frag:?}");
        let (a, b, moved) = async_pipe(cap, chunk);
        let mut builder = client_builder("ca-root.cert.pem");
        if let Some(f) = frag {
            builder = builder.max_fragment_len(f);
        }
        let mut c = client(a, Arc::new(builder.build().unwrap()));
        let mut s = server(b);
        let len = if chunk == 1 { 3_000 } else { 20_000 };
        let sent = pattern(len, cap as u8);
        let client_side = async {
            c.write_all(&sent).await.unwrap();
            c.close().await.unwrap();
            read_to_end(&mut c, c_read).await
        };
        let server_side = async {
            let got = read_to_end(&mut s, s_read).await;
            if let Ok(data) = &got {
                // The client closed; our answering close_notify already went out, so
                // the reply can only be refused.
                assert!(s.write(data).await.is_err());
            }
            got
        };
        let (c_got, s_got) = join(&moved, client_side, server_side);
        assert_eq!(s_got.expect(&label), sent, "{label}");
        assert!(c_got.expect(&label).is_empty(), "{label}");
        assert_eq!(c.peer_closed(), Some(true), "{label}");
    }
}

#[test]
fn async_bufread_reads_lines() {
    use embedded_io_async::BufRead;
    let (a, b, moved) = async_pipe(100, 30);
    let mut c = client(a, client_config());
    let mut s = server(b);
    let client_side = async {
        c.write_all(b"one\ntwo\nthree\n").await.unwrap();
        c.close().await.unwrap();
    };
    let server_side = async {
        let mut lines = Vec::new();
        let mut line = Vec::new();
        loop {
            let buf = s.fill_buf().await.unwrap();
            if buf.is_empty() {
                return lines;
            }
            let n = buf
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |i| i + 1);
            line.extend_from_slice(&buf[..n]);
            s.consume(n);
            if line.ends_with(b"\n") {
                lines.push(String::from_utf8(std::mem::take(&mut line)).unwrap());
            }
        }
    };
    let ((), lines) = join(&moved, client_side, server_side);
    assert_eq!(lines, ["one\n", "two\n", "three\n"]);
}
