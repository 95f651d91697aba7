"""python3 -m ferryml_export: pickle + CSV in, bundle parts out; refusals exit 1 with the message."""

import json
import os
import pickle
import subprocess
import shutil
import sys
import tempfile
import unittest

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from helpers import table

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


REAL_FERRYML = os.environ.get("FERRYML_CLI")


def cli(*args, ferryml="ferryml-cli-for-test"):
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, FERRYML_CLI=ferryml)
    return subprocess.run([sys.executable, "-m", "ferryml_export", *args], capture_output=True, text=True, env=env)


class Cli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ferryml-export-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        X, y = table()
        X.loc[9, "c"] = "."
        self.X = X.assign(label=y)
        self.csv = os.path.join(self.dir, "rows.csv")
        self.X.to_csv(self.csv, index=False)

    def save(self, pipeline):
        path = os.path.join(self.dir, "pipeline.pkl")
        with open(path, "wb") as f:
            pickle.dump(pipeline, f)
        return path

    def fit(self, numeric):
        Xfit = self.X.drop(columns=["label"]).replace({"c": {".": np.nan}})
        ct = ColumnTransformer([("num", numeric, ["a", "b"]),
                                ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False)), ["c"])],
                               sparse_threshold=0)
        return Pipeline([("pre", ct), ("clf", LogisticRegression())]).fit(Xfit, self.X["label"])

    def test_export_from_pickle_and_csv(self):
        pkl = self.save(self.fit(make_pipeline(SimpleImputer(), StandardScaler())))
        out = os.path.join(self.dir, "out")
        r = cli(pkl, "--sample", self.csv, "--out", out, "--name", "demo", "--version", "2.0.0", "--label", "label", "--missing", "c=.")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["golden.json", "model", "predictions.json", "schema.json"])
        with open(os.path.join(out, "schema.json")) as f:
            schema = json.load(f)
        self.assertEqual(schema["label"], {"column": "label", "classes": ["hi", "lo"]})
        self.assertEqual(schema["columns"][2]["missing"], {"strings": ["."]})
        self.assertIn("next: ferryml-cli-for-test pack", r.stdout)
        self.assertIn("--name demo --version 2.0.0", r.stdout)

    @unittest.skipUnless(REAL_FERRYML, "set FERRYML_CLI to the ferryml command to test --pack (test/node/export.test.ts does)")
    def test_pack(self):
        pkl = self.save(self.fit(make_pipeline(SimpleImputer(), StandardScaler())))
        out, models = os.path.join(self.dir, "out"), os.path.join(self.dir, "models")
        r = cli(pkl, "--sample", self.csv, "--out", out, "--name", "demo", "--missing", "c=.", "--pack", "--models", models, ferryml=REAL_FERRYML)
        self.assertEqual(r.returncode, 0, r.stderr)
        bundle = os.path.join(models, "demo", "1.0.0")
        self.assertIn(f"packed {bundle}", r.stdout)
        with open(os.path.join(bundle, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertEqual(manifest["output"], {"kind": "classification", "labels": ["hi", "lo"]})
        self.assertEqual(sorted(f["path"] for f in manifest["files"]), ["golden.json", "group1-shard1of1.bin", "model.json", "schema.json"])
        # The output baseline comes from the estimator's predictions on the whole sample, not golden's few rows.
        with open(os.path.join(out, "predictions.json")) as f:
            predictions = json.load(f)
        baseline = manifest["outputBaseline"]
        self.assertEqual((baseline["source"], baseline["rows"]), ("predictions.json", len(predictions)))
        self.assertEqual([f["name"] for f in baseline["features"]], ["class", "confidence"])
        self.assertEqual(baseline["features"][0]["baseline"]["categories"], ["hi", "lo"])
        self.assertAlmostEqual(sum(baseline["features"][0]["baseline"]["shares"]), 1.0)

    def test_pack_failure_is_reported(self):
        pkl = self.save(self.fit(make_pipeline(SimpleImputer(), StandardScaler())))
        r = cli(pkl, "--sample", self.csv, "--out", os.path.join(self.dir, "o"), "--missing", "c=.", "--pack", ferryml=sys.executable + " -c 'import sys; sys.exit(3)'")
        self.assertEqual(r.returncode, 1)
        self.assertIn("failed with exit code 3", r.stderr)

    def test_schema_only(self):
        pkl = self.save(self.fit(make_pipeline(SimpleImputer(), StandardScaler())))
        out = os.path.join(self.dir, "schema")
        r = cli(pkl, "--sample", self.csv, "--out", out, "--schema-only", "--missing", "c=.")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(out), ["schema.json"])
        self.assertIn("tensorflowjs_converter", r.stdout)

    def test_refusal_exits_1_with_the_message(self):
        pkl = self.save(self.fit(make_pipeline(SimpleImputer(), PolynomialFeatures())))
        r = cli(pkl, "--sample", self.csv, "--out", os.path.join(self.dir, "x"), "--missing", "c=.")
        self.assertEqual(r.returncode, 1)
        self.assertIn("step 'pre/num/polynomialfeatures': PolynomialFeatures", r.stderr)
        self.assertIn("Supported:", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x")))


if __name__ == "__main__":
    unittest.main()
