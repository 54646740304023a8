"""Runs the app with View → Inside the Model open on the bundled CNN in a fresh process and prints
how it keeps up with the pen as one JSON line (used by ``test_inside_speed.py``).

The layers form is made first by a conversion child, as the app makes it; that is not timed.
Then the pen draws circles for a few seconds with real mouse events, as in ``app_probe.py``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PREPARED_MS = 300_000


def main() -> None:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from digitpad.app import build, open_window
    from tests.benchmarks.app_probe import measure_drawing, resident_megabytes, wait_until

    QCoreApplication.setApplicationName("digitpad-benchmark")
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="digitpad-inside-bench-") as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        parts = build(settings, data_dir=Path(scratch) / "data")
        parts.window.resize(1500, 760)
        open_window(parts)
        wait_until(lambda: parts.recognition.model() is not None, 60_000)
        wait_until(lambda: False, 1000)
        idle = resident_megabytes()
        parts.inside.dock.toggleViewAction().trigger()
        wait_until(lambda: parts.inside.layers() is not None, PREPARED_MS)
        updates: list[int] = []
        show = parts.inside.view.set_outputs

        def counted(image: object, outputs: object) -> None:
            updates.append(1)
            show(image, outputs)

        parts.inside.view.set_outputs = counted
        figures = measure_drawing(app, parts)
        wait_until(lambda: False, 1000)
        result = {**figures, "inside_updates_per_second": len(updates) / figures[
            "drawing_seconds"], "idle_rss_mb": idle, "open_rss_mb": resident_megabytes(),
            "layers": len(parts.inside.view.stack.rows()) - 1,
            "tensorflow_imported": "tensorflow" in sys.modules}
        parts.window.close()
        parts.shutdown()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
