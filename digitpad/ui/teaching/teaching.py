"""Teaching digitpad: the user says which digit the drawing on the pad is, and it is kept.

A row of digit buttons under the chart ("That was a …") and the keys 0-9 label the drawing; a
short confirmation says what was kept and offers Undo for ``UNDO_SECONDS``; the pad is cleared for
the next digit if the user wants that (a persisted option). ``Teaching`` makes the row, the keys,
collect mode and the Teach and Window menus; the composition root puts them into the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QKeyCombination, QObject, QSettings, Qt, Signal, Slot
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

from digitpad.ml.digits import NUM_CLASSES
from digitpad.samples import SampleStore
from digitpad.ui.pad.canvas import InkCanvas
from digitpad.ui.pad.recognition import LiveRecognition
from digitpad.ui.pad.workers import RecognizerWorker
from digitpad.ui.support.dialogs import Dialogs
from digitpad.ui.support.notice import UndoNotice, digit_name
from digitpad.ui.teaching.collect_mode import CollectMode
from digitpad.ui.teaching.teacher import Kept, Teacher

if TYPE_CHECKING:
    from digitpad.ui.teaching.samples_window import SamplesWindow

# The focus is a border twice as thick (its padding thinner, so nothing moves): Tab reaches the
# buttons, and a keyboard user must see where it is.
_STYLE = """
QPushButton[role="digit"] {
    border: 1px solid palette(mid);
    border-radius: 7px;
    background: palette(button);
    font-weight: 600;
    min-height: 28px;
    margin: 0 3px;
    padding: 1px;
}
QPushButton[role="digit"]:hover { border: 1px solid palette(highlight); }
QPushButton[role="digit"]:focus { border: 2px solid palette(highlight); padding: 0; }
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
QToolButton#collect-button:focus { border: 2px solid palette(highlight); padding: 0 9px; }
QToolButton#collect-button:checked:focus { border-color: palette(text); }
"""


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
        self.collect_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # see the digit buttons
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
            # Tab reaches it, a click does not take the focus from the pad (the keys 0-9 are
            # the window's, so they label from wherever the focus is).
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
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

    @Slot(str, int)
    def show_typing(self, typed: str, needed: int) -> None:
        """A number is being typed: what so far, and how many digits it takes."""
        if typed:
            self.notice.show_notice(f"That was {typed}\N{HORIZONTAL ELLIPSIS} ({len(typed)} of "
                                    f"{needed} digits)", undoable=False)
        else:
            self.notice.show_idle()

    @Slot(object)
    def show_kept(self, kept: Kept) -> None:
        if kept.number:
            self.notice.show_notice(
                f"\N{CHECK MARK} Kept {kept.number} as {len(kept.number)} samples, a digit "
                "each.", undoable=True)
            return
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
        self.notice.show_notice(f"Not kept: the {kept.number or kept.label} was taken back.")


# --- the parts that go into the window ---------------------------------------------------------


class Teaching(QObject):
    """Labelling, collect mode and My Samples, made for one pad; the app puts them in its window.

    ``panel`` goes under the chart, ``menus()`` into the menu bar and ``key_actions()`` onto the
    window (keys only); ``collect.toggle_action`` says when collect mode wants Esc for itself.
    ``dialogs`` gives the window's current dialogs, for collect mode's questions.
    """

    def __init__(
        self,
        canvas: InkCanvas,
        recognition: LiveRecognition,
        worker: RecognizerWorker,
        store: SampleStore,
        settings: QSettings,
        parent: QWidget,
        dialogs: Callable[[], Dialogs] | None = None,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._recognition = recognition
        self._worker = worker
        self._settings = settings
        self._samples_window: SamplesWindow | None = None
        self._has_ink = False

        self._canvas = canvas
        self.teacher = Teacher(canvas, recognition, store, settings, self)
        self.collect = CollectMode(canvas, self.teacher, parent=parent, dialogs=dialogs)
        self.panel = TeachingPanel(self.collect.toggle_action)

        self.digit_actions: list[QAction] = []
        for digit in range(NUM_CLASSES):
            action = QAction(f"That was {digit_name(digit)}", parent)
            key = Qt.Key(Qt.Key.Key_0.value + digit)
            action.setShortcuts([QKeySequence(key), QKeySequence(
                QKeyCombination(Qt.KeyboardModifier.KeypadModifier, key))])
            action.triggered.connect(lambda _=False, d=digit: self.teacher.label(d))
            self.digit_actions.append(action)
        self.panel.digit_chosen.connect(self.teacher.label)

        self.clear_after_action = QAction("&Clear the Pad After Labelling", parent,
                                          checkable=True)
        self.clear_after_action.setChecked(self.teacher.clear_after_label())
        self.clear_after_action.setStatusTip(
            "After 0-9 keeps a drawing, empty the pad for the next digit")
        self.clear_after_action.toggled.connect(self.teacher.set_clear_after_label)
        self.samples_action = QAction("My &Samples", parent)
        self.samples_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.samples_action.setStatusTip(
            "Your labelled drawings, and how the current model reads them")
        self.samples_action.triggered.connect(self.show_samples)
        self.teach_menu = QMenu("&Teach", parent)
        self.teach_menu.addAction(self.collect.toggle_action)
        self.teach_menu.addSeparator()
        self.teach_menu.addAction(self.clear_after_action)
        self.window_menu = QMenu("&Window", parent)
        self.window_menu.addAction(self.samples_action)

        self.teacher.kept.connect(self.panel.show_kept)
        self.teacher.relabelled.connect(self.panel.show_relabelled)
        self.teacher.undone.connect(self.panel.show_undone)
        self.teacher.typing.connect(self.panel.show_typing)
        self.collect.message.connect(self.panel.notice.show_notice)
        self.panel.notice.undo_requested.connect(self.teacher.undo)
        canvas.strokes_changed.connect(self._on_strokes_changed)
        self._set_has_ink(False)

    def menus(self) -> list[QMenu]:
        """Teach and Window, in menu-bar order."""
        return [self.teach_menu, self.window_menu]

    def key_actions(self) -> list[QAction]:
        """Actions reached by their keys only (ten "That was a …" menu entries would clutter)."""
        return [*self.digit_actions, *self.collect.key_actions()]

    def samples_window(self) -> SamplesWindow:
        """The My Samples window, created when first wanted (it is not needed at start-up)."""
        if self._samples_window is None:
            from digitpad.ui.teaching.samples_window import SamplesWindow

            self._samples_window = SamplesWindow(
                self.teacher.store(), self._recognition, self._worker, self._settings,
                parent=self._parent)
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
        if not has_ink and any(button.hasFocus() for button in self.panel.buttons):
            self._canvas.setFocus()  # Space kept the drawing: draw the next (not the pen menu)
        self.panel.set_digits_enabled(has_ink)
        for action in self.digit_actions:
            action.setEnabled(has_ink)
