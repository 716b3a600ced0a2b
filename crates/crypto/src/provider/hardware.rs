//! A provider skeleton for a microcontroller's RSA engine.
//!
//! Many microcontrollers compute modular exponentiation in hardware (the ESP32 family's
//! RSA accelerator, the STM32 PKA, Arm CryptoCell, the NXP CASPER): a HAL exposes it and
//! implements [`RsaAccelerator`] for it, and [`AcceleratedRsa`] turns that into a
//! [`CryptoProvider`] whose keys run their private operation on the engine:
//!
//! ```
//! use sanstls_crypto::provider::hardware::{AcceleratedRsa, RsaAccelerator};
//! use sanstls_crypto::rsa::RsaPrivateKey;
//! # use sanstls_crypto::Error;
//! # #[derive(Clone)]
//! # struct Pka;
//! # impl RsaAccelerator for Pka {
//! #     fn max_modulus_bits(&self) -> u32 { 0 } // (declines: this stand-in has no engine)
//! #     fn mod_exp(&self, _: &[u8], _: &[u8], _: &[u8], _: &mut [u8]) -> Result<(), Error> {
//! #         Err(Error::Unsupported("no engine"))
//! #     }
//! # }
//! # fn key_pem() -> &'static str { include_str!("../../../../testdata/bad-rsa1024.rsa.pem") }
//! // `Pka` is the HAL's handle to the engine.
//! let provider = AcceleratedRsa::new(Pka);
//! let key = RsaPrivateKey::from_pem_with(key_pem(), &provider)?;
//! # Ok::<(), Error>(())
//! ```
//!
//! The skeleton asks the engine for the one operation they all have, `base^exp mod n`
//! over the full modulus (no CRT: not every engine reduces a base larger than its
//! modulus, which CRT needs), and blinds the exponent: each operation uses
//! `d + r * phi(n)` with a fresh 64-bit `r`, which gives the same result (Euler) while
//! the engine sees a different exponent every time, so power and timing traces of
//! repeated operations do not average towards `d`. sanstls re-encrypts every result
//! with the public key before using it, which also catches a glitched engine.
//!
//! A key larger than [`RsaAccelerator::max_modulus_bits`] stays on the built-in code.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use der::Decode;
use pkcs1::RsaPrivateKeyRef;
use zeroize::{Zeroize, Zeroizing};

use super::{CryptoProvider, MaybeSendSync, RsaPrivateOperation};
use crate::Error;
use crate::bigint::{Modulus, Nat};
use crate::rng::CryptoRng;

/// What an RSA engine offers: modular exponentiation.
///
/// Engines are usually one peripheral behind a `&mut` handle: an implementation for a
/// HAL holds a cheap cloneable handle and locks the peripheral inside `mod_exp` (a
/// critical section or a mutex), since several keys may share it.
pub trait RsaAccelerator: MaybeSendSync {
    /// The largest modulus the engine takes, in bits (keys above it stay built in).
    fn max_modulus_bits(&self) -> u32;

    /// `base^exp mod modulus` into `out`. `base` and `out` are as long as `modulus`,
    /// `exp` is at most 8 bytes longer (the blinded exponent); all big-endian, `base`
    /// below `modulus`, `modulus` odd. The engine must take time independent of `base`
    /// and of `exp` beyond its length.
    fn mod_exp(&self, base: &[u8], exp: &[u8], modulus: &[u8], out: &mut [u8])
    -> Result<(), Error>;
}

/// A [`CryptoProvider`] that runs RSA private operations on an [`RsaAccelerator`] and
/// declines everything else.
#[derive(Clone, Debug)]
pub struct AcceleratedRsa<A> {
    accelerator: A,
}

impl<A> AcceleratedRsa<A> {
    /// The provider for `accelerator`.
    pub fn new(accelerator: A) -> Self {
        AcceleratedRsa { accelerator }
    }
}

impl<A: RsaAccelerator + Clone + 'static> CryptoProvider for AcceleratedRsa<A> {
    fn name(&self) -> &'static str {
        "rsa-accelerator"
    }

    fn rsa_private_key(
        &self,
        pkcs1_der: &[u8],
    ) -> Option<Result<Box<dyn RsaPrivateOperation>, Error>> {
        let Ok(key) = RsaPrivateKeyRef::from_der(pkcs1_der) else {
            return Some(Err(Error::KeyEncoding("malformed PKCS#1 RSAPrivateKey")));
        };
        let n = trim(key.modulus.as_bytes());
        let bits = n.len() as u32 * 8 - n.first().map_or(8, |b| b.leading_zeros());
        if bits > self.accelerator.max_modulus_bits() {
            return None;
        }
        Some(EngineKey::new(self.accelerator.clone(), &key).map(|k| Box::new(k) as Box<_>))
    }
}

/// One key on the engine: `n`, `d` and `phi(n)` (for exponent blinding).
struct EngineKey<A> {
    accelerator: A,
    n: Vec<u8>,
    d: Nat,
    phi: Nat,
}

impl<A> Drop for EngineKey<A> {
    fn drop(&mut self) {
        self.d.zeroize();
        self.phi.zeroize();
    }
}

/// Bits of `r` in the blinded exponent `d + r * phi(n)`.
const BLINDING_BITS: u32 = 64;

impl<A: RsaAccelerator> EngineKey<A> {
    fn new(accelerator: A, key: &RsaPrivateKeyRef<'_>) -> Result<Self, Error> {
        let n = trim(key.modulus.as_bytes()).to_vec();
        // One limb of headroom above n for the sums below, and room for r * phi.
        let prec = (n.len() as u32 * 8).next_multiple_of(64) + 64;
        let wide = prec + BLINDING_BITS;
        let nat = |b: &[u8]| Nat::from_be(trim(b), wide).ok_or(Error::InvalidKey("p * q != n"));
        let n_nat = nat(&n)?;
        let p = Zeroizing::new(nat(key.prime1.as_bytes())?);
        let q = Zeroizing::new(nat(key.prime2.as_bytes())?);
        let d = nat(key.private_exponent.as_bytes())?;
        // phi(n) = n - p - q + 1 = (p - 1)(q - 1).
        let phi = n_nat
            .wrapping_sub(&p)
            .wrapping_sub(&q)
            .wrapping_add(&Nat::one(wide));
        Ok(EngineKey {
            accelerator,
            n,
            d,
            phi,
        })
    }
}

impl<A: RsaAccelerator> RsaPrivateOperation for EngineKey<A> {
    fn private(&self, rng: &mut dyn CryptoRng, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let k = input.len();
        if k < self.n.len() || out.len() != k {
            return Err(Error::InvalidLength);
        }
        // The engine takes operands as long as n: drop the leading zero bytes of the
        // k-byte block (k is the modulus length, so at most none; kept for clarity).
        let base = &input[k - self.n.len()..];
        let mut r = [0u8; (BLINDING_BITS / 8) as usize];
        rng.fill_bytes(&mut r);
        let r = Zeroizing::new(Nat::from_be(&r, BLINDING_BITS).ok_or(Error::FaultDetected)?);
        let blinded = Zeroizing::new(
            r.mul_wide(&self.phi)
                .resize(self.d.precision())
                .wrapping_add(&self.d),
        );
        let exp = Zeroizing::new(blinded.to_be_bytes());
        // At most the length of n plus the 8 bytes of r.
        let exp = &exp[exp.len().saturating_sub(self.n.len() + 8)..];
        let mut result = Zeroizing::new(vec![0u8; self.n.len()]);
        self.accelerator.mod_exp(base, exp, &self.n, &mut result)?;
        out.fill(0);
        out[k - self.n.len()..].copy_from_slice(&result);
        Ok(())
    }
}

/// A software [`RsaAccelerator`]: this crate's own constant-time Montgomery
/// exponentiation behind the trait. It is no faster than the built-in private operation;
/// it is the stand-in for testing an integration (the provider, the blinding, the fault
/// check) on a host before the engine is there, and what this module's tests use.
#[derive(Clone, Copy, Debug, Default)]
pub struct SoftwareAccelerator;

impl RsaAccelerator for SoftwareAccelerator {
    fn max_modulus_bits(&self) -> u32 {
        crate::bigint::MAX_MODULUS_BITS.min(crate::rsa::MAX_MODULUS_BITS)
    }

    fn mod_exp(
        &self,
        base: &[u8],
        exp: &[u8],
        modulus: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        let whole = |len: usize| (len as u32 * 8).next_multiple_of(64).max(64);
        let prec = whole(modulus.len());
        let bad = Error::InvalidLength;
        let m = Nat::from_be(modulus, prec).ok_or(bad)?;
        let params = Modulus::new(&m).ok_or(Error::InvalidKey("the modulus is even"))?;
        let b = Zeroizing::new(Nat::from_be(base, prec).ok_or(bad)?);
        let b = Zeroizing::new(params.to_monty(&params.reduce(&b)));
        let e = Zeroizing::new(Nat::from_be(exp, whole(exp.len())).ok_or(bad)?);
        let r = Zeroizing::new(params.retrieve(&params.pow(&b, &e)).to_be_bytes());
        if out.len() > r.len() {
            return Err(bad);
        }
        out.copy_from_slice(&r[r.len() - out.len()..]);
        Ok(())
    }
}

/// Without leading zero bytes.
fn trim(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[first..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::HashAlgorithm;
    use crate::rng::SeededRng;
    use crate::rsa::RsaPrivateKey;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const KEY_1024: &str = include_str!("../../../../testdata/bad-rsa1024.rsa.pem");
    const KEY_2048: &str = include_str!("../../../../testdata/server-rsa2048.rsa.pem");

    /// The software engine, counting calls and keeping the exponents it was given,
    /// optionally corrupting its results (a glitched engine).
    #[derive(Clone, Default)]
    struct StandIn {
        calls: Arc<AtomicUsize>,
        exps: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
        glitch: bool,
        max_bits: u32,
    }

    impl RsaAccelerator for StandIn {
        fn max_modulus_bits(&self) -> u32 {
            self.max_bits
        }
        fn mod_exp(
            &self,
            base: &[u8],
            exp: &[u8],
            modulus: &[u8],
            out: &mut [u8],
        ) -> Result<(), Error> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.exps.lock().unwrap().push(exp.to_vec());
            SoftwareAccelerator.mod_exp(base, exp, modulus, out)?;
            if self.glitch {
                out[out.len() - 1] ^= 1;
            }
            Ok(())
        }
    }

    fn stand_in(max_bits: u32) -> StandIn {
        StandIn {
            max_bits,
            ..StandIn::default()
        }
    }

    #[test]
    fn signatures_and_premasters_match_the_built_in_key() {
        for pem in [KEY_1024, KEY_2048] {
            let engine = stand_in(4096);
            let provider = AcceleratedRsa::new(engine.clone());
            let ours = RsaPrivateKey::from_pem_with(pem, &provider).unwrap();
            let built_in = RsaPrivateKey::from_pem(pem).unwrap();
            assert!(ours.is_provided());
            assert!(!built_in.is_provided());
            // The load-time self-test ran on the engine.
            assert_eq!(engine.calls.load(Ordering::Relaxed), 1);

            let mut rng = SeededRng::from_seed([7; 32]);
            let a = ours
                .sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, b"abc")
                .unwrap();
            let b = built_in
                .sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, b"abc")
                .unwrap();
            assert_eq!(a, b);

            let pm = [3u8; 48];
            let ct = ours.public_key().encrypt_pkcs1v15(&mut rng, &pm).unwrap();
            let mut out = [0u8; 48];
            assert!(bool::from(ours.decrypt_tls_premaster(
                &mut rng,
                &ct,
                [3, 3],
                &mut out
            )));
            assert_eq!(out, pm);
            assert_eq!(engine.calls.load(Ordering::Relaxed), 3);

            // Exponent blinding: the engine never saw the same exponent twice.
            let exps = engine.exps.lock().unwrap();
            for (i, x) in exps.iter().enumerate() {
                assert!(exps[i + 1..].iter().all(|y| y != x));
            }
        }
    }

    #[test]
    fn a_glitched_engine_is_caught() {
        let provider = AcceleratedRsa::new(StandIn {
            glitch: true,
            ..stand_in(4096)
        });
        assert!(matches!(
            RsaPrivateKey::from_pem_with(KEY_1024, &provider),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn keys_above_the_engine_stay_built_in() {
        let engine = stand_in(1024);
        let provider = AcceleratedRsa::new(engine.clone());
        assert!(
            RsaPrivateKey::from_pem_with(KEY_1024, &provider)
                .unwrap()
                .is_provided()
        );
        let big = RsaPrivateKey::from_pem_with(KEY_2048, &provider).unwrap();
        assert!(!big.is_provided());
        assert_eq!(engine.calls.load(Ordering::Relaxed), 1);
    }
}
