//! sanstls-record and libssl (through the `openssl` crate) exchange records in both
//! directions: a client and a server `SslStream` complete a TLS 1.2 handshake over an
//! in-memory pipe, sanstls-keys derives the key block from OpenSSL's master secret and
//! randoms, then
//!
//! - records OpenSSL writes (client and server) are opened by sanstls, and
//! - records sanstls seals with the client's or server's write keys are read by OpenSSL,
//!
//! for the four record protections (AES-128/256-CBC with HMAC-SHA1/SHA256; the DHE suites
//! protect records identically) and AES-256-CBC with HMAC-SHA384 (RFC 5289, over
//! ECDHE-RSA; the ECDHE-ECDSA suite protects records identically) in MAC-then-encrypt and
//! encrypt-then-MAC mode, and for
//! the AEAD ones (AES-128/256-GCM, ChaCha20-Poly1305; keys split here, as sanstls-keys
//! has no AEAD suites yet). A known-answer test checks AEAD records against records
//! built by hand with OpenSSL's EVP AEADs.
//!
//! AES-128-CCM and AES-128-CCM_8 (RFC 7251, over ECDHE-ECDSA with a P-256 certificate;
//! the PSK suites of RFC 6655 protect records identically) are crossed the same way, with
//! the keys from sanstls-keys' suite rows and `for_suite`, and checked record by record
//! against OpenSSL's EVP AES-128-CCM (`openssl::symm`) with the RFC 6655 §3 nonce and the
//! RFC 5246 §6.2.3.3 additional data, in both directions.

// Suite rows are passed as the `&'static` references the key schedule keeps.
#![allow(clippy::trivially_copy_pass_by_ref)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::path::Path;
use std::rc::Rc;

use openssl::pkey::PKey;
use openssl::ssl::{
    HandshakeError, MidHandshakeSslStream, Ssl, SslContext, SslMethod, SslOptions, SslStream,
    SslVersion,
};
use openssl::x509::X509;
#[cfg(all(feature = "aes-gcm", feature = "chacha20poly1305"))]
use sanstls_crypto::hash::HashAlgorithm;
use sanstls_crypto::rng::SeededRng;
#[cfg(all(feature = "aes-gcm", feature = "chacha20poly1305"))]
use sanstls_keys::prf::prf;
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_keys::{KeyBlock, MasterSecret};
#[cfg(all(feature = "aes-gcm", feature = "chacha20poly1305"))]
use sanstls_record::AeadAlgorithm;
use sanstls_record::{CbcMode, Deframer, MAX_RECORD_LEN, Opener, Sealer};
use sanstls_wire::enums::{CipherSuite, ContentType, ProtocolVersion};

#[derive(Debug, Default)]
struct Pipe {
    rx: Rc<RefCell<VecDeque<u8>>>,
    tx: Rc<RefCell<VecDeque<u8>>>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut rx = self.rx.borrow_mut();
        if rx.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        rx.read(buf)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx.borrow_mut().extend(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn step(
    r: Result<SslStream<Pipe>, HandshakeError<Pipe>>,
) -> Result<SslStream<Pipe>, MidHandshakeSslStream<Pipe>> {
    match r {
        Ok(s) => Ok(s),
        Err(HandshakeError::WouldBlock(m)) => Err(m),
        Err(e) => panic!("OpenSSL handshake failed: {e}"),
    }
}

fn read_pem(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata")
            .join(name),
    )
    .unwrap()
}

fn pair(cipher: &str, etm: bool) -> (SslStream<Pipe>, SslStream<Pipe>) {
    pair_with(
        cipher,
        etm,
        "server-rsa2048.cert.pem",
        "server-rsa2048.rsa.pem",
    )
}

/// [`pair`] with the server's certificate and key from `testdata/`.
fn pair_with(cipher: &str, etm: bool, cert: &str, key: &str) -> (SslStream<Pipe>, SslStream<Pipe>) {
    let cert = X509::from_pem(&read_pem(cert)).unwrap();
    let key = PKey::private_key_from_pem(&read_pem(key)).unwrap();
    // SSL_OP_NO_ENCRYPT_THEN_MAC (OpenSSL 3.0 ssl.h); the `openssl` crate has no name for it.
    let no_etm = SslOptions::from_bits_retain(1 << 19);
    let ctx = |server: bool| {
        let mut b = SslContext::builder(SslMethod::tls()).unwrap();
        b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        b.set_cipher_list(cipher).unwrap();
        if !etm {
            b.set_options(no_etm);
        }
        if server {
            b.set_certificate(&cert).unwrap();
            b.set_private_key(&key).unwrap();
        }
        b.build()
    };
    let a = Rc::new(RefCell::new(VecDeque::new()));
    let b = Rc::new(RefCell::new(VecDeque::new()));
    let cp = Pipe {
        rx: Rc::clone(&a),
        tx: Rc::clone(&b),
    };
    let sp = Pipe { rx: b, tx: a };
    let mut client = step(Ssl::new(&ctx(false)).unwrap().connect(cp));
    let mut server = step(Ssl::new(&ctx(true)).unwrap().accept(sp));
    for _ in 0..20 {
        client = client.or_else(|m| step(m.handshake()));
        server = server.or_else(|m| step(m.handshake()));
        if client.is_ok() && server.is_ok() {
            break;
        }
    }
    let (Ok(c), Ok(s)) = (client, server) else {
        panic!("OpenSSL handshake did not finish")
    };
    (c, s)
}

fn key_block(c: &SslStream<Pipe>, suite: &'static SuiteInfo) -> KeyBlock {
    let ssl = c.ssl();
    let (mut cr, mut sr, mut ms) = ([0u8; 32], [0u8; 32], [0u8; 48]);
    ssl.client_random(&mut cr);
    ssl.server_random(&mut sr);
    assert_eq!(ssl.session().unwrap().master_key(&mut ms), 48);
    assert_eq!(
        ssl.current_cipher().unwrap().standard_name(),
        suite.suite.name()
    );
    MasterSecret::from_bytes(suite.prf_hash, ms)
        .key_block(suite, &cr, &sr)
        .unwrap()
}

const SIZES: [usize; 5] = [1, 15, 16, 1000, 16384];

fn payload(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ salt)
        .collect()
}

/// OpenSSL writes through `writer`; sanstls opens what it wrote with `opener`.
fn openssl_to_sanstls(writer: &mut SslStream<Pipe>, opener: &mut Opener, salt: u8) {
    let mut d = Deframer::new(vec![0u8; MAX_RECORD_LEN]);
    for len in SIZES {
        let p = payload(len, salt);
        assert_eq!(writer.ssl_write(&p).unwrap(), len);
        let wire: Vec<u8> = writer.get_ref().tx.borrow_mut().drain(..).collect();
        assert_eq!(d.push(&wire), wire.len());
        let mut got = Vec::new();
        while let Some(rec) = d.next_record().unwrap() {
            let o = opener.open_in_place(rec).unwrap();
            assert_eq!(o.content_type, ContentType::APPLICATION_DATA);
            got.extend_from_slice(o.payload);
        }
        assert_eq!(got, p, "{len} bytes");
    }
}

/// sanstls seals with `sealer` into `reader`'s input; OpenSSL reads it.
fn sanstls_to_openssl(sealer: &mut Sealer, reader: &mut SslStream<Pipe>, salt: u8) {
    let mut buf = vec![0u8; MAX_RECORD_LEN];
    for len in SIZES {
        let p = payload(len, salt);
        let n = sealer
            .seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                &p,
                &mut buf,
            )
            .unwrap();
        reader.get_ref().rx.borrow_mut().extend(&buf[..n]);
        let mut got = vec![0u8; len];
        let mut at = 0;
        while at < len {
            at += reader.ssl_read(&mut got[at..]).unwrap();
        }
        assert_eq!(got, p, "{len} bytes");
    }
}

#[test]
fn records_cross_between_sanstls_and_libssl() {
    for (cipher, cs) in [
        ("AES128-SHA", CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
        ("AES256-SHA", CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA),
        (
            "AES128-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        ),
        (
            "AES256-SHA256",
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        ),
    ] {
        cbc_records_cross(cipher, suite::lookup(cs).unwrap());
    }
}

/// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 (RFC 5289 §3.1: HMAC-SHA384, SHA-384 PRF), which
/// the suite table does not list yet.
#[cfg(feature = "sha384")]
static ECDHE_RSA_AES_256_CBC_SHA384: SuiteInfo = SuiteInfo {
    suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    key_exchange: sanstls_wire::enums::KeyExchange::EcdheRsa,
    cipher: sanstls_keys::suite::BulkCipher::Aes256Cbc,
    mac: sanstls_keys::suite::MacAlgorithm::HmacSha384,
    prf_hash: sanstls_crypto::hash::HashAlgorithm::Sha384,
};

#[cfg(feature = "sha384")]
#[test]
fn hmac_sha384_records_cross_between_sanstls_and_libssl() {
    cbc_records_cross("ECDHE-RSA-AES256-SHA384", &ECDHE_RSA_AES_256_CBC_SHA384);
}

/// Both directions of a CBC suite, in both modes, between sanstls and OpenSSL.
fn cbc_records_cross(cipher: &str, suite: &'static SuiteInfo) {
    for mode in [CbcMode::MacThenEncrypt, CbcMode::EncryptThenMac] {
        let (mut client, mut server) = pair(cipher, mode == CbcMode::EncryptThenMac);
        let kb = key_block(&client, suite);
        let mut rng = SeededRng::from_seed([1; 32]);

        // Each side's Finished was record 0 of its epoch.
        let mut open_c = Opener::cbc(&kb.client_write(), mode).unwrap();
        open_c.set_sequence_number(1);
        openssl_to_sanstls(&mut client, &mut open_c, 1);
        let mut open_s = Opener::cbc(&kb.server_write(), mode).unwrap();
        open_s.set_sequence_number(1);
        openssl_to_sanstls(&mut server, &mut open_s, 2);

        // The server has not read the client's records above (they were taken off the
        // pipe), so it still expects sequence number 1; likewise the client.
        let mut seal_c = Sealer::cbc(&kb.client_write(), mode, &mut rng).unwrap();
        seal_c.set_sequence_number(1);
        sanstls_to_openssl(&mut seal_c, &mut server, 3);
        let mut seal_s = Sealer::cbc(&kb.server_write(), mode, &mut rng).unwrap();
        seal_s.set_sequence_number(1);
        sanstls_to_openssl(&mut seal_s, &mut client, 4);
    }
}

/// The AEAD key block (RFC 5246 §6.3, no MAC keys): client key, server key, client IV,
/// server IV, derived from the session OpenSSL negotiated. sanstls-keys' suite table has
/// no AEAD suites yet, so the split is done here.
#[cfg(all(feature = "aes-gcm", feature = "chacha20poly1305"))]
fn aead_keys(
    c: &SslStream<Pipe>,
    alg: AeadAlgorithm,
    prf_hash: HashAlgorithm,
    name: &str,
) -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    let ssl = c.ssl();
    let (mut cr, mut sr, mut ms) = ([0u8; 32], [0u8; 32], [0u8; 48]);
    ssl.client_random(&mut cr);
    ssl.server_random(&mut sr);
    assert_eq!(ssl.session().unwrap().master_key(&mut ms), 48);
    assert_eq!(ssl.current_cipher().unwrap().standard_name(), Some(name));
    let (k, iv) = (alg.key_len(), alg.fixed_iv_len());
    let mut block = vec![0u8; 2 * k + 2 * iv];
    prf(prf_hash, &ms, b"key expansion", &[&sr, &cr], &mut block).unwrap();
    (
        block[..k].to_vec(),
        block[k..2 * k].to_vec(),
        block[2 * k..2 * k + iv].to_vec(),
        block[2 * k + iv..].to_vec(),
    )
}

#[cfg(all(feature = "aes-gcm", feature = "chacha20poly1305"))]
#[test]
fn aead_records_cross_between_sanstls_and_libssl() {
    for (cipher, name, alg, prf_hash) in [
        (
            "AES128-GCM-SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            AeadAlgorithm::Aes128Gcm,
            HashAlgorithm::Sha256,
        ),
        (
            "AES256-GCM-SHA384",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            AeadAlgorithm::Aes256Gcm,
            HashAlgorithm::Sha384,
        ),
        (
            "ECDHE-RSA-AES128-GCM-SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            AeadAlgorithm::Aes128Gcm,
            HashAlgorithm::Sha256,
        ),
        (
            "ECDHE-RSA-CHACHA20-POLY1305",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            AeadAlgorithm::ChaCha20Poly1305,
            HashAlgorithm::Sha256,
        ),
    ] {
        let (mut client, mut server) = pair(cipher, false);
        let (ck, sk, civ, siv) = aead_keys(&client, alg, prf_hash, name);

        // Each side's Finished was record 0 of its epoch.
        let mut open_c = Opener::aead(alg, &ck, &civ).unwrap();
        open_c.set_sequence_number(1);
        openssl_to_sanstls(&mut client, &mut open_c, 1);
        let mut open_s = Opener::aead(alg, &sk, &siv).unwrap();
        open_s.set_sequence_number(1);
        openssl_to_sanstls(&mut server, &mut open_s, 2);

        let mut seal_c = Sealer::aead(alg, &ck, &civ).unwrap();
        seal_c.set_sequence_number(1);
        sanstls_to_openssl(&mut seal_c, &mut server, 3);
        let mut seal_s = Sealer::aead(alg, &sk, &siv).unwrap();
        seal_s.set_sequence_number(1);
        sanstls_to_openssl(&mut seal_s, &mut client, 4);
    }
}

/// Known answer: a TLS 1.2 AES-128-GCM and a ChaCha20-Poly1305 record built by hand with
/// OpenSSL's EVP AEADs (nonce and additional data as RFC 5288 §3 / RFC 7905 §2 /
/// RFC 5246 §6.2.3.3 lay them out) equal what the sanstls sealer produces.
#[cfg(all(feature = "aes-gcm", feature = "chacha20poly1305"))]
#[test]
fn aead_record_known_answer_from_openssl_evp() {
    use openssl::symm::{Cipher, encrypt_aead};
    let seq: u64 = 0x0000_0000_0000_002a;
    let payload = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    let mut aad = seq.to_be_bytes().to_vec();
    aad.extend([23, 3, 3]);
    aad.extend((payload.len() as u16).to_be_bytes());
    for (alg, cipher) in [
        (AeadAlgorithm::Aes128Gcm, Cipher::aes_128_gcm()),
        (AeadAlgorithm::Aes256Gcm, Cipher::aes_256_gcm()),
        (AeadAlgorithm::ChaCha20Poly1305, Cipher::chacha20_poly1305()),
    ] {
        let key: Vec<u8> = (0..alg.key_len() as u8).collect();
        let iv: Vec<u8> = (0..alg.fixed_iv_len() as u8).map(|b| 0xa0 | b).collect();
        let mut nonce = [0u8; 12];
        let explicit = if alg == AeadAlgorithm::ChaCha20Poly1305 {
            nonce.copy_from_slice(&iv);
            for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                *n ^= s;
            }
            Vec::new()
        } else {
            nonce[..4].copy_from_slice(&iv);
            nonce[4..].copy_from_slice(&seq.to_be_bytes());
            seq.to_be_bytes().to_vec()
        };
        let mut tag = [0u8; 16];
        let ct = encrypt_aead(cipher, &key, Some(&nonce), &aad, payload, &mut tag).unwrap();
        let frag_len = explicit.len() + ct.len() + 16;
        let mut expected = vec![23, 3, 3];
        expected.extend((frag_len as u16).to_be_bytes());
        expected.extend(&explicit);
        expected.extend(&ct);
        expected.extend(tag);

        let mut s = Sealer::aead(alg, &key, &iv).unwrap();
        s.set_sequence_number(seq);
        let mut buf = vec![0u8; s.sealed_len(payload.len())];
        let n = s
            .seal(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                payload,
                &mut buf,
            )
            .unwrap();
        assert_eq!(buf[..n], expected[..], "{alg:?}");
        let mut o = Opener::aead(alg, &key, &iv).unwrap();
        o.set_sequence_number(seq);
        assert_eq!(o.open_in_place(&mut expected).unwrap().payload, payload);
    }
}

/// AES-128-CCM through EVP in the order OpenSSL documents for CCM (nonce and tag length
/// before key and nonce, then the message length, the additional data, the message).
/// (`openssl::symm::encrypt_aead`/`decrypt_aead` set the tag length after the key and
/// fail on OpenSSL 3.0 for CCM, whatever the input.)
#[cfg(feature = "aes-ccm")]
fn evp_ccm_seal(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plain: &[u8],
    tag: &mut [u8],
) -> Result<Vec<u8>, openssl::error::ErrorStack> {
    use openssl::cipher::Cipher;
    use openssl::cipher_ctx::CipherCtx;
    let mut c = CipherCtx::new()?;
    c.encrypt_init(Some(Cipher::aes_128_ccm()), None, None)?;
    c.set_iv_length(nonce.len())?;
    c.set_tag_length(tag.len())?;
    c.encrypt_init(None, Some(key), Some(nonce))?;
    c.set_data_len(plain.len())?;
    c.cipher_update(aad, None)?;
    let mut out = vec![0u8; plain.len()];
    assert_eq!(c.cipher_update(plain, Some(&mut out))?, plain.len());
    c.cipher_final(&mut [])?;
    c.tag(tag)?;
    Ok(out)
}

/// The opening twin of [`evp_ccm_seal`]; a wrong tag is an error.
#[cfg(feature = "aes-ccm")]
fn evp_ccm_open(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    body: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, openssl::error::ErrorStack> {
    use openssl::cipher::Cipher;
    use openssl::cipher_ctx::CipherCtx;
    let mut c = CipherCtx::new()?;
    c.decrypt_init(Some(Cipher::aes_128_ccm()), None, None)?;
    c.set_iv_length(nonce.len())?;
    c.set_tag(tag)?;
    c.decrypt_init(None, Some(key), Some(nonce))?;
    c.set_data_len(body.len())?;
    c.cipher_update(aad, None)?;
    let mut out = vec![0u8; body.len()];
    // CCM checks the tag here; there is no final step.
    assert_eq!(c.cipher_update(body, Some(&mut out))?, body.len());
    Ok(out)
}

/// AES-128-CCM and AES-128-CCM_8 (RFC 7251 §2) between OpenSSL's TLS stack and
/// sanstls, both directions, keys from sanstls-keys' suite rows.
#[cfg(feature = "aes-ccm")]
#[test]
fn ccm_records_cross_between_sanstls_and_libssl() {
    for (cipher, cs, alg) in [
        (
            "ECDHE-ECDSA-AES128-CCM",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
            sanstls_record::AeadAlgorithm::Aes128Ccm,
        ),
        (
            "ECDHE-ECDSA-AES128-CCM8",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
            sanstls_record::AeadAlgorithm::Aes128Ccm8,
        ),
    ] {
        let suite = suite::lookup(cs).unwrap();
        let (mut client, mut server) = pair_with(
            cipher,
            false,
            "server-ecdsa-p256.cert.pem",
            "server-ecdsa-p256.pkcs8.pem",
        );
        let kb = key_block(&client, suite);
        let mut rng = SeededRng::from_seed([1; 32]);
        let mode = CbcMode::MacThenEncrypt; // not used by AEAD suites

        // Each side's Finished was record 0 of its epoch.
        let mut open_c = Opener::for_suite(&kb.client_write(), mode).unwrap();
        open_c.set_sequence_number(1);
        openssl_to_sanstls(&mut client, &mut open_c, 1);
        let mut open_s = Opener::for_suite(&kb.server_write(), mode).unwrap();
        open_s.set_sequence_number(1);
        openssl_to_sanstls(&mut server, &mut open_s, 2);

        let mut seal_c = Sealer::for_suite(&kb.client_write(), mode, &mut rng).unwrap();
        assert_eq!(seal_c.aead_algorithm(), Some(alg));
        seal_c.set_sequence_number(1);
        sanstls_to_openssl(&mut seal_c, &mut server, 3);
        let mut seal_s = Sealer::for_suite(&kb.server_write(), mode, &mut rng).unwrap();
        seal_s.set_sequence_number(1);
        sanstls_to_openssl(&mut seal_s, &mut client, 4);
    }
}

/// Known answer both ways against OpenSSL's EVP AES-128-CCM: a record sealed by sanstls
/// is opened by EVP with the RFC 6655 §3 nonce (salt || explicit nonce) and the
/// RFC 5246 §6.2.3.3 additional data, and one sealed by EVP is byte for byte what sanstls
/// seals and opens; a flipped tag bit fails on both sides. 16- and 8-byte tags, lengths
/// 0 to 2^14.
#[cfg(feature = "aes-ccm")]
#[test]
fn ccm_records_against_openssl_evp() {
    use sanstls_record::AeadAlgorithm;
    let key: Vec<u8> = (0..16u8).map(|b| b.wrapping_mul(17)).collect();
    let salt = [0xa0, 0xa1, 0xa2, 0xa3];
    for (alg, tag_len) in [
        (AeadAlgorithm::Aes128Ccm, 16),
        (AeadAlgorithm::Aes128Ccm8, 8),
    ] {
        for (seq, len, ct) in [
            (0u64, 0usize, ContentType::APPLICATION_DATA),
            (1, 1, ContentType::ALERT),
            (0x2a, 38, ContentType::APPLICATION_DATA),
            (0x0102_0304_0506_0708, 1000, ContentType::HANDSHAKE),
            (u64::MAX - 1, 1 << 14, ContentType::APPLICATION_DATA),
        ] {
            let plain = payload(len, seq as u8);
            let mut nonce = [0u8; 12];
            nonce[..4].copy_from_slice(&salt);
            nonce[4..].copy_from_slice(&seq.to_be_bytes());
            let mut aad = seq.to_be_bytes().to_vec();
            aad.extend([ct.0, 3, 3]);
            aad.extend((len as u16).to_be_bytes());

            // sanstls -> OpenSSL.
            let mut s = Sealer::aead(alg, &key, &salt).unwrap();
            s.set_sequence_number(seq);
            let mut rec = vec![0u8; s.sealed_len(len)];
            let n = s
                .seal(ct, ProtocolVersion::TLS12, &plain, &mut rec)
                .unwrap();
            assert_eq!(n, 5 + 8 + len + tag_len);
            assert_eq!(rec[5..13], seq.to_be_bytes(), "explicit nonce");
            let (body, tag) = rec[13..].split_at(len);
            let opened = evp_ccm_open(&key, &nonce, &aad, body, tag)
                .unwrap_or_else(|e| panic!("{alg:?} {len}: {e}"));
            assert_eq!(
                opened, plain,
                "{alg:?} {len}: OpenSSL opens sanstls' record"
            );
            let mut bad = tag.to_vec();
            bad[tag_len - 1] ^= 1;
            assert!(evp_ccm_open(&key, &nonce, &aad, body, &bad).is_err());

            // OpenSSL -> sanstls.
            let mut tag = vec![0u8; tag_len];
            let sealed = evp_ccm_seal(&key, &nonce, &aad, &plain, &mut tag).unwrap();
            let mut expected = vec![ct.0, 3, 3];
            expected.extend(((8 + len + tag_len) as u16).to_be_bytes());
            expected.extend(seq.to_be_bytes());
            expected.extend(&sealed);
            expected.extend(&tag);
            assert_eq!(rec, expected, "{alg:?} {len}: same record");
            let mut o = Opener::aead(alg, &key, &salt).unwrap();
            o.set_sequence_number(seq);
            assert_eq!(
                o.open_in_place(&mut expected.clone()).unwrap().payload,
                plain
            );
            let mut o = Opener::aead(alg, &key, &salt).unwrap();
            o.set_sequence_number(seq);
            let last = expected.len() - 1;
            expected[last] ^= 0x80;
            assert_eq!(
                o.open_in_place(&mut expected).unwrap_err(),
                sanstls_record::Error::BadRecordMac
            );
        }
    }
}
