"""Fixtures for widget tests: app identity, throwaway settings, scripted dialogs, a fake model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.ml.recognizer import ModelError, Prediction

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Qt warnings fail the widget tests (a warning usually means a misused API)."""
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def app_identity(qapp) -> None:  # noqa: ANN001 - pytest-qt's QApplication
    QCoreApplication.setApplicationName("digitpad")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@dataclass
class FakeDialogs:
    """Answers file pickers from a script and records every message instead of blocking."""

    paths: list[Path | None] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    abouts: list[tuple[str, str]] = field(default_factory=list)

    def _answer(self, kind: str, title: str) -> Path | None:
        self.asked.append((kind, title))
        if not self.paths:
            raise AssertionError(f"unexpected {kind} dialog: {title}")
        return self.paths.pop(0)

    def open_path(self, title: str, file_filter: str, directory: str = "") -> Path | None:
        return self._answer("open", title)

    def save_path(self, title: str, file_filter: str, suggested: str) -> Path | None:
        return self._answer("save", title)

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))

    def text(self, title: str, text: str) -> None:
        self.texts.append((title, text))

    def about(self, title: str, rich_text: str) -> None:
        self.abouts.append((title, rich_text))


@pytest.fixture
def dialogs() -> FakeDialogs:
    return FakeDialogs()


class FakeModel:
    """Stands in for a Recognizer: 'reads' the digit from how much ink the image holds.

    Deterministic and instant; ``confidence`` lets a test produce an unsure answer.
    """

    card = {"architecture": "fake", "parameters": 10}

    def __init__(self, name: str = "fake.keras", confidence: float = 0.9) -> None:
        self.name = name
        self.confidence = confidence
        self.seen: list[np.ndarray] = []

    def predict_image(self, image: np.ndarray | None) -> Prediction:
        if image is None:
            return Prediction.empty()
        self.seen.append(image)
        digit = int(image.sum()) % 10
        probabilities = np.full(10, (1 - self.confidence) / 9, np.float32)
        probabilities[digit] = self.confidence
        return Prediction.from_probabilities(probabilities)

    def summary(self) -> str:
        return 'Model: "fake"\n Total params: 10'


@pytest.fixture
def fake_loader() -> Callable[[Path], FakeModel]:
    """Loads a FakeModel for any path except one named ``broken*``, which fails like Keras would."""

    def load(path: Path) -> FakeModel:
        if path.name.startswith("broken"):
            raise ModelError(f"{path}: not a Keras model (a .keras file is a zip archive)")
        return FakeModel(path.name)

    return load
