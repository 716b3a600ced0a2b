//! PKCS#1 v1.5: RSAES-PKCS1-v1_5 (RFC 8017 §7.2) and RSASSA-PKCS1-v1_5 (§8.2, §9.2).

use alloc::vec;
use alloc::vec::Vec;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater};
use zeroize::Zeroizing;

use super::keys::{RsaPrivateKey, RsaPublicKey};
use crate::Error;
use crate::hash::HashAlgorithm;
use crate::rng::CryptoRng;

/// How many times one padding byte is redrawn when the generator returns zero before the
/// generator is declared broken (the chance for a working generator is 2^-512).
const NONZERO_ATTEMPTS: usize = 64;

/// The DER encoding of `DigestInfo` up to the digest value, for each hash
/// (RFC 8017 §9.2, Note 1).
fn digest_info_prefix(hash: HashAlgorithm) -> &'static [u8] {
    match hash {
        HashAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        HashAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

/// EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) from a digest: `00 01 FF..FF 00 DigestInfo`.
fn emsa_pkcs1v15_encode(
    hash: HashAlgorithm,
    digest: &[u8],
    em_len: usize,
) -> Result<Vec<u8>, Error> {
    if digest.len() != hash.output_len() {
        return Err(Error::InvalidLength);
    }
    let prefix = digest_info_prefix(hash);
    let t_len = prefix.len() + digest.len();
    // §9.2 step 3: "If emLen < tLen + 11, output 'intended encoded message length too
    // short'".
    if em_len < t_len + 11 {
        return Err(Error::MessageTooLong);
    }
    let mut em = vec![0xffu8; em_len];
    em[0] = 0x00;
    em[1] = 0x01;
    em[em_len - t_len - 1] = 0x00;
    em[em_len - t_len..em_len - digest.len()].copy_from_slice(prefix);
    em[em_len - digest.len()..].copy_from_slice(digest);
    Ok(em)
}

/// Signing hashes: SHA-1 signatures are refused (RFC 9155 deprecates them in TLS 1.2),
/// and SHA-384 and SHA-512 need the `sha512` feature ([`Error::LeftOut`]).
pub(super) fn check_signing_hash(hash: HashAlgorithm) -> Result<(), Error> {
    match hash {
        HashAlgorithm::Sha256 | HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => {
            hash.check_available()
        }
        HashAlgorithm::Sha1 => Err(Error::Unsupported("SHA-1 signatures")),
    }
}

/// The result of a constant-time scan of an RSAES-PKCS1-v1_5 encoded message.
pub(super) struct Unpadded {
    /// The padding is well formed: `00 02`, at least eight nonzero bytes, then `00`.
    pub(super) valid: Choice,
    /// Index of the first message byte (meaningful only when `valid`).
    pub(super) msg_start: u32,
}

/// Check `EM = 0x00 || 0x02 || PS || 0x00 || M` with `PS` at least eight nonzero bytes
/// (RFC 8017 §7.2.2 step 3), in constant time: every byte is read, there is no branch or
/// index that depends on the contents, and the outcome is a `Choice` and an index.
pub(super) fn unpad_ct(em: &[u8]) -> Unpadded {
    let first_ok = em[0].ct_eq(&0x00);
    let second_ok = em[1].ct_eq(&0x02);
    let mut found = Choice::from(0);
    let mut sep_index = 0u32;
    for (i, &b) in em.iter().enumerate().skip(2) {
        let is_zero = b.ct_eq(&0);
        let first_zero = is_zero & !found;
        sep_index.conditional_assign(&(i as u32), first_zero);
        found |= is_zero;
    }
    // The separator must come after at least 8 bytes of PS: index >= 2 + 8.
    let ps_long_enough = sep_index.ct_gt(&9);
    Unpadded {
        valid: first_ok & second_ok & found & ps_long_enough,
        msg_start: sep_index + 1,
    }
}

impl RsaPublicKey {
    /// RSAES-PKCS1-v1_5-ENCRYPT (RFC 8017 §7.2.1): `msg` of at most `k - 11` bytes,
    /// padded with nonzero random bytes from `rng`. Returns the `k`-byte ciphertext.
    pub fn encrypt_pkcs1v15<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let k = self.k;
        // §7.2.1 step 1: "If mLen > k - 11, output 'message too long'".
        if msg.len() + 11 > k {
            return Err(Error::MessageTooLong);
        }
        // Step 2: EM = 0x00 || 0x02 || PS || 0x00 || M, PS of k - mLen - 3 nonzero
        // pseudo-randomly generated octets.
        let mut em = Zeroizing::new(vec![0u8; k]);
        em[1] = 0x02;
        let ps_end = k - msg.len() - 1;
        fill_nonzero(rng, &mut em[2..ps_end])?;
        em[ps_end] = 0x00;
        em[ps_end + 1..].copy_from_slice(msg);
        // Steps 3-4: RSAEP and I2OSP. EM starts with 0x00, so it is less than n.
        self.public_op(&em).ok_or(Error::MessageTooLong)
    }

    /// RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) of `sig` over `msg` hashed with `hash`
    /// (SHA-1, SHA-256, SHA-384 or SHA-512).
    pub fn verify_pkcs1v15(
        &self,
        hash: HashAlgorithm,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        self.verify_pkcs1v15_prehashed(hash, hash.hash(msg)?.as_slice(), sig)
    }

    /// RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) of `sig` over an already computed
    /// `digest` (which must be `hash.output_len()` bytes).
    pub fn verify_pkcs1v15_prehashed(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        hash.check_available()?;
        if digest.len() != hash.output_len() {
            return Err(Error::InvalidLength);
        }
        // Step 1: "If the length of the signature S is not k octets, output 'invalid
        // signature'"; step 2 (RSAVP1): s must be less than n.
        let em = self.public_op(sig).ok_or(Error::BadSignature)?;
        // Step 3: encode the expected message (a key too small for the hash gives
        // "intended encoded message length too short", i.e. no valid signature), then
        // step 4: compare the whole of EM and EM'.
        let expected =
            emsa_pkcs1v15_encode(hash, digest, self.k).map_err(|_| Error::BadSignature)?;
        if bool::from(em.ct_eq(&expected)) {
            Ok(())
        } else {
            Err(Error::BadSignature)
        }
    }
}

/// Fill `out` with nonzero random bytes.
fn fill_nonzero<R: CryptoRng + ?Sized>(rng: &mut R, out: &mut [u8]) -> Result<(), Error> {
    rng.fill_bytes(out);
    for b in out.iter_mut() {
        let mut attempts = 0;
        while *b == 0 {
            if attempts == NONZERO_ATTEMPTS {
                return Err(Error::Unsupported(
                    "random generator returns only zero bytes",
                ));
            }
            let mut one = [0u8; 1];
            rng.fill_bytes(&mut one);
            *b = one[0];
            attempts += 1;
        }
    }
    Ok(())
}

impl RsaPrivateKey {
    /// RSAES-PKCS1-v1_5-DECRYPT (RFC 8017 §7.2.2), general purpose.
    ///
    /// The padding check runs in constant time over the whole `k`-byte block, but the
    /// result necessarily reveals whether the padding was valid (an error or not) and the
    /// length of the message. Do not use this for TLS key exchange: use
    /// [`RsaPrivateKey::decrypt_tls_premaster`], which reveals neither. `rng` blinds the
    /// private operation.
    pub fn decrypt_pkcs1v15<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        // Step 1: the ciphertext must be k octets (and k >= 11, true for every supported
        // key); step 2a-b: OS2IP and RSADP, which requires c < n.
        let c = self
            .public
            .to_uint_below_n(ciphertext)
            .ok_or(Error::Decryption)?;
        let em = self.private_raw(rng, &c)?;
        // Step 3: EME-PKCS1-v1_5 decoding, constant time.
        let unpadded = unpad_ct(&em);
        if !bool::from(unpadded.valid) {
            return Err(Error::Decryption);
        }
        Ok(Zeroizing::new(em[unpadded.msg_start as usize..].to_vec()))
    }

    /// RSASSA-PKCS1-v1_5-SIGN (RFC 8017 §8.2.1) of `msg` hashed with `hash` (SHA-256,
    /// SHA-384 or SHA-512; SHA-1 is refused with [`Error::Unsupported`]). `rng` blinds the
    /// private operation. Returns the `k`-byte signature.
    pub fn sign_pkcs1v15<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: HashAlgorithm,
        msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        check_signing_hash(hash)?;
        self.sign_pkcs1v15_prehashed(rng, hash, hash.hash(msg)?.as_slice())
    }

    /// RSASSA-PKCS1-v1_5-SIGN (RFC 8017 §8.2.1) of an already computed `digest` (which must
    /// be `hash.output_len()` bytes).
    pub fn sign_pkcs1v15_prehashed<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        check_signing_hash(hash)?;
        self.sign_pkcs1v15_digest(rng, hash, digest)
    }

    /// RSASSA-PKCS1-v1_5-SIGN with SHA-1 of an already computed 20-byte `digest`: only
    /// for TLS 1.2 peers that know nothing else, when the caller's configuration
    /// explicitly allows it (RFC 9155 deprecates SHA-1 signatures; the other signing
    /// functions refuse SHA-1).
    pub fn sign_pkcs1v15_sha1_legacy_prehashed<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        self.sign_pkcs1v15_digest(rng, HashAlgorithm::Sha1, digest)
    }

    fn sign_pkcs1v15_digest<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        // Step 1: EMSA-PKCS1-v1_5 encoding with emLen = k.
        let em = emsa_pkcs1v15_encode(hash, digest, self.public.k)?;
        // Step 2: RSASP1; EM starts with 0x00 so it is less than n.
        let m = self
            .public
            .to_uint_below_n(&em)
            .ok_or(Error::MessageTooLong)?;
        let s = self.private_raw(rng, &m)?;
        Ok(s.to_vec())
    }
}
