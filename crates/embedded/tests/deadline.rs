//! The handshake deadline through the embedded adapters: a peer that sends nothing, with
//! a transport whose reads time out, a clock, a clock correction, and an executor's
//! timer racing the async handshake (issue 11).

mod common;

use std::cell::Cell;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use embedded_io::ErrorKind;
use sanstls_embedded::{Error, TlsConnection, UnixTime};
use sanstls_proto::Error as TlsError;
use sanstls_proto::SeededRng;

use common::{client_builder, now};

/// A transport to a peer that accepts everything and says nothing; each read waits
/// 100 ms on the test's clock, then fails with `TimedOut`, as a socket with a read
/// timeout does.
struct Silent {
    reads: u32,
}

impl embedded_io::ErrorType for Silent {
    type Error = ErrorKind;
}

impl embedded_io::Read for Silent {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.reads += 1;
        CLOCK_MS.with(|c| c.set(c.get() + 100));
        Err(ErrorKind::TimedOut)
    }
}

impl embedded_io::Write for Silent {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

thread_local! {
    /// The test's clock (each test runs on its own thread).
    static CLOCK_MS: Cell<u64> = const { Cell::new(0) };
}

fn clock() -> UnixTime {
    UnixTime::from_millis(CLOCK_MS.with(Cell::get))
}

fn silent_client(timeout: Duration, at: UnixTime) -> TlsConnection<Silent> {
    let config = Arc::new(
        client_builder("ca-root.cert.pem")
            .handshake_timeout(timeout)
            .build()
            .unwrap(),
    );
    let mut rng = SeededRng::from_seed([7; 32]);
    TlsConnection::client(
        Silent { reads: 0 },
        config,
        "localhost".try_into().unwrap(),
        at,
        &mut rng,
    )
    .unwrap()
}

#[test]
fn with_a_clock_the_handshake_ends_at_its_deadline() {
    CLOCK_MS.with(|c| c.set(now().as_millis()));
    let mut tls = silent_client(Duration::from_secs(1), clock());
    tls.set_clock(clock);
    let deadline = tls.poll_timeout().unwrap();
    // Each transport timeout is returned, so the caller can retry, until the deadline
    // has passed: then the handshake's own timeout, for good.
    let mut retries = 0;
    let err = loop {
        match tls.handshake() {
            Err(Error::Transport(ErrorKind::TimedOut)) => retries += 1,
            Err(e) => break e,
            Ok(()) => panic!("a handshake with a silent peer completed"),
        }
    };
    let expected = TlsError::HandshakeTimeout {
        after: Duration::from_secs(1),
    };
    assert_eq!(err, Error::Tls(expected.clone()));
    assert_eq!(retries, 9, "ten 100 ms reads fill the 1 s");
    assert!(clock() >= deadline);
    let reads = tls.transport().reads;
    assert_eq!(tls.handshake(), Err(Error::Tls(expected.clone())));
    assert_eq!(
        embedded_io::Read::read(&mut tls, &mut [0u8; 4]),
        Err(Error::Tls(expected))
    );
    assert_eq!(
        tls.transport().reads,
        reads,
        "no more reads after the timeout"
    );
    assert_eq!(tls.poll_timeout(), None);
}

#[test]
fn set_time_is_a_correction_and_keeps_the_deadline_ahead() {
    // A device without a real-time clock starts at its build date and learns the real
    // date later: that is no time passing, and must not time the handshake out.
    let build_date = UnixTime::from_secs(1_750_000_000);
    let mut tls = silent_client(Duration::from_secs(30), build_date);
    assert_eq!(
        tls.handshake(),
        Err(Error::Transport(ErrorKind::TimedOut)),
        "the first read times out at the transport"
    );
    let real = now();
    tls.set_time(real);
    assert_eq!(
        tls.poll_timeout(),
        Some(real.saturating_add(Duration::from_secs(30)))
    );
    assert_eq!(tls.handshake(), Err(Error::Transport(ErrorKind::TimedOut)));
    // Time passing, told with handle_timeout, does count.
    assert_eq!(
        tls.handle_timeout(real.saturating_add(Duration::from_secs(30))),
        Err(TlsError::HandshakeTimeout {
            after: Duration::from_secs(30)
        })
    );
}

#[test]
fn handle_timeout_ends_a_waiting_handshake() {
    let start = now();
    let mut tls = silent_client(Duration::from_secs(5), start);
    assert!(tls.handshake().is_err());
    let deadline = tls.poll_timeout().unwrap();
    assert_eq!(deadline, start.saturating_add(Duration::from_secs(5)));
    tls.handle_timeout(start.saturating_add(Duration::from_secs(4)))
        .unwrap();
    let expected = TlsError::HandshakeTimeout {
        after: Duration::from_secs(5),
    };
    assert_eq!(tls.handle_timeout(deadline), Err(expected.clone()));
    assert_eq!(tls.handshake(), Err(Error::Tls(expected)));
}

#[cfg(feature = "async")]
mod asynch {
    use super::*;
    use sanstls_embedded::asynch::AsyncTlsConnection;

    /// An async transport to a silent peer: reads never complete.
    struct Pending;

    impl embedded_io_async::ErrorType for Pending {
        type Error = ErrorKind;
    }

    impl embedded_io_async::Read for Pending {
        async fn read(&mut self, _buf: &mut [u8]) -> Result<usize, ErrorKind> {
            std::future::pending().await
        }
    }

    impl embedded_io_async::Write for Pending {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            Ok(buf.len())
        }
        async fn flush(&mut self) -> Result<(), ErrorKind> {
            Ok(())
        }
    }

    #[test]
    fn a_timer_racing_the_async_handshake_ends_it() {
        let start = now();
        let config = Arc::new(
            client_builder("ca-root.cert.pem")
                .handshake_timeout(Duration::from_secs(2))
                .build()
                .unwrap(),
        );
        let mut rng = SeededRng::from_seed([8; 32]);
        let mut tls = AsyncTlsConnection::client(
            Pending,
            config,
            "localhost".try_into().unwrap(),
            start,
            &mut rng,
        )
        .unwrap();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        {
            // The handshake waits for the server; the executor's timer for
            // `poll_timeout()` fires, and the waiting future is dropped.
            let mut hs = std::pin::pin!(tls.handshake());
            for _ in 0..3 {
                assert!(hs.as_mut().poll(&mut cx).is_pending());
            }
        }
        let deadline = tls.poll_timeout().unwrap();
        let expected = TlsError::HandshakeTimeout {
            after: Duration::from_secs(2),
        };
        assert_eq!(tls.handle_timeout(deadline), Err(expected.clone()));
        let mut hs = std::pin::pin!(tls.handshake());
        assert_eq!(
            hs.as_mut().poll(&mut cx),
            Poll::Ready(Err(Error::Tls(expected)))
        );
    }
}
