//! Shared helpers: flagser's test graphs, random graphs and complexes, a brute-force Betti
//! number reference.

use std::collections::BTreeMap;
use std::path::PathBuf;

use nnph_complex::flag::read_flag;
use nnph_complex::{Edge, ExplicitComplex, FilteredGraph};
use nnph_homology::Diagram;
use proptest::prelude::*;

pub(crate) fn read_flagser(name: &str) -> FilteredGraph {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/flagser")
        .join(format!("{name}.flag"));
    read_flag(std::fs::File::open(path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A graph from `(source, target, value)` triples; vertex values 0.
pub(crate) fn graph(n: usize, edges: &[(u32, u32, f64)]) -> FilteredGraph {
    let edges =
        edges.iter().map(|&(source, target, value)| Edge { source, target, value }).collect();
    FilteredGraph::try_new(vec![0.0; n], edges).unwrap()
}

/// A random graph on up to `max_n` vertices: duplicate and anti-parallel edges allowed, vertex
/// values at most the edge values, values from a small set (many ties).
pub(crate) fn arb_graph(max_n: usize, max_edges: usize) -> impl Strategy<Value = FilteredGraph> {
    (0..=max_n).prop_flat_map(move |n| {
        let values = prop::collection::vec(0u8..3, n);
        let edges = if n < 2 {
            Just(Vec::new()).boxed()
        } else {
            prop::collection::vec((0..n as u32, 0..n as u32, 0u8..6), 0..=max_edges).boxed()
        };
        (values, edges).prop_map(|(values, edges)| {
            let values: Vec<f64> = values.into_iter().map(|v| f64::from(v) * 0.25).collect();
            let edges = edges
                .into_iter()
                .filter(|&(s, t, _)| s != t)
                .map(|(s, t, v)| Edge {
                    source: s,
                    target: t,
                    value: (f64::from(v) * 0.25).max(values[s as usize]).max(values[t as usize]),
                })
                .collect();
            FilteredGraph::try_new(values, edges).unwrap()
        })
    })
}

/// A random layered (hence bipartite) graph, edges between consecutive layers in random
/// directions, random vertex values.
pub(crate) fn arb_layered() -> impl Strategy<Value = FilteredGraph> {
    prop::collection::vec(1usize..5, 1..5).prop_flat_map(|sizes| {
        let n: usize = sizes.iter().sum();
        let mut pairs = Vec::new();
        let mut offset = 0;
        for w in sizes.windows(2) {
            for i in 0..w[0] {
                for j in 0..w[1] {
                    pairs.push(((offset + i) as u32, (offset + w[0] + j) as u32));
                }
            }
            offset += w[0];
        }
        let m = pairs.len();
        (
            prop::collection::vec(0u8..2, n),
            prop::collection::vec((0u8..3, any::<bool>(), 0u8..5), m),
        )
            .prop_map(move |(values, choice)| {
                let values: Vec<f64> = values.into_iter().map(|v| f64::from(v) * 0.5).collect();
                let edges = pairs
                    .iter()
                    .zip(choice)
                    .filter(|(_, (keep, _, _))| *keep > 0)
                    .map(|(&(a, b), (_, flip, v))| {
                        let (source, target) = if flip { (b, a) } else { (a, b) };
                        let value =
                            (f64::from(v) * 0.5).max(values[a as usize]).max(values[b as usize]);
                        Edge { source, target, value }
                    })
                    .collect();
                FilteredGraph::try_new(values, edges).unwrap()
            })
    })
}

/// A random filtered simplicial complex on up to 7 vertices and of dimension up to 3: the
/// downward closure of random simplices, with random values made monotone.
pub(crate) fn arb_complex() -> impl Strategy<Value = ExplicitComplex> {
    (1u32..=7).prop_flat_map(|n| {
        let simplex = (1u32..(1 << n), 0u8..5)
            .prop_filter("at most 4 vertices", |(m, _)| m.count_ones() <= 4);
        prop::collection::vec(simplex, 0..12).prop_map(move |listed| {
            let given: BTreeMap<u32, u8> = listed.iter().copied().collect();
            // Downward closure, as bit masks.
            let mut masks: Vec<u32> = Vec::new();
            for &(m, _) in &listed {
                let mut sub = m;
                loop {
                    if sub != 0 {
                        masks.push(sub);
                    }
                    if sub == 0 {
                        break;
                    }
                    sub = (sub - 1) & m;
                }
            }
            masks.sort_unstable_by_key(|m| (m.count_ones(), *m));
            masks.dedup();
            let mut value: BTreeMap<u32, f64> = BTreeMap::new();
            for &m in &masks {
                let mut v = f64::from(given.get(&m).copied().unwrap_or(0));
                for bit in 0..n {
                    let face = m & !(1 << bit);
                    if face != m && face != 0 {
                        v = v.max(value[&face]);
                    }
                }
                value.insert(m, v);
            }
            let simplices = value
                .iter()
                .map(|(&m, &v)| ((0..n).filter(|b| m >> b & 1 == 1).collect::<Vec<u32>>(), v))
                .collect::<Vec<_>>();
            ExplicitComplex::try_new(simplices).unwrap()
        })
    })
}

/// The rank over Z/2 of a set of vectors given as bit masks.
fn rank(vectors: impl IntoIterator<Item = u128>) -> usize {
    let mut basis: Vec<u128> = Vec::new(); // kept with distinct leading bits
    for mut v in vectors {
        for &b in &basis {
            let lead = 127 - b.leading_zeros();
            if v >> lead & 1 == 1 {
                v ^= b;
            }
        }
        if v != 0 {
            basis.push(v);
            basis.sort_unstable_by(|a, b| b.cmp(a));
        }
    }
    basis.len()
}

/// Betti numbers over Z/2 of the subcomplex of cells with value `≤ t`, dimensions
/// `0..=max_dim`, by Gaussian elimination: `β_k = n_k − rank ∂_k − rank ∂_{k+1}`.
pub(crate) fn brute_betti(complex: &ExplicitComplex, t: f64, max_dim: usize) -> Vec<usize> {
    let present = |k: usize| -> Vec<Vec<u32>> {
        complex.simplices(k).iter().filter(|c| c.value <= t).map(|c| c.vertices.clone()).collect()
    };
    let boundary_rank = |k: usize| -> usize {
        if k == 0 {
            return 0;
        }
        let rows = present(k - 1);
        assert!(rows.len() <= 128, "brute force supports up to 128 faces");
        let cols = present(k);
        rank(cols.iter().map(|c| {
            let mut v = 0u128;
            for i in 0..c.len() {
                let mut face = c.clone();
                face.remove(i);
                let row = rows.iter().position(|r| *r == face).expect("face present");
                v |= 1 << row;
            }
            v
        }))
    };
    (0..=max_dim).map(|k| present(k).len() - boundary_rank(k) - boundary_rank(k + 1)).collect()
}

/// Betti numbers at `t` read off a diagram: the pairs with `birth ≤ t < death`.
pub(crate) fn diagram_betti(diagram: &Diagram, t: f64) -> Vec<usize> {
    diagram
        .dims()
        .iter()
        .map(|d| d.iter().filter(|p| p.birth <= t && t < p.death).count())
        .collect()
}

pub(crate) fn sorted(mut d: Diagram) -> Diagram {
    d.sort();
    d
}
