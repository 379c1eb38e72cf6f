//! giotto-tda golden matrices (testdata/golden, made by refpipe.py with
//! giotto-tda 0.6.2; see testdata/reference and the golden README).
//!
//! The diagrams are stored unpadded (`filtered`: after `Filtering(0.01)` and
//! inf → 1.0); each case's summary.json gives the padding (`N_q`, `m_q`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nnph_distance::{DiagramBatch, GridMode, Metric, MetricOptions, Par, pairwise};
use nnph_homology::{Diagram, PersistencePair};
use serde_json::Value;

use crate::assert_close;
use crate::support::npy::{Array, read_npy, read_npz};

fn golden() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/golden")
}

/// Splits a `(k, 3)` array of `[birth, death, dim]` rows into a diagram.
fn to_diagram(a: &Array, dim_count: usize) -> Diagram {
    assert_eq!(a.shape.len(), 2);
    assert_eq!(a.shape[1], 3);
    let mut d = Diagram::empty(dim_count);
    for row in a.data.chunks_exact(3) {
        d.dim_mut(row[2] as usize).push(PersistencePair::new(row[0], row[1]));
    }
    d
}

struct Case {
    dir: PathBuf,
    summary: Value,
    /// Per net (in `net_order`), every array of its diagrams npz.
    arrays: Vec<HashMap<String, Array>>,
}

fn load(case: &str, diagrams_from: &str) -> Case {
    let dir = golden().join(case).join("golden");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let diag_dir = golden().join(diagrams_from).join("golden/diagrams");
    let arrays = summary["net_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| read_npz(&diag_dir.join(format!("{}.npz", name.as_str().unwrap()))))
        .collect();
    Case { dir, summary, arrays }
}

impl Case {
    fn batch(&self) -> DiagramBatch {
        let set = &self.summary["set"];
        let n_q: Vec<usize> = set["points_per_dim_after_filtering"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let m_q: Vec<f64> = set["pad_values_after_filtering"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let diagrams = self.arrays.iter().map(|a| to_diagram(&a["filtered"], 4)).collect();
        DiagramBatch::from_padded_parts(diagrams, n_q, m_q).unwrap()
    }

    /// Compares one stored matrix (if present); returns whether it was.
    fn check(&self, batch: &DiagramBatch, metric: &str, grid: GridMode, suffix: &str) -> bool {
        let path = |s: &str| self.dir.join(format!("distances/{metric}{suffix}{s}.npy"));
        if !Path::exists(&path("")) {
            return false;
        }
        let want = read_npy(&path(""));
        let want_dim = read_npy(&path("_per_dim"));
        let n = batch.len();
        assert_eq!(want.shape, vec![n, n]);
        assert_eq!(want_dim.shape, vec![n, n, 4]);
        let opts = MetricOptions::paper(metric.parse::<Metric>().unwrap()).with_grid(grid);
        let got = pairwise(batch, &opts, Par::default()).unwrap();
        let what = format!("{} {metric}{suffix}", self.dir.display());
        for (k, (&g, &w)) in got.values.iter().zip(&want.data).enumerate() {
            assert_close(g, w, 1e-9, 1e-12, &format!("{what} [{}, {}]", k / n, k % n));
        }
        for (k, (&g, &w)) in got.per_dim.iter().zip(&want_dim.data).enumerate() {
            let (pair, q) = (k / 4, k % 4);
            assert_close(g, w, 1e-9, 1e-12, &format!("{what} [{}, {}] H{q}", pair / n, pair % n));
        }
        true
    }

    fn check_all(&self) {
        let batch = self.batch();
        for metric in ["heat", "silhouette", "landscape"] {
            assert!(self.check(&batch, metric, GridMode::Giotto, ""), "{metric} is stored");
            // Only the small cases store the joint fit.
            self.check(&batch, metric, GridMode::GiottoJoint, "_joint");
        }
    }
}

#[test]
fn tiny() {
    let case = load("tiny", "tiny");
    case.check_all();
}

/// `giotto_filtered` + `cap_infinity` on the post-flagser diagrams gives the
/// stored filtered diagrams and the stored padding.
#[test]
fn tiny_filtering() {
    let case = load("tiny", "tiny");
    let post: Vec<Diagram> = case.arrays.iter().map(|a| to_diagram(&a["post"], 4)).collect();
    let mut batch = DiagramBatch::giotto_filtered(&post, 4, 0.01).unwrap();
    batch.cap_infinity(1.0).unwrap();
    assert_eq!(batch, case.batch());
    let mut owned = DiagramBatch::giotto_filtered_owned(post, 4, 0.01).unwrap();
    owned.cap_infinity(1.0).unwrap();
    assert_eq!(owned, case.batch());
}

#[test]
fn digits_groups() {
    for case in
        ["digits_layer_size", "digits_num_layers", "digits_input_order", "digits_num_labels"]
    {
        load(case, "digits19").check_all();
    }
}

#[test]
fn digits19() {
    let case = load("digits19", "digits19");
    case.check_all();
    // The filtering too, on the big diagrams.
    let post: Vec<Diagram> = case.arrays.iter().map(|a| to_diagram(&a["post"], 4)).collect();
    let mut batch = DiagramBatch::giotto_filtered_owned(post, 4, 0.01).unwrap();
    batch.cap_infinity(1.0).unwrap();
    assert_eq!(batch, case.batch());
}

/// Exact `W_q` between real diagrams of the paper's shape (the golden networks' `H0`, `(0, d)`,
/// and `H1` with deaths capped at 1, `(b, 1)`; dense in lifetime, as the full-size networks'
/// 666,855-point diagrams, where the branch and bound alone needed more than 10¹⁰ cells): the
/// coarse-to-fine proposal with its dual certificate equals the plain `O(n_a·n_b)` DP.
#[test]
fn exact_wasserstein_on_real_diagrams_equals_plain_dp() {
    use nnph_distance::matching::{GroundMetric, wasserstein_exact};
    let dir = golden().join("digits19/golden/diagrams");
    let nets: Vec<Diagram> = ["1ls_032", "1ls_064", "1ls_128"]
        .iter()
        .map(|name| to_diagram(&read_npz(&dir.join(format!("{name}.npz")))["filtered"], 2))
        .collect();
    for (x, y) in [(0, 1), (1, 2), (0, 2)] {
        for dim in 0..2 {
            let (a, b) = (nets[x].dim(dim), nets[y].dim(dim));
            let least = if dim == 0 { 50 } else { 3000 };
            assert!(a.len() >= least && b.len() >= least, "real diagrams, not toy ones");
            for q in [1.0, 2.0] {
                let w = wasserstein_exact(a, b, q, GroundMetric::LInf).unwrap();
                let plain = crate::matching::plain_line_dp(a, b, q).powf(1.0 / q);
                assert_close(w, plain, 1e-10, 0.0, &format!("nets {x}, {y}, H{dim}, q = {q}"));
            }
        }
    }
}
