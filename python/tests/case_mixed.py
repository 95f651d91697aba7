"""A synthetic case for the column types the datasets lack: booleans (with and without missing
values), integer categories, numeric ordinal codes, scalers without centring, bins after a scaler."""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler


def case_mixed_types():
    rng = np.random.default_rng(11)
    n = 400
    X = pd.DataFrame({
        "member": rng.random(n) < 0.4,                                   # bool dtype, passed through
        "flag": pd.Series(rng.random(n) < 0.5, dtype=object),            # booleans with missing values
        "rooms": rng.integers(1, 6, n),                                  # integer categories
        "floor": rng.integers(0, 4, n).astype(float),                    # numeric ordinal codes
        "area": rng.gamma(4.0, 20.0, n),
        "price": rng.normal(300.0, 80.0, n),
    })
    X.loc[rng.choice(n, 30, replace=False), "flag"] = np.nan
    X.loc[rng.choice(n, 25, replace=False), "area"] = np.nan
    score = X["area"].fillna(80) / 40 + X["rooms"] - X["price"] / 150 + X["member"] * 1.5 + rng.normal(0, 0.8, n)
    y = np.select([score < 2.0, score < 3.5], ["low", "mid"], "high")
    ct = ColumnTransformer([
        ("flag", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(drop="if_binary", sparse_output=False)), ["flag"]),
        ("rooms", OneHotEncoder(drop="first", handle_unknown="ignore", sparse_output=False), ["rooms"]),
        ("floor", OrdinalEncoder(categories=[[0.0, 1.0, 2.0, 3.0]], handle_unknown="use_encoded_value", unknown_value=9), ["floor"]),
        ("area", make_pipeline(SimpleImputer(strategy="median", add_indicator=True)), ["area"]),
        ("area_bins", "drop", []),
        ("price", make_pipeline(MinMaxScaler(), StandardScaler(with_mean=False), KBinsDiscretizer(n_bins=6, encode="onehot-dense")), ["price"]),
    ], remainder="passthrough", sparse_threshold=0)
    model = Pipeline([("preprocess", ct), ("classify", LogisticRegression(multi_class="multinomial", max_iter=5000))])
    extra = [
        {"member": True, "flag": None, "rooms": 9, "floor": 7.0, "area": None, "price": 10000.0},
        {"member": False, "flag": True, "rooms": 3, "floor": None, "area": 55.5, "price": -50.0},
    ]
    return dict(model=model, X=X, y=y, raw=X, extra=extra, label="band")
