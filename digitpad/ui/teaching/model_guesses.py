"""What the current model reads for the user's samples, asked of the recogniser thread.

My Samples asks about thousands of samples at once; the worker answers a chunk at a time, so
the grid fills in from the top while the drawing pad stays live.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from digitpad.ui.pad.workers import BatchResult, RecognizerWorker


class ModelGuesses(QObject):
    """Asks the recogniser thread what the current model reads for samples, in one batch.

    The worker answers a chunk at a time; only the latest request's answers are passed on.
    """

    guessed = Signal(object, object, object)
    """(sample ids, digits, confidences) for one chunk"""
    progress = Signal(int, int)
    """(answered, asked) of the latest request"""

    def __init__(self, worker: RecognizerWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._request_id = 0
        self._ids = np.zeros(0, np.int64)
        self._answered = 0
        worker.batch_classified.connect(self._on_batch)

    def ask(self, ids: np.ndarray, images: np.ndarray) -> None:
        """Ask about these samples, instead of whatever was asked before."""
        self._request_id += 1
        self._ids = ids
        self._answered = 0
        self.progress.emit(0, len(ids))
        if len(ids):
            self._worker.submit_batch(self._request_id, images)

    def cancel(self) -> None:
        self._request_id += 1
        self._ids = np.zeros(0, np.int64)
        self._worker.cancel_batch()

    def busy(self) -> bool:
        return self._answered < len(self._ids)

    @Slot(object)
    def _on_batch(self, result: BatchResult) -> None:
        if result.request_id != self._request_id:
            return
        count = len(result.probabilities)
        ids = self._ids[result.start : result.start + count]
        self._answered = result.start + count
        self.guessed.emit(ids, result.probabilities.argmax(axis=1),
                          result.probabilities.max(axis=1))
        self.progress.emit(self._answered, len(self._ids))
