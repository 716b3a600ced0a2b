//! The cargo features `sha512`, `pss` and `ecdsa`: a build without them refuses
//! certificates signed with SHA-384/512, RSASSA-PSS or ECDSA with
//! [`Error::SignatureAlgorithmLeftOut`], and EC keys with [`Error::PublicKeyLeftOut`],
//! naming what is left out, for the certificate that needs it. A full build accepts the
//! same chains. Run with and without `--no-default-features`.

mod common;

use common::certgen::{Spec, key, leaf, public};
use common::{NOW, anchors, server};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::x509::{X509, X509Name};
use sanstls_pki::{
    Error, KeyPurpose, LeftOut, ServerName, TrustAnchors, VerifyOptions, verify_chain,
};

const SHA512_BUILT_IN: bool = cfg!(feature = "sha512");
const PSS_BUILT_IN: bool = cfg!(feature = "pss");
const ECDSA_BUILT_IN: bool = cfg!(feature = "ecdsa");

/// `Ok` when the build has the algorithm, else the error naming it.
fn needs(built_in: bool, what: LeftOut) -> Result<(), Error> {
    if built_in {
        Ok(())
    } else {
        Err(Error::SignatureAlgorithmLeftOut(what))
    }
}

#[test]
fn testdata_leaves_signed_with_left_out_algorithms() {
    let cases = [
        ("server-sha384", needs(SHA512_BUILT_IN, LeftOut::Sha384)),
        ("server-sha512", needs(SHA512_BUILT_IN, LeftOut::Sha512)),
        ("server-pss", needs(PSS_BUILT_IN, LeftOut::RsaPss)),
        // PSS is refused before its parameters (naming SHA-512) are looked at.
        (
            "server-pss-sha512",
            needs(PSS_BUILT_IN, LeftOut::RsaPss).and(needs(SHA512_BUILT_IN, LeftOut::Sha512)),
        ),
        (
            "bad-pss-salt20",
            needs(PSS_BUILT_IN, LeftOut::RsaPss).and(Err(Error::UnsupportedSignatureAlgorithm)),
        ),
        // Always built in.
        ("server-rsa2048", Ok(())),
        // An RSA leaf signed with ECDSA (by a P-256 CA under ca-root).
        ("bad-ecdsa-signed", needs(ECDSA_BUILT_IN, LeftOut::Ecdsa)),
    ];
    for (name, want) in cases {
        assert_eq!(server(name, "localhost").map(|_| ()), want, "{name}");
    }
}

#[test]
fn testdata_ec_keys_and_ecdsa_chains() {
    let key_left_out =
        needs(ECDSA_BUILT_IN, LeftOut::Ecdsa).map_err(|_| Error::PublicKeyLeftOut(LeftOut::Ecdsa));
    let sig_left_out = needs(ECDSA_BUILT_IN, LeftOut::Ecdsa);
    // (chain, root, want): an EC leaf is refused for its key before anything else; an
    // RSA leaf under an EC CA for the ECDSA signature it carries.
    let cases = [
        ("ecdsa-leaf", "ca-root", key_left_out),
        ("server-ecdsa-rsaca", "ca-root", key_left_out),
        ("server-ecdsa-p256", "ca-ecdsa-root", key_left_out),
        ("server-ecdsa-p384", "ca-ecdsa-root", key_left_out),
        ("server-rsa-ecdsaca", "ca-ecdsa-root", sig_left_out),
    ];
    for (name, root, want) in cases {
        let got = common::verify_certs(
            &common::chain(name),
            &[root],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            NOW,
            &VerifyOptions::default(),
        );
        assert_eq!(got.map(|_| ()), want, "{name}");
    }
    // An EC trust anchor loads in every build (it then issues nothing without `ecdsa`).
    let root = anchors(&["ca-ecdsa-root"]);
    let key = root.iter().next().unwrap().public_key();
    assert_eq!(key.map(|_| ()), key_left_out);
    let e = Error::PublicKeyLeftOut(LeftOut::Ecdsa);
    assert_eq!(
        e.to_string(),
        "certificate public key is for ECDSA, which this build leaves out (feature `ecdsa`)"
    );
    assert_eq!(e.alert(), sanstls_pki::AlertCode::UNSUPPORTED_CERTIFICATE);
    // The end entity trusted directly: refused without `ecdsa`.
    let leaf = common::cert("server-ecdsa-p256");
    assert_eq!(
        sanstls_pki::VerifiedPath::from_trusted_end_entity(&leaf).map(|_| ()),
        key_left_out
    );
}

#[test]
fn left_out_errors_say_what_and_which_feature() {
    let cases = [
        (
            LeftOut::Sha384,
            "certificate signature uses SHA-384, which this build leaves out (feature `sha512`)",
        ),
        (
            LeftOut::Sha512,
            "certificate signature uses SHA-512, which this build leaves out (feature `sha512`)",
        ),
        (
            LeftOut::RsaPss,
            "certificate signature uses RSASSA-PSS, which this build leaves out (feature `pss`)",
        ),
        (
            LeftOut::Ecdsa,
            "certificate signature uses ECDSA, which this build leaves out (feature `ecdsa`)",
        ),
    ];
    for (what, text) in cases {
        let e = Error::SignatureAlgorithmLeftOut(what);
        assert_eq!(e.to_string(), text);
        assert_eq!(e.alert(), sanstls_pki::AlertCode::UNSUPPORTED_CERTIFICATE);
    }
    assert_eq!(LeftOut::Sha384.feature(), "sha512");
    assert_eq!(LeftOut::RsaPss.algorithm(), "RSASSA-PSS");
}

fn ca_root_name() -> X509Name {
    let root = X509::from_pem(common::read("ca-root.cert.pem").as_bytes()).unwrap();
    root.subject_name().to_owned().unwrap()
}

fn verify(roots: &TrustAnchors, chain: &[&[u8]]) -> Result<(), Error> {
    verify_chain(
        roots,
        chain[0],
        &chain[1..],
        KeyPurpose::ServerAuth,
        Some(&ServerName::new("localhost").unwrap()),
        NOW,
        &VerifyOptions::default(),
    )
    .map(|_| ())
}

/// An intermediate under ca-root signed with `digest`, and a leaf it signed with SHA-256.
fn chain_with_intermediate_signed_by(digest: MessageDigest) -> (Vec<u8>, Vec<u8>) {
    let (root_k, int_k, leaf_k) = (key("ca-root"), key("ca-int"), key("server-rsa2048"));
    let int_pk = public(&int_k);
    let int = Spec::new(
        common::certgen::cn("big-hash int"),
        ca_root_name(),
        &int_pk,
        &root_k,
    )
    .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE")
    .ext(Nid::KEY_USAGE, "critical,keyCertSign")
    .digest(digest)
    .der();
    let leaf = leaf(
        &leaf_k,
        "big-hash int",
        &int_k,
        &[(Nid::EXT_KEY_USAGE, "serverAuth")],
    );
    (leaf, int)
}

#[test]
fn an_intermediate_signed_with_a_left_out_hash_fails_the_chain_by_name() {
    let roots = anchors(&["ca-root"]);
    for (digest, what) in [
        (MessageDigest::sha384(), LeftOut::Sha384),
        (MessageDigest::sha512(), LeftOut::Sha512),
    ] {
        let (leaf, int) = chain_with_intermediate_signed_by(digest);
        assert_eq!(
            verify(&roots, &[&leaf, &int]),
            needs(SHA512_BUILT_IN, what),
            "{what:?}"
        );
    }
    // The same chain with a SHA-256 intermediate passes in every build.
    let (leaf, int) = chain_with_intermediate_signed_by(MessageDigest::sha256());
    assert_eq!(verify(&roots, &[&leaf, &int]), Ok(()));
}

#[test]
fn a_left_out_hash_on_a_trust_anchor_does_not_matter() {
    // An anchor's own signature is never checked, so a root self-signed with SHA-512
    // anchors paths in every build.
    let root_k = key("ca-root");
    let root_pk = public(&root_k);
    let name = common::certgen::cn("sha512 root");
    let root = Spec::new(name.to_owned().unwrap(), name, &root_pk, &root_k)
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE")
        .ext(Nid::KEY_USAGE, "critical,keyCertSign")
        .digest(MessageDigest::sha512())
        .der();
    let roots = TrustAnchors::from_der_certs([root.as_slice()]).unwrap();
    let leaf = leaf(
        &key("server-rsa2048"),
        "sha512 root",
        &root_k,
        &[(Nid::EXT_KEY_USAGE, "serverAuth")],
    );
    assert_eq!(verify(&roots, &[&leaf]), Ok(()));
}
