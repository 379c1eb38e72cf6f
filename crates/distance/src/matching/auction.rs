//! `W_q` with a certified relative error: Bertsekas' forward auction with
//! ε-scaling (Bertsekas, "A distributed algorithm for the assignment
//! problem", 1979; Bertsekas & Eckstein, Math. Programming 42 (1988),
//! doi:10.1007/BF01589406) on the persistence-diagram assignment problem,
//! with a k-d tree answering the bidding queries, as in Kerber, Morozov,
//! Nigmetov, "Geometry helps to compare persistence diagrams", ACM JEA 22
//! (2017), doi:10.1145/3064175.
//!
//! Bidders are the points `a_i` of `A` and the diagonal projections `b̄_j` of
//! the points of `B`; items are the points `b_j` of `B` and the projections
//! `ā_i` of `A`. `a_i` may take any `b_j` (cost `dist^q`) or its own `ā_i`
//! (cost `diag(a_i)^q`); `b̄_j` may take its own `b_j` (cost `diag(b_j)^q`)
//! or any `ā_i` (cost 0). Optimal assignments of this problem are exactly the
//! optimal matchings with the diagonal.
//!
//! Each phase runs the auction (Gauss–Seidel: one unassigned bidder bids at a
//! time, raising the price of its best item by the gap to its second best plus
//! `ε`) until every bidder is assigned. Then the assignment's cost `C` is an
//! upper bound of the optimum and the dual value of the prices,
//! `D = Σ_bidders min_items (cost + price) − Σ_items price`, a lower bound
//! (weak duality, for *any* prices). The phase's answer is accepted once
//! `(C / D)^{1/q} ≤ 1 + δ`, which certifies `(Ŵ − W)/W ≤ δ` for
//! `Ŵ = C^{1/q}`; otherwise `ε` is divided by 5 and a new phase starts from
//! the current prices. ε-complementary slackness gives `C ≤ D + N·ε`
//! (`N = n_a + n_b` bidders), so the loop ends.

use std::collections::VecDeque;

use nnph_homology::PersistencePair;

use super::kdtree::KdTree;
use super::{Ground, Power};

const NONE: usize = usize::MAX;

/// A tournament tree over prices: the smallest two values and where.
#[derive(Debug)]
struct MinTree {
    size: usize,
    /// `tree[size + i]` = value of leaf `i`; internal nodes hold the index of
    /// the smallest leaf below.
    val: Vec<f64>,
    arg: Vec<usize>,
}

impl MinTree {
    fn new(n: usize) -> Self {
        let size = n.next_power_of_two().max(1);
        let mut val = vec![f64::INFINITY; size];
        val[..n].fill(0.0);
        let mut arg = vec![0; 2 * size];
        for i in 0..size {
            arg[size + i] = i;
        }
        let mut t = MinTree { size, val, arg };
        for node in (1..size).rev() {
            t.pull(node);
        }
        t
    }

    fn pull(&mut self, node: usize) {
        let (l, r) = (self.arg[2 * node], self.arg[2 * node + 1]);
        self.arg[node] = if self.val[r] < self.val[l] { r } else { l };
    }

    fn set(&mut self, i: usize, v: f64) {
        self.val[i] = v;
        let mut node = (self.size + i) / 2;
        while node >= 1 {
            self.pull(node);
            node /= 2;
        }
    }

    /// `[(value, index); 2]`, the two smallest leaves.
    fn best_two(&self) -> [(f64, usize); 2] {
        let i = self.arg[1];
        let mut second = (f64::INFINITY, NONE);
        let mut node = self.size + i;
        while node > 1 {
            let sib = self.arg[node ^ 1];
            if self.val[sib] < second.0 {
                second = (self.val[sib], sib);
            }
            node /= 2;
        }
        [(self.val[i], i), second]
    }
}

/// `Σ power(cost)` of a near-optimal matching of two non-empty sets of finite
/// non-trivial points, with `(Σ/OPT)^{1/q} ≤ 1 + delta` (see the module
/// documentation); `delta > 0`.
pub(super) fn wasserstein_power_sum(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    power: &Power,
    delta: f64,
) -> f64 {
    let (n, m) = (a.len(), b.len());
    let alpha: Vec<f64> = a.iter().map(|&p| power.apply(ground.diag(p))).collect();
    let beta: Vec<f64> = b.iter().map(|&p| power.apply(ground.diag(p))).collect();
    let cost = |x: f64| power.apply(x);
    // Items: 0..m the points of B, m..m+n the projections of A.
    let mut price = vec![0.0f64; m + n];
    let mut tree = KdTree::new(b, 0..m);
    let mut diag = MinTree::new(n);
    let mut owner = vec![NONE; m + n];
    // Bidders: 0..n the points of A, n..n+m the projections of B.
    let mut assigned = vec![NONE; n + m];
    let mut queue: VecDeque<usize> = VecDeque::with_capacity(n + m);
    let max_cost = alpha.iter().chain(&beta).copied().fold(0.0, f64::max);
    let target = (1.0 + delta).powf(power.q);
    let mut eps = max_cost / 4.0;

    // The two best items of a bidder: [(cost + price, item); 2].
    let best = |bidder: usize, price: &[f64], tree: &KdTree, diag: &MinTree| {
        let mut cand: [(f64, usize); 4];
        if bidder < n {
            let [t0, t1] = tree.best_two(a[bidder], ground, cost);
            let own = m + bidder;
            cand = [t0, t1, (alpha[bidder] + price[own], own), (f64::INFINITY, NONE)];
        } else {
            let j = bidder - n;
            let [d0, d1] = diag.best_two();
            cand = [
                (beta[j] + price[j], j),
                (d0.0, d0.1.wrapping_add(m)),
                (d1.0, d1.1.wrapping_add(m)),
                (f64::INFINITY, NONE),
            ];
        }
        cand.sort_by(|x, y| x.0.total_cmp(&y.0));
        [cand[0], cand[1]]
    };

    loop {
        owner.fill(NONE);
        assigned.fill(NONE);
        queue.clear();
        queue.extend(0..n + m);
        while let Some(i) = queue.pop_front() {
            let [(v1, j1), (v2, _)] = best(i, &price, &tree, &diag);
            let raise = if v2.is_finite() { v2 - v1 + eps } else { eps };
            let p = price[j1] + raise;
            price[j1] = p;
            if j1 < m {
                tree.set_key(j1, p);
            } else {
                diag.set(j1 - m, p);
            }
            let prev = owner[j1];
            owner[j1] = i;
            assigned[i] = j1;
            if prev != NONE {
                assigned[prev] = NONE;
                queue.push_back(prev);
            }
        }
        // Primal cost of the assignment; dual value of the profits
        // `π_i = min_j (c_ij + p_j)` and of their c-transform
        // `p'_j = min_i (c_ij − π_i)` (feasible: `π_i + p'_j ≤ c_ij`).
        let mut primal = 0.0;
        let mut profit = vec![0.0; n + m];
        for (i, &j) in assigned.iter().enumerate() {
            primal += if i < n {
                if j < m { cost(ground.dist(a[i], b[j])) } else { alpha[i] }
            } else if j < m {
                beta[i - n]
            } else {
                0.0
            };
            profit[i] = best(i, &price, &tree, &diag)[0].0;
        }
        let mut dual: f64 = profit.iter().sum();
        let mut by_a = KdTree::new(a, 0..n);
        for (i, &pi) in profit[..n].iter().enumerate() {
            by_a.set_key(i, -pi);
        }
        let max_diag_profit = profit[n..].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (j, &bj) in b.iter().enumerate() {
            let from_a = by_a.best_two(bj, ground, cost)[0].0;
            dual += from_a.min(beta[j] - profit[n + j]);
        }
        for (i, &ai) in alpha.iter().enumerate() {
            dual += (ai - profit[i]).min(-max_diag_profit);
        }
        if primal <= 0.0 || (dual > 0.0 && primal <= dual * target) || eps < max_cost * 1e-15 {
            return primal;
        }
        eps /= 5.0;
    }
}
