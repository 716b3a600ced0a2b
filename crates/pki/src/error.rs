//! Why a certificate or a chain was refused, and the TLS alert each reason maps to.

use core::fmt;

/// Why validation failed.
///
/// Each variant names one rule. [`Error::alert`] gives the TLS alert a peer should receive
/// (RFC 5246 §7.2.2); the state machine converts that code into its own alert type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A certificate's notAfter is before the validation time (RFC 5280 §6.1.3 (a)(2)).
    Expired,
    /// A certificate's notBefore is after the validation time (RFC 5280 §6.1.3 (a)(2)).
    NotYetValid,
    /// No path from the end-entity certificate to a trust anchor could be built.
    UnknownIssuer,
    /// A certificate's signature does not verify with its issuer's key.
    BadSignature,
    /// The end-entity certificate is not valid for the expected server name.
    NameMismatch,
    /// A certificate used as an issuer is not a CA: basicConstraints absent, not
    /// critical, or `cA` false (RFC 5280 §4.2.1.9, §6.1.4 (k)).
    IssuerNotCa,
    /// A certificate used as an issuer has a keyUsage without keyCertSign
    /// (RFC 5280 §6.1.4 (n)).
    IssuerLacksKeyCertSign,
    /// The end-entity certificate is a CA certificate (`cA` true), or asserts keyCertSign
    /// without being a CA (RFC 5280 §4.2.1.3).
    EndEntityIsCa,
    /// The extendedKeyUsage of a certificate in the path does not allow the purpose
    /// (serverAuth or clientAuth), or the end-entity certificate has none.
    InvalidExtendedKeyUsage,
    /// A CA's pathLenConstraint is exceeded (RFC 5280 §6.1.4 (m)).
    PathLenExceeded,
    /// A name in the path is outside a CA's permitted subtrees or inside its excluded
    /// subtrees, or is of a constrained form this crate cannot check (RFC 5280 §4.2.1.10).
    NameConstraintViolated,
    /// A certificate has a critical extension this crate does not process (RFC 5280 §4.2).
    UnknownCriticalExtension,
    /// A signature algorithm that is not supported (EdDSA, DSA, ECDSA with SHA-1 or
    /// SHA-224, PSS with non-standard parameters, ...).
    UnsupportedSignatureAlgorithm,
    /// A certificate signature uses an algorithm this build of the crate leaves out (a
    /// cargo feature is off): SHA-384 or SHA-512 without `sha512`, RSASSA-PSS without
    /// `pss`, ECDSA without `ecdsa`. The signature is not checked; the certificate is
    /// refused as unsupported.
    SignatureAlgorithmLeftOut(LeftOut),
    /// A certificate's public key is of a type this build leaves out: an EC key
    /// (id-ecPublicKey) without the `ecdsa` feature ([`LeftOut::Ecdsa`]).
    PublicKeyLeftOut(LeftOut),
    /// A SHA-1 signature, refused because [`VerifyOptions::allow_sha1`] is false.
    ///
    /// [`VerifyOptions::allow_sha1`]: crate::VerifyOptions::allow_sha1
    Sha1Refused,
    /// A public key that is neither RSA nor EC (Ed25519, DSA, ...), or an RSA key this
    /// crate cannot use: a modulus over 8192 bits, or a public exponent of 2^33 or more
    /// (whose signature checks would cost too much; ring and BoringSSL refuse them too).
    UnsupportedPublicKey,
    /// An EC public key this crate cannot use; the text says why: a curve other than
    /// P-256 and P-384 (named when known), explicit or absent curve parameters (RFC 5480
    /// §2.1.1 requires a named curve), or a compressed point.
    UnsupportedEcKey(&'static str),
    /// An RSA key smaller than [`VerifyOptions::min_rsa_bits`].
    ///
    /// [`VerifyOptions::min_rsa_bits`]: crate::VerifyOptions::min_rsa_bits
    WeakKey {
        /// The modulus size in bits.
        bits: u32,
    },
    /// A certificate (or a trust anchor, or a PEM bundle) could not be decoded, or breaks
    /// a structural rule of RFC 5280 (duplicate extension, extensions in a v1 certificate,
    /// mismatched signature algorithms, ...). The text says which.
    Malformed(&'static str),
    /// The path would be longer than [`VerifyOptions::max_depth`]: "path too long".
    ///
    /// [`VerifyOptions::max_depth`]: crate::VerifyOptions::max_depth
    DepthExceeded,
    /// Path building needed more signature verifications than
    /// [`VerifyOptions::max_signature_checks`] (a count; see also
    /// [`Error::SignatureWorkExceeded`] for their cost).
    ///
    /// [`VerifyOptions::max_signature_checks`]: crate::VerifyOptions::max_signature_checks
    BudgetExceeded,
    /// The signature verifications of path building (RSA public operations, hashing the
    /// signed data, setting up keys) cost more than
    /// [`VerifyOptions::max_signature_work`]: costly keys (large moduli, large public
    /// exponents) or many candidate issuers.
    ///
    /// [`VerifyOptions::max_signature_work`]: crate::VerifyOptions::max_signature_work
    SignatureWorkExceeded,
    /// Checking names against name constraints needed more comparisons than
    /// [`VerifyOptions::max_name_constraint_work`] (many names under CAs with many
    /// constraints).
    ///
    /// [`VerifyOptions::max_name_constraint_work`]: crate::VerifyOptions::max_name_constraint_work
    NameConstraintWorkExceeded,
    /// A server name that is neither a valid DNS name (A-labels only) nor an IP address.
    InvalidServerName,
}

/// A signature algorithm a build can leave out, and the cargo feature that brings it in
/// (see [`Error::SignatureAlgorithmLeftOut`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LeftOut {
    /// SHA-384 (sha384WithRSAEncryption, or RSASSA-PSS with SHA-384): feature `sha512`.
    Sha384,
    /// SHA-512 (sha512WithRSAEncryption, or RSASSA-PSS with SHA-512): feature `sha512`.
    Sha512,
    /// RSASSA-PSS with any hash: feature `pss`.
    RsaPss,
    /// ECDSA signatures and EC public keys: feature `ecdsa`.
    Ecdsa,
}

impl LeftOut {
    /// The algorithm's name: `"SHA-384"`, `"SHA-512"`, `"RSASSA-PSS"` or `"ECDSA"`.
    pub fn algorithm(self) -> &'static str {
        match self {
            LeftOut::Sha384 => "SHA-384",
            LeftOut::Sha512 => "SHA-512",
            LeftOut::RsaPss => "RSASSA-PSS",
            LeftOut::Ecdsa => "ECDSA",
        }
    }

    /// The cargo feature of sanstls-pki that brings it in: `"sha512"`, `"pss"` or
    /// `"ecdsa"`.
    pub fn feature(self) -> &'static str {
        match self {
            LeftOut::Sha384 | LeftOut::Sha512 => "sha512",
            LeftOut::RsaPss => "pss",
            LeftOut::Ecdsa => "ecdsa",
        }
    }
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, which this build leaves out (feature `{}`)",
            self.algorithm(),
            self.feature()
        )
    }
}

/// A TLS alert description code (RFC 5246 §7.2), as a plain byte with named constants.
///
/// sanstls-pki does not depend on sanstls-wire; the state machine converts this into its
/// own alert type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AlertCode(pub u8);

impl AlertCode {
    /// `bad_certificate` (42): a certificate was corrupt, had a bad signature, did not match.
    pub const BAD_CERTIFICATE: AlertCode = AlertCode(42);
    /// `unsupported_certificate` (43): a certificate of an unsupported type or usage.
    pub const UNSUPPORTED_CERTIFICATE: AlertCode = AlertCode(43);
    /// `certificate_expired` (45): a certificate has expired or is not currently valid.
    pub const CERTIFICATE_EXPIRED: AlertCode = AlertCode(45);
    /// `certificate_unknown` (46): some other issue arose in processing the certificate.
    pub const CERTIFICATE_UNKNOWN: AlertCode = AlertCode(46);
    /// `unknown_ca` (48): no trust anchor could be found for the chain.
    pub const UNKNOWN_CA: AlertCode = AlertCode(48);
    /// `decode_error` (50): a certificate could not be decoded.
    pub const DECODE_ERROR: AlertCode = AlertCode(50);
    /// `internal_error` (80): a local problem unrelated to the peer.
    pub const INTERNAL_ERROR: AlertCode = AlertCode(80);
}

impl Error {
    /// The TLS alert that reports this error to the peer (RFC 5246 §7.2.2).
    ///
    /// - validity period → `certificate_expired` ("expired or not currently valid");
    /// - no path to an anchor → `unknown_ca`;
    /// - undecodable DER → `decode_error`;
    /// - unsupported algorithms (including those this build leaves out), keys, critical extensions, or a certificate not allowed
    ///   for this purpose → `unsupported_certificate`;
    /// - everything else about a certificate (signature, names, constraints, budget) →
    ///   `bad_certificate`;
    /// - an invalid server name is a local configuration problem → `internal_error`.
    pub fn alert(&self) -> AlertCode {
        match self {
            Error::Expired | Error::NotYetValid => AlertCode::CERTIFICATE_EXPIRED,
            Error::UnknownIssuer => AlertCode::UNKNOWN_CA,
            Error::Malformed(_) => AlertCode::DECODE_ERROR,
            Error::UnsupportedSignatureAlgorithm
            | Error::SignatureAlgorithmLeftOut(_)
            | Error::PublicKeyLeftOut(_)
            | Error::Sha1Refused
            | Error::UnsupportedPublicKey
            | Error::UnsupportedEcKey(_)
            | Error::WeakKey { .. }
            | Error::UnknownCriticalExtension
            | Error::InvalidExtendedKeyUsage => AlertCode::UNSUPPORTED_CERTIFICATE,
            Error::BadSignature
            | Error::NameMismatch
            | Error::IssuerNotCa
            | Error::IssuerLacksKeyCertSign
            | Error::EndEntityIsCa
            | Error::PathLenExceeded
            | Error::NameConstraintViolated
            | Error::DepthExceeded
            | Error::BudgetExceeded
            | Error::SignatureWorkExceeded
            | Error::NameConstraintWorkExceeded => AlertCode::BAD_CERTIFICATE,
            Error::InvalidServerName => AlertCode::INTERNAL_ERROR,
        }
    }

    /// Whether this is a budget running out, which ends the whole search (a depth
    /// failure only ends one candidate path).
    pub(crate) fn is_budget(self) -> bool {
        matches!(
            self,
            Error::BudgetExceeded
                | Error::SignatureWorkExceeded
                | Error::NameConstraintWorkExceeded
        )
    }

    /// How specific the error is, for choosing which failure to report when every
    /// candidate path failed: a concrete defect beats "path too long", which beats a
    /// signature that does not verify (usually just a candidate issuer with the right
    /// name and another key: a CA that renewed its key, a same-named stranger), which
    /// beats "no issuer found".
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Error::UnknownIssuer => 0,
            Error::BadSignature => 1,
            Error::DepthExceeded => 2,
            _ => 3,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Expired => f.write_str("certificate has expired"),
            Error::NotYetValid => f.write_str("certificate is not yet valid"),
            Error::UnknownIssuer => f.write_str("no path to a trust anchor (unknown issuer)"),
            Error::BadSignature => f.write_str("certificate signature does not verify"),
            Error::NameMismatch => f.write_str("certificate is not valid for the server name"),
            Error::IssuerNotCa => f.write_str("issuer certificate is not a CA"),
            Error::IssuerLacksKeyCertSign => {
                f.write_str("issuer certificate's keyUsage lacks keyCertSign")
            }
            Error::EndEntityIsCa => f.write_str("end-entity certificate is a CA certificate"),
            Error::InvalidExtendedKeyUsage => {
                f.write_str("extendedKeyUsage does not allow this purpose")
            }
            Error::PathLenExceeded => f.write_str("pathLenConstraint exceeded"),
            Error::NameConstraintViolated => f.write_str("name constraints violated"),
            Error::UnknownCriticalExtension => f.write_str("unknown critical extension"),
            Error::UnsupportedSignatureAlgorithm => f.write_str("unsupported signature algorithm"),
            Error::SignatureAlgorithmLeftOut(what) => {
                write!(f, "certificate signature uses {what}")
            }
            Error::Sha1Refused => f.write_str("SHA-1 signature refused"),
            Error::PublicKeyLeftOut(what) => write!(f, "certificate public key is for {what}"),
            Error::UnsupportedPublicKey => f.write_str("unsupported public key"),
            Error::UnsupportedEcKey(what) => write!(f, "unsupported EC public key: {what}"),
            Error::WeakKey { bits } => write!(f, "RSA key too small: {bits} bits"),
            Error::Malformed(what) => write!(f, "malformed certificate: {what}"),
            Error::DepthExceeded => {
                f.write_str("certificate path too long (more certificates than the maximum depth)")
            }
            Error::BudgetExceeded => {
                f.write_str("signature-check budget exceeded (too many candidate issuers to try)")
            }
            Error::SignatureWorkExceeded => f.write_str(
                "signature-verification work budget exceeded (keys too large or too many \
                 candidate issuers)",
            ),
            Error::NameConstraintWorkExceeded => f.write_str(
                "name-constraint budget exceeded (too many names to check against name \
                 constraints)",
            ),
            Error::InvalidServerName => f.write_str("invalid server name"),
        }
    }
}

impl core::error::Error for Error {}
