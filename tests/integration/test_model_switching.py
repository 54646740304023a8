"""Switching models, every way a user can, twenty times in the real app: it stays up, reads
each drawing, and its process never imports TensorFlow (the crash users met came from it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digitpad.ml.datasets import Mnist
from tests.unit.ml.mnist_files import write_mnist_slice

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SWITCHES = 20


@pytest.mark.timeout(600)
def test_twenty_switches_between_bundled_retrained_history_and_loaded_models(
    tmp_path: Path, mnist: Mnist, pendigits_path: Path
) -> None:
    mnist_file = write_mnist_slice(mnist, tmp_path / "mnist-slice.npz")
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.switching_app", str(tmp_path),
         str(mnist_file), str(pendigits_path), str(SWITCHES)],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=540,
        check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    answers = report["answers"]
    assert len(answers) == SWITCHES
    assert {a["way"] for a in answers} == {"use_new_model", "use_bundled", "use_history",
                                          "use_loaded_file"}
    assert all(a["shown"].rstrip("?").isdigit() for a in answers)  # every drawing got a digit
    bundled = [a for a in answers if a["model"] in ("digitpad-cnn.keras", "my model.keras")]
    right = sum(a["shown"].rstrip("?") == str(a["label"]) for a in bundled)
    assert right >= len(bundled) - 1  # the bundled CNN (also as a loaded copy) reads them
    assert report["errors"] == []
    assert report["tensorflow_imported"] is False and report["keras_imported"] is False
    assert "tensorflow" not in result.stderr.lower()  # nothing from TensorFlow on the terminal
    converted = list((tmp_path / "data" / "litert-cache").glob("*.tflite"))
    assert len(converted) == 1  # the loaded file was converted once, then served from the cache
