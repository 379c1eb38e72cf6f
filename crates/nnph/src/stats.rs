//! Statistics of distance matrices: the summary statistics of the paper's analysis script
//! (`draw_analyze.py`, [`group_statistics`]) and the tests the paper did not run.
//!
//! Every test here works on a symmetric `n × n` distance matrix stored row-major, whose
//! diagonal is ignored, and is deterministic: the permutations come from a seeded
//! generator ([`SplitMix64`]), so the same inputs and seed give the same p value on every
//! machine and thread count.
//!
//! * [`closer_pairs_test`]: are the pairs of a set `S` (e.g. the 28 pairs among the 8
//!   copies of the base architecture) closer than the other pairs? The null hypothesis is
//!   exchangeability of the networks: the matrix is relabelled (rows and columns permuted
//!   together), which keeps its structure as a distance matrix.
//! * [`spearman`], [`spearman_test`] and [`mantel_spearman`]: Spearman's rank correlation
//!   with average ranks for ties, and its permutation p value, for exchangeable observations
//!   or (Mantel's test) for two matrices over the same networks.
//! * [`loo_1nn`]: leave-one-out 1-nearest-neighbour classification.
//! * [`farthest_rank`] and [`monotone_from_base`]: where one network lies among the others.
//!
//! # p values
//!
//! A Monte-Carlo permutation p value is `p = (1 + #{T_perm as or more extreme than
//! T_obs}) / (1 + P)` for `P` random permutations (Phipson and Smyth 2010: this counts the
//! observed labelling as one of the permutations, so `p` is never 0 and the test is exact
//! in the sense that `Pr(p ≤ α) ≤ α` under the null). Its smallest value is `1 / (1 + P)`;
//! with `n` networks there are only `n!` relabellings (and fewer distinct values of the
//! statistic), which bounds how small an exact p can be.
//!
//! The statistics are computed so that relabellings that give the same multiset of values
//! give bit-identical statistics (sums of sorted values, or exact integer arithmetic on
//! ranks): ties with the observed value are never lost to rounding.

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

/// The indices of the 8 copies of the base architecture (2 × 512 hidden, all classes,
/// original data order) in the paper's batch of 19: layer size 512 (2), two layers (4),
/// the five input-order networks (9–13) and ten labels (18).
pub const BASE_COPIES: [usize; 8] = [2, 4, 9, 10, 11, 12, 13, 18];

/// The pairs `(i, j)`, `i < j`, of `items` (in the order of `items`), e.g. the 28 pairs of
/// [`BASE_COPIES`].
pub fn pairs_among(items: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (k, &a) in items.iter().enumerate() {
        for &b in &items[k + 1..] {
            out.push((a.min(b), a.max(b)));
        }
    }
    out
}

/// The pairs `(i, j)`, `i < j`, inside the diagonal blocks of consecutive groups of the
/// given sizes (e.g. `[5, 5, 5]`: the 30 pairs within three blocks of five).
pub fn pairs_within_blocks(sizes: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for &size in sizes {
        let items: Vec<usize> = (start..start + size).collect();
        out.extend(pairs_among(&items));
        start += size;
    }
    out
}

/// The block index of each of `sizes.iter().sum()` items in consecutive blocks of the given
/// sizes (labels for [`loo_1nn`]).
pub fn block_labels(sizes: &[usize]) -> Vec<usize> {
    sizes.iter().enumerate().flat_map(|(b, &size)| std::iter::repeat_n(b, size)).collect()
}

/// Minimum, maximum, mean and population standard deviation (ddof = 0, as NumPy's
/// `np.std`) of some values; all NaN for no values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The mean.
    pub mean: f64,
    /// The population standard deviation.
    pub std: f64,
}

/// The [`Summary`] of `values` (NaN values propagate into the mean and std; min and max
/// ignore them, as `f64::min`/`f64::max` do).
pub fn summarize(values: &[f64]) -> Summary {
    if values.is_empty() {
        return Summary { min: f64::NAN, max: f64::NAN, mean: f64::NAN, std: f64::NAN };
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    Summary {
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        mean,
        std: var.sqrt(),
    }
}

/// The pseudo-random generator of the permutation tests: Steele, Lea and Flood's
/// SplitMix64 (the seeding generator of `java.util.SplittableRandom` and of xoshiro),
/// which passes BigCrush and is fully determined by its 64-bit seed.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (rejection sampling: no modulo bias).
    ///
    /// # Panics
    ///
    /// If `bound == 0`.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "below(0)");
        // 2^64 mod bound values at the bottom are rejected, so the rest is a multiple of bound.
        let reject = bound.wrapping_neg() % bound;
        loop {
            let r = self.next_u64();
            if r >= reject {
                return r % bound;
            }
        }
    }

    /// Shuffles `items` uniformly (Fisher–Yates, last position first).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// Which deviation from the null hypothesis a test looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alternative {
    /// The statistic is smaller than under the null: `p` counts `T_perm ≤ T_obs`.
    Less,
    /// The statistic is larger than under the null: `p` counts `T_perm ≥ T_obs`.
    Greater,
    /// Either: `p` counts `|T_perm − E| ≥ |T_obs − E|`, `E` the statistic's mean under the
    /// null (0 for a correlation).
    TwoSided,
}

/// The result of [`closer_pairs_test`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairSetTest {
    /// Number of distinct pairs in the set `S`.
    pub pairs_in: usize,
    /// Number of the other pairs `i < j`.
    pub pairs_out: usize,
    /// Mean distance over the pairs of `S` (the test statistic).
    pub mean_in: f64,
    /// Mean distance over the other pairs.
    pub mean_out: f64,
    /// `mean_in / mean_out`.
    pub ratio: f64,
    /// The one-sided permutation p value for "the pairs of `S` are closer":
    /// `(1 + #{T_perm ≤ T_obs}) / (1 + P)`.
    pub p_value: f64,
    /// The number `P` of random relabellings.
    pub permutations: usize,
}

/// Upper-triangle value `(min(i, j), max(i, j))` of a row-major `n × n` matrix.
#[inline]
fn upper(matrix: &[f64], n: usize, i: usize, j: usize) -> f64 {
    let (a, b) = if i < j { (i, j) } else { (j, i) };
    matrix[a * n + b]
}

/// The sum of `values` after sorting them (so that equal multisets give equal sums).
fn sorted_sum(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    values.iter().sum()
}

/// Whether every strict-upper-triangle entry of the matrix is finite.
fn upper_finite(matrix: &[f64], n: usize) -> bool {
    (0..n).all(|i| (i + 1..n).all(|j| matrix[i * n + j].is_finite()))
}

/// Tests whether the pairs of `pairs` (the set `S`) are closer than the other pairs of a
/// symmetric `n × n` distance matrix.
///
/// The statistic is `T` = the mean distance over `S`. Since the sum over all pairs does not
/// change under relabelling, `T` orders relabellings exactly as `mean_in − mean_out` and
/// `mean_in / mean_out` do, so the test is the same for all three. Under the null hypothesis
/// the networks are exchangeable: a relabelling `π` (rows and columns permuted together)
/// gives `T_π` = the mean of `d(π(i), π(j))` over `(i, j)` in `S`. `P = permutations`
/// uniform random relabellings are drawn from [`SplitMix64::new(seed)`](SplitMix64) and
/// `p = (1 + #{T_π ≤ T_obs}) / (1 + P)`.
///
/// Only the strict upper triangle is read; pairs are unordered and duplicates count once.
/// If an upper-triangle entry is not finite, or `S` is empty, the means, ratio and p value
/// are NaN. With `P = 0` the p value is 1.
///
/// # Panics
///
/// If `matrix.len() != n * n` or a pair has `i == j` or an index `≥ n`.
pub fn closer_pairs_test(
    matrix: &[f64],
    n: usize,
    pairs: &[(usize, usize)],
    permutations: usize,
    seed: u64,
) -> PairSetTest {
    assert_eq!(matrix.len(), n * n, "matrix must be n × n");
    let mut set: Vec<(usize, usize)> = pairs
        .iter()
        .map(|&(i, j)| {
            assert!(i != j && i < n && j < n, "pair ({i}, {j}) is not a pair of {n} items");
            (i.min(j), i.max(j))
        })
        .collect();
    set.sort_unstable();
    set.dedup();
    let total_pairs = n * n.saturating_sub(1) / 2;
    let (pairs_in, pairs_out) = (set.len(), total_pairs - set.len());
    let nan = PairSetTest {
        pairs_in,
        pairs_out,
        mean_in: f64::NAN,
        mean_out: f64::NAN,
        ratio: f64::NAN,
        p_value: f64::NAN,
        permutations,
    };
    if set.is_empty() || !upper_finite(matrix, n) {
        return nan;
    }
    let mut buf = vec![0.0; set.len()];
    let statistic = |perm: &[usize], buf: &mut [f64]| {
        for (slot, &(i, j)) in buf.iter_mut().zip(&set) {
            *slot = upper(matrix, n, perm[i], perm[j]);
        }
        sorted_sum(buf)
    };
    let identity: Vec<usize> = (0..n).collect();
    let observed = statistic(&identity, &mut buf);
    let all: f64 =
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).map(|(i, j)| matrix[i * n + j]).sum();
    let mean_in = observed / pairs_in as f64;
    let mean_out = if pairs_out > 0 { (all - observed) / pairs_out as f64 } else { f64::NAN };
    let mut rng = SplitMix64::new(seed);
    let mut perm = identity;
    let mut count = 0usize;
    for _ in 0..permutations {
        rng.shuffle(&mut perm);
        if statistic(&perm, &mut buf) <= observed {
            count += 1;
        }
    }
    PairSetTest {
        mean_in,
        mean_out,
        ratio: mean_in / mean_out,
        p_value: (1 + count) as f64 / (1 + permutations) as f64,
        ..nan
    }
}

/// The ranks `1..=n` of `values`, tied values getting the mean of their ranks (the
/// "average" method of `scipy.stats.rankdata`). Values are ordered by
/// [`f64::total_cmp`]; NaN values are ranked last and never tie.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut k = 0;
    while k < order.len() {
        let mut m = k + 1;
        while m < order.len() && values[order[m]] == values[order[k]] {
            m += 1;
        }
        // Ranks k+1 ..= m share their mean, (k + 1 + m) / 2: a multiple of 1/2.
        let rank = (k + 1 + m) as f64 / 2.0;
        for &i in &order[k..m] {
            ranks[i] = rank;
        }
        k = m;
    }
    ranks
}

/// Spearman's rank correlation of `x` and `y` with average ranks for ties: the Pearson
/// correlation of their [`average_ranks`]. NaN if the lengths differ, there are fewer than
/// two values, a value is not finite, or one side is constant.
///
/// The ranks are multiples of 1/2, so the sums of products behind it are exact in `f64`
/// (for fewer than about 10⁵ values).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    match RankCorrelation::new(x, y) {
        Some(c) => c.rho(c.cross(&c.ry)),
        None => f64::NAN,
    }
}

/// The ranks of two samples and the pieces of their correlation that do not change under a
/// permutation of one of them.
struct RankCorrelation {
    rx: Vec<f64>,
    ry: Vec<f64>,
    /// `n · ((n + 1) / 2)²`, the product of the rank means times `n`.
    centre: f64,
    /// `sqrt(Σ (rx − mean)² · Σ (ry − mean)²)`.
    scale: f64,
}

impl RankCorrelation {
    fn new(x: &[f64], y: &[f64]) -> Option<Self> {
        let n = x.len();
        if n != y.len() || n < 2 || !x.iter().chain(y).all(|v| v.is_finite()) {
            return None;
        }
        let (rx, ry) = (average_ranks(x), average_ranks(y));
        let nf = n as f64;
        let centre = nf * (nf + 1.0) * (nf + 1.0) / 4.0;
        let sxx = rx.iter().map(|r| r * r).sum::<f64>() - centre;
        let syy = ry.iter().map(|r| r * r).sum::<f64>() - centre;
        if sxx <= 0.0 || syy <= 0.0 {
            return None;
        }
        Some(Self { rx, ry, centre, scale: (sxx * syy).sqrt() })
    }

    /// `Σ rx_i · ry'_i − centre`, exact: the centred cross product with `ry'` in place of
    /// `ry`.
    fn cross(&self, ry: &[f64]) -> f64 {
        self.rx.iter().zip(ry).map(|(a, b)| a * b).sum::<f64>() - self.centre
    }

    fn rho(&self, cross: f64) -> f64 {
        (cross / self.scale).clamp(-1.0, 1.0)
    }
}

/// A rank correlation and its permutation p value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CorrelationTest {
    /// Spearman's rho.
    pub rho: f64,
    /// `(1 + #{ρ_perm as or more extreme than ρ_obs}) / (1 + P)`, by the [`Alternative`].
    pub p_value: f64,
    /// The number `P` of random permutations.
    pub permutations: usize,
}

fn extreme(alternative: Alternative, perm: f64, observed: f64) -> bool {
    match alternative {
        Alternative::Less => perm <= observed,
        Alternative::Greater => perm >= observed,
        Alternative::TwoSided => perm.abs() >= observed.abs(),
    }
}

/// Spearman's rho of `x` and `y` ([`spearman`]) and its permutation p value, the null
/// hypothesis being that the observations are exchangeable: `y` is permuted against `x`
/// `permutations` times ([`SplitMix64::new(seed)`](SplitMix64)). The statistic compared is
/// the exact centred sum of rank products, so permutations that give the same pairing of
/// ranks give the same value. NaN rho and p in the cases where [`spearman`] is NaN.
///
/// Not for the pairs of a distance matrix, which are not exchangeable (a network takes
/// part in many pairs): use [`mantel_spearman`] there.
pub fn spearman_test(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    permutations: usize,
    seed: u64,
) -> CorrelationTest {
    let Some(c) = RankCorrelation::new(x, y) else {
        return CorrelationTest { rho: f64::NAN, p_value: f64::NAN, permutations };
    };
    let observed = c.cross(&c.ry);
    let mut ry = c.ry.clone();
    let mut rng = SplitMix64::new(seed);
    let mut count = 0usize;
    for _ in 0..permutations {
        rng.shuffle(&mut ry);
        if extreme(alternative, c.cross(&ry), observed) {
            count += 1;
        }
    }
    CorrelationTest {
        rho: c.rho(observed),
        p_value: (1 + count) as f64 / (1 + permutations) as f64,
        permutations,
    }
}

/// Mantel's test with Spearman's rho: the rank correlation of the strict upper triangles
/// (pairs `i < j` in row-major order) of two `n × n` matrices over the same `n` networks
/// (e.g. a distance matrix and the matrix of absolute differences of a network property),
/// with the null hypothesis that the networks are exchangeable: `b` is relabelled (rows
/// and columns permuted together) `permutations` times. p as in [`spearman_test`]. Only the
/// strict upper triangles are read.
///
/// # Panics
///
/// If `a` or `b` is not `n × n`.
pub fn mantel_spearman(
    a: &[f64],
    b: &[f64],
    n: usize,
    alternative: Alternative,
    permutations: usize,
    seed: u64,
) -> CorrelationTest {
    assert!(a.len() == n * n && b.len() == n * n, "matrices must be n × n");
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
    let xa: Vec<f64> = pairs.iter().map(|&(i, j)| a[i * n + j]).collect();
    let xb: Vec<f64> = pairs.iter().map(|&(i, j)| b[i * n + j]).collect();
    let Some(c) = RankCorrelation::new(&xa, &xb) else {
        return CorrelationTest { rho: f64::NAN, p_value: f64::NAN, permutations };
    };
    // The rank of b's pair (i, j), read from an n × n table.
    let mut rank_of = vec![0.0; n * n];
    for (k, &(i, j)) in pairs.iter().enumerate() {
        rank_of[i * n + j] = c.ry[k];
        rank_of[j * n + i] = c.ry[k];
    }
    let observed = c.cross(&c.ry);
    let mut rng = SplitMix64::new(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    let mut ry = vec![0.0; pairs.len()];
    let mut count = 0usize;
    for _ in 0..permutations {
        rng.shuffle(&mut perm);
        for (slot, &(i, j)) in ry.iter_mut().zip(&pairs) {
            *slot = rank_of[perm[i] * n + perm[j]];
        }
        if extreme(alternative, c.cross(&ry), observed) {
            count += 1;
        }
    }
    CorrelationTest {
        rho: c.rho(observed),
        p_value: (1 + count) as f64 / (1 + permutations) as f64,
        permutations,
    }
}

/// Leave-one-out 1-nearest-neighbour classification on a distance matrix (see
/// [`loo_1nn`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearestNeighbours {
    /// For each item, its nearest other item (`None` if every other distance is NaN or
    /// infinite).
    pub nearest: Vec<Option<usize>>,
    /// For each item, whether its nearest other item has its label (`false` without one).
    pub correct: Vec<bool>,
}

impl NearestNeighbours {
    /// The fraction of items classified correctly (NaN for no items).
    pub fn accuracy(&self) -> f64 {
        self.correct.iter().filter(|&&c| c).count() as f64 / self.correct.len() as f64
    }

    /// The fraction of `items` classified correctly (NaN for no items).
    ///
    /// # Panics
    ///
    /// If an item is out of range.
    pub fn accuracy_over(&self, items: &[usize]) -> f64 {
        items.iter().filter(|&&i| self.correct[i]).count() as f64 / items.len() as f64
    }
}

/// Leave-one-out 1-nearest-neighbour classification: each item is given the label of its
/// nearest other item, by row `i` of the row-major `n × n` matrix (the diagonal is never
/// used; non-finite entries are skipped).
///
/// Ties are broken deterministically: among equally near items the one with the smallest
/// index wins (this can favour or disfavour the right label; with continuous distances
/// exact ties are rare, but identical networks give them).
///
/// # Panics
///
/// If `matrix.len() != n * n` or `labels.len() != n`.
pub fn loo_1nn(matrix: &[f64], n: usize, labels: &[usize]) -> NearestNeighbours {
    assert_eq!(matrix.len(), n * n, "matrix must be n × n");
    assert_eq!(labels.len(), n, "one label per item");
    let nearest: Vec<Option<usize>> = (0..n)
        .map(|i| {
            let mut best: Option<(usize, f64)> = None;
            for j in (0..n).filter(|&j| j != i) {
                let d = matrix[i * n + j];
                if d.is_finite() && best.is_none_or(|(_, b)| d < b) {
                    best = Some((j, d));
                }
            }
            best.map(|(j, _)| j)
        })
        .collect();
    let correct = nearest
        .iter()
        .enumerate()
        .map(|(i, nn)| nn.is_some_and(|j| labels[j] == labels[i]))
        .collect();
    NearestNeighbours { nearest, correct }
}

/// Where one item's mean distance to the others ranks among all items' (see
/// [`farthest_rank`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FarthestRank {
    /// The item's mean distance to the `n − 1` others.
    pub mean: f64,
    /// Its rank among the `n` items' mean distances, 1 = the largest
    /// (`1 + #{items with a strictly larger mean}`).
    pub rank: usize,
    /// `mean` divided by the median of the other items' mean distances.
    pub ratio_to_median: f64,
    /// The exact permutation p value for "this item is the farthest from the others":
    /// `#{items whose mean is ≥ its mean} / n`. Under relabelling the item's mean is the
    /// mean of a uniformly random item, so this is exact, and never below `1/n`.
    pub p_value: f64,
}

/// How far item `item` is from the others: its mean distance (row `item` of the
/// row-major `n × n` matrix without the diagonal), its rank among all rows' means and the
/// exact permutation p value of "it is an outlier". NaN values if a row holds a
/// non-finite entry.
///
/// # Panics
///
/// If `matrix.len() != n * n`, `n < 2` or `item ≥ n`.
pub fn farthest_rank(matrix: &[f64], n: usize, item: usize) -> FarthestRank {
    assert_eq!(matrix.len(), n * n, "matrix must be n × n");
    assert!(n >= 2 && item < n, "item {item} of {n}");
    let means: Vec<f64> = (0..n)
        .map(|i| {
            let mut row: Vec<f64> = (0..n).filter(|&j| j != i).map(|j| matrix[i * n + j]).collect();
            sorted_sum(&mut row) / (n - 1) as f64
        })
        .collect();
    let mean = means[item];
    if means.iter().any(|m| !m.is_finite()) {
        return FarthestRank { mean, rank: 0, ratio_to_median: f64::NAN, p_value: f64::NAN };
    }
    let mut others: Vec<f64> =
        means.iter().enumerate().filter(|&(i, _)| i != item).map(|(_, &m)| m).collect();
    others.sort_unstable_by(f64::total_cmp);
    let k = others.len();
    let median = if k % 2 == 1 { others[k / 2] } else { (others[k / 2 - 1] + others[k / 2]) / 2.0 };
    FarthestRank {
        mean,
        rank: 1 + means.iter().filter(|&&m| m > mean).count(),
        ratio_to_median: mean / median,
        p_value: means.iter().filter(|&&m| m >= mean).count() as f64 / n as f64,
    }
}

/// Distances from a base item along an ordered axis (see [`monotone_from_base`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Monotonicity {
    /// `(item, distance from the base)` for every item of the axis but the base, in axis
    /// order.
    pub from_base: Vec<(usize, f64)>,
    /// The number of ordered comparisons: pairs of items on the same side of the base.
    pub comparisons: usize,
    /// How many of them fail: the item farther from the base along the axis is not strictly
    /// farther in distance.
    pub violations: usize,
}

impl Monotonicity {
    /// Whether the distance grows strictly with the position away from the base on both
    /// sides (no violation).
    pub fn is_monotone(&self) -> bool {
        self.violations == 0
    }
}

/// Checks that the distance from `axis[base]` grows along `axis` away from it, on each
/// side: for the paper's layer-size group `axis = [ls128, ls256, ls512, ls1024]` and
/// `base = 2` (ls512), the comparison is `d(ls512, ls256) < d(ls512, ls128)`; for the
/// number of layers `[nl2, nl4, …, nl10]`, `base = 0`, the six comparisons
/// `d(nl2, nl4) < d(nl2, nl6) < …`.
///
/// # Panics
///
/// If `matrix.len() != n * n`, `base ≥ axis.len()` or an item is out of range.
pub fn monotone_from_base(matrix: &[f64], n: usize, axis: &[usize], base: usize) -> Monotonicity {
    assert_eq!(matrix.len(), n * n, "matrix must be n × n");
    assert!(base < axis.len(), "base position {base} outside the axis");
    let b = axis[base];
    let d = |k: usize| matrix[b * n + axis[k]];
    let from_base = (0..axis.len()).filter(|&k| k != base).map(|k| (axis[k], d(k))).collect();
    let (mut comparisons, mut violations) = (0, 0);
    let sides: [Vec<usize>; 2] = [(0..base).rev().collect(), (base + 1..axis.len()).collect()];
    for side in &sides {
        for (x, &near) in side.iter().enumerate() {
            for &far in &side[x + 1..] {
                comparisons += 1;
                if d(far).partial_cmp(&d(near)) != Some(std::cmp::Ordering::Greater) {
                    violations += 1;
                }
            }
        }
    }
    Monotonicity { from_base, comparisons, violations }
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

    /// Every permutation of `0..n` (Heap's algorithm).
    fn all_permutations(n: usize) -> Vec<Vec<usize>> {
        fn heap(k: usize, a: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if k <= 1 {
                out.push(a.clone());
                return;
            }
            for i in 0..k - 1 {
                heap(k - 1, a, out);
                if k.is_multiple_of(2) { a.swap(i, k - 1) } else { a.swap(0, k - 1) }
            }
            heap(k - 1, a, out);
        }
        let mut out = Vec::new();
        heap(n, &mut (0..n).collect(), &mut out);
        out
    }

    /// A symmetric matrix with iid uniform off-diagonal entries.
    fn random_matrix(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let v = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                m[i * n + j] = v;
                m[j * n + i] = v;
            }
        }
        m
    }

    /// The exact permutation p of the closer-pairs test: the fraction of all n! relabellings
    /// whose mean over S is at most the observed one.
    fn exhaustive_closer_p(m: &[f64], n: usize, set: &[(usize, usize)]) -> f64 {
        let stat = |p: &[usize]| {
            let mut v: Vec<f64> = set.iter().map(|&(i, j)| upper(m, n, p[i], p[j])).collect();
            sorted_sum(&mut v)
        };
        let obs = stat(&(0..n).collect::<Vec<_>>());
        let perms = all_permutations(n);
        perms.iter().filter(|p| stat(p) <= obs).count() as f64 / perms.len() as f64
    }

    #[test]
    fn splitmix64_reference_values_and_uniform_shuffles() {
        // The first outputs for seed 0 (Vigna's reference splitmix64.c).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        // Shuffles of 3 items: all 6 orders, each about 1/6 of 60,000.
        let mut counts = std::collections::HashMap::new();
        let mut r = SplitMix64::new(7);
        for _ in 0..60_000 {
            let mut v = [0, 1, 2];
            r.shuffle(&mut v);
            *counts.entry(v).or_insert(0usize) += 1;
        }
        assert_eq!(counts.len(), 6);
        assert!(counts.values().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
        assert!((0..1000).all(|_| r.below(3) < 3));
    }

    #[test]
    fn closer_pairs_hand_computed() {
        // 4 items, S = {(0, 1)} with d = 1; the other pairs 2, 3, 4, 5, 6. A relabelling sends
        // (0, 1) to each of the 6 pairs equally often: the exact p is 1/6.
        let mut m = vec![0.0; 16];
        for (&(i, j), v) in [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)].iter().zip(1..) {
            m[i * 4 + j] = f64::from(v);
            m[j * 4 + i] = f64::from(v);
        }
        assert!((exhaustive_closer_p(&m, 4, &[(0, 1)]) - 1.0 / 6.0).abs() < 1e-15);
        let t = closer_pairs_test(&m, 4, &[(1, 0), (0, 1)], 20_000, 1);
        assert_eq!((t.pairs_in, t.pairs_out), (1, 5));
        assert_eq!(t.mean_in, 1.0);
        assert_eq!(t.mean_out, 4.0);
        assert_eq!(t.ratio, 0.25);
        assert!((t.p_value - 1.0 / 6.0).abs() < 0.01, "{t:?}");
        // The same seed gives the same p; P = 0 gives 1.
        assert_eq!(t, closer_pairs_test(&m, 4, &[(0, 1)], 20_000, 1));
        assert_eq!(closer_pairs_test(&m, 4, &[(0, 1)], 0, 1).p_value, 1.0);
        // A constant matrix: every relabelling ties with the observed value.
        let c: Vec<f64> = (0..16).map(|k| if k % 5 == 0 { 0.0 } else { 2.0 }).collect();
        assert_eq!(closer_pairs_test(&c, 4, &[(0, 1), (2, 3)], 99, 3).p_value, 1.0);
        // Non-finite entries: NaN, no panic.
        let mut bad = m.clone();
        bad[2 * 4 + 3] = f64::NAN;
        assert!(closer_pairs_test(&bad, 4, &[(0, 1)], 9, 1).p_value.is_nan());
    }

    #[test]
    fn closer_pairs_monte_carlo_agrees_with_all_permutations() {
        for seed in 0..4 {
            let n = 6;
            let m = random_matrix(n, 100 + seed);
            let set = pairs_among(&[0, 2, 3]);
            let exact = exhaustive_closer_p(&m, n, &set);
            let mc = closer_pairs_test(&m, n, &set, 20_000, seed).p_value;
            // Binomial standard error at most 0.0036.
            assert!((exact - mc).abs() < 0.015, "seed {seed}: exact {exact}, Monte Carlo {mc}");
        }
    }

    #[test]
    fn block_structure_is_found_and_noise_is_not() {
        // Three blocks of six: near within (1 + noise), far between (10 + noise).
        let sizes = [6, 6, 6];
        let n = 18;
        let labels = block_labels(&sizes);
        let noise = random_matrix(n, 5);
        let m: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if i == j {
                    0.0
                } else if labels[i] == labels[j] {
                    1.0 + noise[k]
                } else {
                    10.0 + noise[k]
                }
            })
            .collect();
        let within = pairs_within_blocks(&sizes);
        assert_eq!(within.len(), 45);
        let t = closer_pairs_test(&m, n, &within, 999, 11);
        assert_eq!(t.p_value, 1.0 / 1000.0, "{t:?}");
        assert!(t.ratio < 0.2);
        let nn = loo_1nn(&m, n, &labels);
        assert_eq!(nn.accuracy(), 1.0);

        // Pure noise: not significant, and p values roughly uniform over seeds.
        let t = closer_pairs_test(&noise, n, &within, 999, 11);
        assert!(t.p_value > 0.05, "{t:?}");
        let ps: Vec<f64> = (0..40)
            .map(|s| closer_pairs_test(&random_matrix(n, 1000 + s), n, &within, 199, s).p_value)
            .collect();
        let mean = ps.iter().sum::<f64>() / ps.len() as f64;
        assert!((0.35..0.65).contains(&mean), "{ps:?}");
        assert!(ps.iter().filter(|&&p| p < 0.05).count() <= 6, "{ps:?}");
    }

    #[test]
    fn ranks_and_spearman_hand_computed() {
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 30.0]), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(average_ranks(&[3.0, 1.0, 2.0, 1.0, 1.0]), vec![5.0, 2.0, 4.0, 2.0, 2.0]);
        // y ranks 1, 2, 3.5, 5, 3.5: rho = 8 / sqrt(10 · 9.5) (scipy: 0.8207826816681233).
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]);
        assert!((rho - 8.0 / 95f64.sqrt()).abs() < 1e-15, "{rho}");
        assert!((rho - 0.820_782_681_668_123_3).abs() < 1e-15);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0);
        assert!(spearman(&[1.0, 2.0], &[1.0, 1.0]).is_nan());
        assert!(spearman(&[1.0, f64::NAN], &[1.0, 2.0]).is_nan());
        assert!(spearman(&[1.0], &[1.0]).is_nan());
    }

    #[test]
    fn spearman_monte_carlo_agrees_with_all_permutations() {
        let x = [0.3, 1.2, 0.7, 2.5, 2.5, 0.1];
        let y = [1.0, 2.0, 2.0, 4.0, 3.0, 0.5];
        let rho = spearman(&x, &y);
        let perms = all_permutations(6);
        for alt in [Alternative::Greater, Alternative::Less, Alternative::TwoSided] {
            let hits = perms
                .iter()
                .filter(|p| {
                    let yp: Vec<f64> = p.iter().map(|&k| y[k]).collect();
                    let r = spearman(&x, &yp);
                    match alt {
                        Alternative::Greater => r >= rho - 1e-12,
                        Alternative::Less => r <= rho + 1e-12,
                        Alternative::TwoSided => r.abs() >= rho.abs() - 1e-12,
                    }
                })
                .count();
            let exact = hits as f64 / perms.len() as f64;
            let t = spearman_test(&x, &y, alt, 20_000, 9);
            assert_eq!(t.rho, rho);
            assert!((t.p_value - exact).abs() < 0.015, "{alt:?}: exact {exact}, {t:?}");
        }
    }

    #[test]
    fn mantel_test_against_all_relabellings() {
        let n = 5;
        let a = random_matrix(n, 21);
        // b: a monotone function of a plus noise, and a matrix with ties (a property difference).
        let noise = random_matrix(n, 22);
        let b: Vec<f64> = a.iter().zip(&noise).map(|(x, e)| x + 0.5 * e).collect();
        let prop = [1.0_f64, 1.0, 3.0, 4.0, 8.0];
        let c: Vec<f64> = (0..n * n).map(|k| (prop[k / n] - prop[k % n]).abs()).collect();
        for other in [&b, &c] {
            let upper_of = |m: &[f64], p: &[usize]| -> Vec<f64> {
                (0..n)
                    .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                    .map(|(i, j)| m[p[i] * n + p[j]])
                    .collect()
            };
            let id: Vec<usize> = (0..n).collect();
            let rho = spearman(&upper_of(&a, &id), &upper_of(other, &id));
            let perms = all_permutations(n);
            let hits = perms
                .iter()
                .filter(|p| spearman(&upper_of(&a, &id), &upper_of(other, p)) >= rho - 1e-12)
                .count();
            let exact = hits as f64 / perms.len() as f64;
            let t = mantel_spearman(&a, other, n, Alternative::Greater, 20_000, 4);
            assert_eq!(t.rho, rho);
            assert!((t.p_value - exact).abs() < 0.015, "exact {exact}, {t:?}");
        }
        // A matrix against itself: rho 1, and only relabellings that keep the ranks tie.
        let t = mantel_spearman(&a, &a, n, Alternative::Greater, 999, 1);
        assert_eq!(t.rho, 1.0);
        assert!(t.p_value < 0.02, "{t:?}");
    }

    #[test]
    fn nearest_neighbours_with_ties_and_gaps() {
        // 0 is equally near 1 and 2 (ties go to the smaller index, 1); 3 only sees NaN and
        // infinity except for 2.
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        #[rustfmt::skip]
        let m = [
            0.0, 1.0, 1.0, nan,
            1.0, 0.0, 2.0, inf,
            1.0, 2.0, 0.0, 5.0,
            nan, inf, 5.0, 0.0,
        ];
        let nn = loo_1nn(&m, 4, &[0, 1, 0, 0]);
        assert_eq!(nn.nearest, vec![Some(1), Some(0), Some(0), Some(2)]);
        assert_eq!(nn.correct, vec![false, false, true, true]);
        assert_eq!(nn.accuracy(), 0.5);
        assert_eq!(nn.accuracy_over(&[2, 3]), 1.0);
        let lonely = [0.0, nan, nan, 0.0];
        assert_eq!(loo_1nn(&lonely, 2, &[0, 0]).nearest, vec![None, None]);
    }

    #[test]
    fn farthest_rank_and_monotonicity_hand_computed() {
        // Row means: item 0: (4+5+6)/3 = 5, item 1: (4+1+2)/3 = 7/3, item 2: (5+1+3)/3 = 3,
        // item 3: (6+2+3)/3 = 11/3.
        #[rustfmt::skip]
        let m = [
            0.0, 4.0, 5.0, 6.0,
            4.0, 0.0, 1.0, 2.0,
            5.0, 1.0, 0.0, 3.0,
            6.0, 2.0, 3.0, 0.0,
        ];
        let f = farthest_rank(&m, 4, 0);
        assert_eq!((f.mean, f.rank, f.p_value), (5.0, 1, 0.25));
        assert!((f.ratio_to_median - 5.0 / 3.0).abs() < 1e-15);
        let f = farthest_rank(&m, 4, 2);
        assert_eq!((f.rank, f.p_value), (3, 0.75));

        // Axis [3, 2, 1, 0] with base position 1 (item 2): left side item 3 alone, right side
        // items 1 then 0 with d(2,1) = 1 < d(2,0) = 5: monotone.
        let mono = monotone_from_base(&m, 4, &[3, 2, 1, 0], 1);
        assert_eq!(mono.from_base, vec![(3, 3.0), (1, 1.0), (0, 5.0)]);
        assert_eq!((mono.comparisons, mono.violations), (1, 0));
        assert!(mono.is_monotone());
        // Base item 0 at position 0: d(0,1)=4, d(0,2)=5, d(0,3)=6 along [0,1,2,3]; reversed
        // axis [0,3,2,1]: 6 > 5 > 4, three violations.
        assert_eq!(monotone_from_base(&m, 4, &[0, 1, 2, 3], 0).violations, 0);
        let rev = monotone_from_base(&m, 4, &[0, 3, 2, 1], 0);
        assert_eq!((rev.comparisons, rev.violations), (3, 3));
    }

    #[test]
    fn summaries_and_pair_helpers() {
        let s = summarize(&[1.0, 2.0, 3.0, 6.0]);
        assert_eq!((s.min, s.max, s.mean), (1.0, 6.0, 3.0));
        assert!((s.std - 3.5f64.sqrt()).abs() < 1e-15);
        assert!(summarize(&[]).mean.is_nan());
        assert_eq!(pairs_among(&BASE_COPIES).len(), 28);
        assert_eq!(pairs_among(&[3, 1]), vec![(1, 3)]);
        assert_eq!(pairs_within_blocks(&[2, 3]), vec![(0, 1), (2, 3), (2, 4), (3, 4)]);
        assert_eq!(block_labels(&[2, 1]), vec![0, 0, 1]);
    }
}
