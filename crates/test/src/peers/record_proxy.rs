//! [`RecordSizeProxy`]: a TCP relay on 127.0.0.1 that forwards bytes both ways
//! unchanged and notes the header of every TLS record that passes, so that a test can
//! assert record sizes (max_fragment_length, record_size_limit) for any pair of peers.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The content type of a ChangeCipherSpec record; every later record of the same
/// direction is protected.
const CHANGE_CIPHER_SPEC: u8 = 20;
/// The content type of an application_data record.
const APPLICATION_DATA: u8 = 23;

/// One TLS record the proxy saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxiedRecord {
    /// Which connection it belongs to: 0 for the first one the proxy accepted.
    pub connection: usize,
    /// The record's content type (20 ChangeCipherSpec, 21 alert, 22 handshake,
    /// 23 application_data).
    pub content_type: u8,
    /// The record header's length field (`TLSCiphertext.length`: the 5-byte header
    /// is not counted; for a protected record it includes IV, MAC and padding).
    pub len: usize,
    /// Whether it came after a ChangeCipherSpec in the same direction of the same
    /// connection (so it is protected).
    pub protected: bool,
    /// Its place among the records of its direction and connection: 0 for the first
    /// (the ClientHello, or the record holding the ServerHello).
    pub index: usize,
}

/// The records that went one way (to the server, or to the client), in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordLog {
    /// Every record, in the order their headers passed.
    pub records: Vec<ProxiedRecord>,
    /// Whether bytes that cannot be a TLS record header passed (the rest of that
    /// connection's direction was relayed but not measured).
    pub unparsed: bool,
}

impl RecordLog {
    fn largest_where(&self, keep: impl Fn(&ProxiedRecord) -> bool) -> usize {
        self.records
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.len)
            .max()
            .unwrap_or(0)
    }

    /// The longest record of any kind (0 if there was none).
    pub fn largest(&self) -> usize {
        self.largest_where(|_| true)
    }

    /// The longest protected record (after ChangeCipherSpec): what record_size_limit
    /// bounds (RFC 8449 §4: unprotected handshake records are not subject to it).
    pub fn largest_protected(&self) -> usize {
        self.largest_where(|r| r.protected)
    }

    /// The longest application_data record.
    pub fn largest_app_data(&self) -> usize {
        self.largest_where(|r| r.content_type == APPLICATION_DATA)
    }

    /// The longest record after each connection's first one in this direction (the
    /// ClientHello, or the record that holds the ServerHello): what a negotiated
    /// max_fragment_length bounds (RFC 6066 §4: handshake messages too, from right
    /// after the hellos). A peer that puts the ServerHello and the Certificate into one
    /// record shows it in that first record, which this skips: check
    /// [`RecordLog::records`] for that.
    pub fn largest_after_hello(&self) -> usize {
        self.largest_where(|r| r.index > 0)
    }

    /// How many application_data records passed.
    pub fn app_data_records(&self) -> usize {
        self.records
            .iter()
            .filter(|r| r.content_type == APPLICATION_DATA)
            .count()
    }
}

/// What the relay threads share with the proxy.
#[derive(Default)]
struct State {
    to_server: RecordLog,
    to_client: RecordLog,
    /// Connections accepted so far.
    accepted: usize,
    /// Relay directions still running.
    running: usize,
    /// Why a connection could not be relayed (the target refused it, say).
    errors: Vec<String>,
    /// A handle on every socket, to shut them all down when the proxy is dropped.
    sockets: Vec<TcpStream>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A TCP relay from a 127.0.0.1 ephemeral port to `127.0.0.1:target_port` that
/// measures the TLS records passing each way. Point the client at the proxy's port
/// instead of the server's; the bytes are forwarded unchanged. It accepts any number of
/// connections (each gets its own pair of relay threads) until it is dropped; dropping
/// it shuts every relayed connection down.
///
/// ```no_run
/// # use sanstls_test::peers::{RecordSizeProxy, s_server, s_client, Peer};
/// let (_server, port) = s_server().args(["-www"]).start();
/// let (proxy, proxy_port) = RecordSizeProxy::start(port);
/// let mut client = Peer::spawn_with_input(
///     s_client(proxy_port).args(["-maxfraglen", "512", "-ign_eof"]),
///     b"GET / HTTP/1.0\r\n\r\n",
/// );
/// client.wait();
/// assert!(proxy.wait_closed(std::time::Duration::from_secs(10)));
/// assert!(proxy.to_client().largest_after_hello() <= 512 + 64);
/// ```
pub struct RecordSizeProxy {
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    port: u16,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RecordSizeProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordSizeProxy")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl RecordSizeProxy {
    /// Starts a proxy to `127.0.0.1:target_port`; the proxy and the port it listens
    /// on (127.0.0.1).
    ///
    /// # Panics
    /// If no listening socket can be bound.
    pub fn start(target_port: u16) -> (RecordSizeProxy, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || accept_loop(&listener, target_port, &shared, &stop))
        };
        let proxy = RecordSizeProxy {
            shared,
            stop,
            port,
            acceptor: Some(acceptor),
        };
        (proxy, port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The longest record (of any kind, header's length field) sent to the server so
    /// far; see [`RecordSizeProxy::to_server`] for protected or application-data
    /// records only.
    pub fn largest_to_server(&self) -> usize {
        self.shared.lock().to_server.largest()
    }

    /// The longest record (of any kind) sent to the client so far; see
    /// [`RecordSizeProxy::to_client`].
    pub fn largest_to_client(&self) -> usize {
        self.shared.lock().to_client.largest()
    }

    /// The records sent to the server so far.
    pub fn to_server(&self) -> RecordLog {
        self.shared.lock().to_server.clone()
    }

    /// The records sent to the client so far.
    pub fn to_client(&self) -> RecordLog {
        self.shared.lock().to_client.clone()
    }

    /// How many connections it has accepted.
    pub fn connections(&self) -> usize {
        self.shared.lock().accepted
    }

    /// Waits until it has relayed at least one connection and every connection has
    /// ended in both directions (so the figures are complete), at most `limit`;
    /// whether that happened.
    ///
    /// # Panics
    /// If a connection could not be relayed (the target was not listening).
    pub fn wait_closed(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.shared.lock();
        loop {
            assert!(
                state.errors.is_empty(),
                "the proxy could not relay: {:?}",
                state.errors
            );
            if state.accepted > 0 && state.running == 0 {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for RecordSizeProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop with a connection of our own; it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for sock in self.shared.lock().sockets.drain(..) {
            let _ = sock.shutdown(Shutdown::Both);
        }
    }
}

fn accept_loop(listener: &TcpListener, target_port: u16, shared: &Arc<Shared>, stop: &AtomicBool) {
    for client in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = client else { continue };
        let server = match TcpStream::connect(("127.0.0.1", target_port)) {
            Ok(s) => s,
            Err(e) => {
                shared
                    .lock()
                    .errors
                    .push(format!("connecting to 127.0.0.1:{target_port}: {e}"));
                shared.changed.notify_all();
                continue;
            }
        };
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let connection = {
            let mut state = shared.lock();
            state.accepted += 1;
            state.running += 2;
            for s in [&client, &server] {
                if let Ok(s) = s.try_clone() {
                    state.sockets.push(s);
                }
            }
            state.accepted - 1
        };
        for (from, to, to_server) in [
            (client.try_clone(), server.try_clone(), true),
            (server.try_clone(), client.try_clone(), false),
        ] {
            let shared = Arc::clone(shared);
            if let (Ok(from), Ok(to)) = (from, to) {
                std::thread::spawn(move || relay(from, to, to_server, connection, &shared));
            } else {
                let mut state = shared.lock();
                state.running -= 1;
                state.errors.push("cloning a socket failed".into());
            }
        }
    }
}

/// Copies `from` to `to`, noting every record header, until `from` ends; then ends
/// `to` for writing (or both on an error).
fn relay(
    mut from: TcpStream,
    mut to: TcpStream,
    to_server: bool,
    connection: usize,
    shared: &Shared,
) {
    let mut framer = Framer::new(connection);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => {
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
                break;
            }
        };
        {
            let mut state = shared.lock();
            let log = if to_server {
                &mut state.to_server
            } else {
                &mut state.to_client
            };
            framer.feed(&buf[..n], log);
        }
        if to.write_all(&buf[..n]).is_err() {
            let _ = from.shutdown(Shutdown::Both);
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    shared.lock().running -= 1;
    shared.changed.notify_all();
}

/// Splits one direction's byte stream into records, looking at headers only.
struct Framer {
    connection: usize,
    header: [u8; 5],
    have: usize,
    skip: usize,
    protected: bool,
    index: usize,
    broken: bool,
}

impl Framer {
    fn new(connection: usize) -> Framer {
        Framer {
            connection,
            header: [0; 5],
            have: 0,
            skip: 0,
            protected: false,
            index: 0,
            broken: false,
        }
    }

    fn feed(&mut self, mut data: &[u8], log: &mut RecordLog) {
        while !data.is_empty() && !self.broken {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                self.skip -= n;
                data = &data[n..];
                continue;
            }
            let n = (5 - self.have).min(data.len());
            self.header[self.have..self.have + n].copy_from_slice(&data[..n]);
            self.have += n;
            data = &data[n..];
            if self.have < 5 {
                break;
            }
            self.have = 0;
            let [content_type, major, _, hi, lo] = self.header;
            if !(20..=24).contains(&content_type) || major != 3 {
                self.broken = true;
                log.unparsed = true;
                break;
            }
            let len = usize::from(u16::from_be_bytes([hi, lo]));
            log.records.push(ProxiedRecord {
                connection: self.connection,
                content_type,
                len,
                protected: self.protected,
                index: self.index,
            });
            self.index += 1;
            if content_type == CHANGE_CIPHER_SPEC {
                self.protected = true;
            }
            self.skip = len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framer_splits_records_across_reads_and_marks_protected_ones() {
        let mut stream = Vec::new();
        stream.extend_from_slice(&[22, 3, 3, 0, 4, 1, 0, 0, 0]);
        stream.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
        stream.extend_from_slice(&[23, 3, 3, 0x01, 0x00]);
        stream.extend_from_slice(&[0xaa; 256]);
        let mut log = RecordLog::default();
        let mut framer = Framer::new(0);
        for chunk in stream.chunks(3) {
            framer.feed(chunk, &mut log);
        }
        let lens: Vec<_> = log
            .records
            .iter()
            .map(|r| (r.content_type, r.len, r.protected, r.index))
            .collect();
        assert_eq!(
            lens,
            [(22, 4, false, 0), (20, 1, false, 1), (23, 256, true, 2)]
        );
        assert_eq!(log.largest(), 256);
        assert_eq!(log.largest_protected(), 256);
        assert_eq!(log.largest_app_data(), 256);
        assert_eq!(log.largest_after_hello(), 256);
        assert_eq!(log.app_data_records(), 1);
        assert!(!log.unparsed);
    }

    #[test]
    fn bytes_that_are_not_tls_stop_the_measuring() {
        let mut log = RecordLog::default();
        Framer::new(0).feed(b"GET / HTTP/1.0\r\n\r\n", &mut log);
        assert!(log.unparsed);
        assert!(log.records.is_empty());
    }

    #[test]
    fn the_proxy_relays_both_ways_and_measures() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = server.local_addr().unwrap().port();
        let echo = std::thread::spawn(move || {
            let (mut s, _) = server.accept().unwrap();
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).unwrap();
            s.write_all(&buf).unwrap();
        });
        let (proxy, proxy_port) = RecordSizeProxy::start(port);
        let mut c = TcpStream::connect(("127.0.0.1", proxy_port)).unwrap();
        let mut records = vec![22, 3, 1, 0, 2, 0, 0, 23, 3, 3, 0x03, 0xe8];
        records.extend_from_slice(&[7; 1000]);
        c.write_all(&records).unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut back = Vec::new();
        c.read_to_end(&mut back).unwrap();
        assert_eq!(back, records);
        echo.join().unwrap();
        assert!(proxy.wait_closed(Duration::from_secs(10)));
        assert_eq!(proxy.connections(), 1);
        assert_eq!(proxy.largest_to_server(), 1000);
        assert_eq!(proxy.largest_to_client(), 1000);
        assert_eq!(proxy.to_client().records.len(), 2);
        assert_eq!(proxy.to_server().largest_protected(), 0);
    }
}
