//! RSA (RFC 8017) on `crypto-bigint`: keys, PKCS#1 v1.5 encryption, the TLS 1.2
//! premaster decryption, and PKCS#1 v1.5 and PSS signatures.
//!
//! # Why not the `rsa` crate
//!
//! A TLS 1.2 server that offers RSA key exchange must decrypt the client's
//! EncryptedPreMasterSecret without revealing, by any observable difference, whether the
//! PKCS#1 v1.5 padding was valid (RFC 5246 §7.4.7.1; Bleichenbacher 1998, and its timing
//! descendants such as Marvin). The decryption has to be fused with the premaster
//! substitution: the padding check, the length check and the version check all run in
//! constant time over the whole block, and the output is a constant-time selection between
//! the decrypted value and random bytes drawn beforehand. The `rsa` crate's decryption API
//! returns an error early on bad padding and is not built for that, so this module
//! implements the RSA primitives itself on `crypto-bigint`'s constant-time Montgomery
//! arithmetic. Key parsing uses the `pkcs1`, `pkcs8` and `spki` crates.
//!
//! Without the `pss` feature, RSASSA-PSS is not compiled: the PSS methods remain and
//! return [`Error::LeftOut`]. Without `sha512`, signatures with SHA-384 and SHA-512 return
//! it too.
//!
//! # Private-key operations
//!
//! Every private operation uses the CRT with Garner's recombination, with the Montgomery
//! parameters of `n`, `p` and `q` precomputed when the key is loaded. The input is blinded
//! with a fresh random value for each operation (independently modulo `p` and `q`, which
//! is the same as blinding modulo `n` with the CRT combination of the two), the result is
//! re-encrypted with the public exponent and compared with the input, and a mismatch
//! withholds the result ([`Error::FaultDetected`]), which defeats the Bellcore fault
//! attack on CRT signatures.
//!
//! # Example
//!
//! ```
//! use sanstls_crypto::hash::HashAlgorithm;
//! use sanstls_crypto::rng::SeededRng;
//! use sanstls_crypto::rsa::RsaPrivateKey;
//! # fn key_pem() -> &'static str { include_str!("../../../testdata/bad-rsa1024.rsa.pem") }
//!
//! let key = RsaPrivateKey::from_pem(key_pem())?;
//! let mut rng = SeededRng::from_seed([1; 32]);
//! let sig = key.sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, b"hello")?;
//! key.public_key().verify_pkcs1v15(HashAlgorithm::Sha256, b"hello", &sig)?;
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```
//!
//! [`Error::FaultDetected`]: crate::Error::FaultDetected
//! [`Error::LeftOut`]: crate::Error::LeftOut

mod keys;
mod math;
mod pkcs1v15;
mod premaster;
mod provided;
#[cfg(feature = "pss")]
mod pss;
#[cfg(not(feature = "pss"))]
mod pss_left_out;
mod public_mont;

pub use keys::{RsaPrivateKey, RsaPublicKey};

/// The smallest supported modulus, in bits.
pub const MIN_MODULUS_BITS: u32 = 1024;
/// The largest supported modulus, in bits.
pub const MAX_MODULUS_BITS: u32 = 8192;
/// The largest supported public exponent, in bits: `e < 2^33`, the bound ring and
/// BoringSSL apply. Every public operation costs about one modular squaring per bit of
/// `e`, so an unbounded `e` (up to `n - 1`) would let whoever supplies a key make each
/// signature check thousands of times dearer; real keys use 65537 (17 bits) or 3.
pub const MAX_PUBLIC_EXPONENT_BITS: u32 = 33;
/// The length of a TLS 1.2 premaster secret (RFC 5246 §7.4.7.1).
pub const PREMASTER_LEN: usize = 48;
