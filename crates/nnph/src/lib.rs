//! Persistent homology of neural networks.
#![deny(missing_docs)]

pub use nnph_complex as complex;
pub use nnph_distance as distance;
pub use nnph_homology as homology;
pub use nnph_network as network;

pub mod io;
pub mod pipeline;
pub mod plot;
pub mod stats;
