//! Property tests: metric invariants, thread-count independence, and the
//! streaming vectorisations against naive O(n·n_bins) references written from
//! giotto-tda's formulas.

use nnph_distance::matching::{
    GroundMetric, bottleneck, bottleneck_exact, wasserstein, wasserstein_exact,
};
use nnph_distance::{
    DiagramBatch, DistanceMatrix, Grid, GridMode, ImageGrid, ImageWeight, Metric, MetricOptions,
    Par, betti_curve, distance, heat_image, landscape, pairwise, persistence_image, silhouette,
};
use nnph_homology::{Diagram, PersistencePair};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Naive references.

fn samples(g: &Grid) -> Vec<f64> {
    g.samples()
}

/// giotto-tda's fibers: max(h − |t − m|, 0).
fn tent(p: &PersistencePair, t: f64) -> f64 {
    let m = (p.death + p.birth) / 2.0;
    let h = (p.death - p.birth) / 2.0;
    (-(t - m).abs() + h).max(0.0)
}

fn naive_silhouette(points: &[PersistencePair], g: &Grid, power: f64) -> Vec<f64> {
    let mut w: Vec<f64> = points.iter().map(|p| p.death - p.birth).collect();
    if power > 8.0 {
        let m = w.iter().copied().fold(0.0, f64::max);
        if m == 0.0 {
            return vec![0.0; g.n_bins];
        }
        w.iter_mut().for_each(|x| *x /= m);
    }
    w.iter_mut().for_each(|x| *x = x.powf(power));
    let total: f64 = w.iter().sum();
    samples(g)
        .iter()
        .map(|&t| {
            if total == 0.0 {
                return 0.0;
            }
            points.iter().zip(&w).map(|(p, w)| w * tent(p, t)).sum::<f64>() / total
        })
        .collect()
}

fn naive_landscape(points: &[PersistencePair], g: &Grid, k: usize) -> Vec<f64> {
    let t = samples(g);
    let mut out = vec![0.0; k * g.n_bins];
    for (i, &ti) in t.iter().enumerate() {
        let mut v: Vec<f64> = points.iter().map(|p| tent(p, ti)).collect();
        v.sort_by(|a, b| b.total_cmp(a));
        for j in 0..k.min(v.len()) {
            out[j * g.n_bins + i] = v[j];
        }
    }
    out
}

fn naive_betti(points: &[PersistencePair], g: &Grid) -> Vec<u64> {
    samples(g)
        .iter()
        .map(|&t| points.iter().filter(|p| p.birth <= t && t < p.death).count() as u64)
        .collect()
}

/// scipy's normalised kernel for offsets −r..=r.
fn kernel(sigma: f64) -> (Vec<f64>, i64) {
    let r = (4.0 * sigma + 0.5) as i64;
    let w: Vec<f64> = (-r..=r).map(|x| (-0.5 / (sigma * sigma) * (x * x) as f64).exp()).collect();
    let s: f64 = w.iter().sum();
    (w.iter().map(|x| x / s).collect(), r)
}

/// Direct 2-D convolution with zero padding (no separability, no sparsity).
fn naive_filter(img: &[f64], n: usize, sigma: [f64; 2]) -> Vec<f64> {
    let (w0, r0) = kernel(sigma[0]);
    let (w1, r1) = kernel(sigma[1]);
    let mut out = vec![0.0; n * n];
    for k in 0..n as i64 {
        for l in 0..n as i64 {
            let mut s = 0.0;
            for a in (k - r0).max(0)..=(k + r0).min(n as i64 - 1) {
                for b in (l - r1).max(0)..=(l + r1).min(n as i64 - 1) {
                    s += w0[(a - k + r0) as usize]
                        * w1[(b - l + r1) as usize]
                        * img[a as usize * n + b as usize];
                }
            }
            out[k as usize * n + l as usize] = s;
        }
    }
    out
}

fn naive_heat(points: &[PersistencePair], g: &Grid, sigma: f64) -> Vec<f64> {
    let n = g.n_bins;
    let step = g.step();
    let (lo, hi) = (g.lo, g.hi);
    let mut s = vec![0.0; n * n];
    for p in points {
        let b = p.birth.clamp(lo, hi);
        let d = p.death.clamp(lo, hi);
        if b != d {
            s[((b - lo) / step) as usize * n + ((d - lo) / step) as usize] += 1.0;
        }
    }
    let f = naive_filter(&s, n, [sigma / step, sigma / step]);
    (0..n * n).map(|k| (f[k] - f[(k % n) * n + k / n]) / (step * step)).collect()
}

fn naive_image(points: &[PersistencePair], g: &ImageGrid, sigma: f64, w: ImageWeight) -> Vec<f64> {
    let n = g.birth.n_bins;
    let (sb, sp) = (g.birth.step(), g.persistence.step());
    let tp = g.persistence.samples();
    let mut s = vec![0.0; n * n];
    for p in points {
        let pers = (p.death - p.birth).clamp(g.persistence.lo, g.persistence.hi);
        let b = p.birth.clamp(g.birth.lo, g.birth.hi);
        if pers != 0.0 {
            let j = ((pers - g.persistence.lo) / sp) as usize;
            s[((b - g.birth.lo) / sb) as usize * n + j] += 1.0;
        }
    }
    for (k, v) in s.iter_mut().enumerate() {
        if w == ImageWeight::Linear {
            *v *= tp[k % n];
        }
    }
    naive_filter(&s, n, [sigma / sb, sigma / sp]).iter().map(|v| v / (sb * sp)).collect()
}

#[track_caller]
/// Asserts `|got − want| ≤ rtol·max(max|want|, floor)` elementwise; `floor`
/// is the magnitude below which differences are rounding noise (for example
/// the inputs' magnitude, where a tent vanishes by cancellation).
fn assert_vec_close(got: &[f64], want: &[f64], rtol: f64, floor: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(floor, |m, x| m.max(x.abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= rtol * scale,
            "{what}[{i}]: got {g:e}, want {w:e} (scale {scale:e})"
        );
    }
}

// ---------------------------------------------------------------------------
/// The largest coordinate magnitude of the points and the grid.
fn magnitude(p: &[PersistencePair], g: &Grid) -> f64 {
    p.iter().fold(g.lo.abs().max(g.hi.abs()), |m, x| m.max(x.birth.abs()).max(x.death.abs()))
}

// Strategies.

/// Values on a 1/8 lattice (hitting grid samples exactly for the lattice
/// grids below), plus arbitrary ones.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![(-8i32..=24).prop_map(|k| f64::from(k) / 8.0), -1.0f64..3.0]
}

fn point() -> impl Strategy<Value = PersistencePair> {
    prop_oneof![
        (value(), value()).prop_map(|(a, b)| PersistencePair::new(a.min(b), a.max(b))),
        // Trivial points.
        value().prop_map(|a| PersistencePair::new(a, a)),
    ]
}

fn points(max: usize) -> impl Strategy<Value = Vec<PersistencePair>> {
    prop::collection::vec(point(), 0..max).prop_flat_map(|v| {
        // Duplicate a prefix to get repeated points.
        let len = v.len();
        (Just(v), 0..=len).prop_map(|(mut v, k)| {
            let dup: Vec<_> = v[..k.min(3)].to_vec();
            v.extend(dup);
            v
        })
    })
}

fn grid() -> impl Strategy<Value = Grid> {
    prop_oneof![
        // Lattice grids: samples on the 1/8 lattice.
        (
            prop_oneof![Just(0.0), Just(-0.5), Just(0.25)],
            prop_oneof![Just(1.0), Just(2.0)],
            prop_oneof![Just(2usize), Just(9), Just(17), Just(33)]
        )
            .prop_map(|(lo, hi, n)| Grid::new(lo, hi, n).unwrap()),
        (-1.0f64..1.0, 0.01f64..2.0, 2usize..40)
            .prop_map(|(lo, w, n)| Grid::new(lo, lo + w, n).unwrap()),
    ]
}

fn batch() -> impl Strategy<Value = DiagramBatch> {
    prop::collection::vec((points(25), points(25)), 1..5).prop_map(|ds| {
        let diagrams: Vec<Diagram> =
            ds.into_iter().map(|(a, b)| Diagram::from_dims(vec![a, b])).collect();
        // Epsilon −1 keeps trivial points; padding comes from the batch.
        DiagramBatch::giotto_filtered_owned(diagrams, 2, -1.0).unwrap()
    })
}

fn metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        (0.05f64..0.5).prop_map(|sigma| Metric::Heat { sigma }),
        prop_oneof![Just(1.0), Just(2.0), Just(0.5), Just(9.0)]
            .prop_map(|power| Metric::Silhouette { power }),
        (1usize..4).prop_map(|n_layers| Metric::Landscape { n_layers }),
        Just(Metric::Betti),
        ((0.05f64..0.5), prop_oneof![Just(ImageWeight::Ones), Just(ImageWeight::Linear)])
            .prop_map(|(sigma, weight)| Metric::PersistenceImage { sigma, weight }),
    ]
}

fn grid_mode() -> impl Strategy<Value = GridMode> {
    prop_oneof![
        Just(GridMode::Giotto),
        Just(GridMode::GiottoJoint),
        Just(GridMode::Fixed { lo: -0.5, hi: 2.0 }),
    ]
}

fn matching_metric() -> impl Strategy<Value = Metric> {
    let delta = || prop_oneof![Just(0.0), Just(0.01), Just(0.5)];
    prop_oneof![
        (prop_oneof![Just(1.0), Just(2.0), Just(3.5), Just(f64::INFINITY)], delta())
            .prop_map(|(q, delta)| Metric::Wasserstein { q, delta }),
        delta().prop_map(|delta| Metric::Bottleneck { delta }),
    ]
}

/// As [`batch`], with 0 to 2 essential points per diagram in dimension 1
/// (so the counts of a pair may differ).
fn batch_with_essentials() -> impl Strategy<Value = DiagramBatch> {
    prop::collection::vec((points(15), points(15), prop::collection::vec(value(), 0..3)), 1..5)
        .prop_map(|ds| {
            let diagrams: Vec<Diagram> = ds
                .into_iter()
                .map(|(a, mut b, e)| {
                    b.extend(e.into_iter().map(|x| PersistencePair::new(x, f64::INFINITY)));
                    Diagram::from_dims(vec![a, b])
                })
                .collect();
            DiagramBatch::giotto_filtered_owned(diagrams, 2, -1.0).unwrap()
        })
}

#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
fn bits(m: &DistanceMatrix) -> (Vec<u64>, Vec<u64>) {
    (
        m.values.iter().map(|x| x.to_bits()).collect(),
        m.per_dim.iter().map(|x| x.to_bits()).collect(),
    )
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn silhouette_matches_naive(p in points(40), g in grid(), power in prop_oneof![Just(1.0), Just(2.0), Just(0.5), Just(9.0)]) {
        let got = silhouette(&p, &g, power).unwrap();
        assert_vec_close(&got, &naive_silhouette(&p, &g, power), 1e-12, magnitude(&p, &g), "silhouette");
    }

    #[test]
    fn landscape_matches_naive(p in points(40), g in grid(), k in 1usize..5) {
        let got = landscape(&p, &g, k).unwrap();
        assert_vec_close(&got, &naive_landscape(&p, &g, k), 1e-12, magnitude(&p, &g), "landscape");
    }

    #[test]
    fn betti_matches_naive(p in points(40), g in grid()) {
        prop_assert_eq!(betti_curve(&p, &g).unwrap(), naive_betti(&p, &g));
    }

    #[test]
    fn heat_matches_2d_convolution(p in points(15), lo in -0.5f64..0.5, w in 0.2f64..2.0, n in 2usize..16, sigma in 0.02f64..1.0) {
        let g = Grid::new(lo, lo + w, n).unwrap();
        let got = heat_image(&p, &g, sigma).unwrap();
        // Antisymmetrisation cancels: compare against the scale of G*S/Δ².
        let floor = p.len() as f64 / (g.step() * g.step());
        assert_vec_close(&got, &naive_heat(&p, &g, sigma), 1e-12, floor, "heat");
    }

    #[test]
    fn image_matches_2d_convolution(p in points(15), n in 2usize..16, sigma in 0.02f64..1.0, linear in any::<bool>()) {
        let g = ImageGrid { birth: Grid::new(-0.25, 1.5, n).unwrap(), persistence: Grid::new(0.0, 2.0, n).unwrap() };
        let w = if linear { ImageWeight::Linear } else { ImageWeight::Ones };
        let got = persistence_image(&p, &g, sigma, w).unwrap();
        let floor = 2.0 * p.len() as f64 / (g.birth.step() * g.persistence.step());
        assert_vec_close(&got, &naive_image(&p, &g, sigma, w), 1e-12, floor, "persistence image");
    }

    /// With a fixed grid, pairwise distances equal the norms of differences
    /// of the public per-diagram features (the heat and image distances
    /// filter the difference of the count images instead).
    #[test]
    fn pairwise_matches_features(b in batch(), m in metric(), n_bins in 2usize..24) {
        let (lo, hi) = (-0.5, 2.0);
        let opts = MetricOptions::new(m).with_n_bins(n_bins).with_grid(GridMode::Fixed { lo, hi });
        let d = pairwise(&b, &opts, Par::Seq).unwrap();
        let g = Grid::new(lo, hi, n_bins).unwrap();
        let ig = ImageGrid { birth: g, persistence: g };
        let step = g.step();
        let feat = |i: usize, q: usize| -> (Vec<f64>, f64) {
            let p = b.points(i, q);
            match m {
                Metric::Heat { sigma } => (heat_image(p, &g, sigma).unwrap(), step),
                Metric::Silhouette { power } => (silhouette(p, &g, power).unwrap(), step.sqrt()),
                Metric::Landscape { n_layers } => (landscape(p, &g, n_layers).unwrap(), step.sqrt()),
                Metric::Betti => (betti_curve(p, &g).unwrap().iter().map(|&x| x as f64).collect(), step.sqrt()),
                Metric::PersistenceImage { sigma, weight } => (persistence_image(p, &ig, sigma, weight).unwrap(), step),
                _ => unreachable!(),
            }
        };
        for i in 0..b.len() {
            for j in 0..b.len() {
                let mut total = 0.0;
                for q in 0..2 {
                    let ((x, f), (y, _)) = (feat(i, q), feat(j, q));
                    let want = x.iter().zip(&y).map(|(u, v)| (u - v) * (u - v)).sum::<f64>().sqrt() * f;
                    // Heat images cancel in the antisymmetrisation: bound by the
                    // scale of the smoothed counts, (#points)·2.5/Δ² times the factor.
                    let counts = (b.points(i, q).len() + b.points(j, q).len() + 1) as f64;
                    let scale = (x.iter().chain(&y).map(|v| v * v).sum::<f64>().sqrt()
                        + counts * 2.5 / (step * step)) * f;
                    let got = d.get_dim(i, j, q);
                    prop_assert!((got - want).abs() <= 1e-11 * scale + 1e-300, "{m} [{i},{j}] H{q}: {got} vs {want}");
                    total += want * want;
                }
                let got = d.get(i, j);
                prop_assert!((got - total.sqrt()).abs() <= 1e-9 * got.max(1e-300) + 1e-12, "{got} vs {}", total.sqrt());
            }
        }
    }

    #[test]
    fn metric_invariants(b in batch(), m in metric(), mode in grid_mode(), n_bins in 2usize..40) {
        let opts = MetricOptions::new(m).with_n_bins(n_bins).with_grid(mode);
        let seq = pairwise(&b, &opts, Par::Seq).unwrap();
        let n = b.len();
        for i in 0..n {
            prop_assert_eq!(seq.get(i, i), 0.0);
            for j in 0..n {
                prop_assert!(seq.get(i, j) >= 0.0);
                prop_assert_eq!(seq.get(i, j).to_bits(), seq.get(j, i).to_bits());
                if i < j {
                    let (d_ij, per_ij) = distance(&b, i, j, &opts).unwrap();
                    let (d_ji, per_ji) = distance(&b, j, i, &opts).unwrap();
                    prop_assert_eq!(d_ij.to_bits(), d_ji.to_bits());
                    prop_assert_eq!(&per_ij, &per_ji);
                    if mode != GridMode::GiottoJoint {
                        // A pair's grid depends only on the pair (and the padding).
                        prop_assert_eq!(d_ij.to_bits(), seq.get(i, j).to_bits());
                    }
                }
            }
        }
        #[cfg(feature = "rayon")]
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let par = pool.install(|| pairwise(&b, &opts, Par::Rayon)).unwrap();
            prop_assert_eq!(par.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                seq.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            prop_assert_eq!(par.per_dim.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                seq.per_dim.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn zero_on_identical_diagrams(p in points(30), q in points(30), m in metric(), mode in grid_mode()) {
        let d = Diagram::from_dims(vec![p, q]);
        let b = DiagramBatch::giotto_filtered(&[d.clone(), d], 2, -1.0).unwrap();
        let opts = MetricOptions::new(m).with_grid(mode);
        let (total, per_dim) = distance(&b, 0, 1, &opts).unwrap();
        prop_assert_eq!(total, 0.0);
        prop_assert!(per_dim.iter().all(|&x| x == 0.0));
    }

    /// Matching metrics: each entry is the matching function on the pair's
    /// points (`L∞`), combined with `order`; symmetric, zero diagonal,
    /// `distance()` = `pairwise()`, and bit-identical for every thread count.
    #[test]
    fn matching_invariants(b in batch_with_essentials(), m in matching_metric(), order in prop_oneof![Just(1.0), Just(2.0), Just(f64::INFINITY)]) {
        let opts = MetricOptions::paper(m).with_order(order);
        let seq = pairwise(&b, &opts, Par::Seq).unwrap();
        let n = b.len();
        for i in 0..n {
            prop_assert_eq!(seq.get(i, i), 0.0);
            for j in i + 1..n {
                let mut per = Vec::new();
                for q in 0..2 {
                    let (x, y) = (b.points(i, q), b.points(j, q));
                    let (want, exact, delta) = match m {
                        Metric::Wasserstein { q: e, delta } => (
                            wasserstein(x, y, e, GroundMetric::LInf, delta),
                            wasserstein_exact(x, y, e, GroundMetric::LInf),
                            delta,
                        ),
                        Metric::Bottleneck { delta } => (
                            bottleneck(x, y, GroundMetric::LInf, delta),
                            bottleneck_exact(x, y, GroundMetric::LInf),
                            delta,
                        ),
                        _ => unreachable!(),
                    };
                    let (want, exact) = (want.unwrap(), exact.unwrap());
                    // Inside the stated bound: exact ≤ value ≤ (1 + δ)·exact.
                    if exact.is_finite() {
                        prop_assert!(want >= exact * (1.0 - 1e-12) && want <= exact * (1.0 + delta) * (1.0 + 1e-12) + 1e-300,
                            "{m:?}: {want} vs exact {exact}");
                    } else {
                        prop_assert_eq!(want, exact);
                    }
                    prop_assert_eq!(seq.get_dim(i, j, q).to_bits(), want.to_bits());
                    prop_assert_eq!(seq.get_dim(j, i, q).to_bits(), want.to_bits());
                    per.push(want);
                }
                let total = seq.get(i, j);
                prop_assert!(total >= 0.0, "{total}");
                prop_assert_eq!(total.to_bits(), seq.get(j, i).to_bits());
                if per.iter().any(|d| d.is_infinite()) {
                    prop_assert_eq!(total, f64::INFINITY);
                }
                let (d_ij, per_ij) = distance(&b, i, j, &opts).unwrap();
                prop_assert_eq!(d_ij.to_bits(), total.to_bits());
                prop_assert_eq!(&per_ij, &per);
            }
        }
        #[cfg(feature = "rayon")]
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let par = pool.install(|| pairwise(&b, &opts, Par::Rayon)).unwrap();
            prop_assert_eq!(bits(&par), bits(&seq));
        }
    }

    /// `bottleneck ≤ W_q` for every pair, per dimension and combined.
    #[test]
    fn bottleneck_at_most_wasserstein(b in batch(), q in prop_oneof![Just(1.0), Just(2.0), Just(3.5)]) {
        let bn = pairwise(&b, &MetricOptions::paper(Metric::Bottleneck { delta: 0.0 }), Par::default()).unwrap();
        let w = pairwise(&b, &MetricOptions::paper(Metric::Wasserstein { q, delta: 0.0 }), Par::default()).unwrap();
        for i in 0..b.len() {
            for j in 0..b.len() {
                for d in 0..2 {
                    prop_assert!(bn.get_dim(i, j, d) <= w.get_dim(i, j, d), "({i},{j}) H{d}: {} > {}", bn.get_dim(i, j, d), w.get_dim(i, j, d));
                }
                prop_assert!(bn.get(i, j) <= w.get(i, j), "({i},{j}): {} > {}", bn.get(i, j), w.get(i, j));
            }
        }
    }
}
