//! Metric choices and options.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A distance between persistence diagrams, computed per homology dimension
/// (see the crate docs for formulas) either from a vectorisation sampled on a
/// grid (heat, silhouette, landscape, Betti curve, persistence image) or by an
/// optimal matching of the points (Wasserstein, bottleneck).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Metric {
    /// Heat-kernel images (giotto-tda `'heat'`); `sigma` is the kernel width
    /// in filtration units (default 0.1).
    Heat {
        /// Gaussian width, `> 0`.
        sigma: f64,
    },
    /// Power-weighted silhouettes (giotto-tda `'silhouette'`); default
    /// `power` 1.
    Silhouette {
        /// Weight exponent, `> 0`.
        power: f64,
    },
    /// Persistence landscapes (giotto-tda `'landscape'`); default 1 layer.
    Landscape {
        /// Number of layers, `≥ 1`.
        n_layers: usize,
    },
    /// Betti curves (giotto-tda `'betti'`).
    Betti,
    /// Persistence images (giotto-tda `'persistence_image'`); default
    /// `sigma` 0.1 and unit weights.
    PersistenceImage {
        /// Gaussian width, `> 0`.
        sigma: f64,
        /// Weight of each persistence column.
        weight: ImageWeight,
    },
    /// The `q`-Wasserstein matching distance (giotto-tda `'wasserstein'`)
    /// with the `L∞` ground metric; defaults `q = 2`, `delta = 0.01`.
    ///
    /// No grid is used: [`MetricOptions::n_bins`], [`MetricOptions::p`] and
    /// [`MetricOptions::grid`] are ignored. See
    /// [`matching::wasserstein`](crate::matching::wasserstein) for the
    /// conventions, algorithms and size limits.
    ///
    /// `delta` is the allowed relative error, as in hera and giotto-tda:
    /// `delta = 0` gives the exact value, `delta > 0` a value within a factor
    /// `1 + delta` above it (certified: auction duality gap for Wasserstein,
    /// bisection interval for the bottleneck distance). Diagrams on one line
    /// (the paper's H0 and capped H1), and other diagrams up to
    /// [`EXACT_WHEN_APPROXIMATE`](crate::matching::EXACT_WHEN_APPROXIMATE)
    /// points, are answered exactly whatever `delta` is: there the exact
    /// solvers are faster than the auction.
    Wasserstein {
        /// The exponent, `≥ 1`; `f64::INFINITY` gives the bottleneck distance.
        q: f64,
        /// Allowed relative error, `0 ≤ delta < 1` (`0` = exact).
        delta: f64,
    },
    /// The bottleneck matching distance (giotto-tda `'bottleneck'`) with the
    /// `L∞` ground metric; default `delta = 0.01`.
    ///
    /// No grid is used: [`MetricOptions::n_bins`], [`MetricOptions::p`] and
    /// [`MetricOptions::grid`] are ignored. See
    /// [`matching::bottleneck`](crate::matching::bottleneck) for the
    /// conventions and algorithms.
    ///
    /// `delta` is the allowed relative error, as in hera and giotto-tda:
    /// `delta = 0` gives the exact value, `delta > 0` a value within a factor
    /// `1 + delta` above it (certified: auction duality gap for Wasserstein,
    /// bisection interval for the bottleneck distance). Diagrams on one line
    /// (the paper's H0 and capped H1) are answered exactly when that is
    /// cheap, whatever `delta` is.
    Bottleneck {
        /// Allowed relative error, `0 ≤ delta < 1` (`0` = exact).
        delta: f64,
    },
    /// The sliced Wasserstein distance (Carrière, Cuturi, Oudot 2017),
    /// approximated with `n_directions` evenly spaced directions (default 50);
    /// see [`sliced_wasserstein`](crate::sliced_wasserstein) for the formula
    /// and normalisation.
    ///
    /// No grid is used: [`MetricOptions::n_bins`], [`MetricOptions::p`] and
    /// [`MetricOptions::grid`] are ignored. Trivial and padding points
    /// contribute nothing; essential points are rejected with
    /// [`ErrorKind::EssentialPoint`](crate::ErrorKind::EssentialPoint)
    /// (cap them first).
    SlicedWasserstein {
        /// Number of projection directions, `≥ 1`.
        n_directions: usize,
    },
    /// Heat-kernel images of densities: exactly [`Metric::Heat`] except that
    /// each diagram's pixel counts are divided by its number of non-trivial
    /// points (`b < d`, before any clipping to the grid), so the distance
    /// does not grow with the size of the diagrams. A diagram with no
    /// non-trivial point has the zero image.
    HeatDensity {
        /// Gaussian width, `> 0`.
        sigma: f64,
    },
}

/// The weight function of a persistence image, evaluated at the persistence
/// sample `t^p_j` of each image column (giotto-tda's `weight_function`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageWeight {
    /// `w(p) = 1` (giotto-tda's default, `weight_function=None`).
    #[default]
    Ones,
    /// `w(p) = p`.
    Linear,
}

impl ImageWeight {
    pub(crate) fn eval(self, p: f64) -> f64 {
        match self {
            ImageWeight::Ones => 1.0,
            ImageWeight::Linear => p,
        }
    }
}

impl Metric {
    /// Heat with giotto-tda's default `sigma = 0.1`.
    pub const HEAT: Metric = Metric::Heat { sigma: 0.1 };
    /// Silhouette with giotto-tda's default `power = 1`.
    pub const SILHOUETTE: Metric = Metric::Silhouette { power: 1.0 };
    /// Landscape with giotto-tda's default `n_layers = 1`.
    pub const LANDSCAPE: Metric = Metric::Landscape { n_layers: 1 };
    /// Persistence image with giotto-tda's defaults (`sigma = 0.1`, unit weights).
    pub const PERSISTENCE_IMAGE: Metric =
        Metric::PersistenceImage { sigma: 0.1, weight: ImageWeight::Ones };
    /// Wasserstein with giotto-tda's defaults (`q = 2`, `delta = 0.01`).
    pub const WASSERSTEIN: Metric = Metric::Wasserstein { q: 2.0, delta: 0.01 };
    /// Bottleneck with giotto-tda's default `delta = 0.01`.
    pub const BOTTLENECK: Metric = Metric::Bottleneck { delta: 0.01 };
    /// Sliced Wasserstein with 50 directions.
    pub const SLICED_WASSERSTEIN: Metric = Metric::SlicedWasserstein { n_directions: 50 };
    /// Heat density with `sigma = 0.1` (as [`Metric::HEAT`]).
    pub const HEAT_DENSITY: Metric = Metric::HeatDensity { sigma: 0.1 };

    /// The metric's name, as accepted by [`FromStr`] and printed by [`Display`](fmt::Display).
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Heat { .. } => "heat",
            Metric::Silhouette { .. } => "silhouette",
            Metric::Landscape { .. } => "landscape",
            Metric::Betti => "betti",
            Metric::PersistenceImage { .. } => "persistence-image",
            Metric::Wasserstein { .. } => "wasserstein",
            Metric::Bottleneck { .. } => "bottleneck",
            Metric::SlicedWasserstein { .. } => "sliced-wasserstein",
            Metric::HeatDensity { .. } => "heat-density",
        }
    }

    /// Whether this is a matching distance ([`Metric::Wasserstein`],
    /// [`Metric::Bottleneck`]), computed on the points themselves: no grid,
    /// so [`MetricOptions::n_bins`], [`MetricOptions::p`] and
    /// [`MetricOptions::grid`] play no role.
    pub fn is_matching(&self) -> bool {
        matches!(self, Metric::Wasserstein { .. } | Metric::Bottleneck { .. })
    }

    /// Whether the metric samples a vectorisation on a grid, i.e. uses
    /// [`MetricOptions::n_bins`], [`MetricOptions::p`] and
    /// [`MetricOptions::grid`]. False for the matching metrics and
    /// [`Metric::SlicedWasserstein`], which work on the points themselves.
    pub fn uses_grid(&self) -> bool {
        !self.is_matching() && !matches!(self, Metric::SlicedWasserstein { .. })
    }

    /// Checks the metric's parameters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) for a
    /// non-positive or non-finite `sigma`, a non-positive or NaN `power`,
    /// `n_layers == 0`, `n_directions == 0`, a Wasserstein `q < 1` (or NaN), or a `delta` outside
    /// `[0, 1)` (or NaN).
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Metric::Heat { sigma }
            | Metric::HeatDensity { sigma }
            | Metric::PersistenceImage { sigma, .. } => check_sigma(sigma),
            Metric::Silhouette { power } => check_power(power),
            Metric::Landscape { n_layers } => {
                if n_layers == 0 {
                    Err(Error::option("n_layers", "need at least one layer"))
                } else {
                    Ok(())
                }
            }
            Metric::Betti => Ok(()),
            Metric::Wasserstein { q, delta } => {
                if q.is_nan() || q < 1.0 {
                    return Err(Error::option(
                        "q",
                        format!("need a Wasserstein exponent q >= 1 (infinity allowed), got {q}"),
                    ));
                }
                check_delta(delta)
            }
            Metric::Bottleneck { delta } => check_delta(delta),
            Metric::SlicedWasserstein { n_directions } => {
                if n_directions == 0 {
                    Err(Error::option("n_directions", "need at least one direction"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

fn check_delta(delta: f64) -> Result<(), Error> {
    if (0.0..1.0).contains(&delta) {
        Ok(())
    } else {
        Err(Error::option(
            "delta",
            format!("need a relative error 0 <= delta < 1 (0 = exact), got {delta}"),
        ))
    }
}

pub(crate) fn check_sigma(sigma: f64) -> Result<(), Error> {
    if sigma > 0.0 && sigma.is_finite() {
        Ok(())
    } else {
        Err(Error::option("sigma", format!("need a finite sigma > 0, got {sigma}")))
    }
}

pub(crate) fn check_power(power: f64) -> Result<(), Error> {
    if power > 0.0 {
        Ok(())
    } else {
        Err(Error::option("power", format!("need power > 0, got {power}")))
    }
}

/// Parses `heat`, `silhouette`, `landscape`, `betti`, `persistence-image`
/// (or `persistence_image`), `wasserstein`, `bottleneck`,
/// `sliced-wasserstein` (or `sliced_wasserstein`), `heat-density` (or
/// `heat_density`), ASCII
/// case-insensitively, with default parameters.
impl FromStr for Metric {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "heat" => Ok(Metric::HEAT),
            "silhouette" => Ok(Metric::SILHOUETTE),
            "landscape" => Ok(Metric::LANDSCAPE),
            "betti" => Ok(Metric::Betti),
            "persistence-image" | "persistence_image" => Ok(Metric::PERSISTENCE_IMAGE),
            "wasserstein" => Ok(Metric::WASSERSTEIN),
            "bottleneck" => Ok(Metric::BOTTLENECK),
            "sliced-wasserstein" | "sliced_wasserstein" => Ok(Metric::SLICED_WASSERSTEIN),
            "heat-density" | "heat_density" => Ok(Metric::HEAT_DENSITY),
            other => Err(Error::option(
                "metric",
                format!(
                    "unknown metric `{other}` (expected heat, silhouette, landscape, betti, \
                     persistence-image, wasserstein, bottleneck, sliced-wasserstein or \
                     heat-density)"
                ),
            )),
        }
    }
}

/// Prints the metric's name only (parameters are not printed).
impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the sampling grid of each pair and homology dimension is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum GridMode {
    /// giotto-tda's `PairwiseDistance` fitted on each pair (the paper's
    /// setting): per dimension `q`, `lo`/`hi` are the smallest/largest birth
    /// or death of the two diagrams, *including the virtual padding points*
    /// `(m_q, m_q)` of a diagram with fewer than `N_q` points; if `hi = lo`,
    /// `hi` becomes the largest `hi` over the pair's dimensions. For the
    /// persistence image the same is done per coordinate (birth,
    /// persistence), padding being `(m_q, 0)`.
    #[default]
    Giotto,
    /// giotto-tda's `PairwiseDistance` fitted once on the whole batch: as
    /// [`GridMode::Giotto`] with the extremes taken over every diagram of the
    /// batch, so the grid is the same for all pairs.
    GiottoJoint,
    /// The same grid `[lo, hi]` for every pair and dimension (for the
    /// persistence image, on both axes). Independent of the batch; padding
    /// plays no role.
    Fixed {
        /// First sample.
        lo: f64,
        /// Last sample.
        hi: f64,
    },
}

/// How the work is run.
///
/// Invariant: results are bit-identical for every variant and thread count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Par {
    /// On the calling thread.
    #[cfg_attr(not(feature = "rayon"), default)]
    Seq,
    /// On rayon's current thread pool (install a pool to limit threads).
    #[cfg(feature = "rayon")]
    #[default]
    Rayon,
}

/// Everything that defines a diagram distance.
///
/// Build with [`MetricOptions::new`] (giotto-tda's defaults) or
/// [`MetricOptions::paper`] (the paper's settings), then adjust fields or use
/// the `with_*` methods.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct MetricOptions {
    /// The metric and its parameters.
    pub metric: Metric,
    /// Grid size (giotto-tda default 100; the paper uses 200). Ignored by
    /// matching metrics ([`Metric::is_matching`]).
    pub n_bins: usize,
    /// The `p` of the per-dimension `L^p` norm (`≥ 1`, may be `f64::INFINITY`).
    /// Ignored by matching metrics, whose exponent is their own `q`.
    pub p: f64,
    /// How grids are chosen. Ignored by matching metrics.
    pub grid: GridMode,
    /// The per-dimension distances `d_q` are combined as `‖(d_0, …)‖_order`
    /// (`≥ 1`, may be `f64::INFINITY`; default 2).
    pub order: f64,
}

impl MetricOptions {
    /// giotto-tda's defaults: 100 bins, `p = 2`, per-pair grids, `order = 2`.
    pub fn new(metric: Metric) -> Self {
        Self { metric, n_bins: 100, p: 2.0, grid: GridMode::Giotto, order: 2.0 }
    }

    /// The paper's settings (Pérez-Fernández et al. 2021): 200 bins, `p = 2`,
    /// per-pair giotto-tda grids, `order = 2`.
    pub fn paper(metric: Metric) -> Self {
        Self { n_bins: 200, ..Self::new(metric) }
    }

    /// Sets [`MetricOptions::n_bins`].
    pub fn with_n_bins(mut self, n_bins: usize) -> Self {
        self.n_bins = n_bins;
        self
    }

    /// Sets [`MetricOptions::p`].
    pub fn with_p(mut self, p: f64) -> Self {
        self.p = p;
        self
    }

    /// Sets [`MetricOptions::grid`].
    pub fn with_grid(mut self, grid: GridMode) -> Self {
        self.grid = grid;
        self
    }

    /// Sets [`MetricOptions::order`].
    pub fn with_order(mut self, order: f64) -> Self {
        self.order = order;
        self
    }

    /// Checks every option.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) for
    /// `n_bins < 2`, `p < 1`, `order < 1` (or NaN), a fixed grid that is not
    /// finite with `lo < hi`, or invalid metric parameters. For matching
    /// metrics the grid options (`n_bins`, `p`, `grid`), which they ignore,
    /// are not checked, nor for [`Metric::SlicedWasserstein`].
    pub fn validate(&self) -> Result<(), Error> {
        self.metric.validate()?;
        if self.order.is_nan() || self.order < 1.0 {
            return Err(Error::option("order", format!("need order >= 1, got {}", self.order)));
        }
        if !self.metric.uses_grid() {
            return Ok(());
        }
        if self.n_bins < 2 {
            return Err(Error::option("n_bins", format!("need at least 2, got {}", self.n_bins)));
        }
        if self.p.is_nan() || self.p < 1.0 {
            return Err(Error::option("p", format!("need p >= 1, got {}", self.p)));
        }
        if let GridMode::Fixed { lo, hi } = self.grid
            && (lo.is_nan() || hi.is_nan() || lo >= hi || !(hi - lo).is_finite())
        {
            return Err(Error::option(
                "grid",
                format!("a fixed grid needs finite lo < hi, got [{lo}, {hi}]"),
            ));
        }
        Ok(())
    }
}
