//! EC keys and ECDSA certificate signatures (feature `ecdsa`): the testdata chains
//! (P-384 root, P-256 intermediate, P-256 / P-384 leaves, and RSA/EC mixes) validate
//! with the expected end-entity key, and broken ones are refused for the right reason,
//! each cross-checked with `openssl verify`.
#![cfg(feature = "ecdsa")]

mod common;

use common::certgen::{Spec, cn, openssl_verify, public};
use common::{NOW, anchors, chain, verify_certs};
use openssl::ec::{Asn1Flag, EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use sanstls_crypto::ecdsa::EcdsaCurve;
use sanstls_pki::{
    Error, KeyPurpose, PublicKey, TrustAnchor, VerifiedPath, VerifyOptions, pem_to_der_certs,
};

/// The private key of `testdata/<name>.pkcs8.pem` (RSA or EC).
fn pkcs8(name: &str) -> PKey<Private> {
    PKey::private_key_from_pem(common::read(&format!("{name}.pkcs8.pem")).as_bytes())
        .expect("testdata key")
}

/// The curve of an EC end-entity key, `None` for RSA.
fn curve(key: &PublicKey) -> Option<EcdsaCurve> {
    match key {
        PublicKey::Rsa(_) => None,
        PublicKey::Ecdsa(k) => Some(k.curve()),
        _ => unreachable!("only RSA and EC keys exist"),
    }
}

fn verify(
    certs: &[Vec<u8>],
    root: &str,
    purpose: KeyPurpose,
    name: Option<&str>,
) -> Result<VerifiedPath, Error> {
    verify_certs(
        certs,
        &[root],
        purpose,
        name,
        NOW,
        &VerifyOptions::default(),
    )
}

/// `openssl verify` over DER certificates under the root `root` (`host` checked when it
/// is a DNS name).
fn openssl(certs: &[Vec<u8>], root: &str, purpose: &str, host: Option<&str>) -> bool {
    openssl_says(certs, root, purpose, host).is_ok()
}

fn openssl_says(
    certs: &[Vec<u8>],
    root: &str,
    purpose: &str,
    host: Option<&str>,
) -> Result<(), String> {
    let root = common::cert(root);
    let chain: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let host = host.filter(|h| h.parse::<std::net::IpAddr>().is_err());
    openssl_verify(&[&root], &chain, purpose, host)
}

#[test]
fn ecdsa_chains_validate_to_their_roots() {
    let server = KeyPurpose::ServerAuth;
    let client = KeyPurpose::ClientAuth;
    // (chain, root, purpose, name, end-entity curve or None for RSA)
    let cases = [
        (
            "server-ecdsa-p256",
            "ca-ecdsa-root",
            server,
            Some("localhost"),
            Some(EcdsaCurve::P256),
        ),
        (
            "server-ecdsa-p256",
            "ca-ecdsa-root",
            server,
            Some("www.example.test"),
            Some(EcdsaCurve::P256),
        ),
        (
            "server-ecdsa-p384",
            "ca-ecdsa-root",
            server,
            Some("127.0.0.1"),
            Some(EcdsaCurve::P384),
        ),
        (
            "client-ecdsa",
            "ca-ecdsa-root",
            client,
            None,
            Some(EcdsaCurve::P256),
        ),
        // Mixed: a P-256 leaf under the RSA intermediate and root, and an RSA leaf
        // under the P-256 intermediate and P-384 root.
        (
            "server-ecdsa-rsaca",
            "ca-root",
            server,
            Some("localhost"),
            Some(EcdsaCurve::P256),
        ),
        (
            "ecdsa-leaf",
            "ca-root",
            server,
            Some("localhost"),
            Some(EcdsaCurve::P256),
        ),
        (
            "server-rsa-ecdsaca",
            "ca-ecdsa-root",
            server,
            Some("a.example.test"),
            None,
        ),
        // An RSA leaf signed with ECDSA by a P-256 CA under the RSA root.
        (
            "bad-ecdsa-signed",
            "ca-root",
            server,
            Some("localhost"),
            None,
        ),
    ];
    for (name, root, purpose, host, want) in cases {
        let certs = chain(name);
        let path = verify(&certs, root, purpose, host)
            .unwrap_or_else(|e| panic!("{name} under {root}: {e}"));
        assert_eq!(curve(path.public_key()), want, "{name}");
        if want.is_none() {
            assert_eq!(
                path.public_key()
                    .as_rsa()
                    .map(sanstls_crypto::rsa::RsaPublicKey::modulus_bits),
                Some(2048)
            );
        }
        assert_eq!(path.certificates().len(), 2, "{name}");
        assert_eq!(
            path.anchor_subject(),
            Some(anchors(&[root]).iter().next().unwrap().subject()),
            "{name}"
        );
        let purpose_name = match purpose {
            KeyPurpose::ServerAuth => "sslserver",
            KeyPurpose::ClientAuth => "sslclient",
        };
        assert!(openssl(&certs, root, purpose_name, host), "{name}: openssl");
        // The other purpose fails on the extendedKeyUsage.
        let other = match purpose {
            KeyPurpose::ServerAuth => client,
            KeyPurpose::ClientAuth => server,
        };
        assert_eq!(
            verify(&certs, root, other, None).unwrap_err(),
            Error::InvalidExtendedKeyUsage,
            "{name}"
        );
    }
    // Not under the other family's root.
    assert_eq!(
        verify(
            &chain("server-ecdsa-p256"),
            "ca-root",
            server,
            Some("localhost")
        )
        .unwrap_err(),
        Error::UnknownIssuer
    );
    // The name is still checked.
    assert_eq!(
        verify(
            &chain("server-ecdsa-p384"),
            "ca-ecdsa-root",
            server,
            Some("example.org")
        )
        .unwrap_err(),
        Error::NameMismatch
    );
}

#[test]
fn ec_keys_of_anchors_and_trusted_end_entities() {
    let root = TrustAnchor::from_cert_der(&common::cert("ca-ecdsa-root")).unwrap();
    assert_eq!(
        root.public_key().map(curve),
        Ok(Some(EcdsaCurve::P384)),
        "{root:?}"
    );
    let rsa_root = TrustAnchor::from_cert_der(&common::cert("ca-root")).unwrap();
    assert!(rsa_root.public_key().unwrap().as_rsa().is_some());
    assert!(rsa_root.public_key().unwrap().as_ecdsa().is_none());

    let leaf = VerifiedPath::from_trusted_end_entity(&common::cert("server-ecdsa-p384")).unwrap();
    let key = leaf.public_key().as_ecdsa().expect("an EC key");
    assert_eq!(key.curve(), EcdsaCurve::P384);
    assert!(leaf.public_key().as_rsa().is_none());
    assert!(leaf.allows_digital_signature() && !leaf.allows_key_encipherment());
    // The key in the certificate is the one of the private key file.
    let pk = pkcs8("server-ecdsa-p384");
    let point = pk
        .ec_key()
        .unwrap()
        .public_key()
        .to_bytes(
            pk.ec_key().unwrap().group(),
            openssl::ec::PointConversionForm::UNCOMPRESSED,
            &mut openssl::bn::BigNumContext::new().unwrap(),
        )
        .unwrap();
    assert_eq!(key.to_sec1(), point);
    // Equality of keys: same certificate, same key; another curve, another key.
    let again = VerifiedPath::from_trusted_end_entity(&common::cert("server-ecdsa-p384")).unwrap();
    assert_eq!(leaf.public_key(), again.public_key());
    let p256 = VerifiedPath::from_trusted_end_entity(&common::cert("server-ecdsa-p256")).unwrap();
    assert_ne!(leaf.public_key(), p256.public_key());
}

/// The DER TLV at the start of `der`: (header length, content length).
fn tlv_len(der: &[u8]) -> (usize, usize) {
    match der[1] {
        n @ 0..=0x7f => (2, usize::from(n)),
        0x81 => (3, usize::from(der[2])),
        0x82 => (4, usize::from(der[2]) << 8 | usize::from(der[3])),
        _ => panic!("test certificates are under 64 KiB"),
    }
}

/// A TLV with `tag` and `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    match content.len() {
        n @ 0..=0x7f => v.push(n as u8),
        n @ 0x80..=0xff => v.extend([0x81, n as u8]),
        n => v.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    v.extend_from_slice(content);
    v
}

/// The TLVs inside a SEQUENCE's content.
fn children(mut content: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (h, n) = tlv_len(content);
        out.push(&content[..h + n]);
        content = &content[h + n..];
    }
    out
}

/// `cert` with both signature AlgorithmIdentifiers replaced by `alg`, re-signed with
/// `signer` over SHA-256 (so that only the algorithm identifier is wrong).
fn with_signature_algorithm(cert: &[u8], alg: &[u8], signer: &PKey<Private>) -> Vec<u8> {
    let (h, n) = tlv_len(cert);
    let parts = children(&cert[h..h + n]);
    let (th, tn) = tlv_len(parts[0]);
    let old_alg = parts[1];
    let tbs_fields: Vec<u8> = children(&parts[0][th..th + tn])
        .into_iter()
        .flat_map(|f| if f == old_alg { alg } else { f }.iter().copied())
        .collect();
    let tbs = tlv(0x30, &tbs_fields);
    let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), signer).unwrap();
    s.update(&tbs).unwrap();
    let mut bits = vec![0];
    bits.extend(s.sign_to_vec().unwrap());
    tlv(0x30, &[tbs, alg.to_vec(), tlv(0x03, &bits)].concat())
}

#[test]
fn a_flipped_ecdsa_signature_does_not_verify() {
    // The last octet of a certificate is in the signature's `s`: flipping a bit there
    // keeps the DER valid.
    for (name, at) in [
        // The leaf (ecdsa-with-SHA256 by the P-256 intermediate).
        ("server-ecdsa-p256", 0),
        // The intermediate (ecdsa-with-SHA384 by the P-384 root).
        ("server-ecdsa-p256", 1),
        // The P-256 leaf signed with SHA-384.
        ("server-ecdsa-p384", 0),
        // An RSA leaf under the EC intermediate.
        ("server-rsa-ecdsaca", 0),
    ] {
        let mut certs = chain(name);
        *certs[at].last_mut().unwrap() ^= 0x01;
        assert_eq!(
            verify(
                &certs,
                "ca-ecdsa-root",
                KeyPurpose::ServerAuth,
                Some("localhost")
            )
            .unwrap_err(),
            Error::BadSignature,
            "{name} certificate {at}"
        );
        assert!(
            !openssl(&certs, "ca-ecdsa-root", "sslserver", None),
            "{name}"
        );
    }
    // An EC key's signature in a certificate that claims RSA, and the reverse: the
    // issuer key does not fit the algorithm.
    let int_key = pkcs8("ca-ecdsa-int");
    let rsa_int_key = pkcs8("ca-int");
    let sha256_rsa = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
    ];
    let ecdsa_sha256 = [
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];
    let mut certs = chain("server-ecdsa-p256");
    certs[0] = with_signature_algorithm(&certs[0], &sha256_rsa, &int_key);
    assert_eq!(
        verify(&certs, "ca-ecdsa-root", KeyPurpose::ServerAuth, None).unwrap_err(),
        Error::BadSignature
    );
    assert!(!openssl(&certs, "ca-ecdsa-root", "sslserver", None));
    let mut certs = chain("server-ecdsa-rsaca");
    certs[0] = with_signature_algorithm(&certs[0], &ecdsa_sha256, &rsa_int_key);
    assert_eq!(
        verify(&certs, "ca-root", KeyPurpose::ServerAuth, None).unwrap_err(),
        Error::BadSignature
    );
    assert!(!openssl(&certs, "ca-root", "sslserver", None));
}

#[test]
fn ecdsa_with_parameters_is_refused() {
    // RFC 5758 §3.2: ecdsa-with-SHA256's parameters MUST be absent. Here NULL, in both
    // AlgorithmIdentifiers, with a valid signature over the changed tbsCertificate.
    let with_null = [
        0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00,
    ];
    let mut certs = chain("server-ecdsa-p256");
    certs[0] = with_signature_algorithm(&certs[0], &with_null, &pkcs8("ca-ecdsa-int"));
    let err = verify(
        &certs,
        "ca-ecdsa-root",
        KeyPurpose::ServerAuth,
        Some("localhost"),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Malformed(m) if m.contains("RFC 5758")),
        "{err:?}"
    );
    // OpenSSL is lenient here: it verifies the signature and ignores the NULL.
    assert!(openssl(
        &certs,
        "ca-ecdsa-root",
        "sslserver",
        Some("localhost")
    ));
    // The same certificate without the NULL, re-signed likewise, is fine (so the
    // refusal above is the parameters' alone).
    let absent = &with_null[..12];
    let mut fixed = absent.to_vec();
    fixed[1] = 0x0a;
    let mut certs = chain("server-ecdsa-p256");
    certs[0] = with_signature_algorithm(&certs[0], &fixed, &pkcs8("ca-ecdsa-int"));
    assert!(
        verify(
            &certs,
            "ca-ecdsa-root",
            KeyPurpose::ServerAuth,
            Some("localhost")
        )
        .is_ok()
    );
}

/// A server leaf for `localhost` with `key`, issued and signed (SHA-256) by
/// `ca-ecdsa-int`.
fn leaf_under_ecdsa_int(key: &PKey<Private>) -> Vec<Vec<u8>> {
    let int = chain("server-ecdsa-p256").remove(1);
    let int_name = openssl::x509::X509::from_der(&int)
        .unwrap()
        .subject_name()
        .to_owned()
        .unwrap();
    let pk = public(key);
    let signer = pkcs8("ca-ecdsa-int");
    let leaf = Spec::new(cn("localhost"), int_name, &pk, &signer)
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:FALSE")
        .ext(Nid::KEY_USAGE, "critical,digitalSignature")
        .ext(Nid::EXT_KEY_USAGE, "serverAuth")
        .ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost")
        .der();
    vec![leaf, int]
}

fn ec_key_on(nid: Nid, explicit: bool) -> PKey<Private> {
    let mut group = EcGroup::from_curve_name(nid).unwrap();
    if explicit {
        group.set_asn1_flag(Asn1Flag::EXPLICIT_CURVE);
    }
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

#[test]
fn unsupported_curves_are_named() {
    for (nid, name) in [
        (Nid::SECP521R1, "curve secp521r1 (P-521)"),
        (Nid::SECP256K1, "curve secp256k1"),
        (Nid::SECP224R1, "curve secp224r1 (P-224)"),
    ] {
        let certs = leaf_under_ecdsa_int(&ec_key_on(nid, false));
        let err = verify(
            &certs,
            "ca-ecdsa-root",
            KeyPurpose::ServerAuth,
            Some("localhost"),
        )
        .unwrap_err();
        assert_eq!(err, Error::UnsupportedEcKey(name));
        assert_eq!(
            err.to_string(),
            format!("unsupported EC public key: {name}")
        );
        assert_eq!(err.alert(), sanstls_pki::AlertCode::UNSUPPORTED_CERTIFICATE);
        // A limitation: OpenSSL accepts these curves.
        assert!(
            openssl(&certs, "ca-ecdsa-root", "sslserver", Some("localhost")),
            "{name}"
        );
    }
    // A P-521 intermediate: nothing verifies under it.
    let p521 = ec_key_on(Nid::SECP521R1, false);
    let root_key = pkcs8("ca-ecdsa-root");
    let root_name = openssl::x509::X509::from_der(&common::cert("ca-ecdsa-root"))
        .unwrap()
        .subject_name()
        .to_owned()
        .unwrap();
    let int = Spec::new(cn("P-521 CA"), root_name, &public(&p521), &root_key)
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE")
        .ext(Nid::KEY_USAGE, "critical,keyCertSign")
        .digest(MessageDigest::sha384())
        .der();
    let leaf_key = pkcs8("server-ecdsa-p256");
    let leaf = Spec::new(cn("leaf"), cn("P-521 CA"), &public(&leaf_key), &p521)
        .ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost")
        .digest(MessageDigest::sha512())
        .der();
    let certs = vec![leaf, int];
    assert_eq!(
        verify(
            &certs,
            "ca-ecdsa-root",
            KeyPurpose::ServerAuth,
            Some("localhost")
        )
        .unwrap_err(),
        Error::UnsupportedEcKey("curve secp521r1 (P-521)")
    );
    assert!(openssl(
        &certs,
        "ca-ecdsa-root",
        "sslserver",
        Some("localhost")
    ));
}

#[test]
fn explicit_curve_parameters_are_refused() {
    // RFC 5480 §2.1.1: specifiedCurve MUST NOT be used, even for P-256 itself.
    let key = ec_key_on(Nid::X9_62_PRIME256V1, true);
    let certs = leaf_under_ecdsa_int(&key);
    let err = verify(
        &certs,
        "ca-ecdsa-root",
        KeyPurpose::ServerAuth,
        Some("localhost"),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedEcKey(m) if m.starts_with("explicit curve parameters")),
        "{err:?}"
    );
    // OpenSSL 3 refuses them too (X509_V_ERR_EC_KEY_EXPLICIT_PARAMS).
    let says = openssl_says(&certs, "ca-ecdsa-root", "sslserver", Some("localhost"));
    assert!(
        says.as_ref()
            .is_err_and(|e| e.contains("explicit ECC parameters")),
        "{says:?}"
    );
    // The named-curve encoding of the same kind of key is fine.
    let certs = leaf_under_ecdsa_int(&ec_key_on(Nid::X9_62_PRIME256V1, false));
    let path = verify(
        &certs,
        "ca-ecdsa-root",
        KeyPurpose::ServerAuth,
        Some("localhost"),
    )
    .unwrap();
    assert_eq!(curve(path.public_key()), Some(EcdsaCurve::P256));
    assert!(openssl(
        &certs,
        "ca-ecdsa-root",
        "sslserver",
        Some("localhost")
    ));
}

#[test]
fn the_key_files_match_the_certificates() {
    // Both encodings of each EC key hold the certificate's key (the SEC 1 file is what
    // `openssl ecparam -genkey` wrote, the PKCS#8 one its conversion).
    for name in [
        "ca-ecdsa-root",
        "ca-ecdsa-int",
        "server-ecdsa-p256",
        "server-ecdsa-p384",
        "client-ecdsa",
        "server-ecdsa-rsaca",
    ] {
        let sec1 = common::read(&format!("{name}.ec.pem"));
        assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{name}");
        let p8 = common::read(&format!("{name}.pkcs8.pem"));
        assert!(p8.starts_with("-----BEGIN PRIVATE KEY-----"), "{name}");
        let cert = pem_to_der_certs(&common::read(&format!("{name}.cert.pem")))
            .unwrap()
            .remove(0);
        let want = VerifiedPath::from_trusted_end_entity(&cert)
            .unwrap()
            .public_key()
            .as_ecdsa()
            .unwrap()
            .to_sec1();
        for pem in [sec1, p8] {
            let key = sanstls_crypto::ecdsa::EcdsaPrivateKey::from_pem(&pem)
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(key.public_key().to_sec1(), want, "{name}");
        }
    }
}

#[test]
fn ecdsa_checks_are_charged_their_cost() {
    // server-ecdsa-p256 under ca-ecdsa-root: a P-256 check (the leaf, under the
    // intermediate, whose key is set up once) and a P-384 one (the intermediate, under
    // the root), plus one unit per octet of each signed part.
    let certs = chain("server-ecdsa-p256");
    let tbs_len = |der: &[u8]| {
        let (h, n) = tlv_len(der);
        let (th, tn) = tlv_len(&der[h..h + n]);
        th + tn
    };
    let cost = 120_000 + 500 + 400_000 + tbs_len(&certs[0]) + tbs_len(&certs[1]);
    let with_budget = |units: usize| {
        let opts = common::opts(|o| o.max_signature_work = units as u64);
        verify_certs(
            &certs,
            &["ca-ecdsa-root"],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            NOW,
            &opts,
        )
    };
    assert!(with_budget(cost).is_ok());
    assert_eq!(
        with_budget(cost - 1).unwrap_err(),
        Error::SignatureWorkExceeded
    );
}
