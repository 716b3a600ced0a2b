//! Finished (RFC 5246 §7.4.9) and NewSessionTicket (RFC 5077 §3.3).

use crate::codec::Codec;
use crate::error::{DecodeError, EncodeError};
use crate::reader::{LengthPrefix, Reader};
use crate::writer::Writer;

/// The length of `verify_data` for every TLS 1.2 suite sanstls knows (RFC 5246 §7.4.9:
/// "verify_data_length ... Any cipher suite which does not explicitly specify
/// verify_data_length has a verify_data_length equal to 12").
pub const VERIFY_DATA_LEN: usize = 12;

/// The Finished message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finished<'a> {
    /// `verify_data`, 12 bytes.
    pub verify_data: &'a [u8],
}

impl<'a> Codec<'a> for Finished<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let verify_data = r.rest();
        if verify_data.len() != VERIFY_DATA_LEN {
            return Err(DecodeError::InvalidLength);
        }
        Ok(Self { verify_data })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.put(self.verify_data)
    }
}

/// The NewSessionTicket message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewSessionTicket<'a> {
    /// `ticket_lifetime_hint` in seconds (0: unspecified).
    pub lifetime_hint: u32,
    /// `opaque ticket<0..2^16-1>`.
    pub ticket: &'a [u8],
}

impl<'a> Codec<'a> for NewSessionTicket<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            lifetime_hint: r.u32()?,
            ticket: r.vector(LengthPrefix::U16, 0, 0xffff)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u32(self.lifetime_hint)?;
        w.vector(LengthPrefix::U16, self.ticket)
    }
}
