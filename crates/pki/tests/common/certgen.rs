//! Certificates made at test time with the `openssl` crate, for rules whose cases are
//! not in `testdata/` (keys come from testdata, so nothing slow is generated).
#![allow(deprecated)] // X509Extension::new_nid: the one API for nameConstraints text.

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509Extension, X509Name, X509NameBuilder};

use super::{VALID_FROM, VALID_TO, read};

/// The private key of `testdata/<name>.rsa.pem`.
pub fn key(name: &str) -> PKey<Private> {
    PKey::private_key_from_pem(read(&format!("{name}.rsa.pem")).as_bytes()).expect("testdata key")
}

/// A public key with the modulus of `like` and the public exponent `e` (no private
/// key exists: for certificates whose key is refused before it is ever used).
pub fn public_key_with_e(like: &PKey<Private>, e: &BigNum) -> PKey<Public> {
    let rsa = like.rsa().unwrap();
    let n = rsa.n().to_owned().unwrap();
    PKey::from_rsa(
        Rsa::from_public_components(n, openssl::bn::BigNumRef::to_owned(e).unwrap()).unwrap(),
    )
    .unwrap()
}

/// A fresh RSA key pair with public exponent `e`.
pub fn fresh_key(bits: u32, e: &BigNum) -> PKey<Private> {
    PKey::from_rsa(Rsa::generate_with_e(bits, e).unwrap()).unwrap()
}

/// A Name from `(field, value)` pairs, most significant first (`C`, `O`, `CN`, ...,
/// `emailAddress`).
pub fn name(parts: &[(&str, &str)]) -> X509Name {
    let mut b = X509NameBuilder::new().unwrap();
    for (k, v) in parts {
        b.append_entry_by_text(k, v).unwrap();
    }
    b.build()
}

/// A name with one common name.
pub fn cn(v: &str) -> X509Name {
    name(&[("CN", v)])
}

/// What to put in a certificate.
pub struct Spec<'a> {
    pub subject: X509Name,
    pub issuer: X509Name,
    /// The certified key (its public half).
    pub key: &'a openssl::pkey::PKeyRef<Public>,
    /// The issuer's key, which signs.
    pub signer: &'a PKey<Private>,
    /// Extensions as OpenSSL config text: (NID, "critical,CA:TRUE").
    pub exts: Vec<(Nid, String)>,
    /// A version 1 certificate (no extensions allowed).
    pub v1: bool,
    pub serial: u32,
    pub not_before: u64,
    pub not_after: u64,
    /// The hash the signer signs with (PKCS#1 v1.5).
    pub digest: MessageDigest,
}

impl<'a> Spec<'a> {
    /// A v3 certificate valid 2025..2045, serial 1, no extensions.
    pub fn new(
        subject: X509Name,
        issuer: X509Name,
        key: &'a openssl::pkey::PKeyRef<Public>,
        signer: &'a PKey<Private>,
    ) -> Self {
        Spec {
            subject,
            issuer,
            key,
            signer,
            exts: Vec::new(),
            v1: false,
            serial: 1,
            not_before: VALID_FROM,
            not_after: VALID_TO,
            digest: MessageDigest::sha256(),
        }
    }

    /// Add an extension in OpenSSL config syntax.
    pub fn ext(mut self, nid: Nid, value: &str) -> Self {
        self.exts.push((nid, value.to_string()));
        self
    }

    /// Sign with `digest` (PKCS#1 v1.5) instead of SHA-256.
    pub fn digest(mut self, digest: MessageDigest) -> Self {
        self.digest = digest;
        self
    }

    pub fn serial(mut self, serial: u32) -> Self {
        self.serial = serial;
        self
    }

    /// The DER certificate.
    pub fn der(&self) -> Vec<u8> {
        let mut b = X509::builder().unwrap();
        b.set_version(if self.v1 { 0 } else { 2 }).unwrap();
        let serial = Asn1Integer::from_bn(&BigNum::from_u32(self.serial).unwrap()).unwrap();
        b.set_serial_number(&serial).unwrap();
        b.set_subject_name(&self.subject).unwrap();
        b.set_issuer_name(&self.issuer).unwrap();
        b.set_pubkey(self.key).unwrap();
        let t = |s: u64| Asn1Time::from_unix(i64::try_from(s).unwrap()).unwrap();
        b.set_not_before(&t(self.not_before)).unwrap();
        b.set_not_after(&t(self.not_after)).unwrap();
        for (nid, value) in &self.exts {
            let ext = X509Extension::new_nid(None, None, *nid, value)
                .unwrap_or_else(|e| panic!("extension {nid:?} {value}: {e}"));
            b.append_extension(ext).unwrap();
        }
        b.sign(self.signer, self.digest).unwrap();
        b.build().to_der().unwrap()
    }
}

/// The public half of a private key, for [`Spec::key`].
pub fn public(k: &PKey<Private>) -> PKey<Public> {
    PKey::public_key_from_der(&k.public_key_to_der().unwrap()).unwrap()
}

/// A self-signed CA certificate (critical cA TRUE, keyCertSign) named `subject`.
pub fn root(subject: &str, k: &PKey<Private>, extra: &[(Nid, &str)]) -> Vec<u8> {
    let pk = public(k);
    let mut s = Spec::new(cn(subject), cn(subject), &pk, k)
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE")
        .ext(Nid::KEY_USAGE, "critical,keyCertSign,cRLSign");
    for (nid, v) in extra {
        s = s.ext(*nid, v);
    }
    s.der()
}

/// A CA certificate named `subject`, issued by `issuer` (signed with `signer`).
pub fn ca(
    subject: &str,
    k: &PKey<Private>,
    issuer: &str,
    signer: &PKey<Private>,
    extra: &[(Nid, &str)],
) -> Vec<u8> {
    let pk = public(k);
    let mut s = Spec::new(cn(subject), cn(issuer), &pk, signer)
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE")
        .ext(Nid::KEY_USAGE, "critical,keyCertSign,cRLSign");
    for (nid, v) in extra {
        s = s.ext(*nid, v);
    }
    s.der()
}

/// A server end-entity certificate for `localhost` issued by `issuer`, with `extra`
/// extensions (the subjectAltName is `DNS:localhost` unless `extra` has one).
pub fn leaf(
    k: &PKey<Private>,
    issuer: &str,
    signer: &PKey<Private>,
    extra: &[(Nid, &str)],
) -> Vec<u8> {
    let pk = public(k);
    let mut s = Spec::new(cn("leaf"), cn(issuer), &pk, signer)
        .ext(Nid::BASIC_CONSTRAINTS, "critical,CA:FALSE")
        .ext(Nid::KEY_USAGE, "critical,digitalSignature,keyEncipherment");
    if !extra.iter().any(|(n, _)| *n == Nid::SUBJECT_ALT_NAME) {
        s = s.ext(Nid::SUBJECT_ALT_NAME, "DNS:localhost");
    }
    for (nid, v) in extra {
        s = s.ext(*nid, v);
    }
    s.der()
}

/// PEM of a DER certificate.
pub fn pem(der: &[u8]) -> String {
    String::from_utf8(X509::from_der(der).unwrap().to_pem().unwrap()).unwrap()
}

/// What `openssl verify` (the CLI, OpenSSL 3) says of `chain[0]` with `chain[1..]` as
/// untrusted intermediates under `roots`, for `purpose` ("sslserver"/"sslclient") and
/// `host`, at the tests' NOW. `Err` holds its output.
pub fn openssl_verify(
    roots: &[&[u8]],
    chain: &[&[u8]],
    purpose: &str,
    host: Option<&str>,
) -> Result<(), String> {
    use std::io::Write;
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sanstls-pki-gen-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |file: &str, ders: &[&[u8]]| {
        let p = dir.join(file);
        let mut f = std::fs::File::create(&p).unwrap();
        for d in ders {
            f.write_all(pem(d).as_bytes()).unwrap();
        }
        p
    };
    let ca = write("roots.pem", roots);
    let leaf = write("leaf.pem", &chain[..1]);
    let mut cmd = std::process::Command::new("openssl");
    cmd.arg("verify")
        .arg("-CAfile")
        .arg(&ca)
        .args(["-purpose", purpose])
        .args(["-attime", &super::NOW.as_secs().to_string()]);
    if chain.len() > 1 {
        cmd.arg("-untrusted")
            .arg(write("untrusted.pem", &chain[1..]));
    }
    if let Some(h) = host {
        cmd.args(["-verify_hostname", h]);
    }
    let out = cmd
        .arg(&leaf)
        .output()
        .expect("the openssl command is needed for the cross-checks");
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
