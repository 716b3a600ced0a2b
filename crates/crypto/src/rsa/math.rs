//! The RSA private-key primitive (RSADP / RSASP1, RFC 8017 §5.1.2, §5.2.1): CRT with
//! Garner's recombination, base blinding, and a fault check.

use alloc::vec;
use alloc::vec::Vec;

use crate::bigint::{Modulus, Nat};
use zeroize::Zeroizing;

use super::keys::RsaPrivateKey;
use crate::Error;
use crate::rng::{CryptoRng, SeededRng};

/// How many times a blinding value is redrawn if it is not invertible. Drawing a
/// non-invertible value (a multiple of `p`) has probability about 2^-1000 per draw, so
/// exhausting this means the generator is broken.
const BLINDING_ATTEMPTS: usize = 4;

impl RsaPrivateKey {
    /// `c^d mod n` for `c < n` (checked by the caller), returned as `k` bytes.
    ///
    /// Constant time in `c`, in the key and in the result: the exponentiations are
    /// fixed-window Montgomery ladders over the full precision of `dp` and `dq`,
    /// reductions and inversions are constant time, and the only branches are on the
    /// (negligible-probability) failure to draw an invertible blinding value and on the
    /// fault check.
    pub(super) fn private_op<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &Nat,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let public = &self.public;
        // m1 = c^dP mod p, m2 = c^dQ mod q (RFC 8017 §5.1.2 step 2b), each blinded.
        let m1 = self.blinded_pow(rng, c, &self.p_params, &self.dp)?;
        let m2 = self.blinded_pow(rng, c, &self.q_params, &self.dq)?;

        // Garner: h = (m1 - m2) * qInv mod p; m = m2 + q * h (§5.1.2 step 2b iii-iv).
        let p_params = &self.p_params;
        let p_prec = p_params.precision();
        let m2 = Zeroizing::new(self.q_params.retrieve(&m2));
        let m2_wide = Zeroizing::new(if m2.precision() < p_prec {
            m2.resize(p_prec)
        } else {
            (*m2).clone()
        });
        let m2_mod_p = Zeroizing::new(p_params.reduce(&m2_wide));
        let m2_mod_p = Zeroizing::new(p_params.to_monty(&m2_mod_p));
        let diff = Zeroizing::new(p_params.sub(&m1, &m2_mod_p));
        let h = Zeroizing::new(p_params.retrieve(&p_params.mul(&diff, &self.qinv)));
        let hq = Zeroizing::new(h.mul_wide(&self.q));
        let m2_hq = Zeroizing::new(m2.resize(hq.precision()));
        let m_wide = Zeroizing::new(hq.wrapping_add(&m2_hq));
        // m < p * q = n, so it fits the precision of n (which is at most p's plus q's).
        let m = Zeroizing::new(m_wide.resize(public.n.precision()));

        // Fault check: m^e must give c back; otherwise withhold m. (The comparison is
        // constant time; its verdict, a fault or not, is what is revealed.)
        let m = Zeroizing::new(public.to_k_bytes(&m));
        let check = public.public_op(&m).map(Zeroizing::new);
        let c = Zeroizing::new(public.to_k_bytes(c));
        match check {
            Some(check) if bool::from(subtle::ConstantTimeEq::ct_eq(&check[..], &c[..])) => Ok(m),
            _ => Err(Error::FaultDetected),
        }
    }

    /// `(c mod s)^exp mod s` for the prime `s` of `params`, with the base blinded by a
    /// fresh random `r`: `((c * r^e)^exp) * r^-1`, which equals `c^exp` because
    /// `r^(e * exp) = r mod s` when `e * exp = 1 mod (s - 1)`. Blinding independently
    /// modulo `p` and `q` is the same as blinding modulo `n` with the CRT combination of
    /// the two values, at a quarter of the cost per multiplication.
    fn blinded_pow<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &Nat,
        params: &Modulus,
        exp: &Nat,
    ) -> Result<Zeroizing<crate::bigint::Residue>, Error> {
        let prec = params.precision();
        let c_mod = Zeroizing::new(params.reduce(c));
        let c_mont = Zeroizing::new(params.to_monty(&c_mod));

        // r: 64 bits more than the modulus, reduced, so its bias is below 2^-64.
        let wide_prec = prec + 64;
        let mut bytes = Zeroizing::new(vec![0u8; (wide_prec / 8) as usize]);
        for _ in 0..BLINDING_ATTEMPTS {
            rng.fill_bytes(&mut bytes);
            let wide = Zeroizing::new(Nat::from_be(&bytes, wide_prec).ok_or(Error::FaultDetected)?);
            let r = Zeroizing::new(params.reduce(&wide));
            let r_mont = Zeroizing::new(params.to_monty(&r));
            let Some(r_inv) = params.invert(&r_mont) else {
                continue;
            };
            let r_inv = Zeroizing::new(r_inv);
            let r_e = Zeroizing::new(self.public.pow_e(params, &r_mont));
            let blinded = Zeroizing::new(params.mul(&c_mont, &r_e));
            let powered = Zeroizing::new(params.pow(&blinded, exp));
            return Ok(Zeroizing::new(params.mul(&powered, &r_inv)));
        }
        Err(Error::FaultDetected)
    }

    /// Run the private operation on a fixed value and check it round-trips (the fault
    /// check inside `private_op`). Used once when a key is loaded.
    pub(super) fn self_test(&self) -> bool {
        let public = &self.public;
        let x = public.n.shr1();
        // The blinding values for a public test value need no secrecy.
        let mut rng = SeededRng::from_seed([0x5a; 32]);
        self.private_op(&mut rng, &x).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::HashAlgorithm;
    use crate::rng::Rng;

    const KEY: &str = include_str!("../../../../testdata/bad-rsa1024.rsa.pem");

    /// A key whose CRT exponent was corrupted after loading (as a fault in memory would):
    /// every private operation must withhold its result.
    fn faulty_key() -> RsaPrivateKey {
        let mut key = RsaPrivateKey::from_pem(KEY).unwrap();
        let mut bytes = key.dp.to_be_bytes();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x10;
        key.dp = Nat::from_be(&bytes, key.dp.precision()).unwrap();
        key
    }

    #[test]
    fn fault_check_withholds_results() {
        let key = faulty_key();
        let mut rng = SeededRng::from_seed([1; 32]);
        assert_eq!(
            key.sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, b"m")
                .unwrap_err(),
            Error::FaultDetected
        );
        #[cfg(feature = "pss")]
        assert_eq!(
            key.sign_pss(&mut rng, HashAlgorithm::Sha256, b"m")
                .unwrap_err(),
            Error::FaultDetected
        );
        let pm = [3u8; 48];
        let ct = key.public_key().encrypt_pkcs1v15(&mut rng, &pm).unwrap();
        assert_eq!(
            key.decrypt_pkcs1v15(&mut rng, &ct).unwrap_err(),
            Error::FaultDetected
        );
        let mut out = [0u8; 48];
        let mut expected = [0u8; 48];
        SeededRng::from_seed([2; 32]).fill_bytes(&mut expected);
        let used =
            key.decrypt_tls_premaster(&mut SeededRng::from_seed([2; 32]), &ct, [3, 3], &mut out);
        assert!(!bool::from(used));
        assert_eq!(out, expected);
        // The self-test run at load time catches the same corruption.
        assert!(!key.self_test());
        assert!(RsaPrivateKey::from_pem(KEY).unwrap().self_test());
    }

    #[test]
    fn blinding_does_not_change_results() {
        // Different generators blind differently but give the same deterministic signature.
        let key = RsaPrivateKey::from_pem(KEY).unwrap();
        let a = key
            .sign_pkcs1v15(
                &mut SeededRng::from_seed([1; 32]),
                HashAlgorithm::Sha256,
                b"x",
            )
            .unwrap();
        let b = key
            .sign_pkcs1v15(
                &mut SeededRng::from_seed([2; 32]),
                HashAlgorithm::Sha256,
                b"x",
            )
            .unwrap();
        assert_eq!(a, b);
    }
}
