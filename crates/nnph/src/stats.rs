//! The summary statistics of the paper's analysis script (`draw_analyze.py`).

/// The paper's four experiment groups as index ranges of its 19-network batch:
/// layer size, number of layers, input order, number of labels.
pub const PAPER_GROUPS: [std::ops::Range<usize>; 4] = [0..4, 4..9, 9..14, 14..19];

/// Names of [`PAPER_GROUPS`].
pub const PAPER_GROUP_NAMES: [&str; 4] =
    ["layer size", "number layers", "input order", "number labels"];

/// Normalises `matrix` (n × n, row-major) by its maximum and returns, for each group,
/// the mean and population standard deviation of the strict upper triangle of the
/// group's diagonal block — the statistics of the paper's Table 3 and §5.6.
///
/// A group with no pair gives (NaN, NaN); an all-zero matrix is not normalised.
///
/// # Panics
///
/// If `matrix.len() != n * n` or a group reaches past `n`.
pub fn group_statistics(
    matrix: &[f64],
    n: usize,
    groups: &[std::ops::Range<usize>],
) -> Vec<(f64, f64)> {
    assert_eq!(matrix.len(), n * n, "matrix must be n × n");
    let max = matrix.iter().copied().fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { max } else { 1.0 };
    groups
        .iter()
        .map(|g| {
            assert!(g.end <= n, "group {g:?} reaches past n = {n}");
            let vals: Vec<f64> = g
                .clone()
                .flat_map(|i| (i + 1..g.end).map(move |j| (i, j)))
                .map(|(i, j)| matrix[i * n + j] / scale)
                .collect();
            if vals.is_empty() {
                return (f64::NAN, f64::NAN);
            }
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            let var = vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / vals.len() as f64;
            (mean, var.sqrt())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_hand_computed_matrix() {
        // 3 × 3, one group over all three: pairs (0,1)=2, (0,2)=4, (1,2)=4, max 4.
        let m = [0.0, 2.0, 4.0, 2.0, 0.0, 4.0, 4.0, 4.0, 0.0];
        let s = group_statistics(&m, 3, &[0..3, 1..2]);
        let mean = (0.5 + 1.0 + 1.0) / 3.0;
        assert!((s[0].0 - mean).abs() < 1e-15);
        let var = ((0.5f64 - mean).powi(2) + 2.0 * (1.0f64 - mean).powi(2)) / 3.0;
        assert!((s[0].1 - var.sqrt()).abs() < 1e-15);
        assert!(s[1].0.is_nan());
    }
}
