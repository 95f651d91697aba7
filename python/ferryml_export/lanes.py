"""Symbolic transform: each fitted transformer maps input lanes to output lanes.

A lane is one column of data flowing through a ColumnTransformer branch: which raw input column
it came from, the fitted schema steps applied so far, and what it is now (a value, a missing
indicator, or one slot of a one-hot encoding). Following lanes instead of arrays lets the exporter
write each raw column's steps *and* the exact output order ColumnTransformer produces.
"""

from dataclasses import dataclass, field, replace

from .errors import UnsupportedError


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
