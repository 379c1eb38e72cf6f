//! The fast flag persistence engine: persistent cohomology over Z/p of a directed or undirected
//! flag complex with implicit coboundaries, clearing and emergent pairs.
//!
//! The cells come from [`FlagCells`] (a prefix tree of the cells of dimension `≤ max_dim + 1`,
//! built in parallel and checked against a memory budget level by level); nothing else about
//! the complex is stored. The reduction holds, per dimension, the sorted keys of its columns,
//! a pivot table over the cells one dimension up, and the reduction matrix `V` of the columns
//! that were reduced (one entry for an emergent pair); no reduced column `R` is stored.
//!
//! * **H0** by union-find over the edges in filtration order (elder rule), which is the pairing
//!   of the standard reduction; its killing edges are cleared from dimension 1.
//! * **H1 … H`max_dim`**: for each dimension `k`, the `k`-cells not cleared, in *decreasing*
//!   filtration order, are the columns of the coboundary matrix; the pivot of a column is its
//!   *smallest* cofacet in filtration order. A column whose unreduced pivot is free is an
//!   emergent pair and costs one coboundary; otherwise a binary heap with lazy cancellation
//!   adds `c · δ(V_j)` of earlier columns (coboundaries recomputed from the tree) until the pivot
//!   is new or the column vanishes (an essential class). Deaths are cleared from dimension
//!   `k + 1`.
//!
//! Filtration order within a dimension: value, then the vertex tuple lexicographically (the
//! order of `BoundaryMatrix::from_complex`), so the pairing, and the diagram read from it, is
//! the explicit reduction's, pair for pair and in the same order.
//!
//! de Silva, Morozov, Vejdemo-Johansson, *Dualities in persistent (co)homology* (2011),
//! <https://doi.org/10.1088/0266-5611/27/12/124003>; Chen, Kerber, *Persistent homology
//! computation with a twist* (EuroCG 2011); Bauer, *Ripser: efficient computation of
//! Vietoris–Rips persistence barcodes* (2021), <https://doi.org/10.1007/s41468-021-00071-5>
//! (implicit coboundaries, emergent pairs); Lütgehetmann et al., *Computing persistent homology
//! of directed flag complexes* (2020), <https://doi.org/10.3390/a13010019>.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use nnph_complex::FilteredGraph;
use nnph_complex::budget::MemoryBudget;
use nnph_complex::flag_engine::FlagCells;

use crate::diagram::{Diagram, PersistencePair};
use crate::error::{Error, ErrorKind};

/// Options of [`flag_cohomology`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FlagCohomologyOptions {
    /// The coefficient field Z/p: a prime `p < 2^16`. Default 2 (flagser's and the paper's).
    pub modulus: u16,
    /// The memory budget checked before each dimension of cells is allocated. Default
    /// [`MemoryBudget::default`] (a fraction of the physical memory).
    pub budget: MemoryBudget,
}

impl Default for FlagCohomologyOptions {
    fn default() -> Self {
        Self { modulus: 2, budget: MemoryBudget::default() }
    }
}

impl FlagCohomologyOptions {
    /// Options with the given modulus and budget.
    pub fn new(modulus: u16, budget: MemoryBudget) -> Self {
        Self { modulus, budget }
    }
}

const NONE: u32 = u32::MAX;

/// A cell of one dimension in filtration order: value rank in the high half, index in the low.
#[inline]
fn key(rank: u32, index: u32) -> u64 {
    u64::from(rank) << 32 | u64::from(index)
}

#[inline]
fn index_of(key: u64) -> u32 {
    key as u32
}

#[inline]
fn rank_of(key: u64) -> u32 {
    (key >> 32) as u32
}

/// A working-column entry: a cofacet key and its coefficient in `1..p`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    key: u64,
    coefficient: u32,
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed, so that `BinaryHeap` pops the smallest key first.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key).then(other.coefficient.cmp(&self.coefficient))
    }
}

/// Arithmetic in Z/p; with `Z2` the compiler drops every coefficient computation.
#[derive(Clone, Copy, Debug)]
struct Field<const Z2: bool> {
    p: u32,
}

impl<const Z2: bool> Field<Z2> {
    #[inline]
    fn add(self, a: u32, b: u32) -> u32 {
        if Z2 { (a + b) & 1 } else { (a + b) % self.p }
    }
    #[inline]
    fn mul(self, a: u32, b: u32) -> u32 {
        if Z2 { a & b } else { (u64::from(a) * u64::from(b) % u64::from(self.p)) as u32 }
    }
    #[inline]
    fn neg(self, a: u32) -> u32 {
        if Z2 { a } else { (self.p - a) % self.p }
    }
    /// `(-1)^position`.
    #[inline]
    fn sign(self, position: usize) -> u32 {
        if Z2 || position.is_multiple_of(2) { 1 } else { self.p - 1 }
    }
    /// `a^-1` (Fermat), `a ≠ 0`.
    fn inverse(self, a: u32) -> u32 {
        if Z2 {
            return 1;
        }
        let p = u64::from(self.p);
        let (mut base, mut exp, mut acc) = (u64::from(a) % p, p - 2, 1u64);
        while exp > 0 {
            if exp & 1 == 1 {
                acc = acc * base % p;
            }
            base = base * base % p;
            exp >>= 1;
        }
        acc as u32
    }
}

fn is_prime(p: u16) -> bool {
    p >= 2
        && (2..p).take_while(|d| u32::from(*d).pow(2) <= u32::from(p)).all(|d| !p.is_multiple_of(d))
}

/// Persistent homology (computed as cohomology) over Z/p of the directed or undirected flag
/// complex of `graph` with flagser's 'max' filtration, dimensions `0..=max_dim`.
///
/// # Arguments
///
/// * `graph`: the filtered graph.
/// * `max_dim`: the largest homology dimension; cells up to dimension `max_dim + 1` are
///   enumerated.
/// * `directed`: the directed flag complex (flagser's) or the undirected clique complex.
/// * `options`: the coefficient modulus and the memory budget.
///
/// # Returns
///
/// The diagram with dimensions `0..=max_dim`, in the conventions of
/// [`diagram_from_pairing`](crate::persistence::diagram_from_pairing): pairs with equal birth
/// and death are dropped; H0 lists its finite pairs by ascending death cell, then its essential
/// pairs by ascending birth cell; higher dimensions list all pairs by descending birth cell.
/// Over Z/2 it equals the explicit reduction of the same complex, pair for pair.
///
/// # Complexity
///
/// The enumeration of the cells of dimension `≤ max_dim + 1` (parallel) plus the reduction:
/// `O(m)` coboundaries for the `m` columns in the best case (emergent pairs), cubic in the worst.
/// Memory: 16 bytes per cell of the tree (8 at the top dimension), 8 bytes per column and 4 per
/// cell one dimension up for the current dimension, and the stored `V` columns.
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`] if `options.modulus` is not a prime;
/// [`ErrorKind::Complex`] wrapping `OverBudget` (with a hint to lower the maximum dimension) or
/// `TooLarge` from [`FlagCells::build`].
///
/// # Examples
///
/// ```
/// use nnph_complex::flag::read_flag;
/// use nnph_homology::flag_cohomology::{FlagCohomologyOptions, flag_cohomology};
///
/// // flagser's d4: the complete digraph on 4 vertices, β3 = 9 (a derangement number).
/// let mut text = String::from("dim 0\n0 0 0 0\ndim 1\n");
/// for u in 0..4 {
///     for v in 0..4 {
///         if u != v {
///             text += &format!("{u} {v} 1\n");
///         }
///     }
/// }
/// let graph = read_flag(text.as_bytes())?;
/// for modulus in [2, 3] {
///     let mut options = FlagCohomologyOptions::default();
///     options.modulus = modulus;
///     let diagram = flag_cohomology(&graph, 3, true, &options)?;
///     assert_eq!(diagram.betti_numbers(), vec![1, 0, 0, 9]);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn flag_cohomology(
    graph: &FilteredGraph,
    max_dim: usize,
    directed: bool,
    options: &FlagCohomologyOptions,
) -> Result<Diagram, Error> {
    if !is_prime(options.modulus) {
        return Err(Error::new(ErrorKind::InvalidOption {
            message: format!("coefficient modulus {} is not a prime", options.modulus),
        }));
    }
    let cells = FlagCells::build(graph, directed, max_dim, &options.budget)?;
    let p = u32::from(options.modulus);
    Ok(if p == 2 {
        reduce_all(&cells, max_dim, Field::<true> { p })
    } else {
        reduce_all(&cells, max_dim, Field::<false> { p })
    })
}

/// A bit per cell.
struct BitSet(Vec<u64>);

impl BitSet {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }
    #[inline]
    fn insert(&mut self, i: u32) {
        self.0[(i / 64) as usize] |= 1 << (i % 64);
    }
    #[inline]
    fn contains(&self, i: u32) -> bool {
        self.0[(i / 64) as usize] >> (i % 64) & 1 == 1
    }
}

fn reduce_all<const Z2: bool>(cells: &FlagCells, max_dim: usize, field: Field<Z2>) -> Diagram {
    let values = cells.values();
    let mut dims: Vec<Vec<PersistencePair>> = vec![Vec::new(); max_dim + 1];
    let mut cleared = zeroth(cells, &mut dims[0]);
    for (k, out) in dims.iter_mut().enumerate().skip(1) {
        cleared = reduce_dimension(cells, k, &cleared, field, values, out);
    }
    Diagram::from_dims(dims)
}

/// Sorts `keys` (distinct) in the given direction, in parallel with the `rayon` feature.
fn sort_keys(keys: &mut [u64], descending: bool) {
    #[cfg(feature = "rayon")]
    {
        use rayon::slice::ParallelSliceMut;
        if descending {
            keys.par_sort_unstable_by(|a, b| b.cmp(a));
        } else {
            keys.par_sort_unstable();
        }
    }
    #[cfg(not(feature = "rayon"))]
    if descending {
        keys.sort_unstable_by(|a, b| b.cmp(a));
    } else {
        keys.sort_unstable();
    }
}

/// H0 by union-find with the elder rule; returns the edges that killed a component.
fn zeroth(cells: &FlagCells, out: &mut Vec<PersistencePair>) -> BitSet {
    let n = cells.count(0);
    let values = cells.values();
    let vertex_rank = cells.value_ranks(0);
    let edge_rank = cells.value_ranks(1);
    let mut edges: Vec<u64> =
        edge_rank.iter().enumerate().map(|(i, &r)| key(r, i as u32)).collect();
    sort_keys(&mut edges, false);
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // The oldest vertex of each root's component: smallest (value, index).
    let mut elder: Vec<u32> = (0..n as u32).collect();
    let older = |a: u32, b: u32| key(vertex_rank[a as usize], a) < key(vertex_rank[b as usize], b);
    fn root(parent: &mut [u32], mut v: u32) -> u32 {
        while parent[v as usize] != v {
            let gp = parent[parent[v as usize] as usize];
            parent[v as usize] = gp;
            v = gp;
        }
        v
    }
    let mut deaths = BitSet::new(cells.count(1));
    for &e in &edges {
        let (u, w) = cells.edge(index_of(e));
        let (ru, rw) = (root(&mut parent, u), root(&mut parent, w));
        if ru == rw {
            continue;
        }
        let (eu, ew) = (elder[ru as usize], elder[rw as usize]);
        let (old, young) = if older(eu, ew) { (eu, ew) } else { (ew, eu) };
        let birth = vertex_rank[young as usize];
        if rank_of(e) > birth {
            out.push(PersistencePair::new(values[birth as usize], values[rank_of(e) as usize]));
        }
        deaths.insert(index_of(e));
        parent[ru as usize] = rw;
        elder[rw as usize] = old;
    }
    let mut essential: Vec<u64> = (0..n as u32)
        .filter(|&v| root(&mut parent, v) == v)
        .map(|v| {
            let e = elder[v as usize];
            key(vertex_rank[e as usize], e)
        })
        .collect();
    essential.sort_unstable();
    out.extend(
        essential
            .into_iter()
            .map(|k| PersistencePair::new(values[rank_of(k) as usize], f64::INFINITY)),
    );
    deaths
}

/// A reduced column: its `V` in `store[start..start + len]` and the coefficient of its pivot.
#[derive(Clone, Copy, Debug)]
struct Reduced {
    start: usize,
    len: u32,
    pivot_coefficient: u32,
}

/// Reduces the coboundary columns of dimension `k`; returns the `(k + 1)`-cells paired as deaths.
fn reduce_dimension<const Z2: bool>(
    cells: &FlagCells,
    k: usize,
    cleared: &BitSet,
    field: Field<Z2>,
    values: &[f64],
    out: &mut Vec<PersistencePair>,
) -> BitSet {
    let ranks = cells.value_ranks(k);
    let mut columns: Vec<u64> = ranks
        .iter()
        .enumerate()
        .filter(|&(i, _)| !cleared.contains(i as u32))
        .map(|(i, &r)| key(r, i as u32))
        .collect();
    sort_keys(&mut columns, true);
    let upper = cells.count(k + 1);
    let mut deaths = BitSet::new(upper);
    let mut pivot_of: Vec<u32> = vec![NONE; upper];
    let mut reduced: Vec<Reduced> = Vec::new();
    let mut store: Vec<(u32, u32)> = Vec::new();
    let mut path = Vec::new();
    let mut buffer: Vec<Entry> = Vec::new();
    let mut scratch: Vec<Entry> = Vec::new();
    let mut v: Vec<(u32, u32)> = Vec::new();
    for &column in &columns {
        let sigma = index_of(column);
        let birth = rank_of(column);
        buffer.clear();
        let mut smallest = Entry { key: u64::MAX, coefficient: 0 };
        cells.for_each_cofacet(k, sigma, &mut path, |c, r, position| {
            let e = Entry { key: key(r, c), coefficient: field.sign(position) };
            if e.key < smallest.key {
                smallest = e;
            }
            buffer.push(e);
        });
        if buffer.is_empty() {
            out.push(PersistencePair::new(values[birth as usize], f64::INFINITY));
            continue;
        }
        // Emergent pair: the unreduced column's pivot is no pivot yet, so it is reduced.
        if pivot_of[index_of(smallest.key) as usize] == NONE {
            let tau = index_of(smallest.key);
            pivot_of[tau as usize] = reduced.len() as u32;
            reduced.push(Reduced {
                start: store.len(),
                len: 1,
                pivot_coefficient: smallest.coefficient,
            });
            store.push((sigma, 1));
            deaths.insert(tau);
            if rank_of(smallest.key) > birth {
                out.push(PersistencePair::new(
                    values[birth as usize],
                    values[rank_of(smallest.key) as usize],
                ));
            }
            continue;
        }
        v.clear();
        v.push((sigma, 1));
        let mut heap = BinaryHeap::from(std::mem::take(&mut buffer));
        loop {
            let Some(top) = pop_pivot(&mut heap, field) else {
                out.push(PersistencePair::new(values[birth as usize], f64::INFINITY));
                break;
            };
            let tau = index_of(top.key);
            let slot = pivot_of[tau as usize];
            if slot == NONE {
                pivot_of[tau as usize] = reduced.len() as u32;
                let start = store.len();
                compress_into(&mut v, field, &mut store);
                reduced.push(Reduced {
                    start,
                    len: (store.len() - start) as u32,
                    pivot_coefficient: top.coefficient,
                });
                deaths.insert(tau);
                if rank_of(top.key) > birth {
                    out.push(PersistencePair::new(
                        values[birth as usize],
                        values[rank_of(top.key) as usize],
                    ));
                }
                break;
            }
            // Cancel the pivot: add -top/c times the column with that pivot. Its entries below
            // the pivot sum to zero and at the pivot cancel `top`: only those above are pushed.
            let other = reduced[slot as usize];
            let factor =
                field.neg(field.mul(top.coefficient, field.inverse(other.pivot_coefficient)));
            scratch.clear();
            for &(s, a) in &store[other.start..other.start + other.len as usize] {
                let f = field.mul(a, factor);
                v.push((s, f));
                cells.for_each_cofacet(k, s, &mut path, |c, r, position| {
                    let kk = key(r, c);
                    if kk > top.key {
                        scratch.push(Entry {
                            key: kk,
                            coefficient: field.mul(f, field.sign(position)),
                        });
                    }
                });
            }
            heap.extend(scratch.drain(..));
        }
        buffer = heap.into_vec();
    }
    deaths
}

/// Pops the smallest key with a non-zero total coefficient (all its entries leave the heap).
#[inline]
fn pop_pivot<const Z2: bool>(heap: &mut BinaryHeap<Entry>, field: Field<Z2>) -> Option<Entry> {
    while let Some(mut top) = heap.pop() {
        let mut coefficient = top.coefficient;
        while let Some(next) = heap.peek() {
            if next.key != top.key {
                break;
            }
            coefficient = field.add(coefficient, next.coefficient);
            heap.pop();
        }
        if coefficient != 0 {
            top.coefficient = coefficient;
            return Some(top);
        }
    }
    None
}

/// Appends the `V` column `v` to `out` with repeated cells merged and zero coefficients dropped
/// (`v` is sorted in place).
fn compress_into<const Z2: bool>(
    v: &mut [(u32, u32)],
    field: Field<Z2>,
    out: &mut Vec<(u32, u32)>,
) {
    v.sort_unstable_by_key(|e| e.0);
    let mut i = 0;
    while i < v.len() {
        let (s, mut a) = v[i];
        i += 1;
        while i < v.len() && v[i].0 == s {
            a = field.add(a, v[i].1);
            i += 1;
        }
        if a != 0 {
            out.push((s, a));
        }
    }
}
