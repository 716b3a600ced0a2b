//! Certificate, CertificateRequest and the signed structures (RFC 5246 §7.4.2, §7.4.4,
//! §7.4.8, §4.7).

use crate::codec::{Codec, List, Opaque, OpaqueSpec, VecSpec};
use crate::enums::{ClientCertificateType, SignatureScheme};
use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

/// The shape of `opaque ASN.1Cert<1..2^24-1>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateSpec;
impl OpaqueSpec for CertificateSpec {
    const PREFIX: LengthPrefix = LengthPrefix::U24;
    const MIN: usize = 1;
}
/// One DER certificate of a chain (not parsed here).
pub type CertificateDer<'a> = Opaque<'a, CertificateSpec>;

/// The shape of `opaque DistinguishedName<1..2^16-1>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistinguishedNameSpec;
impl OpaqueSpec for DistinguishedNameSpec {
    const PREFIX: LengthPrefix = LengthPrefix::U16;
    const MIN: usize = 1;
}
/// A DER distinguished name of a certificate authority (not parsed here).
pub type DistinguishedName<'a> = Opaque<'a, DistinguishedNameSpec>;

/// The Certificate message: `ASN.1Cert certificate_list<0..2^24-1>`, sender's
/// certificate first. An empty list is valid (a client without a certificate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// The chain.
    pub certificates: List<'a, CertificateDer<'a>>,
}

impl<'a> Codec<'a> for Certificate<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            certificates: List::read_spec(r, VecSpec::new(LengthPrefix::U24, 0, 0x00ff_ffff))?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.certificates.write_prefixed(w, LengthPrefix::U24)
    }
}

/// The CertificateRequest message of TLS 1.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    /// `certificate_types<1..2^8-1>`.
    pub certificate_types: List<'a, ClientCertificateType>,
    /// `supported_signature_algorithms<2..2^16-2>`.
    pub signature_algorithms: List<'a, SignatureScheme>,
    /// `certificate_authorities<0..2^16-1>`.
    pub certificate_authorities: List<'a, DistinguishedName<'a>>,
}

impl<'a> Codec<'a> for CertificateRequest<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            certificate_types: List::read_spec(r, VecSpec::new(LengthPrefix::U8, 1, 0xff))?,
            signature_algorithms: List::read_spec(r, VecSpec::new(LengthPrefix::U16, 2, 0xfffe))?,
            certificate_authorities: List::read_spec(
                r,
                VecSpec::new(LengthPrefix::U16, 0, 0xffff),
            )?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.certificate_types.write_prefixed(w, LengthPrefix::U8)?;
        self.signature_algorithms
            .write_prefixed(w, LengthPrefix::U16)?;
        self.certificate_authorities
            .write_prefixed(w, LengthPrefix::U16)
    }
}

/// `digitally-signed` of TLS 1.2 (RFC 5246 §4.7): the algorithm pair and the signature.
/// It is the whole body of CertificateVerify (§7.4.8) and ends a ServerKeyExchange.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DigitallySigned<'a> {
    /// The `SignatureAndHashAlgorithm`.
    pub scheme: SignatureScheme,
    /// `opaque signature<0..2^16-1>`.
    pub signature: &'a [u8],
}

impl core::fmt::Debug for DigitallySigned<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DigitallySigned")
            .field("scheme", &self.scheme)
            .field("signature_len", &self.signature.len())
            .finish()
    }
}

impl<'a> Codec<'a> for DigitallySigned<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            scheme: SignatureScheme::read(r)?,
            signature: r.vector(LengthPrefix::U16, 0, 0xffff)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.scheme.write(w)?;
        w.vector(LengthPrefix::U16, self.signature)
    }
}
