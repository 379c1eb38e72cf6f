//! Persistent homology of neural networks.
#![deny(missing_docs)]
