//! Filtered complexes for persistent homology.
#![deny(missing_docs)]

pub mod error;
pub mod graph;

pub use error::{Error, ErrorKind};
pub use graph::{Edge, FilteredGraph};
