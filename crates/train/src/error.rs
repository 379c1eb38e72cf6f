//! The error type of this crate.
//!
//! Every fallible function of `nnph-train` returns [`Error`].
//! Its [`Display`](fmt::Display) is one line that names the file when one was
//! given, for example
//! `data/x.gz: IDX images: the header claims 10000 × 28 × 28 bytes but only 1200 follow`.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error from reading data, preparing it or training a network.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a file failed.
    Io(std::io::Error),
    /// An IDX file (or its gzip container) is malformed: bad magic, a header
    /// that does not match the data, a size beyond the limits.
    Idx {
        /// What is wrong with it.
        message: String,
    },
    /// The data cannot be used as asked: images and labels of different
    /// counts, a label out of range, too few samples for the split, ...
    Dataset {
        /// What is wrong.
        message: String,
    },
    /// A configuration or option is invalid (an empty layer, a learning rate
    /// that is not positive, a dropout rate outside [0, 1), ...).
    InvalidOption {
        /// The option.
        option: &'static str,
        /// Why it is invalid.
        message: String,
    },
    /// The tensor library reported an error.
    Backend {
        /// candle's message.
        message: String,
    },
    /// Training diverged: the loss became NaN or infinite.
    Diverged {
        /// The epoch (0-based) in which it happened.
        epoch: usize,
    },
    /// Writing or reading a `.safetensors` file failed.
    Safetensors {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// A new error of `kind` with no path.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, path: None }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The same error, about `path` (kept if one is set already).
    #[must_use]
    pub fn with_path(mut self, path: &Path) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_owned());
        }
        self
    }

    pub(crate) fn idx(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Idx { message: message.into() })
    }

    pub(crate) fn dataset(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Dataset { message: message.into() })
    }

    pub(crate) fn option(option: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidOption { option, message: message.into() })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Idx { message } => write!(f, "IDX: {message}"),
            ErrorKind::Dataset { message } => write!(f, "{message}"),
            ErrorKind::InvalidOption { option, message } => {
                write!(f, "invalid option {option}: {message}")
            }
            ErrorKind::Backend { message } => write!(f, "candle: {message}"),
            ErrorKind::Diverged { epoch } => {
                write!(f, "training diverged: the loss is not finite in epoch {}", epoch + 1)
            }
            ErrorKind::Safetensors { message } => write!(f, "safetensors: {message}"),
        }
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

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Self::new(ErrorKind::Backend { message: e.to_string() })
    }
}

impl From<safetensors::SafeTensorError> for Error {
    fn from(e: safetensors::SafeTensorError) -> Self {
        Self::new(ErrorKind::Safetensors { message: e.to_string() })
    }
}
