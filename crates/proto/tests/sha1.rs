//! The SHA-1 signature opt-in for legacy peers (issue 11, RFC 9155): off by default,
//! and when on, rsa_pkcs1_sha1 in ServerKeyExchange and CertificateVerify, and DHE for
//! a client that sends no signature_algorithms.

mod forge;
#[path = "../../test/src/pair.rs"]
mod pair;

use pair::{
    Dir, Filter, Pair, client_builder, client_builder_with_cert, records, server_builder,
    server_builder_asking_cert,
};
use sanstls_proto::{ConfigError, Error, PeerIncompatible, PeerMisbehaved};
use sanstls_wire::enums::{AlertDescription as A, CipherSuite, SignatureScheme as S};
use sanstls_wire::extensions::{ClientExtension, ClientExtensions};
use sanstls_wire::handshake::{ClientHello, HandshakeMessage};

const DHE: CipherSuite = CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256;
const RSA: CipherSuite = CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256;

/// The signature scheme of the first handshake message of type `typ` in `bytes`
/// (plaintext records, one message each): for a ServerKeyExchange the two bytes after
/// the three DH parameters, for a CertificateVerify its first two.
fn scheme_of(bytes: &[u8], typ: u8) -> Option<S> {
    let (_, _, msg) = records(bytes)
        .into_iter()
        .find(|(ct, _, frag)| *ct == 22 && frag.first() == Some(&typ))?;
    let mut at = 4;
    if typ == 12 {
        for _ in 0..3 {
            at += 2 + usize::from(u16::from_be_bytes([msg[at], msg[at + 1]]));
        }
    }
    Some(S(u16::from_be_bytes([msg[at], msg[at + 1]])))
}

#[test]
fn sha1_is_refused_unless_allowed() {
    assert_eq!(
        client_builder()
            .signature_schemes(&[S::RSA_PKCS1_SHA1])
            .build()
            .unwrap_err(),
        ConfigError::Sha1SignaturesNotAllowed
    );
    assert!(
        ConfigError::Sha1SignaturesNotAllowed
            .to_string()
            .contains("allow_sha1_signatures(true)")
    );
    // Allowed: offered after the configured schemes, or where they list it.
    let c = client_builder()
        .allow_sha1_signatures(true)
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    let hello = p.client.poll_transmit().to_vec();
    let sha1 = S::RSA_PKCS1_SHA1.0.to_be_bytes();
    let sha256 = S::RSA_PKCS1_SHA512.0.to_be_bytes();
    // Positions within the signature_algorithms extension (type 13).
    let ext = hello.windows(2).position(|w| w == [0, 13]).unwrap();
    let at = |needle: [u8; 2]| ext + hello[ext..].windows(2).position(|w| w == needle).unwrap();
    assert!(at(sha1) > at(sha256), "rsa_pkcs1_sha1 comes last");
    // A default client never offers it.
    let mut p2 = Pair::with_defaults();
    let hello = p2.client.poll_transmit().to_vec();
    let ext = hello.windows(2).position(|w| w == [0, 13]).unwrap();
    let len = u16::from_be_bytes([hello[ext + 2], hello[ext + 3]]) as usize;
    let schemes = &hello[ext + 6..ext + 4 + len];
    assert!(!schemes.chunks(2).any(|w| w == sha1));
    p.run_handshake("SHA-1 allowed on one side only");
    p2.run_handshake("defaults");
}

#[test]
fn a_server_key_exchange_signed_with_sha1_when_both_allow_it() {
    let c = client_builder()
        .allow_sha1_signatures(true)
        .signature_schemes(&[S::RSA_PKCS1_SHA1])
        .cipher_suites(&[DHE])
        .build()
        .unwrap();
    let s = server_builder()
        .allow_sha1_signatures(true)
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("SHA-1 ServerKeyExchange");
    assert_eq!(scheme_of(&p.sent_by_server, 12), Some(S::RSA_PKCS1_SHA1));

    // A server that does not allow it cannot sign for this client: no DHE.
    let c = client_builder()
        .allow_sha1_signatures(true)
        .signature_schemes(&[S::RSA_PKCS1_SHA1])
        .cipher_suites(&[DHE])
        .build()
        .unwrap();
    let mut p = Pair::new(c, server_builder().build().unwrap());
    p.expect_failure(
        false,
        &Error::PeerIncompatible(PeerIncompatible::NoCommonCipherSuite),
        A::HANDSHAKE_FAILURE,
    );
}

#[test]
fn a_client_that_does_not_allow_sha1_refuses_a_sha1_server_key_exchange() {
    // The server signs with SHA-1 (the client's list, rewritten on the way, asked for
    // it); the client never offered it: illegal_parameter.
    let c = client_builder()
        .signature_schemes(&[S::RSA_PKCS1_SHA256])
        .cipher_suites(&[DHE])
        .build()
        .unwrap();
    let s = server_builder()
        .allow_sha1_signatures(true)
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.filter = Some(rewrite_first_to_server(|hello| {
        // signature_algorithms (13), 4 bytes long: a list of 2 bytes, the one scheme.
        let [hi, lo] = S::RSA_PKCS1_SHA256.0.to_be_bytes();
        let at = hello
            .windows(8)
            .position(|w| w == [0, 13, 0, 4, 0, 2, hi, lo])
            .unwrap();
        hello[at + 6..at + 8].copy_from_slice(&S::RSA_PKCS1_SHA1.0.to_be_bytes());
    }));
    p.run();
    assert_eq!(
        p.client_error,
        Some(Error::PeerMisbehaved(
            PeerMisbehaved::UnofferedSignatureScheme
        ))
    );
}

/// A filter that applies `f` to the client's first flight.
fn rewrite_first_to_server(mut f: impl FnMut(&mut Vec<u8>) + 'static) -> Filter {
    let mut done = false;
    Box::new(move |dir, bytes| {
        if dir == Dir::ToServer && !done {
            done = true;
            f(bytes);
        }
    })
}

/// Removes signature_algorithms from the ClientHello record at the start of `chunk`.
fn strip_signature_algorithms(chunk: &mut Vec<u8>) {
    forge::rewrite_first_record(chunk, |msg| {
        let HandshakeMessage::ClientHello(ch) = HandshakeMessage::decode(msg, None).unwrap() else {
            panic!("not a ClientHello");
        };
        let kept: Vec<ClientExtension<'_>> = ch
            .extensions
            .iter()
            .flatten()
            .filter(|e| !matches!(e, ClientExtension::SignatureAlgorithms(_)))
            .collect();
        HandshakeMessage::ClientHello(ClientHello {
            extensions: Some(ClientExtensions::from_items(&kept)),
            ..ch
        })
        .to_vec()
        .unwrap()
    });
}

#[test]
fn a_client_without_signature_algorithms_gets_dhe_only_from_a_server_that_allows_sha1() {
    // RFC 5246 §7.4.1.4.1: no signature_algorithms means {sha1, rsa}. (The client's
    // own transcript still has the extension, so the handshake fails at Finished; what
    // matters here is the server's choice.)
    let client = || {
        client_builder()
            .allow_sha1_signatures(true)
            .cipher_suites(&[DHE, RSA])
            .build()
            .unwrap()
    };
    // Allowed: DHE, signed with rsa_pkcs1_sha1, and the client verified it.
    let mut p = Pair::new(
        client(),
        server_builder()
            .allow_sha1_signatures(true)
            .build()
            .unwrap(),
    );
    p.filter = Some(rewrite_first_to_server(strip_signature_algorithms));
    p.run();
    assert_eq!(p.server.negotiated(), None);
    assert_eq!(&p.sent_by_server[5..6], &[2], "a ServerHello");
    assert_eq!(scheme_of(&p.sent_by_server, 12), Some(S::RSA_PKCS1_SHA1));
    // The client accepted the signature and sent its Finished; the server cannot read
    // it (with extended master secret the keys themselves differ).
    assert!(
        matches!(p.client_error, Some(Error::AlertReceived(_))),
        "{:?}",
        p.client_error
    );
    assert!(
        matches!(
            p.server_error,
            Some(Error::PeerMisbehaved(
                PeerMisbehaved::BadRecordMac | PeerMisbehaved::BadFinished
            ))
        ),
        "{:?}",
        p.server_error
    );
    // Not allowed (the default): RSA key exchange, no ServerKeyExchange at all.
    let mut p = Pair::new(client(), server_builder().build().unwrap());
    p.filter = Some(rewrite_first_to_server(strip_signature_algorithms));
    p.run();
    assert_eq!(scheme_of(&p.sent_by_server, 12), None);
    let sid = usize::from(p.sent_by_server[5 + 4 + 2 + 32]);
    let suite = &p.sent_by_server[5 + 4 + 2 + 32 + 1 + sid..][..2];
    assert_eq!(u16::from_be_bytes([suite[0], suite[1]]), RSA.0);
}

#[test]
fn a_certificate_verify_signed_with_sha1_when_both_allow_it() {
    let c = client_builder_with_cert()
        .allow_sha1_signatures(true)
        .build()
        .unwrap();
    let s = server_builder_asking_cert(true)
        .allow_sha1_signatures(true)
        .signature_schemes(&[S::RSA_PKCS1_SHA1])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.run_handshake("SHA-1 CertificateVerify");
    assert_eq!(scheme_of(&p.sent_by_client, 15), Some(S::RSA_PKCS1_SHA1));
    assert!(!p.server.negotiated().unwrap().peer_certificates.is_empty());

    // A client that does not allow SHA-1 has no scheme in common with that server: it
    // sends no certificate, and the server (which requires one) refuses.
    let c = client_builder_with_cert().build().unwrap();
    let s = server_builder_asking_cert(true)
        .allow_sha1_signatures(true)
        .signature_schemes(&[S::RSA_PKCS1_SHA1])
        .build()
        .unwrap();
    let mut p = Pair::new(c, s);
    p.expect_failure(
        false,
        &Error::PeerIncompatible(PeerIncompatible::ClientCertificateRequired),
        A::HANDSHAKE_FAILURE,
    );
}
