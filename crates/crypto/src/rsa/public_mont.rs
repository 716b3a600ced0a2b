//! Montgomery arithmetic modulo an RSA public modulus `n`, for the public operation
//! `x^e mod n` (signature checks, encryption, and the fault check of private operations).
//!
//! # Why not crypto-bigint here
//!
//! Written by hand on purpose, and only for this. crypto-bigint's heap-backed Montgomery
//! parameters (`BoxedMontyParams`) compute `R^2 mod n` with one wide squaring, which goes
//! through its Karatsuba code: about 17 KB of firmware and a 12 KB stack frame (most of
//! it reserved rather than touched) for one squaring per key, and the only way to build
//! the parameters. A client that only checks certificates and encrypts a premaster needs
//! nothing else from crypto-bigint. Here `R mod n` is reached by doubling and `R^2 mod
//! n` by a dozen Montgomery squarings (`n` is public, so the set-up may take variable
//! time), and the multiplication is the textbook
//! word-by-word Montgomery product (CIOS: Koç, Acar, Kaliski, "Analyzing and Comparing
//! Montgomery Multiplication Algorithms", 1996), with no branch or memory access that
//! depends on the operands: the base `x` is secret when a premaster is encrypted and when
//! a private operation's result is checked. Its results are tested against
//! crypto-bigint's on random moduli and operands (the tests below), and every RSA test
//! vector (Wycheproof) goes through it.
//!
//! Words are 64-bit on 64-bit targets and 32-bit elsewhere (and on the host under the
//! `sanstls_fixed_bigint` cfg, which CI tests: the device's word size on the host).

use alloc::vec;
use alloc::vec::Vec;

use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroizing;

#[cfg(all(target_pointer_width = "64", not(sanstls_fixed_bigint)))]
type Word = u64;
#[cfg(all(target_pointer_width = "64", not(sanstls_fixed_bigint)))]
type Wide = u128;
#[cfg(not(all(target_pointer_width = "64", not(sanstls_fixed_bigint))))]
type Word = u32;
#[cfg(not(all(target_pointer_width = "64", not(sanstls_fixed_bigint))))]
type Wide = u64;
const WORD_BITS: u32 = Word::BITS;
const WORD_BYTES: usize = (Word::BITS / 8) as usize;

/// An odd public modulus with its Montgomery constants (`R = 2^(WORD_BITS * words)`).
#[derive(Clone)]
pub(super) struct PublicModulus {
    /// `n`, little-endian words.
    n: Vec<Word>,
    /// `-n^-1 mod 2^WORD_BITS`.
    n0: Word,
    /// `R^2 mod n`, little-endian words.
    r2: Vec<Word>,
}

impl PublicModulus {
    /// The constants for the odd modulus `n_be` (big-endian, no leading zero byte).
    /// `None` if `n` is even or zero.
    pub(super) fn new(n_be: &[u8]) -> Option<Self> {
        let n = words_from_be(n_be, n_be.len().div_ceil(WORD_BYTES))?;
        if n.first().is_none_or(|w| w & 1 == 0) {
            return None;
        }
        // n0 = -n^-1 mod 2^WORD_BITS, by Newton's iteration (each step doubles the
        // correct bits; n * n = 1 mod 8 for odd n gives three to start with: 96 after
        // five steps).
        let mut inv: Word = n[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul((2 as Word).wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let n0 = inv.wrapping_neg();
        let len = n.len();
        let mut m = PublicModulus {
            n,
            n0,
            r2: Vec::new(),
        };
        // R mod n: 2^b - n for the bit length b of n (below n, as 2^(b-1) < n < 2^b),
        // doubled up to R. n is public: the reductions may branch.
        let b = bit_len(&m.n);
        let mut r = vec![0; len];
        sub_in_place(&mut r, &m.n);
        for (i, w) in r.iter_mut().enumerate() {
            let low = b
                .saturating_sub(i * WORD_BITS as usize)
                .min(WORD_BITS as usize);
            *w &= if low == WORD_BITS as usize {
                Word::MAX
            } else {
                (1 << low) - 1
            };
        }
        for _ in b..WORD_BITS as usize * len {
            double_mod(&mut r, &m.n);
        }
        // 2R mod n is 2 in Montgomery form; raised to WORD_BITS * len in that form it
        // gives R * 2^(WORD_BITS * len) = R^2 mod n.
        double_mod(&mut r, &m.n);
        let two = r;
        let exp = WORD_BITS as usize * len;
        let mut acc = two.clone();
        let mut tmp = vec![0; len];
        let mut scratch = vec![0; len + 2];
        for i in (0..exp.ilog2()).rev() {
            m.mul(&acc, &acc, &mut tmp, &mut scratch);
            core::mem::swap(&mut acc, &mut tmp);
            if (exp >> i) & 1 == 1 {
                m.mul(&acc, &two, &mut tmp, &mut scratch);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        m.r2 = acc;
        Some(m)
    }

    /// `x^e mod n` for `x < n` (big-endian, exactly as long as `n`'s byte length `k`),
    /// with `e` given by its bits, most significant first (the first is 1). Returns `k`
    /// bytes. Constant time in `x`; variable time in `e`, which is public.
    pub(super) fn pow(&self, x_be: &[u8], e_bits: impl Iterator<Item = bool>) -> Option<Vec<u8>> {
        let len = self.n.len();
        let x = Zeroizing::new(words_from_be(x_be, len)?);
        let mut scratch = Zeroizing::new(vec![0; len + 2]);
        let mut xm = Zeroizing::new(vec![0; len]);
        self.mul(&x, &self.r2, &mut xm, &mut scratch);
        let mut acc = Zeroizing::new((*xm).clone());
        let mut tmp = Zeroizing::new(vec![0; len]);
        for bit in e_bits.skip(1) {
            self.mul(&acc, &acc, &mut tmp, &mut scratch);
            core::mem::swap(&mut *acc, &mut *tmp);
            if bit {
                self.mul(&acc, &xm, &mut tmp, &mut scratch);
                core::mem::swap(&mut *acc, &mut *tmp);
            }
        }
        // Out of Montgomery form: a product with 1.
        let mut one = vec![0; len];
        one[0] = 1;
        self.mul(&acc, &one, &mut tmp, &mut scratch);
        Some(words_to_be(&tmp, x_be.len()))
    }

    /// `out = a * b * R^-1 mod n` for `a, b < n` (CIOS). `scratch` has `n.len() + 2`
    /// words. No branch or index depends on `a` or `b`.
    fn mul(&self, a: &[Word], b: &[Word], out: &mut [Word], scratch: &mut [Word]) {
        let n = &self.n;
        let len = n.len();
        let t = scratch;
        t.fill(0);
        for &ai in a {
            // t += ai * b
            let mut carry: Wide = 0;
            for j in 0..len {
                let s = Wide::from(t[j]) + Wide::from(ai) * Wide::from(b[j]) + carry;
                t[j] = s as Word;
                carry = s >> WORD_BITS;
            }
            let s = Wide::from(t[len]) + carry;
            t[len] = s as Word;
            t[len + 1] = (s >> WORD_BITS) as Word;
            // t = (t + m * n) / 2^WORD_BITS, with m chosen so that the low word cancels.
            let m = t[0].wrapping_mul(self.n0);
            let s = Wide::from(t[0]) + Wide::from(m) * Wide::from(n[0]);
            let mut carry = s >> WORD_BITS;
            for j in 1..len {
                let s = Wide::from(t[j]) + Wide::from(m) * Wide::from(n[j]) + carry;
                t[j - 1] = s as Word;
                carry = s >> WORD_BITS;
            }
            let s = Wide::from(t[len]) + carry;
            t[len - 1] = s as Word;
            t[len] = t[len + 1] + (s >> WORD_BITS) as Word;
        }
        // t < 2n: subtract n once, and keep the difference unless it borrowed (t < n).
        let mut borrow: Word = 0;
        for j in 0..len {
            let (d, b1) = t[j].overflowing_sub(n[j]);
            let (d, b2) = d.overflowing_sub(borrow);
            out[j] = d;
            borrow = Word::from(b1 | b2);
        }
        // Keep t (not t - n) when the subtraction borrowed past t's top word.
        let (_, b) = t[len].overflowing_sub(borrow);
        let keep_t = Choice::from(u8::from(b));
        for j in 0..len {
            out[j] = Word::conditional_select(&out[j], &t[j], keep_t);
        }
    }
}

/// Little-endian words of `len` words from big-endian bytes; `None` if they do not fit.
fn words_from_be(be: &[u8], len: usize) -> Option<Vec<Word>> {
    if be.len() > len * WORD_BYTES {
        return None;
    }
    let mut w = vec![0; len];
    for (i, &byte) in be.iter().rev().enumerate() {
        w[i / WORD_BYTES] |= Word::from(byte) << (8 * (i % WORD_BYTES));
    }
    Some(w)
}

/// `len` big-endian bytes of little-endian words (the value fits: it is below `n`).
fn words_to_be(w: &[Word], len: usize) -> Vec<u8> {
    (0..len)
        .rev()
        .map(|i| (w.get(i / WORD_BYTES).copied().unwrap_or(0) >> (8 * (i % WORD_BYTES))) as u8)
        .collect()
}

/// The bit length of `x` (little-endian words).
fn bit_len(x: &[Word]) -> usize {
    x.iter().rposition(|&w| w != 0).map_or(0, |i| {
        i * WORD_BITS as usize + (WORD_BITS - x[i].leading_zeros()) as usize
    })
}

/// `r = 2r mod n` for `r < n` (variable time: used on public values only).
fn double_mod(r: &mut [Word], n: &[Word]) {
    let carry = shl1(r);
    if carry != 0 || !lt(r, n) {
        sub_in_place(r, n);
    }
}

/// Shifts left by one bit; returns the bit shifted out.
fn shl1(x: &mut [Word]) -> Word {
    let mut carry = 0;
    for w in x.iter_mut() {
        let out = *w >> (WORD_BITS - 1);
        *w = (*w << 1) | carry;
        carry = out;
    }
    carry
}

/// `a < b` (variable time: used on public values only).
fn lt(a: &[Word], b: &[Word]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` modulo `2^(WORD_BITS * len)` (used on public values).
fn sub_in_place(a: &mut [Word], b: &[Word]) {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d, b1) = x.overflowing_sub(y);
        let (d, b2) = d.overflowing_sub(Word::from(borrow));
        *x = d;
        borrow = b1 | b2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::{Modulus, Nat};
    use proptest::prelude::*;

    /// `x^e mod n` by crypto-bigint (through the crate's backend), big-endian `k` bytes.
    fn reference(n_be: &[u8], x_be: &[u8], e: u64) -> Vec<u8> {
        let prec = (n_be.len() as u32 * 8).div_ceil(64) * 64;
        let n = Nat::from_be(n_be, prec).unwrap();
        let m = Modulus::new_vartime(&n).unwrap();
        let x = m.to_monty(&Nat::from_be(x_be, prec).unwrap());
        let e = Nat::from_be(&e.to_be_bytes(), 64).unwrap();
        let y = m.retrieve(&m.pow(&x, &e)).to_be_bytes();
        y[y.len() - n_be.len()..].to_vec()
    }

    fn bits(e: u64) -> impl Iterator<Item = bool> {
        let top = e.ilog2();
        (0..=top).rev().map(move |i| (e >> i) & 1 == 1)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Same results as crypto-bigint, for moduli of 8 to 96 bytes (odd, top bit set)
        /// and bases below them, with small and 65537-like exponents.
        #[test]
        fn matches_crypto_bigint(
            mut n in proptest::collection::vec(any::<u8>(), 8..96),
            x in proptest::collection::vec(any::<u8>(), 96),
            e in prop_oneof![Just(3u64), Just(65537u64), 3u64..(1 << 33)],
        ) {
            n[0] |= 0x80;
            *n.last_mut().unwrap() |= 1;
            let e = e | 1;
            // x < n: same length, first byte smaller.
            let mut x = x[..n.len()].to_vec();
            x[0] %= n[0];
            let m = PublicModulus::new(&n).unwrap();
            prop_assert_eq!(m.pow(&x, bits(e)).unwrap(), reference(&n, &x, e));
        }
    }

    #[test]
    fn edge_values() {
        // n = 2^64 - 59 (prime), x = 0, 1, n - 1.
        let n: [u8; 8] = (u64::MAX - 58).to_be_bytes();
        let m = PublicModulus::new(&n).unwrap();
        for x in [0u64, 1, u64::MAX - 59] {
            let x = x.to_be_bytes();
            assert_eq!(m.pow(&x, bits(65537)).unwrap(), reference(&n, &x, 65537));
        }
        assert!(PublicModulus::new(&[0x80, 0]).is_none(), "even modulus");
        assert!(
            m.pow(&[1; 9], bits(3)).is_none(),
            "base longer than the modulus"
        );
    }
}
