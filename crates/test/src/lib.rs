//! Test support for sanstls: fixtures from `testdata/` and the benchmark harness that puts
//! sanstls beside OpenSSL in the same run.
//!
//! This crate is `publish = false`; nothing here is API.
//!
//! ```
//! let pem = sanstls_test::fixtures::read("server-rsa2048.cert.pem");
//! assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
//! ```

pub mod bench;
pub mod fixtures;
pub mod pair;
pub mod pipe;
