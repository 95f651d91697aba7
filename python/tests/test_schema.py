"""What export() writes: each fitted transformer's values land in the schema step that reproduces it."""

import json
import os
import unittest

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

from helpers import export_to_temp, table
from ferryml_export.baseline import numeric_baseline
from ferryml_export.columns import js_number


def column(schema, name):
    return next(c for c in schema["columns"] if c["name"] == name)


class Steps(unittest.TestCase):
    def test_imputer_scalers_and_indicator_order(self):
        X, y = table()
        X = X.assign(a2=X["a"])
        ct = ColumnTransformer([
            ("a", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["a"]),
            ("b", MinMaxScaler(feature_range=(-1, 2), clip=True), ["b"]),
            ("ind", SimpleImputer(add_indicator=True), ["a2", "d"]),
        ], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
        r, _ = export_to_temp(p, X)
        s = r.schema
        imp, sc = p[0].named_transformers_["a"].steps[0][1], p[0].named_transformers_["a"].steps[1][1]
        self.assertEqual(column(s, "a")["steps"], [
            {"kind": "impute", "value": float(imp.statistics_[0])},
            {"kind": "standardize", "mean": float(sc.mean_[0]), "scale": float(sc.scale_[0])},
        ])
        self.assertFalse(column(s, "a")["required"])
        mm = p[0].named_transformers_["b"]
        self.assertEqual(column(s, "b")["steps"], [{"kind": "minmax", "scale": float(mm.scale_[0]), "offset": float(mm.min_[0]), "clip": {"min": -1.0, "max": 2.0}}])
        self.assertNotIn("required", column(s, "b"))
        # only a2 had missing values in training, so only it gets an indicator, after all imputed values
        self.assertTrue(column(s, "a2")["steps"][0]["indicator"])
        self.assertNotIn("indicator", column(s, "d")["steps"][0])
        self.assertEqual(s["features"], ["a", "b", "a2", "d", "a2__missing"])
        self.assertEqual(s["width"], 5)
        self.assertEqual([c["name"] for c in s["columns"]], ["a", "b", "d", "a2"])  # raw input order; c is not used

    def test_encoders(self):
        X, y = table()
        ct = ColumnTransformer([
            ("oh", make_pipeline(SimpleImputer(strategy="constant", fill_value="none"), OneHotEncoder(drop="first", sparse_output=False)), ["c"]),
            ("ord", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["d"]),
            ("num", SimpleImputer(), ["a"]),
        ], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
        r, _ = export_to_temp(p, X)
        s = r.schema
        c = column(s, "c")
        self.assertEqual(c["type"], "category")
        self.assertEqual(c["steps"], [{"kind": "impute", "value": "none"},
                                      {"kind": "onehot", "categories": ["none", "x", "y", "z"], "unknown": "error", "drop": 0}])
        d = column(s, "d")
        self.assertEqual(d["type"], "number")
        # an unseen NaN is an unknown category to scikit-learn: it gets unknown_value, so missing is allowed
        self.assertEqual(d["steps"], [{"kind": "ordinal", "categories": [1, 2, 3], "unknown": {"value": -1}, "missing": -1}])
        self.assertFalse(d["required"])
        self.assertEqual(s["features"], ["c_x", "c_y", "c_z", "d", "a"])

    def test_ordinal_learned_missing_code(self):
        X, y = table()
        ct = ColumnTransformer([("ord", OrdinalEncoder(encoded_missing_value=-5), ["c"]), ("num", SimpleImputer(), ["a"])], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
        r, _ = export_to_temp(p, X)
        self.assertEqual(column(r.schema, "c")["steps"], [{"kind": "ordinal", "categories": ["x", "y", "z"], "unknown": "error", "missing": -5}])

    def test_kbins(self):
        X, y = table()
        ct = ColumnTransformer([
            ("q", make_pipeline(SimpleImputer(), StandardScaler(), KBinsDiscretizer(n_bins=3, encode="onehot-dense")), ["a"]),
            ("u", KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="uniform"), ["b"]),
        ], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
        r, _ = export_to_temp(p, X)
        q = column(r.schema, "a")["steps"][-1]
        edges = p[0].named_transformers_["q"][-1].bin_edges_[0]
        self.assertEqual(q, {"kind": "bucketize", "edges": [float(e) for e in edges[1:-1]], "encode": "onehot"})
        self.assertEqual(column(r.schema, "b")["steps"][-1]["encode"], "ordinal")
        self.assertEqual(r.schema["features"], ["a_0", "a_1", "a_2", "b"])

    def test_remainder_passthrough_and_transformer(self):
        X, y = table()
        X = X.drop(columns=["c"])
        for remainder, steps in (("passthrough", [{"kind": "passthrough"}]), (StandardScaler(), None)):
            ct = ColumnTransformer([("a", SimpleImputer(), ["a"])], remainder=remainder, sparse_threshold=0)
            p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
            r, _ = export_to_temp(p, X)
            self.assertEqual(r.schema["features"], ["a", "b", "d"])
            if steps:
                self.assertEqual(column(r.schema, "b")["steps"], steps)
            else:
                self.assertEqual(column(r.schema, "d")["steps"][0]["kind"], "standardize")

    def test_none_and_missing_strings_in_x_sample(self):
        """None in an object column and declared strings are missing: in the schema, the golden rows and the baselines."""
        X, y = table()
        X["c"] = X["c"].astype(object)
        X.loc[5, "c"] = np.nan
        X.loc[7, "c"] = "."
        Xfit = X.replace({"c": {".": np.nan}})
        ct = ColumnTransformer([("c", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)), ["c"]),
                                ("a", SimpleImputer(), ["a"])], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(Xfit, y)
        sample = X.copy()
        sample.loc[5, "c"] = None  # what pd.read_json gives for null
        r, _ = export_to_temp(p, sample, missing_strings={"c": ["."]})
        c = column(r.schema, "c")
        self.assertEqual(c["missing"], {"strings": ["."]})
        self.assertEqual(c["baseline"]["missing"], 2 / len(X))
        with open(r.golden_path) as f:
            golden = json.load(f)
        values = [row["c"] for row in golden["rows"]]
        self.assertIn(None, values)
        expected = p.predict_proba(Xfit.iloc[[5, 7]])
        for index, want in zip((5, 7), expected):
            row = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in X.iloc[index][["a", "c"]].to_dict().items()}
            self.assertIn(row, golden["rows"])  # rows with missing values are picked first
            np.testing.assert_allclose(golden["outputs"][golden["rows"].index(row)], want, rtol=0, atol=1e-12)

    def test_schema_only(self):
        X, y = table()
        ct = ColumnTransformer([("a", make_pipeline(SimpleImputer(), StandardScaler()), ["a", "b"])], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
        for target in (p, p[0]):
            r, out = export_to_temp(target, X, schema_only=True)
            self.assertEqual(sorted(os.listdir(out)), ["schema.json"])
            self.assertIsNone(r.model_dir)
            self.assertEqual(r.schema["features"], ["a", "b"])

    def test_baselines(self):
        b = numeric_baseline(np.array([1, 2, 2, 3, 4, 5, 6, 7, 8, 9, np.nan], dtype=float))
        self.assertEqual(b["rows"], 11)
        self.assertAlmostEqual(b["missing"], 1 / 11)
        self.assertEqual(b["edges"], sorted(set(b["edges"])))
        self.assertAlmostEqual(sum(b["shares"]), 1.0)
        self.assertEqual(len(b["shares"]), len(b["edges"]) + 1)
        # lower-inclusive: the value equal to the first edge counts in bin 1
        first = b["edges"][0]
        present = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9]
        self.assertAlmostEqual(b["shares"][0], sum(v < first for v in present) / 10)

    def test_golden_rows_prefer_missing_values(self):
        X, y = table()
        ct = ColumnTransformer([("a", SimpleImputer(), ["a", "b"])], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(X, y)
        r, _ = export_to_temp(p, X, golden_rows=6)
        with open(r.golden_path) as f:
            golden = json.load(f)
        self.assertEqual(len(golden["rows"]), 6)
        self.assertEqual(sum(row["a"] is None for row in golden["rows"]), 2)  # rows 3 and 17
        np.testing.assert_allclose(golden["outputs"], p.predict_proba(X.iloc[[3, 17, 0, 11, 23, 35]]), atol=1e-15)

    def test_category_labels_follow_javascript(self):
        for value, text in ((1.0, "1"), (2.5, "2.5"), (1e-7, "1e-7"), (1.5e-6, "0.0000015"), (1e21, "1e+21"), (123456789.0, "123456789"), (-0.25, "-0.25")):
            self.assertEqual(js_number(value), text)


if __name__ == "__main__":
    unittest.main()


class Inputs(unittest.TestCase):
    def test_pipeline_fitted_on_an_array(self):
        """Without feature names the columns are x0, x1, … (scikit-learn's own default names)."""
        X, y = table()
        A = X[["a", "b", "d"]].to_numpy()
        ct = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), [0, 1]), ("cat", OneHotEncoder(sparse_output=False), [2])], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(A, y)
        r, _ = export_to_temp(p, A)
        self.assertEqual(r.schema["features"], ["x0", "x1", "x2_1", "x2_2", "x2_3"])
        with open(r.golden_path) as f:
            golden = json.load(f)
        self.assertEqual(sorted(golden["rows"][0]), ["x0", "x1", "x2"])
        rows = np.array([[np.nan if row[k] is None else row[k] for k in ("x0", "x1", "x2")] for row in golden["rows"]])
        np.testing.assert_allclose(golden["outputs"], p.predict_proba(rows), atol=1e-15)

    def test_pandas_nullable_dtypes(self):
        import pandas as pd

        X, y = table()
        X = X.assign(c=X["c"].astype("string"), d=X["d"].astype("Int64"))
        X.loc[8, "d"] = pd.NA
        Xfit = X.assign(c=X["c"].astype(object).where(X["c"].notna(), np.nan), d=X["d"].astype(float))
        ct = ColumnTransformer([("c", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False)), ["c"]),
                                ("d", SimpleImputer(), ["d"])], sparse_threshold=0)
        p = Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(Xfit, y)
        r, _ = export_to_temp(p, X)  # the sample as the notebook holds it: string and Int64 columns with pd.NA
        self.assertEqual(column(r.schema, "d")["baseline"]["missing"], 1 / len(X))
        with open(r.golden_path) as f:
            golden = json.load(f)
        self.assertIn({"c": "z", "d": None}, golden["rows"])
        self.assertEqual(column(r.schema, "c")["baseline"]["missing"], 1 / len(X))
