"""Wine and breast cancer (scikit-learn's bundled copies of the UCI data), with holes punched in them."""

from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, MinMaxScaler, StandardScaler

from case_common import dense, with_holes


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
