//! Neural networks as weighted directed graphs.
//!
//! `nnph-network` is the part of nnph that knows neural networks.
//! It reads trained weights (`.npz` in Keras or PyTorch naming,
//! `.safetensors`, ONNX models with `Gemm` or `MatMul` + `Add` layers, see [`onnx`]) into a
//! [`Network`] of dense layers, and converts a network
//! into a weighted directed graph ([`NetworkGraph`], a petgraph graph) with
//! the weighting of Pérez-Fernández et al., "Characterizing and Measuring the
//! Similarity of Neural Networks with Persistent Homology" (2021,
//! arXiv:2101.07752): one edge per weight and per bias, of value
//! `max(1 - |w| / M, ζ)` where M is the largest |parameter|, computed in `f32`
//! bit for bit as the authors' code does.
//! It also carries a small, hardened `.npy`/`.npz` codec ([`npy`]) that the
//! other nnph crates use.
//!
//! # Should I use this crate?
//!
//! Use it to turn weights into graphs, for nnph or for any other graph tool.
//! To go from networks to persistence diagrams and distances in one call, use
//! the `nnph` facade crate instead, which re-exports this one as
//! `nnph::network`.
//! This crate knows nothing of complexes or homology.
//!
//! # Example
//!
//! A 2-2-1 network built in code, converted with the paper's options:
//!
//! ```
//! use ndarray::array;
//! use nnph_network::{GraphOptions, Network};
//!
//! let net = Network::try_dense(vec![
//!     ("hidden".to_owned(), array![[0.5_f32, -1.0], [0.25, 0.0]], Some(array![0.1_f32, -0.2])),
//!     ("out".to_owned(), array![[2.0_f32], [-0.5]], Some(array![0.0_f32])),
//! ])?;
//! assert_eq!(net.max_abs_parameter(), 2.0);
//!
//! let graph = net.to_graph(&GraphOptions::default())?;
//! // Vertices: 2 inputs, then 2 hidden neurons and their 2 bias vertices,
//! // then 1 output neuron and its bias vertex.
//! assert_eq!(graph.node_count(), 2 + 2 * (2 + 1));
//! // Edges: one per weight and one per bias.
//! assert_eq!(graph.edge_count(), 4 + 2 + 2 + 1);
//! // The first edge is the weight 0.5 from input 0 to hidden neuron 0 (vertex 2):
//! // it points forward because 0.5 > 0, and its value is 1 - 0.5 / 2.
//! let e = graph.raw_edges()[0].clone();
//! assert_eq!((e.source().index(), e.target().index(), e.weight), (0, 2, 0.75));
//! // The weight -1.0 points backward, from hidden neuron 1 (vertex 3) to input 0.
//! let e = graph.raw_edges()[1].clone();
//! assert_eq!((e.source().index(), e.target().index(), e.weight), (3, 0, 0.5));
//! // The largest |parameter| gets the clamp ζ = 1e-6.
//! assert!(graph.edge_weights().any(|&w| w == 1e-6_f32));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Reading from a file is one call: `Network::from_path(Path::new("net.npz"))`.
//!
//! # Available options
//!
//! [`GraphOptions`] (its [`Default`] is the paper's method):
//!
//! * [`Direction`]: [`BySign`](Direction::BySign), the paper's sign-based
//!   orientation (positive weights forward, others backward), or
//!   [`Forward`](Direction::Forward), every edge from the earlier layer to the
//!   later one. Persistent homology of these (bipartite) graphs does not
//!   depend on the orientation; other graph analyses may.
//! * [`Normalisation`]: [`Global`](Normalisation::Global), one normaliser M
//!   for the whole network (the paper), or [`PerLayer`](Normalisation::PerLayer),
//!   one per layer, which makes layers of different scales comparable.
//! * `include_bias_in_normaliser`: whether biases count in M (the paper: yes).
//! * [`BiasVertices`]: [`PerNeuron`](BiasVertices::PerNeuron), one bias vertex
//!   and edge per neuron (the paper), or [`None`](BiasVertices::None), no
//!   bias vertices (a smaller graph of weights only).
//! * `zeta`: the smallest edge value ζ (default `1e-6`).
//!
//! The [`graph`] module documents the construction exactly (vertex order,
//! edge order, arithmetic); the [`read`] module documents formats and layouts.
//!
//! # Crate features
//!
//! This crate has no optional features.

#![deny(missing_docs)]

pub mod error;
pub mod graph;
pub mod network;
pub mod npy;
pub mod onnx;
pub mod read;

pub use error::{Error, ErrorKind};
pub use graph::{BiasVertices, Direction, GraphOptions, NetworkGraph, Normalisation};
pub use network::{Block, Layer, Network};
