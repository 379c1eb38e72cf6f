//! `Network::from_npz_bytes` must never panic, and a network it accepts must
//! convert to a graph (or fail with an error) without panicking.
#![no_main]

use libfuzzer_sys::{Corpus, fuzz_target};
use nnph_network::{GraphOptions, Network};

fuzz_target!(|data: &[u8]| -> Corpus {
    // Inputs that are not zip archives are uninteresting.
    if !data.starts_with(b"PK") {
        return Corpus::Reject;
    }
    if let Ok(net) = Network::from_npz_bytes(data) {
        // The parameters are bounded by the input size, so this is cheap.
        let _ = net.to_graph(&GraphOptions::default());
    }
    Corpus::Keep
});
