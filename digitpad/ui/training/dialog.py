"""Model → Retrain…: train a new model (or fine-tune the current one) while the app keeps working.

The dialog composes the preset and the recipe (:mod:`.form`), the user's samples
(:mod:`.samples`), the curves (:mod:`.plots`), the run's progress (:mod:`.progress`) and its
result (:mod:`.result`); it hands a :class:`~digitpad.ml.jobs.TrainingJob` to a
:class:`~digitpad.ui.training.runner.TrainingRunner` and shows what comes back. The curves mark
the epoch with the lowest validation loss as the epochs come. At the end the new model's
accuracy on MNIST and on the held-out pen writers stands next to the current one's, with the
choice to use it or discard it, and tabs beside the curves show what the run's tests found: the
confusion matrix, the mistakes and the model's layers (:mod:`.results`).
It is not modal: drawing and live prediction go on with the current model. Closing the dialog
only hides it: a run goes on, and a finished model waits in the library (Model → History) for the
user's choice.

It trains nothing itself and loads no model: "use it" is the ``use_requested`` signal, which the
composition root connects to the recogniser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.ink import Drawing
from digitpad.ml.jobs import DATA_PROBLEM, FINE_TUNE, TRAIN, BatchEnd, EpochEnd, Outcome
from digitpad.ml.model_library import ModelLibrary
from digitpad.ml.recognizer import Recognizer
from digitpad.samples import SampleStore
from digitpad.ui.pad.explainer import Explainer
from digitpad.ui.pad.workers import Model, ModelInfo
from digitpad.ui.support.dialogs import PNG_FILTER, Dialogs, last_folder, remember_folder
from digitpad.ui.support.saving import save_problem
from digitpad.ui.training.form import MNIST_FILTER, PresetChoice, RecipeForm
from digitpad.ui.training.plots import TrainingPlots, framed
from digitpad.ui.training.progress import RunProgress, clock
from digitpad.ui.training.result import (
    ERROR,
    RESULT,
    Banner,
    escaped,
    failure_html,
    result_html,
)
from digitpad.ui.training.results import CURVES, MATRIX, MISTAKES, SUMMARY, ResultTabs
from digitpad.ui.training.runner import TrainingRunner
from digitpad.ui.training.samples import HandwritingBox

VALIDATION_NOTE = ("Validation uses images set aside from the training data, never the test "
                   "set: the tutorial validates on the test set, which leaks it into choosing "
                   "the model.")
"""Under the curves, whose orange line it explains."""
_SAVING = {
    CURVES: ("Save Plots…", "Save the training curves", "curves"),
    MATRIX: ("Save Matrix…", "Save the confusion matrix", "confusion matrix"),
    MISTAKES: ("Save Mistakes…", "Save the mistakes", "mistakes"),
    SUMMARY: ("Save Summary…", "Save the model summary", "model summary"),
}
"""Per tab: the save button's text, the file dialog's title, what the messages call it."""


@dataclass(frozen=True)
class _Start:
    """A run the user asked for, waiting for the samples it learns from to be read."""

    kind: str
    epochs: int
    output: Path


class TrainingDialog(QDialog):
    """The Retrain dialog; see the module docstring."""

    use_requested = Signal(str)
    """The user wants the new model at this path in use now."""
    library_changed = Signal()
    """A model was added to or removed from the library."""

    def __init__(
        self,
        settings: QSettings,
        library: ModelLibrary,
        samples: SampleStore | None = None,
        runner: TrainingRunner | None = None,
        parent: QWidget | None = None,
        child_log: Path | None = None,
        loader: Callable[[Path], Model] | None = None,
    ) -> None:
        """``loader`` opens a model this dialog trained, to explain its mistakes (default: its
        LiteRT form beside it in ``library``, which only digitpad writes)."""
        super().__init__(parent)
        self._child_log = child_log
        """Where the training child writes what TensorFlow prints (None: the app's stderr)."""
        self._settings = settings
        self._library = library
        self._loader = loader or functools.partial(Recognizer.load,
                                                   trusted_dirs=(library.directory,))
        self.runner = runner if runner is not None else TrainingRunner()
        self.runner.setParent(self)
        self.dialogs = Dialogs(self)
        self._current: ModelInfo | None = None
        self._pending: Outcome | None = None
        self._waiting: _Start | None = None
        self._lowest_val_loss = float("inf")

        self.setWindowTitle("Retrain the model")
        self.setObjectName("training-dialog")
        self.setStyleSheet(_STYLE)
        self.presets = PresetChoice()
        self.form = RecipeForm(settings)
        self.handwriting = HandwritingBox(samples)
        self.plots = TrainingPlots()
        self.banner = Banner()
        self.run_progress = RunProgress()
        self._build()
        self.plots.reset(self.form.epochs.value())
        self._connect_runner()
        self._set_running(False)
        self.resize(1000, 700)

    # -- construction ------------------------------------------------------------------------

    def _build(self) -> None:
        self.presets.chosen.connect(self.form.apply_preset)
        self.form.epochs.valueChanged.connect(self._on_epochs_changed)
        self.form.choose_data_button.clicked.connect(self._choose_data)
        self.banner.button.clicked.connect(self._choose_data)
        self.handwriting.fine_tune_button.clicked.connect(self._start_fine_tune)
        self.handwriting.counted.connect(self._show_samples)

        left = QVBoxLayout()
        left.addWidget(self.form)
        left.addWidget(self.handwriting)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(370)
        # Scrolled on a short screen (or at a large text scale), rather than squeezed until the
        # settings overlap: the result's banner takes its height from the same column.
        settings_column = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        settings_column.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        settings_column.setWidget(left_widget)
        settings_column.setFixedWidth(
            370 + settings_column.verticalScrollBar().sizeHint().width())

        self.validation_note = QLabel(VALIDATION_NOTE, wordWrap=True)
        self.validation_note.setProperty("role", "note")
        curves = QVBoxLayout()
        curves.setContentsMargins(0, 0, 0, 0)
        curves.addWidget(self.plots, 1)
        curves.addWidget(self.validation_note)
        curves_widget = QWidget()
        curves_widget.setLayout(curves)

        self.explainer = Explainer(self._loader, "explain-mistakes", self)
        self.results = ResultTabs(curves_widget, self.explainer)
        self.results.view_changed.connect(self._on_view_changed)
        top = QHBoxLayout()
        top.addWidget(settings_column)
        top.addWidget(framed(self.results), 1)

        self.save_button = QPushButton(_SAVING[CURVES][0])
        self.save_button.clicked.connect(self._save_view)
        self.discard_button = QPushButton("Discard")
        self.discard_button.clicked.connect(self._discard)
        self.use_button = QPushButton("Use New Model")
        self.use_button.clicked.connect(self._use)
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self._start_training)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        for button in (self.discard_button, self.use_button, self.train_button,
                       self.cancel_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(self.presets)
        layout.addLayout(top, 1)
        layout.addWidget(self.banner)
        layout.addWidget(self.run_progress)
        layout.addLayout(buttons)

    def _connect_runner(self) -> None:
        self.runner.stage_changed.connect(self.run_progress.stage)
        self.runner.batch_ended.connect(self._on_batch)
        self.runner.epoch_ended.connect(self._on_epoch)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)

    # -- what the app tells the dialog -------------------------------------------------------

    @Slot(object)
    def set_current_model(self, info: ModelInfo) -> None:
        self._current = info
        self._show_samples()

    @Slot()
    def open_dialog(self) -> None:
        if self.isVisible():  # behind the main window: bring it forward
            self.raise_()
            self.activateWindow()
        self.show()

    def is_running(self) -> bool:
        return self.runner.is_running()

    def pending(self) -> Outcome | None:
        """The finished model waiting for "use" or "discard", if any."""
        return self._pending

    def shutdown(self) -> None:
        """The app is closing: end a run without saving anything, and finish reading the
        samples before the store closes (a run waiting for them does not start)."""
        self._waiting = None
        self.runner.shutdown()
        self.run_progress.stop(finished=False)
        self.handwriting.wait()
        self.explainer.shutdown()

    # -- settings ----------------------------------------------------------------------------

    @Slot(int)
    def _on_epochs_changed(self, epochs: int) -> None:
        """Empty plots show the run's length ahead of time."""
        if not self.plots.has_data() and not self.is_running():
            self.plots.reset(epochs)

    @Slot()
    def _choose_data(self) -> None:
        start = self.form.data_path() or str(Path.home())
        path = self.dialogs.open_path("Choose MNIST (mnist.npz)", MNIST_FILTER, start)
        if path is None:
            return
        self.form.set_data_path(path)
        self.banner.hide()
        self.run_progress.status.setText(f"Training will read {path.name}.")

    @Slot()
    def _show_samples(self) -> None:
        busy = self.is_running() or self._waiting is not None
        self.form.show_sample_count(self.handwriting.count(), busy)
        self.handwriting.show_state(self._current.name if self._current else None, busy)

    # -- starting and stopping ---------------------------------------------------------------

    @Slot()
    def _start_training(self) -> None:
        self._start(self.form.training_kind(), self.form.epochs.value(),
                    self._library.new_path(self.form.arch.currentData()))

    @Slot()
    def _start_fine_tune(self) -> None:
        if self._current is None:
            return
        architecture = self._current.card.architecture or "model"
        self._start(FINE_TUNE, 0, self._library.new_path(f"{architecture}_tuned"))

    def _start(self, kind: str, epochs: int, output: Path) -> None:
        if self.is_running() or self._waiting is not None:
            return
        if kind == TRAIN:
            self._launch(_Start(kind, epochs, output), ())
            return
        request = self._waiting = _Start(kind, epochs, output)
        self._set_running(False)
        self.run_progress.status.setText("Reading your samples…")
        self.handwriting.read(lambda drawings: self._on_read(request, drawings),
                              lambda exc: self._on_read_failed(request, exc))

    def _on_read(self, request: _Start, drawings: tuple[Drawing, ...]) -> None:
        if self._waiting is request:  # not given up (the app closing) meanwhile
            self._waiting = None
            self._launch(request, drawings)

    def _on_read_failed(self, request: _Start, exc: Exception) -> None:
        if self._waiting is request:
            self._waiting = None
            self._set_running(False)
            self.run_progress.status.setText("Nothing was saved; the current model is unchanged.")
            self.banner.show_message(ERROR, f"<b>Your samples cannot be read.</b> {escaped(exc)}")

    def _launch(self, request: _Start, drawings: tuple[Drawing, ...]) -> None:
        self._library.remove_leftovers()  # what killed runs of earlier sessions left behind
        job = self.form.job(request.kind, request.output, self._current, drawings,
                            self._child_log)
        self._pending = None
        self._lowest_val_loss = float("inf")
        self.plots.reset(max(1, request.epochs))
        self.plots.set_empty_text("The curves appear after the first batches")
        self.banner.hide()
        self.results.clear_results()
        self.run_progress.start(request.epochs)
        self.runner.start(job)
        self._set_running(True)

    @Slot()
    def cancel(self) -> None:
        if self.is_running():
            self.run_progress.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.runner.cancel()

    def _set_running(self, running: bool) -> None:
        waiting = self._waiting is not None
        self.presets.setEnabled(not running and not waiting)
        self.form.setEnabled(not running and not waiting)
        self.train_button.setVisible(not running)
        self.train_button.setEnabled(not waiting)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        has_result = self._pending is not None and not running
        self.use_button.setVisible(has_result)
        self.discard_button.setVisible(has_result)
        self.train_button.setDefault(not has_result)
        self.use_button.setDefault(has_result)
        self._on_view_changed(self.results.view())
        self._show_samples()

    # -- progress ----------------------------------------------------------------------------

    @Slot(object)
    def _on_batch(self, message: BatchEnd) -> None:
        if self.run_progress.batch(message):
            self.plots.reset(self.run_progress.epochs())
        self.plots.add_batch(message.epoch, message.batch, message.batches, message.logs)

    @Slot(object)
    def _on_epoch(self, message: EpochEnd) -> None:
        self.plots.add_epoch(message.epoch, message.logs)
        val_loss = message.logs.get("val_loss")
        if val_loss is not None and val_loss < self._lowest_val_loss:  # the first of equals
            self._lowest_val_loss = val_loss
            self.plots.mark_best_epoch(message.epoch + 1)

    # -- endings -----------------------------------------------------------------------------

    @Slot(object)
    def _on_finished(self, outcome: Outcome) -> None:
        self._pending = outcome
        self.run_progress.stop(finished=True)
        self._set_running(False)
        self.library_changed.emit()
        self.run_progress.status.setText(f"Finished in {clock(self.run_progress.elapsed())}. "
                                         f"Saved as {Path(outcome.path).name}.")
        current = self._current.name if self._current is not None else "the current model"
        self.banner.show_message(RESULT, result_html(outcome, current))
        self.results.show_outcome(outcome)
        self.use_button.setFocus()

    @Slot(str, str)
    def _on_failed(self, problem: str, message: str) -> None:
        self.run_progress.stop(finished=False)
        self._set_running(False)
        self.banner.show_message(ERROR, failure_html(problem, message),
                                 choose_data=problem == DATA_PROBLEM)
        self.run_progress.status.setText("Nothing was saved; the current model is unchanged.")

    @Slot()
    def _on_cancelled(self) -> None:
        self.run_progress.stop(finished=False)
        self._set_running(False)
        self.run_progress.status.setText(
            "Cancelled. Nothing was saved; the current model is unchanged.")

    @Slot()
    def _use(self) -> None:
        outcome, self._pending = self._pending, None
        if outcome is None:
            return
        self.banner.hide()
        self._set_running(False)
        self.run_progress.status.setText(f"Now using {Path(outcome.path).name}.")
        self.use_requested.emit(outcome.path)

    @Slot()
    def _discard(self) -> None:
        outcome, self._pending = self._pending, None
        if outcome is None:
            return
        try:
            self._library.delete(outcome.path)
        except OSError as exc:
            self._pending = outcome
            self.dialogs.error("Cannot discard the model", f"{outcome.path}: {exc}")
            return
        self.banner.hide()
        self._set_running(False)
        self.library_changed.emit()
        self.run_progress.status.setText("Discarded. The current model is unchanged.")

    @Slot(str)
    def _on_view_changed(self, view: str) -> None:
        """The save button saves the tab shown, and says what it saves."""
        self.save_button.setText(_SAVING[view][0])
        self.save_button.setEnabled(not self.is_running()
                                    and (view != CURVES or self.plots.has_data()))

    @Slot()
    def _save_view(self) -> None:
        """Save the tab shown as a PNG: the curves, the matrix, the mistakes or the summary."""
        view = self.results.view()
        _, title, what = _SAVING[view]
        stem = Path(self._pending.path).stem if self._pending else "training"
        evaluation = self.results.evaluation()
        suffix = "" if view == CURVES else f"-{view}"
        if view in (MATRIX, MISTAKES) and evaluation is not None:
            suffix += "-" + "-".join(evaluation.title.lower().split())
        path = self.dialogs.save_path(title, PNG_FILTER,
                                      str(last_folder(self._settings) / f"{stem}{suffix}.png"))
        if path is None:
            return
        path = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
        existed = path.is_file()
        try:
            if view == CURVES:
                self.plots.save_png(path)
            else:
                self.results.save_png(path)
        except OSError as exc:
            self.dialogs.error(f"Cannot save the {what}", save_problem(path, exc, existed))
            return
        remember_folder(self._settings, path)
        self.run_progress.status.setText(f"Saved the {what} as {path.name}.")

    # -- window ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self.form.refresh_data_source()
        super().showEvent(event)

    def banner_message(self) -> str:
        """The banner's text as plain text (what the user reads), or "" when it is hidden."""
        return self.banner.plain_text()


_STYLE = """
QFrame#banner {
    border-radius: 10px;
    border: 1px solid palette(midlight);
    background: palette(base);
}
QFrame#banner[kind="error"] {
    border: 1px solid #d9534f;
    background: rgba(217, 83, 79, 28);
}
QFrame#banner[kind="result"] {
    border: 1px solid palette(highlight);
}
QLabel[role="note"] { color: palette(placeholder-text); }
QProgressBar { border: none; border-radius: 4px; background: palette(midlight); }
QProgressBar::chunk { border-radius: 4px; background: palette(highlight); }
"""
