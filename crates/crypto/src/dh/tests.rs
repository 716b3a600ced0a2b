use super::*;
use crate::hash::HashAlgorithm;
use crate::rng::SeededRng;
use crypto_bigint::{BoxedUint, Limb, NonZero};
use std::vec;

fn sha256_hex(bytes: &[u8]) -> std::string::String {
    hex::encode(HashAlgorithm::Sha256.hash(bytes).unwrap().as_slice())
}

fn key_from_hex(group: &DhGroup, hex_exponent: &str, bits: u32) -> DhPrivateKey {
    let bytes = hex::decode(hex_exponent).unwrap();
    assert_eq!(bit_len(strip_leading_zeros(&bytes)), bits);
    let x = Nat::from_be(&bytes, bits).unwrap();
    DhPrivateKey::from_exponent(group, x, bits)
}

/// `floor(2^k * e)`, as the sum of `floor(2^(k+64) / n!)` shifted back down: each term
/// loses less than 1, and the ~700 terms lose far less than the 64 guard bits.
fn floor_pow2_times_e(k: u32, precision: u32) -> BoxedUint {
    const GUARD: u32 = 64;
    assert!(precision >= k + GUARD + 2, "e < 4 must fit");
    let mut term = BoxedUint::one_with_precision(precision).shl(k + GUARD);
    let mut sum = BoxedUint::zero_with_precision(precision);
    let mut n: u64 = 0;
    while term.is_nonzero().to_bool() {
        sum = sum.wrapping_add(&term);
        n += 1;
        let divisor = NonZero::new(Limb::from(n)).unwrap();
        term = term.div_rem_limb(divisor).0;
    }
    sum.shr(GUARD)
}

/// RFC 7919 Appendix A: p = 2^b - 2^(b-64) + ([2^(b-130) e] + X) * 2^64 - 1. Recompute
/// every named modulus from the formula and compare it byte for byte.
#[test]
fn named_moduli_follow_the_rfc_7919_formula() {
    for (named, x) in [
        (NamedDhGroup::Ffdhe2048, 560_316_u64),
        (NamedDhGroup::Ffdhe3072, 2_625_351),
        (NamedDhGroup::Ffdhe4096, 5_736_041),
    ] {
        let b = named.p_bits();
        let precision = b + 128;
        let one = BoxedUint::one_with_precision(precision);
        let mid = floor_pow2_times_e(b - 130, precision)
            .wrapping_add(BoxedUint::from_be_slice(&x.to_be_bytes(), precision).unwrap())
            .shl(64);
        let p = one
            .shl(b)
            .wrapping_sub(one.shl(b - 64))
            .wrapping_add(&mid)
            .wrapping_sub(&one);
        let bytes = p.to_be_bytes();
        let expected = &bytes[bytes.len() - (b / 8) as usize..];
        assert!(
            bytes[..bytes.len() - (b / 8) as usize]
                .iter()
                .all(|&v| v == 0)
        );
        assert_eq!(named.p(), expected, "{named:?}");
        // High and low 64 bits set (RFC 7919 §2).
        assert_eq!(named.p()[..8], [0xff; 8]);
        assert_eq!(named.p()[named.p().len() - 8..], [0xff; 8]);
    }
}

#[test]
fn named_group_metadata() {
    let expect = [
        (NamedDhGroup::Ffdhe2048, 0x0100, 103, 225, 2048),
        (NamedDhGroup::Ffdhe3072, 0x0101, 125, 275, 3072),
        (NamedDhGroup::Ffdhe4096, 0x0102, 150, 325, 4096),
    ];
    for (named, code, sec, min_exp, bits) in expect {
        assert_eq!(named.code_point(), code);
        assert_eq!(NamedDhGroup::from_code_point(code), Some(named));
        assert_eq!(named.security_bits(), sec);
        let group = DhGroup::named(named);
        assert_eq!(group.named_group(), Some(named));
        assert_eq!(group.p_bits(), bits);
        assert_eq!(group.p_bytes().len() as u32 * 8, bits);
        assert_eq!(group.g_bytes(), [2]);
        assert_eq!(group.security_bits(), sec);
        assert_eq!(group.min_exponent_bits(), min_exp);
    }
    assert_eq!(NamedDhGroup::from_code_point(0x0103), None);
    assert_eq!(NamedDhGroup::from_code_point(0x0017), None);
}

/// Known exponents: public values and the shared secret against Python's
/// `pow(2, x, p)` (values compared through their SHA-256 to keep the vectors short).
#[test]
fn known_exponents_match_independent_computation() {
    struct Case {
        named: NamedDhGroup,
        bits: u32,
        xa: &'static str,
        xb: &'static str,
        a_prefix: &'static str,
        a_sha: &'static str,
        b_sha: &'static str,
        z_sha: &'static str,
    }
    let cases = [
        Case {
            named: NamedDhGroup::Ffdhe2048,
            bits: 225,
            xa: "0138284fdbc06acc1c258a46c0836a9c5a828c652b9088a7a19c279bf1",
            xb: "012c34ca36198a14fe1f461f1f285c30d890a7db26b4f40993cba962f7",
            a_prefix: "d0f7d8bd9359cf68",
            a_sha: "ad5b01fe76350e7814d2592336048f5a599b0fe788969d241a85d80b8681c6d3",
            b_sha: "0dfed8626b6c30462d708d881d2b49bb2419e376f85027acaeea25c38d63df08",
            z_sha: "e4bafc9d3e487a89b7b52d2fb6af33ccad006b2efbe8a053630f2b5f2062cc2e",
        },
        Case {
            named: NamedDhGroup::Ffdhe4096,
            bits: 325,
            xa: "138284fdbc06acc1c258a46c0836a9c5a828c652b9088a7a19c279bf13ea41c839271c53972d1dbd29",
            xb: "12c34ca36198a14fe1f461f1f285c30d890a7db26b4f40993cba962f70b20a5a4d2932c6af493f4867",
            a_prefix: "d1b1a238d1893933",
            a_sha: "c198d9e2fa7e8540b924836e1767719fa89c4a12cce4fe9182696fbe82450087",
            b_sha: "5b3e1d6a71e2949b7234cce24c9c3bdeb16f3c94de4902a657c0617b2052c16e",
            z_sha: "f4428c21820085c4b124cc7dca58dc117e928994f6f8b704ef4e2294e3e95a0e",
        },
    ];
    for c in cases {
        let group = DhGroup::named(c.named);
        let a = key_from_hex(&group, c.xa, c.bits);
        let b = key_from_hex(&group, c.xb, c.bits);
        let pa = a.public_value();
        assert_eq!(pa.len(), group.p_bytes().len());
        assert_eq!(hex::encode(&pa[..8]), c.a_prefix);
        assert_eq!(sha256_hex(&pa), c.a_sha, "{:?}", c.named);
        assert_eq!(sha256_hex(&b.public_value()), c.b_sha, "{:?}", c.named);
        let z1 = a.agree(&b.public_value()).unwrap();
        let z2 = b.agree(&pa).unwrap();
        assert_eq!(z1.as_bytes(), z2.as_bytes());
        assert_eq!(sha256_hex(z1.as_bytes()), c.z_sha, "{:?}", c.named);
    }
}

#[test]
fn strip_leading_zeros_in_place_removes_exactly_the_leading_zeros() {
    let cases: [(&[u8], &[u8]); 6] = [
        (&[], &[]),
        (&[0], &[]),
        (&[0, 0, 0], &[]),
        (&[1, 0, 2], &[1, 0, 2]),
        (&[0, 0, 7, 0, 0], &[7, 0, 0]),
        (&[0, 0x80], &[0x80]),
    ];
    for (input, want) in cases {
        let mut v = input.to_vec();
        strip_leading_zeros_in_place(&mut v);
        assert_eq!(v, want, "{input:?}");
    }
}

/// A composite modulus p = (2^300 + 1)(2^300 - 1) = 2^600 - 1 passes the cheap checks;
/// Y = 2^600 - 2^300 - 1 is a square root of 1 other than ±1 (Y = 1 mod 2^300 + 1,
/// Y = -1 mod 2^300 - 1), so an even exponent maps it to 1, which must be rejected.
#[test]
fn result_of_one_is_rejected() {
    let one = BoxedUint::one_with_precision(640);
    let p_int = one.shl(600).wrapping_sub(&one);
    let p = p_int.to_be_bytes();
    let p = strip_leading_zeros(&p).to_vec();
    assert_eq!(p.len(), 75);
    let group = DhGroup::from_bytes(&p, &[3]).unwrap();
    assert_eq!(group.named_group(), None);
    let y = p_int.wrapping_sub(one.shl(300)).to_be_bytes();
    let y = strip_leading_zeros(&y).to_vec();

    let bits = group.min_exponent_bits();
    let mut even = vec![0x55u8; bits.div_ceil(8) as usize];
    *even.last_mut().unwrap() &= 0xfe;
    let mut odd = even.clone();
    *odd.last_mut().unwrap() |= 1;
    let first_bits = 8 - (bits.div_ceil(8) * 8 - bits);
    even[0] = 1 << (first_bits - 1);
    odd[0] = 1 << (first_bits - 1);

    let k_even = key_from_hex(&group, &hex::encode(&even), bits);
    assert_eq!(k_even.agree(&y).unwrap_err(), Error::InvalidDhPublicValue);
    // With an odd exponent the same Y gives Y itself: accepted, and equal to Y.
    let k_odd = key_from_hex(&group, &hex::encode(&odd), bits);
    assert_eq!(k_odd.agree(&y).unwrap().as_bytes(), y.as_slice());
}

#[test]
fn exponent_length_bounds() {
    let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let mut rng = SeededRng::from_seed([9; 32]);
    for bits in [0, 1, 224] {
        assert!(matches!(
            DhPrivateKey::generate_with_bits(&group, &mut rng, bits),
            Err(Error::InvalidDhParameters(_))
        ));
    }
    for bits in [2048, 2049, 9000] {
        assert!(matches!(
            DhPrivateKey::generate_with_bits(&group, &mut rng, bits),
            Err(Error::InvalidDhParameters(_))
        ));
    }
    for bits in [225, 256, 2047] {
        let k = DhPrivateKey::generate_with_bits(&group, &mut rng, bits).unwrap();
        assert_eq!(bit_len(strip_leading_zeros(&k.x.to_be_bytes())), bits);
        assert_eq!(k.exponent_bits, bits);
    }
    let k = DhPrivateKey::generate(&group, &mut rng);
    assert_eq!(bit_len(strip_leading_zeros(&k.x.to_be_bytes())), 225);
    for named in NamedDhGroup::ALL {
        let group = DhGroup::named(named);
        let k = DhPrivateKey::generate(&group, &mut rng);
        assert_eq!(
            bit_len(strip_leading_zeros(&k.x.to_be_bytes())),
            named.min_exponent_bits()
        );
    }
}

/// The group without its fixed-width form: the generic path.
fn generic(group: &DhGroup) -> DhGroup {
    let mut inner = (*group.inner).clone();
    assert!(inner.fast.is_some(), "{group:?} has a fixed-width form");
    inner.fast = None;
    DhGroup {
        inner: Shared::new(inner),
    }
}

/// The fixed-width path (comb and windowed exponentiation) computes what the generic
/// path computes, for public values and shared secrets, in every named group, with the
/// shortest and a long exponent (beyond the comb's reach), and rejects the same peer
/// values.
#[test]
fn fast_path_matches_generic_path() {
    let mut rng = SeededRng::from_seed([21; 32]);
    for named in NamedDhGroup::ALL {
        let fast = DhGroup::named(named);
        let slow = generic(&fast);
        for bits in [named.min_exponent_bits(), named.min_exponent_bits() + 100] {
            let a = random_exponent(&mut rng, bits);
            let b = random_exponent(&mut rng, bits);
            let (a_fast, a_slow) = (
                DhPrivateKey::from_exponent(&fast, a.clone(), bits),
                DhPrivateKey::from_exponent(&slow, a, bits),
            );
            let b_fast = DhPrivateKey::from_exponent(&fast, b, bits);
            assert_eq!(a_fast.public_value(), a_slow.public_value(), "{named:?}");
            let s1 = a_fast.agree(&b_fast.public_value()).unwrap();
            let s2 = a_slow.agree(&b_fast.public_value()).unwrap();
            let s3 = b_fast.agree(&a_fast.public_value()).unwrap();
            assert_eq!(s1.as_bytes(), s2.as_bytes(), "{named:?}");
            assert_eq!(s1.as_bytes(), s3.as_bytes(), "{named:?}");
            // Out-of-range peer values: 0, 1, p - 1, p, and a value longer than p.
            let p = fast.p_bytes().to_vec();
            let mut p_minus_1 = p.clone();
            *p_minus_1.last_mut().unwrap() -= 1;
            let long = vec![1u8; p.len() + 1];
            for bad in [&[0u8][..], &[1], &p_minus_1, &p, &long] {
                assert!(a_fast.agree(bad).is_err(), "{named:?}");
                assert!(a_slow.agree(bad).is_err(), "{named:?}");
            }
            // 2 and p - 2 are accepted by both.
            let mut p_minus_2 = p.clone();
            *p_minus_2.last_mut().unwrap() -= 2;
            for ok in [&[2u8][..], &p_minus_2] {
                let s1 = a_fast.agree(ok).unwrap();
                let s2 = a_slow.agree(ok).unwrap();
                assert_eq!(s1.as_bytes(), s2.as_bytes(), "{named:?}");
            }
        }
    }
}
