//! `nnph graph`: a network's weighted digraph in flagser's `.flag` format, for other tools.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use nnph::complex::FilteredGraph;
use nnph::network::Network;

use super::GraphArgs;

/// Examples:
///   nnph graph net.safetensors --out net.flag                     the paper's graph
///   nnph graph net.npz --layer-activation-link --out net.flag     with intra-layer links
///   flagser --filtration max net.flag                             then any flagser-compatible tool
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(super) struct GraphCmdArgs {
    /// The network (.npz, .safetensors, .onnx).
    #[arg(value_name = "NET")]
    net: PathBuf,
    /// The graph file to write (flagser's text format: `dim 0:` vertex values, `dim 1:` one
    /// `src dst value` line per edge).
    #[arg(long, value_name = "FILE.flag")]
    out: PathBuf,
    #[command(flatten)]
    graph: GraphArgs,
}

pub(super) fn cmd_graph(a: &GraphCmdArgs) -> Result<()> {
    let opts = a.graph.options();
    let network = Network::from_path(&a.net)?;
    opts.persistence.budget.check(&nnph::pipeline::graph_estimate(&network, &opts.graph))?;
    let graph = network.to_graph(&opts.graph).with_context(|| format!("{}", a.net.display()))?;
    let graph = FilteredGraph::from_petgraph(&graph)?;
    nnph::io::write_atomic(&a.out, |w| {
        nnph::complex::flag::write_flag(&graph, w)?;
        Ok(())
    })?;
    println!(
        "{}: {} vertices, {} edges -> {}",
        a.net.display(),
        graph.vertex_count(),
        graph.edge_count(),
        a.out.display()
    );
    Ok(())
}
