"""The one-line confirmation that follows a change to the user's samples, with its Undo.

Used under the chart (a drawing was kept) and in My Samples (samples were deleted or relabelled):
the change is made at once, and taking it back is one click for ``UNDO_SECONDS``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

UNDO_SECONDS = 8
"""How long a confirmation (and its Undo) stays: long enough to notice a wrong key."""

_STYLE = """
QPushButton#undo-button {
    border: none;
    border-radius: 3px;
    color: palette(highlight);
    font-weight: 600;
    padding: 0 4px;
}
QPushButton#undo-button:hover { text-decoration: underline; }
QPushButton#undo-button:focus { background: palette(highlight); color: palette(highlighted-text); }
"""


def digit_name(digit: int) -> str:
    """"a 7", "an 8": how confirmations and prompts name a digit."""
    return f"{'an' if digit == 8 else 'a'} {digit}"


def sample_count(count: int) -> str:
    """"1 sample", "3 samples": how confirmations and counts name a number of samples."""
    return f"{count} sample{'' if count == 1 else 's'}"


class UndoNotice(QWidget):
    """One line saying what just happened, with an Undo button while undoing makes sense.

    With nothing to say it shows ``idle_text`` (a faint hint), so the layout never jumps.
    """

    undo_requested = Signal()

    def __init__(
        self, idle_text: str = "", seconds: float = UNDO_SECONDS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self._idle_text = idle_text
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.undo_button = QPushButton("Undo", objectName="undo-button")
        self.undo_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the focus
        self.undo_button.clicked.connect(self._undo)
        self._timer = QTimer(self, singleShot=True, interval=round(seconds * 1000))
        self._timer.timeout.connect(self.show_idle)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(6)
        row.addWidget(self.message, 1)
        row.addWidget(self.undo_button)
        self.setMinimumHeight(self.undo_button.sizeHint().height())
        self.show_idle()

    @Slot(str)
    def show_notice(self, text: str, undoable: bool = False) -> None:
        """Show ``text`` for a few seconds; with ``undoable``, offer Undo for as long."""
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.setEnabled(True)
        self.undo_button.setVisible(undoable)
        self._timer.start()

    @Slot()
    def show_idle(self) -> None:
        self._timer.stop()
        self.message.setText(self._idle_text)
        self.message.setToolTip("")
        self.message.setEnabled(False)  # drawn faint
        self.undo_button.hide()

    def text(self) -> str:
        return self.message.text()

    def can_undo(self) -> bool:
        return self.undo_button.isVisibleTo(self)

    @Slot()
    def _undo(self) -> None:
        self.show_idle()
        self.undo_requested.emit()
