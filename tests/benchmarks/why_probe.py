"""Runs the app with View → Why This Digit on in a fresh process and prints, as one JSON line,
how soon after pen-up the overlay is ready and whether the live reading keeps its pace (used by
``test_why_speed.py``).

Real pen digits by the bundled model's held-out writers are drawn with real mouse events; the
time runs from the last stroke's pen-up to the overlay being set on the pad. Then the pen draws
circles as in ``app_probe.py``, lifting every 0.9 s, so each pen-up starts an explanation while
the live reading goes on.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

DRAWINGS_PER_DIGIT = 8
PENDIGITS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pendigits_train_strokes.json"


def main() -> None:
    import numpy as np
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from digitpad.app import build, open_window
    from digitpad.ml.card import ModelCard
    from digitpad.ml.ink import load_ink
    from digitpad.paths import bundled_model_path
    from digitpad.ui.pad.why_digit import SETTING
    from tests.benchmarks.app_probe import measure_drawing, wait_until
    from tests.integration.window_driver import in_widget

    QCoreApplication.setApplicationName("digitpad-benchmark")
    app = QApplication(sys.argv)
    writers = set(ModelCard.read(bundled_model_path()).ink_training["held_out_writers"])
    drawings = [d for d in load_ink(PENDIGITS) if d.extra["writer"] in writers]
    chosen = [d for digit in range(10)
              for d in [d for d in drawings if d.label == digit][:DRAWINGS_PER_DIGIT]]
    with tempfile.TemporaryDirectory(prefix="digitpad-why-bench-") as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue(SETTING, True)
        parts = build(settings, data_dir=Path(scratch) / "data")
        parts.window.resize(1100, 700)
        open_window(parts)
        wait_until(lambda: parts.recognition.model() is not None, 60_000)
        canvas, why = parts.window.canvas, parts.why
        ready: list[float] = []
        why.explained.connect(lambda: ready.append(time.perf_counter()))
        latencies: list[float] = []
        agreed: list[bool] = []
        for drawing in [chosen[0], *chosen]:  # the first loads the view's own model: not timed
            canvas.clear()
            ready.clear()
            wait_until(parts.recognition.is_up_to_date, 5000)
            for stroke in in_widget(canvas, drawing):
                QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=stroke[0])
                for point in stroke[1:]:
                    QTest.mouseMove(canvas, point)
                ready.clear()
                pen_up = time.perf_counter()
                QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=stroke[-1])
            wait_until(lambda: bool(ready) and parts.recognition.is_up_to_date(), 10_000)
            latencies.append((ready[0] - pen_up) * 1000 if ready else float("inf"))
            shown = parts.recognition.reading()
            answer = why.why().answer if why.why() is not None else -1
            digits = shown.digits if shown is not None else ()
            agreed.append(bool(digits) and answer == (
                None if digits[0].prediction.is_not_a_digit else digits[0].prediction.digit))
        timed = np.array(latencies[1:])
        figures = measure_drawing(app, parts)
        result = {"drawings": len(timed), "ready_p50_ms": float(np.percentile(timed, 50)),
                  "ready_p95_ms": float(np.percentile(timed, 95)),
                  "ready_max_ms": float(timed.max()), "explained_the_answer": sum(agreed[1:]),
                  **figures, "tensorflow_imported": "tensorflow" in sys.modules}
        parts.window.close()
        parts.shutdown()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
