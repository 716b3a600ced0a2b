//! `cargo xtask fuzz-coverage [target...]`: line coverage of the library crates reached by
//! the fuzz targets' corpora, with `cargo fuzz coverage` and the nightly toolchain's
//! `llvm-cov` (rustup component `llvm-tools`).
//!
//! Each target's corpus (`fuzz/corpus/<t>/`, or its seeds when there is none) is run
//! through a coverage build; the report counts the lines of sanstls-proto, -record and
//! -wire (the harness files, `fuzzing*`, left out), per target and for all the targets
//! together (their profiles merged: a line counts when any target reached it).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tasks::{RUSTC_WRAPPER, root, run};

/// The state-machine targets, reported by default.
const PROTO_TARGETS: &[&str] = &[
    "proto_client",
    "proto_server",
    "proto_client_actions",
    "proto_server_actions",
    "proto_pair",
];

/// The crates reported, by their directory under `crates/`.
const CRATES: &[&str] = &["proto", "record", "wire"];

/// The nightly toolchain's LLVM tool `name` (llvm-cov, llvm-profdata).
fn llvm_tool(name: &str) -> Result<PathBuf, String> {
    let out = Command::new("rustc")
        .args(["+nightly", "--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run rustc +nightly: {e}"))?;
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let host = Command::new("rustc")
        .args(["+nightly", "-vV"])
        .output()
        .map_err(|e| format!("cannot run rustc +nightly -vV: {e}"))?;
    let host = String::from_utf8_lossy(&host.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or("rustc -vV names no host")?;
    let tool = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(&host)
        .join("bin")
        .join(name);
    if tool.exists() {
        Ok(tool)
    } else {
        Err(format!(
            "{} not found: rustup +nightly component add llvm-tools",
            tool.display()
        ))
    }
}

/// Lines and lines covered, per crate.
type Tally = BTreeMap<&'static str, (u64, u64)>;

/// Reads `llvm-cov report`'s table: for each file of the reported crates (harness files
/// left out), its line count and missed lines.
fn tally(report: &str) -> Tally {
    let mut t: Tally = CRATES.iter().map(|&c| (c, (0, 0))).collect();
    for line in report.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // Filename, regions, missed, cover, functions, missed, executed, lines, missed...
        let (Some(file), Some(lines), Some(missed)) = (cols.first(), cols.get(7), cols.get(8))
        else {
            continue;
        };
        let (Ok(lines), Ok(missed)) = (lines.parse::<u64>(), missed.parse::<u64>()) else {
            continue;
        };
        let file = file.replace('\\', "/");
        if file.contains("fuzzing") {
            continue;
        }
        for &c in CRATES {
            if file.starts_with(&format!("{c}/src/")) || file.contains(&format!("crates/{c}/src/"))
            {
                let e = t.entry(c).or_default();
                e.0 += lines;
                e.1 += lines - missed.min(lines);
            }
        }
    }
    t
}

fn percent(lines: u64, covered: u64) -> String {
    // Per mille in integers: line counts are far below f64's exact range anyway.
    match (covered * 1000).checked_div(lines) {
        Some(permille) => format!("{}.{}%", permille / 10, permille % 10),
        None => "-".into(),
    }
}

pub(crate) fn fuzz_coverage(args: &[String]) -> Result<(), String> {
    let targets: Vec<String> = if args.is_empty() {
        PROTO_TARGETS.iter().map(|s| (*s).to_string()).collect()
    } else {
        args.to_vec()
    };
    let llvm_cov = llvm_tool("llvm-cov")?;
    let profdata = llvm_tool("llvm-profdata")?;
    let fuzz_dir = root().join("fuzz");
    let host_dir = root().join("target");
    let mut rows = Vec::new();
    let mut binaries = Vec::new();
    let mut profiles = Vec::new();
    for t in &targets {
        let corpus = fuzz_dir.join("corpus").join(t);
        let inputs = if corpus.is_dir() {
            corpus
        } else {
            fuzz_dir.join("seeds").join(t)
        };
        run(
            &format!("fuzz coverage {t}"),
            Command::new("cargo")
                .env("RUSTC_WRAPPER", fuzz_dir.join(RUSTC_WRAPPER))
                .args(["+nightly", "fuzz", "coverage", t])
                .arg(&inputs),
        )?;
        let binary = find_coverage_binary(&host_dir, t)?;
        let profile = fuzz_dir.join("coverage").join(t).join("coverage.profdata");
        let report = llvm_cov_report(&llvm_cov, &[&binary], &profile)?;
        rows.push((t.clone(), tally(&report)));
        binaries.push(binary);
        profiles.push(profile);
    }
    let merged = fuzz_dir.join("coverage").join("merged.profdata");
    let mut cmd = Command::new(&profdata);
    cmd.args(["merge", "-sparse", "-o"])
        .arg(&merged)
        .args(&profiles);
    run("merge the profiles", &mut cmd)?;
    let all: Vec<&Path> = binaries.iter().map(PathBuf::as_path).collect();
    let report = llvm_cov_report(&llvm_cov, &all, &merged)?;
    rows.push(("all of the above".into(), tally(&report)));

    let mut table = String::from("| target |");
    for c in CRATES {
        let _ = write!(table, " sanstls-{c} lines |");
    }
    table += "\n|---|";
    table += &"---|".repeat(CRATES.len());
    for (t, tally) in &rows {
        let _ = write!(table, "\n| {t} |");
        for c in CRATES {
            let (lines, covered) = tally.get(c).copied().unwrap_or_default();
            let _ = write!(
                table,
                " {} ({covered} of {lines}) |",
                percent(lines, covered)
            );
        }
    }
    println!("\n{table}");
    Ok(())
}

/// Where `cargo fuzz coverage` left target `t`'s instrumented binary.
fn find_coverage_binary(host_dir: &Path, t: &str) -> Result<PathBuf, String> {
    let coverage = std::fs::read_dir(host_dir)
        .map_err(|e| format!("cannot list {}: {e}", host_dir.display()))?
        .flatten()
        .map(|e| e.path().join("coverage"))
        .find(|p| p.is_dir())
        .ok_or_else(|| format!("no coverage build under {}", host_dir.display()))?;
    let triple = std::fs::read_dir(&coverage)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path().join("release").join(t))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("no coverage binary for {t} under {}", coverage.display()))?;
    Ok(triple)
}

fn llvm_cov_report(llvm_cov: &Path, binaries: &[&Path], profile: &Path) -> Result<String, String> {
    let mut cmd = Command::new(llvm_cov);
    cmd.arg("report").arg(binaries[0]);
    for b in &binaries[1..] {
        cmd.arg("-object").arg(b);
    }
    cmd.arg(format!("-instr-profile={}", profile.display()))
        .arg("--ignore-filename-regex=(\\.cargo|\\.rustup|rustc/|/fuzz/)");
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", llvm_cov.display()))?;
    if !out.status.success() {
        return Err(format!(
            "llvm-cov report failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The most bytes of minimized corpus committed per target, beside the hand-made seeds.
const SEED_BUDGET: u64 = 400 * 1024;

/// `cargo xtask fuzz-seeds [target...]`: the minimized corpus of each target (default:
/// every target with a corpus) becomes `fuzz/seeds/<t>/cmin-*`. libFuzzer's set-cover
/// merge over edges only (`-set_cover_merge=1 -use_counters=0`) picks few, small inputs
/// that keep every edge the corpus reached; if they still weigh more than
/// [`SEED_BUDGET`], the largest are left out (the count is printed).
pub(crate) fn fuzz_seeds(args: &[String]) -> Result<(), String> {
    let fuzz_dir = root().join("fuzz");
    let targets: Vec<String> = if args.is_empty() {
        std::fs::read_dir(fuzz_dir.join("corpus"))
            .map_err(|e| format!("no fuzz/corpus: {e}"))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    } else {
        args.to_vec()
    };
    let host = fuzz_dir.join("target");
    for t in &targets {
        run(
            &format!("fuzz build {t}"),
            Command::new("cargo")
                .env("RUSTC_WRAPPER", fuzz_dir.join(RUSTC_WRAPPER))
                .args(["+nightly", "fuzz", "build", t]),
        )?;
        let binary = std::fs::read_dir(&host)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path().join("release").join(t))
            .find(|p| p.is_file())
            .ok_or_else(|| format!("no fuzz binary for {t} under {}", host.display()))?;
        let out = std::env::temp_dir().join(format!("sanstls-cmin-{t}"));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        run(
            &format!("minimize {t}"),
            Command::new(&binary)
                .args(["-set_cover_merge=1", "-use_counters=0"])
                .arg(&out)
                .arg(fuzz_dir.join("corpus").join(t)),
        )?;
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(&out)
            .map_err(|e| e.to_string())?
            .flatten()
            .filter_map(|e| Some((e.metadata().ok()?.len(), e.path())))
            .collect();
        files.sort();
        let seeds = fuzz_dir.join("seeds").join(t);
        std::fs::create_dir_all(&seeds).map_err(|e| e.to_string())?;
        for old in std::fs::read_dir(&seeds)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            if old.file_name().to_string_lossy().starts_with("cmin-") {
                std::fs::remove_file(old.path()).map_err(|e| e.to_string())?;
            }
        }
        let (mut kept, mut bytes) = (0, 0);
        for (len, path) in &files {
            if bytes + len > SEED_BUDGET {
                break;
            }
            let name = format!(
                "cmin-{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            std::fs::copy(path, seeds.join(name)).map_err(|e| e.to_string())?;
            kept += 1;
            bytes += len;
        }
        println!(
            "{t}: {} inputs cover the corpus's edges; kept {kept} ({bytes} bytes), left out {} \
             of the largest",
            files.len(),
            files.len() - kept
        );
    }
    Ok(())
}
