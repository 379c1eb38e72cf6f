//! Times one matching distance between two diagrams stored as `.npy`
//! arrays of shape (n, 2) (birth, death) or (n, 3) (birth, death, dim; all
//! rows used), for `benches/compare_distances.sh`.
//!
//! Usage: `distbench bottleneck|wasserstein A.npy B.npy [Q] [DELTA] [REPEAT] [P]`
//! (`P` the ground metric's `L_p`, default `inf`).
//! Prints one line: `value seconds` (the best of REPEAT runs).

use std::time::Instant;

use nnph_distance::matching::{GroundMetric, bottleneck, wasserstein};
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err(
            "usage: distbench bottleneck|wasserstein A.npy B.npy [Q] [DELTA] [REPEAT] [P]".into()
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
