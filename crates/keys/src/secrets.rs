//! Master secret, key block, Finished and key log.

use core::fmt;

use sanstls_crypto::Error;
use sanstls_crypto::hash::{HashAlgorithm, Output};
use subtle::{Choice, ConstantTimeEq as _};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::prf::prf;
use crate::suite::SuiteInfo;

/// Length of the master secret (RFC 5246 §8.1).
pub const MASTER_SECRET_LEN: usize = 48;
/// Length of Finished `verify_data` (RFC 5246 §7.4.9: 12 unless a suite says otherwise).
pub const VERIFY_DATA_LEN: usize = 12;

/// Which end of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// The 48-byte master secret and the PRF hash it is used with.
///
/// Every PRF computation ([`MasterSecret::derive`], [`MasterSecret::derive_extended`],
/// [`MasterSecret::key_block`], [`MasterSecret::verify_data`]) fails only if the PRF hash
/// is left out of this build of sanstls-crypto (SHA-384 without its `sha512` feature):
/// [`Error::LeftOut`].
///
/// Zeroized on drop. `Debug` does not print it; [`MasterSecret::key_log_line`] is the only
/// way it leaves the crate.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterSecret {
    bytes: [u8; MASTER_SECRET_LEN],
    #[zeroize(skip)]
    prf_hash: HashAlgorithm,
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterSecret")
            .field("prf_hash", &self.prf_hash)
            .finish_non_exhaustive()
    }
}

impl MasterSecret {
    /// RFC 5246 §8.1: `PRF(pre_master_secret, "master secret", ClientHello.random +
    /// ServerHello.random)[0..47]`.
    pub fn derive(
        prf_hash: HashAlgorithm,
        premaster: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Result<Self, Error> {
        let mut bytes = [0u8; MASTER_SECRET_LEN];
        prf(
            prf_hash,
            premaster,
            b"master secret",
            &[client_random, server_random],
            &mut bytes,
        )?;
        Ok(MasterSecret { bytes, prf_hash })
    }

    /// RFC 7627 §4: `PRF(pre_master_secret, "extended master secret", session_hash)
    /// [0..47]`, where `session_hash` is the transcript hash under the PRF hash of every
    /// handshake message up to and including ClientKeyExchange (see
    /// [`crate::transcript::Transcript::current_hash`]).
    pub fn derive_extended(
        prf_hash: HashAlgorithm,
        premaster: &[u8],
        session_hash: &Output,
    ) -> Result<Self, Error> {
        let mut bytes = [0u8; MASTER_SECRET_LEN];
        prf(
            prf_hash,
            premaster,
            b"extended master secret",
            &[session_hash.as_slice()],
            &mut bytes,
        )?;
        Ok(MasterSecret { bytes, prf_hash })
    }

    /// A master secret known from elsewhere (a resumed session, a test).
    pub fn from_bytes(prf_hash: HashAlgorithm, bytes: [u8; MASTER_SECRET_LEN]) -> Self {
        MasterSecret { bytes, prf_hash }
    }

    /// The PRF hash this secret is used with.
    pub fn prf_hash(&self) -> HashAlgorithm {
        self.prf_hash
    }

    /// The secret itself, for storing a session. Handle with care.
    pub fn secret_bytes(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.bytes
    }

    /// RFC 5246 §6.3: `key_block = PRF(master_secret, "key expansion", server_random +
    /// client_random)`, split for `suite`.
    ///
    /// The PRF hash is this secret's; it is the suite's PRF hash when the secret was
    /// derived for that suite.
    pub fn key_block(
        &self,
        suite: &'static SuiteInfo,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Result<KeyBlock, Error> {
        debug_assert_eq!(suite.prf_hash, self.prf_hash);
        let mut bytes = [0u8; MAX_KEY_BLOCK_LEN];
        prf(
            self.prf_hash,
            &self.bytes,
            b"key expansion",
            &[server_random, client_random],
            &mut bytes[..suite.key_block_len()],
        )?;
        Ok(KeyBlock { bytes, suite })
    }

    /// RFC 5246 §7.4.9: `PRF(master_secret, finished_label, Hash(handshake_messages))
    /// [0..11]`, with "client finished" or "server finished" for `sender`.
    ///
    /// `handshake_hash` covers every handshake message of this handshake before the
    /// Finished being computed (for the server's Finished, the client's Finished
    /// included), under the PRF hash.
    pub fn verify_data(&self, sender: Side, handshake_hash: &Output) -> Result<VerifyData, Error> {
        let label: &[u8] = match sender {
            Side::Client => b"client finished",
            Side::Server => b"server finished",
        };
        let mut out = [0u8; VERIFY_DATA_LEN];
        prf(
            self.prf_hash,
            &self.bytes,
            label,
            &[handshake_hash.as_slice()],
            &mut out,
        )?;
        Ok(VerifyData(out))
    }

    /// The NSS key log line `CLIENT_RANDOM <client_random hex> <master_secret hex>`
    /// (no newline) that Wireshark and `SSLKEYLOGFILE` readers understand.
    ///
    /// It holds the secret: write it only where the user asked for key logging. The
    /// line is zeroized on drop.
    pub fn key_log_line(&self, client_random: &[u8; 32]) -> KeyLogLine {
        let mut line = [0u8; KEY_LOG_LINE_LEN];
        let prefix = b"CLIENT_RANDOM ";
        line[..prefix.len()].copy_from_slice(prefix);
        let mut at = prefix.len();
        for &b in client_random {
            line[at..at + 2].copy_from_slice(&hex_byte(b));
            at += 2;
        }
        line[at] = b' ';
        at += 1;
        for &b in &self.bytes {
            line[at..at + 2].copy_from_slice(&hex_byte(b));
            at += 2;
        }
        debug_assert_eq!(at, KEY_LOG_LINE_LEN);
        KeyLogLine(line)
    }
}

fn hex_byte(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]]
}

const KEY_LOG_LINE_LEN: usize = 14 + 64 + 1 + 2 * MASTER_SECRET_LEN;

/// One NSS key log line, zeroized on drop. Print it with `Display` or take its bytes.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyLogLine([u8; KEY_LOG_LINE_LEN]);

impl KeyLogLine {
    /// The line as text, without a newline.
    pub fn as_str(&self) -> &str {
        // Built from ASCII only above.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for KeyLogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for KeyLogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyLogLine { .. }")
    }
}

/// Finished `verify_data`. Compare with [`verify_data_eq`] or `==`, both constant time.
#[derive(Clone, Copy, Debug, Zeroize)]
pub struct VerifyData(pub [u8; VERIFY_DATA_LEN]);

impl VerifyData {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; VERIFY_DATA_LEN] {
        &self.0
    }
}

impl PartialEq for VerifyData {
    fn eq(&self, other: &Self) -> bool {
        verify_data_eq(self, other).into()
    }
}

impl Eq for VerifyData {}

/// Constant-time comparison of two Finished values (a Finished check must not tell an
/// attacker how many leading bytes were right).
pub fn verify_data_eq(a: &VerifyData, b: &VerifyData) -> Choice {
    a.0.ct_eq(&b.0)
}

/// The longest key block: HMAC-SHA384 keys with AES-256-CBC (2 * (48 + 32 + 16)).
const MAX_KEY_BLOCK_LEN: usize = 2 * (48 + 32 + 16);

/// The key block of RFC 5246 §6.3, split for one suite. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyBlock {
    bytes: [u8; MAX_KEY_BLOCK_LEN],
    #[zeroize(skip)]
    suite: &'static SuiteInfo,
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlock")
            .field("suite", &self.suite.suite)
            .finish_non_exhaustive()
    }
}

/// The keys of one direction: what the record layer of one side needs to seal (its own
/// `*_write` keys) or open (the peer's).
#[derive(Clone, Copy)]
pub struct DirectionKeys<'a> {
    /// The suite these keys are for.
    pub suite: &'static SuiteInfo,
    /// `*_write_MAC_key`.
    pub mac_key: &'a [u8],
    /// `*_write_key`.
    pub enc_key: &'a [u8],
    /// `*_write_IV`: derived as RFC 5246 §6.3 lays out, unused by TLS 1.2 CBC records.
    pub iv: &'a [u8],
}

impl fmt::Debug for DirectionKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectionKeys")
            .field("suite", &self.suite.suite)
            .finish_non_exhaustive()
    }
}

impl KeyBlock {
    /// The suite the block was split for.
    pub fn suite(&self) -> &'static SuiteInfo {
        self.suite
    }

    /// The client's write keys (the client seals with them, the server opens).
    pub fn client_write(&self) -> DirectionKeys<'_> {
        self.direction(0)
    }

    /// The server's write keys (the server seals with them, the client opens).
    pub fn server_write(&self) -> DirectionKeys<'_> {
        self.direction(1)
    }

    /// The keys `side` writes with.
    pub fn write_keys(&self, side: Side) -> DirectionKeys<'_> {
        match side {
            Side::Client => self.client_write(),
            Side::Server => self.server_write(),
        }
    }

    // Layout (RFC 5246 §6.3): client MAC, server MAC, client key, server key,
    // client IV, server IV.
    fn direction(&self, which: usize) -> DirectionKeys<'_> {
        let mac = self.suite.mac.key_len();
        let key = self.suite.cipher.key_len();
        let iv = self.suite.cipher.key_block_iv_len();
        let mac_at = which * mac;
        let key_at = 2 * mac + which * key;
        let iv_at = 2 * mac + 2 * key + which * iv;
        DirectionKeys {
            suite: self.suite,
            mac_key: &self.bytes[mac_at..mac_at + mac],
            enc_key: &self.bytes[key_at..key_at + key],
            iv: &self.bytes[iv_at..iv_at + iv],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{SUITES, lookup};
    use sanstls_wire::enums::CipherSuite;
    use std::string::ToString;
    use std::vec::Vec;

    fn prf_vec(secret: &[u8], label: &[u8], seed: &[&[u8]], len: usize) -> Vec<u8> {
        let mut out = std::vec![0u8; len];
        prf(HashAlgorithm::Sha256, secret, label, seed, &mut out).unwrap();
        out
    }

    #[test]
    fn master_secret_and_key_block_layout() {
        let (cr, sr) = ([0x11u8; 32], [0x22u8; 32]);
        let pms = [0x33u8; 48];
        let ms = MasterSecret::derive(HashAlgorithm::Sha256, &pms, &cr, &sr).unwrap();
        let mut seed = Vec::new();
        seed.extend_from_slice(&cr);
        seed.extend_from_slice(&sr);
        assert_eq!(
            ms.secret_bytes()[..],
            prf_vec(&pms, b"master secret", &[&seed], 48)[..]
        );

        for suite in &SUITES {
            // The SHA-384 suites run the PRF on SHA-384 (RFC 5288 §3, RFC 5289 §3).
            let ms = MasterSecret::from_bytes(suite.prf_hash, *ms.secret_bytes());
            let kb = ms.key_block(suite, &cr, &sr).unwrap();
            let mut stream = std::vec![0u8; suite.key_block_len()];
            prf(
                suite.prf_hash,
                ms.secret_bytes(),
                b"key expansion",
                &[&sr, &cr],
                &mut stream,
            )
            .unwrap();
            let (c, s) = (kb.client_write(), kb.server_write());
            let mut joined = Vec::new();
            for part in [c.mac_key, s.mac_key, c.enc_key, s.enc_key, c.iv, s.iv] {
                joined.extend_from_slice(part);
            }
            assert_eq!(joined, stream, "{:?}", suite.suite);
            assert_eq!(c.mac_key.len(), suite.mac.mac_len());
            assert_eq!(c.enc_key.len(), suite.cipher.key_len());
        }
    }

    /// RFC 7627 §4 label and seed. The cross-check against a real peer (the premaster
    /// of an OpenSSL RSA session, its session hash and the master secret OpenSSL logged)
    /// is sanstls-record's `openssl_sessions` test.
    #[test]
    fn extended_master_secret_differs_from_classic() {
        let pms = [7u8; 48];
        let hash = HashAlgorithm::Sha256.hash(b"handshake messages").unwrap();
        let ems = MasterSecret::derive_extended(HashAlgorithm::Sha256, &pms, &hash).unwrap();
        assert_eq!(
            ems.secret_bytes()[..],
            prf_vec(&pms, b"extended master secret", &[hash.as_slice()], 48)[..]
        );
        let classic =
            MasterSecret::derive(HashAlgorithm::Sha256, &pms, &[0; 32], &[0; 32]).unwrap();
        assert_ne!(ems.secret_bytes(), classic.secret_bytes());
    }

    /// Values from two OpenSSL 3.0.19 sessions (`s_server`/`s_client`, RSA key exchange),
    /// recorded with `SANSTLS_DUMP_VECTORS=1 cargo test -p sanstls-record --test
    /// openssl_sessions`: the premaster was decrypted from the ClientKeyExchange with the
    /// server key, the master secret is the one OpenSSL wrote to its key log, and the
    /// hashes are SHA-256 over the captured handshake messages. The first session used
    /// the extended master secret (the session hash is also the hash before the client
    /// Finished, as no CertificateVerify came between), the second the classic one.
    #[test]
    fn openssl_session_vectors() {
        struct V {
            ems: bool,
            premaster: &'static str,
            client_random: &'static str,
            server_random: &'static str,
            session_hash: &'static str,
            master: &'static str,
            client_hash: &'static str,
            client_verify: &'static str,
            server_hash: &'static str,
            server_verify: &'static str,
        }
        let vectors = [
            V {
                ems: true,
                premaster: "0303aaef98057edf83e0a63773518e8fea8df9827b13cb9431c093cde9cae9e2\
                            502e7ce71aa33f29fa1f1c7bdddd137a",
                client_random: "928f80f6b7612885e47aa4690b21deb0b05e8fd82f8fe40d9dd22e46b0b5a190",
                server_random: "692c58d90e2920d0ac84337b437610b8793219ca260cc9820248d58fa262c6bd",
                session_hash: "5dc4ca82be9dfc41b1ba922003b2a9b6097482496212236d32ef12fde5a3019e",
                master: "676ccfef6169dcc9caf28ecfcaaeac5556d35ed566567d1202275f7837dee7e7\
                         a0e1bcf4380ac76501968d9e441f602c",
                client_hash: "5dc4ca82be9dfc41b1ba922003b2a9b6097482496212236d32ef12fde5a3019e",
                client_verify: "3c61a3b051b9673fda310e25",
                server_hash: "5daa1ca7e40bfd157494072cf8a0076edcb0df8b3300ac9ac0b15970d562da91",
                server_verify: "e9abe6a8563144937f71e8a6",
            },
            V {
                ems: false,
                premaster: "0303a9dab9b13ecf84b2d6d7ece0875a1089143ea23b56e0c3e4c3e1291bca5c\
                            56b77918e467b1a442b35815535b0de1",
                client_random: "3306678e0fcee4fff4fdca66d0d1398164b3d1c0ea89d9099f9c1d9ea658d613",
                server_random: "2979f191cf8f6e759de2fa48ac0c3cb4153a304467aef59a7c610802893ed1bf",
                session_hash: "5e3ef41b03b4e68ce1011ea799845c4e9265b8d17b9834dc3366aff460c742ae",
                master: "823ea6921187d56be3236972f9933d95c2047fc7c8d227cd5b2603117788ca0e\
                         400b87593645150effbe9217a257d590",
                client_hash: "5e3ef41b03b4e68ce1011ea799845c4e9265b8d17b9834dc3366aff460c742ae",
                client_verify: "fd0e3f6c1ffb4ea4b22181fc",
                server_hash: "a650fcc402f932b924dee2f16425542ba87df0ca6219a75ee4f98b3818bb5d72",
                server_verify: "6d52a2670190d58a858053a0",
            },
        ];
        let h = |s: &str| hex::decode(s).unwrap();
        let out = |s: &str| Output::from_slice(&h(s));
        for v in vectors {
            let pms = h(v.premaster);
            let cr: [u8; 32] = h(v.client_random).try_into().unwrap();
            let sr: [u8; 32] = h(v.server_random).try_into().unwrap();
            let ms = if v.ems {
                MasterSecret::derive_extended(HashAlgorithm::Sha256, &pms, &out(v.session_hash))
                    .unwrap()
            } else {
                MasterSecret::derive(HashAlgorithm::Sha256, &pms, &cr, &sr).unwrap()
            };
            assert_eq!(ms.secret_bytes()[..], h(v.master)[..], "ems {}", v.ems);
            let c = ms.verify_data(Side::Client, &out(v.client_hash)).unwrap();
            let s = ms.verify_data(Side::Server, &out(v.server_hash)).unwrap();
            assert_eq!(c.0[..], h(v.client_verify)[..], "ems {}", v.ems);
            assert_eq!(s.0[..], h(v.server_verify)[..], "ems {}", v.ems);
            // The other derivation gives another secret.
            let other = if v.ems {
                MasterSecret::derive(HashAlgorithm::Sha256, &pms, &cr, &sr).unwrap()
            } else {
                MasterSecret::derive_extended(HashAlgorithm::Sha256, &pms, &out(v.session_hash))
                    .unwrap()
            };
            assert_ne!(other.secret_bytes()[..], h(v.master)[..]);
        }
    }

    #[test]
    fn finished_and_key_log() {
        let ms = MasterSecret::from_bytes(HashAlgorithm::Sha256, [0xab; 48]);
        let h = HashAlgorithm::Sha256.hash(b"transcript").unwrap();
        let c = ms.verify_data(Side::Client, &h).unwrap();
        let s = ms.verify_data(Side::Server, &h).unwrap();
        assert_eq!(
            c.0[..],
            prf_vec(&[0xab; 48], b"client finished", &[h.as_slice()], 12)[..]
        );
        assert_eq!(
            s.0[..],
            prf_vec(&[0xab; 48], b"server finished", &[h.as_slice()], 12)[..]
        );
        assert_ne!(c, s);
        for i in 0..12 {
            let mut bad = c;
            bad.0[i] ^= 0x80;
            assert!(!bool::from(verify_data_eq(&c, &bad)));
        }

        let mut cr = [0u8; 32];
        cr[0] = 0x01;
        cr[31] = 0xfe;
        let line = ms.key_log_line(&cr).to_string();
        let want = std::format!("CLIENT_RANDOM 01{}fe {}", "00".repeat(30), "ab".repeat(48));
        assert_eq!(line, want);
        assert!(!std::format!("{ms:?}").contains("ab"));
        let _ = lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA).unwrap();
    }
}
