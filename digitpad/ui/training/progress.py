"""How far a training run has got: a progress bar over the whole run and a status line with the
step, the elapsed time and, once batches come, the time left."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from digitpad.ml.jobs import BatchEnd

TICK_MS = 1000
"""The elapsed time moves on every second, also while a step without batches runs."""
_STEPS = 1000
"""The bar's resolution: a thousandth of the run."""


class RunProgress(QWidget):
    """The bar and the status line under the plots; the status line also carries the dialog's
    other messages ("Finished in …", "Cancelled. …") between runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(minimum=0, maximum=_STEPS, textVisible=False)
        self.bar.setFixedHeight(8)
        self.status = QLabel("Choose the settings, then Train.")
        self.status.setProperty("role", "note")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        self._started = 0.0
        self._training_started: float | None = None
        self._epochs = 1
        self._text = ""
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._show_times)

    def start(self, epochs: int) -> None:
        """A run begins: busy until its first batch, ``epochs`` planned (at least one)."""
        self._epochs = max(1, epochs)
        self._training_started = None
        self._text = ""
        self._started = time.monotonic()
        self.bar.setValue(0)
        self.bar.setRange(0, 0)
        self._tick.start()
        self.status.setText("Starting…")

    def stop(self, finished: bool) -> None:
        """The run is over: a full bar if it ``finished``, an empty one otherwise."""
        self._tick.stop()
        self.bar.setRange(0, _STEPS)
        self.bar.setValue(_STEPS if finished else 0)

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def stage(self, text: str) -> None:
        self._text = text
        self._show_times()

    def batch(self, message: BatchEnd) -> bool:
        """Move on to this batch; True for the run's first (the epoch count is now known)."""
        first = self._training_started is None
        if first:
            self._training_started = time.monotonic()
            self._epochs = message.epochs
            self.bar.setRange(0, _STEPS)
        done = (message.epoch + (message.batch + 1) / message.batches) / self._epochs
        self.bar.setValue(round(_STEPS * min(1.0, done)))
        self._text = (f"Epoch {message.epoch + 1} of {self._epochs} · batch "
                      f"{message.batch + 1} of {message.batches}")
        self._show_times(done)
        return first

    def epochs(self) -> int:
        return self._epochs

    @Slot()
    def _show_times(self, done: float | None = None) -> None:
        now = time.monotonic()
        parts = [self._text] if self._text else []
        parts.append(f"{clock(now - self._started)} elapsed")
        if done is None and self._training_started is not None:
            done = self.bar.value() / _STEPS
        if self._training_started is not None and done and 0.02 <= done < 1.0:
            training = now - self._training_started
            parts.append(f"about {clock(training * (1 - done) / done)} left")
        self.status.setText(" · ".join(parts))


def clock(seconds: float) -> str:
    """``m:ss``, as a stopwatch shows it."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
