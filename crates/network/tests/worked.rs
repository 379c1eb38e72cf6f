//! NET 0 of the reference test vector (reference-pipeline.md §8), built in code.

use nnph_network::GraphOptions;

use crate::common::{edges, net0};

#[test]
fn net0_counts() {
    let net = net0();
    assert_eq!(net.layer_sizes(), vec![4, 3, 2]);
    assert_eq!(net.parameter_count(), 12 + 3 + 6 + 2);
    assert_eq!(net.max_abs_parameter(), 0.900_f32);
    let g = net.to_graph(&GraphOptions::default()).unwrap();
    assert_eq!(g.node_count(), 4 + 2 * (3 + 2));
    assert_eq!(g.edge_count(), 12 + 3 + 6 + 2);
    assert!(g.node_weights().all(|&v| v == 0.0));
}

#[test]
fn net0_edges() {
    // Vertices: inputs 0..4, hidden 4..7, hidden biases 7..10, outputs 10..12,
    // output biases 12..14.
    let e = edges(&net0().to_graph(&GraphOptions::default()).unwrap());
    // w = 0.000 from input 0 to hidden 0: backwards, value exactly 1.
    assert_eq!(e[0], (4, 0, 1.0));
    // w = 0.867 > 0: forwards.
    assert_eq!((e[1].0, e[1].1), (0, 5));
    // w = -0.619 from input 1 to hidden 0: backwards.
    assert_eq!((e[3].0, e[3].1), (4, 1));
    // Biases of layer 1: 0.2 > 0 points bias -> neuron, the others neuron -> bias.
    assert_eq!((e[12].0, e[12].1), (7, 4));
    assert_eq!((e[13].0, e[13].1), (5, 8));
    assert_eq!((e[14].0, e[14].1), (6, 9));
    // The largest |parameter| (0.900, layer 2, hidden 2 -> output 1) gets 1e-6_f32.
    assert_eq!(e[15 + 2 * 2 + 1], (6, 11, 1e-6_f32));
    assert_eq!(f64::from(1e-6_f32), 9.999_999_974_752_427e-7);
    assert_eq!(e.iter().filter(|x| x.2 == 1e-6_f32).count(), 1);
    // Biases of layer 2: 0.199 > 0 and -0.121.
    assert_eq!((e[21].0, e[21].1), (12, 10));
    assert_eq!((e[22].0, e[22].1), (11, 13));
    // Values that appear in the reference diagrams of §8 (H0 deaths and an
    // H1 birth of NET 0), exactly.
    assert_eq!(f64::from(e[11].2), 0.013_333_320_617_675_781); // w = 0.888
    assert_eq!(f64::from(e[15].2), 0.024_444_401_264_190_674); // w = 0.878
    assert_eq!(f64::from(e[1].2), 0.036_666_631_698_608_4); // w = 0.867
    assert_eq!(f64::from(e[5].2), 0.784_444_451_332_092_3); // w = 0.194
    // Every value is in [1e-6, 1].
    assert!(e.iter().all(|x| (1e-6_f32..=1.0).contains(&x.2)));
}
