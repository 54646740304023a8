"""The bundled model reads real digits; bad model files are refused with a reason."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing, make_drawing
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import ModelError, Recognizer


def test_bundled_model_reads_real_mnist_test_digits(
    bundled_recognizer: Recognizer, mnist: Mnist
) -> None:
    images = mnist.x_test[:2000].astype(np.float32) / 255.0
    probabilities = bundled_recognizer.probabilities(images)
    assert probabilities.shape == (2000, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    accuracy = (probabilities.argmax(axis=1) == mnist.y_test[:2000]).mean()
    assert accuracy >= 0.99


def test_bundled_model_reads_real_pen_drawn_digits(
    bundled_recognizer: Recognizer, held_out_pendigits: list[Drawing]
) -> None:
    drawings = held_out_pendigits
    predictions = bundled_recognizer.predict_drawings(drawings)
    accuracy = np.mean([p.digit == d.label for p, d in zip(predictions, drawings, strict=True)])
    assert accuracy >= 0.95


def test_accepts_single_images_and_channel_last_batches(bundled_recognizer: Recognizer) -> None:
    image = ink_to_image(make_drawing([[(0, 0), (0, 100)]]).strokes)  # a "1"
    single = bundled_recognizer.probabilities(image)
    channel = bundled_recognizer.probabilities(image[None, :, :, None])
    np.testing.assert_allclose(single, channel, atol=1e-6)
    assert bundled_recognizer.predict_image(image).digit == 1


def test_empty_drawing_gives_no_digit(bundled_recognizer: Recognizer) -> None:
    [prediction] = bundled_recognizer.predict_drawings([make_drawing([])])
    assert prediction.digit is None and prediction.confidence == 0.0


def test_wrong_input_shape_is_a_value_error(bundled_recognizer: Recognizer) -> None:
    with pytest.raises(ValueError, match=r"Expected images of shape \(N, 28, 28\)"):
        bundled_recognizer.probabilities(np.zeros((1, 32, 32), np.float32))


def test_missing_and_corrupt_files_are_refused_with_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=re.escape("nothing.keras: no such model file")):
        Recognizer.load(tmp_path / "nothing.keras")
    text = tmp_path / "text.keras"
    text.write_text("not a model")
    with pytest.raises(ModelError, match=re.escape("text.keras: not a Keras model")):
        Recognizer.load(text)
    truncated = tmp_path / "truncated.keras"
    with zipfile.ZipFile(truncated, "w") as archive:
        archive.writestr("metadata.json", "{}")
    with pytest.raises(ModelError, match=re.escape("truncated.keras: cannot load the model")):
        Recognizer.load(truncated)


def _save(model: keras.Model, path: Path) -> Path:
    model.save(path)
    return path


def test_incompatible_models_are_refused_with_the_reason(tmp_path: Path) -> None:
    wrong_input = keras.Sequential(
        [
            keras.Input((32, 32)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    with pytest.raises(ModelError, match=r"input of shape \(None, 32, 32\)"):
        Recognizer.load(_save(wrong_input, tmp_path / "input.keras"))
    wrong_output = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")]
    )
    with pytest.raises(ModelError, match=r"outputs shape \(None, 5\)"):
        Recognizer.load(_save(wrong_output, tmp_path / "output.keras"))
    logits = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, bias_initializer="ones"),
        ]
    )
    with pytest.raises(ModelError, match="softmax probabilities, not logits"):
        Recognizer.load(_save(logits, tmp_path / "logits.keras"))
