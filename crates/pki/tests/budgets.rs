//! Path building is budgeted by what it costs, and each budget that runs out is named
//! by its own error (certificates made at test time, tests/common/certgen.rs).

mod common;

use common::NOW;
use common::certgen::{Spec, ca, cn, fresh_key, key, leaf, public, root};
use openssl::bn::BigNum;
use openssl::nid::Nid;
use sanstls_pki::{Error, KeyPurpose, ServerName, TrustAnchors, VerifyOptions, verify_chain};

fn refs(c: &[Vec<u8>]) -> Vec<&[u8]> {
    c.iter().map(Vec::as_slice).collect()
}

fn server(roots: &[&[u8]], chain: &[&[u8]], opts: &VerifyOptions) -> Result<(), Error> {
    let anchors = TrustAnchors::from_der_certs(roots.iter().copied()).unwrap();
    verify_chain(
        &anchors,
        chain[0],
        &chain[1..],
        KeyPurpose::ServerAuth,
        Some(&ServerName::new("localhost").unwrap()),
        NOW,
        opts,
    )
    .map(drop)
}

/// A leaf issued by "Many CA" and `n` distinct "Many CA" certificates with the same
/// key, each issued by a CA nobody has: every one is a candidate whose signature check
/// succeeds and leads nowhere.
fn many_candidates(ca_key: &openssl::pkey::PKey<openssl::pkey::Private>, n: u32) -> Vec<Vec<u8>> {
    let mut chain = vec![leaf(&key("server-rsa2048"), "Many CA", ca_key, &[])];
    let pk = public(ca_key);
    for serial in 0..n {
        chain.push(
            Spec::new(cn("Many CA"), cn("Nobody"), &pk, &key("ca-root"))
                .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE")
                .serial(serial + 2)
                .der(),
        );
    }
    chain
}

#[test]
fn signature_checks_are_charged_their_cost() {
    let the_root = root("Some Root", &key("ca-root"), &[]);
    let opts = |checks: u32, work: u64| {
        common::opts(|o| {
            o.max_signature_checks = checks;
            o.max_signature_work = work;
        })
    };
    // Twenty checks under a 2048-bit key with e = 2^33 - 1: 66 * 32^2 = 67,584 units
    // each (1.35 million), against 19 * 32^2 = 19,456 (389,120) with e = 65537.
    let costly = fresh_key(2048, &BigNum::from_dec_str("8589934591").unwrap());
    let cheap = key("ca-deep-3");
    let costly_chain = many_candidates(&costly, 20);
    let cheap_chain = many_candidates(&cheap, 20);

    // Same number of checks, one budget of a million units: the cheap keys fit, the
    // costly ones do not.
    assert_eq!(
        server(&[&the_root], &refs(&cheap_chain), &opts(64, 1_000_000)),
        Err(Error::UnknownIssuer)
    );
    assert_eq!(
        server(&[&the_root], &refs(&costly_chain), &opts(64, 1_000_000)),
        Err(Error::SignatureWorkExceeded)
    );
    // The defaults allow both (20 checks; 1.4 million units of 6 million).
    assert_eq!(
        server(
            &[&the_root],
            &refs(&costly_chain),
            &VerifyOptions::default()
        ),
        Err(Error::UnknownIssuer)
    );
    // The count budget is still there, and says so.
    assert_eq!(
        server(&[&the_root], &refs(&cheap_chain), &opts(10, u64::MAX)),
        Err(Error::BudgetExceeded)
    );
    // A valid chain fits in the defaults, not in a budget below its cost.
    let good: Vec<Vec<u8>> = common::chain("server-rsa2048");
    let anchors = [common::cert("ca-root")];
    let r = |o: &VerifyOptions| server(&[anchors[0].as_slice()], &refs(&good), o);
    assert_eq!(r(&VerifyOptions::default()), Ok(()));
    assert_eq!(r(&opts(64, 1_000)), Err(Error::SignatureWorkExceeded));
}

#[test]
fn name_constraint_work_is_budgeted_and_named() {
    // A CA with 1,000 permitted subtrees and a leaf with 300 names: 300 * 1,001 units
    // and more, over the default budget of 2^18.
    let (rk, ik, lk) = (key("ca-root"), key("ca-int"), key("server-rsa2048"));
    let the_root = root("NC Root", &rk, &[]);
    let subtrees: Vec<String> = (0..1000)
        .map(|i| format!("permitted;DNS:n{i}.example.test"))
        .collect();
    let int = ca(
        "NC CA",
        &ik,
        "NC Root",
        &rk,
        &[(
            Nid::NAME_CONSTRAINTS,
            &format!("critical,{}", subtrees.join(",")),
        )],
    );
    let names: Vec<String> = (0..300)
        .map(|i| format!("DNS:h.n{i}.example.test"))
        .collect();
    let mut san = names.join(",");
    san.push_str(",DNS:localhost");
    let the_leaf = leaf(&lk, "NC CA", &ik, &[(Nid::SUBJECT_ALT_NAME, &san)]);
    let e = server(&[&the_root], &[&the_leaf, &int], &VerifyOptions::default()).unwrap_err();
    assert_eq!(e, Error::NameConstraintWorkExceeded);
    assert_eq!(
        e.to_string(),
        "name-constraint budget exceeded (too many names to check against name constraints)"
    );
    // With a larger budget the names are checked (localhost is outside: a violation).
    let more = common::opts(|o| o.max_name_constraint_work = 1 << 20);
    assert_eq!(
        server(&[&the_root], &[&the_leaf, &int], &more),
        Err(Error::NameConstraintViolated)
    );
}

#[test]
fn budget_errors_say_which_budget() {
    let texts = [
        (
            Error::BudgetExceeded,
            "signature-check budget exceeded (too many candidate issuers to try)",
        ),
        (
            Error::SignatureWorkExceeded,
            "signature-verification work budget exceeded (keys too large or too many \
             candidate issuers)",
        ),
        (
            Error::NameConstraintWorkExceeded,
            "name-constraint budget exceeded (too many names to check against name \
             constraints)",
        ),
        (
            Error::DepthExceeded,
            "certificate path too long (more certificates than the maximum depth)",
        ),
    ];
    for (e, text) in texts {
        assert_eq!(e.to_string(), text);
        assert_eq!(e.alert(), sanstls_pki::AlertCode::BAD_CERTIFICATE);
    }
}

#[test]
fn intermediates_are_bounded_in_size() {
    // A 300 KB certificate (16,000 names) before the real intermediate: past
    // MAX_INTERMEDIATES_LEN, so the real one is never decoded. After it, it is found.
    let names: Vec<String> = (0..16_000)
        .map(|i| format!("DNS:n{i}.example.test"))
        .collect();
    let big = leaf(
        &key("client"),
        "Nobody",
        &key("ca-root"),
        &[(Nid::SUBJECT_ALT_NAME, &names.join(","))],
    );
    assert!(big.len() > sanstls_pki::MAX_INTERMEDIATES_LEN);
    let good = common::chain("server-rsa2048");
    let root = common::cert("ca-root");
    let opts = VerifyOptions::default();
    assert_eq!(
        server(&[&root], &[&good[0], &big, &good[1]], &opts),
        Err(Error::UnknownIssuer)
    );
    assert_eq!(server(&[&root], &[&good[0], &good[1], &big], &opts), Ok(()));
}
