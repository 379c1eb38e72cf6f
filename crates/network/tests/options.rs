//! Each [`GraphOptions`] field changes the graph as documented.

use ndarray::array;
use nnph_network::{BiasVertices, Direction, ErrorKind, GraphOptions, Network, Normalisation};

use crate::common::{edges, net0};

/// A 2-2-1 net whose layers have very different scales: max |w| 4 in layer
/// 1, 0.5 in layer 2, and a bias of 8.
fn two_scales() -> Network {
    Network::try_dense(vec![
        ("a".to_owned(), array![[4.0_f32, -2.0], [1.0, 0.0]], Some(array![8.0_f32, -1.0])),
        ("b".to_owned(), array![[0.5_f32], [-0.25]], Some(array![0.125_f32])),
    ])
    .unwrap()
}

#[test]
fn default_is_the_paper() {
    let o = GraphOptions::default();
    assert_eq!(o.direction, Direction::BySign);
    assert_eq!(o.normalisation, Normalisation::Global);
    assert!(o.include_bias_in_normaliser);
    assert_eq!(o.bias_vertices, BiasVertices::PerNeuron);
    assert_eq!(o.zeta, 1e-6_f32);
}

#[test]
fn global_normaliser_includes_biases() {
    let e = edges(&two_scales().to_graph(&GraphOptions::default()).unwrap());
    // M = 8 (a bias): weight 4 gets 1 - 4/8, the bias 8 gets zeta.
    assert_eq!(e[0].2, 0.5);
    assert_eq!(e[4].2, 1e-6);
    // Layer b weight 0.5: 1 - 0.5/8.
    assert_eq!(e[6].2, 1.0 - 0.5 / 8.0);
}

#[test]
fn normaliser_without_biases() {
    let mut o = GraphOptions::default();
    o.include_bias_in_normaliser = false;
    let e = edges(&two_scales().to_graph(&o).unwrap());
    // M = 4 (weights only): weight 4 gets zeta, weight -2 gets 0.5, and the
    // bias 8 (|b| > M) is clamped to zeta.
    assert_eq!(e[0].2, 1e-6);
    assert_eq!(e[1].2, 0.5);
    assert_eq!(e[4].2, 1e-6);
}

#[test]
fn per_layer_normalisation() {
    let mut o = GraphOptions::default();
    o.normalisation = Normalisation::PerLayer;
    let e = edges(&two_scales().to_graph(&o).unwrap());
    // Layer a: M = 8 (its bias), as globally.
    assert_eq!(e[0].2, 0.5);
    // Layer b: M = 0.5, so its weight 0.5 gets zeta and -0.25 gets 0.5.
    assert_eq!(e[6].2, 1e-6);
    assert_eq!(e[7].2, 0.5);
    assert_eq!(e[8].2, 1.0 - 0.125 / 0.5);

    o.include_bias_in_normaliser = false;
    let e = edges(&two_scales().to_graph(&o).unwrap());
    // Layer a: M = 4 now.
    assert_eq!(e[0].2, 1e-6);
    assert_eq!(e[1].2, 0.5);
}

#[test]
fn no_bias_vertices() {
    let mut o = GraphOptions::default();
    o.bias_vertices = BiasVertices::None;
    let g = net0().to_graph(&o).unwrap();
    assert_eq!(g.node_count(), 4 + 3 + 2);
    assert_eq!(g.edge_count(), 12 + 6);
    let with = edges(&net0().to_graph(&GraphOptions::default()).unwrap());
    let without = edges(&g);
    // The weight values are unchanged (biases still count in M = 0.9), and
    // the output neurons move from 10, 11 to 7, 8.
    assert_eq!(without[0], (4, 0, with[0].2));
    assert_eq!(without[12 + 5], (6, 8, 1e-6));
    for (a, b) in without[..12].iter().zip(&with[..12]) {
        assert_eq!(a, b);
    }
}

#[test]
fn forward_direction() {
    let mut o = GraphOptions::default();
    o.direction = Direction::Forward;
    let fwd = edges(&net0().to_graph(&o).unwrap());
    let by_sign = edges(&net0().to_graph(&GraphOptions::default()).unwrap());
    assert_eq!(fwd.len(), by_sign.len());
    for (f, s) in fwd.iter().zip(&by_sign) {
        // Same values and the same vertex pair, possibly flipped.
        assert_eq!(f.2, s.2);
        assert!((f.0, f.1) == (s.0, s.1) || (f.0, f.1) == (s.1, s.0));
    }
    // Weights point from the earlier layer to the later one ...
    assert_eq!(fwd[0], (0, 4, 1.0));
    assert!(fwd[..12].iter().all(|e| e.0 < 4 && (4..7).contains(&e.1)));
    // ... and biases from the bias vertex to its neuron.
    assert_eq!(
        &fwd[12..15].iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(),
        &[(7, 4), (8, 5), (9, 6)]
    );
    assert_eq!(&fwd[21..].iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(), &[(12, 10), (13, 11)]);
}

#[test]
fn zeta_clamps() {
    let mut o = GraphOptions::default();
    o.zeta = 0.5;
    let e = edges(&two_scales().to_graph(&o).unwrap());
    assert!(e.iter().all(|x| x.2 >= 0.5));
    // 1 - 4/8 = 0.5 stays, 1 - 8/8 = 0 becomes 0.5, 1 - 0/8 = 1 stays.
    assert_eq!(e[0].2, 0.5);
    assert_eq!(e[4].2, 0.5);
    assert_eq!(e[3].2, 1.0);
    o.zeta = 1.0;
    let e = edges(&two_scales().to_graph(&o).unwrap());
    assert!(e.iter().all(|x| x.2 == 1.0));
}

#[test]
fn invalid_zeta() {
    for zeta in [0.0, -1e-6, 1.5, f32::NAN, f32::INFINITY] {
        let mut o = GraphOptions::default();
        o.zeta = zeta;
        let err = net0().to_graph(&o).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidOption { option: "zeta", .. }),
            "{zeta}: {err}"
        );
        assert!(err.to_string().contains("zeta"), "{err}");
    }
}

#[test]
fn all_zero_network() {
    let net = Network::try_dense(vec![
        ("a".to_owned(), array![[0.0_f32, -0.0]], Some(array![0.0_f32, 0.0])),
        ("b".to_owned(), array![[0.0_f32], [0.0]], None),
    ])
    .unwrap();
    assert_eq!(net.max_abs_parameter(), 0.0);
    let err = net.to_graph(&GraphOptions::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::AllZero { layer: None }), "{err}");
    assert!(err.to_string().contains("network"), "{err}");
}

#[test]
fn all_zero_layer() {
    let net = Network::try_dense(vec![
        ("a".to_owned(), array![[1.0_f32, -0.5]], Some(array![0.0_f32, 0.0])),
        ("b".to_owned(), array![[0.0_f32], [0.0]], Some(array![0.0_f32])),
    ])
    .unwrap();
    // Globally fine ...
    net.to_graph(&GraphOptions::default()).unwrap();
    // ... but layer b has M = 0.
    let mut o = GraphOptions::default();
    o.normalisation = Normalisation::PerLayer;
    let err = net.to_graph(&o).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::AllZero { layer: Some(l) } if l == "b"), "{err}");
    assert!(err.to_string().contains("layer \"b\""), "{err}");
    // Weights-only global normaliser of a net whose only non-zero value is a bias.
    let net = Network::try_dense(vec![(
        "a".to_owned(),
        array![[0.0_f32, 0.0]],
        Some(array![1.0_f32, 0.0]),
    )])
    .unwrap();
    let mut o = GraphOptions::default();
    o.include_bias_in_normaliser = false;
    assert!(matches!(net.to_graph(&o).unwrap_err().kind(), ErrorKind::AllZero { layer: None }));
}

#[test]
fn layers_without_bias_have_no_bias_vertices() {
    let net = Network::try_dense(vec![
        ("a".to_owned(), array![[1.0_f32, -0.5]], None),
        ("b".to_owned(), array![[0.25_f32], [2.0]], Some(array![0.5_f32])),
    ])
    .unwrap();
    let g = net.to_graph(&GraphOptions::default()).unwrap();
    // 1 input, 2 hidden (no bias vertices), 1 output + 1 bias vertex.
    assert_eq!(g.node_count(), 1 + 2 + 2);
    assert_eq!(g.edge_count(), 2 + 2 + 1);
    assert_eq!(edges(&g)[4], (4, 3, 0.75));
}

#[test]
fn large_network_converts() {
    // 784-512-512-10, the paper's base MLP: 669,706 edges.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let sizes = [784, 512, 512, 10];
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(k, w)| {
            let weight = ndarray::Array2::from_shape_simple_fn((w[0], w[1]), &mut next);
            let bias = ndarray::Array1::from_shape_simple_fn(w[1], &mut next);
            (format!("{k}"), weight, Some(bias))
        })
        .collect();
    let net = Network::try_dense(layers).unwrap();
    let g = net.to_graph(&GraphOptions::default()).unwrap();
    assert_eq!(g.node_count(), 784 + 2 * (512 + 512 + 10));
    assert_eq!(g.edge_count(), 669_706);
}

/// `layer_activation_link`: after each layer's weight edges, every ordered pair of distinct
/// neurons of its output block, valued `1/n + 1/activation_count` (hidden blocks share the
/// count of all hidden neurons; the output block counts alone).
#[test]
fn layer_activation_link() {
    use ndarray::{Array1, Array2};
    // 2 inputs, hidden blocks of 3 and 2, 1 output.
    let net = Network::try_dense(vec![
        ("a".to_owned(), Array2::from_elem((2, 3), 0.5_f32), Some(Array1::zeros(3))),
        ("b".to_owned(), Array2::from_elem((3, 2), -0.5_f32), Some(Array1::zeros(2))),
        ("c".to_owned(), Array2::from_elem((2, 1), 1.0_f32), None),
    ])
    .unwrap();
    let plain = net.to_graph(&GraphOptions::default()).unwrap();
    let mut o = GraphOptions::default();
    o.layer_activation_link = true;
    let g = net.to_graph(&o).unwrap();
    assert_eq!(g.node_count(), plain.node_count());
    // 3·2 + 2·1 links, none for the 1-neuron output block.
    assert_eq!(g.edge_count(), plain.edge_count() + 6 + 2);
    let e = edges(&g);
    // Layer a: 6 weight edges, then the 6 links of block 1 (vertices 2, 3, 4), then 3 biases.
    let hidden = (1.0 / 3.0 + 1.0 / 5.0_f64) as f32;
    let expected: Vec<(usize, usize, f32)> = [(2, 3), (2, 4), (3, 2), (3, 4), (4, 2), (4, 3)]
        .iter()
        .map(|&(i, j)| (i, j, hidden))
        .collect();
    assert_eq!(e[6..12].to_vec(), expected);
    // Layer b's block has 2 neurons: value 1/2 + 1/5, after its 6 weight edges.
    let second = (0.5 + 0.2_f64) as f32;
    assert_eq!(e.iter().filter(|x| x.2 == second).count(), 2);
    assert!(!GraphOptions::default().layer_activation_link);
}
