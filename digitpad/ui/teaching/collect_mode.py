"""Collect mode: the app asks for one digit after another, to build a sample set quickly.

"Draw a 7" shows over the pad; Enter keeps the drawing as a 7, clears the pad and asks for the
next digit; Esc leaves the mode. Digits come in shuffled rounds of all ten, so a session of any
length stays balanced, and no digit is asked for twice in a row. A drawing the model is sure is
another digit (a 2 drawn for an 8, in a hurry) is kept only if the user says so: a wrong label
would teach the model the wrong digit.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QWidget

from digitpad.ml.digits import NUM_CLASSES
from digitpad.ml.recognizer import Prediction
from digitpad.ui.pad.canvas import InkCanvas
from digitpad.ui.pad.verdict import Certainty, verdict_for
from digitpad.ui.support.dialogs import Dialogs
from digitpad.ui.support.notice import digit_name

if TYPE_CHECKING:
    from digitpad.ui.teaching.teacher import Kept, Teacher

KEEP, DISCARD = 0, 1
"""The answers to "Keep it as an 8?", by index."""

_ESCAPE = QKeySequence(Qt.Key.Key_Escape)
_BANNER_TOP = 18.0
"""Gap between the top of the pad and the banner."""


class CollectBanner(QWidget):
    """The request over the top of the pad; pen and mouse go straight through to the pad."""

    def __init__(self, canvas: InkCanvas) -> None:
        super().__init__(canvas)
        self._canvas = canvas
        self._title = ""
        self._detail = ""
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._title_font = QFont(self.font())
        self._title_font.setPointSizeF(self._title_font.pointSizeF() * 1.6)
        self._title_font.setWeight(QFont.Weight.DemiBold)
        canvas.installEventFilter(self)
        self.hide()

    def title(self) -> str:
        return self._title

    def detail(self) -> str:
        return self._detail

    def set_text(self, title: str, detail: str) -> None:
        self._title, self._detail = title, detail
        self.setAccessibleName(f"{title}. {detail}")
        self._place()
        self.update()

    def sizeHint(self) -> QSize:
        title = QFontMetrics(self._title_font)
        detail = self.fontMetrics()
        width = max(title.horizontalAdvance(self._title), detail.horizontalAdvance(self._detail))
        return QSize(width + 48, title.height() + detail.height() + 22)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._canvas and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        size = self.sizeHint()
        pad = self._canvas.pad_rect()
        self.setGeometry(round(pad.center().x() - size.width() / 2),
                         round(pad.top() + _BANNER_TOP), size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.drawRoundedRect(box, 14, 14)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        title_height = QFontMetrics(self._title_font).height()
        painter.setFont(self._title_font)
        painter.drawText(QRectF(0, 8, self.width(), title_height),
                         Qt.AlignmentFlag.AlignCenter, self._title)
        painter.setFont(self.font())
        painter.drawText(QRectF(0, 10 + title_height, self.width(), self.fontMetrics().height()),
                         Qt.AlignmentFlag.AlignCenter, self._detail)
        painter.end()


class CollectMode(QObject):
    """Asks for digits one after another; Enter keeps the drawing as the digit asked for.

    The keys 0-9 still label a drawing as what it really is (a slip of the pen is not a 7).
    While collecting, Esc leaves the mode: whoever shows the pad must lend Esc while
    ``toggle_action`` is checked (the pad's Clear keeps Delete), and add ``key_actions()`` to the
    window so Enter and Esc reach them. ``dialogs`` gives the window's dialogs, which ask before
    a drawing the model reads as another digit is kept.
    """

    message = Signal(str)
    """A hint for the confirmation line, e.g. Enter on an empty pad."""
    prompt_changed = Signal(object)
    """The digit asked for now, or None when the mode ends."""

    def __init__(
        self,
        canvas: InkCanvas,
        teacher: Teacher,
        rng: random.Random | None = None,
        parent: QWidget | None = None,
        dialogs: Callable[[], Dialogs] | None = None,
    ) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self._teacher = teacher
        self._dialogs = dialogs if dialogs is not None else lambda: Dialogs(canvas.window())
        self._rng = rng if rng is not None else random.Random()
        self._deck: list[int] = []
        self._asked: int | None = None
        self._count = 0

        self.toggle_action = QAction("&Collect Samples", self, checkable=True)
        self.toggle_action.setIconText("Collect")
        self.toggle_action.setShortcut(QKeySequence("Ctrl+T"))
        self.toggle_action.setToolTip("Collect samples: digitpad asks for digits, you draw them "
                                      "(Ctrl+T)")
        self.toggle_action.setStatusTip(
            "Build a sample set quickly: draw the digit asked for, press Enter")
        self.toggle_action.toggled.connect(self._set_active)
        self.keep_action = QAction("Keep as Asked", self)
        self.keep_action.setShortcuts([QKeySequence(Qt.Key.Key_Return),
                                       QKeySequence(Qt.Key.Key_Enter)])
        self.keep_action.triggered.connect(self.keep)
        self.stop_action = QAction("Stop Collecting", self)
        self.stop_action.setShortcut(_ESCAPE)
        self.stop_action.triggered.connect(self.stop)
        for action in self.key_actions():
            action.setEnabled(False)
        self.banner = CollectBanner(self._canvas)
        teacher.kept.connect(self._on_kept)
        teacher.relabelled.connect(self._on_kept)  # the drawing just kept, back on the pad
        teacher.undone.connect(self._on_undone)
        teacher.set_confirm_collected(self._confirm)

    def key_actions(self) -> list[QAction]:
        """Enter and Esc while collecting; keys only, enabled while the mode is on."""
        return [self.keep_action, self.stop_action]

    def is_active(self) -> bool:
        return self.toggle_action.isChecked()

    def asked(self) -> int | None:
        return self._asked

    def kept_count(self) -> int:
        """Samples kept since the mode was switched on."""
        return self._count

    @Slot()
    def start(self) -> None:
        self.toggle_action.setChecked(True)

    @Slot()
    def stop(self) -> None:
        self.toggle_action.setChecked(False)

    @Slot()
    def keep(self) -> None:
        """Enter: keep the drawing as the digit asked for (the next request follows)."""
        if self._asked is None or self._canvas.is_drawing():
            return
        if not self._canvas.strokes():
            self.message.emit(f"Draw {digit_name(self._asked)} first, then press Enter.")
            return
        self._teacher.label(self._asked, collected=True)

    def _confirm(self, asked: int, answer: Prediction) -> bool:
        """Whether to keep the drawing as the digit asked for, given the model's answer on it:
        yes unless the model is sure it is another digit; then the user says. Discarded, the
        pad is cleared (Undo brings it back) for the same digit again; dismissed, the drawing
        stays on the pad."""
        verdict = verdict_for(answer)
        if verdict.certainty is not Certainty.SURE or verdict.digit in (None, asked):
            return True
        wanted, read = digit_name(asked), digit_name(verdict.digit)
        choice = self._dialogs().ask(
            f"Keep it as {wanted}?",
            f"digitpad asked for {wanted}, and the model is sure this drawing is {read} "
            f"({answer.confidence:.0%}).\n\nKeep it as {wanted} only if that is what it is: "
            f"a sample with the wrong label teaches the model the wrong digit. To keep it as "
            f"{read}, press {verdict.digit}.",
            [f"Keep as {wanted}", "Discard"], default=DISCARD)
        if choice == KEEP:
            return True
        if choice == DISCARD:
            self._canvas.clear()
            self.message.emit(f"Not kept. Draw {wanted}, then press Enter.")
        else:
            self.message.emit("Not kept: the drawing is still on the pad.")
        return False

    @Slot(bool)
    def _set_active(self, active: bool) -> None:
        self.keep_action.setEnabled(active)
        self.stop_action.setEnabled(active)
        if active:
            self._count = 0
            self._deck.clear()
            self._ask(self._next_digit())
            self.banner.show()
            self.banner.raise_()
            self._canvas.setFocus()
        else:
            self.banner.hide()
            self._asked = None
            self.prompt_changed.emit(None)

    def _next_digit(self) -> int:
        if not self._deck:
            deck = list(range(NUM_CLASSES))
            self._rng.shuffle(deck)
            if deck[-1] == self._asked:  # the deck is used from the end
                deck[0], deck[-1] = deck[-1], deck[0]
            self._deck = deck
        return self._deck.pop()

    def _ask(self, digit: int) -> None:
        self._asked = digit
        kept = f" \N{MIDDLE DOT} {self._count} kept" if self._count else ""
        self.banner.set_text(f"Draw {digit_name(digit)}", f"Enter keeps it \N{MIDDLE DOT} "
                                                          f"Esc stops{kept}")
        self.prompt_changed.emit(digit)

    @Slot(object)
    def _on_kept(self, kept: Kept) -> None:
        if kept.collected and self.is_active():
            self._count += 1
            self._ask(self._next_digit())

    @Slot(object)
    def _on_undone(self, kept: Kept) -> None:
        """Undo of a collected sample asks for that digit again, its drawing back on the pad."""
        if kept.collected and self.is_active():
            self._count -= 1
            if self._asked is not None:
                self._deck.append(self._asked)
            self._ask(kept.label)
