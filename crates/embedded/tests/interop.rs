//! The blocking adapter against OpenSSL 3 over real TCP sockets on 127.0.0.1 (ephemeral
//! ports), through `embedded_io_adapters::std::FromStd`: our client against
//! `openssl s_server -www`, and `openssl s_client` against our server. A missing
//! `openssl` binary fails the tests loudly.

mod common;

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use embedded_io::{Read, Write};
use embedded_io_adapters::std::FromStd;
use sanstls_embedded::TlsConnection;
use sanstls_proto::os_rng;
use sanstls_test::fixtures;
use sanstls_test::peers::{self, HANG_GUARD, Peer, td};

use common::{client_config, now, server_config};

/// Starts `openssl s_server -www` on an ephemeral port; returns it and the port.
fn s_server_www() -> (Peer, u16) {
    peers::s_server().args(["-www"]).start()
}

fn tcp(port: u16) -> FromStd<TcpStream> {
    let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // A guard against a hung peer, not a timing assertion.
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    FromStd::new(sock)
}

#[test]
fn client_against_openssl_s_server() {
    let (_peer, port) = s_server_www();
    let mut rng = os_rng();
    let mut tls = TlsConnection::client(
        tcp(port),
        client_config(),
        "localhost".try_into().unwrap(),
        now(),
        &mut rng,
    )
    .unwrap();
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    tls.flush().unwrap();
    let mut page = Vec::new();
    let mut buf = [0u8; 100];
    let end = loop {
        match tls.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => page.extend_from_slice(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    let page = String::from_utf8_lossy(&page);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
    // s_server's status page names the suite it negotiated.
    let suite = tls.negotiated().unwrap().suite;
    assert!(page.contains("Cipher"), "{page}");
    assert!(tls.negotiated().unwrap().extended_master_secret);
    // s_server -www ends with close_notify.
    end.unwrap_or_else(|e| panic!("after the page ({suite:?}): {e}"));
    assert_eq!(tls.peer_closed(), Some(true));
}

#[test]
fn openssl_s_client_against_our_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut peer = Peer::spawn_with_input(
        peers::s_client(port)
            .args(["-CAfile", &td("ca-root.cert.pem"), "-verify_return_error"])
            .args(["-servername", "localhost", "-ign_eof"]),
        b"hello from s_client\n",
    );
    let sock = peers::accept(&listener, &mut peer);
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut rng = os_rng();
    let mut tls =
        TlsConnection::server(FromStd::new(sock), server_config(), now(), &mut rng).unwrap();
    tls.handshake().expect("handshake with s_client");
    assert_eq!(
        tls.negotiated().unwrap().server_name.as_deref(),
        Some("localhost")
    );
    // Read one line, in 4-byte pieces.
    let mut line = Vec::new();
    let mut buf = [0u8; 4];
    while !line.ends_with(b"\n") {
        let n = tls.read(&mut buf).expect("read from s_client");
        assert!(n > 0, "s_client closed early: {line:?}");
        line.extend_from_slice(&buf[..n]);
    }
    assert_eq!(line, b"hello from s_client\n");
    tls.write_all(b"hello from sanstls-embedded\n").unwrap();
    tls.close().unwrap();
    // s_client answers close_notify with its own and exits.
    let mut rest = [0u8; 16];
    assert_eq!(tls.read(&mut rest).expect("s_client's close_notify"), 0);
    assert_eq!(tls.peer_closed(), Some(true));
    drop(tls);
    peer.wait();
    let out = peer.stdout();
    assert!(out.contains("hello from sanstls-embedded"), "{out}");
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
}

#[test]
fn untrusted_server_certificate_is_refused_and_s_server_hears_why() {
    let (peer, port) = s_server_www();
    // A client that trusts only another root.
    let other =
        sanstls_embedded::TrustAnchors::from_pem_bundle(&fixtures::read("ca-root2.cert.pem"))
            .unwrap();
    let config = sanstls_embedded::ClientConfig::builder()
        .trust_anchors(other)
        .build()
        .unwrap();
    let mut rng = os_rng();
    let mut tls = TlsConnection::client(
        tcp(port),
        std::sync::Arc::new(config),
        "localhost".try_into().unwrap(),
        now(),
        &mut rng,
    )
    .unwrap();
    let err = tls.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap_err();
    let Some(sanstls_proto::Error::Certificate(pki)) = err.tls() else {
        panic!("expected a certificate error, got {err:?}");
    };
    assert_eq!(*pki, sanstls_proto::CertificateError::UnknownIssuer);
    let alert = err.tls().unwrap().alert().unwrap();
    // s_server logs the alert it received on stderr; wait for it (bounded).
    let expect = format!("SSL alert number {}", alert.0);
    assert!(
        peer.wait_for_stderr(&expect, HANG_GUARD),
        "s_server did not log {expect:?}: {}",
        peer.stderr()
    );
}

/// A std socket behind the async traits: every call completes at once (it blocks
/// inside), which is enough to run the async adapter against a real peer.
#[cfg(feature = "async")]
struct BlockingAsAsync(TcpStream);

#[cfg(feature = "async")]
impl embedded_io_async::ErrorType for BlockingAsAsync {
    type Error = std::io::Error;
}

#[cfg(feature = "async")]
impl embedded_io_async::Read for BlockingAsAsync {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        std::io::Read::read(&mut self.0, buf)
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Write for BlockingAsAsync {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        std::io::Write::write(&mut self.0, buf)
    }
    async fn flush(&mut self) -> Result<(), std::io::Error> {
        std::io::Write::flush(&mut self.0)
    }
}

/// Polls `f` to completion with a no-op waker (its IO never returns `Pending`).
#[cfg(feature = "async")]
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..1_000_000 {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the future never completed");
}

#[cfg(feature = "async")]
#[test]
fn async_client_against_openssl_s_server() {
    use embedded_io_async::{Read as _, Write as _};
    use sanstls_embedded::asynch::AsyncTlsConnection;

    let (_peer, port) = s_server_www();
    let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut rng = os_rng();
    let mut tls = AsyncTlsConnection::client(
        BlockingAsAsync(sock),
        client_config(),
        "localhost".try_into().unwrap(),
        now(),
        &mut rng,
    )
    .unwrap();
    let page = block_on(async {
        tls.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
        let mut page = Vec::new();
        let mut buf = [0u8; 300];
        loop {
            let n = tls.read(&mut buf).await.expect("page, then close_notify");
            if n == 0 {
                break page;
            }
            page.extend_from_slice(&buf[..n]);
        }
    });
    let page = String::from_utf8_lossy(&page);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
    assert_eq!(tls.peer_closed(), Some(true));
}
