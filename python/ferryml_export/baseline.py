"""Drift baselines from X_sample: training deciles (numbers) or category shares, plus the missing share."""

import numpy as np

from .sample import is_missing, to_json


def numeric_baseline(values):
    """Deciles as inner edges (deduplicated), lower-inclusive bin shares like the schema's `bucketize`."""
    rows = len(values)
    present = np.array([float(v) for v in values if not is_missing(v)], dtype=float)
    if present.size == 0:
        return {"kind": "numeric", "edges": [], "shares": [1.0], "missing": 1.0 if rows else 0.0, "rows": rows}
    edges = np.unique(np.quantile(present, np.linspace(0.1, 0.9, 9)))
    # bin i holds edges[i-1] <= x < edges[i]: the number of edges <= x
    bins = np.searchsorted(edges, present, side="right")
    counts = np.bincount(bins, minlength=edges.size + 1)
    return {
        "kind": "numeric",
        "edges": [float(e) for e in edges],
        "shares": [float(c) / present.size for c in counts],
        "missing": float(rows - present.size) / rows,
        "rows": rows,
    }


def categorical_baseline(values, categories=None):
    """Shares of each category among present values; `categories` defaults to the sorted values seen."""
    rows = len(values)
    present = [to_json(v) for v in values if not is_missing(v)]
    if categories is None:
        categories = sorted(set(present), key=lambda c: (str(type(c)), c))
    counts = {c: 0 for c in categories}
    for v in present:
        if v in counts:
            counts[v] += 1
    total = len(present) or 1
    return {
        "kind": "categorical",
        "categories": list(categories),
        "shares": [counts[c] / total for c in categories],
        "missing": float(rows - len(present)) / rows if rows else 0.0,
        "rows": rows,
    }


def baseline(column, values):
    """The baseline for one schema column, from its (normalised) sample values."""
    if column["type"] == "number":
        return numeric_baseline(values)
    encoders = [s for s in column["steps"] if s["kind"] in ("onehot", "ordinal")]
    categories = encoders[0]["categories"] if encoders else None
    if column["type"] == "boolean" and categories is None:
        categories = [False, True]
    return categorical_baseline(values, categories)
