//! `nnph experiment control`: the paper's control experiment (reference-pipeline §5.4) on
//! the input-order networks of finished `nnph experiment paper` runs — PH distances with
//! the paper's and the principled metrics, the authors' norm baselines, and tests of
//! "networks of the same data set are closer".

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use nnph::baseline::{Adjacency, norm_distances};
use nnph::claims::{self, control_table2, mean_over_reps, normalised_by_max};
use nnph::distance::MetricOptions;
use nnph::network::{GraphOptions, Network};
use nnph::pipeline::{self, CompareOptions, DiagramOptions, Input};
use nnph::stats::{
    block_labels, closer_pairs_test, group_statistics, loo_1nn, pairs_within_blocks,
};
use rayon::prelude::*;

use super::study;

/// The networks of a paper run that form one block: the input-order group (indices 9–13),
/// five trainings of the base architecture on differently ordered data.
const INPUT_ORDER: std::ops::RangeInclusive<usize> = 9..=13;
/// Networks per block.
const BLOCK: usize = 5;

/// The paper's control experiment on finished runs: the input-order networks of each run
/// (one block per data set) compared with the PH metrics and the norm baselines
///
/// Examples:
///   nnph experiment control --from runs/mnist --from runs/fashion --out runs/control
///   nnph experiment control --from runs/mnist --from runs/fashion \
///       --from runs/fashion-cnn --out runs/control3
///
/// Each --from is a folder written by `nnph experiment paper`; its input-order networks
/// (indices 9-13, the base architecture trained on permuted data) of repetition e form
/// that run's block of execution e, as the paper's control trained 5 base models per data
/// set and execution. Runs with different repetition counts are used up to the smallest.
///
/// Outputs in DIR (E executions × N = 5 · runs networks): heat_, silhouette_,
/// landscape_distance_matrices.npy (E × N × N, the paper's metrics on one batch per
/// execution), principled/<metric>_distance_matrices.npy, the norm baselines as the
/// authors computed them — frobenius_ and 1_distance_matrices.npy (E × N × N, zero outside
/// the data-set blocks), frobenius_ and 1_autodistance_matrices.npy (E × N) — and
/// frobenius_ and 1_cross_distance_matrices.npy (every pair of networks with the same layer
/// sizes, NaN elsewhere); stats.csv, table2.csv, norms.csv, tests.csv, heatmaps,
/// control.json.
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(super) struct ControlArgs {
    /// A run folder of `nnph experiment paper` (at least two; each gives one block, in
    /// the order given).
    #[arg(long = "from", value_name = "RUN_DIR", required = true)]
    from: Vec<PathBuf>,
    /// Random relabellings of each permutation test.
    #[arg(long, value_name = "P", default_value_t = claims::PERMUTATIONS)]
    permutations: usize,
    /// Add the exact 2-Wasserstein distance (L∞ ground metric, q = 2) to the principled
    /// modes, as `nnph experiment paper --wasserstein` does: about 1 s per pair of
    /// full-width networks on 2 cores.
    #[arg(long)]
    wasserstein: bool,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// One `--from` run.
struct Run {
    dir: PathBuf,
    label: String,
    repetitions: usize,
}

fn read_run(dir: &Path) -> Result<Run> {
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("{}: not a run folder of nnph experiment paper", path.display())
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
    if json["format"] != "nnph-experiment-paper/1" {
        bail!("{}: not written by nnph experiment paper", path.display());
    }
    let repetitions = json["repetitions"]
        .as_u64()
        .with_context(|| format!("{}: no repetition count", path.display()))?
        as usize;
    let dataset = json["dataset"].as_str().unwrap_or("unknown");
    let model = json["model"].as_str().unwrap_or("mlp");
    let mut label = if model == "mlp" { dataset.to_owned() } else { format!("{dataset} {model}") };
    if let Some(d) = json["width_divisor"].as_u64().filter(|&d| d != 1) {
        write!(label, " /{d}")?;
    }
    Ok(Run { dir: dir.to_path_buf(), label, repetitions })
}

/// The safetensors file of network `index` in repetition `rep` of a run.
fn net_path(run: &Run, rep: usize, index: usize) -> Result<PathBuf> {
    let dir = run.dir.join("nets").join(format!("rep{rep}"));
    let prefix = format!("{index:02}_");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("{}: cannot list the networks", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "safetensors")
                && p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => bail!("{}: no network {prefix}*.safetensors", dir.display()),
        _ => bail!("{}: several networks {prefix}*.safetensors", dir.display()),
    }
}

/// The norm baselines of one execution.
struct Norms {
    /// `[frobenius, one]`, each N × N: within blocks only, zeros elsewhere (the paper).
    within: [Vec<f64>; 2],
    /// The same for every pair of networks with equal layer sizes, NaN elsewhere.
    cross: [Vec<f64>; 2],
    /// `[frobenius, one]` self-norms, N each.
    auto: [Vec<f64>; 2],
}

fn norms(nets: &[Network], blocks: &[usize]) -> Result<Norms> {
    let n = nets.len();
    let adjacency: Vec<Adjacency> = nets
        .par_iter()
        .map(|net| Adjacency::from_network(net, &GraphOptions::default()))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let shapes: Vec<Vec<usize>> = nets.iter().map(Network::layer_sizes).collect();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .filter(|&(i, j)| shapes[i] == shapes[j])
        .collect();
    let values: Vec<_> = pairs
        .par_iter()
        .map(|&(i, j)| norm_distances(&adjacency[i], &adjacency[j]))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let mut out = Norms {
        within: [vec![0.0; n * n], vec![0.0; n * n]],
        cross: [vec![f64::NAN; n * n], vec![f64::NAN; n * n]],
        auto: [
            adjacency.iter().map(Adjacency::frobenius).collect(),
            adjacency.iter().map(Adjacency::one_norm).collect(),
        ],
    };
    for k in 0..2 {
        for i in 0..n {
            out.cross[k][i * n + i] = 0.0;
        }
    }
    for (&(i, j), d) in pairs.iter().zip(&values) {
        for (k, v) in [d.frobenius, d.one].into_iter().enumerate() {
            out.cross[k][i * n + j] = v;
            out.cross[k][j * n + i] = v;
            if blocks[i] == blocks[j] {
                out.within[k][i * n + j] = v;
                out.within[k][j * n + i] = v;
            }
        }
    }
    Ok(out)
}

/// The rows and columns `idx` of a row-major `n × n` matrix.
fn sub(matrix: &[f64], n: usize, idx: &[usize]) -> Vec<f64> {
    idx.iter().flat_map(|&i| idx.iter().map(move |&j| matrix[i * n + j])).collect()
}

/// One matrix family of the control (E × N × N) and where its tests apply.
struct Family {
    mode: &'static str,
    metric: String,
    values: Vec<f64>,
}

/// A set of blocks a test runs on.
struct Scope {
    name: String,
    blocks: Vec<usize>,
}

pub(super) fn cmd_control(a: &ControlArgs) -> Result<()> {
    if a.from.len() < 2 {
        bail!("the control compares data sets: give at least two --from run folders");
    }
    let mut runs: Vec<Run> = a.from.iter().map(|d| read_run(d)).collect::<Result<_>>()?;
    // Two runs of the same kind: tell their blocks apart by position.
    let repeated: Vec<bool> =
        runs.iter().map(|r| runs.iter().filter(|o| o.label == r.label).count() > 1).collect();
    for (k, run) in runs.iter_mut().enumerate() {
        if repeated[k] {
            write!(run.label, " #{}", k + 1)?;
        }
    }
    let executions = runs.iter().map(|r| r.repetitions).min().unwrap_or(0);
    if executions == 0 {
        bail!("a run has no repetitions");
    }
    let counts: Vec<usize> = runs.iter().map(|r| r.repetitions).collect();
    let b = runs.len();
    let n = BLOCK * b;
    println!(
        "nnph experiment control: {b} blocks ({}), {executions} execution(s) × {n} networks",
        runs.iter().map(|r| r.label.as_str()).collect::<Vec<_>>().join(", ")
    );
    if counts.iter().any(|&c| c != executions) {
        println!(
            "  the runs have {counts:?} repetitions: using the first {executions} of each \
             (the common minimum)"
        );
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("{}", a.out.display()))?;
    let sizes = vec![BLOCK; b];
    let blocks = block_labels(&sizes);
    let labels: Vec<String> = runs
        .iter()
        .flat_map(|r| INPUT_ORDER.map(move |i| format!("{} io{}", r.label, i - 8)))
        .collect();

    let paper = study::paper_metrics();
    let principled = study::principled_metrics(a.wasserstein);
    let mut ph: Vec<Vec<f64>> = vec![Vec::new(); paper.len() + principled.len()];
    let mut within = [Vec::new(), Vec::new()];
    let mut cross = [Vec::new(), Vec::new()];
    let mut auto = [Vec::new(), Vec::new()];
    let mut shapes: Vec<Vec<usize>> = Vec::new();
    let (mut diagram_secs, mut distance_secs, mut norm_secs) = (0.0, 0.0, 0.0);
    for e in 0..executions {
        let paths: Vec<PathBuf> = runs
            .iter()
            .flat_map(|r| INPUT_ORDER.map(move |i| net_path(r, e, i)))
            .collect::<Result<_>>()?;
        let t = Instant::now();
        let inputs: Vec<Input> = paths.iter().map(Input::new).collect();
        let diagrams = pipeline::input_diagrams(&inputs, &DiagramOptions::default())?;
        let batch = pipeline::prepare_batch(&diagrams, &CompareOptions::paper(paper[0].metric))?;
        drop(diagrams);
        diagram_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let all: Vec<MetricOptions> = paper.iter().chain(&principled).copied().collect();
        study::append_matrices(&batch, &all, &mut ph)?;
        drop(batch);
        distance_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let nets: Vec<Network> = paths
            .par_iter()
            .map(|p| Network::from_path(p).with_context(|| format!("{}", p.display())))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<_>>()?;
        if e == 0 {
            shapes = (0..b).map(|k| nets[k * BLOCK].layer_sizes()).collect();
        }
        for (i, net) in nets.iter().enumerate() {
            if net.layer_sizes() != shapes[blocks[i]] {
                bail!(
                    "{}: layer sizes {:?} differ from the block's {:?}",
                    paths[i].display(),
                    net.layer_sizes(),
                    shapes[blocks[i]]
                );
            }
        }
        let nm = norms(&nets, &blocks)?;
        for k in 0..2 {
            within[k].extend_from_slice(&nm.within[k]);
            cross[k].extend_from_slice(&nm.cross[k]);
            auto[k].extend_from_slice(&nm.auto[k]);
        }
        norm_secs += t.elapsed().as_secs_f64();
    }

    // Matrices and heatmaps.
    let t_out = Instant::now();
    let mut families: Vec<Family> = Vec::new();
    for (k, opts) in paper.iter().chain(&principled).enumerate() {
        let mode = if k < paper.len() { "paper" } else { "principled" };
        let dir = if k < paper.len() { a.out.clone() } else { a.out.join("principled") };
        let name = opts.metric.name();
        study::write_matrices(
            &dir,
            name,
            executions,
            n,
            &ph[k],
            &labels,
            &sizes,
            &format!("control: {name} ({mode}), mean of {executions} execution(s)"),
        )?;
        families.push(Family { mode, metric: name.to_owned(), values: std::mem::take(&mut ph[k]) });
    }
    let norm_names = ["frobenius", "1"];
    for k in 0..2 {
        let name = norm_names[k];
        study::write_matrices(
            &a.out,
            name,
            executions,
            n,
            &within[k],
            &labels,
            &sizes,
            &format!("control: {name}-norm baseline (within data sets), mean of {executions}"),
        )?;
        study::write_matrices(
            &a.out,
            &format!("{name}_cross"),
            executions,
            n,
            &cross[k],
            &labels,
            &sizes,
            &format!("control: {name}-norm baseline (all same-shape pairs), mean of {executions}"),
        )?;
        nnph::io::write_atomic(&a.out.join(format!("{name}_autodistance_matrices.npy")), |w| {
            nnph::network::npy::write_npy_f64(w, &[executions, n], &auto[k])?;
            Ok(())
        })?;
    }

    // draw_input_order's per-block statistics (normalised by the mean matrix's maximum).
    let groups: Vec<std::ops::Range<usize>> = (0..b).map(|d| d * BLOCK..(d + 1) * BLOCK).collect();
    let mut stats = String::from("mode,metric,block,mean,std\n");
    let norm_families: Vec<(&str, &[f64])> =
        vec![("frobenius", &within[0][..]), ("1", &within[1][..])];
    for (mode, metric, values) in families
        .iter()
        .map(|f| (f.mode, f.metric.as_str(), &f.values[..]))
        .chain(norm_families.iter().map(|&(m, v)| ("norm", m, v)))
    {
        let mean = mean_over_reps(values, executions);
        for (d, (m, s)) in group_statistics(&mean, n, &groups).into_iter().enumerate() {
            writeln!(stats, "{mode},{metric},{},{m:.4},{s:.4}", runs[d].label)?;
        }
    }
    nnph::io::write_atomic(&a.out.join("stats.csv"), |w| Ok(w.write_all(stats.as_bytes())?))?;

    // Table 2, as published and corrected, and the per-block norm figures.
    let mut table2 = String::from("norm,version,min,max,mean,std\n");
    let mut norms_csv =
        String::from("norm,block,block_max,auto_mean,within_mean,within_mean_over_auto\n");
    let mut printed = String::new();
    for k in 0..2 {
        let t = control_table2(&within[k], &auto[k], executions, n, BLOCK);
        for (version, s) in [("published", t.published), ("corrected", t.corrected)] {
            writeln!(
                table2,
                "{},{version},{:.4},{:.4},{:.4},{:.4}",
                norm_names[k], s.min, s.max, s.mean, s.std
            )?;
            writeln!(
                printed,
                "    {:<10} {:<10} {:>10.4} {:>10.4} {:>10.4} {:>10.4}",
                norm_names[k], version, s.min, s.max, s.mean, s.std
            )?;
        }
        let mean = mean_over_reps(&within[k], executions);
        for d in 0..b {
            let pairs = pairs_within_blocks(&[BLOCK]);
            let raw =
                pairs.iter().map(|&(i, j)| mean[(d * BLOCK + i) * n + d * BLOCK + j]).sum::<f64>()
                    / pairs.len() as f64;
            writeln!(
                norms_csv,
                "{},{},{:.6},{:.6},{:.6},{:.6}",
                norm_names[k],
                runs[d].label,
                t.block_max[d],
                t.auto_per_block[d],
                raw,
                raw / t.auto_per_block[d]
            )?;
        }
    }
    nnph::io::write_atomic(&a.out.join("table2.csv"), |w| Ok(w.write_all(table2.as_bytes())?))?;
    nnph::io::write_atomic(&a.out.join("norms.csv"), |w| Ok(w.write_all(norms_csv.as_bytes())?))?;

    // Tests: all blocks (PH metrics), and each set of blocks with the same layer sizes
    // (PH metrics and the norms, which only exist there).
    let mut scopes = vec![Scope { name: "all".to_owned(), blocks: (0..b).collect() }];
    let mut seen: Vec<&Vec<usize>> = Vec::new();
    for shape in &shapes {
        if seen.contains(&shape) {
            continue;
        }
        seen.push(shape);
        let same: Vec<usize> = (0..b).filter(|&d| &shapes[d] == shape).collect();
        if same.len() >= 2 && same.len() < b {
            let names: Vec<&str> = same.iter().map(|&d| runs[d].label.as_str()).collect();
            scopes.push(Scope { name: format!("same-shape:{}", names.join("+")), blocks: same });
        } else if same.len() == b {
            scopes[0].name = "all (same shape)".to_owned();
        }
    }
    let mut tests = String::from(
        "scope,mode,metric,within_mean,between_mean,ratio,p,p_per_execution,loo_dataset,\
         loo_dataset_per_execution\n",
    );
    let mut table = format!(
        "  within vs between data sets (mean matrix normalised by its maximum; p from {} \
         relabellings; LOO = leave-one-out 1-NN data-set accuracy):\n    {:<28} {:<11} \
         {:<13} {:>8} {:>8} {:>7} {:>8} {:>9} {}\n",
        a.permutations,
        "scope",
        "mode",
        "metric",
        "within",
        "between",
        "ratio",
        "p",
        "LOO mean",
        "LOO per execution"
    );
    let norm_cross: Vec<(&str, &[f64])> = vec![("frobenius", &cross[0][..]), ("1", &cross[1][..])];
    for scope in &scopes {
        let idx: Vec<usize> =
            scope.blocks.iter().flat_map(|&d| d * BLOCK..(d + 1) * BLOCK).collect();
        let m = idx.len();
        let scope_sizes = vec![BLOCK; scope.blocks.len()];
        let set = pairs_within_blocks(&scope_sizes);
        let scope_labels = block_labels(&scope_sizes);
        let all_same_shape = scope.blocks.iter().all(|&d| shapes[d] == shapes[scope.blocks[0]]);
        let mut rows: Vec<(&str, &str, &[f64])> =
            families.iter().map(|f| (f.mode, f.metric.as_str(), &f.values[..])).collect();
        if all_same_shape {
            rows.extend(norm_cross.iter().map(|&(name, v)| ("norm", name, v)));
        }
        for (mode, metric, values) in rows {
            let per: Vec<Vec<f64>> = (0..executions)
                .map(|e| sub(&values[e * n * n..(e + 1) * n * n], n, &idx))
                .collect();
            let mean = normalised_by_max(&mean_over_reps(&per.concat(), executions));
            let test = closer_pairs_test(&mean, m, &set, a.permutations, claims::SEED);
            let p_per: Vec<String> = per
                .iter()
                .map(|x| {
                    format!(
                        "{:.4}",
                        closer_pairs_test(x, m, &set, a.permutations, claims::SEED).p_value
                    )
                })
                .collect();
            let loo = loo_1nn(&mean, m, &scope_labels).accuracy();
            let loo_per: Vec<String> = per
                .iter()
                .map(|x| format!("{:.4}", loo_1nn(x, m, &scope_labels).accuracy()))
                .collect();
            writeln!(
                tests,
                "{},{mode},{metric},{:.6},{:.6},{:.6},{:.6},{},{:.4},{}",
                scope.name,
                test.mean_in,
                test.mean_out,
                test.ratio,
                test.p_value,
                p_per.join(";"),
                loo,
                loo_per.join(";")
            )?;
            writeln!(
                table,
                "    {:<28} {:<11} {:<13} {:>8.4} {:>8.4} {:>7.3} {:>8.4} {:>9.3} {}",
                scope.name,
                mode,
                metric,
                test.mean_in,
                test.mean_out,
                test.ratio,
                test.p_value,
                loo,
                loo_per.join(" ")
            )?;
        }
    }
    nnph::io::write_atomic(&a.out.join("tests.csv"), |w| Ok(w.write_all(tests.as_bytes())?))?;
    let out_secs = t_out.elapsed().as_secs_f64();

    let json = serde_json::json!({
        "format": "nnph-experiment-control/1",
        "runs": runs.iter().map(|r| serde_json::json!({
            "dir": r.dir.display().to_string(),
            "label": r.label,
            "repetitions": r.repetitions,
        })).collect::<Vec<_>>(),
        "executions": executions,
        "networks": n,
        "block_size": BLOCK,
        "input_order_indices": INPUT_ORDER.collect::<Vec<_>>(),
        "layer_sizes": shapes,
        "permutations": a.permutations,
        "seed": claims::SEED,
        "seconds": {
            "diagrams_and_batch": diagram_secs,
            "distances": distance_secs,
            "norms": norm_secs,
            "statistics_and_outputs": out_secs,
        },
        "threads": rayon::current_num_threads(),
    });
    nnph::io::write_atomic(&a.out.join("control.json"), |w| {
        Ok(w.write_all(serde_json::to_string_pretty(&json)?.as_bytes())?)
    })?;

    println!(
        "  diagrams + batch {diagram_secs:.1} s, PH distances {distance_secs:.1} s, norms \
         {norm_secs:.1} s, statistics and outputs {out_secs:.1} s"
    );
    println!(
        "  Table 2 (|mean self-norm − largest within-block distance| / largest within-block \
         distance; 'published' pairs execution k with data set k as the authors' script did):\n    \
         {:<10} {:<10} {:>10} {:>10} {:>10} {:>10}\n{printed}",
        "norm", "version", "min", "max", "mean", "std"
    );
    println!("{table}");
    println!("  outputs in {}", a.out.display());
    Ok(())
}
