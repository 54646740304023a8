"""Runs the app as ``digitpad`` does in a fresh process and prints timings as one JSON line.

Used by ``test_app_speed.py``; run it by hand with ``python tests/benchmarks/app_probe.py``.
Times are wall-clock (``time.time()``) so the parent can measure from before it started us.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

STARTED = time.time()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import (  # noqa: E402
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QApplication  # noqa: E402

from digitpad.app import Digitpad, build, open_window  # noqa: E402
from digitpad.ml.recognizer import Prediction  # noqa: E402

DRAW_SECONDS = 6.0
MOVE_MS = 8
"""A mouse reports a move every 8 ms or so (125 Hz)."""
STROKE_MS = 900
"""Pen-up and down again this often, so the measurement includes pen-up predictions."""


class ShownWatcher(QObject):
    """Notes when the window is first painted on screen."""

    def __init__(self) -> None:
        super().__init__()
        self.shown_at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.shown_at is None:
            self.shown_at = time.time()
        return False


def main() -> None:
    QCoreApplication.setApplicationName("digitpad-benchmark")
    app = QApplication(sys.argv)
    settings_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"digitpad-bench-{os.getpid()}.ini"
    parts = build(QSettings(str(settings_path), QSettings.Format.IniFormat))
    watcher = ShownWatcher()
    parts.window.canvas.installEventFilter(watcher)
    parts.window.resize(1020, 660)
    first_prediction: list[float] = []

    def note_first(prediction: Prediction) -> None:
        if prediction.digit is not None and not first_prediction:
            first_prediction.append(time.time())

    parts.recognition.prediction_changed.connect(note_first)
    open_window(parts)
    window_shown = watcher.shown_at or time.time()
    # The probe's own tools load after the window is up: the app itself never imports them.
    from tests.benchmarks.event_loop import Heartbeat

    loading = Heartbeat()  # how the window responds while the model loads behind it
    loading.start()
    # The user starts drawing at once: a stroke is on the pad before the model is ready.
    draw_line(parts)
    wait_until(lambda: bool(first_prediction), 60_000)
    loading.stop()
    result = {"started": STARTED, "window_shown": window_shown,
              "first_prediction": first_prediction[0] if first_prediction else None,
              **loading.stalls("loading_stall")}
    result.update(measure_drawing(app, parts))
    wait_until(lambda: False, 1000)  # idle, as a window waiting for the next stroke
    result["idle_rss_mb"] = resident_megabytes()
    result["tensorflow_imported"] = "tensorflow" in sys.modules
    parts.window.close()
    parts.shutdown()
    settings_path.unlink(missing_ok=True)
    print(json.dumps(result))


def resident_megabytes() -> float:
    """This process's resident memory (Linux: /proc; elsewhere the peak from getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def draw_line(parts: Digitpad) -> None:
    canvas = parts.window.canvas
    canvas.draw_stroke([(canvas.to_widget(x, 500).x(), canvas.to_widget(x, 500).y())
                        for x in range(200, 800, 20)])


def wait_until(condition: Callable[[], bool], timeout_ms: int) -> None:
    """Run the event loop (sleeping when idle, as ``app.exec()`` does) until ``condition``."""
    loop = QEventLoop()
    check = QTimer(interval=10)
    check.timeout.connect(lambda: condition() and loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    check.start()
    if not condition():
        loop.exec()
    check.stop()


def measure_drawing(app: QApplication, parts: Digitpad) -> dict[str, float]:
    """Draw circles with real mouse events for a few seconds; time the event loop meanwhile."""
    from PySide6.QtTest import QTest

    from tests.benchmarks.event_loop import Heartbeat

    canvas = parts.window.canvas
    canvas.clear()
    predictions: list[float] = []
    parts.recognition.prediction_changed.connect(lambda p: predictions.append(time.perf_counter()))
    heartbeat = Heartbeat()
    start = time.perf_counter()
    stroke_start = [start]

    def position(t: float) -> QPoint:
        angle = 2 * math.pi * t / (STROKE_MS / 1000.0)
        point = canvas.to_widget(500 + 300 * math.cos(angle), 500 + 300 * math.sin(angle))
        return point.toPoint()

    def move() -> None:
        now = time.perf_counter()
        if now - start > DRAW_SECONDS:
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=position(now - start))
            pen.stop()
            return
        if now - stroke_start[0] > STROKE_MS / 1000.0:
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=position(now - start))
            canvas.clear()
            stroke_start[0] = now
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=position(now - start))
        else:
            QTest.mouseMove(canvas, position(now - start))

    pen = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=MOVE_MS)
    pen.timeout.connect(move)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=position(0.0))
    heartbeat.start()
    pen.start()
    wait_until(lambda: not pen.isActive(), int(DRAW_SECONDS * 1000) + 10_000)
    heartbeat.stop()
    elapsed = time.perf_counter() - start
    return {"drawing_seconds": elapsed, "predictions_per_second": len(predictions) / elapsed,
            **heartbeat.stalls("stall")}


if __name__ == "__main__":
    main()
