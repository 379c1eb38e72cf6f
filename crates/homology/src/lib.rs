//! Persistent homology engine.
#![deny(missing_docs)]

pub mod diagram;

pub use diagram::{Diagram, PersistencePair};
