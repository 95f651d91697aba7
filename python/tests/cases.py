"""The pipelines the end-to-end tests export: penguins (vega-datasets), wine and breast cancer
(scikit-learn's bundled data), covering every supported transformer and estimator.

Each case is trained here (deterministically), exported, and evaluated on every dataset row plus
rows with missing values and unseen categories; `expected` holds scikit-learn's own outputs.

    python3 python/tests/cases.py OUT_DIR [CASE ...] [--pickles DIR [--from-pickles]]

writes OUT_DIR/<case>/{schema.json, model/, golden.json, expected.json, pack-args.json}.
"""

import argparse
import json
import os
import pickle
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

from ferryml_export import export  # noqa: E402
from ferryml_export.pack import pack_args  # noqa: E402
from ferryml_export.sample import Sample, to_json  # noqa: E402

from case_mixed import case_mixed_types  # noqa: E402
from case_penguins import case_penguins_logreg, case_penguins_mass, case_penguins_mlp, case_penguins_sex  # noqa: E402
from case_trees import TREE_CASES  # noqa: E402
from case_uci import (  # noqa: E402
    case_cancer_logreg,
    case_cancer_mlp,
    case_cancer_multinomial,
    case_cancer_ridge,
    case_wine_mlp,
    case_wine_ovr,
    case_wine_regression,
)

CASES = {
    "mixed-types": case_mixed_types,
    "penguins-logreg": case_penguins_logreg,
    "penguins-mlp": case_penguins_mlp,
    "penguins-sex": case_penguins_sex,
    "penguins-mass": case_penguins_mass,
    "wine-ovr": case_wine_ovr,
    "wine-mlp": case_wine_mlp,
    "wine-regression": case_wine_regression,
    "cancer-logreg": case_cancer_logreg,
    "cancer-multinomial": case_cancer_multinomial,
    "cancer-mlp": case_cancer_mlp,
    "cancer-ridge": case_cancer_ridge,
    **TREE_CASES,
}


def evaluation(case, result):
    """Every raw dataset row plus the case's extra rows, and scikit-learn's output for each (null where it refuses)."""
    raw = case["raw"]
    columns = [c["name"] for c in result.schema["columns"]]
    rows = [{c: to_json(raw[c].iloc[i]) for c in columns} for i in range(len(raw))] + case["extra"]
    names = list(result_input_names(case["model"]))
    sample = Sample(case["X"], names, case.get("missing_strings"))
    classification = result.output["kind"] == "classification"
    model = case["model"]

    def predict(batch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = model.predict_proba(sample.with_rows(batch)) if classification else model.predict(sample.with_rows(batch))
        return [[float(v) for v in row] for row in np.asarray(y, dtype=float).reshape(len(batch), -1)]

    try:
        outputs = predict(rows)
    except ValueError:
        outputs = []
        for row in rows:
            try:
                outputs += predict([row])
            except ValueError:
                outputs.append(None)  # scikit-learn refuses the row (an unknown category with handle_unknown="error")
    columns_order = list(rows[0])
    return {
        "output": result.output,
        "columns": columns_order,
        "rows": [[row.get(c) for c in columns_order] for row in rows],
        "outputs": outputs,
    }


def result_input_names(model):
    return model.steps[0][1].feature_names_in_


def build(name, out_dir, version="1.0.0", pickles=None, from_pickles=False):
    """Trains (or, with from_pickles, loads) the case's pipeline, exports it and writes expected.json."""
    case = CASES[name]()
    pickle_path = os.path.join(pickles, f"{name}.pkl") if pickles else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if from_pickles:
            with open(pickle_path, "rb") as f:
                case["model"] = pickle.load(f)
        else:
            case["model"].fit(case["X"], case["y"])
            if pickle_path:
                os.makedirs(pickles, exist_ok=True)
                with open(pickle_path, "wb") as f:
                    pickle.dump(case["model"], f, protocol=4)
        result = export(case["model"], case["X"], os.path.join(out_dir, name), name=name, version=version,
                        label=case["label"], missing_strings=case.get("missing_strings"))
        expected = evaluation(case, result)
    with open(os.path.join(result.out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, allow_nan=False)
        f.write("\n")
    with open(os.path.join(result.out_dir, "pack-args.json"), "w") as f:
        json.dump(pack_args(result, "MODELS_DIR"), f)
    return result, case


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--pickles", help="directory of <case>.pkl: written after training, or read with --from-pickles")
    parser.add_argument("--from-pickles", action="store_true", help="export the pickled pipelines instead of training")
    args = parser.parse_args()
    for name in args.cases:
        build(name, args.out, pickles=args.pickles, from_pickles=args.from_pickles)
        print(name)
