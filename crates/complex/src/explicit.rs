//! Explicit filtered simplicial complexes: a validated list of simplices with values.

use std::collections::HashMap;

use crate::cell::{Cell, FilteredComplex};
use crate::error::{Error, ErrorKind};

/// A filtered simplicial complex given by its simplices and their filtration values.
///
/// Simplices are vertex sets: the vertex lists given to [`ExplicitComplex::try_new`] are
/// sorted, and every cell lists its vertices in increasing order.
/// Vertex labels are arbitrary `u32`s (they need not be contiguous).
///
/// **Invariants** (checked by [`ExplicitComplex::try_new`]): every simplex has at least one
/// vertex, no repeated vertex and a finite value; no simplex is listed twice; every
/// codimension-1 face of a simplex is in the complex with a value not larger than the
/// simplex's (hence, inductively, every face is).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExplicitComplex {
    /// Cells by dimension, each dimension sorted by vertex tuple.
    by_dim: Vec<Vec<Cell>>,
    /// Value of every simplex, keyed by its sorted vertices.
    values: HashMap<Vec<u32>, f64>,
}

impl ExplicitComplex {
    /// Builds a complex from `(vertices, value)` pairs, checking its invariants.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSimplex`] for an empty simplex, a repeated vertex, a NaN or infinite
    /// value or a duplicate simplex; [`ErrorKind::MissingFace`] if a codimension-1 face is not
    /// listed; [`ErrorKind::NonMonotone`] if a simplex has a smaller value than one of its faces.
    /// The error names the first offending simplex in input order.
    ///
    /// # Examples
    ///
    /// ```
    /// use nnph_complex::explicit::ExplicitComplex;
    ///
    /// // A filled triangle whose 2-cell enters last.
    /// let complex = ExplicitComplex::try_new(vec![
    ///     (vec![0], 0.0), (vec![1], 0.0), (vec![2], 0.0),
    ///     (vec![0, 1], 1.0), (vec![1, 2], 1.0), (vec![0, 2], 2.0),
    ///     (vec![0, 1, 2], 3.0),
    /// ])?;
    /// assert_eq!(complex.cell_counts(), vec![3, 3, 1]);
    /// assert!(ExplicitComplex::try_new(vec![(vec![0, 1], 1.0)]).is_err()); // faces missing
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn try_new<I>(simplices: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (Vec<u32>, f64)>,
    {
        let invalid = |simplex: usize, message: String| {
            Error::new(ErrorKind::InvalidSimplex { simplex, message })
        };
        let mut list: Vec<(Vec<u32>, f64)> = Vec::new();
        let mut values: HashMap<Vec<u32>, f64> = HashMap::new();
        for (i, (mut vertices, value)) in simplices.into_iter().enumerate() {
            if vertices.is_empty() {
                return Err(invalid(i, "a simplex needs at least one vertex".to_owned()));
            }
            if !value.is_finite() {
                return Err(invalid(i, format!("value {value} is not finite")));
            }
            vertices.sort_unstable();
            if let Some(w) = vertices.windows(2).find(|w| w[0] == w[1]) {
                return Err(invalid(i, format!("vertex {} is repeated", w[0])));
            }
            if values.insert(vertices.clone(), value).is_some() {
                return Err(invalid(i, format!("simplex {vertices:?} is listed twice")));
            }
            list.push((vertices, value));
        }
        for (i, (vertices, value)) in list.iter().enumerate() {
            if vertices.len() < 2 {
                continue;
            }
            let cell = Cell { vertices: vertices.clone(), value: *value };
            for face in cell.facets() {
                match values.get(&face) {
                    None => return Err(Error::new(ErrorKind::MissingFace { simplex: i, face })),
                    Some(&face_value) if face_value > *value => {
                        return Err(Error::new(ErrorKind::NonMonotone {
                            simplex: i,
                            value: *value,
                            face,
                            face_value,
                        }));
                    }
                    Some(_) => {}
                }
            }
        }
        let mut by_dim: Vec<Vec<Cell>> = Vec::new();
        for (vertices, value) in list {
            let dim = vertices.len() - 1;
            if by_dim.len() <= dim {
                by_dim.resize(dim + 1, Vec::new());
            }
            by_dim[dim].push(Cell { vertices, value });
        }
        for cells in &mut by_dim {
            cells.sort_unstable_by(|a, b| a.vertices.cmp(&b.vertices));
        }
        Ok(Self { by_dim, values })
    }

    /// The largest dimension of a simplex, `None` for the empty complex.
    pub fn dimension(&self) -> Option<usize> {
        self.by_dim.len().checked_sub(1)
    }

    /// The total number of simplices.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the complex has no simplex.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The simplices of dimension `dim` (sorted by vertex tuple; empty if there are none).
    pub fn simplices(&self, dim: usize) -> &[Cell] {
        self.by_dim.get(dim).map_or(&[], Vec::as_slice)
    }

    /// The number of simplices of each dimension `0..=dimension()`.
    pub fn cell_counts(&self) -> Vec<usize> {
        self.by_dim.iter().map(Vec::len).collect()
    }

    /// The value of the simplex with these vertices (in any order), `None` if it is not in the
    /// complex.
    pub fn value_of(&self, vertices: &[u32]) -> Option<f64> {
        let mut key = vertices.to_vec();
        key.sort_unstable();
        self.values.get(&key).copied()
    }
}

impl FilteredComplex for ExplicitComplex {
    fn cells(&self, dim: usize) -> Vec<Cell> {
        self.simplices(dim).to_vec()
    }
}
