//! Exact `min Σ cost^q` over matchings of two general diagrams: successive
//! shortest paths on a sparse candidate graph, certified on all pairs by LP
//! duality with k-d tree queries.
//!
//! # The problem as a flow
//!
//! `a_i` (`n` points) and `b_j` (`m` points), `c_ij` the powered ground
//! distance, `α_i`, `β_j` the powered diagonal costs. With one node `D` for
//! the diagonal, a matching is an integral flow: every `a_i` sends one unit,
//! to some `b_j` (cost `c_ij`) or to `D` (cost `α_i`); every `b_j` receives
//! one unit, from some `a_i` or from `D` (cost `β_j`); `D` has supply
//! `m − n`. These flows are exactly the matchings (a point sent to or fed by
//! `D` goes to the diagonal), so the optimum is a min-cost flow, and with
//! node potentials `π`, `u_i = π_D − π_{a_i}`, `v_j = π_{b_j} − π_D`, the
//! dual of the flow problem is the dual of the matching LP:
//! `max Σ u_i + Σ v_j` subject to `u_i + v_j ≤ c_ij`, `u_i ≤ α_i`,
//! `v_j ≤ β_j` — "reduced cost `c + π_tail − π_head ≥ 0`" on every forward
//! edge.
//!
//! # Sparse solve
//!
//! The edges `a_i → b_j` are restricted to a candidate set: each point's `k`
//! nearest neighbours in the other diagram (k-d tree; a `b_j` already among
//! the `k` nearest of `k` points of `a` is not asked), keeping only pairs
//! with `c_ij < α_i + β_j` (any other pair can be replaced by sending both
//! ends to the diagonal at no extra cost, and its dual constraint follows
//! from `u_i ≤ α_i` and `v_j ≤ β_j`). The edges to and from `D` are all
//! present. The sparse problem is solved by the primal-dual (successive
//! shortest path) method, which keeps every residual reduced cost
//! non-negative and sends excess (a free `a_i`, or `D` while it has more
//! supply than outflow) to deficit (a free `b_j`, or `D`) along shortest
//! paths in reduced costs. A shortest path between *any* two nodes may be
//! augmented after the potential update below (it keeps every reduced cost
//! non-negative and makes the path tight), and `D` has unlimited capacity,
//! so the free `a` are sent to a free `b` *or to `D`*, whatever `D`'s
//! balance, and `D`'s excess is sent on at the end. This matters because
//! almost every node is a short reduced distance away from `D` (a point is
//! never far from being matched to the diagonal): a search that went on
//! past `D` to a free `b` would settle most of the graph.
//!
//! * *Start from prices*: a short forward auction on the candidate graph
//!   (Bertsekas; one phase at a fixed `ε`, a bounded number of bids) gives
//!   column prices `v_j ≤ β_j`; each row takes its exact minimum
//!   `u_i = min(α_i, min_j (c_ij − v_j))`, goes to the diagonal if that is
//!   `α_i`, else to its minimum's column if still free; then each free
//!   column rises to its own minimum `min(β_j, min_i (c_ij − u_i))` and
//!   takes the diagonal or that minimum's row, if free, the same way. All
//!   reduced costs are non-negative and the matched pairs tight whatever
//!   the prices; near optimal prices make the searches below short (used
//!   for `q ≤ 1`: with `q = 2` the auction often runs out of bids in a price
//!   war over the far points and was measured slower). Otherwise, or if the
//!   auction runs out of bids, the start is
//! * *by column reduction* (Jonker and Volgenant's column reduction and
//!   reduction transfer, with `D` as a column of unlimited capacity at price
//!   `π_D = 0`): `v_j = min(β_j, min_i c_ij)` over `b_j`'s candidate edges;
//!   `b_j` goes to the diagonal if `β_j` is the minimum, else to its
//!   minimum's `a_i` if that one is still free; each matched `a_i` then
//!   takes `u_i = μ_i = min(α_i, min_{l ≠ j} (c_il − v_l))` and its
//!   column's price drops to `v_j = c_ij − μ_i` (two tight options per
//!   matched row), and each free one `u_i = min(α_i, min_j (c_ij − v_j))`.
//!   All residual reduced costs are non-negative and the matched pairs
//!   tight; about half of the `a` are placed.
//! * *Head phases*: one Dijkstra from all free `a` at once, run until as
//!   many free `b` as sources are settled, or `D` is (it takes them all);
//!   with `T` the distance of the last target settled, a blocking set of
//!   node-disjoint paths (except at `D`, where they end) in the
//!   shortest-path DAG (edges with `d_v = d_u + rc(u, v)` among nodes with
//!   `d ≤ T`) is found by depth-first search, the settled potentials move by
//!   `min(d_v, T) − T` and the paths are augmented. After the update every
//!   DAG edge is tight (a DAG path from a source at 0 to a target at
//!   `d_t ≤ T` has reduced length `d_t + (0 − T) − (d_t − T) = 0` and no
//!   negative edge), so augmenting disjoint DAG paths keeps all reduced
//!   costs non-negative, as one shortest path does. When a phase places
//!   fewer than one unit per [`HEAD_RATIO`] sources, the rest go (and all
//!   of them after a start from prices, whose few free rows are scattered
//!   conflicts: a head phase there placed 2 of 212 sources in the second
//!   round, and leaving them out was 6% faster at 1k points, 3% at 2k)
//! * *one at a time*: a Dijkstra from one free `a`, stopped at the first
//!   free `b` or `D` settled, the usual potential update, and the
//!   augmentation along the tree path.
//! * *`D`'s excess*: then `D` holds as many units as there are free `b`.
//!   Each free `b_t` runs a Dijkstra *backwards* (over the residual edges
//!   reversed: into `b` from `D`, by its stream key below, and from the `a`
//!   with a candidate edge to it; into a matched `a` from its `b`), stopped
//!   at `D` (or a free `a`); with `T` that distance and `d_x` the distance
//!   *to* `b_t`, the settled nodes move by `T − min(d_x, T) ≥ 0` (`D` does
//!   not move, nor do the points glued to it), which keeps every reduced
//!   cost non-negative and makes the path tight, and the path is augmented.
//!   The backward search explores the neighbourhood of `b_t` where a forward
//!   one from `D` would settle nearly everything.
//!
//! `D` is a hub: every point on the diagonal is joined to it by a tight edge
//! in both directions, so a naive Dijkstra that reaches `D` settles all of
//! them. Instead, points on the diagonal are *glued* to `D` (their potential
//! is implicit, `π_D − α_i` or `π_D + β_j`, and their distance is `D`'s):
//! reaching a glued `b_j` from `a_i` is reaching `D` at `c_ij − β_j`, and
//! `D` reaches each other `b_k` at `min(β_k, w_k)`,
//! `w_k = min (c_ik − α_i)` over the glued `a_i` adjacent to `b_k` (kept per
//! `b_k`, updated when points join or leave the diagonal). `D`'s outgoing
//! edges are then a stream in increasing reduced cost read from a
//! tournament tree keyed by `min(β_k, w_k) − π_{b_k}` (independent of
//! `π_D`): settling `D` costs `O(log m)` per `b_k` actually reached.
//! Dijkstra uses a radix heap over the bit patterns of the (non-negative)
//! distances, and the points are first renumbered in the slot order of
//! their k-d trees (leaves left to right), so that neighbours in the plane
//! have nearby indices.
//!
//! Rounding: a reduced cost is computed as `c + π_u − π_v`; values at most
//! [`EPS`] times the magnitude of its terms (plus [`FLOOR`] of the largest
//! diagonal cost) count as zero (see [`eff`]), so that the rounding noise of
//! the potentials neither creates negative edges nor splits ties. A matched
//! edge is therefore tight to within that tolerance, and potentials are
//! re-centred (`π_D = 0`) whenever `|π_D|` outgrows the costs.
//!
//! # Certificate
//!
//! The sparse optimum's potentials satisfy every dual constraint of the
//! sparse problem, and complementary slackness, to the tolerance above. The
//! constraints of the pairs left out are checked for all `j` at once per
//! row: `u_i ≤ min_j (c_ij − v_j)` is a weighted nearest-neighbour query in
//! a k-d tree over `b` with keys `−v_j` (nodes store their minimum key, `c`
//! is a non-decreasing function of the ground distance, so a node is pruned
//! when `c(box distance) + min key` cannot beat the best found, starting from
//! `u_i`: only smaller values matter, so most queries stop at once). The
//! `b_j` nearer to `a_i` than its `k`-th nearest are all its candidates,
//! whose constraints hold (up to the zero tolerance) or were dropped as
//! implied, so a node's box distance is raised to that reach before `c` is
//! applied: in the certificate's first round, 3% fewer instructions in all
//! at 1k points, 3–4% at 2k and with `W_2`. Rows are checked in groups of
//! [`VERIFY_GROUP`] consecutive ones (neighbours in the plane) that share
//! one traversal: the leaves that may beat some row of the group, each row
//! then scanning them with its own bounds. A row whose
//! minimum violates its constraint by more than [`TOL`] (relative) gets its
//! best [`ADD`] edges by reduced cost (merged into the graph); its point
//! is unassigned (its
//! potential raised until its edges' reduced costs are non-negative; a free
//! point has no incoming residual edge, so nothing else changes) and the
//! shortest path method resumes from the current flow and potentials. A
//! matched pair found loose (not tight to the solver's tolerance; never seen)
//! is unassigned the same way. Each round adds an edge or repairs a pair.
//!
//! Later rounds check only what can have changed: the constraint of a pair
//! is `π_{b_j} − π_{a_i} ≤ c_ij`, forward searches only lower potentials and
//! backward ones only raise them (`π_D` never rises, the glued points
//! follow it, and a point that joins the diagonal moves within the zero
//! tolerance, so it is counted as moved). A row whose potential has not
//! decreased since the previous round, where it held, can only be violated
//! by a column whose potential increased: it is checked against those
//! columns only (the others get key `+∞`), and not at all if there are
//! none. The unassigned rows and the rows whose potential decreased (or
//! that are glued while `π_D` decreased) are checked against every column.
//! In tests each round is compared with a complete check.
//!
//! When no row is violated, the duals `v'_j = min(v_j, β_j)`,
//! `u'_i = min(u_i, α_i, min_j (c_ij − v_j))` are feasible for the complete
//! problem, and their value — a lower bound of the optimum by weak duality —
//! is returned with the matching's cost in [`Report`]. Every violation they
//! absorb is below `TOL` of its constraint's magnitude, so the matching's
//! cost is the optimum to within rounding: the tests check the certified gap
//! `cost − lower` against `1e-10` relative.

use nnph_homology::PersistencePair;

use super::kdtree::{KdTree, bounding_box};
use super::{Ground, Power};

/// Nearest neighbours per point (in the other diagram) in the initial
/// candidate graph, for `points = n_a + n_b` points: 12 up to 2000 points,
/// then 4 more per doubling, at most 32 (optimal matchings of larger
/// diagrams have longer edges in neighbour rank; too few candidates cost
/// verification rounds, too many cost time in every search).
pub(super) fn neighbours(points: usize) -> usize {
    let doublings = (points.max(1) as f64 / 2000.0).log2().max(0.0);
    (12.0 + 4.0 * doublings).round().min(32.0) as usize
}

/// Edges added per violated row in a verification round (its best ones by
/// reduced cost).
const ADD: usize = 4;
/// A bound on verification rounds (each adds an edge or repairs a pair; far
/// above what the tests and benchmarks need, a handful).
const MAX_ROUNDS: usize = 1000;
/// Relative tolerance of a dual constraint in the certificate.
const TOL: f64 = 1e-12;
/// Relative size below which a reduced cost counts as zero: about a
/// hundred units in the last place of the terms it is computed from.
const EPS: f64 = 1e-14;
/// An absolute floor of that tolerance, relative to the largest diagonal
/// cost (one unit in its last place).
const FLOOR: f64 = 0.01;
/// Rows per parallel chunk of a verification round (a fixed size: the
/// result does not depend on the number of threads; small, so that rows of
/// unequal cost spread evenly: 32 rather than 128 was 4% faster at 1k and 2k
/// points on 2 cores, with [`QUERY_CHUNK`] 64 rather than 256).
const VERIFY_CHUNK: usize = 32;
/// Rows of a verification chunk that share one k-d tree traversal (rows
/// consecutive in the solver's spatial order; see [`KdTree::leaves_below`]):
/// 16 took 3–4.5% fewer instructions in all than one traversal per row at
/// 1k–5k points (W_1 L2, W_2 L∞).
const VERIFY_GROUP: usize = 16;
/// The start's auction (see [`auction_prices`]): `ε` relative to
/// the mean candidate edge cost, and the bids allowed per row (on the
/// benchmark diagrams, 1k–10k points, `W_1`'s auction ends within about 25
/// bids per row; past the budget the start falls back to column reduction).
const AUCTION_EPS: f64 = 0.15;
const AUCTION_BIDS: usize = 40;
/// The auction starts `W_q` for `q` up to this; above, column reduction
/// does (with `W_2` the auction was no faster where it ended and 15% slower
/// at 2k points where it ran out of bids).
const AUCTION_MAX_Q: f64 = 1.0;
/// Head phases stop when they place fewer than one unit per this many
/// sources.
const HEAD_RATIO: usize = 8;

const NONE: u32 = u32::MAX;
const DIAG: u32 = u32::MAX - 1;

/// The reduced cost `rc` computed from terms of total magnitude `mag`
/// (including the absolute floor), with rounding noise and negative values
/// counted as zero.
#[inline]
fn eff(rc: f64, mag: f64) -> f64 {
    if rc <= EPS * mag { 0.0 } else { rc }
}

/// The result of [`power_sum`] and how it was obtained.
#[derive(Clone, Copy, Debug)]
pub(super) struct Report {
    /// The optimal `Σ cost^q`: the cost of the matching found.
    pub(super) value: f64,
    /// The value of feasible duals of the complete problem: a lower bound
    /// of the optimum (the certificate).
    pub(super) lower: f64,
    /// Verification rounds (1 if the first sparse optimum was certified).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) rounds: usize,
    /// Edges in the final candidate graph.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) edges: usize,
    /// The largest ground distance (not powered) of an edge of the matching
    /// found, a point's distance to the diagonal if it goes there.
    pub(super) largest: f64,
}

/// The geometry of the initial candidate graph: both diagrams in the slot
/// order of their k-d trees, the k-d tree over `b` (kept for the
/// certificate) and the neighbour lists (see [`candidates`]; a pair found
/// both ways appears twice). Independent of the costs, so it can be built
/// while the scale is computed.
pub(super) struct Candidates {
    a: Vec<PersistencePair>,
    b: Vec<PersistencePair>,
    tree_b: KdTree,
    near: Neighbours,
    /// A lower bound of the bottleneck distance: the largest, over the
    /// points queried (every `a`, the `b` asked), of the distance to the
    /// diagonal or to the nearest point of the other diagram, whichever is
    /// smaller (every matching pays one of the two for each point).
    pub(super) lower: f64,
}

/// Queries per parallel chunk of the neighbour search (a fixed size, so the
/// candidate list does not depend on the number of threads).
const QUERY_CHUNK: usize = 64;

/// [`Candidates`] of two non-empty sets of finite points: each `a_i`'s `k`
/// nearest neighbours in `b`, then each `b_j`'s `k` nearest in `a` unless
/// `b_j` is among the `k` nearest of at least `k` points of `a` (it has `k`
/// candidate edges already, and lies where `a` is at least as dense as `b`,
/// so its own nearest would mostly repeat them; where `a` is sparse, the
/// long edges an optimal matching needs are `b_j`'s own). On the benchmark
/// diagrams about half of the `b` are asked, and `W_1` at 1k points took
/// 10% less time than with every `b` asked (3% at 2k–5k, with as many
/// verification rounds). The queries run in parallel chunks.
pub(super) fn candidates(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    k: usize,
) -> Candidates {
    let (n, m) = (a.len(), b.len());
    // The two trees built at once (at 1k points 0.27 -> 0.17 ms once the
    // pool's threads run), both diagrams then renumbered in their trees'
    // slot order (the build's own spatial order: it replaced a Z-order
    // sort, 0.1 ms of 5 at 1k points).
    let (mut tree_b, mut tree_a) =
        super::par::join(|| KdTree::new(b, 0..m), || KdTree::new(a, 0..n));
    let (a, b) = (tree_a.renumber(), tree_b.renumber());
    let from_a = nearest_lists(n, |x| x, &a, &b, &tree_b, ground, k);
    let mut found = vec![0u32; m];
    for &j in from_a.iter().flat_map(|l| &l.0) {
        if j != NONE {
            found[j as usize] += 1;
        }
    }
    let asked: Vec<u32> = (0..m as u32).filter(|&j| (found[j as usize] as usize) < k).collect();
    drop(found);
    let from_b = nearest_lists(asked.len(), |x| asked[x] as usize, &b, &a, &tree_a, ground, k);
    drop(tree_a);
    let lower = from_a.iter().chain(&from_b).map(|l| l.1).fold(0.0, f64::max);
    let reach = from_a.iter().flat_map(|l| &l.2).copied().collect();
    let lists = |l: Vec<(Vec<u32>, f64, Vec<f64>)>| l.into_iter().map(|l| l.0).collect();
    let near = Neighbours { k, from_a: lists(from_a), from_b: lists(from_b), asked, reach };
    Candidates { a, b, tree_b, near, lower }
}

/// The `k` nearest neighbours in `other` (through its `tree`) of the points
/// `points[at(x)]`, `x` in `0..len` (in spatial order), in chunks of
/// [`QUERY_CHUNK`] queries: per chunk, `k` indices per query (padded with
/// [`NONE`] where `other` has fewer points), the largest, over its
/// queries, of the nearest distance or the diagonal distance, whichever is
/// smaller, and each query's distance to its `k`-th neighbour (`+∞` if
/// `other` has fewer than `k` points).
fn nearest_lists(
    len: usize,
    at: impl Fn(usize) -> usize + Sync + Send,
    points: &[PersistencePair],
    other: &[PersistencePair],
    tree: &KdTree,
    ground: Ground,
    k: usize,
) -> Vec<(Vec<u32>, f64, Vec<f64>)> {
    super::par::map_chunks(len, QUERY_CHUNK, |range| {
        let mut reach = Vec::with_capacity(range.len());
        let mut out: Vec<u32> = Vec::with_capacity(k * range.len());
        let mut lower = 0.0f64;
        let mut near: Vec<(f64, usize)> = Vec::with_capacity(k);
        for x in range {
            let p = points[at(x)];
            // The queries come in spatial order: the previous query's neighbours,
            // at most their largest distance away, bound the search from the
            // start.
            let limit = if near.len() == k {
                near.iter().map(|&(_, y)| ground.dist(p, other[y])).fold(0.0, f64::max)
            } else {
                f64::INFINITY
            };
            tree.nearest(p, k, ground, &mut near, limit);
            lower = lower.max(near.first().map_or(f64::INFINITY, |e| e.0).min(ground.diag(p)));
            out.extend(near.iter().map(|&(_, y)| y as u32));
            out.resize(out.len() + (k - near.len()), NONE);
            reach.push(if near.len() == k { near[k - 1].0 } else { f64::INFINITY });
        }
        (out, lower, reach)
    })
}

/// The neighbours found, as indices, `k` entries per query ([`NONE`] where
/// the other diagram has fewer than `k` points), [`QUERY_CHUNK`] queries per
/// list: `a_x`'s are entries `k·x..k·(x + 1)` of `from_a` laid end to end,
/// and `b_{asked[x]}`'s those of `from_b`. Four bytes per neighbour: the
/// costs are computed once per distinct pair when the graph is built.
struct Neighbours {
    k: usize,
    from_a: Vec<Vec<u32>>,
    from_b: Vec<Vec<u32>>,
    asked: Vec<u32>,
    /// Per `a_i`, the distance of its `k`-th nearest `b` (`+∞` if `b` has
    /// at most `k` points): every `b_j` closer is among its candidates.
    reach: Vec<f64>,
}

impl Neighbours {
    /// The pairs `(i, j)` found, a's queries first (in query order, each
    /// query's neighbours nearest first), then b's.
    fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let from_a = Self::found(&self.from_a, self.k).map(|(x, j)| (x as u32, j));
        from_a.chain(Self::found(&self.from_b, self.k).map(|(x, i)| (i, self.asked[x])))
    }

    /// `(query, neighbour)` for the entries of `lists` other than [`NONE`].
    fn found(lists: &[Vec<u32>], k: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
        lists.iter().enumerate().flat_map(move |(c, list)| {
            list.iter()
                .enumerate()
                .filter(|e| *e.1 != NONE)
                .map(move |(e, &y)| (c * QUERY_CHUNK + e / k, y))
        })
    }
}

/// `min Σ power(cost)` over matchings of two non-empty sets of finite
/// non-trivial points (see the module documentation), from their
/// [`Candidates`]. Costs are clamped at `n + m + 1` as in the dense solver:
/// every `power` of a bottleneck matching's edge must be `≤ 1`.
pub(super) fn power_sum(candidates: Candidates, ground: Ground, power: &Power) -> Report {
    let start = if power.q <= AUCTION_MAX_Q { Start::Auction } else { Start::ColumnReduction };
    power_sum_from(candidates, ground, power, start)
}

/// How the shortest-path method starts (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    /// From the prices of a short auction ([`auction_prices`]), or
    /// by column reduction if the auction runs out of bids.
    Auction,
    /// By column reduction ([`Solver::initialize`]; the tests check both).
    ColumnReduction,
}

/// [`power_sum`] with a given start.
fn power_sum_from(candidates: Candidates, ground: Ground, power: &Power, start: Start) -> Report {
    let Candidates { a, b, mut tree_b, near, .. } = candidates;
    // The optimum is ≤ n + m (a bottleneck matching has costs ≤ 1), so any
    // cost above n + m + 1 is in no optimal matching and can be clamped.
    let cap = (a.len() + b.len()) as f64 + 1.0;
    // One cost function everywhere in the solve, without a division.
    let power = power.by_reciprocal();
    let cost = |d: f64| power(d).min(cap);
    solve(&a, &b, ground, &cost, &mut tree_b, near, start)
}

/// The candidate graph, the sparse solve and the verification rounds.
fn solve(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    cost: &(impl Fn(f64) -> f64 + Sync),
    tree_b: &mut KdTree,
    mut near: Neighbours,
    start: Start,
) -> Report {
    let (n, m) = (a.len(), b.len());
    let alpha: Vec<f64> = a.iter().map(|&p| cost(ground.diag(p))).collect();
    let beta: Vec<f64> = b.iter().map(|&p| cost(ground.diag(p))).collect();
    // Candidate edges: the pairs that can beat sending both ends to the
    // diagonal.
    let mut g = Graph::forward(
        n,
        m,
        || near.pairs(),
        |i, j| {
            let c = cost(ground.dist(a[i], b[j]));
            (c < alpha[i] + beta[j]).then_some(c)
        },
    );
    let reach = std::mem::take(&mut near.reach);
    drop(near);
    // The auction reads only the rows' lists: the columns' lists and the
    // solver's arrays are made meanwhile (at 1k points, 0.2 ms of work
    // beside the 0.5 ms auction).
    let rest = || (g.column_lists(m), Solver::new(&alpha, &beta));
    let (prices, (columns, mut s)) = if start == Start::Auction {
        super::par::join(|| auction_prices(&g, &alpha, &beta), rest)
    } else {
        (None, rest())
    };
    g.set_columns(columns);
    s.g = g;
    match prices {
        Some(v) => s.initialize_from(&v),
        None => s.initialize(),
    }
    let mut rounds = 0;
    loop {
        rounds += 1;
        s.run();
        let (mut violations, loose, lower) = s.verify(a, b, ground, cost, tree_b, &reach);
        debug_assert!(loose.is_empty(), "pairs left loose: {loose:?}");
        #[cfg(test)]
        {
            // The incremental check finds the violated rows a complete one
            // finds.
            let rows = |v: &[(u32, u32, f64)]| {
                let mut r: Vec<u32> = v.iter().map(|e| e.0).collect();
                r.sort_unstable();
                r.dedup();
                r
            };
            s.row_moved.fill(true);
            let (all, _, all_lower) = s.verify(a, b, ground, cost, tree_b, &reach);
            assert_eq!(rows(&violations), rows(&all), "round {rounds}");
            assert!((lower - all_lower).abs() <= 1e-12 * (1.0 + all_lower.abs()));
        }
        s.row_moved.fill(false);
        s.col_moved.fill(false);
        s.pd_moved = false;
        if (violations.is_empty() && loose.is_empty()) || rounds >= MAX_ROUNDS {
            let (value, largest) = (s.primal(), s.largest(a, b, ground));
            return Report { value, lower, rounds, edges: s.g.col.len(), largest };
        }
        let mut rows: Vec<u32> = violations.iter().map(|&(i, _, _)| i).chain(loose).collect();
        rows.sort_unstable();
        rows.dedup();
        s.g.add(&mut violations);
        for i in rows {
            s.unassign(i as usize);
        }
        // The new edges are the unassigned rows', which are not glued: only
        // the columns an unassigned glued row gave `w` changed (updated in
        // `unassign`).
        #[cfg(test)]
        s.check_hub();
    }
}

// ---------------------------------------------------------------------------
// Candidate graph.

/// The candidate edges in both directions (compressed rows, each in the
/// order its edges were given or added: the searches only need them listed).
#[derive(Debug, Default)]
struct Graph {
    /// `a_i`'s edges are `start[i]..start[i + 1]`: `col` (a `b` index) and
    /// `cost`.
    start: Vec<usize>,
    col: Vec<u32>,
    cost: Vec<f64>,
    /// `b_j`'s edges are `rstart[j]..rstart[j + 1]`: `row` and `rcost`.
    rstart: Vec<usize>,
    row: Vec<u32>,
    rcost: Vec<f64>,
}

impl Graph {
    /// [`Graph::forward`] with the columns' lists.
    #[cfg(test)]
    fn new<I: Iterator<Item = (u32, u32)>>(
        n: usize,
        m: usize,
        pairs: impl Fn() -> I,
        edge: impl Fn(usize, usize) -> Option<f64>,
    ) -> Self {
        let mut g = Self::forward(n, m, pairs, edge);
        let columns = g.column_lists(m);
        g.set_columns(columns);
        g
    }

    /// The rows' lists (the columns' are empty; see [`Graph::column_lists`]) from
    /// candidate pairs `(i, j)` (the iterator `pairs()` is read twice; a
    /// pair may be repeated) and `edge(i, j)`, the cost of a pair kept as an
    /// edge (`None`: dropped), computed once per distinct pair: a counting
    /// sort by `i`, then each row deduplicated, filtered and compacted in
    /// place (no buffer beyond the rows themselves). A row keeps its pairs'
    /// order.
    fn forward<I: Iterator<Item = (u32, u32)>>(
        n: usize,
        m: usize,
        pairs: impl Fn() -> I,
        edge: impl Fn(usize, usize) -> Option<f64>,
    ) -> Self {
        let mut start = vec![0usize; n + 1];
        for (i, _) in pairs() {
            start[i as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let total = start[n];
        // Room for the edges the verification rounds add (appended in
        // place); capacity not written to is never paged in.
        let room = total + total / 8;
        let mut col = Vec::with_capacity(room);
        col.resize(total, 0u32);
        let mut fill = start.clone();
        for (i, j) in pairs() {
            let f = &mut fill[i as usize];
            col[*f] = j;
            *f += 1;
        }
        drop(fill);
        let mut cost = Vec::with_capacity(room);
        // `seen[j] == i`: the pair (i, j) was met in row i already.
        let mut seen = vec![NONE; m];
        let mut w = 0;
        for i in 0..n {
            let (lo, hi) = (start[i], start[i + 1]);
            start[i] = w;
            for e in lo..hi {
                let j = col[e];
                if seen[j as usize] == i as u32 {
                    continue;
                }
                seen[j as usize] = i as u32;
                if let Some(c) = edge(i, j as usize) {
                    // w ≤ e: the row is compacted in place.
                    col[w] = j;
                    cost.push(c);
                    w += 1;
                }
            }
        }
        start[n] = w;
        col.truncate(w);
        Graph { start, col, cost, ..Graph::default() }
    }

    /// The columns' lists `(rstart, row, rcost)` of the rows' lists, `m`
    /// columns: each column lists its rows in increasing order.
    fn column_lists(&self, m: usize) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
        let (n, w) = (self.start.len() - 1, self.col.len());
        let mut rstart = vec![0usize; m + 1];
        for &j in &self.col {
            rstart[j as usize + 1] += 1;
        }
        for j in 0..m {
            rstart[j + 1] += rstart[j];
        }
        // Room for the verification rounds' edges, as in `forward`.
        let room = w + w / 8;
        let (mut row, mut rcost) = (Vec::with_capacity(room), Vec::with_capacity(room));
        row.resize(w, 0u32);
        rcost.resize(w, 0.0);
        let mut fill = rstart.clone();
        for i in 0..n {
            for e in self.start[i]..self.start[i + 1] {
                let f = &mut fill[self.col[e] as usize];
                row[*f] = i as u32;
                rcost[*f] = self.cost[e];
                *f += 1;
            }
        }
        (rstart, row, rcost)
    }

    /// Sets the columns' lists (from [`Graph::column_lists`]).
    fn set_columns(&mut self, (rstart, row, rcost): (Vec<usize>, Vec<u32>, Vec<f64>)) {
        (self.rstart, self.row, self.rcost) = (rstart, row, rcost);
    }

    /// Adds edges `(i, j, c)` not in the graph, with distinct `(i, j)`:
    /// appended to their rows and columns in place, in `O(edges)`, each in
    /// `(i, j)` order.
    fn add(&mut self, new: &mut [(u32, u32, f64)]) {
        if new.is_empty() {
            return;
        }
        new.sort_unstable_by_key(|e| (e.0, e.1));
        append_lists(&mut self.start, &mut self.col, &mut self.cost, new);
        let mut by_col: Vec<(u32, u32, f64)> = new.iter().map(|&(i, j, c)| (j, i, c)).collect();
        by_col.sort_unstable_by_key(|e| (e.0, e.1));
        append_lists(&mut self.rstart, &mut self.row, &mut self.rcost, &by_col);
    }

    fn has(&self, i: usize, j: u32) -> bool {
        self.col[self.start[i]..self.start[i + 1]].contains(&j)
    }
}

/// Column prices for a start, or `None` if the auction runs out of bids:
/// Bertsekas' forward auction on the candidate graph, one phase at
/// `ε = AUCTION_EPS ·` the mean edge cost, at most `AUCTION_BIDS · n`
/// bids. Row `a_i` values `b_j` at `c_ij − β_j + p_j` and the diagonal at
/// `α_i` (any number of rows, no price); a row whose best is a `b_j` bids
/// for it, raising `p_j` by the gap to its second best plus `ε`, and the
/// previous holder bids again. Returns `v_j = β_j − p_j` for the columns
/// held at the end and `v_j = β_j` for the others. The prices are a
/// heuristic (all [`Solver::initialize_from`] needs is `v_j ≤ β_j`), but
/// close to optimal duals: the searches that follow are short (at 1k
/// points, `W_1`: the first round settles 7k nodes instead of 28k).
fn auction_prices(g: &Graph, alpha: &[f64], beta: &[f64]) -> Option<Vec<f64>> {
    let (n, m) = (alpha.len(), beta.len());
    // ε relative to the mean candidate edge cost.
    let mean = g.cost.iter().sum::<f64>() / g.cost.len().max(1) as f64;
    let eps = AUCTION_EPS * mean;
    // `t_j = p_j − β_j`: row `a_i` values `b_j` at `c_ij + t_j` (one
    // load per edge).
    let mut t: Vec<f64> = beta.iter().map(|&b| -b).collect();
    let mut owner = vec![NONE; m];
    let mut queue: std::collections::VecDeque<u32> = (0..n as u32).collect();
    let mut bids = AUCTION_BIDS * n;
    while let Some(i) = queue.pop_front() {
        if bids == 0 {
            return None;
        }
        bids -= 1;
        let i = i as usize;
        let (cols, costs) =
            (&g.col[g.start[i]..g.start[i + 1]], &g.cost[g.start[i]..g.start[i + 1]]);
        // Best two values, branch-free (which edge wins is poorly
        // predicted), in two independent dependency chains (even and odd
        // edges) merged at the end; ties go to the diagonal, then to the
        // even chain.
        let step = |(w1, w2, j1): &mut (f64, f64, u32), j: u32, c: f64| {
            let w = c + t[j as usize];
            *w2 = w2.min(w.max(*w1));
            *j1 = if w < *w1 { j } else { *j1 };
            *w1 = w1.min(w);
        };
        let mut even = (alpha[i], f64::INFINITY, NONE);
        let mut odd = (f64::INFINITY, f64::INFINITY, NONE);
        let half = cols.len() / 2;
        for e in 0..half {
            step(&mut even, cols[2 * e], costs[2 * e]);
            step(&mut odd, cols[2 * e + 1], costs[2 * e + 1]);
        }
        if cols.len() % 2 == 1 {
            step(&mut even, cols[2 * half], costs[2 * half]);
        }
        let (w1, j1) = if odd.0 < even.0 { (odd.0, odd.2) } else { (even.0, even.2) };
        let w2 = even.1.min(odd.1).min(even.0.max(odd.0));
        // The diagonal is the best: the row stays there (no price).
        if j1 == NONE {
            continue;
        }
        let j = j1 as usize;
        // A row with one option bids as if its second best were ε away.
        t[j] += if w2 < f64::INFINITY { w2 - w1 + eps } else { eps };
        if owner[j] != NONE {
            queue.push_back(owner[j]);
        }
        owner[j] = i as u32;
    }
    Some((0..m).map(|j| if owner[j] == NONE { beta[j] } else { -t[j] }).collect())
}

/// Appends the entries `(x, y, c)` of `new` to compressed lists (`start`,
/// `other`, `cost`: owner `x`'s entries are `start[x]..start[x + 1]`), in
/// place: from the last owner to the first, each owner's entries move right
/// by the number of new entries before them and its new ones follow. `new`
/// is sorted by `x`. The lists are only lengthened (no new buffer while the
/// capacity lasts: a fresh one would be paged in again in every
/// verification round).
fn append_lists(
    start: &mut [usize],
    other: &mut Vec<u32>,
    cost: &mut Vec<f64>,
    new: &[(u32, u32, f64)],
) {
    let old = other.len();
    other.resize(old + new.len(), 0);
    cost.resize(old + new.len(), 0.0);
    // `k`: new entries not yet placed, all of owners ≤ the current one.
    let mut k = new.len();
    for x in (0..start.len() - 1).rev() {
        if k == 0 {
            break;
        }
        let (lo, hi) = (start[x], start[x + 1]);
        let first = new[..k].partition_point(|e| (e.0 as usize) < x);
        // The owner's new entries at the end of its moved range.
        let shift = first;
        for (t, &(_, y, c)) in new[first..k].iter().enumerate() {
            debug_assert!(!other[lo..hi].contains(&y), "edge already present");
            other[hi + shift + t] = y;
            cost[hi + shift + t] = c;
        }
        if shift > 0 {
            other.copy_within(lo..hi, lo + shift);
            cost.copy_within(lo..hi, lo + shift);
        }
        start[x + 1] = hi + k;
        k = first;
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

/// A monotone priority queue of `(distance, node)` for Dijkstra: a radix
/// heap over the bit patterns of non-negative `f64` (ordered as integers).
/// Every pushed distance must be at least the last popped one.
#[derive(Debug)]
struct RadixHeap {
    buckets: Vec<Vec<(u64, u32)>>,
    /// Bit `i` set iff bucket `i` is non-empty (keys of non-negative
    /// distances have the sign bit clear: 64 buckets).
    full: u64,
    last: u64,
}

impl RadixHeap {
    fn new() -> Self {
        RadixHeap { buckets: (0..64).map(|_| Vec::new()).collect(), full: 0, last: 0 }
    }

    #[inline]
    fn bucket(last: u64, key: u64) -> usize {
        (64 - (key ^ last).leading_zeros()) as usize
    }

    #[inline]
    fn push(&mut self, d: f64, x: u32) {
        let key = d.to_bits();
        debug_assert!(key >= self.last, "radix heap: {d} below the last popped key");
        let i = Self::bucket(self.last, key);
        self.buckets[i].push((key, x));
        self.full |= 1 << i;
    }

    fn pop(&mut self) -> Option<(f64, u32)> {
        if self.full & 1 == 0 {
            if self.full == 0 {
                return None;
            }
            // The first non-empty bucket: its smallest key becomes `last`
            // and its entries move to lower buckets.
            let i = self.full.trailing_zeros() as usize;
            let mut b = std::mem::take(&mut self.buckets[i]);
            self.full &= !(1 << i);
            let last = b.iter().map(|e| e.0).min().unwrap_or(self.last);
            self.last = last;
            for &(k, x) in &b {
                let j = Self::bucket(last, k);
                self.buckets[j].push((k, x));
                self.full |= 1 << j;
            }
            b.clear();
            self.buckets[i] = b;
        }
        let (k, x) = self.buckets[0].pop()?;
        if self.buckets[0].is_empty() {
            self.full &= !1;
        }
        Some((f64::from_bits(k), x))
    }

    fn clear(&mut self) {
        while self.full != 0 {
            let i = self.full.trailing_zeros() as usize;
            self.buckets[i].clear();
            self.full &= !(1 << i);
        }
        self.last = 0;
    }
}

// ---------------------------------------------------------------------------
// Successive shortest paths.

/// One augmenting path: `(node, via, cost)` per node from its source to its
/// target, `via` and `cost` describing the edge that enters the node.
type Path = Vec<(u32, u32, f64)>;

/// Flow, potentials and search scratch. Nodes: `a_i` is `i`, `b_j` is
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
    /// The absolute floor of the zero tolerance (see [`eff`]).
    floor: f64,
    /// The largest diagonal cost (potentials are re-centred when `|π_D|`
    /// exceeds it).
    big: f64,
    /// Excess of `D`: `m − n + #(a on the diagonal) − #(b on the diagonal)`.
    excess_d: i64,
    /// Per `b_k`: `w_k = min (c_ik − α_i)` over glued `a_i` adjacent to it,
    /// which `a_i` and its `c_ik`.
    w: Vec<f64>,
    wa: Vec<u32>,
    wc: Vec<f64>,
    /// Per `b_k`: `min(β_k, w_k) − π_{b_k}` (`+∞` if glued, or settled in
    /// the current Dijkstra).
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
    heap: RadixHeap,
    /// Per settled `a_i`: the tentative distance it gave `D`, through which
    /// glued `b` (`NONE`: by `α_i`) and that edge's cost.
    dnd: Vec<f64>,
    dvia: Vec<u32>,
    dcost: Vec<f64>,
    /// Blocking-path search: nodes (and glued points) visited in search
    /// `stamp`, and each node's edge pointer.
    visit: Vec<u32>,
    ptr: Vec<usize>,
    stamp: u32,
    /// The free `b` (deficit nodes), a superset maintained by `run`.
    free_b: Vec<u32>,
    /// The path of a single search (a reused buffer).
    path: Path,
    /// Whether [`Solver::run`] starts with head phases (not after a start
    /// from prices).
    head_phases: bool,
    /// Since the last verification: rows whose potential may have
    /// decreased, columns whose potential may have increased, and whether
    /// `π_D` decreased (moving the glued `a`). See [`Solver::verify`].
    row_moved: Vec<bool>,
    col_moved: Vec<bool>,
    pd_moved: bool,
}

impl Solver {
    /// A solver with an empty graph (set `g` before use) and no pair
    /// matched.
    fn new(alpha: &[f64], beta: &[f64]) -> Self {
        let (n, m) = (alpha.len(), beta.len());
        let nodes = n + m + 1;
        let big = alpha.iter().chain(beta).copied().fold(0.0, f64::max);
        Solver {
            n,
            m,
            alpha: alpha.to_vec(),
            beta: beta.to_vec(),
            g: Graph::default(),
            mate_a: vec![NONE; n],
            mate_b: vec![NONE; m],
            mcost: vec![0.0; m],
            pa: vec![0.0; n],
            pb: vec![0.0; m],
            pd: 0.0,
            floor: FLOOR * big,
            big,
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
            heap: RadixHeap::new(),
            dnd: vec![0.0; n],
            dvia: vec![NONE; n],
            dcost: vec![0.0; n],
            visit: vec![0; nodes],
            ptr: vec![0; nodes],
            stamp: 0,
            free_b: Vec::new(),
            path: Vec::new(),
            head_phases: true,
            row_moved: vec![true; n],
            col_moved: vec![false; m],
            pd_moved: false,
        }
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

    /// Effective reduced cost of `a_i → b_j` (`b_j` not glued).
    #[inline(always)]
    fn forward_rc(&self, c: f64, pa: f64, pb: f64) -> f64 {
        eff(c + pa - pb, c + pa.abs() + pb.abs() + self.floor)
    }

    /// Effective reduced cost of `a_i → D` given `to_d`, the cheaper of `α_i`
    /// and `c_ij − β_j` over glued `b_j`.
    #[inline(always)]
    fn diag_rc(&self, to_d: f64, pa: f64) -> f64 {
        eff(to_d + pa - self.pd, to_d.abs() + pa.abs() + self.pd.abs() + self.floor)
    }

    /// Effective reduced cost of `D → b_j` given its hub key.
    #[inline(always)]
    fn stream_rc(&self, key: f64, j: usize) -> f64 {
        let mag = self.beta[j].min(self.w[j]).abs() + self.pb[j].abs() + self.pd.abs();
        eff(key + self.pd, mag + self.floor)
    }

    /// Effective reduced cost of `b_j → a_i`, `a_i` its mate.
    #[inline(always)]
    fn back_rc(&self, j: usize, i: usize) -> f64 {
        let (pb, pa, c) = (self.pb[j], self.pa[i], self.mcost[j]);
        eff(pb - c - pa, pb.abs() + c + pa.abs() + self.floor)
    }

    /// `D`'s edge into `b_j`: through the glued `a` of `w_j` if that is
    /// cheaper than `β_j` (`via`, and the cost of that `a → b_j` edge), else
    /// by `β_j` (`NONE`).
    #[inline(always)]
    fn hub_edge(&self, j: usize) -> (u32, f64) {
        if self.w[j] < self.beta[j] { (self.wa[j], self.wc[j]) } else { (NONE, self.beta[j]) }
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
        (self.w[j], self.wa[j], self.wc[j]) = self.fresh_w(j);
    }

    /// `(w_j, its glued row, the edge's cost)` from `b_j`'s edges.
    fn fresh_w(&self, j: usize) -> (f64, u32, f64) {
        let (mut w, mut wa, mut wc) = (f64::INFINITY, NONE, 0.0);
        for e in self.g.rstart[j]..self.g.rstart[j + 1] {
            let (i, c) = (self.g.row[e] as usize, self.g.rcost[e]);
            if self.mate_a[i] == DIAG && c - self.alpha[i] < w {
                (w, wa, wc) = (c - self.alpha[i], i as u32, c);
            }
        }
        (w, wa, wc)
    }

    /// `a_i` goes to the diagonal.
    fn glue_a(&mut self, i: usize) {
        self.mate_a[i] = DIAG;
        // Its potential becomes π_D − α_i, equal to the old one to within
        // the zero tolerance.
        self.row_moved[i] = true;
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

    /// Shifts every explicit potential by `−π_D` (reduced costs are
    /// unchanged), so that potentials stay of the size of the costs and the
    /// zero tolerance stays relative to them.
    fn renormalize(&mut self) {
        let shift = self.pd;
        if shift == 0.0 {
            return;
        }
        for p in self.pa.iter_mut().chain(self.pb.iter_mut()) {
            *p -= shift;
        }
        self.pd = 0.0;
        self.rebuild_hub();
    }

    /// A start for the shortest-path method from the empty flow (Jonker and
    /// Volgenant's column reduction and reduction transfer, `D` being a
    /// column of unlimited capacity at price `π_D = 0`): potentials with
    /// every residual reduced cost non-negative and a partial matching of
    /// tight edges. See the module documentation.
    fn initialize(&mut self) {
        let (n, m) = (self.n, self.m);
        debug_assert!(self.mate_a.iter().all(|&x| x == NONE) && self.pd == 0.0);
        debug_assert!(self.pa.iter().all(|&p| p == 0.0));
        // v_j = π_{b_j} (π_D = 0); a glued b_j keeps v_j = β_j.
        let mut v = vec![0.0; m];
        // Column reduction: v_j = min(β_j, min_i c_ij) (every u_i is 0 yet).
        for j in (0..m).rev() {
            v[j] = self.place_column(j);
        }
        // Reduction transfer: an assigned row's second-best option becomes
        // tight too (u_i = μ, v_{j1} = c_{i j1} − μ).
        for i in 0..n {
            let j1 = self.mate_a[i];
            if j1 == NONE {
                continue;
            }
            let mut mu = self.alpha[i];
            for e in self.g.start[i]..self.g.start[i + 1] {
                let j = self.g.col[e];
                if j != j1 {
                    mu = mu.min(self.g.cost[e] - v[j as usize]);
                }
            }
            let mu = mu.max(0.0);
            v[j1 as usize] = self.mcost[j1 as usize] - mu;
            // π_{a_i} = −u_i.
            self.pa[i] = -mu;
        }
        for i in 0..n {
            if self.mate_a[i] == NONE {
                // A free row: the largest feasible u_i.
                let mut p = -self.alpha[i];
                for e in self.g.start[i]..self.g.start[i + 1] {
                    p = p.max(v[self.g.col[e] as usize] - self.g.cost[e]);
                }
                self.pa[i] = p;
            }
        }
        self.pb.copy_from_slice(&v);
        self.rebuild_hub();
        #[cfg(test)]
        self.check_optimality();
    }

    /// A start from column prices `v` with `v_j ≤ β_j` (`π_D = 0`,
    /// `π_{b_j} = v_j`): each row takes `u_i = min(α_i, min_j (c_ij − v_j))`
    /// over its candidate edges, goes to the diagonal if `α_i` is that
    /// minimum, else to its minimum's column if that one is still free; then
    /// each free column rises to `v_j = min(β_j, min_i (c_ij − u_i))` and
    /// goes to the diagonal if `β_j` is that minimum, else to its minimum's
    /// row if that one is free (on the benchmark diagrams this places about
    /// 40% of the rows the first pass leaves free). Every residual reduced
    /// cost is then non-negative (each row at its minimum, each column at
    /// most its minimum and `β_j`) and every matched pair tight.
    fn initialize_from(&mut self, v: &[f64]) {
        let n = self.n;
        debug_assert!(self.mate_a.iter().all(|&x| x == NONE) && self.pd == 0.0);
        debug_assert!(v.iter().zip(&self.beta).all(|(v, b)| v <= b));
        for i in 0..n {
            let (mut best, mut arg, mut bc) = (self.alpha[i], DIAG, 0.0);
            for e in self.g.start[i]..self.g.start[i + 1] {
                let w = self.g.cost[e] - v[self.g.col[e] as usize];
                if w < best {
                    (best, arg, bc) = (w, self.g.col[e], self.g.cost[e]);
                }
            }
            self.pa[i] = -best;
            if arg == DIAG {
                self.mate_a[i] = DIAG;
                self.excess_d += 1;
            } else if self.mate_b[arg as usize] == NONE {
                self.mate_a[i] = arg;
                self.mate_b[arg as usize] = i as u32;
                self.mcost[arg as usize] = bc;
            }
        }
        self.pb.copy_from_slice(v);
        self.head_phases = false;
        // Each free column rises to its own minimum (every reduced cost
        // stays non-negative).
        for j in 0..self.m {
            if self.mate_b[j] == NONE {
                self.pb[j] = self.place_column(j);
            }
        }
        self.rebuild_hub();
        #[cfg(test)]
        self.check_optimality();
    }

    /// The free column `b_j` at its own minimum
    /// `min(β_j, min_i (c_ij − u_i))` over its edges (`u_i = −π_{a_i}`,
    /// `π_D = 0`), which is returned: it goes to the diagonal if that is
    /// `β_j`, else to the minimum's row if that row is free (the first
    /// minimum on ties).
    fn place_column(&mut self, j: usize) -> f64 {
        let (mut best, mut arg, mut bc) = (self.beta[j], DIAG, 0.0);
        for e in self.g.rstart[j]..self.g.rstart[j + 1] {
            let (i, c) = (self.g.row[e], self.g.rcost[e]);
            let w = c + self.pa[i as usize];
            if w < best {
                (best, arg, bc) = (w, i, c);
            }
        }
        if arg == DIAG {
            self.mate_b[j] = DIAG;
            self.excess_d -= 1;
        } else if self.mate_a[arg as usize] == NONE {
            self.mate_a[arg as usize] = j as u32;
            self.mate_b[j] = arg;
            self.mcost[j] = bc;
        }
        best
    }

    /// Sends every excess unit to a deficit: the free `a` to `D` (which
    /// absorbs any number of units) or to free `b` by head phases while they
    /// place at least one unit per `HEAD_RATIO` sources, then one source at
    /// a time; then `D`'s excess, if any, by one backward search per free
    /// `b`.
    fn run(&mut self) {
        self.renormalize();
        self.free_b.clear();
        self.free_b.extend((0..self.m as u32).filter(|&j| self.mate_b[j as usize] == NONE));
        let mut sources: Vec<u32> = Vec::new();
        let mut head = self.head_phases;
        loop {
            sources.clear();
            sources.extend((0..self.n as u32).filter(|&i| self.mate_a[i as usize] == NONE));
            if sources.is_empty() {
                if self.excess_d <= 0 {
                    return;
                }
                let mut free = std::mem::take(&mut self.free_b);
                free.retain(|&j| self.mate_b[j as usize] == NONE);
                // As many free b as units of excess (the supplies sum to 0).
                assert!(!free.is_empty(), "D has excess and no b is free");
                for &j in &free {
                    if self.excess_d <= 0 {
                        break;
                    }
                    if self.mate_b[j as usize] == NONE {
                        self.reverse_phase(j as usize);
                    }
                }
                self.free_b = free;
                continue;
            }
            if head && sources.len() > 1 {
                if self.pd.abs() > self.big {
                    self.renormalize();
                }
                if self.phase(&sources, false) * HEAD_RATIO < sources.len() {
                    head = false;
                }
                continue;
            }
            for &s in &sources {
                if self.pd.abs() > self.big {
                    self.renormalize();
                }
                self.phase(&[s], true);
            }
        }
    }

    /// One Dijkstra backwards from the free `b_t` (distances to it) to the
    /// first excess node (`D` or a free `a`), the potential update
    /// `π_x += T − d_x` on the settled nodes (`T` the excess node's distance;
    /// `π_D` does not move: `D` is settled last if at all) and the
    /// augmentation along the path.
    fn reverse_phase(&mut self, t: usize) {
        let (n, m) = (self.n, self.m);
        let hub = (n + m) as u32;
        let tn = (n + t) as u32;
        // Here `pred[x]` is the next node towards b_t and `via`, `pcost`
        // describe the edge from x to it.
        self.relax(tn, 0.0, NONE, NONE, 0.0);
        let mut found = NONE;
        let mut top = 0.0;
        // The smallest tentative distance of an excess node: farther nodes
        // are not settled before the search ends, so they are not queued.
        let mut bound = f64::INFINITY;
        while let Some((_, x)) = self.heap.pop() {
            let xu = x as usize;
            if self.done[xu] {
                continue;
            }
            self.done[xu] = true;
            self.settled.push(x);
            let d = self.dist[xu];
            if xu == hub as usize {
                if self.excess_d > 0 {
                    found = x;
                    top = d;
                    break;
                }
                continue;
            }
            if xu < n {
                let i = xu;
                match self.mate_a[i] {
                    NONE => {
                        found = x;
                        top = d;
                        break;
                    }
                    j => {
                        // Glued a's are never settled: `i` is matched to b_j.
                        let nd = d + self.back_rc(j as usize, i);
                        if nd <= bound {
                            self.relax(n as u32 + j, nd, x, NONE, self.mcost[j as usize]);
                        }
                    }
                }
            } else {
                let j = xu - n;
                // From D (by β_j or through a glued a).
                let key = self.hub_key(j);
                let (via, c) = self.hub_edge(j);
                let nd = d + self.stream_rc(key, j);
                self.relax(hub, nd, x, via, c);
                if self.excess_d > 0 {
                    bound = bound.min(nd);
                }
                // From the a's with a candidate edge to b_j.
                let pbj = self.pb[j];
                for e in self.g.rstart[j]..self.g.rstart[j + 1] {
                    let (i, c) = (self.g.row[e], self.g.rcost[e]);
                    let mi = self.mate_a[i as usize];
                    if mi == DIAG || mi == j as u32 {
                        continue;
                    }
                    let nd = d + self.forward_rc(c, self.pa[i as usize], pbj);
                    if nd <= bound {
                        self.relax(i, nd, x, NONE, c);
                        if mi == NONE {
                            bound = bound.min(nd);
                        }
                    }
                }
            }
        }
        self.heap.clear();
        assert!(found != NONE, "a deficit node is always reached from an excess node");
        // The path from the excess node to b_t, as (node, via, cost) of the
        // edge entering each node.
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        path.push((found, NONE, 0.0));
        let mut y = found;
        while y != tn {
            let yu = y as usize;
            path.push((self.pred[yu], self.via[yu], self.pcost[yu]));
            y = self.pred[yu];
        }
        for &x in &self.settled {
            let x = x as usize;
            let delta = top - self.dist[x].min(top);
            if x < n {
                self.pa[x] += delta;
            } else if x < n + m {
                self.pb[x - n] += delta;
                self.col_moved[x - n] |= delta > 0.0;
            }
        }
        self.augment(&path);
        self.path = path;
        self.finish_search();
    }

    /// After a search's potential update and augmentation: the hub keys of
    /// the settled `b` (their potentials moved) and the search scratch reset.
    fn finish_search(&mut self) {
        let (n, m) = (self.n, self.m);
        for k in 0..self.settled.len() {
            let x = self.settled[k] as usize;
            if (n..n + m).contains(&x) {
                self.refresh(x - n);
            }
        }
        for &x in &self.seen {
            self.dist[x as usize] = f64::INFINITY;
            self.done[x as usize] = false;
        }
        self.seen.clear();
        self.settled.clear();
        #[cfg(test)]
        self.check_optimality();
    }

    /// The head of `D`'s stream: the unsettled non-glued `b_k` with the
    /// smallest hub key (settled ones are dropped from the tree on the way;
    /// [`Solver::phase`] restores their keys).
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

    #[inline(always)]
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
            self.heap.push(nd, y);
        }
    }

    /// One Dijkstra from `sources` (free `a`, distance 0 each), the
    /// potential update and the augmentations; returns the number of paths
    /// augmented (at least one). Targets are the free `b` and `D`, which
    /// takes any number of units. `single`: stop at the first target and
    /// augment the tree path; otherwise run until as many free `b` as
    /// sources are settled, or `D` is, and augment a blocking set of DAG
    /// paths (see the module documentation).
    fn phase(&mut self, sources: &[u32], single: bool) -> usize {
        let (n, m) = (self.n, self.m);
        let hub = (n + m) as u32;
        let stream = hub + 1;
        debug_assert!(sources.iter().all(|&s| (s as usize) < n));
        for &s in sources {
            self.relax(s, 0.0, NONE, NONE, 0.0);
        }
        let need = sources.len();
        let mut found = 0usize;
        let mut top = 0.0f64;
        let mut first_target = NONE;
        // One source: the smallest tentative distance of a target (D or a
        // free b); a node farther away is not settled before the search
        // ends, so it is not queued.
        let mut bound = f64::INFINITY;
        while let Some((d, mut x)) = self.heap.pop() {
            if x == stream {
                let Some((key, j)) = self.stream_head() else { continue };
                let dd = self.dist[hub as usize];
                let nd = dd + self.stream_rc(key, j);
                if nd > d {
                    self.heap.push(nd, stream);
                    continue;
                }
                // The head was settled at `d`, not below: keys grow along the
                // stream, but the zero tolerance of `eff` may not (settling
                // at `d` still satisfies `d ≤ d_D + rc` for the real reduced
                // cost, which is at least the earlier heads').
                let nd = d;
                let (via, c) = self.hub_edge(j);
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
                if let Some((key, j)) = self.stream_head() {
                    self.heap.push((dd + self.stream_rc(key, j)).max(d), stream);
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
                        let nd = d + self.forward_rc(c, pai, self.pb[j as usize]);
                        if nd <= bound {
                            self.relax(n as u32 + j, nd, x, NONE, c);
                            if single && mj == NONE {
                                bound = bound.min(nd);
                            }
                        }
                    }
                }
                let nd = d + self.diag_rc(to_d, pai);
                (self.dnd[i], self.dvia[i], self.dcost[i]) = (nd, to_d_via, to_d_c);
                self.relax(hub, nd, x, to_d_via, to_d_c);
                if single {
                    bound = bound.min(nd);
                }
            } else if xu < n + m {
                let j = xu - n;
                let i = self.mate_b[j];
                if i == NONE {
                    found += 1;
                    top = d;
                    if first_target == NONE {
                        first_target = x;
                    }
                } else {
                    // Matched (glued b's are never settled): back to its a.
                    let nd = d + self.back_rc(j, i as usize);
                    if nd <= bound {
                        self.relax(i, nd, x, NONE, self.mcost[j]);
                    }
                }
            } else {
                // D absorbs any number of units: every source is served.
                found = need;
                top = d;
                if first_target == NONE {
                    first_target = x;
                }
                // D's out-edges are relaxed even when it is a target: every
                // settled node must be, for the potential update.
                if let Some((key, j)) = self.stream_head() {
                    self.heap.push(d + self.stream_rc(key, j), stream);
                }
            }
            if found >= need || (single && found > 0) {
                break;
            }
        }
        self.heap.clear();
        assert!(first_target != NONE, "an excess node always reaches a deficit node");

        let paths = if single { Vec::new() } else { self.blocking_paths(sources, top) };
        // Otherwise the tree path to the first target (tight after the
        // update, its distance being at most `top`), in the reused buffer.
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        if paths.is_empty() {
            let mut y = first_target;
            while y != NONE {
                path.push((y, self.via[y as usize], self.pcost[y as usize]));
                y = self.pred[y as usize];
            }
            path.reverse();
        }

        // Potentials: settled nodes move by min(d_v, T) − T (glued ones
        // follow D).
        for &x in &self.settled {
            let x = x as usize;
            let delta = self.dist[x].min(top) - top;
            if x < n {
                self.pa[x] += delta;
                self.row_moved[x] |= delta < 0.0;
            } else if x < n + m {
                self.pb[x - n] += delta;
            } else {
                self.pd += delta;
                self.pd_moved |= delta < 0.0;
            }
        }
        for p in &paths {
            self.augment(p);
        }
        if paths.is_empty() {
            self.augment(&path);
        }
        self.path = path;
        self.finish_search();
        paths.len().max(1)
    }

    /// A blocking set of disjoint augmenting paths in the shortest-path DAG
    /// of the last Dijkstra (depth-first, each node tried once; any number
    /// of paths may end at `D`).
    fn blocking_paths(&mut self, sources: &[u32], top: f64) -> Vec<Path> {
        let (n, hub) = (self.n, (self.n + self.m) as u32);
        self.stamp += 1;
        let stamp = self.stamp;
        for &x in &self.settled {
            self.ptr[x as usize] = 0;
        }
        let mut paths = Vec::new();
        let mut stack: Path = Vec::new();
        for &s in sources {
            // A source the Dijkstra stopped before settling has no DAG edges.
            if !self.done[s as usize] {
                continue;
            }
            self.visit[s as usize] = stamp;
            stack.clear();
            stack.push((s, NONE, 0.0));
            while let Some(&(u, _, _)) = stack.last() {
                let uu = u as usize;
                // D takes any number of paths, a free b one.
                if u == hub || (uu >= n && self.mate_b[uu - n] == NONE) {
                    self.mark_vias(&stack, stamp);
                    paths.push(stack.clone());
                    break;
                }
                match self.next_edge(u, top, stamp) {
                    Some((v, via, c)) => {
                        if v != hub {
                            self.visit[v as usize] = stamp;
                        }
                        stack.push((v, via, c));
                    }
                    None => {
                        stack.pop();
                    }
                }
            }
        }
        paths
    }

    /// The next DAG edge out of the `a` or `b` node `u` (from its edge
    /// pointer) to an unvisited settled node with `d ≤ top`, as
    /// `(head, via, cost)`.
    fn next_edge(&mut self, u: u32, top: f64, stamp: u32) -> Option<(u32, u32, f64)> {
        let (n, m) = (self.n, self.m);
        let hub = n + m;
        let uu = u as usize;
        let du = self.dist[uu];
        let ok = |s: &Self, v: usize| s.done[v] && s.dist[v] <= top && s.visit[v] != stamp;
        if uu < n {
            let (lo, hi) = (self.g.start[uu], self.g.start[uu + 1]);
            while self.ptr[uu] < hi - lo {
                let e = lo + self.ptr[uu];
                self.ptr[uu] += 1;
                let (j, c) = (self.g.col[e] as usize, self.g.cost[e]);
                let mj = self.mate_b[j];
                if mj == DIAG || mj == u {
                    continue;
                }
                let v = n + j;
                if ok(self, v) && self.dist[v] == du + self.forward_rc(c, self.pa[uu], self.pb[j]) {
                    return Some((v as u32, NONE, c));
                }
            }
            if self.ptr[uu] == hi - lo {
                self.ptr[uu] += 1;
                let via = self.dvia[uu];
                if self.done[hub]
                    && self.dist[hub] <= top
                    && self.dist[hub] == self.dnd[uu]
                    && (via == NONE || self.visit[n + via as usize] != stamp)
                {
                    return Some((hub as u32, via, self.dcost[uu]));
                }
            }
            None
        } else {
            debug_assert!(uu < hub, "D ends every path");
            if self.ptr[uu] > 0 {
                return None;
            }
            self.ptr[uu] = 1;
            let j = uu - n;
            let i = self.mate_b[j] as usize;
            if ok(self, i) && self.dist[i] == du + self.back_rc(j, i) {
                Some((i as u32, NONE, self.mcost[j]))
            } else {
                None
            }
        }
    }

    /// Marks the glued points taken off the diagonal by a found path: `b_j`
    /// on an edge `a → D` (as node `n + j`), `a_l` on an edge `D → b` (as
    /// node `l`); glued points are never nodes of a search.
    fn mark_vias(&mut self, path: &[(u32, u32, f64)], stamp: u32) {
        let hub = (self.n + self.m) as u32;
        for &(v, via, _) in &path[1..] {
            if via == NONE {
                continue;
            }
            if v == hub {
                self.visit[self.n + via as usize] = stamp;
            } else {
                self.visit[via as usize] = stamp;
            }
        }
    }

    /// Augments along a path from its source to its target: the forward
    /// edges set the new mates (a reverse edge's ends get theirs from the
    /// forward edges around it).
    fn augment(&mut self, path: &[(u32, u32, f64)]) {
        let (n, m) = (self.n, self.m);
        let hub = n + m;
        for w in path.windows(2) {
            let x = w[0].0 as usize;
            let (y, via, c) = (w[1].0 as usize, w[1].1, w[1].2);
            if x < n {
                if y < n + m {
                    let j = y - n;
                    self.mate_a[x] = j as u32;
                    self.mate_b[j] = x as u32;
                    self.mcost[j] = c;
                } else if via == NONE {
                    self.glue_a(x);
                } else {
                    // a_x → b_j (glued) → D: b_j leaves the diagonal.
                    let j = via as usize;
                    self.pb[j] = self.pd + self.beta[j];
                    self.mate_a[x] = j as u32;
                    self.mate_b[j] = x as u32;
                    self.mcost[j] = c;
                    self.refresh(j);
                }
            } else if x == hub {
                let k = y - n;
                if via == NONE {
                    self.mate_b[k] = DIAG;
                    // Its potential becomes π_D + β_k (see `glue_a`).
                    self.col_moved[k] = true;
                } else {
                    // D → a_l (glued) → b_k: a_l leaves the diagonal.
                    self.unglue_a(via as usize, k as u32);
                    self.mate_b[k] = via;
                    self.mcost[k] = c;
                }
            }
            if (n..n + m).contains(&y) {
                self.refresh(y - n);
            }
        }
        if path[0].0 as usize == hub {
            self.excess_d -= 1;
        }
        if path[path.len() - 1].0 as usize == hub {
            self.excess_d += 1;
        }
    }

    /// Frees `a_i` (its partner becomes free, or `D` loses an inflow; if it
    /// was glued, the `w` it gave its columns are recomputed) and sets its
    /// potential so that its edges have non-negative reduced costs (a free
    /// point has no incoming residual edge).
    fn unassign(&mut self, i: usize) {
        let glued = self.mate_a[i] == DIAG;
        match self.mate_a[i] {
            DIAG => self.excess_d -= 1,
            NONE => {}
            j => self.mate_b[j as usize] = NONE,
        }
        self.mate_a[i] = NONE;
        if glued {
            // Its columns' `w` no longer count it.
            for e in self.g.start[i]..self.g.start[i + 1] {
                let j = self.g.col[e] as usize;
                if self.wa[j] == i as u32 {
                    self.recompute_w(j);
                    self.refresh(j);
                }
            }
        }
        // Violated: checked again at the next verification.
        self.row_moved[i] = true;
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

    /// The largest ground distance (not powered) an edge of the matching
    /// spans, a diagonal one included: [`Solver::primal`]'s terms before the
    /// cost function (every point is matched after [`Solver::run`]; `NONE`
    /// would count as no edge).
    fn largest(&self, a: &[PersistencePair], b: &[PersistencePair], ground: Ground) -> f64 {
        let rows = (0..self.n).filter(|&i| self.mate_a[i] == DIAG).map(|i| ground.diag(a[i]));
        let columns = (0..self.m).map(|j| match self.mate_b[j] {
            DIAG => ground.diag(b[j]),
            NONE => 0.0,
            i => ground.dist(a[i as usize], b[j]),
        });
        rows.chain(columns).fold(0.0, f64::max)
    }

    /// Checks `u_i + v_j ≤ c_ij` for all pairs (skipping those that held
    /// in the previous round and whose ends have not moved towards a
    /// violation since, see the module documentation). Returns the best edges (not
    /// yet in the graph) of the violated rows, the rows whose matched pair
    /// is not tight, and the value of the repaired duals
    /// `Σ min(v_j, β_j) + Σ min(u_i, α_i, min_j (c_ij − v_j))`, feasible for
    /// the complete problem: a lower bound of the optimum. `reach`: per
    /// row, the distance within which every `b` is among its candidates
    /// (see [`Neighbours`]).
    fn verify(
        &self,
        a: &[PersistencePair],
        b: &[PersistencePair],
        ground: Ground,
        cost: &(impl Fn(f64) -> f64 + Sync),
        tree_b: &mut KdTree,
        reach: &[f64],
    ) -> (Vec<(u32, u32, f64)>, Vec<u32>, f64) {
        let v: Vec<f64> = (0..self.m).map(|j| self.pot_b(j) - self.pd).collect();
        let mut lower: f64 = v.iter().zip(&self.beta).map(|(&v, &b)| v.min(b)).sum();
        let mut violations = Vec::new();
        let mut loose = Vec::new();
        let violated = |u: f64, best: f64, vj: f64| {
            let c = best + vj;
            best - u < -TOL * (c.abs() + u.abs() + vj.abs())
        };
        let moved = |i: usize| self.row_moved[i] || (self.pd_moved && self.mate_a[i] == DIAG);
        let any_col = self.col_moved.iter().any(|&x| x);
        // First the rows that moved against every column, then the others
        // against the columns that moved.
        for pass in 0..2 {
            let rows: Vec<usize> = (0..self.n).filter(|&i| moved(i) == (pass == 0)).collect();
            if pass == 1 && !any_col {
                for &i in &rows {
                    lower += (self.pd - self.pot_a(i)).min(self.alpha[i]);
                }
                continue;
            }
            if pass == 0 {
                tree_b.set_keys(|j| -v[j]);
            } else {
                tree_b.set_keys(|j| if self.col_moved[j] { -v[j] } else { f64::INFINITY });
            }
            let tree: &KdTree = tree_b;
            // Per chunk of rows: each row's term of the bound, and the
            // violated rows' best few edges by reduced cost (summed and
            // listed in row order below, as one thread would).
            let chunks = super::par::map_chunks(rows.len(), VERIFY_CHUNK, |range| {
                let mut terms = Vec::with_capacity(range.len());
                let mut found = Vec::new();
                let mut near = Vec::new();
                let mut leaves = Vec::new();
                for group in rows[range].chunks(VERIFY_GROUP) {
                    // One traversal for the group: its box, its largest `u`
                    // and its smallest reach.
                    let qbox = bounding_box(group.iter().map(|&i| a[i]));
                    let (mut limit, mut floor) = (f64::NEG_INFINITY, f64::INFINITY);
                    for &i in group {
                        limit = limit.max(self.pd - self.pot_a(i));
                        floor = floor.min(reach[i]);
                    }
                    tree.leaves_below(qbox, ground, cost, limit, floor, &mut leaves);
                    for &i in group {
                        let p = a[i];
                        let u = self.pd - self.pot_a(i);
                        // Only values below u matter (for the bound and the check).
                        let (best, j) = tree.best_in_leaves(p, ground, cost, u, reach[i], &leaves);
                        terms.push(best.min(self.alpha[i]));
                        if j != usize::MAX && violated(u, best, v[j]) {
                            // Only values below `u` can be violated.
                            tree.best_k(p, ADD, ground, cost, &mut near, u);
                            for &(val, j) in &near {
                                if violated(u, val, v[j]) && !self.g.has(i, j as u32) {
                                    found.push((i as u32, j as u32, cost(ground.dist(p, b[j]))));
                                }
                            }
                        }
                    }
                }
                (terms, found)
            });
            for (terms, found) in chunks {
                lower = terms.iter().fold(lower, |s, &t| s + t);
                violations.extend(found);
            }
        }
        for i in 0..self.n {
            self.check_pair(i, &mut loose);
        }
        (violations, loose, lower)
    }

    /// Complementary slackness of `a_i`'s matched pair, as the solver tests
    /// tightness (`i` is pushed on `loose` if it fails).
    fn check_pair(&self, i: usize, loose: &mut Vec<u32>) {
        let mj = self.mate_a[i];
        if mj != DIAG && mj != NONE {
            let (c, pa, pb) = (self.mcost[mj as usize], self.pa[i], self.pb[mj as usize]);
            if c + pa - pb > 4.0 * EPS * (c + pa.abs() + pb.abs() + self.floor) {
                loose.push(i as u32);
            }
        }
    }

    /// Test invariant: every `w_j` and hub key is what [`Solver::rebuild_hub`]
    /// would compute, and `w_j` is attained by the glued row `wa_j` (ties
    /// may pick another row).
    #[cfg(test)]
    fn check_hub(&self) {
        for j in 0..self.m {
            assert_eq!(self.w[j], self.fresh_w(j).0, "column {j}");
            if self.wa[j] != NONE {
                let i = self.wa[j] as usize;
                assert_eq!(self.mate_a[i], DIAG, "column {j}: w from an unglued row");
                assert_eq!(self.wc[j] - self.alpha[i], self.w[j], "column {j}");
            }
            assert_eq!(self.hub.val[self.hub.size + j], self.hub_key(j), "column {j}");
        }
    }

    /// Test invariant: every residual reduced cost is non-negative to the
    /// solver's tolerance (reduced-cost optimality of the pseudo-flow), and
    /// the mates are consistent.
    #[cfg(test)]
    fn check_optimality(&self) {
        let (n, m) = (self.n, self.m);
        let tol = |mag: f64| 4.0 * EPS * (mag + self.floor);
        let mut diag_a = 0i64;
        for i in 0..n {
            let pa = self.pot_a(i);
            let rc = self.alpha[i] + pa - self.pd;
            let mag = self.alpha[i] + pa.abs() + self.pd.abs();
            assert!(rc >= -tol(mag), "a{i} → D: {rc}");
            if self.mate_a[i] == DIAG {
                diag_a += 1;
                assert!(rc <= tol(mag), "a{i} on the diagonal, not tight: {rc}");
            }
            for e in self.g.start[i]..self.g.start[i + 1] {
                let (j, c) = (self.g.col[e] as usize, self.g.cost[e]);
                let pb = self.pot_b(j);
                let (rc, mag) = (c + pa - pb, c + pa.abs() + pb.abs());
                assert!(rc >= -tol(mag), "a{i} → b{j}: {rc}");
                if self.mate_a[i] == j as u32 {
                    assert_eq!(self.mate_b[j], i as u32);
                    assert!(rc <= tol(mag), "a{i} – b{j} matched, not tight: {rc}");
                }
            }
        }
        let mut diag_b = 0i64;
        for j in 0..m {
            let pb = self.pot_b(j);
            let rc = self.beta[j] + self.pd - pb;
            assert!(rc >= -tol(self.beta[j] + self.pd.abs() + pb.abs()), "D → b{j}: {rc}");
            match self.mate_b[j] {
                DIAG => diag_b += 1,
                NONE => {}
                i => assert_eq!(self.mate_a[i as usize], j as u32),
            }
        }
        assert_eq!(self.excess_d, m as i64 - n as i64 + diag_a - diag_b);
    }
}

#[cfg(test)]
mod tests {
    use nnph_homology::PersistencePair as P;
    use proptest::prelude::*;

    use super::super::{Ground, GroundMetric, Power, dense_wasserstein, finite_bottleneck};
    use super::*;

    impl Graph {
        /// From distinct edges `(i, j, c)`, in their order.
        fn from_edges(n: usize, m: usize, edges: &[(u32, u32, f64)]) -> Self {
            let mut sorted = edges.to_vec();
            sorted.sort_unstable_by_key(|e| (e.0, e.1));
            let cost = |i: usize, j: usize| {
                let at = sorted.binary_search_by_key(&(i as u32, j as u32), |e| (e.0, e.1));
                at.ok().map(|at| sorted[at].2)
            };
            Graph::new(n, m, || edges.iter().map(|e| (e.0, e.1)), cost)
        }

        /// The edges `(i, j, c)` listed by rows, sorted.
        fn rows(&self) -> Vec<(u32, u32, f64)> {
            let mut v: Vec<_> = (0..self.start.len() - 1)
                .flat_map(|i| (self.start[i]..self.start[i + 1]).map(move |e| (i, e)))
                .map(|(i, e)| (i as u32, self.col[e], self.cost[e]))
                .collect();
            v.sort_unstable_by_key(|e| (e.0, e.1));
            v
        }

        /// The edges `(i, j, c)` listed by columns, sorted by `(i, j)`.
        fn columns(&self) -> Vec<(u32, u32, f64)> {
            let mut v: Vec<_> = (0..self.rstart.len() - 1)
                .flat_map(|j| (self.rstart[j]..self.rstart[j + 1]).map(move |e| (j, e)))
                .map(|(j, e)| (self.row[e], j as u32, self.rcost[e]))
                .collect();
            v.sort_unstable_by_key(|e| (e.0, e.1));
            v
        }
    }

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

    /// L∞, L1, L2 and L3.
    fn ground() -> impl Strategy<Value = Ground> {
        prop::sample::select(vec![
            GroundMetric::LInf,
            GroundMetric::Lp(1.0),
            GroundMetric::Lp(2.0),
            GroundMetric::Lp(3.0),
        ])
        .prop_map(|g| Ground::new(g).unwrap())
    }

    fn exponent() -> impl Strategy<Value = f64> {
        prop::sample::select(vec![1.0, 2.0, 3.0, 1.5])
    }

    /// The sparse solver's reports (from both starts) and the dense
    /// Hungarian's value, with the power scaled by the bottleneck distance
    /// as `wasserstein_exact` does (`None` if the diagrams are at distance 0).
    fn solve_both(a: &[P], b: &[P], g: Ground, q: f64, k: usize) -> Option<(Report, Report, f64)> {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        let scale = finite_bottleneck(&mut a, &mut b, g, 0.0);
        if scale == 0.0 {
            return None;
        }
        let power = Power::new(q, scale);
        let dense = dense_wasserstein(&a, &b, g, &power);
        let by = |start| power_sum_from(candidates(&a, &b, g, k), g, &power, start);
        Some((by(Start::Auction), by(Start::ColumnReduction), dense))
    }

    /// The sparse value equals the Hungarian's to 1e-9 (relative) and the
    /// certificate's lower bound is within 1e-10 of it (the solver checks
    /// its flow's reduced-cost optimality after every phase, in tests).
    fn check(a: &[P], b: &[P], g: Ground, q: f64, k: usize) -> Result<Report, TestCaseError> {
        let Some((r, jv, dense)) = solve_both(a, b, g, q, k) else {
            return Ok(Report { value: 0.0, lower: 0.0, rounds: 0, edges: 0, largest: 0.0 });
        };
        for r in [&r, &jv] {
            prop_assert!(
                (r.value - dense).abs() <= 1e-9 * dense,
                "sparse {} vs dense {dense} (k = {k}, q = {q}, {g:?})",
                r.value
            );
            prop_assert!(r.lower <= dense * (1.0 + 1e-12), "lower {} > dense {dense}", r.lower);
            prop_assert!(r.value - r.lower <= 1e-10 * r.value, "gap {} vs {}", r.lower, r.value);
        }
        Ok(r)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn sparse_equals_hungarian(
            a in diagram(40), b in diagram(40), g in ground(), q in exponent(),
            k in prop::sample::select(vec![1usize, 2, 4, 16]),
        ) {
            check(&a, &b, g, q, k)?;
        }

        /// The candidates bound the bottleneck distance from below, and the
        /// farthest point from the diagonal bounds it from above (the
        /// cheap scale of `exact_wasserstein`).
        #[test]
        fn candidate_bounds_hold(
            a in diagram(40), b in diagram(40), g in ground(),
            k in prop::sample::select(vec![1usize, 4, 12]),
        ) {
            let exact = finite_bottleneck(&mut a.clone(), &mut b.clone(), g, 0.0);
            let lower = candidates(&a, &b, g, k).lower;
            let upper = a.iter().chain(&b).map(|&p| g.diag(p)).fold(0.0, f64::max);
            prop_assert!(lower <= exact && exact <= upper, "{lower} ≤ {exact} ≤ {upper}");
        }

        /// Exact duplicates across the diagrams, very unequal sizes, and a
        /// candidate graph of one neighbour per point: the verification
        /// loop must add the missing edges.
        #[test]
        fn tiny_candidate_graph(
            a in diagram(30), b in diagram(60), shared in diagram(10), g in ground(),
            q in exponent(), swap: bool,
        ) {
            let a: Vec<P> = a.into_iter().chain(shared.iter().copied()).collect();
            let b: Vec<P> = shared.into_iter().chain(b).collect();
            let (a, b) = if swap { (b, a) } else { (a, b) };
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
    /// on a few hundred points: several verification rounds add edges and
    /// the result is still exact; with the default neighbours it also is.
    #[test]
    fn verification_adds_edges() {
        let (a, b) = (random(300, 7), random(250, 11));
        for (g, q) in [(Ground::Inf, 2.0), (Ground::Two, 1.0), (Ground::One, 1.5)] {
            let r = check(&a, &b, g, q, 1).unwrap();
            assert!(r.rounds > 1, "{g:?} q = {q}: {r:?}");
            let wide = check(&a, &b, g, q, neighbours(a.len() + b.len())).unwrap();
            assert!(wide.edges > r.edges / 2, "{r:?} {wide:?}");
        }
    }

    /// Mostly diagonal matchings (tiny lifetimes far apart) and mostly
    /// point matchings (each point of `a` next to one of `b`).
    #[test]
    fn diagonal_heavy_and_pair_heavy() {
        let far: Vec<P> = (0..200).map(|i| P::new(i as f64, i as f64 + 0.01)).collect();
        let shifted: Vec<P> = far.iter().map(|p| P::new(p.birth + 0.5, p.death + 0.5)).collect();
        check(&far, &shifted, Ground::Inf, 2.0, 4).unwrap();
        let wide: Vec<P> = (0..200).map(|i| P::new(i as f64, i as f64 + 10.0)).collect();
        let near: Vec<P> = wide.iter().map(|p| P::new(p.birth + 0.1, p.death - 0.05)).collect();
        check(&wide, &near, Ground::Two, 1.0, 4).unwrap();
    }

    /// A few hundred points on a coarse grid (many exact duplicates and
    /// ties, hence large plateaus of equal distances), at several scales
    /// and exponents, and the default number of neighbours.
    #[test]
    fn grid_ties_at_several_scales() {
        let mut state = 99u64;
        let mut next = move |k: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % k
        };
        let mut grid = |n: usize| -> Vec<P> {
            (0..n)
                .map(|_| {
                    let b = next(12) as f64 * 0.25;
                    P::new(b, b + (1 + next(8)) as f64 * 0.25)
                })
                .collect()
        };
        let (a, b) = (grid(260), grid(200));
        for scale in [1e-6, 1.0, 1e6] {
            let s = |v: &[P]| -> Vec<P> {
                v.iter().map(|p| P::new(p.birth * scale, p.death * scale)).collect()
            };
            let (a, b) = (s(&a), s(&b));
            for (g, q) in [(Ground::Inf, 2.0), (Ground::One, 1.0), (Ground::Two, 8.0)] {
                check(&a, &b, g, q, neighbours(a.len() + b.len())).unwrap();
            }
        }
    }

    /// The starts, on complete candidate graphs: by column reduction, from
    /// the auction's prices and from arbitrary prices `v_j ≤ β_j` (some
    /// below every row's offer, some at `β_j`). Every residual reduced cost
    /// is non-negative and the matched pairs tight (checked by
    /// `check_optimality` at the end of each start in tests), part of the
    /// points placed by column reduction, and the sparse optimum reached
    /// from each.
    #[test]
    fn initialization_is_reduced_cost_optimal() {
        for (na, nb, seed) in [(120, 100, 3), (40, 160, 5), (160, 40, 9)] {
            let (a, b) = (random(na, seed), random(nb, seed + 1));
            for (g, q) in [(Ground::Inf, 2.0), (Ground::Two, 1.0)] {
                let cost = |d: f64| d.powf(q);
                let alpha: Vec<f64> = a.iter().map(|&p| cost(g.diag(p))).collect();
                let beta: Vec<f64> = b.iter().map(|&p| cost(g.diag(p))).collect();
                let mut edges = Vec::new();
                for (i, &p) in a.iter().enumerate() {
                    for (j, &r) in b.iter().enumerate() {
                        let c = cost(g.dist(p, r));
                        if c < alpha[i] + beta[j] {
                            edges.push((i as u32, j as u32, c));
                        }
                    }
                }
                let dense = dense_wasserstein(&a, &b, g, &Power::new(q, 1.0));
                for start in 0..3 {
                    let graph = Graph::from_edges(na, nb, &edges);
                    let mut s = Solver::new(&alpha, &beta);
                    s.g = graph;
                    match start {
                        0 => s.initialize(),
                        1 => {
                            let v = auction_prices(&s.g, &s.alpha, &s.beta)
                                .expect("within the bid budget");
                            s.initialize_from(&v);
                        }
                        _ => {
                            let v: Vec<f64> = (0..nb)
                                .map(|j| [beta[j], -beta[j], 0.5 * beta[j], -1.0][j % 4])
                                .collect();
                            s.initialize_from(&v);
                        }
                    }
                    let placed = s.mate_b.iter().filter(|&&x| x != NONE).count();
                    assert!(start > 0 || placed > nb / 4, "{placed} of {nb} placed");
                    s.run();
                    let v = s.primal();
                    assert!((v - dense).abs() <= 1e-9 * dense, "start {start}: {v} vs {dense}");
                }
            }
        }
    }

    /// Adding edges to a graph gives the graph built from all the edges.
    #[test]
    fn graph_add_equals_rebuild() {
        let mut state = 5u64;
        let mut next = move |k: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % k
        };
        for (n, m) in [(1, 1), (7, 3), (30, 40), (50, 9)] {
            let mut all: Vec<(u32, u32, f64)> = (0..n * m / 3 + 1)
                .map(|_| (next(n) as u32, next(m) as u32, next(1000) as f64))
                .collect();
            all.sort_unstable_by_key(|e| (e.0, e.1));
            all.dedup_by_key(|e| (e.0, e.1));
            // Split into a first graph and a shuffled remainder.
            let (first, mut rest): (Vec<_>, Vec<_>) = all.iter().partition(|_| next(2) == 0);
            rest.reverse();
            let (n, m) = (n as usize, m as usize);
            let mut g = Graph::from_edges(n, m, &first);
            // In up to three rounds, as the verification adds them.
            let third = rest.len().div_ceil(3).max(1);
            for part in rest.chunks_mut(third) {
                g.add(part);
            }
            // Every edge once, in its row and in its column.
            assert_eq!(g.rows(), all);
            assert_eq!(g.columns(), all);
            // From the pairs twice, in reverse order: deduplicated, each row
            // in its pairs' order, each column in row order; a pair `edge`
            // drops is left out.
            let twice: Vec<_> = all.iter().chain(&all).rev().copied().collect();
            let kept = |i: usize, j: usize| -> Option<f64> {
                let e =
                    all[all.binary_search_by_key(&(i as u32, j as u32), |e| (e.0, e.1)).ok()?];
                (e.2 < 900.0).then_some(e.2)
            };
            let again = Graph::new(n, m, || twice.iter().map(|e| (e.0, e.1)), kept);
            let want: Vec<_> = all.iter().filter(|e| e.2 < 900.0).copied().collect();
            assert_eq!(again.rows(), want);
            assert_eq!(again.columns(), want);
            for i in 0..n {
                let row = &again.col[again.start[i]..again.start[i + 1]];
                let mut first_seen: Vec<u32> = Vec::new();
                for e in twice.iter().filter(|e| e.0 as usize == i && e.2 < 900.0) {
                    if !first_seen.contains(&e.1) {
                        first_seen.push(e.1);
                    }
                }
                assert_eq!(row, &first_seen[..], "row {i}");
            }
            for j in 0..m {
                let col = &again.row[again.rstart[j]..again.rstart[j + 1]];
                assert!(col.windows(2).all(|w| w[0] < w[1]), "column {j}");
            }
        }
    }

    #[test]
    fn neighbour_counts() {
        assert_eq!(neighbours(0), 12);
        assert_eq!(neighbours(2000), 12);
        assert_eq!(neighbours(4000), 16);
        assert_eq!(neighbours(20_000), 25);
        assert_eq!(neighbours(10_000_000), 32);
    }

    /// The candidate lists: every `a` its `k` nearest `b` (by distance, ties
    /// either way), every `b` found by fewer than `k` of them its `k`
    /// nearest `a`, and no other `b` asked; on unequal, clustered diagrams
    /// (one dense where the other is sparse), so that both kinds of `b` occur.
    #[test]
    fn candidate_lists_are_the_nearest_and_ask_the_right_b() {
        let g = Ground::Two;
        let cluster = |p: P, s: f64| P::new(p.birth * s, p.birth * s + (p.death - p.birth) * s);
        let a: Vec<P> = random(300, 5).into_iter().map(|p| cluster(p, 1.0)).collect();
        let mut b: Vec<P> = random(200, 6).into_iter().map(|p| cluster(p, 0.2)).collect();
        b.extend(random(150, 7).into_iter().map(|p| cluster(p, 1.0)));
        for k in [1, 4, 12] {
            let c = candidates(&a, &b, g, k);
            let nearest = |p: P, other: &[P]| {
                let mut d: Vec<f64> = other.iter().map(|&o| g.dist(p, o)).collect();
                d.sort_by(f64::total_cmp);
                d.truncate(k);
                d
            };
            let lists = |lists: &[Vec<u32>]| lists.concat();
            let (from_a, from_b) = (lists(&c.near.from_a), lists(&c.near.from_b));
            let mut found = vec![0usize; c.b.len()];
            for (i, row) in from_a.chunks(k).enumerate() {
                let d: Vec<f64> = row.iter().map(|&j| g.dist(c.a[i], c.b[j as usize])).collect();
                assert_eq!(d, nearest(c.a[i], &c.b), "a_{i}, k = {k}");
                row.iter().for_each(|&j| found[j as usize] += 1);
            }
            let asked: Vec<u32> =
                (0..c.b.len() as u32).filter(|&j| found[j as usize] < k).collect();
            assert_eq!(c.near.asked, asked, "k = {k}");
            assert!(!asked.is_empty() && asked.len() < c.b.len(), "k = {k}: both kinds of b");
            for (x, row) in from_b.chunks(k).enumerate() {
                let j = asked[x] as usize;
                let d: Vec<f64> = row.iter().map(|&i| g.dist(c.b[j], c.a[i as usize])).collect();
                assert_eq!(d, nearest(c.b[j], &c.a), "b_{j}, k = {k}");
            }
        }
    }

    /// The radix heap pops in order, with ties and repeated pushes.
    #[test]
    fn radix_heap_is_monotone() {
        let mut h = RadixHeap::new();
        let mut state = 12345u64;
        let mut last = 0.0;
        let mut count = 0;
        for x in 0..1000u32 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            h.push(last + (state >> 40) as f64 * 1e-6 * f64::from(x % 3), x);
            if x % 2 == 1 {
                let (d, _) = h.pop().unwrap();
                assert!(d >= last);
                last = d;
                count += 1;
            }
        }
        while let Some((d, _)) = h.pop() {
            assert!(d >= last);
            last = d;
            count += 1;
        }
        assert_eq!(count, 1000);
    }
}
