//! Conversion of a [`Network`] to a weighted directed graph.
//!
//! With the default [`GraphOptions`] this is the graph of Pérez-Fernández et
//! al. (2021), exactly as the authors' code (`graph.py::model2graphig` with
//! `method='reverse'`) builds it, bit for bit:
//!
//! * **Vertices**, in this order: the input neurons; then for each later block
//!   its neurons followed by one bias vertex per neuron for each layer into the
//!   block that has a bias.
//!   For a chain `n0 → n1 → … → nL` with biases that is `n0 + 2·(n1 + … + nL)`
//!   vertices.
//!   Every vertex value is 0.
//! * **Edges**, layer by layer: first one edge per weight, in row-major order of
//!   the `[in, out]` kernel (input `i` outer, output `j` inner), then one edge
//!   per bias, in order.
//!   With [`Direction::BySign`] a weight `w > 0` gives the edge `i → j` and any
//!   other weight (0 and -0.0 included) gives `j → i`; a bias `b > 0` gives
//!   `bias vertex → neuron`, any other `neuron → bias vertex`.
//! * **Edge value** (the filtration value, a distance): computed in `f32` as
//!   `d = 1 - |w| / M`, replaced by ζ when `d < ζ`, where M is the largest
//!   |parameter| ([`Normalisation`]) and ζ = [`GraphOptions::zeta`] (default
//!   `1e-6_f32`, which is 9.99999997e-07).
//!   So the largest parameters get ζ and a zero parameter gets exactly 1.
//!
//! |E| = Σ n_in·n_out + Σ n_out.
//!
//! [`GraphOptions::layer_activation_link`] adds the reference's (unused)
//! `layer_activation_link=True` edges: after the weight edges of each layer, one
//! edge for every ordered pair of distinct neurons of its output block. These
//! intra-layer complete digraphs create triangles, so the flag complex is no
//! longer one-dimensional.
//! Reference: Pérez-Fernández, Gutiérrez-Fandiño, Armengol-Estapé, Villegas,
//! "Characterizing and Measuring the Similarity of Neural Networks with
//! Persistent Homology", arXiv:2101.07752, Eq. (1).

use petgraph::graph::NodeIndex;

use crate::error::{Error, ErrorKind};
use crate::network::Network;

/// The graph produced by [`Network::to_graph`]: node weight = vertex value
/// (always 0.0 here), edge weight = filtration value (a distance in `[ζ, 1]`).
pub type NetworkGraph = petgraph::Graph<f32, f32, petgraph::Directed, u32>;

/// How edges are oriented.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// The paper's `'reverse'` method: a weight `w > 0` points forward (from
    /// the earlier block to the later one), any other weight (0 and -0.0
    /// included) points backward; a bias `b > 0` points from its bias vertex
    /// to its neuron, any other from the neuron to the bias vertex.
    #[default]
    BySign,
    /// Every edge points forward: from the earlier block to the later one, and
    /// from a bias vertex to its neuron.
    /// For users who want the orientation to follow the layers.
    /// (Persistent homology of these graphs does not depend on the
    /// orientation: the graphs are bipartite, so they have no 2-simplices.)
    Forward,
}

/// Which parameters the normaliser M of `1 - |w| / M` is taken over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Normalisation {
    /// The paper: one M for the whole network, the largest |parameter| over
    /// all weights and biases (weights only if
    /// [`GraphOptions::include_bias_in_normaliser`] is false).
    #[default]
    Global,
    /// One M per layer, the largest |parameter| of that layer's weights and
    /// bias (weights only if `include_bias_in_normaliser` is false).
    PerLayer,
}

/// Whether biases become vertices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BiasVertices {
    /// The paper: one bias vertex per neuron, joined to its neuron by exactly
    /// one edge whose value comes from the bias.
    #[default]
    PerNeuron,
    /// No bias vertices and no bias edges (biases may still count in the
    /// normaliser, see [`GraphOptions::include_bias_in_normaliser`]).
    None,
}

/// Options of [`Network::to_graph`]. The [`Default`] is the paper's method.
///
/// # Examples
///
/// ```
/// use nnph_network::{BiasVertices, GraphOptions, Normalisation};
///
/// let mut opts = GraphOptions::default();
/// opts.normalisation = Normalisation::PerLayer;
/// opts.bias_vertices = BiasVertices::None;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GraphOptions {
    /// How edges are oriented. Default: [`Direction::BySign`].
    pub direction: Direction,
    /// Which parameters the normaliser is taken over. Default:
    /// [`Normalisation::Global`].
    pub normalisation: Normalisation,
    /// Whether biases count in the normaliser M. Default: `true` (the paper).
    pub include_bias_in_normaliser: bool,
    /// Whether biases become vertices. Default: [`BiasVertices::PerNeuron`].
    pub bias_vertices: BiasVertices,
    /// The smallest edge value ζ: a distance below it is replaced by it.
    /// Must be finite and in `(0, 1]`. Default: `1e-6_f32`.
    pub zeta: f32,
    /// The reference's `layer_activation_link=True` (`graph.py::model2graphig`,
    /// never used in the paper's experiments): after the weight edges of each
    /// layer and before its bias edges, an edge `i → j` for every ordered pair of
    /// distinct neurons of the layer's output block (in `itertools.permutations`
    /// order: `i` outer, `j` inner), all with the value
    /// `f32(1/n + 1/activation_count)` (computed in `f64`, as Python does), where
    /// `n` is the block's size and `activation_count` the number of neurons in
    /// the whole network with the block's activation. nnph knows no activations
    /// and assumes the paper's MLPs: every block but the input and the last one
    /// is a hidden (ReLU) block and shares one count, the sum of their sizes;
    /// the last block (softmax) counts alone. A block fed by several layers is
    /// linked once, after the first. Default: `false`.
    pub layer_activation_link: bool,
}

impl Default for GraphOptions {
    fn default() -> Self {
        Self {
            direction: Direction::BySign,
            normalisation: Normalisation::Global,
            include_bias_in_normaliser: true,
            bias_vertices: BiasVertices::PerNeuron,
            zeta: 1e-6_f32,
            layer_activation_link: false,
        }
    }
}

/// The largest vertex or edge count a `u32`-indexed petgraph graph holds
/// (`u32::MAX` itself is reserved as the "no index" marker).
const MAX_GRAPH_INDEX: usize = u32::MAX as usize;

/// See [`Network::to_graph`].
pub(crate) fn to_graph(net: &Network, opts: &GraphOptions) -> Result<NetworkGraph, Error> {
    if !(opts.zeta.is_finite() && opts.zeta > 0.0 && opts.zeta <= 1.0) {
        return Err(Error::new(ErrorKind::InvalidOption {
            option: "zeta",
            message: format!("must be finite and in (0, 1], got {}", opts.zeta),
        }));
    }
    let with_bias = opts.bias_vertices == BiasVertices::PerNeuron;
    let blocks = net.blocks();
    let layers = net.layers();

    // Vertex layout: block starts, and the start of each layer's bias vertices.
    let mut block_start = vec![0usize; blocks.len()];
    let mut bias_start = vec![None; layers.len()];
    let mut n_vertices = 0usize;
    let mut n_edges = 0usize;
    for (b, block) in blocks.iter().enumerate() {
        block_start[b] = n_vertices;
        n_vertices = n_vertices.checked_add(block.size).ok_or_else(too_many)?;
        for (k, layer) in layers.iter().enumerate() {
            if layer.to == b && with_bias && layer.bias.is_some() {
                bias_start[k] = Some(n_vertices);
                n_vertices = n_vertices.checked_add(block.size).ok_or_else(too_many)?;
            }
        }
    }
    for (k, layer) in layers.iter().enumerate() {
        n_edges = n_edges.checked_add(layer.weight.len()).ok_or_else(too_many)?;
        if bias_start[k].is_some() {
            n_edges = n_edges.checked_add(blocks[layer.to].size).ok_or_else(too_many)?;
        }
    }
    // Intra-layer links: the value of the links each layer adds (the first layer into a block).
    let mut links = vec![None; layers.len()];
    if opts.layer_activation_link && !blocks.is_empty() {
        let last = blocks.len() - 1;
        let hidden: usize = blocks[1..last.max(1)].iter().map(|b| b.size).sum();
        let mut linked = vec![false; blocks.len()];
        for (k, layer) in layers.iter().enumerate() {
            let b = layer.to;
            if linked[b] {
                continue;
            }
            linked[b] = true;
            let size = blocks[b].size;
            let count = if b == last { size } else { hidden };
            let value = (1.0 / size as f64 + 1.0 / count as f64) as f32;
            links[k] = Some(value);
            let pairs = size.checked_mul(size.saturating_sub(1)).ok_or_else(too_many)?;
            n_edges = n_edges.checked_add(pairs).ok_or_else(too_many)?;
        }
    }
    if n_vertices > MAX_GRAPH_INDEX || n_edges > MAX_GRAPH_INDEX {
        return Err(Error::too_large(format!(
            "the graph would have {n_vertices} vertices and {n_edges} edges; \
             at most {MAX_GRAPH_INDEX} of each fit u32 indices"
        )));
    }

    // Normalisers.
    let include_bias = opts.include_bias_in_normaliser;
    let global = match opts.normalisation {
        Normalisation::Global => {
            let m = layers.iter().fold(0.0_f32, |m, l| m.max(l.max_abs(include_bias)));
            if m == 0.0 {
                return Err(Error::new(ErrorKind::AllZero { layer: None }));
            }
            Some(m)
        }
        Normalisation::PerLayer => None,
    };

    let mut graph = NetworkGraph::with_capacity(n_vertices, n_edges);
    for _ in 0..n_vertices {
        graph.add_node(0.0);
    }
    let zeta = opts.zeta;
    let by_sign = opts.direction == Direction::BySign;
    for (k, layer) in layers.iter().enumerate() {
        let m = match global {
            Some(m) => m,
            None => {
                let m = layer.max_abs(include_bias);
                if m == 0.0 {
                    return Err(Error::new(ErrorKind::AllZero { layer: Some(layer.name.clone()) }));
                }
                m
            }
        };
        let from = block_start[layer.from];
        let to = block_start[layer.to];
        for (i, row) in layer.weight.outer_iter().enumerate() {
            let a = NodeIndex::new(from + i);
            for (j, &w) in row.iter().enumerate() {
                let c = NodeIndex::new(to + j);
                let d = distance(w, m, zeta);
                if w > 0.0 || !by_sign {
                    graph.add_edge(a, c, d);
                } else {
                    graph.add_edge(c, a, d);
                }
            }
        }
        if let Some(value) = links[k] {
            let size = blocks[layer.to].size;
            for i in 0..size {
                for j in (0..size).filter(|&j| j != i) {
                    graph.add_edge(NodeIndex::new(to + i), NodeIndex::new(to + j), value);
                }
            }
        }
        if let (Some(start), Some(bias)) = (bias_start[k], &layer.bias) {
            for (j, &b) in bias.iter().enumerate() {
                let bv = NodeIndex::new(start + j);
                let nv = NodeIndex::new(to + j);
                let d = distance(b, m, zeta);
                if b > 0.0 || !by_sign {
                    graph.add_edge(bv, nv, d);
                } else {
                    graph.add_edge(nv, bv, d);
                }
            }
        }
    }
    Ok(graph)
}

/// The edge value `max(1 - |w| / m, zeta)`, in `f32` exactly as the reference
/// computes it with NumPy float32 scalars.
#[inline]
fn distance(w: f32, m: f32, zeta: f32) -> f32 {
    let d = 1.0_f32 - w.abs() / m;
    if d < zeta { zeta } else { d }
}

fn too_many() -> Error {
    Error::too_large("the graph's vertex or edge count overflows usize")
}
