//! Compare checkpoints: diagrams of a few networks and their heat distance matrix, with the
//! paper's settings.
//!
//!     cargo run --release -p nnph --example compare_checkpoints [NET ...]
//!
//! Without arguments it uses the bundled tiny networks of testdata/golden/tiny/nets.
#![allow(clippy::print_stdout)] // an example prints its results

use std::path::PathBuf;

use nnph::distance::Metric;
use nnph::pipeline::{CompareOptions, DiagramOptions, Input, compare, input_diagrams};

fn main() -> anyhow::Result<()> {
    let mut paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/golden/tiny/nets");
        paths = ["t01_321", "t04_ties", "t07_16_12_8_4"]
            .iter()
            .map(|n| dir.join(format!("{n}.npz")))
            .collect();
    }
    let inputs: Vec<Input> = paths.iter().map(Input::new).collect();

    // Network → weighted digraph → directed flag complex → persistence diagram, per network,
    // in parallel (the paper's 'reverse' weighting, H0..H3, giotto's reduced H0).
    let diagrams = input_diagrams(&inputs, &DiagramOptions::default())?;
    for (input, diagram) in inputs.iter().zip(&diagrams) {
        let counts: Vec<usize> = diagram.dims().iter().map(Vec::len).collect();
        println!("{}: pairs per dimension {counts:?}", input.label);
    }

    // Filtering (ε = 0.01), inf → 1, 200-bin giotto grids, heat kernel σ = 0.1, 2-norms.
    let matrix = compare(&diagrams, &CompareOptions::paper(Metric::HEAT), None)?;
    println!("heat distances:");
    for (i, input) in inputs.iter().enumerate() {
        let row: Vec<String> =
            (0..matrix.n).map(|j| format!("{:10.3}", matrix.get(i, j))).collect();
        println!("  {:>14} {}", input.label, row.join(" "));
    }
    Ok(())
}
