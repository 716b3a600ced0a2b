//! RSASSA-PSS left out of this build (the `pss` feature is off): the same methods as
//! `pss.rs`, each returning [`Error::LeftOut`].

use alloc::vec::Vec;

use super::keys::{RsaPrivateKey, RsaPublicKey};
use crate::Error;
use crate::hash::HashAlgorithm;
use crate::rng::CryptoRng;

const LEFT_OUT: Error = Error::LeftOut {
    what: "RSASSA-PSS",
    feature: "pss",
};

impl RsaPublicKey {
    /// RSASSA-PSS-VERIFY: left out of this build (sanstls-crypto feature `pss`); always
    /// [`Error::LeftOut`].
    pub fn verify_pss(&self, _hash: HashAlgorithm, _msg: &[u8], _sig: &[u8]) -> Result<(), Error> {
        Err(LEFT_OUT)
    }

    /// RSASSA-PSS-VERIFY of a digest: left out of this build (sanstls-crypto feature
    /// `pss`); always [`Error::LeftOut`].
    pub fn verify_pss_prehashed(
        &self,
        _hash: HashAlgorithm,
        _digest: &[u8],
        _sig: &[u8],
    ) -> Result<(), Error> {
        Err(LEFT_OUT)
    }
}

impl RsaPrivateKey {
    /// RSASSA-PSS-SIGN: left out of this build (sanstls-crypto feature `pss`); always
    /// [`Error::LeftOut`].
    pub fn sign_pss<R: CryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        _hash: HashAlgorithm,
        _msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        Err(LEFT_OUT)
    }

    /// RSASSA-PSS-SIGN of a digest: left out of this build (sanstls-crypto feature `pss`);
    /// always [`Error::LeftOut`].
    pub fn sign_pss_prehashed<R: CryptoRng + ?Sized>(
        &self,
        _rng: &mut R,
        _hash: HashAlgorithm,
        _digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        Err(LEFT_OUT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SeededRng;

    #[test]
    fn pss_is_left_out() {
        let key = RsaPrivateKey::from_pem(include_str!("../../../../testdata/bad-rsa1024.rsa.pem"))
            .unwrap();
        let mut rng = SeededRng::from_seed([1; 32]);
        let err = key
            .sign_pss(&mut rng, HashAlgorithm::Sha256, b"m")
            .unwrap_err();
        assert_eq!(err, LEFT_OUT);
        assert_eq!(
            key.public_key()
                .verify_pss(HashAlgorithm::Sha256, b"m", &[0; 128])
                .unwrap_err(),
            LEFT_OUT
        );
        assert_eq!(
            std::format!("{err}"),
            "RSASSA-PSS is left out of this build (sanstls-crypto feature `pss`)"
        );
    }
}
