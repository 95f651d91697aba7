"""The `tree-ensemble` model: flat arrays built tree by tree, a numpy evaluator with exactly the
TypeScript kernel's semantics (the exporter's proof), and model.json + trees.bin on disk.
See README "Tree ensembles" for the format."""

import json
import os

import numpy as np

SHARD = "trees.bin"
MISSING_LEFT = 1
CATEGORICAL = 2
# The order and dtypes of the arrays in trees.bin (src/runtime/trees/format.ts reads them by name).
ARRAYS = (
    ("roots", "<i4", "int32"),
    ("treeColumn", "<i4", "int32"),
    ("feature", "<i4", "int32"),
    ("threshold", "<f8", "float64"),
    ("left", "<i4", "int32"),
    ("right", "<i4", "int32"),
    ("flags", "u1", "uint8"),
    ("values", "<f8", "float64"),
    ("bitsets", "<u4", "uint32"),
)


class Ensemble:
    """Trees appended in the order the library sums them; node indices become absolute."""

    def __init__(self, library, compare, features, outputs, leaf_width, aggregate, base, link, accumulate=None):
        self.topology = {
            "kind": "tree-ensemble", "library": library, "compare": compare, "features": int(features),
            "outputs": int(outputs), "trees": 0, "leafWidth": int(leaf_width), "aggregate": aggregate,
            "base": [float(b) for b in base], "link": link,
        }
        # "float32": the library rounds each row's score to float32 after every tree (XGBoost's CPU
        # predictor), from a float32 base; absent, scores are summed in float64.
        if accumulate is not None:
            self.topology["accumulate"] = accumulate
        self.parts = {name: [] for name, _, _ in ARRAYS}
        self.nodes = 0
        self.values = 0
        self.pairs = 0

    def add_values(self, leaf_values):
        """Appends leaf vectors [n, leafWidth]; returns each one's offset in `values`."""
        leaf_values = np.asarray(leaf_values, dtype=np.float64).reshape(-1, self.topology["leafWidth"])
        offsets = self.values + np.arange(len(leaf_values)) * self.topology["leafWidth"]
        self.parts["values"].append(leaf_values.ravel())
        self.values += leaf_values.size
        return offsets

    def add_bitsets(self, left_bits, right_bits):
        """Appends one categorical split's 8 + 8 words; returns its pair index."""
        self.parts["bitsets"].append(np.concatenate([left_bits, right_bits]).astype(np.uint32))
        self.pairs += 1
        return float(self.pairs - 1)

    def add_tree(self, column, feature, threshold, left, right, missing_left, leaf, categorical=None):
        """One tree, nodes numbered from 0 with its root at 0; leaves hold their value offset in `left`."""
        n = len(feature)
        leaf = np.asarray(leaf, dtype=bool)
        flags = np.where(missing_left, MISSING_LEFT, 0) | (np.where(categorical, CATEGORICAL, 0) if categorical is not None else 0)
        self.parts["roots"].append(np.array([self.nodes]))
        self.parts["treeColumn"].append(np.array([column]))
        self.parts["feature"].append(np.asarray(feature))
        self.parts["threshold"].append(np.asarray(threshold, dtype=np.float64))
        self.parts["left"].append(np.where(leaf, left, np.asarray(left) + self.nodes))
        self.parts["right"].append(np.where(leaf, 0, np.asarray(right) + self.nodes))
        self.parts["flags"].append(np.asarray(flags, dtype=np.uint8))
        self.nodes += n
        self.topology["trees"] += 1

    def arrays(self):
        out = {}
        for name, dtype, _ in ARRAYS:
            parts = self.parts[name]
            out[name] = np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0), dtype=dtype)
        return out


def category_left(bitsets, pair, v, missing_left):
    """The kernel's categorical test, per row (arrays)."""
    inside = (v >= 0) & (v < 256)
    c = np.where(inside, v, 0).astype(np.int64)
    word = pair * 16 + (c >> 5)
    bit = (np.uint32(1) << (c & 31).astype(np.uint32))
    in_left = (bitsets[word] & bit) != 0
    in_right = (bitsets[word + 8] & bit) != 0
    return np.where(inside & in_left, True, np.where(inside & in_right, False, missing_left))


def run_trees(ens, X):
    """The ensemble on float32 features X, with the TypeScript kernel's semantics, in float64 numpy
    (scores summed in float32, rounded after every tree, for `"accumulate": "float32"`)."""
    t = ens.topology
    a = ens.arrays()
    X = np.asarray(X, dtype=np.float32).astype(np.float64)
    n, k, w = X.shape[0], t["outputs"], t["leafWidth"]
    dtype = np.float32 if t.get("accumulate") == "float32" else np.float64
    acc = np.tile(np.asarray(t["base"], dtype=dtype), (n, 1))
    rows = np.arange(n)
    for tree in range(t["trees"]):
        node = np.full(n, a["roots"][tree], dtype=np.int64)
        while True:
            f = a["feature"][node]
            active = np.nonzero(f >= 0)[0]
            if active.size == 0:
                break
            nd = node[active]
            v = X[rows[active], f[active]]
            g = a["flags"][nd]
            thr = a["threshold"][nd]
            missing_left = (g & MISSING_LEFT) != 0
            with np.errstate(invalid="ignore"):
                go = v <= thr if t["compare"] == "<=" else v < thr
            cat = (g & CATEGORICAL) != 0
            if cat.any():
                go = np.where(cat, category_left(a["bitsets"], np.where(cat, thr, 0).astype(np.int64), v, missing_left), go)
            go = np.where(np.isnan(v), missing_left, go)
            node[active] = np.where(go, a["left"][nd], a["right"][nd])
        offset = a["left"][node]
        column = a["treeColumn"][tree]
        for j in range(w):
            acc[:, column + j] += a["values"][offset + j].astype(dtype)
    acc = acc.astype(np.float64)
    if t["aggregate"] == "mean":
        acc /= t["trees"]
    if t["link"] == "sigmoid":
        p = 1 / (1 + np.exp(-acc[:, 0]))
        return np.column_stack([1 - p, p])
    if t["link"] == "softmax":
        e = np.exp(acc - acc.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return acc


def write_tree_model(ens, directory, generated_by):
    """Writes model.json (format tree-ensemble) and trees.bin into `directory`; returns the paths."""
    os.makedirs(directory, exist_ok=True)
    arrays = ens.arrays()
    weights = [{"name": name, "shape": [int(arrays[name].size)], "dtype": dtype} for name, _, dtype in ARRAYS]
    document = {
        "format": "tree-ensemble",
        "generatedBy": generated_by,
        "modelTopology": ens.topology,
        "weightsManifest": [{"paths": [SHARD], "weights": weights}],
    }
    model_path = os.path.join(directory, "model.json")
    shard_path = os.path.join(directory, SHARD)
    with open(shard_path, "wb") as f:
        for name, _, _ in ARRAYS:
            f.write(arrays[name].tobytes())
    with open(model_path, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    return [model_path, shard_path]
