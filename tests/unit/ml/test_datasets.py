"""MNIST loading: the real file loads; broken files say exactly what is wrong; offline is clear."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml.datasets import DatasetError, Mnist, load_mnist, load_mnist_npz


def test_the_real_mnist_file_loads_in_keras_layout(mnist: Mnist) -> None:
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert set(np.unique(mnist.y_test)) == set(range(10))


def _save(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def _good_arrays() -> dict[str, np.ndarray]:
    return {
        "x_train": np.zeros((4, 28, 28), np.uint8),
        "y_train": np.arange(4, dtype=np.uint8),
        "x_test": np.zeros((2, 28, 28), np.uint8),
        "y_test": np.arange(2, dtype=np.uint8),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x_train": None}, "missing x_train"),
        ({"x_train": np.zeros((4, 32, 32), np.uint8)}, r"x_train must have shape \(N, 28, 28\)"),
        (
            {"x_test": np.zeros((2, 28, 28), np.float64)},
            "x_test must be uint8 pixels, found float64",
        ),
        ({"y_train": np.arange(3, dtype=np.uint8)}, r"y_train must have shape \(4,\)"),
        ({"y_test": np.array([0, 12], np.uint8)}, "y_test has labels outside 0-9"),
    ],
)
def test_a_malformed_npz_says_what_is_wrong(
    tmp_path: Path, change: dict[str, np.ndarray | None], message: str
) -> None:
    arrays = _good_arrays()
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    with pytest.raises(DatasetError, match=message):
        load_mnist_npz(_save(tmp_path / "bad.npz", **arrays))


def test_a_file_that_is_not_npz_or_is_missing(tmp_path: Path) -> None:
    text = tmp_path / "mnist.npz"
    text.write_text("hello")
    with pytest.raises(DatasetError, match=re.escape("not a readable .npz file")):
        load_mnist_npz(text)
    with pytest.raises(DatasetError, match="no such file"):
        load_mnist_npz(tmp_path / "absent.npz")


def test_offline_without_a_file_explains_how_to_provide_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keras

    def offline() -> None:
        raise Exception("URL fetch failure on https://example.invalid/mnist.npz: None")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DatasetError, match=r"could not be downloaded.*--data PATH.*mnist.npz"):
        load_mnist(None)
