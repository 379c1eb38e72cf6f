//! Per-diagram vectorisations on a grid: silhouette, landscape, Betti curve,
//! heat image and persistence image.
//!
//! Every function makes one streaming pass over the points, without sorting
//! and without auxiliary memory proportional to the number of points: each
//! point's breakpoints are *binned* against the grid (exactly, see
//! [`Binner`]) into per-sample event accumulators, which a final prefix (or
//! suffix) scan over the `n_bins` samples turns into the sampled function.

use nnph_homology::PersistencePair;

use crate::error::{Error, ErrorKind};
use crate::filter::gaussian_filter;
use crate::grid::{Binner, Grid, ImageGrid};
use crate::metric::ImageWeight;
use crate::sum::Neumaier;

/// Checks a point for vectorisation: no NaN, finite birth, finite death, and
/// `birth ≤ death`.
pub(crate) fn check_points(points: &[PersistencePair]) -> Result<(), Error> {
    for p in points {
        crate::batch::check_point(p, 0, 0)?;
        if p.death == f64::INFINITY {
            return Err(Error::new(ErrorKind::EssentialPoint { diagram: 0, dim: 0 }));
        }
    }
    Ok(())
}

/// The tent `max(0, h − |t − m|)` with `h = (d − b)/2`, `m = (d + b)/2`,
/// evaluated in the same floating-point operations as giotto-tda.
#[inline]
fn tent(b: f64, d: f64, t: f64) -> f64 {
    let m = (d + b) / 2.0;
    let h = (d - b) / 2.0;
    (-(t - m).abs() + h).max(0.0)
}

pub(crate) fn silhouette_raw(points: &[PersistencePair], bins: &Binner, power: f64) -> Vec<f64> {
    let n = bins.len();
    let scale = if power > 8.0 {
        points.iter().map(|p| p.death - p.birth).fold(0.0, f64::max)
    } else {
        1.0
    };
    if scale == 0.0 {
        return vec![0.0; n];
    }
    // Events per sample index (n + 1 slots; slot n is past the grid).
    // Rising part: Σ w·(t − b) over points with b ≤ t < m;
    // falling part: Σ w·(d − t) over points with m ≤ t < d.
    let mut rw = vec![Neumaier::default(); n + 1];
    let mut rwb = vec![Neumaier::default(); n + 1];
    let mut fw = vec![Neumaier::default(); n + 1];
    let mut fwd = vec![Neumaier::default(); n + 1];
    let mut total = Neumaier::default();
    for p in points {
        let (b, d) = (p.birth, p.death);
        let life = d - b;
        let mut w = if power > 8.0 { life / scale } else { life };
        if power != 1.0 {
            w = w.powf(power);
        }
        if w == 0.0 {
            // Trivial and padding points: zero weight and a zero tent.
            continue;
        }
        total.add(w);
        let m = (d + b) / 2.0;
        let ib = bins.count_lt(b);
        let im = bins.count_lt(m);
        let id = bins.count_lt(d);
        if ib < im {
            let wb = w * b;
            rw[ib].add(w);
            rw[im].add(-w);
            rwb[ib].add(wb);
            rwb[im].add(-wb);
        }
        if im < id {
            let wd = w * d;
            fw[im].add(w);
            fw[id].add(-w);
            fwd[im].add(wd);
            fwd[id].add(-wd);
        }
    }
    let total = total.value();
    if total == 0.0 {
        return vec![0.0; n];
    }
    let (mut a, mut ab, mut c, mut cd) =
        (Neumaier::default(), Neumaier::default(), Neumaier::default(), Neumaier::default());
    (0..n)
        .map(|i| {
            a.add_sum(&rw[i]);
            ab.add_sum(&rwb[i]);
            c.add_sum(&fw[i]);
            cd.add_sum(&fwd[i]);
            let t = bins.t[i];
            let mut s = Neumaier::default();
            s.add(t * a.value());
            s.add(-ab.value());
            s.add(cd.value());
            s.add(-(t * c.value()));
            s.value() / total
        })
        .collect()
}

/// Inserts `item` into `v`, kept sorted by `better` first and at most `k` long.
#[inline]
fn insert_top(
    v: &mut Vec<(f64, f64)>,
    item: (f64, f64),
    k: usize,
    better: impl Fn(&(f64, f64), &(f64, f64)) -> bool,
) {
    if v.len() == k && !better(&item, &v[k - 1]) {
        return;
    }
    let pos = v.iter().position(|x| better(&item, x)).unwrap_or(v.len());
    v.insert(pos, item);
    v.truncate(k);
}

fn earlier_birth(x: &(f64, f64), y: &(f64, f64)) -> bool {
    x.0 < y.0
}

fn later_death(x: &(f64, f64), y: &(f64, f64)) -> bool {
    x.1 > y.1
}

pub(crate) fn landscape_raw(points: &[PersistencePair], bins: &Binner, k: usize) -> Vec<f64> {
    let n = bins.len();
    let mut out = vec![0.0; k * n];
    if k == 0 {
        return out;
    }
    // At sample t a point is rising (value t − b) if t ≤ m and falling
    // (value d − t) if t > m. Among the rising points the k largest values
    // belong to the k smallest births, among the falling points to the k
    // largest deaths, so the k largest tents are among those 2k candidates.
    // rising[s]: the k smallest births of the points whose last sample with
    // t ≤ m is s (suffix-merged below); falling[s]: the k largest deaths of
    // the points whose first sample with t > m is s (prefix-merged).
    let mut rising: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    let mut falling: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    for p in points {
        let (b, d) = (p.birth, p.death);
        if d <= b {
            continue;
        }
        let m = (d + b) / 2.0;
        let c = bins.count_le(m);
        if c > 0 {
            insert_top(&mut rising[c - 1], (b, d), k, earlier_birth);
        }
        if c < n {
            insert_top(&mut falling[c], (b, d), k, later_death);
        }
    }
    let mut rising_vals = vec![0.0; k * n];
    let mut cur: Vec<(f64, f64)> = Vec::with_capacity(2 * k);
    for i in (0..n).rev() {
        for &item in &rising[i] {
            insert_top(&mut cur, item, k, earlier_birth);
        }
        let t = bins.t[i];
        for (slot, &(b, d)) in rising_vals[i * k..(i + 1) * k].iter_mut().zip(&cur) {
            *slot = tent(b, d, t);
        }
    }
    cur.clear();
    let mut vals: Vec<f64> = Vec::with_capacity(2 * k);
    for i in 0..n {
        for &item in &falling[i] {
            insert_top(&mut cur, item, k, later_death);
        }
        let t = bins.t[i];
        vals.clear();
        vals.extend_from_slice(&rising_vals[i * k..(i + 1) * k]);
        vals.extend(cur.iter().map(|&(b, d)| tent(b, d, t)));
        vals.sort_unstable_by(|x, y| y.total_cmp(x));
        for (j, &v) in vals.iter().take(k).enumerate() {
            out[j * n + i] = v;
        }
    }
    out
}

pub(crate) fn betti_raw(points: &[PersistencePair], bins: &Binner) -> Vec<u64> {
    let n = bins.len();
    let mut ev = vec![0i64; n + 1];
    for p in points {
        // Alive at t_i iff b ≤ t_i < d, i.e. count_lt(b) ≤ i < count_lt(d).
        let ib = bins.count_lt(p.birth);
        let id = bins.count_lt(p.death);
        if ib < id {
            ev[ib] += 1;
            ev[id] -= 1;
        }
    }
    let mut run = 0i64;
    ev[..n]
        .iter()
        .map(|&e| {
            run += e;
            run as u64
        })
        .collect()
}

/// A sparse image: (row-major pixel index, value) in increasing index order.
pub(crate) type Sparse = Vec<(u32, f64)>;

fn sparse_from_counts(counts: &[u32]) -> Sparse {
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c != 0)
        .map(|(idx, &c)| (idx as u32, f64::from(c)))
        .collect()
}

#[inline]
fn clip(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// The pixel of a clipped coordinate: `int((x − lo)/Δ)` as numpy computes it.
#[inline]
fn pixel(x: f64, lo: f64, step: f64, n: usize) -> usize {
    (((x - lo) / step) as usize).min(n - 1)
}

/// giotto-tda's heat-kernel sampling: point counts per pixel, before the filter.
pub(crate) fn heat_counts(points: &[PersistencePair], grid: &Grid) -> Sparse {
    let mut counts = vec![0u32; grid.n_bins * grid.n_bins];
    if !heat_pixels(points, grid, |k| counts[k] += 1) {
        return Vec::new();
    }
    sparse_from_counts(&counts)
}

/// Calls `count(pixel)` (row-major index) for each point giotto-tda's
/// heat-kernel sampling counts; `false` (and no call) for a zero step.
#[inline]
pub(crate) fn heat_pixels(
    points: &[PersistencePair],
    grid: &Grid,
    mut count: impl FnMut(usize),
) -> bool {
    let n = grid.n_bins;
    let step = grid.step();
    if step == 0.0 {
        return false;
    }
    // numpy's first sample is 0·Δ + lo, its last is hi.
    let (lo, hi) = (0.0 * step + grid.lo, grid.hi);
    for p in points {
        let b = clip(p.birth, lo, hi);
        let d = clip(p.death, lo, hi);
        if b == d {
            continue;
        }
        count(pixel(b, lo, step, n) * n + pixel(d, lo, step, n));
    }
    true
}

/// giotto-tda's persistence-image sampling: weighted point counts per pixel
/// (axis 0 = birth, axis 1 = persistence), before the filter.
pub(crate) fn image_counts(
    points: &[PersistencePair],
    grid: &ImageGrid,
    weight: ImageWeight,
) -> Sparse {
    let n = grid.birth.n_bins;
    debug_assert_eq!(n, grid.persistence.n_bins);
    let (sb, sp) = (grid.birth.step(), grid.persistence.step());
    if sb == 0.0 || sp == 0.0 {
        return Vec::new();
    }
    let (lob, hib) = (0.0 * sb + grid.birth.lo, grid.birth.hi);
    let (lop, hip) = (0.0 * sp + grid.persistence.lo, grid.persistence.hi);
    let mut counts = vec![0u32; n * n];
    for p in points {
        let pers = clip(p.death - p.birth, lop, hip);
        if pers == 0.0 {
            continue;
        }
        let b = clip(p.birth, lob, hib);
        counts[pixel(b, lob, sb, n) * n + pixel(pers, lop, sp, n)] += 1;
    }
    let mut sparse = sparse_from_counts(&counts);
    if weight != ImageWeight::Ones {
        let tp = grid.persistence.samples();
        for (idx, v) in &mut sparse {
            *v *= weight.eval(tp[*idx as usize % n]);
        }
    }
    sparse
}

/// The largest Gaussian width in pixels that is used; giotto-tda (≥ 0.3)
/// clamps the heat kernel's width to this, we clamp both image metrics.
pub(crate) fn clamp_sigma_px(sigma_px: f64, n: usize) -> f64 {
    sigma_px.min(1e5 * n as f64)
}

/// Samples the silhouette of a diagram on a grid.
///
/// With weights `w_k = (d_k − b_k)^power` (if `power > 8` the lifetimes are
/// first divided by the largest lifetime of the diagram) and tents
/// `Λ_k(t) = max(0, min(t − b_k, d_k − t))`, the silhouette is
/// `φ(t) = Σ_k w_k Λ_k(t) / Σ_k w_k`, and `0` if `Σ_k w_k = 0` (also when
/// `power > 8` and every lifetime is 0, where giotto-tda divides 0 by 0).
///
/// # Arguments
///
/// * `points`: the diagram of one homology dimension, in any order.
/// * `grid`: where to sample.
/// * `power`: the weight exponent (`> 0`; giotto-tda's default is 1).
///
/// # Returns
///
/// `grid.n_bins` values, `φ(t_i)`.
///
/// # Complexity
///
/// O(n + n_bins) time, O(n_bins) auxiliary space, for `n` points.
///
/// # Errors
///
/// [`ErrorKind::InvalidPoint`] or [`ErrorKind::EssentialPoint`] for a NaN, a
/// non-finite coordinate or a death before its birth;
/// [`ErrorKind::InvalidOption`] for an invalid grid or power.
///
/// # Examples
///
/// ```
/// use nnph_distance::{Grid, silhouette};
/// use nnph_homology::PersistencePair;
///
/// let grid = Grid::new(0.0, 2.0, 5)?; // 0, 0.5, 1, 1.5, 2
/// let phi = silhouette(&[PersistencePair::new(0.0, 2.0)], &grid, 1.0)?;
/// assert_eq!(phi, vec![0.0, 0.5, 1.0, 0.5, 0.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn silhouette(points: &[PersistencePair], grid: &Grid, power: f64) -> Result<Vec<f64>, Error> {
    grid.validate()?;
    crate::metric::check_power(power)?;
    check_points(points)?;
    Ok(silhouette_raw(points, &Binner::new(grid), power))
}

/// Samples the first `n_layers` persistence landscapes of a diagram.
///
/// `λ_j(t)` is the `j`-th largest tent value `Λ_k(t) = max(0, min(t − b_k,
/// d_k − t))` over the points, and 0 if there are fewer than `j` points.
///
/// # Returns
///
/// `n_layers · grid.n_bins` values, layer by layer: `out[j·n_bins + i] =
/// λ_{j+1}(t_i)`.
///
/// # Complexity
///
/// O(n·n_layers) time in the worst case (O(n) when most points are not among
/// the best `n_layers` of their bin), O(n_bins·n_layers) auxiliary space.
///
/// # Errors
///
/// As [`silhouette`]; also [`ErrorKind::InvalidOption`] if `n_layers == 0`.
///
/// # Examples
///
/// ```
/// use nnph_distance::{Grid, landscape};
/// use nnph_homology::PersistencePair;
///
/// let grid = Grid::new(0.0, 2.0, 5)?;
/// let points = [PersistencePair::new(0.0, 2.0), PersistencePair::new(0.0, 1.0)];
/// let l = landscape(&points, &grid, 2)?;
/// assert_eq!(&l[..5], &[0.0, 0.5, 1.0, 0.5, 0.0]);
/// assert_eq!(&l[5..], &[0.0, 0.5, 0.0, 0.0, 0.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn landscape(
    points: &[PersistencePair],
    grid: &Grid,
    n_layers: usize,
) -> Result<Vec<f64>, Error> {
    grid.validate()?;
    if n_layers == 0 {
        return Err(Error::option("n_layers", "need at least one layer"));
    }
    check_points(points)?;
    Ok(landscape_raw(points, &Binner::new(grid), n_layers))
}

/// Samples the Betti curve of a diagram: `β(t_i) = #{k : b_k ≤ t_i < d_k}`.
///
/// # Complexity
///
/// O(n + n_bins) time, O(n_bins) auxiliary space.
///
/// # Errors
///
/// As [`silhouette`].
///
/// # Examples
///
/// ```
/// use nnph_distance::{Grid, betti_curve};
/// use nnph_homology::PersistencePair;
///
/// let grid = Grid::new(0.0, 2.0, 5)?;
/// let points = [PersistencePair::new(0.0, 2.0), PersistencePair::new(0.5, 1.0)];
/// assert_eq!(betti_curve(&points, &grid)?, vec![1, 2, 1, 1, 0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn betti_curve(points: &[PersistencePair], grid: &Grid) -> Result<Vec<u64>, Error> {
    grid.validate()?;
    check_points(points)?;
    Ok(betti_raw(points, &Binner::new(grid)))
}

/// The heat-kernel image of a diagram, as giotto-tda computes it.
///
/// Births and deaths are clipped into `[t_0, t_{n−1}]`, points with
/// `b = d` (after clipping) are dropped, each remaining point is counted in
/// pixel `(int((b − t_0)/Δ), int((d − t_0)/Δ))`, the count image `S` is
/// smoothed by `scipy.ndimage.gaussian_filter(S, σ/Δ, mode='constant')`
/// (truncated at 4σ) into `G*S`, and the result is
/// `H = (G*S − (G*S)ᵀ)/Δ²`. A zero step gives the zero image.
///
/// # Returns
///
/// `n_bins × n_bins` values, row-major, row = birth pixel, column = death
/// pixel (giotto-tda finally rotates the image by 90°, which changes no norm).
///
/// # Complexity
///
/// O(n) for the counts plus O(n_bins²·(σ/Δ)) for the filter, O(n_bins²) space.
///
/// # Errors
///
/// As [`silhouette`]; also [`ErrorKind::InvalidOption`] if `sigma` is not
/// positive and finite.
///
/// # Examples
///
/// ```
/// use nnph_distance::{Grid, heat_image};
/// use nnph_homology::PersistencePair;
///
/// let grid = Grid::new(0.0, 1.0, 20)?;
/// let h = heat_image(&[PersistencePair::new(0.2, 0.8)], &grid, 0.1)?;
/// // Antisymmetric: H[i][j] = −H[j][i].
/// assert_eq!(h[3 * 20 + 15], -h[15 * 20 + 3]);
/// assert!(h[3 * 20 + 15] > 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn heat_image(points: &[PersistencePair], grid: &Grid, sigma: f64) -> Result<Vec<f64>, Error> {
    grid.validate()?;
    crate::metric::check_sigma(sigma)?;
    check_points(points)?;
    let n = grid.n_bins;
    let step = grid.step();
    let mut img = vec![0.0; n * n];
    if step == 0.0 {
        return Ok(img);
    }
    for (idx, v) in heat_counts(points, grid) {
        img[idx as usize] = v;
    }
    let s = clamp_sigma_px(sigma / step, n);
    gaussian_filter(&mut img, n, [s, s]);
    let step2 = step * step;
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] = (img[i * n + j] - img[j * n + i]) / step2;
        }
    }
    Ok(h)
}

/// The persistence image of a diagram, as giotto-tda computes it.
///
/// Each point becomes `(b, p = d − b)`; `b` and `p` are clipped into their
/// grids; points with `p = 0` (after clipping) are dropped; each remaining
/// point is counted in pixel `(int((b − t^b_0)/Δ_b), int((p − t^p_0)/Δ_p))`;
/// column `j` is multiplied by `weight(t^p_j)`; the image is smoothed by
/// `gaussian_filter(., [σ/Δ_b, σ/Δ_p], mode='constant')` and divided by
/// `Δ_b·Δ_p`. A zero step on either axis gives the zero image. As for the
/// heat image, widths above `10⁵·n_bins` pixels are clamped (giotto-tda
/// clamps only the heat kernel; the clamp never triggers on real grids).
///
/// # Returns
///
/// `n × n` values, row-major, row = birth pixel, column = persistence pixel
/// (giotto-tda finally rotates by 90°, which changes no norm). Both grids must
/// have the same `n_bins`.
///
/// # Errors
///
/// As [`heat_image`]; also [`ErrorKind::InvalidOption`] if the two grids have
/// different sizes.
///
/// # Examples
///
/// ```
/// use nnph_distance::{Grid, ImageGrid, ImageWeight, persistence_image};
/// use nnph_homology::PersistencePair;
///
/// let grid = ImageGrid { birth: Grid::new(0.0, 1.0, 10)?, persistence: Grid::new(0.0, 1.0, 10)? };
/// let img = persistence_image(&[PersistencePair::new(0.2, 0.7)], &grid, 0.1, ImageWeight::Ones)?;
/// assert_eq!(img.len(), 100);
/// assert!(img[1 * 10 + 4] > 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn persistence_image(
    points: &[PersistencePair],
    grid: &ImageGrid,
    sigma: f64,
    weight: ImageWeight,
) -> Result<Vec<f64>, Error> {
    grid.birth.validate()?;
    grid.persistence.validate()?;
    if grid.birth.n_bins != grid.persistence.n_bins {
        return Err(Error::option("grid", "birth and persistence grids differ in size"));
    }
    crate::metric::check_sigma(sigma)?;
    check_points(points)?;
    let n = grid.birth.n_bins;
    let (sb, sp) = (grid.birth.step(), grid.persistence.step());
    let mut img = vec![0.0; n * n];
    if sb == 0.0 || sp == 0.0 {
        return Ok(img);
    }
    for (idx, v) in image_counts(points, grid, weight) {
        img[idx as usize] = v;
    }
    gaussian_filter(&mut img, n, [clamp_sigma_px(sigma / sb, n), clamp_sigma_px(sigma / sp, n)]);
    let area = sb * sp;
    for v in &mut img {
        *v /= area;
    }
    Ok(img)
}
