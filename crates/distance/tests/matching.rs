//! Exact matching distances (`nnph_distance::matching`): the reference
//! vector's exact values (reference pipeline §8), brute force over all
//! matchings of tiny diagrams, metric properties, and the one-line fast path
//! against the general solvers.
//!
//! Self-contained: works as its own test crate or as a module of `tests/lib.rs`.

use std::path::PathBuf;

use nnph_distance::matching::{
    EXACT_SOLVER_LIMIT, EXACT_WHEN_APPROXIMATE, GroundMetric, MatchingError, MatchingErrorKind,
    bottleneck, bottleneck_exact, wasserstein, wasserstein_auction, wasserstein_exact,
};
use nnph_homology::PersistencePair as P;
use proptest::prelude::*;
use serde_json::Value;

const INF: f64 = f64::INFINITY;

/// `a ≈ b` within `rtol` relative (or `atol` absolute near zero); equal infinities pass.
fn close(a: f64, b: f64, rtol: f64, atol: f64) -> bool {
    if a == b {
        return true;
    }
    (a - b).abs() <= atol.max(rtol * a.abs().max(b.abs()))
}

#[track_caller]
fn assert_close(a: f64, b: f64, rtol: f64, what: &str) {
    assert!(close(a, b, rtol, 1e-12), "{what}: got {a:e}, expected {b:e}");
}

// ---------------------------------------------------------------------------
// Reference vector (reference pipeline §8).

fn reference() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/reference8.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The final diagram of net `k`, dimension `q`, with its padding points.
fn final_diagram(d: &Value, k: usize, q: usize) -> Vec<P> {
    let dim = &d["final_diagrams"][k][q.to_string()];
    let mut points: Vec<P> = dim["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| P::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    let pad = d["pad_values"][q].as_f64().unwrap();
    let count = dim["padding"].as_u64().unwrap() as usize;
    points.extend(std::iter::repeat_n(P::new(pad, pad), count));
    points
}

const PAIRS: [(usize, usize); 3] = [(0, 1), (0, 2), (1, 2)];

/// §8 "Exact (assignment-based, L∞ ground metric) values": per pair, H0 / H1 / total.
const EXACT_W2: [[f64; 3]; 3] = [
    [0.394387826227, 0.634033287885, 0.746685989973],
    [0.735473720716, 0.529233977873, 0.90609613022],
    [0.59121977093, 0.318678390322, 0.671637353038],
];
const EXACT_BOTTLENECK: [[f64; 3]; 3] = [
    [0.388517290354, 0.272575229406, 0.474597661804],
    [0.436111092567, 0.251111149788, 0.503239202177],
    [0.388888895512, 0.173065781593, 0.425659885132],
];

#[test]
fn reference_json_has_the_printed_exact_values() {
    let d = reference();
    for (name, table) in [("wasserstein p=2", EXACT_W2), ("bottleneck", EXACT_BOTTLENECK)] {
        for (&(i, j), row) in PAIRS.iter().zip(table) {
            let v = &d["exact_distances"][name][format!("{i}{j}")];
            for (k, &x) in row.iter().enumerate() {
                assert_eq!(v[k].as_f64().unwrap(), x, "{name} ({i},{j})[{k}]");
            }
        }
    }
}

/// A far point `(−10⁴, 10⁴)` added to both diagrams is matched to itself in
/// every optimal matching and takes the points off their line: the distance is
/// unchanged, but the general solvers compute it.
fn with_far_point(points: &[P]) -> Vec<P> {
    let mut v = points.to_vec();
    v.push(P::new(-1e4, 1e4));
    v
}

#[test]
fn reference_exact_values() {
    let d = reference();
    for (&(i, j), (w_row, b_row)) in PAIRS.iter().zip(EXACT_W2.iter().zip(&EXACT_BOTTLENECK)) {
        let (mut w_dims, mut b_dims) = ([0.0; 2], [0.0; 2]);
        for q in 0..2 {
            let (a, b) = (final_diagram(&d, i, q), final_diagram(&d, j, q));
            let what = format!("pair ({i},{j}) H{q}");
            let w = wasserstein_exact(&a, &b, 2.0, GroundMetric::LInf).unwrap();
            let bn = bottleneck_exact(&a, &b, GroundMetric::LInf).unwrap();
            assert_close(w, w_row[q], 1e-9, &format!("W2 {what}"));
            assert_close(bn, b_row[q], 1e-9, &format!("bottleneck {what}"));
            // The default ground metric is L∞.
            assert_eq!(bottleneck_exact(&a, &b, GroundMetric::default()).unwrap(), bn);
            // The general solvers (points no longer on one line) agree.
            let (fa, fb) = (with_far_point(&a), with_far_point(&b));
            let wg = wasserstein_exact(&fa, &fb, 2.0, GroundMetric::LInf).unwrap();
            let bg = bottleneck_exact(&fa, &fb, GroundMetric::LInf).unwrap();
            assert_close(wg, w_row[q], 1e-9, &format!("general W2 {what}"));
            assert_eq!(bg, bn, "general bottleneck {what}");
            w_dims[q] = w;
            b_dims[q] = bn;
        }
        assert_close(w_dims[0].hypot(w_dims[1]), w_row[2], 1e-9, "W2 total");
        assert_close(b_dims[0].hypot(b_dims[1]), b_row[2], 1e-9, "bottleneck total");
    }
}

// ---------------------------------------------------------------------------
// Brute force over every partial injection, written from the definitions.

fn brute_ground(u: P, w: P, g: GroundMetric) -> f64 {
    match (u.death == INF, w.death == INF) {
        (true, true) => (u.birth - w.birth).abs(),
        (false, false) => {
            let (x, y) = ((u.birth - w.birth).abs(), (u.death - w.death).abs());
            match g {
                GroundMetric::Lp(p) if p.is_finite() => (x.powf(p) + y.powf(p)).powf(1.0 / p),
                _ => x.max(y),
            }
        }
        _ => INF,
    }
}

fn brute_diag(u: P, g: GroundMetric) -> f64 {
    if u.death == INF {
        return INF;
    }
    let half = (u.death - u.birth) / 2.0;
    match g {
        GroundMetric::Lp(p) if p.is_finite() => 2f64.powf(1.0 / p) * half,
        _ => half,
    }
}

/// (bottleneck, min Σ cost^q) over all matchings, trivial points included.
fn brute(a: &[P], b: &[P], q: f64, g: GroundMetric) -> (f64, f64) {
    struct Search<'a> {
        a: &'a [P],
        b: &'a [P],
        q: f64,
        g: GroundMetric,
        used: Vec<bool>,
        costs: Vec<f64>,
        best: (f64, f64),
    }
    impl Search<'_> {
        fn rec(&mut self, i: usize) {
            let g = self.g;
            if i == self.a.len() {
                let mut all = self.costs.clone();
                let free = self.b.iter().zip(&self.used).filter(|(_, u)| !**u);
                all.extend(free.map(|(&y, _)| brute_diag(y, g)));
                let max = all.iter().copied().fold(0.0, f64::max);
                let sum: f64 = all.iter().map(|c| c.powf(self.q)).sum();
                self.best = (self.best.0.min(max), self.best.1.min(sum));
                return;
            }
            let x = self.a[i];
            self.costs.push(brute_diag(x, g));
            self.rec(i + 1);
            self.costs.pop();
            for j in 0..self.b.len() {
                if !self.used[j] {
                    self.used[j] = true;
                    self.costs.push(brute_ground(x, self.b[j], g));
                    self.rec(i + 1);
                    self.costs.pop();
                    self.used[j] = false;
                }
            }
        }
    }
    let mut s =
        Search { a, b, q, g, used: vec![false; b.len()], costs: Vec::new(), best: (INF, INF) };
    s.rec(0);
    s.best
}

// ---------------------------------------------------------------------------
// Strategies.

/// Points on a half-integer grid (ties, duplicates, trivial points) or with
/// random coordinates, some essential.
fn point() -> impl Strategy<Value = P> {
    prop_oneof![
        4 => (0..6u8, 0..5u8).prop_map(|(b, l)| {
            let b = f64::from(b) * 0.5;
            P::new(b, b + f64::from(l) * 0.5)
        }),
        4 => (-3.0..3.0f64, 0.0..4.0f64).prop_map(|(b, l)| P::new(b, b + l)),
        1 => (0..6u8).prop_map(|b| P::new(f64::from(b) * 0.5, INF)),
        1 => (-3.0..3.0f64).prop_map(|b| P::new(b, INF)),
    ]
}

fn diagram(max: usize) -> impl Strategy<Value = Vec<P>> {
    prop::collection::vec(point(), 0..=max)
}

/// Mostly essential points, with equal numbers of them in both diagrams.
fn essential_pair() -> impl Strategy<Value = (Vec<P>, Vec<P>)> {
    let births =
        |n| prop::collection::vec(prop_oneof![(0..4u8).prop_map(f64::from), -3.0..3.0f64], n);
    (0..=4usize, diagram(2), diagram(2)).prop_flat_map(move |(n, fa, fb)| {
        (births(n), births(n)).prop_map(move |(ea, eb)| {
            let ess = |v: Vec<f64>| v.into_iter().map(|b| P::new(b, INF));
            let a = fa.iter().copied().filter(|p| p.death < INF).chain(ess(ea)).collect();
            let b = fb.iter().copied().filter(|p| p.death < INF).chain(ess(eb)).collect();
            (a, b)
        })
    })
}

fn ground() -> impl Strategy<Value = GroundMetric> {
    prop_oneof![
        Just(GroundMetric::LInf),
        Just(GroundMetric::Lp(1.0)),
        Just(GroundMetric::Lp(2.0)),
        Just(GroundMetric::Lp(INF)),
        (1.0..6.0f64).prop_map(GroundMetric::Lp),
    ]
}

fn exponent() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), Just(2.0), Just(3.0), 1.0..8.0f64]
}

/// Two diagrams on one vertical (`vertical`) or horizontal line through `c`,
/// with tied and random positions and the occasional trivial point.
fn line_pair(max: usize) -> impl Strategy<Value = (Vec<P>, Vec<P>)> {
    let pos = || prop_oneof![(0..8u8).prop_map(|k| f64::from(k) * 0.5), 0.0..4.0f64,];
    let side = move || prop::collection::vec(pos(), 0..=max);
    (any::<bool>(), -2.0..2.0f64, side(), side()).prop_map(|(vertical, c, xs, ys)| {
        let make = |v: Vec<f64>| -> Vec<P> {
            v.into_iter()
                .map(|l| if vertical { P::new(c, c + l) } else { P::new(c - l, c) })
                .collect()
        };
        (make(xs), make(ys))
    })
}

fn both(a: &[P], b: &[P], q: f64, g: GroundMetric) -> (f64, f64) {
    (bottleneck_exact(a, b, g).unwrap(), wasserstein_exact(a, b, q, g).unwrap())
}

proptest! {
    #[test]
    fn matches_brute_force(a in diagram(5), b in diagram(5), q in exponent(), g in ground()) {
        let (bn, w) = both(&a, &b, q, g);
        let (bn_ref, sum_ref) = brute(&a, &b, q, g);
        let w_ref = sum_ref.powf(1.0 / q);
        prop_assert!(close(bn, bn_ref, 1e-9, 1e-12), "bottleneck {bn} vs brute {bn_ref}");
        prop_assert!(close(w, w_ref, 1e-9, 1e-12), "W_{q} {w} vs brute {w_ref}");
    }

    /// Large exponents: the scale of the exact solver is the approximate
    /// bottleneck distance up to q = 64, the exact one above.
    #[test]
    fn large_exponents_match_brute_force(
        a in diagram(5), b in diagram(5), q in prop_oneof![Just(30.0), Just(64.0), Just(65.0), Just(120.0)],
        g in ground(),
    ) {
        let (_, w) = both(&a, &b, q, g);
        let (_, sum_ref) = brute(&a, &b, q, g);
        let w_ref = sum_ref.powf(1.0 / q);
        prop_assert!(close(w, w_ref, 1e-9, 1e-12), "W_{q} {w} vs brute {w_ref}");
    }

    #[test]
    fn essential_points_match_brute_force(
        (a, b) in essential_pair(), q in exponent(), g in ground()
    ) {
        let (bn, w) = both(&a, &b, q, g);
        let (bn_ref, sum_ref) = brute(&a, &b, q, g);
        let w_ref = sum_ref.powf(1.0 / q);
        prop_assert!(bn.is_finite() && w.is_finite());
        prop_assert!(close(bn, bn_ref, 1e-9, 1e-12), "bottleneck {bn} vs brute {bn_ref}");
        prop_assert!(close(w, w_ref, 1e-9, 1e-12), "W_{q} {w} vs brute {w_ref}");
    }

    #[test]
    fn line_diagrams_match_brute_force(
        (a, b) in line_pair(5), q in exponent(), g in ground()
    ) {
        let (bn, w) = both(&a, &b, q, g);
        let (bn_ref, sum_ref) = brute(&a, &b, q, g);
        prop_assert!(close(bn, bn_ref, 1e-9, 1e-12), "bottleneck {bn} vs brute {bn_ref}");
        let w_ref = sum_ref.powf(1.0 / q);
        prop_assert!(close(w, w_ref, 1e-9, 1e-12), "W_{q} {w} vs brute {w_ref}");
    }

    #[test]
    fn line_fast_path_equals_general_solver(
        (a, b) in line_pair(40), q in exponent(), g in ground()
    ) {
        let (bn, w) = both(&a, &b, q, g);
        let (bg, wg) = both(&with_far_point(&a), &with_far_point(&b), q, g);
        prop_assert_eq!(bn, bg);
        prop_assert!(close(w, wg, 1e-9, 1e-12), "line {w} vs general {wg}");
    }

    #[test]
    fn metric_properties(
        a in diagram(7), b in diagram(7), c in diagram(7), q in exponent(), g in ground()
    ) {
        // Identity.
        prop_assert_eq!(bottleneck_exact(&a, &a, g).unwrap(), 0.0);
        prop_assert!(wasserstein_exact(&a, &a, q, g).unwrap().abs() < 1e-12);
        // Symmetry.
        let (ab_b, ab_w) = both(&a, &b, q, g);
        let (ba_b, ba_w) = both(&b, &a, q, g);
        prop_assert_eq!(ab_b, ba_b);
        prop_assert!(close(ab_w, ba_w, 1e-9, 1e-12), "W not symmetric: {ab_w} vs {ba_w}");
        // Triangle inequality.
        let (bc_b, bc_w) = both(&b, &c, q, g);
        let (ac_b, ac_w) = both(&a, &c, q, g);
        prop_assert!(ac_b <= (ab_b + bc_b) * (1.0 + 1e-9) + 1e-12);
        prop_assert!(ac_w <= (ab_w + bc_w) * (1.0 + 1e-9) + 1e-12);
        // Bottleneck ≤ W_q' ≤ W_q for q ≤ q', and W_∞ is the bottleneck
        // (the first exactly: W_q is kept at least its matching's largest cost).
        prop_assert!(ab_b <= ab_w, "bottleneck {ab_b} > W_q {ab_w}");
        let w_more = wasserstein_exact(&a, &b, q * 1.7, g).unwrap();
        prop_assert!(ab_b <= w_more * (1.0 + 1e-9) + 1e-12, "{ab_b} > W_q' {w_more}");
        prop_assert!(w_more <= ab_w * (1.0 + 1e-9) + 1e-12, "W_q' {w_more} > W_q {ab_w}");
        prop_assert_eq!(wasserstein_exact(&a, &b, INF, g).unwrap(), ab_b);
    }
}

/// Larger random diagrams for the geometric and approximate solvers:
/// clustered grid points (ties, duplicates, diagonal points), random points
/// and a few essential points, with equal essential counts.
fn big_pair(max: usize) -> impl Strategy<Value = (Vec<P>, Vec<P>)> {
    let finite = || {
        prop_oneof![
            3 => (0..12u8, 0..6u8).prop_map(|(b, l)| {
                let b = f64::from(b) * 0.25;
                P::new(b, b + f64::from(l) * 0.25)
            }),
            5 => (-3.0..3.0f64, 0.0..3.0f64).prop_map(|(b, l)| P::new(b, b + l)),
        ]
    };
    let side = move || prop::collection::vec(finite(), 0..=max);
    (side(), side(), prop::collection::vec((-2.0..2.0f64, -2.0..2.0f64), 0..3)).prop_map(
        |(mut a, mut b, ess)| {
            for (x, y) in ess {
                a.push(P::new(x, INF));
                b.push(P::new(y, INF));
            }
            (a, b)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The geometric bottleneck solver (k-d tree Hopcroft–Karp) and its
    /// approximate mode against the general exact Wasserstein
    /// solver's `W_∞` path and the bound `d ≤ d̂ ≤ (1 + δ)·d`.
    #[test]
    fn approximate_modes_stay_inside_their_bound(
        (a, b) in big_pair(60), q in prop_oneof![Just(1.0), Just(2.0), Just(3.0)], g in ground(),
        delta in prop_oneof![Just(0.01), Just(0.1), Just(0.5)],
    ) {
        let exact_w = wasserstein_exact(&a, &b, q, g).unwrap();
        // The auction itself (what `wasserstein` runs above EXACT_WHEN_APPROXIMATE points).
        let w = wasserstein_auction(&a, &b, q, g, delta).unwrap();
        prop_assert!(w >= exact_w * (1.0 - 1e-12) - 1e-300, "W {w} < exact {exact_w}");
        prop_assert!(w <= exact_w * (1.0 + delta) * (1.0 + 1e-12) + 1e-300, "W {w} vs exact {exact_w}, delta {delta}");
        // Below that size `wasserstein` answers exactly, with the same bits.
        prop_assert_eq!(wasserstein(&a, &b, q, g, delta).unwrap().to_bits(), exact_w.to_bits());
        let exact_b = bottleneck_exact(&a, &b, g).unwrap();
        let bn = bottleneck(&a, &b, g, delta).unwrap();
        prop_assert!(bn >= exact_b && bn <= exact_b * (1.0 + delta) * (1.0 + 1e-12), "bottleneck {bn} vs exact {exact_b}");
        // bottleneck ≤ W_q, also between the approximations' bounds.
        prop_assert!(exact_b <= exact_w * (1.0 + 1e-9) + 1e-12);
        // delta = 0 is exact.
        prop_assert_eq!(wasserstein(&a, &b, q, g, 0.0).unwrap(), exact_w);
        prop_assert_eq!(bottleneck(&a, &b, g, 0.0).unwrap(), exact_b);
    }

    /// Metric properties of the approximate modes (the auction and the
    /// approximate bottleneck): zero on identical diagrams, symmetric up to
    /// the bound, triangle inequality up to the factor `1 + δ`, bottleneck ≤ W_q.
    #[test]
    fn approximate_modes_are_metrics_within_their_bound(
        (a, b) in big_pair(30), (_, c) in big_pair(30), q in prop_oneof![Just(1.0), Just(2.0), Just(3.0)],
    ) {
        let (g, delta) = (GroundMetric::LInf, 0.01);
        prop_assert_eq!(wasserstein_auction(&a, &a, q, g, delta).unwrap(), 0.0);
        prop_assert_eq!(bottleneck(&a, &a, g, delta).unwrap(), 0.0);
        let c: Vec<P> = c.into_iter().filter(|p| p.death < INF).chain(a.iter().copied().filter(|p| p.death == INF)).collect();
        let w = |x: &[P], y: &[P]| wasserstein_auction(x, y, q, g, delta).unwrap();
        let bn = |x: &[P], y: &[P]| bottleneck(x, y, g, delta).unwrap();
        let (ab, ba) = (w(&a, &b), w(&b, &a));
        prop_assert!(ab <= ba * (1.0 + delta) * (1.0 + 1e-12) + 1e-300 && ba <= ab * (1.0 + delta) * (1.0 + 1e-12) + 1e-300);
        let slack = (1.0 + delta) * (1.0 + 1e-9);
        prop_assert!(w(&a, &c) <= (ab + w(&b, &c)) * slack + 1e-12);
        prop_assert!(bn(&a, &c) <= (bn(&a, &b) + bn(&b, &c)) * slack + 1e-12);
        prop_assert!(bottleneck_exact(&a, &b, g).unwrap() <= ab * (1.0 + 1e-9) + 1e-12);
    }

    /// The geometric bottleneck solver equals brute force on small inputs
    /// with many ties.
    #[test]
    fn geometric_bottleneck_matches_brute_force((a, b) in big_pair(5), g in ground()) {
        let (bn_ref, _) = brute(&a, &b, 1.0, g);
        let bn = bottleneck_exact(&a, &b, g).unwrap();
        prop_assert!(close(bn, bn_ref, 1e-12, 1e-15), "{bn} vs brute {bn_ref}");
    }
}

/// The plain `O(n_a·n_b)` monotone-matching DP for finite points on one line
/// (`L∞`), the reference for the pruned one: `Σ cost^q`.
pub(crate) fn plain_line_dp(a: &[P], b: &[P], q: f64) -> f64 {
    let life = |p: &P| p.death - p.birth;
    let mut a: Vec<P> = a.iter().copied().filter(|p| p.death > p.birth).collect();
    let mut b: Vec<P> = b.iter().copied().filter(|p| p.death > p.birth).collect();
    a.sort_by(|u, w| life(u).total_cmp(&life(w)));
    b.sort_by(|u, w| life(u).total_cmp(&life(w)));
    let pw = |x: f64| {
        if q == 2.0 {
            x * x
        } else if q == 1.0 {
            x
        } else {
            x.powf(q)
        }
    };
    let dist = |u: P, w: P| (u.birth - w.birth).abs().max((u.death - w.death).abs());
    let mut row: Vec<f64> = std::iter::once(0.0)
        .chain(b.iter().scan(0.0, |acc, y| {
            *acc += pw(0.5 * life(y));
            Some(*acc)
        }))
        .collect();
    for &x in &a {
        let alpha = pw(0.5 * life(&x));
        let mut diag = row[0];
        row[0] += alpha;
        for j in 1..=b.len() {
            let up = row[j];
            let v = (up + alpha)
                .min(row[j - 1] + pw(0.5 * life(&b[j - 1])))
                .min(diag + pw(dist(x, b[j - 1])));
            diag = up;
            row[j] = v;
        }
    }
    row[b.len()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The pruned exact DP on a line (ties, duplicates, diagonal points)
    /// equals the plain DP and the general exact solver on the same points off
    /// the line; essential points are matched by the same rule.
    #[test]
    fn pruned_line_dp_equals_plain_dp_and_hungarian(
        (a, b) in line_pair(150), q in prop_oneof![Just(1.0), Just(2.0), Just(3.0), 1.0..4.0f64],
        ess in prop::collection::vec((-2.0..2.0f64, -2.0..2.0f64), 0..3),
    ) {
        let w = wasserstein_exact(&a, &b, q, GroundMetric::LInf).unwrap();
        let plain = plain_line_dp(&a, &b, q).powf(1.0 / q);
        prop_assert!(close(w, plain, 1e-9, 1e-12), "pruned {w} vs plain {plain}");
        let (mut ae, mut be) = (a.clone(), b.clone());
        for (x, y) in ess {
            ae.push(P::new(x, INF));
            be.push(P::new(y, INF));
        }
        let we = wasserstein_exact(&ae, &be, q, GroundMetric::LInf).unwrap();
        let wg = wasserstein_exact(&with_far_point(&ae), &with_far_point(&be), q, GroundMetric::LInf).unwrap();
        prop_assert!(close(we, wg, 1e-9, 1e-12), "line {we} vs general {wg}");
    }
}

// ---------------------------------------------------------------------------
// Examples, edge cases and errors.

#[test]
fn hand_computed_values() {
    let g = GroundMetric::LInf;
    // One point against nothing: the diagonal cost.
    assert_eq!(bottleneck_exact(&[P::new(1.0, 3.0)], &[], g).unwrap(), 1.0);
    assert_eq!(wasserstein_exact(&[], &[P::new(1.0, 3.0)], 2.0, g).unwrap(), 1.0);
    let l1 = GroundMetric::Lp(1.0);
    assert_eq!(bottleneck_exact(&[P::new(1.0, 3.0)], &[], l1).unwrap(), 2.0);
    let l2 = GroundMetric::Lp(2.0);
    assert_close(bottleneck_exact(&[P::new(1.0, 3.0)], &[], l2).unwrap(), 2f64.sqrt(), 1e-15, "L2");
    // Two points: matched (cost 0.5) rather than both to the diagonal (1, 1.25).
    let (a, b) = ([P::new(0.0, 2.0)], [P::new(0.0, 2.5)]);
    assert_eq!(bottleneck_exact(&a, &b, g).unwrap(), 0.5);
    assert_eq!(wasserstein_exact(&a, &b, 1.0, g).unwrap(), 0.5);
    // Off one line: (0,4)–(1,4.5) costs 1 in L∞, 1.5 in L1, √1.25 in L2.
    let (a, b) = ([P::new(0.0, 4.0), P::new(2.0, 2.2)], [P::new(1.0, 4.5)]);
    assert_close(bottleneck_exact(&a, &b, g).unwrap(), 1.0, 1e-15, "L∞");
    assert_close(wasserstein_exact(&a, &b, 1.0, g).unwrap(), 1.1, 1e-15, "W1 L∞");
    assert_close(wasserstein_exact(&a, &b, 1.0, l1).unwrap(), 1.7, 1e-15, "W1 L1");
    let w2 = wasserstein_exact(&a, &b, 2.0, l2).unwrap();
    assert_close(w2, (1.25f64 + 0.02).sqrt(), 1e-15, "W2 L2");
    // A diagonal point between the ends of an optimal pair: x = 10 is matched
    // to 10.02 and 10.01 goes to the diagonal (W2², L∞: 0.02² + 5.005²).
    let (a, b) = ([P::new(0.0, 10.0)], [P::new(0.0, 10.01), P::new(0.0, 10.02)]);
    let w = wasserstein_exact(&a, &b, 2.0, g).unwrap();
    assert_close(w, (0.02f64 * 0.02 + 5.005 * 5.005).sqrt(), 1e-9, "nested pair");
    let wg = wasserstein_exact(&with_far_point(&a), &with_far_point(&b), 2.0, g).unwrap();
    assert_close(wg, w, 1e-12, "nested pair, general");
    // One pair off a line (found by the pairwise property test): its cost
    // 1.875 is both distances, and W_q, computed in units of the farthest
    // diagonal cost 1.90…, rounded an ulp below it before W_q was kept at
    // least its matching's largest cost.
    let (a, b) = ([P::new(0.0, 1.0)], [P::new(-0.9347421812880594, 2.875)]);
    assert_eq!(bottleneck_exact(&a, &b, g).unwrap(), 1.875);
    for q in [1.0, 2.0, 3.5] {
        assert_eq!(wasserstein_exact(&a, &b, q, g).unwrap(), 1.875, "q = {q}");
    }
}

#[test]
fn trivial_and_essential_points() {
    let g = GroundMetric::LInf;
    let none: [P; 0] = [];
    assert_eq!(bottleneck_exact(&none, &none, g).unwrap(), 0.0);
    assert_eq!(wasserstein_exact(&none, &none, 2.0, g).unwrap(), 0.0);
    let trivial = [P::new(0.3, 0.3), P::new(-1.0, -1.0)];
    assert_eq!(bottleneck_exact(&trivial, &none, g).unwrap(), 0.0);
    assert_eq!(wasserstein_exact(&trivial, &none, 1.0, g).unwrap(), 0.0);
    // Essential points are matched by sorted births.
    let a = [P::new(0.0, INF), P::new(1.0, INF), P::new(0.0, 1.0)];
    let b = [P::new(1.5, INF), P::new(0.25, INF), P::new(0.0, 1.0)];
    assert_eq!(bottleneck_exact(&a, &b, g).unwrap(), 0.5);
    assert_close(wasserstein_exact(&a, &b, 1.0, g).unwrap(), 0.75, 1e-15, "W1");
    // Different numbers of essential points: +∞.
    assert_eq!(bottleneck_exact(&a, &b[1..], g).unwrap(), INF);
    assert_eq!(wasserstein_exact(&a[1..], &b, 2.0, g).unwrap(), INF);
}

#[test]
fn invalid_arguments() {
    let a = [P::new(0.0, 1.0)];
    let kind = |e: MatchingError| e.kind().clone();
    for q in [0.5, f64::NAN, -INF] {
        let e = wasserstein_exact(&a, &a, q, GroundMetric::LInf).unwrap_err();
        assert!(matches!(kind(e), MatchingErrorKind::InvalidExponent { .. }));
    }
    for p in [0.5, f64::NAN] {
        let e = bottleneck_exact(&a, &a, GroundMetric::Lp(p)).unwrap_err();
        assert!(matches!(kind(e.clone()), MatchingErrorKind::InvalidGroundMetric { .. }));
        assert!(!e.to_string().is_empty());
    }
    for (bad, birth) in [
        (P::new(f64::NAN, 1.0), None),
        (P::new(0.0, f64::NAN), Some(0.0)),
        (P::new(1.0, 0.5), Some(1.0)),
        (P::new(-INF, 0.0), None),
        (P::new(INF, INF), None),
    ] {
        let e = bottleneck_exact(&a, &[a[0], bad], GroundMetric::LInf).unwrap_err();
        let std_error: &dyn std::error::Error = &e;
        assert!(std_error.to_string().contains("index 1 of diagram 1"), "{e}");
        match kind(e) {
            MatchingErrorKind::InvalidPoint { diagram: 1, index: 1, birth: b, .. } => {
                if let Some(x) = birth {
                    assert_eq!(b, x);
                }
            }
            k => panic!("unexpected {k:?}"),
        }
        assert!(wasserstein_exact(&[bad], &a, 2.0, GroundMetric::LInf).is_err());
    }
}

#[test]
fn size_limits() {
    // Not on one line: the exact Wasserstein solver is refused above
    // EXACT_SOLVER_LIMIT points in total; the geometric bottleneck solver and
    // the auction have no limit.
    let n = EXACT_SOLVER_LIMIT / 2 + 1;
    let a: Vec<P> = (0..n).map(|i| P::new(i as f64, i as f64 + 1.5)).collect();
    let b: Vec<P> = (0..n).map(|i| P::new(i as f64, i as f64 + 2.0)).collect();
    assert_close(bottleneck_exact(&a, &b, GroundMetric::LInf).unwrap(), 0.5, 1e-12, "bottleneck");
    // Above EXACT_WHEN_APPROXIMATE points `wasserstein` with delta > 0 runs the auction.
    assert!(2 * n > EXACT_WHEN_APPROXIMATE);
    let w = wasserstein(&a, &b, 2.0, GroundMetric::LInf, 0.01).unwrap();
    let exact = 0.5 * (n as f64).sqrt();
    assert!(w >= exact * (1.0 - 1e-12) && w <= exact * 1.01, "{w} vs {exact}");
    let e = wasserstein_exact(&a, &b, 2.0, GroundMetric::LInf).unwrap_err();
    assert_eq!(e.kind(), &MatchingErrorKind::TooLarge { points_a: n, points_b: n, on_line: false });
    assert!(e.to_string().contains(&EXACT_SOLVER_LIMIT.to_string()));
    // On one line: the bottleneck distance has no limit; the pruned exact
    // Wasserstein programme visits far fewer than n_a·n_b cells.
    let n = 30_001;
    let a: Vec<P> = (0..n).map(|i| P::new(0.0, 1.0 + (i % 1000) as f64 * 1e-3)).collect();
    let b: Vec<P> = (0..n).map(|i| P::new(0.0, 1.0005 + (i % 1000) as f64 * 1e-3)).collect();
    let bn = bottleneck_exact(&a, &b, GroundMetric::LInf).unwrap();
    assert_close(bn, 0.0005, 1e-9, "large line bottleneck");
    let w = wasserstein_exact(&a, &b, 2.0, GroundMetric::LInf).unwrap();
    assert_close(w, 0.0005 * (n as f64).sqrt(), 1e-9, "large line W_2");
    assert_eq!(wasserstein_exact(&a, &b, INF, GroundMetric::LInf).unwrap(), bn);
}

/// Deterministic pseudo-random numbers in `[0, 1)` (xorshift64).
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn large_general_and_line_inputs() {
    // A few hundred points each, deterministic pseudo-random coordinates.
    let mut next = uniform(0x2545_f491_4f6c_dd1d);
    let mut general = |n: usize| -> Vec<P> {
        (0..n)
            .map(|_| {
                let b = next();
                P::new(b, b + next())
            })
            .collect()
    };
    let (a, b) = (general(300), general(250));
    let (bn, w) = both(&a, &b, 2.0, GroundMetric::LInf);
    assert!(bn > 0.0 && bn <= w && w.is_finite());
    let w1 = wasserstein_exact(&a, &b, 1.0, GroundMetric::LInf).unwrap();
    assert!(w <= w1 * (1.0 + 1e-12));
    // Same points projected onto the vertical line b = 0: fast path = general.
    let proj = |v: &[P]| -> Vec<P> { v.iter().map(|p| P::new(0.0, p.death - p.birth)).collect() };
    let (la, lb) = (proj(&a), proj(&b));
    let (lbn, lw) = both(&la, &lb, 2.0, GroundMetric::LInf);
    let (gbn, gw) = both(&with_far_point(&la), &with_far_point(&lb), 2.0, GroundMetric::LInf);
    assert_eq!(lbn, gbn);
    assert_close(lw, gw, 1e-9, "line vs general, 300 x 250");
}

/// The exact solver splits its neighbour search and its certificate into
/// chunks of fixed size (64 and 32 points) run in parallel: on diagrams
/// spanning several chunks the value is bit-identical for every thread count.
#[cfg(feature = "rayon")]
#[test]
fn exact_values_do_not_depend_on_the_thread_count() {
    let mut next = uniform(0x9e37_79b9_7f4a_7c15);
    let mut general = |n: usize| -> Vec<P> {
        (0..n)
            .map(|_| {
                let b = next();
                // Lifetimes Exp(mean 0.3), as the benchmark diagrams.
                P::new(b, b - 0.3 * (1.0 - next()).ln())
            })
            .collect()
    };
    let (a, b) = (general(900), general(700));
    for (q, g) in [(1.0, GroundMetric::Lp(2.0)), (2.0, GroundMetric::LInf)] {
        let values: Vec<u64> = [1, 2, 3]
            .iter()
            .map(|&threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| wasserstein_exact(&a, &b, q, g).unwrap().to_bits())
            })
            .collect();
        assert!(values.iter().all(|&v| v == values[0]), "q = {q}, {g:?}: {values:?}");
        let bn = bottleneck_exact(&a, &b, g).unwrap();
        assert!(bn > 0.0 && bn <= f64::from_bits(values[0]));
    }
}
