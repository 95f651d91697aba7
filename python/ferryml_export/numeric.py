"""SimpleImputer, the scalers and KBinsDiscretizer as schema steps on lanes."""

from dataclasses import replace

import numpy as np

from .errors import UnsupportedError
from .lanes import SCALABLE, check_after, check_numeric, check_values
from .sample import is_missing, to_json


def simple_imputer(t, lanes, path):
    check_values(lanes, path, "SimpleImputer")
    if not is_missing(t.missing_values) or t.missing_values is None:
        raise UnsupportedError(
            path,
            f"SimpleImputer(missing_values={t.missing_values!r}) treats something other than NaN as missing",
            hint="Keep missing_values=np.nan: replace your markers with np.nan before fitting and pass them to "
            "export(..., missing_strings={'column': ['.']}) so the browser treats them as missing too",
        )
    indicated = set()
    if t.add_indicator and t.indicator_ is not None:
        indicated = {int(i) for i in t.indicator_.features_}
    out = []
    for i, lane in enumerate(lanes):
        if lane.steps:
            raise UnsupportedError(
                path,
                f"SimpleImputer comes after {lane.steps[-1]['kind']} on column '{lane.column}'",
                hint="Impute first: a column's SimpleImputer must be its first step",
            )
        value = t.statistics_[i]
        if is_missing(value):
            raise UnsupportedError(
                path,
                f"column '{lane.column}' had no observed value in training, so SimpleImputer drops it",
                hint="Remove the column from the pipeline or use strategy='constant'",
            )
        step = {"kind": "impute", "value": to_json(value)}
        if i in indicated:
            step["indicator"] = True
        out.append(lane.then(step))
    out += [replace(lanes[i], dtype=None, out="indicator", steps=out[i].steps) for i in sorted(indicated)]
    return out


def standard_scaler(t, lanes, path):
    check_numeric(lanes, path, "StandardScaler")
    check_after(lanes, path, "StandardScaler", SCALABLE)
    out = []
    for i, lane in enumerate(lanes):
        mean = float(t.mean_[i]) if t.with_mean and t.mean_ is not None else 0.0
        scale = float(t.scale_[i]) if t.with_std and t.scale_ is not None else 1.0
        out.append(lane.then({"kind": "standardize", "mean": mean, "scale": scale}, dtype="number"))
    return out


def min_max_scaler(t, lanes, path):
    check_numeric(lanes, path, "MinMaxScaler")
    check_after(lanes, path, "MinMaxScaler", SCALABLE)
    out = []
    for i, lane in enumerate(lanes):
        step = {"kind": "minmax", "scale": float(t.scale_[i]), "offset": float(t.min_[i])}
        if t.clip:
            step["clip"] = {"min": float(t.feature_range[0]), "max": float(t.feature_range[1])}
        out.append(lane.then(step, dtype="number"))
    return out


def kbins_discretizer(t, lanes, path):
    check_numeric(lanes, path, "KBinsDiscretizer")
    check_after(lanes, path, "KBinsDiscretizer", SCALABLE)
    encode = "ordinal" if t.encode == "ordinal" else "onehot"
    out = []
    for i, lane in enumerate(lanes):
        edges = [float(e) for e in np.asarray(t.bin_edges_[i])[1:-1]]
        step = {"kind": "bucketize", "edges": edges, "encode": encode}
        if encode == "ordinal":
            out.append(lane.then(step, dtype="number"))
        else:
            base = lane.then(step, dtype=None, out="bucket")
            out += [replace(base, slot=b) for b in range(len(edges) + 1)]
    return out
