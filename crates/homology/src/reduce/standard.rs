//! The textbook left-to-right column reduction over Z/2.
//!
//! Edelsbrunner, Letscher, Zomorodian, *Topological persistence and simplification*,
//! Discrete Comput. Geom. 28 (2002), <https://doi.org/10.1007/s00454-002-2885-2>; in the matrix
//! form of Zomorodian and Carlsson, *Computing persistent homology*, Discrete Comput. Geom. 33
//! (2005), <https://doi.org/10.1007/s00454-004-1146-y>.

use crate::error::Error;
use crate::reduce::{BoundaryMatrix, Pairing, Reducer};

/// Options of [`Standard`] (none yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StandardOptions {}

/// The standard reduction: for each column from left to right, while its lowest row is the
/// lowest row of an earlier reduced column, add that column to it (symmetric difference).
///
/// Columns are sorted `Vec<u32>` of row indices. A reduced non-zero column `j` with lowest row
/// `i` gives the pair `(i, j)`; a zero column that is never a lowest row is essential.
///
/// # Complexity
///
/// `O(n³)` time in the worst case for `n` columns, `O(n + fill-in)` memory. Meant as the clear
/// reference that every faster reducer must agree with.
#[derive(Clone, Debug, Default)]
pub struct Standard {
    /// The options.
    pub options: StandardOptions,
}

impl Standard {
    /// The standard reducer with the given options.
    pub fn new(options: StandardOptions) -> Self {
        Self { options }
    }
}

const NONE: u32 = u32::MAX;

impl Reducer for Standard {
    fn name(&self) -> &'static str {
        "standard"
    }

    fn reduce(&self, matrix: &BoundaryMatrix) -> Result<Pairing, Error> {
        let n = matrix.len();
        let mut reduced: Vec<Vec<u32>> = Vec::with_capacity(n);
        // pivot[i] = the column whose lowest row is i.
        let mut pivot: Vec<u32> = vec![NONE; n];
        let mut scratch: Vec<u32> = Vec::new();
        let mut pairs = Vec::new();
        for j in 0..n {
            let mut col = matrix.column(j).boundary.clone();
            while let Some(&low) = col.last() {
                let k = pivot[low as usize];
                if k == NONE {
                    pivot[low as usize] = j as u32;
                    pairs.push((low as usize, j));
                    break;
                }
                super::symmetric_difference(&col, &reduced[k as usize], &mut scratch);
                std::mem::swap(&mut col, &mut scratch);
            }
            reduced.push(col);
        }
        let essential = (0..n).filter(|&j| reduced[j].is_empty() && pivot[j] == NONE).collect();
        Ok(Pairing::new(pairs, essential))
    }
}
