//! SHA-1 and SHA-2 hashes behind one cloneable type.
//!
//! TLS 1.2 chooses its hash at run time (the PRF hash of the negotiated suite, the hash of
//! a signature algorithm), so the hashes are exposed as an enum rather than as generics.
//! [`Hasher`] is `Clone`: the handshake transcript snapshots a running hash (for the
//! extended master secret, CertificateVerify and Finished) and keeps going.
//!
//! Without the `sha512` feature, SHA-384 and SHA-512 are not compiled: the enum keeps
//! their variants, and every operation on them ([`HashAlgorithm::start`],
//! [`HashAlgorithm::hash`], HMAC, RSA signatures) returns [`Error::LeftOut`].

use digest::Digest as _;
use subtle::{Choice, ConstantTimeEq};

use crate::Error;

/// The largest output of any supported hash (SHA-512), in bytes.
pub const MAX_OUTPUT_LEN: usize = 64;

/// A hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1 (FIPS 180-4). Only for HMAC-SHA1 record MACs and verifying old signatures.
    Sha1,
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

impl HashAlgorithm {
    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Block length (the HMAC block size) in bytes.
    pub const fn block_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 | HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => 128,
        }
    }

    /// Whether this build has the algorithm (SHA-1 needs the `sha1` feature, SHA-384
    /// and SHA-512 the `sha512` feature).
    pub const fn is_available(self) -> bool {
        match self {
            HashAlgorithm::Sha1 => cfg!(feature = "sha1"),
            HashAlgorithm::Sha256 => true,
            HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => cfg!(feature = "sha512"),
        }
    }

    /// `Ok` if this build has the algorithm, else [`Error::LeftOut`] naming it and the
    /// feature that brings it back.
    pub const fn check_available(self) -> Result<(), Error> {
        if self.is_available() {
            Ok(())
        } else {
            Err(left_out(self))
        }
    }

    /// The algorithm's name, e.g. `"SHA-256"`.
    pub const fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// A new running hash; [`Error::LeftOut`] if this build does not have the algorithm.
    pub fn start(self) -> Result<Hasher, Error> {
        Hasher::new(self)
    }

    /// Hash `data` in one call; [`Error::LeftOut`] if this build does not have the
    /// algorithm.
    pub fn hash(self, data: &[u8]) -> Result<Output, Error> {
        let mut h = self.start()?;
        h.update(data);
        Ok(h.finish())
    }
}

/// SHA-256 of `data`: infallible, as every build has SHA-256 (the PRF and MAC of the
/// TLS 1.2 suites, certificate fingerprints).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

/// The error for an algorithm this build left out.
pub(crate) const fn left_out(alg: HashAlgorithm) -> Error {
    Error::LeftOut {
        what: alg.name(),
        feature: match alg {
            HashAlgorithm::Sha1 => "sha1",
            _ => "sha512",
        },
    }
}

#[derive(Clone)]
enum Inner {
    #[cfg(feature = "sha1")]
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    #[cfg(feature = "sha512")]
    Sha384(sha2::Sha384),
    #[cfg(feature = "sha512")]
    Sha512(sha2::Sha512),
}

/// A running hash that can be cloned mid-stream.
#[derive(Clone)]
pub struct Hasher {
    inner: Inner,
}

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// Start hashing with `alg`; [`Error::LeftOut`] if this build does not have it.
    pub fn new(alg: HashAlgorithm) -> Result<Self, Error> {
        let inner = match alg {
            #[cfg(feature = "sha1")]
            HashAlgorithm::Sha1 => Inner::Sha1(sha1::Sha1::new()),
            #[cfg(not(feature = "sha1"))]
            HashAlgorithm::Sha1 => return Err(left_out(alg)),
            HashAlgorithm::Sha256 => Inner::Sha256(sha2::Sha256::new()),
            #[cfg(feature = "sha512")]
            HashAlgorithm::Sha384 => Inner::Sha384(sha2::Sha384::new()),
            #[cfg(feature = "sha512")]
            HashAlgorithm::Sha512 => Inner::Sha512(sha2::Sha512::new()),
            #[cfg(not(feature = "sha512"))]
            HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => {
                return Err(left_out(alg));
            }
        };
        Ok(Hasher { inner })
    }

    /// Which hash this is.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self.inner {
            #[cfg(feature = "sha1")]
            Inner::Sha1(_) => HashAlgorithm::Sha1,
            Inner::Sha256(_) => HashAlgorithm::Sha256,
            #[cfg(feature = "sha512")]
            Inner::Sha384(_) => HashAlgorithm::Sha384,
            #[cfg(feature = "sha512")]
            Inner::Sha512(_) => HashAlgorithm::Sha512,
        }
    }

    /// Absorb `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            #[cfg(feature = "sha1")]
            Inner::Sha1(h) => h.update(data),
            Inner::Sha256(h) => h.update(data),
            #[cfg(feature = "sha512")]
            Inner::Sha384(h) => h.update(data),
            #[cfg(feature = "sha512")]
            Inner::Sha512(h) => h.update(data),
        }
    }

    /// The hash of everything absorbed so far, consuming the hasher. Clone first to keep
    /// going.
    pub fn finish(self) -> Output {
        match self.inner {
            #[cfg(feature = "sha1")]
            Inner::Sha1(h) => Output::from_slice(&h.finalize()),
            Inner::Sha256(h) => Output::from_slice(&h.finalize()),
            #[cfg(feature = "sha512")]
            Inner::Sha384(h) => Output::from_slice(&h.finalize()),
            #[cfg(feature = "sha512")]
            Inner::Sha512(h) => Output::from_slice(&h.finalize()),
        }
    }
}

/// A hash or MAC value of up to [`MAX_OUTPUT_LEN`] bytes, stored inline.
///
/// Equality is constant time (MAC tags and Finished values are compared through this type).
#[derive(Clone, Copy)]
pub struct Output {
    bytes: [u8; MAX_OUTPUT_LEN],
    len: u8,
}

impl Output {
    /// Copy `value` (at most [`MAX_OUTPUT_LEN`] bytes; longer input is a programming error
    /// and is truncated in release builds).
    pub fn from_slice(value: &[u8]) -> Self {
        debug_assert!(value.len() <= MAX_OUTPUT_LEN);
        let len = value.len().min(MAX_OUTPUT_LEN);
        let mut bytes = [0u8; MAX_OUTPUT_LEN];
        bytes[..len].copy_from_slice(&value[..len]);
        Output {
            bytes,
            len: len as u8,
        }
    }

    /// The value.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether the value is empty (never, for a real hash).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl ConstantTimeEq for Output {
    fn ct_eq(&self, other: &Self) -> Choice {
        // Lengths are public (they follow from the algorithm); the bytes are compared in
        // constant time.
        self.as_slice().ct_eq(other.as_slice())
    }
}

impl PartialEq for Output {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Output {}

impl core::fmt::Debug for Output {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.as_slice() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl zeroize::Zeroize for Output {
    fn zeroize(&mut self) {
        self.bytes.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // FIPS 180-4 example vectors ("abc" and the 448-bit message).
    const ABC: &[u8] = b"abc";
    const TWO_BLOCK: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    fn hex(s: &str) -> std::vec::Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn fips_180_4_vectors() {
        let cases = [
            (
                HashAlgorithm::Sha1,
                ABC,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                HashAlgorithm::Sha1,
                TWO_BLOCK,
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
            ),
            (
                HashAlgorithm::Sha256,
                ABC,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                HashAlgorithm::Sha256,
                TWO_BLOCK,
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                HashAlgorithm::Sha384,
                ABC,
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                 8086072ba1e7cc2358baeca134c825a7",
            ),
            (
                HashAlgorithm::Sha512,
                ABC,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                 2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
        ];
        for (alg, msg, want) in cases {
            if !alg.is_available() {
                continue;
            }
            let got = alg.hash(msg).unwrap();
            assert_eq!(got.as_slice(), hex(want), "{alg:?}");
            assert_eq!(got.len(), alg.output_len());
        }
    }

    #[test]
    fn clone_mid_stream_matches_one_shot() {
        for alg in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            if !alg.is_available() {
                continue;
            }
            let mut h = alg.start().unwrap();
            h.update(b"hello ");
            let snapshot = h.clone();
            h.update(b"world");
            assert_eq!(snapshot.finish(), alg.hash(b"hello ").unwrap());
            assert_eq!(h.finish(), alg.hash(b"hello world").unwrap());
            assert_ne!(
                alg.hash(b"hello ").unwrap(),
                alg.hash(b"hello world").unwrap()
            );
        }
    }

    #[test]
    fn availability_follows_the_sha512_feature() {
        for alg in [HashAlgorithm::Sha1, HashAlgorithm::Sha256] {
            assert!(alg.is_available());
            assert!(alg.check_available().is_ok());
        }
        for (alg, name) in [
            (HashAlgorithm::Sha384, "SHA-384"),
            (HashAlgorithm::Sha512, "SHA-512"),
        ] {
            assert_eq!(alg.is_available(), cfg!(feature = "sha512"));
            if cfg!(feature = "sha512") {
                assert!(alg.start().is_ok());
                continue;
            }
            let err = Error::LeftOut {
                what: name,
                feature: "sha512",
            };
            assert_eq!(alg.check_available(), Err(err));
            assert_eq!(alg.start().unwrap_err(), err);
            assert_eq!(alg.hash(b"abc").unwrap_err(), err);
            assert_eq!(
                std::format!("{err}"),
                std::format!("{name} is left out of this build (sanstls-crypto feature `sha512`)")
            );
        }
    }

    #[test]
    fn output_equality_depends_on_every_byte() {
        let a = HashAlgorithm::Sha256.hash(b"x").unwrap();
        for i in 0..a.len() {
            let mut bytes = [0u8; 32];
            bytes.copy_from_slice(a.as_slice());
            bytes[i] ^= 1;
            assert_ne!(a, Output::from_slice(&bytes));
        }
        assert_ne!(a, Output::from_slice(&a.as_slice()[..31]));
    }
}
