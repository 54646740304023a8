"""Numbers of 2-6 real pen-drawn digits, each number one held-out writer's, read left to right
(:mod:`digitpad.ml.number_synthesis` builds them, :func:`digitpad.ml.numbers.read_number` reads
them). Targets: the strokes grouped into the right digits for >= 99.5 % of the numbers, and a
single digit read exactly as it is alone (98.9 % of the held-out drawings for the bundled model).
Whole numbers read right are printed, by length: >= 97 % is the target for a model trained to
read numbers; the bundled model reads each digit as it reads it alone.
Run: python -m pytest -m benchmark tests/benchmarks/test_number_reading.py -s
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from digitpad.ml.ink import Drawing
from digitpad.ml.number_synthesis import synthesise_numbers
from digitpad.ml.numbers import read_number
from digitpad.ml.recognizer import Recognizer

pytestmark = pytest.mark.benchmark

NUMBERS = 5000
"""Enough that one number in a thousand moves the grouping figure by a tenth of its margin."""
LENGTHS = (2, 6)
GROUPING_TARGET = 0.995


def test_numbers_are_grouped_into_the_right_digits(
    held_out: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    numbers = synthesise_numbers(held_out, NUMBERS, LENGTHS, seed=2026)
    grouped, whole, digits_right, digits_seen = [], [], 0, 0
    wrong_groupings: Counter[str] = Counter()
    for number in numbers:
        reading = read_number(number.strokes, bundled_recognizer)
        right_groups = [d.strokes for d in reading.digits] == list(number.groups)
        grouped.append(right_groups)
        whole.append(reading.text == number.text)
        if right_groups:  # the model's part, on the digits the grouping got right
            digits_seen += len(number.digits)
            digits_right += sum(a == b for a, b in zip(reading.text, number.text, strict=True))
        else:
            found, drawn = len(reading.digits), len(number.digits)
            wrong_groupings["joined" if found < drawn else "split" if found > drawn
                            else "strokes moved"] += 1
    grouped_rate, whole_rate = np.mean(grouped), np.mean(whole)
    lengths = np.array([len(n.digits) for n in numbers])
    print(f"\n{len(numbers)} numbers of {LENGTHS[0]}-{LENGTHS[1]} digits, {len(held_out)} "
          f"held-out drawings: grouped right {grouped_rate:.2%} (wrong: digits "
          f"{dict(wrong_groupings)}); whole number read right "
          f"{whole_rate:.2%}; digits read right where grouped right "
          f"{digits_right / digits_seen:.2%}")
    for length in range(LENGTHS[0], LENGTHS[1] + 1):
        mask = lengths == length
        print(f"  {length} digits ({mask.sum()}): grouped {np.mean(np.array(grouped)[mask]):.2%}, "
              f"read right {np.mean(np.array(whole)[mask]):.2%}")
    assert grouped_rate >= GROUPING_TARGET


def test_a_single_digit_reads_as_it_does_alone(
    held_out: list[Drawing], bundled_recognizer: Recognizer
) -> None:
    alone = bundled_recognizer.predict_drawings(held_out)
    readings = [read_number(d.strokes, bundled_recognizer) for d in held_out]
    right_alone = sum(p.digit == d.label for p, d in zip(alone, held_out, strict=True))
    right_as_numbers = sum(r.text == str(d.label) for r, d in zip(readings, held_out, strict=True))
    split = sum(len(r.digits) != 1 for r in readings)
    print(f"\n{len(held_out)} held-out single digits: {right_alone / len(held_out):.2%} read "
          f"right alone, {right_as_numbers / len(held_out):.2%} read as numbers; {split} taken "
          "for more than one digit")
    assert right_as_numbers == right_alone
    assert [r.text for r in readings] == [str(p.digit) for p in alone]
