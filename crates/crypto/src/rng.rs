//! Randomness.
//!
//! sanstls never reaches for a random source on its own: every function that needs
//! randomness takes a [`CryptoRng`] from the caller. The std adapter passes the operating
//! system's generator (`OsRng`, with the feature `getrandom`); embedded users pass their hardware
//! generator; tests and fuzzers pass a [`SeededRng`] with a fixed seed.

pub use rand_core::{CryptoRng, Rng, TryCryptoRng, TryRng};

use core::convert::Infallible;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The operating system's generator (`getrandom`).
///
/// It panics if the operating system cannot supply randomness, which on the supported
/// platforms happens only when the process is already unusable (for example, a seccomp
/// filter that forbids `getrandom`).
#[cfg(feature = "getrandom")]
pub type OsRng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A new [`OsRng`].
#[cfg(feature = "getrandom")]
pub fn os_rng() -> OsRng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// A deterministic generator: SHA-256 in counter mode over a 32-byte seed.
///
/// Its output is unpredictable exactly as long as its seed is secret, so it is a sound
/// per-connection generator when seeded from a real source (the record layer uses it
/// that way for explicit IVs), and a reproducible one in tests and fuzzing when seeded
/// with a constant.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRng {
    /// A generator whose whole output is determined by `seed`.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        SeededRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    /// A generator seeded with 32 bytes drawn from `rng`.
    pub fn from_rng<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let out = Self::from_seed(seed);
        seed.zeroize();
        out
    }

    fn refill(&mut self) {
        // SHA-256, always in the build (not through `HashAlgorithm`, whose constructors
        // are fallible for the optional hashes).
        let mut h = <sha2::Sha256 as digest::Digest>::new();
        digest::Digest::update(&mut h, self.seed);
        digest::Digest::update(&mut h, self.counter.to_be_bytes());
        self.block.copy_from_slice(&digest::Digest::finalize(h));
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }
}

impl core::fmt::Debug for SeededRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SeededRng { .. }")
    }
}

impl TryRng for SeededRng {
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

    fn try_fill_bytes(&mut self, mut dst: &mut [u8]) -> Result<(), Infallible> {
        while !dst.is_empty() {
            if self.used == self.block.len() {
                self.refill();
            }
            let n = dst.len().min(self.block.len() - self.used);
            dst[..n].copy_from_slice(&self.block[self.used..self.used + n]);
            self.used += n;
            dst = &mut dst[n..];
        }
        Ok(())
    }
}

impl TryCryptoRng for SeededRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_rng_is_deterministic_and_chunking_independent() {
        let mut a = SeededRng::from_seed([7; 32]);
        let mut b = SeededRng::from_seed([7; 32]);
        let mut whole = [0u8; 100];
        a.fill_bytes(&mut whole);
        let mut parts = [0u8; 100];
        for chunk in parts.chunks_mut(7) {
            b.fill_bytes(chunk);
        }
        assert_eq!(whole, parts);
        // First block is SHA-256(seed || 0u64).
        let mut h = crate::hash::HashAlgorithm::Sha256.start().unwrap();
        h.update(&[7; 32]);
        h.update(&0u64.to_be_bytes());
        assert_eq!(&whole[..32], h.finish().as_slice());
        let mut c = SeededRng::from_seed([8; 32]);
        let mut other = [0u8; 100];
        c.fill_bytes(&mut other);
        assert_ne!(whole, other);
    }

    #[cfg(feature = "getrandom")]
    #[test]
    fn os_rng_fills() {
        let mut rng = os_rng();
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut a);
        rng.fill_bytes(&mut b);
        assert_ne!(a, b);
    }
}
