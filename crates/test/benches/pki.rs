//! `cargo xtask bench pki`: certificate-chain validation, sanstls-pki beside OpenSSL's
//! `X509_verify_cert` (system libssl through the `openssl` crate), in one run.
//!
//! Both sides start from DER bytes on every iteration, as a TLS client does with a
//! Certificate message: decode the certificates, build the path to the trust anchor,
//! verify both RSA signatures, check validity, purpose (serverAuth) and the host name.
//! The trust store is built once, outside the loop, on both sides.
//!
//! The second part times hostile chains (`cargo xtask bench pki hostile`): the costliest
//! inputs a peer can send, to show the budgets of `VerifyOptions` hold validation to a
//! few tens of milliseconds (see `mod hostile` below). It prints milliseconds; it never fails on
//! a slow machine.

use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509, X509PurposeId, X509StoreContext, X509StoreContextRef};

use sanstls_pki::{
    ServerCertVerifier, ServerName, TrustAnchors, UnixTime, WebPkiServerVerifier, pem_to_der_certs,
};
use sanstls_test::bench::{Table, Unit};
use sanstls_test::fixtures;

/// 2027-01-15, inside the test certificates' validity.
const NOW: u64 = 1_800_000_000;

fn openssl_store(root_pem: &str, host: &str) -> X509Store {
    let root = X509::from_pem(root_pem.as_bytes()).expect("openssl parses the root");
    let mut builder = X509StoreBuilder::new().expect("store");
    builder.add_cert(root).expect("add root");
    let mut param = X509VerifyParam::new().expect("param");
    param.set_time(NOW.try_into().expect("time_t"));
    param.set_host(host).expect("host");
    param
        .set_purpose(X509PurposeId::SSL_SERVER)
        .expect("purpose");
    builder.set_param(&param).expect("set param");
    builder.build()
}

/// One row. With `openssl_preparsed`, OpenSSL reuses decoded `X509` objects (which cache
/// their decoded public keys), a lower bound on its per-handshake cost for reference.
fn chain_row(
    table: &mut Table,
    label: &str,
    chain_file: &str,
    host: &str,
    openssl_preparsed: bool,
) {
    let root_pem = fixtures::read("ca-root.cert.pem");
    let chain = pem_to_der_certs(&fixtures::read(chain_file)).expect("chain decodes");
    let (leaf, rest) = chain.split_first().expect("a leaf");
    let inter: Vec<&[u8]> = rest.iter().map(Vec::as_slice).collect();

    let verifier =
        WebPkiServerVerifier::new(TrustAnchors::from_pem_bundle(&root_pem).expect("anchors"));
    let name = ServerName::new(host).expect("name");
    let now = UnixTime::from_secs(NOW);
    let store = openssl_store(&root_pem, host);

    // Both must accept the chain before their speed means anything.
    verifier
        .verify_server_cert(leaf, &inter, &name, now)
        .expect("sanstls accepts the chain");
    let parse = || {
        let leaf = X509::from_der(leaf).expect("leaf");
        let mut untrusted = Stack::new().expect("stack");
        for c in &inter {
            untrusted
                .push(X509::from_der(c).expect("intermediate"))
                .expect("push");
        }
        (leaf, untrusted)
    };
    let pre = parse();
    let openssl_verify = || {
        let fresh;
        let (leaf, untrusted) = if openssl_preparsed {
            (&pre.0, &pre.1)
        } else {
            fresh = parse();
            (&fresh.0, &fresh.1)
        };
        let mut ctx = X509StoreContext::new().expect("ctx");
        ctx.init(&store, leaf, untrusted, X509StoreContextRef::verify_cert)
            .expect("X509_verify_cert ran")
    };
    assert!(openssl_verify(), "OpenSSL accepts the chain");

    table.compare(
        label,
        Unit::Ops,
        || {
            verifier
                .verify_server_cert(leaf, &inter, &name, now)
                .expect("valid")
        },
        openssl_verify,
    );
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    println!("OpenSSL: {}", openssl::version::version());
    let mut table = Table::new("sanstls-pki vs OpenSSL X509_verify_cert (validations/s)");
    if want("chain3") {
        chain_row(
            &mut table,
            "3-cert RSA-2048 chain (server-rsa2048)",
            "server-rsa2048.chain.pem",
            "localhost",
            false,
        );
    }
    if want("chain3") {
        chain_row(
            &mut table,
            "3-cert chain, OpenSSL on pre-parsed X509",
            "server-rsa2048.chain.pem",
            "localhost",
            true,
        );
    }
    if want("chain4") {
        chain_row(
            &mut table,
            "4-cert RSA-2048 chain (deep-ok)",
            "deep-ok.chain.pem",
            "localhost",
            false,
        );
    }
    if filter.is_empty() || hostile::wanted(&filter) {
        hostile::run(NOW, &filter);
    }
}

/// Hostile chains: what an unauthenticated peer can make a validator do.
///
/// A server that asks for client certificates validates whatever a client sends, and a
/// client whatever a server sends, so the cost of the costliest chain is a cost per
/// handshake anyone can impose. The shapes (every certificate validly encoded):
///
/// - "bridge": 64 intermediates (the most `verify_chain` looks at; 237 KiB, under its
///   256 KiB bound) in 6 layers of about 11 same-named CAs, every one holding the same
///   8192-bit key with e = 2^33 - 1 (the costliest key sanstls accepts) and signed by
///   it, so every candidate at every layer verifies and the depth-first search can
///   branch 11 ways at each of the 6 levels (the default `max_depth` of 8: leaf, 6
///   intermediates, root); the root has the same key. Every CA carries 70 permitted
///   dNSName subtrees and the leaf 701 names, so that the name-constraint checks of the
///   five CAs the signature budget lets it reach use nearly all of their budget too (an
///   attacker gains nothing by running it out first: that ends the search); the root's
///   constraints
///   exclude the leaf's name, so every complete path fails at the top and the search
///   goes on until a budget runs out.
/// - "names": the same layout with cheap 2048-bit keys, 137 subtrees per CA (as many as
///   fit in 256 KiB) and 3,001 leaf names: the name-constraint budget runs out.
/// - "huge-e": the attack of issue 11 as first found: 64 intermediates whose keys have
///   an 8191-bit public exponent under an 8192-bit modulus (once 30 s per validation).
///
/// The certificates are generated on the first run (the 8192-bit key takes tens of
/// seconds) and cached under the cargo target directory.
mod hostile {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use openssl::asn1::{Asn1Integer, Asn1Time};
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::{PKey, PKeyRef, Private, Public};
    use openssl::rsa::Rsa;
    use openssl::stack::Stack;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::verify::X509VerifyParam;
    use openssl::x509::{X509, X509Extension, X509NameBuilder, X509PurposeId, X509StoreContext};
    use sanstls_pki::{
        KeyPurpose, ServerName, TrustAnchors, UnixTime, VerifyOptions, pem_to_der_certs,
        verify_chain,
    };
    use sanstls_test::fixtures;

    /// Bump when the shapes change, so stale cached chains are not reused.
    const VERSION: &str = "v5";
    /// 2^33 - 1: the largest public exponent sanstls accepts.
    const MAX_E: &str = "8589934591";
    const VALID_FROM: i64 = 1_735_689_600;
    const VALID_TO: i64 = 2_366_841_600;
    const LAYERS: usize = 6;

    fn cache_dir() -> PathBuf {
        let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sanstls-pki-bench");
        std::fs::create_dir_all(&d).expect("cache directory");
        d
    }

    /// The 8192-bit key with e = 2^33 - 1, generated once.
    fn costly_key() -> PKey<Private> {
        let p = cache_dir().join("rsa8192-e2^33-1.pem");
        if let Ok(pem) = std::fs::read(&p) {
            return PKey::private_key_from_pem(&pem).expect("cached key");
        }
        println!(
            "generating an 8192-bit RSA key with e = 2^33 - 1 (once; cached in {})",
            p.display()
        );
        let e = BigNum::from_dec_str(MAX_E).unwrap();
        let k = PKey::from_rsa(Rsa::generate_with_e(8192, &e).expect("keygen")).unwrap();
        std::fs::write(&p, k.private_key_to_pem_pkcs8().unwrap()).expect("cache the key");
        k
    }

    fn testdata_key(name: &str) -> PKey<Private> {
        PKey::private_key_from_pem(fixtures::read(&format!("{name}.rsa.pem")).as_bytes()).unwrap()
    }

    fn public(k: &PKey<Private>) -> PKey<Public> {
        PKey::public_key_from_der(&k.public_key_to_der().unwrap()).unwrap()
    }

    /// One certificate; `exts` in OpenSSL configuration syntax.
    #[allow(deprecated)] // X509Extension::new_nid: the one API for nameConstraints text.
    fn cert(
        subject: &str,
        issuer: &str,
        key: &PKeyRef<Public>,
        signer: &PKey<Private>,
        serial: u32,
        exts: &[(Nid, &str)],
    ) -> Vec<u8> {
        let name = |cn: &str| {
            let mut b = X509NameBuilder::new().unwrap();
            b.append_entry_by_text("CN", cn).unwrap();
            b.build()
        };
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_serial_number(&Asn1Integer::from_bn(&BigNum::from_u32(serial).unwrap()).unwrap())
            .unwrap();
        b.set_subject_name(&name(subject)).unwrap();
        b.set_issuer_name(&name(issuer)).unwrap();
        b.set_pubkey(key).unwrap();
        b.set_not_before(&Asn1Time::from_unix(VALID_FROM).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::from_unix(VALID_TO).unwrap())
            .unwrap();
        for (nid, v) in exts {
            b.append_extension(X509Extension::new_nid(None, None, *nid, v).unwrap())
                .unwrap();
        }
        b.sign(signer, MessageDigest::sha256()).unwrap();
        b.build().to_der().unwrap()
    }

    /// A hostile input: the trust anchor, the leaf and the intermediates.
    struct Chain {
        root: Vec<u8>,
        leaf: Vec<u8>,
        intermediates: Vec<Vec<u8>>,
    }

    /// `make()` once, then from the cache.
    fn cached(name: &str, make: impl FnOnce() -> Chain) -> Chain {
        let p = cache_dir().join(format!("{name}-{VERSION}.pem"));
        if let Ok(pem) = std::fs::read_to_string(&p) {
            let mut all = pem_to_der_certs(&pem).expect("cached chain");
            let root = all.remove(0);
            let leaf = all.remove(0);
            return Chain {
                root,
                leaf,
                intermediates: all,
            };
        }
        println!(
            "generating the {name:?} chain (once; cached in {})",
            p.display()
        );
        let c = make();
        let mut pem = String::new();
        for der in [&c.root, &c.leaf].into_iter().chain(&c.intermediates) {
            pem.push_str(
                &String::from_utf8(X509::from_der(der).unwrap().to_pem().unwrap()).unwrap(),
            );
        }
        std::fs::write(&p, pem).expect("cache the chain");
        c
    }

    /// Layers of same-named CAs, `per_layer` of them, all holding `ca_key` and signed by
    /// it, under a root with the same key; every CA with `nc`, the root with `root_nc`.
    fn layered(
        ca_key: &PKey<Private>,
        nc: &str,
        root_nc: &str,
        leaf_san: &str,
        total: usize,
    ) -> Chain {
        let pk = public(ca_key);
        let ca_exts = |nc: &str| -> Vec<(Nid, String)> {
            vec![
                (Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE".into()),
                (Nid::KEY_USAGE, "critical,keyCertSign".into()),
                (Nid::NAME_CONSTRAINTS, format!("critical,{nc}")),
            ]
        };
        let root_exts = ca_exts(root_nc);
        let root = cert(
            "Hostile Root",
            "Hostile Root",
            &pk,
            ca_key,
            1,
            &e(&root_exts),
        );
        let layer_exts = ca_exts(nc);
        let mut intermediates = Vec::new();
        for i in 0..total {
            let layer = i % LAYERS;
            let issuer = if layer + 1 == LAYERS {
                "Hostile Root".to_string()
            } else {
                format!("Hostile CA {}", layer + 1)
            };
            let serial = u32::try_from(i).unwrap() + 10;
            intermediates.push(cert(
                &format!("Hostile CA {layer}"),
                &issuer,
                &pk,
                ca_key,
                serial,
                &e(&layer_exts),
            ));
        }
        let leaf_key = public(&testdata_key("server-rsa2048"));
        let leaf = cert(
            "leaf",
            "Hostile CA 0",
            &leaf_key,
            ca_key,
            2,
            &[
                (Nid::BASIC_CONSTRAINTS, "critical,CA:FALSE"),
                (Nid::SUBJECT_ALT_NAME, leaf_san),
            ],
        );
        Chain {
            root,
            leaf,
            intermediates,
        }
    }

    fn e(v: &[(Nid, String)]) -> Vec<(Nid, &str)> {
        v.iter().map(|(n, s)| (*n, s.as_str())).collect()
    }

    /// `n` dNSName subtrees / names.
    fn dns_list(prefix: &str, n: usize, what: &str) -> String {
        (0..n)
            .map(|i| format!("{prefix}{what}{i}.hostile.test"))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn bridge() -> Chain {
        cached("bridge", || {
            let k = costly_key();
            // 68 subtrees that match nothing, then two that match every leaf name: every
            // name is compared with all 70, and every name passes.
            let nc = dns_list("permitted;DNS:", 68, "decoy")
                + ",permitted;DNS:hostile.test,permitted;DNS:localhost";
            let san = dns_list("DNS:h.", 700, "n") + ",DNS:localhost";
            layered(&k, &nc, "excluded;DNS:localhost", &san, 64)
        })
    }

    fn names() -> Chain {
        cached("names", || {
            let k = testdata_key("ca-int");
            let nc = dns_list("permitted;DNS:", 135, "decoy")
                + ",permitted;DNS:hostile.test,permitted;DNS:localhost";
            let san = dns_list("DNS:h.", 3000, "n") + ",DNS:localhost";
            layered(&k, &nc, "excluded;DNS:localhost", &san, 64)
        })
    }

    fn huge_e() -> Chain {
        cached("huge-e", || {
            // An 8192-bit modulus and an odd 8191-bit exponent (valid encodings; no
            // private key exists or is needed: the keys are refused before any use).
            let k = costly_key();
            let n = k.rsa().unwrap().n().to_owned().unwrap();
            let mut e = BigNum::new().unwrap();
            e.rshift1(&n).unwrap();
            if !e.is_bit_set(0) {
                e.add_word(1).unwrap();
            }
            let fake = PKey::from_rsa(Rsa::from_public_components(n, e).unwrap()).unwrap();
            let signer = testdata_key("ca-int");
            let root_key = public(&signer);
            let ca = [
                (Nid::BASIC_CONSTRAINTS, "critical,CA:TRUE"),
                (Nid::KEY_USAGE, "critical,keyCertSign"),
            ];
            let root = cert("Hostile Root", "Hostile Root", &root_key, &signer, 1, &ca);
            let intermediates = (0..64u32)
                .map(|i| {
                    let layer = i as usize % LAYERS;
                    let issuer = if layer + 1 == LAYERS {
                        "Hostile Root".to_string()
                    } else {
                        format!("Hostile CA {}", layer + 1)
                    };
                    cert(
                        &format!("Hostile CA {layer}"),
                        &issuer,
                        &fake,
                        &signer,
                        i + 10,
                        &ca,
                    )
                })
                .collect();
            let leaf_key = public(&testdata_key("server-rsa2048"));
            let leaf = cert(
                "leaf",
                "Hostile CA 0",
                &leaf_key,
                &signer,
                2,
                &[(Nid::SUBJECT_ALT_NAME, "DNS:localhost")],
            );
            Chain {
                root,
                leaf,
                intermediates,
            }
        })
    }

    /// Times of `f` over `runs` runs: (median, max).
    fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            last = Some(f());
            times.push(t.elapsed());
        }
        times.sort();
        (times[runs / 2], times[runs - 1], last.expect("runs > 0"))
    }

    fn ms(d: Duration) -> String {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }

    /// One row: sanstls with default options, then OpenSSL's X509_verify_cert on the
    /// same bytes. Returns sanstls's slowest run.
    fn row(label: &str, c: &Chain, now: u64) -> Duration {
        const RUNS: usize = 9;
        let anchors = TrustAnchors::from_der_certs([c.root.as_slice()]).expect("root loads");
        let inter: Vec<&[u8]> = c.intermediates.iter().map(Vec::as_slice).collect();
        let name = ServerName::new("localhost").unwrap();
        let opts = VerifyOptions::default();
        let (med, max, verdict) = time(RUNS, || {
            verify_chain(
                &anchors,
                &c.leaf,
                &inter,
                KeyPurpose::ServerAuth,
                Some(&name),
                UnixTime::from_secs(now),
                &opts,
            )
            .map(drop)
        });
        let verdict = match verdict {
            Ok(()) => "accepted".to_string(),
            Err(e) => format!("{e:?}"),
        };

        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(X509::from_der(&c.root).unwrap()).unwrap();
        let mut param = X509VerifyParam::new().unwrap();
        param.set_time(now.try_into().unwrap());
        param.set_host("localhost").unwrap();
        param.set_purpose(X509PurposeId::SSL_SERVER).unwrap();
        store.set_param(&param).unwrap();
        let store = store.build();
        let (o_med, _, o_verdict) = time(RUNS, || {
            let leaf = X509::from_der(&c.leaf).unwrap();
            let mut untrusted = Stack::new().unwrap();
            for d in &c.intermediates {
                untrusted.push(X509::from_der(d).unwrap()).unwrap();
            }
            let mut ctx = X509StoreContext::new().unwrap();
            ctx.init(&store, &leaf, &untrusted, |ctx| {
                let ok = ctx.verify_cert()?;
                Ok(if ok {
                    "accepted".to_string()
                } else {
                    ctx.error().to_string()
                })
            })
            .unwrap()
        });
        let size: usize = c.intermediates.iter().map(Vec::len).sum();
        println!(
            "| {label:<8} |  {:>2} + {:>3} KiB | {:>3} KiB | {:>9} | {:>9} | {verdict:<26} | {:>9} | {o_verdict}",
            c.intermediates.len(),
            size / 1024,
            c.leaf.len() / 1024,
            ms(med),
            ms(max),
            ms(o_med),
        );
        max
    }

    const SHAPES: [&str; 3] = ["bridge", "names", "huge-e"];

    /// Whether the command-line filter asks for some hostile chain ("hostile" for all).
    pub(crate) fn wanted(filter: &[String]) -> bool {
        filter
            .iter()
            .any(|f| f == "hostile" || SHAPES.contains(&f.as_str()))
    }

    pub(crate) fn run(now: u64, filter: &[String]) {
        let want = |n: &str| filter.is_empty() || filter.iter().any(|f| f == "hostile" || f == n);
        println!("\n## Hostile chains: time of one validation (default VerifyOptions)\n");
        println!("median and slowest of 9 runs; OpenSSL = X509_verify_cert on the same bytes\n");
        println!(
            "| {:<8} | {:>13} | {:>7} | {:>9} | {:>9} | {:<26} | {:>9} | OpenSSL verdict",
            "chain", "intermediates", "leaf", "median", "slowest", "sanstls verdict", "OpenSSL"
        );
        println!(
            "|{:-<10}|{:->15}|{:->9}|{:->11}|{:->11}|{:-<28}|{:->11}|{:-<16}",
            "", "", "", "", "", "", "", ""
        );
        let mut worst = (Duration::ZERO, "");
        for (label, make) in [
            ("bridge", bridge as fn() -> Chain),
            ("names", names),
            ("huge-e", huge_e),
        ] {
            if want(label) {
                let slowest = row(label, &make(), now);
                if slowest > worst.0 {
                    worst = (slowest, label);
                }
            }
        }
        if !worst.1.is_empty() {
            println!(
                "\nworst chain: {} ({}), slowest validation {}",
                worst.1,
                match worst.1 {
                    "bridge" =>
                        "64 intermediates in 6 same-named layers, RSA-8192 with e = 2^33 - 1, \
                                 70 name constraints per CA, 701 leaf names",
                    "names" =>
                        "64 intermediates, RSA-2048, 137 name constraints per CA, 3,001 leaf names",
                    _ => "64 intermediates with 8191-bit public exponents",
                },
                ms(worst.0)
            );
        }
    }
}
