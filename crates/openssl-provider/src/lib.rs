//! A sanstls [`CryptoProvider`] on the system's OpenSSL (libcrypto 3.0 or later, through
//! the `openssl` crate).
//!
//! sanstls runs every operation on its own code by default (RustCrypto and
//! `crypto-bigint`, `no_std`). On a server with libssl installed, [`OpensslProvider`]
//! moves the operations that dominate a handshake or a bulk transfer to OpenSSL's
//! assembly:
//!
//! - the RSA private operation of a loaded key (RSADP / RSASP1 on `k`-byte blocks, no
//!   padding: OpenSSL uses the CRT and blinds each operation with its own generator);
//! - ephemeral finite-field Diffie-Hellman (the RFC 7919 groups and any group sanstls
//!   accepts): `BN_mod_exp_mont_consttime`, the exponentiation of OpenSSL's DH, with an
//!   exponent of [`DhGroup::min_exponent_bits`] bits drawn from the generator sanstls
//!   passes;
//! - ephemeral ECDH on X25519, secp256r1 and secp384r1, private scalars drawn from the
//!   generator sanstls passes;
//! - AEAD record protection: AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, one
//!   OpenSSL cipher context per key (key schedule once, per record only the nonce).
//!
//! What sanstls keeps whatever the provider is listed in [`sanstls_crypto::provider`]:
//! the PKCS#1 encodings and the constant-time premaster handling, the re-encryption check
//! of every RSA result, the `1 < Y < p - 1` check of a peer's DH value, the record
//! layer's framing and nonces, hashes, HMAC and the CBC suites.
//!
//! ```
//! use sanstls_crypto::rsa::RsaPrivateKey;
//! use sanstls_openssl::OpensslProvider;
//! # let key_pem = include_str!("../../../testdata/server-rsa2048.rsa.pem");
//!
//! let provider = OpensslProvider::new();
//! // The key's private operation runs on OpenSSL from now on.
//! let key = RsaPrivateKey::from_pem_with(key_pem, &provider)?;
//! assert!(key.is_provided());
//! # Ok::<(), sanstls_crypto::Error>(())
//! ```
//!
//! A server or client configuration takes it for its ephemeral keys and record keys:
//! `ServerConfig::builder().crypto_provider(Shared::new(OpensslProvider::new()))`, with
//! the certificate's key loaded through `CertifiedKey::from_pem_with(chain, key,
//! &provider)` (sanstls-proto).
//!
//! # Scope
//!
//! This crate is optional and nothing in sanstls depends on it: the default everywhere
//! is [`sanstls_crypto::provider::BuiltIn`]. It needs `std` and a libssl / libcrypto to
//! link against (the `openssl-sys` build script finds it with `pkg-config`; Debian's
//! `libssl-dev`). The `sanstls` command uses it with `--provider openssl` when built
//! with its `openssl` feature. A device with an RSA engine instead of an operating
//! system uses the skeleton in [`sanstls_crypto::provider::hardware`].
//!
//! # Behaviour the provider guarantees
//!
//! The same as the built-in code ([`sanstls_crypto::dh`], [`sanstls_crypto::ecdh`],
//! [`sanstls_crypto::aead`]):
//!
//! - DH: the public value is left-padded to the length of `p`; the shared secret has no
//!   leading zero bytes (RFC 5246 §8.1.2).
//! - ECDH: a peer value of the wrong length is [`Error::InvalidLength`]; a NIST point that
//!   is not in the uncompressed form, not on the curve (or the identity) is
//!   [`Error::InvalidEcPoint`]; an all-zero X25519 result is [`Error::ZeroSharedSecret`].
//!   NIST secrets are the x-coordinate at the full field length.
//! - AEAD: a wrong tag is [`Error::BadTag`].
//!
//! An error from OpenSSL itself (which the tests never see) is
//! [`Error::Unsupported`] naming the operation.
#![forbid(unsafe_code)]

use std::sync::{Mutex, OnceLock, PoisonError};

use openssl::bn::{BigNum, BigNumContext};
use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use openssl::derive::Deriver;
use openssl::ec::{EcGroup as OsslEcGroup, EcKey, EcPoint, PointConversionForm};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::{Padding, Rsa};
use sanstls_crypto::Error;
use sanstls_crypto::dh::DhGroup;
use sanstls_crypto::ecdh::EcGroup;
use sanstls_crypto::provider::{
    AeadAlgorithm, AeadKey, CryptoProvider, KeyExchange, RsaPrivateOperation,
};
use sanstls_crypto::rng::CryptoRng;
use zeroize::Zeroizing;

/// The provider: every operation it offers runs on the system's OpenSSL.
///
/// It holds nothing (OpenSSL's state is per key), so it is free to clone and share.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpensslProvider;

impl OpensslProvider {
    /// The provider.
    pub fn new() -> Self {
        OpensslProvider
    }

    /// The OpenSSL library version this process runs, e.g. `"OpenSSL 3.0.13 30 Jan
    /// 2024"` (for logs and benchmark labels).
    pub fn library_version() -> &'static str {
        openssl::version::version()
    }
}

impl CryptoProvider for OpensslProvider {
    fn name(&self) -> &'static str {
        "openssl"
    }

    fn rsa_private_key(
        &self,
        pkcs1_der: &[u8],
    ) -> Option<Result<Box<dyn RsaPrivateOperation>, Error>> {
        Some(OpensslRsa::new(pkcs1_der).map(|k| Box::new(k) as Box<dyn RsaPrivateOperation>))
    }

    fn start_dh(
        &self,
        group: &DhGroup,
        rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
        Some(OpensslDh::generate(group, rng).map(|k| Box::new(k) as Box<dyn KeyExchange>))
    }

    fn start_ecdh(
        &self,
        group: EcGroup,
        rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, Error>> {
        let kx = match group {
            EcGroup::X25519 => {
                OpensslX25519::generate(rng).map(|k| Box::new(k) as Box<dyn KeyExchange>)
            }
            EcGroup::Secp256r1 | EcGroup::Secp384r1 => {
                OpensslEcdh::generate(group, rng).map(|k| Box::new(k) as Box<dyn KeyExchange>)
            }
            // A group added to sanstls later: its built-in code runs.
            #[allow(unreachable_patterns)]
            _ => return None,
        };
        Some(kx)
    }

    fn aead_key(&self, alg: AeadAlgorithm, key: &[u8]) -> Option<Result<Box<dyn AeadKey>, Error>> {
        let cipher = match alg {
            AeadAlgorithm::Aes128Gcm => Cipher::aes_128_gcm(),
            AeadAlgorithm::Aes256Gcm => Cipher::aes_256_gcm(),
            AeadAlgorithm::ChaCha20Poly1305 => Cipher::chacha20_poly1305(),
            // An algorithm added to sanstls later: its built-in code runs.
            #[allow(unreachable_patterns)]
            _ => return None,
        };
        Some(OpensslAead::new(cipher, key).map(|k| Box::new(k) as Box<dyn AeadKey>))
    }
}

/// An OpenSSL failure that is not the peer's fault: the operation is named, OpenSSL's
/// error queue is dropped (the `openssl` crate has already drained it).
fn ossl(what: &'static str) -> impl FnOnce(openssl::error::ErrorStack) -> Error {
    move |_| Error::Unsupported(what)
}

// ----- RSA -----------------------------------------------------------------------

/// An RSA private key inside OpenSSL.
struct OpensslRsa {
    key: Rsa<Private>,
    k: usize,
}

impl OpensslRsa {
    fn new(pkcs1_der: &[u8]) -> Result<Self, Error> {
        let key = Rsa::private_key_from_der(pkcs1_der)
            .map_err(|_| Error::InvalidKey("OpenSSL refused the PKCS#1 RSA private key"))?;
        let k = key.size() as usize;
        Ok(OpensslRsa { key, k })
    }
}

impl RsaPrivateOperation for OpensslRsa {
    /// `RSA_private_decrypt` with `RSA_NO_PADDING`: OpenSSL's CRT with its own blinding
    /// (its generator, not `rng`); sanstls re-encrypts the result.
    fn private(&self, _rng: &mut dyn CryptoRng, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
        if input.len() != self.k || out.len() != self.k {
            return Err(Error::InvalidLength);
        }
        let n = self
            .key
            .private_decrypt(input, out, Padding::NONE)
            .map_err(ossl("OpenSSL RSA private operation failed"))?;
        if n != self.k {
            return Err(Error::Unsupported(
                "OpenSSL RSA private operation returned a short block",
            ));
        }
        Ok(())
    }
}

// ----- Finite-field DH -------------------------------------------------------------

/// An ephemeral DH key: the group's `p` and the exponent `x` as OpenSSL big numbers,
/// `x` flagged constant-time (`BN_FLG_CONSTTIME`, so that `BN_mod_exp` takes
/// `BN_mod_exp_mont_consttime`, the exponentiation OpenSSL's own DH uses).
///
/// Not `DH_compute_key` / `EVP_PKEY_derive` on a `Dh`: OpenSSL 3 recognizes the RFC
/// 7919 and RFC 3526 groups when `p` and `g` are set, adds their `q`, and then checks
/// every peer value with `Y^q = 1 mod p`, a full-length exponentiation, twice per
/// agreement (`EVP_PKEY_derive_set_peer` and `DH_compute_key`): about 2.1 ms per
/// agreement on ffdhe2048 against 0.28 ms for `Y^x` with the 225-bit exponent.
/// sanstls checks `1 < Y < p - 1` (RFC 7919 §3) before the provider sees a value and
/// refuses a result of 1, as the built-in code does; with a safe prime (every RFC
/// 7919 group) a value outside the subgroup of order `q` at most leaks the low bit of
/// an exponent used once. (And `Dh::compute_key` of the `openssl` crate keeps the
/// whole `DH_size` buffer, so a secret with a leading zero byte would come back
/// shifted.)
struct OpensslDh {
    p: BigNum,
    x: BigNum,
    /// `g^x mod p`, left-padded to the length of p.
    public: Vec<u8>,
}

impl Drop for OpensslDh {
    fn drop(&mut self) {
        // BN_clear: the exponent's words are wiped before BN_free.
        self.x.clear();
    }
}

impl OpensslDh {
    fn generate(group: &DhGroup, rng: &mut dyn CryptoRng) -> Result<Self, Error> {
        let p = BigNum::from_slice(group.p_bytes()).map_err(ossl("OpenSSL BN_bin2bn failed"))?;
        let g = BigNum::from_slice(group.g_bytes()).map_err(ossl("OpenSSL BN_bin2bn failed"))?;
        let mut x = random_exponent(rng, group.min_exponent_bits())?;
        x.set_const_time();
        let mut ctx = BigNumContext::new().map_err(ossl("OpenSSL BN_CTX_new failed"))?;
        let mut y = BigNum::new().map_err(ossl("OpenSSL BN_new failed"))?;
        y.mod_exp(&g, &x, &p, &mut ctx)
            .map_err(ossl("OpenSSL BN_mod_exp failed"))?;
        // (p is at most 8192 bits: sanstls's `DhGroup` bound.)
        let p_len = i32::try_from(group.p_bytes().len()).map_err(|_| Error::InvalidLength)?;
        let public = y
            .to_vec_padded(p_len)
            .map_err(ossl("OpenSSL BN_bn2binpad failed"))?;
        Ok(OpensslDh { p, x, public })
    }
}

/// A uniformly random exponent of exactly `bits` bits (top bit set), as the built-in
/// `DhPrivateKey::generate` draws it (the same generator output gives the same
/// exponent). `bits` is below the bit length of `p`.
fn random_exponent(rng: &mut dyn CryptoRng, bits: u32) -> Result<BigNum, Error> {
    let len = bits.div_ceil(8) as usize;
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    rng.fill_bytes(&mut bytes);
    let top_bits = bits - 8 * (len as u32 - 1); // 1..=8 bits in the first byte
    bytes[0] &= (0xffu16 >> (8 - top_bits)) as u8;
    bytes[0] |= 1 << (top_bits - 1);
    BigNum::from_slice(&bytes).map_err(ossl("OpenSSL BN_bin2bn failed"))
}

impl KeyExchange for OpensslDh {
    fn public_value(&self) -> Vec<u8> {
        self.public.clone()
    }

    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        // sanstls has checked 1 < Y < p - 1 (`DhEphemeral::agree`); the length is checked
        // again here for direct use, as the built-in key does.
        if peer.is_empty() || peer.len() > self.public.len() {
            return Err(Error::InvalidDhPublicValue);
        }
        let y = BigNum::from_slice(peer).map_err(|_| Error::InvalidDhPublicValue)?;
        let mut ctx = BigNumContext::new().map_err(ossl("OpenSSL BN_CTX_new failed"))?;
        let mut z = BigNum::new().map_err(ossl("OpenSSL BN_new failed"))?;
        let done = z.mod_exp(&y, &self.x, &self.p, &mut ctx);
        // BN_bn2bin: big-endian without leading zero bytes (RFC 5246 §8.1.2).
        let secret = Zeroizing::new(z.to_vec());
        z.clear();
        done.map_err(ossl("OpenSSL BN_mod_exp failed"))?;
        if secret.len() <= 1 && secret.first().is_none_or(|&b| b <= 1) {
            // 0 or 1: only a hostile peer value gives them.
            return Err(Error::InvalidDhPublicValue);
        }
        Ok(secret)
    }
}

// ----- ECDH ----------------------------------------------------------------------

/// OpenSSL's curve for a NIST group, built once per process.
fn nist_group(group: EcGroup) -> Result<&'static OsslEcGroup, Error> {
    static P256: OnceLock<OsslEcGroup> = OnceLock::new();
    static P384: OnceLock<OsslEcGroup> = OnceLock::new();
    let (cell, nid) = match group {
        EcGroup::Secp384r1 => (&P384, Nid::SECP384R1),
        _ => (&P256, Nid::X9_62_PRIME256V1),
    };
    if let Some(g) = cell.get() {
        return Ok(g);
    }
    let g = OsslEcGroup::from_curve_name(nid).map_err(ossl("OpenSSL EC_GROUP_new failed"))?;
    Ok(cell.get_or_init(|| g))
}

/// An ephemeral key on secp256r1 or secp384r1 inside OpenSSL.
struct OpensslEcdh {
    group: EcGroup,
    key: PKey<Private>,
    /// The uncompressed point `0x04 || X || Y`.
    public: Vec<u8>,
}

impl OpensslEcdh {
    fn generate(group: EcGroup, rng: &mut dyn CryptoRng) -> Result<Self, Error> {
        let curve = nist_group(group)?;
        let mut ctx = BigNumContext::new().map_err(ossl("OpenSSL BN_CTX_new failed"))?;
        let mut order = BigNum::new().map_err(ossl("OpenSSL BN_new failed"))?;
        curve
            .order(&mut order, &mut ctx)
            .map_err(ossl("OpenSSL EC_GROUP_get_order failed"))?;
        // A scalar in [1, n - 1] by rejection (P-256 rejects about 2^-32 of draws, P-384
        // about 2^-190).
        let mut bytes = Zeroizing::new(vec![0u8; group.secret_len()]);
        let scalar = loop {
            rng.fill_bytes(&mut bytes);
            let k = BigNum::from_slice(&bytes).map_err(ossl("OpenSSL BN_bin2bn failed"))?;
            if k.num_bits() > 0 && k.ucmp(&order) == std::cmp::Ordering::Less {
                break k;
            }
        };
        // `EC_POINT_mul` with the generator alone: the constant-time path, the call
        // `EC_KEY_generate_key` makes.
        let mut point = EcPoint::new(curve).map_err(ossl("OpenSSL EC_POINT_new failed"))?;
        point
            .mul_generator2(curve, &scalar, &mut ctx)
            .map_err(ossl("OpenSSL EC_POINT_mul failed"))?;
        let public = point
            .to_bytes(curve, PointConversionForm::UNCOMPRESSED, &mut ctx)
            .map_err(ossl("OpenSSL EC_POINT_point2oct failed"))?;
        let ec = EcKey::from_private_components(curve, &scalar, &point)
            .map_err(ossl("OpenSSL EC_KEY_set_private_key failed"))?;
        drop(scalar);
        let key = PKey::from_ec_key(ec).map_err(ossl("OpenSSL EVP_PKEY_assign_EC_KEY failed"))?;
        Ok(OpensslEcdh { group, key, public })
    }
}

impl KeyExchange for OpensslEcdh {
    fn public_value(&self) -> Vec<u8> {
        self.public.clone()
    }

    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        if peer.len() != self.group.public_len() {
            return Err(Error::InvalidLength);
        }
        // RFC 8422 §5.4: uncompressed points only (OpenSSL would take the compressed and
        // hybrid forms too).
        if peer[0] != 0x04 {
            return Err(Error::InvalidEcPoint);
        }
        let curve = nist_group(self.group)?;
        let mut ctx = BigNumContext::new().map_err(ossl("OpenSSL BN_CTX_new failed"))?;
        // EC_POINT_oct2point checks the curve equation; an uncompressed encoding cannot
        // be the identity.
        let point =
            EcPoint::from_bytes(curve, peer, &mut ctx).map_err(|_| Error::InvalidEcPoint)?;
        if point.is_infinity(curve) || !point.is_on_curve(curve, &mut ctx).unwrap_or(false) {
            return Err(Error::InvalidEcPoint);
        }
        let peer_key = EcKey::from_public_key(curve, &point)
            .and_then(PKey::from_ec_key)
            .map_err(|_| Error::InvalidEcPoint)?;
        let mut deriver =
            Deriver::new(&self.key).map_err(ossl("OpenSSL EVP_PKEY_derive_init failed"))?;
        deriver
            .set_peer(&peer_key)
            .map_err(|_| Error::InvalidEcPoint)?;
        // The x-coordinate, padded to the field length (ECDH_compute_key's BN_bn2binpad).
        let mut secret = Zeroizing::new(vec![0u8; self.group.secret_len()]);
        let n = deriver
            .derive(&mut secret)
            .map_err(|_| Error::InvalidEcPoint)?;
        if n != secret.len() {
            return Err(Error::Unsupported("OpenSSL ECDH returned a short secret"));
        }
        Ok(secret)
    }
}

/// An ephemeral X25519 key inside OpenSSL.
struct OpensslX25519 {
    key: PKey<Private>,
    public: Vec<u8>,
}

impl OpensslX25519 {
    fn generate(rng: &mut dyn CryptoRng) -> Result<Self, Error> {
        // RFC 7748 §5: 32 random bytes; OpenSSL clamps them.
        let mut k = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(k.as_mut());
        let key = PKey::private_key_from_raw_bytes(k.as_ref(), Id::X25519)
            .map_err(ossl("OpenSSL EVP_PKEY_new_raw_private_key failed"))?;
        let public = key
            .raw_public_key()
            .map_err(ossl("OpenSSL EVP_PKEY_get_raw_public_key failed"))?;
        Ok(OpensslX25519 { key, public })
    }
}

impl KeyExchange for OpensslX25519 {
    fn public_value(&self) -> Vec<u8> {
        self.public.clone()
    }

    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        if peer.len() != 32 {
            return Err(Error::InvalidLength);
        }
        // Every 32-byte string is a u-coordinate (the top bit is masked, RFC 7748 §5).
        let peer_key =
            PKey::public_key_from_raw_bytes(peer, Id::X25519).map_err(|_| Error::InvalidEcPoint)?;
        let mut deriver =
            Deriver::new(&self.key).map_err(ossl("OpenSSL EVP_PKEY_derive_init failed"))?;
        deriver
            .set_peer(&peer_key)
            .map_err(|_| Error::InvalidEcPoint)?;
        let mut secret = Zeroizing::new(vec![0u8; 32]);
        // OpenSSL's X25519 fails on the all-zero result (RFC 7748 §6.1), its only
        // failure for a 32-byte input; the explicit check covers a library that did not.
        let n = deriver
            .derive(&mut secret)
            .map_err(|_| Error::ZeroSharedSecret)?;
        if n != 32 || openssl::memcmp::eq(&secret[..], &[0u8; 32]) {
            return Err(Error::ZeroSharedSecret);
        }
        Ok(secret)
    }
}

// ----- AEAD ----------------------------------------------------------------------

/// An AEAD key inside one OpenSSL cipher context: the key is set once, at creation;
/// each record re-initializes the context with its nonce only (and the direction), so
/// the AES key schedule and GHASH key, or the ChaCha20 key, are not recomputed.
///
/// The context is behind a mutex because the trait is `Sync`; a record key is used by
/// one connection direction at a time, so the lock is never contended.
struct OpensslAead {
    ctx: Mutex<CipherCtx>,
}

impl OpensslAead {
    fn new(cipher: &CipherRef, key: &[u8]) -> Result<Self, Error> {
        // The `openssl` crate panics on a short key: check first.
        if key.len() != cipher.key_length() || cipher.iv_length() != 12 {
            return Err(Error::InvalidLength);
        }
        let mut ctx = CipherCtx::new().map_err(ossl("OpenSSL EVP_CIPHER_CTX_new failed"))?;
        ctx.encrypt_init(Some(cipher), Some(key), None)
            .map_err(ossl("OpenSSL EVP_EncryptInit_ex failed"))?;
        Ok(OpensslAead {
            ctx: Mutex::new(ctx),
        })
    }
}

impl AeadKey for OpensslAead {
    fn seal_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; 16], Error> {
        // A panic inside OpenSSL's calls cannot leave the context half-used for the next
        // record: every call starts with a fresh init. So a poisoned lock is fine.
        let mut ctx = self.ctx.lock().unwrap_or_else(PoisonError::into_inner);
        ctx.encrypt_init(None, None, Some(nonce))
            .map_err(ossl("OpenSSL EVP_EncryptInit_ex failed"))?;
        if !aad.is_empty() {
            ctx.cipher_update(aad, None)
                .map_err(ossl("OpenSSL EVP_EncryptUpdate (AAD) failed"))?;
        }
        if !buf.is_empty() {
            let n = ctx
                .cipher_update_inplace(buf, buf.len())
                .map_err(ossl("OpenSSL EVP_EncryptUpdate failed"))?;
            if n != buf.len() {
                return Err(Error::Unsupported("OpenSSL AEAD buffered part of a record"));
            }
        }
        let mut rest = [0u8; 16];
        ctx.cipher_final(&mut rest)
            .map_err(ossl("OpenSSL EVP_EncryptFinal_ex failed"))?;
        let mut tag = [0u8; 16];
        ctx.tag(&mut tag)
            .map_err(ossl("OpenSSL EVP_CTRL_AEAD_GET_TAG failed"))?;
        Ok(tag)
    }

    fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<(), Error> {
        let mut ctx = self.ctx.lock().unwrap_or_else(PoisonError::into_inner);
        ctx.decrypt_init(None, None, Some(nonce))
            .map_err(ossl("OpenSSL EVP_DecryptInit_ex failed"))?;
        ctx.set_tag(tag)
            .map_err(ossl("OpenSSL EVP_CTRL_AEAD_SET_TAG failed"))?;
        if !aad.is_empty() {
            ctx.cipher_update(aad, None)
                .map_err(ossl("OpenSSL EVP_DecryptUpdate (AAD) failed"))?;
        }
        if !buf.is_empty() {
            let n = ctx
                .cipher_update_inplace(buf, buf.len())
                .map_err(ossl("OpenSSL EVP_DecryptUpdate failed"))?;
            if n != buf.len() {
                return Err(Error::Unsupported("OpenSSL AEAD buffered part of a record"));
            }
        }
        let mut rest = [0u8; 16];
        ctx.cipher_final(&mut rest).map_err(|_| Error::BadTag)?;
        Ok(())
    }
}

impl core::fmt::Debug for OpensslAead {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("OpensslAead { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sanstls_crypto::dh::NamedDhGroup;
    use sanstls_crypto::rng::SeededRng;

    #[test]
    fn exponent_has_exact_length() {
        let mut rng = SeededRng::from_seed([9; 32]);
        for bits in [225, 256, 275, 325, 2047] {
            for _ in 0..20 {
                let x = random_exponent(&mut rng, bits).unwrap();
                assert_eq!(u32::try_from(x.num_bits()).unwrap(), bits);
            }
        }
    }

    #[test]
    fn one_context_seals_and_opens_alternately() {
        for (cipher, len) in [
            (Cipher::aes_128_gcm(), 16),
            (Cipher::aes_256_gcm(), 32),
            (Cipher::chacha20_poly1305(), 32),
        ] {
            let key = OpensslAead::new(cipher, &vec![7u8; len]).unwrap();
            for i in 0..4u8 {
                let nonce = [i; 12];
                let mut buf = vec![i; 100 + usize::from(i)];
                let tag = key.seal_in_place(&nonce, b"aad", &mut buf).unwrap();
                let mut bad = buf.clone();
                bad[0] ^= 1;
                assert_eq!(
                    key.open_in_place(&nonce, b"aad", &mut bad, &tag),
                    Err(Error::BadTag)
                );
                key.open_in_place(&nonce, b"aad", &mut buf, &tag).unwrap();
                assert_eq!(buf, vec![i; 100 + usize::from(i)]);
            }
            assert_eq!(
                OpensslAead::new(cipher, &vec![7u8; len - 1]).unwrap_err(),
                Error::InvalidLength
            );
        }
    }

    #[test]
    fn dh_public_value_is_padded() {
        let group = DhGroup::named(NamedDhGroup::Ffdhe2048);
        let mut rng = SeededRng::from_seed([1; 32]);
        let k = OpensslDh::generate(&group, &mut rng).unwrap();
        assert_eq!(k.public_value().len(), 256);
    }
}
