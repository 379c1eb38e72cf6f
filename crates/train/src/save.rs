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

use crate::error::Error;
use crate::train::Mlp;

impl Mlp {
    /// The network as the bytes of a `.safetensors` file, with `metadata` in
    /// its header.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Safetensors`](crate::ErrorKind::Safetensors) if the
    /// layers are inconsistent with their stated sizes.
    pub fn to_safetensors(&self, metadata: &HashMap<String, String>) -> Result<Vec<u8>, Error> {
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = self
            .layers
            .iter()
            .enumerate()
            .flat_map(|(i, l)| {
                [
                    (format!("fc{i}.weight"), vec![l.outputs, l.inputs], le_bytes(&l.weight)),
                    (format!("fc{i}.bias"), vec![l.outputs], le_bytes(&l.bias)),
                ]
            })
            .collect();
        let views = bytes
            .iter()
            .map(|(name, shape, data)| {
                Ok((name.as_str(), TensorView::new(Dtype::F32, shape.clone(), data)?))
            })
            .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()?;
        let metadata = if metadata.is_empty() { None } else { Some(metadata.clone()) };
        Ok(safetensors::serialize(views, metadata)?)
    }

    /// Writes the network to `path` as `.safetensors` (see
    /// [`Mlp::to_safetensors`]), through a temporary file renamed into place,
    /// so a crash never leaves a truncated network behind.
    ///
    /// # Errors
    ///
    /// As [`Mlp::to_safetensors`], and I/O errors (carrying `path`).
    pub fn save(&self, path: &Path, metadata: &HashMap<String, String>) -> Result<(), Error> {
        let bytes = self.to_safetensors(metadata)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".partial");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, &bytes).map_err(|e| Error::from(e).with_path(&tmp))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::from(e).with_path(path))
    }
}

fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The metadata map in the header of a `.safetensors` file (empty if it has
/// none).
///
/// # Errors
///
/// [`ErrorKind::Safetensors`](crate::ErrorKind::Safetensors) for a malformed
/// header.
pub fn read_metadata(bytes: &[u8]) -> Result<HashMap<String, String>, Error> {
    let (_, metadata) = SafeTensors::read_metadata(bytes)?;
    Ok(metadata.metadata().clone().unwrap_or_default())
}
