//! Certificate validation for sanstls: decides whom a TLS client trusts, and which client
//! certificates a server accepts.
//!
//! - RFC 5280 path validation: a path is built from the end-entity certificate through
//!   the intermediates the peer sent (any order, extras and duplicates allowed,
//!   alternative issuers tried for cross-signed chains) to a [`TrustAnchor`], within a
//!   depth and budgets on the number of signature checks, on their cost (RSA key size
//!   and public exponent, hashing) and on name-constraint comparisons
//!   ([`VerifyOptions`]); each budget that runs out has its own [`Error`].
//! - Signatures: RSASSA-PKCS1-v1_5 with SHA-256/384/512 and RSASSA-PSS (parameters
//!   checked); SHA-1 only when allowed; RSA keys below a minimum size refused, and keys
//!   whose public operation would cost too much (modulus over 8192 bits, public exponent
//!   of 2^33 or more) refused wherever they appear. ECDSA with SHA-256/384/512 (RFC
//!   5758 §3.2) under EC keys on P-256 and P-384 (named curves, uncompressed points, RFC
//!   5480), in any mix with RSA along a path; other curves and EdDSA are reported as
//!   unsupported. The end-entity key is a [`PublicKey`].
//! - Validity against a time the caller passes ([`UnixTime`]: this crate never reads a
//!   clock), basicConstraints, keyUsage, extendedKeyUsage, nameConstraints (dNSName,
//!   iPAddress, directoryName, rfc822Name incl. emailAddress in the subject), unknown
//!   critical extensions.
//! - Trust anchors loaded from certificates keep their name constraints,
//!   pathLenConstraint and extendedKeyUsage, which constrain every path through them (a
//!   clientAuth-only root anchors no server). Their basicConstraints must say `cA`
//!   when present; a non-critical one is accepted on an anchor (not on an
//!   intermediate), and version 1 roots without extensions work (see
//!   [`TrustAnchor::from_cert_der`]). A trusted certificate presented as the end entity
//!   itself is trusted directly, e.g. a self-signed server certificate.
//! - RFC 6125 name matching on subjectAltName dNSName and iPAddress only ([`ServerName`]).
//! - [`ServerCertVerifier`] / [`ClientCertVerifier`] traits with WebPKI-style defaults.
//! - Typed [`Error`]s, each mapping to a TLS alert ([`Error::alert`]).
//!
//! `no_std` with `alloc`. Certificates are decoded in place with `der` (borrowed TLVs,
//! only the fields and extensions validation uses); the tests check the decoding
//! against `x509-cert`'s full decoder.
//!
//! Cargo features (all default): `sha512` (certificates signed with SHA-384 or
//! SHA-512), `pss` (certificates signed with RSASSA-PSS) and `ecdsa` (EC keys and
//! ECDSA signatures). A build without one refuses such a certificate with
//! [`Error::SignatureAlgorithmLeftOut`] (or, for an EC key, [`Error::PublicKeyLeftOut`]),
//! which names the algorithm and the feature ([`LeftOut`]), and links none of its code;
//! a trust anchor's own signature is never checked, so an anchor self-signed with a
//! left-out algorithm still works (but an anchor whose key is left out issues nothing).
//!
//! Not supported (each is refused cleanly rather than ignored): EdDSA/DSA keys and
//! signatures, EC keys on curves other than P-256 and P-384 or with explicit
//! parameters, ECDSA with SHA-1 or SHA-224, RSA-PSS with a salt length other than the
//! hash length, certificate policy processing (a critical certificatePolicies or
//! policy-constraint extension fails the certificate), name constraints of forms other
//! than dNSName, iPAddress, directoryName and rfc822Name (a constrained name of such a
//! form fails). Revocation
//! (CRL, OCSP) is not checked, and the subject common name is never used as a host name.
//!
//! ```
//! use sanstls_pki::{
//!     ServerCertVerifier, ServerName, TrustAnchors, UnixTime, WebPkiServerVerifier,
//!     pem_to_der_certs,
//! };
//! # let root_pem = include_str!("../../../testdata/ca-root.cert.pem");
//! # let chain_pem = include_str!("../../../testdata/server-rsa2048.chain.pem");
//!
//! let verifier = WebPkiServerVerifier::new(TrustAnchors::from_pem_bundle(root_pem)?);
//! let chain = pem_to_der_certs(chain_pem)?; // leaf, then the intermediate
//! let intermediates: Vec<&[u8]> = chain[1..].iter().map(Vec::as_slice).collect();
//! let now = UnixTime::from_secs(1_800_000_000); // 2027-01-15
//!
//! let path = verifier.verify_server_cert(
//!     &chain[0],
//!     &intermediates,
//!     &ServerName::new("www.example.test")?,
//!     now,
//! )?;
//! assert!(path.allows_key_encipherment());
//! assert_eq!(path.public_key().as_rsa().map(|k| k.modulus_bits()), Some(2048));
//!
//! let wrong = verifier.verify_server_cert(
//!     &chain[0],
//!     &intermediates,
//!     &ServerName::new("example.org")?,
//!     now,
//! );
//! assert_eq!(wrong.unwrap_err(), sanstls_pki::Error::NameMismatch);
//! # Ok::<(), sanstls_pki::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod algorithm;
mod anchors;
mod cert;
mod constraints;
mod covers;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod key;
mod names;
mod path;
mod verify;

pub use algorithm::SignatureAlgorithm;
pub use anchors::{TrustAnchor, TrustAnchors, pem_to_der_certs};
pub use cert::KeyUsage;
pub use covers::certificate_covers_name;
pub use error::{AlertCode, Error, LeftOut};
pub use key::PublicKey;
pub use names::{DnsName, ServerName};
pub use verify::{
    ClientCertVerifier, KeyPurpose, MAX_INTERMEDIATES, MAX_INTERMEDIATES_LEN, ServerCertVerifier,
    VerifiedPath, VerifyOptions, WebPkiClientVerifier, WebPkiServerVerifier, verify_chain,
};

/// A point in time: milliseconds since 1970-01-01T00:00:00Z (leap seconds ignored).
///
/// The caller supplies it; the std adapter reads the system clock. Certificate validity
/// uses whole seconds ([`UnixTime::as_secs`]); the handshake deadline of a sanstls
/// connection uses milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

impl UnixTime {
    /// `secs` seconds after the epoch (saturating at the largest representable time).
    pub const fn from_secs(secs: u64) -> Self {
        UnixTime(secs.saturating_mul(1000))
    }

    /// `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: u64) -> Self {
        UnixTime(millis)
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating at the largest representable time.
    #[must_use]
    pub fn saturating_add(self, d: core::time::Duration) -> Self {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        UnixTime(self.0.saturating_add(ms))
    }

    /// How long after `earlier` this is (zero if it is not later).
    pub fn saturating_duration_since(self, earlier: UnixTime) -> core::time::Duration {
        core::time::Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl From<core::time::Duration> for UnixTime {
    /// A duration since the epoch (what `SystemTime::duration_since(UNIX_EPOCH)` gives).
    fn from(since_epoch: core::time::Duration) -> Self {
        UnixTime(u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX))
    }
}
