//! AEAD record protection (AES-128/256-GCM, ChaCha20-Poly1305, AES-128-CCM and CCM_8):
//! round trips, tampering, truncation, limits, nonces, sequence numbers, and a
//! known-answer record. (What is particular to CCM is in tests/ccm.rs.)

#![cfg(all(feature = "aes-gcm", feature = "chacha20poly1305", feature = "aes-ccm"))]

use sanstls_record::{AeadAlgorithm, Deframer, Error, MAX_RECORD_LEN, Opener, Sealer};
use sanstls_wire::enums::{ContentType, ProtocolVersion};

mod support;
use support::{aead_pair as pair, open, seal};

const ALGS: [AeadAlgorithm; 5] = [
    AeadAlgorithm::Aes128Gcm,
    AeadAlgorithm::Aes256Gcm,
    AeadAlgorithm::ChaCha20Poly1305,
    AeadAlgorithm::Aes128Ccm,
    AeadAlgorithm::Aes128Ccm8,
];

#[test]
fn lengths_and_offsets() {
    for alg in ALGS {
        let (s, o) = pair(alg, 1);
        let nonce = alg.explicit_nonce_len();
        assert_eq!(s.payload_offset(), 5 + nonce);
        assert_eq!(s.sealed_len(100), 5 + nonce + 100 + alg.tag_len());
        assert_eq!(o.max_record_len(), 5 + (1 << 14) + alg.expansion());
        assert_eq!(s.aead_algorithm(), Some(alg));
    }
    assert_eq!(AeadAlgorithm::Aes128Gcm.expansion(), 24);
    assert_eq!(AeadAlgorithm::ChaCha20Poly1305.expansion(), 16);
}

#[test]
fn round_trips() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 2);
        for len in [0usize, 1, 16, 1000, 1 << 14] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut r = seal(&mut s, ContentType::APPLICATION_DATA, &payload);
            assert_eq!(r.len(), 5 + len + alg.expansion());
            if len > 0 {
                assert_ne!(&r[5 + alg.explicit_nonce_len()..][..len], &payload[..]);
            }
            let opened = o.open_in_place(&mut r).unwrap();
            assert_eq!(opened.payload, &payload[..], "{alg:?} {len}");
            assert_eq!(opened.payload_offset, 5 + alg.explicit_nonce_len());
            assert_eq!(opened.content_type, ContentType::APPLICATION_DATA);
        }
        let mut r = seal(&mut s, ContentType::HANDSHAKE, b"finished");
        assert_eq!(
            open(&mut o, &mut r).unwrap(),
            (ContentType::HANDSHAKE, b"finished".to_vec())
        );
    }
}

/// Every single flipped bit of a sealed record (header, explicit nonce, ciphertext,
/// tag) is refused: bad_record_mac, or a decode error for a header that no longer
/// parses or whose length no longer matches.
#[test]
fn every_flipped_bit_is_refused() {
    for alg in ALGS {
        let (mut s, _) = pair(alg, 3);
        let good = seal(&mut s, ContentType::APPLICATION_DATA, b"attack at dawn!!!");
        for byte in 0..good.len() {
            for bit in 0..8 {
                let (_, mut o) = pair(alg, 3);
                let mut r = good.clone();
                r[byte] ^= 1 << bit;
                let e = o.open_in_place(&mut r).unwrap_err();
                if byte >= 5 {
                    assert_eq!(e, Error::BadRecordMac, "{alg:?} byte {byte} bit {bit}");
                }
            }
        }
        let (_, mut o) = pair(alg, 3);
        let mut r = good.clone();
        assert!(o.open_in_place(&mut r).is_ok());
    }
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
        // Shorter than explicit nonce + tag, down to empty.
        for len in 0..alg.expansion() {
            let (_, mut o) = pair(alg, 4);
            let mut r = vec![23, 3, 3, 0, len as u8];
            r.extend(std::iter::repeat_n(0u8, len));
            assert_eq!(
                open(&mut o, &mut r),
                Err(Error::BadRecordMac),
                "{alg:?} {len}"
            );
        }
    }
}

#[test]
fn wrong_sequence_key_or_iv_is_bad_record_mac() {
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
        // Same key, different IV (salt).
        let key = vec![5; alg.key_len()];
        let mut o = Opener::aead(alg, &key, &vec![0xee; alg.fixed_iv_len()]).unwrap();
        let mut r = {
            let (mut s, _) = pair(alg, 5);
            seal(&mut s, ContentType::APPLICATION_DATA, b"x")
        };
        assert_eq!(open(&mut o, &mut r), Err(Error::BadRecordMac));
    }
}

#[test]
fn negotiated_limit_is_record_overflow() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 7);
        o.set_max_plaintext_len(512);
        assert_eq!(o.max_record_len(), 5 + 512 + alg.expansion());
        let mut ok = seal(&mut s, ContentType::APPLICATION_DATA, &[1; 512]);
        assert_eq!(open(&mut o, &mut ok).unwrap().1.len(), 512);
        let mut over = seal(&mut s, ContentType::APPLICATION_DATA, &[1; 513]);
        assert_eq!(open(&mut o, &mut over), Err(Error::RecordOverflow));
    }
}

/// GCM's explicit nonce is the sequence number; ChaCha20-Poly1305 sends none. Two
/// records of the same plaintext never share a nonce, so their ciphertexts differ.
#[test]
fn nonces_never_repeat() {
    for alg in ALGS {
        let (mut s, _) = pair(alg, 8);
        s.set_sequence_number(0x0102_0304_0506_0708);
        let a = seal(&mut s, ContentType::APPLICATION_DATA, b"same plaintext");
        let b = seal(&mut s, ContentType::APPLICATION_DATA, b"same plaintext");
        let at = 5 + alg.explicit_nonce_len();
        if alg.explicit_nonce_len() == 8 {
            assert_eq!(a[5..13], 0x0102_0304_0506_0708u64.to_be_bytes());
            assert_eq!(b[5..13], 0x0102_0304_0506_0709u64.to_be_bytes());
        }
        assert_ne!(a[at..], b[at..], "{alg:?}: keystream reused");
    }
}

#[test]
fn sequence_numbers_never_wrap() {
    for alg in ALGS {
        let (mut s, mut o) = pair(alg, 9);
        s.set_sequence_number(u64::MAX - 1);
        o.set_sequence_number(u64::MAX - 1);
        for _ in 0..2 {
            let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"x");
            assert_eq!(open(&mut o, &mut r).unwrap().1, b"x");
        }
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
        let (mut s2, _) = pair(alg, 9);
        let mut r = seal(&mut s2, ContentType::APPLICATION_DATA, b"x");
        assert_eq!(open(&mut o, &mut r), Err(Error::SequenceExhausted));
    }
}

#[test]
fn bad_keys_and_payloads() {
    for alg in ALGS {
        let key = vec![0; alg.key_len()];
        let iv = vec![0; alg.fixed_iv_len()];
        assert!(matches!(
            Sealer::aead(alg, &key[1..], &iv),
            Err(Error::InvalidKeys)
        ));
        assert!(matches!(
            Opener::aead(alg, &key, &[0; 5]),
            Err(Error::InvalidKeys)
        ));
        let (mut s, _) = pair(alg, 10);
        let mut buf = vec![0u8; MAX_RECORD_LEN + 100];
        for (ct, len) in [
            (ContentType::APPLICATION_DATA, (1 << 14) + 1),
            (ContentType::HANDSHAKE, 0),
        ] {
            assert_eq!(
                s.seal_in_place(ct, ProtocolVersion::TLS12, &mut buf, len),
                Err(Error::InvalidPayload)
            );
        }
        let need = s.sealed_len(10);
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
        for chunk in wire.chunks(1000) {
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
