//! Helpers shared by the integration tests: testdata loading and one-call validation.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

pub mod certgen;

use sanstls_pki::{
    Error, KeyPurpose, ServerName, TrustAnchors, UnixTime, VerifiedPath, VerifyOptions,
    pem_to_der_certs, verify_chain,
};

/// 2027-01-15T08:00:00Z: inside every "valid" certificate's period (2025..2045).
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
/// 2025-01-01T00:00:00Z, the notBefore of the valid certificates.
pub const VALID_FROM: u64 = 1_735_689_600;
/// 2045-01-01T00:00:00Z, their notAfter.
pub const VALID_TO: u64 = 2_366_841_600;

pub fn path(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata")).join(name)
}

pub fn read(name: &str) -> String {
    let p = path(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); regenerate with `cargo xtask gen-certs`",
            p.display()
        )
    })
}

/// The DER certificates of `testdata/<name>.chain.pem` if it exists, else of
/// `<name>.cert.pem`.
pub fn chain(name: &str) -> Vec<Vec<u8>> {
    let file = if path(&format!("{name}.chain.pem")).exists() {
        format!("{name}.chain.pem")
    } else {
        format!("{name}.cert.pem")
    };
    pem_to_der_certs(&read(&file)).expect("testdata PEM decodes")
}

/// The DER of `testdata/<name>.cert.pem`.
pub fn cert(name: &str) -> Vec<u8> {
    chain_file(&format!("{name}.cert.pem")).remove(0)
}

pub fn chain_file(file: &str) -> Vec<Vec<u8>> {
    pem_to_der_certs(&read(file)).expect("testdata PEM decodes")
}

pub fn anchors(names: &[&str]) -> TrustAnchors {
    let mut a = TrustAnchors::new();
    for n in names {
        a.add_pem_bundle(&read(&format!("{n}.cert.pem")))
            .expect("anchor loads");
    }
    a
}

/// Validate `certs[0]` with `certs[1..]` as intermediates.
pub fn verify_certs(
    certs: &[Vec<u8>],
    roots: &[&str],
    purpose: KeyPurpose,
    name: Option<&str>,
    now: UnixTime,
    opts: &VerifyOptions,
) -> Result<VerifiedPath, Error> {
    let inter: Vec<&[u8]> = certs[1..].iter().map(Vec::as_slice).collect();
    let name = name.map(|n| ServerName::new(n).expect("valid test name"));
    verify_chain(
        &anchors(roots),
        &certs[0],
        &inter,
        purpose,
        name.as_ref(),
        now,
        opts,
    )
}

/// Validate the chain `name` as a server for `host` under ca-root, at NOW.
pub fn server(name: &str, host: &str) -> Result<VerifiedPath, Error> {
    server_with(name, host, &VerifyOptions::default())
}

pub fn server_with(name: &str, host: &str, opts: &VerifyOptions) -> Result<VerifiedPath, Error> {
    verify_certs(
        &chain(name),
        &["ca-root"],
        KeyPurpose::ServerAuth,
        Some(host),
        NOW,
        opts,
    )
}

pub fn opts(f: impl FnOnce(&mut VerifyOptions)) -> VerifyOptions {
    let mut o = VerifyOptions::default();
    f(&mut o);
    o
}
