//! `PersistenceOptions` and the shortcut policy.

use nnph_homology::persistence::{PersistenceOptions, Shortcut, flag_persistence};
use nnph_homology::reduce::ReducerKind;
use nnph_homology::{Error, ErrorKind};

use crate::common::{graph, read_flagser};

fn opts(max_dim: usize, shortcut: Shortcut) -> PersistenceOptions {
    let mut o = PersistenceOptions::default();
    o.max_dim = max_dim;
    o.shortcut = shortcut;
    o
}

#[test]
fn defaults() {
    let o = PersistenceOptions::default();
    assert_eq!(
        (o.max_dim, o.directed, o.shortcut, o.reducer),
        (3, true, Shortcut::Auto, ReducerKind::Standard)
    );
}

#[test]
fn always_refuses_complexes_with_2_cells() {
    let d3 = read_flagser("d3");
    let e = flag_persistence(&d3, &opts(2, Shortcut::Always)).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::ShortcutNotExact));
    assert!(e.to_string().contains("2-cells"), "{e}");
    // H0 alone is always exact.
    let h0 = flag_persistence(&d3, &opts(0, Shortcut::Always)).unwrap();
    assert_eq!(h0, flag_persistence(&d3, &opts(0, Shortcut::Never)).unwrap());
    assert_eq!(h0.dim_count(), 1);
    // A directed 3-cycle has a triangle but no directed 2-simplex.
    let cycle = graph(3, &[(0, 1, 1.0), (1, 2, 2.0), (2, 0, 3.0)]);
    assert!(flag_persistence(&cycle, &opts(3, Shortcut::Always)).is_ok());
    let mut undirected = opts(3, Shortcut::Always);
    undirected.directed = false;
    assert!(flag_persistence(&cycle, &undirected).is_err());
}

#[test]
fn undirected_triangle_kills_the_cycle() {
    let cycle = graph(3, &[(0, 1, 1.0), (1, 2, 2.0), (2, 0, 3.0)]);
    let mut o = opts(1, Shortcut::Auto);
    o.directed = false;
    let d = flag_persistence(&cycle, &o).unwrap();
    // The triangle enters with its last edge: the cycle is born and dies at 3.
    assert!(d.dim(1).is_empty());
    o.directed = true;
    let d = flag_persistence(&cycle, &o).unwrap();
    assert_eq!(d.dim(1).len(), 1);
}

#[test]
fn shortcut_names() {
    for s in [Shortcut::Auto, Shortcut::Always, Shortcut::Never] {
        assert_eq!(s.to_string().parse::<Shortcut>().unwrap(), s);
    }
    let e = "sometimes".parse::<Shortcut>().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownName { .. }));
}

#[test]
fn complex_errors_convert() {
    let inner = nnph_complex::FilteredGraph::try_new(vec![f64::NAN], vec![]).unwrap_err();
    let e: Error = inner.into();
    assert!(matches!(e.kind(), ErrorKind::Complex(_)));
    assert!(std::error::Error::source(&e).is_some());
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
}
