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

/// Checks the matrices of a run: shape (reps, 19, 19), finite, symmetric, zero diagonal, and
/// the other outputs; returns the heat matrices.
fn check_outputs(dir: &Path, reps: usize) -> Vec<f64> {
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
    assert_eq!(stats.lines().count(), 1 + 12);
    for line in stats.lines().skip(1) {
        let mean: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&mean), "{line}");
    }
    for r in 0..reps {
        let nets = std::fs::read_dir(dir.join(format!("nets/rep{r}"))).unwrap().count();
        assert_eq!(nets, 19);
    }
    let net =
        nnph::network::Network::from_path(&dir.join("nets/rep0/08_nl10.safetensors")).unwrap();
    assert_eq!(net.layers().len(), 11);
    heat
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
    let heat = check_outputs(&out, 2);
    // The first layer of ls128 at 1/16 width: 784 × 8.
    let net = nnph::network::Network::from_path(&out.join("nets/rep0/00_ls128.safetensors"));
    assert_eq!(net.unwrap().layer_sizes(), vec![784, 8, 8, 10]);
    // Two repetitions are different trainings.
    assert_ne!(heat[..361], heat[361..]);

    let again = run(&args);
    assert!(String::from_utf8_lossy(&again.stdout).contains("38 reused"));
    assert_eq!(heat, check_outputs(&out, 2));

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
    check_outputs(&out, 1);
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
    run(&["experiment", "paper", "--dataset", "mnist", "--quick", "--out", out.to_str().unwrap()]);
    check_outputs(&out, 1);
    let accuracy = std::fs::read_to_string(out.join("accuracy.csv")).unwrap();
    let base = accuracy.lines().find(|l| l.starts_with("0,2,ls512,")).unwrap();
    let acc: f64 = base.split(',').nth(10).unwrap().parse().unwrap();
    // 1,543 training samples and 2 epochs (24 steps): about 80%; chance is 10%.
    assert!(acc >= 0.70, "{base}");
}
