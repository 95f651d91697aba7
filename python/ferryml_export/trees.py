"""Fitted scikit-learn tree models → a `tree-ensemble` (flat arrays + how to combine them).

Routing is what scikit-learn does: its trees compare `float32(x) <= threshold` (threshold float64,
NaN never reaches them: scikit-learn 1.2 refuses it); HistGradientBoosting compares `x <= threshold`
with NaN to `missing_go_to_left`, and categorical splits test a 256-bit bitset (unseen categories
go the missing way). Leaf values are float64; the sums follow the library's order.
"""

import numpy as np

from .errors import SUPPORTED_ESTIMATORS, UnsupportedError
from .lanes import class_name
from .tree_ensemble import Ensemble

FOREST_CLASSIFIERS = ("DecisionTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier")
FOREST_REGRESSORS = ("DecisionTreeRegressor", "RandomForestRegressor", "ExtraTreesRegressor")
HIST_IDENTITY_LOSSES = ("squared_error", "absolute_error", "quantile")


def refuse(path, problem, hint=None):
    raise UnsupportedError(path, problem, supported=SUPPORTED_ESTIMATORS, hint=hint)


def labels(est):
    return [str(c) for c in est.classes_]


def add_sklearn_tree(ens, tree, leaf_values, column=0):
    """One fitted sklearn `Tree` (`tree_`) with per-node leaf vectors `leaf_values` [n_nodes, w]."""
    left, right = tree.children_left, tree.children_right
    leaf = left == -1
    offsets = ens.add_values(leaf_values[leaf])
    value_at = np.zeros(tree.node_count, dtype=np.int64)
    value_at[leaf] = offsets
    ens.add_tree(
        column,
        feature=np.where(leaf, -1, tree.feature),
        threshold=np.where(leaf, 0.0, tree.threshold),
        left=np.where(leaf, value_at, left),
        right=np.where(leaf, 0, right),
        missing_left=np.zeros(tree.node_count, dtype=bool),
        leaf=leaf,
    )


def proba_leaves(tree, n_classes):
    """DecisionTreeClassifier.predict_proba's per-node vector, computed as scikit-learn computes it."""
    proba = tree.value[:, 0, :n_classes].astype(np.float64)
    normalizer = proba.sum(axis=1)[:, np.newaxis]
    normalizer[normalizer == 0.0] = 1.0
    return proba / normalizer


def forest(est, path):
    name = class_name(est)
    trees = [est] if name.startswith("DecisionTree") else list(est.estimators_)
    if getattr(est, "n_outputs_", 1) != 1 and name in FOREST_CLASSIFIERS:
        refuse(path, f"multi-output {name} predicts several labels, not one")
    if name in FOREST_CLASSIFIERS:
        k = len(est.classes_)
        ens = Ensemble("scikit-learn", "<=", est.n_features_in_, k, k, "mean", [0.0] * k, "identity")
        for t in trees:
            add_sklearn_tree(ens, t.tree_, proba_leaves(t.tree_, k))
        return ens, {"kind": "classification", "labels": labels(est)}
    n = est.n_outputs_
    ens = Ensemble("scikit-learn", "<=", est.n_features_in_, n, n, "mean", [0.0] * n, "identity")
    for t in trees:
        add_sklearn_tree(ens, t.tree_, t.tree_.value[:, :, 0].astype(np.float64))
    return ens, {"kind": "regression"}


def constant_init(est, X, path):
    """GradientBoosting's init raw score: constant (prior / zero / mean) or refused. Checked on every
    row of X: an init fitted on sorted data may agree on the first rows and differ further down."""
    raw = np.asarray(est._raw_predict_init(X), dtype=np.float64)
    if not (raw == raw[:1]).all():
        refuse(path, f"init estimator {class_name(est.init_)} gives a different start per row", hint="Use init=None (the prior) or 'zero'")
    return [float(v) for v in raw[0]]


def gradient_boosting(est, path, X):
    name = class_name(est)
    loss = getattr(est, "loss", None)
    if name == "GradientBoostingClassifier" and loss not in ("log_loss", "deviance"):
        refuse(path, f"GradientBoostingClassifier loss '{loss}' is not supported", hint="Use loss='log_loss'")
    stages = est.estimators_[: est.n_estimators_]
    k = stages.shape[1]
    classification = name == "GradientBoostingClassifier"
    link = ("sigmoid" if k == 1 else "softmax") if classification else "identity"
    ens = Ensemble("scikit-learn", "<=", est.n_features_in_, k, 1, "sum", constant_init(est, X, path), link)
    # predict_stages adds `learning_rate * value` stage by stage, class by class: the same products, same order.
    for stage in stages:
        for column, t in enumerate(stage):
            add_sklearn_tree(ens, t.tree_, est.learning_rate * t.tree_.value[:, :, 0].astype(np.float64), column)
    output = {"kind": "classification", "labels": labels(est)} if classification else {"kind": "regression"}
    return ens, output


def hist_gradient_boosting(est, path):
    name = class_name(est)
    classification = name == "HistGradientBoostingClassifier"
    loss = est.loss if isinstance(est.loss, str) else class_name(est.loss)
    if classification and len(est.classes_) < 2:
        refuse(path, f"{name} was fitted on one class ({est.classes_[0]!r}): it has nothing to tell apart",
               hint="Fit it on rows of at least two classes")
    if not classification and loss not in HIST_IDENTITY_LOSSES:
        refuse(path, f"HistGradientBoostingRegressor loss '{loss}' has a non-identity link", hint=f"Use loss in {list(HIST_IDENTITY_LOSSES)}")
    k = est.n_trees_per_iteration_
    link = ("sigmoid" if k == 1 else "softmax") if classification else "identity"
    base = [float(v) for v in np.asarray(est._baseline_prediction, dtype=np.float64).ravel()]
    if len(base) == 1 and k > 1:
        base = base * k
    ens = Ensemble("scikit-learn-hist", "<=", est.n_features_in_, k, 1, "sum", base, link)
    known = None
    if est.is_categorical_ is not None and est.is_categorical_.any():
        known, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
    for iteration in est._predictors:
        for column, predictor in enumerate(iteration):
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            offsets = ens.add_values(nodes["value"][leaf].astype(np.float64).reshape(-1, 1))
            value_at = np.zeros(len(nodes), dtype=np.int64)
            value_at[leaf] = offsets
            categorical = nodes["is_categorical"].astype(bool) & ~leaf
            # HistGradientBoosting compares float64 x <= t, and its thresholds are often data values
            # (percentile midpoints). ferryml's features are float32: rounding t to the nearest float32
            # sends every x that rounds to it left, so x == t goes left as in scikit-learn. Only two
            # distinct float64 inputs within one float32 ulp of t can differ (README "Tree ensembles").
            threshold = np.where(leaf, 0.0, nodes["num_threshold"].astype(np.float32).astype(np.float64))
            for n in np.nonzero(categorical)[0]:
                f = int(nodes["feature_idx"][n])
                left_bits = predictor.raw_left_cat_bitsets[int(nodes["bitset_idx"][n])].astype(np.uint32)
                right_bits = known[int(f_idx_map[f])].astype(np.uint32) & ~left_bits
                threshold[n] = ens.add_bitsets(left_bits, right_bits)
            ens.add_tree(
                column,
                feature=np.where(leaf, -1, nodes["feature_idx"].astype(np.int64)),
                threshold=threshold,
                left=np.where(leaf, value_at, nodes["left"].astype(np.int64)),
                right=np.where(leaf, 0, nodes["right"].astype(np.int64)),
                missing_left=nodes["missing_go_to_left"].astype(bool) & ~leaf,
                leaf=leaf,
                categorical=categorical,
            )
    output = {"kind": "classification", "labels": labels(est)} if classification else {"kind": "regression"}
    return ens, output


def build(est, path, X):
    name = class_name(est)
    if name.startswith("XGB"):
        from .trees_xgboost import xgboost_model

        return xgboost_model(est, path)
    if name in FOREST_CLASSIFIERS + FOREST_REGRESSORS:
        return forest(est, path)
    if name in ("GradientBoostingClassifier", "GradientBoostingRegressor"):
        return gradient_boosting(est, path, X)
    if name in ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor"):
        return hist_gradient_boosting(est, path)
    refuse(path, f"{name} is a tree model ferryml does not export")


def to_trees(est, width, path, X):
    """(Ensemble, manifest output spec) for a fitted tree estimator taking `width` features."""
    ens, output = build(est, path, X)
    # The bundle format needs at least one tree (format.ts): say so here, not at load.
    if ens.topology["trees"] == 0:
        refuse(path, f"{class_name(est)} has no trees", hint="Fit it with at least one tree (n_estimators >= 1)")
    return ens, output


def wide_categories(ct, est, path):
    """Refuses an OrdinalEncoder whose unknown_value / encoded_missing_value (≥ 256) feeds a
    HistGradientBoosting categorical feature: scikit-learn casts it to uint8 (300 reads as category
    44), the tree kernel sends it the missing way, so the two would disagree on such rows."""
    categorical = getattr(est, "is_categorical_", None)
    if categorical is None or not np.any(categorical):
        return
    for name, t, _ in getattr(ct, "transformers_", []):
        steps = [t] + [s for _, s in getattr(t, "steps", [])]
        for step in steps:
            if class_name(step) != "OrdinalEncoder":
                continue
            values = [(a, getattr(step, a, None)) for a in ("unknown_value", "encoded_missing_value")]
            wide = [(a, v) for a, v in values if isinstance(v, (int, float, np.number)) and not np.isnan(v) and v >= 256]
            span = ct.output_indices_.get(name, slice(0, 0))
            if wide and np.any(categorical[span]):
                a, v = wide[0]
                refuse(path, f"OrdinalEncoder {a}={v:g} (step '{name}') feeds a HistGradientBoosting categorical feature, "
                             "which only takes categories 0..255", hint=f"Use {a}=-1 (negative values go the missing way)")


TREE_ESTIMATORS = (
    FOREST_CLASSIFIERS + FOREST_REGRESSORS
    + ("GradientBoostingClassifier", "GradientBoostingRegressor", "HistGradientBoostingClassifier", "HistGradientBoostingRegressor",
       "XGBClassifier", "XGBRegressor")
)


def is_tree_model(est):
    return class_name(est) in TREE_ESTIMATORS


def accepts_nan(est):
    """Estimators that route a missing value themselves: a NaN may reach them."""
    return class_name(est).startswith(("HistGradientBoosting", "XGB"))
