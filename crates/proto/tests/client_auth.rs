//! Client authentication (RFC 5246 §7.4.4, §7.4.6, §7.4.8) between a sanstls client and
//! a sanstls server in memory: what succeeds, what each side reports when it fails, and
//! which signature scheme the client's CertificateVerify uses.

// The harness lives in sanstls-test (src/pair.rs); included by path so that these
// tests need no dependency on that crate.
#[path = "../../test/src/pair.rs"]
mod pair;

use std::sync::Arc;

use pair::{
    Dir, Filter, NOW, Pair, client_builder, client_builder_with_cert, client_key, client_verifier,
    server_builder, server_builder_asking_cert,
};
use sanstls_pki::{
    ServerCertVerifier, ServerName, TrustAnchors, UnixTime, VerifiedPath, WebPkiServerVerifier,
    pem_to_der_certs,
};
use sanstls_proto::{Error, PeerIncompatible, PeerMisbehaved};
use sanstls_wire::enums::{AlertDescription as A, CipherSuite, SignatureScheme as S};

const CERTIFICATE: u8 = 11;
const CERTIFICATE_REQUEST: u8 = 13;
const CERTIFICATE_VERIFY: u8 = 15;

/// The offset of handshake message `typ` (its header) in a flight of plaintext records,
/// one message per record as sanstls sends them; `None` if it is not there (the
/// search stops at the first ChangeCipherSpec: what follows is protected).
fn find_message(bytes: &[u8], typ: u8) -> Option<usize> {
    let mut at = 0;
    while at + 5 < bytes.len() && bytes[at] != 20 {
        let len = u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]) as usize;
        if bytes[at] == 22 && bytes[at + 5] == typ {
            return Some(at + 5);
        }
        at += 5 + len;
    }
    None
}

/// The scheme of the client's CertificateVerify, read from what it sent.
fn certificate_verify_scheme(p: &Pair) -> Option<S> {
    let at = find_message(&p.sent_by_client, CERTIFICATE_VERIFY)?;
    let b = &p.sent_by_client[at + 4..at + 6];
    Some(S(u16::from_be_bytes([b[0], b[1]])))
}

/// The DER certificates of `testdata/client.chain.pem`.
fn client_chain() -> Vec<Vec<u8>> {
    pem_to_der_certs(&pair::testdata("client.chain.pem")).unwrap()
}

/// Removes the record that carries handshake message `typ` from a flight (as
/// [`find_message`] finds it); panics if the message is not there.
fn cut_record(bytes: &mut Vec<u8>, typ: u8) {
    let at = find_message(bytes, typ).unwrap() - 5;
    let len = u16::from_be_bytes([bytes[at + 3], bytes[at + 4]]) as usize;
    bytes.drain(at..at + 5 + len);
}

/// A filter that applies `f` to the client's second flight (Certificate ...
/// Finished).
fn on_client_flight(mut f: impl FnMut(&mut Vec<u8>) + 'static) -> Filter {
    Box::new(move |d, bytes| {
        if d == Dir::ToServer && find_message(bytes, CERTIFICATE).is_some() {
            f(bytes);
        }
    })
}

fn mandatory_pair() -> Pair {
    Pair::new(
        client_builder_with_cert().build().unwrap(),
        server_builder_asking_cert(true).build().unwrap(),
    )
}

#[test]
fn mandatory_client_auth_succeeds_with_every_suite() {
    let suites = [
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
    ];
    for suite in suites {
        let mut p = Pair::new(
            client_builder_with_cert()
                .cipher_suites(&[suite])
                .build()
                .unwrap(),
            server_builder_asking_cert(true).build().unwrap(),
        );
        p.run_handshake(&format!("{suite:?}"));
        let server = p.server.negotiated().unwrap();
        assert_eq!(server.suite, suite);
        assert_eq!(server.peer_certificates, client_chain());
        assert_eq!(p.server.peer_certificates(), client_chain().as_slice());
        // The client's view is still the server's chain.
        assert_eq!(
            p.client.negotiated().unwrap().peer_certificates,
            pem_to_der_certs(&pair::testdata("server-rsa2048.chain.pem")).unwrap()
        );
        // The CertificateRequest went out, and the client signed with the PRF hash
        // (SHA-256) in its preferred (PSS) form.
        assert!(find_message(&p.sent_by_server, CERTIFICATE_REQUEST).is_some());
        assert_eq!(certificate_verify_scheme(&p), Some(S::RSA_PSS_RSAE_SHA256));
        p.send(true, b"hello from an authenticated client");
        assert_eq!(
            Pair::app_data(&p.server_events),
            b"hello from an authenticated client"
        );
    }
}

#[test]
fn the_certificate_request_lists_schemes_and_issuers() {
    let mut p = mandatory_pair();
    p.run();
    let at = find_message(&p.sent_by_server, CERTIFICATE_REQUEST).unwrap();
    let body = &p.sent_by_server[at + 4..];
    // certificate_types: rsa_sign and ecdsa_sign (RFC 8422 §5.5).
    assert_eq!(&body[..3], &[2, 1, 64]);
    let body = &body[1..];
    // supported_signature_algorithms: the default schemes, in order.
    let n = u16::from_be_bytes([body[2], body[3]]) as usize;
    let schemes: Vec<S> = body[4..4 + n]
        .chunks(2)
        .map(|c| S(u16::from_be_bytes([c[0], c[1]])))
        .collect();
    assert_eq!(schemes, sanstls_proto::DEFAULT_SIGNATURE_SCHEMES);
    // certificate_authorities: the one anchor's subject.
    let names = &body[4 + n..];
    let total = u16::from_be_bytes([names[0], names[1]]) as usize;
    let first = u16::from_be_bytes([names[2], names[3]]) as usize;
    assert_eq!(total, first + 2);
    let anchors = TrustAnchors::from_pem_bundle(&pair::testdata("ca-root.cert.pem")).unwrap();
    let subject = anchors.iter().next().unwrap().subject();
    assert_eq!(&names[4..4 + first], subject);
}

#[test]
fn pkcs1_and_pss_schemes_both_work() {
    // (client's list, server's list, the scheme the client must pick)
    let cases: [(&[S], &[S], S); 6] = [
        (
            &[S::RSA_PKCS1_SHA256],
            &[S::RSA_PKCS1_SHA256],
            S::RSA_PKCS1_SHA256,
        ),
        (
            &[S::RSA_PSS_RSAE_SHA256],
            &[S::RSA_PSS_RSAE_SHA256],
            S::RSA_PSS_RSAE_SHA256,
        ),
        // The PRF hash (SHA-256) wins over the client's order...
        (
            &[S::RSA_PKCS1_SHA384, S::RSA_PKCS1_SHA256],
            &[S::RSA_PKCS1_SHA384, S::RSA_PKCS1_SHA256],
            S::RSA_PKCS1_SHA256,
        ),
        // ... and a scheme the server does not list is never used.
        (
            &[S::RSA_PSS_RSAE_SHA256, S::RSA_PKCS1_SHA512],
            &[S::RSA_PKCS1_SHA512, S::RSA_PKCS1_SHA256],
            S::RSA_PKCS1_SHA512,
        ),
        // Other hashes than the PRF hash: a second running transcript hash on both sides.
        (
            &[S::RSA_PSS_RSAE_SHA384],
            &[S::RSA_PSS_RSAE_SHA384],
            S::RSA_PSS_RSAE_SHA384,
        ),
        (
            &[S::RSA_PKCS1_SHA512],
            &[S::RSA_PKCS1_SHA512],
            S::RSA_PKCS1_SHA512,
        ),
    ];
    for (client_schemes, server_schemes, expected) in cases {
        for suite in [
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        ] {
            // The server signs its ServerKeyExchange with a scheme from the same lists,
            // so the two must share one: they do in every case.
            let mut p = Pair::new(
                client_builder_with_cert()
                    .signature_schemes(client_schemes)
                    .cipher_suites(&[suite])
                    .build()
                    .unwrap(),
                server_builder_asking_cert(true)
                    .signature_schemes(server_schemes)
                    .build()
                    .unwrap(),
            );
            p.run_handshake(&format!("{expected:?} {suite:?}"));
            assert_eq!(certificate_verify_scheme(&p), Some(expected), "{suite:?}");
            assert_eq!(
                p.server.negotiated().unwrap().peer_certificates,
                client_chain()
            );
        }
    }
}

#[test]
fn no_common_scheme_means_an_empty_certificate() {
    // The server lists only PKCS#1 SHA-512, the client signs only with PSS SHA-256.
    // With the RSA key exchange no ServerKeyExchange is signed, so the lists may be
    // disjoint; the client must then answer with an empty Certificate.
    let mut p = Pair::new(
        client_builder_with_cert()
            .signature_schemes(&[S::RSA_PSS_RSAE_SHA256])
            .cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256])
            .build()
            .unwrap(),
        server_builder_asking_cert(false)
            .signature_schemes(&[S::RSA_PKCS1_SHA512])
            .build()
            .unwrap(),
    );
    p.run_handshake("");
    assert_eq!(certificate_verify_scheme(&p), None);
    assert!(p.server.negotiated().unwrap().peer_certificates.is_empty());
    assert!(p.server.peer_certificates().is_empty());
}

#[test]
fn optional_client_auth_without_a_certificate_is_anonymous() {
    let mut p = Pair::new(
        client_builder().build().unwrap(),
        server_builder_asking_cert(false).build().unwrap(),
    );
    p.run_handshake("");
    // The client answered the request with an empty Certificate (RFC 5246 §7.4.6):
    // type 11, length 3, an empty list.
    let at = find_message(&p.sent_by_client, CERTIFICATE).unwrap();
    assert_eq!(&p.sent_by_client[at..at + 7], &[11, 0, 0, 3, 0, 0, 0]);
    assert_eq!(certificate_verify_scheme(&p), None);
    assert!(p.server.negotiated().unwrap().peer_certificates.is_empty());
    assert!(p.server.peer_certificates().is_empty());
    p.send(true, b"anonymous");
    assert_eq!(Pair::app_data(&p.server_events), b"anonymous");
}

#[test]
fn optional_client_auth_with_a_certificate_authenticates() {
    let mut p = Pair::new(
        client_builder_with_cert().build().unwrap(),
        server_builder_asking_cert(false).build().unwrap(),
    );
    p.run_handshake("");
    assert_eq!(
        p.server.negotiated().unwrap().peer_certificates,
        client_chain()
    );
}

#[test]
fn a_client_certificate_is_not_sent_unless_asked() {
    let mut p = Pair::new(
        client_builder_with_cert().build().unwrap(),
        server_builder().build().unwrap(),
    );
    p.run_handshake("");
    assert_eq!(find_message(&p.sent_by_server, CERTIFICATE_REQUEST), None);
    assert_eq!(find_message(&p.sent_by_client, CERTIFICATE), None);
    assert!(p.server.negotiated().unwrap().peer_certificates.is_empty());
}

#[test]
fn mandatory_client_auth_without_a_certificate_is_handshake_failure() {
    let mut p = Pair::new(
        client_builder().build().unwrap(),
        server_builder_asking_cert(true).build().unwrap(),
    );
    let e = Error::PeerIncompatible(PeerIncompatible::ClientCertificateRequired);
    p.expect_failure(false, &e, A::HANDSHAKE_FAILURE);
    assert!(p.server.peer_certificates().is_empty());
}

#[test]
fn a_client_certificate_from_an_unknown_ca_is_unknown_ca() {
    let mut p = Pair::new(
        client_builder_with_cert().build().unwrap(),
        server_builder()
            .client_verifier(client_verifier("ca-root2", true))
            .build()
            .unwrap(),
    );
    let e = Error::Certificate(sanstls_pki::Error::UnknownIssuer);
    p.expect_failure(false, &e, A::UNKNOWN_CA);
    // The refused chain is still visible, so the caller can say whose it was.
    assert_eq!(p.server.peer_certificates(), client_chain().as_slice());
}

/// A server verifier that validates at a fixed time, whatever the connection's clock:
/// it lets a test move the clock past the client certificate's expiry while the server
/// certificate is still accepted.
struct AtFixedTime(WebPkiServerVerifier);

impl ServerCertVerifier for AtFixedTime {
    fn verify_server_cert(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        server_name: &ServerName,
        _now: UnixTime,
    ) -> Result<VerifiedPath, sanstls_pki::Error> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, NOW)
    }
}

#[test]
fn an_expired_client_certificate_is_certificate_expired() {
    // testdata has no expired clientAuth certificate; `client` expires on 2045-01-01, so
    // the connection runs in 2050 (the server's own certificate is checked at 2027 by the
    // client's verifier above).
    let anchors = TrustAnchors::from_pem_bundle(&pair::testdata("ca-root.cert.pem")).unwrap();
    let client = sanstls_proto::ClientConfig::builder()
        .verifier(Arc::new(AtFixedTime(WebPkiServerVerifier::new(anchors))))
        .client_certificate(client_key())
        .build()
        .unwrap();
    let server = server_builder_asking_cert(true).build().unwrap();
    let mut p = Pair::at(
        client,
        server,
        "localhost",
        UnixTime::from_secs(2_524_608_000),
    ); // 2050
    let e = Error::Certificate(sanstls_pki::Error::Expired);
    p.expect_failure(false, &e, A::CERTIFICATE_EXPIRED);

    // And the testdata's expired (server) leaf is refused too, for its expiry or its
    // serverAuth-only EKU, whichever the verifier checks first.
    let expired = pair::server_key("bad-expired");
    let mut p = Pair::new(
        client_builder()
            .client_certificate(expired)
            .build()
            .unwrap(),
        server_builder_asking_cert(true).build().unwrap(),
    );
    p.run();
    let err = p.server_error.clone().unwrap();
    assert!(
        matches!(
            err,
            Error::Certificate(
                sanstls_pki::Error::Expired | sanstls_pki::Error::InvalidExtendedKeyUsage
            )
        ),
        "{err:?}"
    );
    assert_eq!(
        p.client_error,
        Some(Error::AlertReceived(err.alert().unwrap()))
    );
}

#[test]
fn a_tampered_certificate_verify_is_decrypt_error() {
    let mut p = mandatory_pair();
    p.filter = Some(on_client_flight(|bytes| {
        let at = find_message(bytes, CERTIFICATE_VERIFY).unwrap();
        // Header (4), scheme (2), length (2), then the signature: flip its last byte.
        let len = u16::from_be_bytes([bytes[at + 6], bytes[at + 7]]) as usize;
        bytes[at + 8 + len - 1] ^= 1;
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::BadSignature);
    p.expect_failure(false, &e, A::DECRYPT_ERROR);
}

#[test]
fn a_certificate_verify_with_an_unoffered_scheme_is_illegal_parameter() {
    let mut p = mandatory_pair();
    p.filter = Some(on_client_flight(|bytes| {
        let at = find_message(bytes, CERTIFICATE_VERIFY).unwrap();
        // rsa_pkcs1_sha1, which the server did not list.
        bytes[at + 4..at + 6].copy_from_slice(&[2, 1]);
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::UnofferedSignatureScheme);
    p.expect_failure(false, &e, A::ILLEGAL_PARAMETER);
}

#[test]
fn a_missing_certificate_verify_is_unexpected_message() {
    let mut p = mandatory_pair();
    p.filter = Some(on_client_flight(|bytes| {
        // Cut the CertificateVerify record out; the ChangeCipherSpec follows directly.
        cut_record(bytes, CERTIFICATE_VERIFY);
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::UnexpectedChangeCipherSpec);
    p.expect_failure(false, &e, A::UNEXPECTED_MESSAGE);
}

#[test]
fn a_missing_client_certificate_message_is_unexpected_message() {
    // The client's Certificate record cut out: ClientKeyExchange arrives first.
    let mut p = mandatory_pair();
    p.filter = Some(on_client_flight(|bytes| {
        cut_record(bytes, CERTIFICATE);
    }));
    let e = Error::PeerMisbehaved(PeerMisbehaved::UnexpectedHandshake(
        sanstls_wire::enums::HandshakeType::CLIENT_KEY_EXCHANGE,
    ));
    p.expect_failure(false, &e, A::UNEXPECTED_MESSAGE);
}

#[test]
fn one_byte_records_and_reads_with_client_auth() {
    let mut p = mandatory_pair();
    p.read_chunk = 1;
    p.filter = Some(pair::refragment(1));
    p.run_handshake("");
    assert_eq!(
        p.server.negotiated().unwrap().peer_certificates,
        client_chain()
    );
}

#[test]
fn a_server_certificate_used_as_client_certificate_is_refused() {
    // `server-rsa2048` has EKU serverAuth only: not valid for client authentication.
    let mut p = Pair::new(
        client_builder()
            .client_certificate(pair::server_key("server-rsa2048"))
            .build()
            .unwrap(),
        server_builder_asking_cert(true).build().unwrap(),
    );
    let e = Error::Certificate(sanstls_pki::Error::InvalidExtendedKeyUsage);
    p.expect_failure(false, &e, A::UNSUPPORTED_CERTIFICATE);
}

/// A verifier that trusts nothing and lists `names` (two halves of it) as acceptable
/// issuers.
struct Issuers(Vec<u8>);

impl sanstls_pki::ClientCertVerifier for Issuers {
    fn verify_client_cert(
        &self,
        _end_entity: &[u8],
        _intermediates: &[&[u8]],
        _now: UnixTime,
    ) -> Result<VerifiedPath, sanstls_pki::Error> {
        Err(sanstls_pki::Error::UnknownIssuer)
    }

    fn acceptable_issuers(&self) -> Vec<&[u8]> {
        let half = self.0.len() / 2;
        vec![&self.0[..half], &self.0[half..]]
    }
}

#[test]
fn acceptable_issuers_must_fit_in_a_certificate_request() {
    // Two names of 35 000 bytes: 70 004 bytes with their prefixes, over 2^16 - 1.
    let err = server_builder()
        .client_verifier(Arc::new(Issuers(vec![0x30; 70_000])))
        .build()
        .unwrap_err();
    assert_eq!(err, sanstls_proto::ConfigError::TooManyAcceptableIssuers);
    assert!(err.to_string().contains("acceptable issuers"), "{err}");

    // Two names of 30 000 bytes fit; the server's flight with that CertificateRequest
    // fits its transmit buffer, and the client's chain is then refused by the verifier.
    let mut p = Pair::new(
        client_builder_with_cert().build().unwrap(),
        server_builder()
            .client_verifier(Arc::new(Issuers(vec![0x30; 60_000])))
            .build()
            .unwrap(),
    );
    let e = Error::Certificate(sanstls_pki::Error::UnknownIssuer);
    p.expect_failure(false, &e, A::UNKNOWN_CA);
}
