//! Cells (simplices with a filtration value) and the trait shared by all filtered complexes.

/// A simplex of a filtered complex together with its filtration value.
///
/// `vertices` lists the `dim + 1` vertices of the simplex.
/// In a directed flag complex the order is the simplex's direction (source first, sink last);
/// in every other complex of this crate the vertices are sorted increasingly.
/// The faces of a cell are the tuples with one vertex removed, keeping the order of the others.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The vertices of the simplex.
    pub vertices: Vec<u32>,
    /// Its filtration value.
    pub value: f64,
}

impl Cell {
    /// A cell with the given vertices and value.
    pub fn new(vertices: Vec<u32>, value: f64) -> Self {
        Self { vertices, value }
    }

    /// The dimension of the simplex: its number of vertices minus one.
    ///
    /// # Panics
    ///
    /// If the cell has no vertices.
    pub fn dim(&self) -> usize {
        assert!(!self.vertices.is_empty(), "a cell needs at least one vertex");
        self.vertices.len() - 1
    }

    /// The vertex tuples of the codimension-1 faces, the `i`-th one without vertex `i`.
    ///
    /// A vertex (dimension 0) has no faces.
    pub fn facets(&self) -> impl Iterator<Item = Vec<u32>> + '_ {
        let n = if self.vertices.len() > 1 { self.vertices.len() } else { 0 };
        (0..n).map(move |i| {
            let mut face = Vec::with_capacity(self.vertices.len() - 1);
            face.extend_from_slice(&self.vertices[..i]);
            face.extend_from_slice(&self.vertices[i + 1..]);
            face
        })
    }
}

/// A finite filtered simplicial complex whose cells can be listed by dimension.
///
/// Implementors guarantee that every face of a listed cell is listed in the dimension below
/// (with the vertex order of [`Cell::facets`]) and has a value not larger than the cell's value.
/// The trait is object safe.
pub trait FilteredComplex {
    /// All cells of dimension `dim` (empty if there are none), in a deterministic order.
    fn cells(&self, dim: usize) -> Vec<Cell>;
}
