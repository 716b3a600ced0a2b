//! The TLS 1.2 RSA key exchange premaster decryption (RFC 5246 §7.4.7.1).

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::PREMASTER_LEN;
use super::keys::RsaPrivateKey;
use super::pkcs1v15::unpad_ct;
use crate::rng::CryptoRng;

impl RsaPrivateKey {
    /// Decrypt a TLS 1.2 `EncryptedPreMasterSecret` (RFC 5246 §7.4.7.1) without revealing
    /// anything about its padding, length or version bytes.
    ///
    /// Always writes 48 bytes to `out`: the decrypted premaster secret if the PKCS#1 v1.5
    /// padding is valid, the message is exactly 48 bytes and its first two bytes equal
    /// `client_version` (the version the client offered in its ClientHello); otherwise 48
    /// random bytes drawn from `rng` before anything else. Returns whether the decrypted
    /// value was used.
    ///
    /// The caller MUST NOT act on the returned `Choice` in any observable way: RFC 5246
    /// requires the handshake to continue with the substituted random premaster, so that
    /// a bad ciphertext only shows up as a Finished failure, indistinguishable from any
    /// other. The `Choice` exists for tests and for constant-time bookkeeping.
    ///
    /// The padding, length and version checks run in constant time over the whole
    /// block and the output is a constant-time selection; there is no branch, early
    /// return or memory access that depends on them. The only branches are on public
    /// facts: the ciphertext length, whether the ciphertext is less than `n`, and a
    /// detected fault in the private operation (in all three cases `out` gets the random
    /// bytes and the result is `Choice(0)`).
    pub fn decrypt_tls_premaster<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        ciphertext: &[u8],
        client_version: [u8; 2],
        out: &mut [u8; PREMASTER_LEN],
    ) -> Choice {
        // RFC 5246 §7.4.7.1: "1. Generate a string R of 48 random bytes" before decrypting.
        rng.fill_bytes(out);
        let k = self.public.k;
        let Some(c) = self.public.to_uint_below_n(ciphertext) else {
            return Choice::from(0);
        };
        // "2. Decrypt the message to recover the plaintext M".
        let Ok(em) = self.private_raw(rng, &c) else {
            return Choice::from(0);
        };
        // "3. If the PKCS#1 padding is not correct, or the length of message M is not
        // exactly 48 bytes: pre_master_secret = R; else if ClientHello.client_version <=
        // TLS 1.0, and version number check is explicitly disabled: premaster secret = M;
        // else: premaster secret = ClientHello.client_version || M[2..47]". The version
        // check is not optional here; the two version bytes are compared in constant time
        // and a mismatch also selects R, as the TLS 1.2 profile of this library requires.
        let unpadded = unpad_ct(&em);
        let msg_start = (k - PREMASTER_LEN) as u32;
        let right_length = unpadded.msg_start.ct_eq(&msg_start);
        let m = &em[k - PREMASTER_LEN..];
        let right_version = m[0].ct_eq(&client_version[0]) & m[1].ct_eq(&client_version[1]);
        let use_m = unpadded.valid & right_length & right_version;
        for (o, &b) in out.iter_mut().zip(m) {
            o.conditional_assign(&b, use_m);
        }
        use_m
    }
}
