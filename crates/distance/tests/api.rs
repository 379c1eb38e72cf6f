//! API behaviour: construction, padding, errors, parsing, options.

use std::sync::Mutex;

use nnph_distance::{
    DiagramBatch, ErrorKind, Grid, GridMode, ImageWeight, Metric, MetricOptions, Par, distance,
    pairwise, pairwise_with_progress, silhouette,
};
use nnph_homology::{Diagram, PersistencePair as P};

const INF: f64 = f64::INFINITY;

fn d2(h0: Vec<P>, h1: Vec<P>) -> Diagram {
    Diagram::from_dims(vec![h0, h1])
}

#[test]
fn filtering_pads_like_giotto() {
    let a = d2(vec![P::new(0.0, 0.5), P::new(0.0, 0.01)], vec![P::new(0.4, INF)]);
    let b = d2(vec![P::new(0.0, 0.02), P::new(0.1, 0.3), P::new(0.0, 0.6)], vec![]);
    // Dimension 2 has nothing that survives anywhere; dimension 3 is absent.
    let mut a3 = a.clone();
    a3.dim_mut(2).push(P::new(0.2, 0.205));
    let batch = DiagramBatch::giotto_filtered(&[a3, b], 4, 0.01).unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(batch.dim_count(), 4);
    assert_eq!(batch.points(0, 0), &[P::new(0.0, 0.5)]); // lifetime 0.01 is not > 0.01
    assert_eq!(batch.padded_len(0), 3);
    assert_eq!(batch.pad_value(0), Some(0.0));
    assert_eq!(batch.padded_len(1), 1);
    assert_eq!(batch.pad_value(1), Some(0.4));
    for q in [2, 3] {
        assert!(batch.points(0, q).is_empty());
        assert_eq!(batch.padded_len(q), 1);
        assert_eq!(batch.pad_value(q), Some(0.0));
    }
    assert_eq!(batch.essential_count(), 1);
    assert!(batch.is_padded());
}

#[test]
fn essential_points_must_be_capped() {
    let a = d2(vec![P::new(0.0, 0.5)], vec![P::new(0.4, INF)]);
    let b = d2(vec![P::new(0.0, 0.6)], vec![P::new(0.3, INF)]);
    let mut batch = DiagramBatch::giotto_filtered(&[a, b], 2, 0.01).unwrap();
    let opts = MetricOptions::paper(Metric::SILHOUETTE);
    let err = pairwise(&batch, &opts, Par::Seq).unwrap_err();
    assert_eq!(*err.kind(), ErrorKind::EssentialPoint { diagram: 0, dim: 1 });
    assert!(err.to_string().contains("cap_infinity"));
    // A cap below an essential birth is refused and changes nothing.
    let before = batch.clone();
    assert!(matches!(batch.cap_infinity(0.35).unwrap_err().kind(), ErrorKind::InvalidPoint { .. }));
    assert_eq!(batch, before);
    assert!(matches!(batch.cap_infinity(INF).unwrap_err().kind(), ErrorKind::InvalidOption { .. }));
    batch.cap_infinity(1.0).unwrap();
    assert_eq!(batch.essential_count(), 0);
    assert_eq!(batch.points(1, 1), &[P::new(0.3, 1.0)]);
    assert_eq!(batch.pad_value(1), Some(0.3));
    assert!(pairwise(&batch, &opts, Par::Seq).unwrap().get(0, 1) > 0.0);
}

#[test]
fn invalid_batches() {
    let kind = |r: Result<DiagramBatch, nnph_distance::Error>| r.unwrap_err().kind().clone();
    assert_eq!(kind(DiagramBatch::giotto_filtered(&[], 2, 0.01)), ErrorKind::EmptyBatch);
    assert_eq!(kind(DiagramBatch::from_diagrams_unpadded(vec![], 2)), ErrorKind::EmptyBatch);
    let ok = d2(vec![P::new(0.0, 1.0)], vec![]);
    assert_eq!(
        kind(DiagramBatch::giotto_filtered(std::slice::from_ref(&ok), 0, 0.01)),
        ErrorKind::NoDimensions
    );
    let nan = d2(vec![P::new(0.0, f64::NAN)], vec![]);
    assert!(matches!(
        kind(DiagramBatch::giotto_filtered(&[ok.clone(), nan.clone()], 2, 0.01)),
        ErrorKind::InvalidPoint { diagram: 1, dim: 0, .. }
    ));
    assert!(matches!(
        kind(DiagramBatch::from_diagrams_unpadded(vec![nan], 2)),
        ErrorKind::InvalidPoint { .. }
    ));
    let reversed = d2(vec![], vec![P::new(1.0, 0.5)]);
    assert!(matches!(
        kind(DiagramBatch::from_diagrams_unpadded(vec![reversed.clone()], 2)),
        ErrorKind::InvalidPoint { diagram: 0, dim: 1, .. }
    ));
    // Filtering with epsilon >= 0 drops it, as giotto-tda does; a negative
    // epsilon keeps it, which is an error.
    assert!(DiagramBatch::giotto_filtered(std::slice::from_ref(&reversed), 2, 0.0).is_ok());
    assert!(DiagramBatch::giotto_filtered(&[reversed], 2, -1.0).is_err());
    let infinite_birth = d2(vec![P::new(-INF, 0.0)], vec![]);
    assert!(DiagramBatch::from_diagrams_unpadded(vec![infinite_birth], 2).is_err());
    assert!(matches!(
        kind(DiagramBatch::giotto_filtered(std::slice::from_ref(&ok), 2, f64::NAN)),
        ErrorKind::InvalidOption { .. }
    ));
    // Points beyond dim_count.
    assert!(matches!(
        kind(DiagramBatch::from_diagrams_unpadded(vec![d2(vec![], vec![P::new(0.0, 1.0)])], 1)),
        ErrorKind::DimensionMismatch { .. }
    ));
    assert!(
        DiagramBatch::from_diagrams_unpadded(vec![d2(vec![P::new(0.0, 1.0)], vec![])], 1).is_ok()
    );
    // Padded parts.
    let parts = |len: Vec<usize>, val: Vec<f64>| {
        DiagramBatch::from_padded_parts(vec![ok.clone()], len, val)
    };
    assert!(matches!(kind(parts(vec![1, 1], vec![0.0])), ErrorKind::DimensionMismatch { .. }));
    assert!(matches!(kind(parts(vec![0, 1], vec![0.0, 0.0])), ErrorKind::DimensionMismatch { .. }));
    assert!(matches!(kind(parts(vec![1, 1], vec![0.0, INF])), ErrorKind::InvalidOption { .. }));
    assert!(parts(vec![1, 1], vec![0.0, 0.0]).is_ok());
}

#[test]
fn invalid_options() {
    let batch =
        DiagramBatch::from_diagrams_unpadded(vec![d2(vec![P::new(0.0, 1.0)], vec![])], 2).unwrap();
    let bad = [
        MetricOptions::new(Metric::HEAT).with_n_bins(1),
        MetricOptions::new(Metric::Heat { sigma: 0.0 }),
        MetricOptions::new(Metric::PersistenceImage { sigma: -1.0, weight: ImageWeight::Ones }),
        MetricOptions::new(Metric::Silhouette { power: 0.0 }),
        MetricOptions::new(Metric::Landscape { n_layers: 0 }),
        MetricOptions::new(Metric::Betti).with_p(0.5),
        MetricOptions::new(Metric::Betti).with_p(f64::NAN),
        MetricOptions::new(Metric::Betti).with_order(0.0),
        MetricOptions::new(Metric::Betti).with_grid(GridMode::Fixed { lo: 1.0, hi: 1.0 }),
        MetricOptions::new(Metric::Betti).with_grid(GridMode::Fixed { lo: 0.0, hi: INF }),
        MetricOptions::new(Metric::Wasserstein { q: 0.5, delta: 0.0 }),
        MetricOptions::new(Metric::Wasserstein { q: f64::NAN, delta: 0.0 }),
        MetricOptions::new(Metric::Wasserstein { q: 2.0, delta: -0.1 }),
        MetricOptions::new(Metric::Wasserstein { q: 2.0, delta: 1.0 }),
        MetricOptions::new(Metric::Bottleneck { delta: f64::NAN }),
        MetricOptions::new(Metric::Bottleneck { delta: INF }),
        MetricOptions::new(Metric::BOTTLENECK).with_order(0.5),
    ];
    for opts in bad {
        let err = pairwise(&batch, &opts, Par::Seq).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidOption { .. }), "{opts:?}");
        assert!(!err.to_string().is_empty());
    }
    assert!(Grid::new(0.0, 1.0, 1).is_err());
    assert!(Grid::new(1.0, 0.0, 10).is_err());
    assert!(Grid::new(0.0, f64::NAN, 10).is_err());
    assert!(silhouette(&[P::new(0.0, INF)], &Grid::new(0.0, 1.0, 3).unwrap(), 1.0).is_err());
    assert!(silhouette(&[P::new(0.0, f64::NAN)], &Grid::new(0.0, 1.0, 3).unwrap(), 1.0).is_err());
}

#[test]
fn metric_names() {
    for (s, m) in [
        ("heat", Metric::Heat { sigma: 0.1 }),
        ("silhouette", Metric::Silhouette { power: 1.0 }),
        ("landscape", Metric::Landscape { n_layers: 1 }),
        ("betti", Metric::Betti),
        ("persistence-image", Metric::PersistenceImage { sigma: 0.1, weight: ImageWeight::Ones }),
        ("wasserstein", Metric::Wasserstein { q: 2.0, delta: 0.01 }),
        ("bottleneck", Metric::Bottleneck { delta: 0.01 }),
        ("sliced-wasserstein", Metric::SlicedWasserstein { n_directions: 50 }),
        ("heat-density", Metric::HeatDensity { sigma: 0.1 }),
    ] {
        assert_eq!(s.parse::<Metric>().unwrap(), m);
        assert_eq!(m.to_string(), s);
        assert_eq!(m.to_string().parse::<Metric>().unwrap(), m);
    }
    assert_eq!("persistence_image".parse::<Metric>().unwrap(), Metric::PERSISTENCE_IMAGE);
    assert_eq!(" Heat ".parse::<Metric>().unwrap(), Metric::HEAT);
    assert_eq!(" Wasserstein".parse::<Metric>().unwrap(), Metric::WASSERSTEIN);
    assert_eq!("BOTTLENECK".parse::<Metric>().unwrap(), Metric::BOTTLENECK);
    let err = "sliced".parse::<Metric>().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidOption { .. }));
    assert!(err.to_string().contains("bottleneck"), "{err}");
    for m in [Metric::WASSERSTEIN, Metric::BOTTLENECK] {
        assert!(m.is_matching());
    }
    for m in [Metric::HEAT, Metric::SILHOUETTE, Metric::LANDSCAPE, Metric::Betti] {
        assert!(!m.is_matching());
    }
}

#[test]
fn options() {
    let o = MetricOptions::new(Metric::HEAT);
    assert_eq!((o.n_bins, o.p, o.grid, o.order), (100, 2.0, GridMode::Giotto, 2.0));
    let paper = MetricOptions::paper(Metric::LANDSCAPE);
    assert_eq!((paper.n_bins, paper.p, paper.grid, paper.order), (200, 2.0, GridMode::Giotto, 2.0));
    assert_eq!(paper.metric, Metric::Landscape { n_layers: 1 });
    #[cfg(feature = "rayon")]
    assert_eq!(Par::default(), Par::Rayon);
    #[cfg(not(feature = "rayon"))]
    assert_eq!(Par::default(), Par::Seq);
}

#[test]
fn grid_is_numpy_linspace() {
    let g = Grid::new(0.0, 1.0, 200).unwrap();
    let t = g.samples();
    assert_eq!(g.step(), 1.0 / 199.0);
    assert_eq!(t[0], 0.0);
    assert_eq!(t[199], 1.0);
    assert_eq!(t[7], 7.0 * (1.0 / 199.0));
    // A zero step gives a constant grid.
    let flat = Grid::new(0.5, 0.5, 4).unwrap();
    assert_eq!(flat.samples(), vec![0.5; 4]);
    // Covering grid.
    let c = Grid::covering(&[P::new(0.2, 0.9), P::new(0.1, 0.3)], 10).unwrap();
    assert_eq!((c.lo, c.hi), (0.1, 0.9));
    assert!(Grid::covering(&[], 10).is_err());
}

/// Norm orders: 1, 2 and ∞ combine the per-dimension distances as expected.
#[test]
fn orders_and_norms() {
    let a = d2(vec![P::new(0.0, 0.5), P::new(0.0, 0.8)], vec![P::new(0.3, 1.0)]);
    let b = d2(vec![P::new(0.0, 0.6)], vec![P::new(0.2, 1.0), P::new(0.5, 1.0)]);
    let batch = DiagramBatch::giotto_filtered(&[a, b], 2, 0.01).unwrap();
    let base = MetricOptions::paper(Metric::Betti);
    let (_, per) = distance(&batch, 0, 1, &base).unwrap();
    let one = distance(&batch, 0, 1, &base.with_order(1.0)).unwrap().0;
    let inf = distance(&batch, 0, 1, &base.with_order(INF)).unwrap().0;
    assert!((one - (per[0] + per[1])).abs() < 1e-12);
    assert_eq!(inf, per[0].max(per[1]));
    // p = ∞: the largest Betti-number difference, without step factor.
    let (_, per_inf) = distance(&batch, 0, 1, &base.with_p(INF)).unwrap();
    assert_eq!(per_inf, vec![1.0, 1.0]);
}

#[test]
fn progress_is_reported() {
    let ds: Vec<Diagram> = (0..4)
        .map(|k| d2(vec![P::new(0.0, 0.3 + 0.1 * k as f64)], vec![P::new(0.1 * k as f64, 1.0)]))
        .collect();
    let batch = DiagramBatch::giotto_filtered(&ds, 2, 0.01).unwrap();
    let seen = Mutex::new(Vec::new());
    let m = pairwise_with_progress(
        &batch,
        &MetricOptions::paper(Metric::HEAT),
        Par::default(),
        &|d, t| {
            seen.lock().unwrap().push((d, t));
        },
    )
    .unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let total = seen[0].1;
    assert!(total > 6); // 6 pairs plus the vectorisations
    assert_eq!(seen, (1..=total).map(|d| (d, total)).collect::<Vec<_>>());
    assert_eq!(m, pairwise(&batch, &MetricOptions::paper(Metric::HEAT), Par::Seq).unwrap());
}

/// Without padding, a pair's grid spans its own points only; with padding the
/// padding value widens it, so the distances differ.
#[test]
fn padding_changes_the_grid() {
    let a = d2(vec![P::new(0.0, 0.5)], vec![P::new(0.6, 1.0)]);
    let b = d2(vec![P::new(0.0, 0.7)], vec![P::new(0.5, 1.0)]);
    let c = d2(vec![P::new(0.0, 0.7)], vec![P::new(0.1, 1.0), P::new(0.9, 1.0)]);
    let opts = MetricOptions::paper(Metric::SILHOUETTE);
    let padded =
        DiagramBatch::giotto_filtered(&[a.clone(), b.clone(), c.clone()], 2, 0.01).unwrap();
    let plain = DiagramBatch::from_diagrams_unpadded(vec![a, b, c], 2).unwrap();
    assert_eq!(plain.pad_value(1), None);
    assert_eq!(padded.pad_value(1), Some(0.1));
    let (dp, _) = distance(&padded, 0, 1, &opts).unwrap();
    let (du, _) = distance(&plain, 0, 1, &opts).unwrap();
    assert!(dp > 0.0 && du > 0.0 && dp != du);
    // A fixed grid ignores padding.
    let fixed = opts.with_grid(GridMode::Fixed { lo: 0.0, hi: 1.0 });
    assert_eq!(distance(&padded, 0, 1, &fixed).unwrap(), distance(&plain, 0, 1, &fixed).unwrap());
}

/// Matching metrics ignore the grid options (and do not check them); every
/// `delta` gives the exact value; `q = ∞` is the bottleneck distance.
#[test]
fn matching_metrics_ignore_grid_options() {
    let a = d2(vec![P::new(0.0, 0.5), P::new(0.0, 0.8)], vec![P::new(0.3, 1.0)]);
    let b = d2(vec![P::new(0.0, 0.6)], vec![P::new(0.2, 1.0), P::new(0.5, 1.0)]);
    let batch = DiagramBatch::giotto_filtered(&[a, b], 2, 0.01).unwrap();
    for m in [Metric::WASSERSTEIN, Metric::BOTTLENECK] {
        let base = distance(&batch, 0, 1, &MetricOptions::paper(m)).unwrap();
        let odd = MetricOptions::new(m)
            .with_n_bins(0)
            .with_p(0.0)
            .with_grid(GridMode::Fixed { lo: 1.0, hi: 0.0 });
        assert_eq!(distance(&batch, 0, 1, &odd).unwrap(), base, "{m}");
    }
    let w = |q: f64, delta: f64| {
        distance(&batch, 0, 1, &MetricOptions::paper(Metric::Wasserstein { q, delta })).unwrap()
    };
    assert_eq!(w(2.0, 0.0), w(2.0, 0.01));
    assert_eq!(w(2.0, 0.0), w(2.0, 0.5));
    assert_eq!(
        w(INF, 0.0),
        distance(&batch, 0, 1, &MetricOptions::paper(Metric::BOTTLENECK)).unwrap()
    );
    // Hand-computed (L∞ ground metric): H0 matches (0,0.8)–(0,0.6) at 0.2 and
    // sends (0,0.5) to the diagonal at 0.25; H1 matches (0.3,1)–(0.2,1) at 0.1
    // and sends (0.5,1) to the diagonal at 0.25.
    let (total, per) = w(1.0, 0.0);
    assert!((per[0] - 0.45).abs() < 1e-12 && (per[1] - 0.35).abs() < 1e-12, "{per:?}");
    assert!((total - 0.45f64.hypot(0.35)).abs() < 1e-12);
    let (_, per) = distance(&batch, 0, 1, &MetricOptions::paper(Metric::BOTTLENECK)).unwrap();
    assert_eq!(per, vec![0.25, 0.25]);
}

/// Matching metrics accept essential points: matched among themselves at
/// `|b₁ − b₂|`, and `+∞` (never NaN) when their numbers differ.
#[test]
fn matching_metrics_and_essential_points() {
    let a = d2(vec![P::new(0.0, 0.5)], vec![P::new(0.4, INF)]);
    let b = d2(vec![P::new(0.0, 0.5)], vec![P::new(0.1, INF)]);
    let c = d2(vec![P::new(0.0, 0.5)], vec![P::new(0.1, INF), P::new(0.2, INF)]);
    let batch = DiagramBatch::giotto_filtered(&[a, b, c], 2, 0.01).unwrap();
    assert_eq!(batch.essential_count(), 4);
    for m in [Metric::WASSERSTEIN, Metric::BOTTLENECK] {
        for order in [1.0, 2.0, INF] {
            let opts = MetricOptions::paper(m).with_order(order);
            let d = pairwise(&batch, &opts, Par::default()).unwrap();
            assert!((d.get_dim(0, 1, 1) - 0.3).abs() < 1e-12, "{m}");
            assert!((d.get(0, 1) - 0.3).abs() < 1e-12, "{m}");
            assert_eq!(d.get_dim(0, 1, 0), 0.0);
            for (i, j) in [(0, 2), (1, 2)] {
                assert_eq!(d.get_dim(i, j, 0), 0.0);
                assert_eq!(d.get_dim(i, j, 1), INF, "{m} ({i},{j})");
                assert_eq!(d.get(i, j), INF, "{m} ({i},{j}) order {order}");
                assert_eq!(d.get(j, i), INF);
            }
            assert_eq!(d, pairwise(&batch, &opts, Par::Seq).unwrap());
        }
    }
    // Grid-based metrics still refuse them.
    let err = pairwise(&batch, &MetricOptions::paper(Metric::Betti), Par::Seq).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::EssentialPoint { .. }));
}

/// A matching problem beyond the exact solver's limits is reported with the
/// first failing pair and dimension (in pair order, whatever the threads) and
/// advice on how to shrink it.
#[test]
fn matching_errors_name_the_pair_and_dimension() {
    use nnph_distance::matching::{EXACT_SOLVER_LIMIT, MatchingErrorKind};
    let n = EXACT_SOLVER_LIMIT / 2 + 1;
    // Off one line, so the general solver's limit applies.
    let big = |s: f64| -> Vec<P> {
        (0..n)
            .map(|i| P::new(i as f64 * 1e-3, i as f64 * 1e-3 + s + (i % 7) as f64 * 1e-4))
            .collect()
    };
    let ds: Vec<Diagram> = (0..3)
        .map(|k| d2(vec![P::new(0.0, 0.5 + 0.1 * k as f64)], big(1.0 + 0.25 * k as f64)))
        .collect();
    let batch = DiagramBatch::from_diagrams_unpadded(ds, 2).unwrap();
    // Only the exact Wasserstein solver has a size limit off a line.
    for m in [Metric::Wasserstein { q: 2.0, delta: 0.0 }] {
        let opts = MetricOptions::paper(m);
        for par in [Par::Seq, Par::default()] {
            let err = pairwise(&batch, &opts, par).unwrap_err();
            let ErrorKind::Matching { diagram_i, diagram_j, dim, error } = err.kind() else {
                panic!("{m}: unexpected error {err}");
            };
            assert_eq!((*diagram_i, *diagram_j, *dim), (0, 1, 1), "{m} {par:?}");
            assert_eq!(
                error.kind(),
                &MatchingErrorKind::TooLarge { points_a: n, points_b: n, on_line: false }
            );
            let text = err.to_string();
            assert!(text.contains("diagrams 0 and 1") && text.contains("dimension 1"), "{text}");
            assert!(text.contains("epsilon") && text.contains("grid-based"), "{text}");
        }
        let err = distance(&batch, 2, 1, &opts).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::Matching { diagram_i: 2, diagram_j: 1, dim: 1, .. }
        ));
    }
}
