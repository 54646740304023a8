"""A heartbeat timer for the responsiveness benchmarks: late ticks are event-loop stalls."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer

HEARTBEAT_MS = 5


class Heartbeat:
    """A timer that should tick every HEARTBEAT_MS; how late it ticks is the event loop's stall."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def take(self) -> list[float]:
        """The stalls since the last call, in ms."""
        stalls = [max(0.0, gap - HEARTBEAT_MS) for gap in self.gaps]
        self.gaps = []
        return stalls

    def stalls(self, prefix: str) -> dict[str, float]:
        """p50, p99 and max of the stalls so far, keyed ``{prefix}_p50_ms`` and so on."""
        stalls = sorted(max(0.0, gap - HEARTBEAT_MS) for gap in self.gaps) or [0.0]
        return {
            f"{prefix}_p50_ms": stalls[len(stalls) // 2],
            f"{prefix}_p99_ms": stalls[min(len(stalls) - 1, math.ceil(0.99 * len(stalls)) - 1)],
            f"{prefix}_max_ms": stalls[-1],
        }

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000.0)
        self._last = now
