#!/usr/bin/env python3
"""Times the Python reference pipeline (giotto-tda + pyflagser, testdata/reference/refpipe.py)
on a folder of networks: graph, FlagserPersistence, Filtering + cap, and the paper's
per-pair distance matrices. Prints one JSON object with seconds per stage and the
process's peak RSS. Used by benches/compare_reference.sh for side-by-side runs.

usage: reference_pipeline.py NETS_DIR [--metrics heat,silhouette,landscape] [--out FILE.npz]
"""
import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "testdata", "reference"))
import numpy as np  # noqa: E402
import refpipe  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nets")
    ap.add_argument("--metrics", default="heat,silhouette,landscape")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    names = sorted(f for f in os.listdir(a.nets) if f.endswith(".npz"))
    t = {}
    t0 = time.perf_counter()
    graphs = [refpipe.mlp_to_graph(*refpipe.load_net(os.path.join(a.nets, f))) for f in names]
    t["graph"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    dg = refpipe.flagser_diagrams(graphs)
    t["flagser"] = time.perf_counter() - t0
    del graphs
    t0 = time.perf_counter()
    dg = refpipe.filter_and_cap(dg)
    t["filter_cap"] = time.perf_counter() - t0
    out = {}
    for m in a.metrics.split(","):
        t0 = time.perf_counter()
        D, _ = refpipe.pairwise_distances(dg, m)
        t[m] = time.perf_counter() - t0
        out[m] = D
    if a.out:
        np.savez(a.out, **out)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    t["total"] = sum(t.values())
    print(json.dumps({"nets": len(names), "seconds": t, "peak_rss_mb": rss_mb}))


if __name__ == "__main__":
    main()
