//! Entry points for cargo-fuzz targets (feature `fuzzing`): a server and a client fed
//! arbitrary peer bytes. Whatever the input, a connection must not panic, must not
//! hang, and once it returns an error must return that same error for all later input.
//!
//! Both take part in client authentication, so its states are fuzzed too: the server
//! sends a CertificateRequest and accepts clients with or without a certificate
//! (optional authentication, both test roots), and the client has the `client-ecdsa`
//! test certificate to answer a CertificateRequest with.
//!
//! Both take part in resumption, deterministically (no state carries from one input
//! to the next): the client offers one fixed session ([`resumable_session`], by
//! session ID) in every ClientHello, and accepts tickets; the server has no session
//! cache but issues and reads tickets under one fixed key with a fixed IV
//! ([`ticketer`]), so that a recorded resumption replays byte for byte.

pub mod actions;
pub mod pair;

use crate::Shared;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::time::Duration;

use once_cell::race::OnceBox;

use sanstls_crypto::rng::SeededRng;
use sanstls_pki::{
    TrustAnchors, UnixTime, VerifyOptions, WebPkiClientVerifier, WebPkiServerVerifier,
};

use zeroize::Zeroizing;

use crate::session::{Session, StoresClientSessions, TicketKey, Ticketer};
use crate::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, Connection, ServerConfig, ServerConfigBuilder,
};

// Small test keys keep executions fast (the issue of fuzzing at campaign scale asks for
// 1,000 a second on one core): the server's certificate is the 1024-bit test one (an
// RSA-2048 signature per ClientHello was three quarters of every execution), and the
// client's is the ECDSA P-256 one. Both verifiers accept 1024-bit RSA keys through
// their public options ([`verify_options`]); nothing in the library's checks changes.
const CHAIN_PEM: &str = include_str!("../../../../testdata/bad-rsa1024.chain.pem");
const KEY_PEM: &str = include_str!("../../../../testdata/bad-rsa1024.rsa.pem");
/// Both test roots: the RSA one, and the ECDSA one (P-384) the seeds' ECDSA server and
/// client certificates chain to.
const ROOT_PEM: &str = concat!(
    include_str!("../../../../testdata/ca-root.cert.pem"),
    include_str!("../../../../testdata/ca-ecdsa-root.cert.pem")
);
/// The ECDSA P-256 server certificate, for the action and pair targets' peers.
const ECDSA_CHAIN_PEM: &str = include_str!("../../../../testdata/server-ecdsa-p256.chain.pem");
const ECDSA_KEY_PEM: &str = include_str!("../../../../testdata/server-ecdsa-p256.ec.pem");
const CLIENT_CHAIN_PEM: &str = include_str!("../../../../testdata/client-ecdsa.chain.pem");
const CLIENT_KEY_PEM: &str = include_str!("../../../../testdata/client-ecdsa.ec.pem");
/// The time every entry point runs at (inside the validity of the test certificates).
pub const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
/// The generator seed of the fuzzed server ([`server`]).
pub const SERVER_SEED: [u8; 32] = [1; 32];
/// The generator seed of the fuzzed client ([`client`]).
pub const CLIENT_SEED: [u8; 32] = [2; 32];
/// The server name the fuzzed client connects to.
pub const SERVER_NAME: &str = "localhost";

/// The PSK both fuzzed sides know (RFC 4279): the client offers the PSK suites with it
/// after its certificate suites, the server has it in its store and sends the hint
/// [`PSK_HINT`].
pub fn psk() -> Option<crate::Psk> {
    crate::Psk::new(&b"fuzz-device"[..], [0x5a; 16]).ok()
}

/// The fuzzed server's PSK identity hint.
pub const PSK_HINT: &[u8] = b"fuzz-hint";

/// A store with [`psk`].
pub fn psk_store() -> Option<Shared<crate::PskTable>> {
    Some(Shared::new(crate::PskTable::new().with(psk()?)))
}

/// How [`client`] and [`server`] cut an input into writes: the first byte gives the
/// size of each write (its value plus one, so 1 to 256 bytes), the rest is the peer's
/// bytes. `None` for an empty input.
pub fn writes(data: &[u8]) -> Option<core::slice::Chunks<'_, u8>> {
    let (&first, rest) = data.split_first()?;
    Some(rest.chunks(usize::from(first) + 1))
}

/// Feeds `data` to `conn`: the first byte picks the size of each write (1 to 256
/// bytes), so record and message boundaries fall everywhere.
fn feed(conn: &mut Connection, data: &[u8]) {
    let Some(pieces) = writes(data) else {
        return;
    };
    let mut first_error = None;
    for piece in pieces {
        let mut at = 0;
        while at < piece.len() {
            match conn.handle_recv_bytes(&piece[at..], NOW) {
                Ok(0) => {
                    // Application data is waiting; consume it to make room.
                    let waiting = conn.app_data().len();
                    if waiting > 0 {
                        core::hint::black_box(conn.app_data());
                        if let Err(e) = conn.consume(waiting) {
                            first_error = Some(e);
                            break;
                        }
                    } else {
                        // Only a closed connection may refuse input for good.
                        let pending = conn.poll_transmit().len();
                        let _ = conn.handle_transmitted(pending);
                        assert!(conn.is_closed(), "no progress and nothing to consume");
                        return;
                    }
                }
                Ok(n) => at += n,
                Err(e) => {
                    if let Some(prev) = &first_error {
                        assert_eq!(prev, &e, "errors must be sticky");
                    }
                    first_error = Some(e);
                    break;
                }
            }
        }
        while conn.poll_event().is_some() {}
        // An error from consuming is sticky: the next input reports it again.
        let _ = conn.consume(conn.app_data().len());
        let pending = conn.poll_transmit().len();
        let _ = conn.handle_transmitted(pending);
    }
    if let Some(e) = first_error {
        assert_eq!(conn.error(), Some(&e));
    }
}

/// The session the fuzzed client offers: TLS_RSA_WITH_AES_128_CBC_SHA256 with the
/// extended master secret, a fixed master secret, session ID `[0x11; 32]`, for
/// `localhost`, made at the entry points' time, without a peer certificate. A seed's
/// server resumes it by having it in its cache under that ID.
pub fn resumable_session() -> Zeroizing<Vec<u8>> {
    Session {
        suite: sanstls_wire::enums::CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        master: Zeroizing::new([0x42; 48]),
        extended_master_secret: true,
        server_name: Some("localhost".into()),
        // None: the same bytes serve the seeds' server cache, where a certificate
        // would be the client's.
        peer_certificate: None,
        created: NOW,
        lifetime: Duration::from_secs(3600),
        session_id: alloc::vec![0x11; 32],
        ticket: None,
        psk_identity: None,
    }
    .to_bytes()
}

/// The fuzzed client's session store: always [`resumable_session`], whatever is put
/// or removed (so that every input starts from the same state).
struct FixedStore;

impl StoresClientSessions for FixedStore {
    fn put(&self, _: &str, _: &[u8]) {}
    fn get(&self, _: &str) -> Option<Zeroizing<Vec<u8>>> {
        Some(resumable_session())
    }
    fn remove(&self, _: &str) {}
}

/// The fuzzed server's tickets: one fixed key and a fixed IV, so that the same
/// session always makes the same ticket. (Only for fuzzing: a fixed IV leaks which
/// tickets hold equal sessions.)
struct FixedTicketer(TicketKey);

impl Ticketer for FixedTicketer {
    fn lifetime(&self) -> Duration {
        Duration::from_secs(3600)
    }
    fn encrypt(&self, state: &[u8], _: UnixTime) -> Option<Vec<u8>> {
        self.0.seal(state, [0x33; 16])
    }
    fn decrypt(&self, ticket: &[u8], _: UnixTime) -> Option<Zeroizing<Vec<u8>>> {
        self.0.open(ticket)
    }
}

/// The fuzzed server's ticketer (one fixed key, a fixed IV: the same session always
/// makes the same ticket), for the seeds' peers too.
pub fn ticketer() -> Shared<dyn Ticketer> {
    Shared::new(FixedTicketer(TicketKey::from_bytes(&[0x5a; 64])))
}

/// The certificate validation of both fuzzed sides: the defaults, except that 1024-bit
/// RSA keys are accepted (the fuzzed server's certificate has one).
pub fn verify_options() -> VerifyOptions {
    let mut options = VerifyOptions::default();
    options.min_rsa_bits = 1024;
    options
}

/// Validates server certificates as the fuzzed client does (both test roots,
/// [`verify_options`]); the seeds' clients use it to accept the fuzzed server.
pub fn server_cert_verifier() -> Option<Shared<WebPkiServerVerifier>> {
    let anchors = TrustAnchors::from_pem_bundle(ROOT_PEM).ok()?;
    Some(Shared::new(WebPkiServerVerifier::with_options(
        anchors,
        verify_options(),
    )))
}

/// The fuzzed server's configuration, not yet built (a replay tool turns tracing on).
pub fn server_config_builder() -> Option<ServerConfigBuilder> {
    let verifier = TrustAnchors::from_pem_bundle(ROOT_PEM).ok().map(|a| {
        Shared::new(WebPkiClientVerifier::with_options(a, verify_options()).allow_unauthenticated())
    })?;
    let key = CertifiedKey::from_pem(CHAIN_PEM, KEY_PEM).ok()?;
    Some(
        ServerConfig::builder()
            .single_cert(key)
            .client_verifier(verifier)
            .psk_store(psk_store()?)
            .psk_identity_hint(PSK_HINT)
            .session_cache(0)
            .ticketer(Some(ticketer())),
    )
}

/// The fuzzed client's configuration, not yet built.
pub fn client_config_builder() -> Option<ClientConfigBuilder> {
    let key = CertifiedKey::from_pem(CLIENT_CHAIN_PEM, CLIENT_KEY_PEM).ok()?;
    let verifier = server_cert_verifier()?;
    Some(
        ClientConfig::builder()
            .verifier(verifier)
            .client_certificate(key)
            .psk(psk()?)
            .session_store(Some(Shared::new(FixedStore))),
    )
}

/// The server's config, built once per process: loading and validating the keys costs
/// milliseconds, which would otherwise dominate every execution.
pub fn server_config() -> Option<Shared<ServerConfig>> {
    static CONFIG: OnceBox<Option<Shared<ServerConfig>>> = OnceBox::new();
    CONFIG
        .get_or_init(|| {
            let config = server_config_builder().and_then(|b| b.build().ok());
            Box::new(config.map(Shared::new))
        })
        .clone()
}

/// The client's config, built once per process.
pub fn client_config() -> Option<Shared<ClientConfig>> {
    static CONFIG: OnceBox<Option<Shared<ClientConfig>>> = OnceBox::new();
    CONFIG
        .get_or_init(|| {
            let config = client_config_builder().and_then(|b| b.build().ok());
            Box::new(config.map(Shared::new))
        })
        .clone()
}

/// A server receiving `data` from a would-be client.
pub fn server(data: &[u8]) {
    let Some(config) = server_config() else {
        return;
    };
    let mut rng = SeededRng::from_seed(SERVER_SEED);
    let Ok(mut conn) = Connection::server(config, NOW, &mut rng) else {
        return;
    };
    feed(&mut conn, data);
}

/// A client (to `localhost`) receiving `data` from a would-be server.
pub fn client(data: &[u8]) {
    let Some(config) = client_config() else {
        return;
    };
    let Ok(name) = SERVER_NAME.try_into() else {
        return;
    };
    let mut rng = SeededRng::from_seed(CLIENT_SEED);
    let Ok(mut conn) = Connection::client(config, name, NOW, &mut rng) else {
        return;
    };
    feed(&mut conn, data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_take_junk_and_records() {
        let mut rng = SeededRng::from_seed([9; 32]);
        for len in [0usize, 1, 2, 7, 64, 600] {
            let mut junk = alloc::vec![0u8; len];
            sanstls_crypto::rng::Rng::fill_bytes(&mut rng, &mut junk);
            server(&junk);
            client(&junk);
        }
        // A ServerHelloDone record, a fatal alert, a CCS: each a clean error.
        for input in [
            &[0u8, 22, 3, 3, 0, 4, 14, 0, 0, 0][..],
            &[3, 21, 3, 3, 0, 2, 2, 40],
            &[0, 20, 3, 3, 0, 1, 1],
        ] {
            server(input);
            client(input);
        }
    }
}
