//! Times the frozen CNN of the paper's Fashion-MNIST study: its training epochs, the
//! feature pass, and epochs of one MLP head on the 1,152 features:
//! `cargo run --release -p nnph-train --example cnn_timing -- DATA_DIR mnist|fashion-mnist
//! CNN_EPOCHS HEAD_INDEX HEAD_EPOCHS [SAMPLES]`.
//!
//! Prints the CNN's learning curve, seconds per CNN epoch, its test accuracy, the feature
//! pass's seconds, and the head's seconds per epoch and test accuracy. Run it with
//! `RAYON_NUM_THREADS=1` for one thread; `CNN_POOL_THREADS=2 RAYON_NUM_THREADS=1` runs it as
//! `nnph experiment` does (single-threaded matrix products, convolutions split over a pool
//! of 2 threads).
#![allow(clippy::print_stdout)]

use std::time::Instant;

use nnph_train::paper::{DatasetName, load_split, net_seed, paper_networks, train_paper_net};
use nnph_train::{TrainOptions, train_cnn};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    match std::env::var("CNN_POOL_THREADS") {
        Ok(n) => rayon::ThreadPoolBuilder::new().num_threads(n.parse()?).build()?.install(run),
        Err(_) => run(),
    }
}

fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        return Err(
            "usage: cnn_timing DATA_DIR DATASET CNN_EPOCHS HEAD_INDEX HEAD_EPOCHS [SAMPLES]".into(),
        );
    }
    let dataset: DatasetName = args[1].parse()?;
    let cnn_epochs: usize = args[2].parse()?;
    let net = paper_networks().into_iter().nth(args[3].parse()?).ok_or("index 0..19")?;
    let head_epochs: usize = args[4].parse()?;
    let samples = args.get(5).map(|s| s.parse()).transpose()?;
    let (images, labels) = dataset.files_in(args[0].as_ref())?;
    let (train, test) = load_split(&images, &labels, samples, 42)?;
    println!(
        "{dataset} ({}): {} train, {} test; rayon threads {}",
        images.display(),
        train.len(),
        test.len(),
        rayon::current_num_threads()
    );

    let t = Instant::now();
    let cnn = train_cnn(&train, &TrainOptions::paper_cnn(cnn_epochs, 42))?;
    let cnn_secs = t.elapsed().as_secs_f64();
    let h = &cnn.head.history;
    for e in 0..cnn_epochs {
        println!(
            "CNN epoch {:>2}: loss {:.4}  val loss {:.4}  val acc {:.4}",
            e + 1,
            h.train_loss[e],
            h.val_loss.get(e).copied().unwrap_or(f64::NAN),
            h.val_accuracy.get(e).copied().unwrap_or(f64::NAN)
        );
    }
    let t = Instant::now();
    let train_f = cnn.extractor.features(&train)?;
    let test_f = cnn.extractor.features(&test)?;
    let feature_secs = t.elapsed().as_secs_f64();
    let test_acc = cnn.head.accuracy(&test_f)?;
    // FNV-1a over the bits of the features, to compare runs (thread counts, machines).
    let checksum = train_f.features().iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, v| {
        (h ^ u64::from(v.to_bits())).wrapping_mul(0x0100_0000_01b3)
    });
    println!("CNN features checksum {checksum:016x}");
    println!(
        "CNN: {:.1} s/epoch ({cnn_secs:.1} s for {cnn_epochs}), test accuracy {test_acc:.4}; \
         features of {} images: {feature_secs:.1} s",
        cnn_secs / cnn_epochs as f64,
        train.len() + test.len()
    );

    let t = Instant::now();
    let opts = TrainOptions::paper_cnn(head_epochs, net_seed(42, 0, net.index));
    let out = train_paper_net(&net, &train_f, &test_f, &opts)?;
    let head_secs = t.elapsed().as_secs_f64();
    println!(
        "head {} on 1,152 features: {} parameters, {:.2} s/epoch, test accuracy {:.4}",
        net.file_stem(),
        out.mlp.parameter_count(),
        head_secs / head_epochs as f64,
        out.test_accuracy
    );
    Ok(())
}
