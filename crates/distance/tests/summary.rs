//! Sliced Wasserstein, heat density, persistence entropy and amplitudes:
//! naive references written from the formulas, hand-computed values and
//! metric properties.

use nnph_distance::{
    DiagramBatch, DistanceMatrix, ErrorKind, GridMode, Metric, MetricOptions, Par, amplitude,
    distance, pairwise, persistence_entropy, persistence_entropy_normalized, sliced_wasserstein,
};
use nnph_homology::{Diagram, PersistencePair as P};
use proptest::prelude::*;

use crate::assert_close;

const INF: f64 = f64::INFINITY;

// ---------------------------------------------------------------------------
// Naive sliced Wasserstein: per direction, the 1-D transport cost between the
// two counting measures as ∫ |F_U(x) − F_V(x)| dx (difference of the
// cumulative counts integrated over the merged breakpoints), no pairing of
// sorted values; directions summed plainly.

fn naive_w1(u: &[f64], v: &[f64]) -> f64 {
    let mut xs: Vec<f64> = u.iter().chain(v).copied().collect();
    xs.sort_by(f64::total_cmp);
    let count = |s: &[f64], x: f64| s.iter().filter(|&&y| y <= x).count() as f64;
    xs.windows(2).map(|w| (count(u, w[0]) - count(v, w[0])).abs() * (w[1] - w[0])).sum()
}

fn naive_sliced(a: &[P], b: &[P], m: usize) -> f64 {
    let mut total = 0.0;
    for k in 0..m {
        let theta = -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI * k as f64 / m as f64;
        let proj = |x: f64, y: f64| x * theta.cos() + y * theta.sin();
        let diag = |p: &P| {
            let mid = (p.birth + p.death) / 2.0;
            proj(mid, mid)
        };
        let mut u: Vec<f64> = a.iter().map(|p| proj(p.birth, p.death)).collect();
        u.extend(b.iter().map(diag));
        let mut v: Vec<f64> = b.iter().map(|p| proj(p.birth, p.death)).collect();
        v.extend(a.iter().map(diag));
        total += naive_w1(&u, &v);
    }
    total / m as f64
}

// ---------------------------------------------------------------------------
// Strategies.

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![(-8i32..=24).prop_map(|k| f64::from(k) / 8.0), -1.0f64..3.0]
}

fn point() -> impl Strategy<Value = P> {
    prop_oneof![
        3 => (value(), value()).prop_map(|(a, b)| P::new(a.min(b), a.max(b))),
        1 => value().prop_map(|a| P::new(a, a)),
    ]
}

fn points(max: usize) -> impl Strategy<Value = Vec<P>> {
    prop::collection::vec(point(), 0..max)
}

fn batch() -> impl Strategy<Value = DiagramBatch> {
    prop::collection::vec((points(20), points(20)), 1..5).prop_map(|ds| {
        let diagrams: Vec<Diagram> =
            ds.into_iter().map(|(a, b)| Diagram::from_dims(vec![a, b])).collect();
        DiagramBatch::giotto_filtered_owned(diagrams, 2, -1.0).unwrap()
    })
}

fn new_metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        (1usize..60).prop_map(|n_directions| Metric::SlicedWasserstein { n_directions }),
        (0.05f64..0.5).prop_map(|sigma| Metric::HeatDensity { sigma }),
    ]
}

fn grid_mode() -> impl Strategy<Value = GridMode> {
    prop_oneof![
        Just(GridMode::Giotto),
        Just(GridMode::GiottoJoint),
        Just(GridMode::Fixed { lo: -0.5, hi: 2.0 }),
    ]
}

#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
fn bits(m: &DistanceMatrix) -> (Vec<u64>, Vec<u64>) {
    (
        m.values.iter().map(|x| x.to_bits()).collect(),
        m.per_dim.iter().map(|x| x.to_bits()).collect(),
    )
}

fn scale(ps: &[&[P]]) -> f64 {
    ps.iter().flat_map(|p| p.iter()).fold(1.0, |m: f64, p| m.max(p.birth.abs()).max(p.death.abs()))
}

// ---------------------------------------------------------------------------
// Sliced Wasserstein.

#[test]
fn sliced_wasserstein_by_hand() {
    let a = [P::new(0.0, 2.0)];
    // One point against the empty diagram: W_θ = (l/2)·|sin θ − cos θ|.
    // θ = −π/2: 1; θ = 0: 1.
    assert_close(sliced_wasserstein(&a, &[], 1).unwrap(), 1.0, 1e-15, 1e-15, "M = 1");
    assert_close(sliced_wasserstein(&a, &[], 2).unwrap(), 1.0, 1e-15, 1e-15, "M = 2");
    // The paper's integral: (1/π)∫ (l/2)|sin θ − cos θ| dθ = l·√2/π.
    let want = 2.0 * std::f64::consts::SQRT_2 / std::f64::consts::PI;
    assert_close(sliced_wasserstein(&a, &[], 4000).unwrap(), want, 1e-3, 0.0, "integral");
    // (0,2) vs (1,3): each side gets the other's diagonal projection
    // ((2,2), resp. (1,1)). θ = 0 (x ↦ b): U = {0, 2}, V = {1, 1}, cost 2;
    // θ = −π/2 (x ↦ −d): U = {−2, −2}, V = {−3, −1}, cost 2.
    let b = [P::new(1.0, 3.0)];
    assert_close(sliced_wasserstein(&a, &b, 2).unwrap(), 2.0, 1e-15, 1e-15, "shift");
    assert_eq!(sliced_wasserstein(&[], &[], 5).unwrap(), 0.0);
    // Trivial points contribute nothing.
    assert_eq!(sliced_wasserstein(&[P::new(0.5, 0.5)], &[], 5).unwrap(), 0.0);
}

#[test]
fn sliced_wasserstein_errors() {
    let a = [P::new(0.0, 1.0)];
    assert!(matches!(
        sliced_wasserstein(&a, &a, 0).unwrap_err().kind(),
        ErrorKind::InvalidOption { .. }
    ));
    assert!(matches!(
        sliced_wasserstein(&[P::new(0.0, INF)], &a, 3).unwrap_err().kind(),
        ErrorKind::EssentialPoint { .. }
    ));
    let d = |p: P| Diagram::from_dims(vec![vec![P::new(0.0, 1.0)], vec![p]]);
    let b = DiagramBatch::giotto_filtered(&[d(P::new(0.0, 1.0)), d(P::new(0.2, INF))], 2, 0.01)
        .unwrap();
    let err = pairwise(&b, &MetricOptions::new(Metric::SLICED_WASSERSTEIN), Par::Seq).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::EssentialPoint { diagram: 1, dim: 1 }),
        "{:?}",
        err.kind()
    );
    let bad = MetricOptions::new(Metric::SlicedWasserstein { n_directions: 0 });
    assert!(bad.validate().is_err());
    // No grid: grid options are ignored (not validated).
    let sw = MetricOptions::new(Metric::SLICED_WASSERSTEIN).with_n_bins(1).with_p(0.0);
    assert!(sw.validate().is_ok());
    assert!(!Metric::SLICED_WASSERSTEIN.uses_grid());
    assert!(!Metric::SLICED_WASSERSTEIN.is_matching());
    assert!(Metric::HEAT_DENSITY.uses_grid());
    assert!(MetricOptions::new(Metric::HeatDensity { sigma: 0.0 }).validate().is_err());
    assert_eq!(
        "Sliced_Wasserstein".parse::<Metric>().unwrap(),
        Metric::SlicedWasserstein { n_directions: 50 }
    );
    assert_eq!("heat_density".parse::<Metric>().unwrap(), Metric::HeatDensity { sigma: 0.1 });
}

// ---------------------------------------------------------------------------
// Heat density.

fn heat_pair(a: Vec<P>, b: Vec<P>, m: Metric, grid: GridMode) -> f64 {
    let batch = DiagramBatch::from_diagrams_unpadded(
        vec![Diagram::from_dims(vec![a]), Diagram::from_dims(vec![b])],
        1,
    )
    .unwrap();
    distance(&batch, 0, 1, &MetricOptions::paper(m).with_grid(grid)).unwrap().0
}

#[test]
fn heat_density_is_heat_over_counts() {
    let a = vec![P::new(0.0, 0.5), P::new(0.1, 0.9), P::new(0.3, 0.4)];
    let b = vec![P::new(0.0, 0.6), P::new(0.2, 0.7), P::new(0.5, 1.0), P::new(0.4, 0.4)];
    // Three non-trivial points each (b's trivial point counts for nothing).
    for grid in [GridMode::Giotto, GridMode::Fixed { lo: 0.0, hi: 1.0 }] {
        let h = heat_pair(a.clone(), b.clone(), Metric::HEAT, grid);
        let hd = heat_pair(a.clone(), b.clone(), Metric::HEAT_DENSITY, grid);
        assert!(h > 0.0);
        assert_close(hd, h / 3.0, 1e-12, 0.0, "heat-density = heat / 3");
    }
}

#[test]
fn heat_density_ignores_multiplicity() {
    let a = vec![P::new(0.0, 0.5), P::new(0.1, 0.9), P::new(0.3, 0.4)];
    let b = vec![P::new(0.0, 0.6), P::new(0.2, 0.7)];
    let a2: Vec<P> = a.iter().chain(&a).copied().collect();
    for grid in [GridMode::Giotto, GridMode::Fixed { lo: 0.0, hi: 1.0 }] {
        let hd = heat_pair(a.clone(), b.clone(), Metric::HEAT_DENSITY, grid);
        let hd2 = heat_pair(a2.clone(), b.clone(), Metric::HEAT_DENSITY, grid);
        assert_close(hd2, hd, 1e-12, 0.0, "duplicated points, heat density");
        let h = heat_pair(a.clone(), b.clone(), Metric::HEAT, grid);
        let h2 = heat_pair(a2.clone(), b.clone(), Metric::HEAT, grid);
        assert!((h2 - h).abs() > 1e-3 * h, "heat changes: {h} vs {h2}");
    }
}

// ---------------------------------------------------------------------------
// Persistence entropy.

#[test]
fn persistence_entropy_by_hand() {
    // Lifetimes 1, 1: two equally likely outcomes, one bit.
    let two = [P::new(0.0, 1.0), P::new(2.0, 3.0)];
    assert_close(persistence_entropy(&two), 1.0, 1e-15, 0.0, "1 bit");
    // Lifetimes 1, 1, 2: p = 1/4, 1/4, 1/2, so 2·(1/4)·2 + (1/2)·1 = 1.5 bits;
    // the trivial and the essential point are ignored.
    let three =
        [P::new(0.0, 1.0), P::new(0.5, 1.5), P::new(1.0, 3.0), P::new(0.7, 0.7), P::new(0.0, INF)];
    assert_close(persistence_entropy(&three), 1.5, 1e-15, 0.0, "1.5 bits");
    // Normalised by log₂ L = log₂ 4 = 2.
    assert_close(persistence_entropy_normalized(&three), 0.75, 1e-15, 0.0, "normalised");
    // One point: zero entropy.
    assert_eq!(persistence_entropy(&[P::new(0.2, 0.9)]), 0.0);
    // No positive lifetime: undefined.
    assert!(persistence_entropy(&[]).is_nan());
    assert!(persistence_entropy(&[P::new(0.3, 0.3), P::new(0.0, INF)]).is_nan());
    assert!(persistence_entropy_normalized(&[]).is_nan());
}

// ---------------------------------------------------------------------------
// Amplitudes.

#[test]
fn amplitudes_by_hand() {
    let pts = [P::new(0.0, 2.0), P::new(1.0, 2.0), P::new(0.5, 0.5)];
    let amp = |m: Metric| amplitude(&pts, &MetricOptions::new(m)).unwrap();
    // Matching: every point to the diagonal, costs 1 and 0.5.
    assert_close(amp(Metric::Wasserstein { q: 2.0, delta: 0.0 }), 1.25f64.sqrt(), 1e-15, 0.0, "W2");
    assert_close(amp(Metric::Wasserstein { q: 1.0, delta: 0.0 }), 1.5, 1e-15, 0.0, "W1");
    assert_close(amp(Metric::BOTTLENECK), 1.0, 1e-15, 0.0, "bottleneck");
    assert_eq!(
        amplitude(&[P::new(0.0, INF)], &MetricOptions::new(Metric::WASSERSTEIN)).unwrap(),
        INF
    );
    // Sliced: the distance to the empty diagram.
    assert_eq!(amp(Metric::SLICED_WASSERSTEIN), sliced_wasserstein(&pts, &[], 50).unwrap());
    // Betti on samples 0, 1, 2 (Δ = 1), p = 1: β = [1, 2, 0] → 3.
    let fixed = GridMode::Fixed { lo: 0.0, hi: 2.0 };
    let betti = MetricOptions::new(Metric::Betti).with_n_bins(3).with_p(1.0).with_grid(fixed);
    assert_close(amplitude(&pts, &betti).unwrap(), 3.0, 1e-15, 0.0, "betti");
    // With p = 2: Δ^{1/2}·√(1 + 4) = √5.
    assert_close(amplitude(&pts, &betti.with_p(2.0)).unwrap(), 5f64.sqrt(), 1e-15, 0.0, "betti p2");
    // Landscape, p = ∞: the highest tent, (2 − 0)/2 = 1, attained at t = 1.
    let land = MetricOptions::new(Metric::LANDSCAPE).with_n_bins(5).with_p(INF).with_grid(fixed);
    assert_close(amplitude(&pts, &land).unwrap(), 1.0, 1e-15, 0.0, "landscape");
    // The giotto grid of one diagram is its own extent [0, 2]: same value.
    let land_g = land.with_grid(GridMode::Giotto);
    assert_close(amplitude(&pts, &land_g).unwrap(), 1.0, 1e-15, 0.0, "landscape giotto");
    // The empty diagram has amplitude 0 for every metric.
    for m in
        [Metric::HEAT, Metric::HEAT_DENSITY, Metric::SILHOUETTE, Metric::Betti, Metric::WASSERSTEIN]
    {
        assert_eq!(amplitude(&[], &MetricOptions::new(m)).unwrap(), 0.0, "{m}");
    }
    // Grid metrics reject essential points.
    let err = amplitude(&[P::new(0.0, INF)], &MetricOptions::new(Metric::HEAT)).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::EssentialPoint { .. }));
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sliced_matches_naive(a in points(15), b in points(15), m in 1usize..40) {
        let got = sliced_wasserstein(&a, &b, m).unwrap();
        let want = naive_sliced(&a, &b, m);
        let tol = 1e-9 * scale(&[&a, &b]) * (a.len() + b.len()).max(1) as f64;
        prop_assert!((got - want).abs() <= tol, "got {got}, want {want}");
    }

    #[test]
    fn sliced_is_a_pseudometric(a in points(15), b in points(15), c in points(15), m in 1usize..40) {
        let ab = sliced_wasserstein(&a, &b, m).unwrap();
        let ba = sliced_wasserstein(&b, &a, m).unwrap();
        prop_assert_eq!(ab.to_bits(), ba.to_bits());
        prop_assert!(ab >= 0.0);
        prop_assert_eq!(sliced_wasserstein(&a, &a, m).unwrap(), 0.0);
        let ac = sliced_wasserstein(&a, &c, m).unwrap();
        let cb = sliced_wasserstein(&c, &b, m).unwrap();
        let tol = 1e-9 * scale(&[&a, &b, &c]) * (a.len() + b.len() + c.len()).max(1) as f64;
        prop_assert!(ab <= ac + cb + tol, "triangle: {ab} > {ac} + {cb}");
        // Trivial points change nothing.
        let mut a2 = a.clone();
        a2.push(P::new(0.25, 0.25));
        prop_assert_eq!(sliced_wasserstein(&a2, &b, m).unwrap().to_bits(), ab.to_bits());
    }

    /// Pairwise for the new metrics: symmetric, zero diagonal, equal to
    /// `distance()`, bit-identical for every thread count; sliced entries are
    /// the per-dimension `sliced_wasserstein`.
    #[test]
    fn pairwise_invariants(b in batch(), m in new_metric(), mode in grid_mode(), n_bins in 2usize..30) {
        let opts = MetricOptions::new(m).with_n_bins(n_bins).with_grid(mode);
        let seq = pairwise(&b, &opts, Par::Seq).unwrap();
        let n = b.len();
        for i in 0..n {
            prop_assert_eq!(seq.get(i, i), 0.0);
            for j in 0..n {
                prop_assert!(seq.get(i, j) >= 0.0);
                prop_assert_eq!(seq.get(i, j).to_bits(), seq.get(j, i).to_bits());
                if i < j && mode != GridMode::GiottoJoint {
                    let (d, per) = distance(&b, i, j, &opts).unwrap();
                    prop_assert_eq!(d.to_bits(), seq.get(i, j).to_bits());
                    if let Metric::SlicedWasserstein { n_directions } = m {
                        for (q, &x) in per.iter().enumerate() {
                            let want = sliced_wasserstein(b.points(i, q), b.points(j, q), n_directions).unwrap();
                            prop_assert_eq!(x.to_bits(), want.to_bits());
                        }
                    }
                }
            }
        }
        #[cfg(feature = "rayon")]
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let par = pool.install(|| pairwise(&b, &opts, Par::Rayon)).unwrap();
            prop_assert_eq!(bits(&par), bits(&seq));
        }
    }

    #[test]
    fn zero_on_identical(p in points(20), q in points(20), m in new_metric(), mode in grid_mode()) {
        let d = Diagram::from_dims(vec![p, q]);
        let b = DiagramBatch::giotto_filtered(&[d.clone(), d], 2, -1.0).unwrap();
        let (total, per_dim) = distance(&b, 0, 1, &MetricOptions::new(m).with_grid(mode)).unwrap();
        prop_assert_eq!(total, 0.0);
        prop_assert!(per_dim.iter().all(|&x| x == 0.0));
    }

    /// Duplicating every point of a diagram leaves heat density unchanged.
    #[test]
    fn heat_density_multiplicity(a in points(15), b in points(15), sigma in 0.05f64..0.5) {
        let a2: Vec<P> = a.iter().chain(&a).copied().collect();
        let fixed = GridMode::Fixed { lo: -1.0, hi: 3.0 };
        let m = Metric::HeatDensity { sigma };
        let d1 = heat_pair(a.clone(), b.clone(), m, fixed);
        let d2 = heat_pair(a2, b.clone(), m, fixed);
        prop_assert!((d1 - d2).abs() <= 1e-12 * d1.max(1e-300) + 1e-12, "{d1} vs {d2}");
    }
}
