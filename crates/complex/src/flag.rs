//! flagser's `.flag` text format.
//!
//! ```text
//! # comment lines start with '#'; blank lines are ignored
//! dim 0:
//! 0 0 0.5
//! dim 1:
//! 0 1 0.25
//! 1 2 0.75
//! 0 2
//! ```
//!
//! * A section starts with a header `dim k:` (the colon is optional: flagser's own test files
//!   use both `dim 0:` and `dim 0`). Sections must appear in increasing order of `k`, starting
//!   with `dim 0`.
//! * `dim 0` lists the vertex values, whitespace separated. The number of values is the number
//!   of vertices. The values may be spread over several lines.
//! * `dim 1` has one line per directed edge: `source target [value]`, vertices 0-based.
//!   **A missing value is the larger of the two vertex values** (the smallest value the 'max'
//!   filtration allows), so an unweighted edge enters as soon as both of its ends exist.
//! * Sections `dim k` with `k ≥ 2` are skipped without being parsed: a flag complex is
//!   determined by its graph.
//!
//! Every value must be finite, every edge must join two distinct existing vertices, and an edge
//! value must not be smaller than the values of its two vertices. Violations are reported as
//! [`ErrorKind::Parse`] with the 1-based line number.
//!
//! The reader streams its input line by line and allocates only for what it has read; lines
//! longer than [`MAX_LINE_BYTES`] are rejected. It never panics, whatever the bytes.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use crate::error::{Error, ErrorKind};
use crate::graph::{Edge, FilteredGraph};

/// The longest line (in bytes, without the line terminator) that [`read_flag`] accepts: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1 << 20;

fn parse_error(line: usize, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Parse { line, message: message.into() })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before the first header.
    None,
    /// `dim 0`.
    Vertices,
    /// `dim 1`.
    Edges,
    /// `dim k`, `k ≥ 2`.
    Skipped,
}

/// Reads a graph in flagser's `.flag` format (see the [module docs](self)).
///
/// # Arguments
///
/// * `reader`: the text. It is buffered internally.
///
/// # Returns
///
/// The graph, with edges in file order.
///
/// # Complexity
///
/// Linear in the input size; memory linear in the number of vertices and edges read.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for malformed content (with the line number), [`ErrorKind::Io`] if
/// reading fails.
///
/// # Examples
///
/// ```
/// use nnph_complex::flag::read_flag;
///
/// let text = "dim 0:\n0 0 0\ndim 1:\n0 1 0.5\n1 2 0.25\n";
/// let graph = read_flag(text.as_bytes())?;
/// assert_eq!(graph.vertex_count(), 3);
/// assert_eq!(graph.edges()[1].value, 0.25);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_flag<R: Read>(reader: R) -> Result<FilteredGraph, Error> {
    let mut reader = BufReader::new(reader);
    let mut buf: Vec<u8> = Vec::new();
    let mut line_no = 0usize;
    let mut section = Section::None;
    let mut last_dim: Option<usize> = None;
    let mut vertex_values: Vec<f64> = Vec::new();
    let mut edges: Vec<Edge> = Vec::new();

    loop {
        buf.clear();
        let read = (&mut reader).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        line_no += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        } else if buf.len() > MAX_LINE_BYTES {
            return Err(parse_error(line_no, "line longer than 1 MiB"));
        }
        let text =
            std::str::from_utf8(&buf).map_err(|_| parse_error(line_no, "line is not UTF-8"))?;
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if let Some(rest) = text.strip_prefix("dim") {
            let k = parse_header(rest).ok_or_else(|| {
                parse_error(line_no, format!("malformed section header {text:?}"))
            })?;
            let in_order = match last_dim {
                None => k == 0,
                Some(last) => k > last,
            };
            if !in_order {
                return Err(parse_error(
                    line_no,
                    format!(
                        "section `dim {k}` out of order (sections start with `dim 0` and increase)"
                    ),
                ));
            }
            last_dim = Some(k);
            section = match k {
                0 => Section::Vertices,
                1 => Section::Edges,
                _ => Section::Skipped,
            };
            continue;
        }
        match section {
            Section::None => {
                return Err(parse_error(line_no, "content before the first `dim 0:` header"));
            }
            Section::Vertices => {
                for token in text.split_whitespace() {
                    if vertex_values.len() >= u32::MAX as usize {
                        return Err(parse_error(line_no, "more than 2^32 - 1 vertices"));
                    }
                    let value = parse_value(token)
                        .ok_or_else(|| parse_error(line_no, bad_value("vertex value", token)))?;
                    vertex_values.push(value);
                }
            }
            Section::Edges => {
                let edge = parse_edge(text, &vertex_values).map_err(|m| parse_error(line_no, m))?;
                edges.push(edge);
            }
            Section::Skipped => {}
        }
    }
    FilteredGraph::try_new(vertex_values, edges)
}

/// Parses the part of a header after `dim`: an integer with an optional trailing colon.
fn parse_header(rest: &str) -> Option<usize> {
    let rest = rest.trim();
    let rest = rest.strip_suffix(':').unwrap_or(rest).trim();
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

fn parse_value(token: &str) -> Option<f64> {
    token.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn bad_value(what: &str, token: &str) -> String {
    let shown: String = token.chars().take(40).collect();
    format!("{what} {shown:?} is not a finite number")
}

fn parse_vertex(token: &str, vertex_values: &[f64]) -> Result<u32, String> {
    let shown: String = token.chars().take(40).collect();
    let v: u32 = token.parse().map_err(|_| format!("vertex {shown:?} is not a vertex index"))?;
    if v as usize >= vertex_values.len() {
        return Err(format!("vertex {v} does not exist ({} vertices)", vertex_values.len()));
    }
    Ok(v)
}

fn parse_edge(text: &str, vertex_values: &[f64]) -> Result<Edge, String> {
    let mut tokens = text.split_whitespace();
    let (Some(s), Some(t)) = (tokens.next(), tokens.next()) else {
        return Err("an edge line needs `source target [value]`".to_owned());
    };
    let value = tokens.next();
    if tokens.next().is_some() {
        return Err("an edge line has at most three fields: `source target [value]`".to_owned());
    }
    let source = parse_vertex(s, vertex_values)?;
    let target = parse_vertex(t, vertex_values)?;
    if source == target {
        return Err(format!("edge {source} → {target} is a self-loop"));
    }
    let vertex_max = vertex_values[source as usize].max(vertex_values[target as usize]);
    let value = match value {
        Some(token) => parse_value(token).ok_or_else(|| bad_value("edge value", token))?,
        None => vertex_max,
    };
    if value < vertex_max {
        return Err(format!(
            "edge {source} → {target} has value {value}, below its vertex value {vertex_max} \
             (the 'max' filtration needs edge ≥ vertex)"
        ));
    }
    Ok(Edge { source, target, value })
}

/// Writes a graph in flagser's `.flag` format: `dim 0:`, the vertex values on one line,
/// `dim 1:`, then one `source target value` line per edge in edge order.
///
/// Values are written in Rust's shortest round-trip notation, so [`read_flag`] reads back the
/// identical graph.
///
/// # Errors
///
/// [`ErrorKind::Io`] if writing fails.
///
/// # Examples
///
/// ```
/// use nnph_complex::flag::{read_flag, write_flag};
///
/// let graph = read_flag("dim 0:\n0 0\ndim 1:\n0 1 0.5\n".as_bytes())?;
/// let mut out = Vec::new();
/// write_flag(&graph, &mut out)?;
/// assert_eq!(read_flag(out.as_slice())?, graph);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_flag<W: Write>(graph: &FilteredGraph, writer: W) -> Result<(), Error> {
    let mut w = BufWriter::new(writer);
    writeln!(w, "dim 0:")?;
    for (i, v) in graph.vertex_values().iter().enumerate() {
        if i > 0 {
            write!(w, " ")?;
        }
        write!(w, "{v:?}")?;
    }
    writeln!(w)?;
    writeln!(w, "dim 1:")?;
    for e in graph.edges() {
        writeln!(w, "{} {} {:?}", e.source, e.target, e.value)?;
    }
    w.flush()?;
    Ok(())
}
