"""The window must be able to appear before TensorFlow loads: the light modules stay light. And the
ML core stands alone: the sample store and the UI build on it, never the other way round."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import digitpad.ml

ML_MAY_NOT_IMPORT = ("digitpad.samples", "digitpad.ui", "PySide6")


def test_package_ink_preprocessing_jobs_and_cli_do_not_import_tensorflow() -> None:
    """The job/message protocol included: the window builds jobs and reads messages."""
    code = (
        "import sys, digitpad, digitpad.ml.ink, digitpad.ml.preprocess, digitpad.ml.digits, "
        "digitpad.ml.jobs, digitpad.cli, digitpad.paths, digitpad.samples; "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_no_ml_module_imports_the_sample_store_the_ui_or_qt() -> None:
    """Read from the source, so imports inside functions (the lazy ones) count too."""
    found = []
    for path in sorted(Path(digitpad.ml.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            found += [f"{path.name}:{node.lineno} imports {name}" for name in names
                      if name.startswith(ML_MAY_NOT_IMPORT)]
    assert found == []
