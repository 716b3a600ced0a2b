//! Negative tests: every length field too short, too long and truncated, and every
//! strictness rule, with the error and the alert it maps to.

use sanstls_wire::Codec;
use sanstls_wire::DecodeError::{self, *};
use sanstls_wire::enums::{AlertDescription, ExtensionType, HandshakeType, KeyExchange};
use sanstls_wire::extensions::{ClientExtensions, ServerExtensions};
use sanstls_wire::handshake::{
    Certificate, CertificateRequest, ClientHello, ClientKeyExchange, DigitallySigned, Finished,
    HandshakeHeader, HandshakeMessage, NewSessionTicket, ServerHello, ServerKeyExchange,
};

fn v8(b: &[u8]) -> Vec<u8> {
    let mut v = vec![u8::try_from(b.len()).unwrap()];
    v.extend_from_slice(b);
    v
}
fn v16(b: &[u8]) -> Vec<u8> {
    let mut v = u16::try_from(b.len()).unwrap().to_be_bytes().to_vec();
    v.extend_from_slice(b);
    v
}
fn v24(b: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(b.len()).unwrap().to_be_bytes()[1..].to_vec();
    v.extend_from_slice(b);
    v
}
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}
fn ext(typ: u16, body: &[u8]) -> Vec<u8> {
    cat(&[&typ.to_be_bytes(), &v16(body)])
}

/// The pieces of a ClientHello body, each with its length prefix, valid by default.
#[derive(Clone)]
struct Ch {
    version: Vec<u8>,
    random: Vec<u8>,
    session_id: Vec<u8>,
    suites: Vec<u8>,
    compression: Vec<u8>,
    extensions: Option<Vec<u8>>,
}

impl Ch {
    fn new() -> Self {
        Self {
            version: vec![3, 3],
            random: vec![7; 32],
            session_id: v8(&[1; 32]),
            suites: v16(&[0, 0x2f, 0, 0xff]),
            compression: v8(&[0]),
            extensions: Some(v16(&ext(23, &[]))),
        }
    }
    fn with_exts(exts: &[&[u8]]) -> Self {
        Self {
            extensions: Some(v16(&exts.concat())),
            ..Self::new()
        }
    }
    fn bytes(&self) -> Vec<u8> {
        let mut b = cat(&[
            &self.version,
            &self.random,
            &self.session_id,
            &self.suites,
            &self.compression,
        ]);
        if let Some(e) = &self.extensions {
            b.extend_from_slice(e);
        }
        b
    }
    fn decode(&self) -> Result<(), DecodeError> {
        let b = self.bytes();
        ClientHello::decode(&b).map(|_| ())
    }
}

#[derive(Clone)]
struct Sh {
    session_id: Vec<u8>,
    extensions: Option<Vec<u8>>,
}

impl Sh {
    fn with_exts(exts: &[&[u8]]) -> Self {
        Self {
            session_id: v8(&[]),
            extensions: Some(v16(&exts.concat())),
        }
    }
    fn decode(&self) -> Result<(), DecodeError> {
        let mut b = cat(&[&[3, 3], &[9; 32], &self.session_id, &[0, 0x3c], &[0]]);
        if let Some(e) = &self.extensions {
            b.extend_from_slice(e);
        }
        ServerHello::decode(&b).map(|_| ())
    }
}

fn assert_err(r: Result<(), DecodeError>, e: DecodeError, alert: AlertDescription) {
    assert_eq!(r, Err(e));
    assert_eq!(e.alert(), alert);
}

const DECODE: AlertDescription = AlertDescription::DECODE_ERROR;
const ILLEGAL: AlertDescription = AlertDescription::ILLEGAL_PARAMETER;
const UNEXPECTED: AlertDescription = AlertDescription::UNEXPECTED_MESSAGE;

#[test]
fn client_hello_valid_baseline() {
    Ch::new().decode().unwrap();
    let no_ext = Ch {
        extensions: None,
        ..Ch::new()
    };
    let b = no_ext.bytes();
    assert!(ClientHello::decode(&b).unwrap().extensions.is_none());
    let empty = Ch {
        extensions: Some(vec![0, 0]),
        ..Ch::new()
    };
    let b = empty.bytes();
    assert!(
        ClientHello::decode(&b)
            .unwrap()
            .extensions
            .unwrap()
            .is_empty()
    );
}

#[test]
fn client_hello_fixed_fields_truncated() {
    let full = Ch::new().bytes();
    // Cut inside version, random, and each prefix.
    for cut in [0, 1, 2, 20, 34, 35, 40, 67, 68, 70, 72] {
        assert_eq!(
            ClientHello::decode(&full[..cut]),
            Err(Truncated),
            "cut {cut}"
        );
    }
}

#[test]
fn client_hello_session_id() {
    let mut c = Ch::new();
    c.session_id = v8(&[1; 33]);
    assert_err(c.decode(), VectorTooLong, DECODE);
    c.session_id = vec![5, 1, 2];
    assert_err(c.decode(), Truncated, DECODE);
    c.session_id = v8(&[]);
    c.decode().unwrap();
}

#[test]
fn client_hello_cipher_suites() {
    let mut c = Ch::new();
    c.suites = v16(&[]);
    assert_err(c.decode(), VectorTooShort, DECODE);
    c.suites = v16(&[0, 0x2f, 0]);
    assert_err(c.decode(), OddLength, DECODE);
    c.suites = vec![0xff, 0xff, 0, 1];
    assert_err(c.decode(), Truncated, DECODE);
}

#[test]
fn client_hello_compression() {
    let mut c = Ch::new();
    c.compression = v8(&[]);
    assert_err(c.decode(), VectorTooShort, DECODE);
    c.compression = v8(&[1]);
    assert_err(c.decode(), NoNullCompression, ILLEGAL);
    c.compression = vec![3, 0];
    c.extensions = None;
    assert_err(c.decode(), Truncated, DECODE);
    c.compression = v8(&[1, 0]);
    c.decode().unwrap();
}

#[test]
fn extensions_block_lengths() {
    let mut c = Ch::new();
    let e = ext(23, &[]);
    // Block length longer than what follows.
    c.extensions = Some(cat(&[&[0, 5], &e]));
    assert_err(c.decode(), Truncated, DECODE);
    // Block length shorter than what follows: bytes left over after the hello.
    c.extensions = Some(cat(&[&[0, 0], &e]));
    assert_err(c.decode(), TrailingBytes, DECODE);
    // Only one byte of block length.
    c.extensions = Some(vec![0]);
    assert_err(c.decode(), Truncated, DECODE);
    // An extension header cut short inside the block.
    c.extensions = Some(v16(&[0, 23, 0]));
    assert_err(c.decode(), Truncated, DECODE);
    // An extension body length overrunning the block.
    c.extensions = Some(v16(&[0, 23, 0, 4, 0]));
    assert_err(c.decode(), Truncated, DECODE);
}

#[test]
fn duplicate_extensions() {
    let e = ext(23, &[]);
    assert_err(
        Ch::with_exts(&[&e, &ext(22, &[]), &e]).decode(),
        DuplicateExtension(ExtensionType::EXTENDED_MASTER_SECRET),
        ILLEGAL,
    );
    // Unknown types too.
    let u = ext(0x1234, &[1]);
    assert_err(
        Ch::with_exts(&[&u, &u]).decode(),
        DuplicateExtension(ExtensionType(0x1234)),
        ILLEGAL,
    );
    assert_err(
        Sh::with_exts(&[&ext(0xff01, &[0]), &ext(0xff01, &[0])]).decode(),
        DuplicateExtension(ExtensionType::RENEGOTIATION_INFO),
        ILLEGAL,
    );
}

#[test]
fn empty_body_extensions() {
    for t in [22u16, 23] {
        assert_err(
            Ch::with_exts(&[&ext(t, &[0])]).decode(),
            InvalidLength,
            DECODE,
        );
        assert_err(
            Sh::with_exts(&[&ext(t, &[0])]).decode(),
            InvalidLength,
            DECODE,
        );
    }
    // In a ServerHello, server_name, status_request and session_ticket are empty.
    for t in [0u16, 5, 35] {
        assert_err(
            Sh::with_exts(&[&ext(t, &[0])]).decode(),
            InvalidLength,
            DECODE,
        );
        Sh::with_exts(&[&ext(t, &[])]).decode().unwrap();
    }
}

#[test]
fn server_name_extension() {
    let name = cat(&[&[0], &v16(b"example.com")]);
    Ch::with_exts(&[&ext(0, &v16(&name))]).decode().unwrap();
    assert_err(
        Ch::with_exts(&[&ext(0, &v16(&[]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(0, &v16(&cat(&[&[0], &v16(b"")])))]).decode(),
        VectorTooShort,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(0, &v16(&cat(&[&name, &name])))]).decode(),
        DuplicateServerName,
        ILLEGAL,
    );
    // List length overruns the body; name length overruns the list.
    assert_err(
        Ch::with_exts(&[&ext(0, &[0, 20, 0])]).decode(),
        Truncated,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(0, &v16(&[0, 0, 9, b'a']))]).decode(),
        Truncated,
        DECODE,
    );
    // Bytes after the list inside the extension body.
    assert_err(
        Ch::with_exts(&[&ext(0, &cat(&[&v16(&name), &[0]]))]).decode(),
        TrailingBytes,
        DECODE,
    );
}

#[test]
fn u16_list_extensions() {
    // supported_groups <2..2^16-1>, signature_algorithms(_cert) <2..2^16-2>.
    for t in [10u16, 13, 50] {
        Ch::with_exts(&[&ext(t, &v16(&[0, 23]))]).decode().unwrap();
        assert_err(
            Ch::with_exts(&[&ext(t, &v16(&[]))]).decode(),
            VectorTooShort,
            DECODE,
        );
        assert_err(
            Ch::with_exts(&[&ext(t, &v16(&[0, 23, 0]))]).decode(),
            OddLength,
            DECODE,
        );
        assert_err(
            Ch::with_exts(&[&ext(t, &[0, 4, 0, 23])]).decode(),
            Truncated,
            DECODE,
        );
        assert_err(
            Ch::with_exts(&[&ext(t, &cat(&[&v16(&[0, 23]), &[1]]))]).decode(),
            TrailingBytes,
            DECODE,
        );
        // None of them may appear in a ServerHello.
        assert_err(
            Sh::with_exts(&[&ext(t, &v16(&[0, 23]))]).decode(),
            ExtensionNotAllowed(ExtensionType(t)),
            ILLEGAL,
        );
    }
}

#[test]
fn point_formats_and_versions() {
    assert_err(
        Ch::with_exts(&[&ext(11, &v8(&[]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(11, &[3, 0])]).decode(),
        Truncated,
        DECODE,
    );
    assert_err(
        Sh::with_exts(&[&ext(11, &v8(&[]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    Sh::with_exts(&[&ext(11, &v8(&[0]))]).decode().unwrap();
    assert_err(
        Sh::with_exts(&[&ext(11, &[2, 0])]).decode(),
        Truncated,
        DECODE,
    );
    assert_err(
        Sh::with_exts(&[&ext(11, &[1, 0, 0])]).decode(),
        TrailingBytes,
        DECODE,
    );
    // supported_versions <2..254> in a ClientHello, one version in a ServerHello.
    assert_err(
        Ch::with_exts(&[&ext(43, &v8(&[]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(43, &v8(&[3, 4, 3]))]).decode(),
        OddLength,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(43, &v8(&[3; 255]))]).decode(),
        VectorTooLong,
        DECODE,
    );
    assert_err(Sh::with_exts(&[&ext(43, &[3])]).decode(), Truncated, DECODE);
    assert_err(
        Sh::with_exts(&[&ext(43, &[3, 4, 0])]).decode(),
        TrailingBytes,
        DECODE,
    );
    let c = Ch::with_exts(&[&ext(43, &v8(&[3, 4, 3, 3]))]).bytes();
    assert!(ClientHello::decode(&c).unwrap().offers_tls13());
}

#[test]
fn alpn_extension() {
    let list = v16(&cat(&[&v8(b"h2"), &v8(b"http/1.1")]));
    Ch::with_exts(&[&ext(16, &list)]).decode().unwrap();
    assert_err(
        Ch::with_exts(&[&ext(16, &v16(&[]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    // RFC 7301 §3.1: empty names are not allowed; names must not be truncated.
    assert_err(
        Ch::with_exts(&[&ext(16, &v16(&[0]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(16, &v16(&[5, b'h']))]).decode(),
        Truncated,
        DECODE,
    );
    assert_err(
        Sh::with_exts(&[&ext(16, &list)]).decode(),
        AlpnNotSingleProtocol,
        ILLEGAL,
    );
    Sh::with_exts(&[&ext(16, &v16(&v8(b"h2")))])
        .decode()
        .unwrap();
}

#[test]
fn scalar_extensions() {
    // max_fragment_length: one byte in 1..=4 (RFC 6066 §4).
    assert_err(
        Ch::with_exts(&[&ext(1, &[0])]).decode(),
        InvalidMaxFragmentLength(0),
        ILLEGAL,
    );
    assert_err(
        Sh::with_exts(&[&ext(1, &[5])]).decode(),
        InvalidMaxFragmentLength(5),
        ILLEGAL,
    );
    assert_err(Ch::with_exts(&[&ext(1, &[])]).decode(), Truncated, DECODE);
    assert_err(
        Ch::with_exts(&[&ext(1, &[1, 1])]).decode(),
        TrailingBytes,
        DECODE,
    );
    // record_size_limit: u16 >= 64 (RFC 8449 §4).
    assert_err(
        Ch::with_exts(&[&ext(28, &[0, 63])]).decode(),
        RecordSizeLimitTooSmall(63),
        ILLEGAL,
    );
    assert_err(
        Sh::with_exts(&[&ext(28, &[0, 0])]).decode(),
        RecordSizeLimitTooSmall(0),
        ILLEGAL,
    );
    Ch::with_exts(&[&ext(28, &[0, 64])]).decode().unwrap();
    assert_err(Ch::with_exts(&[&ext(28, &[0])]).decode(), Truncated, DECODE);
    assert_err(Sh::with_exts(&[&ext(28, &[0])]).decode(), Truncated, DECODE);
    assert_err(Sh::with_exts(&[&ext(1, &[])]).decode(), Truncated, DECODE);
    assert_err(
        Ch::with_exts(&[&ext(28, &[0, 64, 0])]).decode(),
        TrailingBytes,
        DECODE,
    );
    // renegotiation_info: renegotiated_connection<0..255>.
    Ch::with_exts(&[&ext(0xff01, &[0])]).decode().unwrap();
    assert_err(
        Ch::with_exts(&[&ext(0xff01, &[])]).decode(),
        Truncated,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(0xff01, &[2, 1])]).decode(),
        Truncated,
        DECODE,
    );
    assert_err(
        Sh::with_exts(&[&ext(0xff01, &[0, 0])]).decode(),
        TrailingBytes,
        DECODE,
    );
}

#[test]
fn status_request_extension() {
    let ok = cat(&[&[1], &v16(&v16(&[0x30, 0])), &v16(&[])]);
    Ch::with_exts(&[&ext(5, &ok)]).decode().unwrap();
    assert_err(Ch::with_exts(&[&ext(5, &[])]).decode(), Truncated, DECODE);
    assert_err(
        Ch::with_exts(&[&ext(5, &[1, 0, 0])]).decode(),
        Truncated,
        DECODE,
    );
    // An empty ResponderID.
    assert_err(
        Ch::with_exts(&[&ext(5, &cat(&[&[1], &v16(&v16(&[])), &v16(&[])]))]).decode(),
        VectorTooShort,
        DECODE,
    );
    assert_err(
        Ch::with_exts(&[&ext(5, &cat(&[&ok, &[0]]))]).decode(),
        TrailingBytes,
        DECODE,
    );
}

#[test]
fn tls13_only_extensions_not_in_server_hello() {
    for t in [21u16, 41, 42, 44, 45, 47, 48, 49, 51] {
        assert_err(
            Sh::with_exts(&[&ext(t, &[])]).decode(),
            ExtensionNotAllowed(ExtensionType(t)),
            ILLEGAL,
        );
        // A ClientHello keeps them as unknown extensions.
        let b = Ch::with_exts(&[&ext(t, &[1, 2])]).bytes();
        let hello = ClientHello::decode(&b).unwrap();
        assert!(hello.extensions.unwrap().contains(ExtensionType(t)));
    }
}

#[test]
fn extension_blocks_standalone() {
    assert_eq!(ClientExtensions::decode(&[0, 1]), Err(Truncated));
    assert_eq!(ServerExtensions::decode(&[0, 0, 0]), Err(TrailingBytes));
    assert!(ClientExtensions::decode(&[0, 0]).unwrap().is_empty());
}

#[test]
fn server_hello_fields() {
    let mut s = Sh::with_exts(&[]);
    s.session_id = v8(&[0; 33]);
    assert_err(s.decode(), VectorTooLong, DECODE);
    let b = cat(&[&[3, 3], &[9; 32], &[5, 1, 2]]);
    assert_eq!(ServerHello::decode(&b), Err(Truncated));
    let b = cat(&[&[3, 3], &[9; 32], &v8(&[]), &[0, 0x3c]]);
    assert_eq!(ServerHello::decode(&b), Err(Truncated));
    let b = cat(&[&[3, 3], &[9; 32], &v8(&[]), &[0, 0x3c], &[0], &[0]]);
    assert_eq!(ServerHello::decode(&b), Err(Truncated));
}

#[test]
fn certificate_lengths() {
    let cert = v24(&[0x30, 0x00]);
    Certificate::decode(&v24(&cert)).unwrap();
    Certificate::decode(&v24(&[])).unwrap();
    assert_eq!(Certificate::decode(&v24(&v24(&[]))), Err(VectorTooShort));
    assert_eq!(
        Certificate::decode(&[0, 0, 9, 0, 0, 2, 0x30, 0]),
        Err(Truncated)
    );
    assert_eq!(
        Certificate::decode(&v24(&[0, 0, 9, 0x30, 0])),
        Err(Truncated)
    );
    assert_eq!(Certificate::decode(&v24(&[0, 0])), Err(Truncated));
    assert_eq!(
        Certificate::decode(&cat(&[&v24(&cert), &[0]])),
        Err(TrailingBytes)
    );
    assert_eq!(Certificate::decode(&[0, 0]), Err(Truncated));
}

#[test]
fn certificate_request_lengths() {
    let ok = cat(&[&v8(&[1]), &v16(&[4, 1]), &v16(&v16(&[0x30, 0]))]);
    CertificateRequest::decode(&ok).unwrap();
    let bad = |parts: &[&[u8]]| CertificateRequest::decode(&cat(parts)).map(|_| ());
    assert_eq!(
        bad(&[&v8(&[]), &v16(&[4, 1]), &v16(&[])]),
        Err(VectorTooShort)
    );
    assert_eq!(bad(&[&v8(&[1]), &v16(&[]), &v16(&[])]), Err(VectorTooShort));
    assert_eq!(
        bad(&[&v8(&[1]), &v16(&[4]), &v16(&[])]),
        Err(VectorTooShort)
    );
    assert_eq!(
        bad(&[&v8(&[1]), &v16(&[4, 1, 2]), &v16(&[])]),
        Err(OddLength)
    );
    assert_eq!(
        bad(&[&v8(&[1]), &v16(&[4, 1]), &v16(&v16(&[]))]),
        Err(VectorTooShort)
    );
    assert_eq!(
        bad(&[&v8(&[1]), &v16(&[4, 1]), &[0, 5, 0, 1]]),
        Err(Truncated)
    );
    assert_eq!(
        bad(&[&v8(&[1]), &v16(&[4, 1]), &v16(&[0, 9, 1])]),
        Err(Truncated)
    );
    assert_eq!(bad(&[&[2, 1]]), Err(Truncated));
    assert_eq!(bad(&[&ok, &[0]]), Err(TrailingBytes));
}

#[test]
fn server_key_exchange_lengths() {
    let sig = cat(&[&[4, 1], &v16(&[9; 8])]);
    let ok = cat(&[&v16(&[0xff; 4]), &v16(&[2]), &v16(&[5; 4]), &sig]);
    let dhe = Some(KeyExchange::DheRsa);
    let hs = |body: &[u8], kx| {
        let m = cat(&[&[12], &v24(body)]);
        HandshakeMessage::decode(&m, kx).map(|_| ())
    };
    hs(&ok, dhe).unwrap();
    ServerKeyExchange::decode_for(&ok, dhe).unwrap();
    // RFC 5246 §7.4.3: not sent for RSA key exchange.
    assert_err(
        hs(&ok, Some(KeyExchange::Rsa)),
        UnexpectedKeyExchangeMessage,
        UNEXPECTED,
    );
    assert_err(hs(&ok, None), UnexpectedKeyExchangeMessage, UNEXPECTED);
    // Each of p, g, Ys empty, overrunning; signature overrunning, trailing.
    for i in 0..3 {
        let mut parts = [v16(&[0xff; 4]), v16(&[2]), v16(&[5; 4])];
        parts[i] = v16(&[]);
        let b = cat(&[&parts.concat(), &sig]);
        assert_eq!(hs(&b, dhe), Err(VectorTooShort), "param {i}");
        parts[i] = vec![0, 0x40, 1];
        assert_eq!(hs(&parts.concat(), dhe), Err(Truncated), "param {i}");
    }
    let b = cat(&[
        &v16(&[0xff; 4]),
        &v16(&[2]),
        &v16(&[5; 4]),
        &[4, 1, 0, 9, 1],
    ]);
    assert_eq!(hs(&b, dhe), Err(Truncated));
    assert_eq!(hs(&cat(&[&ok, &[0]]), dhe), Err(TrailingBytes));
    assert_eq!(hs(&ok[..ok.len() - 12], dhe), Err(Truncated));
}

#[test]
fn ecdhe_key_exchange_lengths() {
    let sig = cat(&[&[4, 3], &v16(&[9; 8])]);
    let point = [4u8; 65];
    let ok = cat(&[&[3, 0, 29], &v8(&point), &sig]);
    for kx in [KeyExchange::EcdheRsa, KeyExchange::EcdheEcdsa] {
        let hs = |body: &[u8], typ: u8| {
            let m = cat(&[&[typ], &v24(body)]);
            HandshakeMessage::decode(&m, Some(kx)).map(|_| ())
        };
        hs(&ok, 12).unwrap();
        // RFC 8422 §5.4: explicit_prime(1) and explicit_char2(2) curves are not accepted.
        for t in [0u8, 1, 2, 4, 255] {
            let b = cat(&[&[t, 0, 29], &v8(&point), &sig]);
            assert_err(hs(&b, 12), UnsupportedCurveType(t), ILLEGAL);
        }
        // ECPoint<1..2^8-1>: empty or overrunning.
        assert_eq!(
            hs(&cat(&[&[3, 0, 29], &[0], &sig]), 12),
            Err(VectorTooShort)
        );
        assert_eq!(hs(&[3, 0, 29, 66, 4], 12), Err(Truncated));
        assert_eq!(hs(&[3, 0], 12), Err(Truncated));
        assert_eq!(hs(&cat(&[&ok, &[0]]), 12), Err(TrailingBytes));
        // ClientECDiffieHellmanPublic: one u8-prefixed point, non-empty, nothing after.
        hs(&v8(&point), 16).unwrap();
        assert_eq!(hs(&v8(&[]), 16), Err(VectorTooShort));
        assert_eq!(hs(&[65, 4], 16), Err(Truncated));
        assert_eq!(hs(&cat(&[&v8(&point), &[0]]), 16), Err(TrailingBytes));
    }
}

#[test]
fn client_key_exchange_lengths() {
    let rsa = Some(KeyExchange::Rsa);
    let dhe = Some(KeyExchange::DheRsa);
    ClientKeyExchange::decode_for(&v16(&[1; 256]), rsa).unwrap();
    ClientKeyExchange::decode_for(&v16(&[1; 256]), dhe).unwrap();
    assert_eq!(
        ClientKeyExchange::decode_for(&v16(&[]), dhe),
        Err(VectorTooShort)
    );
    assert_eq!(
        ClientKeyExchange::decode_for(&[1, 0, 1], rsa),
        Err(Truncated)
    );
    assert_eq!(ClientKeyExchange::decode_for(&[0], dhe), Err(Truncated));
    assert_eq!(
        ClientKeyExchange::decode_for(&cat(&[&v16(&[1]), &[0]]), rsa),
        Err(TrailingBytes)
    );
    assert_eq!(
        ClientKeyExchange::decode_for(&v16(&[1]), None),
        Err(UnexpectedKeyExchangeMessage)
    );
}

#[test]
fn certificate_verify_finished_ticket() {
    DigitallySigned::decode(&[8, 4, 0, 1, 9]).unwrap();
    assert_eq!(DigitallySigned::decode(&[8, 4, 0, 2, 9]), Err(Truncated));
    assert_eq!(DigitallySigned::decode(&[8, 4, 0]), Err(Truncated));
    assert_eq!(
        DigitallySigned::decode(&[8, 4, 0, 0, 9]),
        Err(TrailingBytes)
    );
    // Finished: exactly 12 bytes.
    Finished::decode(&[0; 12]).unwrap();
    assert_eq!(Finished::decode(&[0; 11]), Err(InvalidLength));
    assert_eq!(Finished::decode(&[0; 13]), Err(InvalidLength));
    assert_eq!(Finished::decode(&[]), Err(InvalidLength));
    // NewSessionTicket: u32 hint, ticket<0..2^16-1>.
    NewSessionTicket::decode(&[0, 0, 1, 0, 0, 1, 7]).unwrap();
    assert_eq!(NewSessionTicket::decode(&[0, 0, 1]), Err(Truncated));
    assert_eq!(
        NewSessionTicket::decode(&[0, 0, 1, 0, 0, 2, 7]),
        Err(Truncated)
    );
    assert_eq!(
        NewSessionTicket::decode(&[0, 0, 1, 0, 0, 0, 7]),
        Err(TrailingBytes)
    );
}

#[test]
fn handshake_header_and_dispatch() {
    // Body length overruns, or leaves bytes over.
    assert_eq!(
        HandshakeMessage::decode(&[14, 0, 0, 1], None),
        Err(Truncated)
    );
    assert_eq!(
        HandshakeMessage::decode(&[14, 0, 0, 0, 0], None),
        Err(TrailingBytes)
    );
    assert_eq!(HandshakeMessage::decode(&[14, 0, 0], None), Err(Truncated));
    // Empty-bodied messages with a body.
    assert_eq!(
        HandshakeMessage::decode(&[14, 0, 0, 1, 0], None),
        Err(TrailingBytes)
    );
    assert_eq!(
        HandshakeMessage::decode(&[0, 0, 0, 1, 0], None),
        Err(TrailingBytes)
    );
    assert_eq!(
        HandshakeMessage::decode(&[0, 0, 0, 0], None),
        Ok(HandshakeMessage::HelloRequest)
    );
    // Types that are not TLS 1.2 handshake messages.
    for t in [3u8, 8, 22, 24, 99, 255] {
        assert_err(
            HandshakeMessage::decode(&[t, 0, 0, 0], None).map(|_| ()),
            UnknownHandshakeType(HandshakeType(t)),
            UNEXPECTED,
        );
    }
    let h = HandshakeHeader::decode(&[11, 1, 2, 3]).unwrap();
    assert_eq!(h.length, 0x01_0203);
    // A message inside a longer handshake body: the header's length rules.
    let inner = cat(&[&[20], &v24(&[0; 12])]);
    assert_eq!(HandshakeMessage::decode(&inner[..15], None), Err(Truncated));
}

#[test]
fn every_error_has_an_alert() {
    use AlertDescription as A;
    let cases = [
        (Truncated, A::DECODE_ERROR),
        (TrailingBytes, A::DECODE_ERROR),
        (VectorTooShort, A::DECODE_ERROR),
        (VectorTooLong, A::DECODE_ERROR),
        (OddLength, A::DECODE_ERROR),
        (InvalidLength, A::DECODE_ERROR),
        (InvalidChangeCipherSpec, A::DECODE_ERROR),
        (DuplicateExtension(ExtensionType(1)), A::ILLEGAL_PARAMETER),
        (ExtensionNotAllowed(ExtensionType(1)), A::ILLEGAL_PARAMETER),
        (DuplicateServerName, A::ILLEGAL_PARAMETER),
        (InvalidMaxFragmentLength(0), A::ILLEGAL_PARAMETER),
        (RecordSizeLimitTooSmall(0), A::ILLEGAL_PARAMETER),
        (AlpnNotSingleProtocol, A::ILLEGAL_PARAMETER),
        (NoNullCompression, A::ILLEGAL_PARAMETER),
        (RecordOverflow, A::RECORD_OVERFLOW),
        (EmptyFragment, A::UNEXPECTED_MESSAGE),
        (
            UnknownContentType(sanstls_wire::enums::ContentType(9)),
            A::UNEXPECTED_MESSAGE,
        ),
        (
            UnknownHandshakeType(HandshakeType(9)),
            A::UNEXPECTED_MESSAGE,
        ),
        (UnexpectedKeyExchangeMessage, A::UNEXPECTED_MESSAGE),
        (MessageInterrupted, A::UNEXPECTED_MESSAGE),
        (
            MessageTooLarge {
                typ: HandshakeType(1),
                length: 2,
                max: 1,
            },
            A::ILLEGAL_PARAMETER,
        ),
    ];
    for (e, a) in cases {
        assert_eq!(e.alert(), a, "{e:?}");
        assert_eq!(AlertDescription::from(e), a);
        assert!(!e.to_string().is_empty());
    }
}

proptest::proptest! {
    /// The windowed duplicate check finds exactly the duplicates a set would, at window
    /// edges too (types 1023/1024, 0xfc00, 0xffff) and among unknown types.
    #[test]
    fn duplicate_check_matches_a_set(
        types in proptest::collection::vec(
            // Types with no meaning to the decoder (a known type with an empty body
            // may fail to decode before duplicates are looked for).
            proptest::prop_oneof![
                0x1000u16..0x1008,
                proptest::sample::select(vec![1023u16, 1024, 2047, 2048, 0xfc00, 0xfbff, 0xffff]),
                proptest::strategy::Strategy::prop_filter(proptest::num::u16::ANY, "unknown", |t| *t >= 0x100 && *t != 0xff01),
            ],
            0..40,
        )
    ) {
        let exts: Vec<Vec<u8>> = types.iter().map(|&t| ext(t, &[])).collect();
        let refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
        let mut seen = std::collections::HashSet::new();
        let first_dup = types.iter().copied().find(|t| !seen.insert(*t));
        let got = Ch::with_exts(&refs).decode();
        // As a set would tell: the first entry that repeats an earlier one.
        let want = first_dup.map_or(Ok(()), |t| Err(DuplicateExtension(ExtensionType(t))));
        proptest::prop_assert_eq!(got, want);
    }
}
