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
use nnph_complex::budget::{Estimate, MemoryBudget};
use nnph_distance::{
    DiagramBatch, DiagramSource, DistanceMatrix, GridMode, MetricOptions, Par, SharedGridPlan,
    StreamOptions,
};
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
    input_diagrams_traced(inputs, opts).map(|(labels, diagrams, _)| (labels, diagrams))
}

/// [`input_diagrams_labelled`], with the origin of each diagram: the index of
/// its input and its index within that input (see [`with_diagram_origin`]).
///
/// # Errors
///
/// As [`input_diagrams_labelled`].
#[allow(clippy::type_complexity)]
pub fn input_diagrams_traced(
    inputs: &[Input],
    opts: &DiagramOptions,
) -> Result<(Vec<String>, Vec<Diagram>, Vec<(usize, usize)>)> {
    let per_input: Vec<Vec<(String, Diagram)>> = inputs
        .par_iter()
        .map(|i| {
            if i.is_diagram_npy() {
                // A batch too large to compare is refused before it is read.
                let count = crate::io::NpyDiagrams::open(&i.path)?.len();
                check_npy_count(&i.path, count, &opts.persistence.budget)?;
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
    let origins = per_input
        .iter()
        .enumerate()
        .flat_map(|(input, ds)| (0..ds.len()).map(move |k| (input, k)))
        .collect();
    let (labels, diagrams) = per_input.into_iter().flatten().unzip();
    Ok((labels, diagrams, origins))
}

/// Names the input of the diagram a distance error is about (an invalid or
/// essential point, a diagram read differently twice): `origin(i)` gives the
/// index of diagram `i`'s input and its index within the input. Other errors
/// are returned unchanged.
pub fn with_diagram_origin(
    err: anyhow::Error,
    inputs: &[Input],
    origin: impl Fn(usize) -> Option<(usize, usize)>,
) -> anyhow::Error {
    use nnph_distance::ErrorKind;
    let Some(e) = err.downcast_ref::<nnph_distance::Error>() else { return err };
    let i = match e.kind() {
        ErrorKind::InvalidPoint { diagram, .. }
        | ErrorKind::EssentialPoint { diagram, .. }
        | ErrorKind::SourceChanged { diagram } => *diagram,
        _ => return err,
    };
    let Some((input, k)) = origin(i) else { return err };
    let Some(input) = inputs.get(input) else { return err };
    let text = if input.is_diagram_npy() {
        format!("{} (its diagram {k}; diagram {i} of the comparison)", input.path.display())
    } else {
        format!("{} (diagram {i} of the comparison)", input.path.display())
    };
    err.context(text)
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

/// Refuses a comparison of `n` diagrams in `dims` dimensions whose distance
/// matrices (the values, the per-dimension values and the per-pair work
/// lists) would not fit in `budget`, before anything of that size is
/// allocated.
///
/// # Errors
///
/// The estimate is over the budget.
pub fn check_compare_budget(n: usize, dims: usize, budget: &MemoryBudget) -> Result<()> {
    let (n, dims) = (n as u128, dims.max(1) as u128);
    let pairs = n * n.saturating_sub(1) / 2;
    let estimate = Estimate::new(
        format!("the distance matrices of {n} diagrams in {dims} dimensions"),
        n * n * 8 * (1 + dims) + pairs * (16 + 24 + 8 * dims),
    )
    .with_hint("compare fewer diagrams at once");
    Ok(budget.check(&estimate)?)
}

/// Refuses a diagram `.npy` file holding more diagrams than
/// [`check_compare_budget`] allows, naming the file.
fn check_npy_count(path: &Path, count: usize, budget: &MemoryBudget) -> Result<()> {
    check_compare_budget(count, 1, budget)
        .with_context(|| format!("{}: holds {count} diagrams", path.display()))
}

/// The most `.npy` files [`NpyDiagramSource`] keeps open.
pub const MAX_STREAMED_FILES: usize = 256;

/// The diagrams of giotto-style `.npy` files (single diagrams or `(N, n, 3)`
/// batches), in input order, read from disk on every visit (see
/// [`crate::io::NpyDiagrams`]): a [`DiagramSource`] for
/// [`compare_streamed`].
#[derive(Debug)]
pub struct NpyDiagramSource {
    files: Vec<(PathBuf, crate::io::NpyDiagrams<'static>)>,
    /// Index of the first diagram of each file, then the total.
    starts: Vec<usize>,
    labels: Vec<String>,
}

impl NpyDiagramSource {
    /// Opens every input (each must be a diagram `.npy`) and checks its
    /// header; `None` if an array is stored in Fortran order (its diagrams are
    /// not contiguous) or there are more than [`MAX_STREAMED_FILES`] inputs
    /// (each stays open): read those whole with [`input_diagrams_labelled`].
    ///
    /// # Errors
    ///
    /// The first input that cannot be opened or is not a diagram `.npy`, or
    /// that holds more diagrams than `budget` allows to compare.
    pub fn open(inputs: &[Input], budget: &MemoryBudget) -> Result<Option<Self>> {
        if inputs.len() > MAX_STREAMED_FILES {
            return Ok(None);
        }
        let mut files = Vec::with_capacity(inputs.len());
        let mut starts = vec![0];
        let mut labels = Vec::new();
        for input in inputs {
            let file = crate::io::NpyDiagrams::open(&input.path)?;
            check_npy_count(&input.path, file.len(), budget)?;
            if file.fortran_order() {
                return Ok(None);
            }
            let total = starts.last().copied().unwrap_or(0) + file.len();
            if file.len() == 1 {
                labels.push(input.label.clone());
            } else {
                // Bounded: at most MAX_NPY_DIAGRAMS per file.
                labels.extend((0..file.len()).map(|k| format!("{}[{k}]", input.label)));
            }
            starts.push(total);
            files.push((input.path.clone(), file));
        }
        Ok(Some(Self { files, starts, labels }))
    }

    /// The input (index into the inputs given to [`NpyDiagramSource::open`])
    /// and the index within it of diagram `i`.
    pub fn origin(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len() {
            return None;
        }
        let f = self.starts.partition_point(|&s| s <= i).saturating_sub(1);
        Some((f, i - self.starts[f]))
    }

    /// The file holding diagram `i`, and the diagram's index in it.
    fn file_of(&self, i: usize) -> Result<(&Path, &crate::io::NpyDiagrams<'static>, usize)> {
        let (f, k) = self.origin(i).context("diagram index out of range")?;
        let (path, file) = &self.files[f];
        Ok((path, file, k))
    }

    /// The label of each diagram: the file stem, with `[k]` for the diagrams
    /// of a batch (as [`input_diagrams_labelled`]).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
}

impl DiagramSource for NpyDiagramSource {
    type Error = anyhow::Error;

    fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    fn visit<F: FnMut(usize, nnph_homology::PersistencePair)>(
        &self,
        i: usize,
        sink: F,
    ) -> Result<()> {
        let (path, file, k) = self.file_of(i)?;
        file.visit(k, sink).with_context(|| crate::io::npy_context(path))
    }

    fn visit_collapsing_trivial<F: FnMut(usize, nnph_homology::PersistencePair)>(
        &self,
        i: usize,
        sink: F,
    ) -> Result<()> {
        let (path, file, k) = self.file_of(i)?;
        file.visit_collapsing_trivial(k, sink).with_context(|| crate::io::npy_context(path))
    }
}

/// Whether [`compare_streamed`] applies: every input is a diagram `.npy` and
/// the metric is grid-based on one grid for all pairs (fixed or giotto-joint).
pub fn streams(inputs: &[Input], opts: &CompareOptions) -> bool {
    !inputs.is_empty()
        && inputs.iter().all(Input::is_diagram_npy)
        && opts.metric.metric.uses_grid()
        && matches!(opts.metric.grid, GridMode::Fixed { .. } | GridMode::GiottoJoint)
}

/// [`compare`] for diagrams read from disk twice instead of held
/// ([`SharedGridPlan`]): a first pass keeps a few numbers per diagram and
/// dimension for the batch's grid, a second vectorises each diagram as it is
/// read and keeps only its vectors. The matrix is bit for bit that of
/// [`compare`] on the same diagrams; the memory is the vectors, the matrix and
/// one diagram per thread, checked against `budget` before each pass.
///
/// `progress` is called with (diagrams and pairs done, total) in the second pass.
///
/// # Errors
///
/// Unreadable or invalid diagrams (the first in input order), invalid
/// options, or a comparison over the budget.
pub fn compare_streamed<S: DiagramSource<Error = anyhow::Error> + ?Sized>(
    source: &S,
    opts: &CompareOptions,
    budget: &MemoryBudget,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<DistanceMatrix> {
    plan_streamed(source, opts, budget)?.pairwise(source, Par::Rayon, progress)
}

/// The first pass of [`compare_streamed`]: the plan, checked against `budget`
/// (before the pass, the matrices; after it, everything the second pass
/// holds); finish with [`SharedGridPlan::pairwise`] on the same source.
///
/// # Errors
///
/// As [`compare_streamed`].
pub fn plan_streamed<S: DiagramSource<Error = anyhow::Error> + ?Sized>(
    source: &S,
    opts: &CompareOptions,
    budget: &MemoryBudget,
) -> Result<SharedGridPlan> {
    check_compare_budget(source.len(), 1, budget)?;
    let mut prep = StreamOptions::giotto(opts.epsilon, opts.infinity);
    // Points kept between the passes take at most a quarter of the budget.
    if let Some(limit) = budget.limit() {
        prep.retain_bytes = prep.retain_bytes.min(usize::try_from(limit / 4).unwrap_or(usize::MAX));
    }
    let plan = SharedGridPlan::scan(source, prep, &opts.metric, Par::Rayon)?;
    let estimate = Estimate::new(
        format!(
            "the vectors and distance matrices of {} diagrams in {} dimensions",
            plan.len(),
            plan.dim_count()
        ),
        plan.memory_bytes(),
    )
    .with_hint("compare fewer diagrams at once, or use fewer bins");
    budget.check(&estimate)?;
    Ok(plan)
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
