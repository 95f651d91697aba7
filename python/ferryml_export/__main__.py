"""python3 -m ferryml_export PIPELINE.pkl --sample ROWS.csv --out DIR [options]"""

import argparse
import json
import os
import sys

from . import __version__
from .errors import ExportError
from .export import export

USAGE_EXAMPLE = "python3 -m ferryml_export pipeline.pkl --sample rows.csv --out export/penguins --name penguins --version 1.0.0"


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python3 -m ferryml_export",
        description="Export a fitted scikit-learn Pipeline(ColumnTransformer → estimator) to a ferryml bundle: "
        "schema.json, a tfjs layers-model and golden.json, then `ferryml pack`.",
        epilog=f"example: {USAGE_EXAMPLE}",
    )
    p.add_argument("pipeline", help="pickled (or joblib-dumped) fitted Pipeline")
    p.add_argument("--sample", required=True, help="training rows, .csv or .json (array of objects); extra columns such as the label are ignored")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--name", help="model name (default: the --out directory's name)")
    p.add_argument("--version", default="1.0.0", help="model version (default 1.0.0)")
    p.add_argument("--label", help="name of the training label column, recorded in schema.json")
    p.add_argument("--missing", action="append", default=[], metavar="COLUMN=S1,S2",
                   help="strings the notebook replaced with NaN before fitting (repeatable), e.g. --missing Sex=.")
    p.add_argument("--schema-only", action="store_true", help="write schema.json only (for a model converted with tensorflowjs_converter)")
    p.add_argument("--golden-rows", type=int, default=8, help="sample rows in golden.json (default 8)")
    p.add_argument("--pack", action="store_true", help="run `ferryml pack` afterwards ($FERRYML_CLI overrides the command)")
    p.add_argument("--models", default="models", help="where --pack writes the bundle (default models/)")
    p.add_argument("--version-info", action="version", version=f"ferryml_export {__version__}")
    return p.parse_args(argv)


def read_sample(path):
    """A DataFrame from .csv (empty cells, NA, NaN, null → missing) or .json (array of row objects)."""
    try:
        import pandas as pd
    except ImportError as e:  # the pipeline was fitted on a DataFrame anyway when columns have names
        raise ExportError("reading --sample needs pandas (Debian: apt-get install python3-pandas)") from e
    if path.endswith(".json"):
        with open(path) as f:
            rows = json.load(f)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ExportError(f"{path}: expected a JSON array of row objects")
        return pd.DataFrame(rows)
    return pd.read_csv(path)


def load_pipeline(path):
    import joblib  # a scikit-learn dependency; reads plain pickles too

    return joblib.load(path)


def parse_missing(items):
    missing = {}
    for item in items:
        column, sep, strings = item.rpartition("=")
        if not sep or not column:
            raise ExportError(f"--missing expects COLUMN=S1,S2, got {item!r}")
        missing.setdefault(column, []).extend(strings.split(","))
    return missing


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        pipeline = load_pipeline(args.pipeline)
        sample = read_sample(args.sample)
        if not hasattr(pipeline_input(pipeline), "feature_names_in_"):
            sample = sample.to_numpy()  # fitted on an array: columns by position
        result = export(pipeline, sample, args.out, name=args.name, version=args.version, label=args.label,
                        missing_strings=parse_missing(args.missing), schema_only=args.schema_only,
                        golden_rows=args.golden_rows, pack=args.pack, models_dir=args.models)
    except (ExportError, ValueError, OSError) as e:
        print(f"ferryml_export: {e}", file=sys.stderr)
        return 1
    for path in result.files:
        print(f"wrote {path}")
    if result.bundle_dir:
        print(f"packed {result.bundle_dir}")
    elif result.model_dir:
        print(f"next: {result.pack_command(args.models)}")
    else:
        print("next: convert your model with tensorflowjs_converter, then "
              f"ferryml pack <model-dir> --name {result.name} --version {result.version} "
              f"--schema {os.path.join(args.out, 'schema.json')} --out {args.models}")
    return 0


def pipeline_input(pipeline):
    steps = getattr(pipeline, "steps", None)
    return steps[0][1] if steps else pipeline


if __name__ == "__main__":
    sys.exit(main())
