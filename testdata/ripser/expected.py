# Regenerates the expected barcodes: /work/venv/bin/python expected.py [NAME...]  (ripser.py 0.6.15)
# With names, only those of the benchmark inputs at the end are regenerated.
import re, sys, numpy as np, ripser
def lower(path):
    vals = [float(t) for t in re.split(r"[\s,]+", open(path).read()) if t]
    n = int(round((1 + (1 + 8 * len(vals)) ** 0.5) / 2)); m = np.zeros((n, n)); k = 0
    for i in range(n):
        for j in range(i):
            m[i, j] = m[j, i] = vals[k]; k += 1
    return m
small = ["almostlinear4", "almostlinear4a", "almostlinear4b", "almostlinear4c", "linear5", "test", "test2"]
if len(sys.argv) == 1:
  for name, coeff in [("projective_plane", 2), ("projective_plane", 3), ("random16", 2), ("sphere_3_192", 2)] + [(s, 2) for s in small]:
    dgms = ripser.ripser(lower(f"{name}.lower_distance_matrix"), distance_matrix=True, maxdim=2, coeff=coeff)["dgms"]
    with open(f"{name}.coeff{coeff}.barcode", "w") as out:
        out.write(f"# ripser.ripser(distance_matrix=True, maxdim=2, coeff={coeff}); lines: dim birth death\n")
        for d, dgm in enumerate(dgms):
            for b, e in sorted(map(tuple, dgm.tolist())):
                fmt = lambda x: "inf" if x == float("inf") else np.format_float_positional(np.float32(x))
                out.write(f"{d} {fmt(b)} {fmt(e)}\n")
# o3_1024: a point cloud (1024 points in R^9), H<=3 up to the threshold 1.8 (Ripser's benchmark run).
if len(sys.argv) == 1:
    cloud = np.loadtxt("o3_1024.txt", delimiter=None if "," not in open("o3_1024.txt").readline() else ",")
    dgms = ripser.ripser(cloud, maxdim=3, thresh=1.8, coeff=2)["dgms"]
    with open("o3_1024.coeff2.barcode", "w") as out:
        out.write("# ripser.ripser(cloud, maxdim=3, thresh=1.8, coeff=2); lines: dim birth death\n")
        for d, dgm in enumerate(dgms):
            for b, e in sorted(map(tuple, dgm.tolist())):
                fmt = lambda x: "inf" if x == float("inf") else np.format_float_positional(np.float32(x))
                out.write(f"{d} {fmt(b)} {fmt(e)}\n")
# The standard benchmark inputs of the Ripser and giotto-ph papers (from PH-roadmap, via
# shared/benchmarks/ph-roadmap): full distance matrices and point clouds, with their standard runs.
def full(path):
    return np.loadtxt(path)
for name, data, kwargs in [
    ("dragon2000", lambda: np.loadtxt("dragon2000.txt"), dict(maxdim=1)),
    ("random50_16", lambda: np.loadtxt("random50_16.txt"), dict(maxdim=4)),
    ("celegans", lambda: full("celegans.distance_matrix"), dict(distance_matrix=True, maxdim=2)),
    ("vicsek300", lambda: full("vicsek300.distance_matrix"), dict(distance_matrix=True, maxdim=2)),
    ("fractal_r", lambda: full("fractal_r.distance_matrix"), dict(distance_matrix=True, maxdim=2)),
]:
    if len(sys.argv) > 1 and name not in sys.argv[1:]:
        continue
    dgms = ripser.ripser(data(), coeff=2, **kwargs)["dgms"]
    with open(f"{name}.coeff2.barcode", "w") as out:
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        out.write(f"# ripser.ripser({args}, coeff=2); lines: dim birth death\n")
        for d, dgm in enumerate(dgms):
            for b, e in sorted(map(tuple, dgm.tolist())):
                fmt = lambda x: "inf" if x == float("inf") else np.format_float_positional(np.float32(x))
                out.write(f"{d} {fmt(b)} {fmt(e)}\n")
