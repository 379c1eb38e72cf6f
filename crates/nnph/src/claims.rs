//! The paper's claims as statistical tests, and the statistics of its control experiment.
//!
//! [`paper_claims`] tests, on the `R × 19 × 19` distance matrices of the paper's study
//! (Pérez-Fernández et al. 2021; reference-pipeline §5.2 for the 19 networks, §6 for the
//! claims), whether
//!
//! 1. the 8 copies of the base architecture ([`BASE_COPIES`](crate::stats::BASE_COPIES))
//!    are closer to each other than the other pairs are (claim 1);
//! 2. distance follows capacity: it is rank-correlated with the difference in the number
//!    of H1 points and of parameters, and grows away from the base along the layer-size and
//!    number-of-layers groups (claim 2);
//! 3. the 2-label network is the outlier, and distance from the base grows as the number of
//!    labels falls (claim 3);
//!
//! and how well the distances identify architectures and groups by leave-one-out
//! 1-nearest-neighbour classification. [`control_table2`] computes the paper's Table 2
//! statistic of the control experiment as the authors did, and corrected.
//!
//! `docs/reproduction.md` ("Statistical tests") describes every output column.

use std::ops::Range;

use crate::stats::{
    Alternative, BASE_COPIES, CorrelationTest, FarthestRank, Monotonicity, PAPER_GROUPS,
    PairSetTest, Summary, closer_pairs_test, farthest_rank, loo_1nn, mantel_spearman,
    monotone_from_base, pairs_among, summarize,
};

/// The number of random relabellings of every permutation test of `nnph experiment` (the
/// smallest p value is then `1 / 10 000`).
pub const PERMUTATIONS: usize = 9_999;

/// The seed of every permutation test of `nnph experiment` (fixed, so that the p values of
/// two runs differ only through their matrices).
pub const SEED: u64 = 0x6e6e_7068_7374_6174;

/// The layer-size group (widths 128, 256, 512, 1024) in capacity order; the base (512) is
/// at position 2.
pub const LAYER_SIZE_AXIS: [usize; 4] = [0, 1, 2, 3];

/// The number-of-layers group (2, 4, 6, 8, 10 layers of 512); the base (2) is at position 0.
pub const NUMBER_LAYERS_AXIS: [usize; 5] = [4, 5, 6, 7, 8];

/// The number-of-labels group (2, 4, 6, 8, 10 classes); the base (10) is at position 4.
pub const NUMBER_LABELS_AXIS: [usize; 5] = [14, 15, 16, 17, 18];

/// The network trained on two labels.
pub const TWO_LABELS: usize = 14;

/// The tests of the paper's claims on one metric's matrices (see [`paper_claims`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PaperClaims {
    /// Claim 1 on the mean matrix normalised by its maximum: the 28 pairs among the 8 base
    /// copies against the 143 other pairs.
    pub base_pairs: PairSetTest,
    /// Claim 1's p value on each repetition's matrix.
    pub base_pairs_p_per_rep: Vec<f64>,
    /// Claim 2: Mantel–Spearman correlation (one-sided, positive) of the mean distance with
    /// `|ΔH1 points|` over the 171 pairs.
    pub h1_points: CorrelationTest,
    /// Claim 2: the same with `|Δparameters|`.
    pub parameters: CorrelationTest,
    /// Claim 2: normalised distance from ls512 along [`LAYER_SIZE_AXIS`].
    pub layer_size: Monotonicity,
    /// Claim 2: normalised distance from nl2 along [`NUMBER_LAYERS_AXIS`].
    pub number_layers: Monotonicity,
    /// Claim 3: where the 2-label network's mean normalised distance to the others ranks.
    pub two_labels: FarthestRank,
    /// Claim 3: normalised distance from lab10 along [`NUMBER_LABELS_AXIS`] (distance
    /// should grow as the number of labels falls).
    pub number_labels: Monotonicity,
    /// Leave-one-out 1-NN on the mean matrix: the fraction of the 8 base copies whose
    /// nearest network is another base copy (chance 7/18).
    pub loo_base: f64,
    /// The same on each repetition's matrix.
    pub loo_base_per_rep: Vec<f64>,
    /// Leave-one-out 1-NN on the mean matrix with the paper's four groups as labels
    /// ([`PAPER_GROUPS`]), over all 19 networks.
    pub loo_group: f64,
    /// The same on each repetition's matrix.
    pub loo_group_per_rep: Vec<f64>,
}

/// The chance level of [`PaperClaims::loo_base`]: a base copy's nearest neighbour drawn
/// uniformly among the 18 others is a base copy with probability 7/18.
pub const LOO_BASE_CHANCE: f64 = 7.0 / 18.0;

/// The chance level of [`PaperClaims::loo_group`]: `Σ_g (n_g/19)·((n_g − 1)/18)` for the
/// group sizes 4, 5, 5, 5.
pub const LOO_GROUP_CHANCE: f64 = (4.0 * 3.0 + 3.0 * 5.0 * 4.0) / (19.0 * 18.0);

/// The mean of `reps` row-major `n × n` matrices stored one after another.
///
/// # Panics
///
/// If `reps == 0` or `values.len()` is not a multiple of `reps`.
pub fn mean_over_reps(values: &[f64], reps: usize) -> Vec<f64> {
    assert!(
        reps > 0 && values.len().is_multiple_of(reps),
        "{} values in {reps} matrices",
        values.len()
    );
    let n2 = values.len() / reps;
    (0..n2).map(|i| (0..reps).map(|r| values[r * n2 + i]).sum::<f64>() / reps as f64).collect()
}

/// `matrix` divided by its largest finite entry (unchanged if that is not positive), as
/// the paper's analysis scripts normalise.
pub fn normalised_by_max(matrix: &[f64]) -> Vec<f64> {
    let max = matrix.iter().copied().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { max } else { 1.0 };
    matrix.iter().map(|v| v / scale).collect()
}

/// The matrix `|x_i − x_j|` of a network property (`n = x.len()`).
pub fn abs_difference_matrix(x: &[f64]) -> Vec<f64> {
    x.iter().flat_map(|a| x.iter().map(move |b| (a - b).abs())).collect()
}

/// Tests the paper's claims 1–3 on one metric's `reps × 19 × 19` matrices (row-major,
/// repetitions one after another), given each network's number of H1 points and of
/// parameters (in batch order). The permutation tests use `permutations` relabellings
/// from `seed` ([`PERMUTATIONS`] and [`SEED`] in `nnph experiment`).
///
/// # Panics
///
/// If `matrices.len() != reps · 361`, `reps == 0`, or the property slices do not have 19
/// values.
pub fn paper_claims(
    matrices: &[f64],
    reps: usize,
    h1_points: &[f64],
    parameters: &[f64],
    permutations: usize,
    seed: u64,
) -> PaperClaims {
    const N: usize = 19;
    assert!(reps > 0 && matrices.len() == reps * N * N, "need {reps} matrices of 19 × 19");
    assert!(h1_points.len() == N && parameters.len() == N, "one property value per network");
    let mean = normalised_by_max(&mean_over_reps(matrices, reps));
    let rep = |r: usize| &matrices[r * N * N..(r + 1) * N * N];
    let base_set = pairs_among(&BASE_COPIES);
    let base_labels: Vec<usize> =
        (0..N).map(|i| usize::from(!BASE_COPIES.contains(&i)) * (i + 1)).collect();
    let group_labels = group_labels(&PAPER_GROUPS, N);
    let loo = |m: &[f64]| {
        (
            loo_1nn(m, N, &base_labels).accuracy_over(&BASE_COPIES),
            loo_1nn(m, N, &group_labels).accuracy(),
        )
    };
    let (loo_base, loo_group) = loo(&mean);
    let per_rep: Vec<(f64, f64)> = (0..reps).map(|r| loo(rep(r))).collect();
    PaperClaims {
        base_pairs: closer_pairs_test(&mean, N, &base_set, permutations, seed),
        base_pairs_p_per_rep: (0..reps)
            .map(|r| closer_pairs_test(rep(r), N, &base_set, permutations, seed).p_value)
            .collect(),
        h1_points: mantel_spearman(
            &mean,
            &abs_difference_matrix(h1_points),
            N,
            Alternative::Greater,
            permutations,
            seed,
        ),
        parameters: mantel_spearman(
            &mean,
            &abs_difference_matrix(parameters),
            N,
            Alternative::Greater,
            permutations,
            seed,
        ),
        layer_size: monotone_from_base(&mean, N, &LAYER_SIZE_AXIS, 2),
        number_layers: monotone_from_base(&mean, N, &NUMBER_LAYERS_AXIS, 0),
        two_labels: farthest_rank(&mean, N, TWO_LABELS),
        number_labels: monotone_from_base(&mean, N, &NUMBER_LABELS_AXIS, 4),
        loo_base,
        loo_base_per_rep: per_rep.iter().map(|l| l.0).collect(),
        loo_group,
        loo_group_per_rep: per_rep.iter().map(|l| l.1).collect(),
    }
}

/// The group index of each of `n` items (items outside every group get `groups.len()`).
fn group_labels(groups: &[Range<usize>], n: usize) -> Vec<usize> {
    (0..n).map(|i| groups.iter().position(|g| g.contains(&i)).unwrap_or(groups.len())).collect()
}

/// The largest entry of each diagonal block (consecutive blocks of the given sizes) of a
/// row-major `n × n` matrix, ignoring non-finite entries (0 for a block without finite
/// entries).
///
/// # Panics
///
/// If the sizes add up to more than `n` or `matrix.len() != n · n`.
pub fn block_max(matrix: &[f64], n: usize, sizes: &[usize]) -> Vec<f64> {
    assert_eq!(matrix.len(), n * n, "matrix must be n × n");
    assert!(sizes.iter().sum::<usize>() <= n, "blocks reach past n = {n}");
    let mut start = 0;
    sizes
        .iter()
        .map(|&s| {
            let block = start..start + s;
            start += s;
            block
                .clone()
                .flat_map(|i| block.clone().map(move |j| matrix[i * n + j]))
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max)
        })
        .collect()
}

/// The paper's Table 2 statistic (reference-pipeline §5.5), as computed and as intended.
#[derive(Clone, Debug, PartialEq)]
pub struct Table2 {
    /// The largest within-block distance of each block of the matrix averaged over the
    /// executions (`block_max[d]`).
    pub block_max: Vec<f64>,
    /// The mean self-norm of all networks in each execution (`auto[e]`).
    pub auto_per_execution: Vec<f64>,
    /// The mean self-norm of each block's networks over all executions.
    pub auto_per_block: Vec<f64>,
    /// As published: `v = |auto[k] − block_max[k]| / block_max[k]` for
    /// `k < min(blocks, executions)` — execution `k` paired with block `k` — each value
    /// repeated `block_size` times, as `draw_input_order.py` does (`np.repeat` and `zip`).
    pub published: Summary,
    /// Corrected: `v_d = |auto_per_block[d] − block_max[d]| / block_max[d]` over the blocks.
    pub corrected: Summary,
}

/// The paper's Table 2 statistic of a norm baseline, from the `executions × n` matrices
/// (`matrices`, zeros outside the diagonal blocks, as the paper writes them; they are
/// averaged over executions first) and the `executions × n` self-norms (`auto`), for
/// consecutive blocks of `block_size` networks.
///
/// The authors' `draw_input_order.py` computes `auto[e]` as the mean over *all* networks of
/// execution `e` (`np.mean(…, axis=1)`), repeats both lists 5 times and pairs them with
/// `zip`: their `k`-th value compares execution `k`'s mean self-norm with block `k`'s
/// largest distance — a mix-up of the execution and dataset indices, which made Table 2.
/// [`Table2::published`] reproduces it; [`Table2::corrected`] pairs each block with its
/// own networks' mean self-norm.
///
/// # Panics
///
/// If the shapes disagree or `block_size` does not divide `n`.
pub fn control_table2(
    matrices: &[f64],
    auto: &[f64],
    executions: usize,
    n: usize,
    block_size: usize,
) -> Table2 {
    assert!(executions > 0 && matrices.len() == executions * n * n, "matrix shape");
    assert_eq!(auto.len(), executions * n, "self-norm shape");
    assert!(block_size > 0 && n.is_multiple_of(block_size), "blocks of {block_size} in {n}");
    let blocks = n / block_size;
    let mean = mean_over_reps(matrices, executions);
    let block_max = block_max(&mean, n, &vec![block_size; blocks]);
    let auto_per_execution: Vec<f64> =
        (0..executions).map(|e| auto[e * n..(e + 1) * n].iter().sum::<f64>() / n as f64).collect();
    let auto_per_block: Vec<f64> = (0..blocks)
        .map(|d| {
            let sum: f64 = (0..executions)
                .flat_map(|e| auto[e * n + d * block_size..e * n + (d + 1) * block_size].iter())
                .sum();
            sum / (executions * block_size) as f64
        })
        .collect();
    let relative = |a: f64, m: f64| (a - m).abs() / m;
    let published: Vec<f64> = (0..blocks.min(executions))
        .flat_map(|k| {
            std::iter::repeat_n(relative(auto_per_execution[k], block_max[k]), block_size)
        })
        .collect();
    let corrected: Vec<f64> =
        (0..blocks).map(|d| relative(auto_per_block[d], block_max[d])).collect();
    Table2 {
        published: summarize(&published),
        corrected: summarize(&corrected),
        block_max,
        auto_per_execution,
        auto_per_block,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 19 × 19 matrix with the paper's structure: base copies close (1), everything else
    /// far and growing with an index-dependent "capacity", the 2-label net farthest.
    fn structured() -> (Vec<f64>, Vec<f64>) {
        let cap: Vec<f64> = (0..19)
            .map(|i| match i {
                0 => 0.25,
                1 => 0.5,
                3 => 2.0,
                5..=8 => (i - 3) as f64,
                14 => 0.2,
                15 => 0.4,
                16 => 0.6,
                17 => 0.8,
                _ => 1.0, // the base copies
            })
            .collect();
        let mut m = vec![0.0; 361];
        for i in 0..19 {
            for j in 0..19 {
                if i != j {
                    let base = BASE_COPIES.contains(&i) && BASE_COPIES.contains(&j);
                    let mut d = if base { 0.1 } else { 1.0 + 3.0 * (cap[i] - cap[j]).abs() };
                    if i == TWO_LABELS || j == TWO_LABELS {
                        d += 20.0;
                    }
                    m[i * 19 + j] = d + 0.001 * (i + j) as f64;
                }
            }
        }
        (m, cap)
    }

    #[test]
    fn claims_hold_on_a_matrix_built_to_satisfy_them() {
        let (m, cap) = structured();
        // Two repetitions: the matrix and a scaled copy.
        let mut two = m.clone();
        two.extend(m.iter().map(|v| 2.0 * v));
        let c = paper_claims(&two, 2, &cap, &cap, 999, 5);
        assert_eq!(c.base_pairs.p_value, 1.0 / 1000.0, "{:?}", c.base_pairs);
        assert!(c.base_pairs.ratio < 0.1);
        assert_eq!(c.base_pairs_p_per_rep, vec![1.0 / 1000.0; 2]);
        assert!(c.h1_points.rho > 0.5 && c.h1_points.p_value < 0.01, "{:?}", c.h1_points);
        assert!(c.layer_size.is_monotone() && c.layer_size.comparisons == 1);
        assert!(c.number_layers.is_monotone() && c.number_layers.comparisons == 6);
        assert!(c.number_labels.is_monotone() && c.number_labels.comparisons == 6);
        assert_eq!(c.two_labels.rank, 1);
        assert!((c.two_labels.p_value - 1.0 / 19.0).abs() < 1e-15);
        assert_eq!(c.loo_base, 1.0);
        assert_eq!(c.loo_base_per_rep, vec![1.0, 1.0]);
        // Normalised: the largest mean entry is 1.
        let max = c.layer_size.from_base.iter().map(|x| x.1).fold(0.0, f64::max);
        assert!(max <= 1.0);
        assert!((0.0..=1.0).contains(&c.loo_group));
    }

    #[test]
    fn chance_levels() {
        // Group sizes 4, 5, 5, 5: P(same group) for a uniformly random other network.
        let direct: f64 =
            [4.0, 5.0, 5.0, 5.0].iter().map(|g: &f64| g / 19.0 * (g - 1.0) / 18.0).sum();
        assert!((LOO_GROUP_CHANCE - direct).abs() < 1e-15);
        assert_eq!(group_labels(&PAPER_GROUPS, 19)[4..9], [1; 5]);
    }

    #[test]
    fn table2_as_published_pairs_execution_k_with_block_k() {
        // 2 executions, 3 blocks of 2 networks. Within-block distances: block d has 10·(d+1)
        // in execution 0 and 30·(d+1) in execution 1: mean 20·(d+1), so block_max = 20, 40, 60.
        let (e, n, b) = (2, 6, 2);
        let mut m = vec![0.0; e * n * n];
        for x in 0..e {
            for d in 0..3 {
                let v = if x == 0 { 10.0 } else { 30.0 } * (d + 1) as f64;
                let (i, j) = (2 * d, 2 * d + 1);
                m[x * n * n + i * n + j] = v;
                m[x * n * n + j * n + i] = v;
            }
        }
        // Self-norms: network i has 100 + i in execution 0 and 200 + i in execution 1.
        let auto: Vec<f64> =
            (0..e).flat_map(|x| (0..n).map(move |i| (100 * (x + 1) + i) as f64)).collect();
        let t = control_table2(&m, &auto, e, n, b);
        assert_eq!(t.block_max, vec![20.0, 40.0, 60.0]);
        assert_eq!(t.auto_per_execution, vec![102.5, 202.5]);
        assert_eq!(t.auto_per_block, vec![150.5, 152.5, 154.5]);
        // Published: k = 0, 1 only (min(3 blocks, 2 executions)): |102.5 − 20|/20 = 4.125,
        // |202.5 − 40|/40 = 4.0625.
        let p = t.published;
        assert_eq!((p.min, p.max), (4.0625, 4.125));
        assert!((p.mean - 4.09375).abs() < 1e-15 && (p.std - 0.03125).abs() < 1e-15);
        // Corrected: 6.525, 2.8125, 1.575.
        let c = t.corrected;
        assert!((c.max - 130.5 / 20.0).abs() < 1e-15 && (c.min - 94.5 / 60.0).abs() < 1e-15);
    }
}
