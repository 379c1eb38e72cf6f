//! Boundary matrices and reducers: validation, selection, and the standard reduction against a
//! brute-force rank computation.

use nnph_homology::persistence::complex_persistence;
use nnph_homology::reduce::{
    BoundaryMatrix, Column, Pairing, Reducer, ReducerKind, Standard, all_reducers, default_reducer,
};
use nnph_homology::{ErrorKind, PersistencePair};
use proptest::prelude::*;

use crate::common::{arb_complex, brute_betti, diagram_betti};

fn col(dim: usize, value: f64, boundary: &[u32]) -> Column {
    Column { dim, value, boundary: boundary.to_vec() }
}

fn invalid_column(columns: Vec<Column>) -> usize {
    match BoundaryMatrix::try_new(columns).unwrap_err().kind() {
        ErrorKind::InvalidBoundaryMatrix { column, .. } => *column,
        other => panic!("{other:?}"),
    }
}

#[test]
fn boundary_matrix_validation() {
    let v = || col(0, 0.0, &[]);
    assert_eq!(invalid_column(vec![v(), col(0, f64::NAN, &[])]), 1);
    assert_eq!(invalid_column(vec![col(0, 1.0, &[]), col(0, 0.5, &[])]), 1);
    assert_eq!(invalid_column(vec![v(), v(), col(1, 1.0, &[1, 0])]), 2);
    assert_eq!(invalid_column(vec![v(), v(), col(1, 1.0, &[1, 1])]), 2);
    assert_eq!(invalid_column(vec![v(), col(0, 0.0, &[0])]), 1);
    assert_eq!(invalid_column(vec![v(), col(1, 1.0, &[0, 1])]), 1);
    assert_eq!(invalid_column(vec![v(), v(), col(2, 1.0, &[0, 1])]), 2);
    let ok = BoundaryMatrix::try_new(vec![v(), v(), col(1, 1.0, &[0, 1])]).unwrap();
    assert_eq!(ok.len(), 3);
    assert_eq!(ok.column(2).boundary, [0, 1]);
    assert!(BoundaryMatrix::try_new(vec![]).unwrap().is_empty());
}

#[test]
fn standard_reduction_of_a_filled_triangle() {
    // Vertices 0, 1, 2; edges 01, 12, 02; the triangle.
    let v = || col(0, 0.0, &[]);
    let m = BoundaryMatrix::try_new(vec![
        v(),
        v(),
        v(),
        col(1, 1.0, &[0, 1]),
        col(1, 2.0, &[1, 2]),
        col(1, 3.0, &[0, 2]),
        col(2, 4.0, &[3, 4, 5]),
    ])
    .unwrap();
    let pairing = Standard::default().reduce(&m).unwrap();
    assert_eq!(pairing, Pairing::new(vec![(1, 3), (2, 4), (5, 6)], vec![0]));
    assert_eq!(pairing.pairs(), &[(1, 3), (2, 4), (5, 6)]);
    assert_eq!(pairing.essential(), &[0]);
    let d = nnph_homology::persistence::diagram_from_pairing(&m, &pairing, 1);
    assert_eq!(d.dim(1), &[PersistencePair::new(3.0, 4.0)]);
}

#[test]
fn reducer_kinds() {
    assert_eq!("standard".parse::<ReducerKind>().unwrap(), ReducerKind::Standard);
    assert_eq!(ReducerKind::Standard.to_string(), "standard");
    let e = "fancy".parse::<ReducerKind>().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownName { what: "reducer", .. }));
    assert!(e.to_string().contains("standard"), "{e}");
    assert_eq!(default_reducer().name(), "cohomology");
    let names: Vec<&str> = all_reducers().iter().map(|r| r.name()).collect();
    assert_eq!(names, ["standard", "twist", "cohomology"]);
    for kind in ReducerKind::ALL {
        assert_eq!(kind.to_string().parse::<ReducerKind>().unwrap(), *kind);
        assert_eq!(kind.reducer().name(), kind.to_string());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Betti numbers at every filtration value from the diagram equal those of the subcomplex by
    /// Gaussian elimination (an independent reference).
    #[test]
    fn reduction_matches_brute_force_betti_numbers(complex in arb_complex()) {
        let top = complex.dimension().unwrap_or(0);
        let mut values: Vec<f64> =
            (0..=top).flat_map(|k| complex.simplices(k).iter().map(|c| c.value)).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values.insert(0, -1.0);
        for reducer in all_reducers() {
            let d = complex_persistence(&complex, top, reducer.as_ref()).unwrap();
            prop_assert_eq!(d.dim_count(), top + 1);
            for &t in &values {
                prop_assert_eq!(diagram_betti(&d, t), brute_betti(&complex, t, top), "t = {}", t);
            }
            // Every pair is a proper interval.
            for p in d.dims().iter().flatten() {
                prop_assert!(p.birth < p.death);
            }
        }
    }

    /// Every reducer returns the standard pairing, and every column is used exactly once.
    #[test]
    fn reducers_agree_and_pairings_partition_the_columns(complex in arb_complex()) {
        let top = complex.dimension().unwrap_or(0);
        let m = BoundaryMatrix::from_complex(&complex, top).unwrap();
        let reference = Standard::default().reduce(&m).unwrap();
        let mut seen = vec![0u8; m.len()];
        for &(b, d) in reference.pairs() {
            prop_assert!(b < d);
            prop_assert_eq!(m.column(b).dim + 1, m.column(d).dim);
            seen[b] += 1;
            seen[d] += 1;
        }
        for &e in reference.essential() {
            seen[e] += 1;
        }
        prop_assert!(seen.iter().all(|&s| s == 1));
        for reducer in all_reducers() {
            prop_assert_eq!(&reducer.reduce(&m).unwrap(), &reference, "{}", reducer.name());
        }
    }
}
