//! Finite-field DH (`sanstls_crypto::dh`): agreement in every named group, validation of
//! peer values and of server-chosen groups, and the RFC 5246 §8.1.2 leading-zero rule.

use sanstls_crypto::Error;
use sanstls_crypto::dh::{DhGroup, DhPrivateKey, MAX_P_BITS, MIN_P_BITS, NamedDhGroup};
use sanstls_crypto::rng::SeededRng;

/// Whether sanstls-crypto runs on its fixed-width big-integer backend, which refuses
/// moduli over 4096 bits (targets without atomic pointers, or `--cfg sanstls_fixed_bigint`).
const FIXED_BIGINT: bool = cfg!(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint));

fn rng(seed: u8) -> SeededRng {
    SeededRng::from_seed([seed; 32])
}

/// `bytes` plus one, big-endian, same length (no overflow in the cases used here).
fn plus(bytes: &[u8], mut n: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for b in out.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(n);
        *b = v;
        if !carry {
            break;
        }
        n = 1;
    }
    out
}

/// `bytes` minus `n` (no borrow past the first byte in the cases used here).
fn minus(bytes: &[u8], mut n: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for b in out.iter_mut().rev() {
        let (v, borrow) = b.overflowing_sub(n);
        *b = v;
        if !borrow {
            break;
        }
        n = 1;
    }
    out
}

#[test]
fn two_keys_agree_in_every_named_group() {
    let mut rng = rng(1);
    for named in NamedDhGroup::ALL {
        let group = DhGroup::named(named);
        let a = DhPrivateKey::generate(&group, &mut rng);
        let b = DhPrivateKey::generate(&group, &mut rng);
        assert_eq!(a.group(), &group);
        let pa = a.public_value();
        let pb = b.public_value();
        assert_eq!(
            pa.len(),
            group.p_bytes().len(),
            "{named:?}: public value padded to |p|"
        );
        assert_ne!(pa, pb);
        let sa = a.agree(&pb).unwrap();
        let sb = b.agree(&pa).unwrap();
        assert_eq!(sa.as_bytes(), sb.as_bytes(), "{named:?}");
        assert_ne!(sa.as_bytes()[0], 0, "leading zeros are stripped");
        assert!(sa.as_bytes().len() <= group.p_bytes().len());
        // A third party gets a different secret.
        let c = DhPrivateKey::generate(&group, &mut rng);
        assert_ne!(c.agree(&pa).unwrap().as_bytes(), sa.as_bytes());
    }
}

#[test]
fn generation_is_deterministic_in_the_rng() {
    let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let a = DhPrivateKey::generate(&group, &mut rng(7));
    let b = DhPrivateKey::generate(&group, &mut rng(7));
    let c = DhPrivateKey::generate(&group, &mut rng(8));
    assert_eq!(a.public_value(), b.public_value());
    assert_ne!(a.public_value(), c.public_value());
}

#[test]
fn out_of_range_peer_values_are_rejected() {
    let mut rng = rng(2);
    for named in NamedDhGroup::ALL {
        let group = DhGroup::named(named);
        let key = DhPrivateKey::generate(&group, &mut rng);
        let p = group.p_bytes();
        let len = p.len();
        let mut too_long = vec![0u8];
        too_long.extend_from_slice(&key.public_value());
        let bad: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("0", vec![0]),
            ("0 padded", vec![0; len]),
            ("1", vec![1]),
            ("1 padded", {
                let mut v = vec![0; len];
                v[len - 1] = 1;
                v
            }),
            ("p - 1", minus(p, 1)),
            ("p", p.to_vec()),
            ("p + 1", plus(p, 1)),
            ("all ones (> p)", vec![0xff; len]),
            ("longer than p", too_long),
            ("far too long", vec![0x01; len + 8]),
        ];
        for (what, value) in bad {
            assert_eq!(
                key.agree(&value).unwrap_err(),
                Error::InvalidDhPublicValue,
                "{named:?}: {what}"
            );
        }
        // The extremes of the valid range are accepted: 2 and p - 2.
        let two = key.agree(&[2]).unwrap();
        key.agree(&minus(p, 2)).unwrap();
        // Leading zeros in the peer's encoding do not matter.
        assert_eq!(key.agree(&[0, 0, 2]).unwrap().as_bytes(), two.as_bytes());
        // With g = 2, agreeing with Y = 2 gives g^x: the public value, unpadded.
        let public = key.public_value();
        let first = public.iter().position(|&b| b != 0).unwrap();
        assert_eq!(two.as_bytes(), &public[first..]);
    }
}

/// RFC 5246 §8.1.2: leading zero bytes of Z are stripped. Search deterministic keys until
/// g^x has a leading zero byte (about 1 in 256); the padded public value and the secret
/// with Y = g must then differ by exactly the stripped zeros.
#[test]
fn leading_zero_bytes_are_stripped() {
    let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let mut rng = rng(3);
    let mut found = 0;
    for _ in 0..4000 {
        let key = DhPrivateKey::generate(&group, &mut rng);
        let public = key.public_value();
        if public[0] != 0 {
            continue;
        }
        found += 1;
        let secret = key.agree(group.g_bytes()).unwrap();
        let zeros = public.iter().take_while(|&&b| b == 0).count();
        assert_eq!(secret.as_bytes().len(), public.len() - zeros);
        assert_eq!(secret.as_bytes(), &public[zeros..]);
        assert_ne!(secret.as_bytes()[0], 0);
        // The other side of a real exchange gets the same, shorter secret.
        let peer = DhPrivateKey::generate(&group, &mut rng);
        let ours = key.agree(&peer.public_value()).unwrap();
        let theirs = peer.agree(&public).unwrap();
        assert_eq!(ours.as_bytes(), theirs.as_bytes());
        if found == 2 {
            return;
        }
    }
    panic!("no public value with a leading zero byte in 4000 keys (found {found})");
}

#[test]
fn named_groups_are_recognised_from_bytes() {
    for named in NamedDhGroup::ALL {
        let reference = DhGroup::named(named);
        let group = DhGroup::from_bytes(reference.p_bytes(), &[2]).unwrap();
        assert_eq!(group.named_group(), Some(named));
        assert_eq!(group, reference);
        assert_eq!(group.security_bits(), named.security_bits());
        // Leading zeros on the wire do not change the group.
        let mut padded_p = vec![0, 0];
        padded_p.extend_from_slice(reference.p_bytes());
        let group = DhGroup::from_bytes(&padded_p, &[0, 2]).unwrap();
        assert_eq!(group.named_group(), Some(named));
        assert_eq!(group.p_bytes(), reference.p_bytes());
        assert_eq!(group.g_bytes(), [2]);
        // The same p with another generator is a custom group.
        let other = DhGroup::from_bytes(reference.p_bytes(), &[5]).unwrap();
        assert_eq!(other.named_group(), None);
        assert_ne!(other, reference);
        // Keys made from the recognised group interoperate with the named one.
        let mut rng = rng(4);
        let a = DhPrivateKey::generate(&group, &mut rng);
        let b = DhPrivateKey::generate(&reference, &mut rng);
        assert_eq!(
            a.agree(&b.public_value()).unwrap().as_bytes(),
            b.agree(&a.public_value()).unwrap().as_bytes()
        );
    }
}

fn invalid_params(p: &[u8], g: &[u8]) -> bool {
    matches!(
        DhGroup::from_bytes(p, g),
        Err(Error::InvalidDhParameters(_))
    )
}

#[test]
fn server_groups_are_sanity_checked() {
    let ffdhe2048 = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let p = ffdhe2048.p_bytes();

    // Even p.
    assert!(invalid_params(&minus(p, 1), &[2]));
    // p = 0 or empty.
    assert!(invalid_params(&[], &[2]));
    assert!(invalid_params(&[0, 0], &[2]));
    // g <= 1.
    for g in [&[][..], &[0], &[1], &[0, 0, 1]] {
        assert!(invalid_params(p, g), "g = {g:?}");
    }
    // g >= p - 1.
    assert!(invalid_params(p, &minus(p, 1)));
    assert!(invalid_params(p, p));
    assert!(invalid_params(p, &plus(p, 2)));
    let mut longer_g = vec![1];
    longer_g.extend_from_slice(p);
    assert!(invalid_params(p, &longer_g));
    // g = p - 2 is the largest accepted.
    assert!(DhGroup::from_bytes(p, &minus(p, 2)).is_ok());

    // Size limits: 511 bits rejected, 512 accepted, 8192 accepted, 8193 rejected.
    let odd_with_bits = |bits: u32| {
        let mut v = vec![0u8; bits.div_ceil(8) as usize];
        v[0] = 1 << ((bits - 1) % 8);
        *v.last_mut().unwrap() |= 1;
        v
    };
    assert!(invalid_params(&odd_with_bits(MIN_P_BITS - 1), &[2]));
    assert!(invalid_params(&odd_with_bits(64), &[2]));
    let small = DhGroup::from_bytes(&odd_with_bits(MIN_P_BITS), &[2]).unwrap();
    assert_eq!(small.p_bits(), 512);
    if FIXED_BIGINT {
        assert!(matches!(
            DhGroup::from_bytes(&odd_with_bits(4097), &[2]).unwrap_err(),
            Error::Unsupported(_)
        ));
        assert_eq!(
            DhGroup::from_bytes(&odd_with_bits(4096), &[2])
                .unwrap()
                .p_bits(),
            4096
        );
    } else {
        let big = DhGroup::from_bytes(&odd_with_bits(MAX_P_BITS), &[2]).unwrap();
        assert_eq!(big.p_bits(), 8192);
    }
    assert!(invalid_params(&odd_with_bits(MAX_P_BITS + 1), &[2]));
}

#[test]
fn security_estimates_for_custom_sizes() {
    let odd_with_bits = |bits: u32| {
        let mut v = vec![0xa5u8; bits.div_ceil(8) as usize];
        v[0] = 1 << ((bits - 1) % 8) | 1;
        *v.last_mut().unwrap() |= 1;
        v
    };
    // NIST SP 800-57 Part 1 Table 2 steps, and the rough figures below 1024 bits.
    for (bits, sec, min_exp) in [
        (512, 56, 225),
        (767, 56, 225),
        (768, 64, 225),
        (1024, 80, 225),
        (2047, 80, 225),
        (2048, 112, 225),
        (3072, 128, 256),
        (4096, 128, 256),
        (7680, 192, 384),
        (8192, 192, 384),
    ] {
        if FIXED_BIGINT && bits > 4096 {
            continue;
        }
        let group = DhGroup::from_bytes(&odd_with_bits(bits), &[2]).unwrap();
        assert_eq!(group.p_bits(), bits);
        assert_eq!(group.named_group(), None);
        assert_eq!(group.security_bits(), sec, "{bits}");
        assert_eq!(group.min_exponent_bits(), min_exp, "{bits}");
    }
}

/// Agreement also works in a custom (server-chosen) group, including one whose modulus
/// length is not a multiple of 64 bits.
#[test]
fn custom_group_agreement() {
    // 1000-bit odd modulus: agreement commutes modulo any modulus, prime or not.
    let mut p = vec![0x9cu8; 125];
    p[0] = 0xc3;
    p[124] = 0x5b;
    let group = DhGroup::from_bytes(&p, &[7]).unwrap();
    assert_eq!(group.p_bits(), 1000);
    let mut rng = rng(5);
    let a = DhPrivateKey::generate(&group, &mut rng);
    let b = DhPrivateKey::generate_with_bits(&group, &mut rng, 999).unwrap();
    assert_eq!(a.public_value().len(), 125);
    assert_eq!(
        a.agree(&b.public_value()).unwrap().as_bytes(),
        b.agree(&a.public_value()).unwrap().as_bytes()
    );
    assert!(matches!(
        DhPrivateKey::generate_with_bits(&group, &mut rng, 1000),
        Err(Error::InvalidDhParameters(_))
    ));
}
