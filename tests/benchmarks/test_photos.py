"""Photos of digits on paper read right whatever the lighting.

Each of 1,200 drawings of the writers the bundled model never trained on is written on paper
(:mod:`tests.unit.ml.photos`: a random pen and ink, tinted and textured paper) and photographed
under every kind of lighting (even, a gradient, a shadow's edge across the ink, a lamp's spot),
with camera blur, sensor noise and JPEG; the same ink is also saved as a clean scan, black on
white and white on black. Each picture is read as the app reads a file
(:func:`~digitpad.ml.preprocess.load_image`). Targets: >= 97 % read right for every lighting,
and clean scans of either polarity read at least as well as before the lighting was flattened.
The time to find the ink in a photo is printed beside.

Measured (bundled model, read right), before the lighting was flattened -> after: clean 98.42 %
-> 98.42 %, white on black 98.42 % -> 98.42 %, even 98.33 % -> 98.42 %, gradient 27.50 % ->
98.33 %, shadow 23.42 % -> 98.17 %, spot 33.00 % -> 98.08 % (before, most were read as 8).
The twelve-output model, after: clean and white on black 98.00 %, the lightings printed.
Run: nice python -m pytest -m benchmark tests/benchmarks/test_photos.py -s
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.ink import Drawing
from digitpad.ml.preprocess import load_gray, load_image, picture_ink, working_copy
from digitpad.ml.recognizer import Recognizer
from tests.unit.ml.photos import LIGHTINGS, ink_on_paper, photograph, scan

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]  # ~10 minutes on 2 busy cores

PHOTOS = 1200
"""Drawings, each photographed under every lighting: one photo moves a figure by 0.08 %."""
TARGET = 0.97
CLEAN_BEFORE = {"clean": 1176, "white on black": 1176}
"""How many clean scans the bundled model reads right as they were read before the lighting was
flattened: the code before f68ac85 gives these scans exactly the model inputs of today's (largest
difference 0.0, checked when the twelve-output model came; the ten-output model read 1,181)."""
FIND_INK_P95_MS = 30.0


def test_photos_read_right_whatever_the_lighting(
    held_out: list[Drawing], bundled_recognizer: Recognizer, tmp_path: Path
) -> None:
    kinds = (*CLEAN_BEFORE, *LIGHTINGS)
    chosen = np.random.default_rng(2026).choice(len(held_out), PHOTOS, replace=False)
    drawings = [held_out[i] for i in chosen]
    inputs: dict[str, list[np.ndarray | None]] = {kind: [] for kind in kinds}
    find_ms: list[float] = []
    for n, drawing in enumerate(drawings):
        rng = np.random.default_rng([2026, n])
        ink = ink_on_paper(drawing.strokes, rng)
        pictures = {"clean": scan(ink), "white on black": scan(ink, light_on_dark=True)}
        pictures.update((lighting, photograph(ink, lighting, rng)) for lighting in LIGHTINGS)
        for kind, data in pictures.items():
            path = tmp_path / ("scan.png" if kind in CLEAN_BEFORE else "photo.jpg")
            path.write_bytes(data)
            inputs[kind].append(load_image(path))
            if kind not in CLEAN_BEFORE:
                gray = load_gray(path)
                started = time.perf_counter()
                picture_ink(working_copy(gray))
                find_ms.append((time.perf_counter() - started) * 1e3)
    labels = [d.label for d in drawings]
    rates, right = {}, {}
    print(f"\n{PHOTOS} held-out writers' digits, read right:")
    for kind in kinds:
        digits = [p.digit for p in bundled_recognizer.predict_images(inputs[kind])]
        right[kind] = sum(d == label for d, label in zip(digits, labels, strict=True))
        rates[kind] = right[kind] / PHOTOS
        misread = Counter(d for d, label in zip(digits, labels, strict=True) if d != label)
        print(f"  {kind:15s} {rates[kind]:.2%}  (most often misread as {misread.most_common(3)})")
    print(f"finding the ink in a photo (working copy and ink): p50 {np.median(find_ms):.1f} ms, "
          f"p95 {np.percentile(find_ms, 95):.1f} ms")
    for lighting in LIGHTINGS:
        assert rates[lighting] >= TARGET, lighting
    for kind, before in CLEAN_BEFORE.items():
        assert right[kind] >= before, kind
    assert np.percentile(find_ms, 95) <= FIND_INK_P95_MS
