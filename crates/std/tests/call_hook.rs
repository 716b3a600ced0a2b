//! `TlsStream::set_call_hook`: the calls it reports, made again in order on a connection
//! made with the same seed and time, repeat the connection byte for byte.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use sanstls_std::proto::SeededRng;
use sanstls_std::{
    Call, CertifiedKey, ClientConfig, Connection, ServerConfig, ServerName, TlsStream,
    TrustAnchors, UnixTime, accept,
};
use sanstls_test::fixtures;

/// A call with its inputs and result, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recorded {
    Recv(Vec<u8>, UnixTime, Result<(), String>),
    Timeout(UnixTime, Result<(), String>),
    Transmitted(Vec<u8>),
    Send(Vec<u8>, Result<usize, String>),
    Read(usize, Result<usize, String>),
    Close,
    Events(usize),
}

fn own(call: &Call<'_>) -> Recorded {
    let text = |e: &sanstls_std::proto::Error| e.to_string();
    match call {
        Call::Recv { data, now, result } => {
            Recorded::Recv(data.to_vec(), *now, result.map_err(text))
        }
        Call::Timeout { now, result } => Recorded::Timeout(*now, result.map_err(text)),
        Call::Transmitted { data } => Recorded::Transmitted(data.to_vec()),
        Call::Send { data, result } => Recorded::Send(data.to_vec(), result.map_err(text)),
        Call::Read { len, result } => Recorded::Read(*len, result.map_err(text)),
        Call::Close => Recorded::Close,
        Call::Events { count } => Recorded::Events(*count),
        other => panic!("a call this test does not know: {other:?}"),
    }
}

fn configs() -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let key = CertifiedKey::from_pem(
        &fixtures::read("server-rsa2048.chain.pem"),
        &fixtures::read("server-rsa2048.rsa.pem"),
    )
    .unwrap();
    let server = Arc::new(ServerConfig::builder().single_cert(key).build().unwrap());
    let anchors = TrustAnchors::from_pem_bundle(&fixtures::read("ca-root.cert.pem")).unwrap();
    let client = Arc::new(
        ClientConfig::builder()
            .trust_anchors(anchors)
            .trace(true)
            .build()
            .unwrap(),
    );
    (server, client)
}

#[test]
fn the_reported_calls_replay_the_connection_exactly() {
    let (server_cfg, client_cfg) = configs();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = accept(&l, server_cfg).unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        s.write_all(&buf[..n]).unwrap();
        // The client's close_notify, then ours.
        assert_eq!(s.read(&mut buf).unwrap(), 0);
        let _ = s.close();
    });

    let seed = [42; 32];
    let name = ServerName::new("localhost").unwrap();
    let t0 = sanstls_std::now();
    let conn = Connection::client(
        Arc::clone(&client_cfg),
        name.clone(),
        t0,
        &mut SeededRng::from_seed(seed),
    )
    .unwrap();
    let mut tls = TlsStream::from_connection(TcpStream::connect(addr).unwrap(), conn);
    let calls = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&calls);
    tls.set_call_hook(Box::new(move |c| sink.lock().unwrap().push(own(&c))));
    tls.write_all(b"ping").unwrap();
    let mut echo = [0u8; 4];
    tls.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"ping");
    tls.close().unwrap();
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest).unwrap();
    server.join().unwrap();
    let calls = calls.lock().unwrap().clone();

    // Every kind of call was reported.
    for kind in [
        |c: &Recorded| matches!(c, Recorded::Recv(..)),
        |c: &Recorded| matches!(c, Recorded::Timeout(..)),
        |c: &Recorded| matches!(c, Recorded::Transmitted(..)),
        |c: &Recorded| matches!(c, Recorded::Send(d, Ok(4)) if d == b"ping"),
        |c: &Recorded| matches!(c, Recorded::Read(_, Ok(4))),
        |c: &Recorded| matches!(c, Recorded::Close),
        |c: &Recorded| matches!(c, Recorded::Events(_)),
    ] {
        assert!(calls.iter().any(kind), "{calls:#?}");
    }

    // The same calls on a connection made the same way: the same results, the same
    // bytes out, the same number of events.
    // (A fresh configuration: the first one's session store now holds the session,
    // which a new connection would offer.)
    let (_, fresh) = configs();
    let mut again = Connection::client(fresh, name, t0, &mut SeededRng::from_seed(seed)).unwrap();
    for (i, call) in calls.iter().enumerate() {
        let text = |e: sanstls_std::proto::Error| e.to_string();
        match call {
            Recorded::Recv(data, now, result) => {
                let r = again.handle_recv_bytes(data, *now).map_err(text);
                assert_eq!(r.map(|n| assert_eq!(n, data.len())), *result, "call {i}");
            }
            Recorded::Timeout(now, result) => {
                assert_eq!(
                    again.handle_timeout(*now).map_err(text),
                    *result,
                    "call {i}"
                );
            }
            Recorded::Transmitted(data) => {
                assert_eq!(&again.poll_transmit()[..data.len()], &data[..], "call {i}");
                again.handle_transmitted(data.len()).unwrap();
            }
            Recorded::Send(data, result) => {
                assert_eq!(again.send(data).map_err(text), *result, "call {i}");
            }
            Recorded::Read(len, result) => {
                let mut buf = vec![0u8; *len];
                assert_eq!(again.read(&mut buf).map_err(text), *result, "call {i}");
            }
            Recorded::Close => again.close(),
            Recorded::Events(count) => {
                for _ in 0..*count {
                    assert!(again.poll_event().is_some(), "call {i}");
                }
            }
        }
    }
    assert!(again.negotiated().is_some());
}
