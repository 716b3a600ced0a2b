//! Loading certificates, private keys and trust anchors from PEM files.
//!
//! Every error is an [`Error::Load`] naming the file and saying what is wrong with it
//! (the OS error for a file that cannot be read; the PEM labels found when the expected
//! one is missing; which certificate of a bundle is broken).

use std::path::{Path, PathBuf};

use sanstls_proto::PrivateKey;
use sanstls_proto::{CertifiedKey, ConfigError};
use sanstls_proto::{TrustAnchor, TrustAnchors};

use crate::Error;

/// The system CA bundle locations tried by [`system_trust_anchors`] after
/// `SSL_CERT_FILE`: Debian/Ubuntu/Alpine/Arch, Fedora/RHEL (old and new), openSUSE,
/// and the generic OpenSSL default.
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

fn load_err(path: &Path, problem: impl Into<String>) -> Error {
    Error::Load {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| load_err(path, format!("cannot read it: {e}")))?;
    String::from_utf8(bytes).map_err(|_| {
        load_err(
            path,
            "it is not a text file; a PEM file was expected (DER files can be converted \
             with `openssl x509 -inform der -in FILE -out FILE.pem`)",
        )
    })
}

/// One PEM block: its label and its text (BEGIN line to END line).
struct Block<'a> {
    label: &'a str,
    text: &'a str,
}

/// The PEM blocks of `text`, in order; text outside blocks is skipped. A BEGIN line
/// without its END line ends the list (the decoder of that block reports it).
fn blocks(text: &str) -> Vec<Block<'_>> {
    const BEGIN: &str = "-----BEGIN ";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start..];
        let label_end = after[BEGIN.len()..].find("-----").map(|i| BEGIN.len() + i);
        let Some(label_end) = label_end else { break };
        let label = &after[BEGIN.len()..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = after.find(&end_marker) else {
            out.push(Block { label, text: after });
            break;
        };
        let stop = end + end_marker.len();
        out.push(Block {
            label,
            text: &after[..stop],
        });
        rest = &after[stop..];
    }
    out
}

fn labels_found(blocks: &[Block<'_>]) -> String {
    if blocks.is_empty() {
        return "it holds no PEM block at all (no -----BEGIN ...----- line)".into();
    }
    let mut labels: Vec<&str> = Vec::new();
    for b in blocks {
        if !labels.contains(&b.label) {
            labels.push(b.label);
        }
    }
    format!("the PEM labels found are: {}", labels.join(", "))
}

fn ordinal(i: usize) -> String {
    let n = i + 1;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The DER certificates in the PEM file `path` (`CERTIFICATE` blocks, in file order;
/// other blocks are skipped). Fails if a block does not decode or if there is none.
pub fn certs(path: &Path) -> Result<Vec<Vec<u8>>, Error> {
    let text = read_text(path)?;
    let all = blocks(&text);
    let mut out = Vec::new();
    for b in all.iter().filter(|b| b.label == "CERTIFICATE") {
        let mut der = sanstls_proto::pem_to_der_certs(b.text).map_err(|e| {
            load_err(
                path,
                format!(
                    "the {} CERTIFICATE block is not valid PEM: {e}",
                    ordinal(out.len())
                ),
            )
        })?;
        match der.pop() {
            Some(d) if der.is_empty() => out.push(d),
            _ => {
                return Err(load_err(
                    path,
                    format!(
                        "the {} CERTIFICATE block is not valid PEM",
                        ordinal(out.len())
                    ),
                ));
            }
        }
    }
    if out.is_empty() {
        return Err(load_err(
            path,
            format!(
                "it holds no certificate (-----BEGIN CERTIFICATE-----); {}",
                labels_found(&all)
            ),
        ));
    }
    Ok(out)
}

/// The private key in the PEM file `path`: the first `RSA PRIVATE KEY` (PKCS#1),
/// `EC PRIVATE KEY` (SEC 1) or `PRIVATE KEY` (PKCS#8, RSA or EC) block. RSA keys and
/// EC keys on P-256 and P-384 are supported; encrypted keys are not.
pub fn private_key(path: &Path) -> Result<PrivateKey, Error> {
    let text = read_text(path)?;
    let all = blocks(&text);
    let Some(block) = all.iter().find(|b| {
        b.label == "RSA PRIVATE KEY" || b.label == "EC PRIVATE KEY" || b.label == "PRIVATE KEY"
    }) else {
        let hint = if all.iter().any(|b| b.label == "ENCRYPTED PRIVATE KEY") {
            "; encrypted keys are not supported: decrypt it with \
             `openssl pkey -in FILE -out key.pem`"
        } else {
            ""
        };
        return Err(load_err(
            path,
            format!(
                "it holds no private key (-----BEGIN RSA PRIVATE KEY-----, -----BEGIN EC \
                 PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----); {}{hint}",
                labels_found(&all)
            ),
        ));
    };
    PrivateKey::from_pem(block.text).map_err(|e| {
        load_err(
            path,
            format!(
                "its {} block is not a usable private key (RSA, or EC on P-256 or \
                 P-384): {e}",
                block.label
            ),
        )
    })
}

/// A certificate chain (leaf first) from `cert_path` and the leaf's private key from
/// `key_path`, checked to belong together.
pub fn certified_key(cert_path: &Path, key_path: &Path) -> Result<CertifiedKey, Error> {
    let chain = certs(cert_path)?;
    let key = private_key(key_path)?;
    CertifiedKey::new(chain, key).map_err(|e| match e {
        ConfigError::KeyMismatch => load_err(
            key_path,
            format!(
                "this private key does not belong to the first certificate of {} \
                 (the leaf must come first in the chain file)",
                cert_path.display()
            ),
        ),
        ConfigError::Certificate(c) => load_err(
            cert_path,
            format!("its first certificate cannot be used as a leaf: {c}"),
        ),
        other => Error::Config(other),
    })
}

/// The trust anchors of the PEM bundle `path`, strictly: every `CERTIFICATE` block
/// must decode and parse (the error says which one does not), and there must be one.
///
/// Any certificate is accepted, not only CA certificates: a server's own self-signed
/// certificate (`cA` TRUE as `openssl req -x509` makes it, or `cA` FALSE) is trusted
/// when the server presents exactly it, as `curl --cacert` does (see
/// [`sanstls_proto::TrustAnchor`]); a certificate that cannot issue simply anchors no
/// chain.
pub fn trust_anchors(path: &Path) -> Result<TrustAnchors, Error> {
    let ders = certs(path)?;
    let mut anchors = TrustAnchors::new();
    for (i, der) in ders.iter().enumerate() {
        let a = TrustAnchor::from_cert_der(der).map_err(|e| {
            load_err(
                path,
                format!(
                    "its {} certificate cannot be used as a trust anchor: {e}",
                    ordinal(i)
                ),
            )
        })?;
        anchors.add(a);
    }
    Ok(anchors)
}

/// The system's trust anchors: the file named by `SSL_CERT_FILE` when that is set
/// (and then only it), otherwise the first of [`SYSTEM_BUNDLES`] that exists and holds
/// a usable certificate. Lossy: certificates this library cannot parse are skipped.
pub fn system_trust_anchors() -> Result<TrustAnchors, Error> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        let path = PathBuf::from(file);
        let text = read_text(&path).map_err(|e| match e {
            Error::Load { path, problem } => Error::Load {
                path,
                problem: format!("{problem} (named by SSL_CERT_FILE)"),
            },
            other => other,
        })?;
        let mut anchors = TrustAnchors::new();
        let (added, skipped) = anchors.add_pem_bundle_lossy(&text);
        if added == 0 {
            return Err(load_err(
                &path,
                format!(
                    "(named by SSL_CERT_FILE) holds no usable certificate \
                     ({skipped} skipped); {}",
                    labels_found(&blocks(&text))
                ),
            ));
        }
        return Ok(anchors);
    }
    let mut tried = Vec::new();
    for p in SYSTEM_BUNDLES {
        let path = PathBuf::from(p);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let mut anchors = TrustAnchors::new();
            let (added, _) = anchors.add_pem_bundle_lossy(&text);
            if added > 0 {
                return Ok(anchors);
            }
        }
        tried.push(path);
    }
    Err(Error::NoSystemTrustAnchors { tried })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanstls_proto::{KeyPurpose, ServerName, UnixTime, VerifyOptions, verify_chain};

    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata")
            .join(name)
    }

    #[test]
    fn a_self_signed_end_entity_certificate_is_a_usable_trust_anchor() {
        // CA:FALSE, self-signed: loads, and is trusted when presented as the leaf.
        let path = testdata("bad-self-signed.cert.pem");
        let anchors = trust_anchors(&path).expect("a CA:FALSE certificate loads");
        assert_eq!(anchors.len(), 1);
        let leaf = certs(&path).unwrap().remove(0);
        let name = ServerName::new("localhost").unwrap();
        let now = UnixTime::from_secs(1_800_000_000);
        let verified = verify_chain(
            &anchors,
            &leaf,
            &[],
            KeyPurpose::ServerAuth,
            Some(&name),
            now,
            &VerifyOptions::default(),
        )
        .expect("trusted as itself");
        assert_eq!(verified.certificates(), [leaf]);
        // Another server's certificate is not trusted under it.
        let other = certs(&testdata("server-rsa2048.chain.pem")).unwrap();
        let e = verify_chain(
            &anchors,
            &other[0],
            &[&other[1]],
            KeyPurpose::ServerAuth,
            Some(&name),
            now,
            &VerifyOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e, sanstls_proto::CertificateError::UnknownIssuer);
    }
}
