//! Point-based summaries: the sliced Wasserstein distance, persistence
//! entropy and amplitudes (distances to the empty diagram).

use std::f64::consts::{FRAC_PI_2, PI};

use nnph_homology::{Diagram, PersistencePair};

use crate::batch::DiagramBatch;
use crate::error::Error;
use crate::metric::MetricOptions;
use crate::pairwise::distance;
use crate::sum::Neumaier;
use crate::vectorize::check_points;

/// The sliced Wasserstein distance between two diagrams (one homology
/// dimension), after Carrière, Cuturi and Oudot, *Sliced Wasserstein kernel
/// for persistence diagrams* (ICML 2017).
///
/// For a direction `θ`, let `π_θ(b, d) = b·cos θ + d·sin θ` and let
/// `Δ(b, d) = ((b + d)/2, (b + d)/2)` be the orthogonal projection of a
/// point onto the diagonal. The two multisets of reals
/// `U_θ = π_θ(A) ∪ π_θ(Δ(B))` and `V_θ = π_θ(B) ∪ π_θ(Δ(A))` have the same
/// size `n = |A| + |B|`; their 1-D optimal transport cost (unnormalised
/// counting measures, `|x − y|` ground cost) is `W_θ = Σ_i |u_(i) − v_(i)|`
/// over the sorted values. The paper defines
/// `SW(A, B) = (1/π) ∫_{−π/2}^{π/2} W_θ dθ`; we return its left Riemann sum
/// on `M = n_directions` evenly spaced directions
/// `θ_k = −π/2 + k·π/M`, `k = 0, …, M − 1`:
///
/// `SW_M(A, B) = (1/M) Σ_k W_{θ_k}`.
///
/// This is the normalisation of the paper's integral (a mean over
/// directions, not a sum); libraries that report `Σ_k W_{θ_k}` or
/// `(π/M)·Σ_k …` differ by a constant factor. It is a pseudo-metric for every
/// `M` (each `W_θ` is), deterministic, and costs O(n log n) per direction.
///
/// Points with `b = d` (trivial points, giotto-tda's padding) contribute
/// nothing (a diagonal point and its projection coincide, so they add the
/// same value to `U_θ` and `V_θ`) and are skipped.
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) if
/// `n_directions == 0`; [`ErrorKind::InvalidPoint`](crate::ErrorKind::InvalidPoint)
/// for a NaN or infinite birth or `birth > death`;
/// [`ErrorKind::EssentialPoint`](crate::ErrorKind::EssentialPoint) for an
/// infinite death (essential points have no finite projection: cap them
/// first).
pub fn sliced_wasserstein(
    a: &[PersistencePair],
    b: &[PersistencePair],
    n_directions: usize,
) -> Result<f64, Error> {
    if n_directions == 0 {
        return Err(Error::option("n_directions", "need at least one direction"));
    }
    check_points(a)?;
    check_points(b)?;
    Ok(sliced_wasserstein_raw(a, b, n_directions))
}

/// [`sliced_wasserstein`] on checked points (finite, `b ≤ d`), `m ≥ 1`.
pub(crate) fn sliced_wasserstein_raw(
    a: &[PersistencePair],
    b: &[PersistencePair],
    m: usize,
) -> f64 {
    let keep = |pts: &[PersistencePair]| -> Vec<(f64, f64)> {
        pts.iter().filter(|p| p.birth < p.death).map(|p| (p.birth, p.death)).collect()
    };
    let (a, b) = (keep(a), keep(b));
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let n = a.len() + b.len();
    let (mut u, mut v) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut total = Neumaier::default();
    for k in 0..m {
        let theta = -FRAC_PI_2 + PI * (k as f64) / (m as f64);
        let (s, c) = theta.sin_cos();
        let proj = |x: f64, y: f64| x * c + y * s;
        let diag = |x: f64, y: f64| {
            let mid = 0.5 * (x + y);
            proj(mid, mid)
        };
        u.clear();
        v.clear();
        for &(x, y) in &a {
            u.push(proj(x, y));
            v.push(diag(x, y));
        }
        for &(x, y) in &b {
            v.push(proj(x, y));
            u.push(diag(x, y));
        }
        u.sort_unstable_by(f64::total_cmp);
        v.sort_unstable_by(f64::total_cmp);
        let mut w = Neumaier::default();
        for (x, y) in u.iter().zip(&v) {
            w.add((x - y).abs());
        }
        total.add(w.value());
    }
    total.value() / m as f64
}

/// Persistence entropy of a diagram (one homology dimension), as giotto-tda's
/// `PersistenceEntropy` (base-2 Shannon entropy, `normalize=False`):
///
/// `E = −Σ_i p_i·log₂ p_i`, `p_i = l_i / L`, `l_i = d_i − b_i`, `L = Σ_i l_i`,
///
/// over the points with a finite death. Essential points (`d = +∞`) are
/// ignored; trivial points (`l_i = 0`, including giotto-tda's padding)
/// contribute `0·log 0 = 0`. If `L = 0` (no finite point of positive
/// lifetime) the entropy is undefined and `NaN` is returned, as giotto-tda
/// does before applying its `nan_fill_value`. Points are not validated: a
/// NaN or a negative lifetime gives a meaningless value.
pub fn persistence_entropy(points: &[PersistencePair]) -> f64 {
    let lifetimes = || {
        points
            .iter()
            .filter(|p| p.death.is_finite())
            .map(|p| p.death - p.birth)
            .filter(|&l| l > 0.0)
    };
    let mut total = Neumaier::default();
    lifetimes().for_each(|l| total.add(l));
    let total = total.value();
    if total.is_nan() || total <= 0.0 {
        return f64::NAN;
    }
    let mut e = Neumaier::default();
    for l in lifetimes() {
        let p = l / total;
        e.add(-p * p.log2());
    }
    e.value()
}

/// [`persistence_entropy`] divided by `log₂ L` (giotto-tda's
/// `normalize=True` heuristic, `L` the sum of finite lifetimes). `NaN` if
/// `L = 0`; infinite or negative when `L ≤ 1` makes `log₂ L ≤ 0`, exactly as
/// that formula gives.
pub fn persistence_entropy_normalized(points: &[PersistencePair]) -> f64 {
    let mut total = Neumaier::default();
    points
        .iter()
        .filter(|p| p.death.is_finite())
        .map(|p| p.death - p.birth)
        .filter(|&l| l > 0.0)
        .for_each(|l| total.add(l));
    persistence_entropy(points) / total.value().log2()
}

/// The amplitude of a diagram (one homology dimension) for a metric: its
/// distance to the empty diagram, as giotto-tda's `Amplitude` defines it.
///
/// It is computed exactly as [`distance`](crate::distance) between this
/// diagram and the empty one in a one-dimensional, unpadded batch, so:
///
/// * grid-based metrics: the `L^p` norm (with the metric's step factors) of
///   the vectorisation, on the grid chosen by [`MetricOptions::grid`]; with
///   [`GridMode::Giotto`](crate::GridMode::Giotto) or
///   [`GridMode::GiottoJoint`](crate::GridMode::GiottoJoint) that is the
///   diagram's own extent (smallest to largest birth or death; the
///   persistence image per axis), with [`GridMode::Fixed`](crate::GridMode::Fixed)
///   the fixed grid. An empty diagram, or one whose extent is a single
///   value, has amplitude 0;
/// * [`Metric::Wasserstein`](crate::Metric::Wasserstein) and
///   [`Metric::Bottleneck`](crate::Metric::Bottleneck): the matching cost of
///   sending every point to the diagonal, `(Σ ((d − b)/2)^q)^{1/q}` and
///   `max (d − b)/2`; `+∞` if the diagram has an essential point;
/// * [`Metric::SlicedWasserstein`](crate::Metric::SlicedWasserstein): the
///   sliced distance to the empty diagram.
///
/// Trivial points contribute nothing. [`MetricOptions::order`] plays no role
/// (there is one dimension).
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption),
/// [`ErrorKind::InvalidPoint`](crate::ErrorKind::InvalidPoint),
/// [`ErrorKind::EssentialPoint`](crate::ErrorKind::EssentialPoint) for an
/// infinite death with a grid-based or sliced metric, and
/// [`ErrorKind::Matching`](crate::ErrorKind::Matching), as
/// [`pairwise()`](crate::pairwise).
pub fn amplitude(points: &[PersistencePair], opts: &MetricOptions) -> Result<f64, Error> {
    opts.validate()?;
    let diagrams = vec![Diagram::from_dims(vec![points.to_vec()]), Diagram::from_dims(vec![])];
    let batch = DiagramBatch::from_diagrams_unpadded(diagrams, 1)?;
    let (_, per_dim) = distance(&batch, 0, 1, opts)?;
    Ok(per_dim[0])
}
