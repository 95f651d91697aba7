"""XGBoost's float32 sums, for the tree kernel's tests: two small XGBRegressors (one target, depth 3;
two targets, depth 4) exported with `"accumulate": "float32"`, and XGBoost's own predictions for
rows on which summing in float64 gives other float32 values than XGBoost (test/node/trees-float32.test.ts).

    python3 python/tests/tree_float32.py test/fixtures/trees
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE)))

from ferryml_export.tree_ensemble import run_trees, write_tree_model  # noqa: E402
from ferryml_export.trees_xgboost import xgboost_model  # noqa: E402

ROWS = 48


def main(out):
    from xgboost import XGBRegressor

    X = np.random.default_rng(1).normal(size=(2000, 8)).astype(np.float32)
    y = 3 * X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + 5
    for name, Y, trees, depth in (("xgboost-float32", y, 40, 3), ("xgboost-float32-2", np.column_stack([y, -2 * y]), 12, 4)):
        m = XGBRegressor(n_estimators=trees, max_depth=depth, random_state=0, n_jobs=1).fit(X, Y)
        ens, _ = xgboost_model(m, "model")
        want = np.asarray(m.predict(X), dtype=np.float32).reshape(len(X), -1)
        assert np.array_equal(run_trees(ens, X).astype(np.float32), want), name
        # Rows where float64 sums round to another float32 than XGBoost's come first: the test's teeth.
        ens.topology.pop("accumulate")
        differs = np.nonzero((run_trees(ens, X).astype(np.float32) != want).any(axis=1))[0]
        ens.topology["accumulate"] = "float32"
        assert len(differs) >= ROWS // 2, (name, len(differs))
        rows = np.concatenate([differs[: ROWS // 2], np.setdiff1d(np.arange(len(X)), differs)[: ROWS // 2]])
        write_tree_model(ens, os.path.join(out, name), "tests/tree_float32.py")
        with open(os.path.join(out, name, "predict.json"), "w") as f:
            json.dump({"rows": X[rows].astype(float).tolist(), "predict": want[rows].astype(float).tolist(),
                       "float64Differs": ROWS // 2}, f)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
