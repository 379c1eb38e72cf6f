//! Persistent homology of neural networks: the end-to-end pipeline of
//! Pérez-Fernández et al., *Characterizing and Measuring the Similarity of Neural
//! Networks with Persistent Homology* (2021), exact and fast, and the `nnph` tool.
//!
//! A network becomes a weighted directed graph (edge value `max(1 − |w|/max|w|, ζ)`),
//! the graph a directed flag complex, the complex a persistence diagram, and a batch
//! of diagrams a distance matrix. With default options every number equals the
//! reference implementation's (giotto-tda + pyflagser), including giotto's
//! batch-dependent padding and grids.
//!
//! # Should I use this crate?
//!
//! Use `nnph` for the whole pipeline or the command-line tool. Depend on one of the
//! sub-crates, re-exported here, for one stage only: [`network`] (weights files and
//! graphs), [`complex`] (flag complexes), [`homology`] (diagrams), [`distance`]
//! (diagram distances).
//!
//! # Example
//!
//! Two tiny networks, their diagrams, and their heat distance with the paper's settings:
//!
//! ```
//! use ndarray::array;
//! use nnph::distance::Metric;
//! use nnph::network::Network;
//! use nnph::pipeline::{CompareOptions, DiagramOptions, compare, network_diagram};
//!
//! let a = Network::try_dense(vec![
//!     ("0".into(), array![[0.5_f32, -0.2], [0.1, 0.9], [-0.7, 0.3]], Some(array![0.05_f32, -0.1])),
//!     ("1".into(), array![[0.4_f32], [-0.6]], Some(array![0.2_f32])),
//! ])?;
//! let b = Network::try_dense(vec![
//!     ("0".into(), array![[0.2_f32, -0.8], [0.6, 0.1], [-0.3, 0.5]], Some(array![-0.05_f32, 0.1])),
//!     ("1".into(), array![[0.9_f32], [-0.1]], Some(array![0.0_f32])),
//! ])?;
//! let opts = DiagramOptions::default();
//! let diagrams = vec![network_diagram(&a, &opts)?, network_diagram(&b, &opts)?];
//! // A plain MLP graph is bipartite: no 2-cells, so H1 classes never die.
//! assert!(diagrams[0].dim(1).iter().all(|p| p.is_essential()));
//! let m = compare(&diagrams, &CompareOptions::paper(Metric::HEAT), None)?;
//! assert_eq!(m.values[1], m.values[2]);
//! assert!(m.values[1] > 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Modules
//!
//! * [`pipeline`]: network → diagram → batch → matrix, with the paper's defaults.
//! * [`baseline`]: the paper's norm baselines (Frobenius and induced 1-norm of adjacency
//!   matrix differences), computed sparsely.
//! * [`claims`]: the paper's claims as tests on its study's matrices, and the statistics of
//!   its control experiment (Table 2 as published and corrected).
//! * [`io`]: nnph-diagram/1 JSON, `.npy` and `.csv`, written atomically.
//! * [`plot`]: SVG heatmaps of distance matrices.
//! * [`stats`]: the paper's per-group summary statistics, permutation tests, rank
//!   correlation and nearest-neighbour accuracy on distance matrices.
//!
//! # Crate features
//!
//! None yet; parallelism (rayon) is always on in the facade. Results never depend on
//! the number of threads.
#![deny(missing_docs)]

pub use nnph_complex as complex;
pub use nnph_distance as distance;
pub use nnph_homology as homology;
pub use nnph_network as network;

pub mod baseline;
pub mod claims;
pub mod io;
pub mod pipeline;
pub mod plot;
pub mod stats;
