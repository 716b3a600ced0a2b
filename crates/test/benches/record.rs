//! `cargo xtask bench record`: sanstls-record beside OpenSSL, and the Lucky Thirteen
//! timing check of sanstls's MAC-then-encrypt open.
//!
//! # Throughput
//!
//! 16 KiB application-data records, AES-128-CBC-SHA, AES-128-CBC-SHA256, AES-256-CBC-SHA
//! and AES-256-CBC-SHA384, in MAC-then-encrypt and encrypt-then-MAC mode; AES-128-GCM and
//! ChaCha20-Poly1305 when sanstls-record is built with its `aes-gcm` and `chacha20poly1305`
//! features (rows are skipped otherwise). The OpenSSL side is real libssl: a client and a
//! server `SslStream` (TLS 1.2, the same suite, encrypt-then-MAC switched off with
//! `SSL_OP_NO_ENCRYPT_THEN_MAC` for the MtE rows) over an in-memory pipe, so it uses
//! whatever record code libssl picks, including its stitched AES-CBC-HMAC ciphers (for
//! MtE with SHA-1/SHA-256 MACs on x86-64 with AES-NI).
//!
//! - "seal": sanstls copies the payload into the record buffer and seals it in place;
//!   OpenSSL `SSL_write`s it (libssl copies it into its write buffer and seals it there)
//!   into a sink that drops the record. Until 2026-12-04 the record went into the pipe
//!   and was drained into a fresh `Vec` per record, which cut libssl's measured rate by
//!   half or more (`SANSTLS_BENCH_PIPE_DIAG=1` adds a row per seal row: libssl through
//!   the sink / libssl through that drain), and made the seal ratios look 2x better
//!   than they are.
//! - "open": only the open is timed (`Instant` around it). sanstls reopens one sealed
//!   record, copied back and its sequence number reset outside the timed part; OpenSSL's
//!   client writes a fresh record (untimed) and the server's `SSL_read` of it is timed,
//!   which includes libssl's copies from the in-memory BIO and into the read buffer.
//!
//! Before measuring, a record written by OpenSSL is opened by sanstls with keys from
//! OpenSSL's master secret, which confirms the mode and suite of each row.
//!
//! The table (`sanstls_test::bench::Table::with_ratio_range`) prints, per row, the median
//! rates of both sides over the alternating rounds, their ratio sanstls / OpenSSL, and the
//! lowest and highest ratio of one round pair: a wide min..max means the machine was
//! busy during that row. `SANSTLS_BENCH_ROUNDS` (default 7) and `SANSTLS_BENCH_ROUND_MS`
//! (default 300) set the rounds.
//!
//! Arguments select rows: each must be a substring of the row's suite name, its mode
//! (`MtE`, `EtM`, `AEAD`) or its kind (`seal`, `open`), or be `lucky13`; the Lucky
//! Thirteen tables run only with no argument or `lucky13`. E.g.
//! `cargo bench -p sanstls-test --bench record -- seal MtE`.
//!
//! # Lucky Thirteen
//!
//! Median time to open (and reject) MAC-then-encrypt records of one length that differ
//! only in padding length, padding validity and MAC validity. All should be equal within
//! noise.

// Rates are floating point by nature.
#![allow(clippy::cast_precision_loss)]

use std::cell::Cell;
use std::hint::black_box;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use openssl::pkey::PKey;
use openssl::ssl::{
    HandshakeError, MidHandshakeSslStream, Ssl, SslContext, SslMethod, SslOptions, SslStream,
    SslVersion,
};
use openssl::x509::X509;

use sanstls_crypto::cipher::AesCbcKey;
use sanstls_crypto::hmac::hmac;
use sanstls_crypto::rng::{SeededRng, os_rng};
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_keys::{KeyBlock, MasterSecret};
use sanstls_record::{CbcMode, MAX_RECORD_LEN, Opener, Sealer};
use sanstls_test::bench::{Table, Unit};
use sanstls_test::fixtures;
use sanstls_test::pipe::{PipeEnd, pipe};
use sanstls_wire::enums::{CipherSuite, ContentType, ProtocolVersion};

const RECORD: usize = 16 * 1024;
/// Lucky Thirteen timing: rounds per case and opens per round.
const ROUNDS: usize = 41;
const OPS: usize = 500;

/// An OpenSSL end's transport: the in-memory pipe, or, while `discard` is set, a sink that
/// drops what libssl writes. The seal rows write through the sink: sanstls's seal leaves
/// the record in its buffer, libssl's leaves it in its write buffer and hands it to the
/// BIO, and neither side pays for moving the record anywhere after that (the pipe's
/// drain into a fresh `Vec` per record cost libssl's side about a third of its rate and
/// moved with the allocator's state).
#[derive(Clone, Debug)]
struct Tap {
    end: PipeEnd,
    discard: Rc<Cell<bool>>,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.end.read(buf)
    }
}

impl Write for Tap {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.discard.get() {
            Ok(buf.len())
        } else {
            self.end.write(buf)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Drive a handshake step; `Ok(Some)` when done, `Ok(None)` when it wants more input.
fn step(
    r: Result<SslStream<Tap>, HandshakeError<Tap>>,
) -> Result<SslStream<Tap>, MidHandshakeSslStream<Tap>> {
    match r {
        Ok(s) => Ok(s),
        Err(HandshakeError::WouldBlock(m)) => Err(m),
        Err(e) => panic!("OpenSSL handshake failed: {e}"),
    }
}

/// A connected OpenSSL client and server over an in-memory pipe.
fn openssl_pair(cipher: &str, etm: bool) -> (SslStream<Tap>, SslStream<Tap>) {
    let cert = X509::from_pem(fixtures::read("server-rsa2048.cert.pem").as_bytes()).unwrap();
    let key =
        PKey::private_key_from_pem(fixtures::read("server-rsa2048.rsa.pem").as_bytes()).unwrap();
    // SSL_OP_NO_ENCRYPT_THEN_MAC (OpenSSL 3.0 ssl.h); the `openssl` crate has no name for it.
    let no_etm = SslOptions::from_bits_retain(1 << 19);
    let ctx = |server: bool| {
        let mut b = SslContext::builder(SslMethod::tls()).unwrap();
        b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        b.set_cipher_list(cipher).unwrap();
        if !etm {
            b.set_options(no_etm);
        }
        if server {
            b.set_certificate(&cert).unwrap();
            b.set_private_key(&key).unwrap();
        }
        b.build()
    };
    let (cp, sp) = pipe(0);
    let tap = |end| Tap {
        end,
        discard: Rc::new(Cell::new(false)),
    };
    let (cp, sp) = (tap(cp), tap(sp));
    let mut client = step(Ssl::new(&ctx(false)).unwrap().connect(cp));
    let mut server = step(Ssl::new(&ctx(true)).unwrap().accept(sp));
    for _ in 0..20 {
        client = client.or_else(|m| step(m.handshake()));
        server = server.or_else(|m| step(m.handshake()));
        if client.is_ok() && server.is_ok() {
            break;
        }
    }
    let (Ok(c), Ok(s)) = (client, server) else {
        panic!("OpenSSL handshake did not finish")
    };
    (c, s)
}

/// The key block OpenSSL negotiated, computed by sanstls-keys.
#[allow(clippy::trivially_copy_pass_by_ref)] // the key schedule keeps `&'static` rows
fn openssl_keys(c: &SslStream<Tap>, suite: &'static SuiteInfo) -> KeyBlock {
    let ssl = c.ssl();
    let (mut cr, mut sr, mut ms) = ([0u8; 32], [0u8; 32], [0u8; 48]);
    ssl.client_random(&mut cr);
    ssl.server_random(&mut sr);
    assert_eq!(ssl.session().unwrap().master_key(&mut ms), 48);
    MasterSecret::from_bytes(suite.prf_hash, ms)
        .key_block(suite, &cr, &sr)
        .expect("key block")
}

/// The seal and open rows of one suite: CBC in `mode`, or its AEAD (`mode` unused).
fn throughput(
    table: &mut Table,
    cipher: &str,
    cs: CipherSuite,
    mode: CbcMode,
    seal: bool,
    open: bool,
) {
    if !seal && !open {
        return;
    }
    let suite = suite::lookup(cs).unwrap();
    let etm = !suite.is_aead() && mode == CbcMode::EncryptThenMac;
    let name = if suite.is_aead() {
        cipher.to_string()
    } else {
        format!("{cipher} {}", if etm { "EtM" } else { "MtE" })
    };
    let payload = vec![0x5au8; RECORD];

    // OpenSSL pair, and a check that sanstls opens its record in this mode.
    let (mut oc, _) = openssl_pair(cipher, etm);
    let kb = openssl_keys(&oc, suite);
    oc.ssl_write(&payload).unwrap();
    let mut wire: Vec<u8> = oc.get_ref().end.take_outgoing();
    let Ok(mut check) = Opener::for_suite(&kb.client_write(), mode) else {
        println!("| {name}: left out of this build of sanstls-record |");
        return;
    };
    check.set_sequence_number(1); // the client's Finished was record 0
    let opened = check
        .open_in_place(&mut wire)
        .unwrap_or_else(|e| panic!("{name}: sanstls cannot open OpenSSL's record: {e}"));
    assert_eq!(opened.payload, &payload[..]);

    // sanstls over the same suite.
    let ms = MasterSecret::from_bytes(suite.prf_hash, [7; 48]);
    let keys = ms.key_block(suite, &[1; 32], &[2; 32]).expect("key block");
    let mut rng = os_rng();
    let mut sealer = Sealer::for_suite(&keys.client_write(), mode, &mut rng).unwrap();
    let mut opener = Opener::for_suite(&keys.client_write(), mode).unwrap();
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    let at = sealer.payload_offset();

    if seal {
        oc.get_ref().discard.set(true);
        table.compare(
            &format!("seal 16 KiB, {name}"),
            Unit::Bytes(RECORD),
            || {
                buf[at..at + RECORD].copy_from_slice(&payload);
                sealer
                    .seal_in_place(
                        ContentType::APPLICATION_DATA,
                        ProtocolVersion::TLS12,
                        &mut buf,
                        RECORD,
                    )
                    .unwrap()
            },
            || oc.ssl_write(&payload).unwrap(),
        );
        oc.get_ref().discard.set(false);
        if std::env::var_os("SANSTLS_BENCH_PIPE_DIAG").is_some() {
            // Diagnostic: libssl's seal through the sink vs through the pipe with the old
            // per-record drain into a fresh Vec (see the module docs).
            let (mut a, _) = openssl_pair(cipher, etm);
            let (mut b, _) = openssl_pair(cipher, etm);
            a.get_ref().discard.set(true);
            table.compare(
                &format!("DIAG libssl sink/drain, {name}"),
                Unit::Bytes(RECORD),
                || a.ssl_write(&payload).unwrap(),
                || {
                    let n = b.ssl_write(&payload).unwrap();
                    b.get_ref().end.take_outgoing();
                    n
                },
            );
        }
    }

    if !open {
        return;
    }
    // Open: only the open itself is timed (`compare_open`).
    let mut sealer = Sealer::for_suite(&keys.client_write(), mode, &mut rng).unwrap();
    compare_open(
        table,
        &format!("open 16 KiB, {name}"),
        &mut sealer,
        &mut opener,
        &payload,
        cipher,
        etm,
    );
}

/// The open row of `label`: sanstls reopens one record `sealer` sealed (copied back and
/// its sequence number reset, untimed) with `opener`; OpenSSL's client writes a fresh
/// record of `cipher` (untimed) and the server's SSL_read of it is timed.
fn compare_open(
    table: &mut Table,
    label: &str,
    sealer: &mut Sealer,
    opener: &mut Opener,
    payload: &[u8],
    cipher: &str,
    etm: bool,
) {
    let sealed = {
        let mut b = vec![0u8; MAX_RECORD_LEN];
        let n = sealer
            .seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                payload,
                &mut b,
            )
            .unwrap();
        b.truncate(n);
        b
    };
    let mut work = sealed.clone();
    let (mut oc, mut os) = openssl_pair(cipher, etm);
    let mut read_buf = vec![0u8; RECORD];
    timed_compare(
        table,
        label,
        || {
            work.copy_from_slice(&sealed);
            opener.set_sequence_number(0);
            let t = Instant::now();
            let n = opener.open_in_place(&mut work).unwrap().payload.len();
            let el = t.elapsed();
            assert_eq!(black_box(n), RECORD);
            el
        },
        || {
            oc.ssl_write(payload).unwrap();
            let t = Instant::now();
            let mut got = 0;
            while got < RECORD {
                got += os.ssl_read(&mut read_buf[got..]).unwrap();
            }
            let el = t.elapsed();
            assert_eq!(black_box(got), RECORD);
            el
        },
    );
}

/// Like `Table::compare`, but each call times its own critical section and returns it:
/// the table's alternating rounds, each of about one round's length of timed work; median
/// rates, one row.
fn timed_compare(
    table: &mut Table,
    label: &str,
    mut ours: impl FnMut() -> Duration,
    mut theirs: impl FnMut() -> Duration,
) {
    let (rounds, round) = table.rounds();
    let run = |f: &mut dyn FnMut() -> Duration| {
        let (mut ops, mut timed) = (0u64, Duration::ZERO);
        while timed < round {
            timed += f();
            ops += 1;
        }
        ops as f64 / timed.as_secs_f64()
    };
    let (mut rs, mut ro) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        rs.push(run(&mut ours));
        ro.push(run(&mut theirs));
    }
    table.row_from_rates(label, Unit::Bytes(RECORD), rs, ro);
}

/// A MAC-then-encrypt record of `len` plaintext bytes (content + MAC + padding) whose
/// padding claims `pad`; `break_padding` corrupts one padding byte, `break_mac` the MAC.
fn crafted_record(
    keys: &KeyBlock,
    len: usize,
    pad: usize,
    break_padding: bool,
    break_mac: bool,
) -> Vec<u8> {
    let k = keys.client_write();
    let mac_len = k.suite.mac.mac_len();
    let content_len = len - mac_len - pad - 1;
    let content = vec![0x41u8; content_len];
    let mut mac_in = vec![0u8; 8];
    mac_in.extend_from_slice(&[23, 3, 3]);
    mac_in.extend_from_slice(&(content_len as u16).to_be_bytes());
    mac_in.extend_from_slice(&content);
    let mut body = content;
    body.extend_from_slice(
        hmac(k.suite.mac.hash().expect("a CBC suite"), k.mac_key, &mac_in)
            .expect("HMAC")
            .as_slice(),
    );
    if break_mac {
        body[content_len] ^= 1;
    }
    body.extend(std::iter::repeat_n(pad as u8, pad + 1));
    if break_padding {
        let at = body.len() - 1 - pad; // the first padding byte
        body[at] ^= 0x80;
    }
    let iv = [0x24u8; 16];
    AesCbcKey::new(k.enc_key)
        .unwrap()
        .encrypt_in_place(&iv, &mut body)
        .unwrap();
    let mut rec = vec![23, 3, 3];
    rec.extend_from_slice(&((16 + body.len()) as u16).to_be_bytes());
    rec.extend_from_slice(&iv);
    rec.extend_from_slice(&body);
    rec
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn lucky13(cs: CipherSuite, len: usize) {
    let suite = suite::lookup(cs).unwrap();
    let keys = MasterSecret::from_bytes(suite.prf_hash, [3; 48])
        .key_block(suite, &[1; 32], &[2; 32])
        .expect("key block");
    let mac_len = suite.mac.mac_len();
    // The content length is chosen per case so that every record has `len` bytes of
    // plaintext (content + MAC + padding) and the same wire length.
    let mut cases: Vec<(String, Vec<u8>, bool)> = Vec::new();
    for pad in [0usize, 1, 15, 16, 64, 128, 255] {
        if pad + 1 + mac_len > len {
            continue;
        }
        cases.push((
            format!("valid, padding {pad}"),
            crafted_record(&keys, len, pad, false, false),
            true,
        ));
        if pad == 0 {
            // The same record again: its difference from the first row is the noise floor.
            cases.push((
                "valid, padding 0 (same record again)".into(),
                crafted_record(&keys, len, pad, false, false),
                true,
            ));
        }
        if pad > 0 {
            cases.push((
                format!("bad padding, length {pad}"),
                crafted_record(&keys, len, pad, true, false),
                false,
            ));
        }
    }
    cases.push((
        "bad MAC, padding 0".into(),
        crafted_record(&keys, len, 0, false, true),
        false,
    ));
    if 255 + 1 + mac_len <= len {
        cases.push((
            "bad MAC, padding 255".into(),
            crafted_record(&keys, len, 255, false, true),
            false,
        ));
    }
    // A padding_length byte larger than the record can hold beside the MAC.
    if len < 256 + mac_len {
        let mut r = crafted_record(&keys, len, 0, false, false);
        let aes = AesCbcKey::new(keys.client_write().enc_key).unwrap();
        let iv: [u8; 16] = r[5..21].try_into().unwrap();
        aes.decrypt_in_place(&iv, &mut r[21..]).unwrap();
        let last = r.len() - 1;
        r[last] = 255;
        aes.encrypt_in_place(&iv, &mut r[21..]).unwrap();
        cases.push((
            "padding length 255, too long for the record".into(),
            r,
            false,
        ));
    }

    let mut opener = Opener::cbc(&keys.client_write(), CbcMode::MacThenEncrypt).unwrap();
    let mut work = vec![0u8; len + 21];
    // Sanity: valid cases open, others fail with bad_record_mac.
    for (name, rec, ok) in &cases {
        work.copy_from_slice(rec);
        opener.set_sequence_number(0);
        let r = opener.open_in_place(&mut work);
        assert_eq!(r.is_ok(), *ok, "{name}: {:?}", r.err());
        if !ok {
            assert_eq!(r.unwrap_err(), sanstls_record::Error::BadRecordMac);
        }
    }

    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    // The order of the cases changes every round (a fixed rotation and stride), so that
    // no case always runs first or right after the same neighbour.
    let mut order: Vec<usize> = (0..cases.len()).collect();
    for round in 0..ROUNDS {
        order.rotate_left(1);
        if round % 2 == 1 {
            order.reverse();
        }
        for &i in &order {
            let rec = &cases[i].1;
            let t = Instant::now();
            for _ in 0..OPS {
                work.copy_from_slice(rec);
                opener.set_sequence_number(0);
                black_box(opener.open_in_place(black_box(&mut work)).is_ok());
            }
            samples[i].push(t.elapsed().as_nanos() as f64 / OPS as f64);
        }
    }
    // The median, and the 10th percentile: on a shared machine, bursts of outside load
    // can cover many rounds, and the low percentile is what the code itself costs.
    let p10s: Vec<f64> = samples.iter().map(|v| percentile(v.clone(), 10)).collect();
    let medians: Vec<f64> = samples.into_iter().map(median).collect();
    println!(
        "\n### {:?}, {len}-byte plaintext ({} bytes on the wire)\n",
        cs,
        len + 21
    );
    println!(
        "| {:<44} | {:>10} | {:>8} | {:>10} | {:>8} |",
        "record", "median ns", "vs first", "p10 ns", "vs first"
    );
    println!(
        "|{:-<46}|{:->12}|{:->10}|{:->12}|{:->10}|",
        "", "", "", "", ""
    );
    for (((name, _, _), m), p) in cases.iter().zip(&medians).zip(&p10s) {
        println!(
            "| {name:<44} | {m:>10.0} | {:>+7.1}% | {p:>10.0} | {:>+7.1}% |",
            (m / medians[0] - 1.0) * 100.0,
            (p / p10s[0] - 1.0) * 100.0
        );
    }
    let spread = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &m| (l.min(m), h.max(m)));
        (hi / lo - 1.0) * 100.0
    };
    println!(
        "\nspread (max - min) / min: medians {:.1}%, p10 {:.1}%",
        spread(&medians),
        spread(&p10s)
    );
}

fn percentile(mut v: Vec<f64>, pct: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v[(v.len() - 1) * pct / 100]
}

fn main() {
    // `cargo bench` passes `--bench`; other arguments select rows by substring of the
    // suite name (`AES128-SHA256`), of `seal`/`open` (the throughput rows of that kind),
    // of `MtE`/`EtM`, or `lucky13` (the timing tables). With none, everything runs.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |names: &[&str]| {
        filter.is_empty()
            || filter
                .iter()
                .all(|f| names.iter().any(|n| n.contains(f.as_str())))
    };
    println!("OpenSSL: {}", openssl::version::version());
    let _ = SeededRng::from_seed([0; 32]);
    let mut table =
        Table::with_ratio_range("sanstls-record vs OpenSSL (libssl over an in-memory pipe)");
    let kinds = |w: &dyn Fn(&[&str]) -> bool, cipher: &str, mode: &str| {
        (w(&[cipher, mode, "seal"]), w(&[cipher, mode, "open"]))
    };
    for (cipher, cs) in [
        ("AES128-SHA", CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
        (
            "AES128-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        ),
        ("AES256-SHA", CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA),
        (
            "ECDHE-RSA-AES256-SHA384",
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        ),
    ] {
        for (mode, m) in [
            (CbcMode::MacThenEncrypt, "MtE"),
            (CbcMode::EncryptThenMac, "EtM"),
        ] {
            let (seal, open) = kinds(&want, &format!("{cipher} "), m);
            throughput(&mut table, cipher, cs, mode, seal, open);
        }
    }
    for (cipher, cs) in [
        (
            "AES128-GCM-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            "ECDHE-RSA-CHACHA20-POLY1305",
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ),
    ] {
        let (seal, open) = kinds(&want, &format!("{cipher} "), "AEAD");
        throughput(&mut table, cipher, cs, CbcMode::MacThenEncrypt, seal, open);
    }

    if !want(&["lucky13"]) {
        return;
    }
    println!("\n## Lucky Thirteen: sanstls MAC-then-encrypt open, one record length\n");
    println!(
        "median of {ROUNDS} rounds x {OPS} opens per case, cases interleaved in a changing order"
    );
    for cs in [
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
    ] {
        for len in [64, 288, 1024] {
            lucky13(cs, len);
        }
    }
}
