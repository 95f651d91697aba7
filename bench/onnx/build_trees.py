"""Bench item `trees`: a 100-tree depth-8 RandomForestClassifier and a 200-round depth-3
GradientBoostingClassifier on breast cancer, exported with ferryml_export and packed; the same
trees as ONNX-ML TreeEnsembleClassifier built from each bundle's arrays with the `onnx` package;
and scikit-learn's own predict_proba timed in-process (1 row per call; one 100,000-row batch).

    /usr/bin/python3 bench/onnx/build_trees.py OUT_DIR      (writes OUT_DIR/{models/, *.onnx, trees.json})
"""

import json
import os
import shutil
import statistics
import sys
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from ferryml_export import export  # noqa: E402

BATCH = 100_000


def read_bundle(directory):
    model = json.load(open(os.path.join(directory, "model.json")))
    raw = open(os.path.join(directory, "trees.bin"), "rb").read()
    arrays, offset = {}, 0
    for w in model["weightsManifest"][0]["weights"]:
        dtype = {"int32": "<i4", "float64": "<f8", "uint8": "u1", "uint32": "<u4"}[w["dtype"]]
        n = int(np.prod(w["shape"]))
        arrays[w["name"]] = np.frombuffer(raw, dtype=dtype, count=n, offset=offset)
        offset += n * np.dtype(dtype).itemsize
    return model["modelTopology"], arrays


def to_onnx(directory, path):
    """ONNX-ML trees from a bundle (numeric `<=` splits; no categorical or NaN routing needed here)."""
    t, a = read_bundle(directory)
    k = t["outputs"]
    nodes = {key: [] for key in ("treeids", "nodeids", "featureids", "values", "modes", "true", "false")}
    cls = {key: [] for key in ("treeids", "nodeids", "ids", "weights")}
    roots = list(a["roots"]) + [len(a["feature"])]
    for tree in range(t["trees"]):
        for n in range(roots[tree], roots[tree + 1]):
            local = n - roots[tree]
            leaf = a["feature"][n] < 0
            nodes["treeids"].append(tree)
            nodes["nodeids"].append(local)
            nodes["featureids"].append(0 if leaf else int(a["feature"][n]))
            nodes["values"].append(0.0 if leaf else float(a["threshold"][n]))
            nodes["modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            nodes["true"].append(0 if leaf else int(a["left"][n]) - roots[tree])
            nodes["false"].append(0 if leaf else int(a["right"][n]) - roots[tree])
            if leaf:
                off = int(a["left"][n])
                scale = 1.0 / t["trees"] if t["aggregate"] == "mean" else 1.0
                for j in range(t["leafWidth"]):
                    cls["treeids"].append(tree)
                    cls["nodeids"].append(local)
                    cls["ids"].append(int(a["treeColumn"][tree]) + j)
                    cls["weights"].append(float(a["values"][off + j]) * scale)
    binary = t["link"] == "sigmoid"
    width = t["features"]
    if t["aggregate"] == "mean":
        # A forest's averaged class shares: TreeEnsembleRegressor with one target per class sums the
        # pre-divided leaf shares exactly (ORT's classifier treats two-class weights as a binary score).
        node = helper.make_node(
            "TreeEnsembleRegressor", ["input"], ["output"], domain="ai.onnx.ml",
            nodes_treeids=nodes["treeids"], nodes_nodeids=nodes["nodeids"], nodes_featureids=nodes["featureids"],
            nodes_values=nodes["values"], nodes_modes=nodes["modes"], nodes_truenodeids=nodes["true"],
            nodes_falsenodeids=nodes["false"], nodes_missing_value_tracks_true=[0] * len(nodes["treeids"]),
            target_treeids=cls["treeids"], target_nodeids=cls["nodeids"], target_ids=cls["ids"], target_weights=cls["weights"],
            n_targets=k, aggregate_function="SUM", post_transform="NONE",
        )
        graph = helper.make_graph([node], "trees", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, width])],
                                  [helper.make_tensor_value_info("output", TensorProto.FLOAT, [None, k])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, path)
        return
    attrs = dict(
        nodes_treeids=nodes["treeids"], nodes_nodeids=nodes["nodeids"], nodes_featureids=nodes["featureids"],
        nodes_values=nodes["values"], nodes_modes=nodes["modes"], nodes_truenodeids=nodes["true"],
        nodes_falsenodeids=nodes["false"], nodes_missing_value_tracks_true=[0] * len(nodes["treeids"]),
        class_treeids=cls["treeids"], class_nodeids=cls["nodeids"], class_ids=cls["ids"], class_weights=cls["weights"],
        classlabels_int64s=list(range(2 if binary else k)),
        post_transform={"identity": "NONE", "sigmoid": "LOGISTIC", "softmax": "SOFTMAX"}[t["link"]],
        base_values=[float(b) for b in t["base"]],
    )
    node = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "output"], domain="ai.onnx.ml", **attrs)
    n_out = 2 if binary else k
    graph = helper.make_graph([node], "trees", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, width])],
                              [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                               helper.make_tensor_value_info("output", TensorProto.FLOAT, [None, n_out])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def timed(f, repeat):
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main(out):
    # A fresh directory per run: bundle versions are immutable, `ferryml pack` refuses to overwrite.
    shutil.rmtree(out, ignore_errors=True)
    os.environ.setdefault("FERRYML_CLI", f"node --import tsx {os.path.join(ROOT, 'src', 'node', 'cli.ts')}")
    data = load_breast_cancer(as_frame=True)
    X, y = data.data, data.target.map(dict(enumerate(data.target_names)))
    ct = ColumnTransformer([("all", SimpleImputer(), list(X.columns))], sparse_threshold=0)
    models = {
        "trees-rf": RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=1),
        "trees-gb": GradientBoostingClassifier(n_estimators=200, max_depth=3, random_state=0),
    }
    big = pd.concat([X] * (BATCH // len(X) + 1), ignore_index=True).iloc[:BATCH]
    report = {"rows": X.astype(float).values.tolist()[:], "columns": list(X.columns), "batch": BATCH, "models": {}}
    for name, est in models.items():
        pipeline = Pipeline([("preprocess", ct), ("classify", est)]).fit(X, y)
        export(pipeline, X, os.path.join(out, "export", name), name=name, version="1.0.0", label="diagnosis",
               pack=True, models_dir=os.path.join(out, "models"))
        bundle = os.path.join(out, "models", name, "1.0.0")
        to_onnx(bundle, os.path.join(out, f"{name}.onnx"))
        one = X.iloc[:1]
        pipeline.predict_proba(one)
        report["models"][name] = {
            "sklearnPerCallMs": timed(lambda: pipeline.predict_proba(one), 200),
            "sklearnBatchMs": timed(lambda: pipeline.predict_proba(big), 3),
            "expected": pipeline.predict_proba(X).tolist(),
            "nodes": int(sum(e.tree_.node_count for e in np.ravel(est.estimators_))),
        }
    json.dump(report, open(os.path.join(out, "trees.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])
