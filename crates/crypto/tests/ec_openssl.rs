//! Cross-check of `sanstls_crypto::ecdh` and `sanstls_crypto::ecdsa` against the
//! `openssl` command-line tool (OpenSSL 3): ECDH in both directions on X25519, P-256 and
//! P-384; ECDSA signatures made by OpenSSL verify here and ours verify in OpenSSL; the
//! PKCS#8 and SEC 1 private keys OpenSSL writes (DER and PEM) load here.
//!
//! The `openssl` binary is required. If it is missing, these tests fail with a message
//! saying so (CI installs it); they never pass without having run it.
#![cfg(feature = "ec")]

use std::path::Path;

use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPrivateKey, EcdsaPublicKey};
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;

mod common;
use common::{TempDir, openssl};

/// The DER SubjectPublicKeyInfo prefix (everything before the key bits) for each group:
/// id-ecPublicKey with the named curve (RFC 5480 §2), or id-X25519 (RFC 8410 §4).
fn spki_prefix(group: EcGroup) -> &'static [u8] {
    match group {
        EcGroup::X25519 => &[
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
        ],
        EcGroup::Secp256r1 => &[
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ],
        _ => &[
            0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
        ],
    }
}

fn genpkey_args(group: EcGroup) -> Vec<&'static str> {
    match group {
        EcGroup::X25519 => vec!["genpkey", "-algorithm", "X25519", "-out", "theirs.pem"],
        EcGroup::Secp256r1 => vec![
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "theirs.pem",
        ],
        _ => vec![
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            "theirs.pem",
        ],
    }
}

/// The public value OpenSSL's key holds, in the TLS encoding (the SPKI's key bits).
fn their_public(dir: &Path, group: EcGroup) -> Vec<u8> {
    let spki = openssl(
        dir,
        &["pkey", "-in", "theirs.pem", "-pubout", "-outform", "DER"],
    );
    assert!(
        spki.starts_with(spki_prefix(group)),
        "unexpected SPKI from openssl"
    );
    let point = spki[spki_prefix(group).len()..].to_vec();
    assert_eq!(point.len(), group.public_len());
    point
}

#[test]
fn ecdh_agrees_with_openssl() {
    let mut rng = SeededRng::from_seed([0x31; 32]);
    for group in EcGroup::ALL {
        for round in 0..3 {
            let dir = TempDir::new(&format!("ecdh-{}-{round}", group.code_point()));
            openssl(&dir.0, &genpkey_args(group));
            let theirs = their_public(&dir.0, group);

            let ours = EcPrivateKey::generate(group, &mut rng);
            let mut spki = spki_prefix(group).to_vec();
            spki.extend_from_slice(&ours.public_value());
            std::fs::write(dir.path("ours.der"), &spki).unwrap();

            let openssl_secret = openssl(
                &dir.0,
                &[
                    "pkeyutl",
                    "-derive",
                    "-inkey",
                    "theirs.pem",
                    "-peerkey",
                    "ours.der",
                    "-peerform",
                    "DER",
                ],
            );
            let our_secret = ours.agree(&theirs).unwrap();
            assert_eq!(our_secret.as_bytes(), &openssl_secret[..], "{group:?}");
            assert_eq!(openssl_secret.len(), group.secret_len());
        }
    }
}

fn curve_name(curve: EcdsaCurve) -> &'static str {
    match curve {
        EcdsaCurve::P256 => "ec_paramgen_curve:P-256",
        _ => "ec_paramgen_curve:P-384",
    }
}

fn dgst_flag(hash: HashAlgorithm) -> &'static str {
    match hash {
        HashAlgorithm::Sha1 => "-sha1",
        HashAlgorithm::Sha256 => "-sha256",
        HashAlgorithm::Sha384 => "-sha384",
        _ => "-sha512",
    }
}

#[test]
fn ecdsa_interoperates_with_openssl() {
    let pairs = [
        (EcdsaCurve::P256, HashAlgorithm::Sha256),
        (EcdsaCurve::P384, HashAlgorithm::Sha384),
        (EcdsaCurve::P256, HashAlgorithm::Sha384),
        (EcdsaCurve::P384, HashAlgorithm::Sha256),
        (EcdsaCurve::P256, HashAlgorithm::Sha512),
    ];
    let mut rng = SeededRng::from_seed([0x32; 32]);
    let built = |h: HashAlgorithm| {
        cfg!(feature = "sha512") || !matches!(h, HashAlgorithm::Sha384 | HashAlgorithm::Sha512)
    };
    for (i, (curve, hash)) in pairs.into_iter().enumerate() {
        if !built(hash) {
            continue;
        }
        let dir = TempDir::new(&format!("ecdsa-{i}"));
        openssl(
            &dir.0,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                curve_name(curve),
                "-out",
                "k.pem",
            ],
        );
        openssl(
            &dir.0,
            &["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"],
        );
        // (OpenSSL 3.0's `pkey -outform DER` writes SEC 1 for EC keys; `pkcs8 -topk8`
        // writes PKCS#8.)
        openssl(
            &dir.0,
            &[
                "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k8.der",
            ],
        );
        openssl(&dir.0, &["ec", "-in", "k.pem", "-out", "k1.pem"]);
        openssl(
            &dir.0,
            &["ec", "-in", "k.pem", "-outform", "DER", "-out", "k1.der"],
        );
        let spki = openssl(
            &dir.0,
            &["pkey", "-in", "k.pem", "-pubout", "-outform", "DER"],
        );
        let point = &spki[spki.len() - curve.public_len()..];
        let public = EcdsaPublicKey::from_sec1(curve, point).unwrap();

        // Every encoding OpenSSL writes loads, as the same key.
        let pem8 = std::fs::read_to_string(dir.path("k.pem")).unwrap();
        let pem1 = std::fs::read_to_string(dir.path("k1.pem")).unwrap();
        assert!(pem8.contains("BEGIN PRIVATE KEY"));
        assert!(pem1.contains("BEGIN EC PRIVATE KEY"));
        let keys = [
            EcdsaPrivateKey::from_pem(&pem8).unwrap(),
            EcdsaPrivateKey::from_pem(&pem1).unwrap(),
            EcdsaPrivateKey::from_pkcs8_der(&std::fs::read(dir.path("k8.der")).unwrap()).unwrap(),
            EcdsaPrivateKey::from_sec1_der(&std::fs::read(dir.path("k1.der")).unwrap()).unwrap(),
            EcdsaPrivateKey::from_der(&std::fs::read(dir.path("k8.der")).unwrap()).unwrap(),
            EcdsaPrivateKey::from_der(&std::fs::read(dir.path("k1.der")).unwrap()).unwrap(),
        ];
        for k in &keys {
            assert_eq!(k.curve(), curve);
            assert_eq!(k.public_key(), public);
        }

        let msg = format!("message {i} for {curve:?} with {hash:?}").into_bytes();
        std::fs::write(dir.path("msg"), &msg).unwrap();

        // OpenSSL signs, we verify.
        let sig = openssl(&dir.0, &["dgst", dgst_flag(hash), "-sign", "k.pem", "msg"]);
        public.verify(hash, &msg, &sig).unwrap();
        assert!(public.verify(hash, b"other", &sig).is_err());

        // We sign (deterministic and hedged), OpenSSL verifies.
        for (j, sig) in [
            keys[0].sign(hash, &msg).unwrap(),
            keys[1].sign_hedged(hash, &msg, &mut rng).unwrap(),
        ]
        .into_iter()
        .enumerate()
        {
            let name = format!("ours{j}.sig");
            std::fs::write(dir.path(&name), &sig).unwrap();
            let out = openssl(
                &dir.0,
                &[
                    "dgst",
                    dgst_flag(hash),
                    "-verify",
                    "pub.pem",
                    "-signature",
                    &name,
                    "msg",
                ],
            );
            assert!(String::from_utf8_lossy(&out).contains("Verified OK"));
        }
    }
}
