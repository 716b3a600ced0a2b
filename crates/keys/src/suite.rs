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
//! assert!(suite::lookup(CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256).is_none());
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
    /// AES-128-GCM (RFC 5288).
    Aes128Gcm,
    /// AES-256-GCM (RFC 5288).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 7905).
    ChaCha20Poly1305,
    /// AES-128-CCM with a 16-byte tag (RFC 6655, RFC 7251).
    Aes128Ccm,
    /// AES-128-CCM with an 8-byte tag (`CCM_8`, RFC 6655 §3).
    Aes128Ccm8,
}

impl BulkCipher {
    /// Encryption key length in bytes (`SecurityParameters.enc_key_length`).
    pub const fn key_len(self) -> usize {
        match self {
            BulkCipher::Aes128Cbc
            | BulkCipher::Aes128Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8 => 16,
            BulkCipher::Aes256Cbc | BulkCipher::Aes256Gcm | BulkCipher::ChaCha20Poly1305 => 32,
        }
    }

    /// Whether this is an AEAD cipher (RFC 5246 §6.2.3.3): no record MAC, no padding.
    pub const fn is_aead(self) -> bool {
        !matches!(self, BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc)
    }

    /// Length of the IVs in the key block (the "IV Size" column of RFC 5246 Appendix C;
    /// `fixed_iv_length` for AEAD ciphers).
    ///
    /// TLS 1.2 CBC records carry an explicit IV (RFC 5246 §6.2.3.2), so the 16-byte CBC
    /// key block IVs are derived but never used; they are kept so the key block has the
    /// layout of RFC 5246 §6.3 and matches other implementations byte for byte. GCM's is
    /// the 4-byte salt of the nonce (RFC 5288 §3; CCM's likewise, RFC 6655 §3),
    /// ChaCha20-Poly1305's the 12-byte IV the sequence number is XORed into (RFC 7905 §2).
    pub const fn key_block_iv_len(self) -> usize {
        match self {
            BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc => 16,
            BulkCipher::Aes128Gcm
            | BulkCipher::Aes256Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8 => 4,
            BulkCipher::ChaCha20Poly1305 => 12,
        }
    }

    /// Length of the explicit per-record IV or nonce (`SecurityParameters.record_iv_length`):
    /// 16 for CBC, 8 for GCM and CCM, none for ChaCha20-Poly1305.
    pub const fn record_iv_len(self) -> usize {
        match self {
            BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc => 16,
            BulkCipher::Aes128Gcm
            | BulkCipher::Aes256Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8 => 8,
            BulkCipher::ChaCha20Poly1305 => 0,
        }
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
    /// HMAC-SHA384 (the `_CBC_SHA384` suites of RFC 5289).
    HmacSha384,
    /// None: the AEAD cipher authenticates (RFC 5246 §6.2.3.3; `mac_key_length` 0).
    Aead,
}

impl MacAlgorithm {
    /// The hash under the HMAC, `None` for AEAD suites.
    pub const fn hash(self) -> Option<HashAlgorithm> {
        match self {
            MacAlgorithm::HmacSha1 => Some(HashAlgorithm::Sha1),
            MacAlgorithm::HmacSha256 => Some(HashAlgorithm::Sha256),
            MacAlgorithm::HmacSha384 => Some(HashAlgorithm::Sha384),
            MacAlgorithm::Aead => None,
        }
    }

    /// MAC length in bytes (`SecurityParameters.mac_length`); 0 for AEAD suites.
    pub const fn mac_len(self) -> usize {
        match self.hash() {
            Some(h) => h.output_len(),
            None => 0,
        }
    }

    /// MAC key length in bytes (`SecurityParameters.mac_key_length`), equal to the MAC
    /// length for HMAC suites (RFC 5246 Appendix C), 0 for AEAD suites.
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
    /// The PRF hash (RFC 5246 §5: SHA-256 for every suite defined there; SHA-384 for
    /// the `_SHA384` suites of RFC 5288 §3 and RFC 5289 §3).
    pub prf_hash: HashAlgorithm,
}

impl SuiteInfo {
    /// Total key block length (RFC 5246 §6.3): two MAC keys, two encryption keys, two IVs.
    pub const fn key_block_len(&self) -> usize {
        2 * (self.mac.key_len() + self.cipher.key_len() + self.cipher.key_block_iv_len())
    }

    /// Whether the suite's record protection is an AEAD.
    pub const fn is_aead(&self) -> bool {
        self.cipher.is_aead()
    }
}

const fn row(
    suite: CipherSuite,
    key_exchange: KeyExchange,
    cipher: BulkCipher,
    mac: MacAlgorithm,
    prf_hash: HashAlgorithm,
) -> SuiteInfo {
    SuiteInfo {
        suite,
        key_exchange,
        cipher,
        mac,
        prf_hash,
    }
}

/// The number of suites in [`SUITES`].
pub const SUITE_COUNT: usize = 36;

/// Every suite sanstls implements, in its default order of preference: ECDHE with an
/// AEAD first (ECDSA before RSA certificates, AES-128-GCM, ChaCha20-Poly1305,
/// AES-256-GCM, then ECDSA's AES-128-CCM and CCM_8), then ECDHE with CBC, then DHE,
/// then RSA key transport (AEAD before CBC in each); last the pre-shared-key suites,
/// which a configuration offers only with a PSK (forward-secret ones first).
pub static SUITES: [SuiteInfo; SUITE_COUNT] = {
    use BulkCipher::{
        Aes128Cbc, Aes128Ccm, Aes128Ccm8, Aes128Gcm, Aes256Cbc, Aes256Gcm, ChaCha20Poly1305,
    };
    use CipherSuite as C;
    use HashAlgorithm::{Sha256, Sha384};
    use KeyExchange::{DhePsk, DheRsa, EcdheEcdsa, EcdhePsk, EcdheRsa, Psk, Rsa};
    use MacAlgorithm::{Aead, HmacSha1, HmacSha256, HmacSha384};
    [
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            EcdheEcdsa,
            Aes128Gcm,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            EcdheRsa,
            Aes128Gcm,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            EcdheEcdsa,
            ChaCha20Poly1305,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            EcdheRsa,
            ChaCha20Poly1305,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            EcdheEcdsa,
            Aes256Gcm,
            Aead,
            Sha384,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            EcdheRsa,
            Aes256Gcm,
            Aead,
            Sha384,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
            EcdheEcdsa,
            Aes128Ccm,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            EcdheEcdsa,
            Aes128Ccm8,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
            EcdheEcdsa,
            Aes128Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
            EcdheRsa,
            Aes128Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
            EcdheEcdsa,
            Aes256Cbc,
            HmacSha384,
            Sha384,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
            EcdheRsa,
            Aes256Cbc,
            HmacSha384,
            Sha384,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
            EcdheEcdsa,
            Aes128Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
            EcdheRsa,
            Aes128Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
            EcdheEcdsa,
            Aes256Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
            EcdheRsa,
            Aes256Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
            DheRsa,
            Aes128Gcm,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
            DheRsa,
            Aes256Gcm,
            Aead,
            Sha384,
        ),
        row(
            C::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            DheRsa,
            Aes128Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
            DheRsa,
            Aes256Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
            DheRsa,
            Aes128Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
            DheRsa,
            Aes256Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_RSA_WITH_AES_128_GCM_SHA256,
            Rsa,
            Aes128Gcm,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_RSA_WITH_AES_256_GCM_SHA384,
            Rsa,
            Aes256Gcm,
            Aead,
            Sha384,
        ),
        row(
            C::TLS_RSA_WITH_AES_128_CBC_SHA256,
            Rsa,
            Aes128Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_RSA_WITH_AES_256_CBC_SHA256,
            Rsa,
            Aes256Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_RSA_WITH_AES_128_CBC_SHA,
            Rsa,
            Aes128Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_RSA_WITH_AES_256_CBC_SHA,
            Rsa,
            Aes256Cbc,
            HmacSha1,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
            EcdhePsk,
            ChaCha20Poly1305,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
            EcdhePsk,
            Aes128Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
            DhePsk,
            Aes128Cbc,
            HmacSha256,
            Sha256,
        ),
        row(
            C::TLS_PSK_WITH_AES_128_GCM_SHA256,
            Psk,
            Aes128Gcm,
            Aead,
            Sha256,
        ),
        row(
            C::TLS_PSK_WITH_AES_256_GCM_SHA384,
            Psk,
            Aes256Gcm,
            Aead,
            Sha384,
        ),
        row(C::TLS_PSK_WITH_AES_128_CCM, Psk, Aes128Ccm, Aead, Sha256),
        row(C::TLS_PSK_WITH_AES_128_CCM_8, Psk, Aes128Ccm8, Aead, Sha256),
        row(
            C::TLS_PSK_WITH_AES_128_CBC_SHA256,
            Psk,
            Aes128Cbc,
            HmacSha256,
            Sha256,
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
            assert_eq!(
                name.contains("_ECDHE_RSA_"),
                s.key_exchange == KeyExchange::EcdheRsa
            );
            assert_eq!(
                name.contains("_ECDHE_ECDSA_"),
                s.key_exchange == KeyExchange::EcdheEcdsa
            );
            assert_eq!(name.contains("_PSK_"), s.key_exchange.is_psk(), "{name}");
            assert_eq!(
                name.contains("_DHE_PSK_"),
                s.key_exchange == KeyExchange::DhePsk
            );
            assert_eq!(
                name.contains("_ECDHE_PSK_"),
                s.key_exchange == KeyExchange::EcdhePsk
            );
            assert_eq!(
                name.contains("AES_128"),
                matches!(
                    s.cipher,
                    BulkCipher::Aes128Cbc
                        | BulkCipher::Aes128Gcm
                        | BulkCipher::Aes128Ccm
                        | BulkCipher::Aes128Ccm8
                )
            );
            assert_eq!(name.ends_with("_CCM"), s.cipher == BulkCipher::Aes128Ccm);
            assert_eq!(name.ends_with("_CCM_8"), s.cipher == BulkCipher::Aes128Ccm8);
            assert_eq!(
                name.contains("_GCM_") || name.contains("CHACHA") || name.contains("_CCM"),
                s.is_aead()
            );
            assert_eq!(name.ends_with("_SHA"), s.mac == MacAlgorithm::HmacSha1);
            assert_eq!(
                name.ends_with("_SHA384"),
                s.prf_hash == HashAlgorithm::Sha384
            );
            assert_eq!(
                name.ends_with("_CBC_SHA256"),
                s.mac == MacAlgorithm::HmacSha256
            );
            assert_eq!(
                name.ends_with("_CBC_SHA384"),
                s.mac == MacAlgorithm::HmacSha384
            );
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
        // RFC 5288 §3: 4-byte salts, no MAC keys.
        assert_eq!(
            lookup(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
                .map(SuiteInfo::key_block_len),
            Some(2 * 16 + 2 * 4)
        );
        // RFC 7905 §2: 12-byte IVs.
        assert_eq!(
            lookup(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
                .map(SuiteInfo::key_block_len),
            Some(2 * 32 + 2 * 12)
        );
    }
}
