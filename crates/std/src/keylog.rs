//! [`KeyLogFile`]: the NSS key log format (`SSLKEYLOGFILE`), for Wireshark.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sanstls_proto::{ClientConfig, ClientConfigBuilder, KeyLog, ServerConfig, ServerConfigBuilder};

use crate::Error;

/// Appends NSS key log lines (`CLIENT_RANDOM <client random> <master secret>`, one per
/// connection) to a file, so that Wireshark can decrypt captured traffic.
///
/// Anyone who can read the file can decrypt the connections it lists: use it only for
/// debugging. Write errors are reported once on standard error and otherwise ignored (a
/// key log must never break a connection).
#[derive(Debug)]
pub struct KeyLogFile {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl KeyLogFile {
    /// Opens `path` for appending (creating it if needed).
    pub fn create(path: &Path) -> Result<Self, Error> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::Load {
                path: path.to_path_buf(),
                problem: format!("cannot open it to append TLS keys: {e}"),
            })?;
        Ok(KeyLogFile {
            path: path.to_path_buf(),
            file: Mutex::new(Some(file)),
        })
    }

    /// The key log named by the `SSLKEYLOGFILE` environment variable, or `None` when
    /// it is unset or empty. A file that cannot be opened is reported on standard error
    /// (naming it) and gives `None`.
    pub fn from_env() -> Option<Arc<Self>> {
        let path = std::env::var_os("SSLKEYLOGFILE").filter(|p| !p.is_empty())?;
        match Self::create(Path::new(&path)) {
            Ok(k) => Some(Arc::new(k)),
            Err(e) => {
                eprintln!("sanstls: SSLKEYLOGFILE ignored: {e}");
                None
            }
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyLog for KeyLogFile {
    fn log(&self, line: &str) {
        let mut guard = match self.file.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(file) = guard.as_mut() {
            // One write per line, so that concurrent processes appending to the same
            // file do not interleave within a line.
            let mut buf = Vec::with_capacity(line.len() + 1);
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
            if let Err(e) = file.write_all(&buf) {
                eprintln!(
                    "sanstls: cannot write to the key log {}: {e}; key logging stops",
                    self.path.display()
                );
                *guard = None;
            }
        }
    }
}

/// [`ClientConfig::builder`], with the `SSLKEYLOGFILE` key log when that variable is
/// set (see [`KeyLogFile::from_env`]).
pub fn client_config_builder() -> ClientConfigBuilder {
    let b = ClientConfig::builder();
    match KeyLogFile::from_env() {
        Some(k) => b.key_log(k),
        None => b,
    }
}

/// [`ServerConfig::builder`], with the `SSLKEYLOGFILE` key log when that variable is
/// set (see [`KeyLogFile::from_env`]).
pub fn server_config_builder() -> ServerConfigBuilder {
    let b = ServerConfig::builder();
    match KeyLogFile::from_env() {
        Some(k) => b.key_log(k),
        None => b,
    }
}
