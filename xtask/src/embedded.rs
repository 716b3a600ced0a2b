//! `embedded [--json] [--probe NAME]...`: what sanstls costs on a microcontroller.
//!
//! Builds the probe firmwares of `embedded-probe/` for `thumbv7em-none-eabihf` (its own
//! workspace: opt-level "z", fat LTO, one codegen unit, panic abort; sha2's compact
//! backend), reports their section sizes and the largest symbols of client-min and
//! client-psk, and,
//! when `qemu-system-arm` is installed, runs each in QEMU (`mps2-an386`, a Cortex-M4)
//! through a handshake with a sanstls peer and a 4 KiB echo, reporting the probe side's
//! heap (peak and held) and stack (peak).
//!
//! Figures are printed, never checked: the report fails only when a firmware does not
//! build or a run does not complete its handshake and echo.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::tasks::root;

const TARGET: &str = "thumbv7em-none-eabihf";
/// The probes, each a feature of the probe crate.
const PROBES: [&str; 5] = [
    "client-min",
    "client-ecdhe",
    "client-psk",
    "client-full",
    "server",
];
/// The probes whose largest symbols are listed: the smallest certificate client and the
/// certificate-free one.
const SYMBOL_PROBES: [&str; 2] = ["client-min", "client-psk"];
/// sha2's cfg for its compact software backend (sha2 0.11 README, "Backends"), and
/// cortex-m-rt's linker script.
const RUSTFLAGS: &str = "--cfg sha2_backend_soft=\"compact\" -C link-arg=-Tlink.x";
/// How long one QEMU run may take (they take about a second): a hang fails the report
/// instead of the CI run.
const QEMU_TIMEOUT: Duration = Duration::from_secs(120);
/// How many of each listed probe's symbols to list.
const TOP_SYMBOLS: usize = 15;

/// One probe's figures, in bytes.
struct Probe {
    name: &'static str,
    text: u64,
    rodata: u64,
    data: u64,
    bss: u64,
    run: Option<Run>,
}

/// What a QEMU run measured.
struct Run {
    heap_peak: u64,
    heap_held: u64,
    stack_peak: u64,
    suite: String,
    /// The ECDHE group, as the firmware shows it (`Some(..)` or `None`).
    group: String,
}

pub(crate) fn embedded(args: &[String]) -> Result<(), String> {
    let mut json = false;
    let mut only: Vec<&'static str> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--probe" => {
                let name = args
                    .next()
                    .ok_or("embedded: `--probe` needs a probe name")?;
                let probe = PROBES.iter().find(|p| **p == name).ok_or_else(|| {
                    format!(
                        "embedded: unknown probe `{name}` (one of {})",
                        PROBES.join(", ")
                    )
                })?;
                only.push(probe);
            }
            other => return Err(format!("embedded: unknown argument `{other}`")),
        }
    }
    if only.is_empty() {
        only = PROBES.to_vec();
    }
    let started = Instant::now();
    let (probes, symbols, qemu) = measure(&only)?;
    let human = human_report(&probes, &symbols, qemu.as_deref());
    if json {
        eprint!("{human}");
        println!("{}", json_report(&probes));
    } else {
        print!("{human}");
    }
    eprintln!("xtask embedded: done in {:.1?}", started.elapsed());
    Ok(())
}

/// A probe's largest symbols (size, name), largest first.
type Symbols = (&'static str, Vec<(u64, String)>);

/// Builds and measures the probes `names`; returns the probes, the largest symbols of
/// those of [`SYMBOL_PROBES`] among them and the QEMU version (`None`: not installed,
/// runs skipped).
#[allow(clippy::type_complexity)]
fn measure(names: &[&'static str]) -> Result<(Vec<Probe>, Vec<Symbols>, Option<String>), String> {
    let tools = LlvmTools::find()?;
    let dir = root().join("embedded-probe");
    let firmware_dir = dir.join("target/firmware");
    std::fs::create_dir_all(&firmware_dir)
        .map_err(|e| format!("cannot create {}: {e}", firmware_dir.display()))?;
    let qemu = qemu_version();

    let mut probes = Vec::new();
    let mut symbols = Vec::new();
    for &name in names {
        // The firmware measured for size: the role under test alone.
        let size_elf = build(&dir, name, false, &firmware_dir.join(format!("{name}.elf")))?;
        let (text, rodata, data, bss) = tools.sizes(&size_elf)?;
        if SYMBOL_PROBES.contains(&name) {
            symbols.push((name, tools.largest_symbols(&size_elf, TOP_SYMBOLS)?));
        }
        let run = if qemu.is_some() {
            // The firmware run in QEMU: the role and its peer.
            let run_elf = build(
                &dir,
                name,
                true,
                &firmware_dir.join(format!("{name}-run.elf")),
            )?;
            Some(run_qemu(name, &run_elf)?)
        } else {
            None
        };
        probes.push(Probe {
            name,
            text,
            rodata,
            data,
            bss,
            run,
        });
    }
    Ok((probes, symbols, qemu))
}

/// Builds one probe (with its peer when `peer`) and copies the ELF to `out`.
fn build(dir: &Path, name: &str, peer: bool, out: &Path) -> Result<PathBuf, String> {
    let features = if peer {
        format!("{name},peer")
    } else {
        name.to_string()
    };
    let target_dir = dir.join("target");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(dir)
        .args(["build", "--release", "--target", TARGET, "--features"])
        .arg(&features)
        .arg("--target-dir")
        .arg(&target_dir)
        // The probe's flags, whatever the caller's environment says.
        .env("RUSTFLAGS", RUSTFLAGS)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET");
    let step = format!("embedded build {features}");
    crate::tasks::run(&step, &mut cmd)?;
    let built = target_dir.join(TARGET).join("release/sanstls-probe");
    std::fs::copy(&built, out).map_err(|e| {
        format!(
            "{step}: cannot copy {} to {}: {e}",
            built.display(),
            out.display()
        )
    })?;
    Ok(out.to_path_buf())
}

/// llvm-size and llvm-nm from rustup's llvm-tools component.
struct LlvmTools {
    size: PathBuf,
    nm: PathBuf,
}

impl LlvmTools {
    fn find() -> Result<Self, String> {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let sysroot = output(Command::new(&rustc).args(["--print", "sysroot"]))?;
        let version = output(Command::new(&rustc).arg("-vV"))?;
        let host = version
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .ok_or_else(|| format!("`{rustc} -vV` names no host"))?;
        let bin = Path::new(sysroot.trim()).join(format!("lib/rustlib/{host}/bin"));
        let tool = |name: &str| {
            let path = bin.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
            if path.exists() {
                Ok(path)
            } else {
                Err(format!(
                    "{name} not found at {}: install rustup's LLVM tools with \
                     `rustup component add llvm-tools`",
                    path.display()
                ))
            }
        };
        Ok(LlvmTools {
            size: tool("llvm-size")?,
            nm: tool("llvm-nm")?,
        })
    }

    /// .text, .rodata, .data and .bss of `elf`.
    fn sizes(&self, elf: &Path) -> Result<(u64, u64, u64, u64), String> {
        let out = output(Command::new(&self.size).arg("-A").arg(elf))?;
        let section = |name: &str| {
            out.lines()
                .find_map(|l| {
                    let mut cols = l.split_whitespace();
                    (cols.next() == Some(name)).then(|| cols.next()?.parse::<u64>().ok())?
                })
                .unwrap_or(0)
        };
        Ok((
            section(".text"),
            section(".rodata"),
            section(".data"),
            section(".bss"),
        ))
    }

    /// The `n` largest code symbols of `elf`, largest first, demangled.
    fn largest_symbols(&self, elf: &Path, n: usize) -> Result<Vec<(u64, String)>, String> {
        let out = output(
            Command::new(&self.nm)
                .args(["--print-size", "--size-sort", "--demangle"])
                .arg(elf),
        )?;
        // Lines: address, size (hex), type, name; sorted by size, smallest first.
        let mut symbols: Vec<(u64, String)> = out
            .lines()
            .filter_map(|l| {
                let mut cols = l.splitn(4, ' ');
                let (_addr, size, kind, name) =
                    (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
                matches!(kind, "t" | "T")
                    .then(|| Some((u64::from_str_radix(size, 16).ok()?, demangle_legacy(name))))?
            })
            .collect();
        symbols.sort_by_key(|s| std::cmp::Reverse(s.0));
        symbols.truncate(n);
        Ok(symbols)
    }
}

/// What llvm-nm leaves of a legacy Rust symbol (`_$LT$a..B$u20$as$u20$c..D$GT$::f::h0123..`)
/// made readable (`<a::B as c::D>::f`), as rustc-demangle does.
fn demangle_legacy(name: &str) -> String {
    let mut parts: Vec<&str> = name.split("::").collect();
    if parts.len() > 1
        && parts.last().is_some_and(|h| {
            h.len() == 17 && h.starts_with('h') && h[1..].chars().all(|c| c.is_ascii_hexdigit())
        })
    {
        parts.pop();
    }
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        let mut rest = part
            .strip_prefix('_')
            .filter(|r| r.starts_with('$'))
            .unwrap_or(part);
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("..") {
                out.push_str("::");
                rest = r;
                continue;
            }
            if rest.starts_with('$')
                && let Some(end) = rest[1..].find('$')
            {
                let code = &rest[1..=end];
                let decoded = match code {
                    "SP" => Some('@'),
                    "BP" => Some('*'),
                    "RF" => Some('&'),
                    "LT" => Some('<'),
                    "GT" => Some('>'),
                    "LP" => Some('('),
                    "RP" => Some(')'),
                    "C" => Some(','),
                    _ => code
                        .strip_prefix('u')
                        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                        .and_then(char::from_u32),
                };
                if let Some(c) = decoded {
                    out.push(c);
                    rest = &rest[end + 2..];
                    continue;
                }
            }
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// A command's standard output; an error if it cannot start or fails.
fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{cmd:?}: output not UTF-8: {e}"))
}

/// `QEMU <version>` from `qemu-system-arm --version`, or `None` when it is not installed.
fn qemu_version() -> Option<String> {
    let out = Command::new("qemu-system-arm")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // "QEMU emulator version 7.2.22 (Debian ...)": keep "QEMU 7.2.22".
    let version = text
        .split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)
        .unwrap_or("(unknown version)");
    Some(format!("QEMU {version}"))
}

/// Runs a probe firmware in QEMU; it reports `PROBE {json}` over semihosting and exits
/// with success, or says what failed and exits with failure.
fn run_qemu(name: &str, elf: &Path) -> Result<Run, String> {
    let mut cmd = Command::new("qemu-system-arm");
    cmd.args([
        "-machine",
        "mps2-an386",
        "-cpu",
        "cortex-m4",
        "-nographic",
        "-semihosting-config",
        "enable=on,target=native",
        "-kernel",
    ])
    .arg(elf)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let step = format!("embedded run {name}");
    eprintln!("\n==> {step}: {cmd:?}");
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{step}: cannot start qemu-system-arm: {e}"))?;
    // Read both pipes on the side, so a chatty firmware cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > QEMU_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("{step}: waiting for QEMU: {e}")),
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    eprint!("{out}{err}");
    let Some(status) = status else {
        return Err(format!(
            "{step}: no result after {QEMU_TIMEOUT:?} (QEMU killed)"
        ));
    };
    eprintln!("<== {step}: {status} in {:.1?}", started.elapsed());
    let line = out.lines().find_map(|l| l.strip_prefix("PROBE {"));
    match (status.success(), line) {
        (true, Some(line)) => {
            let field = |key: &str| {
                json_number(line, key)
                    .ok_or_else(|| format!("{step}: no `{key}` in the PROBE line: {line}"))
            };
            Ok(Run {
                heap_peak: field("heap_peak")?,
                heap_held: field("heap_held")?,
                stack_peak: field("stack_peak")?,
                suite: json_string(line, "suite").unwrap_or_default(),
                group: json_string(line, "group").unwrap_or_default(),
            })
        }
        _ => Err(format!(
            "{step}: the handshake and echo did not complete ({status}):\n{out}{err}"
        )),
    }
}

/// The number after `"key":` in a flat JSON object.
fn json_number(json: &str, key: &str) -> Option<u64> {
    let rest = &json[json.find(&format!("\"{key}\":"))? + key.len() + 3..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The string after `"key":` in a flat JSON object (no escapes).
fn json_string(json: &str, key: &str) -> Option<String> {
    let rest = json[json.find(&format!("\"{key}\":\""))? + key.len() + 4..].to_string();
    Some(rest[..rest.find('"')?].to_string())
}

fn human_report(probes: &[Probe], symbols: &[Symbols], qemu: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nEmbedded probes, {TARGET}: opt-level \"z\", fat LTO, codegen-units 1, panic \
         abort, sha2 compact backend. Bytes."
    );
    let _ = writeln!(
        s,
        "{:<12} {:>8} {:>8} {:>6} {:>6} {:>10} {:>10} {:>11}  suite",
        "probe", ".text", ".rodata", ".data", ".bss", "heap peak", "heap held", "stack peak"
    );
    for p in probes {
        let _ = write!(
            s,
            "{:<12} {:>8} {:>8} {:>6} {:>6}",
            p.name, p.text, p.rodata, p.data, p.bss
        );
        match &p.run {
            Some(r) => {
                let group = match r.group.strip_prefix("Some(") {
                    Some(g) => format!(", {}", g.trim_end_matches(')')),
                    None => String::new(),
                };
                let _ = writeln!(
                    s,
                    " {:>10} {:>10} {:>11}  {}{group}",
                    r.heap_peak, r.heap_held, r.stack_peak, r.suite
                );
            }
            None => {
                let _ = writeln!(s, " {:>10} {:>10} {:>11}", "-", "-", "-");
            }
        }
    }
    match qemu {
        Some(version) => {
            let _ = writeln!(
                s,
                "Heap and stack: the probe side alone, in QEMU mps2-an386 ({version}), through \
                 a handshake with the RSA-2048 chain\n(client-ecdhe: the ECDSA P-256 chain, \
                 ECDHE-ECDSA-AES128-GCM-SHA256 with the peer's default group) and a 4 KiB \
                 echo;\nclient-psk: no certificate, TLS_PSK_WITH_AES_128_CCM_8 with a \
                 PSK-only peer, 512-byte records required;\nheld = still allocated with the \
                 connection open; client-min and client-ecdhe negotiate 1 KiB records."
            );
        }
        None => {
            let _ = writeln!(
                s,
                "QEMU runs skipped: qemu-system-arm is not installed (Debian/Ubuntu: \
                 `apt-get install qemu-system-arm`), so no heap or stack figures."
            );
        }
    }
    for (probe, symbols) in symbols {
        let _ = writeln!(s, "\n{probe}: the {} largest code symbols", symbols.len());
        for (size, name) in symbols {
            let name = if name.chars().count() > 110 {
                let cut: String = name.chars().take(107).collect();
                format!("{cut}...")
            } else {
                name.clone()
            };
            let _ = writeln!(s, "{size:>8}  {name}");
        }
    }
    s
}

/// `{"probes":[{"name":..,"text":..,..},..]}`: heap and stack fields only when measured.
fn json_report(probes: &[Probe]) -> String {
    let items: Vec<String> = probes
        .iter()
        .map(|p| {
            let mut o = format!(
                "{{\"name\":\"{}\",\"text\":{},\"rodata\":{},\"data\":{},\"bss\":{}",
                p.name, p.text, p.rodata, p.data, p.bss
            );
            if let Some(r) = &p.run {
                let _ = write!(
                    o,
                    ",\"heap_peak\":{},\"heap_held\":{},\"stack_peak\":{}",
                    r.heap_peak, r.heap_held, r.stack_peak
                );
            }
            o.push('}');
            o
        })
        .collect();
    format!("{{\"probes\":[{}]}}", items.join(","))
}
