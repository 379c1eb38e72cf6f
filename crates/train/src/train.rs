//! Training a multilayer perceptron with the paper's settings, on the CPU
//! with candle.
//!
//! The model is Keras' `Sequential` of the paper's scripts: hidden
//! `Dense(units, relu, glorot_uniform)` layers each followed by
//! `Dropout(0.2)`, then `Dense(classes, softmax)`; biases start at zero.
//! The loss is categorical cross-entropy (candle-nn's log-softmax + NLL; Keras
//! clips probabilities at 1e-7 instead, which matters only for a loss near
//! 16), minimised by RMSprop with Keras' update
//! `a ← ρ·a + (1 − ρ)·g²; w ← w − lr·g / (√a + ε)`, applied in place in one
//! pass per tensor. Gradients come from candle's reverse-mode autodiff.
//!
//! As Keras' `fit(validation_split = 0.1)` does, the **last** 10% of the
//! training data are held out for validation before any shuffling; the rest is
//! shuffled every epoch and cut into batches of 128 (the last one smaller).
//!
//! # Determinism
//!
//! All randomness (Glorot initialisation, dropout masks, the epoch shuffles)
//! comes from one ChaCha8 stream seeded by [`TrainOptions::seed`], so a seed
//! gives the same network bit for bit on every run on the same machine.
//! Across thread counts: candle's CPU matrix products (the `gemm` crate) split
//! the output matrix among threads, never the sum over the shared dimension,
//! and candle's reductions are sequential, so the weights have been
//! bit-identical for 1 and 2 threads in our checks (`docs/reproduction.md`).
//! Across CPUs the SIMD kernels `gemm` picks at run time may differ (AVX2 vs
//! AVX-512 FMA order), so bits may differ between machines.

use std::sync::Mutex;

use candle_core::{CpuStorage, DType, Device, InplaceOp2, Layout, Tensor, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dataset::Dataset;
use crate::error::{Error, ErrorKind};

/// The settings of one training run; [`Default`] is the paper's.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TrainOptions {
    /// Passes over the training data (paper: 20).
    pub epochs: usize,
    /// Samples per gradient step (paper: 128 for MNIST).
    pub batch_size: usize,
    /// RMSprop learning rate (Keras default: 1e-3).
    pub learning_rate: f32,
    /// RMSprop decay ρ (Keras default: 0.9).
    pub rho: f32,
    /// RMSprop ε (Keras default: 1e-7).
    pub epsilon: f32,
    /// Dropout rate after each hidden layer (paper: 0.2).
    pub dropout: f32,
    /// Fraction of the training data, taken from its end, held out for
    /// validation (paper: 0.1).
    pub validation_split: f64,
    /// Seeds initialisation, dropout and shuffling.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: 20,
            batch_size: 128,
            learning_rate: 1e-3,
            rho: 0.9,
            epsilon: 1e-7,
            dropout: 0.2,
            validation_split: 0.1,
            seed: 42,
        }
    }
}

impl TrainOptions {
    /// The paper's settings with `epochs` and `seed`.
    pub fn paper(epochs: usize, seed: u64) -> Self {
        Self { epochs, seed, ..Self::default() }
    }

    /// The paper's settings for the frozen CNN and the MLP heads on it (Fashion-MNIST and
    /// CIFAR-10 in the authors' scripts): batch 256, with `epochs` and `seed`.
    pub fn paper_cnn(epochs: usize, seed: u64) -> Self {
        Self { epochs, seed, batch_size: 256, ..Self::default() }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.epochs == 0 {
            return Err(Error::option("epochs", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::option("batch_size", "must be at least 1"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(Error::option(
                "learning_rate",
                format!("{} is not positive", self.learning_rate),
            ));
        }
        if !(0.0..1.0).contains(&self.rho) {
            return Err(Error::option("rho", format!("{} is not in [0, 1)", self.rho)));
        }
        if !(self.epsilon >= 0.0 && self.epsilon.is_finite()) {
            return Err(Error::option("epsilon", format!("{} is not ≥ 0", self.epsilon)));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::option("dropout", format!("{} is not in [0, 1)", self.dropout)));
        }
        if !(0.0..1.0).contains(&self.validation_split) {
            return Err(Error::option(
                "validation_split",
                format!("{} is not in [0, 1)", self.validation_split),
            ));
        }
        Ok(())
    }
}

/// One trained dense layer, in PyTorch orientation.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseLayer {
    /// Inputs of the layer.
    pub inputs: usize,
    /// Outputs of the layer.
    pub outputs: usize,
    /// The weights, row-major `[outputs, inputs]` (PyTorch's `weight`).
    pub weight: Vec<f32>,
    /// The biases, `[outputs]`.
    pub bias: Vec<f32>,
}

/// Per-epoch figures of a training run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Mean training loss of each epoch (over its batches, weighted by size,
    /// with dropout active).
    pub train_loss: Vec<f64>,
    /// Validation loss after each epoch (empty without a validation split).
    pub val_loss: Vec<f64>,
    /// Validation accuracy after each epoch (empty without a validation split).
    pub val_accuracy: Vec<f64>,
}

/// A trained multilayer perceptron: ReLU hidden layers, a softmax output.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<DenseLayer>,
    /// What happened during training.
    pub history: History,
}

/// The trainable parameters: one weight `[in, out]` and bias `[out]` per layer.
pub(crate) struct Params {
    pub(crate) layers: Vec<(Var, Var)>,
}

/// `count` draws from Keras' `glorot_uniform`: uniform on ±√(6 / (fan_in + fan_out)).
pub(crate) fn glorot_uniform(
    fan_in: usize,
    fan_out: usize,
    count: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
    (0..count).map(|_| rng.random_range(-limit..limit)).collect()
}

/// A network [`fit`] can train: its trainable tensors and its forward pass.
pub(crate) trait Model {
    /// Samples per batch when evaluating (bounds the memory of a forward pass).
    const EVAL_BATCH: usize;

    /// The trainable tensors, in a fixed order.
    fn vars(&self) -> Vec<&Var>;

    /// The logits of a batch given as `[batch, dim]`; with `dropout = Some((rate, rng))`,
    /// dropout is active.
    fn logits(&self, x: &Tensor, dropout: Option<(f32, &mut ChaCha8Rng)>) -> Result<Tensor, Error>;
}

impl Model for Params {
    const EVAL_BATCH: usize = 1024;

    fn vars(&self) -> Vec<&Var> {
        self.layers.iter().flat_map(|(w, b)| [w, b]).collect()
    }

    fn logits(&self, x: &Tensor, dropout: Option<(f32, &mut ChaCha8Rng)>) -> Result<Tensor, Error> {
        self.forward(x, dropout)
    }
}

impl Params {
    pub(crate) fn glorot(sizes: &[usize], rng: &mut ChaCha8Rng) -> Result<Self, Error> {
        let mut layers = Vec::with_capacity(sizes.len() - 1);
        for w in sizes.windows(2) {
            let (fan_in, fan_out) = (w[0], w[1]);
            let values = glorot_uniform(fan_in, fan_out, fan_in * fan_out, rng);
            let weight = Var::from_vec(values, (fan_in, fan_out), &Device::Cpu)?;
            let bias = Var::zeros(fan_out, DType::F32, &Device::Cpu)?;
            layers.push((weight, bias));
        }
        Ok(Self { layers })
    }

    pub(crate) fn from_layers(layers: &[DenseLayer]) -> Result<Self, Error> {
        let layers = layers
            .iter()
            .map(|l| {
                let w = Tensor::from_slice(&l.weight, (l.outputs, l.inputs), &Device::Cpu)?
                    .t()?
                    .contiguous()?;
                let b = Tensor::from_slice(&l.bias, l.outputs, &Device::Cpu)?;
                Ok((Var::from_tensor(&w)?, Var::from_tensor(&b)?))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Self { layers })
    }

    /// The logits of a batch; with `dropout = Some((rate, rng))`, hidden
    /// activations are dropped and the survivors scaled by 1 / (1 − rate).
    pub(crate) fn forward(
        &self,
        x: &Tensor,
        mut dropout: Option<(f32, &mut ChaCha8Rng)>,
    ) -> Result<Tensor, Error> {
        let last = self.layers.len() - 1;
        let mut h = x.clone();
        for (i, (w, b)) in self.layers.iter().enumerate() {
            h = h.matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
            if i < last {
                h = h.relu()?;
                if let Some((rate, rng)) = dropout.as_mut()
                    && *rate > 0.0
                {
                    let keep = 1.0 / (1.0 - *rate);
                    let mask: Vec<f32> = (0..h.elem_count())
                        .map(|_| if rng.random::<f32>() < *rate { 0.0 } else { keep })
                        .collect();
                    let mask = Tensor::from_vec(mask, h.shape(), &Device::Cpu)?;
                    h = h.mul(&mask)?;
                }
            }
        }
        Ok(h)
    }

    pub(crate) fn to_layers(&self) -> Result<Vec<DenseLayer>, Error> {
        self.layers
            .iter()
            .map(|(w, b)| {
                let (inputs, outputs) = w.as_tensor().dims2()?;
                let weight = w.as_tensor().t()?.contiguous()?.flatten_all()?.to_vec1::<f32>()?;
                let bias = b.as_tensor().to_vec1::<f32>()?;
                Ok(DenseLayer { inputs, outputs, weight, bias })
            })
            .collect()
    }
}

/// Keras' RMSprop step for one tensor, in place: the accumulator lives here.
struct RmsProp {
    accumulator: Mutex<Vec<f32>>,
    learning_rate: f32,
    rho: f32,
    epsilon: f32,
}

impl InplaceOp2 for RmsProp {
    fn name(&self) -> &'static str {
        "nnph-rmsprop"
    }

    fn cpu_fwd(
        &self,
        w: &mut CpuStorage,
        wl: &Layout,
        g: &CpuStorage,
        gl: &Layout,
    ) -> candle_core::Result<()> {
        let (CpuStorage::F32(w), CpuStorage::F32(g)) = (w, g) else {
            candle_core::bail!("nnph-rmsprop: f32 tensors only");
        };
        let (Some((w0, w1)), Some((g0, g1))) = (wl.contiguous_offsets(), gl.contiguous_offsets())
        else {
            candle_core::bail!("nnph-rmsprop: contiguous tensors only");
        };
        let (w, g) = (&mut w[w0..w1], &g[g0..g1]);
        let mut a =
            self.accumulator.lock().map_err(|_| candle_core::Error::Msg("poisoned".into()))?;
        if w.len() != g.len() || w.len() != a.len() {
            candle_core::bail!("nnph-rmsprop: size mismatch");
        }
        let (lr, rho, eps) = (self.learning_rate, self.rho, self.epsilon);
        for ((w, &g), a) in w.iter_mut().zip(g).zip(a.iter_mut()) {
            *a = rho * *a + (1.0 - rho) * g * g;
            *w -= lr * g / (a.sqrt() + eps);
        }
        Ok(())
    }
}

/// Trains an MLP with hidden layers of `hidden` units on `data` (inputs
/// `data.dim()`, outputs `data.classes()`).
///
/// # Arguments
///
/// * `hidden`: the hidden layer widths, input side first (the paper's base
///   network: `[512, 512]`).
/// * `data`: the training data; its last `opts.validation_split` part is the
///   validation set.
/// * `opts`: see [`TrainOptions`].
///
/// # Returns
///
/// The trained network and its per-epoch history.
///
/// # Complexity
///
/// Time O(epochs × samples × parameters); memory O(parameters + batch × widest layer).
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`] for invalid options or a zero width;
/// [`ErrorKind::Dataset`] when fewer than one batch remains after the
/// validation split; [`ErrorKind::Diverged`] when the loss becomes NaN or
/// infinite; [`ErrorKind::Backend`] for tensor errors.
pub fn train_mlp(hidden: &[usize], data: &Dataset, opts: &TrainOptions) -> Result<Mlp, Error> {
    opts.validate()?;
    if hidden.contains(&0) {
        return Err(Error::option("hidden", format!("{hidden:?} has a layer of width 0")));
    }
    split_counts(data, opts)?;
    let mut sizes = vec![data.dim()];
    sizes.extend_from_slice(hidden);
    sizes.push(data.classes());

    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let params = Params::glorot(&sizes, &mut rng)?;
    let history = fit(&params, data, opts, &mut rng)?;
    Ok(Mlp { layers: params.to_layers()?, history })
}

/// The samples to fit and to validate on: (fit, validation) counts, the validation samples
/// being the last ones.
///
/// # Errors
///
/// [`ErrorKind::Dataset`] when none is left to fit.
pub(crate) fn split_counts(data: &Dataset, opts: &TrainOptions) -> Result<(usize, usize), Error> {
    let val_count = (data.len() as f64 * opts.validation_split).floor() as usize;
    let fit_count = data.len() - val_count;
    if fit_count == 0 {
        return Err(Error::dataset(format!(
            "{} samples leave none to train on after a validation split of {}",
            data.len(),
            opts.validation_split
        )));
    }
    Ok((fit_count, val_count))
}

/// The training loop shared by the MLP and the CNN: Keras' `fit` with `validation_split`
/// (the last samples held out), a shuffle per epoch, RMSprop in place, cross-entropy on
/// the logits, and the validation figures after each epoch. `rng` continues the stream
/// that initialised `model` (shuffles, then dropout masks batch by batch).
///
/// # Errors
///
/// As [`split_counts`]; [`ErrorKind::Diverged`] for a loss that is not finite;
/// [`ErrorKind::Backend`] for tensor errors.
pub(crate) fn fit(
    model: &impl Model,
    data: &Dataset,
    opts: &TrainOptions,
    rng: &mut ChaCha8Rng,
) -> Result<History, Error> {
    let (fit_count, val_count) = split_counts(data, opts)?;
    let vars = model.vars();
    let optimisers: Vec<RmsProp> = vars
        .iter()
        .map(|v| RmsProp {
            accumulator: Mutex::new(vec![0.0; v.elem_count()]),
            learning_rate: opts.learning_rate,
            rho: opts.rho,
            epsilon: opts.epsilon,
        })
        .collect();

    let dim = data.dim();
    let features = data.features();
    let labels = data.labels();
    let mut order: Vec<usize> = (0..fit_count).collect();
    let mut history = History::default();
    let mut xs = Vec::with_capacity(opts.batch_size * dim);
    let mut ys = Vec::with_capacity(opts.batch_size);
    for epoch in 0..opts.epochs {
        shuffle(&mut order, rng);
        let mut loss_sum = 0.0_f64;
        for batch in order.chunks(opts.batch_size) {
            xs.clear();
            ys.clear();
            for &i in batch {
                xs.extend_from_slice(&features[i * dim..(i + 1) * dim]);
                ys.push(u32::from(labels[i]));
            }
            let x = Tensor::from_slice(&xs, (batch.len(), dim), &Device::Cpu)?;
            let y = Tensor::from_slice(&ys, batch.len(), &Device::Cpu)?;
            let logits = model.logits(&x, Some((opts.dropout, &mut *rng)))?;
            let loss = candle_nn::loss::cross_entropy(&logits, &y)?;
            let value = f64::from(loss.to_scalar::<f32>()?);
            if !value.is_finite() {
                return Err(Error::new(ErrorKind::Diverged { epoch }));
            }
            loss_sum += value * batch.len() as f64;
            let grads = loss.backward()?;
            for (var, opt) in vars.iter().zip(&optimisers) {
                // A parameter without a gradient (none here) keeps its value.
                if let Some(g) = grads.get(var.as_tensor()) {
                    var.as_tensor().inplace_op2(&g.contiguous()?, opt)?;
                }
            }
        }
        history.train_loss.push(loss_sum / fit_count as f64);
        if val_count > 0 {
            let (loss, acc) = evaluate(model, data, fit_count..data.len())?;
            history.val_loss.push(loss);
            history.val_accuracy.push(acc);
        }
    }
    Ok(history)
}

/// Fisher–Yates with the crate's ChaCha8 stream (independent of `rand`'s
/// `SliceRandom` algorithm choice, so the order is stable across `rand` versions).
fn shuffle(order: &mut [usize], rng: &mut ChaCha8Rng) {
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
}

/// Mean loss and accuracy of `model` on the samples `range` of `data`, in
/// batches of [`Model::EVAL_BATCH`] without dropout.
pub(crate) fn evaluate<M: Model>(
    model: &M,
    data: &Dataset,
    range: std::ops::Range<usize>,
) -> Result<(f64, f64), Error> {
    let dim = data.dim();
    let (mut loss_sum, mut correct) = (0.0_f64, 0usize);
    let n = range.len();
    if n == 0 {
        return Ok((f64::NAN, f64::NAN));
    }
    let mut start = range.start;
    while start < range.end {
        let end = (start + M::EVAL_BATCH).min(range.end);
        let x = Tensor::from_slice(
            &data.features()[start * dim..end * dim],
            (end - start, dim),
            &Device::Cpu,
        )?;
        let ys: Vec<u32> = data.labels()[start..end].iter().map(|&l| u32::from(l)).collect();
        let y = Tensor::from_slice(&ys, end - start, &Device::Cpu)?;
        let logits = model.logits(&x, None)?;
        let loss = candle_nn::loss::cross_entropy(&logits, &y)?.to_scalar::<f32>()?;
        loss_sum += f64::from(loss) * (end - start) as f64;
        let predicted = logits.argmax(1)?.to_vec1::<u32>()?;
        correct += predicted.iter().zip(&ys).filter(|(p, y)| p == y).count();
        start = end;
    }
    Ok((loss_sum / n as f64, correct as f64 / n as f64))
}

impl Mlp {
    /// The layer widths, input first: `[784, 512, 512, 10]` for the base network.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s: Vec<usize> = self.layers.first().map(|l| l.inputs).into_iter().collect();
        s.extend(self.layers.iter().map(|l| l.outputs));
        s
    }

    /// The number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|l| l.weight.len() + l.bias.len()).sum()
    }

    /// The fraction of `data` classified correctly (arg-max of the outputs).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Dataset`] when `data` has another input size or more
    /// classes than the network has outputs, or is empty.
    pub fn accuracy(&self, data: &Dataset) -> Result<f64, Error> {
        let sizes = self.sizes();
        if sizes.first() != Some(&data.dim()) || sizes.last() < Some(&data.classes()) {
            return Err(Error::dataset(format!(
                "a network of sizes {sizes:?} cannot classify {} features into {} classes",
                data.dim(),
                data.classes()
            )));
        }
        if data.is_empty() {
            return Err(Error::dataset("accuracy of an empty data set"));
        }
        let params = Params::from_layers(&self.layers)?;
        Ok(evaluate(&params, data, 0..data.len())?.1)
    }
}
