"""Helpers shared by the end-to-end cases."""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder


def with_holes(df, columns, share, seed):
    """A copy with `share` of the rows missing one value among `columns` (deterministic)."""
    rng = np.random.default_rng(seed)
    out = df.copy()
    rows = rng.choice(len(out), size=int(len(out) * share), replace=False)
    for r in rows:
        out.iloc[r, out.columns.get_loc(rng.choice(columns))] = np.nan
    return out


def dense(transformers, **kw):
    return ColumnTransformer(transformers, sparse_threshold=0, **kw)


def ohe(**kw):
    return OneHotEncoder(sparse_output=False, **kw)
