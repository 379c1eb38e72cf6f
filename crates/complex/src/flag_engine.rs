//! The cells of a directed or undirected flag complex up to a dimension, stored compactly as a
//! prefix tree (a *simplex tree*), with implicit coboundaries: the complex side of the fast flag
//! persistence engine (`nnph_homology::flag_cohomology`).
//!
//! # The complex
//!
//! The same complex and filtration as [`FlagComplex`](crate::flag_complex::FlagComplex): a
//! `k`-cell of the directed flag complex is a tuple `(v0, …, vk)` of distinct vertices with an
//! arc `vi → vj` for every `i < j`; its value is the maximum of the values of its vertices and
//! edges (flagser's 'max' filtration). Several arcs with the same key are one edge with the
//! smallest value. The undirected flag (clique) complex is the directed flag complex of the
//! graph with every edge oriented from its smaller to its larger vertex (the minimum value over
//! both directions), whose cells are the cliques listed with increasing vertices: one code path
//! serves both.
//!
//! # Storage
//!
//! The cells of dimension `k` form *level* `k`, in lexicographic order of their vertex tuples.
//! A cell is stored by its last vertex, its value (as a rank among the distinct values of the
//! graph: comparing ranks compares values), the index of its prefix (the cell without its last
//! vertex, one level down) and where its children start one level up (the cells extending it by
//! one vertex are contiguous there, sorted by the new vertex). That is 16 bytes per cell, and 8
//! bytes per cell of the top level, which needs neither. The position of a cell in its level is
//! its *index*; `(value rank, index)` is the filtration order within a dimension (value, then
//! lexicographic vertex tuple), the order [`BoundaryMatrix::from_complex`]-style explicit
//! reductions use, so diagrams agree pair for pair.
//!
//! [`BoundaryMatrix::from_complex`]: https://docs.rs/nnph-homology
//!
//! # Enumeration
//!
//! Level `k + 1` is built from level `k` alone: the children of a cell `σ = (v0, …, vk)` are the
//! vertices `w` of its *siblings* (the children of its prefix, i.e. the common out-neighbours of
//! `v0, …, v(k-1)`) with an arc `vk → w`, found by merging two sorted lists, and the value of
//! `σw` is `max(value(σ), value(prefix·w), value(vk → w))` since every vertex and edge of `σw`
//! lies in one of these three faces. Each level is first *counted* (exactly, without storing)
//! and checked against the [`MemoryBudget`], then filled. Both passes split the cells of level
//! `k` into ranges processed in parallel on the current rayon pool (feature `rayon`), each
//! writing its own part of the output: the result is the same for every thread count.
//!
//! # Coboundaries
//!
//! [`FlagCells::for_each_cofacet`] lists the cofacets of a `k`-cell `σ` without scanning the
//! vertices: inserting `w` at position `j` needs `w` a child of the prefix `(v0, …, v(j-1))` (arcs
//! from the prefix to `w`) and an in-neighbour of `vj, …, vk`; the candidates are the children
//! of the prefix that are in-neighbours of `vj` (a merge of two sorted lists; for `j = 0` the
//! in-neighbours of `v0`), and each is confirmed and located by descending the tree along
//! `vj, …, vk` (one binary search among few children per step). For `j = k + 1` the cofacets are
//! the children of `σ`, contiguous and free.
//!
//! # Complexity
//!
//! Building: `O(Σ_cells (s + d))` time for `s` siblings and `d` out-degree per cell (merges),
//! `O(V + E)` for the graph plus 16 bytes per cell of dimension `≤ max_dim` and 8 per cell of
//! dimension `max_dim + 1`. A cofacet query on a `k`-cell costs `O(k²·log d)` per cofacet plus
//! the merges.
//!
//! Reference for the enumeration: Lütgehetmann, Govc, Smith, Levi, *Computing persistent
//! homology of directed flag complexes*, Algorithms 13(1):19 (2020),
//! <https://doi.org/10.3390/a13010019>; for the tree: Boissonnat, Maria, *The simplex tree*,
//! Algorithmica 70 (2014), <https://doi.org/10.1007/s00453-014-9887-3>.

use std::fmt;
use std::ops::Range;

use crate::budget::{Estimate, MemoryBudget};
use crate::error::{Error, ErrorKind};
use crate::graph::FilteredGraph;

/// Bytes per cell of the reduction's working memory (sorted column keys, pivot table, reduction
/// matrix entries) that [`FlagCells::build`] adds to its estimate for each cell of dimension
/// `1..=max_dim`, on top of the tree itself.
pub const REDUCTION_BYTES_PER_CELL: u128 = 28;

/// The most cells a level may hold: indices are `u32`, and `u32::MAX` is reserved.
const MAX_LEVEL: u64 = u32::MAX as u64 - 1;

/// One dimension of the tree: its cells in lexicographic order.
#[derive(Debug, Default)]
struct Level {
    /// The last vertex of each cell.
    vertex: Vec<u32>,
    /// The value rank of each cell.
    value: Vec<u32>,
    /// The index of each cell's prefix in the level below (empty for level 0 and the top).
    parent: Vec<u32>,
    /// `child_start[i]..child_start[i + 1]`: the children of cell `i` one level up (empty for
    /// the top level).
    child_start: Vec<u32>,
}

impl Level {
    fn len(&self) -> usize {
        self.vertex.len()
    }

    fn children(&self, i: u32) -> Range<usize> {
        self.child_start[i as usize] as usize..self.child_start[i as usize + 1] as usize
    }
}

/// The cells of dimension `0..=max_dim + 1` of a directed or undirected flag complex in a prefix
/// tree, with implicit coboundaries (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use nnph_complex::budget::MemoryBudget;
/// use nnph_complex::flag::read_flag;
/// use nnph_complex::flag_engine::FlagCells;
///
/// // The complete digraph on 3 vertices: 6 edges, 6 triangles (every vertex order).
/// let text = "dim 0\n0 0 0\ndim 1\n0 1 1\n1 0 1\n0 2 1\n2 0 1\n1 2 1\n2 1 1\n";
/// let graph = read_flag(text.as_bytes())?;
/// let cells = FlagCells::build(&graph, true, 1, &MemoryBudget::unlimited())?;
/// assert_eq!(cells.cell_counts(), vec![3, 6, 6]);
/// // The edge (0, 1) is a face of (2, 0, 1), (0, 2, 1) and (0, 1, 2): the new vertex 2 at
/// // positions 0, 1 and 2.
/// let mut cofacets = Vec::new();
/// let edge = cells.find(&[0, 1]).unwrap();
/// cells.for_each_cofacet(1, edge, &mut Vec::new(), |index, _, position| {
///     let mut vertices = Vec::new();
///     cells.vertices_into(2, index, &mut vertices);
///     cofacets.push((vertices, position));
/// });
/// cofacets.sort();
/// assert_eq!(cofacets, vec![(vec![0, 1, 2], 2), (vec![0, 2, 1], 1), (vec![2, 0, 1], 0)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FlagCells {
    directed: bool,
    /// The distinct vertex and edge values, increasing: `values[rank]`.
    values: Vec<f64>,
    /// In-neighbours of each vertex, sorted: `in_list[in_offsets[v]..in_offsets[v + 1]]`.
    in_offsets: Vec<usize>,
    in_list: Vec<u32>,
    levels: Vec<Level>,
}

impl fmt::Debug for FlagCells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlagCells")
            .field("directed", &self.directed)
            .field("cell_counts", &self.cell_counts())
            .finish()
    }
}

/// Arcs as sorted out-lists: `out[out_offsets[u]..out_offsets[u + 1]]` holds `(w, value rank)`
/// for every arc `u → w`, increasing in `w`.
struct Arcs {
    out_offsets: Vec<usize>,
    out: Vec<(u32, u32)>,
}

impl Arcs {
    fn of(&self, u: u32) -> &[(u32, u32)] {
        &self.out[self.out_offsets[u as usize]..self.out_offsets[u as usize + 1]]
    }
}

impl FlagCells {
    /// Builds the tree of the cells of dimension `0..=max_dim + 1` of the directed (or, if
    /// `directed` is false, undirected) flag complex of `graph`.
    ///
    /// Before each level is allocated it is counted, and the estimate of the tree so far plus
    /// the new level plus the reduction's working memory ([`REDUCTION_BYTES_PER_CELL`] per cell
    /// of dimension `1..=max_dim`) is checked against `budget`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OverBudget`] (with the cell counts so far and a hint to lower the maximum
    /// dimension); [`ErrorKind::TooLarge`] if a dimension has `2^32 - 1` cells or more, or the
    /// graph more than `2^32 - 1` distinct values.
    pub fn build(
        graph: &FilteredGraph,
        directed: bool,
        max_dim: usize,
        budget: &MemoryBudget,
    ) -> Result<Self, Error> {
        let n = graph.vertex_count();
        if n as u64 > MAX_LEVEL {
            return Err(too_large(format!("{n} vertices (at most {MAX_LEVEL})")));
        }
        // Arcs (u, w, value), deduplicated by key keeping the smallest value.
        let mut arcs: Vec<(u32, u32, f64)> = graph
            .edges()
            .iter()
            .map(|e| {
                if directed || e.source < e.target {
                    (e.source, e.target, e.value)
                } else {
                    (e.target, e.source, e.value)
                }
            })
            .collect();
        arcs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)));
        arcs.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1);
        if arcs.len() as u64 > MAX_LEVEL {
            return Err(too_large(format!("{} edges (at most {MAX_LEVEL})", arcs.len())));
        }
        let mut values: Vec<f64> =
            graph.vertex_values().iter().copied().chain(arcs.iter().map(|a| a.2)).collect();
        values.sort_unstable_by(f64::total_cmp);
        values.dedup_by(|a, b| a.total_cmp(b).is_eq());
        let rank = |x: f64| values.binary_search_by(|v| v.total_cmp(&x)).unwrap_or(0) as u32;

        let mut out_offsets = vec![0usize; n + 1];
        let mut in_offsets = vec![0usize; n + 1];
        for a in &arcs {
            out_offsets[a.0 as usize + 1] += 1;
            in_offsets[a.1 as usize + 1] += 1;
        }
        for v in 0..n {
            out_offsets[v + 1] += out_offsets[v];
            in_offsets[v + 1] += in_offsets[v];
        }
        let mut in_list = vec![0u32; arcs.len()];
        let mut fill = in_offsets.clone();
        // Arcs are sorted by source, so every in-list comes out sorted.
        for a in &arcs {
            in_list[fill[a.1 as usize]] = a.0;
            fill[a.1 as usize] += 1;
        }
        drop(fill);
        let vertex_rank: Vec<u32> = graph.vertex_values().iter().map(|&x| rank(x)).collect();
        let arc_list =
            Arcs { out_offsets, out: arcs.iter().map(|&(_, w, x)| (w, rank(x))).collect() };
        drop(arcs);

        let mut counts: Vec<u128> = vec![n as u128];
        let check = |counts: &[u128]| -> Result<(), Error> {
            let estimate = estimate(counts, max_dim, directed);
            budget.check(&estimate)
        };
        check(&counts)?;
        let mut level0 = Level {
            vertex: (0..n as u32).collect(),
            value: vertex_rank.clone(),
            parent: Vec::new(),
            child_start: Vec::new(),
        };
        if max_dim >= u32::MAX as usize {
            return Err(too_large(format!("maximum dimension {max_dim}")));
        }
        level0.child_start = arc_list.out_offsets.iter().map(|&o| o as u32).collect();
        counts.push(arc_list.out.len() as u128);
        check(&counts)?;
        let mut level1 = Level::default();
        let top = max_dim == 0;
        for u in 0..n as u32 {
            for &(w, e) in arc_list.of(u) {
                level1.vertex.push(w);
                level1.value.push(e.max(vertex_rank[u as usize]).max(vertex_rank[w as usize]));
                if !top {
                    level1.parent.push(u);
                }
            }
        }
        let mut levels = vec![level0, level1];
        for k in 1..=max_dim {
            let (starts, total) = count_children(&levels, k, &arc_list)?;
            counts.push(u128::from(total));
            check(&counts)?;
            let next = fill_children(&levels, k, &arc_list, &starts, k == max_dim);
            levels[k].child_start = starts;
            levels.push(next);
        }
        Ok(Self { directed, values, in_offsets, in_list, levels })
    }

    /// Whether this is the directed flag complex.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    /// The highest dimension stored (`max_dim + 1` of [`FlagCells::build`]).
    pub fn top_dim(&self) -> usize {
        self.levels.len() - 1
    }

    /// The number of cells of each stored dimension.
    pub fn cell_counts(&self) -> Vec<usize> {
        self.levels.iter().map(Level::len).collect()
    }

    /// The number of cells of dimension `dim` (0 above the top).
    pub fn count(&self, dim: usize) -> usize {
        self.levels.get(dim).map_or(0, Level::len)
    }

    /// The distinct vertex and edge values of the graph, increasing; a value rank indexes it.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The value rank of cell `index` of dimension `dim`.
    ///
    /// # Panics
    ///
    /// If there is no such cell.
    #[inline]
    pub fn value_rank(&self, dim: usize, index: u32) -> u32 {
        self.levels[dim].value[index as usize]
    }

    /// The value ranks of all cells of dimension `dim`, by index.
    ///
    /// # Panics
    ///
    /// If `dim > self.top_dim()`.
    pub fn value_ranks(&self, dim: usize) -> &[u32] {
        &self.levels[dim].value
    }

    /// The value of cell `index` of dimension `dim`.
    ///
    /// # Panics
    ///
    /// If there is no such cell.
    pub fn value(&self, dim: usize, index: u32) -> f64 {
        self.values[self.value_rank(dim, index) as usize]
    }

    /// The edges (cells of dimension 1) as `(source, target)`, by index.
    ///
    /// # Panics
    ///
    /// If `top_dim() < 1`, or `index` is not an edge.
    pub fn edge(&self, index: u32) -> (u32, u32) {
        let mut v = Vec::with_capacity(2);
        self.vertices_into(1, index, &mut v);
        (v[0], v[1])
    }

    /// Writes the vertices of cell `index` of dimension `dim` into `out` (cleared first).
    ///
    /// # Panics
    ///
    /// If there is no such cell, or `dim` is the top dimension `≥ 2` (whose cells do not store
    /// their prefix).
    pub fn vertices_into(&self, dim: usize, index: u32, out: &mut Vec<u32>) {
        out.clear();
        out.resize(dim + 1, 0);
        let mut i = index;
        for d in (0..=dim).rev() {
            let level = &self.levels[d];
            out[d] = level.vertex[i as usize];
            if d > 0 {
                i = if level.parent.is_empty() {
                    self.parent_by_search(d, i)
                } else {
                    level.parent[i as usize]
                };
            }
        }
    }

    /// The prefix of cell `i` of level `d ≥ 1` by binary search in the level below (for levels
    /// that do not store it).
    fn parent_by_search(&self, d: usize, i: u32) -> u32 {
        let starts = &self.levels[d - 1].child_start;
        (starts.partition_point(|&s| s <= i) - 1) as u32
    }

    /// The index of the cell with these vertices (in simplex order), if it is one.
    pub fn find(&self, vertices: &[u32]) -> Option<u32> {
        let (&first, rest) = vertices.split_first()?;
        if first as usize >= self.count(0) || vertices.len() > self.levels.len() {
            return None;
        }
        let mut node = first;
        for (d, &v) in rest.iter().enumerate() {
            node = self.find_child(d, node, v)?;
        }
        Some(node)
    }

    /// The child of cell `node` of dimension `dim` whose last vertex is `v`.
    #[inline]
    fn find_child(&self, dim: usize, node: u32, v: u32) -> Option<u32> {
        let range = self.levels[dim].children(node);
        let start = range.start;
        let slice = &self.levels[dim + 1].vertex[range];
        // Children lists are short; a linear scan wins below a few dozen.
        if slice.len() <= 16 {
            for (i, &x) in slice.iter().enumerate() {
                if x >= v {
                    return (x == v).then_some((start + i) as u32);
                }
            }
            None
        } else {
            slice.binary_search(&v).ok().map(|i| (start + i) as u32)
        }
    }

    /// Calls `visit(index, value_rank, position)` for every cofacet of cell `index` of dimension
    /// `dim`: `index` in dimension `dim + 1`, and `position` the place of the new vertex (the
    /// incidence number is `(-1)^position`). The order of the calls is unspecified but fixed.
    /// `path` is scratch space, reused between calls.
    ///
    /// # Panics
    ///
    /// If `dim + 1 > self.top_dim()` or there is no such cell.
    pub fn for_each_cofacet(
        &self,
        dim: usize,
        index: u32,
        path: &mut Vec<u32>,
        mut visit: impl FnMut(u32, u32, usize),
    ) {
        let k = dim;
        assert!(k < self.top_dim(), "no cofacets stored above dimension {}", self.top_dim());
        // path[d] = the prefix of length d + 1 (a cell of dimension d); then the vertices.
        path.clear();
        path.resize(2 * (k + 1), 0);
        path[k] = index;
        for d in (1..=k).rev() {
            path[d - 1] = self.levels[d].parent[path[d] as usize];
        }
        for d in 0..=k {
            path[k + 1 + d] = self.levels[d].vertex[path[d] as usize];
        }
        let (nodes, vertices) = path.split_at(k + 1);
        // Descends from `node` (dimension `from`) along vertices[from..]: the cofacet's index.
        let descend = |mut node: u32, from: usize| -> Option<u32> {
            for (d, &v) in vertices.iter().enumerate().skip(from) {
                node = self.find_child(d, node, v)?;
            }
            Some(node)
        };
        let top = &self.levels[k + 1];
        // Position 0: the in-neighbours of v0.
        let v0 = vertices[0] as usize;
        for &w in &self.in_list[self.in_offsets[v0]..self.in_offsets[v0 + 1]] {
            if let Some(c) = descend(w, 0) {
                visit(c, top.value[c as usize], 0);
            }
        }
        // Positions 1..=k: children of the prefix that are in-neighbours of vj.
        for j in 1..=k {
            let prefix = &self.levels[j - 1];
            let children = prefix.children(nodes[j - 1]);
            let offset = children.start;
            let candidates = &self.levels[j].vertex[children];
            let vj = vertices[j] as usize;
            let ins = &self.in_list[self.in_offsets[vj]..self.in_offsets[vj + 1]];
            intersect(candidates, ins, |i, _| {
                if let Some(c) = descend((offset + i) as u32, j) {
                    visit(c, top.value[c as usize], j);
                }
            });
        }
        // Position k + 1: the children of the cell.
        for c in self.levels[k].children(index) {
            visit(c as u32, top.value[c], k + 1);
        }
    }
}

/// Calls `f(i, j)` for every `a[i] == b[j]` of two strictly increasing lists, merging or, when
/// one list is much shorter, searching the longer one.
#[inline]
fn intersect(a: &[u32], b: &[u32], f: impl FnMut(usize, usize)) {
    intersect_by(a, b, |&y| y, f);
}

/// [`intersect`] with the keys of `b` given by `key`.
#[inline]
fn intersect_by<T>(a: &[u32], b: &[T], key: impl Fn(&T) -> u32, mut f: impl FnMut(usize, usize)) {
    if a.is_empty() || b.is_empty() {
        return;
    }
    if a.len() * 16 < b.len() {
        let mut lo = 0;
        for (i, &x) in a.iter().enumerate() {
            lo += b[lo..].partition_point(|y| key(y) < x);
            if lo < b.len() && key(&b[lo]) == x {
                f(i, lo);
            }
        }
        return;
    }
    if b.len() * 16 < a.len() {
        let mut lo = 0;
        for (j, y) in b.iter().enumerate() {
            let y = key(y);
            lo += a[lo..].partition_point(|&x| x < y);
            if lo < a.len() && a[lo] == y {
                f(lo, j);
            }
        }
        return;
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(i, j);
                i += 1;
                j += 1;
            }
        }
    }
}

/// The merge of the siblings of cell `i` of level `k` with the out-list of its last vertex:
/// `f(sibling index, w, arc value rank)` for every child `σw`.
#[inline]
fn children_of(
    levels: &[Level],
    k: usize,
    i: usize,
    arcs: &Arcs,
    mut f: impl FnMut(usize, u32, u32),
) {
    let level = &levels[k];
    let p = level.parent[i];
    let siblings = levels[k - 1].children(p);
    let offset = siblings.start;
    let out = arcs.of(level.vertex[i]);
    intersect_by(
        &level.vertex[siblings],
        out,
        |&(w, _)| w,
        |s, o| {
            f(offset + s, out[o].0, out[o].1);
        },
    );
}

/// Cells of level `k` per parallel task.
const CHUNK: usize = 4096;

/// Counts the children of every cell of level `k`: returns the running sums (the future
/// `child_start` of level `k`) and the total.
fn count_children(levels: &[Level], k: usize, arcs: &Arcs) -> Result<(Vec<u32>, u64), Error> {
    let len = levels[k].len();
    let mut counts = vec![0u32; len + 1];
    let work = |(c, chunk): (usize, &mut [u32])| {
        for (t, slot) in chunk.iter_mut().enumerate() {
            let mut m = 0u32;
            children_of(levels, k, c * CHUNK + t, arcs, |_, _, _| m += 1);
            *slot = m;
        }
    };
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        counts[1..].par_chunks_mut(CHUNK).enumerate().for_each(work);
    }
    #[cfg(not(feature = "rayon"))]
    counts[1..].chunks_mut(CHUNK).enumerate().for_each(work);
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if total > MAX_LEVEL {
        return Err(too_large(format!(
            "dimension {} has {total} cells (at most {MAX_LEVEL}); lower the maximum dimension",
            k + 1
        )));
    }
    for i in 0..len {
        counts[i + 1] += counts[i];
    }
    Ok((counts, total))
}

/// Builds level `k + 1` from level `k` and its `child_start` (`starts`).
fn fill_children(levels: &[Level], k: usize, arcs: &Arcs, starts: &[u32], top: bool) -> Level {
    let len = levels[k].len();
    let total = starts[len] as usize;
    let mut next = Level {
        vertex: vec![0; total],
        value: vec![0; total],
        parent: if top { Vec::new() } else { vec![0; total] },
        child_start: Vec::new(),
    };
    // Disjoint output slices, one per chunk of level k.
    let mut tasks = Vec::with_capacity(len.div_ceil(CHUNK));
    let (mut vs, mut xs, mut ps) =
        (&mut next.vertex[..], &mut next.value[..], &mut next.parent[..]);
    for c in 0..len.div_ceil(CHUNK) {
        let a = c * CHUNK;
        let b = (a + CHUNK).min(len);
        let m = (starts[b] - starts[a]) as usize;
        let (v1, v2) = std::mem::take(&mut vs).split_at_mut(m);
        let (x1, x2) = std::mem::take(&mut xs).split_at_mut(m);
        let (p1, p2) =
            if top { (&mut [][..], &mut [][..]) } else { std::mem::take(&mut ps).split_at_mut(m) };
        vs = v2;
        xs = x2;
        ps = p2;
        tasks.push((a..b, v1, x1, p1));
    }
    let level = &levels[k];
    let work = |(range, vs, xs, ps): (Range<usize>, &mut [u32], &mut [u32], &mut [u32])| {
        let mut t = 0;
        for i in range {
            let own = level.value[i];
            children_of(levels, k, i, arcs, |s, w, e| {
                vs[t] = w;
                xs[t] = own.max(level.value[s]).max(e);
                if !top {
                    ps[t] = i as u32;
                }
                t += 1;
            });
        }
    };
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        tasks.into_par_iter().for_each(work);
    }
    #[cfg(not(feature = "rayon"))]
    tasks.into_iter().for_each(work);
    next
}

/// The memory estimate for the cell counts so far (dimension 0 first).
fn estimate(counts: &[u128], max_dim: usize, directed: bool) -> Estimate {
    let top = max_dim + 1;
    let mut bytes: u128 = 0;
    for (d, &c) in counts.iter().enumerate() {
        bytes += c * if d == top { 8 } else { 16 };
        if (1..=max_dim).contains(&d) {
            bytes += c * REDUCTION_BYTES_PER_CELL;
        }
    }
    let kind = if directed { "directed" } else { "undirected" };
    Estimate::new(
        format!(
            "the {kind} flag complex up to dimension {top} (for homology up to dimension \
             {max_dim}), counted up to dimension {}",
            counts.len() - 1
        ),
        bytes,
    )
    .with_cells(counts.to_vec())
    .with_hint("lower --max-dim")
}

fn too_large(message: String) -> Error {
    Error::new(ErrorKind::TooLarge { message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flag_complex::FlagComplex;
    use crate::graph::Edge;

    fn graph(n: usize, edges: &[(u32, u32, f64)]) -> FilteredGraph {
        let edges = edges.iter().map(|&(source, target, value)| Edge { source, target, value });
        FilteredGraph::try_new(vec![0.0; n], edges.collect()).unwrap()
    }

    /// Every level lists the cells of `FlagComplex` in the same (lexicographic) order with the
    /// same values, and every cofacet query agrees with a brute-force search.
    #[test]
    fn levels_and_cofacets_match_the_reference() {
        let g = graph(
            5,
            &[
                (0, 1, 1.0),
                (1, 0, 2.0),
                (1, 2, 0.5),
                (0, 2, 3.0),
                (2, 0, 1.5),
                (2, 3, 1.0),
                (3, 1, 2.5),
                (0, 3, 0.25),
                (3, 4, 1.0),
                (4, 0, 2.0),
                (1, 4, 4.0),
            ],
        );
        for directed in [true, false] {
            let reference = FlagComplex::new(&g, directed);
            let cells = FlagCells::build(&g, directed, 3, &MemoryBudget::unlimited()).unwrap();
            let mut buffer = Vec::new();
            for d in 0..=cells.top_dim() {
                let expected = reference.cells(d);
                assert_eq!(cells.count(d), expected.len());
                for (i, c) in expected.iter().enumerate() {
                    cells.vertices_into(d, i as u32, &mut buffer);
                    assert_eq!(buffer, c.vertices);
                    assert_eq!(cells.value(d, i as u32), c.value);
                    assert_eq!(cells.find(&c.vertices), Some(i as u32));
                }
            }
            for d in 0..cells.top_dim() {
                let upper = reference.cells(d + 1);
                for (i, c) in reference.cells(d).iter().enumerate() {
                    let mut got = Vec::new();
                    cells.for_each_cofacet(d, i as u32, &mut buffer, |j, rank, pos| {
                        assert_eq!(rank, cells.value_rank(d + 1, j));
                        got.push((j as usize, pos));
                    });
                    got.sort_unstable();
                    let mut expected: Vec<(usize, usize)> = Vec::new();
                    for (j, u) in upper.iter().enumerate() {
                        for pos in 0..u.vertices.len() {
                            let mut face = u.vertices.clone();
                            face.remove(pos);
                            if face == c.vertices {
                                expected.push((j, pos));
                            }
                        }
                    }
                    assert_eq!(got, expected, "{:?} (directed: {directed})", c.vertices);
                }
            }
        }
    }

    #[test]
    fn budget_refuses_with_a_hint() {
        let edges: Vec<(u32, u32, f64)> = (0..6u32)
            .flat_map(|u| (0..6u32).filter(move |&w| w != u).map(move |w| (u, w, 1.0)))
            .collect();
        let g = graph(6, &edges);
        let e = FlagCells::build(&g, true, 4, &MemoryBudget::bytes(10_000)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::OverBudget { .. }));
        assert!(e.to_string().contains("--max-dim"), "{e}");
        assert!(FlagCells::build(&g, true, 4, &MemoryBudget::bytes(1 << 20)).is_ok());
    }
}
