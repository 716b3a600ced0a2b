//! Test support for sanstls: fixtures from `testdata/` and the benchmark harness that puts
//! sanstls beside OpenSSL in the same run.
//!
//! This crate is `publish = false`; nothing here is API.
//!
//! ```
//! let pem = sanstls_test::fixtures::read("server-rsa2048.cert.pem");
//! assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
//! ```

/// The README's Rust examples, compiled (not run) by `cargo test --doc`, so that the
/// first code a newcomer copies keeps building.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

pub mod bench;
pub mod fixtures;
pub mod pair;
pub mod peers;
pub mod pipe;
