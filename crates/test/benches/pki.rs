//! `cargo xtask bench pki`: certificate-chain validation, sanstls-pki beside OpenSSL's
//! `X509_verify_cert` (system libssl through the `openssl` crate), in one run.
//!
//! Both sides start from DER bytes on every iteration, as a TLS client does with a
//! Certificate message: decode the certificates, build the path to the trust anchor,
//! verify both RSA signatures, check validity, purpose (serverAuth) and the host name.
//! The trust store is built once, outside the loop, on both sides.

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
}
