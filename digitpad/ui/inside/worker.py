"""Every layer's output, off the GUI thread: loads a model's layers form and runs drawings
through it on a thread of its own, as the recogniser does for the answer.

Loading hashes the model's three files (tens of milliseconds for the bundled CNN) and one run
takes about a millisecond; neither may hold up the pen. Requests coalesce: while one drawing is
being run, newer ones replace each other and only the latest runs.
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

from digitpad.ml.layer_outputs import Layer, LayerWeights, NeedsLayersForm
from digitpad.ml.recognizer import ModelError
from digitpad.ui.pad.workers import load_problem

log = logging.getLogger(__name__)


class Layers(Protocol):
    """What the worker needs of a model's layers (a :class:`~digitpad.ml.layer_outputs.
    LayerOutputs`)."""

    weights: LayerWeights

    @property
    def layers(self) -> list[Layer]: ...

    def run(self, image: np.ndarray) -> list[np.ndarray]: ...


@dataclass(frozen=True)
class LayersInfo:
    """A model's layers and weights, for the GUI thread (plain data, read-only arrays)."""

    path: str
    layers: tuple[Layer, ...]
    weights: LayerWeights


@dataclass(frozen=True)
class LayerValues:
    """Every layer's output for request ``request_id``'s drawing, by the model at ``path``."""

    path: str
    request_id: int
    image: np.ndarray
    outputs: tuple[np.ndarray, ...]


class LayersWorker(QObject):
    """Lives on a QThread; ``load`` and the queued runs happen there."""

    loaded = Signal(object)
    """LayersInfo of the model now run."""
    form_needed = Signal(str)
    """(path): the model has no layers form yet; a conversion child must make it."""
    failed = Signal(str, str)
    """(path, what the user should read)."""
    computed = Signal(object)
    """LayerValues of the latest request."""
    _wake = Signal()

    def __init__(self, loader: Callable[[Path], Layers]) -> None:
        super().__init__()
        self._loader = loader
        self._layers: Layers | None = None
        self._path = ""
        self._lock = threading.Lock()
        self._pending: tuple[int, np.ndarray] | None = None
        self._scheduled = False
        self._wake.connect(self._run_latest)

    @Slot(str)
    def load(self, path: str) -> None:
        """Run the layers of the model at ``path`` from now on (the previous model's are
        dropped, even if this one cannot be loaded)."""
        self._layers, self._path = None, path
        try:
            layers = self._loader(Path(path))
        except NeedsLayersForm:
            log.info("model %s has no layers form yet", path)
            self.form_needed.emit(path)
            return
        except (ModelError, OSError) as exc:
            log.warning("layers of %s not loaded: %s", path, exc)
            self.failed.emit(path, load_problem(path, exc))
            return
        self._layers = layers
        self.loaded.emit(LayersInfo(path, tuple(layers.layers), layers.weights))
        self._schedule()  # a drawing sent while it loaded

    def submit(self, request_id: int, image: np.ndarray) -> None:
        """Ask for every layer's output for ``image``; safe from any thread, never blocks."""
        with self._lock:
            self._pending = (request_id, image)
        self._schedule()

    def _schedule(self) -> None:
        with self._lock:
            if self._scheduled or self._pending is None:
                return
            self._scheduled = True
        self._wake.emit()

    @Slot()
    def _run_latest(self) -> None:
        with self._lock:
            self._scheduled = False
            if self._layers is None:
                return  # kept for the model being loaded
            pending, self._pending = self._pending, None
        if pending is None:
            return
        request_id, image = pending
        outputs = tuple(self._layers.run(image))
        self.computed.emit(LayerValues(self._path, request_id, image, outputs))
