//! The whole pipeline on small arbitrary dense networks: network → graph → persistence
//! diagram → heat distance. Must never panic; a diagram it produces has finite births, deaths
//! that are not before births, and the distance of a diagram to itself is zero.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndarray::{Array1, Array2};
use nnph::pipeline::{CompareOptions, DiagramOptions, compare, network_diagram};
use nnph_distance::Metric;
use nnph_network::Network;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next().unwrap_or(0);
    let layers = 1 + usize::from(next() % 3);
    let mut widths = vec![1 + usize::from(next() % 6)];
    for _ in 0..layers {
        widths.push(1 + usize::from(next() % 6));
    }
    // Weights: one byte each, mostly small values, with NaN, ±inf, zero and ties reachable.
    let mut value = || match next() {
        255 => f32::NAN,
        254 => f32::INFINITY,
        253 => f32::NEG_INFINITY,
        b => (f32::from(b) - 126.0) / 25.0,
    };
    let mut parts = Vec::new();
    for (k, w) in widths.windows(2).enumerate() {
        let weight = Array2::from_shape_fn((w[0], w[1]), |_| value());
        let bias = Array1::from_shape_fn(w[1], |_| value());
        parts.push((format!("W{k}"), weight, Some(bias)));
    }
    let Ok(network) = Network::try_dense(parts) else { return };
    let Ok(diagram) = network_diagram(&network, &DiagramOptions::default()) else { return };
    for q in 0..diagram.dims().len() {
        for p in diagram.dim(q) {
            assert!(p.birth.is_finite() && !p.death.is_nan() && p.death >= p.birth, "{p:?}");
        }
    }
    let d = compare(&[diagram.clone(), diagram], &CompareOptions::paper(Metric::HEAT), None)
        .expect("two equal diagrams compare");
    assert_eq!(d.get(0, 1), 0.0);
});
