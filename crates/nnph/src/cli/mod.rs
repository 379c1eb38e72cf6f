//! Command-line interface: argument parsing and the subcommands.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use graph::GraphCmdArgs;
use nnph::distance::{GridMode, Metric, MetricOptions};
use nnph::homology::persistence::{PersistenceOptions, Shortcut};
use nnph::network::{BiasVertices, Direction, GraphOptions, Normalisation};
use nnph::pipeline::{self, CompareOptions, DiagramOptions, Input};
use plot::PlotArgs;
use rips::RipsArgs;

#[cfg(feature = "train")]
mod control;
#[cfg(feature = "train")]
mod experiment;
mod graph;
mod plot;
mod rips;
#[cfg(feature = "train")]
mod study;
mod ui;

/// Persistent homology of neural networks: diagrams and distances, as in
/// Pérez-Fernández et al. (2021), exactly and fast.
#[derive(Debug, Parser)]
#[command(name = "nnph", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Worker threads (default: RAYON_NUM_THREADS, else all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress bars (they are drawn on stderr, and only when it is a terminal).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Print the time of each stage on stderr.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute the persistence diagram of each network (one nnph-diagram/1 JSON per network).
    Diagram(DiagramArgs),
    /// Distance matrix between networks (or diagram JSON files) for one metric.
    Compare(CompareArgs),
    /// Run the paper's experiment on the bundled 19 digits networks: diagrams, the three
    /// paper metrics, heatmaps, group statistics, and agreement with the reference outputs.
    Demo(DemoArgs),
    /// Describe a network file: layers, parameters, graph size.
    Info(InfoArgs),
    /// Draw a persistence diagram, barcode or Betti curves (SVG or PNG).
    Plot(PlotArgs),
    /// Write a network's weighted digraph as a flagser .flag file (for flagser, pyflagser, …).
    Graph(GraphCmdArgs),
    /// Persistent homology of a weighted graph in flagser's .flag format (directed flag complex).
    Flag(FlagArgs),
    /// Rerun the paper's study: train its 19 networks, then diagrams, distances, statistics.
    #[cfg(feature = "train")]
    Experiment(experiment::ExperimentArgs),
    /// Vietoris–Rips persistent homology of a distance matrix or point cloud (Ripser's formats).
    Rips(RipsArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnph flag graph.flag                                  directed flag complex, H0..H3, Z/2\n  nnph flag graph.flag --max-dim 5 --coeff 3 --json d.json\n  nnph flag graph.flag --undirected --summary           clique complex, counts and Betti numbers"
)]
struct FlagArgs {
    /// The graph (`dim 0:` vertex values, `dim 1:` lines `src dst value`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Undirected flag complex (cliques) instead of the directed one.
    #[arg(long)]
    undirected: bool,
    /// Highest homology dimension computed.
    #[arg(long, default_value_t = 3, value_name = "K")]
    max_dim: usize,
    /// Coefficients in Z/P for a prime P < 2^16.
    #[arg(long, alias = "modulus", default_value_t = 2, value_name = "P")]
    coeff: u16,
    /// Engine for complexes with 2-cells: implicit (fast, parallel enumeration) or explicit
    /// (the reference: every cell stored, standard reduction, Z/2 only).
    #[arg(long, default_value = "implicit", value_name = "E")]
    engine: nnph::homology::FlagEngine,
    /// Memory the computation may use, e.g. 512MB, 4GiB, 50% (of physical memory) or
    /// unlimited. Refused before the cells are stored if the estimate is larger.
    #[arg(long, default_value = "50%", value_name = "B")]
    memory_budget: String,
    /// Print only the number of pairs and the Betti numbers per dimension, not every interval.
    #[arg(long)]
    summary: bool,
    /// Also write the diagram as nnph-diagram/1 JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct GraphArgs {
    /// Edge direction: by-sign (the paper: w > 0 forward, else backward) or forward.
    #[arg(long, value_enum, default_value_t = DirectionArg::BySign)]
    direction: DirectionArg,
    /// Normaliser of |w|: global (max |parameter| of the network, the paper) or per-layer.
    #[arg(long, value_enum, default_value_t = NormalisationArg::Global)]
    normalisation: NormalisationArg,
    /// Leave biases out of the normaliser (the paper includes them).
    #[arg(long)]
    exclude_bias_from_normaliser: bool,
    /// No bias vertices (the paper has one bias vertex per neuron).
    #[arg(long)]
    no_bias_vertices: bool,
    /// Smallest edge value ζ: edge = max(1 − |w|/M, ζ).
    #[arg(long, default_value_t = 1e-6, value_name = "ZETA")]
    zeta: f32,
    /// Undirected flag complex (the paper uses the directed one; for plain MLPs both agree).
    #[arg(long)]
    undirected: bool,
    /// Highest homology dimension computed (the paper: 3).
    #[arg(long, default_value_t = 3, value_name = "K")]
    max_dim: usize,
    /// Keep the full H0 (do not drop giotto's last essential bar nor pairs with birth = death).
    #[arg(long)]
    unreduced: bool,
    /// Add the reference's `layer_activation_link` edges (every ordered pair of neurons of a
    /// layer, value 1/n + 1/activation_count): the graph gets triangles, and the flag complex
    /// higher cells (much slower; unused in the paper).
    #[arg(long)]
    layer_activation_link: bool,
    /// Memory one network's computation may use, e.g. 512MB, 4GiB, 50% (of physical memory)
    /// or unlimited. Each stage estimates its needs first and refuses above the budget.
    #[arg(long, default_value = "50%", value_name = "B")]
    memory_budget: nnph::complex::budget::MemoryBudget,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DirectionArg {
    BySign,
    Forward,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum NormalisationArg {
    Global,
    PerLayer,
}

impl GraphArgs {
    fn options(&self) -> DiagramOptions {
        let mut graph = GraphOptions::default();
        graph.direction = match self.direction {
            DirectionArg::BySign => Direction::BySign,
            DirectionArg::Forward => Direction::Forward,
        };
        graph.normalisation = match self.normalisation {
            NormalisationArg::Global => Normalisation::Global,
            NormalisationArg::PerLayer => Normalisation::PerLayer,
        };
        graph.include_bias_in_normaliser = !self.exclude_bias_from_normaliser;
        graph.bias_vertices =
            if self.no_bias_vertices { BiasVertices::None } else { BiasVertices::PerNeuron };
        graph.zeta = self.zeta;
        graph.layer_activation_link = self.layer_activation_link;
        let mut persistence = PersistenceOptions::default();
        persistence.directed = !self.undirected;
        persistence.max_dim = self.max_dim;
        persistence.shortcut = Shortcut::Auto;
        persistence.budget = self.memory_budget;
        DiagramOptions { graph, persistence, giotto_reduced: !self.unreduced }
    }
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnph diagram net.safetensors                          net.json beside the network\n  nnph diagram nets/*.npz --out diagrams/               one nnph-diagram/1 file per network\n  nnph diagram net.npz --layer-activation-link --max-dim 2"
)]
struct DiagramArgs {
    /// Network files (.npz with W0,b0,… or PyTorch names; .safetensors; .onnx with Gemm or
    /// MatMul+Add layers).
    #[arg(required = true, value_name = "NET")]
    nets: Vec<PathBuf>,
    /// Output directory (default: beside each input).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also write each diagram as .npy rows (birth, death, dim).
    #[arg(long)]
    npy: bool,
    #[command(flatten)]
    graph: GraphArgs,
}

#[derive(Debug, Args)]
struct MetricArgs {
    /// Metric: heat, heat-density, silhouette, landscape, betti, persistence-image
    /// (grid-based), wasserstein, bottleneck (matching distances, L∞ ground metric; no grid)
    /// or sliced-wasserstein (no grid).
    #[arg(long, value_name = "M")]
    metric: String,
    /// Lifetime threshold: pairs with death − birth ≤ ε are removed (giotto Filtering).
    #[arg(long, default_value_t = 0.01, value_name = "EPS")]
    epsilon: f64,
    /// Value that replaces infinite deaths after filtering.
    #[arg(long, default_value_t = 1.0, value_name = "V")]
    infinity: f64,
    /// Number of grid samples per dimension (grid-based metrics).
    #[arg(long, default_value_t = 200, value_name = "N")]
    n_bins: usize,
    /// Grid: giotto (per pair, batch-dependent padding, the paper), giotto-joint (one fit over
    /// the whole batch) or fixed:LO,HI (same for every pair and batch).
    #[arg(long, default_value = "giotto", value_name = "G")]
    grid: String,
    /// L^p norm of the vectorisation difference (grid-based metrics).
    #[arg(long, default_value_t = 2.0, value_name = "P")]
    p: f64,
    /// Norm combining the per-dimension distances.
    #[arg(long, default_value_t = 2.0, value_name = "Q")]
    order: f64,
    /// Gaussian width for heat and persistence-image.
    #[arg(long, default_value_t = 0.1)]
    sigma: f64,
    /// Silhouette weight power.
    #[arg(long, default_value_t = 1.0)]
    power: f64,
    /// Number of landscape layers.
    #[arg(long, default_value_t = 1)]
    n_layers: usize,
    /// Wasserstein exponent (≥ 1; inf gives the bottleneck distance).
    #[arg(long, default_value_t = 2.0, value_name = "Q")]
    q: f64,
    /// Allowed relative error of wasserstein and bottleneck (0 ≤ D < 1; 0 = exact): the
    /// value is within a factor 1 + D of the exact one (auction / bisection with a
    /// certificate; diagrams on one line, and wasserstein up to 200,000 points, are exact).
    #[arg(long, default_value_t = 0.01, value_name = "D")]
    delta: f64,
    /// Number of directions of sliced-wasserstein.
    #[arg(long, default_value_t = 50, value_name = "N")]
    n_directions: usize,
}

impl MetricArgs {
    fn options(&self) -> Result<CompareOptions> {
        let metric: Metric = self.metric.parse().map_err(|e| anyhow::anyhow!("--metric: {e}"))?;
        let metric = match metric {
            Metric::Heat { .. } => Metric::Heat { sigma: self.sigma },
            Metric::Silhouette { .. } => Metric::Silhouette { power: self.power },
            Metric::Landscape { .. } => Metric::Landscape { n_layers: self.n_layers },
            Metric::PersistenceImage { weight, .. } => {
                Metric::PersistenceImage { sigma: self.sigma, weight }
            }
            Metric::Wasserstein { .. } => Metric::Wasserstein { q: self.q, delta: self.delta },
            Metric::Bottleneck { .. } => Metric::Bottleneck { delta: self.delta },
            Metric::HeatDensity { .. } => Metric::HeatDensity { sigma: self.sigma },
            Metric::SlicedWasserstein { .. } => {
                Metric::SlicedWasserstein { n_directions: self.n_directions }
            }
            other => other,
        };
        let mut opts = CompareOptions::paper(metric);
        opts.epsilon = self.epsilon;
        opts.infinity = self.infinity;
        let mut m: MetricOptions = opts.metric;
        m.n_bins = self.n_bins;
        m.p = self.p;
        m.order = self.order;
        m.grid = parse_grid(&self.grid)?;
        opts.metric = m;
        Ok(opts)
    }
}

fn parse_grid(s: &str) -> Result<GridMode> {
    if s == "giotto" {
        return Ok(GridMode::Giotto);
    }
    if s == "giotto-joint" {
        return Ok(GridMode::GiottoJoint);
    }
    if let Some(rest) = s.strip_prefix("fixed") {
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        if rest.is_empty() {
            return Ok(GridMode::Fixed { lo: 0.0, hi: 1.0 });
        }
        let (lo, hi) = rest.split_once(',').context("--grid fixed:LO,HI")?;
        let lo: f64 = lo.trim().parse().context("--grid fixed:LO,HI: LO is not a number")?;
        let hi: f64 = hi.trim().parse().context("--grid fixed:LO,HI: HI is not a number")?;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            bail!("--grid fixed:LO,HI needs finite LO < HI");
        }
        return Ok(GridMode::Fixed { lo, hi });
    }
    bail!("--grid must be giotto, giotto-joint or fixed:LO,HI, not {s:?}")
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnph compare a.npz b.npz c.npz --metric heat          CSV on stdout\n  nnph compare nets/*.npz --metric silhouette --out s.npy --heatmap s.png --groups 4,5,5,5\n  nnph compare diagrams/*.json --metric wasserstein --q 2 --delta 0\n  nnph compare batch.npy --metric landscape --grid fixed:0,1"
)]
struct CompareArgs {
    /// Networks, nnph-diagram/1 JSON files or giotto-style .npy diagrams ((n, 3) rows
    /// birth, death, dim; an (N, n, 3) batch counts as N inputs) — at least two diagrams.
    #[arg(required = true, num_args = 1.., value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output matrix: .npy (float64 n×n) or .csv (with labels). Default: CSV on stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also draw the matrix as a heatmap: .svg or .png.
    #[arg(long, value_name = "FILE")]
    heatmap: Option<PathBuf>,
    /// Sizes of consecutive groups of inputs, drawn as separators on the heatmap (e.g. the
    /// paper's `4,5,5,5`).
    #[arg(long, value_delimiter = ',', value_name = "N,…")]
    groups: Vec<usize>,
    /// Print progress to stderr.
    #[arg(long)]
    progress: bool,
    #[command(flatten)]
    metric: MetricArgs,
    #[command(flatten)]
    graph: GraphArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnph demo                                             bundled digits networks, ./nnph-demo\n  nnph demo --nets my_nets/ --out results/"
)]
struct DemoArgs {
    /// Folder of networks (*.npz, *.safetensors, *.onnx), taken in file-name order. Default:
    /// the bundled digits networks, testdata/golden/digits19/nets of the source tree.
    #[arg(long, value_name = "DIR", hide_default_value = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/golden/digits19/nets"))]
    nets: PathBuf,
    /// Folder of reference matrices (<metric>.npy) to compare against, if present. Default:
    /// testdata/golden/digits19/golden/distances of the source tree.
    #[arg(long, value_name = "DIR", hide_default_value = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/golden/digits19/golden/distances"))]
    golden: PathBuf,
    /// Output folder for matrices (.npy, .csv) and heatmaps (.svg).
    #[arg(long, value_name = "DIR", default_value = "nnph-demo")]
    out: PathBuf,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  nnph info net.safetensors\n  nnph info nets/*.npz")]
struct InfoArgs {
    /// Network files.
    #[arg(required = true, value_name = "NET")]
    nets: Vec<PathBuf>,
    #[command(flatten)]
    graph: GraphArgs,
}

/// Parses the command line, runs it, and maps errors to exit code 1 with one line on stderr.
pub(crate) fn run() -> ExitCode {
    let cli = Cli::parse();
    ui::init(cli.quiet, cli.verbose);
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global()
    {
        eprintln!("nnph: --threads {n}: {e}");
        return ExitCode::from(2);
    }
    let result = match &cli.command {
        Command::Diagram(a) => cmd_diagram(a),
        Command::Compare(a) => cmd_compare(a),
        Command::Demo(a) => cmd_demo(a),
        Command::Info(a) => cmd_info(a),
        Command::Plot(a) => plot::cmd_plot(a),
        Command::Graph(a) => graph::cmd_graph(a),
        Command::Flag(a) => cmd_flag(a),
        Command::Rips(a) => rips::cmd_rips(a),
        #[cfg(feature = "train")]
        Command::Experiment(a) => experiment::cmd_experiment(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The causes, each once: library errors often display their source too.
            let mut line = String::new();
            for cause in e.chain() {
                let text = cause.to_string().replace('\n', " ");
                if !line.contains(&text) {
                    if !line.is_empty() {
                        line.push_str(": ");
                    }
                    line.push_str(&text);
                }
            }
            eprintln!("nnph: {line}");
            ExitCode::from(1)
        }
    }
}

fn cmd_diagram(a: &DiagramArgs) -> Result<()> {
    let opts = a.graph.options();
    let inputs: Vec<Input> = a.nets.iter().map(Input::new).collect();
    let bar = ui::bar(inputs.len() as u64, "diagrams");
    for input in &inputs {
        let t = Instant::now();
        let diagram = pipeline::input_diagram(input, &opts)?;
        ui::timing(&format!("{}: diagram", input.label), t.elapsed().as_secs_f64());
        bar.inc(1);
        let dir = match &a.out {
            Some(d) => d.clone(),
            None => input.path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let json = dir.join(format!("{}.json", input.label));
        nnph::io::write_diagram_json(&json, &diagram, Some(&input.path.display().to_string()))?;
        if a.npy {
            nnph::io::write_diagram_npy(&dir.join(format!("{}.npy", input.label)), &diagram)?;
        }
        let counts: Vec<String> = diagram.dims().iter().map(|d| d.len().to_string()).collect();
        bar.suspend(|| {
            println!(
                "{}: pairs per dimension [{}] -> {}",
                input.path.display(),
                counts.join(", "),
                json.display()
            );
        });
    }
    bar.finish_and_clear();
    Ok(())
}

fn cmd_compare(a: &CompareArgs) -> Result<()> {
    let copts = a.metric.options()?;
    let dopts = a.graph.options();
    let inputs: Vec<Input> = a.inputs.iter().map(Input::new).collect();
    let budget = dopts.persistence.budget;
    let t0 = Instant::now();
    let bar = ui::bar(0, "pairs");
    let draw = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = |done: usize, total: usize| {
        if done == total || done.is_multiple_of(16) {
            eprint!("\rnnph: {done}/{total} pairs");
            if done == total {
                eprintln!();
            }
        }
    };
    // Bars on a terminal; `--progress` also reports when stderr is not a terminal.
    let progress: Option<&(dyn Fn(usize, usize) + Sync)> = if ui::shows_progress() {
        Some(&draw)
    } else if a.progress {
        Some(&report)
    } else {
        None
    };
    // Diagram .npy files on one grid for all pairs: read twice, diagram by diagram, keeping
    // only each diagram's vectors (the same matrix in a fraction of the memory).
    let source = if pipeline::streams(&inputs, &copts) {
        pipeline::NpyDiagramSource::open(&inputs, &budget)?
    } else {
        None
    };
    let (labels, m, t1) = if let Some(source) = source {
        if source.labels().len() < 2 {
            bail!("compare needs at least two diagrams, got {}", source.labels().len());
        }
        // The first pass reads the diagrams (the "diagrams" stage), the second reads them
        // again unless the first kept them, vectorises them and computes the pairs.
        let origin = |e| pipeline::with_diagram_origin(e, &inputs, |i| source.origin(i));
        let spinner = ui::spinner(&format!("{} diagrams (first pass)", source.labels().len()));
        let plan = pipeline::plan_streamed(&source, &copts, &budget).map_err(origin)?;
        spinner.finish_and_clear();
        let t1 = Instant::now();
        let m = plan.pairwise(&source, nnph::distance::Par::Rayon, progress).map_err(origin)?;
        (source.labels().to_vec(), m, t1)
    } else {
        let spinner = ui::spinner(&format!("diagrams of {} inputs", inputs.len()));
        let (labels, diagrams, origins) = pipeline::input_diagrams_traced(&inputs, &dopts)?;
        spinner.finish_and_clear();
        if diagrams.len() < 2 {
            bail!("compare needs at least two diagrams, got {}", diagrams.len());
        }
        let dims = diagrams.iter().map(nnph::homology::Diagram::dim_count).max().unwrap_or(1);
        pipeline::check_compare_budget(diagrams.len(), dims, &budget)?;
        let t1 = Instant::now();
        let m = pipeline::compare(&diagrams, &copts, progress)
            .map_err(|e| pipeline::with_diagram_origin(e, &inputs, |i| origins.get(i).copied()))?;
        (labels, m, t1)
    };
    bar.finish_and_clear();
    let t2 = Instant::now();
    ui::timing("diagrams", (t1 - t0).as_secs_f64());
    ui::timing("distances", (t2 - t1).as_secs_f64());
    match &a.out {
        Some(path) => nnph::io::write_matrix(path, m.n, &m.values, &labels)?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            nnph::io::write_csv(&mut lock, m.n, &m.values, &labels)?;
        }
    }
    if let Some(image) = &a.heatmap {
        nnph::plot::heatmap(
            image,
            &m.values,
            m.n,
            &labels,
            &a.groups,
            &format!("{} distance", copts.metric.metric),
        )?;
    }
    if a.progress {
        eprintln!(
            "nnph: diagrams {:.2} s, distances {:.2} s",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64()
        );
    }
    Ok(())
}

/// Edges per second of the diagram stage on one core of the reference machine (the paper-size
/// MNIST batch: 18.2 M edges in 2.6 s on 2 cores, reading included).
const EDGES_PER_SECOND: f64 = 3.5e6;

/// Graphs up to this many edges get their flag complex's cells counted by `info` when they
/// have triangles (counting a larger one can itself take long).
const INFO_COUNT_LIMIT: usize = 200_000;

fn cmd_info(a: &InfoArgs) -> Result<()> {
    let opts = a.graph.options();
    for path in &a.nets {
        let net = nnph::network::Network::from_path(path)?;
        let estimate = pipeline::graph_estimate(&net, &opts.graph);
        let graph = net.to_graph(&opts.graph).with_context(|| format!("{}", path.display()))?;
        let filtered = nnph::complex::FilteredGraph::from_petgraph(&graph)?;
        println!("{}:", path.display());
        println!(
            "  layers {:?}, {} parameters, max |parameter| {}",
            net.layer_sizes(),
            net.parameter_count(),
            net.max_abs_parameter()
        );
        println!("  graph: {} vertices, {} edges", filtered.vertex_count(), filtered.edge_count());
        let complex = nnph::complex::FlagComplex::new(&filtered, opts.persistence.directed);
        let max_dim = opts.persistence.max_dim;
        if complex.has_cells(2) {
            if filtered.edge_count() <= INFO_COUNT_LIMIT {
                let counts = complex.cell_counts(max_dim + 1);
                println!(
                    "  flag complex cells, dimensions 0..={}: {counts:?} (the flag engine is needed)",
                    max_dim + 1
                );
                // The engine's prefix tree: 16 bytes per cell, 8 at the top dimension, plus
                // about 28 bytes per column of the largest dimension reduced.
                let top = counts.len() - 1;
                let tree: usize = counts
                    .iter()
                    .enumerate()
                    .map(|(d, &c)| if d == top { 8 * c } else { 16 * c })
                    .sum();
                let columns = counts[..top].iter().copied().max().unwrap_or(0);
                println!(
                    "  persistence: about {} of memory for the flag engine",
                    nnph::complex::budget::human_bytes((tree + 28 * columns) as u128)
                );
            } else {
                println!(
                    "  the flag complex has triangles: the flag engine counts its cells level by level before storing them, under --memory-budget"
                );
            }
        } else {
            let mut counts = vec![filtered.vertex_count(), filtered.edge_count()];
            counts.resize(max_dim + 2, 0);
            println!(
                "  flag complex cells, dimensions 0..={}: {counts:?} (no triangles: the exact graph shortcut applies)",
                max_dim + 1
            );
            println!(
                "  diagram: about {} of memory and {:.2} s on one core",
                nnph::complex::budget::human_bytes(estimate.bytes),
                filtered.edge_count() as f64 / EDGES_PER_SECOND
            );
        }
        match opts.persistence.budget.limit() {
            Some(limit) if !opts.persistence.budget.allows(estimate.bytes) => println!(
                "  over the memory budget of {}",
                nnph::complex::budget::human_bytes(u128::from(limit))
            ),
            _ => {}
        }
    }
    Ok(())
}

fn cmd_flag(a: &FlagArgs) -> Result<()> {
    let file = std::fs::File::open(&a.file)
        .with_context(|| format!("{}: cannot open", a.file.display()))?;
    let graph = nnph::complex::flag::read_flag(std::io::BufReader::new(file))
        .with_context(|| format!("{}", a.file.display()))?;
    let mut opts = PersistenceOptions::default();
    opts.directed = !a.undirected;
    opts.max_dim = a.max_dim;
    opts.modulus = a.coeff;
    opts.engine = a.engine;
    opts.budget = a.memory_budget.parse().context("--memory-budget")?;
    let spinner = ui::spinner(&format!("persistence of a {}-vertex graph", graph.vertex_count()));
    let t = Instant::now();
    let diagram = nnph::homology::persistence::flag_persistence(&graph, &opts)
        .with_context(|| format!("{}", a.file.display()))?;
    spinner.finish_and_clear();
    ui::timing("persistence", t.elapsed().as_secs_f64());
    if a.summary {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        use std::io::Write as _;
        for (q, pairs) in diagram.dims().iter().enumerate() {
            let essential = pairs.iter().filter(|p| p.is_essential()).count();
            writeln!(out, "dim {q}: {} pairs, {essential} essential", pairs.len())?;
        }
        writeln!(out, "betti numbers: {}", betti_line(&diagram))?;
        out.flush()?;
        if let Some(json) = &a.json {
            nnph::io::write_diagram_json(json, &diagram, Some(&a.file.display().to_string()))?;
        }
        return Ok(());
    }
    print_barcodes(&diagram, a.json.as_deref(), &a.file)
}

/// The Betti numbers (essential pairs per dimension), space-separated.
fn betti_line(diagram: &nnph::homology::Diagram) -> String {
    let betti: Vec<String> = diagram.betti_numbers().iter().map(usize::to_string).collect();
    betti.join(" ")
}

/// Prints a diagram as Ripser does (`persistence intervals in dim q:` then ` [b,d)` lines),
/// then the Betti numbers; writes nnph-diagram/1 JSON to `json` if given.
fn print_barcodes(
    diagram: &nnph::homology::Diagram,
    json: Option<&Path>,
    source: &Path,
) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    use std::io::Write as _;
    for (q, pairs) in diagram.dims().iter().enumerate() {
        writeln!(out, "persistence intervals in dim {q}:")?;
        for p in pairs {
            if p.death.is_finite() {
                writeln!(out, " [{},{})", p.birth, p.death)?;
            } else {
                writeln!(out, " [{}, )", p.birth)?;
            }
        }
    }
    let betti: Vec<String> = diagram
        .dims()
        .iter()
        .map(|d| d.iter().filter(|p| p.is_essential()).count().to_string())
        .collect();
    writeln!(out, "betti numbers: {}", betti.join(" "))?;
    out.flush()?;
    if let Some(json) = json {
        nnph::io::write_diagram_json(json, diagram, Some(&source.display().to_string()))?;
    }
    Ok(())
}

fn cmd_demo(a: &DemoArgs) -> Result<()> {
    let nets_dir = &a.nets;
    let inputs = pipeline::inputs_in_dir(nets_dir, &["npz", "safetensors", "onnx"])?;
    if inputs.is_empty() {
        bail!("{}: no networks found", nets_dir.display());
    }
    println!("nnph demo: {} networks from {}", inputs.len(), nets_dir.display());
    let t0 = Instant::now();
    let spinner = ui::spinner("diagrams");
    let diagrams = pipeline::input_diagrams(&inputs, &DiagramOptions::default())?;
    spinner.finish_and_clear();
    let points: usize = diagrams.iter().map(nnph::homology::Diagram::len).sum();
    println!("  diagrams: {points} points in {:.3} s", t0.elapsed().as_secs_f64());
    let labels: Vec<String> = inputs.iter().map(|i| i.label.clone()).collect();
    std::fs::create_dir_all(&a.out).with_context(|| format!("{}", a.out.display()))?;
    // Pictures of the first network's diagram.
    for (kind, what) in [
        (nnph::plot::Kind::Diagram, "diagram"),
        (nnph::plot::Kind::Barcode, "barcode"),
        (nnph::plot::Kind::Betti, "betti"),
    ] {
        let path = a.out.join(format!("{}-{what}.png", labels[0]));
        nnph::plot::plot_diagram(&path, &diagrams[0], kind, &labels[0])?;
    }
    // Filtering, padding and capping are the same for every metric: do them once.
    let batch = pipeline::prepare_batch(&diagrams, &CompareOptions::paper(Metric::Betti))?;
    drop(diagrams);
    for metric in [
        Metric::Heat { sigma: 0.1 },
        Metric::Silhouette { power: 1.0 },
        Metric::Landscape { n_layers: 1 },
    ] {
        let name = metric.to_string();
        let t = Instant::now();
        let m = nnph::distance::pairwise(
            &batch,
            &CompareOptions::paper(metric).metric,
            nnph::distance::Par::Rayon,
        )?;
        let secs = t.elapsed().as_secs_f64();
        nnph::io::write_matrix(&a.out.join(format!("{name}.npy")), m.n, &m.values, &labels)?;
        nnph::io::write_matrix(&a.out.join(format!("{name}.csv")), m.n, &m.values, &labels)?;
        // The paper's four groups when the inputs are its 19 networks.
        let groups: Vec<usize> = if m.n == 19 {
            nnph::stats::PAPER_GROUPS.iter().map(|g| g.len()).collect()
        } else {
            Vec::new()
        };
        for ext in ["svg", "png"] {
            nnph::plot::heatmap(
                &a.out.join(format!("{name}.{ext}")),
                &m.values,
                m.n,
                &labels,
                &groups,
                &format!("{name} distance"),
            )?;
        }
        let golden = a.golden.join(format!("{name}.npy"));
        let agreement = match std::fs::read(&golden) {
            Ok(bytes) => {
                let g = nnph::network::npy::read_npy(&bytes)
                    .with_context(|| format!("{}", golden.display()))?
                    .to_f64_vec()
                    .with_context(|| format!("{}", golden.display()))?;
                if g.len() == m.values.len() {
                    let worst =
                        g.iter().zip(&m.values).map(|(x, y)| rel_err(*x, *y)).fold(0.0, f64::max);
                    format!("max relative deviation from the reference {worst:.1e}")
                } else {
                    "reference has another shape".to_owned()
                }
            }
            Err(_) => "no reference output".to_owned(),
        };
        println!("  {name:<10} {:>3}×{:<3} in {secs:.3} s; {agreement}", m.n, m.n);
        if m.n == 19 {
            let stats = nnph::stats::group_statistics(&m.values, m.n, &nnph::stats::PAPER_GROUPS);
            for (g, (mean, std)) in nnph::stats::PAPER_GROUP_NAMES.iter().zip(stats) {
                println!("      {g:<14} normalised mean {mean:.4}  std {std:.4}");
            }
        }
    }
    println!("  outputs in {}", a.out.display());
    Ok(())
}

fn rel_err(reference: f64, value: f64) -> f64 {
    let scale = reference.abs().max(1e-300);
    if reference == value { 0.0 } else { (reference - value).abs() / scale }
}
