//! `nnph experiment paper` end to end: a tiny study and the quick mode.

use std::path::Path;
use std::process::Command;

fn nnph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nnph"))
}

fn run(args: &[&str]) -> std::process::Output {
    let out = nnph().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "nnph {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The principled modes by default, and with `--wasserstein`.
const PRINCIPLED: [&str; 4] = ["heat-density", "silhouette", "landscape", "bottleneck"];
const WITH_WASSERSTEIN: [&str; 5] =
    ["heat-density", "silhouette", "landscape", "bottleneck", "wasserstein"];

/// Checks the matrices of a run: shape (reps, 19, 19), finite, symmetric, zero diagonal, and
/// the other outputs (`modes`: the principled modes it must have); returns the heat matrices.
fn check_outputs(dir: &Path, reps: usize, modes: &[&str]) -> Vec<f64> {
    let mut heat = Vec::new();
    for metric in ["heat", "silhouette", "landscape"] {
        let bytes = std::fs::read(dir.join(format!("{metric}_distance_matrices.npy"))).unwrap();
        let a = nnph::network::npy::read_npy(&bytes).unwrap();
        assert_eq!(a.shape, vec![reps, 19, 19], "{metric}");
        let v = a.to_f64_vec().unwrap();
        for r in 0..reps {
            let m = &v[r * 361..(r + 1) * 361];
            for i in 0..19 {
                assert_eq!(m[i * 19 + i], 0.0, "{metric} diagonal");
                for j in 0..19 {
                    assert!(m[i * 19 + j].is_finite() && m[i * 19 + j] >= 0.0, "{metric}");
                    assert_eq!(m[i * 19 + j], m[j * 19 + i], "{metric} symmetry");
                }
            }
            assert!(m.iter().any(|&x| x > 0.0), "{metric}: all zero");
        }
        for ext in ["svg", "png"] {
            assert!(dir.join(format!("{metric}.{ext}")).is_file(), "{metric}.{ext}");
        }
        if metric == "heat" {
            heat = v;
        }
    }
    let accuracy = std::fs::read_to_string(dir.join("accuracy.csv")).unwrap();
    assert_eq!(accuracy.lines().count(), 1 + reps * 19);
    let stats = std::fs::read_to_string(dir.join("stats.csv")).unwrap();
    // 3 paper metrics and the principled ones, 4 groups each.
    assert_eq!(stats.lines().count(), 1 + 12 + 4 * modes.len());
    for (k, line) in stats.lines().skip(1).enumerate() {
        let mean: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&mean), "{line}");
        assert!(line.ends_with(if k < 12 { ",paper" } else { ",,,principled" }), "{line}");
    }
    for metric in modes {
        let (shape, v) = read_f64(&dir.join(format!("principled/{metric}_distance_matrices.npy")));
        assert_eq!(shape, vec![reps, 19, 19], "{metric}");
        check_matrices(metric, &v, 19);
        assert!(dir.join(format!("principled/{metric}.svg")).is_file());
    }
    check_claims(&std::fs::read_to_string(dir.join("claims.csv")).unwrap(), reps, modes);
    for r in 0..reps {
        let nets = std::fs::read_dir(dir.join(format!("nets/rep{r}"))).unwrap().count();
        assert_eq!(nets, 19);
    }
    let net =
        nnph::network::Network::from_path(&dir.join("nets/rep0/08_nl10.safetensors")).unwrap();
    assert_eq!(net.layers().len(), 11);
    heat
}

/// Reads a float64 `.npy` file as (shape, values).
fn read_f64(path: &Path) -> (Vec<usize>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = nnph::network::npy::read_npy(&bytes).unwrap();
    (a.shape.clone(), a.to_f64_vec().unwrap())
}

/// Every n × n matrix in `v`: finite, non-negative, symmetric, zero diagonal, not all zero.
fn check_matrices(what: &str, v: &[f64], n: usize) {
    for m in v.chunks_exact(n * n) {
        for i in 0..n {
            assert_eq!(m[i * n + i], 0.0, "{what} diagonal");
            for j in 0..n {
                assert!(m[i * n + j].is_finite() && m[i * n + j] >= 0.0, "{what}");
                assert_eq!(m[i * n + j], m[j * n + i], "{what} symmetry");
            }
        }
        assert!(m.iter().any(|&x| x > 0.0), "{what}: all zero");
    }
}

/// claims.csv: one row per metric and mode, p values in (0, 1], accuracies in [0, 1], one
/// per-repetition value per repetition.
fn check_claims(csv: &str, reps: usize, modes: &[&str]) {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 25);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let keys: Vec<String> = rows.iter().map(|r| format!("{}/{}", r[0], r[1])).collect();
    let expected: Vec<String> = ["paper/heat", "paper/silhouette", "paper/landscape"]
        .iter()
        .map(|k| k.to_string())
        .chain(modes.iter().map(|m| format!("principled/{m}")))
        .collect();
    assert_eq!(keys, expected);
    for r in &rows {
        assert_eq!(r.len(), 25, "{r:?}");
        for name in ["c1_p", "c2_h1_p", "c2_params_p", "c3_lab2_p"] {
            let p: f64 = r[col(name)].parse().unwrap();
            assert!(p > 0.0 && p <= 1.0, "{name} {r:?}");
        }
        for name in ["c1_p_per_rep", "loo_base_per_rep", "loo_group_per_rep"] {
            assert_eq!(r[col(name)].split(';').count(), reps, "{name}");
        }
        for name in ["loo_base", "loo_group"] {
            assert!((0.0..=1.0).contains(&r[col(name)].parse::<f64>().unwrap()));
        }
        let rank: usize = r[col("c3_lab2_rank")].parse().unwrap();
        assert!((1..=19).contains(&rank));
        assert_eq!(r[col("c2_width_from_base")].split(';').count(), 3);
        assert_eq!(r[col("c2_depth_violations")].split('/').nth(1), Some("6"));
    }
    // Heat separates the 8 base copies from the rest even in the tiny study (p at its floor
    // of 1/10,000 there; checked loosely).
    let heat_p: f64 = rows[0][col("c1_p")].parse().unwrap();
    assert!(heat_p < 0.01, "{heat_p}");
}

/// Every architecture at 1/16 width, 400 samples, 1 epoch, 2 repetitions: the machinery end
/// to end in seconds; a rerun reuses the networks and gives the same bytes.
#[test]
fn tiny_study_shapes_symmetry_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiny");
    let out_s = out.to_str().unwrap();
    let args = [
        "experiment",
        "paper",
        "--dataset",
        "mnist",
        "--samples",
        "400",
        "--epochs",
        "1",
        "--repetitions",
        "2",
        "--width-divisor",
        "16",
        "--out",
        out_s,
    ];
    let first = run(&args);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("training:") && stdout.contains("pipeline:"), "{stdout}");
    let heat = check_outputs(&out, 2, &PRINCIPLED);
    // The first layer of ls128 at 1/16 width: 784 × 8.
    let net = nnph::network::Network::from_path(&out.join("nets/rep0/00_ls128.safetensors"));
    assert_eq!(net.unwrap().layer_sizes(), vec![784, 8, 8, 10]);
    // Two repetitions are different trainings.
    assert_ne!(heat[..361], heat[361..]);

    // The rerun adds the exact 2-Wasserstein distance: the networks are reused, and every
    // W_2 is at least the bottleneck distance (per dimension, so also in the 2-norm).
    let mut with_w = args.to_vec();
    with_w.push("--wasserstein");
    let again = run(&with_w);
    assert!(String::from_utf8_lossy(&again.stdout).contains("38 reused"));
    assert_eq!(heat, check_outputs(&out, 2, &WITH_WASSERSTEIN));
    let (_, w2) = read_f64(&out.join("principled/wasserstein_distance_matrices.npy"));
    let (_, bn) = read_f64(&out.join("principled/bottleneck_distance_matrices.npy"));
    assert!(w2.iter().zip(&bn).all(|(w, b)| *w >= *b * (1.0 - 1e-12)));
    assert!(w2.iter().zip(&bn).any(|(w, b)| *w > *b * 1.01), "W_2 is not the bottleneck");

    // Other settings into the same folder: refused, nothing overwritten.
    let mut other = args;
    other[7] = "2";
    let refused = nnph().args(other).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("other settings"));
}

/// `--model cnn-mlp` tiny (150 Fashion-MNIST images: 129 to train the CNN for one epoch and
/// the 1/16-width heads for one, 21 to test; about 10 s): the heads are MLPs on the CNN's 1,152 features,
/// the CNN is saved with its settings and reused by a rerun, and a plain-MLP run into the same
/// folder is refused.
#[test]
fn cnn_mlp_tiny_study() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cnn");
    let out_s = out.to_str().unwrap();
    let args = [
        "experiment",
        "paper",
        "--dataset",
        "fashion-mnist",
        "--model",
        "cnn-mlp",
        "--samples",
        "150",
        "--epochs",
        "1",
        "--cnn-epochs",
        "1",
        "--repetitions",
        "1",
        "--width-divisor",
        "16",
        "--out",
        out_s,
    ];
    let first = run(&args);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains("CNN: 286432 parameters") && stdout.contains("1152 features"),
        "{stdout}"
    );
    check_outputs(&out, 1, &PRINCIPLED);
    // The heads: 1,152 inputs (the Flatten outputs), 1/16 widths, no convolution in the graph.
    let net = nnph::network::Network::from_path(&out.join("nets/rep0/00_ls128.safetensors"));
    assert_eq!(net.unwrap().layer_sizes(), vec![1152, 8, 8, 10]);
    let net = nnph::network::Network::from_path(&out.join("nets/rep0/14_lab2.safetensors"));
    assert_eq!(net.unwrap().layer_sizes(), vec![1152, 32, 32, 2]);
    let (_, meta) = nnph_train::Cnn::load(&out.join("cnn.safetensors")).unwrap();
    assert!(meta["nnph.run"].contains("cnn_epochs=1"), "{meta:?}");
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run_json["model"], "cnn-mlp");
    assert_eq!(run_json["batch_size"], 256);
    assert_eq!(run_json["cnn"]["epochs"], 1);
    assert_eq!(run_json["cnn"]["reused"], false);
    let acc = run_json["cnn"]["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc), "{run_json}");

    let again = run(&args);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("(reused)") && stdout.contains("19 reused"), "{stdout}");
    // Plain MLPs into this folder: refused (the networks' settings differ).
    let mut mlp: Vec<&str> = args.to_vec();
    mlp.drain(4..6);
    mlp.drain(8..10);
    let refused = nnph().args(&mlp).output().unwrap();
    assert_eq!(refused.status.code(), Some(1), "{mlp:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("other settings"));
}

#[test]
fn bad_requests_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for (args, needle) in [
        (vec!["--cnn-epochs", "1"], "--model cnn-mlp only"),
        (vec!["--model", "cnn-mlp", "--cnn-epochs", "0"], "at least 1"),
        (vec!["--data-dir", "/nonexistent"], "no mnist data found"),
        (vec!["--epochs", "0"], "at least 1"),
    ] {
        let mut full = vec!["experiment", "paper", "--dataset", "mnist", "--out", out];
        full.extend(args);
        let o = nnph().args(&full).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{full:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle) && err.lines().count() == 1, "{err}");
    }
}

/// The documented quick mode (2,000 samples, 2 epochs, 1 repetition, full widths): about 20 s
/// in the test profile on 2 shared cores.
#[test]
fn quick_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("quick");
    // The principled modes are checked by the tiny study; at full width their exact
    // bottleneck distances would add about a minute here.
    let out_s = out.to_str().unwrap();
    run(&[
        "experiment",
        "paper",
        "--dataset",
        "mnist",
        "--quick",
        "--no-principled",
        "--out",
        out_s,
    ]);
    check_outputs(&out, 1, &[]);
    let accuracy = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    let base = accuracy.lines().find(|l| l.starts_with("0,2,ls512,")).unwrap();
    let acc: f64 = base.split(',').nth(10).unwrap().parse().unwrap();
    // 1,543 training samples and 2 epochs (24 steps): about 80%; chance is 10%.
    assert!(acc >= 0.70, "{base}");
}

/// A tiny run of `nnph experiment paper` into `dir`.
fn tiny_run(dir: &Path, dataset: &str, reps: &str, divisor: &str) {
    run(&[
        "experiment",
        "paper",
        "--dataset",
        dataset,
        "--samples",
        "400",
        "--epochs",
        "1",
        "--repetitions",
        reps,
        "--width-divisor",
        divisor,
        "--out",
        dir.to_str().unwrap(),
    ]);
}

/// The paper's dense adjacency matrix of a network, built straight from its weights
/// (reference-pipeline §1.3–1.4), not by nnph's graph code: vertices n_0_*, then per layer
/// n_L_* and b_L_*; A[s][t] = max(1 − |w|/M, 1e-6) in f32, s → t forward if w > 0, else
/// backward; M = max |parameter| over all weights and biases.
fn dense_adjacency(path: &Path) -> (usize, Vec<f64>) {
    let net = nnph::network::Network::from_path(path).unwrap();
    let sizes = net.layer_sizes();
    let v = sizes[0] + 2 * sizes[1..].iter().sum::<usize>();
    let m = net.layers().iter().fold(0.0_f32, |m, l| m.max(l.max_abs(true)));
    let dist = |w: f32| {
        let d = 1.0_f32 - w.abs() / m;
        f64::from(if d < 1e-6_f32 { 1e-6_f32 } else { d })
    };
    let mut a = vec![0.0; v * v];
    let (mut prev, mut next) = (0usize, sizes[0]);
    for l in net.layers() {
        let (n_in, n_out) = l.weight.dim();
        for i in 0..n_in {
            for j in 0..n_out {
                let w = l.weight[[i, j]];
                let (s, t) = if w > 0.0 { (prev + i, next + j) } else { (next + j, prev + i) };
                a[s * v + t] = dist(w);
            }
        }
        for (j, &b) in l.bias.as_ref().unwrap().iter().enumerate() {
            let (s, t) =
                if b > 0.0 { (next + n_out + j, next + j) } else { (next + j, next + n_out + j) };
            a[s * v + t] = dist(b);
        }
        prev = next;
        next += 2 * n_out;
    }
    (v, a)
}

/// NumPy's `norm(A − B, 'fro')` and `norm(A − B, 1)` (largest absolute column sum), densely.
fn dense_norms(v: usize, a: &[f64], b: &[f64]) -> (f64, f64) {
    let fro = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt();
    let one = (0..v)
        .map(|t| (0..v).map(|s| (a[s * v + t] - b[s * v + t]).abs()).sum::<f64>())
        .fold(0.0, f64::max);
    (fro, one)
}

/// The control on three tiny runs: MNIST and Fashion-MNIST at 1/16 width (same graph
/// shape, so the norms also exist across them) and MNIST at 1/32 width (another shape);
/// 2, 3 and 2 repetitions, so 2 executions are used.
#[test]
fn control_on_tiny_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (mnist, fashion, narrow) =
        (dir.path().join("mnist"), dir.path().join("fashion"), dir.path().join("narrow"));
    tiny_run(&mnist, "mnist", "2", "16");
    tiny_run(&fashion, "fashion-mnist", "3", "16");
    tiny_run(&narrow, "mnist", "2", "32");
    let out = dir.path().join("control");
    let args = [
        "experiment",
        "control",
        "--from",
        mnist.to_str().unwrap(),
        "--from",
        fashion.to_str().unwrap(),
        "--from",
        narrow.to_str().unwrap(),
        "--permutations",
        "999",
        "--wasserstein",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = run(&args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("using the first 2 of each"), "{stdout}");
    assert!(stdout.contains("Table 2"), "{stdout}");
    let (e, n) = (2, 15);

    for name in ["heat", "silhouette", "landscape"] {
        let (shape, v) = read_f64(&out.join(format!("{name}_distance_matrices.npy")));
        assert_eq!(shape, vec![e, n, n]);
        check_matrices(name, &v, n);
    }
    for name in ["heat-density", "silhouette", "landscape", "bottleneck", "wasserstein"] {
        let (shape, v) = read_f64(&out.join(format!("principled/{name}_distance_matrices.npy")));
        assert_eq!(shape, vec![e, n, n]);
        check_matrices(name, &v, n);
    }
    // --wasserstein: exact W_2 ≥ exact bottleneck, dimension by dimension and so combined.
    let (_, w2) = read_f64(&out.join("principled/wasserstein_distance_matrices.npy"));
    let (_, bn) = read_f64(&out.join("principled/bottleneck_distance_matrices.npy"));
    assert!(w2.iter().zip(&bn).all(|(w, b)| *w >= b * (1.0 - 1e-12)));
    assert!(w2.iter().zip(&bn).any(|(w, b)| *w > b * 1.01));
    let block = |i: usize| i / 5;
    let mut norms = Vec::new();
    for name in ["frobenius", "1"] {
        let (shape, within) = read_f64(&out.join(format!("{name}_distance_matrices.npy")));
        assert_eq!(shape, vec![e, n, n]);
        let (_, cross) = read_f64(&out.join(format!("{name}_cross_distance_matrices.npy")));
        let (shape, auto) = read_f64(&out.join(format!("{name}_autodistance_matrices.npy")));
        assert_eq!(shape, vec![e, n]);
        for x in 0..e {
            for i in 0..n {
                for j in 0..n {
                    let (w, c) = (within[x * n * n + i * n + j], cross[x * n * n + i * n + j]);
                    // Within blocks: the paper's matrix; outside: zeros there, and in the
                    // cross matrix a value between the two same-shape blocks, NaN with the
                    // narrow one.
                    if block(i) == block(j) {
                        assert_eq!(w, c);
                        assert_eq!(w == 0.0, i == j);
                    } else {
                        assert_eq!(w, 0.0);
                        assert_eq!(c.is_nan(), block(i) == 2 || block(j) == 2, "{i} {j}");
                    }
                }
            }
        }
        norms.push((within, cross, auto));
    }

    // The norms against a dense brute force from the weights: a pair within MNIST, a pair
    // across MNIST and Fashion-MNIST (execution 1), and the self-norms.
    let net =
        |run: &Path, rep: usize, stem: &str| run.join(format!("nets/rep{rep}/{stem}.safetensors"));
    let a = dense_adjacency(&net(&mnist, 1, "09_io1"));
    let b = dense_adjacency(&net(&mnist, 1, "11_io3"));
    let c = dense_adjacency(&net(&fashion, 1, "13_io5"));
    let zero = vec![0.0; a.1.len()];
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * y.abs().max(1.0);
    for (i, j, dense) in
        [(0, 2, dense_norms(a.0, &a.1, &b.1)), (0, 9, dense_norms(a.0, &a.1, &c.1))]
    {
        let k = n * n + i * n + j;
        assert!(close(norms[0].1[k], dense.0), "frobenius {} vs {}", norms[0].1[k], dense.0);
        assert!(close(norms[1].1[k], dense.1), "1-norm {} vs {}", norms[1].1[k], dense.1);
    }
    let own = dense_norms(a.0, &a.1, &zero);
    assert!(close(norms[0].2[n], own.0) && close(norms[1].2[n], own.1));

    // Table 2 as published, recomputed from the written matrices: execution k's mean
    // self-norm against block k's largest mean within-block distance, k < min(3, 2).
    let table2 = std::fs::read_to_string(out.join("table2.csv")).unwrap();
    for (k, name) in ["frobenius", "1"].iter().enumerate() {
        let (within, _, auto) = &norms[k];
        let mean = |i: usize, j: usize| (within[i * n + j] + within[n * n + i * n + j]) / 2.0;
        let block_max = |d: usize| {
            (5 * d..5 * d + 5)
                .flat_map(|i| (5 * d..5 * d + 5).map(move |j| (i, j)))
                .map(|(i, j)| mean(i, j))
                .fold(0.0, f64::max)
        };
        let auto_e = |x: usize| auto[x * n..(x + 1) * n].iter().sum::<f64>() / n as f64;
        let v: Vec<f64> = (0..2).map(|k| (auto_e(k) - block_max(k)).abs() / block_max(k)).collect();
        let row = table2.lines().find(|l| l.starts_with(&format!("{name},published,"))).unwrap();
        let cells: Vec<f64> = row.split(',').skip(2).map(|c| c.parse().unwrap()).collect();
        let expect =
            [v[0].min(v[1]), v[0].max(v[1]), (v[0] + v[1]) / 2.0, (v[0] - v[1]).abs() / 2.0];
        for (got, want) in cells.iter().zip(expect) {
            assert!((got - want).abs() <= 5e-5, "{row}: {expect:?}");
        }
    }
    assert_eq!(table2.lines().count(), 5);

    // Tests: all blocks for the PH metrics; the same-shape pair also for the norms.
    let tests = std::fs::read_to_string(out.join("tests.csv")).unwrap();
    let rows: Vec<&str> = tests.lines().skip(1).collect();
    assert_eq!(rows.iter().filter(|r| r.starts_with("all,")).count(), 8);
    let same = "same-shape:mnist /16+fashion-mnist /16,";
    assert_eq!(rows.iter().filter(|r| r.starts_with(same)).count(), 10, "{tests}");
    assert!(rows.iter().any(|r| r.starts_with(&format!("{same}norm,frobenius,"))));
    for r in &rows {
        let cells: Vec<&str> = r.split(',').collect();
        let p: f64 = cells[6].parse().unwrap();
        assert!(p > 0.0 && p <= 1.0, "{r}");
        assert_eq!(cells[7].split(';').count(), e);
        assert_eq!(cells[9].split(';').count(), e);
    }
    let stats = std::fs::read_to_string(out.join("stats.csv")).unwrap();
    assert_eq!(stats.lines().count(), 1 + (3 + 5 + 2) * 3);
    for f in ["heat.svg", "frobenius_cross.png", "principled/bottleneck.svg", "control.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }

    // One run is not a control; a folder that is not a run is refused.
    let one = nnph()
        .args(["experiment", "control", "--from", mnist.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&one.stderr).contains("at least two"));
    let not_run = nnph()
        .args(["experiment", "control", "--from", mnist.to_str().unwrap(), "--from"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(not_run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&not_run.stderr).contains("not a run folder"));
}
