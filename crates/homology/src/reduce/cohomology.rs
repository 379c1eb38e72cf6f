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
use std::hash::{BuildHasherDefault, Hasher};

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

/// A working-column entry as stored in the heap: [`Entry`] itself, or [`Packed`] when the
/// simplex indices leave room for the coefficient in one word.
trait HeapEntry: Copy + Ord {
    fn new(key: Key, coefficient: u32) -> Self;
    fn key(&self) -> Key;
    fn coefficient(&self) -> u32;
    fn same_key(&self, other: &Self) -> bool;
    fn set_coefficient(&mut self, coefficient: u32);
}

impl HeapEntry for Entry {
    #[inline]
    fn new(key: Key, coefficient: u32) -> Self {
        Self { key, coefficient }
    }
    #[inline]
    fn key(&self) -> Key {
        self.key
    }
    #[inline]
    fn coefficient(&self) -> u32 {
        self.coefficient
    }
    #[inline]
    fn same_key(&self, other: &Self) -> bool {
        self.key == other.key
    }
    #[inline]
    fn set_coefficient(&mut self, coefficient: u32) {
        self.coefficient = coefficient;
    }
}

/// Bits of [`Packed::packed`] holding the coefficient (`p < 2^16`).
const COEFFICIENT_BITS: u32 = 16;

/// An [`Entry`] in 16 bytes instead of 24, for simplex indices below `2^48`: the index in the
/// high bits and the coefficient in the low bits of one word, so that comparing the word
/// compares (index, coefficient) as [`Entry`] does.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Packed {
    diameter: f64,
    packed: u64,
}

impl Eq for Packed {}

impl PartialOrd for Packed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Packed {
    /// Reversed, so that `BinaryHeap` pops the **smallest** key first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.diameter.total_cmp(&self.diameter).then(other.packed.cmp(&self.packed))
    }
}

impl HeapEntry for Packed {
    #[inline]
    fn new(key: Key, coefficient: u32) -> Self {
        Self {
            diameter: key.diameter,
            packed: key.index << COEFFICIENT_BITS | u64::from(coefficient),
        }
    }
    #[inline]
    fn key(&self) -> Key {
        Key { diameter: self.diameter, index: self.packed >> COEFFICIENT_BITS }
    }
    #[inline]
    fn coefficient(&self) -> u32 {
        (self.packed & ((1 << COEFFICIENT_BITS) - 1)) as u32
    }
    #[inline]
    fn same_key(&self, other: &Self) -> bool {
        self.diameter.total_cmp(&other.diameter) == Ordering::Equal
            && self.packed >> COEFFICIENT_BITS == other.packed >> COEFFICIENT_BITS
    }
    #[inline]
    fn set_coefficient(&mut self, coefficient: u32) {
        self.packed = self.packed >> COEFFICIENT_BITS << COEFFICIENT_BITS | u64::from(coefficient);
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

/// A multiplicative hasher for the `u64` simplex indices used as keys (FxHash-style: one
/// rotate, xor and multiply per word). The keys are not attacker-controlled in a way that
/// matters here (a slow hash table is the worst case), and SipHash dominated the lookups.
#[derive(Clone, Copy, Default)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak; the table takes its bucket from them.
        self.0.rotate_left(26)
    }
}

type IndexMap<V> = HashMap<u64, V, BuildHasherDefault<IndexHasher>>;
type IndexSet = HashSet<u64, BuildHasherDefault<IndexHasher>>;

/// The implicit coboundary of a [`RipsComplex`]: decodes simplices into reused buffers and
/// enumerates cofacets by the new vertex `w`, computing each cofacet's index in O(1) from
/// prefix sums of binomial coefficients.
struct Cofacets<'a> {
    n: usize,
    /// The strict lower triangle of the distances, row-major (row `i` starts at `offset[i]`).
    lower: &'a [f64],
    offset: Vec<usize>,
    /// Distances `≤ bound` are joined (the threshold, or `f64::MAX` for an infinite one so that
    /// infinite distances stay unjoined); distances are never NaN.
    bound: f64,
    /// `binomial[k][m] = C(m, k)`.
    binomial: Vec<&'a [u64]>,
    vertices: Vec<u32>,
    /// `low[pos]`: sum of `C(v_i, i + 1)` over `i < pos`; `high[pos]`: of `C(v_i, i + 2)` over
    /// `i ≥ pos` (the vertices after the new one move up a position).
    low: Vec<u64>,
    high: Vec<u64>,
}

impl<'a> Cofacets<'a> {
    fn new(rips: &'a RipsComplex) -> Self {
        let n = rips.num_points();
        let threshold = rips.threshold();
        let bound = if threshold == f64::INFINITY { f64::MAX } else { threshold };
        Self {
            n,
            lower: rips.distances().lower(),
            offset: (0..n).map(|i| i * i.saturating_sub(1) / 2).collect(),
            bound,
            binomial: (0..=rips.max_dim() + 2).map(|k| rips.binomial_row(k)).collect(),
            vertices: Vec::new(),
            low: Vec::new(),
            high: Vec::new(),
        }
    }

    /// Decodes the `dim`-simplex `index` and prepares the prefix sums; returns its diameter.
    fn load(&mut self, rips: &RipsComplex, index: u64, dim: usize) -> f64 {
        rips.simplex_vertices_into(index, dim, &mut self.vertices);
        let v = &self.vertices;
        let mut diameter: f64 = 0.0;
        for (a, &x) in v.iter().enumerate() {
            let row = self.offset[x as usize];
            for &y in &v[..a] {
                diameter = diameter.max(self.lower[row + y as usize]);
            }
        }
        let k = v.len();
        self.low.clear();
        self.low.push(0);
        for (i, &x) in v.iter().enumerate() {
            let last = self.low[i];
            self.low.push(last + self.binomial[i + 1][x as usize]);
        }
        self.high.clear();
        self.high.resize(k + 1, 0);
        for i in (0..k).rev() {
            self.high[i] = self.high[i + 1] + self.binomial[i + 2][v[i] as usize];
        }
        diameter
    }

    /// Calls `visit(diameter, index, position)` for every cofacet in the complex of the loaded
    /// simplex (of diameter `diameter`), by increasing new vertex `w` (so increasing index),
    /// until `visit` returns `false`. `position` is the place of `w` among the sorted vertices.
    #[inline]
    fn for_each(&self, diameter: f64, mut visit: impl FnMut(f64, u64, usize) -> bool) {
        let v = &self.vertices;
        let k = v.len();
        for pos in 0..=k {
            let lo = if pos == 0 { 0 } else { v[pos - 1] as usize + 1 };
            let hi = if pos == k { self.n } else { v[pos] as usize };
            let row = self.binomial[pos + 1];
            let base = self.low[pos] + self.high[pos];
            'w: for (w, &binomial_w) in (lo..hi).zip(&row[lo..hi]) {
                let mut d = diameter;
                let own = self.offset[w];
                for &u in &v[..pos] {
                    let e = self.lower[own + u as usize];
                    if e > self.bound {
                        continue 'w;
                    }
                    d = d.max(e);
                }
                for &u in &v[pos..] {
                    let e = self.lower[self.offset[u as usize] + w];
                    if e > self.bound {
                        continue 'w;
                    }
                    d = d.max(e);
                }
                if !visit(d, base + binomial_w, pos) {
                    return;
                }
            }
        }
    }
}

/// Appends `factor · δ(simplex)` to `out`: the cofacets in the complex of the `dim`-simplex
/// `index`, with the incidence `[τ : σ] = (-1)^j` where `j` is the position of the new vertex in
/// the sorted vertices of `τ`. Only cofacets above `floor` in (diameter, index) order are
/// appended: when a column is added to cancel the pivot `floor`, the entries at or below it
/// sum to zero per simplex, so they can be left out.
#[allow(clippy::too_many_arguments)]
fn coboundary<E: HeapEntry>(
    cof: &mut Cofacets<'_>,
    rips: &RipsComplex,
    index: u64,
    dim: usize,
    factor: u32,
    p: u32,
    floor: Option<Key>,
    out: &mut Vec<E>,
) {
    let diameter = cof.load(rips, index, dim);
    let negated = (p - factor) % p;
    cof.for_each(diameter, |d, coface, position| {
        let key = Key { diameter: d, index: coface };
        if floor.is_none_or(|f| key > f) {
            let coefficient = if position.is_multiple_of(2) { factor } else { negated };
            out.push(E::new(key, coefficient));
        }
        true
    });
}

/// The smallest cofacet in (diameter, index) order of the `dim`-simplex `index` of diameter
/// `diameter`, with its coefficient in `δ(simplex)`: the pivot of the unreduced column.
///
/// Cofacets are visited by increasing new vertex `w`, which is increasing index order (the
/// cofacets differ only in `w`, and the index order is colexicographic). So the first cofacet
/// of the smallest diameter is the pivot, and the scan stops at the first cofacet whose
/// diameter equals the simplex's own, the smallest possible.
fn first_cofacet(
    cof: &mut Cofacets<'_>,
    rips: &RipsComplex,
    index: u64,
    dim: usize,
    diameter: f64,
    p: u32,
) -> Option<Entry> {
    cof.load(rips, index, dim);
    let mut best: Option<(f64, u64, usize)> = None;
    cof.for_each(diameter, |d, coface, position| {
        if best.is_none_or(|(b, _, _)| d < b) {
            best = Some((d, coface, position));
            if d <= diameter {
                return false;
            }
        }
        true
    });
    let (d, coface, position) = best?;
    let coefficient = if position.is_multiple_of(2) { 1 } else { p - 1 };
    Some(Entry { key: Key { diameter: d, index: coface }, coefficient })
}

/// Pops the smallest simplex with a non-zero total coefficient (all its entries leave the heap).
fn pop_pivot<E: HeapEntry>(heap: &mut BinaryHeap<E>, p: u32) -> Option<E> {
    while let Some(mut top) = heap.pop() {
        let mut coefficient = top.coefficient();
        while let Some(next) = heap.peek() {
            if !next.same_key(&top) {
                break;
            }
            coefficient = (coefficient + next.coefficient()) % p;
            heap.pop();
        }
        if coefficient != 0 {
            top.set_coefficient(coefficient);
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
    let n = rips.num_points();
    // Every simplex index of dimension `k - 1 ≤ max_dim + 1` is below C(n, k).
    let largest = (1..=rips.max_dim() + 2).map(|k| rips.binomial(n, k)).max().unwrap_or(0);
    let diagram = if largest <= 1 << (64 - COEFFICIENT_BITS) {
        reduce_rips::<Packed>(rips, options, p)
    } else {
        reduce_rips::<Entry>(rips, options, p)
    };
    Ok(diagram)
}

/// The body of [`rips_persistence`], with heap entries of type `E`.
fn reduce_rips<E: HeapEntry>(rips: &RipsComplex, options: &CohomologyOptions, p: u32) -> Diagram {
    let max_dim = rips.max_dim();
    let mut cof = Cofacets::new(rips);
    let mut dims: Vec<Vec<PersistencePair>> = vec![Vec::new(); max_dim + 1];
    // Simplices of the current dimension paired as deaths in the dimension below.
    let mut deaths = IndexSet::default();
    let mut buffer: Vec<E> = Vec::new();
    let mut scratch: Vec<E> = Vec::new();
    let mut v: Vec<(u64, u32)> = Vec::new();
    for (dim, out) in dims.iter_mut().enumerate() {
        let columns = rips.simplices(dim);
        // The V columns of this dimension, one after another.
        let mut store: Vec<(u64, u32)> = Vec::new();
        // pivot (a (dim+1)-simplex) -> (its column's V as store[start..start + len], the pivot's
        // coefficient in the reduced column).
        let mut reduced: IndexMap<(usize, usize, u32)> = IndexMap::default();
        let mut next_deaths = IndexSet::default();
        for &(birth, index) in columns.iter().rev() {
            if options.clearing && deaths.contains(&index) {
                continue;
            }
            // Emergent pair: the pivot of the unreduced column is no pivot yet. No heap needed.
            if let Some(first) = first_cofacet(&mut cof, rips, index, dim, birth, p)
                && let std::collections::hash_map::Entry::Vacant(slot) =
                    reduced.entry(first.key.index)
            {
                if first.key.diameter > birth {
                    out.push(PersistencePair::new(birth, first.key.diameter));
                }
                next_deaths.insert(first.key.index);
                slot.insert((store.len(), 1, first.coefficient));
                store.push((index, 1));
                continue;
            }
            v.clear();
            v.push((index, 1));
            buffer.clear();
            coboundary(&mut cof, rips, index, dim, 1, p, None, &mut buffer);
            let mut heap = BinaryHeap::from(std::mem::take(&mut buffer));
            loop {
                let Some(top) = pop_pivot(&mut heap, p) else {
                    if !deaths.contains(&index) {
                        out.push(PersistencePair::new(birth, f64::INFINITY));
                    }
                    break;
                };
                match reduced.get(&top.key().index) {
                    Some(&(start, len, c)) => {
                        // Cancel the pivot: add -top/c times the other column. Its entries at
                        // the pivot sum to -top, cancelling the popped pivot, and below the
                        // pivot to zero (the heap holds nothing below it): leave them out.
                        let factor = (p - mul(top.coefficient(), inverse(c, p), p)) % p;
                        scratch.clear();
                        for &(s, a) in &store[start..start + len] {
                            let f = mul(a, factor, p);
                            v.push((s, f));
                            coboundary(&mut cof, rips, s, dim, f, p, Some(top.key()), &mut scratch);
                        }
                        heap.extend(scratch.drain(..));
                    }
                    None => {
                        if top.key().diameter > birth {
                            out.push(PersistencePair::new(birth, top.key().diameter));
                        }
                        next_deaths.insert(top.key().index);
                        let start = store.len();
                        compress_into(&mut v, p, &mut store);
                        reduced.insert(
                            top.key().index,
                            (start, store.len() - start, top.coefficient()),
                        );
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
    diagram
}

/// Appends the `V` column `v` to `out` with repeated simplices merged and zero coefficients
/// dropped (`v` is sorted in place).
fn compress_into(v: &mut [(u64, u32)], p: u32, out: &mut Vec<(u64, u32)>) {
    v.sort_unstable_by_key(|e| e.0);
    let start = out.len();
    for &(s, a) in v.iter() {
        if out.len() > start
            && let Some(last) = out.last_mut()
            && last.0 == s
        {
            last.1 = (last.1 + a) % p;
        } else {
            out.push((s, a));
        }
    }
    let mut keep = start;
    for i in start..out.len() {
        if out[i].1 != 0 {
            out[keep] = out[i];
            keep += 1;
        }
    }
    out.truncate(keep);
}

#[cfg(test)]
mod tests {
    use nnph_complex::distances::DistanceMatrix;
    use nnph_complex::rips::{RipsComplex, RipsOptions};

    use super::{CohomologyOptions, Entry, Packed, reduce_rips};

    /// The 16-byte heap entries give the same diagram as the 24-byte ones (which only very large
    /// complexes use) on small random dissimilarities with ties, over Z/2 and Z/3.
    #[test]
    fn packed_and_wide_entries_agree() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for n in [0usize, 1, 2, 5, 9, 13] {
            let lower: Vec<f64> = (0..n * n.saturating_sub(1) / 2)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 5 + 1) as f64
                })
                .collect();
            let d = DistanceMatrix::from_lower(n, lower).unwrap();
            let rips = RipsComplex::new(d, &RipsOptions::new(3, Some(4.0))).unwrap();
            for p in [2, 3] {
                let options = CohomologyOptions::new(true, p as u16);
                assert_eq!(
                    reduce_rips::<Packed>(&rips, &options, p),
                    reduce_rips::<Entry>(&rips, &options, p)
                );
            }
        }
    }
}
