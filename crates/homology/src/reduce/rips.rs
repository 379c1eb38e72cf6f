//! The implicit Vietoris–Rips engine: persistent cohomology over Z/p of a [`RipsComplex`] with
//! clearing, apparent and emergent pairs, and a deterministic parallel reduction.
//!
//! Nothing but the distances (dense, or neighbour lists), the columns left to reduce in one
//! dimension, the pivots found and the reduction matrix `V` of the columns that needed work is
//! stored: coboundaries are recomputed from the distances whenever they are needed (Bauer,
//! *Ripser: efficient computation of Vietoris–Rips persistence barcodes*, J. Appl. Comput. Topol.
//! 5 (2021), <https://doi.org/10.1007/s41468-021-00071-5>, arXiv:1908.02518).
//!
//! # The algorithm, dimension by dimension
//!
//! Simplices of one dimension are ordered by (diameter, combinatorial index); the pivot of a
//! cohomology column is its **oldest** (smallest) cofacet in that order.
//!
//! * **Dimension 0** is union-find (Kruskal) over the edges sorted by (diameter, index): each
//!   edge joining two components kills the younger one; the others are the candidate columns of
//!   dimension 1 (clearing: an edge that is a death in dimension 0 is no column).
//! * **Apparent pairs** (§3.5 of the paper): a `d`-simplex `σ` and a cofacet `τ` form an apparent
//!   pair if `τ` is the oldest cofacet of `σ` and `σ` the youngest facet of `τ`. Such a pair is a
//!   persistence pair of every reduction. We use those of zero persistence
//!   (`diam σ = diam τ`), which are cheap to recognise: the oldest cofacet of `σ` with its own
//!   diameter is the one with the smallest new vertex, and the youngest facet of `τ` with its
//!   diameter the one without the smallest removable vertex. When the columns of a dimension are
//!   assembled, a simplex that is the facet of an apparent pair is skipped (its column needs no
//!   work), and so is one that is the cofacet of an apparent pair one dimension lower (it is a
//!   death, cleared). Apparent pairs are never stored: when a working column meets a pivot `τ`
//!   that is not in the pivot map, `τ`'s apparent facet is looked for on the fly.
//! * **Emergent pairs**: if the oldest cofacet of a column with the column's own diameter is no
//!   pivot yet, the column is paired with it at once (its coboundary is never built).
//! * The other columns are reduced with a binary heap of (diameter, index, coefficient) entries
//!   and lazy cancellation; `V` is stored for the columns that needed additions.
//! * **Long columns.** A column whose heap has grown past
//!   [`RipsPersistenceOptions::runs_from`] entries while more than one in eight of the entries
//!   added to it have been popped again (they cancelled on the way to the pivot) is kept as a
//!   stack of sorted runs instead, merged like a log-structured merge tree: pivot searches then
//!   read memory sequentially instead of sifting a heap of millions of entries. On
//!   sphere_3_192 one column of dimension 2 needs 24,526 additions (4.3 M entries, 1.7 M
//!   popped): as runs it takes half the time. Columns whose entries mostly stay (dragon's: one
//!   in 150 popped) stay heaps, whose pushes are cheaper than sorting.
//!
//! # Parallelism and determinism
//!
//! With [`Par::Rayon`] on a pool of more than one thread, the enumeration of simplices, the
//! apparent-pair tests and the sorts run in parallel, and the columns are reduced in chunks of
//! [`CHUNK`] in filtration order. Every column of a chunk is first reduced in parallel against
//! the pivots known before the chunk (read only). Then rounds: the columns are recorded in
//! order as long as their pivot is still free (everything before them being recorded, this is
//! what the sequential reduction would record), and all the columns left are reduced further,
//! in parallel, against the pivots known now; each round records at least one column. Only
//! earlier columns are ever added to later ones. What each round does depends on the pivots
//! recorded so far, never on the number of threads, so neither does any result (and the pairs
//! are unique anyway). On one thread the columns are reduced one after another.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use nnph_complex::rips::{RipsComplex, SimplexScratch};
#[cfg(feature = "rayon")]
use rayon::prelude::*;

use crate::diagram::{Diagram, PersistencePair};
use crate::error::{Error, ErrorKind};
use crate::reduce::Par;

/// Options of [`rips_persistence`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RipsPersistenceOptions {
    /// The coefficient field Z/p: a prime `p < 2^16`. Default 2.
    pub modulus: u16,
    /// Skip the columns of simplices already paired as deaths one dimension lower (clearing).
    /// Default `true`. Never changes the result.
    pub clearing: bool,
    /// Skip the columns of zero-persistence apparent pairs. Default `true`. Never changes the
    /// result.
    pub apparent_pairs: bool,
    /// Pair a column with its oldest cofacet of equal diameter when that is no pivot yet,
    /// without building its coboundary. Default `true`. Never changes the result.
    pub emergent_pairs: bool,
    /// The heap size from which a working column whose entries mostly cancel is kept as sorted
    /// runs instead of a binary heap (see the module documentation). Default
    /// [`RUNS_FROM`]; `usize::MAX` keeps every column a heap. Never changes the result.
    pub runs_from: usize,
    /// Run on the calling thread or on rayon's current pool. Never changes the result.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub par: Par,
}

impl Default for RipsPersistenceOptions {
    fn default() -> Self {
        Self {
            modulus: 2,
            clearing: true,
            apparent_pairs: true,
            emergent_pairs: true,
            runs_from: RUNS_FROM,
            par: Par::default(),
        }
    }
}

impl RipsPersistenceOptions {
    /// The default options with coefficients in Z/`modulus`.
    pub fn new(modulus: u16) -> Self {
        Self { modulus, ..Self::default() }
    }

    /// These options with the given parallelism.
    pub fn with_par(mut self, par: Par) -> Self {
        self.par = par;
        self
    }
}

/// Columns reduced together by the parallel reduction (see the module documentation). Fixed, so
/// that the work done does not depend on the number of threads.
pub const CHUNK: usize = 1024;

/// Bytes per column to reduce (diameter and index), counted against the memory budget.
const COLUMN_BYTES: u128 = 16;

/// Bytes per pivot-map entry (24 bytes of key and value, a control byte, and the table's
/// slack), counted against the memory budget.
const PIVOT_BYTES: u128 = 40;

/// Bytes per stored `V` entry (index and coefficient), counted against the memory budget.
const V_BYTES: u128 = 16;

// ---------------------------------------------------------------------------------------------
// Keys, heap entries and coefficients.

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
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.diameter.total_cmp(&other.diameter).then(self.index.cmp(&other.index))
    }
}

/// A working-column entry as stored in the heap. `Ord` is reversed, so that `BinaryHeap` pops
/// the **smallest** key first.
trait HeapEntry: Copy + Ord + Send + Sync {
    fn new(key: Key, coefficient: u32) -> Self;
    fn key(&self) -> Key;
    fn coefficient(&self) -> u32;
    fn same_key(&self, other: &Self) -> bool;
    fn set_coefficient(&mut self, coefficient: u32);
}

/// An entry over Z/2: the coefficient is always 1 and not stored.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plain {
    diameter: f64,
    index: u64,
}

impl Eq for Plain {}

impl PartialOrd for Plain {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Plain {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.diameter.total_cmp(&self.diameter).then(other.index.cmp(&self.index))
    }
}

impl HeapEntry for Plain {
    #[inline]
    fn new(key: Key, _coefficient: u32) -> Self {
        Self { diameter: key.diameter, index: key.index }
    }
    #[inline]
    fn key(&self) -> Key {
        Key { diameter: self.diameter, index: self.index }
    }
    #[inline]
    fn coefficient(&self) -> u32 {
        1
    }
    #[inline]
    fn same_key(&self, other: &Self) -> bool {
        self.index == other.index
    }
    #[inline]
    fn set_coefficient(&mut self, _coefficient: u32) {}
}

/// Bits of [`Packed::packed`] holding the coefficient (`p < 2^16`).
const COEFFICIENT_BITS: u32 = 16;

/// An entry over Z/p in 16 bytes, for simplex indices below `2^48`: the index in the high bits
/// and the coefficient in the low bits of one word.
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
        self.packed >> COEFFICIENT_BITS == other.packed >> COEFFICIENT_BITS
    }
    #[inline]
    fn set_coefficient(&mut self, coefficient: u32) {
        self.packed = self.packed >> COEFFICIENT_BITS << COEFFICIENT_BITS | u64::from(coefficient);
    }
}

/// An entry over Z/p for any `u64` index (24 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wide {
    key: Key,
    coefficient: u32,
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Wide {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key).then(other.coefficient.cmp(&self.coefficient))
    }
}

impl HeapEntry for Wide {
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
        self.key.index == other.key.index
    }
    #[inline]
    fn set_coefficient(&mut self, coefficient: u32) {
        self.coefficient = coefficient;
    }
}

/// Arithmetic in Z/p.
trait Field: Send + Sync {
    fn add(&self, a: u32, b: u32) -> u32;
    fn neg(&self, a: u32) -> u32;
    fn mul(&self, a: u32, b: u32) -> u32;
    fn inv(&self, a: u32) -> u32;
    /// `(-1)^position`.
    #[inline]
    fn sign(&self, position: usize) -> u32 {
        if position.is_multiple_of(2) { 1 } else { self.neg(1) }
    }
}

/// Z/2.
struct Z2;

impl Field for Z2 {
    #[inline]
    fn add(&self, a: u32, b: u32) -> u32 {
        (a + b) & 1
    }
    #[inline]
    fn neg(&self, a: u32) -> u32 {
        a
    }
    #[inline]
    fn mul(&self, a: u32, b: u32) -> u32 {
        a & b
    }
    #[inline]
    fn inv(&self, a: u32) -> u32 {
        a
    }
}

/// Z/p for an odd prime `p < 2^16`, with a table of inverses.
struct Zp {
    p: u32,
    inverse: Vec<u32>,
}

impl Zp {
    fn new(p: u32) -> Self {
        let mut inverse = vec![0u32; p as usize];
        for a in 1..p {
            inverse[a as usize] = power(a, p - 2, p);
        }
        Self { p, inverse }
    }
}

fn power(a: u32, mut exp: u32, p: u32) -> u32 {
    let (mut base, mut acc) = (u64::from(a % p), 1u64);
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc * base % u64::from(p);
        }
        base = base * base % u64::from(p);
        exp >>= 1;
    }
    acc as u32
}

impl Field for Zp {
    #[inline]
    fn add(&self, a: u32, b: u32) -> u32 {
        let s = a + b;
        if s >= self.p { s - self.p } else { s }
    }
    #[inline]
    fn neg(&self, a: u32) -> u32 {
        if a == 0 { 0 } else { self.p - a }
    }
    #[inline]
    fn mul(&self, a: u32, b: u32) -> u32 {
        (u64::from(a) * u64::from(b) % u64::from(self.p)) as u32
    }
    #[inline]
    fn inv(&self, a: u32) -> u32 {
        self.inverse[a as usize]
    }
}

pub(crate) fn is_prime(p: u16) -> bool {
    p >= 2
        && (2..p)
            .take_while(|d| u32::from(*d) * u32::from(*d) <= u32::from(p))
            .all(|d| !p.is_multiple_of(d))
}

/// A multiplicative hasher for the `u64` simplex indices used as keys (FxHash-style). The keys
/// are not attacker-controlled in a way that matters (a slow table is the worst case), and
/// SipHash dominated the lookups.
#[derive(Clone, Copy, Default)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak; the table takes its bucket from them.
        self.0.rotate_left(26)
    }
}

type IndexMap<V> = HashMap<u64, V, BuildHasherDefault<IndexHasher>>;

/// What is known about the column whose reduced coboundary has a given pivot: its `V` (one
/// simplex, or `store[data..data + len]`) and the pivot's coefficient in it.
#[derive(Clone, Copy, Debug)]
struct Pivot {
    /// The simplex if `len == 0`, else the start of `V` in the store.
    data: u64,
    len: u32,
    coefficient: u32,
}

// ---------------------------------------------------------------------------------------------
// Distances: dense or neighbour lists.

/// Read access to the joined pairs of a Rips complex.
trait Metric: Sync {
    /// The distance between two distinct vertices of one simplex (so joined).
    fn dist(&self, i: u32, j: u32) -> f64;

    /// Calls `visit(w, e, position)` for every point `w < end` not in `vertices` whose distance
    /// to every vertex is `≤ limit`, by increasing `w`, with `e` the largest such distance and
    /// `position` the number of vertices below `w`, until `visit` returns `false`.
    fn for_each_coface_vertex(
        &self,
        vertices: &[u32],
        limit: f64,
        end: u32,
        cursors: &mut Vec<usize>,
        visit: impl FnMut(u32, f64, usize) -> bool,
    );
}

/// The dense strict lower triangle.
struct Dense<'a> {
    n: usize,
    lower: &'a [f64],
}

impl Dense<'_> {
    #[inline]
    fn row(w: usize) -> usize {
        w * w.saturating_sub(1) / 2
    }
}

impl Metric for Dense<'_> {
    #[inline]
    fn dist(&self, i: u32, j: u32) -> f64 {
        let (a, b) = if i > j { (i, j) } else { (j, i) };
        self.lower[Self::row(a as usize) + b as usize]
    }

    #[inline]
    fn for_each_coface_vertex(
        &self,
        v: &[u32],
        limit: f64,
        end: u32,
        _cursors: &mut Vec<usize>,
        mut visit: impl FnMut(u32, f64, usize) -> bool,
    ) {
        let k = v.len();
        let end = (end as usize).min(self.n);
        for pos in 0..=k {
            let lo = if pos == 0 { 0 } else { v[pos - 1] as usize + 1 };
            let hi = if pos == k { end } else { (v[pos] as usize).min(end) };
            'w: for w in lo..hi {
                let mut d: f64 = 0.0;
                let own = Self::row(w);
                for &u in &v[..pos] {
                    let e = self.lower[own + u as usize];
                    if e > limit {
                        continue 'w;
                    }
                    d = d.max(e);
                }
                for &u in &v[pos..] {
                    let e = self.lower[Self::row(u as usize) + w];
                    if e > limit {
                        continue 'w;
                    }
                    d = d.max(e);
                }
                if !visit(w as u32, d, pos) {
                    return;
                }
            }
            if hi >= end {
                return;
            }
        }
    }
}

/// The dense matrix stored full and row-major, for scans: the distances from a vertex to
/// consecutive candidates are contiguous, and candidates are tested in blocks that the compiler
/// vectorises. Twice the memory of the triangle, so only used up to [`FULL_LIMIT`] points.
struct Full {
    n: usize,
    full: Vec<f64>,
}

/// The largest number of points for which the dense metric is stored full (`n²` entries,
/// 256 MiB at this size).
const FULL_LIMIT: usize = 5792;

/// Candidates tested together by [`Full`].
const BLOCK: usize = 32;

impl Full {
    fn new(lower: &[f64], n: usize) -> Self {
        let mut full = vec![0.0; n * n];
        for i in 1..n {
            let row = &lower[i * (i - 1) / 2..i * (i - 1) / 2 + i];
            for (j, &d) in row.iter().enumerate() {
                full[i * n + j] = d;
                full[j * n + i] = d;
            }
        }
        Self { n, full }
    }

    #[inline]
    fn row(&self, v: u32) -> &[f64] {
        &self.full[v as usize * self.n..(v as usize + 1) * self.n]
    }
}

impl Metric for Full {
    #[inline]
    fn dist(&self, i: u32, j: u32) -> f64 {
        self.full[i as usize * self.n + j as usize]
    }

    #[inline]
    fn for_each_coface_vertex(
        &self,
        v: &[u32],
        limit: f64,
        end: u32,
        _cursors: &mut Vec<usize>,
        mut visit: impl FnMut(u32, f64, usize) -> bool,
    ) {
        let k = v.len();
        let end = (end as usize).min(self.n);
        let Some((&first, rest)) = v.split_first() else {
            return;
        };
        let first = self.row(first);
        let mut pos = 0;
        let mut block = [0f64; BLOCK];
        let mut start = 0;
        while start < end {
            let len = BLOCK.min(end - start);
            if len == BLOCK {
                // A constant-size copy, inlined (a variable one calls memmove).
                let head: &[f64; BLOCK] = first[start..start + BLOCK].try_into().expect("BLOCK");
                block = *head;
            } else {
                block[..len].copy_from_slice(&first[start..start + len]);
            }
            let block = &mut block[..len];
            for &u in rest {
                let row = &self.row(u)[start..start + len];
                for (m, &e) in block.iter_mut().zip(row) {
                    // Not f64::max: distances are never NaN, and this form vectorises.
                    *m = if e > *m { e } else { *m };
                }
            }
            for (t, &m) in block.iter().enumerate() {
                if m <= limit {
                    let w = (start + t) as u32;
                    while pos < k && v[pos] < w {
                        pos += 1;
                    }
                    if pos < k && v[pos] == w {
                        continue;
                    }
                    if !visit(w, m, pos) {
                        return;
                    }
                }
            }
            start += len;
        }
    }
}

/// Neighbour lists, with the dense matrix for O(1) lookups when there is one.
struct Sparse<'a> {
    lists: &'a nnph_complex::rips::Neighbours,
    dense: Option<Dense<'a>>,
}

impl Metric for Sparse<'_> {
    #[inline]
    fn dist(&self, i: u32, j: u32) -> f64 {
        match &self.dense {
            Some(d) => d.dist(i, j),
            None => self.lists.distance(i as usize, j as usize).unwrap_or(f64::INFINITY),
        }
    }

    #[inline]
    fn for_each_coface_vertex(
        &self,
        v: &[u32],
        limit: f64,
        end: u32,
        cursors: &mut Vec<usize>,
        mut visit: impl FnMut(u32, f64, usize) -> bool,
    ) {
        let k = v.len();
        // Drive by the shortest list; the others are walked with monotone cursors.
        let driver = (0..k).min_by_key(|&i| self.lists.of(v[i] as usize).0.len()).unwrap_or(0);
        cursors.clear();
        cursors.resize(k, 0);
        let (ws, ds) = self.lists.of(v[driver] as usize);
        let mut pos = 0;
        'w: for (&w, &dw) in ws.iter().zip(ds) {
            if w >= end {
                return;
            }
            if dw > limit {
                continue;
            }
            let mut d = dw;
            for i in 0..k {
                if i == driver {
                    continue;
                }
                let (list, dist) = self.lists.of(v[i] as usize);
                let c = &mut cursors[i];
                while *c < list.len() && list[*c] < w {
                    *c += 1;
                }
                if *c == list.len() {
                    return;
                }
                if list[*c] != w || dist[*c] > limit {
                    continue 'w;
                }
                d = d.max(dist[*c]);
            }
            while pos < k && v[pos] < w {
                pos += 1;
            }
            if !visit(w, d, pos) {
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The per-thread walker: decodes simplices and enumerates cofacets and facets.

/// What every thread shares.
struct Ctx<'a, M: Metric, F: Field> {
    rips: &'a RipsComplex,
    metric: M,
    field: F,
    /// `binomial[k][m] = C(m, k)`.
    binomial: Vec<&'a [u64]>,
    /// Distances `≤ bound` are joined (the threshold, or `f64::MAX` for an infinite one so that
    /// infinite distances stay unjoined); distances are never NaN.
    bound: f64,
    n: u32,
    options: &'a RipsPersistenceOptions,
}

/// Buffers of one thread.
struct Walker<'c, 'a, M: Metric, F: Field> {
    ctx: &'c Ctx<'a, M, F>,
    vertices: Vec<u32>,
    /// `low[pos]`: sum of `C(v_i, i + 1)` over `i < pos`; `high[pos]`: of `C(v_i, i + 2)` over
    /// `i ≥ pos` (the vertices after a new one move up a position).
    low: Vec<u64>,
    high: Vec<u64>,
    cursors: Vec<usize>,
    facet: Vec<u32>,
    masks: Vec<u128>,
}

impl<'c, 'a, M: Metric, F: Field> Walker<'c, 'a, M, F> {
    fn new(ctx: &'c Ctx<'a, M, F>) -> Self {
        Self {
            ctx,
            vertices: Vec::new(),
            low: Vec::new(),
            high: Vec::new(),
            cursors: Vec::new(),
            facet: Vec::new(),
            masks: Vec::new(),
        }
    }

    /// Decodes and loads the `dim`-simplex `index`; returns its diameter.
    fn load(&mut self, index: u64, dim: usize) -> f64 {
        self.ctx.rips.simplex_vertices_into(index, dim, &mut self.vertices);
        self.prepare()
    }

    fn prepare(&mut self) -> f64 {
        let v = &self.vertices;
        let metric = &self.ctx.metric;
        let mut diameter: f64 = 0.0;
        for (a, &x) in v.iter().enumerate() {
            for &y in &v[..a] {
                diameter = diameter.max(metric.dist(x, y));
            }
        }
        let k = v.len();
        let b = &self.ctx.binomial;
        self.low.clear();
        self.low.push(0);
        for (i, &x) in v.iter().enumerate() {
            let last = self.low[i];
            self.low.push(last + b[i + 1][x as usize]);
        }
        self.high.clear();
        self.high.resize(k + 1, 0);
        for i in (0..k).rev() {
            self.high[i] = self.high[i + 1] + b[i + 2][v[i] as usize];
        }
        diameter
    }

    /// Calls `visit(diameter, index, position)` for the cofacets of the loaded simplex (of
    /// diameter `diameter`) whose new vertex is below `end` and whose distances to it are all
    /// `≤ limit`, by increasing index, until `visit` returns `false`.
    #[inline]
    fn cofacets(
        &mut self,
        diameter: f64,
        limit: f64,
        end: u32,
        mut visit: impl FnMut(f64, u64, usize) -> bool,
    ) {
        let b = &self.ctx.binomial;
        let (low, high) = (&self.low, &self.high);
        self.ctx.metric.for_each_coface_vertex(
            &self.vertices,
            limit,
            end,
            &mut self.cursors,
            |w, e, pos| visit(diameter.max(e), low[pos] + high[pos] + b[pos + 1][w as usize], pos),
        );
    }

    /// The oldest cofacet of the loaded simplex with its diameter (its zero-persistence pivot
    /// candidate), as (index, position of the new vertex, new vertex).
    #[inline]
    fn zero_cofacet(&mut self, diameter: f64) -> Option<(u64, usize, u32)> {
        let mut found = None;
        let (b, low, high) = (&self.ctx.binomial, &self.low, &self.high);
        self.ctx.metric.for_each_coface_vertex(
            &self.vertices,
            diameter,
            self.ctx.n,
            &mut self.cursors,
            |w, _, pos| {
                found = Some((low[pos] + high[pos] + b[pos + 1][w as usize], pos, w));
                false
            },
        );
        found
    }

    /// The first new vertex (and its position) giving a cofacet of the loaded simplex with the
    /// same diameter `diameter`: the oldest cofacet, if it has zero persistence.
    #[inline]
    fn zero_cofacet_vertex(&mut self, diameter: f64) -> Option<(usize, u32)> {
        let mut found = None;
        self.ctx.metric.for_each_coface_vertex(
            &self.vertices,
            diameter,
            self.ctx.n,
            &mut self.cursors,
            |w, _, pos| {
                found = Some((pos, w));
                false
            },
        );
        found
    }

    /// Records in `self.masks` the pairs of `tau` (sorted vertices) at distance `diameter`, its
    /// diameter, as bitmasks of positions. Simplex indices fit 64 bits, so simplices have at most
    /// 67 vertices (`C(n, n / 2) < 2^64` needs `n ≤ 67`) and positions fit a `u128`.
    fn analyse(&mut self, tau: &[u32], diameter: f64) {
        let metric = &self.ctx.metric;
        self.masks.clear();
        for a in 1..tau.len() {
            for c in 0..a {
                if metric.dist(tau[a], tau[c]) == diameter {
                    self.masks.push(1 << a | 1 << c);
                }
            }
        }
    }

    /// After [`analyse`](Self::analyse) of a simplex with `k` vertices: the position of the
    /// first vertex whose removal keeps the diameter (some pair at the diameter avoids it). The
    /// youngest facet with the simplex's diameter leaves it out.
    #[inline]
    fn first_removable(&self, k: usize) -> Option<usize> {
        (0..k).find(|&i| self.masks.iter().any(|m| m & (1 << i) == 0))
    }

    /// After [`analyse`](Self::analyse) of the simplex `sigma` (diameter `diameter`): whether it
    /// is the facet of a zero-persistence apparent pair. Clobbers the loaded simplex.
    ///
    /// Its oldest cofacet `τ = σ ∪ {w}` (if of equal diameter) has `σ` as youngest facet iff no
    /// vertex before `w` can be removed from `τ` keeping the diameter: neither a pair of `σ` nor
    /// a pair `(w, v)` at the diameter avoids it.
    fn is_apparent_facet(&mut self, sigma: &[u32], diameter: f64) -> bool {
        self.vertices.clear();
        self.vertices.extend_from_slice(sigma);
        let Some((pos, w)) = self.zero_cofacet_vertex(diameter) else {
            return false;
        };
        let metric = &self.ctx.metric;
        let mut with_w: u128 = 0;
        for (j, &v) in sigma.iter().enumerate() {
            if metric.dist(w, v) == diameter {
                with_w |= 1 << j;
            }
        }
        (0..pos).all(|i| {
            let bit = 1u128 << i;
            with_w & !bit == 0 && self.masks.iter().all(|m| m & bit != 0)
        })
    }

    /// If the `dim`-simplex `index` (of diameter `diameter`) is the cofacet of a zero-persistence
    /// apparent pair, its facet and the coefficient of the simplex in the facet's coboundary.
    /// Clobbers the loaded simplex.
    fn apparent_facet(&mut self, index: u64, dim: usize, diameter: f64) -> Option<(u64, u32)> {
        if dim == 0 {
            return None;
        }
        let mut tau = std::mem::take(&mut self.facet);
        self.ctx.rips.simplex_vertices_into(index, dim, &mut tau);
        self.analyse(&tau, diameter);
        let found = self.apparent_facet_of(&tau, diameter);
        self.facet = tau;
        found
    }

    /// As [`apparent_facet`](Self::apparent_facet) for a simplex given by its vertices, after
    /// [`analyse`](Self::analyse). Clobbers the loaded simplex.
    fn apparent_facet_of(&mut self, tau: &[u32], diameter: f64) -> Option<(u64, u32)> {
        let i = self.first_removable(tau.len())?;
        // The facet without tau[i]; it is apparent with tau iff no new vertex below tau[i]
        // gives a cofacet of the same diameter.
        self.vertices.clear();
        self.vertices.extend(tau.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &v)| v));
        let mut earlier = false;
        self.ctx.metric.for_each_coface_vertex(
            &self.vertices,
            diameter,
            tau[i],
            &mut self.cursors,
            |_, _, _| {
                earlier = true;
                false
            },
        );
        if earlier {
            return None;
        }
        let b = &self.ctx.binomial;
        let facet = self.vertices.iter().enumerate().map(|(j, &v)| b[j + 1][v as usize]).sum();
        Some((facet, self.ctx.field.sign(i)))
    }
}

// ---------------------------------------------------------------------------------------------
// The reduction of one dimension.

/// A column being reduced.
struct Working<E> {
    index: u64,
    birth: f64,
    heap: BinaryHeap<E>,
    /// Once the heap outgrows [`RUNS_FROM`] while most of what was added to it cancels (see
    /// [`Working::add`]): the column as sorted runs instead (see [`Runs`]); the heap is then
    /// empty.
    runs: Runs<E>,
    /// Entries added to the heap, and entries taken out of it by pivot searches.
    pushed: usize,
    popped: usize,
    /// `V` so far, repeated simplices not merged.
    v: Vec<(u64, u32)>,
    /// The current pivot (popped from the heap), `None` once the column is zero.
    pivot: Option<E>,
}

/// The outcome of the first part of a column's reduction.
#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
enum Start<E> {
    /// The oldest cofacet with the column's diameter was no known pivot: (pivot, coefficient).
    Emergent(Key, u32),
    /// The column, reduced until its pivot is no known pivot (or zero).
    Working(Working<E>),
    /// (Parallel reduction.) The emergent pivot was taken within the chunk: the column's
    /// coboundary must be built.
    Full,
    /// (Parallel reduction.) Recorded.
    Done,
}

/// Pivots of one dimension and the `V` columns they refer to.
struct Pivots {
    map: IndexMap<Pivot>,
    store: Vec<(u64, u32)>,
}

impl<M: Metric, F: Field> Walker<'_, '_, M, F> {
    /// Finds who owns pivot `key` (a `dim + 1`-simplex): a column in `pivots`, or an apparent
    /// facet. Clobbers the loaded simplex.
    #[inline]
    fn owner(&mut self, pivots: &Pivots, key: Key, dim: usize) -> Option<Pivot> {
        if let Some(&p) = pivots.map.get(&key.index) {
            return Some(p);
        }
        if self.ctx.options.apparent_pairs {
            let (facet, coefficient) = self.apparent_facet(key.index, dim + 1, key.diameter)?;
            return Some(Pivot { data: facet, len: 0, coefficient });
        }
        None
    }

    /// Appends `factor · δ(simplex)` above `floor` to `out`.
    fn coboundary<E: HeapEntry>(
        &mut self,
        simplex: u64,
        dim: usize,
        factor: u32,
        floor: Option<Key>,
        out: &mut Vec<E>,
    ) {
        let diameter = self.load(simplex, dim);
        let field = &self.ctx.field;
        let negated = field.neg(factor);
        let bound = self.ctx.bound;
        let n = self.ctx.n;
        self.cofacets(diameter, bound, n, |d, index, pos| {
            let key = Key { diameter: d, index };
            if floor.is_none_or(|f| key > f) {
                out.push(E::new(key, if pos.is_multiple_of(2) { factor } else { negated }));
            }
            true
        });
    }

    /// Starts the column of the `dim`-simplex `index` (diameter `birth`): the emergent-pair test,
    /// then the coboundary in a heap reduced against `pivots`.
    fn start<E: HeapEntry>(
        &mut self,
        index: u64,
        birth: f64,
        dim: usize,
        pivots: &Pivots,
        buffer: &mut Vec<E>,
    ) -> Start<E> {
        if self.ctx.options.emergent_pairs {
            self.load(index, dim);
            if let Some((tau, pos, _)) = self.zero_cofacet(birth) {
                let key = Key { diameter: birth, index: tau };
                if self.owner(pivots, key, dim).is_none() {
                    return Start::Emergent(key, self.ctx.field.sign(pos));
                }
            }
        }
        let mut column = self.full_column(index, birth, dim, buffer);
        self.reduce(&mut column, dim, pivots);
        Start::Working(column)
    }

    /// The unreduced column of `index` as a heap, its pivot popped.
    fn full_column<E: HeapEntry>(
        &mut self,
        index: u64,
        birth: f64,
        dim: usize,
        buffer: &mut Vec<E>,
    ) -> Working<E> {
        buffer.clear();
        self.coboundary(index, dim, 1, None, buffer);
        let mut heap = BinaryHeap::from(std::mem::take(buffer));
        let pivot = pop_pivot(&mut heap, &self.ctx.field);
        let pushed = heap.len() + 1;
        Working {
            index,
            birth,
            heap,
            runs: Runs::default(),
            pushed,
            popped: 1,
            v: vec![(index, 1)],
            pivot,
        }
    }

    /// Adds known columns to `column` until its pivot is no known pivot, or it is zero.
    fn reduce<E: HeapEntry>(&mut self, column: &mut Working<E>, dim: usize, pivots: &Pivots) {
        let mut scratch: Vec<E> = Vec::new();
        while let Some(top) = column.pivot {
            let Some(owner) = self.owner(pivots, top.key(), dim) else {
                return;
            };
            // Cancel the pivot: add -top/c times the owner's column. Its entries at the pivot sum
            // to -top, and below the pivot to zero (the heap holds nothing below it): leave
            // them out.
            let field = &self.ctx.field;
            let factor = field.neg(field.mul(top.coefficient(), field.inv(owner.coefficient)));
            scratch.clear();
            if owner.len == 0 {
                column.v.push((owner.data, factor));
                self.coboundary(owner.data, dim, factor, Some(top.key()), &mut scratch);
            } else {
                let start = owner.data as usize;
                for &(s, a) in &pivots.store[start..start + owner.len as usize] {
                    let f = self.ctx.field.mul(a, factor);
                    column.v.push((s, f));
                    self.coboundary(s, dim, f, Some(top.key()), &mut scratch);
                }
            }
            column.add(&mut scratch, field, self.ctx.options.runs_from);
            column.pivot = column.pop_pivot(field);
        }
    }
}

/// The default of [`RipsPersistenceOptions::runs_from`]: 32,768 entries (768 KB over Z/2), past
/// the sizes where a heap's pops stay in cache.
pub const RUNS_FROM: usize = 1 << 15;

/// A column moves to sorted runs when more than 1 in `RUNS_POPPED` of the entries added to its
/// heap have been popped: pivot searches that wade through cancelling entries are where the
/// heap's `O(log n)` scattered pops lose to sequential runs, while a column whose entries mostly
/// stay (dragon's long columns: 1 in 150 popped) is cheaper as a heap (`O(1)` pushes).
const RUNS_POPPED: usize = 8;

impl<E: HeapEntry> Working<E> {
    /// Adds the entries of `batch` (emptied) to the column.
    #[inline]
    fn add<F: Field>(&mut self, batch: &mut Vec<E>, field: &F, runs_from: usize) {
        if self.runs.runs.is_empty() {
            if self.heap.len() + batch.len() <= runs_from
                || self.popped * RUNS_POPPED <= self.pushed
            {
                self.pushed += batch.len();
                self.heap.extend(batch.drain(..));
                return;
            }
            let mut all = std::mem::take(&mut self.heap).into_vec();
            all.append(batch);
            self.runs.push(all, field);
        } else {
            self.runs.push(std::mem::take(batch), field);
        }
    }

    /// Pops the smallest simplex with a non-zero total coefficient.
    #[inline]
    fn pop_pivot<F: Field>(&mut self, field: &F) -> Option<E> {
        if self.runs.runs.is_empty() {
            let before = self.heap.len();
            let pivot = pop_pivot(&mut self.heap, field);
            self.popped += before - self.heap.len();
            pivot
        } else {
            self.runs.pop_pivot(field)
        }
    }
}

/// A long working column as a stack of runs sorted by increasing key (each with the position of
/// its first unread entry), of sizes at least doubling downwards, like a log-structured merge:
/// a batch is sorted into a new run, merged (equal keys combined, zeros dropped) with the runs
/// above no more than twice its size. The smallest key is found among the few run fronts, so
/// the entries that are never popped (most of a long column's) cost no heap operations and
/// memory is read sequentially.
struct Runs<E> {
    runs: Vec<(Vec<E>, usize)>,
}

impl<E> Default for Runs<E> {
    fn default() -> Self {
        Self { runs: Vec::new() }
    }
}

impl<E: HeapEntry> Runs<E> {
    fn push<F: Field>(&mut self, mut batch: Vec<E>, field: &F) {
        // `Ord` is reversed: increasing keys are decreasing entries.
        batch.sort_unstable_by(|a, b| b.cmp(a));
        let mut run = Vec::with_capacity(batch.len());
        merge_into(&batch, &[], field, &mut run);
        while let Some((last, pos)) = self.runs.last() {
            let rest = &last[*pos..];
            if rest.len() > 2 * run.len() {
                break;
            }
            let mut merged = Vec::with_capacity(rest.len() + run.len());
            merge_into(rest, &run, field, &mut merged);
            self.runs.pop();
            run = merged;
        }
        if !run.is_empty() {
            self.runs.push((run, 0));
        }
    }

    fn pop_pivot<F: Field>(&mut self, field: &F) -> Option<E> {
        loop {
            let mut best: Option<E> = None;
            for (run, pos) in &self.runs {
                if let Some(&e) = run.get(*pos)
                    && best.is_none_or(|b| e > b)
                {
                    best = Some(e);
                }
            }
            let mut top = best?;
            let mut coefficient = 0;
            for (run, pos) in &mut self.runs {
                while let Some(e) = run.get(*pos)
                    && e.same_key(&top)
                {
                    coefficient = field.add(coefficient, e.coefficient());
                    *pos += 1;
                }
            }
            self.runs.retain(|(run, pos)| *pos < run.len());
            if coefficient != 0 {
                top.set_coefficient(coefficient);
                return Some(top);
            }
        }
    }
}

/// Merges `a` and `b` (each sorted by increasing key) into `out`, equal keys combined and zero
/// coefficients dropped.
fn merge_into<E: HeapEntry, F: Field>(a: &[E], b: &[E], field: &F, out: &mut Vec<E>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let e = if j == b.len() || (i < a.len() && a[i] >= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if let Some(last) = out.last_mut()
            && last.same_key(&e)
        {
            let c = field.add(last.coefficient(), e.coefficient());
            if c == 0 {
                out.pop();
            } else {
                last.set_coefficient(c);
            }
        } else {
            out.push(e);
        }
    }
}

/// Pops the smallest simplex with a non-zero total coefficient (all its entries leave the heap).
#[inline]
fn pop_pivot<E: HeapEntry, F: Field>(heap: &mut BinaryHeap<E>, field: &F) -> Option<E> {
    while let Some(mut top) = heap.pop() {
        let mut coefficient = top.coefficient();
        while let Some(next) = heap.peek() {
            if !next.same_key(&top) {
                break;
            }
            coefficient = field.add(coefficient, next.coefficient());
            heap.pop();
        }
        if coefficient != 0 {
            top.set_coefficient(coefficient);
            return Some(top);
        }
    }
    None
}

/// Appends the `V` column `v` to `out` with repeated simplices merged and zero coefficients
/// dropped (`v` is sorted in place).
fn compress_into<F: Field>(v: &mut [(u64, u32)], field: &F, out: &mut Vec<(u64, u32)>) {
    v.sort_unstable_by_key(|e| e.0);
    let start = out.len();
    for &(s, a) in v.iter() {
        if out.len() > start
            && let Some(last) = out.last_mut()
            && last.0 == s
        {
            last.1 = field.add(last.1, a);
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

// ---------------------------------------------------------------------------------------------
// The driver.

/// Vietoris–Rips persistent cohomology over Z/p with implicit coboundaries, clearing, apparent
/// and emergent pairs, in parallel when asked (see the [module documentation](self)).
///
/// # Arguments
///
/// * `rips`: the complex; its `max_dim` is the largest homology dimension computed, its memory
///   budget is checked against [`RipsComplex::estimate`] before anything is enumerated.
/// * `options`: coefficients, the shortcuts (for ablations; they never change the result) and
///   parallelism.
///
/// # Returns
///
/// The diagram with dimensions `0..=max_dim`, pairs of positive persistence and essential
/// classes, sorted ([`Diagram::sort`]). Identical for every thread count.
///
/// # Complexity
///
/// Exponential in the dimension in the worst case, like every Rips engine. Memory: the
/// distances, the edges (16 bytes each), the columns left after clearing and apparent pairs
/// of one dimension (16 bytes each), the pivot map and `V` of the non-trivial columns.
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`] if `options.modulus` is not a prime;
/// [`ErrorKind::Complex`] with an `OverBudget` error if the estimate exceeds the complex's memory
/// budget.
///
/// # Examples
///
/// ```
/// use nnph_complex::distances::DistanceMatrix;
/// use nnph_complex::rips::{RipsComplex, RipsOptions};
/// use nnph_homology::reduce::rips::{RipsPersistenceOptions, rips_persistence};
///
/// // Four points on a square (sides 1, diagonals 2): a loop from 1 to 2.
/// let d = DistanceMatrix::from_lower(4, vec![1.0, 2.0, 1.0, 1.0, 2.0, 1.0])?;
/// let rips = RipsComplex::new(d, &RipsOptions::new(1, None))?;
/// let diagram = rips_persistence(&rips, &RipsPersistenceOptions::new(3))?;
/// assert_eq!(diagram.dim(1).len(), 1);
/// assert_eq!((diagram.dim(1)[0].birth, diagram.dim(1)[0].death), (1.0, 2.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rips_persistence(
    rips: &RipsComplex,
    options: &RipsPersistenceOptions,
) -> Result<Diagram, Error> {
    if !is_prime(options.modulus) {
        return Err(Error::new(ErrorKind::InvalidOption {
            message: format!("coefficient modulus {} is not a prime", options.modulus),
        }));
    }
    let budget = rips.memory_budget();
    let mut estimate = rips.estimate();
    budget.check(&estimate).map_err(|e| Error::new(ErrorKind::Complex(e)))?;
    let n = rips.num_points();
    // The full matrix is only a speed-up: skipped when it would not fit the budget.
    let full_bytes = (n * n * 8) as u128;
    let full = rips.neighbours().is_none()
        && n <= FULL_LIMIT
        && budget.allows(estimate.bytes + full_bytes);
    if full {
        estimate.bytes += full_bytes;
    }
    let budget = Budget { limit: budget.limit(), estimate };
    let threshold = rips.threshold();
    let bound = if threshold == f64::INFINITY { f64::MAX } else { threshold };
    let binomial: Vec<&[u64]> = (0..=rips.max_dim() + 2).map(|k| rips.binomial_row(k)).collect();
    let p = u32::from(options.modulus);
    // Every simplex index of dimension `k - 1 ≤ max_dim + 1` is below C(n, k).
    let largest = (1..=rips.max_dim() + 2).map(|k| rips.binomial(n, k)).max().unwrap_or(0);
    macro_rules! run {
        ($metric:expr) => {{
            if p == 2 {
                let ctx =
                    Ctx { rips, metric: $metric, field: Z2, binomial, bound, n: n as u32, options };
                Engine::<_, _, Plain>::new(&ctx, &budget).run()
            } else if largest <= 1 << (64 - COEFFICIENT_BITS) {
                let ctx = Ctx {
                    rips,
                    metric: $metric,
                    field: Zp::new(p),
                    binomial,
                    bound,
                    n: n as u32,
                    options,
                };
                Engine::<_, _, Packed>::new(&ctx, &budget).run()
            } else {
                let ctx = Ctx {
                    rips,
                    metric: $metric,
                    field: Zp::new(p),
                    binomial,
                    bound,
                    n: n as u32,
                    options,
                };
                Engine::<_, _, Wide>::new(&ctx, &budget).run()
            }
        }};
    }
    let dense = rips.distances().map(|d| Dense { n, lower: d.lower() });
    match (rips.neighbours(), dense) {
        (Some(lists), dense) => run!(Sparse { lists, dense }),
        (None, Some(dense)) if full => run!(Full::new(dense.lower, n)),
        (None, Some(dense)) => run!(dense),
        (None, None) => unreachable!("a Rips complex has dense or sparse distances"),
    }
}

/// The memory budget as the engine enforces it while storing columns and pivots.
struct Budget {
    limit: Option<u64>,
    /// The certain part (checked before starting), whose `bytes` the running count starts from.
    estimate: nnph_complex::budget::Estimate,
}

impl Budget {
    /// `Ok` if `extra` bytes on top of the certain part fit; else the over-budget error naming
    /// what was being stored.
    fn check(&self, extra: u128, what: impl FnOnce() -> String) -> Result<(), Error> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let bytes = self.estimate.bytes.saturating_add(extra);
        if bytes <= u128::from(limit) {
            return Ok(());
        }
        let mut estimate = self.estimate.clone();
        estimate.what = format!("{} ({})", estimate.what, what());
        estimate.bytes = bytes;
        let kind = nnph_complex::ErrorKind::OverBudget { estimate, budget: limit };
        Err(Error::new(ErrorKind::Complex(nnph_complex::Error::new(kind))))
    }

    /// How many more bytes fit on top of the certain part and `used`.
    fn room(&self, used: u128) -> u128 {
        self.limit.map_or(u128::MAX, |l| {
            u128::from(l).saturating_sub(self.estimate.bytes).saturating_sub(used)
        })
    }
}

impl Pivots {
    fn bytes(&self) -> u128 {
        self.map.len() as u128 * PIVOT_BYTES + self.store.len() as u128 * V_BYTES
    }
}

/// One run of the engine.
#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
struct Engine<'c, 'a, M: Metric, F: Field, E: HeapEntry> {
    ctx: &'c Ctx<'a, M, F>,
    budget: &'c Budget,
    threads: usize,
    _entry: std::marker::PhantomData<E>,
}

impl<'c, 'a, M: Metric, F: Field, E: HeapEntry> Engine<'c, 'a, M, F, E> {
    fn new(ctx: &'c Ctx<'a, M, F>, budget: &'c Budget) -> Self {
        let threads = match ctx.options.par {
            Par::Seq => 1,
            #[cfg(feature = "rayon")]
            Par::Rayon => rayon::current_num_threads(),
        };
        Self { ctx, budget, threads, _entry: std::marker::PhantomData }
    }

    #[cfg_attr(not(feature = "rayon"), allow(dead_code))]
    fn parallel(&self) -> bool {
        self.threads > 1
    }

    fn run(&self) -> Result<Diagram, Error> {
        let rips = self.ctx.rips;
        let max_dim = rips.max_dim();
        let mut dims: Vec<Vec<PersistencePair>> = vec![Vec::new(); max_dim + 1];
        let (columns, tree_edges) = self.dimension_0(&mut dims[0]);
        let mut columns = columns;
        // Without clearing, deaths of the dimension below must be told apart from essential
        // classes: the tree edges, then the pivots of each dimension.
        let mut previous = Pivots { map: IndexMap::default(), store: Vec::new() };
        if !self.ctx.options.clearing {
            previous.map.extend(
                tree_edges.into_iter().map(|e| (e, Pivot { data: 0, len: 0, coefficient: 1 })),
            );
        }
        for (dim, out) in dims.iter_mut().enumerate().skip(1) {
            if dim > 1 {
                columns = self.assemble(dim, &previous)?;
            }
            let pivots = self.reduce_dimension(dim, &columns, &previous, out)?;
            previous = pivots;
            columns = Vec::new();
        }
        let mut diagram = Diagram::from_dims(dims);
        diagram.sort();
        Ok(diagram)
    }

    /// H0 by union-find; returns the candidate columns of dimension 1 (edges that are no
    /// deaths, apparent facets removed) in decreasing order, and the tree edges when they are
    /// needed (no clearing).
    fn dimension_0(&self, out: &mut Vec<PersistencePair>) -> (Vec<(f64, u64)>, Vec<u64>) {
        let rips = self.ctx.rips;
        let n = rips.num_points();
        let mut edges = self.edges();
        self.sort(&mut edges, false);
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let find = |parent: &mut Vec<u32>, mut x: u32| {
            while parent[x as usize] != x {
                let next = parent[parent[x as usize] as usize];
                parent[x as usize] = next;
                x = next;
            }
            x
        };
        let mut components = n;
        let mut tree = Vec::new();
        let keep_tree = !self.ctx.options.clearing;
        let mut rest: Vec<(f64, u64)> =
            Vec::with_capacity(if rips.max_dim() >= 1 { edges.len() } else { 0 });
        let row = rips.binomial_row(2);
        for &(d, index) in &edges {
            // Edge index = C(b, 2) + a with a < b.
            let b = row[..n].partition_point(|&c| c <= index) - 1;
            let a = (index - row[b]) as u32;
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b as u32));
            if ra != rb {
                // The younger component (larger root index, as all vertices are born at 0 in
                // index order) dies.
                let (old, young) = if ra < rb { (ra, rb) } else { (rb, ra) };
                parent[young as usize] = old;
                components -= 1;
                if d > 0.0 {
                    out.push(PersistencePair::new(0.0, d));
                }
                if keep_tree {
                    tree.push(index);
                    rest.push((d, index));
                }
            } else if rips.max_dim() >= 1 {
                rest.push((d, index));
            }
        }
        drop(edges);
        out.extend((0..components).map(|_| PersistencePair::new(0.0, f64::INFINITY)));
        if rips.max_dim() == 0 {
            return (Vec::new(), tree);
        }
        rest.reverse();
        let columns = if self.ctx.options.apparent_pairs {
            let row = rips.binomial_row(2);
            self.filter(rest, |walker, &(d, index)| {
                let b = row[..n].partition_point(|&c| c <= index) - 1;
                let edge = [(index - row[b]) as u32, b as u32];
                walker.analyse(&edge, d);
                !walker.is_apparent_facet(&edge, d)
            })
        } else {
            rest
        };
        (columns, tree)
    }

    /// Every edge as (diameter, index).
    fn edges(&self) -> Vec<(f64, u64)> {
        let rips = self.ctx.rips;
        let n = rips.num_points();
        let bound = self.ctx.bound;
        let row = |b: usize| -> Vec<(f64, u64)> {
            let base = (b * b.saturating_sub(1) / 2) as u64;
            match (rips.neighbours(), rips.distances()) {
                (Some(lists), _) => {
                    let (ws, ds) = lists.of(b);
                    let end = ws.partition_point(|&w| (w as usize) < b);
                    ws[..end]
                        .iter()
                        .zip(&ds[..end])
                        .map(|(&a, &d)| (d, base + u64::from(a)))
                        .collect()
                }
                (None, Some(dist)) => dist.lower()[base as usize..base as usize + b]
                    .iter()
                    .enumerate()
                    .filter(|e| *e.1 <= bound)
                    .map(|(a, &d)| (d, base + a as u64))
                    .collect(),
                (None, None) => Vec::new(),
            }
        };
        #[cfg(feature = "rayon")]
        if self.parallel() {
            return (0..n).into_par_iter().flat_map_iter(row).collect();
        }
        (0..n).flat_map(row).collect()
    }

    /// Sorts by (diameter, index), decreasing if `decreasing`.
    fn sort(&self, items: &mut [(f64, u64)], decreasing: bool) {
        let cmp = |a: &(f64, u64), b: &(f64, u64)| {
            let o = a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            if decreasing { o.reverse() } else { o }
        };
        #[cfg(feature = "rayon")]
        if self.parallel() {
            items.par_sort_unstable_by(cmp);
            return;
        }
        items.sort_unstable_by(cmp);
    }

    /// Keeps the items for which `keep` holds, in order (in parallel when asked).
    fn filter(
        &self,
        items: Vec<(f64, u64)>,
        keep: impl Fn(&mut Walker<'_, '_, M, F>, &(f64, u64)) -> bool + Sync,
    ) -> Vec<(f64, u64)> {
        #[cfg(feature = "rayon")]
        if self.parallel() {
            return items
                .into_par_iter()
                .with_min_len(256)
                .map_init(|| Walker::new(self.ctx), |w, item| keep(w, &item).then_some(item))
                .flatten()
                .collect();
        }
        let mut walker = Walker::new(self.ctx);
        items.into_iter().filter(|item| keep(&mut walker, item)).collect()
    }

    /// The columns of dimension `dim ≥ 2` in decreasing order: the `dim`-simplices that are no
    /// deaths one dimension lower (clearing: pivots in `previous`, or apparent cofacets) and no
    /// apparent facets.
    ///
    /// # Errors
    ///
    /// Over the memory budget, as soon as the columns kept exceed it.
    fn assemble(&self, dim: usize, previous: &Pivots) -> Result<Vec<(f64, u64)>, Error> {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
        let rips = self.ctx.rips;
        let options = self.ctx.options;
        // Columns that fit next to the pivots of the dimension below (twice: the sort may copy).
        let room = self.budget.room(previous.bytes()) / (2 * COLUMN_BYTES);
        let room = usize::try_from(room).unwrap_or(usize::MAX);
        let (kept, over) = (AtomicUsize::new(0), AtomicBool::new(false));
        let from = |walker: &mut Walker<'_, '_, M, F>, scratch: &mut SimplexScratch, v: u32| {
            let mut out = Vec::new();
            if over.load(Relaxed) {
                return out;
            }
            rips.for_each_simplex_from(v, dim, scratch, |vertices, diameter, index| {
                if options.clearing && previous.map.contains_key(&index) {
                    return;
                }
                if options.apparent_pairs {
                    walker.analyse(vertices, diameter);
                    if options.clearing && walker.apparent_facet_of(vertices, diameter).is_some() {
                        return;
                    }
                    if walker.is_apparent_facet(vertices, diameter) {
                        return;
                    }
                }
                if kept.fetch_add(1, Relaxed) >= room {
                    over.store(true, Relaxed);
                    return;
                }
                out.push((diameter, index));
            });
            out
        };
        let n = rips.num_points() as u32;
        #[cfg(feature = "rayon")]
        let mut columns: Vec<(f64, u64)> = if self.parallel() {
            (0..n)
                .into_par_iter()
                .map_init(
                    || (Walker::new(self.ctx), SimplexScratch::default()),
                    |(walker, scratch), v| from(walker, scratch, v),
                )
                .flatten_iter()
                .collect()
        } else {
            let (mut walker, mut scratch) = (Walker::new(self.ctx), SimplexScratch::default());
            (0..n).flat_map(|v| from(&mut walker, &mut scratch, v)).collect()
        };
        #[cfg(not(feature = "rayon"))]
        let mut columns: Vec<(f64, u64)> = {
            let (mut walker, mut scratch) = (Walker::new(self.ctx), SimplexScratch::default());
            (0..n).flat_map(|v| from(&mut walker, &mut scratch, v)).collect()
        };
        if over.load(Relaxed) {
            let extra = previous.bytes() + 2 * COLUMN_BYTES * kept.load(Relaxed) as u128;
            self.budget.check(extra, || {
                format!("more than {room} columns of dimension {dim} after apparent pairs")
            })?;
        }
        self.sort(&mut columns, true);
        Ok(columns)
    }

    /// Reduces the columns of dimension `dim` (decreasing order); pushes the pairs of positive
    /// persistence and the essential classes to `out`; returns the pivots.
    fn reduce_dimension(
        &self,
        dim: usize,
        columns: &[(f64, u64)],
        previous: &Pivots,
        out: &mut Vec<PersistencePair>,
    ) -> Result<Pivots, Error> {
        let mut pivots = Pivots { map: IndexMap::default(), store: Vec::new() };
        let held = previous.bytes() + columns.len() as u128 * COLUMN_BYTES;
        let check = |pivots: &Pivots| {
            self.budget.check(held + pivots.bytes(), || {
                format!("{} pivots of dimension {dim} and their V", pivots.map.len())
            })
        };
        let mut walker = Walker::new(self.ctx);
        let mut buffer: Vec<E> = Vec::new();
        let clearing = self.ctx.options.clearing;
        // Without clearing, a zero column may be a death of the dimension below.
        let mut is_death = |walker: &mut Walker<'_, '_, M, F>, index: u64, birth: f64| {
            !clearing
                && (previous.map.contains_key(&index)
                    || (self.ctx.options.apparent_pairs
                        && walker.apparent_facet(index, dim, birth).is_some()))
        };
        #[cfg(feature = "rayon")]
        if self.parallel() {
            for chunk in columns.chunks(CHUNK) {
                check(&pivots)?;
                let mut states: Vec<Start<E>> = chunk
                    .par_iter()
                    .map_init(
                        || (Walker::new(self.ctx), Vec::new()),
                        |(w, buffer), &(birth, index)| w.start(index, birth, dim, &pivots, buffer),
                    )
                    .collect();
                // Rounds: record the columns, in order, whose pivot is still free (all columns
                // before them are recorded, so this is the sequential reduction's outcome);
                // then reduce every other column of the chunk in parallel against the pivots
                // known now (read only). Each round records at least one column.
                let mut done = 0;
                while done < chunk.len() {
                    while done < chunk.len() {
                        let index = chunk[done].1;
                        match std::mem::replace(&mut states[done], Start::Done) {
                            // The apparent pairs were checked when the pivot was found; only
                            // pivots recorded since are new.
                            Start::Emergent(key, coefficient) => {
                                if let std::collections::hash_map::Entry::Vacant(slot) =
                                    pivots.map.entry(key.index)
                                {
                                    slot.insert(Pivot { data: index, len: 0, coefficient });
                                } else {
                                    states[done] = Start::Full;
                                    break;
                                }
                            }
                            Start::Working(column) => {
                                let taken = column
                                    .pivot
                                    .is_some_and(|top| pivots.map.contains_key(&top.key().index));
                                if taken {
                                    states[done] = Start::Working(column);
                                    break;
                                }
                                self.finish(&mut walker, column, &mut pivots, out, &mut is_death);
                            }
                            Start::Full => {
                                states[done] = Start::Full;
                                break;
                            }
                            Start::Done => {}
                        }
                        done += 1;
                    }
                    if done == chunk.len() {
                        break;
                    }
                    let pivots = &pivots;
                    states[done..].par_iter_mut().zip(&chunk[done..]).for_each_init(
                        || (Walker::new(self.ctx), Vec::new()),
                        |(w, buffer), (state, &(birth, index))| {
                            let full = match state {
                                Start::Full => true,
                                Start::Emergent(key, _) => pivots.map.contains_key(&key.index),
                                Start::Working(column) => {
                                    if column.pivot.is_some_and(|top| {
                                        pivots.map.contains_key(&top.key().index)
                                    }) {
                                        w.reduce(column, dim, pivots);
                                    }
                                    false
                                }
                                Start::Done => false,
                            };
                            if full {
                                let mut column = w.full_column(index, birth, dim, buffer);
                                w.reduce(&mut column, dim, pivots);
                                *state = Start::Working(column);
                            }
                        },
                    );
                }
            }
            check(&pivots)?;
            return Ok(pivots);
        }
        for (k, &(birth, index)) in columns.iter().enumerate() {
            if k % CHUNK == 0 {
                check(&pivots)?;
            }
            match walker.start(index, birth, dim, &pivots, &mut buffer) {
                Start::Emergent(key, coefficient) => {
                    pivots.map.insert(key.index, Pivot { data: index, len: 0, coefficient });
                }
                Start::Working(column) => {
                    self.finish(&mut walker, column, &mut pivots, out, &mut is_death);
                }
                Start::Full | Start::Done => unreachable!("only the parallel reduction uses them"),
            }
        }
        check(&pivots)?;
        Ok(pivots)
    }

    /// Records a reduced column: its pair and pivot, or an essential class.
    fn finish(
        &self,
        walker: &mut Walker<'_, '_, M, F>,
        mut column: Working<E>,
        pivots: &mut Pivots,
        out: &mut Vec<PersistencePair>,
        is_death: &mut impl FnMut(&mut Walker<'_, '_, M, F>, u64, f64) -> bool,
    ) {
        match column.pivot {
            None => {
                if !is_death(walker, column.index, column.birth) {
                    out.push(PersistencePair::new(column.birth, f64::INFINITY));
                }
            }
            Some(top) => {
                let key = top.key();
                if key.diameter > column.birth {
                    out.push(PersistencePair::new(column.birth, key.diameter));
                }
                let pivot = if column.v.len() == 1 {
                    Pivot { data: column.index, len: 0, coefficient: top.coefficient() }
                } else {
                    let start = pivots.store.len();
                    compress_into(&mut column.v, &self.ctx.field, &mut pivots.store);
                    let len = pivots.store.len() - start;
                    Pivot { data: start as u64, len: len as u32, coefficient: top.coefficient() }
                };
                pivots.map.insert(key.index, pivot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use nnph_complex::distances::DistanceMatrix;
    use nnph_complex::rips::{RipsComplex, RipsOptions};

    use super::*;

    fn run<E: HeapEntry>(rips: &RipsComplex, p: u32) -> Diagram {
        let options = RipsPersistenceOptions::new(p as u16).with_par(Par::Seq);
        let lower = rips.distances().unwrap().lower();
        let ctx = Ctx {
            rips,
            metric: Dense { n: rips.num_points(), lower },
            field: Zp::new(p),
            binomial: (0..=rips.max_dim() + 2).map(|k| rips.binomial_row(k)).collect(),
            bound: rips.threshold(),
            n: rips.num_points() as u32,
            options: &options,
        };
        let budget = Budget { limit: None, estimate: rips.estimate() };
        Engine::<_, _, E>::new(&ctx, &budget).run().unwrap()
    }

    /// The 16-byte heap entries give the same diagram as the 24-byte ones (which only very large
    /// complexes use) on small random dissimilarities with ties, over Z/3 and Z/5.
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
            let options = RipsOptions::new(3, Some(4.0)).with_neighbour_lists(Some(false));
            let rips = RipsComplex::new(d, &options).unwrap();
            for p in [3, 5] {
                assert_eq!(run::<Packed>(&rips, p), run::<Wide>(&rips, p));
            }
        }
    }

    #[test]
    fn primes() {
        assert!(is_prime(2) && is_prime(3) && is_prime(65521));
        assert!(!is_prime(0) && !is_prime(1) && !is_prime(4) && !is_prime(65535));
        let z = Zp::new(7);
        assert!((1..7).all(|a| z.mul(a, z.inv(a)) == 1));
    }
}
