//! Times one matching distance between two diagrams stored as `.npy`
//! arrays of shape (n, 2) (birth, death) or (n, 3) (birth, death, dim; all
//! rows used), or a batch's distance matrix with the data already in memory,
//! for `benches/compare_distances.sh`.
//!
//! Usage: `distbench bottleneck|wasserstein|auction A.npy B.npy [Q] [DELTA] [REPEAT] [P]`
//! (`P` the ground metric's `L_p`, default `inf`; `auction` is `wasserstein`'s
//! auction whatever the size, which `wasserstein` with `DELTA > 0` runs only above
//! `EXACT_WHEN_APPROXIMATE` points), or
//! `distbench batch METRIC BATCH.npy [REPEAT]`: a giotto-style `(N, n, 3)`
//! batch is read and decoded first (not timed, as giotto's `np.load`), then
//! the timed part is what giotto-tda's `Filtering(0.01)`, `inf → 1` and
//! `PairwiseDistance(n_bins=200)` fitted on the batch do: filtering, grids,
//! vectorisations and the matrix, on the joint grid (`SharedGridPlan` over
//! the rows in memory).
//! Prints one line: `value seconds` (the best of REPEAT runs; for `batch`
//! the value is the sum of the matrix, as the peer script prints).
//!
//! Rayon's global thread pool is started before anything is timed, as the
//! peers' imports are (importing numpy starts its BLAS threads): starting it
//! is once per process, about 0.2 ms on the 2-core VM, which would otherwise
//! fall into the first call. Everything else of a first call (its memory
//! paged in, cold caches) is timed.

use std::time::Instant;

use nnph_distance::matching::{GroundMetric, bottleneck, wasserstein, wasserstein_auction};
use nnph_distance::{
    DiagramSource, GridMode, Metric, MetricOptions, Par, SharedGridPlan, StreamOptions,
};
use nnph_homology::PersistencePair;

fn read(path: &str) -> Result<Vec<PersistencePair>, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let arr = nnph_network::npy::read_npy(&bytes)?;
    let cols = match arr.shape.as_slice() {
        [_, c] if *c == 2 || *c == 3 => *c,
        s => return Err(format!("{path}: expected shape (n, 2) or (n, 3), got {s:?}").into()),
    };
    let v = arr.to_f64_vec()?;
    Ok(v.chunks_exact(cols).map(|r| PersistencePair::new(r[0], r[1])).collect())
}

/// A decoded `(N, n, 3)` batch in memory, visited row by row.
struct Rows {
    values: Vec<f64>,
    count: usize,
    rows: usize,
}

impl DiagramSource for Rows {
    type Error = nnph_distance::Error;

    fn len(&self) -> usize {
        self.count
    }

    fn visit<F: FnMut(usize, PersistencePair)>(
        &self,
        i: usize,
        mut sink: F,
    ) -> Result<(), nnph_distance::Error> {
        for r in self.values[i * self.rows * 3..(i + 1) * self.rows * 3].chunks_exact(3) {
            sink(r[2] as usize, PersistencePair::new(r[0], r[1]));
        }
        Ok(())
    }
}

fn batch(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let metric: Metric = args[2].parse()?;
    let bytes = std::fs::read(&args[3])?;
    let arr = nnph_network::npy::read_npy(&bytes)?;
    drop(bytes);
    let [count, rows, 3] = arr.shape[..] else {
        return Err(format!("{}: expected shape (N, n, 3), got {:?}", args[3], arr.shape).into());
    };
    let source = Rows { values: arr.to_f64_vec()?, count, rows };
    drop(arr);
    let repeat: usize = args.get(4).map_or(Ok(1), |s| s.parse())?;
    let opts = MetricOptions::paper(metric).with_grid(GridMode::GiottoJoint);
    let mut best = f64::INFINITY;
    let mut value = f64::NAN;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let plan =
            SharedGridPlan::scan(&source, StreamOptions::giotto(0.01, 1.0), &opts, Par::Rayon)?;
        let m = plan.pairwise(&source, Par::Rayon, None)?;
        best = best.min(t.elapsed().as_secs_f64());
        value = m.values.iter().sum();
    }
    #[allow(clippy::print_stdout)]
    {
        println!("{value:.17e} {best:.6}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Every worker started and idle (see the module documentation).
    rayon::broadcast(|_| ());
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 4 && args[1] == "batch" {
        return batch(&args);
    }
    if args.len() < 4 {
        return Err(
            "usage: distbench bottleneck|wasserstein|auction A.npy B.npy [Q] [DELTA] [REPEAT] [P]"
                .into(),
        );
    }
    let (a, b) = (read(&args[2])?, read(&args[3])?);
    let q: f64 = args.get(4).map_or(Ok(2.0), |s| s.parse())?;
    let delta: f64 = args.get(5).map_or(Ok(0.0), |s| s.parse())?;
    let repeat: usize = args.get(6).map_or(Ok(1), |s| s.parse())?;
    let p: f64 = args.get(7).map_or(Ok(f64::INFINITY), |s| s.parse())?;
    let ground = GroundMetric::Lp(p);
    let mut best = f64::INFINITY;
    let mut value = f64::NAN;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        value = match args[1].as_str() {
            "bottleneck" => bottleneck(&a, &b, ground, delta)?,
            "wasserstein" => wasserstein(&a, &b, q, ground, delta)?,
            "auction" => wasserstein_auction(&a, &b, q, ground, delta)?,
            m => return Err(format!("unknown metric {m}").into()),
        };
        best = best.min(t.elapsed().as_secs_f64());
    }
    #[allow(clippy::print_stdout)]
    {
        println!("{value:.17e} {best:.6}");
    }
    Ok(())
}
