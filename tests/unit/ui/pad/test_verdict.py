"""What the window says about a prediction: nothing, a digit, or honest doubt."""

from __future__ import annotations

import numpy as np

from digitpad.ml.numbers import DigitReading, NumberReading
from digitpad.ml.outputs import Sevens
from digitpad.ml.recognizer import Prediction
from digitpad.ui.pad.number_marks import MarkKind
from digitpad.ui.pad.verdict import (
    DASH,
    NOT_A_DIGIT_MARK,
    SEVEN_DOUBTED_FROM,
    UNSURE_BELOW,
    Certainty,
    digit_caption,
    number_verdict,
    verdict_for,
)


def prediction(*pairs: tuple[int, float]) -> Prediction:
    probabilities = np.zeros(10, np.float32)
    for digit, p in pairs:
        probabilities[digit] = p
    rest = [k for k in range(10) if k not in dict(pairs)]
    probabilities[rest] = (1 - probabilities.sum()) / len(rest)
    return Prediction.from_probabilities(probabilities)


def test_an_empty_drawing_has_no_digit() -> None:
    verdict = verdict_for(Prediction.empty())
    assert verdict.certainty is Certainty.EMPTY
    assert verdict.digit is None
    assert verdict.headline == DASH
    assert verdict.detail == "Draw a digit"


def test_a_confident_answer_shows_the_digit_and_how_sure() -> None:
    verdict = verdict_for(prediction((7, 0.97), (1, 0.0)))  # no trace of a 1 (see below)
    assert verdict.certainty is Certainty.SURE
    assert (verdict.headline, verdict.detail) == ("7", "97% sure")


def test_a_doubtful_answer_says_so_and_names_the_runner_up() -> None:
    verdict = verdict_for(prediction((4, 0.55), (9, 0.40)))
    assert verdict.certainty is Certainty.UNSURE
    assert verdict.headline == "4?"
    assert verdict.detail == "Not sure (55%)\nCould also be 9 (40%)"


def test_just_below_the_threshold_is_unsure_and_names_the_runner_up() -> None:
    confidence = UNSURE_BELOW - 0.01
    verdict = verdict_for(prediction((3, confidence), (8, 1 - confidence - 0.01)))
    assert verdict.certainty is Certainty.UNSURE
    assert verdict.headline == "3?"
    assert verdict.detail.splitlines()[1].startswith("Could also be 8 ")


def test_just_above_the_threshold_the_answer_is_sure() -> None:
    # Probabilities are float32: 0.9 is stored as 0.8999..., so step just past the threshold.
    verdict = verdict_for(prediction((3, UNSURE_BELOW + 0.001), (8, 0.05)))
    assert verdict.certainty is Certainty.SURE
    assert verdict.headline == "3"
    assert "Could also be" not in verdict.detail


def test_a_drawing_likelier_no_digit_than_any_digit_is_not_a_digit() -> None:
    digits = np.zeros(10, np.float32)
    digits[[4, 9]] = [0.25, 0.15]
    verdict = verdict_for(Prediction.from_probabilities(digits, not_a_digit=0.6))
    assert verdict.certainty is Certainty.NOT_A_DIGIT and verdict.digit is None
    assert verdict.headline == "Not a digit"
    assert verdict.detail == "60% sure it is none\nClosest digit: 4 (25%)"
    digits[[4, 9]] = [0.02, 0.01]
    unlike = verdict_for(Prediction.from_probabilities(digits, not_a_digit=0.97))
    assert unlike.detail == "97% sure it is none"  # no digit is worth naming


def test_a_digit_likelier_than_no_digit_is_still_the_digit() -> None:
    digits = np.zeros(10, np.float32)
    digits[[4, 9]] = [0.5, 0.1]
    verdict = verdict_for(Prediction.from_probabilities(digits, not_a_digit=0.4))
    assert verdict.certainty is Certainty.UNSURE and verdict.headline == "4?"


def number(*predictions: Prediction, groups: int | None = None) -> NumberReading:
    digits = tuple(DigitReading((n,), (n * 10.0, 0.0, n * 10.0 + 8, 10.0), p)
                   for n, p in enumerate(predictions))
    return NumberReading(digits, len(digits) if groups is None else groups)


def test_a_number_of_sure_digits_is_claimed_with_its_least_sure_digit() -> None:
    verdict = number_verdict(number(prediction((2, 0.99)), prediction((0, 0.95)),
                                    prediction((7, 0.98), (1, 0.0))))
    assert verdict.certainty is Certainty.SURE
    assert (verdict.headline, verdict.detail) == ("207", "3 digits, each at least 95% sure")


def test_a_number_with_an_unsure_digit_says_which_and_what_else_it_could_be() -> None:
    verdict = number_verdict(number(prediction((4, 0.99)), prediction((1, 0.6), (7, 0.3)),
                                    prediction((9, 0.5), (4, 0.4))))
    assert verdict.certainty is Certainty.UNSURE
    assert verdict.headline == "419?"
    assert verdict.detail == "Not sure of digit 2 (and 1 more): 1 (60%), could be 7 (30%)"


def test_a_number_with_a_part_that_is_no_digit_is_not_claimed() -> None:
    refused = Prediction.from_probabilities(np.full(10, 0.02, np.float32), not_a_digit=0.8)
    verdict = number_verdict(number(prediction((3, 0.99)), refused, prediction((5, 0.97))))
    assert verdict.certainty is Certainty.NOT_A_DIGIT
    assert verdict.headline == f"3{NOT_A_DIGIT_MARK}5"
    assert verdict.detail == "Not a number: part 2 is no digit"
    assert digit_caption(refused) == ("not a digit", MarkKind.NOT_A_DIGIT)
    assert digit_caption(prediction((5, 0.97))) == ("5 \N{MIDDLE DOT} 97%", MarkKind.SURE)


def test_more_parts_than_a_number_has_digits_is_not_a_number() -> None:
    verdict = number_verdict(NumberReading((), 14))
    assert verdict.certainty is Certainty.NOT_A_DIGIT
    assert verdict.detail == "14 parts: digitpad reads numbers of up to 12 digits"


def test_a_seven_the_model_gives_a_trace_of_one_is_never_sure_for_a_plain_writer() -> None:
    flag_one = prediction((7, 0.99), (1, SEVEN_DOUBTED_FROM))
    verdict = verdict_for(flag_one)
    assert verdict.certainty is Certainty.UNSURE and verdict.headline == "7?"
    assert "a 1 as written where 7s are crossed" in verdict.detail
    # For a writer who crosses 7s, the bar decided already: this 7 had one.
    assert verdict_for(flag_one, sevens=Sevens.CROSSED).certainty is Certainty.SURE
    assert verdict_for(prediction((7, 0.99), (1, SEVEN_DOUBTED_FROM / 2))).certainty \
        is Certainty.SURE
    in_a_number = number_verdict(number(prediction((2, 0.99)), flag_one))
    assert in_a_number.headline == "27?"
    assert in_a_number.detail == "Not sure of digit 2: 7 (99%), could be 1 (<1%)"
