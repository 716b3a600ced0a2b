//! Cross-checks of `sanstls_crypto::rsa` against the `openssl` command line (OpenSSL 3):
//! OpenSSL encrypts and sanstls decrypts, sanstls encrypts and OpenSSL decrypts, and each
//! side verifies the other's PKCS#1 v1.5 and PSS signatures, for the 2048-, 3072- and
//! 4096-bit keys in `testdata/`.
//!
//! A missing `openssl` binary fails the test (CI installs it); it never passes silently.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use sanstls_crypto::Error;
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;
use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};

const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
/// Key stems: the server keys in `testdata/` (PKCS#1 and PKCS#8 files), and two keys of
/// odd sizes in `tests/data/` (PKCS#1 only) that exercise the PSS `emLen = k - 1` case
/// (2049 bits, with primes of different sizes) and two masked top bits (2047 bits).
const KEYS: [&str; 5] = [
    "server-rsa2048",
    "server-rsa3072",
    "server-rsa4096",
    "data:rsa2049",
    "data:rsa2047",
];
const HASHES: [(HashAlgorithm, &str); 3] = [
    (HashAlgorithm::Sha256, "sha256"),
    (HashAlgorithm::Sha384, "sha384"),
    (HashAlgorithm::Sha512, "sha512"),
];

/// A fresh directory for one test's files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "sanstls-rsa-openssl-{}-{tag}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `openssl args...`; panic with its output unless it succeeds.
fn openssl(args: &[&str]) {
    let (ok, out) = openssl_status(args);
    assert!(ok, "openssl {} failed:\n{}", args.join(" "), out);
}

/// Run `openssl args...`; return whether it succeeded and its combined output.
fn openssl_status(args: &[&str]) -> (bool, String) {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run the `openssl` command line ({e}); install OpenSSL 3 (CI does): \
             these cross-checks must not be skipped"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

/// The PKCS#1 PEM file of a key stem, and its PKCS#8 file if there is one.
fn key_paths(stem: &str) -> (String, Option<String>) {
    match stem.strip_prefix("data:") {
        Some(name) => (
            format!("{}/tests/data/{name}.pem", env!("CARGO_MANIFEST_DIR")),
            None,
        ),
        None => (
            format!("{TESTDATA}/{stem}.rsa.pem"),
            Some(format!("{TESTDATA}/{stem}.pkcs8.pem")),
        ),
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The key (checking both encodings agree) and an OpenSSL-written SPKI public key file.
fn load(stem: &str, dir: &TempDir) -> (RsaPrivateKey, PathBuf) {
    let (pkcs1, pkcs8) = key_paths(stem);
    let key = RsaPrivateKey::from_pem(&read(&pkcs1)).expect("PKCS#1 key loads");
    if let Some(pkcs8) = pkcs8 {
        let key8 = RsaPrivateKey::from_pem(&read(&pkcs8)).expect("PKCS#8 key loads");
        assert_eq!(key.public_key(), key8.public_key());
    }
    let pub_pem = dir.path("pub.pem");
    openssl(&["pkey", "-in", &pkcs1, "-pubout", "-out", p(&pub_pem)]);
    let public = RsaPublicKey::from_pem(&std::fs::read_to_string(&pub_pem).unwrap()).unwrap();
    assert_eq!(&public, key.public_key());
    (key, pub_pem)
}

#[test]
fn openssl_is_available() {
    let (ok, out) = openssl_status(&["version"]);
    assert!(
        ok && out.starts_with("OpenSSL 3"),
        "need OpenSSL 3, got: {out}"
    );
}

#[test]
fn openssl_encrypts_sanstls_decrypts() {
    for stem in KEYS {
        let dir = TempDir::new("enc");
        let (key, pub_pem) = load(stem, &dir);
        let mut rng = SeededRng::from_seed([1; 32]);
        let k = key.public_key().modulus_len();
        for (i, len) in [48usize, 0, 1, 47, 49, k - 11].into_iter().enumerate() {
            let mut msg: Vec<u8> = (0..len).map(|j| (j * 7 + i) as u8).collect();
            if len >= 2 {
                msg[..2].copy_from_slice(&[3, 3]);
            }
            let msg_path = dir.write("msg.bin", &msg);
            let ct_path = dir.path("ct.bin");
            openssl(&[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-inkey",
                p(&pub_pem),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                p(&msg_path),
                "-out",
                p(&ct_path),
            ]);
            let ct = std::fs::read(&ct_path).unwrap();
            assert_eq!(ct.len(), k);
            let pt = key.decrypt_pkcs1v15(&mut rng, &ct).expect("decrypts");
            assert_eq!(*pt, msg, "{stem}, {len} bytes");

            let mut out = [0u8; 48];
            let used = key.decrypt_tls_premaster(&mut rng, &ct, [3, 3], &mut out);
            assert_eq!(bool::from(used), len == 48, "{stem}, {len} bytes");
            if len == 48 {
                assert_eq!(out[..], msg[..]);
            }
        }
    }
}

#[test]
fn sanstls_encrypts_openssl_decrypts() {
    for stem in KEYS {
        let dir = TempDir::new("dec");
        let (key, _) = load(stem, &dir);
        let (pkcs1, _) = key_paths(stem);
        let mut rng = SeededRng::from_seed([2; 32]);
        let k = key.public_key().modulus_len();
        for len in [48usize, 1, k - 11] {
            let msg: Vec<u8> = (0..len).map(|j| (j * 13 + 5) as u8).collect();
            let ct = key.public_key().encrypt_pkcs1v15(&mut rng, &msg).unwrap();
            let ct_path = dir.write("ct.bin", &ct);
            let pt_path = dir.path("pt.bin");
            openssl(&[
                "pkeyutl",
                "-decrypt",
                "-inkey",
                &pkcs1,
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                p(&ct_path),
                "-out",
                p(&pt_path),
            ]);
            assert_eq!(std::fs::read(&pt_path).unwrap(), msg, "{stem}, {len} bytes");
        }
        assert_eq!(
            key.public_key()
                .encrypt_pkcs1v15(&mut rng, &vec![0; k - 10])
                .unwrap_err(),
            Error::MessageTooLong
        );
    }
}

/// `openssl dgst` options for PSS with MGF1 over `md` and a salt of the digest length.
fn pss_opts(md: &str, saltlen: &str) -> Vec<String> {
    vec![
        "-sigopt".into(),
        "rsa_padding_mode:pss".into(),
        "-sigopt".into(),
        format!("rsa_pss_saltlen:{saltlen}"),
        "-sigopt".into(),
        format!("rsa_mgf1_md:{md}"),
    ]
}

#[test]
fn sanstls_signs_openssl_verifies() {
    let msg = b"ServerKeyExchange params, signed by sanstls";
    for stem in KEYS {
        let dir = TempDir::new("sign");
        let (key, pub_pem) = load(stem, &dir);
        let msg_path = dir.write("msg.bin", msg);
        let mut rng = SeededRng::from_seed([3; 32]);
        for (hash, md) in HASHES {
            if !hash.is_available() {
                continue;
            }
            for pss in [false, cfg!(feature = "pss")] {
                let sig = if pss {
                    key.sign_pss(&mut rng, hash, msg).unwrap()
                } else {
                    key.sign_pkcs1v15(&mut rng, hash, msg).unwrap()
                };
                assert_eq!(sig.len(), key.public_key().modulus_len());
                let sig_path = dir.write("sig.bin", &sig);
                let mut args: Vec<String> = vec![
                    "dgst".into(),
                    format!("-{md}"),
                    "-verify".into(),
                    p(&pub_pem).into(),
                    "-signature".into(),
                    p(&sig_path).into(),
                ];
                if pss {
                    args.extend(pss_opts(md, "digest"));
                }
                args.push(p(&msg_path).into());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let (ok, out) = openssl_status(&args);
                assert!(
                    ok && out.contains("Verified OK"),
                    "{stem} {md} pss={pss}: {out}"
                );
                // And the same signature over another message is refused by OpenSSL.
                let other = dir.write("other.bin", b"another message");
                let mut args = args.clone();
                *args.last_mut().unwrap() = p(&other);
                let (ok, _) = openssl_status(&args);
                assert!(
                    !ok,
                    "{stem} {md} pss={pss}: OpenSSL accepted a wrong message"
                );
            }
        }
        // Prehashed signing gives the same PKCS#1 v1.5 signature (it is deterministic).
        let digest = HashAlgorithm::Sha256.hash(msg).unwrap();
        assert_eq!(
            key.sign_pkcs1v15_prehashed(&mut rng, HashAlgorithm::Sha256, digest.as_slice())
                .unwrap(),
            key.sign_pkcs1v15(&mut rng, HashAlgorithm::Sha256, msg)
                .unwrap()
        );
    }
}

#[test]
fn openssl_signs_sanstls_verifies() {
    let msg = b"ServerKeyExchange params, signed by OpenSSL";
    for stem in KEYS {
        let dir = TempDir::new("verify");
        let (key, _) = load(stem, &dir);
        let public = key.public_key();
        let (pkcs1, _) = key_paths(stem);
        let msg_path = dir.write("msg.bin", msg);
        for (hash, md) in HASHES {
            if !hash.is_available() {
                continue;
            }
            for (pss, saltlen) in [(false, ""), (true, "digest"), (true, "max")] {
                if pss && !cfg!(feature = "pss") {
                    continue;
                }
                let sig_path = dir.path("sig.bin");
                let mut args: Vec<String> = vec![
                    "dgst".into(),
                    format!("-{md}"),
                    "-sign".into(),
                    pkcs1.clone(),
                    "-out".into(),
                    p(&sig_path).into(),
                ];
                if pss {
                    args.extend(pss_opts(md, saltlen));
                }
                args.push(p(&msg_path).into());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                openssl(&args);
                let sig = std::fs::read(&sig_path).unwrap();
                let digest = hash.hash(msg).unwrap();
                let result = if pss {
                    let r = public.verify_pss(hash, msg, &sig);
                    assert_eq!(
                        r,
                        public.verify_pss_prehashed(hash, digest.as_slice(), &sig)
                    );
                    r
                } else {
                    let r = public.verify_pkcs1v15(hash, msg, &sig);
                    assert_eq!(
                        r,
                        public.verify_pkcs1v15_prehashed(hash, digest.as_slice(), &sig)
                    );
                    r
                };
                if saltlen == "max" {
                    // A salt longer than the hash is not what rsa_pss_rsae_* allows.
                    assert_eq!(result, Err(Error::BadSignature), "{stem} {md} salt max");
                } else {
                    assert_eq!(result, Ok(()), "{stem} {md} pss={pss}");
                }
                // Wrong message, wrong hash, flipped bit: refused.
                if saltlen != "max" {
                    let verify = |h: HashAlgorithm, m: &[u8], s: &[u8]| {
                        if pss {
                            public.verify_pss(h, m, s)
                        } else {
                            public.verify_pkcs1v15(h, m, s)
                        }
                    };
                    assert_eq!(verify(hash, b"other", &sig), Err(Error::BadSignature));
                    let other_hash = if hash != HashAlgorithm::Sha256 {
                        Some(HashAlgorithm::Sha256)
                    } else if HashAlgorithm::Sha384.is_available() {
                        Some(HashAlgorithm::Sha384)
                    } else if pss {
                        None // No SHA-1 PSS, and no other hash in this build.
                    } else {
                        Some(HashAlgorithm::Sha1)
                    };
                    if let Some(other_hash) = other_hash {
                        assert_eq!(verify(other_hash, msg, &sig), Err(Error::BadSignature));
                    }
                    let mut bad = sig.clone();
                    bad[sig.len() / 2] ^= 0x10;
                    assert_eq!(verify(hash, msg, &bad), Err(Error::BadSignature));
                }
            }
        }
        // A SHA-1 PKCS#1 v1.5 signature from OpenSSL verifies (old peers); sanstls makes
        // one only through the explicitly named legacy function.
        let sig_path = dir.path("sig1.bin");
        openssl(&[
            "dgst",
            "-sha1",
            "-sign",
            &pkcs1,
            "-out",
            p(&sig_path),
            p(&msg_path),
        ]);
        let sig = std::fs::read(&sig_path).unwrap();
        assert_eq!(
            public.verify_pkcs1v15(HashAlgorithm::Sha1, msg, &sig),
            Ok(())
        );
        let mut rng = SeededRng::from_seed([4; 32]);
        assert_eq!(
            key.sign_pkcs1v15(&mut rng, HashAlgorithm::Sha1, msg)
                .unwrap_err(),
            Error::Unsupported("SHA-1 signatures")
        );
        // The explicit legacy signer makes the same (deterministic) signature as
        // OpenSSL.
        let digest = HashAlgorithm::Sha1.hash(msg).unwrap();
        assert_eq!(
            key.sign_pkcs1v15_sha1_legacy_prehashed(&mut rng, digest.as_slice())
                .unwrap(),
            sig
        );
    }
}
