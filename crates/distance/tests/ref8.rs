//! The worked reference vector of the reference pipeline (section 8): three
//! small nets, every grid-based metric and the matching metrics (exact values,
//! and giotto-tda's approximate ones within their relative error), per
//! dimension and in total.

use std::path::PathBuf;

use nnph_distance::{DiagramBatch, Metric, MetricOptions, Par, distance, pairwise};
use nnph_homology::{Diagram, PersistencePair};
use serde_json::Value;

use crate::assert_close;

/// The JSON numbers must be parsed exactly (serde_json's `float_roundtrip`):
/// one ulp on the largest death moves a heat pixel and the distance by 2%.
fn data() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/distance/ref8.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn pairs(v: &Value) -> Vec<PersistencePair> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| PersistencePair::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

/// The printed (filtered, capped) diagrams with padding values from the text.
fn printed_batch(d: &Value) -> DiagramBatch {
    let diagrams = d["diagrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| Diagram::from_dims(vec![pairs(&n["H0"]), pairs(&n["H1"]), vec![], vec![]]))
        .collect();
    let padded_len =
        d["padded_len"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize);
    let pad_value = d["pad_value"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap());
    DiagramBatch::from_padded_parts(diagrams, padded_len.collect(), pad_value.collect()).unwrap()
}

/// The same diagrams before filtering and capping: H1 deaths infinite, plus
/// short-lived points that `Filtering(0.01)` must remove (one with lifetime
/// exactly 0.01: the test is strict).
fn raw_diagrams(d: &Value) -> Vec<Diagram> {
    d["diagrams"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(k, n)| {
            let mut h0 = pairs(&n["H0"]);
            h0.push(PersistencePair::new(0.0, 0.01));
            h0.push(PersistencePair::new(0.0, 0.004 * k as f64));
            let h1 = pairs(&n["H1"])
                .into_iter()
                .map(|p| PersistencePair::new(p.birth, f64::INFINITY))
                .collect();
            Diagram::from_dims(vec![h0, h1, vec![PersistencePair::new(0.5, 0.505)], vec![]])
        })
        .collect()
}

#[test]
fn giotto_filtering_reproduces_the_padding() {
    let d = data();
    let expected = printed_batch(&d);
    let mut batch = DiagramBatch::giotto_filtered(&raw_diagrams(&d), 4, 0.01).unwrap();
    assert_eq!(batch.essential_count(), 41);
    batch.cap_infinity(1.0).unwrap();
    assert_eq!(batch, expected);
    for q in 0..4 {
        assert_eq!(batch.padded_len(q), [15, 16, 1, 1][q]);
        assert_eq!(batch.pad_value(q), Some([0.0, 0.13777774572372437, 0.0, 0.0][q]));
    }
    let mut owned = DiagramBatch::giotto_filtered_owned(raw_diagrams(&d), 4, 0.01).unwrap();
    owned.cap_infinity(1.0).unwrap();
    assert_eq!(owned, expected);
}

#[test]
fn all_metrics_match_giotto() {
    let d = data();
    let batch = printed_batch(&d);
    let expected = d["expected"].as_object().unwrap();
    assert_eq!(expected.len(), 5);
    for (name, table) in expected {
        let metric: Metric = name.parse().unwrap();
        let opts = MetricOptions::paper(metric);
        for par in [Par::Seq, Par::default()] {
            let m = pairwise(&batch, &opts, par).unwrap();
            for (key, want) in table.as_object().unwrap() {
                let (i, j) = (key[..1].parse().unwrap(), key[2..].parse().unwrap());
                let want: Vec<f64> =
                    want.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
                let what = format!("{name} ({i},{j})");
                assert_close(m.get_dim(i, j, 0), want[0], 1e-9, 0.0, &format!("{what} H0"));
                assert_close(m.get_dim(i, j, 1), want[1], 1e-9, 0.0, &format!("{what} H1"));
                assert_eq!(m.get_dim(i, j, 2), 0.0, "{what} H2");
                assert_eq!(m.get_dim(i, j, 3), 0.0, "{what} H3");
                assert_close(m.get(i, j), want[2], 1e-9, 0.0, &format!("{what} total"));
                assert_eq!(m.get(i, j), m.get(j, i));
                let (total, per_dim) = distance(&batch, i, j, &opts).unwrap();
                assert_eq!(
                    total.to_bits(),
                    m.get(i, j).to_bits(),
                    "{what}: distance() = pairwise()"
                );
                assert_eq!(per_dim.len(), 4);
                let (rev, _) = distance(&batch, j, i, &opts).unwrap();
                assert_eq!(rev.to_bits(), total.to_bits(), "{what}: symmetric");
            }
            for i in 0..3 {
                assert_eq!(m.get(i, i), 0.0);
            }
        }
    }
}

/// `testdata/reference8.json`: the same §8 diagrams, with the exact
/// (assignment-based, `L∞`) matching distances and giotto-tda's approximate
/// ones (hera, δ = 0.01).
fn reference8() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/reference8.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `[H0, H1, total]` of pair `key` ("01", "02", "12") in `table`.
fn row(table: &Value, key: &str) -> Vec<f64> {
    table[key].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn matching_metrics_match_the_exact_values() {
    let batch = printed_batch(&data());
    let r = reference8();
    // Both files hold the same diagrams.
    for k in 0..3 {
        for q in 0..2 {
            let printed = pairs(&r["final_diagrams"][k][q.to_string()]["points"]);
            assert_eq!(batch.points(k, q), &printed[..], "net {k} H{q}");
        }
    }
    for (exact_name, approx_name, metric) in [
        (
            "wasserstein p=2",
            "wasserstein (approx, δ=0.01)",
            Metric::Wasserstein { q: 2.0, delta: 0.0 },
        ),
        ("bottleneck", "bottleneck (approx, δ=0.01)", Metric::Bottleneck { delta: 0.0 }),
    ] {
        let opts = MetricOptions::paper(metric);
        let m = pairwise(&batch, &opts, Par::Seq).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let par = pairwise(&batch, &opts, Par::default()).unwrap();
        assert_eq!(bits(&par.values), bits(&m.values), "{exact_name}: Seq = Rayon");
        assert_eq!(bits(&par.per_dim), bits(&m.per_dim), "{exact_name}: Seq = Rayon");
        // The approximate modes stay within their relative error δ = 0.01.
        let mut approx_opts = opts;
        approx_opts.metric = match metric {
            Metric::Wasserstein { q, .. } => Metric::Wasserstein { q, delta: 0.01 },
            _ => Metric::Bottleneck { delta: 0.01 },
        };
        let approx = pairwise(&batch, &approx_opts, Par::Seq).unwrap();
        for (x, e) in approx.per_dim.iter().zip(&m.per_dim) {
            assert!(*x >= e * (1.0 - 1e-12) && *x <= e * 1.01 * (1.0 + 1e-12), "{x} vs exact {e}");
        }
        for (key, (i, j)) in [("01", (0, 1)), ("02", (0, 2)), ("12", (1, 2))] {
            let got = [m.get_dim(i, j, 0), m.get_dim(i, j, 1), m.get(i, j)];
            let exact = row(&r["exact_distances"][exact_name], key);
            let approx = row(&r["distances"][approx_name], key);
            for (k, part) in ["H0", "H1", "total"].iter().enumerate() {
                let what = format!("{exact_name} ({i},{j}) {part}");
                assert_close(got[k], exact[k], 1e-9, 0.0, &what);
                // giotto-tda's value is within its relative error δ of the exact one.
                assert!(
                    (approx[k] - got[k]).abs() <= 0.01 * got[k],
                    "{approx_name} ({i},{j}) {part}: giotto {} vs exact {}",
                    approx[k],
                    got[k]
                );
            }
            assert_eq!(m.get_dim(i, j, 2), 0.0);
            assert_eq!(m.get_dim(i, j, 3), 0.0);
            assert_eq!(m.get(i, j).to_bits(), m.get(j, i).to_bits());
            let (total, per_dim) = distance(&batch, i, j, &opts).unwrap();
            assert_eq!(
                total.to_bits(),
                m.get(i, j).to_bits(),
                "{exact_name}: distance() = pairwise()"
            );
            assert_eq!(per_dim, (0..4).map(|q| m.get_dim(i, j, q)).collect::<Vec<_>>());
        }
        for i in 0..3 {
            assert_eq!(m.get(i, i), 0.0);
        }
    }
}
