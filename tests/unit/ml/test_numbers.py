"""Reading numbers written left to right: real pen-drawn digits grouped into digits and read."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.ml.ink import Drawing
from digitpad.ml.number_synthesis import (
    HEIGHT_VARIATION,
    LINE_HEIGHT,
    compose_number,
    synthesise_numbers,
)
from digitpad.ml.numbers import MAX_DIGITS, group_strokes, read_number
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import Recognizer

WRITER = "tra_w09"
"""A writer whose 4s, 5s and 7s come in one, two and three strokes."""


def by(drawings: list[Drawing], writer: str, label: int, strokes: int | None = None
       ) -> list[Drawing]:
    return [d for d in drawings if d.extra["writer"] == writer and d.label == label
            and (strokes is None or len(d.strokes) == strokes)]


def tap_beside(drawing: Drawing, right_of_it: float) -> list[np.ndarray]:
    """The drawing's strokes and a one-point tap ``right_of_it`` heights right of it."""
    points = np.concatenate(drawing.strokes)
    (_, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
    tap = np.array([[right + right_of_it * (bottom - top), (top + bottom) / 2.0]])
    return [*drawing.strokes, tap]


@pytest.fixture(scope="module")
def multi_stroke_4s_5s_7s(pendigits: list[Drawing]) -> list[Drawing]:
    """Every 4, 5 and 7 of one writer drawn in two strokes, and every drawing in three."""
    two = [d for label in (4, 5, 7) for d in by(pendigits, WRITER, label, strokes=2)]
    return two + [d for d in pendigits if len(d.strokes) == 3]


def test_a_digit_drawn_in_two_or_three_strokes_is_one_digit(
    multi_stroke_4s_5s_7s: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    assert {d.label for d in multi_stroke_4s_5s_7s} == {4, 5, 7}
    assert {len(d.strokes) for d in multi_stroke_4s_5s_7s} == {2, 3}
    for drawing in multi_stroke_4s_5s_7s:
        everything = list(range(len(drawing.strokes)))
        assert group_strokes(drawing.strokes, bundled_recognizer) == [everything]


def test_a_single_digit_reads_exactly_as_it_does_alone(
    pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    drawings = [by(pendigits, WRITER, label)[0] for label in range(10)]
    drawings += by(pendigits, WRITER, 4, strokes=2)[:3] + by(pendigits, WRITER, 7, strokes=2)[:3]
    for drawing in drawings:
        alone = bundled_recognizer.predict_image(ink_to_image(drawing.strokes))
        reading = read_number(drawing.strokes, bundled_recognizer)
        assert len(reading.digits) == 1
        (digit,) = reading.digits
        assert digit.strokes == tuple(range(len(drawing.strokes)))
        assert digit.digit == alone.digit
        np.testing.assert_allclose(digit.probabilities, alone.probabilities, atol=1e-6)
        assert reading.text == str(alone.digit)


def test_a_real_42_reads_42_with_each_digit_where_it_was_drawn(
    pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    four = by(pendigits, WRITER, 4, strokes=2)[0]
    two = by(pendigits, WRITER, 2)[0]
    number = compose_number([four, two], np.random.default_rng(42), gaps=[0.2])
    reading = read_number(number.strokes, bundled_recognizer)
    assert reading.text == "42"
    assert [d.strokes for d in reading.digits] == list(number.groups)
    for digit in reading.digits:
        points = np.concatenate([number.strokes[i] for i in digit.strokes])
        assert digit.box == (*points.min(axis=0), *points.max(axis=0))
    assert reading.digits[0].box[2] < reading.digits[1].box[0]


@pytest.mark.parametrize("writer", [WRITER, "tra_w14"])  # plain and crossed 7s; hairline 1s
def test_the_bar_of_a_7_reaching_over_the_next_digit_stays_with_the_7(
    pendigits: list[Drawing], bundled_recognizer: Recognizer, writer: str
) -> None:
    rng = np.random.default_rng(7)
    thinnest_ones = sorted(by(pendigits, writer, 1), key=lambda d: np.ptp(d.strokes[0][:, 0])
                           / np.ptp(d.strokes[0][:, 1]))[:3]
    for seven in by(pendigits, writer, 7):
        for one in thinnest_ones:
            number = compose_number([seven, one], rng, gaps=[-0.1])  # the most overlap there is
            seven_right = max(s[:, 0].max() for s in number.strokes[:-1])
            assert number.strokes[-1][:, 0].min() < seven_right
            assert group_strokes(number.strokes, bundled_recognizer) == [
                list(g) for g in number.groups]


def test_an_open_4_beside_a_1_is_a_4_and_a_1_on_either_side(
    pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    """An open 4 (its top and its stem apart) is a 1 and something else to geometry; the model
    joins its halves, but never a 1 to the 4's top or to the whole 4."""
    open_fours = [d for d in by(pendigits, WRITER, 4, strokes=2)
                  if np.ptp(d.strokes[0][:, 1]) > 0.6 * np.ptp(np.concatenate(d.strokes)[:, 1])
                  and d.strokes[0][:, 0].max() < d.strokes[1][:, 0].max()]
    assert len(open_fours) >= 5
    rng = np.random.default_rng(4)
    for four in open_fours:
        for one in by(pendigits, WRITER, 1)[:3]:
            for pair in ([one, four], [four, one]):
                number = compose_number(pair, rng, gaps=[0.0])
                assert group_strokes(number.strokes, bundled_recognizer) == [
                    list(g) for g in number.groups]


def test_a_tap_beside_a_digit_joins_it_and_never_makes_a_digit(
    pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    """A tap, near or far, is part of the digit nearest to it, as it is part of a single digit's
    drawing today: it can disturb that digit's reading but never adds a digit."""
    for drawing in [by(pendigits, WRITER, label)[0] for label in range(10)]:
        for right_of_it in (0.1, 0.5, 3.0):
            strokes = tap_beside(drawing, right_of_it)
            assert group_strokes(strokes, bundled_recognizer) == [list(range(len(strokes)))]
    four, two = by(pendigits, WRITER, 4)[0], by(pendigits, WRITER, 2)[0]
    number = compose_number([four, two], np.random.default_rng(0), gaps=[0.4])
    taps = [np.array([[x, LINE_HEIGHT / 2.0]]) for x in np.linspace(-50.0, 300.0, 15)]
    reading = read_number([*number.strokes, *taps], bundled_recognizer)
    assert len(reading.digits) == 2


def test_a_drawing_of_taps_alone_is_one_group_not_a_long_number(
    bundled_recognizer: Recognizer
) -> None:
    taps = [np.array([[10.0 * n, 0.0]]) for n in range(MAX_DIGITS + 3)]
    reading = read_number(taps, bundled_recognizer)
    assert [d.strokes for d in reading.digits] == [tuple(range(len(taps)))]


def test_more_than_twelve_digits_are_reported_as_too_many_and_not_read(
    pendigits: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    digits = [d for d in pendigits if d.extra["writer"] == WRITER and len(d.strokes) == 1]
    twelve = compose_number(digits[:MAX_DIGITS], np.random.default_rng(1), [0.4] * 11)
    thirteen = compose_number(digits[:MAX_DIGITS + 1], np.random.default_rng(1), [0.4] * 12)
    read = read_number(twelve.strokes, bundled_recognizer)
    assert len(read.text) == MAX_DIGITS and not read.too_many
    refused = read_number(thirteen.strokes, bundled_recognizer)
    assert refused.too_many
    assert refused.groups_found == MAX_DIGITS + 1
    assert refused.digits == () and refused.text == ""


def test_an_empty_drawing_has_no_digits(bundled_recognizer: Recognizer) -> None:
    for strokes in ([], [np.zeros((0, 2))]):
        reading = read_number(strokes, bundled_recognizer)
        assert reading.digits == () and reading.text == "" and not reading.too_many


def test_synthesised_numbers_are_one_writers_digits_and_repeatable(
    pendigits: list[Drawing]
) -> None:
    """Two writers, one giving only the low digits and one only the high: a number that mixed
    hands would mix the halves."""
    pool = [d for d in pendigits if (d.extra["writer"], d.label < 5) in
            {("tra_w01", True), ("tra_w02", False)}]
    first = synthesise_numbers(pool, 50, (2, 6), seed=3)
    again = synthesise_numbers(pool, 50, (2, 6), seed=3)
    assert [n.text for n in first] == [n.text for n in again]
    assert all(np.array_equal(a, b) for m, n in zip(first, again, strict=True)
               for a, b in zip(m.strokes, n.strokes, strict=True))
    assert {len(n.digits) for n in first} == {2, 3, 4, 5, 6}
    for number in first:
        assert len({digit < 5 for digit in number.digits}) == 1
        assert [i for g in number.groups for i in g] == list(range(len(number.strokes)))
        heights = [np.ptp(np.concatenate([number.strokes[i] for i in g])[:, 1])
                   for g in number.groups]
        assert all(abs(h / LINE_HEIGHT - 1.0) <= HEIGHT_VARIATION + 1e-9 for h in heights)
