//! Plots: distance-matrix heatmaps as SVG.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use plotters::style::text_anchor;

/// Draws an n × n matrix (row-major) as an SVG heatmap with labels, written atomically.
///
/// Colours run from white (0) to dark blue (the matrix maximum).
///
/// # Errors
///
/// Drawing or I/O errors, with the path.
///
/// # Panics
///
/// If `values.len() != n * n` or `labels.len() != n`.
pub fn heatmap_svg(
    path: &Path,
    values: &[f64],
    n: usize,
    labels: &[String],
    title: &str,
) -> Result<()> {
    assert_eq!(values.len(), n * n, "values must be n × n");
    assert_eq!(labels.len(), n, "one label per row");
    let cell = 28u32;
    let margin = 140u32;
    let side = margin + cell * n as u32 + 90;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (side, side)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let max = values.iter().copied().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
        let colour = |v: f64| {
            let t = if max > 0.0 && v.is_finite() { (v / max).clamp(0.0, 1.0) } else { 0.0 };
            let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
            RGBColor(lerp(255.0, 8.0), lerp(255.0, 48.0), lerp(255.0, 107.0))
        };
        root.draw(&Text::new(
            title.to_owned(),
            (margin as i32, 16),
            ("sans-serif", 16).into_font(),
        ))
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        for i in 0..n {
            for j in 0..n {
                let x0 = (margin + cell * j as u32) as i32;
                let y0 = (margin + cell * i as u32) as i32;
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cell as i32, y0 + cell as i32)],
                    colour(values[i * n + j]).filled(),
                ))
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            }
            let y = (margin + cell * i as u32 + cell / 2) as i32;
            let style = TextStyle::from(("sans-serif", 11).into_font())
                .pos(text_anchor::Pos::new(text_anchor::HPos::Right, text_anchor::VPos::Center));
            root.draw(&Text::new(labels[i].clone(), (margin as i32 - 4, y), style))
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            let x = (margin + cell * i as u32 + cell / 2) as i32;
            let style = TextStyle::from(("sans-serif", 11).into_font())
                .transform(FontTransform::Rotate270)
                .pos(text_anchor::Pos::new(text_anchor::HPos::Left, text_anchor::VPos::Center));
            root.draw(&Text::new(labels[i].clone(), (x, margin as i32 - 4), style))
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        }
        // Colour bar.
        let bx = (margin + cell * n as u32 + 20) as i32;
        let steps = 50;
        let h = (cell * n as u32) as i32;
        for k in 0..steps {
            let v = max * f64::from(steps - 1 - k) / f64::from(steps - 1);
            let y0 = margin as i32 + h * k / steps;
            let y1 = margin as i32 + h * (k + 1) / steps;
            root.draw(&Rectangle::new([(bx, y0), (bx + 16, y1)], colour(v).filled()))
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        }
        for (v, y) in [(max, margin as i32), (0.0, margin as i32 + h)] {
            root.draw(&Text::new(format!("{v:.3e}"), (bx + 20, y), ("sans-serif", 10).into_font()))
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        }
        root.present().map_err(|e| anyhow!("{}: {e}", path.display()))?;
    }
    crate::io::write_atomic(path, |w| {
        w.write_all(svg.as_bytes())?;
        Ok(())
    })
}
