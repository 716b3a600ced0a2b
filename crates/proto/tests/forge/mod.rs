//! Helpers shared by the proto tests that forge records: a fresh server and the
//! client's first flight, raw feeding, the last plaintext alert, and records sealed with
//! keys recovered from a key log (so a test can send what a real peer would, under
//! protection).

#![allow(dead_code)] // each test file uses some of these

use std::sync::Arc;

use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{Connection, Direction, Error, TraceKind};
use sanstls_record::{CbcMode, Sealer};
use sanstls_wire::enums::{AlertDescription as A, AlertLevel, ContentType, ProtocolVersion};

use super::pair::{self, Dir, Ev, Filter, NOW, Pair, client_builder, records, server_builder};

/// A server connection and the ClientHello flight (plaintext records) of a client.
pub(crate) fn server_and_hello() -> (Connection, Vec<u8>) {
    let mut p = Pair::with_defaults();
    let hello = p.client.poll_transmit().to_vec();
    let mut rng = SeededRng::from_seed([3; 32]);
    let server =
        Connection::server(Arc::new(server_builder().build().unwrap()), NOW, &mut rng).unwrap();
    p.client.handle_transmitted(hello.len()).unwrap();
    (server, hello)
}

/// Feeds `bytes` to `conn` at [`NOW`].
pub(crate) fn feed(conn: &mut Connection, bytes: &[u8]) -> Result<(), Error> {
    conn.handle_recv_bytes(bytes, NOW).map(|_| ())
}

/// The last alert record `conn` queued, decoded from its plaintext output.
pub(crate) fn last_plain_alert(conn: &Connection) -> (u8, u8) {
    let recs = records(conn.poll_transmit());
    let (ct, _, frag) = recs.last().unwrap();
    assert_eq!(*ct, 21);
    (frag[0], frag[1])
}

/// Seals `payload` as `side` would after the handshake, at sequence number `seq`, from
/// the key log and the captured hellos.
pub(crate) fn forge(
    p: &Pair,
    log: &pair::Collect,
    client_writes: bool,
    seq: u64,
    ct: ContentType,
    payload: &[u8],
) -> Vec<u8> {
    let line = log.0.lock().unwrap()[0].clone();
    let parts: Vec<&str> = line.split(' ').collect();
    let unhex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let cr: [u8; 32] = unhex(parts[1]).try_into().unwrap();
    let ms: [u8; 48] = unhex(parts[2]).try_into().unwrap();
    let sr: [u8; 32] = p.sent_by_server[11..43].try_into().unwrap();
    let n = p.client.negotiated().unwrap();
    let info = sanstls_keys::suite::lookup(n.suite).unwrap();
    let kb = sanstls_keys::MasterSecret::from_bytes(info.prf_hash, ms)
        .key_block(info, &cr, &sr)
        .unwrap();
    let keys = if client_writes {
        kb.client_write()
    } else {
        kb.server_write()
    };
    let mode = if n.encrypt_then_mac {
        CbcMode::EncryptThenMac
    } else {
        CbcMode::MacThenEncrypt
    };
    let mut sealer = Sealer::for_suite(&keys, mode, &mut SeededRng::from_seed([5; 32])).unwrap();
    sealer.set_sequence_number(seq);
    let mut out = vec![0u8; 1024];
    let len = sealer
        .seal(ct, ProtocolVersion::TLS12, payload, &mut out)
        .unwrap();
    out.truncate(len);
    out
}

pub(crate) fn sent_alerts(events: &[Ev]) -> Vec<(AlertLevel, A)> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::Trace(t) if t.direction == Direction::Sent => match t.kind {
                TraceKind::Alert(l, d) => Some((l, d)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// A pair after its handshake whose client traces (so that the alerts it sends show
/// in its events) and logs its keys to the returned log (so that a test can forge
/// protected records).
pub(crate) fn traced_client_after_handshake() -> (Pair, Arc<pair::Collect>) {
    let log = Arc::new(pair::Collect::default());
    let c = client_builder()
        .trace(true)
        .key_log(log.clone())
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run_handshake("");
    (p, log)
}

/// The alerts the client sent so far, draining its events into the pair's list.
pub(crate) fn sent_alerts_of(p: &mut Pair) -> Vec<(AlertLevel, A)> {
    p.run();
    sent_alerts(&p.client_events)
}

/// Replaces the payload of the plaintext record at the start of `chunk` (a handshake
/// message, one per record as sanstls sends them) with `f(payload)`, keeping the records
/// after it.
pub(crate) fn rewrite_first_record(chunk: &mut Vec<u8>, f: impl FnOnce(&[u8]) -> Vec<u8>) {
    let len = u16::from_be_bytes([chunk[3], chunk[4]]) as usize;
    let payload = f(&chunk[5..5 + len]);
    let mut out = chunk[..3].to_vec();
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&chunk[5 + len..]);
    *chunk = out;
}

/// A filter that applies `f` to the `nth` chunk (1-based) going `dir`.
pub(crate) fn on_chunk(dir: Dir, nth: usize, mut f: impl FnMut(&mut Vec<u8>) + 'static) -> Filter {
    let mut seen = 0;
    Box::new(move |d, bytes| {
        if d == dir {
            seen += 1;
            if seen == nth {
                f(bytes);
            }
        }
    })
}

/// The offset of handshake message `typ` (its header) in a flight of plaintext records,
/// one message per record as sanstls sends them.
pub(crate) fn find_message(bytes: &[u8], typ: u8) -> usize {
    let mut at = 0;
    loop {
        let len = u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]) as usize;
        if bytes[at] == 22 && bytes[at + 5] == typ {
            return at + 5;
        }
        at += 5 + len;
    }
}
