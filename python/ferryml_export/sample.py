"""X_sample handling: one table type for DataFrames and arrays, missing-value normalisation, JSON rows.

scikit-learn 1.2's SimpleImputer(missing_values=np.nan) does not treat Python `None` as missing in
object columns (its mask is `X != X`), while ferryml treats `null` as missing everywhere. So every
`None`, and every string the caller declared missing (`missing_strings`), becomes `np.nan` here
before the pipeline sees a row: the notebook must do the same before fitting (README, "From a notebook").
"""

import math
import numbers

import numpy as np


def is_missing(value):
    """True for None, float NaN (also numpy's) and pandas' NA/NaT: what ferryml's schema treats as missing."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


class Sample:
    """The caller's X_sample as columns, normalised so that missing is np.nan everywhere.

    `frame` is what the pipeline is called with (a DataFrame when the caller gave one, else a 2-d
    array), `names` the pipeline's input column names, `raw` the caller's original values per column
    (missing strings kept, as the browser will see them).
    """

    def __init__(self, X, names, missing_strings):
        self.names = list(names)
        self.missing_strings = {k: list(v) for k, v in (missing_strings or {}).items()}
        unknown = sorted(set(self.missing_strings) - set(self.names))
        if unknown:
            raise ValueError(f"missing_strings names columns the pipeline does not take: {unknown}")
        self.is_frame = hasattr(X, "iloc") and hasattr(X, "columns")
        if self.is_frame:
            absent = [n for n in self.names if n not in X.columns]
            if absent:
                raise ValueError(f"X_sample lacks the pipeline's input columns {absent}")
            frame = X[self.names].copy()
            self.raw = {n: frame[n].to_numpy() for n in self.names}
            for n in self.names:
                dtype = str(frame[n].dtype)
                if frame[n].dtype == object or dtype == "string":
                    frame[n] = frame[n].astype(object).map(self._normaliser(n)).astype(object)
                elif dtype.startswith(("Int", "UInt", "Float")):
                    frame[n] = frame[n].astype("float64")  # pandas' nullable numbers: pd.NA → NaN
            self.frame = frame
        else:
            array = np.asarray(X)
            if array.ndim != 2 or array.shape[1] != len(self.names):
                raise ValueError(f"X_sample must be 2-d with {len(self.names)} columns, got shape {array.shape}")
            self.raw = {n: array[:, j] for j, n in enumerate(self.names)}
            if array.dtype == object:
                array = array.copy()
                for j, n in enumerate(self.names):
                    array[:, j] = [self._normaliser(n)(v) for v in array[:, j]]
            self.frame = array
        self.rows = len(self.frame)
        if self.rows == 0:
            raise ValueError("X_sample has no rows")

    def _normaliser(self, name):
        strings = set(self.missing_strings.get(name, []))

        def normalise(value):
            if value is None or type(value).__name__ == "NAType":
                return np.nan
            if isinstance(value, str) and value.strip() in strings:
                return np.nan
            return value

        return normalise

    def column(self, name):
        """The normalised values of one column (missing = np.nan) as a 1-d object-or-float array."""
        if self.is_frame:
            return self.frame[name].to_numpy()
        return self.frame[:, self.names.index(name)]

    def kind(self, name):
        """'number', 'bool' or 'text': how the column arrives, from its dtype and values."""
        values = self.column(name)
        if values.dtype.kind in "fiu":
            return "number"
        if values.dtype.kind == "b":
            return "bool"
        present = [v for v in values if not is_missing(v)]
        if present and all(isinstance(v, (bool, np.bool_)) for v in present):
            return "bool"
        if present and all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in present):
            return "number"
        return "text"

    def take(self, indices):
        """The pipeline input for the given row positions."""
        if self.is_frame:
            return self.frame.iloc[list(indices)]
        return self.frame[list(indices)]

    def with_rows(self, rows):
        """The pipeline input for JSON rows (dicts), missing as np.nan, in the pipeline's column order."""
        normalisers = [self._normaliser(n) for n in self.names]
        table = [[np.nan if is_missing(r.get(n)) else f(r.get(n)) for n, f in zip(self.names, normalisers)] for r in rows]
        if self.is_frame:
            import pandas as pd

            frame = pd.DataFrame(table, columns=self.names)
            for n in self.names:
                # keep each column's training dtype: numeric stays numeric, text stays object
                # (a column of only nulls would otherwise become float64 and break the encoders)
                if self.frame[n].dtype == object:
                    frame[n] = frame[n].astype(object)
                elif self.frame[n].dtype.kind in "fiu" and frame[n].dtype == object:
                    frame[n] = frame[n].astype(float)
            return frame
        return np.array(table, dtype=self.frame.dtype if self.frame.dtype != object else object)

    def json_row(self, index, columns):
        """Row `index` as a JSON-ready dict of the given columns, with the caller's raw values (missing → null)."""
        return {n: to_json(self.raw[n][index]) for n in columns}


def to_json(value):
    """A numpy or Python scalar as a JSON value; NaN and None become null."""
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        value = float(value)
        if math.isinf(value):
            raise ValueError("X_sample holds an infinite value; ferryml rejects ±Infinity as input")
        return value
    if isinstance(value, str):
        return value
    raise ValueError(f"cannot write {type(value).__name__} value {value!r} to JSON")
