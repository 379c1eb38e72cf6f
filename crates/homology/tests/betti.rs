//! Betti numbers of whole complexes: flagser's test graphs and small manifolds.

use nnph_complex::ExplicitComplex;
use nnph_homology::persistence::{
    PersistenceOptions, Shortcut, complex_persistence, flag_persistence,
};
use nnph_homology::reduce::all_reducers;

use crate::common::{brute_betti, read_flagser};

/// The Betti numbers of the directed flag complex over Z/2 (flagser's test suite), as the
/// number of essential pairs per dimension with `max_dim` = the top dimension.
fn check_flagser(name: &str, expected: &[usize]) {
    let g = read_flagser(name);
    let top = expected.len() - 1;
    for shortcut in [Shortcut::Auto, Shortcut::Never] {
        let mut opts = PersistenceOptions::default();
        opts.max_dim = top;
        opts.shortcut = shortcut;
        let d = flag_persistence(&g, &opts).unwrap();
        assert_eq!(d.betti_numbers(), expected, "{name} ({shortcut})");
    }
}

#[test]
fn flagser_small_graphs() {
    check_flagser("d2", &[1, 1]);
    check_flagser("a", &[1, 2, 0]);
    check_flagser("b", &[1, 0, 0]);
    check_flagser("c", &[1, 5]);
    check_flagser("d", &[1, 0, 1]);
    check_flagser("e", &[1, 0, 0, 0]);
    check_flagser("f", &[1, 0, 0]);
}

// The -allzero files are meant for flagser's `--filtration zero`; Betti numbers of the whole
// complex do not depend on the filtration, so the files' own values are used.
#[test]
fn flagser_complete_digraphs() {
    check_flagser("d3", &[1, 0, 2]);
    check_flagser("d3-allzero", &[1, 0, 2]);
    check_flagser("double-d3", &[1, 0, 5]);
    check_flagser("double-d3-allzero", &[1, 0, 5]);
    check_flagser("d4", &[1, 0, 0, 9]);
    check_flagser("d4-allzero", &[1, 0, 0, 9]);
    check_flagser("d5", &[1, 0, 0, 0, 44]);
}

/// Derangement numbers: the complete digraph on n vertices has β_{n-1} = D_n.
#[test]
fn flagser_d7() {
    check_flagser("d7", &[1, 0, 0, 0, 0, 0, 1854]);
}

// 9.86 M cells (dimensions 0..=9), through the implicit engine (both shortcut policies end
// there): about 10-20 s each in the test profile, too slow for the default run.
// `cargo test -p nnph-homology -- --ignored flagser_d10`.
#[test]
#[ignore = "9.86 M cells: 10-20 s per run in the test profile"]
fn flagser_d10() {
    check_flagser("d10", &[1, 0, 0, 0, 0, 0, 0, 0, 0, 1_334_961]);
}

fn triangles(list: &[[u32; 3]]) -> ExplicitComplex {
    let mut simplices = std::collections::BTreeSet::new();
    for t in list {
        let mut t = t.to_vec();
        t.sort_unstable();
        for mask in 1u32..8 {
            simplices
                .insert((0..3).filter(|b| mask >> b & 1 == 1).map(|b| t[b]).collect::<Vec<u32>>());
        }
    }
    ExplicitComplex::try_new(simplices.into_iter().map(|s| (s, 0.0))).unwrap()
}

/// Closed surfaces with all values 0: Betti numbers over Z/2 from persistence and by brute force.
#[test]
fn surfaces() {
    // The boundary of a tetrahedron: a 2-sphere.
    let sphere = triangles(&[[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]);
    // The 7-vertex torus (Möbius–Császár): triangles {i, i+1, i+3} and {i, i+2, i+3} mod 7.
    let torus: Vec<[u32; 3]> = (0..7)
        .flat_map(|i| [[i, (i + 1) % 7, (i + 3) % 7], [i, (i + 2) % 7, (i + 3) % 7]])
        .collect();
    let torus = triangles(&torus);
    // The 6-vertex real projective plane (Z/2 Betti numbers 1, 1, 1).
    let rp2 = triangles(&[
        [0, 1, 2],
        [0, 2, 3],
        [0, 3, 4],
        [0, 4, 5],
        [0, 5, 1],
        [1, 2, 4],
        [2, 3, 5],
        [3, 4, 1],
        [4, 5, 2],
        [5, 1, 3],
    ]);
    for (name, complex, expected) in
        [("sphere", sphere, [1, 0, 1]), ("torus", torus, [1, 2, 1]), ("rp2", rp2, [1, 1, 1])]
    {
        assert_eq!(brute_betti(&complex, 0.0, 2), expected, "{name} (brute force)");
        for reducer in all_reducers() {
            let d = complex_persistence(&complex, 2, reducer.as_ref()).unwrap();
            assert_eq!(d.betti_numbers(), expected, "{name} ({})", reducer.name());
        }
    }
}
