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
/// directory, which is then renamed over `path`.
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
    let tmp = tempfile::NamedTempFile::new_in(dir)
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
