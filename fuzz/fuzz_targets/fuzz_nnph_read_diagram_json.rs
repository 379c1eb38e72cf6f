//! `nnph::io::diagram_from_json` (nnph-diagram/1) must never panic on any text, and a diagram
//! it accepts must survive a write/read round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(diagram) = nnph::io::diagram_from_json(text) {
        for q in 0..diagram.dims().len() {
            for p in diagram.dim(q) {
                assert!(p.birth.is_finite() && !p.death.is_nan() && p.death >= p.birth, "{p:?}");
            }
        }
        let again = nnph::io::diagram_to_json(&diagram, None).to_string();
        let back = nnph::io::diagram_from_json(&again).expect("a written diagram reads back");
        assert_eq!(back, diagram);
    }
});
