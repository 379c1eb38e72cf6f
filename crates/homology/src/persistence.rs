//! Persistence of flag complexes and other filtered complexes, and giotto-tda's
//! post-processing.

use std::fmt;
use std::str::FromStr;

use nnph_complex::budget::MemoryBudget;
use nnph_complex::{FilteredComplex, FilteredGraph, FlagComplex};

use crate::diagram::{Diagram, PersistencePair};
use crate::error::{Error, ErrorKind};
use crate::flag_cohomology::{FlagCohomologyOptions, flag_cohomology};
use crate::reduce::{BoundaryMatrix, Pairing, Reducer, ReducerKind};
use crate::shortcut::graph_persistence;

/// When [`flag_persistence`] uses the exact graph shortcut ([`crate::shortcut`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Shortcut {
    /// Whenever it is exact: if the complex has no 2-cells, or if only H0 is asked for.
    #[default]
    Auto,
    /// Always; an error if it would not be exact.
    Always,
    /// Never: always reduce the full boundary matrix.
    Never,
}

impl fmt::Display for Shortcut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shortcut::Auto => "auto",
            Shortcut::Always => "always",
            Shortcut::Never => "never",
        })
    }
}

impl FromStr for Shortcut {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "auto" => Ok(Shortcut::Auto),
            "always" => Ok(Shortcut::Always),
            "never" => Ok(Shortcut::Never),
            _ => Err(Error::new(ErrorKind::UnknownName {
                what: "shortcut mode",
                name: s.to_owned(),
                expected: "auto, always, never",
            })),
        }
    }
}

/// Which engine [`flag_persistence`] uses for complexes the shortcut does not cover.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FlagEngine {
    /// [`flag_cohomology`]: cells in a prefix tree enumerated in parallel, implicit
    /// coboundaries, cohomology with clearing and emergent pairs over Z/p. Fast; the default.
    #[default]
    Implicit,
    /// The reference: every cell listed by [`FlagComplex`], the explicit boundary matrix
    /// reduced with [`PersistenceOptions::reducer`] (Z/2 only).
    Explicit,
}

impl fmt::Display for FlagEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlagEngine::Implicit => "implicit",
            FlagEngine::Explicit => "explicit",
        })
    }
}

impl FromStr for FlagEngine {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "implicit" => Ok(FlagEngine::Implicit),
            "explicit" => Ok(FlagEngine::Explicit),
            _ => Err(Error::new(ErrorKind::UnknownName {
                what: "flag engine",
                name: s.to_owned(),
                expected: "implicit, explicit",
            })),
        }
    }
}

/// Options of [`flag_persistence`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PersistenceOptions {
    /// The largest homology dimension computed. The diagram always has the dimensions
    /// `0..=max_dim`, empty where there is nothing. Default 3 (the paper's H0–H3).
    pub max_dim: usize,
    /// The directed flag complex (flagser's, default) or the undirected one.
    pub directed: bool,
    /// When to use the graph shortcut. Default [`Shortcut::Auto`].
    pub shortcut: Shortcut,
    /// The engine for complexes with 2-cells. Default [`FlagEngine::Implicit`].
    pub engine: FlagEngine,
    /// The reducer of the [`FlagEngine::Explicit`] engine. Default [`ReducerKind::Standard`].
    pub reducer: ReducerKind,
    /// The coefficient field Z/p, a prime `p < 2^16`. Default 2. The shortcut's diagrams do
    /// not depend on it; the explicit engine supports only 2.
    pub modulus: u16,
    /// The memory budget of the implicit engine. Default [`MemoryBudget::default`].
    #[cfg_attr(feature = "serde", serde(skip))]
    pub budget: MemoryBudget,
}

impl Default for PersistenceOptions {
    fn default() -> Self {
        Self {
            max_dim: 3,
            directed: true,
            shortcut: Shortcut::Auto,
            engine: FlagEngine::Implicit,
            reducer: ReducerKind::Standard,
            modulus: 2,
            budget: MemoryBudget::default(),
        }
    }
}

/// Persistent homology over Z/p (default Z/2) of the flag complex of `graph` with flagser's
/// 'max' filtration.
///
/// # Arguments
///
/// * `graph`: the filtered graph.
/// * `opts`: the dimensions, directed or undirected complex, shortcut policy and reducer.
///
/// # Returns
///
/// A diagram with dimensions `0..=opts.max_dim`.
/// If the flag complex has no 2-cells (checked by
/// [`FlagComplex::has_cells`], fast on bipartite graphs) or only H0 is asked for, the exact
/// graph shortcut computes it ([`graph_persistence`]; see there for the order of the pairs).
/// Otherwise the engine `opts.engine` computes it: by default [`flag_cohomology`] (implicit,
/// parallel enumeration, Z/p); with [`FlagEngine::Explicit`] the boundary matrix of the cells of
/// dimension `0..=max_dim + 1` is built ([`BoundaryMatrix::from_complex`]: ordered by value, then
/// dimension, then vertex tuple), reduced with `opts.reducer`, and read with
/// [`diagram_from_pairing`]. All routes give the same diagram over Z/2, pair for pair and in
/// the same order, whenever they are exact.
///
/// # Complexity
///
/// Shortcut: `O(V + E log E)` time, `O(V + E)` memory. Otherwise the enumeration plus the
/// reduction of all cells up to dimension `max_dim + 1` (see [`flag_cohomology`]; cubic in their
/// number in the worst case for the explicit standard reducer).
///
/// # Errors
///
/// [`ErrorKind::ShortcutNotExact`] for [`Shortcut::Always`] when `max_dim ≥ 1` and the complex
/// has 2-cells; [`ErrorKind::InvalidOption`] for a modulus that is not a prime, or not 2 with
/// the explicit engine; the implicit engine's errors (over the memory budget, too large).
///
/// # Examples
///
/// ```
/// use nnph_complex::flag::read_flag;
/// use nnph_homology::persistence::{PersistenceOptions, flag_persistence};
///
/// // flagser's test graph d3: the complete digraph on 3 vertices has Betti numbers 1, 0, 2.
/// let text = "dim 0\n0 0 0\ndim 1\n0 1 1\n1 0 1\n0 2 1\n2 0 1\n1 2 1\n2 1 1\n";
/// let graph = read_flag(text.as_bytes())?;
/// let diagram = flag_persistence(&graph, &PersistenceOptions::default())?;
/// assert_eq!(diagram.dim_count(), 4);
/// assert_eq!(diagram.betti_numbers(), vec![1, 0, 2, 0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn flag_persistence(
    graph: &FilteredGraph,
    opts: &PersistenceOptions,
) -> Result<Diagram, Error> {
    let complex = FlagComplex::new(graph, opts.directed);
    let use_shortcut = match opts.shortcut {
        Shortcut::Auto => opts.max_dim == 0 || !complex.has_cells(2),
        Shortcut::Always => {
            if opts.max_dim >= 1 && complex.has_cells(2) {
                return Err(Error::new(ErrorKind::ShortcutNotExact));
            }
            true
        }
        Shortcut::Never => false,
    };
    if use_shortcut {
        let mut dims = graph_persistence(graph, opts.directed).into_dims();
        dims.resize(opts.max_dim + 1, Vec::new());
        return Ok(Diagram::from_dims(dims));
    }
    match opts.engine {
        FlagEngine::Implicit => flag_cohomology(
            graph,
            opts.max_dim,
            opts.directed,
            &FlagCohomologyOptions::new(opts.modulus, opts.budget),
        ),
        FlagEngine::Explicit => {
            if opts.modulus != 2 {
                return Err(Error::new(ErrorKind::InvalidOption {
                    message: format!(
                        "the explicit engine computes over Z/2 only, not Z/{}",
                        opts.modulus
                    ),
                }));
            }
            let reducer = opts.reducer.reducer();
            complex_persistence(&complex, opts.max_dim, reducer.as_ref())
        }
    }
}

/// Persistent homology over Z/2 of any filtered complex, dimensions `0..=max_dim`.
///
/// Builds the boundary matrix of the cells of dimension `0..=max_dim + 1`
/// ([`BoundaryMatrix::from_complex`]), reduces it with `reducer` and reads the diagram with
/// [`diagram_from_pairing`].
///
/// # Errors
///
/// If `complex` breaks the [`FilteredComplex`] contract, or the reducer fails.
///
/// # Examples
///
/// ```
/// use nnph_complex::ExplicitComplex;
/// use nnph_homology::persistence::complex_persistence;
/// use nnph_homology::reduce::default_reducer;
///
/// // The boundary of a triangle (a circle), then the triangle fills it at 5.
/// let complex = ExplicitComplex::try_new(vec![
///     (vec![0], 0.0), (vec![1], 0.0), (vec![2], 0.0),
///     (vec![0, 1], 1.0), (vec![1, 2], 1.0), (vec![0, 2], 2.0),
///     (vec![0, 1, 2], 5.0),
/// ])?;
/// let d = complex_persistence(&complex, 1, default_reducer().as_ref())?;
/// assert_eq!(d.dim(1).len(), 1);
/// assert_eq!((d.dim(1)[0].birth, d.dim(1)[0].death), (2.0, 5.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn complex_persistence<C: FilteredComplex + ?Sized>(
    complex: &C,
    max_dim: usize,
    reducer: &dyn Reducer,
) -> Result<Diagram, Error> {
    let matrix = BoundaryMatrix::from_complex(complex, max_dim + 1)?;
    let pairing = reducer.reduce(&matrix)?;
    Ok(diagram_from_pairing(&matrix, &pairing, max_dim))
}

/// Reads the diagram of dimensions `0..=max_dim` off a pairing of `matrix`.
///
/// A pair of columns `(i, j)` gives `(value(i), value(j))` in dimension `dim(i)` if
/// `value(j) > value(i)`; pairs with equal values are dropped. An essential column gives
/// `(value, +∞)`. Columns of dimension `> max_dim` only kill classes.
///
/// Order of the pairs: in dimension 0, the finite pairs by death column (ascending death), then
/// the essential pairs by column (ascending birth); in dimensions `≥ 1`, all pairs by
/// **descending** birth column (flagser's order). This is the order of
/// [`graph_persistence`] for complexes without 2-cells.
///
/// # Panics
///
/// If `pairing` names columns that `matrix` does not have.
pub fn diagram_from_pairing(matrix: &BoundaryMatrix, pairing: &Pairing, max_dim: usize) -> Diagram {
    let mut dims: Vec<Vec<(usize, PersistencePair)>> = vec![Vec::new(); max_dim + 1];
    for &(i, j) in pairing.pairs() {
        let (birth, death) = (matrix.column(i), matrix.column(j));
        if birth.dim <= max_dim && death.value > birth.value {
            dims[birth.dim].push((i, PersistencePair::new(birth.value, death.value)));
        }
    }
    for &i in pairing.essential() {
        let c = matrix.column(i);
        if c.dim <= max_dim {
            dims[c.dim].push((i, PersistencePair::new(c.value, f64::INFINITY)));
        }
    }
    for d in dims.iter_mut().skip(1) {
        d.sort_by_key(|p| std::cmp::Reverse(p.0));
    }
    Diagram::from_dims(dims.into_iter().map(|d| d.into_iter().map(|(_, p)| p).collect()).collect())
}

/// giotto-tda's post-processing of flagser output (`FlagserPersistence` with
/// `reduced_homology=True`).
///
/// 1. Drops the **last** H0 pair. In the order of [`flag_persistence`] (finite pairs by
///    ascending death, then the essential pairs) this is an essential pair: for a connected
///    graph the only one, which turns homology into reduced homology. For a disconnected graph
///    it is the essential pair of the component whose oldest vertex comes last.
/// 2. Keeps only the pairs with `birth < death`, in every dimension (this removes nothing from
///    diagrams made by this crate, which never emits `birth == death`).
///
/// The order of the remaining pairs and the number of dimensions are unchanged.
///
/// # Examples
///
/// ```
/// use nnph_homology::{Diagram, PersistencePair, giotto_reduced};
///
/// let inf = f64::INFINITY;
/// let d = Diagram::from_dims(vec![
///     vec![PersistencePair::new(0.0, 0.5), PersistencePair::new(0.0, inf)],
///     vec![PersistencePair::new(0.7, inf), PersistencePair::new(0.2, 0.2)],
/// ]);
/// let r = giotto_reduced(&d);
/// assert_eq!(r.dim(0), &[PersistencePair::new(0.0, 0.5)]);
/// assert_eq!(r.dim(1), &[PersistencePair::new(0.7, inf)]);
/// ```
pub fn giotto_reduced(diagram: &Diagram) -> Diagram {
    let mut dims = diagram.dims().to_vec();
    if let Some(h0) = dims.first_mut() {
        h0.pop();
    }
    for d in &mut dims {
        d.retain(|p| p.birth < p.death);
    }
    Diagram::from_dims(dims)
}
