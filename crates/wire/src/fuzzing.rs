//! Entry points for the cargo-fuzz targets in `fuzz/`. Not a stable API.
//!
//! Each function takes arbitrary bytes, decodes them, and for every successful decode
//! checks that encoding gives back exactly the input (every decoder here is strict, so
//! a decodable input is canonical) and that decoding the encoding gives an equal value.
//! A failed check panics, which is what the fuzzer reports.

use alloc::vec::Vec;

use crate::alert::{Alert, ChangeCipherSpec};
use crate::codec::Codec;
use crate::enums::{ContentType, KeyExchange};
use crate::extensions::{ClientExtensions, ServerExtensions};
use crate::handshake::HandshakeMessage;
use crate::reassembler::{Limits, Reassembler};
use crate::record::{Record, RecordHeader, RecordStage};
use crate::writer::Writer;

macro_rules! round_trip {
    ($t:ty, $input:expr) => {{
        let input: &[u8] = $input;
        if let Ok(v) = <$t>::decode(input) {
            let out = v.to_vec().expect("encoding a decoded value");
            assert_eq!(out, input, "re-encoding differs from the input");
            let again = <$t>::decode(&out).expect("decoding an encoding");
            assert_eq!(again, v);
        }
    }};
}

fn kx_from(selector: u8) -> Option<KeyExchange> {
    match selector % 8 {
        0 => None,
        1 => Some(KeyExchange::Rsa),
        2 => Some(KeyExchange::DheRsa),
        3 => Some(KeyExchange::EcdheRsa),
        5 => Some(KeyExchange::Psk),
        6 => Some(KeyExchange::DhePsk),
        7 => Some(KeyExchange::EcdhePsk),
        _ => Some(KeyExchange::EcdheEcdsa),
    }
}

fn handshake_round_trip(bytes: &[u8], kx: Option<KeyExchange>) {
    let Ok(msg) = HandshakeMessage::decode(bytes, kx) else {
        return;
    };
    let out = msg.to_vec().expect("encoding a decoded message");
    assert_eq!(out, bytes, "re-encoding differs from the input");
    let again = HandshakeMessage::decode(&out, kx).expect("decoding an encoding");
    assert_eq!(again, msg);
}

/// A stream of records: each header and fragment is split off, re-encoded and compared;
/// Alert and ChangeCipherSpec fragments are decoded too.
pub fn record(data: &[u8]) {
    let mut rest = data;
    while let Ok(Some((rec, used))) = Record::split(rest) {
        let mut out = Vec::new();
        Record::write_parts(
            &mut Writer::vec(&mut out),
            rec.header.content_type,
            rec.header.version,
            rec.fragment,
        )
        .expect("encoding a record");
        assert_eq!(out, &rest[..used]);
        let _ = rec.header.check_length(RecordStage::Plaintext);
        let _ = RecordHeader::check_plaintext(rec.header.content_type, rec.fragment.len());
        match rec.header.content_type {
            ContentType::ALERT => round_trip!(Alert, rec.fragment),
            ContentType::CHANGE_CIPHER_SPEC => round_trip!(ChangeCipherSpec, rec.fragment),
            _ => {}
        }
        rest = &rest[used..];
    }
    round_trip!(RecordHeader, data.get(..5).unwrap_or(data));
}

/// One handshake message (header and body), dispatched on its type byte. The first input
/// byte picks the negotiated key exchange (none, RSA, DHE_RSA).
pub fn handshake(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    handshake_round_trip(bytes, kx_from(selector));
}

/// An extensions block; the first input byte picks ClientHello (even) or ServerHello
/// (odd) rules.
pub fn extensions(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        round_trip!(ClientExtensions<'_>, bytes);
    } else {
        round_trip!(ServerExtensions<'_>, bytes);
    }
}

/// The reassembler fed with the input cut into chunks. The first two bytes choose the
/// chunk sizes and the key exchange; small limits are used so that the bounds are hit.
/// Every message that comes out must be the next slice of the input, and is decoded
/// and round-tripped.
pub fn reassembler(data: &[u8]) {
    let [seed, selector, stream @ ..] = data else {
        return;
    };
    let kx = kx_from(*selector);
    let limits = Limits {
        max_message: 2048,
        max_certificate: 4096,
    };
    let mut storage = [0u8; 4096 + 4 + 512];
    let mut fixed = Reassembler::with_buffer(&mut storage, limits);
    let mut growing = Reassembler::new(limits);
    let mut expected = stream;
    let mut chunks = stream;
    let mut step = usize::from(*seed % 64) + 1;
    while !chunks.is_empty() {
        let n = step.min(chunks.len());
        let (chunk, tail) = chunks.split_at(n);
        chunks = tail;
        step = step * 7 % 97 + 1;
        let a = fixed.push(chunk);
        let b = growing.push(chunk);
        if a.is_err() || b.is_err() {
            return;
        }
        loop {
            let fa = fixed.next_message();
            let fb = growing.next_message();
            assert_eq!(fa, fb, "fixed and growing buffers disagree");
            let Ok(Some(frame)) = fa else { break };
            assert_eq!(frame.raw, &expected[..frame.raw.len()]);
            expected = &expected[frame.raw.len()..];
            handshake_round_trip(frame.raw, kx);
        }
    }
    assert_eq!(fixed.has_partial(), !expected.is_empty());
    assert_eq!(fixed.check_boundary().is_err(), !expected.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_accept_anything() {
        for data in [
            &[][..],
            &[0],
            &[1, 2],
            &[22, 3, 3, 0, 1, 0],
            &[21, 3, 3, 0, 2, 2, 40, 20, 3, 3, 0, 1, 1],
            &[2, 14, 0, 0, 0],
            &[0, 0, 0],
            &[1, 0, 0],
            &[5, 2, 14, 0, 0, 0, 0, 0, 0, 0, 20, 0],
        ] {
            record(data);
            handshake(data);
            extensions(data);
            reassembler(data);
        }
    }
}
