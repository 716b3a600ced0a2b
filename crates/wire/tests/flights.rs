//! Real handshakes captured between `openssl s_server` and `openssl s_client`
//! (OpenSSL 3.0, TLS 1.2) by `testdata/flights/capture.py`: every record is deframed and
//! every plaintext handshake message (up to ChangeCipherSpec) decoded.
//!
//! Also checks that the fuzz seed corpora under `fuzz/seeds/` are the ones derived from
//! these flights; run with `SANSTLS_BLESS_SEEDS=1` to rewrite them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sanstls_wire::Codec;
use sanstls_wire::alert::ChangeCipherSpec;
use sanstls_wire::enums::{
    CipherSuite, CompressionMethod, ContentType, ExtensionType, HandshakeType, KeyExchange,
    NameType, ProtocolVersion, SignatureScheme,
};
use sanstls_wire::extensions::{ClientExtensions, ExtensionKind};
use sanstls_wire::handshake::{ClientKeyExchange, HandshakeMessage, KeyExchangeParams};
use sanstls_wire::reassembler::{Limits, Reassembler};
use sanstls_wire::record::{Record, RecordStage};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_flight(name: &str, side: &str) -> Vec<u8> {
    let p = repo().join(format!("testdata/flights/{name}.{side}.bin"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The plaintext part of one direction: handshake messages (raw bytes) and the record
/// payloads that carried them, up to and including the first ChangeCipherSpec.
struct Flight {
    messages: Vec<Vec<u8>>,
    payloads: Vec<Vec<u8>>,
    records_before_ccs: Vec<u8>,
    saw_ccs: bool,
}

fn deframe(bytes: &[u8]) -> Flight {
    let mut rest = bytes;
    let mut reasm = Reassembler::new(Limits::default());
    let mut flight = Flight {
        messages: Vec::new(),
        payloads: Vec::new(),
        records_before_ccs: Vec::new(),
        saw_ccs: false,
    };
    let mut total = 0;
    while let Some((rec, used)) = Record::split(rest).expect("record header") {
        rec.header.check_length(RecordStage::Plaintext).unwrap();
        assert!(
            rec.header.version == ProtocolVersion::TLS12
                || rec.header.version == ProtocolVersion::TLS10,
            "{:?}",
            rec.header.version
        );
        total += used;
        match rec.header.content_type {
            ContentType::HANDSHAKE => {
                reasm.push(rec.fragment).unwrap();
                flight.payloads.push(rec.fragment.to_vec());
                while let Some(frame) = reasm.next_message().unwrap() {
                    flight.messages.push(frame.raw.to_vec());
                }
            }
            ContentType::CHANGE_CIPHER_SPEC => {
                reasm.check_boundary().unwrap();
                ChangeCipherSpec::decode(rec.fragment).unwrap();
                flight.saw_ccs = true;
                flight.records_before_ccs = bytes[..total].to_vec();
                break;
            }
            other => panic!("unexpected {other:?} record before ChangeCipherSpec"),
        }
        rest = &rest[used..];
    }
    assert!(!reasm.has_partial());
    flight
}

struct Session {
    client: Flight,
    server: Flight,
    suite: CipherSuite,
    kx: KeyExchange,
}

fn session(name: &str) -> Session {
    let client = deframe(&read_flight(name, "client"));
    let server = deframe(&read_flight(name, "server"));
    assert!(
        client.saw_ccs && server.saw_ccs,
        "{name}: both sides reach ChangeCipherSpec"
    );
    let HandshakeMessage::ServerHello(sh) =
        HandshakeMessage::decode(&server.messages[0], None).unwrap()
    else {
        panic!("{name}: server's first message is not a ServerHello");
    };
    let suite = sh.cipher_suite;
    let kx = suite.key_exchange().expect("one of the eight suites");
    Session {
        client,
        server,
        suite,
        kx,
    }
}

fn decode_all(flight: &Flight, kx: KeyExchange) -> Vec<HandshakeMessage<'_>> {
    flight
        .messages
        .iter()
        .map(|raw| {
            let msg = HandshakeMessage::decode(raw, Some(kx)).unwrap();
            // Decoding real bytes and encoding them again is the identity.
            assert_eq!(&msg.to_vec().unwrap(), raw, "{:?}", msg.typ());
            msg
        })
        .collect()
}

fn types(msgs: &[HandshakeMessage<'_>]) -> Vec<HandshakeType> {
    msgs.iter().map(HandshakeMessage::typ).collect()
}

fn client_hello_extensions<'a>(msgs: &[HandshakeMessage<'a>]) -> ClientExtensions<'a> {
    let HandshakeMessage::ClientHello(ch) = msgs[0] else {
        panic!("first client message is not a ClientHello")
    };
    assert_eq!(ch.client_version, ProtocolVersion::TLS12);
    assert!(ch.compression_methods.contains(&CompressionMethod::NULL));
    assert!(ch.offers(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
    assert!(!ch.offers_tls13());
    let ext = ch.extensions.expect("extensions");
    assert!(ext.extended_master_secret());
    assert!(ext.session_ticket().is_some());
    assert!(
        ext.signature_algorithms()
            .unwrap()
            .contains(&SignatureScheme::RSA_PSS_RSAE_SHA256)
    );
    ext
}

use HandshakeType as H;

#[test]
fn rsa_aes128_sha256() {
    let s = session("rsa_aes128_sha256");
    assert_eq!(s.suite, CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256);
    assert_eq!(s.kx, KeyExchange::Rsa);
    let c = decode_all(&s.client, s.kx);
    let sv = decode_all(&s.server, s.kx);
    assert_eq!(types(&c), [H::CLIENT_HELLO, H::CLIENT_KEY_EXCHANGE]);
    assert_eq!(
        types(&sv),
        [
            H::SERVER_HELLO,
            H::CERTIFICATE,
            H::SERVER_HELLO_DONE,
            H::NEW_SESSION_TICKET
        ]
    );
    let ext = client_hello_extensions(&c);
    assert!(ext.encrypt_then_mac());
    assert!(ext.server_names().is_none(), "no SNI to an IP address");
    let HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Rsa {
        encrypted_pre_master_secret,
    }) = c[1]
    else {
        panic!("RSA ClientKeyExchange expected")
    };
    assert_eq!(encrypted_pre_master_secret.len(), 256, "RSA-2048");
    let HandshakeMessage::ServerHello(sh) = sv[0] else {
        unreachable!()
    };
    let sext = sh.extensions.unwrap();
    assert!(sext.extended_master_secret());
    assert!(sext.session_ticket());
    assert_eq!(sext.renegotiation_info(), Some(&[][..]));
    // OpenSSL drops encrypt_then_mac for non-CBC suites only; this is CBC.
    assert!(sext.encrypt_then_mac());
    let HandshakeMessage::Certificate(cert) = sv[1] else {
        unreachable!()
    };
    assert_eq!(cert.certificates.len(), 1);
    assert_eq!(cert.certificates.iter().next().unwrap().as_bytes()[0], 0x30);
}

#[test]
fn dhe_rsa_aes256_sha256() {
    let s = session("dhe_rsa_aes256_sha256");
    assert_eq!(s.suite, CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256);
    assert_eq!(s.kx, KeyExchange::DheRsa);
    let c = decode_all(&s.client, s.kx);
    let sv = decode_all(&s.server, s.kx);
    assert_eq!(types(&c), [H::CLIENT_HELLO, H::CLIENT_KEY_EXCHANGE]);
    assert_eq!(
        types(&sv),
        [
            H::SERVER_HELLO,
            H::CERTIFICATE,
            H::SERVER_KEY_EXCHANGE,
            H::SERVER_HELLO_DONE,
            H::NEW_SESSION_TICKET
        ]
    );
    let ext = client_hello_extensions(&c);
    let ext_types: Vec<ExtensionType> = ext.iter().map(|e| e.ext_type()).collect();
    assert_eq!(
        ext_types,
        [
            ExtensionType::SESSION_TICKET,
            ExtensionType::ENCRYPT_THEN_MAC,
            ExtensionType::EXTENDED_MASTER_SECRET,
            ExtensionType::SIGNATURE_ALGORITHMS
        ]
    );
    // Values without a name print in hex.
    assert!(format!("{ext:?}").contains("SignatureScheme(0x0303)"));
    let HandshakeMessage::ServerKeyExchange(ske) = sv[2] else {
        unreachable!()
    };
    let KeyExchangeParams::Dh(params) = ske.params else {
        panic!("DHE parameters expected")
    };
    assert!(params.p.len() >= 256, "at least 2048-bit group");
    assert_eq!(params.g, &[2]);
    assert!(!params.ys.is_empty());
    assert_eq!(ske.signed.signature.len(), 256);
    assert!(ske.signed.scheme.is_known());
    let HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Dhe { yc }) = c[1] else {
        panic!("DHE ClientKeyExchange expected")
    };
    assert!(yc.len() <= params.p.len());
    // With RSA key exchange a ServerKeyExchange is refused.
    assert!(HandshakeMessage::decode(&s.server.messages[2], Some(KeyExchange::Rsa)).is_err());
}

#[test]
fn rsa_aes256_sha_no_etm() {
    let s = session("rsa_aes256_sha_no_etm");
    assert_eq!(s.suite, CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA);
    let c = decode_all(&s.client, s.kx);
    let sv = decode_all(&s.server, s.kx);
    let ext = client_hello_extensions(&c);
    assert!(!ext.encrypt_then_mac());
    assert!(!ext.contains(ExtensionType::ENCRYPT_THEN_MAC));
    let HandshakeMessage::ServerHello(sh) = sv[0] else {
        unreachable!()
    };
    assert!(!sh.extensions.unwrap().encrypt_then_mac());
}

#[test]
fn sni_alpn() {
    let s = session("sni_alpn");
    assert_eq!(s.suite, CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA);
    let c = decode_all(&s.client, s.kx);
    let sv = decode_all(&s.server, s.kx);
    let ext = client_hello_extensions(&c);
    assert_eq!(ext.host_name(), Some(&b"localhost"[..]));
    let names = ext.server_names().unwrap();
    assert_eq!(names.iter().next().unwrap().name_type, NameType::HOST_NAME);
    let alpn: Vec<&[u8]> = ext.alpn().unwrap().iter().map(|p| p.as_bytes()).collect();
    assert_eq!(alpn, [&b"h2"[..], b"http/1.1"]);
    let HandshakeMessage::ServerHello(sh) = sv[0] else {
        unreachable!()
    };
    let sext = sh.extensions.unwrap();
    assert_eq!(sext.alpn().unwrap().as_bytes(), b"http/1.1");
    // s_server acknowledges server_name only when it has a -servername of its own.
    assert!(!sext.server_name());
}

#[test]
fn client_auth() {
    let s = session("client_auth");
    let c = decode_all(&s.client, s.kx);
    let sv = decode_all(&s.server, s.kx);
    assert_eq!(
        types(&c),
        [
            H::CLIENT_HELLO,
            H::CERTIFICATE,
            H::CLIENT_KEY_EXCHANGE,
            H::CERTIFICATE_VERIFY
        ]
    );
    assert_eq!(
        types(&sv),
        [
            H::SERVER_HELLO,
            H::CERTIFICATE,
            H::CERTIFICATE_REQUEST,
            H::SERVER_HELLO_DONE,
            H::NEW_SESSION_TICKET
        ]
    );
    let HandshakeMessage::CertificateRequest(cr) = sv[2] else {
        unreachable!()
    };
    assert!(!cr.certificate_types.is_empty());
    assert!(
        cr.signature_algorithms
            .contains(&SignatureScheme::RSA_PKCS1_SHA256)
    );
    let HandshakeMessage::CertificateVerify(cv) = c[3] else {
        unreachable!()
    };
    assert_eq!(cv.signature.len(), 256);
    let HandshakeMessage::Certificate(cert) = c[1] else {
        unreachable!()
    };
    assert_eq!(cert.certificates.len(), 1);
}

#[test]
fn every_split_of_a_real_flight_reassembles() {
    let s = session("dhe_rsa_aes256_sha256");
    let stream: Vec<u8> = s.server.payloads.concat();
    for step in [1usize, 2, 3, 5, 7, 100, 1000, 16384] {
        let mut reasm = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        for chunk in stream.chunks(step) {
            reasm.push(chunk).unwrap();
            while let Some(f) = reasm.next_message().unwrap() {
                out.push(f.raw.to_vec());
            }
        }
        assert_eq!(out, s.server.messages, "step {step}");
    }
}

#[test]
fn certificate_bound_applies_to_real_certificates() {
    let s = session("rsa_aes128_sha256");
    let stream: Vec<u8> = s.server.payloads.concat();
    let cert_len = s.server.messages[1].len() - 4;
    let tight = Limits {
        max_message: 64 * 1024,
        max_certificate: u32::try_from(cert_len).unwrap() - 1,
    };
    let mut reasm = Reassembler::new(tight);
    let err = reasm.push(&stream).unwrap_err();
    assert_eq!(
        err,
        sanstls_wire::reassembler::PushError::Decode(sanstls_wire::DecodeError::MessageTooLarge {
            typ: HandshakeType::CERTIFICATE,
            length: u32::try_from(cert_len).unwrap(),
            max: tight.max_certificate,
        })
    );
    // The Certificate bound does not apply to other messages, and vice versa.
    let loose_cert = Limits {
        max_message: 100,
        max_certificate: 64 * 1024,
    };
    let mut reasm = Reassembler::new(loose_cert);
    let mut got = Vec::new();
    let mut result = Ok(());
    for p in &s.server.payloads {
        result = reasm.push(p);
        if result.is_err() {
            break;
        }
        while let Some(f) = reasm.next_message().unwrap() {
            got.push(f.typ);
        }
    }
    assert_eq!(
        got,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    // The NewSessionTicket of this flight is larger than 100 bytes: refused on its header.
    assert!(matches!(
        result,
        Err(sanstls_wire::reassembler::PushError::Decode(
            sanstls_wire::DecodeError::MessageTooLarge {
                typ: HandshakeType::NEW_SESSION_TICKET,
                ..
            }
        ))
    ));
}

#[test]
fn change_cipher_spec_inside_a_real_message_is_refused() {
    let s = session("client_auth");
    let stream: Vec<u8> = s.client.payloads.concat();
    let mut reasm = Reassembler::new(Limits::default());
    // Everything up to the middle of the CertificateVerify.
    let cut = stream.len() - 10;
    reasm.push(&stream[..cut]).unwrap();
    while reasm.next_message().unwrap().is_some() {}
    assert!(reasm.has_partial());
    assert_eq!(
        reasm.check_boundary(),
        Err(sanstls_wire::DecodeError::MessageInterrupted)
    );
    reasm.push(&stream[cut..]).unwrap();
    let last = reasm.next_message().unwrap().unwrap();
    assert_eq!(last.typ, HandshakeType::CERTIFICATE_VERIFY);
    assert_eq!(reasm.check_boundary(), Ok(()));
}

#[test]
fn fixed_buffer_reassembles_real_flights() {
    for name in NAMES {
        let s = session(name);
        for flight in [&s.client, &s.server] {
            let mut storage = vec![0u8; Limits::default().buffer_len()];
            let mut reasm = Reassembler::with_buffer(&mut storage, Limits::default());
            let mut out = Vec::new();
            for p in &flight.payloads {
                reasm.push(p).unwrap();
                while let Some(f) = reasm.next_message().unwrap() {
                    out.push(f.raw.to_vec());
                }
            }
            assert_eq!(out, flight.messages, "{name}");
        }
    }
}

/// Every single-byte change of every real message either fails to decode or decodes to
/// something that encodes back to exactly the changed bytes (strict decoding means every
/// accepted input is canonical).
#[test]
fn mutated_real_messages_are_rejected_or_canonical() {
    let mut accepted = 0usize;
    let mut rejected = 0usize;
    for name in NAMES {
        let s = session(name);
        for flight in [&s.client, &s.server] {
            for raw in &flight.messages {
                // Certificates are long runs of opaque bytes; sample them sparsely.
                let stride = if raw.len() > 600 { 7 } else { 1 };
                for i in (0..raw.len()).step_by(stride) {
                    for x in [0x01u8, 0x80, 0xff] {
                        let mut m = raw.clone();
                        m[i] ^= x;
                        match HandshakeMessage::decode(&m, Some(s.kx)) {
                            Ok(msg) => {
                                accepted += 1;
                                assert_eq!(msg.to_vec().unwrap(), m);
                            }
                            Err(e) => {
                                rejected += 1;
                                assert!(e.alert().0 != 0);
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        accepted > 0 && rejected > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

const NAMES: [&str; 5] = [
    "rsa_aes128_sha256",
    "dhe_rsa_aes256_sha256",
    "rsa_aes256_sha_no_etm",
    "sni_alpn",
    "client_auth",
];

/// The fuzz seeds derived from the flights, by target and file name.
fn seeds() -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut add = |target: &str, file: String, data: Vec<u8>| {
        out.entry(target.to_owned()).or_default().insert(file, data);
    };
    for name in NAMES {
        let s = session(name);
        let selector = match s.kx {
            KeyExchange::Rsa => 1u8,
            KeyExchange::DheRsa => 2u8,
            KeyExchange::EcdheRsa => 3u8,
            KeyExchange::EcdheEcdsa => 4u8,
            KeyExchange::Psk => 5u8,
            KeyExchange::DhePsk => 6u8,
            KeyExchange::EcdhePsk => 7u8,
        };
        for (side, flight) in [("client", &s.client), ("server", &s.server)] {
            add(
                "wire_record",
                format!("{name}.{side}"),
                flight.records_before_ccs.clone(),
            );
            for (i, raw) in flight.messages.iter().enumerate() {
                let mut d = vec![selector];
                d.extend_from_slice(raw);
                add("wire_handshake", format!("{name}.{side}.{i}"), d);
            }
            let mut d = vec![7u8, selector];
            d.extend(flight.payloads.concat());
            add("wire_reassembler", format!("{name}.{side}"), d);
        }
        // The extension blocks of both hellos: they end each hello.
        let c = decode_all(&s.client, s.kx);
        let sv = decode_all(&s.server, s.kx);
        if let (HandshakeMessage::ClientHello(ch), HandshakeMessage::ServerHello(sh)) =
            (c[0], sv[0])
        {
            let mut d = vec![0u8];
            d.extend(ch.extensions.unwrap().to_vec().unwrap());
            add("wire_extensions", format!("{name}.client"), d);
            let mut d = vec![1u8];
            d.extend(sh.extensions.unwrap().to_vec().unwrap());
            add("wire_extensions", format!("{name}.server"), d);
        }
    }
    out
}

#[test]
fn fuzz_seeds_match_the_flights() {
    let bless = std::env::var_os("SANSTLS_BLESS_SEEDS").is_some();
    for (target, files) in seeds() {
        let dir = repo().join("fuzz/seeds").join(&target);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
        }
        for (file, data) in files {
            let p = dir.join(&file);
            if bless {
                std::fs::write(&p, &data).unwrap();
            }
            let on_disk = std::fs::read(&p).unwrap_or_else(|e| {
                panic!("{}: {e} (run with SANSTLS_BLESS_SEEDS=1)", p.display())
            });
            assert_eq!(on_disk, data, "{} is stale", p.display());
        }
    }
}
