"""Why this digit, as the pad and the preview show it: ink that supported the answer in blue,
ink that argued against it in orange, stronger the more it mattered.

Blue and orange stay apart for every common colour-vision deficiency, and neither is the
palette's highlight, which marks the selected digit. A piece that barely mattered keeps the
ink's own colour, so the eye goes to the few that did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

SUPPORTED = QColor(33, 102, 172)
AGAINST = QColor(230, 97, 1)
FAINTEST = 0.12
"""Effects below this fraction of the strongest are not coloured: noise, to the eye."""


@dataclass(frozen=True)
class InkEffect:
    """A piece of ink and how much it mattered: ``strength`` in [-1, 1], +1 the strongest
    support of the answer, -1 the strongest argument against it."""

    points: np.ndarray
    """(n, 2) in pad units."""
    strength: float


def effect_colour(strength: float) -> QColor | None:
    """The colour of an effect, from pale to full the more it mattered; None for one too faint
    to colour. Opaque: where two pieces' round ends overlap, no darker dot shows."""
    size = min(abs(strength), 1.0)
    if size < FAINTEST:
        return None
    full = SUPPORTED if strength > 0 else AGAINST
    share = 0.3 + 0.7 * size
    return QColor.fromRgbF(*(1.0 - share + share * channel
                             for channel in (full.redF(), full.greenF(), full.blueF())))


def paint_effects(painter: QPainter, effects: Sequence[InkEffect], pen_width: float) -> None:
    """Paint the pieces over the ink with a painter in pad units, a little wider than the ink so
    that its edge still shows which stroke it is."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for effect in sorted(effects, key=lambda e: abs(e.strength)):  # the strongest on top
        colour = effect_colour(effect.strength)
        if colour is None:
            continue
        painter.setPen(QPen(colour, pen_width * 1.15, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        points = effect.points
        if len(points) == 1:
            painter.drawPoint(QPointF(*points[0]))
            continue
        path = QPainterPath(QPointF(*points[0]))
        for x, y in points[1:]:
            path.lineTo(x, y)
        painter.drawPath(path)
    painter.restore()


def paint_blocks(painter: QPainter, target: QRectF, strengths: np.ndarray) -> None:
    """Paint a coarse occlusion map (``strengths`` in [-1, 1], one per block) over ``target``,
    the picture the blocks cover."""
    rows, columns = strengths.shape
    width, height = target.width() / columns, target.height() / rows
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    for row in range(rows):
        for column in range(columns):
            colour = effect_colour(float(strengths[row, column]))
            if colour is None:
                continue
            colour.setAlphaF(0.75)  # the pixels under it still show
            painter.setBrush(colour)
            painter.drawRect(QRectF(target.left() + column * width, target.top() + row * height,
                                    width, height))
    painter.restore()
