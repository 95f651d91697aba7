#!/usr/bin/python3
"""Runs an ONNX file's graph with numpy, for checking build_onnx.py without ONNX Runtime.

It reads the *serialized* file (initializers, node order, attributes), so it checks what ORT
will see, not the builder's intermediate values. Only the ops build_onnx.py emits are known;
any other op exits 2. onnx 1.12 has no reference evaluator (that arrived in 1.13).

Usage: forward_onnx.py model.onnx < input.json   (a JSON matrix [[...], ...])
Prints {"output": [[...], ...], "ops": [...], "inputs": [...], "outputs": [...], "opset": n}.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


OPS = {
    "MatMul": lambda n, a, b: a @ b,
    "Add": lambda n, a, b: a + b,
    "Relu": lambda n, a: np.maximum(a, np.float32(0)),
    "Sigmoid": lambda n, a: (1 / (1 + np.exp(-a))).astype(np.float32),
    "Tanh": lambda n, a: np.tanh(a),
    "Softmax": lambda n, a: softmax(a, attr(n, "axis", -1)),
    "Clip": lambda n, a, lo, hi: np.clip(a, lo, hi),
    "Elu": lambda n, a: np.where(a > 0, a, np.exp(a) - 1).astype(np.float32),
    "Softplus": lambda n, a: np.log1p(np.exp(a)).astype(np.float32),
    "Softsign": lambda n, a: (a / (1 + np.abs(a))).astype(np.float32),
}


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def run(model, x):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        fn = OPS.get(node.op_type)
        if fn is None:
            print(f"forward_onnx: op {node.op_type} is not known here", file=sys.stderr)
            sys.exit(2)
        env[node.output[0]] = fn(node, *[env[i] for i in node.input]).astype(np.float32)
    return env[model.graph.output[0].name]


def main():
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model)
    x = np.array(json.load(sys.stdin), dtype=np.float32)
    y = run(model, x)
    print(json.dumps({
        "output": y.tolist(),
        "ops": [n.op_type for n in model.graph.node],
        "inputs": [i.name for i in model.graph.input],
        "outputs": [o.name for o in model.graph.output],
        "opset": model.opset_import[0].version,
    }))


if __name__ == "__main__":
    main()
