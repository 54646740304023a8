"""The training data, validated before use: MNIST from the user's ``mnist.npz``, Keras' cache or
the copy that ships with digitpad, and the pen-drawn digits that ship with it. Nothing here
downloads: training works offline."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from digitpad.ml.digits import INPUT_SHAPE, NUM_CLASSES
from digitpad.ml.ink import Drawing, parse_ink
from digitpad.ml.jsonfile import decode_json_bytes
from digitpad.paths import shipped_data_dir

MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")

SHIPPED_MNIST = "mnist.npz"
"""In :func:`~digitpad.paths.shipped_data_dir`: MNIST byte for byte as the data's source has it
(already a compressed ``.npz``)."""
SHIPPED_PEN_DIGITS = "pendigits_train_strokes.json.gz"
"""Beside it: the pen-drawn digits' ink JSON, gzipped (3.4 MB of JSON in 0.9 MB)."""
SHIPPED_CHECKSUMS = "SHA256SUMS"
"""Beside them: each file's sha256 as ``sha256sum`` writes it, checked on every load."""
SHIPPED_SOURCE = "shipped with digitpad"
KERAS_CACHE_SOURCE = "Keras MNIST cache"
""":attr:`Mnist.source` of those two; the model card names the data by it."""


@dataclass(frozen=True)
class Credit:
    """A dataset that ships with digitpad, as its licence asks it to be credited."""

    name: str
    authors: str
    licence: str
    licence_url: str


SHIPPED_CREDITS = (
    Credit("MNIST", "Y. LeCun, C. Cortes, C. J. C. Burges", "CC BY-SA 3.0",
           "https://creativecommons.org/licenses/by-sa/3.0/"),
    Credit("Pen-Based Recognition of Handwritten Digits",
           "E. Alpaydin, F. Alimoglu (UCI Machine Learning Repository)", "CC BY 4.0",
           "https://creativecommons.org/licenses/by/4.0/"),
)
_OWN_MNIST = ("choose an mnist.npz of your own (--data PATH on the command line, "
              "'Choose mnist.npz…' in the app)")


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
        # Opened here: np.load leaves a file it opened itself open when the zip is broken.
        with path.open("rb") as file:
            return _read_mnist_npz(file, str(path))
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def _read_mnist_npz(file: BinaryIO, source: str) -> Mnist:
    try:
        with np.load(file, allow_pickle=False) as archive:
            missing = [key for key in MNIST_KEYS if key not in archive.files]
            if missing:
                raise DatasetError(
                    f"{source}: not an MNIST file: missing {', '.join(missing)} "
                    f"(found {', '.join(archive.files) or 'nothing'}; "
                    f"expected {', '.join(MNIST_KEYS)})"
                )
            arrays = {key: archive[key] for key in MNIST_KEYS}
    except DatasetError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(f"{source}: not a readable .npz file ({exc})") from exc
    return validate_mnist(arrays, source=source)


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
    """MNIST from ``path`` if given, else from Keras' cache if it has it (so what trained before
    trains the same), else the copy shipped with digitpad. Never downloads."""
    if path is not None:
        return load_mnist_npz(path)
    if keras_mnist_cached():
        cache = keras_mnist_cache()
        try:
            mnist = load_mnist_npz(cache)
        except DatasetError as exc:
            raise DatasetError(
                f"Keras' copy of MNIST is damaged: {exc}. Delete {cache} to train on the copy "
                f"shipped with digitpad, or {_OWN_MNIST}.") from exc
        return dataclasses.replace(mnist, source=KERAS_CACHE_SOURCE)
    return shipped_mnist()


def keras_mnist_cache() -> Path:
    """Where ``keras.datasets.mnist.load_data()`` keeps the MNIST it downloaded."""
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return keras_home / "datasets" / "mnist.npz"


def keras_mnist_cached() -> bool:
    """Whether Keras has MNIST on disk (then training reads it rather than digitpad's copy)."""
    return keras_mnist_cache().is_file()


def shipped_mnist() -> Mnist:
    """The MNIST that ships with digitpad, checked against its recorded sha256."""
    data = _shipped_bytes(SHIPPED_MNIST, "MNIST", _OWN_MNIST)
    mnist = _read_mnist_npz(io.BytesIO(data), str(shipped_data_dir() / SHIPPED_MNIST))
    return dataclasses.replace(mnist, source=SHIPPED_SOURCE)


def shipped_pen_digits() -> list[Drawing]:
    """The 7,494 pen-drawn digits (30 writers, ``extra["writer"]``) that ship with digitpad,
    checked against their recorded sha256 and read as any ink file is."""
    data = _shipped_bytes(SHIPPED_PEN_DIGITS, "the pen-drawn digits",
                          "give labelled drawings of your own (--ink PATH)")
    return parse_ink(decode_json_bytes(gzip.decompress(data)),
                     source=str(shipped_data_dir() / SHIPPED_PEN_DIGITS))


def shipped_checksums(folder: Path) -> dict[str, str]:
    """The sha256 recorded for each shipped file; empty when the record is missing or unreadable
    (then every file fails its check, with the message that says what to do)."""
    try:
        text = (folder / SHIPPED_CHECKSUMS).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return {}
    return {name: digest for digest, _, name in
            (line.partition("  ") for line in text.splitlines())}


def _shipped_bytes(name: str, what: str, instead: str) -> bytes:
    """A shipped file's bytes once they match their recorded sha256: a damaged or incomplete
    install is told in words (``instead`` is what else the user can train on)."""
    folder = shipped_data_dir()
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(
            f"digitpad's copy of {what} cannot be read ({path}: {exc.strerror or exc}). "
            f"Reinstall digitpad, or {instead}.") from exc
    if hashlib.sha256(data).hexdigest() != shipped_checksums(folder).get(name):
        raise DatasetError(
            f"digitpad's copy of {what} is damaged ({path} does not match its sha256 in "
            f"{folder / SHIPPED_CHECKSUMS}). Reinstall digitpad, or {instead}.")
    return data
