//! What the record tests share: sealing and opening one record, and an AEAD sealer and
//! opener under the same test key.

// (Each test file uses some of these.)
#![allow(dead_code)]

use sanstls_record::{AeadAlgorithm, Error, Opener, Sealer};
use sanstls_wire::enums::{ContentType, ProtocolVersion};

/// A sealer and an opener of `alg` under a key of `seed` bytes and an IV derived from it.
pub(crate) fn aead_pair(alg: AeadAlgorithm, seed: u8) -> (Sealer, Opener) {
    let key = vec![seed; alg.key_len()];
    let iv: Vec<u8> = (0..alg.fixed_iv_len()).map(|i| seed ^ i as u8).collect();
    (
        Sealer::aead(alg, &key, &iv).unwrap(),
        Opener::aead(alg, &key, &iv).unwrap(),
    )
}

/// One TLS 1.2 record of `payload`, sealed whole.
pub(crate) fn seal(sealer: &mut Sealer, ct: ContentType, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; sealer.sealed_len(payload.len())];
    let n = sealer
        .seal(ct, ProtocolVersion::TLS12, payload, &mut buf)
        .unwrap();
    assert_eq!(n, buf.len());
    buf
}

/// Opens `record` in place: its type and payload.
pub(crate) fn open(
    opener: &mut Opener,
    record: &mut [u8],
) -> Result<(ContentType, Vec<u8>), Error> {
    opener
        .open_in_place(record)
        .map(|o| (o.content_type, o.payload.to_vec()))
}
