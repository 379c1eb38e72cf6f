//! The error type of this crate.

use std::fmt;

/// An error from building or reading a complex.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A vertex or edge value is NaN or infinite.
    NonFiniteValue {
        /// Which value, e.g. `"vertex 3"` or `"edge 17"`.
        what: String,
    },
    /// An edge names a vertex that does not exist.
    VertexOutOfRange {
        /// Index of the edge.
        edge: usize,
        /// The offending vertex index.
        vertex: usize,
        /// The number of vertices.
        vertices: usize,
    },
    /// An edge joins a vertex to itself.
    SelfLoop {
        /// Index of the edge.
        edge: usize,
        /// The vertex.
        vertex: usize,
    },
    /// An edge value is smaller than the value of one of its vertices, so the
    /// 'max' filtration is not a filtration.
    EdgeBelowVertex {
        /// Index of the edge.
        edge: usize,
        /// The edge value.
        value: f64,
        /// The larger of its two vertex values.
        vertex_value: f64,
    },
    /// A malformed line in a text format.
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// An I/O error while reading.
    Io(std::io::Error),
    /// A simplex of an explicit complex is malformed: no vertices, a repeated
    /// vertex, a NaN or infinite value, or a duplicate of an earlier simplex.
    InvalidSimplex {
        /// Index of the simplex in the input list.
        simplex: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A face of a simplex of an explicit complex is not in the complex.
    MissingFace {
        /// Index of the simplex in the input list.
        simplex: usize,
        /// The missing face (sorted vertices).
        face: Vec<u32>,
    },
    /// A simplex of an explicit complex has a smaller value than one of its
    /// faces, so the values do not define a filtration.
    NonMonotone {
        /// Index of the simplex in the input list.
        simplex: usize,
        /// The value of the simplex.
        value: f64,
        /// The face with the larger value (sorted vertices).
        face: Vec<u32>,
        /// The value of that face.
        face_value: f64,
    },
    /// A size or simplex index does not fit: more points or simplices than the
    /// representation allows (e.g. a combinatorial index above `u64::MAX`).
    TooLarge {
        /// What is too large, and how to shrink it.
        message: String,
    },
    /// The computation's memory estimate exceeds the budget
    /// ([`MemoryBudget`](crate::budget::MemoryBudget)).
    OverBudget {
        /// The estimate, with its description and how to shrink it.
        estimate: crate::budget::Estimate,
        /// The budget in bytes.
        budget: u64,
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::NonFiniteValue { what } => write!(f, "{what} has a NaN or infinite value"),
            ErrorKind::VertexOutOfRange { edge, vertex, vertices } => {
                write!(
                    f,
                    "edge {edge} names vertex {vertex}, but there are only {vertices} vertices"
                )
            }
            ErrorKind::SelfLoop { edge, vertex } => {
                write!(f, "edge {edge} is a self-loop on vertex {vertex}")
            }
            ErrorKind::EdgeBelowVertex { edge, value, vertex_value } => write!(
                f,
                "edge {edge} has value {value}, below its vertex value {vertex_value} \
                 (the 'max' filtration needs edge ≥ vertex)"
            ),
            ErrorKind::Parse { line, message } => write!(f, "line {line}: {message}"),
            ErrorKind::Io(e) => write!(f, "I/O error: {e}"),
            ErrorKind::InvalidSimplex { simplex, message } => {
                write!(f, "simplex {simplex}: {message}")
            }
            ErrorKind::MissingFace { simplex, face } => {
                write!(f, "simplex {simplex} has the face {face:?}, which is not in the complex")
            }
            ErrorKind::NonMonotone { simplex, value, face, face_value } => write!(
                f,
                "simplex {simplex} has value {value}, below the value {face_value} of its face \
                 {face:?} (a filtration needs face ≤ coface)"
            ),
            ErrorKind::TooLarge { message } => write!(f, "too large: {message}"),
            ErrorKind::OverBudget { estimate, budget } => {
                write!(
                    f,
                    "{estimate}, over the memory budget of {}",
                    crate::budget::human_bytes(u128::from(*budget))
                )?;
                if !estimate.hint.is_empty() {
                    write!(f, "; {}", estimate.hint)?;
                }
                write!(f, " (or raise the budget with --memory-budget)")
            }
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
