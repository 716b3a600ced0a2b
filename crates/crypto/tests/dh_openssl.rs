//! Cross-check of `sanstls_crypto::dh` against the `openssl` command-line tool
//! (OpenSSL 3): the RFC 7919 moduli, and an ffdhe2048 agreement in both directions.
//!
//! The `openssl` binary is required. If it is missing, these tests fail with a message
//! saying so (CI installs it); they never pass without having run it.
//!
//! OpenSSL's `pkeyutl -derive` for DH does not pad its output by default (OpenSSL 3.0's
//! DH key exchange has `pad = 0` unless `-pkeyopt dh_pad:1` is given), which is the
//! TLS 1.2 premaster format of RFC 5246 §8.1.2; with `dh_pad:1` it left-pads to |p|. Both
//! are checked against sanstls's stripped secret.

use sanstls_crypto::dh::{DhGroup, DhPrivateKey, NamedDhGroup};
use sanstls_crypto::rng::SeededRng;

/// OID 1.2.840.113549.1.3.1 (PKCS #3 dhKeyAgreement), the algorithm OpenSSL writes for
/// `-algorithm DH` keys.
const DH_KEY_AGREEMENT_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01];

mod common;
use common::{TempDir, openssl};

// --- Minimal DER reading and writing, enough for a DH SubjectPublicKeyInfo. ---

/// Split one TLV off `input`: (tag, contents, rest).
fn tlv(input: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = input[0];
    let (len, header) = match input[1] {
        n if n < 0x80 => (usize::from(n), 2),
        n => {
            let count = usize::from(n & 0x7f);
            let len = input[2..2 + count]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, 2 + count)
        }
    };
    (tag, &input[header..header + len], &input[header + len..])
}

fn expect(tag: u8, input: &[u8]) -> (&[u8], &[u8]) {
    let (t, contents, rest) = tlv(input);
    assert_eq!(t, tag, "unexpected DER tag");
    (contents, rest)
}

/// An INTEGER's contents as an unsigned big-endian value without leading zeros.
fn unsigned(contents: &[u8]) -> Vec<u8> {
    assert!(contents[0] & 0x80 == 0, "negative INTEGER");
    let start = contents
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(contents.len());
    contents[start..].to_vec()
}

/// (p, g, y) from a DH SubjectPublicKeyInfo.
fn parse_dh_spki(der: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (spki, rest) = expect(0x30, der);
    assert!(rest.is_empty());
    let (alg, rest) = expect(0x30, spki);
    let (bits, rest) = expect(0x03, rest);
    assert!(rest.is_empty());
    let (oid, params) = expect(0x06, alg);
    assert_eq!(oid, DH_KEY_AGREEMENT_OID);
    let (p, g) = parse_dh_params(params);
    assert_eq!(bits[0], 0, "BIT STRING with unused bits");
    let (y, rest) = expect(0x02, &bits[1..]);
    assert!(rest.is_empty());
    (p, g, unsigned(y))
}

/// (p, g) from a PKCS #3 DHParameter SEQUENCE (privateValueLength ignored).
fn parse_dh_params(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (params, _) = expect(0x30, der);
    let (p, rest) = expect(0x02, params);
    let (g, _) = expect(0x02, rest);
    (unsigned(p), unsigned(g))
}

fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let start = bytes.iter().position(|&b| b != 0).unwrap();
        out.push(0x80 | (bytes.len() - start) as u8);
        out.extend_from_slice(&bytes[start..]);
    }
    out.extend_from_slice(contents);
    out
}

fn der_unsigned(value: &[u8]) -> Vec<u8> {
    let start = value
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(value.len() - 1);
    let value = &value[start..];
    let mut contents = Vec::new();
    if value[0] & 0x80 != 0 {
        contents.push(0);
    }
    contents.extend_from_slice(value);
    der(0x02, &contents)
}

fn dh_spki(p: &[u8], g: &[u8], y: &[u8]) -> Vec<u8> {
    let params = der(0x30, &[der_unsigned(p), der_unsigned(g)].concat());
    let alg = der(0x30, &[der(0x06, DH_KEY_AGREEMENT_OID), params].concat());
    let mut bits = vec![0u8];
    bits.extend_from_slice(&der_unsigned(y));
    der(0x30, &[alg, der(0x03, &bits)].concat())
}

fn pem(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

fn strip(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

#[test]
fn named_moduli_match_openssl() {
    let dir = TempDir::new("dh-params");
    for named in NamedDhGroup::ALL {
        let name = format!("group:ffdhe{}", named.p_bits());
        let file = format!("ffdhe{}.pem", named.p_bits());
        openssl(
            &dir.0,
            &[
                "genpkey",
                "-genparam",
                "-algorithm",
                "DH",
                "-pkeyopt",
                &name,
                "-out",
                &file,
            ],
        );
        // genpkey writes parameters as PEM only; dhparam converts them to DER.
        let params = openssl(&dir.0, &["dhparam", "-in", &file, "-outform", "DER"]);
        let (p, g) = parse_dh_params(&params);
        let ours = DhGroup::named(named);
        assert_eq!(p, ours.p_bytes(), "{named:?} p");
        assert_eq!(g, ours.g_bytes(), "{named:?} g");
        // And from_bytes recognises OpenSSL's encoding as the named group.
        assert_eq!(
            DhGroup::from_bytes(&p, &g).unwrap().named_group(),
            Some(named)
        );
    }
}

#[test]
fn ffdhe2048_agreement_with_openssl() {
    let dir = TempDir::new("dh-agree");
    let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
    let mut rng = SeededRng::from_seed([0x42; 32]);
    for round in 0..3 {
        let theirs = format!("theirs{round}.pem");
        let ours_pub = format!("ours{round}.pem");
        openssl(
            &dir.0,
            &[
                "genpkey",
                "-algorithm",
                "DH",
                "-pkeyopt",
                "group:ffdhe2048",
                "-out",
                &theirs,
            ],
        );
        let spki = openssl(
            &dir.0,
            &["pkey", "-in", &theirs, "-pubout", "-outform", "DER"],
        );
        let (p, g, their_y) = parse_dh_spki(&spki);
        assert_eq!(p, group.p_bytes());
        assert_eq!(g, [2]);

        let key = DhPrivateKey::generate(&group, &mut rng);
        let ours = key.agree(&their_y).unwrap();

        let our_spki = dh_spki(group.p_bytes(), group.g_bytes(), &key.public_value());
        // Our SPKI must read back as what we meant.
        let (p2, g2, y2) = parse_dh_spki(&our_spki);
        assert_eq!(
            (p2.as_slice(), g2.as_slice()),
            (group.p_bytes(), group.g_bytes())
        );
        assert_eq!(y2, strip(&key.public_value()));
        std::fs::write(dir.path(&ours_pub), pem("PUBLIC KEY", &our_spki)).unwrap();

        let derived = openssl(
            &dir.0,
            &[
                "pkeyutl", "-derive", "-inkey", &theirs, "-peerkey", &ours_pub,
            ],
        );
        let padded = openssl(
            &dir.0,
            &[
                "pkeyutl", "-derive", "-inkey", &theirs, "-peerkey", &ours_pub, "-pkeyopt",
                "dh_pad:1",
            ],
        );
        assert_eq!(padded.len(), group.p_bytes().len(), "dh_pad:1 pads to |p|");
        assert_eq!(strip(&padded), ours.as_bytes(), "round {round}");
        // Default derive output is unpadded, like ours.
        assert_eq!(derived, ours.as_bytes(), "round {round}");
        assert_ne!(ours.as_bytes()[0], 0);
    }
}
