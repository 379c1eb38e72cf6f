//! Vietoris–Rips filtrations of distance matrices, with simplices indexed by the combinatorial
//! number system.
//!
//! The Vietoris–Rips complex at scale `t` of a dissimilarity `d` on points `0..n` has a simplex
//! for every vertex set whose pairwise distances are all `≤ t`; in the filtration, a simplex
//! enters at its **diameter** (the largest pairwise distance of its vertices, `0` for a vertex).
//! [`RipsComplex`] keeps the simplices with diameter `≤` the threshold (pairs at distance `+∞`
//! are never joined).
//!
//! # Simplex indices
//!
//! A `k`-simplex with vertices `v_0 < v_1 < … < v_k` has the index
//! `Σ_i C(v_i, i + 1)` (the combinatorial number system of degree `k + 1`): a bijection from the
//! `k`-simplices on `n` points onto `0..C(n, k + 1)`, increasing in the colexicographic order of
//! the vertex tuples. Binomial coefficients come from a table built with checked arithmetic, so
//! an index that would overflow `u64` is an error when the complex is built, never wrong output.
//!
//! # Order
//!
//! Within a dimension, simplices are listed by (diameter, index), diameters compared with
//! [`f64::total_cmp`]: a total order that breaks ties between equal diameters by the
//! combinatorial index (colexicographic order of the sorted vertex tuples).

use crate::cell::{Cell, FilteredComplex};
use crate::distances::DistanceMatrix;
use crate::error::{Error, ErrorKind};

/// Options of [`RipsComplex::new`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RipsOptions {
    /// The largest homology dimension of interest. Simplices are available up to dimension
    /// `max_dim + 1` (those kill the classes of dimension `max_dim`). Default 1.
    pub max_dim: usize,
    /// The largest diameter kept; `None` (default) for the enclosing radius
    /// ([`DistanceMatrix::enclosing_radius`]), above which homology is trivial.
    pub threshold: Option<f64>,
}

impl Default for RipsOptions {
    fn default() -> Self {
        Self { max_dim: 1, threshold: None }
    }
}

impl RipsOptions {
    /// Options with the given maximum homology dimension and threshold.
    pub fn new(max_dim: usize, threshold: Option<f64>) -> Self {
        Self { max_dim, threshold }
    }
}

/// The Vietoris–Rips filtration of a [`DistanceMatrix`] up to a threshold and dimension.
///
/// Nothing is enumerated when it is built: [`simplices`](Self::simplices) and
/// [`FilteredComplex::cells`] enumerate one dimension on demand, [`cofacets`](Self::cofacets)
/// the coboundary of one simplex.
///
/// # Examples
///
/// ```
/// use nnph_complex::FilteredComplex;
/// use nnph_complex::distances::DistanceMatrix;
/// use nnph_complex::rips::{RipsComplex, RipsOptions};
///
/// // Four points on a square with side 1 and diagonals 2.
/// let d = DistanceMatrix::from_lower(4, vec![1.0, 2.0, 1.0, 1.0, 2.0, 1.0])?;
/// let rips = RipsComplex::new(d, &RipsOptions::new(1, None))?;
/// assert_eq!(rips.threshold(), 2.0); // the enclosing radius
/// assert_eq!(rips.cells(1).len(), 6);
/// let triangles = rips.cells(2);
/// assert_eq!(triangles.len(), 4);
/// assert!(triangles.iter().all(|t| t.value == 2.0));
/// assert_eq!(rips.simplex_index(&[0, 1, 3]), Some(1));
/// assert_eq!(rips.simplex_vertices(1, 2), vec![0, 1, 3]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RipsComplex {
    dist: DistanceMatrix,
    threshold: f64,
    max_dim: usize,
    /// `binomial[k][m] = C(m, k)` for `k ≤ max_dim + 2`, `m ≤ n`.
    binomial: Vec<Vec<u64>>,
}

impl RipsComplex {
    /// The filtration of `dist` with the given options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NonFiniteValue`] for a NaN or negative threshold;
    /// [`ErrorKind::TooLarge`] if a binomial coefficient `C(m, k)` with `m ≤ n` and
    /// `k ≤ max_dim + 2` overflows `u64` (simplex indices of dimension `max_dim + 1` would not
    /// fit): lower `max_dim` or the number of points.
    pub fn new(dist: DistanceMatrix, options: &RipsOptions) -> Result<Self, Error> {
        let threshold = options.threshold.unwrap_or_else(|| dist.enclosing_radius());
        if threshold.is_nan() || threshold < 0.0 {
            return Err(Error::new(ErrorKind::NonFiniteValue {
                what: format!("the threshold {threshold}"),
            }));
        }
        let n = dist.len();
        let top = options.max_dim.checked_add(2).ok_or_else(|| too_large(n, options.max_dim))?;
        let mut binomial: Vec<Vec<u64>> = Vec::with_capacity(top + 1);
        binomial.push(vec![1; n + 1]);
        for k in 1..=top {
            let mut row = vec![0u64; n + 1];
            for m in 1..=n {
                row[m] = row[m - 1]
                    .checked_add(binomial[k - 1][m - 1])
                    .ok_or_else(|| too_large(n, options.max_dim))?;
            }
            binomial.push(row);
        }
        Ok(Self { dist, threshold, max_dim: options.max_dim, binomial })
    }

    /// The distance matrix.
    pub fn distances(&self) -> &DistanceMatrix {
        &self.dist
    }

    /// The largest diameter kept.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The largest homology dimension of interest; simplices exist up to `max_dim + 1`.
    pub fn max_dim(&self) -> usize {
        self.max_dim
    }

    /// The number of points (vertices).
    pub fn num_points(&self) -> usize {
        self.dist.len()
    }

    /// `C(m, k)` from the table.
    ///
    /// # Panics
    ///
    /// If `k > max_dim + 2` or `m > num_points()`.
    pub fn binomial(&self, m: usize, k: usize) -> u64 {
        self.binomial[k][m]
    }

    /// Whether points `i` and `j` are joined: a finite distance `≤` the threshold.
    fn joined(&self, i: usize, j: usize) -> bool {
        let d = self.dist.get(i, j);
        d.is_finite() && d <= self.threshold
    }

    /// The index of the simplex with these vertices (strictly increasing), `None` if they are not
    /// strictly increasing, name a point out of range, or have more than `max_dim + 2` vertices.
    /// The simplex need not be in the complex (its diameter may exceed the threshold).
    pub fn simplex_index(&self, vertices: &[u32]) -> Option<u64> {
        if vertices.is_empty()
            || vertices.len() >= self.binomial.len()
            || vertices.windows(2).any(|w| w[0] >= w[1])
            || *vertices.last()? as usize >= self.num_points()
        {
            return None;
        }
        // Cannot overflow: the sum is below C(n, len) ≤ u64::MAX (checked in `new`).
        Some(vertices.iter().enumerate().map(|(i, &v)| self.binomial[i + 1][v as usize]).sum())
    }

    /// The vertices (increasing) of the `dim`-simplex with this index.
    ///
    /// # Panics
    ///
    /// If `dim > max_dim + 1` or `index ≥ C(n, dim + 1)`.
    pub fn simplex_vertices(&self, index: u64, dim: usize) -> Vec<u32> {
        let mut vertices = Vec::with_capacity(dim + 1);
        self.simplex_vertices_into(index, dim, &mut vertices);
        vertices
    }

    /// The row `C(·, k)` of the binomial table: `binomial_row(k)[m] = C(m, k)` for `m ≤ n`.
    ///
    /// # Panics
    ///
    /// If `k > max_dim + 2`.
    pub fn binomial_row(&self, k: usize) -> &[u64] {
        &self.binomial[k]
    }

    /// As [`simplex_vertices`](Self::simplex_vertices), into `vertices` (cleared first), so that
    /// a caller decoding many simplices reuses one buffer.
    ///
    /// # Panics
    ///
    /// As [`simplex_vertices`](Self::simplex_vertices).
    pub fn simplex_vertices_into(&self, index: u64, dim: usize, vertices: &mut Vec<u32>) {
        let n = self.num_points();
        assert!(dim + 1 < self.binomial.len(), "dimension {dim} above max_dim + 1");
        assert!(index < self.binomial[dim + 1][n], "simplex index {index} out of range");
        vertices.clear();
        vertices.resize(dim + 1, 0);
        let mut rest = index;
        let mut upper = n; // the next vertex is < upper
        for k in (1..=dim + 1).rev() {
            // The largest v < upper with C(v, k) ≤ rest (C(k - 1, k) = 0 ≤ rest, so v ≥ k - 1).
            let row = &self.binomial[k];
            let v = row[..upper].partition_point(|&c| c <= rest) - 1;
            vertices[k - 1] = v as u32;
            rest -= row[v];
            upper = v;
        }
    }

    /// The diameter of a vertex set: its largest pairwise distance (`0` for one vertex).
    ///
    /// # Panics
    ///
    /// If a vertex is out of range.
    pub fn diameter(&self, vertices: &[u32]) -> f64 {
        let mut diameter: f64 = 0.0;
        for (a, &u) in vertices.iter().enumerate() {
            for &v in &vertices[..a] {
                diameter = diameter.max(self.dist.get(u as usize, v as usize));
            }
        }
        diameter
    }

    /// The `dim`-simplices of the complex as `(diameter, index)`, sorted by (diameter, index).
    /// Empty if `dim > max_dim + 1`.
    ///
    /// # Complexity
    ///
    /// Backtracking over vertex sets whose pairs are all joined: time proportional to the number
    /// of simplices of dimension `≤ dim` times `dim`, plus the sort; memory the output.
    pub fn simplices(&self, dim: usize) -> Vec<(f64, u64)> {
        let mut out = Vec::new();
        if dim + 1 >= self.binomial.len() {
            return out;
        }
        let n = self.num_points();
        if dim == 0 {
            out.extend((0..n as u64).map(|v| (0.0, v)));
            return out;
        }
        let mut levels: Vec<Vec<(u32, f64)>> = vec![Vec::new(); dim + 1];
        for v in 0..n {
            // Candidates for the second vertex: the points after `v` joined to it.
            levels[1].clear();
            levels[1].extend((v + 1..n).filter_map(|w| {
                let e = self.dist.get(v, w);
                (e.is_finite() && e <= self.threshold).then_some((w as u32, e))
            }));
            if levels[1].len() >= dim {
                self.extend(&mut levels, 1, self.binomial[1][v], dim + 1, &mut out);
            }
        }
        out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out
    }

    /// Appends every simplex extending a prefix of `depth` vertices (whose index part is
    /// `index`) to `len` vertices. `levels[depth]` holds the candidates for the next vertex:
    /// the points after the prefix joined to all of it, with their largest distance to the
    /// prefix vertices combined with the prefix's own diameter.
    fn extend(
        &self,
        levels: &mut [Vec<(u32, f64)>],
        depth: usize,
        index: u64,
        len: usize,
        out: &mut Vec<(f64, u64)>,
    ) {
        let row = &self.binomial[depth + 1];
        if depth + 1 == len {
            out.extend(levels[depth].iter().map(|&(v, d)| (d, index + row[v as usize])));
            return;
        }
        let lower = self.dist.lower();
        let candidates = std::mem::take(&mut levels[depth]);
        for (a, &(v, dv)) in candidates.iter().enumerate() {
            // Leave room for the remaining vertices.
            if candidates.len() - a < len - depth {
                break;
            }
            let next = &mut levels[depth + 1];
            next.clear();
            for &(w, dw) in &candidates[a + 1..] {
                // v < w: the distance is in row w of the lower triangle.
                let w = w as usize;
                let e = lower[w * (w - 1) / 2 + v as usize];
                if e.is_finite() && e <= self.threshold {
                    next.push((w as u32, dw.max(dv).max(e)));
                }
            }
            if next.len() >= len - depth - 1 {
                self.extend(levels, depth + 1, index + row[v as usize], len, out);
            }
        }
        levels[depth] = candidates;
    }

    /// The cofacets in the complex of the `dim`-simplex with this index, as
    /// `(diameter, index)` of dimension `dim + 1`, sorted by (diameter, index). Empty if
    /// `dim + 1 > max_dim + 1`.
    ///
    /// # Panics
    ///
    /// As [`simplex_vertices`](Self::simplex_vertices).
    pub fn cofacets(&self, index: u64, dim: usize) -> Vec<(f64, u64)> {
        let mut out = Vec::new();
        if dim + 2 >= self.binomial.len() {
            return out;
        }
        let vertices = self.simplex_vertices(index, dim);
        let diameter = self.diameter(&vertices);
        for w in 0..self.num_points() as u32 {
            if vertices.contains(&w) {
                continue;
            }
            let mut d = diameter;
            if vertices.iter().any(|&u| !self.joined(u as usize, w as usize)) {
                continue;
            }
            let mut coface = Vec::with_capacity(dim + 2);
            for &u in &vertices {
                d = d.max(self.dist.get(u as usize, w as usize));
                if u < w {
                    coface.push(u);
                }
            }
            coface.push(w);
            coface.extend(vertices.iter().filter(|&&u| u > w));
            out.push((d, self.simplex_index(&coface).expect("in range")));
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out
    }
}

fn too_large(n: usize, max_dim: usize) -> Error {
    Error::new(ErrorKind::TooLarge {
        message: format!(
            "simplex indices of dimension {} on {n} points overflow 64 bits; \
             lower the maximum dimension or the number of points",
            max_dim.saturating_add(1)
        ),
    })
}

impl FilteredComplex for RipsComplex {
    /// The `dim`-simplices in (diameter, index) order, vertices increasing; empty above
    /// `max_dim + 1`.
    fn cells(&self, dim: usize) -> Vec<Cell> {
        self.simplices(dim)
            .into_iter()
            .map(|(value, index)| Cell::new(self.simplex_vertices(index, dim), value))
            .collect()
    }
}
