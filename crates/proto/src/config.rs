//! Client and server configuration, checked when built.
//!
//! A configuration is built once, wrapped in a [`crate::Shared`] (an `Arc`) and shared by every connection.
//! [`ClientConfigBuilder::build`] and [`ServerConfigBuilder::build`] refuse a
//! configuration that cannot work: no cipher suites, a suite sanstls does not implement,
//! a private key that does not belong to its certificate, an empty trust store, an ALPN
//! name that cannot be encoded.

use crate::Shared;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use sanstls_crypto::dh::NamedDhGroup;
use sanstls_crypto::provider::CryptoProvider;
use sanstls_keys::suite::{BulkCipher, SuiteInfo};

use crate::sig::{KeyKind, PrivateKey};
#[cfg(feature = "server")]
use sanstls_pki::ClientCertVerifier;
use sanstls_pki::VerifiedPath;
#[cfg(all(feature = "client", feature = "x509"))]
use sanstls_pki::WebPkiServerVerifier;
#[cfg(feature = "client")]
use sanstls_pki::{ServerCertVerifier, TrustAnchors};
use sanstls_wire::enums::{CipherSuite, KeyExchange, NamedGroup, SignatureScheme};
use sanstls_wire::record::MAX_PLAINTEXT_LEN;

#[cfg(feature = "client")]
use crate::psk::ChoosesPsk;
#[cfg(feature = "client")]
use crate::psk::Psk;
#[cfg(feature = "server")]
use crate::psk::{DEFAULT_MAX_PSK_IDENTITY_LEN, PskStore, UnknownPskIdentity};
#[cfg(feature = "client")]
use crate::session::StoresClientSessions;
#[cfg(feature = "server")]
#[allow(unused_imports)] // named in the documentation
use crate::session::TicketKeys;
use crate::session::{DEFAULT_SESSION_LIFETIME, SessionCache};
#[cfg(feature = "server")]
use crate::session::{StoresServerSessions, Ticketer};

/// The default session store of a configuration: `make()` with feature
/// `resumption`, none without.
fn default_store<T>(make: impl FnOnce() -> T) -> Option<T> {
    if cfg!(feature = "resumption") {
        Some(make())
    } else {
        None
    }
}

/// What a build without feature `resumption` says about a configuration that asks
/// for a session store or a ticketer.
#[cfg(not(feature = "resumption"))]
const RESUMPTION_LEFT_OUT: ConfigError = ConfigError::LeftOut {
    what: "session resumption (session stores, tickets)",
    feature: "resumption",
};

/// How many sessions a client keeps by default (one per server name): a session is
/// about 100 bytes, the server's leaf certificate and any ticket.
pub const DEFAULT_CLIENT_SESSION_CAPACITY: usize = 32;
/// How many sessions a server's cache keeps by default.
pub const DEFAULT_SERVER_SESSION_CAPACITY: usize = 1024;

/// Receives NSS key log lines (`CLIENT_RANDOM <client random> <master secret>`) for
/// tools like Wireshark. Only set it in debugging setups: the lines decrypt the traffic.
pub trait KeyLog: Send + Sync {
    /// One line, without the trailing newline.
    fn log(&self, line: &str);
}

/// The signature schemes sanstls can verify and create for a ServerKeyExchange, in its
/// default order of preference: those this build has (ECDSA with feature `ecdsa`,
/// RSA-PSS with feature `pss`, SHA-384/512 with feature `sha512`; all on by default).
pub const DEFAULT_SIGNATURE_SCHEMES: &[SignatureScheme] = &BUILT_SCHEMES;

/// Every scheme sanstls implements (SHA-1 aside), in the default order.
const ALL_SCHEMES: [SignatureScheme; 8] = [
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Whether this build has `scheme` (one of [`ALL_SCHEMES`]).
const fn scheme_built(scheme: SignatureScheme) -> bool {
    let ecdsa = matches!(scheme.0, 0x0403 | 0x0503);
    let pss = matches!(scheme.0, 0x0804..=0x0806);
    let sha512 = matches!(scheme.0, 0x0501 | 0x0601 | 0x0503 | 0x0805 | 0x0806);
    (!ecdsa || cfg!(feature = "ecdsa"))
        && (!pss || cfg!(feature = "pss"))
        && (!sha512 || cfg!(feature = "sha512"))
}

const BUILT_SCHEME_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < ALL_SCHEMES.len() {
        if scheme_built(ALL_SCHEMES[i]) {
            n += 1;
        }
        i += 1;
    }
    n
};

const BUILT_SCHEMES: [SignatureScheme; BUILT_SCHEME_COUNT] = {
    let mut out = [SignatureScheme(0); BUILT_SCHEME_COUNT];
    let (mut i, mut j) = (0, 0);
    while i < ALL_SCHEMES.len() {
        if scheme_built(ALL_SCHEMES[i]) {
            out[j] = ALL_SCHEMES[i];
            j += 1;
        }
        i += 1;
    }
    out
};

/// `Some(error)` when `scheme` is one sanstls implements but this build leaves out
/// (ECDSA without feature `ecdsa`, RSA-PSS without feature `pss`, SHA-384/512 without
/// feature `sha512`): the error then names the feature rather than calling the scheme
/// unsupported.
fn scheme_left_out(scheme: SignatureScheme) -> Option<ConfigError> {
    if !ALL_SCHEMES.contains(&scheme) && scheme != SignatureScheme::ECDSA_SHA1 {
        return None;
    }
    let ecdsa = matches!(scheme.0, 0x0203 | 0x0403 | 0x0503);
    let pss = matches!(scheme.0, 0x0804..=0x0806);
    let sha512 = matches!(scheme.0, 0x0501 | 0x0601 | 0x0503 | 0x0805 | 0x0806);
    if ecdsa && !cfg!(feature = "ecdsa") {
        return Some(ConfigError::LeftOut {
            what: "ECDSA signature schemes",
            feature: "ecdsa",
        });
    }
    if pss && !cfg!(feature = "pss") {
        return Some(ConfigError::LeftOut {
            what: "RSA-PSS signature schemes",
            feature: "pss",
        });
    }
    if sha512 && !cfg!(feature = "sha512") {
        return Some(ConfigError::LeftOut {
            what: "SHA-384/512 signature schemes",
            feature: "sha512",
        });
    }
    None
}

/// The ECDHE groups this build has, in the default order of preference: X25519 (fast,
/// and no point validation to get wrong), then secp256r1 and secp384r1 (RFC 8422
/// §5.1.1). Empty without feature `ecdhe`.
pub const DEFAULT_GROUPS: &[NamedGroup] = if cfg!(feature = "ecdhe") {
    &[
        NamedGroup::X25519,
        NamedGroup::SECP256R1,
        NamedGroup::SECP384R1,
    ]
} else {
    &[]
};

/// Why a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The suite list is empty.
    NoCipherSuites,
    /// A suite sanstls does not implement.
    UnsupportedCipherSuite(CipherSuite),
    /// A signature scheme sanstls does not implement, or an empty list.
    UnsupportedSignatureScheme(SignatureScheme),
    /// A verifying client without any trust anchor.
    NoTrustAnchors,
    /// A client without a certificate verifier.
    NoVerifier,
    /// A server without a certificate (and without a PSK store for the PSK suites).
    NoCertificate,
    /// A PSK identity that is empty or longer than 65535 bytes (RFC 4279 §2:
    /// `psk_identity<0..2^16-1>`; an empty identity names no key), or a server's
    /// identity hint longer than 65535 bytes.
    InvalidPskIdentity,
    /// A PSK that is empty or longer than [`crate::psk::MAX_PSK_LEN`] bytes.
    InvalidPsk,
    /// PSK cipher suites are configured but no PSK (client) or PSK store (server).
    NoPsk,
    /// An empty certificate chain.
    EmptyChain,
    /// The leaf certificate could not be read.
    Certificate(sanstls_pki::Error),
    /// The private key could not be read.
    PrivateKey(sanstls_crypto::Error),
    /// The private key is not the key of the leaf certificate.
    KeyMismatch,
    /// An ALPN protocol name that is empty or longer than 255 bytes (RFC 7301 §3.1).
    InvalidAlpnProtocol,
    /// A minimum DH size below 1024 bits.
    DhMinimumTooSmall,
    /// The client verifier's acceptable issuers do not fit in a CertificateRequest
    /// (RFC 5246 §7.4.4: `certificate_authorities<0..2^16-1>`, each name non-empty).
    TooManyAcceptableIssuers,
    /// `RSA_PKCS1_SHA1` in the signature schemes without
    /// `allow_sha1_signatures(true)` (RFC 9155 deprecates SHA-1 signatures in TLS 1.2).
    Sha1SignaturesNotAllowed,
    /// A named group sanstls does not implement for ECDHE (it has x25519, secp256r1 and
    /// secp384r1), or an ECDHE group in a build without feature `ecdhe`.
    UnsupportedGroup(NamedGroup),
    /// ECDHE suites are configured but the group list is empty.
    NoGroups,
    /// A handshake message size bound outside
    /// [`MIN_MESSAGE_LIMIT`]`..=`[`MAX_MESSAGE_LIMIT`].
    MessageLimitOutOfRange,
    /// The configuration asks for something this build of sanstls leaves out: a cargo
    /// feature of sanstls-proto (or sanstls-embedded) is off. `what` says what was
    /// asked for, `feature` which feature brings it.
    LeftOut {
        /// What the configuration asked for ("DHE_RSA key exchange", "RSA-PSS", ...).
        what: &'static str,
        /// The cargo feature that brings it (`dhe`, `rsa-kx`, `client-auth`, `pss`,
        /// `sha512`).
        feature: &'static str,
    },
}

/// The smallest handshake message size bound a configuration may set: below it, the
/// usual hellos do not fit.
pub const MIN_MESSAGE_LIMIT: usize = 512;
/// The largest handshake message size bound: a handshake message's length is a 24-bit
/// field (RFC 5246 §7.4).
pub const MAX_MESSAGE_LIMIT: usize = (1 << 24) - 1;

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoCipherSuites => f.write_str("no cipher suites configured"),
            ConfigError::UnsupportedCipherSuite(s) => write!(f, "unsupported cipher suite {s:?}"),
            ConfigError::UnsupportedSignatureScheme(s) => {
                write!(f, "unsupported signature scheme {s:?}")
            }
            ConfigError::NoTrustAnchors => f.write_str("the trust store is empty"),
            ConfigError::NoVerifier => f.write_str("no server certificate verifier configured"),
            ConfigError::NoCertificate => f.write_str(
                "no server certificate configured (nor a PSK store, for PSK suites only)",
            ),
            ConfigError::InvalidPskIdentity => {
                f.write_str("a PSK identity (or identity hint) must be 1..=65535 bytes")
            }
            ConfigError::InvalidPsk => {
                write!(f, "a PSK must be 1..={} bytes", crate::psk::MAX_PSK_LEN)
            }
            ConfigError::NoPsk => f.write_str(
                "PSK cipher suites are configured but no PSK: set one (client: psk or \
                 psk_chooser; server: psk_store), or leave the PSK suites out",
            ),
            ConfigError::EmptyChain => f.write_str("the certificate chain is empty"),
            ConfigError::Certificate(e) => write!(f, "leaf certificate unreadable: {e}"),
            ConfigError::PrivateKey(e) => write!(f, "private key unreadable: {e}"),
            ConfigError::KeyMismatch => {
                f.write_str("the private key does not match the leaf certificate")
            }
            ConfigError::InvalidAlpnProtocol => f.write_str("ALPN names must be 1..=255 bytes"),
            ConfigError::DhMinimumTooSmall => f.write_str("minimum DH size below 1024 bits"),
            ConfigError::Sha1SignaturesNotAllowed => f.write_str(
                "rsa_pkcs1_sha1 is in the signature schemes but SHA-1 signatures are not \
                 allowed: call allow_sha1_signatures(true) for peers that know nothing \
                 else (RFC 9155 deprecates them)",
            ),
            ConfigError::UnsupportedGroup(g) => write!(
                f,
                "unsupported group {g:?} (ECDHE groups: x25519, secp256r1, secp384r1)"
            ),
            ConfigError::NoGroups => f.write_str(
                "ECDHE cipher suites are configured but no groups: configure groups, or \
                 leave the ECDHE suites out",
            ),
            ConfigError::MessageLimitOutOfRange => write!(
                f,
                "a handshake message size bound must be {MIN_MESSAGE_LIMIT} to \
                 {MAX_MESSAGE_LIMIT} bytes"
            ),
            ConfigError::LeftOut { what, feature } => write!(
                f,
                "{what} is left out of this build of sanstls: enable the cargo feature \
                 `{feature}` of sanstls-proto (or sanstls-embedded)"
            ),
            ConfigError::TooManyAcceptableIssuers => f.write_str(
                "the client verifier's acceptable issuers exceed the 65535 bytes of a \
                 CertificateRequest (or one is empty); use fewer trust anchors, or a \
                 verifier whose acceptable_issuers() returns fewer names",
            ),
        }
    }
}

impl core::error::Error for ConfigError {}

/// Settings both roles share.
#[derive(Clone)]
#[allow(clippy::struct_excessive_bools)] // independent protocol switches
pub struct Common {
    pub(crate) suites: Vec<CipherSuite>,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) ems: bool,
    pub(crate) require_ems: bool,
    pub(crate) etm: bool,
    pub(crate) trace: bool,
    pub(crate) key_log: Option<Shared<dyn KeyLog>>,
    pub(crate) max_fragment_len: usize,
    pub(crate) signature_schemes: Vec<SignatureScheme>,
    pub(crate) groups: Vec<NamedGroup>,
    pub(crate) handshake_timeout: Option<Duration>,
    pub(crate) max_message: usize,
    pub(crate) max_certificate: usize,
    pub(crate) allow_sha1: bool,
    /// Where the heavy operations run; `None`: the built-in code.
    pub(crate) provider: Option<Shared<dyn CryptoProvider>>,
    /// Whether `suites` was set by the caller (otherwise `build` fits the default
    /// list to the certificates and PSKs configured).
    pub(crate) suites_set: bool,
}

/// The default handshake deadline of a client: long enough for a slow network and a
/// slow server's RSA or DH operations.
pub const DEFAULT_CLIENT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default handshake deadline of a server: a legitimate client completes within a
/// few round trips; a peer that takes longer holds the server's resources.
pub const DEFAULT_SERVER_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl fmt::Debug for Common {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Common")
            .field("suites", &self.suites)
            .field("alpn", &self.alpn)
            .field("ems", &self.ems)
            .field("require_ems", &self.require_ems)
            .field("etm", &self.etm)
            .field("trace", &self.trace)
            .field("key_log", &self.key_log.is_some())
            .field("max_fragment_len", &self.max_fragment_len)
            .field("groups", &self.groups)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("max_message", &self.max_message)
            .field("max_certificate", &self.max_certificate)
            .field("allow_sha1", &self.allow_sha1)
            .field(
                "provider",
                &crate::core::provider(self.provider.as_ref()).name(),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Common {
    fn default() -> Self {
        Common {
            suites: sanstls_keys::suite::SUITES
                .iter()
                .filter(|s| suite_left_out(**s).is_none() && by_default(**s))
                .map(|s| s.suite)
                .collect(),
            alpn: Vec::new(),
            ems: true,
            require_ems: false,
            etm: true,
            trace: false,
            key_log: None,
            max_fragment_len: MAX_PLAINTEXT_LEN,
            signature_schemes: DEFAULT_SIGNATURE_SCHEMES.to_vec(),
            groups: DEFAULT_GROUPS.to_vec(),
            handshake_timeout: Some(DEFAULT_CLIENT_HANDSHAKE_TIMEOUT),
            max_message: 64 * 1024,
            max_certificate: 128 * 1024,
            allow_sha1: false,
            provider: None,
            suites_set: false,
        }
    }
}

impl Common {
    /// The cipher suites, in preference order.
    pub fn suites(&self) -> &[CipherSuite] {
        &self.suites
    }

    /// The largest record plaintext this side sends and asks to receive
    /// ([`ClientConfigBuilder::max_fragment_len`]).
    pub fn max_fragment_len(&self) -> usize {
        self.max_fragment_len
    }

    /// The ECDHE groups, in preference order.
    pub fn groups(&self) -> &[NamedGroup] {
        &self.groups
    }

    /// Whether trace events are produced.
    pub fn trace(&self) -> bool {
        self.trace
    }

    /// How long a handshake may take, from the connection's creation to its completion
    /// (`None`: no deadline). See [`crate::Connection::poll_timeout`].
    pub fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake_timeout
    }

    /// The largest handshake message body accepted from the peer, other than a
    /// Certificate.
    pub fn max_handshake_message_len(&self) -> usize {
        self.max_message
    }

    /// The largest Certificate message body accepted from the peer.
    pub fn max_certificate_message_len(&self) -> usize {
        self.max_certificate
    }

    /// The reassembler's limits.
    pub(crate) fn limits(&self) -> sanstls_wire::reassembler::Limits {
        // `check` keeps both below 2^24.
        sanstls_wire::reassembler::Limits {
            max_message: self.max_message as u32,
            max_certificate: self.max_certificate as u32,
        }
    }

    /// Checks the settings, and adds rsa_pkcs1_sha1 last to the signature schemes when
    /// SHA-1 signatures are allowed.
    fn check(&mut self) -> Result<(), ConfigError> {
        // (A default list may be empty before `fit_suites` adds the PSK suites: a build
        // without `x509` has no other default suite.)
        if self.suites.is_empty() && (self.suites_set || !cfg!(feature = "psk")) {
            return Err(ConfigError::NoCipherSuites);
        }
        for &s in &self.suites {
            let info =
                sanstls_keys::suite::lookup(s).ok_or(ConfigError::UnsupportedCipherSuite(s))?;
            if let Some(e) = suite_left_out(*info) {
                return Err(e);
            }
        }
        for &g in &self.groups {
            if !DEFAULT_GROUPS.contains(&g) {
                return Err(ConfigError::UnsupportedGroup(g));
            }
        }
        let ecdhe = self
            .suites
            .iter()
            .any(|s| s.key_exchange().is_some_and(KeyExchange::is_ecdhe));
        if ecdhe && self.groups.is_empty() {
            return Err(ConfigError::NoGroups);
        }
        let limits = MIN_MESSAGE_LIMIT..=MAX_MESSAGE_LIMIT;
        if !limits.contains(&self.max_message) || !limits.contains(&self.max_certificate) {
            return Err(ConfigError::MessageLimitOutOfRange);
        }
        if self.alpn.iter().any(|p| p.is_empty() || p.len() > 255) {
            return Err(ConfigError::InvalidAlpnProtocol);
        }
        if self
            .signature_schemes
            .contains(&SignatureScheme::RSA_PKCS1_SHA1)
        {
            if !self.allow_sha1 {
                return Err(ConfigError::Sha1SignaturesNotAllowed);
            }
        } else if self.allow_sha1 && !self.signature_schemes.is_empty() {
            self.signature_schemes.push(SignatureScheme::RSA_PKCS1_SHA1);
            if cfg!(feature = "ecdsa") {
                self.signature_schemes.push(SignatureScheme::ECDSA_SHA1);
            }
        }
        if self
            .signature_schemes
            .contains(&SignatureScheme::ECDSA_SHA1)
            && !self.allow_sha1
        {
            return Err(ConfigError::Sha1SignaturesNotAllowed);
        }
        for &s in &self.signature_schemes {
            let sha1 = matches!(
                s,
                SignatureScheme::RSA_PKCS1_SHA1 | SignatureScheme::ECDSA_SHA1
            );
            if DEFAULT_SIGNATURE_SCHEMES.contains(&s) || (sha1 && scheme_left_out(s).is_none()) {
                continue;
            }
            return Err(scheme_left_out(s).unwrap_or(ConfigError::UnsupportedSignatureScheme(s)));
        }
        if self.signature_schemes.is_empty() {
            return Err(ConfigError::UnsupportedSignatureScheme(SignatureScheme(0)));
        }
        Ok(())
    }
}

/// What `build` says to a configuration with client certificates when feature
/// `client-auth` is off.
#[cfg(not(feature = "client-auth"))]
const CLIENT_AUTH_LEFT_OUT: ConfigError = ConfigError::LeftOut {
    what: "client certificates (CertificateRequest, Certificate, CertificateVerify)",
    feature: "client-auth",
};

/// What `build` says to a configuration with a PSK when feature `psk` is off.
#[cfg(not(feature = "psk"))]
const PSK_LEFT_OUT: ConfigError = ConfigError::LeftOut {
    what: "pre-shared keys (TLS_PSK_*, TLS_DHE_PSK_*, TLS_ECDHE_PSK_* suites)",
    feature: "psk",
};

/// What `build` says to a configuration with certificates (trust anchors, a server
/// verifier, a server certificate) when feature `x509` is off.
#[cfg(not(feature = "x509"))]
const X509_LEFT_OUT: ConfigError = ConfigError::LeftOut {
    what: "certificates (trust anchors, certificate verifiers, server certificates)",
    feature: "x509",
};

/// `Some(error)` when this build leaves out the key exchange `kx` (features `dhe`,
/// `rsa-kx`, `ecdhe`, `ecdsa`, `psk`, `x509`).
fn key_exchange_left_out(kx: KeyExchange) -> Option<ConfigError> {
    match kx {
        #[cfg(not(feature = "rsa-kx"))]
        KeyExchange::Rsa => Some(ConfigError::LeftOut {
            what: "RSA key exchange (TLS_RSA_* suites)",
            feature: "rsa-kx",
        }),
        #[cfg(not(feature = "dhe"))]
        KeyExchange::DheRsa => Some(ConfigError::LeftOut {
            what: "DHE_RSA key exchange (TLS_DHE_RSA_* suites)",
            feature: "dhe",
        }),
        #[cfg(not(feature = "ecdhe"))]
        KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa => Some(ConfigError::LeftOut {
            what: "ECDHE key exchange (TLS_ECDHE_* suites)",
            feature: "ecdhe",
        }),
        #[cfg(not(feature = "ecdsa"))]
        KeyExchange::EcdheEcdsa => Some(ConfigError::LeftOut {
            what: "ECDSA certificates (TLS_ECDHE_ECDSA_* suites)",
            feature: "ecdsa",
        }),
        // (`rsa-kx` and `ecdsa` bring `x509`: only DHE_RSA and ECDHE_RSA get here.)
        #[cfg(not(feature = "x509"))]
        KeyExchange::Rsa
        | KeyExchange::DheRsa
        | KeyExchange::EcdheRsa
        | KeyExchange::EcdheEcdsa => Some(ConfigError::LeftOut {
            what: "certificate key exchanges (TLS_RSA_*, TLS_DHE_RSA_*, TLS_ECDHE_RSA_*, \
                       TLS_ECDHE_ECDSA_* suites)",
            feature: "x509",
        }),
        #[cfg(not(feature = "psk"))]
        KeyExchange::Psk | KeyExchange::DhePsk | KeyExchange::EcdhePsk => {
            Some(ConfigError::LeftOut {
                what: "pre-shared keys (TLS_PSK_*, TLS_DHE_PSK_*, TLS_ECDHE_PSK_* suites)",
                feature: "psk",
            })
        }
        #[cfg(not(feature = "dhe"))]
        KeyExchange::DhePsk => Some(ConfigError::LeftOut {
            what: "DHE_PSK key exchange (TLS_DHE_PSK_* suites)",
            feature: "dhe",
        }),
        #[cfg(not(feature = "ecdhe"))]
        KeyExchange::EcdhePsk => Some(ConfigError::LeftOut {
            what: "ECDHE_PSK key exchange (TLS_ECDHE_PSK_* suites)",
            feature: "ecdhe",
        }),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Whether `suite` is in the default list: not the CCM_8 suites (their 8-byte tag is
/// for constrained links that choose it: configure them by name), and the PSK suites
/// only when a PSK is configured (see [`Common::fit_suites`]).
fn by_default(suite: SuiteInfo) -> bool {
    suite.cipher != BulkCipher::Aes128Ccm8 && !suite.key_exchange.is_psk()
}

impl Common {
    /// Fits the suites to what is configured: with the default list, the PSK suites
    /// join (last) when there is a PSK, and the certificate suites go when there is no
    /// certificate (or verifier); a list the caller set is checked instead: PSK suites
    /// need a PSK ([`ConfigError::NoPsk`]), certificate suites `cert_error` when there
    /// are no certificates.
    fn fit_suites(
        &mut self,
        certs: bool,
        psk: bool,
        cert_error: ConfigError,
    ) -> Result<(), ConfigError> {
        if self.suites_set {
            for s in &self.suites {
                let is_psk = s.key_exchange().is_some_and(KeyExchange::is_psk);
                if is_psk && !psk {
                    return Err(ConfigError::NoPsk);
                }
                if !is_psk && !certs && s.key_exchange().is_some() {
                    return Err(cert_error);
                }
            }
            return Ok(());
        }
        if !certs {
            if !psk {
                return Err(cert_error);
            }
            self.suites.clear();
        }
        if psk {
            self.suites.extend(
                sanstls_keys::suite::SUITES
                    .iter()
                    .filter(|s| {
                        s.key_exchange.is_psk()
                            && s.cipher != BulkCipher::Aes128Ccm8
                            && suite_left_out(**s).is_none()
                    })
                    .map(|s| s.suite),
            );
        }
        if self.suites.is_empty() {
            return Err(ConfigError::NoCipherSuites);
        }
        let ecdhe = self
            .suites
            .iter()
            .any(|s| s.key_exchange().is_some_and(KeyExchange::is_ecdhe));
        if ecdhe && self.groups.is_empty() {
            return Err(ConfigError::NoGroups);
        }
        Ok(())
    }
}

/// `Some(error)` when this build leaves out a part of `suite`: its key exchange, its
/// AEAD (features `aes-gcm`, `chacha20poly1305`) or its SHA-384 PRF (feature `sha512`).
fn suite_left_out(suite: SuiteInfo) -> Option<ConfigError> {
    if let Some(e) = key_exchange_left_out(suite.key_exchange) {
        return Some(e);
    }
    match suite.cipher {
        BulkCipher::Aes128Gcm | BulkCipher::Aes256Gcm if !cfg!(feature = "aes-gcm") => {
            return Some(ConfigError::LeftOut {
                what: "AES-GCM cipher suites",
                feature: "aes-gcm",
            });
        }
        BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc if !cfg!(feature = "cbc") => {
            return Some(ConfigError::LeftOut {
                what: "AES-CBC cipher suites",
                feature: "cbc",
            });
        }
        BulkCipher::Aes128Ccm | BulkCipher::Aes128Ccm8 if !cfg!(feature = "aes-ccm") => {
            return Some(ConfigError::LeftOut {
                what: "AES-CCM cipher suites",
                feature: "aes-ccm",
            });
        }
        BulkCipher::ChaCha20Poly1305 if !cfg!(feature = "chacha20poly1305") => {
            return Some(ConfigError::LeftOut {
                what: "ChaCha20-Poly1305 cipher suites",
                feature: "chacha20poly1305",
            });
        }
        _ => {}
    }
    if !suite.prf_hash.is_available() {
        return Some(ConfigError::LeftOut {
            what: "SHA-384 cipher suites (their PRF and MAC)",
            feature: "sha512",
        });
    }
    None
}

macro_rules! common_setters {
    () => {
        /// The cipher suites, in preference order (default: every suite sanstls
        /// implements, DHE_RSA first).
        #[must_use]
        pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
            self.common.suites = suites.to_vec();
            self.common.suites_set = true;
            self
        }
        /// ALPN protocols, in preference order (default: none, no ALPN).
        #[must_use]
        pub fn alpn_protocols(mut self, protocols: &[&[u8]]) -> Self {
            self.common.alpn = protocols.iter().map(|p| p.to_vec()).collect();
            self
        }
        /// Offer / accept the extended master secret (RFC 7627; default on).
        #[must_use]
        pub fn extended_master_secret(mut self, on: bool) -> Self {
            self.common.ems = on;
            self
        }
        /// Refuse peers without the extended master secret (default off).
        #[must_use]
        pub fn require_extended_master_secret(mut self, on: bool) -> Self {
            self.common.require_ems = on;
            if on {
                self.common.ems = true;
            }
            self
        }
        /// Offer / accept encrypt-then-MAC (RFC 7366; default on).
        #[must_use]
        pub fn encrypt_then_mac(mut self, on: bool) -> Self {
            self.common.etm = on;
            self
        }
        /// Produce [`crate::Event::Trace`] events for every handshake message, alert and
        /// ChangeCipherSpec (default off).
        #[must_use]
        pub fn trace(mut self, on: bool) -> Self {
            self.common.trace = on;
            self
        }
        /// Log the master secret of each connection in NSS key log format.
        #[must_use]
        pub fn key_log(mut self, log: Shared<dyn KeyLog>) -> Self {
            self.common.key_log = Some(log);
            self
        }
        /// Where ephemeral (EC)DH keys and AEAD record keys are made (default: the
        /// built-in code; see [`sanstls_crypto::provider`]). A provider declines what
        /// it does not accelerate, which then runs built in. RSA private keys take their
        /// provider when they are loaded ([`crate::CertifiedKey::from_pem_with`]), since
        /// a provider may need its own copy of the key.
        #[must_use]
        pub fn crypto_provider(mut self, provider: Shared<dyn CryptoProvider>) -> Self {
            self.common.provider = Some(provider);
            self
        }
        /// The largest record plaintext this side sends, and asks the peer to send
        /// (default and maximum 2^14; at least 1).
        ///
        /// A smaller value is negotiated, so that both directions use small records and
        /// both receive buffers shrink to fit: a client asks for it with
        /// max_fragment_length (RFC 6066 §4; only for 512, 1024, 2048 or 4096) and
        /// record_size_limit (RFC 8449; from 64 on); a server advertises it in its
        /// record_size_limit when the client offers that extension (a server cannot ask
        /// for max_fragment_length: only clients request it). Whatever this value, this
        /// side also sends no record larger than the peer asked for. Values below 64 only
        /// shorten what this side sends (for tests of record fragmentation).
        ///
        /// Sizes: a receive buffer holds the largest record the peer may send, the
        /// negotiated plaintext limit plus the suite's expansion (16-byte IV, MAC and up
        /// to 256 bytes of CBC padding), and a transmit buffer one record of this value.
        /// Without a negotiated limit the receive buffer holds a full record (about
        /// 16.7 KB). See [`crate::ClientConfigBuilder::require_fragment_limit`] for a
        /// client whose server ignores the request.
        #[must_use]
        pub fn max_fragment_len(mut self, len: usize) -> Self {
            self.common.max_fragment_len = len.clamp(1, MAX_PLAINTEXT_LEN);
            self
        }
        /// How long the handshake may take, counted from the moment the connection is
        /// made (the `now` given to [`crate::Connection::client`] or
        /// [`crate::Connection::server`]) to its completion; `None` sets no deadline.
        /// Default: 30 s for a client ([`DEFAULT_CLIENT_HANDSHAKE_TIMEOUT`]), 10 s for
        /// a server ([`DEFAULT_SERVER_HANDSHAKE_TIMEOUT`]).
        ///
        /// The connection cannot read a clock: it says when it needs the time
        /// ([`crate::Connection::poll_timeout`]) and the caller calls
        /// [`crate::Connection::handle_timeout`] then. A missed deadline is the sticky
        /// error [`crate::Error::HandshakeTimeout`]. Without a deadline a peer that
        /// sends nothing, or one byte now and then, holds the connection (and a server's
        /// memory for it) for as long as the transport stays open.
        #[must_use]
        pub fn handshake_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
            self.common.handshake_timeout = timeout.into();
            self
        }
        /// The largest handshake message the peer may send, other than a Certificate
        /// (default 64 KiB; [`MIN_MESSAGE_LIMIT`] to [`MAX_MESSAGE_LIMIT`], checked by
        /// `build`). A bigger message is refused with decode_error before it is
        /// buffered; the buffer for a message grows only as its bytes arrive.
        #[must_use]
        pub fn max_handshake_message_len(mut self, len: usize) -> Self {
            self.common.max_message = len;
            self
        }
        /// The largest Certificate message the peer may send (default 128 KiB for a
        /// client, which reads server chains; 16 KiB for a server, which reads client
        /// chains; same range as [`Self::max_handshake_message_len`]).
        #[must_use]
        pub fn max_certificate_message_len(mut self, len: usize) -> Self {
            self.common.max_certificate = len;
            self
        }
        /// Accept and produce RSASSA-PKCS1-v1_5 signatures with SHA-1
        /// (`rsa_pkcs1_sha1`) in ServerKeyExchange and CertificateVerify, for legacy
        /// peers that know nothing else (default off: RFC 9155 §3 says TLS 1.2
        /// implementations MUST NOT send or accept them, and SHA-1 collisions are
        /// practical). When on, rsa_pkcs1_sha1 is offered and accepted after the
        /// configured [schemes](Self::signature_schemes) (or where they list it), and a
        /// server signs its DHE parameters with it for a client that sends no
        /// signature_algorithms extension (which means {sha1, rsa}, RFC 5246
        /// §7.4.1.4.1); off, such a client gets an RSA key exchange suite or, if it
        /// offers none, handshake_failure. Certificates signed with SHA-1 are a separate
        /// matter, decided by the certificate verifier.
        #[must_use]
        pub fn allow_sha1_signatures(mut self, on: bool) -> Self {
            self.common.allow_sha1 = on;
            self
        }
        /// The ECDHE groups, in preference order (default: [`DEFAULT_GROUPS`], x25519,
        /// secp256r1, secp384r1). A client offers them in supported_groups (RFC 8422
        /// §5.1.1) and accepts only them from the server; a server picks the first of
        /// its own the client offers. `build` refuses other groups, and an empty list
        /// with ECDHE suites.
        ///
        /// A client's list also says which curves it can check ECDSA signatures on
        /// (RFC 8422 §5.1.1): a server uses an ECDSA certificate only when the client
        /// lists its curve, so a client configured with x25519 alone reaches no ECDSA
        /// server. List secp256r1 (and secp384r1) after a preferred x25519.
        #[must_use]
        pub fn groups(mut self, groups: &[NamedGroup]) -> Self {
            self.common.groups = groups.to_vec();
            self
        }
        /// Signature schemes, in preference order (default:
        /// [`DEFAULT_SIGNATURE_SCHEMES`]): those offered for and accepted in the
        /// ServerKeyExchange, and those used for client authentication (a server lists
        /// them in its CertificateRequest and accepts them in CertificateVerify; a
        /// client signs its CertificateVerify with one the server listed).
        #[must_use]
        pub fn signature_schemes(mut self, schemes: &[SignatureScheme]) -> Self {
            self.common.signature_schemes = schemes.to_vec();
            self
        }
    };
}

#[cfg(feature = "client")]
/// A client's configuration.
#[allow(clippy::struct_excessive_bools)] // independent switches, each its own setting
pub struct ClientConfig {
    pub(crate) common: Common,
    /// `None` for a client with PSK suites only.
    pub(crate) verifier: Option<Shared<dyn ServerCertVerifier>>,
    /// The client's PSK (or how it picks one), for the PSK suites.
    pub(crate) psk: Option<Shared<dyn ChoosesPsk>>,
    pub(crate) min_dh_bits: u32,
    pub(crate) require_secure_renegotiation: bool,
    #[cfg(feature = "client-auth")]
    pub(crate) client_cert: Option<Shared<CertifiedKey>>,
    pub(crate) require_fragment_limit: bool,
    pub(crate) offer_record_size_limit: bool,
    /// Where sessions are kept for resumption; `None`: every handshake is full.
    pub(crate) session_store: Option<Shared<dyn StoresClientSessions>>,
    /// Whether to offer session_ticket (RFC 5077 §3.2).
    pub(crate) tickets: bool,
}

#[cfg(feature = "client")]
impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("common", &self.common)
            .field("min_dh_bits", &self.min_dh_bits)
            .field("client_cert", &self.client_cert())
            .field("psk", &self.psk.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "client")]
impl ClientConfig {
    /// A builder with the defaults.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder {
            common: Common::default(),
            verifier: None,
            anchors: None,
            min_dh_bits: 2048,
            require_secure_renegotiation: true,
            client_cert: None,
            require_fragment_limit: false,
            offer_record_size_limit: true,
            session_store: default_store(|| {
                Shared::new(SessionCache::new(DEFAULT_CLIENT_SESSION_CAPACITY)) as _
            }),
            tickets: true,
            psk: None,
        }
    }

    /// The shared settings.
    pub fn common(&self) -> &Common {
        &self.common
    }

    /// The session store, if resumption is on (always `None` without feature
    /// `resumption`: the code that uses it is then left out of the build).
    pub fn session_store(&self) -> Option<&Shared<dyn StoresClientSessions>> {
        #[cfg(feature = "resumption")]
        return self.session_store.as_ref();
        #[cfg(not(feature = "resumption"))]
        None
    }

    /// The client certificate offered to a server that asks for one (always `None`
    /// without feature `client-auth`).
    pub(crate) fn client_cert(&self) -> Option<&Shared<CertifiedKey>> {
        #[cfg(feature = "client-auth")]
        return self.client_cert.as_ref();
        #[cfg(not(feature = "client-auth"))]
        None
    }
}

#[cfg(feature = "client")]
/// Builds a [`ClientConfig`].
#[allow(clippy::struct_excessive_bools)] // independent switches, each its own setting
pub struct ClientConfigBuilder {
    common: Common,
    verifier: Option<Shared<dyn ServerCertVerifier>>,
    anchors: Option<TrustAnchors>,
    min_dh_bits: u32,
    require_secure_renegotiation: bool,
    client_cert: Option<Shared<CertifiedKey>>,
    require_fragment_limit: bool,
    offer_record_size_limit: bool,
    session_store: Option<Shared<dyn StoresClientSessions>>,
    tickets: bool,
    psk: Option<Shared<dyn ChoosesPsk>>,
}

#[cfg(feature = "client")]
impl ClientConfigBuilder {
    common_setters!();

    /// Offer the PSK suites (RFC 4279, RFC 5489, RFC 5487, RFC 6655, RFC 7905) with
    /// this identity and key, whatever identity hint the server sends.
    ///
    /// With the default suite list the PSK suites come after the certificate suites
    /// (forward-secret ECDHE_PSK and DHE_PSK first); without trust anchors or a
    /// verifier only the PSK suites are offered. Needs feature `psk`.
    #[must_use]
    pub fn psk(self, psk: Psk) -> Self {
        self.psk_chooser(Shared::new(psk))
    }

    /// Offer the PSK suites, picking the key from the server's identity hint with
    /// `chooser` (see [`Self::psk`]).
    #[must_use]
    pub fn psk_chooser(mut self, chooser: Shared<dyn ChoosesPsk>) -> Self {
        self.psk = Some(chooser);
        self
    }

    /// Verify servers with RFC 5280 path validation to these anchors and RFC 6125 names
    /// ([`sanstls_pki::WebPkiServerVerifier`]). An empty store is refused by `build`.
    ///
    /// Needs feature `x509` (on by default): without it `build` refuses the
    /// configuration with [`ConfigError::LeftOut`].
    #[must_use]
    pub fn trust_anchors(mut self, anchors: TrustAnchors) -> Self {
        self.anchors = Some(anchors);
        self.verifier = None;
        self
    }

    /// Verify servers with a custom verifier. Needs feature `x509`, as
    /// [`Self::trust_anchors`] does.
    #[must_use]
    pub fn verifier(mut self, verifier: Shared<dyn ServerCertVerifier>) -> Self {
        self.verifier = Some(verifier);
        self.anchors = None;
        self
    }

    /// The smallest DH prime accepted from a server that does not use an RFC 7919 group
    /// (default 2048 bits; at least 1024).
    #[must_use]
    pub fn min_dh_bits(mut self, bits: u32) -> Self {
        self.min_dh_bits = bits;
        self
    }

    /// Refuse servers that do not answer renegotiation_info (RFC 5746 §3.4; default on).
    #[must_use]
    pub fn require_secure_renegotiation(mut self, on: bool) -> Self {
        self.require_secure_renegotiation = on;
        self
    }

    /// The certificate chain and RSA key offered when a server sends a
    /// CertificateRequest (RFC 5246 §7.4.6, §7.4.8; default: none, the client then
    /// answers with an empty Certificate).
    ///
    /// The chain is sent whenever the server's certificate_types include rsa_sign and
    /// both sides share a signature scheme; the server's certificate_authorities list is
    /// not used to filter (many servers send none, and the server decides anyway). The
    /// leaf's keyUsage, when present, must allow digitalSignature, or the chain is not
    /// offered.
    ///
    /// Needs feature `client-auth` (on by default): without it `build` refuses the
    /// configuration with [`ConfigError::LeftOut`].
    #[must_use]
    pub fn client_certificate(mut self, key: CertifiedKey) -> Self {
        self.client_cert = Some(Shared::new(key));
        self
    }

    /// With a [`max_fragment_len`](Self::max_fragment_len) below 2^14: refuse a server
    /// that agrees to neither max_fragment_length nor record_size_limit, with
    /// [`crate::PeerIncompatible::FragmentLimitRefused`] (default off: the connection
    /// goes on, and its receive buffer stays large enough for full-size records, about
    /// 16.7 KB). A device that cannot afford that buffer turns this on.
    #[must_use]
    pub fn require_fragment_limit(mut self, on: bool) -> Self {
        self.require_fragment_limit = on;
        self
    }

    /// Offer record_size_limit (RFC 8449; default on), with the
    /// [`max_fragment_len`](Self::max_fragment_len) as this client's limit. Off, a
    /// smaller limit is asked for with max_fragment_length alone (RFC 6066 §4), for a
    /// server that mishandles record_size_limit.
    #[must_use]
    pub fn record_size_limit(mut self, on: bool) -> Self {
        self.offer_record_size_limit = on;
        self
    }

    /// Where the client keeps sessions to resume (default: a [`SessionCache`] of
    /// [`DEFAULT_CLIENT_SESSION_CAPACITY`] sessions, shared by every connection made
    /// with this configuration); `None` turns resumption off.
    ///
    /// Each full handshake that the server lets resume (it gave a session ID or a
    /// ticket) leaves its session there under the server name; the next connection to
    /// the same name offers it (RFC 5246 §7.4.1.2, RFC 5077 §3.4). A session the
    /// server does not resume, or one whose connection ended in a fatal alert, is
    /// removed. Only sessions with the extended master secret are kept (RFC 7627 §5.3:
    /// a client "SHOULD NOT" resume one without it).
    #[must_use]
    pub fn session_store(mut self, store: Option<Shared<dyn StoresClientSessions>>) -> Self {
        self.session_store = store;
        self
    }

    /// Offer session tickets (RFC 5077; default on, with a session store).
    #[must_use]
    pub fn session_tickets(mut self, on: bool) -> Self {
        self.tickets = on;
        self
    }

    /// Check and build.
    pub fn build(mut self) -> Result<ClientConfig, ConfigError> {
        self.common.check()?;
        if self.min_dh_bits < 1024 {
            return Err(ConfigError::DhMinimumTooSmall);
        }
        #[cfg(not(feature = "client-auth"))]
        if self.client_cert.is_some() {
            return Err(CLIENT_AUTH_LEFT_OUT);
        }
        #[cfg(not(feature = "resumption"))]
        if self.session_store.is_some() {
            return Err(RESUMPTION_LEFT_OUT);
        }
        #[cfg(feature = "x509")]
        let verifier: Option<Shared<dyn ServerCertVerifier>> = match (self.verifier, self.anchors) {
            (Some(v), _) => Some(v),
            (None, Some(a)) if a.is_empty() => return Err(ConfigError::NoTrustAnchors),
            (None, Some(a)) => Some(Shared::new(WebPkiServerVerifier::new(a))),
            (None, None) => None,
        };
        // (Not even a custom verifier: without `x509` the client has no Certificate
        // state to call it from.)
        #[cfg(not(feature = "x509"))]
        let verifier: Option<Shared<dyn ServerCertVerifier>> = match (self.verifier, self.anchors) {
            (None, None) => None,
            _ => return Err(X509_LEFT_OUT),
        };
        #[cfg(not(feature = "psk"))]
        if self.psk.is_some() {
            return Err(PSK_LEFT_OUT);
        }
        self.common.fit_suites(
            verifier.is_some(),
            self.psk.is_some(),
            ConfigError::NoVerifier,
        )?;
        Ok(ClientConfig {
            common: self.common,
            verifier,
            psk: self.psk,
            min_dh_bits: self.min_dh_bits,
            require_secure_renegotiation: self.require_secure_renegotiation,
            #[cfg(feature = "client-auth")]
            client_cert: self.client_cert,
            require_fragment_limit: self.require_fragment_limit,
            offer_record_size_limit: self.offer_record_size_limit,
            session_store: self.session_store,
            tickets: self.tickets,
        })
    }
}

/// A certificate chain (DER, leaf first) and the private key of its leaf: RSA, or
/// ECDSA on P-256 or P-384 (feature `ecdsa`).
pub struct CertifiedKey {
    chain: Vec<Vec<u8>>,
    key: PrivateKey,
    may_sign: bool,
    may_encipher: bool,
}

impl fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertifiedKey")
            .field("chain_len", &self.chain.len())
            .field("key", &self.key.kind())
            .finish_non_exhaustive()
    }
}

impl CertifiedKey {
    /// Pairs `chain` with `key` (an [`crate::RsaPrivateKey`], an
    /// [`crate::EcdsaPrivateKey`] or a [`PrivateKey`]), checking that the key is the
    /// leaf's.
    pub fn new(chain: Vec<Vec<u8>>, key: impl Into<PrivateKey>) -> Result<Self, ConfigError> {
        let key = key.into();
        let leaf = chain.first().ok_or(ConfigError::EmptyChain)?;
        let path = VerifiedPath::from_trusted_end_entity(leaf).map_err(ConfigError::Certificate)?;
        let matches = match (path.public_key(), &key) {
            (sanstls_pki::PublicKey::Rsa(p), PrivateKey::Rsa(k)) => p == k.public_key(),
            #[cfg(feature = "ecdsa")]
            (sanstls_pki::PublicKey::Ecdsa(p), PrivateKey::Ecdsa(k)) => {
                p.to_sec1() == k.public_key().to_sec1()
            }
            #[allow(unreachable_patterns)]
            _ => false,
        };
        if !matches {
            return Err(ConfigError::KeyMismatch);
        }
        let is_rsa = matches!(key, PrivateKey::Rsa(_));
        Ok(CertifiedKey {
            chain,
            key,
            may_sign: path.allows_digital_signature(),
            // RFC 5246 §7.4.2: only an RSA key receives an encrypted premaster.
            may_encipher: is_rsa && path.allows_key_encipherment(),
        })
    }

    /// From a PEM chain (leaf first) and a PEM private key (RSA in PKCS#1 or PKCS#8;
    /// with feature `ecdsa`, EC in SEC 1 or PKCS#8).
    pub fn from_pem(chain_pem: &str, key_pem: &str) -> Result<Self, ConfigError> {
        let chain = sanstls_pki::pem_to_der_certs(chain_pem).map_err(ConfigError::Certificate)?;
        let key = PrivateKey::from_pem(key_pem).map_err(ConfigError::PrivateKey)?;
        Self::new(chain, key)
    }

    /// [`CertifiedKey::from_pem`], with an RSA key's private operation run by `provider`
    /// if it takes the key ([`PrivateKey::from_pem_with`]).
    pub fn from_pem_with(
        chain_pem: &str,
        key_pem: &str,
        provider: &dyn CryptoProvider,
    ) -> Result<Self, ConfigError> {
        let chain = sanstls_pki::pem_to_der_certs(chain_pem).map_err(ConfigError::Certificate)?;
        let key = PrivateKey::from_pem_with(key_pem, provider).map_err(ConfigError::PrivateKey)?;
        Self::new(chain, key)
    }

    /// The chain, leaf first.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The private key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// The kind of key (RSA or the ECDSA curve).
    pub(crate) fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// Whether the leaf's keyUsage allows signing (DHE and ECDHE suites, client
    /// authentication).
    pub fn may_sign(&self) -> bool {
        self.may_sign
    }

    /// Whether the key is RSA and the leaf's keyUsage allows key encipherment (RSA key
    /// exchange).
    pub fn may_encipher(&self) -> bool {
        self.may_encipher
    }

    /// The size of a Certificate message carrying this chain, header included.
    pub(crate) fn encoded_len(&self) -> usize {
        self.chain.iter().map(|c| c.len() + 3).sum::<usize>() + 7
    }
}

#[cfg(feature = "server")]
/// Chooses the server's certificate from the client's server_name (RFC 6066 §3).
pub trait ResolvesServerCert: crate::MaybeSendSync {
    /// The certificate for `server_name` (`None` when the client sent no host name), or
    /// `None` to refuse the handshake with `unrecognized_name`.
    fn resolve(&self, server_name: Option<&str>) -> Option<Shared<CertifiedKey>>;
    /// Every certificate this resolver can return (to size buffers once).
    fn all(&self) -> Vec<Shared<CertifiedKey>>;
}

#[cfg(feature = "server")]
/// A resolver that picks a certificate by exact host name, with a default.
#[derive(Debug, Default)]
pub struct SniResolver {
    by_name: Vec<(String, Shared<CertifiedKey>)>,
    default: Option<Shared<CertifiedKey>>,
}

#[cfg(feature = "server")]
impl SniResolver {
    /// An empty resolver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serve `key` for `name` (compared without case).
    #[must_use]
    pub fn with(mut self, name: &str, key: Shared<CertifiedKey>) -> Self {
        self.by_name.push((name.to_ascii_lowercase(), key));
        self
    }

    /// Serve `key` when no name matches or none was sent.
    #[must_use]
    pub fn with_default(mut self, key: Shared<CertifiedKey>) -> Self {
        self.default = Some(key);
        self
    }
}

#[cfg(feature = "server")]
impl ResolvesServerCert for SniResolver {
    fn resolve(&self, server_name: Option<&str>) -> Option<Shared<CertifiedKey>> {
        server_name
            .and_then(|n| {
                self.by_name
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| Shared::clone(v))
            })
            .or_else(|| self.default.clone())
    }

    fn all(&self) -> Vec<Shared<CertifiedKey>> {
        self.by_name
            .iter()
            .map(|(_, k)| Shared::clone(k))
            .chain(self.default.clone())
            .collect()
    }
}

#[cfg(feature = "server")]
/// A server's configuration.
pub struct ServerConfig {
    pub(crate) common: Common,
    pub(crate) certs: Shared<dyn ResolvesServerCert>,
    pub(crate) dh_group: NamedDhGroup,
    pub(crate) max_chain_len: usize,
    #[cfg(feature = "client-auth")]
    pub(crate) client_verifier: Option<Shared<dyn ClientCertVerifier>>,
    /// The size of the CertificateRequest sent with a client verifier (0 without).
    pub(crate) cert_request_len: usize,
    pub(crate) refuse_unknown_server_names: bool,
    /// Choose the suite by the client's order rather than the server's.
    pub(crate) client_suite_order: bool,
    /// The session cache for session-ID resumption; `None`: no session IDs.
    pub(crate) session_store: Option<Shared<dyn StoresServerSessions>>,
    /// How long a cached session may be resumed.
    pub(crate) session_lifetime: Duration,
    /// What makes and reads tickets; `None`: no tickets.
    pub(crate) ticketer: Option<Shared<dyn Ticketer>>,
    /// The PSK store, for the PSK suites.
    pub(crate) psk_store: Option<Shared<dyn PskStore>>,
    /// The identity hint sent in the PSK ServerKeyExchange (empty: none).
    pub(crate) psk_identity_hint: Vec<u8>,
    /// What to do with an identity the store does not know.
    pub(crate) unknown_psk_identity: UnknownPskIdentity,
    /// The longest identity accepted.
    pub(crate) max_psk_identity_len: usize,
}

#[cfg(feature = "server")]
impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("common", &self.common)
            .field("dh_group", &self.dh_group)
            .field("client_auth", &self.client_verifier().is_some())
            .field("psk", &self.psk_store.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "server")]
impl ServerConfig {
    /// A builder with the defaults.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder {
            common: Common {
                handshake_timeout: Some(DEFAULT_SERVER_HANDSHAKE_TIMEOUT),
                max_certificate: 16 * 1024,
                ..Common::default()
            },
            certs: None,
            dh_group: NamedDhGroup::Ffdhe2048,
            client_verifier: None,
            refuse_unknown_server_names: false,
            client_suite_order: false,
            session_store: default_store(|| {
                Shared::new(SessionCache::new(DEFAULT_SERVER_SESSION_CAPACITY)) as _
            }),
            session_lifetime: DEFAULT_SESSION_LIFETIME,
            ticketer: None,
            psk_store: None,
            psk_identity_hint: Vec::new(),
            unknown_psk_identity: UnknownPskIdentity::Hide,
            max_psk_identity_len: DEFAULT_MAX_PSK_IDENTITY_LEN,
        }
    }

    /// The shared settings.
    pub fn common(&self) -> &Common {
        &self.common
    }

    /// The session cache, if session IDs are on (always `None` without feature
    /// `resumption`).
    pub fn session_store(&self) -> Option<&Shared<dyn StoresServerSessions>> {
        #[cfg(feature = "resumption")]
        return self.session_store.as_ref();
        #[cfg(not(feature = "resumption"))]
        None
    }

    /// The ticketer, if tickets are on (always `None` without feature `resumption`).
    pub fn ticketer(&self) -> Option<&Shared<dyn Ticketer>> {
        #[cfg(feature = "resumption")]
        return self.ticketer.as_ref();
        #[cfg(not(feature = "resumption"))]
        None
    }

    /// The verifier of client certificates, when the server asks for them (always
    /// `None` without feature `client-auth`).
    pub(crate) fn client_verifier(&self) -> Option<&Shared<dyn ClientCertVerifier>> {
        #[cfg(feature = "client-auth")]
        return self.client_verifier.as_ref();
        #[cfg(not(feature = "client-auth"))]
        None
    }
}

#[cfg(feature = "server")]
/// Builds a [`ServerConfig`].
pub struct ServerConfigBuilder {
    common: Common,
    certs: Option<Shared<dyn ResolvesServerCert>>,
    dh_group: NamedDhGroup,
    client_verifier: Option<Shared<dyn ClientCertVerifier>>,
    refuse_unknown_server_names: bool,
    client_suite_order: bool,
    session_store: Option<Shared<dyn StoresServerSessions>>,
    session_lifetime: Duration,
    ticketer: Option<Shared<dyn Ticketer>>,
    psk_store: Option<Shared<dyn PskStore>>,
    psk_identity_hint: Vec<u8>,
    unknown_psk_identity: UnknownPskIdentity,
    max_psk_identity_len: usize,
}

#[cfg(feature = "server")]
impl ServerConfigBuilder {
    common_setters!();

    /// Serve the PSK suites (RFC 4279, RFC 5489) with the keys in `store` (a
    /// [`crate::psk::PskTable`], or the application's own lookup). With the default
    /// suite list the PSK suites come after the certificate suites; a server without
    /// a certificate serves only them. Needs feature `psk`.
    #[must_use]
    pub fn psk_store(mut self, store: Shared<dyn PskStore>) -> Self {
        self.psk_store = Some(store);
        self
    }

    /// The PSK identity hint (RFC 4279 §5.2), sent in the ServerKeyExchange of the PSK
    /// suites (default: none; plain PSK then sends no ServerKeyExchange, RFC 4279 §2).
    #[must_use]
    pub fn psk_identity_hint(mut self, hint: &[u8]) -> Self {
        self.psk_identity_hint = hint.to_vec();
        self
    }

    /// What to do with a PSK identity the store does not know (default
    /// [`UnknownPskIdentity::Hide`]: fail at the client's Finished with
    /// decrypt_error, as for a wrong key, RFC 4279 §2).
    #[must_use]
    pub fn unknown_psk_identity(mut self, answer: UnknownPskIdentity) -> Self {
        self.unknown_psk_identity = answer;
        self
    }

    /// The longest PSK identity accepted (default
    /// [`DEFAULT_MAX_PSK_IDENTITY_LEN`], 128 bytes; at most 65535). A longer one is
    /// refused with illegal_parameter before the store is asked.
    #[must_use]
    pub fn max_psk_identity_len(mut self, len: usize) -> Self {
        self.max_psk_identity_len = len;
        self
    }

    /// Serve one certificate to every client. Needs feature `x509` (on by default):
    /// without it `build` refuses the configuration with [`ConfigError::LeftOut`].
    #[must_use]
    pub fn single_cert(mut self, key: CertifiedKey) -> Self {
        self.certs = Some(Shared::new(
            SniResolver::new().with_default(Shared::new(key)),
        ));
        self
    }

    /// Choose the certificate per connection. Needs feature `x509`, as
    /// [`Self::single_cert`] does.
    #[must_use]
    pub fn cert_resolver(mut self, resolver: Shared<dyn ResolvesServerCert>) -> Self {
        self.certs = Some(resolver);
        self
    }

    /// The DH group used when the client lists no RFC 7919 group (default ffdhe2048).
    #[must_use]
    pub fn dh_group(mut self, group: NamedDhGroup) -> Self {
        self.dh_group = group;
        self
    }

    /// Ask clients for a certificate and validate it with `verifier` (default: no
    /// client authentication).
    ///
    /// The server then sends a CertificateRequest (RFC 5246 §7.4.4: certificate type
    /// rsa_sign, the signature schemes of [`Self::signature_schemes`], and
    /// `verifier.acceptable_issuers()` as certificate_authorities). A client that sends
    /// an empty Certificate is refused with handshake_failure when
    /// `verifier.client_auth_mandatory()`, otherwise it stays anonymous. A client that
    /// sends a chain must prove its key with a CertificateVerify (§7.4.8); the chain ends
    /// up in [`crate::Negotiated::peer_certificates`].
    ///
    /// Needs feature `client-auth` (on by default): without it `build` refuses the
    /// configuration with [`ConfigError::LeftOut`].
    #[must_use]
    pub fn client_verifier(mut self, verifier: Shared<dyn ClientCertVerifier>) -> Self {
        self.client_verifier = Some(verifier);
        self
    }

    /// Refuse a client whose server_name (SNI) the chosen certificate does not cover,
    /// with a fatal unrecognized_name alert (default off: the handshake goes on with
    /// the certificate the resolver chose, and the client judges it). RFC 6066 §3
    /// allows both; refusing tells a misdirected client at once, and keeps a server
    /// from answering names it does not serve (domain fronting, scanners). Names
    /// match as in certificate validation (RFC 6125: subjectAltName dNSName entries,
    /// wildcards as the whole left-most label). A client that sends no server_name is
    /// not affected. Whatever this setting, a server_name that is not a valid host
    /// name (a NUL, a control character, a byte other than a letter, digit, `-` or
    /// `.`, an empty label, a trailing dot) is refused with illegal_parameter.
    #[must_use]
    pub fn refuse_unknown_server_names(mut self, on: bool) -> Self {
        self.refuse_unknown_server_names = on;
        self
    }

    /// Choose the cipher suite by the client's order of preference instead of this
    /// server's (default off: the first of [`Self::cipher_suites`] that the client
    /// offers and the certificate can serve). Either way only suites both sides list
    /// are chosen; on, a client that prefers, say, ChaCha20-Poly1305 (no AES hardware)
    /// gets it.
    #[must_use]
    pub fn prefer_client_suite_order(mut self, on: bool) -> Self {
        self.client_suite_order = on;
        self
    }

    /// The session cache for session-ID resumption (RFC 5246 §7.4.1.2; default: a
    /// [`SessionCache`] of [`DEFAULT_SERVER_SESSION_CAPACITY`] sessions); `None` turns
    /// session IDs off (the ServerHello's session_id is then empty, §7.4.1.3). Back it
    /// with a shared store for a fleet of servers (see [`StoresServerSessions`]).
    #[must_use]
    pub fn session_store(mut self, store: Option<Shared<dyn StoresServerSessions>>) -> Self {
        self.session_store = store;
        self
    }

    /// A [`SessionCache`] of `capacity` sessions; 0 turns session IDs off.
    #[must_use]
    pub fn session_cache(self, capacity: usize) -> Self {
        let store: Option<Shared<dyn StoresServerSessions>> =
            (capacity > 0).then(|| Shared::new(SessionCache::new(capacity)) as _);
        self.session_store(store)
    }

    /// How long a cached session may be resumed (default
    /// [`DEFAULT_SESSION_LIFETIME`], 24 hours, RFC 5246 §F.1.4's upper limit). Tickets
    /// last what their [`Ticketer::lifetime`] says.
    #[must_use]
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.session_lifetime = lifetime;
        self
    }

    /// Issue session tickets (RFC 5077) to clients that ask, protected and read by
    /// `ticketer` (default: none; [`TicketKeys`] is the usual choice). A ticket that
    /// does not decrypt, has expired or names an unknown key gets a full handshake.
    #[must_use]
    pub fn ticketer(mut self, ticketer: Option<Shared<dyn Ticketer>>) -> Self {
        self.ticketer = ticketer;
        self
    }

    /// Check and build.
    pub fn build(mut self) -> Result<ServerConfig, ConfigError> {
        self.common.check()?;
        #[cfg(not(feature = "psk"))]
        if self.psk_store.is_some() {
            return Err(PSK_LEFT_OUT);
        }
        if self.psk_identity_hint.len() > sanstls_wire::handshake::MAX_PSK_IDENTITY_LEN
            || self.max_psk_identity_len == 0
            || self.max_psk_identity_len > sanstls_wire::handshake::MAX_PSK_IDENTITY_LEN
        {
            return Err(ConfigError::InvalidPskIdentity);
        }
        #[cfg(not(feature = "x509"))]
        if self.certs.is_some() {
            return Err(X509_LEFT_OUT);
        }
        let certs = self.certs.filter(|c| !c.all().is_empty());
        self.common.fit_suites(
            certs.is_some(),
            self.psk_store.is_some(),
            ConfigError::NoCertificate,
        )?;
        // (A PSK-only server has no certificates: an empty resolver stands in.)
        let certs = certs.unwrap_or_else(|| Shared::new(SniResolver::new()));
        let all = certs.all();
        let max_chain_len = all.iter().map(|k| k.encoded_len()).max().unwrap_or(0);
        #[cfg(not(feature = "client-auth"))]
        if self.client_verifier.is_some() {
            return Err(CLIENT_AUTH_LEFT_OUT);
        }
        #[cfg(not(feature = "resumption"))]
        if self.session_store.is_some() || self.ticketer.is_some() {
            return Err(RESUMPTION_LEFT_OUT);
        }
        let cert_request_len = match &self.client_verifier {
            Some(v) => {
                let issuers = v.acceptable_issuers();
                if issuers.iter().any(|i| i.is_empty() || i.len() > 0xffff) {
                    return Err(ConfigError::TooManyAcceptableIssuers);
                }
                let names: usize = issuers.iter().map(|i| i.len() + 2).sum();
                if names > 0xffff {
                    return Err(ConfigError::TooManyAcceptableIssuers);
                }
                // Header, certificate_types (1 + 2), schemes (2 + 2 each), names (2 + ...).
                4 + 3 + 2 + 2 * self.common.signature_schemes.len() + 2 + names
            }
            None => 0,
        };
        Ok(ServerConfig {
            common: self.common,
            certs,
            dh_group: self.dh_group,
            max_chain_len,
            #[cfg(feature = "client-auth")]
            client_verifier: self.client_verifier,
            cert_request_len,
            refuse_unknown_server_names: self.refuse_unknown_server_names,
            client_suite_order: self.client_suite_order,
            session_store: self.session_store,
            session_lifetime: self.session_lifetime,
            ticketer: self.ticketer,
            psk_store: self.psk_store,
            psk_identity_hint: self.psk_identity_hint,
            unknown_psk_identity: self.unknown_psk_identity,
            max_psk_identity_len: self.max_psk_identity_len,
        })
    }
}

/// What a build that leaves capabilities out says about a configuration that asks for
/// them. These run in the reduced builds `cargo xtask ci` tests (`--no-default-features`
/// with a few features); the full build has the other side of each check in its own
/// tests.
#[cfg(all(test, feature = "client"))]
mod left_out {
    use super::*;
    #[allow(unused_imports)] // used by the tests of reduced builds only
    use alloc::string::ToString;

    fn anchors() -> TrustAnchors {
        TrustAnchors::from_pem_bundle(include_str!("../../../testdata/ca-root.cert.pem")).unwrap()
    }

    /// A client that works in this build: with trust anchors, or (without `x509`) with
    /// a PSK.
    fn builder() -> ClientConfigBuilder {
        #[cfg(feature = "x509")]
        return ClientConfig::builder().trust_anchors(anchors());
        #[cfg(not(feature = "x509"))]
        ClientConfig::builder().psk(Psk::new("probe", [7; 16]).unwrap())
    }

    #[cfg(not(feature = "x509"))]
    #[test]
    fn certificates_name_the_x509_feature() {
        // Trust anchors (and so any verifier) are refused, even beside a PSK.
        let err = ClientConfig::builder()
            .trust_anchors(anchors())
            .build()
            .unwrap_err();
        assert_eq!(err, X509_LEFT_OUT);
        assert!(err.to_string().contains("feature `x509`"), "{err}");
        assert_eq!(feature_named(builder().trust_anchors(anchors())), "x509");
        // The certificate key exchanges this build would otherwise have.
        #[cfg(feature = "dhe")]
        {
            let b = builder().cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256]);
            assert_eq!(feature_named(b), "x509");
        }
        #[cfg(feature = "ecdhe")]
        {
            let b = builder().cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]);
            assert_eq!(feature_named(b), "x509");
        }
        // The PSK client itself works, with the PSK suites only.
        let config = builder().build().unwrap();
        assert!(
            config
                .common()
                .suites()
                .iter()
                .all(|s| { s.key_exchange().is_some_and(KeyExchange::is_psk) })
        );
    }

    #[cfg(all(feature = "server", not(feature = "x509")))]
    #[test]
    fn a_server_certificate_names_the_x509_feature() {
        let store = Shared::new(crate::PskTable::new().with(Psk::new("probe", [7; 16]).unwrap()));
        let resolver = Shared::new(SniResolver::new());
        let b = ServerConfig::builder()
            .psk_store(store.clone())
            .cert_resolver(resolver);
        assert_eq!(b.build().unwrap_err(), X509_LEFT_OUT);
        assert!(ServerConfig::builder().psk_store(store).build().is_ok());
    }

    #[test]
    fn the_default_configuration_uses_only_what_is_built_in() {
        let config = builder().build().unwrap();
        for s in config.common().suites() {
            let info = sanstls_keys::suite::lookup(*s).unwrap();
            assert!(suite_left_out(*info).is_none(), "{s:?}");
        }
        for &s in DEFAULT_SIGNATURE_SCHEMES {
            assert!(scheme_left_out(s).is_none(), "{s:?}");
            assert!(crate::sig::scheme_parts(s).is_some(), "{s:?}");
        }
    }

    #[cfg(not(feature = "dhe"))]
    #[test]
    fn dhe_suites_name_the_dhe_feature() {
        let err = builder()
            .cipher_suites(&[CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256])
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            ConfigError::LeftOut {
                what: "DHE_RSA key exchange (TLS_DHE_RSA_* suites)",
                feature: "dhe"
            }
        );
        assert!(err.to_string().contains("feature `dhe`"), "{err}");
    }

    /// The feature a refused configuration names (a failure if it was not refused as
    /// left out).
    #[allow(dead_code)] // used by the tests of reduced builds only
    fn feature_named(builder: ClientConfigBuilder) -> &'static str {
        match builder.build() {
            Err(ConfigError::LeftOut { feature, .. }) => feature,
            Err(other) => panic!("refused, but not as left out: {other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[cfg(not(feature = "rsa-kx"))]
    #[test]
    fn rsa_suites_name_the_rsa_kx_feature() {
        let b = builder().cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]);
        assert_eq!(feature_named(b), "rsa-kx");
    }

    #[cfg(not(feature = "pss"))]
    #[test]
    fn pss_schemes_name_the_pss_feature() {
        let b = builder().signature_schemes(&[SignatureScheme::RSA_PSS_RSAE_SHA256]);
        assert_eq!(feature_named(b), "pss");
        let scheme = SignatureScheme::RSA_PSS_RSAE_SHA256;
        assert_eq!(crate::sig::scheme_parts(scheme), None);
    }

    #[cfg(not(feature = "sha512"))]
    #[test]
    fn sha384_schemes_name_the_sha512_feature() {
        let b = builder().signature_schemes(&[SignatureScheme::RSA_PKCS1_SHA384]);
        assert_eq!(feature_named(b), "sha512");
        let scheme = SignatureScheme::RSA_PKCS1_SHA512;
        assert_eq!(crate::sig::scheme_parts(scheme), None);
    }

    #[cfg(not(feature = "client-auth"))]
    #[test]
    fn a_client_certificate_names_the_client_auth_feature() {
        let key = CertifiedKey::from_pem(
            include_str!("../../../testdata/client.chain.pem"),
            include_str!("../../../testdata/client.rsa.pem"),
        )
        .unwrap();
        let err = builder().client_certificate(key).build().unwrap_err();
        assert_eq!(err, CLIENT_AUTH_LEFT_OUT);
        assert!(err.to_string().contains("`client-auth`"), "{err}");
    }

    #[cfg(not(feature = "resumption"))]
    #[test]
    fn a_session_store_names_the_resumption_feature() {
        // Left out: no store by default, and none can be set.
        assert!(builder().build().unwrap().session_store().is_none());
        let store = Shared::new(crate::SessionCache::new(4));
        let b = builder().session_store(Some(store as _));
        assert_eq!(feature_named(b), "resumption");
    }

    #[cfg(not(feature = "ecdsa"))]
    #[test]
    fn ecdsa_names_the_ecdsa_feature() {
        let b = builder().signature_schemes(&[SignatureScheme::ECDSA_SECP256R1_SHA256]);
        assert_eq!(feature_named(b), "ecdsa");
        let b = builder().cipher_suites(&[CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]);
        assert!(["ecdsa", "ecdhe"].contains(&feature_named(b)));
    }

    #[cfg(not(feature = "ecdhe"))]
    #[test]
    fn ecdhe_suites_name_the_ecdhe_feature() {
        let b = builder().cipher_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]);
        assert_eq!(feature_named(b), "ecdhe");
        assert!(builder().build().unwrap().common().groups().is_empty());
    }

    #[cfg(not(feature = "aes-gcm"))]
    #[test]
    fn gcm_suites_name_the_aes_gcm_feature() {
        let b = builder().cipher_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256]);
        assert!(["aes-gcm", "rsa-kx"].contains(&feature_named(b)));
    }

    #[cfg(all(not(feature = "cbc"), feature = "psk"))]
    #[test]
    fn cbc_suites_name_the_cbc_feature() {
        let psk = || ClientConfig::builder().psk(crate::Psk::new("id", [1; 16]).unwrap());
        let b = psk().cipher_suites(&[CipherSuite::TLS_PSK_WITH_AES_128_CBC_SHA256]);
        assert_eq!(feature_named(b), "cbc");
        // The default list holds no CBC suite.
        let c = psk().build().unwrap();
        assert!(c.common().suites().iter().all(|s| {
            sanstls_keys::suite::lookup(*s)
                .is_some_and(|i| !matches!(i.cipher, BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc))
        }));
    }

    #[test]
    fn unknown_schemes_and_groups_are_still_unsupported() {
        let err = builder()
            .signature_schemes(&[SignatureScheme::ED25519])
            .build()
            .unwrap_err();
        assert_eq!(
            err,
            ConfigError::UnsupportedSignatureScheme(SignatureScheme::ED25519)
        );
        let err = builder()
            .groups(&[NamedGroup::SECP521R1])
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::UnsupportedGroup(NamedGroup::SECP521R1));
    }
}
