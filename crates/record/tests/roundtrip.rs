//! Seal/open round trips and tamper rejection for every CBC suite and mode (the AEAD
//! suites are in tests/aead.rs), HMAC-SHA384 (RFC 5289) included.

// Suite rows are passed as the `&'static` references the key schedule keeps.
#![allow(clippy::trivially_copy_pass_by_ref)]

use proptest::prelude::*;
use sanstls_crypto::rng::SeededRng;
use sanstls_keys::suite::{SUITES, SuiteInfo};
use sanstls_keys::{KeyBlock, MasterSecret};
use sanstls_record::{CbcMode, Deframer, Error, Fragmenter, MAX_RECORD_LEN, Opener, Sealer};
use sanstls_wire::enums::{AlertDescription, ContentType, ProtocolVersion};

mod support;
use support::{open, seal};

const MODES: [CbcMode; 2] = [CbcMode::MacThenEncrypt, CbcMode::EncryptThenMac];

/// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 (RFC 5289 §3.1: HMAC-SHA384, SHA-384 PRF),
/// which the suite table does not list yet.
#[cfg(feature = "sha384")]
static AES_256_CBC_SHA384: SuiteInfo = SuiteInfo {
    suite: sanstls_wire::enums::CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    key_exchange: sanstls_wire::enums::KeyExchange::EcdheRsa,
    cipher: sanstls_keys::suite::BulkCipher::Aes256Cbc,
    mac: sanstls_keys::suite::MacAlgorithm::HmacSha384,
    prf_hash: sanstls_crypto::hash::HashAlgorithm::Sha384,
};

/// The CBC suites: the table's, and the HMAC-SHA384 one.
fn cbc_suites() -> Vec<&'static SuiteInfo> {
    let suites = SUITES.iter().filter(|s| !s.is_aead());
    #[cfg(feature = "sha384")]
    let suites = suites.chain([&AES_256_CBC_SHA384]);
    suites.collect()
}

fn keys(suite: &'static SuiteInfo, seed: u8) -> KeyBlock {
    MasterSecret::from_bytes(suite.prf_hash, [seed; 48])
        .key_block(suite, &[1; 32], &[2; 32])
        .unwrap()
}

fn pair(suite: &'static SuiteInfo, mode: CbcMode, seed: u8) -> (Sealer, Opener) {
    let kb = keys(suite, seed);
    let mut rng = SeededRng::from_seed([seed; 32]);
    (
        Sealer::cbc(&kb.client_write(), mode, &mut rng).unwrap(),
        Opener::cbc(&kb.client_write(), mode).unwrap(),
    )
}

fn suite_and_mode() -> impl Strategy<Value = (&'static SuiteInfo, CbcMode)> {
    (prop::sample::select(cbc_suites()), 0..2usize).prop_map(|(s, m)| (s, MODES[m]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn round_trip(
        (suite, mode) in suite_and_mode(),
        len in prop_oneof![0..=300usize, 0..=(1usize << 14), Just(1usize << 14)],
        fill in any::<u8>(),
    ) {
        let (mut s, mut o) = pair(suite, mode, fill);
        let payload: Vec<u8> = (0..len).map(|i| (i as u8) ^ fill).collect();
        for _ in 0..2 {
            let mut rec = seal(&mut s, ContentType::APPLICATION_DATA, &payload);
            prop_assert_eq!(
                open(&mut o, &mut rec).unwrap(),
                (ContentType::APPLICATION_DATA, payload.clone())
            );
        }
        prop_assert_eq!(s.sequence_number(), 2);
        prop_assert_eq!(o.sequence_number(), 2);
    }

    #[test]
    fn any_flipped_bit_is_bad_record_mac(
        (suite, mode) in suite_and_mode(),
        len in 0..=700usize,
        pos in any::<prop::sample::Index>(),
        bit in 0..8u8,
    ) {
        let (mut s, mut o) = pair(suite, mode, 5);
        let payload = vec![0xa5u8; len];
        let mut rec = seal(&mut s, ContentType::APPLICATION_DATA, &payload);
        // Any bit after the length field: content type and version are MACed too, but a
        // flipped type may be unknown to the header parser (unexpected_message), and a
        // flipped length no longer matches the record; those are checked below.
        let i = 5 + pos.index(rec.len() - 5);
        rec[i] ^= 1 << bit;
        prop_assert_eq!(open(&mut o, &mut rec), Err(Error::BadRecordMac));
    }

    #[test]
    fn truncation_and_wrong_sequence_are_bad_record_mac(
        (suite, mode) in suite_and_mode(),
        len in 0..=700usize,
        cut in 1..=64usize,
        seq in 1..u64::MAX,
    ) {
        let (mut s, mut o) = pair(suite, mode, 6);
        let payload = vec![0x3cu8; len];
        let rec = seal(&mut s, ContentType::APPLICATION_DATA, &payload);
        // Truncated by `cut` bytes, with the header length patched to match.
        let keep = rec.len().saturating_sub(cut).max(5);
        let mut short = rec[..keep].to_vec();
        short[3..5].copy_from_slice(&((keep - 5) as u16).to_be_bytes());
        prop_assert_eq!(open(&mut o, &mut short), Err(Error::BadRecordMac));
        // The right record under the wrong sequence number.
        let (_, mut o2) = pair(suite, mode, 6);
        o2.set_sequence_number(seq);
        let mut again = rec.clone();
        prop_assert_eq!(open(&mut o2, &mut again), Err(Error::BadRecordMac));
        // And under the right one it opens.
        let (_, mut o3) = pair(suite, mode, 6);
        let mut again = rec.clone();
        prop_assert_eq!(open(&mut o3, &mut again).unwrap().1, payload);
    }

    #[test]
    fn deframer_takes_any_chunking(
        lens in prop::collection::vec(0..=2000usize, 1..6),
        chunk in 1..=700usize,
    ) {
        let suite = cbc_suites()[0];
        let (mut s, mut o) = pair(suite, CbcMode::EncryptThenMac, 8);
        let mut stream = Vec::new();
        for (i, &len) in lens.iter().enumerate() {
            stream.extend(seal(&mut s, ContentType::APPLICATION_DATA, &vec![i as u8; len]));
        }
        let mut d = Deframer::new(vec![0u8; MAX_RECORD_LEN]);
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            let mut piece = piece;
            while !piece.is_empty() {
                let n = d.push(piece);
                piece = &piece[n..];
                while let Some(rec) = d.next_record().unwrap() {
                    got.push(o.open_in_place(rec).unwrap().payload.to_vec());
                }
            }
        }
        prop_assert_eq!(d.buffered_len(), 0);
        let want: Vec<Vec<u8>> = lens.iter().enumerate().map(|(i, &l)| vec![i as u8; l]).collect();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn header_tampering() {
    for suite in cbc_suites() {
        for mode in MODES {
            let (mut s, _) = pair(suite, mode, 9);
            let rec = seal(&mut s, ContentType::HANDSHAKE, b"a handshake message");
            // Another known content type or version: authenticated, so bad_record_mac.
            for (i, v) in [(0, 23u8), (0, 21), (1, 2), (2, 1)] {
                let (_, mut o) = pair(suite, mode, 9);
                let mut r = rec.clone();
                r[i] = v;
                assert_eq!(open(&mut o, &mut r), Err(Error::BadRecordMac), "{i} {v}");
            }
            // An unknown content type is unexpected_message from the header parser.
            let (_, mut o) = pair(suite, mode, 9);
            let mut r = rec.clone();
            r[0] = 99;
            let e = open(&mut o, &mut r).unwrap_err();
            assert_eq!(e.alert(), AlertDescription::UNEXPECTED_MESSAGE);
            // A length that does not match the buffer.
            let (_, mut o) = pair(suite, mode, 9);
            let mut r = rec.clone();
            r[4] ^= 1;
            assert!(open(&mut o, &mut r).is_err());
            // The original opens.
            let (_, mut o) = pair(suite, mode, 9);
            let mut r = rec.clone();
            assert_eq!(open(&mut o, &mut r).unwrap().1, b"a handshake message");
        }
    }
}

#[test]
fn null_protection_and_limits() {
    let mut s = Sealer::null();
    let mut o = Opener::null();
    let mut rec = seal(&mut s, ContentType::HANDSHAKE, b"hello");
    assert_eq!(rec, [22, 3, 3, 0, 5, b'h', b'e', b'l', b'l', b'o']);
    assert_eq!(open(&mut o, &mut rec).unwrap().1, b"hello");

    // Empty handshake fragments may be neither sent nor accepted (RFC 5246 §6.2.1).
    let mut buf = [0u8; 64];
    assert_eq!(
        s.seal(
            ContentType::HANDSHAKE,
            ProtocolVersion::TLS12,
            &[],
            &mut buf
        ),
        Err(Error::InvalidPayload)
    );
    let mut empty = [22, 3, 3, 0, 0];
    assert_eq!(
        open(&mut o, &mut empty).unwrap_err().alert(),
        AlertDescription::UNEXPECTED_MESSAGE
    );
    let mut empty_app = [23, 3, 3, 0, 0];
    assert_eq!(open(&mut o, &mut empty_app).unwrap().1, b"");

    // Too long to send; plaintext over the negotiated limit on receipt.
    let big = vec![0u8; (1 << 14) + 1];
    let mut out = vec![0u8; big.len() + 100];
    assert_eq!(
        s.seal(
            ContentType::APPLICATION_DATA,
            ProtocolVersion::TLS12,
            &big,
            &mut out
        ),
        Err(Error::InvalidPayload)
    );
    let mut o = Opener::null();
    o.set_max_plaintext_len(512);
    let mut rec = seal(&mut s, ContentType::APPLICATION_DATA, &[1; 513]);
    assert_eq!(open(&mut o, &mut rec), Err(Error::RecordOverflow));
    // A plaintext record over 2^14 (the NULL state checks the plaintext limit).
    let mut o = Opener::null();
    let mut huge = vec![0u8; 5 + (1 << 14) + 1];
    huge[..5].copy_from_slice(&[23, 3, 3, 0x40, 0x01]);
    assert_eq!(open(&mut o, &mut huge), Err(Error::RecordOverflow));
    // A ciphertext header over 2^14 + 2048.
    let mut o = Opener::null();
    let mut over = vec![0u8; 5 + (1 << 14) + 2049];
    over[..5].copy_from_slice(&[23, 3, 3, 0x48, 0x01]);
    assert_eq!(open(&mut o, &mut over), Err(Error::RecordOverflow));
    let mut d = Deframer::new(vec![0u8; MAX_RECORD_LEN]);
    d.push(&over[..5]);
    assert_eq!(d.next_record().unwrap_err(), Error::RecordOverflow);
    assert_eq!(
        Error::RecordOverflow.alert(),
        AlertDescription::RECORD_OVERFLOW
    );
}

#[test]
fn negotiated_limit_on_protected_records() {
    for suite in cbc_suites() {
        for mode in MODES {
            let (mut s, mut o) = pair(suite, mode, 10);
            o.set_max_plaintext_len(1024);
            let mut ok = seal(&mut s, ContentType::APPLICATION_DATA, &[7; 1024]);
            assert_eq!(open(&mut o, &mut ok).unwrap().1.len(), 1024);
            let mut over = seal(&mut s, ContentType::APPLICATION_DATA, &[7; 1025]);
            assert_eq!(open(&mut o, &mut over), Err(Error::RecordOverflow));
        }
    }
}

#[test]
fn sequence_numbers_never_wrap() {
    for mode in MODES {
        let (mut s, mut o) = pair(cbc_suites()[0], mode, 11);
        s.set_sequence_number(u64::MAX - 1);
        o.set_sequence_number(u64::MAX - 1);
        for _ in 0..2 {
            let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"x");
            assert_eq!(open(&mut o, &mut r).unwrap().1, b"x");
        }
        let mut buf = [0u8; 256];
        assert_eq!(
            s.seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                b"x",
                &mut buf
            ),
            Err(Error::SequenceExhausted)
        );
        let (mut s2, _) = pair(cbc_suites()[0], mode, 11);
        s2.set_sequence_number(0);
        let mut r = seal(&mut s2, ContentType::APPLICATION_DATA, b"x");
        assert_eq!(open(&mut o, &mut r), Err(Error::SequenceExhausted));
    }
}

#[test]
fn explicit_ivs_differ() {
    let (mut s, _) = pair(cbc_suites()[0], CbcMode::MacThenEncrypt, 12);
    let a = seal(&mut s, ContentType::APPLICATION_DATA, b"same");
    let b = seal(&mut s, ContentType::APPLICATION_DATA, b"same");
    assert_ne!(a[5..21], b[5..21]);
    assert_ne!(a[21..], b[21..]);
}

/// Every padding length the sender may choose (RFC 5246 §6.2.3.2 allows up to 255) is
/// accepted, and every single wrong padding byte is rejected.
#[test]
fn long_padding_is_accepted_and_checked() {
    use sanstls_crypto::cipher::AesCbcKey;
    use sanstls_crypto::hmac::hmac;
    for suite in cbc_suites() {
        let kb = keys(suite, 13);
        let k = kb.client_write();
        let aes = AesCbcKey::new(k.enc_key).unwrap();
        let mac_len = suite.mac.mac_len();
        for content_len in [0usize, 3, 40] {
            for pad in 0..=255usize {
                if (content_len + mac_len + pad + 1) % 16 != 0 {
                    continue;
                }
                let content = vec![0x61u8; content_len];
                let mut mac_in = vec![0u8; 8];
                mac_in.extend_from_slice(&[23, 3, 3]);
                mac_in.extend_from_slice(&(content_len as u16).to_be_bytes());
                mac_in.extend_from_slice(&content);
                let tag = hmac(suite.mac.hash().unwrap(), k.mac_key, &mac_in).unwrap();
                let mut body = content.clone();
                body.extend_from_slice(tag.as_slice());
                body.extend(std::iter::repeat_n(pad as u8, pad + 1));
                for wrong in [None, Some(0usize), Some(pad)] {
                    let mut b = body.clone();
                    if let Some(w) = wrong {
                        let at = b.len() - 1 - w;
                        if w == 0 {
                            continue; // changing padding_length itself is covered elsewhere
                        }
                        b[at] ^= 1;
                    }
                    let iv = [0x24u8; 16];
                    aes.encrypt_in_place(&iv, &mut b).unwrap();
                    let mut rec = vec![23, 3, 3];
                    rec.extend_from_slice(&((16 + b.len()) as u16).to_be_bytes());
                    rec.extend_from_slice(&iv);
                    rec.extend_from_slice(&b);
                    let mut o = Opener::cbc(&k, CbcMode::MacThenEncrypt).unwrap();
                    let got = open(&mut o, &mut rec);
                    if wrong.is_none() {
                        assert_eq!(got.unwrap().1, content, "{:?} pad {pad}", suite.suite);
                    } else {
                        assert_eq!(got, Err(Error::BadRecordMac), "{:?} pad {pad}", suite.suite);
                    }
                }
            }
        }
    }
}

#[test]
fn fragmenter_splits_and_seals() {
    let f = Fragmenter::new(512);
    let data: Vec<u8> = (0..2000u32).map(|i| i as u8).collect();
    let parts: Vec<&[u8]> = f.fragments(&data).collect();
    assert_eq!(parts.len(), 4);
    assert!(parts.iter().all(|p| p.len() <= 512));
    assert_eq!(Fragmenter::new(1 << 20).max_fragment_len(), 1 << 14);

    let (mut s, mut o) = pair(cbc_suites()[1], CbcMode::MacThenEncrypt, 14);
    let mut out = vec![0u8; 1300];
    let (used, written) = f
        .seal_into(
            &mut s,
            ContentType::APPLICATION_DATA,
            ProtocolVersion::TLS12,
            &data,
            &mut out,
        )
        .unwrap();
    assert_eq!(used, 1024); // two 512-byte fragments fit in 1300 bytes, three do not
    let mut d = Deframer::new(vec![0u8; 4096]);
    assert_eq!(d.push(&out[..written]), written);
    let mut got = Vec::new();
    while let Some(rec) = d.next_record().unwrap() {
        got.extend_from_slice(o.open_in_place(rec).unwrap().payload);
    }
    assert_eq!(got, data[..1024]);
}

#[cfg(feature = "fuzzing")]
#[test]
fn fuzz_entry_points_run() {
    sanstls_record::fuzzing::deframe(&[3, 23, 3, 3, 0, 1, 0, 22, 3, 3, 0, 0]);
    sanstls_record::fuzzing::open(&[23, 3, 3, 0, 1, 0]);
    sanstls_record::fuzzing::open(b"");
}

#[test]
fn deframer_limits_and_compaction() {
    // A record longer than the deframer's buffer (sized for a negotiated limit).
    let mut d = Deframer::new(vec![0u8; 64]);
    assert_eq!(d.push(&[23, 3, 3, 0, 60]), 5);
    assert_eq!(d.next_record().unwrap_err(), Error::RecordOverflow);
    // Unknown content type: unexpected_message, and it stays an error.
    let mut d = Deframer::new(vec![0u8; 64]);
    d.push(&[99, 3, 3, 0, 1, 0]);
    assert_eq!(
        d.next_record().unwrap_err().alert(),
        AlertDescription::UNEXPECTED_MESSAGE
    );
    assert!(d.next_record().is_err());
    // Records that exactly fill a small buffer, delivered in awkward pieces, keep
    // coming out whole (the partial record is moved to the front when needed).
    let mut d = Deframer::new(vec![0u8; 32]);
    let mut stream = Vec::new();
    for i in 0..20u8 {
        stream.extend_from_slice(&[23, 3, 3, 0, 27]);
        stream.extend(std::iter::repeat_n(i, 27));
    }
    let mut got = Vec::new();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let n = d.push(&rest[..rest.len().min(13)]);
        rest = &rest[n..];
        while let Some(rec) = d.next_record().unwrap() {
            assert_eq!(rec.len(), 32);
            got.push(rec[5]);
        }
    }
    assert_eq!(got, (0..20).collect::<Vec<u8>>());
    assert!(d.next_record().unwrap().is_none());
    assert_eq!(d.buffered_len(), 0);
}
