//! The exact graph shortcut against the standard reduction, and a hand-computed example.

use nnph_complex::{Edge, FilteredGraph, FlagComplex};
use nnph_homology::persistence::{
    PersistenceOptions, Shortcut, diagram_from_pairing, flag_persistence,
};
use nnph_homology::reduce::{BoundaryMatrix, Reducer, all_reducers};
use nnph_homology::shortcut::graph_persistence;
use nnph_homology::{Diagram, PersistencePair, giotto_reduced};
use proptest::prelude::*;

use crate::common::{arb_graph, arb_layered, graph, sorted};

const INF: f64 = f64::INFINITY;

fn pair(b: f64, d: f64) -> PersistencePair {
    PersistencePair::new(b, d)
}

/// H0 and H1 of the 1-skeleton of the flag complex by the standard reduction: what the
/// shortcut computes.
fn one_skeleton_by_reduction(g: &FilteredGraph, directed: bool, reducer: &dyn Reducer) -> Diagram {
    let complex = FlagComplex::new(g, directed);
    let matrix = BoundaryMatrix::from_complex(&complex, 1).unwrap();
    let pairing = reducer.reduce(&matrix).unwrap();
    diagram_from_pairing(&matrix, &pairing, 1)
}

fn opts(max_dim: usize, directed: bool, shortcut: Shortcut) -> PersistenceOptions {
    let mut o = PersistenceOptions::default();
    o.max_dim = max_dim;
    o.directed = directed;
    o.shortcut = shortcut;
    o
}

/// A small layered network graph with bias vertices, by hand (vertex values 0):
///
/// inputs 0, 1; hidden 2, 3; output 4; bias vertices 5 → 2, 3 → 6, 7 → 4.
/// Edges (value): 7-4 0.05, 0-2 0.1, 1-3 0.2, 1-2 0.3, 3-6 0.35, 0-3 0.4, 2-4 0.5, 4-3 0.6,
/// 5-2 0.7. Kruskal: every edge merges except 0-3 (0.4, closes 0-2-1-3) and 4-3 (0.6, closes
/// 2-4-3-1-2), so H0 = the 7 spanning-tree edges and H1 = those two.
fn worked_example() -> FilteredGraph {
    graph(
        8,
        &[
            (0, 2, 0.1),
            (3, 0, 0.4),
            (1, 2, 0.3),
            (1, 3, 0.2),
            (2, 4, 0.5),
            (4, 3, 0.6),
            (5, 2, 0.7),
            (3, 6, 0.35),
            (7, 4, 0.05),
        ],
    )
}

#[test]
fn worked_example_by_hand() {
    let expected_h0 = [0.05, 0.1, 0.2, 0.3, 0.35, 0.5, 0.7].map(|d| pair(0.0, d));
    let g = worked_example();
    for directed in [true, false] {
        let d = flag_persistence(&g, &opts(3, directed, Shortcut::Auto)).unwrap();
        assert_eq!(d.dim_count(), 4);
        assert_eq!(&d.dim(0)[..7], &expected_h0);
        assert_eq!(&d.dim(0)[7..], &[pair(0.0, INF)]);
        assert_eq!(d.dim(1), &[pair(0.6, INF), pair(0.4, INF)]); // descending birth
        assert!(d.dim(2).is_empty() && d.dim(3).is_empty());
        // The full reduction agrees, pair for pair.
        assert_eq!(flag_persistence(&g, &opts(3, directed, Shortcut::Never)).unwrap(), d);
        // giotto's reduced diagram: the 7 tree edges and the 2 cycles.
        let r = giotto_reduced(&d);
        assert_eq!(r.dim(0), &expected_h0);
        assert_eq!(r.dim(1).len(), 2);
    }
    // Edge directions do not matter for a graph without 2-cells.
    let (values, edges) = g.clone().into_parts();
    let flipped: Vec<Edge> =
        edges.iter().map(|e| Edge { source: e.target, target: e.source, value: e.value }).collect();
    let flipped = FilteredGraph::try_new(values, flipped).unwrap();
    assert_eq!(graph_persistence(&flipped, true), graph_persistence(&g, true));
}

#[test]
fn vertex_values_and_the_elder_rule() {
    // Vertices born at 0, 1, 2; edges 0-1 at 1 (kills vertex 1 at its birth: no pair),
    // 1-2 at 3 (kills vertex 2, born at 2), 2-0 at 4 (a cycle).
    let g = FilteredGraph::try_new(
        vec![0.0, 1.0, 2.0],
        vec![
            Edge { source: 0, target: 1, value: 1.0 },
            Edge { source: 1, target: 2, value: 3.0 },
            Edge { source: 2, target: 0, value: 4.0 },
        ],
    )
    .unwrap();
    let d = graph_persistence(&g, true);
    assert_eq!(d.dim(0), &[pair(2.0, 3.0), pair(0.0, INF)]);
    assert_eq!(d.dim(1), &[pair(4.0, INF)]);
}

#[test]
fn multigraph_edges() {
    // Anti-parallel edges: two 1-cells when directed (one H1 class), one when undirected.
    let g = graph(2, &[(0, 1, 0.5), (1, 0, 0.25)]);
    assert_eq!(graph_persistence(&g, true).dim(1), &[pair(0.5, INF)]);
    assert_eq!(graph_persistence(&g, false).dim(0), &[pair(0.0, 0.25), pair(0.0, INF)]);
    assert!(graph_persistence(&g, false).dim(1).is_empty());
    // Repeated edges with the same key are one 1-cell with the smallest value.
    let g = graph(2, &[(0, 1, 0.5), (0, 1, 0.25), (0, 1, 0.75)]);
    let d = graph_persistence(&g, true);
    assert_eq!(d.dim(0), &[pair(0.0, 0.25), pair(0.0, INF)]);
    assert!(d.dim(1).is_empty());
}

#[test]
fn degenerate_graphs() {
    let empty = FilteredGraph::default();
    assert_eq!(graph_persistence(&empty, true), Diagram::empty(2));
    assert_eq!(
        flag_persistence(&empty, &PersistenceOptions::default()).unwrap(),
        Diagram::empty(4)
    );
    let lonely = FilteredGraph::try_new(vec![0.5], vec![]).unwrap();
    assert_eq!(graph_persistence(&lonely, true).dim(0), &[pair(0.5, INF)]);
}

/// A graph large enough for the parallel sort (with the `rayon` feature) against a plain
/// sequential Kruskal written here: the result must not depend on the feature.
#[test]
fn large_graph_matches_a_simple_kruskal() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let n = 3000u32;
    let values: Vec<f64> = (0..n).map(|_| (next() % 3) as f64 * 0.1).collect();
    let edges: Vec<Edge> = (0..200_000)
        .filter_map(|_| {
            let (s, t) = ((next() % u64::from(n)) as u32, (next() % u64::from(n)) as u32);
            let v = (next() % 1000) as f64 / 1000.0;
            (s != t).then(|| Edge {
                source: s,
                target: t,
                value: v.max(values[s as usize]).max(values[t as usize]),
            })
        })
        .collect();
    let g = FilteredGraph::try_new(values.clone(), edges.clone()).unwrap();
    for directed in [true, false] {
        // Reference: 1-cells with the minimum value per key, sorted by (value, key).
        let mut cells: std::collections::BTreeMap<(u32, u32), f64> = Default::default();
        for e in &edges {
            let key = if directed {
                (e.source, e.target)
            } else {
                (e.source.min(e.target), e.source.max(e.target))
            };
            let v = cells.entry(key).or_insert(e.value);
            *v = v.min(e.value);
        }
        let mut order: Vec<(f64, (u32, u32))> = cells.into_iter().map(|(k, v)| (v, k)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut parent: Vec<u32> = (0..n).collect();
        fn root(parent: &mut [u32], mut v: u32) -> u32 {
            while parent[v as usize] != v {
                v = parent[v as usize];
            }
            v
        }
        // Each root's oldest vertex: smallest (value, index).
        let mut elder: Vec<u32> = (0..n).collect();
        let older = |u: u32, v: u32| (values[u as usize], u) < (values[v as usize], v);
        let (mut h0, mut h1) = (Vec::new(), Vec::new());
        for (value, (a, b)) in order {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra == rb {
                h1.push(pair(value, INF));
                continue;
            }
            let (ea, eb) = (elder[ra as usize], elder[rb as usize]);
            let (old, young) = if older(ea, eb) { (ea, eb) } else { (eb, ea) };
            if value > values[young as usize] {
                h0.push(pair(values[young as usize], value));
            }
            parent[ra as usize] = rb;
            elder[rb as usize] = old;
        }
        for v in 0..n {
            if root(&mut parent, v) == v {
                h0.push(pair(values[elder[v as usize] as usize], INF));
            }
        }
        let expected = sorted(Diagram::from_dims(vec![h0, h1]));
        assert_eq!(sorted(graph_persistence(&g, directed)), expected, "directed: {directed}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The shortcut equals the standard reduction of the 1-skeleton exactly: same pairs in the
    /// same order, on any graph (with or without 2-cells, duplicates and anti-parallel edges).
    #[test]
    fn shortcut_equals_reduction_of_the_1_skeleton(g in arb_graph(11, 40), directed in any::<bool>()) {
        let shortcut = graph_persistence(&g, directed);
        for reducer in all_reducers() {
            let reduced = one_skeleton_by_reduction(&g, directed, reducer.as_ref());
            prop_assert_eq!(&sorted(shortcut.clone()), &sorted(reduced.clone()));
            prop_assert_eq!(&shortcut, &reduced);
        }
        // The cycle rank: H1 has E - V + c classes (E 1-cells, c components).
        let components = shortcut.dim(0).iter().filter(|p| p.is_essential()).count();
        let edges = FlagComplex::new(&g, directed).cell_counts(1)[1];
        prop_assert_eq!(shortcut.dim(1).len(), edges + components - g.vertex_count());
    }

    /// On bipartite (layered) graphs `flag_persistence` takes the shortcut, and it equals the full
    /// reduction of the complex up to dimension 3 (+1).
    #[test]
    fn layered_graphs_auto_equals_full(g in arb_layered(), directed in any::<bool>(), max_dim in 0usize..4) {
        prop_assert!(!FlagComplex::new(&g, directed).has_cells(2));
        let auto = flag_persistence(&g, &opts(max_dim, directed, Shortcut::Auto)).unwrap();
        let always = flag_persistence(&g, &opts(max_dim, directed, Shortcut::Always)).unwrap();
        let never = flag_persistence(&g, &opts(max_dim, directed, Shortcut::Never)).unwrap();
        prop_assert_eq!(auto.dim_count(), max_dim + 1);
        prop_assert_eq!(&auto, &always);
        prop_assert_eq!(&auto, &never);
    }

    /// On arbitrary graphs (most with 2-cells) `Auto` gives the standard reduction's answer.
    #[test]
    fn auto_equals_full_reduction(g in arb_graph(7, 22), directed in any::<bool>(), max_dim in 0usize..3) {
        let auto = flag_persistence(&g, &opts(max_dim, directed, Shortcut::Auto)).unwrap();
        let never = flag_persistence(&g, &opts(max_dim, directed, Shortcut::Never)).unwrap();
        prop_assert_eq!(&sorted(auto.clone()), &sorted(never.clone()));
        prop_assert_eq!(&auto, &never);
        // H0 never needs more than the 1-skeleton.
        let shortcut = graph_persistence(&g, directed);
        prop_assert_eq!(auto.dim(0), shortcut.dim(0));
    }
}
