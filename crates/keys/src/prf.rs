//! The TLS 1.2 pseudo-random function (RFC 5246 §5).
//!
//! ```text
//! PRF(secret, label, seed) = P_<hash>(secret, label + seed)
//! P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//!                        HMAC_hash(secret, A(2) + seed) + ...
//! A(0) = seed,  A(i) = HMAC_hash(secret, A(i-1))
//! ```
//!
//! The hash is the negotiated suite's PRF hash: SHA-256 for every suite sanstls
//! implements, SHA-384 for suites that name it (RFC 5246 §5: "New cipher suites MUST
//! explicitly specify a PRF"). The secret is keyed into HMAC once; every block clones
//! the keyed state.
//!
//! ```
//! use sanstls_crypto::hash::HashAlgorithm;
//! use sanstls_keys::prf::prf;
//!
//! let mut out = [0u8; 20];
//! prf(HashAlgorithm::Sha256, b"secret", b"test label", &[b"seed"], &mut out)?;
//! assert_ne!(out, [0u8; 20]);
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```

use sanstls_crypto::Error;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::hmac::Hmac;
use zeroize::Zeroize as _;

/// Fill `out` with `PRF(secret, label, seed)` where the seed is the concatenation of
/// `seed_parts` (so callers need not join randoms into a buffer first).
///
/// Errors only if `alg` is left out of this build of sanstls-crypto (SHA-384 without its
/// `sha512` feature): [`Error::LeftOut`], with `out` untouched.
pub fn prf(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    seed_parts: &[&[u8]],
    out: &mut [u8],
) -> Result<(), Error> {
    let keyed = Hmac::new(alg, secret)?;
    let absorb_seed = |m: &mut Hmac| {
        m.update(label);
        for part in seed_parts {
            m.update(part);
        }
    };
    // A(1) = HMAC(secret, label + seed).
    let mut a = {
        let mut m = keyed.clone();
        absorb_seed(&mut m);
        m.finish()
    };
    for chunk in out.chunks_mut(alg.output_len()) {
        let mut m = keyed.clone();
        m.update(a.as_slice());
        absorb_seed(&mut m);
        let mut block = m.finish();
        chunk.copy_from_slice(&block.as_slice()[..chunk.len()]);
        block.zeroize();
        // A(i+1) = HMAC(secret, A(i)).
        let mut m = keyed.clone();
        m.update(a.as_slice());
        let next = m.finish();
        a.zeroize();
        a = next;
    }
    a.zeroize();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    /// The TLS 1.2 PRF test vectors that circulated on the IETF TLS mailing list
    /// (secret, seed, label "test label"); the expected outputs were also confirmed with
    /// `openssl kdf -keylen N -kdfopt digest:SHA256|SHA384 -kdfopt hexsecret:..
    /// -kdfopt hexseed:<"test label" + seed> TLS1-PRF` (OpenSSL 3.0.19).
    #[test]
    fn published_vectors() {
        let cases = [
            (
                HashAlgorithm::Sha256,
                "9bbe436ba940f017b17652849a71db35",
                "a0ba9f936cda311827a6f796ffd5198c",
                "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
                 6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
                 4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
                 87347b66",
            ),
            (
                HashAlgorithm::Sha384,
                "b80b733d6ceefcdc71566ea48e5567df",
                "cd665cf6a8447dd6ff8b27555edb7465",
                "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
                 e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
                 8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
                 9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
                 91c8f3a26854308d5eaa3be85e0990703d73e56f",
            ),
        ];
        for (alg, secret, seed, want) in cases {
            let secret = hex::decode(secret).unwrap();
            let seed = hex::decode(seed).unwrap();
            let want = hex::decode(want).unwrap();
            let mut out = vec![0u8; want.len()];
            prf(alg, &secret, b"test label", &[&seed], &mut out).unwrap();
            assert_eq!(hex::encode(&out), hex::encode(&want), "{alg:?}");
            // Split seeds and short outputs give prefixes of the same stream.
            for len in [0, 1, 31, 32, 33, 64, 65] {
                let mut short = vec![0u8; len];
                prf(
                    alg,
                    &secret,
                    b"test ",
                    &[b"label", &seed[..3], &seed[3..]],
                    &mut short,
                )
                .unwrap();
                assert_eq!(short, want[..len], "{alg:?} {len}");
            }
        }
    }
}
