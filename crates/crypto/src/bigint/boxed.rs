//! The heap-allocated backend: `crypto-bigint`'s `BoxedUint` and boxed Montgomery types.
//!
//! Every method is a direct call of the `crypto-bigint` operation of the same meaning.

use alloc::vec::Vec;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Choice, CtEq, CtLt, Integer, NonZero, Odd, Resize};
use zeroize::Zeroize;

/// The largest modulus this backend handles, in bits (the RSA and DH limits decide).
pub(crate) const MAX_MODULUS_BITS: u32 = 8192;

/// An unsigned integer of a fixed precision (whole limbs).
#[derive(Clone)]
pub(crate) struct Nat(pub(crate) BoxedUint);

impl Nat {
    /// The big-endian `bytes` at `precision` bits; `None` if they are longer than that.
    pub(crate) fn from_be(bytes: &[u8], precision: u32) -> Option<Self> {
        BoxedUint::from_be_slice(bytes, precision).ok().map(Nat)
    }

    pub(crate) fn one(precision: u32) -> Self {
        Nat(BoxedUint::one_with_precision(precision))
    }

    pub(crate) fn precision(&self) -> u32 {
        self.0.bits_precision()
    }

    /// The little-endian limbs.
    pub(crate) fn limbs(&self) -> &[crypto_bigint::Limb] {
        self.0.as_limbs()
    }

    /// Big-endian, the full precision long.
    pub(crate) fn to_be_bytes(&self) -> Vec<u8> {
        self.0.to_be_bytes().into_vec()
    }

    /// The value at a new precision (it must fit when shrinking).
    pub(crate) fn resize(&self, precision: u32) -> Self {
        Nat(self.0.clone().resize_unchecked(precision))
    }

    pub(crate) fn wrapping_add(&self, rhs: &Self) -> Self {
        Nat(self.0.wrapping_add(&rhs.0))
    }

    pub(crate) fn wrapping_sub(&self, rhs: &Self) -> Self {
        Nat(self.0.wrapping_sub(&rhs.0))
    }

    /// The full product, at the sum of the precisions (what `concatenating_mul` gives,
    /// without its Karatsuba stack temporaries: see [`super::mul_wide_limbs`]).
    pub(crate) fn mul_wide(&self, rhs: &Self) -> Self {
        Nat(BoxedUint::from(super::mul_wide_limbs(
            self.0.as_limbs(),
            rhs.0.as_limbs(),
        )))
    }

    /// `self mod m`, at the precision of `m`; `None` if `m` is zero. Constant time.
    pub(crate) fn rem(&self, m: &Self) -> Option<Self> {
        let m = NonZero::new(m.0.clone()).into_option()?;
        Some(Nat(self.0.rem(&m)))
    }

    pub(crate) fn shr1(&self) -> Self {
        Nat(self.0.wrapping_shr_vartime(1))
    }

    pub(crate) fn ct_eq(&self, rhs: &Self) -> Choice {
        CtEq::ct_eq(&self.0, &rhs.0)
    }

    pub(crate) fn ct_lt(&self, rhs: &Self) -> Choice {
        CtLt::ct_lt(&self.0, &rhs.0)
    }

    pub(crate) fn is_zero(&self) -> Choice {
        self.0.is_zero()
    }

    pub(crate) fn is_one(&self) -> Choice {
        self.0.is_one()
    }

    pub(crate) fn is_odd(&self) -> Choice {
        self.0.is_odd()
    }

    /// Bit `i` (variable time in `i` only).
    pub(crate) fn bit_vartime(&self, i: u32) -> bool {
        self.0.bit_vartime(i)
    }
}

impl Zeroize for Nat {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// An odd modulus with its Montgomery parameters (cheap to clone: shared).
///
/// The arithmetic methods take `self` for the fixed-width backend's sake; here each
/// value carries its parameters.
#[derive(Clone)]
pub(crate) struct Modulus(pub(crate) BoxedMontyParams);

/// A value in Montgomery form modulo some [`Modulus`].
#[derive(Clone)]
pub(crate) struct Residue(pub(crate) BoxedMontyForm);

#[allow(clippy::unused_self)] // See the type's documentation.
impl Modulus {
    /// Constant-time setup; `None` if `m` is even.
    pub(crate) fn new(m: &Nat) -> Option<Self> {
        let odd = Odd::new(m.0.clone()).into_option()?;
        Some(Modulus(BoxedMontyParams::new(odd)))
    }

    /// Setup variable time in `m` (for public moduli); `None` if `m` is even.
    pub(crate) fn new_vartime(m: &Nat) -> Option<Self> {
        let odd = Odd::new(m.0.clone()).into_option()?;
        Some(Modulus(BoxedMontyParams::new_vartime(odd)))
    }

    pub(crate) fn precision(&self) -> u32 {
        self.0.bits_precision()
    }

    /// `x mod m`, at the precision of the modulus. Constant time.
    pub(crate) fn reduce(&self, x: &Nat) -> Nat {
        Nat(x.0.rem(self.0.modulus().as_nz_ref()))
    }

    /// `x` (less than the modulus, at its precision) into Montgomery form.
    pub(crate) fn to_monty(&self, x: &Nat) -> Residue {
        Residue(BoxedMontyForm::new(x.0.clone(), &self.0))
    }

    pub(crate) fn retrieve(&self, x: &Residue) -> Nat {
        Nat(x.0.retrieve())
    }

    pub(crate) fn mul(&self, a: &Residue, b: &Residue) -> Residue {
        Residue(&a.0 * &b.0)
    }

    pub(crate) fn square(&self, a: &Residue) -> Residue {
        Residue(a.0.square())
    }

    pub(crate) fn sub(&self, a: &Residue, b: &Residue) -> Residue {
        Residue(&a.0 - &b.0)
    }

    /// `a^exp` over the full precision of `exp`, constant time in both.
    pub(crate) fn pow(&self, a: &Residue, exp: &Nat) -> Residue {
        Residue(a.0.pow(&exp.0))
    }

    /// `a^exp` for an `exp` below `2^exp_bits`; constant time except in `exp_bits`.
    pub(crate) fn pow_bounded(&self, a: &Residue, exp: &Nat, exp_bits: u32) -> Residue {
        Residue(a.0.pow_bounded_exp(&exp.0, exp_bits))
    }

    /// `a^-1`, `None` if `a` is not invertible. Constant time (the result is public).
    pub(crate) fn invert(&self, a: &Residue) -> Option<Residue> {
        a.0.invert().into_option().map(Residue)
    }
}

impl Zeroize for Residue {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}
