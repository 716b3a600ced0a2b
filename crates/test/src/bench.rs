//! A small side-by-side benchmark harness.
//!
//! Each comparison runs sanstls and OpenSSL in alternating rounds (so that drift in the
//! machine's speed hits both alike), takes the median rate of each, and prints one row with
//! the ratio sanstls / OpenSSL. Benchmarks print figures; they never pass or fail.
//!
//! # Output
//!
//! A Markdown table per [`Table`]. [`Table::new`] prints four columns:
//!
//! ```text
//! | operation | sanstls | OpenSSL | ratio |
//! ```
//!
//! [`Table::with_third`] adds a third implementation for some rows (e.g. RustCrypto's
//! `rsa` crate) and prints six columns on every row:
//!
//! ```text
//! | operation | sanstls | OpenSSL | <third> | ratio | vs <third> |
//! ```
//!
//! where `ratio` is sanstls / OpenSSL and `vs <third>` is sanstls / third; rows measured
//! with [`Table::compare`] (no third implementation) print `-` in the last two cells.
//! Rates are `N op/s` or `N MB/s` (10^6 bytes), ratios `N.NNx`.
//!
//! [`Table::with_ratio_range`] prints, instead, the lowest and highest ratio of one round
//! pair (sanstls round `i` / OpenSSL round `i`), a measure of how much the machine's noise
//! moved the ratio during the row:
//!
//! ```text
//! | operation | sanstls | OpenSSL | ratio | min | max |
//! ```
//!
//! Environment: `SANSTLS_BENCH_ROUND_MS` (length of one round, default 300) and
//! `SANSTLS_BENCH_ROUNDS` (rounds per side, default 7, at least 1).

// Rates are floating point by nature; counts never approach 2^52.
#![allow(clippy::cast_precision_loss)]

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How a rate is reported.
#[derive(Clone, Copy, Debug)]
pub enum Unit {
    /// Operations per second.
    Ops,
    /// Megabytes (10^6 bytes) per second, with this many bytes per operation.
    Bytes(usize),
}

/// Rounds per side by default; the median of these is reported.
const ROUNDS: usize = 7;

/// Rounds per side: `SANSTLS_BENCH_ROUNDS`, else `ROUNDS`.
pub fn rounds_from_env() -> usize {
    std::env::var("SANSTLS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(ROUNDS)
}

/// The length of one round: `SANSTLS_BENCH_ROUND_MS` milliseconds, else 300.
pub fn round_from_env() -> Duration {
    Duration::from_millis(
        std::env::var("SANSTLS_BENCH_ROUND_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
    )
}

/// Measure the rate of `f` for about `round` of wall time; returns operations per second.
fn one_round(f: &mut dyn FnMut(), round: Duration) -> f64 {
    // Calibrate: double the batch until it takes a measurable time.
    let mut batch: u64 = 1;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        let el = t.elapsed();
        if el >= round / 4 || batch >= 1 << 30 {
            let mut ops = batch;
            let mut total = el;
            while total < round {
                let t = Instant::now();
                for _ in 0..batch {
                    f();
                }
                total += t.elapsed();
                ops += batch;
            }
            return ops as f64 / total.as_secs_f64();
        }
        batch *= 2;
    }
}

/// The median of `v` (the upper one of an even count).
///
/// # Panics
/// If `v` is empty.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The lowest and highest `a[i] / b[i]`, if both have the same, non-zero length.
fn ratio_range(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .map(|(x, y)| x / y)
            .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(r), hi.max(r))),
    )
}

/// Rates measured for one row.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured.
    pub label: String,
    /// Unit of the rates.
    pub unit: Unit,
    /// Median sanstls rate (ops/s).
    pub sanstls: f64,
    /// Median OpenSSL rate (ops/s).
    pub openssl: f64,
    /// Median rate of the table's third implementation (ops/s), for rows that measured one.
    pub third: Option<f64>,
    /// The lowest and highest sanstls / OpenSSL ratio of one round pair (round `i` of
    /// each side), when both sides ran the same number of rounds.
    pub ratio_range: Option<(f64, f64)>,
}

impl Row {
    /// sanstls / OpenSSL.
    pub fn ratio(&self) -> f64 {
        self.sanstls / self.openssl
    }

    /// sanstls / the third implementation, for rows that measured one.
    pub fn ratio_third(&self) -> Option<f64> {
        self.third.map(|t| self.sanstls / t)
    }

    fn fmt_rate(&self, ops: f64) -> String {
        match self.unit {
            Unit::Ops => format!("{ops:.0} op/s"),
            Unit::Bytes(n) => format!("{:.0} MB/s", ops * n as f64 / 1e6),
        }
    }
}

/// The width of the `vs <third>` column.
fn third_ratio_width(third: &str) -> usize {
    (third.len() + 3).max(6)
}

/// A table of comparisons, printed row by row as they finish.
pub struct Table {
    title: String,
    round: Duration,
    rounds: usize,
    /// The name of the third implementation, if this table has that column.
    third: Option<String>,
    /// Whether rows print the lowest and highest per-round ratio.
    range: bool,
    rows: Vec<Row>,
}

impl Table {
    /// A new table. Rounds last `round` each (`SANSTLS_BENCH_ROUND_MS` overrides).
    pub fn new(title: &str) -> Self {
        Self::build(title, None, false)
    }

    /// A new table whose rows also print the lowest and highest ratio of one round pair
    /// (sanstls round `i` / OpenSSL round `i`), which shows how far the machine's noise
    /// moved the ratio; see the module docs for the format.
    pub fn with_ratio_range(title: &str) -> Self {
        Self::build(title, None, true)
    }

    /// A new table with a third implementation's column (named `third`) and the ratio
    /// sanstls / third; see the module docs for the format. Rows measured with
    /// [`Table::compare3`] fill it, rows from [`Table::compare`] print `-` there.
    pub fn with_third(title: &str, third: &str) -> Self {
        Self::build(title, Some(third.to_string()), false)
    }

    fn build(title: &str, third: Option<String>, range: bool) -> Self {
        let round = round_from_env();
        let rounds = rounds_from_env();
        let ms = round.as_millis();
        println!("\n## {title}\n");
        match &third {
            None if range => {
                println!(
                    "median of {rounds} alternating rounds of {ms} ms each; ratio = sanstls / OpenSSL \
                     (of the medians); min, max = the lowest and highest ratio of one round pair\n"
                );
                println!(
                    "| {:<44} | {:>14} | {:>14} | {:>6} | {:>6} | {:>6} |",
                    "operation", "sanstls", "OpenSSL", "ratio", "min", "max"
                );
                println!(
                    "|{:-<46}|{:->16}|{:->16}|{:->8}|{:->8}|{:->8}|",
                    "", "", "", "", "", ""
                );
            }
            None => {
                println!(
                    "median of {rounds} alternating rounds of {ms} ms each; ratio = sanstls / OpenSSL\n"
                );
                println!(
                    "| {:<44} | {:>14} | {:>14} | {:>6} |",
                    "operation", "sanstls", "OpenSSL", "ratio"
                );
                println!("|{:-<46}|{:->16}|{:->16}|{:->8}|", "", "", "", "");
            }
            Some(t) => {
                println!(
                    "median of {rounds} alternating rounds of {ms} ms each; ratio = sanstls / OpenSSL; \
                     vs {t} = sanstls / {t}\n"
                );
                let vs = format!("vs {t}");
                let w = third_ratio_width(t);
                println!(
                    "| {:<44} | {:>14} | {:>14} | {:>14} | {:>6} | {vs:>w$} |",
                    "operation", "sanstls", "OpenSSL", t, "ratio"
                );
                println!(
                    "|{:-<46}|{:->16}|{:->16}|{:->16}|{:->8}|{:->w2$}|",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    w2 = w + 2
                );
            }
        }
        Table {
            title: title.to_string(),
            round,
            rounds,
            third,
            range,
            rows: Vec::new(),
        }
    }

    /// Print `row` in this table's format and keep it.
    fn push(&mut self, row: Row) -> &Row {
        if let Some(name) = &self.third {
            let w = third_ratio_width(name);
            let (t, r) = match (row.third, row.ratio_third()) {
                (Some(t), Some(r)) => (row.fmt_rate(t), format!("{r:.2}x")),
                _ => ("-".to_string(), "-".to_string()),
            };
            println!(
                "| {:<44} | {:>14} | {:>14} | {:>14} | {:>5.2}x | {:>w$} |",
                row.label,
                row.fmt_rate(row.sanstls),
                row.fmt_rate(row.openssl),
                t,
                row.ratio(),
                r
            );
        } else if self.range {
            let (lo, hi) = match row.ratio_range {
                Some((lo, hi)) => (format!("{lo:.2}x"), format!("{hi:.2}x")),
                None => ("-".to_string(), "-".to_string()),
            };
            println!(
                "| {:<44} | {:>14} | {:>14} | {:>5.2}x | {lo:>6} | {hi:>6} |",
                row.label,
                row.fmt_rate(row.sanstls),
                row.fmt_rate(row.openssl),
                row.ratio(),
            );
        } else {
            println!(
                "| {:<44} | {:>14} | {:>14} | {:>5.2}x |",
                row.label,
                row.fmt_rate(row.sanstls),
                row.fmt_rate(row.openssl),
                row.ratio()
            );
        }
        self.rows.push(row);
        self.rows.last().expect("just pushed")
    }

    /// Measure `sanstls` and `openssl` (each returns something so work is not optimised
    /// away) and print the row.
    pub fn compare<A, B>(
        &mut self,
        label: &str,
        unit: Unit,
        mut sanstls: impl FnMut() -> A,
        mut openssl: impl FnMut() -> B,
    ) -> &Row {
        let mut s = move || {
            black_box(sanstls());
        };
        let mut o = move || {
            black_box(openssl());
        };
        let mut rs = Vec::with_capacity(self.rounds);
        let mut ro = Vec::with_capacity(self.rounds);
        for _ in 0..self.rounds {
            rs.push(one_round(&mut s, self.round));
            ro.push(one_round(&mut o, self.round));
        }
        self.push(Row {
            label: label.to_string(),
            unit,
            ratio_range: ratio_range(&rs, &ro),
            sanstls: median(rs),
            openssl: median(ro),
            third: None,
        })
    }

    /// Like [`Table::compare`] with the table's third implementation too (rounds of the
    /// three alternate: sanstls, OpenSSL, third). In a table made with [`Table::new`] the
    /// third is measured but not printed.
    pub fn compare3<A, B, C>(
        &mut self,
        label: &str,
        unit: Unit,
        mut sanstls: impl FnMut() -> A,
        mut openssl: impl FnMut() -> B,
        mut third: impl FnMut() -> C,
    ) -> &Row {
        let mut s = move || {
            black_box(sanstls());
        };
        let mut o = move || {
            black_box(openssl());
        };
        let mut t = move || {
            black_box(third());
        };
        let (mut rs, mut ro, mut rt) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..self.rounds {
            rs.push(one_round(&mut s, self.round));
            ro.push(one_round(&mut o, self.round));
            rt.push(one_round(&mut t, self.round));
        }
        self.push(Row {
            label: label.to_string(),
            unit,
            ratio_range: ratio_range(&rs, &ro),
            sanstls: median(rs),
            openssl: median(ro),
            third: Some(median(rt)),
        })
    }

    /// How many rounds each side runs and how long one lasts, for a caller that measures
    /// its own rates (alternating sanstls and OpenSSL rounds as [`Table::compare`] does)
    /// and reports them with [`Table::row_from_rates`].
    pub fn rounds(&self) -> (usize, Duration) {
        (self.rounds, self.round)
    }

    /// Print a row from rates the caller measured (ops/s, one per round); the median of
    /// each side is reported, formatted as [`Table::compare`] does.
    ///
    /// # Panics
    /// If either list is empty.
    pub fn row_from_rates(
        &mut self,
        label: &str,
        unit: Unit,
        sanstls: Vec<f64>,
        openssl: Vec<f64>,
    ) -> &Row {
        self.push(Row {
            label: label.to_string(),
            unit,
            ratio_range: ratio_range(&sanstls, &openssl),
            sanstls: median(sanstls),
            openssl: median(openssl),
            third: None,
        })
    }

    /// The rows measured so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The table's title.
    pub fn title(&self) -> &str {
        &self.title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_picks_the_middle() {
        assert!((median(vec![5.0, 1.0, 3.0]) - 3.0).abs() < f64::EPSILON);
    }

    #[test]
    fn a_slower_function_gets_a_lower_rate() {
        let fast = one_round(&mut || {}, Duration::from_millis(20));
        let slow = one_round(
            &mut || std::thread::sleep(Duration::from_micros(200)),
            Duration::from_millis(20),
        );
        assert!(fast > slow * 10.0, "fast {fast} slow {slow}");
        assert!(slow < 5000.0 && slow > 100.0, "slow {slow}");
    }
}
