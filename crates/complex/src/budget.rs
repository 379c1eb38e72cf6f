//! Memory budgets: estimate what a computation will hold before starting it.
//!
//! Persistence computations grow combinatorially with the dimension and the threshold, and a
//! run that exhausts memory after an hour helps nobody. Every engine in nnph therefore estimates
//! the cells it will enumerate and the bytes it will hold *before* enumerating anything, and
//! compares the estimate with a [`MemoryBudget`]. Over the budget, the computation is refused
//! with [`ErrorKind::OverBudget`](crate::ErrorKind::OverBudget), whose message names the size
//! and says how to shrink it.
//!
//! The default budget is [`DEFAULT_FRACTION`] of the physical memory (read from
//! `/proc/meminfo` on Linux; [`FALLBACK_PHYSICAL`] where it cannot be read).
//!
//! # Example
//!
//! ```
//! use nnph_complex::budget::{Estimate, MemoryBudget};
//!
//! let budget: MemoryBudget = "1GiB".parse()?;
//! assert_eq!(budget.limit(), Some(1 << 30));
//!
//! let small = Estimate::new("Rips complex of 100 points up to dimension 2", 5 << 20)
//!     .with_cells(vec![100, 4950, 161_700, 3_921_225]);
//! budget.check(&small)?;
//!
//! let huge = Estimate::new("Rips complex of 20000 points up to dimension 2", 3 << 40)
//!     .with_hint("lower --threshold or --max-dim");
//! let err = budget.check(&huge).unwrap_err();
//! assert!(err.to_string().contains("lower --threshold"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

/// The fraction of physical memory a computation may use by default.
pub const DEFAULT_FRACTION: f64 = 0.5;

/// The physical memory assumed when it cannot be read (4 GiB).
pub const FALLBACK_PHYSICAL: u64 = 4 << 30;

/// How many bytes a computation may hold; `None` means unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBudget {
    limit: Option<u64>,
}

impl Default for MemoryBudget {
    /// [`DEFAULT_FRACTION`] of the physical memory.
    fn default() -> Self {
        Self::fraction(DEFAULT_FRACTION)
    }
}

impl MemoryBudget {
    /// A budget of `bytes` bytes.
    pub fn bytes(bytes: u64) -> Self {
        Self { limit: Some(bytes) }
    }

    /// No limit: estimates are still made, never refused.
    pub fn unlimited() -> Self {
        Self { limit: None }
    }

    /// A fraction of the physical memory (clamped to `[0, 1]`).
    pub fn fraction(fraction: f64) -> Self {
        let fraction = if fraction.is_nan() { 0.0 } else { fraction.clamp(0.0, 1.0) };
        let physical = physical_memory().unwrap_or(FALLBACK_PHYSICAL);
        Self::bytes((physical as f64 * fraction) as u64)
    }

    /// The limit in bytes, `None` if unlimited.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// Whether `bytes` fit in the budget.
    pub fn allows(&self, bytes: u128) -> bool {
        self.limit.is_none_or(|limit| bytes <= u128::from(limit))
    }

    /// `Ok` if the estimate fits, else an [`ErrorKind::OverBudget`] error carrying it.
    pub fn check(&self, estimate: &Estimate) -> Result<(), Error> {
        match self.limit {
            Some(limit) if estimate.bytes > u128::from(limit) => {
                Err(Error::new(ErrorKind::OverBudget { estimate: estimate.clone(), budget: limit }))
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for MemoryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Some(limit) => f.write_str(&human_bytes(u128::from(limit))),
            None => f.write_str("unlimited"),
        }
    }
}

impl FromStr for MemoryBudget {
    type Err = Error;

    /// Parses `unlimited`, a percentage of physical memory (`50%`), or a size with an optional
    /// unit: `B`, `K`/`KB`/`KiB`, `M`/`MB`/`MiB`, `G`/`GB`/`GiB`, `T`/`TB`/`TiB` (case-insensitive;
    /// decimal and binary units both mean powers of 1024, as `free` and `top` print them).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            Error::new(ErrorKind::Parse {
                line: 1,
                message: format!(
                    "memory budget {text:?}: expected a size such as 512MB, 4GiB, 50% or unlimited"
                ),
            })
        };
        let t = text.trim();
        if t.eq_ignore_ascii_case("unlimited") || t.eq_ignore_ascii_case("none") {
            return Ok(Self::unlimited());
        }
        if let Some(percent) = t.strip_suffix('%') {
            let p: f64 = percent.trim().parse().map_err(|_| bad())?;
            if !(p.is_finite() && p > 0.0 && p <= 100.0) {
                return Err(bad());
            }
            return Ok(Self::fraction(p / 100.0));
        }
        let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let value: f64 = number.parse().map_err(|_| bad())?;
        let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => 1 << 10,
            "m" | "mb" | "mib" => 1 << 20,
            "g" | "gb" | "gib" => 1 << 30,
            "t" | "tb" | "tib" => 1 << 40,
            _ => return Err(bad()),
        };
        let bytes = value * scale as f64;
        if !(bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64) {
            return Err(bad());
        }
        Ok(Self::bytes(bytes as u64))
    }
}

/// What a computation is expected to hold: a description, the cells per dimension when known,
/// the bytes, and how to shrink it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// What is being estimated, e.g. `"Rips complex of 1024 points up to dimension 3"`.
    pub what: String,
    /// Cells per dimension (an upper bound or an estimate, as the engine documents).
    pub cells: Vec<u128>,
    /// Bytes the computation is expected to hold at its peak.
    pub bytes: u128,
    /// How to shrink the computation, e.g. `"lower --threshold or --max-dim"`.
    pub hint: String,
}

impl Estimate {
    /// An estimate of `bytes` bytes for `what`, with no cell counts and no hint.
    pub fn new(what: impl Into<String>, bytes: u128) -> Self {
        Self { what: what.into(), cells: Vec::new(), bytes, hint: String::new() }
    }

    /// With cell counts per dimension.
    pub fn with_cells(mut self, cells: Vec<u128>) -> Self {
        self.cells = cells;
        self
    }

    /// With a hint on how to shrink the computation.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// The total number of cells.
    pub fn total_cells(&self) -> u128 {
        self.cells.iter().fold(0u128, |a, &c| a.saturating_add(c))
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} needs about {}", self.what, human_bytes(self.bytes))?;
        if !self.cells.is_empty() {
            let cells: Vec<String> = self.cells.iter().map(|c| c.to_string()).collect();
            write!(f, " ({} cells per dimension)", cells.join(", "))?;
        }
        Ok(())
    }
}

/// `bytes` as a short human-readable size (`1.5 GiB`).
pub fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// The physical memory of this machine in bytes, if it can be read (Linux: `/proc/meminfo`).
pub fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut fields = line.split_whitespace().skip(1);
    let value: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") | None => value.checked_mul(1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        let p = |s: &str| s.parse::<MemoryBudget>().map(|b| b.limit());
        assert_eq!(p("123").unwrap(), Some(123));
        assert_eq!(p("2k").unwrap(), Some(2048));
        assert_eq!(p("1.5 GiB").unwrap(), Some(3 << 29));
        assert_eq!(p("512MB").unwrap(), Some(512 << 20));
        assert_eq!(p("unlimited").unwrap(), None);
        assert!(p("100%").unwrap().is_some());
        for bad in ["", "GB", "-1GB", "1XB", "0%", "101%", "nan", "1e400"] {
            assert!(p(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn check_refuses_over_budget_with_the_hint() {
        let budget = MemoryBudget::bytes(1000);
        let fits = Estimate::new("x", 1000);
        assert!(budget.check(&fits).is_ok());
        let over = Estimate::new("a Rips complex", 1001)
            .with_cells(vec![3, 7])
            .with_hint("lower --max-dim");
        let message = budget.check(&over).unwrap_err().to_string();
        assert!(message.contains("a Rips complex"), "{message}");
        assert!(message.contains("3, 7"), "{message}");
        assert!(message.contains("lower --max-dim"), "{message}");
        assert!(MemoryBudget::unlimited().check(&Estimate::new("x", u128::MAX)).is_ok());
    }

    #[test]
    fn reads_meminfo() {
        assert_eq!(parse_meminfo("MemTotal:       24576 kB\nMemFree: 1 kB\n"), Some(24576 * 1024));
        assert_eq!(parse_meminfo("nothing here"), None);
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
    }
}
