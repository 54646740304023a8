"""A test set's confusion matrix and mistakes, from outputs whose answers are known by hand."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.evaluation import MISTAKES_KEPT, NOT_A_DIGIT_ANSWER, evaluate
from digitpad.ml.outputs import CROSSED_SEVEN, DIGIT_NAMES, NOT_A_DIGIT, OUTPUT_NAMES


def rows(*shares: dict[int, float], outputs: int = NUM_CLASSES) -> np.ndarray:
    """One row of model outputs per dict of {output index: probability}, the rest spread out."""
    table = np.zeros((len(shares), outputs), np.float32)
    for row, share in zip(table, shares, strict=True):
        row[:] = (1.0 - sum(share.values())) / (outputs - len(share))
        row[list(share)] = list(share.values())
    return table


def images_numbered(count: int) -> np.ndarray:
    """Images told apart by their grey level: image i is all i."""
    return np.repeat(np.arange(count, dtype=np.uint8), 28 * 28).reshape(count, 28, 28)


def test_the_matrix_counts_each_true_digit_against_the_answer() -> None:
    labels = np.array([0, 0, 1, 1, 1, 2])
    outputs = rows({0: 0.9}, {1: 0.6}, {1: 0.95}, {1: 0.8}, {7: 0.9}, {2: 0.7})
    evaluation = evaluate(outputs, labels, images_numbered(6), "tiny")

    expected = np.zeros((10, 10), np.int64)
    expected[0, 0] = expected[0, 1] = expected[2, 2] = expected[1, 7] = 1
    expected[1, 1] = 2
    np.testing.assert_array_equal(evaluation.confusion, expected)
    assert (evaluation.samples, evaluation.right) == (6, 4)
    assert evaluation.accuracy == pytest.approx(4 / 6)
    assert evaluation.per_digit_accuracy() == {0: 0.5, 1: pytest.approx(2 / 3), 2: 1.0}
    assert evaluation.answer_names == DIGIT_NAMES and evaluation.output_names == DIGIT_NAMES

    # The 1 read as 7 with 90 % first, then the 0 read as 1 with 60 %.
    first, second = evaluation.mistakes
    assert (first.index, first.label, first.answer) == (4, 1, 7)
    assert first.confidence == pytest.approx(0.9)
    assert (second.index, second.label, second.answer) == (1, 0, 1)
    assert second.confidence == pytest.approx(0.6)
    assert first.image.dtype == np.uint8 and np.all(first.image == 4)
    np.testing.assert_array_equal(first.outputs, outputs[4])


def test_a_twelve_output_models_crossed_seven_is_a_seven_and_not_a_digit_has_its_column(
) -> None:
    twelve = len(OUTPUT_NAMES)
    labels = np.array([7, 7, 3, 1])
    outputs = rows(
        {CROSSED_SEVEN: 0.9},                 # a crossed 7: read as 7, right
        {7: 0.3, CROSSED_SEVEN: 0.3, 1: 0.4},  # the two sevens together beat the 1
        {NOT_A_DIGIT: 0.8, 3: 0.1},           # a 3 taken for no digit
        {CROSSED_SEVEN: 0.7, 1: 0.2},          # a 1 read as a (crossed) 7
        outputs=twelve)
    evaluation = evaluate(outputs, labels, images_numbered(4), "twelve")

    assert evaluation.confusion.shape == (10, 11)
    assert evaluation.answer_names[-1] == "not a digit"
    assert evaluation.output_names == OUTPUT_NAMES
    assert evaluation.confusion[7, 7] == 2
    assert evaluation.confusion[3, NOT_A_DIGIT_ANSWER] == 1
    assert evaluation.confusion[1, 7] == 1
    assert evaluation.confusion.sum() == 4 and evaluation.right == 2
    refused, one = evaluation.mistakes
    assert (refused.label, refused.answer) == (3, NOT_A_DIGIT_ANSWER)
    assert refused.confidence == pytest.approx(0.8)
    assert refused.outputs.shape == (twelve,) and refused.outputs.dtype == np.float32
    assert (one.label, one.answer) == (1, 7)


def test_only_the_most_confident_mistakes_are_kept() -> None:
    confidences = [0.5, 0.9, 0.7, 0.6, 0.8]
    outputs = rows(*({3: share} for share in confidences))
    evaluation = evaluate(outputs, np.zeros(5, np.int64), images_numbered(5), "few", kept=2)
    assert [m.index for m in evaluation.mistakes] == [1, 4]
    assert evaluation.confusion[0, 3] == 5  # the matrix still counts every one

    many = evaluate(rows(*({3: 0.5},) * 100), np.zeros(100, np.int64), images_numbered(100),
                    "many")
    assert len(many.mistakes) == MISTAKES_KEPT


def test_it_crosses_a_process_boundary_whole() -> None:
    evaluation = evaluate(rows({2: 0.9}, {5: 0.8}), np.array([2, 3]), images_numbered(2), "set")
    copy = pickle.loads(pickle.dumps(evaluation))
    np.testing.assert_array_equal(copy.confusion, evaluation.confusion)
    assert copy.title == "set" and copy.mistakes[0].answer == 5
    np.testing.assert_array_equal(copy.mistakes[0].image, evaluation.mistakes[0].image)


@pytest.mark.parametrize(
    ("outputs", "labels", "images", "expected"),
    [
        (np.zeros((2, 11)), np.zeros(2), np.zeros((2, 28, 28), np.uint8), "received (2, 11)"),
        (np.zeros((2, 10)), np.zeros(3), np.zeros((2, 28, 28), np.uint8), "received (3,)"),
        (np.zeros((2, 10)), np.zeros(2), np.zeros((2, 28, 28), np.float32), "received float32"),
        (np.zeros((1, 10)), np.array([10]), np.zeros((1, 28, 28), np.uint8), "from 10 to 10"),
    ],
    ids=["outputs", "labels", "pixels", "label-range"],
)
def test_mismatched_inputs_say_what_was_received(outputs, labels, images, expected) -> None:
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        evaluate(outputs, labels, images, "bad")


def test_the_commonest_confusions_come_first() -> None:
    labels = np.array([4, 4, 4, 7, 7, 5, 9])
    outputs = rows({9: 0.9}, {9: 0.8}, {4: 0.9}, {1: 0.7}, {1: 0.6}, {3: 0.9}, {4: 0.6})
    evaluation = evaluate(outputs, labels, images_numbered(7), "set")
    assert evaluation.confusions() == [(4, 9, 2), (7, 1, 2), (5, 3, 1)]
    assert evaluation.confusions(10) == [(4, 9, 2), (7, 1, 2), (5, 3, 1), (9, 4, 1)]
