//! Readers: layouts, formats and dtypes give the expected networks.

use ndarray::{Array1, Array2, array};
use nnph_network::{ErrorKind, Network};
use safetensors::Dtype;
use safetensors::tensor::TensorView;

use crate::common::{
    Tensor, keras_tensors, net0, net0_layers, npz_f32, safetensors_f32, testdata, torch_tensors,
};

/// Asserts that two networks have the same shapes and parameters (names may differ).
fn same_parameters(a: &Network, b: &Network) {
    assert_eq!(a.layer_sizes(), b.layer_sizes());
    for (x, y) in a.layers().iter().zip(b.layers()) {
        assert_eq!((x.from, x.to), (y.from, y.to));
        assert_eq!(x.weight, y.weight);
        assert_eq!(x.bias, y.bias);
    }
}

#[test]
fn keras_npz_stored_and_deflated() {
    for deflate in [false, true] {
        let bytes = npz_f32(&keras_tensors(&net0_layers()), deflate);
        let net = Network::from_npz_bytes(&bytes).unwrap();
        same_parameters(&net, &net0());
        assert_eq!(net.layers()[0].name, "0");
        assert_eq!(net.blocks()[0].name, "input");
        assert_eq!(net.blocks()[2].name, "1");
        assert_eq!(net.layers()[1].weight.shape(), &[3, 2]);
    }
}

#[test]
fn npz_member_names_without_npy_suffix() {
    let tensors = keras_tensors(&net0_layers());
    let members: Vec<(&str, Vec<u8>)> =
        tensors.iter().map(|(n, s, d)| (n.as_str(), crate::common::npy_f32(s, d))).collect();
    let bytes = crate::common::zip_bytes(&members, false);
    same_parameters(&Network::from_npz_bytes(&bytes).unwrap(), &net0());
}

#[test]
fn torch_npz_is_transposed() {
    let bytes = npz_f32(&torch_tensors("fc", &net0_layers()), true);
    let net = Network::from_npz_bytes(&bytes).unwrap();
    same_parameters(&net, &net0());
    assert_eq!(net.layers()[0].name, "fc0");
    assert!(net.layers()[0].weight.is_standard_layout());
}

#[test]
fn safetensors_round_trip_equals_npz() {
    let tensors = torch_tensors("model.layers.", &net0_layers());
    let from_st = Network::from_safetensors_bytes(&safetensors_f32(&tensors)).unwrap();
    let from_npz = Network::from_npz_bytes(&npz_f32(&tensors, false)).unwrap();
    assert_eq!(from_st, from_npz);
    same_parameters(&from_st, &net0());
    let keras = Network::from_npz_bytes(&npz_f32(&keras_tensors(&net0_layers()), false)).unwrap();
    same_parameters(&from_st, &keras);
    assert_eq!(from_st.layers()[1].name, "model.layers.1");
}

/// A safetensors file with one dtype for every tensor.
fn safetensors_with(dtype: Dtype, tensors: &[Tensor], encode: impl Fn(f32) -> Vec<u8>) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> =
        tensors.iter().map(|(_, _, d)| d.iter().flat_map(|&x| encode(x)).collect()).collect();
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((n, s, _), b)| (n.clone(), TensorView::new(dtype, s.clone(), b).unwrap()))
        .collect();
    safetensors::serialize(views, None).unwrap()
}

/// Weights exactly representable in f16 and bf16.
fn small_layers() -> Vec<(Array2<f32>, Option<Array1<f32>>)> {
    vec![
        (array![[0.5, -0.25, 1.0], [0.0, -2.0, 0.125]], Some(array![0.75, -0.5, 0.0])),
        (array![[1.5], [-1.0], [0.0625]], None),
    ]
}

fn f32_to_f16_exact(x: f32) -> u16 {
    // Test helper for normal values exactly representable in f16.
    if x == 0.0 {
        return if x.is_sign_negative() { 0x8000 } else { 0 };
    }
    let bits = x.to_bits();
    let sign = ((bits >> 31) as u16) << 15;
    let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    let man = ((bits & 0x7f_ffff) >> 13) as u16;
    assert!((1..31).contains(&exp) && bits & 0x1fff == 0, "{x} is not an exact f16");
    sign | ((exp as u16) << 10) | man
}

#[test]
fn safetensors_dtypes() {
    let tensors = torch_tensors("l", &small_layers());
    let expected = Network::from_safetensors_bytes(&safetensors_f32(&tensors)).unwrap();
    let f64_file = safetensors_with(Dtype::F64, &tensors, |x| f64::from(x).to_le_bytes().to_vec());
    let f16_file =
        safetensors_with(Dtype::F16, &tensors, |x| f32_to_f16_exact(x).to_le_bytes().to_vec());
    let bf16_file = safetensors_with(Dtype::BF16, &tensors, |x| {
        ((x.to_bits() >> 16) as u16).to_le_bytes().to_vec()
    });
    for (name, file) in [("F64", f64_file), ("F16", f16_file), ("BF16", bf16_file)] {
        let net = Network::from_safetensors_bytes(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(net, expected, "{name}");
    }
    // F64 values are rounded to the nearest f32.
    let tensors: Vec<Tensor> = vec![("a.weight".into(), vec![1, 1], vec![0.0])];
    let file = safetensors_with(Dtype::F64, &tensors, |_| 0.1_f64.to_le_bytes().to_vec());
    let net = Network::from_safetensors_bytes(&file).unwrap();
    assert_eq!(net.layers()[0].weight[[0, 0]], 0.1_f32);
}

#[test]
fn safetensors_rejects_other_dtypes() {
    let tensors: Vec<Tensor> = vec![("a.weight".into(), vec![1, 2], vec![1.0, 2.0])];
    let file = safetensors_with(Dtype::I32, &tensors, |x| (x as i32).to_le_bytes().to_vec());
    let err = Network::from_safetensors_bytes(&file).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::UnsupportedDtype { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("a.weight") && msg.contains("I32"), "{msg}");
}

#[test]
fn layers_follow_natural_sort() {
    // Twelve 1-1 layers named layer0 .. layer11, with weights 1 .. 12, written
    // in lexicographic order (layer0, layer1, layer10, layer11, layer2, ...).
    let mut tensors: Vec<Tensor> =
        (0..12).map(|k| (format!("layer{k}.weight"), vec![1, 1], vec![(k + 1) as f32])).collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    for file in [npz_f32(&tensors, false), safetensors_f32(&tensors)] {
        let net =
            Network::from_npz_bytes(&file).or_else(|_| Network::from_safetensors_bytes(&file));
        let net = net.unwrap();
        let w: Vec<f32> = net.layers().iter().map(|l| l.weight[[0, 0]]).collect();
        assert_eq!(w, (1..=12).map(|k| k as f32).collect::<Vec<_>>());
        assert_eq!(net.layers()[10].name, "layer10");
    }
    // Keras indices too: W10 after W9.
    let tensors: Vec<Tensor> =
        (0..11).map(|k| (format!("W{k}"), vec![1, 1], vec![(k + 1) as f32])).collect();
    let net = Network::from_npz_bytes(&npz_f32(&tensors, false)).unwrap();
    assert_eq!(net.layers()[10].weight[[0, 0]], 11.0);
    // Dotted names: fc.9 before fc.10.
    let tensors: Vec<Tensor> = vec![
        ("fc.10.weight".into(), vec![1, 2], vec![1.0, 2.0]),
        ("fc.9.weight".into(), vec![2, 3], vec![1.0; 6]),
    ];
    let net = Network::from_npz_bytes(&npz_f32(&tensors, false)).unwrap();
    assert_eq!(net.layer_sizes(), vec![3, 2, 1]);
}

#[test]
fn optional_biases() {
    let tensors: Vec<Tensor> = vec![
        ("W0".into(), vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]),
        ("W1".into(), vec![2, 1], vec![1.0, 2.0]),
        ("b1".into(), vec![1], vec![0.5]),
    ];
    let net = Network::from_npz_bytes(&npz_f32(&tensors, true)).unwrap();
    assert!(net.layers()[0].bias.is_none());
    assert_eq!(net.layers()[1].bias, Some(array![0.5]));
    assert_eq!(net.parameter_count(), 7);
}

#[test]
fn from_path_dispatches_on_content() {
    let dir = tempfile::tempdir().unwrap();
    let tensors = torch_tensors("fc", &net0_layers());
    // Misleading extensions: the magic bytes decide.
    let npz_path = dir.path().join("weights.safetensors");
    std::fs::write(&npz_path, npz_f32(&tensors, false)).unwrap();
    let st_path = dir.path().join("weights.bin");
    std::fs::write(&st_path, safetensors_f32(&tensors)).unwrap();
    let a = Network::from_path(&npz_path).unwrap();
    let b = Network::from_path(&st_path).unwrap();
    assert_eq!(a, b);
}

#[test]
fn python_made_fixtures() {
    // Written by testdata/networks/make_fixtures.py with the Python standard
    // library only (an independent writer): see testdata/networks/README.md.
    let expected = net0();
    for name in [
        "0001_net0_keras_f4_stored.npz",
        "0002_net0_torch_f8_deflate.npz",
        "0003_net0_keras_fortran_bigendian.npz",
        "0004_net0_torch.safetensors",
    ] {
        let net = Network::from_path(&testdata(&format!("networks/{name}")))
            .unwrap_or_else(|e| panic!("{e}"));
        same_parameters(&net, &expected);
    }
    let net =
        Network::from_path(&testdata("networks/0005_small_torch_f16_bf16.safetensors")).unwrap();
    same_parameters(
        &net,
        &Network::from_safetensors_bytes(&safetensors_f32(&torch_tensors("l", &small_layers())))
            .unwrap(),
    );
}

#[test]
fn onnx_fixtures() {
    // Written by testdata/networks/make_onnx.py with the onnx package: see
    // testdata/networks/README.md.
    for name in ["0006_net0_gemm.onnx", "0007_net0_matmul_add.onnx"] {
        let net = Network::from_path(&testdata(&format!("networks/{name}")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        same_parameters(&net, &net0());
    }
    // Gemm with alpha = 2, beta = 0.5 and B as [in, out]; float16; a MatMul without bias.
    let net = Network::from_path(&testdata("networks/0008_small_f16_alpha_beta.onnx")).unwrap();
    let mut expected = small_layers();
    expected[0].0.mapv_inplace(|w| 2.0 * w);
    expected[0].1.as_mut().unwrap().mapv_inplace(|b| 0.5 * b);
    let expected: Vec<_> =
        expected.into_iter().enumerate().map(|(k, (w, b))| (format!("l{k}"), w, b)).collect();
    same_parameters(&net, &Network::try_dense(expected).unwrap());
    // A convolution is refused with the node's name.
    let err = Network::from_path(&testdata("networks/0009_conv.onnx")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::UnsupportedFormat { .. }), "{err}");
    assert!(err.to_string().contains("/conv1/Conv"), "{err}");
    assert!(err.to_string().contains("not a dense layer"), "{err}");
}

#[test]
fn onnx_rejects_garbage_without_panicking() {
    let good = std::fs::read(testdata("networks/0006_net0_gemm.onnx")).unwrap();
    for cut in 0..good.len() {
        let _ = Network::from_onnx_bytes(&good[..cut]);
    }
    let mut x = 0x9e37_79b9_u32;
    for _ in 0..200 {
        let bytes: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        assert!(Network::from_onnx_bytes(&bytes).is_err());
    }
}
