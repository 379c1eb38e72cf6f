//! The golden cases made with giotto-tda 0.6.2 and pyflagser 0.4.7 (testdata/golden,
//! provenance in testdata/README.md): diagrams identical, distances within 1e-9.

use std::path::Path;

use nnph::distance::Metric;
use nnph::homology::Diagram;
use nnph::pipeline::{self, CompareOptions, DiagramOptions, Input};
use serde_json::Value;

use crate::support::*;

const METRICS: [&str; 3] = ["heat", "silhouette", "landscape"];

fn summary(case: &Path) -> Value {
    let text = std::fs::read_to_string(case.join("golden/summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn net_order(s: &Value) -> Vec<String> {
    s["net_order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

fn sorted(mut d: Diagram) -> Diagram {
    d.sort();
    d
}

/// Our diagram of every net of `case` (nets read from `nets_dir`) equals the golden
/// `post` diagram exactly, as multisets.
fn check_diagrams(case: &Path, nets_dir: &Path) -> Vec<Diagram> {
    let s = summary(case);
    let names = net_order(&s);
    let inputs: Vec<Input> =
        names.iter().map(|n| Input::new(nets_dir.join(format!("{n}.npz")))).collect();
    let ours = pipeline::input_diagrams(&inputs, &DiagramOptions::default()).unwrap();
    for (name, d) in names.iter().zip(&ours) {
        assert_eq!(d.dim_count(), 4, "{name}: dimensions 0..=3");
        let file = case.join(format!("golden/diagrams/{name}.npz"));
        if file.exists() {
            let golden = golden_diagram(&file, "post", 4);
            assert_eq!(
                sorted(d.clone()),
                sorted(golden),
                "{name}: diagram differs from the golden one"
            );
        } else {
            // Only counts are stored: check them.
            let net =
                s["nets"].as_array().unwrap().iter().find(|n| n["name"] == name.as_str()).unwrap();
            let counts: Vec<u64> = net["counts_after_flagser_persistence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .collect();
            let ours: Vec<u64> = d.dims().iter().map(|p| p.len() as u64).collect();
            assert_eq!(ours, counts, "{name}: pair counts");
        }
    }
    ours
}

fn check_distances(case: &Path, diagrams: &[Diagram]) {
    check_metrics(case, diagrams, &METRICS);
}

fn check_metrics(case: &Path, diagrams: &[Diagram], metrics: &[&str]) {
    for &metric in metrics {
        let m: Metric = metric.parse().unwrap();
        let ours = pipeline::compare(diagrams, &CompareOptions::paper(m), None).unwrap();
        let (shape, golden) = read_npy_f64(&case.join(format!("golden/distances/{metric}.npy")));
        assert_eq!(shape, vec![diagrams.len(), diagrams.len()]);
        assert_matrix_close(
            &format!("{} {metric}", case.display()),
            &golden,
            &ours.values,
            1e-9,
            1e-12,
        );
        let (shape, golden) =
            read_npy_f64(&case.join(format!("golden/distances/{metric}_per_dim.npy")));
        assert_eq!(shape, vec![diagrams.len(), diagrams.len(), 4]);
        assert_matrix_close(
            &format!("{} {metric} per dim", case.display()),
            &golden,
            &ours.per_dim,
            1e-9,
            1e-12,
        );
    }
}

#[test]
fn tiny_diagrams_and_distances() {
    let case = testdata().join("golden/tiny");
    let diagrams = check_diagrams(&case, &case.join("nets"));
    check_distances(&case, &diagrams);
}

#[test]
fn digits19_diagrams_and_distances() {
    let case = testdata().join("golden/digits19");
    let diagrams = check_diagrams(&case, &case.join("nets"));
    check_distances(&case, &diagrams);
}

/// The four digits groups run as their own batches: the same nets as digits19, but
/// other padding values, hence other distances (giotto's batch dependence).
#[test]
fn digits_groups_batch_dependent_distances() {
    let nets = testdata().join("golden/digits19/nets");
    for group in
        ["digits_layer_size", "digits_num_layers", "digits_input_order", "digits_num_labels"]
    {
        let case = testdata().join("golden").join(group);
        let names = net_order(&summary(&case));
        let inputs: Vec<Input> =
            names.iter().map(|n| Input::new(nets.join(format!("{n}.npz")))).collect();
        let diagrams = pipeline::input_diagrams(&inputs, &DiagramOptions::default()).unwrap();
        check_distances(&case, &diagrams);
    }
}

/// The filtered, padded and capped batch equals giotto's: same padding values, same
/// surviving points.
#[test]
fn digits19_filtering_and_padding() {
    let case = testdata().join("golden/digits19");
    let s = summary(&case);
    let names = net_order(&s);
    let diagrams: Vec<Diagram> = names
        .iter()
        .map(|n| golden_diagram(&case.join(format!("golden/diagrams/{n}.npz")), "post", 4))
        .collect();
    let batch = pipeline::prepare_batch(&diagrams, &CompareOptions::paper(Metric::Betti)).unwrap();
    let pads: Vec<f64> = s["set"]["pad_values_after_filtering"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let shape =
        s["set"]["padded_shape_after_filtering"].as_array().unwrap()[1].as_u64().unwrap() as usize;
    let mut total = 0;
    assert_eq!(pads.len(), 4);
    for (q, &pad) in pads.iter().enumerate() {
        assert_eq!(batch.pad_value(q), Some(pad), "pad value of dim {q}");
        total += batch.padded_len(q);
    }
    assert_eq!(total, shape, "padded length over all dims");
    for (k, name) in names.iter().enumerate() {
        let golden = sorted(golden_diagram(
            &case.join(format!("golden/diagrams/{name}.npz")),
            "filtered",
            4,
        ));
        let ours =
            sorted(Diagram::from_dims((0..4).map(|q| batch.points(k, q).to_vec()).collect()));
        assert_eq!(ours, golden, "{name}: filtered diagram");
    }
}

/// The paper-size random cases (784 inputs, up to 2.77 M edges per net). Their
/// networks (96 MB) are not in the repository: regenerate them bit for bit with
/// `(cd testdata/reference && python3 make_cases.py random784)` (NumPy only), then run
/// `cargo test --release -p nnph --test integration -- --ignored`.
#[test]
#[ignore = "needs the generated paper-size networks (see the doc comment)"]
fn random784_paper_size_cases() {
    let generated = testdata().join("reference/cases");
    for (case, metrics) in [
        ("random784_layer_size", &METRICS[..]),
        ("random784_input_order", &METRICS[..]),
        ("random784_num_labels", &METRICS[..]),
        ("random784_num_layers", &["heat"][..]),
        ("random784_paper19", &["heat"][..]),
    ] {
        let nets = generated.join(case).join("nets");
        assert!(
            nets.is_dir(),
            "{}: missing; generate it first (see the doc comment)",
            nets.display()
        );
        let golden = testdata().join("golden").join(case);
        let diagrams = check_diagrams(&golden, &nets);
        check_metrics(&golden, &diagrams, metrics);
    }
}
