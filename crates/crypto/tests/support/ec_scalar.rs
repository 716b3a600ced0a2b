//! Wycheproof EC private keys as sanstls takes them. Shared by the crypto crate's EC
//! Wycheproof test and the OpenSSL provider's (included by path).

/// A Wycheproof private scalar (a big-endian integer, possibly with a leading zero byte
/// or shorter than the field) at exactly `len` bytes.
pub(crate) fn scalar(bytes: &[u8], len: usize) -> Vec<u8> {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let trimmed = &bytes[first..];
    assert!(trimmed.len() <= len);
    let mut out = vec![0u8; len - trimmed.len()];
    out.extend_from_slice(trimmed);
    out
}
