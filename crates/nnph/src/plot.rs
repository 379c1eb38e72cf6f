//! Plots, as SVG or PNG (chosen by the file extension): persistence diagrams, barcodes, Betti
//! curves and distance-matrix heatmaps with group separators.
//!
//! Every plot is drawn with plotters and written atomically. Text uses the bundled DejaVu Sans
//! (`assets/DejaVuSans.ttf`, Bitstream Vera licence), so PNGs look the same on every machine,
//! with or without system fonts.
//!
//! Large diagrams stay light: points of a persistence diagram are drawn once per pixel they
//! land on (a 600,000-point H1 makes an SVG of a few thousand circles, not of 600,000), and a
//! barcode shows the longest bars of each dimension (the title says how many of how many).
//!
//! # Example
//!
//! ```
//! use nnph::homology::{Diagram, PersistencePair};
//! use nnph::plot::{Kind, plot_diagram};
//!
//! let pair = |birth, death| PersistencePair { birth, death };
//! let diagram = Diagram::from_dims(vec![
//!     vec![pair(0.0, 0.4), pair(0.0, f64::INFINITY)],
//!     vec![pair(0.3, 0.9)],
//! ]);
//! let dir = tempfile::tempdir()?;
//! for kind in [Kind::Diagram, Kind::Barcode, Kind::Betti] {
//!     let path = dir.path().join(format!("{kind:?}.png"));
//!     plot_diagram(&path, &diagram, kind, "example")?;
//!     assert!(std::fs::read(&path)?.starts_with(b"\x89PNG"));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::path::Path;
use std::sync::Once;

use anyhow::{Context, Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use nnph_homology::Diagram;

/// The bundled font (DejaVu Sans).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Colours of homology dimensions 0, 1, 2, … (cycled): blue, orange, green, red, purple, brown.
const DIM_COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The most bars of one dimension a barcode shows (the longest ones).
pub const MAX_BARS: usize = 200;

/// What to draw of a diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Points (birth, death) per dimension, the diagonal, essential points on a line marked ∞.
    Diagram,
    /// One horizontal bar per pair, per dimension (the longest [`MAX_BARS`] per dimension).
    Barcode,
    /// Betti curves β_q(t) = #{pairs alive at t} per dimension.
    Betti,
}

impl std::str::FromStr for Kind {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "diagram" => Ok(Kind::Diagram),
            "barcode" => Ok(Kind::Barcode),
            "betti" => Ok(Kind::Betti),
            _ => bail!("unknown plot kind {s:?}: use diagram, barcode or betti"),
        }
    }
}

/// The image format of a path: `.svg` or `.png`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Svg,
    Png,
}

fn format_of(path: &Path) -> Result<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Ok(Format::Svg),
        Some("png") => Ok(Format::Png),
        _ => bail!("{}: plots are written as .svg or .png", path.display()),
    }
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid; should it not be, text falls back to nothing drawn.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Something drawable on any plotters backend.
trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Draws `figure` into `path` (SVG or PNG by extension), atomically.
fn save(path: &Path, figure: &impl Figure) -> Result<()> {
    register_font();
    let format = format_of(path)?;
    let (w, h) = figure.size();
    let bytes = match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                figure.draw(&root)?;
                root.present().map_err(|e| anyhow!("{e}"))?;
            }
            svg.into_bytes()
        }
        Format::Png => {
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                figure.draw(&root)?;
                root.present().map_err(|e| anyhow!("{e}"))?;
            }
            let mut png_bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut png_bytes, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&rgb)?;
            writer.finish()?;
            png_bytes
        }
    };
    crate::io::write_atomic(path, |w| {
        w.write_all(&bytes)?;
        Ok(())
    })
    .with_context(|| format!("{}", path.display()))
}

fn de<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing failed: {e}")
}

/// Draws a persistence diagram, barcode or Betti curves of `diagram` into `path` (`.svg` or
/// `.png`), atomically.
///
/// # Errors
///
/// An extension other than `.svg`/`.png`, a diagram without pairs, drawing or I/O errors.
pub fn plot_diagram(path: &Path, diagram: &Diagram, kind: Kind, title: &str) -> Result<()> {
    if diagram.dims().iter().all(Vec::is_empty) {
        bail!("{}: the diagram has no pairs to plot", path.display());
    }
    let fig = DiagramFigure { diagram, kind, title };
    save(path, &fig)
}

struct DiagramFigure<'a> {
    diagram: &'a Diagram,
    kind: Kind,
    title: &'a str,
}

/// The range of finite values of a diagram, widened a little (and never empty).
fn value_range(diagram: &Diagram) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for p in diagram.dims().iter().flatten() {
        for v in [p.birth, p.death] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

impl Figure for DiagramFigure<'_> {
    fn size(&self) -> (u32, u32) {
        match self.kind {
            Kind::Diagram => (720, 680),
            Kind::Barcode | Kind::Betti => (900, 600),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(de)?;
        match self.kind {
            Kind::Diagram => self.draw_points(root),
            Kind::Barcode => self.draw_bars(root),
            Kind::Betti => self.draw_betti(root),
        }
    }
}

impl DiagramFigure<'_> {
    fn draw_points<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = value_range(self.diagram);
        let has_essential = self.diagram.dims().iter().flatten().any(|p| p.death.is_infinite());
        // Essential points sit on a line above the finite range.
        let inf_y = hi + 0.06 * (hi - lo);
        let top = if has_essential { inf_y + 0.04 * (hi - lo) } else { hi };
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(lo..hi, lo..top)
            .map_err(de)?;
        chart
            .configure_mesh()
            .x_desc("birth")
            .y_desc("death")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(de)?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.5).stroke_width(1)))
            .map_err(de)?;
        if has_essential {
            chart
                .draw_series(DashedLineSeries::new(
                    [(lo, inf_y), (hi, inf_y)],
                    6,
                    4,
                    BLACK.mix(0.4).stroke_width(1),
                ))
                .map_err(de)?;
            let style = TextStyle::from(("sans-serif", 18).into_font())
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            chart.draw_series([Text::new("∞", (lo, inf_y), style)]).map_err(de)?;
        }
        // Dimensions drawn highest first so that H0 stays on top; one circle per pixel.
        let dims = self.diagram.dims();
        for (q, pairs) in dims.iter().enumerate().rev() {
            if pairs.is_empty() {
                continue;
            }
            let colour = DIM_COLOURS[q % DIM_COLOURS.len()];
            let mut seen = HashSet::new();
            let mut points = Vec::new();
            for p in pairs {
                let y = if p.death.is_finite() { p.death } else { inf_y };
                let pixel = chart.backend_coord(&(p.birth, y));
                if seen.insert(pixel) {
                    points.push((p.birth, y));
                }
            }
            chart
                .draw_series(
                    points.into_iter().map(|xy| Circle::new(xy, 3, colour.mix(0.7).filled())),
                )
                .map_err(de)?
                .label(format!(
                    "H{q} ({} pair{})",
                    pairs.len(),
                    if pairs.len() == 1 { "" } else { "s" }
                ))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }

    fn draw_bars<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = value_range(self.diagram);
        let right = hi + 0.08 * (hi - lo);
        // The longest bars of each dimension, each dimension's bars sorted by birth.
        let mut rows: Vec<(usize, f64, f64)> = Vec::new();
        let mut shown = Vec::new();
        for (q, pairs) in self.diagram.dims().iter().enumerate() {
            let mut bars: Vec<(f64, f64)> = pairs.iter().map(|p| (p.birth, p.death)).collect();
            bars.sort_by(|a, b| (b.1 - b.0).total_cmp(&(a.1 - a.0)).then(a.0.total_cmp(&b.0)));
            bars.truncate(MAX_BARS);
            bars.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            if !pairs.is_empty() {
                shown.push(if bars.len() < pairs.len() {
                    format!("H{q}: longest {} of {}", bars.len(), pairs.len())
                } else {
                    format!("H{q}: {}", pairs.len())
                });
            }
            rows.extend(bars.into_iter().map(|(b, d)| (q, b, d)));
        }
        let n = rows.len().max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{} — {}", self.title, shown.join(", ")), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(20)
            .build_cartesian_2d(lo..right, 0.0..n)
            .map_err(de)?;
        chart
            .configure_mesh()
            .x_desc("filtration value")
            .disable_y_mesh()
            .disable_y_axis()
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(de)?;
        let thickness = (0.8_f64).min(1.0);
        let mut labelled = HashSet::new();
        for (k, &(q, b, d)) in rows.iter().enumerate() {
            let colour = DIM_COLOURS[q % DIM_COLOURS.len()];
            let y = n - k as f64 - 1.0;
            let end = if d.is_finite() { d } else { right };
            let series = chart
                .draw_series([Rectangle::new(
                    [(b, y + 0.1), (end, y + 0.1 + thickness)],
                    colour.filled(),
                )])
                .map_err(de)?;
            if labelled.insert(q) {
                series.label(format!("H{q}")).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 4), (x + 16, y + 4)], colour.filled())
                });
            }
            if d.is_infinite() {
                chart
                    .draw_series([TriangleMarker::new((right, y + 0.5), 5, colour.filled())])
                    .map_err(de)?;
            }
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }

    fn draw_betti<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = value_range(self.diagram);
        let curves: Vec<Vec<(f64, f64)>> =
            self.diagram.dims().iter().map(|pairs| betti_steps(pairs, lo, hi)).collect();
        let top = curves.iter().flatten().map(|&(_, b)| b).fold(1.0_f64, f64::max) * 1.08;
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{} — Betti curves", self.title), ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(de)?;
        chart
            .configure_mesh()
            .x_desc("filtration value t")
            .y_desc("β_q(t)")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(de)?;
        for (q, curve) in curves.into_iter().enumerate() {
            if self.diagram.dim(q).is_empty() {
                continue;
            }
            let colour = DIM_COLOURS[q % DIM_COLOURS.len()];
            chart
                .draw_series(LineSeries::new(curve, colour.stroke_width(2)))
                .map_err(de)?
                .label(format!("β{q}"))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// The series labels of a chart, in a framed box at `position`.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(de)
}

/// The step function t ↦ #{p : birth ≤ t < death} on `[lo, hi]`, as the corners of its graph.
pub fn betti_steps(pairs: &[nnph_homology::PersistencePair], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let mut events: Vec<(f64, i64)> = Vec::with_capacity(2 * pairs.len());
    for p in pairs {
        events.push((p.birth, 1));
        if p.death.is_finite() {
            events.push((p.death, -1));
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = vec![(lo, 0.0)];
    let mut alive = 0i64;
    let mut k = 0;
    while k < events.len() {
        let t = events[k].0;
        while k < events.len() && events[k].0 == t {
            alive += events[k].1;
            k += 1;
        }
        let before = out.last().map_or(0.0, |&(_, b)| b);
        out.push((t, before));
        out.push((t, alive as f64));
    }
    let last = out.last().map_or(0.0, |&(_, b)| b);
    out.push((hi, last));
    out
}

/// Draws an n × n matrix (row-major) as a heatmap with labels, optional group separators (the
/// sizes of consecutive groups, e.g. `[5, 5, 5, 4]`) and a colour bar, as SVG or PNG by the
/// extension of `path`, written atomically.
///
/// Colours run from white (0) to dark blue (the matrix maximum).
///
/// # Errors
///
/// `values.len() != n²`, `labels.len() != n`, groups that do not add up to `n`, an unknown
/// extension, drawing or I/O errors.
pub fn heatmap(
    path: &Path,
    values: &[f64],
    n: usize,
    labels: &[String],
    groups: &[usize],
    title: &str,
) -> Result<()> {
    if values.len() != n * n || labels.len() != n {
        bail!("{}: a heatmap needs n × n values and n labels", path.display());
    }
    if !groups.is_empty() && groups.iter().sum::<usize>() != n {
        bail!(
            "{}: the group sizes {groups:?} add up to {}, not to the {n} rows",
            path.display(),
            groups.iter().sum::<usize>()
        );
    }
    save(path, &Heatmap { values, n, labels, groups, title })
}

/// Draws an n × n matrix as an SVG heatmap (see [`heatmap`]; kept for existing callers).
///
/// # Errors
///
/// As [`heatmap`].
pub fn heatmap_svg(
    path: &Path,
    values: &[f64],
    n: usize,
    labels: &[String],
    title: &str,
) -> Result<()> {
    heatmap(path, values, n, labels, &[], title)
}

struct Heatmap<'a> {
    values: &'a [f64],
    n: usize,
    labels: &'a [String],
    groups: &'a [usize],
    title: &'a str,
}

impl Heatmap<'_> {
    fn cell(&self) -> u32 {
        (560 / self.n.max(1) as u32).clamp(6, 28)
    }

    fn margin(&self) -> u32 {
        let longest = self.labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32;
        (longest * 7 + 16).clamp(40, 220)
    }
}

impl Figure for Heatmap<'_> {
    fn size(&self) -> (u32, u32) {
        let side = self.margin() + self.cell() * self.n as u32;
        (side + 130, side + 20)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (n, cell, margin) = (self.n, self.cell() as i32, self.margin() as i32);
        root.fill(&WHITE).map_err(de)?;
        let max = self.values.iter().copied().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
        let colour = |v: f64| {
            let t = if max > 0.0 && v.is_finite() { (v / max).clamp(0.0, 1.0) } else { 0.0 };
            let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
            RGBColor(lerp(255.0, 8.0), lerp(255.0, 48.0), lerp(255.0, 107.0))
        };
        root.draw(&Text::new(self.title.to_owned(), (margin, 6), ("sans-serif", 16).into_font()))
            .map_err(de)?;
        let label_size = (cell - 2).clamp(7, 12);
        for i in 0..n {
            for j in 0..n {
                let (x0, y0) = (margin + cell * j as i32, margin + cell * i as i32);
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cell, y0 + cell)],
                    colour(self.values[i * n + j]).filled(),
                ))
                .map_err(de)?;
            }
            let y = margin + cell * i as i32 + cell / 2;
            let style = TextStyle::from(("sans-serif", label_size).into_font())
                .pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(self.labels[i].clone(), (margin - 4, y), style)).map_err(de)?;
            let x = margin + cell * i as i32 + cell / 2;
            let style = TextStyle::from(("sans-serif", label_size).into_font())
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(self.labels[i].clone(), (x, margin - 4), style)).map_err(de)?;
        }
        // Group separators.
        let end = margin + cell * n as i32;
        let mut at = 0;
        for &g in self.groups.iter().take(self.groups.len().saturating_sub(1)) {
            at += g;
            let c = margin + cell * at as i32;
            let line = BLACK.stroke_width(2);
            root.draw(&PathElement::new([(c, margin), (c, end)], line)).map_err(de)?;
            root.draw(&PathElement::new([(margin, c), (end, c)], line)).map_err(de)?;
        }
        root.draw(&Rectangle::new([(margin, margin), (end, end)], BLACK.stroke_width(1)))
            .map_err(de)?;
        // Colour bar.
        let bx = end + 16;
        let h = cell * n as i32;
        let steps = 64;
        for k in 0..steps {
            let v = max * f64::from(steps - 1 - k) / f64::from(steps - 1);
            let (y0, y1) = (margin + h * k / steps, margin + h * (k + 1) / steps);
            root.draw(&Rectangle::new([(bx, y0), (bx + 14, y1)], colour(v).filled()))
                .map_err(de)?;
        }
        for (v, y, vpos) in [(max, margin, VPos::Top), (0.0, margin + h, VPos::Bottom)] {
            let style =
                TextStyle::from(("sans-serif", 11).into_font()).pos(Pos::new(HPos::Left, vpos));
            root.draw(&Text::new(format!("{v:.3e}"), (bx + 18, y), style)).map_err(de)?;
        }
        Ok(())
    }
}
