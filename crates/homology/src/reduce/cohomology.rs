//! Persistent cohomology: [`Cohomology`], a [`Reducer`] over Z/2 on any [`BoundaryMatrix`]
//! (reduction of the anti-transposed, coboundary, matrix with clearing). The same algorithm on
//! a Vietoris–Rips complex with implicit coboundaries is [`rips_persistence`] (module
//! [`super::rips`]), re-exported here.
//!
//! de Silva, Morozov, Vejdemo-Johansson, *Dualities in persistent (co)homology*, Inverse
//! Problems 27 (2011), <https://doi.org/10.1088/0266-5611/27/12/124003>: the anti-transpose of a
//! boundary matrix (cells in reverse filtration order, coboundaries as columns) has the same
//! persistence pairs. Clearing (Chen, Kerber, *Persistent homology computation with a twist*,
//! EuroCG 2011) skips columns known to reduce to zero.

use crate::error::{Error, ErrorKind};
use crate::reduce::{BoundaryMatrix, Pairing, Reducer};

pub use super::rips::rips_persistence;

/// Options of [`Cohomology`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CohomologyOptions {
    /// Skip the coboundary columns of cells already paired as deaths one dimension lower
    /// (clearing). It never changes the result, only the work. Default `true`.
    pub clearing: bool,
    /// The coefficient field Z/p. Default 2, the only value supported on a [`BoundaryMatrix`]
    /// (which carries no orientation); [`rips_persistence`] takes any prime `p < 2^16`.
    pub modulus: u16,
}

impl Default for CohomologyOptions {
    fn default() -> Self {
        Self { clearing: true, modulus: 2 }
    }
}

impl CohomologyOptions {
    /// Options with the given clearing policy and coefficient modulus.
    pub fn new(clearing: bool, modulus: u16) -> Self {
        Self { clearing, modulus }
    }
}

/// Persistent cohomology: reduces the coboundary matrix dimension by dimension, from 0 up.
///
/// The coboundary column of cell `i` holds the indices of its cofacets (the cells whose boundary
/// contains `i`). Within each dimension, columns are reduced in order of **decreasing** filtration
/// index, and the pivot of a column is its **smallest** row (the earliest cofacet): this is the
/// standard reduction of the anti-transposed matrix. A column of cell `i` reducing to pivot `j`
/// gives the pair `(i, j)`. With clearing, a cell that was the pivot of a column one dimension
/// lower is skipped: its column would reduce to zero, and it is a death, not essential. A zero
/// column whose cell is no pivot is essential.
///
/// Reduced columns of a dimension are dropped once that dimension is done.
///
/// # Complexity
///
/// `O(n³)` time in the worst case for `n` cells, usually far less than [`Standard`](super::Standard)
/// on Rips and flag complexes since most cohomology columns are short; memory the coboundary
/// lists (as many entries as the boundary matrix) plus the reduced columns of one dimension.
#[derive(Clone, Debug, Default)]
pub struct Cohomology {
    /// The options.
    pub options: CohomologyOptions,
}

impl Cohomology {
    /// The cohomology reducer with the given options.
    pub fn new(options: CohomologyOptions) -> Self {
        Self { options }
    }
}

const NONE: u32 = u32::MAX;

impl Reducer for Cohomology {
    fn name(&self) -> &'static str {
        "cohomology"
    }

    fn reduce(&self, matrix: &BoundaryMatrix) -> Result<Pairing, Error> {
        if self.options.modulus != 2 {
            return Err(Error::new(ErrorKind::InvalidOption {
                message: format!(
                    "coefficients Z/{} need an oriented complex; a boundary matrix is over Z/2",
                    self.options.modulus
                ),
            }));
        }
        let n = matrix.len();
        // Coboundaries in compressed form: cofacets of cell i are cob[start[i]..start[i + 1]],
        // increasing (columns are visited in increasing order).
        let mut start = vec![0usize; n + 1];
        for c in matrix.columns() {
            for &row in &c.boundary {
                start[row as usize + 1] += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut cob = vec![0u32; start[n]];
        for (j, c) in matrix.columns().iter().enumerate() {
            for &row in &c.boundary {
                cob[fill[row as usize]] = j as u32;
                fill[row as usize] += 1;
            }
        }
        drop(fill);

        // Cells of each dimension, in decreasing filtration index.
        let top = matrix.columns().iter().map(|c| c.dim).max().unwrap_or(0);
        let mut by_dim: Vec<Vec<u32>> = vec![Vec::new(); top + 1];
        for (i, c) in matrix.columns().iter().enumerate().rev() {
            by_dim[c.dim].push(i as u32);
        }

        // pivot_of[j] = the cell whose reduced coboundary has pivot (smallest row) j.
        let mut pivot_of = vec![NONE; n];
        let mut reduced: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut scratch = Vec::new();
        let mut pairs = Vec::new();
        let mut essential = Vec::new();
        for cells in &by_dim {
            for &i in cells {
                if pivot_of[i as usize] != NONE && self.options.clearing {
                    continue;
                }
                let mut col = cob[start[i as usize]..start[i as usize + 1]].to_vec();
                while let Some(&low) = col.first() {
                    let k = pivot_of[low as usize];
                    if k == NONE {
                        pivot_of[low as usize] = i;
                        pairs.push((i as usize, low as usize));
                        break;
                    }
                    super::symmetric_difference(&col, &reduced[k as usize], &mut scratch);
                    std::mem::swap(&mut col, &mut scratch);
                }
                if col.is_empty() {
                    if pivot_of[i as usize] == NONE {
                        essential.push(i as usize);
                    }
                } else {
                    reduced[i as usize] = col;
                }
            }
            // Columns of this dimension are only added to each other: drop them.
            for &i in cells {
                reduced[i as usize] = Vec::new();
            }
        }
        Ok(Pairing::new(pairs, essential))
    }
}
