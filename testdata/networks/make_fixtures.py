#!/usr/bin/env python3
"""Writes the network fixtures of this folder with the Python standard library only.

An independent writer (no numpy, no safetensors package) for nnph-network's
reader tests. Run from this folder: python3 make_fixtures.py
The networks are NET 0 of shared/docs/reference-pipeline.md section 8 and a
small net whose values are exact in float16 and bfloat16.
"""
import json
import struct
import zipfile

# NET 0 (reference-pipeline.md section 8), Keras orientation [in, out].
NET0 = [
    ([[0.000, 0.867, 0.464], [-0.619, -0.795, 0.194], [0.899, 0.287, -0.745], [-0.686, 0.378, 0.888]],
     [0.200, -0.112, -0.086]),
    ([[0.878, 0.424], [-0.651, -0.773], [0.238, 0.900]], [0.199, -0.121]),
]
# Values exact in float16 and bfloat16; the second layer has no bias.
SMALL = [
    ([[0.5, -0.25, 1.0], [0.0, -2.0, 0.125]], [0.75, -0.5, 0.0]),
    ([[1.5], [-1.0], [0.0625]], None),
]


def transpose(m):
    return [list(r) for r in zip(*m)]


def npy(shape, values, descr="<f4", fortran=False, version=1):
    """An .npy file; `values` in C order, written in Fortran order if asked."""
    if fortran:
        rows, cols = shape
        values = [values[i * cols + j] for j in range(cols) for i in range(rows)]
    dims = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", dims)
    prefix = 10 if version == 1 else 12
    total = -(-(prefix + len(header) + 1) // 64) * 64
    header = header + " " * (total - prefix - len(header) - 1) + "\n"
    magic = b"\x93NUMPY" + bytes([version, 0])
    hlen = struct.pack("<H" if version == 1 else "<I", len(header))
    fmt = {"<f4": "<%df", ">f4": ">%df", "<f8": "<%dd"}[descr] % len(values)
    return magic + hlen + header.encode("latin1") + struct.pack(fmt, *values)


def flat(m):
    return [x for row in m for x in row]


def write_zip(path, members, method):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members:
            # A fixed timestamp keeps the files byte-reproducible.
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)


def safetensors(path, tensors):
    """tensors: list of (name, dtype, shape, bytes)."""
    header, offset, blobs = {}, 0, []
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


def main():
    # 0001: Keras names, float32, stored (no compression).
    members = []
    for k, (w, b) in enumerate(NET0):
        members.append((f"W{k}.npy", npy([len(w), len(w[0])], flat(w))))
        members.append((f"b{k}.npy", npy([len(b)], b)))
    write_zip("0001_net0_keras_f4_stored.npz", members, zipfile.ZIP_STORED)

    # 0002: PyTorch names (fc1, fc2), [out, in], float64, deflated.
    members = []
    for k, (w, b) in enumerate(NET0):
        t = transpose(w)
        members.append((f"fc{k + 1}.weight.npy", npy([len(t), len(t[0])], flat(t), "<f8")))
        members.append((f"fc{k + 1}.bias.npy", npy([len(b)], b, "<f8")))
    write_zip("0002_net0_torch_f8_deflate.npz", members, zipfile.ZIP_DEFLATED)

    # 0003: Keras names; W0 big-endian float32 in Fortran order, W1 Fortran
    # order with a version 2.0 header and a member name without ".npy".
    (w0, b0), (w1, b1) = NET0
    members = [
        ("W0.npy", npy([4, 3], flat(w0), ">f4", fortran=True)),
        ("b0.npy", npy([3], b0)),
        ("W1", npy([3, 2], flat(w1), "<f4", fortran=True, version=2)),
        ("b1.npy", npy([2], b1, ">f4")),
    ]
    write_zip("0003_net0_keras_fortran_bigendian.npz", members, zipfile.ZIP_DEFLATED)

    # 0004: PyTorch names, F32 safetensors.
    tensors = []
    for k, (w, b) in enumerate(NET0):
        t = transpose(w)
        tensors.append((f"net.{k}.weight", "F32", [len(t), len(t[0])], struct.pack("<%df" % len(flat(t)), *flat(t))))
        tensors.append((f"net.{k}.bias", "F32", [len(b)], struct.pack("<%df" % len(b), *b)))
    safetensors("0004_net0_torch.safetensors", tensors)

    # 0005: PyTorch names, F16 weights and a BF16 bias.
    def bf16(values):
        return b"".join(struct.pack("<f", v)[2:] for v in values)

    tensors = []
    for k, (w, b) in enumerate(SMALL):
        t = transpose(w)
        tensors.append((f"l{k}.weight", "F16", [len(t), len(t[0])], struct.pack("<%de" % len(flat(t)), *flat(t))))
        if b is not None:
            tensors.append((f"l{k}.bias", "BF16", [len(b)], bf16(b)))
    safetensors("0005_small_torch_f16_bf16.safetensors", tensors)


if __name__ == "__main__":
    main()
