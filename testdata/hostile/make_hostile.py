"""Writes the hostile-input corpus: files nnph must refuse with exit 1 and a one-line reason.

    cd testdata/hostile && python3 make_hostile.py

Python standard library only; deterministic (fixed seeds, fixed zip timestamps). Every file is
listed in expected.tsv with the command that reads it and a fragment of the expected message;
crates/nnph/tests/hostile.rs runs them all and also checks that no run peaks above 100 MB.
"""
import json
import random
import struct
import zipfile
import zlib

rng = random.Random(20261124)
ROWS = []


def npy(descr, shape, payload=b"", fortran=False, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    pre = 10 if version == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode("latin1") + payload


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def npz(name, members, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(name, "w", compress) as z:
        for member, data in members:
            info = zipfile.ZipInfo(member, date_time=(2026, 11, 24, 0, 0, 0))
            info.compress_type = compress
            z.writestr(info, data)


def good_members(w0=None, b0=None, w1=None, b1=None):
    """A 3-2-1 network (Keras layout: W is in × out)."""
    w0 = [0.5, -0.25, 0.75, 0.1, -0.2, 0.3] if w0 is None else w0
    b0 = [0.05, -0.05] if b0 is None else b0
    w1 = [0.4, -0.6] if w1 is None else w1
    b1 = [0.01] if b1 is None else b1
    return [
        ("W0.npy", npy("<f4", "(3, 2)", f32(w0))),
        ("b0.npy", npy("<f4", "(2,)", f32(b0))),
        ("W1.npy", npy("<f4", "(2, 1)", f32(w1))),
        ("b1.npy", npy("<f4", "(1,)", f32(b1))),
    ]


def safetensors(tensors, header_extra=None):
    header, data = {}, b""
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if header_extra:
        header.update(header_extra)
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def row(file, command, expect, why):
    ROWS.append((file, command, expect, why))


# --- networks: nnph diagram FILE ---------------------------------------------------------------
npz("good.npz", good_members())
good = open("good.npz", "rb").read()
open("truncated.npz", "wb").write(good[: len(good) // 2])
row("truncated.npz", "diagram", "zip", "a valid .npz cut in half")
open("random.npz", "wb").write(bytes(rng.randrange(256) for _ in range(4096)))
row("random.npz", "diagram", "zip", "4 KiB of random bytes named .npz")
open("random.safetensors", "wb").write(bytes(rng.randrange(256) for _ in range(4096)))
row("random.safetensors", "diagram", "safetensors", "4 KiB of random bytes named .safetensors")
open("empty.npz", "wb").write(b"")
row("empty.npz", "diagram", "zip", "an empty file")
npz("nan_weight.npz", good_members(w0=[0.5, float("nan"), 0.75, 0.1, -0.2, 0.3]))
row("nan_weight.npz", "diagram", "NaN", "a NaN weight")
npz("inf_bias.npz", good_members(b0=[float("inf"), 0.0]))
row("inf_bias.npz", "diagram", "inf", "an infinite bias")
npz("zero_weights.npz", good_members([0.0] * 6, [0.0] * 2, [0.0] * 2, [0.0]))
row("zero_weights.npz", "diagram", "zero", "every parameter zero (the normaliser max |w| is 0)")
npz("empty_tensor.npz", [("W0.npy", npy("<f4", "(0, 2)")), ("b0.npy", npy("<f4", "(2,)", f32([0.1, 0.2])))])
row("empty_tensor.npz", "diagram", "shape [0, 2]", "a zero-size weight matrix")
m = good_members()
m[0] = ("W0.npy", npy("<i4", "(3, 2)", struct.pack("<6i", 1, 2, 3, 4, 5, 6)))
npz("int_weights.npz", m)
row("int_weights.npz", "diagram", "dtype", "int32 weights (not a float dtype)")
m = good_members()
m[0] = ("W0.npy", npy("|O", "(3, 2)", b"\x80\x04\x95" + b"cos\nsystem\n(S'echo pwned'\ntR." ))
npz("pickled.npz", m)
row("pickled.npz", "diagram", "dtype", "an object array holding a pickle (must never be unpickled)")
m = good_members()
m[2] = ("W1.npy", npy("<f4", "(3, 1)", f32([0.4, -0.6, 0.2])))
npz("no_chain.npz", m)
row("no_chain.npz", "diagram", "shape", "W1 has 3 rows but layer 0 has 2 outputs")
m = good_members()
m[0] = ("W0.npy", npy("<f4", "(1099511627776, 1099511627776)", b"\0" * 64))
npz("huge_npy_header.npz", m)
row("huge_npy_header.npz", "diagram", "shape", "an .npy header claiming 2^40 x 2^40 floats")
m = good_members()
m[0] = ("W0.npy", npy("<f4", "(3, 2)", f32([0.5] * 6) + b"\0" * (64 << 20)))
npz("bomb.npz", m, zipfile.ZIP_DEFLATED)
row("bomb.npz", "diagram", "longer than its header", "a deflated member 64 MiB longer than its header says (a zip bomb in small)")
m = good_members()
m[0] = ("W0.npy", npy("<f4", "(3, 2)", f32([0.5] * 3)))
npz("short_payload.npz", m)
row("short_payload.npz", "diagram", "needs 24 data bytes", "an .npy whose data stops halfway")
npz("no_arrays.npz", [("readme.txt", b"hello")])
row("no_arrays.npz", "diagram", "magic", "a zip with no arrays")
m = good_members()
m[0] = ("W0.npy", npy("<f4", "(3, 2, 1)", f32([0.5] * 6)))
npz("rank3.npz", m)
row("rank3.npz", "diagram", "not a matrix", "a rank-3 weight (a convolution kernel?)")
m = good_members()
m[0] = ("W0.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr': ")
npz("bad_npy_header.npz", m)
row("bad_npy_header.npz", "diagram", "header claims", "an .npy header length beyond the member")

st = safetensors([("0.weight", "F32", [2, 3], f32([0.5, -0.25, 0.75, 0.1, -0.2, 0.3])), ("0.bias", "F32", [2], f32([0.1, 0.2]))])
open("huge_header.safetensors", "wb").write(struct.pack("<Q", 1 << 62) + b'{"a":1}')
row("huge_header.safetensors", "diagram", "header", "a header length of 2^62 bytes")
bad = safetensors([("0.weight", "F32", [1 << 31, 1 << 31], b""), ("0.bias", "F32", [2], f32([0.1, 0.2]))])
open("huge_tensor.safetensors", "wb").write(bad)
row("huge_tensor.safetensors", "diagram", "overflow", "a tensor claiming 2^62 elements with no data")
bad = safetensors([("0.weight", "I64", [2, 3], b"\0" * 48), ("0.bias", "F32", [2], f32([0.1, 0.2]))])
open("int_tensor.safetensors", "wb").write(bad)
row("int_tensor.safetensors", "diagram", "dtype", "an I64 weight")
open("truncated.safetensors", "wb").write(st[: len(st) - 10])
row("truncated.safetensors", "diagram", "beyond", "a valid file cut 10 bytes short")
bad = safetensors([("0.weight", "F32", [2, 3], f32([0.5, float("nan"), 0.75, 0.1, -0.2, 0.3])), ("0.bias", "F32", [2], f32([0.1, 0.2]))])
open("nan.safetensors", "wb").write(bad)
row("nan.safetensors", "diagram", "NaN", "a NaN weight")

open("random.onnx", "wb").write(bytes(rng.randrange(256) for _ in range(4096)))
row("random.onnx", "diagram", "onnx", "4 KiB of random bytes named .onnx")
gemm = open("../networks/0006_net0_gemm.onnx", "rb").read()
open("truncated.onnx", "wb").write(gemm[: len(gemm) // 2])
row("truncated.onnx", "diagram", "onnx", "an ONNX model cut in half")
open("conv.onnx", "wb").write(open("../networks/0009_conv.onnx", "rb").read())
row("conv.onnx", "diagram", "not a dense layer", "a convolution (only dense layers are read)")

# --- diagrams: nnph compare good.npz FILE -----------------------------------------------------
def diagram(pairs_by_dim, fmt="nnph-diagram/1"):
    return json.dumps({"format": fmt, "diagrams": [{"dim": q, "pairs": p} for q, p in enumerate(pairs_by_dim)]})


open("death_before_birth.json", "w").write(diagram([[[0.0, 0.5]], [[0.8, 0.3]]]))
row("death_before_birth.json", "compare", "death", "an H1 pair with death < birth")
open("nan_diagram.json", "w").write(diagram([[[0.0, 0.5]], [[0.1, "NaN"]]]))
row("nan_diagram.json", "compare", "not a number", "a pair with a string NaN death")
open("nan_literal.json", "w").write('{"format": "nnph-diagram/1", "diagrams": [{"dim": 0, "pairs": [[0.0, NaN]]}]}')
row("nan_literal.json", "compare", "not valid JSON", "a bare NaN, which JSON does not allow")
open("wrong_format.json", "w").write(diagram([[[0.0, 0.5]]], fmt="something-else/7"))
row("wrong_format.json", "compare", "format", "an unknown format tag")
open("truncated.json", "w").write(diagram([[[0.0, 0.5]], [[0.1, 0.2]]])[:30])
row("truncated.json", "compare", "not valid JSON", "a diagram cut mid-way")
open("negative_dim.json", "w").write('{"format": "nnph-diagram/1", "diagrams": [{"dim": -1, "pairs": [[0.0, 0.5]]}]}')
row("negative_dim.json", "compare", "dim", "a negative dimension")
open("huge_dim.json", "w").write('{"format": "nnph-diagram/1", "diagrams": [{"dim": 4000000000, "pairs": [[0.0, 0.5]]}]}')
row("huge_dim.json", "compare", "dim", "a dimension of 4e9 (must not allocate 4e9 diagrams)")

# --- graphs: nnph flag FILE --------------------------------------------------------------------
open("self_loop.flag", "w").write("dim 0:\n0 0 0\ndim 1:\n0 1 1\n1 1 2\n")
row("self_loop.flag", "flag", "self-loop", "an edge from vertex 1 to itself")
open("vertex_out_of_range.flag", "w").write("dim 0:\n0 0 0\ndim 1:\n0 1 1\n1 7 2\n")
row("vertex_out_of_range.flag", "flag", "vertex 7", "an edge to vertex 7 of 3")
open("huge_vertex.flag", "w").write("dim 0:\n0 0 0\ndim 1:\n0 18446744073709551615 1\n")
row("huge_vertex.flag", "flag", "vertex", "an edge to vertex 2^64 - 1")
open("edge_below_vertex.flag", "w").write("dim 0:\n0 5 0\ndim 1:\n0 1 1\n")
row("edge_below_vertex.flag", "flag", "below", "edge value 1 below its vertex value 5")
open("nan_edge.flag", "w").write("dim 0:\n0 0 0\ndim 1:\n0 1 nan\n")
row("nan_edge.flag", "flag", "not a finite number", "a NaN edge value")
open("garbage.flag", "w").write("dim 0:\n0 zero 0\ndim 1:\n0 1\n")
row("garbage.flag", "flag", "line", "a vertex value that is not a number")
open("random.flag", "wb").write(bytes(rng.randrange(256) for _ in range(2048)))
row("random.flag", "flag", "UTF-8", "2 KiB of random bytes")

# --- distance matrices and point clouds: nnph rips FILE --format F ----------------------------
open("nan.lower_distance_matrix", "w").write("1\n2 nan\n")
row("nan.lower_distance_matrix", "rips --format lower-distance", "NaN", "a NaN distance")
open("negative.lower_distance_matrix", "w").write("1\n2 -3\n")
row("negative.lower_distance_matrix", "rips --format lower-distance", "negative", "a negative distance")
open("not_triangular.lower_distance_matrix", "w").write("1\n2 3\n4\n")
row("not_triangular.lower_distance_matrix", "rips --format lower-distance", "lower triangle", "4 entries: not a triangular number")
open("ragged.point_cloud", "w").write("0 0\n1 0 3\n0 1\n")
row("ragged.point_cloud", "rips --format point-cloud", "coordinates", "rows of different lengths")
open("huge_index.sparse", "w").write("0 1 0.5\n0 1099511627776 0.7\n")
row("huge_index.sparse", "rips --format sparse", "point index", "a sparse entry naming point 2^40 (must not allocate 2^40 points)")
open("many_points.sparse", "w").write("0 1 0.5\n0 4000000000 0.7\n")
row("many_points.sparse", "rips --format sparse --max-dim 0 --memory-budget 1GB", "memory budget", "a sparse entry naming point 4e9 (n = 4e9 points claimed by 2 lines)")
open("asymmetric.distance_matrix", "w").write("0 1 2\n1 0 3\n5 3 0\n")
row("asymmetric.distance_matrix", "rips --format distance", "symmetric", "d(0,2) = 2 but d(2,0) = 5")
open("random.point_cloud", "wb").write(bytes(rng.randrange(256) for _ in range(2048)))
row("random.point_cloud", "rips --format point-cloud", "UTF-8", "2 KiB of random bytes")

# --- giotto-style diagram .npy files, (n, 3) / (N, n, 3) rows (birth, death, dim): nnph compare.
# Each is read twice: with a network, in memory ("compare": giotto per-pair grids), and alone,
# streamed diagram by diagram ("compare-batch ... --grid giotto-joint"); the messages agree.
def f64s(values):
    return struct.pack("<%dd" % len(values), *values)


def diagram_npy(name, data, expect, why):
    open(name, "wb").write(data)
    row(name, "compare", expect, why + " (read in memory)")
    row(name, "compare-batch --metric heat --grid giotto-joint", expect, why + " (streamed)")


GOOD_ROWS = [0.0, 0.5, 0.0, 0.1, 0.9, 0.0, 0.2, 2.0, 1.0, 0.3, 0.3, 1.0]
diagram_npy("diagrams_huge_shape.npy", npy("<f8", "(1099511627776, 1099511627776, 3)"), "overflows",
            "an (N, n, 3) header claiming 2^40 x 2^40 rows with no data")
diagram_npy("diagrams_many_empty.npy", npy("<f8", "(1099511627776, 0, 3)"), "at most",
            "2^40 empty diagrams in 128 bytes (must not allocate 2^40 diagrams)")
diagram_npy("diagrams_100k_empty.npy", npy("<f8", "(100000, 0, 3)"), "memory budget",
            "100,000 empty diagrams: a 10^10-entry distance matrix in 128 bytes")
diagram_npy("diagrams_truncated.npy", npy("<f8", "(2, 4, 3)", f64s(GOOD_ROWS[:6])), "needs 192 data bytes",
            "a batch whose data stops after two rows")
diagram_npy("diagrams_header_len.npy", npy("<f8", "(2, 4, 3)")[:8] + struct.pack("<H", 60000) + b"{}", "header claims",
            "an .npy header length beyond the file")
diagram_npy("diagrams_nan.npy", npy("<f8", "(2, 2, 3)", f64s(GOOD_ROWS[:3] + [float("nan"), 0.5, 0.0] + GOOD_ROWS[6:])),
            "invalid pair", "a NaN birth")
diagram_npy("diagrams_bad_dim.npy", npy("<f8", "(2, 2, 3)", f64s(GOOD_ROWS[:9] + [0.3, 0.4, 2.5])),
            "not an integer", "a homology dimension of 2.5")
diagram_npy("diagrams_bad_shape.npy", npy("<f8", "(3, 2)", f64s(GOOD_ROWS[:6])), "expected shape",
            "a (3, 2) array: not rows (birth, death, dim)")
diagram_npy("diagrams_huge_int.npy", npy("<u8", "(2, 1, 3)", struct.pack("<6Q", 0, 1 << 60, 0, 0, 1, 0)),
            "does not fit", "uint64 rows holding 2^60 (beyond the integers float64 holds)")
diagram_npy("diagrams_object.npy", npy("|O", "(1, 2, 3)", b"\x80\x04N."), "dtype",
            "an object array (a pickle, never unpickled)")
diagram_npy("diagrams_late_essential.npy", npy("<f8", "(2, 2, 3)", f64s(GOOD_ROWS[:9] + [2.0, float("inf"), 1.0])),
            "invalid point", "an essential H1 point born at 2, after the cap of infinite deaths at 1")

with open("expected.tsv", "w") as out:
    out.write("# file\tcommand\texpected fragment of the error (case-insensitive; empty: any)\twhat the file is\n")
    for r in ROWS:
        out.write("\t".join(r) + "\n")
print(f"{len(ROWS)} hostile files")
