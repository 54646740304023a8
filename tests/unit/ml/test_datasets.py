"""MNIST loading: the real file loads; broken files say exactly what is wrong; offline, the data
shipped with digitpad is used, and damage to it is named."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from digitpad.ml import datasets
from digitpad.ml.datasets import (
    KERAS_CACHE_SOURCE,
    MNIST_KEYS,
    SHIPPED_CHECKSUMS,
    SHIPPED_MNIST,
    SHIPPED_PEN_DIGITS,
    SHIPPED_SOURCE,
    DatasetError,
    Mnist,
    load_mnist,
    load_mnist_npz,
    shipped_pen_digits,
)
from digitpad.ml.shipped_data import main
from digitpad.paths import shipped_data_dir
from tests.unit.ml.mnist_files import write_corrupt, write_mnist_slice


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


def test_without_a_file_or_keras_cache_the_copy_shipped_with_digitpad_is_used(
    mnist: Mnist,
) -> None:
    """Offline, on a fresh profile (the fixtures' empty HOME): the whole MNIST, no download."""
    loaded = load_mnist()
    assert loaded.source == SHIPPED_SOURCE
    assert (len(loaded.x_train), len(loaded.x_test)) == (60000, 10000)
    for key in MNIST_KEYS:
        np.testing.assert_array_equal(getattr(loaded, key), getattr(mnist, key), err_msg=key)


def test_keras_cache_is_read_when_it_has_mnist_and_a_damaged_one_is_named(
    mnist: Mnist, isolated_user_dirs: Path
) -> None:
    cache = isolated_user_dirs / ".keras" / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    write_mnist_slice(mnist, cache, train=100, test=10)
    loaded = load_mnist()
    assert (loaded.source, len(loaded.x_train), len(loaded.x_test)) == (KERAS_CACHE_SOURCE, 100, 10)
    write_corrupt(cache)
    with pytest.raises(DatasetError, match=rf"Keras' copy of MNIST is damaged: .*"
                       rf"Delete {re.escape(str(cache))} to train on the copy shipped"):
        load_mnist()


def test_the_shipped_pen_drawn_digits_are_the_uci_drawings(pendigits_path: Path) -> None:
    drawings = shipped_pen_digits()
    assert len(drawings) == 7494 and len({d.extra["writer"] for d in drawings}) == 30
    assert [d.to_json() for d in drawings] == json.loads(pendigits_path.read_bytes())


@pytest.fixture
def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped data that the loaders read instead, to damage."""
    folder = tmp_path / "data"
    shutil.copytree(shipped_data_dir(), folder)
    monkeypatch.setattr(datasets, "shipped_data_dir", lambda: folder)
    return folder


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize(
    ("name", "damage", "problem"),
    [
        (SHIPPED_MNIST, _flip_a_byte, "is damaged"),
        (SHIPPED_MNIST, _truncate, "is damaged"),
        (SHIPPED_MNIST, Path.unlink, "cannot be read"),
        (SHIPPED_CHECKSUMS, Path.unlink, "is damaged"),
        (SHIPPED_PEN_DIGITS, _flip_a_byte, "is damaged"),
    ],
    ids=["mnist-byte", "mnist-truncated", "mnist-missing", "checksums-missing", "pen-byte"],
)
def test_damaged_shipped_data_says_what_to_do(
    shipped_copy: Path, name: str, damage: Callable[[Path], None], problem: str
) -> None:
    damage(shipped_copy / name)
    if name == SHIPPED_PEN_DIGITS:
        what, instead, load = "the pen-drawn digits", "--ink PATH", shipped_pen_digits
    else:
        what, instead, load = "MNIST", "--data PATH", load_mnist
    with pytest.raises(DatasetError) as raised:
        load()
    message = str(raised.value)
    assert message.startswith(f"digitpad's copy of {what} {problem}")
    assert str(shipped_copy) in message and "Reinstall digitpad" in message and instead in message


def test_the_shipped_data_is_what_the_writer_makes_of_the_sources(
    tmp_path: Path, mnist_path: Path, pendigits_path: Path, shipped_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``python -m digitpad.ml.shipped_data --from ../shared/data`` makes assets/data: run it
    again when the data changes, and put the sha256 it prints in assets/data/README.md."""
    shipped_mnist, shipped_pen = load_mnist(), shipped_pen_digits()
    for path in shipped_copy.iterdir():
        path.unlink()
    shutil.copy(mnist_path, tmp_path / "mnist.npz")
    shutil.copy(pendigits_path, tmp_path / "pendigits_train_strokes.json")
    main(["--from", str(tmp_path), "--to", str(shipped_copy)])

    assert sorted(p.name for p in shipped_copy.iterdir()) == sorted(
        [SHIPPED_CHECKSUMS, SHIPPED_MNIST, SHIPPED_PEN_DIGITS])  # no temporary files left
    assert (shipped_copy / SHIPPED_MNIST).read_bytes() == (shipped_data_dir() / SHIPPED_MNIST)\
        .read_bytes()
    rewritten = load_mnist()
    for key in MNIST_KEYS:
        np.testing.assert_array_equal(getattr(rewritten, key), getattr(shipped_mnist, key))
    assert [d.to_json() for d in shipped_pen_digits()] == [d.to_json() for d in shipped_pen]
    printed = capsys.readouterr().out
    for name, digest in datasets.shipped_checksums(shipped_copy).items():
        assert f"{name}: " in printed and digest in printed
