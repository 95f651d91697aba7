"""Errors raised by the exporter: every refusal names the step and says what is supported."""

SUPPORTED_PIPELINE = "Pipeline([ColumnTransformer, estimator]) (or a bare ColumnTransformer with schema_only=True)"

SUPPORTED_TRANSFORMERS = (
    "SimpleImputer (missing_values=np.nan; mean, median, most_frequent, constant; add_indicator as the "
    "last step of its column), StandardScaler, MinMaxScaler, OneHotEncoder (dense, no infrequent "
    "categories), OrdinalEncoder, KBinsDiscretizer, 'passthrough', FunctionTransformer() without a "
    "function, 'drop', and Pipelines of these inside one ColumnTransformer"
)

SUPPORTED_ESTIMATORS = (
    "LogisticRegression (binary, multinomial, one-vs-rest), MLPClassifier (single-label), "
    "MLPRegressor, LinearRegression, Ridge; tree ensembles: DecisionTree, RandomForest, ExtraTrees, "
    "GradientBoosting (log_loss; init prior/zero), HistGradientBoosting (incl. categorical_features; "
    "classifiers, identity-link regressors), XGBClassifier/XGBRegressor (gbtree; binary:logistic, "
    "multi:softprob, reg:squarederror)"
)


class ExportError(Exception):
    """Base class of every exporter error: the export stopped and wrote nothing."""


class UnsupportedError(ExportError):
    """A pipeline construct the ferryml schema or layers model cannot reproduce exactly.

    `step` is the path of the offending step ("preprocess/num/polynomialfeatures"),
    `problem` says what is wrong, `supported` lists what would work, `hint` how to fix it.
    """

    def __init__(self, step, problem, supported=SUPPORTED_TRANSFORMERS, hint=None):
        self.step = step
        self.problem = problem
        self.supported = supported
        self.hint = hint
        message = f"step '{step}': {problem}."
        if hint:
            message += f" {hint}."
        message += f" Supported: {supported}."
        super().__init__(message)


class MismatchError(ExportError):
    """The exporter's own re-computation disagrees with scikit-learn: a bug, never shipped silently."""
