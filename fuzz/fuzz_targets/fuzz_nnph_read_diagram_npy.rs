//! `nnph::io::diagrams_from_npy` (giotto-style `(n, 3)` / `(N, n, 3)` diagram arrays, read
//! diagram by diagram in chunks) must never panic on any bytes; accepted diagrams have finite
//! births and deaths not before births; and it accepts exactly what an independent oracle
//! built on the whole-array reader `nnph_network::npy::read_npy` accepts, with the same points.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nnph::homology::{Diagram, PersistencePair};

/// The diagrams as the whole-array reader sees them, if every row is valid.
fn oracle(data: &[u8]) -> Option<Vec<Diagram>> {
    let a = nnph_network::npy::read_npy(data).ok()?;
    let (count, rows) = match a.shape[..] {
        [n, 3] => (1, n),
        [b, n, 3] => (b, n),
        _ => return None,
    };
    if count > nnph::io::MAX_NPY_DIAGRAMS {
        return None;
    }
    let v = a.to_f64_vec().ok()?;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let mut d = Diagram::empty(0);
        for r in v[k * rows * 3..(k + 1) * rows * 3].chunks_exact(3) {
            let (birth, death, dim) = (r[0], r[1], r[2]);
            let dim_ok = dim >= 0.0 && dim <= nnph::io::MAX_NPY_DIM as f64 && dim.fract() == 0.0;
            if !dim_ok || !birth.is_finite() || !(death >= birth) {
                return None;
            }
            d.dim_mut(dim as usize).push(PersistencePair::new(birth, death));
        }
        out.push(d);
    }
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let streamed = nnph::io::diagrams_from_npy(data);
    if let Ok(diagrams) = &streamed {
        for diagram in diagrams {
            for p in diagram.dims().iter().flatten() {
                assert!(p.birth.is_finite() && !p.death.is_nan() && p.death >= p.birth, "{p:?}");
            }
        }
    }
    // Fortran-ordered arrays are read whole by both; the oracle transposes like read_npy.
    match (streamed, oracle(data)) {
        (Ok(s), Some(w)) => assert_eq!(s, w),
        (Err(_), None) => {}
        (s, w) => panic!("streamed {:?} but oracle {:?}", s.map(|d| d.len()), w.map(|d| d.len())),
    }
});
