//! Seeds for the `proto_pair` fuzz target (`fuzz/seeds/proto_pair/`): inputs made with
//! `fuzzing::pair::Input::to_bytes`, which writes the bytes the target's `arbitrary`
//! parse reads back.
//!
//! A clean channel for every configuration (two connections, the second resuming the
//! first where the configuration has the extended master secret), a fragmented one, and
//! channels that change a byte, drop bytes, end the transport, and a side that closes
//! before its handshake.
//!
//! `pair_seeds_match` checks that the committed seeds equal freshly made ones;
//! `SANSTLS_BLESS_SEEDS=1 cargo test -p sanstls-proto --all-features --test
//! fuzz_pair_seeds` rewrites them. `pair_seeds_replay` checks that each parses back to
//! its input and what it does: the clean ones drive both sides through the handshake,
//! all the application data and the close.
#![cfg(feature = "fuzzing")]

use std::path::{Path, PathBuf};

use sanstls_proto::Error;
use sanstls_proto::fuzzing::pair::{
    Close, Exchange, ExchangeReport, Input, Op, Plan, VARIANTS, run_input,
};

fn plan(writes: &[u16], close: Close) -> Plan {
    Plan {
        writes: writes.to_vec(),
        close,
    }
}

/// Both sides write and the client closes; the channel delivers everything at once.
fn exchange() -> Exchange {
    Exchange {
        client: plan(&[17, 300], Close::AfterWrites(2)),
        server: plan(&[999, 40], Close::Never),
        to_server: vec![],
        to_client: vec![],
    }
}

fn clean(variant: usize) -> Input {
    Input {
        variant: variant as u8,
        first: exchange(),
        second: Some(exchange()),
    }
}

/// The record starts of `output` (a side's output: whole records).
fn records(output: &[u8]) -> Vec<usize> {
    let mut at = 0;
    let mut starts = Vec::new();
    while at + 5 <= output.len() {
        starts.push(at);
        at += 5 + usize::from(u16::from_be_bytes([output[at + 3], output[at + 4]]));
    }
    starts
}

/// The offset of the record after the first ChangeCipherSpec of `output`: the Finished.
fn finished(output: &[u8]) -> usize {
    let starts = records(output);
    let ccs = starts.iter().position(|&s| output[s] == 20).unwrap();
    starts[ccs + 1]
}

/// The first connection of `input` over a clean channel.
fn clean_run(input: &Input) -> ExchangeReport {
    let mut input = input.clone();
    input.first.to_server.clear();
    input.first.to_client.clear();
    run_input(&input).unwrap().remove(0)
}

/// What a seed should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Both sides complete, all data arrives, the close is seen (both connections).
    Clean,
    /// Both sides fail with matching alerts, nothing delivered, in the first connection.
    MatchingAlerts,
    /// Both fail with PeerClosedDuringHandshake { clean: true }.
    EarlyClose,
    /// The server sees the end of the transport during its handshake (no alert); the
    /// client, whose second flight is lost, waits.
    Truncated,
}

fn seeds() -> Vec<(String, Input, Expect)> {
    let mut out = Vec::new();
    for (i, v) in VARIANTS.iter().enumerate() {
        out.push((format!("clean_{}", v.name), clean(i), Expect::Clean));
    }
    // Fragmented: every record boundary, and bytes one by one, in both directions.
    let mut frag = clean(3);
    let small: Vec<Op> = [0u16, 0, 2, 6, 0, 40, 3, 200, 0, 1, 700, 4, 0, 2000]
        .iter()
        .map(|&n| Op::Deliver(n))
        .collect();
    frag.first.to_server.clone_from(&small);
    frag.first.to_client = small.iter().rev().copied().collect();
    frag.second.as_mut().unwrap().to_client = small;
    out.push(("fragmented_dhe_rsa".into(), frag, Expect::Clean));
    // A changed byte: the last byte of the server's Finished.
    let mut corrupt = clean(5);
    corrupt.second = None;
    let out0 = clean_run(&corrupt).server_output;
    let at = finished(&out0);
    let end = at + 5 + usize::from(u16::from_be_bytes([out0[at + 3], out0[at + 4]]));
    corrupt.first.to_client = vec![Op::Deliver((end - 2) as u16), Op::Xor(0x40)];
    out.push((
        "corrupt_server_finished".into(),
        corrupt,
        Expect::MatchingAlerts,
    ));
    // A changed byte in the client's Finished (an AEAD suite).
    let mut corrupt = clean(1);
    corrupt.second = None;
    let out0 = clean_run(&corrupt).client_output;
    let at = finished(&out0);
    corrupt.first.to_server = vec![Op::Deliver((at + 8) as u16), Op::Xor(0x01)];
    out.push((
        "corrupt_client_finished".into(),
        corrupt,
        Expect::MatchingAlerts,
    ));
    // Dropped bytes: three bytes of the server's first handshake record.
    let mut drop = clean(0);
    drop.second = None;
    drop.first.to_client = vec![Op::Deliver(49), Op::Drop(2)];
    out.push(("drop_server_hello".into(), drop, Expect::MatchingAlerts));
    // The transport to the server ends after the ClientHello.
    let mut eof = clean(4);
    eof.second = None;
    let out0 = clean_run(&eof).client_output;
    let second_flight = records(&out0)[1];
    eof.first.to_server = vec![Op::Deliver((second_flight - 1) as u16), Op::Eof];
    out.push(("eof_after_client_hello".into(), eof, Expect::Truncated));
    // The client closes before its handshake.
    let mut early = clean(2);
    early.second = None;
    early.first.client.close = Close::Early;
    out.push(("early_close_client".into(), early, Expect::EarlyClose));
    out
}

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/proto_pair")
}

#[test]
fn pair_seeds_match() {
    let bless = std::env::var_os("SANSTLS_BLESS_SEEDS").is_some();
    let dir = seed_dir();
    for (name, input, _) in seeds() {
        let p = dir.join(&name);
        let data = input.to_bytes();
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&p, &data).unwrap();
        }
        let on_disk = std::fs::read(&p)
            .unwrap_or_else(|e| panic!("{}: {e} (run with SANSTLS_BLESS_SEEDS=1)", p.display()));
        assert_eq!(on_disk, data, "{} is stale", p.display());
    }
}

#[test]
fn pair_seeds_replay() {
    for (name, input, expect) in seeds() {
        let data = input.to_bytes();
        assert_eq!(Input::parse(&data).as_ref(), Some(&input), "{name}: parse");
        let reports = run_input(&input).unwrap();
        let r = &reports[0];
        match expect {
            Expect::Clean => {
                assert_eq!(reports.len(), 2, "{name}");
                let v = VARIANTS[usize::from(input.variant) % VARIANTS.len()];
                for (k, r) in reports.iter().enumerate() {
                    assert!(r.clean, "{name}");
                    for side in [&r.client, &r.server] {
                        assert!(side.completed && side.error.is_none(), "{name}: {side:?}");
                        assert_eq!(side.sent, side.planned, "{name}");
                        assert_eq!(side.peer_closed, Some(true), "{name}");
                        assert_eq!(side.resumed, Some(k == 1 && v.ems), "{name}");
                    }
                    assert_eq!(r.client.received, r.server.planned, "{name}");
                    assert_eq!(r.server.received, r.client.planned, "{name}");
                    assert!(r.client.closed, "{name}");
                }
            }
            Expect::MatchingAlerts => {
                assert!(!r.clean, "{name}");
                let (local, remote) = match (&r.client.error, &r.server.error) {
                    (Some(Error::AlertReceived(a)), Some(e))
                    | (Some(e), Some(Error::AlertReceived(a))) => (e, *a),
                    other => panic!("{name}: {other:?}"),
                };
                assert_eq!(local.alert(), Some(remote), "{name}");
                assert!(!r.client.completed || !r.server.completed, "{name}");
                assert_eq!((r.client.received, r.server.received), (0, 0), "{name}");
            }
            Expect::EarlyClose => {
                for side in [&r.client, &r.server] {
                    assert!(!side.completed, "{name}");
                    assert_eq!(
                        side.error,
                        Some(Error::PeerClosedDuringHandshake { clean: true }),
                        "{name}"
                    );
                }
            }
            Expect::Truncated => {
                assert!(!r.clean, "{name}");
                assert_eq!(
                    r.server.error,
                    Some(Error::PeerClosedDuringHandshake { clean: false }),
                    "{name}"
                );
                assert!(!r.client.completed, "{name}");
            }
        }
    }
}
