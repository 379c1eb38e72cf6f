//! The worked test vector of reference-pipeline.md §8 (three networks, made with
//! giotto-tda 0.6.2 and pyflagser 0.4.7), end to end from the weights: every diagram
//! point and every distance of every metric within 1e-9 relative.

use ndarray::{Array1, Array2};
use nnph::distance::Metric;
use nnph::homology::{Diagram, PersistencePair};
use nnph::network::Network;
use nnph::pipeline::{self, CompareOptions, DiagramOptions};
use serde_json::Value;

use crate::support::*;

fn reference() -> Value {
    let text = std::fs::read_to_string(testdata().join("reference8.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Decimal literal → f32 the way NumPy does it (via float64).
fn f32_of(v: &Value) -> f32 {
    v.as_str().unwrap().parse::<f64>().unwrap() as f32
}

fn networks(r: &Value) -> Vec<Network> {
    r["nets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|net| {
            let layers = net["layers"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(l, layer)| {
                    let rows: Vec<Vec<f32>> = layer["kernel"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|row| row.as_array().unwrap().iter().map(f32_of).collect())
                        .collect();
                    let (n_in, n_out) = (rows.len(), rows[0].len());
                    let w = Array2::from_shape_vec((n_in, n_out), rows.concat()).unwrap();
                    let b = Array1::from(
                        layer["bias"].as_array().unwrap().iter().map(f32_of).collect::<Vec<_>>(),
                    );
                    (format!("L{}", l + 1), w, Some(b))
                })
                .collect();
            Network::try_dense(layers).unwrap()
        })
        .collect()
}

fn diagrams() -> (Value, Vec<Diagram>) {
    let r = reference();
    let ds = networks(&r)
        .iter()
        .map(|n| pipeline::network_diagram(n, &DiagramOptions::default()).unwrap())
        .collect();
    (r, ds)
}

#[test]
fn sizes_follow_the_network_shapes() {
    let r = reference();
    for (net, spec) in networks(&r).iter().zip(r["nets"].as_array().unwrap()) {
        let sizes: Vec<usize> = spec["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(net.layer_sizes(), sizes);
    }
}

/// The final diagrams (after Filtering(0.01) and inf → 1.0) point by point, and the
/// padding the batch gives each of them.
#[test]
fn final_diagrams() {
    let (r, ds) = diagrams();
    let batch = pipeline::prepare_batch(&ds, &CompareOptions::paper(Metric::Betti)).unwrap();
    let pads: Vec<f64> =
        r["pad_values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(pads.len(), 4);
    for (q, &pad) in pads.iter().enumerate() {
        assert_eq!(batch.pad_value(q), Some(pad), "pad value of H{q}");
    }
    for (k, expected) in r["final_diagrams"].as_array().unwrap().iter().enumerate() {
        for q in 0..2 {
            let e = &expected[q.to_string()];
            let mut want: Vec<PersistencePair> = e["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| PersistencePair::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            let mut got = batch.points(k, q).to_vec();
            let key = |a: &PersistencePair, b: &PersistencePair| {
                a.birth.total_cmp(&b.birth).then(a.death.total_cmp(&b.death))
            };
            want.sort_by(key);
            got.sort_by(key);
            assert_eq!(got.len(), want.len(), "NET{k} H{q}: number of points");
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    close(w.birth, g.birth, 1e-9, 0.0) && close(w.death, g.death, 1e-9, 0.0),
                    "NET{k} H{q}: {g:?} vs {w:?}"
                );
            }
            let padding = e["padding"].as_u64().unwrap() as usize;
            assert_eq!(batch.padded_len(q), got.len() + padding, "NET{k} H{q}: padded length");
        }
    }
}

/// Every giotto-compatible metric, per dimension and combined.
#[test]
fn distances_of_every_metric() {
    let (r, ds) = diagrams();
    let table = r["distances"].as_object().unwrap();
    let mut checked = 0;
    for (name, pairs) in table {
        let metric: Metric = match name.parse() {
            Ok(m) => m,
            // Matching distances are approximate in this table (hera, δ = 0.01,
            // names "… (approx, δ=0.01)"); ours are exact and are checked against
            // the exact values, and these within δ, in nnph-distance's tests.
            Err(_) => continue,
        };
        let m = pipeline::compare(&ds, &CompareOptions::paper(metric), None).unwrap();
        for (key, (i, j)) in [("01", (0, 1)), ("02", (0, 2)), ("12", (1, 2))] {
            let want: Vec<f64> =
                pairs[key].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            let got =
                [m.per_dim[(i * 3 + j) * 4], m.per_dim[(i * 3 + j) * 4 + 1], m.values[i * 3 + j]];
            for (w, g) in want.iter().zip(got) {
                // The reference prints 12 significant digits.
                assert!(close(*w, g, 1e-9, 0.0), "{name} pair {key}: reference {w}, ours {g}");
            }
            assert_eq!(m.values[i * 3 + j], m.values[j * 3 + i], "{name}: symmetric");
            assert_eq!(m.per_dim[(i * 3 + j) * 4 + 2], 0.0, "{name}: H2 is empty");
            assert_eq!(m.per_dim[(i * 3 + j) * 4 + 3], 0.0, "{name}: H3 is empty");
        }
        checked += 1;
    }
    assert_eq!(checked, 5, "heat, landscape, silhouette, betti, persistence image");
}
