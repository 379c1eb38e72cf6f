//! Exact `W_q^q` of two diagrams whose points lie on one vertical or
//! horizontal line: the monotone-matching dynamic programme, pruned by a
//! proven bound (branch and bound over the DP grid).
//!
//! Points are sorted by lifetime `ℓ = death − birth` (on one line the
//! lifetime is an affine function of the varying coordinate, so this is the
//! line order, possibly reversed) and
//! `D[i][j] = min(D[i−1][j] + α_i, D[i][j−1] + β_j, D[i−1][j−1] + c_ij)`
//! is the optimal cost of matching the first `i` points of `a` with the
//! first `j` points of `b` (see the module documentation of `matching` for
//! why some optimal matching is monotone). Any monotone path through a cell
//! `(i, j)` costs at least `D[i][j] + h(i, j)`, where `h(i, j)` is a lower
//! bound of the optimal cost of the suffixes `a[i..]`, `b[j..]`:
//!
//! * every suffix point `p` either goes to the diagonal (cost `δ(p)`) or is
//!   matched inside the suffix at a cost of at least `nn(p)`, its distance to
//!   the nearest point of the other *whole* diagram to the power `q`; charging
//!   half of each pair's cost to each end gives
//!   `h_nn = Σ_suffix min(δ(p), nn(p)/2)`;
//! * if `a[i..]` has `k` more points than `b[j..]`, at least `k` of them go
//!   to the diagonal, costing at least the `k` smallest `δ` of `a[i..]`,
//!   which are its first `k` (lifetimes are sorted and `δ` grows with the
//!   lifetime): `h_imb`, a difference of prefix sums (symmetrically for `b`).
//!
//! `h = max(h_nn, h_imb)`. Given an upper bound `U ≥ OPT`, every cell with
//! `D + h > U` is on no optimal path and is dropped (its value set to `+∞`);
//! cells on an optimal path all have `D + h ≤ OPT ≤ U` and survive, so the
//! value computed at `(n, m)` is exactly `OPT`. If `U < OPT` the last cell
//! is dropped and the run reports failure, so a run that reaches `(n, m)`
//! is exact whatever `U` was. `U` starts at `1.25·h(0, 0)` (a lower bound of
//! `OPT`) and doubles after each failed run; failed runs with a small `U`
//! die early, so the total work is a small multiple of the last run's.
//!
//! Each row keeps only the contiguous range of its live cells (a live cell of
//! row `i` can only be reached from live cells of row `i − 1` at the same or
//! the previous column, or from its left neighbour), so time is proportional
//! to the number of live cells and memory is `O(n + m)`.

use nnph_homology::PersistencePair;

use super::{Ground, Power};

mod band;

/// Cost tables of one problem.
struct Tables<'a> {
    a: &'a [PersistencePair],
    b: &'a [PersistencePair],
    ground: Ground,
    power: &'a Power,
    /// `α_i` and `β_j`: powered diagonal costs, non-decreasing.
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// Prefix sums of `α` and `β` (`pa[k] = Σ_{t<k} α_t`).
    pa: Vec<f64>,
    pb: Vec<f64>,
    /// Suffix sums of the per-point bounds `min(δ, nn/2)`.
    sa: Vec<f64>,
    sb: Vec<f64>,
    /// Suffix sums of feasible dual values `u` (of `a`) and `v` (of `b`),
    /// shrunk by a relative `1e-12` of the suffix sums of their absolute
    /// values: `du[i] + dv[j]` is a lower bound of the suffix problem
    /// (empty when no duals are known).
    du: Vec<f64>,
    dv: Vec<f64>,
}

fn lifetime(p: PersistencePair) -> f64 {
    p.death - p.birth
}

/// Nearest lifetime distance from each of `xs` to `ys` (both sorted by
/// lifetime), as a ground distance.
fn nearest(xs: &[PersistencePair], ys: &[PersistencePair], ground: Ground) -> Vec<f64> {
    let mut k = 0;
    xs.iter()
        .map(|&x| {
            while k < ys.len() && lifetime(ys[k]) < lifetime(x) {
                k += 1;
            }
            let mut d = f64::INFINITY;
            if k < ys.len() {
                d = d.min(ground.dist(x, ys[k]));
            }
            if k > 0 {
                d = d.min(ground.dist(x, ys[k - 1]));
            }
            d
        })
        .collect()
}

impl<'a> Tables<'a> {
    fn new(
        a: &'a [PersistencePair],
        b: &'a [PersistencePair],
        ground: Ground,
        power: &'a Power,
    ) -> Self {
        let alpha: Vec<f64> = a.iter().map(|&p| power.apply(ground.diag(p))).collect();
        let beta: Vec<f64> = b.iter().map(|&p| power.apply(ground.diag(p))).collect();
        let prefix = |v: &[f64]| {
            let mut out = Vec::with_capacity(v.len() + 1);
            let mut acc = 0.0;
            out.push(0.0);
            for &x in v {
                acc += x;
                out.push(acc);
            }
            out
        };
        // Per-point lower bounds, shrunk by a relative 1e-12 against rounding.
        let suffix = |diag: &[f64], nn: &[f64]| {
            let mut out = vec![0.0; diag.len() + 1];
            for t in (0..diag.len()).rev() {
                let m = diag[t].min(0.5 * power.apply(nn[t])) * (1.0 - 1e-12);
                out[t] = out[t + 1] + m;
            }
            out
        };
        let sa = suffix(&alpha, &nearest(a, b, ground));
        let sb = suffix(&beta, &nearest(b, a, ground));
        Tables {
            a,
            b,
            ground,
            power,
            pa: prefix(&alpha),
            pb: prefix(&beta),
            alpha,
            beta,
            sa,
            sb,
            du: Vec::new(),
            dv: Vec::new(),
        }
    }

    /// Uses the feasible duals `u`, `v` as a further lower bound: by weak
    /// duality the cost of any matching of the suffixes `a[i..]`, `b[j..]`
    /// is at least `Σ_{t≥i} u_t + Σ_{s≥j} v_s`.
    fn set_duals(&mut self, u: &[f64], v: &[f64]) {
        let suffix = |d: &[f64]| {
            let mut out = vec![0.0; d.len() + 1];
            let (mut acc, mut abs) = (0.0, 0.0);
            for t in (0..d.len()).rev() {
                acc += d[t];
                abs += d[t].abs();
                out[t] = acc - 1e-12 * abs;
            }
            out
        };
        self.du = suffix(u);
        self.dv = suffix(v);
    }

    /// The powered cost of matching `a[i]` with `b[j]`.
    #[inline]
    fn cost(&self, i: usize, j: usize) -> f64 {
        self.power.apply(self.ground.dist(self.a[i], self.b[j]))
    }

    /// The lower bound `h(i, j)` of the suffixes `a[i..]`, `b[j..]`.
    #[inline]
    fn bound(&self, i: usize, j: usize) -> f64 {
        let (n, m) = (self.a.len(), self.b.len());
        let nn = self.sa[i] + self.sb[j];
        let (ra, rb) = (n - i, m - j);
        let imb = if ra > rb {
            self.pa[i + ra - rb] - self.pa[i]
        } else {
            self.pb[j + rb - ra] - self.pb[j]
        };
        let h = nn.max(imb * (1.0 - 1e-12));
        if self.du.is_empty() { h } else { h.max(self.du[i] + self.dv[j]) }
    }

    /// The DP restricted to cells with `D + h ≤ upper`. Returns `D[n][m]`,
    /// or `Err(Some(cells))` if the last cell was dropped (`upper < OPT`),
    /// or `Err(None)` if more than `budget` cells were needed.
    fn run(&self, upper: f64, budget: u64) -> Result<f64, Option<u64>> {
        let (n, m) = (self.a.len(), self.b.len());
        let mut prev = vec![f64::INFINITY; m + 1];
        let mut cur = vec![f64::INFINITY; m + 1];
        let mut cells = 0u64;
        // Row 0.
        let (mut plo, mut phi) = (0usize, 0usize);
        let mut any = false;
        for (j, (&v, cell)) in self.pb.iter().zip(prev.iter_mut()).enumerate() {
            if v + self.bound(0, j) > upper {
                break;
            }
            *cell = v;
            phi = j;
            any = true;
        }
        cells += phi as u64 + 1;
        if !any {
            return Err(Some(cells));
        }
        for i in 1..=n {
            let x = self.a[i - 1];
            let ai = self.alpha[i - 1];
            let start = plo;
            let (mut lo, mut hi) = (usize::MAX, 0usize);
            let mut left = f64::INFINITY;
            let mut j = start;
            while j <= m {
                let up = if j <= phi { prev[j] } else { f64::INFINITY };
                let mut v = up + ai;
                if j > 0 {
                    v = v.min(left + self.beta[j - 1]);
                    if j > plo && j - 1 <= phi {
                        let c = self.power.apply(self.ground.dist(x, self.b[j - 1]));
                        v = v.min(prev[j - 1] + c);
                    }
                }
                if v + self.bound(i, j) > upper {
                    v = f64::INFINITY;
                }
                cur[j] = v;
                if v < f64::INFINITY {
                    lo = lo.min(j);
                    hi = j;
                }
                left = v;
                j += 1;
                // Past the previous row's range only the left neighbour feeds
                // a cell: stop at the first dropped one.
                if j > phi + 1 && left == f64::INFINITY {
                    break;
                }
            }
            cells += (j - start) as u64;
            if cells > budget {
                return Err(None);
            }
            if lo == usize::MAX {
                return Err(Some(cells));
            }
            // Clear the previous row's range and swap.
            for v in &mut prev[plo..=phi] {
                *v = f64::INFINITY;
            }
            std::mem::swap(&mut prev, &mut cur);
            (plo, phi) = (lo, hi);
        }
        if phi == m && prev[m].is_finite() { Ok(prev[m]) } else { Err(Some(cells)) }
    }
}

/// `min Σ power(cost)` over matchings of two non-empty diagrams on one
/// line, exactly; `None` if more than `budget` DP cells would be needed.
///
/// First the multilevel banded DP proposes a matching and the dual
/// certificate checks it (see [`band`]); a certified matching is returned.
/// Otherwise the branch and bound runs with the proposal's cost as its upper
/// bound and the repaired duals as a further lower bound.
pub(super) fn line_wasserstein(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    power: &Power,
    budget: u64,
) -> Option<f64> {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(|u, w| lifetime(*u).total_cmp(&lifetime(*w)));
    b.sort_by(|u, w| lifetime(*u).total_cmp(&lifetime(*w)));
    let mut t = Tables::new(&a, &b, ground, power);
    let mut spent = 0;
    if let Some((mut proposal, cells)) = band::propose(&t, budget) {
        spent += cells;
        let mut verdict = band::certify(&t, &proposal);
        // Not proven: once more in a band eight times as wide.
        if let band::Verdict::Bound(..) = verdict
            && let Some((wider, cells)) =
                band::refine(&t, &proposal, 8 * band::WIDTH, budget.saturating_sub(spent))
        {
            spent += cells;
            proposal = wider;
            verdict = band::certify(&t, &proposal);
        }
        match verdict {
            band::Verdict::Optimal => return Some(proposal.value),
            band::Verdict::Bound(u, v) => {
                t.set_duals(&u, &v);
                // `value` is the cost of a matching, so `value ≥ OPT`: one run
                // suffices unless rounding moved the last cell above it.
                let upper = proposal.value * (1.0 + 1e-12) + f64::MIN_POSITIVE;
                match t.run(upper, budget.saturating_sub(spent)) {
                    Ok(v) => return Some(v),
                    Err(Some(cells)) => spent += cells,
                    Err(None) => return None,
                }
            }
        }
    }
    t.branch_and_bound(budget.saturating_sub(spent))
}

impl Tables<'_> {
    /// The branch and bound with a guessed upper bound, starting from the
    /// lower bound `h(0, 0)` and doubling: a run that reaches the last cell is
    /// exact whatever the guess. `None` past `budget` cells.
    fn branch_and_bound(&self, budget: u64) -> Option<f64> {
        let mut upper = self.bound(0, 0).max(f64::MIN_POSITIVE) * 1.25;
        let total = self.pa[self.a.len()] + self.pb[self.b.len()];
        let mut spent = 0;
        while upper < total {
            match self.run(upper, budget.saturating_sub(spent)) {
                Ok(v) => return Some(v),
                Err(Some(cells)) => spent += cells,
                Err(None) => return None,
            }
            upper *= 2.0;
        }
        self.run(f64::INFINITY, budget.saturating_sub(spent)).ok()
    }
}
