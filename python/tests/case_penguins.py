"""Penguins (vega-datasets): nulls in every numeric column and in Sex, plus a stray "." in Sex."""

import os

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, KBinsDiscretizer, MinMaxScaler, OrdinalEncoder, StandardScaler

from case_common import dense, ohe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PENGUINS = os.path.join(ROOT, "node_modules", "vega-datasets", "data", "penguins.json")
NUM = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]


def penguins():
    """The raw penguins table: nulls in every numeric column and in Sex, plus a stray '.' in Sex.

    None → np.nan: scikit-learn 1.2's SimpleImputer does not see None as missing in object columns.
    """
    df = pd.read_json(PENGUINS)
    return df.replace({None: np.nan})


def case_penguins_logreg():
    df = penguins()
    y = df.pop("Species")
    # the notebook maps Sex "." to missing; export() is told so through missing_strings
    X = df.replace({"Sex": {".": np.nan}})
    ct = dense([
        ("beak", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUM[:2]),
        ("flipper", SimpleImputer(strategy="mean", add_indicator=True), [NUM[2]]),
        ("mass", make_pipeline(SimpleImputer(), MinMaxScaler(clip=True)), [NUM[3]]),
        ("island", ohe(handle_unknown="ignore"), ["Island"]),
        ("sex", make_pipeline(SimpleImputer(strategy="most_frequent"), ohe(drop="if_binary", handle_unknown="ignore")), ["Sex"]),
    ])
    model = Pipeline([("preprocess", ct), ("classify", LogisticRegression(max_iter=5000))])
    extra = [
        {"Island": "Atlantis", "Beak Length (mm)": 45.0, "Beak Depth (mm)": 17.0, "Flipper Length (mm)": 200, "Body Mass (g)": 4200, "Sex": "MALE"},
        {"Island": "Dream", "Beak Length (mm)": None, "Beak Depth (mm)": None, "Flipper Length (mm)": None, "Body Mass (g)": None, "Sex": None},
        {"Island": "Biscoe", "Beak Length (mm)": 50.0, "Beak Depth (mm)": 15.0, "Flipper Length (mm)": 220, "Body Mass (g)": 9000, "Sex": "."},
        {"Island": "Torgersen", "Beak Length (mm)": 38.0, "Beak Depth (mm)": 18.0, "Flipper Length (mm)": 185, "Body Mass (g)": 3500, "Sex": "UNKNOWN"},
    ]
    return dict(model=model, X=X, y=y, raw=df, extra=extra, label="Species", missing_strings={"Sex": ["."]})


def case_penguins_mlp():
    df = penguins()
    y = df.pop("Species")
    ct = dense([
        ("codes", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2), ["Island", "Sex"]),
        ("flipper", make_pipeline(SimpleImputer(strategy="median"), KBinsDiscretizer(n_bins=4, encode="onehot-dense", strategy="quantile")), [NUM[2]]),
        ("beak", make_pipeline(SimpleImputer(), StandardScaler()), NUM[:2]),
    ], remainder=make_pipeline(SimpleImputer(strategy="constant", fill_value=4000), StandardScaler(), FunctionTransformer()))
    mlp = MLPClassifier(hidden_layer_sizes=(12,), activation="tanh", max_iter=3000, random_state=0)
    model = Pipeline([("preprocess", ct), ("classify", mlp)])
    extra = [
        {"Island": "Atlantis", "Beak Length (mm)": 45.0, "Beak Depth (mm)": 17.0, "Flipper Length (mm)": 200, "Body Mass (g)": 4200, "Sex": "?"},
        {"Island": None, "Beak Length (mm)": None, "Beak Depth (mm)": None, "Flipper Length (mm)": None, "Body Mass (g)": None, "Sex": None},
    ]
    return dict(model=model, X=df, y=y, raw=df, extra=extra, label="Species")


def case_penguins_sex():
    """Binary MLPClassifier (a single logistic output unit in scikit-learn)."""
    df = penguins()
    df = df[df["Sex"].isin(["MALE", "FEMALE"])].reset_index(drop=True)
    y = df.pop("Sex")
    ct = dense([
        ("species", ohe(handle_unknown="ignore"), ["Species"]),
        ("island", ohe(drop="first"), ["Island"]),
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler(with_mean=False)), NUM),
    ])
    mlp = MLPClassifier(hidden_layer_sizes=(10, 6), activation="relu", max_iter=3000, random_state=1)
    model = Pipeline([("preprocess", ct), ("classify", mlp)])
    extra = [
        {"Species": "Emperor", "Island": "Dream", "Beak Length (mm)": 40.0, "Beak Depth (mm)": 18.0, "Flipper Length (mm)": 190, "Body Mass (g)": 3600},
        # Island's encoder has handle_unknown="error": scikit-learn refuses this row, and so must ferryml
        {"Species": "Adelie", "Island": "Atlantis", "Beak Length (mm)": 40.0, "Beak Depth (mm)": 18.0, "Flipper Length (mm)": 190, "Body Mass (g)": 3600},
    ]
    return dict(model=model, X=df, y=y, raw=df, extra=extra, label="Sex")


def case_penguins_mass():
    """Regression (LinearRegression) of body mass: output in grams, compared relatively."""
    df = penguins().dropna(subset=[NUM[3]]).reset_index(drop=True)
    y = df.pop(NUM[3])
    ct = dense([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), NUM[:3]),
        ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="none"), ohe(handle_unknown="ignore")), ["Species", "Island", "Sex"]),
    ])
    model = Pipeline([("preprocess", ct), ("regress", LinearRegression())])
    extra = [{"Species": "Gentoo", "Island": "Nowhere", "Beak Length (mm)": None, "Beak Depth (mm)": 15.0, "Flipper Length (mm)": 230, "Sex": None}]
    return dict(model=model, X=df, y=y, raw=df, extra=extra, label="Body Mass (g)")
