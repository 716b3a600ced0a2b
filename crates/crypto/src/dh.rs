//! Finite-field Diffie-Hellman for the TLS 1.2 DHE key exchange.
//!
//! - Groups: the RFC 7919 named groups ([`NamedDhGroup`]), or any `(p, g)` a server sends
//!   in its ServerKeyExchange ([`DhGroup::from_bytes`]), after basic sanity checks. The
//!   Montgomery parameters of a group are computed once, when the [`DhGroup`] is built,
//!   and shared by every key made from it.
//! - Keys: [`DhPrivateKey::generate`] draws a short exponent as RFC 7919 §5.2 allows (the
//!   per-group minimum of RFC 7919 Appendix A, e.g. 225 bits for ffdhe2048) and computes
//!   the public value right away; for the named groups that uses a precomputed
//!   fixed-base table (RFC 7919 §5.3), about four times faster than a plain
//!   exponentiation.
//! - Agreement: [`DhPrivateKey::agree`] checks the peer's value (RFC 7919 §3, §4 and §5.1:
//!   `1 < Y < p - 1`) and returns the premaster secret with leading zero bytes stripped
//!   (RFC 5246 §8.1.2).
//!
//! Exponentiations with the secret exponent are constant-time windowed Montgomery
//! exponentiations (and a constant-time comb for `g`); only the exponent's bit length (a
//! public parameter) shapes the running time. For moduli of 2048, 3072 and 4096 bits (the
//! named groups, and any group of those widths) they run on the crate's fixed-width
//! kernel (`bigint::mont`), on the stack, with no heap but the outputs, and wipe their
//! scratch values; other sizes go through the generic backend, whose scratch values
//! inside `crypto-bigint` are not wiped. Exponents and shared secrets are zeroized on
//! drop.
//!
//! Stack: the shared-secret exponentiation keeps a 16-entry window table of the modulus's
//! size on the stack (8 KiB for ffdhe4096, 4 KiB for ffdhe2048) plus a few values of that
//! size.
//!
//! A [`DhPrivateKey`] is meant for one agreement. Reusing one across handshakes turns the
//! RFC 5246 §8.1.2 leading-zero stripping into a timing oracle (the Raccoon attack), so
//! callers generate a fresh key per handshake.
//!
//! ```
//! use sanstls_crypto::dh::{DhGroup, DhPrivateKey, NamedDhGroup};
//! use sanstls_crypto::rng::SeededRng;
//!
//! let mut rng = SeededRng::from_seed([1; 32]);
//! let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
//! let client = DhPrivateKey::generate(&group, &mut rng);
//! let server = DhPrivateKey::generate(&group, &mut rng);
//! let a = client.agree(&server.public_value()).unwrap();
//! let b = server.agree(&client.public_value()).unwrap();
//! assert_eq!(a.as_bytes(), b.as_bytes());
//! ```

mod comb;
mod groups;

use alloc::boxed::Box;
use alloc::vec::Vec;

#[cfg(not(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint)))]
use once_cell::race::OnceBox;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::bigint::mont::{self, MontModulus, SHORT_TABLE};
use crate::bigint::{self, Modulus, Nat, Residue, words_from_be, words_from_limbs, words_to_be};
use crate::rng::CryptoRng;
use crypto_bigint::Word;

/// How a [`DhGroup`] shares its precomputed values: one reference-counted copy where
/// the target has atomic pointers; elsewhere (no `alloc::sync`) each clone owns a copy,
/// which without the fixed-base table is a few kilobytes at most.
#[cfg(not(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint)))]
type Shared<T> = alloc::sync::Arc<T>;
#[cfg(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint))]
type Shared<T> = alloc::boxed::Box<T>;

/// The smallest modulus [`DhGroup::from_bytes`] accepts, in bits.
///
/// This is a sanity bound only; a TLS client applies its own, higher minimum (RFC 7919
/// §3.1 requires at least 768 bits and recommends 1024; sanstls defaults to 2048).
pub const MIN_P_BITS: u32 = 512;

/// The largest modulus [`DhGroup::from_bytes`] accepts, in bits (bounds the work a peer
/// can make us do).
pub const MAX_P_BITS: u32 = 8192;

/// The smallest private exponent this module generates for any group, in bits: the
/// RFC 7919 Appendix A.1 figure for its smallest group.
pub const MIN_EXPONENT_BITS: u32 = 225;

/// A finite-field group from RFC 7919 Appendix A, with generator 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NamedDhGroup {
    /// ffdhe2048 (RFC 7919 Appendix A.1), supported-groups code point 0x0100.
    Ffdhe2048,
    /// ffdhe3072 (RFC 7919 Appendix A.2), supported-groups code point 0x0101.
    Ffdhe3072,
    /// ffdhe4096 (RFC 7919 Appendix A.3), supported-groups code point 0x0102.
    Ffdhe4096,
}

impl NamedDhGroup {
    /// Every supported named group, smallest first.
    pub const ALL: [NamedDhGroup; 3] = [
        NamedDhGroup::Ffdhe2048,
        NamedDhGroup::Ffdhe3072,
        NamedDhGroup::Ffdhe4096,
    ];

    /// The RFC 7919 Appendix A estimate of the group's symmetric-equivalent strength:
    /// 103, 125 and 150 bits.
    pub const fn security_bits(self) -> u32 {
        match self {
            NamedDhGroup::Ffdhe2048 => 103,
            NamedDhGroup::Ffdhe3072 => 125,
            NamedDhGroup::Ffdhe4096 => 150,
        }
    }

    /// The group's code point in the TLS Supported Groups registry (RFC 7919 §2).
    pub const fn code_point(self) -> u16 {
        match self {
            NamedDhGroup::Ffdhe2048 => 0x0100,
            NamedDhGroup::Ffdhe3072 => 0x0101,
            NamedDhGroup::Ffdhe4096 => 0x0102,
        }
    }

    /// The named group with this Supported Groups code point, if this module has it.
    pub const fn from_code_point(code_point: u16) -> Option<Self> {
        match code_point {
            0x0100 => Some(NamedDhGroup::Ffdhe2048),
            0x0101 => Some(NamedDhGroup::Ffdhe3072),
            0x0102 => Some(NamedDhGroup::Ffdhe4096),
            _ => None,
        }
    }

    /// The modulus size in bits.
    pub const fn p_bits(self) -> u32 {
        match self {
            NamedDhGroup::Ffdhe2048 => 2048,
            NamedDhGroup::Ffdhe3072 => 3072,
            NamedDhGroup::Ffdhe4096 => 4096,
        }
    }

    /// The shortest private exponent RFC 7919 Appendix A recommends for the group when
    /// short exponents (§5.2) are used: 225, 275 and 325 bits.
    pub const fn min_exponent_bits(self) -> u32 {
        match self {
            NamedDhGroup::Ffdhe2048 => 225,
            NamedDhGroup::Ffdhe3072 => 275,
            NamedDhGroup::Ffdhe4096 => 325,
        }
    }

    /// Position in [`NamedDhGroup::ALL`] (and in the group cache).
    #[cfg_attr(
        any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint),
        allow(dead_code)
    )]
    const fn index(self) -> usize {
        match self {
            NamedDhGroup::Ffdhe2048 => 0,
            NamedDhGroup::Ffdhe3072 => 1,
            NamedDhGroup::Ffdhe4096 => 2,
        }
    }

    fn p(self) -> &'static [u8] {
        match self {
            NamedDhGroup::Ffdhe2048 => &groups::FFDHE2048_P,
            NamedDhGroup::Ffdhe3072 => &groups::FFDHE3072_P,
            NamedDhGroup::Ffdhe4096 => &groups::FFDHE4096_P,
        }
    }
}

/// The generator of every RFC 7919 group.
const NAMED_G: [u8; 1] = [2];

/// Each named group is built once per process, with its fixed-base table, and shared.
/// (Only where the target has atomic pointers: elsewhere a named group is rebuilt on
/// each call of [`DhGroup::named`], without a fixed-base table.)
#[cfg(not(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint)))]
static NAMED_GROUPS: [OnceBox<DhGroup>; 3] = [const { OnceBox::new() }; 3];

/// A Diffie-Hellman group `(p, g)` with its Montgomery parameters precomputed.
///
/// Cloning is cheap (the group is shared behind an `Arc`). The named groups are built once
/// per process and cached (with a fixed-base table that makes key generation about four
/// times faster, RFC 7919 §5.3: 16 KiB for ffdhe2048, 24 KiB for ffdhe3072, 32 KiB for
/// ffdhe4096, allocated on first use of each group); other groups are built per call.
///
/// On targets without atomic pointers (`thumbv6m-none-eabi`, `riscv32imc-unknown-none-elf`)
/// there is no `Arc` and no lock-free cache: a clone copies the group (a few kilobytes),
/// [`DhGroup::named`] builds the group on each call, and no fixed-base table is kept
/// (building one costs more than it saves for a single key). Moduli over 4096 bits are
/// refused there ([`Error::Unsupported`]).
#[derive(Clone)]
pub struct DhGroup {
    inner: Shared<GroupInner>,
}

#[derive(Clone)]
struct GroupInner {
    named: Option<NamedDhGroup>,
    /// p, big-endian, without leading zero bytes.
    p: Vec<u8>,
    /// g, big-endian, without leading zero bytes.
    g: Vec<u8>,
    p_bits: u32,
    params: Modulus,
    /// g in Montgomery form.
    g_monty: Residue,
    /// p - 1, at the precision of `params`.
    p_minus_1: Nat,
    /// The group at a fixed width, for moduli of 2048, 3072 and 4096 bits (in whole
    /// words): the fast path of key generation and agreement.
    fast: Option<FastGroup>,
}

/// Words per 2048, 3072 and 4096 bits.
const W2048: usize = 2048 / Word::BITS as usize;
const W3072: usize = 3072 / Word::BITS as usize;
const W4096: usize = 4096 / Word::BITS as usize;

/// Whether named groups get a fixed-base table: only where they are built once per
/// process (see [`DhGroup`]).
const BUILD_COMB: bool = cfg!(not(any(
    not(target_has_atomic = "ptr"),
    sanstls_fixed_bigint
)));

/// A group whose modulus fills 2048, 3072 or 4096 bits of whole words, at that width.
#[derive(Clone)]
enum FastGroup {
    P2048(Box<FastInner<W2048>>),
    P3072(Box<FastInner<W3072>>),
    P4096(Box<FastInner<W4096>>),
}

/// Run `$body` with `$i` bound to the `FastInner` of a [`FastGroup`].
macro_rules! with_fast {
    ($f:expr, |$i:ident| $body:expr) => {
        match $f {
            FastGroup::P2048($i) => $body,
            FastGroup::P3072($i) => $body,
            FastGroup::P4096($i) => $body,
        }
    };
}

#[derive(Clone)]
struct FastInner<const N: usize> {
    m: MontModulus<N>,
    /// g in Montgomery form.
    g: [Word; N],
    p_minus_1: [Word; N],
    /// Fixed-base table for g (named groups only, see [`BUILD_COMB`]).
    comb: Option<comb::Comb<N>>,
}

impl FastGroup {
    /// `p` and `g` validated, without leading zeros.
    fn new(p: &[u8], g: &[u8], named: Option<NamedDhGroup>) -> Option<Self> {
        let words = p.len().div_ceil(Word::BITS as usize / 8);
        Some(match words {
            W2048 => FastGroup::P2048(FastInner::new(p, g, named)?),
            W3072 => FastGroup::P3072(FastInner::new(p, g, named)?),
            W4096 => FastGroup::P4096(FastInner::new(p, g, named)?),
            _ => return None,
        })
    }
}

impl<const N: usize> FastInner<N> {
    fn new(p: &[u8], g: &[u8], named: Option<NamedDhGroup>) -> Option<Box<Self>> {
        let p_words = words_from_be::<N>(p)?;
        let m = MontModulus::new(&p_words)?;
        let g = m.to_mont(&words_from_be::<N>(g)?);
        let comb = match named {
            Some(n) if BUILD_COMB => Some(comb::Comb::new(&m, &g, n.min_exponent_bits())),
            _ => None,
        };
        let mut p_minus_1 = p_words;
        // p is odd: no borrow.
        p_minus_1[0] -= 1;
        Some(Box::new(FastInner {
            m,
            g,
            p_minus_1,
            comb,
        }))
    }

    /// `g^x`, `p_len` bytes big-endian. No heap but the result.
    fn public_value(&self, x: &Nat, exponent_bits: u32, p_len: usize) -> Vec<u8> {
        let mut xw = words_from_limbs::<N>(x.limbs()).expect("x is shorter than p");
        let y = match &self.comb {
            Some(comb) if exponent_bits <= comb.max_exponent_bits() => comb.pow(&self.m, &xw),
            _ => self.m.pow::<SHORT_TABLE>(&self.g, &xw, exponent_bits),
        };
        xw.zeroize();
        let y = self.m.retrieve(&y);
        let mut out = alloc::vec![0u8; p_len];
        words_to_be(&y, &mut out);
        out
    }

    /// As [`DhPrivateKey::agree`], for a peer value no longer than `p`. No heap but the
    /// result.
    fn agree(
        &self,
        peer_public: &[u8],
        x: &Nat,
        exponent_bits: u32,
        p_len: usize,
    ) -> Result<SharedSecret, Error> {
        let y = words_from_be::<N>(peer_public).ok_or(Error::InvalidDhPublicValue)?;
        // The peer's value is public: the comparisons may branch.
        let mut one = [0; N];
        one[0] = 1;
        if !lt_vartime(&one, &y) || !lt_vartime(&y, &self.p_minus_1) {
            return Err(Error::InvalidDhPublicValue);
        }
        let y = self.m.to_mont(&y);
        let mut xw = words_from_limbs::<N>(x.limbs()).expect("x is shorter than p");
        let mut z = self.m.pow::<SHORT_TABLE>(&y, &xw, exponent_bits);
        xw.zeroize();
        let mut zn = self.m.retrieve(&z);
        z.zeroize();
        // Constant time; only "the result is 0 or 1" is revealed, and either means the
        // peer is hostile.
        let degenerate = mont::ct_eq_words(&zn, &[0; N]) | mont::ct_eq_words(&zn, &one);
        let mut bytes = Zeroizing::new(alloc::vec![0u8; p_len]);
        words_to_be(&zn, &mut bytes);
        zn.zeroize();
        if degenerate != 0 {
            return Err(Error::InvalidDhPublicValue);
        }
        strip_leading_zeros_in_place(&mut bytes);
        Ok(SharedSecret {
            bytes: core::mem::take(&mut *bytes),
        })
    }
}

/// `a < b` for public values of equal length (little-endian words).
fn lt_vartime(a: &[Word], b: &[Word]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

impl core::fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhGroup")
            .field("named", &self.inner.named)
            .field("p_bits", &self.inner.p_bits)
            .finish_non_exhaustive()
    }
}

impl PartialEq for DhGroup {
    fn eq(&self, other: &Self) -> bool {
        self.inner.p == other.inner.p && self.inner.g == other.inner.g
    }
}

impl Eq for DhGroup {}

impl DhGroup {
    /// The RFC 7919 group `g`: its Appendix A modulus and generator 2.
    ///
    /// The first call for a group builds it (about the cost of one exponentiation, for
    /// the fixed-base table); later calls return the same shared instance.
    pub fn named(g: NamedDhGroup) -> Self {
        #[cfg(not(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint)))]
        return NAMED_GROUPS[g.index()]
            .get_or_init(|| Box::new(Self::build(g.p(), &NAMED_G, Some(g))))
            .clone();
        #[cfg(any(not(target_has_atomic = "ptr"), sanstls_fixed_bigint))]
        return Self::build(g.p(), &NAMED_G, Some(g));
    }

    /// A group from the big-endian `p` and `g` a server sent (RFC 5246 §7.4.3
    /// `ServerDHParams`); leading zero bytes are ignored.
    ///
    /// Checks: `p` is odd and between [`MIN_P_BITS`] and [`MAX_P_BITS`] bits long, and
    /// `1 < g < p - 1`. These are sanity checks only; whether `p` is prime and `g`
    /// generates a large subgroup cannot be checked cheaply (RFC 7919 §5.1), which is why
    /// named groups are preferred. If `(p, g)` is one of the RFC 7919 groups, the result
    /// is that group ([`DhGroup::named_group`] returns it).
    pub fn from_bytes(p: &[u8], g: &[u8]) -> Result<Self, Error> {
        let p = strip_leading_zeros(p);
        let g = strip_leading_zeros(g);
        let Some(&last) = p.last() else {
            return Err(Error::InvalidDhParameters("p is zero"));
        };
        if last & 1 == 0 {
            return Err(Error::InvalidDhParameters("p is even"));
        }
        let p_bits = bit_len(p);
        if p_bits < MIN_P_BITS {
            return Err(Error::InvalidDhParameters("p is shorter than 512 bits"));
        }
        if p_bits > MAX_P_BITS {
            return Err(Error::InvalidDhParameters("p is longer than 8192 bits"));
        }
        if p_bits > bigint::MAX_MODULUS_BITS {
            return Err(Error::Unsupported(
                "DH moduli over 4096 bits on a target without atomic pointers (fixed-width \
                 big-integer backend)",
            ));
        }
        // 1 < g < p - 1, on the byte strings (public values; p is odd, so p - 1 only
        // differs from p in its last byte).
        if g.len() < 2 && g.first().is_none_or(|&b| b <= 1) {
            return Err(Error::InvalidDhParameters("g must be greater than 1"));
        }
        let mut p_minus_1 = p.to_vec();
        if let Some(b) = p_minus_1.last_mut() {
            *b -= 1;
        }
        if g.len() > p.len() || (g.len() == p.len() && g >= p_minus_1.as_slice()) {
            return Err(Error::InvalidDhParameters("g must be less than p - 1"));
        }
        match NamedDhGroup::ALL
            .into_iter()
            .find(|n| n.p() == p && g == NAMED_G)
        {
            Some(named) => Ok(Self::named(named)),
            None => Ok(Self::build(p, g, None)),
        }
    }

    /// `p` and `g` must be validated, without leading zeros.
    fn build(p: &[u8], g: &[u8], named: Option<NamedDhGroup>) -> Self {
        let p_bits = bit_len(p);
        let p_int = Nat::from_be(p, p_bits).expect("p fits its own bit length");
        // p is public, so the faster variable-time setup is fine.
        let params = Modulus::new_vartime(&p_int)
            .expect("p was checked to be odd and within this backend's sizes");
        let g_int = Nat::from_be(g, p_bits).expect("g < p");
        let g_monty = params.to_monty(&g_int);
        let p_minus_1 = p_int.wrapping_sub(&Nat::one(p_bits));
        // (Only on 64-bit targets: see `mont::FAST_PATH`.)
        let fast = if mont::FAST_PATH {
            FastGroup::new(p, g, named)
        } else {
            None
        };
        DhGroup {
            inner: Shared::new(GroupInner {
                named,
                p: p.to_vec(),
                g: g.to_vec(),
                p_bits,
                params,
                g_monty,
                p_minus_1,
                fast,
            }),
        }
    }

    /// The RFC 7919 group this is, if any.
    pub fn named_group(&self) -> Option<NamedDhGroup> {
        self.inner.named
    }

    /// `p`, big-endian, without leading zero bytes.
    pub fn p_bytes(&self) -> &[u8] {
        &self.inner.p
    }

    /// `g`, big-endian, without leading zero bytes.
    pub fn g_bytes(&self) -> &[u8] {
        &self.inner.g
    }

    /// The bit length of `p`.
    pub fn p_bits(&self) -> u32 {
        self.inner.p_bits
    }

    /// The estimated symmetric-equivalent strength of the group, in bits.
    ///
    /// Named groups use the RFC 7919 Appendix A estimates (103, 125, 150). Other groups
    /// use NIST SP 800-57 Part 1 Table 2 for the largest listed size not above the
    /// modulus size (1024 -> 80, 2048 -> 112, 3072 -> 128, 7680 -> 192 bits); below
    /// 1024 bits, where that table stops, rough classical estimates (768 -> 64, 512 -> 56)
    /// are used. Note that NIST's figures are a little more generous than RFC 7919's
    /// (a custom 2048-bit group rates 112, ffdhe2048 103).
    pub fn security_bits(&self) -> u32 {
        if let Some(named) = self.inner.named {
            return named.security_bits();
        }
        match self.inner.p_bits {
            7680.. => 192,
            3072.. => 128,
            2048.. => 112,
            1024.. => 80,
            768.. => 64,
            _ => 56,
        }
    }

    /// The shortest private exponent accepted for this group, in bits: the RFC 7919
    /// Appendix A figure for a named group, otherwise twice [`DhGroup::security_bits`]
    /// (RFC 7919 §5.2), and never below [`MIN_EXPONENT_BITS`] (nor above the bit length
    /// of p minus one).
    pub fn min_exponent_bits(&self) -> u32 {
        let min = match self.inner.named {
            Some(named) => named.min_exponent_bits(),
            None => 2 * self.security_bits(),
        };
        min.max(MIN_EXPONENT_BITS).min(self.inner.p_bits - 1)
    }

    /// The length of `p` in bytes, which is also the length of a public value.
    fn p_len(&self) -> usize {
        self.inner.p.len()
    }

    /// The Montgomery precision of the group, in bits.
    fn precision(&self) -> u32 {
        self.inner.params.precision()
    }
}

/// A Diffie-Hellman private key: a secret exponent `x` and its public value `g^x mod p`.
///
/// The exponent is zeroized on drop.
pub struct DhPrivateKey {
    group: DhGroup,
    /// The exponent, at a precision of `exponent_bits` rounded up to whole limbs.
    x: Nat,
    exponent_bits: u32,
    /// `g^x mod p`, big-endian, left-padded to the length of p.
    public: Vec<u8>,
}

impl core::fmt::Debug for DhPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhPrivateKey")
            .field("group", &self.group)
            .field("exponent_bits", &self.exponent_bits)
            .finish_non_exhaustive()
    }
}

impl Drop for DhPrivateKey {
    fn drop(&mut self) {
        self.x.zeroize();
    }
}

impl ZeroizeOnDrop for DhPrivateKey {}

impl DhPrivateKey {
    /// A fresh key for `group`, with an exponent of [`DhGroup::min_exponent_bits`] bits
    /// (RFC 7919 §5.2 short exponents: 225 bits for ffdhe2048, 275 for ffdhe3072, 325 for
    /// ffdhe4096; twice the security estimate, at least 225, for other groups).
    pub fn generate<R: CryptoRng + ?Sized>(group: &DhGroup, rng: &mut R) -> Self {
        match Self::generate_with_bits(group, rng, group.min_exponent_bits()) {
            Ok(key) => key,
            Err(_) => unreachable!("the group's minimum exponent length is always accepted"),
        }
    }

    /// A fresh key whose exponent has exactly `exponent_bits` bits (its top bit is set).
    ///
    /// `exponent_bits` must be at least [`DhGroup::min_exponent_bits`] and below the bit
    /// length of `p` (so that every such exponent is below `p - 1`), else
    /// [`Error::InvalidDhParameters`]. Longer exponents cost proportionally
    /// more time and buy no security against the best known attacks (RFC 7919 §5.2).
    pub fn generate_with_bits<R: CryptoRng + ?Sized>(
        group: &DhGroup,
        rng: &mut R,
        exponent_bits: u32,
    ) -> Result<Self, Error> {
        if exponent_bits < group.min_exponent_bits() {
            return Err(Error::InvalidDhParameters(
                "private exponent shorter than the group's minimum",
            ));
        }
        if exponent_bits >= group.p_bits() {
            return Err(Error::InvalidDhParameters(
                "private exponent not shorter than p",
            ));
        }
        Ok(Self::from_exponent(
            group,
            random_exponent(rng, exponent_bits),
            exponent_bits,
        ))
    }

    /// The key with exponent `x` (`exponent_bits` long, shorter than p), computing its
    /// public value.
    fn from_exponent(group: &DhGroup, x: Nat, exponent_bits: u32) -> Self {
        let inner = &group.inner;
        let public = if let (true, Some(fast)) = (mont::FAST_PATH, &inner.fast) {
            with_fast!(fast, |f| f.public_value(&x, exponent_bits, group.p_len()))
        } else {
            let public = inner.params.pow_bounded(&inner.g_monty, &x, exponent_bits);
            let public = inner.params.retrieve(&public);
            left_padded(&public, group.p_len())
        };
        DhPrivateKey {
            group: group.clone(),
            x,
            exponent_bits,
            public,
        }
    }

    /// The group this key belongs to.
    pub fn group(&self) -> &DhGroup {
        &self.group
    }

    /// The public value `g^x mod p`, big-endian, left-padded with zeros to the length of
    /// `p`.
    ///
    /// RFC 5246 §7.4.3 and §7.4.7.2 encode `dh_Ys` / `dh_Yc` as an opaque big-endian
    /// integer and RFC 7919 adds no encoding rule, so both the padded and the minimal form
    /// are valid TLS 1.2; the padded form is the one RFC 8446 §4.2.8.1 later made
    /// mandatory, and its length does not depend on the value.
    pub fn public_value(&self) -> Vec<u8> {
        self.public.clone()
    }

    /// The shared secret with the peer whose public value is `peer_public` (big-endian,
    /// any length up to that of `p`; leading zeros are allowed).
    ///
    /// The peer's value must satisfy `1 < Y < p - 1` (RFC 7919 §3 and §4 require this
    /// check of dh_Ys and dh_Yc; §5.1), else [`Error::InvalidDhPublicValue`]; an empty
    /// value or one longer than `p` is rejected the same way. A result of 1 (a peer value
    /// in a tiny subgroup of a custom group) is rejected too.
    ///
    /// The secret is `Y^x mod p` with leading zero bytes stripped, as RFC 5246 §8.1.2
    /// requires for the TLS 1.2 premaster secret.
    pub fn agree(&self, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        let group = &self.group;
        if peer_public.is_empty() || peer_public.len() > group.p_len() {
            return Err(Error::InvalidDhPublicValue);
        }
        if let (true, Some(fast)) = (mont::FAST_PATH, &group.inner.fast) {
            return with_fast!(fast, |f| f.agree(
                peer_public,
                &self.x,
                self.exponent_bits,
                group.p_len()
            ));
        }
        let y = Nat::from_be(peer_public, group.precision()).ok_or(Error::InvalidDhPublicValue)?;
        // The peer's value is public: the comparisons may branch.
        let one = Nat::one(group.precision());
        if !one.ct_lt(&y).to_bool() || !y.ct_lt(&group.inner.p_minus_1).to_bool() {
            return Err(Error::InvalidDhPublicValue);
        }
        let params = &group.inner.params;
        let y = params.to_monty(&y);
        let mut z_monty = params.pow_bounded(&y, &self.x, self.exponent_bits);
        let mut z = params.retrieve(&z_monty);
        z_monty.zeroize();
        // Constant time; only "the result is 0 or 1" is revealed, and either means the
        // peer is hostile.
        let degenerate = (z.is_zero() | z.is_one()).to_bool().then_some(());
        let mut bytes = Zeroizing::new(z.to_be_bytes());
        z.zeroize();
        if degenerate.is_some() {
            return Err(Error::InvalidDhPublicValue);
        }
        strip_leading_zeros_in_place(&mut bytes);
        Ok(SharedSecret {
            bytes: core::mem::take(&mut *bytes),
        })
    }
}

/// A Diffie-Hellman shared secret (the TLS 1.2 premaster secret), zeroized on drop.
pub struct SharedSecret {
    bytes: Vec<u8>,
}

impl SharedSecret {
    /// The secret: `Y^x mod p`, big-endian, without leading zero bytes (RFC 5246 §8.1.2).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl core::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SharedSecret { .. }")
    }
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl ZeroizeOnDrop for SharedSecret {}

/// A uniformly random exponent of exactly `bits` bits (top bit set). The caller ensures
/// `bits` is below the bit length of p, so the exponent is below p - 1 with no rejection
/// loop (a p just above a power of two would otherwise make rejection sampling spin).
fn random_exponent<R: CryptoRng + ?Sized>(rng: &mut R, bits: u32) -> Nat {
    let len = bits.div_ceil(8) as usize;
    let excess = len as u32 * 8 - bits;
    let mut buf = Zeroizing::new(alloc::vec![0u8; len]);
    rng.fill_bytes(&mut buf);
    buf[0] &= 0xff >> excess;
    buf[0] |= 0x80 >> excess;
    Nat::from_be(&buf, bits).expect("buffer holds exactly `bits` bits")
}

/// `value` as big-endian bytes, left-padded (or trimmed of padding) to exactly `len`.
/// `value` must be below `2^(8 len)`.
fn left_padded(value: &Nat, len: usize) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let extra = bytes.len().saturating_sub(len);
    debug_assert!(bytes[..extra].iter().all(|&b| b == 0));
    let mut out = alloc::vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes[extra..]);
    out
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Remove leading zero bytes from a secret, counting them without a data-dependent
/// branch. (The resulting length is itself visible to whoever sees the secret's length;
/// RFC 5246 §8.1.2 demands the stripping.)
fn strip_leading_zeros_in_place(bytes: &mut Vec<u8>) {
    let mut zeros = 0usize;
    let mut still_leading = 1usize;
    for &b in bytes.iter() {
        // 1 while every byte so far is zero, then 0 for good.
        still_leading &= usize::from(b == 0);
        zeros += still_leading;
    }
    bytes.copy_within(zeros.., 0);
    let kept = bytes.len() - zeros;
    // The tail beyond `kept` is zeroized by the owner (SharedSecret / Zeroizing) along
    // with the spare capacity.
    bytes[kept..].fill(0);
    bytes.truncate(kept);
}

/// Bit length of a big-endian byte string without leading zeros.
fn bit_len(bytes: &[u8]) -> u32 {
    match bytes.first() {
        None => 0,
        Some(&top) => (bytes.len() as u32 - 1) * 8 + (8 - top.leading_zeros()),
    }
}

#[cfg(test)]
mod tests;
