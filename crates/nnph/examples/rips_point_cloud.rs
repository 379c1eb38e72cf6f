//! Vietoris–Rips persistence of a point cloud: 100 noisy points on a circle have one long H1
//! bar.
//!
//!     cargo run --release -p nnph --example rips_point_cloud
#![allow(clippy::print_stdout)] // an example prints its results

use nnph::complex::distances::DistanceMatrix;
use nnph::complex::rips::{RipsComplex, RipsOptions};
use nnph::homology::reduce::{RipsPersistenceOptions, rips_persistence};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A deterministic noisy circle of radius 1.
    let points: Vec<Vec<f64>> = (0..100)
        .map(|k| {
            let t = std::f64::consts::TAU * f64::from(k) / 100.0;
            let wobble = 0.05 * (7.0 * t).sin();
            vec![(1.0 + wobble) * t.cos(), (1.0 + wobble) * t.sin()]
        })
        .collect();
    let distances = DistanceMatrix::from_points(&points)?;

    // Dimensions 0 and 1, up to the enclosing radius (the default threshold), over Z/2.
    let rips = RipsComplex::new(distances, &RipsOptions::new(1, None))?;
    let diagram = rips_persistence(&rips, &RipsPersistenceOptions::default())?;

    for (q, pairs) in diagram.dims().iter().enumerate() {
        let longest = pairs
            .iter()
            .map(|p| p.death - p.birth)
            .filter(|l| l.is_finite())
            .fold(0.0_f64, f64::max);
        println!("H{q}: {} bars, longest finite bar {longest:.3}", pairs.len());
    }
    let circle =
        diagram.dim(1).iter().max_by(|a, b| (a.death - a.birth).total_cmp(&(b.death - b.birth)));
    if let Some(bar) = circle {
        println!("the circle: born at {:.3}, dies at {:.3}", bar.birth, bar.death);
    }
    Ok(())
}
