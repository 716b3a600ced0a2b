//! RSA key loading: every encoding loads the same key, and every broken key is refused
//! with the error that names the failed check.

use der::{Decode, Encode};
use pkcs1::{RsaPrivateKeyRef, UintRef};
use sanstls_crypto::Error;
use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};

/// Whether sanstls-crypto runs on its fixed-width big-integer backend, which refuses
/// moduli over 4096 bits (targets without atomic pointers, or `--cfg sanstls_fixed_bigint`).
const FIXED_BIGINT: bool = cfg!(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint));

const RSA2048_PKCS1: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/server-rsa2048.rsa.pem"
));
const RSA2048_PKCS8: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/server-rsa2048.pkcs8.pem"
));
const RSA1024_PKCS1: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/bad-rsa1024.rsa.pem"
));
const RSA512: &str = include_str!("data/rsa512.pem");
const RSA16384: &str = include_str!("data/rsa16384.pem");
const MULTI_PRIME: &str = include_str!("data/rsa-multiprime-2048.pem");

fn pem_der(pem: &str) -> Vec<u8> {
    der::pem::decode_vec(pem.as_bytes()).expect("test PEM").1
}

#[test]
fn encodings_agree() {
    let a = RsaPrivateKey::from_pem(RSA2048_PKCS1).expect("PKCS#1 PEM");
    let b = RsaPrivateKey::from_pem(RSA2048_PKCS8).expect("PKCS#8 PEM");
    let c = RsaPrivateKey::from_pkcs1_der(&pem_der(RSA2048_PKCS1)).expect("PKCS#1 DER");
    let d = RsaPrivateKey::from_pkcs8_der(&pem_der(RSA2048_PKCS8)).expect("PKCS#8 DER");
    assert_eq!(a.public_key(), b.public_key());
    assert_eq!(a.public_key(), c.public_key());
    assert_eq!(a.public_key(), d.public_key());
    let public = a.public_key();
    assert_eq!(public.modulus_bits(), 2048);
    assert_eq!(public.modulus_len(), 256);
    assert_eq!(public.e_bytes(), vec![0x01, 0x00, 0x01]);
    assert_eq!(public.n_bytes().len(), 256);

    // The public encodings: PKCS#1 RSAPublicKey, SubjectPublicKeyInfo, both as PEM.
    let der = pem_der(RSA2048_PKCS1);
    let parsed = RsaPrivateKeyRef::from_der(&der).unwrap();
    let pkcs1_pub = parsed.public_key().to_der().unwrap();
    let from_pkcs1 = RsaPublicKey::from_pkcs1_der(&pkcs1_pub).unwrap();
    assert_eq!(&from_pkcs1, public);
    let spki = spki_der(&pkcs1_pub);
    assert_eq!(&RsaPublicKey::from_public_key_der(&spki).unwrap(), public);
    let pem1 =
        der::pem::encode_string("RSA PUBLIC KEY", der::pem::LineEnding::LF, &pkcs1_pub).unwrap();
    let pem2 = der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &spki).unwrap();
    assert_eq!(&RsaPublicKey::from_pem(&pem1).unwrap(), public);
    assert_eq!(&RsaPublicKey::from_pem(&pem2).unwrap(), public);
    assert_eq!(
        &RsaPublicKey::from_components(&public.n_bytes(), &public.e_bytes()).unwrap(),
        public
    );
    // Leading zeros in the components do not matter.
    let mut n0 = vec![0, 0];
    n0.extend(public.n_bytes());
    assert_eq!(
        &RsaPublicKey::from_components(&n0, &[0, 1, 0, 1]).unwrap(),
        public
    );

    // 1024 bits is the minimum and loads.
    let small = RsaPrivateKey::from_pem(RSA1024_PKCS1).unwrap();
    assert_eq!(small.public_key().modulus_bits(), 1024);
    assert_eq!(small.public_key().modulus_len(), 128);
}

/// A SubjectPublicKeyInfo with rsaEncryption and NULL parameters around `pkcs1`.
fn spki_der(pkcs1_pub: &[u8]) -> Vec<u8> {
    let info = spki::SubjectPublicKeyInfoRef {
        algorithm: pkcs1::ALGORITHM_ID,
        subject_public_key: der::asn1::BitStringRef::from_bytes(pkcs1_pub).unwrap(),
    };
    info.to_der().unwrap()
}

#[test]
fn debug_shows_no_secret() {
    let key = RsaPrivateKey::from_pem(RSA2048_PKCS1).unwrap();
    let text = format!("{key:?}");
    assert!(text.starts_with("RsaPrivateKey"));
    // The public modulus may be shown; no prime may be.
    let der = pem_der(RSA2048_PKCS1);
    let parsed = RsaPrivateKeyRef::from_der(&der).unwrap();
    let hex_p = hex::encode(parsed.prime1.as_bytes());
    let hex_d = hex::encode(parsed.private_exponent.as_bytes());
    assert!(!text.to_lowercase().contains(&hex_p[..32]));
    assert!(!text.to_lowercase().contains(&hex_d[..32]));
}

/// Which field of the PKCS#1 structure to change.
#[derive(Clone, Copy, Debug)]
enum Field {
    E,
    D,
    P,
    Q,
    Dp,
    Dq,
    Qinv,
}

/// The PKCS#1 DER of the 2048-bit test key with `field` replaced by `value(old)`.
fn modified(field: Field, value: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let der = pem_der(RSA2048_PKCS1);
    let key = RsaPrivateKeyRef::from_der(&der).unwrap();
    let old = match field {
        Field::E => key.public_exponent,
        Field::D => key.private_exponent,
        Field::P => key.prime1,
        Field::Q => key.prime2,
        Field::Dp => key.exponent1,
        Field::Dq => key.exponent2,
        Field::Qinv => key.coefficient,
    };
    let new_bytes = value(old.as_bytes());
    let new = UintRef::new(&new_bytes).unwrap();
    let mut key = key.clone();
    match field {
        Field::E => key.public_exponent = new,
        Field::D => key.private_exponent = new,
        Field::P => key.prime1 = new,
        Field::Q => key.prime2 = new,
        Field::Dp => key.exponent1 = new,
        Field::Dq => key.exponent2 = new,
        Field::Qinv => key.coefficient = new,
    }
    key.to_der().unwrap()
}

/// Flip bit 1 of the last byte (keeps odd values odd).
fn flip_low(b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    *v.last_mut().unwrap() ^= 0x02;
    v
}

fn load_err(der: &[u8]) -> Error {
    RsaPrivateKey::from_pkcs1_der(der).expect_err("broken key must be refused")
}

#[test]
fn the_untouched_key_loads() {
    // The modification helper itself must not break the key.
    RsaPrivateKey::from_pkcs1_der(&modified(Field::P, <[u8]>::to_vec)).unwrap();
}

#[test]
fn corrupted_components_are_named() {
    type Case = (Field, fn(&[u8]) -> Vec<u8>, &'static str);
    let cases: [Case; 9] = [
        (Field::P, flip_low, "p * q != n"),
        (Field::Q, flip_low, "p * q != n"),
        (Field::D, flip_low, "dp != d mod (p - 1)"),
        (Field::Dp, flip_low, "e * dp != 1 mod (p - 1)"),
        (Field::Dq, flip_low, "e * dq != 1 mod (q - 1)"),
        (Field::Qinv, flip_low, "qinv * q != 1 mod p"),
        (
            Field::E,
            |_| vec![0x01, 0x00, 0x00],
            "public exponent e is even",
        ),
        (
            Field::E,
            |_| vec![0x01],
            "public exponent e must be greater than 1",
        ),
        (
            Field::E,
            |_| vec![0x01, 0x00, 0x03],
            "e * dp != 1 mod (p - 1)",
        ),
    ];
    for (field, f, expected) in cases {
        let err = load_err(&modified(field, f));
        assert_eq!(err, Error::InvalidKey(expected), "{field:?}");
    }
    // Out-of-range values.
    let err = load_err(&modified(Field::Qinv, |_| vec![0xff; 129]));
    assert_eq!(err, Error::InvalidKey("qinv is not less than p"));
    let err = load_err(&modified(Field::Dp, |_| vec![0xff; 128]));
    assert_eq!(err, Error::InvalidKey("dp is not less than p - 1"));
    let err = load_err(&modified(Field::D, |_| vec![0]));
    assert_eq!(
        err,
        Error::InvalidKey("private exponent d is not in the range 0 < d < n")
    );
    // p == q (q replaced by p): the product check or the equality check catches it.
    let der = pem_der(RSA2048_PKCS1);
    let p = RsaPrivateKeyRef::from_der(&der)
        .unwrap()
        .prime1
        .as_bytes()
        .to_vec();
    let err = load_err(&modified(Field::Q, |_| p.clone()));
    assert_eq!(err, Error::InvalidKey("p == q"));
    // An even prime.
    let err = load_err(&modified(Field::P, |b| {
        let mut v = b.to_vec();
        *v.last_mut().unwrap() &= 0xfe;
        v
    }));
    assert_eq!(err, Error::InvalidKey("prime p or q is even"));
}

#[test]
fn key_sizes_outside_the_range() {
    assert_eq!(
        RsaPrivateKey::from_pem(RSA512).unwrap_err(),
        Error::UnsupportedKeySize { bits: 512 }
    );
    assert_eq!(
        RsaPrivateKey::from_pem(RSA16384).unwrap_err(),
        Error::UnsupportedKeySize { bits: 16384 }
    );
    let mut n = vec![0xff; 1024 / 8 - 1];
    assert_eq!(
        RsaPublicKey::from_components(&n, &[1, 0, 1]).unwrap_err(),
        Error::UnsupportedKeySize { bits: 1016 }
    );
    n = vec![0xff; 8192 / 8 + 1];
    assert_eq!(
        RsaPublicKey::from_components(&n, &[1, 0, 1]).unwrap_err(),
        Error::UnsupportedKeySize { bits: 8200 }
    );
    assert_eq!(
        RsaPublicKey::from_components(&[], &[1, 0, 1]).unwrap_err(),
        Error::UnsupportedKeySize { bits: 0 }
    );
    // 8192 bits exactly is accepted (public key: any odd n of that size); the fixed-width
    // backend stops at 4096.
    if FIXED_BIGINT {
        assert!(matches!(
            RsaPublicKey::from_components(&[0xff; 513], &[1, 0, 1]).unwrap_err(),
            Error::Unsupported(_)
        ));
        RsaPublicKey::from_components(&[0xff; 512], &[1, 0, 1]).unwrap();
    } else {
        RsaPublicKey::from_components(&[0xff; 1024], &[1, 0, 1]).unwrap();
    }
}

#[test]
fn public_component_checks() {
    let n = [0xc5u8; 256];
    assert_eq!(
        RsaPublicKey::from_components(&[0xc4; 256], &[1, 0, 1]).unwrap_err(),
        Error::InvalidKey("modulus n is even")
    );
    assert_eq!(
        RsaPublicKey::from_components(&n, &[2]).unwrap_err(),
        Error::InvalidKey("public exponent e is even")
    );
    assert_eq!(
        RsaPublicKey::from_components(&n, &[1]).unwrap_err(),
        Error::InvalidKey("public exponent e must be greater than 1")
    );
    assert_eq!(
        RsaPublicKey::from_components(&n, &[]).unwrap_err(),
        Error::InvalidKey("public exponent e must be greater than 1")
    );
    // e >= 2^33 is refused (a public operation costs one squaring per bit of e): n - 2,
    // 2^33 + 1, and e up to n all used to be accepted.
    assert_eq!(
        RsaPublicKey::from_components(&n, &n).unwrap_err(),
        Error::UnsupportedPublicExponent { bits: 2048 }
    );
    let mut big_e = vec![0xff; 257];
    big_e[0] = 1;
    assert_eq!(
        RsaPublicKey::from_components(&n, &big_e).unwrap_err(),
        Error::UnsupportedPublicExponent { bits: 2049 }
    );
    let mut e = n;
    e[255] -= 2;
    assert_eq!(
        RsaPublicKey::from_components(&n, &e).unwrap_err(),
        Error::UnsupportedPublicExponent { bits: 2048 }
    );
    assert_eq!(
        RsaPublicKey::from_components(&n, &[2, 0, 0, 0, 1]).unwrap_err(),
        Error::UnsupportedPublicExponent { bits: 34 }
    );
    assert_eq!(
        Error::UnsupportedPublicExponent { bits: 34 }.to_string(),
        "unsupported RSA public exponent: 34 bits (supported: odd, 3 <= e < 2^33)"
    );
    // The bounds themselves: 3 and 2^33 - 1 (leading zero bytes are ignored).
    for e in [
        &[3u8][..],
        &[0, 0, 3],
        &[1, 0xff, 0xff, 0xff, 0xff],
        &[1, 0, 1],
    ] {
        let key = RsaPublicKey::from_components(&n, e).unwrap();
        assert!(key.exponent_bits() <= sanstls_crypto::rsa::MAX_PUBLIC_EXPONENT_BITS);
    }
}

#[test]
fn public_operation_cost() {
    let n = [0xc5u8; 1024];
    let key = |n: &[u8], e: &[u8]| RsaPublicKey::from_components(n, e).unwrap();
    // 8192 bits, e = 2^33 - 1: 32 squarings + 32 multiplications + 2, times 128^2 words.
    if !FIXED_BIGINT {
        let worst = key(&n, &[1, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(worst.public_op_cost(), 66 * 128 * 128);
        assert_eq!(worst.setup_cost(), 16 * 128 * 128);
    }
    // 2048 bits, e = 65537: 16 squarings + 1 multiplication + 2.
    let usual = key(&n[..256], &[1, 0, 1]);
    assert_eq!(usual.public_op_cost(), 19 * 32 * 32);
    assert_eq!(usual.exponent_bits(), 17);
    // e = 3: one squaring, one multiplication.
    assert_eq!(key(&n[..256], &[3]).public_op_cost(), 4 * 32 * 32);
}

#[test]
fn large_exponents_are_refused_in_every_encoding() {
    // The public half of private keys and SubjectPublicKeyInfo both go through the
    // same check: a PKCS#1 RSAPublicKey with e = 2^33 + 1.
    let n = [0xc5u8; 256];
    let e = [2u8, 0, 0, 0, 1];
    let pkcs1 = pkcs1::RsaPublicKey {
        modulus: UintRef::new(&n).unwrap(),
        public_exponent: UintRef::new(&e).unwrap(),
    }
    .to_der()
    .unwrap();
    assert_eq!(
        RsaPublicKey::from_pkcs1_der(&pkcs1).unwrap_err(),
        Error::UnsupportedPublicExponent { bits: 34 }
    );
    // A private key whose public half has e = 2^40 + 1 (configuration keys).
    let err = load_err(&modified(Field::E, |_| vec![1, 0, 0, 0, 0, 1]));
    assert_eq!(err, Error::UnsupportedPublicExponent { bits: 41 });
}

#[test]
fn multi_prime_keys_are_refused() {
    assert_eq!(
        RsaPrivateKey::from_pem(MULTI_PRIME).unwrap_err(),
        Error::Unsupported("multi-prime RSA private keys")
    );
}

#[test]
fn garbage_and_wrong_labels() {
    assert!(matches!(
        RsaPrivateKey::from_pkcs1_der(b"\x30\x03\x02\x01\x00").unwrap_err(),
        Error::KeyEncoding(_)
    ));
    assert!(matches!(
        RsaPrivateKey::from_pkcs1_der(&[]).unwrap_err(),
        Error::KeyEncoding(_)
    ));
    assert!(matches!(
        RsaPrivateKey::from_pkcs8_der(&pem_der(RSA2048_PKCS1)).unwrap_err(),
        Error::KeyEncoding(_)
    ));
    assert!(matches!(
        RsaPrivateKey::from_pkcs1_der(&pem_der(RSA2048_PKCS8)).unwrap_err(),
        Error::KeyEncoding(_)
    ));
    // Trailing bytes after the DER structure.
    let mut der = pem_der(RSA2048_PKCS1);
    der.push(0);
    assert!(matches!(
        RsaPrivateKey::from_pkcs1_der(&der).unwrap_err(),
        Error::KeyEncoding(_)
    ));
    // Truncation at every length never panics and never loads.
    let der = pem_der(RSA2048_PKCS1);
    for len in (0..der.len()).step_by(7) {
        assert!(RsaPrivateKey::from_pkcs1_der(&der[..len]).is_err());
    }
    assert!(matches!(
        RsaPublicKey::from_pkcs1_der(b"garbage").unwrap_err(),
        Error::KeyEncoding(_)
    ));
    assert!(matches!(
        RsaPublicKey::from_public_key_der(b"garbage").unwrap_err(),
        Error::KeyEncoding(_)
    ));
    assert!(matches!(
        RsaPrivateKey::from_pem("not a pem").unwrap_err(),
        Error::KeyEncoding(_)
    ));
    // A private key under a public label and vice versa.
    let relabelled = der::pem::encode_string(
        "CERTIFICATE",
        der::pem::LineEnding::LF,
        &pem_der(RSA2048_PKCS1),
    )
    .unwrap();
    assert_eq!(
        RsaPrivateKey::from_pem(&relabelled).unwrap_err(),
        Error::KeyEncoding("PEM label is not \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"")
    );
    assert_eq!(
        RsaPublicKey::from_pem(RSA2048_PKCS1).unwrap_err(),
        Error::KeyEncoding("PEM label is not \"RSA PUBLIC KEY\" or \"PUBLIC KEY\"")
    );
    // A PKCS#1 private key under the PKCS#8 label.
    let relabelled = der::pem::encode_string(
        "PRIVATE KEY",
        der::pem::LineEnding::LF,
        &pem_der(RSA2048_PKCS1),
    )
    .unwrap();
    assert!(matches!(
        RsaPrivateKey::from_pem(&relabelled).unwrap_err(),
        Error::KeyEncoding(_)
    ));
    // A SubjectPublicKeyInfo for another algorithm (id-ecPublicKey).
    let der = pem_der(RSA2048_PKCS1);
    let parsed = RsaPrivateKeyRef::from_der(&der).unwrap();
    let pkcs1_pub = parsed.public_key().to_der().unwrap();
    let info = spki::SubjectPublicKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: None,
        },
        subject_public_key: der::asn1::BitStringRef::from_bytes(&pkcs1_pub).unwrap(),
    };
    assert_eq!(
        RsaPublicKey::from_public_key_der(&info.to_der().unwrap()).unwrap_err(),
        Error::KeyEncoding("algorithm is not rsaEncryption")
    );
}

#[test]
fn odd_sizes_and_unequal_primes() {
    // 2049 bits from a 1025-bit and a 1024-bit prime: k = 257, and p and q have
    // different limb counts.
    let key = RsaPrivateKey::from_pem(include_str!("data/rsa2049.pem")).unwrap();
    assert_eq!(key.public_key().modulus_bits(), 2049);
    assert_eq!(key.public_key().modulus_len(), 257);
    let key = RsaPrivateKey::from_pem(include_str!("data/rsa2047.pem")).unwrap();
    assert_eq!(key.public_key().modulus_bits(), 2047);
    assert_eq!(key.public_key().modulus_len(), 256);
}

#[test]
fn badly_unbalanced_primes_are_refused() {
    // A consistent key (OpenSSL's `rsa -check` accepts it) whose n = p * q has a 200-bit p
    // and an 848-bit q.
    assert_eq!(
        RsaPrivateKey::from_pem(include_str!("data/rsa-unbalanced-1048.pem")).unwrap_err(),
        Error::InvalidKey("prime p or q is too small for the modulus")
    );
}
