//! Pairwise distance matrices.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(feature = "rayon")]
use rayon::prelude::*;

use crate::batch::DiagramBatch;
use crate::error::{Error, ErrorKind};
use crate::filter::gaussian_filter;
use crate::grid::{Binner, Grid, ImageGrid};
use crate::matching::{GroundMetric, bottleneck, wasserstein};
use crate::metric::{GridMode, Metric, MetricOptions, Par};
use crate::sum::Neumaier;
use crate::summary::sliced_wasserstein_raw;
use crate::vectorize::{
    Sparse, betti_raw, clamp_sigma_px, heat_counts, heat_pixels, image_counts, landscape_raw,
    silhouette_raw,
};

/// A symmetric matrix of distances between the diagrams of a batch, with the
/// per-dimension distances it combines.
#[derive(Clone, Debug, PartialEq)]
pub struct DistanceMatrix {
    /// Number of diagrams.
    pub n: usize,
    /// Number of homology dimensions.
    pub dim_count: usize,
    /// Row-major `n × n` distances: symmetric, zero diagonal.
    pub values: Vec<f64>,
    /// Row-major `n × n × dim_count` per-dimension distances
    /// (`per_dim[(i·n + j)·dim_count + q]`, numpy's C order of an `(n, n, Q)` array).
    pub per_dim: Vec<f64>,
}

impl DistanceMatrix {
    /// The distance between diagrams `i` and `j`.
    ///
    /// # Panics
    ///
    /// If `i` or `j` is out of range.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(i < self.n && j < self.n, "index out of range");
        self.values[i * self.n + j]
    }

    /// The distance between diagrams `i` and `j` in homology dimension `q`.
    ///
    /// # Panics
    ///
    /// If an index is out of range.
    pub fn get_dim(&self, i: usize, j: usize, q: usize) -> f64 {
        assert!(i < self.n && j < self.n && q < self.dim_count, "index out of range");
        self.per_dim[(i * self.n + j) * self.dim_count + q]
    }
}

/// The sampling grid(s) of one pair and dimension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum PairGrid {
    Line(Grid),
    Image(ImageGrid),
}

impl PairGrid {
    fn bits(&self) -> [u64; 4] {
        match self {
            PairGrid::Line(g) => [g.lo.to_bits(), g.hi.to_bits(), 0, 0],
            PairGrid::Image(g) => [
                g.birth.lo.to_bits(),
                g.birth.hi.to_bits(),
                g.persistence.lo.to_bits(),
                g.persistence.hi.to_bits(),
            ],
        }
    }
}

/// Extremes of one diagram in one dimension: over births and deaths (`lo`,
/// `hi`), over births (`blo`, `bhi`) and over persistences (`plo`, `phi`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Extent {
    lo: f64,
    hi: f64,
    blo: f64,
    bhi: f64,
    plo: f64,
    phi: f64,
}

impl Extent {
    pub(crate) const EMPTY: Extent = Extent {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
        blo: f64::INFINITY,
        bhi: f64::NEG_INFINITY,
        plo: f64::INFINITY,
        phi: f64::NEG_INFINITY,
    };

    pub(crate) fn add(&mut self, b: f64, d: f64) {
        self.lo = self.lo.min(b).min(d);
        self.hi = self.hi.max(b).max(d);
        self.blo = self.blo.min(b);
        self.bhi = self.bhi.max(b);
        let p = d - b;
        self.plo = self.plo.min(p);
        self.phi = self.phi.max(p);
    }

    pub(crate) fn merge(&mut self, o: &Extent) {
        self.lo = self.lo.min(o.lo);
        self.hi = self.hi.max(o.hi);
        self.blo = self.blo.min(o.blo);
        self.bhi = self.bhi.max(o.bhi);
        self.plo = self.plo.min(o.plo);
        self.phi = self.phi.max(o.phi);
    }

    fn is_empty(&self) -> bool {
        self.lo > self.hi
    }
}

/// The number of threads [`Par::Rayon`] runs on (1 without the `rayon` feature).
pub(crate) fn thread_count() -> usize {
    #[cfg(feature = "rayon")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "rayon"))]
    {
        1
    }
}

pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    par: Par,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    match par {
        Par::Seq => items.iter().map(f).collect(),
        #[cfg(feature = "rayon")]
        Par::Rayon => items.par_iter().map(f).collect(),
    }
}

/// giotto-tda's grids (`_bin`) of one pair (or of the whole batch) from the
/// extremes of its diagrams, padding included.
fn giotto_grids(
    batch: &DiagramBatch,
    extents: &[Vec<Extent>],
    members: &[usize],
    image: bool,
    n_bins: usize,
) -> Vec<PairGrid> {
    let dims = batch.dim_count();
    let ext: Vec<Extent> = (0..dims)
        .map(|q| {
            let mut e = Extent::EMPTY;
            for &k in members {
                e.merge(&extents[k][q]);
            }
            if let Some(m) = batch.pad_value(q)
                && members.iter().any(|&k| batch.has_padding(k, q))
            {
                e.add(m, m);
            }
            e
        })
        .collect();
    grids_from_extents(ext, image, n_bins)
}

/// giotto-tda's grids from the merged extremes of the diagrams of a pair (or
/// of the whole batch), padding point included, one per dimension.
pub(crate) fn grids_from_extents(
    mut ext: Vec<Extent>,
    image: bool,
    n_bins: usize,
) -> Vec<PairGrid> {
    for e in &mut ext {
        if e.is_empty() {
            // Only for unpadded batches: treat as giotto's (0, 0) point.
            e.add(0.0, 0.0);
        }
    }
    let global_hi = ext.iter().map(|e| e.hi).fold(f64::NEG_INFINITY, f64::max);
    let global_bhi = ext.iter().map(|e| e.bhi).fold(f64::NEG_INFINITY, f64::max);
    let global_phi = ext.iter().map(|e| e.phi).fold(f64::NEG_INFINITY, f64::max);
    for e in &mut ext {
        if e.hi == e.lo {
            e.hi = global_hi;
        }
        if e.bhi == e.blo {
            e.bhi = global_bhi;
        }
        if e.phi == e.plo {
            e.phi = global_phi;
        }
    }
    ext.iter()
        .map(|e| {
            if image {
                PairGrid::Image(ImageGrid {
                    birth: Grid { lo: e.blo, hi: e.bhi, n_bins },
                    persistence: Grid { lo: e.plo, hi: e.phi, n_bins },
                })
            } else {
                PairGrid::Line(Grid { lo: e.lo, hi: e.hi, n_bins })
            }
        })
        .collect()
}

/// One vectorisation of one diagram in one dimension on one grid.
#[derive(Debug)]
pub(crate) enum Vector {
    Curve(Vec<f64>),
    Image(Sparse),
    /// A finished persistence image (filtered, divided by the pixel area),
    /// dense row-major; empty for the zero image. Used when many pairs share
    /// the key (see `densify`).
    Dense(Vec<f64>),
    /// A finished heat image `H = (G*S − (G*S)ᵀ)/Δ²`, which is antisymmetric:
    /// only its strict upper triangle (`i < j`, row by row) is kept, half the
    /// memory and half the work of a pair's norm, `‖H‖_p^p = 2·Σ_{i<j}|h_ij|^p`
    /// (its diagonal is zero); empty for the zero image.
    Antisym(Vec<f64>),
}

/// The strict upper triangle of `(d − dᵀ)/step2` for an `n × n` image `d`.
fn antisym_upper(d: &[f64], n: usize, step2: f64) -> Vec<f64> {
    let mut h = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            h.push((d[i * n + j] - d[j * n + i]) / step2);
        }
    }
    h
}

/// Filters the counts of one key once, so that pairs only subtract finished
/// images: cheaper than filtering each pair's difference image when the keys
/// are fewer than the (pair, dimension) items (joint and fixed grids). The
/// filter is linear, so both orders give the same images up to rounding
/// (this one is giotto-tda's).
pub(crate) fn densify(metric: &Metric, grid: &PairGrid, v: Vector) -> Vector {
    let Vector::Image(x) = v else { return v };
    match (metric, grid) {
        (Metric::Heat { sigma } | Metric::HeatDensity { sigma }, PairGrid::Line(g)) => {
            let step = g.step();
            if step == 0.0 || x.is_empty() {
                return Vector::Antisym(Vec::new());
            }
            let n = g.n_bins;
            let mut d = difference(&x, &Vec::new(), n);
            let s = clamp_sigma_px(sigma / step, n);
            gaussian_filter(&mut d, n, [s, s]);
            Vector::Antisym(antisym_upper(&d, n, step * step))
        }
        (Metric::PersistenceImage { sigma, .. }, PairGrid::Image(g)) => {
            let (sb, sp) = (g.birth.step(), g.persistence.step());
            if sb == 0.0 || sp == 0.0 || x.is_empty() {
                return Vector::Dense(Vec::new());
            }
            let n = g.birth.n_bins;
            let mut d = difference(&x, &Vec::new(), n);
            gaussian_filter(
                &mut d,
                n,
                [clamp_sigma_px(sigma / sb, n), clamp_sigma_px(sigma / sp, n)],
            );
            let area = sb * sp;
            d.iter_mut().for_each(|v| *v /= area);
            Vector::Dense(d)
        }
        _ => Vector::Image(x),
    }
}

/// `len` zeros, written: the pages are the process's own from the start.
/// (`vec![0.0; len]` maps large buffers to the shared zero page, so a
/// buffer that is read before it is written takes a copy-on-write fault per
/// page, each flushing the TLBs of the other threads: a third of the time of
/// a streamed heat batch on two threads of this VM.)
pub(crate) fn zeroed(len: usize) -> Vec<f64> {
    // black_box: keeps the allocation and the zeroing from being fused into calloc.
    let mut v: Vec<f64> = std::hint::black_box(Vec::with_capacity(len));
    v.resize(len, 0.0);
    v
}

/// The vector of one key: [`vectorise`], then [`densify`] if `dense`. Heat
/// images that are finished per key are counted straight into the dense
/// image (the same values as counting sparsely and densifying, in less
/// memory traffic).
pub(crate) fn vectorise_key(
    metric: &Metric,
    points: &[nnph_homology::PersistencePair],
    grid: &PairGrid,
    dense: bool,
) -> Vector {
    match (dense, metric, grid) {
        (true, Metric::Heat { sigma } | Metric::HeatDensity { sigma }, PairGrid::Line(g)) => {
            let n = g.n_bins;
            let mut d = zeroed(n * n);
            let mut any = false;
            if !heat_pixels(points, g, |k| {
                d[k] += 1.0;
                any = true;
            }) || !any
            {
                return Vector::Antisym(Vec::new());
            }
            if matches!(metric, Metric::HeatDensity { .. }) {
                let count = points.iter().filter(|p| p.birth < p.death).count();
                if count > 0 {
                    let count = count as f64;
                    d.iter_mut().filter(|v| **v != 0.0).for_each(|v| *v /= count);
                }
            }
            let step = g.step();
            let s = clamp_sigma_px(sigma / step, n);
            gaussian_filter(&mut d, n, [s, s]);
            Vector::Antisym(antisym_upper(&d, n, step * step))
        }
        _ => {
            let v = vectorise(metric, points, grid);
            if dense { densify(metric, grid, v) } else { v }
        }
    }
}

pub(crate) fn vectorise(
    metric: &Metric,
    points: &[nnph_homology::PersistencePair],
    grid: &PairGrid,
) -> Vector {
    match (metric, grid) {
        (Metric::Silhouette { power }, PairGrid::Line(g)) => {
            Vector::Curve(silhouette_raw(points, &Binner::new(g), *power))
        }
        (Metric::Landscape { n_layers }, PairGrid::Line(g)) => {
            Vector::Curve(landscape_raw(points, &Binner::new(g), *n_layers))
        }
        (Metric::Betti, PairGrid::Line(g)) => Vector::Curve(
            betti_raw(points, &Binner::new(g)).into_iter().map(|c| c as f64).collect(),
        ),
        (Metric::Heat { .. }, PairGrid::Line(g)) => Vector::Image(heat_counts(points, g)),
        (Metric::HeatDensity { .. }, PairGrid::Line(g)) => {
            let mut counts = heat_counts(points, g);
            let n = points.iter().filter(|p| p.birth < p.death).count();
            if n > 0 {
                let n = n as f64;
                counts.iter_mut().for_each(|(_, v)| *v /= n);
            }
            Vector::Image(counts)
        }
        (Metric::PersistenceImage { weight, .. }, PairGrid::Image(g)) => {
            Vector::Image(image_counts(points, g, *weight))
        }
        _ => unreachable!("grid kind matches the metric"),
    }
}

/// `‖x‖_p`.
fn lp_norm(values: impl Iterator<Item = f64>, p: f64) -> f64 {
    if p == f64::INFINITY {
        return values.fold(0.0, |m, x| m.max(x.abs()));
    }
    let mut s = Neumaier::default();
    if p == 2.0 {
        values.for_each(|x| s.add(x * x));
        s.value().sqrt()
    } else if p == 1.0 {
        values.for_each(|x| s.add(x.abs()));
        s.value()
    } else {
        values.for_each(|x| s.add(x.abs().powf(p)));
        s.value().powf(1.0 / p)
    }
}

/// `‖x − y‖_p` (`y` empty: `‖x‖_p`). For `p = 2` see [`Lanes`]: the same
/// value for every thread count, and whether computed alone or by
/// [`pair_norms_blocked`].
fn lp_norm_diff(x: &[f64], y: &[f64], p: f64) -> f64 {
    debug_assert!(y.is_empty() || x.len() == y.len());
    if p != 2.0 {
        return if y.is_empty() {
            lp_norm(x.iter().copied(), p)
        } else {
            lp_norm(x.iter().zip(y).map(|(u, v)| u - v), p)
        };
    }
    let mut lanes = Lanes::default();
    lanes.add_squares(x, y);
    lanes.value().sqrt()
}

/// `‖X − Y‖_p` for antisymmetric images given by their strict upper
/// triangles (`y` empty: `‖X‖_p`; see [`Vector::Antisym`]): every term
/// stands for two pixels.
fn lp_norm_antisym(x: &[f64], y: &[f64], p: f64) -> f64 {
    debug_assert!(y.is_empty() || x.len() == y.len());
    if p == f64::INFINITY {
        return lp_norm_diff(x, y, p);
    }
    if p == 2.0 {
        let mut lanes = Lanes::default();
        lanes.add_squares(x, y);
        return (2.0 * lanes.value()).sqrt();
    }
    let mut s = Neumaier::default();
    let mut add = |d: f64| s.add(if p == 1.0 { d.abs() } else { d.abs().powf(p) });
    if y.is_empty() {
        x.iter().for_each(|&u| add(u));
    } else {
        x.iter().zip(y).for_each(|(u, v)| add(u - v));
    }
    if p == 1.0 { 2.0 * s.value() } else { (2.0 * s.value()).powf(1.0 / p) }
}

/// A sum of squares of a sequence in a fixed order, fast and accurate: the
/// sequence is cut at multiples of [`SUB`] terms, each piece is summed in
/// four plain lanes (term `k` in lane `k mod 4`: at most `SUB/4` nonnegative
/// terms each, so a relative error below `SUB/4·ε`), and the pieces' lane
/// sums are added into four compensated (Neumaier) sums, combined at the
/// end. Four independent chains and one compensation per 32 terms make it
/// about four times as fast as compensating every term, with a relative
/// error below `3.5e-15` (against the unbounded `n·ε` of one plain chain,
/// scipy's `pdist`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Lanes([Neumaier; 4]);

/// Terms per plain piece of [`Lanes`].
const SUB: usize = 128;

impl Lanes {
    /// Adds the squares of the next terms of the sequence `x − y` (`y`
    /// empty: `x`); unless this is its last part, the part must start at a
    /// multiple of [`SUB`] terms (and `x.len()` be one).
    #[inline]
    fn add_squares(&mut self, x: &[f64], y: &[f64]) {
        if y.is_empty() {
            for xs in x.chunks(SUB) {
                let whole = xs.len() / 4 * 4;
                self.add_part(xs.chunks_exact(4).map(|a| [a[0], a[1], a[2], a[3]]), &xs[whole..]);
            }
        } else {
            for (xs, ys) in x.chunks(SUB).zip(y.chunks(SUB)) {
                let whole = xs.len() / 4 * 4;
                let mut rest = [0.0f64; 3];
                for (r, (u, v)) in rest.iter_mut().zip(xs[whole..].iter().zip(&ys[whole..])) {
                    *r = u - v;
                }
                self.add_part(
                    xs.chunks_exact(4)
                        .zip(ys.chunks_exact(4))
                        .map(|(a, b)| [a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]]),
                    &rest[..xs.len() - whole],
                );
            }
        }
    }

    /// Sums one piece: its groups of four terms lane by lane, then the
    /// `rest` (fewer than four terms after the last group) in lanes 0, 1, 2.
    #[inline(always)]
    fn add_part(&mut self, groups: impl Iterator<Item = [f64; 4]>, rest: &[f64]) {
        let mut part = [0.0f64; 4];
        for g in groups {
            for (p, v) in part.iter_mut().zip(g) {
                *p += v * v;
            }
        }
        for (p, v) in part.iter_mut().zip(rest) {
            *p += v * v;
        }
        for (lane, p) in self.0.iter_mut().zip(part) {
            lane.add(p);
        }
    }

    /// The lanes combined in a fixed order.
    fn value(&self) -> f64 {
        let mut s = self.0[0];
        for lane in &self.0[1..] {
            s.add_sum(lane);
        }
        s.value()
    }
}

/// Pixels per block of [`pair_norms_blocked`]: 16 KiB of each vector (a
/// multiple of [`SUB`]).
const BLOCK: usize = 2048;

/// `‖x_i − x_j‖_2` for the given pairs of equal-length vectors (an empty
/// vector is the zero vector), bit for bit as [`lp_norm_diff`] with `p = 2`
/// computes each one, but block by block: every worker reads a block of
/// each vector once for all its pairs instead of whole vectors once per
/// pair, which with many pairs turns a memory-bound loop into a cached one.
///
/// With `double`, each vector is the strict upper triangle of an
/// antisymmetric image ([`Vector::Antisym`]): the sums are doubled before the
/// root, as [`lp_norm_antisym`] does.
pub(crate) fn pair_norms_blocked(
    vecs: &[&[f64]],
    pairs: &[(usize, usize)],
    double: bool,
    par: Par,
) -> Vec<f64> {
    let len = vecs.iter().map(|v| v.len()).max().unwrap_or(0);
    // Contiguous runs of pairs per task; the result of a pair does not depend on them.
    let per_task = pairs.len().div_ceil(4 * thread_count()).max(1);
    let tasks: Vec<&[(usize, usize)]> = pairs.chunks(per_task).collect();
    let norms: Vec<Vec<f64>> = par_map(&tasks, par, |task| {
        let mut lanes = vec![Lanes::default(); task.len()];
        for start in (0..len).step_by(BLOCK) {
            let end = (start + BLOCK).min(len);
            for (acc, &(i, j)) in lanes.iter_mut().zip(task.iter()) {
                let (x, y) = (vecs[i], vecs[j]);
                match (x.is_empty(), y.is_empty()) {
                    (true, true) => {}
                    (false, true) => acc.add_squares(&x[start..end], &[]),
                    (true, false) => acc.add_squares(&y[start..end], &[]),
                    (false, false) => acc.add_squares(&x[start..end], &y[start..end]),
                }
            }
        }
        lanes.iter().map(|l| if double { 2.0 * l.value() } else { l.value() }.sqrt()).collect()
    });
    norms.into_iter().flatten().collect()
}

/// The norm factor of a dense vector (curve, or finished image) of a grid:
/// `Δ^(1/p)` for curves, `Δ^(2/p)` for heat images, `(Δ_b·Δ_p)^(1/p)` for
/// persistence images, as [`dim_distance`] applies it.
pub(crate) fn dense_factor(grid: &PairGrid, v: &Vector, p: f64) -> Option<f64> {
    match (grid, v) {
        (PairGrid::Line(g), Vector::Curve(_)) => Some(step_factor(g.step(), 1.0, p)),
        (PairGrid::Line(g), Vector::Dense(_) | Vector::Antisym(_)) => {
            Some(step_factor(g.step(), 2.0, p))
        }
        (PairGrid::Image(g), Vector::Dense(_)) => {
            Some(step_factor(g.birth.step() * g.persistence.step(), 1.0, p))
        }
        _ => None,
    }
}

/// `Δ^(e/p)` (1 for `p = ∞`), by the C library's `pow`, as numpy's
/// `step ** (e / p)` in giotto-tda. The exponent is hidden from the
/// optimiser: with a constant `p = 2` it would rewrite `powf(0.5)` as
/// `sqrt`, whose correctly rounded result can differ from `pow`'s by an
/// ulp, and the streamed and in-memory matrices would then differ.
fn step_factor(step: f64, e: f64, p: f64) -> f64 {
    if p == f64::INFINITY { 1.0 } else { step.powf(std::hint::black_box(e / p)) }
}

/// The difference image `A − B` (dense, row-major).
fn difference(a: &Sparse, b: &Sparse, n: usize) -> Vec<f64> {
    let mut d = zeroed(n * n);
    for &(idx, v) in a {
        d[idx as usize] += v;
    }
    for &(idx, v) in b {
        d[idx as usize] -= v;
    }
    d
}

pub(crate) fn dim_distance(opts: &MetricOptions, grid: &PairGrid, a: &Vector, b: &Vector) -> f64 {
    let p = opts.p;
    match (grid, a, b) {
        (PairGrid::Line(g), Vector::Curve(x), Vector::Curve(y)) => {
            lp_norm_diff(x, y, p) * step_factor(g.step(), 1.0, p)
        }
        (PairGrid::Line(g), Vector::Image(x), Vector::Image(y)) => {
            // Heat: G is linear and the same on both axes, so
            // H_A − H_B = (G*(S_A − S_B) − (G*(S_A − S_B))ᵀ)/Δ².
            let (Metric::Heat { sigma } | Metric::HeatDensity { sigma }) = opts.metric else {
                unreachable!()
            };
            let step = g.step();
            if step == 0.0 || (x.is_empty() && y.is_empty()) {
                return 0.0;
            }
            let n = g.n_bins;
            let mut d = difference(x, y, n);
            let s = clamp_sigma_px(sigma / step, n);
            gaussian_filter(&mut d, n, [s, s]);
            let step2 = step * step;
            let vals = (0..n * n).map(|k| (d[k] - d[(k % n) * n + k / n]) / step2);
            lp_norm(vals, p) * step_factor(step, 2.0, p)
        }
        (PairGrid::Image(g), Vector::Image(x), Vector::Image(y)) => {
            let Metric::PersistenceImage { sigma, .. } = opts.metric else { unreachable!() };
            let (sb, sp) = (g.birth.step(), g.persistence.step());
            if sb == 0.0 || sp == 0.0 || (x.is_empty() && y.is_empty()) {
                return 0.0;
            }
            let n = g.birth.n_bins;
            let mut d = difference(x, y, n);
            gaussian_filter(
                &mut d,
                n,
                [clamp_sigma_px(sigma / sb, n), clamp_sigma_px(sigma / sp, n)],
            );
            let area = sb * sp;
            lp_norm(d.iter().map(|v| v / area), p) * step_factor(area, 1.0, p)
        }
        (PairGrid::Line(g), Vector::Antisym(x), Vector::Antisym(y)) => {
            let factor = step_factor(g.step(), 2.0, p);
            match (x.is_empty(), y.is_empty()) {
                (true, true) => 0.0,
                (false, true) => lp_norm_antisym(x, &[], p) * factor,
                (true, false) => lp_norm_antisym(y, &[], p) * factor,
                (false, false) => lp_norm_antisym(x, y, p) * factor,
            }
        }
        (_, Vector::Dense(x), Vector::Dense(y)) => {
            let (factor, len) = match grid {
                PairGrid::Line(g) => (step_factor(g.step(), 2.0, p), g.n_bins * g.n_bins),
                PairGrid::Image(g) => (
                    step_factor(g.birth.step() * g.persistence.step(), 1.0, p),
                    g.birth.n_bins * g.birth.n_bins,
                ),
            };
            match (x.is_empty(), y.is_empty()) {
                (true, true) => 0.0,
                (false, true) => lp_norm_diff(x, &[], p) * factor,
                (true, false) => lp_norm_diff(y, &[], p) * factor,
                (false, false) => {
                    debug_assert_eq!(x.len(), len);
                    lp_norm_diff(x, y, p) * factor
                }
            }
        }
        _ => unreachable!("vector kinds match the grid"),
    }
}

fn combine(per_dim: &[f64], order: f64) -> f64 {
    // Matching distances can be +∞ (different numbers of essential points);
    // compensated summation would turn ∞ − ∞ into NaN.
    if per_dim.iter().any(|d| d.is_infinite()) {
        return f64::INFINITY;
    }
    lp_norm(per_dim.iter().copied(), order)
}

/// The matching distance of diagrams `i` and `j` in dimension `q`, with
/// hera's and giotto-tda's `L∞` ground metric (`internal_p = ∞`).
fn matching_distance(
    metric: &Metric,
    batch: &DiagramBatch,
    i: usize,
    j: usize,
    q: usize,
) -> Result<f64, Error> {
    let (a, b) = (batch.points(i, q), batch.points(j, q));
    let r = match *metric {
        Metric::Wasserstein { q: exponent, delta } => {
            wasserstein(a, b, exponent, GroundMetric::LInf, delta)
        }
        Metric::Bottleneck { delta } => bottleneck(a, b, GroundMetric::LInf, delta),
        // Points checked finite by `run`.
        Metric::SlicedWasserstein { n_directions } => {
            return Ok(sliced_wasserstein_raw(a, b, n_directions));
        }
        _ => unreachable!("called for point-based metrics only"),
    };
    r.map_err(|error| Error::new(ErrorKind::Matching { diagram_i: i, diagram_j: j, dim: q, error }))
}

/// The per-dimension matching distances of the given pairs: one work item
/// per (pair, dimension), run in parallel and collected in order. After a
/// failure, items later in that order are skipped, but every earlier item
/// still runs, so the error returned (the first failing item in order) does
/// not depend on the thread count.
fn run_matching(
    batch: &DiagramBatch,
    opts: &MetricOptions,
    par: Par,
    pairs: &[(usize, usize)],
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Vec<Vec<f64>>, Error> {
    let dims = batch.dim_count();
    let items: Vec<usize> = (0..pairs.len() * dims).collect();
    let total = items.len();
    let done = AtomicUsize::new(0);
    let first_failure = AtomicUsize::new(usize::MAX);
    let results: Vec<Option<Result<f64, Error>>> = par_map(&items, par, |&k| {
        if k > first_failure.load(Ordering::Relaxed) {
            return None;
        }
        let (i, j) = pairs[k / dims];
        let r = matching_distance(&opts.metric, batch, i, j, k % dims);
        if r.is_err() {
            first_failure.fetch_min(k, Ordering::Relaxed);
        } else if let Some(cb) = progress {
            cb(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        }
        Some(r)
    });
    // Skipped items all come after the first failure.
    let flat: Vec<f64> = results.into_iter().flatten().collect::<Result<_, _>>()?;
    Ok(flat.chunks(dims).map(<[f64]>::to_vec).collect())
}

/// Computes the per-dimension distances of the given pairs.
fn run(
    batch: &DiagramBatch,
    opts: &MetricOptions,
    par: Par,
    pairs: &[(usize, usize)],
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Vec<Vec<f64>>, Error> {
    run_images(batch, opts, par, pairs, progress, true)
}

/// [`run`]; `filter_once: false` filters each pair's difference image even
/// when the grid is shared (for tests of the filter-once path).
fn run_images(
    batch: &DiagramBatch,
    opts: &MetricOptions,
    par: Par,
    pairs: &[(usize, usize)],
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    filter_once: bool,
) -> Result<Vec<Vec<f64>>, Error> {
    opts.validate()?;
    if opts.metric.is_matching() {
        return run_matching(batch, opts, par, pairs, progress);
    }
    if batch.essential_count() > 0 {
        for i in 0..batch.len() {
            for q in 0..batch.dim_count() {
                if batch.points(i, q).iter().any(|p| p.death == f64::INFINITY) {
                    return Err(Error::new(ErrorKind::EssentialPoint { diagram: i, dim: q }));
                }
            }
        }
    }
    if !opts.metric.uses_grid() {
        // Sliced Wasserstein: one independent item per (pair, dimension).
        return run_matching(batch, opts, par, pairs, progress);
    }
    let dims = batch.dim_count();
    let image = matches!(opts.metric, Metric::PersistenceImage { .. });

    // 1. The grid of every pair and dimension.
    let grids: Vec<Vec<PairGrid>> = match opts.grid {
        GridMode::Fixed { lo, hi } => {
            vec![vec![fixed_pair_grid(lo, hi, opts.n_bins, image); dims]; pairs.len()]
        }
        GridMode::Giotto | GridMode::GiottoJoint => {
            let mut needed = vec![false; batch.len()];
            for &(i, j) in pairs {
                needed[i] = true;
                needed[j] = true;
            }
            if opts.grid == GridMode::GiottoJoint {
                needed.fill(true);
            }
            let ids: Vec<usize> = (0..batch.len()).collect();
            let extents: Vec<Vec<Extent>> = par_map(&ids, par, |&i| {
                if !needed[i] {
                    return Vec::new();
                }
                (0..dims)
                    .map(|q| {
                        let mut e = Extent::EMPTY;
                        for p in batch.points(i, q) {
                            e.add(p.birth, p.death);
                        }
                        e
                    })
                    .collect()
            });
            if opts.grid == GridMode::GiottoJoint {
                let g = giotto_grids(batch, &extents, &ids, image, opts.n_bins);
                vec![g; pairs.len()]
            } else {
                pairs
                    .iter()
                    .map(|&(i, j)| giotto_grids(batch, &extents, &[i, j], image, opts.n_bins))
                    .collect()
            }
        }
    };

    // 2. The distinct (diagram, dimension, grid) vectorisations needed.
    let mut key_ids: HashMap<(usize, usize, [u64; 4]), usize> = HashMap::new();
    let mut keys: Vec<(usize, usize, PairGrid)> = Vec::new();
    let mut pair_keys: Vec<Vec<(usize, usize)>> = Vec::with_capacity(pairs.len());
    for (&(i, j), g) in pairs.iter().zip(&grids) {
        let mut id = |k: usize, q: usize| {
            *key_ids.entry((k, q, g[q].bits())).or_insert_with(|| {
                keys.push((k, q, g[q]));
                keys.len() - 1
            })
        };
        pair_keys.push((0..dims).map(|q| (id(i, q), id(j, q))).collect());
    }

    let total = keys.len() + pairs.len();
    let done = AtomicUsize::new(0);
    let tick = || {
        if let Some(cb) = progress {
            cb(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        }
    };

    // 3. Vectorise (in key order, whatever the thread count). With one grid
    // for all pairs (fixed or joint grids) images are finished per key, which
    // filters each diagram once instead of each pair once, when the dense
    // images fit in 256 MB. The choice depends on the grid mode (and that
    // memory cap) only, so `distance()` and `pairwise()` agree bit for bit.
    let dense =
        filter_once && dense_images(opts, grids.first().and_then(|g| g.first()), keys.len());
    let vectors: Vec<Vector> = par_map(&keys, par, |(k, q, g)| {
        let v = vectorise_key(&opts.metric, batch.points(*k, *q), g, dense);
        tick();
        v
    });

    // 4. Combine per pair.
    let idx: Vec<usize> = (0..pairs.len()).collect();
    Ok(par_map(&idx, par, |&pi| {
        let d = (0..dims)
            .map(|q| {
                let (a, b) = pair_keys[pi][q];
                dim_distance(opts, &grids[pi][q], &vectors[a], &vectors[b])
            })
            .collect();
        tick();
        d
    }))
}

/// The largest total size of the finished (dense) images of a batch, in bytes.
pub(crate) const DENSE_IMAGES_BYTES: usize = 256 << 20;

/// Whether heat and persistence images are finished per key (filtered once
/// per diagram, see [`densify`]) rather than per pair: only with one grid for
/// all pairs (fixed or joint grids), and only when the `keys` dense images
/// fit in [`DENSE_IMAGES_BYTES`]. The choice depends on the grid mode, the
/// grid size and the number of keys only, so `distance()`, `pairwise()` and
/// the streamed path agree bit for bit.
pub(crate) fn dense_images(opts: &MetricOptions, grid: Option<&PairGrid>, keys: usize) -> bool {
    let pixels = match grid {
        Some(PairGrid::Line(g)) => g.n_bins.saturating_mul(g.n_bins),
        Some(PairGrid::Image(g)) => g.birth.n_bins.saturating_mul(g.birth.n_bins),
        None => 0,
    };
    matches!(
        opts.metric,
        Metric::Heat { .. } | Metric::HeatDensity { .. } | Metric::PersistenceImage { .. }
    ) && matches!(opts.grid, GridMode::Fixed { .. } | GridMode::GiottoJoint)
        && keys.saturating_mul(pixels) <= DENSE_IMAGES_BYTES / 8
}

/// All pairs `i < j` of `n` diagrams, in row order.
pub(crate) fn all_pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect()
}

/// The symmetric matrix from the per-dimension distances of [`all_pairs`].
pub(crate) fn assemble(
    n: usize,
    dims: usize,
    pairs: &[(usize, usize)],
    per_pair: &[Vec<f64>],
    order: f64,
) -> DistanceMatrix {
    let mut values = vec![0.0; n * n];
    let mut per_dim = vec![0.0; n * n * dims];
    for (&(i, j), d) in pairs.iter().zip(per_pair) {
        let total = combine(d, order);
        values[i * n + j] = total;
        values[j * n + i] = total;
        per_dim[(i * n + j) * dims..(i * n + j + 1) * dims].copy_from_slice(d);
        per_dim[(j * n + i) * dims..(j * n + i + 1) * dims].copy_from_slice(d);
    }
    DistanceMatrix { n, dim_count: dims, values, per_dim }
}

/// The matrix of distances between all diagrams of a batch.
///
/// Each pair `i < j` is computed once (per-dimension distances `d_q` and the
/// combination `‖(d_0, …)‖_order`) and mirrored; the diagonal is zero. The
/// work is planned so that each distinct (diagram, dimension, grid)
/// vectorisation is computed once, which with giotto-tda grids on the paper's
/// batches means the big H1 diagrams are vectorised once per diagram.
///
/// Matching metrics ([`Metric::Wasserstein`], [`Metric::Bottleneck`]) use
/// no grid: each (pair, dimension) is one independent matching problem on
/// the real points of the two diagrams, all of them run in parallel and
/// collected in order; so does [`Metric::SlicedWasserstein`]
/// (O(M·n log n) per pair and dimension for `M` directions).
///
/// # Complexity
///
/// Grid-based metrics: O(Σ n_k) per distinct grid of a diagram plus
/// O(n_bins) (curves) or O(n_bins²·σ/Δ) (images) per pair and dimension;
/// memory O(keys·n_bins) for curves, O(keys·nnz) for images, no copy of the
/// points. Matching metrics: per pair and dimension, the cost of
/// [`matching::bottleneck_exact`](crate::matching::bottleneck_exact) or
/// [`matching::wasserstein_exact`](crate::matching::wasserstein_exact)
/// (O(n log n) or a banded O(n_a·n_b) dynamic programme when the points lie
/// on one line, as the paper's H0 and capped H1 points do; otherwise, for
/// the exact Wasserstein distance, a sparse solver of roughly
/// `(n_a + n_b)^1.8` time on random diagrams).
///
/// # Errors
///
/// [`ErrorKind::InvalidOption`] for invalid options,
/// [`ErrorKind::EssentialPoint`] if a point has an infinite death and the
/// metric is grid-based or sliced Wasserstein (cap first), [`ErrorKind::Matching`] if a matching
/// distance fails (too many points for the exact solver).
pub fn pairwise(
    batch: &DiagramBatch,
    opts: &MetricOptions,
    par: Par,
) -> Result<DistanceMatrix, Error> {
    pairwise_impl(batch, opts, par, None)
}

/// [`pairwise()`] reporting progress: `progress(done, total)` is called after
/// each unit of work (one vectorisation or one pair; for matching metrics,
/// one pair in one dimension), from worker threads, so calls may arrive
/// slightly out of order.
///
/// # Errors
///
/// As [`pairwise()`].
pub fn pairwise_with_progress(
    batch: &DiagramBatch,
    opts: &MetricOptions,
    par: Par,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DistanceMatrix, Error> {
    pairwise_impl(batch, opts, par, Some(progress))
}

fn pairwise_impl(
    batch: &DiagramBatch,
    opts: &MetricOptions,
    par: Par,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<DistanceMatrix, Error> {
    let pairs = all_pairs(batch.len());
    let per_pair = run(batch, opts, par, &pairs, progress)?;
    Ok(assemble(batch.len(), batch.dim_count(), &pairs, &per_pair, opts.order))
}

/// The distance between diagrams `i` and `j` of a batch, and its
/// per-dimension parts, exactly as [`pairwise()`] computes that entry.
///
/// # Errors
///
/// As [`pairwise()`].
///
/// # Panics
///
/// If `i` or `j` is out of range.
pub fn distance(
    batch: &DiagramBatch,
    i: usize,
    j: usize,
    opts: &MetricOptions,
) -> Result<(f64, Vec<f64>), Error> {
    assert!(i < batch.len() && j < batch.len(), "diagram index out of range");
    let mut d = run(batch, opts, Par::Seq, &[(i, j)], None)?;
    let d = d.pop().unwrap_or_default();
    Ok((combine(&d, opts.order), d))
}

/// The grid of every pair and dimension under [`GridMode::Fixed`]: `[lo, hi]` with `n_bins`
/// samples, on both axes for persistence images.
pub(crate) fn fixed_pair_grid(lo: f64, hi: f64, n_bins: usize, image: bool) -> PairGrid {
    let g = Grid { lo, hi, n_bins };
    if image { PairGrid::Image(ImageGrid { birth: g, persistence: g }) } else { PairGrid::Line(g) }
}

#[cfg(test)]
mod tests {
    use nnph_homology::{Diagram, PersistencePair as P};
    use proptest::prelude::*;

    use super::*;

    fn points(max: usize) -> impl Strategy<Value = Vec<P>> {
        prop::collection::vec(
            prop_oneof![
                (-0.5f64..1.5, 0.0f64..1.0).prop_map(|(b, l)| P::new(b, b + l)),
                // Lattice points: ties and pixel edges.
                (0i32..16, 0i32..16)
                    .prop_map(|(b, l)| P::new(f64::from(b) / 8.0, f64::from(b + l) / 8.0)),
            ],
            0..max,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Heat images counted straight into the dense image and
        /// antisymmetrised in place are bit for bit the sparse counts densified.
        #[test]
        fn direct_dense_heat_equals_densified_counts(
            p in points(40),
            lo in -0.5f64..0.5,
            w in prop_oneof![Just(0.0), 0.01f64..2.0],
            n_bins in 2usize..40,
            sigma in 0.02f64..0.5,
            density in any::<bool>(),
        ) {
            let grid = PairGrid::Line(Grid { lo, hi: lo + w, n_bins });
            let metric = if density { Metric::HeatDensity { sigma } } else { Metric::Heat { sigma } };
            let (Vector::Antisym(direct), Vector::Antisym(densified)) = (
                vectorise_key(&metric, &p, &grid, true),
                densify(&metric, &grid, vectorise(&metric, &p, &grid)),
            ) else {
                panic!("dense vectors");
            };
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&direct), bits(&densified));
        }

        /// With one grid for the batch, heat, heat density and persistence
        /// images filtered once per diagram (then subtracted) equal the
        /// per-pair path (the difference of the counts filtered per pair) up
        /// to rounding: the Gaussian filter is linear.
        #[test]
        fn filter_once_equals_per_pair_filtering(
            ds in prop::collection::vec((points(30), points(30)), 2..6),
            sigma in 0.02f64..0.4,
            n_bins in 2usize..48,
            kind in 0usize..3,
            joint in any::<bool>(),
        ) {
            let mut diagrams: Vec<Diagram> = ds.into_iter().map(|(a, b)| Diagram::from_dims(vec![a, b])).collect();
            // An empty diagram: its distances are the norms of the others' images,
            // the scale of the rounding errors.
            diagrams.push(Diagram::from_dims(vec![Vec::new(), Vec::new()]));
            let batch = DiagramBatch::giotto_filtered(&diagrams, 2, 0.01).unwrap();
            let metric = match kind {
                0 => Metric::Heat { sigma },
                1 => Metric::HeatDensity { sigma },
                _ => Metric::PersistenceImage { sigma, weight: crate::ImageWeight::Linear },
            };
            let grid = if joint { GridMode::GiottoJoint } else { GridMode::Fixed { lo: -0.5, hi: 2.5 } };
            let opts = MetricOptions::new(metric).with_n_bins(n_bins).with_grid(grid);
            let pairs = all_pairs(batch.len());
            let once = run_images(&batch, &opts, Par::Seq, &pairs, None, true).unwrap();
            let per_pair = run_images(&batch, &opts, Par::Seq, &pairs, None, false).unwrap();
            let e = batch.len() - 1;
            let norm = |i: usize, q: usize| {
                if i == e { 0.0 } else { once[pairs.iter().position(|&p| p == (i, e)).unwrap()][q] }
            };
            for (k, (a, b)) in once.iter().zip(&per_pair).enumerate() {
                let (i, j) = pairs[k];
                for q in 0..2 {
                    let scale = norm(i, q) + norm(j, q);
                    prop_assert!((a[q] - b[q]).abs() <= 1e-12 * scale + 1e-300,
                        "{metric} pair {:?} H{q}: filtered once {} vs per pair {} (scale {scale})", pairs[k], a[q], b[q]);
                }
            }
        }
    }
}
