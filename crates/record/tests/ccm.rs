//! What is particular to AES-128-CCM and AES-128-CCM_8 record protection (RFC 6655, RFC
//! 7251): their lengths, that neither opens the other's records, the suite rows of
//! sanstls-keys through `for_suite`, and CCM's independence from a crypto provider. (Round
//! trips, tampering, truncation, sequence numbers and limits run for every AEAD in
//! tests/aead.rs.)

#![cfg(feature = "aes-ccm")]

use sanstls_keys::{MasterSecret, suite};
use sanstls_record::{AeadAlgorithm, CbcMode, Error, Opener, Sealer};
use sanstls_wire::enums::{CipherSuite, ContentType};

mod support;
use support::{aead_pair as pair, open, seal};

#[test]
fn lengths_and_offsets() {
    for (alg, tag) in [
        (AeadAlgorithm::Aes128Ccm, 16),
        (AeadAlgorithm::Aes128Ccm8, 8),
    ] {
        assert_eq!(
            (alg.key_len(), alg.fixed_iv_len(), alg.explicit_nonce_len()),
            (16, 4, 8)
        );
        assert_eq!(alg.tag_len(), tag);
        assert_eq!(alg.expansion(), 8 + tag);
        let (s, o) = pair(alg, 1);
        assert_eq!(s.payload_offset(), 5 + 8);
        assert_eq!(s.sealed_len(100), 5 + 8 + 100 + tag);
        assert_eq!(o.max_record_len(), 5 + (1 << 14) + 8 + tag);
        assert_eq!(s.aead_algorithm(), Some(alg));
    }
}

/// A CCM_8 record is not a CCM record with its tag cut, nor the other way round.
#[test]
fn ccm_and_ccm_8_do_not_open_each_other() {
    let (mut s16, mut o16) = pair(AeadAlgorithm::Aes128Ccm, 4);
    let (mut s8, mut o8) = pair(AeadAlgorithm::Aes128Ccm8, 4);
    let r16 = seal(&mut s16, ContentType::APPLICATION_DATA, b"0123456789");
    let r8 = seal(&mut s8, ContentType::APPLICATION_DATA, b"0123456789");
    assert_eq!(
        r16[5..5 + 8 + 10],
        r8[5..5 + 8 + 10],
        "same nonce and CTR stream"
    );
    let mut cut = r16[..r16.len() - 8].to_vec();
    cut[4] -= 8;
    assert_eq!(open(&mut o8, &mut cut), Err(Error::BadRecordMac));
    let mut r = r8.clone();
    assert_eq!(open(&mut o16, &mut r), Err(Error::BadRecordMac));
}

/// The four CCM suite rows of sanstls-keys (RFC 6655 §2, RFC 7251 §2) select the CCM
/// AEADs in `for_suite`, with the key block's 16-byte keys and 4-byte salts.
#[test]
fn suites_select_ccm() {
    let mut rng = sanstls_crypto::rng::SeededRng::from_seed([3; 32]);
    for (cs, alg) in [
        (
            CipherSuite::TLS_PSK_WITH_AES_128_CCM,
            AeadAlgorithm::Aes128Ccm,
        ),
        (
            CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
            AeadAlgorithm::Aes128Ccm8,
        ),
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
            AeadAlgorithm::Aes128Ccm,
        ),
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            AeadAlgorithm::Aes128Ccm8,
        ),
    ] {
        let suite = suite::lookup(cs).unwrap();
        let kb = MasterSecret::from_bytes(suite.prf_hash, [7; 48])
            .key_block(suite, &[1; 32], &[2; 32])
            .unwrap();
        let mut s =
            Sealer::for_suite(&kb.client_write(), CbcMode::EncryptThenMac, &mut rng).unwrap();
        let mut o = Opener::for_suite(&kb.client_write(), CbcMode::EncryptThenMac).unwrap();
        assert_eq!(s.aead_algorithm(), Some(alg), "{cs:?}");
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"psk");
        assert_eq!(r.len(), 5 + 3 + alg.expansion());
        assert_eq!(open(&mut o, &mut r).unwrap().1, b"psk");
        // The other direction's keys do not open it.
        let mut o = Opener::for_suite(&kb.server_write(), CbcMode::EncryptThenMac).unwrap();
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"psk");
        assert_eq!(open(&mut o, &mut r), Err(Error::BadRecordMac));
    }
}

/// CCM keys never go to a crypto provider (its AEAD interface has 16-byte tags and no
/// CCM): one that fails every AEAD key it is asked for still gets a working CCM record
/// state, and is asked for GCM.
#[cfg(feature = "aes-gcm")]
#[test]
fn ccm_stays_built_in_whatever_the_provider() {
    use sanstls_crypto::provider::{AeadAlgorithm as ProviderAlg, AeadKey, CryptoProvider};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Refusing(AtomicUsize);
    impl CryptoProvider for Refusing {
        fn name(&self) -> &'static str {
            "refusing"
        }
        fn aead_key(
            &self,
            _: ProviderAlg,
            _: &[u8],
        ) -> Option<Result<Box<dyn AeadKey>, sanstls_crypto::Error>> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Some(Err(sanstls_crypto::Error::InvalidLength))
        }
    }

    let p = Refusing::default();
    let mut rng = sanstls_crypto::rng::SeededRng::from_seed([3; 32]);
    for cs in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    ] {
        let suite = suite::lookup(cs).unwrap();
        let kb = MasterSecret::from_bytes(suite.prf_hash, [7; 48])
            .key_block(suite, &[1; 32], &[2; 32])
            .unwrap();
        let mut s =
            Sealer::for_suite_with(&p, &kb.server_write(), CbcMode::EncryptThenMac, &mut rng)
                .unwrap();
        let mut o =
            Opener::for_suite_with(&p, &kb.server_write(), CbcMode::EncryptThenMac).unwrap();
        let mut r = seal(&mut s, ContentType::APPLICATION_DATA, b"built in");
        assert_eq!(open(&mut o, &mut r).unwrap().1, b"built in");
    }
    assert_eq!(p.0.load(Ordering::Relaxed), 0, "CCM asked the provider");

    let suite = suite::lookup(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).unwrap();
    let kb = MasterSecret::from_bytes(suite.prf_hash, [7; 48])
        .key_block(suite, &[1; 32], &[2; 32])
        .unwrap();
    assert!(matches!(
        Opener::for_suite_with(&p, &kb.server_write(), CbcMode::EncryptThenMac),
        Err(Error::InvalidKeys)
    ));
    assert_eq!(p.0.load(Ordering::Relaxed), 1);
}
