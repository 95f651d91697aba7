"""Final estimator → a stack of dense layers computing exactly its predict_proba / predict.

Each layer is (kernel [in, out], bias [out], activation) in tfjs-layers activation names.
Where scikit-learn's probability formula is not a single softmax, it is rewritten as one exactly:
- binary one-vs-rest LogisticRegression / binary MLPClassifier: [1 - σ(z), σ(z)] = softmax([0, z]);
- binary multinomial LogisticRegression: softmax([-z, z]);
- one-vs-rest over K classes: σ(z_k) / Σ σ(z_j) = softmax(log σ(z)) = softmax(-softplus(-z)),
  i.e. a softplus layer with negated weights followed by a softmax layer with kernel -I.
"""

import re

import numpy as np

from .errors import SUPPORTED_ESTIMATORS, UnsupportedError
from .lanes import class_name

MLP_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid", "identity": "linear"}


def refuse(path, problem, hint=None):
    raise UnsupportedError(path, problem, supported=SUPPORTED_ESTIMATORS, hint=hint)


def layer(kernel, bias, activation):
    return {"kernel": np.asarray(kernel, dtype=np.float64), "bias": np.asarray(bias, dtype=np.float64), "activation": activation}


def binary_softmax(kernel, bias, sign_first):
    """Two softmax units whose difference is the decision z (sign_first=0) or 2z (sign_first=-1)."""
    kernel = np.asarray(kernel, dtype=np.float64).reshape(-1, 1)
    bias = np.asarray(bias, dtype=np.float64).reshape(1)
    return layer(np.hstack([sign_first * kernel, kernel]), np.concatenate([sign_first * bias, bias]), "softmax")


def labels(est):
    return [str(c) for c in est.classes_]


def sklearn_version():
    import sklearn

    return tuple(int(p) for p in re.findall(r"\d+", sklearn.__version__)[:2])


def one_vs_rest(est):
    """Whether predict_proba normalises per-class sigmoids (one-vs-rest) rather than a softmax.

    scikit-learn 1.5 deprecated `multi_class` (default 'deprecated'; later versions drop the
    attribute): binary or liblinear is then one-vs-rest, the rest multinomial. newton-cholesky fits
    multinomial from 1.6 on, so it counts as one-vs-rest only before that (as fit decides)."""
    multi_class = getattr(est, "multi_class", "deprecated")
    if multi_class in ("ovr", "warn"):
        return True
    if multi_class not in ("auto", "deprecated"):
        return False
    ovr_solvers = ("liblinear", "newton-cholesky") if sklearn_version() < (1, 6) else ("liblinear",)
    return est.classes_.size <= 2 or est.solver in ovr_solvers


def logistic_regression(est, path):
    ovr = one_vs_rest(est)
    coef, intercept = est.coef_, est.intercept_
    if coef.shape[0] == 1:
        layers = [binary_softmax(coef[0], intercept[0], 0.0 if ovr else -1.0)]
    elif ovr:
        k = coef.shape[0]
        layers = [layer(-coef.T, -intercept, "softplus"), layer(-np.eye(k), np.zeros(k), "softmax")]
    else:
        layers = [layer(coef.T, intercept, "softmax")]
    return layers, {"kind": "classification", "labels": labels(est)}


def mlp(est, path):
    hidden = MLP_ACTIVATIONS.get(est.activation)
    if hidden is None:
        refuse(path, f"MLP activation '{est.activation}' is not supported")
    layers = [layer(w, b, hidden) for w, b in zip(est.coefs_[:-1], est.intercepts_[:-1])]
    w, b = est.coefs_[-1], est.intercepts_[-1]
    if class_name(est) == "MLPRegressor":
        layers.append(layer(w, b, "linear"))
        return layers, regression_output(est.n_outputs_)
    if est.out_activation_ == "softmax":
        layers.append(layer(w, b, "softmax"))
    elif est.out_activation_ == "logistic" and est.n_outputs_ == 1 and len(est.classes_) == 2:
        layers.append(binary_softmax(w[:, 0], b[0], 0.0))
    else:
        refuse(path, "multi-label MLPClassifier outputs independent probabilities, not one label")
    return layers, {"kind": "classification", "labels": labels(est)}


def linear(est, path):
    coef = np.atleast_2d(est.coef_)
    intercept = np.broadcast_to(np.asarray(est.intercept_, dtype=np.float64), (coef.shape[0],))
    return [layer(coef.T, intercept, "linear")], regression_output(coef.shape[0])


def regression_output(n):
    # scikit-learn keeps no target names; the SDK names outputs "0", "1", … (`ferryml pack --regression`)
    return {"kind": "regression"}


CONVERTERS = {
    "LogisticRegression": logistic_regression,
    "MLPClassifier": mlp,
    "MLPRegressor": mlp,
    "LinearRegression": linear,
    "Ridge": linear,
}

TREES = ("Tree", "Forest", "Boost", "Bagging")


def to_layers(est, width, path):
    """Dense layers and the manifest `output` spec for a fitted estimator taking `width` features."""
    name = class_name(est)
    if name not in CONVERTERS:
        if any(t in name for t in TREES):
            refuse(path, f"{name} is a tree model ferryml does not export (only the tree ensembles listed below)")
        refuse(path, f"{name} is not a supported estimator")
    if getattr(est, "n_features_in_", width) != width:
        refuse(path, f"{name} takes {est.n_features_in_} features but the ColumnTransformer emits {width}")
    return CONVERTERS[name](est, path)


def run_layers(layers, X):
    """The layers in float64 numpy: the exporter's check that the rewrite equals scikit-learn."""
    a = np.asarray(X, dtype=np.float64)
    for spec in layers:
        a = a @ spec["kernel"] + spec["bias"]
        act = spec["activation"]
        if act == "relu":
            a = np.maximum(a, 0)
        elif act == "tanh":
            a = np.tanh(a)
        elif act == "sigmoid":
            a = 1 / (1 + np.exp(-a))
        elif act == "softplus":
            a = np.logaddexp(0, a)
        elif act == "softmax":
            e = np.exp(a - a.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
    return a
