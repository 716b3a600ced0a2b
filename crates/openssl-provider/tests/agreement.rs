//! Key agreement between the OpenSSL provider's keys and the built-in ones, both ways,
//! in every group: the RFC 7919 groups, server-chosen groups, X25519, secp256r1 and
//! secp384r1; through [`DhEphemeral`] and [`EcEphemeral`], the way sanstls-proto calls them.

mod common;

use sanstls_crypto::Error;
use sanstls_crypto::dh::{DhGroup, DhPrivateKey, NamedDhGroup};
use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::provider::{BuiltIn, CryptoProvider, DhEphemeral, EcEphemeral};
use sanstls_crypto::rng::SeededRng;
use sanstls_openssl::OpensslProvider;

/// RFC 3526 group 14 (2048-bit MODP), g = 2: a server-chosen group sanstls accepts.
const MODP2048_P: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

fn groups() -> Vec<(String, DhGroup)> {
    let mut out: Vec<(String, DhGroup)> = NamedDhGroup::ALL
        .into_iter()
        .map(|n| (format!("{n:?}"), DhGroup::named(n)))
        .collect();
    let p = hex::decode(MODP2048_P).unwrap();
    out.push((
        "MODP 2048 (RFC 3526)".into(),
        DhGroup::from_bytes(&p, &[2]).unwrap(),
    ));
    out
}

#[test]
fn dh_agrees_with_built_in_both_ways_in_every_group() {
    let mut rng = SeededRng::from_seed([1; 32]);
    for (name, group) in groups() {
        for _ in 0..3 {
            let ossl = DhEphemeral::generate(&OpensslProvider, &group, &mut rng).unwrap();
            assert!(matches!(ossl, DhEphemeral::Provided(..)), "{name}");
            let ours = DhEphemeral::generate(&BuiltIn, &group, &mut rng).unwrap();
            assert!(matches!(ours, DhEphemeral::BuiltIn(_)), "{name}");
            assert_eq!(ossl.public_value().len(), group.p_bytes().len(), "{name}");
            let a = ossl.agree(&ours.public_value()).unwrap();
            let b = ours.agree(&ossl.public_value()).unwrap();
            assert_eq!(a, b, "{name}");
            assert_ne!(a[0], 0, "{name}: leading zero kept");
            // Two provider keys agree too.
            let other = DhEphemeral::generate(&OpensslProvider, &group, &mut rng).unwrap();
            assert_eq!(
                other.agree(&ossl.public_value()).unwrap(),
                ossl.agree(&other.public_value()).unwrap(),
                "{name}"
            );
        }
    }
}

/// The exponent is `min_exponent_bits` long and comes from the generator given: the
/// same seed gives the built-in key's public value.
#[test]
fn dh_exponent_is_drawn_like_the_built_in_one() {
    for (name, group) in groups() {
        let ossl = OpensslProvider
            .start_dh(&group, &mut SeededRng::from_seed([7; 32]))
            .unwrap()
            .unwrap();
        let ours = DhPrivateKey::generate(&group, &mut SeededRng::from_seed([7; 32]));
        assert_eq!(ossl.public_value(), ours.public_value(), "{name}");
    }
}

/// RFC 5246 §8.1.2: the secret loses its leading zero bytes. About one agreement in 256
/// has one, so many agreements in a small (512-bit, odd, not prime: DH arithmetic
/// works modulo any odd number) group find some; every one must match the built-in
/// secret, which strips them.
#[test]
fn dh_secret_has_no_leading_zeros() {
    let mut p = hex::decode(&MODP2048_P[..128]).unwrap();
    *p.last_mut().unwrap() |= 1;
    let group = DhGroup::from_bytes(&p, &[2]).unwrap();
    let mut rng = SeededRng::from_seed([2; 32]);
    let mut short = 0;
    for i in 0..3000 {
        let ossl = DhEphemeral::generate(&OpensslProvider, &group, &mut rng).unwrap();
        let ours = DhEphemeral::generate(&BuiltIn, &group, &mut rng).unwrap();
        let a = ossl.agree(&ours.public_value()).unwrap();
        let b = ours.agree(&ossl.public_value()).unwrap();
        assert_eq!(a, b, "agreement {i}");
        assert_ne!(a[0], 0, "agreement {i}");
        if a.len() < p.len() {
            short += 1;
        }
    }
    eprintln!("{short} of 3000 secrets were shorter than p");
    assert!(
        short > 0,
        "no secret with a leading zero byte: the test is vacuous"
    );
}

/// What sanstls checks before the provider sees a value (1 < Y < p - 1), and what the
/// provider refuses itself (a value longer than p), through `DhEphemeral`.
#[test]
fn dh_bad_peer_values_are_refused() {
    let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let mut rng = SeededRng::from_seed([3; 32]);
    let ossl = DhEphemeral::generate(&OpensslProvider, &group, &mut rng).unwrap();
    let mut p_minus_1 = group.p_bytes().to_vec();
    *p_minus_1.last_mut().unwrap() -= 1;
    let mut longer = vec![0u8; 257];
    longer[256] = 2;
    for bad in [
        &[][..],
        &[0],
        &[1],
        &[0, 1],
        group.p_bytes(),
        &p_minus_1,
        &[0xff; 256],
    ] {
        assert_eq!(ossl.agree(bad).unwrap_err(), Error::InvalidDhPublicValue);
    }
    // The provider's own length check (for direct use): a value longer than p.
    let direct = OpensslProvider.start_dh(&group, &mut rng).unwrap().unwrap();
    assert_eq!(
        direct.agree(&longer).unwrap_err(),
        Error::InvalidDhPublicValue
    );
    assert_eq!(direct.agree(&[]).unwrap_err(), Error::InvalidDhPublicValue);
    // A zero byte before a full-length value: longer than p, refused by both providers.
    let ours = DhEphemeral::generate(&BuiltIn, &group, &mut rng).unwrap();
    let mut padded = vec![0u8];
    padded.extend_from_slice(&ours.public_value());
    assert_eq!(
        ossl.agree(&padded).unwrap_err(),
        Error::InvalidDhPublicValue
    );
    assert_eq!(
        ours.agree(&padded).unwrap_err(),
        Error::InvalidDhPublicValue
    );
    // A value shorter than p (in range): taken.
    assert!(!ossl.agree(&[0x02; 100]).unwrap().is_empty());
}

#[test]
fn ecdh_agrees_with_built_in_both_ways_on_every_curve() {
    let mut rng = SeededRng::from_seed([5; 32]);
    for group in EcGroup::ALL {
        for _ in 0..20 {
            let ossl = EcEphemeral::generate(&OpensslProvider, group, &mut rng).unwrap();
            assert!(matches!(ossl, EcEphemeral::Provided(_)), "{group:?}");
            let ours = EcEphemeral::generate(&BuiltIn, group, &mut rng).unwrap();
            assert!(matches!(ours, EcEphemeral::BuiltIn(_)), "{group:?}");
            assert_eq!(ossl.public_value().len(), group.public_len(), "{group:?}");
            let a = ossl.agree(&ours.public_value()).unwrap();
            let b = ours.agree(&ossl.public_value()).unwrap();
            assert_eq!(a.len(), group.secret_len(), "{group:?}");
            assert_eq!(a, b, "{group:?}");
            let other = EcEphemeral::generate(&OpensslProvider, group, &mut rng).unwrap();
            assert_eq!(
                other.agree(&ossl.public_value()).unwrap(),
                ossl.agree(&other.public_value()).unwrap(),
                "{group:?}"
            );
        }
    }
}

/// X25519 low-order points (RFC 7748 §6.1; the list of Bernstein's curve25519 page):
/// the all-zero secret is refused by the provider.
#[test]
fn x25519_low_order_points_are_refused() {
    let low_order: [&str; 7] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    let mut rng = SeededRng::from_seed([6; 32]);
    let ossl = OpensslProvider
        .start_ecdh(EcGroup::X25519, &mut rng)
        .unwrap()
        .unwrap();
    let ours = EcPrivateKey::generate(EcGroup::X25519, &mut rng);
    for hex_point in low_order {
        let point = hex::decode(hex_point).unwrap();
        assert_eq!(
            ossl.agree(&point).unwrap_err(),
            Error::ZeroSharedSecret,
            "{hex_point}"
        );
        assert_eq!(
            ours.agree(&point).unwrap_err(),
            Error::ZeroSharedSecret,
            "{hex_point}"
        );
    }
}
