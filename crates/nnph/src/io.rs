//! Files the pipeline reads and writes: nnph-diagram/1 JSON, `.npy`, `.csv`.
//!
//! Every writer is atomic: it writes a temporary file in the target directory
//! and renames it over the target, so a crash never leaves half a file.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use nnph_homology::{Diagram, PersistencePair};
use serde_json::{Value, json};

/// The format tag of diagram JSON files.
pub const DIAGRAM_FORMAT: &str = "nnph-diagram/1";

/// Writes `path` atomically: `write` fills a temporary file in the same
/// directory, which is then renamed over `path`. The file gets the permissions
/// `File::create` would give it (0666 less the umask).
///
/// # Errors
///
/// Any I/O error, with the path as context.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create directory", dir.display()))?;
    let mut builder = tempfile::Builder::new();
    // Like a file created by File::create: 0666 less the umask (tempfile's default is 0600,
    // which would leave results unreadable to the group).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        write(&mut w).with_context(|| format!("{}: write failed", path.display()))?;
        w.flush().with_context(|| format!("{}: write failed", path.display()))?;
    }
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot rename into place", path.display()))?;
    Ok(())
}

/// The nnph-diagram/1 JSON value of a diagram (`null` for an infinite death).
pub fn diagram_to_json(diagram: &Diagram, source: Option<&str>) -> Value {
    let dims: Vec<Value> = diagram
        .dims()
        .iter()
        .enumerate()
        .map(|(q, pairs)| {
            let pairs: Vec<Value> = pairs
                .iter()
                .map(|p| {
                    let death = if p.death.is_finite() { json!(p.death) } else { Value::Null };
                    json!([p.birth, death])
                })
                .collect();
            json!({ "dim": q, "pairs": pairs })
        })
        .collect();
    let mut v = json!({ "format": DIAGRAM_FORMAT, "diagrams": dims });
    if let Some(s) = source {
        v["source"] = json!(s);
    }
    v
}

/// Parses an nnph-diagram/1 JSON document.
///
/// # Errors
///
/// A one-line description of the first problem: wrong format tag, a missing
/// field, a non-numeric or NaN value, a death before its birth, a repeated
/// dimension.
pub fn diagram_from_json(text: &str) -> Result<Diagram> {
    let v: Value = serde_json::from_str(text).context("not valid JSON")?;
    match v.get("format").and_then(Value::as_str) {
        Some(DIAGRAM_FORMAT) => {}
        Some(other) => bail!("format is {other:?}, expected {DIAGRAM_FORMAT:?}"),
        None => bail!("no \"format\": \"{DIAGRAM_FORMAT}\" field"),
    }
    let dims = v.get("diagrams").and_then(Value::as_array).context("no \"diagrams\" array")?;
    let mut diagram = Diagram::empty(0);
    let mut seen = Vec::new();
    for (k, d) in dims.iter().enumerate() {
        let q = d
            .get("dim")
            .and_then(Value::as_u64)
            .with_context(|| format!("diagrams[{k}] has no integer \"dim\""))?;
        if q > 64 {
            bail!("diagrams[{k}] has dimension {q}, more than 64");
        }
        let q = q as usize;
        if seen.contains(&q) {
            bail!("dimension {q} appears twice");
        }
        seen.push(q);
        let pairs = d
            .get("pairs")
            .and_then(Value::as_array)
            .with_context(|| format!("diagrams[{k}] has no \"pairs\" array"))?;
        let out = diagram.dim_mut(q);
        out.reserve(pairs.len());
        for (i, p) in pairs.iter().enumerate() {
            let arr = p
                .as_array()
                .filter(|a| a.len() == 2)
                .with_context(|| format!("dim {q} pair {i} is not [birth, death]"))?;
            let birth = arr[0]
                .as_f64()
                .with_context(|| format!("dim {q} pair {i}: birth is not a number"))?;
            let death = if arr[1].is_null() {
                f64::INFINITY
            } else {
                arr[1]
                    .as_f64()
                    .with_context(|| format!("dim {q} pair {i}: death is not a number or null"))?
            };
            if !birth.is_finite() || death.is_nan() {
                bail!("dim {q} pair {i}: birth must be finite and death a number or null");
            }
            if death < birth {
                bail!("dim {q} pair {i}: death {death} is before birth {birth}");
            }
            out.push(PersistencePair::new(birth, death));
        }
    }
    Ok(diagram)
}

/// Writes a diagram as nnph-diagram/1 JSON, atomically.
///
/// # Errors
///
/// Any I/O error, with the path as context.
pub fn write_diagram_json(path: &Path, diagram: &Diagram, source: Option<&str>) -> Result<()> {
    let v = diagram_to_json(diagram, source);
    write_atomic(path, |w| {
        serde_json::to_writer(&mut *w, &v)?;
        w.write_all(b"\n")?;
        Ok(())
    })
}

/// Reads an nnph-diagram/1 JSON file.
///
/// # Errors
///
/// I/O or format errors, prefixed with the path.
pub fn read_diagram_json(path: &Path) -> Result<Diagram> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    diagram_from_json(&text)
        .with_context(|| format!("{}: not an {DIAGRAM_FORMAT} file", path.display()))
}

/// The largest homology dimension accepted in diagram `.npy` files.
pub const MAX_NPY_DIM: usize = 255;

/// The most diagrams a diagram `.npy` may hold (an `(N, n, 3)` array with
/// `n = 0` takes no data bytes, so the file size does not bound `N`).
pub const MAX_NPY_DIAGRAMS: usize = 1 << 20;

/// Rows read at a time by [`NpyDiagrams::visit`].
const CHUNK_ROWS: usize = 4096;

/// Checks row `r` of diagram `k` of a diagram `.npy`.
#[inline(always)]
fn check_row(k: usize, r: usize, birth: f64, death: f64, dim: f64) -> Result<()> {
    // An integer in range: truncating it changes nothing (and needs no libm call).
    if dim >= 0.0 && dim <= MAX_NPY_DIM as f64 && f64::from(dim as i32) == dim {
        if birth.is_finite() && death >= birth {
            return Ok(());
        }
        return Err(invalid_pair(k, r, birth, death));
    }
    Err(invalid_dim(k, r, dim))
}

#[cold]
fn invalid_dim(k: usize, r: usize, dim: f64) -> anyhow::Error {
    anyhow::anyhow!("diagram {k}, row {r}: dimension {dim} is not an integer in 0..={MAX_NPY_DIM}")
}

#[cold]
fn invalid_pair(k: usize, r: usize, birth: f64, death: f64) -> anyhow::Error {
    anyhow::anyhow!(
        "diagram {k}, row {r}: invalid pair ({birth}, {death}): births must be finite and deaths \
         must not be NaN or precede births"
    )
}

/// Checks a row and hands it to `f`.
#[inline(always)]
fn emit_row<F: FnMut(usize, PersistencePair)>(
    f: &mut F,
    k: usize,
    r: usize,
    birth: f64,
    death: f64,
    dim: f64,
) -> Result<()> {
    check_row(k, r, birth, death, dim)?;
    f(dim as usize, PersistencePair::new(birth, death));
    Ok(())
}

/// What precedes the errors of a diagram `.npy` file.
pub(crate) fn npy_context(path: &Path) -> String {
    format!("{}: not a diagram .npy (rows birth, death, dim)", path.display())
}

/// Where the bytes of an [`NpyDiagrams`] come from.
#[derive(Debug)]
enum Backing<'a> {
    File(std::fs::File),
    Bytes(&'a [u8]),
}

impl Backing<'_> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        match self {
            #[cfg(unix)]
            Backing::File(f) => std::os::unix::fs::FileExt::read_exact_at(f, buf, offset),
            #[cfg(windows)]
            Backing::File(f) => {
                let (mut buf, mut offset) = (buf, offset);
                while !buf.is_empty() {
                    match std::os::windows::fs::FileExt::seek_read(f, buf, offset)? {
                        0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                        k => {
                            buf = &mut buf[k..];
                            offset += k as u64;
                        }
                    }
                }
                Ok(())
            }
            Backing::Bytes(b) => {
                let part = usize::try_from(offset)
                    .ok()
                    .and_then(|start| b.get(start..start.checked_add(buf.len())?))
                    .ok_or(std::io::ErrorKind::UnexpectedEof)?;
                buf.copy_from_slice(part);
                Ok(())
            }
        }
    }
}

/// Giotto-style diagrams in an `.npy` file (shape `(n, 3)` or `(N, n, 3)`,
/// rows `(birth, death, dim)`, any numeric dtype), read diagram by diagram
/// instead of as a whole: only the header is read on opening, and each
/// [`NpyDiagrams::visit`] reads one diagram's rows, a chunk at a time.
///
/// Opening checks, before allocating anything that the header sizes: the
/// header (at most 1 MiB, within the file), the dtype, the data length
/// against the file's size (the same messages as
/// [`nnph_network::npy::read_npy`]), the shape, and at most
/// [`MAX_NPY_DIAGRAMS`] diagrams. Rows are checked as they are read: a
/// `dim` that is not an integer in `0..=MAX_NPY_DIM`, a NaN, an infinite
/// birth or a death before its birth is an error naming the diagram and row.
#[derive(Debug)]
pub struct NpyDiagrams<'a> {
    backing: Backing<'a>,
    header: nnph_network::npy::NpyHeader,
    count: usize,
    rows: usize,
}

impl NpyDiagrams<'static> {
    /// Opens a diagram `.npy` file and checks its header.
    ///
    /// # Errors
    ///
    /// I/O errors, a malformed header, a data length that differs from the
    /// header's, another shape, more than [`MAX_NPY_DIAGRAMS`] diagrams;
    /// the message starts with the path.
    pub fn open(path: &Path) -> Result<Self> {
        let cannot_read = || format!("{}: cannot read", path.display());
        let mut file = std::fs::File::open(path).with_context(cannot_read)?;
        let len = file.metadata().with_context(cannot_read)?.len();
        let header =
            nnph_network::npy::read_npy_header(&mut std::io::BufReader::new(&mut file), len)
                .map_err(anyhow::Error::from)
                .and_then(|header| Self::from_header(Backing::File(file), header, len));
        header.with_context(|| npy_context(path))
    }
}

impl<'a> NpyDiagrams<'a> {
    /// The diagrams of `.npy` bytes in memory.
    ///
    /// # Errors
    ///
    /// As [`NpyDiagrams::open`].
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self> {
        let header = nnph_network::npy::read_npy_header(&mut &bytes[..], bytes.len() as u64)?;
        Self::from_header(Backing::Bytes(bytes), header, bytes.len() as u64)
    }

    fn from_header(
        backing: Backing<'a>,
        header: nnph_network::npy::NpyHeader,
        total_len: u64,
    ) -> Result<Self> {
        header.check_data_len(total_len.saturating_sub(header.data_offset))?;
        let (count, rows) = match header.shape[..] {
            [n, 3] => (1, n),
            [b, n, 3] => (b, n),
            _ => bail!("expected shape (n, 3) or (N, n, 3), got {:?}", header.shape),
        };
        if count > MAX_NPY_DIAGRAMS {
            bail!("holds {count} diagrams; at most {MAX_NPY_DIAGRAMS} are read");
        }
        Ok(Self { backing, header, count, rows })
    }

    /// The number of diagrams (1 for an `(n, 3)` array).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there is no diagram (an `(0, n, 3)` array).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Rows per diagram, padding rows included.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the array is stored in Fortran order: its diagrams are not
    /// contiguous, and [`NpyDiagrams::visit`] refuses it (read the whole file
    /// with [`diagrams_from_npy`] instead).
    pub fn fortran_order(&self) -> bool {
        self.header.fortran_order && self.header.shape.len() > 1
    }

    /// Calls `f(dim, pair)` for every row of diagram `k` (`k < len()`), in file
    /// order, after checking it; padding rows (`birth = death`) included.
    ///
    /// # Errors
    ///
    /// I/O errors, a Fortran-ordered array, `k` out of range, an integer
    /// dtype value beyond 2^53, an invalid row (the first in file order).
    pub fn visit<F: FnMut(usize, PersistencePair)>(&self, k: usize, f: F) -> Result<()> {
        self.visit_rows(k, false, f)
    }

    /// As [`NpyDiagrams::visit`], except that a run of consecutive all-zero
    /// float64 rows (`(0, 0, 0)`: giotto's padding as written by numpy, a
    /// trivial point in dimension 0) is given as its first row only; every
    /// row is still read and checked.
    ///
    /// # Errors
    ///
    /// As [`NpyDiagrams::visit`].
    pub fn visit_collapsing_trivial<F: FnMut(usize, PersistencePair)>(
        &self,
        k: usize,
        f: F,
    ) -> Result<()> {
        self.visit_rows(k, true, f)
    }

    fn visit_rows<F: FnMut(usize, PersistencePair)>(
        &self,
        k: usize,
        collapse: bool,
        mut f: F,
    ) -> Result<()> {
        if self.fortran_order() {
            bail!("a Fortran-ordered array cannot be read diagram by diagram");
        }
        if k >= self.count {
            bail!("diagram {k} of {} does not exist", self.count);
        }
        let rows = self.rows;
        let row_bytes = 3 * self.header.item_size();
        // Within the data, whose length was checked against the file: no overflow.
        let start = self.header.data_offset + (k * rows * row_bytes) as u64;
        let chunk = CHUNK_ROWS.min(rows);
        let mut buf = vec![0u8; chunk * row_bytes];
        // float64 little-endian (what numpy writes) is decoded in place.
        let native = self.header.descr == "<f8";
        let mut values = Vec::with_capacity(if native { 0 } else { chunk * 3 });
        let mut r0 = 0;
        // Whether the last row given was an all-zero one (collapsing only).
        let mut in_zero_run = false;
        while r0 < rows {
            let m = chunk.min(rows - r0);
            let bytes = &mut buf[..m * row_bytes];
            self.backing
                .read_exact_at(bytes, start + (r0 * row_bytes) as u64)
                .context("cannot read the data (did the file change?)")?;
            if native {
                for (i, c) in bytes.chunks_exact(24).enumerate() {
                    let w = |j: usize| {
                        let mut b = [0u8; 8];
                        b.copy_from_slice(&c[8 * j..8 * j + 8]);
                        u64::from_le_bytes(b)
                    };
                    let (b, d, q) = (w(0), w(1), w(2));
                    // All bits zero: (+0, +0, +0), a valid trivial point in dimension 0.
                    if collapse && b | d | q == 0 {
                        if !in_zero_run {
                            in_zero_run = true;
                            f(0, PersistencePair::new(0.0, 0.0));
                        }
                        continue;
                    }
                    in_zero_run = false;
                    let x = f64::from_bits;
                    emit_row(&mut f, k, r0 + i, x(b), x(d), x(q))?;
                }
            } else {
                values.clear();
                self.header.decode_f64(bytes, (k * rows + r0) * 3, &mut values)?;
                for (i, v) in values.chunks_exact(3).enumerate() {
                    emit_row(&mut f, k, r0 + i, v[0], v[1], v[2])?;
                }
            }
            r0 += m;
        }
        Ok(())
    }

    /// Diagram `k`, every list allocated once at its final size (the rows are
    /// read twice: counted, then stored). Padding rows are kept as trivial
    /// points, which every metric ignores.
    ///
    /// # Errors
    ///
    /// As [`NpyDiagrams::visit`].
    pub fn diagram(&self, k: usize) -> Result<Diagram> {
        let mut counts = [0usize; MAX_NPY_DIM + 1];
        self.visit(k, |q, _| counts[q] += 1)?;
        let n_dims = counts.iter().rposition(|&c| c > 0).map_or(0, |q| q + 1);
        let mut dims: Vec<Vec<PersistencePair>> =
            counts[..n_dims].iter().map(|&c| Vec::with_capacity(c)).collect();
        self.visit(k, |q, p| {
            if let Some(v) = dims.get_mut(q) {
                v.push(p);
            }
        })?;
        if dims.iter().zip(&counts).any(|(v, &c)| v.len() != c) {
            bail!("diagram {k} changed while it was read");
        }
        Ok(Diagram::from_dims(dims))
    }

    /// Every diagram, in order.
    ///
    /// # Errors
    ///
    /// As [`NpyDiagrams::visit`], for the first failing diagram.
    pub fn diagrams(&self) -> Result<Vec<Diagram>> {
        (0..self.count).map(|k| self.diagram(k)).collect()
    }
}

/// Reads giotto-style diagrams from a `.npy` file: shape `(n, 3)` gives one
/// diagram, shape `(N, n, 3)` (giotto-tda's `fit`/`transform` input) gives
/// `N`; rows are `(birth, death, dim)`. See [`diagrams_from_npy`]. The file is
/// read diagram by diagram ([`NpyDiagrams`]), so only the diagrams are held,
/// except for Fortran-ordered arrays, which are read whole.
///
/// # Errors
///
/// I/O or format errors, prefixed with the path.
pub fn read_diagrams_npy(path: &Path) -> Result<Vec<Diagram>> {
    let context = || npy_context(path);
    let file = NpyDiagrams::open(path)?;
    if !file.fortran_order() {
        return file.diagrams().with_context(context);
    }
    drop(file);
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    // Parse, then free the file's bytes before building the diagrams.
    let array =
        nnph_network::npy::read_npy(&bytes).map_err(anyhow::Error::from).with_context(context)?;
    drop(bytes);
    diagrams_from_array(&array).with_context(context)
}

/// Parses giotto-style diagrams from `.npy` bytes (any numeric dtype): shape
/// `(n, 3)` or `(N, n, 3)`, rows `(birth, death, dim)`. Padding rows
/// (`birth = death`) are kept as trivial points, which every metric ignores.
/// Never panics; sizes are checked against the bytes by the reader.
///
/// # Errors
///
/// A malformed `.npy`, another shape, more than [`MAX_NPY_DIAGRAMS`]
/// diagrams, a `dim` that is not an integer in `0..=MAX_NPY_DIM`, a NaN, an
/// infinite birth, or a death before its birth.
pub fn diagrams_from_npy(bytes: &[u8]) -> Result<Vec<Diagram>> {
    let file = NpyDiagrams::from_bytes(bytes)?;
    if !file.fortran_order() {
        return file.diagrams();
    }
    diagrams_from_array(&nnph_network::npy::read_npy(bytes)?)
}

/// The diagrams of a whole array in memory (Fortran-ordered files only).
fn diagrams_from_array(array: &nnph_network::npy::NpyArray) -> Result<Vec<Diagram>> {
    let (count, rows) = match array.shape[..] {
        [n, 3] => (1, n),
        [b, n, 3] => (b, n),
        _ => bail!("expected shape (n, 3) or (N, n, 3), got {:?}", array.shape),
    };
    if count > MAX_NPY_DIAGRAMS {
        bail!("holds {count} diagrams; at most {MAX_NPY_DIAGRAMS} are read");
    }
    // float64 data is read in place; other dtypes are converted once.
    let converted;
    let values: &[f64] = match &array.data {
        nnph_network::npy::NpyData::F64(v) => v,
        _ => {
            converted = array.to_f64_vec()?;
            &converted
        }
    };
    let mut out = Vec::with_capacity(count);
    for (k, block) in values.chunks_exact(3 * rows.max(1)).take(count).enumerate() {
        // First pass: validate and count the points of each dimension, so that
        // every list is allocated once at its final size.
        let mut counts = vec![0usize; MAX_NPY_DIM + 1];
        for (r, row) in block.chunks_exact(3).enumerate() {
            check_row(k, r, row[0], row[1], row[2])?;
            counts[row[2] as usize] += 1;
        }
        let n_dims = counts.iter().rposition(|&c| c > 0).map_or(0, |q| q + 1);
        let mut dims: Vec<Vec<PersistencePair>> =
            counts[..n_dims].iter().map(|&c| Vec::with_capacity(c)).collect();
        for row in block.chunks_exact(3) {
            dims[row[2] as usize].push(PersistencePair::new(row[0], row[1]));
        }
        out.push(Diagram::from_dims(dims));
    }
    // A (0, 3) or (N, 0, 3) array: empty diagrams.
    out.resize_with(count, || Diagram::from_dims(Vec::new()));
    Ok(out)
}

/// Writes a diagram as `.npy` rows `(birth, death, dim)` (float64, shape (n, 3)), the
/// layout Python TDA tools use; infinite deaths are written as `inf`.
///
/// # Errors
///
/// Any I/O error, with the path as context.
pub fn write_diagram_npy(path: &Path, diagram: &Diagram) -> Result<()> {
    let mut rows = Vec::with_capacity(diagram.len() * 3);
    for (q, pairs) in diagram.dims().iter().enumerate() {
        for p in pairs {
            rows.extend_from_slice(&[p.birth, p.death, q as f64]);
        }
    }
    write_atomic(path, |w| {
        nnph_network::npy::write_npy_f64(w, &[rows.len() / 3, 3], &rows)?;
        Ok(())
    })
}

/// Writes a square matrix as `.npy` (float64) or `.csv` (header of labels), by extension.
///
/// # Errors
///
/// An unknown extension, or any I/O error, with the path as context.
pub fn write_matrix(path: &Path, n: usize, values: &[f64], labels: &[String]) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("npy") => write_atomic(path, |w| {
            nnph_network::npy::write_npy_f64(w, &[n, n], values)?;
            Ok(())
        }),
        Some("csv") => write_atomic(path, |w| {
            write_csv(w, n, values, labels)?;
            Ok(())
        }),
        _ => bail!("{}: output must end in .npy or .csv", path.display()),
    }
}

/// Writes a square matrix as CSV with a header row and a label column.
///
/// # Errors
///
/// Any I/O error.
pub fn write_csv(
    w: &mut dyn Write,
    n: usize,
    values: &[f64],
    labels: &[String],
) -> std::io::Result<()> {
    write!(w, "network")?;
    for l in labels {
        write!(w, ",{}", csv_field(l))?;
    }
    writeln!(w)?;
    for i in 0..n {
        write!(w, "{}", csv_field(&labels[i]))?;
        for j in 0..n {
            write!(w, ",{}", values[i * n + j])?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::diagrams_from_npy;
    use nnph_homology::PersistencePair as P;
    use proptest::prelude::*;

    fn npy(shape: &[usize], data: &[f64]) -> Vec<u8> {
        let mut bytes = Vec::new();
        nnph_network::npy::write_npy_f64(&mut bytes, shape, data).unwrap();
        bytes
    }

    #[test]
    fn single_and_batch_shapes() {
        let rows = [0.0, 1.0, 0.0, 0.5, f64::INFINITY, 1.0, 0.2, 0.2, 0.0];
        let d = diagrams_from_npy(&npy(&[3, 3], &rows)).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].dims()[0], vec![P::new(0.0, 1.0), P::new(0.2, 0.2)]);
        assert_eq!(d[0].dims()[1], vec![P::new(0.5, f64::INFINITY)]);
        let mut batch = rows.to_vec();
        batch.extend_from_slice(&rows);
        let d = diagrams_from_npy(&npy(&[2, 3, 3], &batch)).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], d[1]);
        assert_eq!(diagrams_from_npy(&npy(&[4, 0, 3], &[])).unwrap().len(), 4);
        for (shape, data) in [
            (&[3usize][..], &[0.0, 1.0, 0.0][..]),
            (&[1, 2], &[0.0, 1.0]),
            (&[1, 3], &[0.0, 1.0, 0.5]),
            (&[1, 3], &[0.0, 1.0, -1.0]),
            (&[1, 3], &[0.0, 1.0, 1e9]),
            (&[1, 3], &[f64::NAN, 1.0, 0.0]),
            (&[1, 3], &[1.0, 0.0, 0.0]),
            (&[1, 3], &[f64::NEG_INFINITY, 1.0, 0.0]),
        ] {
            assert!(diagrams_from_npy(&npy(shape, data)).is_err(), "{shape:?} {data:?}");
        }
    }

    /// An `.npy` with any dtype string and raw data.
    fn raw_npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
        let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
        let shape = if shape.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}")
                .into_bytes();
        header.resize((10 + header.len() + 1).div_ceil(64) * 64 - 11, b' ');
        header.push(b'\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        out
    }

    /// Rows in one of several dtypes (the values are exact in each).
    fn encode(rows: &[f64], dtype: usize) -> (&'static str, Vec<u8>) {
        match dtype {
            0 => ("<f8", rows.iter().flat_map(|x| x.to_le_bytes()).collect()),
            1 => (">f8", rows.iter().flat_map(|x| x.to_be_bytes()).collect()),
            2 => ("<f4", rows.iter().flat_map(|&x| (x as f32).to_le_bytes()).collect()),
            3 => ("<i4", rows.iter().flat_map(|&x| (x as i32).to_le_bytes()).collect()),
            4 => ("|u1", rows.iter().map(|&x| x as u8).collect()),
            _ => ("<i8", rows.iter().flat_map(|&x| (x as i64).to_le_bytes()).collect()),
        }
    }

    /// The whole-array reader the streaming one replaced (kept for Fortran order).
    fn whole(bytes: &[u8]) -> anyhow::Result<Vec<nnph_homology::Diagram>> {
        super::diagrams_from_array(&nnph_network::npy::read_npy(bytes)?)
    }

    fn message<T>(r: &anyhow::Result<T>) -> Option<String> {
        r.as_ref().err().map(|e| format!("{e:#}"))
    }

    proptest! {
        /// Valid files of any dtype, shape and size (chunks included): the
        /// streaming reader gives the whole-array reader's diagrams, from bytes
        /// and from a file.
        #[test]
        fn streaming_reader_equals_whole_array_reader(
            diagrams in prop::collection::vec(
                prop::collection::vec((0u8..8, 0u8..8, 0u8..4), 0..40), 1..4),
            dtype in 0usize..6,
            batch in any::<bool>(),
            long in any::<bool>(),
        ) {
            let diagrams = if batch { diagrams } else { diagrams[..1].to_vec() };
            // Long diagrams span several read chunks.
            let repeat = if long { super::CHUNK_ROWS / 16 + 1 } else { 1 };
            let n = diagrams.iter().map(Vec::len).max().unwrap_or(0) * repeat;
            let mut rows = vec![0.0; diagrams.len() * n * 3];
            for (k, d) in diagrams.iter().enumerate() {
                for (r, &(b, l, q)) in d.iter().cycle().take(d.len() * repeat).enumerate() {
                    let at = (k * n + r) * 3;
                    rows[at..at + 3].copy_from_slice(&[f64::from(b), f64::from(b + l), f64::from(q)]);
                }
            }
            let shape = if batch { vec![diagrams.len(), n, 3] } else { vec![n, 3] };
            let (descr, data) = encode(&rows, dtype);
            let bytes = raw_npy(descr, &shape, &data);
            let want = whole(&bytes).unwrap();
            prop_assert_eq!(&diagrams_from_npy(&bytes).unwrap(), &want);
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &bytes).unwrap();
            prop_assert_eq!(&super::read_diagrams_npy(file.path()).unwrap(), &want);
            let opened = super::NpyDiagrams::open(file.path()).unwrap();
            prop_assert_eq!(opened.len(), want.len());
            for (k, d) in want.iter().enumerate() {
                let mut got = nnph_homology::Diagram::empty(0);
                opened.visit(k, |q, p| got.dim_mut(q).push(p)).unwrap();
                prop_assert_eq!(got.dims(), d.dims());
                // Collapsing: float64 all-zero rows in a run are given once (the run's
                // first row), every other row as visit gives it.
                let (mut all, mut collapsed) = (Vec::new(), Vec::new());
                opened.visit(k, |q, p| all.push((q, p))).unwrap();
                opened.visit_collapsing_trivial(k, |q, p| collapsed.push((q, p))).unwrap();
                let zero = |e: &(usize, P)| {
                    e.0 == 0 && e.1.birth.to_bits() == 0 && e.1.death.to_bits() == 0
                };
                let want: Vec<_> = if descr == "<f8" {
                    all.iter().enumerate()
                        .filter(|&(r, e)| !(zero(e) && r > 0 && zero(&all[r - 1])))
                        .map(|(_, &e)| e)
                        .collect()
                } else {
                    all.clone()
                };
                prop_assert_eq!(collapsed, want);
            }
        }

        /// Corrupted files (a byte changed, cut short, a value made invalid):
        /// the streaming reader refuses exactly what the whole-array reader
        /// refuses, with the same message.
        #[test]
        fn streaming_reader_refuses_like_the_whole_array_reader(
            flips in prop::collection::vec((0usize..400, any::<u8>()), 0..3),
            cut in 0usize..400,
            bad in prop::option::of((0usize..12, prop_oneof![Just(f64::NAN), Just(f64::NEG_INFINITY), Just(2.5), Just(-1.0), Just(300.0)])),
        ) {
            let mut rows: Vec<f64> = (0..12).map(|k| f64::from(k as u8 % 4) * 0.25).collect();
            for r in rows.chunks_exact_mut(3) {
                r[1] += r[0];
                r[2] = 0.0;
            }
            if let Some((at, v)) = bad {
                rows[at] = v;
            }
            let mut bytes = npy(&[2, 2, 3], &rows);
            for (i, b) in flips {
                if let Some(x) = bytes.get_mut(i) {
                    *x = b;
                }
            }
            bytes.truncate(cut);
            let (a, b) = (diagrams_from_npy(&bytes), whole(&bytes));
            prop_assert_eq!(message(&a), message(&b));
            // The collapsing visit checks every row too: the same first error.
            if let Ok(opened) = super::NpyDiagrams::from_bytes(&bytes) {
                for k in 0..opened.len() {
                    let plain = opened.visit(k, |_, _| {});
                    let collapsing = opened.visit_collapsing_trivial(k, |_, _| {});
                    prop_assert_eq!(message(&plain), message(&collapsing));
                }
            }
            if let (Ok(a), Ok(b)) = (a, b) {
                prop_assert_eq!(a, b);
            }
        }

        /// Any bytes, and any corruption of a valid file: an error or a
        /// diagram, never a panic.
        #[test]
        fn hostile_bytes_never_panic(
            bytes in prop::collection::vec(any::<u8>(), 0..300),
            flips in prop::collection::vec((0usize..200, any::<u8>()), 0..4),
            cut in 0usize..200,
        ) {
            let _ = diagrams_from_npy(&bytes);
            let mut valid = npy(&[2, 2, 3], &[0.0, 1.0, 0.0, 0.5, 2.0, 1.0, 0.0, 1.0, 0.0, 0.5, 2.0, 1.0]);
            for (i, b) in flips {
                if let Some(x) = valid.get_mut(i) {
                    *x = b;
                }
            }
            let _ = diagrams_from_npy(&valid);
            valid.truncate(cut);
            let _ = diagrams_from_npy(&valid);
        }
    }
}

#[cfg(test)]
mod permission_tests {
    /// Results are readable like any other file the user creates (not tempfile's 0600).
    #[cfg(unix)]
    #[test]
    fn atomic_writes_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        super::write_atomic(&path, |w| Ok(w.write_all(b"x")?)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // 0666 less the umask: at least owner read/write, and never more than 0666.
        assert_eq!(mode & 0o600, 0o600, "{mode:o}");
        assert_eq!(mode & !0o666, 0, "{mode:o}");
    }
}
