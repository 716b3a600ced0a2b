//! `sanstls_crypto::ecdh` and `sanstls_crypto::ecdsa`: round trips and refusals (bad
//! lengths, compressed points, points off the curve, the identity, small-order X25519
//! values, non-DER signatures, keys of the wrong kind).
#![cfg(feature = "ec")]

use sanstls_crypto::Error;
use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPrivateKey, EcdsaPublicKey};
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;

#[test]
fn ecdh_agrees_both_ways() {
    let mut rng = SeededRng::from_seed([9; 32]);
    for group in EcGroup::ALL {
        for _ in 0..4 {
            let a = EcPrivateKey::generate(group, &mut rng);
            let b = EcPrivateKey::generate(group, &mut rng);
            assert_ne!(a.public_value(), b.public_value());
            let x = a.agree(&b.public_value()).unwrap();
            let y = b.agree(&a.public_value()).unwrap();
            assert_eq!(x.as_bytes(), y.as_bytes());
            assert_eq!(x.as_bytes().len(), group.secret_len());
        }
    }
}

#[test]
fn ecdh_refuses_wrong_lengths() {
    let mut rng = SeededRng::from_seed([10; 32]);
    for group in EcGroup::ALL {
        let a = EcPrivateKey::generate(group, &mut rng);
        let p = a.public_value();
        assert_eq!(a.agree(&p[..p.len() - 1]).err(), Some(Error::InvalidLength));
        let mut long = p.clone();
        long.push(0);
        assert_eq!(a.agree(&long).err(), Some(Error::InvalidLength));
        assert_eq!(a.agree(&[]).err(), Some(Error::InvalidLength));
    }
}

#[test]
fn ecdh_nist_refuses_bad_points() {
    let mut rng = SeededRng::from_seed([11; 32]);
    for group in [EcGroup::Secp256r1, EcGroup::Secp384r1] {
        let a = EcPrivateKey::generate(group, &mut rng);
        let b = EcPrivateKey::generate(group, &mut rng).public_value();
        // Off the curve: change the last byte of Y.
        let mut off = b.clone();
        *off.last_mut().unwrap() ^= 1;
        assert_eq!(a.agree(&off).err(), Some(Error::InvalidEcPoint));
        // The identity has no uncompressed form; all zero after 0x04 is off the curve.
        let mut zero = vec![0u8; group.public_len()];
        zero[0] = 0x04;
        assert_eq!(a.agree(&zero).err(), Some(Error::InvalidEcPoint));
        // Compressed and hybrid forms at the uncompressed length, and a bad prefix.
        for prefix in [0x00, 0x02, 0x03, 0x06, 0x07, 0x05] {
            let mut p = b.clone();
            p[0] = prefix;
            assert_eq!(
                a.agree(&p).err(),
                Some(Error::InvalidEcPoint),
                "prefix {prefix}"
            );
        }
        // Coordinates not below p: X = p (all 0xff is above p for both curves).
        let mut big = b.clone();
        for byte in &mut big[1..=group.secret_len()] {
            *byte = 0xff;
        }
        assert_eq!(a.agree(&big).err(), Some(Error::InvalidEcPoint));
    }
}

#[test]
fn x25519_refuses_small_order_points() {
    let mut rng = SeededRng::from_seed([12; 32]);
    let a = EcPrivateKey::generate(EcGroup::X25519, &mut rng);
    // Points of order 1, 2, 4 and 8 (RFC 7748 §6.1; the list from Bernstein's
    // "Curve25519: new Diffie-Hellman speed records" page), and p + 0 / p + 1 forms.
    let mut low_order: Vec<[u8; 32]> = vec![[0; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }];
    let hexes = [
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    for h in hexes {
        low_order.push(hex::decode(h).unwrap().try_into().unwrap());
    }
    for p in low_order {
        let got = a.agree(&p);
        // p - 1 (order 2) and the others all give zero.
        assert_eq!(
            got.unwrap_err(),
            Error::ZeroSharedSecret,
            "{}",
            hex::encode(p)
        );
    }
}

#[test]
fn ecdh_from_bytes_checks_the_scalar() {
    assert_eq!(
        EcPrivateKey::from_bytes(EcGroup::Secp256r1, &[0; 31]).unwrap_err(),
        Error::InvalidLength
    );
    assert!(matches!(
        EcPrivateKey::from_bytes(EcGroup::Secp256r1, &[0; 32]),
        Err(Error::InvalidKey(_))
    ));
    assert!(matches!(
        EcPrivateKey::from_bytes(EcGroup::Secp384r1, &[0xff; 48]),
        Err(Error::InvalidKey(_))
    ));
}

/// RFC 7748 §6.1's Alice/Bob test vector.
#[test]
fn x25519_rfc7748_vector() {
    let a = EcPrivateKey::from_bytes(
        EcGroup::X25519,
        &hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a").unwrap(),
    )
    .unwrap();
    let b = EcPrivateKey::from_bytes(
        EcGroup::X25519,
        &hex::decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb").unwrap(),
    )
    .unwrap();
    assert_eq!(
        hex::encode(a.public_value()),
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    );
    assert_eq!(
        hex::encode(b.public_value()),
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    );
    let k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assert_eq!(
        hex::encode(a.agree(&b.public_value()).unwrap().as_bytes()),
        k
    );
    assert_eq!(
        hex::encode(b.agree(&a.public_value()).unwrap().as_bytes()),
        k
    );
}

/// The hashes of this build (SHA-384 and SHA-512 need the `sha512` feature).
fn hashes() -> Vec<HashAlgorithm> {
    let mut v = vec![HashAlgorithm::Sha1, HashAlgorithm::Sha256];
    if cfg!(feature = "sha512") {
        v.extend([HashAlgorithm::Sha384, HashAlgorithm::Sha512]);
    }
    v
}

/// Without `sha512`, SHA-384 signatures are refused as left out, not as bad.
#[cfg(not(feature = "sha512"))]
#[test]
fn ecdsa_sha384_left_out() {
    let mut rng = SeededRng::from_seed([16; 32]);
    let key = EcdsaPrivateKey::generate(EcdsaCurve::P384, &mut rng);
    assert!(matches!(
        key.sign(HashAlgorithm::Sha384, b"x"),
        Err(Error::LeftOut { .. })
    ));
    let sig = key.sign(HashAlgorithm::Sha256, b"x").unwrap();
    assert!(matches!(
        key.public_key().verify(HashAlgorithm::Sha384, b"x", &sig),
        Err(Error::LeftOut { .. })
    ));
}

#[test]
fn ecdsa_round_trips() {
    let mut rng = SeededRng::from_seed([13; 32]);
    for curve in EcdsaCurve::ALL {
        let key = EcdsaPrivateKey::generate(curve, &mut rng);
        let public = key.public_key();
        assert_eq!(public.curve(), curve);
        assert_eq!(
            EcdsaPublicKey::from_sec1(curve, &public.to_sec1()).unwrap(),
            public
        );
        for hash in hashes() {
            let sig = key.sign(hash, b"round trip").unwrap();
            // RFC 6979: deterministic.
            assert_eq!(sig, key.sign(hash, b"round trip").unwrap());
            public.verify(hash, b"round trip", &sig).unwrap();
            assert_eq!(
                public.verify(hash, b"round trap", &sig),
                Err(Error::BadSignature)
            );
            let hedged = key.sign_hedged(hash, b"round trip", &mut rng).unwrap();
            assert_ne!(hedged, sig);
            public.verify(hash, b"round trip", &hedged).unwrap();
            // Another key does not verify it.
            let other = EcdsaPrivateKey::generate(curve, &mut rng).public_key();
            assert_eq!(
                other.verify(hash, b"round trip", &sig),
                Err(Error::BadSignature)
            );
        }
    }
}

/// Re-encodes a DER ECDSA-Sig-Value with non-minimal (padded) INTEGERs, long-form
/// lengths, trailing bytes, and truncations: all must be refused.
#[test]
fn ecdsa_refuses_non_der_signatures() {
    let mut rng = SeededRng::from_seed([14; 32]);
    for curve in EcdsaCurve::ALL {
        let key = EcdsaPrivateKey::generate(curve, &mut rng);
        let public = key.public_key();
        let hash = if cfg!(feature = "sha512") {
            curve.natural_hash()
        } else {
            HashAlgorithm::Sha256
        };
        let sig = key.sign(hash, b"strict").unwrap();
        public.verify(hash, b"strict", &sig).unwrap();
        let bad = |s: &[u8]| public.verify(hash, b"strict", s);

        // Truncated at every length, and overlong by a trailing byte.
        for n in 0..sig.len() {
            assert_eq!(bad(&sig[..n]), Err(Error::BadSignature), "truncated to {n}");
        }
        let mut trailing = sig.clone();
        trailing.push(0);
        assert_eq!(bad(&trailing), Err(Error::BadSignature));

        // Parse (r, s) out of the short-form DER (P-256/P-384 sequences are < 128 bytes).
        assert_eq!(sig[0], 0x30);
        let body = &sig[2..];
        assert_eq!(body[0], 0x02);
        let r = &body[2..2 + usize::from(body[1])];
        let rest = &body[2 + r.len()..];
        assert_eq!(rest[0], 0x02);
        let s = &rest[2..2 + usize::from(rest[1])];

        let int = |v: &[u8]| {
            let mut out = vec![0x02, v.len() as u8];
            out.extend_from_slice(v);
            out
        };
        let seq = |parts: &[Vec<u8>], long: bool| {
            let body: Vec<u8> = parts.concat();
            let mut out = vec![0x30];
            if long {
                out.push(0x81);
            }
            out.push(body.len() as u8);
            out.extend_from_slice(&body);
            out
        };
        // Sanity: rebuilding gives the original.
        assert_eq!(seq(&[int(r), int(s)], false), sig);
        // Long-form length (BER, not DER).
        assert_eq!(bad(&seq(&[int(r), int(s)], true)), Err(Error::BadSignature));
        // An extra leading zero on r or s (non-minimal INTEGER).
        let mut r0 = vec![0];
        r0.extend_from_slice(r);
        let mut s0 = vec![0];
        s0.extend_from_slice(s);
        assert_eq!(
            bad(&seq(&[int(&r0), int(s)], false)),
            Err(Error::BadSignature)
        );
        assert_eq!(
            bad(&seq(&[int(r), int(&s0)], false)),
            Err(Error::BadSignature)
        );
        // r and s swapped, zero r, an extra element.
        assert_eq!(
            bad(&seq(&[int(s), int(r)], false)),
            Err(Error::BadSignature)
        );
        assert_eq!(
            bad(&seq(&[int(&[0]), int(s)], false)),
            Err(Error::BadSignature)
        );
        assert_eq!(
            bad(&seq(&[int(r), int(s), int(&[1])], false)),
            Err(Error::BadSignature)
        );
        // Raw r || s (IEEE P1363) is not DER.
        assert_eq!(bad(&[r, s].concat()), Err(Error::BadSignature));
    }
}

#[test]
fn ecdsa_public_key_refusals() {
    let mut rng = SeededRng::from_seed([15; 32]);
    for curve in EcdsaCurve::ALL {
        let point = EcdsaPrivateKey::generate(curve, &mut rng)
            .public_key()
            .to_sec1();
        let mut off = point.clone();
        *off.last_mut().unwrap() ^= 1;
        assert!(matches!(
            EcdsaPublicKey::from_sec1(curve, &off),
            Err(Error::InvalidKey(_))
        ));
        let mut compressed = point[..=curve.public_len() / 2].to_vec();
        compressed[0] = 0x02 | (point.last().unwrap() & 1);
        assert!(matches!(
            EcdsaPublicKey::from_sec1(curve, &compressed),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            EcdsaPublicKey::from_sec1(curve, &[0]),
            Err(Error::InvalidKey(_))
        ));
        let mut zero = vec![0u8; curve.public_len()];
        zero[0] = 4;
        assert!(matches!(
            EcdsaPublicKey::from_sec1(curve, &zero),
            Err(Error::InvalidKey(_))
        ));
    }
    // A P-256 point is not a P-384 key.
    let p256 = EcdsaPrivateKey::generate(EcdsaCurve::P256, &mut rng)
        .public_key()
        .to_sec1();
    assert!(EcdsaPublicKey::from_sec1(EcdsaCurve::P384, &p256).is_err());
}

/// PKCS#8 wrappers built by hand: an RSA key is "not an EC key", a secp256k1 key is an
/// unsupported curve, garbage is an encoding error.
#[test]
fn ecdsa_private_key_refusals() {
    // PKCS#8 with rsaEncryption and an empty (bogus) key: refused on the algorithm.
    let rsa = hex::decode("3016020100300d06092a864886f70d0101010500040200ff").unwrap();
    assert_eq!(
        EcdsaPrivateKey::from_pkcs8_der(&rsa).unwrap_err(),
        Error::InvalidKey("not an EC key (PKCS#8 algorithm is not id-ecPublicKey)")
    );
    // id-ecPublicKey with secp256k1 (1.3.132.0.10).
    let k1 = hex::decode("3017020100301006072a8648ce3d020106052b8104000a0400").unwrap();
    assert!(matches!(
        EcdsaPrivateKey::from_pkcs8_der(&k1),
        Err(Error::Unsupported(_))
    ));
    assert!(matches!(
        EcdsaPrivateKey::from_der(&[0x30, 0x00]),
        Err(Error::KeyEncoding(_))
    ));
    assert!(matches!(
        EcdsaPrivateKey::from_sec1_der(&[1, 2, 3]),
        Err(Error::KeyEncoding(_))
    ));
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n";
    assert!(matches!(
        EcdsaPrivateKey::from_pem(pem),
        Err(Error::KeyEncoding(_))
    ));
    // Scalar import: zero and n are refused; 1 works.
    assert!(EcdsaPrivateKey::from_scalar(EcdsaCurve::P256, &[0; 32]).is_err());
    let mut one = [0u8; 48];
    one[47] = 1;
    assert!(EcdsaPrivateKey::from_scalar(EcdsaCurve::P384, &one).is_ok());
    assert!(EcdsaPrivateKey::from_scalar(EcdsaCurve::P384, &one[..32]).is_err());
}
