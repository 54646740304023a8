"""The composition root: builds the recogniser worker and the window and connects them.

``launch`` is what ``digitpad`` with no subcommand runs. Nothing in this process imports
TensorFlow: models are served by LiteRT on the recogniser thread; training and converting a model
run in child processes.
"""

from __future__ import annotations

import functools
import logging
import logging.handlers
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, QThread, QTimer
from PySide6.QtWidgets import QApplication

from digitpad import __version__, selftest
from digitpad.ml.model_library import ModelLibrary
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import (
    APP_NAME,
    bundled_model_path,
    child_log_path,
    litert_cache_dir,
    user_data_dir,
)
from digitpad.samples import SampleStore, StoreError
from digitpad.ui.crash import CrashReporter
from digitpad.ui.dialogs import Dialogs
from digitpad.ui.main_thread_gc import MainThreadGarbageCollector
from digitpad.ui.main_window import MainWindow
from digitpad.ui.model_choice import ModelChoice
from digitpad.ui.model_history import ModelHistoryDialog
from digitpad.ui.model_preparation import ModelPreparer
from digitpad.ui.recognition import LiveRecognition
from digitpad.ui.teaching import Teaching, install_teaching
from digitpad.ui.training_dialog import TrainingDialog
from digitpad.ui.workers import Model, RecognizerWorker

log = logging.getLogger("digitpad")


@dataclass
class Digitpad:
    """The running app's parts, for ``launch``, the self-test and tests."""

    window: MainWindow
    recognition: LiveRecognition
    worker: RecognizerWorker
    thread: QThread
    models: ModelChoice
    training: TrainingDialog
    history: ModelHistoryDialog
    samples: SampleStore | None
    samples_problem: str
    """Why ``samples`` is None (the store could not be opened), or ""."""
    teaching: Teaching | None
    """Labelling, collect mode and My Samples; None without a sample store."""

    def shutdown(self) -> None:
        """End a training run (nothing is saved), stop the recogniser thread (waits for a model
        load in progress to finish), close the sample store."""
        self.training.shutdown()
        self.recognition.stop()
        if self.teaching is not None:
            self.teaching.shutdown()  # My Samples may be importing into the store
        self.thread.quit()
        self.thread.wait()
        if self.samples is not None:
            self.samples.close()


def user_settings() -> QSettings:
    location = QStandardPaths.StandardLocation.AppConfigLocation
    config = Path(QStandardPaths.writableLocation(location))
    return QSettings(str(config / "digitpad.ini"), QSettings.Format.IniFormat)


def build(
    settings: QSettings,
    loader: Callable[[Path], Model] | None = None,
    log_path: Path | None = None,
    data_dir: Path | None = None,
) -> Digitpad:
    """Create the worker thread, the recognition glue and the window, all connected.

    ``data_dir`` holds the user's samples, retrained models and the LiteRT forms of models the
    user opened (default: ``user_data_dir()``). ``loader`` defaults to LiteRT with that cache.
    """
    data_dir = data_dir if data_dir is not None else user_data_dir()
    cache_dir = litert_cache_dir(data_dir)
    worker = RecognizerWorker(loader or functools.partial(Recognizer.load, cache_dir=cache_dir))
    thread = QThread()
    thread.setObjectName("recognizer")
    worker.moveToThread(thread)
    thread.finished.connect(worker.deleteLater)
    recognition = LiveRecognition(worker, ModelPreparer(cache_dir, child_log_path(data_dir)))
    locations = [("Settings", settings.fileName()), ("Data folder", str(data_dir))]
    if log_path is not None:
        locations.append(("Log", str(log_path)))
    window = MainWindow(settings, locations=locations)

    canvas = window.canvas
    canvas.strokes_changed.connect(recognition.update_strokes)
    canvas.stroke_finished.connect(recognition.finish_strokes)
    window.image_open_requested.connect(recognition.open_image)
    window.model_file_chosen.connect(recognition.load_model)
    recognition.input_changed.connect(window.show_input)
    recognition.prediction_changed.connect(window.show_prediction)
    recognition.model_loading.connect(window.show_model_loading)
    recognition.model_preparing.connect(window.show_model_preparing)
    recognition.model_load_cancelled.connect(window.show_model_unchanged)
    window.model_preparation_cancelled.connect(recognition.cancel_preparation)
    recognition.model_ready.connect(window.show_model_ready)
    recognition.picture_opened.connect(window.show_picture)
    recognition.error.connect(window.show_error)

    samples, samples_problem = _open_samples(data_dir)
    models, training, history = _connect_models(
        window, recognition, settings, ModelLibrary.in_data_dir(data_dir), samples,
        child_log_path(data_dir))
    teaching = install_teaching(window, recognition, worker, settings, samples, samples_problem)
    thread.start()
    return Digitpad(window, recognition, worker, thread, models, training, history, samples,
                    samples_problem, teaching)


def _open_samples(data_dir: Path) -> tuple[SampleStore | None, str]:
    """The user's sample store, or None and why not (the app works without it)."""
    try:
        return SampleStore.open_in(data_dir), ""
    except StoreError as exc:
        log.warning("samples unavailable: %s", exc)
        return None, str(exc)


def _connect_models(
    window: MainWindow,
    recognition: LiveRecognition,
    settings: QSettings,
    library: ModelLibrary,
    samples: SampleStore | None,
    child_log: Path,
) -> tuple[ModelChoice, TrainingDialog, ModelHistoryDialog]:
    """Model menu: which model is in use (remembered), Retrain… and History…."""
    models = ModelChoice(settings, bundled_model_path(), parent=window)
    training = TrainingDialog(settings, library, samples, parent=window, child_log=child_log)
    history = ModelHistoryDialog(library, bundled_model_path(), parent=window)
    window.bundled_model_requested.connect(models.reset)
    window.retrain_requested.connect(training.open_dialog)
    window.history_requested.connect(history.open_dialog)
    training.use_requested.connect(models.use)
    training.library_changed.connect(history.refresh)
    history.use_requested.connect(models.use)
    history.reset_requested.connect(models.reset)
    models.load_requested.connect(recognition.load_model)
    models.model_failed.connect(window.show_model_failed)
    models.fell_back.connect(window.show_error)
    recognition.model_failed.connect(models.on_model_failed)
    for ready in (models.remember, training.set_current_model, history.set_current_model):
        recognition.model_ready.connect(ready)
    return models, training, history


def open_window(parts: Digitpad) -> None:
    """Show the window, then start loading the model in use behind it (the one chosen last
    time, else the bundled one)."""
    parts.window.show()
    QApplication.processEvents()  # on screen before the model loads
    parts.recognition.load_model(str(parts.models.startup_path()))


def launch(self_test: bool = False) -> int:
    """Open the drawing pad; with ``self_test``, check model, samples and window, then exit."""
    if self_test and sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv)
    handlers, log_path = _configure_logging(user_data_dir())
    crashes = CrashReporter(log_path, show=_print_crash) if self_test else CrashReporter(log_path)
    crashes.install()
    collector = MainThreadGarbageCollector()
    scratch = tempfile.TemporaryDirectory(prefix="digitpad-self-test-") if self_test else None
    if scratch is None:
        parts = build(user_settings(), log_path=log_path)
    else:  # the user's window size, model choice and samples are not the self-test's to touch
        settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
        parts = build(settings, log_path=log_path, data_dir=Path(scratch.name) / "data")
    if self_test:  # nobody is there to click a dialog away
        parts.window.dialogs = _PrintingDialogs(parts.window)
    previous_sigint = signal.signal(signal.SIGINT, lambda *_: QApplication.quit())
    wake = QTimer(interval=250)  # lets Python notice Ctrl+C while Qt waits for events
    wake.timeout.connect(lambda: None)
    wake.start()
    try:
        open_window(parts)
        return selftest.run(parts) if self_test else app.exec()
    finally:
        wake.stop()
        signal.signal(signal.SIGINT, previous_sigint)
        parts.window.close()
        parts.shutdown()
        crashes.uninstall()
        collector.stop()
        for handler in handlers:
            log.removeHandler(handler)
            handler.close()
        if scratch is not None:
            scratch.cleanup()


def _configure_logging(data_dir: Path) -> tuple[list[logging.Handler], Path | None]:
    """Warnings to stderr, everything from INFO up to a small rotating log in the user data dir."""
    log.setLevel(logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("digitpad: %(levelname)s: %(message)s"))
    log.addHandler(console)
    log_path = data_dir / "digitpad.log"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_path, maxBytes=1_000_000, backupCount=2, encoding="utf-8")
    except OSError as exc:
        log.warning("not logging to %s: %s", log_path, exc)
        return [console], None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    return [console, handler], log_path


class _PrintingDialogs(Dialogs):
    """The self-test's dialogs: errors go to stderr instead of waiting for a click."""

    def error(self, title: str, message: str) -> None:
        print(f"digitpad: {title}: {message}", file=sys.stderr)


def _print_crash(summary: str, details: str, log_path: Path | None) -> None:
    print(details, file=sys.stderr)
