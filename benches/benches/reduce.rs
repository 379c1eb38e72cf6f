//! Persistence of network graphs: the exact graph shortcut (Kruskal).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nnph_benches::{glorot_mlp, paper_base};
use nnph_complex::FilteredGraph;
use nnph_homology::persistence::{PersistenceOptions, flag_persistence};
use nnph_network::GraphOptions;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("reduce");
    g.sample_size(10);
    // The base network and the largest of the paper's MNIST batch (2.77 M edges).
    for (name, net) in [
        ("784-512-512-10", paper_base(3)),
        (
            "784-512x10-10",
            glorot_mlp(&[784, 512, 512, 512, 512, 512, 512, 512, 512, 512, 512, 10], 4),
        ),
    ] {
        let graph =
            FilteredGraph::from_petgraph(&net.to_graph(&GraphOptions::default()).unwrap()).unwrap();
        g.throughput(Throughput::Elements(graph.edge_count() as u64));
        g.bench_function(name, |b| {
            b.iter(|| flag_persistence(&graph, &PersistenceOptions::default()).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
