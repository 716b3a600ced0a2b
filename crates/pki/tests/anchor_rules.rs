//! Rules about trust anchors, certificates trusted as themselves, e-mail name
//! constraints and what a too-long path is reported as, on certificates made at test
//! time (tests/common/certgen.rs), each cross-checked with `openssl verify` where the two
//! agree, and the disagreement explained where they do not.

mod common;

use common::NOW;
use common::certgen::{Spec, ca, cn, fresh_key, key, leaf, name, openssl_verify, public, root};
use openssl::bn::BigNum;
use openssl::nid::Nid;
use sanstls_pki::{
    Error, KeyPurpose, ServerName, TrustAnchors, UnixTime, VerifiedPath, VerifyOptions,
    verify_chain,
};

fn verify(
    roots: &[&[u8]],
    chain: &[&[u8]],
    purpose: KeyPurpose,
    host: Option<&str>,
    opts: &VerifyOptions,
) -> Result<VerifiedPath, Error> {
    verify_at(roots, chain, purpose, host, opts, NOW)
}

fn verify_at(
    roots: &[&[u8]],
    chain: &[&[u8]],
    purpose: KeyPurpose,
    host: Option<&str>,
    opts: &VerifyOptions,
    now: UnixTime,
) -> Result<VerifiedPath, Error> {
    let anchors = TrustAnchors::from_der_certs(roots.iter().copied()).expect("anchors load");
    let name = host.map(|h| ServerName::new(h).unwrap());
    verify_chain(
        &anchors,
        chain[0],
        &chain[1..],
        purpose,
        name.as_ref(),
        now,
        opts,
    )
}

fn server(roots: &[&[u8]], chain: &[&[u8]]) -> Result<(), Error> {
    verify(
        roots,
        chain,
        KeyPurpose::ServerAuth,
        Some("localhost"),
        &VerifyOptions::default(),
    )
    .map(drop)
}

fn client(roots: &[&[u8]], chain: &[&[u8]]) -> Result<(), Error> {
    verify(
        roots,
        chain,
        KeyPurpose::ClientAuth,
        None,
        &VerifyOptions::default(),
    )
    .map(drop)
}

// ---- extendedKeyUsage of a trust anchor ------------------------------------------------

#[test]
fn anchor_extended_key_usage_constrains_every_chain() {
    let (rk, ik, lk) = (key("ca-root"), key("ca-int"), key("server-rsa2048"));
    let eku_root = |eku: &str| root("EKU Root", &rk, &[(Nid::EXT_KEY_USAGE, eku)]);
    let server_leaf = leaf(&lk, "EKU Root", &rk, &[(Nid::EXT_KEY_USAGE, "serverAuth")]);
    let client_leaf = leaf(&lk, "EKU Root", &rk, &[(Nid::EXT_KEY_USAGE, "clientAuth")]);

    // A clientAuth-only root anchors no server certificate, directly or through an
    // intermediate without extendedKeyUsage; it does anchor client certificates.
    let client_root = eku_root("clientAuth");
    assert_eq!(
        server(&[&client_root], &[&server_leaf]),
        Err(Error::InvalidExtendedKeyUsage)
    );
    assert!(openssl_verify(&[&client_root], &[&server_leaf], "sslserver", None).is_err());
    let int = ca("EKU Int", &ik, "EKU Root", &rk, &[]);
    let leaf_via_int = leaf(&lk, "EKU Int", &ik, &[(Nid::EXT_KEY_USAGE, "serverAuth")]);
    assert_eq!(
        server(&[&client_root], &[&leaf_via_int, &int]),
        Err(Error::InvalidExtendedKeyUsage)
    );
    assert!(openssl_verify(&[&client_root], &[&leaf_via_int, &int], "sslserver", None).is_err());
    assert_eq!(client(&[&client_root], &[&client_leaf]), Ok(()));
    openssl_verify(&[&client_root], &[&client_leaf], "sslclient", None).unwrap();

    // A serverAuth root anchors server certificates.
    let server_root = eku_root("serverAuth");
    assert_eq!(server(&[&server_root], &[&server_leaf]), Ok(()));
    openssl_verify(&[&server_root], &[&server_leaf], "sslserver", None).unwrap();
    assert_eq!(
        client(&[&server_root], &[&client_leaf]),
        Err(Error::InvalidExtendedKeyUsage)
    );

    // anyExtendedKeyUsage alone counts only with allow_any_eku, as for intermediates
    // (OpenSSL refuses it for sslserver too).
    let any_root = eku_root("anyExtendedKeyUsage");
    assert_eq!(
        server(&[&any_root], &[&server_leaf]),
        Err(Error::InvalidExtendedKeyUsage)
    );
    assert!(openssl_verify(&[&any_root], &[&server_leaf], "sslserver", None).is_err());
    let any = common::opts(|o| o.allow_any_eku = true);
    assert!(
        verify(
            &[&any_root],
            &[&server_leaf],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            &any
        )
        .is_ok()
    );
}

// ---- basicConstraints of a trust anchor ------------------------------------------------

#[test]
fn anchor_basic_constraints() {
    let (rk, lk) = (key("ca-root"), key("server-rsa2048"));
    let rpk = public(&rk);
    let the_leaf = leaf(&lk, "BC Root", &rk, &[]);
    let root_with = |bc: Option<&str>| {
        let mut s = Spec::new(cn("BC Root"), cn("BC Root"), &rpk, &rk)
            .ext(Nid::KEY_USAGE, "critical,keyCertSign");
        if let Some(bc) = bc {
            s = s.ext(Nid::BASIC_CONSTRAINTS, bc);
        }
        s.der()
    };

    // cA must be TRUE when basicConstraints is present (RFC 5280 §4.2.1.9).
    let not_ca = root_with(Some("critical,CA:FALSE"));
    assert_eq!(server(&[&not_ca], &[&the_leaf]), Err(Error::IssuerNotCa));
    assert!(openssl_verify(&[&not_ca], &[&the_leaf], "sslserver", None).is_err());
    // A v3 root without basicConstraints is not a CA either.
    assert_eq!(
        server(&[&root_with(None)], &[&the_leaf]),
        Err(Error::IssuerNotCa)
    );

    // Non-critical basicConstraints with cA TRUE: accepted on an anchor (see
    // TrustAnchor::from_cert_der: three roots of the Mozilla bundle are like this), as
    // OpenSSL does by default; `openssl verify -x509_strict` and pyca/cryptography
    // refuse it. An intermediate with it is still refused (rules.rs,
    // ca_basic_constraints_must_be_critical).
    let non_critical = root_with(Some("CA:TRUE"));
    assert_eq!(server(&[&non_critical], &[&the_leaf]), Ok(()));
    openssl_verify(&[&non_critical], &[&the_leaf], "sslserver", None).unwrap();

    // A version 1 root (no extensions at all), as old system bundles hold.
    let mut v1 = Spec::new(cn("BC Root"), cn("BC Root"), &rpk, &rk);
    v1.v1 = true;
    let v1 = v1.der();
    assert_eq!(server(&[&v1], &[&the_leaf]), Ok(()));
    openssl_verify(&[&v1], &[&the_leaf], "sslserver", None).unwrap();
}

// ---- A trusted certificate presented as the end entity --------------------------------

#[test]
fn a_trusted_certificate_is_trusted_as_itself() {
    let k = key("server-rsa2048");
    let pk = public(&k);
    let self_signed = |bc: &str, extra: &[(Nid, &str)]| {
        let mut s = Spec::new(cn("localhost"), cn("localhost"), &pk, &k)
            .ext(Nid::BASIC_CONSTRAINTS, bc)
            .ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost");
        for (nid, v) in extra {
            s = s.ext(*nid, v);
        }
        s.der()
    };
    // What `openssl req -x509` makes (cA TRUE), and a CA:FALSE one.
    let ca_true = self_signed("critical,CA:TRUE", &[]);
    let ca_false = self_signed("critical,CA:FALSE", &[]);
    for cert in [&ca_true, &ca_false] {
        let path = verify(
            &[cert],
            &[cert],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            &VerifyOptions::default(),
        )
        .unwrap();
        assert_eq!(path.certificates(), std::slice::from_ref(cert));
        assert!(path.anchor_subject().is_some());
        openssl_verify(&[cert], &[cert], "sslserver", Some("localhost")).unwrap();
        // Also when the trust store holds other anchors, and as a client certificate.
        let other = common::cert("ca-root");
        assert_eq!(server(&[&other, cert], &[cert]), Ok(()));
        assert_eq!(client(&[cert], &[cert]), Ok(()));
        // The name is still checked...
        let wrong = verify(
            &[cert],
            &[cert],
            KeyPurpose::ServerAuth,
            Some("example.org"),
            &VerifyOptions::default(),
        );
        assert_eq!(wrong.unwrap_err(), Error::NameMismatch);
        // ...and so is the validity period.
        let later = UnixTime::from_secs(common::VALID_TO + 1);
        let expired = verify_at(
            &[cert],
            &[cert],
            KeyPurpose::ServerAuth,
            Some("localhost"),
            &VerifyOptions::default(),
            later,
        );
        assert_eq!(expired.unwrap_err(), Error::Expired);
    }
    // And the extendedKeyUsage.
    let client_only = self_signed("critical,CA:FALSE", &[(Nid::EXT_KEY_USAGE, "clientAuth")]);
    assert_eq!(
        server(&[&client_only], &[&client_only]),
        Err(Error::InvalidExtendedKeyUsage)
    );

    // A different self-signed certificate, even with the same name and extensions, is
    // not trusted: "unknown issuer", as OpenSSL says "self-signed certificate".
    let stranger_key = key("client");
    let spk = public(&stranger_key);
    for bc in ["critical,CA:TRUE", "critical,CA:FALSE"] {
        let stranger = Spec::new(cn("localhost"), cn("localhost"), &spk, &stranger_key)
            .ext(Nid::BASIC_CONSTRAINTS, bc)
            .ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost")
            .der();
        for trusted in [&ca_true, &ca_false] {
            assert_eq!(
                server(&[trusted], &[&stranger]),
                Err(Error::UnknownIssuer),
                "{bc}"
            );
            assert!(openssl_verify(&[trusted], &[&stranger], "sslserver", None).is_err());
        }
    }
}

// ---- rfc822Name constraints ------------------------------------------------------------

#[test]
fn email_name_constraints() {
    let (rk, ik, lk) = (key("ca-root"), key("ca-int"), key("client"));
    let the_root = root("Mail Root", &rk, &[]);
    // (constraint, leaf subjectAltName or subject emailAddress, accepted)
    let cases: &[(&str, &str, bool)] = &[
        // ".domain": every host below the domain, not the domain itself.
        (
            "permitted;email:.example.com",
            "email:a@mail.example.com",
            true,
        ),
        (
            "permitted;email:.example.com",
            "email:a@x.y.example.com",
            true,
        ),
        ("permitted;email:.example.com", "email:a@example.com", false),
        ("permitted;email:.example.com", "email:a@other.test", false),
        // "host": every mailbox on the host, not below it.
        ("permitted;email:example.com", "email:a@example.com", true),
        ("permitted;email:example.com", "email:b@EXAMPLE.COM", true),
        (
            "permitted;email:example.com",
            "email:a@mail.example.com",
            false,
        ),
        // One mailbox: the local part compares exactly.
        (
            "permitted;email:alice@example.com",
            "email:alice@example.com",
            true,
        ),
        (
            "permitted;email:alice@example.com",
            "email:bob@example.com",
            false,
        ),
        (
            "permitted;email:alice@example.com",
            "email:Alice@example.com",
            false,
        ),
        // Excluded subtrees.
        ("excluded;email:.evil.test", "email:a@mail.evil.test", false),
        ("excluded;email:.evil.test", "email:a@good.test", true),
        (
            "permitted;email:.example.com,excluded;email:bad.example.com",
            "email:a@bad.example.com",
            false,
        ),
        // Other forms are not restricted by e-mail constraints, nor e-mail by DNS ones.
        ("permitted;email:.example.com", "DNS:localhost", true),
        ("permitted;DNS:example.com", "email:a@other.test", true),
        // Several addresses: every one must pass.
        (
            "permitted;email:.example.com",
            "email:a@mail.example.com,email:b@other.test",
            false,
        ),
    ];
    for &(constraint, san, ok) in cases {
        let int = ca(
            "Mail CA",
            &ik,
            "Mail Root",
            &rk,
            &[(Nid::NAME_CONSTRAINTS, &format!("critical,{constraint}"))],
        );
        let the_leaf = leaf(&lk, "Mail CA", &ik, &[(Nid::SUBJECT_ALT_NAME, san)]);
        let ours = client(&[&the_root], &[&the_leaf, &int]);
        let theirs = openssl_verify(&[&the_root], &[&the_leaf, &int], "sslclient", None);
        if ok {
            assert_eq!(ours, Ok(()), "{constraint} / {san}");
            theirs.unwrap_or_else(|e| panic!("openssl: {constraint} / {san}: {e}"));
        } else {
            assert_eq!(
                ours,
                Err(Error::NameConstraintViolated),
                "{constraint} / {san}"
            );
            assert!(theirs.is_err(), "openssl accepts {constraint} / {san}");
        }
    }

    // The emailAddress attribute of the subject is checked too (RFC 5280 §4.2.1.10
    // requires it without a subjectAltName; it is checked in every case, as OpenSSL
    // does).
    let ipk = public(&lk);
    let int = ca(
        "Mail CA",
        &ik,
        "Mail Root",
        &rk,
        &[(
            Nid::NAME_CONSTRAINTS,
            "critical,permitted;email:.example.com",
        )],
    );
    for (email, with_san, ok) in [
        ("a@mail.example.com", false, true),
        ("a@other.test", false, false),
        ("a@mail.example.com", true, true),
        ("a@other.test", true, false),
    ] {
        let mut s = Spec::new(
            name(&[("CN", "mail user"), ("emailAddress", email)]),
            cn("Mail CA"),
            &ipk,
            &ik,
        )
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:FALSE");
        if with_san {
            s = s.ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost");
        }
        let the_leaf = s.der();
        let ours = client(&[&the_root], &[&the_leaf, &int]);
        let theirs = openssl_verify(&[&the_root], &[&the_leaf, &int], "sslclient", None);
        if ok {
            assert_eq!(ours, Ok(()), "{email} {with_san}");
            theirs.unwrap();
        } else {
            assert_eq!(
                ours,
                Err(Error::NameConstraintViolated),
                "{email} {with_san}"
            );
            assert!(theirs.is_err());
        }
    }
}

// ---- What a path that is too long is reported as ---------------------------------------

#[test]
fn a_path_too_long_is_reported_as_such() {
    // leaf <- L1 <- L2 <- ... <- L8 <- Deep Root: ten certificates with the anchor, over
    // the default max_depth of 8. Beside the real L1 the peer also sends another "L1"
    // with another key (a renewed CA key, say): under it the leaf's signature does not
    // verify. The report must be the depth, not that signature.
    let (rk, k, stranger, lk) = (
        key("ca-root"),
        key("ca-deep-1"),
        key("ca-deep-2"),
        key("server-rsa2048"),
    );
    let the_root = root("Deep Root", &rk, &[]);
    let the_leaf = leaf(&lk, "L1", &k, &[]);
    let mut chain = vec![the_leaf, ca("L1", &stranger, "L2", &k, &[])];
    for i in 1..=8 {
        let (issuer, signer) = if i == 8 {
            ("Deep Root".to_string(), &rk)
        } else {
            (format!("L{}", i + 1), &k)
        };
        chain.push(ca(&format!("L{i}"), &k, &issuer, signer, &[]));
    }
    let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let e = server(&[&the_root], &refs).unwrap_err();
    assert_eq!(e, Error::DepthExceeded);
    assert!(e.to_string().contains("path too long"), "{e}");
    // With room for ten certificates the same chain validates.
    let ten = common::opts(|o| o.max_depth = 10);
    assert!(
        verify(
            &[&the_root],
            &refs,
            KeyPurpose::ServerAuth,
            Some("localhost"),
            &ten
        )
        .is_ok()
    );
    // Without the too-long path, the stranger's bad signature is what is reported.
    assert_eq!(server(&[&the_root], &refs[..2]), Err(Error::BadSignature));
}

// ---- A key with a costly public exponent -----------------------------------------------

#[test]
fn public_exponents_of_2_pow_33_and_more_are_refused() {
    let (rk, lk) = (key("ca-root"), key("server-rsa2048"));
    let the_root = root("Exp Root", &rk, &[]);
    let big = BigNum::from_dec_str("8589934593").unwrap(); // 2^33 + 1
    let max = BigNum::from_dec_str("8589934591").unwrap(); // 2^33 - 1

    // An end-entity key (nothing is ever verified under it; refused all the same).
    let costly = common::certgen::public_key_with_e(&lk, &big);
    let costly_leaf = Spec::new(cn("leaf"), cn("Exp Root"), &costly, &rk)
        .ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost")
        .der();
    assert_eq!(
        server(&[&the_root], &[&costly_leaf]),
        Err(Error::UnsupportedPublicKey)
    );

    // An intermediate's key, and an anchor's.
    let big_key = fresh_key(2048, &big);
    let int = ca("Exp Int", &big_key, "Exp Root", &rk, &[]);
    let under_int = leaf(&lk, "Exp Int", &big_key, &[]);
    assert_eq!(
        server(&[&the_root], &[&under_int, &int]),
        Err(Error::UnsupportedPublicKey)
    );
    let big_root = root("Exp Int", &big_key, &[]);
    assert_eq!(
        server(&[&big_root], &[&under_int]),
        Err(Error::UnsupportedPublicKey)
    );

    // 2^33 - 1 is the largest accepted.
    let max_key = fresh_key(2048, &max);
    let int = ca("Exp Int", &max_key, "Exp Root", &rk, &[]);
    let under_int = leaf(&lk, "Exp Int", &max_key, &[]);
    assert_eq!(server(&[&the_root], &[&under_int, &int]), Ok(()));
}
