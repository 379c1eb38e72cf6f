//! The error type of this crate.

use std::fmt;

use crate::matching::{MatchingError, MatchingErrorKind};

/// An error from building a [`DiagramBatch`](crate::DiagramBatch), validating
/// options or computing a vectorisation or distance.
///
/// Use [`Error::kind`] to find out what went wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A batch needs at least one diagram.
    EmptyBatch,
    /// A batch needs at least one homology dimension.
    NoDimensions,
    /// The per-dimension data of a batch do not agree: padding lists of
    /// different lengths, a diagram with points in a dimension the batch does
    /// not have, or more points than the padded length.
    DimensionMismatch {
        /// A description of the mismatch.
        detail: String,
    },
    /// A point is not valid: a NaN coordinate, a non-finite birth, or a
    /// death before its birth.
    InvalidPoint {
        /// Index of the diagram in the batch (0 for a single diagram).
        diagram: usize,
        /// Homology dimension.
        dim: usize,
        /// Birth of the offending point.
        birth: f64,
        /// Death of the offending point.
        death: f64,
    },
    /// A point with an infinite death reached a vectorisation.
    ///
    /// Cap the deaths first with
    /// [`DiagramBatch::cap_infinity`](crate::DiagramBatch::cap_infinity).
    EssentialPoint {
        /// Index of the diagram in the batch (0 for a single diagram).
        diagram: usize,
        /// Homology dimension.
        dim: usize,
    },
    /// An option or argument is out of its valid range.
    InvalidOption {
        /// The option's name.
        name: &'static str,
        /// Why it is invalid.
        detail: String,
    },
    /// A matching distance ([`Metric::Wasserstein`](crate::Metric::Wasserstein),
    /// [`Metric::Bottleneck`](crate::Metric::Bottleneck)) failed for one pair
    /// of diagrams in one homology dimension, typically because the points
    /// exceed the exact solver's size limits
    /// ([`MatchingErrorKind::TooLarge`]).
    ///
    /// [`pairwise()`](crate::pairwise()) reports the first failing pair and
    /// dimension in pair order (`(0, 1), (0, 2), …`, dimensions ascending),
    /// whatever the thread count.
    Matching {
        /// Index of the first diagram of the pair in the batch.
        diagram_i: usize,
        /// Index of the second diagram of the pair in the batch.
        diagram_j: usize,
        /// Homology dimension.
        dim: usize,
        /// The error of the matching solver.
        error: MatchingError,
    },
    /// A streamed batch ([`SharedGridPlan`](crate::SharedGridPlan)) read a
    /// diagram differently in its second pass than in its first (other
    /// points, or another number of diagrams): the input changed meanwhile.
    SourceChanged {
        /// The first diagram found different.
        diagram: usize,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self { kind }
    }

    pub(crate) fn option(name: &'static str, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidOption { name, detail: detail.into() })
    }

    pub(crate) fn mismatch(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::DimensionMismatch { detail: detail.into() })
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::EmptyBatch => write!(f, "a diagram batch needs at least one diagram"),
            ErrorKind::NoDimensions => {
                write!(f, "a diagram batch needs at least one homology dimension")
            }
            ErrorKind::DimensionMismatch { detail } => write!(f, "dimension mismatch: {detail}"),
            ErrorKind::InvalidPoint { diagram, dim, birth, death } => write!(
                f,
                "invalid point ({birth}, {death}) in diagram {diagram}, dimension {dim}: \
                 coordinates must not be NaN, births must be finite and deaths must not \
                 precede births"
            ),
            ErrorKind::EssentialPoint { diagram, dim } => write!(
                f,
                "diagram {diagram} has a point with an infinite death in dimension {dim}; \
                 cap infinite deaths (DiagramBatch::cap_infinity) before computing distances"
            ),
            ErrorKind::InvalidOption { name, detail } => {
                write!(f, "invalid option `{name}`: {detail}")
            }
            ErrorKind::SourceChanged { diagram } => write!(
                f,
                "diagram {diagram} was read differently in the two passes over the batch; did \
                 the input change while it was read?"
            ),
            ErrorKind::Matching { diagram_i, diagram_j, dim, error } => {
                write!(
                    f,
                    "matching distance between diagrams {diagram_i} and {diagram_j} in \
                     dimension {dim}: {error}"
                )?;
                if let MatchingErrorKind::TooLarge { .. } = error.kind() {
                    write!(
                        f,
                        "; to shrink the problem, filter out more short-lived points (a \
                         larger filtering epsilon), compute fewer homology dimensions, or \
                         use a grid-based metric (heat, silhouette, landscape, betti, \
                         persistence-image), which has no size limit"
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}
