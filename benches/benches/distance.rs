//! Pairwise distance matrices of a batch of network diagrams, for the paper's metrics.

use criterion::{Criterion, criterion_group, criterion_main};
use nnph_benches::glorot_mlp;
use nnph_complex::FilteredGraph;
use nnph_distance::{DiagramBatch, Metric, MetricOptions, Par};
use nnph_homology::persistence::{PersistenceOptions, flag_persistence};
use nnph_homology::{Diagram, giotto_reduced};
use nnph_network::GraphOptions;

fn diagram(sizes: &[usize], seed: u64) -> Diagram {
    let net = glorot_mlp(sizes, seed);
    let graph =
        FilteredGraph::from_petgraph(&net.to_graph(&GraphOptions::default()).unwrap()).unwrap();
    giotto_reduced(&flag_persistence(&graph, &PersistenceOptions::default()).unwrap())
}

fn bench(c: &mut Criterion) {
    // Six networks of the paper's layer-size and input-order groups (15 pairs; up to 1.9 M points).
    let specs: [&[usize]; 6] = [
        &[784, 128, 128, 10],
        &[784, 256, 256, 10],
        &[784, 512, 512, 10],
        &[784, 1024, 1024, 10],
        &[784, 512, 512, 10],
        &[784, 512, 512, 10],
    ];
    let diagrams: Vec<Diagram> =
        specs.iter().enumerate().map(|(k, s)| diagram(s, 10 + k as u64)).collect();
    let mut batch = DiagramBatch::giotto_filtered(&diagrams, 4, 0.01).unwrap();
    batch.cap_infinity(1.0).unwrap();
    let mut g = c.benchmark_group("distance");
    g.sample_size(10);
    for metric in [
        Metric::Heat { sigma: 0.1 },
        Metric::Silhouette { power: 1.0 },
        Metric::Landscape { n_layers: 1 },
    ] {
        let opts = MetricOptions::paper(metric);
        g.bench_function(metric.to_string(), |b| {
            b.iter(|| nnph_distance::pairwise(&batch, &opts, Par::Rayon).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
