//! Pre-shared keys on the command line (RFC 4279, RFC 5489): `--psk-identity ID --psk
//! HEX`, or `--psk-file PATH`, for `client` and `server`.
//!
//! A PSK file holds one `identity:hexkey` per line (the identity is everything before
//! the last `:`, the key its hex digits after it); blank lines and lines starting with
//! `#` are skipped. The client uses the first entry, the server all of them.

use std::path::{Path, PathBuf};

use sanstls_proto::psk::MAX_PSK_LEN;
use sanstls_proto::{Psk, PskTable};
use zeroize::Zeroizing;

use crate::{Failure, exit};

/// What `--help` says about the PSK options and the file format.
pub(crate) const PSK_HELP: &str = "\
Pre-shared keys (RFC 4279, RFC 5489; no certificates needed):
  --psk-identity ID --psk HEX   one identity and its key (1 to 512 bytes, in hex);
                                the key is then visible in the process list:
                                prefer --psk-file
  --psk-file PATH               a file of lines `identity:hexkey` (the identity is
                                everything before the last ':'); blank lines and
                                lines starting with '#' are skipped. The client uses
                                the first entry, the server all of them.
  --psk-hint HINT               (server) the identity hint sent to clients.
The key is in a `--record` recording's command line when given with --psk (not
with --psk-file).
A client with a PSK and no --cafile (nor --no-verify) offers only the PSK suites; with
--cafile it offers the certificate suites first, then the PSK suites. A server with a
PSK and no --cert/--key serves only the PSK suites.";

/// The PSK options both `client` and `server` take.
#[derive(clap::Args, Debug, Default, Clone)]
pub(crate) struct PskArgs {
    /// PSK identity to use with --psk (client: the identity sent; server: the one
    /// identity accepted). See "Pre-shared keys" below.
    #[arg(long, value_name = "ID", requires = "psk", conflicts_with = "psk_file")]
    pub psk_identity: Option<String>,
    /// The pre-shared key of --psk-identity, in hex (1 to 512 bytes, e.g.
    /// 0123456789abcdef). It is visible in the process list: prefer --psk-file.
    #[arg(
        long,
        value_name = "HEX",
        requires = "psk_identity",
        conflicts_with = "psk_file"
    )]
    pub psk: Option<String>,
    /// Read pre-shared keys from PATH: one `identity:hexkey` per line (blank lines and
    /// `#` comments skipped). The client uses the first entry, the server all.
    #[arg(long, value_name = "PATH")]
    pub psk_file: Option<PathBuf>,
}

impl PskArgs {
    /// Makes a relative `--psk-file` relative to `base` (for a replay); returns it.
    pub(crate) fn resolve_path(&mut self, base: &Path) -> Option<PathBuf> {
        let p = self.psk_file.as_mut()?;
        if p.is_relative() {
            *p = base.join(&*p);
        }
        Some(p.clone())
    }

    /// Every PSK given, in order (`--psk-identity`/`--psk`: one; `--psk-file`: each
    /// entry); empty without PSK options.
    pub(crate) fn load(&self) -> Result<Vec<Psk>, Failure> {
        if let (Some(id), Some(hex)) = (&self.psk_identity, &self.psk) {
            let key = decode_hex(hex).map_err(|why| {
                Failure::new(exit::USAGE, format!("--psk is not a usable key: {why}"))
            })?;
            let psk = make(id.as_bytes(), &key)
                .map_err(|why| Failure::new(exit::USAGE, format!("--psk-identity/--psk: {why}")))?;
            return Ok(vec![psk]);
        }
        match &self.psk_file {
            Some(path) => read_file(path),
            None => Ok(Vec::new()),
        }
    }

    /// The client's PSK: the first one given.
    pub(crate) fn first(&self) -> Result<Option<Psk>, Failure> {
        Ok(self.load()?.into_iter().next())
    }

    /// The server's table of every PSK given (`None` without PSK options) and the
    /// longest identity in it.
    pub(crate) fn table(&self) -> Result<Option<(PskTable, usize)>, Failure> {
        let psks = self.load()?;
        if psks.is_empty() {
            return Ok(None);
        }
        let longest = psks.iter().map(|p| p.identity().len()).max().unwrap_or(0);
        let table = psks.into_iter().fold(PskTable::new(), PskTable::with);
        Ok(Some((table, longest)))
    }
}

/// A PSK from an identity and key, with the reason in words when it does not fit.
fn make(identity: &[u8], key: &[u8]) -> Result<Psk, String> {
    if identity.is_empty() {
        return Err("the identity is empty".to_string());
    }
    if identity.len() > usize::from(u16::MAX) {
        return Err(format!(
            "the identity is {} bytes long; at most 65535",
            identity.len()
        ));
    }
    if key.len() > MAX_PSK_LEN {
        return Err(format!(
            "the key is {} bytes long; a PSK is 1 to {MAX_PSK_LEN} bytes",
            key.len()
        ));
    }
    // (`Psk` keeps its own copy of the key, zeroized on drop.)
    Psk::new(identity.to_vec(), key.to_vec()).map_err(|e| e.to_string())
}

/// Decodes a key written in hex (any case, an optional `0x`), saying what is wrong
/// otherwise.
pub(crate) fn decode_hex(text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.is_empty() {
        return Err("it is empty (give 1 to 512 bytes in hex)".to_string());
    }
    if let Some((i, c)) = t.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "'{c}' at position {} is not a hex digit (0-9, a-f)",
            i + 1
        ));
    }
    if t.len() % 2 == 1 {
        return Err(format!(
            "it has an odd number of hex digits ({}): two digits per byte",
            t.len()
        ));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(t.len() / 2));
    for pair in t.as_bytes().chunks(2) {
        let hi = hex_value(pair[0]);
        let lo = hex_value(pair[1]);
        out.push(hi << 4 | lo);
    }
    Ok(out)
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// The longest PSK file read: far more than any table of keys needs.
const MAX_FILE_LEN: u64 = 16 * 1024 * 1024;

/// Reads a PSK file (see the module doc).
fn read_file(path: &Path) -> Result<Vec<Psk>, Failure> {
    let fail = |what: String| {
        Failure::new(
            exit::CONFIG,
            format!("--psk-file {}: {what}", path.display()),
        )
    };
    let len = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read it: {e}")))?
        .len();
    if len > MAX_FILE_LEN {
        return Err(fail(format!(
            "it is {len} bytes long; a PSK file may have at most {MAX_FILE_LEN}"
        )));
    }
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read it: {e}")))?,
    );
    let mut out: Vec<Psk> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((identity, hex)) = line.rsplit_once(':') else {
            return Err(fail(format!(
                "line {n} is not `identity:hexkey` (no ':' in it)"
            )));
        };
        let key = decode_hex(hex).map_err(|why| fail(format!("line {n}: the key: {why}")))?;
        let psk =
            make(identity.as_bytes(), &key).map_err(|why| fail(format!("line {n}: {why}")))?;
        if out.iter().any(|p| p.identity() == psk.identity()) {
            return Err(fail(format!(
                "line {n}: the identity '{identity}' is already given on an earlier line"
            )));
        }
        out.push(psk);
    }
    if out.is_empty() {
        return Err(fail(
            "it holds no `identity:hexkey` line (blank lines and # comments only)".to_string(),
        ));
    }
    Ok(out)
}

/// Checks `--suite` against what is configured before the library does, to name the
/// options: a PSK suite needs a PSK, a certificate suite needs certificates (`certs`:
/// the client has a trust store or --no-verify, the server --cert and --key). `fix`
/// says how to get certificates.
pub(crate) fn check_suites(
    suites: &[sanstls_wire::enums::CipherSuite],
    psk: bool,
    certs: bool,
    fix: &str,
) -> Result<(), Failure> {
    for &s in suites {
        let name = crate::suites::openssl_name(s)
            .map_or_else(|| crate::suites::iana_name(s), str::to_string);
        let is_psk = s
            .key_exchange()
            .is_some_and(sanstls_wire::enums::KeyExchange::is_psk);
        if is_psk && !psk {
            return Err(Failure::new(
                exit::USAGE,
                format!(
                    "--suite {name} is a pre-shared-key suite: give --psk-identity and --psk, \
                     or --psk-file"
                ),
            ));
        }
        if !is_psk && !certs {
            return Err(Failure::new(
                exit::USAGE,
                format!(
                    "--suite {name} needs certificates, and with a PSK alone only the PSK \
                     suites can be used: {fix}, or name a PSK suite (e.g. --suite \
                     ECDHE-PSK-CHACHA20-POLY1305)"
                ),
            ));
        }
    }
    Ok(())
}

/// A PSK identity for people: the text if it is printable UTF-8, else `0x` and hex.
pub(crate) fn identity_text(identity: &[u8]) -> String {
    match std::str::from_utf8(identity) {
        Ok(s) if !s.chars().any(char::is_control) => s.to_string(),
        _ => {
            use std::fmt::Write as _;
            let mut s = String::from("0x");
            for b in identity {
                let _ = write!(s, "{b:02x}");
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys() {
        assert_eq!(&decode_hex("00ffA0").unwrap()[..], &[0, 0xff, 0xa0]);
        assert_eq!(&decode_hex("0x0102").unwrap()[..], &[1, 2]);
        assert!(decode_hex("abc").unwrap_err().contains("odd number"));
        assert!(decode_hex("zz").unwrap_err().contains("'z' at position 1"));
        assert!(decode_hex("").unwrap_err().contains("empty"));
    }

    #[test]
    fn bad_psks_say_why() {
        let long = vec![1u8; MAX_PSK_LEN + 1];
        assert!(make(b"id", &long).unwrap_err().contains("513 bytes"));
        assert!(make(b"", &[1]).unwrap_err().contains("empty"));
        assert!(make(b"id", &[1; MAX_PSK_LEN]).is_ok());
    }

    #[test]
    fn files_of_identities() {
        let dir = std::env::temp_dir().join(format!("sanstls-psk-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good");
        std::fs::write(&good, "# keys\n\nalice:0102\r\nbob:with:colon:AABB\n").unwrap();
        let psks = read_file(&good).unwrap();
        assert_eq!(psks.len(), 2);
        assert_eq!(psks[0].identity(), b"alice");
        assert_eq!(psks[0].key(), [1, 2]);
        assert_eq!(psks[1].identity(), b"bob:with:colon");
        let bad = dir.join("bad");
        for (text, needle) in [
            ("alice0102\n", "line 1 is not `identity:hexkey`"),
            ("a:01\nb:0g\n", "line 2: the key: 'g'"),
            (":01\n", "line 1: the identity is empty"),
            ("a:01\na:02\n", "line 2: the identity 'a' is already given"),
            ("# nothing\n", "holds no `identity:hexkey` line"),
        ] {
            std::fs::write(&bad, text).unwrap();
            let f = read_file(&bad).unwrap_err();
            assert_eq!(f.code, exit::CONFIG);
            assert!(f.message.contains(needle), "{}", f.message);
            assert!(f.message.contains("--psk-file"), "{}", f.message);
        }
        let f = read_file(&dir.join("missing")).unwrap_err();
        assert!(f.message.contains("cannot read it"), "{}", f.message);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(identity_text(b"client1"), "client1");
        assert_eq!(identity_text(&[0, 0xff]), "0x00ff");
    }
}
