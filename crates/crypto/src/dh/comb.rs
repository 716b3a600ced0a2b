//! Fixed-base exponentiation `g^x` with a precomputed comb table (Lim-Lee), the "table
//! acceleration" of RFC 7919 §5.3.
//!
//! Split an exponent of up to `TEETH * d` bits into `TEETH` slices of `d` bits; entry `j`
//! of the table is the product of `g^(2^(i d))` over the bits `i` set in `j`. Then
//! `g^x` takes `d` squarings and `d` multiplications, one per column of bits, instead of
//! the ~1.25 multiplications per exponent bit of a windowed exponentiation: for a
//! 225-bit ffdhe2048 exponent, 76 operations instead of about 300.
//!
//! Constant time: the exponent's bits are read at public positions, and each table
//! lookup reads every entry and keeps one through a mask derived in constant time.

use alloc::vec::Vec;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, CtEq as _, CtSelect as _, MontyForm, MontyMultiplier as _, Word};
use zeroize::Zeroize as _;

/// Bits combined per lookup. 2^6 entries: 16 KiB for ffdhe2048, 32 KiB for ffdhe4096.
const TEETH: u32 = 6;

type Multiplier<'a> = <BoxedMontyForm as MontyForm>::Multiplier<'a>;

#[derive(Clone)]
pub(super) struct Comb {
    /// `d`: the number of columns (and of squarings per exponentiation).
    spacing: u32,
    table: Vec<BoxedMontyForm>,
}

impl Comb {
    /// Tables for exponents of up to `max_exponent_bits` bits (rounded up to a multiple
    /// of `TEETH`). Costs about as much as one exponentiation.
    pub(super) fn new(g: &BoxedMontyForm, max_exponent_bits: u32) -> Self {
        let spacing = max_exponent_bits.div_ceil(TEETH);
        let params = g.params();
        let mut mm = Multiplier::from(params);
        // powers[i] = g^(2^(i d))
        let mut powers: Vec<BoxedMontyForm> = Vec::with_capacity(TEETH as usize);
        let mut current = g.clone();
        for i in 0..TEETH {
            if i > 0 {
                for _ in 0..spacing {
                    mm.square_assign(&mut current);
                }
            }
            powers.push(current.clone());
        }
        let mut table: Vec<BoxedMontyForm> = Vec::with_capacity(1 << TEETH);
        table.push(BoxedMontyForm::one(params));
        for j in 1usize..1 << TEETH {
            let top = (usize::BITS - 1 - j.leading_zeros()) as usize;
            let mut entry = table[j & !(1 << top)].clone();
            mm.mul_assign(&mut entry, &powers[top]);
            table.push(entry);
        }
        Comb { spacing, table }
    }

    /// The longest exponent [`Comb::pow`] handles, in bits.
    pub(super) fn max_exponent_bits(&self) -> u32 {
        self.spacing * TEETH
    }

    fn params(&self) -> &BoxedMontyParams {
        self.table[0].params()
    }

    /// `g^x`, for `x` below `2^max_exponent_bits()`. The running time depends only on
    /// the table size, not on `x`.
    pub(super) fn pow(&self, x: &BoxedUint) -> BoxedMontyForm {
        debug_assert!(x.bit_width() <= self.max_exponent_bits());
        let params = self.params();
        let mut mm = Multiplier::from(params);
        let mut acc = BoxedMontyForm::one(params);
        let mut entry = BoxedMontyForm::one(params);
        let words = x.as_words();
        let mut column: Word = 0;
        for k in (0..self.spacing).rev() {
            mm.square_assign(&mut acc);
            column = 0;
            for i in 0..TEETH {
                // Public position; secret bit.
                let pos = k + i * self.spacing;
                let bit = words
                    .get((pos / Word::BITS) as usize)
                    .map_or(0, |w| (w >> (pos % Word::BITS)) & 1);
                column |= bit << i;
            }
            // Read every entry; keep the one at `column` through an all-ones/all-zeros
            // mask (word-wise, so the loop vectorises).
            let out = entry.as_montgomery_mut().as_mut_words();
            out.fill(0);
            for (j, candidate) in self.table.iter().enumerate() {
                let mask = Word::ct_select(&0, &Word::MAX, (j as Word).ct_eq(&column));
                for (o, c) in out.iter_mut().zip(candidate.as_montgomery().as_words()) {
                    *o |= c & mask;
                }
            }
            mm.mul_assign(&mut acc, &entry);
        }
        column.zeroize();
        entry.zeroize();
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dh::{DhGroup, NamedDhGroup};
    use crate::rng::{Rng as _, SeededRng};

    fn exponent(bytes: &[u8], bits: u32) -> BoxedUint {
        BoxedUint::from_be_slice(bytes, bits).unwrap()
    }

    /// The comb agrees with the generic constant-time exponentiation, for random and
    /// extreme exponents, in every named group.
    #[test]
    fn comb_matches_generic_exponentiation() {
        let mut rng = SeededRng::from_seed([11; 32]);
        for named in NamedDhGroup::ALL {
            let group = DhGroup::named(named);
            let g = &group.inner.g_monty.0;
            let comb = Comb::new(g, named.min_exponent_bits());
            let bits = comb.max_exponent_bits();
            assert!(bits >= named.min_exponent_bits() && bits < named.min_exponent_bits() + 6);
            let len = bits.div_ceil(8) as usize;
            let top_mask = 0xffu8 >> (len as u32 * 8 - bits);
            let mut cases: std::vec::Vec<std::vec::Vec<u8>> = std::vec![
                std::vec![0; len],
                std::vec![1],
                std::vec![2],
                std::vec![0x80],
                {
                    let mut v = std::vec![0xff; len];
                    v[0] &= top_mask;
                    v
                },
            ];
            for _ in 0..8 {
                let mut v = std::vec![0u8; len];
                rng.fill_bytes(&mut v);
                v[0] &= top_mask;
                cases.push(v);
            }
            for case in cases {
                let x = exponent(&case, bits);
                let want = g.pow_bounded_exp(&x, bits).retrieve();
                assert_eq!(comb.pow(&x).retrieve(), want, "{named:?} {case:02x?}");
            }
        }
    }
}
