//! Directed and undirected flag complexes: cell counts, brute-force enumeration, `has_cells`.

use nnph_complex::{Cell, Edge, FilteredComplex, FilteredGraph, FlagComplex};
use proptest::prelude::*;

use crate::common::{FLAGSER_BETTI, graph, read_flagser};

/// `n! / (n - k - 1)!`: the number of k-simplices of the complete digraph on n vertices.
fn falling(n: usize, k: usize) -> usize {
    (n - k..=n).product()
}

fn binomial(n: usize, k: usize) -> usize {
    if k > n { 0 } else { (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1)) }
}

#[test]
fn complete_digraph_cell_counts() {
    for (name, n) in [("d2", 2), ("d3", 3), ("d4", 4), ("d5", 5), ("d7", 7), ("d10", 10)] {
        let g = read_flagser(name);
        let directed = FlagComplex::directed(&g).cell_counts(n);
        let expected: Vec<usize> = (0..=n).map(|k| if k < n { falling(n, k) } else { 0 }).collect();
        assert_eq!(directed, expected, "{name}");
        let undirected = FlagComplex::undirected(&g).cell_counts(n);
        let expected: Vec<usize> = (0..=n).map(|k| binomial(n, k + 1)).collect();
        assert_eq!(undirected, expected, "{name}");
    }
}

#[test]
fn euler_characteristic_matches_flagser_betti_numbers() {
    for &(name, betti) in FLAGSER_BETTI {
        let g = read_flagser(name);
        let top = betti.len() - 1;
        let counts = FlagComplex::directed(&g).cell_counts(top + 1);
        assert_eq!(counts[top + 1], 0, "{name}: nothing above the top dimension");
        assert!(counts[top] > 0, "{name}: cells in the top dimension");
        let alternating = |xs: &[usize]| -> i64 {
            xs.iter()
                .enumerate()
                .map(|(k, &x)| if k % 2 == 0 { x as i64 } else { -(x as i64) })
                .sum()
        };
        assert_eq!(alternating(&counts), alternating(betti), "{name}: {counts:?}");
    }
}

#[test]
fn values_follow_the_max_filtration() {
    let g = read_flagser("d3");
    let c = FlagComplex::directed(&g);
    // (0, 1, 2): edges 0→1 1.375, 0→2 1.265, 1→2 1.59.
    assert_eq!(c.value_of(&[0, 1, 2]), Some(1.59));
    assert_eq!(c.value_of(&[2]), Some(0.025));
    assert_eq!(c.value_of(&[1, 0]), Some(1.85));
    assert_eq!(c.value_of(&[0, 0]), None);
    assert_eq!(c.value_of(&[]), None);
    assert_eq!(c.value_of(&[0, 7]), None);
    let cell = Cell::new(vec![0, 1, 2], 1.59);
    let faces = c.boundary(&cell);
    let expected = [(vec![1, 2], 1.59), (vec![0, 2], 1.265), (vec![0, 1], 1.375)];
    let got: Vec<(Vec<u32>, f64)> = faces.into_iter().map(|c| (c.vertices, c.value)).collect();
    assert_eq!(got, expected);
    // Undirected: the minimum of the two directions.
    let u = FlagComplex::undirected(&g);
    assert_eq!(u.edge_value(1, 0), Some(1.375));
    assert_eq!(u.value_of(&[2, 1, 0]), Some(1.375));
    assert_eq!(c.cells(0).iter().map(|c| c.value).collect::<Vec<_>>(), [0.715, 0.9, 0.025]);
}

#[test]
#[should_panic(expected = "not a cell")]
fn boundary_of_a_non_cell_panics() {
    let g = graph(3, &[(0, 1, 1.0), (1, 2, 1.0)]);
    let _ = FlagComplex::directed(&g).boundary(&Cell::new(vec![0, 1, 2], 1.0));
}

#[test]
fn facets_drop_one_vertex_each() {
    let cell = Cell::new(vec![4, 2, 9], 0.0);
    let faces: Vec<Vec<u32>> = cell.facets().collect();
    assert_eq!(faces, [vec![2, 9], vec![4, 9], vec![4, 2]]);
    assert_eq!(cell.dim(), 2);
    assert_eq!(Cell::new(vec![3], 0.0).facets().count(), 0);
}

#[test]
fn has_cells_on_small_cases() {
    // A directed 3-cycle is a triangle but not a directed 2-simplex.
    let cycle = graph(3, &[(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)]);
    assert!(!FlagComplex::directed(&cycle).has_cells(2));
    assert!(FlagComplex::undirected(&cycle).has_cells(2));
    assert!(!FlagComplex::undirected(&cycle).has_cells(3));
    let transitive = graph(3, &[(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)]);
    assert!(FlagComplex::directed(&transitive).has_cells(2));
    let empty = FilteredGraph::default();
    assert!(!FlagComplex::directed(&empty).has_cells(0));
    assert!(!FlagComplex::directed(&empty).has_cells(1));
    let square = graph(4, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)]);
    assert!(square.is_bipartite());
    assert!(!cycle.is_bipartite());
    let pentagon = graph(5, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 4, 1.0), (4, 0, 1.0)]);
    assert!(!pentagon.is_bipartite());
    assert!(!FlagComplex::undirected(&pentagon).has_cells(2));
    for (name, _) in FLAGSER_BETTI {
        let g = read_flagser(name);
        let c = FlagComplex::directed(&g);
        assert_eq!(c.has_cells(2), c.cell_counts(2)[2] > 0, "{name}");
    }
}

#[test]
fn trait_object_lists_cells() {
    let g = read_flagser("d4");
    let c = FlagComplex::directed(&g);
    let dynamic: &dyn FilteredComplex = &c;
    assert_eq!(dynamic.cells(3).len(), 24);
}

/// A random graph with up to `max_n` vertices, duplicate and anti-parallel edges, vertex values
/// at most the edge values, and values from a small set (many ties).
pub(crate) fn arb_graph(max_n: usize, max_edges: usize) -> impl Strategy<Value = FilteredGraph> {
    (0..=max_n).prop_flat_map(move |n| {
        let values = prop::collection::vec(0u8..3, n);
        let edges = if n < 2 {
            Just(Vec::new()).boxed()
        } else {
            prop::collection::vec((0..n as u32, 0..n as u32, 0u8..5), 0..=max_edges).boxed()
        };
        (values, edges).prop_map(|(values, edges)| {
            let values: Vec<f64> = values.into_iter().map(|v| f64::from(v) * 0.5).collect();
            let edges = edges
                .into_iter()
                .filter(|&(s, t, _)| s != t)
                .map(|(s, t, v)| Edge {
                    source: s,
                    target: t,
                    value: (f64::from(v) * 0.5).max(values[s as usize]).max(values[t as usize]),
                })
                .collect();
            FilteredGraph::try_new(values, edges).unwrap()
        })
    })
}

/// The value of the 1-cell `(u, v)` by brute force over the stored edges.
fn brute_edge(g: &FilteredGraph, directed: bool, u: u32, v: u32) -> Option<f64> {
    g.edges()
        .iter()
        .filter(|e| {
            (e.source == u && e.target == v) || (!directed && e.source == v && e.target == u)
        })
        .map(|e| e.value)
        .min_by(f64::total_cmp)
}

/// All k-cells by brute force over vertex tuples, in lexicographic order.
fn brute_cells(g: &FilteredGraph, directed: bool, k: usize) -> Vec<Cell> {
    fn rec(
        g: &FilteredGraph,
        directed: bool,
        k: usize,
        prefix: &mut Vec<u32>,
        out: &mut Vec<Cell>,
    ) {
        if prefix.len() == k + 1 {
            let mut value =
                prefix.iter().map(|&v| g.vertex_values()[v as usize]).fold(f64::MIN, f64::max);
            for i in 0..prefix.len() {
                for j in i + 1..prefix.len() {
                    match brute_edge(g, directed, prefix[i], prefix[j]) {
                        Some(e) => value = value.max(e),
                        None => return,
                    }
                }
            }
            out.push(Cell::new(prefix.clone(), value));
            return;
        }
        for v in 0..g.vertex_count() as u32 {
            if prefix.contains(&v) || (!directed && prefix.last().is_some_and(|&l| l >= v)) {
                continue;
            }
            prefix.push(v);
            rec(g, directed, k, prefix, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    rec(g, directed, k, &mut Vec::new(), &mut out);
    out
}

/// Whether some three vertices form a directed 2-simplex (resp. a triangle), by brute force.
fn brute_has_2_cell(g: &FilteredGraph, directed: bool) -> bool {
    let n = g.vertex_count() as u32;
    let adj = |u, v| brute_edge(g, directed, u, v).is_some();
    (0..n).any(|a| {
        (0..n).any(|b| {
            (0..n).any(|c| a != b && b != c && a != c && adj(a, b) && adj(b, c) && adj(a, c))
        })
    })
}

/// A layered (hence bipartite) graph with random directions.
fn arb_layered() -> impl Strategy<Value = FilteredGraph> {
    prop::collection::vec(1usize..4, 1..5).prop_flat_map(|sizes| {
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
        prop::collection::vec((any::<bool>(), any::<bool>(), 0u8..4), m).prop_map(move |choice| {
            let edges = pairs
                .iter()
                .zip(choice)
                .filter(|(_, (keep, _, _))| *keep)
                .map(|(&(a, b), (_, flip, v))| {
                    let (source, target) = if flip { (b, a) } else { (a, b) };
                    Edge { source, target, value: f64::from(v) }
                })
                .collect();
            FilteredGraph::try_new(vec![0.0; n], edges).unwrap()
        })
    })
}

proptest! {
    #[test]
    fn cells_equal_brute_force(g in arb_graph(6, 24), directed in any::<bool>()) {
        let c = FlagComplex::new(&g, directed);
        let counts = c.cell_counts(3);
        for (k, &count) in counts.iter().enumerate() {
            let brute = brute_cells(&g, directed, k);
            prop_assert_eq!(count, brute.len());
            prop_assert_eq!(&c.cells(k), &brute, "dimension {}", k);
            prop_assert_eq!(c.has_cells(k), !brute.is_empty(), "dimension {}", k);
            for cell in &brute {
                prop_assert_eq!(c.value_of(&cell.vertices), Some(cell.value));
            }
        }
    }

    #[test]
    fn has_2_cells_equals_brute_force(g in arb_graph(9, 30), directed in any::<bool>()) {
        prop_assert_eq!(FlagComplex::new(&g, directed).has_cells(2), brute_has_2_cell(&g, directed));
    }

    #[test]
    fn layered_graphs_have_no_2_cells(g in arb_layered(), directed in any::<bool>()) {
        prop_assert!(g.is_bipartite());
        prop_assert!(!FlagComplex::new(&g, directed).has_cells(2));
        prop_assert!(!brute_has_2_cell(&g, directed));
    }

    #[test]
    fn bipartite_equals_two_colouring(g in arb_graph(9, 14)) {
        // Brute force: try every 2-colouring.
        let n = g.vertex_count();
        let brute = (0u32..1 << n).any(|colour| {
            g.edges().iter().all(|e| (colour >> e.source) & 1 != (colour >> e.target) & 1)
        });
        prop_assert_eq!(g.is_bipartite(), brute);
    }
}
