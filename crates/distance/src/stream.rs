//! Pairwise distances on one grid shared by the whole batch (fixed or joint
//! giotto-tda grids), computed from diagrams that are read twice, one at a
//! time, instead of held in memory.
//!
//! With a shared grid, a diagram's vectorisation depends on the other
//! diagrams only through the grid, which needs a few numbers per diagram and
//! dimension (point counts, the smallest birth, the extremes). So a first
//! pass reads every diagram and keeps those numbers (and, up to
//! [`StreamOptions::retain_bytes`], the diagram's filtered points, so that
//! small batches are read once); a second pass reads each diagram again
//! (unless its points were kept), vectorises it (heat and persistence images
//! are filtered there, once per diagram) and keeps only its vectors; the
//! pairs then take norms of differences of vectors, block by block so that
//! each vector is read from memory once rather than once per pair. Memory is the vectors,
//! the kept points and the points of the diagrams being read, whatever the
//! batch's size on disk.
//!
//! The values are bit for bit those of [`pairwise()`](crate::pairwise()) on
//! the [`DiagramBatch`](crate::DiagramBatch) that giotto-tda's filtering and
//! the cap of infinite deaths would build from the same diagrams
//! ([`DiagramBatch::giotto_filtered`](crate::DiagramBatch::giotto_filtered),
//! [`DiagramBatch::cap_infinity`](crate::DiagramBatch::cap_infinity)): the same
//! grids, the same vectorisation of the same points in the same order, the
//! same per-pair sums; and they do not depend on the thread count.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use nnph_homology::{Diagram, PersistencePair};

use crate::batch::check_point;
use crate::error::{Error, ErrorKind};
use crate::grid::Grid;
use crate::metric::{GridMode, Metric, MetricOptions, Par};
use crate::pairwise::{
    DistanceMatrix, Extent, PairGrid, Vector, all_pairs, assemble, dense_factor, dense_images,
    dim_distance, grids_from_extents, pair_norms_blocked, par_map, vectorise_key,
};

/// The most homology dimensions a streamed batch may have when
/// [`StreamOptions::dim_count`] is left to the diagrams.
pub const MAX_STREAM_DIMS: usize = 1024;

/// Diagrams that can be read one at a time, as often as needed, possibly
/// from several threads at once: for example the diagrams of a file, read
/// from disk on each visit.
pub trait DiagramSource: Sync {
    /// The error of a failed read; distance errors convert into it.
    type Error: From<Error> + Send;

    /// The number of diagrams.
    fn len(&self) -> usize;

    /// Whether there is no diagram.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `sink(dim, point)` for every point of diagram `i` (`i < len()`),
    /// in the diagram's order within each dimension. Every visit of the same
    /// diagram must give the same points in the same order.
    ///
    /// # Errors
    ///
    /// Whatever reading the diagram can fail with.
    fn visit<F: FnMut(usize, PersistencePair)>(&self, i: usize, sink: F)
    -> Result<(), Self::Error>;

    /// As [`DiagramSource::visit`], except that a run of consecutive equal
    /// trivial points (`birth == death`) in one dimension may be given as
    /// its first point only — giotto-style padding, which the streamed
    /// passes filter out, can then be skipped cheaply. The default gives
    /// every point.
    ///
    /// # Errors
    ///
    /// As [`DiagramSource::visit`].
    fn visit_collapsing_trivial<F: FnMut(usize, PersistencePair)>(
        &self,
        i: usize,
        sink: F,
    ) -> Result<(), Self::Error> {
        self.visit(i, sink)
    }
}

/// Diagrams in memory, visited dimension by dimension.
impl DiagramSource for [Diagram] {
    type Error = Error;

    fn len(&self) -> usize {
        <[Diagram]>::len(self)
    }

    fn visit<F: FnMut(usize, PersistencePair)>(&self, i: usize, mut sink: F) -> Result<(), Error> {
        for (q, points) in self[i].dims().iter().enumerate() {
            for &p in points {
                sink(q, p);
            }
        }
        Ok(())
    }
}

/// The default of [`StreamOptions::retain_bytes`]: 32 MiB.
pub const DEFAULT_RETAIN_BYTES: usize = 32 << 20;

/// How each diagram of a streamed batch is prepared: giotto-tda's
/// `Filtering(epsilon)`, then infinite deaths replaced by `infinity`, as
/// [`DiagramBatch::giotto_filtered`](crate::DiagramBatch::giotto_filtered) and
/// [`DiagramBatch::cap_infinity`](crate::DiagramBatch::cap_infinity) do
/// (the padding of the filtered batch is kept virtual, as there); and how
/// much of the first pass is kept for the second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StreamOptions {
    /// Pairs with `death − birth > epsilon` are kept (strictly; infinite
    /// lifetimes are kept).
    pub epsilon: f64,
    /// Infinite deaths become this value after filtering; with `None` an
    /// infinite death is an error ([`ErrorKind::EssentialPoint`]), as for
    /// every grid-based metric.
    pub infinity: Option<f64>,
    /// The homology dimensions `0..dim_count` (points of higher dimensions
    /// are dropped); `None`: one more than the highest dimension of any point
    /// (at least 1, at most [`MAX_STREAM_DIMS`]).
    pub dim_count: Option<usize>,
    /// The first pass keeps the filtered points of the diagrams it reads
    /// (16 bytes a point) as long as they add up to at most this many bytes,
    /// and the second pass does not read those diagrams again; `0` keeps
    /// nothing. Which diagrams are kept can depend on the thread count, the
    /// values cannot.
    pub retain_bytes: usize,
}

impl StreamOptions {
    /// The paper's preparation: `Filtering(epsilon)`, then `inf → infinity`;
    /// up to [`DEFAULT_RETAIN_BYTES`] of points kept between the passes.
    pub fn giotto(epsilon: f64, infinity: f64) -> Self {
        Self {
            epsilon,
            infinity: Some(infinity),
            dim_count: None,
            retain_bytes: DEFAULT_RETAIN_BYTES,
        }
    }
}

/// What the first pass keeps of one diagram in one dimension: its kept
/// (filtered) points' count, smallest birth and extremes (after the cap).
#[derive(Clone, Copy, Debug, PartialEq)]
struct DimStat {
    kept: usize,
    min_birth: f64,
    ext: Extent,
}

impl DimStat {
    const EMPTY: DimStat = DimStat { kept: 0, min_birth: f64::INFINITY, ext: Extent::EMPTY };
}

/// One visit of one diagram: filters, checks and caps each point as it
/// comes, keeping the statistics and (in the second pass) the points.
struct Visit<'a> {
    prep: &'a StreamOptions,
    diagram: usize,
    stats: Vec<DimStat>,
    /// One more than the highest dimension of any point (filtered or not).
    seen_dims: usize,
    kept: Option<Vec<Vec<PersistencePair>>>,
    error: Option<Error>,
}

impl<'a> Visit<'a> {
    fn new(prep: &'a StreamOptions, diagram: usize, keep: bool) -> Self {
        Self {
            prep,
            diagram,
            stats: Vec::new(),
            seen_dims: 0,
            kept: keep.then(Vec::new),
            error: None,
        }
    }

    fn invalid(&self, q: usize, p: &PersistencePair) -> Error {
        Error::new(ErrorKind::InvalidPoint {
            diagram: self.diagram,
            dim: q,
            birth: p.birth,
            death: p.death,
        })
    }

    #[inline(always)]
    fn point(&mut self, q: usize, p: PersistencePair) {
        if self.error.is_some() {
            return;
        }
        match self.prep.dim_count {
            Some(limit) if q >= limit => return,
            None if q >= MAX_STREAM_DIMS => {
                self.error = Some(Error::mismatch(format!(
                    "diagram {} has a point in dimension {q}; a streamed batch has at most \
                     {MAX_STREAM_DIMS} dimensions",
                    self.diagram
                )));
                return;
            }
            _ => {}
        }
        self.seen_dims = self.seen_dims.max(q + 1);
        // giotto_filtered: NaN anywhere is an error; then the filter.
        if p.birth.is_nan() || p.death.is_nan() {
            self.error = Some(self.invalid(q, &p));
            return;
        }
        // As giotto_filtered: a NaN lifetime (∞ − ∞) is not kept either.
        let kept = p.death - p.birth > self.prep.epsilon;
        if !kept {
            return;
        }
        if let Err(e) = check_point(&p, self.diagram, q) {
            self.error = Some(e);
            return;
        }
        let death = if p.death == f64::INFINITY {
            match self.prep.infinity {
                Some(v) if p.birth > v => {
                    self.error = Some(self.invalid(q, &p));
                    return;
                }
                Some(v) => v,
                None => {
                    self.error = Some(Error::new(ErrorKind::EssentialPoint {
                        diagram: self.diagram,
                        dim: q,
                    }));
                    return;
                }
            }
        } else {
            p.death
        };
        if self.stats.len() <= q {
            self.stats.resize(q + 1, DimStat::EMPTY);
        }
        let s = &mut self.stats[q];
        s.kept += 1;
        s.min_birth = s.min_birth.min(p.birth);
        s.ext.add(p.birth, death);
        if let Some(kept) = &mut self.kept {
            if kept.len() <= q {
                kept.resize_with(q + 1, Vec::new);
            }
            kept[q].push(PersistencePair::new(p.birth, death));
        }
    }
}

/// What one visit found: per-dimension statistics, dimensions seen, and
/// (second pass) the kept points.
type Visited = (Vec<DimStat>, usize, Vec<Vec<PersistencePair>>);

fn visit_one<S: DiagramSource + ?Sized>(
    source: &S,
    prep: &StreamOptions,
    i: usize,
    keep: bool,
) -> Result<Visited, S::Error> {
    let mut v = Visit::new(prep, i, keep);
    // With `epsilon ≥ 0` a trivial point is never kept and only marks its
    // dimension as seen, so a run of equal ones counts as one.
    if prep.epsilon >= 0.0 {
        source.visit_collapsing_trivial(i, |q, p| v.point(q, p))?;
    } else {
        source.visit(i, |q, p| v.point(q, p))?;
    }
    if let Some(e) = v.error {
        return Err(e.into());
    }
    Ok((v.stats, v.seen_dims, v.kept.unwrap_or_default()))
}

/// Maps `f` over `0..n` (in parallel with [`Par::Rayon`]) and returns the
/// results in order, or the error of the first failing index: after a
/// failure, later indices are skipped but every earlier one still runs, so
/// the error does not depend on the thread count.
fn try_map_ids<R: Send, E: Send>(
    n: usize,
    par: Par,
    f: impl Fn(usize) -> Result<R, E> + Sync + Send,
) -> Result<Vec<R>, E> {
    let ids: Vec<usize> = (0..n).collect();
    let first_failure = AtomicUsize::new(usize::MAX);
    let results: Vec<Option<Result<R, E>>> = par_map(&ids, par, |&i| {
        if i > first_failure.load(Ordering::Relaxed) {
            return None;
        }
        let r = f(i);
        if r.is_err() {
            first_failure.fetch_min(i, Ordering::Relaxed);
        }
        Some(r)
    });
    results.into_iter().flatten().collect()
}

/// The first pass over a batch that shares one grid: its grids, and what the
/// second pass ([`SharedGridPlan::pairwise`]) needs to vectorise each diagram
/// on its own.
///
/// # Example
///
/// The paper's heat distance on giotto-tda's joint grid, from diagrams that
/// could as well be read from disk on each visit (see [`DiagramSource`]):
///
/// ```
/// use nnph_distance::{
///     DiagramBatch, GridMode, Metric, MetricOptions, Par, SharedGridPlan, StreamOptions, pairwise,
/// };
/// use nnph_homology::{Diagram, PersistencePair as P};
///
/// let diagrams = vec![
///     Diagram::from_dims(vec![vec![P::new(0.0, 0.5)], vec![P::new(0.3, f64::INFINITY)]]),
///     Diagram::from_dims(vec![vec![P::new(0.0, 0.6), P::new(0.0, 0.001)], vec![]]),
///     Diagram::from_dims(vec![vec![P::new(0.0, 0.2)], vec![P::new(0.1, 0.7)]]),
/// ];
/// let opts = MetricOptions::paper(Metric::HEAT).with_grid(GridMode::GiottoJoint);
/// let plan = SharedGridPlan::scan(&diagrams[..], StreamOptions::giotto(0.01, 1.0), &opts, Par::Seq)?;
/// assert_eq!((plan.len(), plan.dim_count()), (3, 2));
/// let streamed = plan.pairwise(&diagrams[..], Par::Seq, None)?;
///
/// // Bit for bit the matrix of the batch held in memory.
/// let mut batch = DiagramBatch::giotto_filtered(&diagrams, 2, 0.01)?;
/// batch.cap_infinity(1.0)?;
/// assert_eq!(streamed, pairwise(&batch, &opts, Par::Seq)?);
/// # Ok::<(), nnph_distance::Error>(())
/// ```
#[derive(Debug)]
pub struct SharedGridPlan {
    opts: MetricOptions,
    prep: StreamOptions,
    dim_count: usize,
    /// Per diagram, per dimension (`dim_count` each).
    stats: Vec<Vec<DimStat>>,
    /// Per diagram, its filtered points if the first pass kept them (taken
    /// by the second pass).
    retained: Vec<Mutex<Option<Vec<Vec<PersistencePair>>>>>,
    grids: Vec<PairGrid>,
    dense: bool,
}

impl SharedGridPlan {
    /// Reads every diagram of `source` once (in parallel with [`Par::Rayon`])
    /// and plans the second pass: the batch's dimensions, padding and grids.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`] for invalid options, a metric that is not
    /// grid-based, or a grid mode other than [`GridMode::Fixed`] and
    /// [`GridMode::GiottoJoint`] (per-pair grids need every pair's points);
    /// [`ErrorKind::EmptyBatch`], [`ErrorKind::NoDimensions`];
    /// [`ErrorKind::InvalidPoint`] and [`ErrorKind::EssentialPoint`] as the
    /// in-memory batch would report them (the first invalid point in reading
    /// order); [`ErrorKind::DimensionMismatch`] for a point of a dimension
    /// ≥ [`MAX_STREAM_DIMS`]; any error of the source. The error is that of
    /// the first failing diagram, whatever the thread count.
    pub fn scan<S: DiagramSource + ?Sized>(
        source: &S,
        prep: StreamOptions,
        opts: &MetricOptions,
        par: Par,
    ) -> Result<Self, S::Error> {
        opts.validate()?;
        if !opts.metric.uses_grid() {
            return Err(Error::option(
                "metric",
                format!("{} has no grid; stream only grid-based metrics", opts.metric),
            )
            .into());
        }
        if !matches!(opts.grid, GridMode::Fixed { .. } | GridMode::GiottoJoint) {
            return Err(Error::option(
                "grid",
                "a streamed batch needs one grid for all pairs (fixed or giotto-joint)",
            )
            .into());
        }
        let n = source.len();
        if n == 0 {
            return Err(Error::new(ErrorKind::EmptyBatch).into());
        }
        if prep.dim_count == Some(0) {
            return Err(Error::new(ErrorKind::NoDimensions).into());
        }
        if prep.epsilon.is_nan() {
            return Err(Error::option("epsilon", "NaN").into());
        }
        if let Some(v) = prep.infinity
            && !v.is_finite()
        {
            return Err(Error::option("value", format!("need a finite cap, got {v}")).into());
        }

        let kept_bytes = AtomicUsize::new(0);
        let scans = try_map_ids(n, par, |i| {
            let keep = prep.retain_bytes > 0;
            let (stats, seen, points) = visit_one(source, &prep, i, keep)?;
            // Keep the points if they fit in what is left of retain_bytes.
            let bytes = points.iter().map(|v| 16 * v.len() + 24).sum::<usize>();
            let kept = keep
                && kept_bytes
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |k| {
                        k.checked_add(bytes).filter(|&t| t <= prep.retain_bytes)
                    })
                    .is_ok();
            // Kept lists give back what their growth reserved beyond their points.
            let points = kept.then(|| {
                let mut points = points;
                points.iter_mut().for_each(Vec::shrink_to_fit);
                points
            });
            Ok::<_, S::Error>((stats, seen, points))
        })?;
        let dim_count =
            prep.dim_count.unwrap_or_else(|| scans.iter().map(|s| s.1).max().unwrap_or(0)).max(1);
        let (stats, retained): (Vec<Vec<DimStat>>, Vec<_>) = scans
            .into_iter()
            .map(|(mut s, _, points)| {
                s.resize(dim_count, DimStat::EMPTY);
                (s, Mutex::new(points))
            })
            .unzip();

        // giotto-tda's padding (DiagramBatch::giotto_filtered): N_q points of
        // value (m_q, m_q); (0, 0) for a dimension with no point left.
        let image = matches!(opts.metric, Metric::PersistenceImage { .. });
        let grids = match opts.grid {
            GridMode::Fixed { lo, hi } => {
                vec![crate::pairwise::fixed_pair_grid(lo, hi, opts.n_bins, image); dim_count]
            }
            _ => {
                let ext = (0..dim_count)
                    .map(|q| {
                        let mut padded_len = 0;
                        let mut pad_value = f64::INFINITY;
                        let mut e = Extent::EMPTY;
                        for s in &stats {
                            padded_len = padded_len.max(s[q].kept);
                            pad_value = pad_value.min(s[q].min_birth);
                            e.merge(&s[q].ext);
                        }
                        if padded_len == 0 {
                            padded_len = 1;
                            pad_value = 0.0;
                        }
                        if stats.iter().any(|s| s[q].kept < padded_len) {
                            e.add(pad_value, pad_value);
                        }
                        e
                    })
                    .collect();
                grids_from_extents(ext, image, opts.n_bins)
            }
        };
        let dense = dense_images(opts, grids.first(), n.saturating_mul(dim_count));
        Ok(Self { opts: *opts, prep, dim_count, stats, retained, grids, dense })
    }

    /// The number of diagrams.
    pub fn len(&self) -> usize {
        self.stats.len()
    }

    /// Whether the batch is empty (never true for a scanned batch).
    pub fn is_empty(&self) -> bool {
        self.stats.is_empty()
    }

    /// The batch's homology dimensions, `0..dim_count`.
    pub fn dim_count(&self) -> usize {
        self.dim_count
    }

    /// The grid of dimension `q` (the birth grid for persistence images).
    ///
    /// # Panics
    ///
    /// If `q ≥ dim_count()`.
    pub fn grid(&self, q: usize) -> Grid {
        match self.grids[q] {
            PairGrid::Line(g) => g,
            PairGrid::Image(g) => g.birth,
        }
    }

    /// The number of diagrams whose points the first pass kept (the second
    /// pass does not read them again).
    pub fn retained(&self) -> usize {
        self.retained.iter().filter(|r| r.lock().is_ok_and(|r| r.is_some())).count()
    }

    /// An upper bound of the memory [`SharedGridPlan::pairwise`] holds, in
    /// bytes: the vectors of every diagram, the points kept by the first pass,
    /// the points and work images of the diagrams being read (one per
    /// thread), and the matrix.
    pub fn memory_bytes(&self) -> u128 {
        let n = self.len() as u128;
        let dims = self.dim_count as u128;
        let bins = self.opts.n_bins as u128;
        let pixels = bins * bins;
        let max_kept =
            self.stats.iter().map(|s| s.iter().map(|d| d.kept).sum::<usize>()).max().unwrap_or(0)
                as u128;
        let max_kept_dim =
            self.stats.iter().flat_map(|s| s.iter().map(|d| d.kept)).max().unwrap_or(0) as u128;
        let per_vector = match self.opts.metric {
            Metric::Silhouette { .. } | Metric::Betti => 8 * bins,
            Metric::Landscape { n_layers } => 8 * bins * n_layers as u128,
            // Heat: the strict upper triangle of an antisymmetric image.
            Metric::Heat { .. } | Metric::HeatDensity { .. } if self.dense => {
                8 * bins * bins.saturating_sub(1) / 2
            }
            _ if self.dense => 8 * pixels,
            // Sparse counts: at most one (index, value) per kept point.
            _ => 16 * max_kept_dim,
        };
        let image_work = match self.opts.metric {
            Metric::Heat { .. } | Metric::HeatDensity { .. } | Metric::PersistenceImage { .. } => {
                // Sparse counts, dense u32 counts, the image being filtered and its result.
                16 * max_kept_dim + 4 * pixels + 16 * pixels
            }
            Metric::Landscape { n_layers } => 2 * bins * n_layers as u128 * 16,
            _ => 4 * bins * 16,
        };
        let threads = crate::pairwise::thread_count() as u128;
        let pairs = n * n.saturating_sub(1) / 2;
        // A diagram being read: its points in lists that may have grown to twice their size.
        n * dims * per_vector
            + self.prep.retain_bytes as u128
            + threads * (32 * max_kept + image_work)
            + n * dims * 64
            + pairs * (16 + 24 + 8 * dims)
            + n * n * 8 * (1 + dims)
    }

    /// The second pass: reads every diagram again (in parallel with
    /// [`Par::Rayon`]) unless the first pass kept its points (those are used,
    /// and freed, instead), vectorises it on the planned grids, keeps only
    /// its vectors, then computes every pair. `source` must give the same
    /// diagrams as in [`SharedGridPlan::scan`].
    ///
    /// `progress(done, total)` is called after each diagram, then once per
    /// pair when the pairs are done (curves and finished images are summed
    /// block by block for all pairs at once).
    ///
    /// # Errors
    ///
    /// Any error of the source; [`ErrorKind::SourceChanged`] if a diagram's
    /// points differ from the first pass in number or extent.
    pub fn pairwise<S: DiagramSource + ?Sized>(
        &self,
        source: &S,
        par: Par,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<DistanceMatrix, S::Error> {
        let n = self.len();
        if source.len() != n {
            return Err(
                Error::new(ErrorKind::SourceChanged { diagram: n.min(source.len()) }).into()
            );
        }
        let pairs = all_pairs(n);
        let total = n + pairs.len();
        let done = AtomicUsize::new(0);
        let tick = || {
            if let Some(cb) = progress {
                cb(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            }
        };
        let vectors: Vec<Vec<Vector>> = try_map_ids(n, par, |i| {
            let retained = self.retained[i].lock().ok().and_then(|mut r| r.take());
            let kept = match retained {
                Some(kept) => kept,
                None => {
                    let (mut stats, _, kept) = visit_one(source, &self.prep, i, true)?;
                    stats.resize(self.dim_count, DimStat::EMPTY);
                    if stats != self.stats[i] {
                        return Err(Error::new(ErrorKind::SourceChanged { diagram: i }).into());
                    }
                    kept
                }
            };
            let v = (0..self.dim_count)
                .map(|q| {
                    let points = kept.get(q).map_or(&[][..], Vec::as_slice);
                    vectorise_key(&self.opts.metric, points, &self.grids[q], self.dense)
                })
                .collect();
            tick();
            Ok::<_, S::Error>(v)
        })?;
        // Per dimension: curves and finished images (p = 2) block by block,
        // the rest (count images filtered per pair) pair by pair; the same
        // values either way.
        let mut per_pair = vec![vec![0.0; self.dim_count]; pairs.len()];
        for q in 0..self.dim_count {
            // `p`, not a literal 2: the factor must be computed as `dim_distance`
            // computes it (see `step_factor`).
            let factor =
                vectors.first().and_then(|v| dense_factor(&self.grids[q], &v[q], self.opts.p));
            let double = vectors.first().is_some_and(|v| matches!(v[q], Vector::Antisym(_)));
            let slices: Option<Vec<&[f64]>> = vectors
                .iter()
                .map(|v| match &v[q] {
                    Vector::Curve(x) | Vector::Dense(x) | Vector::Antisym(x) => Some(x.as_slice()),
                    Vector::Image(_) => None,
                })
                .collect();
            let norms = match (slices, factor) {
                (Some(slices), Some(factor)) if self.opts.p == 2.0 => {
                    pair_norms_blocked(&slices, &pairs, double, par)
                        .into_iter()
                        .map(|d| d * factor)
                        .collect()
                }
                _ => {
                    let idx: Vec<usize> = (0..pairs.len()).collect();
                    par_map(&idx, par, |&k| {
                        let (i, j) = pairs[k];
                        dim_distance(&self.opts, &self.grids[q], &vectors[i][q], &vectors[j][q])
                    })
                }
            };
            for (d, v) in per_pair.iter_mut().zip(norms) {
                d[q] = v;
            }
        }
        for _ in 0..pairs.len() {
            tick();
        }
        Ok(assemble(n, self.dim_count, &pairs, &per_pair, self.opts.order))
    }
}
