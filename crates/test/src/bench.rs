//! A small side-by-side benchmark harness.
//!
//! Each comparison runs sanstls and OpenSSL in alternating rounds (so that drift in the
//! machine's speed hits both alike), takes the median rate of each, and prints one row with
//! the ratio sanstls / OpenSSL. Benchmarks print figures; they never pass or fail.

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

/// Rounds per side; the median of these is reported.
const ROUNDS: usize = 7;

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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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
}

impl Row {
    /// sanstls / OpenSSL.
    pub fn ratio(&self) -> f64 {
        self.sanstls / self.openssl
    }

    fn fmt_rate(&self, ops: f64) -> String {
        match self.unit {
            Unit::Ops => format!("{ops:.0} op/s"),
            Unit::Bytes(n) => format!("{:.0} MB/s", ops * n as f64 / 1e6),
        }
    }
}

/// A table of comparisons, printed row by row as they finish.
pub struct Table {
    title: String,
    round: Duration,
    rows: Vec<Row>,
}

impl Table {
    /// A new table. Rounds last `round` each (`SANSTLS_BENCH_ROUND_MS` overrides).
    pub fn new(title: &str) -> Self {
        let ms = std::env::var("SANSTLS_BENCH_ROUND_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
        println!("\n## {title}\n");
        println!(
            "median of {ROUNDS} alternating rounds of {ms} ms each; ratio = sanstls / OpenSSL\n"
        );
        println!(
            "| {:<44} | {:>14} | {:>14} | {:>6} |",
            "operation", "sanstls", "OpenSSL", "ratio"
        );
        println!("|{:-<46}|{:->16}|{:->16}|{:->8}|", "", "", "", "");
        Table {
            title: title.to_string(),
            round: Duration::from_millis(ms),
            rows: Vec::new(),
        }
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
        let mut rs = Vec::with_capacity(ROUNDS);
        let mut ro = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            rs.push(one_round(&mut s, self.round));
            ro.push(one_round(&mut o, self.round));
        }
        let row = Row {
            label: label.to_string(),
            unit,
            sanstls: median(rs),
            openssl: median(ro),
        };
        println!(
            "| {:<44} | {:>14} | {:>14} | {:>5.2}x |",
            row.label,
            row.fmt_rate(row.sanstls),
            row.fmt_rate(row.openssl),
            row.ratio()
        );
        self.rows.push(row);
        self.rows.last().expect("just pushed")
    }

    /// How many rounds each side runs and how long one lasts, for a caller that measures
    /// its own rates (alternating sanstls and OpenSSL rounds as [`Table::compare`] does)
    /// and reports them with [`Table::row_from_rates`].
    pub fn rounds(&self) -> (usize, Duration) {
        (ROUNDS, self.round)
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
        let row = Row {
            label: label.to_string(),
            unit,
            sanstls: median(sanstls),
            openssl: median(openssl),
        };
        println!(
            "| {:<44} | {:>14} | {:>14} | {:>5.2}x |",
            row.label,
            row.fmt_rate(row.sanstls),
            row.fmt_rate(row.openssl),
            row.ratio()
        );
        self.rows.push(row);
        self.rows.last().expect("just pushed")
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
