//! Persistent cohomology: [`Cohomology`], a [`Reducer`] over Z/2 on any [`BoundaryMatrix`]
//! (reduction of the anti-transposed, coboundary, matrix with clearing), and
//! [`rips_persistence`], the same algorithm over Z/p on a [`RipsComplex`] with implicit
//! coboundaries (nothing but the distance matrix and the reduction matrix `V` is stored).
//!
//! de Silva, Morozov, Vejdemo-Johansson, *Dualities in persistent (co)homology*, Inverse
//! Problems 27 (2011), <https://doi.org/10.1088/0266-5611/27/12/124003>: the anti-transpose of a
//! boundary matrix (cells in reverse filtration order, coboundaries as columns) has the same
//! persistence pairs. Clearing (Chen, Kerber, *Persistent homology computation with a twist*,
//! EuroCG 2011) skips columns known to reduce to zero.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};

use nnph_complex::rips::RipsComplex;

use crate::diagram::{Diagram, PersistencePair};
use crate::error::{Error, ErrorKind};
use crate::reduce::{BoundaryMatrix, Pairing, Reducer};

/// Options of [`Cohomology`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CohomologyOptions {
    /// Skip the coboundary columns of cells already paired as deaths one dimension lower
    /// (clearing). It never changes the result, only the work. Default `true`.
    pub clearing: bool,
    /// The coefficient field Z/p: a prime `p < 2^16`. Default 2. Only [`rips_persistence`]
    /// supports `p ≠ 2` (a [`BoundaryMatrix`] carries no orientation).
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
                    symmetric_difference(&col, &reduced[k as usize], &mut scratch);
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

/// `out = a Δ b` for sorted `a`, `b`.
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

/// A simplex in the filtration order of one dimension: (diameter, combinatorial index).
#[derive(Clone, Copy, Debug)]
struct Key {
    diameter: f64,
    index: u64,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.diameter.total_cmp(&other.diameter).then(self.index.cmp(&other.index))
    }
}

/// An entry of a working column: a simplex and its coefficient in `1..p`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    key: Key,
    coefficient: u32,
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` pops the **smallest** key first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key).then(other.coefficient.cmp(&self.coefficient))
    }
}

fn is_prime(p: u16) -> bool {
    p >= 2
        && (2..p)
            .take_while(|d| u32::from(*d) * u32::from(*d) <= u32::from(p))
            .all(|d| !p.is_multiple_of(d))
}

/// `a^-1 mod p` for a prime `p` and `a` not divisible by `p` (Fermat).
fn inverse(a: u32, p: u32) -> u32 {
    let (mut base, mut exp, mut acc) = (u64::from(a % p), u64::from(p - 2), 1u64);
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc * base % u64::from(p);
        }
        base = base * base % u64::from(p);
        exp >>= 1;
    }
    acc as u32
}

/// `a · b mod p` without overflow.
fn mul(a: u32, b: u32, p: u32) -> u32 {
    (u64::from(a) * u64::from(b) % u64::from(p)) as u32
}

/// Appends `factor · δ(simplex)` to `out`: the cofacets in the complex of the `dim`-simplex
/// `index`, with the incidence `[τ : σ] = (-1)^j` where `j` is the position of the new vertex in
/// the sorted vertices of `τ`.
fn coboundary(
    rips: &RipsComplex,
    index: u64,
    dim: usize,
    factor: u32,
    p: u32,
    out: &mut Vec<Entry>,
) {
    let vertices = rips.simplex_vertices(index, dim);
    let dist = rips.distances();
    let diameter = rips.diameter(&vertices);
    let threshold = rips.threshold();
    let mut coface = Vec::with_capacity(dim + 2);
    for w in 0..rips.num_points() as u32 {
        let mut d = diameter;
        let mut position = 0;
        let mut ok = true;
        for &u in &vertices {
            if u == w {
                ok = false;
                break;
            }
            let e = dist.get(u as usize, w as usize);
            if !(e.is_finite() && e <= threshold) {
                ok = false;
                break;
            }
            d = d.max(e);
            if u < w {
                position += 1;
            }
        }
        if !ok {
            continue;
        }
        coface.clear();
        coface.extend_from_slice(&vertices[..position]);
        coface.push(w);
        coface.extend_from_slice(&vertices[position..]);
        let Some(coface_index) = rips.simplex_index(&coface) else { continue };
        let coefficient = if position.is_multiple_of(2) { factor } else { (p - factor) % p };
        out.push(Entry { key: Key { diameter: d, index: coface_index }, coefficient });
    }
}

/// The smallest cofacet in (diameter, index) order of the `dim`-simplex `index` of diameter
/// `diameter`, with its coefficient in `δ(simplex)`: the pivot of the unreduced column.
///
/// Cofacets are visited by increasing new vertex `w`, which is increasing index order (the
/// cofacets differ only in `w`, and the index order is colexicographic). So the first cofacet
/// of the smallest diameter is the pivot, and the scan stops at the first cofacet whose
/// diameter equals the simplex's own, the smallest possible.
fn first_cofacet(
    rips: &RipsComplex,
    index: u64,
    dim: usize,
    diameter: f64,
    p: u32,
) -> Option<Entry> {
    let vertices = rips.simplex_vertices(index, dim);
    let dist = rips.distances();
    let threshold = rips.threshold();
    let mut best: Option<(f64, u32, usize)> = None; // (diameter, w, position)
    for w in 0..rips.num_points() as u32 {
        let mut d = diameter;
        let mut position = 0;
        let mut ok = true;
        for &u in &vertices {
            if u == w {
                ok = false;
                break;
            }
            let e = dist.get(u as usize, w as usize);
            if !(e.is_finite() && e <= threshold) {
                ok = false;
                break;
            }
            d = d.max(e);
            if u < w {
                position += 1;
            }
        }
        if ok && best.is_none_or(|(b, _, _)| d < b) {
            best = Some((d, w, position));
            if d <= diameter {
                break;
            }
        }
    }
    let (d, w, position) = best?;
    let mut coface = Vec::with_capacity(dim + 2);
    coface.extend_from_slice(&vertices[..position]);
    coface.push(w);
    coface.extend_from_slice(&vertices[position..]);
    let coface_index = rips.simplex_index(&coface)?;
    let coefficient = if position.is_multiple_of(2) { 1 } else { p - 1 };
    Some(Entry { key: Key { diameter: d, index: coface_index }, coefficient })
}

/// Pops the smallest simplex with a non-zero total coefficient, leaving it on the heap.
fn pivot(heap: &mut BinaryHeap<Entry>, p: u32) -> Option<Entry> {
    while let Some(mut top) = heap.pop() {
        while let Some(next) = heap.peek() {
            if next.key != top.key {
                break;
            }
            top.coefficient = (top.coefficient + next.coefficient) % p;
            heap.pop();
        }
        if top.coefficient != 0 {
            heap.push(top);
            return Some(top);
        }
    }
    None
}

/// Vietoris–Rips persistent cohomology over Z/p with implicit coboundaries: nothing but the
/// distance matrix and the reduction matrix `V` of the non-trivial columns is stored.
///
/// Dimension by dimension from 0 to `rips.max_dim()`, the columns are the simplices of that
/// dimension not already paired as deaths (clearing), in decreasing (diameter, index) order. A
/// working column is a binary heap of (cofacet, coefficient) with lazy cancellation; its pivot is
/// its smallest cofacet in (diameter, index) order. When the pivot belongs to an earlier column
/// `j`, `c · V_j` is added (its coboundary recomputed from the distance matrix). A column whose
/// first pivot is new (an *emergent* pair) stores only itself.
///
/// Returns the diagram with dimensions `0..=max_dim`, pairs of positive persistence only,
/// sorted ([`Diagram::sort`]).
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`] if `options.modulus` is not a prime.
///
/// # Examples
///
/// ```
/// use nnph_complex::distances::DistanceMatrix;
/// use nnph_complex::rips::{RipsComplex, RipsOptions};
/// use nnph_homology::reduce::cohomology::{CohomologyOptions, rips_persistence};
///
/// // Four points on a square (sides 1, diagonals 2): a loop from 1 to 2.
/// let d = DistanceMatrix::from_lower(4, vec![1.0, 2.0, 1.0, 1.0, 2.0, 1.0])?;
/// let rips = RipsComplex::new(d, &RipsOptions::new(1, None))?;
/// let diagram = rips_persistence(&rips, &CohomologyOptions::new(true, 3))?;
/// assert_eq!(diagram.dim(1).len(), 1);
/// assert_eq!((diagram.dim(1)[0].birth, diagram.dim(1)[0].death), (1.0, 2.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rips_persistence(rips: &RipsComplex, options: &CohomologyOptions) -> Result<Diagram, Error> {
    if !is_prime(options.modulus) {
        return Err(Error::new(ErrorKind::InvalidOption {
            message: format!("coefficient modulus {} is not a prime", options.modulus),
        }));
    }
    let p = u32::from(options.modulus);
    let max_dim = rips.max_dim();
    let mut dims: Vec<Vec<PersistencePair>> = vec![Vec::new(); max_dim + 1];
    // Simplices of the current dimension paired as deaths in the dimension below.
    let mut deaths: HashSet<u64> = HashSet::new();
    let mut buffer: Vec<Entry> = Vec::new();
    for (dim, out) in dims.iter_mut().enumerate() {
        let columns = rips.simplices(dim);
        // pivot (a (dim+1)-simplex) -> (its column's V: simplices with coefficients, the pivot's
        // coefficient in the reduced column).
        let mut reduced: HashMap<u64, (Vec<(u64, u32)>, u32)> = HashMap::new();
        let mut next_deaths: HashSet<u64> = HashSet::new();
        for &(birth, index) in columns.iter().rev() {
            if options.clearing && deaths.contains(&index) {
                continue;
            }
            let mut v: Vec<(u64, u32)> = vec![(index, 1)];
            // Emergent pair: the pivot of the unreduced column is no pivot yet. No heap needed.
            if let Some(first) = first_cofacet(rips, index, dim, birth, p)
                && let std::collections::hash_map::Entry::Vacant(slot) =
                    reduced.entry(first.key.index)
            {
                if first.key.diameter > birth {
                    out.push(PersistencePair::new(birth, first.key.diameter));
                }
                next_deaths.insert(first.key.index);
                slot.insert((v, first.coefficient));
                continue;
            }
            buffer.clear();
            coboundary(rips, index, dim, 1, p, &mut buffer);
            let mut heap = BinaryHeap::from(std::mem::take(&mut buffer));
            loop {
                let Some(top) = pivot(&mut heap, p) else {
                    if !deaths.contains(&index) {
                        out.push(PersistencePair::new(birth, f64::INFINITY));
                    }
                    break;
                };
                match reduced.get(&top.key.index) {
                    Some((other, c)) => {
                        // Cancel the pivot: add -top/c times the other column.
                        let factor = (p - mul(top.coefficient, inverse(*c, p), p)) % p;
                        buffer.clear();
                        for &(s, a) in other {
                            let f = mul(a, factor, p);
                            v.push((s, f));
                            coboundary(rips, s, dim, f, p, &mut buffer);
                        }
                        heap.extend(buffer.drain(..));
                    }
                    None => {
                        if top.key.diameter > birth {
                            out.push(PersistencePair::new(birth, top.key.diameter));
                        }
                        next_deaths.insert(top.key.index);
                        reduced.insert(top.key.index, (compress(v, p), top.coefficient));
                        break;
                    }
                }
            }
            buffer = heap.into_vec();
        }
        deaths = next_deaths;
    }
    let mut diagram = Diagram::from_dims(dims);
    diagram.sort();
    Ok(diagram)
}

/// Merges repeated simplices of a `V` column and drops zero coefficients.
fn compress(mut v: Vec<(u64, u32)>, p: u32) -> Vec<(u64, u32)> {
    v.sort_unstable_by_key(|e| e.0);
    let mut out: Vec<(u64, u32)> = Vec::with_capacity(v.len());
    for (s, a) in v {
        match out.last_mut() {
            Some(last) if last.0 == s => last.1 = (last.1 + a) % p,
            _ => out.push((s, a)),
        }
    }
    out.retain(|e| e.1 != 0);
    out
}
