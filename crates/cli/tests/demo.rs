//! `sanstls demo` shows every step of the handshake, for every key exchange.

mod common;

use common::{bin, run};

fn demo(args: &[&str]) -> common::Output {
    let mut c = bin();
    c.arg("demo").args(args);
    run(c, b"")
}

/// Asserts that `out` has the lines of a whole connection, in order.
fn assert_steps(out: &str, steps: &[&str]) {
    let mut at = 0;
    for step in steps {
        match out[at..].find(step) {
            Some(i) => at += i + step.len(),
            None => panic!("step {step:?} missing or out of order in:\n{out}"),
        }
    }
}

#[test]
fn demo_dhe_shows_every_step() {
    let o = demo(&["--kx", "dhe"]);
    assert_eq!(o.code(), 0, "{o:#?}");
    assert_steps(
        &o.stdout,
        &[
            "client → server  ClientHello",
            "server → client  ServerHello",
            "server → client  Certificate",
            "server → client  ServerKeyExchange",
            "server → client  ServerHelloDone",
            "subject:  O=sanstls test,CN=localhost",
            "client → server  ClientKeyExchange",
            "g^y mod p",
            "client → server  ChangeCipherSpec",
            "client → server  Finished",
            "server → client  ChangeCipherSpec",
            "server → client  Finished",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "ephemeral Diffie-Hellman, 2048-bit prime",
            "extended master secret (RFC 7627): yes",
            "encrypt-then-MAC (RFC 7366):       not applicable (AEAD",
            "client → server  application data",
            "server → client  application data",
            "client → server  Alert close_notify",
            "server → client  Alert close_notify",
            "handshake:",
            "total:",
        ],
    );
    assert!(
        o.stdout.lines().all(|l| l.chars().count() <= 80),
        "{}",
        o.stdout
    );
    // ChangeCipherSpec is one byte, in the singular.
    assert!(
        o.stdout
            .contains("ChangeCipherSpec                    1 byte   plaintext"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains(" 1 bytes"), "{}", o.stdout);
}

#[test]
fn demo_rsa_has_no_server_key_exchange() {
    let o = demo(&["--kx", "rsa"]);
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(!o.stdout.contains("ServerKeyExchange"), "{}", o.stdout);
    assert_steps(
        &o.stdout,
        &[
            "ClientHello",
            "ServerHello",
            "Certificate",
            "ServerHelloDone",
            "ClientKeyExchange",
            "encrypted with the server's RSA",
            "ChangeCipherSpec",
            "Finished",
            "ChangeCipherSpec",
            "Finished",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "RSA: the client encrypted a 48-byte premaster secret",
            "application data",
            "close_notify",
            "close_notify",
        ],
    );
}

#[test]
fn demo_suite_choice_and_bad_names() {
    let o = demo(&["--suite", "DHE-RSA-AES256-SHA"]);
    assert_eq!(o.code(), 0, "{o:#?}");
    assert!(
        o.stdout.contains("TLS_DHE_RSA_WITH_AES_256_CBC_SHA "),
        "{}",
        o.stdout
    );

    // A CBC suite: encrypt-then-MAC applies, and the record is CBC with HMAC.
    let words = o.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("encrypt-then-MAC (RFC 7366): yes"),
        "{}",
        o.stdout
    );
    assert!(
        words.contains("CBC record with encrypt-then-MAC"),
        "{}",
        o.stdout
    );
    assert!(
        words.contains("encrypts (CBC) and MACs (HMAC)"),
        "{}",
        o.stdout
    );

    let o = demo(&["--suite", "ECDHE-RSA-DES-CBC3-SHA"]);
    assert_eq!(o.code(), 2, "{o:#?}");
    assert!(o.stderr.contains("unknown cipher suite"), "{}", o.stderr);
    assert!(o.stderr.contains("DHE-RSA-AES128-SHA256"), "{}", o.stderr);
    assert!(
        o.stderr.contains("ECDHE-ECDSA-CHACHA20-POLY1305"),
        "{}",
        o.stderr
    );

    let o = demo(&["--suite", "AES128-SHA", "--kx", "dhe"]);
    assert_eq!(o.code(), 2, "{o:#?}");
    let o = demo(&["--suite", "ECDHE-ECDSA-AES128-SHA", "--kx", "ecdhe"]);
    assert_eq!(o.code(), 2, "{o:#?}");
}

/// Without options the demo negotiates the library's default: ECDHE_RSA with
/// AES-128-GCM over x25519, explained as such (the named curve and point, AEAD
/// records).
#[test]
fn demo_default_is_ecdhe_rsa_with_aes_gcm() {
    for args in [&[][..], &["--kx", "ecdhe"][..]] {
        let o = demo(args);
        assert_eq!(o.code(), 0, "{o:#?}");
        let (first, _) = o.stdout.split_once("Resuming the session").unwrap();
        assert_steps(
            first,
            &[
                "client → server  ClientHello",
                "server → client  ServerHello",
                "server → client  Certificate",
                "its RSA public key",
                "server → client  ServerKeyExchange",
                "ECDHE parameters (RFC 8422 §5.4)",
                "server → client  ServerHelloDone",
                "client → server  ClientKeyExchange",
                "public point yG on the server's curve",
                "client → server  ChangeCipherSpec",
                "AEAD cipher",
                "suite:         TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n",
                "                 (ECDHE-RSA-AES128-GCM-SHA256)\n",
                "key exchange:  ECDHE x25519: ephemeral elliptic-curve Diffie-Hellman,",
                "signed with the server's 2048-bit RSA key (forward secrecy)",
                "encrypt-then-MAC (RFC 7366):       not applicable (AEAD",
                "every record now AEAD-protected",
                "client → server  application data",
                "AEAD record (AES-GCM, RFC 5288)",
                "server → client  application data",
            ],
        );
        let words = first.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_steps(
            &words,
            &[
                "the named curve the server chose from the client's supported_groups",
                "public point xG",
                "signed with the certificate's RSA key",
                "8-byte explicit nonce",
                "16-byte tag",
            ],
        );
        assert!(!words.contains("g^x mod p"), "{words}");
        assert!(!words.contains("(RFC 7366): no ("), "{words}");
        assert!(
            o.stdout.lines().all(|l| l.chars().count() <= 80),
            "{}",
            o.stdout
        );
    }
}

/// `--kx ecdhe-ecdsa`: the server presents the demo's ECDSA certificate under the
/// ECDSA root, and the explanations say ECDSA.
#[test]
fn demo_ecdhe_ecdsa() {
    // The certificate's curve (P-256) must be among the groups (RFC 8422 §5.1).
    let o = demo(&["--kx", "ecdhe-ecdsa", "--groups", "secp384r1"]);
    assert_eq!(o.code(), 2, "{o:#?}");
    assert!(o.stderr.contains("include secp256r1"), "{}", o.stderr);

    let o = demo(&["--kx", "ecdhe-ecdsa", "--groups", "secp384r1,secp256r1"]);
    assert_eq!(o.code(), 0, "{o:#?}");
    let (first, second) = o.stdout.split_once("Resuming the session").unwrap();
    assert_steps(
        first,
        &[
            "server → client  Certificate",
            "its EC (ECDSA) public key",
            "server → client  ServerKeyExchange",
            "ECDHE parameters",
            "key:      EC P-256 (secp256r1)",
            "trusted root: ",
            "client → server  ClientKeyExchange",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "key exchange:  ECDHE secp384r1",
            "signed with the server's P-256 ECDSA key (forward secrecy)",
        ],
    );
    let words = first.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("signed with the certificate's ECDSA key"),
        "{words}"
    );
    let words = second.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("no ECDSA operation on either side"),
        "{words}"
    );
    assert!(
        o.stdout.lines().all(|l| l.chars().count() <= 80),
        "{}",
        o.stdout
    );

    // ChaCha20-Poly1305 by name: the ECDSA certificate too, and the RFC 7905 record.
    let o = demo(&["--suite", "ECDHE-ECDSA-CHACHA20-POLY1305"]);
    assert_eq!(o.code(), 0, "{o:#?}");
    let words = o.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        "{words}"
    );
    assert!(
        words.contains("AEAD record (ChaCha20-Poly1305, RFC 7905)"),
        "{words}"
    );
}

/// The second connection resumes the first's session: the first handshake ends with a
/// NewSessionTicket, the second is the abbreviated one (RFC 5246 §7.3, Figure 2), and
/// the demo says what it skipped.
#[test]
fn demo_resumes_the_session_in_a_second_connection() {
    for kx in ["rsa", "dhe", "ecdhe"] {
        let o = demo(&["--kx", kx]);
        assert_eq!(o.code(), 0, "{o:#?}");
        let out = &o.stdout;
        let (first, second) = out
            .split_once("Resuming the session")
            .unwrap_or_else(|| panic!("no resumption in:\n{out}"));
        // The full handshake: the ticket after the client's Finished.
        assert_steps(
            first,
            &[
                "client → server  ClientHello",
                "server → client  Certificate",
                "client → server  ClientKeyExchange",
                "client → server  Finished",
                "server → client  NewSessionTicket",
                "server → client  ChangeCipherSpec",
                "server → client  Finished",
            ],
        );
        // The abbreviated handshake: the server's flight first, no certificate, no key
        // exchange.
        assert_steps(
            second,
            &[
                "The abbreviated handshake (RFC 5246 §7.3, Figure 2)",
                " 1. client → server  ClientHello",
                "session_ticket extension",
                " 2. server → client  ServerHello",
                "echoes the",
                " 3. server → client  NewSessionTicket",
                " 4. server → client  ChangeCipherSpec",
                " 5. server → client  Finished",
                " 6. client → server  ChangeCipherSpec",
                " 7. client → server  Finished",
                "the session was resumed",
                "What the resumption skipped (RFC 5246 §7.3, RFC 5077):",
                "client → server  application data",
                "server → client  application data",
                "client → server  Alert close_notify",
                "server → client  Alert close_notify",
                "full handshake:",
                "resumed handshake:",
                "total:",
            ],
        );
        // The explanation, however its lines are wrapped.
        let words = second.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_steps(
            &words,
            &[
                "What the resumption skipped",
                "no Certificate",
                "no RSA operation on either side",
                "no new master secret",
                "the two new randoms",
            ],
        );
        for absent in [
            "→ client  Certificate",
            "→ client  ServerKeyExchange",
            "→ client  ServerHelloDone",
            "→ server  ClientKeyExchange",
            "The client validates the server's chain",
        ] {
            assert!(!second.contains(absent), "{absent:?} in:\n{second}");
        }
        assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    }
}
