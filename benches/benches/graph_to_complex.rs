//! Network → weighted digraph → `FilteredGraph`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nnph_benches::{glorot_mlp, paper_base};
use nnph_complex::FilteredGraph;
use nnph_network::GraphOptions;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("graph_to_complex");
    // The smallest and the base network of the paper's MNIST experiment.
    for (name, net) in
        [("784-128-128-10", glorot_mlp(&[784, 128, 128, 10], 1)), ("784-512-512-10", paper_base(2))]
    {
        g.throughput(Throughput::Elements(net.parameter_count() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let graph = net.to_graph(&GraphOptions::default()).unwrap();
                FilteredGraph::from_petgraph(&graph).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
