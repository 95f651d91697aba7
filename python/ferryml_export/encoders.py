"""OneHotEncoder and OrdinalEncoder as schema steps on lanes."""

from dataclasses import replace

from .errors import UnsupportedError
from .lanes import check_after, check_values, class_name
from .sample import is_missing, to_json


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


def check_fill(step, lane, path):
    """An imputed value the encoder rejects as unknown would turn every missing value into an error,
    which the SDK refuses at load time (SCHEMA_INVALID): refuse it here, naming the fix."""
    fill = next((s["value"] for s in lane.steps if s["kind"] == "impute"), None)
    if fill is not None and step["unknown"] == "error" and fill not in step["categories"]:
        raise UnsupportedError(
            path,
            f"the imputed value {fill!r} of column '{lane.column}' is not among the encoder's categories {step['categories']} "
            "and handle_unknown='error', so every missing value would be rejected",
            hint="Fit with handle_unknown='ignore' (or use_encoded_value), or fit on data with missing values so the fill value is learned",
        )


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
        check_fill(step, lane, path)
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
        check_fill(step, lane, path)
        out.append(lane.then(step, dtype="number"))
    return out
