//! Cutting a byte stream into records ([`Deframer`]) and data into fragments
//! ([`Fragmenter`]).

use sanstls_wire::codec::Codec as _;
use sanstls_wire::enums::{ContentType, ProtocolVersion};
use sanstls_wire::record::{HEADER_LEN, MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, RecordHeader};

use crate::{Error, Sealer};

/// The buffer size that holds any legal TLS 1.2 record: header + 2^14 + 2048.
pub const MAX_RECORD_LEN: usize = HEADER_LEN + MAX_CIPHERTEXT_LEN;

/// Collects bytes from the transport and yields whole records, in place.
///
/// The deframer owns one buffer (sized once; [`MAX_RECORD_LEN`] holds any record, a
/// smaller one suits a negotiated fragment limit) and never allocates after that. Feed it
/// either by reading into [`Deframer::recv_buf`] and calling [`Deframer::handle_recv`], or
/// by copying with [`Deframer::push`]; chunks of any size work, one byte at a time
/// included. [`Deframer::next_record`] then returns each complete record (header and
/// fragment) as a mutable slice for [`crate::Opener::open_in_place`].
///
/// ```
/// use sanstls_record::{Deframer, Opener};
///
/// let mut deframer = Deframer::new([0u8; 64]);
/// let mut opener = Opener::null();
/// for &b in &[0x17, 3, 3, 0, 2, b'h', b'i'] {
///     assert_eq!(deframer.push(&[b]), 1);
/// }
/// let record = deframer.next_record()?.expect("a whole record");
/// assert_eq!(opener.open_in_place(record)?.payload, b"hi");
/// assert!(deframer.next_record()?.is_none());
/// # Ok::<(), sanstls_record::Error>(())
/// ```
#[derive(Clone)]
pub struct Deframer<B> {
    buf: B,
    start: usize,
    end: usize,
}

impl<B> core::fmt::Debug for Deframer<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Deframer")
            .field("start", &self.start)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "alloc")]
impl Deframer<alloc::boxed::Box<[u8]>> {
    /// A deframer with a heap buffer of [`MAX_RECORD_LEN`] bytes.
    pub fn with_max_record_len() -> Self {
        Deframer::new(alloc::vec![0u8; MAX_RECORD_LEN].into_boxed_slice())
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Deframer<B> {
    /// A deframer over `buf`. Records longer than `buf` are rejected with
    /// [`Error::RecordOverflow`].
    pub fn new(buf: B) -> Self {
        Deframer {
            buf,
            start: 0,
            end: 0,
        }
    }

    /// Bytes received but not yet returned as records.
    pub fn buffered_len(&self) -> usize {
        self.end - self.start
    }

    /// Free space to read transport bytes into; report how many were written with
    /// [`Deframer::handle_recv`]. Empty only while a complete record waits to be taken
    /// with [`Deframer::next_record`].
    pub fn recv_buf(&mut self) -> &mut [u8] {
        self.make_room();
        let end = self.end;
        &mut self.buf.as_mut()[end..]
    }

    /// Free space behind the received bytes, without moving them: for a caller that
    /// still uses bytes of an earlier record in place (its opened plaintext). Report
    /// what was written with [`Deframer::handle_recv`]. May be empty while
    /// [`Deframer::recv_buf`] would not be.
    pub fn recv_buf_in_place(&mut self) -> &mut [u8] {
        let end = self.end;
        &mut self.buf.as_mut()[end..]
    }

    /// The whole buffer: records returned by [`Deframer::next_record_at`] stay where
    /// they are until the next call to [`Deframer::recv_buf`] or [`Deframer::push`].
    pub fn buffer(&self) -> &[u8] {
        self.buf.as_ref()
    }

    /// Record that `n` bytes were written to the start of [`Deframer::recv_buf`].
    pub fn handle_recv(&mut self, n: usize) {
        let cap = self.buf.as_ref().len();
        debug_assert!(self.end + n <= cap);
        self.end = (self.end + n).min(cap);
    }

    /// Copy as much of `data` as fits (compacting first, like [`Deframer::recv_buf`]);
    /// returns how many bytes were taken.
    pub fn push(&mut self, data: &[u8]) -> usize {
        let space = self.recv_buf();
        let n = space.len().min(data.len());
        space[..n].copy_from_slice(&data[..n]);
        self.handle_recv(n);
        n
    }

    /// The next complete record (header and fragment), or `None` until more bytes arrive.
    ///
    /// A header with an unknown content type or a length over 2^14 + 2048 (or over the
    /// buffer) is an error, returned again on every call: the stream cannot be resynced.
    pub fn next_record(&mut self) -> Result<Option<&mut [u8]>, Error> {
        let Some(total) = self.pending_len()? else {
            return Ok(None);
        };
        if self.end - self.start < total {
            return Ok(None);
        }
        let at = self.start;
        self.start += total;
        Ok(Some(&mut self.buf.as_mut()[at..at + total]))
    }

    /// The length (header included) of the record whose bytes are arriving, once its
    /// header is here, whether or not it fits the buffer.
    pub fn pending_record_len(&self) -> Result<Option<usize>, Error> {
        let buf = &self.buf.as_ref()[self.start..self.end];
        let Some(head) = buf.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let header = RecordHeader::decode(head)?;
        Ok(Some(HEADER_LEN + usize::from(header.length)))
    }

    /// [`Deframer::next_record`], with the record's offset in [`Deframer::buffer`].
    pub fn next_record_at(&mut self) -> Result<Option<(usize, &mut [u8])>, Error> {
        let at = self.start;
        Ok(self.next_record()?.map(|r| (at, r)))
    }

    /// The length of the record at `start`, once its header is here.
    fn pending_len(&self) -> Result<Option<usize>, Error> {
        let buf = &self.buf.as_ref()[self.start..self.end];
        let Some(head) = buf.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let header = RecordHeader::decode(head)?;
        let total = HEADER_LEN + usize::from(header.length);
        if total > self.buf.as_ref().len() {
            return Err(Error::RecordOverflow);
        }
        Ok(Some(total))
    }

    /// Move the pending bytes to the front when the pending record would not fit after
    /// them (a compaction copies at most one partial record).
    fn make_room(&mut self) {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            return;
        }
        if self.start == 0 {
            return;
        }
        let need = match self.pending_len() {
            Ok(Some(total)) => total,
            _ => HEADER_LEN,
        };
        if self.start + need > self.buf.as_ref().len() {
            let (start, end) = (self.start, self.end);
            self.buf.as_mut().copy_within(start..end, 0);
            self.end = end - start;
            self.start = 0;
        }
    }
}

#[cfg(feature = "alloc")]
impl Deframer<alloc::boxed::Box<[u8]>> {
    /// Replaces the buffer by one of `len` bytes, keeping the bytes received and not yet
    /// returned as records (moved to its start). Refused (`false`, nothing changed) when
    /// they would not fit. For a receive buffer that follows a negotiated record size.
    ///
    /// The new buffer is reserved fallibly: when the heap cannot hold it, the error
    /// says so and the old buffer stays.
    pub fn resize(&mut self, len: usize) -> Result<bool, alloc::collections::TryReserveError> {
        let pending = self.end - self.start;
        if len < pending {
            return Ok(false);
        }
        let mut v = alloc::vec::Vec::new();
        v.try_reserve_exact(len)?;
        v.resize(len, 0u8);
        let mut buf = v.into_boxed_slice();
        buf[..pending].copy_from_slice(&self.buf[self.start..self.end]);
        self.buf = buf;
        self.start = 0;
        self.end = pending;
        Ok(true)
    }

    /// The buffer's size.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }
}

/// Splits data into fragments no longer than the negotiated maximum (RFC 6066 §4
/// max_fragment_length, RFC 8449 record_size_limit, or 2^14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragmenter {
    max: usize,
}

impl Default for Fragmenter {
    fn default() -> Self {
        Fragmenter {
            max: MAX_PLAINTEXT_LEN,
        }
    }
}

impl Fragmenter {
    /// Fragments of at most `max` bytes; `max` is clamped to `1..=2^14`.
    pub fn new(max: usize) -> Self {
        Fragmenter {
            max: max.clamp(1, MAX_PLAINTEXT_LEN),
        }
    }

    /// The fragment limit.
    pub fn max_fragment_len(&self) -> usize {
        self.max
    }

    /// The fragments of `data`, in order; none for empty data.
    pub fn fragments<'a>(&self, data: &'a [u8]) -> core::slice::Chunks<'a, u8> {
        data.chunks(self.max)
    }

    /// Seal as many whole fragments of `data` as fit into `out`, one record each.
    /// Returns `(bytes of data consumed, bytes of out written)`.
    pub fn seal_into(
        &self,
        sealer: &mut Sealer,
        content_type: ContentType,
        version: ProtocolVersion,
        data: &[u8],
        out: &mut [u8],
    ) -> Result<(usize, usize), Error> {
        let (mut used, mut written) = (0, 0);
        for frag in self.fragments(data) {
            let room = &mut out[written..];
            if room.len() < sealer.sealed_len(frag.len()) {
                break;
            }
            written += sealer.seal(content_type, version, frag, room)?;
            used += frag.len();
        }
        Ok((used, written))
    }
}
