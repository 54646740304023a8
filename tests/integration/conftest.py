"""The whole app as ``launch`` builds it, for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.app import Digitpad, build
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import bundled_model_path
from tests.unit.ui.fakes import FakeDialogs

MODEL_TIMEOUT_MS = 60_000


@pytest.fixture
def app(qtbot, tmp_path: Path, bundled_recognizer: Recognizer) -> Iterator[Digitpad]:
    """The app with its settings and samples in the test's folder, sharing the session's loaded
    bundled model, the pad focused as after a click."""

    def load(path: Path) -> Recognizer:
        return bundled_recognizer if path == bundled_model_path() else Recognizer.load(path)

    QCoreApplication.setApplicationName("digitpad")
    parts = build(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), load)
    parts.window.dialogs = FakeDialogs()
    qtbot.addWidget(parts.window)
    parts.window.show()
    qtbot.waitExposed(parts.window)
    parts.window.activateWindow()
    parts.window.canvas.setFocus()
    qtbot.waitUntil(parts.window.canvas.hasFocus)
    with qtbot.waitSignal(parts.recognition.model_ready, timeout=MODEL_TIMEOUT_MS):
        parts.recognition.load_model(str(bundled_model_path()))
    yield parts
    parts.window.close()
    parts.shutdown()
