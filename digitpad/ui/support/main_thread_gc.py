"""Python's cycle collector, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed. When that is
the recogniser thread loading a model, and the garbage holds Qt objects of the GUI thread (a closed
dialog, a finished worker), Qt destroys them from the wrong thread and the process can crash.
So the app turns automatic collection off and collects, with the same generation thresholds, from
a timer on the GUI thread (the approach calibre has long used).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 500


class MainThreadGarbageCollector(QObject):
    """Owns the collector while it lives; ``stop`` gives it back to Python."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    @Slot()
    def collect_due(self) -> None:
        """Collect each generation whose count passed its threshold, youngest first, as Python
        would have."""
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= self._thresholds[generation]:
                break
            gc.collect(generation)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
