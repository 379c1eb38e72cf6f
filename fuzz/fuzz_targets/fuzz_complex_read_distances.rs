//! `nnph_complex::distances::read_distances` must never panic on any bytes, in any of Ripser's
//! text formats (the first byte picks the format); what it accepts is a valid dissimilarity.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nnph_complex::distances::{DistanceFormat, read_distances};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let format = match selector % 4 {
        0 => DistanceFormat::LowerDistance,
        1 => DistanceFormat::Distance,
        2 => DistanceFormat::PointCloud,
        _ => DistanceFormat::Sparse,
    };
    if let Ok(d) = read_distances(rest, format) {
        let n = d.len();
        for i in 0..n.min(64) {
            assert_eq!(d.get(i, i), 0.0);
            for j in 0..i {
                let x = d.get(i, j);
                assert!(!x.is_nan() && x >= 0.0, "({i}, {j}) = {x}");
                assert_eq!(x, d.get(j, i));
            }
        }
    }
});
