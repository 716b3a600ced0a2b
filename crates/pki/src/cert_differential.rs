//! The differential test of the DER walker: the former x509-cert parser (`legacy`) and
//! [`super::Cert::parse`] must give the same verdicts, error texts and fields on the
//! testdata certificates, on crafted ones, and on every one-byte edit and truncation of
//! each.
use alloc::string::String;
use alloc::vec::Vec;
use std::format;

use super::{Cert, legacy};

fn summary(c: &Cert<'_>) -> legacy::Summary {
    legacy::Summary {
        raw: [
            c.der,
            c.tbs,
            c.sig_alg,
            c.signature,
            c.issuer,
            c.subject,
            c.spki,
        ]
        .map(<[u8]>::to_vec),
        validity: (c.not_before, c.not_after),
        basic: c.basic,
        key_usage: c.key_usage,
        eku: c.eku.clone(),
        san: c
            .san
            .map(|_| c.san_names().map(legacy::owned_name).collect()),
        name_constraints: c.name_constraints.clone(),
        subject_emails: c.subject_emails.iter().map(|e| e.to_vec()).collect(),
        flags: [c.unknown_critical, c.basic_critical, c.san_critical, c.v3],
    }
}

/// `None` when both parsers agree: the same verdict, error and decoded fields.
fn compare(der: &[u8]) -> Option<String> {
    let new = Cert::parse(der).map(|c| summary(&c));
    let old = legacy::parse(der);
    if new == old {
        None
    } else {
        Some(format!(
            "new {:?}\nold {:?}",
            new.map(|_| ()),
            old.map(|_| ())
        ))
    }
}

fn testdata_certs() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".cert.pem"))
        .collect();
    entries.sort();
    for p in entries {
        let pem = std::fs::read_to_string(&p).unwrap();
        out.extend(crate::pem_to_der_certs(&pem).unwrap());
    }
    out
}

#[test]
fn times_decode_as_der_does() {
    use der::Decode;
    let utc = [
        "500101000000Z",
        "491231235959Z",
        "000229000000Z",
        "010229000000Z",
        "690101000000Z",
        "700101000000Z",
        "991231235959Z",
        "250101000000Z",
        "251301000000Z",
        "250100000000Z",
        "250431000000Z",
        "250101240000Z",
        "250101006000Z",
        "250101000060Z",
        "2501010000Z",
        "250101000000+0000",
        "25010100000aZ",
        "250101000000z",
        "2501010000000Z",
    ];
    let generalized = [
        "19691231235959Z",
        "19700101000000Z",
        "20000229120000Z",
        "21000229000000Z",
        "20960229000000Z",
        "99991231235959Z",
        "20240230000000Z",
        "20241301000000Z",
        "20240101240000Z",
        "20240101006000Z",
        "20240101000060Z",
        "2024010100000Z",
        "20240101000000.5Z",
        "20240101000000",
        "20500101000000Z",
        "16000229000000Z",
    ];
    let cases = utc
        .iter()
        .map(|s| (0x17u8, s))
        .chain(generalized.iter().map(|s| (0x18, s)));
    for (tag, text) in cases {
        let mut tlv = alloc::vec![tag, text.len() as u8];
        tlv.extend_from_slice(text.as_bytes());
        let ours = super::time(der::asn1::AnyRef::from_der(&tlv).unwrap()).ok();
        let theirs = x509_cert::time::Time::from_der(&tlv)
            .ok()
            .map(|t| t.to_unix_duration().as_secs());
        assert_eq!(ours, theirs, "{text}");
    }
}

/// `der` and its edits: every single octet XORed with 0x01, 0x80 and 0xff, set to
/// 0, and every truncation. Differences go to `failures`; returns the case count.
fn compare_edits(der: &[u8], label: &str, failures: &mut Vec<String>) -> usize {
    let mut cases = 0;
    let mut check = |d: &[u8], what: &dyn Fn() -> String| {
        cases += 1;
        if let Some(diff) = compare(d) {
            failures.push(format!("{label}, {}: {diff}", what()));
        }
    };
    check(der, &|| String::from("unchanged"));
    for i in 0..der.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut m = der.to_vec();
            m[i] ^= x;
            check(&m, &|| format!("byte {i} ^ {x:#x}"));
        }
        let mut m = der.to_vec();
        m[i] = 0;
        check(&m, &|| format!("byte {i} = 0"));
        check(&der[..i], &|| format!("truncated to {i}"));
    }
    cases
}

fn assert_no_failures(mut failures: Vec<String>, cases: usize) {
    let n = failures.len();
    failures.truncate(20);
    assert!(
        n == 0,
        "{n} of {cases} cases differ; first ones:\n{}",
        failures.join("\n")
    );
}

/// Every testdata certificate and its edits: the same verdict, the same error text
/// and the same decoded fields as the old parser.
#[test]
fn same_verdicts_as_the_x509_cert_parser() {
    let mut failures = Vec::new();
    let mut cases = 0usize;
    for (i, der) in testdata_certs().iter().enumerate() {
        cases += compare_edits(der, &format!("testdata #{i}"), &mut failures);
    }
    assert_no_failures(failures, cases);
}

// ---- Crafted certificates: the corners testdata does not reach ----------------

/// A DER TLV.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = alloc::vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn oid_tlv(dotted: &str) -> Vec<u8> {
    use der::Encode;
    der::asn1::ObjectIdentifier::new_unwrap(dotted)
        .to_der()
        .unwrap()
}

/// server-rsa2048 with its tbsCertificate rebuilt: `version` (the `[0]` TLV or
/// nothing), `tail` after the subjectPublicKeyInfo (unique identifiers, extensions).
fn rebuilt(version: &[u8], tail: &[u8]) -> Vec<u8> {
    use der::Reader;
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/server-rsa2048.cert.pem"
    ))
    .unwrap();
    let der = crate::pem_to_der_certs(&pem).unwrap().remove(0);
    let c = Cert::parse(&der).unwrap();
    let mut r = der::SliceReader::new(super::only(c.tbs, der::Tag::Sequence).unwrap()).unwrap();
    let _version = r.tlv_bytes().unwrap();
    let serial = r.tlv_bytes().unwrap();
    let fields: Vec<&[u8]> = (0..5).map(|_| r.tlv_bytes().unwrap()).collect();
    let tbs = tlv(0x30, &cat(&[version, serial, &fields.concat(), tail]));
    let mut sig = alloc::vec![0u8];
    sig.extend_from_slice(c.signature);
    tlv(0x30, &cat(&[&tbs, c.sig_alg, &tlv(0x03, &sig)]))
}

const V3: [u8; 5] = [0xa0, 3, 2, 1, 2];

/// A v3 certificate whose only extension is `oid` with `value`.
fn with_extension(oid: &str, critical: &[u8], value: &[u8]) -> Vec<u8> {
    let ext = tlv(0x30, &cat(&[&oid_tlv(oid), critical, &tlv(0x04, value)]));
    rebuilt(&V3, &tlv(0xa3, &tlv(0x30, &ext)))
}

#[test]
#[allow(clippy::too_many_lines)]
fn crafted_corners_get_the_same_verdicts() {
    let cn = tlv(
        0x30,
        &tlv(
            0x31,
            &tlv(0x30, &cat(&[&oid_tlv("2.5.4.3"), &tlv(0x0c, b"x")])),
        ),
    );
    let utf8 = tlv(0x0c, b"x");
    let general_names: Vec<Vec<u8>> = alloc::vec![
        tlv(0xa0, &cat(&[&oid_tlv("1.2.3.4"), &tlv(0xa0, &utf8)])),
        tlv(0xa0, &oid_tlv("1.2.3.4")),
        tlv(0xa0, &cat(&[&oid_tlv("1.2.3.4"), &tlv(0xa0, &[])])),
        tlv(0xa0, &cat(&[&oid_tlv("1.2.3.4"), &tlv(0xa1, &utf8)])),
        tlv(0x81, b"a@example.test"),
        tlv(0x81, &[0xe9]),
        tlv(0x82, b"example.test"),
        tlv(0x82, b""),
        tlv(0xa2, b""),
        tlv(0xa3, &[]),
        tlv(0xa4, &cn),
        tlv(0xa4, &[]),
        tlv(0xa4, &cat(&[&cn, &cn])),
        tlv(0xa4, &tlv(0x31, &[])),
        tlv(0xa5, &tlv(0xa1, &utf8)),
        tlv(0xa5, &cat(&[&tlv(0xa0, &utf8), &tlv(0xa1, &utf8)])),
        tlv(0xa5, &[]),
        tlv(0xa5, &tlv(0x04, &[])),
        tlv(0xa5, &tlv(0xa1, &tlv(0x13, b"a*b"))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x13, b"A b'()+,-./:=?"))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x1e, &[0xd8, 0x00]))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x1e, &[0x00, 0x41]))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x1e, &[0xff, 0xff]))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x1e, &[0x00]))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x14, &[0x80]))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x0c, &[0xc3, 0xa9]))),
        tlv(0xa5, &tlv(0xa1, &tlv(0x0c, &[0xc3]))),
        tlv(0xa5, &tlv(0xa1, &cat(&[&utf8, &utf8]))),
        tlv(0x86, b"https://example.test/"),
        tlv(0x86, &[0x80]),
        tlv(0x87, &[127, 0, 0, 1]),
        tlv(0x87, &[0; 16]),
        tlv(0x87, &[1, 2, 3]),
        tlv(0x88, &[0x2a, 3, 4]),
        tlv(0x88, &[0x80]),
        tlv(0x89, &[]),
        tlv(0x04, &[]),
    ];
    let mut certs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |label: String, der: Vec<u8>| certs.push((label, der));
    for (i, gn) in general_names.iter().enumerate() {
        add(
            format!("SAN #{i}"),
            with_extension("2.5.29.17", &[], &tlv(0x30, gn)),
        );
        let subtree = tlv(0x30, gn);
        add(
            format!("NC permitted #{i}"),
            with_extension("2.5.29.30", &[], &tlv(0x30, &tlv(0xa0, &subtree))),
        );
    }
    let dns = tlv(0x82, b"example.test");
    let subtree = |extra: &[u8]| tlv(0x30, &cat(&[&dns, extra]));
    let nc = [
        tlv(0x30, &tlv(0xa0, &subtree(&[0x80, 1, 0]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x80, 1, 1]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x80, 2, 0, 0]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x81, 1, 5]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x81, 1, 5, 0x80, 1, 0]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x80, 1, 0, 0x81, 1, 5]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x80, 1, 0x80]))),
        tlv(0x30, &tlv(0xa0, &subtree(&[0x80, 5, 1, 0, 0, 0, 0]))),
        tlv(
            0x30,
            &cat(&[&tlv(0xa1, &subtree(&[])), &tlv(0xa0, &subtree(&[]))]),
        ),
        tlv(
            0x30,
            &cat(&[&tlv(0xa0, &subtree(&[])), &tlv(0xa0, &subtree(&[]))]),
        ),
        tlv(
            0x30,
            &cat(&[&tlv(0xa0, &subtree(&[])), &tlv(0xa1, &subtree(&[]))]),
        ),
        tlv(0x30, &[]),
        tlv(0x30, &tlv(0xa0, &[])),
        tlv(0x30, &tlv(0x80, &subtree(&[]))),
    ];
    for (i, v) in nc.iter().enumerate() {
        add(
            format!("NC #{i}"),
            with_extension("2.5.29.30", &[1, 1, 0xff], v),
        );
    }
    let bc: [&[u8]; 12] = [
        &[],
        &[1, 1, 0xff],
        &[1, 1, 0],
        &[1, 1, 0xff, 2, 1, 0],
        &[2, 1, 5],
        &[1, 1, 0xff, 2, 2, 1, 0],
        &[1, 1, 0xff, 2, 1, 0xff],
        &[1, 1, 1],
        &[1, 1, 0xff, 2, 2, 0, 5],
        &[1, 1, 0xff, 2, 1, 0, 5, 0],
        &[1, 1, 0xff, 2, 1, 0x7f],
        &[1, 2, 0xff, 0xff],
    ];
    for (i, v) in bc.iter().enumerate() {
        add(
            format!("BC #{i}"),
            with_extension("2.5.29.19", &[1, 1, 0xff], &tlv(0x30, v)),
        );
    }
    let ku: [&[u8]; 9] = [
        &[7, 0x80],
        &[7, 0x80, 0],
        &[0, 0, 0, 1],
        &[],
        &[0, 0],
        &[8, 0],
        &[0, 0, 0x40],
        &[1, 0xa0],
        &[0, 0xff, 0x80],
    ];
    for (i, v) in ku.iter().enumerate() {
        add(
            format!("KU #{i}"),
            with_extension("2.5.29.15", &[], &tlv(0x03, v)),
        );
    }
    let eku = [
        tlv(0x30, &[]),
        tlv(0x30, &oid_tlv("1.3.6.1.5.5.7.3.1")),
        tlv(0x30, &tlv(0x04, &[])),
        tlv(
            0x30,
            &cat(&[&oid_tlv("1.3.6.1.5.5.7.3.1"), &oid_tlv("2.5.29.37.0")]),
        ),
    ];
    for (i, v) in eku.iter().enumerate() {
        add(format!("EKU #{i}"), with_extension("2.5.29.37", &[], v));
    }
    // The extensions validation does not use (checked as x509-cert checked them).
    let gns = cat(&[&tlv(0x82, b"example.test"), &tlv(0xa4, &cn)]);
    let uri = tlv(0x86, b"http://example.test/");
    let unused: Vec<(&str, Vec<u8>)> = alloc::vec![
        ("2.5.29.14", tlv(0x04, &[1, 2])),
        ("2.5.29.14", tlv(0x03, &[0, 2])),
        ("2.5.29.35", tlv(0x30, &[])),
        (
            "2.5.29.35",
            tlv(
                0x30,
                &cat(&[&tlv(0x80, &[1]), &tlv(0xa1, &gns), &tlv(0x82, &[1])])
            )
        ),
        (
            "2.5.29.35",
            tlv(0x30, &cat(&[&tlv(0xa1, &gns), &tlv(0x80, &[1])]))
        ),
        ("2.5.29.35", tlv(0x30, &tlv(0x82, &[0, 1]))),
        ("2.5.29.35", tlv(0x30, &tlv(0x82, &[]))),
        ("2.5.29.35", tlv(0x30, &tlv(0x82, &[0x80; 22]))),
        ("2.5.29.35", tlv(0x30, &tlv(0xa0, &[1]))),
        ("2.5.29.35", tlv(0x30, &tlv(0xa3, &[]))),
        ("1.3.6.1.5.5.7.1.1", tlv(0x30, &[])),
        (
            "1.3.6.1.5.5.7.1.1",
            tlv(
                0x30,
                &tlv(0x30, &cat(&[&oid_tlv("1.3.6.1.5.5.7.48.1"), &uri]))
            )
        ),
        (
            "1.3.6.1.5.5.7.1.1",
            tlv(0x30, &tlv(0x30, &oid_tlv("1.3.6.1.5.5.7.48.1")))
        ),
        (
            "1.3.6.1.5.5.7.1.1",
            tlv(
                0x30,
                &tlv(0x30, &cat(&[&oid_tlv("1.3.6.1.5.5.7.48.1"), &uri, &uri]))
            )
        ),
        ("2.5.29.31", tlv(0x30, &[])),
        ("2.5.29.31", tlv(0x30, &tlv(0x30, &[]))),
        (
            "2.5.29.31",
            tlv(0x30, &tlv(0x30, &tlv(0xa0, &tlv(0xa0, &uri))))
        ),
        (
            "2.5.29.31",
            tlv(
                0x30,
                &tlv(
                    0x30,
                    &tlv(
                        0xa0,
                        &tlv(0xa1, &tlv(0x30, &cat(&[&oid_tlv("2.5.4.3"), &utf8])))
                    )
                )
            )
        ),
        (
            "2.5.29.31",
            tlv(
                0x30,
                &tlv(
                    0x30,
                    &cat(&[
                        &tlv(0xa0, &tlv(0xa0, &uri)),
                        &tlv(0x81, &[7, 0x80]),
                        &tlv(0xa2, &gns)
                    ])
                )
            )
        ),
        (
            "2.5.29.31",
            tlv(0x30, &tlv(0x30, &tlv(0x81, &[0, 0, 0, 1])))
        ),
        (
            "2.5.29.31",
            tlv(
                0x30,
                &tlv(
                    0x30,
                    &tlv(0xa0, &cat(&[&tlv(0xa0, &uri), &tlv(0xa0, &uri)]))
                )
            )
        ),
        (
            "2.5.29.31",
            tlv(0x30, &tlv(0x30, &tlv(0xa0, &tlv(0xa2, &uri))))
        ),
        ("2.5.29.32", tlv(0x30, &[])),
        ("2.5.29.32", tlv(0x30, &tlv(0x30, &oid_tlv("2.5.29.32.0")))),
        (
            "2.5.29.32",
            tlv(
                0x30,
                &tlv(0x30, &cat(&[&oid_tlv("2.5.29.32.0"), &tlv(0x30, &[])]))
            )
        ),
        (
            "2.5.29.32",
            tlv(
                0x30,
                &tlv(
                    0x30,
                    &cat(&[
                        &oid_tlv("2.5.29.32.0"),
                        &tlv(
                            0x30,
                            &tlv(
                                0x30,
                                &cat(&[&oid_tlv("1.3.6.1.5.5.7.2.1"), &tlv(0x16, b"http://x/")])
                            )
                        )
                    ])
                )
            )
        ),
        (
            "2.5.29.32",
            tlv(
                0x30,
                &tlv(
                    0x30,
                    &cat(&[
                        &oid_tlv("2.5.29.32.0"),
                        &tlv(0x30, &tlv(0x30, &oid_tlv("1.3.6.1.5.5.7.2.1")))
                    ])
                )
            )
        ),
        (
            "2.5.29.32",
            tlv(
                0x30,
                &tlv(0x30, &cat(&[&oid_tlv("2.5.29.32.0"), &tlv(0x31, &[])]))
            )
        ),
    ];
    // Malformed inner contents of each of those five, and their valid neighbours.
    let seq = |parts: &[&[u8]]| tlv(0x30, &cat(parts));
    let bad_gn = tlv(0xa3, &[]);
    let rdn_atv = seq(&[&oid_tlv("2.5.4.3"), &utf8]);
    let ocsp = oid_tlv("1.3.6.1.5.5.7.48.1");
    let any_policy = oid_tlv("2.5.29.32.0");
    let cps = oid_tlv("1.3.6.1.5.5.7.2.1");
    let ia5 = tlv(0x16, b"http://x/");
    let mut unused = unused;
    let more: Vec<(&str, Vec<u8>)> = alloc::vec![
        // subjectKeyIdentifier
        ("2.5.29.14", tlv(0x04, &[])),
        ("2.5.29.14", tlv(0x24, &tlv(0x04, &[1]))),
        ("2.5.29.14", cat(&[&tlv(0x04, &[1]), &[0]])),
        // authorityKeyIdentifier: tag forms, order, duplicates, contents.
        ("2.5.29.35", seq(&[&tlv(0x80, &[])])),
        ("2.5.29.35", seq(&[&tlv(0xa0, &tlv(0x04, &[1]))])),
        ("2.5.29.35", seq(&[&tlv(0x80, &[1]), &tlv(0x80, &[2])])),
        ("2.5.29.35", seq(&[&tlv(0xa1, &[])])),
        ("2.5.29.35", seq(&[&tlv(0x81, &tlv(0x82, b"x"))])),
        ("2.5.29.35", seq(&[&tlv(0xa1, &bad_gn)])),
        ("2.5.29.35", seq(&[&tlv(0xa1, &tlv(0x81, &[0xe9]))])),
        ("2.5.29.35", seq(&[&tlv(0xa1, &gns), &tlv(0xa1, &gns)])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[1]), &tlv(0xa1, &gns)])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[1]), &tlv(0x80, &[1])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[1]), &tlv(0x82, &[1])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0, 0x80])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0xff])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0xff, 0x7f])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0xff, 0x80])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0, 0])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &cat(&[&[0], &[0x80; 20]]))])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0x7f; 21])])),
        ("2.5.29.35", seq(&[&tlv(0x82, &[0x7f; 22])])),
        ("2.5.29.35", seq(&[&tlv(0xa2, &tlv(0x02, &[1]))])),
        ("2.5.29.35", seq(&[&tlv(0x80, &[1]), &tlv(0x83, &[1])])),
        ("2.5.29.35", seq(&[&tlv(0x80, &[1]), &tlv(0x04, &[1])])),
        ("2.5.29.35", seq(&[&tlv(0x40, &[1])])),
        ("2.5.29.35", tlv(0x31, &tlv(0x80, &[1]))),
        // authorityInfoAccess: entries that are not SEQUENCE {OID, GeneralName}.
        ("1.3.6.1.5.5.7.1.1", seq(&[&ocsp])),
        (
            "1.3.6.1.5.5.7.1.1",
            seq(&[&tlv(0x31, &cat(&[&ocsp, &uri]))])
        ),
        ("1.3.6.1.5.5.7.1.1", seq(&[&seq(&[&uri, &ocsp])])),
        ("1.3.6.1.5.5.7.1.1", seq(&[&seq(&[&ocsp, &bad_gn])])),
        (
            "1.3.6.1.5.5.7.1.1",
            seq(&[&seq(&[&ocsp, &tlv(0x86, &[0x80])])])
        ),
        (
            "1.3.6.1.5.5.7.1.1",
            seq(&[&seq(&[&tlv(0x06, &[0x80]), &uri])])
        ),
        ("1.3.6.1.5.5.7.1.1", seq(&[&seq(&[&ocsp, &uri]), &seq(&[])])),
        (
            "1.3.6.1.5.5.7.1.1",
            seq(&[&seq(&[&ocsp, &uri]), &seq(&[&ocsp, &tlv(0xa4, &cn)])])
        ),
        // cRLDistributionPoints: DistributionPointName, reasons, cRLIssuer.
        ("2.5.29.31", seq(&[&tlv(0x31, &[])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x80, &tlv(0xa0, &uri))])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa0, &[])])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa0, &tlv(0xa0, &[]))])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa0, &tlv(0x80, &uri))])])),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa0, &tlv(0xa0, &bad_gn))])])
        ),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa0, &tlv(0x30, &uri))])])),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa0, &tlv(0xa1, &rdn_atv))])])
        ),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa0, &tlv(0xa1, &cat(&[&rdn_atv, &rdn_atv])))])])
        ),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa0, &tlv(0xa1, &[]))])])),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa0, &tlv(0x81, &rdn_atv))])])
        ),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(
                0xa0,
                &tlv(0xa1, &seq(&[&oid_tlv("2.5.4.3")]))
            )])])
        ),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa0, &tlv(0xa1, &tlv(0x31, &rdn_atv)))])])
        ),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x81, &[])])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x81, &[0])])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x81, &[8, 0])])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x81, &[1, 0x81])])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x81, &[0, 0xff, 0xff])])])),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0x81, &[7, 0xff, 0xff, 0x80])])])
        ),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa1, &tlv(0x03, &[7, 0x80]))])])
        ),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa2, &[])])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0x82, &uri)])])),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa2, &bad_gn)])])),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa2, &gns), &tlv(0xa0, &tlv(0xa0, &uri))])])
        ),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0x81, &[7, 0x80]), &tlv(0x81, &[7, 0x80])])])
        ),
        ("2.5.29.31", seq(&[&seq(&[&tlv(0xa3, &[])])])),
        (
            "2.5.29.31",
            seq(&[&seq(&[&tlv(0xa0, &tlv(0xa0, &uri)), &uri])])
        ),
        (
            "2.5.29.31",
            seq(&[
                &seq(&[&tlv(0xa0, &tlv(0xa0, &uri))]),
                &seq(&[&tlv(0x81, &[])])
            ])
        ),
        // certificatePolicies: bad OIDs, bad qualifier lists.
        ("2.5.29.32", seq(&[&seq(&[&tlv(0x06, &[0x80])])])),
        ("2.5.29.32", seq(&[&seq(&[])])),
        ("2.5.29.32", seq(&[&seq(&[&ia5])])),
        ("2.5.29.32", seq(&[&any_policy])),
        (
            "2.5.29.32",
            seq(&[&seq(&[&any_policy, &seq(&[]), &seq(&[])])])
        ),
        ("2.5.29.32", seq(&[&seq(&[&any_policy, &seq(&[&cps])])])),
        ("2.5.29.32", seq(&[&seq(&[&any_policy, &seq(&[&ia5])])])),
        (
            "2.5.29.32",
            seq(&[&seq(&[&any_policy, &seq(&[&seq(&[&cps, &ia5, &ia5])])])])
        ),
        (
            "2.5.29.32",
            seq(&[&seq(&[&any_policy, &seq(&[&seq(&[&ia5, &cps])])])])
        ),
        (
            "2.5.29.32",
            seq(&[&seq(&[
                &any_policy,
                &seq(&[&seq(&[&tlv(0x06, &[0x2a, 0x80]), &ia5])])
            ])])
        ),
        (
            "2.5.29.32",
            seq(&[&seq(&[
                &any_policy,
                &seq(&[&seq(&[&cps, &tlv(0x16, &[0xe9])])])
            ])])
        ),
        (
            "2.5.29.32",
            seq(&[&seq(&[&any_policy, &seq(&[&seq(&[&cps, &seq(&[&utf8])])])])])
        ),
        (
            "2.5.29.32",
            seq(&[&seq(&[&any_policy, &seq(&[&tlv(0x31, &cps)])])])
        ),
        (
            "2.5.29.32",
            seq(&[
                &seq(&[&any_policy]),
                &seq(&[&oid_tlv("2.23.140.1.2.1"), &seq(&[&seq(&[&cps, &ia5])])])
            ])
        ),
        ("2.5.29.32", seq(&[&seq(&[&any_policy]), &ia5])),
    ];
    unused.extend(more);
    for (i, (id, v)) in unused.iter().enumerate() {
        add(format!("{id} #{i}"), with_extension(id, &[], v));
    }
    // Criticality spelled out as FALSE, and a bad BOOLEAN.
    add(
        "critical FALSE".into(),
        with_extension("2.5.29.37", &[1, 1, 0], &eku[1]),
    );
    add(
        "critical 0x01".into(),
        with_extension("2.5.29.37", &[1, 1, 1], &eku[1]),
    );
    // Versions and unique identifiers.
    let uid1 = tlv(0x81, &[0, 0xaa]);
    let uid2 = tlv(0x82, &[0, 0xbb]);
    let exts = tlv(
        0xa3,
        &tlv(
            0x30,
            &tlv(0x30, &cat(&[&oid_tlv("2.5.29.37"), &tlv(0x04, &eku[1])])),
        ),
    );
    let versions: [&[u8]; 6] = [
        &[],
        &[0xa0, 3, 2, 1, 0],
        &[0xa0, 3, 2, 1, 1],
        &V3,
        &[0xa0, 3, 2, 1, 3],
        &[0xa0, 4, 2, 2, 0, 2],
    ];
    for (i, version) in versions.iter().enumerate() {
        for (j, tail) in [
            Vec::new(),
            uid1.clone(),
            cat(&[&uid1, &uid2]),
            cat(&[&uid2, &uid1]),
            cat(&[&uid1, &uid1]),
            cat(&[&uid1, &uid2, &exts]),
            cat(&[&exts, &uid1]),
            exts.clone(),
            tlv(0x81, &[8, 0]),
            tlv(0xa1, &[0, 0xaa]),
        ]
        .iter()
        .enumerate()
        {
            add(format!("version #{i} tail #{j}"), rebuilt(version, tail));
        }
    }
    let mut failures = Vec::new();
    let mut cases = 0;
    for (label, der) in &certs {
        cases += compare_edits(der, label, &mut failures);
    }
    assert_no_failures(failures, cases);
}
