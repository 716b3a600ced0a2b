//! Puts memory.x where cortex-m-rt's link.x finds it, and turns the test certificates
//! and key (PEM, in testdata/) into DER in OUT_DIR: a device stores DER, so the probe
//! measures sanstls without a PEM decoder.

use std::path::{Path, PathBuf};

/// Writes each PEM block of `testdata/<pem>` to `OUT_DIR/<stem>.<i>.der`.
fn pem_to_der(out: &Path, pem: &str, stem: &str) {
    let path = format!("../testdata/{pem}");
    let text = std::fs::read_to_string(&path).unwrap();
    // Each block runs from its BEGIN line to the end of its END line.
    let mut rest = text.as_str();
    let mut i = 0;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let end = begin + rest[begin..].find("-----END ").unwrap();
        let stop = end + rest[end..].find('\n').map_or(rest.len() - end, |n| n + 1);
        let (_label, der) = pem_rfc7468::decode_vec(rest[begin..stop].trim().as_bytes()).unwrap();
        std::fs::write(out.join(format!("{stem}.{i}.der")), der).unwrap();
        rest = &rest[stop..];
        i += 1;
    }
    println!("cargo:rerun-if-changed={path}");
}

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    std::fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    pem_to_der(&out, "ca-root.cert.pem", "ca-root");
    pem_to_der(&out, "server-rsa2048.chain.pem", "server-chain");
    pem_to_der(&out, "server-rsa2048.rsa.pem", "server-key");
    // The ECDSA test root (P-384, signs with SHA-384) and intermediate (P-256, signs with
    // SHA-256): client-ecdhe trusts the intermediate (see src/main.rs); its peer's ECDSA
    // P-256 leaf and intermediate, and the leaf's SEC 1 key.
    pem_to_der(&out, "ca-ecdsa-root.cert.pem", "ca-ecdsa-root");
    pem_to_der(&out, "ca-ecdsa-int.cert.pem", "ca-ecdsa-int");
    pem_to_der(&out, "server-ecdsa-p256.chain.pem", "server-ecdsa-chain");
    pem_to_der(&out, "server-ecdsa-p256.ec.pem", "server-ecdsa-key");
}
