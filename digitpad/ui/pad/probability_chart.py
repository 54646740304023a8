"""A bar per digit showing the model's softmax probabilities; built once, updated in place.

Custom-painted rather than QtCharts: an update is ten numbers and one repaint, cheap enough to run
25 times a second while the user draws, and the look follows the palette.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEasingCurve, QRectF, QSize, Qt, QVariantAnimation, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from digitpad.ml.digits import NUM_CLASSES

COMPARED = QColor(117, 112, 179)
"""The second model's bars when two are compared: apart from the highlight and from the why
colours, for every common colour-vision deficiency."""
ANIMATION_MS = 120
"""Bars glide to new values this fast: shorter than the ~40 ms between live updates would be a
snap, much longer would lag the pen."""
_SHOWN_FROM = 0.005
"""Percentages that round to 0 % are left out: ten "0%" labels would bury the ones that matter."""


class ProbabilityChart(QWidget):
    """Ten vertical bars labelled 0-9 with their percentages; one bar can be highlighted.

    When two models are compared, a second, narrower bar of the other model's stands to the right
    of each, its percentage shown for its likeliest digit only (twenty labels would be noise).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown = np.zeros(NUM_CLASSES)
        self._start = np.zeros(NUM_CLASSES)
        self._target = np.zeros(NUM_CLASSES)
        self._compared: np.ndarray | None = None
        """The second model's probabilities as shown, start and target (rows), or None."""
        self._highlight: int | None = None
        self._muted = False
        self._empty_text = "Draw a digit"
        self._animation = QVariantAnimation(self)
        self._animation.setStartValue(0.0)
        self._animation.setEndValue(1.0)
        self._animation.setDuration(ANIMATION_MS)
        self._animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._animation.valueChanged.connect(self._step)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Probability of each digit")

    def sizeHint(self) -> QSize:
        return QSize(380, 220)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 150)

    def probabilities(self) -> np.ndarray:
        """The values the bars are showing or moving to."""
        return self._target.copy()

    def highlighted(self) -> int | None:
        return self._highlight

    def comparison(self) -> np.ndarray | None:
        """The second model's probabilities the bars show or move to, None when not comparing."""
        return None if self._compared is None else self._compared[2].copy()

    def set_comparison(self, probabilities: np.ndarray | None) -> None:
        """Show the second model's ``probabilities`` beside the bars (None: stop comparing)."""
        if probabilities is None:
            self._compared = None
        else:
            target = np.asarray(probabilities, dtype=float)
            shown = self._compared[0] if self._compared is not None else np.zeros(NUM_CLASSES)
            self._compared = np.stack([shown, shown, target])
            self._start = self._shown.copy()
            self._animate()
        self.update()

    def empty_text(self) -> str | None:
        """The message shown instead of bars, or None when there are bars."""
        return self._empty_text if not self._target.any() else None

    def set_probabilities(
        self, probabilities: np.ndarray | None, highlight: int | None = None, muted: bool = False
    ) -> None:
        """Move the bars to ``probabilities`` (None: no bars); ``muted`` draws the leader paler."""
        target = np.zeros(NUM_CLASSES)
        if probabilities is not None:
            target = np.asarray(probabilities, dtype=float)
        self._highlight = highlight
        self._muted = muted
        self._start = self._shown.copy()
        self._target = target
        self.setToolTip(_describe(target))
        if self._compared is not None:
            self._compared[1] = self._compared[0]
        self._animate()
        self.update()

    def _animate(self) -> None:
        self._animation.stop()
        if self.isVisible():
            self._animation.start()
        else:
            self._step(1.0)

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    @Slot(object)
    def _step(self, fraction: float) -> None:
        self._shown = self._start + (self._target - self._start) * float(fraction)
        if self._compared is not None:
            shown, start, target = self._compared
            shown[:] = start + (target - start) * float(fraction)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        label_height = metrics.height() + 6
        value_height = metrics.height() + 4
        labels_above = 2 if self._compared is not None else 1  # two: one for each model's
        plot = QRectF(self.rect()).adjusted(4, labels_above * value_height, -4, -label_height)
        slot = plot.width() / NUM_CLASSES
        bar_width = min(slot * 0.62, 42.0)
        pair_gap = 2.0
        if self._compared is not None:
            bar_width = min(slot * 0.4, 28.0)
        compared_width = bar_width * 0.75
        pair = bar_width + (pair_gap + compared_width if self._compared is not None else 0.0)
        compared_leader = (int(np.argmax(self._compared[2])) if self._compared is not None
                           and self._compared[2].any() else None)

        text = palette.color(QPalette.ColorRole.WindowText)
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        accent = palette.color(QPalette.ColorRole.Highlight)
        track = palette.color(QPalette.ColorRole.Mid)
        track.setAlpha(60)
        others = palette.color(QPalette.ColorRole.Mid)

        digit_font = QFont(painter.font())
        digit_font.setPointSizeF(digit_font.pointSizeF() * 1.15)
        for k in range(NUM_CLASSES):
            x = plot.left() + slot * k + (slot - pair) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(QRectF(x, plot.top(), bar_width, plot.height()), 4, 4)
            height = plot.height() * float(np.clip(self._shown[k], 0.0, 1.0))
            if height > 0.5:
                colour = QColor(accent if k == self._highlight else others)
                if k == self._highlight and self._muted:
                    colour.setAlpha(150)
                painter.setBrush(colour)
                painter.drawRoundedRect(
                    QRectF(x, plot.bottom() - height, bar_width, height), 4, 4
                )
            compared_top = plot.bottom()
            if self._compared is not None:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(track)
                left = x + bar_width + pair_gap
                painter.drawRoundedRect(QRectF(left, plot.top(), compared_width, plot.height()),
                                        3, 3)
                other = plot.height() * float(np.clip(self._compared[0][k], 0.0, 1.0))
                compared_top -= other
                if other > 0.5:
                    painter.setBrush(COMPARED)
                    painter.drawRoundedRect(QRectF(left, compared_top, compared_width, other),
                                            3, 3)
            column = QRectF(plot.left() + slot * k, 0, slot, self.height())
            digit_font.setBold(k == self._highlight)
            painter.setFont(digit_font)
            painter.setPen(text)
            painter.drawText(
                QRectF(column.left(), plot.bottom() + 4, slot, label_height),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, str(k),
            )
            value = float(self._target[k])
            top = plot.bottom() - height - value_height
            if value >= _SHOWN_FROM:
                painter.setFont(self.font())
                painter.setPen(text)
                where = (QRectF(x - slot, top, bar_width + 2 * slot, value_height)
                         if self._compared is not None else
                         QRectF(column.left(), top, slot, value_height))
                painter.drawText(where, Qt.AlignmentFlag.AlignHCenter
                                 | Qt.AlignmentFlag.AlignBottom, _percent(value))
            if k == compared_leader and self._compared is not None:
                painter.setFont(self.font())
                painter.setPen(COMPARED)
                middle = x + bar_width + pair_gap + compared_width / 2
                above = compared_top - value_height
                if value >= _SHOWN_FROM and abs(above - top) < value_height:
                    above = top - value_height  # over the first model's label, not on it
                painter.drawText(
                    QRectF(middle - slot, above, 2 * slot, value_height),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    _percent(float(self._compared[2][k])))
        if not self._target.any():
            painter.setFont(self.font())
            painter.setPen(faint)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self._empty_text)
        painter.end()


def _percent(value: float) -> str:
    return "<1%" if 0 < value < _SHOWN_FROM else f"{value:.0%}"


def _describe(probabilities: np.ndarray) -> str:
    if not probabilities.any():
        return "No drawing yet"
    order = np.argsort(probabilities)[::-1][:3]
    return ", ".join(f"{k}: {_percent(float(probabilities[k]))}" for k in order)
