"""Tree exporters at their edges: XGBoost's float32 sums reproduced bit for bit, multi-target
XGBoost, and the models the bundle format cannot hold refused up front with what to do."""

import os
import shutil
import tempfile
import unittest
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeRegressor

import helpers  # noqa: F401  (puts python/ on sys.path)
from ferryml_export import UnsupportedError, export
from ferryml_export.tree_ensemble import run_trees
from ferryml_export.trees import to_trees
from ferryml_export.trees_xgboost import parse_base_score
from ferryml_export.verify import check_trees


def reviewer_data(n=2000):
    X = np.random.default_rng(1).normal(size=(n, 8))
    return X, 3 * X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + 5


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


class XGBoostSums(unittest.TestCase):
    def test_default_regressor_exports_and_matches_predict_bit_for_bit(self):
        from xgboost import XGBRegressor

        X, y = reviewer_data()
        for n in (100, 300):
            with self.subTest(n_estimators=n):
                m = XGBRegressor(n_estimators=n, n_jobs=1).fit(X, y)
                ens, _ = to_trees(m, 8, "model", X)
                self.assertEqual(ens.topology["accumulate"], "float32")
                check_trees(ens, X, m.predict(X), "model")  # raised MismatchError with float64 sums
                np.testing.assert_array_equal(run_trees(ens, X)[:, 0].astype(np.float32), m.predict(X))

    def test_multi_target_regressor(self):
        from xgboost import XGBRegressor

        X, y = reviewer_data(400)
        Y = np.column_stack([y, -2 * y])
        m = XGBRegressor(n_estimators=8, max_depth=3, n_jobs=1).fit(X, Y)
        ens, output = to_trees(m, 8, "model", X)
        self.assertEqual((ens.topology["outputs"], ens.topology["link"], output), (2, "identity", {"kind": "regression"}))
        check_trees(ens, X, m.predict(X), "model")
        np.testing.assert_array_equal(run_trees(ens, X).astype(np.float32), m.predict(X))

    def test_base_score_forms(self):
        self.assertEqual(parse_base_score("5E-1"), [np.float32(0.5)])
        self.assertEqual(parse_base_score("[5E-1]"), [np.float32(0.5)])
        self.assertEqual(parse_base_score("[5E-1,2.5E-1]"), [np.float32(0.5), np.float32(0.25)])
        self.assertEqual(parse_base_score(" [1.2345678E0] "), [np.float32(1.2345678)])


class TreeRefusals(unittest.TestCase):
    def refused(self, est, X, *phrases, path="model"):
        with self.assertRaises(UnsupportedError) as caught:
            quiet(to_trees, est, X.shape[1], path, X)
        for phrase in phrases:
            self.assertIn(phrase, str(caught.exception))
        self.assertEqual(caught.exception.step, path)
        return str(caught.exception)

    def test_one_class_boosting_classifiers(self):
        from xgboost import XGBClassifier

        X, _ = reviewer_data(100)
        y = np.zeros(len(X), dtype=int)
        for est in (HistGradientBoostingClassifier(max_iter=3), XGBClassifier(n_estimators=3, n_jobs=1)):
            with self.subTest(type(est).__name__):
                self.refused(quiet(est.fit, X, y), X, "was fitted on one class (0)", "Fit it on rows of at least two classes")

    def test_zero_trees(self):
        from xgboost import XGBRegressor

        X, y = reviewer_data(100)
        m = XGBRegressor(n_estimators=0).fit(X, y)
        self.refused(m, X, "XGBRegressor has no trees", "n_estimators >= 1")

    def test_gradient_boosting_init_checked_on_every_row(self):
        # On sorted rows a stump init gives the same start for the first 64 rows and another further down.
        X = np.sort(np.random.default_rng(0).normal(size=(500, 1)), axis=0)
        g = GradientBoostingRegressor(n_estimators=5, init=DecisionTreeRegressor(max_depth=1)).fit(X, 2 * X[:, 0])
        self.refused(g, X, "init estimator DecisionTreeRegressor gives a different start per row", "Use init=None")

    def test_hist_gradient_boosting_thresholds_past_float32(self):
        # Epoch seconds: HistGradientBoosting's float64 thresholds fall between inputs one float32 rounds together.
        rng = np.random.default_rng(0)
        ts = np.sort(rng.integers(1_600_000_000, 1_700_000_000, 3000)).astype(float).reshape(-1, 1)
        h = HistGradientBoostingRegressor(max_iter=50, random_state=0).fit(ts, np.sin(ts[:, 0] / 3e6) + rng.normal(scale=0.1, size=3000))
        ens, _ = to_trees(h, 1, "model", ts)
        with self.assertRaises(UnsupportedError) as caught:
            check_trees(ens, ts, h.predict(ts), "model", ["seconds"])
        message = str(caught.exception)
        self.assertIn("splits feature 'seconds' at thresholds of magnitude >= 2^24", message)
        self.assertIn("Scale or offset this feature (e.g. StandardScaler) before HistGradientBoosting", message)


class WideCategories(unittest.TestCase):
    def test_unknown_or_missing_value_past_255_feeding_a_categorical_split(self):
        rng = np.random.default_rng(0)
        df = pd.DataFrame({"c": rng.choice(["a", "b", "c"], 300), "x": rng.normal(size=300)})
        y = ((df.c == "a") ^ (df.x > 0)).astype(int)
        for value, categorical in ((300, [0]), (-1, [0]), (300, None)):
            ct = ColumnTransformer([("o", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=value), ["c"]),
                                    ("n", "passthrough", ["x"])], sparse_threshold=0)
            est = HistGradientBoostingClassifier(max_iter=5, categorical_features=categorical, random_state=0)
            p = quiet(Pipeline([("pre", ct), ("model", est)]).fit, df, y)
            out = tempfile.mkdtemp(prefix="ferryml-trees-test-")
            self.addCleanup(shutil.rmtree, out, ignore_errors=True)
            target = os.path.join(out, "b")
            with self.subTest(unknown_value=value, categorical=categorical):
                if value == 300 and categorical:
                    with self.assertRaises(UnsupportedError) as caught:
                        quiet(export, p, df, target, name="t")
                    self.assertIn("OrdinalEncoder unknown_value=300 (step 'o') feeds a HistGradientBoosting categorical feature", str(caught.exception))
                    self.assertIn("Use unknown_value=-1", str(caught.exception))
                    self.assertFalse(os.path.exists(target))
                else:
                    quiet(export, p, df, target, name="t")


if __name__ == "__main__":
    unittest.main()
