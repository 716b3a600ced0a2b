//! Sealing and opening records: [`Sealer`] and [`Opener`], one per direction.

#[cfg(feature = "alloc")]
use sanstls_crypto::provider::CryptoProvider;
use sanstls_crypto::rng::{CryptoRng, SeededRng};
use sanstls_keys::DirectionKeys;
use sanstls_wire::codec::Codec as _;
use sanstls_wire::enums::{ContentType, ProtocolVersion};
use sanstls_wire::record::{HEADER_LEN, MAX_PLAINTEXT_LEN, RecordHeader};

use crate::Error;
use crate::aead::{AeadAlgorithm, AeadState};
use crate::cbc::CbcMode;
#[cfg(feature = "cbc")]
use crate::cbc::CbcState;

/// A 64-bit record sequence number that refuses to wrap (RFC 5246 §6.1: "Sequence
/// numbers are of type uint64 and may not exceed 2^64-1").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SequenceNumber {
    next: u64,
    exhausted: bool,
}

impl SequenceNumber {
    fn take(&mut self) -> Result<u64, Error> {
        if self.exhausted {
            return Err(Error::SequenceExhausted);
        }
        let seq = self.next;
        match self.next.checked_add(1) {
            Some(n) => self.next = n,
            None => self.exhausted = true,
        }
        Ok(seq)
    }
}

// The CBC state is inline on purpose: it lives as long as the connection and keeps the
// data path free of allocation.
#[allow(clippy::large_enum_variant)]
enum Protection {
    Null,
    #[cfg(feature = "cbc")]
    Cbc(crate::Held<CbcState>, SeededRng),
    Aead(AeadState),
}

/// Protects outgoing records of one direction.
///
/// Starts as NULL protection (before ChangeCipherSpec) with [`Sealer::null`]; after the
/// sender's ChangeCipherSpec, replace it with [`Sealer::cbc`] or [`Sealer::aead`] (the
/// sequence number starts again at 0, RFC 5246 §6.1).
///
/// The payload is written in place: put it at `buf[sealer.payload_offset()..]` and call
/// [`Sealer::seal_in_place`], which adds header, IV, MAC and padding around it.
pub struct Sealer {
    protection: Protection,
    seq: SequenceNumber,
}

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sealer")
            .field("protected", &!matches!(self.protection, Protection::Null))
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// The AEAD of a suite's cipher, `None` for the CBC ciphers.
fn aead_of(keys: &DirectionKeys<'_>) -> Option<AeadAlgorithm> {
    use sanstls_keys::suite::BulkCipher;
    match keys.suite.cipher {
        BulkCipher::Aes128Gcm => Some(AeadAlgorithm::Aes128Gcm),
        BulkCipher::Aes256Gcm => Some(AeadAlgorithm::Aes256Gcm),
        // RFC 6655 §3 (TLS_PSK_*), RFC 7251 §2 (TLS_ECDHE_ECDSA_*): AES-128-CCM(_8).
        BulkCipher::Aes128Ccm => Some(AeadAlgorithm::Aes128Ccm),
        BulkCipher::Aes128Ccm8 => Some(AeadAlgorithm::Aes128Ccm8),
        BulkCipher::ChaCha20Poly1305 => Some(AeadAlgorithm::ChaCha20Poly1305),
        _ => None,
    }
}

impl Sealer {
    /// No protection: the initial state of RFC 5246 §6.1.
    pub fn null() -> Self {
        Sealer {
            protection: Protection::Null,
            seq: SequenceNumber::default(),
        }
    }

    /// AES-CBC + HMAC under `keys` (the sender's own `*_write` keys). Explicit IVs come
    /// from a generator seeded once from `rng`. Without feature `cbc`,
    /// [`Error::InvalidKeys`].
    pub fn cbc<R: CryptoRng + ?Sized>(
        keys: &DirectionKeys<'_>,
        mode: CbcMode,
        rng: &mut R,
    ) -> Result<Self, Error> {
        #[cfg(feature = "cbc")]
        return Ok(Sealer {
            protection: Protection::Cbc(
                crate::hold(CbcState::new(keys, mode)?),
                SeededRng::from_rng(rng),
            ),
            seq: SequenceNumber::default(),
        });
        #[cfg(not(feature = "cbc"))]
        {
            let _ = (keys, mode, rng);
            Err(Error::InvalidKeys)
        }
    }

    /// An AEAD cipher (RFC 5246 §6.2.3.3) under the sender's own `*_write_key` and
    /// `*_write_IV` from the key block: `key` of [`AeadAlgorithm::key_len`] bytes, `iv` of
    /// [`AeadAlgorithm::fixed_iv_len`] (the 4-byte GCM or CCM salt or the 12-byte
    /// ChaCha20-Poly1305 IV). There is no MAC key. Other lengths, or an algorithm left out
    /// of the build, are [`Error::InvalidKeys`].
    ///
    /// The GCM and CCM explicit nonce is the record's sequence number (RFC 5288 §3,
    /// RFC 6655 §3), so no generator is needed and a nonce never repeats under the key.
    pub fn aead(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Ok(Sealer {
            protection: Protection::Aead(AeadState::new(alg, key, iv)?),
            seq: SequenceNumber::default(),
        })
    }

    /// The protection of `keys.suite` (the sender's own `*_write` keys): AES-CBC + HMAC
    /// in `mode` for the CBC suites (IVs from a generator seeded from `rng`), the suite's
    /// AEAD for the others (`mode` does not apply: RFC 7366 §3, encrypt-then-MAC is never
    /// used with an AEAD cipher).
    #[inline]
    pub fn for_suite<R: CryptoRng + ?Sized>(
        keys: &DirectionKeys<'_>,
        mode: CbcMode,
        rng: &mut R,
    ) -> Result<Self, Error> {
        match aead_of(keys) {
            Some(alg) => Self::aead(alg, keys.enc_key, keys.iv),
            None => Self::cbc(keys, mode, rng),
        }
    }

    /// [`Sealer::for_suite`] with the AEAD key from `provider` (if it takes it; the CBC
    /// suites are always built in, and so are AES-128-CCM and AES-128-CCM_8: the
    /// provider's AEAD interface has 16-byte tags and no CCM, so it is not asked).
    #[cfg(feature = "alloc")]
    pub fn for_suite_with<R: CryptoRng + ?Sized>(
        provider: &dyn CryptoProvider,
        keys: &DirectionKeys<'_>,
        mode: CbcMode,
        rng: &mut R,
    ) -> Result<Self, Error> {
        match aead_of(keys) {
            Some(alg) => Ok(Sealer {
                protection: Protection::Aead(AeadState::new_with(
                    provider,
                    alg,
                    keys.enc_key,
                    keys.iv,
                )?),
                seq: SequenceNumber::default(),
            }),
            None => Self::cbc(keys, mode, rng),
        }
    }

    /// The AEAD algorithm, if this sealer is one.
    #[allow(clippy::match_wildcard_for_single_variants)] // (Cbc too, with feature `cbc`)
    pub fn aead_algorithm(&self) -> Option<AeadAlgorithm> {
        match &self.protection {
            Protection::Aead(a) => Some(a.algorithm()),
            _ => None,
        }
    }

    /// Where the payload goes in the buffer passed to [`Sealer::seal_in_place`]: after the
    /// record header and, with CBC, the explicit IV, with GCM and CCM the explicit nonce.
    pub fn payload_offset(&self) -> usize {
        match &self.protection {
            Protection::Null => HEADER_LEN,
            #[cfg(feature = "cbc")]
            Protection::Cbc(..) => HEADER_LEN + CbcState::payload_offset(),
            Protection::Aead(a) => HEADER_LEN + a.payload_offset(),
        }
    }

    /// The length of the whole sealed record (header included) for a payload of
    /// `payload_len` bytes.
    pub fn sealed_len(&self, payload_len: usize) -> usize {
        HEADER_LEN
            + match &self.protection {
                Protection::Null => payload_len,
                #[cfg(feature = "cbc")]
                Protection::Cbc(c, _) => c.sealed_fragment_len(payload_len),
                Protection::Aead(a) => a.sealed_fragment_len(payload_len),
            }
    }

    /// The sequence number the next record will use.
    pub fn sequence_number(&self) -> u64 {
        self.seq.next
    }

    /// Set the next sequence number (tests of sequence checking and of wrap-around).
    #[doc(hidden)]
    pub fn set_sequence_number(&mut self, seq: u64) {
        self.seq = SequenceNumber {
            next: seq,
            exhausted: false,
        };
    }

    /// Seal the `payload_len` bytes at `buf[self.payload_offset()..]` into a record that
    /// starts at `buf[0]`, and return its length ([`Sealer::sealed_len`]).
    ///
    /// The payload must be at most 2^14 bytes (RFC 5246 §6.2.1; split longer data with
    /// [`crate::Fragmenter`]) and not empty unless it is application data.
    pub fn seal_in_place(
        &mut self,
        content_type: ContentType,
        version: ProtocolVersion,
        buf: &mut [u8],
        payload_len: usize,
    ) -> Result<usize, Error> {
        if payload_len > MAX_PLAINTEXT_LEN
            || (payload_len == 0 && content_type != ContentType::APPLICATION_DATA)
        {
            return Err(Error::InvalidPayload);
        }
        let total = self.sealed_len(payload_len);
        if buf.len() < total {
            return Err(Error::BufferTooSmall);
        }
        let seq = self.seq.take()?;
        let [v0, v1] = version.0.to_be_bytes();
        let frag_len = match &mut self.protection {
            Protection::Null => payload_len,
            #[cfg(feature = "cbc")]
            Protection::Cbc(c, rng) => c.seal(
                rng,
                seq,
                [content_type.0, v0, v1],
                &mut buf[HEADER_LEN..total],
                payload_len,
            ),
            Protection::Aead(a) => a.seal(
                seq,
                [content_type.0, v0, v1],
                &mut buf[HEADER_LEN..total],
                payload_len,
            )?,
        };
        debug_assert_eq!(HEADER_LEN + frag_len, total);
        let header = RecordHeader {
            content_type,
            version,
            length: frag_len as u16,
        };
        header
            .encode_into(&mut buf[..HEADER_LEN])
            .map_err(|_| Error::BufferTooSmall)?;
        Ok(total)
    }

    /// Copy `payload` into `out` and seal it there; returns the record length.
    pub fn seal(
        &mut self,
        content_type: ContentType,
        version: ProtocolVersion,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let at = self.payload_offset();
        if out.len() < self.sealed_len(payload.len()) {
            return Err(Error::BufferTooSmall);
        }
        out[at..at + payload.len()].copy_from_slice(payload);
        self.seal_in_place(content_type, version, out, payload.len())
    }
}

/// An opened record: its type and version, and the plaintext, in the caller's buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct OpenedRecord<'a> {
    /// The content type (authenticated by the MAC once protected).
    pub content_type: ContentType,
    /// The record-layer version (authenticated by the MAC once protected).
    pub version: ProtocolVersion,
    /// The plaintext.
    pub payload: &'a mut [u8],
    /// Where the plaintext starts in the record given to
    /// [`Opener::open_in_place`] (after the header, and the IV of a protected record).
    pub payload_offset: usize,
}

/// An opener's keyed protection.
// Inline, as the sealer's: no allocation on the data path.
#[allow(clippy::large_enum_variant)]
enum Keyed {
    #[cfg(feature = "cbc")]
    Cbc(crate::Held<CbcState>),
    Aead(AeadState),
}

impl Keyed {
    fn max_expansion(&self) -> usize {
        match self {
            #[cfg(feature = "cbc")]
            Keyed::Cbc(c) => c.max_expansion(),
            Keyed::Aead(a) => a.max_expansion(),
        }
    }
}

/// Opens incoming records of one direction; see [`Sealer`] for the life cycle.
pub struct Opener {
    protection: Option<Keyed>,
    seq: SequenceNumber,
    max_plaintext_len: usize,
}

impl core::fmt::Debug for Opener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opener")
            .field("protected", &self.protection.is_some())
            .field("seq", &self.seq)
            .field("max_plaintext_len", &self.max_plaintext_len)
            .finish_non_exhaustive()
    }
}

impl Opener {
    /// No protection: the initial state.
    pub fn null() -> Self {
        Opener {
            protection: None,
            seq: SequenceNumber::default(),
            max_plaintext_len: MAX_PLAINTEXT_LEN,
        }
    }

    /// AES-CBC + HMAC under `keys` (the peer's `*_write` keys). Without feature `cbc`,
    /// [`Error::InvalidKeys`].
    pub fn cbc(keys: &DirectionKeys<'_>, mode: CbcMode) -> Result<Self, Error> {
        #[cfg(feature = "cbc")]
        return Ok(Opener {
            protection: Some(Keyed::Cbc(crate::hold(CbcState::new(keys, mode)?))),
            seq: SequenceNumber::default(),
            max_plaintext_len: MAX_PLAINTEXT_LEN,
        });
        #[cfg(not(feature = "cbc"))]
        {
            let _ = (keys, mode);
            Err(Error::InvalidKeys)
        }
    }

    /// The protection of `keys.suite` (the peer's `*_write` keys); see
    /// [`Sealer::for_suite`].
    #[inline]
    pub fn for_suite(keys: &DirectionKeys<'_>, mode: CbcMode) -> Result<Self, Error> {
        match aead_of(keys) {
            Some(alg) => Self::aead(alg, keys.enc_key, keys.iv),
            None => Self::cbc(keys, mode),
        }
    }

    /// [`Opener::for_suite`] with the AEAD key from `provider` (see
    /// [`Sealer::for_suite_with`]; the CBC and CCM suites are always built in).
    #[cfg(feature = "alloc")]
    pub fn for_suite_with(
        provider: &dyn CryptoProvider,
        keys: &DirectionKeys<'_>,
        mode: CbcMode,
    ) -> Result<Self, Error> {
        match aead_of(keys) {
            Some(alg) => Ok(Opener {
                protection: Some(Keyed::Aead(AeadState::new_with(
                    provider,
                    alg,
                    keys.enc_key,
                    keys.iv,
                )?)),
                seq: SequenceNumber::default(),
                max_plaintext_len: MAX_PLAINTEXT_LEN,
            }),
            None => Self::cbc(keys, mode),
        }
    }

    /// An AEAD cipher under the peer's `*_write_key` and `*_write_IV`; see
    /// [`Sealer::aead`] for the lengths.
    pub fn aead(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        Ok(Opener {
            protection: Some(Keyed::Aead(AeadState::new(alg, key, iv)?)),
            seq: SequenceNumber::default(),
            max_plaintext_len: MAX_PLAINTEXT_LEN,
        })
    }

    /// Lower the plaintext limit to a negotiated one (RFC 6066 max_fragment_length,
    /// RFC 8449 record_size_limit); values above 2^14 are clamped to 2^14.
    pub fn set_max_plaintext_len(&mut self, max: usize) {
        self.max_plaintext_len = max.min(MAX_PLAINTEXT_LEN);
    }

    /// The largest plaintext accepted (2^14, or a negotiated limit).
    pub fn max_plaintext_len(&self) -> usize {
        self.max_plaintext_len
    }

    /// The longest record (header included) this opener can accept: the plaintext
    /// limit plus the most the protection may add (nothing before ChangeCipherSpec; IV,
    /// MAC and up to 256 bytes of padding with CBC; explicit nonce and tag with AEAD,
    /// 8 + 16 bytes for GCM and CCM, 8 + 8 for CCM_8 and 16 for ChaCha20-Poly1305). A
    /// receive buffer of this size holds
    /// any record the peer may legally send.
    pub fn max_record_len(&self) -> usize {
        HEADER_LEN
            + self.max_plaintext_len
            + self.protection.as_ref().map_or(0, Keyed::max_expansion)
    }

    /// The sequence number the next record must carry.
    pub fn sequence_number(&self) -> u64 {
        self.seq.next
    }

    /// Set the next expected sequence number (tests).
    #[doc(hidden)]
    pub fn set_sequence_number(&mut self, seq: u64) {
        self.seq = SequenceNumber {
            next: seq,
            exhausted: false,
        };
    }

    /// Open one whole record (header and fragment, as [`crate::Deframer`] yields it) in
    /// place.
    ///
    /// Errors: [`Error::BadRecordMac`] for any failed check of a protected record;
    /// [`Error::RecordOverflow`] for a ciphertext over 2^14 + 2048 bytes or a plaintext
    /// over the limit (checked only after authentication, since the plaintext length is
    /// secret until then); [`Error::Decode`] for a malformed header or an empty
    /// Handshake/Alert/ChangeCipherSpec fragment.
    pub fn open_in_place<'a>(&mut self, record: &'a mut [u8]) -> Result<OpenedRecord<'a>, Error> {
        let head = record
            .get(..HEADER_LEN)
            .ok_or(Error::Decode(sanstls_wire::DecodeError::Truncated))?;
        let header = RecordHeader::decode(head)?;
        if record.len() != HEADER_LEN + usize::from(header.length) {
            return Err(Error::Decode(sanstls_wire::DecodeError::InvalidLength));
        }
        let seq = self.seq.take()?;
        let [v0, v1] = header.version.0.to_be_bytes();
        let frag = &mut record[HEADER_LEN..];
        let range = match &self.protection {
            None => 0..frag.len(),
            #[cfg(feature = "cbc")]
            Some(Keyed::Cbc(c)) => c.open(seq, [header.content_type.0, v0, v1], frag)?,
            Some(Keyed::Aead(a)) => a.open(seq, [header.content_type.0, v0, v1], frag)?,
        };
        let payload_offset = HEADER_LEN + range.start;
        let payload = &mut frag[range];
        if payload.len() > self.max_plaintext_len {
            return Err(Error::RecordOverflow);
        }
        RecordHeader::check_plaintext(header.content_type, payload.len())?;
        Ok(OpenedRecord {
            content_type: header.content_type,
            version: header.version,
            payload,
            payload_offset,
        })
    }
}
