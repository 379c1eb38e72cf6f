//! Reading dense networks from ONNX models.
//!
//! An ONNX model is a protobuf `ModelProto` whose graph lists nodes in execution order and the
//! weights as initializers. nnph reads the dense layers in graph order:
//!
//! * `Gemm(X, B, C)`: `Y = alpha · X · op(B) + beta · C`, with `op(B) = Bᵀ` when `transB = 1`
//!   (PyTorch's `nn.Linear` exports as `Gemm` with `transB = 1` and B of shape `[out, in]`). The
//!   layer's weight is `alpha · op(B)` (`[in, out]`) and its bias `beta · C` (C must have
//!   `out` elements; a broadcast scalar or `[1, out]` is accepted).
//! * `MatMul(X, W)` with W an initializer of shape `[in, out]`, optionally followed by an
//!   `Add` of the MatMul's output and an initializer bias of `out` elements (Keras/TF exports).
//!
//! Activations and shape operations between layers (`Relu`, `Sigmoid`, `Tanh`, `Softmax`,
//! `Flatten`, `Reshape`, `Dropout`, `Identity`, ...) do not change the graph nnph builds and are
//! skipped. Anything that does (convolutions, recurrent cells, normalisation with learned
//! parameters, a second input, a residual `Add` of two activations) is an error that names the
//! node, so a model is never read as something it is not. Tensors stored in external files are
//! refused with the advice to re-export with the weights embedded.
//!
//! Only the protobuf fields nnph needs are declared (decoding with [`prost`], which skips the
//! rest); every length is bounded by the input, and shapes are checked against the data before
//! any array is built.

use std::collections::HashMap;

use ndarray::{Array1, Array2};
use prost::Message;

use crate::error::{Error, ErrorKind};
use crate::network::{DenseParts, Network, check_finite};

/// `onnx.ModelProto`, the fields nnph reads.
#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
}

/// `onnx.GraphProto`, the fields nnph reads.
#[derive(Clone, PartialEq, Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    node: Vec<NodeProto>,
    #[prost(message, repeated, tag = "5")]
    initializer: Vec<TensorProto>,
}

/// `onnx.NodeProto`, the fields nnph reads.
#[derive(Clone, PartialEq, Message)]
struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    output: Vec<String>,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(string, tag = "4")]
    op_type: String,
    #[prost(message, repeated, tag = "5")]
    attribute: Vec<AttributeProto>,
}

/// `onnx.AttributeProto`, the fields nnph reads.
#[derive(Clone, PartialEq, Message)]
struct AttributeProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(float, tag = "2")]
    f: f32,
    #[prost(int64, tag = "3")]
    i: i64,
    #[prost(message, optional, tag = "5")]
    t: Option<TensorProto>,
}

/// `onnx.TensorProto`, the fields nnph reads.
#[derive(Clone, PartialEq, Message)]
struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(float, repeated, tag = "4")]
    float_data: Vec<f32>,
    #[prost(int32, repeated, tag = "5")]
    int32_data: Vec<i32>,
    #[prost(string, tag = "8")]
    name: String,
    #[prost(bytes = "vec", tag = "9")]
    raw_data: Vec<u8>,
    #[prost(double, repeated, tag = "10")]
    double_data: Vec<f64>,
    #[prost(int32, tag = "14")]
    data_location: i32,
}

// TensorProto.DataType values.
const FLOAT: i32 = 1;
const FLOAT16: i32 = 10;
const DOUBLE: i32 = 11;
const BFLOAT16: i32 = 16;

/// Operators that do not change the weighted graph of a dense network.
const PASS_THROUGH: &[&str] = &[
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Elu",
    "Selu",
    "Celu",
    "Gelu",
    "Sigmoid",
    "HardSigmoid",
    "HardSwish",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "Softplus",
    "Softsign",
    "Mish",
    "Flatten",
    "Reshape",
    "Squeeze",
    "Unsqueeze",
    "Dropout",
    "Identity",
    "Cast",
    "Constant",
    "Shape",
    "Gather",
    "Concat",
];

fn container(message: impl Into<String>) -> Error {
    Error::container("onnx", message)
}

/// A well-formed model that holds something other than dense layers.
fn unsupported(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::UnsupportedFormat { message: message.into() })
}

/// Reads the dense layers of an ONNX model (see the module docs).
///
/// # Errors
///
/// [`ErrorKind::Container`] for bytes that are not an ONNX model, a model without a graph, a
/// node that nnph cannot read as a dense layer (named in the message), external weights;
/// [`ErrorKind::UnsupportedDtype`] for weights that are not FLOAT, DOUBLE, FLOAT16 or
/// BFLOAT16; [`ErrorKind::ShapeMismatch`] for shapes that do not fit; [`ErrorKind::NonFinite`];
/// [`ErrorKind::NoTensors`] for a model without dense layers.
pub fn read_onnx_network(bytes: &[u8]) -> Result<Network, Error> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| container(format!("not an ONNX model (protobuf: {e})")))?;
    let graph = model.graph.ok_or_else(|| container("the model has no graph"))?;
    let mut initializers: HashMap<&str, &TensorProto> = HashMap::new();
    for t in &graph.initializer {
        initializers.insert(t.name.as_str(), t);
    }
    // Constant nodes are initializers too (some exporters fold weights into them).
    for node in graph.node.iter().filter(|n| n.op_type == "Constant") {
        if let (Some(out), Some(t)) = (
            node.output.first(),
            node.attribute.iter().find(|a| a.name == "value").and_then(|a| a.t.as_ref()),
        ) {
            initializers.insert(out.as_str(), t);
        }
    }
    let is_weight = |name: &str| initializers.contains_key(name);
    let node_name = |n: &NodeProto| {
        if n.name.is_empty() {
            format!("{} node", n.op_type)
        } else {
            format!("{} node {:?}", n.op_type, n.name)
        }
    };

    let mut parts: Vec<DenseParts> = Vec::new();
    let mut consumed_add: Vec<bool> = vec![false; graph.node.len()];
    for (k, node) in graph.node.iter().enumerate() {
        let op = node.op_type.as_str();
        match op {
            "Gemm" => {
                let [a, b, rest @ ..] = node.input.as_slice() else {
                    return Err(unsupported(format!(
                        "{} has fewer than two inputs",
                        node_name(node)
                    )));
                };
                if is_weight(a) || !is_weight(b) {
                    return Err(unsupported(format!(
                        "{} does not multiply an activation by a stored weight",
                        node_name(node)
                    )));
                }
                let attr_i = |name: &str, default: i64| {
                    node.attribute.iter().find(|x| x.name == name).map_or(default, |x| x.i)
                };
                let attr_f = |name: &str, default: f32| {
                    node.attribute.iter().find(|x| x.name == name).map_or(default, |x| x.f)
                };
                if attr_i("transA", 0) != 0 {
                    return Err(unsupported(format!("{} has transA = 1", node_name(node))));
                }
                let (alpha, beta) = (attr_f("alpha", 1.0), attr_f("beta", 1.0));
                let (rows, cols, values) = matrix(initializers[b.as_str()], b)?;
                let mut weight = if attr_i("transB", 0) != 0 {
                    Array2::from_shape_vec((rows, cols), values)
                        .map_err(|e| container(e.to_string()))?
                        .reversed_axes()
                        .as_standard_layout()
                        .into_owned()
                } else {
                    Array2::from_shape_vec((rows, cols), values)
                        .map_err(|e| container(e.to_string()))?
                };
                weight.mapv_inplace(|w| alpha * w);
                let bias = match rest.first().filter(|c| !c.is_empty()) {
                    None => None,
                    Some(c) => {
                        let t = initializers.get(c.as_str()).ok_or_else(|| {
                            container(format!(
                                "{}: bias {c:?} is not a stored tensor",
                                node_name(node)
                            ))
                        })?;
                        Some(bias_vector(t, c, weight.ncols(), beta)?)
                    }
                };
                let file_shape = vec![rows, cols];
                parts.push(dense(node, b, file_shape, weight, bias.map(|b| (b, c_name(rest)))));
            }
            "MatMul" => {
                let [x, w] = node.input.as_slice() else {
                    return Err(unsupported(format!(
                        "{} does not have two inputs",
                        node_name(node)
                    )));
                };
                if is_weight(x) || !is_weight(w) {
                    return Err(unsupported(format!(
                        "{} does not multiply an activation by a stored weight",
                        node_name(node)
                    )));
                }
                let (rows, cols, values) = matrix(initializers[w.as_str()], w)?;
                let weight = Array2::from_shape_vec((rows, cols), values)
                    .map_err(|e| container(e.to_string()))?;
                // A following Add of this output and a stored bias belongs to the layer.
                let out = node.output.first().map(String::as_str).unwrap_or("");
                let add = graph
                    .node
                    .iter()
                    .enumerate()
                    .skip(k + 1)
                    .find(|(_, n)| n.input.iter().any(|i| i == out));
                let mut bias = None;
                if let Some((j, next)) = add
                    && next.op_type == "Add"
                    && let Some(b) = next.input.iter().find(|i| i.as_str() != out && is_weight(i))
                {
                    bias = Some((bias_vector(initializers[b.as_str()], b, cols, 1.0)?, b.clone()));
                    consumed_add[j] = true;
                }
                parts.push(dense(node, w, vec![rows, cols], weight, bias));
            }
            "Add" if consumed_add[k] => {}
            "Add" | "Sub" | "Mul" | "Div" => {
                return Err(unsupported(format!(
                    "{} is not part of a dense layer (nnph reads Gemm, and MatMul followed by \
                     Add of a bias; residual connections are not supported in ONNX input)",
                    node_name(node)
                )));
            }
            _ if PASS_THROUGH.contains(&op) => {}
            _ => {
                return Err(unsupported(format!(
                    "{} is not a dense layer: nnph reads multilayer perceptrons (Gemm, MatMul + \
                     Add, activations); convolutional and recurrent layers are not supported",
                    node_name(node)
                )));
            }
        }
    }
    if parts.is_empty() {
        return Err(Error::new(ErrorKind::NoTensors));
    }
    Network::chain(parts)
}

fn c_name(rest: &[String]) -> String {
    rest.first().cloned().unwrap_or_default()
}

fn dense(
    node: &NodeProto,
    weight_tensor: &str,
    file_shape: Vec<usize>,
    weight: Array2<f32>,
    bias: Option<(Array1<f32>, String)>,
) -> DenseParts {
    let (bias, bias_tensor) = match bias {
        Some((b, name)) => (Some(b), name),
        None => (None, String::new()),
    };
    DenseParts {
        name: if node.name.is_empty() { weight_tensor.to_owned() } else { node.name.clone() },
        weight_tensor: weight_tensor.to_owned(),
        bias_tensor,
        file_shape,
        weight,
        bias,
    }
}

/// A 2-D tensor as `(rows, cols, values)` in C order.
fn matrix(t: &TensorProto, name: &str) -> Result<(usize, usize, Vec<f32>), Error> {
    let shape = dims(t, name)?;
    let &[rows, cols] = shape.as_slice() else {
        return Err(Error::new(ErrorKind::ShapeMismatch {
            tensor: name.to_owned(),
            found: shape,
            expected: "a weight matrix (2 dimensions)".to_owned(),
        }));
    };
    let values = values(t, name, rows.checked_mul(cols))?;
    Ok((rows, cols, values))
}

/// A bias of `len` elements (any shape with `len` elements, or one element broadcast), times
/// `scale`.
fn bias_vector(t: &TensorProto, name: &str, len: usize, scale: f32) -> Result<Array1<f32>, Error> {
    let shape = dims(t, name)?;
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let values = values(t, name, count)?;
    let values = match values.len() {
        n if n == len => values,
        1 => vec![values[0]; len],
        _ => {
            return Err(Error::new(ErrorKind::ShapeMismatch {
                tensor: name.to_owned(),
                found: shape,
                expected: format!("its layer has {len} outputs, so [{len}]"),
            }));
        }
    };
    Ok(Array1::from_vec(values.into_iter().map(|b| scale * b).collect()))
}

fn dims(t: &TensorProto, name: &str) -> Result<Vec<usize>, Error> {
    t.dims
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| container(format!("tensor {name:?} has a negative dimension in {:?}", t.dims)))
}

/// The tensor's values as `f32`, checked to number `count` and to be finite.
fn values(t: &TensorProto, name: &str, count: Option<usize>) -> Result<Vec<f32>, Error> {
    if t.data_location == 1 {
        return Err(container(format!(
            "tensor {name:?} is stored in an external file; re-export the model with the weights \
             embedded (e.g. onnx.save(model, path, save_as_external_data=False))"
        )));
    }
    let count =
        count.ok_or_else(|| container(format!("tensor {name:?}: shape {:?} overflows", t.dims)))?;
    let width = match t.data_type {
        FLOAT => 4,
        DOUBLE => 8,
        FLOAT16 | BFLOAT16 => 2,
        other => {
            return Err(Error::new(ErrorKind::UnsupportedDtype {
                tensor: name.to_owned(),
                dtype: format!("ONNX data type {other}"),
                supported: "FLOAT, DOUBLE, FLOAT16, BFLOAT16",
            }));
        }
    };
    let mismatch = |found: usize| {
        container(format!(
            "tensor {name:?} of shape {:?} needs {count} values but holds {found}",
            t.dims
        ))
    };
    let values: Vec<f32> = if !t.raw_data.is_empty() {
        if count.checked_mul(width) != Some(t.raw_data.len()) {
            return Err(mismatch(t.raw_data.len() / width));
        }
        let chunks = t.raw_data.chunks_exact(width);
        match t.data_type {
            FLOAT => chunks.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
            DOUBLE => chunks
                .map(|c| {
                    f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32
                })
                .collect(),
            FLOAT16 => {
                chunks.map(|c| crate::read::f16_to_f32(u16::from_le_bytes([c[0], c[1]]))).collect()
            }
            _ => chunks
                .map(|c| f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))
                .collect(),
        }
    } else {
        let v: Vec<f32> = match t.data_type {
            FLOAT => t.float_data.clone(),
            DOUBLE => t.double_data.iter().map(|&x| x as f32).collect(),
            FLOAT16 => t.int32_data.iter().map(|&x| crate::read::f16_to_f32(x as u16)).collect(),
            _ => t.int32_data.iter().map(|&x| f32::from_bits((x as u32 & 0xffff) << 16)).collect(),
        };
        if v.len() != count {
            return Err(mismatch(v.len()));
        }
        v
    };
    if t.data_type == DOUBLE {
        // A finite double beyond f32 became infinite above: report it as out of range.
        let source: Vec<f64> = if t.raw_data.is_empty() {
            t.double_data.clone()
        } else {
            t.raw_data
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect()
        };
        if let Some((index, &value)) =
            source.iter().enumerate().find(|(i, x)| x.is_finite() && !values[*i].is_finite())
        {
            return Err(Error::new(ErrorKind::OutOfRange {
                tensor: name.to_owned(),
                index,
                value,
            }));
        }
    }
    check_finite(values.iter().copied(), name)?;
    Ok(values)
}
