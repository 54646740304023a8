"""Turning a prediction into what the window says about it, honestly: sure, unsure, not a digit
or nothing."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from digitpad.ml.recognizer import Prediction

DASH = "\N{EN DASH}"
"""What the headline shows when there is no digit."""
UNSURE_BELOW = 0.90
"""Below this confidence the window says it is unsure and names the runner-up.

Measured with the bundled CNN on the 2,498 pen-drawn digits of the writers it never trained on
(98.96 % read right, so 26 mistakes): at 0.90 the window is unsure about 1.9 % of drawings,
catching 54 % of the wrong answers while doubting 1.3 % of the right ones; its sure answers are
99.51 % right, and for 86 % of the caught mistakes the runner-up it names is the true digit.
At 0.70 it would catch only 19 % of the mistakes, at 0.60 15 %. (With the earlier, less
certain model trained on MNIST alone, 0.80 was the better choice.)
``tests/benchmarks/test_unsure_threshold.py`` re-measures.
"""


NOT_A_DIGIT = "Not a digit"
"""The headline for a drawing the model takes for no digit at all (a model with twelve outputs)."""


CLOSEST_FROM = 0.05
"""Below this, the likeliest digit of a non-digit is not worth naming."""


class Certainty(enum.Enum):
    EMPTY = "empty"
    SURE = "sure"
    UNSURE = "unsure"
    NOT_A_DIGIT = "not a digit"


@dataclass(frozen=True)
class Verdict:
    certainty: Certainty
    digit: int | None
    headline: str
    """The big text: the digit, the digit with a question mark, or a dash."""
    detail: str
    """One line under it: how sure, or what else it might be."""


def verdict_for(prediction: Prediction, unsure_below: float = UNSURE_BELOW) -> Verdict:
    if prediction.digit is None:
        return Verdict(Certainty.EMPTY, None, DASH, "Draw a digit")
    digit = prediction.digit
    if prediction.not_a_digit > prediction.confidence:
        # Likelier no digit than any one digit: measured on the held-out pen writers, a model
        # trained to refuse refuses none of their 2,498 digits and 99 % of non-digits it never
        # saw (tests/benchmarks/test_not_a_digit.py).
        closest = (f"\nClosest digit: {digit} ({prediction.confidence:.0%})"
                   if prediction.confidence >= CLOSEST_FROM else "")
        return Verdict(Certainty.NOT_A_DIGIT, None, NOT_A_DIGIT,
                       f"{prediction.not_a_digit:.0%} sure it is none{closest}")
    if prediction.confidence >= unsure_below:
        return Verdict(Certainty.SURE, digit, str(digit), f"{prediction.confidence:.0%} sure")
    runner_up = prediction.runner_up
    second = float(prediction.probabilities[runner_up])
    return Verdict(
        Certainty.UNSURE, digit, f"{digit}?",
        f"Not sure ({prediction.confidence:.0%})\nCould also be {runner_up} ({second:.0%})",
    )
