//! Matching distances: exact bottleneck and W_2 between two 200,000-point
//! diagrams of the paper's shape (H0 points (0, d), capped H1 points (b, 1)),
//! and, on general random diagrams, the geometric bottleneck, the exact sparse
//! W_2 (which `wasserstein` with delta = 0.01 also runs at these sizes) and the
//! auction W_2.

use criterion::{Criterion, criterion_group, criterion_main};
use nnph_distance::matching::{GroundMetric, bottleneck, wasserstein, wasserstein_auction};
use nnph_homology::PersistencePair as P;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` H0 points (0, d), d ~ U(0.01, 1), or H1 points (b, 1), b ~ U(0, 1).
fn paper_shape(n: usize, h1: bool, seed: u64) -> Vec<P> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            if h1 {
                P::new(rng.random_range(0.0..1.0), 1.0)
            } else {
                P::new(0.0, rng.random_range(0.01..1.0))
            }
        })
        .collect()
}

/// `n` points with births ~ U(0, 1) and lifetimes ~ Exp(mean 0.3).
fn general(n: usize, seed: u64) -> Vec<P> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let b: f64 = rng.random_range(0.0..1.0);
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            P::new(b, b - 0.3 * u.ln())
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("matching");
    g.sample_size(10);
    // 200,000 points: the target (exact W_2 and bottleneck under 2 s).
    for (name, h1) in [("h0", false), ("h1", true)] {
        let (a, b) = (paper_shape(200_000, h1, 1), paper_shape(200_000, h1, 2));
        g.bench_function(format!("paper_{name}_200k/bottleneck_exact"), |bench| {
            bench.iter(|| bottleneck(&a, &b, GroundMetric::LInf, 0.0).unwrap())
        });
        g.bench_function(format!("paper_{name}_200k/w2_exact"), |bench| {
            bench.iter(|| wasserstein(&a, &b, 2.0, GroundMetric::LInf, 0.0).unwrap())
        });
    }
    // General diagrams: the sizes of the peer comparison (1k-10k points).
    for n in [1_000, 5_000] {
        let (a, b) = (general(n, 3), general(n, 4));
        g.bench_function(format!("general_{n}/bottleneck_exact"), |bench| {
            bench.iter(|| bottleneck(&a, &b, GroundMetric::LInf, 0.0).unwrap())
        });
        g.bench_function(format!("general_{n}/w2_exact"), |bench| {
            bench.iter(|| wasserstein(&a, &b, 2.0, GroundMetric::LInf, 0.0).unwrap())
        });
        g.bench_function(format!("general_{n}/w2_auction_0.01"), |bench| {
            bench.iter(|| wasserstein_auction(&a, &b, 2.0, GroundMetric::LInf, 0.01).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
