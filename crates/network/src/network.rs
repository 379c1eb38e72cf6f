//! The network model: blocks of neurons joined by dense layers.

use std::path::Path;

use ndarray::{Array1, Array2};

use crate::error::{Error, ErrorKind};
use crate::graph::{GraphOptions, NetworkGraph};

/// A group of neurons: the input of the network, or the outputs of a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The block's name: `"input"` for block 0, else the name of the layer
    /// whose outputs it holds.
    pub name: String,
    /// The number of neurons.
    pub size: usize,
}

/// A dense (fully connected) layer from one block to a later one.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// The layer's name: the tensor name without its role (`"0"` for `W0`/`b0`,
    /// `"fc1"` for `fc1.weight`/`fc1.bias`), or the name given to
    /// [`Network::try_dense`].
    pub name: String,
    /// Index of the block the layer reads.
    pub from: usize,
    /// Index of the block the layer writes; always greater than `from`.
    pub to: usize,
    /// The kernel, shape `[blocks[from].size, blocks[to].size]` (Keras
    /// orientation: row = input neuron, column = output neuron).
    pub weight: Array2<f32>,
    /// The bias, length `blocks[to].size`, if the layer has one.
    pub bias: Option<Array1<f32>>,
}

impl Layer {
    /// The number of parameters: weights plus biases.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.as_ref().map_or(0, Array1::len)
    }

    /// The largest |weight|, and the largest |bias| too if `include_bias`
    /// (0 for an empty layer).
    pub fn max_abs(&self, include_bias: bool) -> f32 {
        let w = self.weight.iter().fold(0.0_f32, |m, &x| m.max(x.abs()));
        match (&self.bias, include_bias) {
            (Some(b), true) => b.iter().fold(w, |m, &x| m.max(x.abs())),
            _ => w,
        }
    }
}

/// A feed-forward network: blocks of neurons and the dense layers between them.
///
/// Block 0 is the input.
/// Layers go from an earlier block to a later one, so the network is a DAG.
/// The readers and [`Network::try_dense`] build chains (layer `i` goes from
/// block `i` to block `i + 1`), the multilayer perceptrons of the paper; the
/// model leaves room for skip connections, which are extra layers between
/// any two blocks.
///
/// Every weight and bias is finite, every block has at least one neuron, and
/// layer shapes agree with their blocks: constructors check it.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    blocks: Vec<Block>,
    layers: Vec<Layer>,
}

impl Network {
    /// Builds a chain of dense layers, `(name, kernel, bias)` each, from the
    /// input to the output.
    ///
    /// Kernels are in Keras orientation, `[fan_in, fan_out]`; a bias has
    /// length `fan_out`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NoTensors`] for an empty list;
    /// [`ErrorKind::ShapeMismatch`] when a kernel has a zero dimension, its
    /// `fan_in` differs from the previous `fan_out`, or a bias has the wrong
    /// length; [`ErrorKind::NonFinite`] for a NaN or infinite parameter
    /// (index in row-major order).
    ///
    /// # Examples
    ///
    /// ```
    /// use ndarray::array;
    /// use nnph_network::Network;
    ///
    /// let net = Network::try_dense(vec![
    ///     ("hidden".to_owned(), array![[0.5_f32, -1.0], [0.25, 0.0]], Some(array![0.1_f32, 0.2])),
    ///     ("out".to_owned(), array![[1.0_f32], [-2.0]], None),
    /// ])?;
    /// assert_eq!(net.layer_sizes(), vec![2, 2, 1]);
    /// assert_eq!(net.parameter_count(), 8);
    /// # Ok::<(), nnph_network::Error>(())
    /// ```
    pub fn try_dense(
        layers: Vec<(String, Array2<f32>, Option<Array1<f32>>)>,
    ) -> Result<Network, Error> {
        let layers = layers
            .into_iter()
            .map(|(name, weight, bias)| DenseParts {
                weight_tensor: name.clone(),
                bias_tensor: name.clone(),
                file_shape: weight.shape().to_vec(),
                name,
                weight,
                bias,
            })
            .collect();
        Network::chain(layers)
    }

    /// Builds a chain from layers whose tensor names are known, checking
    /// shapes and values; errors name the tensors.
    pub(crate) fn chain(layers: Vec<DenseParts>) -> Result<Network, Error> {
        let Some(first) = layers.first() else {
            return Err(Error::new(ErrorKind::NoTensors));
        };
        let mut blocks = vec![Block { name: "input".to_owned(), size: first.weight.nrows() }];
        let mut out = Vec::with_capacity(layers.len());
        for (k, parts) in layers.into_iter().enumerate() {
            let DenseParts { name, weight_tensor, bias_tensor, file_shape, weight, bias } = parts;
            let (fan_in, fan_out) = weight.dim();
            if fan_in == 0 || fan_out == 0 {
                return Err(Error::new(ErrorKind::ShapeMismatch {
                    tensor: weight_tensor,
                    found: file_shape,
                    expected: "every layer needs at least one input and one output".to_owned(),
                }));
            }
            let previous = blocks.last().map_or(0, |b| b.size);
            if k > 0 && fan_in != previous {
                return Err(Error::new(ErrorKind::ShapeMismatch {
                    tensor: weight_tensor,
                    found: file_shape,
                    expected: format!(
                        "it has {fan_in} inputs and the previous layer has {previous} outputs"
                    ),
                }));
            }
            check_finite(weight.iter().copied(), &weight_tensor)?;
            if let Some(b) = &bias {
                if b.len() != fan_out {
                    return Err(Error::new(ErrorKind::ShapeMismatch {
                        tensor: bias_tensor,
                        found: vec![b.len()],
                        expected: format!("its layer has {fan_out} outputs"),
                    }));
                }
                check_finite(b.iter().copied(), &bias_tensor)?;
            }
            blocks.push(Block { name: name.clone(), size: fan_out });
            out.push(Layer { name, from: k, to: k + 1, weight, bias });
        }
        Ok(Network { blocks, layers: out })
    }

    /// Reads a network from a file: an `.npz` archive or a `.safetensors`
    /// file, recognised by its first bytes (or, failing that, by its
    /// extension), or an `.onnx` model (by its extension).
    ///
    /// See the [`read`](crate::read) module for the accepted layouts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] if the file cannot be read,
    /// [`ErrorKind::UnsupportedFormat`] if it is neither format, and the
    /// errors of [`Network::from_npz_bytes`] and
    /// [`Network::from_safetensors_bytes`]; every error carries the path.
    pub fn from_path(path: &Path) -> Result<Network, Error> {
        crate::read::read_path(path)
    }

    /// Reads a network from the bytes of an `.npz` archive.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Container`], [`ErrorKind::Npy`] and
    /// [`ErrorKind::TooLarge`] for malformed files (see
    /// [`npy::read_npz`](crate::npy::read_npz)), [`ErrorKind::NoTensors`] for
    /// an empty archive, [`ErrorKind::UnsupportedDtype`] for arrays that are
    /// not `f4` or `f8`, [`ErrorKind::OutOfRange`] for `f8` values beyond the
    /// `f32` range, and the layout errors listed in the [`read`](crate::read)
    /// module.
    pub fn from_npz_bytes(bytes: &[u8]) -> Result<Network, Error> {
        crate::read::read_npz_network(bytes)
    }

    /// Reads the dense layers of an ONNX model (`Gemm`, or `MatMul` followed by an `Add` of a
    /// bias, in graph order; activations skipped). See [`crate::onnx`].
    ///
    /// # Errors
    ///
    /// As [`crate::onnx::read_onnx_network`].
    pub fn from_onnx_bytes(bytes: &[u8]) -> Result<Network, Error> {
        crate::onnx::read_onnx_network(bytes)
    }

    /// Reads a network from the bytes of a `.safetensors` file (PyTorch
    /// naming: `<layer>.weight` of shape `[out, in]`, optional `<layer>.bias`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Container`] for a malformed file,
    /// [`ErrorKind::UnsupportedDtype`] for dtypes other than F32, F64, F16 and
    /// BF16, [`ErrorKind::OutOfRange`] for F64 values beyond the `f32` range,
    /// and the layout errors listed in the [`read`](crate::read) module.
    pub fn from_safetensors_bytes(bytes: &[u8]) -> Result<Network, Error> {
        crate::read::read_safetensors_network(bytes)
    }

    /// The blocks of neurons; block 0 is the input.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The layers, in order.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The block sizes `[n0, n1, ..., nL]`: for a chain, the input size
    /// followed by each layer's output size.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.blocks.iter().map(|b| b.size).collect()
    }

    /// The number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Layer::parameter_count).sum()
    }

    /// The largest |weight| or |bias| of the network: the paper's normaliser M.
    pub fn max_abs_parameter(&self) -> f32 {
        self.layers.iter().fold(0.0_f32, |m, l| m.max(l.max_abs(true)))
    }

    /// Converts the network to a weighted directed graph.
    ///
    /// See the [`graph`](crate::graph) module for the exact construction.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`] for an invalid `opts.zeta`,
    /// [`ErrorKind::AllZero`] when a normaliser is 0,
    /// [`ErrorKind::TooLarge`] when the graph needs more than `u32` indices.
    ///
    /// # Complexity
    ///
    /// O(V + E) time and the graph's own memory.
    pub fn to_graph(&self, opts: &GraphOptions) -> Result<NetworkGraph, Error> {
        crate::graph::to_graph(self, opts)
    }
}

/// A layer before validation, with the names of the tensors it came from.
#[derive(Debug)]
pub(crate) struct DenseParts {
    pub(crate) name: String,
    pub(crate) weight_tensor: String,
    pub(crate) bias_tensor: String,
    /// The weight's shape as stored in the file (for messages).
    pub(crate) file_shape: Vec<usize>,
    pub(crate) weight: Array2<f32>,
    pub(crate) bias: Option<Array1<f32>>,
}

/// Fails on the first NaN or infinite value.
pub(crate) fn check_finite(values: impl Iterator<Item = f32>, tensor: &str) -> Result<(), Error> {
    for (index, x) in values.enumerate() {
        if !x.is_finite() {
            return Err(Error::new(ErrorKind::NonFinite {
                tensor: tensor.to_owned(),
                index,
                value: f64::from(x),
            }));
        }
    }
    Ok(())
}
