"""export(): a fitted Pipeline(ColumnTransformer → estimator) to schema.json, a layers-model and golden.json."""

import json
import os
import shlex
from dataclasses import dataclass, field

import numpy as np

from . import __version__
from .baseline import baseline
from .columns import feature_name, schema_columns, walk
from .errors import SUPPORTED_PIPELINE, ExportError, UnsupportedError
from .estimator import to_layers
from .tree_ensemble import write_tree_model
from .trees import accepts_nan, is_tree_model, to_trees, wide_categories
from .golden import golden
from .lanes import class_name
from .layers_model import write_layers_model
from .pack import ferryml_command, pack_args, run_pack
from .sample import Sample, is_missing
from .verify import check_layers, check_schema, check_trees


@dataclass
class ExportResult:
    """What export() wrote, and how to pack it."""

    name: str
    version: str
    out_dir: str
    schema_path: str
    schema: dict
    model_dir: str = None
    golden_path: str = None
    predictions_path: str = None
    output: dict = None
    bundle_dir: str = None
    files: list = field(default_factory=list)

    def pack_command(self, models_dir="models"):
        """The `ferryml pack` command line for this export, as one shell string."""
        return shlex.join(ferryml_command() + pack_args(self, models_dir))


def split(pipeline, schema_only):
    """(ColumnTransformer, estimator or None, step name of the ColumnTransformer)."""
    if class_name(pipeline) == "ColumnTransformer":
        if not schema_only:
            raise UnsupportedError("pipeline", "a bare ColumnTransformer has no estimator", supported=SUPPORTED_PIPELINE,
                                   hint="Pass the whole Pipeline, or use schema_only=True")
        return pipeline, None, "columntransformer"
    if class_name(pipeline) != "Pipeline":
        raise UnsupportedError("pipeline", f"{class_name(pipeline)} is not a Pipeline", supported=SUPPORTED_PIPELINE)
    steps = [(n, s) for n, s in pipeline.steps if s is not None and not (isinstance(s, str) and s == "passthrough")]
    if not steps or class_name(steps[0][1]) != "ColumnTransformer":
        first = steps[0][0] if steps else "pipeline"
        raise UnsupportedError(first, "the Pipeline must start with a ColumnTransformer", supported=SUPPORTED_PIPELINE)
    (ct_name, ct), rest = steps[0], steps[1:]
    if schema_only:
        return ct, None, ct_name
    if len(rest) != 1:
        where = rest[0][0] if len(rest) > 1 else ct_name
        raise UnsupportedError(where, "the Pipeline must be exactly a ColumnTransformer followed by the estimator; "
                               f"got steps {[n for n, _ in steps]}", supported=SUPPORTED_PIPELINE,
                               hint="Move preprocessing into the ColumnTransformer")
    return ct, rest[0][1], ct_name


def input_names(ct):
    if hasattr(ct, "feature_names_in_"):
        return [str(n) for n in ct.feature_names_in_]
    return [f"x{i}" for i in range(ct.n_features_in_)]


def build_schema(ct, sample, path, label, classes, missing_nan=False):
    kinds = [sample.kind(n) for n in sample.names]
    lanes, owners = walk(ct, sample.names, kinds, path)
    columns = schema_columns(lanes, sample.names, kinds, owners, path, missing_nan)
    features = [feature_name(lane) for lane in lanes]
    duplicates = sorted({f for f in features if features.count(f) > 1})
    if duplicates:
        raise ExportError(f"feature names {duplicates} collide; rename the columns that produce them")
    for column in columns:
        name = column["name"]
        strings = sample.missing_strings.get(name)
        if strings:
            seen = {c for s in column["steps"] for c in s.get("categories", [])} & set(strings)
            if seen:
                raise ExportError(f"column '{name}': {sorted(seen)} are declared missing but the pipeline learned them "
                                  "as categories; replace them with np.nan before fitting")
            column["missing"] = {"strings": list(strings)}
        values = sample.column(name)
        if column["type"] == "number":
            present = np.array([v for v in values if not is_missing(v)], dtype=float)
            if present.size:
                column["range"] = {"min": float(present.min()), "max": float(present.max())}
        column["baseline"] = baseline(column, values)
    schema = {"formatVersion": 1, "columns": columns, "features": features, "width": len(features)}
    if label is not None or classes is not None:
        schema["label"] = {"column": label or "target"}
        if classes is not None:
            schema["label"]["classes"] = classes
    return schema


def write_json(path, document):
    with open(path, "w") as f:
        json.dump(document, f, indent=1, allow_nan=False)
        f.write("\n")


def export(pipeline, X_sample, out_dir, name=None, version="1.0.0", *, label=None, missing_strings=None,
           schema_only=False, golden_rows=8, pack=False, models_dir="models", ferryml=None):
    """Exports a fitted Pipeline(ColumnTransformer → estimator) as a ferryml bundle's parts.

    Writes `out_dir/schema.json` (fitted steps and drift baselines from `X_sample`),
    `out_dir/model/` (tfjs layers-model) and `out_dir/golden.json`, after proving on every
    X_sample row that the schema and the layers reproduce scikit-learn. With `pack=True` it then
    runs `ferryml pack` into `models_dir`. `missing_strings` ({column: ["."]}) declares strings the
    notebook replaced with np.nan before fitting. Raises UnsupportedError before writing anything
    when a step cannot be reproduced exactly.
    """
    ct, est, ct_name = split(pipeline, schema_only)
    sample = Sample(X_sample, input_names(ct), missing_strings)
    classes = [str(c) for c in est.classes_] if est is not None and hasattr(est, "classes_") else None
    tree = est is not None and is_tree_model(est)
    # HistGradientBoosting and XGBoost route missing values themselves: numeric columns pass them as NaN.
    schema = build_schema(ct, sample, ct_name, label, classes, missing_nan=tree and accepts_nan(est))
    transformed = ct.transform(sample.frame)
    if hasattr(transformed, "toarray"):
        transformed = transformed.toarray()
    check_schema(schema, sample, transformed)
    layers = trees = output = None
    if est is not None:
        est_name = [n for n, s in pipeline.steps if s is est][0]
        if tree:
            trees, output = to_trees(est, schema["width"], est_name, transformed)
            wide_categories(ct, est, est_name)
        else:
            layers, output = to_layers(est, schema["width"], est_name)
        classification = output["kind"] == "classification"
        expected = est.predict_proba(transformed) if classification else est.predict(transformed)
        if tree:
            check_trees(trees, transformed, expected, est_name, schema["features"])
        else:
            check_layers(layers, transformed, expected, est_name)

    name = name or os.path.basename(os.path.abspath(out_dir))
    os.makedirs(out_dir, exist_ok=True)
    result = ExportResult(name=name, version=version, out_dir=out_dir, schema=schema,
                          schema_path=os.path.join(out_dir, "schema.json"))
    write_json(result.schema_path, schema)
    result.files.append(result.schema_path)
    if layers is not None or trees is not None:
        result.model_dir = os.path.join(out_dir, "model")
        generated_by = f"ferryml_export {__version__} (scikit-learn {sklearn_version()})"
        if trees is not None:
            result.files += write_tree_model(trees, result.model_dir, generated_by)
        else:
            result.files += write_layers_model(layers, result.model_dir, name, generated_by)
        result.output = output
        result.golden_path = os.path.join(out_dir, "golden.json")
        write_json(result.golden_path, golden(pipeline, sample, schema["columns"], golden_rows, classification))
        result.files.append(result.golden_path)
        # The estimator's outputs on the whole sample: `ferryml pack --predictions` makes the
        # output baseline (output drift telemetry) from them rather than from the few golden rows.
        result.predictions_path = os.path.join(out_dir, "predictions.json")
        rows = np.asarray(expected, dtype=float).reshape(len(transformed), -1)
        write_json(result.predictions_path, [[float(v) for v in row] for row in rows])
        result.files.append(result.predictions_path)
        if pack:
            result.bundle_dir = run_pack(result, models_dir, ferryml)
    return result


def sklearn_version():
    import sklearn

    return sklearn.__version__
