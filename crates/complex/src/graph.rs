//! Weighted (di)graphs with vertex values: the input of flag complexes.

use crate::error::{Error, ErrorKind};

/// A directed edge `source → target` with a filtration value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// Index of the source vertex.
    pub source: u32,
    /// Index of the target vertex.
    pub target: u32,
    /// Filtration value of the edge (flagser's edge weight).
    pub value: f64,
}

/// A weighted graph with vertex values, as flagser reads it.
///
/// Edges are stored as directed pairs; an undirected flag complex reads them
/// without their orientation. Values are `f64`; graphs built from `f32`
/// weights convert exactly.
///
/// **Invariants** (checked by [`FilteredGraph::try_new`]): every value is
/// finite, every edge joins two
/// distinct vertices in range, and every edge value is at least the values of
/// both of its vertices (flagser's 'max' filtration would otherwise not be a
/// filtration).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilteredGraph {
    vertex_values: Vec<f64>,
    edges: Vec<Edge>,
}

impl FilteredGraph {
    /// Builds a graph, checking its invariants.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NonFiniteValue`] for a NaN or infinite value,
    /// [`ErrorKind::VertexOutOfRange`] for an edge whose end is not a vertex,
    /// [`ErrorKind::SelfLoop`] for an edge `v → v`, and
    /// [`ErrorKind::EdgeBelowVertex`] for an edge whose value is smaller than
    /// the value of one of its vertices.
    pub fn try_new(vertex_values: Vec<f64>, edges: Vec<Edge>) -> Result<Self, Error> {
        for (i, v) in vertex_values.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::new(ErrorKind::NonFiniteValue { what: format!("vertex {i}") }));
            }
        }
        let n = vertex_values.len();
        for (k, e) in edges.iter().enumerate() {
            if e.source as usize >= n || e.target as usize >= n {
                return Err(Error::new(ErrorKind::VertexOutOfRange {
                    edge: k,
                    vertex: e.source.max(e.target) as usize,
                    vertices: n,
                }));
            }
            if e.source == e.target {
                return Err(Error::new(ErrorKind::SelfLoop { edge: k, vertex: e.source as usize }));
            }
            if !e.value.is_finite() {
                return Err(Error::new(ErrorKind::NonFiniteValue { what: format!("edge {k}") }));
            }
            let vmax = vertex_values[e.source as usize].max(vertex_values[e.target as usize]);
            if e.value < vmax {
                return Err(Error::new(ErrorKind::EdgeBelowVertex {
                    edge: k,
                    value: e.value,
                    vertex_value: vmax,
                }));
            }
        }
        Ok(Self { vertex_values, edges })
    }

    /// Builds a graph from a petgraph graph whose node weights are vertex
    /// values and whose edge weights are edge values.
    ///
    /// Edge orientation is kept as stored (for an undirected petgraph graph,
    /// as `source → target` of each stored edge).
    ///
    /// # Errors
    ///
    /// As [`FilteredGraph::try_new`].
    pub fn from_petgraph<N, E, Ty>(graph: &petgraph::Graph<N, E, Ty, u32>) -> Result<Self, Error>
    where
        N: Copy + Into<f64>,
        E: Copy + Into<f64>,
        Ty: petgraph::EdgeType,
    {
        let vertex_values = graph.raw_nodes().iter().map(|n| n.weight.into()).collect();
        let edges = graph
            .raw_edges()
            .iter()
            .map(|e| Edge {
                source: e.source().index() as u32,
                target: e.target().index() as u32,
                value: e.weight.into(),
            })
            .collect();
        Self::try_new(vertex_values, edges)
    }

    /// The number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.vertex_values.len()
    }

    /// The number of (directed) edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The vertex values, indexed by vertex.
    pub fn vertex_values(&self) -> &[f64] {
        &self.vertex_values
    }

    /// The edges in insertion order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Whether the underlying undirected graph is bipartite (has no odd cycle).
    ///
    /// A bipartite graph has no triangle, so neither of its flag complexes has cells of
    /// dimension 2 or more. The layered graphs of feed-forward networks are bipartite.
    ///
    /// # Complexity
    ///
    /// `O(E α(V))` time (union-find with parities, one pass over the edges, no sorting),
    /// `O(V)` auxiliary space.
    pub fn is_bipartite(&self) -> bool {
        let n = self.vertex_values.len();
        // parent[v] and the parity of the path from v to parent[v].
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut parity: Vec<u8> = vec![0; n];
        let mut size: Vec<u32> = vec![1; n];
        // Root of v and the parity of v relative to it, with path halving.
        let find = |parent: &mut Vec<u32>, parity: &mut Vec<u8>, mut v: u32| -> (u32, u8) {
            let mut acc = 0u8;
            loop {
                let p = parent[v as usize];
                if p == v {
                    return (v, acc);
                }
                let gp = parent[p as usize];
                if gp != p {
                    // Point v at its grandparent; its parity becomes the sum along the way.
                    parity[v as usize] ^= parity[p as usize];
                    parent[v as usize] = gp;
                    acc ^= parity[v as usize];
                    v = gp;
                } else {
                    acc ^= parity[v as usize];
                    v = p;
                }
            }
        };
        for e in &self.edges {
            let (ru, pu) = find(&mut parent, &mut parity, e.source);
            let (rv, pv) = find(&mut parent, &mut parity, e.target);
            if ru == rv {
                if pu == pv {
                    return false;
                }
            } else {
                // Attach the smaller tree so that u and v get different colours.
                let (small, big) =
                    if size[ru as usize] < size[rv as usize] { (ru, rv) } else { (rv, ru) };
                parent[small as usize] = big;
                parity[small as usize] = pu ^ pv ^ 1;
                size[big as usize] += size[small as usize];
            }
        }
        true
    }

    /// Consumes the graph and returns its vertex values and edges.
    pub fn into_parts(self) -> (Vec<f64>, Vec<Edge>) {
        (self.vertex_values, self.edges)
    }
}
