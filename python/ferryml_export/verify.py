"""The exporter's own proof, before anything is written: the schema, evaluated here with the
semantics ferryml's TypeScript transform implements, reproduces the ColumnTransformer's output
on every X_sample row, and the dense layers reproduce the estimator on that output."""

import numpy as np

from .columns import category_label
from .errors import SUPPORTED_ESTIMATORS, MismatchError, UnsupportedError
from .estimator import run_layers
from .tree_ensemble import run_trees
from .sample import is_missing

TOLERANCE = 1e-9


def as_float(values):
    """Floats, a missing value as NaN (it only gets here when the column passes missing as NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def column_features(column, values, missing_strings):
    """{feature name: float array} for one schema column over raw values."""
    name = column["name"]
    n = len(values)
    features = {}
    current = np.empty(n, dtype=object)
    for r, v in enumerate(values):
        missing = is_missing(v) or (isinstance(v, str) and v.strip() in missing_strings)
        current[r] = None if missing else v
    # A column whose passthrough lets missing through as NaN: scaling keeps NaN NaN, as in scikit-learn.
    lets_nan = any(s["kind"] == "passthrough" and s.get("missing") == "nan" for s in column["steps"])
    for step in column["steps"]:
        kind = step["kind"]
        if kind == "impute":
            mask = np.array([v is None for v in current])
            if step.get("indicator"):
                features[f"{name}__missing"] = mask.astype(float)
            current = np.array([step["value"] if m else v for v, m in zip(current, mask)], dtype=object)
            continue
        if any(v is None for v in current) and not (kind == "ordinal" and "missing" in step) and not lets_nan:
            raise MismatchError(f"column '{name}': a missing value reaches '{kind}' in X_sample, which ferryml rejects")
        if kind == "standardize":
            current = (as_float(current) - step["mean"]) / step["scale"]
        elif kind == "minmax":
            current = as_float(current) * step["scale"] + step["offset"]
            if "clip" in step:
                current = np.clip(current, step["clip"]["min"], step["clip"]["max"])
        elif kind == "bucketize":
            # scikit-learn 1.2: searchsorted(bin_edges[1:-1], x, side="right"), lower-inclusive, no tolerance
            bins = np.searchsorted(np.asarray(step["edges"], dtype=float), current.astype(float), side="right")
            if step["encode"] == "ordinal":
                current = bins.astype(float)
            else:
                for b in range(len(step["edges"]) + 1):
                    features[f"{name}_{b}"] = (bins == b).astype(float)
                return features
        elif kind == "ordinal":
            index = {c: i for i, c in enumerate(step["categories"])}
            codes = []
            for v in current:
                if v is None:
                    codes.append(step["missing"])
                elif v in index:
                    codes.append(index[v])
                elif step["unknown"] == "error":
                    raise MismatchError(f"column '{name}': unknown category {v!r} in X_sample")
                else:
                    codes.append(step["unknown"]["value"])
            current = np.array(codes, dtype=float)
        elif kind == "onehot":
            for j, c in enumerate(step["categories"]):
                if j != step.get("drop"):
                    features[f"{name}_{category_label(c)}"] = np.array([v == c for v in current], dtype=float)
            return features
        elif kind == "passthrough":
            current = np.array([np.nan if v is None else v for v in current], dtype=float)
    features[name] = current.astype(float)
    return features


def check_schema(schema, sample, expected):
    """Raises MismatchError unless the schema reproduces `expected` (the ColumnTransformer's output)."""
    features = {}
    for column in schema["columns"]:
        strings = set(column.get("missing", {}).get("strings", []))
        features.update(column_features(column, sample.raw[column["name"]], strings))
    missing = [f for f in schema["features"] if f not in features]
    if missing or len(features) != schema["width"]:
        raise MismatchError(f"schema features {missing or sorted(features)} do not match its feature list")
    ours = np.column_stack([features[f] for f in schema["features"]])
    expected = np.asarray(expected, dtype=float)
    if ours.shape != expected.shape:
        raise MismatchError(f"schema emits {ours.shape[1]} features, the ColumnTransformer {expected.shape[1]}")
    worst = (np.abs(ours - expected) > TOLERANCE * (1 + np.abs(expected))) | (np.isnan(ours) != np.isnan(expected))
    if worst.any():
        r, f = map(int, np.argwhere(worst)[0])
        raise MismatchError(
            f"feature '{schema['features'][f]}' on X_sample row {r}: schema gives {ours[r, f]!r}, "
            f"scikit-learn {expected[r, f]!r}"
        )
    return ours


def check_layers(layers, transformed, expected, what):
    """Raises MismatchError unless the dense layers reproduce the estimator's `expected` outputs."""
    ours = run_layers(layers, transformed)
    expected = np.asarray(expected, dtype=float).reshape(ours.shape)
    worst = np.abs(ours - expected) > TOLERANCE * (1 + np.abs(expected))
    if worst.any():
        r, k = map(int, np.argwhere(worst)[0])
        raise MismatchError(f"{what} output {k} on X_sample row {r}: layers give {ours[r, k]!r}, scikit-learn {expected[r, k]!r}")


TREE_TOLERANCE = 1e-6


# From 2^24 on, neighbouring float32 values are 2 or more apart: HistGradientBoosting's float64
# thresholds there (midpoints of the data) can fall between two inputs that round to one float32.
FLOAT32_EXACT = 2.0**24


def coarse_features(ensemble):
    """Feature indices HistGradientBoosting splits at a numeric threshold of magnitude ≥ 2^24."""
    if ensemble.topology["library"] != "scikit-learn-hist":
        return []
    a = ensemble.arrays()
    numeric = (a["feature"] >= 0) & ((a["flags"] & 2) == 0)
    return sorted({int(f) for f in a["feature"][numeric & (np.abs(a["threshold"]) >= FLOAT32_EXACT)]})


def check_trees(ensemble, transformed, expected, what, features=None):
    """Raises MismatchError unless the tree kernel's semantics (on float32 features) reproduce the estimator
    within 1e-6 (probabilities absolute, values relative): a routing difference moves a whole leaf value.
    HistGradientBoosting splitting a feature of magnitude ≥ 2^24 is refused with the fix instead."""
    ours = run_trees(ensemble, transformed)
    expected = np.asarray(expected, dtype=float).reshape(ours.shape)
    worst = ~(np.abs(ours - expected) <= TREE_TOLERANCE * np.maximum(1, np.abs(expected)))
    if worst.any():
        r, k = map(int, np.argwhere(worst)[0])
        coarse = coarse_features(ensemble)
        if coarse:
            names = ", ".join(repr(features[f]) if features else str(f) for f in coarse)
            raise UnsupportedError(
                what,
                f"HistGradientBoosting splits feature {names} at thresholds of magnitude >= 2^24, where float32 inputs "
                f"(ferryml's features) cannot tell neighbouring values apart: output {k} on X_sample row {r} differs "
                f"({ours[r, k]!r}, the estimator {expected[r, k]!r})",
                supported=SUPPORTED_ESTIMATORS,
                hint="Scale or offset this feature (e.g. StandardScaler) before HistGradientBoosting",
            )
        raise MismatchError(f"{what} output {k} on X_sample row {r}: the exported trees give {ours[r, k]!r}, "
                            f"the estimator {expected[r, k]!r} (features are float32 in ferryml)")
