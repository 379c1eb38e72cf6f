//! Readers: weights files to [`Network`]s.
//!
//! # Formats
//!
//! * **`.npz`** (a zip archive of `.npy` arrays, stored or deflated), with
//!   `f4` or `f8` arrays (`f8` is rounded to `f32`; finite values beyond the
//!   `f32` range are an error).
//! * **`.safetensors`**, with F32 (exact), F64 (rounded to nearest `f32`),
//!   F16 and BF16 (widened to `f32`, exact) tensors; other dtypes are an error.
//!
//! [`read_path`] recognises the format by the file's first bytes (`PK` for
//! zip; an 8-byte little-endian length followed by `{` for safetensors), and
//! falls back on the extension when the first bytes are not recognised.
//!
//! # Layouts
//!
//! The tensor names decide how tensors become layers:
//!
//! * **Keras**: `W0, b0, W1, b1, …`, with `W_k` of shape `[fan_in, fan_out]`
//!   and `b_k` of shape `[fan_out]`. Indices run from 0 without gaps;
//!   biases are optional per layer. The layer of `W_k` is named `"k"`.
//! * **PyTorch**: `<layer>.weight` of shape `[out, in]` (transposed on
//!   reading) with an optional `<layer>.bias` of shape `[out]`.
//!   The layer is named `<layer>`.
//!
//! Layers are ordered by the natural sort of their names (`layer2` before
//! `layer10`, `fc.9` before `fc.10`), and must chain: each layer's input size
//! is the previous layer's output size.
//!
//! Anything else is an error that lists every tensor found
//! ([`ErrorKind::AmbiguousLayout`]): a name that fits neither scheme (for
//! example a BatchNorm buffer `bn.running_mean`), both schemes in one file, a
//! bias without a weight, a duplicate name, a weight that is not a matrix.
//! Explicit beats silent: no tensor is ever skipped.
//! Shapes that do not chain are [`ErrorKind::ShapeMismatch`], NaN and ±inf
//! are [`ErrorKind::NonFinite`] (with the flat index in the file's order).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use ndarray::{Array1, Array2, ShapeBuilder};
use safetensors::{Dtype, SafeTensors};

use crate::error::{Error, ErrorKind};
use crate::network::{DenseParts, Network, check_finite};
use crate::npy::{self, NpyArray, NpyData};

/// A weights file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A NumPy `.npz` archive.
    Npz,
    /// A `.safetensors` file.
    Safetensors,
    /// An ONNX model (`ModelProto`).
    Onnx,
}

impl Format {
    /// Recognises a format by the first bytes of a file.
    ///
    /// # Examples
    ///
    /// ```
    /// use nnph_network::read::Format;
    ///
    /// assert_eq!(Format::sniff(b"PK\x03\x04..."), Some(Format::Npz));
    /// assert_eq!(Format::sniff(b"\x02\0\0\0\0\0\0\0{}"), Some(Format::Safetensors));
    /// assert_eq!(Format::sniff(b"hello"), None);
    /// ```
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            return Some(Format::Npz);
        }
        if bytes.len() >= 9 && bytes.get(8) == Some(&b'{') {
            return Some(Format::Safetensors);
        }
        None
    }

    /// Recognises a format by a file name's extension (`.npz`,
    /// `.safetensors`), ignoring case.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "npz" => Some(Format::Npz),
            "safetensors" => Some(Format::Safetensors),
            "onnx" => Some(Format::Onnx),
            _ => None,
        }
    }
}

/// Reads a network from a file, recognising its format by its first bytes
/// (see [`Format::sniff`]), or else by its extension.
///
/// # Errors
///
/// As [`Network::from_path`]; every error carries `path`.
pub fn read_path(path: &Path) -> Result<Network, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::from(e).with_path(path))?;
    let format = Format::sniff(&bytes).or_else(|| Format::from_extension(path));
    let result = match format {
        Some(Format::Npz) => read_npz_network(&bytes),
        Some(Format::Safetensors) => read_safetensors_network(&bytes),
        Some(Format::Onnx) => crate::onnx::read_onnx_network(&bytes),
        None => Err(Error::new(ErrorKind::UnsupportedFormat {
            message: "neither an .npz (zip) archive, a .safetensors file nor an .onnx model"
                .to_owned(),
        })),
    };
    result.map_err(|e| e.with_path(path))
}

/// Reads a network from the bytes of an `.npz` archive.
///
/// # Errors
///
/// As [`Network::from_npz_bytes`].
pub fn read_npz_network(bytes: &[u8]) -> Result<Network, Error> {
    let arrays = npy::read_npz(Cursor::new(bytes))?;
    let tensors = arrays
        .into_iter()
        .map(|(name, array)| RawTensor {
            shape: array.shape.clone(),
            name,
            data: Source::Npy(array),
        })
        .collect();
    assemble(tensors)
}

/// Reads a network from the bytes of a `.safetensors` file.
///
/// # Errors
///
/// As [`Network::from_safetensors_bytes`].
pub fn read_safetensors_network(bytes: &[u8]) -> Result<Network, Error> {
    precheck_safetensors(bytes)?;
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| Error::container("safetensors", e.to_string()))?;
    let tensors = file
        .iter()
        .map(|(name, view)| RawTensor {
            name: name.to_owned(),
            shape: view.shape().to_vec(),
            data: Source::Safetensors { dtype: view.dtype(), bytes: view.data() },
        })
        .collect();
    assemble(tensors)
}

/// Checks what the `safetensors` crate would otherwise trust: that the header
/// length fits the file, and that no tensor's data offsets point beyond it
/// (which keeps the crate's own offset arithmetic far from overflow).
fn precheck_safetensors(bytes: &[u8]) -> Result<(), Error> {
    let (len, rest) = bytes
        .split_first_chunk::<8>()
        .ok_or_else(|| Error::container("safetensors", "shorter than its 8-byte header length"))?;
    let n = u64::from_le_bytes(*len);
    let header = usize::try_from(n).ok().and_then(|n| rest.get(..n)).ok_or_else(|| {
        Error::container(
            "safetensors",
            format!("header claims {n} bytes but only {} follow", rest.len()),
        )
    })?;
    let data_len = (rest.len() - header.len()) as u64;
    // Malformed JSON is left to the crate, which reports it.
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(header) {
        for (name, info) in &map {
            let offsets = info.get("data_offsets").and_then(serde_json::Value::as_array);
            for end in offsets.into_iter().flatten().filter_map(serde_json::Value::as_u64) {
                if end > data_len {
                    return Err(Error::container(
                        "safetensors",
                        format!(
                            "tensor {name:?} has data offset {end} beyond the {data_len} data bytes"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Where a tensor's elements are, before conversion to `f32`.
enum Source<'a> {
    Npy(NpyArray),
    Safetensors { dtype: Dtype, bytes: &'a [u8] },
}

/// A named tensor, not yet converted.
struct RawTensor<'a> {
    name: String,
    shape: Vec<usize>,
    data: Source<'a>,
}

impl RawTensor<'_> {
    /// The elements as `f32`, in the file's (C) order, all finite.
    fn to_f32(&self) -> Result<Vec<f32>, Error> {
        let values = match &self.data {
            Source::Npy(array) => match &array.data {
                NpyData::F32(v) => v.clone(),
                NpyData::F64(v) => npy::f64_to_f32(v)?,
                other => {
                    return Err(Error::new(ErrorKind::UnsupportedDtype {
                        tensor: String::new(),
                        dtype: other.type_code().to_owned(),
                        supported: "f4, f8",
                    }));
                }
            },
            Source::Safetensors { dtype, bytes } => safetensors_to_f32(*dtype, bytes)?,
        };
        check_finite(values.iter().copied(), &self.name)?;
        Ok(values)
    }
}

/// Converts little-endian safetensors data (whose length the crate checked).
fn safetensors_to_f32(dtype: Dtype, bytes: &[u8]) -> Result<Vec<f32>, Error> {
    Ok(match dtype {
        Dtype::F32 => {
            bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
        }
        Dtype::F64 => {
            let wide: Vec<f64> = bytes
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect();
            npy::f64_to_f32(&wide)?
        }
        Dtype::F16 => {
            bytes.chunks_exact(2).map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]]))).collect()
        }
        Dtype::BF16 => bytes
            .chunks_exact(2)
            .map(|c| f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))
            .collect(),
        other => {
            return Err(Error::new(ErrorKind::UnsupportedDtype {
                tensor: String::new(),
                dtype: format!("{other:?}"),
                supported: "F32, F64, F16, BF16",
            }));
        }
    })
}

/// IEEE 754 binary16 to binary32 (exact).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: value = man · 2^-24, exactly representable in f32.
            let v = man as f32 * f32::from_bits(0x3380_0000); // 2^-24
            return if sign == 0 { v } else { -v };
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, _) => sign | 0x7fc0_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// What a tensor name says about its role.
enum Role<'n> {
    /// `W<k>` / `b<k>`.
    Keras { index: &'n str, bias: bool },
    /// `<layer>.weight` / `<layer>.bias`.
    Torch { layer: &'n str, bias: bool },
}

fn classify(name: &str) -> Option<Role<'_>> {
    if let Some(layer) = name.strip_suffix(".weight") {
        return (!layer.is_empty()).then_some(Role::Torch { layer, bias: false });
    }
    if let Some(layer) = name.strip_suffix(".bias") {
        return (!layer.is_empty()).then_some(Role::Torch { layer, bias: true });
    }
    let (bias, index) = if let Some(i) = name.strip_prefix('W') {
        (false, i)
    } else if let Some(i) = name.strip_prefix('b') {
        (true, i)
    } else {
        return None;
    };
    // Canonical decimal only, so that `W1` and `W01` cannot both name layer 1.
    let canonical = !index.is_empty()
        && index.bytes().all(|c| c.is_ascii_digit())
        && (index == "0" || !index.starts_with('0'));
    canonical.then_some(Role::Keras { index, bias })
}

/// Turns named tensors into a chain of layers (see the module docs).
fn assemble(tensors: Vec<RawTensor<'_>>) -> Result<Network, Error> {
    if tensors.is_empty() {
        return Err(Error::new(ErrorKind::NoTensors));
    }
    let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
    let ambiguous = |reason: String| Error::ambiguous(reason, &names);

    let mut unknown = Vec::new();
    let (mut keras, mut torch) = (0usize, 0usize);
    // Layer key → (weight tensor index, bias tensor index).
    let mut slots: BTreeMap<NaturalKey<'_>, (Option<usize>, Option<usize>)> = BTreeMap::new();
    for (t, tensor) in tensors.iter().enumerate() {
        let (key, bias) = match classify(&tensor.name) {
            None => {
                unknown.push(tensor.name.as_str());
                continue;
            }
            Some(Role::Keras { index, bias }) => {
                keras += 1;
                (index, bias)
            }
            Some(Role::Torch { layer, bias }) => {
                torch += 1;
                (layer, bias)
            }
        };
        let slot = slots.entry(NaturalKey(key)).or_default();
        let target = if bias { &mut slot.1 } else { &mut slot.0 };
        if let Some(previous) = target.replace(t) {
            return Err(ambiguous(format!(
                "tensor {:?} appears twice (entries {previous} and {t})",
                tensor.name
            )));
        }
    }
    if !unknown.is_empty() {
        return Err(ambiguous(format!(
            "{} fit neither the Keras names (W0, b0, W1, b1, ...) nor the PyTorch names \
             (<layer>.weight, <layer>.bias)",
            quoted_list(&unknown)
        )));
    }
    if keras > 0 && torch > 0 {
        return Err(ambiguous(
            "the file mixes Keras names (W0, b0, ...) and PyTorch names \
             (<layer>.weight, ...)"
                .to_owned(),
        ));
    }
    let is_keras = keras > 0;

    let mut parts = Vec::with_capacity(slots.len());
    for (position, (key, (weight, bias))) in slots.iter().enumerate() {
        let Some(w) = *weight else {
            let b = bias.map_or("", |b| tensors[b].name.as_str());
            return Err(ambiguous(format!("bias {b:?} has no weight")));
        };
        if is_keras && key.0 != position.to_string() {
            return Err(ambiguous(format!(
                "Keras layers must be numbered 0, 1, 2, ... without gaps, but W{position} is missing"
            )));
        }
        let w = &tensors[w];
        let &[rows, cols] = w.shape.as_slice() else {
            return Err(ambiguous(format!(
                "weight {:?} has shape {:?}, not a matrix",
                w.name, w.shape
            )));
        };
        let values = w.to_f32().map_err(|e| e.in_tensor(&w.name))?;
        let weight = if is_keras {
            Array2::from_shape_vec((rows, cols), values)
        } else {
            // PyTorch stores [out, in]: read it as the transposed (Fortran
            // order) [in, out] matrix, then lay it out in C order.
            Array2::from_shape_vec((cols, rows).f(), values)
                .map(|a| a.as_standard_layout().into_owned())
        }
        .map_err(|e| Error::npy(format!("inconsistent shape: {e}")).in_tensor(&w.name))?;
        let fan_out = weight.ncols();
        let (bias, bias_tensor) = match *bias {
            None => (None, String::new()),
            Some(b) => {
                let b = &tensors[b];
                if b.shape.as_slice() != [fan_out] {
                    return Err(Error::new(ErrorKind::ShapeMismatch {
                        tensor: b.name.clone(),
                        found: b.shape.clone(),
                        expected: format!("its layer has {fan_out} outputs, so [{fan_out}]"),
                    }));
                }
                let values = b.to_f32().map_err(|e| e.in_tensor(&b.name))?;
                (Some(Array1::from_vec(values)), b.name.clone())
            }
        };
        parts.push(DenseParts {
            name: key.0.to_owned(),
            weight_tensor: w.name.clone(),
            bias_tensor,
            file_shape: w.shape.clone(),
            weight,
            bias,
        });
    }
    Network::chain(parts)
}

/// `"a", "b" and "c"`, abbreviated after a few names.
fn quoted_list(names: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut out: Vec<String> = names.iter().take(SHOWN).map(|n| format!("{n:?}")).collect();
    if names.len() > SHOWN {
        out.push(format!("{} more", names.len() - SHOWN));
    }
    match out.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => out.concat(),
    }
}

/// A string ordered by natural sort: runs of ASCII digits compare as numbers
/// (`layer2 < layer10`), everything else byte-wise; ties (`1` vs `01`) are
/// broken by the plain byte order so that the order is total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NaturalKey<'a>(&'a str);

impl Ord for NaturalKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        natural_cmp(self.0, other.0).then_with(|| self.0.cmp(other.0))
    }
}

impl PartialOrd for NaturalKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Natural comparison of two strings.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                // Compare as numbers without parsing: strip leading zeros,
                // then the longer run is larger, else compare digit-wise.
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = ra;
                b = rb;
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["layer10", "layer2", "fc.10", "fc.9", "a", "layer02", "b1"];
        v.sort_by(|a, b| NaturalKey(a).cmp(&NaturalKey(b)));
        assert_eq!(v, ["a", "b1", "fc.9", "fc.10", "layer02", "layer2", "layer10"]);
    }

    #[test]
    fn half_precision() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x8001), -(2f32.powi(-24)));
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0_f32).to_bits());
    }
}
