//! Training the networks of Pérez-Fernández et al., *Characterizing and
//! Measuring the Similarity of Neural Networks with Persistent Homology*
//! (2021, arXiv:2101.07752), so that nnph can rerun the paper's study.
//!
//! `nnph-train` reads MNIST-style IDX files ([`idx`]), prepares data the way
//! the paper's scripts do ([`Dataset`]: seeded shuffle, train/test split,
//! first k classes, permuted training data), trains multilayer perceptrons
//! with the paper's settings on the CPU with [candle](https://docs.rs/candle-core)
//! ([`train_mlp`]: ReLU, Glorot uniform, zero biases, dropout 0.2, RMSprop
//! lr 1e-3 ρ 0.9 ε 1e-7, categorical cross-entropy, batch 128, 10%
//! validation split), and saves them as `.safetensors` in PyTorch naming
//! ([`Mlp::save`]), which `nnph-network` reads back bit for bit. The paper's
//! 19 configurations are in [`paper`]; its frozen CNN for Fashion-MNIST, whose
//! 1,152 features the MLPs then take as inputs, is in [`cnn`] ([`train_cnn`],
//! [`FeatureCnn::features`], [`Cnn::save`]).
//!
//! # Should I use this crate?
//!
//! Use it through `nnph experiment paper`, or directly to train small MLPs
//! reproducibly from Rust. For persistent homology of networks trained
//! elsewhere you do not need it: the `nnph` facade reads their weights. It is
//! an optional dependency of `nnph` (feature `train`) because candle is a
//! large build.
//!
//! # Example
//!
//! Two linearly separable blobs, a 2-16-2 network, one epoch, saved and
//! measured:
//!
//! ```
//! use std::collections::HashMap;
//! use nnph_train::{Dataset, TrainOptions, train_mlp};
//!
//! let (mut x, mut y) = (Vec::new(), Vec::new());
//! for i in 0..256 {
//!     let class = (i % 2) as u8;
//!     let centre = if class == 0 { -1.0 } else { 1.0 };
//!     x.extend([centre + 0.01 * (i % 7) as f32, centre - 0.01 * (i % 5) as f32]);
//!     y.push(class);
//! }
//! let data = Dataset::from_parts(x, y, 2, 2)?;
//! let mut opts = TrainOptions::paper(3, 1);
//! opts.batch_size = 16;
//! let mlp = train_mlp(&[16], &data, &opts)?;
//! assert_eq!(mlp.sizes(), vec![2, 16, 2]);
//! assert!(mlp.accuracy(&data)? > 0.9);
//! let bytes = mlp.to_safetensors(&HashMap::from([("note".into(), "demo".into())]))?;
//! assert_eq!(nnph_train::save::read_metadata(&bytes)?["note"], "demo");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Determinism
//!
//! A seed ([`TrainOptions::seed`]) fixes every random draw (ChaCha8), so a
//! run repeats bit for bit on the same machine; see [`train`] for thread
//! counts and other machines.
//!
//! # Crate features
//!
//! None. candle runs on the CPU with its pure-Rust `gemm` kernels (no BLAS,
//! no GPU).
#![deny(missing_docs)]

pub mod cnn;
mod dataset;
mod error;
pub mod idx;
pub mod paper;
pub mod save;
pub mod train;

pub use cnn::{Cnn, FeatureCnn, train_cnn};
pub use dataset::Dataset;
pub use error::{Error, ErrorKind};
pub use train::{DenseLayer, History, Mlp, TrainOptions, train_mlp};
