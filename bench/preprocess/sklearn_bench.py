#!/usr/bin/python3
"""scikit-learn side of the `preprocess` benchmark: a ColumnTransformer holding the *same fitted
values* as a ferryml schema.json, timed in-process with time.perf_counter.

The transformers are the ones the schema's semantics are pinned to (SimpleImputer, StandardScaler,
MinMaxScaler, OneHotEncoder, OrdinalEncoder, MissingIndicator, passthrough). Each is fitted on a
tiny frame only to create its attributes, then its fitted attributes are overwritten with the
schema's values, so nothing is refitted and both sides transform with identical constants.
Before timing, the frame is cleaned the way a notebook does it (None and the column's missing
strings → NaN); that cleaning is not timed, only `ColumnTransformer.transform` is.

Usage: sklearn_bench.py schema.json rows.json — then one JSON command per stdin line:
  {"op": "sample", "rows": N, "calls": K}  → {"ms": mean ms per transform of N rows over K calls}
  {"op": "parity", "rows": N}              → {"out": first N transformed rows, schema feature order}
It prints {"ready": true, "sklearn": version, "width": W} first.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler


def label(c):
    return "true" if c is True else "false" if c is False else str(c)


def column_pipeline(col):
    """(sklearn transformer, value feature names) for one schema column."""
    name, steps, kind = col["name"], col["steps"], col["type"]
    parts, names = [], [name]
    for s in steps:
        k = s["kind"]
        if k == "impute":
            parts.append(("impute", SimpleImputer(strategy="constant", fill_value=s["value"])))
        elif k == "standardize":
            parts.append(("scale", ("standardize", s)))
        elif k == "minmax":
            parts.append(("scale", ("minmax", s)))
        elif k == "onehot":
            cats = s["categories"]
            drop = None if s.get("drop") is None else [cats[s["drop"]]]
            parts.append(("encode", OneHotEncoder(categories=[cats], handle_unknown=s["unknown"], drop=drop, sparse_output=False)))
            names = [f"{name}_{label(c)}" for i, c in enumerate(cats) if i != s.get("drop")]
        elif k == "ordinal":
            unknown = s["unknown"]
            kw = {"handle_unknown": "error"} if unknown == "error" else {"handle_unknown": "use_encoded_value", "unknown_value": unknown["value"]}
            if "missing" in s:
                kw["encoded_missing_value"] = s["missing"]
            parts.append(("encode", OrdinalEncoder(categories=[s["categories"]], **kw)))
        elif k == "passthrough":
            pass
        else:
            raise SystemExit(f"sklearn_bench: column {name}: step {k} has no scikit-learn counterpart here")
    built = []
    for key, t in parts:
        if isinstance(t, tuple):
            # Fitted values are written in after ColumnTransformer.fit (it clones transformers).
            which, s = t
            clip = s.get("clip")
            t = StandardScaler() if which == "standardize" else MinMaxScaler(
                clip=clip is not None, feature_range=(clip["min"], clip["max"]) if clip else (0, 1))
        built.append((key, t))
    if not built:
        return "passthrough", names
    return Pipeline(built), names


def build(schema, frame):
    entries, names = [], []
    # Estimator names are positional: sklearn forbids "__" in them, column names may hold it.
    for i, col in enumerate(schema["columns"]):
        if col["type"] == "image":
            raise SystemExit(f"sklearn_bench: column {col['name']} is an image column; the preprocess benchmark is tabular")
        t, n = column_pipeline(col)
        entries.append((f"col{i}", t, [col["name"]]))
        names += n
    for i, col in enumerate(schema["columns"]):
        first = col["steps"][0] if col["steps"] else {}
        if first.get("kind") == "impute" and first.get("indicator"):
            entries.append((f"missing{i}", MissingIndicator(features="all"), [col["name"]]))
            names.append(f"{col['name']}__missing")
    ct = ColumnTransformer(entries, remainder="drop", sparse_threshold=0)
    ct.fit(frame)  # creates the attributes; the scalers' fitted values are replaced next
    for i, col in enumerate(schema["columns"]):
        fitted = ct.named_transformers_[f"col{i}"]
        for s in col["steps"]:
            if s["kind"] == "standardize":
                sc = fitted.named_steps["scale"]
                sc.mean_, sc.scale_, sc.var_ = np.array([s["mean"]]), np.array([s["scale"]]), np.array([s["scale"] ** 2])
            elif s["kind"] == "minmax":
                sc = fitted.named_steps["scale"]
                sc.scale_, sc.min_ = np.array([s["scale"]]), np.array([s["offset"]])
    order = [names.index(f) for f in schema["features"]]
    return ct, (None if order == list(range(len(order))) else np.array(order))


def clean(schema, rows):
    frame = pd.DataFrame.from_records(rows)
    for col in schema["columns"]:
        name = col["name"]
        if name not in frame:
            frame[name] = np.nan
        s = frame[name].astype(object).where(frame[name].notna(), np.nan)
        strings = set((col.get("missing") or {}).get("strings", []))
        if strings:
            s = s.map(lambda v: np.nan if isinstance(v, str) and v.strip() in strings else v)
        if col["type"] == "number":
            s = pd.to_numeric(s)
        frame[name] = s
    return frame[[c["name"] for c in schema["columns"]]]


def main():
    schema = json.load(open(sys.argv[1]))
    rows = json.load(open(sys.argv[2]))
    frame = clean(schema, rows)
    ct, order = build(schema, frame)
    big = pd.concat([frame] * (100_000 // len(frame) + 1), ignore_index=True)
    frames = {}

    def rows_frame(n):
        if n not in frames:
            frames[n] = big.iloc[:n].copy()
        return frames[n]

    def transform(f):
        out = ct.transform(f)
        return out if order is None else out[:, order]

    print(json.dumps({"ready": True, "sklearn": sklearn.__version__, "width": len(schema["features"])}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        f = rows_frame(cmd["rows"])
        if cmd["op"] == "sample":
            calls = cmd.get("calls", 1)
            t0 = time.perf_counter()
            for _ in range(calls):
                transform(f)
            print(json.dumps({"ms": (time.perf_counter() - t0) * 1000 / calls}), flush=True)
        elif cmd["op"] == "parity":
            print(json.dumps({"out": transform(f).astype(np.float32).tolist()}), flush=True)
        else:
            print(json.dumps({"error": f"unknown op {cmd['op']}"}), flush=True)


if __name__ == "__main__":
    main()
