//! `nnph plot`: persistence diagrams, barcodes and Betti curves as SVG or PNG.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use nnph::homology::Diagram;
use nnph::pipeline::{self, Input};
use nnph::plot::Kind;

use super::GraphArgs;

/// Examples:
///   nnph plot net.safetensors --out net.png                 persistence diagram of a network
///   nnph plot diagram.json --kind barcode --out bars.svg    barcode of a saved diagram
///   nnph plot net.npz --kind all --out figs/net.png         diagram, barcode and Betti curves
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(super) struct PlotArgs {
    /// A network (.npz, .safetensors, .onnx) or a diagram (nnph-diagram/1 JSON, giotto-style
    /// .npy of one diagram).
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// What to draw. `all` writes three files: OUT with -diagram, -barcode and -betti added to
    /// its stem.
    #[arg(long, value_enum, default_value_t = KindArg::Diagram)]
    kind: KindArg,
    /// The image to write: .svg or .png.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Only these homology dimensions, e.g. `--dims 0,1` (default: every dimension).
    #[arg(long, value_delimiter = ',', value_name = "Q,…")]
    dims: Vec<usize>,
    /// The plot's title (default: the input's file name).
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    graph: GraphArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum KindArg {
    /// Points (birth, death), the diagonal, essential points on a line marked ∞.
    Diagram,
    /// One bar per pair (the longest 200 per dimension).
    Barcode,
    /// Betti curves: the number of pairs alive at each filtration value.
    Betti,
    /// All three.
    All,
}

pub(super) fn cmd_plot(a: &PlotArgs) -> Result<()> {
    match a.out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg" | "png") => {}
        _ => bail!("--out {}: give a .svg or .png file name", a.out.display()),
    }
    let input = Input::new(&a.input);
    let diagram = pipeline::input_diagram(&input, &a.graph.options())?;
    let diagram = if a.dims.is_empty() {
        diagram
    } else {
        let dims = diagram
            .into_dims()
            .into_iter()
            .enumerate()
            .map(|(q, pairs)| if a.dims.contains(&q) { pairs } else { Vec::new() })
            .collect();
        Diagram::from_dims(dims)
    };
    let title = a.title.clone().unwrap_or_else(|| {
        a.input.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    });
    let kinds: &[(Kind, &str)] = match a.kind {
        KindArg::Diagram => &[(Kind::Diagram, "")],
        KindArg::Barcode => &[(Kind::Barcode, "")],
        KindArg::Betti => &[(Kind::Betti, "")],
        KindArg::All => {
            &[(Kind::Diagram, "-diagram"), (Kind::Barcode, "-barcode"), (Kind::Betti, "-betti")]
        }
    };
    for &(kind, suffix) in kinds {
        let path = with_suffix(&a.out, suffix);
        nnph::plot::plot_diagram(&path, &diagram, kind, &title)?;
        println!("{}", path.display());
    }
    Ok(())
}

/// `dir/stem.ext` → `dir/stem<suffix>.ext`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    if suffix.is_empty() {
        return path.to_owned();
    }
    let stem = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let ext = path.extension().map_or_else(String::new, |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}{suffix}.{ext}"))
}
