"""Shared fixtures: offscreen Qt, the shared real datasets, and a throwaway user profile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything imports Qt or Keras.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DIGITPAD_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))


def _shared_file(name: str) -> Path:
    path = DATA_DIR / name
    if not path.is_file():
        pytest.fail(
            f"{path} is missing. The tests need the real datasets: put mnist.npz and "
            "pendigits_train_strokes.json in ../shared/data beside the checkout, or point "
            "DIGITPAD_DATA_DIR at the folder that holds them."
        )
    return path


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    return _shared_file("mnist.npz")


@pytest.fixture(scope="session")
def pendigits_path() -> Path:
    return _shared_file("pendigits_train_strokes.json")


@pytest.fixture(scope="session")
def pendigits(pendigits_path: Path) -> list:
    from digitpad.ml.ink import load_ink

    return load_ink(pendigits_path)


@pytest.fixture(scope="session")
def mnist(mnist_path: Path):
    from digitpad.ml.datasets import load_mnist_npz

    return load_mnist_npz(mnist_path)


@pytest.fixture(scope="session")
def bundled_recognizer():
    """The bundled model, loaded once for the whole run (loading takes a second or two)."""
    from digitpad.ml.recognizer import Recognizer
    from digitpad.paths import bundled_model_path

    return Recognizer.load(bundled_model_path())


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Tests never read or write the real user profile: HOME and XDG dirs point at a temp dir."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("KERAS_HOME", str(home / ".keras"))
    return home


@pytest.fixture(scope="session")
def held_out_pendigits(bundled_recognizer, pendigits: list) -> list:
    """Pen-drawn digits by the writers the bundled model never trained on (see its card)."""
    writers = set(bundled_recognizer.card.ink_training["held_out_writers"])
    return [d for d in pendigits if d.extra["writer"] in writers]


@pytest.fixture(scope="session")
def few_pen_digits(pendigits: list) -> list:
    """The first ten drawings of each of the 30 writers: the shipped pen-drawn digits' split into
    training and held-out writers, on the scale of a test's training run."""
    kept: dict[str, int] = {}
    few = []
    for drawing in pendigits:
        writer = drawing.extra["writer"]
        if kept.get(writer, 0) < 10:
            kept[writer] = kept.get(writer, 0) + 1
            few.append(drawing)
    return few


@pytest.fixture(autouse=True)
def collect_garbage_on_the_main_thread():
    """As the app does (``digitpad/ui/support/main_thread_gc.py``): no cycle collection on a worker
    thread during a test, where it could destroy Qt objects of the GUI thread; collect after it
    instead."""
    import gc

    gc.disable()
    yield
    gc.collect()
    gc.enable()
