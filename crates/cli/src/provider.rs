//! `--provider`: where the heavy cryptography runs (`client` and `server`).
//!
//! `builtin` (the default) is sanstls's own code. `openssl` is the `sanstls-openssl`
//! crate's provider (RSA private operations, ephemeral (EC)DH, AEAD record keys on the
//! system's libcrypto), compiled in only with this crate's cargo feature `openssl`; a
//! binary built without it refuses `--provider openssl` with a usage error that names
//! the feature.

use std::path::Path;
use std::sync::Arc;

use sanstls_proto::CertifiedKey;
use sanstls_proto::provider::CryptoProvider;

use crate::{Failure, exit};

/// The value of `--provider`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ProviderName {
    /// sanstls's own code (RustCrypto, crypto-bigint).
    #[default]
    Builtin,
    /// The system's OpenSSL (libcrypto), through the sanstls-openssl crate; needs a
    /// sanstls built with the cargo feature `openssl`.
    Openssl,
}

/// The provider `name` asks for: `None` for the built-in code.
// (It fails only in a build without the feature `openssl`.)
#[cfg_attr(feature = "openssl", allow(clippy::unnecessary_wraps))]
pub(crate) fn provider(name: ProviderName) -> Result<Option<Arc<dyn CryptoProvider>>, Failure> {
    match name {
        ProviderName::Builtin => Ok(None),
        #[cfg(feature = "openssl")]
        ProviderName::Openssl => Ok(Some(Arc::new(sanstls_openssl::OpensslProvider::new()))),
        #[cfg(not(feature = "openssl"))]
        ProviderName::Openssl => Err(Failure::new(
            exit::USAGE,
            "--provider openssl: this sanstls was built without the OpenSSL provider; \
             build it with the cargo feature `openssl` (cargo build --release -p \
             sanstls-cli --features openssl, which needs libssl and its headers)",
        )),
    }
}

/// `key` (loaded and checked by sanstls-std from `cert_path` and `key_path`) with its
/// RSA private operation moved to `provider`: the files are read again and the key
/// loaded through [`CertifiedKey::from_pem_with`]. An EC key stays built in (the
/// provider does not take ECDSA keys), as does every key without a provider.
pub(crate) fn with_provider(
    key: CertifiedKey,
    cert_path: &Path,
    key_path: &Path,
    provider: Option<&dyn CryptoProvider>,
) -> Result<CertifiedKey, Failure> {
    let Some(provider) = provider else {
        return Ok(key);
    };
    if key.key().rsa().is_none() {
        return Ok(key);
    }
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .map_err(|e| Failure::new(exit::CONFIG, format!("cannot read {}: {e}", p.display())))
    };
    let chain = read(cert_path)?;
    let key_text = read(key_path)?;
    // The first private-key block (sanstls-std took the same one); the file may hold
    // others (EC parameters, certificates) that the PEM decoder would not skip.
    let block = first_key_block(&key_text).unwrap_or(&key_text);
    CertifiedKey::from_pem_with(&chain, block, provider).map_err(|e| {
        Failure::new(
            exit::CONFIG,
            format!(
                "the {} provider refused the key {}: {e}",
                provider.name(),
                key_path.display()
            ),
        )
    })
}

/// The first `RSA PRIVATE KEY` or `PRIVATE KEY` PEM block of `text`, with its
/// boundaries.
fn first_key_block(text: &str) -> Option<&str> {
    ["RSA PRIVATE KEY", "PRIVATE KEY"]
        .iter()
        .filter_map(|label| {
            let begin = format!("-----BEGIN {label}-----");
            let end = format!("-----END {label}-----");
            let start = text.find(&begin)?;
            let stop = text[start..].find(&end)? + start + end.len();
            Some((start, &text[start..stop]))
        })
        .min_by_key(|(start, _)| *start)
        .map(|(_, block)| block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_key_block() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN PRIVATE KEY-----\nBB\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            first_key_block(text),
            Some("-----BEGIN PRIVATE KEY-----\nBB\n-----END PRIVATE KEY-----")
        );
        let text = "-----BEGIN RSA PRIVATE KEY-----\nCC\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(first_key_block(text), Some(text.trim_end()));
        assert_eq!(first_key_block("nothing"), None);
    }

    #[cfg(not(feature = "openssl"))]
    #[test]
    fn openssl_without_the_feature_names_it() {
        let e = provider(ProviderName::Openssl).err().unwrap();
        assert_eq!(e.code, exit::USAGE);
        assert!(e.message.contains("feature `openssl`"), "{}", e.message);
    }
}
