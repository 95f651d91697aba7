"""Threshold edge cases for the tree kernel: one tiny regressor per library (scikit-learn tree,
HistGradientBoosting, XGBoost) and inputs exactly on each threshold, one float32 ulp either side,
a float64 value that reaches the threshold only once rounded to float32, NaN and ±Infinity — with
the library's own output for each (test/node/trees-edges.test.ts and test/runtime/trees-edges.test.ts).

    python3 python/tests/tree_edges.py test/fixtures/trees
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE)))

from ferryml_export.tree_ensemble import write_tree_model  # noqa: E402
from ferryml_export.trees import forest, hist_gradient_boosting  # noqa: E402
from ferryml_export.trees_xgboost import xgboost_model  # noqa: E402

F32 = np.float32


def data():
    rng = np.random.default_rng(7)
    x = np.round(rng.uniform(0, 1, 400), 4)
    # A feature column of awkward decimals (0.1-like values have no exact float32) and a few NaN.
    y = np.sin(7 * x) + (x > 0.3)
    return x.reshape(-1, 1), y


def inputs(thresholds, library):
    """float64 inputs around every threshold; `library` picks the comparison the ulps matter for."""
    # XGBoost refuses ±inf in its input (its DMatrix check), so only scikit-learn's cases hold them.
    xs = [np.nan, 0.0, -0.0] + ([] if library == "xgboost" else [np.inf, -np.inf])
    for t in thresholds:
        t32 = F32(t)
        xs += [float(t), float(np.nextafter(t32, F32(np.inf))), float(np.nextafter(t32, F32(-np.inf)))]
        if library == "xgboost":
            xs.append(float(t32))  # x == split: right (strict <)
        elif library == "scikit-learn":
            xs.append(float(t32))
            # Above t in float64, but float32(x) <= t: scikit-learn's trees send it left.
            above = np.nextafter(t, np.inf)
            if F32(above) <= t:
                xs.append(float(above))
    return xs


def bits(x):
    return int(np.array([x], dtype=np.float32).view(np.uint32)[0])


def main(out):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.tree import DecisionTreeRegressor
    from xgboost import XGBRegressor

    X, y = data()
    X_nan = X.copy()
    X_nan[::17] = np.nan
    cases = []
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    hgb = HistGradientBoostingRegressor(max_iter=5, max_depth=3, random_state=0).fit(X_nan, y)
    xgb = XGBRegressor(n_estimators=5, max_depth=3, random_state=0, n_jobs=1).fit(X_nan, y)
    for name, est, (ens, _) in (("sklearn-tree", tree, forest(tree, "tree")), ("hist-gradient-boosting", hgb, hist_gradient_boosting(hgb, "hgb")),
                                ("xgboost", xgb, xgboost_model(xgb, "xgb"))):
        a = ens.arrays()
        thresholds = sorted({float(t) for t, f in zip(a["threshold"], a["feature"]) if f >= 0})
        if name == "hist-gradient-boosting":
            thresholds = sorted({float(p.nodes["num_threshold"][i]) for it in hgb._predictors for p in it for i in range(len(p.nodes)) if not p.nodes["is_leaf"][i]})
        xs = inputs(thresholds, ens.topology["library"])
        X_in = np.array(xs, dtype=np.float64).reshape(-1, 1)
        if name == "sklearn-tree":
            # The fitted Tree's own routing on float32 input (predict() refuses NaN and ±inf in 1.2).
            want = est.tree_.predict(X_in.astype(np.float32))[:, 0]
        elif name == "xgboost":
            import xgboost

            want = est.get_booster().predict(xgboost.DMatrix(X_in.astype(np.float32), missing=np.nan))
        else:
            # float64 x <= t, NaN to missing_go_to_left. ferryml's float32 x meets t rounded to float32:
            # the inputs here are t itself and float32 neighbours of it, on which both agree (README).
            want = est.predict(X_in)
        keep = range(len(xs))
        model_dir = os.path.join(out, name)
        write_tree_model(ens, model_dir, "tests/tree_edges.py")
        cases.append({"name": name, "inputBits": [bits(xs[i]) for i in keep], "input": [repr(xs[i]) for i in keep],
                      "expected": [float(want[i]) for i in keep]})
    with open(os.path.join(out, "edges.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
