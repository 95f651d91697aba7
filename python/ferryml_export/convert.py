"""Dispatch: a fitted transformer (or 'passthrough', or a Pipeline of them) applied to lanes."""

from .encoders import one_hot_encoder, ordinal_encoder
from .errors import UnsupportedError
from .lanes import check_width, class_name
from .numeric import kbins_discretizer, min_max_scaler, simple_imputer, standard_scaler

HANDLERS = {
    "SimpleImputer": simple_imputer,
    "StandardScaler": standard_scaler,
    "MinMaxScaler": min_max_scaler,
    "OneHotEncoder": one_hot_encoder,
    "OrdinalEncoder": ordinal_encoder,
    "KBinsDiscretizer": kbins_discretizer,
}

REFUSALS = {
    "FunctionTransformer": "FunctionTransformer runs arbitrary Python ({func}) that the browser cannot reproduce",
    "PolynomialFeatures": "PolynomialFeatures creates products of several columns; a schema step sees one column",
    "ColumnTransformer": "a ColumnTransformer nested inside another cannot be expressed as per-column steps",
    "FeatureUnion": "FeatureUnion sends one column through several transformers",
    "MissingIndicator": "a standalone MissingIndicator is not supported",
    "RobustScaler": "RobustScaler is not a schema step",
    "MaxAbsScaler": "MaxAbsScaler is not a schema step",
    "Normalizer": "Normalizer scales each row by its norm across columns",
    "QuantileTransformer": "QuantileTransformer is not a schema step",
    "PowerTransformer": "PowerTransformer is not a schema step",
    "KNNImputer": "KNNImputer imputes from other rows, which the browser does not have",
    "IterativeImputer": "IterativeImputer fits a model across columns",
    "PCA": "PCA mixes columns",
}


def convert(transformer, lanes, path):
    """Applies one fitted transformer (or 'passthrough', or a Pipeline of them) to lanes."""
    if transformer is None or (isinstance(transformer, str) and transformer == "passthrough"):
        return lanes
    name = class_name(transformer)
    if name == "Pipeline":
        for step_name, step in transformer.steps:
            lanes = convert(step, lanes, f"{path}/{step_name}")
        return lanes
    if name == "FunctionTransformer" and transformer.func is None:
        return lanes
    if hasattr(transformer, "transform"):
        check_width(transformer, lanes, path)
    if name in HANDLERS:
        return HANDLERS[name](transformer, lanes, path)
    if name in REFUSALS:
        func = getattr(transformer, "func", None)
        problem = REFUSALS[name].format(func=getattr(func, "__name__", repr(func)))
        raise UnsupportedError(path, problem)
    raise UnsupportedError(path, f"{name} is not a supported transformer")
