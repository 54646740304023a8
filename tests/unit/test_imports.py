"""The window must be able to appear before TensorFlow loads: the light modules stay light."""

from __future__ import annotations

import subprocess
import sys


def test_package_ink_preprocessing_and_cli_do_not_import_tensorflow() -> None:
    code = (
        "import sys, digitpad, digitpad.ml.ink, digitpad.ml.preprocess, digitpad.cli, "
        "digitpad.paths, digitpad.samples; "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
