//! Integration tests of nnph-train.

use std::collections::HashMap;

use nnph_network::Network;
use nnph_train::idx::{read_idx_bytes, write_idx_gz};
use nnph_train::paper::{GROUP_SIZES, paper_networks, train_paper_net};
use nnph_train::{Dataset, ErrorKind, TrainOptions, train_mlp};

/// The bundled MNIST sample (workspace `data/`).
fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// A synthetic 10-class problem: class c lights up pixels 10c..10c+10 of 64.
fn synthetic(n: usize, seed: u64) -> Dataset {
    let dim = 100;
    let mut x = vec![0.0_f32; n * dim];
    let mut y = Vec::with_capacity(n);
    let mut state = seed.wrapping_add(1);
    for i in 0..n {
        let c = i % 10;
        for j in 0..dim {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = (state >> 40) as f32 / (1u64 << 24) as f32;
            x[i * dim + j] = if j / 10 == c { 0.6 + 0.4 * noise } else { 0.3 * noise };
        }
        y.push(c as u8);
    }
    Dataset::from_parts(x, y, dim, 10).unwrap()
}

#[test]
fn trains_a_separable_problem_and_round_trips_bit_exactly() {
    let data = synthetic(600, 1);
    let (train, test) = data.shuffled(3).split_test(0.25).unwrap();
    // Batches of 16: 5 epochs are then 130 RMSprop steps.
    let mut opts = TrainOptions::paper(5, 7);
    opts.batch_size = 16;
    let mlp = train_mlp(&[32, 16], &train, &opts).unwrap();
    assert_eq!(mlp.sizes(), vec![100, 32, 16, 10]);
    assert_eq!(mlp.history.train_loss.len(), 5);
    assert_eq!(mlp.history.val_accuracy.len(), 5);
    let acc = mlp.accuracy(&test).unwrap();
    assert!(acc > 0.9, "test accuracy {acc} {:?}", mlp.history);

    // Written as safetensors, read back by nnph-network: the same bits.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.safetensors");
    mlp.save(&path, &HashMap::from([("acc".to_owned(), acc.to_string())])).unwrap();
    let net = Network::from_path(&path).unwrap();
    assert_eq!(net.layer_sizes(), vec![100, 32, 16, 10]);
    for (layer, dense) in net.layers().iter().zip(&mlp.layers) {
        // nnph-network holds Keras orientation [in, out]; ours is [out, in].
        for o in 0..dense.outputs {
            for i in 0..dense.inputs {
                let a = layer.weight[[i, o]].to_bits();
                assert_eq!(a, dense.weight[o * dense.inputs + i].to_bits());
            }
        }
        let bias = layer.bias.as_ref().unwrap();
        assert!(bias.iter().zip(&dense.bias).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(nnph_train::save::read_metadata(&bytes).unwrap()["acc"], acc.to_string());
}

#[test]
fn a_seed_repeats_bit_for_bit_and_another_differs() {
    let data = synthetic(300, 2);
    let opts = TrainOptions::paper(1, 11);
    let a = train_mlp(&[24], &data, &opts).unwrap();
    let b = train_mlp(&[24], &data, &opts).unwrap();
    assert_eq!(a, b);
    let c = train_mlp(&[24], &data, &TrainOptions::paper(1, 12)).unwrap();
    assert_ne!(a.layers, c.layers);
}

#[test]
fn ten_layers_is_eleven_tensors_in_natural_order() {
    let data = synthetic(100, 3);
    let mut opts = TrainOptions::paper(1, 1);
    opts.validation_split = 0.0;
    let mlp = train_mlp(&[8; 10], &data, &opts).unwrap();
    assert!(mlp.history.val_loss.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nl10.safetensors");
    mlp.save(&path, &HashMap::new()).unwrap();
    let net = Network::from_path(&path).unwrap();
    let mut sizes = vec![100];
    sizes.extend([8; 10]);
    sizes.push(10);
    assert_eq!(net.layer_sizes(), sizes);
    assert_eq!(net.layers()[10].name, "fc10");
}

#[test]
fn bad_options_and_data_are_typed_errors() {
    let data = synthetic(50, 4);
    let with = |f: &dyn Fn(&mut TrainOptions)| {
        let mut o = TrainOptions::default();
        f(&mut o);
        o
    };
    for opts in [
        with(&|o| o.epochs = 0),
        with(&|o| o.batch_size = 0),
        with(&|o| o.learning_rate = f32::NAN),
        with(&|o| o.dropout = 1.0),
        with(&|o| o.validation_split = 1.0),
    ] {
        let e = train_mlp(&[4], &data, &opts).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidOption { .. }), "{e}");
    }
    assert!(train_mlp(&[0], &data, &TrainOptions::default()).is_err());
    assert!(Dataset::from_parts(vec![0.0; 3], vec![0], 2, 1).is_err());
    assert!(Dataset::from_parts(vec![0.0; 2], vec![3], 2, 2).is_err());
    assert!(Dataset::from_parts(vec![f32::NAN, 0.0], vec![0], 2, 1).is_err());
    assert!(data.first_classes(11).is_err());
    assert!(data.split_test(0.0).is_err());
    assert!(data.head(1).split_test(0.5).is_err());
}

#[test]
fn dataset_preparation() {
    let data = synthetic(100, 5);
    assert_eq!(data.class_counts(), vec![10; 10]);
    let s = data.shuffled(9);
    assert_eq!(s, data.shuffled(9));
    assert_ne!(s.labels(), data.labels());
    assert_eq!(s.class_counts(), vec![10; 10]);
    let (train, test) = s.split_test(1.0 / 7.0).unwrap();
    assert_eq!((train.len(), test.len()), (86, 14));
    assert_eq!(train.labels(), &s.labels()[..86]);
    let two = train.first_classes(2).unwrap();
    assert_eq!(two.classes(), 2);
    assert!(two.labels().iter().all(|&l| l < 2));
    assert_eq!(two.len(), train.class_counts()[..2].iter().sum::<usize>());
}

#[test]
fn idx_images_and_labels_become_a_dataset() {
    let pixels: Vec<u8> = (0..3 * 4).map(|i| (i * 20) as u8).collect();
    let (mut img, mut lab) = (Vec::new(), Vec::new());
    write_idx_gz(&mut img, &[3, 2, 2], &pixels).unwrap();
    write_idx_gz(&mut lab, &[3], &[0, 2, 1]).unwrap();
    let d =
        Dataset::from_idx(&read_idx_bytes(&img).unwrap(), &read_idx_bytes(&lab).unwrap()).unwrap();
    assert_eq!((d.len(), d.dim(), d.classes()), (3, 4, 3));
    assert_eq!(d.features()[1], 20.0 / 255.0);
    write_idx_gz(&mut lab, &[2], &[0, 1]).unwrap();
    let mut lab2 = Vec::new();
    write_idx_gz(&mut lab2, &[2], &[0, 1]).unwrap();
    let e = Dataset::from_idx(&read_idx_bytes(&img).unwrap(), &read_idx_bytes(&lab2).unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("3 images but 2 labels"), "{e}");
}

#[test]
fn the_paper_configurations() {
    let nets = paper_networks();
    assert_eq!(nets.len(), GROUP_SIZES.iter().sum::<usize>());
    let names: Vec<&str> = nets.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names[..4], ["ls128", "ls256", "ls512", "ls1024"]);
    assert_eq!(nets[14].labels, Some(2));
    assert!(nets[9..14].iter().all(|n| n.permuted));
    assert_eq!(nets[3].file_stem(), "03_ls1024");
}

#[test]
fn a_number_labels_network_has_k_outputs() {
    let data = synthetic(200, 6);
    let (train, test) = data.split_test(0.2).unwrap();
    let net = &paper_networks()[14];
    let mut small = net.clone();
    small.hidden = vec![16, 16];
    let out = train_paper_net(&small, &train, &test, &TrainOptions::paper(1, 5)).unwrap();
    assert_eq!(out.mlp.sizes(), vec![100, 16, 16, 2]);
    assert!((0.0..=1.0).contains(&out.test_accuracy));
}

/// The base network on the bundled 10k MNIST sample, quick settings (2,000
/// samples, 2 epochs, so 1,543 training samples and 24 RMSprop steps): about
/// 80% held-out accuracy (seed 1: 78.7%), where chance is 10%, so a broken
/// trainer cannot pass. The full settings' 95% bar is the ignored test below.
#[test]
fn base_mlp_on_mnist_quick() {
    let dir = data_dir();
    let (images, labels) = nnph_train::paper::DatasetName::Mnist.files_in(&dir).unwrap();
    let (train, test) = nnph_train::paper::load_split(&images, &labels, Some(2000), 42).unwrap();
    let out =
        train_paper_net(&paper_networks()[2], &train, &test, &TrainOptions::paper(2, 1)).unwrap();
    assert!(out.test_accuracy >= 0.70, "quick MNIST base accuracy {}", out.test_accuracy);
}

/// The bar: the base network on MNIST with the full settings (all
/// 10k samples, 20 epochs) reaches 95% on held-out data.
#[test]
#[ignore = "20 epochs on 7,714 samples: 0.5-3 minutes; run with --ignored"]
fn base_mlp_on_mnist_full_reaches_95_percent() {
    let dir = data_dir();
    let (images, labels) = nnph_train::paper::DatasetName::Mnist.files_in(&dir).unwrap();
    let (train, test) = nnph_train::paper::load_split(&images, &labels, None, 42).unwrap();
    let out =
        train_paper_net(&paper_networks()[2], &train, &test, &TrainOptions::paper(20, 1)).unwrap();
    assert!(out.test_accuracy >= 0.95, "MNIST base accuracy {}", out.test_accuracy);
}
