//! RSASSA-PSS (RFC 8017 §8.1, §9.1) with MGF1 over the message hash and a salt as long
//! as the hash: the parameters TLS's `rsa_pss_rsae_*` schemes require (RFC 8446 §4.2.3,
//! used by TLS 1.2 through RFC 8446 §1.3).

use alloc::vec;
use alloc::vec::Vec;

use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use super::keys::{RsaPrivateKey, RsaPublicKey};
use super::pkcs1v15::check_signing_hash;
use crate::Error;
use crate::hash::{HashAlgorithm, Hasher, MAX_OUTPUT_LEN};
use crate::rng::CryptoRng;

/// MGF1 (RFC 8017 Appendix B.2.1) with the hash of `fresh` (a hasher that has absorbed
/// nothing): XOR `mask(seed)` into `out`.
fn mgf1_xor(fresh: &Hasher, seed: &[u8], out: &mut [u8]) {
    let h_len = fresh.algorithm().output_len();
    // Step 3: T = T || Hash(mgfSeed || C) for C = 0 .. ceil(maskLen / hLen) - 1. maskLen
    // is at most 1 KiB here, far below the 2^32 * hLen limit of step 1.
    for (counter, chunk) in out.chunks_mut(h_len).enumerate() {
        let mut h = fresh.clone();
        h.update(seed);
        h.update(&(counter as u32).to_be_bytes());
        let t = h.finish();
        for (o, m) in chunk.iter_mut().zip(t.as_slice()) {
            *o ^= m;
        }
    }
}

/// `H = Hash(0x00 * 8 || mHash || salt)` (RFC 8017 §9.1.1 steps 5-6, §9.1.2 steps 12-13).
fn pss_hash(fresh: &Hasher, m_hash: &[u8], salt: &[u8]) -> crate::hash::Output {
    let mut h = fresh.clone();
    h.update(&[0u8; 8]);
    h.update(m_hash);
    h.update(salt);
    h.finish()
}

/// PSS uses SHA-256, SHA-384 or SHA-512 (TLS 1.2 defines no SHA-1 PSS scheme); returns
/// a fresh hasher for it.
fn pss_hasher(hash: HashAlgorithm) -> Result<Hasher, Error> {
    if hash == HashAlgorithm::Sha1 {
        return Err(Error::Unsupported("RSA-PSS with SHA-1"));
    }
    check_signing_hash(hash)?;
    hash.start()
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen, into a `k`-byte buffer whose
/// leading `k - emLen` bytes are zero.
fn emsa_pss_encode(
    hash: &Hasher,
    m_hash: &[u8],
    salt: &[u8],
    em_bits: usize,
    k: usize,
) -> Result<Vec<u8>, Error> {
    let h_len = hash.algorithm().output_len();
    let s_len = salt.len();
    let em_len = em_bits.div_ceil(8);
    // Step 3: "If emLen < hLen + sLen + 2, output 'encoding error'".
    if em_len < h_len + s_len + 2 {
        return Err(Error::MessageTooLong);
    }
    // Steps 5-6.
    let h = pss_hash(hash, m_hash, salt);
    let mut out = vec![0u8; k];
    let em = &mut out[k - em_len..];
    let db_len = em_len - h_len - 1;
    // Steps 7-8: DB = PS || 0x01 || salt, PS of emLen - sLen - hLen - 2 zero bytes.
    em[db_len - s_len - 1] = 0x01;
    em[db_len - s_len..db_len].copy_from_slice(salt);
    // Steps 9-10: maskedDB = DB xor MGF(H, emLen - hLen - 1).
    mgf1_xor(hash, h.as_slice(), &mut em[..db_len]);
    // Step 11: clear the leftmost 8emLen - emBits bits of maskedDB.
    em[0] &= 0xff >> (8 * em_len - em_bits);
    // Step 12: EM = maskedDB || H || 0xbc.
    em[db_len..em_len - 1].copy_from_slice(h.as_slice());
    em[em_len - 1] = 0xbc;
    Ok(out)
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen. `em` is the `emLen`-byte encoded
/// message. Every check is evaluated; the result is their conjunction.
fn emsa_pss_verify(hash: &Hasher, m_hash: &[u8], em: &[u8], em_bits: usize) -> Choice {
    let h_len = hash.algorithm().output_len();
    let s_len = h_len;
    let em_len = em.len();
    // Step 3: "If emLen < hLen + sLen + 2, output 'inconsistent'".
    if em_len < h_len + s_len + 2 {
        return Choice::from(0);
    }
    // Step 4: the rightmost octet of EM must be 0xbc.
    let mut ok = em[em_len - 1].ct_eq(&0xbc);
    // Step 5.
    let db_len = em_len - h_len - 1;
    let h = &em[db_len..em_len - 1];
    // Step 6: the leftmost 8emLen - emBits bits of maskedDB must be zero.
    let top_mask = 0xffu8 >> (8 * em_len - em_bits);
    ok &= (em[0] & !top_mask).ct_eq(&0);
    // Steps 7-9: DB = maskedDB xor MGF(H, emLen - hLen - 1), leftmost bits cleared.
    let mut db = Zeroizing::new(em[..db_len].to_vec());
    mgf1_xor(hash, h, &mut db);
    db[0] &= top_mask;
    // Step 10: the leftmost emLen - hLen - sLen - 2 octets of DB are zero and the next
    // one is 0x01.
    let ps_len = em_len - h_len - s_len - 2;
    let mut nonzero = 0u8;
    for &b in &db[..ps_len] {
        nonzero |= b;
    }
    ok &= nonzero.ct_eq(&0);
    ok &= db[ps_len].ct_eq(&0x01);
    // Steps 11-14: salt = last sLen octets of DB; H' = Hash(0^8 || mHash || salt); H == H'.
    let salt = &db[db_len - s_len..];
    let h2 = pss_hash(hash, m_hash, salt);
    ok & h.ct_eq(h2.as_slice())
}

impl RsaPublicKey {
    /// RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) of `sig` over `msg`, with `hash` (SHA-256,
    /// SHA-384 or SHA-512) as the message hash and the MGF1 hash, and a salt of the hash
    /// length.
    pub fn verify_pss(&self, hash: HashAlgorithm, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        pss_hasher(hash)?;
        self.verify_pss_prehashed(hash, hash.hash(msg)?.as_slice(), sig)
    }

    /// RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) over an already computed `digest` (which must be
    /// `hash.output_len()` bytes).
    pub fn verify_pss_prehashed(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        let fresh = pss_hasher(hash)?;
        if digest.len() != hash.output_len() {
            return Err(Error::InvalidLength);
        }
        // Step 1: the signature must be k octets; step 2: RSAVP1 (s < n).
        let m = self.public_op(sig).ok_or(Error::BadSignature)?;
        // Step 2c: EM = I2OSP(m, emLen), emLen = ceil((modBits - 1) / 8). When emLen is
        // k - 1, the leading octet of the k-octet value must be zero.
        let em_bits = self.bits as usize - 1;
        let em_len = em_bits.div_ceil(8);
        let (lead, em) = m.split_at(self.k - em_len);
        let ok = lead.iter().fold(0u8, |acc, &b| acc | b).ct_eq(&0)
            & emsa_pss_verify(&fresh, digest, em, em_bits);
        if bool::from(ok) {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }
}

impl RsaPrivateKey {
    /// RSASSA-PSS-SIGN (RFC 8017 §8.1.1) of `msg`, with `hash` (SHA-256, SHA-384 or
    /// SHA-512) as the message hash and the MGF1 hash, and a random salt of the hash
    /// length drawn from `rng` (which also blinds the private operation).
    pub fn sign_pss<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: HashAlgorithm,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        pss_hasher(hash)?;
        self.sign_pss_prehashed(rng, hash, hash.hash(msg)?.as_slice())
    }

    /// RSASSA-PSS-SIGN (RFC 8017 §8.1.1) of an already computed `digest` (which must be
    /// `hash.output_len()` bytes).
    pub fn sign_pss_prehashed<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let fresh = pss_hasher(hash)?;
        if digest.len() != hash.output_len() {
            return Err(Error::InvalidLength);
        }
        // §9.1.1 step 4: a random salt of sLen = hLen octets.
        let mut salt_buf = [0u8; MAX_OUTPUT_LEN];
        let salt = &mut salt_buf[..hash.output_len()];
        rng.fill_bytes(salt);
        // §8.1.1 step 1: EMSA-PSS encoding with emBits = modBits - 1.
        let em = emsa_pss_encode(
            &fresh,
            digest,
            salt,
            self.public.bits as usize - 1,
            self.public.k,
        )?;
        // Steps 2a-c: OS2IP, RSASP1, I2OSP. EM is below 2^(modBits - 1) <= n.
        let m = self
            .public
            .to_uint_below_n(&em)
            .ok_or(Error::MessageTooLong)?;
        let s = self.private_raw(rng, &m)?;
        Ok(s.to_vec())
    }
}
