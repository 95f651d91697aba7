"""The estimator rewrites (dense layers) equal scikit-learn's predict_proba / predict, and the
layers-model file holds them as tfjs expects (kernel [in, out], float32 little-endian, spec order)."""

import copy
import json
import os
import shutil
import tempfile
import unittest
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from helpers import export_to_temp, table
from ferryml_export.estimator import run_layers, to_layers
from ferryml_export.layers_model import SHARD, write_layers_model


def data(classes):
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    if classes == 2:
        keep = y > 0
        return X[keep], y[keep]
    return X, y


class Rewrites(unittest.TestCase):
    def check(self, est, X, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        layers, output = to_layers(est, X.shape[1], "model")
        ours = run_layers(layers, X)
        theirs = est.predict_proba(X) if output["kind"] == "classification" else np.asarray(est.predict(X)).reshape(len(X), -1)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
        return layers, output

    def test_logistic_regression_variants(self):
        for classes, kw, activations in (
            (2, {}, ["softmax"]),
            (2, {"multi_class": "multinomial"}, ["softmax"]),
            (3, {}, ["softmax"]),
            (3, {"solver": "liblinear"}, ["softplus", "softmax"]),
            (3, {"multi_class": "ovr"}, ["softplus", "softmax"]),
        ):
            X, y = data(classes)
            layers, output = self.check(LogisticRegression(**kw), X, y)
            self.assertEqual([l["activation"] for l in layers], activations, kw)
            self.assertEqual(output["labels"], [str(c) for c in np.unique(y)])

    def test_logistic_regression_without_multi_class(self):
        # scikit-learn >= 1.5 leaves multi_class='deprecated' (later versions drop the attribute):
        # binary and liblinear are then one-vs-rest, the rest multinomial. Emulated here on any
        # version: the model is fitted as 'auto' would, then its attribute is changed or deleted.
        for classes, kw, activations in (
            (2, {}, ["softmax"]),
            (3, {"solver": "liblinear"}, ["softplus", "softmax"]),
            (3, {}, ["softmax"]),
        ):
            for newer in (lambda est: setattr(est, "multi_class", "deprecated"), lambda est: delattr(est, "multi_class")):
                X, y = data(classes)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = LogisticRegression(**kw).fit(X, y)
                theirs = est.predict_proba(X)
                newer(est)
                layers, _ = to_layers(est, X.shape[1], "model")
                np.testing.assert_allclose(run_layers(layers, X), theirs, rtol=1e-10, atol=1e-12, err_msg=str(kw))
                self.assertEqual([l["activation"] for l in layers], activations, kw)

    def test_export_of_logistic_regression_without_multi_class(self):
        # the whole export, its own check against predict_proba included, as on scikit-learn >= 1.5
        X, y = table()
        pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), ["a", "b"])], sparse_threshold=0)
        for labels, solver in ((y, "lbfgs"), (np.where(X["d"] == 1, "one", y), "liblinear")):
            for newer in (lambda est: setattr(est, "multi_class", "deprecated"), lambda est: delattr(est, "multi_class")):
                pipeline = Pipeline([("pre", pre), ("model", LogisticRegression(solver=solver))]).fit(X, labels)
                est = pipeline.steps[-1][1]
                est.predict_proba = copy.deepcopy(est).predict_proba  # scikit-learn >= 1.5's answer
                newer(est)
                result, _ = export_to_temp(pipeline, X)  # raises MismatchError if the rewrite is wrong
                self.assertEqual(result.output["labels"], [str(c) for c in est.classes_], solver)
                self.assertTrue(os.path.exists(os.path.join(result.model_dir, "model.json")), solver)

    def test_binary_lr_is_softmax_of_zero_and_z(self):
        X, y = data(2)
        est = LogisticRegression().fit(X, y)
        (layer,) = to_layers(est, 4, "m")[0]
        np.testing.assert_array_equal(layer["kernel"][:, 0], 0)
        np.testing.assert_array_equal(layer["kernel"][:, 1], est.coef_[0])

    def test_mlp_classifier(self):
        for classes in (2, 3):
            for activation in ("relu", "tanh", "logistic", "identity"):
                X, y = data(classes)
                layers, _ = self.check(MLPClassifier(hidden_layer_sizes=(5, 3), activation=activation, max_iter=300, random_state=0), X, y)
                self.assertEqual(layers[-1]["kernel"].shape, (3, classes))

    def test_regressors(self):
        X, y = data(3)
        Y = np.column_stack([y, X[:, 0] * 2])
        for est, target, n in ((LinearRegression(), y, 1), (Ridge(alpha=2.0), Y, 2), (MLPRegressor(hidden_layer_sizes=(4,), max_iter=300, random_state=0), y, 1), (LinearRegression(fit_intercept=False), Y, 2)):
            layers, output = self.check(est, X, target)
            self.assertEqual(layers[-1]["kernel"].shape[1], n)
            self.assertEqual(output, {"kind": "regression"})

    def test_model_json_and_shard(self):
        X, y = data(3)
        est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=200, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        layers, _ = to_layers(est, 4, "m")
        out = tempfile.mkdtemp(prefix="ferryml-layers-test-")
        self.addCleanup(shutil.rmtree, out, ignore_errors=True)
        write_layers_model(layers, out, "iris", "test")
        with open(os.path.join(out, "model.json")) as f:
            model = json.load(f)
        self.assertEqual(model["format"], "layers-model")
        topology = model["modelTopology"]
        self.assertEqual(topology["class_name"], "Sequential")
        first, second = topology["config"]["layers"]
        self.assertEqual(first["config"]["batch_input_shape"], [None, 4])
        self.assertEqual((first["config"]["units"], first["config"]["activation"]), (5, "relu"))
        self.assertEqual((second["config"]["units"], second["config"]["activation"]), (3, "softmax"))
        specs = model["weightsManifest"][0]["weights"]
        self.assertEqual(model["weightsManifest"][0]["paths"], [SHARD])
        self.assertEqual([s["name"] for s in specs], ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"])
        shard = np.fromfile(os.path.join(out, SHARD), dtype="<f4")
        self.assertEqual(shard.size, sum(int(np.prod(s["shape"])) for s in specs))
        np.testing.assert_array_equal(shard[:20].reshape(4, 5), est.coefs_[0].astype(np.float32))
        np.testing.assert_array_equal(shard[20:25], est.intercepts_[0].astype(np.float32))


if __name__ == "__main__":
    unittest.main()
