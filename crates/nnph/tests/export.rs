//! `nnph graph` writes the graph that `nnph diagram` computes on: flagser's format, read back
//! by `nnph flag`, gives the same diagram.

use std::path::Path;
use std::process::Command;

fn nnph(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_nnph")).args(args).output().unwrap();
    assert!(o.status.success(), "nnph {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn exported_graph_gives_the_same_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let net = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/golden/tiny/nets/t07_16_12_8_4.npz");
    let net = net.to_str().unwrap();
    for (extra, max_dim) in [(None, "1"), (Some("--layer-activation-link"), "2")] {
        let flag = format!("{d}/g.flag");
        let mut args = vec!["graph", net, "--out", &flag];
        args.extend(extra);
        nnph(&args);
        let from_flag = format!("{d}/from_flag.json");
        nnph(&["flag", &flag, "--max-dim", max_dim, "--json", &from_flag]);
        let mut args = vec!["diagram", net, "--out", d, "--unreduced", "--max-dim", max_dim];
        args.extend(extra);
        nnph(&args);
        let a = nnph::io::read_diagram_json(Path::new(&from_flag)).unwrap();
        let b = nnph::io::read_diagram_json(&Path::new(d).join("t07_16_12_8_4.json")).unwrap();
        let sorted = |dg: &nnph::homology::Diagram| {
            let mut v: Vec<Vec<(f64, f64)>> =
                dg.dims().iter().map(|p| p.iter().map(|p| (p.birth, p.death)).collect()).collect();
            for dim in &mut v {
                dim.retain(|&(b, d)| b != d);
                dim.sort_by(|x, y| x.partial_cmp(y).unwrap());
            }
            while v.last().is_some_and(Vec::is_empty) {
                v.pop();
            }
            v
        };
        assert_eq!(sorted(&a), sorted(&b), "{extra:?}");
        assert!(sorted(&a).len() >= 2, "{extra:?}: H0 and H1 at least");
    }
}
