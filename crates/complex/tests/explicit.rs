//! Explicit complexes: validation and listing.

use nnph_complex::{Cell, ErrorKind, ExplicitComplex, FilteredComplex};

fn triangle() -> Vec<(Vec<u32>, f64)> {
    vec![
        (vec![2, 1, 0], 3.0),
        (vec![0], 0.0),
        (vec![1], 0.0),
        (vec![2], 1.0),
        (vec![1, 0], 1.0),
        (vec![1, 2], 1.0),
        (vec![0, 2], 2.0),
    ]
}

#[test]
fn lists_sorted_simplices() {
    let c = ExplicitComplex::try_new(triangle()).unwrap();
    assert_eq!(c.dimension(), Some(2));
    assert_eq!(c.len(), 7);
    assert_eq!(c.cell_counts(), [3, 3, 1]);
    assert_eq!(
        c.simplices(1),
        &[Cell::new(vec![0, 1], 1.0), Cell::new(vec![0, 2], 2.0), Cell::new(vec![1, 2], 1.0)]
    );
    assert_eq!(c.simplices(2), &[Cell::new(vec![0, 1, 2], 3.0)]);
    assert!(c.simplices(3).is_empty());
    assert_eq!(FilteredComplex::cells(&c, 0).len(), 3);
    assert_eq!(c.value_of(&[2, 0]), Some(2.0));
    assert_eq!(c.value_of(&[3]), None);
    let empty = ExplicitComplex::try_new(Vec::new()).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.dimension(), None);
}

#[test]
fn rejects_invalid_complexes() {
    let kind = |simplices: Vec<(Vec<u32>, f64)>| ExplicitComplex::try_new(simplices).unwrap_err();

    let e = kind(vec![(vec![], 0.0)]);
    assert!(matches!(e.kind(), ErrorKind::InvalidSimplex { simplex: 0, .. }), "{e}");
    let e = kind(vec![(vec![0], 0.0), (vec![0, 0], 0.0)]);
    assert!(matches!(e.kind(), ErrorKind::InvalidSimplex { simplex: 1, .. }), "{e}");
    let e = kind(vec![(vec![0], f64::NAN)]);
    assert!(matches!(e.kind(), ErrorKind::InvalidSimplex { simplex: 0, .. }), "{e}");
    let e = kind(vec![(vec![0], 0.0), (vec![0], 1.0)]);
    assert!(matches!(e.kind(), ErrorKind::InvalidSimplex { simplex: 1, .. }), "{e}");

    let mut missing = triangle();
    missing.remove(6); // the edge {0, 2}
    let e = kind(missing);
    match e.kind() {
        ErrorKind::MissingFace { simplex: 0, face } => assert_eq!(face, &[0, 2]),
        other => panic!("{other:?}"),
    }

    let mut late_face = triangle();
    late_face[6].1 = 4.0; // the edge {0, 2} after the triangle
    let e = kind(late_face);
    match e.kind() {
        ErrorKind::NonMonotone { simplex: 0, value, face, face_value } => {
            assert_eq!((*value, face.as_slice(), *face_value), (3.0, &[0, 2][..], 4.0));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("below the value"), "{e}");

    let mut vertex_late = triangle();
    vertex_late[3].1 = 1.5; // vertex 2 after the edge {1, 2}
    let e = kind(vertex_late);
    assert!(matches!(e.kind(), ErrorKind::NonMonotone { simplex: 5, .. }), "{e}");
}
