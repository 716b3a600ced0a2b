//! `sanstls client --sess-out FILE` and `--sess-in FILE`: a TLS session in a file.
//!
//! The file is PEM text (RFC 7468) labelled `SANSTLS SESSION` around the bytes of
//! [`Session::to_bytes`]: base64 in 64-column lines between
//! `-----BEGIN SANSTLS SESSION-----` and `-----END SANSTLS SESSION-----`. Text before the
//! BEGIN line is ignored (RFC 7468 §2 allows explanatory text there).
//!
//! The session holds its master secret: whoever reads the file can decrypt every
//! connection made with the session (the full handshake that made it and each
//! resumption, from a capture), and resume it. The file is created with mode 0600 (an
//! existing file is set to 0600 before the session is written into it), and the
//! buffers that held the secret are zeroized.

use std::fs::{OpenOptions, Permissions};
use std::io::{ErrorKind, Read as _, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

use sanstls_proto::{CipherSuite, Session, UnixTime};
use zeroize::Zeroizing;

use crate::{Failure, certinfo, exit, suites};

/// The PEM label of a session file.
pub(crate) const LABEL: &str = "SANSTLS SESSION";

/// The largest file read as a session: a session is its fixed fields, the server's
/// leaf certificate and a ticket (below 64 KiB), so anything larger is not one.
const MAX_FILE_LEN: u64 = 1024 * 1024;

/// How to make a session file, for error messages.
const HOW_TO_MAKE: &str = "write one with `sanstls client --sess-out FILE`";

/// `bytes` (an encoded session) as the PEM text of a session file.
pub(crate) fn encode(bytes: &[u8]) -> Result<Zeroizing<String>, pem_rfc7468::Error> {
    pem_rfc7468::encode_string(LABEL, pem_rfc7468::LineEnding::LF, bytes).map(Zeroizing::new)
}

/// The session in the PEM text `text` of the file `path` (named in the errors), with
/// its encoded bytes.
pub(crate) fn decode(path: &Path, text: &[u8]) -> Result<(Session, Zeroizing<Vec<u8>>), Failure> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let fail = |problem: String| {
        Failure::new(
            exit::CONFIG,
            format!("the session file {}: {problem}", path.display()),
        )
    };
    let Some(start) = text.windows(BEGIN.len()).position(|w| w == BEGIN) else {
        return Err(fail(format!(
            "it is not PEM: no -----BEGIN {LABEL}----- line ({HOW_TO_MAKE})"
        )));
    };
    let pem = &text[start..];
    let label = pem_rfc7468::decode_label(pem)
        .map_err(|e| fail(format!("its PEM block is malformed ({e})")))?;
    if label != LABEL {
        return Err(fail(format!(
            "it holds a PEM block labelled \"{label}\", not \"{LABEL}\": it is not a session \
             file ({HOW_TO_MAKE})"
        )));
    }
    let (_, der) = pem_rfc7468::decode_vec(pem)
        .map_err(|e| fail(format!("its {LABEL} block is not valid PEM ({e})")))?;
    let der = Zeroizing::new(der);
    let session = Session::from_bytes(&der).map_err(|e| {
        fail(format!(
            "its {LABEL} block does not hold a session this version of sanstls can use: {e}"
        ))
    })?;
    Ok((session, der))
}

/// Reads and decodes the session file `path`.
pub(crate) fn read(path: &Path) -> Result<(Session, Zeroizing<Vec<u8>>), Failure> {
    let fail = |problem: String| {
        Failure::new(
            exit::CONFIG,
            format!("the session file {}: {problem}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => fail(format!("it does not exist ({HOW_TO_MAKE})")),
        _ => fail(format!("cannot read it: {e}")),
    })?;
    let mut text = Zeroizing::new(Vec::new());
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut text)
        .map_err(|e| fail(format!("cannot read it: {e}")))?;
    if text.len() as u64 > MAX_FILE_LEN {
        return Err(fail(format!(
            "it is larger than {} KiB: not a session file",
            MAX_FILE_LEN / 1024
        )));
    }
    decode(path, &text)
}

/// Writes the encoded session `bytes` to `path` as a session file, readable by its
/// owner only (mode 0600).
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |problem: String| {
        Failure::new(
            exit::CONFIG,
            format!("cannot write the session to {}: {problem}", path.display()),
        )
    };
    let text = encode(bytes).map_err(|e| fail(format!("encoding it failed: {e}")))?;
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| fail(e.to_string()))?;
    // The mode above applies to a new file only: an existing one is made private
    // before the secret goes in.
    file.set_permissions(Permissions::from_mode(0o600))
        .map_err(|e| fail(format!("cannot make it private (mode 0600): {e}")))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail(e.to_string()))
}

/// Why the client will not get `session` (loaded from `path`) resumed on a connection
/// to `sni` (the host name it sends; `None` for an IP address) at `now`, offering
/// `offered` suites, with session tickets offered or not: one sentence per reason,
/// empty when it can be offered. The client then makes a full handshake.
pub(crate) fn obstacles(
    session: &Session,
    path: &Path,
    sni: Option<&str>,
    now: UnixTime,
    offered: &[CipherSuite],
    tickets: bool,
) -> Vec<String> {
    let file = path.display();
    let mut out = Vec::new();
    if session.created() > now {
        out.push(format!(
            "the session in {file} was made at {}, later than the clock says it is now: \
             it is not offered",
            certinfo::date(session.created().as_secs())
        ));
    } else if !session.is_valid_at(now) {
        out.push(format!(
            "the session in {file} expired at {}: it is not offered",
            certinfo::date(session.expires().as_secs())
        ));
    }
    if !session.extended_master_secret() {
        out.push(format!(
            "the session in {file} has no extended master secret (RFC 7627): sanstls does \
             not offer it"
        ));
    }
    if !offered.contains(&session.suite()) {
        out.push(format!(
            "the session in {file} uses {}, which this client does not offer (--suite): \
             it is not offered",
            suites::iana_name(session.suite())
        ));
    }
    if session.session_id().is_empty() && !(tickets && session.ticket().is_some()) {
        out.push(format!(
            "the session in {file} has {}: there is nothing to name it to the server with",
            if session.ticket().is_some() {
                "only a ticket, and --no-tickets is given"
            } else {
                "neither a session ID nor a ticket"
            }
        ));
    }
    if session.server_name() != sni {
        out.push(format!(
            "the session in {file} was made for {}, this connection is to {}: the server \
             will not resume it (RFC 6066 §3)",
            session.server_name().map_or_else(
                || "an IP address (no server name)".to_string(),
                |n| format!("{n:?}")
            ),
            sni.map_or_else(
                || "an IP address (no server name)".to_string(),
                |n| format!("{n:?}")
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_with_the_reason() {
        let p = Path::new("/x/s.pem");
        let e = decode(p, b"hello").unwrap_err();
        assert_eq!(e.code, exit::CONFIG);
        assert!(e.message.contains("/x/s.pem"), "{}", e.message);
        assert!(e.message.contains("not PEM"), "{}", e.message);

        let cert = include_str!("../../../testdata/ca-root.cert.pem");
        let e = decode(p, cert.as_bytes()).unwrap_err();
        assert!(e.message.contains("\"CERTIFICATE\""), "{}", e.message);

        // The right label around bytes that are not a session.
        let text = encode(b"not a session").unwrap();
        let e = decode(p, text.as_bytes()).unwrap_err();
        assert!(e.message.contains("not a sanstls session"), "{}", e.message);

        // Broken base64 under the right label.
        let e = decode(
            p,
            b"-----BEGIN SANSTLS SESSION-----\n!!!!\n-----END SANSTLS SESSION-----\n",
        )
        .unwrap_err();
        assert!(e.message.contains("not valid PEM"), "{}", e.message);
    }

    #[test]
    fn encoding_wraps_at_64_columns() {
        let text = encode(&[7u8; 200]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN SANSTLS SESSION-----");
        assert_eq!(*lines.last().unwrap(), "-----END SANSTLS SESSION-----");
        assert!(lines[1..lines.len() - 1].iter().all(|l| l.len() <= 64));
        assert_eq!(lines[1].len(), 64);
    }
}
