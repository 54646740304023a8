"""Twelve outputs fold into ten digits by the writer's convention; a model digitpad trained says
"not a digit", and one that only claims twelve outputs is refused."""

from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.modelstore import save_model
from digitpad.ml.outputs import (
    CROSSED_SEVEN,
    CROSSED_SHARE,
    NOT_A_DIGIT,
    OUTPUT_NAMES,
    Sevens,
    fold,
    sevens_for_locale,
)
from digitpad.ml.recognizer import ModelError, Recognizer


def _outputs(shares: dict[int, float]) -> np.ndarray:
    """One row of twelve outputs with these shares by output index."""
    row = np.zeros((1, len(OUTPUT_NAMES)), np.float32)
    row[0, list(shares)] = list(shares.values())
    return row


def test_a_plain_writers_seven_is_both_sevens() -> None:
    outputs = _outputs({1: 0.3, 7: 0.5, CROSSED_SEVEN: 0.1, NOT_A_DIGIT: 0.1})
    plain, other = fold(outputs, Sevens.PLAIN)
    assert plain[0, 7] == pytest.approx(0.6) and plain[0, 1] == pytest.approx(0.3)
    assert other[0] == pytest.approx(0.1)
    assert plain.sum() + other[0] == pytest.approx(1.0)


def test_a_crossed_writers_uncrossed_flag_shape_is_a_one_and_a_barred_one_a_seven() -> None:
    nub = 0.6 * CROSSED_SHARE / 2
    no_bar = _outputs({1: 0.3, 7: 0.6, CROSSED_SEVEN: nub, NOT_A_DIGIT: 0.1 - nub})
    digits, _ = fold(no_bar, Sevens.CROSSED)
    assert digits[0].argmax() == 1 and digits[0, 1] == pytest.approx(0.9)
    # Shared between the two 7s (MNIST's crossed 7s are labelled plain): still a 7.
    a_bar = _outputs({1: 0.3, 7: 0.5, CROSSED_SEVEN: 0.1, NOT_A_DIGIT: 0.1})
    digits, other = fold(a_bar, Sevens.CROSSED)
    assert digits[0].argmax() == 7 and digits[0, 7] == pytest.approx(0.6)
    assert digits[0, 1] == pytest.approx(0.3)
    for row in (no_bar, a_bar):
        digits, other = fold(row, Sevens.CROSSED)
        assert digits.sum() + other[0] == pytest.approx(1.0)


@pytest.mark.parametrize(("locale", "sevens"), [
    ("de_DE", Sevens.CROSSED), ("pt-BR", Sevens.CROSSED), ("es_MX.UTF-8", Sevens.CROSSED),
    ("fr_CA", Sevens.CROSSED), ("en_US", Sevens.PLAIN), ("en_GB", Sevens.PLAIN),
    ("zh_CN", Sevens.PLAIN), ("C", Sevens.PLAIN), ("", Sevens.PLAIN), (None, Sevens.PLAIN)])
def test_the_default_convention_follows_the_language(locale: str | None, sevens: Sevens) -> None:
    assert sevens_for_locale(locale) is sevens


def test_ten_outputs_are_the_digits_as_they_are() -> None:
    outputs = np.eye(10, dtype=np.float32)[[3, 7]]
    digits, other = fold(outputs, Sevens.CROSSED)
    np.testing.assert_array_equal(digits, outputs)
    np.testing.assert_array_equal(other, [0.0, 0.0])


def _twelve_output_model(favour: int) -> keras.Model:
    """A model that answers output ``favour`` for every drawing."""
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(12, activation="softmax")])
    kernel, bias = model.layers[-1].get_weights()
    bias[favour] = 8.0
    model.layers[-1].set_weights([np.zeros_like(kernel), bias])
    return model


@pytest.mark.parametrize(("favour", "plain", "crossed"), [(7, 7, 1), (CROSSED_SEVEN, 7, 7),
                                                          (1, 1, 1)])
def test_a_model_digitpad_trained_reads_by_the_writers_convention(
    tmp_path: Path, favour: int, plain: int, crossed: int
) -> None:
    path = tmp_path / "twelve.keras"
    save_model(_twelve_output_model(favour), path,
               ModelCard(architecture="mlp", outputs=list(OUTPUT_NAMES)))
    recognizer = Recognizer.load(path)
    assert recognizer.knows_non_digits
    image = np.zeros((28, 28), np.float32)
    assert recognizer.predict_image(image).digit == plain
    recognizer.sevens = Sevens.CROSSED
    assert recognizer.predict_image(image).digit == crossed


def test_not_a_digit_is_said_apart_from_the_digits(tmp_path: Path) -> None:
    path = tmp_path / "twelve.keras"
    save_model(_twelve_output_model(NOT_A_DIGIT), path,
               ModelCard(architecture="mlp", outputs=list(OUTPUT_NAMES)))
    prediction = Recognizer.load(path).predict_image(np.zeros((28, 28), np.float32))
    assert prediction.not_a_digit > 0.99 and prediction.confidence < 0.01
    assert prediction.probabilities.sum() + prediction.not_a_digit == pytest.approx(1.0, abs=1e-5)


def test_twelve_outputs_that_no_card_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "unnamed.keras"
    _twelve_output_model(3).save(path)
    with pytest.raises(ModelError, match=re.escape("unnamed.keras: the model outputs shape "
                                                   "(None, 12); digitpad needs (None, 10)")):
        Recognizer.load(path)
