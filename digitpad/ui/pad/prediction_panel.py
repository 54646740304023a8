"""The answer: the predicted digit, large, and one line on how sure the model is."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from digitpad.ui.pad.verdict import DASH, Certainty, Verdict

DIGIT_PIXELS = 96
WORDS_PIXELS = 34
""""Not a digit" in words: as wide as the panel allows, as tall as a line of a big title."""


class PredictionPanel(QWidget):
    """A big headline (digit, digit with "?", "Not a digit" or a dash) over a detail line."""

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
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        self.setAccessibleName("Prediction")
        self._certainty: Certainty | None = None

    def certainty(self) -> Certainty | None:
        """How sure the shown answer is; None while there is no answer (no model yet)."""
        return self._certainty

    def show_verdict(self, verdict: Verdict) -> None:
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
        self.headline.setFont(self._digit_font)
        self.headline.setText(DASH)
        self.detail.setText(text)
        self._set_headline_role(QPalette.ColorRole.PlaceholderText)
        self.setAccessibleDescription(text)

    def _set_headline_role(self, role: QPalette.ColorRole) -> None:
        palette = self.headline.palette()
        palette.setColor(QPalette.ColorRole.WindowText, self.palette().color(role))
        self.headline.setPalette(palette)
