//! AES-256-CBC with HMAC-SHA384 (the `_CBC_SHA384` suites of RFC 5289 §3.1), in
//! MAC-then-encrypt and encrypt-then-MAC mode: round trips, records built by hand from
//! sanstls-crypto's AES-CBC and HMAC, and tampered MACs and padding. Without the `sha384`
//! feature the suite is refused.
//!
//! 0xc024 and 0xc028 are not in `sanstls_keys::suite::SUITES` yet, so the rows are
//! built here; both protect records identically.

// Suite rows are passed as the `&'static` references the key schedule keeps.
#![allow(clippy::trivially_copy_pass_by_ref)]

use sanstls_crypto::hash::HashAlgorithm;
use sanstls_keys::suite::{BulkCipher, MacAlgorithm, SuiteInfo};
use sanstls_keys::{KeyBlock, MasterSecret};
use sanstls_record::{CbcMode, Error, Opener, Sealer};
use sanstls_wire::enums::{CipherSuite, KeyExchange};

static ECDHE_RSA: SuiteInfo = SuiteInfo {
    suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    key_exchange: KeyExchange::EcdheRsa,
    cipher: BulkCipher::Aes256Cbc,
    mac: MacAlgorithm::HmacSha384,
    prf_hash: HashAlgorithm::Sha384,
};

static ECDHE_ECDSA: SuiteInfo = SuiteInfo {
    suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
    key_exchange: KeyExchange::EcdheEcdsa,
    cipher: BulkCipher::Aes256Cbc,
    mac: MacAlgorithm::HmacSha384,
    prf_hash: HashAlgorithm::Sha384,
};

const MODES: [CbcMode; 2] = [CbcMode::MacThenEncrypt, CbcMode::EncryptThenMac];

fn keys(suite: &'static SuiteInfo, seed: u8) -> KeyBlock {
    MasterSecret::from_bytes(suite.prf_hash, [seed; 48])
        .key_block(suite, &[1; 32], &[2; 32])
        .unwrap()
}

#[cfg(not(feature = "sha384"))]
#[test]
fn hmac_sha384_is_refused_without_the_feature() {
    let mut rng = sanstls_crypto::rng::SeededRng::from_seed([1; 32]);
    for suite in [&ECDHE_RSA, &ECDHE_ECDSA] {
        let kb = keys(suite, 1);
        for mode in MODES {
            assert_eq!(
                Sealer::cbc(&kb.client_write(), mode, &mut rng).err(),
                Some(Error::InvalidKeys)
            );
            assert_eq!(
                Opener::cbc(&kb.client_write(), mode).err(),
                Some(Error::InvalidKeys)
            );
            assert_eq!(
                Sealer::for_suite(&kb.client_write(), mode, &mut rng).err(),
                Some(Error::InvalidKeys)
            );
            assert_eq!(
                Opener::for_suite(&kb.client_write(), mode).err(),
                Some(Error::InvalidKeys)
            );
        }
    }
}

#[cfg(feature = "sha384")]
mod with_sha384 {
    use super::*;
    use sanstls_crypto::cipher::AesCbcKey;
    use sanstls_crypto::hmac::hmac;
    use sanstls_crypto::rng::SeededRng;
    use sanstls_keys::DirectionKeys;
    use sanstls_wire::enums::{ContentType, ProtocolVersion};

    fn seal(sealer: &mut Sealer, payload: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; sealer.sealed_len(payload.len())];
        let n = sealer
            .seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                payload,
                &mut buf,
            )
            .unwrap();
        assert_eq!(n, buf.len());
        buf
    }

    fn open(opener: &mut Opener, record: &mut [u8]) -> Result<Vec<u8>, Error> {
        opener.open_in_place(record).map(|o| {
            assert_eq!(o.content_type, ContentType::APPLICATION_DATA);
            o.payload.to_vec()
        })
    }

    /// Lengths around every block boundary of AES (16) and SHA-384 (128), with the
    /// 13-byte MAC header and the 48-byte MAC, and the largest record.
    fn lengths() -> impl Iterator<Item = usize> {
        (0..=300).chain([1000, 1023, 1024, 1025, 4096, 16_383, 16_384])
    }

    #[test]
    fn round_trips_in_both_modes() {
        for suite in [&ECDHE_RSA, &ECDHE_ECDSA] {
            let kb = keys(suite, 3);
            for mode in MODES {
                let mut rng = SeededRng::from_seed([4; 32]);
                // The suite-driven constructors pick CBC with HMAC-SHA384.
                let mut s = Sealer::for_suite(&kb.client_write(), mode, &mut rng).unwrap();
                let mut o = Opener::for_suite(&kb.client_write(), mode).unwrap();
                assert_eq!(s.aead_algorithm(), None);
                for len in lengths() {
                    let payload: Vec<u8> = (0..len).map(|i| (i * 13) as u8).collect();
                    let mut rec = seal(&mut s, &payload);
                    // IV, then the MAC-then-encrypt body or ciphertext and MAC.
                    let body = match mode {
                        CbcMode::MacThenEncrypt => (len + 48 + 1).div_ceil(16) * 16,
                        CbcMode::EncryptThenMac => (len + 1).div_ceil(16) * 16 + 48,
                    };
                    assert_eq!(rec.len(), 5 + 16 + body, "{mode:?} {len}");
                    assert_eq!(open(&mut o, &mut rec).unwrap(), payload, "{mode:?} {len}");
                }
                // The other direction's keys do not open it.
                let mut wrong = Opener::cbc(&kb.server_write(), mode).unwrap();
                let mut rec = seal(&mut s, b"x");
                assert_eq!(open(&mut wrong, &mut rec), Err(Error::BadRecordMac));
            }
        }
    }

    /// The MAC input of RFC 5246 §6.2.3.1: `seq_num + type + version + length`.
    fn mac_header(seq: u64, len: usize) -> Vec<u8> {
        let mut h = seq.to_be_bytes().to_vec();
        h.extend_from_slice(&[23, 3, 3]);
        h.extend_from_slice(&(len as u16).to_be_bytes());
        h
    }

    fn record(iv: &[u8; 16], body: &[u8]) -> Vec<u8> {
        let mut rec = vec![23, 3, 3];
        rec.extend_from_slice(&((16 + body.len()) as u16).to_be_bytes());
        rec.extend_from_slice(iv);
        rec.extend_from_slice(body);
        rec
    }

    /// What can go wrong in a hand-built record.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fault {
        None,
        /// One bit of the MAC flipped (byte index).
        Mac(usize),
        /// A padding byte other than padding_length changed.
        PaddingByte,
        /// padding_length one larger than the padding (below 255).
        PaddingLength,
    }

    const FAULTS: [Fault; 6] = [
        Fault::None,
        Fault::Mac(0),
        Fault::Mac(23),
        Fault::Mac(47),
        Fault::PaddingByte,
        Fault::PaddingLength,
    ];

    /// MAC-then-encrypt records built by hand (HMAC-SHA384 of sanstls-crypto, AES-256-CBC)
    /// open, and with a bad MAC or bad padding are `bad_record_mac`.
    #[test]
    fn mac_then_encrypt_known_records_and_tampering() {
        let kb = keys(&ECDHE_RSA, 5);
        let k = kb.client_write();
        assert_eq!((k.mac_key.len(), k.enc_key.len()), (48, 32));
        let aes = AesCbcKey::new(k.enc_key).unwrap();
        let iv = [0x42u8; 16];
        for content_len in [0usize, 1, 15, 66, 67, 128, 200, 1000] {
            // The shortest padding, one and two blocks more, and up to 255 bytes.
            for extra in [0usize, 1, 2, 15] {
                let pad = 15 - (content_len + 48) % 16 + 16 * extra;
                if pad > 255 {
                    continue;
                }
                let content: Vec<u8> = (0..content_len).map(|i| i as u8 ^ 0x77).collect();
                for fault in FAULTS {
                    // No other padding byte to change; 255 + 1 would wrap to 0.
                    if (fault == Fault::PaddingByte && pad == 0)
                        || (fault == Fault::PaddingLength && pad == 255)
                    {
                        continue;
                    }
                    let seq = 7u64;
                    let mut mac_in = mac_header(seq, content_len);
                    mac_in.extend_from_slice(&content);
                    let tag = hmac(HashAlgorithm::Sha384, k.mac_key, &mac_in).unwrap();
                    let mut body = content.clone();
                    body.extend_from_slice(tag.as_slice());
                    body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                    match fault {
                        Fault::None => {}
                        Fault::Mac(i) => body[content_len + i] ^= 0x01,
                        Fault::PaddingByte => body[content_len + 48] ^= 0x80,
                        Fault::PaddingLength => {
                            let last = body.last_mut().unwrap();
                            *last = last.wrapping_add(1);
                        }
                    }
                    aes.encrypt_in_place(&iv, &mut body).unwrap();
                    let mut rec = record(&iv, &body);
                    let what = format!("{content_len} pad {pad} {fault:?}");
                    expect_open(
                        &k,
                        CbcMode::MacThenEncrypt,
                        seq,
                        &mut rec,
                        &content,
                        fault,
                        &what,
                    );
                }
            }
        }
    }

    /// Opens `rec` under `k` in `mode` at sequence number `seq`: `content` comes back
    /// when `fault` is none, else `bad_record_mac`.
    fn expect_open(
        k: &DirectionKeys<'_>,
        mode: CbcMode,
        seq: u64,
        rec: &mut [u8],
        content: &[u8],
        fault: Fault,
        what: &str,
    ) {
        let mut o = Opener::cbc(k, mode).unwrap();
        o.set_sequence_number(seq);
        let got = open(&mut o, rec);
        if fault == Fault::None {
            assert_eq!(got.unwrap(), content, "{what}");
        } else {
            assert_eq!(got, Err(Error::BadRecordMac), "{what}");
        }
    }

    /// Encrypt-then-MAC records (RFC 7366 §3: the MAC covers IV and ciphertext) built by
    /// hand open; a bad MAC, or bad padding under a good MAC, is `bad_record_mac`.
    #[test]
    fn encrypt_then_mac_known_records_and_tampering() {
        let kb = keys(&ECDHE_ECDSA, 6);
        let k = kb.server_write();
        let aes = AesCbcKey::new(k.enc_key).unwrap();
        let iv = [0x17u8; 16];
        for content_len in [0usize, 1, 15, 16, 100, 1000] {
            for extra in [0usize, 1, 15] {
                let pad = 15 - content_len % 16 + 16 * extra;
                if pad > 255 {
                    continue;
                }
                let content: Vec<u8> = (0..content_len).map(|i| i as u8).collect();
                for fault in FAULTS {
                    if fault == Fault::PaddingLength && pad == 255 {
                        continue; // 255 + 1 would wrap to a valid padding_length of 0
                    }
                    let mut body = content.clone();
                    body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                    match fault {
                        Fault::PaddingByte if pad > 0 => body[content_len] ^= 0x80,
                        Fault::PaddingByte => continue,
                        Fault::PaddingLength => {
                            let last = body.last_mut().unwrap();
                            *last = last.wrapping_add(1);
                        }
                        _ => {}
                    }
                    aes.encrypt_in_place(&iv, &mut body).unwrap();
                    let seq = 0x0102_0304_0506_0708u64;
                    let mut mac_in = mac_header(seq, 16 + body.len());
                    mac_in.extend_from_slice(&iv);
                    mac_in.extend_from_slice(&body);
                    let tag = hmac(HashAlgorithm::Sha384, k.mac_key, &mac_in).unwrap();
                    let mut frag = body.clone();
                    frag.extend_from_slice(tag.as_slice());
                    if let Fault::Mac(i) = fault {
                        let at = body.len() + i;
                        frag[at] ^= 0x01;
                    }
                    let mut rec = record(&iv, &frag);
                    let what = format!("{content_len} pad {pad} {fault:?}");
                    expect_open(
                        &k,
                        CbcMode::EncryptThenMac,
                        seq,
                        &mut rec,
                        &content,
                        fault,
                        &what,
                    );
                }
            }
        }
    }

    /// A record sealed by sanstls equals one built by hand from the same IV: the sealer
    /// draws its IV from the generator, so the IV is read back from the sealed record.
    #[test]
    fn sealed_records_are_the_hand_built_ones() {
        let kb = keys(&ECDHE_RSA, 8);
        let k = kb.client_write();
        let aes = AesCbcKey::new(k.enc_key).unwrap();
        for mode in MODES {
            let mut rng = SeededRng::from_seed([9; 32]);
            let mut s = Sealer::cbc(&k, mode, &mut rng).unwrap();
            s.set_sequence_number(3);
            for len in [0usize, 5, 79, 80, 81, 500] {
                let payload = vec![0xc3u8; len];
                let rec = seal(&mut s, &payload);
                let seq = s.sequence_number() - 1;
                let iv: [u8; 16] = rec[5..21].try_into().unwrap();
                let mut body = payload.clone();
                let frag = match mode {
                    CbcMode::MacThenEncrypt => {
                        let mut mac_in = mac_header(seq, len);
                        mac_in.extend_from_slice(&payload);
                        let tag = hmac(HashAlgorithm::Sha384, k.mac_key, &mac_in).unwrap();
                        body.extend_from_slice(tag.as_slice());
                        let pad = 15 - body.len() % 16;
                        body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                        aes.encrypt_in_place(&iv, &mut body).unwrap();
                        body
                    }
                    CbcMode::EncryptThenMac => {
                        let pad = 15 - body.len() % 16;
                        body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                        aes.encrypt_in_place(&iv, &mut body).unwrap();
                        let mut mac_in = mac_header(seq, 16 + body.len());
                        mac_in.extend_from_slice(&iv);
                        mac_in.extend_from_slice(&body);
                        let tag = hmac(HashAlgorithm::Sha384, k.mac_key, &mac_in).unwrap();
                        body.extend_from_slice(tag.as_slice());
                        body
                    }
                };
                assert_eq!(rec, record(&iv, &frag), "{mode:?} {len}");
            }
        }
    }
}
