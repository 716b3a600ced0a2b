//! A probe firmware for `cargo xtask embedded`: one role of sanstls (a client with the
//! smallest feature set, the smallest modern client (ECDHE-ECDSA with AES-GCM), a
//! certificate-free PSK client with 512-byte records, a client or a server with the
//! default features) on a Cortex-M4
//! (`thumbv7em-none-eabihf`, QEMU's `mps2-an386`), through a complete in-memory
//! handshake and a 4 KiB echo: the probe sends 4096 bytes, the peer echoes them, the
//! probe checks them.
//!
//! Built without the `peer` feature it is the firmware measured for size: it holds only
//! the role under test (its transport replays bytes it never gets, so nothing is
//! optimised away). Built with `peer` it runs in QEMU:
//!
//! 1. pass 1 runs the probe against a sanstls peer in memory (the other role, a bare
//!    `Connection` driven from the probe's transport) and records what the peer sends;
//! 2. pass 2 runs the probe alone against that recording. Everything is deterministic
//!    (fixed seeds, fixed time), so the probe sends the same bytes again and the
//!    recording answers them. The heap counters are reset and the free stack painted
//!    just before it, so its figures are the probe side's alone.
//!
//! It reports one line `PROBE {json}` over semihosting and exits QEMU with success, or
//! prints `PROBE FAILED: ...` and exits with failure.
#![no_std]
#![no_main]

extern crate alloc;

#[cfg(not(any(
    feature = "client-min",
    feature = "client-ecdhe",
    feature = "client-psk",
    feature = "client-full",
    feature = "server"
)))]
compile_error!(
    "choose a probe: feature client-min, client-ecdhe, client-psk, client-full or server"
);
#[cfg(any(
    all(feature = "client-min", feature = "client-ecdhe"),
    all(feature = "client-min", feature = "client-psk"),
    all(feature = "client-min", feature = "client-full"),
    all(feature = "client-min", feature = "server"),
    all(feature = "client-ecdhe", feature = "client-psk"),
    all(feature = "client-ecdhe", feature = "client-full"),
    all(feature = "client-ecdhe", feature = "server"),
    all(feature = "client-psk", feature = "client-full"),
    all(feature = "client-psk", feature = "server"),
    all(feature = "client-full", feature = "server"),
))]
compile_error!("one probe per build: client-min, client-ecdhe, client-psk, client-full or server");

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use cortex_m_rt::{ExceptionFrame, entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use embedded_alloc::LlffHeap;
use embedded_io::{ErrorKind, ErrorType, Read, Write};
use sanstls_embedded::{TlsConnection, UnixTime};
#[cfg(any(
    feature = "client-min",
    feature = "client-ecdhe",
    feature = "client-psk"
))]
use sanstls_proto::CipherSuite;
use sanstls_proto::SeededRng;

/// Inside the validity of the test certificates (2025 to 2045), as in the host tests.
const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
/// The bytes the probe sends and expects back.
const ECHO_LEN: usize = 4096;
/// The heap, right after `.bss`; the stack takes the rest of the RAM, down from its top.
const HEAP_SIZE: usize = 1024 * 1024;

/// The test CA that signed the server's intermediate (testdata/, as in the host tests).
#[cfg(all(feature = "server", feature = "peer"))]
const CA_PEM: &str = include_str!("../../testdata/ca-root.cert.pem");
/// The same, in DER (build.rs), as a device stores it: the probe side reads no PEM.
#[cfg(any(feature = "client-min", feature = "client-full"))]
const CA_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ca-root.0.der"));
/// client-ecdhe's: the ECDSA P-256 intermediate CA (DER) as its trust anchor. The ECDSA
/// root (`ca-ecdsa-root`, P-384) signs that intermediate with ecdsa-with-SHA384, which a
/// build without feature `sha512` cannot verify (`SignatureAlgorithmLeftOut(Sha384)`):
/// client, ecdhe, ecdsa and aes-gcm alone verify SHA-256 signatures only, so the probe
/// anchors at the intermediate, which signs the leaf with ecdsa-with-SHA256. The server
/// still sends the whole ECDSA P-256 chain (leaf and intermediate).
/// With feature `ecdsa-root` (which adds sha512) it trusts the root instead: what the
/// whole chain costs.
#[cfg(all(feature = "client-ecdhe", not(feature = "ecdsa-root")))]
const CA_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ca-ecdsa-int.0.der"));
#[cfg(all(feature = "client-ecdhe", feature = "ecdsa-root"))]
const CA_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ca-ecdsa-root.0.der"));
/// The server's leaf, intermediate and PKCS#1 key in DER (build.rs).
#[cfg(feature = "server")]
const SERVER_CHAIN_DER: [&[u8]; 2] = [
    include_bytes!(concat!(env!("OUT_DIR"), "/server-chain.0.der")),
    include_bytes!(concat!(env!("OUT_DIR"), "/server-chain.1.der")),
];
#[cfg(feature = "server")]
const SERVER_KEY_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/server-key.0.der"));
/// The server's RSA-2048 leaf and intermediate, and its key.
#[cfg(all(feature = "peer", any(feature = "client-min", feature = "client-full")))]
const SERVER_CHAIN_PEM: &str = include_str!("../../testdata/server-rsa2048.chain.pem");
#[cfg(all(feature = "peer", any(feature = "client-min", feature = "client-full")))]
const SERVER_KEY_PEM: &str = include_str!("../../testdata/server-rsa2048.rsa.pem");
/// client-ecdhe's peer: the ECDSA P-256 leaf, its ECDSA intermediate and the SEC 1 key,
/// in DER (build.rs).
#[cfg(all(feature = "peer", feature = "client-ecdhe"))]
const SERVER_ECDSA_CHAIN_DER: [&[u8]; 2] = [
    include_bytes!(concat!(env!("OUT_DIR"), "/server-ecdsa-chain.0.der")),
    include_bytes!(concat!(env!("OUT_DIR"), "/server-ecdsa-chain.1.der")),
];
#[cfg(all(feature = "peer", feature = "client-ecdhe"))]
const SERVER_ECDSA_KEY_DER: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/server-ecdsa-key.0.der"));

/// The suite client-ecdhe must negotiate: its peer offers only this one.
#[cfg(feature = "client-ecdhe")]
const ECDHE_SUITE: CipherSuite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

/// The suite client-psk offers and must negotiate (its peer offers it alone):
/// TLS_PSK_WITH_AES_128_CCM_8 (RFC 6655), AES-CCM with an 8-byte tag, the suite of
/// constrained links. To measure TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487) instead,
/// name it here and drop `"sanstls-embedded/aes-ccm"` from client-psk's features in
/// Cargo.toml (CBC and HMAC-SHA256 are always built).
#[cfg(feature = "client-psk")]
const PSK_SUITE: CipherSuite = CipherSuite::TLS_PSK_WITH_AES_128_CCM_8;
/// client-psk's identity and key (and its peer's only table entry). A device stores
/// them as bytes; these are the probe's, 16 random-looking bytes.
#[cfg(feature = "client-psk")]
const PSK_IDENTITY: &[u8] = b"probe";
#[cfg(feature = "client-psk")]
const PSK_KEY: [u8; 16] = [
    0x3c, 0x1f, 0x8a, 0x52, 0x07, 0xe9, 0x64, 0xbd, 0x21, 0x90, 0x4e, 0xf3, 0x6a, 0x15, 0xc8, 0x7d,
];
/// The record size client-psk asks for (max_fragment_length 2^9, and a
/// record_size_limit of 512) and requires.
#[cfg(feature = "client-psk")]
const PSK_FRAGMENT: usize = 512;

/// The suites with RSA key exchange: client-min's peer offers only these, so that the
/// handshake uses RSA key exchange whatever suites the client's features leave in.
#[cfg(feature = "client-min")]
const RSA_KX_SUITES: [CipherSuite; 4] = [
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
    CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
    CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
];

/// Prints a line to the host: formatted in the firmware that runs (feature `peer`); in
/// the size firmware, which never runs, only the literal, so that `core::fmt` is not
/// part of what it measures (a device prints what it likes, or nothing).
macro_rules! say {
    ($lit:literal $(, $arg:expr)* $(,)?) => {{
        #[cfg(feature = "peer")]
        hprintln!($lit $(, $arg)*);
        #[cfg(not(feature = "peer"))]
        {
            $(let _ = &$arg;)*
            hprintln!($lit);
        }
    }};
}

/// A client for `localhost` on `transport`, for the client roles.
/// Not inlined: the constructor's result, moved into the caller's slot, would otherwise
/// leave a second connection-sized temporary in main's frame.
#[cfg(not(feature = "server"))]
#[inline(never)]
fn connect_client<T: Read + Write>(
    config: &Arc<sanstls_embedded::ClientConfig>,
    transport: T,
) -> TlsConnection<T> {
    let mut rng = SeededRng::from_seed([5; 32]);
    // A DNS name, built as one: `"localhost".try_into()` would also try it as an IP
    // address, and link the address parser (1.5 KB) into every firmware.
    let name = sanstls_proto::DnsName::new("localhost")
        .map(sanstls_embedded::ServerName::Dns)
        .unwrap_or_else(|e| fail_with("the server name", &e));
    TlsConnection::client(transport, Arc::clone(config), name, NOW, &mut rng)
        .unwrap_or_else(|e| fail_with("the client connection", &e))
}

// ---- The role under test -----------------------------------------------------------

#[cfg(feature = "client-psk")]
mod role {
    use super::{Arc, PSK_FRAGMENT, PSK_IDENTITY, PSK_KEY, PSK_SUITE};
    use sanstls_embedded::ClientConfig;
    use sanstls_proto::Psk;

    pub(crate) type Config = ClientConfig;

    pub(crate) const NAME: &str = "client-psk";

    /// One PSK, one suite, 512-byte records required (a server that agrees to neither
    /// max_fragment_length nor record_size_limit is refused: the receive buffer is
    /// never sized for 16 KiB records), no certificates. (Not inlined: its frame is
    /// not part of what main keeps on the stack during pass 2.)
    #[inline(never)]
    pub(crate) fn config() -> Arc<Config> {
        let psk =
            Psk::new(PSK_IDENTITY, PSK_KEY).unwrap_or_else(|e| super::fail_with("the PSK", &e));
        Arc::new(
            ClientConfig::builder()
                .psk(psk)
                .cipher_suites(&[PSK_SUITE])
                .max_fragment_len(PSK_FRAGMENT)
                .require_fragment_limit(true)
                .build()
                .unwrap_or_else(|e| super::fail_with("the client config", &e)),
        )
    }

    pub(crate) use super::connect_client as connect;

    pub(crate) const EXPECTED_FRAGMENT: usize = PSK_FRAGMENT;
}

#[cfg(any(
    feature = "client-min",
    feature = "client-ecdhe",
    feature = "client-full"
))]
mod role {
    use super::{Arc, CA_DER};
    use sanstls_embedded::{ClientConfig, TrustAnchors};

    pub(crate) type Config = ClientConfig;

    #[cfg(feature = "client-min")]
    pub(crate) const NAME: &str = "client-min";
    #[cfg(feature = "client-ecdhe")]
    pub(crate) const NAME: &str = "client-ecdhe";
    #[cfg(feature = "client-full")]
    pub(crate) const NAME: &str = "client-full";

    /// Trusts the test root CA (client-ecdhe: the ECDSA one); client-min and
    /// client-ecdhe ask for 1 KiB records. (Not inlined: its
    /// frame is not part of what main keeps on the stack during pass 2.)
    #[inline(never)]
    pub(crate) fn config() -> Arc<Config> {
        let anchors = TrustAnchors::from_der_certs([CA_DER])
            .unwrap_or_else(|e| super::fail_with("the CA certificate", &e));
        let builder = ClientConfig::builder().trust_anchors(anchors);
        #[cfg(any(feature = "client-min", feature = "client-ecdhe"))]
        let builder = builder.max_fragment_len(1024);
        Arc::new(
            builder
                .build()
                .unwrap_or_else(|e| super::fail_with("the client config", &e)),
        )
    }

    pub(crate) use super::connect_client as connect;

    /// The record size the client must have negotiated.
    pub(crate) const EXPECTED_FRAGMENT: usize =
        if cfg!(any(feature = "client-min", feature = "client-ecdhe")) {
            1024
        } else {
            16_384
        };
}

#[cfg(feature = "server")]
mod role {
    use super::{Arc, NOW, SERVER_CHAIN_DER, SERVER_KEY_DER, SeededRng, TlsConnection};
    use embedded_io::{Read, Write};
    use sanstls_embedded::ServerConfig;
    use sanstls_proto::CertifiedKey;

    pub(crate) type Config = ServerConfig;

    pub(crate) const NAME: &str = "server";

    /// Presents the RSA-2048 leaf and its intermediate. (Not inlined: its frame is not
    /// part of what main keeps on the stack during pass 2.)
    #[inline(never)]
    pub(crate) fn config() -> Arc<Config> {
        let chain = SERVER_CHAIN_DER.iter().map(|c| c.to_vec()).collect();
        let key = sanstls_proto::RsaPrivateKey::from_pkcs1_der(SERVER_KEY_DER)
            .unwrap_or_else(|e| super::fail_with("the key", &e));
        let key = CertifiedKey::new(chain, key)
            .unwrap_or_else(|e| super::fail_with("the server key", &e));
        Arc::new(
            ServerConfig::builder()
                .single_cert(key)
                .build()
                .unwrap_or_else(|e| super::fail_with("the server config", &e)),
        )
    }

    /// Not inlined: the constructor's result, moved into the caller's slot, would
    /// otherwise leave a second connection-sized temporary in main's frame.
    #[inline(never)]
    pub(crate) fn connect<T: Read + Write>(config: &Arc<Config>, transport: T) -> TlsConnection<T> {
        let mut rng = SeededRng::from_seed([6; 32]);
        TlsConnection::server(transport, Arc::clone(config), NOW, &mut rng)
            .unwrap_or_else(|e| super::fail_with("the server connection", &e))
    }

    pub(crate) const EXPECTED_FRAGMENT: usize = 16_384;
}

/// The one suite client-ecdhe and client-psk must negotiate.
#[cfg(feature = "client-ecdhe")]
const EXPECTED_SUITE: CipherSuite = ECDHE_SUITE;
#[cfg(feature = "client-psk")]
const EXPECTED_SUITE: CipherSuite = PSK_SUITE;

/// What the probe does on a connection: the handshake, then 4096 bytes out and back.
/// The connection is made by the caller and lent here, as a firmware would: a
/// `TlsConnection` is a few KB, and every move of it is a copy on the stack. (Not
/// inlined: main's frame stays main's own.)
#[inline(never)]
fn session<T: Read + Write>(
    tls: &mut TlsConnection<T>,
    data: &[u8],
    got: &mut [u8],
) -> Result<(), ()>
where
    T::Error: core::fmt::Debug,
{
    if let Err(e) = tls.handshake() {
        say!("PROBE FAILED: {} handshake: {}", role::NAME, Shown(&e));
        return Err(());
    }
    let negotiated = tls.negotiated().ok_or(())?;
    if negotiated.max_fragment_received != role::EXPECTED_FRAGMENT {
        say!(
            "PROBE FAILED: {} negotiated {}-byte records, not {}",
            role::NAME,
            negotiated.max_fragment_received,
            role::EXPECTED_FRAGMENT
        );
        return Err(());
    }
    #[cfg(feature = "client-min")]
    if !RSA_KX_SUITES.contains(&negotiated.suite) {
        say!(
            "PROBE FAILED: {} negotiated {}, not RSA key exchange",
            role::NAME,
            Shown(&negotiated.suite)
        );
        return Err(());
    }
    #[cfg(any(feature = "client-ecdhe", feature = "client-psk"))]
    if negotiated.suite != EXPECTED_SUITE {
        say!(
            "PROBE FAILED: {} negotiated {}, not {}",
            role::NAME,
            Shown(&negotiated.suite),
            Shown(&EXPECTED_SUITE)
        );
        return Err(());
    }
    if let Err(e) = tls.write_all(data).and_then(|()| tls.flush()) {
        say!("PROBE FAILED: {} write: {}", role::NAME, Shown(&e));
        return Err(());
    }
    let mut filled = 0;
    while filled < got.len() {
        match tls.read(&mut got[filled..]) {
            Ok(0) => {
                say!(
                    "PROBE FAILED: {} echo ended after {} bytes",
                    role::NAME,
                    filled
                );
                return Err(());
            }
            Ok(n) => filled += n,
            Err(e) => {
                say!("PROBE FAILED: {} read: {}", role::NAME, Shown(&e));
                return Err(());
            }
        }
    }
    if got != data {
        say!("PROBE FAILED: {} echo differs", role::NAME);
        return Err(());
    }
    Ok(())
}

// ---- Transports ----------------------------------------------------------------------

/// Pass 2's transport: reads the recording of the peer, drops what the probe writes.
struct Replay<'a> {
    bytes: &'a [u8],
}

impl ErrorType for Replay<'_> {
    type Error = ErrorKind;
}

impl Read for Replay<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = buf.len().min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

impl Write for Replay<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

#[cfg(feature = "peer")]
mod peer {
    //! Pass 1's transport: the peer, a bare `Connection` fed what the probe writes; it
    //! echoes application data, and everything it sends is recorded.

    use super::{Arc, NOW, SeededRng, Vec};
    use cortex_m_semihosting::hprintln;
    use embedded_io::{ErrorKind, ErrorType, Read, Write};
    use sanstls_embedded::Connection;

    /// A server with the RSA-2048 chain, for the client probes.
    #[cfg(any(feature = "client-min", feature = "client-full"))]
    fn connection() -> Connection {
        use super::{SERVER_CHAIN_PEM, SERVER_KEY_PEM};
        use sanstls_embedded::ServerConfig;
        use sanstls_proto::CertifiedKey;
        let key = CertifiedKey::from_pem(SERVER_CHAIN_PEM, SERVER_KEY_PEM).expect("peer key");
        let builder = ServerConfig::builder().single_cert(key);
        #[cfg(feature = "client-min")]
        let builder = builder.cipher_suites(&super::RSA_KX_SUITES);
        let config = builder.build().expect("peer config");
        let mut rng = SeededRng::from_seed([6; 32]);
        Connection::server(Arc::new(config), NOW, &mut rng).expect("peer server")
    }

    /// A server with the ECDSA P-256 chain (DER), offering only ECDHE-ECDSA with
    /// AES-128-GCM, for client-ecdhe; its groups are the default (x25519 first).
    #[cfg(feature = "client-ecdhe")]
    fn connection() -> Connection {
        use super::{ECDHE_SUITE, SERVER_ECDSA_CHAIN_DER, SERVER_ECDSA_KEY_DER};
        use sanstls_embedded::ServerConfig;
        use sanstls_proto::{CertifiedKey, PrivateKey};
        let chain = SERVER_ECDSA_CHAIN_DER.iter().map(|c| c.to_vec()).collect();
        let key = PrivateKey::from_der(SERVER_ECDSA_KEY_DER).expect("peer ECDSA key");
        let key = CertifiedKey::new(chain, key).expect("peer key");
        let config = ServerConfig::builder()
            .single_cert(key)
            .cipher_suites(&[ECDHE_SUITE])
            .build()
            .expect("peer config");
        let mut rng = SeededRng::from_seed([6; 32]);
        Connection::server(Arc::new(config), NOW, &mut rng).expect("peer server")
    }

    /// A PSK-only server (no certificate) that knows the probe's identity, offering only
    /// the probe's suite, for client-psk.
    #[cfg(feature = "client-psk")]
    fn connection() -> Connection {
        use super::{PSK_IDENTITY, PSK_KEY, PSK_SUITE};
        use sanstls_embedded::ServerConfig;
        use sanstls_proto::{Psk, PskTable};
        let table = PskTable::new().with(Psk::new(PSK_IDENTITY, PSK_KEY).expect("peer PSK"));
        let config = ServerConfig::builder()
            .psk_store(Arc::new(table))
            .cipher_suites(&[PSK_SUITE])
            .build()
            .expect("peer config");
        let mut rng = SeededRng::from_seed([6; 32]);
        Connection::server(Arc::new(config), NOW, &mut rng).expect("peer server")
    }

    /// A client that trusts the test CA, for the server probe.
    #[cfg(feature = "server")]
    fn connection() -> Connection {
        use super::CA_PEM;
        use sanstls_embedded::{ClientConfig, TrustAnchors};
        let anchors = TrustAnchors::from_pem_bundle(CA_PEM).expect("peer CA");
        let config = ClientConfig::builder()
            .trust_anchors(anchors)
            .build()
            .expect("peer config");
        let mut rng = SeededRng::from_seed([5; 32]);
        let name = "localhost".try_into().expect("a DNS name");
        Connection::client(Arc::new(config), name, NOW, &mut rng).expect("peer client")
    }

    pub(crate) struct Link {
        peer: Connection,
        /// Everything the peer sent, and how much of it the probe has read.
        pub(crate) sent: Vec<u8>,
        read: usize,
    }

    impl Link {
        pub(crate) fn new() -> Result<Self, ErrorKind> {
            let mut link = Link {
                peer: connection(),
                sent: Vec::new(),
                read: 0,
            };
            link.pump()?;
            Ok(link)
        }

        /// Moves what the peer has to send to the recording, and echoes what it got.
        fn pump(&mut self) -> Result<(), ErrorKind> {
            while self.peer.poll_event().is_some() {}
            let mut chunk = [0u8; 512];
            loop {
                self.drain()?;
                let n = self.peer.read(&mut chunk).map_err(|e| fail("read", &e))?;
                if n == 0 {
                    return Ok(());
                }
                let mut off = 0;
                while off < n {
                    let taken = self
                        .peer
                        .send(&chunk[off..n])
                        .map_err(|e| fail("send", &e))?;
                    if taken == 0 {
                        hprintln!("peer: send took nothing");
                        return Err(ErrorKind::Other);
                    }
                    off += taken;
                    self.drain()?;
                }
            }
        }

        fn drain(&mut self) -> Result<(), ErrorKind> {
            let out = self.peer.poll_transmit();
            let n = out.len();
            self.sent.extend_from_slice(out);
            self.peer
                .handle_transmitted(n)
                .map_err(|e| fail("transmit", &e))
        }
    }

    fn fail(what: &str, e: &sanstls_proto::Error) -> ErrorKind {
        hprintln!("peer {}: {:?}", what, e);
        ErrorKind::Other
    }

    impl ErrorType for Link {
        type Error = ErrorKind;
    }

    impl Read for Link {
        /// What the peer sent and the probe has not read; `Ok(0)` (an end) when the
        /// peer has nothing to say: the exchange stalled.
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
            let fresh = &self.sent[self.read..];
            let n = buf.len().min(fresh.len());
            buf[..n].copy_from_slice(&fresh[..n]);
            self.read += n;
            Ok(n)
        }
    }

    impl Write for Link {
        fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            let mut rest = buf;
            while !rest.is_empty() {
                let n = self
                    .peer
                    .handle_recv_bytes(rest, NOW)
                    .map_err(|e| fail("recv", &e))?;
                self.pump()?;
                if n == 0
                    && self
                        .peer
                        .handle_recv_bytes(rest, NOW)
                        .map_err(|e| fail("recv", &e))?
                        == 0
                {
                    hprintln!("peer: takes no more bytes");
                    return Err(ErrorKind::Other);
                }
                rest = &rest[n..];
            }
            Ok(buf.len())
        }

        fn flush(&mut self) -> Result<(), ErrorKind> {
            Ok(())
        }
    }
}

/// The probe against its peer: returns what the peer sent. (Not inlined, so that main's
/// frame, live during pass 2, does not hold pass 1's.)
#[cfg(feature = "peer")]
#[inline(never)]
fn pass_1(config: &Arc<role::Config>, data: &[u8], got: &mut [u8]) -> Vec<u8> {
    let mut link = match peer::Link::new() {
        Ok(link) => link,
        Err(_) => fail("the peer could not start"),
    };
    let mut tls = role::connect(config, &mut link);
    match session(&mut tls, data, got) {
        Ok(()) => drop(tls),
        Err(()) => fail("pass 1 (with the peer) failed"),
    }
    got.fill(0);
    core::mem::take(&mut link.sent)
}

// ---- The firmware --------------------------------------------------------------------

#[entry]
fn main() -> ! {
    init_heap();
    let data: Vec<u8> = (0..ECHO_LEN)
        .map(|i| (i % 251) as u8 ^ ((i / 251) as u8))
        .collect();
    let mut got = vec![0u8; ECHO_LEN];

    // Pass 1: the probe and its peer; the peer's bytes are kept. (Its own
    // configuration: the session it leaves in that configuration's store would make
    // pass 2 offer a resumption the recording does not answer.)
    #[cfg(feature = "peer")]
    let recording = pass_1(&role::config(), &data, &mut got);
    let config = role::config();
    // The size firmware: bytes it never gets, opaque to the optimiser.
    #[cfg(not(feature = "peer"))]
    let recording: Vec<u8> = core::hint::black_box(Vec::new());

    // Pass 2: the probe alone, measured.
    let base = ALLOCATOR.reset_peak();
    paint_stack();
    let mut tls = role::connect(&config, Replay { bytes: &recording });
    let result = session(&mut tls, &data, &mut got);
    let stack_peak = stack_peak();
    if result.is_err() {
        fail("pass 2 (replayed) failed")
    }
    let heap_peak = ALLOCATOR.peak.load(Relaxed) - base;
    let heap_held = ALLOCATOR.current.load(Relaxed) - base;
    let Some((suite, group)) = tls.negotiated().map(|n| (n.suite, n.ec_group)) else {
        fail("no negotiated parameters after the handshake")
    };
    say!(
        "PROBE {{\"name\":\"{}\",\"heap_peak\":{},\"heap_held\":{},\"stack_peak\":{},\"suite\":\"{}\",\"group\":\"{}\",\"recorded\":{},\"connection_size\":{}}}",
        role::NAME,
        heap_peak,
        heap_held,
        stack_peak,
        Shown(&suite),
        Shown(&group),
        recording.len(),
        core::mem::size_of_val(&tls)
    );
    // Not dropped: the firmware ends here (a `drop(tls)` would move it, a second
    // connection-sized slot in main's frame).
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::nop();
    }
}

/// An error (or other value) in a failure report: formatted with `Debug` in the firmware
/// that runs (feature `peer`). The size firmware, which never runs, prints only what
/// failed: its size is then sanstls's, not that of `Debug` for every error type, which
/// an application may or may not want (11.7 KB of client-min's `.text` when measured:
/// 111 420 bytes with it, 99 740 without).
struct Shown<'a, T: ?Sized>(&'a T);

impl<T: core::fmt::Debug + ?Sized> core::fmt::Display for Shown<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        #[cfg(feature = "peer")]
        return write!(f, "{:?}", self.0);
        #[cfg(not(feature = "peer"))]
        return f.write_str("(not formatted in the size firmware)");
    }
}

/// Ends the run: `what` failed with `e`.
fn fail_with<E: core::fmt::Debug>(what: &str, e: &E) -> ! {
    say!("PROBE FAILED: {}: {}: {}", role::NAME, what, Shown(e));
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}

fn fail(why: &str) -> ! {
    say!("PROBE FAILED: {}: {}", role::NAME, why);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    say!("PROBE FAILED: panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    say!("PROBE FAILED: hard fault: {:?}", frame);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}

// ---- Heap: a counting allocator ------------------------------------------------------

/// A linked-list heap that counts the bytes it has handed out (as requested: the same
/// measure as the host tests' stats_alloc), and the most at once.
struct Counting {
    heap: LlffHeap,
    current: AtomicUsize,
    peak: AtomicUsize,
}

impl Counting {
    /// Starts a new peak at the current use; returns the current use.
    fn reset_peak(&self) -> usize {
        let now = self.current.load(Relaxed);
        self.peak.store(now, Relaxed);
        now
    }
}

// SAFETY: every call is passed on to `LlffHeap`, a sound allocator, unchanged; only the
// counters are added. (The default `realloc` goes through `alloc` and `dealloc` here,
// so a reallocation counts both blocks at once, as it does in memory.)
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            let now = self.current.fetch_add(layout.size(), Relaxed) + layout.size();
            self.peak.fetch_max(now, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.current.fetch_sub(layout.size(), Relaxed);
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting {
    heap: LlffHeap::empty(),
    current: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

unsafe extern "C" {
    /// The end of `.bss` and `.uninit` (cortex-m-rt's link.x): where the heap starts.
    static __sheap: u32;
    /// The top of the stack, the end of the RAM (cortex-m-rt's link.x).
    static _stack_start: u32;
}

fn heap_start() -> usize {
    (&raw const __sheap) as usize
}

fn heap_end() -> usize {
    heap_start() + HEAP_SIZE
}

fn init_heap() {
    // SAFETY: called once, first thing in `main`, before any allocation; the
    // `HEAP_SIZE` bytes from `__sheap` are RAM that nothing else uses (the linker puts
    // no section there, and the stack, which grows down from the end of the RAM, stays
    // megabytes above it).
    unsafe { ALLOCATOR.heap.init(heap_start(), HEAP_SIZE) }
}

// ---- Stack: painted, then scanned --------------------------------------------------

const PAINT: u32 = 0x5AA5_C33C;

/// Fills the free stack (from the end of the heap up to below the current stack
/// pointer) with `PAINT`.
#[inline(never)]
fn paint_stack() {
    let sp = cortex_m::register::msp::read() as usize;
    // Leave the words just below the stack pointer alone: this function's own calls
    // (none expected) would use them.
    let top = sp - 256;
    if top <= heap_end() + 4096 {
        fail("no room for the stack above the heap");
    }
    let mut p = heap_end() as *mut u32;
    while (p as usize) < top {
        // SAFETY: the words between the end of the heap and below the stack pointer
        // belong to nothing: the heap ends below them, the stack has not grown down to
        // them, and no interrupt is enabled whose handler could use them.
        unsafe { p.write_volatile(PAINT) };
        p = p.wrapping_add(1);
    }
}

/// The deepest the stack went since it was painted, in bytes from its top.
fn stack_peak() -> usize {
    let top = (&raw const _stack_start) as usize;
    let mut p = heap_end() as *const u32;
    // SAFETY: reads RAM words between the end of the heap and the stack pointer, all
    // initialised by `paint_stack` or by the stack since.
    while (p as usize) < top && unsafe { p.read_volatile() } == PAINT {
        p = p.wrapping_add(1);
    }
    top - p as usize
}
