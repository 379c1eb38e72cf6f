"""Runs one persistent-homology peer on one input and writes its barcode as nnph-diagram/1 JSON.

    ph_peers.py TOOL INPUT --format F --maxdim K [--thresh T] [--threads N] [--coeff P] --out JSON

TOOL is `ripser` (ripser.py), `gph` (giotto-ph's ripser_parallel) or `pyflagser`
(flagser_weighted, directed, 'max' filtration). Prints `compute_seconds <s>` on stdout: the time
of the library call alone (input parsing and the interpreter start are excluded; the caller
measures wall time and peak memory of the whole process). Also usable as

    ph_peers.py compare A.json B.json [--rtol R]

which compares two nnph-diagram/1 files per dimension as multisets (zero-length pairs dropped)
and exits 1 with the first difference.
"""
import argparse
import json
import math
import re
import sys
import time

import numpy as np


def read_lower(path):
    vals = [float(t) for t in re.split(r"[\s,]+", open(path).read()) if t]
    n = int(round((1 + math.sqrt(1 + 8 * len(vals))) / 2))
    m = np.zeros((n, n))
    m[np.tril_indices(n, -1)] = vals
    return m + m.T


def read_input(path, fmt):
    if fmt == "lower-distance":
        return read_lower(path)
    if fmt in ("distance", "point-cloud"):
        first = open(path).readline()
        return np.loadtxt(path, delimiter="," if "," in first else None)
    if fmt == "npy":
        return np.load(path, allow_pickle=False)
    raise SystemExit(f"format {fmt} is not supported by the peer script")


def to_json(dgms, out, source):
    diagrams = []
    for q, dgm in enumerate(dgms):
        pairs = [[float(b), None if math.isinf(d) else float(d)] for b, d in np.asarray(dgm).reshape(-1, 2)]
        diagrams.append({"dim": q, "pairs": pairs})
    json.dump({"format": "nnph-diagram/1", "source": source, "diagrams": diagrams}, open(out, "w"))


def run(args):
    if args.tool in ("ripser", "gph"):
        X = read_input(args.input, args.format)
        precomputed = args.format != "point-cloud"
        thresh = math.inf if args.thresh is None else args.thresh
        if args.tool == "ripser":
            import ripser

            start = time.perf_counter()
            dgms = ripser.ripser(X, maxdim=args.maxdim, thresh=thresh, coeff=args.coeff, distance_matrix=precomputed)["dgms"]
        else:
            from gph import ripser_parallel

            start = time.perf_counter()
            dgms = ripser_parallel(
                X,
                maxdim=args.maxdim,
                thresh=thresh,
                coeff=args.coeff,
                metric="precomputed" if precomputed else "euclidean",
                n_threads=args.threads,
            )["dgms"]
    elif args.tool == "pyflagser":
        from pyflagser import flagser_weighted, load_weighted_flag

        adjacency = load_weighted_flag(args.input, fmt="coo")
        start = time.perf_counter()
        result = flagser_weighted(adjacency, max_dimension=args.maxdim, directed=True, filtration="max", coeff=args.coeff)
        dgms = result["dgms"]
    else:
        raise SystemExit(f"unknown tool {args.tool}")
    seconds = time.perf_counter() - start
    print(f"compute_seconds {seconds:.4f}")
    to_json(dgms, args.out, f"{args.tool} {args.input}")


def load(path):
    doc = json.load(open(path))
    out = {}
    for d in doc["diagrams"]:
        pts = [(b, math.inf if e is None else e) for b, e in d["pairs"] if e is None or e != b]
        if pts:
            out[d["dim"]] = sorted(pts)
    return out


def compare(a_path, b_path, rtol):
    a, b = load(a_path), load(b_path)
    for q in sorted(set(a) | set(b)):
        pa, pb = a.get(q, []), b.get(q, [])
        if len(pa) != len(pb):
            print(f"dim {q}: {len(pa)} pairs in {a_path}, {len(pb)} in {b_path}")
            return 1
        for (x, y), (u, v) in zip(pa, pb):
            close = lambda s, t: s == t or abs(s - t) <= rtol * max(1.0, abs(s), abs(t))
            if not (close(x, u) and close(y, v)):
                print(f"dim {q}: ({x}, {y}) vs ({u}, {v})")
                return 1
    print("same " + " ".join(f"H{q}:{len(a[q])}" for q in sorted(a)))
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "compare":
        p = argparse.ArgumentParser()
        p.add_argument("cmd")
        p.add_argument("a")
        p.add_argument("b")
        p.add_argument("--rtol", type=float, default=1e-5)
        a = p.parse_args()
        sys.exit(compare(a.a, a.b, a.rtol))
    p = argparse.ArgumentParser()
    p.add_argument("tool")
    p.add_argument("input")
    p.add_argument("--format", default="lower-distance")
    p.add_argument("--maxdim", type=int, default=1)
    p.add_argument("--thresh", type=float)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--coeff", type=int, default=2)
    p.add_argument("--out", required=True)
    run(p.parse_args())


if __name__ == "__main__":
    main()
