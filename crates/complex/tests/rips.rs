//! Distance readers and the Vietoris–Rips complex: formats, hostile input, the combinatorial
//! number system, enumeration against brute force.

use std::path::PathBuf;

use nnph_complex::distances::{
    DistanceFormat, DistanceMatrix, read_distance, read_distances, read_lower_distance,
    read_point_cloud, read_sparse,
};
use nnph_complex::rips::{RipsComplex, RipsOptions};
use nnph_complex::{ErrorKind, FilteredComplex};
use proptest::prelude::*;

fn ripser_file(name: &str) -> std::fs::File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/ripser").join(name);
    std::fs::File::open(path).unwrap()
}

fn is_parse(e: &nnph_complex::Error) -> bool {
    matches!(e.kind(), ErrorKind::Parse { .. })
}

#[test]
fn lower_distance_format() {
    // Empty first line, commas and whitespace, trailing commas.
    let d = read_lower_distance("\n1,\n2, 3,\n 4 5 6\n".as_bytes()).unwrap();
    assert_eq!(d.len(), 4);
    assert_eq!(d.lower(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!((d.get(3, 1), d.get(1, 3), d.get(2, 2)), (5.0, 5.0, 0.0));
    // Line breaks are not significant.
    assert_eq!(read_lower_distance("1 2 3 4 5 6".as_bytes()).unwrap(), d);
    assert!(read_lower_distance("".as_bytes()).unwrap().is_empty());
    let zero = read_lower_distance("-0".as_bytes()).unwrap();
    assert!(zero.get(1, 0).is_sign_positive());
    assert_eq!(read_lower_distance("7".as_bytes()).unwrap().len(), 2);

    let projective = read_lower_distance(ripser_file("projective_plane.lower_distance_matrix"));
    assert_eq!(projective.unwrap().len(), 13);
    let sphere = read_lower_distance(ripser_file("sphere_3_192.lower_distance_matrix")).unwrap();
    assert_eq!(sphere.len(), 192);
}

#[test]
fn lower_distance_errors() {
    let e = read_lower_distance("1\n2 x\n".as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Parse { line: 2, .. }), "{e}");
    assert!(is_parse(&read_lower_distance("1 2".as_bytes()).unwrap_err()));
    assert!(is_parse(&read_lower_distance("1\n-2 3".as_bytes()).unwrap_err()));
    for bad in ["1\nNaN 1", "inf\n", "1e999"] {
        let e = read_lower_distance(bad.as_bytes()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NonFiniteValue { .. }), "{bad}: {e}");
    }
    let e = read_lower_distance(&[0xff, 0xfe, b'1'][..]).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Io(_)), "{e}");
}

#[test]
fn full_distance_format() {
    let d = read_distance("0 1 2\n1 0 3\n2 3 0\n".as_bytes()).unwrap();
    assert_eq!(d.lower(), &[1.0, 2.0, 3.0]);
    let d2 = read_distance("0,1,2\n1,0,3.0000000001\n2,3,0\n\n".as_bytes()).unwrap();
    assert_eq!(d2, d);
    // Ripser reads the lower triangle and ignores the rest; nnph refuses an asymmetric matrix
    // or a non-zero diagonal rather than half-read it.
    let e = read_distance("0,9,9\n1,0,9\n2,3,0\n".as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Parse { line: 2, .. }), "{e}");
    assert!(e.to_string().contains("not symmetric"), "{e}");
    let e = read_distance("0,1\n1,0.5\n".as_bytes()).unwrap_err();
    assert!(e.to_string().contains("diagonal"), "{e}");
    assert!(is_parse(&read_distance("0 1\n1 0 2\n".as_bytes()).unwrap_err()));
    assert!(is_parse(&read_distance("0 1 2\n1 0 3\n".as_bytes()).unwrap_err()));
    assert!(read_distance("".as_bytes()).unwrap().is_empty());
}

#[test]
fn point_cloud_format() {
    let d = read_point_cloud("0 0\n3 4\n0,1\n".as_bytes()).unwrap();
    assert_eq!(d.lower(), &[5.0, 1.0, 18f64.sqrt()]);
    let e = read_point_cloud("0 0\n3\n".as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Parse { line: 2, .. }), "{e}");
    assert!(DistanceMatrix::from_points(&[vec![0.0], vec![f64::NAN]]).is_err());
}

#[test]
fn sparse_format() {
    let s = read_sparse("0 1 2\n3 1 0.5\n1 0 1.5\n".as_bytes()).unwrap();
    assert_eq!(s.n, 4);
    assert_eq!(s.entries, vec![(1, 0, 1.5), (3, 1, 0.5)]);
    let d = s.to_dense().unwrap();
    assert_eq!((d.get(0, 1), d.get(1, 3), d.get(2, 0)), (1.5, 0.5, f64::INFINITY));
    for bad in ["0 1", "0 0 1", "0 1.5 1", "-1 2 1", "0 1 -1", "0 5000000000 1"] {
        assert!(is_parse(&read_sparse(bad.as_bytes()).unwrap_err()), "{bad}");
    }
    // A huge index with few pairs is refused before allocating the dense matrix.
    let huge = read_sparse("4000000000 0 1".as_bytes()).unwrap();
    let e = huge.to_dense().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooLarge { .. }), "{e}");
    let via = read_distances("0 1 2\n".as_bytes(), DistanceFormat::Sparse).unwrap();
    assert_eq!(via.lower(), &[2.0]);
}

#[test]
fn format_names() {
    for name in ["lower-distance", "distance", "point-cloud", "sparse"] {
        let f: DistanceFormat = name.parse().unwrap();
        assert_eq!(f.to_string(), name);
    }
    assert!("dipha".parse::<DistanceFormat>().is_err());
    assert_eq!(DistanceFormat::default(), DistanceFormat::LowerDistance);
}

#[test]
fn enclosing_radius_and_threshold() {
    let d = DistanceMatrix::from_lower(3, vec![1.0, 5.0, 2.0]).unwrap();
    // max distances: point 0 → 5, point 1 → 2, point 2 → 5.
    assert_eq!(d.enclosing_radius(), 2.0);
    let rips = RipsComplex::new(d.clone(), &RipsOptions::default()).unwrap();
    assert_eq!(rips.threshold(), 2.0);
    assert_eq!(rips.cells(1).len(), 2);
    assert!(rips.cells(2).is_empty());
    let all = RipsComplex::new(d.clone(), &RipsOptions::new(1, Some(5.0))).unwrap();
    assert_eq!(all.cells(2), vec![nnph_complex::Cell::new(vec![0, 1, 2], 5.0)]);
    assert!(all.cells(3).is_empty()); // above max_dim + 1
    assert!(RipsComplex::new(d.clone(), &RipsOptions::new(1, Some(f64::NAN))).is_err());
    assert!(RipsComplex::new(d, &RipsOptions::new(1, Some(-1.0))).is_err());
    assert_eq!(DistanceMatrix::from_lower(0, vec![]).unwrap().enclosing_radius(), 0.0);
}

#[test]
fn index_overflow_is_an_error() {
    // C(200, 40) > 2^64: dimension-38 simplices on 200 points cannot be indexed in 64 bits.
    let d = DistanceMatrix::from_lower(200, vec![1.0; 200 * 199 / 2]).unwrap();
    let e = RipsComplex::new(d.clone(), &RipsOptions::new(38, None)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooLarge { .. }), "{e}");
    assert!(RipsComplex::new(d, &RipsOptions::new(3, None)).is_ok());
}

#[test]
fn ties_are_ordered_by_index() {
    // All distances equal: every simplex has diameter 1, so the order is the index order.
    let d = DistanceMatrix::from_lower(5, vec![1.0; 10]).unwrap();
    let rips = RipsComplex::new(d, &RipsOptions::new(2, None)).unwrap();
    let triangles = rips.simplices(2);
    assert_eq!(triangles.len(), 10);
    assert!(triangles.iter().enumerate().all(|(k, &(v, i))| v == 1.0 && i == k as u64));
    let tetrahedra = rips.simplices(3);
    assert_eq!(tetrahedra.len(), 5);
    assert_eq!(rips.simplex_vertices(0, 3), vec![0, 1, 2, 3]);
    assert_eq!(rips.simplex_vertices(4, 3), vec![1, 2, 3, 4]);
    assert_eq!(rips.simplex_index(&[2, 1]), None);
    assert_eq!(rips.simplex_index(&[0, 5]), None);
    assert_eq!(rips.simplex_index(&[]), None);
}

/// A random dissimilarity on up to `max_n` points with small integer values (many ties).
fn arb_distances(max_n: usize) -> impl Strategy<Value = DistanceMatrix> {
    (0..=max_n).prop_flat_map(|n| {
        prop::collection::vec(1u8..6, n * n.saturating_sub(1) / 2).prop_map(move |v| {
            DistanceMatrix::from_lower(n, v.into_iter().map(f64::from).collect()).unwrap()
        })
    })
}

/// Every increasing `len`-tuple of `0..n`.
fn tuples(n: u32, len: usize) -> Vec<Vec<u32>> {
    if len == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for prefix in tuples(n, len - 1) {
        let start = prefix.last().map_or(0, |&v| v + 1);
        for v in start..n {
            let mut t = prefix.clone();
            t.push(v);
            out.push(t);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Simplices, indices and cofacets agree with brute force over all vertex tuples.
    #[test]
    fn rips_matches_brute_force(d in arb_distances(8), threshold in prop::option::of(1u8..6)) {
        let rips = RipsComplex::new(d.clone(), &RipsOptions::new(2, threshold.map(f64::from)))
            .unwrap();
        let t = rips.threshold();
        let n = d.len() as u32;
        for dim in 0..=3 {
            let mut expected: Vec<(f64, u64)> = Vec::new();
            for tuple in tuples(n, dim + 1) {
                let index = rips.simplex_index(&tuple).unwrap();
                prop_assert_eq!(rips.simplex_vertices(index, dim), tuple.clone());
                let diameter = rips.diameter(&tuple);
                if diameter <= t {
                    expected.push((diameter, index));
                }
            }
            expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let got = rips.simplices(dim);
            prop_assert_eq!(&got, &expected);
            let cells = rips.cells(dim);
            prop_assert_eq!(cells.len(), got.len());
            for (cell, &(value, index)) in cells.iter().zip(&got) {
                prop_assert_eq!(cell.value, value);
                prop_assert_eq!(rips.simplex_index(&cell.vertices), Some(index));
            }
            // Indices are a bijection onto 0..C(n, dim + 1).
            let count = tuples(n, dim + 1).len() as u64;
            prop_assert_eq!(rips.binomial(n as usize, dim + 1), count);
            if dim < 3 {
                for &(value, index) in &got {
                    let vertices = rips.simplex_vertices(index, dim);
                    let mut expected: Vec<(f64, u64)> = rips.simplices(dim + 1)
                        .into_iter()
                        .filter(|&(_, j)| {
                            let w = rips.simplex_vertices(j, dim + 1);
                            vertices.iter().all(|v| w.contains(v))
                        })
                        .collect();
                    expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    let cofacets = rips.cofacets(index, dim);
                    prop_assert!(cofacets.iter().all(|&(c, _)| c >= value));
                    prop_assert_eq!(cofacets, expected);
                }
            } else {
                prop_assert!(got.iter().all(|&(_, i)| rips.cofacets(i, dim).is_empty()));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Readers return a value or a typed error on any bytes, never panic.
    #[test]
    fn readers_never_panic(bytes in prop::collection::vec(
        prop::sample::select(b"0123456789.,-e \n\tinfNa#x".to_vec()), 0..64)) {
        for format in [
            DistanceFormat::LowerDistance,
            DistanceFormat::Distance,
            DistanceFormat::PointCloud,
            DistanceFormat::Sparse,
        ] {
            if let Ok(d) = read_distances(&bytes[..], format) {
                prop_assert!(d.lower().iter().all(|&x| x >= 0.0));
                let _ = RipsComplex::new(d, &RipsOptions::default());
            }
        }
    }
}

/// Sparse input keeps its neighbour lists (nothing dense is allocated) and enumerates the same
/// simplices as its dense version; the enclosing radius is infinite unless a point sees all.
#[test]
fn sparse_input_is_not_densified() {
    let s = read_sparse("0 1 1\n1 2 2\n0 2 3\n2 3 1\n".as_bytes()).unwrap();
    let sparse = RipsComplex::from_sparse(&s, &RipsOptions::new(2, Some(3.0))).unwrap();
    assert!(sparse.distances().is_none());
    let lists = sparse.neighbours().unwrap();
    assert_eq!(lists.of(2).0, &[0, 1, 3]);
    assert_eq!(lists.distance(3, 2), Some(1.0));
    assert_eq!(lists.distance(0, 3), None);
    assert_eq!(sparse.distance(0, 3), f64::INFINITY);
    let dense = RipsComplex::new(s.to_dense().unwrap(), &RipsOptions::new(2, Some(3.0))).unwrap();
    for dim in 0..=3 {
        assert_eq!(sparse.simplices(dim), dense.simplices(dim), "dim {dim}");
        assert_eq!(sparse.cells(dim), dense.cells(dim));
    }
    // Point 2 is joined to all others, at most 3 away.
    let default = RipsComplex::from_sparse(&s, &RipsOptions::new(1, None)).unwrap();
    assert_eq!(default.threshold(), 3.0);
    let s = read_sparse("0 1 1\n2 3 1\n".as_bytes()).unwrap();
    let apart = RipsComplex::from_sparse(&s, &RipsOptions::new(1, None)).unwrap();
    assert_eq!(apart.threshold(), f64::INFINITY);
    assert_eq!(apart.simplices(1).len(), 2);
}

/// An index beyond 64 bits is an error before anything proportional to the number of points is
/// allocated: a sparse file naming point 4·10⁹ with one pair.
#[test]
fn sparse_index_overflow_is_an_error() {
    let huge = read_sparse("4000000000 0 1".as_bytes()).unwrap();
    let e = RipsComplex::from_sparse(&huge, &RipsOptions::new(1, None)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooLarge { .. }), "{e}");
    // H0 alone fits the indices (C(n, 2) < 2^64) but not the default memory budget.
    let e = RipsComplex::from_sparse(&huge, &RipsOptions::new(0, None)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::OverBudget { .. }), "{e}");
}

/// The count bounds hold (and are exact for vertices, edges and complete complexes), and the
/// estimate refuses over a small budget.
#[test]
fn simplex_count_bounds_and_budget() {
    let d = read_lower_distance(ripser_file("random16.lower_distance_matrix")).unwrap();
    for threshold in [3.0, 6.0, f64::INFINITY] {
        for lists in [false, true] {
            let options = RipsOptions::new(2, Some(threshold)).with_neighbour_lists(Some(lists));
            let rips = RipsComplex::new(d.clone(), &options).unwrap();
            let bounds = rips.simplex_count_bounds();
            assert_eq!(bounds.len(), 4);
            for (dim, &bound) in bounds.iter().enumerate() {
                let count = rips.simplices(dim).len() as u128;
                assert!(count <= bound, "dim {dim}: {count} > {bound}");
                if dim <= 1 || threshold == f64::INFINITY {
                    assert_eq!(count, bound, "dim {dim} at {threshold}");
                }
            }
            assert_eq!(rips.edge_count() as u128, bounds[1]);
        }
    }
    let options = RipsOptions::new(2, None)
        .with_memory_budget(nnph_complex::budget::MemoryBudget::bytes(100));
    let e = RipsComplex::new(d.clone(), &options).unwrap_err();
    assert!(e.to_string().contains("memory budget"), "{e}");
    let rips = RipsComplex::new(d, &RipsOptions::new(2, None)).unwrap();
    let estimate = rips.estimate();
    assert!(estimate.hint.contains("--threshold"));
    assert!(nnph_complex::budget::MemoryBudget::bytes(100).check(&estimate).is_err());
}

/// Square and flat point arrays (the `.npy` layouts) are checked.
#[test]
fn square_and_flat_arrays() {
    let square = [0.0, 1.0, 2.0, 1.0, 0.0, 3.0, 2.0, 3.0, 0.0];
    let d = DistanceMatrix::from_square(3, &square, 1e-6).unwrap();
    assert_eq!(d.lower(), &[1.0, 2.0, 3.0]);
    let is = |r: Result<DistanceMatrix, nnph_complex::Error>, f: fn(&ErrorKind) -> bool| {
        r.is_err_and(|e| f(e.kind()))
    };
    let parse = |k: &ErrorKind| matches!(k, ErrorKind::Parse { .. });
    assert!(is(DistanceMatrix::from_square(2, &square, 0.0), parse));
    assert!(is(DistanceMatrix::from_square(2, &[0.0, 1.0, 1.5, 0.0], 1e-6), parse));
    assert!(is(DistanceMatrix::from_square(2, &[0.5, 1.0, 1.0, 0.0], 1e-6), parse));
    assert!(is(DistanceMatrix::from_square(2, &[0.0, -1.0, -1.0, 0.0], 1e-6), parse));
    let nan = |k: &ErrorKind| matches!(k, ErrorKind::NonFiniteValue { .. });
    assert!(is(DistanceMatrix::from_square(2, &[0.0, f64::NAN, f64::NAN, 0.0], 1e-6), nan));
    let inf = DistanceMatrix::from_square(2, &[0.0, f64::INFINITY, f64::INFINITY, 0.0], 0.0);
    assert_eq!(inf.unwrap().get(0, 1), f64::INFINITY);
    assert!(DistanceMatrix::from_square(0, &[], 0.0).unwrap().is_empty());

    let flat = DistanceMatrix::from_flat_points(3, 2, &[0.0, 0.0, 3.0, 4.0, 0.0, 1.0]).unwrap();
    assert_eq!(flat, read_point_cloud("0 0\n3 4\n0,1\n".as_bytes()).unwrap());
    assert!(is(DistanceMatrix::from_flat_points(3, 2, &[0.0; 5]), parse));
    assert!(is(DistanceMatrix::from_flat_points(1, 2, &[0.0, f64::INFINITY]), nan));
}
