//! The fixed-width backend, for targets without atomic pointers (where `crypto-bigint`'s
//! heap-allocated types do not build): `Uint<LIMBS>` and `FixedMontyParams<LIMBS>`
//! dispatched at run time over the widths 512, 1024, 2048 and 4096 bits.
//!
//! A value lives on the heap as a `Vec<Limb>`; an operation copies its operands into
//! `Uint`s of the smallest width that holds them, runs `crypto-bigint`'s fixed-width
//! constant-time code, and copies the result back. A modulus of any size up to 4096 bits
//! works at the next width up (a 1536-bit RSA prime runs at 2048 bits, a 3072-bit
//! modulus at 4096 bits, about 1.8 times the cost of an exact fit). There is no
//! 3072-bit width: `crypto-bigint` sets up Montgomery parameters at a width that is not a
//! power of two limbs through a Karatsuba squaring with a 5 to 10 KiB stack frame.
//!
//! Stack: an operation keeps a handful of `Uint`s of its width on the stack (512 bytes
//! each at 4096 bits); the Montgomery forms of the exponentiation and its 16-entry window
//! table are boxed. Exponentiation is this module's own fixed-window (4-bit) Montgomery
//! ladder, the one `crypto-bigint` uses for its boxed type, with the table on the heap
//! instead of the stack (16 x 512 bytes at 4096 bits).

#![allow(clippy::borrowed_box)] // See `form`.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{
    Choice, CtEq, CtSelect, Limb, MontyForm, MontyMultiplier, U512, U1024, U2048, U4096, Uint,
    UintRef, Word,
};
use zeroize::Zeroize;

/// The largest modulus this backend handles, in bits: larger RSA keys and DH groups are
/// refused as unsupported.
pub(crate) const MAX_MODULUS_BITS: u32 = 4096;

/// Limbs for a precision in bits (at least one).
fn nlimbs(precision: u32) -> usize {
    precision.div_ceil(Limb::BITS).max(1) as usize
}

/// Run `$f::<LIMBS> $args` at the smallest supported width of at least `$bits` bits;
/// `None` beyond the largest.
macro_rules! at_width {
    ($bits:expr, $f:ident $args:tt) => {{
        let bits: u32 = $bits;
        if bits <= 512 {
            $f::<{ U512::LIMBS }> $args
        } else if bits <= 1024 {
            $f::<{ U1024::LIMBS }> $args
        } else if bits <= 2048 {
            $f::<{ U2048::LIMBS }> $args
        } else if bits <= 4096 {
            $f::<{ U4096::LIMBS }> $args
        } else {
            None
        }
    }};
}

/// A `Uint<L>` holding `limbs` (at most `L` of them).
fn load<const L: usize>(limbs: &[Limb]) -> Uint<L> {
    let mut u = Uint::<L>::ZERO;
    u.as_mut_limbs()[..limbs.len()].copy_from_slice(limbs);
    u
}

/// The low `n` limbs of `u` (the rest must be zero).
fn store<const L: usize>(u: &Uint<L>, n: usize) -> Vec<Limb> {
    u.as_limbs()[..n].to_vec()
}

fn nonzero(limb: Limb) -> Choice {
    !CtEq::ct_eq(&limb, &Limb::ZERO)
}

/// An unsigned integer of a fixed precision (whole limbs), little-endian limbs.
#[derive(Clone)]
pub(crate) struct Nat {
    limbs: Vec<Limb>,
}

impl Nat {
    /// The big-endian `bytes` at `precision` bits; `None` if they are longer than that.
    pub(crate) fn from_be(bytes: &[u8], precision: u32) -> Option<Self> {
        if bytes.len() > precision.div_ceil(8) as usize {
            return None;
        }
        let mut limbs = vec![Limb::ZERO; nlimbs(precision)];
        for (i, &b) in bytes.iter().rev().enumerate() {
            limbs[i / Limb::BYTES].0 |= Word::from(b) << (8 * (i % Limb::BYTES));
        }
        Some(Nat { limbs })
    }

    pub(crate) fn one(precision: u32) -> Self {
        let mut limbs = vec![Limb::ZERO; nlimbs(precision)];
        limbs[0] = Limb::ONE;
        Nat { limbs }
    }

    pub(crate) fn precision(&self) -> u32 {
        self.limbs.len() as u32 * Limb::BITS
    }

    /// The little-endian limbs.
    pub(crate) fn limbs(&self) -> &[Limb] {
        &self.limbs
    }

    /// Big-endian, the full precision long.
    pub(crate) fn to_be_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.limbs.len() * Limb::BYTES);
        for limb in self.limbs.iter().rev() {
            out.extend_from_slice(&limb.0.to_be_bytes());
        }
        out
    }

    /// The value at a new precision (it must fit when shrinking).
    pub(crate) fn resize(&self, precision: u32) -> Self {
        let mut limbs = self.limbs.clone();
        limbs.resize(nlimbs(precision), Limb::ZERO);
        Nat { limbs }
    }

    /// `self + rhs` modulo `2^precision` (`rhs` no wider than `self`).
    pub(crate) fn wrapping_add(&self, rhs: &Self) -> Self {
        debug_assert!(rhs.limbs.len() <= self.limbs.len());
        let mut carry = Limb::ZERO;
        let limbs = self
            .limbs
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let b = rhs.limbs.get(i).copied().unwrap_or(Limb::ZERO);
                let (sum, c) = a.carrying_add(b, carry);
                carry = c;
                sum
            })
            .collect();
        Nat { limbs }
    }

    /// `self - rhs` modulo `2^precision` (`rhs` no wider than `self`).
    pub(crate) fn wrapping_sub(&self, rhs: &Self) -> Self {
        Nat {
            limbs: sub_limbs(&self.limbs, &rhs.limbs).0,
        }
    }

    /// The full product, at the sum of the precisions (see [`super::mul_wide_limbs`]).
    pub(crate) fn mul_wide(&self, rhs: &Self) -> Self {
        Nat {
            limbs: super::mul_wide_limbs(&self.limbs, &rhs.limbs),
        }
    }

    /// `self mod m`, at the precision of `m`; `None` if `m` is zero (or the operands are
    /// too wide for this backend: `m` over 4096 bits, or `self` over twice the width
    /// used). Constant time.
    pub(crate) fn rem(&self, m: &Self) -> Option<Self> {
        let width = m.precision().max(self.precision().div_ceil(2));
        let limbs = at_width!(width, rem_at(&self.limbs, &m.limbs))?;
        Some(Nat { limbs })
    }

    pub(crate) fn shr1(&self) -> Self {
        let mut limbs = self.limbs.clone();
        UintRef::new_mut(&mut limbs).shr1_assign();
        Nat { limbs }
    }

    pub(crate) fn ct_eq(&self, rhs: &Self) -> Choice {
        ct_eq_limbs(&self.limbs, &rhs.limbs)
    }

    pub(crate) fn ct_lt(&self, rhs: &Self) -> Choice {
        let n = self.limbs.len().max(rhs.limbs.len());
        let a = self.resize(n as u32 * Limb::BITS);
        let (mut diff, borrow) = sub_limbs(&a.limbs, &rhs.limbs);
        diff.zeroize();
        nonzero(borrow)
    }

    pub(crate) fn is_zero(&self) -> Choice {
        UintRef::new(&self.limbs).is_zero()
    }

    pub(crate) fn is_one(&self) -> Choice {
        let mut x = self.limbs.clone();
        x[0] = Limb(x[0].0 ^ 1);
        let one = UintRef::new(&x).is_zero();
        x.zeroize();
        one
    }

    pub(crate) fn is_odd(&self) -> Choice {
        UintRef::new(&self.limbs).is_odd()
    }

    /// Bit `i` (variable time in `i` only).
    pub(crate) fn bit_vartime(&self, i: u32) -> bool {
        UintRef::new(&self.limbs).bit_vartime(i)
    }
}

impl Zeroize for Nat {
    fn zeroize(&mut self) {
        self.limbs.zeroize();
    }
}

/// `a == b` (the shorter one zero-extended), constant time.
fn ct_eq_limbs(a: &[Limb], b: &[Limb]) -> Choice {
    let mut diff = Limb::ZERO;
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(Limb::ZERO);
        let y = b.get(i).copied().unwrap_or(Limb::ZERO);
        diff = Limb(diff.0 | (x.0 ^ y.0));
    }
    !nonzero(diff)
}

/// `a - b` over the limbs of `a` (`b` no longer) and the final borrow.
fn sub_limbs(a: &[Limb], b: &[Limb]) -> (Vec<Limb>, Limb) {
    debug_assert!(b.len() <= a.len());
    let mut borrow = Limb::ZERO;
    let limbs = a
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let y = b.get(i).copied().unwrap_or(Limb::ZERO);
            let (d, bo) = x.borrowing_sub(y, borrow);
            borrow = bo;
            d
        })
        .collect();
    (limbs, borrow)
}

/// `x mod m` at width `L` (`m` at most `L` limbs, `x` at most `2 L`), `m.len()` limbs.
#[allow(clippy::unnecessary_wraps)] // Every arm of `at_width!` gives an `Option`.
fn rem_at<const L: usize>(x: &[Limb], m: &[Limb]) -> Option<Vec<Limb>> {
    if m.len() > L || x.len() > 2 * L {
        return None;
    }
    let split = x.len().min(L);
    let mut lo = load::<L>(&x[..split]);
    let mut hi = load::<L>(&x[split..]);
    let modulus = load::<L>(m).to_nz().into_option()?;
    let mut r = Uint::rem_wide((lo, hi), &modulus);
    let out = store(&r, m.len());
    lo.zeroize();
    hi.zeroize();
    r.zeroize();
    Some(out)
}

/// A Montgomery form of value zero at one of the supported widths, holding the modulus's
/// parameters: every form an operation needs is a clone of it (`Box::clone` copies
/// straight into the new allocation, so no form is built on the stack).
#[derive(Clone)]
enum Template {
    W512(Box<FixedMontyForm<{ U512::LIMBS }>>),
    W1024(Box<FixedMontyForm<{ U1024::LIMBS }>>),
    W2048(Box<FixedMontyForm<{ U2048::LIMBS }>>),
    W4096(Box<FixedMontyForm<{ U4096::LIMBS }>>),
}

/// Run `$body` with `$t` bound to the `&Box<FixedMontyForm<L>>` template of the modulus.
macro_rules! with_template {
    ($m:expr, |$t:ident| $body:expr) => {
        match &$m.template {
            Template::W512($t) => $body,
            Template::W1024($t) => $body,
            Template::W2048($t) => $body,
            Template::W4096($t) => $body,
        }
    };
}

/// The template for the odd modulus `m` (at most `L` limbs); `None` if `m` is even.
fn template_at<const L: usize>(m: &[Limb], vartime: bool) -> Option<Box<FixedMontyForm<L>>> {
    Some(zero_form(&*params_at(m, vartime)?))
}

/// Montgomery parameters for `m`, boxed. (Apart from [`zero_form`] so that the two
/// by-value temporaries do not share one stack frame.)
#[inline(never)]
fn params_at<const L: usize>(m: &[Limb], vartime: bool) -> Option<Box<FixedMontyParams<L>>> {
    let odd = load::<L>(m).to_odd().into_option()?;
    Some(Box::new(if vartime {
        FixedMontyParams::new_vartime(odd)
    } else {
        FixedMontyParams::new(odd)
    }))
}

#[inline(never)]
#[allow(clippy::unnecessary_box_returns)] // Boxed so that no form is on the stack.
fn zero_form<const L: usize>(params: &FixedMontyParams<L>) -> Box<FixedMontyForm<L>> {
    Box::new(FixedMontyForm::zero(params))
}

/// An odd modulus with its Montgomery parameters.
#[derive(Clone)]
pub(crate) struct Modulus {
    template: Template,
    /// The modulus at its own precision.
    m: Nat,
}

/// A value in Montgomery form modulo some [`Modulus`], at the modulus's width.
#[derive(Clone)]
pub(crate) struct Residue(Vec<Limb>);

type Multiplier<'a, const L: usize> = <FixedMontyForm<L> as MontyForm>::Multiplier<'a>;

/// A boxed form (a clone of `t`) whose Montgomery digits are `digits`.
///
/// The kernels take the template as `&Box<_>` so that cloning it is `Box::clone`, which
/// copies into the new allocation rather than through the stack.
#[allow(clippy::unnecessary_box_returns)] // Boxed so that no form is on the stack.
fn form<const L: usize>(t: &Box<FixedMontyForm<L>>, digits: &[Limb]) -> Box<FixedMontyForm<L>> {
    let mut f = t.clone();
    f.as_montgomery_mut().as_mut_limbs()[..digits.len()].copy_from_slice(digits);
    f
}

fn digits<const L: usize>(f: &FixedMontyForm<L>) -> Residue {
    Residue(f.as_montgomery().as_limbs().to_vec())
}

/// The Montgomery product `a * b / R`, for digits `a` and `b` (any value below the
/// modulus, in Montgomery form or not), fully reduced.
#[inline(never)]
fn mul_at<const L: usize>(t: &Box<FixedMontyForm<L>>, a: &[Limb], b: &[Limb]) -> Residue {
    let mut x = form(t, a);
    let mut y = form(t, b);
    Multiplier::from(t.params()).mul_assign(&mut x, &y);
    let out = digits(&x);
    x.zeroize();
    y.zeroize();
    out
}

#[inline(never)]
fn square_at<const L: usize>(t: &Box<FixedMontyForm<L>>, a: &[Limb]) -> Residue {
    let mut x = form(t, a);
    Multiplier::from(t.params()).square_assign(&mut x);
    let out = digits(&x);
    x.zeroize();
    out
}

#[inline(never)]
fn sub_at<const L: usize>(t: &Box<FixedMontyForm<L>>, a: &[Limb], b: &[Limb]) -> Residue {
    let mut x = load::<L>(a);
    let mut y = load::<L>(b);
    let mut d = x.sub_mod(&y, t.params().modulus().as_nz_ref());
    let out = Residue(d.as_limbs().to_vec());
    x.zeroize();
    y.zeroize();
    d.zeroize();
    out
}

#[inline(never)]
fn invert_at<const L: usize>(t: &Box<FixedMontyForm<L>>, a: &[Limb]) -> Option<Residue> {
    let x = form(t, a);
    let inv = x.invert().into_option()?;
    Some(digits(&inv))
}

impl Modulus {
    fn build(m: &Nat, vartime: bool) -> Option<Self> {
        let bits = m.precision();
        let l = &m.limbs;
        let template = if bits <= 512 {
            Template::W512(template_at(l, vartime)?)
        } else if bits <= 1024 {
            Template::W1024(template_at(l, vartime)?)
        } else if bits <= 2048 {
            Template::W2048(template_at(l, vartime)?)
        } else if bits <= 4096 {
            Template::W4096(template_at(l, vartime)?)
        } else {
            return None;
        };
        Some(Modulus {
            template,
            m: m.clone(),
        })
    }

    /// Constant-time setup; `None` if `m` is even or over 4096 bits.
    pub(crate) fn new(m: &Nat) -> Option<Self> {
        Self::build(m, false)
    }

    /// Setup variable time in `m` (for public moduli); `None` if `m` is even or over
    /// 4096 bits.
    pub(crate) fn new_vartime(m: &Nat) -> Option<Self> {
        Self::build(m, true)
    }

    pub(crate) fn precision(&self) -> u32 {
        self.m.precision()
    }

    /// `x mod m`, at the precision of the modulus. Constant time.
    pub(crate) fn reduce(&self, x: &Nat) -> Nat {
        x.rem(&self.m)
            .expect("an odd modulus is nonzero, and x is at most twice its width")
    }

    /// `x` (less than the modulus) into Montgomery form: `x * R^2 / R`.
    pub(crate) fn to_monty(&self, x: &Nat) -> Residue {
        with_template!(self, |t| mul_at(t, &x.limbs, t.params().r2().as_limbs()))
    }

    /// Out of Montgomery form: `x * 1 / R`.
    pub(crate) fn retrieve(&self, x: &Residue) -> Nat {
        let mut one = vec![Limb::ZERO; x.0.len()];
        one[0] = Limb::ONE;
        let mut r = with_template!(self, |t| mul_at(t, &x.0, &one));
        let limbs = r.0[..self.m.limbs.len()].to_vec();
        r.zeroize();
        Nat { limbs }
    }

    pub(crate) fn mul(&self, a: &Residue, b: &Residue) -> Residue {
        with_template!(self, |t| mul_at(t, &a.0, &b.0))
    }

    pub(crate) fn square(&self, a: &Residue) -> Residue {
        with_template!(self, |t| square_at(t, &a.0))
    }

    pub(crate) fn sub(&self, a: &Residue, b: &Residue) -> Residue {
        with_template!(self, |t| sub_at(t, &a.0, &b.0))
    }

    /// `a^exp` over the full precision of `exp`, constant time in both.
    pub(crate) fn pow(&self, a: &Residue, exp: &Nat) -> Residue {
        self.pow_bounded(a, exp, exp.precision())
    }

    /// `a^exp` for an `exp` below `2^exp_bits`; constant time except in `exp_bits`.
    pub(crate) fn pow_bounded(&self, a: &Residue, exp: &Nat, exp_bits: u32) -> Residue {
        with_template!(self, |t| pow_at(t, &a.0, &exp.limbs, exp_bits))
    }

    /// `a^-1`, `None` if `a` is not invertible. Constant time (the result is public).
    pub(crate) fn invert(&self, a: &Residue) -> Option<Residue> {
        with_template!(self, |t| invert_at(t, &a.0))
    }
}

/// Bits of the exponent per window.
const WINDOW: u32 = 4;

/// `base^exp` for the low `exp_bits` bits of `exp`: left-to-right fixed 4-bit windows,
/// four squarings and one multiplication per window, the multiplier read from a table of
/// `base^0 .. base^15` through a mask so that every entry is read. Constant time in
/// `base` and `exp`; the number of windows follows `exp_bits` (public).
#[inline(never)]
fn pow_at<const L: usize>(
    t: &Box<FixedMontyForm<L>>,
    base: &[Limb],
    exp: &[Limb],
    exp_bits: u32,
) -> Residue {
    let exp_bits = exp_bits.min(exp.len() as u32 * Limb::BITS);
    let one = t.params().one().as_limbs();
    let mut mm = Multiplier::from(t.params());
    let mut acc = form(t, one);
    if exp_bits == 0 {
        return digits(&acc);
    }
    let mut power = form(t, base);
    let mut table: Vec<Uint<L>> = Vec::with_capacity(1 << WINDOW);
    table.push(Uint::from_words(*acc.as_montgomery().as_words()));
    for _ in 1..1 << WINDOW {
        mm.mul_assign(&mut acc, &power);
        table.push(Uint::from_words(*acc.as_montgomery().as_words()));
    }
    // acc becomes the accumulator, starting at 1.
    acc.as_montgomery_mut().as_mut_limbs().copy_from_slice(one);
    let windows = exp_bits.div_ceil(WINDOW);
    let mut index: Word = 0;
    for w in (0..windows).rev() {
        if w + 1 != windows {
            for _ in 0..WINDOW {
                mm.square_assign(&mut acc);
            }
        }
        // Public positions, secret bits.
        index = 0;
        for k in 0..WINDOW {
            let pos = w * WINDOW + k;
            if pos < exp_bits {
                let bit = (exp[(pos / Limb::BITS) as usize].0 >> (pos % Limb::BITS)) & 1;
                index |= bit << k;
            }
        }
        let out = power.as_montgomery_mut().as_mut_words();
        out.fill(0);
        for (j, entry) in table.iter().enumerate() {
            let mask = Word::ct_select(&0, &Word::MAX, (j as Word).ct_eq(&index));
            for (o, c) in out.iter_mut().zip(entry.as_words()) {
                *o |= c & mask;
            }
        }
        mm.mul_assign(&mut acc, &power);
    }
    let result = digits(&acc);
    index.zeroize();
    table.zeroize();
    power.zeroize();
    acc.zeroize();
    result
}

impl Zeroize for Residue {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}
