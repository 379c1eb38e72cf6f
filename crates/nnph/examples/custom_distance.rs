//! Add a custom distance: a pairwise matrix of your own diagram distance, computed on the same
//! filtered and capped batch the built-in metrics use, in parallel.
//!
//!     cargo run --release -p nnph --example custom_distance
//!
//! The distance here compares total persistence (the sum of bar lengths) per dimension and
//! combines dimensions by the 2-norm, as nnph does for every metric.
#![allow(clippy::print_stdout)] // an example prints its results

use std::path::PathBuf;

use nnph::distance::Metric;
use nnph::pipeline::{CompareOptions, DiagramOptions, Input, input_diagrams, prepare_batch};
use rayon::prelude::*;

/// |total persistence(a) − total persistence(b)| in one dimension.
fn total_persistence_gap(
    a: &[nnph::homology::PersistencePair],
    b: &[nnph::homology::PersistencePair],
) -> f64 {
    let total =
        |d: &[nnph::homology::PersistencePair]| d.iter().map(|p| p.death - p.birth).sum::<f64>();
    (total(a) - total(b)).abs()
}

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/golden/tiny/nets");
    let inputs: Vec<Input> = ["t01_321", "t04_ties", "t07_16_12_8_4", "t08_smallw"]
        .iter()
        .map(|n| Input::new(dir.join(format!("{n}.npz"))))
        .collect();
    let diagrams = input_diagrams(&inputs, &DiagramOptions::default())?;

    // The paper's preprocessing: Filtering(ε = 0.01), infinite deaths capped at 1.
    let batch = prepare_batch(&diagrams, &CompareOptions::paper(Metric::HEAT))?;

    let n = batch.len();
    let values: Vec<f64> = (0..n * n)
        .into_par_iter()
        .map(|k| {
            let (i, j) = (k / n, k % n);
            let per_dim: Vec<f64> = (0..batch.dim_count())
                .map(|q| total_persistence_gap(batch.points(i, q), batch.points(j, q)))
                .collect();
            per_dim.iter().map(|x| x * x).sum::<f64>().sqrt()
        })
        .collect();
    for (i, input) in inputs.iter().enumerate() {
        let row: Vec<String> = (0..n).map(|j| format!("{:8.3}", values[i * n + j])).collect();
        println!("{:>14} {}", input.label, row.join(" "));
    }
    Ok(())
}
