//! What `nnph experiment paper` and `nnph experiment control` add to the paper's outputs:
//! the principled distance modes and the tests of the paper's claims.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use nnph::claims::{self, PaperClaims};
use nnph::distance::{DiagramBatch, GridMode, Metric, MetricOptions, Par};

/// The paper's three metrics in the authors' file order, with the paper's settings
/// (giotto-tda's per-pair, batch-dependent grids, 200 bins).
pub(super) fn paper_metrics() -> Vec<MetricOptions> {
    [Metric::HEAT, Metric::SILHOUETTE, Metric::LANDSCAPE]
        .into_iter()
        .map(MetricOptions::paper)
        .collect()
}

/// The principled modes (reference-pipeline §7.2–7.4): heat of the normalised point
/// measures, silhouette and landscape, all on the fixed grid [0, 1] (every filtration value
/// lies there, so no point is clipped and the grid does not depend on the pair or the
/// batch), and the exact bottleneck distance.
///
/// With `wasserstein`, also the exact 2-Wasserstein distance (`L∞` ground metric): the
/// paper's diagrams lie on lines (H0 `(0, d)`, capped H1 `(b, 1)`), where the exact solver
/// certifies a banded proposal by LP duality (about 0.7 s for two 666,855-point base
/// networks, 2 minutes for the 171 pairs of a repetition on 2 cores), so it is opt-in.
pub(super) fn principled_metrics(wasserstein: bool) -> Vec<MetricOptions> {
    let fixed = GridMode::Fixed { lo: 0.0, hi: 1.0 };
    vec![
        MetricOptions::paper(Metric::HEAT_DENSITY).with_grid(fixed),
        MetricOptions::paper(Metric::SILHOUETTE).with_grid(fixed),
        MetricOptions::paper(Metric::LANDSCAPE).with_grid(fixed),
        MetricOptions::paper(Metric::Bottleneck { delta: 0.0 }),
    ]
    .into_iter()
    .chain(wasserstein.then(|| MetricOptions::paper(Metric::Wasserstein { q: 2.0, delta: 0.0 })))
    .collect()
}

/// The pairwise matrix of `batch` for each of `metrics`, appended to `out[k]`.
pub(super) fn append_matrices(
    batch: &DiagramBatch,
    metrics: &[MetricOptions],
    out: &mut [Vec<f64>],
) -> Result<()> {
    for (k, opts) in metrics.iter().enumerate() {
        let m = nnph::distance::pairwise(batch, opts, Par::Rayon)?;
        out[k].extend_from_slice(&m.values);
    }
    Ok(())
}

/// Writes `values` (`reps × n × n`) as `<dir>/<name>_distance_matrices.npy` and the mean
/// over repetitions as `<dir>/<name>.svg` and `.png` with group separators.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_matrices(
    dir: &Path,
    name: &str,
    reps: usize,
    n: usize,
    values: &[f64],
    labels: &[String],
    groups: &[usize],
    title: &str,
) -> Result<()> {
    nnph::io::write_atomic(&dir.join(format!("{name}_distance_matrices.npy")), |w| {
        nnph::network::npy::write_npy_f64(w, &[reps, n, n], values)?;
        Ok(())
    })?;
    let mean = claims::mean_over_reps(values, reps);
    for ext in ["svg", "png"] {
        nnph::plot::heatmap(&dir.join(format!("{name}.{ext}")), &mean, n, labels, groups, title)?;
    }
    Ok(())
}

/// One metric's matrices for the claim tests.
pub(super) struct Tested<'a> {
    /// `paper` or `principled`.
    pub(super) mode: &'static str,
    /// The metric's name.
    pub(super) metric: &'static str,
    /// `reps × 19 × 19`.
    pub(super) values: &'a [f64],
}

/// The header of `claims.csv` (documented in docs/reproduction.md, "Statistical tests").
const CLAIMS_HEADER: &str = "mode,metric,c1_base_mean,c1_other_mean,c1_ratio,c1_p,c1_p_per_rep,\
c2_h1_rho,c2_h1_p,c2_params_rho,c2_params_p,c2_width_from_base,c2_width_violations,\
c2_depth_from_base,c2_depth_violations,c3_lab2_mean,c3_lab2_rank,c3_lab2_ratio,c3_lab2_p,\
c3_labels_from_base,c3_labels_violations,loo_base,loo_base_per_rep,loo_group,loo_group_per_rep\n";

/// Tests the claims for every metric, writes `claims.csv` into `dir` and returns the
/// printed table.
pub(super) fn write_claims(
    dir: &Path,
    tested: &[Tested<'_>],
    reps: usize,
    h1_points: &[f64],
    parameters: &[f64],
    names: &[String],
) -> Result<String> {
    let mut csv = String::from(CLAIMS_HEADER);
    let mut table = format!(
        "  claims (mean matrix over {reps} repetition(s), normalised by its maximum; \
         one-sided p values from {} relabellings):\n    {:<11} {:<13} {:>10} {:>7} {:>7} {:>7} \
         {:>5} {:>5} {:>9} {:>7} {:>6} {:>8} {:>9}\n",
        claims::PERMUTATIONS,
        "mode",
        "metric",
        "base/other",
        "p(c1)",
        "ρ(ΔH1)",
        "p",
        "width",
        "depth",
        "lab2 rank",
        "p",
        "labels",
        "LOO base",
        "LOO group"
    );
    let join = |v: &[f64]| v.iter().map(|p| format!("{p:.4}")).collect::<Vec<_>>().join(";");
    let from_base = |m: &nnph::stats::Monotonicity| {
        m.from_base
            .iter()
            .map(|&(i, d)| format!("{}:{d:.4}", short(&names[i])))
            .collect::<Vec<_>>()
            .join(";")
    };
    let ok = |m: &nnph::stats::Monotonicity| format!("{}/{}", m.violations, m.comparisons);
    for t in tested {
        let c: PaperClaims = claims::paper_claims(
            t.values,
            reps,
            h1_points,
            parameters,
            claims::PERMUTATIONS,
            claims::SEED,
        );
        let b = &c.base_pairs;
        writeln!(
            csv,
            "{},{},{:.6},{:.6},{:.6},{:.6},{},{:.6},{:.6},{:.6},{:.6},{},{},{},{},{:.6},{},{:.6},{:.6},{},{},{:.4},{},{:.4},{}",
            t.mode,
            t.metric,
            b.mean_in,
            b.mean_out,
            b.ratio,
            b.p_value,
            join(&c.base_pairs_p_per_rep),
            c.h1_points.rho,
            c.h1_points.p_value,
            c.parameters.rho,
            c.parameters.p_value,
            from_base(&c.layer_size),
            ok(&c.layer_size),
            from_base(&c.number_layers),
            ok(&c.number_layers),
            c.two_labels.mean,
            c.two_labels.rank,
            c.two_labels.ratio_to_median,
            c.two_labels.p_value,
            from_base(&c.number_labels),
            ok(&c.number_labels),
            c.loo_base,
            join(&c.loo_base_per_rep),
            c.loo_group,
            join(&c.loo_group_per_rep),
        )?;
        writeln!(
            table,
            "    {:<11} {:<13} {:>10.3} {:>7.4} {:>7.3} {:>7.4} {:>5} {:>5} {:>9} {:>7.4} {:>6} \
             {:>8.3} {:>9.3}",
            t.mode,
            t.metric,
            b.ratio,
            b.p_value,
            c.h1_points.rho,
            c.h1_points.p_value,
            ok(&c.layer_size),
            ok(&c.number_layers),
            format!("{}/19", c.two_labels.rank),
            c.two_labels.p_value,
            ok(&c.number_labels),
            c.loo_base,
            c.loo_group,
        )?;
    }
    write!(
        table,
        "    (width, depth, labels: violations of 'distance grows away from the base' / \
         comparisons; LOO chance: base {:.3}, group {:.3})",
        claims::LOO_BASE_CHANCE,
        claims::LOO_GROUP_CHANCE
    )?;
    nnph::io::write_atomic(&dir.join("claims.csv"), |w| Ok(w.write_all(csv.as_bytes())?))?;
    Ok(table)
}

/// `ls128` from the file stem `00_ls128`.
fn short(stem: &str) -> &str {
    stem.split_once('_').map_or(stem, |(_, s)| s)
}
