//! Plots: every kind, as SVG and PNG, has the marks it should (checked in the decoded pixels,
//! not just the file header), and bad requests fail cleanly.

use std::path::Path;
use std::process::Command;

use nnph::homology::{Diagram, PersistencePair};
use nnph::plot::{Kind, heatmap, plot_diagram};

fn pair(birth: f64, death: f64) -> PersistencePair {
    PersistencePair { birth, death }
}

fn sample() -> Diagram {
    Diagram::from_dims(vec![
        vec![pair(0.0, 0.2), pair(0.0, 0.5), pair(0.0, f64::INFINITY)],
        (0..50).map(|k| pair(0.3 + 0.01 * f64::from(k), 0.9)).collect(),
    ])
}

/// The RGB pixels of a PNG.
fn pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let px = buf[..info.buffer_size()].chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    (info.width, info.height, px)
}

/// Pixels close to `colour` (antialiasing and transparency blend the edges).
fn count_near(px: &[[u8; 3]], colour: [u8; 3], tolerance: i32) -> usize {
    px.iter()
        .filter(|p| (0..3).all(|i| (i32::from(p[i]) - i32::from(colour[i])).abs() <= tolerance))
        .count()
}

const BLUE: [u8; 3] = [31, 119, 180];
const ORANGE: [u8; 3] = [255, 127, 14];

#[test]
fn every_kind_draws_both_dimensions_in_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [Kind::Diagram, Kind::Barcode, Kind::Betti] {
        let png = dir.path().join(format!("{kind:?}.png"));
        plot_diagram(&png, &sample(), kind, "sample").unwrap();
        let (w, h, px) = pixels(&png);
        assert!(w >= 600 && h >= 500, "{kind:?}: {w}×{h}");
        // Both dimensions' colours are present (the legend alone gives a few pixels).
        let (blue, orange) = (count_near(&px, BLUE, 40), count_near(&px, ORANGE, 40));
        assert!(blue > 60 && orange > 60, "{kind:?}: {blue} blue, {orange} orange pixels");
        // Mostly white background: the plot is not one big blob.
        assert!(count_near(&px, [255, 255, 255], 3) > px.len() / 2, "{kind:?}");

        let svg = dir.path().join(format!("{kind:?}.svg"));
        plot_diagram(&svg, &sample(), kind, "sample").unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.starts_with("<svg"), "{kind:?}");
        assert!(text.contains("sample"), "{kind:?}: the title is missing");
        assert!(text.contains("#1F77B4") && text.contains("#FF7F0E"), "{kind:?}: colours missing");
    }
}

#[test]
fn diagram_marks_essential_points_and_large_diagrams_stay_small() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("d.svg");
    plot_diagram(&svg, &sample(), Kind::Diagram, "t").unwrap();
    assert!(std::fs::read_to_string(&svg).unwrap().contains('∞'));
    // 200,000 points on one line: one circle per pixel, not per point.
    let many = Diagram::from_dims(vec![
        (0..200_000).map(|k| pair(0.0, f64::from(k) / 200_000.0)).collect(),
    ]);
    plot_diagram(&svg, &many, Kind::Diagram, "t").unwrap();
    let circles = std::fs::read_to_string(&svg).unwrap().matches("<circle").count();
    assert!((100..2_000).contains(&circles), "{circles} circles");
}

#[test]
fn betti_steps_count_alive_pairs() {
    let pairs = [pair(0.0, 0.5), pair(0.2, f64::INFINITY), pair(0.2, 0.3)];
    let steps = nnph::plot::betti_steps(&pairs, -1.0, 2.0);
    let at = |t: f64| steps.iter().rev().find(|&&(x, _)| x <= t).map(|&(_, b)| b).unwrap();
    assert_eq!(at(-0.5), 0.0);
    assert_eq!(at(0.1), 1.0);
    assert_eq!(at(0.25), 3.0);
    assert_eq!(at(0.4), 2.0);
    assert_eq!(at(1.5), 1.0);
}

#[test]
fn heatmap_has_group_separators_and_checks_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5;
    let values: Vec<f64> = (0..n * n).map(|k| ((k / n) as f64 - (k % n) as f64).abs()).collect();
    let labels: Vec<String> = (0..n).map(|i| format!("net{i}")).collect();
    let png = dir.path().join("h.png");
    heatmap(&png, &values, n, &labels, &[2, 3], "h").unwrap();
    let (w, h, px) = pixels(&png);
    // The separator: a black line across the matrix after the second row and column.
    let black = count_near(&px, [0, 0, 0], 30);
    assert!(black > 2 * 100, "{black} black pixels in {w}×{h}");
    let without = dir.path().join("h0.png");
    heatmap(&without, &values, n, &labels, &[], "h").unwrap();
    let (_, _, px0) = pixels(&without);
    assert!(count_near(&px0, [0, 0, 0], 30) < black, "separators add black pixels");
    assert!(heatmap(&png, &values, n, &labels, &[2, 2], "h").is_err(), "groups must add up to n");
    assert!(heatmap(&dir.path().join("h.gif"), &values, n, &labels, &[], "h").is_err());
}

#[test]
fn plot_command_writes_all_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let net = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/golden/digits19/nets/1ls_032.npz");
    let out = dir.path().join("net.png");
    let o = Command::new(env!("CARGO_BIN_EXE_nnph"))
        .args(["plot", net.to_str().unwrap(), "--kind", "all", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for what in ["diagram", "barcode", "betti"] {
        let p = dir.path().join(format!("net-{what}.png"));
        assert!(std::fs::read(&p).unwrap().starts_with(b"\x89PNG"), "{what}");
    }
    let o = Command::new(env!("CARGO_BIN_EXE_nnph"))
        .args(["plot", net.to_str().unwrap(), "--out", dir.path().join("x.jpg").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".svg or .png"));
}
