"""Turning a prediction into what the window says about it, honestly: sure, unsure, not a digit
or nothing."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from digitpad.ml.numbers import MAX_DIGITS, NumberReading
from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import Prediction
from digitpad.ui.pad.number_marks import MarkKind

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


SEVEN_DOUBTED_FROM = 0.0002
"""A 7 is never sure while the model gives 1 this much: the same long flag on a bare stem is a 7
to one writer and a 1 to another (issue 20), and the model says so only by a trace. Calibrated on
the training writers' drawings with the twelve-output model, as the lowest trace that doubts at
most 5 % of their real 7s (4.4 %; shown unsure, still as 7; at 0.01 % it is 5.7 %): of the
long-flag 1s made from their 1s, the variants it read as a 7 gave 1 at least this for 97 % of
them (the rest have flags short and flat enough to be a 7's top bar).
``tests/benchmarks/test_sevens_calibration.py`` re-measures."""

NOT_A_DIGIT = "Not a digit"
"""The headline for a drawing the model takes for no digit at all (a model with twelve outputs)."""
NOT_A_NUMBER = "Not a number"
"""The detail's first words when a part of a number is no digit: the number is not claimed."""
NOT_A_DIGIT_MARK = "\N{MULTIPLICATION SIGN}"
"""How a part that is no digit shows in the number."""


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


def verdict_for(prediction: Prediction, unsure_below: float = UNSURE_BELOW,
                sevens: Sevens = Sevens.PLAIN) -> Verdict:
    """``sevens``: the writer's convention the prediction was folded by."""
    if prediction.digit is None:
        return Verdict(Certainty.EMPTY, None, DASH, "Draw a digit")
    digit = prediction.digit
    if prediction.is_not_a_digit:
        # Likelier no digit than any one digit: measured on the held-out pen writers, a model
        # trained to refuse refuses none of their 2,498 digits and 99 % of non-digits it never
        # saw (tests/benchmarks/test_not_a_digit.py).
        closest = (f"\nClosest digit: {digit} ({prediction.confidence:.0%})"
                   if prediction.confidence >= CLOSEST_FROM else "")
        return Verdict(Certainty.NOT_A_DIGIT, None, NOT_A_DIGIT,
                       f"{prediction.not_a_digit:.0%} sure it is none{closest}")
    if _doubted_seven(prediction, sevens, unsure_below):
        return Verdict(Certainty.UNSURE, digit, "7?",
                       f"A 7 ({prediction.confidence:.0%}), or a 1 as written where 7s are "
                       "crossed (View \N{RIGHTWARDS ARROW} How You Write 1 and 7)")
    if prediction.confidence >= unsure_below:
        return Verdict(Certainty.SURE, digit, str(digit), f"{prediction.confidence:.0%} sure")
    runner_up = prediction.runner_up
    second = float(prediction.probabilities[runner_up])
    return Verdict(
        Certainty.UNSURE, digit, f"{digit}?",
        f"Not sure ({prediction.confidence:.0%})\nCould also be {runner_up} ({second:.0%})",
    )


def number_verdict(reading: NumberReading, unsure_below: float = UNSURE_BELOW,
                   sevens: Sevens = Sevens.PLAIN) -> Verdict:
    """What the window says about a number: its digits if every part is one (with a "?" when
    one is unsure), else that it is not a number and which part is to blame."""
    if not reading.digits:
        return Verdict(Certainty.NOT_A_DIGIT, None, NOT_A_NUMBER,
                       f"{reading.groups_found} parts: digitpad reads numbers of up to "
                       f"{MAX_DIGITS} digits")
    verdicts = [verdict_for(d.prediction, unsure_below, sevens) for d in reading.digits]
    refused = [n + 1 for n, v in enumerate(verdicts) if v.certainty is Certainty.NOT_A_DIGIT]
    if refused:
        parts = ", ".join(str(n) for n in refused)
        return Verdict(Certainty.NOT_A_DIGIT, None, number_text(verdicts),
                       f"{NOT_A_NUMBER}: part {parts} is no digit" if len(refused) == 1
                       else f"{NOT_A_NUMBER}: parts {parts} are no digits")
    text = number_text(verdicts)
    unsure = [n for n, v in enumerate(verdicts) if v.certainty is Certainty.UNSURE]
    if unsure:
        first = reading.digits[unsure[0]].prediction
        runner_up = 1 if _doubted_seven(first, sevens, unsure_below) else first.runner_up
        more = f" (and {len(unsure) - 1} more)" if len(unsure) > 1 else ""
        return Verdict(Certainty.UNSURE, None, f"{text}?",
                       f"Not sure of digit {unsure[0] + 1}{more}: {first.digit} "
                       f"({first.confidence:.0%}), could be {runner_up} "
                       f"({_percent(float(first.probabilities[runner_up]))})")
    least = min(d.confidence for d in reading.digits)
    return Verdict(Certainty.SURE, None, text,
                   f"{len(text)} digits, each at least {least:.0%} sure")


def number_text(verdicts: list[Verdict]) -> str:
    """The number as the window writes it: a part that is no digit as a cross."""
    return "".join(NOT_A_DIGIT_MARK if v.digit is None else str(v.digit) for v in verdicts)


def _doubted_seven(prediction: Prediction, sevens: Sevens, unsure_below: float) -> bool:
    """A 7 sure enough otherwise that may be a 1 to a writer who crosses 7s
    (:data:`SEVEN_DOUBTED_FROM`); a less sure one is unsure already, its runner-up named."""
    return (sevens is Sevens.PLAIN and prediction.digit == 7
            and prediction.confidence >= unsure_below
            and prediction.probabilities[1] >= np.float32(SEVEN_DOUBTED_FROM))  # in float32


def _percent(share: float) -> str:
    """A share as the window writes it: a trace is "<1%", not a misleading "0%"."""
    return "<1%" if 0.0 < share < 0.005 else f"{share:.0%}"


def digit_caption(prediction: Prediction, unsure_below: float = UNSURE_BELOW,
                  sevens: Sevens = Sevens.PLAIN) -> tuple[str, MarkKind]:
    """The line under one digit's box on the pad, and what kind of mark it is."""
    verdict = verdict_for(prediction, unsure_below, sevens)
    if verdict.certainty is Certainty.NOT_A_DIGIT:
        return "not a digit", MarkKind.NOT_A_DIGIT
    kind = MarkKind.SURE if verdict.certainty is Certainty.SURE else MarkKind.UNSURE
    return f"{verdict.headline} \N{MIDDLE DOT} {prediction.confidence:.0%}", kind
