//! The cohomology reducer: same pairing as the standard reduction on random complexes and random
//! Rips complexes (with ties), and Rips barcodes equal to ripser's on Ripser's examples.

use std::path::PathBuf;

use nnph_complex::distances::{
    DistanceFormat, DistanceInput, DistanceMatrix, read_input, read_lower_distance,
};
use nnph_complex::rips::{RipsComplex, RipsOptions};
use nnph_homology::persistence::complex_persistence;
use nnph_homology::reduce::{
    BoundaryMatrix, Cohomology, CohomologyOptions, Par, Reducer, ReducerKind,
    RipsPersistenceOptions, Standard, rips_persistence,
};
use nnph_homology::{Diagram, PersistencePair};
use proptest::prelude::*;

use crate::common::arb_complex;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/ripser").join(name)
}

fn no_clearing() -> Cohomology {
    let mut options = CohomologyOptions::default();
    options.clearing = false;
    Cohomology::new(options)
}

/// A random dissimilarity on up to `max_n` points with small integer values (many ties).
fn arb_distances(max_n: usize) -> impl Strategy<Value = DistanceMatrix> {
    (0..=max_n).prop_flat_map(|n| {
        prop::collection::vec(1u8..6, n * n.saturating_sub(1) / 2).prop_map(move |v| {
            DistanceMatrix::from_lower(n, v.into_iter().map(f64::from).collect()).unwrap()
        })
    })
}

/// Small random point clouds in the plane with integer coordinates (ties in the distances).
fn arb_cloud(max_n: usize) -> impl Strategy<Value = DistanceMatrix> {
    prop::collection::vec(prop::collection::vec(0i8..4, 2), 0..=max_n).prop_map(|points| {
        let points: Vec<Vec<f64>> =
            points.into_iter().map(|p| p.into_iter().map(f64::from).collect()).collect();
        DistanceMatrix::from_points(&points).unwrap()
    })
}

fn check_rips(
    d: DistanceMatrix,
    max_dim: usize,
    threshold: Option<f64>,
) -> Result<(), TestCaseError> {
    let rips = RipsComplex::new(d, &RipsOptions::new(max_dim, threshold)).unwrap();
    let m = BoundaryMatrix::from_complex(&rips, max_dim + 1).unwrap();
    let reference = Standard::default().reduce(&m).unwrap();
    prop_assert_eq!(&Cohomology::default().reduce(&m).unwrap(), &reference);
    prop_assert_eq!(&no_clearing().reduce(&m).unwrap(), &reference);
    let mut a = complex_persistence(&rips, max_dim, &Standard::default()).unwrap();
    let mut b = complex_persistence(&rips, max_dim, &Cohomology::default()).unwrap();
    a.sort();
    b.sort();
    prop_assert_eq!(a, b);
    Ok(())
}

#[test]
fn cohomology_kind() {
    assert_eq!("cohomology".parse::<ReducerKind>().unwrap(), ReducerKind::Cohomology);
    assert_eq!(ReducerKind::Cohomology.reducer().name(), "cohomology");
    assert!(CohomologyOptions::default().clearing);
    // The empty matrix.
    let empty = BoundaryMatrix::try_new(vec![]).unwrap();
    assert_eq!(
        Cohomology::default().reduce(&empty).unwrap(),
        Standard::default().reduce(&empty).unwrap()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// With and without clearing, cohomology pairs the columns as the standard reduction.
    #[test]
    fn cohomology_matches_standard_on_explicit_complexes(complex in arb_complex()) {
        let top = complex.dimension().unwrap_or(0);
        let m = BoundaryMatrix::from_complex(&complex, top).unwrap();
        let reference = Standard::default().reduce(&m).unwrap();
        prop_assert_eq!(&Cohomology::default().reduce(&m).unwrap(), &reference);
        prop_assert_eq!(&no_clearing().reduce(&m).unwrap(), &reference);
    }

    /// Random dissimilarities with integer values, random thresholds, up to H2.
    #[test]
    fn cohomology_matches_standard_on_random_rips(
        d in arb_distances(8),
        threshold in prop::option::of(1u8..6),
        max_dim in 0usize..3,
    ) {
        check_rips(d, max_dim, threshold.map(f64::from))?;
    }

    /// Random point clouds on a small integer grid (Euclidean, many ties), default threshold.
    #[test]
    fn cohomology_matches_standard_on_random_clouds(d in arb_cloud(9)) {
        check_rips(d, 2, None)?;
    }
}

/// Reads `dim birth death` lines (`#` comments) as written by `testdata/ripser/expected.py`.
fn read_barcode(name: &str) -> Vec<(usize, PersistencePair)> {
    let text = std::fs::read_to_string(testdata(name)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let death = if f[2] == "inf" { f64::INFINITY } else { f[2].parse().unwrap() };
            (f[0].parse().unwrap(), PersistencePair::new(f[1].parse().unwrap(), death))
        })
        .collect()
}

/// Equal to ripser's float32 output: within 1e-6 relative (float32 has 6e-8).
fn close(a: f64, b: f64) -> bool {
    a == b || (a.is_finite() && b.is_finite() && (a - b).abs() <= 1e-6 * a.abs().max(b.abs()))
}

/// The diagram equals the expected barcode as a multiset, values to ripser's float32 precision.
/// Each computed pair takes the closest expected pair within the tolerance (dense barcodes have
/// many values closer together than the tolerance allows to tell apart otherwise).
fn assert_same_barcode(diagram: &Diagram, expected: &[(usize, PersistencePair)]) {
    let mut rest: Vec<(usize, PersistencePair)> = expected.to_vec();
    let gap = |a: f64, b: f64| if a == b { 0.0 } else { (a - b).abs() };
    for (q, pairs) in diagram.dims().iter().enumerate() {
        for p in pairs {
            let found = rest
                .iter()
                .enumerate()
                .filter(|(_, (r, e))| *r == q && close(e.birth, p.birth) && close(e.death, p.death))
                .min_by(|(_, (_, a)), (_, (_, b))| {
                    let ga = gap(a.birth, p.birth).max(gap(a.death, p.death));
                    let gb = gap(b.birth, p.birth).max(gap(b.death, p.death));
                    ga.total_cmp(&gb)
                })
                .map(|(k, _)| k);
            match found {
                Some(k) => {
                    rest.swap_remove(k);
                }
                None => panic!("dim {q}: {p:?} is not in the expected barcode"),
            }
        }
    }
    assert!(rest.is_empty(), "expected but not computed: {rest:?}");
}

fn ripser_case(name: &str, barcode: &str) {
    let file = std::fs::File::open(testdata(&format!("{name}.lower_distance_matrix"))).unwrap();
    let d = read_lower_distance(file).unwrap();
    let rips = RipsComplex::new(d, &RipsOptions::new(2, None)).unwrap();
    let expected = read_barcode(barcode);
    for reducer in [&Standard::default() as &dyn Reducer, &Cohomology::default()] {
        let diagram = complex_persistence(&rips, 2, reducer).unwrap();
        assert_eq!(diagram.dim_count(), 3);
        assert_same_barcode(&diagram, &expected);
    }
}

/// RP² triangulated on 13 points: over Z/2, H1 and H2 each have one bar [1, 2).
#[test]
fn projective_plane_over_z2_matches_ripser() {
    ripser_case("projective_plane", "projective_plane.coeff2.barcode");
}

#[test]
fn random16_matches_ripser() {
    ripser_case("random16", "random16.coeff2.barcode");
}

/// 192 points on S³, H≤2: the 3-simplices below the enclosing radius are too many for the
/// reference reduction on `Cell` lists in the test profile. Run with `--ignored` (release).
#[test]
#[ignore = "slow: millions of 3-simplices through the explicit boundary matrix"]
fn sphere_3_192_matches_ripser() {
    ripser_case("sphere_3_192", "sphere_3_192.coeff2.barcode");
}

/// Thread pools of 1 to 4 threads, built once.
fn pools() -> &'static [rayon::ThreadPool] {
    static POOLS: std::sync::OnceLock<Vec<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOLS.get_or_init(|| {
        (1..=4).map(|t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap()).collect()
    })
}

/// The implicit Rips engine over Z/2 gives the diagram of the explicit boundary matrix with
/// every combination of its shortcuts and of heap or sorted-run columns (`runs_from = 0` puts
/// every column that cancels much in runs), dense or with neighbour lists, sequentially and on
/// 1 to 4 threads.
fn check_implicit(
    d: DistanceMatrix,
    max_dim: usize,
    threshold: Option<f64>,
) -> Result<(), TestCaseError> {
    let rips = RipsComplex::new(d.clone(), &RipsOptions::new(max_dim, threshold)).unwrap();
    let mut reference = complex_persistence(&rips, max_dim, &Standard::default()).unwrap();
    reference.sort();
    for lists in [false, true] {
        let options = RipsOptions::new(max_dim, threshold).with_neighbour_lists(Some(lists));
        let rips = RipsComplex::new(d.clone(), &options).unwrap();
        for variant in 0..16 {
            let mut options = RipsPersistenceOptions::new(2).with_par(Par::Seq);
            options.clearing = variant & 1 == 0;
            options.apparent_pairs = variant & 2 == 0;
            options.emergent_pairs = variant & 4 == 0;
            if variant & 8 != 0 {
                options.runs_from = 0;
            }
            let implicit = rips_persistence(&rips, &options).unwrap();
            prop_assert_eq!(&implicit, &reference, "lists {} variant {}", lists, variant);
        }
        for pool in pools() {
            for runs_from in [0, usize::MAX] {
                let mut options = RipsPersistenceOptions::new(2).with_par(Par::Rayon);
                options.runs_from = runs_from;
                let implicit = pool.install(|| rips_persistence(&rips, &options)).unwrap();
                prop_assert_eq!(&implicit, &reference, "{} threads", pool.current_num_threads());
            }
        }
    }
    // Over Z/3 and Z/65521 the Betti numbers of these small complexes may differ from Z/2 only
    // through torsion; the number of H0 bars never does.
    // Heap and sorted-run columns agree over Z/p too.
    for p in [3, 65521] {
        let implicit = rips_persistence(&rips, &RipsPersistenceOptions::new(p)).unwrap();
        prop_assert_eq!(implicit.dim(0), reference.dim(0));
        for runs_from in [0, usize::MAX] {
            let mut options = RipsPersistenceOptions::new(p);
            options.runs_from = runs_from;
            prop_assert_eq!(&rips_persistence(&rips, &options).unwrap(), &implicit, "Z/{}", p);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn implicit_rips_matches_standard(
        d in arb_distances(8),
        threshold in prop::option::of(1u8..6),
        max_dim in 0usize..3,
    ) {
        check_implicit(d, max_dim, threshold.map(f64::from))?;
    }

    #[test]
    fn implicit_rips_matches_standard_on_clouds(d in arb_cloud(9)) {
        check_implicit(d, 2, None)?;
    }
}

#[test]
fn invalid_moduli() {
    let d = DistanceMatrix::from_lower(2, vec![1.0]).unwrap();
    let rips = RipsComplex::new(d, &RipsOptions::default()).unwrap();
    for p in [0, 1, 4, 65535] {
        let e = rips_persistence(&rips, &RipsPersistenceOptions::new(p)).unwrap_err();
        assert!(matches!(e.kind(), nnph_homology::ErrorKind::InvalidOption { .. }), "{p}: {e}");
    }
    let m = BoundaryMatrix::from_complex(&rips, 1).unwrap();
    assert!(Cohomology::new(CohomologyOptions::new(true, 3)).reduce(&m).is_err());
}

fn implicit_case(name: &str, barcode: &str, modulus: u16) {
    let file = std::fs::File::open(testdata(&format!("{name}.lower_distance_matrix"))).unwrap();
    let d = read_lower_distance(file).unwrap();
    let rips = RipsComplex::new(d, &RipsOptions::new(2, None)).unwrap();
    let diagram = rips_persistence(&rips, &RipsPersistenceOptions::new(modulus)).unwrap();
    assert_same_barcode(&diagram, &read_barcode(barcode));
}

/// RP² over Z/3 is acyclic: only H0 remains (ripser with coeff=3).
#[test]
fn implicit_projective_plane_over_z2_and_z3() {
    implicit_case("projective_plane", "projective_plane.coeff2.barcode", 2);
    implicit_case("projective_plane", "projective_plane.coeff3.barcode", 3);
}

#[test]
fn implicit_random16() {
    implicit_case("random16", "random16.coeff2.barcode", 2);
}

#[test]
fn implicit_sphere_3_192() {
    implicit_case("sphere_3_192", "sphere_3_192.coeff2.barcode", 2);
}

/// Ripser's tiny tie-breaking and degenerate-order examples: every route gives ripser's barcode.
#[test]
fn ripser_small_examples() {
    for name in [
        "almostlinear4",
        "almostlinear4a",
        "almostlinear4b",
        "almostlinear4c",
        "linear5",
        "test",
        "test2",
    ] {
        let barcode = format!("{name}.coeff2.barcode");
        ripser_case(name, &barcode);
        implicit_case(name, &barcode, 2);
        implicit_case(name, &barcode, 3); // no torsion in these
    }
}

/// 1024 random O(3) matrices in R^9, H≤3 below 1.8 (Ripser's benchmark run): two components,
/// each RP³, so Betti numbers 2, 2, 2, 2 over Z/2. Point-cloud input, Euclidean distances.
#[test]
fn implicit_o3_1024() {
    let file = std::fs::File::open(testdata("o3_1024.txt")).unwrap();
    let d = nnph_complex::distances::read_point_cloud(file).unwrap();
    let rips = RipsComplex::new(d, &RipsOptions::new(3, Some(1.8))).unwrap();
    let diagram = rips_persistence(&rips, &RipsPersistenceOptions::default()).unwrap();
    assert_eq!(diagram.betti_numbers(), [2, 2, 2, 2]);
    assert_same_barcode(&diagram, &read_barcode("o3_1024.coeff2.barcode"));
}

/// Reads `name` in `format`, computes H≤`max_dim` at the default threshold with the implicit
/// engine (sequentially and on rayon's pool; dense and with neighbour lists) and checks ripser's
/// barcode.
fn standard_case(name: &str, format: DistanceFormat, max_dim: usize) {
    let input = read_input(std::fs::File::open(testdata(name)).unwrap(), format).unwrap();
    standard_input(name, input, max_dim);
}

fn standard_input(name: &str, input: DistanceInput, max_dim: usize) {
    standard_runs(name, input, max_dim, &[None, Some(true)], &[Par::Seq, Par::Rayon]);
}

fn standard_runs(
    name: &str,
    input: DistanceInput,
    max_dim: usize,
    neighbour_lists: &[Option<bool>],
    pars: &[Par],
) {
    let stem = name.split('.').next().unwrap();
    let expected = read_barcode(&format!("{stem}.coeff2.barcode"));
    for &lists in neighbour_lists {
        let options = RipsOptions::new(max_dim, None).with_neighbour_lists(lists);
        let rips = RipsComplex::from_input(input.clone(), &options).unwrap();
        for &par in pars {
            let options = RipsPersistenceOptions::new(2).with_par(par);
            let diagram = rips_persistence(&rips, &options).unwrap();
            assert_eq!(diagram.dim_count(), max_dim + 1);
            assert_same_barcode(&diagram, &expected);
        }
    }
}

/// 50 uniform points in R^16 (the papers' "random16"), H≤4.
#[test]
fn implicit_random50_16() {
    standard_case("random50_16.txt", DistanceFormat::PointCloud, 4);
}

/// C. elegans shortest-path distances (297 points), H≤2.
#[test]
fn implicit_celegans() {
    standard_case("celegans.distance_matrix", DistanceFormat::Distance, 2);
}

/// A Vicsek-model snapshot (300 particles), H≤2.
#[test]
fn implicit_vicsek300() {
    standard_case("vicsek300.distance_matrix", DistanceFormat::Distance, 2);
}

/// 2000 points of the Stanford dragon, H≤1 (Ripser's benchmark run): the default options
/// (dense, rayon's pool) here; every combination in the ignored test below.
#[test]
fn implicit_dragon2000() {
    let name = "dragon2000.txt";
    let input =
        read_input(std::fs::File::open(testdata(name)).unwrap(), DistanceFormat::PointCloud);
    standard_runs(name, input.unwrap(), 1, &[None], &[Par::Rayon]);
}

#[test]
#[ignore = "slow: about 25 s in the test profile"]
fn implicit_dragon2000_all_routes() {
    standard_case("dragon2000.txt", DistanceFormat::PointCloud, 1);
}

/// The 512-node fractal network (the papers' "fractal"), H≤2: millions of triangles, four
/// runs. Run with `--ignored`.
#[test]
#[ignore = "slow: about 15 s in the test profile"]
fn implicit_fractal_r() {
    // The file is symmetric only to its printed precision (1e-5); ripser.py, which made the
    // expected barcode, reads the upper triangle (Ripser's `distance` format the lower one).
    let name = "fractal_r.distance_matrix";
    let text = std::fs::read_to_string(testdata(name)).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(|t| t.parse().unwrap()).collect())
        .collect();
    let n = rows.len();
    let transposed: Vec<f64> = (0..n * n).map(|k| rows[k % n][k / n]).collect();
    let d = DistanceMatrix::from_square(n, &transposed, 1e-3).unwrap();
    standard_input(name, DistanceInput::Dense(d), 2);
}

/// Random sparse triplets (absent pairs at infinity): the engine on neighbour lists alone gives
/// the diagram of the dense matrix with infinite entries, and of the standard reduction.
fn check_sparse(text: String, max_dim: usize, threshold: Option<f64>) -> Result<(), TestCaseError> {
    let sparse = nnph_complex::distances::read_sparse(text.as_bytes()).unwrap();
    let options = RipsOptions::new(max_dim, threshold);
    let from_sparse = RipsComplex::from_sparse(&sparse, &options).unwrap();
    prop_assert!(from_sparse.distances().is_none());
    let dense = RipsComplex::new(sparse.to_dense().unwrap(), &options).unwrap();
    prop_assert_eq!(from_sparse.threshold(), dense.threshold());
    let mut reference = complex_persistence(&dense, max_dim, &Standard::default()).unwrap();
    reference.sort();
    for par in [Par::Seq, Par::Rayon] {
        let options = RipsPersistenceOptions::new(2).with_par(par);
        prop_assert_eq!(&rips_persistence(&from_sparse, &options).unwrap(), &reference);
        prop_assert_eq!(&rips_persistence(&dense, &options).unwrap(), &reference);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn sparse_rips_matches_dense(
        pairs in prop::collection::vec((0u32..9, 0u32..9, 1u8..6), 0..30),
        threshold in prop::option::of(1u8..6),
        max_dim in 0usize..3,
    ) {
        let text: String = pairs
            .iter()
            .filter(|(i, j, _)| i != j)
            .map(|(i, j, d)| format!("{i} {j} {d}\n"))
            .collect();
        check_sparse(text, max_dim, threshold.map(f64::from))?;
    }
}

/// Indices beyond the 48 bits of packed heap entries (C(200000, 3) > 2^48): over Z/3 the engine
/// takes 24-byte entries and gives the same loop as on a small relabelled copy; past 64 bits it
/// is an error, never wrong output.
#[test]
fn wide_indices_beyond_packed_entries() {
    let square = |base: u32| -> String {
        let v = |k: u32| base + k;
        format!(
            "{} {} 1\n{} {} 1\n{} {} 1\n{} {} 1\n{} {} 2\n{} {} 2\n",
            v(0),
            v(1),
            v(1),
            v(2),
            v(2),
            v(3),
            v(3),
            v(0),
            v(0),
            v(2),
            v(1),
            v(3)
        )
    };
    let run = |text: String| {
        let sparse = nnph_complex::distances::read_sparse(text.as_bytes()).unwrap();
        let rips = RipsComplex::from_sparse(&sparse, &RipsOptions::new(1, Some(2.0))).unwrap();
        rips_persistence(&rips, &RipsPersistenceOptions::new(3)).unwrap()
    };
    let far = run(square(199_996));
    let near = run(square(0));
    assert!(far.dim(0).iter().filter(|p| p.is_essential()).count() == 199_997);
    assert_eq!(far.dim(1), near.dim(1));
    assert_eq!(near.dim(1), &[PersistencePair::new(1.0, 2.0)]);
    // C(4·10⁹, 3) overflows u64.
    let huge = nnph_complex::distances::read_sparse("3999999999 0 1\n".as_bytes()).unwrap();
    let e = RipsComplex::from_sparse(&huge, &RipsOptions::new(1, None)).unwrap_err();
    assert!(matches!(e.kind(), nnph_complex::ErrorKind::TooLarge { .. }), "{e}");
}
