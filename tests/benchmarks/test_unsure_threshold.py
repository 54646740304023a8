"""Re-measures the evidence behind ``digitpad.ui.pad.verdict.UNSURE_BELOW`` on real pen-drawn
digits.

Prints how often the window would be unsure (as it shows it: below the threshold, or a 7 with a
trace of 1, ``SEVEN_DOUBTED_FROM``), how many wrong answers that catches and how many right ones
it doubts, for the chosen threshold and its neighbours. Only writers the model never
trained on count (its model card lists them), so familiar hands do not flatter the confidence.
Re-run it when the bundled model changes:
``python -m pytest tests/benchmarks/test_unsure_threshold.py -m benchmark -s``.
"""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ui.pad.verdict import UNSURE_BELOW, Certainty, verdict_for


def unseen_drawings(pendigits: list, card: ModelCard) -> list:
    """The drawings of writers the model did not train on (all of them for an MNIST-only model)."""
    held_out = (card.ink_training or {}).get("held_out_writers")
    if held_out is None:
        return pendigits
    return [d for d in pendigits if d.extra.get("writer") in set(held_out)]


@pytest.mark.benchmark
def test_the_unsure_threshold_separates_right_from_wrong(pendigits, bundled_recognizer) -> None:
    drawings = unseen_drawings(pendigits, bundled_recognizer.card)
    predictions = bundled_recognizer.predict_drawings(drawings)
    labels = np.array([d.label for d in drawings])
    digits = np.array([p.digit for p in predictions])
    confidence = np.array([p.confidence for p in predictions])
    runner_up = np.array([p.runner_up for p in predictions])
    right = digits == labels
    print(f"\n{len(labels)} drawings, {right.mean():.1%} read right; median confidence "
          f"{np.median(confidence[right]):.3f} when right, {np.median(confidence[~right]):.3f} "
          "when wrong")
    rows = {}
    for threshold in sorted({0.6, 0.7, UNSURE_BELOW, 0.9}):
        unsure = np.array([verdict_for(p, unsure_below=threshold).certainty is not Certainty.SURE
                           for p in predictions])
        rows[threshold] = {
            "unsure": unsure.mean(),
            "caught": (unsure & ~right).sum() / max(1, (~right).sum()),
            "doubted": (unsure & right).sum() / max(1, right.sum()),
            "sure_right": right[~unsure].mean(),
            "runner_up_right": ((runner_up == labels)[unsure & ~right].mean()
                                if (unsure & ~right).any() else float("nan")),  # none caught
        }
        print(f"threshold {threshold:.2f}: unsure on {rows[threshold]['unsure']:.1%}, catches "
              f"{rows[threshold]['caught']:.1%} of wrong answers, doubts "
              f"{rows[threshold]['doubted']:.1%} of right ones; sure answers "
              f"{rows[threshold]['sure_right']:.2%} right; runner-up right for "
              f"{rows[threshold]['runner_up_right']:.0%} of the caught mistakes")
    chosen = rows[UNSURE_BELOW]
    assert chosen["caught"] >= 0.5  # at least half of the mistakes are flagged...
    assert chosen["doubted"] <= 0.08  # ...while few right answers are doubted
    assert chosen["sure_right"] > right.mean()
