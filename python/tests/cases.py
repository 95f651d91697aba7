"""The pipelines the end-to-end tests export: penguins (vega-datasets), wine and breast cancer
(scikit-learn's bundled data), covering every supported transformer and estimator.

Each case is trained here (deterministically), exported, and evaluated on every dataset row plus
rows with missing values and unseen categories; `expected` holds scikit-learn's own outputs.

    python3 python/tests/cases.py OUT_DIR [CASE ...] [--pickles DIR [--from-pickles]]

writes OUT_DIR/<case>/{schema.json, model/, golden.json, expected.json, pack-args.json}.
"""

import argparse
import json
import os
import pickle
import sys
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_wine  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    FunctionTransformer,
    KBinsDiscretizer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from ferryml_export import export  # noqa: E402
from ferryml_export.pack import pack_args  # noqa: E402
from ferryml_export.sample import Sample, to_json  # noqa: E402

PENGUINS = os.path.join(ROOT, "node_modules", "vega-datasets", "data", "penguins.json")
NUM = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]


def penguins():
    """The raw penguins table: nulls in every numeric column and in Sex, plus a stray '.' in Sex.

    None → np.nan: scikit-learn 1.2's SimpleImputer does not see None as missing in object columns.
    """
    df = pd.read_json(PENGUINS)
    return df.replace({None: np.nan})


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


def wine():
    data = load_wine(as_frame=True)
    return data.data, data.target.map(dict(enumerate(data.target_names)))


def case_wine_ovr():
    """One-vs-rest LogisticRegression (liblinear) over three classes: softplus + softmax layers."""
    X, y = wine()
    X = with_holes(X, list(X.columns), 0.15, seed=1)
    ct = dense([("all", make_pipeline(SimpleImputer(), StandardScaler()), list(X.columns))])
    model = Pipeline([("preprocess", ct), ("classify", LogisticRegression(solver="liblinear", C=0.5))])
    return dict(model=model, X=X, y=y, raw=X, extra=[{c: None for c in X.columns}], label="cultivar")


def case_wine_mlp():
    X, y = wine()
    cols = list(X.columns)
    X = with_holes(X, cols[:6], 0.1, seed=2)
    ct = dense([
        ("minmax", make_pipeline(SimpleImputer(strategy="median"), MinMaxScaler()), cols[:4]),
        ("bins", make_pipeline(SimpleImputer(), StandardScaler(), KBinsDiscretizer(n_bins=5, encode="ordinal", strategy="uniform")), cols[4:6]),
        ("alcalinity", "drop", []),
    ], remainder=StandardScaler())
    mlp = MLPClassifier(hidden_layer_sizes=(16, 8), activation="relu", max_iter=3000, random_state=0)
    model = Pipeline([("preprocess", ct), ("classify", mlp)])
    return dict(model=model, X=X, y=y, raw=X, extra=[], label="cultivar")


def case_wine_regression():
    """MLPRegressor (identity output) predicting alcohol from the other measurements."""
    X, _ = wine()
    y = X.pop("alcohol")
    X = with_holes(X, list(X.columns), 0.1, seed=3)
    ct = dense([("all", make_pipeline(SimpleImputer(), StandardScaler()), list(X.columns))])
    mlp = MLPRegressor(hidden_layer_sizes=(8,), activation="logistic", max_iter=4000, random_state=0)
    model = Pipeline([("preprocess", ct), ("regress", mlp)])
    return dict(model=model, X=X, y=y, raw=X, extra=[], label="alcohol")


def cancer():
    data = load_breast_cancer(as_frame=True)
    return data.data, data.target.map(dict(enumerate(data.target_names)))


def case_cancer_logreg():
    """Binary LogisticRegression (sigmoid) on all 30 features, some missing."""
    X, y = cancer()
    X = with_holes(X, list(X.columns), 0.2, seed=4)
    ct = dense([("all", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(X.columns))])
    model = Pipeline([("preprocess", ct), ("classify", LogisticRegression(max_iter=5000))])
    return dict(model=model, X=X, y=y, raw=X, extra=[{c: None for c in X.columns}], label="diagnosis")


def case_cancer_multinomial():
    """Binary LogisticRegression with multi_class='multinomial': softmax([-z, z]), not sigmoid(z)."""
    X, y = cancer()
    cols = list(X.columns)
    X = with_holes(X, cols[:10], 0.1, seed=5)
    ct = dense([
        ("mean", make_pipeline(SimpleImputer(), StandardScaler()), cols[:10]),
        ("worst", MinMaxScaler(feature_range=(-1, 1)), cols[20:]),
    ])
    lr = LogisticRegression(multi_class="multinomial", max_iter=5000)
    model = Pipeline([("preprocess", ct), ("classify", lr)])
    return dict(model=model, X=X, y=y, raw=X, extra=[], label="diagnosis")


def case_cancer_mlp():
    """Binary MLPClassifier with logistic hidden units; some columns imputed with an indicator, others passed through."""
    X, y = cancer()
    cols = list(X.columns)
    X = with_holes(X, cols[:5], 0.15, seed=6)
    ct = dense([
        ("scaled", make_pipeline(SimpleImputer(), StandardScaler()), cols[:5]),
        ("indicated", SimpleImputer(strategy="median", add_indicator=True), cols[5:10]),
    ], remainder="passthrough")
    mlp = MLPClassifier(hidden_layer_sizes=(8,), activation="logistic", max_iter=3000, random_state=0)
    model = Pipeline([("preprocess", ct), ("classify", mlp)])
    return dict(model=model, X=X, y=y, raw=X, extra=[], label="diagnosis")


def case_cancer_ridge():
    """Ridge regression with two outputs (mean area and worst area) — multi-output regression."""
    X, _ = cancer()
    y = X[["mean area", "worst area"]].copy()
    X = X.drop(columns=["mean area", "worst area", "mean perimeter", "worst perimeter", "mean radius", "worst radius"])
    X = with_holes(X, list(X.columns), 0.1, seed=7)
    ct = dense([("all", make_pipeline(SimpleImputer(), StandardScaler()), list(X.columns))])
    model = Pipeline([("preprocess", ct), ("regress", Ridge(alpha=1.0))])
    return dict(model=model, X=X, y=y, raw=X, extra=[], label="area")


from case_mixed import case_mixed_types  # noqa: E402

CASES = {
    "mixed-types": case_mixed_types,
    "penguins-logreg": case_penguins_logreg,
    "penguins-mlp": case_penguins_mlp,
    "penguins-sex": case_penguins_sex,
    "penguins-mass": case_penguins_mass,
    "wine-ovr": case_wine_ovr,
    "wine-mlp": case_wine_mlp,
    "wine-regression": case_wine_regression,
    "cancer-logreg": case_cancer_logreg,
    "cancer-multinomial": case_cancer_multinomial,
    "cancer-mlp": case_cancer_mlp,
    "cancer-ridge": case_cancer_ridge,
}


def evaluation(case, result):
    """Every raw dataset row plus the case's extra rows, and scikit-learn's output for each (null where it refuses)."""
    raw = case["raw"]
    columns = [c["name"] for c in result.schema["columns"]]
    rows = [{c: to_json(raw[c].iloc[i]) for c in columns} for i in range(len(raw))] + case["extra"]
    names = list(result_input_names(case["model"]))
    sample = Sample(case["X"], names, case.get("missing_strings"))
    classification = result.output["kind"] == "classification"
    model = case["model"]

    def predict(batch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = model.predict_proba(sample.with_rows(batch)) if classification else model.predict(sample.with_rows(batch))
        return [[float(v) for v in row] for row in np.asarray(y, dtype=float).reshape(len(batch), -1)]

    try:
        outputs = predict(rows)
    except ValueError:
        outputs = []
        for row in rows:
            try:
                outputs += predict([row])
            except ValueError:
                outputs.append(None)  # scikit-learn refuses the row (an unknown category with handle_unknown="error")
    columns_order = list(rows[0])
    return {
        "output": result.output,
        "columns": columns_order,
        "rows": [[row.get(c) for c in columns_order] for row in rows],
        "outputs": outputs,
    }


def result_input_names(model):
    return model.steps[0][1].feature_names_in_


def build(name, out_dir, version="1.0.0", pickles=None, from_pickles=False):
    """Trains (or, with from_pickles, loads) the case's pipeline, exports it and writes expected.json."""
    case = CASES[name]()
    pickle_path = os.path.join(pickles, f"{name}.pkl") if pickles else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if from_pickles:
            with open(pickle_path, "rb") as f:
                case["model"] = pickle.load(f)
        else:
            case["model"].fit(case["X"], case["y"])
            if pickle_path:
                os.makedirs(pickles, exist_ok=True)
                with open(pickle_path, "wb") as f:
                    pickle.dump(case["model"], f, protocol=4)
        result = export(case["model"], case["X"], os.path.join(out_dir, name), name=name, version=version,
                        label=case["label"], missing_strings=case.get("missing_strings"))
        expected = evaluation(case, result)
    with open(os.path.join(result.out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, allow_nan=False)
        f.write("\n")
    with open(os.path.join(result.out_dir, "pack-args.json"), "w") as f:
        json.dump(pack_args(result, "MODELS_DIR"), f)
    return result, case


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--pickles", help="directory of <case>.pkl: written after training, or read with --from-pickles")
    parser.add_argument("--from-pickles", action="store_true", help="export the pickled pipelines instead of training")
    args = parser.parse_args()
    for name in args.cases:
        build(name, args.out, pickles=args.pickles, from_pickles=args.from_pickles)
        print(name)
