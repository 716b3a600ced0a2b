//! AES-128-CCM and AES-128-CCM_8 record protection (RFC 6655, RFC 7251): lengths, round
//! trips, tampering, truncation, sequence numbers, limits, the suite rows of sanstls-keys
//! through `for_suite`, and CCM's independence from a crypto provider.

#![cfg(feature = "aes-ccm")]

use sanstls_keys::{MasterSecret, suite};
use sanstls_record::{AeadAlgorithm, CbcMode, Deframer, Error, Opener, Sealer};
use sanstls_wire::enums::{CipherSuite, ContentType, ProtocolVersion};

const ALGS: [AeadAlgorithm; 2] = [AeadAlgorithm::Aes128Ccm, AeadAlgorithm::Aes128Ccm8];

fn pair(alg: AeadAlgorithm, seed: u8) -> (Sealer, Opener) {
    let key = vec![seed; alg.key_len()];
    let iv: Vec<u8> = (0..alg.fixed_iv_len()).map(|i| seed ^ i as u8).collect();
    (
        Sealer::aead(alg, &key, &iv).unwrap(),
        Opener::aead(alg, &key, &iv).unwrap(),
    )
}

fn seal(sealer: &mut Sealer, ct: ContentType, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; sealer.sealed_len(payload.len())];
    let n = sealer
        .seal(ct, ProtocolVersion::TLS12, payload, &mut buf)
        .unwrap();
    assert_eq!(n, buf.len());
    buf
}

fn open(opener: &mut Opener, record: &mut [u8]) -> Result<(ContentType, Vec<u8>), Error> {
    opener
        .open_in_place(record)
        .map(|o| (o.content_type, o.payload.to_vec()))
}

#[test]
fn lengths_and_offsets() {
    for (alg, tag) in [
        (AeadAlgorithm::Aes128Ccm, 16),
        (AeadAlgorithm::Aes128Ccm8, 8),
    ] {
        assert_eq!(
            (alg.key_len(), alg.fixed_iv_len(), alg.explicit_nonce_len()),
            (16, 4, 8)
        );
        assert_eq!(alg.tag_len(), tag);
        assert_eq!(alg.expansion(), 8 + tag);
        let (s, o) = pair(alg, 1);
        assert_eq!(s.payload_offset(), 5 + 8);
        assert_eq!(s.sealed_len(100), 5 + 8 + 100 + tag);
        assert_eq!(o.max_record_len(), 5 + (1 << 14) + 8 + tag);
        assert_eq!(s.aead_algorithm(), Some(alg));
    }
}

#[test]
fn round_trips() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 2);
        for len in [0usize, 1, 15, 16, 17, 1000, 1 << 14] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut r = seal(&mut s, ContentType::APPLICATION_DATA, &payload);
            assert_eq!(r.len(), 5 + len + alg.expansion());
            assert_eq!(
                u16::from_be_bytes([r[3], r[4]]) as usize,
                len + alg.expansion()
            );
            if len > 0 {
                assert_ne!(&r[13..][..len], &payload[..]);
            }
            let opened = o.open_in_place(&mut r).unwrap();
            assert_eq!(opened.payload, &payload[..], "{alg:?} {len}");
            assert_eq!(opened.payload_offset, 5 + 8);
            assert_eq!(opened.content_type, ContentType::APPLICATION_DATA);
        }
        let mut r = seal(&mut s, ContentType::HANDSHAKE, b"finished");
        assert_eq!(
            open(&mut o, &mut r).unwrap(),
            (ContentType::HANDSHAKE, b"finished".to_vec())
        );
    }
}

/// Every single flipped bit of the explicit nonce, ciphertext and tag is bad_record_mac;
/// so is a flipped bit of the content type or version (they are in the additional data)
/// unless the header no longer parses, and a flipped length is a decode error (it no
/// longer matches the record) or record_overflow (over 2^14 + 2048).
#[test]
fn every_flipped_bit_is_refused() {
    for alg in ALGS {
        let (mut s, _) = pair(alg, 3);
        let good = seal(&mut s, ContentType::APPLICATION_DATA, b"attack at dawn!!!");
        let mut mac_failures = 0;
        for byte in 0..good.len() {
            for bit in 0..8 {
                let (_, mut o) = pair(alg, 3);
                let mut r = good.clone();
                r[byte] ^= 1 << bit;
                let e = o.open_in_place(&mut r).unwrap_err();
                match byte {
                    5.. => assert_eq!(e, Error::BadRecordMac, "{alg:?} byte {byte} bit {bit}"),
                    3 | 4 => assert!(
                        matches!(e, Error::Decode(_) | Error::RecordOverflow),
                        "{alg:?} byte {byte}: {e:?}"
                    ),
                    _ => assert!(
                        matches!(e, Error::BadRecordMac | Error::Decode(_)),
                        "{alg:?} byte {byte}: {e:?}"
                    ),
                }
                mac_failures += usize::from(e == Error::BadRecordMac);
            }
        }
        assert!(mac_failures >= 8 * (good.len() - 5));
        // One byte each of the header's type and version, explicit nonce, ciphertext
        // and tag, by name.
        for (what, at) in [
            ("type", 0),
            ("version", 2),
            ("explicit nonce", 5),
            ("ciphertext", 13),
            ("tag", good.len() - 1),
        ] {
            let (_, mut o) = pair(alg, 3);
            let mut r = good.clone();
            r[at] = if at == 0 { 22 } else { r[at] ^ 1 };
            assert_eq!(
                open(&mut o, &mut r),
                Err(Error::BadRecordMac),
                "{alg:?} {what}"
            );
        }
        let (_, mut o) = pair(alg, 3);
        let mut r = good.clone();
        assert!(o.open_in_place(&mut r).is_ok());
    }
}

/// A CCM_8 record is not a CCM record with its tag cut, nor the other way round.
#[test]
fn ccm_and_ccm_8_do_not_open_each_other() {
    let (mut s16, mut o16) = pair(AeadAlgorithm::Aes128Ccm, 4);
    let (mut s8, mut o8) = pair(AeadAlgorithm::Aes128Ccm8, 4);
    let r16 = seal(&mut s16, ContentType::APPLICATION_DATA, b"0123456789");
    let r8 = seal(&mut s8, ContentType::APPLICATION_DATA, b"0123456789");
    assert_eq!(
        r16[5..5 + 8 + 10],
        r8[5..5 + 8 + 10],
        "same nonce and CTR stream"
    );
    let mut cut = r16[..r16.len() - 8].to_vec();
    cut[4] -= 8;
    assert_eq!(open(&mut o8, &mut cut), Err(Error::BadRecordMac));
    let mut r = r8.clone();
    assert_eq!(open(&mut o16, &mut r), Err(Error::BadRecordMac));
}

#[test]
fn truncated_and_short_records_are_bad_record_mac() {
    for alg in ALGS {
        let (mut s, _) = pair(alg, 4);
        let good = seal(&mut s, ContentType::APPLICATION_DATA, b"0123456789");
        for cut in 1..good.len() - 5 {
            let (_, mut o) = pair(alg, 4);
            let mut r = good[..good.len() - cut].to_vec();
            let len = (r.len() - 5) as u16;
            r[3..5].copy_from_slice(&len.to_be_bytes());
            assert_eq!(
                open(&mut o, &mut r),
                Err(Error::BadRecordMac),
                "{alg:?} {cut}"
            );
        }
        // Shorter than explicit nonce + tag (24 or 16 bytes), down to empty: refused
        // before any cryptography, without a panic.
        for len in 0..alg.expansion() {
            let (_, mut o) = pair(alg, 4);
            let mut r = vec![23, 3, 3, 0, len as u8];
            r.extend(std::iter::repeat_n(0xa5u8, len));
            assert_eq!(
                open(&mut o, &mut r),
                Err(Error::BadRecordMac),
                "{alg:?} {len}"
            );
        }
    }
}

#[test]
fn wrong_sequence_key_or_salt_is_bad_record_mac() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 5);
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"x");
        o.set_sequence_number(1);
        assert_eq!(open(&mut o, &mut r), Err(Error::BadRecordMac));
        let (_, mut other) = pair(alg, 6);
        let mut r = {
            let (mut s, _) = pair(alg, 5);
            seal(&mut s, ContentType::APPLICATION_DATA, b"x")
        };
        assert_eq!(open(&mut other, &mut r), Err(Error::BadRecordMac));
        let mut o = Opener::aead(alg, &[5; 16], &[0xee; 4]).unwrap();
        let mut r = {
            let (mut s, _) = pair(alg, 5);
            seal(&mut s, ContentType::APPLICATION_DATA, b"x")
        };
        assert_eq!(open(&mut o, &mut r), Err(Error::BadRecordMac));
    }
}

/// The explicit nonce is the sequence number (RFC 6655 §3), so two records of the same
/// plaintext never share a nonce.
#[test]
fn nonces_never_repeat_and_sequence_numbers_never_wrap() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 8);
        s.set_sequence_number(u64::MAX - 1);
        o.set_sequence_number(u64::MAX - 1);
        let mut a = seal(&mut s, ContentType::APPLICATION_DATA, b"same plaintext");
        let mut b = seal(&mut s, ContentType::APPLICATION_DATA, b"same plaintext");
        assert_eq!(a[5..13], (u64::MAX - 1).to_be_bytes());
        assert_eq!(b[5..13], u64::MAX.to_be_bytes());
        assert_ne!(a[13..], b[13..], "{alg:?}: keystream reused");
        assert_eq!(open(&mut o, &mut a).unwrap().1, b"same plaintext");
        assert_eq!(open(&mut o, &mut b).unwrap().1, b"same plaintext");
        let mut buf = [0u8; 64];
        assert_eq!(
            s.seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                b"x",
                &mut buf
            ),
            Err(Error::SequenceExhausted)
        );
    }
}

#[test]
fn limits_keys_and_payloads() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 7);
        o.set_max_plaintext_len(512);
        assert_eq!(o.max_record_len(), 5 + 512 + alg.expansion());
        let mut ok = seal(&mut s, ContentType::APPLICATION_DATA, &[1; 512]);
        assert_eq!(open(&mut o, &mut ok).unwrap().1.len(), 512);
        let mut over = seal(&mut s, ContentType::APPLICATION_DATA, &[1; 513]);
        assert_eq!(open(&mut o, &mut over), Err(Error::RecordOverflow));

        assert!(matches!(
            Sealer::aead(alg, &[0; 32], &[0; 4]),
            Err(Error::InvalidKeys)
        ));
        assert!(matches!(
            Opener::aead(alg, &[0; 16], &[0; 12]),
            Err(Error::InvalidKeys)
        ));
        let need = s.sealed_len(10);
        let mut buf = vec![0u8; need];
        assert_eq!(
            s.seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                &[0; 10],
                &mut buf[..need - 1]
            ),
            Err(Error::BufferTooSmall)
        );
    }
}

/// A deframer sized by `max_record_len` takes the largest records in any chunking.
#[test]
fn deframer_holds_the_largest_record() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 11);
        let mut wire = Vec::new();
        for len in [1usize << 14, 3, 1 << 14] {
            wire.extend(seal(&mut s, ContentType::APPLICATION_DATA, &vec![9; len]));
        }
        let mut d = Deframer::new(vec![0u8; o.max_record_len()]);
        let mut got = 0;
        for chunk in wire.chunks(999) {
            let mut chunk = chunk;
            while !chunk.is_empty() {
                let n = d.push(chunk);
                chunk = &chunk[n..];
                while let Some(rec) = d.next_record().unwrap() {
                    got += o.open_in_place(rec).unwrap().payload.len();
                }
            }
        }
        assert_eq!(got, 2 * (1 << 14) + 3);
    }
}

/// The four CCM suite rows of sanstls-keys (RFC 6655 §2, RFC 7251 §2) select the CCM
/// AEADs in `for_suite`, with the key block's 16-byte keys and 4-byte salts.
#[test]
fn suites_select_ccm() {
    let mut rng = sanstls_crypto::rng::SeededRng::from_seed([3; 32]);
    for (cs, alg) in [
        (
            CipherSuite::TLS_PSK_WITH_AES_128_CCM,
            AeadAlgorithm::Aes128Ccm,
        ),
        (
            CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
            AeadAlgorithm::Aes128Ccm8,
        ),
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
            AeadAlgorithm::Aes128Ccm,
        ),
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            AeadAlgorithm::Aes128Ccm8,
        ),
    ] {
        let suite = suite::lookup(cs).unwrap();
        let kb = MasterSecret::from_bytes(suite.prf_hash, [7; 48])
            .key_block(suite, &[1; 32], &[2; 32])
            .unwrap();
        let mut s =
            Sealer::for_suite(&kb.client_write(), CbcMode::EncryptThenMac, &mut rng).unwrap();
        let mut o = Opener::for_suite(&kb.client_write(), CbcMode::EncryptThenMac).unwrap();
        assert_eq!(s.aead_algorithm(), Some(alg), "{cs:?}");
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"psk");
        assert_eq!(r.len(), 5 + 3 + alg.expansion());
        assert_eq!(open(&mut o, &mut r).unwrap().1, b"psk");
        // The other direction's keys do not open it.
        let mut o = Opener::for_suite(&kb.server_write(), CbcMode::EncryptThenMac).unwrap();
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"psk");
        assert_eq!(open(&mut o, &mut r), Err(Error::BadRecordMac));
    }
}

/// CCM keys never go to a crypto provider (its AEAD interface has 16-byte tags and no
/// CCM): one that fails every AEAD key it is asked for still gets a working CCM record
/// state, and is asked for GCM.
#[cfg(feature = "aes-gcm")]
#[test]
fn ccm_stays_built_in_whatever_the_provider() {
    use sanstls_crypto::provider::{AeadAlgorithm as ProviderAlg, AeadKey, CryptoProvider};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Refusing(AtomicUsize);
    impl CryptoProvider for Refusing {
        fn name(&self) -> &'static str {
            "refusing"
        }
        fn aead_key(
            &self,
            _: ProviderAlg,
            _: &[u8],
        ) -> Option<Result<Box<dyn AeadKey>, sanstls_crypto::Error>> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Some(Err(sanstls_crypto::Error::InvalidLength))
        }
    }

    let p = Refusing::default();
    let mut rng = sanstls_crypto::rng::SeededRng::from_seed([3; 32]);
    for cs in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    ] {
        let suite = suite::lookup(cs).unwrap();
        let kb = MasterSecret::from_bytes(suite.prf_hash, [7; 48])
            .key_block(suite, &[1; 32], &[2; 32])
            .unwrap();
        let mut s =
            Sealer::for_suite_with(&p, &kb.server_write(), CbcMode::EncryptThenMac, &mut rng)
                .unwrap();
        let mut o =
            Opener::for_suite_with(&p, &kb.server_write(), CbcMode::EncryptThenMac).unwrap();
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"built in");
        assert_eq!(open(&mut o, &mut r).unwrap().1, b"built in");
    }
    assert_eq!(p.0.load(Ordering::Relaxed), 0, "CCM asked the provider");

    let suite = suite::lookup(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).unwrap();
    let kb = MasterSecret::from_bytes(suite.prf_hash, [7; 48])
        .key_block(suite, &[1; 32], &[2; 32])
        .unwrap();
    assert!(matches!(
        Opener::for_suite_with(&p, &kb.server_write(), CbcMode::EncryptThenMac),
        Err(Error::InvalidKeys)
    ));
    assert_eq!(p.0.load(Ordering::Relaxed), 1);
}
