"""penguins 2.0.0: a scikit-learn GradientBoostingClassifier behind the same input columns as 1.x,
exported with ferryml_export and packed with `ferryml pack` onto the canary channel. The app's
schema does not change (same columns, types, parse rules and missing strings); the model family does.

    /usr/bin/python3 training/penguins_trees.py [--out models]     (Debian python3-sklearn 1.2.1)
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402

from ferryml_export import export  # noqa: E402
from ferryml_export.pack import pack_args  # noqa: E402

PENGUINS = os.path.join(ROOT, "node_modules", "vega-datasets", "data", "penguins.json")
NUM = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
SEED = 42
VERSION = "2.0.0"
CREATED_AT = "2026-11-26T00:00:00.000Z"


def main(out):
    df = pd.read_json(PENGUINS).replace({None: np.nan})
    y = df.pop("Species")
    X = df.replace({"Sex": {".": np.nan}})
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
    ct = ColumnTransformer([
        ("island", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), ["Island"]),
        ("num", SimpleImputer(strategy="median"), NUM),
        ("sex", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False, handle_unknown="ignore")), ["Sex"]),
    ], sparse_threshold=0)
    gb = GradientBoostingClassifier(n_estimators=60, max_depth=2, learning_rate=0.2, random_state=SEED)
    pipeline = Pipeline([("preprocess", ct), ("classify", gb)]).fit(X_train, y_train)
    accuracy = float((pipeline.predict(X_test) == y_test).mean())
    work = tempfile.mkdtemp(prefix="ferryml-penguins-trees-")
    result = export(pipeline, X_train, os.path.join(work, "penguins"), name="penguins", version=VERSION,
                    label="Species", missing_strings={"Sex": ["."]})
    # Same input contract as 1.x: numbers also accepted as decimal strings, "" in Sex is missing.
    schema = result.schema
    for column in schema["columns"]:
        if column["type"] == "number":
            column["parse"] = {"strings": "decimal"}
        if column["name"] == "Sex":
            column["missing"] = {"strings": [".", ""]}
    with open(result.schema_path, "w") as f:
        json.dump(schema, f, indent=1)
        f.write("\n")
    cli = ["node", "--import", "tsx", os.path.join(ROOT, "src", "node", "cli.ts")]
    argv = cli + pack_args(result, out) + [
        "--data", PENGUINS, "--data-source", "vega-datasets penguins.json", "--seed", str(SEED),
        "--metric", f"heldOutAccuracy={round(accuracy, 4)}", "--metric", f"trainRows={len(X_train)}",
        "--metric", f"testRows={len(X_test)}", "--channel", "canary", "--created-at", CREATED_AT, "--force",
        "--code", "training/penguins_trees.py",
    ]
    subprocess.run(argv, check=True, cwd=ROOT)
    print(f"penguins@{VERSION}: GradientBoostingClassifier, held-out accuracy {accuracy:.4f} ({shlex.join(argv[4:6])} …)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "models"))
    main(parser.parse_args().out)
