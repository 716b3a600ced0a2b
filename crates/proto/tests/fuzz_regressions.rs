//! Inputs of the `proto_pair` fuzz target (`fuzzing::pair`) that showed a library
//! bug, replayed. Each test names the input's bytes (as the target parses them) and
//! what went wrong.
#![cfg(feature = "fuzzing")]

use sanstls_proto::fuzzing::pair::{Close, Input, run_input};

/// The records of a side's output: (content type, payload length, offset).
fn records(output: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut at = 0;
    let mut out = Vec::new();
    while at + 5 <= output.len() {
        let len = usize::from(u16::from_be_bytes([output[at + 3], output[at + 4]]));
        out.push((output[at], len, at));
        at += 5 + len;
    }
    out
}

/// Whether `output` has a record after its first close_notify (a plaintext alert
/// `[1, 0]`, as it is when sent before the handshake).
fn sends_after_close_notify(output: &[u8]) -> bool {
    let recs = records(output);
    let close = recs
        .iter()
        .position(|&(typ, len, at)| typ == 21 && len == 2 && output[at + 5..at + 7] == [1, 0]);
    close.is_some_and(|i| i + 1 < recs.len())
}

/// `fuzz/seeds/proto_pair/early_close_client`: the client closes at once (close_notify
/// before its handshake), over a clean channel. RFC 5246 §7.2.1: close_notify "notifies
/// the recipient that the sender will not send any more messages on this connection".
/// The client went on with its handshake all the same: ClientKeyExchange,
/// ChangeCipherSpec and Finished followed its close_notify. (The server ignored them,
/// having failed on the close_notify, so nothing worse happened.) The server did the
/// same when it was the one closing: its whole first flight followed its close_notify.
/// Fixed: nothing is written after close_notify (`Core::write_record`).
#[test]
fn nothing_is_sent_after_close_notify() {
    // Variant 2, the client closes early (Close::Early), the server never; clean.
    let input = Input::parse(include_bytes!(
        "../../../fuzz/seeds/proto_pair/early_close_client"
    ))
    .unwrap();
    assert_eq!(input.first.client.close, Close::Early);
    let r = run_input(&input).unwrap();
    assert!(
        !sends_after_close_notify(&r[0].client_output),
        "the client sent records after its close_notify: {:?}",
        records(&r[0].client_output)
    );
    // The same with the server closing at once.
    let mut input = input;
    input.first.client.close = Close::Never;
    input.first.server.close = Close::Early;
    let r = run_input(&input).unwrap();
    assert!(
        !sends_after_close_notify(&r[0].server_output),
        "the server sent records after its close_notify: {:?}",
        records(&r[0].server_output)
    );
}
