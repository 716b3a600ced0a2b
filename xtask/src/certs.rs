//! `cargo xtask gen-certs`: the test PKI in `testdata/`, made with the `openssl` CLI.
//!
//! Every certificate is issued by `openssl ca` so that validity periods can be set
//! exactly (expired and not-yet-valid certificates need dates in the past and future).
//! Keys are written twice: PKCS#1 (`*.rsa.pem`) and PKCS#8 (`*.pkcs8.pem`).

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
        (from, to): (&str, &str),
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
        let key = self.file(&format!("{key_name}.rsa.pem"));
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
            Some(i) => (
                self.file(&format!("{i}.cert.pem")),
                self.file(&format!("{i}.rsa.pem")),
            ),
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

pub(crate) fn gen_certs() -> Result<(), String> {
    let out = root().join("testdata");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let work = std::env::temp_dir().join(format!("sanstls-gen-certs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut g = Gen {
        out,
        work: work.clone(),
        serial: 0,
    };
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
    let _ = std::fs::remove_dir_all(&work);
    eprintln!("gen-certs: wrote {}", g.out.display());
    Ok(())
}
