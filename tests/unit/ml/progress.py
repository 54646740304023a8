"""A progress recorder for the tests that train: the production callback, every batch kept."""

from __future__ import annotations

import threading

from digitpad.ml.jobs import BatchEnd, EpochEnd, Message
from digitpad.ml.training import ProgressReporter


class Recorder:
    """What a ProgressReporter reports of every batch and epoch; with ``stop_after``, it sets
    the stop flag once that many batches were reported, as the app's Cancel button would."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.batches: list[tuple[int, int, int, int]] = []
        self.epochs: list[dict[str, float]] = []
        self.stop = threading.Event()
        self._stop_after = stop_after
        self.callback = ProgressReporter(self.report, self.stop, interval=0.0)

    def report(self, message: Message) -> None:
        if isinstance(message, BatchEnd):
            self.batches.append((message.epoch, message.batch, message.batches, message.epochs))
            if len(self.batches) == self._stop_after:
                self.stop.set()
        elif isinstance(message, EpochEnd):
            self.epochs.append(message.logs)
