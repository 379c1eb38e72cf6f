//! Boundary matrices, their reduction, and the [`Reducer`] trait that reduction algorithms
//! implement.
//!
//! # Adding a reducer
//!
//! 1. Add a module `reduce/<name>.rs` with a struct implementing [`Reducer`] and its own
//!    options struct.
//! 2. Add an arm to [`ReducerKind`] (and to its `FromStr`/`Display`/[`ReducerKind::reducer`]).
//! 3. Add it to [`all_reducers`], which drives the cross-reducer tests.

use std::fmt;
use std::str::FromStr;

use nnph_complex::{Cell, FilteredComplex};

use crate::error::{Error, ErrorKind};

pub mod cohomology;
pub mod rips;
pub mod standard;
pub mod twist;

pub use cohomology::{Cohomology, CohomologyOptions};
pub use rips::{RipsPersistenceOptions, rips_persistence};
pub use standard::{Standard, StandardOptions};
pub use twist::{Twist, TwistOptions};

/// Where an algorithm runs. The output never depends on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Par {
    /// On the calling thread.
    #[cfg_attr(not(feature = "rayon"), default)]
    Seq,
    /// On rayon's current thread pool (install a pool with `ThreadPool::install` to choose the
    /// number of threads); on one thread, exactly as [`Par::Seq`].
    #[cfg(feature = "rayon")]
    #[default]
    Rayon,
}

/// One column of a boundary matrix: a cell of a filtration.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The dimension of the cell.
    pub dim: usize,
    /// Its filtration value.
    pub value: f64,
    /// The indices of its codimension-1 faces (rows), strictly increasing.
    pub boundary: Vec<u32>,
}

/// The boundary matrix of a filtration over Z/2, columns in filtration order.
///
/// Column `j` is the `j`-th cell of the filtration; its entries are the indices of the cells in
/// its boundary. **Invariants** (checked by [`BoundaryMatrix::try_new`]): values are finite and
/// non-decreasing along the columns, rows of each column are strictly increasing and smaller than
/// the column index (faces come before cofaces), cells of dimension 0 have an empty boundary, and
/// the faces of a cell of dimension `k ≥ 1` have dimension `k - 1`.
/// `∂∂ = 0` is not checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoundaryMatrix {
    columns: Vec<Column>,
}

impl BoundaryMatrix {
    /// A boundary matrix from its columns in filtration order, checking the invariants.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidBoundaryMatrix`] naming the first column that breaks an invariant.
    ///
    /// # Examples
    ///
    /// ```
    /// use nnph_homology::reduce::{BoundaryMatrix, Column};
    ///
    /// // Two vertices and the edge between them.
    /// let m = BoundaryMatrix::try_new(vec![
    ///     Column { dim: 0, value: 0.0, boundary: vec![] },
    ///     Column { dim: 0, value: 0.0, boundary: vec![] },
    ///     Column { dim: 1, value: 1.0, boundary: vec![0, 1] },
    /// ])?;
    /// assert_eq!(m.len(), 3);
    /// // An edge before its vertex is not a filtration.
    /// assert!(BoundaryMatrix::try_new(vec![Column { dim: 1, value: 1.0, boundary: vec![1] }]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_new(columns: Vec<Column>) -> Result<Self, Error> {
        let mut previous = f64::NEG_INFINITY;
        for (j, c) in columns.iter().enumerate() {
            if !c.value.is_finite() {
                return Err(Error::invalid_matrix(j, format!("value {} is not finite", c.value)));
            }
            if c.value < previous {
                return Err(Error::invalid_matrix(
                    j,
                    format!("value {} is smaller than the previous column's {previous}", c.value),
                ));
            }
            previous = c.value;
            if c.boundary.windows(2).any(|w| w[0] >= w[1]) {
                return Err(Error::invalid_matrix(j, "rows are not strictly increasing"));
            }
            if c.dim == 0 && !c.boundary.is_empty() {
                return Err(Error::invalid_matrix(
                    j,
                    "a cell of dimension 0 has a non-empty boundary",
                ));
            }
            for &row in &c.boundary {
                if row as usize >= j {
                    return Err(Error::invalid_matrix(
                        j,
                        format!(
                            "face {row} does not come before its coface (faces before cofaces)"
                        ),
                    ));
                }
                if columns[row as usize].dim + 1 != c.dim {
                    return Err(Error::invalid_matrix(
                        j,
                        format!(
                            "face {row} has dimension {}, expected {}",
                            columns[row as usize].dim,
                            c.dim - 1
                        ),
                    ));
                }
            }
        }
        Ok(Self { columns })
    }

    /// The boundary matrix of the cells of dimension `0..=max_dim` of `complex`.
    ///
    /// Cells are ordered by (value, dimension, vertex tuple in lexicographic order); values are
    /// compared with [`f64::total_cmp`]. Since a face has a value `≤` its coface's and a smaller
    /// dimension, this is a filtration order, and it is the same for every reducer.
    ///
    /// # Complexity
    ///
    /// `O(n log n)` time for `n` cells plus the enumeration, `O(n)` memory (a hash map from
    /// vertex tuples to indices).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidBoundaryMatrix`] if `complex` breaks the [`FilteredComplex`]
    /// contract (a face is missing or has a larger value), or if there are more than
    /// `u32::MAX` cells.
    pub fn from_complex<C: FilteredComplex + ?Sized>(
        complex: &C,
        max_dim: usize,
    ) -> Result<Self, Error> {
        let mut cells: Vec<Cell> = Vec::new();
        for dim in 0..=max_dim {
            let layer = complex.cells(dim);
            if layer.is_empty() {
                break;
            }
            cells.extend(layer);
        }
        if cells.len() > u32::MAX as usize {
            return Err(Error::invalid_matrix(u32::MAX as usize, "more than 2^32 - 1 cells"));
        }
        cells.sort_by(|a, b| {
            a.value
                .total_cmp(&b.value)
                .then(a.vertices.len().cmp(&b.vertices.len()))
                .then_with(|| a.vertices.cmp(&b.vertices))
        });
        let index: std::collections::HashMap<&[u32], u32> =
            cells.iter().enumerate().map(|(i, c)| (c.vertices.as_slice(), i as u32)).collect();
        let mut columns = Vec::with_capacity(cells.len());
        for (j, cell) in cells.iter().enumerate() {
            let mut boundary = Vec::with_capacity(cell.vertices.len());
            for face in cell.facets() {
                match index.get(face.as_slice()) {
                    Some(&i) => boundary.push(i),
                    None => {
                        return Err(Error::invalid_matrix(
                            j,
                            format!("the face {face:?} of {:?} is not a cell", cell.vertices),
                        ));
                    }
                }
            }
            boundary.sort_unstable();
            columns.push(Column { dim: cell.vertices.len() - 1, value: cell.value, boundary });
        }
        Self::try_new(columns)
    }

    /// The number of columns (cells).
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the matrix has no column.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The columns in filtration order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Column `j`.
    ///
    /// # Panics
    ///
    /// If `j >= self.len()`.
    pub fn column(&self, j: usize) -> &Column {
        &self.columns[j]
    }
}

/// The result of reducing a boundary matrix: which cells pair up and which stay unpaired.
///
/// A pair `(birth, death)` of column indices means the class created by cell `birth` is killed
/// by cell `death` (`birth < death`, `dim(death) = dim(birth) + 1`). An essential column creates
/// a class that never dies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pairing {
    pairs: Vec<(usize, usize)>,
    essential: Vec<usize>,
}

impl Pairing {
    /// A pairing from its pairs `(birth, death)` and essential columns.
    ///
    /// Both lists are sorted (pairs by death column, essentials increasingly), so that pairings
    /// from different reducers compare equal exactly when they pair the same columns.
    pub fn new(mut pairs: Vec<(usize, usize)>, mut essential: Vec<usize>) -> Self {
        pairs.sort_unstable_by_key(|&(b, d)| (d, b));
        essential.sort_unstable();
        Self { pairs, essential }
    }

    /// The pairs `(birth column, death column)`, sorted by death column.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    /// The unpaired (essential) columns, increasing.
    pub fn essential(&self) -> &[usize] {
        &self.essential
    }
}

/// A boundary-matrix reduction algorithm over Z/2.
///
/// Every implementation returns the same [`Pairing`] as [`Standard`] (the pairing of a filtration
/// is unique), however it gets there. The trait is object safe.
pub trait Reducer: fmt::Debug + Send + Sync {
    /// A short name, as accepted by [`ReducerKind::from_str`].
    fn name(&self) -> &'static str;

    /// Reduces `matrix` and returns its persistence pairing.
    ///
    /// # Errors
    ///
    /// Implementation specific (e.g. a resource limit); [`Standard`] never fails.
    fn reduce(&self, matrix: &BoundaryMatrix) -> Result<Pairing, Error>;
}

/// The reducers, selectable at run time (e.g. from the command line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ReducerKind {
    /// [`Standard`]: the textbook left-to-right column reduction.
    Standard,
    /// [`Twist`]: the standard reduction with clearing (Chen–Kerber's twist).
    Twist,
    /// [`Cohomology`]: persistent cohomology with clearing (the default).
    #[default]
    Cohomology,
}

impl ReducerKind {
    /// Every kind.
    pub const ALL: &'static [ReducerKind] =
        &[ReducerKind::Standard, ReducerKind::Twist, ReducerKind::Cohomology];

    /// The reducer of this kind with default options.
    pub fn reducer(self) -> Box<dyn Reducer> {
        match self {
            ReducerKind::Standard => Box::new(Standard::default()),
            ReducerKind::Twist => Box::new(Twist::default()),
            ReducerKind::Cohomology => Box::new(Cohomology::default()),
        }
    }
}

impl fmt::Display for ReducerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReducerKind::Standard => "standard",
            ReducerKind::Twist => "twist",
            ReducerKind::Cohomology => "cohomology",
        })
    }
}

impl FromStr for ReducerKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "standard" => Ok(ReducerKind::Standard),
            "twist" => Ok(ReducerKind::Twist),
            "cohomology" => Ok(ReducerKind::Cohomology),
            _ => Err(Error::new(ErrorKind::UnknownName {
                what: "reducer",
                name: s.to_owned(),
                expected: "standard, twist, cohomology",
            })),
        }
    }
}

/// The default reducer ([`ReducerKind::default`] with default options).
pub fn default_reducer() -> Box<dyn Reducer> {
    ReducerKind::default().reducer()
}

/// Every reducer with default options, for test suites that run all of them.
pub fn all_reducers() -> Vec<Box<dyn Reducer>> {
    ReducerKind::ALL.iter().map(|k| k.reducer()).collect()
}

/// `out = a Δ b` for sorted `a`, `b` (addition of Z/2 columns), shared by the reducers.
fn symmetric_difference(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}
