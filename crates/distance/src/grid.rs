//! Uniform sampling grids (`numpy.linspace`) and exact binning against them.

use nnph_homology::PersistencePair;

use crate::error::Error;

/// A uniform sampling grid of `n_bins` values from `lo` to `hi`, both included,
/// computed exactly as `numpy.linspace(lo, hi, n_bins)`.
///
/// With `Δ = (hi − lo)/(n_bins − 1)` ([`Grid::step`]) the samples are
/// `t_i = i·Δ + lo` for `i < n_bins − 1` and `t_{n_bins−1} = hi` exactly
/// (numpy's special case for a step that underflows to zero,
/// `t_i = (i/(n_bins − 1))·(hi − lo) + lo`, is reproduced too).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// First sample.
    pub lo: f64,
    /// Last sample.
    pub hi: f64,
    /// Number of samples (at least 2).
    pub n_bins: usize,
}

impl Grid {
    /// A grid from `lo` to `hi` with `n_bins` samples.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) if `lo` or
    /// `hi` is not finite, `lo > hi`, `hi − lo` overflows, or `n_bins < 2`.
    pub fn new(lo: f64, hi: f64, n_bins: usize) -> Result<Self, Error> {
        let grid = Self { lo, hi, n_bins };
        grid.validate()?;
        Ok(grid)
    }

    /// The grid spanning all births and deaths of `points`
    /// (`lo` = smallest, `hi` = largest coordinate), like giotto-tda's grid for
    /// a single diagram.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) if
    /// `points` is empty, a coordinate is not finite, or `n_bins < 2`.
    pub fn covering(points: &[PersistencePair], n_bins: usize) -> Result<Self, Error> {
        if points.is_empty() {
            return Err(Error::option("points", "cannot cover an empty diagram"));
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in points {
            lo = lo.min(p.birth).min(p.death);
            hi = hi.max(p.birth).max(p.death);
        }
        Self::new(lo, hi, n_bins)
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.n_bins < 2 {
            return Err(Error::option("n_bins", format!("need at least 2, got {}", self.n_bins)));
        }
        if !self.lo.is_finite() || !self.hi.is_finite() || self.lo > self.hi {
            return Err(Error::option(
                "grid",
                format!("need finite lo <= hi, got [{}, {}]", self.lo, self.hi),
            ));
        }
        if !(self.hi - self.lo).is_finite() {
            return Err(Error::option("grid", "hi - lo overflows"));
        }
        Ok(())
    }

    /// The step `Δ = (hi − lo)/(n_bins − 1)` (numpy's `retstep`).
    pub fn step(&self) -> f64 {
        (self.hi - self.lo) / (self.n_bins - 1) as f64
    }

    /// The `n_bins` sample values, bit for bit as `numpy.linspace`.
    pub fn samples(&self) -> Vec<f64> {
        let div = (self.n_bins - 1) as f64;
        let delta = self.hi - self.lo;
        let step = delta / div;
        let mut t: Vec<f64> = (0..self.n_bins)
            .map(|i| {
                let i = i as f64;
                if step == 0.0 { (i / div) * delta + self.lo } else { i * step + self.lo }
            })
            .collect();
        t[self.n_bins - 1] = self.hi;
        t
    }
}

/// The two grids of a persistence image: one over births (axis 0) and one
/// over persistences `death − birth` (axis 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageGrid {
    /// Grid over births.
    pub birth: Grid,
    /// Grid over persistences (`death − birth`).
    pub persistence: Grid,
}

/// Exact counting of grid samples below a value, in O(1) per query for a
/// uniform grid.
///
/// `count_lt(x)` = #{i : t_i < x} and `count_le(x)` = #{i : t_i ≤ x}. A first
/// guess comes from `(x − lo)/Δ`; it is then corrected by comparing against the
/// actual sample values, so the answer is exact for any non-decreasing sample
/// array (numpy's linspace samples are non-decreasing: each is a rounded
/// non-decreasing function of `i`, and `t_{n−2} < hi` for any `n < 2^52`).
#[derive(Debug)]
pub(crate) struct Binner {
    pub(crate) t: Vec<f64>,
    lo: f64,
    inv_step: f64,
}

impl Binner {
    pub(crate) fn new(grid: &Grid) -> Self {
        let t = grid.samples();
        debug_assert!(t.windows(2).all(|w| w[0] <= w[1]), "linspace samples are sorted");
        let step = grid.step();
        let inv_step = if step > 0.0 { 1.0 / step } else { 0.0 };
        Self { t, lo: grid.lo, inv_step }
    }

    pub(crate) fn len(&self) -> usize {
        self.t.len()
    }

    #[inline]
    fn guess(&self, x: f64) -> usize {
        let g = (x - self.lo) * self.inv_step;
        let n = self.t.len();
        // NaN (a zero step times an infinite distance) falls in the last arm.
        if g >= n as f64 {
            n
        } else if g >= 0.0 {
            (g as usize + 1).min(n)
        } else {
            0
        }
    }

    /// #{i : t_i < x}.
    #[inline]
    pub(crate) fn count_lt(&self, x: f64) -> usize {
        let t = &self.t;
        let mut g = self.guess(x);
        while g > 0 && t[g - 1] >= x {
            g -= 1;
        }
        while g < t.len() && t[g] < x {
            g += 1;
        }
        g
    }

    /// #{i : t_i ≤ x}.
    #[inline]
    pub(crate) fn count_le(&self, x: f64) -> usize {
        let t = &self.t;
        let mut g = self.guess(x);
        while g > 0 && t[g - 1] > x {
            g -= 1;
        }
        while g < t.len() && t[g] <= x {
            g += 1;
        }
        g
    }
}
