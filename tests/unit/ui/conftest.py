"""Fixtures for widget tests: app identity, throwaway settings, scripted dialogs, a fake model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.ml.recognizer import ModelError
from tests.unit.ui.fakes import FakeDialogs, FakeModel

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Qt warnings fail the widget tests (a warning usually means a misused API)."""
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def app_identity(qapp) -> None:
    QCoreApplication.setApplicationName("digitpad")


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialogs() -> FakeDialogs:
    return FakeDialogs()


@pytest.fixture
def fake_loader() -> Callable[[Path], FakeModel]:
    """Loads a FakeModel for any path except one named ``broken*``, which fails like Keras would."""

    def load(path: Path) -> FakeModel:
        if path.name.startswith("broken"):
            raise ModelError(f"{path}: not a Keras model (a .keras file is a zip archive)")
        return FakeModel(path.name)

    return load
