//! Persistent homology engine: persistence diagrams of filtered complexes over Z/2.
//!
//! The main entry point is [`persistence::flag_persistence`]: the persistence diagram of the
//! directed (flagser's) or undirected flag complex of a weighted graph with the 'max'
//! filtration. Graphs whose flag complex has no 2-cells — every layered graph of a feed-forward
//! network, since those are bipartite — go through the exact graph shortcut
//! ([`shortcut::graph_persistence`], Kruskal with union-find, millions of edges per second);
//! other complexes through a boundary-matrix [`reduce::Reducer`].
//! [`giotto_reduced`] applies giotto-tda's post-processing of flagser output.
//!
//! # Should I use this crate?
//!
//! To go from a neural network to diagrams and distances, use the `nnph` facade. Use this
//! crate directly for the persistence of your own graphs ([`nnph_complex::FilteredGraph`]),
//! your own complexes ([`nnph_complex::ExplicitComplex`] with
//! [`persistence::complex_persistence`]) or your own boundary matrices
//! ([`reduce::BoundaryMatrix`]), or to add a reducer.
//!
//! # Example
//!
//! A 4-cycle `0 → 1 → 2 → 3 → 0` whose edges enter at 1, 2, 3, 4: three H0 classes die as the
//! edges merge them, one component lives forever, and the last edge closes a cycle that never
//! dies (there are no 2-cells).
//!
//! ```
//! use nnph_complex::{Edge, FilteredGraph};
//! use nnph_homology::persistence::{PersistenceOptions, flag_persistence};
//! use nnph_homology::{PersistencePair, giotto_reduced};
//!
//! let edge = |source, target, value| Edge { source, target, value };
//! let graph = FilteredGraph::try_new(
//!     vec![0.0; 4],
//!     vec![edge(0, 1, 1.0), edge(1, 2, 2.0), edge(2, 3, 3.0), edge(3, 0, 4.0)],
//! )?;
//! let diagram = flag_persistence(&graph, &PersistenceOptions::default())?;
//!
//! let inf = f64::INFINITY;
//! let pair = PersistencePair::new;
//! assert_eq!(diagram.dim_count(), 4); // H0..=H3
//! assert_eq!(diagram.dim(0), &[pair(0.0, 1.0), pair(0.0, 2.0), pair(0.0, 3.0), pair(0.0, inf)]);
//! assert_eq!(diagram.dim(1), &[pair(4.0, inf)]);
//! assert!(diagram.dim(2).is_empty() && diagram.dim(3).is_empty());
//!
//! // giotto-tda drops the essential H0 bar (reduced homology).
//! assert_eq!(giotto_reduced(&diagram).dim(0).len(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Available algorithms
//!
//! * [`shortcut::graph_persistence`]: the exact graph shortcut. H0 and H1 of a 1-dimensional
//!   complex by Kruskal's algorithm with union-find; `O(V + E log E)` time, `O(V + E)` memory.
//!   Exact whenever the flag complex has no 2-cells (and for H0 always).
//!   [`persistence::flag_persistence`] uses it automatically when it is exact
//!   ([`persistence::Shortcut`]).
//! * [`reduce::standard::Standard`]: the textbook left-to-right column reduction of a boundary
//!   matrix over Z/2. Works for any filtered complex; `O(n³)` worst case for `n` cells. The
//!   clear reference that faster reducers are tested against.
//! * [`reduce::cohomology::Cohomology`]: persistent cohomology over Z/2 (the anti-transposed
//!   matrix, reduced dimension by dimension with clearing). Same pairing as `Standard`.
//! * [`reduce::twist::Twist`]: the standard reduction with clearing (Chen–Kerber), a
//!   reference between `Standard` and `Cohomology`.
//! * [`reduce::rips::rips_persistence`]: the Vietoris–Rips engine, persistent cohomology over
//!   Z/p (any prime `p < 2^16`) with implicit coboundaries from the combinatorial number
//!   system, clearing, apparent and emergent pairs, dense or sparse (neighbour-list)
//!   distances, a deterministic parallel reduction ([`reduce::Par`]) and a memory budget;
//!   stores only the distances, the columns of one dimension and `V`.
//!
//! * [`flag_cohomology::flag_cohomology`]: the flag persistence engine, the default of
//!   [`persistence::flag_persistence`] for complexes with 2-cells. Cohomology over Z/p with
//!   clearing and emergent pairs on the prefix tree of `nnph_complex::flag_engine`, cells
//!   enumerated in parallel under a memory budget; the same diagram as the explicit path.
//!
//! Reducers are selected at run time with [`reduce::ReducerKind`]; [`reduce::all_reducers`]
//! lists them all for test suites.
//!
//! # Crate features
//!
//! * `rayon` (default): the shortcut sorts large edge lists in parallel on rayon's global
//!   thread pool, the flag engine enumerates cells and sorts columns on the current pool, and
//!   the Rips engine enumerates, sorts and reduces in parallel ([`reduce::Par::Rayon`]).
//!   Results never depend on it.
//! * `serde`: `Serialize`/`Deserialize` for [`Diagram`], [`PersistencePair`],
//!   [`reduce::Pairing`], [`persistence::PersistenceOptions`] and the option enums.
#![deny(missing_docs)]

pub mod diagram;
pub mod error;
pub mod flag_cohomology;
pub mod persistence;
pub mod reduce;
pub mod shortcut;

pub use diagram::{Diagram, PersistencePair};
pub use error::{Error, ErrorKind};
pub use persistence::{FlagEngine, PersistenceOptions, Shortcut, flag_persistence, giotto_reduced};
