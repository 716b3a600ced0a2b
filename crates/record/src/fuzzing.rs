//! Entry points for the fuzz targets in `fuzz/` (not a stable API).

use sanstls_crypto::rng::SeededRng;
use sanstls_keys::{KeyBlock, MasterSecret, suite};

use alloc::boxed::Box;
use once_cell::race::OnceBox;
use sanstls_wire::enums::{CipherSuite, ContentType, ProtocolVersion};

use alloc::vec;
use alloc::vec::Vec;

use crate::{AeadAlgorithm, CbcMode, Deframer, MAX_RECORD_LEN, Opener, Sealer};

/// The CBC suites: one per MAC (SHA-1, SHA-256, SHA-384 with feature `sha384`).
const SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
    CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
    #[cfg(feature = "sha384")]
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
];
const MODES: [CbcMode; 2] = [CbcMode::MacThenEncrypt, CbcMode::EncryptThenMac];
const AEADS: [AeadAlgorithm; 5] = [
    AeadAlgorithm::Aes128Gcm,
    AeadAlgorithm::Aes256Gcm,
    AeadAlgorithm::ChaCha20Poly1305,
    AeadAlgorithm::Aes128Ccm,
    AeadAlgorithm::Aes128Ccm8,
];

/// Fixed keys for `alg`: key of 0x42, IV of 0x24.
fn aead_keys(alg: AeadAlgorithm) -> (Vec<u8>, Vec<u8>) {
    (vec![0x42; alg.key_len()], vec![0x24; alg.fixed_iv_len()])
}

/// The key block of each of [`SUITES`] (master secret of 0x42, randoms of 1 and 2),
/// derived once per process: the PRF would otherwise cost more than the rest of an
/// execution.
fn key_blocks() -> &'static [KeyBlock] {
    static BLOCKS: OnceBox<Vec<KeyBlock>> = OnceBox::new();
    BLOCKS.get_or_init(|| {
        Box::new(
            SUITES
                .iter()
                .map(|&id| {
                    let s = suite::lookup(id).expect("known suite");
                    MasterSecret::from_bytes(s.prf_hash, [0x42; 48])
                        .key_block(s, &[1; 32], &[2; 32])
                        .expect("the PRF of each suite here is built in")
                })
                .collect(),
        )
    })
}

/// NULL, each CBC configuration, and each AEAD built in.
fn openers() -> Vec<Opener> {
    let mk = |i: usize| {
        Opener::cbc(&key_blocks()[i / 2].client_write(), MODES[i % 2]).expect("table keys fit")
    };
    let mut all = vec![Opener::null()];
    all.extend((0..2 * SUITES.len()).map(mk));
    for alg in AEADS {
        let (key, iv) = aead_keys(alg);
        // An algorithm left out of the build is refused; skip it.
        if let Ok(o) = Opener::aead(alg, &key, &iv) {
            all.push(o);
        }
    }
    all
}

/// Feed `data` to a deframer in chunks whose sizes come from the first byte, and open
/// every record it yields with NULL, each CBC configuration and each AEAD. Must never
/// panic.
pub fn deframe(data: &[u8]) {
    let Some((&chunk, rest)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let mut deframer = Deframer::new(vec![0u8; MAX_RECORD_LEN]);
    let mut openers = openers();
    let mut copy = vec![0u8; MAX_RECORD_LEN];
    let mut input = rest;
    while !input.is_empty() {
        let n = deframer.push(&input[..chunk.min(input.len())]);
        input = &input[n..];
        loop {
            match deframer.next_record() {
                Ok(Some(rec)) => {
                    let len = rec.len();
                    assert!(len <= MAX_RECORD_LEN);
                    for o in &mut openers {
                        copy[..len].copy_from_slice(rec);
                        let _ = o.open_in_place(&mut copy[..len]);
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        if n == 0 {
            return;
        }
    }
}

/// Open `data` as one record under each configuration (must not panic, and a NULL
/// opener must return the fragment unchanged), then seal `data` as a payload and check
/// that it opens to the same bytes.
pub fn open(data: &[u8]) {
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    for mut o in openers() {
        let len = data.len().min(MAX_RECORD_LEN);
        buf[..len].copy_from_slice(&data[..len]);
        let _ = o.open_in_place(&mut buf[..len]);
    }
    let payload = &data[..data.len().min(1 << 14)];
    for i in 0..2 * SUITES.len() {
        let keys = &key_blocks()[i / 2];
        let mode = MODES[i % 2];
        let mut rng = SeededRng::from_seed([3; 32]);
        let mut sealer = Sealer::cbc(&keys.server_write(), mode, &mut rng).expect("keys fit");
        let mut opener = Opener::cbc(&keys.server_write(), mode).expect("keys fit");
        round_trip(&mut sealer, &mut opener, payload, &mut buf);
    }
    for alg in AEADS {
        let (key, iv) = aead_keys(alg);
        let (Ok(mut sealer), Ok(mut opener)) =
            (Sealer::aead(alg, &key, &iv), Opener::aead(alg, &key, &iv))
        else {
            continue;
        };
        round_trip(&mut sealer, &mut opener, payload, &mut buf);
    }
}

/// Seals `payload` with `sealer` into `buf` and checks that `opener` gives it back.
fn round_trip(sealer: &mut Sealer, opener: &mut Opener, payload: &[u8], buf: &mut [u8]) {
    let n = sealer
        .seal(
            ContentType::APPLICATION_DATA,
            ProtocolVersion::TLS12,
            payload,
            buf,
        )
        .expect("a 2^14 payload fits the buffer");
    let opened = opener
        .open_in_place(&mut buf[..n])
        .expect("own records open");
    assert_eq!(opened.payload, payload);
}
