//! `sanstls_std::load`: what loads, and how each kind of bad file is reported.

use std::path::PathBuf;

use sanstls_std::{Error, load};
use sanstls_test::fixtures;

/// A file in a per-process temporary directory with `contents`.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanstls-std-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// The `problem` of a Load error for `path`, checking that Display names the file.
fn problem(e: Error, path: &std::path::Path) -> String {
    let shown = e.to_string();
    assert!(
        shown.contains(&path.display().to_string()),
        "message does not name {}: {shown}",
        path.display()
    );
    match e {
        Error::Load { path: p, problem } => {
            assert_eq!(p, path);
            problem
        }
        other => panic!("expected Error::Load, got {other:?}"),
    }
}

#[test]
fn certs_in_file_order() {
    let chain = load::certs(&fixtures::path("server-rsa2048.chain.pem")).unwrap();
    assert_eq!(chain.len(), 2);
    let leaf = load::certs(&fixtures::path("server-rsa2048.cert.pem")).unwrap();
    assert_eq!(leaf.len(), 1);
    assert_eq!(chain[0], leaf[0], "the leaf comes first");
    let int = load::certs(&fixtures::path("ca-int.cert.pem")).unwrap();
    assert_eq!(chain[1], int[0]);
    // DER starts with a SEQUENCE.
    assert_eq!(chain[0][0], 0x30);
}

#[test]
fn missing_file_names_path_and_os_error() {
    let p = fixtures::path("does-not-exist.pem");
    let msg = problem(load::certs(&p).unwrap_err(), &p);
    assert!(msg.contains("No such file or directory"), "{msg}");
    let msg = problem(load::private_key(&p).unwrap_err(), &p);
    assert!(msg.contains("No such file or directory"), "{msg}");
    let msg = problem(load::trust_anchors(&p).unwrap_err(), &p);
    assert!(msg.contains("cannot read"), "{msg}");
}

#[test]
fn file_without_pem() {
    let p = temp_file("plain.txt", "just some text\nno PEM here\n");
    let msg = problem(load::certs(&p).unwrap_err(), &p);
    assert!(msg.contains("no PEM block"), "{msg}");
    let msg = problem(load::private_key(&p).unwrap_err(), &p);
    assert!(msg.contains("no PEM block"), "{msg}");

    let bin = std::env::temp_dir().join(format!("sanstls-std-load-{}.der", std::process::id()));
    std::fs::write(&bin, [0x30, 0x82, 0xff, 0xfe, 0x80]).unwrap();
    let msg = problem(load::certs(&bin).unwrap_err(), &bin);
    assert!(msg.contains("not a text file"), "{msg}");
}

#[test]
fn wrong_pem_label_lists_labels_found() {
    // A key file where certificates are expected ...
    let p = fixtures::path("server-rsa2048.rsa.pem");
    let msg = problem(load::certs(&p).unwrap_err(), &p);
    assert!(msg.contains("RSA PRIVATE KEY"), "{msg}");
    assert!(msg.contains("no certificate"), "{msg}");
    // ... and a certificate file where a key is expected.
    let p = fixtures::path("server-rsa2048.chain.pem");
    let msg = problem(load::private_key(&p).unwrap_err(), &p);
    assert!(msg.contains("labels found are: CERTIFICATE"), "{msg}");
    // An EC key on a curve other than P-256/P-384 is named as such.
    let p = temp_file(
        "ed25519.pem",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    );
    let msg = problem(load::private_key(&p).unwrap_err(), &p);
    assert!(msg.contains("labels found are: PUBLIC KEY"), "{msg}");
    // An encrypted key gets advice.
    let p = temp_file(
        "enc.pem",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
    let msg = problem(load::private_key(&p).unwrap_err(), &p);
    assert!(msg.contains("openssl pkey"), "{msg}");
}

#[test]
fn pkcs8_and_pkcs1_keys_both_load() {
    let k1 = load::private_key(&fixtures::path("server-rsa2048.rsa.pem")).unwrap();
    let k8 = load::private_key(&fixtures::path("server-rsa2048.pkcs8.pem")).unwrap();
    let (k1, k8) = (k1.rsa().unwrap(), k8.rsa().unwrap());
    assert_eq!(k1.public_key(), k8.public_key());
    let ck = load::certified_key(
        &fixtures::path("server-rsa2048.chain.pem"),
        &fixtures::path("server-rsa2048.pkcs8.pem"),
    )
    .unwrap();
    assert_eq!(ck.chain().len(), 2);
    assert_eq!(ck.key().rsa().unwrap().public_key(), k1.public_key());
    // EC keys, SEC 1 and PKCS#8, with their chain.
    for key in ["server-ecdsa-p256.ec.pem", "server-ecdsa-p384.pkcs8.pem"] {
        let stem = key.split('.').next().unwrap();
        let ck = load::certified_key(
            &fixtures::path(&format!("{stem}.chain.pem")),
            &fixtures::path(key),
        )
        .unwrap();
        assert!(ck.key().rsa().is_none(), "{key}");
    }
}

#[test]
fn broken_key_block_is_reported() {
    let p = temp_file(
        "broken-key.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n",
    );
    let msg = problem(load::private_key(&p).unwrap_err(), &p);
    assert!(
        msg.contains("RSA PRIVATE KEY block is not a usable private key"),
        "{msg}"
    );
}

#[test]
fn key_that_does_not_match_the_certificate_is_named() {
    let cert = fixtures::path("server-rsa2048.chain.pem");
    let key = fixtures::path("client.rsa.pem");
    let e = load::certified_key(&cert, &key).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains(&cert.display().to_string()),
        "the certificate file is not named: {shown}"
    );
    let msg = problem(e, &key);
    assert!(msg.contains("does not belong"), "{msg}");
}

#[test]
fn strict_trust_anchor_bundle() {
    let root = fixtures::read("ca-root.cert.pem");
    let root2 = fixtures::read("ca-root2.cert.pem");
    let good = temp_file("good-bundle.pem", &format!("{root}\n# comment\n{root2}"));
    assert_eq!(load::trust_anchors(&good).unwrap().len(), 2);

    // "not a certificate" in base64: decodes as PEM, does not parse as X.509.
    let broken =
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    let bad = temp_file("bad-bundle.pem", &format!("{root}{broken}{root2}"));
    let msg = problem(load::trust_anchors(&bad).unwrap_err(), &bad);
    assert!(
        msg.contains("2nd certificate cannot be used as a trust anchor"),
        "{msg}"
    );

    let bad_b64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    let bad = temp_file("bad-b64-bundle.pem", &format!("{root}{root2}{bad_b64}"));
    let msg = problem(load::trust_anchors(&bad).unwrap_err(), &bad);
    assert!(
        msg.contains("3rd CERTIFICATE block is not valid PEM"),
        "{msg}"
    );
}

mod arbitrary_files {
    use super::*;
    use proptest::prelude::*;

    /// PEM-ish text: fragments of real delimiters, labels and base64 in any order, so
    /// that the block scanner meets unterminated and mismatched blocks.
    fn pemish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("-----BEGIN ".to_string()),
            Just("-----END ".to_string()),
            Just("-----".to_string()),
            Just("CERTIFICATE".to_string()),
            Just("RSA PRIVATE KEY".to_string()),
            Just("PRIVATE KEY".to_string()),
            Just("\n".to_string()),
            "[A-Za-z0-9+/=]{0,80}",
            "\\PC{0,8}",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever a file holds, loading it returns (never panics), and an error names
        /// the file.
        #[test]
        fn loading_never_panics(text in pemish(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let p = temp_file("arbitrary.pem", &text);
            for r in [
                load::certs(&p).map(|_| ()),
                load::private_key(&p).map(|_| ()),
                load::trust_anchors(&p).map(|_| ()),
            ] {
                if let Err(e) = r {
                    prop_assert!(e.to_string().contains(&p.display().to_string()));
                }
            }
            std::fs::write(&p, &bytes).unwrap();
            let _ = load::certs(&p);
            let _ = load::private_key(&p);
        }
    }
}

/// Keys of a kind sanstls does not sign with are refused with a message naming why
/// (made with `openssl genpkey`; they protect nothing).
#[test]
fn unsupported_key_types_are_named() {
    const P521: &str = "-----BEGIN PRIVATE KEY-----\nMIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIANiWPvYrOZ7QWwHwS\nacJj3KYU3q6SbWEU1l6n4LbXSDMklUbpzDa6bYMcEd7HRBf+nZb5sD1TGSquUyIo\nXx5JnAyhgYkDgYYABAEPhYu1lGFMOYNnYPyN/qBGLealef3wpx49+6O4LVHPG3gL\nA9aQsTqOb3bc8KOjmc4TPWwL3I+SQxgqMRqYA5lo/QG6kalg/LnHW+VACDC/fvxO\nTr7WVlSwfzHDpPN/RP7B6KROtEiasiaf1vmMo0olpEQ9U2wUUahDIDJ/5+QyO1fr\niw==\n-----END PRIVATE KEY-----\n";
    const ED25519: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMZtmD09iKeGKFf1SSMqFsdNrlyJOE7+85KbQBr34P68\n-----END PRIVATE KEY-----\n";
    for (name, pem, says) in [
        ("p521.pem", P521, "curve other than P-256 or P-384"),
        ("ed25519.pem", ED25519, "not an EC key"),
    ] {
        let p = temp_file(name, pem);
        let msg = problem(load::private_key(&p).unwrap_err(), &p);
        assert!(msg.contains(says), "{msg}");
        assert!(msg.contains("RSA, or EC on P-256 or P-384"), "{msg}");
    }
}
