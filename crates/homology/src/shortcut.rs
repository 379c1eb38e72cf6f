//! The exact graph shortcut: H0 and H1 of the 1-skeleton of a flag complex by Kruskal's
//! algorithm with union-find.
//!
//! A flag complex without 2-cells is its 1-skeleton, a graph. Its persistence is then given by
//! a minimum spanning forest: an edge that merges two components kills the younger one
//! (elder rule) and is an H0 death; an edge that closes a cycle creates an H1 class that never
//! dies (nothing of dimension 2 can kill it). This is exact, needs no boundary matrix, and runs
//! in `O(E log E)` time and `O(V + E)` memory, which is what makes the layered graphs of real
//! networks (millions of edges, always bipartite, so never any 2-cell) tractable.
//!
//! For a graph whose flag complex *has* 2-cells the result is the persistence of its
//! 1-skeleton only: H0 is still exact, H1 is not (2-cells would kill some classes).
//! [`flag_persistence`](crate::persistence::flag_persistence) decides this for you.
//!
//! # The 1-skeleton
//!
//! As in [`FlagComplex`](nnph_complex::FlagComplex): vertices with their values; in directed
//! mode every ordered pair `(u, v)` with a stored edge `u → v` is a 1-cell (so anti-parallel
//! edges are two 1-cells and create an H1 class); in undirected mode every unordered pair
//! `{u, v}` is one 1-cell. Several stored edges with the same key are one 1-cell with the
//! minimum of their values.

use nnph_complex::FilteredGraph;

use crate::diagram::{Diagram, PersistencePair};

/// Maps an `f64` to a `u64` whose unsigned order is [`f64::total_cmp`]'s order.
fn order_bits(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

/// The inverse of [`order_bits`].
fn from_order_bits(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Above this many edges the sort runs on rayon's global pool (with the `rayon` feature).
#[cfg(feature = "rayon")]
const PARALLEL_SORT_MIN: usize = 1 << 16;

/// H0 and H1 of the 1-skeleton of the (directed or undirected) flag complex of `graph`.
///
/// # Arguments
///
/// * `graph`: the filtered graph; its invariants guarantee edge values `≥` vertex values.
/// * `directed`: whether 1-cells are ordered pairs (flagser's directed flag complex) or
///   unordered pairs (see the [module docs](self)).
///
/// # Returns
///
/// A diagram with two dimensions:
///
/// * **H0**: edges are processed by increasing value, ties broken by the edge's vertex pair
///   `(source, target)` (in undirected mode `(min, max)`), which is the order of the 1-cells in
///   [`BoundaryMatrix::from_complex`](crate::reduce::BoundaryMatrix::from_complex). An edge
///   `e` merging two components emits `(birth, value(e))`, where `birth` is the value of the
///   younger component's oldest vertex (vertices ordered by (value, index)), but only if
///   `value(e) > birth`: pairs with birth = death are not emitted. Pairs come in merge order
///   (ascending death). Then one essential pair `(value, +∞)` per connected component, the value
///   of its oldest vertex, in the order of those vertices (ascending birth).
/// * **H1**: one essential pair `(value(e), +∞)` per edge `e` that closes a cycle, in
///   **descending** processing order (flagser's order: descending birth).
///
/// The result is identical, pair for pair and in the same order, to reducing the boundary matrix
/// of the 1-skeleton with any [`Reducer`](crate::reduce::Reducer) and reading it with
/// [`diagram_from_pairing`](crate::persistence::diagram_from_pairing).
/// With the `rayon` feature the sort is parallel for large graphs; the result does not depend
/// on it (the sort key is a total order without ties).
///
/// # Complexity
///
/// `O(V + E log E)` time (one sort of the edges, then union-find with path halving and union by
/// size), `O(V + E)` memory (16 bytes per edge for the sort plus 8 per edge for duplicate
/// detection).
///
/// # Examples
///
/// ```
/// use nnph_complex::{Edge, FilteredGraph};
/// use nnph_homology::shortcut::graph_persistence;
///
/// // A triangle 0 - 1 - 2 with edge values 1, 2, 3.
/// let edge = |source, target, value| Edge { source, target, value };
/// let graph = FilteredGraph::try_new(
///     vec![0.0; 3],
///     vec![edge(0, 1, 1.0), edge(1, 2, 2.0), edge(0, 2, 3.0)],
/// )?;
/// let d = graph_persistence(&graph, true);
/// let h0: Vec<_> = d.dim(0).iter().map(|p| (p.birth, p.death)).collect();
/// assert_eq!(h0, [(0.0, 1.0), (0.0, 2.0), (0.0, f64::INFINITY)]);
/// assert_eq!(d.dim(1)[0].birth, 3.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Reference: Kruskal, *On the shortest spanning subtree of a graph and the traveling salesman
/// problem*, Proc. AMS 7 (1956), <https://doi.org/10.1090/S0002-9939-1956-0078686-7>; the elder
/// rule: Edelsbrunner and Harer, *Computational Topology* (2010), §VII.1.
pub fn graph_persistence(graph: &FilteredGraph, directed: bool) -> Diagram {
    let vertex_values = graph.vertex_values();
    let n = vertex_values.len();

    // One u128 per edge: (order bits of the value, a, b), where (a, b) is the 1-cell's key.
    // Sorting these orders the edges by (value, a, b), a total order once duplicates are gone.
    let mut entries: Vec<u128> = graph
        .edges()
        .iter()
        .map(|e| {
            let (a, b) = if directed || e.source < e.target {
                (e.source, e.target)
            } else {
                (e.target, e.source)
            };
            (u128::from(order_bits(e.value)) << 64) | (u128::from(a) << 32) | u128::from(b)
        })
        .collect();
    let dropped = drop_duplicates(&mut entries, n);
    sort(&mut entries);
    entries.truncate(entries.len() - dropped);

    let mut forest = Forest::new(vertex_values);
    let mut h0 = Vec::new();
    let mut h1 = Vec::new();
    for &entry in &entries {
        let value = from_order_bits((entry >> 64) as u64);
        let a = (entry >> 32) as u32;
        let b = entry as u32;
        match forest.union(a, b) {
            None => h1.push(PersistencePair::new(value, f64::INFINITY)),
            Some(birth) => {
                if value > birth {
                    h0.push(PersistencePair::new(birth, value));
                }
            }
        }
    }
    h0.extend(forest.essential());
    h1.reverse();
    Diagram::from_dims(vec![h0, h1])
}

/// Replaces every edge entry whose key `(a, b)` occurs with a smaller entry by the sentinel
/// `u128::MAX` (which sorts last) and returns how many were replaced.
///
/// Linear time: a counting sort of `(b, edge)` by `a`, then one scan per `a` with a stamp
/// array over the `b`s.
fn drop_duplicates(entries: &mut [u128], n: usize) -> usize {
    let m = entries.len();
    if m < 2 {
        return 0;
    }
    if m > u32::MAX as usize {
        return drop_duplicates_by_sorting(entries);
    }
    // Edge indices fit in u32 here; offsets are usize.
    let mut start = vec![0usize; n + 1];
    for &e in entries.iter() {
        start[((e >> 32) as u32) as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut grouped: Vec<(u32, u32)> = vec![(0, 0); m];
    for (k, &e) in entries.iter().enumerate() {
        let a = ((e >> 32) as u32) as usize;
        grouped[fill[a]] = (e as u32, k as u32);
        fill[a] += 1;
    }
    drop(fill);
    let mut stamp = vec![u32::MAX; n];
    let mut slot = vec![0u32; n];
    let mut dropped = 0;
    for a in 0..n {
        for &(b, k) in &grouped[start[a]..start[a + 1]] {
            let b = b as usize;
            if stamp[b] == a as u32 {
                let kept = slot[b] as usize;
                if entries[k as usize] < entries[kept] {
                    entries[kept] = u128::MAX;
                    slot[b] = k;
                } else {
                    entries[k as usize] = u128::MAX;
                }
                dropped += 1;
            } else {
                stamp[b] = a as u32;
                slot[b] = k;
            }
        }
    }
    dropped
}

/// As [`drop_duplicates`], by sorting on the key (for more than `u32::MAX` edges).
fn drop_duplicates_by_sorting(entries: &mut [u128]) -> usize {
    entries.sort_unstable_by_key(|&e| (e as u64, e >> 64));
    let mut dropped = 0;
    let mut previous: Option<u64> = None;
    for e in entries.iter_mut() {
        let key = *e as u64;
        if previous == Some(key) {
            *e = u128::MAX;
            dropped += 1;
        } else {
            previous = Some(key);
        }
    }
    dropped
}

fn sort(entries: &mut [u128]) {
    #[cfg(feature = "rayon")]
    if entries.len() >= PARALLEL_SORT_MIN {
        use rayon::slice::ParallelSliceMut;
        entries.par_sort_unstable();
        return;
    }
    entries.sort_unstable();
}

/// Union-find over the vertices with path halving and union by size, tracking the oldest vertex
/// (smallest (value, index)) of every component.
struct Forest<'a> {
    values: &'a [f64],
    parent: Vec<u32>,
    size: Vec<u32>,
    elder: Vec<u32>,
}

impl<'a> Forest<'a> {
    fn new(values: &'a [f64]) -> Self {
        let n = values.len() as u32;
        Self {
            values,
            parent: (0..n).collect(),
            size: vec![1; n as usize],
            elder: (0..n).collect(),
        }
    }

    fn find(&mut self, mut v: u32) -> u32 {
        loop {
            let p = self.parent[v as usize];
            if p == v {
                return v;
            }
            let gp = self.parent[p as usize];
            self.parent[v as usize] = gp;
            v = gp;
        }
    }

    /// Whether vertex `u` is older than vertex `v`: smaller value, ties by smaller index.
    fn older(&self, u: u32, v: u32) -> bool {
        self.values[u as usize].total_cmp(&self.values[v as usize]).then(u.cmp(&v)).is_lt()
    }

    /// Merges the components of `a` and `b`. Returns `None` if they were already one component,
    /// otherwise the value of the younger component's oldest vertex (the birth that dies).
    fn union(&mut self, a: u32, b: u32) -> Option<f64> {
        let ra = self.find(a);
        let rb = self.find(b);
        if ra == rb {
            return None;
        }
        let (ea, eb) = (self.elder[ra as usize], self.elder[rb as usize]);
        let (old, young) = if self.older(ea, eb) { (ea, eb) } else { (eb, ea) };
        let (small, big) =
            if self.size[ra as usize] < self.size[rb as usize] { (ra, rb) } else { (rb, ra) };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        self.elder[big as usize] = old;
        Some(self.values[young as usize])
    }

    /// One essential pair per component, ordered by its oldest vertex.
    fn essential(&self) -> Vec<PersistencePair> {
        let mut elders: Vec<u32> = (0..self.parent.len() as u32)
            .filter(|&v| self.parent[v as usize] == v)
            .map(|r| self.elder[r as usize])
            .collect();
        elders.sort_unstable_by(|&u, &v| {
            self.values[u as usize].total_cmp(&self.values[v as usize]).then(u.cmp(&v))
        });
        elders
            .into_iter()
            .map(|e| PersistencePair::new(self.values[e as usize], f64::INFINITY))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two duplicate-dropping strategies keep the same entries.
    #[test]
    fn duplicate_dropping_strategies_agree() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [1u32, 2, 3, 7, 50] {
            let entries: Vec<u128> = (0..400)
                .map(|_| {
                    let (a, b, v) = (next() as u32 % n, next() as u32 % n, next() % 4);
                    (u128::from(order_bits(v as f64)) << 64) | (u128::from(a) << 32) | u128::from(b)
                })
                .collect();
            let mut linear = entries.clone();
            let mut sorting = entries;
            let dropped = drop_duplicates(&mut linear, n as usize);
            assert_eq!(drop_duplicates_by_sorting(&mut sorting), dropped);
            linear.sort_unstable();
            sorting.sort_unstable();
            assert_eq!(linear, sorting);
        }
    }

    #[test]
    fn order_bits_is_monotone_and_invertible() {
        let xs = [f64::MIN, -1.5, -0.0, 0.0, 1e-300, 0.5, 1.0, f64::MAX];
        for w in xs.windows(2) {
            assert!(order_bits(w[0]) < order_bits(w[1]));
        }
        for x in xs {
            assert_eq!(from_order_bits(order_bits(x)).to_bits(), x.to_bits());
        }
    }
}
