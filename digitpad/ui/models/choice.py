"""Which model the app uses: remembered across restarts, with a safe way back to the bundled one.

Whatever model last became ready (retrained, from History, from Load Model…, or the bundled one)
is the one the next start loads. If that model is gone or broken by then, the app says so and
starts with the bundled model instead of starting with none.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot

from digitpad.ui.pad.workers import ModelInfo
from digitpad.ui.support.settings import read_path

log = logging.getLogger(__name__)

MODEL_KEY = "model/path"
"""The chosen model's path; absent (or empty) for the bundled model."""


class ModelChoice(QObject):
    """Remembers the model in use and turns "use this one" into load requests."""

    load_requested = Signal(str)
    """Load the model at this path (connected to the recogniser)."""
    model_failed = Signal(str, str, bool)
    """A load failed that the window must report: (path, message, whether a model is in use)."""
    fell_back = Signal(str, str)
    """(title, message): the remembered model could not be loaded; the bundled one is used."""

    def __init__(self, settings: QSettings, bundled: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._bundled = bundled
        self._startup: str | None = None

    def startup_path(self) -> Path:
        """The model to load at start: the remembered one, else the bundled one."""
        saved = read_path(self._settings, MODEL_KEY)
        self._startup = str(saved) if saved is not None else None
        return saved or self._bundled

    @Slot(str)
    def use(self, path: str) -> None:
        self.load_requested.emit(path)

    @Slot()
    def reset(self) -> None:
        self.load_requested.emit(str(self._bundled))

    @Slot(object)
    def remember(self, info: ModelInfo) -> None:
        """A model is now in use: the next start should load it too."""
        if info.path == self._bundled:
            self._settings.remove(MODEL_KEY)
        else:
            self._settings.setValue(MODEL_KEY, str(info.path))
        self._startup = None

    @Slot(str, str, bool)
    def on_model_failed(self, path: str, message: str, has_model: bool) -> None:
        """A remembered model that no longer loads at start: fall back instead of running empty."""
        if has_model or path != self._startup:
            self.model_failed.emit(path, message, has_model)
            return
        log.warning("remembered model %s not loaded; using the bundled model", path)
        self._startup = None
        self._settings.remove(MODEL_KEY)
        self.fell_back.emit(
            "Your chosen model could not be loaded",
            f"{message}\n\ndigitpad uses its bundled model instead. Choose another model with "
            "Model → History… or Model → Load Model….",
        )
        self.load_requested.emit(str(self._bundled))
