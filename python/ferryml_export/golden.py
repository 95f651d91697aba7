"""golden.json: raw rows and the outputs the pipeline itself gives for them (browser = notebook)."""

import numpy as np

from .sample import is_missing

UNKNOWN = "__ferryml_unknown__"


def tolerates_unknown(column):
    for step in column["steps"]:
        if step["kind"] == "onehot":
            return step["unknown"] == "ignore"
        if step["kind"] == "ordinal":
            return step["unknown"] != "error"
    return False


def pick_rows(sample, columns, count):
    """Row positions: rows with missing values first (they exercise the imputers), then an even spread."""
    names = [c["name"] for c in columns]
    missing = [r for r in range(sample.rows) if any(is_missing(sample.column(n)[r]) for n in names)]
    picked = missing[: max(1, count // 2)]
    for r in np.linspace(0, sample.rows - 1, num=min(count, sample.rows)).astype(int):
        if len(picked) >= count:
            break
        if int(r) not in picked:
            picked.append(int(r))
    return picked


def golden_rows(sample, columns, count):
    """JSON rows: picked sample rows plus, per category column that tolerates it, a row with an unseen category."""
    names = [c["name"] for c in columns]
    rows = [sample.json_row(r, names) for r in pick_rows(sample, columns, count)]
    unknown = [c["name"] for c in columns if c["type"] == "category" and tolerates_unknown(c)]
    for i, name in enumerate(unknown[:2]):
        row = dict(rows[(i + 1) % len(rows)])
        row[name] = UNKNOWN
        rows.append(row)
    return rows


def golden(pipeline, sample, columns, count, classification):
    """{rows, outputs}: outputs from the pipeline's own predict_proba (classification) or predict."""
    rows = golden_rows(sample, columns, count)
    X = sample.with_rows(rows)
    if classification:
        outputs = np.asarray(pipeline.predict_proba(X), dtype=float)
    else:
        outputs = np.asarray(pipeline.predict(X), dtype=float).reshape(len(rows), -1)
    return {"rows": rows, "outputs": [[float(v) for v in row] for row in outputs]}
