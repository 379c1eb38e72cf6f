//! Distance matrices and readers for Ripser's text formats.
//!
//! All readers take any [`std::io::Read`], tokenise on whitespace and commas (empty tokens, e.g.
//! from a trailing comma or an empty first line, are skipped) and return a typed [`Error`] on
//! malformed input: a token that is not a number ([`ErrorKind::Parse`] with its 1-based line), a
//! NaN or infinite value ([`ErrorKind::NonFiniteValue`]), a negative distance, a wrong count.
//! They never panic and never allocate from a size claimed by the file: storage grows with the
//! tokens actually read.
//!
//! | format ([`DistanceFormat`]) | reader | layout |
//! |---|---|---|
//! | `lower-distance` | [`read_lower_distance`] | row `i` holds `d(i, 0..i)`: 0, 1, 2, … entries (Ripser's default) |
//! | `distance` | [`read_distance`] | the full square matrix, one row per line; only the strict lower triangle is used |
//! | `point-cloud` | [`read_point_cloud`] | one point per line, coordinates; Euclidean distances in `f64` |
//! | `sparse` | [`read_sparse`] | one `i j d` triplet per line; absent pairs are at distance `+∞` |

use std::fmt;
use std::io::Read;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

/// A symmetric dissimilarity on `n` points with zero diagonal, stored as its strict lower
/// triangle in `f64` (row-major: `d(1,0), d(2,0), d(2,1), d(3,0), …`).
///
/// **Invariants** (checked by the constructors): entries are `≥ 0` and not NaN; `+∞` (an absent
/// edge, only from sparse input) is allowed; there are `n (n - 1) / 2` entries and
/// `n ≤ u32::MAX`. The triangle inequality is not required (Vietoris–Rips complexes are defined
/// for any dissimilarity).
#[derive(Clone, Debug, PartialEq)]
pub struct DistanceMatrix {
    n: usize,
    lower: Vec<f64>,
}

/// The number of points of a strict lower triangle with `len` entries, if `len` is triangular.
fn points_of_triangle(len: usize) -> Option<usize> {
    // n (n - 1) / 2 = len  ⇔  n = (1 + sqrt(1 + 8 len)) / 2; fix rounding by checking nearby n.
    let guess = ((1.0 + (1.0 + 8.0 * len as f64).sqrt()) / 2.0) as usize;
    (guess.saturating_sub(2)..=guess + 2)
        .find(|&n| n.checked_mul(n.saturating_sub(1)) == Some(2 * len))
}

impl DistanceMatrix {
    /// A distance matrix on `n` points from its strict lower triangle (row-major).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] (line 0) if `lower.len() != n (n - 1) / 2` or an entry is negative,
    /// [`ErrorKind::NonFiniteValue`] for a NaN, [`ErrorKind::TooLarge`] if `n > u32::MAX`.
    /// A `-0.0` is stored as `0.0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nnph_complex::distances::DistanceMatrix;
    ///
    /// let d = DistanceMatrix::from_lower(3, vec![1.0, 2.0, 3.0])?;
    /// assert_eq!((d.get(1, 0), d.get(0, 2), d.get(2, 1), d.get(1, 1)), (1.0, 2.0, 3.0, 0.0));
    /// assert_eq!(d.enclosing_radius(), 2.0); // point 0 is within 2 of everything
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_lower(n: usize, mut lower: Vec<f64>) -> Result<Self, Error> {
        if n > u32::MAX as usize {
            return Err(Error::new(ErrorKind::TooLarge {
                message: format!("{n} points (at most {})", u32::MAX),
            }));
        }
        let expected = n.checked_mul(n.saturating_sub(1)).map(|x| x / 2);
        if expected != Some(lower.len()) {
            return Err(parse_error(
                0,
                format!("{} distances do not form the lower triangle of {n} points", lower.len()),
            ));
        }
        for (k, &x) in lower.iter().enumerate() {
            if x.is_nan() {
                return Err(Error::new(ErrorKind::NonFiniteValue {
                    what: format!("distance {k}"),
                }));
            }
            if x < 0.0 {
                return Err(parse_error(0, format!("distance {k} is negative ({x})")));
            }
        }
        // -0.0 becomes 0.0, so that `total_cmp` orders it with the vertices.
        for x in &mut lower {
            *x += 0.0;
        }
        Ok(Self { n, lower })
    }

    /// The distance matrix of a point cloud: Euclidean distances computed in `f64`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] (line 0) if the points do not all have the same dimension,
    /// [`ErrorKind::NonFiniteValue`] for a NaN or infinite coordinate.
    pub fn from_points(points: &[Vec<f64>]) -> Result<Self, Error> {
        if let Some(first) = points.first() {
            for (i, p) in points.iter().enumerate() {
                if p.len() != first.len() {
                    return Err(parse_error(
                        0,
                        format!(
                            "point {i} has {} coordinates, point 0 has {}",
                            p.len(),
                            first.len()
                        ),
                    ));
                }
                if p.iter().any(|x| !x.is_finite()) {
                    return Err(Error::new(ErrorKind::NonFiniteValue {
                        what: format!("point {i}"),
                    }));
                }
            }
        }
        let n = points.len();
        let mut lower = Vec::with_capacity(n * n.saturating_sub(1) / 2);
        for i in 1..n {
            for j in 0..i {
                let s: f64 = points[i].iter().zip(&points[j]).map(|(a, b)| (a - b) * (a - b)).sum();
                lower.push(s.sqrt());
            }
        }
        Self::from_lower(n, lower)
    }

    /// The distance matrix of `n` points given as a flat row-major `n × dim` array of
    /// coordinates (e.g. read from a 2-D `.npy`): Euclidean distances in `f64`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] (line 0) if `coordinates.len() != n · dim`,
    /// [`ErrorKind::NonFiniteValue`] for a NaN or infinite coordinate, [`ErrorKind::TooLarge`]
    /// if the matrix would not be addressable.
    pub fn from_flat_points(n: usize, dim: usize, coordinates: &[f64]) -> Result<Self, Error> {
        if n.checked_mul(dim) != Some(coordinates.len()) {
            return Err(parse_error(
                0,
                format!("{} coordinates are not {n} points of dimension {dim}", coordinates.len()),
            ));
        }
        if let Some(k) = coordinates.iter().position(|x| !x.is_finite()) {
            return Err(Error::new(ErrorKind::NonFiniteValue {
                what: format!("point {}", k / dim.max(1)),
            }));
        }
        let cells = triangle_len(n)?;
        let mut lower = Vec::with_capacity(cells);
        for i in 1..n {
            let p = &coordinates[i * dim..(i + 1) * dim];
            for j in 0..i {
                let q = &coordinates[j * dim..(j + 1) * dim];
                let s: f64 = p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum();
                lower.push(s.sqrt());
            }
        }
        Self::from_lower(n, lower)
    }

    /// The distance matrix of a full square `n × n` array (row-major, e.g. read from a 2-D
    /// `.npy`), checked: the diagonal is zero and the matrix symmetric, both within `tolerance`
    /// (absolute, relative to `max(1, |d|)`); entries are `≥ 0` and not NaN; `+∞` is allowed
    /// (an absent pair, on both sides). The strict lower triangle is kept.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] (line 0) if `values.len() != n²`, the diagonal is not zero, the
    /// matrix is not symmetric, or an entry is negative; [`ErrorKind::NonFiniteValue`] for a
    /// NaN; [`ErrorKind::TooLarge`] if `n > u32::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use nnph_complex::distances::DistanceMatrix;
    ///
    /// let d = DistanceMatrix::from_square(3, &[0.0, 1.0, 2.0, 1.0, 0.0, 3.0, 2.0, 3.0, 0.0], 0.0)?;
    /// assert_eq!(d.lower(), &[1.0, 2.0, 3.0]);
    /// assert!(DistanceMatrix::from_square(2, &[0.0, 1.0, 2.0, 0.0], 1e-6).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_square(n: usize, values: &[f64], tolerance: f64) -> Result<Self, Error> {
        if n.checked_mul(n) != Some(values.len()) {
            return Err(parse_error(
                0,
                format!("{} values are not a square matrix of {n} rows", values.len()),
            ));
        }
        let close = |a: f64, b: f64| a == b || (a - b).abs() <= tolerance * a.abs().max(1.0);
        for i in 0..n {
            let x = values[i * n + i];
            if x.is_nan() {
                return Err(Error::new(ErrorKind::NonFiniteValue {
                    what: format!("entry ({i}, {i})"),
                }));
            }
            if !close(x, 0.0) {
                return Err(parse_error(0, format!("diagonal entry ({i}, {i}) is {x}, not 0")));
            }
        }
        let cells = triangle_len(n)?;
        let mut lower = Vec::with_capacity(cells);
        for i in 1..n {
            for j in 0..i {
                let (a, b) = (values[i * n + j], values[j * n + i]);
                if a.is_nan() || b.is_nan() {
                    return Err(Error::new(ErrorKind::NonFiniteValue {
                        what: format!("entry ({i}, {j})"),
                    }));
                }
                if !close(a, b) {
                    return Err(parse_error(
                        0,
                        format!("not symmetric: entry ({i}, {j}) is {a}, entry ({j}, {i}) is {b}"),
                    ));
                }
                lower.push(a);
            }
        }
        Self::from_lower(n, lower)
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The distance between points `i` and `j` (`0` if `i == j`).
    ///
    /// # Panics
    ///
    /// If `i` or `j` is not smaller than [`len`](Self::len).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(i < self.n && j < self.n, "point ({i}, {j}) out of range for {} points", self.n);
        match i.cmp(&j) {
            std::cmp::Ordering::Equal => 0.0,
            std::cmp::Ordering::Greater => self.lower[i * (i - 1) / 2 + j],
            std::cmp::Ordering::Less => self.lower[j * (j - 1) / 2 + i],
        }
    }

    /// The strict lower triangle, row-major.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// The enclosing radius `min_i max_j d(i, j)`: above it the Vietoris–Rips complex is a cone,
    /// so its homology is trivial. `0` for fewer than two points.
    ///
    /// With absent pairs (`+∞`, from sparse input) it can be `+∞`.
    pub fn enclosing_radius(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        (0..self.n)
            .map(|i| (0..self.n).map(|j| self.get(i, j)).fold(0.0, f64::max))
            .fold(f64::INFINITY, f64::min)
    }
}

/// A sparse distance matrix: `n` points and the listed pairs; every other pair is at `+∞`.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseDistances {
    /// The number of points: one more than the largest index named.
    pub n: usize,
    /// The pairs `(i, j, d)` with `i > j`, sorted by `(i, j)`, each pair once (the smallest of
    /// repeated values is kept).
    pub entries: Vec<(u32, u32, f64)>,
}

impl SparseDistances {
    /// The dense matrix with `+∞` for absent pairs.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TooLarge`] if the dense triangle would have more than
    /// `64 · entries + 2^24` entries: a sparse file naming a huge index with few pairs is not
    /// turned into a huge allocation. [`RipsComplex::from_sparse`](crate::rips::RipsComplex::from_sparse)
    /// uses sparse distances as they are, without this conversion.
    pub fn to_dense(&self) -> Result<DistanceMatrix, Error> {
        let cells = (self.n as u128) * (self.n.saturating_sub(1) as u128) / 2;
        let budget = 64 * self.entries.len() as u128 + (1 << 24);
        if cells > budget {
            return Err(Error::new(ErrorKind::TooLarge {
                message: format!(
                    "{} points with only {} pairs: the dense matrix would have {cells} entries",
                    self.n,
                    self.entries.len()
                ),
            }));
        }
        let mut lower = vec![f64::INFINITY; cells as usize];
        for &(i, j, d) in &self.entries {
            let (i, j) = (i as usize, j as usize);
            lower[i * (i - 1) / 2 + j] = d;
        }
        DistanceMatrix::from_lower(self.n, lower)
    }
}

/// Ripser's input formats (the names of its `--format` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DistanceFormat {
    /// `lower-distance`: the strict lower triangle ([`read_lower_distance`]).
    #[default]
    LowerDistance,
    /// `distance`: the full square matrix ([`read_distance`]).
    Distance,
    /// `point-cloud`: one point per line ([`read_point_cloud`]).
    PointCloud,
    /// `sparse`: `i j d` triplets ([`read_sparse`]).
    Sparse,
}

impl DistanceFormat {
    const NAMES: [(&'static str, DistanceFormat); 4] = [
        ("lower-distance", DistanceFormat::LowerDistance),
        ("distance", DistanceFormat::Distance),
        ("point-cloud", DistanceFormat::PointCloud),
        ("sparse", DistanceFormat::Sparse),
    ];
}

impl fmt::Display for DistanceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Self::NAMES.iter().find(|(_, k)| k == self).map_or("?", |(n, _)| n);
        f.write_str(name)
    }
}

impl FromStr for DistanceFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, k)| *k).ok_or_else(|| {
            parse_error(
                0,
                format!(
                    "unknown distance format {s:?} \
                     (expected one of: lower-distance, distance, point-cloud, sparse)"
                ),
            )
        })
    }
}

/// Distances as read: dense, or sparse pairs (which a Rips complex uses without densifying).
#[derive(Clone, Debug, PartialEq)]
pub enum DistanceInput {
    /// A dense matrix.
    Dense(DistanceMatrix),
    /// Sparse pairs; absent pairs are at `+∞`.
    Sparse(SparseDistances),
}

impl DistanceInput {
    /// The number of points.
    pub fn len(&self) -> usize {
        match self {
            DistanceInput::Dense(d) => d.len(),
            DistanceInput::Sparse(s) => s.n,
        }
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads distances in `format`, keeping sparse input sparse.
///
/// # Errors
///
/// Those of the format's reader.
pub fn read_input<R: Read>(reader: R, format: DistanceFormat) -> Result<DistanceInput, Error> {
    match format {
        DistanceFormat::Sparse => read_sparse(reader).map(DistanceInput::Sparse),
        _ => read_distances(reader, format).map(DistanceInput::Dense),
    }
}

/// Reads a distance matrix in `format`; sparse input is made dense with
/// [`SparseDistances::to_dense`] (see [`read_input`] to keep it sparse).
///
/// # Errors
///
/// Those of the format's reader.
pub fn read_distances<R: Read>(reader: R, format: DistanceFormat) -> Result<DistanceMatrix, Error> {
    match format {
        DistanceFormat::LowerDistance => read_lower_distance(reader),
        DistanceFormat::Distance => read_distance(reader),
        DistanceFormat::PointCloud => read_point_cloud(reader),
        DistanceFormat::Sparse => read_sparse(reader)?.to_dense(),
    }
}

/// `n (n - 1) / 2`, or [`ErrorKind::TooLarge`] if it overflows.
fn triangle_len(n: usize) -> Result<usize, Error> {
    n.checked_mul(n.saturating_sub(1)).map(|x| x / 2).ok_or_else(|| {
        Error::new(ErrorKind::TooLarge { message: format!("a distance matrix of {n} points") })
    })
}

fn parse_error(line: usize, message: String) -> Error {
    Error::new(ErrorKind::Parse { line, message })
}

fn read_text<R: Read>(mut reader: R) -> Result<String, Error> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    Ok(text)
}

/// The numbers of each line: `(1-based line number, values)`, empty lines skipped.
fn numeric_lines(text: &str) -> Result<Vec<(usize, Vec<f64>)>, Error> {
    let mut lines = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let mut values = Vec::new();
        for token in line.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()) {
            let x: f64 = token
                .parse()
                .map_err(|_| parse_error(k + 1, format!("{token:?} is not a number")))?;
            if !x.is_finite() {
                return Err(Error::new(ErrorKind::NonFiniteValue {
                    what: format!("the value {token:?} on line {}", k + 1),
                }));
            }
            values.push(x);
        }
        if !values.is_empty() {
            lines.push((k + 1, values));
        }
    }
    Ok(lines)
}

fn check_distance(line: usize, x: f64) -> Result<f64, Error> {
    if x < 0.0 {
        return Err(parse_error(line, format!("negative distance {x}")));
    }
    Ok(x)
}

/// Reads Ripser's lower-distance format: the strict lower triangle, row by row (row `i` has `i`
/// entries, so the first row is empty). Line breaks are not significant: the values are read as
/// one sequence, whose length must be triangular (`n (n - 1) / 2` for `n` points).
///
/// # Errors
///
/// [`ErrorKind::Parse`] for a non-numeric token, a negative value or a non-triangular count;
/// [`ErrorKind::NonFiniteValue`]; [`ErrorKind::Io`].
///
/// # Examples
///
/// ```
/// use nnph_complex::distances::read_lower_distance;
///
/// let d = read_lower_distance("\n1,\n2,3\n".as_bytes())?;
/// assert_eq!((d.len(), d.get(2, 1)), (3, 3.0));
/// assert!(read_lower_distance("1 2".as_bytes()).is_err()); // 2 values: not triangular
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_lower_distance<R: Read>(reader: R) -> Result<DistanceMatrix, Error> {
    let text = read_text(reader)?;
    let mut lower = Vec::new();
    let mut last_line = 0;
    for (line, values) in numeric_lines(&text)? {
        last_line = line;
        for x in values {
            lower.push(check_distance(line, x)?);
        }
    }
    let n = points_of_triangle(lower.len()).ok_or_else(|| {
        parse_error(
            last_line,
            format!("{} values are not a lower triangle (n (n - 1) / 2 values)", lower.len()),
        )
    })?;
    DistanceMatrix::from_lower(n, lower)
}

/// Reads a full square distance matrix, one row per (non-empty) line. The strict lower
/// triangle is kept. Unlike Ripser, which reads the lower triangle and ignores the rest, the
/// matrix is checked to be a dissimilarity: the diagonal zero and the matrix symmetric, both
/// within a relative [`SYMMETRY_TOLERANCE`] (printed decimals), so that an asymmetric matrix
/// is an error rather than silently half-read.
///
/// # Errors
///
/// [`ErrorKind::Parse`] if a row does not have as many entries as there are rows, for a
/// non-numeric token, a negative value, a non-zero diagonal entry or an asymmetric pair;
/// [`ErrorKind::NonFiniteValue`]; [`ErrorKind::Io`].
pub fn read_distance<R: Read>(reader: R) -> Result<DistanceMatrix, Error> {
    let text = read_text(reader)?;
    let rows = numeric_lines(&text)?;
    let n = rows.len();
    for (i, (line, values)) in rows.iter().enumerate() {
        if values.len() != n {
            return Err(parse_error(
                *line,
                format!("row {i} has {} entries, expected {n} (a square matrix)", values.len()),
            ));
        }
    }
    let close = |a: f64, b: f64| a == b || (a - b).abs() <= SYMMETRY_TOLERANCE * a.abs().max(1.0);
    let mut lower = Vec::new();
    for (i, (line, values)) in rows.iter().enumerate() {
        let diagonal = values[i];
        if !close(diagonal, 0.0) {
            return Err(parse_error(
                *line,
                format!("diagonal entry ({i}, {i}) is {diagonal}, not 0"),
            ));
        }
        for (j, &x) in values[..i].iter().enumerate() {
            let x = check_distance(*line, x)?;
            let mirror = rows[j].1[i];
            if !close(x, mirror) {
                return Err(parse_error(
                    *line,
                    format!(
                        "not symmetric: entry ({i}, {j}) is {x}, entry ({j}, {i}) on line {} is \
                         {mirror}",
                        rows[j].0
                    ),
                ));
            }
            lower.push(x);
        }
    }
    DistanceMatrix::from_lower(n, lower)
}

/// The relative tolerance of the symmetry and zero-diagonal checks of [`read_distance`].
///
/// Text matrices are often printed to a few decimals, so the two triangles of a symmetric
/// matrix can differ in the last printed digit: the standard `fractal` benchmark matrix,
/// printed to 6 decimals, differs by up to 1e-5 between (i, j) and (j, i).
pub const SYMMETRY_TOLERANCE: f64 = 1e-4;

/// Reads a point cloud, one point per (non-empty) line, and computes Euclidean distances in
/// `f64`.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for a non-numeric token or points of different dimensions;
/// [`ErrorKind::NonFiniteValue`]; [`ErrorKind::Io`].
pub fn read_point_cloud<R: Read>(reader: R) -> Result<DistanceMatrix, Error> {
    let text = read_text(reader)?;
    let rows = numeric_lines(&text)?;
    let width = rows.first().map_or(0, |(_, p)| p.len());
    if let Some((line, p)) = rows.iter().find(|(_, p)| p.len() != width) {
        return Err(parse_error(
            *line,
            format!("{} coordinates, the first point has {width}", p.len()),
        ));
    }
    let points: Vec<Vec<f64>> = rows.into_iter().map(|(_, p)| p).collect();
    DistanceMatrix::from_points(&points)
}

/// Reads sparse triplets `i j d`, one per (non-empty) line, with `i ≠ j` non-negative integer
/// indices below `2^32 - 1`. The number of points is one more than the largest index. A pair
/// listed twice (in either order) keeps its smallest value.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for a line without exactly three numbers, an index that is not a
/// non-negative integer, `i == j`, a negative distance; [`ErrorKind::NonFiniteValue`];
/// [`ErrorKind::Io`].
pub fn read_sparse<R: Read>(reader: R) -> Result<SparseDistances, Error> {
    let text = read_text(reader)?;
    let mut entries: Vec<(u32, u32, f64)> = Vec::new();
    let mut n = 0usize;
    for (line, values) in numeric_lines(&text)? {
        let [a, b, d] = values[..] else {
            return Err(parse_error(line, format!("{} numbers, expected 3: i j d", values.len())));
        };
        let index = |x: f64| -> Result<u32, Error> {
            if x >= 0.0 && x.fract() == 0.0 && x < f64::from(u32::MAX) {
                Ok(x as u32)
            } else {
                Err(parse_error(line, format!("{x} is not a point index")))
            }
        };
        let (a, b) = (index(a)?, index(b)?);
        if a == b {
            return Err(parse_error(line, format!("a pair of a point with itself ({a})")));
        }
        let d = check_distance(line, d)?;
        let (i, j) = (a.max(b), a.min(b));
        n = n.max(i as usize + 1);
        entries.push((i, j, d));
    }
    entries.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));
    entries.dedup_by(|later, earlier| (later.0, later.1) == (earlier.0, earlier.1));
    Ok(SparseDistances { n, entries })
}
