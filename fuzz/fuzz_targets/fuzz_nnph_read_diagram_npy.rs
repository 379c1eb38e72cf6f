//! `nnph::io::diagrams_from_npy` (giotto-style `(n, 3)` / `(N, n, 3)` diagram arrays) must
//! never panic on any bytes; accepted diagrams have finite births and deaths not before
//! births.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(diagrams) = nnph::io::diagrams_from_npy(data) {
        for diagram in &diagrams {
            for p in diagram.dims().iter().flatten() {
                assert!(p.birth.is_finite() && !p.death.is_nan() && p.death >= p.birth, "{p:?}");
            }
        }
    }
});
