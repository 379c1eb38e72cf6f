//! The implicit flag engine (`flag_cohomology`) against the explicit reductions: over Z/2 the
//! standard reduction's diagram pair for pair, over Z/p an oriented Z/p standard reduction
//! written here; for every thread count.

use std::collections::HashMap;

use nnph_complex::budget::MemoryBudget;
use nnph_complex::{FilteredGraph, FlagComplex};
use nnph_homology::flag_cohomology::{FlagCohomologyOptions, flag_cohomology};
use nnph_homology::persistence::{
    FlagEngine, PersistenceOptions, Shortcut, diagram_from_pairing, flag_persistence,
};
use nnph_homology::reduce::{BoundaryMatrix, Pairing};
use nnph_homology::{Diagram, ErrorKind};
use proptest::prelude::*;

use crate::common::{arb_graph, read_flagser};

fn opts(max_dim: usize, directed: bool, engine: FlagEngine) -> PersistenceOptions {
    let mut o = PersistenceOptions::default();
    o.max_dim = max_dim;
    o.directed = directed;
    o.shortcut = Shortcut::Never;
    o.engine = engine;
    o
}

fn engine(g: &FilteredGraph, max_dim: usize, directed: bool, p: u16, threads: usize) -> Diagram {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let options = FlagCohomologyOptions::new(p, MemoryBudget::unlimited());
    pool.install(|| flag_cohomology(g, max_dim, directed, &options)).unwrap()
}

/// The oriented standard reduction over Z/p of the flag complex (cells of dimension
/// `≤ max_dim + 1` in the order of `BoundaryMatrix::from_complex`), read with
/// `diagram_from_pairing`.
fn reference_zp(g: &FilteredGraph, max_dim: usize, directed: bool, p: u64) -> Diagram {
    let complex = FlagComplex::new(g, directed);
    let matrix = BoundaryMatrix::from_complex(&complex, max_dim + 1).unwrap();
    let mut cells = Vec::new();
    for d in 0..=max_dim + 1 {
        cells.extend(complex.cells(d));
    }
    cells.sort_by(|a, b| {
        a.value
            .total_cmp(&b.value)
            .then(a.vertices.len().cmp(&b.vertices.len()))
            .then_with(|| a.vertices.cmp(&b.vertices))
    });
    let index: HashMap<Vec<u32>, usize> =
        cells.iter().enumerate().map(|(i, c)| (c.vertices.clone(), i)).collect();
    let n = cells.len();
    assert_eq!(n, matrix.len());
    let inverse = |a: u64| (1..p).find(|b| a * b % p == 1).unwrap();
    // Columns as maps row -> coefficient, reduced left to right (pivot = largest row).
    let mut reduced: Vec<Vec<(usize, u64)>> = Vec::with_capacity(n);
    let mut pivot_of: HashMap<usize, usize> = HashMap::new();
    let mut pairs = Vec::new();
    for (j, c) in cells.iter().enumerate() {
        let mut col: std::collections::BTreeMap<usize, u64> = Default::default();
        for (i, face) in c.facets().enumerate() {
            let sign = if i % 2 == 0 { 1 } else { p - 1 };
            *col.entry(index[&face]).or_insert(0) += sign;
        }
        col.retain(|_, a| {
            *a %= p;
            *a != 0
        });
        while let Some((&low, &a)) = col.last_key_value() {
            let Some(&k) = pivot_of.get(&low) else {
                pivot_of.insert(low, j);
                pairs.push((low, j));
                break;
            };
            let b = reduced[k].last().unwrap().1;
            let factor = (p - a * inverse(b) % p) % p;
            for &(row, x) in &reduced[k] {
                let e = col.entry(row).or_insert(0);
                *e = (*e + factor * x) % p;
            }
            col.retain(|_, a| *a != 0);
        }
        reduced.push(col.into_iter().collect());
    }
    let essential =
        (0..n).filter(|&j| reduced[j].is_empty() && !pivot_of.contains_key(&j)).collect();
    diagram_from_pairing(&matrix, &Pairing::new(pairs, essential), max_dim)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Z/2: the engine equals the explicit standard reduction pair for pair (same order), for
    /// 1 to 4 threads, directed and undirected, with ties, anti-parallel edges and vertex
    /// values.
    #[test]
    fn engine_matches_the_explicit_reduction(
        g in arb_graph(8, 30),
        max_dim in 0usize..4,
        directed in any::<bool>(),
    ) {
        let explicit = flag_persistence(&g, &opts(max_dim, directed, FlagEngine::Explicit)).unwrap();
        prop_assert_eq!(&flag_persistence(&g, &opts(max_dim, directed, FlagEngine::Implicit)).unwrap(), &explicit);
        for threads in 1..=4 {
            prop_assert_eq!(&engine(&g, max_dim, directed, 2, threads), &explicit, "{} threads", threads);
        }
    }

    /// Z/3 (and Z/5): the engine equals an oriented Z/p standard reduction, for 1 to 4 threads.
    #[test]
    fn engine_matches_zp_reduction(
        g in arb_graph(7, 24),
        max_dim in 1usize..4,
        directed in any::<bool>(),
        p in prop::sample::select(vec![3u16, 5]),
    ) {
        let expected = reference_zp(&g, max_dim, directed, u64::from(p));
        for threads in 1..=4 {
            prop_assert_eq!(&engine(&g, max_dim, directed, p, threads), &expected, "{} threads", threads);
        }
    }
}

/// Dense random digraphs have many higher cells and non-emergent columns: Z/2 and Z/3 against
/// the references, on a few fixed seeds.
#[test]
fn dense_random_digraphs() {
    let mut state = 0x853c_49e6_748f_ea9b_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for n in [6u32, 7, 8] {
        let mut edges = Vec::new();
        for u in 0..n {
            for w in 0..n {
                if u != w && next() % 10 < 7 {
                    let value = (next() % 4) as f64;
                    edges.push(nnph_complex::Edge { source: u, target: w, value });
                }
            }
        }
        let g = FilteredGraph::try_new(vec![0.0; n as usize], edges).unwrap();
        for directed in [true, false] {
            let max_dim = 3;
            let explicit =
                flag_persistence(&g, &opts(max_dim, directed, FlagEngine::Explicit)).unwrap();
            assert_eq!(engine(&g, max_dim, directed, 2, 2), explicit, "n = {n}");
            assert_eq!(
                engine(&g, max_dim, directed, 3, 3),
                reference_zp(&g, max_dim, directed, 3),
                "n = {n}"
            );
        }
    }
}

/// flagser's complete digraphs over Z/3: their homology is free (only in the top dimension,
/// of rank the derangement number), so the Betti numbers are those over Z/2.
#[test]
fn complete_digraphs_over_z3() {
    for (name, expected) in [
        ("d3", vec![1, 0, 2]),
        ("double-d3", vec![1, 0, 5]),
        ("d4", vec![1, 0, 0, 9]),
        ("d5", vec![1, 0, 0, 0, 44]),
        ("d7", vec![1, 0, 0, 0, 0, 0, 1854]),
    ] {
        let g = read_flagser(name);
        let d = engine(&g, expected.len() - 1, true, 3, 2);
        assert_eq!(d.betti_numbers(), expected, "{name}");
    }
}

/// `medium-test-data` (31 346 vertices, 68 652 edges): flagser's Betti numbers 14237, 39477,
/// 378, 0.
#[test]
fn flagser_medium_test_data() {
    let g = read_flagser("medium-test-data");
    let mut o = PersistenceOptions::default();
    o.max_dim = 3;
    let d = flag_persistence(&g, &o).unwrap();
    assert_eq!(d.betti_numbers(), vec![14237, 39477, 378, 0]);
    o.modulus = 3;
    assert_eq!(flag_persistence(&g, &o).unwrap().betti_numbers(), vec![14237, 39477, 378, 0]);
}

#[test]
fn budget_and_modulus_errors() {
    let g = read_flagser("d7");
    let mut o = opts(6, true, FlagEngine::Implicit);
    o.budget = MemoryBudget::bytes(1 << 16);
    let e = flag_persistence(&g, &o).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Complex(_)), "{e}");
    assert!(e.to_string().contains("--max-dim"), "{e}");
    o.budget = MemoryBudget::unlimited();
    o.modulus = 4;
    assert!(matches!(
        flag_persistence(&g, &o).unwrap_err().kind(),
        ErrorKind::InvalidOption { .. }
    ));
    let mut o = opts(2, true, FlagEngine::Explicit);
    o.modulus = 3;
    assert!(matches!(
        flag_persistence(&g, &o).unwrap_err().kind(),
        ErrorKind::InvalidOption { .. }
    ));
}

#[test]
fn engine_names() {
    for e in [FlagEngine::Implicit, FlagEngine::Explicit] {
        assert_eq!(e.to_string().parse::<FlagEngine>().unwrap(), e);
    }
    assert!("fast".parse::<FlagEngine>().is_err());
}
