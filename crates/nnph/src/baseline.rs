//! The paper's baselines: norms of the difference of two networks' weighted adjacency
//! matrices (Pérez-Fernández et al. 2021, Table 2 and Fig. 2; reference-pipeline §5.4).
//!
//! The authors' control script builds, for each network, the dense igraph adjacency matrix
//! of its graph (`get_adjacency(attribute='weight')`): `A[s][t]` = the value of the edge
//! `s → t` of the paper's graph (`1 − |w|/max|w|`, clamped at ζ; see
//! [`nnph_network::graph`]), 0 where there is no edge, vertices in the graph's order (the
//! inputs, then each layer's neurons followed by its bias vertices). For two networks it
//! computes `np.linalg.norm(A − B, 'fro')` and `np.linalg.norm(A − B, 1)`, NumPy's
//! **induced** 1-norm: the largest absolute column sum `max_t Σ_s |A[s][t] − B[s][t]|`
//! (not the entrywise sum), and each network's own norms ("autodistances").
//!
//! [`Adjacency`] holds the same matrix sparsely (one entry per edge, `O(|E|)` memory
//! instead of `|V|²`), and [`norm_distances`] computes both norms of a difference in one
//! merge of the two sorted entry lists. Entries are the graph's `f32` values widened to
//! `f64`, and the differences are taken in `f64`, as NumPy does on the float64 array it
//! builds from igraph's lists; only the summation order differs from NumPy's (pairwise
//! summation), a relative difference of order 1e-15.
//!
//! These norms compare matrices entry by entry, so they are not invariant to a
//! permutation of the hidden neurons: two networks that compute the same function with
//! their hidden units in another order are far apart. That is why they "fail" the control
//! experiment; they are also only defined between graphs with the same vertex count.
//!
//! ```
//! use ndarray::array;
//! use nnph::baseline::{Adjacency, norm_distances};
//! use nnph::network::{GraphOptions, Network};
//!
//! let a = Network::try_dense(vec![("0".into(), array![[0.5_f32, -1.0]], None)])?;
//! let b = Network::try_dense(vec![("0".into(), array![[1.0_f32, 0.25]], None)])?;
//! let (a, b) = (
//!     Adjacency::from_network(&a, &GraphOptions::default())?,
//!     Adjacency::from_network(&b, &GraphOptions::default())?,
//! );
//! // a: 0 → 1 with 1 − 0.5/1 = 0.5, and 2 → 0 with ζ (w = −1 points backward);
//! // b: 0 → 1 with ζ, 0 → 2 with 0.75.
//! let d = norm_distances(&a, &b)?;
//! let z = 1e-6_f32 as f64;
//! let fro = ((0.5 - z) * (0.5 - z) + z * z + 0.75 * 0.75).sqrt();
//! assert!((d.frobenius - fro).abs() < 1e-12);
//! // Column sums: column 0 has ζ, column 1 has 0.5 − ζ, column 2 has 0.75.
//! assert!((d.one - 0.75).abs() < 1e-12);
//! assert!((a.one_norm() - 0.5).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use anyhow::{Result, bail};
use nnph_network::{GraphOptions, Network, graph::NetworkGraph};

/// A network's weighted adjacency matrix, stored sparsely: `(row · |V| + column, value)`
/// for every edge, sorted by position.
#[derive(Clone, Debug, PartialEq)]
pub struct Adjacency {
    vertices: usize,
    entries: Vec<(u64, f64)>,
}

impl Adjacency {
    /// The adjacency matrix of a graph: `A[s][t]` = the value of edge `s → t`. If a graph
    /// had several edges `s → t`, the last one would win, as in igraph's
    /// `get_adjacency(attribute=…)` (the paper's graphs have at most one).
    pub fn from_graph(graph: &NetworkGraph) -> Self {
        let vertices = graph.node_count();
        let v = vertices as u64;
        let mut entries: Vec<(u64, f64)> = graph
            .raw_edges()
            .iter()
            .map(|e| {
                (e.source().index() as u64 * v + e.target().index() as u64, f64::from(e.weight))
            })
            .collect();
        // Stable, so equal positions keep edge order; keep the last of each run.
        entries.sort_by_key(|&(k, _)| k);
        let mut out: Vec<(u64, f64)> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => out.push(e),
            }
        }
        Self { vertices, entries: out }
    }

    /// The adjacency matrix of a network's graph ([`Network::to_graph`]).
    ///
    /// # Errors
    ///
    /// As [`Network::to_graph`].
    pub fn from_network(network: &Network, opts: &GraphOptions) -> Result<Self> {
        Ok(Self::from_graph(&network.to_graph(opts)?))
    }

    /// The number of vertices (the matrix is `vertices × vertices`).
    pub fn vertices(&self) -> usize {
        self.vertices
    }

    /// The number of stored (edge) entries.
    pub fn entries(&self) -> usize {
        self.entries.len()
    }

    /// `‖A‖_F`, the paper's Frobenius "autodistance".
    pub fn frobenius(&self) -> f64 {
        self.entries.iter().map(|&(_, a)| a * a).sum::<f64>().sqrt()
    }

    /// `‖A‖_1` = the largest absolute column sum, the paper's 1-norm "autodistance".
    pub fn one_norm(&self) -> f64 {
        let mut columns = vec![0.0; self.vertices];
        let v = self.vertices.max(1) as u64;
        for &(k, a) in &self.entries {
            columns[(k % v) as usize] += a.abs();
        }
        columns.into_iter().fold(0.0, f64::max)
    }
}

/// The two norms of a difference of adjacency matrices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormDistances {
    /// `‖A − B‖_F` (`np.linalg.norm(A − B, 'fro')`).
    pub frobenius: f64,
    /// `‖A − B‖_1` = `max_t Σ_s |A[s][t] − B[s][t]|` (`np.linalg.norm(A − B, 1)`).
    pub one: f64,
}

/// `‖A − B‖_F` and the induced `‖A − B‖_1` in one pass over the union of the two sparsity
/// patterns.
///
/// # Errors
///
/// If the matrices have different sizes (NumPy would refuse to subtract them).
pub fn norm_distances(a: &Adjacency, b: &Adjacency) -> Result<NormDistances> {
    if a.vertices != b.vertices {
        bail!(
            "adjacency matrices of {} and {} vertices cannot be subtracted",
            a.vertices,
            b.vertices
        );
    }
    let v = a.vertices.max(1) as u64;
    let mut columns = vec![0.0; a.vertices];
    let mut squares = 0.0;
    let mut add = |k: u64, d: f64| {
        squares += d * d;
        columns[(k % v) as usize] += d.abs();
    };
    let (mut i, mut j) = (0, 0);
    let (x, y) = (&a.entries, &b.entries);
    while i < x.len() || j < y.len() {
        match (x.get(i), y.get(j)) {
            (Some(&(ka, va)), Some(&(kb, vb))) if ka == kb => {
                add(ka, va - vb);
                i += 1;
                j += 1;
            }
            (Some(&(ka, va)), Some(&(kb, _))) if ka < kb => {
                add(ka, va);
                i += 1;
            }
            (Some(&(ka, va)), None) => {
                add(ka, va);
                i += 1;
            }
            (_, Some(&(kb, vb))) => {
                add(kb, -vb);
                j += 1;
            }
            (None, None) => unreachable!("loop condition"),
        }
    }
    Ok(NormDistances { frobenius: squares.sqrt(), one: columns.into_iter().fold(0.0, f64::max) })
}

#[cfg(test)]
mod tests {
    use ndarray::{Array1, Array2};

    use super::*;

    /// A small chain network with deterministic pseudo-random parameters, some exactly 0.
    fn net(sizes: &[usize], seed: u64) -> Network {
        let mut rng = crate::stats::SplitMix64::new(seed);
        let mut value = || {
            let r = rng.below(9) as f32;
            (r - 4.0) / 4.0 // -1, -0.75, …, 1 (0 included)
        };
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                let weight = Array2::from_shape_fn((w[0], w[1]), |_| value());
                let bias = Array1::from_shape_fn(w[1], |_| value());
                (k.to_string(), weight, Some(bias))
            })
            .collect();
        Network::try_dense(layers).unwrap()
    }

    /// The paper's dense adjacency matrix built straight from the weights (§1.3–1.4), not
    /// from the graph code: vertices n_0_*, then per layer n_L_* and b_L_*; edge value
    /// max(1 − |w|/M, ζ) in f32, forward if w > 0, else backward.
    fn dense(net: &Network) -> (usize, Vec<f64>) {
        let sizes = net.layer_sizes();
        let v = sizes[0] + 2 * sizes[1..].iter().sum::<usize>();
        let mut m = 0.0_f32;
        for l in net.layers() {
            m = m.max(l.max_abs(true));
        }
        let dist = |w: f32| {
            let d = 1.0_f32 - w.abs() / m;
            f64::from(if d < 1e-6_f32 { 1e-6_f32 } else { d })
        };
        let mut a = vec![0.0; v * v];
        let (mut prev, mut next) = (0usize, sizes[0]);
        for l in net.layers() {
            let (n_in, n_out) = l.weight.dim();
            for i in 0..n_in {
                for j in 0..n_out {
                    let w = l.weight[[i, j]];
                    let (s, t) = if w > 0.0 { (prev + i, next + j) } else { (next + j, prev + i) };
                    a[s * v + t] = dist(w);
                }
            }
            let bias_start = next + n_out;
            for (j, &b) in l.bias.as_ref().unwrap().iter().enumerate() {
                let (s, t) =
                    if b > 0.0 { (bias_start + j, next + j) } else { (next + j, bias_start + j) };
                a[s * v + t] = dist(b);
            }
            prev = next;
            next = bias_start + n_out;
        }
        (v, a)
    }

    fn dense_norms(v: usize, a: &[f64], b: &[f64]) -> (f64, f64) {
        let fro = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt();
        let one = (0..v)
            .map(|t| (0..v).map(|s| (a[s * v + t] - b[s * v + t]).abs()).sum::<f64>())
            .fold(0.0, f64::max);
        (fro, one)
    }

    #[test]
    fn sparse_norms_equal_dense_brute_force() {
        let sizes = [5, 4, 3, 2];
        let nets: Vec<Network> = (0..4).map(|s| net(&sizes, s)).collect();
        let adj: Vec<Adjacency> = nets
            .iter()
            .map(|n| Adjacency::from_network(n, &GraphOptions::default()).unwrap())
            .collect();
        let dense: Vec<(usize, Vec<f64>)> = nets.iter().map(dense).collect();
        let zero = vec![0.0; dense[0].1.len()];
        for x in 0..4 {
            let (v, a) = &dense[x];
            assert_eq!(adj[x].vertices(), *v);
            assert_eq!(adj[x].entries(), nets[x].parameter_count());
            let (fro, one) = dense_norms(*v, a, &zero);
            assert!((adj[x].frobenius() - fro).abs() <= 1e-12 * fro);
            assert!((adj[x].one_norm() - one).abs() <= 1e-12 * one);
            for y in 0..4 {
                let d = norm_distances(&adj[x], &adj[y]).unwrap();
                let (fro, one) = dense_norms(*v, a, &dense[y].1);
                assert!((d.frobenius - fro).abs() <= 1e-12 * fro.max(1.0), "{x} {y}");
                assert!((d.one - one).abs() <= 1e-12 * one.max(1.0), "{x} {y}");
                if x == y {
                    assert_eq!((d.frobenius, d.one), (0.0, 0.0));
                }
            }
        }
        let other = Adjacency::from_network(&net(&[5, 3, 2], 9), &GraphOptions::default()).unwrap();
        assert!(norm_distances(&adj[0], &other).is_err());
    }
}
