//! Crypto providers (`sanstls_crypto::provider`) in handshakes between a sanstls client
//! and server in memory: a provider that counts what it is given must see every RSA
//! private operation of a key loaded through it, every ephemeral (EC)DH key and every
//! AEAD record key, in every suite; and a provider's failure must end the handshake with
//! the alert the failure calls for.

#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pair::{Pair, client_builder_both_roots, testdata};
use sanstls_crypto::aead::{AesGcmKey, ChaCha20Poly1305Key};
use sanstls_crypto::dh::{DhGroup, DhPrivateKey};
use sanstls_crypto::ecdh::{EcGroup, EcPrivateKey};
use sanstls_crypto::provider::hardware::{AcceleratedRsa, SoftwareAccelerator};
use sanstls_crypto::provider::{
    AeadAlgorithm, AeadKey, CryptoProvider, KeyExchange, RsaPrivateOperation,
};
use sanstls_crypto::rng::CryptoRng;
use sanstls_keys::suite::SUITES;
use sanstls_proto::{CertifiedKey, Error, InternalError, ServerConfig};
use sanstls_wire::enums::{AlertDescription, KeyExchange as Kx};
use zeroize::Zeroizing;

/// What the counting provider was asked for.
#[derive(Default)]
struct Counts {
    rsa_keys: AtomicUsize,
    rsa_ops: Arc<AtomicUsize>,
    dh: AtomicUsize,
    ecdh: AtomicUsize,
    aead: AtomicUsize,
    sealed: Arc<AtomicUsize>,
}

/// A provider that runs everything on the built-in code behind the traits, counting;
/// `fail_ecdh` makes its ECDH keys fail, `bad_tags` corrupts the tags it seals.
#[derive(Default)]
struct Counting {
    counts: Arc<Counts>,
    fail_ecdh: bool,
    bad_tags: bool,
}

struct CountedRsa(Box<dyn RsaPrivateOperation>, Arc<AtomicUsize>);
impl RsaPrivateOperation for CountedRsa {
    fn private(
        &self,
        rng: &mut dyn CryptoRng,
        input: &[u8],
        out: &mut [u8],
    ) -> Result<(), sanstls_crypto::Error> {
        self.1.fetch_add(1, Ordering::Relaxed);
        self.0.private(rng, input, out)
    }
}

struct Dh(DhPrivateKey);
impl KeyExchange for Dh {
    fn public_value(&self) -> Vec<u8> {
        self.0.public_value()
    }
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, sanstls_crypto::Error> {
        Ok(Zeroizing::new(self.0.agree(peer)?.as_bytes().to_vec()))
    }
}

struct Ec(EcPrivateKey);
impl KeyExchange for Ec {
    fn public_value(&self) -> Vec<u8> {
        self.0.public_value()
    }
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, sanstls_crypto::Error> {
        Ok(Zeroizing::new(self.0.agree(peer)?.as_bytes().to_vec()))
    }
}

#[allow(clippy::large_enum_variant)] // One per direction, in a test.
enum Aead {
    Gcm(AesGcmKey),
    ChaCha(ChaCha20Poly1305Key),
}
struct CountedAead(Aead, Arc<AtomicUsize>, bool);
impl AeadKey for CountedAead {
    fn seal_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; 16], sanstls_crypto::Error> {
        self.1.fetch_add(1, Ordering::Relaxed);
        let mut tag = match &self.0 {
            Aead::Gcm(k) => k.seal_in_place(nonce, aad, buf)?,
            Aead::ChaCha(k) => k.seal_in_place(nonce, aad, buf)?,
        };
        if self.2 {
            tag[0] ^= 1;
        }
        Ok(tag)
    }
    fn open_in_place(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<(), sanstls_crypto::Error> {
        match &self.0 {
            Aead::Gcm(k) => k.open_in_place(nonce, aad, buf, tag),
            Aead::ChaCha(k) => k.open_in_place(nonce, aad, buf, tag),
        }
    }
}

impl CryptoProvider for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }
    fn rsa_private_key(
        &self,
        pkcs1_der: &[u8],
    ) -> Option<Result<Box<dyn RsaPrivateOperation>, sanstls_crypto::Error>> {
        self.counts.rsa_keys.fetch_add(1, Ordering::Relaxed);
        let inner = AcceleratedRsa::new(SoftwareAccelerator).rsa_private_key(pkcs1_der)?;
        let ops = self.counts.rsa_ops.clone();
        Some(inner.map(|op| Box::new(CountedRsa(op, ops)) as Box<_>))
    }
    fn start_dh(
        &self,
        group: &DhGroup,
        mut rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, sanstls_crypto::Error>> {
        self.counts.dh.fetch_add(1, Ordering::Relaxed);
        Some(Ok(Box::new(Dh(DhPrivateKey::generate(group, &mut rng)))))
    }
    fn start_ecdh(
        &self,
        group: EcGroup,
        mut rng: &mut dyn CryptoRng,
    ) -> Option<Result<Box<dyn KeyExchange>, sanstls_crypto::Error>> {
        self.counts.ecdh.fetch_add(1, Ordering::Relaxed);
        if self.fail_ecdh {
            return Some(Err(sanstls_crypto::Error::Unsupported("test: no ECDH")));
        }
        Some(Ok(Box::new(Ec(EcPrivateKey::generate(group, &mut rng)))))
    }
    fn aead_key(
        &self,
        alg: AeadAlgorithm,
        key: &[u8],
    ) -> Option<Result<Box<dyn AeadKey>, sanstls_crypto::Error>> {
        self.counts.aead.fetch_add(1, Ordering::Relaxed);
        let k = match alg {
            AeadAlgorithm::ChaCha20Poly1305 => ChaCha20Poly1305Key::new(key).map(Aead::ChaCha),
            _ => AesGcmKey::new(key).map(Aead::Gcm),
        };
        let sealed = self.counts.sealed.clone();
        let bad = self.bad_tags;
        Some(k.map(|k| Box::new(CountedAead(k, sealed, bad)) as Box<_>))
    }
}

/// The server key `name` loaded through `provider`.
fn server_key_with(name: &str, provider: &dyn CryptoProvider) -> CertifiedKey {
    let dir = format!("{}/../../testdata", env!("CARGO_MANIFEST_DIR"));
    let key = if std::path::Path::new(&format!("{dir}/{name}.rsa.pem")).exists() {
        testdata(&format!("{name}.rsa.pem"))
    } else {
        testdata(&format!("{name}.ec.pem"))
    };
    CertifiedKey::from_pem_with(&testdata(&format!("{name}.chain.pem")), &key, provider).unwrap()
}

fn n(a: &AtomicUsize) -> usize {
    a.load(Ordering::Relaxed)
}

#[test]
fn every_suite_runs_on_the_provider() {
    for s in SUITES.iter().filter(|s| !s.key_exchange.is_psk()) {
        let cert = if s.key_exchange == Kx::EcdheEcdsa {
            "server-ecdsa-p256"
        } else {
            "server-rsa2048"
        };
        let server_side = Arc::new(Counting::default());
        let client_side = Arc::new(Counting::default());
        let key = server_key_with(cert, &*server_side);
        let srv = ServerConfig::builder()
            .single_cert(key)
            .cipher_suites(&[s.suite])
            .crypto_provider(server_side.clone())
            .build()
            .unwrap();
        let cli = client_builder_both_roots()
            .cipher_suites(&[s.suite])
            .crypto_provider(client_side.clone())
            .build()
            .unwrap();
        let mut p = Pair::new(cli, srv);
        let what = format!("{:?}", s.suite);
        p.run_handshake(&what);
        p.send(true, b"ping through the provider");
        p.send(false, b"pong through the provider");
        assert_eq!(
            Pair::app_data(&p.server_events),
            b"ping through the provider"
        );
        assert_eq!(
            Pair::app_data(&p.client_events),
            b"pong through the provider"
        );

        let (sc, cc) = (&server_side.counts, &client_side.counts);
        let rsa_cert = cert.contains("rsa");
        // An RSA key is offered to the provider once, which runs its load-time
        // self-test and then the handshake's one private operation (the premaster
        // decryption or the ServerKeyExchange signature); an ECDSA key is not offered.
        assert_eq!(n(&sc.rsa_keys), usize::from(rsa_cert), "{what}");
        assert_eq!(n(&sc.rsa_ops), 2 * usize::from(rsa_cert), "{what}");
        let dhe = s.key_exchange == Kx::DheRsa;
        let ecdhe = s.key_exchange.is_ecdhe();
        for c in [sc, cc] {
            assert_eq!(n(&c.dh), usize::from(dhe), "{what}");
            assert_eq!(n(&c.ecdh), usize::from(ecdhe), "{what}");
            // One key per direction on each side; at least the Finished and the
            // application data sealed with the provider's.
            // (AES-CCM always runs built in: the provider traits have 16-byte tags.)
            let ccm = matches!(
                s.cipher,
                sanstls_keys::suite::BulkCipher::Aes128Ccm
                    | sanstls_keys::suite::BulkCipher::Aes128Ccm8
            );
            let aead = s.is_aead() && !ccm;
            assert_eq!(n(&c.aead), 2 * usize::from(aead), "{what}");
            assert_eq!(n(&c.sealed) >= 2, aead, "{what}");
        }
    }
}

#[test]
fn a_provider_that_cannot_make_a_key_ends_the_handshake() {
    let failing = Arc::new(Counting {
        fail_ecdh: true,
        ..Counting::default()
    });
    let srv = ServerConfig::builder()
        .single_cert(pair::server_key("server-rsa2048"))
        .crypto_provider(failing)
        .build()
        .unwrap();
    let mut p = Pair::new(client_builder_both_roots().build().unwrap(), srv);
    p.expect_failure(
        false,
        &Error::Internal(InternalError::KeyExchange),
        AlertDescription::INTERNAL_ERROR,
    );
}

#[test]
fn a_provider_sealing_bad_tags_is_caught_by_the_peer() {
    let bad = Arc::new(Counting {
        bad_tags: true,
        ..Counting::default()
    });
    let cli = client_builder_both_roots()
        .crypto_provider(bad)
        .build()
        .unwrap();
    let srv = ServerConfig::builder()
        .single_cert(pair::server_key("server-rsa2048"))
        .build()
        .unwrap();
    let mut p = Pair::new(cli, srv);
    // The client's Finished is the first record it seals.
    p.expect_failure(
        false,
        &Error::PeerMisbehaved(sanstls_proto::PeerMisbehaved::BadRecordMac),
        AlertDescription::BAD_RECORD_MAC,
    );
}
