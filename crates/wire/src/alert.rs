//! Alert (RFC 5246 §7.2) and ChangeCipherSpec (RFC 5246 §7.1) messages.

use crate::codec::Codec;
use crate::enums::{AlertDescription, AlertLevel};
use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;
use crate::writer::Writer;

/// An alert: level and description, exactly two bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// warning or fatal (unknown levels are kept; the caller decides).
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert.
    pub const fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::FATAL,
            description,
        }
    }
}

impl<'a> Codec<'a> for Alert {
    const FIXED_SIZE: Option<usize> = Some(2);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            level: AlertLevel::read(r)?,
            description: AlertDescription::read(r)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.level.write(w)?;
        self.description.write(w)
    }
}

/// The ChangeCipherSpec message: one byte, `0x01`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangeCipherSpec;

impl<'a> Codec<'a> for ChangeCipherSpec {
    const FIXED_SIZE: Option<usize> = Some(1);
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        // RFC 5246 §7.1: "The message consists of a single byte of value 1."
        match r.u8()? {
            1 => Ok(Self),
            _ => Err(DecodeError::InvalidChangeCipherSpec),
        }
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.u8(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_bytes() {
        let a = Alert::decode(&[2, 40]).unwrap();
        assert_eq!(a, Alert::fatal(AlertDescription::HANDSHAKE_FAILURE));
        let mut b = [0u8; 2];
        a.encode_into(&mut b).unwrap();
        assert_eq!(b, [2, 40]);
        assert_eq!(Alert::decode(&[2]), Err(DecodeError::Truncated));
        assert_eq!(Alert::decode(&[]), Err(DecodeError::Truncated));
        assert_eq!(Alert::decode(&[2, 40, 0]), Err(DecodeError::TrailingBytes));
        // Unknown values survive.
        let a = Alert::decode(&[7, 250]).unwrap();
        assert_eq!((a.level.0, a.description.0), (7, 250));
    }

    #[test]
    fn change_cipher_spec_is_one_byte_of_one() {
        assert_eq!(ChangeCipherSpec::decode(&[1]), Ok(ChangeCipherSpec));
        assert_eq!(
            ChangeCipherSpec::decode(&[0]),
            Err(DecodeError::InvalidChangeCipherSpec)
        );
        assert_eq!(
            ChangeCipherSpec::decode(&[2]),
            Err(DecodeError::InvalidChangeCipherSpec)
        );
        assert_eq!(ChangeCipherSpec::decode(&[]), Err(DecodeError::Truncated));
        assert_eq!(
            ChangeCipherSpec::decode(&[1, 1]),
            Err(DecodeError::TrailingBytes)
        );
        assert_eq!(
            DecodeError::InvalidChangeCipherSpec.alert(),
            AlertDescription::DECODE_ERROR
        );
    }
}
