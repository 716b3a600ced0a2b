//! The big-integer backend: one small internal API ([`Nat`], [`Modulus`], [`Residue`])
//! with two implementations, so that RSA and DH are written once.
//!
//! - `boxed` (targets with atomic pointers, the default): thin wrappers over
//!   `crypto-bigint`'s heap-allocated `BoxedUint` / `BoxedMontyParams` /
//!   `BoxedMontyForm`, making exactly the calls this crate made before the split.
//! - `fixed` (targets without atomic pointers, such as `thumbv6m-none-eabi` and
//!   `riscv32imc-unknown-none-elf`, where `crypto-bigint`'s `alloc` feature does not
//!   build because `BoxedMontyParams` holds an `alloc::sync::Arc`): `crypto-bigint`'s
//!   fixed-width `Uint<LIMBS>` and `FixedMontyParams<LIMBS>`, dispatched at run time over
//!   a few widths (512, 1024, 2048 and 4096 bits), with values kept on the heap.
//!   Moduli over 4096 bits are refused ([`MAX_MODULUS_BITS`]).
//!
//! The fixed backend can be tested on the host with `--cfg sanstls_fixed_bigint`:
//! `RUSTFLAGS="--cfg sanstls_fixed_bigint" cargo test -p sanstls-crypto`.
//!
//! Both are constant time in the values (not the sizes) for every operation except those
//! named `_vartime`, and both compute the same results.
//!
//! Beside them, [`mont`] is a fixed-width constant-time Montgomery kernel over
//! `[Word; N]` (no heap), used on both backends by the RSA private operation for 2048-,
//! 3072- and 4096-bit keys and by DH for moduli of 2048, 3072 and 4096 bits; other sizes
//! use the generic API below.
//!
//! Operations take the [`Modulus`] explicitly (`m.mul(&a, &b)`), so that a fixed-width
//! [`Residue`] is just its digits, with no copy of the Montgomery parameters.

use alloc::vec;
use alloc::vec::Vec;

use crypto_bigint::{Limb, Word};

pub(crate) mod mont;

#[cfg(not(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint)))]
mod boxed;
#[cfg(not(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint)))]
pub(crate) use boxed::{MAX_MODULUS_BITS, Modulus, Nat, Residue};

#[cfg(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint))]
mod fixed;
#[cfg(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint))]
pub(crate) use fixed::{MAX_MODULUS_BITS, Modulus, Nat, Residue};

/// The full product of two little-endian limb strings (`a.len() + b.len()` limbs):
/// schoolbook, constant time, with no temporaries beyond the output.
///
/// Both backends use this instead of `crypto-bigint`'s Karatsuba multiplication, whose
/// fixed-size temporaries live on the stack (a 6 KiB frame for a 2048-bit by 2048-bit
/// product on a 32-bit target, 13 KiB at 4096 bits). The products here (`q * h` in every
/// CRT private operation, a few more when a key is loaded) are not where the time goes.
fn mul_wide_limbs(a: &[Limb], b: &[Limb]) -> Vec<Limb> {
    let mut out = vec![Limb::ZERO; a.len() + b.len()];
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = Limb::ZERO;
        for (j, &bj) in b.iter().enumerate() {
            let (lo, hi) = ai.carrying_mul_add(bj, out[i + j], carry);
            out[i + j] = lo;
            carry = hi;
        }
        out[i + b.len()] = carry;
    }
    out
}

/// `N` words from little-endian limbs (zero-extended); `None` if a nonzero limb does not
/// fit. Variable time in the position of the last nonzero limb only if it is past `N`
/// (which for every caller is a public fact: the widths match).
pub(crate) fn words_from_limbs<const N: usize>(limbs: &[Limb]) -> Option<[Word; N]> {
    let mut out = [0; N];
    for (i, l) in limbs.iter().enumerate() {
        match out.get_mut(i) {
            Some(w) => *w = l.0,
            None if l.0 == 0 => {}
            None => return None,
        }
    }
    Some(out)
}

/// `N` words from big-endian bytes; `None` if they are longer than `N` words.
pub(crate) fn words_from_be<const N: usize>(bytes: &[u8]) -> Option<[Word; N]> {
    const WB: usize = Word::BITS as usize / 8;
    if bytes.len() > N * WB {
        return None;
    }
    let mut out = [0; N];
    for (i, &b) in bytes.iter().rev().enumerate() {
        out[i / WB] |= Word::from(b) << (8 * (i % WB));
    }
    Some(out)
}

/// The low `out.len()` bytes of little-endian `words`, big-endian, into `out`.
pub(crate) fn words_to_be(words: &[Word], out: &mut [u8]) {
    const WB: usize = Word::BITS as usize / 8;
    let len = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        let pos = len - 1 - i;
        *o = words
            .get(pos / WB)
            .map_or(0, |w| (w >> (8 * (pos % WB))) as u8);
    }
}
