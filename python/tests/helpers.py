"""Small fixtures for the unit tests: a tiny mixed table and a temp-dir export wrapper."""

import atexit
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from ferryml_export import export  # noqa: E402


def table(n=60, seed=0):
    """Numbers with a few NaN, a text column with a NaN, a boolean, and a binary label."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "a": rng.normal(10, 3, n),
        "b": rng.uniform(0, 100, n),
        "c": rng.choice(["x", "y", "z"], n).astype(object),
        "d": rng.integers(1, 4, n),
    })
    df.loc[[3, 17], "a"] = np.nan
    df.loc[[5], "c"] = np.nan
    y = np.where(df["b"].to_numpy() + rng.normal(0, 20, n) > 50, "hi", "lo")
    return df, y


def export_to_temp(pipeline, X, **kw):
    """Runs export() into a fresh temp dir; returns (result or exception, dir, files written)."""
    tmp = tempfile.mkdtemp(prefix="ferryml-export-test-")
    atexit.register(shutil.rmtree, tmp, True)  # callers read the files after this returns
    out = os.path.join(tmp, "out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = export(pipeline, X, out, name="t", **kw)
    return result, out
