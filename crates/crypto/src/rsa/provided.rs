//! RSA keys whose private operation a [`CryptoProvider`] runs (see [`crate::provider`]).

use alloc::vec;
use alloc::vec::Vec;

use der::Decode;
use zeroize::Zeroizing;

use super::keys::RsaPrivateKey;
use crate::Error;
use crate::bigint::Nat;
use crate::provider::CryptoProvider;
use crate::rng::{CryptoRng, SeededRng};

impl RsaPrivateKey {
    /// [`RsaPrivateKey::from_pem`], then hands the key to `provider`: if it takes it, every
    /// private operation of the key runs there (with sanstls's padding, premaster
    /// handling and fault check around it); if it declines, on the built-in code.
    ///
    /// The key is validated by sanstls first, and the provider's operation must pass the
    /// same self-test a built-in key does, else [`Error::InvalidKey`].
    pub fn from_pem_with(pem: &str, provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|_| Error::KeyEncoding("malformed PEM"))?;
        let der = Zeroizing::new(der);
        match label {
            "RSA PRIVATE KEY" => Self::from_pkcs1_der_with(&der, provider),
            "PRIVATE KEY" => Self::from_pkcs8_der_with(&der, provider),
            _ => Self::from_pem(pem),
        }
    }

    /// [`RsaPrivateKey::from_pkcs1_der`], then hands the key to `provider` (see
    /// [`RsaPrivateKey::from_pem_with`]).
    pub fn from_pkcs1_der_with(der: &[u8], provider: &dyn CryptoProvider) -> Result<Self, Error> {
        Self::from_pkcs1_der(der)?.provided_by(der, provider)
    }

    /// [`RsaPrivateKey::from_pkcs8_der`], then hands the key to `provider` (see
    /// [`RsaPrivateKey::from_pem_with`]).
    pub fn from_pkcs8_der_with(der: &[u8], provider: &dyn CryptoProvider) -> Result<Self, Error> {
        let key = Self::from_pkcs8_der(der)?;
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|_| Error::KeyEncoding("malformed PKCS#8 PrivateKeyInfo"))?;
        key.provided_by(info.private_key.as_bytes(), provider)
    }

    /// Whether a provider runs this key's private operation.
    pub fn is_provided(&self) -> bool {
        self.provided.is_some()
    }

    /// Offers the validated key (`pkcs1_der`, its encoding) to `provider`.
    fn provided_by(
        mut self,
        pkcs1_der: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<Self, Error> {
        let Some(op) = provider.rsa_private_key(pkcs1_der) else {
            return Ok(self);
        };
        self.provided = Some(op?);
        // The value `self_test` uses for the built-in operation, through the provider.
        let x = self.public.n.shr1();
        let mut rng = SeededRng::from_seed([0x5a; 32]);
        if self.private_raw(&mut rng, &x).is_err() {
            return Err(Error::InvalidKey(
                "the provider's RSA private operation fails the self-test for this key",
            ));
        }
        Ok(self)
    }

    /// `c^d mod n` as `k` bytes, by the provider if one took the key, else by the
    /// built-in CRT code. Either way the result is re-encrypted and compared with `c`
    /// (in constant time) and withheld on a mismatch: [`Error::FaultDetected`].
    pub(super) fn private_raw<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &Nat,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let Some(op) = &self.provided else {
            return self.private_op(rng, c);
        };
        let public = &self.public;
        let input = Zeroizing::new(public.to_k_bytes(c));
        let mut out = Zeroizing::new(vec![0u8; public.k]);
        // A generator of its own for the provider (the trait takes `dyn`), seeded from ours.
        let mut seeded = SeededRng::from_rng(rng);
        op.private(&mut seeded, &input, &mut out)
            .map_err(|_| Error::FaultDetected)?;
        let check = public.public_op(&out).map(Zeroizing::new);
        match check {
            Some(check) if bool::from(subtle::ConstantTimeEq::ct_eq(&check[..], &input[..])) => {
                Ok(out)
            }
            _ => Err(Error::FaultDetected),
        }
    }
}
