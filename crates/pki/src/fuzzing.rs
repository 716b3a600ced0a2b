//! Entry points for cargo-fuzz targets (feature `fuzzing`).

use alloc::vec::Vec;

use crate::{
    KeyPurpose, ServerName, TrustAnchors, UnixTime, VerifyOptions, pem_to_der_certs, verify_chain,
};

/// Split `data` into certificates: each is a big-endian `u16` length and that many bytes
/// (a short tail is one last certificate).
fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 && out.len() < 16 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}

/// Validate arbitrary bytes as a chain under the anchors of `anchors_pem`.
///
/// The first byte picks the options (purpose, SHA-1, depth and budget); the rest is a
/// list of length-prefixed certificates, end entity first. Must never panic or hang.
pub fn verify_arbitrary_chain(anchors_pem: &str, data: &[u8]) {
    let Ok(anchors) = TrustAnchors::from_pem_bundle(anchors_pem) else {
        return;
    };
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let certs = split(rest);
    let Some((leaf, intermediates)) = certs.split_first() else {
        return;
    };
    let opts = VerifyOptions {
        allow_sha1: mode & 1 != 0,
        allow_any_eku: mode & 2 != 0,
        max_depth: 2 + usize::from(mode >> 4),
        max_signature_checks: u32::from(mode >> 2 & 3) * 8 + 1,
        ..VerifyOptions::default()
    };
    let purpose = if mode & 8 == 0 {
        KeyPurpose::ServerAuth
    } else {
        KeyPurpose::ClientAuth
    };
    let name = ServerName::new("www.example.test").ok();
    let result = verify_chain(
        &anchors,
        leaf,
        intermediates,
        purpose,
        name.as_ref(),
        UnixTime(1_800_000_000),
        &opts,
    );
    if let Err(e) = result {
        let _ = e.alert();
    }
}

/// Encode `chain_pem` (and `extra_pem`) certificates in the input format of
/// [`verify_arbitrary_chain`], for seeds.
pub fn encode_chain(mode: u8, pems: &[&str]) -> Vec<u8> {
    let mut out = alloc::vec![mode];
    for pem in pems {
        for der in pem_to_der_certs(pem).unwrap_or_default() {
            out.extend_from_slice(&(der.len() as u16).to_be_bytes());
            out.extend_from_slice(&der);
        }
    }
    out
}
