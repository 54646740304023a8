"""Inside the model: all 23 layer outputs of the bundled CNN for one drawing on LiteRT, p95 <= 2 ms.
Run: python -m pytest -m benchmark tests/benchmarks/test_layer_outputs_speed.py -s"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.ink import Drawing
from digitpad.ml.layer_outputs import LayerOutputs, layers_job, make_layers_form
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.training_process import run_in_child
from digitpad.paths import bundled_model_path

pytestmark = pytest.mark.benchmark


def test_all_layer_outputs_of_one_drawing_p95_at_most_2ms(
    tmp_path: Path, pendigits: list[Drawing]
) -> None:
    """Measured in a process without TensorFlow, as the window is: a conversion child makes
    the layers form, as it does for the app."""
    run_in_child(layers_job(bundled_model_path(), tmp_path), work=make_layers_form)
    inspector = LayerOutputs.load(bundled_model_path(), tmp_path)
    images = [ink_to_image(d.strokes) for d in pendigits[:1000]]
    assert "tensorflow" not in sys.modules
    for image in images[:20]:
        inspector.run(image)
    ms = []
    for image in images:
        started = time.perf_counter()
        inspector.run(image)
        ms.append((time.perf_counter() - started) * 1e3)
    p50, p95 = np.percentile(ms, [50, 95])
    print(f"\nall {len(inspector.layers)} layer outputs of the bundled CNN, one drawing on "
          f"LiteRT: p50 {p50:.2f} ms, p95 {p95:.2f} ms over {len(ms)} drawings")
    assert p95 <= 2.0
