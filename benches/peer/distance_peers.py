"""Peer side of benches/compare_distances.sh: inputs and one timed peer call per process.

    python distance_peers.py gen DIR GOLDEN_DIAGRAMS_DIR
    python distance_peers.py run TOOL A.npy B.npy           -> "value seconds"
    python distance_peers.py giotto METRIC BATCH.npy OUT.npy -> "checksum seconds"
    python distance_peers.py check OURS.npy THEIRS.npy      -> "max relative difference"

Each `run`/`giotto` call is its own process so that GNU time's peak RSS is the peer's.
Only the call itself is timed (imports and file reading are not).
"""

import sys
import time

import numpy as np


def gen(out, golden):
    rng = np.random.default_rng(20261124)
    # General diagrams: births U(0, 1), lifetimes Exp(mean 0.3); a tenth of the points on a
    # 1/64 grid so that there are ties and duplicates.
    for n in (1000, 2000, 5000, 10000):
        for side in "ab":
            b = rng.uniform(0, 1, n)
            life = rng.exponential(0.3, n)
            k = n // 10
            b[:k] = np.round(b[:k] * 64) / 64
            life[:k] = np.maximum(np.round(life[:k] * 64) / 64, 1 / 64)
            np.save(f"{out}/general_{n}_{side}.npy", np.stack([b, b + life], 1))
    # The paper's shape: H0 points (0, d), d in (0.01, 1]; capped H1 points (b, 1).
    for n in (2000, 200000):
        for side in "ab":
            d = rng.uniform(0.01, 1, n)
            np.save(f"{out}/paper_h0_{n}_{side}.npy", np.stack([np.zeros(n), d], 1))
            b = rng.uniform(0, 0.99, n)
            np.save(f"{out}/paper_h1_{n}_{side}.npy", np.stack([b, np.ones(n)], 1))
    # The golden digits19 batch: giotto's post-processed diagrams (inf deaths kept), padded
    # to one length with trivial rows (0, 0, 0), which Filtering removes on both sides.
    import glob
    import os

    diagrams = [
        np.load(p)["post"] for p in sorted(glob.glob(os.path.join(golden, "*.npz")))
    ]
    n = max(len(d) for d in diagrams)
    batch = np.zeros((len(diagrams), n, 3))
    for k, d in enumerate(diagrams):
        batch[k, : len(d)] = d
    np.save(f"{out}/digits19_post.npy", batch)


def run(tool, a_path, b_path):
    a, b = np.load(a_path), np.load(b_path)
    if tool == "gudhi_bottleneck_exact":
        import gudhi

        f = lambda: gudhi.bottleneck_distance(a, b, 0)
    elif tool == "hera_bottleneck_exact":
        import gudhi.hera

        f = lambda: gudhi.hera.bottleneck_distance(a, b, delta=0)
    elif tool == "hera_bottleneck_0.01":
        import gudhi.hera

        f = lambda: gudhi.hera.bottleneck_distance(a, b, delta=0.01)
    elif tool == "hera_w2_0.01":
        import gudhi.hera

        f = lambda: gudhi.hera.wasserstein_distance(
            a, b, order=2, internal_p=np.inf, delta=0.01
        )
    elif tool == "pot_w2_exact":
        import gudhi.wasserstein

        f = lambda: gudhi.wasserstein.wasserstein_distance(
            a, b, order=2, internal_p=np.inf
        )
    elif tool == "persim_bottleneck":
        import persim

        f = lambda: persim.bottleneck(a, b)
    elif tool == "persim_w1_l2":
        import persim

        f = lambda: persim.wasserstein(a, b)
    else:
        raise SystemExit(f"unknown tool {tool}")
    t = time.perf_counter()
    v = f()
    print(f"{float(v):.17e} {time.perf_counter() - t:.6f}")


def giotto(metric, batch_path, out):
    from gtda.diagrams import Filtering, PairwiseDistance

    batch = np.load(batch_path)
    params = {"n_bins": 200}
    if metric == "heat":
        params["sigma"] = 0.1
    t = time.perf_counter()
    x = Filtering(epsilon=0.01).fit_transform(batch)
    x[x == np.inf] = 1.0
    m = PairwiseDistance(metric=metric, metric_params=params, order=2, n_jobs=1).fit_transform(x)
    secs = time.perf_counter() - t
    np.save(out, m)
    print(f"{float(np.sum(m)):.17e} {secs:.6f}")


def check(ours, theirs):
    a, b = np.load(ours), np.load(theirs)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1), 0)
    print(f"{float(rel.max()):.3e}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3])
    elif cmd == "run":
        run(*sys.argv[2:5])
    elif cmd == "giotto":
        giotto(*sys.argv[2:5])
    elif cmd == "check":
        check(*sys.argv[2:4])
    else:
        raise SystemExit(__doc__)
