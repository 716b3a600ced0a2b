//! Argument checking of the RSA API: wrong lengths, out-of-range values, refused hashes.

use sanstls_crypto::Error;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;
use sanstls_crypto::rsa::RsaPrivateKey;

const KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/server-rsa2048.rsa.pem"
));

#[test]
fn signature_length_and_range() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let mut rng = SeededRng::from_seed([1; 32]);
    let h = HashAlgorithm::Sha256;
    let modes: &[bool] = if cfg!(feature = "pss") {
        &[false, true]
    } else {
        &[false]
    };
    for &pss in modes {
        let sig = if pss {
            key.sign_pss(&mut rng, h, b"m").unwrap()
        } else {
            key.sign_pkcs1v15(&mut rng, h, b"m").unwrap()
        };
        let verify = |s: &[u8]| {
            if pss {
                public.verify_pss(h, b"m", s)
            } else {
                public.verify_pkcs1v15(h, b"m", s)
            }
        };
        assert_eq!(verify(&sig), Ok(()));
        // One byte short, one leading zero too many, empty.
        assert_eq!(verify(&sig[1..]), Err(Error::BadSignature));
        let mut longer = vec![0u8];
        longer.extend_from_slice(&sig);
        assert_eq!(verify(&longer), Err(Error::BadSignature));
        assert_eq!(verify(&[]), Err(Error::BadSignature));
        // s + n has the same value modulo n but is out of range (when it fits in k bytes).
        assert_eq!(verify(&public.n_bytes()), Err(Error::BadSignature));
        assert_eq!(verify(&vec![0xff; sig.len()]), Err(Error::BadSignature));
        assert_eq!(verify(&vec![0; sig.len()]), Err(Error::BadSignature));
    }
}

#[test]
fn digest_lengths_and_hashes() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let mut rng = SeededRng::from_seed([2; 32]);
    let short = [0u8; 31];
    let h = HashAlgorithm::Sha256;
    assert_eq!(
        key.sign_pkcs1v15_prehashed(&mut rng, h, &short)
            .unwrap_err(),
        Error::InvalidLength
    );
    let pss = cfg!(feature = "pss");
    if pss {
        assert_eq!(
            key.sign_pss_prehashed(&mut rng, h, &short).unwrap_err(),
            Error::InvalidLength
        );
    }
    let sig = key.sign_pkcs1v15(&mut rng, h, b"m").unwrap();
    assert_eq!(
        public.verify_pkcs1v15_prehashed(h, &short, &sig),
        Err(Error::InvalidLength)
    );
    if pss {
        assert_eq!(
            public.verify_pss_prehashed(h, &short, &sig),
            Err(Error::InvalidLength)
        );
    }
    // SHA-1: verification of PKCS#1 v1.5 only; no SHA-1 signing, no SHA-1 PSS.
    let sha1 = HashAlgorithm::Sha1;
    assert_eq!(
        key.sign_pkcs1v15(&mut rng, sha1, b"m").unwrap_err(),
        Error::Unsupported("SHA-1 signatures")
    );
    assert_eq!(
        key.sign_pkcs1v15_prehashed(&mut rng, sha1, &[0; 20])
            .unwrap_err(),
        Error::Unsupported("SHA-1 signatures")
    );
    assert_eq!(
        public.verify_pkcs1v15(sha1, b"m", &sig),
        Err(Error::BadSignature)
    );
    assert_eq!(sig, key.sign_pkcs1v15(&mut rng, h, b"m").unwrap());
    if !pss {
        return;
    }
    assert_eq!(
        key.sign_pss(&mut rng, sha1, b"m").unwrap_err(),
        Error::Unsupported("RSA-PSS with SHA-1")
    );
    assert_eq!(
        public.verify_pss(sha1, b"m", &sig),
        Err(Error::Unsupported("RSA-PSS with SHA-1"))
    );
    // A PKCS#1 v1.5 signature is not a PSS signature and vice versa.
    assert_eq!(public.verify_pss(h, b"m", &sig), Err(Error::BadSignature));
    let pss = key.sign_pss(&mut rng, h, b"m").unwrap();
    assert_eq!(
        public.verify_pkcs1v15(h, b"m", &pss),
        Err(Error::BadSignature)
    );
    // PSS signatures are randomised (fresh salt), PKCS#1 v1.5 ones are not.
    assert_ne!(pss, key.sign_pss(&mut rng, h, b"m").unwrap());
}

/// Algorithms left out by a feature are refused with [`Error::LeftOut`], whatever the
/// other arguments.
#[test]
fn left_out_algorithms_are_errors() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let mut rng = SeededRng::from_seed([4; 32]);
    let sig = key
        .sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, b"m")
        .unwrap();
    if !cfg!(feature = "pss") {
        let err = Error::LeftOut {
            what: "RSASSA-PSS",
            feature: "pss",
        };
        for h in [HashAlgorithm::Sha256, HashAlgorithm::Sha1] {
            assert_eq!(key.sign_pss(&mut rng, h, b"m").unwrap_err(), err);
            assert_eq!(
                key.sign_pss_prehashed(&mut rng, h, &[0; 32]).unwrap_err(),
                err
            );
            assert_eq!(public.verify_pss(h, b"m", &sig), Err(err));
            assert_eq!(public.verify_pss_prehashed(h, &[0; 32], &sig), Err(err));
        }
    }
    if !cfg!(feature = "sha512") {
        for (h, what) in [
            (HashAlgorithm::Sha384, "SHA-384"),
            (HashAlgorithm::Sha512, "SHA-512"),
        ] {
            let err = Error::LeftOut {
                what,
                feature: "sha512",
            };
            let digest = vec![0u8; h.output_len()];
            assert_eq!(key.sign_pkcs1v15(&mut rng, h, b"m").unwrap_err(), err);
            assert_eq!(
                key.sign_pkcs1v15_prehashed(&mut rng, h, &digest)
                    .unwrap_err(),
                err
            );
            assert_eq!(public.verify_pkcs1v15(h, b"m", &sig), Err(err));
            assert_eq!(public.verify_pkcs1v15_prehashed(h, &digest, &sig), Err(err));
            if cfg!(feature = "pss") {
                assert_eq!(key.sign_pss(&mut rng, h, b"m").unwrap_err(), err);
                assert_eq!(public.verify_pss(h, b"m", &sig), Err(err));
            }
        }
    }
}

#[test]
fn encryption_lengths() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let mut rng = SeededRng::from_seed([3; 32]);
    let k = public.modulus_len();
    assert_eq!(
        public
            .encrypt_pkcs1v15(&mut rng, &vec![1; k - 10])
            .unwrap_err(),
        Error::MessageTooLong
    );
    let ct = public.encrypt_pkcs1v15(&mut rng, &vec![1; k - 11]).unwrap();
    assert_eq!(ct.len(), k);
    // Randomised padding.
    assert_ne!(
        ct,
        public.encrypt_pkcs1v15(&mut rng, &vec![1; k - 11]).unwrap()
    );
}

#[test]
fn keys_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RsaPrivateKey>();
    assert_send_sync::<sanstls_crypto::rsa::RsaPublicKey>();
    // Verification with a wrong digest length is an argument error even when the
    // signature is malformed too.
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    assert_eq!(
        key.public_key()
            .verify_pkcs1v15_prehashed(HashAlgorithm::Sha256, &[0; 20], &[]),
        Err(Error::InvalidLength)
    );
    #[cfg(feature = "pss")]
    assert_eq!(
        key.public_key()
            .verify_pss_prehashed(HashAlgorithm::Sha256, &[0; 20], &[]),
        Err(Error::InvalidLength)
    );
}
