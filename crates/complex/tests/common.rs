//! Shared helpers: flagser's test graphs and small graph builders.

use std::path::PathBuf;

use nnph_complex::flag::read_flag;
use nnph_complex::{Edge, FilteredGraph};

/// flagser's test graphs (`testdata/flagser/`) with the Betti numbers of their directed flag
/// complexes over Z/2 (flagser's test suite).
pub(crate) const FLAGSER_BETTI: &[(&str, &[usize])] = &[
    ("d2", &[1, 1]),
    ("a", &[1, 2, 0]),
    ("b", &[1, 0, 0]),
    ("c", &[1, 5]),
    ("d", &[1, 0, 1]),
    ("e", &[1, 0, 0, 0]),
    ("f", &[1, 0, 0]),
    ("d3", &[1, 0, 2]),
    ("d3-allzero", &[1, 0, 2]),
    ("double-d3", &[1, 0, 5]),
    ("double-d3-allzero", &[1, 0, 5]),
    ("d4", &[1, 0, 0, 9]),
    ("d4-allzero", &[1, 0, 0, 9]),
    ("d5", &[1, 0, 0, 0, 44]),
    ("d7", &[1, 0, 0, 0, 0, 0, 1854]),
    ("d10", &[1, 0, 0, 0, 0, 0, 0, 0, 0, 1_334_961]),
];

pub(crate) fn flagser_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/flagser")
        .join(format!("{name}.flag"))
}

pub(crate) fn read_flagser(name: &str) -> FilteredGraph {
    let file = std::fs::File::open(flagser_path(name)).unwrap();
    read_flag(file).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A graph from `(source, target, value)` triples; vertex values 0.
pub(crate) fn graph(n: usize, edges: &[(u32, u32, f64)]) -> FilteredGraph {
    let edges =
        edges.iter().map(|&(source, target, value)| Edge { source, target, value }).collect();
    FilteredGraph::try_new(vec![0.0; n], edges).unwrap()
}
