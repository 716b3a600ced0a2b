//! max_fragment_length (RFC 6066 §4) and record_size_limit (RFC 8449), both roles:
//! what is negotiated, from when each side fragments, and what is refused.

mod forge;
#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::Arc;

use forge::{forge, rewrite_first_record};
use pair::{Dir, Filter, Pair, client_builder, records, server_builder};
use sanstls_proto::{CipherSuite, Error, ExtensionType, PeerIncompatible, PeerMisbehaved};
use sanstls_wire::enums::{AlertDescription as A, ContentType};
use sanstls_wire::extensions::{
    ClientExtension, ClientExtensions, ServerExtension, ServerExtensions,
};
use sanstls_wire::handshake::{ClientHello, HandshakeMessage, ServerHello};

const LIMITS: [usize; 4] = [512, 1024, 2048, 4096];
const SUITES: [CipherSuite; 2] = [
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
];
/// The most a record of our suites adds to its plaintext: IV, MAC (at most 32) and
/// the padding sanstls sends (at most 16).
const OVERHEAD: usize = 16 + 32 + 16;

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Every record in `bytes` from the first handshake record after the hellos on: the
/// content type and the fragment's length.
fn record_lengths_after_hello(bytes: &[u8]) -> Vec<(u8, usize)> {
    records(bytes)
        .into_iter()
        .skip(1)
        .map(|(ct, _, f)| (ct, f.len()))
        .collect()
}

/// Asserts that every record in `lens` carries at most `limit` bytes of plaintext:
/// `limit` for an unprotected one, `limit + OVERHEAD` for a protected one (after the
/// sender's ChangeCipherSpec, or all of them when `protected`).
#[track_caller]
fn assert_limited(lens: &[(u8, usize)], limit: usize, protected: bool, what: &str) {
    let mut protected = protected;
    for &(ct, len) in lens {
        let max = if protected { limit + OVERHEAD } else { limit };
        assert!(
            len <= max,
            "{what}: a {ct} record of {len} bytes over {limit}"
        );
        if ct == 20 {
            protected = true;
        }
    }
}

/// Sends `len` bytes each way and checks they arrive.
fn exchange(p: &mut Pair, len: usize) {
    let up = data(len);
    let down: Vec<u8> = data(len).into_iter().rev().collect();
    p.send(true, &up);
    p.send(false, &down);
    assert_eq!(Pair::app_data(&p.server_events), up);
    assert_eq!(Pair::app_data(&p.client_events), down);
}

/// For every limit, suite family and record mode: a completed pair whose client asks
/// for the limit (with record_size_limit too, or not), with a description.
fn every_combination(with_rsl: bool, mut check: impl FnMut(usize, &str, &mut Pair)) {
    for limit in LIMITS {
        for suite in SUITES {
            for etm in [true, false] {
                let what = format!("{limit} {suite:?} etm={etm} rsl={with_rsl}");
                let c = client_builder()
                    .max_fragment_len(limit)
                    .record_size_limit(with_rsl)
                    .cipher_suites(&[suite])
                    .encrypt_then_mac(etm)
                    .build()
                    .unwrap();
                let mut p = Pair::new(c, server_builder().build().unwrap());
                p.run_handshake(&what);
                assert_eq!(p.client.negotiated().unwrap().encrypt_then_mac, etm);
                check(limit, &what, &mut p);
            }
        }
    }
}

#[test]
fn every_limit_with_record_size_limit_both_suite_families_both_modes() {
    every_combination(true, |limit, what, p| {
        // The server supports both and answers record_size_limit (RFC 8449 §5).
        let cn = p.client.negotiated().unwrap();
        assert_eq!(cn.fragment_limit_by, Some(ExtensionType::RECORD_SIZE_LIMIT));
        assert_eq!(
            (cn.max_fragment_sent, cn.max_fragment_received),
            (limit, limit)
        );
        let sn = p.server.negotiated().unwrap();
        assert_eq!(sn.fragment_limit_by, Some(ExtensionType::RECORD_SIZE_LIMIT));
        assert_eq!(
            (sn.max_fragment_sent, sn.max_fragment_received),
            (limit, 16384)
        );
        exchange(p, 3 * limit + 17);
        // The server's protected records respect the client's limit (its unprotected
        // first flight need not, RFC 8449 §4).
        let server_records = record_lengths_after_hello(&p.sent_by_server);
        let after_ccs: Vec<_> = server_records
            .iter()
            .skip_while(|(ct, _)| *ct != 20)
            .skip(1)
            .copied()
            .collect();
        assert!(!after_ccs.is_empty());
        assert_limited(&after_ccs, limit, true, what);
        assert_limited(
            &record_lengths_after_hello(&p.sent_by_client),
            limit,
            false,
            what,
        );
    });
}

#[test]
fn every_limit_with_max_fragment_length_alone() {
    every_combination(false, |limit, what, p| {
        for conn in [&p.client, &p.server] {
            let n = conn.negotiated().unwrap();
            assert_eq!(
                n.fragment_limit_by,
                Some(ExtensionType::MAX_FRAGMENT_LENGTH)
            );
            assert_eq!(
                (n.max_fragment_sent, n.max_fragment_received),
                (limit, limit)
            );
        }
        exchange(p, 2 * limit + 1);
        // RFC 6066 §4: everything after the hellos is fragmented, the server's
        // Certificate included (it is larger than 512 bytes).
        assert_limited(
            &record_lengths_after_hello(&p.sent_by_server),
            limit,
            false,
            what,
        );
        assert_limited(
            &record_lengths_after_hello(&p.sent_by_client),
            limit,
            false,
            what,
        );
    });
}

#[test]
fn a_server_advertises_its_own_limit() {
    let s = server_builder().max_fragment_len(700).build().unwrap();
    let mut p = Pair::new(client_builder().build().unwrap(), s);
    p.run_handshake("");
    let cn = p.client.negotiated().unwrap();
    assert_eq!(
        (cn.max_fragment_sent, cn.max_fragment_received),
        (700, 16384)
    );
    exchange(&mut p, 5000);
    let client_records = record_lengths_after_hello(&p.sent_by_client);
    let after_ccs: Vec<_> = client_records
        .iter()
        .skip_while(|(ct, _)| *ct != 20)
        .skip(1)
        .copied()
        .collect();
    assert_limited(&after_ccs, 700, true, "client to a 700-byte server");
}

#[test]
fn no_limit_is_full_size_and_still_offers_record_size_limit() {
    let mut p = Pair::with_defaults();
    let hello = p.client.poll_transmit().to_vec();
    assert!(
        hello.windows(6).any(|w| w == [0, 28, 0, 2, 0x40, 0]),
        "record_size_limit 16384 in the ClientHello"
    );
    p.run_handshake("");
    let n = p.client.negotiated().unwrap();
    assert_eq!(
        (n.max_fragment_sent, n.max_fragment_received),
        (16384, 16384)
    );
    assert_eq!(n.fragment_limit_by, Some(ExtensionType::RECORD_SIZE_LIMIT));
}

/// A filter that rewrites the client's first flight with `f`.
fn on_client_hello(f: impl FnOnce(&mut ClientHello<'_>) -> Vec<u8> + 'static) -> Filter {
    let mut f = Some(f);
    Box::new(move |dir, bytes| {
        if dir != Dir::ToServer {
            return;
        }
        if let Some(f) = f.take() {
            rewrite_first_record(bytes, |msg| {
                let HandshakeMessage::ClientHello(mut ch) =
                    HandshakeMessage::decode(msg, None).unwrap()
                else {
                    panic!("not a ClientHello");
                };
                f(&mut ch)
            });
        }
    })
}

/// The ClientHello without its max_fragment_length and record_size_limit.
fn without_limits(ch: &mut ClientHello<'_>) -> Vec<u8> {
    let kept: Vec<ClientExtension<'_>> = ch
        .extensions
        .iter()
        .flatten()
        .filter(|e| {
            !matches!(
                e,
                ClientExtension::MaxFragmentLength(_) | ClientExtension::RecordSizeLimit(_)
            )
        })
        .collect();
    HandshakeMessage::ClientHello(ClientHello {
        extensions: Some(ClientExtensions::from_items(&kept)),
        ..*ch
    })
    .to_vec()
    .unwrap()
}

#[test]
fn a_server_that_ignores_the_request_gets_full_records_unless_a_limit_is_required() {
    // The server never sees the request (as with a server that knows neither
    // extension). By default the client goes on: it gets past the ServerHello and the
    // server's flight, and fails only at the Finished (the transcripts differ, as the
    // request was cut on the way).
    let c = client_builder().max_fragment_len(1024).build().unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.filter = Some(on_client_hello(without_limits));
    p.run();
    assert!(
        matches!(p.client_error, Some(Error::AlertReceived(_))),
        "{:?}",
        p.client_error
    );
    // Required: refused at the ServerHello with handshake_failure.
    let c = client_builder()
        .max_fragment_len(1024)
        .require_fragment_limit(true)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.filter = Some(on_client_hello(without_limits));
    p.run();
    assert_eq!(
        p.client_error,
        Some(Error::PeerIncompatible(
            PeerIncompatible::FragmentLimitRefused
        ))
    );
    assert_eq!(
        p.server_error,
        Some(Error::AlertReceived(A::HANDSHAKE_FAILURE))
    );
}

#[test]
fn illegal_requests_are_illegal_parameter() {
    // A max_fragment_length code other than 1 to 4 (RFC 6066 §4), a record_size_limit
    // below 64 (RFC 8449 §4).
    for (ext, body) in [(1u8, &[0u8][..]), (1, &[5]), (28, &[0, 63])] {
        let c = client_builder().build().unwrap();
        let mut p = Pair::new(c, server_builder().build().unwrap());
        let body = body.to_vec();
        p.filter = Some(on_client_hello(move |ch| {
            let mut v = without_limits(ch);
            // Append the extension: fix the extensions block's and the message's
            // lengths.
            v.extend_from_slice(&[0, ext, 0, body.len() as u8]);
            v.extend_from_slice(&body);
            let added = 4 + body.len();
            let body_len = u32::from_be_bytes([0, v[1], v[2], v[3]]) as usize + added;
            v[1..4].copy_from_slice(&(body_len as u32).to_be_bytes()[1..]);
            // The extensions block's length sits right before its first extension;
            // find it by walking the hello.
            let mut at = 4 + 2 + 32;
            at += 1 + v[at] as usize;
            at += 2 + u16::from_be_bytes([v[at], v[at + 1]]) as usize;
            at += 1 + v[at] as usize;
            let exts_len = u16::from_be_bytes([v[at], v[at + 1]]) as usize + added;
            v[at..at + 2].copy_from_slice(&(exts_len as u16).to_be_bytes());
            assert_eq!(at + 2 + exts_len, v.len());
            v
        }));
        p.run();
        let e = p.server_error.clone().unwrap();
        assert_eq!(e.alert(), Some(A::ILLEGAL_PARAMETER), "{ext} {e:?}");
    }
}

/// A filter that rewrites the server's ServerHello with `f`.
fn on_server_hello(f: impl FnOnce(&ServerHello<'_>) -> Vec<u8> + 'static) -> Filter {
    let mut f = Some(f);
    Box::new(move |dir, bytes| {
        if dir != Dir::ToClient {
            return;
        }
        if let Some(f) = f.take() {
            rewrite_first_record(bytes, |msg| {
                let HandshakeMessage::ServerHello(sh) =
                    HandshakeMessage::decode(msg, None).unwrap()
                else {
                    panic!("not a ServerHello");
                };
                f(&sh)
            });
        }
    })
}

fn server_hello_with(sh: &ServerHello<'_>, add: &[ServerExtension<'_>]) -> Vec<u8> {
    let mut exts: Vec<ServerExtension<'_>> = sh
        .extensions
        .iter()
        .flatten()
        .filter(|e| {
            !matches!(
                e,
                ServerExtension::MaxFragmentLength(_) | ServerExtension::RecordSizeLimit(_)
            )
        })
        .collect();
    exts.extend_from_slice(add);
    HandshakeMessage::ServerHello(ServerHello {
        extensions: Some(ServerExtensions::from_items(&exts)),
        ..*sh
    })
    .to_vec()
    .unwrap()
}

#[test]
fn a_wrong_answer_from_the_server_is_illegal_parameter() {
    use sanstls_wire::enums::MaxFragmentLength as M;
    let cases: [&[ServerExtension<'static>]; 2] = [
        // Another value than requested (RFC 6066 §4).
        &[ServerExtension::MaxFragmentLength(M::L2048)],
        // Both extensions (RFC 8449 §5).
        &[
            ServerExtension::MaxFragmentLength(M::L1024),
            ServerExtension::RecordSizeLimit(1024),
        ],
    ];
    for (i, add) in cases.iter().enumerate() {
        let c = client_builder().max_fragment_len(1024).build().unwrap();
        let mut p = Pair::new(c, server_builder().build().unwrap());
        let add = add.to_vec();
        p.filter = Some(on_server_hello(move |sh| server_hello_with(sh, &add)));
        p.run();
        assert_eq!(
            p.client_error,
            Some(Error::PeerMisbehaved(PeerMisbehaved::BadFragmentLimit)),
            "case {i}"
        );
    }
    // An answer to a request the client did not make.
    let mut p = Pair::with_defaults();
    p.filter = Some(on_server_hello(|sh| {
        server_hello_with(sh, &[ServerExtension::MaxFragmentLength(M::L512)])
    }));
    p.run();
    assert_eq!(
        p.client_error.unwrap().alert(),
        Some(A::UNSUPPORTED_EXTENSION)
    );
}

#[test]
fn a_record_over_the_negotiated_limit_is_record_overflow() {
    let log = Arc::new(pair::Collect::default());
    let c = client_builder()
        .max_fragment_len(512)
        .key_log(log.clone())
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.run_handshake("");
    // 512 bytes pass, 513 do not.
    let ok = forge(&p, &log, false, 1, ContentType::APPLICATION_DATA, &[7; 512]);
    p.client.handle_recv_bytes(&ok, p.now).unwrap();
    assert_eq!(p.client.app_data().len(), 512);
    p.client.consume(512).unwrap();
    let big = forge(&p, &log, false, 2, ContentType::APPLICATION_DATA, &[7; 513]);
    assert_eq!(
        p.client.handle_recv_bytes(&big, p.now),
        Err(Error::PeerMisbehaved(PeerMisbehaved::RecordOverflow))
    );
    assert_eq!(
        Error::PeerMisbehaved(PeerMisbehaved::RecordOverflow).alert(),
        Some(A::RECORD_OVERFLOW)
    );
}
