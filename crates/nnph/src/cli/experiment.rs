//! `nnph experiment paper`: trains the paper's 19 networks per repetition, runs the pipeline
//! on them, and writes the distance matrices in the authors' layout, the group statistics of
//! their analysis script next to the published ones, accuracies and heatmaps.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use nnph::distance::{Metric, Par};
use nnph::pipeline::{self, CompareOptions, DiagramOptions, Input};
use nnph::stats::{PAPER_GROUP_NAMES, PAPER_GROUPS, group_statistics};
use nnph_train::paper::{self, DatasetName, GROUP_SIZES, PaperNet};
use nnph_train::{Dataset, TrainOptions};

use super::study;

#[derive(Debug, Args)]
pub(super) struct ExperimentArgs {
    #[command(subcommand)]
    which: Which,
}

#[derive(Debug, Subcommand)]
enum Which {
    /// The paper's main study: 19 MLPs in four groups (layer size, number of layers, input
    /// order, number of labels), trained R times, compared with heat, silhouette and landscape.
    Paper(PaperArgs),
    Control(super::control::ControlArgs),
}

/// Arguments of `nnph experiment paper` (its help text is the variant's doc comment and
/// `after_help`).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nnph experiment paper --dataset mnist --quick --out runs/mnist-quick
  nnph experiment paper --dataset mnist --out runs/mnist           (5 × 19 nets, 20 epochs)
  nnph experiment paper --dataset fashion-mnist --data-dir ../shared/data --out runs/fashion
  nnph experiment paper --dataset fashion-mnist --model cnn-mlp --out runs/fashion-cnn

Outputs in DIR: nets/rep<r>/<idx>_<name>.safetensors, accuracy.csv,
<metric>_distance_matrices.npy (R × 19 × 19, float64), stats.csv, <metric>.svg/.png
(mean over repetitions, with group separators), the same for the principled modes in
principled/, claims.csv (permutation tests of the paper's claims, nearest-neighbour
accuracies) and run.json; with --model cnn-mlp also cnn.safetensors, the frozen CNN. A run
that stops can be resumed: networks already in DIR/nets (and the CNN) with the same
settings are reused, not retrained.")]
pub(super) struct PaperArgs {
    /// The data set.
    #[arg(long, value_enum)]
    dataset: DatasetArg,
    /// Repetitions of the 19 trainings (paper: 5; --quick: 1).
    #[arg(long, value_name = "R")]
    repetitions: Option<usize>,
    /// Training epochs (paper: 20; --quick: 2).
    #[arg(long, value_name = "E")]
    epochs: Option<usize>,
    /// Use only the first N samples after the seeded shuffle (default: all; --quick: 2000).
    #[arg(long, value_name = "N")]
    samples: Option<usize>,
    /// A quick run: 2,000 samples, 2 epochs, 1 repetition, 1 CNN epoch (each overridable).
    #[arg(long)]
    quick: bool,
    /// The network: the plain 784-input MLP (both data sets), or the paper's Fashion-MNIST
    /// setting: MLP heads (1,152 inputs, batch 256) on the features of a CNN trained once
    /// per run on the training images and then frozen; only the heads form the graphs.
    #[arg(long, value_enum, default_value_t = ModelArg::Mlp)]
    model: ModelArg,
    /// Training epochs of the frozen CNN of --model cnn-mlp (paper: 20; --quick: 1).
    #[arg(long, value_name = "E")]
    cnn_epochs: Option<usize>,
    /// Folder with the IDX files (for Fashion-MNIST the 70k file is preferred when present,
    /// e.g. in ../shared/data; the repository bundles a 10k subset).
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"))]
    data_dir: PathBuf,
    /// Seeds the data split, initialisation, dropout, shuffles and permutations.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Networks trained at the same time, each on one thread (default: --threads, else the
    /// number of cores). The networks do not depend on it.
    #[arg(long, value_name = "J")]
    train_jobs: Option<usize>,
    /// Divide every hidden width by this (tests only: a tiny version of the study).
    #[arg(long, default_value_t = 1, hide = true)]
    width_divisor: usize,
    /// Skip the principled distance modes (heat density, silhouette and landscape on the
    /// fixed grid [0, 1], exact bottleneck). The exact bottleneck distance costs about 35 s
    /// per repetition of full-width networks on 2 cores; the other modes about 1 s.
    #[arg(long)]
    no_principled: bool,
    /// Add the exact 2-Wasserstein distance (L∞ ground metric, q = 2) to the principled
    /// modes, which the paper could not compute: about 2 minutes per repetition of
    /// full-width networks on 2 cores.
    #[arg(long, conflicts_with = "no_principled")]
    wasserstein: bool,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DatasetArg {
    Mnist,
    FashionMnist,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ModelArg {
    Mlp,
    CnnMlp,
}

/// The three metrics of the paper's scripts, in their order of the file names.
const METRICS: [Metric; 3] = [Metric::HEAT, Metric::SILHOUETTE, Metric::LANDSCAPE];

/// The published group statistics (reference-pipeline §5.6: normalised mean and std of heat,
/// silhouette and landscape per group), for the two data sets this command trains on.
fn published(dataset: DatasetName) -> [[(f64, f64); 3]; 4] {
    match dataset {
        DatasetName::FashionMnist => [
            [(0.5380, 0.3487), (0.1265, 0.0409), (0.2976, 0.0482)],
            [(0.1774, 0.0739), (0.2592, 0.2024), (0.2886, 0.0631)],
            [(0.0308, 0.0132), (0.0824, 0.0353), (0.3583, 0.1114)],
            [(0.2679, 0.1427), (0.4150, 0.1940), (0.5301, 0.2149)],
        ],
        _ => [
            [(0.5128, 0.3391), (0.2110, 0.0552), (0.3077, 0.0727)],
            [(0.3633, 0.1933), (0.2681, 0.1953), (0.3776, 0.1096)],
            [(0.0291, 0.0100), (0.1115, 0.0364), (0.2719, 0.0822)],
            [(0.2279, 0.1352), (0.4126, 0.2270), (0.4266, 0.1705)],
        ],
    }
}

pub(super) fn cmd_experiment(a: &ExperimentArgs) -> Result<()> {
    match &a.which {
        Which::Paper(p) => cmd_paper(p),
        Which::Control(c) => super::control::cmd_control(c),
    }
}

/// The settings of a run, also written into every network's metadata so that a resumed run
/// reuses only networks trained the same way.
struct Settings {
    dataset: DatasetName,
    data_file: String,
    samples: Option<usize>,
    epochs: usize,
    seed: u64,
    width_divisor: usize,
    /// The model with its settings: `mlp`, or `cnn-mlp cnn_epochs=E batch=256`.
    model: String,
    /// The networks' batch size (128, or 256 on the CNN's features as in the paper).
    batch_size: usize,
    /// The frozen CNN's epochs (--model cnn-mlp).
    cnn_epochs: usize,
}

impl Settings {
    fn fingerprint(&self, rep: usize, net: &PaperNet) -> String {
        format!(
            "dataset={} file={} samples={} epochs={} seed={} width_divisor={} model={} rep={rep} net={}",
            self.dataset,
            self.data_file,
            self.samples.map_or_else(|| "all".to_owned(), |n| n.to_string()),
            self.epochs,
            self.seed,
            self.width_divisor,
            self.model,
            net.file_stem()
        )
    }

    /// The frozen CNN's fingerprint: what it was trained on and how.
    fn cnn_fingerprint(&self) -> String {
        format!(
            "dataset={} file={} samples={} seed={} model=cnn cnn_epochs={} batch=256",
            self.dataset,
            self.data_file,
            self.samples.map_or_else(|| "all".to_owned(), |n| n.to_string()),
            self.seed,
            self.cnn_epochs
        )
    }

    /// The frozen CNN's training seed: that of a 20th network of repetition 0.
    fn cnn_seed(&self) -> u64 {
        paper::net_seed(self.seed, 0, 19)
    }
}

/// One trained (or reused) network.
struct Trained {
    rep: usize,
    net: PaperNet,
    path: PathBuf,
    parameters: usize,
    val_accuracy: f64,
    test_accuracy: f64,
    seconds: f64,
    reused: bool,
}

fn cmd_paper(a: &PaperArgs) -> Result<()> {
    if a.width_divisor == 0 {
        bail!("--width-divisor must be at least 1");
    }
    let dataset = match a.dataset {
        DatasetArg::Mnist => DatasetName::Mnist,
        DatasetArg::FashionMnist => DatasetName::FashionMnist,
    };
    let repetitions = a.repetitions.unwrap_or(if a.quick { 1 } else { 5 });
    let epochs = a.epochs.unwrap_or(if a.quick { 2 } else { 20 });
    let samples = a.samples.or(if a.quick { Some(2000) } else { None });
    if repetitions == 0 || epochs == 0 {
        bail!("--repetitions and --epochs must be at least 1");
    }
    let cnn_epochs = a.cnn_epochs.unwrap_or(if a.quick { 1 } else { 20 });
    if a.model == ModelArg::Mlp && a.cnn_epochs.is_some() {
        bail!("--cnn-epochs applies to --model cnn-mlp only");
    }
    if cnn_epochs == 0 {
        bail!("--cnn-epochs must be at least 1");
    }
    let (images, labels) = dataset.files_in(&a.data_dir)?;
    let settings = Settings {
        dataset,
        data_file: images.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        samples,
        epochs,
        seed: a.seed,
        width_divisor: a.width_divisor,
        model: match a.model {
            ModelArg::Mlp => "mlp".to_owned(),
            ModelArg::CnnMlp => format!("cnn-mlp cnn_epochs={cnn_epochs} batch=256"),
        },
        batch_size: if a.model == ModelArg::CnnMlp { 256 } else { 128 },
        cnn_epochs,
    };
    let (train, test) = paper::load_split(&images, &labels, samples, a.seed)?;
    println!(
        "nnph experiment paper: {dataset} ({}), {} training + {} test samples, {repetitions} \
         repetition(s) × 19 networks, {epochs} epochs",
        settings.data_file,
        train.len(),
        test.len()
    );
    std::fs::create_dir_all(&a.out).with_context(|| format!("{}", a.out.display()))?;

    // Training: one network per worker, each worker's candle on a one-thread pool.
    let t_train = Instant::now();
    let mut jobs = Vec::with_capacity(repetitions * 19);
    for rep in 0..repetitions {
        for mut net in paper::paper_networks() {
            for w in &mut net.hidden {
                *w = (*w / a.width_divisor).max(1);
            }
            jobs.push((rep, net));
        }
    }
    let workers = a.train_jobs.unwrap_or_else(rayon::current_num_threads).max(1);
    // candle reads RAYON_NUM_THREADS at every matrix product and splits products over that
    // many rayon tasks when it is above 1; on these small products (batch 128) the split cost
    // 3-6× the time of one thread here. One thread per network, networks side by side, is
    // faster, so the variable is 1 while training. The global pool used by the pipeline is
    // built first, so it keeps its threads.
    let _ = rayon::current_num_threads();
    let previous = std::env::var_os("RAYON_NUM_THREADS");
    // SAFETY: no other thread reads or writes the environment now: the global pool's workers
    // are idle (nothing was submitted to them yet) and no training thread has started.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    // --model cnn-mlp: the CNN trains (or is reused) first, its convolutions on the global
    // pool's threads; the heads then train on its features.
    let cnn = match a.model {
        ModelArg::CnnMlp => frozen_cnn(a, &settings, &train, &test).map(Some),
        ModelArg::Mlp => Ok(None),
    };
    let trained = match &cnn {
        Ok(Some(c)) => train_all(a, &settings, jobs, &c.train, &c.test, workers),
        Ok(None) => train_all(a, &settings, jobs, &train, &test, workers),
        Err(_) => Ok(Vec::new()),
    };
    // SAFETY: the training threads have been joined; the pool's workers are idle again (they
    // ran only the CNN's convolutions, which have returned).
    unsafe {
        match previous {
            Some(v) => std::env::set_var("RAYON_NUM_THREADS", v),
            None => std::env::remove_var("RAYON_NUM_THREADS"),
        }
    }
    let cnn = cnn?;
    let trained = trained?;
    let train_secs = t_train.elapsed().as_secs_f64();
    write_accuracy(&a.out.join("accuracy.csv"), &trained, &train, &test)?;

    // The pipeline: diagrams, one filtered batch per repetition, three metrics.
    let t_pipe = Instant::now();
    let mut matrices: Vec<Vec<f64>> = vec![Vec::with_capacity(repetitions * 361); METRICS.len()];
    let (mut diagram_secs, mut distance_secs, mut points) = (0.0, 0.0, 0usize);
    let labels: Vec<String> = trained[..19].iter().map(|t| t.net.file_stem()).collect();
    let principled =
        if a.no_principled { Vec::new() } else { study::principled_metrics(a.wasserstein) };
    let mut principled_matrices: Vec<Vec<f64>> =
        vec![Vec::with_capacity(repetitions * 361); principled.len()];
    let mut principled_secs = 0.0;
    // The number of H1 points of each network (|E| − |V| + 1: the same in every repetition).
    let mut h1_points = vec![0.0; 19];
    for rep in 0..repetitions {
        let inputs: Vec<Input> =
            trained[rep * 19..(rep + 1) * 19].iter().map(|t| Input::new(&t.path)).collect();
        let t = Instant::now();
        let diagrams = pipeline::input_diagrams(&inputs, &DiagramOptions::default())?;
        points += diagrams.iter().map(nnph::homology::Diagram::len).sum::<usize>();
        if rep == 0 {
            h1_points = diagrams.iter().map(|d| d.dim(1).len() as f64).collect();
        }
        // Filtering, padding and capping do not depend on the metric: do them once.
        let batch = pipeline::prepare_batch(&diagrams, &CompareOptions::paper(Metric::HEAT))?;
        drop(diagrams);
        diagram_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for (k, metric) in METRICS.iter().enumerate() {
            let m = nnph::distance::pairwise(
                &batch,
                &CompareOptions::paper(*metric).metric,
                Par::Rayon,
            )?;
            matrices[k].extend_from_slice(&m.values);
        }
        distance_secs += t.elapsed().as_secs_f64();
        // The principled modes on the same batch: the fixed grid and the matching distance
        // ignore giotto's padding, and the filtering and capping do not depend on the batch.
        let t = Instant::now();
        study::append_matrices(&batch, &principled, &mut principled_matrices)?;
        principled_secs += t.elapsed().as_secs_f64();
    }
    let pipe_secs = t_pipe.elapsed().as_secs_f64();

    // Outputs.
    let mut stats = String::from("dataset,experiment,metric,mean,std,paper_mean,paper_std,mode\n");
    let paper_stats = published(dataset);
    let mut group_table: Vec<[(f64, f64); 3]> = vec![[(0.0, 0.0); 3]; 4];
    for (k, metric) in METRICS.iter().enumerate() {
        let name = metric.name();
        let path = a.out.join(format!("{name}_distance_matrices.npy"));
        nnph::io::write_atomic(&path, |w| {
            nnph::network::npy::write_npy_f64(w, &[repetitions, 19, 19], &matrices[k])?;
            Ok(())
        })?;
        let mean = mean_over_reps(&matrices[k], repetitions);
        let groups = group_statistics(&mean, 19, &PAPER_GROUPS);
        for (g, &(m, s)) in groups.iter().enumerate() {
            group_table[g][k] = (m, s);
            let (pm, ps) = paper_stats[g][k];
            writeln!(
                stats,
                "{},{},{name},{m:.4},{s:.4},{pm:.4},{ps:.4},paper",
                dataset.paper_name(),
                PAPER_GROUP_NAMES[g]
            )?;
        }
        for ext in ["svg", "png"] {
            nnph::plot::heatmap(
                &a.out.join(format!("{name}.{ext}")),
                &mean,
                19,
                &labels,
                &GROUP_SIZES,
                &format!("{dataset} {name} distance, mean of {repetitions} repetition(s)"),
            )?;
        }
    }
    let t_stats = Instant::now();
    let principled_dir = a.out.join("principled");
    for (opts, values) in principled.iter().zip(&principled_matrices) {
        let name = opts.metric.name();
        let mean = mean_over_reps(values, repetitions);
        for (g, &(m, s)) in group_statistics(&mean, 19, &PAPER_GROUPS).iter().enumerate() {
            writeln!(
                stats,
                "{},{},{name},{m:.4},{s:.4},,,principled",
                dataset.paper_name(),
                PAPER_GROUP_NAMES[g]
            )?;
        }
        study::write_matrices(
            &principled_dir,
            name,
            repetitions,
            19,
            values,
            &labels,
            &GROUP_SIZES,
            &format!("{dataset} {name} distance (principled), mean of {repetitions} repetition(s)"),
        )?;
    }
    nnph::io::write_atomic(&a.out.join("stats.csv"), |w| Ok(w.write_all(stats.as_bytes())?))?;
    let mut tested: Vec<study::Tested<'_>> = METRICS
        .iter()
        .zip(&matrices)
        .map(|(m, v)| study::Tested { mode: "paper", metric: m.name(), values: v })
        .collect();
    tested.extend(principled.iter().zip(&principled_matrices).map(|(o, v)| study::Tested {
        mode: "principled",
        metric: o.metric.name(),
        values: v,
    }));
    let parameters: Vec<f64> = trained[..19].iter().map(|t| t.parameters as f64).collect();
    let claims_table =
        study::write_claims(&a.out, &tested, repetitions, &h1_points, &parameters, &labels)?;
    let stats_secs = t_stats.elapsed().as_secs_f64();
    let retrained = trained.iter().filter(|t| !t.reused).count();
    let run = serde_json::json!({
        "format": "nnph-experiment-paper/1",
        "dataset": dataset.as_str(),
        "data_file": settings.data_file,
        "train_samples": train.len(),
        "test_samples": test.len(),
        "samples": samples,
        "epochs": epochs,
        "repetitions": repetitions,
        "seed": a.seed,
        "model": a.model.to_possible_value().map(|v| v.get_name().to_owned()),
        "batch_size": settings.batch_size,
        "cnn": cnn.as_ref().map(|c| serde_json::json!({
            "epochs": cnn_epochs,
            "batch_size": 256,
            "seed": settings.cnn_seed(),
            "features": nnph_train::cnn::FEATURES,
            "parameters": c.parameters,
            "reused": c.reused,
            "training_seconds": c.seconds,
            "features_seconds": c.feature_seconds,
            "val_accuracy": c.val_accuracy,
            "test_accuracy": c.test_accuracy,
        })),
        "width_divisor": a.width_divisor,
        "principled_metrics": principled.iter().map(|o| o.metric.name()).collect::<Vec<_>>(),
        "networks_trained": retrained,
        "networks_reused": trained.len() - retrained,
        "seconds": {
            "training": train_secs,
            "training_per_network": trained.iter().map(|t| t.seconds).collect::<Vec<_>>(),
            "diagrams_and_batch": diagram_secs,
            "distances": distance_secs,
            "principled_distances": principled_secs,
            "pipeline": pipe_secs,
            "statistics_and_outputs": stats_secs,
        },
        "diagram_points": points,
        "threads": rayon::current_num_threads(),
    });
    nnph::io::write_atomic(&a.out.join("run.json"), |w| {
        Ok(w.write_all(serde_json::to_string_pretty(&run)?.as_bytes())?)
    })?;

    // Summary.
    if let Some(c) = &cnn {
        print_cnn(c);
    }
    println!(
        "  training: {train_secs:.1} s ({retrained} trained, {} reused)",
        trained.len() - retrained
    );
    println!(
        "  pipeline: {pipe_secs:.1} s (diagrams + batch {diagram_secs:.1} s for {points} points, \
         distances {distance_secs:.1} s, principled distances {principled_secs:.1} s); \
         statistics and principled outputs {stats_secs:.1} s"
    );
    print_accuracy_summary(&trained);
    println!("  group statistics (normalised mean ± std; paper in brackets):");
    println!("    {:<14} {:>26} {:>26} {:>26}", "", "heat", "silhouette", "landscape");
    for (g, row) in group_table.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(k, (m, s))| {
                let (pm, ps) = paper_stats[g][k];
                format!("{m:.3}±{s:.3} [{pm:.3}±{ps:.3}]")
            })
            .collect();
        println!(
            "    {:<14} {:>26} {:>26} {:>26}",
            PAPER_GROUP_NAMES[g], cells[0], cells[1], cells[2]
        );
    }
    println!("{claims_table}");
    println!("  outputs in {}", a.out.display());
    Ok(())
}

/// The frozen CNN of --model cnn-mlp and the features of the training and test images.
struct FrozenCnn {
    train: Dataset,
    test: Dataset,
    parameters: usize,
    /// Seconds the CNN's training took (in the run that trained it).
    seconds: f64,
    feature_seconds: f64,
    val_accuracy: f64,
    /// Accuracy of the CNN's own head on the test images.
    test_accuracy: f64,
    reused: bool,
}

/// Trains the CNN on the training images (the last 10% validating), or reuses DIR/cnn.safetensors
/// from a run with the same settings, and computes the features the heads train on.
fn frozen_cnn(
    a: &PaperArgs,
    settings: &Settings,
    train: &Dataset,
    test: &Dataset,
) -> Result<FrozenCnn> {
    use nnph_train::Cnn;
    let path = a.out.join("cnn.safetensors");
    let fingerprint = settings.cnn_fingerprint();
    let (cnn, seconds, val_accuracy, reused) = if path.exists() {
        let (cnn, meta) = Cnn::load(&path)?;
        let number = reusable(&path, &meta, &fingerprint, "a CNN")?;
        (cnn, number("nnph.train_seconds")?, number("nnph.val_accuracy")?, true)
    } else {
        println!(
            "  training the CNN: {} epochs on {} images (batch 256, the last 10% validating)",
            settings.cnn_epochs,
            train.len()
        );
        let opts = nnph_train::TrainOptions::paper_cnn(settings.cnn_epochs, settings.cnn_seed());
        let t0 = Instant::now();
        let cnn = nnph_train::train_cnn(train, &opts).context("training the CNN")?;
        let seconds = t0.elapsed().as_secs_f64();
        let val_accuracy = cnn.head.history.val_accuracy.last().copied().unwrap_or(f64::NAN);
        (cnn, seconds, val_accuracy, false)
    };
    let t0 = Instant::now();
    let train_features = cnn.extractor.features(train)?;
    let test_features = cnn.extractor.features(test)?;
    let feature_seconds = t0.elapsed().as_secs_f64();
    let test_accuracy = cnn.head.accuracy(&test_features)?;
    if !reused {
        std::fs::create_dir_all(&a.out).with_context(|| format!("{}", a.out.display()))?;
        let meta = HashMap::from([
            ("nnph.run".to_owned(), fingerprint),
            ("nnph.cnn_epochs".to_owned(), settings.cnn_epochs.to_string()),
            ("nnph.val_accuracy".to_owned(), val_accuracy.to_string()),
            ("nnph.test_accuracy".to_owned(), test_accuracy.to_string()),
            ("nnph.train_seconds".to_owned(), seconds.to_string()),
            ("nnph.train_seed".to_owned(), settings.cnn_seed().to_string()),
        ]);
        cnn.save(&path, &meta)?;
    }
    let c = FrozenCnn {
        train: train_features,
        test: test_features,
        parameters: cnn.extractor.parameter_count(),
        seconds,
        feature_seconds,
        val_accuracy,
        test_accuracy,
        reused,
    };
    print_cnn(&c);
    Ok(c)
}

fn print_cnn(c: &FrozenCnn) {
    println!(
        "  CNN: {} parameters, {:.1} s to train{}, validation accuracy {:.4}, test accuracy \
         {:.4}; {} features of {} + {} images in {:.1} s",
        c.parameters,
        c.seconds,
        if c.reused { " (reused)" } else { "" },
        c.val_accuracy,
        c.test_accuracy,
        c.train.dim(),
        c.train.len(),
        c.test.len(),
        c.feature_seconds
    );
}

/// Trains `jobs` on `workers` threads, each running candle inside its own one-thread rayon
/// pool, so that networks train side by side, each on one core.
/// Each network's result depends only on its seed, not on the worker that trained it.
/// Returns the results in job order, or the first error in job order.
fn train_all(
    a: &PaperArgs,
    settings: &Settings,
    jobs: Vec<(usize, PaperNet)>,
    train: &Dataset,
    test: &Dataset,
    workers: usize,
) -> Result<Vec<Trained>> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<Result<Trained>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers.min(jobs.len()) {
            scope.spawn(|| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((rep, net)) = jobs.get(i) else { break };
                    let result = match &pool {
                        Ok(pool) => {
                            pool.install(|| train_one(a, settings, *rep, net.clone(), train, test))
                        }
                        Err(e) => Err(anyhow::anyhow!("cannot start a training thread: {e}")),
                    };
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot.into_inner().ok().flatten() {
            Some(result) => out.push(result?),
            None => bail!("training stopped early"),
        }
    }
    Ok(out)
}

/// Trains network `net` of repetition `rep`, or reuses it from a previous run with the same
/// settings.
fn train_one(
    a: &PaperArgs,
    settings: &Settings,
    rep: usize,
    net: PaperNet,
    train: &Dataset,
    test: &Dataset,
) -> Result<Trained> {
    let dir = a.out.join("nets").join(format!("rep{rep}"));
    let path = dir.join(format!("{}.safetensors", net.file_stem()));
    let fingerprint = settings.fingerprint(rep, &net);
    if let Ok(bytes) = std::fs::read(&path) {
        let meta = nnph_train::save::read_metadata(&bytes)
            .with_context(|| format!("{}", path.display()))?;
        let number = reusable(&path, &meta, &fingerprint, "a network")?;
        let (parameters, val_accuracy, test_accuracy, seconds) = (
            number("nnph.parameters")? as usize,
            number("nnph.val_accuracy")?,
            number("nnph.test_accuracy")?,
            number("nnph.train_seconds")?,
        );
        drop(number);
        let t = Trained {
            rep,
            parameters,
            val_accuracy,
            test_accuracy,
            seconds,
            net,
            path,
            reused: true,
        };
        print_net(&t);
        return Ok(t);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    let mut opts =
        TrainOptions::paper(settings.epochs, paper::net_seed(settings.seed, rep, net.index));
    opts.batch_size = settings.batch_size;
    let t0 = Instant::now();
    let outcome = paper::train_paper_net(&net, train, test, &opts)
        .with_context(|| format!("training {} (repetition {rep})", net.file_stem()))?;
    let seconds = t0.elapsed().as_secs_f64();
    let val_accuracy = outcome.mlp.history.val_accuracy.last().copied().unwrap_or(f64::NAN);
    let parameters = outcome.mlp.parameter_count();
    let meta = HashMap::from([
        ("nnph.run".to_owned(), fingerprint),
        ("nnph.hidden".to_owned(), format!("{:?}", net.hidden)),
        ("nnph.parameters".to_owned(), parameters.to_string()),
        ("nnph.val_accuracy".to_owned(), val_accuracy.to_string()),
        ("nnph.test_accuracy".to_owned(), outcome.test_accuracy.to_string()),
        ("nnph.train_seconds".to_owned(), seconds.to_string()),
        ("nnph.train_seed".to_owned(), opts.seed.to_string()),
    ]);
    outcome.mlp.save(&path, &meta).with_context(|| format!("{}", path.display()))?;
    let t = Trained {
        rep,
        net,
        path,
        parameters,
        val_accuracy,
        test_accuracy: outcome.test_accuracy,
        seconds,
        reused: false,
    };
    print_net(&t);
    Ok(t)
}

/// Checks that the saved model at `path` (its safetensors metadata `meta`) was trained with the
/// settings `fingerprint`, and returns a reader of its numeric metadata.
fn reusable<'a>(
    path: &'a Path,
    meta: &'a HashMap<String, String>,
    fingerprint: &str,
    what: &str,
) -> Result<impl Fn(&str) -> Result<f64> + 'a> {
    if meta.get("nnph.run").map(String::as_str) != Some(fingerprint) {
        bail!(
            "{}: holds {what} trained with other settings ({}); choose another --out",
            path.display(),
            meta.get("nnph.run").map_or("no nnph metadata", String::as_str)
        );
    }
    Ok(move |key: &str| -> Result<f64> {
        meta.get(key)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{}: metadata {key} missing", path.display()))
    })
}

fn print_net(t: &Trained) {
    println!(
        "  rep {} {:<10} {:>9} parameters  test accuracy {:.4}  {:>7.1} s{}",
        t.rep,
        t.net.file_stem(),
        t.parameters,
        t.test_accuracy,
        t.seconds,
        if t.reused { " (reused)" } else { "" }
    );
}

fn print_accuracy_summary(trained: &[Trained]) {
    let base: Vec<f64> = trained
        .iter()
        // The 8 copies of the base network: indices 2, 4, 9-13 and 18.
        .filter(|t| matches!(t.net.index, 2 | 4 | 9..=13 | 18))
        .map(|t| t.test_accuracy)
        .collect();
    if !base.is_empty() {
        let min = base.iter().copied().fold(f64::INFINITY, f64::min);
        let mean = base.iter().sum::<f64>() / base.len() as f64;
        println!(
            "  base network (2 × 512, all classes): test accuracy mean {mean:.4}, min {min:.4} over {} trainings",
            base.len()
        );
    }
}

fn write_accuracy(path: &Path, trained: &[Trained], train: &Dataset, test: &Dataset) -> Result<()> {
    let mut s = String::from(
        "rep,index,name,group,hidden,labels,parameters,train_samples,test_samples,val_accuracy,test_accuracy,train_seconds\n",
    );
    for t in trained {
        let k = t.net.labels.unwrap_or(train.classes());
        let count = |d: &Dataset| d.class_counts()[..k.min(d.classes())].iter().sum::<usize>();
        let hidden: Vec<String> = t.net.hidden.iter().map(usize::to_string).collect();
        writeln!(
            s,
            "{},{},{},{},{},{k},{},{},{},{:.4},{:.4},{:.2}",
            t.rep,
            t.net.index,
            t.net.name,
            t.net.group.name(),
            hidden.join("x"),
            t.parameters,
            count(train),
            count(test),
            t.val_accuracy,
            t.test_accuracy,
            t.seconds
        )?;
    }
    nnph::io::write_atomic(path, |w| Ok(w.write_all(s.as_bytes())?))
}

/// The mean of `reps` row-major 19 × 19 matrices stored one after another.
fn mean_over_reps(values: &[f64], reps: usize) -> Vec<f64> {
    let n2 = values.len() / reps;
    (0..n2).map(|i| (0..reps).map(|r| values[r * n2 + i]).sum::<f64>() / reps as f64).collect()
}
