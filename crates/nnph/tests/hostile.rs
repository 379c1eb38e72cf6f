//! The hostile-input corpus (`testdata/hostile/`): every file must make `nnph` exit 1 with one
//! line on stderr that names the file and says what is wrong, never panic, and never peak above
//! 100 MB of memory.
//!
//! A test binary of its own, so that the peak memory of its child processes
//! (`getrusage(RUSAGE_CHILDREN)`) is that of the hostile runs alone.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The memory no hostile run may exceed.
const PEAK_LIMIT_BYTES: u64 = 100 << 20;

struct Case {
    file: String,
    command: Vec<String>,
    expect: String,
    why: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/hostile")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus_dir().join("expected.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "expected.tsv line {l:?}");
            Case {
                file: f[0].to_owned(),
                command: f[1].split_whitespace().map(str::to_owned).collect(),
                expect: f[2].to_owned(),
                why: f[3].to_owned(),
            }
        })
        .collect()
}

/// The largest peak RSS of any child process waited for so far, in bytes.
#[cfg(unix)]
fn children_peak_rss() -> Option<u64> {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if rc != 0 {
        return None;
    }
    let maxrss = u64::try_from(usage.ru_maxrss).ok()?;
    // Linux reports kilobytes, macOS bytes.
    Some(if cfg!(target_os = "macos") { maxrss } else { maxrss * 1024 })
}

#[cfg(not(unix))]
fn children_peak_rss() -> Option<u64> {
    None
}

#[test]
fn every_hostile_file_is_refused_with_one_line_and_little_memory() {
    let dir = corpus_dir();
    let out = tempfile::tempdir().unwrap();
    let cases = cases();
    assert!(cases.len() >= 40, "the corpus lost files: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let file = dir.join(&case.file);
        assert!(file.exists(), "{} is listed but missing (run make_hostile.py)", case.file);
        let file_arg = file.to_str().unwrap().to_owned();
        let mut args: Vec<String> = vec![case.command[0].clone()];
        match case.command[0].as_str() {
            "diagram" => {
                args.extend([file_arg, "--out".into(), out.path().to_str().unwrap().into()]);
            }
            "compare" => {
                let good = dir.join("good.npz").to_str().unwrap().to_owned();
                args.extend([good, file_arg, "--metric".into(), "heat".into()]);
                args.extend(case.command[1..].iter().cloned());
            }
            // The file alone (a batch of diagrams), with the given options.
            "compare-batch" => {
                args = vec!["compare".into(), file_arg];
                args.extend(case.command[1..].iter().cloned());
            }
            _ => {
                args.push(file_arg);
                args.extend(case.command[1..].iter().cloned());
            }
        }
        let o = Command::new(env!("CARGO_BIN_EXE_nnph")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        let ok = o.status.code() == Some(1)
            && lines.len() == 1
            && lines[0].starts_with("nnph: ")
            && lines[0].contains(&case.file)
            && lines[0].to_lowercase().contains(&case.expect.to_lowercase())
            && !stderr.contains("panicked");
        if !ok {
            failures.push(format!(
                "{} ({}): exit {:?}, stderr {:?}, expected a line containing {:?}",
                case.file,
                case.why,
                o.status.code(),
                stderr,
                case.expect
            ));
        }
        if let Some(peak) = children_peak_rss() {
            assert!(
                peak < PEAK_LIMIT_BYTES,
                "{} ({}): a hostile run peaked at {} MB",
                case.file,
                case.why,
                peak >> 20
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile files:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The good network the `compare` cases pair with really is good, so those cases fail on the
/// hostile side.
#[test]
fn the_reference_network_of_the_corpus_is_good() {
    let out = tempfile::tempdir().unwrap();
    let good = corpus_dir().join("good.npz");
    let o = Command::new(env!("CARGO_BIN_EXE_nnph"))
        .args(["diagram", good.to_str().unwrap(), "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every stage of the network pipeline checks its estimate against `--memory-budget` before
/// allocating: a tiny budget is refused with the size and how to change it.
#[test]
fn network_stages_honour_the_memory_budget() {
    let out = tempfile::tempdir().unwrap();
    let good = corpus_dir().join("good.npz");
    let good = good.to_str().unwrap();
    for args in [
        vec!["diagram", good, "--out", out.path().to_str().unwrap(), "--memory-budget", "1KB"],
        vec!["compare", good, good, "--metric", "heat", "--memory-budget", "100B"],
        vec!["plot", good, "--out", "x.png", "--memory-budget", "200B"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_nnph")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("over the memory budget"), "{args:?}: {stderr}");
        assert!(stderr.contains("--memory-budget"), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
    // The same network within a sensible budget works.
    let o = Command::new(env!("CARGO_BIN_EXE_nnph"))
        .args(["diagram", good, "--out", out.path().to_str().unwrap(), "--memory-budget", "64MB"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
