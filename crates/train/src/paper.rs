//! The paper's 19 MLP configurations (reference-pipeline §5.2) and how each
//! one's data are prepared.
//!
//! | index | group | value | hidden layers |
//! |---|---|---|---|
//! | 0–3 | layer size | 128, 256, 512, 1024 | 2 × value |
//! | 4–8 | number of layers | 2, 4, 6, 8, 10 | value × 512 |
//! | 9–13 | input order | 1..5 | 2 × 512, training data permuted |
//! | 14–18 | number of labels | 2, 4, 6, 8, 10 | 2 × 512, the first `value` classes |
//!
//! The base network (2 × 512, all classes, original order) occurs 8 times:
//! indices 2, 4, 9–13 and 18.

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::error::Error;
use crate::train::{Mlp, TrainOptions, train_mlp};

/// The four experiment groups of the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Group {
    /// Two hidden layers of 128, 256, 512 or 1024 units.
    LayerSize,
    /// 2, 4, 6, 8 or 10 hidden layers of 512 units.
    NumberLayers,
    /// The base network trained on permuted training data.
    InputOrder,
    /// The base network trained on the first 2, 4, 6, 8 or 10 classes.
    NumberLabels,
}

impl Group {
    /// The group's name in the paper's tables ("Layer size", ...).
    pub fn name(self) -> &'static str {
        match self {
            Group::LayerSize => "Layer size",
            Group::NumberLayers => "Number layers",
            Group::InputOrder => "Input order",
            Group::NumberLabels => "Number labels",
        }
    }
}

/// The number of networks of each group, in order (4 + 5 + 5 + 5 = 19).
pub const GROUP_SIZES: [usize; 4] = [4, 5, 5, 5];

/// One of the paper's 19 networks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperNet {
    /// Its index in the batch of 19 (0-based).
    pub index: usize,
    /// A short name: `ls128`, `nl4`, `io1`, `lab2`, ...
    pub name: String,
    /// Its group.
    pub group: Group,
    /// Hidden layer widths, input side first.
    pub hidden: Vec<usize>,
    /// `Some(k)`: train and test on the first `k` classes only, with `k` outputs.
    pub labels: Option<usize>,
    /// Whether the training data are permuted before the validation split.
    pub permuted: bool,
}

impl PaperNet {
    /// The file stem of the trained network: `"02_ls512"`.
    pub fn file_stem(&self) -> String {
        format!("{:02}_{}", self.index, self.name)
    }
}

/// The paper's 19 networks, in the order of its distance matrices.
///
/// # Examples
///
/// ```
/// let nets = nnph_train::paper::paper_networks();
/// assert_eq!(nets.len(), 19);
/// assert_eq!(nets[8].hidden, vec![512; 10]);
/// // The base network 2 × 512 occurs 8 times.
/// let base = nets.iter().filter(|n| n.hidden == [512, 512] && n.labels.is_none_or(|k| k == 10));
/// assert_eq!(base.count(), 8);
/// ```
pub fn paper_networks() -> Vec<PaperNet> {
    let mut nets = Vec::with_capacity(19);
    let mut push = |name: String, group, hidden: Vec<usize>, labels, permuted| {
        let index = nets.len();
        nets.push(PaperNet { index, name, group, hidden, labels, permuted });
    };
    for w in [128, 256, 512, 1024] {
        push(format!("ls{w}"), Group::LayerSize, vec![w, w], None, false);
    }
    for l in [2, 4, 6, 8, 10] {
        push(format!("nl{l}"), Group::NumberLayers, vec![512; l], None, false);
    }
    for k in 1..=5 {
        push(format!("io{k}"), Group::InputOrder, vec![512, 512], None, true);
    }
    for k in [2, 4, 6, 8, 10] {
        push(format!("lab{k}"), Group::NumberLabels, vec![512, 512], Some(k), false);
    }
    nets
}

/// A seed for repetition `rep` of network `index`, mixed from `base` by
/// SplitMix64 so that nearby inputs give unrelated seeds.
pub fn net_seed(base: u64, rep: usize, index: usize) -> u64 {
    let mut z = base ^ ((rep as u64) << 32) ^ (index as u64).wrapping_mul(0x9e37_79b9);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A trained paper network and its test accuracy.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The trained network.
    pub mlp: Mlp,
    /// Accuracy on the (label-filtered) test set.
    pub test_accuracy: f64,
}

/// Prepares the data of `net` (first k classes, permuted training data) and
/// trains it with `opts`; `opts.seed` seeds the training and the permutation.
///
/// # Errors
///
/// As [`Dataset::first_classes`] and [`train_mlp`].
pub fn train_paper_net(
    net: &PaperNet,
    train: &Dataset,
    test: &Dataset,
    opts: &TrainOptions,
) -> Result<Outcome, Error> {
    let (mut train, test) = match net.labels {
        Some(k) => (train.first_classes(k)?, test.first_classes(k)?),
        None => (train.clone(), test.clone()),
    };
    if net.permuted {
        // Keras takes the validation split from the end before shuffling, so
        // this also changes the validation hold-out, as in the paper.
        train = train.shuffled(opts.seed ^ 0x05ee_d0f0_bde5);
    }
    let mlp = train_mlp(&net.hidden, &train, opts)?;
    let test_accuracy = mlp.accuracy(&test)?;
    Ok(Outcome { mlp, test_accuracy })
}

/// The data sets the experiment knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatasetName {
    /// MNIST digits.
    Mnist,
    /// Fashion-MNIST clothing images.
    FashionMnist,
}

impl DatasetName {
    /// The name used on the command line and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetName::Mnist => "mnist",
            DatasetName::FashionMnist => "fashion-mnist",
        }
    }

    /// The name of the reference scripts' output directory.
    pub fn paper_name(self) -> &'static str {
        match self {
            DatasetName::Mnist => "MNIST",
            DatasetName::FashionMnist => "MNIST_FASHION",
        }
    }

    /// The file prefixes looked for, largest first: `fashion-mnist-70k`
    /// (all of Fashion-MNIST, in `../shared/data`) before the bundled
    /// `fashion-mnist-10k` subset.
    fn prefixes(self) -> &'static [&'static str] {
        match self {
            DatasetName::Mnist => &["mnist-10k"],
            DatasetName::FashionMnist => &["fashion-mnist-70k", "fashion-mnist-10k"],
        }
    }

    /// The image and label files of this data set in `dir`
    /// (`<prefix>-images-idx3-ubyte.gz`, `<prefix>-labels-idx1-ubyte.gz`),
    /// the largest variant present first.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Dataset`](crate::ErrorKind::Dataset) naming the files
    /// looked for when none is present.
    pub fn files_in(self, dir: &Path) -> Result<(PathBuf, PathBuf), Error> {
        let mut tried = Vec::new();
        for prefix in self.prefixes() {
            let images = dir.join(format!("{prefix}-images-idx3-ubyte.gz"));
            let labels = dir.join(format!("{prefix}-labels-idx1-ubyte.gz"));
            if images.is_file() && labels.is_file() {
                return Ok((images, labels));
            }
            tried.push(images.display().to_string());
        }
        Err(Error::dataset(format!(
            "no {} data found (looked for {})",
            self.as_str(),
            tried.join(", ")
        )))
    }
}

impl std::str::FromStr for DatasetName {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "mnist" => Ok(DatasetName::Mnist),
            "fashion-mnist" | "fashion" => Ok(DatasetName::FashionMnist),
            _ => Err(Error::option("dataset", format!("{s:?} is not mnist or fashion-mnist"))),
        }
    }
}

impl std::fmt::Display for DatasetName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fraction of the samples held out as the test set: 1/7, the ratio of
/// the original 60,000 / 10,000 split of MNIST and Fashion-MNIST.
pub const TEST_FRACTION: f64 = 1.0 / 7.0;

/// Loads a data set's files and prepares the experiment's fixed split: a
/// shuffle seeded by `seed`, the first `samples` samples if given, and the
/// last [`TEST_FRACTION`] of them as the test set. Returns (train, test).
///
/// # Errors
///
/// As [`Dataset::load`] and [`Dataset::split_test`].
pub fn load_split(
    images: &Path,
    labels: &Path,
    samples: Option<usize>,
    seed: u64,
) -> Result<(Dataset, Dataset), Error> {
    let data = Dataset::load(images, labels)?.shuffled(seed);
    let data = match samples {
        Some(n) => data.head(n),
        None => data,
    };
    data.split_test(TEST_FRACTION)
}
