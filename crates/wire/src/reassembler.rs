//! Joining and splitting handshake messages across records (RFC 5246 §6.2.1, §7.4).
//!
//! "Multiple client messages of the same ContentType MAY be coalesced into a single
//! TLSPlaintext record, or a single message MAY be fragmented across several records."
//! The [`Reassembler`] takes handshake-record payloads split anywhere and yields whole
//! messages. It keeps one buffer, bounded by its [`Limits`]: a message whose header
//! announces more than the bound for its type is refused as soon as the header is seen,
//! and the buffer only grows with bytes that actually arrived.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use crate::enums::HandshakeType;
use crate::error::DecodeError;
use crate::handshake::HEADER_LEN;
use crate::record::MAX_PLAINTEXT_LEN;

/// Upper bounds on handshake message bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest body of any message other than Certificate. Default 64 KiB.
    pub max_message: u32,
    /// The largest body of a Certificate message. Default 128 KiB.
    pub max_certificate: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message: 64 * 1024,
            max_certificate: 128 * 1024,
        }
    }
}

impl Limits {
    /// The bound for messages of type `typ`.
    pub fn max_for(&self, typ: HandshakeType) -> u32 {
        if typ == HandshakeType::CERTIFICATE {
            self.max_certificate
        } else {
            self.max_message
        }
    }

    /// The buffer a reassembler needs for these limits when the caller takes every
    /// complete message after each push: the largest message with its header, plus one
    /// plaintext record's worth of following bytes.
    pub fn buffer_len(&self) -> usize {
        (self.max_message.max(self.max_certificate) as usize)
            .saturating_add(HEADER_LEN + MAX_PLAINTEXT_LEN)
    }
}

/// Why [`Reassembler::push`] refused a fragment: the peer's bytes break a rule, or the
/// local storage cannot hold them (not the peer's fault: a caller's fixed buffer smaller
/// than the limits need).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushError {
    /// The bytes break a rule (a message over its bound, say); the alert is the
    /// decode error's.
    Decode(DecodeError),
    /// The reassembly storage is full.
    BufferFull,
    /// Growing the reassembly storage to `needed` bytes failed: the heap cannot hold
    /// them (a growable buffer reserves its room fallibly, so a device whose heap runs
    /// out gets this error instead of an abort).
    OutOfMemory {
        /// The size the storage needed to grow to.
        needed: usize,
    },
}

impl From<DecodeError> for PushError {
    fn from(e: DecodeError) -> Self {
        PushError::Decode(e)
    }
}

impl core::fmt::Display for PushError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PushError::Decode(e) => e.fmt(f),
            PushError::BufferFull => f.write_str("reassembly buffer full"),
            PushError::OutOfMemory { needed } => write!(
                f,
                "out of memory: the handshake reassembly buffer could not grow to {needed} bytes"
            ),
        }
    }
}

impl core::error::Error for PushError {}

/// Why a [`Buffer`] refused to take more bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// The storage is full: the bytes would go past its capacity or the cap.
    Full,
    /// The storage could not grow to `needed` bytes: the allocator refused.
    OutOfMemory {
        /// The size the storage needed to grow to.
        needed: usize,
    },
}

/// Storage for a [`Reassembler`]: a fixed slice, or a `Vec` (feature `alloc`) that grows
/// with received bytes up to [`Limits::buffer_len`].
pub trait Buffer {
    /// The bytes held.
    fn bytes(&self) -> &[u8];
    /// Appends `data`, failing past `cap` bytes.
    fn append(&mut self, data: &[u8], cap: usize) -> Result<(), StorageError>;
    /// Drops the first `n` bytes.
    fn discard_front(&mut self, n: usize);
}

/// A caller's slice used as reassembly storage.
pub struct FixedBuffer<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> FixedBuffer<'b> {
    /// Wraps `buf` (initially empty).
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }
}

impl Buffer for FixedBuffer<'_> {
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    fn append(&mut self, data: &[u8], cap: usize) -> Result<(), StorageError> {
        let end = self.len + data.len();
        if end > cap {
            return Err(StorageError::Full);
        }
        let dst = self.buf.get_mut(self.len..end).ok_or(StorageError::Full)?;
        dst.copy_from_slice(data);
        self.len = end;
        Ok(())
    }
    fn discard_front(&mut self, n: usize) {
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }
}

#[cfg(feature = "alloc")]
impl Buffer for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
    fn append(&mut self, data: &[u8], cap: usize) -> Result<(), StorageError> {
        let needed = self.len() + data.len();
        if needed > cap {
            return Err(StorageError::Full);
        }
        if needed > self.capacity() {
            // Grow geometrically, but never to a capacity beyond `cap`; fallibly, so
            // that a heap too small for a large (peer-announced) message is an error.
            let target = needed.max(self.capacity().saturating_mul(2)).min(cap);
            if self.try_reserve_exact(target - self.len()).is_err() {
                // Geometric growth asked too much: try just what is needed.
                self.try_reserve_exact(needed - self.len())
                    .map_err(|_| StorageError::OutOfMemory { needed })?;
            }
        }
        self.extend_from_slice(data);
        Ok(())
    }
    fn discard_front(&mut self, n: usize) {
        self.drain(..n);
    }
}

/// One whole handshake message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeFrame<'a> {
    /// The message type.
    pub typ: HandshakeType,
    /// The body (without the header).
    pub body: &'a [u8],
    /// Header and body, as they go into the handshake transcript.
    pub raw: &'a [u8],
}

/// Joins handshake messages fragmented over records and splits coalesced ones.
///
/// ```
/// use sanstls_wire::reassembler::{Limits, Reassembler};
/// use sanstls_wire::enums::HandshakeType;
///
/// # fn main() -> Result<(), Box<dyn core::error::Error>> {
/// let mut storage = [0u8; 64];
/// let mut r = Reassembler::with_buffer(&mut storage, Limits::default());
/// // A ServerHelloDone split over two records, then a HelloRequest and half a message.
/// r.push(&[14, 0])?;
/// assert!(r.next_message()?.is_none());
/// assert!(r.has_partial());
/// r.push(&[0, 0, 0, 0, 0, 0, 20])?;
/// assert_eq!(r.next_message()?.unwrap().typ, HandshakeType::SERVER_HELLO_DONE);
/// assert_eq!(r.next_message()?.unwrap().typ, HandshakeType::HELLO_REQUEST);
/// assert!(r.next_message()?.is_none());
/// // A ChangeCipherSpec record now would interrupt the pending Finished.
/// assert!(r.check_boundary().is_err());
/// # Ok(()) }
/// ```
pub struct Reassembler<B> {
    buf: B,
    /// Bytes at the front of `buf` already handed out.
    consumed: usize,
    limits: Limits,
    cap: usize,
}

#[cfg(feature = "alloc")]
impl Reassembler<Vec<u8>> {
    /// A reassembler over a `Vec` that grows with received bytes up to
    /// [`Limits::buffer_len`].
    pub fn new(limits: Limits) -> Self {
        Self {
            buf: Vec::new(),
            consumed: 0,
            limits,
            cap: limits.buffer_len(),
        }
    }
}

impl<'b> Reassembler<FixedBuffer<'b>> {
    /// A reassembler over the caller's slice; its length bounds what can be pending
    /// (see [`Limits::buffer_len`] for the size that never runs out for these limits).
    pub fn with_buffer(buf: &'b mut [u8], limits: Limits) -> Self {
        let cap = buf.len();
        Self {
            buf: FixedBuffer::new(buf),
            consumed: 0,
            limits,
            cap,
        }
    }
}

impl<B: Buffer> Reassembler<B> {
    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Appends the payload of one handshake record. The caller should take every
    /// complete message with [`Reassembler::next_message`] before the next push.
    ///
    /// Fails if a header now visible announces more than its bound
    /// ([`DecodeError::MessageTooLarge`]) or the buffer would overflow
    /// ([`PushError::BufferFull`]).
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), PushError> {
        if self.consumed > 0 {
            self.buf.discard_front(self.consumed);
            self.consumed = 0;
        }
        self.buf.append(fragment, self.cap).map_err(|e| match e {
            StorageError::Full => PushError::BufferFull,
            StorageError::OutOfMemory { needed } => PushError::OutOfMemory { needed },
        })?;
        // Check every header that is now complete, so that an oversized announcement is
        // refused before its body is waited for.
        let bytes = self.buf.bytes();
        let mut at = 0;
        while let Some(head) = bytes.get(at..at + HEADER_LEN) {
            let total = self.check_header(head)?;
            at += total;
        }
        Ok(())
    }

    fn check_header(&self, head: &[u8]) -> Result<usize, DecodeError> {
        let typ = HandshakeType(head[0]);
        let length = u32::from_be_bytes([0, head[1], head[2], head[3]]);
        let max = self.limits.max_for(typ);
        if length > max {
            return Err(DecodeError::MessageTooLarge { typ, length, max });
        }
        Ok(HEADER_LEN + length as usize)
    }

    /// The next complete message, if one is buffered. The bytes stay valid until the
    /// next call to `push`.
    pub fn next_message(&mut self) -> Result<Option<HandshakeFrame<'_>>, DecodeError> {
        let start = self.consumed;
        let Some(head) = self.buf.bytes().get(start..start + HEADER_LEN) else {
            return Ok(None);
        };
        let total = self.check_header(head)?;
        if self.buf.bytes().len() - start < total {
            return Ok(None);
        }
        self.consumed = start + total;
        let raw = &self.buf.bytes()[start..start + total];
        Ok(Some(HandshakeFrame {
            typ: HandshakeType(raw[0]),
            body: &raw[HEADER_LEN..],
            raw,
        }))
    }

    /// Whether bytes of an incomplete message (or untaken messages) are pending.
    pub fn has_partial(&self) -> bool {
        self.buf.bytes().len() > self.consumed
    }

    /// Fails with [`DecodeError::MessageInterrupted`] if a message is pending. Call it
    /// when a record of another content type arrives: a handshake message must not span
    /// a ChangeCipherSpec (RFC 5246 §7.4, §6.2.1), nor be interleaved with an alert.
    pub fn check_boundary(&self) -> Result<(), DecodeError> {
        if self.has_partial() {
            Err(DecodeError::MessageInterrupted)
        } else {
            Ok(())
        }
    }

    /// Drops everything pending (e.g. after a fatal error).
    pub fn clear(&mut self) {
        let n = self.buf.bytes().len();
        self.buf.discard_front(n);
        self.consumed = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(typ: u8, body_len: usize) -> ([u8; 4], usize) {
        let l = (body_len as u32).to_be_bytes();
        ([typ, l[1], l[2], l[3]], body_len)
    }

    #[test]
    fn fixed_buffer_byte_by_byte() {
        let mut stream = [0u8; 64];
        let (h, _) = msg(20, 12);
        stream[..4].copy_from_slice(&h);
        stream[4..16].copy_from_slice(&[7; 12]);
        stream[16..20].copy_from_slice(&[14, 0, 0, 0]);
        let mut storage = [0u8; 32];
        let mut r = Reassembler::with_buffer(&mut storage, Limits::default());
        let mut seen = 0;
        for b in &stream[..20] {
            r.push(core::slice::from_ref(b)).unwrap();
            while let Some(m) = r.next_message().unwrap() {
                match seen {
                    0 => {
                        assert_eq!(m.typ, HandshakeType::FINISHED);
                        assert_eq!(m.body, &[7; 12]);
                        assert_eq!(m.raw.len(), 16);
                    }
                    1 => assert_eq!(m.typ, HandshakeType::SERVER_HELLO_DONE),
                    _ => panic!("extra message"),
                }
                seen += 1;
            }
        }
        assert_eq!(seen, 2);
        assert!(!r.has_partial());
        assert_eq!(r.check_boundary(), Ok(()));
    }

    #[test]
    fn oversized_header_is_refused_early() {
        let limits = Limits {
            max_message: 100,
            max_certificate: 1000,
        };
        let mut storage = [0u8; 64];
        let mut r = Reassembler::with_buffer(&mut storage, limits);
        let (h, _) = msg(1, 101);
        assert_eq!(
            r.push(&h),
            Err(PushError::Decode(DecodeError::MessageTooLarge {
                typ: HandshakeType::CLIENT_HELLO,
                length: 101,
                max: 100
            }))
        );
        let mut storage = [0u8; 64];
        let mut r = Reassembler::with_buffer(&mut storage, limits);
        let (h, _) = msg(11, 1000);
        r.push(&h).unwrap();
        assert!(r.next_message().unwrap().is_none());
        // Bytes beyond the caller's storage.
        assert_eq!(r.push(&[0; 61]), Err(PushError::BufferFull));
        r.clear();
        assert!(!r.has_partial());
    }

    #[test]
    fn boundary_check() {
        let mut storage = [0u8; 16];
        let mut r = Reassembler::with_buffer(&mut storage, Limits::default());
        r.push(&[20, 0, 0]).unwrap();
        assert_eq!(r.check_boundary(), Err(DecodeError::MessageInterrupted));
        assert_eq!(
            DecodeError::MessageInterrupted.alert(),
            crate::enums::AlertDescription::UNEXPECTED_MESSAGE
        );
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn vec_buffer_never_exceeds_its_bound() {
        let limits = Limits {
            max_message: 1000,
            max_certificate: 1000,
        };
        let cap = limits.buffer_len();
        let mut r = Reassembler::new(limits);
        // A 1000-byte message arriving in 7-byte pieces.
        let mut stream = alloc::vec![4u8, 0, 0x03, 0xe8];
        stream.extend_from_slice(&[1; 1000]);
        for chunk in stream.chunks(7) {
            r.push(chunk).unwrap();
            assert!(r.buf.capacity() <= cap);
        }
        assert_eq!(r.next_message().unwrap().unwrap().body.len(), 1000);
        assert_eq!(r.push(&alloc::vec![0; cap + 1]), Err(PushError::BufferFull));
        assert!(r.buf.capacity() <= cap);
        let huge = Limits {
            max_message: u32::MAX,
            max_certificate: u32::MAX,
        };
        assert!(huge.buffer_len() >= u32::MAX as usize / 2);
    }

    #[test]
    fn limits_defaults() {
        let l = Limits::default();
        assert_eq!(l.max_for(HandshakeType::CLIENT_HELLO), 65536);
        assert_eq!(l.max_for(HandshakeType::CERTIFICATE), 131_072);
        assert_eq!(l.buffer_len(), 131_072 + 4 + 16384);
    }
}
