//! The handshake transcript: the running hash of every handshake message.
//!
//! TLS 1.2 hashes the handshake messages (RFC 5246 §7.4.9: "all of the data from all
//! messages in this handshake (not including any HelloRequest messages) up to, but not
//! including, this message", type and length headers included) under several hashes:
//!
//! - the suite's PRF hash, for Finished and for the extended master secret's session
//!   hash (RFC 7627 §3), known only once ServerHello picks the suite;
//! - the hash of the CertificateVerify signature (RFC 5246 §7.4.8), which the client
//!   picks from the server's CertificateRequest list and which may differ from the PRF
//!   hash; a server learns it only when the CertificateVerify arrives.
//!
//! So a [`Transcript`] starts by buffering messages. [`Transcript::start_hash`] starts
//! the PRF hash over the buffer and keeps the buffer; [`Transcript::also_hash`] starts
//! another running hash; [`Transcript::hash_with`] snapshots any running hash or, while
//! the buffer is kept, hashes the buffer with any algorithm; and
//! [`Transcript::release_buffer`] frees the buffer once the caller knows no other hash
//! will be needed (a client after ServerHelloDone without CertificateRequest, a server
//! that does not request a client certificate, or after the CertificateVerify).
//!
//! The caller adds whole messages and leaves out HelloRequest. The buffer grows only by
//! what the caller adds; the handshake reassembler bounds each message.
//!
//! ```
//! use sanstls_crypto::hash::HashAlgorithm;
//! use sanstls_keys::transcript::Transcript;
//!
//! let mut t = Transcript::new();
//! t.add(b"ClientHello bytes");
//! t.add(b"ServerHello bytes");
//! t.start_hash(HashAlgorithm::Sha256).unwrap(); // the suite is known now
//! t.add(b"CertificateRequest bytes");
//! t.also_hash(HashAlgorithm::Sha384).unwrap();  // the client will sign with SHA-384
//! t.release_buffer();
//! t.add(b"Certificate, ClientKeyExchange");
//! let for_signature = t.hash_with(HashAlgorithm::Sha384).unwrap();
//! let for_finished = t.current_hash().unwrap();
//! assert_eq!(for_finished.len(), 32);
//! assert_eq!(for_signature.len(), 48);
//! ```

use alloc::vec::Vec;
use core::fmt;

use sanstls_crypto::hash::{HashAlgorithm, Hasher, Output};
use zeroize::Zeroize as _;

/// Why a transcript operation could not be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TranscriptError {
    /// A hash was asked for that is not running, and the buffered messages that could
    /// start it were already released.
    BufferReleased,
    /// The PRF hash was asked for before [`Transcript::start_hash`].
    NotStarted,
    /// The hash is left out of this build of sanstls-crypto (SHA-384 or SHA-512 without
    /// its `sha512` feature).
    Hash(sanstls_crypto::Error),
}

impl fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TranscriptError::BufferReleased => {
                f.write_str("transcript hash not running and the message buffer was released")
            }
            TranscriptError::NotStarted => f.write_str("transcript PRF hash not started yet"),
            TranscriptError::Hash(e) => write!(f, "transcript hash: {e}"),
        }
    }
}

impl core::error::Error for TranscriptError {}

/// The running handshake hash. See the module docs.
#[derive(Clone)]
pub struct Transcript {
    buffer: Option<Vec<u8>>,
    prf: Option<Hasher>,
    extra: Vec<Hasher>,
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcript")
            .field("buffered", &self.buffer.as_ref().map(Vec::len))
            .field("prf_hash", &self.prf_hash())
            .field(
                "extra",
                &self.extra.iter().map(Hasher::algorithm).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript::new()
    }
}

impl Transcript {
    /// An empty transcript that buffers messages.
    pub fn new() -> Self {
        Transcript {
            buffer: Some(Vec::new()),
            prf: None,
            extra: Vec::new(),
        }
    }

    /// Add one whole handshake message (4-byte header and body). Several messages may be
    /// added in one call; only the byte sequence matters.
    pub fn add(&mut self, message: &[u8]) {
        if let Some(buf) = &mut self.buffer {
            buf.extend_from_slice(message);
        }
        if let Some(h) = &mut self.prf {
            h.update(message);
        }
        for h in &mut self.extra {
            h.update(message);
        }
    }

    /// Start the PRF hash over everything added so far. The buffer, if still kept, stays.
    /// Calling it again with another algorithm restarts from the buffer if there is one;
    /// once the buffer is released the PRF hash can no longer change (nor start).
    ///
    /// [`TranscriptError::Hash`] if `prf_hash` is left out of this build.
    pub fn start_hash(&mut self, prf_hash: HashAlgorithm) -> Result<(), TranscriptError> {
        if self.prf.as_ref().map(Hasher::algorithm) == Some(prf_hash) {
            return Ok(());
        }
        let h = prf_hash.start().map_err(TranscriptError::Hash)?;
        if let Some(buf) = &self.buffer {
            let mut h = h;
            h.update(buf);
            self.prf = Some(h);
        }
        Ok(())
    }

    /// Keep a running hash under `alg` as well (for a CertificateVerify signature), so
    /// the buffer can be released. A no-op if `alg` is already running.
    pub fn also_hash(&mut self, alg: HashAlgorithm) -> Result<(), TranscriptError> {
        if self.running(alg).is_some() {
            return Ok(());
        }
        let buf = self
            .buffer
            .as_ref()
            .ok_or(TranscriptError::BufferReleased)?;
        let mut h = alg.start().map_err(TranscriptError::Hash)?;
        h.update(buf);
        self.extra.push(h);
        Ok(())
    }

    /// Stop buffering and free (and wipe) the buffered messages. Hashes already running
    /// continue; no new one can be started.
    pub fn release_buffer(&mut self) {
        if let Some(mut buf) = self.buffer.take() {
            buf.zeroize();
        }
    }

    /// The PRF hash, once started.
    pub fn prf_hash(&self) -> Option<HashAlgorithm> {
        self.prf.as_ref().map(Hasher::algorithm)
    }

    /// The buffered messages, while kept (for a signer that wants the message rather
    /// than its hash).
    pub fn buffered_messages(&self) -> Option<&[u8]> {
        self.buffer.as_deref()
    }

    /// The PRF hash of everything added so far: the session hash of RFC 7627 §3 after
    /// ClientKeyExchange, the Finished input before each Finished.
    pub fn current_hash(&self) -> Result<Output, TranscriptError> {
        self.prf
            .clone()
            .map(Hasher::finish)
            .ok_or(TranscriptError::NotStarted)
    }

    /// The hash under `alg` of everything added so far: a snapshot of a running hash, or
    /// computed from the buffer while it is kept.
    pub fn hash_with(&self, alg: HashAlgorithm) -> Result<Output, TranscriptError> {
        if let Some(h) = self.running(alg) {
            return Ok(h.clone().finish());
        }
        let buf = self
            .buffer
            .as_ref()
            .ok_or(TranscriptError::BufferReleased)?;
        alg.hash(buf).map_err(TranscriptError::Hash)
    }

    fn running(&self, alg: HashAlgorithm) -> Option<&Hasher> {
        self.prf
            .iter()
            .chain(self.extra.iter())
            .find(|h| h.algorithm() == alg)
    }
}

impl Drop for Transcript {
    fn drop(&mut self) {
        self.release_buffer();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [HashAlgorithm; 4] = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    #[test]
    fn every_path_gives_the_hash_of_the_concatenation() {
        let msgs: [&[u8]; 4] = [b"one", b"", b"three", b"four!"];
        let all = msgs.concat();
        for prf in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            for start_after in 0..=msgs.len() {
                let mut t = Transcript::new();
                assert_eq!(t.current_hash().unwrap_err(), TranscriptError::NotStarted);
                for (i, m) in msgs.iter().enumerate() {
                    if i == start_after {
                        t.start_hash(prf).unwrap();
                        t.also_hash(HashAlgorithm::Sha1).unwrap();
                    }
                    t.add(m);
                }
                t.start_hash(prf).unwrap();
                t.also_hash(HashAlgorithm::Sha1).unwrap();
                assert_eq!(t.current_hash().unwrap(), prf.hash(&all).unwrap());
                for alg in ALL {
                    assert_eq!(
                        t.hash_with(alg).unwrap(),
                        alg.hash(&all).unwrap(),
                        "{alg:?}"
                    );
                }
                assert_eq!(t.buffered_messages(), Some(&all[..]));
                t.release_buffer();
                assert_eq!(t.current_hash().unwrap(), prf.hash(&all).unwrap());
                assert_eq!(
                    t.hash_with(HashAlgorithm::Sha1).unwrap(),
                    HashAlgorithm::Sha1.hash(&all).unwrap()
                );
                assert_eq!(
                    t.hash_with(HashAlgorithm::Sha512).unwrap_err(),
                    TranscriptError::BufferReleased
                );
                assert_eq!(
                    t.also_hash(HashAlgorithm::Sha512).unwrap_err(),
                    TranscriptError::BufferReleased
                );
                t.add(b"more");
                let mut longer = all.clone();
                longer.extend_from_slice(b"more");
                assert_eq!(t.current_hash().unwrap(), prf.hash(&longer).unwrap());
            }
        }
    }

    #[test]
    fn snapshots_do_not_disturb_the_running_hash() {
        let mut t = Transcript::new();
        t.start_hash(HashAlgorithm::Sha256).unwrap();
        t.release_buffer();
        t.add(b"a");
        let first = t.current_hash().unwrap();
        t.add(b"b");
        assert_eq!(first, HashAlgorithm::Sha256.hash(b"a").unwrap());
        assert_eq!(
            t.current_hash().unwrap(),
            HashAlgorithm::Sha256.hash(b"ab").unwrap()
        );
    }
}
