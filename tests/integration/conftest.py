"""The whole app as ``launch`` builds it, for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from digitpad.app import Digitpad, build
from digitpad.paths import bundled_model_path
from tests.unit.ui.fakes import FakeDialogs

MODEL_TIMEOUT_MS = 60_000


@pytest.fixture
def app(qtbot, tmp_path: Path) -> Iterator[Digitpad]:
    """The app as ``launch`` builds it (real LiteRT models), with its settings, samples and model
    cache in the test's folder, the pad focused as after a click."""
    QCoreApplication.setApplicationName("digitpad")
    parts = build(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                  data_dir=tmp_path / "data")
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


def downloaded_mlp(tmp_path: Path) -> Path:
    """The tutorial's MLP (untrained) as a file the user downloaded: saved as digitpad saves
    models, in a folder whose ``.tflite`` the app does not trust (it prepares its own)."""
    from digitpad.ml.card import ModelCard
    from digitpad.ml.models import build_mlp
    from digitpad.ml.modelstore import save_model

    mlp = tmp_path / "downloads" / "tutorial mlp.keras"
    mlp.parent.mkdir()
    save_model(build_mlp(), mlp, ModelCard(architecture="mlp"))
    return mlp
