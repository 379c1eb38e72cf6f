//! Labelled data sets in memory, and the preparation steps of the paper's
//! scripts: a seeded shuffle, a train/test split, keeping the first k
//! classes (NUMBER_LABELS) and permuting the training data (INPUT_ORDER).

use std::path::Path;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::Error;
use crate::idx::{IdxArray, read_idx_path};

/// A labelled data set: `len()` samples of `dim()` features each, with labels
/// in `0..classes()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    features: Vec<f32>,
    labels: Vec<u8>,
    dim: usize,
    classes: usize,
}

impl Dataset {
    /// A data set from row-major features (`labels.len()` rows of `dim`
    /// values) and labels below `classes`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Dataset`](crate::ErrorKind::Dataset) when the sizes do not
    /// match, `dim` or `classes` is 0, `classes` exceeds 256, a label is out
    /// of range, or a feature is not finite.
    pub fn from_parts(
        features: Vec<f32>,
        labels: Vec<u8>,
        dim: usize,
        classes: usize,
    ) -> Result<Self, Error> {
        if dim == 0 || classes == 0 || classes > 256 {
            return Err(Error::dataset(format!(
                "a data set needs dim > 0 and 1 to 256 classes (got dim {dim}, {classes} classes)"
            )));
        }
        if labels.len().checked_mul(dim) != Some(features.len()) {
            return Err(Error::dataset(format!(
                "{} features are not {} samples of {dim}",
                features.len(),
                labels.len()
            )));
        }
        if let Some((i, &l)) = labels.iter().enumerate().find(|&(_, &l)| usize::from(l) >= classes)
        {
            return Err(Error::dataset(format!(
                "label {l} of sample {i} is not below {classes} classes"
            )));
        }
        if let Some(i) = features.iter().position(|x| !x.is_finite()) {
            return Err(Error::dataset(format!(
                "feature {} of sample {} is not finite",
                i % dim,
                i / dim
            )));
        }
        Ok(Self { features, labels, dim, classes })
    }

    /// A data set from IDX images (`[count, rows, cols]` or `[count, dim]`)
    /// and labels (`[count]`), with pixels scaled to `[0, 1]` by `/ 255` as in
    /// the paper's scripts, and `classes` = the largest label + 1.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Dataset`](crate::ErrorKind::Dataset) when the shapes do
    /// not fit or the counts differ.
    pub fn from_idx(images: &IdxArray, labels: &IdxArray) -> Result<Self, Error> {
        let (count, dim) = match images.shape.as_slice() {
            [n, d] => (*n, *d),
            [n, r, c] => (*n, r * c),
            s => {
                return Err(Error::dataset(format!(
                    "images of shape {s:?} (expected 2 or 3 dimensions)"
                )));
            }
        };
        if labels.shape.len() != 1 {
            return Err(Error::dataset(format!(
                "labels of shape {:?} (expected 1 dimension)",
                labels.shape
            )));
        }
        if labels.shape[0] != count {
            return Err(Error::dataset(format!("{count} images but {} labels", labels.shape[0])));
        }
        if count == 0 {
            return Err(Error::dataset("the data set is empty"));
        }
        let classes = labels.data.iter().copied().max().map_or(1, |m| usize::from(m) + 1);
        let features = images.data.iter().map(|&p| f32::from(p) / 255.0).collect();
        Self::from_parts(features, labels.data.clone(), dim, classes)
    }

    /// Reads a data set from IDX files (gzip-compressed or not); see
    /// [`Dataset::from_idx`].
    ///
    /// # Errors
    ///
    /// As [`read_idx_path`](crate::idx::read_idx_path) and
    /// [`Dataset::from_idx`].
    pub fn load(images: &Path, labels: &Path) -> Result<Self, Error> {
        let i = read_idx_path(images)?;
        let l = read_idx_path(labels)?;
        Self::from_idx(&i, &l).map_err(|e| e.with_path(images))
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The number of features per sample.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The number of classes (labels lie in `0..classes()`).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// All features, row-major (`len() × dim()`).
    pub fn features(&self) -> &[f32] {
        &self.features
    }

    /// All labels.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The number of samples of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[usize::from(l)] += 1;
        }
        counts
    }

    /// The samples at `indices`, in that order.
    ///
    /// # Panics
    ///
    /// If an index is out of range.
    pub fn select(&self, indices: &[usize]) -> Self {
        let mut features = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            features.extend_from_slice(&self.features[i * self.dim..(i + 1) * self.dim]);
        }
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        Self { features, labels, dim: self.dim, classes: self.classes }
    }

    /// The samples in a random order drawn from `seed` (ChaCha8; the same
    /// order on every platform).
    pub fn shuffled(&self, seed: u64) -> Self {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        self.select(&order)
    }

    /// The first `n` samples (all if there are fewer).
    pub fn head(&self, n: usize) -> Self {
        let order: Vec<usize> = (0..n.min(self.len())).collect();
        self.select(&order)
    }

    /// Splits off the last `round(len × test_fraction)` samples as a test set:
    /// returns (train, test).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) unless
    /// `0 < test_fraction < 1`; [`ErrorKind::Dataset`](crate::ErrorKind::Dataset)
    /// if either part would be empty.
    pub fn split_test(&self, test_fraction: f64) -> Result<(Self, Self), Error> {
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(Error::option(
                "test_fraction",
                format!("{test_fraction} is not in (0, 1)"),
            ));
        }
        let test = (self.len() as f64 * test_fraction).round() as usize;
        if test == 0 || test >= self.len() {
            return Err(Error::dataset(format!(
                "{} samples are too few for a test fraction of {test_fraction}",
                self.len()
            )));
        }
        let cut = self.len() - test;
        let train: Vec<usize> = (0..cut).collect();
        let test: Vec<usize> = (cut..self.len()).collect();
        Ok((self.select(&train), self.select(&test)))
    }

    /// The samples of the first `k` classes (labels `0..k`), in their order,
    /// with `classes() == k` — the paper's NUMBER_LABELS preparation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) unless
    /// `1 <= k <= classes()`.
    pub fn first_classes(&self, k: usize) -> Result<Self, Error> {
        if k == 0 || k > self.classes {
            return Err(Error::option(
                "labels",
                format!("{k} classes requested of a data set with {}", self.classes),
            ));
        }
        let keep: Vec<usize> =
            (0..self.len()).filter(|&i| usize::from(self.labels[i]) < k).collect();
        let mut out = self.select(&keep);
        out.classes = k;
        Ok(out)
    }
}
