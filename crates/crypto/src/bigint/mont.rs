//! Constant-time Montgomery arithmetic over fixed-width limb arrays (`[Word; N]`), for
//! the hot paths: the RSA private operation (CRT halves of 1024, 1536 and 2048 bits, the
//! fault check modulo `n`) and finite-field DH (ffdhe2048/3072/4096).
//!
//! # Why hand-written
//!
//! Measured faster, and it allocates nothing. `crypto-bigint` 0.7's `BoxedMontyForm`
//! works on heap values whose width is known only at run time, and its `FixedMontyForm`
//! uses an "almost Montgomery" multiplication with a separate final reduction. Here the
//! width is a compile-time constant, the multiplication interleaves the product and the
//! reduction column by column (product scanning, FIPS: Koç, Acar, Kaliski 1996) with each
//! column's sum in registers, and squaring computes each cross product once (about
//! 1.5 N^2 word products instead of 2 N^2).
//!
//! Measured on the benchmark machine (AMD EPYC, x86-64 baseline instructions, a shared
//! host; minimum of 30 runs): at 16 words (1024 bits) multiplication 0.39 us and
//! squaring 0.36 us here, against 0.45 us and 0.46 us for `FixedMontyForm<16>`; at 24
//! words 0.85 us and 0.87 us (0.99 us, 1.00 us); at 32 words 1.50 us and 1.46 us (1.74
//! us, 1.72 us). A 1024-bit exponentiation takes 0.47 ms here with 5-bit windows
//! ([`RSA_TABLE`]); `BoxedMontyForm::pow` took 0.61 ms in a noisier run. So the kernel
//! itself is only 15 to 20% faster per multiplication: portable Rust without the
//! BMI2/ADX instructions spends about 0.8 ns per 64-bit word product here. The rest of
//! the RSA and DH gains come from the wider window, no heap traffic, and constants
//! computed once at key or group load.
//!
//! Everything here is constant time in the values (not the widths): no branch or memory
//! index depends on an operand, an exponent bit or a modulus (except where a function is
//! named `_vartime` or says so), the final conditional subtraction selects through a
//! mask, and a window-table lookup reads every entry. Words are `crypto-bigint`'s
//! (`u64` with `u128` products on 64-bit targets, `u32` with `u64` products elsewhere).
//!
//! Nothing here allocates.

#![allow(clippy::needless_range_loop)] // Index loops read best for limb arithmetic.

use crypto_bigint::{Odd, Uint, WideWord, Word};
use zeroize::Zeroize;

const BITS: u32 = Word::BITS;

/// Whether RSA and DH use this kernel: on 64-bit targets (hosts and servers) only. On a
/// 32-bit microcontroller the kernel's monomorphized widths would add about 30 KB of
/// flash and its window tables 8 KB of stack to a default build (measured with
/// `cargo xtask embedded`), which matter more there than the 1.35x it buys; those
/// targets keep the `bigint` backends, and an RSA engine plugs in through
/// `provider::hardware`.
pub(crate) const FAST_PATH: bool = cfg!(target_pointer_width = "64");

/// Window-table size for the long (RSA CRT) exponents: 5-bit windows, 32 entries.
pub(crate) const RSA_TABLE: usize = 32;

/// Window-table size for short exponents (DH, 225 to 325 bits): 4-bit windows, where the
/// table's 14 multiplications weigh more against fewer windows.
pub(crate) const SHORT_TABLE: usize = 16;

/// `a * b + c + carry`, as (low word, high word). Cannot overflow.
#[inline(always)]
fn mac(a: Word, b: Word, c: Word, carry: Word) -> (Word, Word) {
    let t = WideWord::from(a) * WideWord::from(b) + WideWord::from(c) + WideWord::from(carry);
    (t as Word, (t >> BITS) as Word)
}

/// `a + b + carry`, as (sum, carry out).
#[inline(always)]
fn adc(a: Word, b: Word, carry: Word) -> (Word, Word) {
    let t = WideWord::from(a) + WideWord::from(b) + WideWord::from(carry);
    (t as Word, (t >> BITS) as Word)
}

/// `a - b - borrow` (borrow 0 or 1), as (difference, borrow out 0 or 1).
#[inline(always)]
fn sbb(a: Word, b: Word, borrow: Word) -> (Word, Word) {
    let t = WideWord::from(a).wrapping_sub(WideWord::from(b) + WideWord::from(borrow));
    (t as Word, (t >> (2 * BITS - 1)) as Word)
}

/// A three-word accumulator for product scanning (Comba): `lo` (two words) and `top`.
#[derive(Clone, Copy)]
struct Acc {
    lo: WideWord,
    top: Word,
}

impl Acc {
    #[inline(always)]
    fn add_mul(&mut self, a: Word, b: Word) {
        let p = WideWord::from(a) * WideWord::from(b);
        let (s, o) = self.lo.overflowing_add(p);
        self.lo = s;
        self.top += Word::from(o);
    }

    /// The low word, and shift right one word.
    #[inline(always)]
    fn shift(&mut self) -> Word {
        let out = self.lo as Word;
        self.lo = (self.lo >> BITS) | (WideWord::from(self.top) << BITS);
        self.top = 0;
        out
    }
}

/// All ones if `bit` is 1, zero if it is 0; passed through `black_box` so that the
/// compiler does not turn the selection that uses it back into a branch.
#[inline(always)]
fn mask_of(bit: Word) -> Word {
    core::hint::black_box(bit).wrapping_neg()
}

/// All ones if `a == b`, else zero. Constant time.
#[inline(always)]
fn eq_mask(a: Word, b: Word) -> Word {
    let x = a ^ b;
    let nonzero = (x | x.wrapping_neg()) >> (BITS - 1);
    mask_of(nonzero ^ 1)
}

/// `(top, t) - m` if that is not negative, else `t`; for `(top, t) < 2m`. Constant time.
#[inline(always)]
fn cond_sub<const N: usize>(t: &[Word; N], top: Word, m: &[Word; N]) -> [Word; N] {
    let mut d = [0; N];
    let mut borrow = 0;
    for j in 0..N {
        (d[j], borrow) = sbb(t[j], m[j], borrow);
    }
    // The subtraction went negative iff it borrowed past `top`.
    let (_, negative) = sbb(top, 0, borrow);
    let keep_t = mask_of(negative);
    for j in 0..N {
        d[j] = (t[j] & keep_t) | (d[j] & !keep_t);
    }
    d
}

/// The full product `a * b` of two `N`-word values into `out` (`2N` words): schoolbook,
/// constant time.
pub(crate) fn mul_wide<const N: usize>(a: &[Word; N], b: &[Word; N], out: &mut [Word]) {
    assert_eq!(out.len(), 2 * N);
    out.fill(0);
    for i in 0..N {
        let mut c = 0;
        for j in 0..N {
            (out[i + j], c) = mac(a[i], b[j], out[i + j], c);
        }
        out[i + N] = c;
    }
}

/// `a + b` over `N` words, returning the carry (0 or 1).
pub(crate) fn add_assign<const N: usize>(a: &mut [Word], b: &[Word; N]) -> Word {
    let mut c = 0;
    for (x, &y) in a.iter_mut().zip(b) {
        (*x, c) = adc(*x, y, c);
    }
    for x in a.iter_mut().skip(N) {
        (*x, c) = adc(*x, 0, c);
    }
    c
}

/// `a == b`, as all ones or zero. Constant time.
pub(crate) fn ct_eq_words(a: &[Word], b: &[Word]) -> Word {
    debug_assert_eq!(a.len(), b.len());
    let mut diff = 0;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    eq_mask(diff, 0)
}

/// An odd modulus `m` of (at most) `N` words with its Montgomery constants
/// (`R = 2^(N * Word::BITS)`). About `4 N` words (plain data: it lives inline, so a
/// caller that wants it on the heap boxes it).
#[derive(Clone)]
pub(crate) struct MontModulus<const N: usize> {
    m: [Word; N],
    /// `-m^-1 mod 2^BITS`.
    m0inv: Word,
    /// `R mod m`: 1 in Montgomery form.
    one: [Word; N],
    /// `R^2 mod m`: into Montgomery form by one multiplication.
    r2: [Word; N],
    /// `R^3 mod m`: for inverses and for [`MontModulus::reduce_wide`] into Montgomery
    /// form.
    r3: [Word; N],
}

impl<const N: usize> Zeroize for MontModulus<N> {
    fn zeroize(&mut self) {
        self.m.zeroize();
        self.m0inv.zeroize();
        self.one.zeroize();
        self.r2.zeroize();
        self.r3.zeroize();
    }
}

impl<const N: usize> MontModulus<N> {
    /// A placeholder (all zero, not a usable modulus) to be overwritten.
    pub(crate) const ZERO: Self = MontModulus {
        m: [0; N],
        m0inv: 0,
        one: [0; N],
        r2: [0; N],
        r3: [0; N],
    };

    /// The constants for the odd modulus `m > 1`; `None` if `m` is even or 1. Constant
    /// time in `m` apart from those two verdicts (so fit for a secret prime).
    pub(crate) fn new(m: &[Word; N]) -> Option<Self> {
        if N == 0 || m[0] & 1 == 0 {
            return None;
        }
        let mut high = 0;
        for &w in &m[1..] {
            high |= w;
        }
        if high == 0 && m[0] == 1 {
            return None;
        }
        // -m^-1 mod 2^BITS by Newton's iteration: m * m = 1 mod 8 gives 3 correct bits,
        // and each step doubles them (96 after five).
        let mut inv = m[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul((2 as Word).wrapping_sub(m[0].wrapping_mul(inv)));
        }
        let mut out = MontModulus {
            m: *m,
            m0inv: inv.wrapping_neg(),
            one: [0; N],
            r2: [0; N],
            r3: [0; N],
        };
        // R mod m: 1 doubled N * BITS times, modulo m (constant time).
        let mut r = [0; N];
        r[0] = 1;
        for _ in 0..N as u32 * BITS {
            r = double_mod(&r, m);
        }
        out.one = r;
        // 2R mod m is 2 in Montgomery form; its power 2^(N BITS) there is R * R = R^2.
        // (The exponent N * BITS is public.)
        let two = double_mod(&r, m);
        let e = N as u32 * BITS;
        let mut acc = two;
        for i in (0..e.ilog2()).rev() {
            acc = out.square(&acc);
            if (e >> i) & 1 == 1 {
                acc = out.mul(&acc, &two);
            }
        }
        out.r2 = acc;
        out.r3 = out.mul(&acc, &acc);
        Some(out)
    }

    /// 1 in Montgomery form (`R mod m`).
    pub(crate) fn one(&self) -> &[Word; N] {
        &self.one
    }

    /// The Montgomery product `a * b / R mod m`, fully reduced, for `a < R` and `b < m`.
    ///
    /// Product scanning with the reduction interleaved column by column (FIPS: Koç,
    /// Acar, Kaliski 1996): each column's products go into a three-word accumulator held
    /// in registers, so the only memory written is the quotient digits and the result.
    #[inline(never)]
    pub(crate) fn mul(&self, a: &[Word; N], b: &[Word; N]) -> [Word; N] {
        let m = &self.m;
        let mut q = [0; N];
        let mut t = [0; N];
        let mut acc = Acc { lo: 0, top: 0 };
        for i in 0..N {
            for j in 0..i {
                acc.add_mul(a[j], b[i - j]);
                acc.add_mul(q[j], m[i - j]);
            }
            acc.add_mul(a[i], b[0]);
            let qi = (acc.lo as Word).wrapping_mul(self.m0inv);
            q[i] = qi;
            acc.add_mul(qi, m[0]);
            acc.shift();
        }
        for i in N..2 * N {
            for j in i + 1 - N..N {
                acc.add_mul(a[j], b[i - j]);
                acc.add_mul(q[j], m[i - j]);
            }
            t[i - N] = acc.shift();
        }
        let out = cond_sub(&t, acc.lo as Word, m);
        q.zeroize();
        t.zeroize();
        out
    }

    /// `a^2 / R mod m` for `a < m`.
    ///
    /// Two shapes, picked by width (both compute each cross product once, double them
    /// and add the squares, then reduce word by word): below 24 words, operand scanning
    /// into a `2N`-word buffer; from 24 words on, product scanning (a three-word
    /// accumulator per column, then a product-scanning reduction), which measured
    /// 3 to 10% faster there and 14% slower at 16 words.
    #[inline(never)]
    pub(crate) fn square(&self, a: &[Word; N]) -> [Word; N] {
        if N >= 24 {
            self.square_ps(a)
        } else {
            self.square_os(a)
        }
    }

    /// Product-scanning squaring and reduction.
    #[inline(always)]
    fn square_ps(&self, a: &[Word; N]) -> [Word; N] {
        let mut buf = [[0; N]; 2];
        let t = buf.as_flattened_mut();
        let mut acc = Acc { lo: 0, top: 0 };
        for i in 0..2 * N - 1 {
            // Cross products a[j] a[i - j], j < i - j, counted twice; then the square.
            let mut cross = Acc { lo: 0, top: 0 };
            for j in (i + 1).saturating_sub(N)..i.div_ceil(2) {
                cross.add_mul(a[j], a[i - j]);
            }
            for _ in 0..2 {
                let (s, o) = acc.lo.overflowing_add(cross.lo);
                acc.lo = s;
                acc.top += cross.top + Word::from(o);
            }
            if i % 2 == 0 {
                acc.add_mul(a[i / 2], a[i / 2]);
            }
            t[i] = acc.shift();
        }
        t[2 * N - 1] = acc.shift();
        let m = &self.m;
        let mut q = [0; N];
        let mut r = [0; N];
        let mut acc = Acc { lo: 0, top: 0 };
        for i in 0..N {
            acc.add_mul(t[i], 1);
            for j in 0..i {
                acc.add_mul(q[j], m[i - j]);
            }
            let qi = (acc.lo as Word).wrapping_mul(self.m0inv);
            q[i] = qi;
            acc.add_mul(qi, m[0]);
            acc.shift();
        }
        for i in N..2 * N {
            acc.add_mul(t[i], 1);
            for j in i + 1 - N..N {
                acc.add_mul(q[j], m[i - j]);
            }
            r[i - N] = acc.shift();
        }
        let out = cond_sub(&r, acc.lo as Word, m);
        q.zeroize();
        r.zeroize();
        buf.zeroize();
        out
    }

    /// Operand-scanning squaring, then [`MontModulus::redc`].
    #[inline(always)]
    fn square_os(&self, a: &[Word; N]) -> [Word; N] {
        let mut buf = [[0; N]; 2];
        let t = buf.as_flattened_mut();
        for i in 0..N {
            let mut c = 0;
            for j in i + 1..N {
                (t[i + j], c) = mac(a[i], a[j], t[i + j], c);
            }
            t[i + N] = c;
        }
        // Double (a^2 < R^2, so nothing is shifted out), and add the squares.
        let mut top = 0;
        for w in t.iter_mut() {
            let out = *w >> (BITS - 1);
            *w = (*w << 1) | top;
            top = out;
        }
        let mut c = 0;
        for i in 0..N {
            let sq = WideWord::from(a[i]) * WideWord::from(a[i]);
            (t[2 * i], c) = adc(t[2 * i], sq as Word, c);
            (t[2 * i + 1], c) = adc(t[2 * i + 1], (sq >> BITS) as Word, c);
        }
        let out = self.redc(t);
        buf.zeroize();
        out
    }

    /// `t / R mod m` for a `2N`-word `t < m R` (Montgomery reduction; `t` is overwritten).
    #[inline(always)]
    fn redc(&self, t: &mut [Word]) -> [Word; N] {
        debug_assert_eq!(t.len(), 2 * N);
        let m = &self.m;
        let mut hi = 0;
        for i in 0..N {
            let k = t[i].wrapping_mul(self.m0inv);
            let mut c = 0;
            for j in 0..N {
                (t[i + j], c) = mac(k, m[j], t[i + j], c);
            }
            (t[i + N], hi) = adc(t[i + N], c, hi);
        }
        let mut r = [0; N];
        r.copy_from_slice(&t[N..]);
        let out = cond_sub(&r, hi, m);
        r.zeroize();
        out
    }

    /// `x mod m` in Montgomery form (`x R mod m`), for a `2N`-word `x < m R` (for
    /// example any `x` below `m * 2^(N * BITS)`, such as an RSA input modulo one of the
    /// primes). Constant time.
    pub(crate) fn reduce_wide(&self, x: &[Word]) -> [Word; N] {
        let mut buf = [[0; N]; 2];
        let t = buf.as_flattened_mut();
        t.copy_from_slice(x);
        // x / R, then times R^3 / R: x R.
        let mut r = self.redc(t);
        let out = self.mul(&r, &self.r3);
        r.zeroize();
        buf.zeroize();
        out
    }

    /// `x` (below `R`) into Montgomery form, reduced: `x R mod m`.
    pub(crate) fn to_mont(&self, x: &[Word; N]) -> [Word; N] {
        self.mul(x, &self.r2)
    }

    /// Out of Montgomery form: `x / R mod m`.
    pub(crate) fn retrieve(&self, x: &[Word; N]) -> [Word; N] {
        let mut one = [0; N];
        one[0] = 1;
        self.mul(x, &one)
    }

    /// `a - b mod m` for `a, b < m`. Constant time.
    pub(crate) fn sub(&self, a: &[Word; N], b: &[Word; N]) -> [Word; N] {
        let mut d = [0; N];
        let mut borrow = 0;
        for j in 0..N {
            (d[j], borrow) = sbb(a[j], b[j], borrow);
        }
        // Add m back if it went negative.
        let add = mask_of(borrow);
        let mut c = 0;
        for j in 0..N {
            (d[j], c) = adc(d[j], self.m[j] & add, c);
        }
        d
    }

    /// The inverse of the Montgomery form `x` (of `a`), in Montgomery form (of `a^-1`);
    /// `None` if it has none. Constant time (crypto-bigint's safegcd) apart from the
    /// verdict.
    pub(crate) fn invert(&self, x: &[Word; N]) -> Option<[Word; N]> {
        let m = Odd::new(Uint::<N>::from_words(self.m)).into_option()?;
        let mut u = Uint::<N>::from_words(*x);
        let inv = u.invert_odd_mod(&m).into_option();
        u.zeroize();
        // x = a R; x^-1 = a^-1 R^-1; times R^3 / R: a^-1 R.
        let mut inv = inv?;
        let out = self.mul(inv.as_words(), &self.r3);
        inv.zeroize();
        Some(out)
    }

    /// `base^e` (Montgomery forms) for a public `e > 0` given by its big-endian bytes:
    /// square-and-multiply, variable time in `e` only.
    pub(crate) fn pow_public_vartime(&self, base: &[Word; N], e_be: &[u8]) -> [Word; N] {
        let mut acc = self.one;
        let mut started = false;
        for &byte in e_be {
            for i in (0..8).rev() {
                if started {
                    acc = self.square(&acc);
                }
                if (byte >> i) & 1 == 1 {
                    acc = if started { self.mul(&acc, base) } else { *base };
                    started = true;
                }
            }
        }
        acc
    }

    /// `base^exp` (Montgomery forms) for the low `exp_bits` bits of `exp` (words,
    /// little-endian), with fixed windows of `log2(T)` bits: the table `base^0 ..
    /// base^(T-1)` lives on the stack (`T * N` words) and every lookup reads all of it.
    /// Constant time in `base` and `exp`; the running time follows `exp_bits` (public).
    ///
    /// `T` is a power of two from 2 to 64 ([`RSA_TABLE`], [`SHORT_TABLE`]). The frame is
    /// the table plus a few values: 10.1 KiB for 32 entries of 2048 bits (RSA-4096
    /// halves), 9 KiB for 16 entries of 4096 bits (ffdhe4096), measured on x86-64.
    #[inline(never)]
    pub(crate) fn pow<const T: usize>(
        &self,
        base: &[Word; N],
        exp: &[Word],
        exp_bits: u32,
    ) -> [Word; N] {
        const { assert!(T.is_power_of_two() && T >= 2 && T <= 64) };
        let w = T.trailing_zeros();
        let exp_bits = exp_bits.min(exp.len() as u32 * BITS);
        if exp_bits == 0 {
            return self.one;
        }
        let mut table = [[0; N]; T];
        table[0] = self.one;
        table[1] = *base;
        for i in 2..T {
            table[i] = if i % 2 == 0 {
                self.square(&table[i / 2])
            } else {
                self.mul(&table[i - 1], base)
            };
        }
        let windows = exp_bits.div_ceil(w);
        let mut acc = [0; N];
        let mut entry;
        for win in (0..windows).rev() {
            // Public positions, secret bits.
            let mut index: Word = 0;
            for k in 0..w {
                let pos = win * w + k;
                if pos < exp_bits {
                    let bit = (exp[(pos / BITS) as usize] >> (pos % BITS)) & 1;
                    index |= bit << k;
                }
            }
            entry = lookup(&table, index);
            index.zeroize();
            if win + 1 == windows {
                acc = entry;
            } else {
                for _ in 0..w {
                    acc = self.square(&acc);
                }
                acc = self.mul(&acc, &entry);
            }
            entry.zeroize();
        }
        table.zeroize();
        acc
    }
}

/// Entry `index` of `table`, reading every entry (constant time in `index`).
#[inline(always)]
pub(crate) fn lookup<const N: usize>(table: &[[Word; N]], index: Word) -> [Word; N] {
    let mut out = [0; N];
    for (j, entry) in table.iter().enumerate() {
        let keep = eq_mask(j as Word, index);
        for k in 0..N {
            out[k] |= entry[k] & keep;
        }
    }
    out
}

/// `r * 2 mod m` for `r < m`. Constant time.
fn double_mod<const N: usize>(r: &[Word; N], m: &[Word; N]) -> [Word; N] {
    let mut d = [0; N];
    let mut top = 0;
    for j in 0..N {
        d[j] = (r[j] << 1) | top;
        top = r[j] >> (BITS - 1);
    }
    cond_sub(&d, top, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, ConcatenatingMul, NonZero, Resize};
    use proptest::prelude::*;

    fn boxed(w: &[Word]) -> BoxedUint {
        BoxedUint::from_words(w.iter().copied())
    }

    /// `a * b mod m` by crypto-bigint.
    fn mul_mod_ref(a: &[Word], b: &[Word], m: &[Word]) -> std::vec::Vec<Word> {
        let prec = m.len() as u32 * BITS;
        let m = NonZero::new(boxed(m)).unwrap();
        let r = boxed(a).mul_mod(&boxed(b), &m);
        r.resize_unchecked(prec).as_words().to_vec()
    }

    fn pow_ref(a: &[Word], e: &[Word], m: &[Word]) -> std::vec::Vec<Word> {
        let params = BoxedMontyParams::new(Odd::new(boxed(m)).unwrap());
        let x = BoxedMontyForm::new(boxed(a), &params);
        x.pow(&boxed(e)).retrieve().as_words().to_vec()
    }

    /// An odd modulus from random words; `full` sets its top bit (RSA primes and DH
    /// moduli), otherwise the top word is shortened (a modulus not filling its width).
    fn modulus<const N: usize>(words: &[Word], full: bool) -> [Word; N] {
        let mut m = [0; N];
        m.copy_from_slice(&words[..N]);
        m[0] |= 1;
        if full {
            m[N - 1] |= 1 << (BITS - 1);
        } else {
            m[N - 1] >>= 7;
            m[N - 1] |= 1;
        }
        m
    }

    /// Reduce random words below `m` (by crypto-bigint) and add the edge values.
    fn operands<const N: usize>(m: &[Word; N], random: &[Word]) -> std::vec::Vec<[Word; N]> {
        let nz = NonZero::new(boxed(m)).unwrap();
        let r = boxed(&random[..N]).rem(&nz);
        let mut x = [0; N];
        x.copy_from_slice(r.as_words());
        let mut one = [0; N];
        one[0] = 1;
        let mut m1 = *m;
        m1[0] -= 1;
        std::vec![x, [0; N], one, m1]
    }

    fn check_width<const N: usize>(words: &[Word], full: bool) {
        let m = modulus::<N>(words, full);
        let mm = MontModulus::new(&m).unwrap();
        let ops = operands(&m, &words[N..]);
        for a in &ops {
            for b in &ops {
                let (am, bm) = (mm.to_mont(a), mm.to_mont(b));
                assert_eq!(
                    &mm.retrieve(&mm.mul(&am, &bm))[..],
                    &mul_mod_ref(a, b, &m)[..]
                );
                // The raw Montgomery product of plain values: a b / R.
                assert_eq!(&mm.to_mont(&mm.mul(a, b))[..], &mul_mod_ref(a, b, &m)[..]);
                let nz = NonZero::new(boxed(&m)).unwrap();
                let want = boxed(a).sub_mod(&boxed(b), &nz);
                assert_eq!(&mm.retrieve(&mm.sub(&am, &bm))[..], want.as_words());
            }
            let am = mm.to_mont(a);
            assert_eq!(
                &mm.retrieve(&mm.square(&am))[..],
                &mul_mod_ref(a, a, &m)[..]
            );
            assert_eq!(mm.square(&am), mm.mul(&am, &am));
            // Inverses (0 has none).
            let is_zero = a.iter().all(|&w| w == 0);
            let is_one = a[0] == 1 && a[1..].iter().all(|&w| w == 0);
            match mm.invert(&am) {
                Some(inv) => assert_eq!(mm.mul(&inv, &am), mm.one),
                None => assert!(!is_one),
            }
            if is_zero {
                assert!(mm.invert(&am).is_none());
            }
            // Exponentiation with several windows, against crypto-bigint.
            let mut e = [0; N];
            e.copy_from_slice(&words[2 * N..3 * N]);
            let want = pow_ref(a, &e, &m);
            assert_eq!(
                &mm.retrieve(&mm.pow::<32>(&am, &e, N as u32 * BITS))[..],
                &want[..]
            );
            assert_eq!(
                &mm.retrieve(&mm.pow::<16>(&am, &e, N as u32 * BITS))[..],
                &want[..]
            );
            assert_eq!(
                &mm.retrieve(&mm.pow::<2>(&am, &e, N as u32 * BITS))[..],
                &want[..]
            );
            // A short exponent: only its low 225 bits.
            let mut short = e;
            for (i, w) in short.iter_mut().enumerate() {
                let lo = i as u32 * BITS;
                if lo >= 225 {
                    *w = 0;
                } else if lo + BITS > 225 {
                    *w &= (1 << (225 - lo)) - 1;
                }
            }
            let want = pow_ref(a, &short, &m);
            assert_eq!(&mm.retrieve(&mm.pow::<16>(&am, &e, 225))[..], &want[..]);
            assert_eq!(&mm.retrieve(&mm.pow::<64>(&am, &short, 225))[..], &want[..]);
            assert_eq!(mm.pow::<16>(&am, &e, 0), mm.one);
            // Public exponents.
            let want = pow_ref(a, &[65537], &m);
            assert_eq!(
                &mm.retrieve(&mm.pow_public_vartime(&am, &65537u64.to_be_bytes()))[..],
                &want[..]
            );
            // Wide reduction: (a, b) as a 2N-word value below m R.
            let mut wide = [[0; N]; 2];
            wide[0] = *a;
            wide[1] = ops[0];
            let x = mm.reduce_wide(wide.as_flattened());
            let mut v = boxed(wide.as_flattened());
            v = v.rem(&NonZero::new(boxed(&m).resize_unchecked(2 * N as u32 * BITS)).unwrap());
            assert_eq!(&mm.retrieve(&x)[..], &v.as_words()[..N]);
        }
    }

    fn words(n: usize) -> impl Strategy<Value = std::vec::Vec<Word>> {
        proptest::collection::vec(any::<Word>(), n)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        #[test]
        fn small_widths(w in words(3 * 4), full: bool) {
            check_width::<1>(&w, full);
            check_width::<3>(&w, full);
            check_width::<4>(&w, full);
        }

        #[test]
        fn rsa_and_dh_widths(w in words(3 * 64), full: bool) {
            check_width::<{ 1024 / BITS as usize }>(&w, full);
            check_width::<{ 1536 / BITS as usize }>(&w, full);
            check_width::<{ 2048 / BITS as usize }>(&w, full);
        }
    }

    #[test]
    fn rejects_even_and_one() {
        assert!(MontModulus::<2>::new(&[4, 1]).is_none());
        assert!(MontModulus::<2>::new(&[1, 0]).is_none());
        assert!(MontModulus::<2>::new(&[3, 0]).is_some());
    }

    #[test]
    fn wide_product() {
        let a = [Word::MAX; 3];
        let mut out = [0; 6];
        mul_wide(&a, &a, &mut out);
        let want = boxed(&a).concatenating_mul(&boxed(&a));
        assert_eq!(&out[..], want.as_words());
        assert_eq!(add_assign(&mut out, &a), 0);
        assert_eq!(ct_eq_words(&out, &out), Word::MAX);
        assert_eq!(ct_eq_words(&out, &[0; 6]), 0);
    }
}
