//! The command-line contract: outputs, exit codes, one-line errors on bad input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::*;

fn nnph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnph")).args(args).output().expect("run nnph")
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes an `.npz` with float32 arrays `(name, shape, data)`.
fn write_npz(path: &Path, arrays: &[(&str, Vec<usize>, Vec<f32>)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    for (name, shape, data) in arrays {
        z.start_file(format!("{name}.npy"), zip::write::SimpleFileOptions::default()).unwrap();
        let mut buf = Vec::new();
        nnph::network::npy::write_npy_f32(&mut buf, shape, data).unwrap();
        z.write_all(&buf).unwrap();
    }
    z.finish().unwrap();
}

fn good_layers() -> Vec<(&'static str, Vec<usize>, Vec<f32>)> {
    vec![
        ("W0", vec![3, 2], vec![0.5, -0.25, 0.125, 0.75, -1.0, 0.0]),
        ("b0", vec![2], vec![0.1, -0.2]),
        ("W1", vec![2, 1], vec![0.3, -0.6]),
        ("b1", vec![1], vec![0.05]),
    ]
}

/// Asserts exit code 1, one line on stderr that names the file, and no panic.
fn assert_bad_input(o: &Output, file: &Path, what: &str) {
    let err = stderr_of(o);
    assert_eq!(o.status.code(), Some(1), "{what}: exit code; stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{what}: one line on stderr, got: {err}");
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(err.contains(name.as_ref()), "{what}: the message names the file: {err}");
    assert!(!err.contains("panicked"), "{what}: no panic: {err}");
}

#[test]
fn bad_inputs_exit_1_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.npz");
    write_npz(&good, &good_layers());
    let good_bytes = std::fs::read(&good).unwrap();

    let mut cases: Vec<(PathBuf, &str)> = Vec::new();
    for cut in [0, 10, 30, good_bytes.len() / 2, good_bytes.len() - 1] {
        let p = d.join(format!("truncated_{cut}.npz"));
        std::fs::write(&p, &good_bytes[..cut]).unwrap();
        cases.push((p, "truncated"));
    }
    let p = d.join("random.npz");
    let mut x = 0x1234_5678_u32;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    std::fs::write(&p, &bytes).unwrap();
    cases.push((p, "random bytes"));
    let p = d.join("random.safetensors");
    std::fs::write(&p, &bytes).unwrap();
    cases.push((p, "random safetensors"));

    let mut nan = good_layers();
    nan[2].2[1] = f32::NAN;
    let p = d.join("nan.npz");
    write_npz(&p, &nan);
    cases.push((p, "NaN weight"));
    let mut inf = good_layers();
    inf[1].2[0] = f32::INFINITY;
    let p = d.join("inf.npz");
    write_npz(&p, &inf);
    cases.push((p, "infinite bias"));
    let mut chain = good_layers();
    chain[2] = ("W1", vec![3, 1], vec![0.3, -0.6, 0.1]);
    let p = d.join("chain.npz");
    write_npz(&p, &chain);
    cases.push((p, "shapes that do not chain"));
    let zero: Vec<_> =
        good_layers().into_iter().map(|(n, s, v)| (n, s, vec![0.0; v.len()])).collect();
    let p = d.join("zero.npz");
    write_npz(&p, &zero);
    cases.push((p, "all-zero weights"));

    // An .npy header that claims 2^40 × 2^40 floats.
    let p = d.join("huge.npz");
    {
        let f = std::fs::File::create(&p).unwrap();
        let mut z = zip::ZipWriter::new(f);
        z.start_file("W0.npy", zip::write::SimpleFileOptions::default()).unwrap();
        let header =
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }";
        let mut h = header.to_owned();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        z.write_all(b"\x93NUMPY\x01\x00").unwrap();
        z.write_all(&(h.len() as u16).to_le_bytes()).unwrap();
        z.write_all(h.as_bytes()).unwrap();
        z.write_all(&[0u8; 64]).unwrap();
        z.finish().unwrap();
    }
    cases.push((p, "huge npy header"));
    // A safetensors header that claims an enormous length.
    let p = d.join("huge.safetensors");
    let mut st = (u64::MAX / 2).to_le_bytes().to_vec();
    st.extend_from_slice(b"{\"a\":1}");
    std::fs::write(&p, &st).unwrap();
    cases.push((p, "huge safetensors header"));
    let p = d.join("missing.npz");
    cases.push((p, "missing file"));

    for (file, what) in &cases {
        let f = file.to_str().unwrap();
        assert_bad_input(&nnph(&["diagram", f, "--out", d.to_str().unwrap()]), file, what);
        assert_bad_input(
            &nnph(&["compare", good.to_str().unwrap(), f, "--metric", "heat"]),
            file,
            what,
        );
    }
}

#[test]
fn bad_diagram_json_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"format":"nnph-diagram/1","diagrams":[{"dim":0,"pairs":[[0,0.5]]}]}"#,
    )
    .unwrap();
    for (name, text) in [
        ("notjson.json", "{"),
        ("format.json", r#"{"format":"other","diagrams":[]}"#),
        ("order.json", r#"{"format":"nnph-diagram/1","diagrams":[{"dim":0,"pairs":[[0.5,0.1]]}]}"#),
        ("shape.json", r#"{"format":"nnph-diagram/1","diagrams":[{"dim":0,"pairs":[[0.5]]}]}"#),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        assert_bad_input(
            &nnph(&["compare", good.to_str().unwrap(), p.to_str().unwrap(), "--metric", "heat"]),
            &p,
            name,
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [&["compare", "a.npz"][..], &["frobnicate"], &["compare", "a.npz", "b.npz"]] {
        let o = nnph(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr_of(&o));
    }
    let o = nnph(&["compare", "a.npz", "b.npz", "--metric", "nonsense"]);
    assert!(matches!(o.status.code(), Some(1 | 2)), "unknown metric: {}", stderr_of(&o));
}

/// `nnph diagram` then `nnph compare` on the JSON files gives the same matrix as
/// `nnph compare` on the networks, and `.npy` and `.csv` outputs agree.
#[test]
fn diagrams_round_trip_through_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nets: Vec<PathBuf> = ["t01_321", "t04_ties", "t07_16_12_8_4"]
        .iter()
        .map(|n| testdata().join(format!("golden/tiny/nets/{n}.npz")))
        .collect();
    let mut args: Vec<String> = vec!["diagram".into()];
    args.extend(nets.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), d.display().to_string()]);
    let o = nnph(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr_of(&o));
    let jsons: Vec<String> = ["t01_321", "t04_ties", "t07_16_12_8_4"]
        .iter()
        .map(|n| d.join(format!("{n}.json")).display().to_string())
        .collect();
    let from_nets = d.join("nets.npy");
    let from_json = d.join("json.npy");
    let csv = d.join("nets.csv");
    let mut a: Vec<String> = vec!["compare".into()];
    a.extend(nets.iter().map(|p| p.display().to_string()));
    let run = |extra: &[String], out: &Path| {
        let mut v = extra.to_vec();
        v.extend([
            "--metric".into(),
            "silhouette".into(),
            "--out".into(),
            out.display().to_string(),
        ]);
        let o = nnph(&v.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr_of(&o));
    };
    run(&a, &from_nets);
    run(&a, &csv);
    let mut b: Vec<String> = vec!["compare".into()];
    b.extend(jsons.iter().cloned());
    run(&b, &from_json);
    let (s1, m1) = read_npy_f64(&from_nets);
    let (s2, m2) = read_npy_f64(&from_json);
    assert_eq!(s1, vec![3, 3]);
    assert_eq!(s1, s2);
    assert_eq!(m1, m2, "JSON round trip is exact");
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "network,t01_321,t04_ties,t07_16_12_8_4");
    let row1: Vec<f64> = rows[2].split(',').skip(1).map(|x| x.parse().unwrap()).collect();
    assert_eq!(row1, m1[3..6].to_vec(), "CSV holds the same values (shortest round-trip repr)");
}

#[test]
fn heatmap_is_an_svg() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("h.svg");
    let nets: Vec<String> = ["t01_321", "t02_zeros"]
        .iter()
        .map(|n| testdata().join(format!("golden/tiny/nets/{n}.npz")).display().to_string())
        .collect();
    let o = nnph(&[
        "compare",
        &nets[0],
        &nets[1],
        "--metric",
        "heat",
        "--heatmap",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") || text.contains("<svg"));
    assert!(text.contains("t02_zeros"), "labels are drawn");
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.starts_with("network,t01_321,t02_zeros"), "CSV on stdout without --out");
}

/// The matching metrics through the CLI: `--metric bottleneck` and
/// `--metric wasserstein --q 2 --delta 0` on three tiny nets give symmetric
/// 3×3 matrices with a zero diagonal, bottleneck ≤ Wasserstein entrywise.
#[test]
fn matching_metrics_compare() {
    let dir = tempfile::tempdir().unwrap();
    let nets: Vec<String> = ["t01_321", "t04_ties", "t07_16_12_8_4"]
        .iter()
        .map(|n| testdata().join(format!("golden/tiny/nets/{n}.npz")).display().to_string())
        .collect();
    let run = |extra: &[&str], name: &str| -> Vec<f64> {
        let out = dir.path().join(format!("{name}.npy"));
        let mut args: Vec<&str> = vec!["compare"];
        args.extend(nets.iter().map(String::as_str));
        args.extend(extra);
        args.extend(["--out", out.to_str().unwrap()]);
        let o = nnph(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr_of(&o));
        let (shape, m) = read_npy_f64(&out);
        assert_eq!(shape, vec![3, 3], "{name}");
        for i in 0..3 {
            assert_eq!(m[i * 3 + i], 0.0, "{name}: zero diagonal");
            for j in 0..3 {
                assert!(m[i * 3 + j].is_finite() && m[i * 3 + j] >= 0.0, "{name}: {m:?}");
                assert_eq!(m[i * 3 + j], m[j * 3 + i], "{name}: symmetric");
            }
        }
        m
    };
    let bottleneck = run(&["--metric", "bottleneck"], "bottleneck");
    let wasserstein = run(&["--metric", "wasserstein", "--q", "2", "--delta", "0"], "wasserstein");
    // The defaults (q = 2, delta = 0.01) are served by the exact solver too.
    assert_eq!(run(&["--metric", "wasserstein"], "wasserstein_default"), wasserstein);
    assert!(wasserstein.iter().any(|&x| x > 0.0), "{wasserstein:?}");
    for (k, (b, w)) in bottleneck.iter().zip(&wasserstein).enumerate() {
        assert!(b <= w, "entry {k}: bottleneck {b} > wasserstein {w}");
    }
    // Invalid matching parameters are refused (exit code 1, the option named).
    let mut args: Vec<&str> = vec!["compare", &nets[0], &nets[1]];
    args.extend(["--metric", "wasserstein", "--q", "0.5"]);
    let o = nnph(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("q"), "{}", stderr_of(&o));
}

/// `nnph rips` on the 13-point projective plane prints Ripser's barcode: over Z/2 one
/// H1 and one H2 bar [1, 2); over Z/3 neither.
#[test]
fn rips_projective_plane() {
    let file = testdata().join("ripser/projective_plane.lower_distance_matrix");
    let f = file.to_str().unwrap();
    let o = nnph(&["rips", f, "--format", "lower-distance", "--max-dim", "2"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let section = |q: usize| -> Vec<String> {
        let head = format!("persistence intervals in dim {q}:");
        let start = out.find(&head).unwrap() + head.len();
        out[start..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with(' '))
            .map(|l| l.trim().to_owned())
            .collect()
    };
    assert_eq!(section(1), vec!["[1,2)"], "{out}");
    assert_eq!(section(2), vec!["[1,2)"], "{out}");
    let o = nnph(&["rips", f, "--format", "lower-distance", "--max-dim", "2", "--modulus", "3"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let out3 = String::from_utf8(o.stdout).unwrap();
    assert!(!out3.contains("[1,2)"), "over Z/3 RP^2 has no H1 or H2: {out3}");
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), "0\n1 x\n").unwrap();
    let o = nnph(&["rips", bad.path().to_str().unwrap(), "--format", "lower-distance"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert_eq!(stderr_of(&o).trim_end().lines().count(), 1);
}

/// `--grid giotto-joint` reproduces giotto's single fit over the whole batch (the
/// golden `*_joint.npy` matrices of the tiny case).
#[test]
fn joint_grid_matches_golden() {
    let dir = tempfile::tempdir().unwrap();
    let case = testdata().join("golden/tiny");
    let mut nets: Vec<String> = std::fs::read_dir(case.join("nets"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".npz"))
        .collect();
    nets.sort();
    for metric in ["heat", "silhouette", "landscape"] {
        let out = dir.path().join(format!("{metric}.npy"));
        let mut args: Vec<&str> = vec!["compare"];
        args.extend(nets.iter().map(String::as_str));
        args.extend(["--metric", metric, "--grid", "giotto-joint", "--out", out.to_str().unwrap()]);
        let o = nnph(&args);
        assert!(o.status.success(), "{}", stderr_of(&o));
        let (_, ours) = read_npy_f64(&out);
        let (_, golden) = read_npy_f64(&case.join(format!("golden/distances/{metric}_joint.npy")));
        assert_matrix_close(&format!("tiny {metric} joint"), &golden, &ours, 1e-9, 1e-12);
    }
}

/// `nnph rips` reads `.npy` distance matrices and point clouds and sparse triplets, gives the
/// same barcode as from the text formats on every thread count, refuses asymmetric matrices
/// and refuses over a tiny memory budget, naming the size and the hint.
#[test]
fn rips_npy_sparse_threads_and_budget() {
    let dir = tempfile::tempdir().unwrap();
    // Four points on a square of side 1 (diagonals √2): one H1 bar [1, √2).
    let points = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    let cloud = dir.path().join("square.npy");
    let mut bytes = Vec::new();
    nnph::network::npy::write_npy_f64(&mut bytes, &[4, 2], &points).unwrap();
    std::fs::write(&cloud, &bytes).unwrap();
    let text = dir.path().join("square.txt");
    std::fs::write(&text, "0 0\n1 0\n1 1\n0 1\n").unwrap();
    let d = |i: usize, j: usize| {
        let (a, b) = (&points[2 * i..2 * i + 2], &points[2 * j..2 * j + 2]);
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
    };
    let square: Vec<f64> = (0..16).map(|k| d(k / 4, k % 4)).collect();
    let matrix = dir.path().join("square_dm.npy");
    let mut bytes = Vec::new();
    nnph::network::npy::write_npy_f64(&mut bytes, &[4, 4], &square).unwrap();
    std::fs::write(&matrix, &bytes).unwrap();
    let sparse = dir.path().join("square.sparse");
    let triplets: String = (0..4)
        .flat_map(|i| (0..i).map(move |j| (i, j)))
        .map(|(i, j)| format!("{i} {j} {}\n", d(i, j)))
        .collect();
    std::fs::write(&sparse, triplets).unwrap();

    let run = |args: &[&str]| {
        let o = nnph(args);
        assert!(o.status.success(), "{args:?}: {}", stderr_of(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    let path = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let reference = run(&["rips", &path(&text), "--format", "point-cloud", "--max-dim", "2"]);
    assert!(reference.contains(" [1,1.4142135623730951)"), "{reference}");
    for threads in ["1", "2", "3"] {
        for (file, format) in
            [(&cloud, "point-cloud"), (&matrix, "npy"), (&sparse, "sparse"), (&text, "point-cloud")]
        {
            let args = ["--threads", threads, "rips", &path(file), "--format", format];
            let out = run(&[&args[..], &["--max-dim", "2", "--coeff", "2"]].concat());
            assert_eq!(out, reference, "{format} on {threads} threads");
        }
    }
    // An asymmetric .npy matrix is refused with one line; so is a 3-D array.
    let mut bad = square.clone();
    bad[1] = 5.0;
    let mut bytes = Vec::new();
    nnph::network::npy::write_npy_f64(&mut bytes, &[4, 4], &bad).unwrap();
    std::fs::write(&matrix, &bytes).unwrap();
    let o = nnph(&["rips", &path(&matrix), "--format", "npy"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("symmetric"), "{}", stderr_of(&o));
    let mut bytes = Vec::new();
    nnph::network::npy::write_npy_f64(&mut bytes, &[2, 2, 2], &points).unwrap();
    std::fs::write(&matrix, &bytes).unwrap();
    let o = nnph(&["rips", &path(&matrix), "--format", "npy"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert_eq!(stderr_of(&o).trim_end().lines().count(), 1);
    // Over budget: exit 1, the hint named.
    let o = nnph(&["rips", &path(&text), "--format", "point-cloud", "--memory-budget", "64B"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("memory budget"), "{}", stderr_of(&o));
    let o = nnph(&["rips", &path(&text), "--memory-budget", "lots"]);
    assert_ne!(o.status.code(), Some(0));
}

/// A giotto-style `.npy` batch on one grid for all pairs is streamed (read diagram by diagram,
/// at most twice, keeping vectors): the same matrix, bit for bit, as the same diagrams read
/// whole from JSON files, for every grid-based metric on the joint and fixed grids, for 1 and 2
/// threads, for one `.npy` file per diagram, and for a Fortran-ordered copy of the batch (read
/// whole); and the joint-grid matrices are giotto's (the golden `*_joint.npy`).
#[test]
fn streamed_npy_batch_equals_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = testdata().join("golden/tiny");
    let mut files: Vec<PathBuf> = std::fs::read_dir(case.join("golden/diagrams"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "npz"))
        .collect();
    files.sort();
    let rows: Vec<Vec<f64>> = files
        .iter()
        .map(|f| {
            let arrays = read_npz(f);
            arrays.into_iter().find(|(n, _)| n == "post").unwrap().1.to_f64_vec().unwrap()
        })
        .collect();
    let n = rows.iter().map(|r| r.len() / 3).max().unwrap();
    // The batch, padded with trivial rows (0, 0, 0) as giotto-style batches are; and the same
    // diagrams as JSON files and as one (n, 3) .npy file each.
    let mut batch = vec![0.0; rows.len() * n * 3];
    let (mut jsons, mut singles) = (Vec::new(), Vec::new());
    for (k, r) in rows.iter().enumerate() {
        batch[k * n * 3..k * n * 3 + r.len()].copy_from_slice(r);
        let mut padded = r.clone();
        padded.resize(n * 3, 0.0);
        let mut bytes = Vec::new();
        nnph::network::npy::write_npy_f64(&mut bytes, &[n, 3], &padded).unwrap();
        let diagram = nnph::io::diagrams_from_npy(&bytes).unwrap().remove(0);
        let json = d.join(format!("d{k}.json"));
        nnph::io::write_diagram_json(&json, &diagram, None).unwrap();
        jsons.push(json.display().to_string());
        let single = d.join(format!("d{k}.npy"));
        std::fs::write(&single, &bytes).unwrap();
        singles.push(single.display().to_string());
    }
    let batch_path = d.join("batch.npy");
    let mut bytes = Vec::new();
    nnph::network::npy::write_npy_f64(&mut bytes, &[rows.len(), n, 3], &batch).unwrap();
    std::fs::write(&batch_path, &bytes).unwrap();
    // Fortran order: the same array, first index fastest.
    let fortran_path = d.join("fortran.npy");
    let dict =
        format!("{{'descr': '<f8', 'fortran_order': True, 'shape': ({}, {n}, 3), }}", rows.len());
    let mut header = dict.into_bytes();
    header.resize((10 + header.len() + 1).div_ceil(64) * 64 - 10 - 1, b' ');
    header.push(b'\n');
    let mut f = b"\x93NUMPY\x01\x00".to_vec();
    f.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    f.extend_from_slice(&header);
    for c in 0..3 {
        for r in 0..n {
            for k in 0..rows.len() {
                f.extend_from_slice(&batch[(k * n + r) * 3 + c].to_le_bytes());
            }
        }
    }
    std::fs::write(&fortran_path, &f).unwrap();

    let run = |inputs: &[String], extra: &[&str], name: &str| -> Vec<f64> {
        let out = d.join(format!("out_{name}.npy"));
        let mut args: Vec<&str> = vec!["compare"];
        args.extend(inputs.iter().map(String::as_str));
        args.extend(extra);
        args.extend(["--out", out.to_str().unwrap()]);
        let o = nnph(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr_of(&o));
        let (shape, m) = read_npy_f64(&out);
        assert_eq!(shape, vec![rows.len(), rows.len()]);
        m
    };
    let bits = |m: &[f64]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let batch_arg = vec![batch_path.display().to_string()];
    let fortran_arg = vec![fortran_path.display().to_string()];
    for metric in ["heat", "heat-density", "silhouette", "landscape", "betti", "persistence-image"]
    {
        for grid in ["giotto-joint", "fixed:0,1"] {
            let opts = ["--metric", metric, "--grid", grid];
            let whole = run(&jsons, &opts, "json");
            let what = format!("{metric} on {grid}");
            let streamed = run(&batch_arg, &opts, "batch");
            assert_eq!(bits(&streamed), bits(&whole), "{what}: batch streamed vs JSON in memory");
            let one_thread = run(&batch_arg, &[&["--threads", "1"][..], &opts].concat(), "t1");
            assert_eq!(bits(&one_thread), bits(&whole), "{what}: one thread");
            let two_threads = run(&batch_arg, &[&["--threads", "2"][..], &opts].concat(), "t2");
            assert_eq!(bits(&two_threads), bits(&whole), "{what}: two threads");
            assert_eq!(
                bits(&run(&singles, &opts, "singles")),
                bits(&whole),
                "{what}: one file each"
            );
            assert_eq!(bits(&run(&fortran_arg, &opts, "fortran")), bits(&whole), "{what}: Fortran");
            if grid == "giotto-joint" && ["heat", "silhouette", "landscape"].contains(&metric) {
                let (_, golden) =
                    read_npy_f64(&case.join(format!("golden/distances/{metric}_joint.npy")));
                assert_matrix_close(
                    &format!("tiny {metric} joint"),
                    &golden,
                    &streamed,
                    1e-9,
                    1e-12,
                );
            }
        }
    }
}
