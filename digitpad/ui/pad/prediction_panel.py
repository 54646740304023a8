"""The answer: the predicted digit (or number), large, and one line on how sure the model is.

A number's digits are buttons: clicking one selects it, and the window shows that digit in the
preview and the chart."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitpad.ui.pad.verdict import DASH, Certainty, Verdict

DIGIT_PIXELS = 96
WORDS_PIXELS = 34
""""Not a digit" in words: as wide as the panel allows, as tall as a line of a big title."""
_DIGIT_PADDING = 2
"""Pixels a number's digit button adds to its digit's width (its padding)."""
_NUMBER_STYLE = """
QToolButton { border: none; border-bottom: 3px solid transparent; padding: 0 1px; }
QToolButton:checked { border-bottom-color: palette(highlight); }
"""


class PredictionPanel(QWidget):
    """A big headline (digit, digit with "?", "Not a digit" or a dash) over a detail line; for a
    number, a row of digit buttons instead of the headline."""

    digit_clicked = Signal(int)
    """(index): the user picked this digit of the number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel(DASH)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.headline.font())
        font.setPixelSize(DIGIT_PIXELS)
        font.setWeight(QFont.Weight.DemiBold)
        self.headline.setFont(font)
        self._digit_font = font
        self._words_font = QFont(font)
        self._words_font.setPixelSize(WORDS_PIXELS)
        self.headline.setMinimumWidth(150)
        self.detail = QLabel("Loading model…")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        detail_font = QFont(self.detail.font())
        detail_font.setPointSizeF(detail_font.pointSizeF() * 1.15)
        self.detail.setFont(detail_font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.number_row = QWidget()
        self.number_row.setStyleSheet(_NUMBER_STYLE)
        # Its digits fit the panel's width (``_fit_number``), so its own must not set the panel's.
        self.number_row.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._number_layout = QHBoxLayout(self.number_row)
        self._number_layout.setContentsMargins(0, 0, 0, 0)
        self._number_layout.setSpacing(0)
        self._digit_buttons: list[QToolButton] = []
        self.number_row.hide()
        layout.addWidget(self.headline)
        layout.addWidget(self.number_row, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.detail)
        self.setAccessibleName("Prediction")
        self._certainty: Certainty | None = None

    def certainty(self) -> Certainty | None:
        """How sure the shown answer is; None while there is no answer (no model yet)."""
        return self._certainty

    def digit_buttons(self) -> list[QToolButton]:
        """The number's digits as shown (empty unless a number is)."""
        if self.number_row.isHidden():
            return []
        return [button for button in self._digit_buttons if not button.isHidden()]

    def show_number(self, verdict: Verdict, selected: int) -> None:
        """A number: its digits (``verdict.headline``, one character each, a trailing "?" apart)
        as buttons, ``selected`` checked; the detail line as for a digit."""
        self.show_verdict(verdict)
        digits = verdict.headline.rstrip("?")
        while len(self._digit_buttons) < len(digits):
            button = QToolButton(checkable=True, autoRaise=True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keys with the pad
            button.clicked.connect(functools.partial(self._on_digit_clicked,
                                                     len(self._digit_buttons)))
            self._number_layout.addWidget(button)
            self._digit_buttons.append(button)
        palette = self.headline.palette()
        for n, button in enumerate(self._digit_buttons):
            button.setVisible(n < len(digits))
            if n < len(digits):
                button.setText(digits[n])
                button.setPalette(palette)
                button.setChecked(n == selected)
                button.setToolTip(f"Digit {n + 1}: show it in the chart and the preview")
        self._fit_number()
        self.headline.hide()
        self.number_row.show()

    def _fit_number(self) -> None:
        """Each digit as large as the panel's width allows for all of them, at most
        ``DIGIT_PIXELS`` high."""
        buttons = [b for b in self._digit_buttons if not b.isHidden()]
        if not buttons:
            return
        per_pixel = QFontMetricsF(self._digit_font).horizontalAdvance("0") / DIGIT_PIXELS
        room = self.width() / len(buttons) - _DIGIT_PADDING
        font = QFont(self._digit_font)
        font.setPixelSize(max(1, min(DIGIT_PIXELS, int(room / per_pixel))))
        width = round(QFontMetricsF(font).horizontalAdvance("0")) + _DIGIT_PADDING
        for button in buttons:
            button.setFont(font)
            button.setFixedWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.number_row.isHidden():
            self._fit_number()

    def _on_digit_clicked(self, index: int, _checked: bool = False) -> None:
        self.digit_clicked.emit(index)

    def show_verdict(self, verdict: Verdict) -> None:
        self.number_row.hide()
        self.headline.show()
        self._certainty = verdict.certainty
        self.headline.setFont(self._words_font if verdict.certainty is Certainty.NOT_A_DIGIT
                              else self._digit_font)
        self.headline.setText(verdict.headline)
        self.detail.setText(verdict.detail)
        role = (QPalette.ColorRole.Highlight if verdict.certainty is Certainty.SURE
                else QPalette.ColorRole.PlaceholderText)
        self._set_headline_role(role)
        self.setAccessibleDescription(f"{verdict.headline}: {verdict.detail}")

    def show_message(self, text: str) -> None:
        """No answer to show (model loading or missing): a dash and why."""
        self._certainty = None
        self.number_row.hide()
        self.headline.show()
        self.headline.setFont(self._digit_font)
        self.headline.setText(DASH)
        self.detail.setText(text)
        self._set_headline_role(QPalette.ColorRole.PlaceholderText)
        self.setAccessibleDescription(text)

    def _set_headline_role(self, role: QPalette.ColorRole) -> None:
        palette = self.headline.palette()
        palette.setColor(QPalette.ColorRole.WindowText, self.palette().color(role))
        self.headline.setPalette(palette)
