"""Engine speed targets: preprocessing <= 1 ms median, ink -> probabilities <= 5 ms p95 for one
drawing, classify >= 1,000 drawings/s. Run: python -m pytest -m benchmark tests/benchmarks -s"""

from __future__ import annotations

import json
import os
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


def test_single_drawing_latency_direct_vs_predict(
    bundled_recognizer: Recognizer, pendigits: list[Drawing]
) -> None:
    drawings = pendigits[:300]
    for d in drawings[:20]:
        bundled_recognizer.predict_image(ink_to_image(d.strokes))
    direct = _timings(lambda d: bundled_recognizer.predict_image(ink_to_image(d.strokes)), drawings)
    model = bundled_recognizer.model
    model.predict(np.zeros((1, 28, 28), np.float32), verbose=0)
    predict = _timings(
        lambda d: model.predict(ink_to_image(d.strokes)[None], verbose=0), drawings[:50]
    )
    print(
        f"\nink -> probabilities, traced direct call: median {np.median(direct):.2f} ms, "
        f"p95 {np.percentile(direct, 95):.2f} ms"
    )
    print(
        f"ink -> probabilities, model.predict:      median {np.median(predict):.2f} ms, "
        f"p95 {np.percentile(predict, 95):.2f} ms"
    )
    assert np.percentile(direct, 95) <= 5.0


def test_classify_command_throughput(tmp_path: Path, pendigits: list[Drawing]) -> None:
    path = tmp_path / "all.json"
    save_ink(path, pendigits)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}

    def run(file: Path, drawings: int) -> float:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "digitpad", "classify", "--json", str(file)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert len(json.loads(result.stdout)["results"]) == drawings
        return time.perf_counter() - started

    one = tmp_path / "one.json"
    save_ink(one, pendigits[:1])
    start_up = run(one, 1)
    everything = run(path, len(pendigits))
    rate = len(pendigits) / (everything - start_up)
    print(
        f"\nclassify: start-up {start_up:.2f} s; {len(pendigits)} drawings in "
        f"{everything:.2f} s -> {rate:.0f} drawings/s after start-up"
    )
    assert rate >= 1000
