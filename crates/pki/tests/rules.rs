//! One passing and one failing case per validation rule, on the certificates in
//! `testdata/` (made by `cargo xtask gen-certs`).

mod common;

use common::{
    NOW, VALID_FROM, VALID_TO, anchors, cert, chain, opts, server, server_with, verify_certs,
};
use sanstls_pki::{
    AlertCode, ClientCertVerifier, Error, KeyPurpose, KeyUsage, LeftOut, ServerCertVerifier,
    ServerName, TrustAnchor, TrustAnchors, UnixTime, VerifiedPath, VerifyOptions,
    WebPkiClientVerifier, WebPkiServerVerifier,
};

// ---- Complete chains, names and IP addresses -------------------------------------------

#[test]
fn valid_chains_of_every_key_size() {
    for name in ["server-rsa2048", "server-rsa3072", "server-rsa4096"] {
        for host in ["localhost", "LocalHost.", "foo.example.test", "127.0.0.1"] {
            let path = server(name, host).unwrap_or_else(|e| panic!("{name} {host}: {e}"));
            assert_eq!(path.certificates().len(), 2);
            assert_eq!(path.certificates()[0], chain(name)[0]);
            assert_eq!(path.certificates()[1], cert("ca-int"));
            assert_eq!(
                path.anchor_subject(),
                Some(anchors(&["ca-root"]).iter().next().unwrap().subject())
            );
        }
    }
    assert_eq!(
        server("server-rsa4096", "localhost")
            .unwrap()
            .public_key()
            .as_rsa()
            .map(sanstls_crypto::rsa::RsaPublicKey::modulus_bits),
        Some(4096)
    );
}

#[test]
fn names_are_matched_on_the_san_only() {
    let cases = [
        ("server-rsa2048", "localhost", true),
        ("server-rsa2048", "a.example.test", true),
        ("server-rsa2048", "A.EXAMPLE.TEST.", true),
        ("server-rsa2048", "example.test", false),
        ("server-rsa2048", "a.b.example.test", false),
        ("server-rsa2048", "localhost.localdomain", false),
        ("server-rsa2048", "127.0.0.1", true),
        ("server-rsa2048", "127.0.0.2", false),
        ("server-rsa2048", "::1", false),
        ("server-ipv6", "::1", true),
        ("server-ipv6", "[::1]", true),
        ("server-ipv6", "::2", false),
        ("server-ipv6", "127.0.0.1", false),
        // The subject CN is "localhost" but there is no SAN: no CN fallback.
        ("bad-no-san", "localhost", false),
        // Wildcards: only the whole left-most label, never over a single label.
        ("wild-partial", "foo.example.test", false),
        ("wild-partial", "f.example.test", false),
        ("wild-tld", "example.test", false),
        ("wild-middle", "www.a.example.test", false),
    ];
    for (name, host, ok) in cases {
        let r = server(name, host);
        if ok {
            assert!(r.is_ok(), "{name} {host}: {r:?}");
        } else {
            assert_eq!(r.unwrap_err(), Error::NameMismatch, "{name} {host}");
        }
    }
}

#[test]
fn server_name_validation() {
    for bad in [
        "",
        "*.example.test",
        "exa mple.test",
        "bücher.test",
        "a..b",
        "1.2.3",
    ] {
        assert_eq!(
            ServerName::new(bad),
            Err(Error::InvalidServerName),
            "{bad:?}"
        );
    }
    assert!(ServerName::new("xn--bcher-kva.test").is_ok());
}

// ---- Path building ---------------------------------------------------------------------

#[test]
fn intermediates_in_any_order_with_extras_and_duplicates() {
    let leaf = chain("server-rsa2048").remove(0);
    let int = cert("ca-int");
    let certs = vec![
        leaf.clone(),
        cert("client"),
        cert("ca-root2"),
        int.clone(),
        cert("ca-nc"),
        int.clone(),
        cert("ca-root"),
        leaf.clone(),
    ];
    let opts = VerifyOptions::default();
    let path = verify_certs(
        &certs,
        &["ca-root"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &opts,
    )
    .unwrap();
    assert_eq!(path.certificates(), [leaf.clone(), int]);
    // Without the intermediate there is no path.
    let missing = verify_certs(
        &[leaf, cert("client")],
        &["ca-root"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &opts,
    );
    assert_eq!(missing.unwrap_err(), Error::UnknownIssuer);
}

#[test]
fn long_intermediate_lists_are_bounded() {
    // Thousands of copies of an unrelated certificate before the real intermediate: only
    // the first MAX_INTERMEDIATES are considered, so the real one is never reached.
    let leaf = chain("server-rsa2048").remove(0);
    let junk = cert("client");
    let int = cert("ca-int");
    let mut inter: Vec<&[u8]> = vec![junk.as_slice(); 5000];
    inter.push(&int);
    let opts = VerifyOptions::default();
    let r = sanstls_pki::verify_chain(
        &anchors(&["ca-root"]),
        &leaf,
        &inter,
        KeyPurpose::ServerAuth,
        None,
        NOW,
        &opts,
    );
    assert_eq!(r.unwrap_err(), Error::UnknownIssuer);
    // Within the bound it is found.
    let mut inter: Vec<&[u8]> = vec![junk.as_slice(); sanstls_pki::MAX_INTERMEDIATES - 1];
    inter.push(&int);
    let r = sanstls_pki::verify_chain(
        &anchors(&["ca-root"]),
        &leaf,
        &inter,
        KeyPurpose::ServerAuth,
        None,
        NOW,
        &opts,
    );
    assert!(r.is_ok(), "{r:?}");
}

#[test]
fn cross_signed_chains_try_the_other_issuer() {
    let leaf = chain("server-rsa2048").remove(0);
    let (int, cross) = (cert("ca-int"), cert("ca-int-by-root2"));
    let opts = VerifyOptions::default();
    let run = |roots: &[&str], inter: &[&Vec<u8>]| {
        let mut certs = vec![leaf.clone()];
        certs.extend(inter.iter().map(|c| (*c).clone()));
        verify_certs(
            &certs,
            roots,
            KeyPurpose::ServerAuth,
            Some("localhost"),
            NOW,
            &opts,
        )
    };
    // Trusting only the second root: the first candidate (issued by ca-root) leads
    // nowhere, the cross-signed one works.
    let path = run(&["ca-root2"], &[&int, &cross]).unwrap();
    assert_eq!(path.certificates()[1], cross);
    // Trusting only the first root, with the cross-signed copy listed first.
    let path = run(&["ca-root"], &[&cross, &int]).unwrap();
    assert_eq!(path.certificates()[1], int);
    // Without the cross-signed certificate the second root is unreachable.
    assert_eq!(
        run(&["ca-root2"], &[&int]).unwrap_err(),
        Error::UnknownIssuer
    );
}

#[test]
fn depth_is_bounded() {
    // 4 certificates with the anchor.
    assert!(server("deep-ok", "localhost").is_ok());
    let three = opts(|o| o.max_depth = 3);
    assert_eq!(
        server_with("deep-ok", "localhost", &three).unwrap_err(),
        Error::DepthExceeded
    );
    // 10 certificates with the anchor.
    assert_eq!(
        server("bad-too-deep", "localhost").unwrap_err(),
        Error::DepthExceeded
    );
    let ten = opts(|o| o.max_depth = 10);
    assert!(server_with("bad-too-deep", "localhost", &ten).is_ok());
}

#[test]
fn signature_checks_are_budgeted() {
    let one = opts(|o| o.max_signature_checks = 1);
    assert_eq!(
        server_with("server-rsa2048", "localhost", &one).unwrap_err(),
        Error::BudgetExceeded
    );
    let two = opts(|o| o.max_signature_checks = 2);
    assert!(server_with("server-rsa2048", "localhost", &two).is_ok());
    // Dead ends cost checks too: under ca-root2 only, the first candidate (ca-int,
    // issued by ca-root) costs one check and leads nowhere; the cross-signed copy then
    // costs two more.
    let leaf = chain("server-rsa2048").remove(0);
    let certs = vec![leaf, cert("ca-int"), cert("ca-int-by-root2")];
    let run = |max: u32| {
        let o = opts(|o| o.max_signature_checks = max);
        verify_certs(
            &certs,
            &["ca-root2"],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            NOW,
            &o,
        )
    };
    assert_eq!(run(2).unwrap_err(), Error::BudgetExceeded);
    assert!(run(3).is_ok());
}

#[test]
fn loops_terminate() {
    // leaf -> loop A -> loop B -> loop A ...; no anchor anywhere.
    assert_eq!(
        server("bad-loop", "localhost").unwrap_err(),
        Error::UnknownIssuer
    );
    // With loop B trusted the same chain validates.
    let certs = chain("bad-loop");
    let r = verify_certs(
        &certs,
        &["ca-loop-b"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &VerifyOptions::default(),
    );
    assert!(r.is_ok(), "{r:?}");
}

#[test]
fn self_signed_leaf_is_unknown() {
    assert_eq!(
        server("bad-self-signed", "localhost").unwrap_err(),
        Error::UnknownIssuer
    );
}

// ---- Signatures and keys ---------------------------------------------------------------

#[test]
fn signature_algorithms() {
    // Each needs what the build may leave out (see tests/features.rs for the refusals).
    let cases = [
        ("server-sha384", cfg!(feature = "sha512")),
        ("server-sha512", cfg!(feature = "sha512")),
        ("server-pss", cfg!(feature = "pss")),
        (
            "server-pss-sha512",
            cfg!(all(feature = "pss", feature = "sha512")),
        ),
        // An RSA leaf signed with ECDSA by a P-256 CA under the RSA root.
        ("bad-ecdsa-signed", cfg!(feature = "ecdsa")),
    ];
    for (name, built_in) in cases {
        let r = server(name, "localhost");
        if built_in {
            assert!(r.is_ok(), "{name}: {r:?}");
        } else {
            assert!(
                matches!(r, Err(Error::SignatureAlgorithmLeftOut(_))),
                "{name}: {r:?}"
            );
        }
    }
    if cfg!(feature = "pss") {
        assert_eq!(
            server("bad-pss-salt20", "localhost").unwrap_err(),
            Error::UnsupportedSignatureAlgorithm
        );
    }
    // A P-256 leaf signed by the RSA intermediate (tests/ecdsa.rs has the rest).
    let ecdsa_leaf = server("ecdsa-leaf", "localhost");
    if cfg!(feature = "ecdsa") {
        assert!(ecdsa_leaf.is_ok(), "{ecdsa_leaf:?}");
    } else {
        assert_eq!(
            ecdsa_leaf.unwrap_err(),
            Error::PublicKeyLeftOut(sanstls_pki::LeftOut::Ecdsa)
        );
    }
}

#[test]
fn sha1_refused_unless_allowed() {
    assert_eq!(
        server("bad-sha1", "localhost").unwrap_err(),
        Error::Sha1Refused
    );
    let allow = opts(|o| o.allow_sha1 = true);
    assert!(server_with("bad-sha1", "localhost", &allow).is_ok());
}

#[test]
fn tampered_signatures_fail() {
    let mut certs = chain("server-rsa2048");
    let n = certs[0].len();
    certs[0][n - 10] ^= 1; // inside the signature value
    let r = verify_certs(
        &certs,
        &["ca-root"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &VerifyOptions::default(),
    );
    assert_eq!(r.unwrap_err(), Error::BadSignature);
    // The same for the intermediate's signature.
    let mut certs = chain("server-rsa2048");
    let n = certs[1].len();
    certs[1][n - 10] ^= 0x80;
    let r = verify_certs(
        &certs,
        &["ca-root"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &VerifyOptions::default(),
    );
    assert_eq!(r.unwrap_err(), Error::BadSignature);
    // A leaf presented with the wrong anchor (same name, different key) fails too.
    let anchor = TrustAnchor::from_subject_and_spki(
        anchors(&["ca-root"]).iter().next().unwrap().subject(),
        anchors(&["ca-root2"])
            .iter()
            .next()
            .unwrap()
            .subject_public_key_info(),
    )
    .unwrap();
    let mut a = TrustAnchors::new();
    a.add(anchor);
    let certs = chain("server-rsa2048");
    let r = sanstls_pki::verify_chain(
        &a,
        &certs[0],
        &[&certs[1]],
        KeyPurpose::ServerAuth,
        None,
        NOW,
        &VerifyOptions::default(),
    );
    assert_eq!(r.unwrap_err(), Error::BadSignature);
}

#[test]
fn minimum_key_size() {
    assert_eq!(
        server("bad-rsa1024", "localhost").unwrap_err(),
        Error::WeakKey { bits: 1024 }
    );
    let allow = opts(|o| o.min_rsa_bits = 1024);
    assert!(server_with("bad-rsa1024", "localhost", &allow).is_ok());
    // The minimum applies to issuers too: ca-int is 2048 bits.
    let strict = opts(|o| o.min_rsa_bits = 3072);
    assert_eq!(
        server_with("server-rsa3072", "localhost", &strict).unwrap_err(),
        Error::WeakKey { bits: 2048 }
    );
}

// ---- Validity --------------------------------------------------------------------------

#[test]
fn validity_period_is_inclusive() {
    let certs = chain("server-rsa2048");
    let at = |t: u64| {
        verify_certs(
            &certs,
            &["ca-root"],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            UnixTime::from_secs(t),
            &VerifyOptions::default(),
        )
    };
    assert!(at(VALID_FROM).is_ok());
    assert!(at(VALID_TO).is_ok());
    assert_eq!(at(VALID_FROM - 1).unwrap_err(), Error::NotYetValid);
    assert_eq!(at(VALID_TO + 1).unwrap_err(), Error::Expired);
}

#[test]
fn expired_and_not_yet_valid_certificates() {
    assert_eq!(
        server("bad-expired", "localhost").unwrap_err(),
        Error::Expired
    );
    assert_eq!(
        server("bad-not-yet-valid", "localhost").unwrap_err(),
        Error::NotYetValid
    );
    // An expired trust anchor certificate.
    let r = verify_certs(
        &[cert("bad-root-expired")],
        &["ca-root-expired"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &VerifyOptions::default(),
    );
    assert_eq!(r.unwrap_err(), Error::Expired);
    // The same anchor given as a bare name and key carries no validity to enforce.
    let root = anchors(&["ca-root-expired"]);
    let root = root.iter().next().unwrap();
    let mut bare = TrustAnchors::new();
    bare.add(
        TrustAnchor::from_subject_and_spki(root.subject(), root.subject_public_key_info()).unwrap(),
    );
    let leaf = cert("bad-root-expired");
    let r = sanstls_pki::verify_chain(
        &bare,
        &leaf,
        &[],
        KeyPurpose::ServerAuth,
        None,
        NOW,
        &VerifyOptions::default(),
    );
    assert!(r.is_ok(), "{r:?}");
    // An expired intermediate.
    assert_eq!(
        server("bad-int-expired", "localhost").unwrap_err(),
        Error::Expired
    );
}

// ---- basicConstraints, keyUsage, extendedKeyUsage --------------------------------------

#[test]
fn basic_constraints() {
    assert_eq!(
        server("bad-issued-by-leaf", "localhost").unwrap_err(),
        Error::IssuerNotCa
    );
    assert_eq!(
        server("bad-leaf-ca", "localhost").unwrap_err(),
        Error::EndEntityIsCa
    );
    // pathLenConstraint: ca-pl1 (pathlen 1) -> ca-pl1-sub -> leaf is fine; ca-int
    // (pathlen 0) -> ca-int-sub -> leaf is not.
    assert!(server("deep-ok", "localhost").is_ok());
    assert_eq!(
        server("bad-pathlen", "localhost").unwrap_err(),
        Error::PathLenExceeded
    );
}

#[test]
fn trust_anchors_must_be_able_to_issue() {
    let run = |leaf: &str, root: &str| {
        verify_certs(
            &[cert(leaf)],
            &[root],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            NOW,
            &VerifyOptions::default(),
        )
    };
    // A v3 anchor that is not a CA, one whose keyUsage lacks keyCertSign, one with an
    // unknown critical extension.
    assert_eq!(
        run("bad-issued-by-leaf", "server-rsa2048").unwrap_err(),
        Error::IssuerNotCa
    );
    assert_eq!(
        run("bad-issued-by-no-keycertsign", "ca-no-keycertsign").unwrap_err(),
        Error::IssuerLacksKeyCertSign
    );
    assert_eq!(
        run("bad-root-unknown-critical", "ca-root-unknown-critical").unwrap_err(),
        Error::UnknownCriticalExtension
    );
    // An intermediate CA certificate works as an anchor on its own.
    assert!(run("server-rsa2048", "ca-int").is_ok());
}

#[test]
fn ca_basic_constraints_must_be_critical() {
    assert_eq!(
        server("bad-bc-noncritical", "localhost").unwrap_err(),
        Error::IssuerNotCa
    );
    assert!(server("deep-ok", "localhost").is_ok());
}

#[test]
fn key_usage() {
    assert_eq!(
        server("bad-issued-by-no-keycertsign", "localhost").unwrap_err(),
        Error::UnknownIssuer,
        "no chain file: the intermediate is missing"
    );
    let certs = vec![
        cert("bad-issued-by-no-keycertsign"),
        cert("ca-no-keycertsign"),
    ];
    let r = verify_certs(
        &certs,
        &["ca-root"],
        KeyPurpose::ServerAuth,
        Some("localhost"),
        NOW,
        &VerifyOptions::default(),
    );
    assert_eq!(r.unwrap_err(), Error::IssuerLacksKeyCertSign);
    assert_eq!(
        server("bad-leaf-keycertsign", "localhost").unwrap_err(),
        Error::EndEntityIsCa
    );
    // The leaf's usage is exposed for the key-exchange check.
    let path = server("server-rsa2048", "localhost").unwrap();
    let ku = path.key_usage().unwrap();
    assert!(ku.digital_signature() && ku.key_encipherment() && !ku.key_cert_sign());
    assert_eq!(
        ku.bits(),
        KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_ENCIPHERMENT
    );
    assert!(path.allows_digital_signature() && path.allows_key_encipherment());
    // digitalSignature only: fit for DHE_RSA (signing), not for RSA key exchange.
    let path = server("server-ku-sign", "localhost").unwrap();
    assert_eq!(
        path.key_usage().unwrap().bits(),
        KeyUsage::DIGITAL_SIGNATURE
    );
    assert!(path.allows_digital_signature() && !path.allows_key_encipherment());
    // No keyUsage: the key is unrestricted (RFC 5280 §4.2.1.3).
    let path = server("server-no-ku", "localhost").unwrap();
    assert_eq!(path.key_usage(), None);
    assert!(path.allows_digital_signature() && path.allows_key_encipherment());
}

#[test]
fn end_entity_structure() {
    // Name constraints belong in CA certificates only (RFC 5280 §4.2.1.10).
    assert!(matches!(
        server("bad-leaf-nc", "localhost"),
        Err(Error::Malformed(_))
    ));
    // A critical SAN next to a non-empty subject (CA/B Forum BR §7.1.2.7.12).
    assert!(matches!(
        server("bad-san-critical", "localhost"),
        Err(Error::Malformed(_))
    ));
    assert!(server("server-rsa2048", "localhost").is_ok());
}

#[test]
fn extended_key_usage() {
    assert_eq!(
        server("bad-wrong-eku", "localhost").unwrap_err(),
        Error::InvalidExtendedKeyUsage
    );
    // An intermediate whose EKU lacks serverAuth constrains its leaves.
    assert_eq!(
        server("bad-int-eku", "localhost").unwrap_err(),
        Error::InvalidExtendedKeyUsage
    );
    // anyExtendedKeyUsage: refused by default, accepted when configured.
    assert_eq!(
        server("anyeku", "localhost").unwrap_err(),
        Error::InvalidExtendedKeyUsage
    );
    assert!(server_with("anyeku", "localhost", &opts(|o| o.allow_any_eku = true)).is_ok());
    // No EKU at all: "any purpose" by default (RFC 5280 §4.2.1.12), refused under the
    // CA/B Forum profile (require_eku).
    assert!(server("noeku", "localhost").is_ok());
    assert_eq!(
        server_with("noeku", "localhost", &opts(|o| o.require_eku = true)).unwrap_err(),
        Error::InvalidExtendedKeyUsage
    );
}

#[test]
fn client_certificates() {
    let verifier = WebPkiClientVerifier::new(anchors(&["ca-root"]));
    let client = chain("client");
    let inter: Vec<&[u8]> = client[1..].iter().map(Vec::as_slice).collect();
    let path = verifier
        .verify_client_cert(&client[0], &inter, NOW)
        .unwrap();
    assert_eq!(path.certificates().len(), 2);
    assert!(verifier.client_auth_mandatory());
    assert!(
        !verifier
            .clone()
            .allow_unauthenticated()
            .client_auth_mandatory()
    );
    assert_eq!(
        verifier.acceptable_issuers(),
        vec![anchors(&["ca-root"]).iter().next().unwrap().subject()]
    );
    // A server certificate is not a client certificate, and the other way round.
    let srv = chain("server-rsa2048");
    assert_eq!(
        verifier
            .verify_client_cert(&srv[0], &[&srv[1]], NOW)
            .unwrap_err(),
        Error::InvalidExtendedKeyUsage
    );
    let sv = WebPkiServerVerifier::new(anchors(&["ca-root"]));
    let name = ServerName::new("client.example.test").unwrap();
    assert_eq!(
        sv.verify_server_cert(&client[0], &inter, &name, NOW)
            .unwrap_err(),
        Error::InvalidExtendedKeyUsage
    );
}

// ---- Name constraints ------------------------------------------------------------------

#[test]
fn name_constraints_of_an_intermediate() {
    assert!(server("nc-ok", "www.example.test").is_ok());
    assert!(server("nc-ok", "127.0.0.1").is_ok());
    for name in [
        "bad-nc-permitted",
        "bad-nc-excluded",
        "bad-nc-ip",
        "bad-nc-wildcard",
    ] {
        assert_eq!(
            server(name, "localhost").unwrap_err(),
            Error::NameConstraintViolated,
            "{name}"
        );
    }
}

#[test]
fn name_constraints_of_a_trust_anchor() {
    let run = |name: &str, host: &str| {
        verify_certs(
            &[cert(name)],
            &["ca-root-nc"],
            KeyPurpose::ServerAuth,
            Some(host),
            NOW,
            &VerifyOptions::default(),
        )
    };
    assert!(run("root-nc-ok", "www.example.test").is_ok());
    assert_eq!(
        run("bad-root-nc", "www.example.org").unwrap_err(),
        Error::NameConstraintViolated
    );
}

// ---- Extensions and encoding -----------------------------------------------------------

#[test]
fn unknown_critical_extension() {
    assert_eq!(
        server("bad-unknown-critical", "localhost").unwrap_err(),
        Error::UnknownCriticalExtension
    );
    // Known critical extensions (basicConstraints, keyUsage) are fine: see every valid
    // chain above.
    assert!(server("server-rsa2048", "localhost").is_ok());
}

#[test]
fn malformed_input() {
    let good = chain("server-rsa2048");
    let opts = VerifyOptions::default();
    let run = |leaf: &[u8], inter: &[&[u8]]| {
        sanstls_pki::verify_chain(
            &anchors(&["ca-root"]),
            leaf,
            inter,
            KeyPurpose::ServerAuth,
            None,
            NOW,
            &opts,
        )
    };
    assert!(matches!(run(b"", &[]), Err(Error::Malformed(_))));
    assert!(matches!(run(b"\x30\x03abc", &[]), Err(Error::Malformed(_))));
    assert!(matches!(
        run(&good[0][..good[0].len() - 1], &[&good[1]]),
        Err(Error::Malformed(_))
    ));
    let mut trailing = good[0].clone();
    trailing.push(0);
    assert!(matches!(
        run(&trailing, &[&good[1]]),
        Err(Error::Malformed(_))
    ));
    // A garbage intermediate next to the real one is ignored...
    assert!(run(&good[0], &[b"garbage", &good[1]]).is_ok());
    // ...and reported when it was all there was.
    assert!(matches!(
        run(&good[0], &[b"garbage"]),
        Err(Error::Malformed(_))
    ));
    assert_eq!(Error::Malformed("x").alert(), AlertCode::DECODE_ERROR);
}

// ---- Trust anchors, verifier traits, alerts --------------------------------------------

#[test]
fn trust_anchor_loading() {
    let bundle = format!(
        "# a comment\n{}\nsome text\n{}",
        common::read("ca-root.cert.pem"),
        common::read("ca-root2.cert.pem")
    );
    let a = TrustAnchors::from_pem_bundle(&bundle).unwrap();
    assert_eq!(a.len(), 2);
    let from_der = TrustAnchors::from_der_certs([cert("ca-root").as_slice()]).unwrap();
    assert_eq!(from_der.len(), 1);
    assert!(!from_der.is_empty());
    assert!(TrustAnchors::new().is_empty());
    // A broken block fails the strict loader and is skipped by the lossy one.
    let broken = format!("{bundle}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assert!(TrustAnchors::from_pem_bundle(&broken).is_err());
    let mut lossy = TrustAnchors::new();
    assert_eq!(lossy.add_pem_bundle_lossy(&broken), (2, 1));
    // Keys (PRIVATE KEY blocks) are not certificates and are skipped.
    let with_key = format!(
        "{}{}",
        common::read("ca-root.rsa.pem"),
        common::read("ca-root.cert.pem")
    );
    assert_eq!(TrustAnchors::from_pem_bundle(&with_key).unwrap().len(), 1);
    // An ECDSA root loads (system bundles have them) but verifies nothing.
    let mut ec = TrustAnchors::new();
    ec.add_cert_der(&cert("ca-ec")).unwrap();
    assert_eq!(ec.len(), 1);
}

/// A wrapper verifier: the default checks plus a pinned leaf key.
struct Pinned {
    inner: WebPkiServerVerifier,
    spki: Vec<u8>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &ServerName,
        now: UnixTime,
    ) -> Result<VerifiedPath, Error> {
        let path = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, now)?;
        if path.subject_public_key_info() == self.spki.as_slice() {
            Ok(path)
        } else {
            Err(Error::UnknownIssuer)
        }
    }
}

#[test]
fn verifiers_can_be_wrapped_and_replaced() {
    let a = chain("server-rsa2048");
    let b = chain("server-rsa3072");
    let pinned_spki = VerifiedPath::from_trusted_end_entity(&a[0])
        .unwrap()
        .subject_public_key_info()
        .to_vec();
    let v: Box<dyn ServerCertVerifier> = Box::new(Pinned {
        inner: WebPkiServerVerifier::new(anchors(&["ca-root"])),
        spki: pinned_spki,
    });
    let name = ServerName::new("localhost").unwrap();
    assert!(v.verify_server_cert(&a[0], &[&a[1]], &name, NOW).is_ok());
    assert_eq!(
        v.verify_server_cert(&b[0], &[&b[1]], &name, NOW)
            .unwrap_err(),
        Error::UnknownIssuer
    );
    // A replacement that trusts one exact certificate, with no path at all.
    let direct = VerifiedPath::from_trusted_end_entity(&a[0]).unwrap();
    assert_eq!(direct.certificates().len(), 1);
    assert_eq!(direct.anchor_subject(), None);
    assert_eq!(
        direct
            .public_key()
            .as_rsa()
            .map(sanstls_crypto::rsa::RsaPublicKey::modulus_bits),
        Some(2048)
    );
}

#[test]
fn errors_map_to_alerts() {
    let table = [
        (Error::Expired, AlertCode::CERTIFICATE_EXPIRED, 45),
        (Error::NotYetValid, AlertCode::CERTIFICATE_EXPIRED, 45),
        (Error::UnknownIssuer, AlertCode::UNKNOWN_CA, 48),
        (Error::BadSignature, AlertCode::BAD_CERTIFICATE, 42),
        (Error::NameMismatch, AlertCode::BAD_CERTIFICATE, 42),
        (Error::IssuerNotCa, AlertCode::BAD_CERTIFICATE, 42),
        (Error::PathLenExceeded, AlertCode::BAD_CERTIFICATE, 42),
        (
            Error::NameConstraintViolated,
            AlertCode::BAD_CERTIFICATE,
            42,
        ),
        (Error::BudgetExceeded, AlertCode::BAD_CERTIFICATE, 42),
        (Error::DepthExceeded, AlertCode::BAD_CERTIFICATE, 42),
        (
            Error::InvalidExtendedKeyUsage,
            AlertCode::UNSUPPORTED_CERTIFICATE,
            43,
        ),
        (
            Error::UnsupportedSignatureAlgorithm,
            AlertCode::UNSUPPORTED_CERTIFICATE,
            43,
        ),
        (
            Error::SignatureAlgorithmLeftOut(LeftOut::Sha384),
            AlertCode::UNSUPPORTED_CERTIFICATE,
            43,
        ),
        (
            Error::SignatureAlgorithmLeftOut(LeftOut::RsaPss),
            AlertCode::UNSUPPORTED_CERTIFICATE,
            43,
        ),
        (Error::Sha1Refused, AlertCode::UNSUPPORTED_CERTIFICATE, 43),
        (
            Error::WeakKey { bits: 1024 },
            AlertCode::UNSUPPORTED_CERTIFICATE,
            43,
        ),
        (
            Error::UnknownCriticalExtension,
            AlertCode::UNSUPPORTED_CERTIFICATE,
            43,
        ),
        (Error::Malformed("x"), AlertCode::DECODE_ERROR, 50),
        (Error::InvalidServerName, AlertCode::INTERNAL_ERROR, 80),
    ];
    for (e, alert, code) in table {
        assert_eq!(e.alert(), alert, "{e}");
        assert_eq!(e.alert().0, code, "{e}");
        assert!(!e.to_string().is_empty());
    }
}
