#!/usr/bin/python3
"""Builds an ONNX model from a tfjs layers model (model.json + weight shards), reproducibly.

The benchmarks compare ferryml with ONNX Runtime Web on *the same weights*: this reads the
shipped bundle's model.json and shards and emits one MatMul + Add (+ activation) per Dense
layer. No converter, no TensorFlow: only Debian's python3-onnx (1.12) and numpy, so the
output is byte-identical for the same input (no timestamps, fixed names, sorted nothing).

Usage: build_onnx.py <bundle-or-model-dir | model.json> <out.onnx>
Graph: input "input" float32 [batch, features] -> output "output" float32 [batch, units].
Supported layers: InputLayer, Dense (linear/relu/relu6/sigmoid/tanh/softmax/elu/selu/softplus/
softsign), Activation, Dropout (identity at inference), Flatten of a rank-2 input.
Anything else exits 2 naming the layer, rather than emitting a wrong graph.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13  # Softmax over one axis (opset >= 13), supported by every ORT Web release we use
IR_VERSION = 7  # IR 7 pairs with opset 13; pinned so onnx upgrades do not change the bytes

DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
QUANT = {"uint8": np.uint8, "uint16": np.uint16, "float16": np.float16}


def fail(msg):
    print(f"build_onnx: {msg}", file=sys.stderr)
    sys.exit(2)


def read_weights(model_dir, manifest):
    """Returns {name: float32 ndarray} from the weights manifest, dequantizing as tfjs does."""
    out = {}
    for group in manifest:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            shape = tuple(w["shape"])
            count = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            if q:
                dt = QUANT.get(q["dtype"])
                if dt is None:
                    fail(f"weight {w['name']}: unsupported quantization dtype {q['dtype']}")
                raw = np.frombuffer(buf, dtype=dt, count=count, offset=offset)
                offset += raw.nbytes
                if q["dtype"] == "float16":
                    arr = raw.astype(np.float32)
                else:
                    # tfjs: value = q * scale + min (float32 arithmetic)
                    arr = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            else:
                dt = DTYPES.get(w["dtype"])
                if dt is None:
                    fail(f"weight {w['name']}: unsupported dtype {w['dtype']}")
                arr = np.frombuffer(buf, dtype=dt, count=count, offset=offset)
                offset += arr.nbytes
            out[w["name"]] = arr.reshape(shape).astype(np.float32)
        if offset != len(buf):
            fail(f"weight group {group['paths']}: read {offset} bytes of {len(buf)}")
    return out


def layer_list(topology):
    """The layers of a Sequential model, or of a Functional model that is a single chain."""
    cls = topology.get("class_name")
    cfg = topology.get("config")
    if cls == "Sequential":
        return cfg["layers"] if isinstance(cfg, dict) else cfg
    if cls in ("Functional", "Model"):
        layers = cfg["layers"]
        for prev, layer in zip(layers, layers[1:]):
            inbound = layer.get("inbound_nodes") or []
            names = [n[0] for node in inbound for n in node] if inbound else []
            if names != [prev["name"]]:
                fail(f"layer {layer['name']}: not a single chain (inputs {names}); only sequential graphs are supported")
        return layers
    fail(f"model class {cls}: only Sequential or a chain-shaped Functional model is supported")


def find_weight(weights, layer_name, suffix):
    """tfjs names weights `<layer>/<kernel|bias>`; a saved model may prefix a scope."""
    hits = [k for k in weights if k == f"{layer_name}/{suffix}" or k.endswith(f"/{layer_name}/{suffix}")]
    if len(hits) != 1:
        fail(f"layer {layer_name}: expected one weight named {layer_name}/{suffix}, found {hits or 'none'}")
    return weights[hits[0]]


def activation_nodes(act, x, name, nodes):
    """Appends the nodes for a Keras activation; returns the output name."""
    if act in (None, "linear"):
        return x
    y = f"{name}_{act}"
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "elu": "Elu", "selu": "Selu",
              "softplus": "Softplus", "softsign": "Softsign"}
    if act in simple:
        nodes.append(helper.make_node(simple[act], [x], [y], name=y))
    elif act == "softmax":
        nodes.append(helper.make_node("Softmax", [x], [y], name=y, axis=-1))
    elif act == "relu6":
        nodes.append(helper.make_node("Clip", [x, "relu6_min", "relu6_max"], [y], name=y))
    else:
        fail(f"layer {name}: unsupported activation {act}")
    return y


def build(model_json_path):
    model_dir = os.path.dirname(os.path.abspath(model_json_path))
    spec = json.load(open(model_json_path))
    topology = spec.get("modelTopology")
    if topology is None:
        fail(f"{model_json_path}: no modelTopology (graph-model bundles are not supported)")
    topology = topology.get("model_config", topology)  # keras h5-style wrapper
    weights = read_weights(model_dir, spec.get("weightsManifest", []))
    layers = layer_list(topology)

    nodes, inits = [], []
    x, width, used_relu6 = "input", None, False
    for layer in layers:
        cls, cfg = layer["class_name"], layer["config"]
        name = cfg["name"]
        shape = cfg.get("batch_input_shape") or cfg.get("batchInputShape")
        if shape and width is None:
            if len(shape) != 2:
                fail(f"layer {name}: input shape {shape}; only [batch, features] inputs are supported")
            width = shape[1]
        if cls == "InputLayer" or cls == "Dropout":
            continue
        if cls == "Flatten":
            continue  # rank-2 input (checked above): flatten is the identity
        if cls == "Activation":
            x = activation_nodes(cfg["activation"], x, name, nodes)
            used_relu6 |= cfg["activation"] == "relu6"
            continue
        if cls != "Dense":
            fail(f"layer {name}: unsupported layer class {cls}")
        kernel = find_weight(weights, name, "kernel")
        if width is not None and kernel.shape[0] != width:
            fail(f"layer {name}: kernel {kernel.shape} does not take {width} inputs")
        inits.append(numpy_helper.from_array(kernel, f"{name}_kernel"))
        y = f"{name}_matmul"
        nodes.append(helper.make_node("MatMul", [x, f"{name}_kernel"], [y], name=y))
        x = y
        if cfg.get("use_bias", True):
            bias = find_weight(weights, name, "bias")
            inits.append(numpy_helper.from_array(bias, f"{name}_bias"))
            y = f"{name}_add"
            nodes.append(helper.make_node("Add", [x, f"{name}_bias"], [y], name=y))
            x = y
        x = activation_nodes(cfg.get("activation"), x, name, nodes)
        used_relu6 |= cfg.get("activation") == "relu6"
        width = kernel.shape[1]
    if not nodes:
        fail("the model has no Dense layer")
    if width is None:
        fail("could not infer the input width")
    if used_relu6:
        inits.append(numpy_helper.from_array(np.array(0, np.float32), "relu6_min"))
        inits.append(numpy_helper.from_array(np.array(6, np.float32), "relu6_max"))
    # Name the last value "output" without an extra node.
    last = nodes[-1]
    last.output[0] = "output"
    first_in = layers and next((l for l in layers if l["class_name"] == "Dense"), None)
    in_width = find_weight(weights, first_in["config"]["name"], "kernel").shape[0]
    graph = helper.make_graph(
        nodes,
        "ferryml_bench",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", in_width])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", width])],
        inits,
    )
    model = helper.make_model(graph, producer_name="ferryml-bench", producer_version="1",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    src, out = argv[1], argv[2]
    if os.path.isdir(src):
        src = os.path.join(src, "model.json")
    if not os.path.exists(src):
        fail(f"{src}: not found (pass a bundle directory or its model.json)")
    model = build(src)
    data = model.SerializeToString()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "wb") as f:
        f.write(data)
    print(json.dumps({"out": out, "bytes": len(data), "nodes": [n.op_type for n in model.graph.node]}))


if __name__ == "__main__":
    main(sys.argv)
