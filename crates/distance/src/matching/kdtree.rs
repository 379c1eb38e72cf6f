//! A static 2-D k-d tree over diagram points with deletions and per-point
//! keys, the geometric oracle of the bottleneck and auction solvers.
//!
//! The tree is built once (median splits on the wider axis, leaves of at most
//! [`LEAF`] points) and never rebalanced. Each node keeps its bounding box,
//! the number of alive points below it and the smallest key below it, so that
//! range queries skip dead subtrees and weighted nearest-neighbour queries
//! (`min over points of cost(dist) + key`) prune by `cost(box distance) +
//! min key`. Points are identified by the index they had in the slice the
//! tree was built from ("ids").

use std::cell::Cell;

use nnph_homology::PersistencePair;

use super::Ground;

/// Points per leaf.
const LEAF: usize = 8;
const NO_CHILD: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Node {
    /// Slots `lo..hi` of the permuted arrays.
    lo: u32,
    hi: u32,
    left: u32,
    right: u32,
    parent: u32,
    /// `[min birth, max birth, min death, max death]`.
    bbox: [f64; 4],
    alive: u32,
    min_key: f64,
}

/// See the module documentation.
#[derive(Clone, Debug)]
pub(super) struct KdTree {
    pts: Vec<PersistencePair>,
    ids: Vec<usize>,
    /// id → slot (ids not in the tree map to `usize::MAX`).
    slot_of: Vec<usize>,
    /// slot → leaf node.
    leaf_of: Vec<u32>,
    alive: Vec<bool>,
    key: Vec<f64>,
    nodes: Vec<Node>,
}

thread_local! {
    /// Each thread's reusable traversal stack: queries take `&self`, and the
    /// tree is shared by the threads of a parallel query loop.
    static SCRATCH: Cell<Vec<(f64, u32)>> = const { Cell::new(Vec::new()) };
}

/// The calling thread's traversal stack, cleared, taken for one query and
/// given back on drop (a nested query meanwhile gets a new one).
struct Stack(Vec<(f64, u32)>);

impl Stack {
    fn take() -> Self {
        let mut v = SCRATCH.with(Cell::take);
        v.clear();
        Stack(v)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        SCRATCH.with(|s| s.set(v));
    }
}

/// `[min birth, max birth, min death, max death]` of `points` (infinite
/// and inverted if there are none): a node's box, or a group of queries'.
pub(super) fn bounding_box(points: impl IntoIterator<Item = PersistencePair>) -> [f64; 4] {
    points
        .into_iter()
        .fold([f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY], |b, p| {
            [b[0].min(p.birth), b[1].max(p.birth), b[2].min(p.death), b[3].max(p.death)]
        })
}

impl KdTree {
    /// A tree over `points[id]` for the given ids, all alive, keys 0.
    /// `n_ids` is the size of the id space (`points.len()`).
    pub(super) fn new(points: &[PersistencePair], ids: impl IntoIterator<Item = usize>) -> Self {
        let ids: Vec<usize> = ids.into_iter().collect();
        let pts: Vec<PersistencePair> = ids.iter().map(|&i| points[i]).collect();
        let n = ids.len();
        let mut t = KdTree {
            pts,
            ids,
            slot_of: vec![usize::MAX; points.len()],
            leaf_of: vec![0; n],
            alive: vec![true; n],
            key: vec![0.0; n],
            nodes: Vec::with_capacity(2 * n / LEAF + 2),
        };
        if n > 0 {
            let mut work: Vec<(PersistencePair, usize)> =
                t.pts.iter().copied().zip(t.ids.iter().copied()).collect();
            t.build(&mut work, 0, n, NO_CHILD);
            for (s, &(p, id)) in work.iter().enumerate() {
                t.pts[s] = p;
                t.ids[s] = id;
            }
        }
        for (s, &id) in t.ids.iter().enumerate() {
            t.slot_of[id] = s;
        }
        t
    }

    /// Builds the subtree over `work[lo..hi]` (points with their ids,
    /// permuted in place into the tree's slot order).
    fn build(
        &mut self,
        work: &mut [(PersistencePair, usize)],
        lo: usize,
        hi: usize,
        parent: u32,
    ) -> u32 {
        let bbox = bounding_box(work[lo..hi].iter().map(|e| e.0));
        let me = self.nodes.len() as u32;
        self.nodes.push(Node {
            lo: lo as u32,
            hi: hi as u32,
            left: NO_CHILD,
            right: NO_CHILD,
            parent,
            bbox,
            alive: (hi - lo) as u32,
            min_key: 0.0,
        });
        if hi - lo <= LEAF {
            for s in lo..hi {
                self.leaf_of[s] = me;
            }
            return me;
        }
        let mid = lo + (hi - lo) / 2;
        let by_birth = bbox[1] - bbox[0] >= bbox[3] - bbox[2];
        work[lo..hi].select_nth_unstable_by(mid - lo, |(u, _), (w, _)| {
            if by_birth { u.birth.total_cmp(&w.birth) } else { u.death.total_cmp(&w.death) }
        });
        let left = self.build(work, lo, mid, me);
        let right = self.build(work, mid, hi, me);
        let node = &mut self.nodes[me as usize];
        node.left = left;
        node.right = right;
        me
    }

    /// The points in slot order (leaves left to right: nearby points have
    /// nearby slots), which become the ids: point `s` of the returned list
    /// is id `s` from now on. For a tree built over all of `points`.
    pub(super) fn renumber(&mut self) -> Vec<PersistencePair> {
        debug_assert_eq!(self.slot_of.len(), self.ids.len());
        for (s, id) in self.ids.iter_mut().enumerate() {
            *id = s;
        }
        for (s, slot) in self.slot_of.iter_mut().enumerate() {
            *slot = s;
        }
        self.pts.clone()
    }

    /// Makes every point alive again (keys unchanged).
    pub(super) fn revive_all(&mut self) {
        self.alive.fill(true);
        for node in &mut self.nodes {
            node.alive = node.hi - node.lo;
        }
    }

    /// Removes `id` (no effect if absent or already removed).
    pub(super) fn remove(&mut self, id: usize) {
        let Some(&s) = self.slot_of.get(id) else { return };
        if s == usize::MAX || !self.alive[s] {
            return;
        }
        self.alive[s] = false;
        let mut node = self.leaf_of[s];
        while node != NO_CHILD {
            let n = &mut self.nodes[node as usize];
            n.alive -= 1;
            node = n.parent;
        }
    }

    /// Sets the key of `id` and updates the minima on its path.
    pub(super) fn set_key(&mut self, id: usize, key: f64) {
        let s = self.slot_of[id];
        self.key[s] = key;
        let mut node = self.leaf_of[s];
        while node != NO_CHILD {
            let n = &self.nodes[node as usize];
            let m = if n.left == NO_CHILD {
                (n.lo..n.hi).map(|s| self.key[s as usize]).fold(f64::INFINITY, f64::min)
            } else {
                self.nodes[n.left as usize].min_key.min(self.nodes[n.right as usize].min_key)
            };
            let parent = n.parent;
            if self.nodes[node as usize].min_key == m {
                break;
            }
            self.nodes[node as usize].min_key = m;
            node = parent;
        }
    }

    /// Sets every key at once (`key(id)` for each id in the tree) and
    /// recomputes the minima bottom-up, in `O(n)`.
    pub(super) fn set_keys(&mut self, key: impl Fn(usize) -> f64) {
        for (s, &id) in self.ids.iter().enumerate() {
            self.key[s] = key(id);
        }
        // Children are pushed after their parent, so a reverse sweep sees
        // both children of a node before the node.
        for node in (0..self.nodes.len()).rev() {
            let n = &self.nodes[node];
            let m = if n.left == NO_CHILD {
                (n.lo..n.hi).map(|s| self.key[s as usize]).fold(f64::INFINITY, f64::min)
            } else {
                self.nodes[n.left as usize].min_key.min(self.nodes[n.right as usize].min_key)
            };
            self.nodes[node].min_key = m;
        }
    }

    /// Pushes the children of the inner node `n` on `stack` with their lower
    /// bounds `bound(child)`, the more promising one last (so it is visited first).
    #[inline]
    fn push_children(&self, stack: &mut Vec<(f64, u32)>, n: &Node, bound: impl Fn(&Node) -> f64) {
        let (l, r) = (&self.nodes[n.left as usize], &self.nodes[n.right as usize]);
        let (bl, br) = (bound(l), bound(r));
        if bl <= br {
            stack.push((br, n.right));
            stack.push((bl, n.left));
        } else {
            stack.push((bl, n.left));
            stack.push((br, n.right));
        }
    }

    /// A lower bound of `cost(dist(q, p)) + key(p)` over the alive points of
    /// node `c` (`+∞` if it has none); `cost` must be non-decreasing.
    #[inline]
    fn weighted_bound(
        c: &Node,
        ground: Ground,
        q: PersistencePair,
        cost: &impl Fn(f64) -> f64,
    ) -> f64 {
        if c.alive == 0 {
            f64::INFINITY
        } else {
            cost(Self::box_dist(ground, q, &c.bbox)) + c.min_key
        }
    }

    /// Whether `cost(dist(q, p)) + key ≥ worst` follows from the `L∞`
    /// distance (a lower bound of every ground distance as computed, so the
    /// test is exact for a non-decreasing `cost`), which saves the ground
    /// distance (a square root or powers) of most points in a leaf; never
    /// for `L∞` itself.
    #[inline(always)]
    fn skip(
        ground: Ground,
        q: PersistencePair,
        p: PersistencePair,
        key: f64,
        cost: &impl Fn(f64) -> f64,
        worst: f64,
    ) -> bool {
        !matches!(ground, Ground::Inf)
            && cost((q.birth - p.birth).abs().max((q.death - p.death).abs())) + key >= worst
    }

    /// A lower bound of the ground distance from `q` to any point of the box.
    #[inline]
    fn box_dist(ground: Ground, q: PersistencePair, b: &[f64; 4]) -> f64 {
        let gx = (b[0] - q.birth).max(q.birth - b[1]).max(0.0);
        let gy = (b[2] - q.death).max(q.death - b[3]).max(0.0);
        Self::gap_dist(ground, gx, gy)
    }

    /// The ground distance of the gaps `gx`, `gy` (non-negative) along the
    /// two axes.
    #[inline]
    fn gap_dist(ground: Ground, gx: f64, gy: f64) -> f64 {
        // On an axis every metric is |Δ| (as `Ground::dist` computes it).
        if gx == 0.0 {
            gy
        } else if gy == 0.0 {
            gx
        } else {
            ground.dist(PersistencePair::new(0.0, 0.0), PersistencePair::new(gx, gy))
        }
    }

    /// Calls `f(id)` for every alive point within ground distance `t` of `q`
    /// (`dist ≤ t`, computed as [`Ground::dist`]); if `f` returns true the
    /// point is removed.
    pub(super) fn drain_within(
        &mut self,
        q: PersistencePair,
        t: f64,
        ground: Ground,
        mut f: impl FnMut(usize) -> bool,
    ) {
        if self.nodes.is_empty() {
            return;
        }
        let mut guard = Stack::take();
        let stack = &mut guard.0;
        stack.push((0.0, 0));
        while let Some((_, node)) = stack.pop() {
            let n = &self.nodes[node as usize];
            if n.alive == 0 || Self::box_dist(ground, q, &n.bbox) > t {
                continue;
            }
            if n.left == NO_CHILD {
                for s in n.lo as usize..n.hi as usize {
                    if self.alive[s] && ground.dist(q, self.pts[s]) <= t && f(self.ids[s]) {
                        self.remove(self.ids[s]);
                    }
                }
            } else {
                stack.push((0.0, n.left));
                stack.push((0.0, n.right));
            }
        }
    }

    /// Some alive point within ground distance `t` of `q`.
    pub(super) fn find_within(&self, q: PersistencePair, t: f64, ground: Ground) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut guard = Stack::take();
        let stack = &mut guard.0;
        stack.push((0.0, 0));
        while let Some((_, node)) = stack.pop() {
            let n = &self.nodes[node as usize];
            if n.alive == 0 || Self::box_dist(ground, q, &n.bbox) > t {
                continue;
            }
            if n.left == NO_CHILD {
                for s in n.lo as usize..n.hi as usize {
                    if self.alive[s] && ground.dist(q, self.pts[s]) <= t {
                        return Some(self.ids[s]);
                    }
                }
            } else {
                stack.push((0.0, n.right));
                stack.push((0.0, n.left));
            }
        }
        None
    }

    /// The two smallest values of `cost(dist(q, p)) + key(p)` over alive
    /// points `p`, as `[(value, id); 2]` (missing entries are
    /// `(+∞, usize::MAX)`). `cost` must be non-decreasing.
    pub(super) fn best_two(
        &self,
        q: PersistencePair,
        ground: Ground,
        cost: impl Fn(f64) -> f64,
    ) -> [(f64, usize); 2] {
        let mut best = [(f64::INFINITY, usize::MAX); 2];
        if self.nodes.is_empty() {
            return best;
        }
        let mut guard = Stack::take();
        let stack = &mut guard.0;
        stack.push((f64::NEG_INFINITY, 0));
        while let Some((bound, node)) = stack.pop() {
            if bound >= best[1].0 {
                continue;
            }
            let n = &self.nodes[node as usize];
            if n.left == NO_CHILD {
                for s in n.lo as usize..n.hi as usize {
                    if !self.alive[s] {
                        continue;
                    }
                    let v = cost(ground.dist(q, self.pts[s])) + self.key[s];
                    if v < best[1].0 {
                        if v < best[0].0 {
                            best[1] = best[0];
                            best[0] = (v, self.ids[s]);
                        } else {
                            best[1] = (v, self.ids[s]);
                        }
                    }
                }
                continue;
            }
            self.push_children(stack, n, |c| Self::weighted_bound(c, ground, q, &cost));
        }
        best
    }
    /// The `k` alive points nearest to `q` in ground distance, as
    /// `(distance, id)` sorted by distance (ties in any order), into `out`
    /// (cleared first; fewer if the tree has fewer alive points). `limit`:
    /// a distance within which at least `k` alive points lie (e.g. the
    /// largest distance to `k` known points; `+∞` if unknown): farther
    /// subtrees and points are skipped from the start.
    pub(super) fn nearest(
        &self,
        q: PersistencePair,
        k: usize,
        ground: Ground,
        out: &mut Vec<(f64, usize)>,
        limit: f64,
    ) {
        let gap = |x: f64, lo: f64, hi: f64| (lo - x).max(x - hi).max(0.0);
        match ground {
            // Squared distances select the neighbours (no square root per
            // point); the limit is widened by a few ulps so that its own
            // rounding excludes no point at distance `limit`.
            Ground::Two => self.nearest_by(
                k,
                out,
                limit * limit * (1.0 + 8.0 * f64::EPSILON),
                |p| {
                    let (x, y) = (q.birth - p.birth, q.death - p.death);
                    x * x + y * y
                },
                |b| {
                    let (x, y) = (gap(q.birth, b[0], b[1]), gap(q.death, b[2], b[3]));
                    x * x + y * y
                },
            ),
            Ground::Inf => self.nearest_by(
                k,
                out,
                limit,
                |p| (q.birth - p.birth).abs().max((q.death - p.death).abs()),
                |b| gap(q.birth, b[0], b[1]).max(gap(q.death, b[2], b[3])),
            ),
            _ => self.nearest_by(
                k,
                out,
                limit,
                |p| ground.dist(q, p),
                |b| Self::box_dist(ground, q, b),
            ),
        }
        // Back from keys (slots) to ground distances (ids), sorted.
        for e in out.iter_mut() {
            *e = (ground.dist(q, self.pts[e.1]), self.ids[e.1]);
        }
        for at in 1..out.len() {
            let mut at = at;
            while at > 0 && out[at - 1].0 > out[at].0 {
                out.swap(at - 1, at);
                at -= 1;
            }
        }
    }

    /// [`KdTree::nearest`] by a key: `key(p)`, a non-decreasing function
    /// of the ground distance from the query to `p`, and `box_key(bbox)`, a
    /// lower bound of it over a box; `limit` in keys. Leaves `(key, slot)`
    /// sorted by key in `out`.
    #[inline(always)]
    fn nearest_by(
        &self,
        k: usize,
        out: &mut Vec<(f64, usize)>,
        limit: f64,
        key: impl Fn(PersistencePair) -> f64,
        box_key: impl Fn(&[f64; 4]) -> f64,
    ) {
        out.clear();
        if self.nodes.is_empty() || k == 0 {
            return;
        }
        let mut guard = Stack::take();
        let stack = &mut guard.0;
        stack.push((0.0, 0));
        while let Some((bound, node)) = stack.pop() {
            if bound > limit || (out.len() == k && bound >= out[k - 1].0) {
                continue;
            }
            let n = &self.nodes[node as usize];
            if n.alive == 0 {
                continue;
            }
            if n.left == NO_CHILD {
                for s in n.lo as usize..n.hi as usize {
                    if !self.alive[s] {
                        continue;
                    }
                    let d = key(self.pts[s]);
                    if d > limit || (out.len() == k && d >= out[k - 1].0) {
                        continue;
                    }
                    if out.len() == k {
                        out.pop();
                    }
                    // Insertion after the equal ones (k is small: a linear
                    // shift beats a binary search and a memmove).
                    out.push((d, s));
                    let mut at = out.len() - 1;
                    while at > 0 && out[at - 1].0 > d {
                        out[at] = out[at - 1];
                        at -= 1;
                    }
                    out[at] = (d, s);
                }
                continue;
            }
            self.push_children(stack, n, |c| box_key(&c.bbox));
        }
    }

    /// The leaves that may hold, for some query `q` in the box `qbox`
    /// (`[min birth, max birth, min death, max death]`), a point `p` with
    /// `cost(max(dist(q, p), floor)) + key(p) < limit`, as `(bound, node)`
    /// in increasing bound, into `out` (cleared first): one traversal for a
    /// group of nearby queries, each then finished by
    /// [`KdTree::best_in_leaves`]. `cost` must be non-decreasing. `floor`: a
    /// distance within which no point need be found (0 for none): subtrees
    /// are bounded as if no point were closer than `floor`, so a closer point
    /// is found only if its leaf is listed for another.
    pub(super) fn leaves_below(
        &self,
        qbox: [f64; 4],
        ground: Ground,
        cost: impl Fn(f64) -> f64,
        limit: f64,
        floor: f64,
        out: &mut Vec<(f64, u32)>,
    ) {
        out.clear();
        if self.nodes.is_empty() {
            return;
        }
        // A lower bound over the box's queries and the node's alive points.
        let bound = |c: &Node| {
            if c.alive == 0 {
                return f64::INFINITY;
            }
            let b = &c.bbox;
            let gx = (b[0] - qbox[1]).max(qbox[0] - b[1]).max(0.0);
            let gy = (b[2] - qbox[3]).max(qbox[2] - b[3]).max(0.0);
            cost(Self::gap_dist(ground, gx, gy).max(floor)) + c.min_key
        };
        let mut guard = Stack::take();
        let stack = &mut guard.0;
        stack.push((bound(&self.nodes[0]), 0));
        while let Some((b, node)) = stack.pop() {
            if b >= limit {
                continue;
            }
            let n = &self.nodes[node as usize];
            if n.left == NO_CHILD {
                out.push((b, node));
            } else {
                self.push_children(stack, n, bound);
            }
        }
        out.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    }

    /// The smallest value of `cost(dist(q, p)) + key(p)` over the alive
    /// points of `leaves` if it is below `limit`, as `(value, id)`;
    /// otherwise `(limit, usize::MAX)`. With `leaves` from
    /// [`KdTree::leaves_below`] for a box holding `q`, a limit at least
    /// `limit` and a floor at most `floor`, that is the minimum over all
    /// alive points, up to the points nearer than `floor` (found only if
    /// their leaf is scanned for another). Leaves, and then points, that
    /// cannot go below the best value found, starting from `limit`, are
    /// skipped.
    pub(super) fn best_in_leaves(
        &self,
        q: PersistencePair,
        ground: Ground,
        cost: impl Fn(f64) -> f64,
        limit: f64,
        floor: f64,
        leaves: &[(f64, u32)],
    ) -> (f64, usize) {
        let mut best = (limit, usize::MAX);
        for &(b, node) in leaves {
            // Listed in increasing bound, a bound for `q` as well.
            if b >= best.0 {
                break;
            }
            let n = &self.nodes[node as usize];
            if cost(Self::box_dist(ground, q, &n.bbox).max(floor)) + n.min_key >= best.0 {
                continue;
            }
            for s in n.lo as usize..n.hi as usize {
                if self.alive[s] && !Self::skip(ground, q, self.pts[s], self.key[s], &cost, best.0)
                {
                    let v = cost(ground.dist(q, self.pts[s])) + self.key[s];
                    if v < best.0 {
                        best = (v, self.ids[s]);
                    }
                }
            }
        }
        best
    }

    /// The `k` smallest values of `cost(dist(q, p)) + key(p)` below `limit`
    /// over alive points `p`, as `(value, id)` sorted by value, into `out`
    /// (cleared first; fewer than `k` if fewer values are below `limit`).
    /// `cost` must be non-decreasing.
    pub(super) fn best_k(
        &self,
        q: PersistencePair,
        k: usize,
        ground: Ground,
        cost: impl Fn(f64) -> f64,
        out: &mut Vec<(f64, usize)>,
        limit: f64,
    ) {
        out.clear();
        if self.nodes.is_empty() || k == 0 {
            return;
        }
        let mut guard = Stack::take();
        let stack = &mut guard.0;
        stack.push((f64::NEG_INFINITY, 0));
        while let Some((bound, node)) = stack.pop() {
            if bound >= limit || (out.len() == k && bound >= out[k - 1].0) {
                continue;
            }
            let n = &self.nodes[node as usize];
            if n.left == NO_CHILD {
                for s in n.lo as usize..n.hi as usize {
                    let worst = if out.len() == k { out[k - 1].0.min(limit) } else { limit };
                    if !self.alive[s]
                        || Self::skip(ground, q, self.pts[s], self.key[s], &cost, worst)
                    {
                        continue;
                    }
                    let v = cost(ground.dist(q, self.pts[s])) + self.key[s];
                    if v >= limit || (out.len() == k && v >= out[k - 1].0) {
                        continue;
                    }
                    if out.len() == k {
                        out.pop();
                    }
                    let at = out.partition_point(|&(e, _)| e <= v);
                    out.insert(at, (v, self.ids[s]));
                }
                continue;
            }
            self.push_children(stack, n, |c| Self::weighted_bound(c, ground, q, &cost));
        }
    }
}

#[cfg(test)]
mod tests {
    use nnph_homology::PersistencePair as P;

    use super::super::GroundMetric;
    use super::*;

    /// Points on a coarse grid (many ties and duplicates) or anywhere.
    fn points(n: usize, seed: u64) -> Vec<P> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|i| {
                let (b, l) = (next(), next());
                if i % 3 == 0 {
                    P::new(b, b + l)
                } else {
                    P::new(
                        (b * 8.0).floor() / 8.0,
                        (b * 8.0).floor() / 8.0 + (l * 4.0).ceil() / 4.0,
                    )
                }
            })
            .collect()
    }

    /// One query's minimum below `limit`: its own leaves, then the scan.
    fn below(
        tree: &KdTree,
        q: P,
        ground: Ground,
        cost: impl Fn(f64) -> f64 + Copy,
        limit: f64,
        floor: f64,
    ) -> (f64, usize) {
        let mut leaves = Vec::new();
        let qbox = [q.birth, q.birth, q.death, q.death];
        tree.leaves_below(qbox, ground, cost, limit, floor, &mut leaves);
        tree.best_in_leaves(q, ground, cost, limit, floor, &leaves)
    }

    fn grounds() -> Vec<Ground> {
        [GroundMetric::LInf, GroundMetric::Lp(1.0), GroundMetric::Lp(2.0), GroundMetric::Lp(3.0)]
            .into_iter()
            .map(|g| Ground::new(g).unwrap())
            .collect()
    }

    /// `nearest` (without a limit, and with the largest distance to k
    /// arbitrary points as the limit) returns the k smallest distances of a
    /// brute-force scan, each with a point at that distance, after
    /// deletions too.
    #[test]
    fn nearest_equals_brute_force() {
        let (pts, queries) = (points(300, 1), points(60, 2));
        let mut out = Vec::new();
        for ground in grounds() {
            let mut tree = KdTree::new(&pts, 0..pts.len());
            for round in 0..2 {
                let alive: Vec<usize> =
                    (0..pts.len()).filter(|&i| round == 0 || i % 4 != 0).collect();
                for (t, &q) in queries.iter().enumerate() {
                    let mut all: Vec<f64> = alive.iter().map(|&i| ground.dist(q, pts[i])).collect();
                    all.sort_by(f64::total_cmp);
                    for k in [1, 5, 16] {
                        let seeds = alive.iter().skip(t).step_by(7).take(k);
                        let known = seeds.map(|&i| ground.dist(q, pts[i])).fold(0.0, f64::max);
                        for limit in [f64::INFINITY, known] {
                            tree.nearest(q, k, ground, &mut out, limit);
                            let got: Vec<f64> = out.iter().map(|e| e.0).collect();
                            assert_eq!(got, all[..k], "{ground:?} k = {k} limit {limit}");
                            for &(d, id) in &out {
                                assert_eq!(d, ground.dist(q, pts[id]));
                                assert!(alive.contains(&id));
                            }
                        }
                    }
                }
                for i in (0..pts.len()).step_by(4) {
                    tree.remove(i);
                }
            }
        }
    }

    /// Queries in groups (consecutive in slot order, as the certificate
    /// takes its rows) share one `leaves_below` for the group's box, its
    /// largest limit and its smallest floor; each query's `best_in_leaves`
    /// with its own limit and floor equals the brute-force minimum over the
    /// points at least its floor away, or lies between that and the minimum
    /// over all points.
    #[test]
    fn grouped_queries_equal_brute_force() {
        let pts = points(300, 7);
        let mut queries = points(96, 8);
        let qtree = KdTree::new(&queries, 0..queries.len());
        queries = qtree.pts.clone();
        let mut leaves = Vec::new();
        for ground in grounds() {
            let mut tree = KdTree::new(&pts, 0..pts.len());
            let key = |i: usize| ((i * 53) % 13) as f64 * 0.08 - 0.4;
            tree.set_keys(key);
            let cost = |d: f64| d * d;
            let value = |q: P, i: usize| cost(ground.dist(q, pts[i])) + key(i);
            for group in queries.chunks(8) {
                let limits: Vec<f64> =
                    (0..group.len()).map(|t| [f64::INFINITY, 0.3, 0.0, -0.2][t % 4]).collect();
                let floors: Vec<f64> = (0..group.len()).map(|t| [0.0, 0.05, 0.2][t % 3]).collect();
                let qbox = bounding_box(group.iter().copied());
                let limit = limits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let floor = floors.iter().copied().fold(f64::INFINITY, f64::min);
                tree.leaves_below(qbox, ground, cost, limit, floor, &mut leaves);
                for (t, &q) in group.iter().enumerate() {
                    let (lim, fl) = (limits[t], floors[t]);
                    let all = (0..pts.len()).map(|i| value(q, i)).fold(f64::INFINITY, f64::min);
                    let far = (0..pts.len())
                        .filter(|&i| ground.dist(q, pts[i]) >= fl)
                        .map(|i| value(q, i))
                        .fold(f64::INFINITY, f64::min);
                    let (v, id) = tree.best_in_leaves(q, ground, cost, lim, fl, &leaves);
                    if id == usize::MAX {
                        assert_eq!(v, lim);
                        assert!(far >= lim, "{ground:?}: {far} below {lim} missed");
                    } else {
                        assert_eq!(v, value(q, id));
                        assert!(all <= v && v <= far && v < lim, "{ground:?}: {all} {v} {far}");
                    }
                    if fl == 0.0 {
                        assert_eq!(v, all.min(lim), "{ground:?} without a floor");
                    }
                }
            }
        }
    }

    /// `renumber` returns a permutation of the points, and the queries and
    /// key updates then work in that numbering (checked against brute force
    /// on the returned list).
    #[test]
    fn renumbered_tree_answers_in_slot_order() {
        let pts = points(300, 5);
        let ground = grounds()[2];
        let mut tree = KdTree::new(&pts, 0..pts.len());
        let order = tree.renumber();
        let (mut a, mut b) = (order.clone(), pts.clone());
        let key = |p: &P| (p.birth.to_bits(), p.death.to_bits());
        a.sort_by_key(key);
        b.sort_by_key(key);
        assert_eq!(a, b, "a permutation of the points");
        let mut out = Vec::new();
        for q in points(40, 6) {
            tree.nearest(q, 5, ground, &mut out, f64::INFINITY);
            let mut all: Vec<f64> = order.iter().map(|&p| ground.dist(q, p)).collect();
            all.sort_by(f64::total_cmp);
            for (r, &(d, id)) in out.iter().enumerate() {
                assert_eq!(d, all[r]);
                assert_eq!(d, ground.dist(q, order[id]));
            }
            tree.set_key(7, -1.0);
            let (v, id) = below(&tree, q, ground, |d| d, f64::INFINITY, 0.0);
            let brute = (0..order.len())
                .map(|i| ground.dist(q, order[i]) + if i == 7 { -1.0 } else { 0.0 })
                .fold(f64::INFINITY, f64::min);
            assert_eq!(v, brute);
            assert_eq!(v, ground.dist(q, order[id]) + if id == 7 { -1.0 } else { 0.0 });
        }
    }

    /// One query's `leaves_below` + `best_in_leaves` returns the brute-force minimum of `cost(dist) + key`
    /// when it is below the limit (pruning by the boxes' distances), and
    /// `best_k` the `k` smallest values below the limit, each with a point of
    /// that value.
    #[test]
    fn below_and_best_k_equal_brute_force() {
        let (pts, queries) = (points(300, 3), points(60, 4));
        let mut out = Vec::new();
        for ground in grounds() {
            let mut tree = KdTree::new(&pts, 0..pts.len());
            let key = |i: usize| ((i * 37) % 11) as f64 * 0.1 - 0.5;
            tree.set_keys(key);
            let cost = |d: f64| d * d;
            for &q in &queries {
                let mut all: Vec<f64> =
                    (0..pts.len()).map(|i| cost(ground.dist(q, pts[i])) + key(i)).collect();
                all.sort_by(f64::total_cmp);
                let best = all[0];
                for limit in [f64::INFINITY, best + 0.05, best] {
                    let (v, id) = below(&tree, q, ground, cost, limit, 0.0);
                    if best < limit {
                        assert_eq!(v, best, "{ground:?}");
                        assert_eq!(cost(ground.dist(q, pts[id])) + key(id), best);
                    } else {
                        assert_eq!((v, id), (limit, usize::MAX));
                    }
                }
                // With a floor: at most the best value of the points at least
                // that far, at least the best of all.
                for floor in [0.05, 0.2, 1.0] {
                    let far = (0..pts.len())
                        .filter(|&i| ground.dist(q, pts[i]) >= floor)
                        .map(|i| cost(ground.dist(q, pts[i])) + key(i))
                        .fold(f64::INFINITY, f64::min);
                    let (v, id) = below(&tree, q, ground, cost, f64::INFINITY, floor);
                    assert!(best <= v && v <= far, "{ground:?} floor {floor}: {v}");
                    if id != usize::MAX {
                        assert_eq!(cost(ground.dist(q, pts[id])) + key(id), v);
                    }
                }
                for (k, limit) in [(1, f64::INFINITY), (4, f64::INFINITY), (4, all[2]), (9, all[0])]
                {
                    tree.best_k(q, k, ground, cost, &mut out, limit);
                    let want: Vec<f64> =
                        all.iter().copied().filter(|&v| v < limit).take(k).collect();
                    let got: Vec<f64> = out.iter().map(|e| e.0).collect();
                    assert_eq!(got, want, "{ground:?} k = {k} limit {limit}");
                    for &(v, id) in &out {
                        assert_eq!(cost(ground.dist(q, pts[id])) + key(id), v);
                    }
                }
            }
        }
    }
}
