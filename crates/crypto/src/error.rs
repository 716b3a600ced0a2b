//! The crate's one error type.

use core::fmt;

/// Everything that can go wrong in a primitive.
///
/// Messages name what is wrong so that a bad key or bad configuration can be fixed from
/// the message alone. Errors that come from untrusted input (a signature, a peer's DH
/// value) deliberately carry no detail beyond their kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A key's encoding (DER or PEM) could not be parsed.
    KeyEncoding(&'static str),
    /// A key parsed, but its values are not a usable key; the text says which check failed.
    InvalidKey(&'static str),
    /// An RSA modulus outside the supported range (1024 to 8192 bits).
    UnsupportedKeySize {
        /// The modulus size in bits.
        bits: u32,
    },
    /// An RSA public exponent outside the supported range: odd with
    /// `3 <= e < 2^33` ([`MAX_PUBLIC_EXPONENT_BITS`]). A larger exponent is valid RSA
    /// (RFC 8017 §3.1 only asks `3 <= e <= n - 1`) but makes every public operation
    /// proportionally slower, so it is refused as ring and BoringSSL do.
    ///
    /// [`MAX_PUBLIC_EXPONENT_BITS`]: crate::rsa::MAX_PUBLIC_EXPONENT_BITS
    UnsupportedPublicExponent {
        /// The exponent size in bits.
        bits: u32,
    },
    /// A signature did not verify.
    BadSignature,
    /// The message does not fit the key (RSA encryption, signature encoding).
    MessageTooLong,
    /// RSA decryption failed: the ciphertext was out of range or its padding was invalid.
    /// Deliberately carries no detail (RFC 8017 §7.2.2 "decryption error").
    Decryption,
    /// An AEAD tag did not verify: the ciphertext, associated data or nonce is not what
    /// was sealed. Deliberately carries no detail.
    BadTag,
    /// A buffer had the wrong length for the operation (for example, not a whole number
    /// of AES blocks).
    InvalidLength,
    /// Diffie-Hellman group parameters were rejected; the text says why.
    InvalidDhParameters(&'static str),
    /// The peer's Diffie-Hellman public value is outside 1 < Y < p - 1.
    InvalidDhPublicValue,
    /// A peer's elliptic-curve point was refused: not in the uncompressed form, not on
    /// the curve, or the identity (RFC 8422 §5.4, §5.10).
    InvalidEcPoint,
    /// An X25519 agreement gave the all-zero value: the peer sent a small-order point
    /// (RFC 7748 §6.1).
    ZeroSharedSecret,
    /// A private-key operation produced a result that failed its own public-key check
    /// (a fault, or a corrupted key); the result was withheld.
    FaultDetected,
    /// An algorithm or parameter combination this crate does not implement.
    Unsupported(&'static str),
    /// An algorithm this crate implements, left out of this build by a cargo feature
    /// (for example SHA-384 without the `sha512` feature, or RSASSA-PSS without `pss`).
    LeftOut {
        /// The algorithm, e.g. `"SHA-384"`.
        what: &'static str,
        /// The sanstls-crypto feature that brings it back, e.g. `"sha512"`.
        feature: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::KeyEncoding(what) => write!(f, "key encoding error: {what}"),
            Error::InvalidKey(what) => write!(f, "invalid key: {what}"),
            Error::UnsupportedKeySize { bits } => write!(
                f,
                "unsupported RSA key size: {bits} bits (supported: 1024 to 8192)"
            ),
            Error::UnsupportedPublicExponent { bits } => write!(
                f,
                "unsupported RSA public exponent: {bits} bits (supported: odd, 3 <= e < 2^33)"
            ),
            Error::BadSignature => f.write_str("signature verification failed"),
            Error::MessageTooLong => f.write_str("message too long for the key"),
            Error::Decryption => f.write_str("decryption error"),
            Error::BadTag => f.write_str("AEAD tag verification failed"),
            Error::InvalidLength => f.write_str("input has an invalid length"),
            Error::InvalidDhParameters(what) => write!(f, "invalid DH parameters: {what}"),
            Error::InvalidDhPublicValue => {
                f.write_str("peer DH public value is outside 1 < Y < p-1")
            }
            Error::InvalidEcPoint => f.write_str(
                "peer EC point is not an uncompressed point on the curve, or is the identity",
            ),
            Error::ZeroSharedSecret => {
                f.write_str("X25519 shared secret is all zero (small-order peer value)")
            }
            Error::FaultDetected => {
                f.write_str("private-key operation failed its consistency check")
            }
            Error::Unsupported(what) => write!(f, "unsupported: {what}"),
            Error::LeftOut { what, feature } => write!(
                f,
                "{what} is left out of this build (sanstls-crypto feature `{feature}`)"
            ),
        }
    }
}

impl core::error::Error for Error {}
