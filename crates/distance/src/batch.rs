//! A batch of diagrams with giotto-tda's (virtual) padding.

use nnph_homology::{Diagram, PersistencePair};

use crate::error::{Error, ErrorKind};

/// Checks a point of a batch: no NaN, a finite birth and `birth ≤ death`
/// (`death = +∞` is allowed; it is an essential point).
pub(crate) fn check_point(p: &PersistencePair, diagram: usize, dim: usize) -> Result<(), Error> {
    if p.birth.is_finite() && p.death >= p.birth {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::InvalidPoint { diagram, dim, birth: p.birth, death: p.death }))
    }
}

/// A batch of persistence diagrams over the homology dimensions
/// `0..dim_count`, with giotto-tda's padding kept *virtual*.
///
/// giotto-tda stores a batch as one array in which every diagram of
/// dimension `q` is padded to `N_q` points (the largest count in the batch)
/// with copies of `(m_q, m_q)`. Those padding points never change a
/// vectorisation value (their tent, weight, Betti contribution and heat or
/// image pixel are all zero or dropped), but they do enter giotto-tda's
/// sampling grids. A `DiagramBatch` therefore stores only the real points plus
/// `N_q` ([`DiagramBatch::padded_len`]) and `m_q` ([`DiagramBatch::pad_value`]).
///
/// Invariants: every diagram has exactly `dim_count` dimensions, no coordinate
/// is NaN, births are finite, and `birth ≤ death`.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagramBatch {
    diagrams: Vec<Diagram>,
    padded_len: Vec<usize>,
    pad_value: Vec<f64>,
    padded: bool,
    essential: usize,
}

impl DiagramBatch {
    /// giotto-tda's `Filtering(epsilon=epsilon)` on a batch.
    ///
    /// In each dimension `q < dim_count` a pair is kept iff
    /// `death − birth > epsilon` (strictly; infinite lifetimes are kept).
    /// `N_q` is the largest number of kept pairs over the batch. If no pair of
    /// dimension `q` survives anywhere, the dimension is one `(0, 0)` padding
    /// point per diagram (`N_q = 1`, `m_q = 0`); otherwise `m_q` is the
    /// smallest surviving birth of dimension `q` over the whole batch.
    /// Pairs of dimensions `≥ dim_count` are dropped. Follow with
    /// [`DiagramBatch::cap_infinity`] to reproduce the paper (`1.0`): the cap
    /// comes after filtering, so it does not change `m_q`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EmptyBatch`], [`ErrorKind::NoDimensions`],
    /// [`ErrorKind::InvalidOption`] for a NaN `epsilon`, and
    /// [`ErrorKind::InvalidPoint`] for a NaN coordinate in the input or an
    /// invalid surviving point (non-finite birth, death before birth).
    pub fn giotto_filtered(
        diagrams: &[Diagram],
        dim_count: usize,
        epsilon: f64,
    ) -> Result<Self, Error> {
        check_filter_args(diagrams.len(), dim_count, epsilon)?;
        let mut kept = Vec::with_capacity(diagrams.len());
        for (i, d) in diagrams.iter().enumerate() {
            let mut dims = Vec::with_capacity(dim_count);
            for q in 0..dim_count {
                let mut v = Vec::new();
                for p in d.dim(q) {
                    if p.birth.is_nan() || p.death.is_nan() {
                        return Err(invalid(p, i, q));
                    }
                    if p.death - p.birth > epsilon {
                        v.push(*p);
                    }
                }
                dims.push(v);
            }
            kept.push(Diagram::from_dims(dims));
        }
        Self::finish_giotto(kept, dim_count)
    }

    /// [`DiagramBatch::giotto_filtered`] taking the diagrams by value and
    /// filtering them in place (no copy of the points).
    ///
    /// # Errors
    ///
    /// As [`DiagramBatch::giotto_filtered`].
    pub fn giotto_filtered_owned(
        diagrams: Vec<Diagram>,
        dim_count: usize,
        epsilon: f64,
    ) -> Result<Self, Error> {
        check_filter_args(diagrams.len(), dim_count, epsilon)?;
        let mut kept = Vec::with_capacity(diagrams.len());
        for (i, d) in diagrams.into_iter().enumerate() {
            let mut dims = d.into_dims();
            dims.resize(dim_count, Vec::new());
            for (q, v) in dims.iter_mut().enumerate() {
                if let Some(p) = v.iter().find(|p| p.birth.is_nan() || p.death.is_nan()) {
                    return Err(invalid(p, i, q));
                }
                v.retain(|p| p.death - p.birth > epsilon);
            }
            kept.push(Diagram::from_dims(dims));
        }
        Self::finish_giotto(kept, dim_count)
    }

    fn finish_giotto(diagrams: Vec<Diagram>, dim_count: usize) -> Result<Self, Error> {
        let essential = validate(&diagrams)?;
        let mut padded_len = vec![0; dim_count];
        let mut pad_value = vec![f64::INFINITY; dim_count];
        for d in &diagrams {
            for (q, v) in d.dims().iter().enumerate() {
                padded_len[q] = padded_len[q].max(v.len());
                for p in v {
                    pad_value[q] = pad_value[q].min(p.birth);
                }
            }
        }
        for q in 0..dim_count {
            if padded_len[q] == 0 {
                padded_len[q] = 1;
                pad_value[q] = 0.0;
            }
        }
        Ok(Self { diagrams, padded_len, pad_value, padded: true, essential })
    }

    /// A batch without padding, for principled (non-giotto) use: grids span the
    /// pairs' own points only.
    ///
    /// Diagrams with fewer than `dim_count` dimensions are empty in the missing
    /// ones.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EmptyBatch`], [`ErrorKind::NoDimensions`],
    /// [`ErrorKind::DimensionMismatch`] if a diagram has points in a dimension
    /// `≥ dim_count`, [`ErrorKind::InvalidPoint`] for an invalid point.
    pub fn from_diagrams_unpadded(diagrams: Vec<Diagram>, dim_count: usize) -> Result<Self, Error> {
        let diagrams = normalise_dims(diagrams, dim_count)?;
        let essential = validate(&diagrams)?;
        let padded_len = (0..dim_count)
            .map(|q| diagrams.iter().map(|d| d.dim(q).len()).max().unwrap_or(0))
            .collect();
        Ok(Self { diagrams, padded_len, pad_value: vec![0.0; dim_count], padded: false, essential })
    }

    /// A giotto-padded batch from its parts: the real (unpadded) points of
    /// each diagram and, per dimension `q`, the padded length `N_q` and the
    /// padding value `m_q` (`dim_count = padded_len.len()`).
    ///
    /// This rebuilds a batch that giotto-tda filtered elsewhere (for example
    /// from golden files that store unpadded diagrams and the padding values).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::EmptyBatch`], [`ErrorKind::NoDimensions`],
    /// [`ErrorKind::DimensionMismatch`] if the two lists differ in length, a
    /// diagram has points in a dimension `≥ dim_count`, `N_q = 0`, or a diagram
    /// has more than `N_q` points; [`ErrorKind::InvalidOption`] for a
    /// non-finite padding value; [`ErrorKind::InvalidPoint`].
    pub fn from_padded_parts(
        diagrams: Vec<Diagram>,
        padded_len: Vec<usize>,
        pad_value: Vec<f64>,
    ) -> Result<Self, Error> {
        let dim_count = padded_len.len();
        if pad_value.len() != dim_count {
            return Err(Error::mismatch(format!(
                "{} padded lengths but {} padding values",
                dim_count,
                pad_value.len()
            )));
        }
        let diagrams = normalise_dims(diagrams, dim_count)?;
        let essential = validate(&diagrams)?;
        for q in 0..dim_count {
            if !pad_value[q].is_finite() {
                return Err(Error::option("pad_value", format!("not finite in dimension {q}")));
            }
            let max = diagrams.iter().map(|d| d.dim(q).len()).max().unwrap_or(0);
            if padded_len[q] == 0 || max > padded_len[q] {
                return Err(Error::mismatch(format!(
                    "dimension {q}: padded length {} but a diagram has {max} points",
                    padded_len[q]
                )));
            }
        }
        Ok(Self { diagrams, padded_len, pad_value, padded: true, essential })
    }

    /// Replaces every infinite death by `value` (the paper uses `1.0`), as
    /// `diagrams[diagrams == np.inf] = value` does after giotto-tda's
    /// filtering. Padding is unchanged.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidOption`] if `value` is not finite;
    /// [`ErrorKind::InvalidPoint`] if an essential point is born after
    /// `value` (nothing is changed then).
    pub fn cap_infinity(&mut self, value: f64) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::option("value", format!("need a finite cap, got {value}")));
        }
        if self.essential == 0 {
            return Ok(());
        }
        for (i, d) in self.diagrams.iter().enumerate() {
            for (q, v) in d.dims().iter().enumerate() {
                if let Some(p) = v.iter().find(|p| p.death == f64::INFINITY && p.birth > value) {
                    return Err(invalid(p, i, q));
                }
            }
        }
        for d in &mut self.diagrams {
            for q in 0..self.padded_len.len() {
                for p in d.dim_mut(q).iter_mut() {
                    if p.death == f64::INFINITY {
                        p.death = value;
                    }
                }
            }
        }
        self.essential = 0;
        Ok(())
    }

    /// Number of diagrams.
    pub fn len(&self) -> usize {
        self.diagrams.len()
    }

    /// Whether the batch has no diagram (never true for a constructed batch).
    pub fn is_empty(&self) -> bool {
        self.diagrams.is_empty()
    }

    /// Number of homology dimensions, `0..dim_count`.
    pub fn dim_count(&self) -> usize {
        self.padded_len.len()
    }

    /// The real (non-padding) points of diagram `i` in dimension `q`.
    ///
    /// # Panics
    ///
    /// If `i ≥ len()` or `q ≥ dim_count()`.
    pub fn points(&self, i: usize, q: usize) -> &[PersistencePair] {
        assert!(q < self.dim_count(), "dimension {q} out of range");
        &self.diagrams[i].dims()[q]
    }

    /// Diagram `i` (real points only).
    ///
    /// # Panics
    ///
    /// If `i ≥ len()`.
    pub fn diagram(&self, i: usize) -> &Diagram {
        &self.diagrams[i]
    }

    /// `N_q`: the number of points of every diagram of dimension `q` once
    /// padded (for an unpadded batch, the largest count).
    ///
    /// # Panics
    ///
    /// If `q ≥ dim_count()`.
    pub fn padded_len(&self, q: usize) -> usize {
        self.padded_len[q]
    }

    /// `m_q`: the value of the padding points `(m_q, m_q)` of dimension `q`,
    /// `None` for an unpadded batch.
    ///
    /// # Panics
    ///
    /// If `q ≥ dim_count()`.
    pub fn pad_value(&self, q: usize) -> Option<f64> {
        self.padded.then(|| self.pad_value[q])
    }

    /// Whether the batch carries giotto-tda padding.
    pub fn is_padded(&self) -> bool {
        self.padded
    }

    /// Number of points with an infinite death.
    pub fn essential_count(&self) -> usize {
        self.essential
    }

    /// Whether diagram `i` is padded in dimension `q` (has fewer than `N_q`
    /// real points in a padded batch).
    pub(crate) fn has_padding(&self, i: usize, q: usize) -> bool {
        self.padded && self.diagrams[i].dims()[q].len() < self.padded_len[q]
    }

    /// The diagrams (real points only).
    pub fn into_diagrams(self) -> Vec<Diagram> {
        self.diagrams
    }
}

fn invalid(p: &PersistencePair, diagram: usize, dim: usize) -> Error {
    Error::new(ErrorKind::InvalidPoint { diagram, dim, birth: p.birth, death: p.death })
}

fn check_filter_args(n: usize, dim_count: usize, epsilon: f64) -> Result<(), Error> {
    if n == 0 {
        return Err(Error::new(ErrorKind::EmptyBatch));
    }
    if dim_count == 0 {
        return Err(Error::new(ErrorKind::NoDimensions));
    }
    if epsilon.is_nan() {
        return Err(Error::option("epsilon", "NaN"));
    }
    Ok(())
}

fn normalise_dims(diagrams: Vec<Diagram>, dim_count: usize) -> Result<Vec<Diagram>, Error> {
    if diagrams.is_empty() {
        return Err(Error::new(ErrorKind::EmptyBatch));
    }
    if dim_count == 0 {
        return Err(Error::new(ErrorKind::NoDimensions));
    }
    diagrams
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut dims = d.into_dims();
            if let Some(q) = (dim_count..dims.len()).find(|&q| !dims[q].is_empty()) {
                return Err(Error::mismatch(format!(
                    "diagram {i} has points in dimension {q} but the batch has {dim_count} \
                     dimensions"
                )));
            }
            dims.resize(dim_count, Vec::new());
            Ok(Diagram::from_dims(dims))
        })
        .collect()
}

/// Checks every point; returns the number of essential points.
fn validate(diagrams: &[Diagram]) -> Result<usize, Error> {
    let mut essential = 0;
    for (i, d) in diagrams.iter().enumerate() {
        for (q, v) in d.dims().iter().enumerate() {
            for p in v {
                check_point(p, i, q)?;
                essential += usize::from(p.death == f64::INFINITY);
            }
        }
    }
    Ok(essential)
}
