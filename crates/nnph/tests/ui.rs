//! Progress and timings: nothing on stderr when it is not a terminal (pipes, CI logs), stage
//! timings with `--verbose`, and `--quiet` accepted everywhere.

use std::path::Path;
use std::process::Command;

fn nets() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/golden/tiny/nets");
    ["t01_321", "t04_ties", "t07_16_12_8_4"]
        .iter()
        .map(|n| dir.join(format!("{n}.npz")).to_str().unwrap().to_owned())
        .collect()
}

fn run(args: &[&str]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_nnph")).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

#[test]
fn no_progress_off_a_terminal_and_timings_with_verbose() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.npy");
    let mut args = vec!["compare", "--metric", "heat", "--out", out.to_str().unwrap()];
    let nets = nets();
    args.extend(nets.iter().map(String::as_str));
    let (_, stderr) = run(&args);
    assert_eq!(stderr, "", "stderr is not a terminal here: no bars");
    let mut verbose = args.clone();
    verbose.insert(0, "--verbose");
    let (_, stderr) = run(&verbose);
    assert!(stderr.contains("nnph: diagrams:") && stderr.contains("nnph: distances:"), "{stderr}");
    let mut quiet = args.clone();
    quiet.push("--quiet");
    assert_eq!(run(&quiet).1, "");
    let (_, stderr) = run(&["diagram", &nets[0], "--out", dir.path().to_str().unwrap(), "-v"]);
    assert!(stderr.contains(": diagram:"), "{stderr}");
}

/// `nnph info` reports the graph, the complex's cells per dimension and the cost: for a plain
/// MLP the cells are the vertices and edges only; intra-layer links add triangles.
#[test]
fn info_reports_cells_and_cost() {
    let net = &nets()[2];
    let (out, _) = run(&["info", net]);
    let graph_line = out.lines().find(|l| l.contains("graph:")).unwrap();
    let numbers: Vec<&str> =
        graph_line.split_whitespace().filter(|w| w.parse::<usize>().is_ok()).collect();
    let (v, e) = (numbers[0], numbers[1]);
    assert!(out.contains(&format!("[{v}, {e}, 0, 0, 0]")), "{out}");
    assert!(out.contains("of memory") && out.contains("on one core"), "{out}");
    let (out, _) = run(&["info", net, "--layer-activation-link", "--max-dim", "2"]);
    let cells = out.lines().find(|l| l.contains("flag complex cells")).unwrap();
    let counts: Vec<usize> = cells[cells.find('[').unwrap() + 1..cells.find(']').unwrap()]
        .split(", ")
        .map(|c| c.parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 4, "{out}");
    assert!(counts[2] > 0 && counts[3] > 0, "links make triangles and tetrahedra: {out}");
    assert!(out.contains("flag engine"), "{out}");
}
