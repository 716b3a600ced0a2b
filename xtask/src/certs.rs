//! `cargo xtask gen-certs`: the test PKI in `testdata/`, made with the `openssl` CLI.
//!
//! Every certificate is issued by `openssl ca` so that validity periods can be set
//! exactly (expired and not-yet-valid certificates need dates in the past and future).
//! Keys are written twice: PKCS#1 (`*.rsa.pem`) and PKCS#8 (`*.pkcs8.pem`) for RSA,
//! SEC 1 (`*.ec.pem`) and PKCS#8 (`*.pkcs8.pem`) for the EC keys of the `ecdsa` group.
//!
//! `cargo xtask gen-certs` writes everything (new keys, so every file changes);
//! `cargo xtask gen-certs --only ecdsa` writes only the ECDSA chains (`ca-ecdsa-*`,
//! `server-ecdsa-*`, `client-ecdsa`, `server-rsa-ecdsaca`), reading the existing `ca-int`
//! for the mixed chain and leaving every other file byte-identical (the committed fuzz
//! seeds depend on them).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tasks::root;

/// Validity of every certificate that is meant to be valid: wide enough that tests using
/// the real clock keep working for years, fixed so tests can pass a time inside it.
const VALID_FROM: &str = "20250101000000Z";
const VALID_TO: &str = "20450101000000Z";

const SERVER_SAN: &str = "DNS:localhost,DNS:*.example.test,IP:127.0.0.1";

const CA_EXT: &str = "basicConstraints = critical, CA:true\n\
keyUsage = critical, keyCertSign, cRLSign\n\
subjectKeyIdentifier = hash\n";

const INT_EXT: &str = "basicConstraints = critical, CA:true, pathlen:0\n\
keyUsage = critical, keyCertSign, cRLSign\n\
subjectKeyIdentifier = hash\n\
authorityKeyIdentifier = keyid\n";

/// A broken certificate: (name, what is wrong, validity, extensions, signature hash).
type Broken<'a> = (&'a str, &'a str, (&'a str, &'a str), String, &'a str);

struct Gen {
    out: PathBuf,
    work: PathBuf,
    serial: u32,
}

fn openssl(args: &[&str], dir: &Path) -> Result<(), String> {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run openssl (is it installed?): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("testdata paths are UTF-8")
}

impl Gen {
    fn file(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    /// A new RSA key `name.rsa.pem` (PKCS#1) and `name.pkcs8.pem` (PKCS#8).
    fn key(&self, name: &str, bits: u32) -> Result<(), String> {
        let rsa = self.file(&format!("{name}.rsa.pem"));
        let p8 = self.file(&format!("{name}.pkcs8.pem"));
        let bits = bits.to_string();
        openssl(
            &["genrsa", "-traditional", "-out", path_str(&rsa), &bits],
            &self.work,
        )?;
        openssl(
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                path_str(&rsa),
                "-out",
                path_str(&p8),
            ],
            &self.work,
        )
    }

    /// A new EC P-256 key `name.ec.pem` (SEC1), for the unsupported-algorithm cases.
    fn ec_key(&self, name: &str) -> Result<(), String> {
        let ec = self.file(&format!("{name}.ec.pem"));
        openssl(
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                path_str(&ec),
            ],
            &self.work,
        )
    }

    /// A new EC key on `curve` (an OpenSSL curve name: `prime256v1`, `secp384r1`):
    /// `name.ec.pem` (SEC 1, `BEGIN EC PRIVATE KEY`) and `name.pkcs8.pem` (PKCS#8).
    fn ec_key_on(&self, name: &str, curve: &str) -> Result<(), String> {
        let ec = self.file(&format!("{name}.ec.pem"));
        let p8 = self.file(&format!("{name}.pkcs8.pem"));
        openssl(
            &[
                "ecparam",
                "-name",
                curve,
                "-genkey",
                "-noout",
                "-out",
                path_str(&ec),
            ],
            &self.work,
        )?;
        openssl(
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                path_str(&ec),
                "-out",
                path_str(&p8),
            ],
            &self.work,
        )
    }

    /// The private key file of `name`: `.rsa.pem`, or `.ec.pem` for EC keys.
    fn key_file(&self, name: &str) -> PathBuf {
        let rsa = self.file(&format!("{name}.rsa.pem"));
        if rsa.exists() {
            rsa
        } else {
            self.file(&format!("{name}.ec.pem"))
        }
    }

    /// Issue `name.cert.pem` for key `key_name` with `subject` and extensions `ext`, signed
    /// by `issuer` (its `.cert.pem` and `.rsa.pem`), or self-signed when `issuer` is None.
    #[allow(clippy::too_many_arguments)]
    fn cert(
        &mut self,
        name: &str,
        key_name: &str,
        subject: &str,
        issuer: Option<&str>,
        ext: &str,
        md: &str,
        dates: (&str, &str),
    ) -> Result<(), String> {
        self.cert_with(name, key_name, subject, issuer, ext, md, dates, &[])
    }

    /// [`Gen::cert`] with extra `openssl ca` arguments (e.g. `-sigopt` for RSA-PSS).
    #[allow(clippy::too_many_arguments)]
    fn cert_with(
        &mut self,
        name: &str,
        key_name: &str,
        subject: &str,
        issuer: Option<&str>,
        ext: &str,
        md: &str,
        (from, to): (&str, &str),
        extra: &[&str],
    ) -> Result<(), String> {
        self.serial += 1;
        let dir = self.work.join(format!("ca-{name}"));
        std::fs::create_dir_all(dir.join("new")).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("index.txt"), "").map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join("serial"),
            format!("{:04X}\n", 0x1000 + self.serial),
        )
        .map_err(|e| e.to_string())?;
        let key = self.key_file(key_name);
        let csr = dir.join("req.csr");
        openssl(
            &[
                "req",
                "-new",
                "-key",
                path_str(&key),
                "-subj",
                subject,
                "-out",
                path_str(&csr),
            ],
            &dir,
        )?;
        let (ca_cert, ca_key) = match issuer {
            Some(i) => (self.file(&format!("{i}.cert.pem")), self.key_file(i)),
            None => (self.file(&format!("{name}.cert.pem")), key.clone()),
        };
        let mut conf = String::new();
        let d = path_str(&dir);
        let _ = write!(
            conf,
            "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = {d}/index.txt\n\
             new_certs_dir = {d}/new\nserial = {d}/serial\ncertificate = {}\n\
             private_key = {}\ndefault_md = {md}\npolicy = any\nunique_subject = no\n\
             copy_extensions = none\nemail_in_dn = no\n[any]\ncommonName = supplied\n\
             organizationName = optional\norganizationalUnitName = optional\n",
            path_str(&ca_cert),
            path_str(&ca_key)
        );
        std::fs::write(dir.join("ca.cnf"), conf).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("ext.cnf"), format!("[ext]\n{ext}")).map_err(|e| e.to_string())?;
        let out = self.file(&format!("{name}.cert.pem"));
        let mut args = vec![
            "ca",
            "-batch",
            "-notext",
            "-config",
            "ca.cnf",
            "-in",
            "req.csr",
            "-out",
            path_str(&out),
            "-extfile",
            "ext.cnf",
            "-extensions",
            "ext",
            "-md",
            md,
            "-startdate",
            from,
            "-enddate",
            to,
        ];
        if issuer.is_none() {
            args.push("-selfsign");
        }
        args.extend_from_slice(extra);
        openssl(&args, &dir)
    }
}

fn leaf_ext(eku: &str, san: &str) -> String {
    format!(
        "basicConstraints = critical, CA:false\n\
         keyUsage = critical, digitalSignature, keyEncipherment\n\
         extendedKeyUsage = {eku}\nsubjectAltName = {san}\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
    )
}

/// The groups `--only` can name.
const GROUPS: [&str; 1] = ["ecdsa"];

/// `cargo xtask gen-certs [--only GROUP]...`: every file, or only the named groups.
pub(crate) fn gen_certs(args: &[String]) -> Result<(), String> {
    let mut only = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--only" => {
                let group = it.next().ok_or("--only needs a group name")?;
                if !GROUPS.contains(&group.as_str()) {
                    return Err(format!(
                        "unknown group `{group}` (groups: {})",
                        GROUPS.join(", ")
                    ));
                }
                only.push(group.clone());
            }
            other => return Err(format!("gen-certs: unknown argument `{other}`")),
        }
    }
    if only.is_empty() {
        return gen_all();
    }
    let (mut g, work) = start()?;
    if only.iter().any(|o| o == "ecdsa") {
        ecdsa_group(&mut g)?;
    }
    let _ = std::fs::remove_dir_all(&work);
    eprintln!(
        "gen-certs: wrote the groups {} in {}",
        only.join(", "),
        g.out.display()
    );
    Ok(())
}

/// The generator, writing to `testdata/`, and its scratch directory.
fn start() -> Result<(Gen, PathBuf), String> {
    let out = root().join("testdata");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let work = std::env::temp_dir().join(format!("sanstls-gen-certs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let g = Gen {
        out,
        work: work.clone(),
        serial: 0,
    };
    Ok((g, work))
}

/// Every file of `testdata/`.
fn gen_all() -> Result<(), String> {
    let (mut g, work) = start()?;
    let valid = (VALID_FROM, VALID_TO);
    let server = leaf_ext("serverAuth", SERVER_SAN);

    // Root and intermediate CAs.
    g.key("ca-root", 2048)?;
    g.cert(
        "ca-root",
        "ca-root",
        "/O=sanstls test/CN=sanstls test root CA",
        None,
        CA_EXT,
        "sha256",
        valid,
    )?;
    g.key("ca-int", 2048)?;
    g.cert(
        "ca-int",
        "ca-int",
        "/O=sanstls test/CN=sanstls test intermediate CA",
        Some("ca-root"),
        INT_EXT,
        "sha256",
        valid,
    )?;

    // Server leaves of each size.
    for bits in [2048, 3072, 4096] {
        let name = format!("server-rsa{bits}");
        g.key(&name, bits)?;
        g.cert(
            &name,
            &name,
            "/O=sanstls test/CN=localhost",
            Some("ca-int"),
            &server,
            "sha256",
            valid,
        )?;
    }

    // Client leaf.
    g.key("client", 2048)?;
    g.cert(
        "client",
        "client",
        "/O=sanstls test/CN=sanstls test client",
        Some("ca-int"),
        &leaf_ext("clientAuth", "DNS:client.example.test"),
        "sha256",
        valid,
    )?;

    // Broken certificates, each wrong in exactly one way.
    let broken: [Broken; 5] = [
        (
            "bad-expired",
            "expired",
            ("20200101000000Z", "20210101000000Z"),
            server.clone(),
            "sha256",
        ),
        (
            "bad-not-yet-valid",
            "not yet valid",
            ("20400101000000Z", VALID_TO),
            server.clone(),
            "sha256",
        ),
        (
            "bad-wrong-eku",
            "client-only EKU",
            valid,
            leaf_ext("clientAuth", SERVER_SAN),
            "sha256",
        ),
        ("bad-sha1", "SHA-1 signed", valid, server.clone(), "sha1"),
        (
            "bad-rsa1024",
            "1024-bit key",
            valid,
            server.clone(),
            "sha256",
        ),
    ];
    for (name, what, dates, ext, md) in &broken {
        let bits = if *name == "bad-rsa1024" { 1024 } else { 2048 };
        g.key(name, bits)?;
        g.cert(
            name,
            name,
            &format!("/O=sanstls test/OU={what}/CN=localhost"),
            Some("ca-int"),
            ext,
            md,
            *dates,
        )?;
    }
    // An intermediate that is a CA but lacks keyCertSign, and a leaf it issued.
    g.key("ca-no-keycertsign", 2048)?;
    g.cert(
        "ca-no-keycertsign",
        "ca-no-keycertsign",
        "/O=sanstls test/CN=sanstls test CA without keyCertSign",
        Some("ca-root"),
        "basicConstraints = critical, CA:true\nkeyUsage = critical, digitalSignature, cRLSign\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
        "sha256",
        valid,
    )?;
    g.key("bad-issued-by-no-keycertsign", 2048)?;
    g.cert(
        "bad-issued-by-no-keycertsign",
        "bad-issued-by-no-keycertsign",
        "/O=sanstls test/OU=issuer lacks keyCertSign/CN=localhost",
        Some("ca-no-keycertsign"),
        &server,
        "sha256",
        valid,
    )?;
    // A self-signed leaf (not a CA) with the server names.
    g.key("bad-self-signed", 2048)?;
    g.cert(
        "bad-self-signed",
        "bad-self-signed",
        "/O=sanstls test/OU=self-signed leaf/CN=localhost",
        None,
        &leaf_ext("serverAuth", SERVER_SAN).replace("authorityKeyIdentifier = keyid\n", ""),
        "sha256",
        valid,
    )?;

    pki_cases(&mut g, &server)?;

    // Chains as a server sends them (leaf first, then the intermediate).
    let int = std::fs::read_to_string(g.file("ca-int.cert.pem")).map_err(|e| e.to_string())?;
    for name in [
        "server-rsa2048",
        "server-rsa3072",
        "server-rsa4096",
        "client",
        "bad-expired",
        "bad-not-yet-valid",
        "bad-wrong-eku",
        "bad-sha1",
        "bad-rsa1024",
    ] {
        let leaf = std::fs::read_to_string(g.file(&format!("{name}.cert.pem")))
            .map_err(|e| e.to_string())?;
        std::fs::write(g.file(&format!("{name}.chain.pem")), format!("{leaf}{int}"))
            .map_err(|e| e.to_string())?;
    }
    ecdsa_group(&mut g)?;
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("gen-certs: wrote {}", g.out.display());
    Ok(())
}

/// Write `name.chain.pem`: the leaf followed by `intermediates`, as a peer sends them.
fn write_chain(g: &Gen, name: &str, intermediates: &[&str]) -> Result<(), String> {
    let mut pem = String::new();
    for part in std::iter::once(&name).chain(intermediates) {
        pem.push_str(
            &std::fs::read_to_string(g.file(&format!("{part}.cert.pem")))
                .map_err(|e| e.to_string())?,
        );
    }
    std::fs::write(g.file(&format!("{name}.chain.pem")), pem).map_err(|e| e.to_string())
}

/// A CA extension block: basicConstraints with an optional pathlen, plus `more`.
fn ca_ext(pathlen: Option<u8>, more: &str) -> String {
    let pathlen = pathlen
        .map(|n| format!(", pathlen:{n}"))
        .unwrap_or_default();
    format!(
        "basicConstraints = critical, CA:true{pathlen}\n\
         keyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\n{more}"
    )
}

/// The certificates the sanstls-pki tests need: one rule each (see testdata/README.md).
#[allow(clippy::too_many_lines)]
fn pki_cases(g: &mut Gen, server: &str) -> Result<(), String> {
    let valid = (VALID_FROM, VALID_TO);
    let aki = "authorityKeyIdentifier = keyid\n";
    let pss = |salt: &'static str| -> [&'static str; 4] {
        ["-sigopt", "rsa_padding_mode:pss", "-sigopt", salt]
    };
    let pss_digest = pss("rsa_pss_saltlen:digest");
    let pss_20 = pss("rsa_pss_saltlen:20");
    let no_eku = server.replace("extendedKeyUsage = serverAuth\n", "");
    let no_san = server.replace(&format!("subjectAltName = {SERVER_SAN}\n"), "");
    let leaf_ca = server.replace("CA:false", "CA:true");
    let leaf_kcs = server.replace("keyEncipherment", "keyEncipherment, keyCertSign");
    let unknown_critical = format!("{server}1.3.6.1.4.1.55555.1 = critical, ASN1:NULL\n");
    let ku_sign_only = server.replace("digitalSignature, keyEncipherment", "digitalSignature");
    let no_ku = server.replace(
        "keyUsage = critical, digitalSignature, keyEncipherment\n",
        "",
    );
    let leaf_nc = format!("{server}nameConstraints = critical, permitted;DNS:example.test\n");
    let san_critical = server.replace(
        &format!("subjectAltName = {SERVER_SAN}"),
        &format!("subjectAltName = critical, {SERVER_SAN}"),
    );

    // Leaves issued by ca-int, each differing from server-rsa2048 in one way:
    // (name, what, extensions, digest, extra `openssl ca` arguments).
    let leaves: [(&str, &str, &str, &str, &[&str]); 19] = [
        (
            "server-ku-sign",
            "keyUsage digitalSignature only",
            &ku_sign_only,
            "sha256",
            &[],
        ),
        ("server-no-ku", "no keyUsage", &no_ku, "sha256", &[]),
        (
            "bad-leaf-nc",
            "nameConstraints in a leaf",
            &leaf_nc,
            "sha256",
            &[],
        ),
        (
            "bad-san-critical",
            "critical SAN, non-empty subject",
            &san_critical,
            "sha256",
            &[],
        ),
        ("server-sha384", "SHA-384 signed", server, "sha384", &[]),
        ("server-sha512", "SHA-512 signed", server, "sha512", &[]),
        (
            "server-pss",
            "RSA-PSS SHA-256",
            server,
            "sha256",
            &pss_digest,
        ),
        (
            "server-pss-sha512",
            "RSA-PSS SHA-512",
            server,
            "sha512",
            &pss_digest,
        ),
        (
            "bad-pss-salt20",
            "RSA-PSS salt 20",
            server,
            "sha256",
            &pss_20,
        ),
        (
            "bad-unknown-critical",
            "unknown critical extension",
            &unknown_critical,
            "sha256",
            &[],
        ),
        (
            "bad-leaf-ca",
            "end entity with CA:true",
            &leaf_ca,
            "sha256",
            &[],
        ),
        (
            "bad-leaf-keycertsign",
            "keyCertSign without CA",
            &leaf_kcs,
            "sha256",
            &[],
        ),
        ("noeku", "no extendedKeyUsage", &no_eku, "sha256", &[]),
        ("bad-no-san", "no subjectAltName", &no_san, "sha256", &[]),
        ("anyeku", "anyExtendedKeyUsage only", "", "sha256", &[]),
        ("wild-partial", "partial-label wildcard", "", "sha256", &[]),
        ("wild-tld", "wildcard over a TLD", "", "sha256", &[]),
        ("wild-middle", "wildcard not left-most", "", "sha256", &[]),
        ("server-ipv6", "IPv6 SAN", "", "sha256", &[]),
    ];
    for (name, what, ext, md, extra) in leaves {
        let ext = match name {
            "anyeku" => leaf_ext("anyExtendedKeyUsage", SERVER_SAN),
            "wild-partial" => leaf_ext("serverAuth", "DNS:f*.example.test"),
            "wild-tld" => leaf_ext("serverAuth", "DNS:*.test"),
            "wild-middle" => leaf_ext("serverAuth", "DNS:www.*.example.test"),
            "server-ipv6" => leaf_ext("serverAuth", "DNS:localhost,IP:::1"),
            _ => ext.to_string(),
        };
        g.key(name, 2048)?;
        g.cert_with(
            name,
            name,
            &format!("/O=sanstls test/OU={what}/CN=localhost"),
            Some("ca-int"),
            &ext,
            md,
            valid,
            extra,
        )?;
        write_chain(g, name, &["ca-int"])?;
    }

    // A second root, and ca-int (same subject and key) cross-signed by it.
    g.key("ca-root2", 2048)?;
    g.cert(
        "ca-root2",
        "ca-root2",
        "/O=sanstls test/CN=sanstls test second root CA",
        None,
        CA_EXT,
        "sha256",
        valid,
    )?;
    g.cert(
        "ca-int-by-root2",
        "ca-int",
        "/O=sanstls test/CN=sanstls test intermediate CA",
        Some("ca-root2"),
        INT_EXT,
        "sha256",
        valid,
    )?;

    // Issuing CAs under ca-root, each with one property, and one leaf under each:
    // (CA name, CA what, CA extensions, CA dates, leaf name, leaf SAN).
    let nc = "nameConstraints = critical, permitted;DNS:example.test, \
              permitted;IP:127.0.0.0/255.0.0.0, excluded;DNS:bad.example.test\n";
    let cas: [(&str, &str, String, (&str, &str)); 4] = [
        (
            "ca-nc",
            "name-constrained CA",
            ca_ext(Some(0), &format!("{aki}{nc}")),
            valid,
        ),
        (
            "ca-int-clienteku",
            "CA with EKU clientAuth",
            ca_ext(Some(0), &format!("{aki}extendedKeyUsage = clientAuth\n")),
            valid,
        ),
        (
            "ca-int-expired",
            "expired CA",
            ca_ext(Some(0), aki),
            ("20200101000000Z", "20210101000000Z"),
        ),
        ("ca-pl1", "CA with pathlen 1", ca_ext(Some(1), aki), valid),
    ];
    for (name, what, ext, dates) in &cas {
        g.key(name, 2048)?;
        g.cert(
            name,
            name,
            &format!("/O=sanstls test/CN=sanstls test {what}"),
            Some("ca-root"),
            ext,
            "sha256",
            *dates,
        )?;
    }
    // Second-level CAs: under ca-pl1 (allowed) and under ca-int (pathlen:0 exceeded).
    for (name, issuer) in [("ca-pl1-sub", "ca-pl1"), ("ca-int-sub", "ca-int")] {
        g.key(name, 2048)?;
        g.cert(
            name,
            name,
            &format!("/O=sanstls test/CN=sanstls test {name}"),
            Some(issuer),
            &ca_ext(None, aki),
            "sha256",
            valid,
        )?;
    }
    // Leaves under those CAs: (leaf, issuer, SAN, intermediates of its chain).
    let under: [(&str, &str, &str, &[&str]); 9] = [
        (
            "nc-ok",
            "ca-nc",
            "DNS:www.example.test,IP:127.0.0.1",
            &["ca-nc"],
        ),
        (
            "bad-nc-permitted",
            "ca-nc",
            "DNS:www.example.org",
            &["ca-nc"],
        ),
        (
            "bad-nc-excluded",
            "ca-nc",
            "DNS:bad.example.test",
            &["ca-nc"],
        ),
        (
            "bad-nc-ip",
            "ca-nc",
            "DNS:www.example.test,IP:10.0.0.1",
            &["ca-nc"],
        ),
        ("bad-nc-wildcard", "ca-nc", "DNS:*.example.test", &["ca-nc"]),
        (
            "bad-int-eku",
            "ca-int-clienteku",
            SERVER_SAN,
            &["ca-int-clienteku"],
        ),
        (
            "bad-int-expired",
            "ca-int-expired",
            SERVER_SAN,
            &["ca-int-expired"],
        ),
        (
            "deep-ok",
            "ca-pl1-sub",
            SERVER_SAN,
            &["ca-pl1-sub", "ca-pl1"],
        ),
        (
            "bad-pathlen",
            "ca-int-sub",
            SERVER_SAN,
            &["ca-int-sub", "ca-int"],
        ),
    ];
    for (name, issuer, san, chain) in under {
        g.key(name, 2048)?;
        g.cert(
            name,
            name,
            &format!("/O=sanstls test/OU={name}/CN=localhost"),
            Some(issuer),
            &leaf_ext("serverAuth", san),
            "sha256",
            valid,
        )?;
        write_chain(g, name, chain)?;
    }

    // A name-constrained root with a leaf inside and one outside its subtree.
    g.key("ca-root-nc", 2048)?;
    g.cert(
        "ca-root-nc",
        "ca-root-nc",
        "/O=sanstls test/CN=sanstls test name-constrained root",
        None,
        &ca_ext(
            None,
            "nameConstraints = critical, permitted;DNS:example.test\n",
        ),
        "sha256",
        valid,
    )?;
    for (name, san) in [
        ("root-nc-ok", "DNS:www.example.test"),
        ("bad-root-nc", "DNS:www.example.org"),
    ] {
        g.key(name, 2048)?;
        g.cert(
            name,
            name,
            &format!("/O=sanstls test/OU={name}/CN=localhost"),
            Some("ca-root-nc"),
            &leaf_ext("serverAuth", san),
            "sha256",
            valid,
        )?;
    }

    // An expired root (2020 to 2021) and a leaf it issued that is itself still valid.
    g.key("ca-root-expired", 2048)?;
    g.cert(
        "ca-root-expired",
        "ca-root-expired",
        "/O=sanstls test/CN=sanstls test expired root",
        None,
        CA_EXT,
        "sha256",
        ("20200101000000Z", "20210101000000Z"),
    )?;
    g.key("bad-root-expired", 2048)?;
    g.cert(
        "bad-root-expired",
        "bad-root-expired",
        "/O=sanstls test/OU=under an expired root/CN=localhost",
        Some("ca-root-expired"),
        server,
        "sha256",
        valid,
    )?;

    // A root with an unknown critical extension, and an intermediate whose
    // basicConstraints is not critical; a leaf under each.
    g.key("ca-root-unknown-critical", 2048)?;
    g.cert(
        "ca-root-unknown-critical",
        "ca-root-unknown-critical",
        "/O=sanstls test/CN=sanstls test root with unknown critical extension",
        None,
        &format!("{CA_EXT}1.3.6.1.4.1.55555.2 = critical, ASN1:NULL\n"),
        "sha256",
        valid,
    )?;
    g.key("ca-bc-noncritical", 2048)?;
    g.cert(
        "ca-bc-noncritical",
        "ca-bc-noncritical",
        "/O=sanstls test/CN=sanstls test CA with non-critical basicConstraints",
        Some("ca-root"),
        &ca_ext(None, aki).replace("critical, CA:true", "CA:true"),
        "sha256",
        valid,
    )?;
    for (name, issuer) in [
        ("bad-root-unknown-critical", "ca-root-unknown-critical"),
        ("bad-bc-noncritical", "ca-bc-noncritical"),
    ] {
        g.key(name, 2048)?;
        g.cert(
            name,
            name,
            &format!("/O=sanstls test/OU={name}/CN=localhost"),
            Some(issuer),
            server,
            "sha256",
            valid,
        )?;
    }
    write_chain(g, "bad-bc-noncritical", &["ca-bc-noncritical"])?;

    // A leaf "issued" by another leaf (not a CA).
    g.key("bad-issued-by-leaf", 2048)?;
    g.cert(
        "bad-issued-by-leaf",
        "bad-issued-by-leaf",
        "/O=sanstls test/OU=issued by a leaf/CN=localhost",
        Some("server-rsa2048"),
        server,
        "sha256",
        valid,
    )?;
    write_chain(g, "bad-issued-by-leaf", &["server-rsa2048", "ca-int"])?;

    // Two CAs that issued each other (a loop), and a leaf under them; no anchor.
    g.key("ca-loop-a", 2048)?;
    g.key("ca-loop-b", 2048)?;
    let (sub_a, sub_b) = (
        "/O=sanstls test/CN=sanstls test loop A",
        "/O=sanstls test/CN=sanstls test loop B",
    );
    g.cert(
        "ca-loop-b",
        "ca-loop-b",
        sub_b,
        None,
        CA_EXT,
        "sha256",
        valid,
    )?;
    g.cert(
        "ca-loop-a",
        "ca-loop-a",
        sub_a,
        Some("ca-loop-b"),
        CA_EXT,
        "sha256",
        valid,
    )?;
    g.cert(
        "ca-loop-b",
        "ca-loop-b",
        sub_b,
        Some("ca-loop-a"),
        CA_EXT,
        "sha256",
        valid,
    )?;
    g.key("bad-loop", 2048)?;
    g.cert(
        "bad-loop",
        "bad-loop",
        "/O=sanstls test/OU=under a CA loop/CN=localhost",
        Some("ca-loop-a"),
        server,
        "sha256",
        valid,
    )?;
    write_chain(g, "bad-loop", &["ca-loop-a", "ca-loop-b"])?;

    // Eight CAs in a row under ca-root, and a leaf: 10 certificates with the root.
    let mut issuer = String::from("ca-root");
    let mut deep = Vec::new();
    for i in 1..=8 {
        let name = format!("ca-deep-{i}");
        g.key(&name, 2048)?;
        g.cert(
            &name,
            &name,
            &format!("/O=sanstls test/CN=sanstls test deep CA {i}"),
            Some(&issuer),
            &ca_ext(None, aki),
            "sha256",
            valid,
        )?;
        deep.insert(0, name.clone());
        issuer = name;
    }
    g.key("bad-too-deep", 2048)?;
    g.cert(
        "bad-too-deep",
        "bad-too-deep",
        "/O=sanstls test/OU=eight intermediates/CN=localhost",
        Some(&issuer),
        server,
        "sha256",
        valid,
    )?;
    let deep: Vec<&str> = deep.iter().map(String::as_str).collect();
    write_chain(g, "bad-too-deep", &deep)?;

    // ECDSA: a leaf with a P-256 key (RSA-signed), and an EC CA signing an RSA leaf.
    g.ec_key("ecdsa-leaf")?;
    g.cert(
        "ecdsa-leaf",
        "ecdsa-leaf",
        "/O=sanstls test/OU=P-256 key/CN=localhost",
        Some("ca-int"),
        server,
        "sha256",
        valid,
    )?;
    write_chain(g, "ecdsa-leaf", &["ca-int"])?;
    g.ec_key("ca-ec")?;
    g.cert(
        "ca-ec",
        "ca-ec",
        "/O=sanstls test/CN=sanstls test P-256 CA",
        Some("ca-root"),
        &ca_ext(Some(0), aki),
        "sha256",
        valid,
    )?;
    g.key("bad-ecdsa-signed", 2048)?;
    g.cert(
        "bad-ecdsa-signed",
        "bad-ecdsa-signed",
        "/O=sanstls test/OU=ECDSA-signed/CN=localhost",
        Some("ca-ec"),
        server,
        "sha256",
        valid,
    )?;
    write_chain(g, "bad-ecdsa-signed", &["ca-ec"])?;
    Ok(())
}

/// The ECDSA chains (group `ecdsa`): a P-384 root, a P-256 intermediate, P-256 and P-384
/// server leaves, a P-256 client leaf, and the two mixed chains (an EC leaf under the
/// RSA `ca-int`, an RSA leaf under the EC intermediate). Needs `ca-int` (and its key)
/// from an earlier full run.
fn ecdsa_group(g: &mut Gen) -> Result<(), String> {
    let valid = (VALID_FROM, VALID_TO);
    // Serials of their own, so that this group gives the same serials alone or in a
    // full run.
    g.serial = 0x1000;
    let ecdsa_server = leaf_ext("serverAuth", SERVER_SAN)
        .replace("digitalSignature, keyEncipherment", "digitalSignature");

    g.ec_key_on("ca-ecdsa-root", "secp384r1")?;
    g.cert(
        "ca-ecdsa-root",
        "ca-ecdsa-root",
        "/O=sanstls test/CN=sanstls test ECDSA P-384 root CA",
        None,
        CA_EXT,
        "sha384",
        valid,
    )?;
    g.ec_key_on("ca-ecdsa-int", "prime256v1")?;
    g.cert(
        "ca-ecdsa-int",
        "ca-ecdsa-int",
        "/O=sanstls test/CN=sanstls test ECDSA P-256 intermediate CA",
        Some("ca-ecdsa-root"),
        INT_EXT,
        "sha384",
        valid,
    )?;
    // (name, curve, hash, issuer, extensions)
    let leaves: [(&str, &str, &str, &str, String); 4] = [
        (
            "server-ecdsa-p256",
            "prime256v1",
            "sha256",
            "ca-ecdsa-int",
            ecdsa_server.clone(),
        ),
        (
            "server-ecdsa-p384",
            "secp384r1",
            "sha384",
            "ca-ecdsa-int",
            ecdsa_server.clone(),
        ),
        (
            "client-ecdsa",
            "prime256v1",
            "sha256",
            "ca-ecdsa-int",
            leaf_ext("clientAuth", "DNS:client.example.test")
                .replace("digitalSignature, keyEncipherment", "digitalSignature"),
        ),
        (
            "server-ecdsa-rsaca",
            "prime256v1",
            "sha256",
            "ca-int",
            ecdsa_server.clone(),
        ),
    ];
    for (name, curve, md, issuer, ext) in &leaves {
        g.ec_key_on(name, curve)?;
        let subject = if name.starts_with("client") {
            "/O=sanstls test/CN=sanstls test ECDSA client".to_string()
        } else {
            format!("/O=sanstls test/OU={name}/CN=localhost")
        };
        g.cert(name, name, &subject, Some(issuer), ext, md, valid)?;
        write_chain(g, name, &[issuer])?;
    }
    g.key("server-rsa-ecdsaca", 2048)?;
    g.cert(
        "server-rsa-ecdsaca",
        "server-rsa-ecdsaca",
        "/O=sanstls test/OU=server-rsa-ecdsaca/CN=localhost",
        Some("ca-ecdsa-int"),
        &leaf_ext("serverAuth", SERVER_SAN),
        "sha256",
        valid,
    )?;
    write_chain(g, "server-rsa-ecdsaca", &["ca-ecdsa-int"])
}
