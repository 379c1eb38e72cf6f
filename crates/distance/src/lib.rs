//! Distances between persistence diagrams.
#![deny(missing_docs)]
