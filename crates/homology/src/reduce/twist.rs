//! The standard reduction with clearing ("twist").
//!
//! Chen, Kerber, *Persistent homology computation with a twist*, EuroCG 2011: reduce the columns
//! of the highest dimension first; a column whose cell is the lowest row of a reduced column one
//! dimension up is a death, so its reduction would give zero: clear it without work.

use crate::error::Error;
use crate::reduce::{BoundaryMatrix, Pairing, Reducer};

/// Options of [`Twist`] (none yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TwistOptions {}

/// The standard left-to-right column reduction over Z/2, dimension by dimension from the top,
/// with clearing.
///
/// # Complexity
///
/// `O(n³)` time in the worst case for `n` columns, as [`Standard`](super::Standard), but the
/// cleared columns (every death cell of a lower dimension) cost nothing. Memory: the reduced
/// columns.
#[derive(Clone, Debug, Default)]
pub struct Twist {
    /// The options.
    pub options: TwistOptions,
}

impl Twist {
    /// The twist reducer with the given options.
    pub fn new(options: TwistOptions) -> Self {
        Self { options }
    }
}

const NONE: u32 = u32::MAX;

impl Reducer for Twist {
    fn name(&self) -> &'static str {
        "twist"
    }

    fn reduce(&self, matrix: &BoundaryMatrix) -> Result<Pairing, Error> {
        let n = matrix.len();
        let top = matrix.columns().iter().map(|c| c.dim).max().unwrap_or(0);
        let mut by_dim: Vec<Vec<usize>> = vec![Vec::new(); top + 1];
        for (j, c) in matrix.columns().iter().enumerate() {
            by_dim[c.dim].push(j);
        }
        let mut reduced: Vec<Vec<u32>> = vec![Vec::new(); n];
        // pivot[i] = the column whose lowest row is i.
        let mut pivot: Vec<u32> = vec![NONE; n];
        let mut cleared = vec![false; n];
        let mut scratch: Vec<u32> = Vec::new();
        let mut pairs = Vec::new();
        for columns in by_dim.iter().rev() {
            for &j in columns {
                if cleared[j] {
                    continue;
                }
                let mut col = matrix.column(j).boundary.clone();
                while let Some(&low) = col.last() {
                    let k = pivot[low as usize];
                    if k == NONE {
                        pivot[low as usize] = j as u32;
                        cleared[low as usize] = true;
                        pairs.push((low as usize, j));
                        break;
                    }
                    super::symmetric_difference(&col, &reduced[k as usize], &mut scratch);
                    std::mem::swap(&mut col, &mut scratch);
                }
                reduced[j] = col;
            }
        }
        let essential =
            (0..n).filter(|&j| !cleared[j] && reduced[j].is_empty() && pivot[j] == NONE).collect();
        Ok(Pairing::new(pairs, essential))
    }
}
