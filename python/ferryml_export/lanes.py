"""Symbolic transform: each fitted transformer maps input lanes to output lanes.

A lane is one column of data flowing through a ColumnTransformer branch: which raw input column
it came from, the fitted schema steps applied so far, and what it is now (a value, a missing
indicator, or one slot of a one-hot encoding). Following lanes instead of arrays lets the exporter
write each raw column's steps *and* the exact output order ColumnTransformer produces.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from .errors import UnsupportedError
from .sample import is_missing, to_json


@dataclass(frozen=True)
class Lane:
    column: str
    #: 'number', 'bool' or 'text' while the lane holds a value; None for terminal lanes
    dtype: str
    steps: tuple = field(default_factory=tuple)
    #: 'value', 'indicator' (SimpleImputer add_indicator), 'onehot' or 'bucket' (one slot each)
    out: str = "value"
    slot: int = 0

    def then(self, step, **changes):
        return replace(self, steps=self.steps + (step,), **changes)


def class_name(obj):
    return type(obj).__name__


def check_values(lanes, path, what):
    """Refuse lanes that are no longer plain values (an indicator or a one-hot slot) entering `what`."""
    for lane in lanes:
        if lane.out == "indicator":
            raise UnsupportedError(
                path,
                f"the missing indicator of column '{lane.column}' (SimpleImputer add_indicator=True) flows into {what}; "
                "the schema emits the indicator as a raw 0/1 feature",
                hint="Use add_indicator=True only where SimpleImputer is the last step of its column "
                "(e.g. for an unscaled column), or drop add_indicator",
            )
        if lane.out in ("onehot", "bucket"):
            raise UnsupportedError(
                path,
                f"the one-hot output of column '{lane.column}' flows into {what}",
                hint="Encoders (OneHotEncoder, KBinsDiscretizer with encode='onehot') must be the last step of their column",
            )


def check_numeric(lanes, path, what):
    check_values(lanes, path, what)
    for lane in lanes:
        if lane.dtype == "text":
            raise UnsupportedError(path, f"{what} receives text column '{lane.column}'")


def check_after(lanes, path, what, allowed):
    """Refuse a step whose column already went through a step the schema does not allow before it."""
    for lane in lanes:
        earlier = [s["kind"] for s in lane.steps if s["kind"] not in allowed]
        if earlier:
            raise UnsupportedError(
                path,
                f"{what} comes after a {earlier[-1]} step on column '{lane.column}'",
                hint="A column's steps must read: optional SimpleImputer, then either an encoder "
                "(OneHotEncoder/OrdinalEncoder), or scalers (StandardScaler/MinMaxScaler) optionally followed by KBinsDiscretizer",
            )


SCALABLE = ("impute", "standardize", "minmax")


def check_width(transformer, lanes, path):
    n = getattr(transformer, "n_features_in_", None)
    if n is not None and n != len(lanes):
        raise UnsupportedError(path, f"{class_name(transformer)} was fitted on {n} columns but receives {len(lanes)}")


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


def categories_of(t, i, lane, path, allow_nan_last=False):
    cats = list(t.categories_[i])
    bad = [j for j, c in enumerate(cats) if is_missing(c)]
    if bad and not (allow_nan_last and bad == [len(cats) - 1] and cats[-1] is not None):
        raise UnsupportedError(
            path,
            f"{class_name(t)} learned a missing value (None/NaN) as a category of column '{lane.column}'",
            hint="Convert None to np.nan and put a SimpleImputer before the encoder"
            + ("" if allow_nan_last else ", or use OrdinalEncoder(encoded_missing_value=...)"),
        )
    return [to_json(c) for c in cats if not is_missing(c)], bool(bad)


def one_hot_encoder(t, lanes, path):
    check_values(lanes, path, "OneHotEncoder")
    check_after(lanes, path, "OneHotEncoder", ("impute",))
    infrequent = getattr(t, "_infrequent_enabled", False) and any(
        c is not None for c in getattr(t, "infrequent_categories_", [])
    )
    if infrequent:
        raise UnsupportedError(
            path,
            "OneHotEncoder grouped infrequent categories (min_frequency/max_categories)",
            hint="Fit without min_frequency and max_categories",
        )
    unknown = "error" if t.handle_unknown == "error" else "ignore"
    drops = t.drop_idx_
    out = []
    for i, lane in enumerate(lanes):
        cats, _ = categories_of(t, i, lane, path)
        step = {"kind": "onehot", "categories": cats, "unknown": unknown}
        drop = None if drops is None else drops[i]
        if drop is not None:
            step["drop"] = int(drop)
        base = lane.then(step, dtype=None, out="onehot")
        out += [replace(base, slot=j) for j in range(len(cats)) if j != step.get("drop")]
    return out


def ordinal_encoder(t, lanes, path):
    check_values(lanes, path, "OrdinalEncoder")
    check_after(lanes, path, "OrdinalEncoder", ("impute",))
    out = []
    for i, lane in enumerate(lanes):
        cats, learned_nan = categories_of(t, i, lane, path, allow_nan_last=True)
        step = {"kind": "ordinal", "categories": cats}
        if t.handle_unknown == "use_encoded_value":
            if is_missing(t.unknown_value):
                raise UnsupportedError(
                    path, "OrdinalEncoder(unknown_value=np.nan) would feed NaN to the model", hint="Use an integer unknown_value such as -1"
                )
            step["unknown"] = {"value": int(t.unknown_value)}
        else:
            step["unknown"] = "error"
        if learned_nan:
            if is_missing(t.encoded_missing_value):
                raise UnsupportedError(
                    path,
                    f"OrdinalEncoder encodes the missing values of column '{lane.column}' as NaN, which the model cannot take",
                    hint="Set encoded_missing_value to an integer such as -1, or impute first",
                )
            step["missing"] = int(t.encoded_missing_value)
        elif t.handle_unknown == "use_encoded_value":
            # A NaN never seen in training is an unknown category to scikit-learn: it gets unknown_value.
            step["missing"] = int(t.unknown_value)
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


HANDLERS = {
    "SimpleImputer": simple_imputer,
    "StandardScaler": standard_scaler,
    "MinMaxScaler": min_max_scaler,
    "OneHotEncoder": one_hot_encoder,
    "OrdinalEncoder": ordinal_encoder,
    "KBinsDiscretizer": kbins_discretizer,
}

REFUSALS = {
    "FunctionTransformer": "FunctionTransformer runs arbitrary Python ({func}) that the browser cannot reproduce",
    "PolynomialFeatures": "PolynomialFeatures creates products of several columns; a schema step sees one column",
    "ColumnTransformer": "a ColumnTransformer nested inside another cannot be expressed as per-column steps",
    "FeatureUnion": "FeatureUnion sends one column through several transformers",
    "MissingIndicator": "a standalone MissingIndicator is not supported",
    "RobustScaler": "RobustScaler is not a schema step",
    "MaxAbsScaler": "MaxAbsScaler is not a schema step",
    "Normalizer": "Normalizer scales each row by its norm across columns",
    "QuantileTransformer": "QuantileTransformer is not a schema step",
    "PowerTransformer": "PowerTransformer is not a schema step",
    "KNNImputer": "KNNImputer imputes from other rows, which the browser does not have",
    "IterativeImputer": "IterativeImputer fits a model across columns",
    "PCA": "PCA mixes columns",
}


def convert(transformer, lanes, path):
    """Applies one fitted transformer (or 'passthrough', or a Pipeline of them) to lanes."""
    if transformer is None or (isinstance(transformer, str) and transformer == "passthrough"):
        return lanes
    name = class_name(transformer)
    if name == "Pipeline":
        for step_name, step in transformer.steps:
            lanes = convert(step, lanes, f"{path}/{step_name}")
        return lanes
    if name == "FunctionTransformer" and transformer.func is None:
        return lanes
    if hasattr(transformer, "transform"):
        check_width(transformer, lanes, path)
    if name in HANDLERS:
        return HANDLERS[name](transformer, lanes, path)
    if name in REFUSALS:
        func = getattr(transformer, "func", None)
        problem = REFUSALS[name].format(func=getattr(func, "__name__", repr(func)))
        raise UnsupportedError(path, problem)
    raise UnsupportedError(path, f"{name} is not a supported transformer")
