"""ColumnTransformer → schema columns and the output feature order."""

import re
from decimal import Decimal

from .errors import UnsupportedError
from .convert import convert
from .lanes import Lane, class_name


def feature_name(lane):
    """The schema's name for the feature a lane emits (one naming rule, shared with src/schema)."""
    if lane.out == "indicator":
        return f"{lane.column}__missing"
    if lane.out in ("onehot", "bucket"):
        step = lane.steps[-1]
        label = step["categories"][lane.slot] if lane.out == "onehot" else lane.slot
        return f"{lane.column}_{category_label(label)}"
    return lane.column


def category_label(value):
    """A category as JavaScript's String(value) renders it (src/schema/values.ts categoryLabel)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    return str(value)


def js_number(x):
    """Number.prototype.toString for a finite float: shortest digits, JavaScript's exponent rules."""
    if x == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    digits = "".join(map(str, digits))
    k = len(digits)
    n = exponent + k  # value = 0.digits × 10^n
    body = ""
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        body = (digits[0] + ("." + digits[1:] if k > 1 else "")) + ("e+" if e >= 0 else "e-") + str(abs(e))
    return ("-" if sign else "") + body


def walk(ct, names, kinds, path):
    """Returns the output lanes of a fitted ColumnTransformer, in its output order, and {column: branch name}.

    `names` are the raw input column names (feature_names_in_), `kinds` their value kinds.
    """
    if class_name(ct) != "ColumnTransformer":
        raise UnsupportedError(path, f"expected a ColumnTransformer, got {class_name(ct)}")
    if getattr(ct, "sparse_output_", False):
        raise UnsupportedError(
            path,
            "the ColumnTransformer outputs a sparse matrix",
            hint="Fit with ColumnTransformer(..., sparse_threshold=0) or OneHotEncoder(sparse_output=False)",
        )
    weights = ct.transformer_weights or {}
    owners = {}
    lanes = []
    for name, transformer, _ in ct.transformers_:
        indices = list(ct._transformer_to_input_indices.get(name, []))
        if not indices or (isinstance(transformer, str) and transformer == "drop"):
            continue
        step_path = f"{path}/{name}"
        if weights.get(name, 1) != 1:
            raise UnsupportedError(step_path, f"transformer_weights multiplies this branch by {weights[name]}")
        for i in indices:
            if i in owners:
                raise UnsupportedError(
                    step_path,
                    f"column '{names[i]}' is also used by '{owners[i]}'; the schema gives each raw column one chain of steps",
                    hint="Use each column in one transformer only",
                )
            owners[i] = name
        inputs = [Lane(column=names[i], dtype=kinds[i]) for i in indices]
        lanes += convert(transformer, inputs, step_path)
    for lane in lanes:
        if lane.out == "value" and lane.dtype == "text":
            where = owners[names.index(lane.column)]
            raise UnsupportedError(
                f"{path}/{where}",
                f"text column '{lane.column}' reaches the estimator unencoded",
                hint="Encode it with OneHotEncoder or OrdinalEncoder",
            )
    if not lanes:
        raise UnsupportedError(path, "the ColumnTransformer outputs no features")
    return lanes, {names[i]: owner for i, owner in owners.items()}


COLUMN_TYPES = {"number": "number", "bool": "boolean", "text": "category"}

# The step orders src/schema/check.ts accepts, per column type (the lanes refuse most earlier, naming the step).
STEP_ORDER = {
    "category": re.compile(r"^(impute )?(onehot |ordinal )$"),
    "boolean": re.compile(r"^(impute )?((standardize |minmax )*(passthrough )?|onehot |ordinal )$"),
    "number": re.compile(r"^(impute )?((standardize |minmax )*(passthrough |bucketize )?|onehot |ordinal )$"),
}


def schema_columns(lanes, names, kinds, owners, path, missing_nan=False):
    """One schema column per raw column that reaches the model, in raw input order.

    With `missing_nan` (a tree model that routes missing values), a numeric column without an
    imputer or encoder passes a missing value to the model as NaN, as scikit-learn does.
    """
    by_column = {}
    for lane in lanes:
        if lane.out != "indicator" or lane.column not in by_column:
            by_column[lane.column] = lane.steps
    columns = []
    for name, kind in zip(names, kinds):
        if name not in by_column:
            continue
        steps = [dict(s) for s in by_column[name]] or [{"kind": "passthrough"}]
        column = {"name": name, "type": COLUMN_TYPES[kind]}
        order = "".join(f"{s['kind']} " for s in steps)
        if not STEP_ORDER[column["type"]].match(order):
            raise UnsupportedError(
                f"{path}/{owners[name]}",
                f"the steps [{order.strip().replace(' ', ', ')}] of {column['type']} column '{name}' have no schema equivalent",
            )
        if missing_nan and column["type"] == "number" and all(s["kind"] in ("standardize", "minmax", "passthrough") for s in steps):
            steps = [s for s in steps if s["kind"] != "passthrough"] + [{"kind": "passthrough", "missing": "nan"}]
        handles_missing = steps[0]["kind"] == "impute" or any("missing" in s for s in steps if s["kind"] in ("ordinal", "passthrough"))
        if handles_missing:
            column["required"] = False
        column["steps"] = steps
        columns.append(column)
    return columns
