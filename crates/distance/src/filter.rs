//! The Gaussian filter of `scipy.ndimage.gaussian_filter(.., mode='constant')`
//! on square images, exploiting sparsity.

use crate::sum::Neumaier;

/// scipy's `truncate` default.
const TRUNCATE: f64 = 4.0;

/// A normalised 1-D Gaussian kernel, kept only for offsets that can reach
/// inside an image of a given size.
#[derive(Debug)]
pub(crate) struct Kernel {
    /// Weights for offsets `-radius..=radius`.
    weights: Vec<f64>,
    radius: usize,
}

impl Kernel {
    /// scipy's `_gaussian_kernel1d(sigma, 0, radius)` with
    /// `radius = int(truncate·sigma + 0.5)`: weights `exp(−0.5/σ²·x²)` for
    /// `x ∈ [−radius, radius]`, divided by their sum. Only offsets with
    /// `|x| < image_len` are stored (others never touch the image), but the
    /// normalising sum runs over the full radius.
    pub(crate) fn gaussian(sigma: f64, image_len: usize) -> Self {
        // Python's int() truncates toward zero; the value is positive here.
        let full = (TRUNCATE * sigma + 0.5) as u64;
        let coef = -0.5 / (sigma * sigma);
        let phi = |x: u64| (coef * (x * x) as f64).exp();
        let mut sum = Neumaier::default();
        sum.add(phi(0));
        for x in 1..=full {
            let v = phi(x);
            sum.add(v);
            sum.add(v);
        }
        let sum = sum.value();
        let radius = full.min(image_len.saturating_sub(1) as u64) as usize;
        let weights = (0..=2 * radius)
            .map(|k| phi((k as i64 - radius as i64).unsigned_abs()) / sum)
            .collect();
        Self { weights, radius }
    }
}

/// Filters every row of the `n × n` row-major image along axis 1
/// (zero outside the image), skipping all-zero rows and zero entries.
fn filter_rows(img: &mut [f64], n: usize, k: &Kernel, out: &mut [f64]) {
    let r = k.radius;
    for row in img.chunks_exact_mut(n) {
        if row.iter().all(|&x| x == 0.0) {
            continue;
        }
        out.fill(0.0);
        for (j, &x) in row.iter().enumerate() {
            if x == 0.0 {
                continue;
            }
            let lo = j.saturating_sub(r);
            let hi = (j + r).min(n - 1);
            // out[l] += w(j − l)·x = w(l − j)·x: the kernel is symmetric.
            let w = &k.weights[r + lo - j..=r + hi - j];
            for (o, &wk) in out[lo..=hi].iter_mut().zip(w) {
                *o += wk * x;
            }
        }
        row.copy_from_slice(out);
    }
}

fn transpose(img: &mut [f64], n: usize) {
    for i in 0..n {
        for j in i + 1..n {
            img.swap(i * n + j, j * n + i);
        }
    }
}

/// scipy's smallest sigma for which an axis is filtered at all.
const MIN_SIGMA: f64 = 1e-15;

/// `gaussian_filter(img, [sigma0, sigma1], mode='constant', cval=0,
/// truncate=4)` for a square `n × n` row-major image, in place.
///
/// The filter is separable and the two 1-D passes commute in exact
/// arithmetic, so the pass whose lines are fewer (nonzero rows against nonzero
/// columns) runs first; this keeps the intermediate image sparse for the
/// diagrams of the paper (H0 images live in one row, H1 images in one column).
pub(crate) fn gaussian_filter(img: &mut [f64], n: usize, sigma: [f64; 2]) {
    debug_assert_eq!(img.len(), n * n);
    let k0 = (sigma[0] > MIN_SIGMA).then(|| Kernel::gaussian(sigma[0], n));
    let k1 = if sigma[1] == sigma[0] {
        None
    } else {
        (sigma[1] > MIN_SIGMA).then(|| Kernel::gaussian(sigma[1], n))
    };
    let k1 = if sigma[1] == sigma[0] { k0.as_ref() } else { k1.as_ref() };
    let k0 = k0.as_ref();
    let mut rows_nz = 0;
    let mut cols = vec![false; n];
    for row in img.chunks_exact(n) {
        let mut any = false;
        for (c, &x) in cols.iter_mut().zip(row) {
            if x != 0.0 {
                *c = true;
                any = true;
            }
        }
        rows_nz += usize::from(any);
    }
    if rows_nz == 0 {
        return;
    }
    let cols_nz = cols.iter().filter(|&&c| c).count();
    let mut out = vec![0.0; n];
    let mut axis0 = |img: &mut [f64]| {
        if let Some(k) = k0 {
            transpose(img, n);
            filter_rows(img, n, k, &mut out);
            transpose(img, n);
        }
    };
    if rows_nz <= cols_nz {
        if let Some(k) = k1 {
            filter_rows(img, n, k, &mut vec![0.0; n]);
        }
        axis0(img);
    } else {
        axis0(img);
        if let Some(k) = k1 {
            filter_rows(img, n, k, &mut vec![0.0; n]);
        }
    }
}
