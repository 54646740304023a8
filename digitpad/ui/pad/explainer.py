"""A model on a thread of its own that explains one drawing at a time (:mod:`digitpad.ml.why`):
the latest request wins, and an explanation of something since replaced is never passed on.

Explaining costs some fifty model runs, so it never shares the live reader's thread: a stroke
being drawn is read at once whatever is being explained. Why This Digit on the pad and Retrain's
mistakes each have one; the thread starts when the first explanation is asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from digitpad.ml.outputs import Sevens
from digitpad.ml.why import Why
from digitpad.ui.pad.workers import Model, ModelThread, model_thread

log = logging.getLogger(__name__)

Job = Callable[[Model], Why | None]
"""What to explain, given the model: e.g. ``lambda model: explain_image(image, model)``."""


@dataclass(frozen=True)
class _Answer:
    request_id: int
    why: Why | None


class Explainer(QObject):
    """Explains with the model it was last told of; see the module docstring."""

    explained = Signal(object)
    """Why | None: the explanation of the latest request."""
    _load_requested = Signal(str)
    _sevens_changed = Signal(object)

    def __init__(self, loader: Callable[[Path], Model], name: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._name = name
        self._worker: ModelThread | None = None
        self._thread: QThread | None = None
        self._model_path: str | None = None
        self._loaded_path: str | None = None
        self._sevens = Sevens.PLAIN
        self._request_id = 0

    def set_model(self, path: str | Path) -> None:
        """Explain with this model from now on (loaded when next asked); what was asked of the
        model before is dropped."""
        self._model_path = str(path)
        self.drop()

    def set_sevens(self, sevens: Sevens) -> None:
        self._sevens = sevens
        self._sevens_changed.emit(sevens)

    def load(self) -> None:
        """Load the model now, so that the first explanation does not wait for it (a view
        switched on)."""
        if self._model_path is None:
            return
        self._ensure_worker()
        if self._model_path != self._loaded_path:
            self._loaded_path = self._model_path
            self._load_requested.emit(self._model_path)

    def explain(self, job: Job) -> None:
        """Explain with the model, instead of whatever was asked before."""
        if self._model_path is None:
            return
        self.drop()
        self.load()
        assert self._worker is not None
        request_id = self._request_id
        self._worker.post(lambda model: _Answer(request_id, job(model)))

    def drop(self) -> None:
        """Forget what was asked: its explanation will not come."""
        self._request_id += 1
        if self._worker is not None:
            self._worker.drop_pending()

    def shutdown(self) -> None:
        """End the thread (at quit, or when the window that asks is closed for good)."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        worker, thread = model_thread(self._loader, self._name, self._sevens,
                                      self._load_requested, self._sevens_changed)
        worker.predicted.connect(self._on_answer)
        worker.model_failed.connect(self._on_model_failed)
        worker.conversion_needed.connect(self._on_model_failed)
        self._worker, self._thread = worker, thread
        thread.start()

    @Slot(object)
    def _on_answer(self, answer: _Answer) -> None:
        if answer.request_id == self._request_id:
            self.explained.emit(answer.why)

    @Slot(str)
    def _on_model_failed(self, path: str, *_: str) -> None:
        # The window loaded this very model already: a second load failing is rare (memory, a
        # file replaced meanwhile). Nothing is explained; the log says why.
        log.warning("%s could not load %s", self._name, path)
        self._loaded_path = None
