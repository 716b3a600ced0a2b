//! HMAC (RFC 2104) over SHA-1, SHA-256, SHA-384 and SHA-512.
//!
//! [`Hmac`] is keyed once and can then be cloned cheaply: the key schedule (the hash
//! states after absorbing `K ^ ipad` and `K ^ opad`) is computed in [`Hmac::new`], and a
//! clone copies those two states without touching the key again. The TLS PRF
//! (RFC 5246 §5) relies on this: it runs many HMACs under one secret.
//!
//! Key material is wiped on drop: the inner `hmac` crate and the hash crates are built
//! with their `zeroize` feature, which makes every keyed state (and its block buffer)
//! zeroize itself when dropped. A compile-time assertion below keeps it that way.
//!
//! ```
//! use sanstls_crypto::hash::HashAlgorithm;
//! use sanstls_crypto::hmac::{Hmac, hmac};
//!
//! let mut mac = Hmac::new(HashAlgorithm::Sha256, b"key")?;
//! mac.update(b"The quick brown fox ");
//! mac.update(b"jumps over the lazy dog");
//! let tag = mac.finish();
//! let again = hmac(HashAlgorithm::Sha256, b"key", b"The quick brown fox jumps over the lazy dog")?;
//! assert_eq!(tag, again);
//!
//! let check = Hmac::new(HashAlgorithm::Sha256, b"key")?;
//! assert!(!bool::from(check.verify(b"not the tag")));
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```
//!
//! Without the `sha512` feature, HMAC-SHA-384 and HMAC-SHA-512 are not compiled and
//! [`Hmac::new`] returns [`Error::LeftOut`] for them.

use hmac::Mac as _;
use subtle::{Choice, ConstantTimeEq as _};

use crate::Error;
use crate::hash::{HashAlgorithm, Output};

#[derive(Clone)]
enum Inner {
    #[cfg(feature = "sha1")]
    Sha1(hmac::Hmac<sha1::Sha1>),
    Sha256(hmac::Hmac<sha2::Sha256>),
    #[cfg(feature = "sha512")]
    Sha384(hmac::Hmac<sha2::Sha384>),
    #[cfg(feature = "sha512")]
    Sha512(hmac::Hmac<sha2::Sha512>),
}

// The keyed states must wipe themselves on drop (see the module docs). `hmac::Hmac<D>`
// holds two `D::Core` states and a block buffer, each of which zeroizes itself in its own
// `Drop` when the `zeroize` features are on; `hmac::Hmac` itself carries no
// `ZeroizeOnDrop` marker, so assert it on the parts. This fails to compile if a `zeroize`
// feature is ever dropped from Cargo.toml.
const _: () = {
    use hmac::EagerHash;
    const fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    #[cfg(feature = "sha1")]
    assert_zeroize_on_drop::<<sha1::Sha1 as EagerHash>::Core>();
    assert_zeroize_on_drop::<<sha2::Sha256 as EagerHash>::Core>();
    #[cfg(feature = "sha512")]
    assert_zeroize_on_drop::<<sha2::Sha384 as EagerHash>::Core>();
    #[cfg(feature = "sha512")]
    assert_zeroize_on_drop::<<sha2::Sha512 as EagerHash>::Core>();
    // The hash wrappers' marker also checks their block buffer type, the one `hmac` uses.
    assert_zeroize_on_drop::<sha2::Sha256>();
    #[cfg(feature = "sha512")]
    assert_zeroize_on_drop::<sha2::Sha512>();
    #[cfg(feature = "sha1")]
    assert_zeroize_on_drop::<sha1::Sha1>();
};

/// A keyed, running HMAC computation.
///
/// Cloning copies the keyed state (no rehashing of the key), so a keyed `Hmac` can serve
/// as a template for many MACs under the same key.
#[derive(Clone)]
pub struct Hmac {
    inner: Inner,
}

impl core::fmt::Debug for Hmac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hmac")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Hmac {
    /// Key an HMAC with `alg` as the hash.
    ///
    /// Any key length is accepted: keys longer than the hash's block length are hashed
    /// first and shorter keys are zero-padded, as RFC 2104 §2 specifies.
    ///
    /// [`Error::LeftOut`] if this build does not have the hash (SHA-384 and SHA-512 need
    /// the `sha512` feature).
    pub fn new(alg: HashAlgorithm, key: &[u8]) -> Result<Self, Error> {
        // `new_from_slice` cannot fail for HMAC (every key length is valid); the `hmac`
        // crate documents and implements it as infallible.
        let inner = match alg {
            #[cfg(feature = "sha1")]
            HashAlgorithm::Sha1 => Inner::Sha1(keyed(key)),
            #[cfg(not(feature = "sha1"))]
            HashAlgorithm::Sha1 => return Err(crate::hash::left_out(alg)),
            HashAlgorithm::Sha256 => Inner::Sha256(keyed(key)),
            #[cfg(feature = "sha512")]
            HashAlgorithm::Sha384 => Inner::Sha384(keyed(key)),
            #[cfg(feature = "sha512")]
            HashAlgorithm::Sha512 => Inner::Sha512(keyed(key)),
            #[cfg(not(feature = "sha512"))]
            HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => {
                return Err(crate::hash::left_out(alg));
            }
        };
        Ok(Hmac { inner })
    }

    /// The hash this HMAC runs on.
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
            Inner::Sha1(m) => m.update(data),
            Inner::Sha256(m) => m.update(data),
            #[cfg(feature = "sha512")]
            Inner::Sha384(m) => m.update(data),
            #[cfg(feature = "sha512")]
            Inner::Sha512(m) => m.update(data),
        }
    }

    /// The tag over everything absorbed, consuming the HMAC (clone first to keep a keyed
    /// template). Its length is the hash's output length.
    pub fn finish(self) -> Output {
        match self.inner {
            #[cfg(feature = "sha1")]
            Inner::Sha1(m) => Output::from_slice(&m.finalize().into_bytes()),
            Inner::Sha256(m) => Output::from_slice(&m.finalize().into_bytes()),
            #[cfg(feature = "sha512")]
            Inner::Sha384(m) => Output::from_slice(&m.finalize().into_bytes()),
            #[cfg(feature = "sha512")]
            Inner::Sha512(m) => Output::from_slice(&m.finalize().into_bytes()),
        }
    }

    /// Whether `tag` is the full-length tag over everything absorbed, compared in
    /// constant time.
    ///
    /// A `tag` of the wrong length is rejected (the result is 0); the length itself is
    /// public, so that check is not hidden. Truncated tags are not accepted here: a caller
    /// that uses truncated HMAC compares a prefix of [`Hmac::finish`] itself.
    pub fn verify(self, tag: &[u8]) -> Choice {
        let mut ours = self.finish();
        let ok = ours.as_slice().ct_eq(tag);
        zeroize::Zeroize::zeroize(&mut ours);
        ok
    }
}

fn keyed<M: hmac::KeyInit>(key: &[u8]) -> M {
    match M::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

/// HMAC of `data` under `key` in one call; [`Error::LeftOut`] if this build does not
/// have the hash.
pub fn hmac(alg: HashAlgorithm, key: &[u8], data: &[u8]) -> Result<Output, Error> {
    let mut m = Hmac::new(alg, key)?;
    m.update(data);
    Ok(m.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    const ALL: [HashAlgorithm; 4] = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    /// RFC 4231 §4: test cases 1-7 (case 5, the truncated one, is checked on its
    /// 128-bit prefix as the RFC specifies).
    #[test]
    fn rfc4231_vectors() {
        struct Case {
            key: Vec<u8>,
            data: Vec<u8>,
            sha256: &'static str,
            sha384: &'static str,
            sha512: &'static str,
        }
        let cases = [
            Case {
                key: [0x0b; 20].to_vec(),
                data: b"Hi There".to_vec(),
                sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                sha384: "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c\
                         faea9ea9076ede7f4af152e8b2fa9cb6",
                sha512: "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde\
                         daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
            },
            Case {
                key: b"Jefe".to_vec(),
                data: b"what do ya want for nothing?".to_vec(),
                sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                sha384: "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
                         8e2240ca5e69e2c78b3239ecfab21649",
                sha512: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
                         9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            },
            Case {
                key: [0xaa; 20].to_vec(),
                data: [0xdd; 50].to_vec(),
                sha256: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                sha384: "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b\
                         2a5ab39dc13814b94e3ab6e101a34f27",
                sha512: "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39\
                         bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
            },
            Case {
                key: h("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                data: [0xcd; 50].to_vec(),
                sha256: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                sha384: "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e\
                         6801dd23c4a7d679ccf8a386c674cffb",
                sha512: "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db\
                         a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
            },
            Case {
                key: [0xaa; 131].to_vec(),
                data: b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                sha384: "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6\
                         0c2ef6ab4030fe8296248df163f44952",
                sha512: "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352\
                         6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
            },
            Case {
                key: [0xaa; 131].to_vec(),
                data: b"This is a test using a larger than block-size key and a larger \
                        than block-size data. The key needs to be hashed before being used \
                        by the HMAC algorithm."
                    .to_vec(),
                sha256: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                sha384: "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5\
                         a678cc31e799176d3860e6110c46523e",
                sha512: "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944\
                         b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
            },
        ];
        for (i, c) in cases.iter().enumerate() {
            for (alg, want) in [
                (HashAlgorithm::Sha256, c.sha256),
                (HashAlgorithm::Sha384, c.sha384),
                (HashAlgorithm::Sha512, c.sha512),
            ] {
                if !alg.is_available() {
                    continue;
                }
                let got = hmac(alg, &c.key, &c.data).unwrap();
                assert_eq!(got.as_slice(), h(want), "case {i} {alg:?}");
                let m = Hmac::new(alg, &c.key).unwrap();
                let mut m2 = m.clone();
                m2.update(&c.data);
                assert!(bool::from(m2.verify(&h(want))), "case {i} {alg:?}");
            }
        }

        // Test case 5: truncation to 128 bits; the RFC gives only the prefix.
        let key = [0x0c; 20];
        let data = b"Test With Truncation";
        for (alg, prefix) in [
            (HashAlgorithm::Sha256, "a3b6167473100ee06e0c796c2955552b"),
            (HashAlgorithm::Sha384, "3abf34c3503b2a23a46efc619baef897"),
            (HashAlgorithm::Sha512, "415fad6271580a531d4179bc891d87a6"),
        ] {
            if !alg.is_available() {
                continue;
            }
            assert_eq!(
                &hmac(alg, &key, data).unwrap().as_slice()[..16],
                h(prefix),
                "{alg:?}"
            );
        }
    }

    /// RFC 2202 §3: HMAC-SHA-1 test cases 1-7 (case 5's full tag is given there).
    #[test]
    fn rfc2202_sha1_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (
                [0x0b; 20].to_vec(),
                b"Hi There".to_vec(),
                "b617318655057264e28bc0b6fb378c8ef146be00",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                [0xaa; 20].to_vec(),
                [0xdd; 50].to_vec(),
                "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
            ),
            (
                h("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                [0xcd; 50].to_vec(),
                "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
            ),
            (
                [0x0c; 20].to_vec(),
                b"Test With Truncation".to_vec(),
                "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
            ),
            (
                [0xaa; 80].to_vec(),
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            ),
            (
                [0xaa; 80].to_vec(),
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
                    .to_vec(),
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
            ),
        ];
        for (i, (key, data, want)) in cases.iter().enumerate() {
            let got = hmac(HashAlgorithm::Sha1, key, data).unwrap();
            assert_eq!(got.as_slice(), h(want), "case {}", i + 1);
        }
    }

    #[test]
    fn streaming_and_clone_match_one_shot() {
        for alg in ALL.into_iter().filter(|a| a.is_available()) {
            let keyed = Hmac::new(alg, b"a key").unwrap();
            assert_eq!(keyed.algorithm(), alg);
            let mut a = keyed.clone();
            for chunk in b"hello, streaming world".chunks(3) {
                a.update(chunk);
            }
            let mut b = keyed.clone();
            b.update(b"hello, streaming world");
            let one = hmac(alg, b"a key", b"hello, streaming world").unwrap();
            assert_eq!(a.finish(), one);
            assert_eq!(b.finish(), one);
            assert_eq!(one.len(), alg.output_len());
            // The template is untouched by its clones' use.
            assert_eq!(keyed.finish(), hmac(alg, b"a key", b"").unwrap());
        }
    }

    #[test]
    fn verify_rejects_wrong_tags() {
        for alg in ALL.into_iter().filter(|a| a.is_available()) {
            let tag = hmac(alg, b"k", b"m").unwrap();
            let m = Hmac::new(alg, b"k").unwrap();
            let mut fed = m.clone();
            fed.update(b"m");
            assert!(bool::from(fed.clone().verify(tag.as_slice())));
            // Every single-bit flip is rejected.
            for i in 0..tag.len() {
                let mut bad = tag.as_slice().to_vec();
                bad[i] ^= 0x80;
                assert!(!bool::from(fed.clone().verify(&bad)), "{alg:?} byte {i}");
            }
            // Truncated, extended and empty tags are rejected.
            let full = tag.as_slice();
            assert!(!bool::from(fed.clone().verify(&full[..full.len() - 1])));
            let mut longer = full.to_vec();
            longer.push(0);
            assert!(!bool::from(fed.clone().verify(&longer)));
            assert!(!bool::from(fed.verify(&[])));
            // A different message under the same key does not verify.
            assert!(!bool::from(m.verify(full)));
        }
    }

    #[test]
    fn left_out_hashes_are_errors() {
        for alg in [HashAlgorithm::Sha384, HashAlgorithm::Sha512] {
            if alg.is_available() {
                continue;
            }
            let err = alg.check_available().unwrap_err();
            assert!(matches!(
                err,
                Error::LeftOut {
                    feature: "sha512",
                    ..
                }
            ));
            assert_eq!(Hmac::new(alg, b"k").unwrap_err(), err);
            assert_eq!(hmac(alg, b"k", b"m").unwrap_err(), err);
        }
    }
}
