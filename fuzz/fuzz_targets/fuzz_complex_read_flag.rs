//! `nnph_complex::flag::read_flag` must never panic on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nnph_complex::flag::read_flag(data);
});
