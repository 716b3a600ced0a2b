//! Open protocol enums: a newtype over the wire integer with named constants.
//!
//! Unknown values decode, compare and re-encode unchanged, and print in hex
//! (`CipherSuite(0xc02f)`), so nothing the peer sends is lost or rejected here merely for
//! being unfamiliar; what a value means for the handshake is for the caller to decide.

use core::fmt;

use crate::codec::Codec;
use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;
use crate::writer::Writer;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($repr:ident) {
            $( $(#[$vmeta:meta])* $var:ident = $val:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $repr);

        impl $name {
            $( $(#[$vmeta])* pub const $var: Self = Self($val); )*

            /// Every named value, in declaration order.
            pub const KNOWN: &'static [Self] = &[$(Self::$var),*];

            /// The constant's name, or `None` for a value without one.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $val => Some(stringify!($var)), )*
                    _ => None,
                }
            }

            /// Whether the value has a name here.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(
                        f,
                        concat!(stringify!($name), "(0x{:0width$x})"),
                        self.0,
                        width = core::mem::size_of::<$repr>() * 2
                    ),
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl<'a> Codec<'a> for $name {
            const FIXED_SIZE: Option<usize> = Some(core::mem::size_of::<$repr>());
            fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                Ok(Self(<$repr as Codec>::read(r)?))
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
                <$repr as Codec>::write(&self.0, w)
            }
        }
    };
}

open_enum! {
    /// Record content type (RFC 5246 §6.2.1).
    ContentType(u8) {
        /// change_cipher_spec(20)
        CHANGE_CIPHER_SPEC = 20,
        /// alert(21)
        ALERT = 21,
        /// handshake(22)
        HANDSHAKE = 22,
        /// application_data(23)
        APPLICATION_DATA = 23,
        /// heartbeat(24), RFC 6520; recognised, not implemented.
        HEARTBEAT = 24,
    }
}

open_enum! {
    /// Protocol version `{major, minor}` as one `u16` (RFC 5246 §6.2.1).
    ProtocolVersion(u16) {
        /// SSL 3.0 {3, 0}
        SSL3 = 0x0300,
        /// TLS 1.0 {3, 1}
        TLS10 = 0x0301,
        /// TLS 1.1 {3, 2}
        TLS11 = 0x0302,
        /// TLS 1.2 {3, 3}
        TLS12 = 0x0303,
        /// TLS 1.3 {3, 4}
        TLS13 = 0x0304,
    }
}

/// The version as people write it: "TLS 1.2", "SSL 3.0"; others as "version 0xMMmm".
impl core::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.major(), self.minor()) {
            (3, 0) => f.write_str("SSL 3.0"),
            (3, minor @ 1..=4) => write!(f, "TLS 1.{}", minor - 1),
            _ => write!(f, "version {:#06x}", self.0),
        }
    }
}

impl ProtocolVersion {
    /// The major version byte.
    pub const fn major(self) -> u8 {
        (self.0 >> 8) as u8
    }
    /// The minor version byte.
    pub const fn minor(self) -> u8 {
        self.0 as u8
    }
}

open_enum! {
    /// Handshake message type (RFC 5246 §7.4, RFC 5077 §3.3).
    HandshakeType(u8) {
        /// hello_request(0)
        HELLO_REQUEST = 0,
        /// client_hello(1)
        CLIENT_HELLO = 1,
        /// server_hello(2)
        SERVER_HELLO = 2,
        /// new_session_ticket(4), RFC 5077
        NEW_SESSION_TICKET = 4,
        /// certificate(11)
        CERTIFICATE = 11,
        /// server_key_exchange(12)
        SERVER_KEY_EXCHANGE = 12,
        /// certificate_request(13)
        CERTIFICATE_REQUEST = 13,
        /// server_hello_done(14)
        SERVER_HELLO_DONE = 14,
        /// certificate_verify(15)
        CERTIFICATE_VERIFY = 15,
        /// client_key_exchange(16)
        CLIENT_KEY_EXCHANGE = 16,
        /// finished(20)
        FINISHED = 20,
        /// certificate_status(22), RFC 6066; recognised, not decoded.
        CERTIFICATE_STATUS = 22,
    }
}

open_enum! {
    /// Alert level (RFC 5246 §7.2).
    AlertLevel(u8) {
        /// warning(1)
        WARNING = 1,
        /// fatal(2)
        FATAL = 2,
    }
}

open_enum! {
    /// Alert description (RFC 5246 §7.2, RFC 6066, RFC 7301, RFC 8446).
    AlertDescription(u8) {
        /// close_notify(0)
        CLOSE_NOTIFY = 0,
        /// unexpected_message(10)
        UNEXPECTED_MESSAGE = 10,
        /// bad_record_mac(20)
        BAD_RECORD_MAC = 20,
        /// decryption_failed_RESERVED(21)
        DECRYPTION_FAILED = 21,
        /// record_overflow(22)
        RECORD_OVERFLOW = 22,
        /// decompression_failure(30)
        DECOMPRESSION_FAILURE = 30,
        /// handshake_failure(40)
        HANDSHAKE_FAILURE = 40,
        /// no_certificate_RESERVED(41)
        NO_CERTIFICATE = 41,
        /// bad_certificate(42)
        BAD_CERTIFICATE = 42,
        /// unsupported_certificate(43)
        UNSUPPORTED_CERTIFICATE = 43,
        /// certificate_revoked(44)
        CERTIFICATE_REVOKED = 44,
        /// certificate_expired(45)
        CERTIFICATE_EXPIRED = 45,
        /// certificate_unknown(46)
        CERTIFICATE_UNKNOWN = 46,
        /// illegal_parameter(47)
        ILLEGAL_PARAMETER = 47,
        /// unknown_ca(48)
        UNKNOWN_CA = 48,
        /// access_denied(49)
        ACCESS_DENIED = 49,
        /// decode_error(50)
        DECODE_ERROR = 50,
        /// decrypt_error(51)
        DECRYPT_ERROR = 51,
        /// export_restriction_RESERVED(60)
        EXPORT_RESTRICTION = 60,
        /// protocol_version(70)
        PROTOCOL_VERSION = 70,
        /// insufficient_security(71)
        INSUFFICIENT_SECURITY = 71,
        /// internal_error(80)
        INTERNAL_ERROR = 80,
        /// inappropriate_fallback(86), RFC 7507
        INAPPROPRIATE_FALLBACK = 86,
        /// user_canceled(90)
        USER_CANCELED = 90,
        /// no_renegotiation(100)
        NO_RENEGOTIATION = 100,
        /// missing_extension(109), RFC 8446
        MISSING_EXTENSION = 109,
        /// unsupported_extension(110)
        UNSUPPORTED_EXTENSION = 110,
        /// unrecognized_name(112), RFC 6066
        UNRECOGNIZED_NAME = 112,
        /// bad_certificate_status_response(113), RFC 6066
        BAD_CERTIFICATE_STATUS_RESPONSE = 113,
        /// unknown_psk_identity(115)
        UNKNOWN_PSK_IDENTITY = 115,
        /// certificate_required(116), RFC 8446
        CERTIFICATE_REQUIRED = 116,
        /// no_application_protocol(120), RFC 7301
        NO_APPLICATION_PROTOCOL = 120,
    }
}

open_enum! {
    /// Cipher suite (RFC 5246 Appendix A.5 and the IANA registry).
    CipherSuite(u16) {
        /// TLS_NULL_WITH_NULL_NULL, the initial state; never negotiated.
        TLS_NULL_WITH_NULL_NULL = 0x0000,
        /// TLS_RSA_WITH_AES_128_CBC_SHA
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f,
        /// TLS_DHE_RSA_WITH_AES_128_CBC_SHA
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033,
        /// TLS_RSA_WITH_AES_256_CBC_SHA
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035,
        /// TLS_DHE_RSA_WITH_AES_256_CBC_SHA
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA = 0x0039,
        /// TLS_RSA_WITH_AES_128_CBC_SHA256
        TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003c,
        /// TLS_RSA_WITH_AES_256_CBC_SHA256
        TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003d,
        /// TLS_DHE_RSA_WITH_AES_128_CBC_SHA256
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 = 0x0067,
        /// TLS_DHE_RSA_WITH_AES_256_CBC_SHA256
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 = 0x006b,
        /// TLS_RSA_WITH_AES_128_GCM_SHA256, RFC 5288
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c,
        /// TLS_RSA_WITH_AES_256_GCM_SHA384, RFC 5288
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d,
        /// TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, RFC 5288
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e,
        /// TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, RFC 5288
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f,
        /// TLS_PSK_WITH_AES_128_GCM_SHA256, RFC 5487
        TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00a8,
        /// TLS_PSK_WITH_AES_256_GCM_SHA384, RFC 5487
        TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00a9,
        /// TLS_PSK_WITH_AES_128_CBC_SHA256, RFC 5487
        TLS_PSK_WITH_AES_128_CBC_SHA256 = 0x00ae,
        /// TLS_DHE_PSK_WITH_AES_128_CBC_SHA256, RFC 5487
        TLS_DHE_PSK_WITH_AES_128_CBC_SHA256 = 0x00b2,
        /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV, RFC 5746 §3.3 (a signal, not a suite)
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
        /// TLS_AES_128_GCM_SHA256 (TLS 1.3)
        TLS13_AES_128_GCM_SHA256 = 0x1301,
        /// TLS_AES_256_GCM_SHA384 (TLS 1.3)
        TLS13_AES_256_GCM_SHA384 = 0x1302,
        /// TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3)
        TLS13_CHACHA20_POLY1305_SHA256 = 0x1303,
        /// TLS_FALLBACK_SCSV, RFC 7507 §2 (a signal, not a suite)
        TLS_FALLBACK_SCSV = 0x5600,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, RFC 8422
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, RFC 8422
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a,
        /// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, RFC 8422
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013,
        /// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, RFC 8422
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, RFC 5289
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xc023,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, RFC 5289
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xc024,
        /// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, RFC 5289
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xc027,
        /// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, RFC 5289
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xc028,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, RFC 5289
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, RFC 5289
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
        /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, RFC 5289
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
        /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, RFC 5289
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
        /// TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, RFC 5489
        TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256 = 0xc037,
        /// TLS_PSK_WITH_AES_128_CCM, RFC 6655
        TLS_PSK_WITH_AES_128_CCM = 0xc0a4,
        /// TLS_PSK_WITH_AES_128_CCM_8, RFC 6655
        TLS_PSK_WITH_AES_128_CCM_8 = 0xc0a8,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CCM, RFC 7251
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xc0ac,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, RFC 7251
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xc0ae,
        /// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, RFC 7905
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
        /// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, RFC 7905
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
        /// TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256, RFC 7905 (not implemented by sanstls)
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xccaa,
        /// TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256, RFC 7905
        TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccac,
    }
}

/// The key exchange of a TLS 1.2 suite, as far as the wire format depends on it
/// (ServerKeyExchange and ClientKeyExchange bodies, RFC 5246 §7.4.3 and §7.4.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// RSA key transport: no ServerKeyExchange; the client sends an encrypted premaster.
    Rsa,
    /// Ephemeral Diffie-Hellman signed with RSA.
    DheRsa,
    /// Ephemeral elliptic-curve Diffie-Hellman signed with RSA (RFC 8422 §2.1).
    EcdheRsa,
    /// Ephemeral elliptic-curve Diffie-Hellman signed with ECDSA (RFC 8422 §2.1).
    EcdheEcdsa,
    /// A pre-shared key alone (RFC 4279 §2): no certificates; the ServerKeyExchange (a
    /// PSK identity hint) is optional, the ClientKeyExchange names the PSK identity.
    Psk,
    /// Ephemeral Diffie-Hellman authenticated by a pre-shared key (RFC 4279 §3).
    DhePsk,
    /// Ephemeral elliptic-curve Diffie-Hellman authenticated by a pre-shared key (RFC
    /// 5489 §2).
    EcdhePsk,
}

impl KeyExchange {
    /// Whether the key exchange is ECDHE (RFC 8422): the ServerKeyExchange carries
    /// `ServerECDHParams`, the ClientKeyExchange an EC point.
    pub const fn is_ecdhe(self) -> bool {
        matches!(
            self,
            KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa | KeyExchange::EcdhePsk
        )
    }

    /// Whether the key exchange is finite-field DHE (DHE_RSA, DHE_PSK): the
    /// ServerKeyExchange carries `ServerDHParams`, the ClientKeyExchange `dh_Yc`.
    pub const fn is_dhe(self) -> bool {
        matches!(self, KeyExchange::DheRsa | KeyExchange::DhePsk)
    }

    /// Whether a pre-shared key authenticates the handshake (RFC 4279, RFC 5489): no
    /// Certificate or CertificateRequest is sent, the ServerKeyExchange is not signed.
    pub const fn is_psk(self) -> bool {
        matches!(
            self,
            KeyExchange::Psk | KeyExchange::DhePsk | KeyExchange::EcdhePsk
        )
    }

    /// Whether the server signs with an ECDSA key (its certificate's key is EC).
    pub const fn is_ecdsa(self) -> bool {
        matches!(self, KeyExchange::EcdheEcdsa)
    }
}

impl CipherSuite {
    /// The key exchange of the suites sanstls implements; `None` for any other.
    pub const fn key_exchange(self) -> Option<KeyExchange> {
        match self.0 {
            0x002f | 0x0035 | 0x003c | 0x003d | 0x009c | 0x009d => Some(KeyExchange::Rsa),
            0x0033 | 0x0039 | 0x0067 | 0x006b | 0x009e | 0x009f => Some(KeyExchange::DheRsa),
            0xc013 | 0xc014 | 0xc027 | 0xc028 | 0xc02f | 0xc030 | 0xcca8 => {
                Some(KeyExchange::EcdheRsa)
            }
            0xc009 | 0xc00a | 0xc023 | 0xc024 | 0xc02b | 0xc02c | 0xcca9 | 0xc0ac | 0xc0ae => {
                Some(KeyExchange::EcdheEcdsa)
            }
            0x00a8 | 0x00a9 | 0x00ae | 0xc0a4 | 0xc0a8 => Some(KeyExchange::Psk),
            0x00b2 => Some(KeyExchange::DhePsk),
            0xc037 | 0xccac => Some(KeyExchange::EcdhePsk),
            _ => None,
        }
    }

    /// Whether this value is one of the two signalling values (RFC 5746, RFC 7507).
    pub const fn is_scsv(self) -> bool {
        matches!(self.0, 0x00ff | 0x5600)
    }
}

open_enum! {
    /// Extension type (RFC 5246 §7.4.1.4 and the IANA registry).
    ExtensionType(u16) {
        /// server_name(0), RFC 6066
        SERVER_NAME = 0,
        /// max_fragment_length(1), RFC 6066
        MAX_FRAGMENT_LENGTH = 1,
        /// status_request(5), RFC 6066
        STATUS_REQUEST = 5,
        /// supported_groups(10), RFC 7919 / RFC 8422
        SUPPORTED_GROUPS = 10,
        /// ec_point_formats(11), RFC 8422
        EC_POINT_FORMATS = 11,
        /// signature_algorithms(13), RFC 5246
        SIGNATURE_ALGORITHMS = 13,
        /// application_layer_protocol_negotiation(16), RFC 7301
        ALPN = 16,
        /// signed_certificate_timestamp(18), RFC 6962
        SIGNED_CERTIFICATE_TIMESTAMP = 18,
        /// padding(21), RFC 7685
        PADDING = 21,
        /// encrypt_then_mac(22), RFC 7366
        ENCRYPT_THEN_MAC = 22,
        /// extended_master_secret(23), RFC 7627
        EXTENDED_MASTER_SECRET = 23,
        /// record_size_limit(28), RFC 8449
        RECORD_SIZE_LIMIT = 28,
        /// session_ticket(35), RFC 5077
        SESSION_TICKET = 35,
        /// pre_shared_key(41), TLS 1.3
        PRE_SHARED_KEY = 41,
        /// early_data(42), TLS 1.3
        EARLY_DATA = 42,
        /// supported_versions(43), TLS 1.3
        SUPPORTED_VERSIONS = 43,
        /// cookie(44), TLS 1.3
        COOKIE = 44,
        /// psk_key_exchange_modes(45), TLS 1.3
        PSK_KEY_EXCHANGE_MODES = 45,
        /// certificate_authorities(47), TLS 1.3
        CERTIFICATE_AUTHORITIES = 47,
        /// oid_filters(48), TLS 1.3
        OID_FILTERS = 48,
        /// post_handshake_auth(49), TLS 1.3
        POST_HANDSHAKE_AUTH = 49,
        /// signature_algorithms_cert(50), RFC 8446
        SIGNATURE_ALGORITHMS_CERT = 50,
        /// key_share(51), TLS 1.3
        KEY_SHARE = 51,
        /// renegotiation_info(0xff01), RFC 5746
        RENEGOTIATION_INFO = 0xff01,
    }
}

open_enum! {
    /// Named group (RFC 8422 §5.1.1, RFC 7919 §2).
    NamedGroup(u16) {
        /// secp256r1(23)
        SECP256R1 = 23,
        /// secp384r1(24)
        SECP384R1 = 24,
        /// secp521r1(25)
        SECP521R1 = 25,
        /// x25519(29)
        X25519 = 29,
        /// x448(30)
        X448 = 30,
        /// ffdhe2048(256)
        FFDHE2048 = 256,
        /// ffdhe3072(257)
        FFDHE3072 = 257,
        /// ffdhe4096(258)
        FFDHE4096 = 258,
        /// ffdhe6144(259)
        FFDHE6144 = 259,
        /// ffdhe8192(260)
        FFDHE8192 = 260,
    }
}

impl NamedGroup {
    /// Whether this is one of the RFC 7919 finite-field groups (0x0100..=0x01ff are
    /// reserved for them, RFC 7919 §2).
    pub const fn is_ffdhe(self) -> bool {
        self.0 >> 8 == 1
    }
}

open_enum! {
    /// A TLS 1.2 `SignatureAndHashAlgorithm` pair (RFC 5246 §7.4.1.4.1) read as one `u16`,
    /// named as the TLS 1.3 `SignatureScheme` registry names it (RFC 8446 §4.2.3): the
    /// high byte is the hash, the low byte the signature algorithm.
    SignatureScheme(u16) {
        /// {md5, rsa}
        RSA_PKCS1_MD5 = 0x0101,
        /// {sha1, rsa}
        RSA_PKCS1_SHA1 = 0x0201,
        /// {sha1, dsa}
        DSA_SHA1 = 0x0202,
        /// {sha1, ecdsa}
        ECDSA_SHA1 = 0x0203,
        /// {sha224, rsa}
        RSA_PKCS1_SHA224 = 0x0301,
        /// {sha256, rsa}
        RSA_PKCS1_SHA256 = 0x0401,
        /// {sha256, dsa}
        DSA_SHA256 = 0x0402,
        /// {sha256, ecdsa}
        ECDSA_SECP256R1_SHA256 = 0x0403,
        /// {sha384, rsa}
        RSA_PKCS1_SHA384 = 0x0501,
        /// {sha384, ecdsa}
        ECDSA_SECP384R1_SHA384 = 0x0503,
        /// {sha512, rsa}
        RSA_PKCS1_SHA512 = 0x0601,
        /// {sha512, ecdsa}
        ECDSA_SECP521R1_SHA512 = 0x0603,
        /// rsa_pss_rsae_sha256
        RSA_PSS_RSAE_SHA256 = 0x0804,
        /// rsa_pss_rsae_sha384
        RSA_PSS_RSAE_SHA384 = 0x0805,
        /// rsa_pss_rsae_sha512
        RSA_PSS_RSAE_SHA512 = 0x0806,
        /// ed25519
        ED25519 = 0x0807,
        /// ed448
        ED448 = 0x0808,
        /// rsa_pss_pss_sha256
        RSA_PSS_PSS_SHA256 = 0x0809,
        /// rsa_pss_pss_sha384
        RSA_PSS_PSS_SHA384 = 0x080a,
        /// rsa_pss_pss_sha512
        RSA_PSS_PSS_SHA512 = 0x080b,
    }
}

impl SignatureScheme {
    /// The `HashAlgorithm` byte of the TLS 1.2 pair.
    pub const fn hash(self) -> u8 {
        (self.0 >> 8) as u8
    }
    /// The `SignatureAlgorithm` byte of the TLS 1.2 pair.
    pub const fn signature(self) -> u8 {
        self.0 as u8
    }
    /// Builds the value from a TLS 1.2 `{hash, signature}` pair.
    pub const fn from_pair(hash: u8, signature: u8) -> Self {
        Self(((hash as u16) << 8) | signature as u16)
    }
}

open_enum! {
    /// Compression method (RFC 5246 §7.4.1.2, RFC 3749).
    CompressionMethod(u8) {
        /// null(0)
        NULL = 0,
        /// DEFLATE(1), RFC 3749; never accepted by sanstls.
        DEFLATE = 1,
    }
}

open_enum! {
    /// EC point format (RFC 8422 §5.1.2).
    EcPointFormat(u8) {
        /// uncompressed(0)
        UNCOMPRESSED = 0,
        /// ansiX962_compressed_prime(1), deprecated
        ANSIX962_COMPRESSED_PRIME = 1,
        /// ansiX962_compressed_char2(2), deprecated
        ANSIX962_COMPRESSED_CHAR2 = 2,
    }
}

open_enum! {
    /// Server name type (RFC 6066 §3).
    NameType(u8) {
        /// host_name(0)
        HOST_NAME = 0,
    }
}

open_enum! {
    /// Certificate status type (RFC 6066 §8).
    CertificateStatusType(u8) {
        /// ocsp(1)
        OCSP = 1,
    }
}

open_enum! {
    /// Client certificate type in a CertificateRequest (RFC 5246 §7.4.4).
    ClientCertificateType(u8) {
        /// rsa_sign(1)
        RSA_SIGN = 1,
        /// dss_sign(2)
        DSS_SIGN = 2,
        /// rsa_fixed_dh(3)
        RSA_FIXED_DH = 3,
        /// dss_fixed_dh(4)
        DSS_FIXED_DH = 4,
        /// ecdsa_sign(64), RFC 8422
        ECDSA_SIGN = 64,
    }
}

/// The max_fragment_length values of RFC 6066 §4 (`2^9` .. `2^12`). Only 1..=4 are
/// valid; anything else is rejected when decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaxFragmentLength {
    /// 2^9 = 512 bytes
    L512 = 1,
    /// 2^10 = 1024 bytes
    L1024 = 2,
    /// 2^11 = 2048 bytes
    L2048 = 3,
    /// 2^12 = 4096 bytes
    L4096 = 4,
}

impl MaxFragmentLength {
    /// The fragment length in bytes.
    pub const fn bytes(self) -> usize {
        256 << (self as u8)
    }

    /// The value for a wire byte, if it is one of 1..=4.
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::L512),
            2 => Some(Self::L1024),
            3 => Some(Self::L2048),
            4 => Some(Self::L4096),
            _ => None,
        }
    }
}

impl<'a> Codec<'a> for MaxFragmentLength {
    const FIXED_SIZE: Option<usize> = Some(1);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let v = r.u8()?;
        // RFC 6066 §4: a value other than the allowed ones MUST be answered with an
        // illegal_parameter alert.
        Self::from_u8(v).ok_or(DecodeError::InvalidMaxFragmentLength(v))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u8(*self as u8)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    #[test]
    fn known_and_unknown_print() {
        assert_eq!(
            format!("{:?}", CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
            "TLS_RSA_WITH_AES_128_CBC_SHA"
        );
        assert_eq!(format!("{:?}", CipherSuite(0xabcd)), "CipherSuite(0xabcd)");
        assert_eq!(format!("{:?}", CipherSuite(0x0a)), "CipherSuite(0x000a)");
        assert_eq!(format!("{:?}", ContentType(99)), "ContentType(0x63)");
        assert!(!ContentType(99).is_known());
        assert!(ContentType::HANDSHAKE.is_known());
    }

    #[test]
    fn unknown_values_round_trip() {
        let v = CipherSuite::decode(&[0xfe, 0xed]).unwrap();
        assert_eq!(v, CipherSuite(0xfeed));
        assert_eq!(v.to_vec().unwrap(), [0xfe, 0xed]);
        assert_eq!(CipherSuite::decode(&[0xfe]), Err(DecodeError::Truncated));
    }

    #[test]
    fn suites_and_helpers() {
        for s in CipherSuite::KNOWN {
            let kx = s.key_exchange();
            let implemented = matches!(
                s.0,
                0x2f | 0x35 | 0x3c | 0x3d | 0x33 | 0x39 | 0x67 | 0x6b | 0x9c
                    ..=0x9f
                        | 0xc009
                        | 0xc00a
                        | 0xc013
                        | 0xc014
                        | 0xc023
                        | 0xc024
                        | 0xc027
                        | 0xc028
                        | 0xc02b
                        | 0xc02c
                        | 0xc02f
                        | 0xc030
                        | 0xcca8
                        | 0xcca9
                        // The PSK suites (RFC 5487, RFC 5489, RFC 6655, RFC 7905) and
                        // ECDSA's CCM (RFC 7251).
                        | 0xa8
                        | 0xa9
                        | 0xae
                        | 0xb2
                        | 0xc037
                        | 0xc0a4
                        | 0xc0a8
                        | 0xc0ac
                        | 0xc0ae
                        | 0xccac
            );
            assert_eq!(kx.is_some(), implemented, "{s:?}");
        }
        assert!(CipherSuite::TLS_FALLBACK_SCSV.is_scsv());
        assert!(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV.is_scsv());
        assert_eq!(ProtocolVersion::TLS12.major(), 3);
        assert_eq!(ProtocolVersion::TLS11.to_string(), "TLS 1.1");
        assert_eq!(ProtocolVersion::TLS13.to_string(), "TLS 1.3");
        assert_eq!(ProtocolVersion::SSL3.to_string(), "SSL 3.0");
        assert_eq!(ProtocolVersion(0x0305).to_string(), "version 0x0305");
        assert_eq!(ProtocolVersion(0xfefd).to_string(), "version 0xfefd");
        assert_eq!(ProtocolVersion::TLS12.minor(), 3);
        assert_eq!(
            SignatureScheme::from_pair(4, 1),
            SignatureScheme::RSA_PKCS1_SHA256
        );
        assert_eq!(SignatureScheme::RSA_PKCS1_SHA384.hash(), 5);
        assert_eq!(SignatureScheme::ECDSA_SECP256R1_SHA256.signature(), 3);
        assert!(NamedGroup::FFDHE2048.is_ffdhe());
        assert!(!NamedGroup::X25519.is_ffdhe());
    }

    #[test]
    fn max_fragment_length_values() {
        assert_eq!(MaxFragmentLength::L512.bytes(), 512);
        assert_eq!(MaxFragmentLength::L4096.bytes(), 4096);
        for v in [0u8, 5, 255] {
            assert_eq!(
                MaxFragmentLength::decode(&[v]),
                Err(DecodeError::InvalidMaxFragmentLength(v))
            );
        }
        assert_eq!(
            MaxFragmentLength::decode(&[3]),
            Ok(MaxFragmentLength::L2048)
        );
    }
}
