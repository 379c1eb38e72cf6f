//! The graphs of the reference pipeline, bit for bit.
//!
//! `testdata/golden/*` comes from `shared/golden` (refpipe.py, giotto-tda 0.6.2;
//! see testdata/README.md): the nets are Keras-layout float32 `.npz` files,
//! the graphs the reference CSR matrices (`indptr`, `indices` int64, `data`
//! float32, `shape` int64), and `summary.json` holds a sha256 per graph.

use std::collections::HashSet;

use nnph_network::npy::{NpyData, read_npz};
use nnph_network::{GraphOptions, Network, NetworkGraph};
use sha2::{Digest, Sha256};

use crate::common::{edges, testdata};

/// A CSR matrix as the reference stores it.
struct Csr {
    indptr: Vec<i64>,
    indices: Vec<i64>,
    data: Vec<f32>,
    shape: Vec<i64>,
}

fn read_csr(name: &str) -> Csr {
    let path = testdata(&format!("golden/tiny/golden/graphs/{name}.npz"));
    let file = std::fs::File::open(&path).unwrap();
    let mut csr = Csr { indptr: vec![], indices: vec![], data: vec![], shape: vec![] };
    for (key, array) in read_npz(file).unwrap() {
        match (key.as_str(), array.data) {
            ("indptr", NpyData::I64(v)) => csr.indptr = v,
            ("indices", NpyData::I64(v)) => csr.indices = v,
            ("data", NpyData::F32(v)) => csr.data = v,
            ("shape", NpyData::I64(v)) => csr.shape = v,
            (other, data) => panic!("{name}: unexpected array {other} {}", data.type_code()),
        }
    }
    csr
}

/// Checks one graph against a reference CSR: same vertex and edge counts,
/// no duplicate edge, and every edge's value bit-identical to entry
/// [source, target].
fn check_against_csr(name: &str, g: &NetworkGraph, csr: &Csr) {
    let n = g.node_count();
    assert_eq!(csr.shape, vec![n as i64, n as i64], "{name}: vertex count");
    assert_eq!(csr.data.len(), g.edge_count(), "{name}: edge count");
    assert!(g.node_weights().all(|&v| v == 0.0), "{name}: vertex values");
    let mut seen = HashSet::new();
    for (s, t, w) in edges(g) {
        assert!(seen.insert((s, t)), "{name}: duplicate edge {s}->{t}");
        let (lo, hi) = (csr.indptr[s] as usize, csr.indptr[s + 1] as usize);
        let row = &csr.indices[lo..hi];
        let k = row
            .binary_search(&(t as i64))
            .unwrap_or_else(|_| panic!("{name}: edge {s}->{t} is not in the reference"));
        assert_eq!(
            w.to_bits(),
            csr.data[lo + k].to_bits(),
            "{name}: edge {s}->{t}: {w:e} vs reference {:e}",
            csr.data[lo + k]
        );
    }
}

/// sha256 of the graph in CSR order, as refpipe.py `graph_checksum`: all rows
/// (int64 LE), then all columns (int64 LE), then all values (float64 LE),
/// entries sorted by (row, column).
fn graph_sha256(g: &NetworkGraph) -> String {
    let mut e = edges(g);
    e.sort_by_key(|&(s, t, _)| (s, t));
    let mut h = Sha256::new();
    for &(s, _, _) in &e {
        h.update((s as i64).to_le_bytes());
    }
    for &(_, t, _) in &e {
        h.update((t as i64).to_le_bytes());
    }
    for &(_, _, w) in &e {
        h.update(f64::from(w).to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn summary(case: &str) -> serde_json::Value {
    let path = testdata(&format!("golden/{case}/golden/summary.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Checks every net of a case against `summary.json`: counts, M and sha256.
fn check_summary(case: &str) -> usize {
    let summary = summary(case);
    let nets = summary["nets"].as_array().unwrap();
    assert!(!nets.is_empty());
    for info in nets {
        let name = info["name"].as_str().unwrap();
        let net = Network::from_path(&testdata(&format!("golden/{case}/nets/{name}.npz"))).unwrap();
        let g = net.to_graph(&GraphOptions::default()).unwrap();
        assert_eq!(g.node_count() as u64, info["n_vertices"].as_u64().unwrap(), "{name}");
        assert_eq!(g.edge_count() as u64, info["n_edges"].as_u64().unwrap(), "{name}");
        assert_eq!(
            f64::from(net.max_abs_parameter()),
            info["max_abs_weight"].as_f64().unwrap(),
            "{name}: M"
        );
        let shape: Vec<usize> = info["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(net.layer_sizes(), shape, "{name}");
        assert_eq!(graph_sha256(&g), info["graph_sha256"].as_str().unwrap(), "{name}: sha256");
    }
    nets.len()
}

#[test]
fn tiny_graphs_match_reference_csr_bit_for_bit() {
    let names = [
        "t01_321",
        "t02_zeros",
        "t03_allneg",
        "t04_ties",
        "t05_biasmax",
        "t06_deep",
        "t07_16_12_8_4",
        "t08_smallw",
    ];
    for name in names {
        let net = Network::from_path(&testdata(&format!("golden/tiny/nets/{name}.npz"))).unwrap();
        let g = net.to_graph(&GraphOptions::default()).unwrap();
        check_against_csr(name, &g, &read_csr(name));
    }
}

#[test]
fn tiny_graphs_match_reference_sha256() {
    assert_eq!(check_summary("tiny"), 8);
}

#[test]
fn digits19_graphs_match_reference_sha256() {
    assert_eq!(check_summary("digits19"), 19);
}

#[test]
fn zero_weights_point_backwards_with_value_one() {
    // t02_zeros holds exact 0 and -0.0 weights and biases.
    let net = Network::from_path(&testdata("golden/tiny/nets/t02_zeros.npz")).unwrap();
    let g = net.to_graph(&GraphOptions::default()).unwrap();
    let mut zeros = 0;
    for l in net.layers() {
        zeros += l.weight.iter().filter(|w| **w == 0.0).count();
        zeros += l.bias.iter().flatten().filter(|b| **b == 0.0).count();
    }
    assert!(zeros > 0);
    assert_eq!(edges(&g).iter().filter(|e| e.2 == 1.0).count(), zeros);
}
