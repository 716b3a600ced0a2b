//! Files from the repository's `testdata/` directory (made by `cargo xtask gen-certs`).

use std::path::PathBuf;

/// The absolute path of `testdata/<name>`.
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata")).join(name)
}

/// The text of `testdata/<name>`.
///
/// # Panics
/// If the file is missing: tests should fail loudly, naming the file.
pub fn read(name: &str) -> String {
    let p = path(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); regenerate with `cargo xtask gen-certs`",
            p.display()
        )
    })
}
