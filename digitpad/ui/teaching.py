"""Teaching digitpad: the user says which digit the drawing on the pad is, and it is kept.

A row of digit buttons under the chart ("That was a …") and the keys 0-9 label the drawing; a
short confirmation says what was kept and offers Undo for ``UNDO_SECONDS``; the pad is cleared for
the next digit if the user wants that (a persisted option). Each kept sample records the model
input and the model's answer at the time, so the sample set shows what the model got wrong.

``install_teaching`` adds all of it, collect mode and Window → My Samples to a main window: the
composition root calls it once.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace

from PySide6.QtCore import QKeyCombination, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.ml.ink import NUM_CLASSES, Drawing
from digitpad.ml.recognizer import Prediction
from digitpad.samples import (
    SampleError,
    SampleNotFoundError,
    SampleStore,
    StoreError,
    strokes_fingerprint,
)
from digitpad.ui.canvas import PAD_UNITS, InkCanvas
from digitpad.ui.collect_mode import CollectMode
from digitpad.ui.main_window import PAD_KEY, MainWindow
from digitpad.ui.notice import UndoNotice, digit_name
from digitpad.ui.recognition import LiveRecognition
from digitpad.ui.samples_window import SamplesWindow
from digitpad.ui.workers import RecognizerWorker

log = logging.getLogger(__name__)

CLEAR_AFTER_LABEL_KEY = "teaching/clear_after_label"

_STYLE = """
QPushButton[role="digit"] {
    border: 1px solid palette(mid);
    border-radius: 7px;
    background: palette(button);
    font-weight: 600;
    min-height: 30px;
    margin: 0 3px;
    padding: 0;
}
QPushButton[role="digit"]:hover { border: 1px solid palette(highlight); }
QPushButton[role="digit"]:pressed {
    background: palette(highlight);
    color: palette(highlighted-text);
}
QPushButton[role="digit"]:disabled {
    color: palette(placeholder-text);
    border: 1px solid palette(midlight);
}
QToolButton#collect-button {
    border: 1px solid palette(mid);
    border-radius: 10px;
    padding: 1px 10px;
}
QToolButton#collect-button:checked {
    background: palette(highlight);
    color: palette(highlighted-text);
    border-color: palette(highlight);
}
"""


# --- keeping the drawing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """A drawing just kept as a sample, remembered for Undo and for relabelling it in place."""

    sample_id: int
    label: int
    drawing: Drawing
    fingerprint: str
    predicted: int | None
    """The model's answer when it was kept, or None if no model had answered."""
    cleared: bool
    """Whether keeping it cleared the pad (Undo puts it back)."""
    collected: bool
    """Kept by collect mode's Enter rather than a digit key or button."""


class Teacher(QObject):
    """Keeps the drawing on the pad as a labelled sample, with the model's answer at the time.

    A label asked for while the model is still answering (a few ms after pen-up) is applied as
    soon as the answer arrives, so every sample records what the model said about exactly it.
    Labelling the drawing just kept again relabels that sample instead of storing a duplicate.
    """

    kept = Signal(object)
    """Kept: a new sample."""
    relabelled = Signal(object, int)
    """(Kept with its new label, the old label): the drawing just kept was labelled again,
    e.g. brought back with the pad's Undo."""
    undone = Signal(object)
    """Kept: the sample was deleted again (and its drawing put back if the pad was cleared)."""
    error = Signal(str, str)
    """(title, message) for the user; nothing was lost."""

    def __init__(
        self,
        canvas: InkCanvas,
        recognition: LiveRecognition,
        store: SampleStore,
        settings: QSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._recognition = recognition
        self._store = store
        self._settings = settings
        self._prediction = Prediction.empty()
        self._waiting: tuple[int, bool] | None = None
        self._last: Kept | None = None
        recognition.prediction_changed.connect(self._on_prediction)

    def store(self) -> SampleStore:
        return self._store

    def clear_after_label(self) -> bool:
        return bool(self._settings.value(CLEAR_AFTER_LABEL_KEY, True, type=bool))

    @Slot(bool)
    def set_clear_after_label(self, clear: bool) -> None:
        self._settings.setValue(CLEAR_AFTER_LABEL_KEY, clear)

    def last(self) -> Kept | None:
        return self._last

    @Slot(int)
    def label(self, digit: int, collected: bool = False) -> None:
        """Keep the drawing on the pad as ``digit`` (collect mode passes ``collected``)."""
        if self._canvas.is_drawing() or not self._canvas.strokes():
            return
        if self._recognition.model() is not None and not self._recognition.is_up_to_date():
            self._waiting = (digit, collected)  # kept when the model's answer arrives
            return
        self._keep(digit, collected)

    @Slot()
    def undo(self) -> None:
        """Take back the last kept sample; its drawing returns to the pad if that was cleared."""
        last = self._last
        if last is None:
            return
        try:
            self._store.delete(last.sample_id)
        except SampleNotFoundError:
            pass  # already deleted, e.g. in My Samples
        except StoreError as exc:
            self._report(exc)
            return
        self._last = None
        if last.cleared and not self._canvas.has_ink():
            self._canvas.set_strokes(last.drawing.strokes, fit=False)
        self.undone.emit(last)

    @Slot(object)
    def _on_prediction(self, prediction: Prediction) -> None:
        self._prediction = prediction
        if self._waiting is not None and self._recognition.is_up_to_date():
            (digit, collected), self._waiting = self._waiting, None
            self._keep(digit, collected)

    def _keep(self, digit: int, collected: bool) -> None:
        strokes = self._canvas.strokes()
        if not strokes:
            return  # cleared while the model was answering
        drawing = Drawing(strokes, digit, {PAD_KEY: PAD_UNITS})
        fingerprint = strokes_fingerprint(drawing)
        last = self._last
        cleared = collected or self.clear_after_label()
        if (last is not None and last.fingerprint == fingerprint
                and self._relabel(last, digit, cleared, collected)):
            return
        model = self._recognition.model()
        prediction = self._prediction  # clearing the pad below replaces it
        answered = (model is not None and self._recognition.is_up_to_date()
                    and prediction.digit is not None)
        try:
            sample_id = self._store.add(
                drawing, digit,
                image=self._recognition.current_input() if answered else None,
                predicted=prediction.digit if answered else None,
                confidence=prediction.confidence if answered else None,
                model=model.name if answered and model is not None else "",
            )
        except (StoreError, SampleError) as exc:
            self._report(exc)
            return
        self._last = Kept(sample_id, digit, drawing, fingerprint,
                          prediction.digit if answered else None, cleared, collected)
        if cleared:
            self._canvas.clear()
        self.kept.emit(self._last)

    def _relabel(self, last: Kept, digit: int, cleared: bool, collected: bool) -> bool:
        """Give the sample just kept, back on the pad, another label; False if it is gone."""
        try:
            old = self._store.relabel(last.sample_id, digit)
        except SampleNotFoundError:
            return False
        except StoreError as exc:
            self._report(exc)
            return True
        self._last = replace(last, label=digit, drawing=replace(last.drawing, label=digit),
                             cleared=cleared, collected=collected)
        if cleared:
            self._canvas.clear()
        self.relabelled.emit(self._last, old)
        return True

    def _report(self, exc: Exception) -> None:
        log.warning("sample not kept: %s", exc)
        self.error.emit("Cannot keep the drawing",
                        f"{exc}\n\nThe drawing is still on the pad: try again in a moment.")


# --- the row under the chart --------------------------------------------------------------------


class TeachingPanel(QWidget):
    """"That was a …": ten digit buttons, the collect-mode toggle and the confirmation line."""

    digit_chosen = Signal(int)

    def __init__(self, collect_action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        caption = QLabel("THAT WAS A \N{HORIZONTAL ELLIPSIS}")
        caption.setProperty("role", "caption")
        self.collect_button = QToolButton(objectName="collect-button")
        self.collect_button.setDefaultAction(collect_action)
        self.collect_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 4, 0)
        top.addWidget(caption)
        top.addStretch(1)
        top.addWidget(self.collect_button)

        # Same margins as the chart's plot, so each button sits under its digit's bar.
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(0)
        self.buttons: list[QPushButton] = []
        for digit in range(NUM_CLASSES):
            button = QPushButton(str(digit))
            button.setProperty("role", "digit")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the pad keeps the keyboard
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"That was {digit_name(digit)}: keep the drawing as one "
                              f"(key {digit})")
            button.setAccessibleName(f"That was {digit_name(digit)}")
            button.clicked.connect(lambda _=False, d=digit: self.digit_chosen.emit(d))
            row.addWidget(button, 1)
            self.buttons.append(button)

        self.notice = UndoNotice("Press 0\N{EN DASH}9 to tell digitpad what you drew")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(row)
        layout.addWidget(self.notice)

    def set_digits_enabled(self, enabled: bool) -> None:
        for button in self.buttons:
            button.setEnabled(enabled)

    @Slot(object)
    def show_kept(self, kept: Kept) -> None:
        text = f"\N{CHECK MARK} Kept as {digit_name(kept.label)}"
        if kept.predicted is not None and kept.predicted != kept.label:
            text += f"; the model read {kept.predicted}"
        self.notice.show_notice(text + ".", undoable=True)

    @Slot(object, int)
    def show_relabelled(self, kept: Kept, old: int) -> None:
        text = (f"Already kept as {digit_name(kept.label)}." if old == kept.label
                else f"\N{CHECK MARK} Changed to {digit_name(kept.label)}.")
        self.notice.show_notice(text, undoable=True)

    @Slot(object)
    def show_undone(self, kept: Kept) -> None:
        self.notice.show_notice(f"Not kept: the {kept.label} was taken back.")


# --- putting it into the window -----------------------------------------------------------------


class Teaching(QObject):
    """Everything ``install_teaching`` added to the window, for tests and for shutting down."""

    def __init__(
        self,
        window: MainWindow,
        recognition: LiveRecognition,
        worker: RecognizerWorker,
        store: SampleStore,
        settings: QSettings,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._recognition = recognition
        self._worker = worker
        self._settings = settings
        self._samples_window: SamplesWindow | None = None
        self._has_ink = False
        canvas = window.canvas

        self.teacher = Teacher(canvas, recognition, store, settings, self)
        self.collect = CollectMode(window, self.teacher)
        self.panel = TeachingPanel(self.collect.toggle_action)
        window.side_panel.addSpacing(4)
        window.side_panel.addWidget(self.panel)

        self.digit_actions: list[QAction] = []
        for digit in range(NUM_CLASSES):
            action = QAction(f"That was {digit_name(digit)}", window)
            key = Qt.Key(Qt.Key.Key_0.value + digit)
            action.setShortcuts([QKeySequence(key), QKeySequence(
                QKeyCombination(Qt.KeyboardModifier.KeypadModifier, key))])
            action.triggered.connect(lambda _=False, d=digit: self.teacher.label(d))
            window.addAction(action)  # keys only: ten menu entries would be clutter
            self.digit_actions.append(action)
        self.panel.digit_chosen.connect(self.teacher.label)

        self.clear_after_action = QAction("&Clear the Pad After Labelling", window,
                                          checkable=True)
        self.clear_after_action.setChecked(self.teacher.clear_after_label())
        self.clear_after_action.setStatusTip(
            "After 0-9 keeps a drawing, empty the pad for the next digit")
        self.clear_after_action.toggled.connect(self.teacher.set_clear_after_label)
        self.samples_action = QAction("My &Samples", window)
        self.samples_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.samples_action.setStatusTip(
            "Your labelled drawings, and how the current model reads them")
        self.samples_action.triggered.connect(self.show_samples)
        bar = window.menuBar()
        self.teach_menu = QMenu("&Teach", window)
        self.teach_menu.addAction(self.collect.toggle_action)
        self.teach_menu.addSeparator()
        self.teach_menu.addAction(self.clear_after_action)
        bar.insertMenu(window.help_menu.menuAction(), self.teach_menu)
        self.window_menu = QMenu("&Window", window)
        self.window_menu.addAction(self.samples_action)
        bar.insertMenu(window.help_menu.menuAction(), self.window_menu)

        self.teacher.kept.connect(self.panel.show_kept)
        self.teacher.relabelled.connect(self.panel.show_relabelled)
        self.teacher.undone.connect(self.panel.show_undone)
        self.teacher.error.connect(window.show_error)
        self.collect.message.connect(self.panel.notice.show_notice)
        self.panel.notice.undo_requested.connect(self.teacher.undo)
        canvas.strokes_changed.connect(self._on_strokes_changed)
        self._set_has_ink(False)

    def samples_window(self) -> SamplesWindow:
        """The My Samples window, created when first wanted."""
        if self._samples_window is None:
            self._samples_window = SamplesWindow(
                self.teacher.store(), self._recognition, self._worker, self._settings,
                parent=self._window)
        return self._samples_window

    @Slot()
    def show_samples(self) -> None:
        window = self.samples_window()
        if window.isVisible():  # behind the pad, perhaps: bring it to the front
            window.raise_()
        else:
            window.show()
        window.activateWindow()

    def shutdown(self) -> None:
        """Finish background work that uses the store (an import in progress)."""
        if self._samples_window is not None:
            self._samples_window.shutdown()

    @Slot(object)
    def _on_strokes_changed(self, strokes: tuple) -> None:
        if bool(strokes) != self._has_ink:  # every pen move comes here: act on changes only
            self._set_has_ink(bool(strokes))

    def _set_has_ink(self, has_ink: bool) -> None:
        self._has_ink = has_ink
        self.panel.set_digits_enabled(has_ink)
        for action in self.digit_actions:
            action.setEnabled(has_ink)


def install_teaching(
    window: MainWindow,
    recognition: LiveRecognition,
    worker: RecognizerWorker,
    settings: QSettings,
    store: SampleStore | None,
    store_problem: str = "",
) -> Teaching | None:
    """Add labelling, collect mode and My Samples to ``window``; returns None without a store.

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
    return Teaching(window, recognition, worker, store, settings)


def _tell_once(window: MainWindow, title: str, message: str) -> None:
    """Show a message as soon as the event loop runs, through the window's current dialogs."""
    QTimer.singleShot(0, window, functools.partial(window.show_error, title, message))
