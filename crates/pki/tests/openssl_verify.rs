//! Cross-check against `openssl verify` (OpenSSL 3) over every chain in `testdata/`.
//!
//! Each case states sanstls-pki's expected answer and OpenSSL's. Where they differ, the
//! case says why sanstls-pki's answer is the one RFC 5280 / RFC 6125 / the CA/B Forum
//! Baseline Requirements call for (or, for unsupported algorithms, that the difference is
//! a documented limitation). The test fails if either tool gives a different answer than
//! the table says, if a `*.chain.pem` in testdata has no case, or if `openssl` is missing.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{NOW, anchors, cert, chain};
use sanstls_pki::{Error, KeyPurpose, LeftOut, ServerName, VerifyOptions, verify_chain};

/// What the peer sends: a chain file, or explicit certificates.
enum Input {
    Chain(&'static str),
    Certs(&'static [&'static str]),
}

struct Case {
    id: &'static str,
    input: Input,
    roots: &'static [&'static str],
    purpose: KeyPurpose,
    /// DNS name or IP address to check (servers).
    name: Option<&'static str>,
    ours: Result<(), Error>,
    openssl_accepts: bool,
    /// Why the two disagree (empty when they agree).
    why: &'static str,
}

const SERVER: KeyPurpose = KeyPurpose::ServerAuth;

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    use Input::{Certs, Chain};
    let ok = Ok(());
    let c = |id, input, name, ours: Result<(), Error>, openssl_accepts, why| Case {
        id,
        input,
        roots: &["ca-root"],
        purpose: SERVER,
        name,
        ours,
        openssl_accepts,
        why,
    };
    let lh = Some("localhost");
    // Algorithms a build leaves out (features `sha512`, `pss`).
    let left_out = |built_in: bool, what| {
        if built_in {
            Ok(())
        } else {
            Err(Error::SignatureAlgorithmLeftOut(what))
        }
    };
    let sha384 = left_out(cfg!(feature = "sha512"), LeftOut::Sha384);
    let sha512 = left_out(cfg!(feature = "sha512"), LeftOut::Sha512);
    let pss = left_out(cfg!(feature = "pss"), LeftOut::RsaPss);
    let sha512_why = if cfg!(feature = "sha512") {
        ""
    } else {
        "build: this build of sanstls-pki leaves SHA-384/512 out (feature `sha512`)"
    };
    // EC keys and ECDSA signatures (feature `ecdsa`): a leaf's EC key is refused
    // first; an RSA leaf signed with ECDSA for its signature.
    let ec_key = left_out(cfg!(feature = "ecdsa"), LeftOut::Ecdsa)
        .map_err(|_| Error::PublicKeyLeftOut(LeftOut::Ecdsa));
    let ecdsa_sig = left_out(cfg!(feature = "ecdsa"), LeftOut::Ecdsa);
    let ecdsa_why = if cfg!(feature = "ecdsa") {
        ""
    } else {
        "build: this build of sanstls-pki leaves EC keys and ECDSA out (feature `ecdsa`)"
    };
    let pss_why = if cfg!(feature = "pss") {
        ""
    } else {
        "build: this build of sanstls-pki leaves RSASSA-PSS out (feature `pss`)"
    };
    vec![
        c("server-rsa2048", Chain("server-rsa2048"), lh, ok, true, ""),
        c("server-rsa3072", Chain("server-rsa3072"), lh, ok, true, ""),
        c("server-rsa4096", Chain("server-rsa4096"), lh, ok, true, ""),
        c(
            "server-rsa2048 wildcard",
            Chain("server-rsa2048"),
            Some("a.example.test"),
            ok,
            true,
            "",
        ),
        c(
            "server-rsa2048 ip",
            Chain("server-rsa2048"),
            Some("127.0.0.1"),
            ok,
            true,
            "",
        ),
        c(
            "server-rsa2048 wrong name",
            Chain("server-rsa2048"),
            Some("example.test"),
            Err(Error::NameMismatch),
            false,
            "",
        ),
        Case {
            purpose: KeyPurpose::ClientAuth,
            ..c("client", Chain("client"), None, ok, true, "")
        },
        c(
            "server-sha384",
            Chain("server-sha384"),
            lh,
            sha384,
            true,
            sha512_why,
        ),
        c(
            "server-sha512",
            Chain("server-sha512"),
            lh,
            sha512,
            true,
            sha512_why,
        ),
        c("server-pss", Chain("server-pss"), lh, pss, true, pss_why),
        c(
            "server-pss-sha512",
            Chain("server-pss-sha512"),
            lh,
            pss.and(sha512),
            true,
            if cfg!(feature = "pss") {
                sha512_why
            } else {
                pss_why
            },
        ),
        c(
            "server-ipv6",
            Chain("server-ipv6"),
            Some("::1"),
            ok,
            true,
            "",
        ),
        c("server-ku-sign", Chain("server-ku-sign"), lh, ok, true, ""),
        c("server-no-ku", Chain("server-no-ku"), lh, ok, true, ""),
        c(
            "bad-leaf-nc",
            Chain("bad-leaf-nc"),
            lh,
            Err(Error::Malformed(
                "nameConstraints in an end-entity certificate",
            )),
            true,
            "RFC 5280 §4.2.1.10: the name constraints extension MUST be used only in a CA \
             certificate; OpenSSL ignores it on an end entity.",
        ),
        c(
            "bad-san-critical",
            Chain("bad-san-critical"),
            lh,
            Err(Error::Malformed(
                "critical subjectAltName with a non-empty subject",
            )),
            true,
            "CA/B Forum BR §7.1.2.7.12: subjectAltName MUST NOT be critical when the \
             subject is non-empty (RFC 5280 §4.2.1.6 only requires it critical when the \
             subject is empty); OpenSSL processes the critical SAN normally.",
        ),
        c(
            "nc-ok",
            Chain("nc-ok"),
            Some("www.example.test"),
            ok,
            true,
            "",
        ),
        c("deep-ok", Chain("deep-ok"), lh, ok, true, ""),
        Case {
            roots: &["ca-root2"],
            ..c(
                "cross-signed",
                Certs(&["server-rsa2048", "ca-int", "ca-int-by-root2"]),
                lh,
                ok,
                false,
                "path building (RFC 5280 §6 leaves it open; RFC 4158 §2.4 describes \
                 backtracking): the first ca-int the server sent chains to ca-root, which \
                 is not trusted here; the cross-signed ca-int-by-root2 reaches the trusted \
                 ca-root2. sanstls backtracks and finds that path; OpenSSL commits to the \
                 first issuer from the untrusted list and reports `unable to get local \
                 issuer certificate`.",
            )
        },
        Case {
            roots: &["ca-root-nc"],
            ..c(
                "root-nc-ok",
                Certs(&["root-nc-ok"]),
                Some("www.example.test"),
                ok,
                true,
                "",
            )
        },
        c(
            "bad-expired",
            Chain("bad-expired"),
            lh,
            Err(Error::Expired),
            false,
            "",
        ),
        c(
            "bad-not-yet-valid",
            Chain("bad-not-yet-valid"),
            lh,
            Err(Error::NotYetValid),
            false,
            "",
        ),
        c(
            "bad-bc-noncritical",
            Chain("bad-bc-noncritical"),
            lh,
            Err(Error::IssuerNotCa),
            true,
            "RFC 5280 §4.2.1.9: CAs MUST mark basicConstraints critical in CA certificates \
             whose keys verify certificate signatures; an intermediate that does not is \
             not accepted as an issuer. OpenSSL looks only at the cA boolean.",
        ),
        Case {
            roots: &["ca-root-unknown-critical"],
            ..c(
                "bad-root-unknown-critical",
                Certs(&["bad-root-unknown-critical"]),
                lh,
                Err(Error::UnknownCriticalExtension),
                false,
                "",
            )
        },
        c(
            "bad-int-expired",
            Chain("bad-int-expired"),
            lh,
            Err(Error::Expired),
            false,
            "",
        ),
        Case {
            roots: &["ca-root-expired"],
            ..c(
                "bad-root-expired",
                Certs(&["bad-root-expired"]),
                lh,
                Err(Error::Expired),
                false,
                "",
            )
        },
        c(
            "bad-wrong-eku",
            Chain("bad-wrong-eku"),
            lh,
            Err(Error::InvalidExtendedKeyUsage),
            false,
            "",
        ),
        c(
            "bad-int-eku",
            Chain("bad-int-eku"),
            lh,
            Err(Error::InvalidExtendedKeyUsage),
            false,
            "",
        ),
        c(
            "anyeku",
            Chain("anyeku"),
            lh,
            Err(Error::InvalidExtendedKeyUsage),
            false,
            "",
        ),
        c(
            "bad-unknown-critical",
            Chain("bad-unknown-critical"),
            lh,
            Err(Error::UnknownCriticalExtension),
            false,
            "",
        ),
        c(
            "bad-issued-by-leaf",
            Chain("bad-issued-by-leaf"),
            lh,
            Err(Error::IssuerNotCa),
            false,
            "",
        ),
        c(
            "bad-issued-by-no-keycertsign",
            Certs(&["bad-issued-by-no-keycertsign", "ca-no-keycertsign"]),
            lh,
            Err(Error::IssuerLacksKeyCertSign),
            false,
            "",
        ),
        c(
            "bad-pathlen",
            Chain("bad-pathlen"),
            lh,
            Err(Error::PathLenExceeded),
            false,
            "",
        ),
        c(
            "bad-loop",
            Chain("bad-loop"),
            lh,
            Err(Error::UnknownIssuer),
            false,
            "",
        ),
        c(
            "bad-self-signed",
            Certs(&["bad-self-signed"]),
            lh,
            Err(Error::UnknownIssuer),
            false,
            "",
        ),
        c(
            "bad-nc-permitted",
            Chain("bad-nc-permitted"),
            Some("www.example.org"),
            Err(Error::NameConstraintViolated),
            false,
            "",
        ),
        c(
            "bad-nc-excluded",
            Chain("bad-nc-excluded"),
            Some("bad.example.test"),
            Err(Error::NameConstraintViolated),
            false,
            "",
        ),
        c(
            "bad-nc-ip",
            Chain("bad-nc-ip"),
            Some("www.example.test"),
            Err(Error::NameConstraintViolated),
            false,
            "",
        ),
        Case {
            roots: &["ca-root-nc"],
            ..c(
                "bad-root-nc",
                Certs(&["bad-root-nc"]),
                Some("www.example.org"),
                Err(Error::NameConstraintViolated),
                false,
                "",
            )
        },
        c(
            "wild-middle",
            Chain("wild-middle"),
            Some("www.a.example.test"),
            Err(Error::NameMismatch),
            false,
            "",
        ),
        c(
            "wild-tld",
            Chain("wild-tld"),
            Some("example.test"),
            Err(Error::NameMismatch),
            false,
            "",
        ),
        // ---- Disagreements (with "cross-signed" above) ----
        c(
            "bad-sha1",
            Chain("bad-sha1"),
            lh,
            Err(Error::Sha1Refused),
            true,
            "policy: SHA-1 is refused by default (VerifyOptions::allow_sha1); OpenSSL 3.0 \
             at security level 1 still accepts SHA-1 certificate signatures. SHA-1 is not \
             collision resistant (SHAttered, 2017) and CA/B Forum BR §7.1.3.2 forbids it.",
        ),
        c(
            "bad-rsa1024",
            Chain("bad-rsa1024"),
            lh,
            Err(Error::WeakKey { bits: 1024 }),
            true,
            "policy: keys below 2048 bits are refused (VerifyOptions::min_rsa_bits, the CA/B \
             Forum BR §6.1.5 minimum); OpenSSL's default security level 1 allows 1024.",
        ),
        c(
            "bad-leaf-ca",
            Chain("bad-leaf-ca"),
            lh,
            Err(Error::EndEntityIsCa),
            true,
            "CA/B Forum BR §7.1.2.7.8: a subscriber certificate's basicConstraints cA MUST \
             NOT be true; OpenSSL does not look at cA on the end entity.",
        ),
        c(
            "bad-leaf-keycertsign",
            Chain("bad-leaf-keycertsign"),
            lh,
            Err(Error::EndEntityIsCa),
            true,
            "RFC 5280 §4.2.1.3: if keyCertSign is asserted, the cA bit MUST also be \
             asserted; this leaf has keyCertSign with cA false. OpenSSL ignores the \
             inconsistency on an end entity.",
        ),
        c("noeku", Chain("noeku"), lh, ok, true, ""),
        c(
            "bad-no-san",
            Chain("bad-no-san"),
            lh,
            Err(Error::NameMismatch),
            true,
            "RFC 6125 §6.4.4 / CA/B Forum BR §7.1.4.2.2: identities come from the SAN; the \
             common name is not a fallback. OpenSSL falls back to CN=localhost.",
        ),
        c(
            "wild-partial",
            Chain("wild-partial"),
            Some("foo.example.test"),
            Err(Error::NameMismatch),
            true,
            "CA/B Forum BR §1.6.1 (Wildcard Domain Name: \"*.\" followed by an FQDN) and RFC \
             6125 §7.2 (partial wildcards are a security risk): `f*.example.test` matches \
             nothing. OpenSSL allows partial-label wildcards unless \
             X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS is set.",
        ),
        c(
            "bad-nc-wildcard",
            Chain("bad-nc-wildcard"),
            Some("foo.example.test"),
            Err(Error::NameConstraintViolated),
            true,
            "RFC 5280 §4.2.1.10: names in excluded subtrees are invalid. `*.example.test` \
             stands for `bad.example.test`, which is excluded; OpenSSL compares the \
             wildcard as a literal string, which is not inside `bad.example.test`.",
        ),
        c(
            "bad-too-deep",
            Chain("bad-too-deep"),
            lh,
            Err(Error::DepthExceeded),
            true,
            "policy: the path is bounded at 8 certificates (VerifyOptions::max_depth) to \
             bound the work an attacker can cause; this path has 10. OpenSSL's default \
             depth is 100. RFC 5280 sets no limit; with max_depth 10 sanstls accepts it \
             (tested in rules.rs).",
        ),
        c(
            "bad-pss-salt20",
            Chain("bad-pss-salt20"),
            lh,
            pss.and(Err(Error::UnsupportedSignatureAlgorithm)),
            true,
            "limitation, not an RFC rule: RFC 4055 allows any PSS salt length, but \
             sanstls-crypto verifies PSS only with salt length = hash length (the only \
             form RFC 8446 and the CA/B Forum BR §7.1.3.2 permit), so others are reported \
             as unsupported.",
        ),
        c(
            "ecdsa-leaf",
            Chain("ecdsa-leaf"),
            lh,
            ec_key,
            true,
            ecdsa_why,
        ),
        c(
            "bad-ecdsa-signed",
            Chain("bad-ecdsa-signed"),
            lh,
            ecdsa_sig,
            true,
            ecdsa_why,
        ),
        // The ECDSA chains: P-384 root, P-256 intermediate, P-256 / P-384 leaves.
        Case {
            roots: &["ca-ecdsa-root"],
            ..c(
                "server-ecdsa-p256",
                Chain("server-ecdsa-p256"),
                lh,
                ec_key,
                true,
                ecdsa_why,
            )
        },
        Case {
            roots: &["ca-ecdsa-root"],
            ..c(
                "server-ecdsa-p384",
                Chain("server-ecdsa-p384"),
                Some("127.0.0.1"),
                ec_key,
                true,
                ecdsa_why,
            )
        },
        Case {
            roots: &["ca-ecdsa-root"],
            ..c(
                "server-ecdsa-p256 wrong name",
                Chain("server-ecdsa-p256"),
                Some("example.org"),
                ec_key.and(Err(Error::NameMismatch)),
                false,
                "",
            )
        },
        Case {
            roots: &["ca-ecdsa-root"],
            purpose: KeyPurpose::ClientAuth,
            ..c(
                "client-ecdsa",
                Chain("client-ecdsa"),
                None,
                ec_key,
                true,
                ecdsa_why,
            )
        },
        Case {
            roots: &["ca-ecdsa-root"],
            ..c(
                "client-ecdsa as a server",
                Chain("client-ecdsa"),
                None,
                // (The extendedKeyUsage is checked before the key.)
                Err(Error::InvalidExtendedKeyUsage),
                false,
                "",
            )
        },
        // Mixed: an EC leaf under the RSA intermediate, an RSA leaf under the EC one.
        c(
            "server-ecdsa-rsaca",
            Chain("server-ecdsa-rsaca"),
            lh,
            ec_key,
            true,
            ecdsa_why,
        ),
        Case {
            roots: &["ca-ecdsa-root"],
            ..c(
                "server-rsa-ecdsaca",
                Chain("server-rsa-ecdsaca"),
                Some("www.example.test"),
                ecdsa_sig,
                true,
                ecdsa_why,
            )
        },
        // The EC chain under the RSA root: no path.
        c(
            "server-ecdsa-p256 under ca-root",
            Chain("server-ecdsa-p256"),
            lh,
            ec_key.and(Err(Error::UnknownIssuer)),
            false,
            "",
        ),
    ]
}

fn temp_file(tag: &str, pems: &[String]) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "sanstls-pki-osslv-{}-{}.pem",
        std::process::id(),
        tag.replace(' ', "_")
    ));
    std::fs::write(&p, pems.concat()).expect("write temp file");
    p
}

fn pem_of(der: &[u8]) -> String {
    let b64 = pem_rfc7468_encode(der);
    format!("-----BEGIN CERTIFICATE-----\n{b64}-----END CERTIFICATE-----\n")
}

/// Base64 with 64-character lines (enough PEM for the openssl CLI).
fn pem_rfc7468_encode(der: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    let mut out = String::new();
    for line in s.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out
}

fn certs_of(input: &Input) -> Vec<Vec<u8>> {
    match input {
        Input::Chain(stem) => chain(stem),
        Input::Certs(stems) => stems.iter().map(|s| cert(s)).collect(),
    }
}

/// Run `openssl verify`; (accepted, output).
fn openssl_verify(case: &Case, certs: &[Vec<u8>]) -> (bool, String) {
    let roots: Vec<String> = case
        .roots
        .iter()
        .map(|r| common::read(&format!("{r}.cert.pem")))
        .collect();
    let ca = temp_file(&format!("{}-ca", case.id), &roots);
    let leaf = temp_file(&format!("{}-leaf", case.id), &[pem_of(&certs[0])]);
    let mut cmd = Command::new("openssl");
    cmd.arg("verify")
        .args(["-attime", &NOW.as_secs().to_string()])
        .arg("-purpose")
        .arg(match case.purpose {
            KeyPurpose::ServerAuth => "sslserver",
            KeyPurpose::ClientAuth => "sslclient",
        })
        .arg("-CAfile")
        .arg(&ca);
    let untrusted = (certs.len() > 1).then(|| {
        let pems: Vec<String> = certs[1..].iter().map(|c| pem_of(c)).collect();
        temp_file(&format!("{}-untrusted", case.id), &pems)
    });
    if let Some(u) = &untrusted {
        cmd.arg("-untrusted").arg(u);
    }
    if let Some(name) = case.name {
        if name.parse::<std::net::IpAddr>().is_ok() {
            cmd.args(["-verify_ip", name]);
        } else {
            cmd.args(["-verify_hostname", name]);
        }
    }
    cmd.arg(&leaf);
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run `openssl verify` ({e}): install OpenSSL 3 (the CI installs it); this \
             cross-check must not pass without it"
        )
    });
    for f in [Some(ca), Some(leaf), untrusted].into_iter().flatten() {
        let _ = std::fs::remove_file(f);
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text.trim().replace('\n', " | "))
}

fn ours(case: &Case, certs: &[Vec<u8>]) -> Result<(), Error> {
    let inter: Vec<&[u8]> = certs[1..].iter().map(Vec::as_slice).collect();
    let name = case.name.map(|n| ServerName::new(n).expect("valid name"));
    verify_chain(
        &anchors(case.roots),
        &certs[0],
        &inter,
        case.purpose,
        name.as_ref(),
        NOW,
        &VerifyOptions::default(),
    )
    .map(|_| ())
}

#[test]
fn openssl_verify_cross_check() {
    let version = Command::new("openssl")
        .arg("version")
        .output()
        .unwrap_or_else(|e| {
            panic!("`openssl` is not installed or not runnable ({e}); the CI installs it")
        });
    assert!(version.status.success(), "`openssl version` failed");

    let cases = cases();
    // Every chain file in testdata must be covered.
    let dir = common::path("");
    for entry in std::fs::read_dir(&dir).expect("testdata exists") {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".chain.pem") {
            assert!(
                cases
                    .iter()
                    .any(|c| matches!(c.input, Input::Chain(s) if s == stem)),
                "testdata/{name} has no case in openssl_verify.rs"
            );
        }
    }

    let mut failures = Vec::new();
    let mut disagreements = 0;
    for case in &cases {
        let certs = certs_of(&case.input);
        let got_ours = ours(case, &certs);
        let (got_openssl, text) = openssl_verify(case, &certs);
        let agree = got_ours.is_ok() == got_openssl;
        if !agree {
            disagreements += 1;
        }
        println!(
            "{:32} sanstls: {:40} openssl: {:6} {}",
            case.id,
            format!("{got_ours:?}"),
            if got_openssl { "OK" } else { "reject" },
            if agree { "" } else { "DISAGREE (documented)" }
        );
        if got_ours != case.ours {
            failures.push(format!(
                "{}: sanstls gave {got_ours:?}, expected {:?}",
                case.id, case.ours
            ));
        }
        if got_openssl != case.openssl_accepts {
            failures.push(format!(
                "{}: openssl {} (expected {}): {text}",
                case.id,
                if got_openssl { "accepted" } else { "rejected" },
                if case.openssl_accepts {
                    "accept"
                } else {
                    "reject"
                }
            ));
        }
        if agree != case.why.is_empty() {
            failures.push(format!(
                "{}: the reason text must be present exactly when the tools disagree",
                case.id
            ));
        }
    }
    println!(
        "{} cases, {disagreements} documented disagreements",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
