//! The RSA private-key primitive (RSADP / RSASP1, RFC 8017 §5.1.2, §5.2.1): CRT with
//! Garner's recombination, base blinding, and a fault check.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use crate::bigint::mont::{self, MontModulus, RSA_TABLE};
use crate::bigint::{Modulus, Nat, words_from_limbs, words_to_be};
use crypto_bigint::Word;
use zeroize::{Zeroize, Zeroizing};

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
        if let (true, Some(fast)) = (crate::bigint::mont::FAST_PATH, &self.fast) {
            return fast.private_op(rng, c, &self.public);
        }
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

/// Words per 1024, 1536, 2048, 3072 and 4096 bits (16 to 64 on 64-bit targets, 32 to
/// 128 on 32-bit ones).
const W1024: usize = 1024 / Word::BITS as usize;
const W1536: usize = 1536 / Word::BITS as usize;
const W2048: usize = 2048 / Word::BITS as usize;
const W3072: usize = 3072 / Word::BITS as usize;
const W4096: usize = 4096 / Word::BITS as usize;

/// The private key of a 2048-, 3072- or 4096-bit modulus whose primes are each exactly
/// half its size (in whole words), with everything the private operation needs at a
/// fixed width: the fast path of [`RsaPrivateKey::private_op`], which allocates nothing
/// but its output. Other keys take the generic path.
///
/// Each variant is boxed: 2.5 KiB (2048-bit keys) to 5 KiB (4096-bit), built in place so
/// that loading a key does not put a whole one on the stack.
#[derive(Clone)]
pub(super) enum FastCrt {
    K2048(Box<CrtKey<W1024, W2048>>),
    K3072(Box<CrtKey<W1536, W3072>>),
    K4096(Box<CrtKey<W2048, W4096>>),
}

/// The CRT key at `H` words per prime and `F = 2 H` words for `n`.
#[derive(Clone)]
pub(super) struct CrtKey<const H: usize, const F: usize> {
    p: MontModulus<H>,
    q: MontModulus<H>,
    /// `n`, for the fault check.
    n: MontModulus<F>,
    dp: [Word; H],
    dq: [Word; H],
    /// `q`, for Garner's recombination.
    q_words: [Word; H],
    /// `q^-1 mod p`, not in Montgomery form (a Montgomery product with it strips the
    /// factor `R`).
    qinv: [Word; H],
    /// `e`, big-endian.
    e: [u8; 8],
}

impl<const H: usize, const F: usize> Zeroize for CrtKey<H, F> {
    fn zeroize(&mut self) {
        self.p.zeroize();
        self.q.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.q_words.zeroize();
        self.qinv.zeroize();
    }
}

impl Zeroize for FastCrt {
    fn zeroize(&mut self) {
        match self {
            FastCrt::K2048(k) => k.zeroize(),
            FastCrt::K3072(k) => k.zeroize(),
            FastCrt::K4096(k) => k.zeroize(),
        }
    }
}

/// The secret parts of a key, as loaded and validated.
pub(super) struct CrtParts<'a> {
    pub(super) n: &'a Nat,
    pub(super) e: u64,
    pub(super) p: &'a Nat,
    pub(super) q: &'a Nat,
    pub(super) dp: &'a Nat,
    pub(super) dq: &'a Nat,
    pub(super) qinv: &'a Nat,
}

impl FastCrt {
    /// The fast form of a validated key, if its sizes fit one (`n` of 2048, 3072 or 4096
    /// bits in whole words, `p` and `q` of exactly half as many words each).
    pub(super) fn new(parts: &CrtParts<'_>) -> Option<Self> {
        let n_words = parts.n.precision() / Word::BITS;
        let p_words = parts.p.precision() / Word::BITS;
        let q_words = parts.q.precision() / Word::BITS;
        if p_words != q_words || 2 * p_words != n_words {
            return None;
        }
        Some(match n_words as usize {
            W2048 => FastCrt::K2048(CrtKey::new(parts)?),
            W3072 => FastCrt::K3072(CrtKey::new(parts)?),
            W4096 => FastCrt::K4096(CrtKey::new(parts)?),
            _ => return None,
        })
    }

    /// As [`RsaPrivateKey::private_op`].
    fn private_op<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &Nat,
        public: &super::RsaPublicKey,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        match self {
            FastCrt::K2048(k) => k.private_op_bytes(rng, c, public.k),
            FastCrt::K3072(k) => k.private_op_bytes(rng, c, public.k),
            FastCrt::K4096(k) => k.private_op_bytes(rng, c, public.k),
        }
    }

    /// Corrupt `dp` (tests of the fault check).
    #[cfg(test)]
    fn corrupt_dp(&mut self) {
        match self {
            FastCrt::K2048(k) => k.dp[0] ^= 0x10,
            FastCrt::K3072(k) => k.dp[0] ^= 0x10,
            FastCrt::K4096(k) => k.dp[0] ^= 0x10,
        }
    }
}

/// Bytes of random input per blinding value: the largest prime's, and 64 bits more.
const BLIND_BYTES: usize = W2048 * (Word::BITS as usize / 8) + 8;

impl<const H: usize, const F: usize> CrtKey<H, F> {
    /// Built field by field into its box (the moduli one at a time on the stack).
    #[inline(never)]
    fn new(parts: &CrtParts<'_>) -> Option<Box<Self>> {
        const { assert!(F == 2 * H) };
        let mut key = Box::new(CrtKey {
            p: MontModulus::ZERO,
            q: MontModulus::ZERO,
            n: MontModulus::ZERO,
            dp: [0; H],
            dq: [0; H],
            q_words: [0; H],
            qinv: [0; H],
            e: parts.e.to_be_bytes(),
        });
        key.p = MontModulus::new(&words_from_limbs(parts.p.limbs())?)?;
        key.q = MontModulus::new(&words_from_limbs(parts.q.limbs())?)?;
        key.n = MontModulus::new(&words_from_limbs(parts.n.limbs())?)?;
        key.dp = words_from_limbs(parts.dp.limbs())?;
        key.dq = words_from_limbs(parts.dq.limbs())?;
        key.q_words = words_from_limbs(parts.q.limbs())?;
        key.qinv = words_from_limbs(parts.qinv.limbs())?;
        Some(key)
    }

    /// The private operation on `c < n`, as `k` big-endian bytes.
    fn private_op_bytes<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &Nat,
        k: usize,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut c = words_from_limbs::<F>(c.limbs()).ok_or(Error::FaultDetected)?;
        let result = self.private_op(rng, &c);
        c.zeroize();
        let mut m = result?;
        let mut out = Zeroizing::new(vec![0u8; k]);
        words_to_be(&m, &mut out);
        m.zeroize();
        Ok(out)
    }

    /// `c^d mod n` for `c < n`: CRT halves at `H` words with base blinding, Garner's
    /// recombination, and the fault check `m^e = c mod n`. No heap.
    ///
    /// Stack (measured from the x86-64 release build's prologues; 32-bit targets hold
    /// the same bytes in twice the words): the largest frame is the exponentiation's,
    /// [`MontModulus::pow`] with its 32-entry window table of a prime's size, 10.1 KiB
    /// at 4096 bits (8 KiB of it the table; 2 KiB of table at 2048 bits would be 16
    /// entries, here it is 4 KiB). The deepest chain at 4096 bits is this function's
    /// frame (5.4 KiB, with the caller's), `blinded_pow` (5.3 KiB), `pow` (10.1 KiB) and
    /// a squaring (2 KiB): about 23 KiB. Loading a key builds the fixed-width form in its
    /// box, with frames of about 3 KiB.
    fn private_op<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &[Word; F],
    ) -> Result<[Word; F], Error> {
        let mut m1 = self.blinded_pow(rng, c, &self.p, &self.dp)?;
        let mut m2 = self.blinded_pow(rng, c, &self.q, &self.dq)?;
        // Garner: h = (m1 - m2) qInv mod p; m = m2 + q h (< n).
        let mut m2n = self.q.retrieve(&m2);
        let mut m2p = self.p.to_mont(&m2n);
        let mut diff = self.p.sub(&m1, &m2p);
        let mut h = self.p.mul(&diff, &self.qinv);
        let mut m = [0; F];
        mont::mul_wide(&h, &self.q_words, &mut m);
        mont::add_assign(&mut m, &m2n);
        m1.zeroize();
        m2.zeroize();
        m2n.zeroize();
        m2p.zeroize();
        diff.zeroize();
        h.zeroize();
        // Fault check: m^e must give c back; otherwise withhold m. (Constant-time
        // comparison; the verdict is what is revealed.)
        let mut mm = self.n.to_mont(&m);
        let mut me = self.n.pow_public_vartime(&mm, &self.e);
        let mut back = self.n.retrieve(&me);
        let ok = mont::ct_eq_words(&back, c);
        mm.zeroize();
        me.zeroize();
        back.zeroize();
        if ok == 0 {
            m.zeroize();
            return Err(Error::FaultDetected);
        }
        Ok(m)
    }

    /// `c^exp mod s` in Montgomery form, for the prime `s`, with the base blinded by a
    /// fresh random `r`: `((c r^e)^exp) r^-1` (see [`RsaPrivateKey::blinded_pow`]).
    fn blinded_pow<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        c: &[Word; F],
        s: &MontModulus<H>,
        exp: &[Word; H],
    ) -> Result<[Word; H], Error> {
        // c < n < s R, so the wide reduction applies.
        let mut c_m = s.reduce_wide(c);
        let wb = Word::BITS as usize / 8;
        let len = H * wb + 8;
        let mut bytes = [0u8; BLIND_BYTES];
        let mut wide = [0; F];
        for _ in 0..BLINDING_ATTEMPTS {
            // r: 64 bits more than the prime, reduced (bias below 2^-64). Its Montgomery
            // form is what is used; any uniform value modulo s will do.
            rng.fill_bytes(&mut bytes[..len]);
            for (i, w) in wide.iter_mut().enumerate() {
                let mut b = [0u8; 8];
                if (i + 1) * wb <= len {
                    b[..wb].copy_from_slice(&bytes[i * wb..(i + 1) * wb]);
                }
                *w = Word::from_le_bytes(b[..wb].try_into().expect("word size"));
                b.zeroize();
            }
            let mut r = s.reduce_wide(&wide);
            let Some(mut r_inv) = s.invert(&r) else {
                r.zeroize();
                continue;
            };
            let mut r_e = s.pow_public_vartime(&r, &self.e);
            let mut blinded = s.mul(&c_m, &r_e);
            let mut powered = s.pow::<RSA_TABLE>(&blinded, exp, H as u32 * Word::BITS);
            let out = s.mul(&powered, &r_inv);
            for x in [
                &mut r,
                &mut r_inv,
                &mut r_e,
                &mut blinded,
                &mut powered,
                &mut c_m,
            ] {
                x.zeroize();
            }
            bytes.zeroize();
            wide.zeroize();
            return Ok(out);
        }
        c_m.zeroize();
        bytes.zeroize();
        wide.zeroize();
        Err(Error::FaultDetected)
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

    fn load(name: &str) -> RsaPrivateKey {
        let path = std::format!(
            "{}/../../testdata/{name}.rsa.pem",
            env!("CARGO_MANIFEST_DIR")
        );
        RsaPrivateKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The fixed-width path gives what the generic path gives (the same deterministic
    /// signatures, the same decryptions), at 2048, 3072 and 4096 bits; keys of other
    /// shapes do not take it.
    #[test]
    fn fast_path_matches_generic_path() {
        for (name, width) in [
            ("server-rsa2048", 2048),
            ("server-rsa3072", 3072),
            ("server-rsa4096", 4096),
        ] {
            let fast = load(name);
            let mut generic = load(name);
            match (fast.fast.as_ref(), width) {
                (Some(FastCrt::K2048(_)), 2048)
                | (Some(FastCrt::K3072(_)), 3072)
                | (Some(FastCrt::K4096(_)), 4096) => {}
                _ => panic!("{name} does not take the fixed-width path of its size"),
            }
            generic.fast = None;
            let mut rng = SeededRng::from_seed([7; 32]);
            for msg in [&b""[..], b"a", b"fixed-width RSA"] {
                let a = fast
                    .sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, msg)
                    .unwrap();
                let b = generic
                    .sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, msg)
                    .unwrap();
                assert_eq!(a, b, "{name}");
                fast.public_key()
                    .verify_pkcs1v15(HashAlgorithm::Sha256, msg, &a)
                    .unwrap();
                let ct = fast.public_key().encrypt_pkcs1v15(&mut rng, msg).unwrap();
                assert_eq!(&fast.decrypt_pkcs1v15(&mut rng, &ct).unwrap()[..], msg);
                assert_eq!(&generic.decrypt_pkcs1v15(&mut rng, &ct).unwrap()[..], msg);
            }
            // Edge inputs of the raw operation: 0, 1, n - 1 (which is its own inverse
            // image: (n - 1)^d = (-1)^d = n - 1 for odd d).
            let n = &fast.public.n;
            let one = Nat::one(n.precision());
            let n_minus_1 = n.wrapping_sub(&one);
            for x in [Nat::from_be(&[], n.precision()).unwrap(), one, n_minus_1] {
                let a = fast.private_op(&mut rng, &x).unwrap();
                let b = generic.private_op(&mut rng, &x).unwrap();
                assert_eq!(a, b, "{name}");
                assert_eq!(&a[..], &fast.public.to_k_bytes(&x)[..], "{name}");
            }
        }
        assert!(
            RsaPrivateKey::from_pem(KEY).unwrap().fast.is_none(),
            "1024-bit key"
        );
    }

    /// A fault in the fixed-width key's CRT exponent is caught as well.
    #[test]
    fn fast_path_fault_check() {
        let mut key = load("server-rsa2048");
        assert!(key.self_test());
        key.fast.as_mut().unwrap().corrupt_dp();
        let mut rng = SeededRng::from_seed([3; 32]);
        assert_eq!(
            key.sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, b"m")
                .unwrap_err(),
            Error::FaultDetected
        );
        assert!(!key.self_test());
    }
}
