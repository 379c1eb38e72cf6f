//! The streamed shared-grid path ([`SharedGridPlan`]) against the in-memory
//! [`pairwise`]: bit for bit, for every thread count, and its errors.

use nnph_distance::{
    DiagramBatch, DiagramSource, Error, ErrorKind, GridMode, ImageWeight, Metric, MetricOptions,
    Par, SharedGridPlan, StreamOptions, pairwise,
};
use nnph_homology::{Diagram, PersistencePair as P};
use proptest::prelude::*;

fn point() -> impl Strategy<Value = P> {
    prop_oneof![
        4 => (-0.5f64..1.5, 0.0f64..1.0).prop_map(|(b, l)| P::new(b, b + l)),
        // Lattice points (ties, pixel edges) and trivial points.
        2 => (0i32..16, 0i32..16).prop_map(|(b, l)| P::new(f64::from(b) / 8.0, f64::from(b + l) / 8.0)),
        1 => (-0.5f64..0.9).prop_map(|b| P::new(b, f64::INFINITY)),
    ]
}

fn diagrams() -> impl Strategy<Value = Vec<Diagram>> {
    // 1 to 3 dimensions per diagram, some empty: the batch's dimension count
    // comes from the highest dimension with a point.
    prop::collection::vec(prop::collection::vec(prop::collection::vec(point(), 0..20), 1..4), 1..6)
        .prop_map(|ds| ds.into_iter().map(Diagram::from_dims).collect())
}

fn metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        (0.05f64..0.5).prop_map(|sigma| Metric::Heat { sigma }),
        (0.05f64..0.5).prop_map(|sigma| Metric::HeatDensity { sigma }),
        prop_oneof![Just(1.0), Just(2.0), Just(9.0)].prop_map(|power| Metric::Silhouette { power }),
        (1usize..4).prop_map(|n_layers| Metric::Landscape { n_layers }),
        Just(Metric::Betti),
        ((0.05f64..0.5), prop_oneof![Just(ImageWeight::Ones), Just(ImageWeight::Linear)])
            .prop_map(|(sigma, weight)| Metric::PersistenceImage { sigma, weight }),
    ]
}

/// The batch `nnph compare` builds in memory: giotto filtering over the
/// diagrams' dimensions, then the cap.
fn in_memory(ds: &[Diagram], prep: StreamOptions) -> Result<DiagramBatch, Error> {
    let dims = prep
        .dim_count
        .unwrap_or_else(|| {
            ds.iter()
                .map(|d| d.dims().iter().rposition(|v| !v.is_empty()).map_or(0, |q| q + 1))
                .max()
                .unwrap_or(0)
        })
        .max(1);
    let mut batch = DiagramBatch::giotto_filtered(ds, dims, prep.epsilon)?;
    if let Some(v) = prep.infinity {
        batch.cap_infinity(v)?;
    }
    Ok(batch)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Streamed and in-memory matrices are bit-identical (values and
    /// per-dimension parts), for both shared grid modes, and the streamed one
    /// does not depend on the thread count.
    #[test]
    fn streamed_equals_in_memory(
        ds in diagrams(),
        m in metric(),
        joint in any::<bool>(),
        n_bins in 2usize..40,
        epsilon in prop_oneof![Just(0.01), Just(-1.0), Just(0.2)],
        cap in prop_oneof![Just(Some(1.0)), Just(Some(2.0)), Just(None)],
        dim_count in prop_oneof![Just(None), Just(Some(1)), Just(Some(2))],
        // Nothing, some or every diagram kept between the passes.
        retain_bytes in prop_oneof![Just(0usize), Just(200), Just(usize::MAX)],
    ) {
        let grid = if joint { GridMode::GiottoJoint } else { GridMode::Fixed { lo: -0.5, hi: 2.0 } };
        let opts = MetricOptions::new(m).with_n_bins(n_bins).with_grid(grid);
        let prep = StreamOptions { epsilon, infinity: cap, dim_count, retain_bytes };
        let want = in_memory(&ds, prep).and_then(|b| pairwise(&b, &opts, Par::Seq));
        let got = SharedGridPlan::scan(&ds[..], prep, &opts, Par::Seq)
            .and_then(|plan| plan.pairwise(&ds[..], Par::Seq, None));
        match (want, got) {
            (Ok(want), Ok(got)) => {
                prop_assert_eq!(got.n, want.n);
                prop_assert_eq!(got.dim_count, want.dim_count);
                prop_assert_eq!(bits(&got.values), bits(&want.values));
                prop_assert_eq!(bits(&got.per_dim), bits(&want.per_dim));
                #[cfg(feature = "rayon")]
                for threads in [1, 2, 3] {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    let par = pool.install(|| {
                        SharedGridPlan::scan(&ds[..], prep, &opts, Par::Rayon)
                            .and_then(|plan| plan.pairwise(&ds[..], Par::Rayon, None))
                    }).unwrap();
                    prop_assert_eq!(bits(&par.values), bits(&want.values));
                    prop_assert_eq!(bits(&par.per_dim), bits(&want.per_dim));
                }
            }
            // Both refuse (the kinds agree; which point is named may differ
            // when a batch has several invalid points).
            (Err(a), Err(b)) => prop_assert_eq!(
                std::mem::discriminant(a.kind()),
                std::mem::discriminant(b.kind()),
                "{} vs {}", a, b
            ),
            (a, b) => prop_assert!(false, "in memory {:?}, streamed {:?}", a.map(|_| ()), b.map(|_| ())),
        }
    }
}

/// A source whose diagrams change between the two passes.
struct Flaky {
    diagrams: Vec<Diagram>,
    visits: std::sync::atomic::AtomicUsize,
}

impl DiagramSource for Flaky {
    type Error = Error;

    fn len(&self) -> usize {
        self.diagrams.len()
    }

    fn visit<F: FnMut(usize, P)>(&self, i: usize, mut sink: F) -> Result<(), Error> {
        let k = self.visits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for (q, v) in self.diagrams[i].dims().iter().enumerate() {
            for p in v {
                sink(q, *p);
            }
        }
        if k >= self.diagrams.len() && i == 1 {
            sink(0, P::new(0.0, 3.0));
        }
        Ok(())
    }
}

#[test]
fn a_source_that_changes_between_passes_is_an_error() {
    let d = Diagram::from_dims(vec![vec![P::new(0.0, 0.5)]]);
    let flaky = Flaky { diagrams: vec![d.clone(), d.clone(), d], visits: 0.into() };
    let opts = MetricOptions::paper(Metric::HEAT).with_grid(GridMode::GiottoJoint);
    // Points kept by the first pass are not read again: keep none.
    let prep = StreamOptions { retain_bytes: 0, ..StreamOptions::giotto(0.01, 1.0) };
    let plan = SharedGridPlan::scan(&flaky, prep, &opts, Par::Seq).unwrap();
    assert_eq!(plan.retained(), 0);
    let err = plan.pairwise(&flaky, Par::Seq, None).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::SourceChanged { diagram: 1 });
    assert!(err.to_string().contains("diagram 1 was read differently"), "{err}");
}

/// Kept points are used once: a second `pairwise` reads the source again,
/// with the same result.
#[test]
fn kept_points_are_read_once_then_the_source_again() {
    let ds: Vec<Diagram> = (0..4)
        .map(|k| Diagram::from_dims(vec![vec![P::new(0.0, 0.2 + 0.1 * f64::from(k))]]))
        .collect();
    let opts = MetricOptions::paper(Metric::HEAT).with_grid(GridMode::GiottoJoint);
    // Room for two diagrams (16 bytes a point, 24 a dimension).
    let prep = StreamOptions { retain_bytes: 80, ..StreamOptions::giotto(0.01, 1.0) };
    let plan = SharedGridPlan::scan(&ds[..], prep, &opts, Par::Seq).unwrap();
    assert_eq!(plan.retained(), 2);
    let first = plan.pairwise(&ds[..], Par::Seq, None).unwrap();
    assert_eq!(plan.retained(), 0);
    assert_eq!(plan.pairwise(&ds[..], Par::Seq, None).unwrap(), first);
}

#[test]
fn streaming_needs_a_shared_grid_and_a_grid_metric() {
    let d = vec![Diagram::from_dims(vec![vec![P::new(0.0, 0.5)]]); 2];
    let prep = StreamOptions::giotto(0.01, 1.0);
    for opts in [
        MetricOptions::paper(Metric::HEAT),
        MetricOptions::paper(Metric::Bottleneck { delta: 0.0 }).with_grid(GridMode::GiottoJoint),
    ] {
        let err = SharedGridPlan::scan(&d[..], prep, &opts, Par::Seq).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidOption { .. }), "{err}");
    }
    let opts = MetricOptions::paper(Metric::HEAT).with_grid(GridMode::GiottoJoint);
    let empty: Vec<Diagram> = Vec::new();
    let err = SharedGridPlan::scan(&empty[..], prep, &opts, Par::Seq).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::EmptyBatch);
    let err =
        SharedGridPlan::scan(&d[..], StreamOptions { dim_count: Some(0), ..prep }, &opts, Par::Seq)
            .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::NoDimensions);
    // A dimension beyond the streaming limit.
    let far = [Diagram::from_dims({
        let mut v = vec![Vec::new(); nnph_distance::MAX_STREAM_DIMS + 1];
        v[nnph_distance::MAX_STREAM_DIMS].push(P::new(0.0, 0.5));
        v
    })];
    let err = SharedGridPlan::scan(&far[..], prep, &opts, Par::Seq).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::DimensionMismatch { .. }), "{err}");
}

/// The first failing diagram's error, whatever the thread count.
#[cfg(feature = "rayon")]
#[test]
fn the_first_invalid_diagram_is_reported() {
    let good = Diagram::from_dims(vec![vec![P::new(0.0, 0.5)]]);
    let bad = |b: f64| Diagram::from_dims(vec![vec![P::new(b, f64::INFINITY)]]);
    let ds = [good.clone(), good.clone(), bad(3.0), good, bad(4.0)];
    let opts = MetricOptions::paper(Metric::HEAT).with_grid(GridMode::GiottoJoint);
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let err = pool
            .install(|| {
                SharedGridPlan::scan(&ds[..], StreamOptions::giotto(0.01, 1.0), &opts, Par::Rayon)
            })
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidPoint { diagram: 2, dim: 0, .. }),
            "{threads} threads: {err}"
        );
    }
}
