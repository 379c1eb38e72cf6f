//! Distances between persistence diagrams, reproducing giotto-tda's
//! `PairwiseDistance` (version 0.6.2) to rounding error, fast and in little
//! memory.
//!
//! A [`DiagramBatch`] holds the diagrams to compare, optionally with
//! giotto-tda's filtering and padding ([`DiagramBatch::giotto_filtered`],
//! [`DiagramBatch::cap_infinity`]); [`pairwise()`] computes the matrix of
//! distances for one [`Metric`] and its [`MetricOptions`]. The per-diagram
//! vectorisations ([`silhouette`], [`landscape`], [`betti_curve`],
//! [`heat_image`], [`persistence_image`]) are public for users who want
//! features rather than distances, as are the per-diagram summaries
//! [`persistence_entropy`] and [`amplitude`] (distance to the empty diagram).
//!
//! # Should I use this crate?
//!
//! Use it directly if you already have persistence diagrams (from any tool)
//! and want giotto-tda-compatible distances. To go from neural networks to
//! distances in one call, use the `nnph` facade crate, which wires the graph,
//! homology and distance stages together and re-exports this crate.
//!
//! # Example
//!
//! The paper's pipeline after persistent homology: filter with ε = 0.01,
//! cap infinite deaths at 1, then the heat distance with 200 bins.
//!
//! ```
//! use nnph_distance::{DiagramBatch, Metric, MetricOptions, Par, pairwise};
//! use nnph_homology::{Diagram, PersistencePair as P};
//!
//! let a = Diagram::from_dims(vec![
//!     vec![P::new(0.0, 0.5), P::new(0.0, 0.005)], // the second one is filtered out
//!     vec![P::new(0.3, f64::INFINITY)],
//! ]);
//! let b = Diagram::from_dims(vec![
//!     vec![P::new(0.0, 0.6)],
//!     vec![P::new(0.2, f64::INFINITY), P::new(0.7, f64::INFINITY)],
//! ]);
//! let mut batch = DiagramBatch::giotto_filtered(&[a, b], 2, 0.01)?;
//! batch.cap_infinity(1.0)?;
//! assert_eq!(batch.padded_len(1), 2);
//! assert_eq!(batch.pad_value(1), Some(0.2));
//!
//! let d = pairwise(&batch, &MetricOptions::paper(Metric::HEAT), Par::default())?;
//! assert_eq!(d.get(0, 1), d.get(1, 0));
//! assert!(d.get(0, 1) > 0.0 && d.get(0, 0) == 0.0);
//! // The total is the 2-norm of the per-dimension distances.
//! let (h0, h1) = (d.get_dim(0, 1, 0), d.get_dim(0, 1, 1));
//! assert!((d.get(0, 1) - (h0 * h0 + h1 * h1).sqrt()).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Available metrics
//!
//! Every metric gives one distance `d_q` per homology dimension `q`; the
//! per-dimension distances are combined as `‖(d_0, d_1, …)‖_order`
//! ([`MetricOptions::order`], default 2).
//!
//! **Grid-based metrics** sample a vectorisation on a grid
//! `t_i = lo + i·Δ` (`i < n_bins − 1`; the last sample is `hi` exactly, as
//! `numpy.linspace`), `Δ = (hi − lo)/(n_bins − 1)`, chosen by
//! [`GridMode`], and take an `L^p` norm ([`MetricOptions::p`]). Below,
//! `Λ_k(t) = max(0, min(t − b_k, d_k − t))` is the tent of point `(b_k, d_k)`.
//!
//! * [`Metric::Silhouette`] `{ power }`: `φ(t) = Σ w_k Λ_k(t) / Σ w_k` with
//!   `w_k = (d_k − b_k)^power` (lifetimes divided by the diagram's largest one
//!   first if `power > 8`; `φ = 0` if `Σ w_k = 0`);
//!   `d_q = Δ^{1/p}·‖φ_A − φ_B‖_p`.
//! * [`Metric::Landscape`] `{ n_layers }`: `λ_j(t)` = `j`-th largest
//!   `Λ_k(t)`, layers concatenated; `d_q = Δ^{1/p}·‖λ^A − λ^B‖_p`.
//! * [`Metric::Betti`]: `β(t) = #{k : b_k ≤ t < d_k}`;
//!   `d_q = Δ^{1/p}·‖β_A − β_B‖_p`.
//! * [`Metric::Heat`] `{ sigma }`: points clipped into `[lo, hi]`, points with
//!   `b = d` dropped, counts per pixel `(⌊(b − lo)/Δ⌋, ⌊(d − lo)/Δ⌋)` smoothed by
//!   scipy's `gaussian_filter` (width `σ/Δ` pixels, truncated at 4σ, zero
//!   outside), `H = (G*S − (G*S)ᵀ)/Δ²`; `d_q = Δ^{2/p}·‖H_A − H_B‖_p`.
//! * [`Metric::HeatDensity`] `{ sigma }`: as heat, with each diagram's
//!   pixel counts divided by its number `n` of non-trivial points (`b < d`,
//!   counted before clipping; no division if `n = 0`), i.e. the heat
//!   distance between the normalised count measures. Duplicating every point
//!   leaves it unchanged; with `n_A = n_B = n` it is heat divided by `n`.
//! * [`Metric::PersistenceImage`] `{ sigma, weight }`: points mapped to
//!   `(b, d − b)`, clipped per axis, points with zero (clipped) persistence
//!   dropped, counts per pixel weighted per persistence column, smoothed with
//!   widths `[σ/Δ_b, σ/Δ_p]`, divided by `Δ_b·Δ_p`;
//!   `d_q = (Δ_b·Δ_p)^{1/p}·‖PI_A − PI_B‖_p`.
//!
//! **Matching metrics** use no grid (`n_bins`, `p` and `grid` are ignored).
//! A matching pairs points of `A` with points of `B` and sends the rest to
//! the diagonal; a point–point edge costs the `L∞` distance
//! `max(|b₁ − b₂|, |d₁ − d₂|)` and a point–diagonal edge `(d − b)/2`
//! (hera's and giotto-tda's `internal_p = ∞`). With `delta = 0` the values
//! are exact; with `delta > 0` they are within a relative error `delta`
//! above the exact ones (see [`matching`] for the algorithms — geometric
//! Hopcroft–Karp, an auction with a duality-gap certificate, the exact
//! pruned dynamic programme for diagrams on one line — and the size limits).
//!
//! * [`Metric::Wasserstein`] `{ q, delta }`:
//!   `d_q = (min over matchings of Σ cost^q)^{1/q}`.
//! * [`Metric::Bottleneck`] `{ delta }`: `d_q` = min over matchings of the
//!   largest edge cost.
//!
//! **Sliced Wasserstein** ([`Metric::SlicedWasserstein`] `{ n_directions }`)
//! uses no grid either: `d_q = (1/M) Σ_k Σ_i |u_(i) − v_(i)|` over `M`
//! directions `θ_k = −π/2 + kπ/M`, where `u`, `v` are the sorted projections
//! `b·cos θ + d·sin θ` of `A ∪ Δ(B)` and `B ∪ Δ(A)` (`Δ` the orthogonal
//! projection onto the diagonal); see [`sliced_wasserstein`].
//!
//! Their `delta` is hera's allowed relative error (giotto-tda's default
//! 0.01); hera's approximate values and ours lie within that relative error
//! above the exact ones.
//!
//! ```
//! use nnph_distance::matching::{GroundMetric, bottleneck, wasserstein};
//! use nnph_homology::PersistencePair as P;
//!
//! // The paper's H0 shape: every point is (0, d), so the exact solvers for
//! // points on one line apply, whatever delta is.
//! let a: Vec<P> = (1..=1000).map(|k| P::new(0.0, k as f64 / 1000.0)).collect();
//! let b: Vec<P> = (1..=1000).map(|k| P::new(0.0, k as f64 / 1000.0 + 0.0005)).collect();
//! let w2 = wasserstein(&a, &b, 2.0, GroundMetric::LInf, 0.0)?;
//! assert!((w2 - 0.0005 * 1000f64.sqrt()).abs() < 1e-12);
//! // General points: exact bottleneck, and W_2 within 1% (small diagrams
//! // get the exact value, faster than the auction; large ones the auction's).
//! let c = [P::new(0.0, 1.0), P::new(0.2, 0.9), P::new(0.5, 0.6)];
//! let d = [P::new(0.1, 1.0), P::new(0.3, 0.7)];
//! assert!((bottleneck(&c, &d, GroundMetric::LInf, 0.0)? - 0.2).abs() < 1e-12);
//! let exact = wasserstein(&c, &d, 2.0, GroundMetric::LInf, 0.0)?;
//! let approx = wasserstein(&c, &d, 2.0, GroundMetric::LInf, 0.01)?;
//! assert!(exact <= approx && approx <= 1.01 * exact);
//! # Ok::<(), nnph_distance::matching::MatchingError>(())
//! ```
//!
//! Which points count:
//!
//! * **Padding points** `(m_q, m_q)` exist only virtually: they widen
//!   giotto-tda grids, but contribute nothing to any value (zero weight and
//!   zero tent for silhouettes and landscapes, never alive for Betti curves,
//!   dropped as trivial points by heat and persistence images, and trivial
//!   points for the matching and sliced metrics, so nothing is added there
//!   either; heat density divides by the number of *real* non-trivial
//!   points, which padding does not change). They
//!   would also set landscape's effective layer count `min(n_layers, N_q)`,
//!   but layers beyond the number of points are zero in both diagrams, so
//!   distances are the same with `n_layers` layers.
//! * **Trivial points** (`b = d`) likewise contribute nothing to any metric
//!   (the matching metrics drop them, as hera does).
//! * **Essential points** (`d = +∞`):
//!   - silhouette, landscape, Betti, heat (and heat density), persistence
//!     image and sliced Wasserstein reject them
//!     with [`ErrorKind::EssentialPoint`]: cap them first with
//!     [`DiagramBatch::cap_infinity`] (the paper caps at 1.0), because every
//!     vectorisation needs finite deaths;
//!   - Wasserstein and bottleneck accept them, as hera does: in each
//!     dimension the essential points of `A` are matched only with those of
//!     `B`, at cost `|b₁ − b₂|`, and if their numbers differ `d_q = +∞` (and
//!     so is the combined distance). After [`DiagramBatch::cap_infinity`]
//!     (the paper's pipeline) there are none: capped points are ordinary
//!     finite points.
//!
//! # Implementation
//!
//! Vectorisations stream once over the points without sorting and without
//! memory proportional to their number: each point's breakpoints (birth,
//! midpoint, death) are binned against the grid exactly (an arithmetic
//! guess corrected against the actual sample values), with per-sample event
//! accumulators in compensated (Neumaier) summation and a final prefix scan;
//! landscapes keep the `n_layers` smallest births / largest deaths per bin and
//! merge them by suffix / prefix scans. Heat and persistence images use a
//! separable filter that skips zero lines. With per-pair grids (giotto-tda's
//! default) each pair's *difference* of count images is filtered (the filter
//! is linear); with one grid for all pairs (joint or fixed grids) each
//! diagram's image is filtered once and pairs subtract finished images, as
//! giotto-tda does (heat images are antisymmetric: only their upper triangle
//! is kept). [`pairwise()`] first collects the distinct (diagram,
//! dimension, grid) vectorisations, computes them in parallel, then combines
//! pairs in parallel (`L²` norms of curves and finished images sum the
//! squares in four plain lanes per 128 terms, compensated across pieces: a
//! relative error below 3.5e-15); for matching metrics it solves one
//! matching problem per (pair, dimension), in parallel. Results are
//! collected in a fixed order and do not depend on the number of threads.
//!
//! A batch on one grid can also be computed without holding its points:
//! [`SharedGridPlan`] reads the diagrams from a [`DiagramSource`] (a file,
//! say) in two passes, the first for the grid, the second for the vectors,
//! with the same values as [`pairwise()`] bit for bit.
//!
//! # Crate features
//!
//! * `rayon` (default): [`Par::Rayon`] runs vectorisations and pairs on
//!   rayon's thread pool, and the exact general Wasserstein solver runs its
//!   neighbour search and certificate there (see [`matching`]).
#![deny(missing_docs)]

mod batch;
mod error;
mod filter;
mod grid;
mod metric;
mod pairwise;
mod stream;
mod sum;
mod summary;
mod vectorize;

pub mod matching;

pub use batch::DiagramBatch;
pub use error::{Error, ErrorKind};
pub use grid::{Grid, ImageGrid};
pub use metric::{GridMode, ImageWeight, Metric, MetricOptions, Par};
pub use pairwise::{DistanceMatrix, distance, pairwise, pairwise_with_progress};
pub use stream::{
    DEFAULT_RETAIN_BYTES, DiagramSource, MAX_STREAM_DIMS, SharedGridPlan, StreamOptions,
};
pub use summary::{
    amplitude, persistence_entropy, persistence_entropy_normalized, sliced_wasserstein,
};
pub use vectorize::{betti_curve, heat_image, landscape, persistence_image, silhouette};
