//! The error type of this crate.

use std::fmt;

/// An error from computing persistence.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Building or reading the complex failed.
    Complex(nnph_complex::Error),
    /// A boundary matrix is not the boundary matrix of a filtration.
    InvalidBoundaryMatrix {
        /// The offending column.
        column: usize,
        /// What is wrong with it.
        message: String,
    },
    /// [`Shortcut::Always`](crate::persistence::Shortcut::Always) was asked for, but the flag
    /// complex has cells of dimension 2, so the graph shortcut would not be exact.
    ShortcutNotExact,
    /// A name given to `FromStr` is not known.
    UnknownName {
        /// What was being parsed, e.g. `"reducer"`.
        what: &'static str,
        /// The name given.
        name: String,
        /// The accepted names.
        expected: &'static str,
    },
    /// An option value is invalid or not supported here (e.g. a coefficient modulus that is
    /// not a prime below 2^16, or Z/p coefficients on an unoriented boundary matrix).
    InvalidOption {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// An error of the given kind.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub(crate) fn invalid_matrix(column: usize, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidBoundaryMatrix { column, message: message.into() })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Complex(e) => write!(f, "complex: {e}"),
            ErrorKind::InvalidBoundaryMatrix { column, message } => {
                write!(f, "invalid boundary matrix, column {column}: {message}")
            }
            ErrorKind::ShortcutNotExact => write!(
                f,
                "the graph shortcut was required, but the flag complex has 2-cells, \
                 so it would not be exact"
            ),
            ErrorKind::UnknownName { what, name, expected } => {
                write!(f, "unknown {what} {name:?} (expected one of: {expected})")
            }
            ErrorKind::InvalidOption { message } => write!(f, "invalid option: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Complex(e) => Some(e),
            _ => None,
        }
    }
}

impl From<nnph_complex::Error> for Error {
    fn from(e: nnph_complex::Error) -> Self {
        Self::new(ErrorKind::Complex(e))
    }
}
