//! Shared deterministic fixtures for the nnph benches.
//!
//! Every fixture is built from a seed, so runs compare like with like.

use ndarray::{Array1, Array2};
use nnph_network::Network;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A Glorot-uniform MLP with biases in U(−0.05, 0.05), like the paper's untrained
/// networks (`testdata/reference/make_cases.py` draws the same distributions with NumPy).
///
/// # Panics
///
/// If `sizes` has fewer than two entries.
pub fn glorot_mlp(sizes: &[usize], seed: u64) -> Network {
    assert!(sizes.len() >= 2, "an MLP needs an input and an output size");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(l, w)| {
            let (a, c) = (w[0], w[1]);
            let lim = (6.0 / (a + c) as f64).sqrt();
            let weight: Vec<f32> = (0..a * c).map(|_| rng.random_range(-lim..lim) as f32).collect();
            let bias: Vec<f32> = (0..c).map(|_| rng.random_range(-0.05..0.05) as f32).collect();
            (
                format!("W{l}"),
                Array2::from_shape_vec((a, c), weight).expect("shape"),
                Some(Array1::from(bias)),
            )
        })
        .collect();
    Network::try_dense(layers).expect("valid network")
}

/// The paper's base architecture on MNIST: 784-512-512-10 (669,706 edges).
pub fn paper_base(seed: u64) -> Network {
    glorot_mlp(&[784, 512, 512, 10], seed)
}
