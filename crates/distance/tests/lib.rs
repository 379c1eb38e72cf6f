//! Integration tests of nnph-distance.

mod support {
    pub(crate) mod npy;
}

mod api;
mod golden;
mod matching;
mod props;
mod ref8;
mod stream;
mod summary;

/// Asserts `|a − b| ≤ rtol·|b|`, or `≤ atol` when `b` is (nearly) zero.
#[track_caller]
pub(crate) fn assert_close(a: f64, b: f64, rtol: f64, atol: f64, what: &str) {
    let ok = (a - b).abs() <= atol.max(rtol * b.abs());
    assert!(ok, "{what}: got {a:e}, expected {b:e} (rel err {:e})", ((a - b) / b).abs());
}
