"""Engine speed targets: preprocessing <= 1 ms median, ink -> probabilities <= 1 ms p95 for one
drawing, ``classify`` of one drawing <= 0.8 s and >= 3,000 drawings/s after that.
Run: python -m pytest -m benchmark tests/benchmarks/test_engine_speed.py -s"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.ink import Drawing, save_ink
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer

pytestmark = pytest.mark.benchmark


def _timings(function, items, repeat: int = 1) -> np.ndarray:
    times = []
    for _ in range(repeat):
        for item in items:
            started = time.perf_counter()
            function(item)
            times.append(time.perf_counter() - started)
    return np.array(times) * 1e3


def test_preprocessing_median_at_most_1ms(pendigits: list[Drawing]) -> None:
    drawings = pendigits[:2000]
    _timings(lambda d: ink_to_image(d.strokes), drawings[:100])  # warm caches
    ms = _timings(lambda d: ink_to_image(d.strokes), drawings)
    print(
        f"\npreprocess ink -> 28x28: median {np.median(ms):.3f} ms, p95 "
        f"{np.percentile(ms, 95):.3f} ms over {len(ms)} real drawings"
    )
    assert np.median(ms) <= 1.0


def test_ink_to_probabilities_of_one_drawing_p95_at_most_1ms(
    bundled_recognizer: Recognizer, pendigits: list[Drawing]
) -> None:
    drawings = pendigits[:1000]
    for d in drawings[:20]:
        bundled_recognizer.predict_image(ink_to_image(d.strokes))
    ms = _timings(lambda d: bundled_recognizer.predict_image(ink_to_image(d.strokes)), drawings)
    print(f"\nink -> probabilities on LiteRT, one drawing: median {np.median(ms):.2f} ms, "
          f"p95 {np.percentile(ms, 95):.2f} ms")
    assert np.percentile(ms, 95) <= 1.0


def test_classify_command_start_up_and_throughput(tmp_path: Path, pendigits: list[Drawing]
                                                  ) -> None:
    path = tmp_path / "all.json"
    save_ink(path, pendigits)

    def run(file: Path, drawings: int) -> tuple[float, str]:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "digitpad", "classify", "--json", str(file)],
            capture_output=True, text=True, check=True)
        assert len(json.loads(result.stdout)["results"]) == drawings
        return time.perf_counter() - started, result.stderr

    one = tmp_path / "one.json"
    save_ink(one, pendigits[:1])
    run(one, 1)  # the first run after an install compiles digitpad's bytecode
    start_up, stderr = min(run(one, 1) for _ in range(3))
    everything, _ = run(path, len(pendigits))
    rate = len(pendigits) / (everything - start_up)
    print(
        f"\nclassify: one drawing, whole command {start_up:.2f} s; {len(pendigits)} drawings in "
        f"{everything:.2f} s -> {rate:.0f} drawings/s after start-up"
    )
    assert stderr == ""  # nothing from TensorFlow or LiteRT on the terminal
    assert start_up <= 0.8
    assert rate >= 3000
