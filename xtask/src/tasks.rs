//! `ci`, `no-std`, `bench` and `fuzz`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The targets every no_std crate must build for: Cortex-M4F (atomics), Cortex-M0/M0+
/// (RP2040: no atomic compare-and-swap) and RV32IMC (ESP32-C3: no atomics at all).
const NO_STD_TARGETS: [&str; 3] = [
    "thumbv7em-none-eabihf",
    "thumbv6m-none-eabi",
    "riscv32imc-unknown-none-elf",
];

/// The reduced feature sets of sanstls-embedded (and so of sanstls-proto) that must
/// build: the probes of `cargo xtask embedded` (client-min is the first, client-psk the
/// certificate-free one, without `x509`), the smallest server and a PSK-only server.
const REDUCED_FEATURES: [&str; 6] = [
    "client,rsa-kx,cbc",
    "client,dhe,pss,cbc",
    "server,rsa-kx,cbc",
    "client,ecdhe,ecdsa,aes-gcm",
    "client,psk,aes-ccm",
    "server,psk,ecdhe,cbc",
];

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Run a command in the workspace root (unless it has its own directory), echoing it;
/// an error names the step.
pub(crate) fn run(step: &str, cmd: &mut Command) -> Result<(), String> {
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    eprintln!("\n==> {step}: {cmd:?}");
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: cannot start {cmd:?}: {e}"))?;
    eprintln!("<== {step}: {status} in {:.1?}", started.elapsed());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

pub(crate) fn ci() -> Result<(), String> {
    let started = Instant::now();
    run("fmt", cargo().args(["fmt", "--all", "--check"]))?;
    run(
        "clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run(
        "test",
        cargo().args(["test", "--workspace", "--all-features", "--no-fail-fast"]),
    )?;
    // The fixed-width big-integer backend of sanstls-crypto (what targets without atomic
    // compare-and-swap use) under the whole crypto test suite, on the host; its own target
    // directory, as the cfg changes every crate's flags.
    run(
        "test (fixed-width bigint backend)",
        cargo()
            .args(["test", "-p", "sanstls-crypto"])
            .env("RUSTFLAGS", "--cfg sanstls_fixed_bigint")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env("CARGO_TARGET_DIR", root().join("target/fixed-bigint")),
    )?;
    run(
        "doc",
        cargo()
            .args(["doc", "--workspace", "--no-deps", "--all-features"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    no_std()?;
    fuzz_build()?;
    // Each target for 20 s from its seeds, when cargo-fuzz is there to run them (the
    // build above needs only nightly).
    if nightly_available() && cargo_fuzz_available() {
        fuzz(&["--secs".to_string(), "20".to_string()])?;
    } else {
        eprintln!("\n==> fuzz run: cargo-fuzz (or nightly) not installed; targets built, not run");
    }
    crate::embedded::embedded(&[])?;
    eprintln!("\nxtask ci: all steps passed in {:.1?}", started.elapsed());
    Ok(())
}

/// Library crates whose `src/lib.rs` declares `#![no_std]`.
fn no_std_crates() -> Result<Vec<String>, String> {
    let crates_dir = root().join("crates");
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&crates_dir)
        .map_err(|e| format!("cannot list {}: {e}", crates_dir.display()))?;
    for entry in entries {
        let dir = entry.map_err(|e| e.to_string())?.path();
        let Ok(lib) = std::fs::read_to_string(dir.join("src/lib.rs")) else {
            continue;
        };
        if !lib.lines().any(|l| l.trim() == "#![no_std]") {
            continue;
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = manifest
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .map(|n| n.trim().trim_matches('"').to_string())
            .ok_or_else(|| format!("{}: no package name", dir.display()))?;
        out.push(name);
    }
    out.sort();
    Ok(out)
}

pub(crate) fn no_std() -> Result<(), String> {
    let crates = no_std_crates()?;
    if crates.is_empty() {
        return Err("no #![no_std] crates found under crates/".into());
    }
    eprintln!("no_std crates: {}", crates.join(", "));
    let packages: Vec<&str> = crates.iter().flat_map(|c| ["-p", c.as_str()]).collect();
    // Crates whose features are capabilities (proto, embedded) cannot build without any:
    // they need a role and a key exchange, and say so. The others build bare too.
    let bare: Vec<&str> = crates
        .iter()
        .filter(|c| !matches!(c.as_str(), "sanstls-proto" | "sanstls-embedded"))
        .flat_map(|c| ["-p", c.as_str()])
        .collect();
    for target in NO_STD_TARGETS {
        let build = |what: &str, extra: &[&str]| {
            run(
                &format!("no-std {target}: {what}"),
                cargo()
                    .args(["build", "--release", "--target", target])
                    .args(extra),
            )
        };
        build("default features", &packages)?;
        build(
            "no default features",
            &[bare.as_slice(), &["--no-default-features"]].concat(),
        )?;
        for features in REDUCED_FEATURES {
            build(
                &format!("sanstls-embedded with {features}"),
                &[
                    "-p",
                    "sanstls-embedded",
                    "--no-default-features",
                    "--features",
                    features,
                ],
            )?;
        }
    }
    // The checks that only a reduced build has (a configuration asking for what is
    // left out is refused, naming the feature), on the host.
    for features in REDUCED_FEATURES {
        run(
            &format!("reduced build tests: sanstls-proto with {features}"),
            cargo().args([
                "test",
                "-p",
                "sanstls-proto",
                "--lib",
                "--no-default-features",
                "--features",
                features,
            ]),
        )?;
    }
    Ok(())
}

fn cargo_fuzz_available() -> bool {
    Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn nightly_available() -> bool {
    Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn fuzz_build() -> Result<(), String> {
    let manifest = root().join("fuzz/Cargo.toml");
    if !manifest.exists() {
        eprintln!("\n==> fuzz build: no fuzz/Cargo.toml yet; nothing to build");
        return Ok(());
    }
    if !nightly_available() {
        eprintln!(
            "\n==> fuzz build: SKIPPED — no nightly toolchain (`cargo +nightly` failed). \
             Install one with `rustup toolchain install nightly` to build the fuzz targets."
        );
        return Ok(());
    }
    // A plain build compiles and links every target against libFuzzer; it needs neither
    // cargo-fuzz nor sanitizer instrumentation.
    run(
        "fuzz build",
        Command::new("cargo").args([
            "+nightly",
            "build",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--bins",
        ]),
    )
}

/// Benchmarks are the `harness = false` benches of `sanstls-test`, one per file in
/// `crates/test/benches/`.
pub(crate) fn bench(names: &[String]) -> Result<(), String> {
    let dir = root().join("crates/test/benches");
    let mut known: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            if p.extension()? == "rs" {
                Some(p.file_stem()?.to_string_lossy().into_owned())
            } else {
                None
            }
        })
        .collect();
    known.sort();
    if names.is_empty() {
        return Err(format!("bench needs a name: {}", known.join(", ")));
    }
    for name in names {
        if !known.contains(name) {
            return Err(format!(
                "unknown benchmark `{name}` (known: {})",
                known.join(", ")
            ));
        }
        run(
            &format!("bench {name}"),
            cargo().args(["bench", "-p", "sanstls-test", "--bench", name]),
        )?;
    }
    Ok(())
}

pub(crate) fn fuzz(args: &[String]) -> Result<(), String> {
    let mut secs: u64 = 60;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--secs" {
            let v = it.next().ok_or("--secs needs a number")?;
            secs = v
                .parse()
                .map_err(|_| format!("--secs: `{v}` is not a number of seconds"))?;
        } else {
            targets.push(arg.clone());
        }
    }
    let fuzz_dir = root().join("fuzz");
    if targets.is_empty() {
        let dir = fuzz_dir.join("fuzz_targets");
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|e| e == "rs")
                && let Some(stem) = path.file_stem()
            {
                targets.push(stem.to_string_lossy().into_owned());
            }
        }
        targets.sort();
    }
    if !nightly_available() {
        return Err("fuzzing needs a nightly toolchain: rustup toolchain install nightly".into());
    }
    uninstrumented_crypto(&fuzz_dir)?;
    let mut rows = Vec::new();
    for target in &targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let seeds = fuzz_dir.join("seeds").join(target);
        if let Ok(entries) = std::fs::read_dir(&seeds) {
            for entry in entries.flatten() {
                let _ = std::fs::copy(entry.path(), corpus.join(entry.file_name()));
            }
        }
        let mut cmd = Command::new("cargo");
        cmd.current_dir(root())
            .env("RUSTC_WRAPPER", fuzz_dir.join(RUSTC_WRAPPER))
            .args(["+nightly", "fuzz", "run", target])
            .arg(&corpus)
            .args(["--", &format!("-max_total_time={secs}")]);
        eprintln!("\n==> fuzz {target}: {cmd:?}");
        let out = cmd
            .output()
            .map_err(|e| format!("fuzz {target}: cannot start cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let row = FuzzRow::parse(target, &log, out.status.success(), &fuzz_dir);
        eprintln!("<== fuzz {target}: {}", row.line());
        if row.crashes > 0 {
            // What libFuzzer said about the crash, and the reproducer's path.
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            for line in tail.iter().rev() {
                eprintln!("    {line}");
            }
        }
        rows.push(row);
    }
    println!("\n{}", FuzzRow::table(&rows));
    let crashed: Vec<&str> = rows
        .iter()
        .filter(|r| r.crashes > 0)
        .map(|r| r.target.as_str())
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz: crashes in {}", crashed.join(", ")))
    }
}

/// The rustc wrapper that builds the RustCrypto crates without coverage instrumentation
/// (see the script).
pub(crate) const RUSTC_WRAPPER: &str = "uninstrumented-rustc.sh";

/// Cargo does not rebuild when `RUSTC_WRAPPER` changes, so a fuzz build made without
/// the wrapper would keep its instrumented crypto crates (and run several times
/// slower): the first run with the wrapper removes cargo-fuzz's builds (the
/// `target/<triple>/` directories; the plain `fuzz build` of `ci` is elsewhere) once,
/// leaving a mark.
fn uninstrumented_crypto(fuzz_dir: &Path) -> Result<(), String> {
    let target = fuzz_dir.join("target");
    let mark = target.join(".uninstrumented-crypto-v1");
    if mark.exists() {
        return Ok(());
    }
    if let Ok(entries) = std::fs::read_dir(&target) {
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() != "release" && path.join("release").is_dir() {
                eprintln!(
                    "==> fuzz: removing {} (built before the rustc wrapper)",
                    path.display()
                );
                std::fs::remove_dir_all(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    std::fs::create_dir_all(&target)
        .and_then(|()| std::fs::write(&mark, b""))
        .map_err(|e| format!("cannot write {}: {e}", mark.display()))
}

/// One target's run, read from libFuzzer's output.
struct FuzzRow {
    target: String,
    /// Executions (`Done N runs in S second(s)`).
    runs: u64,
    seconds: u64,
    /// Coverage: the last `cov:` figure (edges and other features libFuzzer counts).
    edges: u64,
    /// Corpus entries at the end (the last `corp:` figure).
    corpus: u64,
    /// 1 when the run failed (a crash, a leak, a timeout, an out-of-memory), plus any
    /// reproducer left in `fuzz/artifacts/<target>/` by earlier runs.
    crashes: u64,
}

impl FuzzRow {
    fn parse(target: &str, log: &str, success: bool, fuzz_dir: &Path) -> Self {
        let last_number_after = |key: &str| -> u64 {
            log.lines()
                .rev()
                .find_map(|l| {
                    let at = l.find(key)? + key.len();
                    let digits: String = l[at..]
                        .trim_start()
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    digits.parse().ok()
                })
                .unwrap_or(0)
        };
        let (runs, seconds) = log
            .lines()
            .rev()
            .find_map(|l| {
                let rest = l.strip_prefix("Done ")?;
                let mut words = rest.split_whitespace();
                let runs = words.next()?.parse().ok()?;
                let secs = words.nth(2)?.parse().ok()?;
                Some((runs, secs))
            })
            .unwrap_or((0, 0));
        let artifacts = std::fs::read_dir(fuzz_dir.join("artifacts").join(target)).map_or(0, |d| {
            d.flatten()
                .filter(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    ["crash-", "leak-", "timeout-", "oom-"]
                        .iter()
                        .any(|p| n.starts_with(p))
                })
                .count() as u64
        });
        FuzzRow {
            target: target.to_string(),
            runs,
            seconds,
            edges: last_number_after("cov:"),
            corpus: last_number_after("corp:"),
            crashes: u64::from(!success).max(artifacts),
        }
    }

    fn rate(&self) -> u64 {
        self.runs / self.seconds.max(1)
    }

    fn line(&self) -> String {
        format!(
            "{} executions in {} s ({}/s), coverage {}, corpus {}, crashes {}",
            self.runs,
            self.seconds,
            self.rate(),
            self.edges,
            self.corpus,
            self.crashes
        )
    }

    fn table(rows: &[FuzzRow]) -> String {
        let mut t = String::from(
            "| target | executions | exec/s | coverage (edges) | corpus | crashes |\n\
             |---|---|---|---|---|---|\n",
        );
        for r in rows {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} |",
                r.target,
                r.runs,
                r.rate(),
                r.edges,
                r.corpus,
                r.crashes
            );
        }
        t
    }
}
