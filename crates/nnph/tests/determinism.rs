//! Same inputs, byte-identical outputs: for 1, 2 and 8 threads, and across runs.
//!
//! Every parallel stage (graph building, diagrams, pairwise distances, the Rips and flag
//! engines) must produce the same bytes whatever the thread count; this runs the CLI end to end
//! and compares the files it writes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(rel)
}

/// Runs `nnph --threads T ARGS…` and returns the bytes of every file it wrote into `out`
/// (sorted by name), plus its stdout.
fn run(threads: usize, args: &[&str], out: &Path) -> Vec<(String, Vec<u8>)> {
    let o = Command::new(env!("CARGO_BIN_EXE_nnph"))
        .arg("--threads")
        .arg(threads.to_string())
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "nnph {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    // Paths of the (per-run) output directory are the only expected difference in stdout.
    let stdout = String::from_utf8(o.stdout).unwrap().replace(out.to_str().unwrap(), "OUT");
    files.push(("stdout".into(), stdout.into_bytes()));
    files
}

/// Runs the same command for 1, 2 and 8 threads (and 2 threads twice) in fresh output
/// directories and asserts every written file is byte-identical.
fn assert_thread_independent(make_args: impl Fn(&str) -> Vec<String>) {
    let mut reference: Option<Vec<(String, Vec<u8>)>> = None;
    for threads in [1, 2, 8, 2] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let args = make_args(out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let files = run(threads, &args, dir.path());
        assert!(files.len() > 1, "nnph {args:?} wrote nothing");
        match &reference {
            None => reference = Some(files),
            Some(r) => {
                assert_eq!(r.len(), files.len(), "{args:?}: different files for {threads} threads");
                for ((name_a, a), (name_b, b)) in r.iter().zip(&files) {
                    assert_eq!(name_a, name_b);
                    assert!(a == b, "{args:?}: {name_a} differs between 1 and {threads} threads");
                }
            }
        }
    }
}

fn digits_nets() -> Vec<String> {
    let dir = testdata("golden/digits19/nets");
    let mut nets: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .filter(|p| p.ends_with(".npz"))
        .collect();
    nets.sort();
    nets.truncate(6);
    nets
}

#[test]
fn diagrams_are_thread_independent() {
    assert_thread_independent(|out| {
        let mut a = vec!["diagram".to_owned()];
        a.extend(digits_nets());
        a.extend(["--out".into(), out.into()]);
        a
    });
}

#[test]
fn distance_matrices_are_thread_independent() {
    for metric in ["heat", "silhouette", "landscape", "betti", "persistence-image", "bottleneck"] {
        assert_thread_independent(|out| {
            let mut a = vec!["compare".to_owned(), "--metric".into(), metric.into()];
            a.extend(digits_nets());
            a.extend(["--out".into(), format!("{out}/{metric}.npy")]);
            a
        });
    }
}

#[test]
fn rips_and_flag_are_thread_independent() {
    let rips = testdata("ripser/random16.lower_distance_matrix");
    assert_thread_independent(|out| {
        vec![
            "rips".into(),
            rips.to_str().unwrap().into(),
            "--max-dim".into(),
            "2".into(),
            "--json".into(),
            format!("{out}/rips.json"),
        ]
    });
    let flag = testdata("flagser/d5.flag");
    assert_thread_independent(|out| {
        vec![
            "flag".into(),
            flag.to_str().unwrap().into(),
            "--max-dim".into(),
            "4".into(),
            "--json".into(),
            format!("{out}/flag.json"),
        ]
    });
}
