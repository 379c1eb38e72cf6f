//! Persistence diagrams.

/// One point of a persistence diagram: a class born at `birth` that dies at
/// `death` (`f64::INFINITY` for an essential class).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PersistencePair {
    /// Filtration value at which the class is born.
    pub birth: f64,
    /// Filtration value at which the class dies, `f64::INFINITY` if never.
    pub death: f64,
}

impl PersistencePair {
    /// A pair `(birth, death)`.
    pub const fn new(birth: f64, death: f64) -> Self {
        Self { birth, death }
    }

    /// `death - birth` (`+∞` for an essential class).
    pub fn lifetime(&self) -> f64 {
        self.death - self.birth
    }

    /// Whether the class never dies.
    pub fn is_essential(&self) -> bool {
        self.death == f64::INFINITY
    }
}

/// A persistence diagram: one list of pairs per homology dimension.
///
/// `dims()[q]` holds the pairs of dimension `q`; dimensions that were
/// computed but have no pairs are present and empty, so `dim_count()` is the
/// number of dimensions asked for.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Diagram {
    dims: Vec<Vec<PersistencePair>>,
}

impl Diagram {
    /// An empty diagram with `dim_count` dimensions `0..dim_count`.
    pub fn empty(dim_count: usize) -> Self {
        Self { dims: vec![Vec::new(); dim_count] }
    }

    /// A diagram from per-dimension pair lists.
    pub fn from_dims(dims: Vec<Vec<PersistencePair>>) -> Self {
        Self { dims }
    }

    /// The number of dimensions held (`max_dim + 1`).
    pub fn dim_count(&self) -> usize {
        self.dims.len()
    }

    /// All dimensions, indexed by homology dimension.
    pub fn dims(&self) -> &[Vec<PersistencePair>] {
        &self.dims
    }

    /// The pairs of dimension `q` (empty if `q` was not computed).
    pub fn dim(&self, q: usize) -> &[PersistencePair] {
        self.dims.get(q).map_or(&[], Vec::as_slice)
    }

    /// Mutable access to the pairs of dimension `q`, growing the diagram if needed.
    pub fn dim_mut(&mut self, q: usize) -> &mut Vec<PersistencePair> {
        if self.dims.len() <= q {
            self.dims.resize(q + 1, Vec::new());
        }
        &mut self.dims[q]
    }

    /// Total number of pairs over all dimensions.
    pub fn len(&self) -> usize {
        self.dims.iter().map(Vec::len).sum()
    }

    /// Whether the diagram has no pair in any dimension.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Consumes the diagram and returns the per-dimension pair lists.
    pub fn into_dims(self) -> Vec<Vec<PersistencePair>> {
        self.dims
    }

    /// The number of essential pairs (death `+∞`) of each dimension.
    ///
    /// For a diagram of a whole filtered complex (not reduced, not filtered) these are the Betti
    /// numbers of the complex at the end of the filtration.
    pub fn betti_numbers(&self) -> Vec<usize> {
        self.dims.iter().map(|d| d.iter().filter(|p| p.is_essential()).count()).collect()
    }

    /// Sorts every dimension by (birth, death), with a total order on `f64`.
    ///
    /// Diagrams are multisets; sorting gives a canonical form for comparison.
    pub fn sort(&mut self) {
        for d in &mut self.dims {
            d.sort_by(|a, b| a.birth.total_cmp(&b.birth).then(a.death.total_cmp(&b.death)));
        }
    }
}
