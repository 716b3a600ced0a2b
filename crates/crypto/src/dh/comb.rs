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

use crate::bigint::mont::{MontModulus, lookup};
use crypto_bigint::Word;
use zeroize::Zeroize as _;

/// Bits combined per lookup. 2^6 entries: 16 KiB for ffdhe2048, 32 KiB for ffdhe4096.
const TEETH: u32 = 6;

/// The table of one generator modulo one group's `p` (the caller keeps them together).
#[derive(Clone)]
pub(super) struct Comb<const N: usize> {
    /// `d`: the number of columns (and of squarings per exponentiation).
    spacing: u32,
    /// Montgomery forms.
    table: Vec<[Word; N]>,
}

impl<const N: usize> Comb<N> {
    /// Tables for exponents of up to `max_exponent_bits` bits (rounded up to a multiple
    /// of `TEETH`), for the generator `g` (Montgomery form) modulo `m`. Costs about as
    /// much as one exponentiation.
    pub(super) fn new(m: &MontModulus<N>, g: &[Word; N], max_exponent_bits: u32) -> Self {
        let spacing = max_exponent_bits.div_ceil(TEETH);
        // powers[i] = g^(2^(i d))
        let mut powers: Vec<[Word; N]> = Vec::with_capacity(TEETH as usize);
        let mut current = *g;
        for i in 0..TEETH {
            if i > 0 {
                for _ in 0..spacing {
                    current = m.square(&current);
                }
            }
            powers.push(current);
        }
        let mut table: Vec<[Word; N]> = Vec::with_capacity(1 << TEETH);
        table.push(*m.one());
        for j in 1usize..1 << TEETH {
            let top = (usize::BITS - 1 - j.leading_zeros()) as usize;
            let entry = m.mul(&table[j & !(1 << top)], &powers[top]);
            table.push(entry);
        }
        Comb { spacing, table }
    }

    /// The longest exponent [`Comb::pow`] handles, in bits.
    pub(super) fn max_exponent_bits(&self) -> u32 {
        self.spacing * TEETH
    }

    /// `g^x` (Montgomery form) modulo `m` (the modulus the table was built for), for `x`
    /// (little-endian words) below `2^max_exponent_bits()`. The running time depends
    /// only on the table size, not on `x`; no heap.
    pub(super) fn pow(&self, m: &MontModulus<N>, x: &[Word]) -> [Word; N] {
        let mut acc = *m.one();
        let mut column: Word = 0;
        for k in (0..self.spacing).rev() {
            acc = m.square(&acc);
            column = 0;
            for i in 0..TEETH {
                // Public position; secret bit.
                let pos = k + i * self.spacing;
                let bit = x
                    .get((pos / Word::BITS) as usize)
                    .map_or(0, |w| (w >> (pos % Word::BITS)) & 1);
                column |= bit << i;
            }
            // Read every entry; keep the one at `column` through a mask.
            let mut entry = lookup(&self.table, column);
            acc = m.mul(&acc, &entry);
            entry.zeroize();
        }
        column.zeroize();
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::words_from_be;
    use crate::dh::NamedDhGroup;
    use crate::rng::{Rng as _, SeededRng};

    fn check<const N: usize>(named: NamedDhGroup, rng: &mut SeededRng) {
        let m = MontModulus::<N>::new(&words_from_be(named.p()).unwrap()).unwrap();
        let mut two = [0; N];
        two[0] = 2;
        let g = m.to_mont(&two);
        let comb = Comb::new(&m, &g, named.min_exponent_bits());
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
            let x: [Word; N] = words_from_be(&case).unwrap();
            let want = m.pow::<16>(&g, &x, bits);
            assert_eq!(comb.pow(&m, &x), want, "{named:?} {case:02x?}");
        }
    }

    /// The comb agrees with the windowed exponentiation (itself tested against
    /// crypto-bigint in `bigint::mont`), for random and extreme exponents, in every named
    /// group.
    #[test]
    fn comb_matches_generic_exponentiation() {
        let mut rng = SeededRng::from_seed([11; 32]);
        check::<{ 2048 / Word::BITS as usize }>(NamedDhGroup::Ffdhe2048, &mut rng);
        check::<{ 3072 / Word::BITS as usize }>(NamedDhGroup::Ffdhe3072, &mut rng);
        check::<{ 4096 / Word::BITS as usize }>(NamedDhGroup::Ffdhe4096, &mut rng);
    }
}
