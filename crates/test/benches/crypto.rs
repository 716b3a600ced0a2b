//! `cargo xtask bench crypto`: sanstls-crypto beside OpenSSL (system libssl through the
//! `openssl` crate), in one run, on the same keys and inputs.
//!
//! The RSA rows also measure RustCrypto's `rsa` crate (0.10, on the same PKCS#1 keys,
//! `testdata/server-rsa{2048,3072}.rsa.pem`): private decryption of a 48-byte TLS premaster
//! with `PrivateKey::decrypt_blinded` and `Pkcs1v15Encrypt` (blinded, implicit rejection),
//! signing with `pkcs1v15::SigningKey<Sha256>` through `RandomizedSigner` (blinded), and,
//! at 2048 bits, `PublicKey::encrypt` with `Pkcs1v15Encrypt` and
//! `pkcs1v15::VerifyingKey<Sha256>`. Every RNG is the OS generator
//! (`sanstls_crypto::rng::os_rng`).
//!
//! # Output
//!
//! One Markdown table (see `sanstls_test::bench` for the rounds), six columns on every
//! row:
//!
//! ```text
//! | operation | sanstls | OpenSSL | rsa crate | ratio | vs rsa crate |
//! ```
//!
//! `ratio` is sanstls / OpenSSL, `vs rsa crate` is sanstls / rsa crate (above 1: sanstls
//! is faster); both are rates (`op/s`, `MB/s`) so higher is faster. Rows that are not RSA
//! print `-` in the `rsa crate` and `vs rsa crate` cells. A filter argument selects
//! sections by substring (`rsa`, `dh`, `ecdh`, `ecdsa`, `aes`, `hmac`):
//! `cargo bench -p sanstls-test --bench crypto -- rsa`.

use openssl::bn::BigNum;
use openssl::bn::BigNumContext;
use openssl::derive::Deriver;
use openssl::dh::Dh;
use openssl::ec::{EcGroup as OsslEcGroup, EcKey, EcPoint};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{Signer, Verifier};
use openssl::symm::{Cipher, Crypter, Mode};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs1v15::{SigningKey, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Verifier as _};

use sanstls_crypto::cipher::AesCbcKey;
use sanstls_crypto::dh::{DhGroup, DhPrivateKey, NamedDhGroup};
use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::ecdsa::EcdsaPrivateKey;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::hmac::Hmac;
use sanstls_crypto::rng::os_rng;
use sanstls_crypto::rsa::RsaPrivateKey;
use sanstls_test::bench::{Table, Unit};
use sanstls_test::fixtures;

const BULK: usize = 16 * 1024;

fn rsa(table: &mut Table, bits: u32, public_ops: bool) {
    let pem = fixtures::read(&format!("server-rsa{bits}.rsa.pem"));
    let ours = RsaPrivateKey::from_pem(&pem).expect("sanstls loads the key");
    let theirs = Rsa::private_key_from_pem(pem.as_bytes()).expect("openssl loads the key");
    let pkey = PKey::from_rsa(theirs.clone()).expect("pkey");
    let rc = rsa::PrivateKey::from_pkcs1_pem(&pem).expect("the rsa crate loads the key");
    let rc_public = rc.to_public_key();
    let rc_signer = SigningKey::<Sha256>::new(rc.clone());
    let rc_verifier = VerifyingKey::<Sha256>::new(rc_public.clone());
    let mut rng = os_rng();
    let mut rc_rng = os_rng();

    // A TLS premaster: 48 bytes starting with the client version.
    let mut premaster = [0x42u8; 48];
    premaster[..2].copy_from_slice(&[3, 3]);
    let ct = ours
        .public_key()
        .encrypt_pkcs1v15(&mut rng, &premaster)
        .expect("encrypt");
    let mut out = [0u8; 48];
    let mut buf = vec![0u8; theirs.size() as usize];
    assert_eq!(
        rc.decrypt_blinded(&mut rc_rng, rsa::Pkcs1v15Encrypt, &ct)
            .expect("rsa crate decrypt"),
        premaster
    );
    table.compare3(
        &format!("RSA-{bits} decrypt (TLS premaster)"),
        Unit::Ops,
        || {
            let ok = ours.decrypt_tls_premaster(&mut rng, &ct, [3, 3], &mut out);
            assert!(bool::from(ok));
        },
        || {
            theirs
                .private_decrypt(&ct, &mut buf, Padding::PKCS1)
                .expect("openssl decrypt")
        },
        || {
            rc.decrypt_blinded(&mut rc_rng, rsa::Pkcs1v15Encrypt, &ct)
                .expect("rsa crate decrypt")
        },
    );

    let msg = b"sanstls benchmark: the signed part of a ServerKeyExchange";
    let mut rng2 = os_rng();
    // All three produce the same (deterministic) signature.
    let sig = ours
        .sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, msg)
        .expect("sign");
    assert_eq!(
        rc_signer.sign_with_rng(&mut rc_rng, msg).to_vec(),
        sig.as_slice()
    );
    table.compare3(
        &format!("RSA-{bits} sign PKCS#1 v1.5 SHA-256"),
        Unit::Ops,
        || {
            ours.sign_pkcs1v15(&mut rng2, HashAlgorithm::Sha256, msg)
                .expect("sign")
        },
        || {
            let mut s = Signer::new(MessageDigest::sha256(), &pkey).expect("signer");
            s.sign_oneshot_to_vec(msg).expect("openssl sign")
        },
        || rc_signer.sign_with_rng(&mut rc_rng, msg),
    );

    if public_ops {
        let public = ours.public_key();
        let mut rng3 = os_rng();
        let mut ebuf = vec![0u8; theirs.size() as usize];
        let mut rc_rng3 = os_rng();
        table.compare3(
            &format!("RSA-{bits} encrypt PKCS#1 v1.5"),
            Unit::Ops,
            || public.encrypt_pkcs1v15(&mut rng3, &premaster).expect("enc"),
            || {
                theirs
                    .public_encrypt(&premaster, &mut ebuf, Padding::PKCS1)
                    .expect("openssl encrypt")
            },
            || {
                rc_public
                    .encrypt(&mut rc_rng3, rsa::Pkcs1v15Encrypt, &premaster)
                    .expect("rsa crate encrypt")
            },
        );
        let rc_sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).expect("signature");
        table.compare3(
            &format!("RSA-{bits} verify PKCS#1 v1.5 SHA-256"),
            Unit::Ops,
            || {
                public
                    .verify_pkcs1v15(HashAlgorithm::Sha256, msg, &sig)
                    .expect("verify");
            },
            || {
                let mut v = Verifier::new(MessageDigest::sha256(), &pkey).expect("verifier");
                assert!(v.verify_oneshot(&sig, msg).expect("openssl verify"));
            },
            || rc_verifier.verify(msg, &rc_sig).expect("rsa crate verify"),
        );
    }
}

fn dh(table: &mut Table, group: NamedDhGroup, bits: u32) {
    let ours = DhGroup::named(group);
    let p = BigNum::from_slice(ours.p_bytes()).expect("p");
    let g = BigNum::from_u32(2).expect("g");
    // OpenSSL 3 recognises the RFC 7919 prime when it is set and then uses the group's
    // short private exponent, as sanstls does (RFC 7919 §5.2).
    let their_params = Dh::from_pqg(p, None, g).expect("openssl dh params");
    let mut rng = os_rng();
    let peer_ours = DhPrivateKey::generate(&ours, &mut rng).public_value();
    let peer_theirs = BigNum::from_slice(&peer_ours).expect("peer");
    table.compare(
        &format!("ffdhe{bits} key generation + shared secret"),
        Unit::Ops,
        || {
            let key = DhPrivateKey::generate(&ours, &mut rng);
            let public = key.public_value();
            let secret = key.agree(&peer_ours).expect("agree");
            (public.len(), secret.as_bytes().len())
        },
        || {
            let params = Dh::from_pqg(
                their_params.prime_p().to_owned().expect("p"),
                None,
                their_params.generator().to_owned().expect("g"),
            )
            .expect("params");
            let key = params.generate_key().expect("openssl keygen");
            key.compute_key(&peer_theirs).expect("openssl derive")
        },
    );
}

/// ECDHE as a TLS peer does it: a fresh key, its public value, and the shared secret
/// with a fixed peer value (the peer's point is decoded and checked each time, on both
/// sides).
fn ecdh(table: &mut Table, group: EcGroup) {
    let mut rng = os_rng();
    let peer = EcPrivateKey::generate(group, &mut rng).public_value();
    let (name, nid) = match group {
        EcGroup::X25519 => ("X25519", None),
        EcGroup::Secp256r1 => ("P-256", Some(Nid::X9_62_PRIME256V1)),
        _ => ("P-384", Some(Nid::SECP384R1)),
    };
    let ossl_group = nid.map(|n| OsslEcGroup::from_curve_name(n).expect("openssl group"));
    table.compare(
        &format!("ECDH {name} key generation + shared secret"),
        Unit::Ops,
        || {
            let key = EcPrivateKey::generate(group, &mut rng);
            let public = key.public_value();
            let secret = key.agree(&peer).expect("agree");
            (public.len(), secret.as_bytes().len())
        },
        || match &ossl_group {
            None => {
                let key = PKey::generate_x25519().expect("openssl keygen");
                let public = key.raw_public_key().expect("public");
                let their_peer = PKey::public_key_from_raw_bytes(&peer, Id::X25519).expect("peer");
                let mut d = Deriver::new(&key).expect("deriver");
                d.set_peer(&their_peer).expect("set peer");
                (public.len(), d.derive_to_vec().expect("derive").len())
            }
            Some(g) => {
                let key =
                    PKey::from_ec_key(EcKey::generate(g).expect("openssl keygen")).expect("pkey");
                let mut ctx = BigNumContext::new().expect("ctx");
                let public = key
                    .ec_key()
                    .expect("ec key")
                    .public_key()
                    .to_bytes(g, openssl::ec::PointConversionForm::UNCOMPRESSED, &mut ctx)
                    .expect("encode");
                let point = EcPoint::from_bytes(g, &peer, &mut ctx).expect("peer point");
                let their_peer =
                    PKey::from_ec_key(EcKey::from_public_key(g, &point).expect("peer key"))
                        .expect("peer pkey");
                let mut d = Deriver::new(&key).expect("deriver");
                d.set_peer(&their_peer).expect("set peer");
                (public.len(), d.derive_to_vec().expect("derive").len())
            }
        },
    );
}

/// ECDSA P-256 with SHA-256 on one key (made by OpenSSL, loaded by both from PKCS#8):
/// sanstls signs with the RFC 6979 nonce, OpenSSL with a random one.
fn ecdsa_p256(table: &mut Table) {
    let group = OsslEcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("group");
    let pkey = PKey::from_ec_key(EcKey::generate(&group).expect("keygen")).expect("pkey");
    let pem = pkey.private_key_to_pem_pkcs8().expect("pkcs8");
    let ours = EcdsaPrivateKey::from_pem(std::str::from_utf8(&pem).expect("utf8"))
        .expect("sanstls loads the key");
    let public = ours.public_key();
    let msg = b"sanstls benchmark: the signed part of a ServerKeyExchange";
    table.compare(
        "ECDSA P-256 sign SHA-256",
        Unit::Ops,
        || ours.sign(HashAlgorithm::Sha256, msg).expect("sign"),
        || {
            let mut s = Signer::new(MessageDigest::sha256(), &pkey).expect("signer");
            s.sign_oneshot_to_vec(msg).expect("openssl sign")
        },
    );
    let sig = ours.sign(HashAlgorithm::Sha256, msg).expect("sign");
    table.compare(
        "ECDSA P-256 verify SHA-256",
        Unit::Ops,
        || {
            public
                .verify(HashAlgorithm::Sha256, msg, &sig)
                .expect("verify");
        },
        || {
            let mut v = Verifier::new(MessageDigest::sha256(), &pkey).expect("verifier");
            assert!(v.verify_oneshot(&sig, msg).expect("openssl verify"));
        },
    );
}

fn aes(table: &mut Table, key_len: usize) {
    let key = vec![0x11u8; key_len];
    let iv = [0x22u8; 16];
    let ours = AesCbcKey::new(&key).expect("aes key");
    let cipher = if key_len == 16 {
        Cipher::aes_128_cbc()
    } else {
        Cipher::aes_256_cbc()
    };
    let mut data = vec![0x33u8; BULK];
    let input = data.clone();
    let mut out = vec![0u8; BULK + 16];
    let mut enc = Crypter::new(cipher, Mode::Encrypt, &key, Some(&iv)).expect("crypter");
    enc.pad(false);
    let mut dec = Crypter::new(cipher, Mode::Decrypt, &key, Some(&iv)).expect("crypter");
    dec.pad(false);
    let bits = key_len * 8;
    // OpenSSL's Crypter keeps the CBC chain running across calls, which costs it nothing
    // extra; sanstls restarts from the IV each call, as a record layer does.
    table.compare(
        &format!("AES-{bits}-CBC encrypt 16 KiB"),
        Unit::Bytes(BULK),
        || ours.encrypt_in_place(&iv, &mut data).expect("enc"),
        || enc.update(&input, &mut out).expect("openssl enc"),
    );
    table.compare(
        &format!("AES-{bits}-CBC decrypt 16 KiB"),
        Unit::Bytes(BULK),
        || ours.decrypt_in_place(&iv, &mut data).expect("dec"),
        || dec.update(&input, &mut out).expect("openssl dec"),
    );
}

fn hmac(table: &mut Table) {
    let key = [0x0bu8; 32];
    let data = vec![0x44u8; BULK];
    let their_key = PKey::hmac(&key).expect("hmac key");
    table.compare(
        "HMAC-SHA256 16 KiB",
        Unit::Bytes(BULK),
        || {
            let mut h = Hmac::new(HashAlgorithm::Sha256, &key).expect("SHA-256");
            h.update(&data);
            h.finish()
        },
        || {
            let mut s = Signer::new(MessageDigest::sha256(), &their_key).expect("signer");
            s.update(&data).expect("update");
            s.sign_to_vec().expect("openssl hmac")
        },
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument selects sections by substring.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    println!("OpenSSL: {}", openssl::version::version());
    let mut table = Table::with_third(
        "sanstls-crypto vs OpenSSL and (RSA rows) RustCrypto's rsa crate",
        "rsa crate",
    );
    if want("rsa") {
        rsa(&mut table, 2048, true);
        rsa(&mut table, 3072, false);
    }
    if want("dh") {
        dh(&mut table, NamedDhGroup::Ffdhe2048, 2048);
        dh(&mut table, NamedDhGroup::Ffdhe3072, 3072);
    }
    if want("ecdh") {
        ecdh(&mut table, EcGroup::X25519);
        ecdh(&mut table, EcGroup::Secp256r1);
    }
    if want("ecdsa") {
        ecdsa_p256(&mut table);
    }
    if want("aes") {
        aes(&mut table, 16);
        aes(&mut table, 32);
    }
    if want("hmac") {
        hmac(&mut table);
    }
}
