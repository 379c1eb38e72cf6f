//! Exact `min Σ cost^q` over matchings of two general diagrams: successive
//! shortest paths on a sparse candidate graph, certified on the complete
//! problem by LP duality with k-d tree queries.
//!
//! # The problem as a flow
//!
//! `a_i` (`n` points) and `b_j` (`m` points), `c_ij` the powered ground
//! distance, `α_i`, `β_j` the powered diagonal costs. With one node `D` for
//! the diagonal, a matching is an integral flow: every `a_i` sends one unit,
//! to some `b_j` (cost `c_ij`) or to `D` (cost `α_i`); every `b_j` receives
//! one unit, from some `a_i` or from `D` (cost `β_j`); `D` has supply
//! `m − n`. Flows of this network are exactly the matchings (a point sent to
//! `D` goes to the diagonal), so the optimum is a min-cost flow. Its dual,
//! with `u_i = π_D − π_{a_i}`, `v_j = π_{b_j} − π_D` for node potentials
//! `π`, is the dual of the matching LP:
//! `max Σ u_i + Σ v_j` subject to `u_i + v_j ≤ c_ij`, `u_i ≤ α_i`,
//! `v_j ≤ β_j`; these are "reduced cost `c + π_tail − π_head ≥ 0`" on the
//! forward edges.
//!
//! # Sparse solve
//!
//! The edges `a_i → b_j` are restricted to a candidate set: each point's `k`
//! nearest neighbours in the other diagram (k-d tree), keeping only pairs
//! with `c_ij < α_i + β_j` (any other pair can be replaced by sending both
//! ends to the diagonal at no extra cost, and its dual constraint follows
//! from `u_i ≤ α_i`, `v_j ≤ β_j`). The edges to and from `D` are all present.
//! The sparse problem is solved by successive shortest paths: each unit of
//! excess (a free `a_i`, or `D` while it has excess) is sent along a
//! shortest path in reduced costs (Dijkstra, stopped at the first deficit
//! node reached), then the potentials of the nodes settled by Dijkstra are
//! lowered by `d_t − d_v`, which keeps every residual reduced cost
//! non-negative and makes the path tight.
//!
//! `D` is a hub: every point on the diagonal is joined to it by a tight edge
//! in both directions, so a naive Dijkstra that reaches `D` settles all of
//! them. Instead, points on the diagonal are *glued* to `D` (their potential
//! is implicit, `π_D − α_i` or `π_D + β_j`, at distance `d_D`): reaching a
//! glued `b_j` from `a_i` is reaching `D` at `c_ij − β_j`, and `D` reaches
//! each free or matched `b_k` at
//! `min(β_k, min over glued a_i adjacent to b_k of (c_ik − α_i))`, a value
//! kept per `b_k` and updated when points join or leave the diagonal. `D`'s
//! outgoing edges are then a stream in increasing reduced cost read from a
//! tournament tree keyed by `min(β_k, w_k) − π_{b_k}` (the key does not
//! depend on `π_D`), so settling `D` costs `O(log m)` per `b_k` actually
//! reached.
//!
//! # Certificate
//!
//! The sparse optimum's potentials satisfy every dual constraint of the
//! sparse problem (complementary slackness holds by construction, so
//! `Σ u + Σ v` equals the matching's cost). The constraints of the pairs
//! left out are checked for all `j` at once per row:
//! `u_i ≤ min_j (c_ij − v_j)`, a weighted nearest-neighbour query in a k-d
//! tree over `b` with keys `−v_j` (nodes store their minimum key, `c` is a
//! non-decreasing function of the ground distance, so a node is pruned when
//! `c(box distance) + min key` cannot beat the best found). A row whose
//! minimum violates its constraint by more than a rounding tolerance has that
//! edge added; the row's point is unassigned (its potential raised to make its
//! edges' reduced costs non-negative again; its former partner becomes free)
//! and the shortest path phase resumes from the current flow and potentials.
//! When no row is violated, lowering each `u_i` by its violation (at most
//! `1e-12` of the magnitudes in its constraint) gives feasible duals whose
//! value is within the sum of these violations of the matching's cost: the
//! matching is optimal up to rounding. Each round adds at least one new
//! edge, so the loop ends.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use nnph_homology::PersistencePair;

use super::kdtree::KdTree;
use super::{Ground, Power};

/// Nearest neighbours per point (in the other diagram) in the initial
/// candidate graph.
pub(super) const NEIGHBOURS: usize = 8;
/// Relative tolerance of a dual constraint in the certificate.
const TOL: f64 = 1e-12;

const NONE: u32 = u32::MAX;
const DIAG: u32 = u32::MAX - 1;

/// The result of [`power_sum`] and how it was obtained.
#[derive(Clone, Copy, Debug)]
pub(super) struct Report {
    /// The optimal `Σ cost^q` (the matching's cost).
    pub(super) value: f64,
    /// A lower bound of the optimum from feasible duals (the certificate).
    pub(super) lower: f64,
    /// Verification rounds (1 if the first sparse optimum was certified).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) rounds: usize,
    /// Edges in the final candidate graph.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) edges: usize,
}

/// `min Σ power(cost)` over matchings of two non-empty sets of finite
/// non-trivial points, exactly (see the module documentation), with `k`
/// nearest neighbours per point in the initial candidate graph. Costs are
/// clamped at `n + m + 1` as in the dense solver: every `power` of a
/// bottleneck matching's edge must be `≤ 1`.
pub(super) fn power_sum(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    power: &Power,
    k: usize,
) -> Report {
    let (n, m) = (a.len(), b.len());
    // The optimum is ≤ n + m (a bottleneck matching has costs ≤ 1), so any
    // cost above n + m + 1 is in no optimal matching and can be clamped.
    let cap = (n + m) as f64 + 1.0;
    let cost = |d: f64| power.apply(d).min(cap);
    let alpha: Vec<f64> = a.iter().map(|&p| cost(ground.diag(p))).collect();
    let beta: Vec<f64> = b.iter().map(|&p| cost(ground.diag(p))).collect();

    // Candidate edges: k nearest neighbours both ways.
    let mut tree_b = KdTree::new(b, 0..m);
    let tree_a = KdTree::new(a, 0..n);
    let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * k * (n + m));
    let mut near = Vec::with_capacity(k);
    for (i, &p) in a.iter().enumerate() {
        tree_b.nearest(p, k, ground, &mut near);
        for &(d, j) in &near {
            let c = cost(d);
            if c < alpha[i] + beta[j] {
                edges.push((i as u32, j as u32, c));
            }
        }
    }
    for (j, &p) in b.iter().enumerate() {
        tree_a.nearest(p, k, ground, &mut near);
        for &(d, i) in &near {
            let c = cost(d);
            if c < alpha[i] + beta[j] {
                edges.push((i as u32, j as u32, c));
            }
        }
    }
    drop(tree_a);

    let mut s = Solver::new(alpha, beta, Graph::new(n, m, &mut edges));
    let mut rounds = 0;
    loop {
        rounds += 1;
        s.run();
        let (violations, lower) = s.verify(a, b, ground, &cost, &mut tree_b);
        if violations.is_empty() {
            return Report { value: s.primal(), lower, rounds, edges: s.g.col.len() };
        }
        let rows: Vec<u32> = violations.iter().map(|&(i, _, _)| i).collect();
        edges.extend(violations);
        s.g = Graph::new(n, m, &mut edges);
        for i in rows {
            s.unassign(i as usize);
        }
        s.rebuild_hub();
    }
}

// ---------------------------------------------------------------------------
// Candidate graph.

/// The candidate edges in both directions (compressed rows).
#[derive(Debug, Default)]
struct Graph {
    /// `a_i`'s edges are `start[i]..start[i + 1]`: `col` (a `b` index) and
    /// `cost`, sorted by `col`.
    start: Vec<usize>,
    col: Vec<u32>,
    cost: Vec<f64>,
    /// `b_j`'s edges are `rstart[j]..rstart[j + 1]`: `row` and `rcost`.
    rstart: Vec<usize>,
    row: Vec<u32>,
    rcost: Vec<f64>,
}

impl Graph {
    /// From a list of edges `(i, j, c)`, which is sorted and deduplicated.
    fn new(n: usize, m: usize, edges: &mut Vec<(u32, u32, f64)>) -> Self {
        edges.sort_unstable_by_key(|&(i, j, _)| (u64::from(i) << 32) | u64::from(j));
        edges.dedup_by_key(|e| (e.0, e.1));
        let mut start = vec![0usize; n + 1];
        let mut rstart = vec![0usize; m + 1];
        for &(i, j, _) in edges.iter() {
            start[i as usize + 1] += 1;
            rstart[j as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        for j in 0..m {
            rstart[j + 1] += rstart[j];
        }
        let col = edges.iter().map(|e| e.1).collect();
        let cost = edges.iter().map(|e| e.2).collect();
        let mut row = vec![0u32; edges.len()];
        let mut rcost = vec![0.0; edges.len()];
        let mut fill = rstart.clone();
        for &(i, j, c) in edges.iter() {
            let f = &mut fill[j as usize];
            row[*f] = i;
            rcost[*f] = c;
            *f += 1;
        }
        Graph { start, col, cost, rstart, row, rcost }
    }

    fn has(&self, i: usize, j: u32) -> bool {
        self.col[self.start[i]..self.start[i + 1]].binary_search(&j).is_ok()
    }
}

// ---------------------------------------------------------------------------
// Priority structures.

/// A tournament tree: point updates and the smallest leaf.
#[derive(Debug)]
struct MinTree {
    size: usize,
    val: Vec<f64>,
    arg: Vec<u32>,
}

impl MinTree {
    fn new(n: usize) -> Self {
        let size = n.next_power_of_two().max(1);
        let mut arg = vec![0u32; 2 * size];
        for (i, a) in arg[size..].iter_mut().enumerate() {
            *a = i as u32;
        }
        MinTree { size, val: vec![f64::INFINITY; 2 * size], arg }
    }

    fn set(&mut self, i: usize, v: f64) {
        let mut x = self.size + i;
        self.val[x] = v;
        x /= 2;
        while x >= 1 {
            let (l, r) = (2 * x, 2 * x + 1);
            let c = if self.val[r] < self.val[l] { r } else { l };
            let (v, a) = (self.val[c], self.arg[c]);
            if self.val[x] == v && self.arg[x] == a {
                break;
            }
            self.val[x] = v;
            self.arg[x] = a;
            x /= 2;
        }
    }

    /// Sets all leaves and rebuilds, `O(n)`.
    fn fill(&mut self, v: impl Fn(usize) -> f64, n: usize) {
        for i in 0..self.size {
            self.val[self.size + i] = if i < n { v(i) } else { f64::INFINITY };
        }
        for x in (1..self.size).rev() {
            let (l, r) = (2 * x, 2 * x + 1);
            let c = if self.val[r] < self.val[l] { r } else { l };
            self.val[x] = self.val[c];
            self.arg[x] = self.arg[c];
        }
    }

    fn min(&self) -> (f64, usize) {
        (self.val[1], self.arg[1] as usize)
    }
}

/// A heap entry `(distance, node)`, smallest distance first.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Entry(f64, u32);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

// ---------------------------------------------------------------------------
// Successive shortest paths.

/// Flow, potentials and Dijkstra scratch. Nodes: `a_i` is `i`, `b_j` is
/// `n + j`, `D` is `n + m`; `n + m + 1` is the heap entry of `D`'s stream.
#[derive(Debug)]
struct Solver {
    n: usize,
    m: usize,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    g: Graph,
    /// `b` index, `DIAG` (glued to `D`) or `NONE` (free).
    mate_a: Vec<u32>,
    /// `a` index, `DIAG` or `NONE`.
    mate_b: Vec<u32>,
    /// Cost of `b_j`'s matched edge.
    mcost: Vec<f64>,
    /// Potentials of the points not glued to `D`, and of `D`.
    pa: Vec<f64>,
    pb: Vec<f64>,
    pd: f64,
    /// Excess of `D`: `m − n + #(a on the diagonal) − #(b on the diagonal)`.
    excess_d: i64,
    /// Per `b_k`: `min (c_ik − α_i)` over glued `a_i` adjacent to it, which
    /// `a_i` and its `c_ik`.
    w: Vec<f64>,
    wa: Vec<u32>,
    wc: Vec<f64>,
    /// Per `b_k`: `min(β_k, w_k) − π_{b_k}` (`+∞` if glued or settled in the
    /// current Dijkstra).
    hub: MinTree,
    dist: Vec<f64>,
    pred: Vec<u32>,
    /// For `D`: the glued `b_j` it was entered through (`NONE`: by `α`).
    /// For `b_k` reached from `D`: the glued `a_i` (`NONE`: by `β`).
    via: Vec<u32>,
    /// Cost of the edge that reached the node (of `a → b` for `via`).
    pcost: Vec<f64>,
    done: Vec<bool>,
    seen: Vec<u32>,
    settled: Vec<u32>,
    heap: BinaryHeap<Entry>,
}

impl Solver {
    fn new(alpha: Vec<f64>, beta: Vec<f64>, g: Graph) -> Self {
        let (n, m) = (alpha.len(), beta.len());
        let nodes = n + m + 1;
        let mut s = Solver {
            n,
            m,
            alpha,
            beta,
            g,
            mate_a: vec![NONE; n],
            mate_b: vec![NONE; m],
            mcost: vec![0.0; m],
            pa: vec![0.0; n],
            pb: vec![0.0; m],
            pd: 0.0,
            excess_d: m as i64 - n as i64,
            w: vec![f64::INFINITY; m],
            wa: vec![NONE; m],
            wc: vec![0.0; m],
            hub: MinTree::new(m),
            dist: vec![f64::INFINITY; nodes],
            pred: vec![NONE; nodes],
            via: vec![NONE; nodes],
            pcost: vec![0.0; nodes],
            done: vec![false; nodes],
            seen: Vec::new(),
            settled: Vec::new(),
            heap: BinaryHeap::new(),
        };
        s.rebuild_hub();
        s
    }

    fn pot_a(&self, i: usize) -> f64 {
        if self.mate_a[i] == DIAG { self.pd - self.alpha[i] } else { self.pa[i] }
    }

    fn pot_b(&self, j: usize) -> f64 {
        if self.mate_b[j] == DIAG { self.pd + self.beta[j] } else { self.pb[j] }
    }

    fn hub_key(&self, j: usize) -> f64 {
        if self.mate_b[j] == DIAG {
            f64::INFINITY
        } else {
            self.beta[j].min(self.w[j]) - self.pb[j]
        }
    }

    fn refresh(&mut self, j: usize) {
        self.hub.set(j, self.hub_key(j));
    }

    /// Recomputes every `w_k` and the hub tree (after the graph changed).
    fn rebuild_hub(&mut self) {
        for j in 0..self.m {
            self.recompute_w(j);
        }
        let keys: Vec<f64> = (0..self.m).map(|j| self.hub_key(j)).collect();
        self.hub.fill(|j| keys[j], self.m);
    }

    fn recompute_w(&mut self, j: usize) {
        let (mut w, mut wa, mut wc) = (f64::INFINITY, NONE, 0.0);
        for e in self.g.rstart[j]..self.g.rstart[j + 1] {
            let (i, c) = (self.g.row[e] as usize, self.g.rcost[e]);
            if self.mate_a[i] == DIAG && c - self.alpha[i] < w {
                (w, wa, wc) = (c - self.alpha[i], i as u32, c);
            }
        }
        (self.w[j], self.wa[j], self.wc[j]) = (w, wa, wc);
    }

    /// `a_i` goes to the diagonal.
    fn glue_a(&mut self, i: usize) {
        self.mate_a[i] = DIAG;
        for e in self.g.start[i]..self.g.start[i + 1] {
            let (j, c) = (self.g.col[e] as usize, self.g.cost[e]);
            if c - self.alpha[i] < self.w[j] {
                (self.w[j], self.wa[j], self.wc[j]) = (c - self.alpha[i], i as u32, c);
                self.refresh(j);
            }
        }
    }

    /// `a_i` leaves the diagonal for `mate` (its potential becomes explicit).
    fn unglue_a(&mut self, i: usize, mate: u32) {
        self.pa[i] = self.pd - self.alpha[i];
        self.mate_a[i] = mate;
        for e in self.g.start[i]..self.g.start[i + 1] {
            let j = self.g.col[e] as usize;
            if self.wa[j] == i as u32 {
                self.recompute_w(j);
                self.refresh(j);
            }
        }
    }

    /// Sends every excess unit along shortest paths.
    fn run(&mut self) {
        for i in 0..self.n {
            if self.mate_a[i] == NONE {
                self.augment(i as u32);
            }
        }
        while self.excess_d > 0 {
            self.augment((self.n + self.m) as u32);
        }
    }

    /// The head of `D`'s stream: the unsettled non-glued `b_k` with the
    /// smallest hub key (settled ones are dropped from the tree on the way).
    fn stream_head(&mut self) -> Option<(f64, usize)> {
        loop {
            let (key, j) = self.hub.min();
            if key == f64::INFINITY {
                return None;
            }
            if !self.done[self.n + j] {
                return Some((key, j));
            }
            self.hub.set(j, f64::INFINITY);
        }
    }

    #[inline]
    fn relax(&mut self, y: u32, nd: f64, from: u32, via: u32, c: f64) {
        let yu = y as usize;
        if nd < self.dist[yu] {
            if self.dist[yu] == f64::INFINITY {
                self.seen.push(y);
            }
            self.dist[yu] = nd;
            self.pred[yu] = from;
            self.via[yu] = via;
            self.pcost[yu] = c;
            self.heap.push(Entry(nd, y));
        }
    }

    /// One Dijkstra from the excess node `s` to the nearest deficit node,
    /// then the potential update and the augmentation.
    fn augment(&mut self, s: u32) {
        let (n, m) = (self.n, self.m);
        let hub = (n + m) as u32;
        let stream = hub + 1;
        self.relax(s, 0.0, NONE, NONE, 0.0);
        let (target, dt) = loop {
            let Some(Entry(d, mut x)) = self.heap.pop() else {
                unreachable!("an excess node always reaches a deficit node");
            };
            if x == stream {
                let Some((key, j)) = self.stream_head() else { continue };
                let dd = self.dist[hub as usize];
                let nd = dd + (key + self.pd).max(0.0);
                if nd > d {
                    self.heap.push(Entry(nd, stream));
                    continue;
                }
                let (via, c) = if self.w[j] < self.beta[j] {
                    (self.wa[j], self.wc[j])
                } else {
                    (NONE, self.beta[j])
                };
                x = (n + j) as u32;
                let xu = x as usize;
                if self.dist[xu] == f64::INFINITY {
                    self.seen.push(x);
                }
                self.dist[xu] = nd;
                self.pred[xu] = hub;
                self.via[xu] = via;
                self.pcost[xu] = c;
                self.hub.set(j, f64::INFINITY);
                if let Some((key, _)) = self.stream_head() {
                    self.heap.push(Entry(dd + (key + self.pd).max(0.0), stream));
                }
            }
            let xu = x as usize;
            if self.done[xu] {
                continue;
            }
            self.done[xu] = true;
            self.settled.push(x);
            let d = self.dist[xu];
            if xu < n {
                // a_i: edges to its candidates (glued ones lead to D) and to D.
                let i = xu;
                let pai = self.pa[i];
                let (mut to_d, mut to_d_via, mut to_d_c) = (self.alpha[i], NONE, self.alpha[i]);
                for e in self.g.start[i]..self.g.start[i + 1] {
                    let (j, c) = (self.g.col[e], self.g.cost[e]);
                    let mj = self.mate_b[j as usize];
                    if mj == DIAG {
                        let via_cost = c - self.beta[j as usize];
                        if via_cost < to_d {
                            (to_d, to_d_via, to_d_c) = (via_cost, j, c);
                        }
                    } else if mj != i as u32 {
                        let rc = c + pai - self.pb[j as usize];
                        self.relax(n as u32 + j, d + rc.max(0.0), x, NONE, c);
                    }
                }
                let rc = to_d + pai - self.pd;
                self.relax(hub, d + rc.max(0.0), x, to_d_via, to_d_c);
            } else if xu < n + m {
                let j = xu - n;
                let i = self.mate_b[j];
                if i == NONE {
                    break (x, d);
                }
                // Matched (glued b's are never settled): back to its a.
                let rc = self.pb[j] - self.mcost[j] - self.pa[i as usize];
                self.relax(i, d + rc.max(0.0), x, NONE, self.mcost[j]);
            } else {
                if self.excess_d < 0 {
                    break (x, d);
                }
                if let Some((key, _)) = self.stream_head() {
                    self.heap.push(Entry(d + (key + self.pd).max(0.0), stream));
                }
            }
        };
        self.heap.clear();

        // Potentials: settled nodes move by d_v − d_t (glued ones follow D).
        for &x in &self.settled {
            let x = x as usize;
            let delta = self.dist[x] - dt;
            if x < n {
                self.pa[x] += delta;
            } else if x < n + m {
                self.pb[x - n] += delta;
            } else {
                self.pd += delta;
            }
        }

        // Augment along the path, from the target back to the source.
        let mut y = target as usize;
        while y != s as usize {
            let x = self.pred[y] as usize;
            if x < n {
                if y < n + m {
                    let j = y - n;
                    self.mate_a[x] = j as u32;
                    self.mate_b[j] = x as u32;
                    self.mcost[j] = self.pcost[y];
                } else if self.via[y] == NONE {
                    self.glue_a(x);
                } else {
                    // a_x → b_j (glued) → D: b_j leaves the diagonal.
                    let j = self.via[y] as usize;
                    self.pb[j] = self.pd + self.beta[j];
                    self.mate_a[x] = j as u32;
                    self.mate_b[j] = x as u32;
                    self.mcost[j] = self.pcost[y];
                    self.refresh(j);
                }
            } else if x == n + m {
                let k = y - n;
                if self.via[y] == NONE {
                    self.mate_b[k] = DIAG;
                } else {
                    // D → a_l (glued) → b_k: a_l leaves the diagonal.
                    let l = self.via[y];
                    self.unglue_a(l as usize, k as u32);
                    self.mate_b[k] = l;
                    self.mcost[k] = self.pcost[y];
                }
            }
            // Otherwise a reverse edge: the new mates are set by the
            // forward edges around it.
            y = x;
        }
        if s == hub {
            self.excess_d -= 1;
        }
        if target == hub {
            self.excess_d += 1;
        }

        for t in 0..self.settled.len() {
            let x = self.settled[t] as usize;
            if (n..n + m).contains(&x) {
                self.refresh(x - n);
            }
        }
        // A path's b nodes are all settled; a b left the diagonal through
        // `via` of D was refreshed above.
        for &x in &self.seen {
            self.dist[x as usize] = f64::INFINITY;
            self.done[x as usize] = false;
        }
        self.seen.clear();
        self.settled.clear();
    }

    /// Frees `a_i` (its partner becomes free, or `D` loses an inflow) and
    /// sets its potential so that its edges have non-negative reduced costs
    /// (a free point has no incoming residual edge).
    fn unassign(&mut self, i: usize) {
        match self.mate_a[i] {
            DIAG => {
                self.excess_d -= 1;
            }
            NONE => {}
            j => self.mate_b[j as usize] = NONE,
        }
        self.mate_a[i] = NONE;
        let mut p = self.pd - self.alpha[i];
        for e in self.g.start[i]..self.g.start[i + 1] {
            let (j, c) = (self.g.col[e] as usize, self.g.cost[e]);
            p = p.max(self.pot_b(j) - c);
        }
        self.pa[i] = p;
    }

    /// The matching's cost.
    fn primal(&self) -> f64 {
        let a: f64 =
            self.mate_a.iter().zip(&self.alpha).filter(|(m, _)| **m == DIAG).map(|(_, a)| a).sum();
        let b: f64 = (0..self.m)
            .map(|j| if self.mate_b[j] == DIAG { self.beta[j] } else { self.mcost[j] })
            .sum();
        a + b
    }

    /// Checks `u_i + v_j ≤ c_ij` for all pairs: the violated rows' best
    /// edges not yet in the graph, and the value of the repaired (feasible)
    /// duals, a lower bound of the optimum.
    fn verify(
        &self,
        a: &[PersistencePair],
        b: &[PersistencePair],
        ground: Ground,
        cost: &impl Fn(f64) -> f64,
        tree_b: &mut KdTree,
    ) -> (Vec<(u32, u32, f64)>, f64) {
        let v: Vec<f64> = (0..self.m).map(|j| self.pot_b(j) - self.pd).collect();
        tree_b.set_keys(|j| -v[j]);
        let mut lower: f64 = v.iter().zip(&self.beta).map(|(&v, &b)| v.min(b)).sum();
        let mut violations = Vec::new();
        for (i, &p) in a.iter().enumerate() {
            let u = self.pd - self.pot_a(i);
            let (best, j) = tree_b.best(p, ground, cost);
            lower += u.min(best).min(self.alpha[i]);
            let c = best + v[j];
            if best - u < -TOL * (c.abs() + u.abs() + v[j].abs()) && !self.g.has(i, j as u32) {
                violations.push((i as u32, j as u32, cost(ground.dist(p, b[j]))));
            }
        }
        (violations, lower)
    }
}

#[cfg(test)]
mod tests {
    use nnph_homology::PersistencePair as P;
    use proptest::prelude::*;

    use super::super::{Ground, GroundMetric, Power, dense_wasserstein, finite_bottleneck};
    use super::*;

    /// Points on a coarse grid (ties, duplicates, lifetimes down to one grid
    /// step), with random coordinates, or just off the diagonal.
    fn point() -> impl Strategy<Value = P> {
        prop_oneof![
            3 => (0..10u8, 1..6u8).prop_map(|(b, l)| {
                let b = f64::from(b) * 0.25;
                P::new(b, b + f64::from(l) * 0.25)
            }),
            4 => (-2.0..2.0f64, 1e-3..3.0f64).prop_map(|(b, l)| P::new(b, b + l)),
            1 => (-2.0..2.0f64, 1e-9..1e-3f64).prop_map(|(b, l)| P::new(b, b + l)),
        ]
    }

    fn diagram(max: usize) -> impl Strategy<Value = Vec<P>> {
        prop::collection::vec(point(), 1..=max)
    }

    fn ground() -> impl Strategy<Value = Ground> {
        prop::sample::select(vec![
            GroundMetric::LInf,
            GroundMetric::Lp(1.0),
            GroundMetric::Lp(2.0),
            GroundMetric::Lp(3.0),
        ])
        .prop_map(|g| Ground::new(g).unwrap())
    }

    /// The sparse solver's report and the dense Hungarian's value, with the
    /// power scaled by the bottleneck distance as `wasserstein_exact` does.
    fn solve(a: &[P], b: &[P], g: Ground, q: f64, k: usize) -> Option<(Report, f64)> {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        let scale = finite_bottleneck(&mut a, &mut b, g, 0.0);
        if scale == 0.0 {
            return None;
        }
        let power = Power::new(q, scale);
        Some((power_sum(&a, &b, g, &power, k), dense_wasserstein(&a, &b, g, &power)))
    }

    fn check(a: &[P], b: &[P], g: Ground, q: f64, k: usize) -> Result<Report, TestCaseError> {
        let Some((r, dense)) = solve(a, b, g, q, k) else {
            return Ok(Report { value: 0.0, lower: 0.0, rounds: 0, edges: 0 });
        };
        prop_assert!(
            (r.value - dense).abs() <= 1e-9 * dense.abs().max(1e-300),
            "sparse {} vs dense {dense} (k = {k}, q = {q}, {g:?})",
            r.value
        );
        // The certificate: feasible duals whose value is the optimum up to
        // rounding.
        prop_assert!(r.lower <= dense * (1.0 + 1e-12), "lower {} > dense {dense}", r.lower);
        prop_assert!(r.value - r.lower <= 1e-10 * r.value, "gap {} vs {}", r.lower, r.value);
        Ok(r)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn sparse_equals_hungarian(
            a in diagram(40), b in diagram(40), g in ground(),
            q in prop::sample::select(vec![1.0, 2.0, 3.0, 1.5]),
            k in prop::sample::select(vec![1usize, 2, 4, NEIGHBOURS]),
        ) {
            check(&a, &b, g, q, k)?;
        }

        /// Shared points (exact duplicates across the diagrams) and a
        /// candidate graph of one neighbour per point: the verification
        /// loop must add the missing edges.
        #[test]
        fn tiny_candidate_graph(
            a in diagram(30), b in diagram(30), shared in diagram(10), g in ground(),
            q in prop::sample::select(vec![1.0, 2.0, 3.0, 1.5]),
        ) {
            let a: Vec<P> = a.into_iter().chain(shared.iter().copied()).collect();
            let b: Vec<P> = shared.into_iter().chain(b).collect();
            check(&a, &b, g, q, 1)?;
        }
    }

    /// Deterministic pseudo-random points.
    fn random(n: usize, seed: u64) -> Vec<P> {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| {
                let b = next();
                P::new(b, b + next())
            })
            .collect()
    }

    /// With one neighbour per point the first sparse optimum is not optimal
    /// on a few hundred points: several rounds of verification are needed
    /// and the result is still exact.
    #[test]
    fn verification_adds_edges() {
        let (a, b) = (random(300, 7), random(250, 11));
        for (g, q) in [(Ground::Inf, 2.0), (Ground::Two, 1.0), (Ground::One, 1.5)] {
            let r = check(&a, &b, g, q, 1).unwrap();
            assert!(r.rounds > 1, "{g:?} q = {q}: {r:?}");
            let wide = check(&a, &b, g, q, NEIGHBOURS).unwrap();
            assert!(r.edges > 0 && wide.edges > 0);
        }
    }
}
