//! Matching distances between persistence diagrams: the bottleneck distance
//! and the `q`-Wasserstein distance, exact ([`bottleneck_exact`],
//! [`wasserstein_exact`], or `delta = 0`) or with a certified relative error
//! `delta` ([`bottleneck`], [`wasserstein`]; giotto-tda's hera backend
//! defaults to `delta = 0.01`).
//!
//! # Semantics
//!
//! Both functions take the points of **one homology dimension** of two
//! diagrams, `a` and `b`, and follow hera's (and therefore giotto-tda's)
//! conventions:
//!
//! * **Trivial points** (`birth == death`) are removed first.
//! * A matching pairs some points of `a` with some points of `b`; every point
//!   left over is matched to the diagonal. A point-to-point edge costs the
//!   ground distance ([`GroundMetric`]); a point-to-diagonal edge costs the
//!   ground distance to the closest diagonal point, which is
//!   `((b + d)/2, (b + d)/2)` for every `L_p`: `(d − b)/2` for `L∞` and
//!   `2^(1/p)·(d − b)/2` for `L_p`.
//! * **Essential points** (`death = +∞`) can only be matched with essential
//!   points of the other diagram, at cost `|b₁ − b₂|` (the deaths agree). If
//!   the two diagrams have different numbers of essential points the distance
//!   is `+∞` and both functions return `Ok(f64::INFINITY)`, as hera does.
//!   Otherwise the essential births are matched in sorted order, which is an
//!   optimal matching of points on a line for every cost `h(|x − y|)` with `h`
//!   convex and non-decreasing (so for the bottleneck and every `W_q`).
//! * The **bottleneck distance** is the minimum over matchings of the largest
//!   edge cost; the **`q`-Wasserstein distance** is
//!   `W_q = (min over matchings of Σ cost^q)^(1/q)` for `q ≥ 1`
//!   (`q = +∞` gives the bottleneck distance).
//!
//! A point must have no NaN coordinate, a finite birth and `death ≥ birth`
//! (`death = +∞` is allowed); other points are rejected with
//! [`MatchingErrorKind::InvalidPoint`].
//!
//! # Algorithms
//!
//! Let `n_a`, `n_b` be the numbers of finite non-trivial points.
//!
//! * **General bottleneck** (geometric, `O(n)` memory). The answer is one of
//!   the edge costs, so it is the smallest `f64` threshold `t` for which a
//!   matching with all edge costs `≤ t` exists; feasibility is monotone in
//!   `t`. The search starts from a lower bound (each point costs at least the
//!   smaller of its diagonal cost and its distance to the nearest point of the
//!   other diagram, found with a k-d tree) and an upper bound (the largest
//!   diagonal cost) and bisects the bit patterns of `t` in between
//!   (non-negative `f64` are ordered as their bit patterns: at most 63 tests),
//!   so the smallest feasible `f64` — an edge cost, the exact distance — is
//!   found without listing the `n_a·n_b` candidate costs. A threshold `t` is
//!   feasible iff the bipartite graph `G_t` (edges of ground distance `≤ t`)
//!   has a matching covering the *must* points, those whose diagonal cost
//!   exceeds `t` (every other point can go to the diagonal). By the
//!   Mendelsohn–Dulmage theorem such a matching exists iff `G_t` has one
//!   matching covering the must points of `a` and one covering the must
//!   points of `b`; each is found by Hopcroft–Karp with the neighbour queries
//!   answered by k-d trees with deletion (Efrat, Itai, Katz 2001; Kerber,
//!   Morozov, Nigmetov 2017): a BFS that removes each right point from the
//!   tree when it is first reached, then one tree per BFS layer for the DFS,
//!   so each phase costs `O(n log n)`-ish queries instead of `O(n_a·n_b)` edge
//!   tests. Matchings are kept between tests as warm starts (edges longer
//!   than the new `t` are dropped). With `delta > 0` the bisection stops as
//!   soon as the feasible end `hi` and the infeasible end `lo` satisfy
//!   `hi ≤ (1 + delta)·lo`; `hi` is returned, and since the distance `d` is
//!   in `(lo, hi]`, `(hi − d)/d ≤ delta`.
//! * **Approximate Wasserstein** (`delta > 0`, [`wasserstein`]): the exact
//!   value when it is the faster answer — points on one line up to
//!   `2·10⁸` cells of the dynamic programme, other diagrams up to
//!   [`EXACT_WHEN_APPROXIMATE`] points (the sparse exact solver below beats
//!   the auction there: 1000 + 1000 points 8 ms against 0.14 s, 100 000 +
//!   100 000 10 s against 47 s) — and otherwise a
//!   Gauss–Seidel auction with ε-scaling whose bids are k-d tree weighted
//!   nearest-neighbour queries; each phase ends with a duality-gap
//!   certificate `(C/D)^{1/q} ≤ 1 + delta` (`C` the assignment's cost, `D`
//!   the dual value of the prices, a lower bound of the optimum for any
//!   prices), so the returned `Ŵ = C^{1/q}` satisfies
//!   `W ≤ Ŵ ≤ (1 + delta)·W`.
//! * **General Wasserstein** (exact, `O((n_a + n_b)·k)` memory). Costs are
//!   divided by the bottleneck distance `s` first (so that `cost^q` neither
//!   overflows nor underflows for large `q`: the optimum is then between 1
//!   and `n_a + n_b`; for `q ≤ 64` an approximation `d ≤ s ≤ 1.1·d` of the
//!   bottleneck distance `d` from the geometric solver does as well, the
//!   optimum then being at least `1.1^-q`) and costs above `n_a + n_b + 1` are clamped to that
//!   value, which changes no optimal matching (a bottleneck matching has all
//!   costs `≤ 1`); the result is `s·(Σ)^(1/q)`. The matching problem is the
//!   linear programme `min Σ c_ij x_ij + Σ α_i (unmatched a_i) + Σ β_j
//!   (unmatched b_j)` (`α`, `β` the diagonal costs), a min-cost flow with one
//!   node for the diagonal, with integral optima; its dual is
//!   `max Σ u_i + Σ v_j` subject to `u_i + v_j ≤ c_ij`, `u_i ≤ α_i`,
//!   `v_j ≤ β_j`.
//!   1. *Candidates*: each point's `k` nearest neighbours in the other
//!      diagram (k-d tree; `k = 12` up to 2000 points, growing to 32),
//!      keeping the pairs with `c_ij < α_i + β_j` (any other pair is no
//!      better than sending both ends to the diagonal), plus every point's
//!      diagonal option.
//!   2. *Sparse solve*: the primal-dual method (successive shortest paths in
//!      reduced costs with node potentials, which stay dual feasible on the
//!      candidate graph and tight on the matching), from a Jonker–Volgenant
//!      column reduction: the free points of `a` go to a free point of `b`
//!      or to the diagonal (first along disjoint paths of one multi-source
//!      shortest-path DAG, then one Dijkstra per remaining unit, stopped at
//!      the first target), and the diagonal's excess goes to the free
//!      points of `b` by one backward Dijkstra from each. The diagonal is
//!      one hub node; points matched to it are merged into it, so that a
//!      search reaching the diagonal does not visit all of them.
//!   3. *Certificate*: the duals `(u, v)` of the sparse optimum are checked
//!      against **every** pair, `u_i ≤ min_j (c_ij − v_j)` for all `i` by
//!      weighted nearest-neighbour queries in a k-d tree over `b` with keys
//!      `−v_j` (a node stores its minimum key, so subtrees that cannot beat
//!      the best found are pruned). Violated rows get their best edges, the
//!      point is unmatched and the sparse solve resumes from the current
//!      flow and duals; this repeats until no constraint is violated (to
//!      `1e-12` of its magnitude). Then the duals, repaired by at most these
//!      rounding-level amounts, are feasible for the complete problem and
//!      their value equals the matching's cost to rounding: by weak duality
//!      the matching is optimal (exact up to floating-point rounding, as the
//!      dense Hungarian algorithm is).
//!
//!   With the `rayon` feature the scale and the neighbour search run at
//!   once, and the neighbour queries and each certificate round are split
//!   into chunks of fixed size run in parallel (the shortest-path solve is
//!   sequential); the chunks do not depend on the number of threads, nor
//!   does the value.
//!
//!   The sparse solve is `O((n_a + n_b)·k)` memory; its time is dominated by
//!   the last units' shortest paths, the neighbour search and the
//!   certificate (about `(n_a + n_b)^1.6` in total on random diagrams;
//!   1000 + 1000 points in about 10 ms, 10 000 + 10 000 in about 0.3–0.5 s
//!   on one core). The
//!   previous dense Hungarian algorithm (`O((n_a + n_b)³)` time, an
//!   `n_a × n_b` cost matrix) remains in the tests as the reference.
//! * **Points on one line** (fast path, exact). If all finite non-trivial
//!   points of both diagrams have the same birth (a vertical line, e.g. the
//!   `(0, d)` points of `H0`) or the same death (a horizontal line, e.g. `H1`
//!   points with deaths capped at 1), the ground distance between two of them
//!   is `|x − y|` for every `L_p`, where `x`, `y` are their varying
//!   coordinates. Then:
//!   - *Lemma (monotone matching).* Among matchings that pair the same sets
//!     `S ⊆ a`, `T ⊆ b` (the rest going to the diagonal), pairing `S` and `T`
//!     in sorted order minimises `Σ h(|x − y|)` for convex non-decreasing `h`
//!     and the largest `|x − y|` (uncrossing two pairs never increases either:
//!     the Monge property of convex functions of `x − y`). So some optimal
//!     matching is monotone: its point–point pairs `(x_i, y_j)` are increasing
//!     in both indices, with the diagonal points interleaved anywhere (a
//!     diagonal point *can* lie between the two ends of a pair in an optimal
//!     matching, so no greedy rule is used).
//!   - *Bottleneck*, `O(n log n)`: the feasibility test is linear after
//!     sorting, and the threshold is found by a binary search over the bit
//!     patterns of `t` in `[0, largest diagonal cost]` (non-negative `f64`
//!     values are ordered as their bit patterns; at most 63 tests, no candidate
//!     list). The neighbours of `x` in `G_t` form a
//!     contiguous range of the sorted other diagram whose two ends are
//!     non-decreasing in `x` (floating-point subtraction is monotone), and
//!     for such "equal-length intervals" the greedy that takes the must points
//!     in increasing order and gives each the leftmost unused neighbour finds a
//!     covering matching whenever one exists (exchange argument: if an optimal
//!     matching gives the first must point `x_1` a point `y ≠ g`, `g` the
//!     leftmost neighbour of `x_1`, and `g` is used by a later `x_k`, swapping
//!     is valid because `g ≤ y ≤ R(x_1) ≤ R(x_k)` and `L(x_k) ≤ g`). With the
//!     Mendelsohn–Dulmage theorem as above, two greedy passes decide `t`.
//!   - *Wasserstein*, exact: by the lemma, an edit-distance dynamic
//!     programme over the two sequences sorted by lifetime is exact:
//!     `D[i][j] = min(D[i−1][j] + δ(x_i)^q, D[i][j−1] + δ(y_j)^q,
//!     D[i−1][j−1] + |x_i − y_j|^q)`, `δ` the diagonal cost. Its
//!     `n_a·n_b` cells are not all visited. (1) A *proposal*: the DP runs
//!     inside a band around the optimal path of the problem made of every
//!     8th point of each diagram (solved the same way, recursively), lifted
//!     and re-centred while the path touches the band's edge; `O(n)` cells
//!     per level. (2) A *certificate*: duals satisfying complementary
//!     slackness with the proposed matching are built along its chain of
//!     pairs (difference constraints, two sweeps) and checked against every
//!     constraint of the dual linear programme, `u_i + v_j ≤ |x_i − y_j|^q`
//!     for all `i, j` at once by a monotone minimum over the sorted sites
//!     (`O(n log n)`); feasible duals prove the proposal optimal (to a
//!     tolerance of `1e-12` of the largest cost per constraint). (3) If the
//!     check fails, the repaired duals and the proposal's cost bound a branch
//!     and bound over the DP grid: a cell is dropped when `D[i][j]` plus an
//!     admissible lower bound of the rest (duals, nearest-neighbour and
//!     imbalance bounds) exceeds an upper bound `U`; a run that reaches the
//!     last cell is exact whatever `U` was, and `U` doubles until one does
//!     (see `docs/algorithms.md` for the proofs). Memory is `O(n)` plus two
//!     bits per band cell.
//!
//! Both paths compute every cost with the same formulas, so the bottleneck
//! distance of points on a line is bit-for-bit the one of the general
//! algorithm; Wasserstein distances agree to rounding (summation order).
//!
//! # Limits
//!
//! For exact Wasserstein distances ([`wasserstein_exact`], or `delta = 0`),
//! diagrams that are not on one line are refused with
//! [`MatchingErrorKind::TooLarge`] when `n_a + n_b >` [`EXACT_SOLVER_LIMIT`]
//! (the sparse solver's roughly `(n_a + n_b)^1.8` time, about half a minute
//! at the limit);
//! the Wasserstein dynamic programme for points on one line is refused when
//! `n_a·n_b >` [`LINE_DP_LIMIT`]. The bottleneck distance (exact or not) and
//! the approximate Wasserstein distance have no limit.
//!
//! # Example
//!
//! ```
//! use nnph_distance::matching::{GroundMetric, bottleneck_exact, wasserstein_exact};
//! use nnph_homology::PersistencePair as P;
//!
//! let a = [P::new(0.0, 1.0), P::new(0.5, 0.5), P::new(0.2, f64::INFINITY)];
//! let b = [P::new(0.0, 1.2), P::new(0.0, 0.1), P::new(0.3, f64::INFINITY)];
//! // (0,1)–(0,1.2) costs 0.2, (0,0.1) goes to the diagonal at 0.05,
//! // the essential points cost |0.2 − 0.3| = 0.1; (0.5,0.5) is trivial.
//! let w2 = wasserstein_exact(&a, &b, 2.0, GroundMetric::LInf)?;
//! assert!((w2 - (0.04f64 + 0.0025 + 0.01).sqrt()).abs() < 1e-12);
//! let bn = bottleneck_exact(&a, &b, GroundMetric::LInf)?;
//! assert!((bn - 0.2).abs() < 1e-12);
//! // Different numbers of essential points: infinitely far apart.
//! assert_eq!(bottleneck_exact(&a, &b[..2], GroundMetric::LInf)?, f64::INFINITY);
//! # Ok::<(), nnph_distance::matching::MatchingError>(())
//! ```

use std::fmt;

use nnph_homology::PersistencePair;

mod auction;
mod geometric;
mod kdtree;
mod line;
mod par;
mod sparse;

/// The largest `n_a + n_b` (finite non-trivial points of both diagrams) for
/// which the exact Wasserstein solver runs, when the points are not all on
/// one line (the bottleneck solver has no limit).
///
/// The exact solver (a sparse candidate graph solved by shortest augmenting
/// paths and certified on all pairs by LP duality, see the module
/// documentation) needs `O((n_a + n_b)·k)` memory, `k ≤ 32` neighbours per
/// point: about 1.5 KB per point. Its time grows roughly as
/// `(n_a + n_b)^1.6`; measured on one core with random points, `W_2` and the
/// `L∞` metric: 1000 + 1000 points about 8 ms, 10 000 + 10 000 about 0.3 s,
/// 50 000 + 50 000 about 4 s and 150 MB, so the limit is about 12 seconds
/// and 300 MB. Use [`wasserstein`] with `delta > 0` for larger diagrams.
pub const EXACT_SOLVER_LIMIT: usize = 200_000;

/// The largest number of cells the dynamic programme of
/// [`wasserstein_exact`] may visit on diagrams whose points lie on one line
/// (the banded proposal and, if its certificate fails, the branch and bound;
/// a few ns per cell on one core for `q = 2`, so the limit is about a minute;
/// exponents other than 1 and 2 cost a `powf` per cell). The banded proposal
/// takes about `50·(n_a + n_b)` cells over all levels (two real 666 855-point
/// diagrams: 6·10⁷); the branch and bound, when needed, at most
/// `(n_a + 1)·(n_b + 1)`. Memory is `O(n_a + n_b)` plus two bits per band cell.
pub const LINE_DP_LIMIT: u64 = 10_000_000_000;

/// Ground metric between two points `(b₁, d₁)`, `(b₂, d₂)` of the plane.
///
/// hera's and giotto-tda's default is `L∞`: `max(|b₁ − b₂|, |d₁ − d₂|)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum GroundMetric {
    /// `max(|b₁ − b₂|, |d₁ − d₂|)`; the diagonal cost of `(b, d)` is `(d − b)/2`.
    #[default]
    LInf,
    /// `(|b₁ − b₂|^p + |d₁ − d₂|^p)^(1/p)` with `p` in `[1, +∞]`
    /// (`Lp(f64::INFINITY)` is [`GroundMetric::LInf`]); the diagonal cost of
    /// `(b, d)` is `2^(1/p)·(d − b)/2`.
    Lp(f64),
}

/// An error from [`bottleneck_exact`] or [`wasserstein_exact`].
///
/// Use [`MatchingError::kind`] to find out what went wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchingError {
    kind: MatchingErrorKind,
}

/// What went wrong in an exact matching distance.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MatchingErrorKind {
    /// The Wasserstein exponent `q` is NaN or smaller than 1.
    InvalidExponent {
        /// The exponent given.
        q: f64,
    },
    /// The `p` of [`GroundMetric::Lp`] is NaN or smaller than 1.
    InvalidGroundMetric {
        /// The `p` given.
        p: f64,
    },
    /// A point has a NaN coordinate, a non-finite birth or a death before
    /// its birth.
    InvalidPoint {
        /// Which argument: 0 for `a`, 1 for `b`.
        diagram: usize,
        /// Index of the point in that argument.
        index: usize,
        /// Its birth.
        birth: f64,
        /// Its death.
        death: f64,
    },
    /// The allowed relative error `delta` is NaN or outside `[0, 1)`.
    InvalidDelta {
        /// The value given.
        delta: f64,
    },
    /// The diagrams have too many points for the exact solver: see
    /// [`EXACT_SOLVER_LIMIT`] and [`LINE_DP_LIMIT`].
    TooLarge {
        /// Finite non-trivial points of `a`.
        points_a: usize,
        /// Finite non-trivial points of `b`.
        points_b: usize,
        /// Whether the points lie on one line (then [`LINE_DP_LIMIT`] applies,
        /// otherwise [`EXACT_SOLVER_LIMIT`]).
        on_line: bool,
    },
}

impl MatchingError {
    fn new(kind: MatchingErrorKind) -> Self {
        Self { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &MatchingErrorKind {
        &self.kind
    }
}

impl fmt::Display for MatchingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            MatchingErrorKind::InvalidExponent { q } => {
                write!(f, "invalid Wasserstein exponent q = {q}: need q >= 1")
            }
            MatchingErrorKind::InvalidGroundMetric { p } => {
                write!(f, "invalid ground metric L_p with p = {p}: need p >= 1")
            }
            MatchingErrorKind::InvalidDelta { delta } => {
                write!(f, "invalid relative error delta = {delta}: need 0 <= delta < 1 (0 = exact)")
            }
            MatchingErrorKind::InvalidPoint { diagram, index, birth, death } => write!(
                f,
                "invalid point ({birth}, {death}) at index {index} of diagram {diagram}: \
                 need no NaN, a finite birth and death >= birth"
            ),
            MatchingErrorKind::TooLarge { points_a, points_b, on_line: false } => write!(
                f,
                "too many points for the exact matching solver: {points_a} + {points_b} \
                 finite off-diagonal points (limit n_a + n_b <= {EXACT_SOLVER_LIMIT})"
            ),
            MatchingErrorKind::TooLarge { points_a, points_b, on_line: true } => write!(
                f,
                "too many points for the exact matching solver on a line: {points_a} x \
                 {points_b} finite off-diagonal points need more than {LINE_DP_LIMIT} cells \
                 of the pruned dynamic programme"
            ),
        }
    }
}

impl std::error::Error for MatchingError {}

/// Exact bottleneck distance between two diagrams (the points of one homology
/// dimension each): the minimum over matchings of the largest edge cost.
/// Same as [`bottleneck`] with `delta = 0`.
///
/// See the [module documentation](self) for the conventions (trivial points
/// removed, essential points matched among themselves, `+∞` if their numbers
/// differ) and the algorithms.
///
/// # Errors
///
/// [`MatchingErrorKind::InvalidGroundMetric`], [`MatchingErrorKind::InvalidPoint`].
pub fn bottleneck_exact(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: GroundMetric,
) -> Result<f64, MatchingError> {
    bottleneck(a, b, ground, 0.0)
}

/// Bottleneck distance between two diagrams (the points of one homology
/// dimension each), exact for `delta = 0`; for `delta > 0` a value `d̂` with
/// `d ≤ d̂ ≤ (1 + delta)·d`.
///
/// # Complexity
///
/// Points on one line: `O(n log n)` (sort, then at most 63 linear greedy
/// tests). Otherwise at most 63 threshold tests, each a geometric
/// Hopcroft–Karp run with k-d tree neighbour queries (`O(n^1.5 log n)`
/// worst case, much less in practice thanks to warm starts); `O(n)` memory.
///
/// # Errors
///
/// [`MatchingErrorKind::InvalidGroundMetric`], [`MatchingErrorKind::InvalidPoint`],
/// [`MatchingErrorKind::InvalidDelta`] for a `delta` outside `[0, 1)`.
pub fn bottleneck(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: GroundMetric,
    delta: f64,
) -> Result<f64, MatchingError> {
    check_delta(delta)?;
    let ground = Ground::new(ground)?;
    let (mut a, mut b) = (Split::new(a, 0)?, Split::new(b, 1)?);
    let Some(essential) = essential_costs(&mut a.essential, &mut b.essential) else {
        return Ok(f64::INFINITY);
    };
    let finite = finite_bottleneck(&mut a.finite, &mut b.finite, ground, delta);
    Ok(essential.iter().copied().fold(finite, f64::max))
}

fn check_delta(delta: f64) -> Result<(), MatchingError> {
    if (0.0..1.0).contains(&delta) {
        Ok(())
    } else {
        Err(MatchingError::new(MatchingErrorKind::InvalidDelta { delta }))
    }
}

/// Diagrams on one line whose exact pruned dynamic programme needs at most
/// this many cells are answered exactly by [`wasserstein`] even when
/// `delta > 0` (about a second); larger ones go to the auction.
const LINE_DP_WHEN_APPROXIMATE: u64 = 200_000_000;

/// The largest `n_a + n_b` (finite off-diagonal points, not on one line) for
/// which [`wasserstein`] with `delta > 0` returns the exact value, computed
/// by the sparse certified solver, instead of running the auction: the exact
/// solver is the faster of the two at every size measured up to
/// [`EXACT_SOLVER_LIMIT`] (`W_2`, `L∞`, random diagrams, one core, exact
/// against the auction with `delta = 0.01`: 1000 + 1000 points 8 ms against
/// 0.14 s, 10 000 + 10 000 0.3 s against 3.9 s, 25 000 + 25 000 2.1 s
/// against 4.2 s, 50 000 + 50 000 3.7 s against 40 s, 100 000 + 100 000
/// 10.3 s against 47 s), at the price of memory (306 MB against 39 MB at
/// 100 000 + 100 000). An exact value is inside every bound
/// `W ≤ Ŵ ≤ (1 + delta)·W`.
pub const EXACT_WHEN_APPROXIMATE: usize = EXACT_SOLVER_LIMIT;

/// `q`-Wasserstein distance between two diagrams (the points of one homology
/// dimension each), exact for `delta = 0` ([`wasserstein_exact`]); for
/// `delta > 0` a value `Ŵ` with `W ≤ Ŵ ≤ (1 + delta)·W`: the exact value
/// when the exact solvers are the faster answer (points on one line needing
/// at most `2·10⁸` cells of the dynamic programme; other diagrams with at
/// most [`EXACT_WHEN_APPROXIMATE`] points in total), otherwise the auction's
/// value, certified by its duality gap (see the module documentation).
///
/// `q = +∞` gives [`bottleneck`] with the same `delta`.
///
/// # Complexity
///
/// `delta > 0`, large diagrams: ε-scaling phases of a Gauss–Seidel auction
/// on `n_a + n_b` bidders, each bid a k-d tree query (`O(log n)` typical);
/// the number of bids is pseudo-polynomial in theory, near-linear per phase
/// in practice. `O(n)` memory. Smaller diagrams: as [`wasserstein_exact`].
///
/// # Errors
///
/// As [`wasserstein_exact`] (including its size limits when `delta = 0`),
/// and [`MatchingErrorKind::InvalidDelta`] for a `delta` outside `[0, 1)`.
pub fn wasserstein(
    a: &[PersistencePair],
    b: &[PersistencePair],
    q: f64,
    ground: GroundMetric,
    delta: f64,
) -> Result<f64, MatchingError> {
    check_delta(delta)?;
    if delta == 0.0 {
        return wasserstein_exact(a, b, q, ground);
    }
    if q.is_nan() || q < 1.0 {
        return Err(MatchingError::new(MatchingErrorKind::InvalidExponent { q }));
    }
    if q == f64::INFINITY {
        return bottleneck(a, b, ground, delta);
    }
    // The exact value where it is the faster answer: computed exactly as
    // `wasserstein_exact` does (same scaling, so the same bits).
    if let Some(exact) = exact_wasserstein(a, b, q, ground, Budget::WhenApproximate)? {
        return Ok(exact);
    }
    wasserstein_auction(a, b, q, ground, delta)
}

/// The auction path of [`wasserstein`] for `delta > 0`, whatever the size:
/// `W ≤ Ŵ ≤ (1 + delta)·W`, certified by the auction's duality gap. For tests
/// and benchmarks of the auction itself; use [`wasserstein`].
///
/// # Errors
///
/// As [`wasserstein`].
#[doc(hidden)]
pub fn wasserstein_auction(
    a: &[PersistencePair],
    b: &[PersistencePair],
    q: f64,
    ground: GroundMetric,
    delta: f64,
) -> Result<f64, MatchingError> {
    check_delta(delta)?;
    if q.is_nan() || q < 1.0 {
        return Err(MatchingError::new(MatchingErrorKind::InvalidExponent { q }));
    }
    if delta == 0.0 {
        return wasserstein_exact(a, b, q, ground);
    }
    if q == f64::INFINITY {
        return bottleneck(a, b, ground, delta);
    }
    let ground = Ground::new(ground)?;
    let (mut a, mut b) = (Split::new(a, 0)?, Split::new(b, 1)?);
    let Some(essential) = essential_costs(&mut a.essential, &mut b.essential) else {
        return Ok(f64::INFINITY);
    };
    let (a, b) = (&mut a.finite, &mut b.finite);
    // Scale by the largest single cost (every diagonal cost, every essential
    // cost), so that the powers stay in range.
    let scale = a
        .iter()
        .chain(b.iter())
        .map(|&p| ground.diag(p))
        .chain(essential.iter().copied())
        .fold(0.0, f64::max);
    if scale == 0.0 {
        return Ok(0.0);
    }
    let power = Power::new(q, scale);
    let essential_sum: f64 = essential.iter().map(|&c| power.apply(c)).sum();
    let finite_sum = if a.is_empty() || b.is_empty() {
        a.iter().chain(b.iter()).map(|&p| power.apply(ground.diag(p))).sum()
    } else {
        auction::wasserstein_power_sum(a, b, ground, &power, delta)
    };
    Ok(scale * (finite_sum + essential_sum).powf(1.0 / q))
}

/// Exact `q`-Wasserstein distance between two diagrams (the points of one
/// homology dimension each):
/// `W_q = (min over matchings of Σ cost^q)^(1/q)`, `q ≥ 1`.
///
/// `q = +∞` gives the bottleneck distance. hera's and giotto-tda's default is
/// `q = 2` with the `L∞` ground metric. See the [module documentation](self)
/// for the conventions and the algorithms.
///
/// # Errors
///
/// # Complexity
///
/// Points on one line: the banded dynamic programme, `O(n log n)`-ish.
/// Otherwise the sparse certified solver: `O((n_a + n_b)·k)` memory and
/// roughly `(n_a + n_b)^1.8` time on random diagrams (see
/// [`EXACT_SOLVER_LIMIT`]), plus the bottleneck distance used as the scale.
///
/// # Errors
///
/// [`MatchingErrorKind::InvalidExponent`] if `q` is NaN or `< 1`,
/// [`MatchingErrorKind::InvalidGroundMetric`], [`MatchingErrorKind::InvalidPoint`],
/// and [`MatchingErrorKind::TooLarge`] for more than [`EXACT_SOLVER_LIMIT`]
/// points in total (not on one line) or more than [`LINE_DP_LIMIT`] cells for
/// `n_a·n_b` (on one line).
pub fn wasserstein_exact(
    a: &[PersistencePair],
    b: &[PersistencePair],
    q: f64,
    ground: GroundMetric,
) -> Result<f64, MatchingError> {
    // With `Budget::Exact` the solvers answer or fail: `None` does not occur.
    exact_wasserstein(a, b, q, ground, Budget::Exact)?
        .ok_or_else(|| too_large(a.len(), b.len(), true))
}

/// How much work [`exact_wasserstein`] may do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Budget {
    /// [`wasserstein_exact`]: up to [`LINE_DP_LIMIT`] cells on one line and
    /// [`EXACT_SOLVER_LIMIT`] points otherwise, then `TooLarge`.
    Exact,
    /// [`wasserstein`] with `delta > 0`: up to [`LINE_DP_WHEN_APPROXIMATE`]
    /// cells and [`EXACT_WHEN_APPROXIMATE`] points, then `Ok(None)` (the
    /// caller runs the auction), as for a sparse solve left uncertified.
    WhenApproximate,
}

/// [`wasserstein_exact`] within `budget`: `Ok(None)` only for
/// [`Budget::WhenApproximate`], when the exact answer would cost more than it
/// allows.
fn exact_wasserstein(
    a: &[PersistencePair],
    b: &[PersistencePair],
    q: f64,
    ground: GroundMetric,
    budget: Budget,
) -> Result<Option<f64>, MatchingError> {
    let approximate = budget == Budget::WhenApproximate;
    let (line_budget, points_budget) = if approximate {
        (LINE_DP_WHEN_APPROXIMATE, EXACT_WHEN_APPROXIMATE)
    } else {
        (LINE_DP_LIMIT, EXACT_SOLVER_LIMIT)
    };
    if q.is_nan() || q < 1.0 {
        return Err(MatchingError::new(MatchingErrorKind::InvalidExponent { q }));
    }
    let ground = Ground::new(ground)?;
    let (mut a, mut b) = (Split::new(a, 0)?, Split::new(b, 1)?);
    let Some(essential) = essential_costs(&mut a.essential, &mut b.essential) else {
        return Ok(Some(f64::INFINITY));
    };
    let (a, b) = (&mut a.finite, &mut b.finite);
    let line = Line::detect(a, b);
    if let Some(line) = line {
        line.sort(a);
        line.sort(b);
    } else if a.len() + b.len() > points_budget {
        return if approximate { Ok(None) } else { Err(too_large(a.len(), b.len(), false)) };
    }

    let general = line.is_none() && !a.is_empty() && !b.is_empty() && q < f64::INFINITY;
    // The rest. Off a line it runs on a worker of the thread pool: its
    // parallel parts (neighbour search, certificate rounds) then start from
    // that worker, without a hand-over from the calling thread each time. On
    // a line nothing runs in parallel, so no pool is started or entered.
    let mut rest = move || -> Result<Option<f64>, MatchingError> {
        // Scale: the bottleneck distance `d` (every edge of a bottleneck matching
        // costs at most `scale`, and every matching has an edge costing at least
        // `scale`). Off a line and for `q ≤ SCALE_EXACT_ABOVE_Q`, the certified
        // approximation `d ≤ scale ≤ (1 + SCALE_DELTA)·d` does as well (every
        // matching then has an edge costing at least `scale/(1 + SCALE_DELTA)`)
        // at a fraction of the cost: the exact bisection's last steps, near `d`,
        // cost the most.
        let scale_delta =
            if line.is_none() && q <= SCALE_EXACT_ABOVE_Q { SCALE_DELTA } else { 0.0 };
        let (finite, candidates) = if general && q <= SCALE_EXACT_ABOVE_Q {
            // Off a line, the sparse solver's neighbour search comes first; it
            // bounds the bottleneck distance `lower ≤ d ≤ upper`, `upper` the
            // farthest point from the diagonal. When `(upper/lower)^q ≤ n + m + 1`,
            // `upper` does as the scale: every edge of a bottleneck matching
            // costs at most 1 in its units, and the diagonal costs, at most 1,
            // would not have been clamped in units of `d` either, so the
            // solver's tolerances (relative to the largest of them) are the same
            // as with the scale `d`. Otherwise the bottleneck distance is
            // computed.
            let candidates =
                sparse::candidates(a, b, ground, sparse::neighbours(a.len() + b.len()));
            let upper = a.iter().chain(b.iter()).map(|&p| ground.diag(p)).fold(0.0, f64::max);
            let ratio = (upper / candidates.lower).powf(q);
            let finite = if candidates.lower > 0.0 && ratio <= (a.len() + b.len() + 1) as f64 {
                upper
            } else {
                geometric::bottleneck(a, b, ground, scale_delta)
            };
            (finite, Some(candidates))
        } else if general {
            // The exact bottleneck distance as the scale, and the neighbour search
            // (independent of it) at the same time.
            let k = sparse::neighbours(a.len() + b.len());
            let (a, b) = (&*a, &*b);
            let (finite, candidates) = par::join(
                || geometric::bottleneck(a, b, ground, scale_delta),
                || sparse::candidates(a, b, ground, k),
            );
            (finite, Some(candidates))
        } else {
            (finite_bottleneck(a, b, ground, scale_delta), None)
        };
        let scale = essential.iter().copied().fold(finite, f64::max);
        if q == f64::INFINITY || scale == 0.0 || scale == f64::INFINITY {
            return Ok(Some(scale));
        }
        let power = Power::new(q, scale);
        let essential_sum: f64 = essential.iter().map(|&c| power.apply(c)).sum();
        if finite == 0.0 {
            // Every finite point is matched at cost 0.
            return Ok(Some(scale * essential_sum.powf(1.0 / q)));
        }
        // The finite part in units of its own scale `finite` (its bottleneck
        // distance, or the bound `upper` above), so that its optimum stays at
        // least `(1 + scale_delta)^-q` (or `1/(n + m + 1)`) however far the
        // essential points are (in units of `scale` it could underflow for large
        // `q`), then weighted by `(finite/scale)^q`: exactly 1 when no essential
        // cost exceeds `finite`, the common case, which keeps one common scale.
        let weight = power.apply(finite);
        let power = Power::new(q, finite);
        // `finite_sum`, and a cost the finite part's optimal matching pays: its
        // largest edge, or the bottleneck distance on a line (below).
        let (finite_sum, largest) = if a.is_empty() || b.is_empty() {
            let diag = || a.iter().chain(b.iter()).map(|&p| ground.diag(p));
            (diag().map(|c| power.apply(c)).sum(), diag().fold(0.0, f64::max))
        } else if line.is_some() {
            match line::line_wasserstein(a, b, ground, &power, line_budget) {
                Some(v) => (v, finite),
                None if approximate => return Ok(None),
                None => return Err(too_large(a.len(), b.len(), true)),
            }
        } else {
            let candidates = candidates.expect("built for every general pair");
            match general_wasserstein(a, b, candidates, ground, &power, approximate)? {
                Some(v) => v,
                None => return Ok(None),
            }
        };
        // `W_q ≥` every cost of its matching, so at least the bottleneck
        // distance; rounding (the powers, the root, the scales) could leave
        // the value an ulp or two below that cost: it is kept at least there.
        let w = scale * (weight * finite_sum + essential_sum).powf(1.0 / q);
        Ok(Some(essential.iter().copied().fold(w.max(largest), f64::max)))
    };
    if general { par::on_worker(rest) } else { rest() }
}

/// The relative error allowed in the bottleneck distance that scales the
/// costs of the exact general Wasserstein solver (see [`exact_wasserstein`]):
/// the optimum of the scaled problem is then at least `1.1^-q` (at least
/// `2·10⁻³` for `q ≤` [`SCALE_EXACT_ABOVE_Q`]), far from underflow. Measured
/// on random diagrams (2000 + 2000 points): the scale 11–14 ms exact, 2.5 ms
/// with it; 5000 + 5000 with `L2`: 43 ms against 9 ms.
const SCALE_DELTA: f64 = 0.1;

/// Exponents above this use the exact bottleneck distance as the scale.
const SCALE_EXACT_ABOVE_Q: f64 = 64.0;

fn too_large(points_a: usize, points_b: usize, on_line: bool) -> MatchingError {
    MatchingError::new(MatchingErrorKind::TooLarge { points_a, points_b, on_line })
}

// ---------------------------------------------------------------------------
// Ground metric.

/// A validated ground metric.
#[derive(Clone, Copy, Debug)]
enum Ground {
    Inf,
    One,
    Two,
    /// `L_p` for `1 < p < ∞`, `p ≠ 2`, with the diagonal factor `2^(1/p)/2`.
    P {
        p: f64,
        diag_factor: f64,
    },
}

impl Ground {
    fn new(g: GroundMetric) -> Result<Self, MatchingError> {
        let GroundMetric::Lp(p) = g else { return Ok(Ground::Inf) };
        Ok(if p.is_nan() || p < 1.0 {
            return Err(MatchingError::new(MatchingErrorKind::InvalidGroundMetric { p }));
        } else if p == f64::INFINITY {
            Ground::Inf
        } else if p == 1.0 {
            Ground::One
        } else if p == 2.0 {
            Ground::Two
        } else {
            Ground::P { p, diag_factor: 0.5 * 2f64.powf(1.0 / p) }
        })
    }

    /// Ground distance between two finite points. On a vertical or a
    /// horizontal line it is exactly `|Δ|` of the varying coordinate for every
    /// variant.
    fn dist(self, u: PersistencePair, w: PersistencePair) -> f64 {
        let x = (u.birth - w.birth).abs();
        let y = (u.death - w.death).abs();
        match self {
            Ground::Inf => x.max(y),
            Ground::One => x + y,
            Ground::Two => {
                // √(x² + y²) directly when the squares cannot overflow or
                // underflow (several times faster than `hypot`); it is
                // non-decreasing in `x` and `y`, and exactly `x` when
                // `y = 0` (the square root of a rounded square is exact).
                let m = x.max(y);
                if m < 1e150 && m > 1e-150 { (x * x + y * y).sqrt() } else { x.hypot(y) }
            }
            Ground::P { p, .. } => {
                // m·((x/m)^p + (y/m)^p)^(1/p): no overflow or underflow of the powers.
                let (m, r) = if x >= y { (x, y) } else { (y, x) };
                if m == 0.0 || m == f64::INFINITY {
                    m
                } else {
                    m * (1.0 + (r / m).powf(p)).powf(1.0 / p)
                }
            }
        }
    }

    /// Ground distance from a finite point to the diagonal.
    fn diag(self, u: PersistencePair) -> f64 {
        let l = u.death - u.birth;
        match self {
            Ground::Inf => 0.5 * l,
            Ground::One => l,
            Ground::Two => l * std::f64::consts::FRAC_1_SQRT_2,
            Ground::P { diag_factor, .. } => l * diag_factor,
        }
    }
}

/// `x ↦ (x / scale)^q`.
#[derive(Clone, Copy, Debug)]
struct Power {
    q: f64,
    scale: f64,
}

impl Power {
    fn new(q: f64, scale: f64) -> Self {
        Self { q, scale }
    }

    #[inline]
    fn apply(self, x: f64) -> f64 {
        Self::raise(x / self.scale, self.q)
    }

    /// `x ↦ (x · scale⁻¹)^q`: within an ulp of [`Power::apply`], monotone,
    /// without a division (for the sparse solver's inner loops, where only
    /// one consistent cost function matters).
    #[inline]
    fn by_reciprocal(self) -> impl Fn(f64) -> f64 + Copy {
        let (q, inv) = (self.q, 1.0 / self.scale);
        move |x| Self::raise(x * inv, q)
    }

    #[inline]
    fn raise(r: f64, q: f64) -> f64 {
        if q == 1.0 {
            r
        } else if q == 2.0 {
            r * r
        } else {
            r.powf(q)
        }
    }
}

// ---------------------------------------------------------------------------
// Input handling.

/// The finite non-trivial points and the essential births of one diagram.
#[derive(Debug)]
struct Split {
    finite: Vec<PersistencePair>,
    essential: Vec<f64>,
}

impl Split {
    fn new(points: &[PersistencePair], diagram: usize) -> Result<Self, MatchingError> {
        let mut finite = Vec::with_capacity(points.len());
        let mut essential = Vec::new();
        for (index, p) in points.iter().enumerate() {
            let ok = p.birth.is_finite() && !p.death.is_nan() && p.death >= p.birth;
            if !ok {
                let (birth, death) = (p.birth, p.death);
                return Err(MatchingError::new(MatchingErrorKind::InvalidPoint {
                    diagram,
                    index,
                    birth,
                    death,
                }));
            }
            if p.death == f64::INFINITY {
                essential.push(p.birth);
            } else if p.death != p.birth {
                finite.push(*p);
            }
        }
        Ok(Self { finite, essential })
    }
}

/// The edge costs of the sorted matching of the essential births, or `None`
/// if their numbers differ.
fn essential_costs(a: &mut [f64], b: &mut [f64]) -> Option<Vec<f64>> {
    if a.len() != b.len() {
        return None;
    }
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    Some(a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).collect())
}

/// Which line all finite points lie on, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Line {
    /// Same birth: the varying coordinate is the death.
    Vertical,
    /// Same death: the varying coordinate is the birth.
    Horizontal,
}

impl Line {
    fn detect(a: &[PersistencePair], b: &[PersistencePair]) -> Option<Self> {
        let first = a.first().or(b.first())?;
        let mut all = a.iter().chain(b.iter());
        if all.clone().all(|p| p.birth == first.birth) {
            Some(Line::Vertical)
        } else if all.all(|p| p.death == first.death) {
            Some(Line::Horizontal)
        } else {
            None
        }
    }

    fn coord(self, p: PersistencePair) -> f64 {
        match self {
            Line::Vertical => p.death,
            Line::Horizontal => p.birth,
        }
    }

    fn sort(self, points: &mut [PersistencePair]) {
        points.sort_by(|u, w| self.coord(*u).total_cmp(&self.coord(*w)));
    }
}

// ---------------------------------------------------------------------------
// Bottleneck.

/// The exact bottleneck distance of the finite parts (sorts the points if
/// they lie on one line).
fn finite_bottleneck(
    a: &mut [PersistencePair],
    b: &mut [PersistencePair],
    ground: Ground,
    delta: f64,
) -> f64 {
    let diag_a: Vec<f64> = a.iter().map(|&p| ground.diag(p)).collect();
    let diag_b: Vec<f64> = b.iter().map(|&p| ground.diag(p)).collect();
    // Sending everything to the diagonal is always feasible.
    let hi = diag_a.iter().chain(diag_b.iter()).copied().fold(0.0, f64::max);
    if a.is_empty() || b.is_empty() {
        return hi;
    }
    if let Some(line) = Line::detect(a, b) {
        line.sort(a);
        line.sort(b);
        let diag_a: Vec<f64> = a.iter().map(|&p| ground.diag(p)).collect();
        let diag_b: Vec<f64> = b.iter().map(|&p| ground.diag(p)).collect();
        let (a, b) = (&*a, &*b);
        return smallest_feasible(hi, |t| {
            line_covers(a, &diag_a, b, line, ground, t)
                && line_covers(b, &diag_b, a, line, ground, t)
        });
    }
    geometric::bottleneck(a, b, ground, delta)
}

/// The smallest `t` in `[0, hi]` with `feasible(t)`, for a monotone
/// `feasible` with `feasible(hi)`; `hi` must be `≥ 0` and not NaN.
///
/// Non-negative `f64` values are ordered as their bit patterns, so this is a
/// binary search over integers (at most 63 calls). The result is exact: if
/// feasibility only changes at some edge costs, it is one of them.
fn smallest_feasible(hi: f64, mut feasible: impl FnMut(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (0u64, hi.to_bits());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if feasible(f64::from_bits(mid)) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    f64::from_bits(hi)
}

/// Points on one line, both sorted by their varying coordinate: whether every
/// point `x` of `xs` with `diag_x > t` can be matched to a distinct point of
/// `ys` within distance `t` (greedy, see the module documentation).
fn line_covers(
    xs: &[PersistencePair],
    diag_x: &[f64],
    ys: &[PersistencePair],
    line: Line,
    ground: Ground,
    t: f64,
) -> bool {
    let mut j = 0;
    for (&x, _) in xs.iter().zip(diag_x).filter(|&(_, &d)| d > t) {
        let cx = line.coord(x);
        // Skip the points left of x's neighbourhood: they are left of the
        // neighbourhood of every later x too.
        while j < ys.len() && line.coord(ys[j]) < cx && ground.dist(x, ys[j]) > t {
            j += 1;
        }
        match ys.get(j) {
            Some(&y) if ground.dist(x, y) <= t => j += 1,
            _ => return false,
        }
    }
    true
}

// ---------------------------------------------------------------------------
// Wasserstein.

/// `min Σ power(cost)` over matchings of two non-empty diagrams not on one
/// line, by the sparse certified solver (see the module documentation), and
/// the largest ground distance of an edge of the matching found (0 from the
/// dense fallback).
/// Every cost `power(c)` of a bottleneck matching must be `≤ 1` (the power
/// is scaled by the bottleneck distance). If the sparse result is not
/// certified, `approximate` gives `Ok(None)` (the caller runs the auction),
/// otherwise the dense solver answers up to [`DENSE_FALLBACK_LIMIT`] points.
fn general_wasserstein(
    a: &[PersistencePair],
    b: &[PersistencePair],
    candidates: sparse::Candidates,
    ground: Ground,
    power: &Power,
    approximate: bool,
) -> Result<Option<(f64, f64)>, MatchingError> {
    let r = sparse::power_sum(candidates, ground, power);
    if r.value - r.lower <= 1e-9 * r.value {
        return Ok(Some((r.value, r.largest)));
    }
    // Not certified within the verification rounds (never seen in tests or benchmarks): an
    // uncertified value is never returned; the auction answers for `delta > 0`, the dense
    // solver where it fits.
    debug_assert!(false, "certificate gap: {r:?}");
    if approximate {
        Ok(None)
    } else if a.len() + b.len() <= DENSE_FALLBACK_LIMIT {
        // The Hungarian solver's matching is not returned: no largest cost.
        Ok(Some((dense_wasserstein(a, b, ground, power), 0.0)))
    } else {
        Err(too_large(a.len(), b.len(), false))
    }
}

/// The largest `n_a + n_b` for which [`general_wasserstein`] falls back to the dense
/// Hungarian algorithm (an `n_a × n_b` matrix, at most 200 MB; about 50 s at 5,000 + 5,000).
const DENSE_FALLBACK_LIMIT: usize = 10_000;

/// The dense reference of [`general_wasserstein`] (tests): the standard
/// reduction to a square assignment problem of size `n_a + n_b` (rows the
/// points of `a` and `n_b` copies of the diagonal, columns the points of `b`
/// and `n_a` copies; point–point entries cost `power(dist)`, a point and any
/// diagonal copy its powered diagonal cost, diagonal–diagonal 0), solved by
/// [`hungarian`]; `O((n_a + n_b)³)` time, an `n_a × n_b` matrix.
fn dense_wasserstein(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    power: &Power,
) -> f64 {
    let n = a.len() + b.len();
    // The optimum is ≤ n (a bottleneck assignment has entries ≤ 1), so any
    // entry above n is in no optimal assignment and can be clamped.
    let cap = n as f64 + 1.0;
    let scaled = |c: f64| power.apply(c).min(cap);
    let mut pair = Vec::with_capacity(a.len() * b.len());
    for &x in a {
        pair.extend(b.iter().map(|&y| scaled(ground.dist(x, y))));
    }
    let alpha: Vec<f64> = a.iter().map(|&p| scaled(ground.diag(p))).collect();
    let beta: Vec<f64> = b.iter().map(|&p| scaled(ground.diag(p))).collect();
    hungarian(&pair, &alpha, &beta)
}

/// The minimum total cost of the square assignment problem of size
/// `n = n_a + n_b` with rows `[a points | n_b diagonal copies]`, columns
/// `[b points | n_a diagonal copies]` and entries `pair[i·n_b + j]` (a point
/// `i`, b point `j`), `alpha[i]` (a point `i`, any diagonal copy), `beta[j]`
/// (any diagonal copy, b point `j`) and 0 (diagonal, diagonal). All entries
/// must be finite.
///
/// Kuhn–Munkres with potentials: rows are inserted one at a time and each is
/// joined to the assignment by a shortest augmenting path in reduced costs
/// (Dijkstra on a dense graph, `O(n²)`), `O(n³)` in total. The returned total
/// is summed from the original entries of the final assignment.
fn hungarian(pair: &[f64], alpha: &[f64], beta: &[f64]) -> f64 {
    let (n_a, n_b) = (alpha.len(), beta.len());
    let n = n_a + n_b;
    // 1-based rows and columns; column 0 is a virtual column holding the row
    // being inserted.
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; n + 1];
    let mut p = vec![0usize; n + 1]; // p[j] = row assigned to column j (0: none)
    let mut way = vec![0usize; n + 1];
    let mut minv = vec![f64::INFINITY; n + 1];
    let mut used = vec![false; n + 1];
    let entry = |i: usize, j: usize| -> f64 {
        let (r, c) = (i - 1, j - 1);
        match (r < n_a, c < n_b) {
            (true, true) => pair[r * n_b + c],
            (true, false) => alpha[r],
            (false, true) => beta[c],
            (false, false) => 0.0,
        }
    };
    // Warm start (column reduction): v_j = min_i c_ij is a feasible dual with
    // u = 0, and each column is assigned to a free row attaining its minimum
    // (a tight edge). Only the rows left free are inserted below.
    let mut row_free = vec![true; n + 1];
    for j in 1..=n {
        let m = (1..=n).map(|i| entry(i, j)).fold(f64::INFINITY, f64::min);
        v[j] = m;
        if let Some(i) = (1..=n).find(|&i| row_free[i] && entry(i, j) == m) {
            p[j] = i;
            row_free[i] = false;
        }
    }
    let free_rows: Vec<usize> = (1..=n).filter(|&i| row_free[i]).collect();
    for i in free_rows {
        p[0] = i;
        let mut j0 = 0;
        minv.fill(f64::INFINITY);
        used.fill(false);
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let ui0 = u[i0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            // Reduced costs of row i0; an unused column always exists here
            // (fewer than n columns are assigned), so j1 is set.
            let mut relax = |j: usize, c: f64| {
                if !used[j] {
                    let cur = c - ui0 - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if j1 == 0 || minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            };
            let r = i0 - 1;
            if r < n_a {
                let row = &pair[r * n_b..(r + 1) * n_b];
                for (k, &c) in row.iter().enumerate() {
                    relax(k + 1, c);
                }
                for j in n_b + 1..=n {
                    relax(j, alpha[r]);
                }
            } else {
                for (k, &c) in beta.iter().enumerate() {
                    relax(k + 1, c);
                }
                for j in n_b + 1..=n {
                    relax(j, 0.0);
                }
            }
            if j1 == 0 {
                break; // unreachable (see above)
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        // Augment along the alternating path back to the virtual column.
        while j0 != 0 {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        }
    }
    (1..=n).filter(|&j| p[j] != 0).map(|j| entry(p[j], j)).sum()
}
