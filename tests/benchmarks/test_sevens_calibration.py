"""Re-measures the two calibrated 1-and-7 decisions on the *training* writers, as they were chosen
(the held-out writers stay for ``test_not_a_digit.py`` to judge them):

- ``digitpad.ml.outputs.CROSSED_SHARE``: with "crossed 7", how much of the two 7 outputs the
  crossed 7 must hold for a drawing to be a 7. Low enough that the writers' real crossed 7s read
  7, high enough that long-flag 1s made from their 1s still read 1.
- ``digitpad.ui.pad.verdict.SEVEN_DOUBTED_FROM``: with "plain 7", the trace of 1 that makes a 7
  unsure. As low as it can be while at most 5 % of real 7s are doubted (shown "7?", still as 7),
  so that as many as can be of the long-flag 1s read as a 7 are doubted (the rest have flags so
  short and flat that they are a plain 7's top bar).

The drawings are random variants (``random_affine``), not the drawings as trained on. Run on the
bundled model, or another with ``DIGITPAD_MODEL=path.keras``:
``python -m pytest tests/benchmarks/test_sevens_calibration.py -m benchmark -s``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.ink import Drawing
from digitpad.ml.ink_augment import random_affine, split_by_writer
from digitpad.ml.outputs import CROSSED_SEVEN, CROSSED_SHARE, fold
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.regional import flagged_one, is_crossed_seven
from digitpad.paths import bundled_model_path
from digitpad.ui.pad.verdict import SEVEN_DOUBTED_FROM

VARIANTS = 3


@pytest.fixture(scope="module")
def model() -> Recognizer:
    return Recognizer.load(Path(os.environ.get("DIGITPAD_MODEL", str(bundled_model_path()))))


def _outputs(model: Recognizer, drawings: list[Drawing], rng: np.random.Generator) -> np.ndarray:
    return model.outputs(np.stack([ink_to_image(random_affine(list(d.strokes), rng))
                                   for d in drawings]))


def _crossed_reading(outputs: np.ndarray, share: float) -> np.ndarray:
    """The digit each row reads as with "crossed 7" at this share."""
    plain, crossed = outputs[:, 7], outputs[:, CROSSED_SEVEN]
    digits = outputs[:, :10].copy()
    barred = crossed >= share * (plain + crossed)
    digits[:, 1] += np.where(barred, 0.0, plain)
    digits[:, 7] = np.where(barred, plain + crossed, crossed)
    return digits.argmax(axis=1)


@pytest.mark.benchmark
def test_the_one_and_seven_decisions_sit_where_the_training_writers_put_them(
    model: Recognizer, pendigits: list[Drawing]
) -> None:
    if not model.knows_non_digits:
        pytest.skip("a ten-output model has no crossed 7 to calibrate")
    train, _, _ = split_by_writer(pendigits, 3)
    rng = np.random.default_rng(7)
    ones = [flagged_one(d, rng) for d in train if d.label == 1 for _ in range(VARIANTS)]
    crossed = [d for d in train if d.label == 7 and is_crossed_seven(d)] * VARIANTS
    sevens = [d for d in train if d.label == 7] * VARIANTS
    ones_out, crossed_out = _outputs(model, ones, rng), _outputs(model, crossed, rng)
    print(f"\n{len(ones)} long-flag 1s, {len(crossed)} crossed 7s (training writers, variants)")
    rows = {}
    for share in sorted({0.005, 0.01, CROSSED_SHARE, 0.05, 0.1, 0.3, 0.5}):
        rows[share] = (np.mean(_crossed_reading(ones_out, share) == 1),
                       np.mean(_crossed_reading(crossed_out, share) == 7))
        print(f"  crossed share {share:.3f}: 1s read 1 {rows[share][0]:.2%}, crossed 7s read 7 "
              f"{rows[share][1]:.2%}")
    plain_ones, _ = fold(ones_out)
    plain_sevens, _ = fold(_outputs(model, sevens, rng))
    read_seven = plain_ones.argmax(axis=1) == 7
    doubts = {}
    for trace in sorted({0.0001, 0.0002, 0.0005, 0.001, SEVEN_DOUBTED_FROM, 0.003, 0.01, 0.03}):
        doubts[trace] = (np.mean(plain_ones[read_seven, 1] >= trace) if read_seven.any() else 1.0,
                         np.mean(plain_sevens[:, 1] >= trace))
        print(f"  trace of 1 from {trace:.4f}: {doubts[trace][0]:.1%} of the {read_seven.sum()} "
              f"1s read as 7 doubted, {doubts[trace][1]:.1%} of real 7s doubted")
    best_for_sevens = max(r[1] for r in rows.values())
    assert rows[CROSSED_SHARE][1] >= best_for_sevens - 0.005
    assert rows[CROSSED_SHARE][0] >= 0.99
    assert doubts[SEVEN_DOUBTED_FROM][0] >= 0.85
    assert doubts[SEVEN_DOUBTED_FROM][1] <= 0.05
    # the lowest trace that keeps real 7s within the 5 %: every lower one doubts too many
    assert all(real > 0.05 for trace, (_, real) in doubts.items() if trace < SEVEN_DOUBTED_FROM)
