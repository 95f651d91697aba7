"""Export a fitted scikit-learn Pipeline(ColumnTransformer → estimator) to a ferryml bundle.

    from ferryml_export import export
    export(pipeline, X_train, "export/penguins", name="penguins", version="1.0.0")

writes schema.json, a tfjs layers-model (or, for tree models, a tree-ensemble) and golden.json,
then `ferryml pack` makes the bundle.
"""

__version__ = "0.1.0"

from .errors import ExportError, MismatchError, UnsupportedError  # noqa: E402
from .export import ExportResult, export  # noqa: E402

__all__ = ["export", "ExportResult", "ExportError", "UnsupportedError", "MismatchError", "__version__"]
