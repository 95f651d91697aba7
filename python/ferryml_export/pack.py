"""Runs (or prints) `ferryml pack` for an export: the bundle maker is the SDK's own CLI."""

import os
import shlex
import shutil
import subprocess

from .errors import ExportError


def ferryml_command():
    """The ferryml CLI as argv: $FERRYML_CLI (e.g. "node --import tsx src/node/cli.ts"), `ferryml` on PATH, else npx."""
    configured = os.environ.get("FERRYML_CLI")
    if configured:
        return shlex.split(configured)
    if shutil.which("ferryml"):
        return ["ferryml"]
    return ["npx", "--no-install", "ferryml"]


def pack_args(result, models_dir):
    """`ferryml pack` arguments for an ExportResult, writing the bundle under `models_dir`."""
    if result.model_dir is None:
        raise ExportError("a schema-only export has no model to pack: convert your model with tensorflowjs_converter and pack it")
    args = ["pack", result.model_dir, "--name", result.name, "--version", result.version, "--schema", result.schema_path]
    if result.golden_path:
        args += ["--golden", result.golden_path]
    if result.predictions_path:
        args += ["--predictions", result.predictions_path]
    if result.output and result.output["kind"] == "regression":
        args.append("--regression")  # classification labels come from schema.json's label.classes
    return args + ["--out", models_dir]


def run_pack(result, models_dir, command=None):
    """Runs `ferryml pack`; returns the bundle directory models_dir/<name>/<version>."""
    argv = (command or ferryml_command()) + pack_args(result, models_dir)
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise ExportError(f"`{shlex.join(argv)}` failed with exit code {done.returncode}:\n{done.stderr or done.stdout}")
    return os.path.join(models_dir, result.name, result.version)
