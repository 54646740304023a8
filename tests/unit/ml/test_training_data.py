"""What a twelve-output model learns from: every label is what the drawing is (the digit, a
crossed 7 for a barred 7, "not a digit"), and the writers held out stay out."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.ml import training_data
from digitpad.ml.ink import Drawing
from digitpad.ml.ink_augment import split_by_writer
from digitpad.ml.outputs import CROSSED_SEVEN, NOT_A_DIGIT
from digitpad.ml.regional import is_crossed_seven
from digitpad.ml.training_data import ink_training_set


def test_real_sevens_are_labelled_by_what_the_writer_drew(pendigits: list[Drawing]) -> None:
    sevens = [d for d in pendigits if d.label == 7][:200]
    crossed = sum(is_crossed_seven(d) for d in sevens)
    assert 0 < crossed < len(sevens)  # both kinds are in the data
    twelve = training_data.pen_digits(sevens, 1, 0, twelve_outputs=True)
    assert np.sum(twelve.labels == CROSSED_SEVEN) == 2 * crossed  # as drawn and one variant
    assert np.sum(twelve.labels == 7) == 2 * (len(sevens) - crossed)
    ten = training_data.pen_digits(sevens, 1, 0, twelve_outputs=False)
    assert set(ten.labels.tolist()) == {7}


def test_regional_forms_keep_their_digit(pendigits: list[Drawing]) -> None:
    train, _, _ = split_by_writer(pendigits, 3)
    ones_and_sevens = [d for d in train if d.label in (1, 7)][:300]
    data = training_data.regional_forms(ones_and_sevens, 2, 0)
    ones = sum(d.label == 1 for d in ones_and_sevens)
    plain = sum(d.label == 7 and not is_crossed_seven(d) for d in ones_and_sevens)
    assert data.counts == {"flagged_ones": 2 * ones, "crossed_sevens_made": 2 * plain}
    assert np.sum(data.labels == 1) == 2 * ones
    assert np.sum(data.labels == CROSSED_SEVEN) == 2 * plain
    assert data.images.shape[1:] == (28, 28) and 0.0 <= data.images.min() <= data.images.max() <= 1


def test_non_digits_are_labelled_not_a_digit(pendigits: list[Drawing]) -> None:
    data = training_data.not_digits(50, 0, pendigits, copies=1)
    assert len(data.images) == 100 and set(data.labels.tolist()) == {NOT_A_DIGIT}
    again = training_data.not_digits(50, 0, pendigits, copies=1)
    np.testing.assert_array_equal(data.images, again.images)


def test_the_ink_training_set_keeps_the_card_writers_out_and_says_what_it_holds(
    pendigits: list[Drawing]
) -> None:
    few = [d for d in pendigits if d.extra["writer"] in {"tra_w01", "tra_w02", "tra_w03"}]
    ink = ink_training_set(few, "pen.json", hold_out_every=3, copies=1, seed=0, not_a_digit=30,
                           regional_copies=1)
    assert {d.extra["writer"] for d in ink.held_out} == {"tra_w03"}
    section = ink.card_section
    assert section["held_out_writers"] == ["tra_w03"]
    assert section["writers"] == ["tra_w01", "tra_w02"]
    assert section["images"] == len(ink.data.images) == len(ink.data.labels)
    assert section["not_digits"] == 30 and section["flagged_ones"] > 0
    assert NOT_A_DIGIT in ink.data.labels and CROSSED_SEVEN in ink.data.labels
    ten = ink_training_set(few, "pen.json", hold_out_every=3, copies=1, seed=0)
    assert set(ten.data.labels) <= set(range(10))
    assert (ten.writers, ten.held_out_writers) == (["tra_w01", "tra_w02"], ["tra_w03"])
    images, labels, weights = ten.extra_train()
    assert len(images) == len(labels) == len(weights) and set(weights.tolist()) == {1.0}


def test_an_ink_set_of_one_writer_cannot_hold_one_out(pendigits: list[Drawing]) -> None:
    one = [d for d in pendigits if d.extra["writer"] == "tra_w01"]
    with pytest.raises(ValueError, match=r"pen\.json: need drawings from at least 3 writers"):
        ink_training_set(one, "pen.json", hold_out_every=3, copies=1, seed=0)
