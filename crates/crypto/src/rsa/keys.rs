//! RSA key types: parsing (PKCS#1, PKCS#8, SubjectPublicKeyInfo, PEM) and validation.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use crypto_bigint::Choice;
use der::Decode;
use pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::public_mont::PublicModulus;
use super::{MAX_MODULUS_BITS, MAX_PUBLIC_EXPONENT_BITS, MIN_MODULUS_BITS};
use crate::Error;
use crate::bigint::mont::FAST_PATH;
use crate::bigint::{self, Modulus, Nat, Residue};
use crate::provider::RsaPrivateOperation;

/// An RSA public key `(n, e)`.
///
/// The key is validated when it is built: the modulus is odd and between 1024 and 8192
/// bits, and the public exponent is odd with `3 <= e < 2^33`. Both bounds cap the cost
/// of a public operation (see [`RsaPublicKey::public_op_cost`]): at most about 66
/// multiplications modulo an 8192-bit `n`, a few milliseconds.
#[derive(Clone)]
pub struct RsaPublicKey {
    /// The modulus, at a precision of whole limbs.
    pub(super) n: Nat,
    /// `n` with its Montgomery constants, for the public operation (hand-written: see
    /// `public_mont`).
    mont: PublicModulus,
    /// The public exponent, at its own (minimal) precision.
    pub(super) e: Nat,
    /// Bit length of `e` (public; exponentiation by `e` is variable time in `e` only).
    pub(super) e_bits: u32,
    /// Bit length of `n`.
    pub(super) bits: u32,
    /// Byte length of `n` (`k` in RFC 8017).
    pub(super) k: usize,
    /// `n`, big-endian, without leading zeros.
    n_be: Vec<u8>,
    /// `e`, big-endian, without leading zeros.
    e_be: Vec<u8>,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("modulus_bits", &self.bits)
            .field("e", &HexBytes(&self.e_be))
            .field("n", &HexBytes(&self.n_be))
            .finish_non_exhaustive()
    }
}

struct HexBytes<'a>(&'a [u8]);

impl fmt::Debug for HexBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.n_be == other.n_be && self.e_be == other.e_be
    }
}

impl Eq for RsaPublicKey {}

/// Strip leading zero bytes. Variable time in the number of leading zeros only, which for
/// secret values the (minimal) DER encoding already shows.
fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Bit length of a big-endian byte string without leading zeros.
fn bit_len(trimmed: &[u8]) -> u32 {
    match trimmed.first() {
        None => 0,
        Some(&b) => (trimmed.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
    }
}

/// A `Nat` of exactly `precision` bits (rounded up to whole limbs) from big-endian
/// bytes; `None` if the value does not fit.
pub(super) fn uint_from_be(bytes: &[u8], precision: u32) -> Option<Nat> {
    let bytes = trim(bytes);
    if bit_len(bytes) > precision {
        return None;
    }
    Nat::from_be(bytes, precision)
}

/// Precision (bits, a whole number of 64-bit words so that it is the same on 32-bit targets)
/// for a value of `bits` bits.
fn precision_for(bits: u32) -> u32 {
    bits.max(1).div_ceil(64) * 64
}

fn ct(c: Choice) -> bool {
    c.to_bool()
}

impl RsaPublicKey {
    /// Parse a PKCS#1 `RSAPublicKey` (RFC 8017 Appendix A.1.1), DER-encoded.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let key = RsaPublicKeyRef::from_der(der)
            .map_err(|_| Error::KeyEncoding("malformed PKCS#1 RSAPublicKey"))?;
        Self::from_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    }

    /// Parse an X.509 `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) holding an
    /// `rsaEncryption` key (RFC 3279 §2.3.1), DER-encoded.
    pub fn from_public_key_der(der: &[u8]) -> Result<Self, Error> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| Error::KeyEncoding("malformed SubjectPublicKeyInfo"))?;
        check_rsa_algorithm(&spki.algorithm)?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Error::KeyEncoding("public key BIT STRING has unused bits"))?;
        Self::from_pkcs1_der(bits)
    }

    /// Parse a PEM public key: `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1) or
    /// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|_| Error::KeyEncoding("malformed PEM"))?;
        match label {
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            "PUBLIC KEY" => Self::from_public_key_der(&der),
            _ => Err(Error::KeyEncoding(
                "PEM label is not \"RSA PUBLIC KEY\" or \"PUBLIC KEY\"",
            )),
        }
    }

    /// Build a key from the big-endian modulus `n` and public exponent `e`, validating
    /// them: `n` odd and 1024 to 8192 bits, `e` odd with `3 <= e < 2^33`.
    ///
    /// Every way of making a public key (SubjectPublicKeyInfo, PKCS#1, PEM, and the public
    /// half of a private key) goes through here, so no key with a costlier public
    /// operation exists. A larger `e` is [`Error::UnsupportedPublicExponent`]; `e` of 1,
    /// or even, is [`Error::InvalidKey`] (RFC 8017 §3.1: `3 <= e`, `e` odd since it is
    /// coprime to `lambda(n)`).
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let n_be = trim(n);
        let e_be = trim(e);
        let bits = bit_len(n_be);
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) {
            return Err(Error::UnsupportedKeySize { bits });
        }
        if bits > bigint::MAX_MODULUS_BITS {
            return Err(Error::Unsupported(
                "RSA moduli over 4096 bits on a target without atomic pointers (fixed-width \
                 big-integer backend)",
            ));
        }
        if n_be[n_be.len() - 1] & 1 == 0 {
            return Err(Error::InvalidKey("modulus n is even"));
        }
        let e_bits = bit_len(e_be);
        if e_bits <= 1 {
            return Err(Error::InvalidKey(
                "public exponent e must be greater than 1",
            ));
        }
        if e_be[e_be.len() - 1] & 1 == 0 {
            return Err(Error::InvalidKey("public exponent e is even"));
        }
        // Odd and above 1, so e >= 3. The upper bound also gives e < n, since n has at
        // least MIN_MODULUS_BITS > MAX_PUBLIC_EXPONENT_BITS bits.
        if e_bits > MAX_PUBLIC_EXPONENT_BITS {
            return Err(Error::UnsupportedPublicExponent { bits: e_bits });
        }
        let precision = precision_for(bits);
        let n_uint = uint_from_be(n_be, precision).ok_or(Error::InvalidKey("modulus too large"))?;
        let e_uint = uint_from_be(e_be, precision_for(e_bits))
            .ok_or(Error::InvalidKey("public exponent too large"))?;
        // `n` is public: the variable-time set-up is fine.
        let mont = PublicModulus::new(n_be).ok_or(Error::InvalidKey("modulus n is even"))?;
        Ok(RsaPublicKey {
            n: n_uint,
            mont,
            e: e_uint,
            e_bits,
            bits,
            k: bits.div_ceil(8) as usize,
            n_be: n_be.to_vec(),
            e_be: e_be.to_vec(),
        })
    }

    /// Size of the modulus in bits.
    pub fn modulus_bits(&self) -> u32 {
        self.bits
    }

    /// Size of the modulus in bytes (`k` in RFC 8017): the length of every ciphertext and
    /// signature for this key.
    pub fn modulus_len(&self) -> usize {
        self.k
    }

    /// The modulus `n`, big-endian, without leading zeros.
    pub fn n_bytes(&self) -> Vec<u8> {
        self.n_be.clone()
    }

    /// The public exponent `e`, big-endian, without leading zeros.
    pub fn e_bytes(&self) -> Vec<u8> {
        self.e_be.clone()
    }

    /// The size of `e` in bits (2 to 33).
    pub fn exponent_bits(&self) -> u32 {
        self.e_bits
    }

    /// The work of one public operation (a signature check or an encryption), in
    /// word-multiplication units: the number of Montgomery multiplications modulo `n`
    /// (one squaring per bit of `e` after the first, one multiplication per further set
    /// bit, one each into and out of Montgomery form) times the square of the number of
    /// 64-bit words of `n`, which is what each multiplication costs.
    ///
    /// One unit is about 3 ns on a current x86-64 core; the largest key this type allows
    /// (8192 bits, `e = 2^33 - 1`) costs 66 * 128^2 = 1,081,344 units (about 3 ms), a
    /// 2048-bit key with `e = 65537` 19 * 32^2 = 19,456 units. Certificate path building
    /// charges this against its budget, so that a chain of costly keys cannot take
    /// unbounded time.
    pub fn public_op_cost(&self) -> u64 {
        let words = u64::from(self.bits.div_ceil(64));
        let weight: u64 = self.e_be.iter().map(|b| u64::from(b.count_ones())).sum();
        let multiplications = u64::from(self.e_bits - 1) + weight.saturating_sub(1) + 2;
        multiplications * words * words
    }

    /// The work of building the key (the Montgomery constants of `n`), in the units of
    /// [`RsaPublicKey::public_op_cost`]: about sixteen multiplications modulo `n` (up to
    /// 32 doublings per 64-bit word of `n`, then a dozen Montgomery squarings).
    pub fn setup_cost(&self) -> u64 {
        let words = u64::from(self.bits.div_ceil(64));
        16 * words * words
    }

    /// `x^e mod s` for `x` in Montgomery form modulo a prime `s` of a private key (the
    /// blinding of private operations).
    ///
    /// Left-to-right square-and-multiply over the bits of the public exponent: variable
    /// time in `e` (public) only; every multiplication is constant time in `x`.
    pub(super) fn pow_e(&self, m: &Modulus, x: &Residue) -> Residue {
        let mut acc = x.clone();
        for i in (0..self.e_bits - 1).rev() {
            acc = m.square(&acc);
            if self.e.bit_vartime(i) {
                acc = m.mul(&acc, x);
            }
        }
        acc
    }

    /// RSAEP / RSAVP1 (RFC 8017 §5.1.1, §5.2.2): `input^e mod n` for a `k`-byte input,
    /// returned as `k` bytes. Errors if the input has the wrong length or is not less
    /// than `n` ("message representative out of range").
    ///
    /// Left-to-right square-and-multiply over the bits of the public exponent: variable
    /// time in `e` (public) only; every multiplication is constant time in the input
    /// (a premaster being encrypted, a private operation's result being checked).
    pub(super) fn public_op(&self, input: &[u8]) -> Option<Vec<u8>> {
        // The range check (constant time in the input; the verdict is public).
        self.to_uint_below_n(input)?;
        let e_bits = (0..self.e_bits).rev().map(|i| {
            let byte = self.e_be[self.e_be.len() - 1 - (i / 8) as usize];
            (byte >> (i % 8)) & 1 == 1
        });
        self.mont.pow(input, e_bits)
    }

    /// OS2IP of a `k`-byte string, checking that it is less than `n` (RFC 8017 §5.1.2
    /// step 1, §5.2.2 step 1). The length and the comparison are public.
    pub(super) fn to_uint_below_n(&self, input: &[u8]) -> Option<Nat> {
        if input.len() != self.k {
            return None;
        }
        let x = Nat::from_be(input, self.n.precision())?;
        if ct(x.ct_lt(&self.n)) { Some(x) } else { None }
    }

    /// I2OSP (RFC 8017 §4.1) of a value less than `n` into exactly `k` bytes.
    pub(super) fn to_k_bytes(&self, x: &Nat) -> Vec<u8> {
        let full = Zeroizing::new(x.to_be_bytes());
        full[full.len() - self.k..].to_vec()
    }
}

fn check_rsa_algorithm(alg: &spki::AlgorithmIdentifierRef<'_>) -> Result<(), Error> {
    if alg.oid != pkcs1::ALGORITHM_OID {
        return Err(Error::KeyEncoding("algorithm is not rsaEncryption"));
    }
    // RFC 3279 §2.3.1: the parameters field MUST be NULL. Absent parameters are accepted
    // too, as most implementations do.
    match alg.parameters {
        None => Ok(()),
        Some(p) if p == der::asn1::AnyRef::NULL => Ok(()),
        Some(_) => Err(Error::KeyEncoding("rsaEncryption parameters are not NULL")),
    }
}

/// An RSA private key with two primes, validated on load, with the CRT values and the
/// Montgomery parameters of `n`, `p` and `q` precomputed.
///
/// Secret values held by this type are zeroized when it is dropped, with one exception:
/// `p` and `q` also live inside `crypto-bigint`'s Montgomery parameters, which implement
/// no zeroization, so those copies are freed without being wiped.
pub struct RsaPrivateKey {
    pub(super) public: RsaPublicKey,
    /// Montgomery parameters for `p` (the modulus is `p` itself).
    pub(super) p_params: Modulus,
    /// Montgomery parameters for `q`.
    pub(super) q_params: Modulus,
    /// `q`, at the precision of `q`.
    pub(super) q: Nat,
    /// `d mod (p - 1)`, at the precision of `p`.
    pub(super) dp: Nat,
    /// `d mod (q - 1)`, at the precision of `q`.
    pub(super) dq: Nat,
    /// `q^-1 mod p` in Montgomery form modulo `p`.
    pub(super) qinv: Residue,
    /// A provider's private operation for this key, used instead of the built-in one
    /// (see [`crate::provider`]).
    pub(super) provided: Option<Box<dyn RsaPrivateOperation>>,
    /// The same key at a fixed width, for 2048-, 3072- and 4096-bit keys with primes of
    /// half the size: the private operation's fast path (`math.rs`).
    pub(super) fast: Option<super::math::FastCrt>,
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("public", &self.public)
            .field("provided", &self.provided.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for RsaPrivateKey {
    fn drop(&mut self) {
        self.q.zeroize();
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
        if let Some(fast) = &mut self.fast {
            fast.zeroize();
        }
    }
}

impl ZeroizeOnDrop for RsaPrivateKey {}

/// Secret big integers built during loading, wiped however loading ends.
struct Secret(Nat);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::ops::Deref for Secret {
    type Target = Nat;
    fn deref(&self) -> &Nat {
        &self.0
    }
}

impl RsaPrivateKey {
    /// Parse a PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2), DER-encoded. Multi-prime
    /// keys are refused.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let key = RsaPrivateKeyRef::from_der(der)
            .map_err(|_| Error::KeyEncoding("malformed PKCS#1 RSAPrivateKey"))?;
        if key.other_prime_infos.is_some() {
            return Err(Error::Unsupported("multi-prime RSA private keys"));
        }
        Self::from_parts(&Parts {
            n: key.modulus.as_bytes(),
            e: key.public_exponent.as_bytes(),
            d: key.private_exponent.as_bytes(),
            p: key.prime1.as_bytes(),
            q: key.prime2.as_bytes(),
            dp: key.exponent1.as_bytes(),
            dq: key.exponent2.as_bytes(),
            qinv: key.coefficient.as_bytes(),
        })
    }

    /// Parse a PKCS#8 `PrivateKeyInfo` (RFC 5208 / RFC 5958) holding an `rsaEncryption`
    /// key, DER-encoded.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|_| Error::KeyEncoding("malformed PKCS#8 PrivateKeyInfo"))?;
        check_rsa_algorithm(&info.algorithm)?;
        Self::from_pkcs1_der(info.private_key.as_bytes())
    }

    /// Parse a PEM private key: `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) or
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8). Encrypted keys are not supported.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|_| Error::KeyEncoding("malformed PEM"))?;
        let der = Zeroizing::new(der);
        match label {
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "ENCRYPTED PRIVATE KEY" => Err(Error::Unsupported("encrypted private keys")),
            _ => Err(Error::KeyEncoding(
                "PEM label is not \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"",
            )),
        }
    }

    /// The public half of the key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// Validate and precompute.
    ///
    /// Validation runs once per key load. It uses constant-time arithmetic throughout
    /// (remainders, products, constant-time comparisons and Montgomery parameter setup), so nothing here is variable time in the secret values except the
    /// bit lengths of `p` and `q` (which follow from the key size) and the early return
    /// naming which check failed, which only ever happens for a broken key.
    fn from_parts(parts: &Parts<'_>) -> Result<Self, Error> {
        let public = RsaPublicKey::from_components(parts.n, parts.e)?;
        let n_prec = public.n.precision();

        // p and q: nonzero, odd, distinct, p * q == n (RFC 8017 §3.2).
        let p_bits = bit_len(trim(parts.p));
        let q_bits = bit_len(trim(parts.q));
        if p_bits < 2 || q_bits < 2 {
            return Err(Error::InvalidKey("prime p or q is less than 2"));
        }
        if p_bits + q_bits < public.bits || p_bits + q_bits > public.bits + 1 {
            return Err(Error::InvalidKey("p * q != n"));
        }
        // Two-prime keys from any real generator have primes of about half the modulus
        // size; a much smaller factor makes n easy to factor.
        if p_bits.min(q_bits) < public.bits / 4 {
            return Err(Error::InvalidKey(
                "prime p or q is too small for the modulus",
            ));
        }
        let p_prec = precision_for(p_bits);
        let q_prec = precision_for(q_bits);
        let p = Secret(uint_from_be(parts.p, p_prec).ok_or(Error::InvalidKey("p * q != n"))?);
        let q = Secret(uint_from_be(parts.q, q_prec).ok_or(Error::InvalidKey("p * q != n"))?);
        if !ct(p.0.is_odd()) || !ct(q.0.is_odd()) {
            return Err(Error::InvalidKey("prime p or q is even"));
        }
        if p_prec == q_prec && ct(p.ct_eq(&q)) {
            return Err(Error::InvalidKey("p == q"));
        }
        let pq = Secret(p.mul_wide(&q));
        let n_wide = public.n.resize(pq.precision().max(n_prec));
        let pq_wide = Secret(pq.resize(n_wide.precision()));
        if !ct(pq_wide.ct_eq(&n_wide)) {
            return Err(Error::InvalidKey("p * q != n"));
        }

        // d: 0 < d < n.
        let d = Secret(
            uint_from_be(parts.d, n_prec)
                .ok_or(Error::InvalidKey("private exponent d is not less than n"))?,
        );
        if ct(d.is_zero()) || !ct(d.ct_lt(&public.n)) {
            return Err(Error::InvalidKey(
                "private exponent d is not in the range 0 < d < n",
            ));
        }

        let p_minus_1 = Secret(p.wrapping_sub(&Nat::one(p_prec)));
        let q_minus_1 = Secret(q.wrapping_sub(&Nat::one(q_prec)));
        if ct(p_minus_1.is_zero()) || ct(q_minus_1.is_zero()) {
            return Err(Error::InvalidKey("prime p or q is less than 2"));
        }

        // dp, dq: e * dp == 1 mod (p - 1), e * dq == 1 mod (q - 1) (RFC 8017 §3.2: e * dP ≡
        // 1 (mod p-1)), then dp == d mod (p - 1) and dq == d mod (q - 1). Together these
        // imply d * e == 1 mod lcm(p - 1, q - 1).
        let dp = Secret(
            uint_from_be(parts.dp, p_prec).ok_or(Error::InvalidKey("dp is not less than p - 1"))?,
        );
        let dq = Secret(
            uint_from_be(parts.dq, q_prec).ok_or(Error::InvalidKey("dq is not less than q - 1"))?,
        );
        if !ct(dp.ct_lt(&p_minus_1)) {
            return Err(Error::InvalidKey("dp is not less than p - 1"));
        }
        if !ct(dq.ct_lt(&q_minus_1)) {
            return Err(Error::InvalidKey("dq is not less than q - 1"));
        }
        let dp_e = Secret(dp.mul_wide(&public.e));
        let edp = Secret(rem(&dp_e, &p_minus_1)?);
        if !ct(edp.is_one()) {
            return Err(Error::InvalidKey("e * dp != 1 mod (p - 1)"));
        }
        let dq_e = Secret(dq.mul_wide(&public.e));
        let edq = Secret(rem(&dq_e, &q_minus_1)?);
        if !ct(edq.is_one()) {
            return Err(Error::InvalidKey("e * dq != 1 mod (q - 1)"));
        }
        let d_mod_p1 = Secret(rem(&d, &p_minus_1)?);
        if !ct(d_mod_p1.ct_eq(&dp)) {
            return Err(Error::InvalidKey("dp != d mod (p - 1)"));
        }
        let d_mod_q1 = Secret(rem(&d, &q_minus_1)?);
        if !ct(d_mod_q1.ct_eq(&dq)) {
            return Err(Error::InvalidKey("dq != d mod (q - 1)"));
        }

        // qinv: 0 < qinv < p and qinv * q == 1 mod p.
        let qinv = Secret(
            uint_from_be(parts.qinv, p_prec).ok_or(Error::InvalidKey("qinv is not less than p"))?,
        );
        if !ct(qinv.ct_lt(&p)) {
            return Err(Error::InvalidKey("qinv is not less than p"));
        }
        let p_params = Modulus::new(&p).ok_or(Error::InvalidKey("prime p or q is even"))?;
        let q_params = Modulus::new(&q).ok_or(Error::InvalidKey("prime p or q is even"))?;
        let qinv_times_q = Secret(qinv.mul_wide(&q));
        let qinv_q = Secret(p_params.reduce(&qinv_times_q));
        if !ct(qinv_q.is_one()) {
            return Err(Error::InvalidKey("qinv * q != 1 mod p"));
        }

        let e = public
            .e_be
            .iter()
            .fold(0u64, |e, &b| (e << 8) | u64::from(b));
        // The fixed-width fast path only on 64-bit targets (hosts, servers): on a 32-bit
        // microcontroller its three monomorphized widths cost about 30 KB of flash and its
        // 5-bit window table 8 KB more stack, which matter more there than the speed (an
        // RSA engine plugs in through `provider::hardware` instead).
        let fast = FAST_PATH
            .then(|| {
                super::math::FastCrt::new(&super::math::CrtParts {
                    n: &public.n,
                    e,
                    p: &p,
                    q: &q,
                    dp: &dp,
                    dq: &dq,
                    qinv: &qinv,
                })
            })
            .flatten();
        let key = RsaPrivateKey {
            fast,
            qinv: p_params.to_monty(&qinv),
            public,
            p_params,
            q_params,
            q: q.0.clone(),
            dp: dp.0.clone(),
            dq: dq.0.clone(),
            provided: None,
        };

        // A self-test of the CRT private operation catches what the checks above cannot
        // see cheaply (for example a composite p or q): x^d^e must give x back.
        if !key.self_test() {
            return Err(Error::InvalidKey(
                "private-key self-test failed (p or q is not prime?)",
            ));
        }
        Ok(key)
    }
}

/// `x mod m` for a nonzero `m` (checked by the caller).
fn rem(x: &Nat, m: &Nat) -> Result<Nat, Error> {
    x.rem(m)
        .ok_or(Error::InvalidKey("prime p or q is less than 2"))
}

struct Parts<'a> {
    n: &'a [u8],
    e: &'a [u8],
    d: &'a [u8],
    p: &'a [u8],
    q: &'a [u8],
    dp: &'a [u8],
    dq: &'a [u8],
    qinv: &'a [u8],
}
