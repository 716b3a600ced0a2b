//! sanstls-record and libssl (through the `openssl` crate) exchange records in both
//! directions: a client and a server `SslStream` complete a TLS 1.2 handshake over an
//! in-memory pipe, sanstls-keys derives the key block from OpenSSL's master secret and
//! randoms, then
//!
//! - records OpenSSL writes (client and server) are opened by sanstls, and
//! - records sanstls seals with the client's or server's write keys are read by OpenSSL,
//!
//! for the four record protections (AES-128/256-CBC with HMAC-SHA1/SHA256; the DHE suites
//! protect records identically) in MAC-then-encrypt and encrypt-then-MAC mode.

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
use sanstls_crypto::rng::SeededRng;
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_keys::{KeyBlock, MasterSecret};
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
    let cert = X509::from_pem(&read_pem("server-rsa2048.cert.pem")).unwrap();
    let key = PKey::private_key_from_pem(&read_pem("server-rsa2048.rsa.pem")).unwrap();
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
        let suite = suite::lookup(cs).unwrap();
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

            // The server has not read the client's records above (they were taken off
            // the pipe), so it still expects sequence number 1; likewise the client.
            let mut seal_c = Sealer::cbc(&kb.client_write(), mode, &mut rng).unwrap();
            seal_c.set_sequence_number(1);
            sanstls_to_openssl(&mut seal_c, &mut server, 3);
            let mut seal_s = Sealer::cbc(&kb.server_write(), mode, &mut rng).unwrap();
            seal_s.set_sequence_number(1);
            sanstls_to_openssl(&mut seal_s, &mut client, 4);
        }
    }
}
