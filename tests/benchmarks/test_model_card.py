"""The bundled model's card figures, measured again: MNIST test accuracy and pen-drawn accuracy
through the full ink -> preprocess -> model path. Targets: >= 99.5 % and >= 97 %."""

from __future__ import annotations

import numpy as np
import pytest

from digitpad.ml.datasets import Mnist
from digitpad.ml.digits import to_model_input
from digitpad.ml.ink import Drawing
from digitpad.ml.recognizer import Recognizer

pytestmark = pytest.mark.benchmark


def test_mnist_test_accuracy(bundled_recognizer: Recognizer, mnist: Mnist) -> None:
    predicted = bundled_recognizer.probabilities(to_model_input(mnist.x_test)).argmax(axis=1)
    accuracy = float((predicted == mnist.y_test).mean())
    print(
        f"\nMNIST test accuracy: {accuracy:.2%} ({len(mnist.y_test)} images); card says "
        f"{bundled_recognizer.card.mnist_test_accuracy:.2%}"
    )
    assert accuracy >= 0.995


def test_pen_drawn_accuracy_on_held_out_writers(
    bundled_recognizer: Recognizer, pendigits: list[Drawing], held_out_pendigits: list[Drawing]
) -> None:
    predictions = bundled_recognizer.predict_drawings(held_out_pendigits)
    truth = [d.label for d in held_out_pendigits]
    right = np.array([p.digit == label for p, label in zip(predictions, truth, strict=True)])
    writers = {d.extra["writer"] for d in held_out_pendigits}
    seen = [d for d in pendigits if d.extra["writer"] not in writers]
    seen_predictions = bundled_recognizer.predict_drawings(seen)
    seen_right = np.mean([p.digit == d.label for p, d in zip(seen_predictions, seen, strict=True)])
    print(
        f"\npen-drawn digits, {len(writers)} held-out writers ({len(right)} drawings): "
        f"{right.mean():.2%}; writers used in training ({len(seen)} drawings): {seen_right:.2%}"
    )
    for digit in range(10):
        mask = np.array([label == digit for label in truth])
        print(f"  digit {digit}: {right[mask].mean():.1%}")
    assert right.mean() >= 0.97
