"""What a test set shows about a model besides its accuracy: which digits it takes for which
(the confusion matrix) and the images it reads wrong with most confidence. numpy only.

The training child builds one :class:`Evaluation` per test set from the outputs it computed
anyway, and hands it to the window with the run's outcome: small (a hundred counts and a few
dozen 28x28 images) and picklable, so the window shows it without a model or TensorFlow.

An answer is what the window would show: a twelve-output model's crossed 7 is a 7 (its outputs
folded the default way, :class:`~digitpad.ml.outputs.Sevens`), and "not a digit" wins when it is
likelier than the likeliest digit, as :func:`~digitpad.ml.training.digit_accuracy` counts it. So
the matrix's diagonal sums to the accuracy the run reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitpad.ml.digits import FRAME_SIZE, NUM_CLASSES
from digitpad.ml.outputs import DIGIT_NAMES, OUTPUT_NAMES, fold

NOT_A_DIGIT_ANSWER = NUM_CLASSES
"""The matrix column (and :attr:`Mistake.answer`) of "not a digit", after the ten digits."""
ANSWER_NAMES: tuple[str, ...] = (*DIGIT_NAMES, "not a digit")
"""What each answer (each matrix column) is called."""
MISTAKES_KEPT = 60
"""Mistakes kept per test set, the most confident first: a page of thumbnails to learn from, a
few tens of kilobytes to hand over."""


@dataclass(frozen=True, eq=False)
class Mistake:
    """One image the model read wrong."""

    index: int
    """Its position in the test set."""
    image: np.ndarray
    """(28, 28) uint8, the model input as the model saw it (white ink on black)."""
    label: int
    answer: int
    """The digit the model answered, or :data:`NOT_A_DIGIT_ANSWER`."""
    outputs: np.ndarray
    """(10,) or (12,) float32: the model's outputs as it gave them (see ``output_names``)."""

    @property
    def confidence(self) -> float:
        """The probability of the wrong answer, as the window would show it."""
        digits, not_a_digit = fold(self.outputs[None])
        return float(not_a_digit[0] if self.answer == NOT_A_DIGIT_ANSWER
                     else digits[0, self.answer])


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A model on one test set: the confusion matrix and its most confident mistakes."""

    title: str
    """What the set is, for a heading ("MNIST test")."""
    confusion: np.ndarray
    """(10, 10) int64 counts, rows the true digit and columns the answer; (10, 11) for a
    model that can say "not a digit", whose answers have a column of their own."""
    mistakes: tuple[Mistake, ...]
    """At most :data:`MISTAKES_KEPT`, the most confident first."""
    output_names: tuple[str, ...]
    """What each of a mistake's ``outputs`` means."""

    @property
    def samples(self) -> int:
        return int(self.confusion.sum())

    @property
    def right(self) -> int:
        return int(np.trace(self.confusion))

    @property
    def accuracy(self) -> float:
        return self.right / self.samples

    @property
    def answer_names(self) -> tuple[str, ...]:
        """The columns' names: the digits, and "not a digit" when the model can say it."""
        return ANSWER_NAMES[:self.confusion.shape[1]]

    def confusions(self, count: int = 3) -> list[tuple[int, int, int]]:
        """The ``count`` commonest mistakes as (true digit, answer, times), commonest first."""
        wrong = self.confusion.copy()
        np.fill_diagonal(wrong, 0)
        order = np.argsort(-wrong, axis=None, kind="stable")[:count]
        cells = (np.unravel_index(int(i), wrong.shape) for i in order)
        return [(int(row), int(column), int(wrong[row, column])) for row, column in cells
                if wrong[row, column]]

    def per_digit_accuracy(self) -> dict[int, float]:
        """The share of each digit read right, for the digits the set has."""
        totals = self.confusion.sum(axis=1)
        return {digit: int(self.confusion[digit, digit]) / int(totals[digit])
                for digit in range(NUM_CLASSES) if totals[digit]}


def answers(outputs: np.ndarray) -> np.ndarray:
    """(N, 10 or 12) outputs -> (N,) the answer the window shows: a digit, or
    :data:`NOT_A_DIGIT_ANSWER`."""
    digits, not_a_digit = fold(outputs)
    return np.where(not_a_digit > digits.max(axis=1), NOT_A_DIGIT_ANSWER, digits.argmax(axis=1))


def evaluate(outputs: np.ndarray, labels: np.ndarray, images: np.ndarray, title: str,
             kept: int = MISTAKES_KEPT) -> Evaluation:
    """The confusion matrix of ``outputs`` (N, 10 or 12) against ``labels`` (N,) digits, and the
    ``kept`` most confident mistakes with their ``images`` (N, 28, 28) uint8."""
    outputs = np.asarray(outputs, dtype=np.float32)
    labels = np.asarray(labels).astype(np.int64)
    images = np.asarray(images)
    if outputs.ndim != 2 or outputs.shape[1] not in (NUM_CLASSES, len(OUTPUT_NAMES)):
        raise ValueError(f"outputs must have shape (N, {NUM_CLASSES}) or (N, "
                         f"{len(OUTPUT_NAMES)}); received {outputs.shape}")
    count = len(outputs)
    if labels.shape != (count,) or images.shape != (count, FRAME_SIZE, FRAME_SIZE):
        raise ValueError(f"labels must have shape ({count},) and images ({count}, {FRAME_SIZE}, "
                         f"{FRAME_SIZE}) to match the outputs; received {labels.shape} and "
                         f"{images.shape}")
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 pixels; received {images.dtype}")
    if count == 0:
        raise ValueError(f"{title}: no images to evaluate on")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise ValueError(f"labels must be digits 0-9; received labels from {labels.min()} to "
                         f"{labels.max()}")
    twelve = outputs.shape[1] == len(OUTPUT_NAMES)
    answered = answers(outputs)
    columns = NUM_CLASSES + 1 if twelve else NUM_CLASSES
    confusion = np.bincount(labels * columns + answered, minlength=NUM_CLASSES * columns)
    digits, not_a_digit = fold(outputs)
    confidence = np.where(answered == NOT_A_DIGIT_ANSWER, not_a_digit, digits.max(axis=1))
    wrong = np.flatnonzero(answered != labels)
    worst = wrong[np.argsort(-confidence[wrong], kind="stable")][:kept]
    mistakes = tuple(Mistake(int(i), images[i].copy(), int(labels[i]), int(answered[i]),
                             outputs[i].copy()) for i in worst)
    return Evaluation(title, confusion.reshape(NUM_CLASSES, columns).astype(np.int64), mistakes,
                      OUTPUT_NAMES if twelve else DIGIT_NAMES)
