//! Project chores: `cargo xtask <command>`.
//!
//! - `ci`: everything CI checks (fmt, clippy, tests, docs, no_std builds, fuzz build).
//! - `no-std`: builds every `#![no_std]` library crate for three embedded targets
//!   (thumbv7em-none-eabihf, thumbv6m-none-eabi, riscv32imc-unknown-none-elf), with
//!   default, no and reduced features, and tests the reduced feature sets.
//! - `gen-certs [--only GROUP]`: regenerates `testdata/` with the `openssl` command line
//!   (`--only ecdsa`: only the ECDSA chains, every other file left as it is).
//! - `bench <name>`: runs a benchmark (`crypto`, ...) that compares sanstls with OpenSSL.
//! - `fuzz [--secs N] [target...]`: runs fuzz targets with `cargo +nightly fuzz`.
//! - `fuzz-coverage [target...]`: line coverage of sanstls-proto, -record and -wire
//!   reached by the fuzz corpora (the state-machine targets by default).
//! - `fuzz-seeds [target...]`: the fuzz corpora, minimized, become committed seeds.
//! - `embedded [--json] [--probe NAME]...`: builds the probe firmwares of
//!   `embedded-probe/` (all, or the named ones), reports their sizes, and their heap and
//!   stack in QEMU.
#![forbid(unsafe_code)]

mod certs;
mod coverage;
mod embedded;
mod tasks;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci                     fmt check, clippy -D warnings, tests, docs, no-std build, fuzz build
  no-std                 build every no_std crate for thumbv7em, thumbv6m and riscv32imc,
                         with the reduced feature sets, and test those sets
  gen-certs              regenerate testdata/ (certificates and keys) with the openssl CLI
    [--only ecdsa]       only the ECDSA chains; every other file is left byte-identical
  bench <name>...        run benchmarks against OpenSSL (crates/test/benches/<name>.rs)
  fuzz [--secs N] [t..]  run fuzz targets (all by default) for N seconds each (default 60)
  fuzz-coverage [t..]    line coverage of proto/record/wire reached by the fuzz corpora
                         (default: the proto targets; needs rustup component llvm-tools)
  fuzz-seeds [t..]       the minimized corpus of each target becomes fuzz/seeds/<t>/cmin-*
                         (edges kept, at most 400 KiB per target)
  embedded [--json] [--probe NAME]..
                         probe firmwares (embedded-probe/): sizes; heap and stack in QEMU
                         (all probes, or the named ones: client-min, client-ecdhe,
                         client-psk, client-full, server)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => tasks::ci(),
        Some("no-std") => tasks::no_std(),
        Some("gen-certs") => certs::gen_certs(&args[1..]),
        Some("bench") => tasks::bench(&args[1..]),
        Some("fuzz") => tasks::fuzz(&args[1..]),
        Some("fuzz-coverage") => coverage::fuzz_coverage(&args[1..]),
        Some("fuzz-seeds") => coverage::fuzz_seeds(&args[1..]),
        Some("embedded") => embedded::embedded(&args[1..]),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
