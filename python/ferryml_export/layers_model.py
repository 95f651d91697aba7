"""Writes a tfjs layers-model (model.json + one float32 weight shard) without TensorFlow.

The JSON mirrors what tfjs-layers 4.22 itself writes for `tf.sequential()` of dense layers
(`model.save()`), so `tf.loadLayersModel` reads it unchanged.
"""

import json
import os

import numpy as np

SHARD = "group1-shard1of1.bin"
TFJS_LAYERS_VERSION = "4.22.0"


def dense_config(index, units, activation, input_width=None):
    config = {
        "units": int(units),
        "activation": activation,
        "use_bias": True,
        "kernel_initializer": {
            "class_name": "VarianceScaling",
            "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal", "seed": None},
        },
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None,
        "bias_regularizer": None,
        "activity_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
        "name": f"dense_{index}",
        "trainable": True,
    }
    if input_width is not None:
        config["batch_input_shape"] = [None, int(input_width)]
        config["dtype"] = "float32"
    return {"class_name": "Dense", "config": config}


def model_json(layers, name, generated_by):
    """The model.json document and the shard bytes for a list of dense layers."""
    topology_layers = []
    weights = []
    chunks = []
    for i, spec in enumerate(layers, start=1):
        kernel = np.ascontiguousarray(spec["kernel"], dtype="<f4")
        bias = np.ascontiguousarray(spec["bias"], dtype="<f4")
        topology_layers.append(dense_config(i, kernel.shape[1], spec["activation"], kernel.shape[0] if i == 1 else None))
        weights.append({"name": f"dense_{i}/kernel", "shape": list(kernel.shape), "dtype": "float32"})
        weights.append({"name": f"dense_{i}/bias", "shape": list(bias.shape), "dtype": "float32"})
        chunks += [kernel.tobytes(), bias.tobytes()]
    document = {
        "format": "layers-model",
        "generatedBy": generated_by,
        "convertedBy": None,
        "modelTopology": {
            "class_name": "Sequential",
            "config": {"name": name, "layers": topology_layers},
            "keras_version": f"tfjs-layers {TFJS_LAYERS_VERSION}",
            "backend": "tensor_flow.js",
        },
        "weightsManifest": [{"paths": [SHARD], "weights": weights}],
    }
    return document, b"".join(chunks)


def write_layers_model(layers, directory, name, generated_by):
    """Writes model.json and the shard into `directory`; returns the written file paths."""
    os.makedirs(directory, exist_ok=True)
    document, shard = model_json(layers, name, generated_by)
    model_path = os.path.join(directory, "model.json")
    shard_path = os.path.join(directory, SHARD)
    with open(shard_path, "wb") as f:
        f.write(shard)
    with open(model_path, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    return [model_path, shard_path]
