//! A proposed matching for points on one line, and its certificate.
//!
//! # Proposal: a multilevel banded DP
//!
//! The DP of the parent module visits a cell `(i, j)` for every pair of
//! prefixes; an optimal path stays near the "transport" path of the two
//! point sequences, but where that path runs is not known in advance, and on
//! diagrams dense in lifetime (the paper's networks: 666 855 `H1` points in
//! `[0, 1]`) the branch and bound's cheap lower bounds do not find it: the
//! pruned band grows to billions of cells.
//!
//! So the path is found coarse to fine. Every `COARSEN`-th point of each
//! diagram forms a problem with `1/COARSEN` of the points whose optimal path,
//! scaled by `COARSEN`, follows the fine one (costs of shifting and of the
//! diagonal scale alike); it is solved the same way, down to a size the full
//! DP handles. The fine DP then runs only inside a band of `WIDTH` columns
//! around the lifted coarse path, and again around its own path while that
//! path touches the band's edge. The result is a matching, hence an upper
//! bound of the optimum, optimal among the matchings inside the band.
//!
//! # Certificate: dual feasibility
//!
//! The matching problem is the linear programme
//! `min Σ c_ij x_ij + Σ α_i x_i + Σ β_j y_j` over fractional matchings, whose
//! dual is `max Σ u_i + Σ v_j` subject to `u_i + v_j ≤ c_ij`, `u_i ≤ α_i`,
//! `v_j ≤ β_j`. Duals satisfying complementary slackness with the proposed
//! matching (`u_i + v_j = c_ij` on its pairs, `u_i = α_i` and `v_j = β_j` on
//! its diagonal points) have `Σ u + Σ v` equal to its cost; if they are also
//! feasible, weak duality makes the matching optimal.
//!
//! Such duals are built along the chain of pairs `(i_k, j_k)` (increasing in
//! both indices), with `t_k = u_{i_k}` and `v_{j_k} = c_k − t_k`: the
//! constraints between two pairs `k < l` read `t_k − t_l ≤ c(i_k, j_l) − c_l`
//! and `t_l − t_k ≤ c(i_l, j_k) − c_k`. The cost `h(|x − y|)` with `h` convex
//! is Monge on sorted sequences, so the constraints between consecutive pairs
//! imply the others; the diagonal points and `α`, `β` give bounds on each
//! `t_k` (minima over sites, below). The largest solution of this chain of
//! difference constraints is two sweeps (forward, then backward). Whatever
//! the argument, the result is then checked against **every** constraint:
//! `u_i ≤ min_j (c_ij − v_j)` for all `i` at once, a minimum over sites
//! `y_j` of `h(|x_i − y_j|) − v_j` whose minimising site is non-decreasing in
//! `x_i` (for two sites the difference `h(|x − y_1|) − h(|x − y_2|)` is
//! monotone in `x`), computed by divide and conquer in
//! `O((n + m) log n)` evaluations.
//!
//! Rounding is allowed for by a tolerance `τ = 1e-12·S` per constraint (`S`
//! the largest cost involved): a certified matching costs at most `n_a·τ`
//! more than the optimum (lower every `u_i` by `τ` to get exactly feasible
//! duals), which is below the rounding of the sums themselves in practice.
//! A matching that fails the check is not returned: its duals are repaired
//! into feasible ones (`v ← min(v, β)`, then `u_i ← min(u_i, α_i,
//! min_j (c_ij − v_j))`) and serve the branch and bound as a lower bound.

use super::Tables;

/// Coarsening factor between levels.
const COARSEN: usize = 8;
/// Half-width of the band around a lifted or recentred path, in columns.
pub(super) const WIDTH: usize = 32;
/// Problems with at most this many cells run the full DP.
const FULL_CELLS: u64 = 1 << 22;
/// Recentring passes per level.
const PASSES: usize = 4;

/// Traceback codes, two bits per cell.
const FROM_UP: u8 = 0; // a[i − 1] goes to the diagonal
const FROM_LEFT: u8 = 1; // b[j − 1] goes to the diagonal
const FROM_DIAG: u8 = 2; // a[i − 1] is matched with b[j − 1]

/// Per row `i` (`0..=n`), the inclusive column range `lo[i]..=hi[i]` the
/// banded DP visits.
#[derive(Debug)]
struct Band {
    lo: Vec<usize>,
    hi: Vec<usize>,
}

impl Band {
    fn full(n: usize, m: usize) -> Self {
        Band { lo: vec![0; n + 1], hi: vec![m; n + 1] }
    }

    /// Widens the band until it admits a monotone path from `(0, 0)` to
    /// `(n, m)` and every row's cells are reachable: `lo` and `hi`
    /// non-decreasing, `lo[i] ≤ hi[i]`, `lo[i] ≤ hi[i − 1] + 1`.
    fn close(&mut self, m: usize) {
        let n = self.lo.len() - 1;
        for v in self.lo.iter_mut().chain(self.hi.iter_mut()) {
            *v = (*v).min(m);
        }
        self.lo[0] = 0;
        self.hi[n] = m;
        for i in (0..n).rev() {
            self.lo[i] = self.lo[i].min(self.lo[i + 1]);
        }
        for i in 1..=n {
            self.hi[i] = self.hi[i].max(self.hi[i - 1]);
        }
        for i in 0..=n {
            self.hi[i] = self.hi[i].max(self.lo[i]);
        }
        for i in (1..=n).rev() {
            self.hi[i - 1] = self.hi[i - 1].max(self.lo[i].saturating_sub(1));
        }
    }

    fn cells(&self) -> u64 {
        self.lo.iter().zip(&self.hi).map(|(&l, &h)| (h - l + 1) as u64).sum()
    }

    /// The band of half-width `w` around a path's per-row column spans.
    fn around(span: &[(usize, usize)], w: usize, m: usize) -> Self {
        let mut band = Band {
            lo: span.iter().map(|&(l, _)| l.saturating_sub(w)).collect(),
            hi: span.iter().map(|&(_, h)| h + w).collect(),
        };
        band.close(m);
        band
    }
}

/// The optimal path through a band.
#[derive(Debug)]
pub(super) struct Proposal {
    /// Its cost (summed along the path, as the DP does).
    pub(super) value: f64,
    /// `mate_a[i]`: the index in `b` matched with `a[i]`, or `usize::MAX`
    /// for the diagonal; the same for `b`.
    mate_a: Vec<usize>,
    mate_b: Vec<usize>,
    /// Per row, the first and last column of the path.
    span: Vec<(usize, usize)>,
    /// Whether the path touches an edge of its band that is not an edge of
    /// the whole grid (then a wider band might hold a cheaper path).
    touches: bool,
}

/// The minimum-cost monotone path through `band` and the matching it spells.
fn band_dp(t: &Tables, band: &Band) -> Proposal {
    let (n, m) = (t.a.len(), t.b.len());
    let total = band.cells() as usize;
    let mut ops = vec![0u8; total.div_ceil(4)];
    let set = |ops: &mut [u8], k: usize, op: u8| ops[k / 4] |= op << (2 * (k % 4));
    let get = |ops: &[u8], k: usize| (ops[k / 4] >> (2 * (k % 4))) & 3;
    // Index of each row's first cell in `ops`.
    let offset: Vec<usize> = band
        .lo
        .iter()
        .zip(&band.hi)
        .scan(0usize, |acc, (&l, &h)| {
            let start = *acc;
            *acc += h - l + 1;
            Some(start)
        })
        .collect();
    let mut prev: Vec<f64> = Vec::new();
    let mut cur: Vec<f64> = Vec::new();
    let (mut plo, mut phi) = (0usize, 0usize);
    let mut base = Dd(0.0, 0.0);
    for (i, (&lo, &hi)) in band.lo.iter().zip(&band.hi).enumerate() {
        cur.clear();
        cur.resize(hi - lo + 1, f64::INFINITY);
        for j in lo..=hi {
            let (mut v, mut op) = (f64::INFINITY, FROM_UP);
            if i == 0 && j == 0 {
                v = 0.0;
            }
            if i > 0 && j > 0 && plo < j && j - 1 <= phi {
                let d = prev[j - 1 - plo] + t.cost(i - 1, j - 1);
                if d < v {
                    (v, op) = (d, FROM_DIAG);
                }
            }
            if i > 0 && plo <= j && j <= phi {
                let d = prev[j - plo] + t.alpha[i - 1];
                if d < v {
                    (v, op) = (d, FROM_UP);
                }
            }
            if j > lo {
                let d = cur[j - 1 - lo] + t.beta[j - 1];
                if d < v {
                    (v, op) = (d, FROM_LEFT);
                }
            }
            cur[j - lo] = v;
            set(&mut ops, offset[i] + j - lo, op);
        }
        // Keep the row's values small: subtract their minimum and carry it in
        // double-double. Rounding is then relative to the spread of a row, not to
        // the total (10⁵–10⁶ terms), so the DP tells apart paths whose costs differ
        // by far less than an ulp of the total.
        let low = cur.iter().copied().fold(f64::INFINITY, f64::min);
        for x in &mut cur {
            *x -= low;
        }
        base = base.add(Dd(low, 0.0));
        std::mem::swap(&mut prev, &mut cur);
        (plo, phi) = (lo, hi);
    }
    let value = base.add(Dd(prev[m - plo], 0.0)).value();
    // Trace back from (n, m).
    let mut mate_a = vec![usize::MAX; n];
    let mut mate_b = vec![usize::MAX; m];
    let mut span = vec![(usize::MAX, 0usize); n + 1];
    let mut touches = false;
    let (mut i, mut j) = (n, m);
    loop {
        let (lo, hi) = (band.lo[i], band.hi[i]);
        let s = &mut span[i];
        s.0 = s.0.min(j);
        s.1 = s.1.max(j);
        if (j == lo && lo > 0) || (j == hi && hi < m) {
            touches = true;
        }
        if i == 0 && j == 0 {
            break;
        }
        match get(&ops, offset[i] + j - lo) {
            FROM_DIAG => {
                mate_a[i - 1] = j - 1;
                mate_b[j - 1] = i - 1;
                i -= 1;
                j -= 1;
            }
            FROM_LEFT => j -= 1,
            _ => i -= 1,
        }
    }
    Proposal { value, mate_a, mate_b, span, touches }
}

/// A matching optimal within a band around the coarse-to-fine path, and the
/// number of cells it took; `None` if more than `budget` cells would be
/// needed.
pub(super) fn propose(t: &Tables, budget: u64) -> Option<(Proposal, u64)> {
    let (n, m) = (t.a.len(), t.b.len());
    let full = (n as u64 + 1) * (m as u64 + 1);
    let (mut band, mut spent) = if full <= FULL_CELLS.max(64 * (n + m) as u64) {
        (Band::full(n, m), 0)
    } else {
        let sub =
            |v: &[_]| v.iter().skip(COARSEN / 2).step_by(COARSEN).copied().collect::<Vec<_>>();
        let (ca, cb) = (sub(t.a), sub(t.b));
        let coarse = Tables::new(&ca, &cb, t.ground, t.power);
        let (p, cells) = propose(&coarse, budget)?;
        // Coarse row r holds the fine prefixes of about r·COARSEN points.
        let nc = ca.len();
        let lifted: Vec<(usize, usize)> = (0..=n)
            .map(|i| {
                let r = (i / COARSEN).min(nc);
                let r1 = (r + 1).min(nc);
                (COARSEN * p.span[r].0, COARSEN * (p.span[r1].1 + 1))
            })
            .collect();
        (Band::around(&lifted, WIDTH, m), cells)
    };
    for pass in 0.. {
        spent += band.cells();
        if spent > budget {
            return None;
        }
        let p = band_dp(t, &band);
        if !p.touches || pass + 1 == PASSES {
            return Some((p, spent));
        }
        band = Band::around(&p.span, WIDTH, m);
    }
    unreachable!("the loop returns")
}

/// The optimal path within `width` columns of `p`'s path (one pass, no
/// coarse levels), and the cells it took; `None` past `budget` cells.
pub(super) fn refine(
    t: &Tables,
    p: &Proposal,
    width: usize,
    budget: u64,
) -> Option<(Proposal, u64)> {
    let band = Band::around(&p.span, width, t.b.len());
    let cells = band.cells();
    (cells <= budget).then(|| (band_dp(t, &band), cells))
}

/// `out[k] = min_s f(k, s)` over `s < ns` for `k < nq`, when the smallest
/// minimising `s` is non-decreasing in `k` (divide and conquer: the middle
/// query scans its window, and splits it for the two halves). Rounding may
/// break the monotonicity only between values equal to rounding, so every
/// output is within rounding of the true minimum.
fn monotone_min(nq: usize, ns: usize, f: &impl Fn(usize, usize) -> f64) -> Vec<f64> {
    fn rec(
        q: (usize, usize),
        s: (usize, usize),
        f: &impl Fn(usize, usize) -> f64,
        out: &mut [f64],
    ) {
        if q.0 >= q.1 {
            return;
        }
        let mid = (q.0 + q.1) / 2;
        let (mut best, mut arg) = (f64::INFINITY, s.0);
        for k in s.0..=s.1 {
            let v = f(mid, k);
            if v < best {
                (best, arg) = (v, k);
            }
        }
        out[mid] = best;
        rec((q.0, mid), (s.0, arg), f, out);
        rec((mid + 1, q.1), (arg, s.1), f, out);
    }
    let mut out = vec![f64::INFINITY; nq];
    if ns > 0 {
        rec((0, nq), (0, ns - 1), f, &mut out);
    }
    out
}

/// A double-double number `hi + lo` with `|lo| ≤ ulp(hi)/2` (Dekker, Knuth):
/// sums of `f64` carried with about 106 bits.
#[derive(Clone, Copy, Debug)]
struct Dd(f64, f64);

impl Dd {
    /// `a + b` exactly (Knuth's two-sum).
    fn sum(a: f64, b: f64) -> Self {
        let s = a + b;
        let bb = s - a;
        Dd(s, (a - (s - bb)) + (b - bb))
    }

    /// `a − b` exactly.
    fn diff(a: f64, b: f64) -> Self {
        Dd::sum(a, -b)
    }

    fn add(self, o: Dd) -> Self {
        let Dd(s, e) = Dd::sum(self.0, o.0);
        let e = e + self.1 + o.1;
        let hi = s + e;
        Dd(hi, e - (hi - s))
    }

    fn value(self) -> f64 {
        self.0 + self.1
    }

    fn min(self, o: Dd) -> Self {
        if (o.0, o.1) < (self.0, self.1) { o } else { self }
    }
}

/// The outcome of [`certify`].
pub(super) enum Verdict {
    /// The proposal is optimal (within `n_a·τ`, see the module documentation).
    Optimal,
    /// Not proven optimal; feasible duals `u` (of `a`) and `v` (of `b`) for
    /// a lower bound.
    Bound(Vec<f64>, Vec<f64>),
}

/// Builds complementary duals for the proposal and checks their feasibility.
pub(super) fn certify(t: &Tables, p: &Proposal) -> Verdict {
    let (n, m) = (t.a.len(), t.b.len());
    let pairs: Vec<(usize, usize)> =
        (0..n).filter(|&i| p.mate_a[i] != usize::MAX).map(|i| (i, p.mate_a[i])).collect();
    let diag_a: Vec<usize> = (0..n).filter(|&i| p.mate_a[i] == usize::MAX).collect();
    let diag_b: Vec<usize> = (0..m).filter(|&j| p.mate_b[j] == usize::MAX).collect();
    let c: Vec<f64> = pairs.iter().map(|&(i, j)| t.cost(i, j)).collect();
    // Bounds on t_k from α, β and the diagonal points of the other diagram:
    // t_k ≤ min_{j diagonal} (c(i_k, j) − β_j), t_k ≥ c_k − min_{i diagonal} (c(i, j_k) − α_i).
    let up_db = monotone_min(pairs.len(), diag_b.len(), &|k, s| {
        t.cost(pairs[k].0, diag_b[s]) - t.beta[diag_b[s]]
    });
    let lo_da = monotone_min(pairs.len(), diag_a.len(), &|k, s| {
        t.cost(diag_a[s], pairs[k].1) - t.alpha[diag_a[s]]
    });
    let upper: Vec<f64> = (0..pairs.len()).map(|k| t.alpha[pairs[k].0].min(up_db[k])).collect();
    let lower: Vec<f64> =
        (0..pairs.len()).map(|k| (c[k] - t.beta[pairs[k].1]).max(c[k] - lo_da[k])).collect();
    // The largest solution of the chain of difference constraints, in
    // double-double arithmetic: a chain of 10⁵ rounded additions would
    // otherwise drift by more than the tolerance.
    let mut g: Vec<Dd> = upper.iter().map(|&x| Dd(x, 0.0)).collect();
    for k in 1..pairs.len() {
        let step = Dd::diff(t.cost(pairs[k].0, pairs[k - 1].1), c[k - 1]);
        g[k] = g[k].min(g[k - 1].add(step));
    }
    for k in (0..pairs.len().saturating_sub(1)).rev() {
        let step = Dd::diff(t.cost(pairs[k].0, pairs[k + 1].1), c[k + 1]);
        g[k] = g[k].min(g[k + 1].add(step));
    }
    let (g, gv): (Vec<f64>, Vec<f64>) = g
        .iter()
        .zip(&c)
        .map(|(g, &c)| (g.0 + g.1, Dd::diff(c, g.0).add(Dd(-g.1, 0.0)).value()))
        .unzip();
    let mut u = t.alpha.clone();
    let mut v = t.beta.clone();
    for (k, &(i, j)) in pairs.iter().enumerate() {
        u[i] = g[k];
        v[j] = gv[k];
    }
    // Tolerance: relative to the largest cost involved, and to the DP's own
    // resolution (it compares sums of the size of the value, so the path it
    // picks may cost a few ulp(value) more than the best one).
    let scale = t.alpha.iter().chain(&t.beta).chain(&c).fold(0.0f64, |s, &x| s.max(x.abs()));
    let tau = 1e-12 * scale + 16.0 * f64::EPSILON * p.value;
    let mut ok = g.iter().zip(&lower).all(|(&g, &l)| g >= l - tau);
    ok &= v.iter().zip(&t.beta).all(|(&v, &b)| v <= b + tau);
    ok &= u.iter().zip(&t.alpha).all(|(&u, &a)| u <= a + tau);
    // Every pair: u_i ≤ min_j (c_ij − v_j).
    let env = monotone_min(n, m, &|i, j| t.cost(i, j) - v[j]);
    ok &= u.iter().zip(&env).all(|(&u, &e)| u <= e + tau);
    if ok {
        return Verdict::Optimal;
    }
    // Repair into feasible duals, with a margin for the rounding of the minima.
    for (v, &b) in v.iter_mut().zip(&t.beta) {
        *v = v.min(b);
    }
    let env = monotone_min(n, m, &|i, j| t.cost(i, j) - v[j]);
    for ((u, &a), &e) in u.iter_mut().zip(&t.alpha).zip(&env) {
        *u = u.min(a).min(e) - tau;
    }
    Verdict::Bound(u, v)
}

#[cfg(test)]
mod tests {
    use nnph_homology::PersistencePair as P;
    use proptest::prelude::*;

    use super::super::super::{Ground, Power};
    use super::super::{Tables, lifetime};
    use super::*;

    /// Points of the paper's shapes: `(0, d)` (vertical) or `(b, 1)`
    /// (horizontal), a third of them on a 1/64 grid (ties and duplicates).
    fn line(raw: &[(f64, bool)], vertical: bool) -> Vec<P> {
        let mut v: Vec<P> = raw
            .iter()
            .map(|&(x, snap)| {
                let x = if snap { (x * 64.0).round() / 64.0 } else { x };
                let x = x.clamp(1.0 / 1024.0, 1.0);
                if vertical { P::new(0.0, x) } else { P::new(1.0 - x, 1.0) }
            })
            .collect();
        v.sort_by(|u, w| lifetime(*u).total_cmp(&lifetime(*w)));
        v
    }

    fn points(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<(f64, bool)>> {
        prop::collection::vec((0.0f64..1.0, prop::bool::weighted(0.3)), n)
    }

    fn ground(k: u8) -> Ground {
        match k % 3 {
            0 => Ground::Inf,
            1 => Ground::One,
            _ => Ground::Two,
        }
    }

    /// `min_j (c_ij − v_j)` by brute force.
    fn brute_min(t: &Tables, v: &[f64], i: usize) -> f64 {
        (0..t.b.len()).map(|j| t.cost(i, j) - v[j]).fold(f64::INFINITY, f64::min)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn monotone_min_is_the_minimum(
            a in points(1..60), b in points(1..60), w in prop::collection::vec(-0.3f64..0.3, 60),
            q in prop::sample::select(vec![1.0, 2.0, 3.5]), vertical: bool, g in 0u8..3,
        ) {
            let (a, b) = (line(&a, vertical), line(&b, vertical));
            let power = Power::new(q, 1.0);
            let t = Tables::new(&a, &b, ground(g), &power);
            let v = &w[..b.len()];
            let fast = monotone_min(a.len(), b.len(), &|i, j| t.cost(i, j) - v[j]);
            for (i, &f) in fast.iter().enumerate() {
                prop_assert!((f - brute_min(&t, v, i)).abs() <= 1e-12, "query {i}");
            }
        }

        /// With the whole grid as the band the proposal is optimal, and the
        /// certificate must prove it (duals satisfying complementary slackness
        /// exist for every optimal matching, and the chain finds them).
        #[test]
        fn optimal_proposals_are_certified(
            a in points(1..80), b in points(1..80),
            q in prop::sample::select(vec![1.0, 2.0, 3.0]), vertical: bool, g in 0u8..3,
        ) {
            let (a, b) = (line(&a, vertical), line(&b, vertical));
            let power = Power::new(q, 1.0);
            let t = Tables::new(&a, &b, ground(g), &power);
            let p = band_dp(&t, &Band::full(a.len(), b.len()));
            let exact = t.branch_and_bound(u64::MAX).unwrap();
            prop_assert!((p.value - exact).abs() <= 1e-12 * exact.max(1.0));
            prop_assert!(matches!(certify(&t, &p), Verdict::Optimal));
        }

        /// A band that forces a poor matching: the proposal is not optimal, the
        /// certificate must refuse it, and its repaired duals must
        /// be feasible (checked by brute force) and give a lower bound with
        /// which the branch and bound still finds the optimum.
        #[test]
        fn bad_proposals_are_refused_and_bound(
            a in points(2..60), b in points(2..60), q in prop::sample::select(vec![1.0, 2.0]),
            vertical: bool, in_order: bool,
        ) {
            let (a, b) = (line(&a, vertical), line(&b, vertical));
            let power = Power::new(q, 1.0);
            let mut t = Tables::new(&a, &b, Ground::Inf, &power);
            // Every point to the diagonal, or (a band of width one along the
            // main diagonal) a[k] with b[k] in sorted order, the rest to the diagonal.
            let mut band = if in_order {
                let d: Vec<usize> = (0..=a.len()).map(|i| i.min(b.len())).collect();
                Band { lo: d.clone(), hi: d }
            } else {
                Band { lo: vec![0; a.len() + 1], hi: vec![0; a.len() + 1] }
            };
            band.close(b.len());
            let p = band_dp(&t, &band);
            let exact = t.branch_and_bound(u64::MAX).unwrap();
            prop_assume!(p.value > exact * (1.0 + 1e-9));
            let Verdict::Bound(u, v) = certify(&t, &p) else {
                return Err(TestCaseError::fail("a non-optimal matching was certified"));
            };
            for (i, &ui) in u.iter().enumerate() {
                prop_assert!(ui <= t.alpha[i] && ui <= brute_min(&t, &v, i));
            }
            for (j, &vj) in v.iter().enumerate() {
                prop_assert!(vj <= t.beta[j]);
            }
            let lower: f64 = u.iter().chain(&v).sum();
            prop_assert!(lower <= exact * (1.0 + 1e-12) + 1e-12);
            t.set_duals(&u, &v);
            let again = t.branch_and_bound(u64::MAX).unwrap();
            prop_assert!((again - exact).abs() <= 1e-12 * exact.max(1.0));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]

        /// Large enough to be coarsened twice: the multilevel proposal plus
        /// certificate (or the bounded fallback) equals the plain branch and bound.
        #[test]
        fn multilevel_equals_branch_and_bound(
            a in points(2100..2600), b in points(2100..2600),
            q in prop::sample::select(vec![1.0, 2.0]), vertical: bool, shift in 0.0f64..0.2,
        ) {
            // Shift b's lifetimes so that the matching must transport, not pair neighbours.
            let b: Vec<(f64, bool)> = b.iter().map(|&(x, s)| ((x + shift).min(1.0), s)).collect();
            let (a, b) = (line(&a, vertical), line(&b, vertical));
            let power = Power::new(q, 1.0);
            let t = Tables::new(&a, &b, Ground::Inf, &power);
            let exact = t.branch_and_bound(u64::MAX).unwrap();
            let (p, _) = propose(&t, u64::MAX).unwrap();
            prop_assert!(p.value >= exact * (1.0 - 1e-12));
            let got = super::super::line_wasserstein(&a, &b, Ground::Inf, &power, u64::MAX).unwrap();
            prop_assert!((got - exact).abs() <= 1e-10 * exact.max(1.0), "{got} vs {exact}");
        }
    }
}
