//! Neural networks as weighted directed graphs.
#![deny(missing_docs)]
