//! The paper's pipeline end to end: weights file → graph → diagram → distances.
//!
//! [`DiagramOptions::default`] and [`CompareOptions::paper`] reproduce the reference
//! implementation (Pérez-Fernández et al. 2021, with giotto-tda and pyflagser) exactly:
//! the 'reverse' weighting with ζ = 1e-6, the directed flag complex with flagser's
//! 'max' filtration, giotto's reduced-H0 post-processing, `Filtering(0.01)` with its
//! batch-dependent padding, inf → 1.0, and 200-bin giotto grids.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nnph_complex::FilteredGraph;
use nnph_complex::budget::Estimate;
use nnph_distance::{DiagramBatch, DistanceMatrix, MetricOptions, Par};
use nnph_homology::Diagram;
use nnph_homology::persistence::{PersistenceOptions, flag_persistence};
use nnph_network::{GraphOptions, Network};
use rayon::prelude::*;

/// How a network becomes a diagram.
#[derive(Clone, Debug)]
pub struct DiagramOptions {
    /// Network → weighted digraph (the paper's weighting by default).
    pub graph: GraphOptions,
    /// Flag-complex persistence (directed, dimensions 0..=3, shortcut when exact).
    pub persistence: PersistenceOptions,
    /// Apply giotto-tda's post-processing of flagser output (drop the last, essential,
    /// H0 bar; keep pairs with birth < death). On by default, as in the paper.
    pub giotto_reduced: bool,
}

impl Default for DiagramOptions {
    fn default() -> Self {
        Self {
            graph: GraphOptions::default(),
            persistence: PersistenceOptions::default(),
            giotto_reduced: true,
        }
    }
}

/// How a batch of diagrams becomes a distance matrix.
#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// Pairs with lifetime `<= epsilon` are removed (giotto `Filtering`, strict `>`).
    pub epsilon: f64,
    /// Infinite deaths are replaced by this value after filtering.
    pub infinity: f64,
    /// The metric and its grid, bins and norms.
    pub metric: MetricOptions,
}

impl CompareOptions {
    /// The paper's settings for `metric` (ε = 0.01, inf → 1.0, 200 bins, giotto grid, p = 2).
    pub fn paper(metric: nnph_distance::Metric) -> Self {
        Self { epsilon: 0.01, infinity: 1.0, metric: MetricOptions::paper(metric) }
    }
}

/// The diagram of one network.
///
/// # Errors
///
/// Invalid graph options or a network whose graph is not a valid filtration.
pub fn network_diagram(network: &Network, opts: &DiagramOptions) -> Result<Diagram> {
    opts.persistence.budget.check(&graph_estimate(network, &opts.graph))?;
    let graph = network.to_graph(&opts.graph)?;
    let graph = FilteredGraph::from_petgraph(&graph)?;
    let diagram = flag_persistence(&graph, &opts.persistence)?;
    Ok(if opts.giotto_reduced { nnph_homology::giotto_reduced(&diagram) } else { diagram })
}

/// Bytes per edge held while a network's diagram is computed: the petgraph graph (about 20),
/// the filtered graph (16), the sorted edge order of the union-find shortcut (16) and the
/// diagram's pairs (16 per edge at most), rounded up.
pub const BYTES_PER_GRAPH_EDGE: u128 = 80;

/// What [`network_diagram`] will hold for `network`: [`BYTES_PER_GRAPH_EDGE`] per edge (one
/// per weight and bias, plus the intra-layer links if asked). The flag-complex engine checks
/// its own, larger, estimate when the graph has triangles.
pub fn graph_estimate(network: &Network, graph: &GraphOptions) -> Estimate {
    let sizes = network.layer_sizes();
    let mut edges = network.parameter_count() as u128;
    if graph.layer_activation_link {
        edges += sizes
            .iter()
            .skip(1)
            .map(|&n| (n as u128) * (n as u128).saturating_sub(1))
            .sum::<u128>();
    }
    Estimate::new(
        format!("the graph of a network with {edges} edges (layers {sizes:?})"),
        edges * BYTES_PER_GRAPH_EDGE,
    )
    .with_cells(vec![sizes.iter().map(|&n| n as u128).sum(), edges])
    .with_hint("compute fewer networks at once (--threads) or use a machine with more memory")
}

/// One input of `nnph compare`: a network weights file or a diagram JSON file.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Its label in matrices and plots (the file stem).
    pub label: String,
}

impl Input {
    /// An input with the file stem as label.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let label = path
            .file_stem()
            .map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned());
        Self { path, label }
    }

    /// Whether the file is an nnph-diagram/1 JSON file (by extension).
    pub fn is_diagram(&self) -> bool {
        self.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
    }

    /// Whether the file is a giotto-style diagram `.npy` (by extension).
    pub fn is_diagram_npy(&self) -> bool {
        self.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    }
}

/// Reads the diagram of one input: computes it for a network, reads it for a JSON file.
///
/// # Errors
///
/// Unreadable or malformed files; the message starts with the path.
pub fn input_diagram(input: &Input, opts: &DiagramOptions) -> Result<Diagram> {
    if input.is_diagram() {
        return crate::io::read_diagram_json(&input.path);
    }
    if input.is_diagram_npy() {
        let mut diagrams = crate::io::read_diagrams_npy(&input.path)?;
        if diagrams.len() != 1 {
            anyhow::bail!(
                "{}: holds {} diagrams; use input_diagrams_labelled for batches",
                input.path.display(),
                diagrams.len()
            );
        }
        return Ok(diagrams.remove(0));
    }
    // The reader holds the whole file: check its size against the budget first.
    if let Ok(meta) = std::fs::metadata(&input.path) {
        let estimate = Estimate::new(
            format!("reading {} ({} bytes)", input.path.display(), meta.len()),
            u128::from(meta.len()) * 2,
        )
        .with_hint("the file and its parsed weights must fit in memory");
        opts.persistence.budget.check(&estimate)?;
    }
    let network = Network::from_path(&input.path)?;
    network_diagram(&network, opts).with_context(|| format!("{}", input.path.display()))
}

/// The diagrams of many inputs, in parallel (one input per task), in input order.
///
/// # Errors
///
/// The first failing input (in input order).
pub fn input_diagrams(inputs: &[Input], opts: &DiagramOptions) -> Result<Vec<Diagram>> {
    inputs.par_iter().map(|i| input_diagram(i, opts)).collect::<Vec<_>>().into_iter().collect()
}

/// The labelled diagrams of many inputs, in input order: as
/// [`input_diagrams`], except that a giotto-style `.npy` batch of shape
/// `(N, n, 3)` gives `N` diagrams labelled `stem[0]`, …, `stem[N−1]`.
///
/// # Errors
///
/// The first failing input (in input order).
pub fn input_diagrams_labelled(
    inputs: &[Input],
    opts: &DiagramOptions,
) -> Result<(Vec<String>, Vec<Diagram>)> {
    let per_input: Vec<Vec<(String, Diagram)>> = inputs
        .par_iter()
        .map(|i| {
            if i.is_diagram_npy() {
                let ds = crate::io::read_diagrams_npy(&i.path)?;
                let batch = ds.len() != 1;
                Ok(ds
                    .into_iter()
                    .enumerate()
                    .map(|(k, d)| {
                        (if batch { format!("{}[{k}]", i.label) } else { i.label.clone() }, d)
                    })
                    .collect())
            } else {
                Ok(vec![(i.label.clone(), input_diagram(i, opts)?)])
            }
        })
        .collect::<Vec<Result<_>>>()
        .into_iter()
        .collect::<Result<_>>()?;
    Ok(per_input.into_iter().flatten().unzip())
}

/// Filters, pads and caps a batch the way the paper does (giotto `Filtering`, then
/// inf → `opts.infinity`).
///
/// # Errors
///
/// An empty batch or invalid values.
pub fn prepare_batch(diagrams: &[Diagram], opts: &CompareOptions) -> Result<DiagramBatch> {
    let dim_count = diagrams.iter().map(Diagram::dim_count).max().unwrap_or(0).max(1);
    let mut batch = DiagramBatch::giotto_filtered(diagrams, dim_count, opts.epsilon)?;
    batch.cap_infinity(opts.infinity)?;
    Ok(batch)
}

/// The pairwise distance matrix of a batch of diagrams.
///
/// `progress` is called with (pairs done, pairs total).
///
/// # Errors
///
/// Invalid metric options or values.
pub fn compare(
    diagrams: &[Diagram],
    opts: &CompareOptions,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<DistanceMatrix> {
    let batch = prepare_batch(diagrams, opts)?;
    Ok(match progress {
        Some(p) => nnph_distance::pairwise_with_progress(&batch, &opts.metric, Par::Rayon, p)?,
        None => nnph_distance::pairwise(&batch, &opts.metric, Par::Rayon)?,
    })
}

/// Builds the inputs for every file of `dir` with one of `extensions`, sorted by name.
///
/// # Errors
///
/// An unreadable directory.
pub fn inputs_in_dir(dir: &Path, extensions: &[&str]) -> Result<Vec<Input>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list directory", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)))
        .collect();
    paths.sort();
    Ok(paths.into_iter().map(Input::new).collect())
}
