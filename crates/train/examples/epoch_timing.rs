//! Times training epochs of one paper network on one data set and prints the
//! learning curve: `cargo run --release -p nnph-train --example epoch_timing --
//! DATA_DIR mnist|fashion-mnist NET_INDEX EPOCHS [SAMPLES]`.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use nnph_train::TrainOptions;
use nnph_train::paper::{DatasetName, load_split, net_seed, paper_networks, train_paper_net};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        return Err("usage: epoch_timing DATA_DIR DATASET NET_INDEX EPOCHS [SAMPLES]".into());
    }
    let dataset: DatasetName = args[1].parse()?;
    let net = paper_networks().into_iter().nth(args[2].parse()?).ok_or("index 0..19")?;
    let epochs: usize = args[3].parse()?;
    let samples = args.get(4).map(|s| s.parse()).transpose()?;
    let (images, labels) = dataset.files_in(args[0].as_ref())?;
    let (train, test) = load_split(&images, &labels, samples, 42)?;
    let t = Instant::now();
    let out = train_paper_net(
        &net,
        &train,
        &test,
        &TrainOptions::paper(epochs, net_seed(42, 0, net.index)),
    )?;
    let secs = t.elapsed().as_secs_f64();
    let h = &out.mlp.history;
    for e in 0..epochs {
        println!(
            "epoch {:>2}: loss {:.4}  val loss {:.4}  val acc {:.4}",
            e + 1,
            h.train_loss[e],
            h.val_loss.get(e).copied().unwrap_or(f64::NAN),
            h.val_accuracy.get(e).copied().unwrap_or(f64::NAN)
        );
    }
    println!(
        "{} on {} ({}: {} train, {} test): {} parameters, {:.2} s/epoch, test accuracy {:.4}",
        net.file_stem(),
        dataset,
        images.display(),
        train.len(),
        test.len(),
        out.mlp.parameter_count(),
        secs / epochs as f64,
        out.test_accuracy
    );
    Ok(())
}
