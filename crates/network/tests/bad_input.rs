//! Bad input returns an error with a useful message, and never panics.

use std::path::Path;

use ndarray::array;
use nnph_network::npy::read_npy;
use nnph_network::{Error, ErrorKind, Network};
use proptest::prelude::*;

use crate::common::{
    Tensor, keras_tensors, net0_layers, npy_f32, npz_f32, safetensors_f32, torch_tensors, zip_bytes,
};

fn npz_err(tensors: &[Tensor]) -> Error {
    Network::from_npz_bytes(&npz_f32(tensors, false)).unwrap_err()
}

fn t(name: &str, shape: &[usize], data: &[f32]) -> Tensor {
    (name.to_owned(), shape.to_vec(), data.to_vec())
}

/// Runs every reader over some bytes; only the absence of panics matters.
fn read_all(bytes: &[u8]) {
    let _ = Network::from_npz_bytes(bytes);
    let _ = Network::from_safetensors_bytes(bytes);
    let _ = read_npy(bytes);
}

#[test]
fn truncated_npz_at_every_offset() {
    for deflate in [false, true] {
        let bytes = npz_f32(&keras_tensors(&net0_layers()), deflate);
        for cut in 0..bytes.len() {
            let err = Network::from_npz_bytes(&bytes[..cut]).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        Network::from_npz_bytes(&bytes).unwrap();
    }
}

#[test]
fn truncated_safetensors_at_every_offset() {
    let bytes = safetensors_f32(&torch_tensors("fc", &net0_layers()));
    for cut in 0..bytes.len() {
        let err = Network::from_safetensors_bytes(&bytes[..cut]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Container { format: "safetensors", .. }), "{err}");
    }
}

#[test]
fn truncated_npy_at_every_offset() {
    let bytes = npy_f32(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    for cut in 0..bytes.len() {
        let err = read_npy(&bytes[..cut]).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Npy { .. }), "{cut}: {err}");
    }
}

#[test]
fn non_finite_weights() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let err = npz_err(&[t("W0", &[2, 2], &[1.0, 2.0, bad, 4.0])]);
        assert!(
            matches!(err.kind(), ErrorKind::NonFinite { tensor, index: 2, .. } if tensor == "W0"),
            "{err}"
        );
        assert!(err.to_string().contains("\"W0\"") && err.to_string().contains("index 2"), "{err}");
        // The index is in the file's order, also for transposed PyTorch weights.
        let err = Network::from_safetensors_bytes(&safetensors_f32(&[
            t("a.weight", &[2, 3], &[1.0, 2.0, 3.0, 4.0, bad, 6.0]),
            t("a.bias", &[2], &[0.0, 0.0]),
        ]))
        .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::NonFinite { tensor, index: 4, .. } if tensor == "a.weight"),
            "{err}"
        );
        let err = npz_err(&[t("W0", &[1, 2], &[1.0, 2.0]), t("b0", &[2], &[bad, 0.0])]);
        assert!(
            matches!(err.kind(), ErrorKind::NonFinite { tensor, index: 0, .. } if tensor == "b0")
        );
        let err = Network::try_dense(vec![("x".into(), array![[1.0, 2.0], [3.0, bad]], None)])
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::NonFinite { tensor, index: 3, .. } if tensor == "x")
        );
    }
}

#[test]
fn f64_beyond_f32_range() {
    let mut npy = Vec::new();
    nnph_network::npy::write_npy_f64(&mut npy, &[1, 2], &[1.0, 1e300]).unwrap();
    let err = Network::from_npz_bytes(&zip_bytes(&[("W0.npy", npy)], false)).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::OutOfRange { tensor, index: 1, .. } if tensor == "W0"),
        "{err}"
    );
}

#[test]
fn shapes_that_do_not_chain() {
    let err = npz_err(&[t("W0", &[3, 128], &[0.5; 384]), t("W1", &[64, 10], &[0.5; 640])]);
    assert!(matches!(err.kind(), ErrorKind::ShapeMismatch { tensor, .. } if tensor == "W1"));
    assert_eq!(
        err.to_string(),
        "tensor \"W1\" has shape [64, 10] but it has 64 inputs and the previous layer has 128 outputs"
    );
    // A bias of the wrong length.
    let err = npz_err(&[t("W0", &[2, 3], &[0.5; 6]), t("b0", &[2], &[0.5; 2])]);
    assert!(
        matches!(err.kind(), ErrorKind::ShapeMismatch { tensor, .. } if tensor == "b0"),
        "{err}"
    );
    // A 2-D bias.
    let err = npz_err(&[t("W0", &[2, 3], &[0.5; 6]), t("b0", &[1, 3], &[0.5; 3])]);
    assert!(
        matches!(err.kind(), ErrorKind::ShapeMismatch { tensor, .. } if tensor == "b0"),
        "{err}"
    );
    // A zero-sized layer.
    let err = npz_err(&[t("W0", &[2, 0], &[])]);
    assert!(matches!(err.kind(), ErrorKind::ShapeMismatch { .. }), "{err}");
    // try_dense names the layer.
    let err = Network::try_dense(vec![
        ("a".into(), array![[1.0, 2.0]], None),
        ("b".into(), array![[1.0], [2.0], [3.0]], None),
    ])
    .unwrap_err();
    assert!(err.to_string().starts_with("tensor \"b\" has shape [3, 1]"), "{err}");
}

#[test]
fn all_zero_weights_from_file() {
    let net = Network::from_npz_bytes(&npz_f32(&[t("W0", &[2, 2], &[0.0; 4])], false)).unwrap();
    let err = net.to_graph(&Default::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::AllZero { layer: None }));
}

#[test]
fn ambiguous_layouts() {
    let cases: Vec<(&str, Vec<Tensor>)> = vec![
        ("mixed", vec![t("W0", &[1, 1], &[1.0]), t("fc.weight", &[1, 1], &[1.0])]),
        ("bias without weight", vec![t("W0", &[1, 1], &[1.0]), t("b1", &[1], &[1.0])]),
        ("torch bias without weight", vec![t("fc.bias", &[1], &[1.0])]),
        ("gap", vec![t("W0", &[1, 1], &[1.0]), t("W2", &[1, 1], &[1.0])]),
        ("not from 0", vec![t("W1", &[1, 1], &[1.0])]),
        ("3-D weight", vec![t("W0", &[1, 1, 1], &[1.0])]),
        ("1-D weight", vec![t("fc.weight", &[3], &[1.0; 3])]),
        (
            "buffer",
            vec![
                t("bn.weight", &[1, 1], &[1.0]),
                t("bn.running_mean", &[1], &[1.0]),
                t("bn.num_batches_tracked", &[], &[1.0]),
            ],
        ),
        ("unknown", vec![t("kernel", &[1, 1], &[1.0])]),
        ("leading zero", vec![t("W0", &[1, 1], &[1.0]), t("W01", &[1, 1], &[1.0])]),
        ("empty prefix", vec![t(".weight", &[1, 1], &[1.0])]),
    ];
    for (what, tensors) in cases {
        for err in [
            npz_err(&tensors),
            Network::from_safetensors_bytes(&safetensors_f32(&tensors)).unwrap_err(),
        ] {
            let ErrorKind::AmbiguousLayout { tensors: found, .. } = err.kind() else {
                panic!("{what}: {err}");
            };
            assert_eq!(found.len(), tensors.len(), "{what}");
            // The message lists every tensor found.
            let msg = err.to_string();
            for (name, _, _) in &tensors {
                assert!(msg.contains(name.as_str()), "{what}: {msg}");
            }
        }
    }
}

#[test]
fn duplicate_npz_members() {
    // "W0.npy" and "W0" both name the array W0.
    let npy = npy_f32(&[1, 1], &[1.0]);
    let bytes = zip_bytes(&[("W0.npy", npy.clone()), ("W0", npy)], false);
    let err = Network::from_npz_bytes(&bytes).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::AmbiguousLayout { .. }), "{err}");
    assert!(err.to_string().contains("twice"), "{err}");
}

#[test]
fn empty_containers() {
    let err = Network::from_npz_bytes(&zip_bytes(&[], false)).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NoTensors), "{err}");
    let err = Network::from_safetensors_bytes(&safetensors_f32(&[])).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NoTensors), "{err}");
    let err = Network::try_dense(vec![]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NoTensors), "{err}");
}

#[test]
fn unsupported_npz_dtype() {
    let mut npy = Vec::new();
    nnph_network::npy::write_npy_i64(&mut npy, &[1, 1], &[1]).unwrap();
    let err = Network::from_npz_bytes(&zip_bytes(&[("W0.npy", npy)], false)).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnsupportedDtype { tensor, .. } if tensor == "W0"),
        "{err}"
    );
}

#[test]
fn malformed_npy_member_names_the_tensor() {
    let mut npy = npy_f32(&[2, 2], &[1.0; 4]);
    npy.pop();
    let err = Network::from_npz_bytes(&zip_bytes(&[("W0.npy", npy)], false)).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Npy { tensor, .. } if tensor == "W0"), "{err}");
    assert!(err.to_string().contains("16 data bytes but 15"), "{err}");
}

/// An `.npy` header with the given dict text and data.
fn raw_npy(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn npy_huge_shape_fails_fast() {
    let start = std::time::Instant::now();
    for shape in ["(1099511627776, 1099511627776)", "(1048576, 1048576)", "(18446744073709551615,)"]
    {
        let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}\n");
        let err = read_npy(&raw_npy(&dict, &[0; 16])).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Npy { .. }), "{err}");
        // The same inside an npz.
        let err =
            Network::from_npz_bytes(&zip_bytes(&[("W0.npy", raw_npy(&dict, &[0; 16]))], true))
                .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Npy { .. }), "{err}");
    }
    let err = read_npy(&raw_npy(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
        &[],
    ))
    .unwrap_err();
    assert!(err.to_string().contains("too large"), "{err}");
    assert!(start.elapsed().as_secs() < 2);
}

#[test]
fn npy_bad_headers() {
    let cases = [
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
        "{'descr: '<f4'}",
        "['descr']",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((1,),),),),),),),),),),),)}",
    ];
    for dict in cases {
        let err = read_npy(&raw_npy(dict, &[0; 4])).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Npy { .. }), "{dict}: {err}");
    }
    for descr in ["<f2", "|O", "<c8", "<U4", "=f4", "|f4", "f4", ""] {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,)}}");
        let err = read_npy(&raw_npy(&dict, &[0; 4])).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::UnsupportedDtype { .. }), "{descr}: {err}");
    }
    let dict = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}";
    let err = read_npy(&raw_npy(dict, &[0; 4])).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::UnsupportedDtype { .. }), "{err}");
    // Bad magic and versions.
    assert!(read_npy(b"\x93NUMPZ\x01\x00\x00\x00").is_err());
    assert!(read_npy(b"\x93NUMPY\x04\x00\x00\x00").is_err());
    // A version 2 header length beyond the file.
    assert!(read_npy(b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}").is_err());
}

#[test]
fn safetensors_huge_header_fails_fast() {
    for n in [u64::MAX, 1 << 40, 100_000_000, 1000] {
        let mut bytes = n.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{\"a.weight\":{}}");
        let err = Network::from_safetensors_bytes(&bytes).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Container { .. }), "{err}");
        assert!(err.to_string().contains("header claims"), "{err}");
    }
}

#[test]
fn safetensors_huge_offsets() {
    let header = format!(
        "{{\"a.weight\":{{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,{}]}}}}",
        u64::MAX
    );
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&[0; 4]);
    let err = Network::from_safetensors_bytes(&bytes).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Container { .. }), "{err}");
    // Many tensors whose sizes add up past usize::MAX.
    let mut entries = Vec::new();
    let step = u64::MAX / 8;
    for k in 0..10u64 {
        entries.push(format!(
            "\"l{k}.weight\":{{\"dtype\":\"U8\",\"shape\":[{step}],\"data_offsets\":[{},{}]}}",
            k.wrapping_mul(step),
            (k + 1).wrapping_mul(step)
        ));
    }
    let header = format!("{{{}}}", entries.join(","));
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    assert!(Network::from_safetensors_bytes(&bytes).is_err());
}

#[test]
fn from_path_errors_name_the_file() {
    let err = Network::from_path(Path::new("/nonexistent/net.npz")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Io(_)), "{err}");
    assert!(err.to_string().starts_with("/nonexistent/net.npz: "), "{err}");
    assert_eq!(err.path(), Some(Path::new("/nonexistent/net.npz")));
    assert!(std::error::Error::source(&err).is_some());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.txt");
    std::fs::write(&path, "hello").unwrap();
    let err = Network::from_path(&path).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::UnsupportedFormat { .. }), "{err}");
    assert!(err.to_string().contains("net.txt"), "{err}");

    // An .npz extension on garbage: the npz reader reports the problem.
    let path = dir.path().join("net.npz");
    std::fs::write(&path, "hello").unwrap();
    let err = Network::from_path(&path).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Container { format: "npz", .. }), "{err}");
    assert!(err.to_string().starts_with(&format!("{}: ", path.display())), "{err}");

    // Shape errors carry the path too: one line, file then tensor.
    std::fs::write(
        &path,
        npz_f32(&[t("W0", &[3, 128], &[0.5; 384]), t("W1", &[64, 10], &[0.5; 640])], true),
    )
    .unwrap();
    let msg = Network::from_path(&path).unwrap_err().to_string();
    assert_eq!(
        msg,
        format!(
            "{}: tensor \"W1\" has shape [64, 10] but it has 64 inputs and the previous layer has 128 outputs",
            path.display()
        )
    );
    assert!(!msg.contains('\n'));
}

#[test]
fn npz_lying_member_size() {
    // A stored member whose local and central headers claim one size more
    // than the data: the zip reader or our cap must notice.
    let mut bytes = npz_f32(&[t("W0", &[1, 1], &[1.0])], false);
    let n = bytes.len();
    // Patch every occurrence of the uncompressed size (132 bytes) in the headers.
    let size = (npy_f32(&[1, 1], &[1.0]).len() as u32).to_le_bytes();
    for i in 0..n - 4 {
        if bytes[i..i + 4] == size {
            bytes[i..i + 4].copy_from_slice(&(u32::from_le_bytes(size) + 1000).to_le_bytes());
        }
    }
    assert!(Network::from_npz_bytes(&bytes).is_err());
}

#[test]
fn fuzz_regressions_never_panic() {
    // Minimised fuzzer findings (fuzz/README.md), replayed without nightly.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("fuzz_network_") {
            read_all(&std::fs::read(&path).unwrap());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_all(&bytes);
    }

    #[test]
    fn prefixed_bytes_never_panic(
        kind in 0..4usize,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        // Valid magic strings followed by junk reach deeper into each reader.
        let mut bytes = match kind {
            0 => b"PK\x03\x04".to_vec(),
            1 => b"\x93NUMPY\x01\x00".to_vec(),
            2 => (tail.len() as u64 / 2).to_le_bytes().to_vec(),
            _ => b"\x93NUMPY\x02\x00".to_vec(),
        };
        bytes.extend_from_slice(&tail);
        read_all(&bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        which in 0..4usize,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = match which {
            0 => npz_f32(&keras_tensors(&net0_layers()), false),
            1 => npz_f32(&torch_tensors("fc", &net0_layers()), true),
            2 => safetensors_f32(&torch_tensors("fc", &net0_layers())),
            _ => npy_f32(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        };
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        read_all(&bytes);
        let keep = cut.index(bytes.len() + 1);
        read_all(&bytes[..keep]);
    }
}
