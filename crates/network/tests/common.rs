//! Helpers shared by the test modules: file builders and graph accessors.

use std::io::{Cursor, Write};
use std::path::PathBuf;

use ndarray::{Array1, Array2, array};
use nnph_network::npy::write_npy_f32;
use nnph_network::{Network, NetworkGraph};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// A path under the workspace's `testdata/`.
pub(crate) fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(rel)
}

/// An `.npy` file of `f32` values.
pub(crate) fn npy_f32(shape: &[usize], data: &[f32]) -> Vec<u8> {
    let mut out = Vec::new();
    write_npy_f32(&mut out, shape, data).unwrap();
    out
}

/// A zip archive with the given members (names used as given).
pub(crate) fn zip_bytes(members: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate { CompressionMethod::Deflated } else { CompressionMethod::Stored };
    let opts = SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A named `f32` tensor: name, shape, C-order data.
pub(crate) type Tensor = (String, Vec<usize>, Vec<f32>);

/// An `.npz` of `f32` tensors, members named `<name>.npy`.
pub(crate) fn npz_f32(tensors: &[Tensor], deflate: bool) -> Vec<u8> {
    let members: Vec<(String, Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape, data)| (format!("{name}.npy"), npy_f32(shape, data)))
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = members.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    zip_bytes(&refs, deflate)
}

/// A `.safetensors` file of `f32` tensors.
pub(crate) fn safetensors_f32(tensors: &[Tensor]) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> =
        tensors.iter().map(|(_, _, d)| d.iter().flat_map(|x| x.to_le_bytes()).collect()).collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((name, shape, _), b)| {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), b)
                    .unwrap();
            (name.clone(), view)
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

/// Keras tensors `W<k>`, `b<k>` of a layer list.
pub(crate) fn keras_tensors(layers: &[(Array2<f32>, Option<Array1<f32>>)]) -> Vec<Tensor> {
    let mut out = Vec::new();
    for (k, (w, b)) in layers.iter().enumerate() {
        out.push((format!("W{k}"), w.shape().to_vec(), w.iter().copied().collect()));
        if let Some(b) = b {
            out.push((format!("b{k}"), vec![b.len()], b.to_vec()));
        }
    }
    out
}

/// PyTorch tensors `<prefix><k>.weight` ([out, in]) and `.bias` of a layer list.
pub(crate) fn torch_tensors(
    prefix: &str,
    layers: &[(Array2<f32>, Option<Array1<f32>>)],
) -> Vec<Tensor> {
    let mut out = Vec::new();
    for (k, (w, b)) in layers.iter().enumerate() {
        let t = w.t();
        out.push((format!("{prefix}{k}.weight"), t.shape().to_vec(), t.iter().copied().collect()));
        if let Some(b) = b {
            out.push((format!("{prefix}{k}.bias"), vec![b.len()], b.to_vec()));
        }
    }
    out
}

/// Every edge as (source, target, value), in insertion order.
pub(crate) fn edges(g: &NetworkGraph) -> Vec<(usize, usize, f32)> {
    g.raw_edges().iter().map(|e| (e.source().index(), e.target().index(), e.weight)).collect()
}

/// The layers of NET 0 of the reference test vector (reference-pipeline.md §8).
pub(crate) fn net0_layers() -> Vec<(Array2<f32>, Option<Array1<f32>>)> {
    vec![
        (
            array![
                [0.000, 0.867, 0.464],
                [-0.619, -0.795, 0.194],
                [0.899, 0.287, -0.745],
                [-0.686, 0.378, 0.888]
            ],
            Some(array![0.200, -0.112, -0.086]),
        ),
        (array![[0.878, 0.424], [-0.651, -0.773], [0.238, 0.900]], Some(array![0.199, -0.121])),
    ]
}

/// NET 0 as a [`Network`], layers named `L1`, `L2`.
pub(crate) fn net0() -> Network {
    Network::try_dense(
        net0_layers()
            .into_iter()
            .enumerate()
            .map(|(k, (w, b))| (format!("L{}", k + 1), w, b))
            .collect(),
    )
    .unwrap()
}
