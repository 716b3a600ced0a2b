//! Cryptographic primitives for sanstls.
//!
//! Everything the TLS 1.2 suites of sanstls need, on RustCrypto crates, `no_std` with
//! `alloc`:
//!
//! - [`hash`]: SHA-1, SHA-256, SHA-384, SHA-512 behind one cloneable [`hash::Hasher`].
//! - [`hmac`]: HMAC over each hash.
//! - [`cipher`]: AES-128/256-CBC without padding, in place.
//! - [`aead`]: AES-128/256-GCM, AES-128-CCM (16- or 8-byte tags) and ChaCha20-Poly1305,
//!   in place with detached tags.
//! - [`rsa`]: RSA (RFC 8017) on `crypto-bigint`: PKCS#1 v1.5 encryption with the TLS 1.2
//!   constant-time premaster decryption, PKCS#1 v1.5 and PSS signatures.
//! - [`dh`]: finite-field Diffie-Hellman with the RFC 7919 groups.
//! - `ecdh` (feature `ec`): X25519, secp256r1 and secp384r1 key agreement (RFC 8422,
//!   RFC 7748).
//! - `ecdsa` (feature `ec`): ECDSA on P-256 and P-384: verification of DER signatures,
//!   RFC 6979 signing, PKCS#8 and SEC1 private keys.
//! - [`rng`]: randomness, always supplied by the caller through `rand_core`.
//!
//! Secrets are zeroized on drop, and work that depends on secret values runs in constant
//! time (see each module).
//!
//! ```
//! use sanstls_crypto::hash::HashAlgorithm;
//!
//! let digest = HashAlgorithm::Sha256.hash(b"abc")?;
//! assert_eq!(digest.len(), 32);
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```
//!
//! # Features
//!
//! - `sha512` (default): SHA-384 and SHA-512 (hashes, HMAC, RSA signatures). Off, they
//!   are not compiled; [`hash::HashAlgorithm`] keeps their variants and every operation on
//!   them returns [`Error::LeftOut`].
//! - `pss` (default): RSASSA-PSS. Off, the PSS methods return [`Error::LeftOut`].
//! - `ec` (default): the elliptic-curve modules `ecdh` and `ecdsa` (on RustCrypto's `p256`
//!   and `p384`, and `x25519-dalek`). Off, they are not compiled.
//! - `ec-std-tables` (hosts only, it turns on `std` in `p256`/`p384`): P-256 and P-384
//!   base-point tables built on first use; about 3.5x faster ECDSA signing and 1.4x faster
//!   ECDH key generation.
//! - `aes-gcm`, `aes-ccm`, `chacha20poly1305` (default): the AEAD ciphers of [`aead`].
//!   Off, their key types are not compiled.
//! - `getrandom`: `rng::OsRng`, the operating system's generator.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod aead;
mod bigint;
pub mod cipher;
pub mod dh;
#[cfg(feature = "ec")]
pub mod ecdh;
#[cfg(feature = "ec")]
pub mod ecdsa;
mod error;
pub mod hash;
pub mod hmac;
pub mod provider;
pub mod rng;
pub mod rsa;

pub use error::Error;
