//! Helpers shared by the tests: a provider that counts what it was asked for, and a
//! generator that replays given bytes (to put a known private key into a provider key).
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};

use sanstls_crypto::Error;
use sanstls_crypto::dh::DhGroup;
use sanstls_crypto::ecdh::EcGroup;
use sanstls_crypto::provider::{
    AeadAlgorithm, AeadKey, CryptoProvider, KeyExchange, RsaPrivateOperation,
};
use sanstls_crypto::rng::{CryptoRng, TryCryptoRng, TryRng};
use sanstls_openssl::OpensslProvider;

/// [`OpensslProvider`], counting the calls of each method (so that a test can tell the
/// provider really ran the operation).
#[derive(Debug, Default)]
pub struct Counting {
    pub inner: OpensslProvider,
    pub rsa: AtomicUsize,
    pub dh: AtomicUsize,
    pub ecdh: AtomicUsize,
    pub aead: AtomicUsize,
}

/// The counts: (RSA keys, DH keys, ECDH keys, AEAD keys).
pub type Counts = (usize, usize, usize, usize);

impl Counting {
    pub fn counts(&self) -> Counts {
        (
            self.rsa.load(Ordering::Relaxed),
            self.dh.load(Ordering::Relaxed),
            self.ecdh.load(Ordering::Relaxed),
            self.aead.load(Ordering::Relaxed),
        )
    }
}

impl CryptoProvider for Counting {
    fn name(&self) -> &'static str {
        "counting openssl"
    }
    fn rsa_private_key(
        &self,
        pkcs1_der: &[u8],
    ) -> Option<Result<Box<dyn RsaPrivateOperation>, Error>> {
        self.rsa.fetch_add(1, Ordering::Relaxed);
        self.inner.rsa_private_key(pkcs1_der)
    }
    fn start_dh(
        &self,
        group: &DhGroup,
        rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
        self.dh.fetch_add(1, Ordering::Relaxed);
        self.inner.start_dh(group, rng)
    }
    fn start_ecdh(
        &self,
        group: EcGroup,
        rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
        self.ecdh.fetch_add(1, Ordering::Relaxed);
        self.inner.start_ecdh(group, rng)
    }
    fn aead_key(&self, alg: AeadAlgorithm, key: &[u8]) -> Option<Result<Box<dyn AeadKey>, Error>> {
        self.aead.fetch_add(1, Ordering::Relaxed);
        self.inner.aead_key(alg, key)
    }
}

/// A "generator" that hands out the given bytes, once; panics when asked for more.
pub struct Replay {
    bytes: Vec<u8>,
    at: usize,
}

impl Replay {
    pub fn new(bytes: &[u8]) -> Self {
        Replay {
            bytes: bytes.to_vec(),
            at: 0,
        }
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.at + dst.len();
        assert!(
            end <= self.bytes.len(),
            "Replay: asked for more bytes than it has"
        );
        dst.copy_from_slice(&self.bytes[self.at..end]);
        self.at = end;
        Ok(())
    }
}

impl TryCryptoRng for Replay {}
