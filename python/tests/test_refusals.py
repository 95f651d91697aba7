"""Every construct the exporter cannot reproduce exactly is refused up front, naming the step,
saying what is wrong and listing what is supported; nothing is written."""

import os
import shutil
import tempfile
import unittest
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    AdaBoostClassifier,
    BaggingClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from helpers import table
from ferryml_export import ExportError, UnsupportedError, export
from ferryml_export.errors import SUPPORTED_ESTIMATORS, SUPPORTED_TRANSFORMERS

NUM = ["a", "b"]


def fit(ct, estimator=None, X=None, y=None):
    X0, y0 = table()
    X = X0 if X is None else X
    y = y0 if y is None else y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression() if estimator is None else estimator
        return Pipeline([("pre", ct), ("model", model)]).fit(X, y), X


def dense(transformers, **kw):
    return ColumnTransformer(transformers, sparse_threshold=0, **kw)


IMPUTED_NUM = ("num", make_pipeline(SimpleImputer(), StandardScaler()), NUM)
CAT = ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False)), ["c"])


class Refusals(unittest.TestCase):
    def scratch(self):
        """A temporary directory removed when the test ends."""
        d = tempfile.mkdtemp(prefix="ferryml-refusals-test-")
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        return d

    def refused(self, pipeline, X, step, *phrases, supported=SUPPORTED_TRANSFORMERS, error=UnsupportedError, **kw):
        out = os.path.join(self.scratch(), "out")
        with self.assertRaises(error) as caught:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                export(pipeline, X, out, name="t", **kw)
        message = str(caught.exception)
        if step is not None:
            self.assertEqual(caught.exception.step, step, message)
            self.assertIn(f"step '{step}'", message)
        for phrase in phrases:
            self.assertIn(phrase, message)
        if supported:
            self.assertIn(f"Supported: {supported}", message)
        self.assertFalse(os.path.exists(out), "a refused export must write nothing")
        return message

    def test_function_transformer_with_a_function(self):
        p, X = fit(dense([("log", FunctionTransformer(np.log1p), ["b"]), IMPUTED_NUM[:2] + (["a"],)]))
        self.refused(p, X, "pre/log", "FunctionTransformer runs arbitrary Python (log1p)")

    def test_polynomial_features(self):
        p, X = fit(dense([("poly", make_pipeline(SimpleImputer(), PolynomialFeatures()), NUM)]))
        self.refused(p, X, "pre/poly/polynomialfeatures", "PolynomialFeatures creates products of several columns")

    def test_other_tree_models(self):
        for model in (AdaBoostClassifier(n_estimators=3), BaggingClassifier(n_estimators=3)):
            p, X = fit(dense([IMPUTED_NUM]), model)
            self.refused(p, X, "model", f"{type(model).__name__} is a tree model ferryml does not export", supported=SUPPORTED_ESTIMATORS)

    def test_tree_model_options(self):
        from xgboost import XGBClassifier, XGBRegressor

        X0, y0 = table()
        codes = pd.Series(pd.Categorical(y0).codes)
        y_num = pd.Series(np.arange(len(X0), dtype=float))
        cases = [
            (GradientBoostingClassifier(n_estimators=3, loss="exponential"), None, "GradientBoostingClassifier loss 'exponential' is not supported"),
            (GradientBoostingClassifier(n_estimators=3, init=LogisticRegression()), None, "init estimator LogisticRegression gives a different start per row"),
            (HistGradientBoostingRegressor(max_iter=3, loss="poisson"), y_num + 1, "HistGradientBoostingRegressor loss 'poisson' has a non-identity link"),
            (XGBRegressor(n_estimators=3, objective="count:poisson"), y_num, "XGBRegressor objective 'count:poisson' is not supported"),
            (XGBClassifier(n_estimators=3, booster="dart"), codes, "XGBClassifier booster 'dart' is not supported"),
            (XGBClassifier(n_estimators=3, missing=0.0), codes, "XGBClassifier missing=0.0: only NaN marks a missing value"),
        ]
        for model, y, phrase in cases:
            with self.subTest(phrase):
                p, X = fit(dense([IMPUTED_NUM]), model, y=y)
                self.refused(p, X, "model", phrase, supported=SUPPORTED_ESTIMATORS)

    def test_xgboost_early_stopping(self):
        from xgboost import XGBClassifier

        X0, y0 = table()
        codes = pd.Series(pd.Categorical(y0).codes)
        ct = dense([IMPUTED_NUM])
        Xt = ct.fit_transform(X0)
        xgb = XGBClassifier(n_estimators=50, early_stopping_rounds=1, learning_rate=1.0)
        xgb.fit(Xt, codes, eval_set=[(Xt[::-1][:5], codes[::-1][:5])], verbose=False)
        if int(xgb.get_booster().attr("best_iteration")) + 1 >= xgb.get_booster().num_boosted_rounds():
            self.skipTest("early stopping did not stop early on this table")
        p = Pipeline([("pre", ct), ("model", xgb)])
        self.refused(p, X0, "model", "was fitted with early stopping", "Refit with n_estimators=best_iteration + 1", supported=SUPPORTED_ESTIMATORS)

    def test_missing_values_for_forests_still_need_an_imputer(self):
        # Forests and GradientBoosting in scikit-learn 1.2 refuse NaN: no passthrough lets it through.
        X0, y0 = table()
        p, X = fit(dense([IMPUTED_NUM]), RandomForestClassifier(n_estimators=3, random_state=0))
        out = os.path.join(self.scratch(), "out")
        result = export(p, X, out)
        self.assertTrue(all(s.get("missing") != "nan" for c in result.schema["columns"] for s in c["steps"]))

    def test_unsupported_estimator(self):
        p, X = fit(dense([IMPUTED_NUM]), SVC(probability=True))
        self.refused(p, X, "model", "SVC is not a supported estimator", supported=SUPPORTED_ESTIMATORS)

    def test_sparse_output(self):
        X, y = table()
        X = X.assign(e=[f"id{i}" for i in range(len(X))])
        ct = ColumnTransformer([("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["c", "e"])])
        p, X = fit(ct, X=X, y=y)
        self.assertTrue(p[0].sparse_output_)
        self.refused(p, X, "pre", "outputs a sparse matrix", "sparse_threshold=0")

    def test_column_used_by_two_transformers(self):
        p, X = fit(dense([IMPUTED_NUM, ("again", make_pipeline(SimpleImputer(), StandardScaler()), ["a"])]))
        self.refused(p, X, "pre/again", "column 'a' is also used by 'num'")

    def test_add_indicator_followed_by_a_scaler(self):
        p, X = fit(dense([("num", make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()), NUM)]))
        self.refused(p, X, "pre/num/standardscaler", "missing indicator of column 'a'", "flows into StandardScaler")

    def test_nested_column_transformer(self):
        inner = dense([("s", StandardScaler(), [0])], remainder="passthrough")
        p, X = fit(dense([("nested", make_pipeline(SimpleImputer(), inner), NUM)]))
        self.refused(p, X, "pre/nested/columntransformer", "nested inside another")

    def test_steps_between_column_transformer_and_estimator(self):
        X, y = table()
        p = Pipeline([("pre", dense([IMPUTED_NUM])), ("scale", StandardScaler()), ("model", LogisticRegression())]).fit(X, y)
        self.refused(p, X, "scale", "exactly a ColumnTransformer followed by the estimator", supported=None)

    def test_pipeline_not_starting_with_column_transformer(self):
        X, y = table()
        p = make_pipeline(SimpleImputer(), LogisticRegression()).fit(X[NUM], y)
        self.refused(p, X[NUM], "simpleimputer", "must start with a ColumnTransformer", supported=None)

    def test_bare_column_transformer_without_schema_only(self):
        ct = dense([IMPUTED_NUM]).fit(table()[0])
        self.refused(ct, table()[0], "pipeline", "has no estimator", supported=None)

    def test_imputer_missing_values_other_than_nan(self):
        X, y = table()
        X = X.assign(c=X["c"].fillna("?"))
        ct = dense([IMPUTED_NUM, ("cat", make_pipeline(SimpleImputer(missing_values="?", strategy="most_frequent"), OneHotEncoder(sparse_output=False)), ["c"])])
        p, X = fit(ct, X=X, y=y)
        self.refused(p, X, "pre/cat/simpleimputer", "missing_values='?'", "missing_strings=")

    def test_imputer_not_first(self):
        p, X = fit(dense([("num", make_pipeline(StandardScaler(), SimpleImputer()), NUM)]))
        self.refused(p, X, "pre/num/simpleimputer", "SimpleImputer comes after standardize", "must be its first step")

    def test_column_entirely_missing_in_training(self):
        X, y = table()
        X = X.assign(a=np.nan)
        p, X = fit(dense([IMPUTED_NUM]), X=X, y=y)
        self.refused(p, X, "pre/num/simpleimputer", "column 'a' had no observed value in training")

    def test_infrequent_categories(self):
        ct = dense([IMPUTED_NUM, ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(min_frequency=25, sparse_output=False, handle_unknown="infrequent_if_exist")), ["c"])])
        p, X = fit(ct)
        self.refused(p, X, "pre/cat/onehotencoder", "grouped infrequent categories")

    def test_imputed_value_the_encoder_rejects(self):
        # no missing value in training: the fill value is no category, and handle_unknown="error"
        X, y = table()
        X = X.assign(c=X["c"].fillna("x"))
        for encoder in (OneHotEncoder(sparse_output=False), OrdinalEncoder()):
            imputed = make_pipeline(SimpleImputer(strategy="constant", fill_value="none"), encoder)
            p, X = fit(dense([IMPUTED_NUM, ("cat", imputed, ["c"])]), X=X, y=y)
            step = f"pre/cat/{type(encoder).__name__.lower()}"
            self.refused(p, X, step, "the imputed value 'none' of column 'c'", "handle_unknown='error'", supported=None)
        # with handle_unknown="ignore" the fill encodes as unknown (all zeros), as in scikit-learn
        ignore = make_pipeline(SimpleImputer(strategy="constant", fill_value="none"), OneHotEncoder(handle_unknown="ignore", sparse_output=False))
        p, X = fit(dense([IMPUTED_NUM, ("cat", ignore, ["c"])]), X=X, y=y)
        export(p, X, os.path.join(self.scratch(), "out"), name="t")

    def test_encoder_that_learned_missing_as_a_category(self):
        p, X = fit(dense([IMPUTED_NUM, ("cat", OneHotEncoder(sparse_output=False), ["c"])]))
        self.refused(p, X, "pre/cat", "learned a missing value (None/NaN) as a category of column 'c'", "put a SimpleImputer before")

    def test_none_in_an_object_column_is_not_missing_to_sklearn_1_2(self):
        # Fitted on raw None (not np.nan): SimpleImputer keeps None, the encoder learns it as a category.
        X, y = table()
        X = X.astype({"c": object})
        X.loc[5, "c"] = None
        self.assertIsNone(X.loc[5, "c"])
        p, X = fit(dense([IMPUTED_NUM, CAT]), X=X, y=y)
        self.assertIn(None, list(p[0].named_transformers_["cat"][-1].categories_[0]))
        self.refused(p, X, "pre/cat/onehotencoder", "Convert None to np.nan")

    def test_ordinal_missing_as_nan(self):
        # the estimator cannot be fitted on NaN, so it is fitted on the imputed output and put behind the fitted encoder
        X, y = table()
        ct = dense([IMPUTED_NUM, ("cat", OrdinalEncoder(), ["c"])]).fit(X)
        p = Pipeline([("pre", ct), ("model", LogisticRegression().fit(np.nan_to_num(ct.transform(X)), y))])
        self.refused(p, X, "pre/cat", "encodes the missing values of column 'c' as NaN")

    def test_ordinal_unknown_as_nan(self):
        ct = dense([IMPUTED_NUM, ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)), ["c"])])
        p, X = fit(ct)
        self.refused(p, X, "pre/cat/ordinalencoder", "unknown_value=np.nan")

    def test_scaler_after_one_hot(self):
        ct = dense([IMPUTED_NUM, ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False), StandardScaler()), ["c"])])
        p, X = fit(ct)
        self.refused(p, X, "pre/cat/standardscaler", "one-hot output of column 'c' flows into StandardScaler")

    def test_scaler_after_ordinal(self):
        ct = dense([IMPUTED_NUM, ("d", make_pipeline(OrdinalEncoder(), StandardScaler()), ["d"])])
        p, X = fit(ct)
        self.refused(p, X, "pre/d/standardscaler", "StandardScaler comes after a ordinal step on column 'd'")

    def test_encoder_after_scaler(self):
        ct = dense([IMPUTED_NUM, ("d", make_pipeline(StandardScaler(), OneHotEncoder(sparse_output=False)), ["d"])])
        p, X = fit(ct)
        self.refused(p, X, "pre/d/onehotencoder", "OneHotEncoder comes after a standardize step")

    def test_text_reaching_the_estimator(self):
        X, y = table()
        X = X.assign(e=X["d"].astype(str))  # numeric strings: sklearn casts them, the browser would get text
        p, X = fit(dense([IMPUTED_NUM, ("text", "passthrough", ["e"])]), X=X, y=y)
        self.refused(p, X, "pre/text", "text column 'e' reaches the estimator unencoded")

    def test_transformer_weights(self):
        p, X = fit(dense([IMPUTED_NUM], transformer_weights={"num": 2.0}))
        self.refused(p, X, "pre/num", "transformer_weights multiplies this branch by 2.0")

    def test_other_transformers(self):
        for transformer, phrase in ((KNNImputer(), "KNNImputer imputes from other rows"), (RobustScaler(), "RobustScaler is not a schema step")):
            p, X = fit(dense([("num", make_pipeline(SimpleImputer(), transformer), NUM)]))
            self.refused(p, X, f"pre/num/{type(transformer).__name__.lower()}", phrase)

    def test_multilabel_mlp(self):
        X, y = table()
        Y = np.column_stack([y == "hi", X["d"].to_numpy() > 2]).astype(int)
        p, X = fit(dense([IMPUTED_NUM]), MLPClassifier(hidden_layer_sizes=(3,), max_iter=50, random_state=0), X=X, y=Y)
        self.refused(p, X, "model", "multi-label MLPClassifier", supported=SUPPORTED_ESTIMATORS)

    def test_declared_missing_string_learned_as_category(self):
        p, X = fit(dense([IMPUTED_NUM, CAT]))
        message = self.refused(p, X, None, "column 'c': ['x'] are declared missing", error=ExportError, supported=None,
                               missing_strings={"c": ["x"]})
        self.assertIn("replace them with np.nan before fitting", message)


if __name__ == "__main__":
    unittest.main()
