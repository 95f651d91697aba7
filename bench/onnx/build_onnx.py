#!/usr/bin/python3
"""Builds an ONNX model from a tfjs layers model (model.json + weight shards), reproducibly.

The benchmarks compare ferryml with ONNX Runtime Web on *the same weights*: this reads the
shipped bundle's model.json and shards (dequantizing as tfjs does) and emits the same graph:
one MatMul + Add (+ activation) per Dense layer, one Conv per Conv2D/DepthwiseConv2D, ...
No converter, no TensorFlow: only Debian's python3-onnx (1.12) and numpy, so the output is
byte-identical for the same input (no timestamps, fixed names, sorted nothing).

Usage: build_onnx.py <bundle-or-model-dir | model.json> <out.onnx>
Graph: input "input" float32 [batch, features] or [batch, h, w, c] (NHWC, as tfjs takes it;
one Transpose to ONNX's NCHW follows) -> output "output" float32 [batch, units].
Supported layers (Sequential, or a Functional DAG with one input and one output):
InputLayer, Dense (linear/relu/relu6/sigmoid/tanh/softmax/elu/selu/softplus/softsign),
Activation, ReLU (max_value -> Clip), Dropout (identity at inference), Flatten (to Keras's HWC
order), Reshape (features -> [h, w, c]), Conv2D and DepthwiseConv2D (valid/same, strides,
dilation; 'same' padded as TF does, the odd pixel after), BatchNormalization (inference, over
channels; left to ORT to fold into the Conv), ZeroPadding2D (Pad), Add, AveragePooling2D
(a whole-map window -> GlobalAveragePool), MaxPooling2D, GlobalAverage/MaxPooling2D.
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


def graph_layers(topology):
    """(layers in topological order, {layer: [input layer names]}, input layer names, output layer name).

    Sequential models are a chain (an implicit input layer when the first layer carries
    `batch_input_shape`); Functional models list their inbound nodes (one call per layer).
    """
    cls = topology.get("class_name")
    cfg = topology.get("config")
    if cls == "Sequential":
        layers = cfg["layers"] if isinstance(cfg, dict) else cfg
        inputs = {}
        prev = "input"
        for layer in layers:
            inputs[layer["config"]["name"]] = [prev]
            prev = layer["config"]["name"]
        return layers, inputs, ["input"], prev
    if cls in ("Functional", "Model"):
        inputs = {}
        for layer in cfg["layers"]:
            nodes = layer.get("inbound_nodes") or []
            if len(nodes) > 1:
                fail(f"layer {layer['name']}: called {len(nodes)} times (shared layers are not supported)")
            inputs[layer["name"]] = [n[0] for n in nodes[0]] if nodes else []
        outs = cfg.get("output_layers") or []
        if len(cfg.get("input_layers") or []) != 1 or len(outs) != 1:
            fail("only models with one input and one output are supported")
        return cfg["layers"], inputs, [cfg["input_layers"][0][0]], outs[0][0]
    fail(f"model class {cls}: only Sequential or Functional models are supported")


def find_weight(weights, layer_name, suffix):
    """tfjs names weights `<layer>/<kernel|bias>`; a saved model may prefix a scope."""
    hits = [k for k in weights if k == f"{layer_name}/{suffix}" or k.endswith(f"/{layer_name}/{suffix}")]
    if len(hits) != 1:
        fail(f"layer {layer_name}: expected one weight named {layer_name}/{suffix}, found {hits or 'none'}")
    return weights[hits[0]]


def activation_nodes(act, x, name, nodes, consts):
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
        nodes.append(helper.make_node("Clip", [x, consts(0.0), consts(6.0)], [y], name=y))
    else:
        fail(f"layer {name}: unsupported activation {act}")
    return y


def pair(v):
    return [int(v), int(v)] if isinstance(v, (int, float)) else [int(x) for x in v]


def same_pads(size, kernel, stride, dilation):
    """Keras/TF 'same' padding of one axis: (before, after), the odd pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def window(cfg, shape, kernel, name):
    """ONNX pads/strides/dilations for a 2-D window on an NCHW value whose NHWC shape is `shape`."""
    strides = pair(cfg.get("strides", 1))
    dil = pair(cfg.get("dilation_rate", 1))
    if cfg.get("data_format", "channels_last") != "channels_last":
        fail(f"layer {name}: data_format {cfg.get('data_format')}; only channels_last is supported")
    pad = cfg.get("padding", "valid")
    if pad == "valid":
        pads = [0, 0, 0, 0]
    elif pad == "same":
        (t, b), (l, r) = (same_pads(shape[i], kernel[i], strides[i], dil[i]) for i in (0, 1))
        pads = [t, l, b, r]
    else:
        fail(f"layer {name}: padding {pad}")
    out = [(shape[i] + pads[i] + pads[i + 2] - dil[i] * (kernel[i] - 1) - 1) // strides[i] + 1 for i in (0, 1)]
    return {"pads": pads, "strides": strides, "dilations": dil}, out


def build(model_json_path):
    """The ONNX model of a tfjs layers model (see the module comment for what it supports)."""
    model_dir = os.path.dirname(os.path.abspath(model_json_path))
    spec = json.load(open(model_json_path))
    topology = spec.get("modelTopology")
    if topology is None:
        fail(f"{model_json_path}: no modelTopology (graph-model bundles are not supported)")
    topology = topology.get("model_config", topology)  # keras h5-style wrapper
    weights = read_weights(model_dir, spec.get("weightsManifest", []))
    layers, inbound, input_names, output_name = graph_layers(topology)

    nodes, inits, const_names = [], [], {}

    def init(arr, name):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def consts(value, dtype=np.float32):
        """A shared scalar or 1-D constant initializer."""
        arr = np.array(value, dtype)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if key not in const_names:
            const_names[key] = init(arr, "relu6_min" if value == 0.0 and arr.ndim == 0 else
                                    "relu6_max" if value == 6.0 and arr.ndim == 0 else f"const_{len(const_names)}")
        return const_names[key]

    def node(op, ins, out, **attrs):
        nodes.append(helper.make_node(op, ins, [out], name=out, **attrs))
        return out

    # Each Keras value: (ONNX name, shape without batch in Keras (NHWC) terms). Rank-4 values
    # are kept NCHW in the graph (ONNX's Conv layout); Flatten restores Keras's HWC order.
    values = {}
    in_shape = None
    for layer in layers:
        cls, cfg = layer["class_name"], layer["config"]
        name = cfg["name"]
        shape = cfg.get("batch_input_shape") or cfg.get("batchInputShape")
        if cls == "InputLayer" or (shape and in_shape is None):
            if in_shape is not None:
                fail(f"layer {name}: a second input")
            in_shape = [int(d) if d is not None else None for d in shape[1:]]
            if None in in_shape or len(in_shape) not in (1, 3):
                fail(f"layer {name}: input shape {shape}; only [batch, features] or [batch, h, w, c] inputs are supported")
            x = "input"
            if len(in_shape) == 3:
                x = node("Transpose", ["input"], "input_nchw", perm=[0, 3, 1, 2])
            values[input_names[0]] = (x, in_shape)
            if cls == "InputLayer":
                continue
        srcs = [values[n] for n in inbound[name]] if inbound[name] else []
        if not srcs:
            fail(f"layer {name}: no input")
        x, xs = srcs[0]
        rank4 = len(xs) == 3
        if cls in ("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout"):
            values[name] = (x, xs)
            continue
        if cls == "Activation":
            values[name] = (activation_nodes(cfg["activation"], x, name, nodes, consts), xs)
            continue
        if cls == "ReLU":
            if cfg.get("negative_slope", 0) or cfg.get("threshold", 0):
                fail(f"layer {name}: ReLU with negative_slope/threshold is not supported")
            mx = cfg.get("max_value")
            y = node("Relu", [x], f"{name}_relu") if mx is None else node("Clip", [x, consts(0.0), consts(float(mx))], f"{name}_clip")
            values[name] = (y, xs)
            continue
        if cls == "Dense":
            if len(xs) != 1:
                fail(f"layer {name}: Dense on a rank-{len(xs) + 1} value; flatten first")
            kernel = find_weight(weights, name, "kernel")
            if kernel.shape[0] != xs[0]:
                fail(f"layer {name}: kernel {kernel.shape} does not take {xs[0]} inputs")
            y = node("MatMul", [x, init(kernel, f"{name}_kernel")], f"{name}_matmul")
            if cfg.get("use_bias", True):
                y = node("Add", [y, init(find_weight(weights, name, "bias"), f"{name}_bias")], f"{name}_add")
            values[name] = (activation_nodes(cfg.get("activation"), y, name, nodes, consts), [kernel.shape[1]])
            continue
        if cls == "Flatten":
            if rank4 and xs[0] * xs[1] > 1:
                x = node("Transpose", [x], f"{name}_nhwc", perm=[0, 2, 3, 1])
            y = node("Flatten", [x], f"{name}_flatten", axis=1) if rank4 or len(xs) > 1 else x
            values[name] = (y, [int(np.prod(xs))])
            continue
        if cls == "Reshape":
            target = [int(d) for d in cfg["target_shape"]]
            if len(xs) != 1 or len(target) != 3 or int(np.prod(target)) != xs[0]:
                fail(f"layer {name}: Reshape {xs} -> {target}; only features -> [h, w, c] is supported")
            y = node("Reshape", [x, consts([0] + target, np.int64)], f"{name}_reshape")
            values[name] = (node("Transpose", [y], f"{name}_nchw", perm=[0, 3, 1, 2]), target)
            continue
        if cls == "Add":
            y = x
            for i, (other, os_) in enumerate(srcs[1:]):
                if os_ != xs:
                    fail(f"layer {name}: adds shapes {xs} and {os_}")
                y = node("Add", [y, other], f"{name}_add{i}" if len(srcs) > 2 else f"{name}_add")
            values[name] = (y, xs)
            continue
        if not rank4:
            fail(f"layer {name}: {cls} on a rank-{len(xs) + 1} value")
        h, w, c = xs
        if cls == "ZeroPadding2D":
            (t, b), (l, r) = [pair(p) if isinstance(p, (list, tuple)) else [int(p), int(p)] for p in
                              (cfg["padding"] if isinstance(cfg["padding"], (list, tuple)) else [cfg["padding"]] * 2)]
            y = node("Pad", [x, consts([0, 0, t, l, 0, 0, b, r], np.int64)], f"{name}_pad", mode="constant")
            values[name] = (y, [h + t + b, w + l + r, c])
            continue
        if cls == "BatchNormalization":
            axis = cfg.get("axis", -1)
            if axis not in (-1, 3, [3], [-1]):
                fail(f"layer {name}: BatchNormalization over axis {axis}; only the channel axis is supported")
            gamma = find_weight(weights, name, "gamma") if cfg.get("scale", True) else np.ones(c, np.float32)
            beta = find_weight(weights, name, "beta") if cfg.get("center", True) else np.zeros(c, np.float32)
            mean = find_weight(weights, name, "moving_mean")
            var = find_weight(weights, name, "moving_variance")
            y = node("BatchNormalization",
                     [x, init(gamma, f"{name}_gamma"), init(beta, f"{name}_beta"), init(mean, f"{name}_mean"), init(var, f"{name}_var")],
                     f"{name}_bn", epsilon=float(cfg.get("epsilon", 1e-3)))
            values[name] = (y, xs)
            continue
        if cls in ("Conv2D", "DepthwiseConv2D"):
            depthwise = cls == "DepthwiseConv2D"
            k = find_weight(weights, name, "depthwise_kernel" if depthwise else "kernel")
            kh, kw = k.shape[0], k.shape[1]
            if k.shape[2] != c:
                fail(f"layer {name}: kernel {k.shape} does not take {c} channels")
            attrs, (oh, ow) = window(cfg, xs, [kh, kw], name)
            if depthwise:
                # [kh, kw, in, mult] -> [in * mult, 1, kh, kw]: output channel i * mult + m.
                wt = k.transpose(2, 3, 0, 1).reshape(c * k.shape[3], 1, kh, kw)
                attrs["group"] = c
            else:
                wt = k.transpose(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
            ins = [x, init(wt, f"{name}_weight")]
            if cfg.get("use_bias", True):
                ins.append(init(find_weight(weights, name, "bias"), f"{name}_bias"))
            y = node("Conv", ins, f"{name}_conv", kernel_shape=[kh, kw], **attrs)
            values[name] = (activation_nodes(cfg.get("activation"), y, name, nodes, consts), [oh, ow, wt.shape[0]])
            continue
        if cls in ("AveragePooling2D", "MaxPooling2D"):
            pool = pair(cfg.get("pool_size", 2))
            cfg = {**cfg, "strides": cfg.get("strides") or pool}
            attrs, (oh, ow) = window(cfg, xs, pool, name)
            attrs.pop("dilations")
            if cls == "AveragePooling2D" and pool == [h, w] and attrs["pads"] == [0, 0, 0, 0]:
                y = node("GlobalAveragePool", [x], f"{name}_gap")  # one window over the whole map
            elif cls == "AveragePooling2D":
                if any(attrs["pads"]):
                    fail(f"layer {name}: padded average pooling (Keras divides by the unpadded count)")
                y = node("AveragePool", [x], f"{name}_avgpool", kernel_shape=pool, **attrs)
            else:
                y = node("MaxPool", [x], f"{name}_maxpool", kernel_shape=pool, **attrs)
            values[name] = (y, [oh, ow, c])
            continue
        if cls in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            if cfg.get("keepdims"):
                fail(f"layer {name}: keepdims")
            y = node("GlobalAveragePool" if cls == "GlobalAveragePooling2D" else "GlobalMaxPool", [x], f"{name}_global")
            values[name] = (node("Flatten", [y], f"{name}_flatten", axis=1), [c])
            continue
        fail(f"layer {name}: unsupported layer class {cls}")
    if in_shape is None:
        fail("could not infer the input shape")
    if not nodes or output_name not in values:
        fail("the model computes nothing")
    out, out_shape = values[output_name]
    if len(out_shape) != 1:
        fail(f"the output has shape {out_shape}; only [batch, units] outputs are supported")
    # Name the last value "output" without an extra node.
    for n in nodes:
        for i, v in enumerate(n.output):
            if v == out:
                n.output[i] = "output"
        for i, v in enumerate(n.input):
            if v == out:
                n.input[i] = "output"
    graph = helper.make_graph(
        nodes,
        "ferryml_bench",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *in_shape])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", out_shape[0]])],
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
