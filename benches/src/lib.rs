//! Shared deterministic fixtures for the nnph benches.
