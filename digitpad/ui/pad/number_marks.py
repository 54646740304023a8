"""The thin boxes a number's digits get on the pad, each with its confidence under it.

Drawn over the ink only when the pad holds a number (two digits or more): a single digit looks
as it always did. Boxes are in pad units, as the ink is; the selected digit's box is drawn in
the highlight colour, an unsure digit's caption ends in "?", and a part that is no digit is
drawn dashed and captioned so.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QPen

BOX_MARGIN = 18.0
"""Pad units between the ink and its box."""
CAPTION_PIXELS = 13
"""The caption's font size in screen pixels, whatever the pad's size."""


class MarkKind(enum.Enum):
    SURE = "sure"
    UNSURE = "unsure"
    NOT_A_DIGIT = "not a digit"


@dataclass(frozen=True)
class DigitMark:
    """One digit of the number on the pad, as the pad shows it."""

    box: tuple[float, float, float, float]
    """``(x0, y0, x1, y1)`` of its ink, in pad units."""
    caption: str
    """Under the box: "7 · 98 %", "1? 64 %", "not a digit"."""
    kind: MarkKind
    selected: bool


def paint_marks(painter: QPainter, marks: Sequence[DigitMark], palette: QPalette,
                scale: float) -> None:
    """Paint ``marks`` with a painter already in pad units (``scale``: screen pixels per unit,
    so that lines stay one pixel and the caption readable at any pad size)."""
    font = QFont(painter.font())
    font.setPixelSize(CAPTION_PIXELS)
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for mark in marks:
        x0, y0, x1, y1 = mark.box
        rect = QRectF(x0 - BOX_MARGIN, y0 - BOX_MARGIN, x1 - x0 + 2 * BOX_MARGIN,
                      y1 - y0 + 2 * BOX_MARGIN)
        role = (QPalette.ColorRole.Highlight if mark.selected
                else QPalette.ColorRole.PlaceholderText)
        pen = QPen(palette.color(role), (2.0 if mark.selected else 1.0) / scale)
        if mark.kind is MarkKind.NOT_A_DIGIT:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(rect, 8.0, 8.0)
        painter.save()
        painter.translate(rect.center().x(), rect.bottom())
        painter.scale(1.0 / scale, 1.0 / scale)
        painter.setFont(font)
        text_rect = QRectF(-rect.width() * scale, 2.0, 2 * rect.width() * scale,
                           3.0 * CAPTION_PIXELS)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         mark.caption)
        painter.restore()
    painter.restore()
