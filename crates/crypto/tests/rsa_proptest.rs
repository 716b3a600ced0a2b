//! Property tests: encryption and signature round trips on random messages, and a single
//! flipped bit anywhere in a ciphertext or signature is always rejected.
//!
//! The generator seed is fixed so that the run is reproducible: PKCS#1 v1.5 encryption has
//! no integrity check, so a flipped ciphertext decodes to some other well-padded message
//! with probability about 2^-16; with a fixed seed the cases that run are known to be
//! rejected.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use sanstls_crypto::Error;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;
use sanstls_crypto::rsa::RsaPrivateKey;

static KEY: LazyLock<RsaPrivateKey> = LazyLock::new(|| {
    RsaPrivateKey::from_pem(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/bad-rsa1024.rsa.pem"
    )))
    .expect("test key loads")
});

fn config() -> Config {
    Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(0x5a45_7153),
        failure_persistence: None,
        ..Config::default()
    }
}

fn hash_strategy() -> impl Strategy<Value = HashAlgorithm> {
    // SHA-384 and SHA-512 only with the `sha512` feature (otherwise SHA-256 three times).
    let or_256 = |h: HashAlgorithm| {
        if h.is_available() {
            h
        } else {
            HashAlgorithm::Sha256
        }
    };
    prop_oneof![
        Just(HashAlgorithm::Sha256),
        Just(or_256(HashAlgorithm::Sha384)),
        Just(or_256(HashAlgorithm::Sha512)),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn encrypt_decrypt_round_trip(
        msg in proptest::collection::vec(any::<u8>(), 0..=117),
        seed in any::<[u8; 32]>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let key = &*KEY;
        let public = key.public_key();
        let mut rng = SeededRng::from_seed(seed);
        let ct = public.encrypt_pkcs1v15(&mut rng, &msg).unwrap();
        prop_assert_eq!(ct.len(), public.modulus_len());
        let pt = key.decrypt_pkcs1v15(&mut rng, &ct).unwrap();
        prop_assert_eq!(&*pt, &msg[..]);

        let mut bad = ct.clone();
        let bit = flip.index(bad.len() * 8);
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(key.decrypt_pkcs1v15(&mut rng, &bad).unwrap_err(), Error::Decryption);
    }

    #[test]
    fn premaster_round_trip(
        mut pm in any::<[u8; 48]>(),
        version in any::<[u8; 2]>(),
        seed in any::<[u8; 32]>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let key = &*KEY;
        pm[..2].copy_from_slice(&version);
        let mut rng = SeededRng::from_seed(seed);
        let ct = key.public_key().encrypt_pkcs1v15(&mut rng, &pm).unwrap();
        let mut out = [0u8; 48];
        prop_assert!(bool::from(key.decrypt_tls_premaster(&mut rng, &ct, version, &mut out)));
        prop_assert_eq!(out, pm);

        let mut bad = ct.clone();
        let bit = flip.index(bad.len() * 8);
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!bool::from(key.decrypt_tls_premaster(&mut rng, &bad, version, &mut out)));
        prop_assert_ne!(out, pm);
    }

    #[test]
    fn sign_verify_round_trip(
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        hash in hash_strategy(),
        seed in any::<[u8; 32]>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let key = &*KEY;
        let public = key.public_key();
        let mut rng = SeededRng::from_seed(seed);

        let sig = key.sign_pkcs1v15(&mut rng, hash, &msg).unwrap();
        prop_assert_eq!(public.verify_pkcs1v15(hash, &msg, &sig), Ok(()));
        let mut bad = sig.clone();
        let bit = flip.index(bad.len() * 8);
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(public.verify_pkcs1v15(hash, &msg, &bad), Err(Error::BadSignature));

        if !cfg!(feature = "pss") {
            return Ok(());
        }
        if hash == HashAlgorithm::Sha512 {
            // RFC 8017 §9.1.1 step 3: emLen (128) < hLen + sLen + 2 (130) for a 1024-bit
            // key with SHA-512 and a 64-byte salt.
            prop_assert_eq!(key.sign_pss(&mut rng, hash, &msg).unwrap_err(), Error::MessageTooLong);
            return Ok(());
        }
        let sig = key.sign_pss(&mut rng, hash, &msg).unwrap();
        prop_assert_eq!(public.verify_pss(hash, &msg, &sig), Ok(()));
        let mut bad = sig.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(public.verify_pss(hash, &msg, &bad), Err(Error::BadSignature));

        // A different message never verifies.
        let mut other = msg.clone();
        other.push(0);
        prop_assert_eq!(public.verify_pss(hash, &other, &sig), Err(Error::BadSignature));
    }
}
