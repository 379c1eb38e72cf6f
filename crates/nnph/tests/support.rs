//! Shared helpers: paths, golden-file readers, tolerances.

use std::path::{Path, PathBuf};

use nnph::homology::{Diagram, PersistencePair};
use nnph::network::npy::{self, NpyArray};

/// The repository's `testdata/`.
pub(crate) fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Reads every array of an `.npz` file.
pub(crate) fn read_npz(path: &Path) -> Vec<(String, NpyArray)> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    npy::read_npz(std::io::BufReader::new(f)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a float64 `.npy` file as (shape, values).
pub(crate) fn read_npy_f64(path: &Path) -> (Vec<usize>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let a = npy::read_npy(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let shape = a.shape.clone();
    (shape, a.to_f64_vec().unwrap())
}

/// A golden (k, 3) array of rows (birth, death, dim) as a diagram with `dims` dimensions.
pub(crate) fn diagram_from_rows(a: &NpyArray, dims: usize) -> Diagram {
    assert_eq!(a.shape.len(), 2);
    assert_eq!(a.shape[1], 3);
    let v = a.to_f64_vec().unwrap();
    let mut d = Diagram::empty(dims);
    for r in v.chunks_exact(3) {
        d.dim_mut(r[2] as usize).push(PersistencePair::new(r[0], r[1]));
    }
    d
}

/// The named array of a golden diagram file (`raw`, `post` or `filtered`).
pub(crate) fn golden_diagram(path: &Path, which: &str, dims: usize) -> Diagram {
    let arrays = read_npz(path);
    let (_, a) = arrays
        .iter()
        .find(|(n, _)| n == which)
        .unwrap_or_else(|| panic!("{}: no array {which}", path.display()));
    diagram_from_rows(a, dims)
}

/// Relative error with an absolute floor for values near zero.
pub(crate) fn close(reference: f64, value: f64, rel: f64, abs: f64) -> bool {
    (reference - value).abs() <= abs.max(rel * reference.abs())
}

/// Asserts two matrices agree entry by entry within `rel` (absolute floor `abs`).
pub(crate) fn assert_matrix_close(
    what: &str,
    reference: &[f64],
    value: &[f64],
    rel: f64,
    abs: f64,
) {
    assert_eq!(reference.len(), value.len(), "{what}: sizes differ");
    let mut worst = (0.0_f64, 0usize);
    for (k, (r, v)) in reference.iter().zip(value).enumerate() {
        let e = (r - v).abs() / r.abs().max(abs / rel);
        if e > worst.0 {
            worst = (e, k);
        }
        assert!(
            close(*r, *v, rel, abs),
            "{what}: entry {k}: reference {r:e}, ours {v:e}, relative error {:e}",
            (r - v).abs() / r.abs()
        );
    }
}
