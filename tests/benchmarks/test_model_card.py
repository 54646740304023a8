"""The bundled model's card figures, measured again: MNIST test accuracy and pen-drawn accuracy
through the full ink -> preprocess -> model path. Targets: >= 99.5 % and >= 97 %."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing
from digitpad.ml.recognizer import Recognizer
from digitpad.ml.training import to_model_input

pytestmark = pytest.mark.benchmark


def test_mnist_test_accuracy(bundled_recognizer: Recognizer, mnist: Mnist) -> None:
    predicted = bundled_recognizer.probabilities(to_model_input(mnist.x_test)).argmax(axis=1)
    accuracy = float((predicted == mnist.y_test).mean())
    print(
        f"\nMNIST test accuracy: {accuracy:.2%} ({len(mnist.y_test)} images); card says "
        f"{bundled_recognizer.card['mnist_test_accuracy']:.2%}"
    )
    assert accuracy >= 0.995


def test_pen_drawn_accuracy_on_held_out_writers(
    bundled_recognizer: Recognizer, pendigits: list[Drawing]
) -> None:
    held_out = set(bundled_recognizer.card["ink_training"]["held_out_writers"])
    drawings = [d for d in pendigits if d.extra["writer"] in held_out]
    predictions = bundled_recognizer.predict_drawings(drawings)
    right = np.array([p.digit == d.label for p, d in zip(predictions, drawings, strict=True)])
    seen = [d for d in pendigits if d.extra["writer"] not in held_out]
    seen_right = np.mean(
        [
            p.digit == d.label
            for p, d in zip(bundled_recognizer.predict_drawings(seen), seen, strict=True)
        ]
    )
    print(
        f"\npen-drawn digits, {len(held_out)} held-out writers ({len(drawings)} drawings): "
        f"{right.mean():.2%}; writers used in training ({len(seen)} drawings): {seen_right:.2%}"
    )
    for digit in range(10):
        mask = np.array([d.label == digit for d in drawings])
        print(f"  digit {digit}: {right[mask].mean():.1%}")
    assert right.mean() >= 0.97
