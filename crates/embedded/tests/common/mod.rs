//! Shared by the tests: configurations from `testdata/`, and in-memory embedded-io pipes
//! (blocking and async) with bounded buffers and small chunks, so that reads and writes
//! are partial all the time.

#![allow(dead_code, unreachable_pub)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::task::Poll;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use embedded_io::ErrorKind;
#[cfg(feature = "async")]
use sanstls_embedded::asynch::AsyncTlsConnection;
use sanstls_embedded::{
    ClientConfig, ClientConfigBuilder, ServerConfig, TlsConnection, TrustAnchors, UnixTime,
};
use sanstls_proto::SeededRng;
use sanstls_proto::{CertifiedKey, ServerName};
use sanstls_test::fixtures;

/// The wall clock (the testdata certificates are valid 2025 to 2045).
pub fn now() -> UnixTime {
    UnixTime::from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap())
}

/// A client configuration builder that trusts the roots in the testdata file `root`.
pub fn client_builder(root: &str) -> ClientConfigBuilder {
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read(root)).unwrap();
    ClientConfig::builder().trust_anchors(anchors)
}

/// A client that trusts `ca-root`.
pub fn client_config() -> Arc<ClientConfig> {
    Arc::new(client_builder("ca-root.cert.pem").build().unwrap())
}

/// A blocking client on `end` for `localhost`, its randoms from `seed`.
pub fn blocking_client(
    end: PipeEnd,
    config: Arc<ClientConfig>,
    seed: u8,
) -> TlsConnection<PipeEnd> {
    let mut rng = SeededRng::from_seed([seed; 32]);
    TlsConnection::client(end, config, localhost(), now(), &mut rng).unwrap()
}

/// A blocking server on `end`, its randoms from `seed`.
pub fn blocking_server(
    end: PipeEnd,
    config: Arc<ServerConfig>,
    seed: u8,
) -> TlsConnection<PipeEnd> {
    let mut rng = SeededRng::from_seed([seed; 32]);
    TlsConnection::server(end, config, now(), &mut rng).unwrap()
}

/// An async client on `end` for `localhost`, its randoms from `seed`.
#[cfg(feature = "async")]
pub fn async_client(
    end: AsyncPipeEnd,
    config: Arc<ClientConfig>,
    seed: u8,
) -> AsyncTlsConnection<AsyncPipeEnd> {
    let mut rng = SeededRng::from_seed([seed; 32]);
    AsyncTlsConnection::client(end, config, localhost(), now(), &mut rng).unwrap()
}

/// An async server on `end`, its randoms from `seed`.
#[cfg(feature = "async")]
pub fn async_server(
    end: AsyncPipeEnd,
    config: Arc<ServerConfig>,
    seed: u8,
) -> AsyncTlsConnection<AsyncPipeEnd> {
    let mut rng = SeededRng::from_seed([seed; 32]);
    AsyncTlsConnection::server(end, config, now(), &mut rng).unwrap()
}

fn localhost() -> ServerName {
    "localhost".try_into().unwrap()
}

/// A server with `server-rsa2048` (leaf and intermediate, names `localhost`,
/// `127.0.0.1`).
pub fn server_config() -> Arc<ServerConfig> {
    Arc::new(server_builder().build().unwrap())
}

pub fn server_builder() -> sanstls_proto::ServerConfigBuilder {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    ServerConfig::builder().single_cert(key)
}

/// `len` bytes of a pattern that makes misplaced or repeated bytes visible.
pub fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ salt ^ ((i / 251) as u8))
        .collect()
}

// ---- Blocking pipe -----------------------------------------------------------------

/// How long a blocking pipe end waits before it reports `TimedOut`: only a guard so a
/// deadlock fails the test instead of hanging it.
const STUCK: Duration = Duration::from_secs(60);

struct Queue {
    bytes: VecDeque<u8>,
    cap: usize,
    writer_gone: bool,
    reader_gone: bool,
}

type Shared = Arc<(Mutex<Queue>, Condvar)>;

/// One end of a blocking in-memory byte pipe: it reads at most `chunk` bytes per call
/// and writes at most `chunk` bytes (and never more than the queue has room for).
pub struct PipeEnd {
    incoming: Shared,
    outgoing: Shared,
    chunk: usize,
}

fn queue(cap: usize) -> Shared {
    Arc::new((
        Mutex::new(Queue {
            bytes: VecDeque::with_capacity(cap),
            cap,
            writer_gone: false,
            reader_gone: false,
        }),
        Condvar::new(),
    ))
}

/// Two connected ends; each direction buffers at most `cap` bytes.
pub fn pipe(cap: usize, chunk: usize) -> (PipeEnd, PipeEnd) {
    let (ab, ba) = (queue(cap), queue(cap));
    (
        PipeEnd {
            incoming: Arc::clone(&ba),
            outgoing: Arc::clone(&ab),
            chunk,
        },
        PipeEnd {
            incoming: ab,
            outgoing: ba,
            chunk,
        },
    )
}

impl embedded_io::ErrorType for PipeEnd {
    type Error = ErrorKind;
}

impl embedded_io::Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if buf.is_empty() {
            return Ok(0);
        }
        let (lock, cv) = &*self.incoming;
        let mut q = lock.lock().unwrap();
        while q.bytes.is_empty() && !q.writer_gone {
            let (g, t) = cv.wait_timeout(q, STUCK).unwrap();
            q = g;
            if t.timed_out() {
                return Err(ErrorKind::TimedOut);
            }
        }
        let n = buf.len().min(self.chunk).min(q.bytes.len());
        for (d, s) in buf.iter_mut().zip(q.bytes.drain(..n)) {
            *d = s;
        }
        cv.notify_all();
        Ok(n)
    }
}

impl embedded_io::Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if buf.is_empty() {
            return Ok(0);
        }
        let (lock, cv) = &*self.outgoing;
        let mut q = lock.lock().unwrap();
        loop {
            if q.reader_gone {
                return Err(ErrorKind::BrokenPipe);
            }
            if q.bytes.len() < q.cap {
                break;
            }
            let (g, t) = cv.wait_timeout(q, STUCK).unwrap();
            q = g;
            if t.timed_out() {
                return Err(ErrorKind::TimedOut);
            }
        }
        let n = buf.len().min(self.chunk).min(q.cap - q.bytes.len());
        q.bytes.extend(&buf[..n]);
        cv.notify_all();
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        for (shared, reader) in [(&self.incoming, true), (&self.outgoing, false)] {
            let (lock, cv) = &**shared;
            if let Ok(mut q) = lock.lock() {
                if reader {
                    q.reader_gone = true;
                } else {
                    q.writer_gone = true;
                }
            }
            cv.notify_all();
        }
    }
}

// ---- Async pipe and a minimal executor ---------------------------------------------

struct AsyncQueue {
    bytes: VecDeque<u8>,
    cap: usize,
    writer_gone: bool,
    /// Bytes moved through every queue of the pipe: the executor's progress signal.
    moved: Rc<RefCell<u64>>,
}

/// One end of a single-threaded async pipe: `Pending` when there is nothing to read or
/// no room to write (the executor below polls again; no waker is needed).
pub struct AsyncPipeEnd {
    incoming: Rc<RefCell<AsyncQueue>>,
    outgoing: Rc<RefCell<AsyncQueue>>,
    chunk: usize,
}

/// Two connected async ends and the progress counter they share.
pub fn async_pipe(cap: usize, chunk: usize) -> (AsyncPipeEnd, AsyncPipeEnd, Rc<RefCell<u64>>) {
    let moved = Rc::new(RefCell::new(0));
    let q = || {
        Rc::new(RefCell::new(AsyncQueue {
            bytes: VecDeque::with_capacity(cap),
            cap,
            writer_gone: false,
            moved: Rc::clone(&moved),
        }))
    };
    let (ab, ba) = (q(), q());
    (
        AsyncPipeEnd {
            incoming: Rc::clone(&ba),
            outgoing: Rc::clone(&ab),
            chunk,
        },
        AsyncPipeEnd {
            incoming: ab,
            outgoing: ba,
            chunk,
        },
        moved,
    )
}

impl embedded_io_async::ErrorType for AsyncPipeEnd {
    type Error = ErrorKind;
}

impl embedded_io_async::Read for AsyncPipeEnd {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        std::future::poll_fn(|_| {
            let mut q = self.incoming.borrow_mut();
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if q.bytes.is_empty() {
                return if q.writer_gone {
                    Poll::Ready(Ok(0))
                } else {
                    Poll::Pending
                };
            }
            let n = buf.len().min(self.chunk).min(q.bytes.len());
            for (d, s) in buf.iter_mut().zip(q.bytes.drain(..n)) {
                *d = s;
            }
            *q.moved.borrow_mut() += n as u64;
            Poll::Ready(Ok(n))
        })
        .await
    }
}

impl embedded_io_async::Write for AsyncPipeEnd {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        std::future::poll_fn(|_| {
            let mut q = self.outgoing.borrow_mut();
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if q.bytes.len() >= q.cap {
                return Poll::Pending;
            }
            let n = buf.len().min(self.chunk).min(q.cap - q.bytes.len());
            q.bytes.extend(&buf[..n]);
            *q.moved.borrow_mut() += n as u64;
            Poll::Ready(Ok(n))
        })
        .await
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl Drop for AsyncPipeEnd {
    fn drop(&mut self) {
        self.outgoing.borrow_mut().writer_gone = true;
    }
}

/// Runs two futures to completion on this thread, polling them in turn with a no-op
/// waker. Panics if both wait and no byte moved through the pipe since the last round
/// (a deadlock), instead of spinning forever.
pub fn join<A: Future, B: Future>(moved: &Rc<RefCell<u64>>, a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let (mut ra, mut rb) = (None, None);
    let mut last = u64::MAX;
    loop {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(&mut cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(&mut cx)
        {
            rb = Some(v);
        }
        if let (Some(_), Some(_)) = (&ra, &rb) {
            return (ra.take().unwrap(), rb.take().unwrap());
        }
        let now = *moved.borrow();
        assert_ne!(now, last, "deadlock: both sides wait and no byte moves");
        last = now;
    }
}
