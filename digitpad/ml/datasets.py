"""MNIST from a local ``mnist.npz`` or from Keras' cache/download, validated before use."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitpad.ml.digits import INPUT_SHAPE, NUM_CLASSES

MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


class DatasetError(ValueError):
    """The dataset is missing or malformed; the message says what to do about it."""


@dataclass(frozen=True)
class Mnist:
    """MNIST as the tutorial uses it: images uint8 (N, 28, 28), labels uint8 (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def subset(self, train: int | None = None, test: int | None = None) -> Mnist:
        """The first ``train``/``test`` examples (for quick runs and tests)."""
        return Mnist(
            self.x_train[:train],
            self.y_train[:train],
            self.x_test[:test],
            self.y_test[:test],
            source=self.source,
        )


def load_mnist_npz(path: str | os.PathLike[str]) -> Mnist:
    """Load and validate an ``mnist.npz`` in the layout Keras caches it."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file. Choose an mnist.npz that exists.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in MNIST_KEYS if key not in archive.files]
            if missing:
                raise DatasetError(
                    f"{path}: not an MNIST file: missing {', '.join(missing)} "
                    f"(found {', '.join(archive.files) or 'nothing'}; "
                    f"expected {', '.join(MNIST_KEYS)})"
                )
            arrays = {key: archive[key] for key in MNIST_KEYS}
    except DatasetError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(f"{path}: not a readable .npz file ({exc})") from exc
    return validate_mnist(arrays, source=str(path))


def validate_mnist(arrays: dict[str, np.ndarray], source: str) -> Mnist:
    """Check shapes, dtypes and label range; say exactly which array is wrong."""
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or images.shape[1:] != INPUT_SHAPE:
            raise DatasetError(
                f"{source}: x_{split} must have shape (N, 28, 28), found {images.shape}"
            )
        if images.dtype != np.uint8:
            raise DatasetError(f"{source}: x_{split} must be uint8 pixels, found {images.dtype}")
        if labels.shape != (images.shape[0],):
            raise DatasetError(
                f"{source}: y_{split} must have shape ({images.shape[0]},) to match x_{split}, "
                f"found {labels.shape}"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            raise DatasetError(f"{source}: y_{split} must be integer labels, found {labels.dtype}")
        if images.shape[0] == 0:
            raise DatasetError(f"{source}: x_{split} is empty")
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise DatasetError(f"{source}: y_{split} has labels outside 0-9")
    return Mnist(
        arrays["x_train"],
        arrays["y_train"].astype(np.uint8),
        arrays["x_test"],
        arrays["y_test"].astype(np.uint8),
        source=source,
    )


def load_mnist(path: str | os.PathLike[str] | None = None) -> Mnist:
    """MNIST from ``path`` if given, else from Keras' cache (downloading it if needed)."""
    if path is not None:
        return load_mnist_npz(path)
    import keras  # imported here: TensorFlow takes seconds to import

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # Keras raises plain Exception for network failures
        raise DatasetError(
            "MNIST is not in Keras' cache and could not be downloaded "
            f"({type(exc).__name__}: {exc}). Connect to the internet, or give the path of a "
            "local mnist.npz (--data PATH on the command line, 'Choose mnist.npz…' in the app)."
        ) from exc
    return validate_mnist(
        {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test},
        source="Keras MNIST cache",
    )


def keras_mnist_cached() -> bool:
    """Whether Keras already has MNIST on disk (so loading it needs no network)."""
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return (keras_home / "datasets" / "mnist.npz").is_file()
