"""A model's LiteRT form: the same answers as Keras, and never served once it stops matching."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from digitpad.ml.card import ModelCard
from digitpad.ml.conversion import TOLERANCE, convert_file
from digitpad.ml.datasets import Mnist
from digitpad.ml.ink import Drawing
from digitpad.ml.litert import beside_path, cache_paths, file_sha256
from digitpad.ml.modelstore import save_model
from digitpad.ml.preprocess import ink_to_image
from digitpad.ml.recognizer import NeedsConversion, Recognizer
from digitpad.paths import bundled_model_path


@pytest.fixture(scope="module")
def bundled_on_keras() -> Recognizer:
    return Recognizer.load_keras(bundled_model_path())


def test_the_bundled_tflite_was_made_from_the_bundled_keras_file() -> None:
    record = ModelCard.read(bundled_model_path()).litert
    assert record is not None
    assert record.keras_sha256 == file_sha256(bundled_model_path())
    assert record.tflite_sha256 == file_sha256(beside_path(bundled_model_path()))
    assert f"Total params: {ModelCard.read(bundled_model_path()).parameters:,}" in record.summary


def test_litert_and_keras_agree_on_every_mnist_test_image(
    bundled_recognizer: Recognizer, bundled_on_keras: Recognizer, mnist: Mnist
) -> None:
    images = mnist.x_test.astype(np.float32) / 255.0
    lite, full = bundled_recognizer.probabilities(images), bundled_on_keras.probabilities(images)
    np.testing.assert_array_equal(lite.argmax(axis=1), full.argmax(axis=1))
    assert float(np.max(np.abs(lite - full))) <= TOLERANCE


def test_litert_and_keras_agree_on_every_pen_drawn_digit(
    bundled_recognizer: Recognizer, bundled_on_keras: Recognizer, pendigits: list[Drawing]
) -> None:
    images = np.stack([ink_to_image(d.strokes) for d in pendigits])
    lite, full = bundled_recognizer.probabilities(images), bundled_on_keras.probabilities(images)
    np.testing.assert_array_equal(lite.argmax(axis=1), full.argmax(axis=1))
    assert float(np.max(np.abs(lite - full))) <= TOLERANCE


def _tiny_model(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax")])


def test_a_saved_model_comes_with_its_litert_form_and_is_served_by_it(tmp_path: Path) -> None:
    path = tmp_path / "mine.keras"
    card = save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    assert beside_path(path).is_file()
    assert card.litert is not None and card.litert.keras_sha256 == file_sha256(path)
    served = Recognizer.load(path)  # no cache folder: the .tflite beside it serves
    image = np.random.default_rng(1).random((3, 28, 28), np.float32)
    np.testing.assert_allclose(served.probabilities(image),
                               Recognizer.load_keras(path).probabilities(image), atol=TOLERANCE)
    assert "dense" in served.summary()


def test_a_replaced_keras_file_is_not_served_by_the_old_tflite(tmp_path: Path) -> None:
    path = tmp_path / "mine.keras"
    save_model(_tiny_model(0), path, ModelCard(architecture="mlp"))
    card_text = path.with_suffix(".json").read_text()
    other = tmp_path / "other.keras"
    save_model(_tiny_model(1), other, ModelCard(architecture="mlp"))
    shutil.copyfile(other, path)  # the user copied another model over it; card and .tflite stay
    assert path.with_suffix(".json").read_text() == card_text
    with pytest.raises(NeedsConversion):
        Recognizer.load(path, tmp_path / "cache")


def test_a_damaged_tflite_is_not_served(tmp_path: Path) -> None:
    path = tmp_path / "mine.keras"
    save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    data = bytearray(beside_path(path).read_bytes())
    data[len(data) // 2] ^= 0xFF
    beside_path(path).write_bytes(bytes(data))
    with pytest.raises(NeedsConversion):
        Recognizer.load(path)


def test_a_users_own_keras_file_is_converted_once_into_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "downloads" / "theirs.keras"
    path.parent.mkdir()
    _tiny_model().save(path)
    cache = tmp_path / "cache"
    with pytest.raises(NeedsConversion):
        Recognizer.load(path, cache)
    form = convert_file(path, cache)
    tflite, record = cache_paths(cache, file_sha256(path))
    assert form.path == tflite and tflite.is_file()
    assert json.loads(record.read_text())["keras_sha256"] == file_sha256(path)
    assert list(path.parent.iterdir()) == [path]  # nothing written beside the user's file
    for _ in range(2):
        served = Recognizer.load(path, cache)
        assert served.predict_image(np.zeros((28, 28), np.float32)).digit is not None


def test_a_tflite_that_came_with_a_users_file_is_never_run(tmp_path: Path) -> None:
    """A model folder from elsewhere holds a card vouching for its .tflite; LiteRT would run that
    file in the window's process, so only folders whose .tflite digitpad made are believed."""
    made_here = tmp_path / "library"
    path = made_here / "mine.keras"
    save_model(_tiny_model(), path, ModelCard(architecture="mlp"))
    received = tmp_path / "downloads"
    shutil.copytree(made_here, received)
    copy = received / "mine.keras"
    cache = tmp_path / "cache"
    for _ in range(2):
        assert Recognizer.load(path, cache, trusted_dirs=[made_here]).path == path
        with pytest.raises(NeedsConversion):
            Recognizer.load(copy, cache, trusted_dirs=[made_here])
    convert_file(copy, cache)  # by TensorFlow, in a child process in the app
    served = Recognizer.load(copy, cache, trusted_dirs=[made_here])
    assert served.predict_image(np.zeros((28, 28), np.float32)).digit is not None


def test_what_killed_conversions_left_in_the_cache_is_cleared_by_the_next(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    old_temp = cache / ".abc.tflite.x1.tmp"
    unrecorded = cache / ("0" * 64 + ".tflite")
    young_temp = cache / ".def.tflite.x2.tmp"
    for path in (old_temp, unrecorded, young_temp):
        path.write_bytes(b"half a model")
    hour_ago = time.time() - 3600
    for path in (old_temp, unrecorded):
        os.utime(path, (hour_ago, hour_ago))
    path = tmp_path / "theirs.keras"
    _tiny_model().save(path)
    form = convert_file(path, cache)
    assert not old_temp.exists() and not unrecorded.exists()
    assert young_temp.exists()  # perhaps another instance's conversion, still running
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [young_temp.name, form.path.name, form.path.with_suffix(".json").name])
