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

/// Reads giotto-style diagrams from a `.npy` file: shape `(n, 3)` gives one
/// diagram, shape `(N, n, 3)` (giotto-tda's `fit`/`transform` input) gives
/// `N`; rows are `(birth, death, dim)`. See [`diagrams_from_npy`].
///
/// # Errors
///
/// I/O or format errors, prefixed with the path.
pub fn read_diagrams_npy(path: &Path) -> Result<Vec<Diagram>> {
    let context = || format!("{}: not a diagram .npy (rows birth, death, dim)", path.display());
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
/// A malformed `.npy`, another shape, a `dim` that is not an integer in
/// `0..=MAX_NPY_DIM`, a NaN, an infinite birth, or a death before its birth.
pub fn diagrams_from_npy(bytes: &[u8]) -> Result<Vec<Diagram>> {
    diagrams_from_array(&nnph_network::npy::read_npy(bytes)?)
}

fn diagrams_from_array(array: &nnph_network::npy::NpyArray) -> Result<Vec<Diagram>> {
    let (count, rows) = match array.shape[..] {
        [n, 3] => (1, n),
        [b, n, 3] => (b, n),
        _ => bail!("expected shape (n, 3) or (N, n, 3), got {:?}", array.shape),
    };
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
            let (birth, death, dim) = (row[0], row[1], row[2]);
            if !(dim >= 0.0 && dim <= MAX_NPY_DIM as f64 && dim.fract() == 0.0) {
                bail!(
                    "diagram {k}, row {r}: dimension {dim} is not an integer in 0..={MAX_NPY_DIM}"
                );
            }
            if !birth.is_finite() || death.is_nan() || death < birth {
                bail!(
                    "diagram {k}, row {r}: invalid pair ({birth}, {death}): births must be \
                     finite and deaths must not be NaN or precede births"
                );
            }
            counts[dim as usize] += 1;
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

    proptest! {
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
