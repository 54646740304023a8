"""Take Retrain's screenshots again: each preset run for real, as a first-time user runs it.

    xvfb-run -a -s "-screen 0 1920x1200x24" python packaging/retrain_screenshots.py \
        [--out assets/screenshots]

Offline and from the shipped data, in throwaway settings and folders, with the bundled model as
the model in use (so the figures stand beside its own):

- ``retrain-overfit.png``: *Watch it over-fit*, the tutorial's MLP on 1,000 images for 100
  epochs: validation loss turns up while training loss keeps falling, the best epoch marked
  (also at 150 %, ``retrain-overfit-150.png``: a second run of this script, as Qt's scale factor
  is fixed when it starts);
- ``retrain-tutorial.png``: *The tutorial's model* with "Model subclass" on: the subclass and
  its ``Sequential`` twin, trained with the same seed, have the same parameters and results;
- ``retrain-best.png``: *Best for drawings*, the default, next to the bundled model on MNIST and
  on the held-out pen writers; ``retrain-matrix.png`` its confusion matrix on the pen writers,
  and ``retrain-mistakes.png`` its most confident mistake, explained.

The default takes about three minutes on two cores; the whole script about seven.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from screenshots import pause, wait_until  # this folder: run as a script

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from digitpad.ui.training.dialog import TrainingDialog

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SIZE = (1180, 780)
"""The dialog's size in device-independent pixels: room for the settings and the curves."""
SCALED = (1.5, "retrain-overfit-150.png")
RUN_TIMEOUT_S = 900.0
"""A run on a loaded machine: the default alone takes three minutes on a quiet one."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "assets" / "screenshots")
    parser.add_argument("--scaled", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    scale = SCALED[0] if options.scaled else 1.0
    os.environ["QT_SCALE_FACTOR"] = str(scale)

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from digitpad.ml.card import ModelCard
    from digitpad.ml.model_library import ModelLibrary
    from digitpad.ml.presets import BEST, OVERFIT, TUTORIAL
    from digitpad.paths import APP_NAME, bundled_model_path
    from digitpad.ui.pad.workers import ModelInfo
    from digitpad.ui.training.dialog import TrainingDialog
    from digitpad.ui.training.results import MATRIX, MISTAKES

    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance() or QApplication(sys.argv)
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="digitpad-retrain-screenshots-") as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        dialog = TrainingDialog(settings, ModelLibrary(Path(scratch) / "models"))
        bundled = bundled_model_path()
        dialog.set_current_model(ModelInfo(bundled, bundled.name, "", ModelCard.read(bundled)))
        dialog.resize(*SIZE)
        dialog.show()
        try:
            _run(app, dialog, OVERFIT.title)
            _save(dialog, options.out / (SCALED[1] if options.scaled else "retrain-overfit.png"))
            if options.scaled:
                return 0
            _choose_preset(dialog, TUTORIAL.title)
            dialog.form.subclass.setChecked(True)
            _run(app, dialog, None)
            _save(dialog, options.out / "retrain-tutorial.png")
            _run(app, dialog, BEST.title)
            _save(dialog, options.out / "retrain-best.png")
            results = dialog.results
            results.show_view(MATRIX)
            results.choose_set(len(results.evaluations()) - 1)  # the held-out pen writers
            pause(app, 0.5)
            _save(dialog, options.out / "retrain-matrix.png")
            results.show_view(MISTAKES)
            detail = results.mistakes_page.detail
            wait_until(app, detail.why.isVisible, "the mistake's explanation")
            pause(app, 0.5)
            _save(dialog, options.out / "retrain-mistakes.png")
        finally:
            dialog.shutdown()
            dialog.close()
    subprocess.run([sys.executable, __file__, "--out", str(options.out), "--scaled"], check=True)
    return 0


def _choose_preset(dialog: TrainingDialog, title: str) -> None:
    """Pick a preset from the list at the top, as a user does."""
    combo = dialog.presets.combo
    index = combo.findText(title)
    if index < 0:
        raise SystemExit(f"no preset {title!r} in the dialog")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _run(app: QApplication, dialog: TrainingDialog, preset: str | None) -> None:
    """Train with ``preset`` (None: the settings as they are) until the result is shown."""
    if preset is not None:
        _choose_preset(dialog, preset)
    ended: list[str] = []

    def end(*args: object) -> None:
        ended.append(" ".join(str(arg) for arg in args[-1:]))

    signals = (dialog.runner.finished, dialog.runner.failed, dialog.runner.cancelled)
    for signal in signals:
        signal.connect(end)
    started = time.monotonic()
    dialog.train_button.click()
    wait_until(app, lambda: bool(ended), f"{dialog.presets.current().title} to train",
               RUN_TIMEOUT_S)
    for signal in signals:
        signal.disconnect(end)
    if not dialog.results.evaluations():
        raise SystemExit(f"{dialog.presets.current().title} did not finish: {ended[0]}")
    pause(app, 0.5)  # the plots and the banner are drawn
    print(f"{dialog.presets.current().title}: {time.monotonic() - started:.0f} s\n"
          f"{dialog.banner_message()}\n")


def _save(dialog: TrainingDialog, path: Path) -> None:
    if not dialog.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"{path}")


if __name__ == "__main__":
    raise SystemExit(main())
