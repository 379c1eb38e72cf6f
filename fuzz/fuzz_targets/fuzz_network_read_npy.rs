//! `npy::read_npy` must never panic; an array it accepts holds exactly the
//! number of elements its shape says, and survives a write/read round trip
//! when it is `f64`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nnph_network::npy::{NpyData, read_npy, write_npy_f64};

fuzz_target!(|data: &[u8]| {
    let Ok(array) = read_npy(data) else {
        return;
    };
    let count: usize = array.shape.iter().product();
    assert_eq!(count, array.len());
    if let NpyData::F64(values) = &array.data {
        let mut bytes = Vec::new();
        write_npy_f64(&mut bytes, &array.shape, values).expect("writing to a Vec cannot fail");
        let again = read_npy(&bytes).expect("a written array reads back");
        assert_eq!(again.shape, array.shape);
        let NpyData::F64(back) = again.data else { panic!("dtype changed") };
        assert!(back.iter().zip(values).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
});
