"""Fitted XGBClassifier / XGBRegressor (XGBoost 1.7, gbtree) → a `tree-ensemble`.

XGBoost routes on float32 features: left when `x < split_condition` (a float32), NaN to the
default child; leaf values are float32, summed per output column in tree order onto the margin
of `base_score` (`binary:logistic`: logit(base_score); `multi:softprob`, `reg:squarederror`: itself).
The CPU predictor sums in float32 (each tree's leaf added to a float32 score), so the bundle says
`"accumulate": "float32"` and ferryml rounds after every tree as XGBoost does.
"""

import json
import math

import numpy as np

from .errors import SUPPORTED_ESTIMATORS, UnsupportedError
from .lanes import class_name
from .tree_ensemble import Ensemble

OBJECTIVES = ("binary:logistic", "multi:softprob", "reg:squarederror")


def refuse(path, problem, hint=None):
    raise UnsupportedError(path, problem, supported=SUPPORTED_ESTIMATORS, hint=hint)


def parse_base_score(text):
    """`learner_model_param.base_score` as float32 values: "5E-1" (XGBoost 1.x) or "[5E-1]" / "[5E-1,2E-1]" (2.x)."""
    return [np.float32(float(v)) for v in str(text).strip().strip("[]").split(",")]


def xgboost_model(est, path):
    name = class_name(est)
    booster = est.get_booster()
    config = json.loads(booster.save_config())
    learner = config["learner"]
    objective = learner["objective"]["name"]
    if objective not in OBJECTIVES:
        refuse(path, f"{name} objective '{objective}' is not supported", hint=f"Use one of {list(OBJECTIVES)}")
    kind = learner["gradient_booster"]["name"]
    if kind != "gbtree":
        refuse(path, f"{name} booster '{kind}' is not supported", hint="Use booster='gbtree'")
    missing = est.missing
    if not (missing is None or (isinstance(missing, float) and math.isnan(missing))):
        refuse(path, f"{name} missing={missing!r}: only NaN marks a missing value in ferryml", hint="Use missing=np.nan")
    if getattr(est, "enable_categorical", False):
        refuse(path, f"{name} with enable_categorical: XGBoost's categorical splits are not exported", hint="One-hot or ordinal-encode in the ColumnTransformer")
    # predict_proba uses rounds 0..best_iteration (XGBoost 1.7 sets it after every fit): all of them unless early stopping cut it short.
    best = booster.attr("best_iteration")
    if best is not None and int(best) + 1 < booster.num_boosted_rounds():
        refuse(path, f"{name} was fitted with early stopping (best_iteration {best}); predict_proba would use only part of its trees",
               hint="Refit with n_estimators=best_iteration + 1")
    model = json.loads(booster.save_raw("json"))
    params = model["learner"]["learner_model_param"]
    scores = parse_base_score(params["base_score"])
    trees = model["learner"]["gradient_booster"]["model"]["trees"]
    tree_info = model["learner"]["gradient_booster"]["model"]["tree_info"]
    if not trees:
        refuse(path, f"{name} has no trees (n_estimators=0): it predicts base_score alone", hint="Fit it with n_estimators >= 1")
    targets = int(params.get("num_target", 1) or 1)
    if name == "XGBClassifier" and len(est.classes_) < 2:
        refuse(path, f"{name} was fitted on one class ({est.classes_[0]!r}): it has nothing to tell apart",
               hint="Fit it on rows of at least two classes")
    if objective == "binary:logistic":
        # XGBoost's ProbToMargin for the logistic objective, in float32: -log(1/base_score - 1).
        margin = [float(-np.log(np.float32(1.0) / b - np.float32(1.0), dtype=np.float32)) for b in scores]
        k, link = 1, "sigmoid"
    elif objective == "multi:softprob":
        k, link, margin = int(params["num_class"]), "softmax", [float(b) for b in scores]
    else:
        # A multi-target regressor (y with k columns): tree_info names each tree's target column.
        k, link, margin = targets, "identity", [float(b) for b in scores]
    if targets != 1 and objective != "reg:squarederror":
        refuse(path, f"{name} with {targets} targets and objective '{objective}' is not supported", hint="Fit one model per target")
    if len(margin) == 1:
        margin = margin * k
    if len(margin) != k:
        refuse(path, f"{name} base_score {params['base_score']!r} holds {len(margin)} values for {k} outputs")
    ens = Ensemble("xgboost", "<", est.n_features_in_, k, 1, "sum", margin, link, accumulate="float32")
    for tree, column in zip(trees, tree_info):
        if any(int(s) != 0 for s in tree.get("split_type", [])):
            refuse(path, f"{name} has categorical splits; they are not exported")
        left = np.asarray(tree["left_children"], dtype=np.int64)
        right = np.asarray(tree["right_children"], dtype=np.int64)
        leaf = left == -1
        # Thresholds and leaf values are float32 in XGBoost: round the JSON decimals to float32, exactly.
        cond = np.asarray(tree["split_conditions"], dtype=np.float32).astype(np.float64)
        offsets = ens.add_values(cond[leaf].reshape(-1, 1))
        value_at = np.zeros(len(left), dtype=np.int64)
        value_at[leaf] = offsets
        ens.add_tree(
            int(column),
            feature=np.where(leaf, -1, np.asarray(tree["split_indices"], dtype=np.int64)),
            threshold=np.where(leaf, 0.0, cond),
            left=np.where(leaf, value_at, left),
            right=np.where(leaf, 0, right),
            missing_left=np.asarray(tree["default_left"], dtype=bool) & ~leaf,
            leaf=leaf,
        )
    if name == "XGBClassifier":
        return ens, {"kind": "classification", "labels": [str(c) for c in est.classes_]}
    return ens, {"kind": "regression"}
