//! Vietoris–Rips filtrations of distance matrices, with simplices indexed by the combinatorial
//! number system.
//!
//! The Vietoris–Rips complex at scale `t` of a dissimilarity `d` on points `0..n` has a simplex
//! for every vertex set whose pairwise distances are all `≤ t`; in the filtration, a simplex
//! enters at its **diameter** (the largest pairwise distance of its vertices, `0` for a vertex).
//! [`RipsComplex`] keeps the simplices with diameter `≤` the threshold (pairs at distance `+∞`
//! are never joined).
//!
//! # Simplex indices
//!
//! A `k`-simplex with vertices `v_0 < v_1 < … < v_k` has the index
//! `Σ_i C(v_i, i + 1)` (the combinatorial number system of degree `k + 1`): a bijection from the
//! `k`-simplices on `n` points onto `0..C(n, k + 1)`, increasing in the colexicographic order of
//! the vertex tuples. Binomial coefficients come from a table built with checked arithmetic, so
//! an index that would overflow `u64` is an error when the complex is built, never wrong output.
//!
//! # Order
//!
//! Within a dimension, simplices are listed by (diameter, index), diameters compared with
//! [`f64::total_cmp`]: a total order that breaks ties between equal diameters by the
//! combinatorial index (colexicographic order of the sorted vertex tuples).

use crate::budget::{Estimate, MemoryBudget};
use crate::cell::{Cell, FilteredComplex};
use crate::distances::{DistanceInput, DistanceMatrix, SparseDistances};
use crate::error::{Error, ErrorKind};

/// Options of [`RipsComplex::new`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RipsOptions {
    /// The largest homology dimension of interest. Simplices are available up to dimension
    /// `max_dim + 1` (those kill the classes of dimension `max_dim`). Default 1.
    pub max_dim: usize,
    /// The largest diameter kept; `None` (default) for the enclosing radius
    /// ([`DistanceMatrix::enclosing_radius`]), above which homology is trivial.
    pub threshold: Option<f64>,
    /// Whether to build per-vertex neighbour lists (the pairs joined under the threshold) and
    /// enumerate cofacets by intersecting them, instead of scanning all points. `None`
    /// (default): when at most a quarter of the pairs are joined. Sparse input
    /// ([`RipsComplex::from_sparse`]) always uses neighbour lists. Never changes the result.
    pub neighbour_lists: Option<bool>,
    /// The memory a persistence computation on this complex may use; checked against an
    /// estimate before anything is enumerated ([`RipsComplex::estimate`]). Default:
    /// [`MemoryBudget::default`], a fraction of physical memory.
    pub memory_budget: MemoryBudget,
}

impl Default for RipsOptions {
    fn default() -> Self {
        Self {
            max_dim: 1,
            threshold: None,
            neighbour_lists: None,
            memory_budget: MemoryBudget::default(),
        }
    }
}

impl RipsOptions {
    /// Options with the given maximum homology dimension and threshold, the other fields
    /// default.
    pub fn new(max_dim: usize, threshold: Option<f64>) -> Self {
        Self { max_dim, threshold, ..Self::default() }
    }

    /// These options with neighbour lists forced on (`Some(true)`), off (`Some(false)`, ignored
    /// for sparse input) or chosen automatically (`None`).
    pub fn with_neighbour_lists(mut self, neighbour_lists: Option<bool>) -> Self {
        self.neighbour_lists = neighbour_lists;
        self
    }

    /// These options with the given memory budget.
    pub fn with_memory_budget(mut self, memory_budget: MemoryBudget) -> Self {
        self.memory_budget = memory_budget;
        self
    }
}

/// Per-vertex neighbour lists of the pairs joined in a [`RipsComplex`] (compressed rows):
/// for each point, the points at distance `≤` the threshold, increasing, with their distances.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbours {
    /// Row `v` is `vertices[offsets[v]..offsets[v + 1]]`.
    offsets: Vec<usize>,
    vertices: Vec<u32>,
    distances: Vec<f64>,
}

impl Neighbours {
    /// The neighbours of `v` (increasing) and their distances to `v`.
    ///
    /// # Panics
    ///
    /// If `v` is not a point.
    #[inline]
    pub fn of(&self, v: usize) -> (&[u32], &[f64]) {
        let range = self.offsets[v]..self.offsets[v + 1];
        (&self.vertices[range.clone()], &self.distances[range])
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of joined pairs (each counted once).
    pub fn edge_count(&self) -> usize {
        self.vertices.len() / 2
    }

    /// The distance between joined points `i` and `j`, `None` if they are not joined (or equal).
    ///
    /// # Complexity
    ///
    /// A binary search in the shorter of the two rows.
    ///
    /// # Panics
    ///
    /// If `i` or `j` is not a point.
    #[inline]
    pub fn distance(&self, i: usize, j: usize) -> Option<f64> {
        let (a, b) =
            if self.offsets[i + 1] - self.offsets[i] <= self.offsets[j + 1] - self.offsets[j] {
                (i, j)
            } else {
                (j, i)
            };
        let (vertices, distances) = self.of(a);
        vertices.binary_search(&(b as u32)).ok().map(|k| distances[k])
    }

    /// The lists from `(i, j, d)` pairs with `i > j`, each pair once, `d ≤ threshold`.
    fn from_pairs(n: usize, pairs: impl Iterator<Item = (u32, u32, f64)> + Clone) -> Self {
        let mut offsets = vec![0usize; n + 1];
        for (i, j, _) in pairs.clone() {
            offsets[i as usize + 1] += 1;
            offsets[j as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        let total = offsets[n];
        let mut fill = offsets.clone();
        let mut vertices = vec![0u32; total];
        let mut distances = vec![0f64; total];
        // Pairs come sorted by (i, j) with i > j: row j receives i in increasing order, but row i
        // receives j's before its larger neighbours only if the rows are filled in order; sort
        // each row afterwards to be safe.
        for (i, j, d) in pairs {
            let (i, j) = (i as usize, j as usize);
            vertices[fill[i]] = j as u32;
            distances[fill[i]] = d;
            fill[i] += 1;
            vertices[fill[j]] = i as u32;
            distances[fill[j]] = d;
            fill[j] += 1;
        }
        let mut row: Vec<(u32, f64)> = Vec::new();
        for v in 0..n {
            let range = offsets[v]..offsets[v + 1];
            if vertices[range.clone()].windows(2).all(|w| w[0] < w[1]) {
                continue;
            }
            row.clear();
            row.extend(
                vertices[range.clone()]
                    .iter()
                    .copied()
                    .zip(distances[range.clone()].iter().copied()),
            );
            row.sort_unstable_by_key(|e| e.0);
            for (k, &(w, d)) in row.iter().enumerate() {
                vertices[range.start + k] = w;
                distances[range.start + k] = d;
            }
        }
        Self { offsets, vertices, distances }
    }
}

/// The Vietoris–Rips filtration of a [`DistanceMatrix`] (or of sparse distances) up to a
/// threshold and dimension.
///
/// Nothing is enumerated when it is built: [`simplices`](Self::simplices) and
/// [`FilteredComplex::cells`] enumerate one dimension on demand, [`cofacets`](Self::cofacets)
/// the coboundary of one simplex.
///
/// Distances are held either as the dense lower triangle, or as per-vertex [`Neighbours`]
/// lists of the joined pairs, or both (dense input under a low threshold): sparse input is never
/// made dense.
///
/// # Examples
///
/// ```
/// use nnph_complex::FilteredComplex;
/// use nnph_complex::distances::DistanceMatrix;
/// use nnph_complex::rips::{RipsComplex, RipsOptions};
///
/// // Four points on a square with side 1 and diagonals 2.
/// let d = DistanceMatrix::from_lower(4, vec![1.0, 2.0, 1.0, 1.0, 2.0, 1.0])?;
/// let rips = RipsComplex::new(d, &RipsOptions::new(1, None))?;
/// assert_eq!(rips.threshold(), 2.0); // the enclosing radius
/// assert_eq!(rips.cells(1).len(), 6);
/// let triangles = rips.cells(2);
/// assert_eq!(triangles.len(), 4);
/// assert!(triangles.iter().all(|t| t.value == 2.0));
/// assert_eq!(rips.simplex_index(&[0, 1, 3]), Some(1));
/// assert_eq!(rips.simplex_vertices(1, 2), vec![0, 1, 3]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RipsComplex {
    n: usize,
    dense: Option<DistanceMatrix>,
    neighbours: Option<Neighbours>,
    threshold: f64,
    max_dim: usize,
    /// `binomial[k][m] = C(m, k)` for `k ≤ max_dim + 2`, `m ≤ n`.
    binomial: Vec<Vec<u64>>,
    memory_budget: MemoryBudget,
}

/// Bytes per entry of the neighbour lists (a `u32` vertex and an `f64` distance).
const NEIGHBOUR_BYTES: u128 = 12;

impl RipsComplex {
    /// The filtration of `dist` with the given options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NonFiniteValue`] for a NaN or negative threshold;
    /// [`ErrorKind::TooLarge`] if a binomial coefficient `C(n, k)` with `k ≤ max_dim + 2`
    /// overflows `u64` (simplex indices of dimension `max_dim + 1` would not fit): lower
    /// `max_dim` or the number of points; [`ErrorKind::OverBudget`] if the neighbour lists and
    /// index tables alone exceed the memory budget.
    pub fn new(dist: DistanceMatrix, options: &RipsOptions) -> Result<Self, Error> {
        let threshold = options.threshold.unwrap_or_else(|| dist.enclosing_radius());
        check_threshold(threshold)?;
        let n = dist.len();
        check_indices(n, options.max_dim)?;
        let joined = |x: f64| x <= threshold && x.is_finite();
        let lists = match options.neighbour_lists {
            Some(lists) => lists,
            None => {
                let edges = dist.lower().iter().filter(|&&x| joined(x)).count();
                edges <= dist.lower().len() / 4
            }
        };
        let mut rips = Self {
            n,
            dense: None,
            neighbours: None,
            threshold,
            max_dim: options.max_dim,
            binomial: Vec::new(),
            memory_budget: options.memory_budget,
        };
        if lists {
            let edges = dist.lower().iter().filter(|&&x| joined(x)).count() as u128;
            rips.check_tables(edges)?;
            let pairs = (1..n).flat_map(|i| {
                let row = &dist.lower()[i * (i - 1) / 2..i * (i - 1) / 2 + i];
                row.iter()
                    .enumerate()
                    .filter(move |e| joined(*e.1))
                    .map(move |(j, &d)| (i as u32, j as u32, d))
            });
            rips.neighbours = Some(Neighbours::from_pairs(n, pairs));
        } else {
            rips.check_tables(0)?;
        }
        rips.dense = Some(dist);
        rips.binomial = binomial_table(n, options.max_dim + 2);
        Ok(rips)
    }

    /// The filtration of sparse distances (absent pairs at `+∞`), with neighbour lists and
    /// without ever allocating the dense matrix. The default threshold is the enclosing radius,
    /// `+∞` unless some point is joined to all others.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new); the tables are estimated (and refused over the budget) before
    /// anything proportional to the number of points is allocated.
    pub fn from_sparse(sparse: &SparseDistances, options: &RipsOptions) -> Result<Self, Error> {
        let n = sparse.n;
        check_indices(n, options.max_dim)?;
        let mut rips = Self {
            n,
            dense: None,
            neighbours: None,
            threshold: 0.0,
            max_dim: options.max_dim,
            binomial: Vec::new(),
            memory_budget: options.memory_budget,
        };
        rips.check_tables(sparse.entries.len() as u128)?;
        let all = Neighbours::from_pairs(n, sparse.entries.iter().copied());
        let threshold = match options.threshold {
            Some(t) => t,
            None => (0..n)
                .filter(|&v| all.of(v).0.len() + 1 == n)
                .map(|v| all.of(v).1.iter().copied().fold(0.0, f64::max))
                .fold(if n <= 1 { 0.0 } else { f64::INFINITY }, f64::min),
        };
        check_threshold(threshold)?;
        let joined = |x: f64| x <= threshold && x.is_finite();
        let neighbours = if sparse.entries.iter().all(|e| joined(e.2)) {
            all
        } else {
            drop(all);
            Neighbours::from_pairs(n, sparse.entries.iter().copied().filter(|e| joined(e.2)))
        };
        rips.threshold = threshold;
        rips.neighbours = Some(neighbours);
        rips.binomial = binomial_table(n, options.max_dim + 2);
        Ok(rips)
    }

    /// The filtration of distances as read ([`crate::distances::read_input`]): dense input with
    /// [`new`](Self::new), sparse input with [`from_sparse`](Self::from_sparse).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn from_input(input: DistanceInput, options: &RipsOptions) -> Result<Self, Error> {
        match input {
            DistanceInput::Dense(d) => Self::new(d, options),
            DistanceInput::Sparse(s) => Self::from_sparse(&s, options),
        }
    }

    /// Checks the index tables and `edges` neighbour pairs against the budget.
    fn check_tables(&self, edges: u128) -> Result<(), Error> {
        let bytes = self.table_bytes(edges);
        self.memory_budget.check(
            &Estimate::new(
                format!("the index tables of a Rips complex on {} points", self.n),
                bytes,
            )
            .with_hint("lower the number of points or --max-dim"),
        )
    }

    /// Bytes of the binomial table and of neighbour lists with `edges` pairs.
    fn table_bytes(&self, edges: u128) -> u128 {
        let n = self.n as u128;
        let binomial = (self.max_dim as u128 + 3) * (n + 1) * 8;
        let lists = if edges > 0 || self.dense.is_none() {
            (n + 1) * 8 + 2 * edges * NEIGHBOUR_BYTES
        } else {
            0
        };
        binomial + lists
    }

    /// The dense distance matrix, if the complex was built from one.
    pub fn distances(&self) -> Option<&DistanceMatrix> {
        self.dense.as_ref()
    }

    /// The neighbour lists of the joined pairs, if the complex uses them (sparse input, or a
    /// low threshold; see [`RipsOptions::neighbour_lists`]).
    pub fn neighbours(&self) -> Option<&Neighbours> {
        self.neighbours.as_ref()
    }

    /// The memory budget from the options.
    pub fn memory_budget(&self) -> MemoryBudget {
        self.memory_budget
    }

    /// The largest diameter kept.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The largest homology dimension of interest; simplices exist up to `max_dim + 1`.
    pub fn max_dim(&self) -> usize {
        self.max_dim
    }

    /// The number of points (vertices).
    pub fn num_points(&self) -> usize {
        self.n
    }

    /// `C(m, k)` from the table.
    ///
    /// # Panics
    ///
    /// If `k > max_dim + 2` or `m > num_points()`.
    pub fn binomial(&self, m: usize, k: usize) -> u64 {
        self.binomial[k][m]
    }

    /// The distance between points `i` and `j`: `0` if equal, `+∞` if they are not joined in
    /// a complex with neighbour lists only (sparse input).
    ///
    /// # Panics
    ///
    /// If `i` or `j` is not a point.
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        match (&self.dense, &self.neighbours) {
            (Some(d), _) => d.get(i, j),
            (None, Some(lists)) => {
                assert!(
                    i < self.n && j < self.n,
                    "point ({i}, {j}) out of range for {} points",
                    self.n
                );
                if i == j { 0.0 } else { lists.distance(i, j).unwrap_or(f64::INFINITY) }
            }
            (None, None) => unreachable!("a Rips complex has dense or sparse distances"),
        }
    }

    /// Whether points `i` and `j` are joined: a finite distance `≤` the threshold.
    fn joined(&self, i: usize, j: usize) -> bool {
        let d = self.distance(i, j);
        d.is_finite() && d <= self.threshold
    }

    /// The number of joined pairs (edges of the complex).
    ///
    /// # Complexity
    ///
    /// `O(1)` with neighbour lists, else one pass over the `n (n - 1) / 2` distances.
    pub fn edge_count(&self) -> usize {
        match (&self.neighbours, &self.dense) {
            (Some(lists), _) => lists.edge_count(),
            (None, Some(d)) => {
                d.lower().iter().filter(|&&x| x.is_finite() && x <= self.threshold).count()
            }
            (None, None) => 0,
        }
    }

    /// Upper bounds on the number of simplices of each dimension `0..=max_dim + 1`: exact for
    /// vertices and edges; for `k + 1 ≥ 3` vertices the smaller of the Kruskal–Katona bound
    /// `C(x, k + 1)` (where the `m` edges are `C(x, 2)`) and `Σ_v C(d⁺(v), k)`, `d⁺(v)` the
    /// number of neighbours of `v` with a larger index (each clique counted at its smallest
    /// vertex). Both are exact for a complete complex.
    ///
    /// # Complexity
    ///
    /// As [`edge_count`](Self::edge_count) plus `O(n · max_dim)`.
    pub fn simplex_count_bounds(&self) -> Vec<u128> {
        let n = self.n;
        let mut up = vec![0u64; n];
        match (&self.neighbours, &self.dense) {
            (Some(lists), _) => {
                for (v, d) in up.iter_mut().enumerate() {
                    let row = lists.of(v).0;
                    *d = (row.len() - row.partition_point(|&w| (w as usize) <= v)) as u64;
                }
            }
            (None, Some(dist)) => {
                let lower = dist.lower();
                for i in 1..n {
                    for (j, &x) in lower[i * (i - 1) / 2..i * (i - 1) / 2 + i].iter().enumerate() {
                        if x.is_finite() && x <= self.threshold {
                            up[j] += 1;
                        }
                    }
                }
            }
            (None, None) => {}
        }
        let edges: u128 = up.iter().map(|&d| u128::from(d)).sum();
        // x with C(x, 2) = edges, rounded up.
        let x = ((1.0 + (1.0 + 8.0 * edges as f64).sqrt()) / 2.0).ceil() as u128;
        let mut out = vec![n as u128, edges];
        for k in 2..=self.max_dim + 1 {
            let by_vertex = up
                .iter()
                .fold(0u128, |acc, &d| acc.saturating_add(binomial_u128(u128::from(d), k)));
            out.push(by_vertex.min(binomial_u128(x, k + 1)));
        }
        out.truncate(self.max_dim + 2);
        out
    }

    /// The index of the simplex with these vertices (strictly increasing), `None` if they are not
    /// strictly increasing, name a point out of range, or have more than `max_dim + 2` vertices.
    /// The simplex need not be in the complex (its diameter may exceed the threshold).
    pub fn simplex_index(&self, vertices: &[u32]) -> Option<u64> {
        if vertices.is_empty()
            || vertices.len() >= self.binomial.len()
            || vertices.windows(2).any(|w| w[0] >= w[1])
            || *vertices.last()? as usize >= self.num_points()
        {
            return None;
        }
        // Cannot overflow: the sum is below C(n, len) ≤ u64::MAX (checked in `new`).
        Some(vertices.iter().enumerate().map(|(i, &v)| self.binomial[i + 1][v as usize]).sum())
    }

    /// The vertices (increasing) of the `dim`-simplex with this index.
    ///
    /// # Panics
    ///
    /// If `dim > max_dim + 1` or `index ≥ C(n, dim + 1)`.
    pub fn simplex_vertices(&self, index: u64, dim: usize) -> Vec<u32> {
        let mut vertices = Vec::with_capacity(dim + 1);
        self.simplex_vertices_into(index, dim, &mut vertices);
        vertices
    }

    /// The row `C(·, k)` of the binomial table: `binomial_row(k)[m] = C(m, k)` for `m ≤ n`.
    ///
    /// # Panics
    ///
    /// If `k > max_dim + 2`.
    pub fn binomial_row(&self, k: usize) -> &[u64] {
        &self.binomial[k]
    }

    /// As [`simplex_vertices`](Self::simplex_vertices), into `vertices` (cleared first), so that
    /// a caller decoding many simplices reuses one buffer.
    ///
    /// # Panics
    ///
    /// As [`simplex_vertices`](Self::simplex_vertices).
    #[inline]
    pub fn simplex_vertices_into(&self, index: u64, dim: usize, vertices: &mut Vec<u32>) {
        let n = self.num_points();
        assert!(dim + 1 < self.binomial.len(), "dimension {dim} above max_dim + 1");
        assert!(index < self.binomial[dim + 1][n], "simplex index {index} out of range");
        vertices.clear();
        vertices.resize(dim + 1, 0);
        let mut rest = index;
        let mut upper = n; // the next vertex is < upper
        for k in (1..=dim + 1).rev() {
            // The largest v < upper with C(v, k) ≤ rest (C(k - 1, k) = 0 ≤ rest, so v ≥ k - 1).
            let row = &self.binomial[k];
            let v = row[..upper].partition_point(|&c| c <= rest) - 1;
            vertices[k - 1] = v as u32;
            rest -= row[v];
            upper = v;
        }
    }

    /// The diameter of a vertex set: its largest pairwise distance (`0` for one vertex).
    ///
    /// # Panics
    ///
    /// If a vertex is out of range.
    pub fn diameter(&self, vertices: &[u32]) -> f64 {
        let mut diameter: f64 = 0.0;
        for (a, &u) in vertices.iter().enumerate() {
            for &v in &vertices[..a] {
                diameter = diameter.max(self.distance(u as usize, v as usize));
            }
        }
        diameter
    }

    /// The `dim`-simplices of the complex as `(diameter, index)`, sorted by (diameter, index).
    /// Empty if `dim > max_dim + 1`.
    ///
    /// # Complexity
    ///
    /// Backtracking over vertex sets whose pairs are all joined: time proportional to the number
    /// of simplices of dimension `≤ dim` times `dim`, plus the sort; memory the output.
    pub fn simplices(&self, dim: usize) -> Vec<(f64, u64)> {
        let mut out = Vec::new();
        let mut scratch = SimplexScratch::default();
        for v in 0..self.n {
            self.for_each_simplex_from(v as u32, dim, &mut scratch, |_, d, i| out.push((d, i)));
        }
        out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out
    }

    /// Calls `visit(vertices, diameter, index)` for every `dim`-simplex of the complex whose
    /// smallest vertex is `v`, in lexicographic order of the vertex tuples. Nothing if
    /// `dim > max_dim + 1`. `scratch` holds reusable buffers (one per thread).
    ///
    /// Splitting an enumeration by `v` lets callers run it in parallel and concatenate the
    /// results in `v` order.
    ///
    /// # Complexity
    ///
    /// Backtracking over the candidates joined to the whole prefix, intersecting neighbour lists
    /// (or scanning the dense matrix): time proportional to the simplices of dimension `≤ dim`
    /// starting at `v` times their candidate lists.
    ///
    /// # Panics
    ///
    /// If `v` is not a point.
    pub fn for_each_simplex_from(
        &self,
        v: u32,
        dim: usize,
        scratch: &mut SimplexScratch,
        mut visit: impl FnMut(&[u32], f64, u64),
    ) {
        assert!((v as usize) < self.n, "point {v} out of range for {} points", self.n);
        if dim + 1 >= self.binomial.len() {
            return;
        }
        if dim == 0 {
            visit(&[v], 0.0, u64::from(v));
            return;
        }
        let levels = &mut scratch.levels;
        levels.resize_with(dim + 1, Vec::new);
        levels[1].clear();
        match (&self.neighbours, &self.dense) {
            (Some(lists), _) => {
                let (ws, ds) = lists.of(v as usize);
                let from = ws.partition_point(|&w| w <= v);
                levels[1].extend(ws[from..].iter().copied().zip(ds[from..].iter().copied()));
            }
            (None, Some(dist)) => {
                let threshold = self.threshold;
                levels[1].extend((v as usize + 1..self.n).filter_map(|w| {
                    let e = dist.lower()[w * (w - 1) / 2 + v as usize];
                    (e.is_finite() && e <= threshold).then_some((w as u32, e))
                }));
            }
            (None, None) => {}
        }
        if levels[1].len() < dim {
            return;
        }
        scratch.prefix.clear();
        scratch.prefix.push(v);
        self.extend(
            levels,
            &mut scratch.prefix,
            1,
            self.binomial[1][v as usize],
            dim + 1,
            &mut visit,
        );
    }

    /// Visits every simplex extending `prefix` (`depth` vertices, index part `index`) to `len`
    /// vertices. `levels[depth]` holds the candidates for the next vertex: the points after the
    /// prefix joined to all of it, with their largest distance to the prefix combined with the
    /// prefix's own diameter.
    fn extend(
        &self,
        levels: &mut [Vec<(u32, f64)>],
        prefix: &mut Vec<u32>,
        depth: usize,
        index: u64,
        len: usize,
        visit: &mut impl FnMut(&[u32], f64, u64),
    ) {
        let row = &self.binomial[depth + 1];
        if depth + 1 == len {
            for &(v, d) in &levels[depth] {
                prefix.push(v);
                visit(prefix, d, index + row[v as usize]);
                prefix.pop();
            }
            return;
        }
        let candidates = std::mem::take(&mut levels[depth]);
        for (a, &(v, dv)) in candidates.iter().enumerate() {
            // Leave room for the remaining vertices.
            if candidates.len() - a < len - depth {
                break;
            }
            let mut next = std::mem::take(&mut levels[depth + 1]);
            next.clear();
            let rest = &candidates[a + 1..];
            match (&self.neighbours, &self.dense) {
                (Some(lists), _) => {
                    // Intersect the candidates after v with the neighbours of v (both increasing).
                    let (ws, ds) = lists.of(v as usize);
                    let mut k = ws.partition_point(|&w| w <= v);
                    for &(w, dw) in rest {
                        while k < ws.len() && ws[k] < w {
                            k += 1;
                        }
                        if k == ws.len() {
                            break;
                        }
                        if ws[k] == w {
                            next.push((w, dw.max(dv).max(ds[k])));
                        }
                    }
                }
                (None, Some(dist)) => {
                    let lower = dist.lower();
                    for &(w, dw) in rest {
                        // v < w: the distance is in row w of the lower triangle.
                        let w = w as usize;
                        let e = lower[w * (w - 1) / 2 + v as usize];
                        if e.is_finite() && e <= self.threshold {
                            next.push((w as u32, dw.max(dv).max(e)));
                        }
                    }
                }
                (None, None) => {}
            }
            let enough = next.len() >= len - depth - 1;
            levels[depth + 1] = next;
            if enough {
                prefix.push(v);
                self.extend(levels, prefix, depth + 1, index + row[v as usize], len, visit);
                prefix.pop();
            }
        }
        levels[depth] = candidates;
    }

    /// The cofacets in the complex of the `dim`-simplex with this index, as
    /// `(diameter, index)` of dimension `dim + 1`, sorted by (diameter, index). Empty if
    /// `dim + 1 > max_dim + 1`.
    ///
    /// # Panics
    ///
    /// As [`simplex_vertices`](Self::simplex_vertices).
    pub fn cofacets(&self, index: u64, dim: usize) -> Vec<(f64, u64)> {
        let mut out = Vec::new();
        if dim + 2 >= self.binomial.len() {
            return out;
        }
        let vertices = self.simplex_vertices(index, dim);
        let diameter = self.diameter(&vertices);
        for w in 0..self.num_points() as u32 {
            if vertices.contains(&w) {
                continue;
            }
            let mut d = diameter;
            if vertices.iter().any(|&u| !self.joined(u as usize, w as usize)) {
                continue;
            }
            let mut coface = Vec::with_capacity(dim + 2);
            for &u in &vertices {
                d = d.max(self.distance(u as usize, w as usize));
                if u < w {
                    coface.push(u);
                }
            }
            coface.push(w);
            coface.extend(vertices.iter().filter(|&&u| u > w));
            out.push((d, self.simplex_index(&coface).expect("in range")));
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out
    }

    /// What a persistence computation on this complex holds for sure, before any column of
    /// dimension `≥ 2` is stored: the distances, the neighbour lists, the binomial table and the
    /// sorted edges with the candidate columns of dimension 1 (32 bytes per edge, 16 for
    /// `max_dim = 0`). The cells listed are the bounds of
    /// [`simplex_count_bounds`](Self::simplex_count_bounds).
    ///
    /// The columns of higher dimensions are not included: apparent pairs and clearing usually
    /// leave 10 to 1000 times fewer than the bounds, so an engine should count them as they are
    /// stored and stop when the budget is reached (as `nnph-homology`'s Rips engine does);
    /// [`Estimate::bytes`] is then the starting point of that count.
    pub fn estimate(&self) -> Estimate {
        let cells = self.simplex_count_bounds();
        let dense = self.dense.as_ref().map_or(0, |d| d.lower().len() as u128 * 8);
        let lists = self
            .neighbours
            .as_ref()
            .map_or(0, |l| (l.len() as u128 + 1) * 8 + l.vertices.len() as u128 * NEIGHBOUR_BYTES);
        let binomial = (self.max_dim as u128 + 3) * (self.n as u128 + 1) * 8;
        // Sorted edges, and the candidate columns of dimension 1 beside them.
        let per_edge = if self.max_dim >= 1 { 32 } else { 16 };
        let edges = cells.get(1).copied().unwrap_or(0).saturating_mul(per_edge);
        let bytes = dense.saturating_add(lists).saturating_add(binomial).saturating_add(edges);
        Estimate::new(
            format!(
                "Vietoris–Rips persistence of {} points up to dimension {} at threshold {}",
                self.n, self.max_dim, self.threshold
            ),
            bytes,
        )
        .with_cells(cells)
        .with_hint("lower --threshold or --max-dim")
    }
}

/// Reusable buffers of [`RipsComplex::for_each_simplex_from`].
#[derive(Clone, Debug, Default)]
pub struct SimplexScratch {
    levels: Vec<Vec<(u32, f64)>>,
    prefix: Vec<u32>,
}

fn check_threshold(threshold: f64) -> Result<(), Error> {
    if threshold.is_nan() || threshold < 0.0 {
        return Err(Error::new(ErrorKind::NonFiniteValue {
            what: format!("the threshold {threshold}"),
        }));
    }
    Ok(())
}

/// `C(n, k)` saturating at `u128::MAX`.
fn binomial_u128(n: u128, k: usize) -> u128 {
    let k = k as u128;
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 1..=k {
        // c · (n - k + i) / i is exact at every step; stop once it no longer fits.
        match c.checked_mul(n - k + i) {
            Some(x) => c = x / i,
            None => return u128::MAX,
        }
    }
    c
}

/// Checks, before allocating anything, that `C(n, k)` fits `u64` for `k ≤ max_dim + 2`.
fn check_indices(n: usize, max_dim: usize) -> Result<(), Error> {
    if n > u32::MAX as usize {
        return Err(Error::new(ErrorKind::TooLarge {
            message: format!("{n} points (at most {})", u32::MAX),
        }));
    }
    let top = max_dim.checked_add(2).ok_or_else(|| too_large(n, max_dim))?;
    // C(n, k) increases in k up to n / 2.
    let worst = top.min(n / 2);
    if binomial_u128(n as u128, worst) > u128::from(u64::MAX) {
        return Err(too_large(n, max_dim));
    }
    Ok(())
}

/// `table[k][m] = C(m, k)` for `k ≤ top`, `m ≤ n` (checked by [`check_indices`] to fit).
fn binomial_table(n: usize, top: usize) -> Vec<Vec<u64>> {
    let mut table: Vec<Vec<u64>> = Vec::with_capacity(top + 1);
    table.push(vec![1; n + 1]);
    for k in 1..=top {
        let mut row = vec![0u64; n + 1];
        for m in 1..=n {
            row[m] = row[m - 1].saturating_add(table[k - 1][m - 1]);
        }
        table.push(row);
    }
    table
}

fn too_large(n: usize, max_dim: usize) -> Error {
    Error::new(ErrorKind::TooLarge {
        message: format!(
            "simplex indices of dimension {} on {n} points overflow 64 bits; \
             lower the maximum dimension or the number of points",
            max_dim.saturating_add(1)
        ),
    })
}

impl FilteredComplex for RipsComplex {
    /// The `dim`-simplices in (diameter, index) order, vertices increasing; empty above
    /// `max_dim + 1`.
    fn cells(&self, dim: usize) -> Vec<Cell> {
        self.simplices(dim)
            .into_iter()
            .map(|(value, index)| Cell::new(self.simplex_vertices(index, dim), value))
            .collect()
    }
}
