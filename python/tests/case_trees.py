"""Tree ensembles on penguins, wine, breast cancer and diabetes (regression): every exported tree
family, native missing values (HistGradientBoosting, XGBoost) and HistGradientBoosting's
categorical splits, with rows that hold missing values and unseen categories."""

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from case_common import dense, ohe, with_holes
from case_penguins import NUM, penguins
from case_uci import cancer, wine

PENGUIN_EXTRA = [
    {"Island": "Atlantis", "Beak Length (mm)": 45.0, "Beak Depth (mm)": 17.0, "Flipper Length (mm)": 200, "Body Mass (g)": 4200, "Sex": "MALE"},
    {"Island": "Dream", "Beak Length (mm)": None, "Beak Depth (mm)": None, "Flipper Length (mm)": None, "Body Mass (g)": None, "Sex": None},
    {"Island": "Biscoe", "Beak Length (mm)": 50.0, "Beak Depth (mm)": 15.0, "Flipper Length (mm)": 220, "Body Mass (g)": 9000, "Sex": "UNKNOWN"},
    {"Island": "Torgersen", "Beak Length (mm)": 38.0, "Beak Depth (mm)": None, "Flipper Length (mm)": 185, "Body Mass (g)": 3500, "Sex": "FEMALE"},
]


def penguin_frame():
    df = penguins()
    y = df.pop("Species")
    return df.replace({"Sex": {".": np.nan}}), y, df


def imputed_penguins():
    """Imputed numbers, one-hot island and sex: what forests and GradientBoosting need (no NaN)."""
    return dense([
        ("num", SimpleImputer(strategy="median"), NUM),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), ohe(handle_unknown="ignore")), ["Island", "Sex"]),
    ])


def penguin_case(estimator):
    X, y, raw = penguin_frame()
    model = Pipeline([("preprocess", imputed_penguins()), ("classify", estimator)])
    return dict(model=model, X=X, y=y, raw=raw, extra=PENGUIN_EXTRA, label="Species", missing_strings={"Sex": ["."]})


def case_penguins_tree():
    return penguin_case(DecisionTreeClassifier(max_depth=5, random_state=0))


def case_penguins_forest():
    return penguin_case(RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0))


def case_penguins_gb():
    """The demo's penguins 2.0.0: GradientBoostingClassifier behind the same input columns."""
    return penguin_case(GradientBoostingClassifier(n_estimators=30, max_depth=2, learning_rate=0.2, random_state=0))


def case_penguins_hgb():
    """Native missing values in the numbers; island and sex as HistGradientBoosting categorical splits."""
    X, y, raw = penguin_frame()
    ct = dense([
        ("num", "passthrough", NUM),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)), ["Island", "Sex"]),
    ])
    hgb = HistGradientBoostingClassifier(max_iter=25, max_depth=3, categorical_features=[4, 5], random_state=0)
    model = Pipeline([("preprocess", ct), ("classify", hgb)])
    return dict(model=model, X=X, y=y, raw=raw, extra=PENGUIN_EXTRA, label="Species", missing_strings={"Sex": ["."]})


def case_penguins_xgb():
    from xgboost import XGBClassifier

    X, y, raw = penguin_frame()
    ct = dense([
        ("num", "passthrough", NUM),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), ohe(handle_unknown="ignore")), ["Island", "Sex"]),
    ])
    xgb = XGBClassifier(n_estimators=15, max_depth=3, learning_rate=0.3, random_state=0, n_jobs=1)
    model = Pipeline([("preprocess", ct), ("classify", xgb)])
    return dict(model=model, X=X, y=codes(y), raw=raw, extra=PENGUIN_EXTRA, label="Species", missing_strings={"Sex": ["."]})


def wine_case(estimator, holes, scale=False):
    X, y = wine()
    if holes:
        X = with_holes(X, list(X.columns), 0.1, seed=11)
    steps = "passthrough" if not scale else StandardScaler()
    if not holes:
        steps = make_pipeline(SimpleImputer(), StandardScaler()) if scale else SimpleImputer()
    ct = dense([("all", steps, list(X.columns))])
    model = Pipeline([("preprocess", ct), ("classify", estimator)])
    return dict(model=model, X=X, y=y, raw=X, extra=[{c: None for c in X.columns}] if holes else [], label="cultivar")


def case_wine_extratrees():
    return wine_case(ExtraTreesClassifier(n_estimators=15, max_depth=5, random_state=0), holes=False)


def case_wine_hgb():
    """Multiclass HistGradientBoosting on standardized features with holes: NaN through StandardScaler."""
    return wine_case(HistGradientBoostingClassifier(max_iter=20, max_depth=3, random_state=0), holes=True, scale=True)


def cancer_case(estimator, holes):
    X, y = cancer()
    if holes:
        X = with_holes(X, list(X.columns), 0.2, seed=12)
    ct = dense([("all", "passthrough" if holes else SimpleImputer(strategy="median"), list(X.columns))])
    model = Pipeline([("preprocess", ct), ("classify", estimator)])
    return dict(model=model, X=X, y=y, raw=X, extra=[{c: None for c in X.columns}] if holes else [], label="diagnosis")


def case_cancer_forest():
    return cancer_case(RandomForestClassifier(n_estimators=25, max_depth=7, random_state=0), holes=False)


def case_cancer_gb_zero():
    """Binary GradientBoosting starting from init='zero' (no prior)."""
    return cancer_case(GradientBoostingClassifier(n_estimators=25, max_depth=3, init="zero", random_state=0), holes=False)


def case_cancer_hgb():
    return cancer_case(HistGradientBoostingClassifier(max_iter=20, max_depth=4, random_state=0), holes=True)


def case_cancer_xgb():
    from xgboost import XGBClassifier

    xgb = XGBClassifier(n_estimators=20, max_depth=3, learning_rate=0.3, random_state=0, n_jobs=1)
    case = cancer_case(xgb, holes=True)
    case["y"] = codes(case["y"])
    return case


def diabetes():
    data = load_diabetes(as_frame=True, scaled=False)
    return data.data, data.target


def diabetes_case(estimator, holes):
    X, y = diabetes()
    if holes:
        X = with_holes(X, list(X.columns), 0.1, seed=13)
    ct = dense([("all", "passthrough" if holes else SimpleImputer(), list(X.columns))])
    model = Pipeline([("preprocess", ct), ("regress", estimator)])
    return dict(model=model, X=X, y=y, raw=X, extra=[{c: None for c in X.columns}] if holes else [], label="progression")


def case_diabetes_forest():
    return diabetes_case(RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0), holes=False)


def case_diabetes_extratrees():
    return diabetes_case(ExtraTreesRegressor(n_estimators=10, max_depth=6, random_state=0), holes=False)


def case_diabetes_gb():
    return diabetes_case(GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0), holes=False)


def case_diabetes_hgb():
    return diabetes_case(HistGradientBoostingRegressor(max_iter=30, max_depth=3, random_state=0), holes=True)


def case_diabetes_xgb():
    from xgboost import XGBRegressor

    return diabetes_case(XGBRegressor(n_estimators=25, max_depth=3, learning_rate=0.2, random_state=0, n_jobs=1), holes=True)


def codes(y):
    """XGBClassifier 1.7 takes labels 0..K-1 only (a notebook's LabelEncoder): the classes become "0", "1", …"""
    return y.astype("category").cat.codes


TREE_CASES = {
    "penguins-tree": case_penguins_tree,
    "penguins-forest": case_penguins_forest,
    "penguins-gb": case_penguins_gb,
    "penguins-hgb": case_penguins_hgb,
    "penguins-xgb": case_penguins_xgb,
    "wine-extratrees": case_wine_extratrees,
    "wine-hgb": case_wine_hgb,
    "cancer-forest": case_cancer_forest,
    "cancer-gb-zero": case_cancer_gb_zero,
    "cancer-hgb": case_cancer_hgb,
    "cancer-xgb": case_cancer_xgb,
    "diabetes-forest": case_diabetes_forest,
    "diabetes-extratrees": case_diabetes_extratrees,
    "diabetes-gb": case_diabetes_gb,
    "diabetes-hgb": case_diabetes_hgb,
    "diabetes-xgb": case_diabetes_xgb,
}
