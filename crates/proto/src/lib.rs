//! The TLS 1.2 state machine of sanstls: client and server connections without IO.
//!
//! A [`Connection`] consumes the bytes its peer sent and produces the bytes to send
//! back, plus [`Event`]s; it never touches a socket, a clock or an OS random source.
//! Time is an argument of every `handle_*` call and randomness is handed in once, when
//! the connection is made (the connection seeds its own generator from it).
//!
//! - Roles: one type for client and server ([`Connection::client`],
//!   [`Connection::server`]), configured by a checked [`ClientConfig`] or
//!   [`ServerConfig`].
//! - Suites: TLS_RSA_WITH_AES_{128,256}_CBC_{SHA,SHA256} and
//!   TLS_DHE_RSA_WITH_AES_{128,256}_CBC_{SHA,SHA256}, with extended master secret
//!   (RFC 7627), encrypt-then-MAC (RFC 7366), secure renegotiation signalling (RFC 5746;
//!   renegotiation itself is refused), SNI (RFC 6066) and ALPN (RFC 7301).
//! - Client certificates, both sides (RFC 5246 §7.4.4, §7.4.6, §7.4.8): a client
//!   offers a chain and RSA key ([`ClientConfigBuilder::client_certificate`]); a server
//!   asks for one and validates it ([`ServerConfigBuilder::client_verifier`]), mandatory
//!   or optional. CertificateVerify signatures are RSASSA-PKCS1-v1_5 or RSA-PSS (rsae)
//!   with SHA-256/384/512.
//! - Session resumption (RFC 5246 §7.3 abbreviated handshake), both roles: session IDs
//!   from a server's bounded cache ([`SessionCache`], or any [`StoresServerSessions`])
//!   and RFC 5077 tickets ([`Ticketer`]; [`TicketKeys`] rotates its keys with the
//!   caller's time). A client keeps sessions by server name ([`StoresClientSessions`],
//!   on by default) and offers them on its next connection; [`Negotiated::resumed`] and
//!   [`Event::HandshakeComplete`] say whether a handshake resumed. The rules: the
//!   session's suite, server name and client-certificate state must hold, the extended
//!   master secret must match (RFC 7627 §5.3; sessions without it are not resumed),
//!   EtM and ALPN are negotiated afresh, and a fatal alert invalidates the session
//!   (RFC 5246 §7.2). A ticket or session ID the server cannot use is a full handshake,
//!   never an error.
//! - Errors are sticky and map to the fatal alert queued for the peer ([`Error`]).
//!   A handshake ends either with [`Event::HandshakeComplete`] or with an error, also
//!   when the peer closes the transport or sends close_notify before it completed
//!   ([`Error::PeerClosedDuringHandshake`]).
//!
//! The caller's loop is the same for every transport:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use std::io::{Read, Write};
//! # use sanstls_proto::{ClientConfig, Connection, Event};
//! # use sanstls_pki::{TrustAnchors, UnixTime};
//! # fn demo(sock: &mut std::net::TcpStream, config: Arc<ClientConfig>,
//! #         rng: &mut dyn sanstls_crypto::rng::CryptoRng, now: UnixTime)
//! #         -> Result<(), Box<dyn std::error::Error>> {
//! let mut conn = Connection::client(Arc::clone(&config), "example.com".try_into()?, now, rng)?;
//! loop {
//!     let out = conn.poll_transmit();                 // bytes the peer must receive
//!     if !out.is_empty() { let n = sock.write(out)?; conn.handle_transmitted(n)?; continue; }
//!     while let Some(ev) = conn.poll_event() {        // HandshakeComplete, Alert, PeerClosed, ...
//!         if let Event::HandshakeComplete { .. } = ev { /* conn.send(b"GET / ...")?; */ }
//!     }
//!     let mut buf = [0u8; 1024];
//!     let n = conn.read(&mut buf)?;                   // application data, from the receive buffer
//!     if n > 0 { /* use buf[..n] */ continue; }
//!     if conn.is_closed() { break; }
//!     let n = sock.read(conn.recv_buf())?;            // read straight into the connection's buffer
//!     if let Err(e) = conn.handle_recv(n, now) {      // sticky error; the fatal alert is queued:
//!         sock.write_all(conn.poll_transmit())?;      // deliver it before giving up
//!         return Err(e.into());
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Design notes
//!
//! - **Randomness** is a `&mut dyn CryptoRng` passed to [`Connection::client`] /
//!   [`Connection::server`]; the connection draws a 32-byte seed from it and keeps its
//!   own SHA-256 counter-mode generator ([`sanstls_crypto::rng::SeededRng`]) for hello
//!   randoms, premasters, DH keys, RSA blinding, PSS salts and record IVs. Tests pass a
//!   fixed `SeededRng` and get byte-identical runs.
//! - **Time** is a [`UnixTime`] passed to the constructors, to every `handle_recv*`
//!   call and to [`Connection::handle_timeout`]; it is used for certificate validity
//!   and for the handshake deadline. A connection has a deadline for its handshake
//!   (`handshake_timeout` on either config builder: 30 s for a client, 10 s for a
//!   server by default), counted from the `now` given to the constructor. As in
//!   quinn-proto, the connection says when it needs the time
//!   ([`Connection::poll_timeout`]) and the caller calls
//!   [`Connection::handle_timeout`] when that time comes; a missed deadline is the
//!   sticky [`Error::HandshakeTimeout`], with no alert. Every `handle_recv*` also
//!   checks the deadline, so a peer dripping bytes cannot outlast it even when the
//!   caller arms no timer; a peer sending nothing can, unless the caller has a timer
//!   or a transport read timeout.
//! - **Buffers** are allocated once per connection: a receive buffer for one record of
//!   the largest legal size, an application-data buffer of the same size (filled from
//!   opened records; [`Connection::recv_buf`] never hands out more room than it can
//!   absorb), and a transmit buffer sized from the largest flight this side can send
//!   (the server's certificate chain, an 8192-bit DH group, the client's certificate
//!   and CertificateVerify) with each record's overhead, plus one record of the
//!   configured `max_fragment_len` (the longest record this side sends: a device that
//!   sends 1 KiB records saves about 15 KiB over the 2^14 default). The record path
//!   (`send`, `handle_recv` of application data, `poll_*`) allocates nothing. Handshake
//!   messages are reassembled in a buffer bounded by per-message limits (64 KiB;
//!   128 KiB for a server's Certificate, 16 KiB for a client's, which a server reads);
//!   the handshake itself allocates (transcript, encoded messages, RSA and DH values).
//!   When the handshake completes (or fails) the reassembly buffer is freed (a later
//!   HelloRequest or ClientHello, which is refused, makes it grow again within the same
//!   limits) and what the handshake gathered goes with its state; what stays is
//!   [`Negotiated`], whose `peer_certificates` is the one copy of the peer's chain that
//!   [`Connection::peer_certificates`] also returns.
//! - **Errors** are sticky: after the first protocol error the connection queues its
//!   fatal alert (see [`Error::alert`]) and refuses further input with the same error.
//! - **Key exchange and suites.** By default a client offers, and a server prefers,
//!   ECDHE with an AEAD (ECDSA certificates first), then ECDHE with CBC, then DHE_RSA,
//!   then RSA key exchange ([`sanstls_keys::suite::SUITES`]); the server chooses by its
//!   own order (or the client's: [`ServerConfigBuilder::prefer_client_suite_order`])
//!   among the suites its certificate can serve (an RSA key: RSA, DHE_RSA,
//!   ECDHE_RSA; an EC key: ECDHE_ECDSA). ECDHE groups ([`DEFAULT_GROUPS`]: x25519,
//!   secp256r1, secp384r1) are offered in supported_groups with ec_point_formats
//!   (uncompressed only); the server takes the first of its groups the client lists
//!   (RFC 8422 §5.1.1) and uses an ECDSA certificate only on a curve the client lists.
//!   Every received point is validated (length, on the curve, not the identity) and an
//!   all-zero X25519 secret is refused (RFC 7748 §6.1), with illegal_parameter. In TLS
//!   1.2 an ECDSA signature scheme names the hash, not the curve: `ecdsa_secp256r1_sha256`
//!   is accepted from a P-384 key. Encrypt-then-MAC is never negotiated with an AEAD
//!   suite (RFC 7366 §3); GCM's explicit nonce is the record's sequence number.
//! - **Client certificates.** A server with a [`sanstls_pki::ClientCertVerifier`] sends
//!   a CertificateRequest listing certificate types rsa_sign and ecdsa_sign, its
//!   [signature schemes](ServerConfigBuilder::signature_schemes) and the verifier's
//!   `acceptable_issuers()`. The client answers with its chain when the server accepts
//!   its key's type (rsa_sign or ecdsa_sign), the leaf's keyUsage allows
//!   digitalSignature and the two share a scheme (for an ECDSA key the one named after
//!   its curve first, then one hashing with the PRF hash, then the client's order);
//!   otherwise with an
//!   empty Certificate. It does not filter on certificate_authorities (many servers send
//!   none, and OpenSSL does not filter either): the server judges the chain. After
//!   ClientKeyExchange the client signs the transcript so far in CertificateVerify; RSA-PSS
//!   rsae schemes are used in TLS 1.2 when both sides list them (RFC 8446 §4.2.3, as
//!   OpenSSL 3 does). The server validates the chain at the connection's time (an
//!   expired or untrusted chain fails with the pki error's alert: certificate_expired,
//!   unknown_ca, ...), requires digitalSignature in a leaf keyUsage, refuses an empty
//!   Certificate with handshake_failure when `client_auth_mandatory()`, and refuses a
//!   CertificateVerify with an unoffered scheme (illegal_parameter), a bad signature
//!   (decrypt_error) or a missing one (unexpected_message). The client's chain is
//!   [`Negotiated::peer_certificates`] on the server, and [`Connection::peer_certificates`]
//!   as soon as it arrives. To hash the CertificateVerify the client keeps the handshake
//!   messages from ServerHello until the CertificateRequest picks the hash; the server
//!   runs one extra transcript hash per hash it offers (at most three), never a buffer.
//!   Not supported: a per-connection choice of the client certificate (a resolver), and
//!   certificate_types other than rsa_sign and ecdsa_sign.
//!
//! # Features
//!
//! Every capability is a cargo feature, all on by default; a device leaves out what it
//! does not use and saves its code:
//!
//! | feature | brings | without it |
//! |---|---|---|
//! | `client` | [`Connection::client`], [`ClientConfig`] | no client role |
//! | `server` | [`Connection::server`], [`ServerConfig`], [`SniResolver`] | no server role |
//! | `dhe` | DHE_RSA suites (RFC 5246 §7.4.3, RFC 7919 groups) | not offered or chosen |
//! | `rsa-kx` | RSA key exchange suites (RFC 5246 §7.4.7.1) | not offered or chosen |
//! | `ecdhe` | ECDHE suites (RFC 8422) over x25519, secp256r1, secp384r1 | not offered or chosen; no groups |
//! | `ecdsa` | ECDSA certificates and signatures (P-256, P-384), ECDHE_ECDSA suites | EC certificates refused; ECDSA schemes not offered |
//! | `cbc` | AES-CBC + HMAC suites (MAC-then-encrypt, encrypt-then-MAC; RFC 5246, RFC 7366) | not offered or chosen; no CBC, HMAC-SHA1 or SHA-1 code, a smaller record state |
//! | `aes-gcm` | AES-128/256-GCM suites (RFC 5288, RFC 5289) | not offered or chosen |
//! | `aes-ccm` | AES-128-CCM and CCM_8 suites (RFC 6655, RFC 7251) | not offered or chosen |
//! | `chacha20poly1305` | ChaCha20-Poly1305 suites (RFC 7905) | not offered or chosen |
//! | `client-auth` | client certificates, both roles | a client answers a CertificateRequest with an empty Certificate (RFC 5246 §7.4.6); a server never asks |
//! | `pss` | RSA-PSS signature schemes, and PSS-signed certificates | not offered; PSS-signed certificates refused |
//! | `sha512` | SHA-384/512 signature schemes, certificates signed with them, and the `_SHA384` suites (SHA-384 PRF, HMAC-SHA384) | not offered; such certificates refused |
//! | `resumption` | session stores and tickets, both roles ([`SessionCache`], [`TicketKeys`]) | every handshake is full: no session IDs, no session_ticket extension |
//! | `psk` | PSK, DHE_PSK (with `dhe`) and ECDHE_PSK (with `ecdhe`) suites (RFC 4279, RFC 5489) | a PSK or PSK store refused |
//! | `x509` | certificates: the RSA, DHE_RSA, ECDHE_RSA and ECDHE_ECDSA key exchanges, server certificates (path validation, signed ServerKeyExchange), client certificates; implied by `rsa-kx`, `ecdsa`, `client-auth`, `pss` | PSK suites only; trust anchors, verifiers and server certificates refused |
//!
//! At least one role, one key exchange (`rsa-kx`, `psk`, or `x509` with `dhe` or
//! `ecdhe`) and one record cipher (`cbc`, `aes-gcm`, `aes-ccm`, `chacha20poly1305`) must
//! be on (the build says so otherwise). A
//! configuration that asks for what the build leaves out (a DHE suite in
//! [`ClientConfigBuilder::cipher_suites`] without `dhe`, a client certificate without
//! `client-auth`, an RSA-PSS scheme without `pss`) is refused by `build` with
//! [`ConfigError::LeftOut`], which names the feature; the default suite and scheme
//! lists hold only what the build has. A certificate signed with a left-out algorithm
//! fails validation with a [`CertificateError`] that names it. The smallest client that
//! completes an RSA-2048 handshake with a chain check is `client` + `rsa-kx` + `cbc`
//! (`cargo xtask embedded` measures it as `client-min`); the smallest without
//! certificates is `client` + `psk` + `aes-ccm` (`client-psk`).
//!
//! On targets without atomic compare-and-swap (Cortex-M0/M0+, RV32IMC) the shared
//! pointer of the API, [`Shared`], is `Rc` instead of `Arc`.
//!
//! # Memory
//!
//! A connection's heap, in bytes, with `F` its configured `max_fragment_len` and `E` =
//! 309 (a CBC record's most expansion: 5 header, 16 IV, 32 MAC, 256 padding):
//!
//! - **transmit buffer** (made by the constructor, the whole handshake): `T = W +
//!   (⌈W / F⌉ + 8) · 69 + F + 69`, where `W` is the largest flight this side sends: a
//!   client's `2048 + Σ(ALPN name + 1) + 64 · suites` (+ its certificate chain and
//!   modulus + 8 with a client certificate); a server's `chain + 6144` (+ the
//!   CertificateRequest with client authentication). After the handshake it is cut to
//!   one record of the negotiated size and an alert.
//! - **receive buffer**: a client's starts at `5 + F` (at `5 + 2^14` when F < 64) and
//!   a server's at `5 + 2^14`; during the handshake it grows to at most
//!   `2^14 + E` while the peer may still send full records, and is then set to `L + E`,
//!   `L` being the negotiated plaintext limit (F when the server agreed to it).
//! - **handshake reassembly buffer**: grows with the peer's messages to at most the
//!   largest message allowed (`max_handshake_message_len`, default 64 KiB, and
//!   `max_certificate_message_len`, default 128 KiB for a client, 16 KiB for a server)
//!   plus one record: this is the bound a peer controls, so a device sets both limits
//!   to what its peers need (a 3-certificate RSA-2048 chain is about 3.5 KB). Freed at
//!   the end of the handshake.
//! - **a kept session** (with `resumption`): not the connection's but its
//!   configuration's store holds, per server name (client) or session ID (server),
//!   about 100 bytes plus the peer's leaf certificate and any ticket (1 670 bytes for
//!   the RSA-2048 test chain, measured in sanstls-embedded's memory test), up to the
//!   store's capacity.
//! - **the peer's chain**, kept as received (at most the Certificate message), and
//!   the handshake's working set: the transcript, certificate validation (one parsed
//!   certificate at a time), RSA and DH values (a few KB for RSA-2048 and ffdhe2048).
//!
//! So a client with 1 KiB fragments whose server agrees holds about `T + 1 333 + chain`
//! after the handshake, and peaks during it at about `T + 2^14 + E + reassembly +
//! chain + working set` (the server's first flight may still come in full records
//! when it ignores the request; `require_fragment_limit` refuses such servers). The
//! measured figures (host tests and the QEMU probe of `cargo xtask embedded`) are in
//! sanstls-embedded's documentation and the README.
//!
//! The transmit, receive and reassembly buffers are reserved fallibly: when the heap
//! cannot hold one, the constructor or the handshake fails with
//! [`Error::OutOfMemory`] instead of aborting the device. (The handshake's smaller
//! allocations still use the global allocator's error handler.)
#![no_std]
#![forbid(unsafe_code)]
// A build that leaves capabilities out (see "Features") leaves helpers and imports that
// only those capabilities use: not worth a cfg each. The full build (default features,
// which CI lints) keeps every warning.
#![cfg_attr(
    not(all(
        feature = "client",
        feature = "server",
        feature = "dhe",
        feature = "rsa-kx",
        feature = "ecdhe",
        feature = "ecdsa",
        feature = "cbc",
        feature = "aes-gcm",
        feature = "aes-ccm",
        feature = "chacha20poly1305",
        feature = "client-auth",
        feature = "pss",
        feature = "sha512",
        feature = "resumption",
        feature = "psk",
        feature = "x509"
    )),
    allow(
        unused_imports,
        unused_variables,
        dead_code,
        unreachable_patterns,
        unreachable_code,
        irrefutable_let_patterns
    )
)]

extern crate alloc;
// The fuzzing entry points derive `arbitrary::Arbitrary`, whose generated code names
// `::std` (a thread-local recursion guard): fuzzing builds are std builds.
#[cfg(feature = "fuzzing")]
extern crate std;

#[cfg(not(any(feature = "client", feature = "server")))]
compile_error!(
    "sanstls-proto needs at least one role: enable its feature `client` or `server` \
     (or both; both are in its default features)"
);
#[cfg(not(any(
    feature = "rsa-kx",
    feature = "psk",
    all(feature = "x509", any(feature = "dhe", feature = "ecdhe"))
)))]
compile_error!(
    "sanstls-proto needs at least one key exchange: enable its feature `rsa-kx`, `psk`, or \
     `x509` with `dhe` or `ecdhe` (all are in its default features)"
);
#[cfg(not(any(
    feature = "cbc",
    feature = "aes-gcm",
    feature = "aes-ccm",
    feature = "chacha20poly1305"
)))]
compile_error!(
    "sanstls-proto needs at least one record cipher: enable its feature `cbc`, `aes-gcm`, \
     `aes-ccm` or `chacha20poly1305` (all are in its default features)"
);

#[cfg(feature = "client")]
mod client;
mod config;
mod connection;
mod core;
mod error;
mod event;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod hs;
mod limits;
mod negotiate;
mod negotiated;
pub mod psk;
mod records;
#[cfg(feature = "server")]
mod server;
mod session;
mod sig;
mod state;
mod txbuf;

/// The shared pointer of the public API: configurations, verifiers, certificate keys
/// and key logs are handed to connections as `Shared<T>`.
///
/// It is [`alloc::sync::Arc`] on every target with atomic compare-and-swap (so on
/// every host and on Cortex-M3/M4/M7, where it is exactly `std::sync::Arc`), and
/// [`alloc::rc::Rc`] on targets without it (Cortex-M0/M0+ such as the RP2040,
/// `thumbv6m-none-eabi`; RISC-V without the A extension such as the ESP32-C3,
/// `riscv32imc-unknown-none-elf`), where `alloc::sync` does not exist. Code that names
/// `Shared` builds on both; on the latter a connection is not `Send`, which a
/// single-core device without atomics does not need.
#[cfg(target_has_atomic = "ptr")]
pub type Shared<T> = alloc::sync::Arc<T>;
/// The shared pointer of the public API (see the `target_has_atomic = "ptr"` twin):
/// [`alloc::rc::Rc`] here, as this target has no atomic compare-and-swap.
#[cfg(not(target_has_atomic = "ptr"))]
pub type Shared<T> = alloc::rc::Rc<T>;

/// `Send + Sync` on targets with atomic compare-and-swap, nothing on the others: the
/// bound of the traits whose implementations a configuration shares through [`Shared`]
/// (a certificate resolver holds `Shared<CertifiedKey>`s, which are not `Send` where
/// `Shared` is `Rc`). Implemented for every type that qualifies. (The crypto crate's,
/// so that one bound serves providers and configurations alike.)
pub use sanstls_crypto::provider::MaybeSendSync;

pub use config::{
    CertifiedKey, Common, ConfigError, DEFAULT_CLIENT_HANDSHAKE_TIMEOUT,
    DEFAULT_CLIENT_SESSION_CAPACITY, DEFAULT_GROUPS, DEFAULT_SERVER_HANDSHAKE_TIMEOUT,
    DEFAULT_SERVER_SESSION_CAPACITY, DEFAULT_SIGNATURE_SCHEMES, KeyLog, MAX_MESSAGE_LIMIT,
    MIN_MESSAGE_LIMIT,
};
#[cfg(feature = "client")]
pub use config::{ClientConfig, ClientConfigBuilder};
#[cfg(feature = "server")]
pub use config::{ResolvesServerCert, ServerConfig, ServerConfigBuilder, SniResolver};
pub use connection::{Connection, MAX_FRAGMENT_LEN};
pub use error::{ApiMisuse, Error, InternalError, PeerIncompatible, PeerMisbehaved};
pub use event::{Direction, Event, Trace, TraceKind};
pub use negotiated::Negotiated;
pub use psk::{ChoosesPsk, Psk, PskStore, PskTable, UnknownPskIdentity};
pub use sanstls_keys::Side;
pub use session::{
    DEFAULT_SESSION_LIFETIME, DEFAULT_TICKET_PERIOD, MAX_SESSION_ID_LEN, Session, SessionCache,
    SessionDecodeError, StoresClientSessions, StoresServerSessions, TicketKey, TicketKeys,
    Ticketer,
};

// The types this crate's public API uses, from the crates below it: a user (and the std
// and embedded adapters) names them through sanstls-proto alone.
pub use sanstls_crypto::Error as CryptoError;
pub use sanstls_crypto::dh::NamedDhGroup;
#[cfg(any(feature = "ecdhe", feature = "ecdsa"))]
pub use sanstls_crypto::ecdh::EcGroup;
#[cfg(feature = "ecdsa")]
pub use sanstls_crypto::ecdsa::{EcdsaCurve, EcdsaPrivateKey, EcdsaPublicKey};
pub use sanstls_crypto::provider;
pub use sanstls_crypto::rng::{CryptoRng, SeededRng};
#[cfg(feature = "getrandom")]
pub use sanstls_crypto::rng::{OsRng, os_rng};
pub use sanstls_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
pub use sanstls_pki::{
    ClientCertVerifier, DnsName, Error as CertificateError, KeyPurpose, KeyUsage,
    ServerCertVerifier, ServerName, TrustAnchor, TrustAnchors, UnixTime, VerifiedPath,
    VerifyOptions, WebPkiClientVerifier, WebPkiServerVerifier, certificate_covers_name,
    pem_to_der_certs, verify_chain,
};
pub use sanstls_wire::DecodeError;
pub use sanstls_wire::enums::{
    AlertDescription, AlertLevel, CipherSuite, ExtensionType, HandshakeType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
pub use sig::PrivateKey;
