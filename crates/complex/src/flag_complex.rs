//! Directed and undirected flag complexes of a [`FilteredGraph`] with flagser's 'max' filtration.
//!
//! # Cells
//!
//! * **Directed** ([`FlagComplex::directed`]): a `k`-simplex is an ordered `(k + 1)`-tuple
//!   `(v0, …, vk)` of distinct vertices with an edge `vi → vj` for every `i < j` (a directed
//!   clique with a source-to-sink total order).
//!   Anti-parallel edges `u → v` and `v → u` are two distinct 1-simplices `(u, v)` and `(v, u)`.
//! * **Undirected** ([`FlagComplex::undirected`]): a `k`-simplex is a `(k + 1)`-clique of the
//!   underlying undirected graph, listed with increasing vertices.
//!   If both `u → v` and `v → u` are stored, the undirected edge `{u, v}` gets the **minimum** of
//!   the two values (it is present as soon as one of the two directed edges is).
//!
//! Several stored edges with the same key (the same ordered pair in directed mode, the same
//! unordered pair in undirected mode) are one 1-simplex whose value is the minimum of theirs.
//!
//! # Filtration ('max', as flagser)
//!
//! A vertex has its vertex value, an edge its edge value, and a higher simplex the maximum of
//! the values of its edges and vertices. [`FilteredGraph`]'s invariants (edge ≥ vertex) make this
//! a filtration: a face never has a larger value than its coface.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use crate::cell::{Cell, FilteredComplex};
use crate::graph::FilteredGraph;

/// The directed or undirected flag complex of a filtered graph (see the [module docs](self)).
///
/// The complex is implicit: cells are enumerated on demand from sorted neighbour lists, which
/// are built on first use (`O(E log E)` time, `O(V + E)` memory).
/// This is the clear reference enumeration, not a fast engine.
pub struct FlagComplex<'g> {
    graph: &'g FilteredGraph,
    directed: bool,
    adjacency: OnceLock<Adjacency>,
}

impl fmt::Debug for FlagComplex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlagComplex")
            .field("vertices", &self.graph.vertex_count())
            .field("edges", &self.graph.edge_count())
            .field("directed", &self.directed)
            .finish()
    }
}

/// Sorted, deduplicated neighbour lists in CSR form: the out-neighbours of each vertex
/// (directed) or its larger neighbours (undirected), with the (minimum) edge value.
#[derive(Debug)]
struct Adjacency {
    offsets: Vec<usize>,
    neighbours: Vec<(u32, f64)>,
}

impl Adjacency {
    fn build(graph: &FilteredGraph, directed: bool) -> Self {
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
        // Keeps the first (smallest-valued) arc of every key.
        arcs.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1);
        let n = graph.vertex_count();
        let mut offsets = vec![0usize; n + 1];
        for a in &arcs {
            offsets[a.0 as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let neighbours = arcs.into_iter().map(|(_, t, v)| (t, v)).collect();
        Self { offsets, neighbours }
    }

    fn of(&self, v: u32) -> &[(u32, f64)] {
        &self.neighbours[self.offsets[v as usize]..self.offsets[v as usize + 1]]
    }

    fn value(&self, u: u32, v: u32) -> Option<f64> {
        let list = self.of(u);
        list.binary_search_by(|&(t, _)| t.cmp(&v)).ok().map(|i| list[i].1)
    }
}

impl<'g> FlagComplex<'g> {
    /// The directed flag complex of `graph`.
    pub fn directed(graph: &'g FilteredGraph) -> Self {
        Self { graph, directed: true, adjacency: OnceLock::new() }
    }

    /// The undirected flag complex (clique complex) of `graph`.
    pub fn undirected(graph: &'g FilteredGraph) -> Self {
        Self { graph, directed: false, adjacency: OnceLock::new() }
    }

    /// The complex of `graph`, directed or not.
    pub fn new(graph: &'g FilteredGraph, directed: bool) -> Self {
        Self { graph, directed, adjacency: OnceLock::new() }
    }

    /// The underlying graph.
    pub fn graph(&self) -> &'g FilteredGraph {
        self.graph
    }

    /// Whether this is the directed flag complex.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    fn adjacency(&self) -> &Adjacency {
        self.adjacency.get_or_init(|| Adjacency::build(self.graph, self.directed))
    }

    /// The value of the 1-simplex `(u, v)` (undirected: `{u, v}`), `None` if it is not a cell.
    pub fn edge_value(&self, u: u32, v: u32) -> Option<f64> {
        let n = self.graph.vertex_count();
        if u as usize >= n || v as usize >= n || u == v {
            return None;
        }
        let adj = self.adjacency();
        if self.directed || u < v { adj.value(u, v) } else { adj.value(v, u) }
    }

    /// The value of the simplex with these vertices (in simplex order for a directed complex,
    /// in any order for an undirected one), or `None` if it is not a cell.
    pub fn value_of(&self, vertices: &[u32]) -> Option<f64> {
        let values = self.graph.vertex_values();
        let mut value = f64::NEG_INFINITY;
        for &v in vertices {
            value = value.max(*values.get(v as usize)?);
        }
        for (i, &u) in vertices.iter().enumerate() {
            for &v in &vertices[i + 1..] {
                value = value.max(self.edge_value(u, v)?);
            }
        }
        (!vertices.is_empty()).then_some(value)
    }

    /// Visits every cell of dimension `≤ max_dim` (depth first, vertex tuples in lexicographic
    /// order within each dimension), stopping early when `visit` breaks.
    fn walk(
        &self,
        max_dim: usize,
        visit: &mut dyn FnMut(&[u32], f64) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let values = self.graph.vertex_values();
        let adj = if max_dim > 0 { Some(self.adjacency()) } else { None };
        let mut prefix = Vec::with_capacity(max_dim + 1);
        for (v, &value) in values.iter().enumerate() {
            let v = v as u32;
            prefix.push(v);
            visit(&prefix, value)?;
            if let Some(adj) = adj {
                let candidates: Vec<(u32, f64)> =
                    adj.of(v).iter().map(|&(t, e)| (t, e.max(values[t as usize]))).collect();
                extend(adj, &mut prefix, value, &candidates, max_dim, visit)?;
            }
            prefix.pop();
        }
        ControlFlow::Continue(())
    }

    /// All cells of dimension `dim`, with vertex tuples in lexicographic order.
    ///
    /// # Complexity
    ///
    /// Time proportional to the number of cells of dimension `≤ dim` times their size (plus
    /// the one-off neighbour-list construction); memory proportional to the output.
    pub fn cells(&self, dim: usize) -> Vec<Cell> {
        let mut out = Vec::new();
        let _ = self.walk(dim, &mut |vs, value| {
            if vs.len() == dim + 1 {
                out.push(Cell { vertices: vs.to_vec(), value });
            }
            ControlFlow::Continue(())
        });
        out
    }

    /// The number of cells of each dimension `0..=max_dim` (the vector has `max_dim + 1`
    /// entries).
    pub fn cell_counts(&self, max_dim: usize) -> Vec<usize> {
        let mut counts = vec![0usize; max_dim + 1];
        let _ = self.walk(max_dim, &mut |vs, _| {
            counts[vs.len() - 1] += 1;
            ControlFlow::Continue(())
        });
        counts
    }

    /// Whether the complex has at least one cell of dimension `dim`.
    ///
    /// For `dim ≥ 2` it first checks whether the underlying undirected graph is bipartite
    /// (`O(V + E)` time, `O(V)` memory, no sorting); a bipartite graph has no triangle, hence
    /// no cell of dimension 2 or more. Otherwise it searches for one cell with early exit.
    /// The layered graphs of feed-forward networks are bipartite, so this is cheap for them.
    pub fn has_cells(&self, dim: usize) -> bool {
        match dim {
            0 => self.graph.vertex_count() > 0,
            1 => self.graph.edge_count() > 0,
            _ => {
                if self.graph.is_bipartite() {
                    return false;
                }
                self.walk(dim, &mut |vs, _| {
                    if vs.len() == dim + 1 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .is_break()
            }
        }
    }

    /// The codimension-1 faces of `cell` with their values (the `i`-th face without vertex
    /// `i`); empty for a vertex.
    ///
    /// # Panics
    ///
    /// If `cell` is not a cell of this complex (a face is then missing).
    pub fn boundary(&self, cell: &Cell) -> Vec<Cell> {
        cell.facets()
            .map(|face| {
                let value = self
                    .value_of(&face)
                    .unwrap_or_else(|| panic!("{:?} is not a cell of this complex", cell.vertices));
                Cell { vertices: face, value }
            })
            .collect()
    }
}

/// Extends `prefix` (whose cell has value `value`) by every candidate in turn.
/// `candidates` are the vertices adjacent from every vertex of `prefix`, each with the maximum
/// value of the edges from `prefix` to it (and its own vertex value).
fn extend(
    adj: &Adjacency,
    prefix: &mut Vec<u32>,
    value: f64,
    candidates: &[(u32, f64)],
    max_dim: usize,
    visit: &mut dyn FnMut(&[u32], f64) -> ControlFlow<()>,
) -> ControlFlow<()> {
    if prefix.len() > max_dim {
        return ControlFlow::Continue(());
    }
    let mut next: Vec<(u32, f64)> = Vec::new();
    for &(w, c) in candidates {
        let value_w = value.max(c);
        prefix.push(w);
        visit(prefix, value_w)?;
        if prefix.len() <= max_dim {
            next.clear();
            intersect(candidates, adj.of(w), &mut next);
            if !next.is_empty() {
                extend(adj, prefix, value_w, &next, max_dim, visit)?;
            }
        }
        prefix.pop();
    }
    ControlFlow::Continue(())
}

/// `out = {(x, max(a, b)) : (x, a) ∈ candidates, (x, b) ∈ neighbours}` (both sorted by vertex).
fn intersect(candidates: &[(u32, f64)], neighbours: &[(u32, f64)], out: &mut Vec<(u32, f64)>) {
    let (mut i, mut j) = (0, 0);
    while i < candidates.len() && j < neighbours.len() {
        let (x, a) = candidates[i];
        let (y, b) = neighbours[j];
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((x, a.max(b)));
                i += 1;
                j += 1;
            }
        }
    }
}

impl FilteredComplex for FlagComplex<'_> {
    fn cells(&self, dim: usize) -> Vec<Cell> {
        FlagComplex::cells(self, dim)
    }
}
