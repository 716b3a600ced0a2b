//! The cipher suites sanstls implements, in one table.
//!
//! Each [`SuiteInfo`] row names the suite's code point, key exchange, bulk cipher, record
//! MAC and PRF hash; key sizes follow from the cipher and MAC (RFC 5246 Appendix C). The
//! key block split ([`crate::KeyBlock`]), the record layer and the handshake all read this
//! table rather than matching on suites themselves.
//!
//! ```
//! use sanstls_keys::suite::{self, BulkCipher, MacAlgorithm};
//! use sanstls_wire::enums::CipherSuite;
//!
//! let s = suite::lookup(CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA).unwrap();
//! assert_eq!(s.cipher, BulkCipher::Aes256Cbc);
//! assert_eq!(s.mac, MacAlgorithm::HmacSha1);
//! assert_eq!(s.key_block_len(), 2 * 20 + 2 * 32 + 2 * 16);
//! assert!(suite::lookup(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256).is_none());
//! ```

use sanstls_crypto::hash::HashAlgorithm;
use sanstls_wire::enums::{CipherSuite, KeyExchange};

/// A bulk cipher of a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BulkCipher {
    /// AES-128 in CBC mode.
    Aes128Cbc,
    /// AES-256 in CBC mode.
    Aes256Cbc,
}

impl BulkCipher {
    /// Encryption key length in bytes (`SecurityParameters.enc_key_length`).
    pub const fn key_len(self) -> usize {
        match self {
            BulkCipher::Aes128Cbc => 16,
            BulkCipher::Aes256Cbc => 32,
        }
    }

    /// Block length in bytes.
    pub const fn block_len(self) -> usize {
        16
    }

    /// Length of the IVs in the key block (the "IV Size" column of RFC 5246 Appendix C).
    ///
    /// TLS 1.2 CBC records carry an explicit IV (RFC 5246 §6.2.3.2), so these key block
    /// IVs are derived but never used; they are kept so the key block has the layout of
    /// RFC 5246 §6.3 and matches other implementations byte for byte.
    pub const fn key_block_iv_len(self) -> usize {
        16
    }

    /// Length of the explicit per-record IV (`SecurityParameters.record_iv_length`).
    pub const fn record_iv_len(self) -> usize {
        16
    }
}

/// The record MAC of a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MacAlgorithm {
    /// HMAC-SHA1.
    HmacSha1,
    /// HMAC-SHA256.
    HmacSha256,
}

impl MacAlgorithm {
    /// The hash under the HMAC.
    pub const fn hash(self) -> HashAlgorithm {
        match self {
            MacAlgorithm::HmacSha1 => HashAlgorithm::Sha1,
            MacAlgorithm::HmacSha256 => HashAlgorithm::Sha256,
        }
    }

    /// MAC length in bytes (`SecurityParameters.mac_length`).
    pub const fn mac_len(self) -> usize {
        self.hash().output_len()
    }

    /// MAC key length in bytes (`SecurityParameters.mac_key_length`), equal to the MAC
    /// length for HMAC suites (RFC 5246 Appendix C).
    pub const fn key_len(self) -> usize {
        self.mac_len()
    }
}

/// One row of the suite table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SuiteInfo {
    /// The code point.
    pub suite: CipherSuite,
    /// The key exchange.
    pub key_exchange: KeyExchange,
    /// The bulk cipher.
    pub cipher: BulkCipher,
    /// The record MAC.
    pub mac: MacAlgorithm,
    /// The PRF hash (RFC 5246 §5: SHA-256 for every suite defined there).
    pub prf_hash: HashAlgorithm,
}

impl SuiteInfo {
    /// Total key block length (RFC 5246 §6.3): two MAC keys, two encryption keys, two IVs.
    pub const fn key_block_len(&self) -> usize {
        2 * (self.mac.key_len() + self.cipher.key_len() + self.cipher.key_block_iv_len())
    }
}

const fn row(
    suite: CipherSuite,
    key_exchange: KeyExchange,
    cipher: BulkCipher,
    mac: MacAlgorithm,
) -> SuiteInfo {
    SuiteInfo {
        suite,
        key_exchange,
        cipher,
        mac,
        prf_hash: HashAlgorithm::Sha256,
    }
}

/// Every suite sanstls implements, in its default order of preference.
pub static SUITES: [SuiteInfo; 8] = {
    use BulkCipher::{Aes128Cbc, Aes256Cbc};
    use KeyExchange::{DheRsa, Rsa};
    use MacAlgorithm::{HmacSha1, HmacSha256};
    [
        row(
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            DheRsa,
            Aes128Cbc,
            HmacSha256,
        ),
        row(
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
            DheRsa,
            Aes256Cbc,
            HmacSha256,
        ),
        row(
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
            DheRsa,
            Aes128Cbc,
            HmacSha1,
        ),
        row(
            CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
            DheRsa,
            Aes256Cbc,
            HmacSha1,
        ),
        row(
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
            Rsa,
            Aes128Cbc,
            HmacSha256,
        ),
        row(
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
            Rsa,
            Aes256Cbc,
            HmacSha256,
        ),
        row(
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            Rsa,
            Aes128Cbc,
            HmacSha1,
        ),
        row(
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
            Rsa,
            Aes256Cbc,
            HmacSha1,
        ),
    ]
};

/// The table row of `suite`, or `None` if sanstls does not implement it.
pub fn lookup(suite: CipherSuite) -> Option<&'static SuiteInfo> {
    SUITES.iter().find(|s| s.suite == suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_agrees_with_wire_and_names() {
        for s in &SUITES {
            assert_eq!(s.suite.key_exchange(), Some(s.key_exchange));
            let name = s.suite.name().unwrap();
            assert_eq!(
                name.contains("_DHE_RSA_"),
                s.key_exchange == KeyExchange::DheRsa
            );
            assert_eq!(name.contains("AES_128"), s.cipher == BulkCipher::Aes128Cbc);
            assert_eq!(name.ends_with("_SHA"), s.mac == MacAlgorithm::HmacSha1);
            assert_eq!(name.ends_with("_SHA256"), s.mac == MacAlgorithm::HmacSha256);
            assert_eq!(lookup(s.suite), Some(s));
        }
        // Every suite wire says has a supported key exchange is in the table.
        for &cs in CipherSuite::KNOWN {
            assert_eq!(cs.key_exchange().is_some(), lookup(cs).is_some(), "{cs:?}");
        }
        assert_eq!(
            lookup(CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256).map(SuiteInfo::key_block_len),
            Some(2 * 32 + 2 * 32 + 2 * 16)
        );
    }
}
