"""Toolbar icons drawn as vector paths in the palette's text colour.

Icon themes exist on some Linux desktops only; drawing the handful the toolbar needs keeps the
look the same everywhere, light or dark, at any device pixel ratio.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

_SIZE = 24


def _icon(draw: Callable[[QPainter], None], colour: QColor) -> QIcon:
    icon = QIcon()
    for ratio in (1.0, 2.0):
        pixmap = QPixmap(round(_SIZE * ratio), round(_SIZE * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colour, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        draw(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _undo(painter: QPainter, mirror: bool = False) -> None:
    if mirror:
        painter.translate(_SIZE, 0)
        painter.scale(-1, 1)
    arc = QPainterPath(QPointF(5, 10))
    arc.lineTo(14, 10)
    arc.cubicTo(21, 10, 21, 20, 14, 20)
    arc.lineTo(9, 20)
    painter.drawPath(arc)
    head = QPainterPath(QPointF(9, 5))
    head.lineTo(4, 10)
    head.lineTo(9, 15)
    painter.drawPath(head)


def _clear(painter: QPainter) -> None:
    painter.drawLine(QPointF(7, 7), QPointF(17, 17))
    painter.drawLine(QPointF(17, 7), QPointF(7, 17))
    painter.drawRoundedRect(QRectF(3, 3, 18, 18), 5, 5)


def _pen(painter: QPainter) -> None:
    body = QPainterPath(QPointF(5, 19))
    body.lineTo(6, 15)
    body.lineTo(16, 5)
    body.lineTo(19, 8)
    body.lineTo(9, 18)
    body.closeSubpath()
    painter.drawPath(body)
    painter.drawLine(QPointF(14, 7), QPointF(17, 10))


def undo_icon(colour: QColor) -> QIcon:
    return _icon(_undo, colour)


def redo_icon(colour: QColor) -> QIcon:
    return _icon(lambda painter: _undo(painter, mirror=True), colour)


def clear_icon(colour: QColor) -> QIcon:
    return _icon(_clear, colour)


def pen_icon(colour: QColor) -> QIcon:
    return _icon(_pen, colour)


def app_icon() -> QIcon:
    """A digit written on a blue tile, for the window and the task bar."""
    icon = QIcon()
    for side in (16, 32, 64, 128, 256):
        pixmap = QPixmap(side, side)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(side / _SIZE, side / _SIZE)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2f80c8"))
        painter.drawRoundedRect(QRectF(1, 1, 22, 22), 5, 5)
        painter.setPen(QPen(QColor("white"), 2.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        seven = QPainterPath(QPointF(7, 7))
        seven.lineTo(17, 7)
        seven.quadTo(12, 12, 10.5, 18)
        painter.drawPath(seven)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
