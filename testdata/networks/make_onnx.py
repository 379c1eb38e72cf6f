#!/usr/bin/env python3
"""Writes the ONNX fixtures of this folder with the `onnx` package (onnx.helper).

Run from this folder with a Python that has `onnx` (tested with onnx 1.23.2):
    python make_onnx.py
NET0 and SMALL are the networks of make_fixtures.py, so a reader test can check that the ONNX
files give exactly the same network as the .npz and .safetensors fixtures.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from make_fixtures import NET0, SMALL


def save(graph, path):
    model = helper.make_model(graph, producer_name="nnph make_onnx.py", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def io(n_in, n_out):
    return ([helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n_in])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n_out])])


# NET0 as PyTorch exports nn.Linear: Gemm with transB = 1 and B of shape [out, in], ReLU between.
inits, nodes, prev = [], [], "x"
for k, (w, b) in enumerate(NET0):
    w = np.array(w, dtype=np.float32)
    inits.append(numpy_helper.from_array(np.ascontiguousarray(w.T), f"fc{k}.weight"))
    inits.append(numpy_helper.from_array(np.array(b, dtype=np.float32), f"fc{k}.bias"))
    out = "y" if k == len(NET0) - 1 else f"h{k}"
    nodes.append(helper.make_node("Gemm", [prev, f"fc{k}.weight", f"fc{k}.bias"], [out + ("" if out == "y" else "_pre")], name=f"/fc{k}/Gemm", transB=1))
    if out != "y":
        nodes.append(helper.make_node("Relu", [out + "_pre"], [out], name=f"/relu{k}/Relu"))
        prev = out
save(helper.make_graph(nodes, "net0_gemm", *io(4, 2), initializer=inits), "0006_net0_gemm.onnx")

# NET0 as a Keras/TF export: Flatten, MatMul by W [in, out], Add of the bias (bias first in the
# second Add), Softmax at the end.
inits, nodes, prev = [], [helper.make_node("Flatten", ["x"], ["flat"])], "flat"
for k, (w, b) in enumerate(NET0):
    inits.append(numpy_helper.from_array(np.array(w, dtype=np.float32), f"dense_{k}/kernel"))
    inits.append(numpy_helper.from_array(np.array(b, dtype=np.float32), f"dense_{k}/bias"))
    nodes.append(helper.make_node("MatMul", [prev, f"dense_{k}/kernel"], [f"mm{k}"], name=f"dense_{k}/MatMul"))
    add_inputs = [f"mm{k}", f"dense_{k}/bias"] if k == 0 else [f"dense_{k}/bias", f"mm{k}"]
    nodes.append(helper.make_node("Add", add_inputs, [f"a{k}"], name=f"dense_{k}/BiasAdd"))
    nodes.append(helper.make_node("Relu" if k == 0 else "Softmax", [f"a{k}"], [f"z{k}" if k == 0 else "y"]))
    prev = f"z{k}"
save(helper.make_graph(nodes, "net0_matmul_add", *io(4, 2), initializer=inits), "0007_net0_matmul_add.onnx")

# SMALL in float16 with Gemm alpha = 2, beta = 0.5, transB = 0 (B is [in, out]); the second layer
# is a MatMul without bias.
(w0, b0), (w1, _) = SMALL
inits = [
    numpy_helper.from_array(np.array(w0, dtype=np.float16), "w0"),
    numpy_helper.from_array(np.array(b0, dtype=np.float16), "b0"),
    numpy_helper.from_array(np.array(w1, dtype=np.float16), "w1"),
]
nodes = [
    helper.make_node("Gemm", ["x", "w0", "b0"], ["h"], alpha=2.0, beta=0.5),
    helper.make_node("Tanh", ["h"], ["t"]),
    helper.make_node("MatMul", ["t", "w1"], ["y"]),
]
graph = helper.make_graph(nodes, "small_f16", [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [1, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [1, 1])], initializer=inits)
save(graph, "0008_small_f16_alpha_beta.onnx")

# A convolution: must be refused, naming the node.
inits = [numpy_helper.from_array(np.ones((2, 1, 3, 3), dtype=np.float32), "conv.weight")]
nodes = [helper.make_node("Conv", ["x", "conv.weight"], ["y"], name="/conv1/Conv")]
graph = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 5, 5])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 3, 3])], initializer=inits)
save(graph, "0009_conv.onnx")
