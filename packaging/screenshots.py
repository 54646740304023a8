"""Take the README's screenshots again, from the real window and the bundled model.

    xvfb-run -a -s "-screen 0 1920x1200x24" python packaging/screenshots.py \
        [--ink PENDIGITS.json] [--out assets/screenshots]

Run it when the bundled model or the window changes. The drawings are real pen-drawn digits by
writers the bundled model never trained on (its card names them), chosen by rule rather than by
hand: ``main-window.png`` shows the first one-stroke 4 the model reads right and sure,
``unsure.png`` the first drawing it is unsure about whose runner-up is the digit that was drawn,
``number.png`` the first four-digit number made of one held-out writer's digits that it reads
right, ``not-a-digit.png`` (a model that can refuse) the first generated letter it refuses, and
``why-this-digit.png`` View → Why This Digit on the first held-out 1, given a long flag, that the
model reads as a sure 7, ``compare.png`` the tutorial's MLP beside it on a 7 (:data:`COMPARE`,
also at 150 %), and ``inside-cnn.png`` / ``inside-mlp.png`` View → Inside the Model on that 7
with each model, the unit that responds most to it clicked (:data:`INSIDE`).
``main-window-150.png`` is ``main-window.png`` at 150 % scaling, as on a 1920x1080 laptop set to
150 %: Qt's scale factor is fixed when it starts, so a second run of this script takes it.
Every window has the size a new user's window first has on such a screen. The window uses
throwaway settings and data, so nothing of the user's is shown or changed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from digitpad.app import Digitpad

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PENDIGITS = PROJECT_ROOT.parent / "shared" / "data" / "pendigits_train_strokes.json"
MNIST = PROJECT_ROOT.parent / "shared" / "data" / "mnist.npz"
SCREEN = (1920, 1080 - 40)
"""The free area of a common laptop screen (less a task bar), in pixels."""
SCALED = (1.5, "main-window-150.png")
"""The scaling of the second run and its one screenshot."""
WHY = ("why-this-digit.png", "why-this-digit-150.png")
"""View → Why This Digit on a 1 with a long flag that the model reads as a 7, at 100 % and at
150 %: the flag is the ink that made it a 7."""
INSIDE = ("inside-cnn.png", "inside-mlp.png")
INSIDE_150 = ("inside-cnn-150.png", "inside-mlp-150.png")
"""View → Inside the Model on the compared 7 (the drawing stays on the pad), with the bundled CNN
and with the tutorial's MLP, at 100 % and at 150 %."""
COMPARE = ("compare.png", "compare-150.png")
"""Model → Compare With the tutorial's MLP (trained here as Retrain's tutorial preset trains it,
once) on the first held-out 7 the bundled model reads as a sure 7 and the MLP does not."""
TIMEOUT_S = 120.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ink", type=Path, default=PENDIGITS)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "assets" / "screenshots")
    parser.add_argument("--mnist", type=Path, default=MNIST)
    parser.add_argument("--scaled", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    scale = SCALED[0] if options.scaled else 1.0
    os.environ["QT_SCALE_FACTOR"] = str(scale)

    import numpy as np
    from PySide6.QtCore import QCoreApplication, QRect, QSettings
    from PySide6.QtWidgets import QApplication

    from digitpad.app import build
    from digitpad.ml.ink import Drawing, load_ink
    from digitpad.ml.negatives import negative_drawings
    from digitpad.ml.number_synthesis import synthesise_numbers
    from digitpad.ml.numbers import read_number
    from digitpad.ml.recognizer import Recognizer
    from digitpad.ml.regional import flagged_one
    from digitpad.paths import APP_NAME, bundled_model_path
    from digitpad.ui.pad.probability_chart import ANIMATION_MS
    from digitpad.ui.pad.verdict import UNSURE_BELOW
    from digitpad.ui.window_layout import first_size

    recognizer = Recognizer.load(bundled_model_path())
    held_out = set(recognizer.card.ink_training["held_out_writers"])
    drawings = [d for d in load_ink(options.ink) if d.extra.get("writer") in held_out]
    predictions = recognizer.predict_drawings(drawings)
    pairs = list(zip(drawings, predictions, strict=True))
    sure_four = next(d for d, p in pairs
                     if d.label == 4 and len(d.strokes) == 1 and p.digit == 4
                     and p.confidence > 0.995)
    doubtful = next(d for d, p in pairs
                    if p.confidence < UNSURE_BELOW - 0.05 and p.runner_up == d.label)
    number = next(n for n in synthesise_numbers(drawings, 50, (4, 4), seed=4)
                  if read_number(n.strokes, recognizer).text == n.text)
    rng = np.random.default_rng(1)
    flagged = [flagged_one(d, rng, length=0.6) for d in drawings if d.label == 1]
    one_as_seven = next(d for d, p in zip(flagged, recognizer.predict_drawings(flagged),
                                          strict=True) if p.digit == 7 and p.confidence > 0.9)
    why = [(WHY[0], one_as_seven)]
    mlp = _tutorial_mlp(Path(tempfile.gettempdir()) / "digitpad-tutorial-mlp", options.mnist)
    tutorial = Recognizer.load(mlp)
    sevens = [d for d in drawings if d.label == 7]
    disagreed = next(d for d, ours, theirs in zip(
        sevens, recognizer.predict_drawings(sevens), tutorial.predict_drawings(sevens),
        strict=True) if ours.digit == 7 and ours.confidence > 0.95 and theirs.digit != 7)
    compare = [(COMPARE[0], disagreed)]
    inside = [(INSIDE[0], bundled_model_path()), (INSIDE[1], mlp)]
    shots = [("main-window.png", sure_four), ("unsure.png", doubtful),
             ("number.png", Drawing(number.strokes, None, {"writer": "a held-out writer",
                                                           "shows": number.text}))]
    if options.scaled:
        shots, why = [(SCALED[1], sure_four)], [(WHY[1], one_as_seven)]
        compare = [(COMPARE[1], disagreed)]
        inside = [(INSIDE_150[0], bundled_model_path()), (INSIDE_150[1], mlp)]
    elif recognizer.knows_non_digits:
        letters = [d for d in negative_drawings(200, 4, "evaluation", pen_digits=drawings)
                   if d.extra["kind"] == "letter"]
        shots.append(("not-a-digit.png", next(
            d for d, p in zip(letters, recognizer.predict_drawings(letters), strict=True)
            if p.not_a_digit > 0.9)))
    else:
        print("not-a-digit.png: the bundled model cannot refuse; not taken")

    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="digitpad-screenshots-") as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        parts = build(settings, Recognizer.load, data_dir=Path(scratch) / "data")
        try:
            width, height = (round(side / scale) for side in SCREEN)
            parts.window.resize(first_size(QRect(0, 0, width, height)))
            parts.window.show()
            ready: list[bool] = []
            parts.recognition.model_ready.connect(lambda *_: ready.append(True))
            parts.recognition.load_model(str(bundled_model_path()))
            wait_until(app, lambda: bool(ready), "the model to load")
            options.out.mkdir(parents=True, exist_ok=True)
            for name, drawing in [*shots, *why, *compare]:
                parts.why.action.setChecked(name in WHY)
                if name in COMPARE:
                    parts.comparison.compare_with(str(mlp))
                    wait_until(app, lambda: parts.comparison.other() is not None,
                                "the second model")
                parts.window.clear_action.trigger()
                parts.window.canvas.set_strokes(drawing.strokes)
                wait_until(app, parts.recognition.is_up_to_date, "the prediction")
                if name in COMPARE:
                    wait_until(app, parts.comparison.is_up_to_date, "the second model's bars")
                if name in WHY:
                    wait_until(app, lambda: parts.why.why() is not None, "the explanation")
                pause(app, 2 * ANIMATION_MS / 1000)  # the chart's bars settle
                path = options.out / name
                if not parts.window.grab().save(str(path)):
                    raise SystemExit(f"could not write {path}")
                shows = drawing.extra.get("shows", drawing.extra.get("char", drawing.label))
                print(f"{path}: {drawing.extra.get('writer')}'s {shows}, shown as "
                      f"{parts.window.panel.headline.text()!r} "
                      f"({parts.window.panel.detail.text()!r})")
            parts.comparison.stop()
            parts.why.action.setChecked(False)
            parts.window.clear_action.trigger()
            parts.window.canvas.set_strokes(disagreed.strokes)
            parts.inside.dock.show()
            for name, model in inside:
                parts.recognition.load_model(str(model))
                wait_until(app, lambda model=model: parts.inside.is_up_to_date()
                            and parts.recognition.model().path == model, "the layers")
                _show_busiest_unit(parts)
                pause(app, 2 * ANIMATION_MS / 1000)
                path = options.out / name
                if not parts.window.grab().save(str(path)):
                    raise SystemExit(f"could not write {path}")
                print(f"{path}: Inside the Model, {model.name}, "
                      f"{parts.window.panel.headline.text()!r}")
        finally:
            parts.window.close()
            parts.shutdown()
    if not options.scaled:
        subprocess.run([sys.executable, __file__, "--ink", str(options.ink), "--out",
                        str(options.out), "--scaled"], check=True)
    return 0


def _show_busiest_unit(parts: Digitpad) -> None:
    """Click, as a user would, the unit of the first Conv2D or Dense layer that responds most
    to the drawing: its kernel or its 784 weights then show what it looks for."""
    import numpy as np

    rows = parts.inside.view.stack.rows()
    row = next(k for k, r in enumerate(rows) if "(Conv2D)" in r.title or "(Dense)" in r.title)
    values = rows[row].picture.values
    assert values is not None
    unit = int(np.argmax(values.reshape(-1, values.shape[-1]).mean(axis=0)))
    parts.inside.view.stack.unit_clicked.emit(row, unit)


def _tutorial_mlp(folder: Path, mnist: Path) -> Path:
    """The tutorial's model, trained by ``digitpad train --preset tutorial`` (kept for next time:
    it takes half a minute)."""
    path = folder / "tutorial-mlp.keras"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "digitpad", "train", "--preset", "tutorial",
                        "--data", str(mnist), "--out", str(path)], check=True,
                       cwd=PROJECT_ROOT)
    return path


def wait_until(app: QApplication, condition: Callable[[], bool], what: str,
               timeout: float = TIMEOUT_S) -> None:
    """Run the event loop until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what} after {timeout:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def pause(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(app, lambda: time.monotonic() > end, "a pause")


if __name__ == "__main__":
    raise SystemExit(main())
