//! `decrypt_tls_premaster` (RFC 5246 §7.4.7.1) and `decrypt_pkcs1v15` on hand-built
//! encoded messages: every kind of bad padding, length or version yields the pre-drawn
//! random bytes and `Choice(0)`.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use sanstls_crypto::Error;
use sanstls_crypto::rng::{Rng, SeededRng};
use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};

const KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/server-rsa2048.rsa.pem"
));
const SEED: [u8; 32] = [0x42; 32];
const VERSION: [u8; 2] = [0x03, 0x03];

/// Raw RSAEP: `em^e mod n` as `k` bytes, with no padding applied.
fn raw_encrypt(public: &RsaPublicKey, em: &[u8]) -> Vec<u8> {
    let k = public.modulus_len();
    assert_eq!(em.len(), k);
    let precision = (k as u32 * 8).div_ceil(64) * 64;
    let n = Odd::new(BoxedUint::from_be_slice(&public.n_bytes(), precision).unwrap()).unwrap();
    let params = BoxedMontyParams::new_vartime(n);
    let m = BoxedUint::from_be_slice(em, precision).unwrap();
    let e = BoxedUint::from_be_slice(&public.e_bytes(), 64).unwrap();
    let c = BoxedMontyForm::new(m, &params)
        .pow(&e)
        .retrieve()
        .to_be_bytes();
    c[c.len() - k..].to_vec()
}

/// `00 02 PS 00 M` with a nonzero PS filling the block.
fn encode(k: usize, msg: &[u8]) -> Vec<u8> {
    let mut em = vec![0u8; k];
    em[1] = 2;
    let sep = k - msg.len() - 1;
    for (i, b) in em[2..sep].iter_mut().enumerate() {
        *b = (i % 251) as u8 + 1;
    }
    em[sep + 1..].copy_from_slice(msg);
    em
}

fn premaster() -> [u8; 48] {
    let mut m = [0u8; 48];
    m[0] = VERSION[0];
    m[1] = VERSION[1];
    for (i, b) in m.iter_mut().enumerate().skip(2) {
        *b = i as u8 ^ 0xa5;
    }
    m
}

/// The 48 bytes a fresh `SeededRng::from_seed(SEED)` yields first.
fn expected_random() -> [u8; 48] {
    let mut r = [0u8; 48];
    SeededRng::from_seed(SEED).fill_bytes(&mut r);
    r
}

/// Run `decrypt_tls_premaster` from a fresh generator; return (out, used).
fn decrypt(key: &RsaPrivateKey, ct: &[u8], version: [u8; 2]) -> ([u8; 48], bool) {
    let mut rng = SeededRng::from_seed(SEED);
    let mut out = [0u8; 48];
    let used = key.decrypt_tls_premaster(&mut rng, ct, version, &mut out);
    (out, bool::from(used))
}

fn assert_substituted(key: &RsaPrivateKey, ct: &[u8], what: &str) {
    let (out, used) = decrypt(key, ct, VERSION);
    assert!(!used, "{what}: decrypted value must not be used");
    assert_eq!(
        out,
        expected_random(),
        "{what}: out must be the pre-drawn random bytes"
    );
}

#[test]
fn valid_premaster_is_used() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let pm = premaster();
    // Through our own encryption and through a hand-built block.
    let mut rng = SeededRng::from_seed([9; 32]);
    for ct in [
        public.encrypt_pkcs1v15(&mut rng, &pm).unwrap(),
        raw_encrypt(public, &encode(public.modulus_len(), &pm)),
    ] {
        let (out, used) = decrypt(&key, &ct, VERSION);
        assert!(used);
        assert_eq!(out, pm);
        assert_eq!(*key.decrypt_pkcs1v15(&mut rng, &ct).unwrap(), pm);
    }
    // A PS of exactly eight bytes is the shortest valid padding (k - 48 - 3 = 8 needs a
    // tiny key, so check the general decryptor on a long message instead).
    let k = public.modulus_len();
    let long = vec![0x11u8; k - 11];
    let ct = raw_encrypt(public, &encode(k, &long));
    assert_eq!(*key.decrypt_pkcs1v15(&mut rng, &ct).unwrap(), long);
    // A 7-byte PS is refused.
    let too_long = vec![0x11u8; k - 10];
    let ct = raw_encrypt(public, &encode(k, &too_long));
    assert_eq!(
        key.decrypt_pkcs1v15(&mut rng, &ct).unwrap_err(),
        Error::Decryption
    );
    // An empty message is valid for the general decryptor.
    let ct = raw_encrypt(public, &encode(k, &[]));
    assert!(key.decrypt_pkcs1v15(&mut rng, &ct).unwrap().is_empty());
}

#[test]
fn wrong_version_is_substituted() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let pm = premaster();
    let ct = raw_encrypt(public, &encode(public.modulus_len(), &pm));
    for version in [
        [0x03, 0x01],
        [0x03, 0x02],
        [0x02, 0x03],
        [0x00, 0x00],
        [0x03, 0x04],
    ] {
        let (out, used) = decrypt(&key, &ct, version);
        assert!(!used, "{version:?}");
        assert_eq!(out, expected_random());
    }
}

#[test]
fn wrong_lengths_are_substituted() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let k = public.modulus_len();
    for len in [0usize, 1, 2, 46, 47, 49, 50, 100] {
        let mut msg = vec![0x77u8; len];
        if len >= 2 {
            msg[..2].copy_from_slice(&VERSION);
        }
        let ct = raw_encrypt(public, &encode(k, &msg));
        assert_substituted(&key, &ct, &format!("{len}-byte message"));
    }
}

#[test]
fn bad_padding_is_substituted() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let k = public.modulus_len();
    let good = encode(k, &premaster());
    let mut rng = SeededRng::from_seed([3; 32]);
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut em = good.clone();
    em[0] = 0x01;
    cases.push(("first byte 01", em));
    for second in [0x00, 0x01, 0x03, 0x82] {
        let mut em = good.clone();
        em[1] = second;
        cases.push(("second byte not 02", em));
    }
    // A zero in the first eight PS bytes: invalid padding.
    for zero_at in [2, 5, 9] {
        let mut em = good.clone();
        em[zero_at] = 0;
        cases.push(("zero inside the first eight PS bytes", em));
    }
    let mut em = good.clone();
    em[k - 49] = 0x33;
    cases.push(("no separator", em));
    // No zero byte anywhere after the header.
    let mut em = vec![0x5au8; k];
    em[0] = 0;
    em[1] = 2;
    cases.push(("no separator at all", em));
    for (what, em) in cases {
        let ct = raw_encrypt(public, &em);
        assert_substituted(&key, &ct, what);
        assert_eq!(
            key.decrypt_pkcs1v15(&mut rng, &ct).unwrap_err(),
            Error::Decryption,
            "{what}"
        );
    }
    // A zero later in PS makes valid padding around a longer message: the general
    // decryptor returns it, the premaster decryption substitutes.
    for zero_at in [10, 100, k - 50] {
        let mut em = good.clone();
        em[zero_at] = 0;
        let ct = raw_encrypt(public, &em);
        assert_substituted(&key, &ct, "zero later in PS");
        let m = key.decrypt_pkcs1v15(&mut rng, &ct).unwrap();
        assert_eq!(*m, em[zero_at + 1..]);
    }
}

#[test]
fn out_of_range_ciphertexts_are_substituted() {
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let public = key.public_key();
    let k = public.modulus_len();
    let n = public.n_bytes();
    let mut n_plus_1 = n.clone();
    *n_plus_1.last_mut().unwrap() += 1; // n is odd: no carry
    let valid = raw_encrypt(public, &encode(k, &premaster()));
    let mut rng = SeededRng::from_seed([4; 32]);
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("c = n", n.clone()),
        ("c = n + 1", n_plus_1),
        ("c = 2^(8k) - 1", vec![0xff; k]),
        ("empty", Vec::new()),
        ("k - 1 bytes", valid[1..].to_vec()),
    ];
    let mut longer = vec![0u8];
    longer.extend_from_slice(&valid);
    cases.push(("k + 1 bytes with a leading zero", longer));
    for (what, ct) in cases {
        assert_substituted(&key, &ct, what);
        assert_eq!(
            key.decrypt_pkcs1v15(&mut rng, &ct).unwrap_err(),
            Error::Decryption,
            "{what}"
        );
    }
}

#[test]
fn random_bytes_are_drawn_first() {
    // Even on success the generator has been advanced past the 48 substitute bytes (and the
    // blinding values), so a failure never consumes a different amount before drawing R.
    let key = RsaPrivateKey::from_pem(KEY).unwrap();
    let ct = raw_encrypt(
        key.public_key(),
        &encode(key.public_key().modulus_len(), &premaster()),
    );
    let mut rng = SeededRng::from_seed(SEED);
    let mut out = [0u8; 48];
    assert!(bool::from(
        key.decrypt_tls_premaster(&mut rng, &ct, VERSION, &mut out)
    ));
    let mut next = [0u8; 48];
    rng.fill_bytes(&mut next);
    assert_ne!(next, expected_random());
}
