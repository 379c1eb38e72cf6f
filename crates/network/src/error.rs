//! The error type of this crate.
//!
//! Every fallible function of `nnph-network` returns [`Error`].
//! Its [`Display`](fmt::Display) is one line that names the file (for readers
//! that were given a path) and the tensor (when one is at fault), for example
//! `net.npz: tensor "W1" has shape [64, 10] but the previous layer has 128 outputs`.
//! Match on [`Error::kind`] to tell the cases apart.

use std::fmt;
use std::path::{Path, PathBuf};

/// The most tensor names an error message lists before it abbreviates.
const MAX_LISTED_NAMES: usize = 40;

/// An error from reading a network or converting it to a graph.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
}

/// What went wrong.
///
/// Fields that name a tensor hold its name as written in the file (for
/// example `"W1"` or `"fc2.weight"`), or the layer name given to
/// [`Network::try_dense`](crate::Network::try_dense).
/// A tensor name is empty when the data had no name (a bare `.npy` array).
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading the file failed.
    Io(std::io::Error),
    /// The container (the zip archive of an `.npz`, or the header of a
    /// `.safetensors` file) is malformed.
    Container {
        /// `"npz"` or `"safetensors"`.
        format: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// An `.npy` array is malformed: bad magic or header, or a data length
    /// that does not match the shape and dtype.
    Npy {
        /// The array's name in its `.npz` (empty for a bare `.npy`).
        tensor: String,
        /// What is wrong with it.
        message: String,
    },
    /// A tensor has an element type this crate cannot use.
    UnsupportedDtype {
        /// The tensor.
        tensor: String,
        /// The dtype as the file spells it (`"<i4"`, `"F8_E4M3"`, ...).
        dtype: String,
        /// What would have been accepted.
        supported: &'static str,
    },
    /// The file is neither an `.npz` nor a `.safetensors` file.
    UnsupportedFormat {
        /// Why the format could not be recognised.
        message: String,
    },
    /// The file holds no tensors, or no layers were given.
    NoTensors,
    /// The tensor names do not describe a layer stack unambiguously: they mix
    /// naming schemes, a bias has no weight, a name appears twice, a weight is
    /// not a matrix, and so on.
    AmbiguousLayout {
        /// What is ambiguous.
        reason: String,
        /// Every tensor name found, sorted.
        tensors: Vec<String>,
    },
    /// A tensor's shape does not fit the layers around it.
    ShapeMismatch {
        /// The tensor.
        tensor: String,
        /// Its shape, in the file's orientation.
        found: Vec<usize>,
        /// What was expected, as a phrase: `"the previous layer has 128 outputs"`.
        expected: String,
    },
    /// A weight or bias is NaN or infinite.
    NonFinite {
        /// The tensor.
        tensor: String,
        /// Flat index of the value in the tensor, in the file's (C) order.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A finite 64-bit value is too large for `f32`, or an integer is not
    /// exactly representable in the target type.
    OutOfRange {
        /// The tensor.
        tensor: String,
        /// Flat index of the value in the tensor, in the file's (C) order.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The normaliser M (the largest |parameter|) is 0, so the distance
    /// `1 - |w| / M` is undefined.
    AllZero {
        /// `None` when M is taken over the whole network
        /// ([`Normalisation::Global`](crate::Normalisation::Global)), the
        /// layer's name when it is taken per layer.
        layer: Option<String>,
    },
    /// Something is larger than this crate accepts (a zip entry, a graph
    /// beyond `u32` indices, ...).
    TooLarge {
        /// What is too large, and the limit.
        what: String,
    },
    /// A [`GraphOptions`](crate::GraphOptions) value is invalid.
    InvalidOption {
        /// The option's field name.
        option: &'static str,
        /// Why it is invalid.
        message: String,
    },
}

impl Error {
    /// An error of the given kind, not tied to a file.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, path: None }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error and returns its kind.
    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// The file the error is about, if a path was given to the reader.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Attaches the file the error is about (kept if one is already set).
    #[must_use]
    pub fn with_path(mut self, path: &Path) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_path_buf());
        }
        self
    }

    /// Fills in the tensor name of a kind that names a tensor, if it is empty.
    #[must_use]
    pub(crate) fn in_tensor(mut self, name: &str) -> Self {
        match &mut self.kind {
            ErrorKind::Npy { tensor, .. }
            | ErrorKind::UnsupportedDtype { tensor, .. }
            | ErrorKind::ShapeMismatch { tensor, .. }
            | ErrorKind::NonFinite { tensor, .. }
            | ErrorKind::OutOfRange { tensor, .. }
                if tensor.is_empty() =>
            {
                name.clone_into(tensor);
            }
            _ => {}
        }
        self
    }

    pub(crate) fn container(format: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Container { format, message: message.into() })
    }

    pub(crate) fn npy(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Npy { tensor: String::new(), message: message.into() })
    }

    pub(crate) fn ambiguous(reason: impl Into<String>, names: &[&str]) -> Self {
        let mut tensors: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        tensors.sort();
        Self::new(ErrorKind::AmbiguousLayout { reason: reason.into(), tensors })
    }

    pub(crate) fn too_large(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::TooLarge { what: what.into() })
    }
}

/// `tensor "name"`, or `the array` when the name is empty.
fn tensor_label(name: &str) -> String {
    if name.is_empty() { "the array".to_owned() } else { format!("tensor {name:?}") }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "cannot read: {e}"),
            ErrorKind::Container { format, message } => {
                write!(f, "malformed {format} file: {message}")
            }
            ErrorKind::Npy { tensor, message } => {
                if tensor.is_empty() {
                    write!(f, "malformed .npy array: {message}")
                } else {
                    write!(f, "tensor {tensor:?} is a malformed .npy array: {message}")
                }
            }
            ErrorKind::UnsupportedDtype { tensor, dtype, supported } => write!(
                f,
                "{} has unsupported dtype {dtype:?} (supported: {supported})",
                tensor_label(tensor)
            ),
            ErrorKind::UnsupportedFormat { message } => write!(f, "unsupported format: {message}"),
            ErrorKind::NoTensors => write!(f, "no weight tensors found"),
            ErrorKind::AmbiguousLayout { reason, tensors } => {
                write!(f, "cannot tell the layers apart: {reason}; tensors found: ")?;
                for (k, name) in tensors.iter().take(MAX_LISTED_NAMES).enumerate() {
                    if k > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{name}")?;
                }
                if tensors.len() > MAX_LISTED_NAMES {
                    write!(f, ", ... ({} more)", tensors.len() - MAX_LISTED_NAMES)?;
                }
                Ok(())
            }
            ErrorKind::ShapeMismatch { tensor, found, expected } => {
                write!(f, "{} has shape {found:?} but {expected}", tensor_label(tensor))
            }
            ErrorKind::NonFinite { tensor, index, value } => {
                write!(f, "{} holds {value} at flat index {index}", tensor_label(tensor))
            }
            ErrorKind::OutOfRange { tensor, index, value } => write!(
                f,
                "{} holds {value} at flat index {index}, which does not fit the target type",
                tensor_label(tensor)
            ),
            ErrorKind::AllZero { layer } => {
                match layer {
                    None => write!(f, "the largest |parameter| of the network is 0")?,
                    Some(name) => write!(f, "the largest |parameter| of layer {name:?} is 0")?,
                }
                write!(f, ", so the normalisation 1 - |w|/M is undefined")
            }
            ErrorKind::TooLarge { what } => write!(f, "too large: {what}"),
            ErrorKind::InvalidOption { option, message } => {
                write!(f, "invalid graph option {option}: {message}")
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::new(ErrorKind::Io(e))
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}
