"""The real app in a fresh interpreter, switching models again and again (run by
``test_model_switching.py``; a separate process so that ``sys.modules`` is the window's own).

Trains one model through Model → Retrain… ("Use New Model"), then cycles through every way of
switching: History → Use, Model → Load Model… (a ``.keras`` file without its ``.tflite``, which
is converted once), Model → Use Bundled Model and Retrain's "Use New Model" again, drawing a real
pen digit between switches. Prints one JSON line with what happened.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from digitpad import selftest
from digitpad.app import Digitpad, build, open_window
from digitpad.ml.ink import load_ink
from digitpad.paths import bundled_model_path
from digitpad.ui.training.form import MNIST_PATH_KEY
from tests.unit.ui.fakes import FakeDialogs

TIMEOUT_MS = 180_000


def wait_until(condition: Callable[[], bool], what: str) -> None:
    if not selftest.wait_until(condition, TIMEOUT_MS):
        raise SystemExit(f"timed out waiting for {what}")


def in_use(parts: Digitpad, path: Path) -> Callable[[], bool]:
    def ready() -> bool:
        model = parts.recognition.model()
        return not parts.recognition.is_loading() and model is not None and model.path == path
    return ready


def main(work: Path, mnist_file: str, pendigits: str, switches: int) -> None:
    app = QApplication.instance() or QApplication([])
    QCoreApplication.setApplicationName("digitpad")
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(MNIST_PATH_KEY, mnist_file)
    parts = build(settings, data_dir=work / "data")
    dialogs = FakeDialogs()
    for window in (parts.window, parts.training, parts.history):
        window.dialogs = dialogs
    open_window(parts)
    wait_until(in_use(parts, bundled_model_path()), "the bundled model")
    drawings = load_ink(pendigits)[:switches]
    loaded_file = work / "downloads" / "my model.keras"
    loaded_file.parent.mkdir()
    # With its card (which names a twelve-output model's outputs) but not its .tflite.
    shutil.copyfile(bundled_model_path(), loaded_file)
    shutil.copyfile(bundled_model_path().with_suffix(".json"), loaded_file.with_suffix(".json"))

    parts.window.retrain_action.trigger()
    dialog = parts.training
    dialog.form.arch.setCurrentIndex(dialog.form.arch.findData("mlp"))
    dialog.form.epochs.setValue(1)
    dialog.train_button.click()
    wait_until(dialog.use_button.isVisible, "the retrained model")
    outcome = dialog.pending()
    assert outcome is not None
    trained = Path(outcome.path)

    def use_new_model() -> Path:
        dialog.use_button.click()
        dialog.close()
        return trained

    def use_history() -> Path:
        parts.window.history_action.trigger()
        parts.history.select(trained)
        parts.history.use_button.click()
        parts.history.close()
        return trained

    def use_loaded_file() -> Path:
        dialogs.paths.append(loaded_file)
        parts.window.load_model_action.trigger()
        return loaded_file

    def use_bundled() -> Path:
        parts.window.reset_model_action.trigger()
        return bundled_model_path()

    ways = [use_bundled, use_history, use_loaded_file]
    answers = []
    for number in range(switches):
        way = use_new_model if number == 0 else ways[(number - 1) % len(ways)]
        expected = way()
        wait_until(in_use(parts, expected), f"switch {number + 1} ({way.__name__})")
        parts.window.canvas.set_strokes(())
        parts.window.canvas.set_strokes(drawings[number].strokes)
        wait_until(parts.recognition.is_up_to_date, f"an answer after switch {number + 1}")
        answers.append({"way": way.__name__, "model": expected.name,
                        "label": drawings[number].label,
                        "shown": parts.window.panel.headline.text()})
    result = {"answers": answers, "errors": dialogs.errors,
              "tensorflow_imported": "tensorflow" in sys.modules,
              "keras_imported": "keras" in sys.modules}
    parts.window.close()
    parts.shutdown()
    print(json.dumps(result))
    del app


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]))
