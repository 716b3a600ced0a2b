//! Entry points for cargo-fuzz targets (feature `fuzzing`).
//!
//! [`verify`] feeds arbitrary bytes into chain validation in two ways: as a list of
//! length-prefixed DER certificates, or as edits (byte patches, truncations) of real
//! certificates from `testdata/`, which reach far deeper into validation than random DER.
//! Validation must never panic and never hang, whatever the input.

use alloc::vec::Vec;

use crate::{
    KeyPurpose, ServerName, TrustAnchors, UnixTime, VerifyOptions, pem_to_der_certs, verify_chain,
};

/// The trust anchors every fuzz input is validated against.
const ANCHORS_PEM: &str = concat!(
    include_str!("../../../testdata/ca-root.cert.pem"),
    include_str!("../../../testdata/ca-root2.cert.pem"),
    include_str!("../../../testdata/ca-root-nc.cert.pem"),
);

/// Real certificates to splice chains from: valid paths, cross-signing, name
/// constraints, PSS, a loop, path-length cases.
const PIECES_PEM: &[&str] = &[
    include_str!("../../../testdata/server-rsa2048.chain.pem"),
    include_str!("../../../testdata/ca-int-by-root2.cert.pem"),
    include_str!("../../../testdata/nc-ok.chain.pem"),
    include_str!("../../../testdata/bad-nc-wildcard.cert.pem"),
    include_str!("../../../testdata/server-pss.cert.pem"),
    include_str!("../../../testdata/bad-loop.chain.pem"),
    include_str!("../../../testdata/deep-ok.chain.pem"),
    include_str!("../../../testdata/bad-pathlen.chain.pem"),
    include_str!("../../../testdata/root-nc-ok.cert.pem"),
    include_str!("../../../testdata/client.cert.pem"),
];

/// At most this many certificates per input.
const MAX_CERTS: usize = 16;

/// Split `data` into certificates: each is a big-endian `u16` length and that many bytes
/// (a short tail is one last certificate).
fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 && out.len() < MAX_CERTS {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}

/// Build certificates from edits of real ones. Each 4-byte op is
/// `[flags|piece, offset_hi, offset_lo, value]`: flag 0x80 starts a new certificate from
/// piece `op[0] & 0x1f`; 0x40 sets the byte at the offset to `value`; 0x20 truncates
/// there; otherwise the byte is XORed with `value`.
fn splice(ops: &[u8]) -> Vec<Vec<u8>> {
    let pieces: Vec<Vec<u8>> = PIECES_PEM
        .iter()
        .flat_map(|p| pem_to_der_certs(p).unwrap_or_default())
        .collect();
    let mut chain: Vec<Vec<u8>> = Vec::new();
    for op in ops.chunks_exact(4) {
        if (op[0] & 0x80 != 0 || chain.is_empty()) && chain.len() < MAX_CERTS {
            chain.push(pieces[usize::from(op[0] & 0x1f) % pieces.len()].clone());
        }
        let Some(cert) = chain.last_mut() else {
            return chain;
        };
        if cert.is_empty() {
            continue;
        }
        let pos = usize::from(u16::from_be_bytes([op[1], op[2]])) % cert.len();
        if op[0] & 0x40 != 0 {
            cert[pos] = op[3];
        } else if op[0] & 0x20 != 0 {
            cert.truncate(pos);
        } else {
            cert[pos] ^= op[3];
        }
    }
    chain
}

/// Validate a chain (end entity first) with options chosen by `mode`.
fn run(anchors: &TrustAnchors, certs: &[&[u8]], mode: u8) {
    let Some((leaf, intermediates)) = certs.split_first() else {
        return;
    };
    let opts = VerifyOptions {
        allow_sha1: mode & 1 != 0,
        allow_any_eku: mode & 2 != 0,
        require_eku: mode & 4 == 0,
        max_depth: 2 + usize::from(mode >> 4 & 7),
        // Bit 3: small budgets, so that running out of each is exercised too.
        max_signature_checks: if mode & 8 != 0 { 4 } else { 64 },
        max_signature_work: if mode & 8 != 0 { 100_000 } else { 6_000_000 },
        max_name_constraint_work: if mode & 8 != 0 { 64 } else { 1 << 18 },
        ..VerifyOptions::default()
    };
    let purpose = if mode & 0x40 == 0 {
        KeyPurpose::ServerAuth
    } else {
        KeyPurpose::ClientAuth
    };
    let name = ServerName::new(if mode & 0x20 == 0 {
        "www.example.test"
    } else {
        "127.0.0.1"
    })
    .ok();
    let result = verify_chain(
        anchors,
        leaf,
        intermediates,
        purpose,
        name.as_ref(),
        UnixTime::from_secs(1_800_000_000),
        &opts,
    );
    match result {
        Ok(path) => {
            // A path that verified must start with the end entity it was given.
            assert_eq!(path.certificates()[0].as_slice(), *leaf);
        }
        Err(e) => {
            let _ = e.alert();
        }
    }
}

/// The fuzz entry point. The first byte picks the mode: with bit 0x80 set, the rest are
/// splice ops over real certificates; otherwise the rest is length-prefixed DER. The
/// first byte also selects the options (SHA-1, anyEKU, depth, budget, purpose, name).
pub fn verify(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(anchors) = TrustAnchors::from_pem_bundle(ANCHORS_PEM) else {
        return;
    };
    if mode & 0x80 != 0 {
        let chain = splice(rest);
        let refs: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
        run(&anchors, &refs, mode);
    } else {
        run(&anchors, &split(rest), mode);
    }
}

/// Parse arbitrary bytes as a trust-anchor bundle and as one certificate.
pub fn parse(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data) {
        let mut anchors = TrustAnchors::new();
        let _ = anchors.add_pem_bundle_lossy(text);
    }
    let _ = crate::VerifiedPath::from_trusted_end_entity(data);
    let _ = crate::TrustAnchor::from_cert_der(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(mode: u8, certs: &[Vec<u8>]) -> Vec<u8> {
        let mut out = alloc::vec![mode];
        for c in certs {
            out.extend_from_slice(&(c.len() as u16).to_be_bytes());
            out.extend_from_slice(c);
        }
        out
    }

    #[test]
    fn entry_points_survive_real_and_broken_input() {
        let chain = pem_to_der_certs(PIECES_PEM[0]).unwrap();
        verify(&encode(0, &chain));
        verify(&encode(0x10, &chain));
        verify(&[]);
        verify(&[0x80]);
        // Patch, truncate and XOR ops over every piece.
        for piece in 0..12u8 {
            verify(&[
                0x80,
                0x80 | piece,
                0,
                5,
                0xff,
                0x40,
                1,
                0,
                0,
                0x20,
                0,
                200,
                0,
            ]);
            verify(&[0x81, 0x80 | piece, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0]);
        }
        parse(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        parse(&chain[0]);
        // Splicing an unmodified valid chain validates.
        let anchors = TrustAnchors::from_pem_bundle(ANCHORS_PEM).unwrap();
        let spliced = splice(&[0x80, 0, 0, 0, 0x81, 0, 0, 0]);
        let refs: Vec<&[u8]> = spliced.iter().map(Vec::as_slice).collect();
        let r = verify_chain(
            &anchors,
            refs[0],
            &refs[1..],
            KeyPurpose::ServerAuth,
            ServerName::new("localhost").ok().as_ref(),
            UnixTime::from_secs(1_800_000_000),
            &VerifyOptions::default(),
        );
        assert!(r.is_ok(), "{r:?}");
    }
}
