//! Trained networks as `.safetensors` files in PyTorch naming.
//!
//! Layer `i` (input side first) is stored as `fc{i}.weight` (F32,
//! `[outputs, inputs]`) and `fc{i}.bias` (F32, `[outputs]`), which
//! `nnph-network` reads back bit for bit (its natural sort orders `fc10`
//! after `fc9`). A string-to-string metadata map can ride along in the
//! header (the experiment stores the configuration and the test accuracy).

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::error::{Error, ErrorKind};
use crate::train::{DenseLayer, Mlp};

impl Mlp {
    /// The network as the bytes of a `.safetensors` file, with `metadata` in
    /// its header.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Safetensors`] if the
    /// layers are inconsistent with their stated sizes.
    pub fn to_safetensors(&self, metadata: &HashMap<String, String>) -> Result<Vec<u8>, Error> {
        serialize(&dense_tensors("", &self.layers), metadata)
    }

    /// Writes the network to `path` as `.safetensors` (see
    /// [`Mlp::to_safetensors`]), through a temporary file renamed into place,
    /// so a crash never leaves a truncated network behind.
    ///
    /// # Errors
    ///
    /// As [`Mlp::to_safetensors`], and I/O errors (carrying `path`).
    pub fn save(&self, path: &Path, metadata: &HashMap<String, String>) -> Result<(), Error> {
        write_atomic(path, &self.to_safetensors(metadata)?)
    }
}

/// A named F32 tensor to serialise: name, shape, little-endian bytes.
pub(crate) type NamedTensor = (String, Vec<usize>, Vec<u8>);

/// The tensors of dense `layers` as `{prefix}fc{i}.weight` (`[outputs, inputs]`) and
/// `{prefix}fc{i}.bias`.
pub(crate) fn dense_tensors(prefix: &str, layers: &[DenseLayer]) -> Vec<NamedTensor> {
    layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            [
                (format!("{prefix}fc{i}.weight"), vec![l.outputs, l.inputs], le_bytes(&l.weight)),
                (format!("{prefix}fc{i}.bias"), vec![l.outputs], le_bytes(&l.bias)),
            ]
        })
        .collect()
}

/// The bytes of a `.safetensors` file holding `tensors`, with `metadata` in its header.
///
/// # Errors
///
/// [`ErrorKind::Safetensors`] if a tensor's bytes do not
/// match its shape.
pub(crate) fn serialize(
    tensors: &[NamedTensor],
    metadata: &HashMap<String, String>,
) -> Result<Vec<u8>, Error> {
    let views = tensors
        .iter()
        .map(|(name, shape, data)| {
            Ok((name.as_str(), TensorView::new(Dtype::F32, shape.clone(), data)?))
        })
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()?;
    let metadata = if metadata.is_empty() { None } else { Some(metadata.clone()) };
    Ok(safetensors::serialize(views, metadata)?)
}

/// Writes `bytes` to `path` through a temporary file renamed into place, so a crash never
/// leaves a truncated file behind.
///
/// # Errors
///
/// I/O errors, carrying the path.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| Error::from(e).with_path(&tmp))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::from(e).with_path(path))
}

/// The F32 tensor `name` of `file`, which must have `shape`, as values (all finite).
///
/// # Errors
///
/// [`ErrorKind::Safetensors`] when it is missing, of
/// another type or shape, or holds a value that is not finite.
pub(crate) fn read_f32(
    file: &SafeTensors<'_>,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, Error> {
    let view = file.tensor(name)?;
    if view.dtype() != Dtype::F32 || view.shape() != shape {
        return Err(Error::new(ErrorKind::Safetensors {
            message: format!(
                "{name} is {:?} {:?}, expected F32 {shape:?}",
                view.dtype(),
                view.shape()
            ),
        }));
    }
    let values: Vec<f32> =
        view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    if values.iter().any(|v| !v.is_finite()) {
        return Err(Error::new(ErrorKind::Safetensors {
            message: format!("{name} holds a value that is not finite"),
        }));
    }
    Ok(values)
}

/// The little-endian bytes of `values`.
pub(crate) fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The metadata map in the header of a `.safetensors` file (empty if it has
/// none).
///
/// # Errors
///
/// [`ErrorKind::Safetensors`] for a malformed
/// header.
pub fn read_metadata(bytes: &[u8]) -> Result<HashMap<String, String>, Error> {
    let (_, metadata) = SafeTensors::read_metadata(bytes)?;
    Ok(metadata.metadata().clone().unwrap_or_default())
}
