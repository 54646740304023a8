"""The recogniser's own thread: loads models (TensorFlow takes seconds) and classifies inputs.

The GUI thread never touches the Keras model; it submits a request and gets a signal back. Requests
coalesce: while one is being classified, newer ones replace each other and only the latest runs,
so a fast pen can never build up a queue of stale drawings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from digitpad.ml.recognizer import ModelError, Prediction

log = logging.getLogger(__name__)


class Model(Protocol):
    """What the worker needs of a loaded model (a :class:`digitpad.ml.recognizer.Recognizer`)."""

    name: str
    card: dict

    def predict_image(self, image: np.ndarray | None) -> Prediction: ...

    def summary(self) -> str: ...


@dataclass(frozen=True)
class ModelInfo:
    """What the window may know about the loaded model: plain text, no Keras objects."""

    path: Path
    name: str
    summary: str
    card: dict


@dataclass(frozen=True)
class PredictionResult:
    request_id: int
    prediction: Prediction


class RecognizerWorker(QObject):
    """Lives on a QThread; ``load_model`` and the queued classification run there."""

    model_loaded = Signal(object)
    """ModelInfo of the model now in use."""
    model_failed = Signal(str, str)
    """(path, what is wrong); the previous model, if any, stays in use."""
    predicted = Signal(object)
    """PredictionResult for the latest request."""
    _wake = Signal()

    def __init__(self, loader: Callable[[Path], Model]) -> None:
        super().__init__()
        self._loader = loader
        self._model: Model | None = None
        self._lock = threading.Lock()
        self._pending: tuple[int, np.ndarray] | None = None
        self._scheduled = False
        self._wake.connect(self._classify_latest)

    @Slot(str)
    def load_model(self, path: str) -> None:
        try:
            model = self._loader(Path(path))
            info = ModelInfo(Path(path), model.name, model.summary(), dict(model.card))
        except (ModelError, ImportError, OSError) as exc:
            log.warning("model %s not loaded: %s", path, exc)
            self.model_failed.emit(path, str(exc))
            return
        self._model = model
        log.info("model %s loaded", path)
        self.model_loaded.emit(info)

    def submit(self, request_id: int, image: np.ndarray) -> None:
        """Ask for a prediction of ``image``; safe to call from any thread, never blocks."""
        with self._lock:
            self._pending = (request_id, image)
            if self._scheduled:
                return
            self._scheduled = True
        self._wake.emit()

    @Slot()
    def _classify_latest(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
            self._scheduled = False
        if pending is None or self._model is None:
            return
        request_id, image = pending
        self.predicted.emit(PredictionResult(request_id, self._model.predict_image(image)))
