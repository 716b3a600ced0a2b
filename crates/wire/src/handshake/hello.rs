//! ClientHello and ServerHello (RFC 5246 §7.4.1.2, §7.4.1.3).

use core::fmt;

use crate::codec::{Codec, List, VecSpec};
use crate::enums::{CipherSuite, CompressionMethod, ProtocolVersion};
use crate::error::{DecodeError, EncodeError};
use crate::extensions::{ClientExtensions, ServerExtensions};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

/// The 32 random bytes of a hello.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Random(pub [u8; 32]);

impl fmt::Debug for Random {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Random(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl<'a> Codec<'a> for Random {
    const FIXED_SIZE: Option<usize> = Some(32);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self(r.array()?))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.put(&self.0)
    }
}

/// `opaque SessionID<0..32>`.
fn read_session_id<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    r.vector(LengthPrefix::U8, 0, 32)
}

const CIPHER_SUITES: VecSpec = VecSpec::new(LengthPrefix::U16, 2, 0xfffe);
const COMPRESSION_METHODS: VecSpec = VecSpec::new(LengthPrefix::U8, 1, 0xff);

/// A ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// The highest version the client supports.
    pub client_version: ProtocolVersion,
    /// Client random.
    pub random: Random,
    /// `SessionID<0..32>`: empty, or a session to resume.
    pub session_id: &'a [u8],
    /// `cipher_suites<2..2^16-2>`, including any signalling values.
    pub cipher_suites: List<'a, CipherSuite>,
    /// `compression_methods<1..2^8-1>`, which must include `null`.
    pub compression_methods: List<'a, CompressionMethod>,
    /// The extensions block, `None` when the hello ends after the compression methods.
    pub extensions: Option<ClientExtensions<'a>>,
}

impl ClientHello<'_> {
    /// Whether the client offers `suite` (or sends the signalling value).
    pub fn offers(&self, suite: CipherSuite) -> bool {
        self.cipher_suites.contains(&suite)
    }

    /// Whether the client offers TLS 1.3 through supported_versions (RFC 8446 §4.2.1).
    pub fn offers_tls13(&self) -> bool {
        self.extensions
            .and_then(|e| e.supported_versions())
            .is_some_and(|v| v.contains(&ProtocolVersion::TLS13))
    }
}

impl<'a> Codec<'a> for ClientHello<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let client_version = ProtocolVersion::read(r)?;
        let random = Random::read(r)?;
        let session_id = read_session_id(r)?;
        let cipher_suites = List::read_spec(r, CIPHER_SUITES)?;
        let compression_methods: List<'a, CompressionMethod> =
            List::read_spec(r, COMPRESSION_METHODS)?;
        // RFC 5246 §7.4.1.2: "this vector MUST contain, and all implementations MUST
        // support, CompressionMethod.null".
        if !compression_methods.contains(&CompressionMethod::NULL) {
            return Err(DecodeError::NoNullCompression);
        }
        // RFC 5246 §7.4.1.2: extensions are present exactly when bytes follow the
        // compression methods.
        let extensions = if r.is_empty() {
            None
        } else {
            Some(ClientExtensions::read(r)?)
        };
        Ok(Self {
            client_version,
            random,
            session_id,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.client_version.write(w)?;
        self.random.write(w)?;
        w.vector(LengthPrefix::U8, self.session_id)?;
        self.cipher_suites.write_prefixed(w, LengthPrefix::U16)?;
        self.compression_methods
            .write_prefixed(w, LengthPrefix::U8)?;
        if let Some(e) = &self.extensions {
            e.write(w)?;
        }
        Ok(())
    }
}

/// A ServerHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// The version the server selected.
    pub server_version: ProtocolVersion,
    /// Server random.
    pub random: Random,
    /// `SessionID<0..32>`.
    pub session_id: &'a [u8],
    /// The selected suite.
    pub cipher_suite: CipherSuite,
    /// The selected compression method.
    pub compression_method: CompressionMethod,
    /// The extensions block, `None` when the hello ends after the compression method.
    pub extensions: Option<ServerExtensions<'a>>,
}

impl<'a> Codec<'a> for ServerHello<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let server_version = ProtocolVersion::read(r)?;
        let random = Random::read(r)?;
        let session_id = read_session_id(r)?;
        let cipher_suite = CipherSuite::read(r)?;
        let compression_method = CompressionMethod::read(r)?;
        let extensions = if r.is_empty() {
            None
        } else {
            Some(ServerExtensions::read(r)?)
        };
        Ok(Self {
            server_version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.server_version.write(w)?;
        self.random.write(w)?;
        w.vector(LengthPrefix::U8, self.session_id)?;
        self.cipher_suite.write(w)?;
        self.compression_method.write(w)?;
        if let Some(e) = &self.extensions {
            e.write(w)?;
        }
        Ok(())
    }
}
