//! giotto-tda's post-processing of flagser output.

use nnph_homology::persistence::{PersistenceOptions, flag_persistence};
use nnph_homology::{Diagram, PersistencePair, giotto_reduced};

use crate::common::graph;

const INF: f64 = f64::INFINITY;

fn pair(b: f64, d: f64) -> PersistencePair {
    PersistencePair::new(b, d)
}

#[test]
fn drops_the_last_h0_pair_and_trivial_pairs() {
    let d = Diagram::from_dims(vec![
        vec![pair(0.0, 0.0), pair(0.0, 0.3), pair(0.1, 0.1), pair(0.0, INF), pair(0.2, INF)],
        vec![pair(0.5, INF), pair(0.4, 0.4), pair(0.6, 0.3), pair(0.3, 0.9)],
        vec![],
        vec![pair(1.0, 1.0)],
    ]);
    let r = giotto_reduced(&d);
    assert_eq!(r.dim_count(), 4);
    assert_eq!(r.dim(0), &[pair(0.0, 0.3), pair(0.0, INF)]);
    assert_eq!(r.dim(1), &[pair(0.5, INF), pair(0.3, 0.9)]);
    assert!(r.dim(2).is_empty() && r.dim(3).is_empty());
    // Empty diagrams stay empty.
    assert_eq!(giotto_reduced(&Diagram::empty(4)), Diagram::empty(4));
    assert_eq!(giotto_reduced(&Diagram::empty(0)), Diagram::empty(0));
}

#[test]
fn on_a_disconnected_graph_drops_the_youngest_component() {
    // Components {0, 1} (oldest vertex 0) and {2, 3} (oldest vertex 2); isolated vertex 4.
    let g = graph(5, &[(0, 1, 0.5), (2, 3, 0.25)]);
    let d = flag_persistence(&g, &PersistenceOptions::default()).unwrap();
    assert_eq!(
        d.dim(0),
        &[pair(0.0, 0.25), pair(0.0, 0.5), pair(0.0, INF), pair(0.0, INF), pair(0.0, INF)]
    );
    let r = giotto_reduced(&d);
    assert_eq!(r.dim(0).len(), 4);
    assert_eq!(r.dim(0).iter().filter(|p| p.is_essential()).count(), 2);
}
