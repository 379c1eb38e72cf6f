//! `Network::from_onnx_bytes` must never panic, and a network it accepts must convert to a
//! graph (or fail with an error) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nnph_network::{GraphOptions, Network};

fuzz_target!(|data: &[u8]| {
    if let Ok(net) = Network::from_onnx_bytes(data) {
        let _ = net.to_graph(&GraphOptions::default());
    }
});
