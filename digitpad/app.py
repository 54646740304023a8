"""The composition root: builds the recogniser worker and the window and connects them.

Every feature is wired here, through the window's extension points; the Retrain, History and My
Samples windows are created (and wired) when first opened, so the main window shows sooner.

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
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, QThread, QTimer, Slot
from PySide6.QtWidgets import QApplication

from digitpad import __version__
from digitpad.ml.layer_outputs import LayerOutputs, make_layers_form
from digitpad.ml.numbers import NumberReading
from digitpad.ml.recognizer import Recognizer
from digitpad.paths import (
    APP_NAME,
    LOG_NAME,
    bundled_model_path,
    child_log_path,
    litert_cache_dir,
    trusted_model_dirs,
    user_data_dir,
)
from digitpad.samples import SampleStore, StoreError
from digitpad.ui.inside.inside import SHORTCUT, TIP, InsideModel
from digitpad.ui.inside.worker import Layers
from digitpad.ui.main_window import MainWindow
from digitpad.ui.models.choice import ModelChoice
from digitpad.ui.models.comparison import ModelComparison
from digitpad.ui.models.preparation import ModelPreparer
from digitpad.ui.pad.recognition import LiveRecognition
from digitpad.ui.pad.why_digit import WhyThisDigit
from digitpad.ui.pad.workers import Model, ModelInfo, RecognizerWorker
from digitpad.ui.support.crash import CrashReporter
from digitpad.ui.support.dialogs import Dialogs
from digitpad.ui.support.main_thread_gc import MainThreadGarbageCollector
from digitpad.ui.support.placement import place_beside
from digitpad.ui.teaching.teaching import Teaching

if TYPE_CHECKING:
    from digitpad.ml.model_library import ModelLibrary
    from digitpad.ui.models.history import ModelHistoryDialog
    from digitpad.ui.training.dialog import TrainingDialog

log = logging.getLogger("digitpad")

STOP_AND_QUIT = "Stop Training and Quit"
KEEP_TRAINING = "Keep Training"


class ModelWindows:
    """Model → Retrain… and History…: each dialog is created and wired when first wanted.

    A dialog made late is told what it would have heard since start-up: the model in use.
    """

    def __init__(
        self,
        window: MainWindow,
        recognition: LiveRecognition,
        models: ModelChoice,
        settings: QSettings,
        samples: SampleStore | None,
        data_dir: Path,
        compare: Callable[[str], None],
    ) -> None:
        """``compare`` is History's Compare: read the drawing with that model too."""
        self._window = window
        self._compare = compare
        self._recognition = recognition
        self._models = models
        self._settings = settings
        self._samples = samples
        self._data_dir = data_dir
        self._library: ModelLibrary | None = None
        self._training: TrainingDialog | None = None
        self._history: ModelHistoryDialog | None = None

    def training(self) -> TrainingDialog:
        if self._training is None:
            from digitpad.ui.training.dialog import TrainingDialog

            dialog = TrainingDialog(self._settings, self._model_library(), self._samples,
                                    parent=self._window, child_log=child_log_path(self._data_dir))
            dialog.use_requested.connect(self._models.use)
            dialog.library_changed.connect(self._on_library_changed)
            self._follow_model(dialog.set_current_model)
            self._training = dialog
        return self._training

    def history(self) -> ModelHistoryDialog:
        if self._history is None:
            from digitpad.ui.models.history import ModelHistoryDialog

            dialog = ModelHistoryDialog(self._model_library(), bundled_model_path(),
                                        parent=self._window)
            dialog.use_requested.connect(self._models.use)
            dialog.reset_requested.connect(self._models.reset)
            dialog.compare_requested.connect(self._compare)
            self._follow_model(dialog.set_current_model)
            self._history = dialog
        return self._history

    @Slot()
    def open_training(self) -> None:
        """Retrain opens beside the window, not over the pad one may try its model on."""
        dialog = self.training()
        if not dialog.isVisible():
            place_beside(dialog, self._window, keep=self._window.canvas)
        dialog.open_dialog()

    @Slot()
    def open_history(self) -> None:
        self.history().open_dialog()

    def may_quit(self) -> bool:
        """Quitting ends a training run and loses its model: while one runs, the user says
        whether to stop it and quit, or keep training (and the window)."""
        if self._training is None or not self._training.is_running():
            return True
        answer = self._window.dialogs.ask(
            "Training is still running",
            "Quitting digitpad now stops the training, and the model being trained is not "
            "kept.\n\nTo keep it, let the training finish: Model → Retrain… shows how far it "
            "has got.",
            [STOP_AND_QUIT, KEEP_TRAINING], default=1, escape=1)
        if answer != 0:
            return False
        self._training.cancel()
        return True

    def shutdown(self) -> None:
        """End a training run, if Retrain was ever opened (nothing is saved)."""
        if self._training is not None:
            self._training.shutdown()

    def _model_library(self) -> ModelLibrary:
        if self._library is None:
            from digitpad.ml.model_library import ModelLibrary

            self._library = ModelLibrary.in_data_dir(self._data_dir)
        return self._library

    def _follow_model(self, set_current_model: Callable[[ModelInfo], None]) -> None:
        current = self._recognition.model()
        if current is not None:
            set_current_model(current)
        self._recognition.model_ready.connect(set_current_model)

    @Slot()
    def _on_library_changed(self) -> None:
        if self._history is not None:  # a History made later reads the library then
            self._history.refresh()


@dataclass
class Digitpad:
    """The running app's parts, for ``launch``, the self-test and tests."""

    window: MainWindow
    recognition: LiveRecognition
    worker: RecognizerWorker
    thread: QThread
    models: ModelChoice
    model_windows: ModelWindows
    samples: SampleStore | None
    samples_problem: str
    """Why ``samples`` is None (the store could not be opened), or ""."""
    teaching: Teaching | None
    """Labelling, collect mode and My Samples; None without a sample store."""
    inside: InsideModel
    """View → Inside the Model."""
    why: WhyThisDigit
    """View → Why This Digit."""
    comparison: ModelComparison
    """Model → Compare With."""

    @property
    def training(self) -> TrainingDialog:
        """The Retrain dialog (created now if it was never opened)."""
        return self.model_windows.training()

    @property
    def history(self) -> ModelHistoryDialog:
        """The History dialog (created now if it was never opened)."""
        return self.model_windows.history()

    def shutdown(self) -> None:
        """End a training run (nothing is saved), stop the recogniser thread (waits for a model
        load in progress to finish), close the sample store."""
        self.model_windows.shutdown()
        self.inside.shutdown()
        self.why.shutdown()
        self.comparison.shutdown()
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
    layers_loader: Callable[[Path], Layers] | None = None,
) -> Digitpad:
    """Create the worker thread, the recognition glue and the window, all connected.

    ``data_dir`` holds the user's samples, retrained models and the LiteRT forms of models the
    user opened (default: ``user_data_dir()``). ``loader`` defaults to LiteRT with that cache,
    and so does ``layers_loader`` (the layers of a model, for View → Inside the Model).
    """
    data_dir = data_dir if data_dir is not None else user_data_dir()
    cache_dir = litert_cache_dir(data_dir)
    loader = loader or functools.partial(
        Recognizer.load, cache_dir=cache_dir, trusted_dirs=trusted_model_dirs(data_dir))
    worker = RecognizerWorker(loader)
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
    recognition.reading_changed.connect(window.show_reading)
    recognition.prediction_changed.connect(window.show_prediction)
    window.digit_selected.connect(recognition.select_digit)
    window.digit_step_requested.connect(recognition.step_selection)
    window.sevens.changed.connect(recognition.set_sevens)
    recognition.set_sevens(window.sevens.value())
    recognition.model_loading.connect(window.show_model_loading)
    recognition.model_preparing.connect(window.show_model_preparing)
    recognition.model_load_cancelled.connect(window.show_model_unchanged)
    window.model_preparation_cancelled.connect(recognition.cancel_preparation)
    recognition.model_ready.connect(window.show_model_ready)
    recognition.picture_opened.connect(window.show_picture)
    canvas.picture_restored.connect(recognition.read_picture)
    recognition.error.connect(window.show_error)

    samples, samples_problem = _open_samples(data_dir)
    comparison = _add_comparison(window, recognition, loader, settings, cache_dir, data_dir)
    models, model_windows = _connect_models(window, recognition, settings, samples, data_dir,
                                            comparison)
    teaching = _add_teaching(window, recognition, worker, settings, samples, samples_problem)
    inside = _add_inside_view(window, recognition, layers_loader or functools.partial(
        LayerOutputs.load, cache_dir=cache_dir), cache_dir, data_dir)
    why = _add_why_this_digit(window, recognition, loader, settings)
    thread.start()
    return Digitpad(window, recognition, worker, thread, models, model_windows, samples,
                    samples_problem, teaching, inside, why, comparison)


def _add_inside_view(window: MainWindow, recognition: LiveRecognition,
                     loader: Callable[[Path], Layers], cache_dir: Path, data_dir: Path
                     ) -> InsideModel:
    """View → Inside the Model: a panel of the window that follows the model in use and the
    drawing's model input; the layers forms are made by conversion children, into the cache."""
    preparer = ModelPreparer(cache_dir, child_log_path(data_dir), work=make_layers_form)
    inside = InsideModel(loader, preparer, parent=window)
    window.add_panel(inside.dock, SHORTCUT, TIP)
    window.add_status_widget(inside.status)
    recognition.model_ready.connect(inside.set_model)
    recognition.input_changed.connect(inside.set_input)
    return inside


def _add_comparison(window: MainWindow, recognition: LiveRecognition,
                    loader: Callable[[Path], Model], settings: QSettings, cache_dir: Path,
                    data_dir: Path) -> ModelComparison:
    """Model → Compare With: a second model, loaded like the first, reads each input shown."""
    preparer = ModelPreparer(cache_dir, child_log_path(data_dir))
    comparison = ModelComparison(loader, preparer, bundled_model_path(), settings,
                                 lambda: window.dialogs, parent=window)
    window.add_model_submenu(comparison.menu)
    window.add_side_panel_section(comparison.legend)
    recognition.model_ready.connect(comparison.set_model)
    recognition.input_changed.connect(comparison.set_input)
    recognition.prediction_changed.connect(comparison.set_prediction)
    window.sevens.changed.connect(comparison.set_sevens)
    comparison.set_sevens(window.sevens.value())
    comparison.compared.connect(window.chart.set_comparison)
    comparison.failed.connect(window.show_error)
    return comparison


def _add_why_this_digit(window: MainWindow, recognition: LiveRecognition,
                        loader: Callable[[Path], Model], settings: QSettings) -> WhyThisDigit:
    """View → Why This Digit: explains each finished drawing (never one being drawn) with a
    model of its own, loaded like the live one, and colours the pad and the preview."""
    why = WhyThisDigit(loader, settings, parent=window)
    canvas = window.canvas
    window.add_view_action(why.action)
    window.add_side_panel_section(why.legend)
    recognition.model_ready.connect(why.set_model)
    window.sevens.changed.connect(why.set_sevens)
    why.set_sevens(window.sevens.value())
    canvas.strokes_changed.connect(why.ink_changed)

    def on_reading(reading: NumberReading | None, selected: int) -> None:
        if canvas.is_drawing() or not recognition.is_up_to_date():
            why.ink_changed()
        else:
            why.explain(reading, selected, recognition.drawing())

    recognition.reading_changed.connect(on_reading)
    why.effects_changed.connect(canvas.set_effects)
    why.blocks_changed.connect(window.preview.set_blocks)
    return why


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
    samples: SampleStore | None,
    data_dir: Path,
    comparison: ModelComparison,
) -> tuple[ModelChoice, ModelWindows]:
    """Model menu: which model is in use (remembered), Retrain…, History… and Compare With."""
    models = ModelChoice(settings, bundled_model_path(), parent=window)
    model_windows = ModelWindows(window, recognition, models, settings, samples, data_dir,
                                 comparison.compare_with)
    comparison.history_requested.connect(model_windows.open_history)
    window.bundled_model_requested.connect(models.reset)
    window.retrain_requested.connect(model_windows.open_training)
    window.history_requested.connect(model_windows.open_history)
    window.add_close_check(model_windows.may_quit)
    models.load_requested.connect(recognition.load_model)
    models.model_failed.connect(window.show_model_failed)
    models.fell_back.connect(window.show_error)
    recognition.model_failed.connect(models.on_model_failed)
    recognition.model_ready.connect(models.remember)
    return models, model_windows


def _add_teaching(
    window: MainWindow,
    recognition: LiveRecognition,
    worker: RecognizerWorker,
    settings: QSettings,
    store: SampleStore | None,
    store_problem: str,
) -> Teaching | None:
    """Labelling, collect mode and Window → My Samples in ``window``; None without a store.

    Without a store (``store_problem`` says why) the pad works as before and the user is told
    once; a store that had to be started afresh (``recovery_message``) is also reported once.
    """
    if store is None:
        _tell_once(window, "Your samples are unavailable",
                   f"{store_problem}\n\nDrawing and recognition work as usual, but labelled "
                   "drawings cannot be kept until this is fixed.")
        return None
    if store.recovery_message:
        _tell_once(window, "Your samples file was started afresh",
                   f"{store.recovery_message}\n\nNothing was deleted: the old file is in the "
                   "same folder.")
    teaching = Teaching(window.canvas, recognition, worker, store, settings, parent=window,
                        dialogs=lambda: window.dialogs)
    window.add_side_panel_section(teaching.panel)
    for menu in teaching.menus():
        window.add_menu(menu)
    window.addActions(teaching.key_actions())
    teaching.collect.toggle_action.toggled.connect(window.lend_escape)
    teaching.teacher.error.connect(window.show_error)
    return teaching


def _tell_once(window: MainWindow, title: str, message: str) -> None:
    """Show a message as soon as the event loop runs, through the window's current dialogs."""
    QTimer.singleShot(0, window, functools.partial(window.show_error, title, message))


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
        if not self_test:
            return app.exec()
        from digitpad import selftest  # only the self-test needs it

        return selftest.run(parts)
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
    log_path = data_dir / LOG_NAME
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
