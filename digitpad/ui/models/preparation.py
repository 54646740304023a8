"""Preparing a ``.keras`` file the user opened for LiteRT: a conversion in a child process.

The window never imports TensorFlow, and only TensorFlow can read a Keras model's weights and
turn it into a ``.tflite``. So a model that came without its LiteRT form (a user's own file, or
one from an older digitpad) is converted once in a spawned child, the same way Retrain trains
(:class:`~digitpad.ui.training.runner.TrainingRunner`), and cached in the user data folder keyed
by the file's hash; the next open is instant. The child loads the file with ``safe_mode``.
The machinery for child processes is imported at the first conversion, not at start-up.

The same machinery makes a model's *layers form* for the view inside the model: a preparer given
:func:`~digitpad.ml.layer_outputs.make_layers_form` as its child's ``work``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:
    from digitpad.ml.jobs import Converted, Work
    from digitpad.ui.training.runner import TrainingRunner

log = logging.getLogger(__name__)


class ModelPreparer(QObject):
    """Converts one model at a time; a new request replaces the one in progress."""

    prepared = Signal(str)
    """The ``.keras`` path whose LiteRT form is now in the cache."""
    failed = Signal(str, str)
    """(path, what the user should read)."""
    cancelled = Signal(str)
    """(path): stopped on request; nothing changed."""
    stage_changed = Signal(str)
    """What the child is doing now ("Starting TensorFlow…"), to show as progress."""

    def __init__(self, cache_dir: Path, log_path: Path | None, work: Work | None = None,
                 parent: QObject | None = None) -> None:
        """``work`` is what the child does with the conversion job (default: make the model's
        LiteRT form)."""
        super().__init__(parent)
        self._cache_dir = cache_dir
        self._log_path = log_path
        self._work = work
        self._path: str | None = None
        self._replacing: str | None = None
        self._runner: TrainingRunner | None = None

    def is_preparing(self) -> bool:
        return self._path is not None

    def prepare(self, path: str) -> None:
        """Convert ``path`` in the background; ``prepared``, ``failed`` or ``cancelled`` follows."""
        if self._runner is not None and self._runner.is_running():  # another model meanwhile
            self._replacing = path
            self._runner.cancel()
            return
        self._start(path)

    @Slot()
    def cancel(self) -> None:
        self._replacing = None
        if self._runner is not None:
            self._runner.cancel()

    def shutdown(self) -> None:
        if self._runner is not None:
            self._runner.shutdown()
        self._path = self._replacing = None

    def _start(self, path: str) -> None:
        from digitpad.ml.jobs import CONVERT, TrainingJob

        self._path = path
        log.info("preparing %s for LiteRT", path)
        self._conversion_runner().start(TrainingJob(
            CONVERT, output=str(self._cache_dir), current_model=path, priority=0,
            log_path=str(self._log_path) if self._log_path is not None else None))

    def _conversion_runner(self) -> TrainingRunner:
        if self._runner is None:
            from digitpad.ui.training.runner import TrainingRunner

            self._runner = (TrainingRunner(parent=self) if self._work is None
                            else TrainingRunner(self._work, parent=self))
            self._runner.stage_changed.connect(self.stage_changed)
            self._runner.finished.connect(self._on_finished)
            self._runner.failed.connect(self._on_failed)
            self._runner.cancelled.connect(self._on_cancelled)
        return self._runner

    def _finish(self) -> str:
        path, self._path = self._path or "", None
        return path

    @Slot(object)
    def _on_finished(self, outcome: Converted) -> None:
        self._finish()
        self.prepared.emit(outcome.keras)

    @Slot(str, str)
    def _on_failed(self, problem: str, message: str) -> None:
        self.failed.emit(self._finish(), message)

    @Slot()
    def _on_cancelled(self) -> None:
        path = self._finish()
        if self._replacing is not None:
            replacing, self._replacing = self._replacing, None
            self._start(replacing)
            return
        self.cancelled.emit(path)
