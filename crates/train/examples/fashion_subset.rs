//! Writes the bundled Fashion-MNIST subset: every 7th image of each class, in
//! file order (1,000 per class, 10,000 in all), as gzip-compressed IDX files.
//!
//! ```text
//! cargo run -p nnph-train --example fashion_subset -- \
//!     ../shared/data/fashion-mnist-70k-images-idx3-ubyte.gz \
//!     ../shared/data/fashion-mnist-70k-labels-idx1-ubyte.gz data/fashion-mnist-10k
//! ```

use std::fs::File;
use std::io::BufWriter;

use nnph_train::idx::{read_idx_path, write_idx_gz};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [images, labels, prefix] = args.as_slice() else {
        return Err("usage: fashion_subset IMAGES.gz LABELS.gz OUT_PREFIX".into());
    };
    let images = read_idx_path(images.as_ref())?;
    let labels = read_idx_path(labels.as_ref())?;
    let per_image = images.shape[1..].iter().product::<usize>();
    let mut seen = [0usize; 256];
    let mut keep = Vec::new();
    for (i, &l) in labels.data.iter().enumerate() {
        if seen[usize::from(l)] % 7 == 0 {
            keep.push(i);
        }
        seen[usize::from(l)] += 1;
    }
    let pixels: Vec<u8> = keep
        .iter()
        .flat_map(|&i| &images.data[i * per_image..(i + 1) * per_image])
        .copied()
        .collect();
    let subset_labels: Vec<u8> = keep.iter().map(|&i| labels.data[i]).collect();
    let mut shape = images.shape.clone();
    shape[0] = keep.len();
    let out = |suffix: &str| File::create(format!("{prefix}-{suffix}")).map(BufWriter::new);
    write_idx_gz(out("images-idx3-ubyte.gz")?, &shape, &pixels)?;
    write_idx_gz(out("labels-idx1-ubyte.gz")?, &[keep.len()], &subset_labels)?;
    Ok(())
}
