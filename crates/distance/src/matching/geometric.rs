//! The bottleneck distance of general (not collinear) diagrams with a
//! geometric matching oracle: a search over thresholds `t`, each decided by
//! Hopcroft–Karp whose neighbour queries go to k-d trees (Efrat, Itai, Katz,
//! "Geometry helps in bottleneck matching and related problems",
//! Algorithmica 31 (2001), doi:10.1007/s00453-001-0016-8; as in Kerber,
//! Morozov, Nigmetov, "Geometry helps to compare persistence diagrams",
//! ACM JEA 22 (2017), doi:10.1145/3064175).

use nnph_homology::PersistencePair;

use super::Ground;
use super::kdtree::KdTree;

const NONE: usize = usize::MAX;

/// One side of the Mendelsohn–Dulmage test: a matching of the *must* points
/// of `left` (diagonal cost `> t`) into `right` within distance `t`.
struct Side<'a> {
    left: &'a [PersistencePair],
    right: &'a [PersistencePair],
    diag_left: Vec<f64>,
    ground: Ground,
    /// The last matching found (left → right), reused as a warm start.
    saved: Vec<usize>,
    /// A tree over every right point, revived for each BFS.
    all_right: KdTree,
}

impl<'a> Side<'a> {
    fn new(left: &'a [PersistencePair], right: &'a [PersistencePair], ground: Ground) -> Self {
        Side {
            left,
            right,
            diag_left: left.iter().map(|&p| ground.diag(p)).collect(),
            ground,
            saved: vec![NONE; left.len()],
            all_right: KdTree::new(right, 0..right.len()),
        }
    }

    /// Whether the must points of `left` at threshold `t` can be matched to
    /// distinct points of `right` within ground distance `t`.
    fn covers(&mut self, t: f64) -> bool {
        let (left, right, g) = (self.left, self.right, self.ground);
        let must: Vec<usize> = (0..left.len()).filter(|&i| self.diag_left[i] > t).collect();
        if must.len() > right.len() {
            return false;
        }
        if must.is_empty() {
            return true;
        }
        // Warm start: keep the saved edges that are still valid.
        let mut match_l = vec![NONE; left.len()];
        let mut match_r = vec![NONE; right.len()];
        for &l in &must {
            let r = self.saved[l];
            if r != NONE && match_r[r] == NONE && g.dist(left[l], right[r]) <= t {
                match_l[l] = r;
                match_r[r] = l;
            }
        }
        // Greedy: each free must point takes any free neighbour.
        {
            let mut free = KdTree::new(right, (0..right.len()).filter(|&r| match_r[r] == NONE));
            for &l in &must {
                if match_l[l] == NONE
                    && let Some(r) = free.find_within(left[l], t, g)
                {
                    free.remove(r);
                    match_l[l] = r;
                    match_r[r] = l;
                }
            }
        }
        let mut unmatched = must.iter().filter(|&&l| match_l[l] == NONE).count();
        let mut dist = vec![NONE; left.len()];
        let mut layers: Vec<Vec<usize>> = Vec::new();
        let ok = loop {
            if unmatched == 0 {
                break true;
            }
            // BFS over layers; each right point is visited once (removed).
            self.all_right.revive_all();
            let mut queue = Vec::with_capacity(must.len());
            for &l in &must {
                if match_l[l] == NONE {
                    dist[l] = 0;
                    queue.push(l);
                } else {
                    dist[l] = NONE;
                }
            }
            layers.iter_mut().for_each(Vec::clear);
            let mut limit = NONE;
            let mut head = 0;
            while let Some(&l) = queue.get(head) {
                head += 1;
                let dl = dist[l];
                if limit != NONE && dl > limit {
                    break;
                }
                if layers.len() <= dl {
                    layers.resize_with(dl + 1, Vec::new);
                }
                self.all_right.drain_within(left[l], t, g, |r| {
                    let l2 = match_r[r];
                    if l2 == NONE {
                        if limit == NONE {
                            limit = dl;
                        }
                        layers[dl].push(r);
                    } else if limit == NONE || dl < limit {
                        layers[dl].push(r);
                        dist[l2] = dl + 1;
                        queue.push(l2);
                    }
                    true
                });
            }
            if limit == NONE {
                break false;
            }
            // One tree per layer: right points reached from that layer
            // (at the last layer, only the free ones).
            let mut trees: Vec<KdTree> = (0..=limit)
                .map(|k| {
                    let ids = layers[k]
                        .iter()
                        .copied()
                        .filter(|&r| k < limit || match_r[r] == NONE)
                        .collect::<Vec<_>>();
                    KdTree::new(right, ids)
                })
                .collect();
            // Vertex-disjoint shortest augmenting paths (iterative DFS).
            let mut augmented = 0;
            let mut stack = Vec::new();
            let mut via = Vec::new();
            for &root in &must {
                if match_l[root] != NONE || dist[root] != 0 {
                    continue;
                }
                stack.clear();
                via.clear();
                stack.push(root);
                while let Some(&l) = stack.last() {
                    let k = dist[l];
                    let found = if k <= limit { trees[k].find_within(left[l], t, g) } else { None };
                    match found {
                        Some(r) => {
                            trees[k].remove(r);
                            via.push(r);
                            if match_r[r] == NONE {
                                for (&lk, &rk) in stack.iter().zip(via.iter()) {
                                    match_l[lk] = rk;
                                    match_r[rk] = lk;
                                }
                                augmented += 1;
                                break;
                            }
                            stack.push(match_r[r]);
                        }
                        None => {
                            stack.pop();
                            via.pop();
                        }
                    }
                }
            }
            if augmented == 0 {
                break false; // unreachable when `limit` is set
            }
            unmatched -= augmented;
        };
        self.saved = match_l;
        ok
    }
}

/// The bottleneck distance of two non-empty sets of finite non-trivial
/// points, exact for `delta = 0`, otherwise a value `d̂ ≥ d` with
/// `(d̂ − d)/d ≤ delta`.
pub(super) fn bottleneck(
    a: &[PersistencePair],
    b: &[PersistencePair],
    ground: Ground,
    delta: f64,
) -> f64 {
    let mut side_a = Side::new(a, b, ground);
    let mut side_b = Side::new(b, a, ground);
    // Sending everything to the diagonal is always feasible.
    let hi = side_a.diag_left.iter().chain(side_b.diag_left.iter()).copied().fold(0.0, f64::max);
    // Every point goes to the diagonal or to a point of the other diagram.
    let nearest = |side: &Side<'_>| {
        let tree = &side.all_right;
        side.left
            .iter()
            .zip(&side.diag_left)
            .map(|(&p, &d)| tree.best_two(p, ground, |x| x)[0].0.min(d))
            .fold(0.0, f64::max)
    };
    let lower = nearest(&side_a).max(nearest(&side_b));
    let mut feasible = |t: f64| side_a.covers(t) && side_b.covers(t);
    if lower >= hi || feasible(lower) {
        return lower.min(hi);
    }
    // Binary search over the bit patterns of non-negative f64 (ordered as
    // integers): `lo` infeasible, `hi` feasible. The smallest feasible f64 is
    // an edge cost, the exact distance.
    let (mut lo, mut hi) = (lower.to_bits(), hi.to_bits());
    while hi - lo > 1 {
        if delta > 0.0 && f64::from_bits(hi) <= f64::from_bits(lo) * (1.0 + delta) {
            break;
        }
        let mid = lo + (hi - lo) / 2;
        if feasible(f64::from_bits(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    f64::from_bits(hi)
}
