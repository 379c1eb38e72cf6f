//! Filtered complexes for persistent homology.
//!
//! This crate turns inputs into filtered simplicial complexes: weighted (di)graphs with vertex
//! values ([`FilteredGraph`]) become directed or undirected flag complexes with flagser's 'max'
//! filtration ([`flag_complex::FlagComplex`]); users with their own complexes list simplices and
//! values explicitly ([`explicit::ExplicitComplex`]). It also reads and writes flagser's `.flag`
//! text format ([`flag`]). Persistence itself is computed by `nnph-homology`.
//!
//! # Should I use this crate?
//!
//! If you want persistence diagrams of neural networks or graphs, use the `nnph` facade, which
//! wires graph construction, complexes, homology and distances together. Use this crate
//! directly to build, inspect or count the cells of a complex, or to read `.flag` files.
//!
//! # Example
//!
//! Read a graph in flagser's format and count the cells of its directed flag complex.
//!
//! ```
//! use nnph_complex::flag::read_flag;
//! use nnph_complex::flag_complex::FlagComplex;
//!
//! // A transitive triangle 0 → 1 → 2, 0 → 2 plus the edge 2 → 0 back.
//! let text = "dim 0:\n0 0 0\ndim 1:\n0 1 1\n1 2 2\n0 2 3\n2 0 4\n";
//! let graph = read_flag(text.as_bytes())?;
//!
//! let directed = FlagComplex::directed(&graph);
//! assert_eq!(directed.cell_counts(3), vec![3, 4, 1, 0]);
//! assert!(directed.has_cells(2));
//! let triangles = directed.cells(2);
//! assert_eq!(triangles[0].vertices, vec![0, 1, 2]);
//! assert_eq!(triangles[0].value, 3.0); // the max of its edge values
//!
//! // Undirected, 0 → 2 and 2 → 0 merge into one edge with the smaller value.
//! let undirected = FlagComplex::undirected(&graph);
//! assert_eq!(undirected.cell_counts(2), vec![3, 3, 1]);
//! assert_eq!(undirected.edge_value(2, 0), Some(3.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Available complexes
//!
//! * [`flag_complex::FlagComplex`]: the directed flag complex (ordered directed cliques, as
//!   flagser) or the undirected flag (clique) complex of a [`FilteredGraph`], with the 'max'
//!   filtration. Cells are enumerated on demand from sorted neighbour lists: clear and exact,
//!   not a fast engine. [`FlagComplex::has_cells`](flag_complex::FlagComplex::has_cells) is fast
//!   for dimension 2 on bipartite graphs (the layered graphs of feed-forward networks), which
//!   never have 2-cells.
//! * [`flag_engine::FlagCells`]: the same flag complexes up to a dimension as a compact prefix
//!   tree (16 bytes per cell), built level by level in parallel (feature `rayon`), each level
//!   counted and checked against a [`budget::MemoryBudget`] before it is stored, with implicit
//!   cofacets: what the fast flag persistence engine of `nnph-homology` reduces.
//! * [`explicit::ExplicitComplex`]: any finite filtered simplicial complex given as a list of
//!   simplices with values, validated (faces present, values monotone).
//!
//! * [`rips::RipsComplex`]: the Vietoris–Rips filtration of a [`distances::DistanceMatrix`]
//!   or of sparse distances (read from Ripser's formats by [`distances`], sparse input kept
//!   sparse as per-vertex neighbour lists) up to a threshold and dimension, simplices indexed
//!   by the combinatorial number system, with simplex-count bounds and a memory estimate.
//!
//! All implement [`FilteredComplex`], which is all a boundary matrix needs.
//!
//! # Crate features
//!
//! * `rayon` (default): [`flag_engine::FlagCells`] builds its levels on the current rayon pool.
//!   The result never depends on it.
#![deny(missing_docs)]

pub mod budget;
pub mod cell;
pub mod distances;
pub mod error;
pub mod explicit;
pub mod flag;
pub mod flag_complex;
pub mod flag_engine;
pub mod graph;
pub mod rips;

pub use cell::{Cell, FilteredComplex};
pub use error::{Error, ErrorKind};
pub use explicit::ExplicitComplex;
pub use flag_complex::FlagComplex;
pub use graph::{Edge, FilteredGraph};
pub use rips::{RipsComplex, RipsOptions};
