//! Branch-free helpers on `usize` masks (all ones for true, zero for false).
//!
//! Arguments must be below `2^(usize::BITS - 1)`; every length in a record is far below.

const TOP: u32 = usize::BITS - 1;

/// All ones if `a < b`.
#[inline(always)]
pub(crate) fn lt(a: usize, b: usize) -> usize {
    0usize.wrapping_sub(a.wrapping_sub(b) >> TOP)
}

/// All ones if `a <= b`.
#[inline(always)]
pub(crate) fn le(a: usize, b: usize) -> usize {
    !lt(b, a)
}

/// All ones if `a == b`.
#[inline(always)]
pub(crate) fn eq(a: usize, b: usize) -> usize {
    let x = a ^ b;
    // (x | -x) has its top bit set exactly when x != 0.
    ((x | x.wrapping_neg()) >> TOP).wrapping_sub(1)
}

/// `a` if `mask` is all ones, `b` if it is zero.
#[inline(always)]
pub(crate) fn select(mask: usize, a: usize, b: usize) -> usize {
    (a & mask) | (b & !mask)
}

/// [`select`] for bytes.
#[inline(always)]
pub(crate) fn select_u8(mask: usize, a: u8, b: u8) -> u8 {
    let m = mask as u8;
    (a & m) | (b & !m)
}

/// [`select`] for words.
#[inline(always)]
pub(crate) fn select_u32(mask: usize, a: u32, b: u32) -> u32 {
    let m = mask as u32;
    (a & m) | (b & !m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        let vals = [0usize, 1, 2, 255, 256, 1 << 20, (1 << 31) - 1];
        for &a in &vals {
            for &b in &vals {
                assert_eq!(lt(a, b) == usize::MAX, a < b, "{a} < {b}");
                assert!(lt(a, b) == 0 || lt(a, b) == usize::MAX);
                assert_eq!(le(a, b) == usize::MAX, a <= b, "{a} <= {b}");
                assert_eq!(eq(a, b) == usize::MAX, a == b, "{a} == {b}");
                assert!(eq(a, b) == 0 || eq(a, b) == usize::MAX);
            }
        }
        assert_eq!(select(usize::MAX, 3, 4), 3);
        assert_eq!(select(0, 3, 4), 4);
        assert_eq!(select_u8(usize::MAX, 3, 4), 3);
        assert_eq!(select_u32(0, 3, 4), 4);
    }
}
